// Synthesizes the app and copies the two Lambda bundles it staged to <dir>/thumbnail and
// <dir>/presign, byte for byte what would be deployed.
//
//   npx tsx test/local/stage-bundles.ts <dir> [--host-addon]   prints {"thumbnail": dir, "presign": dir}
//
// As staged, the thumbnail bundle runs on arm64 only (under qemu-user here). --host-addon puts
// this machine's addon (from the same package) beside the arm64 one, to run it natively.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONTEXT, assetDir, synth } from '../synth';
import { PACKAGE_DIR } from '../../scripts/vendor-thumbsmith.mjs';

const target = process.argv[2];
if (!target) throw new Error('usage: stage-bundles.ts <dir> [--host-addon]');
const withHostAddon = process.argv.includes('--host-addon');

const synthesized = synth(CONTEXT);
const { stack } = synthesized;
const idOf = (fn: typeof stack.thumbnailFunction) => stack.getLogicalId(fn.node.defaultChild as never);

const thumbnail = path.join(target, 'thumbnail');
const presign = path.join(target, 'presign');
fs.rmSync(target, { recursive: true, force: true });
fs.cpSync(assetDir(synthesized, idOf(stack.thumbnailFunction)), thumbnail, { recursive: true });
fs.cpSync(assetDir(synthesized, idOf(stack.presignFunction!)), presign, { recursive: true });

if (withHostAddon) {
  // The host's addon, named as the package's loader expects it on this platform.
  const triple = `${process.platform}-${process.arch}-gnu`;
  const hostAddon = fs.readdirSync(PACKAGE_DIR).find((f: string) => f.endsWith(`.${triple}.node`));
  if (!hostAddon) throw new Error(`no ${triple} addon in ${PACKAGE_DIR}: build the Node binding first`);
  fs.copyFileSync(path.join(PACKAGE_DIR, hostAddon), path.join(thumbnail, 'node_modules', 'thumbsmith', hostAddon));
}
fs.rmSync(synthesized.outdir, { recursive: true, force: true });
console.log(JSON.stringify({ thumbnail, presign }));
