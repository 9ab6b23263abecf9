// Builds the browser package into pkg/: the simd128 and the baseline .wasm, each through cargo →
// wasm-bindgen → wasm-opt, checked for SIMD, plus the loader, worker and types from js/ and the
// glue both builds share (glue.js, made from wasm-bindgen's by glue.mjs).
//
//   node scripts/build.mjs            both builds
//   node scripts/build.mjs simd       one of them
//   node scripts/build.mjs --stage-marks
//                                     the bench package build/pkg-marks/ (loader + simd build with a
//                                     `performance.measure` per core stage), not the package
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import zlib from 'node:zlib';
import { computedTableCrc32fast } from './crc32.mjs';
import { glueFactory } from './glue.mjs';
import { gatedFastImageResize, simdFunctionCount, validatesWithoutSimd } from './simd.mjs';

const here = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const workspace = path.dirname(here);
const build = path.join(here, 'build');
const pkg = path.join(here, 'pkg');
const wasmBindgen = path.join(build, 'tools', 'bin', 'wasm-bindgen');
const wasmOpt = path.join(here, 'node_modules', '.bin', 'wasm-opt');

function run(command, args, env) {
  console.log(`$ ${path.relative(here, command) || command} ${args.join(' ')}`);
  execFileSync(command, args, { cwd: here, stdio: 'inherit', env: env ?? process.env });
}

/** The environment without a caller's compiler flags (they would apply to both builds). */
function withoutRustflags() {
  const { RUSTFLAGS, CARGO_ENCODED_RUSTFLAGS, ...env } = process.env;
  void RUSTFLAGS, CARGO_ENCODED_RUSTFLAGS;
  return env;
}

/**
 * Source paths shortened in panic locations (which stay in the .wasm): smaller, and the same on
 * every machine.
 */
function remapPaths() {
  const cargoHome = process.env.CARGO_HOME ?? path.join(process.env.HOME ?? '', '.cargo');
  return [
    `--remap-path-prefix=${path.join(cargoHome, 'registry', 'src')}=crates`,
    `--remap-path-prefix=${build}=build`,
    `--remap-path-prefix=${workspace}=thumbsmith`,
  ].join(' ');
}

/**
 * Compiler flags of both builds, for size. sha2's compact SHA-256 rounds (a loop instead of 64
 * unrolled rounds; same digests): −1.6 KB gzipped, and it only hashes the encoded output
 * (`contentHash`), a few hundred KB at most.
 */
const SIZE_RUSTFLAGS = '--cfg sha2_backend_soft="compact"';

const FLAVOURS = {
  // Every function may use Wasm SIMD: fast_image_resize's kernels, and LLVM's autovectorizer.
  simd: { rustflags: '', overrides: async () => [] },
  // No SIMD instruction at all, for engines without Wasm SIMD (Safari before 16.4…).
  baseline: {
    rustflags: '',
    overrides: async () => [await gatedFastImageResize(workspace, path.join(build, 'fast_image_resize-baseline'))],
  },
};

