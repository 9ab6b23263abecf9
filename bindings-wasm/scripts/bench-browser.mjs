// `make bench-browser`: the avatar job (decode, EXIF orientation, 512×512 cover, JPEG q80) in
// headless Chromium, thumbsmith-wasm's simd build against what a page has without it — canvas
// (createImageBitmap resize + convertToBlob; drawImage with smoothing 'high'), pica and jSquash
// (npm devDependencies) — each in a module Worker (bench/contender.js), interleaved, the median
// of the warm runs; the first job of a fresh worker (cold); per-stage times from the stage-marks
// build (build/pkg-marks) beside the same stages natively (core/examples/stage_times.rs). Writes
// the tables into README.md between the bench-browser markers. A measurement, not a test: run
// pinned, on a quiet machine (the Makefile pins it to one core).
//
//   taskset -c 1 node scripts/bench-browser.mjs [--runs 5] [--no-readme] [photo…]
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import handler from 'serve-handler';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';
import { HERE, ROOT } from '../test/helpers.mjs';

const args = process.argv.slice(2);
const flag = (name) => (args.includes(name) ? (args.splice(args.indexOf(name), 1), true) : false);
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 5;
const WRITE_README = !flag('--no-readme');
const CORPUS = process.env.THUMBSMITH_CORPUS ?? path.join(os.homedir(), '.cache', 'thumbsmith-corpus');
const photos = args.length
  ? args.map((p) => path.resolve(p))
  : ['jpeg', 'png'].flatMap((dir) => readdirSync(path.join(CORPUS, dir)).sort().map((n) => path.join(CORPUS, dir, n)));
const CONTENDERS = ['thumbsmith', 'canvas-bitmap', 'canvas-draw', 'pica', 'jsquash', 'thumbsmith-marks'];
// Only measured cold (its first job after a warm-up job at init).
const COLD_ONLY = ['thumbsmith-warmed'];
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** 'png', 'progressive' or 'baseline' (JPEG), from the first SOF marker. */
function kind(file) {
  const bytes = readFileSync(file);
  if (bytes[0] === 0x89) return 'png';
  for (let i = 2; i + 4 < bytes.length; ) {
    const marker = bytes[i + 1];
    if (marker === 0xc2) return 'progressive';
    if (marker === 0xc0 || marker === 0xc1) return 'baseline';
    i += 2 + bytes.readUInt16BE(i + 2);
  }
  return 'baseline';
}

// Native: the same job, per stage, the full native build (AVX2 where the CPU has it).
const native = new Map(
  execFileSync(path.join(ROOT, 'target', 'release', 'examples', 'stage_times'), ['--runs', String(RUNS), ...photos], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  })
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
    .map((r) => [r.path, r]),
);

const site = await serve();
let photoRoot = path.dirname(photos[0]);
while (!photos.every((p) => p.startsWith(photoRoot + path.sep))) photoRoot = path.dirname(photoRoot);
const photoServer = http.createServer((req, res) =>
  handler(req, res, {
    public: photoRoot,
    headers: [{ source: '**', headers: [{ key: 'Access-Control-Allow-Origin', value: '*' }] }],
  }),
);
await new Promise((resolve) => photoServer.listen(0, '127.0.0.1', resolve));
const photoUrl = (p) =>
  `http://127.0.0.1:${photoServer.address().port}/${path.relative(photoRoot, p).split(path.sep).map(encodeURIComponent).join('/')}`;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const chromiumVersion = `Chromium ${browser.version()}`;
