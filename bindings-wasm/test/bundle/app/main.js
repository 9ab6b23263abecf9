// A user's app: imports the installed `thumbsmith-wasm` by name, as an app does, and is bundled
// by esbuild and by Vite (../bundle.test.mjs). The functions on `window` are for the test to call.
import init, * as thumbsmith from 'thumbsmith-wasm';
import { ThumbsmithWorker } from 'thumbsmith-wasm/worker-client';

const hex = async (bytes) =>
  Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');

/** The job on this thread, with the build asked for (or the one the engine supports). */
window.avatar = async (input, options, build) => {
  const loaded = await init({ build });
  const { data } = thumbsmith.process(Uint8Array.from(input), options);
  return { build: loaded.build, sha256: await hex(data) };
};

/** The job in the package's worker (`wasm`: init's option, relative to the page). */
window.avatarInWorker = async (input, options, build, wasm) => {
  const worker = new ThumbsmithWorker({ build, wasm });
  try {
    const ready = await worker.ready;
    const { data } = await worker.process(Uint8Array.from(input), options);
    return { build: ready.build, sha256: await hex(data) };
  } finally {
    worker.terminate();
  }
};

/** A job that runs out of memory (a trap), then the same job as `avatar` on the fresh instance. */
window.trapThenAvatar = async (input, options) => {
  await init();
  const { instance, memory } = thumbsmith.loaded();
  // Leave the live instance almost no room to grow (address space only, as the Node test does).
  memory.grow(65536 - memory.buffer.byteLength / 65536 - 8);
  let error;
  try {
    thumbsmith.process(Uint8Array.from(input), { width: 4800, height: 3200 });
  } catch (e) {
    error = e;
  }
  const { data } = thumbsmith.process(Uint8Array.from(input), options);
  return {
    error: error && { code: error.code, message: error.message, trap: error.cause instanceof WebAssembly.RuntimeError },
    replaced: thumbsmith.loaded().instance !== instance,
    sha256: await hex(data),
  };
};

document.body.dataset.ready = 'true';
