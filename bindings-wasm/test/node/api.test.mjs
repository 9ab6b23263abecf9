// The wasm module under Node, through the package's own loader (pkg/index.js), for both builds.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import init, * as thumbsmith from '../../pkg/index.js';
import { FIXTURES, HERE, camelCaseKeys, fixture, rotated180, sampledDifference, sha256 } from '../helpers.mjs';

const parity = JSON.parse(readFileSync(path.join(FIXTURES, 'parity.json'), 'utf8'));
/** Source formats the browser package does not decode (yet). */
const NOT_DECODED = ['tiff', 'jxl'];

/** Calls `job`, returns what it threw. */
function thrown(job) {
  try {
    job();
  } catch (error) {
    return error;
  }
  assert.fail('expected an error');
}

for (const build of ['simd', 'baseline']) {
  describe(`${build} build`, () => {
    before(async () => {
      const loaded = await init({ build });
      assert.equal(loaded.build, build);
      assert.equal(thumbsmith.loaded().build, build);
    });

    it('reproduces every shared parity case byte for byte (options in camelCase)', () => {
      assert.ok(parity.length >= 9);
      for (const { name, input, options, expected } of parity) {
        if (NOT_DECODED.includes(expected.source_format)) {
          // No TIFF or JPEG XL decoder in the browser package yet (core features `decode-tiff`
          // and `decode-jxl` left out for size; issue 29 wants them as separately loaded modules).
          const error = thrown(() => thumbsmith.process(fixture(input), camelCaseKeys(options)));
          assert.equal(error.code, 'ERR_UNSUPPORTED_FORMAT', name);
          continue;
        }
        if (expected.format === 'webp') {
          // No WebP encoder in the browser package (core feature `encode-webp` left out for size).
          const error = thrown(() => thumbsmith.process(fixture(input), camelCaseKeys(options)));
          assert.equal(error.code, 'ERR_ENCODE_FAILED', name);
          assert.match(error.message, /^cannot encode webp: this build has no WebP encoder/, name);
          continue;
        }
        const result = thumbsmith.process(fixture(input), camelCaseKeys(options));
        assert.equal(sha256(result.data), expected.sha256, name);
        assert.equal(result.data.length, expected.bytes, name);
        const facts = ['format', 'mimeType', 'size', 'width', 'height', 'sourceFormat', 'sourceWidth', 'sourceHeight', 'orientation', 'crop', 'dominantColor', 'contentHash'];
        // Every field the core serialises (the same as Node's `info` and Python's `Result`), and the bytes.
        const serialised = Object.keys(expected).filter((key) => key !== 'sha256' && key !== 'bytes');
        assert.deepEqual(Object.keys(result).sort(), [...serialised.map((k) => k.replace(/_([a-z])/g, (_, c) => c.toUpperCase())), 'data'].sort(), name);
        for (const fact of facts) {
          const snake = fact.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
          assert.deepEqual(result[fact], expected[snake], `${name}: ${fact}`);
        }
        assert.deepEqual(result.thumbhash && [...result.thumbhash], expected.thumbhash, `${name}: thumbhash`);
        if (expected.thumbhash) assert.ok(result.thumbhash instanceof Uint8Array);
        assert.ok(result.data instanceof Uint8Array);
      }
    });

    it('reads snake_case keys as well, and ArrayBuffer input', () => {
      const { input, options, expected } = parity.find((c) => c.name === 'progressive-entropy-444');
      const bytes = fixture(input);
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
      assert.equal(sha256(thumbsmith.process(buffer, options).data), expected.sha256);
    });

    it('reports the header without decoding', () => {
      const meta = thumbsmith.metadata(fixture('exif-6.jpg'));
      assert.deepEqual(
        {
          format: meta.format,
          width: meta.width,
          height: meta.height,
          orientedWidth: meta.orientedWidth,
          orientedHeight: meta.orientedHeight,
          orientation: meta.orientation,
          hasGps: meta.hasGps,
        },
        { format: 'jpeg', width: 64, height: 96, orientedWidth: 96, orientedHeight: 64, orientation: 6, hasGps: true },
      );
      // Header only: the bomb's 60000×60000 is reported, not refused.
      assert.equal(thumbsmith.metadata(fixture('bomb.png')).width, 60000);
    });

    it('renders RGBA for a canvas, upright, with the facts process reports', () => {
      const options = { width: 96, height: 64, fit: 'inside' };
      const sideways = thumbsmith.render(fixture('exif-6.jpg'), options);
      assert.ok(sideways.data instanceof Uint8ClampedArray);
      assert.equal(sideways.data.length, sideways.width * sideways.height * 4);
      const processed = thumbsmith.process(fixture('exif-6.jpg'), options);
      for (const fact of ['width', 'height', 'sourceWidth', 'sourceHeight', 'orientation', 'crop', 'sourceFormat']) {
        assert.deepEqual(sideways[fact], processed[fact], fact);
      }
      // The upright scene the fixture was made from (stored rotated, EXIF orientation 6).
      const upright = thumbsmith.render(fixture('scene.png'), options);
      assert.deepEqual([sideways.width, sideways.height], [upright.width, upright.height]);
      const same = sampledDifference(sideways.data, upright.data, upright.width, upright.height, 4);
      const turned = sampledDifference(rotated180(sideways.data), upright.data, upright.width, upright.height, 4);
      assert.ok(same < 6, `upright: mean difference ${same}`);
      assert.ok(turned > 4 * same + 10, `a turned image must not pass: ${turned} vs ${same}`);
    });

    it('renders the flattened pixels for JPEG output and keeps alpha for PNG', () => {
      const jpeg = thumbsmith.render(fixture('alpha.png'), { width: 40, height: 40, background: '#3366cc' });
      assert.ok(jpeg.data.every((v, i) => i % 4 !== 3 || v === 255));
      const png = thumbsmith.render(fixture('alpha.png'), { width: 40, height: 40, format: 'png' });
      assert.ok(png.data.some((v, i) => i % 4 === 3 && v < 255));
    });

    it('throws the core errors with their codes and facts', () => {
      const cases = [
        ['text.txt', {}, 'ERR_UNSUPPORTED_FORMAT', /^unsupported image format: /, { format: 'text (not an image)' }],
        ['random.bin', {}, 'ERR_UNSUPPORTED_FORMAT', /^unsupported image format: /, {}],
        ['empty.bin', {}, 'ERR_CORRUPT_INPUT', /^corrupt /, {}],
        ['truncated.jpg', {}, 'ERR_CORRUPT_INPUT', /^corrupt jpeg input: /, { format: 'jpeg' }],
        ['bomb.png', {}, 'ERR_LIMIT_EXCEEDED', /exceeds the limit of 268402689 \(raise `max_input_pixels`/,
          { option: 'maxInputPixels', limit: 268402689, value: 3600000000 }],
        ['photo.jpg', { widht: 64 }, 'ERR_INVALID_OPTION', /^invalid option: unknown field `widht`/, {}],
        ['photo.jpg', { withoutEnlargment: true }, 'ERR_INVALID_OPTION', /unknown field `withoutEnlargment`/, {}],
        ['photo.jpg', { fit: 'squash' }, 'ERR_INVALID_OPTION', /^invalid option: unknown variant `squash`/, {}],
        ['photo.jpg', { quality: 0 }, 'ERR_INVALID_OPTION', /^invalid option: quality must be 1–100/, {}],
        ['photo.jpg', { format: 'webp' }, 'ERR_ENCODE_FAILED', /^cannot encode webp: this build has no WebP encoder/, { format: 'webp' }],
        ['photo.jpg', { format: 'webp', lossless: true }, 'ERR_ENCODE_FAILED', /^cannot encode webp: this build has no WebP encoder/, { format: 'webp' }],
        // No EXIF writer either: keeping EXIF fields is refused, never silently dropped.
        ['exif-6.jpg', { keepGps: true }, 'ERR_ENCODE_FAILED', /^cannot encode jpeg: this build cannot write EXIF/, { format: 'jpeg' }],
        ['photo.jpg', { keepCopyright: true, format: 'png' }, 'ERR_ENCODE_FAILED', /^cannot encode png: this build cannot write EXIF/, { format: 'png' }],
        ['photo.jpg', { smartSubsample: true }, 'ERR_ENCODE_FAILED', /^cannot encode jpeg: this build cannot subsample smartly/, { format: 'jpeg' }],
      ];
      for (const [name, options, code, message, facts] of cases) {
        const error = thrown(() => thumbsmith.process(fixture(name), options));
        assert.ok(error instanceof Error && !(error instanceof WebAssembly.RuntimeError), name);
        assert.equal(error.code, code, `${name}: ${error.message}`);
        assert.match(error.message, message, name);
        for (const [key, value] of Object.entries(facts)) assert.equal(error[key], value, `${name}: ${key}`);
      }
      // render and metadata refuse the same inputs the same way.
      assert.equal(thrown(() => thumbsmith.render(fixture('truncated.jpg'))).code, 'ERR_CORRUPT_INPUT');
      assert.equal(thrown(() => thumbsmith.metadata(fixture('text.txt'))).code, 'ERR_UNSUPPORTED_FORMAT');
      // Not bytes at all: a JS calling mistake, as the Node binding reports it.
      for (const input of ['photo.jpg', 42, undefined, null, {}]) {
        const error = thrown(() => thumbsmith.process(input, {}));
        assert.ok(error instanceof TypeError);
        assert.equal(error.code, 'ERR_INVALID_ARG_TYPE');
      }
    });

    it('runs the warm-up job, and the jobs after it give the same bytes', () => {
      const before = sha256(thumbsmith.process(fixture('photo.jpg'), { width: 96 }).data);
      assert.equal(thumbsmith.warmUp(), undefined);
      assert.equal(sha256(thumbsmith.process(fixture('photo.jpg'), { width: 96 }).data), before);
    });

    it('treats undefined / null options as none given, and whole numbers as integers', () => {
      const plain = thumbsmith.process(fixture('photo.jpg'));
      assert.equal(sha256(thumbsmith.process(fixture('photo.jpg'), null).data), sha256(plain.data));
      assert.equal(plain.width, 160);
      const sized = thumbsmith.process(fixture('photo.jpg'), { width: 64.0, height: undefined, maxInputPixels: 5e9 });
      assert.equal(sized.width, 64);
      assert.equal(thrown(() => thumbsmith.process(fixture('photo.jpg'), { width: 64.5 })).code, 'ERR_INVALID_OPTION');
      assert.equal(thrown(() => thumbsmith.process(fixture('photo.jpg'), 'big')).code, 'ERR_INVALID_OPTION');
    });
  });
}

describe('package', () => {
  before(() => init());

  it('picks the simd build where Wasm SIMD runs (Node does)', async () => {
    assert.equal(thumbsmith.simdSupported(), true);
    const { build } = await init();
    assert.ok(['simd', 'baseline'].includes(build));
  });

  it('gives the same bytes from both builds', async () => {
    const jobs = [
      ['scene.png', { width: 37, height: 53, kernel: 'lanczos3' }],
      ['scene.png', { width: 200, kernel: 'mitchell' }],
      ['alpha.png', { width: 50, format: 'png', kernel: 'catmull-rom' }],
      ['gray-alpha.png', { width: 31, format: 'png', kernel: 'bilinear' }],
      ['patches-gray.jpg', { width: 40, height: 7, fit: 'fill', kernel: 'box' }],
      ['rgb16.png', { width: 33, position: 'attention' }],
      ['lossy.webp', { width: 70, height: 70, thumbhash: true }],
    ];
    const hashes = {};
    for (const build of ['simd', 'baseline']) {
      await init({ build });
      hashes[build] = jobs.map(([name, options]) => sha256(thumbsmith.process(fixture(name), options).data));
    }
    assert.deepEqual(hashes.baseline, hashes.simd);
  });

  it('has no defaults of its own: defaults() is the core\'s, and the types name exactly its options', () => {
    const defaults = thumbsmith.defaults();
    assert.equal(defaults.quality, 80);
    assert.equal(defaults.autoOrient, true);
    const types = readFileSync(path.join(HERE, 'js', 'index.d.ts'), 'utf8');
    const declared = [...types.match(/export interface Options \{([\s\S]*?)\n\}/)[1].matchAll(/^ {2}(\w+)\?:/gm)].map((m) => m[1]);
    assert.deepEqual(declared.sort(), Object.keys(defaults).sort());
    // No option value is spelled out in the JS sources: the core is the only place for them.
    for (const file of ['index.js', 'worker.js', 'worker-client.js']) {
      const source = readFileSync(path.join(HERE, 'js', file), 'utf8');
      assert.doesNotMatch(source, /quality\s*:\s*\d|kernel\s*:\s*'|fit\s*:\s*'cover'/, file);
    }
  });

  it('lists every error code the core has, as the types do', () => {
    const codes = thumbsmith.errorCodes();
    assert.equal(codes.length, 7);
    const types = readFileSync(path.join(HERE, 'js', 'index.d.ts'), 'utf8');
    const declared = [...types.match(/export type ErrorCode =([\s\S]*?);/)[1].matchAll(/'(\w+)'/g)].map((m) => m[1]);
    assert.deepEqual(declared, codes);
  });
});
