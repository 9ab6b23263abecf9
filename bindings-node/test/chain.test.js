'use strict'
// The seed's Lambda call, and the sharp-style chain against the same job through `process`.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const thumbsmith = require('..')
const { fixture, fixturePath, imageSize, sha256 } = require('./helpers')

test("the seed's Lambda call makes a 512×512 JPEG", async () => {
  const buf = fixture('photo.jpg')
  const out = await thumbsmith(buf).resize(512, 512).jpeg().toBuffer()
  assert.ok(Buffer.isBuffer(out))
  assert.deepEqual(imageSize(out), { format: 'jpeg', width: 512, height: 512 })
})

test('an iPhone-style sideways photo comes out upright without .rotate()', async () => {
  // exif-6.jpg is stored 64×96 with orientation 6: shown 96×64 (landscape).
  const { data, info } = await thumbsmith(fixture('exif-6.jpg')).resize(96).jpeg().toBuffer({ resolveWithObject: true })
  assert.equal(info.orientation, 6)
  assert.deepEqual([info.sourceWidth, info.sourceHeight], [96, 64])
  assert.deepEqual(imageSize(data), { format: 'jpeg', width: 96, height: 64 })
})

/** Each chain and the options object it must amount to, written out by hand. */
const CASES = [
  {
    name: 'seed call',
    input: 'photo.jpg',
    chain: (t) => t.resize(512, 512).jpeg(),
    options: { width: 512, height: 512, format: 'jpeg' },
  },
  {
    name: 'no format call keeps the input format',
    input: 'scene.png',
    chain: (t) => t.resize(40),
    options: { width: 40, format: 'same' },
  },
  {
    name: 'rotate(), resize options, png options',
    input: 'exif-6.jpg',
    chain: (t) =>
      t.rotate().resize(60, 30, {
        fit: thumbsmith.fit.contain, position: thumbsmith.gravity.north, kernel: thumbsmith.kernel.mitchell,
        background: '#ff000080',
      }).png({ compressionLevel: 9 }),
    options: {
      autoOrient: true, width: 60, height: 30, fit: 'contain', position: 'north', kernel: 'mitchell',
      background: '#ff000080', format: 'png', compressionLevel: 9,
    },
  },
  {
    name: 'extract, flip, flop, flatten, lossless webp',
    input: 'alpha.png',
    chain: (t) => t.extract({ left: 4, top: 2, width: 50, height: 40 }).flip().flop().flatten({ background: [0, 255, 0] }).webp({ lossless: true }),
    options: { crop: { left: 4, top: 2, width: 50, height: 40 }, flip: true, flop: true, flatten: true, background: [0, 255, 0], format: 'webp', lossless: true },
  },
  {
    name: 'lossy webp with quality',
    input: 'scene.png',
    chain: (t) => t.resize(48, 48).webp({ quality: 50 }),
    options: { width: 48, height: 48, format: 'webp', quality: 50 },
  },
  {
    name: 'rotate(-90) is 270, as in sharp',
    input: 'photo.jpg',
    chain: (t) => t.rotate(-90).resize(30),
    options: { rotate: 270, width: 30, format: 'same' },
  },
  {
    name: 'resize(options) form, smart crop, jpeg options with sharp spelling',
    input: 'photo.jpg',
    chain: (t) =>
      t.resize({ width: 40, height: 40, position: thumbsmith.strategy.attention })
        .jpeg({ quality: 90, progressive: true, chromaSubsampling: '4:4:4', optimiseCoding: false }),
    options: { width: 40, height: 40, position: 'attention', format: 'jpeg', quality: 90, progressive: true, chromaSubsampling: '4:4:4', optimizeCoding: false },
  },
  {
    name: 'only the last resize counts, null side derived',
    input: 'photo.jpg',
    chain: (t) => t.resize(100, 100, { fit: 'fill' }).resize(null, 30).jpeg(),
    options: { height: 30, format: 'jpeg' },
  },
  {
    name: 'flip(false) undoes flip(), flatten(false) undoes flatten()',
    input: 'alpha.png',
    chain: (t) => t.flip().flip(false).flatten().flatten(false).png(),
    options: { flip: false, flatten: false, format: 'png' },
  },
  {
    name: 'constructor options are the base, toFormat',
    input: 'photo.jpg',
    base: { contentHash: true, maxInputPixels: 1e6, quality: 55 },
    chain: (t) => t.resize(32, 32).toFormat('jpg'),
    options: { contentHash: true, maxInputPixels: 1e6, quality: 55, width: 32, height: 32, format: 'jpg' },
  },
]

