// The main-thread side of thumbsmith-wasm: the same calls as ./index.js, run in a module Web
// Worker and answered with promises. Needs no SharedArrayBuffer, so no COOP/COEP headers.
//
//   import { ThumbsmithWorker } from 'thumbsmith-wasm/worker-client';
//   const thumbsmith = new ThumbsmithWorker();
//   await thumbsmith.ready;                                   // {build, simd, compileMs, instantiateMs}
//   const header = await thumbsmith.metadata(bytes);          // orientedWidth, orientation, hasGps…
//   const preview = await thumbsmith.render(bytes, { width: 480, fit: 'inside' });
//   canvas.getContext('2d').putImageData(new ImageData(preview.data, preview.width, preview.height), 0, 0);
//   const avatar = await thumbsmith.process(bytes, { width: 512, height: 512, crop });
//
// Calls are answered in order, one at a time. `bytes` are copied to the worker (the caller keeps
// them); result pixels and encoded bytes come back by transfer, without a copy. A failed call
// rejects with an Error carrying the core's `code` (and `format`, `option`… as the Node binding).

const ERROR_TYPES = { TypeError, RangeError };

/**
 * `wasm` as the worker's `init` reads it: URLs as absolute strings (a URL object cannot be
 * posted, and the worker would resolve a relative string against its own script, not the page).
 */
function postable(wasm) {
  if (wasm == null || wasm instanceof ArrayBuffer || ArrayBuffer.isView(wasm) || wasm instanceof WebAssembly.Module) {
    return wasm;
  }
  if (Object.getPrototypeOf(wasm) === Object.prototype) {
    return Object.fromEntries(Object.entries(wasm).map(([build, source]) => [build, postable(source)]));
  }
  return wasm instanceof URL || typeof wasm === 'string' ? new URL(wasm, document.baseURI).href : wasm;
}

export class ThumbsmithWorker {
  #worker;
  #pending = new Map();
  #nextId = 1;

  /**
   * @param {{build?: 'simd' | 'baseline', wasm?: object, workerUrl?: string | URL}} [options]
   *   `build` forces one of the two builds (default: the one this engine supports); `wasm` is
   *   index.js's `init` option, less what cannot be posted to a worker (a Response).
   */
  constructor({ build, wasm, workerUrl } = {}) {
    // The literal `new Worker(new URL('./worker.js', import.meta.url), {type: 'module'})` is the
    // form Vite and webpack 5 bundle as a worker of its own; keep it whole.
    this.#worker = workerUrl
      ? new Worker(workerUrl, { type: 'module', name: 'thumbsmith' })
      : new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'thumbsmith' });
    this.#worker.addEventListener('message', ({ data: { id, result, error } }) => {
      const pending = this.#pending.get(id);
      if (!pending) return;
      this.#pending.delete(id);
      if (error) {
        const { name, message, ...facts } = error;
        pending.reject(Object.assign(new (ERROR_TYPES[name] ?? Error)(message), facts));
      } else {
        pending.resolve(result);
      }
    });
    // The worker script itself failed (not found, syntax error): fail every call.
    this.#worker.addEventListener('error', (event) => {
      const failure = new Error(`thumbsmith worker failed: ${event.message ?? 'could not load'}`);
      for (const { reject } of this.#pending.values()) reject(failure);
      this.#pending.clear();
    });
    /** Resolves once the .wasm is compiled and instantiated in the worker. */
    this.ready = this.#call('init', [{ build, wasm: postable(wasm) }]);
  }

  #call(method, args) {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, method, args });
    });
  }

  /** `process(bytes, options?)` → `{data: Uint8Array, format, width, height, crop, …}`. */
  process(bytes, options) {
    return this.#call('process', [bytes, options]);
  }

  /** `render(bytes, options?)` → `{data: Uint8ClampedArray (RGBA), width, height, crop, …}`. */
  render(bytes, options) {
    return this.#call('render', [bytes, options]);
  }

  /** `metadata(bytes)` → the header facts, no pixels decoded. */
  metadata(bytes) {
    return this.#call('metadata', [bytes]);
  }

  /** The core's defaults, camelCase. */
  defaults() {
    return this.#call('defaults', []);
  }

  /** Every error `code` the core can produce. */
  errorCodes() {
    return this.#call('errorCodes', []);
  }

  /** Stops the worker; calls still pending reject. */
  terminate() {
    this.#worker.terminate();
    for (const { reject } of this.#pending.values()) reject(new Error('thumbsmith worker terminated'));
    this.#pending.clear();
  }
}
