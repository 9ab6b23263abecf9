'use strict'
// thumbsmith for Node: the Promise API is the native one as is; the sharp-style chain below only
// assembles an options object (camelCase keys, as the core reads them) and calls the same
// `process`. No defaults, parsing or validation here: a key a method was not given is left out,
// and whatever the core does not accept is refused by the core, naming the key.

const { extname } = require('node:path')
const native = require('./native')

/** Every error `code` a job can reject with (plus ERR_INVALID_ARG_TYPE for a wrong input type). */
const codes = Object.freeze(native.errorCodes())

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

/** The options a `resize` call replaces: sharp keeps only the last resize of a pipeline. */
const RESIZE_KEYS = ['width', 'height', 'fit', 'position', 'kernel', 'withoutEnlargement', 'withoutReduction']

/** sharp spells one JPEG option the British way; the core spells it `optimizeCoding`. */
function renameSharpKeys(options) {
  const { optimiseCoding, ...rest } = options || {}
  return optimiseCoding === undefined ? rest : { optimizeCoding: optimiseCoding, ...rest }
}

class Thumbsmith {
  #input
  #options

  /**
   * @param {Buffer|Uint8Array|string} input encoded image bytes or a file path
   * @param {object} [options] thumbsmith options (camelCase) the chain starts from
   */
  constructor(input, options) {
    this.#input = input
    this.#options = assign({}, options)
  }

  /** `rotate()`: upright from EXIF (thumbsmith does this anyway); `rotate(angle)`: turn clockwise. */
  rotate(angle) {
    if (angle === undefined) return this.#set({ autoOrient: true })
    // sharp takes any multiple of 90 (-450 is 270); the core checks what it receives.
    return this.#set({ rotate: Number.isInteger(angle) ? ((angle % 360) + 360) % 360 : angle })
  }

  /** `resize(width, height, options)` or `resize(options)`; a null/undefined side is derived. */
  resize(width, height, options) {
    if (width !== null && typeof width === 'object') {
      options = width
      width = options.width
      height = options.height
    }
    for (const key of RESIZE_KEYS) delete this.#options[key]
    return this.#set({ ...options, width: width ?? undefined, height: height ?? undefined })
  }

  /** `extract({left, top, width, height})`: cut from the upright input, before any resize. */
  extract(region) {
    return this.#set({ crop: { ...region } })
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

  /** JPEG output: `{quality, progressive, chromaSubsampling, smartSubsample, optimizeCoding}`. */
  jpeg(options) {
    return this.toFormat('jpeg', options)
  }

  /** PNG output: `{compressionLevel}`. */
  png(options) {
    return this.toFormat('png', options)
  }

  /** WebP output: `{quality, lossless}` (this build encodes lossless WebP only). */
  webp(options) {
    return this.toFormat('webp', options)
  }

  /** `toFormat('jpeg' | 'jpg' | 'png' | 'webp', options)`. */
  toFormat(format, options) {
    return this.#set({ ...renameSharpKeys(options), format })
  }

  /** The input's header facts, no pixels decoded. */
  metadata(callback) {
    return settle(this, native.metadata(this.#input), callback, (metadata) => [metadata])
  }

  /**
   * The encoded image. With `{resolveWithObject: true}`: `{data, info}`. Without a format call the
   * input's format is kept (sharp does the same), i.e. `format: "same"`.
   */
  toBuffer(options, callback) {
    if (typeof options === 'function') [options, callback] = [undefined, options]
    const job = native.process(this.#input, this.#job(this.#options.format ?? 'same'))
    if (typeof callback === 'function') return settle(this, job, callback, ({ data, info }) => [data, info])
    return options && options.resolveWithObject ? job : job.then(({ data }) => data)
  }

  /** Writes the image to `path` and resolves its info. Without a format call the format is the
   * file's extension (sharp does the same), or the input's when there is none. */
  toFile(path, callback) {
    const byExtension = extname(String(path)).slice(1).toLowerCase() || 'same'
    const job = native
      .processToFile(this.#input, this.#job(this.#options.format ?? byExtension), path)
      .then(({ info }) => info)
    return settle(this, job, callback, (info) => [info])
  }

  #set(fields) {
    assign(this.#options, fields)
    return this
  }

  #job(format) {
    return { ...this.#options, format }
  }
}

/**
 * A sharp-style chain over `process`: `thumbsmith(buf).resize(512, 512).jpeg().toBuffer()`.
 * @param {Buffer|Uint8Array|string} input
 * @param {object} [options] thumbsmith options the chain starts from
 */
function thumbsmith(input, options) {
  return new Thumbsmith(input, options)
}

// Value names for sharp's constant tables, as the strings the core reads
// (`position: thumbsmith.strategy.attention`). Only values the core accepts are listed.
const fit = Object.freeze({ cover: 'cover', contain: 'contain', fill: 'fill', inside: 'inside', outside: 'outside' })
const gravity = Object.freeze({
  centre: 'centre', center: 'centre', north: 'north', northeast: 'north-east', east: 'east',
  southeast: 'south-east', south: 'south', southwest: 'south-west', west: 'west', northwest: 'north-west',
})
const strategy = Object.freeze({ entropy: 'entropy', attention: 'attention' })
const kernel = Object.freeze({
  nearest: 'nearest', linear: 'bilinear', cubic: 'catmull-rom', mitchell: 'mitchell', lanczos3: 'lanczos3',
})

module.exports = Object.assign(thumbsmith, {
  thumbsmith,
  default: thumbsmith,
  Thumbsmith,
  /** `process(input, options?)` → `Promise<{data, info}>`, on the libuv thread pool. */
  process: native.process,
  /** `metadata(input)` → `Promise<Metadata>`, on the libuv thread pool. */
  metadata: native.metadata,
  /** The core's defaults, camelCase (the only defaults there are). */
  defaults: native.defaults,
  codes,
  fit,
  gravity,
  strategy,
  kernel,
})
