// Runs the installed `thumbsmith-wasm` npm package (both .wasm builds) under Node on the shared
// parity cases and the avatar job.
//
//   node parity-wasm.mjs FIXTURES AVATAR_PHOTO
//
// Run from a scratch project by test-dist.sh: `thumbsmith-wasm` resolves to what npm installed
// from the tarball. The browser package has no WebP encoder (left out for size), so a WebP case
// must be refused with the core's ERR_ENCODE_FAILED, and it has no TIFF or JPEG XL decoder (issue
// 29 wants them as separately loaded modules), so those inputs must be refused with
// ERR_UNSUPPORTED_FORMAT; every other case gives the recorded bytes.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// Resolved from the working directory (the scratch project), not from this file's folder.
const entry = createRequire(path.join(process.cwd(), 'index.js')).resolve('thumbsmith-wasm');
const thumbsmith = await import(pathToFileURL(entry).href);
const init = thumbsmith.default;

const camelKeys = (value) =>
  Array.isArray(value)
    ? value.map(camelKeys)
    : value === null || typeof value !== 'object'
      ? value
      : Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase()), camelKeys(v)]));

const [fixtures, photo] = process.argv.slice(2);
const cases = JSON.parse(readFileSync(path.join(fixtures, 'parity.json'), 'utf8'));
let passed = 0;
let failed = 0;
const count = (ok, line) => {
  ok ? passed++ : failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${line}`);
};
for (const build of ['simd', 'baseline']) {
  await init({ build });
  for (const c of cases) {
    const input = readFileSync(path.join(fixtures, c.input));
    if (['tiff', 'jxl'].includes(c.expected.source_format)) {
      let code = 'none';
      try {
        thumbsmith.process(input, camelKeys(c.options));
      } catch (error) {
        code = error.code;
      }
      count(code === 'ERR_UNSUPPORTED_FORMAT', `${build} ${c.name}: not decoded here (${code})`);
      continue;
    }
    if (c.expected.format === 'webp') {
      let code = 'none';
      try {
        thumbsmith.process(input, camelKeys(c.options));
      } catch (error) {
        code = error.code;
      }
      count(code === 'ERR_ENCODE_FAILED', `${build} ${c.name}: no WebP encoder (${code})`);
      continue;
    }
    const { data } = thumbsmith.process(input, camelKeys(c.options));
    count(createHash('sha256').update(data).digest('hex') === c.expected.sha256, `${build} ${c.name} (${data.length} bytes)`);
  }
  const started = performance.now();
  const avatar = thumbsmith.process(readFileSync(photo), { width: 512, height: 512 });
  const ms = (performance.now() - started).toFixed(0);
  count(avatar.width === 512 && avatar.height === 512, `${build} avatar job: ${avatar.width}x${avatar.height}, ${avatar.data.length} bytes, ${ms} ms`);
}
console.log(entry);
console.log(`thumbsmith-wasm: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
