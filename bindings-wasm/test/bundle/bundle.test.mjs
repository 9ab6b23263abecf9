// The browser package from a user's side: `npm pack` of pkg/ (or the tarball named by
// THUMBSMITH_WASM_TARBALL, for release artifacts) installed into a scratch app, the
// app (./app) bundled by esbuild, `vite build` and webpack 5 with the configuration the README
// gives, only the bundle output served on 127.0.0.1 to Debian's Chromium (and the app under
// Vite's dev server). The avatar job must give the Rust CLI's bytes with both builds, on the page
// and in the worker, and a trap must still be recovered from.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { createServer, build as viteBuild } from 'vite';
import webpack from 'webpack';
import { serve } from '../../scripts/serve.mjs';
import { FIXTURES, HERE, PKG, fixture, launch, rustAvatar, sha256 } from '../helpers.mjs';

const INPUT = 'photo.jpg';
const OPTIONS = { width: 512, height: 512 };

const files = (dir) => readdirSync(dir, { recursive: true }).map(String);

/** `dir` (a bundle output) on 127.0.0.1, once it holds both .wasm builds, copied by the bundler. */
async function serveOutput(dir) {
  const wasm = files(dir).filter((f) => f.endsWith('.wasm'));
  assert.equal(wasm.length, 2, `.wasm files in the output: ${files(dir).join(', ')}`);
  return serve(0, dir);
}

/** The README's esbuild build: the app, the worker as an entry of its own, the .wasm copied. */
async function esbuildOutput(app) {
  const outdir = path.join(app, 'dist-esbuild');
  await esbuild.build({
    absWorkingDir: app,
    entryPoints: {
      main: './main.js',
      worker: 'thumbsmith-wasm/worker',
      'simd/thumbsmith_wasm_bg': 'thumbsmith-wasm/simd/thumbsmith_wasm_bg.wasm',
      'baseline/thumbsmith_wasm_bg': 'thumbsmith-wasm/baseline/thumbsmith_wasm_bg.wasm',
    },
    loader: { '.wasm': 'copy' },
    bundle: true,
    format: 'esm',
    minify: true,
    outdir,
    logLevel: 'warning',
  });
  cpSync(path.join(app, 'index.html'), path.join(outdir, 'index.html'));
  return serveOutput(outdir);
}

/** `vite build` with no configuration at all. */
async function viteOutput(app) {
  const outDir = path.join(app, 'dist-vite');
  await viteBuild({ root: app, configFile: false, logLevel: 'warn', build: { outDir } });
  return serveOutput(outDir);
}

/** webpack 5 in production mode, told only the entry and the output folder. */
async function webpackOutput(app) {
  const outdir = path.join(app, 'dist-webpack');
  const compiler = webpack({ mode: 'production', context: app, entry: './main.js', output: { path: outdir } });
  const stats = await new Promise((resolve, reject) =>
    compiler.run((error, stats) => (error ? reject(error) : resolve(stats))),
  );
  await new Promise((resolve) => compiler.close(resolve));
  assert.ok(!stats.hasErrors(), stats.toString('errors-only'));
  // webpack's output is a classic script, as its HTML plugin would load it.
  const html = readFileSync(path.join(app, 'index.html'), 'utf8');
  writeFileSync(path.join(outdir, 'index.html'), html.replace('type="module"', 'defer'));
  return serveOutput(outdir);
}

/** `vite` (the dev server, which pre-bundles dependencies), with no configuration either. */
async function viteDevServer(app) {
  const server = await createServer({
    root: app,
    configFile: false,
    logLevel: 'warn',
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
  });
  await server.listen();
  return { url: server.resolvedUrls.local[0].replace(/\/$/, ''), close: () => server.close() };
}

