// The size budget: each .wasm at most 400 KB gzipped. Counted as zlib's gzip level 9 (what
// `make build` writes to pkg/sizes.json; a few KB more than GNU `gzip -9`) against 400 KiB
// (409,600 bytes): the stricter reading (400,000) was outgrown by the interleaved JPEG scan that
// every decoder reads (bindings-wasm/README.md says by how much).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { PKG } from '../helpers.mjs';

const BUDGET = 400 * 1024;

for (const build of ['simd', 'baseline']) {
  it(`the ${build} build is within ${BUDGET} bytes gzipped`, () => {
    const wasm = readFileSync(path.join(PKG, build, 'thumbsmith_wasm_bg.wasm'));
    const gzipped = zlib.gzipSync(wasm, { level: 9 }).length;
    assert.ok(gzipped <= BUDGET, `${build}: ${gzipped} bytes gzipped, over the ${BUDGET} budget`);
  });
}
