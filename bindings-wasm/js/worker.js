// thumbsmith-wasm in a module Web Worker, so a page's main thread never runs the pipeline.
// Spawned and spoken to by ./worker-client.js; the protocol is private to the two files:
//   → {id, method: 'init' | 'process' | 'render' | 'metadata' | 'defaults' | 'errorCodes', args}
//   ← {id, result} (result.data's buffer is transferred, not copied) or {id, error: {…}}
import init, * as thumbsmith from './index.js';

const METHODS = new Set(['process', 'render', 'metadata', 'defaults', 'errorCodes']);
let warmed = false;

/** An Error as plain data: message, name, and its own properties (code, format, option…). */
function errorData(error) {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const data = { name: error.name, message: error.message };
  for (const [key, value] of Object.entries(error)) {
    if (key !== 'cause' && (value === null || typeof value !== 'object')) data[key] = value;
  }
  return data;
}

self.addEventListener('message', async ({ data: { id, method, args = [] } }) => {
  try {
    let result;
    if (method === 'init') {
      result = await init(...args);
      if (!warmed) {
        // The first job would run on the engine's baseline tier (index.js, warmUp); this one
        // does instead, before `ready` resolves. The optimised code outlives trapped instances.
        const started = performance.now();
        thumbsmith.warmUp();
        warmed = true;
        result = { ...result, warmUpMs: performance.now() - started };
      }
    } else if (METHODS.has(method)) {
      await init(); // at once when loaded; after a trap, waits for the replacement instance
      result = thumbsmith[method](...args);
    } else {
      throw new Error(`thumbsmith worker: unknown method ${method}`);
    }
    const transfer = ArrayBuffer.isView(result?.data) ? [result.data.buffer] : [];
    self.postMessage({ id, result }, transfer);
  } catch (error) {
    self.postMessage({ id, error: errorData(error) });
  }
});
