// thumbsmith-wasm: the loader and the API.
//
//   import init, { process, render, metadata } from 'thumbsmith-wasm';
//   await init();                        // picks the simd128 or the baseline build
//   const avatar = process(bytes, { width: 512, height: 512 });   // {data, width, height, crop…}
//   const preview = render(bytes, { width: 480, fit: 'inside' }); // RGBA for an ImageData
//
// The calls are synchronous and run the whole pipeline on the calling thread: on a page, call
// them from a Worker (./worker-client.js does that for you), never from the main thread.
//
// Two builds ship side by side: `simd/` (Wasm SIMD: every engine since Chrome 91, Firefox 89,
// Safari 16.4, Node 16.4) and `baseline/` (no SIMD instruction at all). They give the same bytes
// and share one glue, ./glue.js (made from wasm-bindgen's by scripts/glue.mjs).
//
// A WebAssembly trap (a panic, or memory running out: wasm32 cannot unwind) never reaches the
// caller as a bare `RuntimeError: unreachable`: it is thrown as the core's `ERR_INTERNAL` error,
// and the broken instance is replaced by a fresh one of the same compiled module.

import { createGlue } from './glue.js';

// The smallest module using a SIMD instruction (i8x16.popcnt), as wasm-feature-detect's `simd()`.
const SIMD_PROBE = Uint8Array.of(
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
);

/** Whether this engine runs Wasm SIMD (and so the `simd` build). */
export function simdSupported() {
  return WebAssembly.validate(SIMD_PROBE);
}

// The package's own .wasm files, each named by a literal `new URL('./…', import.meta.url)`: the
// form Vite, webpack 5 and Parcel find, copy into their output and rewrite (README, Bundlers).
const PACKAGED = {
  simd: () => new URL('./simd/thumbsmith_wasm_bg.wasm', import.meta.url),
  baseline: () => new URL('./baseline/thumbsmith_wasm_bg.wasm', import.meta.url),
};
// Held in a variable so that bundlers leave this import alone (a browser bundle cannot resolve
// it, and only Node without `process.getBuiltinModule` gets there).
const NODE_FS = 'node:fs/promises';

let loading = null; // the promise init() returns
let current = null; // { glue, build, module, instance }
let instances = 0;

/** A file: URL's bytes, under Node (its fetch does not read files). */
async function readFile(url) {
  const fs =
    globalThis.process?.getBuiltinModule?.(NODE_FS) ?? (await import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_FS));
  return fs.readFile(url);
}

async function compileResponse(response) {
  if (!response.ok) throw new Error(`cannot load ${response.url}: HTTP ${response.status}`);
  const copy = response.clone();
  try {
    return await WebAssembly.compileStreaming(response);
  } catch (error) {
    // A server that does not say `application/wasm`: compile from the bytes instead.
    if (!(error instanceof TypeError)) throw error;
    return WebAssembly.compile(await copy.arrayBuffer());
  }
}

/** A WebAssembly.Module from what `init({wasm})` accepts: a URL, a Response, bytes or a module. */
async function compile(source) {
  source = await source;
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source);
  if (typeof Response === 'function' && source instanceof Response) return compileResponse(source);
  const url = source instanceof URL ? source : new URL(String(source), globalThis.location?.href);
  if (url.protocol === 'file:') return WebAssembly.compile(await readFile(url));
  return compileResponse(await fetch(url));
}

/** Where the `build` .wasm comes from: the caller's `wasm` option, else the package's file. */
function sourceOf(wasm, build) {
  if (wasm == null) return PACKAGED[build]();
  if (Object.getPrototypeOf(wasm) === Object.prototype) return wasm[build] ?? PACKAGED[build]();
  return wasm;
}

/**
 * A fresh instance of `module` with glue of its own. Synchronous (the factory is imported once),
 * so a trapped instance is replaced before the failed call returns.
 */
function instantiate(build, module) {
  const glue = createGlue();
  glue.initSync({ module });
  current = { glue, build, module, instance: ++instances };
}

/**
 * Loads and instantiates the build this engine supports (or the one asked for). Resolves to
 * what was loaded and how long it took. Safe to call again: it resolves at once when ready.
 * `wasm` replaces the package's .wasm file (a CDN, or a bundler's own URL for it): a URL or
 * string, a Response (or its promise), the bytes, or a compiled WebAssembly.Module; or an
 * object with one of those per build (`{simd, baseline}`), the package's file for a build left out.
 * @param {{build?: 'simd' | 'baseline', wasm?: object}} [options]
 */
export default function init({ build, wasm } = {}) {
  if (current && (!build || build === current.build)) return loading;
  if (loading && !current) return loading;
  loading = (async () => {
    const chosen = build ?? (simdSupported() ? 'simd' : 'baseline');
    const started = performance.now();
    const module = await compile(sourceOf(wasm, chosen));
    const compiled = performance.now();
    instantiate(chosen, module);
    return {
      build: chosen,
      simd: chosen === 'simd',
      compileMs: compiled - started,
      instantiateMs: performance.now() - compiled,
    };
  })();
  loading.catch(() => (loading = null));
  return loading;
}

/**
 * Which build is loaded, a count that changes when a trapped instance is replaced, and the live
 * instance's memory (for tests).
 */
export function loaded() {
  return current && { build: current.build, instance: current.instance, memory: current.glue.initSync().memory };
}

function notReady() {
  return Object.assign(new Error('thumbsmith-wasm is not initialised: await init() first'), {
    code: 'ERR_NOT_INITIALIZED',
  });
}

/** The error a trapped call throws, after the instance is replaced. */
function recover(trap) {
  const { glue, build, module } = current;
  current = null;
  let error = null;
  try {
    // The panic message or the failed allocation, recorded by the Rust side before the trap.
    error = glue.takeFatalError();
  } catch {
    // The trapped instance cannot even say why; the fresh one formats the error below.
  }
  try {
    instantiate(build, module);
  } catch {
    loading = null; // no instance: the next init() starts over
  }
  if (!error && current) error = current.glue.internalError(String(trap.message));
  if (!error) error = Object.assign(new Error(String(trap.message)), { code: 'ERR_INTERNAL' });
  error.cause = trap;
  return error;
}

function call(name, args) {
  if (!current) throw notReady();
  try {
    return current.glue[name](...args);
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) throw recover(error);
    throw error;
  }
}

/**
 * The whole pipeline: decode, orient, colour, crop, resize, encode.
 * @returns {{data: Uint8Array, format: string, width: number, height: number, crop: object, …}}
 */
export function process(bytes, options) {
  return call('process', [bytes, options]);
}

/**
 * The pixels `process` would encode, as straight-alpha RGBA, without the encode step:
 * `new ImageData(result.data, result.width, result.height)`.
 */
export function render(bytes, options) {
  return call('render', [bytes, options]);
}

/** The header facts (format, size, orientation, GPS…), no pixels decoded. */
export function metadata(bytes) {
  return call('metadata', [bytes]);
}

/**
 * One job on a picture the core makes itself (a 512×512 JPEG and PNG), nothing returned. The
 * engine first runs the module on a baseline tier and optimises the functions that turn out
 * hot, so the first real job is several times slower than the next; after this call it is not.
 * The worker (./worker.js) runs it once when it starts.
 */
export function warmUp() {
  return call('warmUp', []);
}

/** The core's defaults, camelCase: the only defaults there are. */
export function defaults() {
  return call('defaults', []);
}

/** Every error `code` the core can produce. */
export function errorCodes() {
  return call('errorCodes', []);
}
