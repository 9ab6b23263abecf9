'use strict'
// The sharp-style chain: each method translates one sharp call into keys of the core's options;
// `toBuffer`/`toFile`/a stream read run `process` once with them. The core validates: the
// assembled options are checked by it as each method is called (so a bad value throws there, as
// in sharp), and it refuses what it does not know by name. Nothing here touches pixels.

const { Duplex } = require('node:stream')
const { EventEmitter } = require('node:events')
const { extname } = require('node:path')
const native = require('./native')

/** Copies `source` into `target`, skipping keys whose value is `undefined` (sharp's "not given"). */
function assign(target, source) {
  for (const [key, value] of Object.entries(source || {})) {
    if (value !== undefined) target[key] = value
  }
  return target
}

/** Calls `callback(err, ...values)` Node-style when one is given, else returns the promise. */
function settle(self, promise, callback, spread) {
  if (typeof callback !== 'function') return promise
  promise.then((result) => callback(null, ...spread(result)), (error) => callback(error))
  return self
}

/** Jobs started and not yet settled, for `counters()` and `queue`'s `change` event. */
let running = 0
const queue = new EventEmitter()
function counters() {
  return { queue: 0, process: running }
}
function track(promise) {
  running++
  queue.emit('change', running)
  const done = () => {
    running--
    queue.emit('change', running)
  }
  promise.then(done, done)
  return promise
}

/** sharp's colour for the corners `rotate(angle)` uncovers when no background is given. */
const SHARP_ROTATE_BACKGROUND = '#000000'

/** The options a `resize` call replaces: sharp keeps only the last resize of a pipeline. */
const RESIZE_KEYS = ['width', 'height', 'fit', 'position', 'kernel', 'withoutEnlargement', 'withoutReduction']

/** Per-format option names sharp spells otherwise than the core (WebP's are the core's
 * `webp*` options); a name sharp has and the core does not is passed on for the core to refuse. */
const SHARP_KEYS = {
  jpeg: { optimiseCoding: 'optimizeCoding' },
  webp: {
    effort: 'webpEffort', alphaQuality: 'webpAlphaQuality', nearLossless: 'webpNearLossless',
    smartDeblock: 'webpSmartDeblock', preset: 'webpPreset', exact: 'webpExact',
  },
}
function renameSharpKeys(format, options) {
  const { force, ...rest } = options || {}
  const names = SHARP_KEYS[format === 'jpg' ? 'jpeg' : format] || {}
  return Object.fromEntries(Object.entries(rest).map(([key, value]) => [names[key] ?? key, value]))
}

/** sharp's `limitInputPixels`: a number is the limit, `true` the default, `false`/0 none. */
function inputPixels(limit) {
  if (limit === undefined || limit === true) return undefined
  return limit === false || limit === 0 ? Number.MAX_SAFE_INTEGER : limit
}

/** sharp's constructor options as core keys; thumbsmith's own keys pass through. `sequentialRead`
 * is a libvips access hint with no effect on the result, so it has nothing to translate into. */
function constructorOptions(options) {
  const { limitInputPixels, sequentialRead, raw, ...rest } = options || {}
  return assign(rest, { maxInputPixels: inputPixels(limitInputPixels), rawInput: raw })
}

/** sharp's names for the colour models the core reports, by bits per sample (libvips'
 * interpretations: 16-bit gray is `grey16`, 16-bit RGB `rgb16`). */
const SPACE = Object.freeze({ rgb: 'srgb', gray: 'b-w', cmyk: 'cmyk' })
const SPACE16 = Object.freeze({ rgb: 'rgb16', gray: 'grey16', cmyk: 'cmyk' })
const MODEL_CHANNELS = Object.freeze({ rgb: 3, gray: 1, cmyk: 4 })

/**
 * The core's header facts under sharp's names as well: `space`, `channels`, `depth`, `mediaType`,
 * `isProgressive`, `hasProfile`, `pages` (when several), `autoOrient` ({width, height} upright),
 * `isPalette`, `bitsPerSample`, and `orientation`, `density`, `chromaSubsampling` and
 * `background` only when the file gives them (sharp leaves them out; the core reports 1 or
 * null). `background` in sharp's shape: `{r, g, b}`, or `{gray}` as a percentage. Renaming
 * and reshaping only: every value is one the core read from the header.
 */