let measured;
try {
  const page = await browser.newPage();
  page.on('console', (message) => console.log(`page: ${message.text()}`));
  await page.goto(`${site.url}/bindings-wasm/bench/index.html`);
  measured = await page.evaluate(
    async ({ contenders, coldOnly, jobs, runs }) => {
      const call = (worker, message, transfer = []) =>
        new Promise((resolve, reject) => {
          worker.onmessage = ({ data }) => (data.error ? reject(new Error(data.error)) : resolve(data));
          worker.postMessage(message, transfer);
        });
      const job = async (worker, { bytes, type }) => {
        const copy = bytes.slice();
        return call(worker, { op: 'job', bytes: copy.buffer, type }, [copy.buffer]);
      };
      const inputs = [];
      for (const { url, type } of jobs) inputs.push({ bytes: new Uint8Array(await (await fetch(url)).arrayBuffer()), type });
      // Cold: a fresh worker per contender, its first job on the first photo.
      const workers = {};
      const cold = {};
      for (const name of [...contenders, ...coldOnly]) {
        const started = performance.now();
        const worker = new Worker('/bindings-wasm/bench/contender.js', { type: 'module', name });
        const init = await call(worker, { op: 'init' });
        const ready = performance.now() - started;
        const first = await job(worker, inputs[0]);
        cold[name] = { initMs: init.ms, readyMs: ready, firstMs: first.ms, untilFirstMs: performance.now() - started };
        workers[name] = worker;
      }
      // Warm: each photo, `runs` rounds after a warm-up one, the contenders' order rotated.
      const warm = [];
      for (const input of inputs) {
        const times = Object.fromEntries(contenders.map((name) => [name, []]));
        const stages = [];
        for (let round = 0; round <= runs; round++) {
          for (let i = 0; i < contenders.length; i++) {
            const name = contenders[(i + round) % contenders.length];
            const result = await job(workers[name], input);
            if (round === 0) continue;
            times[name].push(result.ms);
            if (name === 'thumbsmith-marks') stages.push(result.stages);
          }
        }
        warm.push({ times, stages });
      }
      Object.values(workers).forEach((w) => w.terminate());
      for (const name of coldOnly) delete workers[name];
      return { cold, warm };
    },
    {
      contenders: CONTENDERS,
      coldOnly: COLD_ONLY,
      jobs: photos.map((p) => ({ url: photoUrl(p), type: kind(p) === 'png' ? 'image/png' : 'image/jpeg' })),
      runs: RUNS,
    },
  );
  await page.close();
} finally {
  await browser.close();
  await site.close();
  photoServer.close();
}

// ----- the tables -----
const STAGES = ['header', 'decode', 'colour', 'resize', 'ycbcr', 'orient', 'encode'];
const ms = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const rows = photos.map((photo, i) => {
  const { times, stages } = measured.warm[i];
  const t = Object.fromEntries(Object.entries(times).map(([name, xs]) => [name, median(xs)]));
  const stageMedians = Object.fromEntries(STAGES.map((s) => [s, median(stages.map((x) => x[s] ?? 0))]));
  return { photo, kind: kind(photo), t, stageMedians, native: native.get(photo) };
});
const others = CONTENDERS.filter((c) => !c.startsWith('thumbsmith'));
const gz = (files) =>
  files.reduce((sum, f) => sum + zlib.gzipSync(readFileSync(path.join(HERE, f)), { level: 9 }).length, 0);
