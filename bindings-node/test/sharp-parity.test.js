'use strict'
// Real sharp (a dev dependency, from the npm registry) as the oracle for the chain: the same input
// and the same calls through both, compared on what a caller reads back: output width, height,
// channels and format, error or not, metadata fields, and the pixels within a stated bound. The
// deliberate differences (README: "Differences from sharp") are not compared here: each case
// either asks for sharp's behaviour explicitly (`autoOrient()`, a `background`) or uses an input
// where the difference does not arise (no EXIF orientation, no alpha to flatten).

const test = require('node:test')
const assert = require('node:assert/strict')
const { PassThrough } = require('node:stream')
const sharp = require('sharp')
const thumbsmith = require('..')
const { fixture, fixturePath } = require('./helpers')

/**
 * Pixels may differ by resampler and codec rounding, not by content: the mean absolute difference
 * over every channel of the two outputs, both decoded by sharp to 8-bit RGBA, is at most this
 * (of 255). A misplaced crop, a mirrored or turned image or a wrong colour gives tens.
 */
const MEAN_DIFFERENCE = 4

async function rgba(encoded) {
  return sharp(encoded).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
}

async function meanDifference(a, b) {
  const [x, y] = await Promise.all([rgba(a), rgba(b)])
  assert.deepEqual([x.info.width, x.info.height], [y.info.width, y.info.height])
  let sum = 0
  for (let i = 0; i < x.data.length; i++) sum += Math.abs(x.data[i] - y.data[i])
  return sum / x.data.length
}

/** Runs `chain` on a sharp and a thumbsmith instance of the same input; both must succeed. */
async function both(input, chain) {
  const [theirs, ours] = await Promise.all([
    chain(sharp(input), sharp).toBuffer({ resolveWithObject: true }),
    chain(thumbsmith(input), thumbsmith).toBuffer({ resolveWithObject: true }),
  ])
  return { theirs, ours }
}

/**
 * Each case: an input fixture and the calls, written once for both libraries (`lib` is the
 * module, for its constant tables). photo.jpg is 160×120; the sizes keep a cover crop on whole
 * pixels of the resized image, where sharp cuts it (see the differences test below).
 */
