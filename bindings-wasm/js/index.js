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
// Safari 16.4, Node 16.4) and `baseline/` (no SIMD instruction at all). They give the same bytes.
//
// A WebAssembly trap (a panic, or memory running out: wasm32 cannot unwind) never reaches the
// caller as a bare `RuntimeError: unreachable`: it is thrown as the core's `ERR_INTERNAL` error,
// and the broken instance is replaced by a fresh one of the same compiled module.

// The smallest module using a SIMD instruction (i8x16.popcnt), as wasm-feature-detect's `simd()`.
const SIMD_PROBE = Uint8Array.of(
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
);

/** Whether this engine runs Wasm SIMD (and so the `simd` build). */
export function simdSupported() {
  return WebAssembly.validate(SIMD_PROBE);
}

let loading = null; // the promise init() returns
let current = null; // { glue, build, module, instance }
let spare = null; // a glue module record imported ahead, for replacing a trapped instance
let instances = 0;

const glueUrl = (build, instance) =>
  // A query string makes a new module record: wasm-bindgen's glue holds one instance per record.
  new URL(`./${build}/thumbsmith_wasm.js?instance=${instance}`, import.meta.url).href;

async function importGlue(build) {
  const instance = ++instances;
  return { glue: await import(glueUrl(build, instance)), instance };
}

async function compile(url) {
  if (url.protocol === 'file:') {
    // Node: no fetch for file URLs.
    const { readFile } = await import('node:fs/promises');
    return WebAssembly.compile(await readFile(url));
  }
  try {
    return await WebAssembly.compileStreaming(fetch(url));
  } catch (error) {
    // A server that does not say `application/wasm`: compile from the bytes instead.
    if (!(error instanceof TypeError)) throw error;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`cannot load ${url}: HTTP ${response.status}`);
    return WebAssembly.compile(await response.arrayBuffer());
  }
}

/** Instantiates `module` with an imported glue record, and imports the next spare record. */
function instantiate(imported, build, module, nextSpare = importGlue(build)) {
  imported.glue.initSync({ module });
  current = { glue: imported.glue, build, module, instance: imported.instance };
  spare = null;
  return nextSpare.then(
    (next) => {
      if (current?.build === build) spare = next;
    },
    () => {}, // without a spare, a trap makes the next init() import a fresh record
  );
}

/**
 * Loads and instantiates the build this engine supports (or the one asked for). Resolves to
 * what was loaded and how long it took. Safe to call again: it resolves at once when ready.
 * @param {{build?: 'simd' | 'baseline'}} [options]
 */
export default function init({ build } = {}) {
  if (current && (!build || build === current.build)) return loading;
  if (loading && !current) return loading;
  loading = (async () => {
    const chosen = build ?? (simdSupported() ? 'simd' : 'baseline');
    const started = performance.now();
    const module = await compile(new URL(`./${chosen}/thumbsmith_wasm_bg.wasm`, import.meta.url));
    const compiled = performance.now();
    const [first, second] = [importGlue(chosen), importGlue(chosen)];
    // The spare is ready before init resolves, so a trap is recovered from synchronously.
    await instantiate(await first, chosen, module, second);
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

/** Which build is loaded, and the module record of its live instance (for tests). */
export function loaded() {
  return current && { build: current.build, glueUrl: glueUrl(current.build, current.instance) };
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
  if (spare) {
    instantiate(spare, build, module);
  } else {
    loading = importGlue(build).then((next) => {
      instantiate(next, build, module);
      return { build, simd: build === 'simd', compileMs: 0, instantiateMs: 0 };
    });
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
