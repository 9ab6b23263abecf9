// Shared by the Node and the browser tests.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = path.resolve(HERE, '..');
export const FIXTURES = path.join(ROOT, 'core', 'tests', 'fixtures');
export const PKG = path.join(HERE, 'pkg');

// The Rust CLI, built by `make test-browser` / `make test-bundle`: it makes the reference bytes.
const CLI = process.env.THUMBSMITH_CLI ?? path.join(ROOT, 'target', 'debug', 'thumbsmith');

export const fixture = (name) => readFileSync(path.join(FIXTURES, name));
export const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** snake_case keys to camelCase, at any depth (what a JS caller writes). */
export function camelCaseKeys(value) {
  if (Array.isArray(value)) return value.map(camelCaseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase()), camelCaseKeys(v)]),
  );
}

/** Mean absolute difference of RGBA pixels sampled on a grid (both images width × height). */
export function sampledDifference(a, b, width, height, step = 8) {
  let sum = 0;
  let count = 0;
  for (let y = step >> 1; y < height; y += step) {
    for (let x = step >> 1; x < width; x += step) {
      const i = (y * width + x) * 4;
      for (let c = 0; c < 3; c++) sum += Math.abs(a[i + c] - b[i + c]);
      count += 3;
    }
  }
  return sum / count;
}

/** RGBA rotated by 180° (to show a sampled comparison can tell orientations apart). */
export function rotated180(rgba) {
  const out = new Uint8ClampedArray(rgba.length);
  const pixels = rgba.length / 4;
  for (let i = 0; i < pixels; i++) out.set(rgba.subarray(i * 4, i * 4 + 4), (pixels - 1 - i) * 4);
  return out;
}

/** Debian's Chromium, headless (playwright-core never downloads a browser). */
export async function launch() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** The avatar the Rust API makes (through its CLI) for `input` and `options`, as bytes. */
export function rustAvatar(input, options) {
  const out = mkdtempSync(path.join(os.tmpdir(), 'thumbsmith-ref-'));
  try {
    execFileSync(CLI, ['thumbnail', input, '-o', out, '--options', JSON.stringify(options)], { stdio: 'pipe' });
    return readFileSync(path.join(out, `${path.parse(input).name}.jpg`));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