function sharpMetadata(metadata) {
  const { orientation, density, chromaSubsampling, background, ...rest } = metadata
  const [r, g, b] = background || []
  return assign(rest, {
    mediaType: `image/${metadata.format}`,
    space: (metadata.bitDepth > 8 ? SPACE16 : SPACE)[metadata.colorModel],
    channels: MODEL_CHANNELS[metadata.colorModel] + (metadata.hasAlpha ? 1 : 0),
    depth: metadata.bitDepth > 8 ? 'ushort' : 'uchar',
    isProgressive: metadata.progressive,
    hasProfile: metadata.hasIcc,
    pages: metadata.frames > 1 ? metadata.frames : undefined,
    orientation: orientation === 1 ? undefined : orientation,
    density: density ?? undefined,
    chromaSubsampling: sharpChroma(metadata.format, chromaSubsampling),
    background: background ? (g === undefined ? { gray: Math.round((r * 100) / 255) } : { r, g, b }) : undefined,
    isPalette: metadata.palette,
    // libvips reports bits per sample for the formats that have palettes (PNG, GIF).
    bitsPerSample: ['png', 'gif'].includes(metadata.format) ? metadata.bitDepth : undefined,
    autoOrient: { width: metadata.orientedWidth, height: metadata.orientedHeight },
  })
}

/** An object literal (not an array, a typed array, an Error…): sharp's options or `{create}`. */
function isPlainObject(value) {
  return Object.prototype.toString.call(value) === '[object Object]'
}

/** A JPEG's subsampling as libvips names it: `4:2:0` for any subsampled chroma, `4:4:4` for
 * none (a gray file too), `:4` after either for a fourth component. The core's name is exact. */
function sharpChroma(format, exact) {
  if (format !== 'jpeg') return undefined
  if (!exact) return '4:4:4'
  const base = exact.startsWith('4:4:4') ? '4:4:4' : '4:2:0'
  return exact.split(':').length === 4 ? `${base}:4` : base
}

/** Is `value` an input (bytes or a path), as opposed to an options object? */
function isInput(value) {
  return typeof value === 'string' || ArrayBuffer.isView(value) || value instanceof ArrayBuffer || Array.isArray(value)
}

/** The same bytes as a Uint8Array, without a copy: sharp reads an ArrayBuffer and any typed
 * array (a Uint8ClampedArray from a canvas…) as the bytes of the encoded file. */
function bytesOf(input) {
  if (input instanceof ArrayBuffer) return new Uint8Array(input)
  if (ArrayBuffer.isView(input) && !(input instanceof Uint8Array)) {
    return new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
  }
  return input
}

/** File extensions sharp maps to an output format. Another extension (`.zoinks`) keeps the
 * input's format, as in sharp; one of these that the core does not write is refused by it. */
const FORMAT_EXTENSIONS = new Map([['jpe', 'jpeg'], ['jfif', 'jpeg'], ['tif', 'tiff'],
  ...['jpeg', 'jpg', 'png', 'webp', 'gif', 'avif', 'heif', 'heic', 'tiff', 'jp2', 'jpx', 'j2k', 'j2c', 'jxl', 'dz',
    'raw', 'v'].map((id) => [id, id])])

class Thumbsmith extends Duplex {
  /** The input, or a promise of it when it is streamed in. */
  #input
  #chunks
  #options
  #streaming = false