const fetched = {
  thumbsmith: gz(['pkg/simd/thumbsmith_wasm_bg.wasm', 'pkg/glue.js', 'pkg/index.js', 'pkg/worker.js']),
  'canvas-bitmap': 0,
  'canvas-draw': 0,
  pica: gz(['node_modules/pica/dist/pica.min.mjs']),
  jsquash: gz([
    'node_modules/@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm', 'node_modules/@jsquash/jpeg/codec/dec/mozjpeg_dec.js',
    'node_modules/@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm', 'node_modules/@jsquash/jpeg/codec/enc/mozjpeg_enc.js',
    'node_modules/@jsquash/resize/lib/resize/pkg/squoosh_resize_bg.wasm',
    'node_modules/@jsquash/png/codec/pkg/squoosh_png_bg.wasm',
  ]),
};
const LABEL = {
  thumbsmith: 'thumbsmith-wasm (simd build)',
  'canvas-bitmap': 'canvas: `createImageBitmap` resize + `convertToBlob`',
  'canvas-draw': "canvas: `drawImage`, smoothing 'high'",
  pica: 'pica (lanczos3) + canvas',
  jsquash: 'jSquash (mozjpeg, lanczos3)',
};
const KINDS = ['baseline', 'progressive', 'png'];
const span = (xs) => {
  const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
  return lo.toFixed(2) === hi.toFixed(2) ? `${lo.toFixed(2)}×` : `${lo.toFixed(2)}–${hi.toFixed(2)}×`;
};
const lines = [];
lines.push(
  `Measured ${new Date().toISOString().slice(0, 10)} by \`make bench-browser\` (headless ${chromiumVersion}, ` +
    `pinned to one core with \`taskset -c 1\`, median of ${RUNS} interleaved warm runs; corpus ${photos.length} photos). ` +
    'Time relative to thumbsmith-wasm on the same photo (under 1× is faster than us); the cold column is the first job of a fresh worker on the first photo, after its init.',
  '',
  '| contender | baseline JPEG | progressive JPEG | PNG | first job, cold | fetched (gzip -9) |',
  '|---|---|---|---|---|---|',
);
for (const name of ['thumbsmith', ...others]) {
  const cells = KINDS.map((k) => {
    const of = rows.filter((r) => r.kind === k);
    if (!of.length) return '–';
    if (name === 'thumbsmith') return `1× (${ms(Math.min(...of.map((r) => r.t.thumbsmith)))}–${ms(Math.max(...of.map((r) => r.t.thumbsmith)))} ms)`;
    return span(of.map((r) => r.t[name] / r.t.thumbsmith));
  });
  const c = measured.cold[name];
  lines.push(`| ${LABEL[name]} | ${cells.join(' | ')} | ${ms(c.firstMs)} ms (init ${ms(c.initMs)} ms) | ${(fetched[name] / 1024).toFixed(0)} KB |`);
}
{
  const [first, c, w] = [rows[0], measured.cold.thumbsmith, measured.cold['thumbsmith-warmed']];
  lines.push(
    '',
    `Cold start on ${path.basename(first.photo)}: thumbsmith's first job ${ms(c.firstMs)} ms after init (${ms(c.initMs)} ms), ` +
      `${(c.firstMs / first.t.thumbsmith).toFixed(1)}× its warm ${ms(first.t.thumbsmith)} ms; with the warm-up job at init ` +
      `(\`warmUp()\`, as the package's worker runs it): ${ms(w.firstMs)} ms (${(w.firstMs / first.t.thumbsmith).toFixed(1)}×), init ${ms(w.initMs)} ms.`,
  );
}
lines.push('', '| photo | kind | native | thumbsmith | ×native | ' + others.map((o) => LABEL[o].split(':')[0].split(' ')[0] + (o.startsWith('canvas') ? ` ${o.slice(7)}` : '')).join(' | ') + ' |');
lines.push('|---|---|---|---|---|' + others.map(() => '---|').join(''));
for (const r of rows) {
  lines.push(
    `| ${path.basename(r.photo)} | ${r.kind} | ${ms(r.native.total)} | ${ms(r.t.thumbsmith)} | ${(r.t.thumbsmith / r.native.total).toFixed(2)} | ` +
      others.map((o) => ms(r.t[o])).join(' | ') + ' |',
  );
}
lines.push('', 'Per stage, ms (Chromium, the stage-marks build / native): `other` is the job minus its stages (the JS boundary: copying the input in, the result out).', '');
lines.push('| photo | job | ' + STAGES.join(' | ') + ' | other |', '|---|---|' + STAGES.map(() => '---|').join('') + '---|');
for (const r of rows) {
  const top = STAGES.filter((s) => s !== 'ycbcr');
  const other = r.t['thumbsmith-marks'] - top.reduce((sum, s) => sum + r.stageMedians[s], 0);
  const nativeOther = r.native.total - top.reduce((sum, s) => sum + (r.native.stages[s] ?? 0), 0);
  lines.push(
    `| ${path.basename(r.photo)} | ${ms(r.t['thumbsmith-marks'])} / ${ms(r.native.total)} | ` +
      STAGES.map((s) => `${ms(r.stageMedians[s])} / ${ms(r.native.stages[s] ?? 0)}`).join(' | ') +
      ` | ${ms(other)} / ${ms(nativeOther)} |`,
  );
}
const table = lines.join('\n');
console.log(table);
console.log('\ncold:', JSON.stringify(measured.cold, null, 1));
if (WRITE_README) {
  const readme = path.join(HERE, 'README.md');
  const [start, end] = ['<!-- bench-browser:start -->', '<!-- bench-browser:end -->'];
  const text = readFileSync(readme, 'utf8');
  const at = text.indexOf(start);
  if (at < 0) throw new Error(`README.md has no ${start} marker`);
  writeFileSync(readme, text.slice(0, at + start.length) + '\n' + table + '\n' + text.slice(text.indexOf(end)));
  console.log('written to README.md');
}
