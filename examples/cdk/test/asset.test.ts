// The Lambda bundles `cdk synth` stages: the thumbnail one holds the handler and thumbsmith with
// the linux-arm64 addon only (nothing to install or build at deploy time), and it starts: its
// cold start reads the webhook secret from SSM once and the handler answers an event.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { after, describe, it } from 'node:test';
import type { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { LAMBDA_GLIBC, PACKAGE_DIR, elfMachine, requiredGlibc } from '../scripts/vendor-thumbsmith.mjs';
import { assetDir, listFiles, synth } from './synth';

const synthesized = synth();
const { stack } = synthesized;
const idOf = (fn: IConstruct) => stack.getLogicalId(fn.node.defaultChild as CfnElement);
const thumbnailDir = assetDir(synthesized, idOf(stack.thumbnailFunction));
const presignDir = assetDir(synthesized, idOf(stack.presignFunction!));
after(() => fs.rmSync(synthesized.outdir, { recursive: true, force: true }));

const MB = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
/** Unzipped bytes, and roughly what the deployment zip weighs (each file deflated, as zip does). */
function sizes(dir: string) {
  const files = listFiles(dir);
  const unzipped = files.reduce((sum, f) => sum + f.bytes, 0);
  const zipped = files.reduce((sum, f) => sum + zlib.deflateRawSync(fs.readFileSync(path.join(dir, f.file))).length, 0);
  return { files, unzipped, zipped };
}

describe('thumbnail bundle', () => {
  const { files, unzipped, zipped } = sizes(thumbnailDir);

  it('holds exactly one native addon, built for AArch64 (Lambda arm64)', (t) => {
    const addons = files.filter((f) => f.file.endsWith('.node'));
    assert.deepEqual(addons.map((f) => f.file), [path.join('node_modules', 'thumbsmith', 'thumbsmith.linux-arm64-gnu.node')]);
    const addon = path.join(thumbnailDir, addons[0].file);
    assert.equal(elfMachine(addon), 'AArch64');
    // Loadable on Amazon Linux 2023 (glibc 2.34), the Node 22 runtime.
    const glibc = requiredGlibc(addon);
    assert.ok(glibc, 'links against glibc (linux-gnu)');
    const key = (v: string) => v.split('.').map(Number);
    const [major, minor] = key(glibc);
    const [maxMajor, maxMinor] = key(LAMBDA_GLIBC);
    assert.ok(major < maxMajor || (major === maxMajor && minor <= maxMinor), `needs GLIBC_${glibc} > ${LAMBDA_GLIBC}`);
    t.diagnostic(`addon ${MB(addons[0].bytes)}, needs GLIBC_${glibc}`);
  });

  it('holds the handler (the flow example, bundled) and the thumbsmith package it requires', (t) => {
    const handler = fs.readFileSync(path.join(thumbnailDir, 'index.mjs'), 'utf8');
    // The flow handler's own strings, and thumbsmith left to `require` at run time.
    for (const text of ['avatar.ready', 'avatar.rejected', 'X-Avatar-Signature', 'public, max-age=31536000, immutable']) {
      assert.ok(handler.includes(text), `bundle lacks ${text}`);
    }
    // esbuild's require shim (minified), served by the banner's createRequire.
    assert.match(handler, /\("thumbsmith"\)/);
    const manifest = JSON.parse(fs.readFileSync(path.join(thumbnailDir, 'node_modules', 'thumbsmith', 'package.json'), 'utf8'));
    assert.ok(fs.existsSync(path.join(thumbnailDir, 'node_modules', 'thumbsmith', manifest.main ?? 'index.js')));
    // Nothing else to install: no other package, no lock file or manifest asking for one.
    assert.deepEqual(fs.readdirSync(path.join(thumbnailDir, 'node_modules')), ['thumbsmith']);
    assert.ok(!fs.existsSync(path.join(thumbnailDir, 'package.json')));
    t.diagnostic(`thumbnail bundle: ${files.length} files, ${MB(unzipped)} unzipped, ~${MB(zipped)} zipped`);
    for (const f of files) t.diagnostic(`  ${f.file} ${MB(f.bytes)}`);
  });

  it("fits Lambda's 250 MB unzipped limit with a wide margin", () => {
    assert.ok(unzipped < 50e6, MB(unzipped));
  });

  it('starts on Node: reads the SSM secret once at cold start, then answers events', async () => {
    // This machine cannot load the arm64 addon, so a copy of the bundle gets the host's one.
    const triple = `${process.platform}-${process.arch}-gnu`;
    const hostAddon = fs.readdirSync(PACKAGE_DIR).find((f: string) => f.endsWith(`.${triple}.node`));
    assert.ok(hostAddon, `no ${triple} addon in ${PACKAGE_DIR}: build the Node binding first`);
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'thumbnail-bundle-'));
    fs.cpSync(thumbnailDir, copy, { recursive: true });
    fs.copyFileSync(path.join(PACKAGE_DIR, hostAddon), path.join(copy, 'node_modules', 'thumbsmith', hostAddon));

    const reads: unknown[] = [];
    const ssm = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        reads.push({ target: req.headers['x-amz-target'], ...JSON.parse(body) });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ Parameter: { Name: '/thumbsmith/avatar-webhook-secret', Type: 'SecureString', Value: 's3cret', Version: 1 } }));
      });
    });
    await new Promise<void>((resolve) => ssm.listen(0, '127.0.0.1', resolve));
    const port = (ssm.address() as { port: number }).port;
    try {
      // Two events outside the uploads prefix: handled without S3 or the webhook.
      const script = `
        const { handler } = await import(${JSON.stringify(path.join(copy, 'index.mjs'))});
        const event = { Records: [{ eventName: 'ObjectCreated:Post', s3: { bucket: { name: 'b' }, object: { key: 'elsewhere/x.jpg', size: 1 } } }] };
        const results = [await handler(event), await handler(event)];
        console.log(JSON.stringify(results));`;
      const output = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          ['--input-type=module', '-e', script],
          {
            env: {
              PATH: process.env.PATH,
              AWS_REGION: 'eu-west-1',
              AWS_ACCESS_KEY_ID: 'test',
              AWS_SECRET_ACCESS_KEY: 'test',
              AWS_ENDPOINT_URL_SSM: `http://127.0.0.1:${port}`,
              WEBHOOK_SECRET_PARAMETER: '/thumbsmith/avatar-webhook-secret',
              DEST_BUCKET_NAME: 'assets',
              AVATAR_WEBHOOK_URL: 'https://api.example.com/webhooks/avatar',
            },
          },
          (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
        );
      });
      const results = JSON.parse(output.trim().split('\n').pop()!);
      assert.deepEqual(results.map((r: { results: { status: string }[] }) => r.results[0].status), ['skipped', 'skipped']);
      assert.deepEqual(reads, [{ target: 'AmazonSSM.GetParameter', Name: '/thumbsmith/avatar-webhook-secret', WithDecryption: true }]);
    } finally {
      ssm.close();
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('presign bundle', () => {
  it('is one self-contained ESM file with the SDK inside and no native code', (t) => {
    const { files, unzipped, zipped } = sizes(presignDir);
    assert.deepEqual(files.map((f) => f.file), ['index.mjs', 'index.mjs.map']);
    const code = fs.readFileSync(path.join(presignDir, 'index.mjs'), 'utf8');
    assert.ok(code.includes('content-length-range'));
    assert.ok(!/\("@aws-sdk\/(client-s3|s3-presigned-post)"\)/.test(code), 'the SDK must be bundled, not required');
    t.diagnostic(`presign bundle: ${MB(unzipped)} unzipped, ~${MB(zipped)} zipped`);
  });
});

describe('vendoring step', () => {
  it('refuses an addon built for another machine (the synth fails instead of shipping it)', () => {
    // The first 20 bytes of an x86-64 ELF shared object are all the check reads.
    const fake = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'addon-')), 'x64.node');
    const header = Buffer.alloc(64);
    header.writeUInt32BE(0x7f454c46, 0);
    header[4] = 2; // 64-bit
    header[5] = 1; // little-endian
    header.writeUInt16LE(3, 16); // ET_DYN
    header.writeUInt16LE(0x3e, 18); // x86-64
    fs.writeFileSync(fake, header);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vendor-'));
    assert.throws(
      () => execFileSync(process.execPath, [path.resolve(__dirname, '..', 'scripts', 'vendor-thumbsmith.mjs'), out], {
        env: { ...process.env, THUMBSMITH_ARM64_NODE: fake },
        stdio: 'pipe',
      }),
      /not AArch64/,
    );
  });
});
