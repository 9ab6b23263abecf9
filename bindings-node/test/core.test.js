'use strict'
// Defaults parity with the Rust API, the options path, and every error code.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const thumbsmith = require('..')
const { FIXTURES, fixture, fixturePath, sha256, camelKeys, imageSize } = require('./helpers')

const PARITY = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'parity.json'), 'utf8'))

test('parity.json has cases to check', () => {
  assert.ok(PARITY.length >= 5, `${PARITY.length} cases`)
})

for (const c of PARITY) {
  test(`parity with the Rust API: ${c.name}`, async () => {
    // camelCase keys, as JS callers write them: proves the core reads that spelling the same.
    const { data, info } = await thumbsmith.process(fixture(c.input), camelKeys(c.options))
    const { sha256: digest, bytes, ...facts } = c.expected
    assert.equal(sha256(data), digest)
    assert.equal(data.length, bytes)
    assert.equal(info.size, bytes)
    for (const [key, value] of Object.entries(camelKeys(facts))) {
      assert.deepEqual(info[key], value, key)
    }
    // Every field the core serialises, and nothing else (mimeType and size among them).
    assert.deepEqual(Object.keys(info).sort(), Object.keys(camelKeys(facts)).sort())
    assert.equal(info.mimeType, `image/${info.format}`)
  })
}

test('defaults() are the core defaults: passing them changes nothing', async () => {
  const defaults = thumbsmith.defaults()
  assert.equal(defaults.quality, 80)
  assert.equal(defaults.autoOrient, true)
  const input = fixture('exif-6.jpg')
  const withDefaults = await thumbsmith.process(input, { ...defaults, width: 40, height: 40 })
  const without = await thumbsmith.process(input, { width: 40, height: 40 })
  assert.equal(sha256(withDefaults.data), sha256(without.data))
  // No options at all is the core's default job (JPEG, no resize).
  for (const none of [undefined, null, {}]) {
    const { info } = await thumbsmith.process(input, none)
    assert.deepEqual([info.format, info.width, info.height], [defaults.format, 96, 64])
  }
})

test('index.d.ts declares every core option (no drift from the core)', () => {
  const dts = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8')
  const body = dts.slice(dts.indexOf('interface Options {'), dts.indexOf('interface Info {'))
  const declared = [...body.matchAll(/^\s{4}(\w+)\?:/gm)].map((m) => m[1]).sort()
  assert.deepEqual(declared, Object.keys(thumbsmith.defaults()).sort())
})

test('snake_case keys are read too, and undefined means not given', async () => {
  const input = fixture('photo.jpg')
  const camel = await thumbsmith.process(input, { width: 30, chromaSubsampling: '4:4:4', height: undefined })
  const snake = await thumbsmith.process(input, { width: 30, chroma_subsampling: '4:4:4' })
  assert.equal(sha256(camel.data), sha256(snake.data))
})

test('whole numbers above 2^32 reach the core as integers', async () => {
  const { info } = await thumbsmith.process(fixture('photo.jpg'), { width: 8, maxInputPixels: 5e9, maxInputBytes: 2 ** 40 })
  assert.equal(info.width, 8)
})

// ---- errors: every code, on real bad inputs -----------------------------------------------

const seen = new Set()

/** Asserts `promise` rejects with an Error carrying `code` (and `facts`), and returns it. */
async function rejectsWith(promise, code, facts = {}, message) {
  assert.ok(promise instanceof Promise, 'a failure is a rejection, never a synchronous throw')
  let error
  await assert.rejects(promise, (err) => {
    error = err
    return true
  })
  assert.ok(error instanceof Error, `an Error, got ${error}`)
  assert.equal(error.code, code, error.message)
  assert.ok(error.message.length > 0)
  if (message) assert.match(error.message, message)
  for (const [key, value] of Object.entries(facts)) assert.deepEqual(error[key], value, key)
  seen.add(code)
  return error
}

test('ERR_UNSUPPORTED_FORMAT names what the bytes are', async () => {
  await rejectsWith(thumbsmith.process(fixture('random.bin')), 'ERR_UNSUPPORTED_FORMAT', { format: 'unknown' }, /unsupported image format/)
  await rejectsWith(thumbsmith.metadata(fixture('text.txt')), 'ERR_UNSUPPORTED_FORMAT')
  await rejectsWith(thumbsmith(fixture('random.bin')).resize(512, 512).jpeg().toBuffer(), 'ERR_UNSUPPORTED_FORMAT')
})

test('ERR_CORRUPT_INPUT for empty and truncated input', async () => {
  await rejectsWith(thumbsmith.process(fixture('empty.bin')), 'ERR_CORRUPT_INPUT')
  await rejectsWith(thumbsmith.process(fixture('truncated.jpg'), { width: 16 }), 'ERR_CORRUPT_INPUT', { format: 'jpeg' }, /corrupt jpeg input/)
})

test('ERR_LIMIT_EXCEEDED names the option to raise, as JS spells it', async () => {
  const err = await rejectsWith(thumbsmith.process(fixture('bomb.png'), { width: 512 }), 'ERR_LIMIT_EXCEEDED', {
    option: 'maxInputPixels', value: 60000 * 60000, limit: thumbsmith.defaults().maxInputPixels,
  })
  assert.match(err.message, /max_input_pixels/) // the core's message, unchanged
  await rejectsWith(thumbsmith.process(fixturePath('photo.jpg'), { maxInputBytes: 100 }), 'ERR_LIMIT_EXCEEDED', { option: 'maxInputBytes' })
  await rejectsWith(thumbsmith.process(fixture('photo.jpg'), { maxInputPixels: 1000 }), 'ERR_LIMIT_EXCEEDED', { option: 'maxInputPixels', value: 160 * 120, limit: 1000 })
})