for (const c of CASES) {
  test(`chain ≡ process: ${c.name}`, async () => {
    const input = fixture(c.input)
    const viaChain = await c.chain(thumbsmith(input, c.base)).toBuffer({ resolveWithObject: true })
    const viaProcess = await thumbsmith.process(input, c.options)
    assert.equal(sha256(viaChain.data), sha256(viaProcess.data))
    assert.deepEqual(viaChain.info, viaProcess.info)
    assert.deepEqual(imageSize(viaChain.data), { format: viaChain.info.format, width: viaChain.info.width, height: viaChain.info.height })
    // Plain toBuffer() is the same bytes.
    const plain = await c.chain(thumbsmith(input, c.base)).toBuffer()
    assert.equal(sha256(plain), sha256(viaProcess.data))
  })
}

test('the cases differ from one another (the equivalence is not vacuous)', async () => {
  const hashes = await Promise.all(CASES.map(async (c) => sha256((await thumbsmith.process(fixture(c.input), c.options)).data)))
  assert.equal(new Set(hashes).size, CASES.length)
})

test("the default format is the named difference: the chain sends 'same', process keeps jpeg", async () => {
  const png = fixture('alpha.png')
  const viaChain = await thumbsmith(png).resize(32).toBuffer({ resolveWithObject: true })
  const viaProcess = await thumbsmith.process(png, { width: 32 })
  assert.deepEqual([viaChain.info.format, viaChain.info.mimeType], ['png', 'image/png'])
  assert.deepEqual([viaProcess.info.format, viaProcess.info.mimeType], [thumbsmith.defaults().format, 'image/jpeg'])
  const explicit = await thumbsmith.process(png, { width: 32, format: 'same' })
  assert.equal(sha256(explicit.data), sha256(viaChain.data))
})

test('a path input is the same job as its bytes', async () => {
  const fromPath = await thumbsmith(fixturePath('exif-6.jpg')).resize(32, 32).jpeg().toBuffer()
  const fromBytes = await thumbsmith(fixture('exif-6.jpg')).resize(32, 32).jpeg().toBuffer()
  assert.equal(sha256(fromPath), sha256(fromBytes))
  // A Uint8Array that is not a Buffer works too, and so do an ArrayBuffer and other views of
  // the same bytes (a canvas's Uint8ClampedArray), with their offset honoured.
  const bytes = new Uint8Array(fixture('exif-6.jpg'))
  assert.equal(sha256(await thumbsmith(bytes).resize(32, 32).jpeg().toBuffer()), sha256(fromBytes))
  const padded = new Uint8Array(bytes.length + 3)
  padded.set(bytes, 3)
  for (const view of [bytes.buffer, new Uint8ClampedArray(padded.buffer, 3), new DataView(padded.buffer, 3)]) {
    assert.equal(sha256(await thumbsmith(view).resize(32, 32).jpeg().toBuffer()), sha256(fromBytes), view.constructor.name)
  }
})

test('an input of another type is refused by the constructor, as sharp refuses it', () => {
  const refused = (err) => err.code === 'ERR_INVALID_ARG_TYPE'
  for (const args of [[undefined], [null], [1], [true], [new Error('not an image')], [undefined, {}], [null, {}]]) {
    assert.throws(() => thumbsmith(...args), refused, String(args))
  }
  // No argument, or options alone: an input to be streamed in.
  assert.doesNotThrow(() => thumbsmith())
  assert.doesNotThrow(() => thumbsmith({ limitInputPixels: 100 }))
  assert.doesNotThrow(() => thumbsmith(undefined, undefined))
})

