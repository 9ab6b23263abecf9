// The avatar flow as a person does it, in headless Chromium (Debian's, driven by playwright-core):
// log in → pick the sideways EXIF-6 photo → crop → upload → the CDN serves an upright 512×512 JPEG,
// and Chromium, through `<picture>`, the WebP (or AVIF) beside it.
// Needs the stack running (FLOW_* variables from examples/scripts/flowstack.py run).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const EXAMPLES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SAMPLE = path.join(EXAMPLES, 'assets', 'sample-exif6.jpg');
const ARTIFACTS = path.join(EXAMPLES, 'e2e', 'artifacts');
// The Node binding, as the handler resolves it.
const thumbsmith = createRequire(path.join(EXAMPLES, 'lambda-thumbnail', 'index.js'))('thumbsmith');

const PAGE_URL = process.env.FLOW_PAGE_URL;
const CDN_URL = process.env.FLOW_CDN_URL;
if (!PAGE_URL) throw new Error('run through `flowstack.py run` (make -C examples/e2e test): FLOW_PAGE_URL is not set');

test('log in, pick the EXIF-6 photo, crop, upload: the CDN serves an upright 512×512 JPEG', async (t) => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 1300 } });
    const problems = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => msg.type() === 'error' && problems.push(`console: ${msg.text()}`));
    page.on('response', (response) => response.status() >= 400 && problems.push(`HTTP ${response.status()} ${response.url()}`));
    // What Chromium fetched from the CDN, by URL: the `<picture>` should cost one avatar download.
    const fromCdn = new Map();
    page.on('response', (response) => response.url().startsWith(`${CDN_URL}/avatars/`) && fromCdn.set(response.url(), response.headers()['content-type']));

    await page.goto(PAGE_URL);
    const user = `browser-${Date.now()}`;
    await page.fill('#user', user);
    await page.click('#login');
    await page.waitForSelector('body[data-phase="logged-in"]');

    // Pick: the wasm build reads the header and renders the upright preview.
    await page.setInputFiles('#file', SAMPLE);
    await page.waitForSelector('#upload:not([disabled])');
    assert.match(await page.textContent('#status'), /orientation 6: shown 1600×1000/);
    const canvas = await page.$eval('#source', (c) => [c.width, c.height]);
    assert.deepEqual(canvas, [480, 300], 'the preview is upright (landscape), not the stored portrait pixels');

    // Crop: shrink the square, then drag it right and up.
    await page.$eval('#crop-size', (input) => {
      input.value = '60';
      input.dispatchEvent(new Event('input'));
    });
    const box = await page.locator('#source').boundingBox();
    const before = JSON.parse(await page.getAttribute('#source', 'data-crop'));
    const scale = box.width / 1600;
    const from = { x: box.x + (before.left + before.width / 2) * scale, y: box.y + (before.top + before.height / 2) * scale };
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x + 60, from.y - 30, { steps: 5 });
    await page.mouse.up();
    const crop = JSON.parse(await page.getAttribute('#source', 'data-crop'));
    assert.equal(crop.width, 600);
    assert.ok(crop.left > before.left && crop.top < before.top, `dragged: ${JSON.stringify(before)} → ${JSON.stringify(crop)}`);
    await page.waitForFunction((expected) => document.querySelector('#preview').dataset.crop === expected, JSON.stringify(crop));
    const previewHash = await page.getAttribute('#preview', 'data-content-hash');
    await page.screenshot({ path: path.join(ARTIFACTS, 'cropped.png') });

    // Upload: presigned POST to S3 (CORS), the handler runs, the profile names the CDN URL.
    await page.click('#upload');
    await page.waitForSelector('body[data-phase="done"], body[data-phase="failed"]', { timeout: 60_000 });
    assert.equal(await page.getAttribute('body', 'data-phase'), 'done', await page.textContent('#status'));
    const avatarUrl = await page.getAttribute('#avatar', 'src');
    await page.screenshot({ path: path.join(ARTIFACTS, 'done.png'), fullPage: true });
    assert.ok(avatarUrl.startsWith(`${CDN_URL}/avatars/${user}/`), avatarUrl);
    // The handler's output is named by its content hash: the same hash as the wasm preview
    // means the browser previewed exactly the bytes the CDN now serves.
    assert.ok(avatarUrl.endsWith(`/${previewHash}.jpg`), `${avatarUrl} vs preview ${previewHash}`);

    // Chromium shows AVIF or WebP: `<picture>` lists them before the JPEG and it takes the first
    // type it can show; the JPEG is never downloaded. A client that asks for JPEG alone (the
    // profile's `avatar_url`, Accept: image/jpeg) gets the JPEG.
    const shown = await page.evaluate(() => document.querySelector('#avatar').currentSrc);
    const modern = /\.(avif|webp)$/.exec(shown)?.[1];
    assert.ok(modern && shown.startsWith(avatarUrl.replace(/\.jpg$/, '.')), `Chromium showed ${shown}`);
    assert.deepEqual([...fromCdn], [[shown, `image/${modern}`]], 'one download, the modern variant');
    const variant = Buffer.from(await (await fetch(shown)).arrayBuffer());
    const expectedVariant = await thumbsmith(fs.readFileSync(SAMPLE)).extract(crop).resize(512, 512).toFormat(modern).toBuffer();
    assert.ok(variant.equals(expectedVariant), `the CDN's ${modern} is the binding's for the same photo and crop`);

    const served = await fetch(avatarUrl, { headers: { accept: 'image/jpeg' } });
    assert.equal(served.status, 200);
    assert.equal(served.headers.get('content-type'), 'image/jpeg');
    assert.equal(served.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const bytes = Buffer.from(await served.arrayBuffer());
    const header = await thumbsmith.metadata(bytes);
    assert.deepEqual([header.format, header.width, header.height, header.orientation], ['jpeg', 512, 512, 1]);
    const expected = await thumbsmith(fs.readFileSync(SAMPLE)).extract(crop).resize(512, 512).jpeg().toBuffer();
    assert.ok(bytes.equals(expected), 'the Node binding makes the same bytes from the same photo and crop');

    // Upright, judged by Chromium itself rather than thumbsmith: the browser's own EXIF-aware
    // decode of the original, cut to the same crop, against the avatar, on a 32×32 grid.
    const diff = await page.evaluate(
      async ({ sample, crop, avatarUrl }) => {
        const original = await createImageBitmap(new Blob([Uint8Array.from(atob(sample), (c) => c.charCodeAt(0))]), { imageOrientation: 'from-image' });
        const avatar = await createImageBitmap(await (await fetch(avatarUrl)).blob());
        const N = 32;
        const pixels = (draw) => {
          const canvas = new OffscreenCanvas(N, N);
          const ctx = canvas.getContext('2d');
          draw(ctx);
          return ctx.getImageData(0, 0, N, N).data;
        };
        const reference = pixels((ctx) => ctx.drawImage(original, crop.left, crop.top, crop.width, crop.height, 0, 0, N, N));
        const sideways = pixels((ctx) => {
          ctx.translate(N, 0);
          ctx.rotate(Math.PI / 2);
          ctx.drawImage(original, crop.left, crop.top, crop.width, crop.height, 0, 0, N, N);
        });
        const got = pixels((ctx) => ctx.drawImage(avatar, 0, 0, N, N));
        const mad = (a, b) => a.reduce((sum, v, i) => (i % 4 === 3 ? sum : sum + Math.abs(v - b[i])), 0) / (N * N * 3);
        return { upright: mad(got, reference), sideways: mad(got, sideways), original: [original.width, original.height] };
      },
      { sample: fs.readFileSync(SAMPLE).toString('base64'), crop, avatarUrl },
    );
    t.diagnostic(`mean difference to Chromium's own rendering: upright ${diff.upright.toFixed(2)}, sideways ${diff.sideways.toFixed(2)}`);
    assert.deepEqual(diff.original, [1600, 1000], 'Chromium applies the EXIF orientation too');
    assert.ok(diff.upright < 6, `avatar vs the browser's upright crop: mean difference ${diff.upright.toFixed(2)}`);
    assert.ok(diff.sideways > 3 * diff.upright, `a sideways avatar would differ more: ${JSON.stringify(diff)}`);

    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