async function buildFlavour(name, { marks = false } = {}) {
  const flavour = FLAVOURS[name];
  const configs = [
    path.join(here, 'cargo-wasm.toml'),
    await computedTableCrc32fast(workspace, path.join(build, 'crc32fast-computed-table')),
    ...(await flavour.overrides()),
  ];
  const targetDir = path.join(build, `cargo-${name}`);
  run(
    'cargo',
    ['build', '-p', 'thumbsmith-wasm', '--lib', '--target', 'wasm32-unknown-unknown', '--profile', 'wasm',
      '--target-dir', targetDir, ...configs.flatMap((c) => ['--config', c]),
      ...(marks ? ['--features', 'stage-marks'] : [])],
    { ...withoutRustflags(), RUSTFLAGS: `${flavour.rustflags} ${SIZE_RUSTFLAGS} ${remapPaths()}` },
  );
  // The marks build shares the target dir (the same dependency builds); cargo links either
  // build's file to the same path, so the marks build is always redone from it.
  const out = path.join(marks ? marksPkg : pkg, name);
  const linked = path.join(targetDir, 'wasm32-unknown-unknown', 'wasm', 'thumbsmith_wasm.wasm');
  const wasm = path.join(out, 'thumbsmith_wasm_bg.wasm');
  // wasm-bindgen's output stays out of the package: its glue becomes pkg/glue.js (writeGlue).
  const bindgen = path.join(build, `bindgen-${name}${marks ? '-marks' : ''}`);
  const built = await stat(wasm).catch(() => null);
  const glued = await stat(path.join(bindgen, 'thumbsmith_wasm.js')).catch(() => null);
  if (!marks && built && glued && built.mtimeMs > (await stat(linked)).mtimeMs) {
    console.log(`${name}: up to date`);
    return sizeOf(name, await readFile(wasm));
  }
  await rm(out, { recursive: true, force: true });
  await rm(bindgen, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  run(wasmBindgen, ['--target', 'web', '--no-typescript', '--out-dir', bindgen, linked]);
  // -Oz for size; the names, producers and target-features sections are not needed at run time.
  run(wasmOpt, [path.join(bindgen, 'thumbsmith_wasm_bg.wasm'), '-Oz', '--converge', '--low-memory-unused',
    '--strip-debug', '--strip-producers', '--strip-target-features', '-o', wasm,
    ...(name === 'simd' ? ['--enable-simd'] : [])]);

  const bytes = await readFile(wasm);
  const size = sizeOf(name, bytes);
  if (name === 'baseline' && (size.simdFunctions > 0 || !validatesWithoutSimd(bytes))) {
    await rm(out, { recursive: true, force: true });
    throw new Error(`the baseline build uses SIMD (${size.simdFunctions} functions)`);
  }
  if (name === 'simd' && size.simdFunctions === 0) throw new Error('the simd build has no SIMD instruction');
  return size;
}

function sizeOf(name, bytes) {
  return {
    build: name,
    bytes: bytes.length,
    gzipped: zlib.gzipSync(bytes, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    simdFunctions: simdFunctionCount(bytes),
  };
}

/**
 * pkg/glue.js, the factory both builds share (scripts/glue.mjs), from the wasm-bindgen glue of
 * each build made so far: they must be the same file, or one glue would not fit both modules.
 */
async function writeGlue(dir, suffix = '') {
  const sources = [];
  for (const name of Object.keys(FLAVOURS)) {
    const source = await readFile(path.join(build, `bindgen-${name}${suffix}`, 'thumbsmith_wasm.js'), 'utf8').catch(() => null);
    if (source !== null) sources.push({ name, source });
  }
  if (!sources.length) throw new Error('no wasm-bindgen glue: build a flavour first');
  const differing = sources.find(({ source }) => source !== sources[0].source);
  if (differing) throw new Error(`the ${differing.name} and ${sources[0].name} builds need different glue`);
  await writeFile(path.join(dir, 'glue.js'), glueFactory(sources[0].source));
}

const marksPkg = path.join(build, 'pkg-marks');
if (process.argv[2] === '--stage-marks') {
  const size = await buildFlavour('simd', { marks: true });
  await cp(path.join(here, 'js'), marksPkg, { recursive: true });
  await writeGlue(marksPkg, '-marks');
  console.log(`stage-marks simd build: ${size.bytes} B in ${path.relative(here, marksPkg)}`);
  process.exit(0);
}
const names = process.argv.slice(2);
const sizes = [];
for (const name of names.length ? names : Object.keys(FLAVOURS)) {
  if (!FLAVOURS[name]) throw new Error(`unknown build ${name}: simd or baseline`);
  sizes.push(await buildFlavour(name));
}
// The package itself: loader, worker, types, package.json (sources in js/).
await mkdir(pkg, { recursive: true });
await cp(path.join(here, 'js'), pkg, { recursive: true });
await writeGlue(pkg);
for (const size of sizes) {
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`${size.build}: ${kib(size.bytes)}, gzip -9 ${kib(size.gzipped)} (${size.gzipped} B), brotli ${kib(size.brotli)}, ${size.simdFunctions} functions with SIMD`);
}
const sizesFile = path.join(pkg, 'sizes.json');
const known = await readFile(sizesFile, 'utf8').then(JSON.parse).catch(() => ({}));
for (const size of sizes) known[size.build] = size;
await writeFile(sizesFile, JSON.stringify(known, null, 2) + '\n');