test('toFile writes what toBuffer returns; the format follows the extension', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thumbsmith-'))
  try {
    const input = fixture('photo.jpg')
    const pngPath = path.join(dir, 'avatar.png')
    const info = await thumbsmith(input).resize(64, 64).toFile(pngPath)
    const expected = await thumbsmith.process(input, { width: 64, height: 64, format: 'png' })
    assert.equal(sha256(fs.readFileSync(pngPath)), sha256(expected.data))
    assert.deepEqual(info, expected.info)
    // An explicit format wins over the extension.
    const jpgPath = path.join(dir, 'avatar.webp')
    const jpegInfo = await thumbsmith(input).resize(64, 64).jpeg().toFile(jpgPath)
    assert.equal(jpegInfo.format, 'jpeg')
    assert.equal(imageSize(fs.readFileSync(jpgPath)).format, 'jpeg')
    // An extension that names no format keeps the input's (sharp does the same); `.jfif` is JPEG.
    const oddPath = path.join(dir, 'avatar.zoinks')
    assert.equal((await thumbsmith(fixture('scene.png')).resize(8).toFile(oddPath)).format, 'png')
    assert.equal(imageSize(fs.readFileSync(oddPath)).format, 'png')
    assert.equal((await thumbsmith(fixture('scene.png')).resize(8).toFile(path.join(dir, 'a.jfif'))).format, 'jpeg')
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test("metadata() through the chain is metadata(), plus sharp's names", async () => {
  const input = fixture('exif-6.jpg')
  const viaChain = await thumbsmith(input).metadata()
  const core = await thumbsmith.metadata(input)
  // Every core fact is there as the core says it, but the ones put in sharp's shape: absent
  // where the core says null, a JPEG's subsampling by libvips' two names.
  const reshaped = ['chromaSubsampling', 'background']
  for (const [key, value] of Object.entries(core)) {
    if (!reshaped.includes(key)) assert.deepEqual(viaChain[key], value ?? undefined, key)
  }
  assert.equal(core.background, null)
  assert.equal('background' in viaChain, false)
  assert.deepEqual([core.chromaSubsampling, viaChain.chromaSubsampling], ['4:4:4', '4:4:4'])
  // photo.jpg's chroma is halved across only: the core says 4:2:2, sharp's libvips 4:2:0.
  const photo = fixture('photo.jpg')
  const named = [(await thumbsmith.metadata(photo)).chromaSubsampling, (await thumbsmith(photo).metadata()).chromaSubsampling]
  assert.deepEqual(named, ['4:2:2', '4:2:0'])
  assert.equal(viaChain.density, 7620)
  assert.deepEqual(
    [viaChain.space, viaChain.channels, viaChain.depth, viaChain.hasProfile, viaChain.isProgressive, viaChain.autoOrient],
    ['srgb', 3, 'uchar', core.hasIcc, core.progressive, { width: 96, height: 64 }],
  )
  // No orientation in the file: none reported, as sharp (the core says 1).
  assert.equal((await thumbsmith(fixture('photo.jpg')).metadata()).orientation, undefined)
  assert.equal(viaChain.orientation, 6)
  assert.equal(viaChain.hasGps, true)
  assert.deepEqual([viaChain.width, viaChain.height, viaChain.orientedWidth, viaChain.orientedHeight], [64, 96, 96, 64])
})

test('Node-style callbacks, as sharp takes them', async () => {
  const input = fixture('photo.jpg')
  const expected = await thumbsmith.process(input, { width: 20, format: 'jpeg' })
  const [data, info] = await new Promise((resolve, reject) => {
    const chain = thumbsmith(input).resize(20).jpeg()
    const returned = chain.toBuffer((err, data, info) => (err ? reject(err) : resolve([data, info])))
    assert.equal(returned, chain)
  })
  assert.equal(sha256(data), sha256(expected.data))
  assert.deepEqual(info, expected.info)
  const err = await new Promise((resolve) => thumbsmith(fixture('random.bin')).toBuffer((e) => resolve(e)))
  assert.equal(err.code, 'ERR_UNSUPPORTED_FORMAT')
  const meta = await new Promise((resolve, reject) => thumbsmith(input).metadata((e, m) => (e ? reject(e) : resolve(m))))
  assert.equal(meta.format, 'jpeg')
})

test("sharp options the core does not know are refused by name where they are given", () => {
  // The core checks the options as each method adds to them: the call throws, as sharp's does.
  const chain = thumbsmith(fixture('photo.jpg'))
  const refused = (name) => (err) => err.code === 'ERR_INVALID_OPTION' && err.message.includes(name)
  assert.throws(() => chain.resize(10, 10, { fastShrinkOnLoad: false }), refused('fastShrinkOnLoad'))
  assert.throws(() => chain.resize(10, 10, { kernel: 'mks2013' }), refused('mks2013'))
  assert.throws(() => chain.webp({ quality: 101 }), refused('quality'))
  assert.throws(() => thumbsmith(fixture('photo.jpg'), { widht: 10 }), refused('widht'))
})

test("the constant tables hold values the core accepts", async () => {
  const input = fixture('photo.jpg')
  const jobs = [
    ...Object.values(thumbsmith.fit).map((fit) => ({ fit })),
    ...Object.values(thumbsmith.gravity).map((position) => ({ position })),
    ...Object.values(thumbsmith.strategy).map((position) => ({ position })),
    ...Object.values(thumbsmith.kernel).map((kernel) => ({ kernel })),
  ]
  for (const options of jobs) {
    const { info } = await thumbsmith.process(input, { width: 16, height: 24, ...options })
    assert.ok(info.width > 0, JSON.stringify(options))
  }
})

test('ESM: default and named exports are the CommonJS module', async () => {
  const esm = await import('../index.mjs')
  assert.equal(esm.default, thumbsmith)
  assert.equal(esm.process, thumbsmith.process)
  assert.equal(esm.thumbsmith, thumbsmith)
  const out = await esm.default(fixture('photo.jpg')).resize(512, 512).jpeg().toBuffer()
  assert.deepEqual(imageSize(out), { format: 'jpeg', width: 512, height: 512 })
})
