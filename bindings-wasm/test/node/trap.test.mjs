// wasm32 cannot unwind: a panic or a failed allocation aborts with an `unreachable` trap. The
// loader must turn that into the core's ERR_INTERNAL error and carry on with a fresh instance.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import init, * as thumbsmith from '../../pkg/index.js';
import { fixture, sha256 } from '../helpers.mjs';

it('running out of memory is thrown as ERR_INTERNAL, never a bare trap, and the next call works', async () => {
  await init({ build: 'simd' });
  const job = () => thumbsmith.process(fixture('scene.png'), { width: 300, height: 200 });
  const expected = sha256(job().data);
  // Tens of MB of pixels: more than the heap has free from earlier calls.
  const bigJob = () => thumbsmith.process(fixture('scene.png'), { width: 4800, height: 3200 });

  // Leave the live instance almost no room to grow: its wasm memory at 4 GiB less 512 KiB
  // (address space only; nothing is committed until touched).
  const { instance, memory } = thumbsmith.loaded();
  memory.grow(65536 - memory.buffer.byteLength / 65536 - 8);

  let error;
  try {
    bigJob();
  } catch (e) {
    error = e;
  }
  assert.ok(error, 'the job cannot fit, so it must fail');
  assert.ok(!(error instanceof WebAssembly.RuntimeError), `a bare trap escaped: ${error}`);
  assert.equal(error.code, 'ERR_INTERNAL');
  assert.match(error.message, /^internal error \(please report it with the input file\): out of memory: allocating \d+ bytes failed$/);
  assert.ok(error.cause instanceof WebAssembly.RuntimeError);

  // A fresh instance of the same compiled module took over.
  assert.notEqual(thumbsmith.loaded().instance, instance);
  assert.equal(sha256(job().data), expected);
});
