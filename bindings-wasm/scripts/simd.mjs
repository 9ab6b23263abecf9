// Wasm SIMD in the two builds: keeping it out of the baseline build, and checking it is out.
//
// fast_image_resize compiles its simd128 kernels into every wasm32 build (`#[target_feature(enable
// = "simd128")]` under `cfg(target_arch = "wasm32")`, and `has_simd128()` is `true`: it cannot
// detect SIMD at run time). LLVM then gives every function of the module the union of the
// features its functions use, so even memcpy and the JPEG decoder come out with v128 stores, and
// an engine without Wasm SIMD refuses the whole module. Stripping instructions afterwards cannot
// fix that; not compiling the kernels can. For the baseline build only, a copy of
// fast_image_resize whose wasm32 cfgs also require `target_feature = "simd128"` (what the crate
// would need upstream) replaces it through a cargo path override — the lockfile is untouched and
// nothing is vendored. The built module is then checked: no SIMD instruction, and valid with the
// SIMD proposal disabled.
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import binaryen from 'binaryen';

const WASM32 = 'target_arch = "wasm32"';
const WASM32_SIMD = 'all(target_arch = "wasm32", target_feature = "simd128")';

/** Where cargo keeps the source of the workspace's crate `name` (downloading it if needed). */
export function crateSource(workspace, name) {
  const metadata = JSON.parse(
    execFileSync('cargo', ['metadata', '--format-version', '1', '--filter-platform', 'wasm32-unknown-unknown'], {
      cwd: workspace,
      maxBuffer: 256 << 20,
      encoding: 'utf8',
    }),
  );
  const pkg = metadata.packages.find((p) => p.name === name);
  if (!pkg) throw new Error(`${name} is not in the workspace any more: drop its override`);
  return path.dirname(pkg.manifest_path);
}

/**
 * Copies the crate at `source` to `into`, unless the copy there (its `.source` stamp) already is
 * of it: an override's edits are then made again on the same text and cargo sees no change.
 */
export async function copyCrate(source, into) {
  const stamp = path.join(into, '.source');
  const previous = await readFile(stamp, 'utf8').catch(() => '');
  if (previous !== source) {
    await rm(into, { recursive: true, force: true });
    await mkdir(into, { recursive: true });
    await cp(source, into, { recursive: true });
    await writeFile(stamp, source);
  }
}

async function* rustFiles(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* rustFiles(full);
    else if (entry.name.endsWith('.rs')) yield full;
  }
}

/**
 * Writes the gated copy of fast_image_resize to `into` and a cargo config file overriding the
 * crate with it; returns that file's path. Files are rewritten only when their text changes, so
 * cargo does not rebuild what has not changed.
 */
export async function gatedFastImageResize(workspace, into) {
  const source = crateSource(workspace, 'fast_image_resize');
  await copyCrate(source, into);
  let gated = 0;
  for await (const file of rustFiles(path.join(into, 'src'))) {
    const text = await readFile(file, 'utf8');
    const next = text.replaceAll(WASM32_SIMD, WASM32).replaceAll(WASM32, WASM32_SIMD);
    if (next !== text) await writeFile(file, next);
    gated += next.split(WASM32_SIMD).length - 1;
  }
  if (gated === 0) throw new Error(`no wasm32 cfg found in ${source}: has fast_image_resize changed?`);
  const config = path.join(into, '..', 'baseline-override.toml');
  // `paths` entries are relative to the directory above the one holding the config file.
  await writeFile(config, `paths = [${JSON.stringify(path.resolve(into))}]\n`);
  return config;
}

// An instruction of the SIMD proposal in binaryen's text: `(v128.load …`, `(i32x4.add …`.
const SIMD_TEXT = /\((?:v128|[if](?:8x16|16x8|32x4|64x2))\./;
const NO_SIMD = binaryen.Features.All & ~binaryen.Features.SIMD128 & ~binaryen.Features.RelaxedSIMD;

/** How many functions of the module use SIMD (in their signature, locals or instructions). */
export function simdFunctionCount(bytes) {
  const module = binaryen.readBinary(bytes);
  try {
    let count = 0;
    for (let i = 0; i < module.getNumFunctions(); i++) {
      const info = binaryen.getFunctionInfo(module.getFunctionByIndex(i));
      if (!info.body) continue; // an import
      const types = [...binaryen.expandType(info.params), ...binaryen.expandType(info.results), ...info.vars];
      if (types.includes(binaryen.v128) || SIMD_TEXT.test(binaryen.emitText(info.body))) count++;
    }
    return count;
  } finally {
    module.dispose();
  }
}

/** Whether the module validates with the SIMD proposal disabled (what a pre-SIMD engine checks). */
export function validatesWithoutSimd(bytes) {
  const module = binaryen.readBinary(bytes);
  try {
    module.setFeatures(NO_SIMD);
    return Boolean(module.validate());
  } finally {
    module.dispose();
  }
}