describe('the packed package, bundled, in Chromium', () => {
  let scratch;
  let app;
  let browser;
  let expected;

  before(async () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'thumbsmith-bundle-'));
    app = path.join(scratch, 'app');
    cpSync(path.join(HERE, 'test', 'bundle', 'app'), app, { recursive: true });
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
    const npm = (args, cwd) =>
      execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, stdio: 'pipe' });
    // A release tarball (dist/wasm/) when given, else pkg/ packed now.
    const tarball =
      process.env.THUMBSMITH_WASM_TARBALL ??
      path.join(scratch, npm(['pack', '--silent', '--pack-destination', scratch, PKG], scratch).toString().trim());
    npm(['install', '--offline', path.resolve(tarball)], app);
    expected = sha256(rustAvatar(path.join(FIXTURES, INPUT), OPTIONS));
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("the worker client passes init's wasm option on, resolved against the page", async () => {
    const server = await esbuildOutput(app);
    // The builds under other names, as a CDN would serve them, and a page in a folder of its own:
    // relative to it, not to the worker's script (/worker.js), `cdn/…` is /sub/cdn/….
    const sub = path.join(app, 'dist-esbuild', 'sub');
    mkdirSync(path.join(sub, 'cdn'), { recursive: true });
    for (const build of ['simd', 'baseline']) {
      const installed = path.join(app, 'node_modules', 'thumbsmith-wasm', build, 'thumbsmith_wasm_bg.wasm');
      cpSync(installed, path.join(sub, 'cdn', `${build}.wasm`));
    }
    const html = readFileSync(path.join(app, 'index.html'), 'utf8');
    writeFileSync(path.join(sub, 'page.html'), html.replace('./main.js', '../main.js'));
    const page = await browser.newPage();
    const wasmLoads = [];
    page.on('request', (request) => request.url().endsWith('.wasm') && wasmLoads.push(new URL(request.url()).pathname));
    try {
      await page.goto(`${server.url}/sub/page`); // (the server drops .html)
      await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 30_000 });
      const input = Array.from(fixture(INPUT));
      const inWorker = (build, wasm) =>
        page.evaluate(
          ([input, options, build, wasm]) => window.avatarInWorker(input, options, build, wasm),
          [input, OPTIONS, build, wasm],
        );
      assert.deepEqual(await inWorker(undefined, { simd: 'cdn/simd.wasm' }), { build: 'simd', sha256: expected });
      assert.deepEqual(await inWorker('baseline', './cdn/baseline.wasm'), { build: 'baseline', sha256: expected });
      assert.deepEqual(wasmLoads, ['/sub/cdn/simd.wasm', '/sub/cdn/baseline.wasm']);
    } finally {
      await page.close();
      await server.close();
      rmSync(sub, { recursive: true, force: true });
    }
  });

  const ways = [
    ['esbuild', esbuildOutput],
    ['vite build', viteOutput],
    ['vite dev server', viteDevServer],
    ['webpack', webpackOutput],
  ];
  for (const [bundler, start] of ways) {
    it(`${bundler}: both builds, the worker and trap recovery give the Rust bytes`, async () => {
      const started = performance.now();
      const server = await start(app);
      const bundled = performance.now() - started;
      const page = await browser.newPage();
      const problems = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()}`));
      page.on('response', (response) => response.status() >= 400 && problems.push(`${response.status()} ${response.url()}`));
      const wasmLoads = [];
      page.on('request', (request) => request.url().endsWith('.wasm') && wasmLoads.push(new URL(request.url()).pathname));
      try {
        await page.goto(`${server.url}/index.html`);
        await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 30_000 });
        const input = Array.from(fixture(INPUT));
        const run = (fn, build) =>
          page.evaluate(([fn, input, options, build]) => window[fn](input, options, build), [fn, input, OPTIONS, build]);

        assert.deepEqual(await run('avatar'), { build: 'simd', sha256: expected }, 'page, simd');
        assert.deepEqual(await run('avatar', 'baseline'), { build: 'baseline', sha256: expected }, 'page, baseline');
        assert.deepEqual(await run('avatarInWorker'), { build: 'simd', sha256: expected }, 'worker, simd');
        assert.deepEqual(await run('avatarInWorker', 'baseline'), { build: 'baseline', sha256: expected }, 'worker, baseline');

        const trap = await run('trapThenAvatar');
        assert.equal(trap.error?.code, 'ERR_INTERNAL', JSON.stringify(trap));
        assert.match(trap.error.message, /out of memory: allocating \d+ bytes failed$/);
        assert.equal(trap.error.trap, true, 'the cause is the trap');
        assert.equal(trap.replaced, true, 'a fresh instance took over');
        assert.equal(trap.sha256, expected);

        // Each build's file was fetched from what the bundler serves or wrote (page and worker).
        assert.equal(new Set(wasmLoads).size, 2, wasmLoads.join(', '));
        assert.deepEqual(problems, []);
        const loads = [...new Set(wasmLoads)].join(', ');
        console.log(`# ${bundler}: ready in ${bundled.toFixed(0)} ms; .wasm loaded from ${loads}`);
      } finally {
        await page.close();
        await server.close();
      }
    });
  }
});
