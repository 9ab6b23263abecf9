// `init({ wasm })`: the .wasm from the caller (a CDN, a bundler's URL) instead of the package's file.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import init, * as thumbsmith from '../../pkg/index.js';
import { PKG, fixture, sha256 } from '../helpers.mjs';

const file = (build) => path.join(PKG, build, 'thumbsmith_wasm_bg.wasm');
const job = () => sha256(thumbsmith.process(fixture('photo.jpg'), { width: 200, height: 200 }).data);

it('takes a URL, a Response, bytes or a module, per build or for the one chosen', async () => {
  // Something that is not a module proves the option is what gets compiled.
  await assert.rejects(init({ build: 'simd', wasm: Uint8Array.of(0, 97, 115, 109) }), WebAssembly.CompileError);
  await assert.rejects(init({ build: 'simd', wasm: { simd: new Response('nope', { status: 404 }) } }), /HTTP 404/);
  assert.equal(thumbsmith.loaded(), null);

  await init({ build: 'simd', wasm: pathToFileURL(file('simd')) });
  const expected = job();
  const sources = {
    'bytes': readFileSync(file('simd')),
    'a Response': new Response(readFileSync(file('simd')), { headers: { 'content-type': 'application/wasm' } }),
    'a module': new WebAssembly.Module(readFileSync(file('simd'))),
  };
  for (const [what, source] of Object.entries(sources)) {
    await init({ build: 'baseline' }); // another build first, so that the next init loads again
    const loaded = await init({ build: 'simd', wasm: { simd: source } });
    assert.equal(loaded.build, 'simd', what);
    assert.equal(job(), expected, what);
  }
  // A build the object leaves out loads the package's own file.
  const loaded = await init({ build: 'baseline', wasm: { simd: Uint8Array.of(0) } });
  assert.equal(loaded.build, 'baseline');
  assert.equal(job(), expected);
});

it('reads the package file under a Node without process.getBuiltinModule (before 20.16)', async () => {
  const { getBuiltinModule } = process;
  let asked = 0;
  process.getBuiltinModule = undefined;
  try {
    await init({ build: 'baseline' });
    const loaded = await init({ build: 'simd' }); // read through the dynamic import instead
    assert.equal(loaded.build, 'simd');
    assert.equal(job().length, 64);
  } finally {
    process.getBuiltinModule = getBuiltinModule;
  }
  // With it, it is what reads the file.
  process.getBuiltinModule = (name) => (asked++, getBuiltinModule(name));
  try {
    await init({ build: 'baseline' });
    assert.equal(asked, 1);
  } finally {
    process.getBuiltinModule = getBuiltinModule;
  }
});
