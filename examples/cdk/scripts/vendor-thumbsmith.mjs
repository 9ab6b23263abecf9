#!/usr/bin/env node
// Puts the `thumbsmith` npm package into a Lambda bundle as node_modules/thumbsmith with exactly
// one native addon: the linux-arm64-gnu one. Run by the CDK bundling step after esbuild
// (lib/thumbsmith-bundle.ts); nothing is installed or built at deploy time, and a binary for any
// other machine is refused rather than shipped.
//
//   node scripts/vendor-thumbsmith.mjs <bundle dir>
//
// THUMBSMITH_PACKAGE_DIR  the package (default: ../../bindings-node)
// THUMBSMITH_ARM64_NODE   the linux-arm64 addon (default: the one `make -C bindings-node
//                         build-linux-arm64` cross-builds into the package folder)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CDK_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PACKAGE_DIR = path.resolve(process.env.THUMBSMITH_PACKAGE_DIR || path.join(CDK_DIR, '..', '..', 'bindings-node'));
export const ARM64_ADDON = path.resolve(process.env.THUMBSMITH_ARM64_NODE || path.join(PACKAGE_DIR, 'thumbsmith.linux-arm64-gnu.node'));

// Lambda's Node 22 runtime is Amazon Linux 2023, whose glibc is 2.34: an addon linked against
// newer symbol versions (a build on a newer distribution) would fail to load there.
export const LAMBDA_GLIBC = '2.34';

const ELF_MACHINES = { 0x03: 'x86', 0x28: 'ARM', 0x3e: 'x86-64', 0xb7: 'AArch64', 0xf3: 'RISC-V' };

/** The ELF machine of a file ("AArch64", "x86-64", …), or why it is not an ELF shared object. */
export function elfMachine(file) {
  const header = Buffer.alloc(20);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, header, 0, header.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (header.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${file} is not an ELF file`);
  if (header[5] !== 1) throw new Error(`${file} is not little-endian ELF`);
  const machine = header.readUInt16LE(18);
  return ELF_MACHINES[machine] ?? `machine 0x${machine.toString(16)}`;
}

const versionKey = (v) => v.split('.').map((n) => n.padStart(4, '0')).join('.');

/** The newest GLIBC_x.y symbol version a shared object needs (binutils' readelf reads any ELF machine). */
export function requiredGlibc(file) {
  const versions = execFileSync('readelf', ['--version-info', '--wide', file], { encoding: 'utf8', maxBuffer: 1 << 30 }).match(/GLIBC_[0-9.]+/g) ?? [];
  return versions.map((v) => v.slice('GLIBC_'.length)).sort((a, b) => versionKey(a).localeCompare(versionKey(b))).pop() ?? null;
}

/** The package's own files, as npm would pack them, minus every native addon. */
function packageFiles(pkgDir, manifest) {
  const listed = manifest.files ?? [manifest.main ?? 'index.js'];
  const files = new Set(['package.json']);
  for (const entry of listed) {
    const full = path.join(pkgDir, entry);
    if (!fs.existsSync(full)) continue;
    if (fs.statSync(full).isDirectory()) {
      for (const name of fs.readdirSync(full, { recursive: true })) {
        if (fs.statSync(path.join(full, name)).isFile()) files.add(path.join(entry, name));
      }
    } else files.add(entry);
  }
  return [...files].filter((f) => !f.endsWith('.node') && !f.endsWith('.d.ts') && !f.endsWith('.map'));
}

export function vendor(bundleDir, { pkgDir = PACKAGE_DIR, addon = ARM64_ADDON } = {}) {
  const manifest = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  if (!fs.existsSync(addon)) {
    throw new Error(`no linux-arm64 thumbsmith addon at ${addon}: run \`make -C bindings-node build-linux-arm64\` (or set THUMBSMITH_ARM64_NODE)`);
  }
  const machine = elfMachine(addon);
  if (machine !== 'AArch64') throw new Error(`${addon} is built for ${machine}, not AArch64 (Lambda arm64)`);
  const glibc = requiredGlibc(addon);
  if (glibc && versionKey(glibc) > versionKey(LAMBDA_GLIBC)) {
    throw new Error(`${addon} needs GLIBC_${glibc}; Lambda's Node 22 runtime (Amazon Linux 2023) has ${LAMBDA_GLIBC}`);
  }

  const target = path.join(bundleDir, 'node_modules', manifest.name);
  fs.rmSync(target, { recursive: true, force: true });
  for (const file of packageFiles(pkgDir, manifest)) {
    fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
    fs.copyFileSync(path.join(pkgDir, file), path.join(target, file));
  }
  // Where the napi-rs loader looks first: `<binaryName>.linux-arm64-gnu.node` beside index.js.
  const binaryName = manifest.napi?.binaryName ?? manifest.napi?.name ?? manifest.name;
  const addonName = `${binaryName}.linux-arm64-gnu.node`;
  fs.copyFileSync(addon, path.join(target, addonName));
  return { target, addon: path.join(target, addonName), bytes: fs.statSync(addon).size, glibc };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const bundleDir = process.argv[2];
  if (!bundleDir) {
    console.error('usage: vendor-thumbsmith.mjs <bundle dir>');
    process.exit(2);
  }
  const { addon, bytes, glibc } = vendor(bundleDir);
  console.error(`vendored thumbsmith with ${path.relative(bundleDir, addon)} (AArch64, needs GLIBC ${glibc}, ${(bytes / 1e6).toFixed(1)} MB)`);
}