test('ERR_INVALID_OPTION names the key as the caller spelled it', async () => {
  const input = fixture('photo.jpg')
  await rejectsWith(thumbsmith.process(input, { widht: 10 }), 'ERR_INVALID_OPTION', {}, /`widht`/)
  await rejectsWith(thumbsmith.process(input, { maxInputPixel: 10 }), 'ERR_INVALID_OPTION', {}, /`maxInputPixel`/)
  await rejectsWith(thumbsmith.process(input, { fit: 'squash' }), 'ERR_INVALID_OPTION', {}, /squash/)
  await rejectsWith(thumbsmith.process(input, { quality: 0 }), 'ERR_INVALID_OPTION', {}, /quality/)
  // What JSON cannot hold is refused naming the key's path, not silently dropped or nulled.
  await rejectsWith(thumbsmith.process(input, { width: NaN }), 'ERR_INVALID_OPTION', {}, /`width` is NaN/)
  await rejectsWith(thumbsmith.process(input, { height: 1 / 0 }), 'ERR_INVALID_OPTION', {}, /`height` is inf/)
  await rejectsWith(thumbsmith.process(input, { crop: { left: 0, top: NaN, width: 5, height: 5 } }), 'ERR_INVALID_OPTION', {}, /`crop\.top`/)
  await rejectsWith(thumbsmith.process(input, { background: [255, undefined, 0] }), 'ERR_INVALID_OPTION', {}, /`background\[1\]` is undefined/)
  await rejectsWith(thumbsmith.process(input, { width: () => 1 }), 'ERR_INVALID_OPTION', {}, /`width` is a function/)
  await rejectsWith(thumbsmith.process(input, { width: 10n }), 'ERR_INVALID_OPTION', {}, /`width` is a bigint/)
  const cycle = { crop: {} }
  cycle.crop.crop = cycle
  await rejectsWith(thumbsmith.process(input, cycle), 'ERR_INVALID_OPTION', {}, /nested more than/)
  await rejectsWith(thumbsmith.process(input, 'jpeg'), 'ERR_INVALID_OPTION')
  assert.throws(() => thumbsmith(input).rotate('45'), (err) => err.code === 'ERR_INVALID_OPTION' && /invalid type: string/.test(err.message))
  await rejectsWith(thumbsmith(input).extract({ left: 150, top: 0, width: 50, height: 50 }).toBuffer(), 'ERR_INVALID_OPTION')
  await rejectsWith(thumbsmith(input).toFile('avatar.gif'), 'ERR_INVALID_OPTION', {}, /gif/)
})

test('ERR_ENCODE_FAILED when the format cannot hold the result', async () => {
  // 66000 px wide is beyond JPEG's 65535.
  const options = { width: 66000, height: 1, fit: 'fill', maxOutputDimension: 70000, format: 'jpeg' }
  await rejectsWith(thumbsmith.process(fixture('photo.jpg'), options), 'ERR_ENCODE_FAILED', { format: 'jpeg' }, /65535/)
})

test('ERR_IO for a missing input file and an unwritable output', async () => {
  await rejectsWith(thumbsmith.process('/nonexistent/photo.jpg'), 'ERR_IO', { path: '/nonexistent/photo.jpg', kind: 'not_found' })
  await rejectsWith(thumbsmith.metadata('/nonexistent/photo.jpg'), 'ERR_IO')
  await rejectsWith(thumbsmith(fixture('photo.jpg')).resize(8).toFile('/nonexistent/out.jpg'), 'ERR_IO', { path: '/nonexistent/out.jpg' })
})

test('a wrong input type rejects with ERR_INVALID_ARG_TYPE', async () => {
  for (const input of [42, undefined, null, {}, [1, 2]]) {
    const err = await rejectsWith(thumbsmith.process(input), 'ERR_INVALID_ARG_TYPE')
    seen.delete('ERR_INVALID_ARG_TYPE')
    assert.match(err.message, /Buffer, a Uint8Array or a file path/)
  }
})

test('every core code is reachable from JS but ERR_INTERNAL (a caught panic; mapped in the Rust unit tests)', () => {
  assert.deepEqual([...thumbsmith.codes], [
    'ERR_UNSUPPORTED_FORMAT', 'ERR_CORRUPT_INPUT', 'ERR_LIMIT_EXCEEDED', 'ERR_INVALID_OPTION',
    'ERR_ENCODE_FAILED', 'ERR_IO', 'ERR_INTERNAL',
  ])
  assert.deepEqual([...seen].sort(), thumbsmith.codes.filter((c) => c !== 'ERR_INTERNAL').sort())
})

test('a mislabelled file is decoded as what its bytes are', async () => {
  const { data, info } = await thumbsmith.process(fixture('mislabelled.jpg'), { width: 16, format: 'same' })
  assert.equal(info.sourceFormat, 'png')
  assert.equal(imageSize(data).format, 'png')
})