  /**
   * @param {Buffer|Uint8Array|string} [input] encoded image bytes or a file path; none: written in
   * @param {object} [options] sharp's constructor options, or thumbsmith options to start from
   */
  constructor(...args) {
    super()
    let [input, options] = args
    // sharp's reading of its arguments: none (or two undefined) is an input streamed in; an
    // object alone is the options of one; any other input that is not bytes or a path is
    // refused now by the binding's type check (ERR_INVALID_ARG_TYPE), as sharp's constructor
    // refuses it: `(undefined)`, `(null)`, `(1)`, `(true)`, `(new Error())`, `(null, {})`.
    if (isPlainObject(input) && options === undefined) {
      ;[input, options] = [undefined, input]
    } else if (args.length > 0 && !(input === undefined && options === undefined && args.length === 2) &&
      !isPlainObject(input) && !isInput(input)) {
      native.checkInput(input)
    }
    // `{create: {width, height, channels, background}}`: the core makes the input image.
    const { create, ...rest } = options || {}
    if (create !== undefined) {
      if (native.validateCreate) native.validateCreate(create)
      ;[input, options] = [{ create }, rest]
    }
    this.#options = constructorOptions(options)
    check(this.#options)
    if (input === undefined) {
      this.#chunks = []
      this.#input = new Promise((resolve) => this.once('finish', () => resolve(Buffer.concat(this.#chunks))))
    } else {
      this.#input = bytesOf(input)
    }
  }

  _write(chunk, _encoding, callback) {
    if (!this.#chunks) return callback(new Error('Unexpected data on Writable Stream: the input was given'))
    if (!(chunk instanceof Uint8Array)) return callback(new Error('Non-Buffer data on Writable Stream'))
    this.#chunks.push(chunk)
    callback()
  }

  _read() {
    if (this.#streaming) return
    this.#streaming = true
    this.#run(this.#options.format ?? 'same').then(
      ({ data, info }) => {
        this.emit('info', info)
        this.push(data)
        this.push(null)
      },
      // As sharp: the error is emitted and the readable side still ends.
      (error) => {
        this.emit('error', error)
        this.push(null)
      },
    )
  }

  /** A new chain with these options, reading the same input (a streamed one once it has ended). */
  clone() {
    const options = structuredClone(this.#options)
    const copy = this.#chunks ? new Thumbsmith(options) : new Thumbsmith(this.#input, options)
    if (this.#chunks) {
      this.once('finish', () => {
        copy.#chunks = this.#chunks
        copy.end()
      })
    }
    return copy
  }

  /** Upright from the EXIF orientation (thumbsmith does this anyway). */
  autoOrient() {
    return this.#set({ autoOrient: true })
  }

  /** `rotate()`: upright from EXIF (thumbsmith does this anyway); `rotate(angle)`: turn clockwise
   * by any angle. As in sharp, an angle that is not a multiple of 90 turns the resized picture,
   * unless `resize()` or `extract()` comes after it (then they work on the turned picture), and
   * the corners it uncovers are black unless `options.background` says otherwise. */
  rotate(angle, options) {
    if (angle === undefined) return this.#set({ autoOrient: true })
    if (this.#options.rotate) this.emit('warning', 'ignoring previous rotate options')
    // sharp takes any multiple of 90 (-450 is 270); the core checks what it receives.
    const quarter = Number.isInteger(angle) && angle % 90 === 0
    const rotate = quarter ? ((angle % 360) + 360) % 360 : angle
    delete this.#options.rotateAfterResize
    delete this.#options.rotateBackground
    if (quarter) return this.#set({ rotate })
    return this.#set({ rotate, rotateAfterResize: true, rotateBackground: (options && options.background) ?? SHARP_ROTATE_BACKGROUND })
  }

  /** sharp's `rotateBefore`: a resize or extract after a turn works on the turned picture. */
  #turnFirst() {
    if (this.#options.rotateAfterResize) this.#options.rotateAfterResize = false
  }

  /** `resize(width, height, options)` or `resize(options)`; a null/undefined side is derived. */
  resize(width, height, options) {
    if (width !== null && typeof width === 'object') {
      options = width
      width = options.width
      height = options.height
    }
    // sharp's warnings, on the instance's 'warning' event.
    if (this.#resizeExpected()) this.emit('warning', 'ignoring previous resize options')
    if (this.#options.cropAfterResize) this.emit('warning', 'operation order will be: extract, resize, extract')
    for (const key of RESIZE_KEYS) delete this.#options[key]
    this.#turnFirst()
    return this.#set({ ...options, width: width ?? undefined, height: height ?? undefined })
  }

  /** `extract({left, top, width, height})`: as in sharp, the first extract before a resize cuts
   * the upright input (`crop`); one after a resize, or a second one, cuts the resized picture
   * (`cropAfterResize`). A third replaces the second, with sharp's warning. */
  extract(region) {
    const key = this.#resizeExpected() || this.#options.crop ? 'cropAfterResize' : 'crop'
    if (this.#options[key]) this.emit('warning', 'ignoring previous extract options')
    this.#turnFirst()
    return this.#set({ [key]: { ...region } })
  }

  /** sharp's `isResizeExpected`: a width or a height was asked for. */
  #resizeExpected() {
    return this.#options.width !== undefined || this.#options.height !== undefined
  }

  /** Mirror top-bottom (`flip(false)` undoes an earlier `flip()`). */
  flip(flip) {
    return this.#set({ flip: flip ?? true })
  }

  /** Mirror left-right. */
  flop(flop) {
    return this.#set({ flop: flop ?? true })
  }

  /** Flatten alpha onto `background` (the core's default when not given: white, not sharp's black). */
  flatten(options) {
    if (typeof options === 'boolean') return this.#set({ flatten: options })
    return this.#set({ ...options, flatten: true })
  }

  /** Keep the input's ICC profile and its pixels in that colour space (sharp's
   * `keepIccProfile()`): the core's `keepIcc` without the conversion to sRGB. */
  keepIccProfile() {
    return this.#set({ keepIcc: true, toSrgb: false })
  }

  /** Drop the alpha channel without blending (`removeAlpha`). */
  removeAlpha() {
    return this.#set({ removeAlpha: true, ensureAlpha: false })
  }

  /** An opaque alpha channel where there is none (`ensureAlpha()`; only the opaque value, 1, is
   * available: another is handed on for the core to refuse by name). */
  ensureAlpha(alpha) {
    return this.#set({ ensureAlpha: alpha === undefined || alpha === 1 ? true : alpha, removeAlpha: false })
  }

  /** JPEG output: `{quality, progressive, chromaSubsampling, smartSubsample, optimizeCoding}`. */
  jpeg(options) {
    return this.toFormat('jpeg', options)
  }

  /** PNG output: `{compressionLevel}`. */
  png(options) {
    return this.toFormat('png', options)
  }

  /** WebP output: `{quality, lossless, effort, alphaQuality, nearLossless, smartSubsample,
   * smartDeblock, preset, exact}` (libwebp's settings; the browser build has image-webp's
   * lossless encoder only). */
  webp(options) {
    return this.toFormat('webp', options)
  }

  /** The pixels themselves, 8 bits per channel, interleaved (`info.channels` says how many). */
  raw(options) {
    return this.toFormat('raw', options)
  }

  /** `toFormat('jpeg' | 'jpg' | 'png' | 'webp' | 'raw' | sharp.format.jpeg …, options)`. */
  toFormat(format, options) {
    // sharp's format names are case-insensitive (`'PNG'`).
    const named = format !== null && typeof format === 'object' ? format.id : format
    const id = typeof named === 'string' ? named.toLowerCase() : named
    // `force: false`: the options apply, the format stays the input's (sharp's "use these
    // options if the output happens to be this format").
    if (options && options.force === false) return this.#set(renameSharpKeys(id, options))
    return this.#set({ ...renameSharpKeys(id, options), format: id })
  }

  /** The input's header facts, no pixels decoded. */
  metadata(callback) {
    // sharp's `size`: the input's length in bytes, for a Buffer or a stream (not a file).
    const job = Promise.resolve(this.#input).then(async (input) => ({
      ...sharpMetadata(await native.metadata(input)),
      ...(input instanceof Uint8Array ? { size: input.length } : {}),
    }))
    return settle(this, job, callback, (metadata) => [metadata])
  }

  /**
   * The encoded image. With `{resolveWithObject: true}`: `{data, info}`. Without a format call the
   * input's format is kept (sharp does the same), i.e. `format: "same"`.
   */
  toBuffer(options, callback) {
    if (typeof options === 'function') [options, callback] = [undefined, options]
    const job = this.#run(this.#options.format ?? 'same')
    if (typeof callback === 'function') return settle(this, job, callback, ({ data, info }) => [data, info])
    return options && options.resolveWithObject ? job : job.then(({ data }) => data)
  }

  /** `{data, info}` with `data` a Uint8Array of its own memory, transferable to a worker: the
   * Buffer `toBuffer` gives is the addon's external memory, which Node versions with
   * `isMarkedAsUntransferable` mark untransferable. */
  toUint8Array() {
    return this.#run(this.#options.format ?? 'same').then(({ data, info }) => ({ data: new Uint8Array(data), info }))
  }

  /** Writes the image to `path` and resolves its info. Without a format call the format is the
   * file's extension (sharp does the same), or the input's when there is none. */
  toFile(path, callback) {
    const extension = extname(String(path)).slice(1).toLowerCase()
    const byExtension = FORMAT_EXTENSIONS.get(extension) ?? 'same'
    const options = this.#job(this.#options.format ?? byExtension)
    const job = track(Promise.resolve(this.#input).then((input) => native.processToFile(input, options, path)))
    return settle(this, job.then(({ info }) => info), callback, (info) => [info])
  }

  #run(format) {
    const options = this.#job(format)
    return track(Promise.resolve(this.#input).then((input) => native.process(input, options)))
  }

  #set(fields) {
    check(assign({ ...this.#options }, fields))
    assign(this.#options, fields)
    return this
  }

  #job(format) {
    return { ...this.#options, format }
  }
}

/** Has the core check `options` now, throwing its error (the loaded core may predate `validate`). */
function check(options) {
  if (native.validate) native.validate(options)
}

module.exports = { Thumbsmith, counters, queue }