const CASES = [
  ['resize cover, centre', 'photo.jpg', (c) => c.resize(64, 48)],
  ['resize cover, centre, square', 'photo.jpg', (c) => c.resize(30, 30)],
  ['resize by width only', 'photo.jpg', (c) => c.resize(40)],
  ['resize by height only, PNG stays PNG', 'scene.png', (c) => c.resize({ height: 32 })],
  ['fit contain with a background, odd margin', 'photo.jpg', (c, lib) => c.resize(80, 40, { fit: lib.fit.contain, background: '#ff0000' })],
  ['fit inside', 'photo.jpg', (c, lib) => c.resize(80, 30, { fit: lib.fit.inside })],
  ['fit outside', 'photo.jpg', (c, lib) => c.resize(80, 30, { fit: lib.fit.outside })],
  ['fit fill', 'photo.jpg', (c, lib) => c.resize(80, 40, { fit: lib.fit.fill })],
  ['fit fill, width only: the height stays', 'photo.jpg', (c, lib) => c.resize({ width: 40, fit: lib.fit.fill })],
  ['fit fill, height only: the width stays', 'photo.jpg', (c, lib) => c.resize({ height: 60, fit: lib.fit.fill })],
  ['position table: top', 'photo.jpg', (c, lib) => c.resize(80, 20, { position: lib.position.top })],
  ['position table: right bottom', 'photo.jpg', (c, lib) => c.resize(30, 120, { position: lib.position['right bottom'] })],
  ['gravity table: northeast', 'photo.jpg', (c, lib) => c.resize(80, 20, { position: lib.gravity.northeast })],
  ['gravity table: southwest', 'photo.jpg', (c, lib) => c.resize(30, 120, { position: lib.gravity.southwest })],
  ['kernel table: nearest', 'photo.jpg', (c, lib) => c.resize(40, 30, { kernel: lib.kernel.nearest }).png()],
  ['kernel table: mitchell', 'photo.jpg', (c, lib) => c.resize(40, 30, { kernel: lib.kernel.mitchell })],
  ['kernel table: cubic', 'photo.jpg', (c, lib) => c.resize(40, 30, { kernel: lib.kernel.cubic }).png()],
  ['kernel table: lanczos2', 'photo.jpg', (c, lib) => c.resize(40, 30, { kernel: lib.kernel.lanczos2 }).png()],
  ['kernel table: lanczos2, enlarging', 'photo.jpg', (c, lib) => c.resize(300, 220, { kernel: lib.kernel.lanczos2 }).png()],
  ['png options without force keep the input format', 'photo.jpg', (c) => c.resize(40).png({ compressionLevel: 1, force: false })],
  ['png forced, then jpeg not forced: PNG', 'photo.jpg', (c) => c.resize(40).png({ force: true }).jpeg({ force: false })],
  ['withoutEnlargement, same aspect', 'exif-1.jpg', (c) => c.resize(960, 640, { withoutEnlargement: true })],
  ['extract', 'photo.jpg', (c) => c.extract({ left: 10, top: 5, width: 40, height: 30 })],
  ['extract then resize', 'photo.jpg', (c) => c.extract({ left: 10, top: 5, width: 40, height: 30 }).resize(20)],
  ['resize then extract: cut from the resized picture', 'photo.jpg', (c, lib) => c.resize(60, 60, { position: lib.gravity.east }).extract({ left: 10, top: 10, width: 40, height: 30 })],
  ['extract, resize, extract', 'photo.jpg', (c) => c.extract({ left: 0, top: 0, width: 120, height: 100 }).resize(60, 50).extract({ left: 5, top: 5, width: 30, height: 20 })],
  ['extract twice without a resize', 'photo.jpg', (c) => c.extract({ left: 10, top: 10, width: 100, height: 80 }).extract({ left: 20, top: 5, width: 40, height: 30 })],
  ['resize, extract, rotate(30): the turn comes before the cut', 'photo.jpg', (c) => c.resize(80, 60).extract({ left: 10, top: 10, width: 40, height: 30 }).rotate(30, { background: '#000000' })],
  ['a CSS colour name as the background', 'photo.jpg', (c, lib) => c.resize(80, 40, { fit: lib.fit.contain, background: 'rebeccapurple' })],
  ['an rgba() colour flattened', 'alpha.png', (c) => c.flatten({ background: 'rgba(255, 128, 0, 1)' }).png()],
  ['autoOrient() on EXIF 6', 'exif-6.jpg', (c) => c.autoOrient().resize(48)],
  ['rotate() on EXIF 8', 'exif-8.jpg', (c) => c.rotate()],
  ['rotate(90)', 'photo.jpg', (c) => c.rotate(90)],
  ['rotate(-450)', 'photo.jpg', (c) => c.rotate(-450).resize(30)],
  ['rotate(180)', 'scene.png', (c) => c.rotate(180)],
  ['rotate(30): the bounding box, black corners', 'photo.jpg', (c) => c.rotate(30, { background: '#000000' })],
  ['rotate(-17.5) with a red background', 'photo.jpg', (c) => c.rotate(-17.5, { background: '#ff0000' })],
  ['resize then rotate(30): the turn comes after', 'photo.jpg', (c) => c.resize(64, 48).rotate(30, { background: '#000000' })],
  ['rotate(45) then resize: the turned picture is resized', 'exif-1.jpg', (c) => c.rotate(45, { background: '#000000' }).resize(64)],
  ['rotate(135) after autoOrient on EXIF 6', 'exif-6.jpg', (c) => c.autoOrient().rotate(135, { background: '#000000' }).resize(48, 48)],
  ['rotate(30) with a see-through background to PNG', 'photo.jpg', (c) => c.rotate(30, { background: { r: 255, g: 0, b: 0, alpha: 0 } }).png()],
  ['flip', 'photo.jpg', (c) => c.flip()],
  ['flop', 'photo.jpg', (c) => c.flop()],
  ['flip and flop after autoOrient', 'exif-5.jpg', (c) => c.autoOrient().flip().flop()],
  ['flatten with a background', 'alpha.png', (c) => c.flatten({ background: '#00ff00' }).png()],
  ['alpha kept in PNG', 'alpha.png', (c) => c.resize(40).png()],
  ['removeAlpha', 'alpha.png', (c) => c.resize(40).removeAlpha().png()],
  ['ensureAlpha', 'scene.png', (c) => c.ensureAlpha().webp({ lossless: true })],
  ['ensureAlpha then JPEG', 'scene.png', (c) => c.ensureAlpha().jpeg()],
  ['jpeg options', 'photo.jpg', (c) => c.jpeg({ quality: 50, progressive: true, chromaSubsampling: '4:4:4' })],
  ['png options', 'scene.png', (c) => c.png({ compressionLevel: 9 })],
  ['lossy webp', 'photo.jpg', (c) => c.webp({ quality: 70 })],
  ['lossless webp', 'scene.png', (c) => c.webp({ lossless: true })],
  ['webp effort 0', 'photo.jpg', (c) => c.resize(64).webp({ effort: 0 })],
  ['webp effort 6, smartSubsample', 'photo.jpg', (c) => c.resize(64).webp({ effort: 6, smartSubsample: true })],
  ['webp nearLossless at quality 50', 'photo.jpg', (c) => c.resize(64).webp({ nearLossless: true, quality: 50 })],
  ['webp lossless at effort 0', 'alpha.png', (c) => c.webp({ lossless: true, effort: 0 })],
  ['webp alphaQuality 50', 'alpha.png', (c) => c.webp({ alphaQuality: 50 })],
  ['webp preset picture, smartDeblock', 'scene.png', (c) => c.webp({ preset: 'picture', smartDeblock: true, quality: 40 })],
  ['webp exact', 'alpha.png', (c) => c.webp({ exact: true })],
  ['toFormat by name', 'photo.jpg', (c) => c.toFormat('png')],
  ['toFormat by upper-case name', 'photo.jpg', (c) => c.toFormat('PNG')],
  ['toFormat by format table', 'scene.png', (c, lib) => c.toFormat(lib.format.jpeg)],
  ['WebP input', 'lossy.webp', (c) => c.resize(32).png()],
  ['GIF input to PNG', 'animated.gif', (c) => c.resize(16).png()],
]

