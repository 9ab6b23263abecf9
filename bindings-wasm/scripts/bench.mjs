// Job time of the avatar (512×512 cover, JPEG q80) in Chromium, both builds, against native
// (benches' thumbsmith-runner), on the corpus photos; and the .wasm load/instantiate time.
// A measurement for humans, not a test: run it pinned to one core, on a quiet machine.
//
//   make bench     (builds the package and the native runner, then:)
//   taskset -c 1 node scripts/bench.mjs [--runs 5] [photo…]
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import handler from 'serve-handler';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';
import { ROOT } from '../test/helpers.mjs';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 5;
const CORPUS = process.env.THUMBSMITH_CORPUS ?? path.join(os.homedir(), '.cache', 'thumbsmith-corpus');
const photos = args.length
  ? args.map((p) => path.resolve(p))
  : ['jpeg', 'png', 'webp', 'exif', 'color'].flatMap((dir) => {
      try {
        return readdirSync(path.join(CORPUS, dir)).sort().map((name) => path.join(CORPUS, dir, name));
      } catch {
        return [];
      }
    });
if (!photos.length) throw new Error(`no photos: fetch the corpus (shared/corpus/fetch.sh) or name files`);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

// Native: the same job in the benches' single-thread runner (bytes in memory → bytes).
const native = JSON.parse(
  execFileSync(path.join(ROOT, 'target', 'release', 'thumbsmith-runner'), ['--runs', String(RUNS), '--warmup', '1', ...photos], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  }),
);
const nativeMs = new Map(native.files.map((f) => [f.path, f.median_ms]));

// Chromium: the package served from 127.0.0.1, the photos from a second server over the corpus.
const site = await serve();
// Only the folder that holds the photos is served.
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
const results = {};
try {
  for (const build of ['simd', 'baseline']) {
    // A fresh page per build: load and instantiate are measured cold (no code cache).
    const page = await browser.newPage();
    await page.goto(`${site.url}/examples/wasm-preview/`);
    results[build] = await page.evaluate(
      async ({ build, urls, runs }) => {
        const started = performance.now();
        const module = await import('/bindings-wasm/pkg/index.js');
        const loaded = await module.default({ build });
        const loadMs = performance.now() - started;
        const jobs = [];
        for (const url of urls) {
          const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
          const ms = [];
          for (let i = 0; i <= runs; i++) {
            const t = performance.now();
            module.process(bytes, { width: 512, height: 512 });
            ms.push(performance.now() - t);
          }
          jobs.push({ first: ms[0], warm: ms.slice(1) });
        }
        return { loaded, loadMs, jobs };
      },
      { build, urls: photos.map(photoUrl), runs: RUNS },
    );
    await page.close();
  }
} finally {
  await browser.close();
  await site.close();
  photoServer.close();
}

for (const build of ['simd', 'baseline']) {
  const { loaded, loadMs } = results[build];
  console.log(
    `${build}: import + compile + instantiate ${loadMs.toFixed(1)} ms ` +
      `(compile ${loaded.compileMs.toFixed(1)} ms, instantiate ${loaded.instantiateMs.toFixed(1)} ms)`,
  );
}
console.log(`\nmedian of ${RUNS} warm runs, ms (first run in parentheses); ratio = Chromium / native`);
console.log('photo'.padEnd(34) + 'native'.padStart(9) + 'simd'.padStart(18) + 'baseline'.padStart(18) + '  simd×  base×');
const ratios = { simd: [], baseline: [] };
photos.forEach((photo, i) => {
  const n = nativeMs.get(photo);
  const cells = ['simd', 'baseline'].map((build) => {
    const { first, warm } = results[build].jobs[i];
    ratios[build].push(median(warm) / n);
    return `${median(warm).toFixed(1)} (${first.toFixed(0)})`.padStart(18);
  });
  const r = ['simd', 'baseline'].map((b) => ratios[b][i].toFixed(2).padStart(6)).join(' ');
  console.log(path.relative(CORPUS, photo).padEnd(34) + n.toFixed(1).padStart(9) + cells.join('') + ' ' + r);
});
console.log(
  `median ratio: simd ${median(ratios.simd).toFixed(2)}×, baseline ${median(ratios.baseline).toFixed(2)}× native`,
);