test('like sharp: a created image', async () => {
  const create = { width: 12, height: 5, channels: 4, background: { r: 200, g: 100, b: 50, alpha: 0.5 } }
  const [theirs, ours] = await Promise.all([
    sharp({ create }).resize(24).png().toBuffer({ resolveWithObject: true }),
    thumbsmith({ create }).resize(24).png().toBuffer({ resolveWithObject: true }),
  ])
  for (const key of ['format', 'width', 'height', 'channels']) assert.equal(ours.info[key], theirs.info[key], key)
  assert.ok((await meanDifference(ours.data, theirs.data)) <= 1)
  // What sharp refuses, thumbsmith refuses (sharp in the constructor, thumbsmith in the job).
  const bad = { create: { ...create, channels: 2 } }
  await assert.rejects(async () => sharp(bad).png().toBuffer())
  await assert.rejects(async () => thumbsmith(bad).png().toBuffer())
})

for (const [name, input, chain] of CASES) {
  test(`like sharp: ${name}`, async () => {
    const { theirs, ours } = await both(fixture(input), chain)
    for (const key of ['format', 'width', 'height', 'channels', 'hasAlpha']) {
      assert.equal(ours.info[key], theirs.info[key], key)
    }
    assert.equal(ours.info.size, ours.data.length)
    const difference = await meanDifference(ours.data, theirs.data)
    assert.ok(difference <= MEAN_DIFFERENCE, `mean difference ${difference.toFixed(2)} > ${MEAN_DIFFERENCE}`)
  })
}

/** The header facts sharp names the same way, for every fixture kind. */
const METADATA_FIELDS = ['format', 'width', 'height', 'space', 'channels', 'depth', 'hasAlpha', 'hasProfile',
  'isProgressive', 'orientation', 'autoOrient', 'pages', 'density', 'chromaSubsampling', 'isPalette', 'bitsPerSample',
  'background', 'size']
for (const input of ['photo.jpg', 'progressive.jpg', 'exif-6.jpg', 'patches-gray.jpg', 'patches-adobergb.jpg',
  'patches-cmyk.jpg', 'alpha.png', 'gray-alpha.png', 'scene.png', 'palette-trns.png', 'rgb16.png', 'lossy.webp',
  'alpha.webp', 'animated.gif']) {
  test(`metadata() like sharp: ${input}`, async () => {
    const [theirs, ours] = await Promise.all([sharp(fixture(input)).metadata(), thumbsmith(fixture(input)).metadata()])
    for (const key of METADATA_FIELDS) assert.deepEqual(ours[key], theirs[key], key)
    // From a path: no `size`, in both.
    const path = fixturePath(input)
    const [theirPath, ourPath] = await Promise.all([sharp(path).metadata(), thumbsmith(path).metadata()])
    for (const key of METADATA_FIELDS) assert.deepEqual(ourPath[key], theirPath[key], `${key} (path)`)
  })
}

test('the documented differences from sharp (README) hold', async () => {
  // Gray stays gray: 1 or 2 channels where sharp writes sRGB (3 or 4), the same picture.
  for (const [input, ours, theirs] of [['patches-gray.jpg', 1, 3], ['gray-alpha.png', 2, 4]]) {
    const both_ = await both(fixture(input), (c) => c.resize(40))
    assert.deepEqual([both_.ours.info.channels, both_.theirs.info.channels], [ours, theirs], input)
    assert.ok((await meanDifference(both_.ours.data, both_.theirs.data)) <= MEAN_DIFFERENCE, input)
  }
  // withoutEnlargement with another aspect: the target shrinks to the source's size keeping its
  // own aspect (a 64×64 crop of 96×64); sharp leaves the image as it is (96×64).
  const enlarge = await both(fixture('exif-1.jpg'), (c) => c.resize(500, 500, { withoutEnlargement: true }))
  assert.deepEqual([enlarge.ours.info.width, enlarge.ours.info.height], [64, 64])
  assert.deepEqual([enlarge.theirs.info.width, enlarge.theirs.info.height], [96, 64])
  // EXIF orientation is applied without autoOrient()/rotate(); sharp keeps the stored pixels.
  const upright = await both(fixture('exif-6.jpg'), (c) => c)
  assert.deepEqual([upright.ours.info.width, upright.ours.info.height], [upright.theirs.info.height, upright.theirs.info.width])
  // The background is white unless given (sharp: black), for contain and flatten.
  const clear = { create: { width: 4, height: 4, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }
  const flat = await both(await sharp(clear).png().toBuffer(), (c) => c.flatten().png())
  const corner = async (data) => [...(await sharp(data).raw().toBuffer()).subarray(0, 3)]
  const [oursCorner, theirsCorner] = await Promise.all([corner(flat.ours.data), corner(flat.theirs.data)])
  assert.deepEqual([oursCorner, theirsCorner], [[255, 255, 255], [0, 0, 0]])
})

test('like sharp: keepIccProfile() keeps the profile and the pixels in it', async () => {
  const input = fixture('patches-adobergb.jpg')
  const { theirs, ours } = await both(input, (c) => c.resize(32).keepIccProfile())
  const [theirMeta, ourMeta] = await Promise.all([sharp(theirs.data).metadata(), sharp(ours.data).metadata()])
  assert.deepEqual([ourMeta.hasProfile, ourMeta.space], [theirMeta.hasProfile, theirMeta.space])
  assert.equal(ourMeta.hasProfile, true)
  assert.ok((await meanDifference(ours.data, theirs.data)) <= MEAN_DIFFERENCE)
  // Without it, both write sRGB pixels: the same picture, converted.
  const plain = await both(input, (c) => c.resize(32))
  assert.ok((await meanDifference(plain.ours.data, plain.theirs.data)) <= MEAN_DIFFERENCE)
})

test('like sharp: toUint8Array() gives transferable memory', async () => {
  const { isMarkedAsUntransferable } = require('node:worker_threads')
  const [theirs, ours] = await Promise.all([sharp, thumbsmith].map((lib) => lib(fixture('photo.jpg')).resize(8, 8).toUint8Array()))
  for (const { data, info } of [theirs, ours]) {
    assert.ok(data instanceof Uint8Array)
    assert.equal(data.byteLength, info.size)
    if (isMarkedAsUntransferable) assert.equal(isMarkedAsUntransferable(data.buffer), false)
  }
  assert.deepEqual([ours.info.width, ours.info.height, ours.info.format], [theirs.info.width, theirs.info.height, theirs.info.format])
  // It can be moved to another thread, as sharp's can.
  const { port1, port2 } = new MessageChannel()
  const moved = new Promise((resolve) => port2.once('message', resolve))
  port1.postMessage(ours.data, [ours.data.buffer])
  assert.equal((await moved).byteLength, ours.info.size)
  port1.close()
  port2.close()
})

test('like sharp: a streamed input piped to a streamed output, with its info event', async () => {
  const run = (lib) =>
    new Promise((resolve, reject) => {
      const chunks = []
      let info
      const instance = lib().resize(40, 30).png()
      instance.on('info', (i) => { info = i }).on('error', reject)
      const out = new PassThrough()
      out.on('data', (c) => chunks.push(c)).on('end', () => resolve({ data: Buffer.concat(chunks), info }))
      const source = new PassThrough()
      source.pipe(instance).pipe(out)
      source.end(fixture('photo.jpg'))
    })
  const [theirs, ours] = await Promise.all([run(sharp), run(thumbsmith)])
  for (const key of ['format', 'width', 'height', 'channels']) assert.equal(ours.info[key], theirs.info[key], key)
  assert.ok((await meanDifference(ours.data, theirs.data)) <= MEAN_DIFFERENCE)
})

test('like sharp: clone() shares a streamed input between two outputs', async () => {
  const run = async (lib) => {
    const source = lib()
    const outputs = [source.clone().resize(20).png().toBuffer(), source.clone().resize(30).jpeg().toBuffer()]
    source.end(fixture('photo.jpg'))
    return Promise.all(outputs.map((o) => o.then((data) => sharp(data).metadata())))
  }
  const [theirs, ours] = await Promise.all([run(sharp), run(thumbsmith)])
  assert.deepEqual(ours.map((m) => [m.format, m.width]), theirs.map((m) => [m.format, m.width]))
})

test('like sharp: errors where sharp errs, and only there', async () => {
  // Thrown by the call itself, in both.
  for (const call of [(c) => c.webp({ quality: 101 }), (c) => c.jpeg({ quality: 0 }), (c) => c.toFormat('zoinks')]) {
    assert.throws(() => call(sharp(fixture('photo.jpg'))))
    assert.throws(() => call(thumbsmith(fixture('photo.jpg'))))
  }
  // Rejected by the job, in both.
  for (const [input, call] of [
    ['text.txt', (c) => c.resize(10)],
    ['empty.bin', (c) => c.resize(10)],
    ['photo.jpg', (c) => c.extract({ left: 500, top: 0, width: 10, height: 10 })],
  ]) {
    // sharp refuses an empty buffer in the constructor, thumbsmith when the job runs: both fail.
    await assert.rejects(async () => call(sharp(fixture(input))).toBuffer(), `sharp: ${input}`)
    await assert.rejects(async () => call(thumbsmith(fixture(input))).toBuffer(), `thumbsmith: ${input}`)
  }
  await assert.rejects(thumbsmith('/nonexistent/a.jpg').toBuffer())
  await assert.rejects(sharp('/nonexistent/a.jpg').toBuffer())
})

test('like sharp: raw pixels out, and raw pixels in', async () => {
  for (const [input, chain] of [
    ['photo.jpg', (c) => c.resize(40, 30).raw()],
    ['alpha.png', (c) => c.resize(24).raw()],
    ['exif-6.jpg', (c) => c.autoOrient().resize(20).toFormat('raw')],
  ]) {
    const { theirs, ours } = await both(fixture(input), chain)
    for (const key of ['format', 'width', 'height', 'channels', 'size']) assert.equal(ours.info[key], theirs.info[key], key)
    let sum = 0
    for (let i = 0; i < ours.data.length; i++) sum += Math.abs(ours.data[i] - theirs.data[i])
    assert.ok(sum / ours.data.length <= MEAN_DIFFERENCE, `${input}: mean difference ${sum / ours.data.length}`)
  }
  // Pixels in: the same pixels, to PNG and back to raw, in both.
  const pixels = Uint8Array.from({ length: 7 * 5 * 3 }, (_, i) => (i * 37) % 256)
  const raw = { width: 7, height: 5, channels: 3 }
  const [theirs, ours] = await Promise.all([
    sharp(pixels, { raw }).png().toBuffer(),
    thumbsmith(pixels, { raw }).png().toBuffer(),
  ])
  const back = async (png) => (await sharp(png).raw().toBuffer())
  assert.deepEqual(await back(ours), await back(theirs))
  assert.deepEqual(new Uint8Array(await back(ours)), pixels)
  // A length that does not match the description fails in both.
  await assert.rejects(async () => sharp(pixels.subarray(1), { raw }).png().toBuffer())
  await assert.rejects(async () => thumbsmith(pixels.subarray(1), { raw }).png().toBuffer())
})

test('repeated calls emit sharp\'s warnings, and only those', () => {
  const region = { left: 0, top: 0, width: 1, height: 1 }
  const calls = [
    (c) => c.resize(1).resize(2),
    (c) => c.rotate(90).rotate(180),
    (c) => c.rotate().extract(region).extract(region).extract(region),
    (c) => c.extract(region).extract(region).resize(1),
    (c) => c.resize(10).extract(region).rotate(30),
  ]
  for (const call of calls) {
    const heard = (lib) => {
      const warnings = []
      const instance = lib()
      instance.on('warning', (w) => warnings.push(w))
      call(instance)
      return warnings
    }
    assert.deepEqual(heard(thumbsmith), heard(sharp), call.toString())
  }
})

test('the module-level functions answer in sharp\'s shapes', () => {
  for (const key of ['files', 'items']) assert.deepEqual(Object.keys(thumbsmith.cache()[key]).sort(), Object.keys(sharp.cache()[key]).sort())
  assert.equal(typeof thumbsmith.concurrency(), typeof sharp.concurrency())
  assert.deepEqual(Object.keys(thumbsmith.counters()).sort(), Object.keys(sharp.counters()).sort())
  assert.equal(typeof thumbsmith.simd(), typeof sharp.simd())
  for (const id of ['jpeg', 'png', 'webp', 'gif', 'raw']) {
    for (const way of ['file', 'buffer', 'stream']) assert.equal(thumbsmith.format[id].input[way], sharp.format[id].input[way], id)
    assert.equal(thumbsmith.format[id].id, sharp.format[id].id)
  }
  for (const table of ['fit', 'gravity', 'position', 'strategy']) {
    assert.deepEqual(Object.keys(thumbsmith[table]).sort(), Object.keys(sharp[table]).sort(), table)
  }
  // sharp's kernel spellings, where thumbsmith has the kernel (not the mks ones).
  for (const [name, value] of Object.entries(thumbsmith.kernel)) assert.equal(value, sharp.kernel[name], name)
})

/**
 * A thumbnail Lambda as it is written for sharp (the idioms of sharp's README and AWS's
 * thumbnail tutorial): the module is its only parameter, so it runs unchanged on either.
 */
async function sharpStyleLambda(lib, body) {
  const meta = await lib(body).metadata()
  if (!['jpeg', 'png', 'webp', 'gif'].includes(meta.format)) throw new Error(`unsupported ${meta.format}`)
  // Smaller than every input here: withoutEnlargement with a larger box is a documented difference.
  const sizes = [[48, 36], [32, 32]]
  const outputs = await Promise.all(
    sizes.map(([width, height]) =>
      lib(body)
        .rotate()
        .resize({ width, height, fit: lib.fit.cover, position: lib.strategy.attention, withoutEnlargement: true })
        .toFormat(lib.format.webp, { quality: 80 })
        .toBuffer({ resolveWithObject: true }),
    ),
  )
  const streamed = await new Promise((resolve, reject) => {
    const chunks = []
    const source = new PassThrough()
    source.pipe(lib().resize(40).jpeg({ quality: 75, progressive: true })).on('error', reject)
      .on('data', (c) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)))
    source.end(body)
  })
  return { meta: [meta.format, meta.width, meta.height], outputs: outputs.map(({ info }) => [info.format, info.width, info.height]), streamed: (await sharp(streamed).metadata()).width }
}

test('a sharp thumbnail Lambda runs unchanged with thumbsmith in place of sharp', async () => {
  for (const input of ['photo.jpg', 'scene.png', 'exif-1.jpg']) {
    const [theirs, ours] = await Promise.all([sharpStyleLambda(sharp, fixture(input)), sharpStyleLambda(thumbsmith, fixture(input))])
    assert.deepEqual(ours, theirs, input)
  }
})
