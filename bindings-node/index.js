'use strict'
// thumbsmith for Node: the Promise API is the native one as is; the sharp-style chain (chain.js)
// only assembles an options object (camelCase keys, as the core reads them) and calls the same
// `process`. No defaults, parsing or validation here: a key a method was not given is left out,
// and whatever the core does not accept is refused by the core, naming the key.

const native = require('./native')
const { Thumbsmith, counters, queue } = require('./chain')

/** Every error `code` a job can reject with (plus ERR_INVALID_ARG_TYPE for a wrong input type). */
const codes = Object.freeze(native.errorCodes())

/**
 * A sharp-style chain over `process`: `thumbsmith(buf).resize(512, 512).jpeg().toBuffer()`.
 * Without an input the chain is a writable stream: pipe the encoded image into it.
 * @param {Buffer|Uint8Array|string} [input]
 * @param {object} [options] sharp's constructor options, or thumbsmith options the chain starts from
 */
function thumbsmith(...args) {
  // The arguments as given: sharp tells `sharp()` (an input streamed in) from `sharp(undefined)`.
  return new Thumbsmith(...args)
}

// Value names for sharp's constant tables, as the strings the core reads
// (`position: thumbsmith.strategy.attention`). Only values the core accepts are listed.
const fit = Object.freeze({ cover: 'cover', contain: 'contain', fill: 'fill', inside: 'inside', outside: 'outside' })
const gravity = Object.freeze({
  centre: 'centre', center: 'centre', north: 'north', northeast: 'north-east', east: 'east',
  southeast: 'south-east', south: 'south', southwest: 'south-west', west: 'west', northwest: 'north-west',
})
const position = Object.freeze({
  top: 'north', right: 'east', bottom: 'south', left: 'west', 'right top': 'north-east',
  'right bottom': 'south-east', 'left bottom': 'south-west', 'left top': 'north-west',
})
const strategy = Object.freeze({ entropy: 'entropy', attention: 'attention' })
// sharp's spellings, which the core reads as aliases (`linear` is `bilinear`, `cubic` is
// `catmull-rom`), so code that logs or compares them sees sharp's strings.
const kernel = Object.freeze({
  nearest: 'nearest', linear: 'linear', cubic: 'cubic', mitchell: 'mitchell', lanczos2: 'lanczos2', lanczos3: 'lanczos3',
})

/** sharp's `format` table for the formats the core reads (all four) and writes (not GIF), and
 * raw pixels (in and out of memory, never a file, as in sharp). */
const format = Object.freeze(
  Object.fromEntries(
    ['jpeg', 'png', 'webp', 'gif', 'raw'].map((id) => {
      const writes = id !== 'gif'
      const io = (can) => Object.freeze({ file: can && id !== 'raw', buffer: can, stream: can })
      return [id, Object.freeze({ id, input: io(true), output: io(writes) })]
    }),
  ),
)

/** `cache(options)`: sharp's libvips operation cache. thumbsmith keeps nothing between jobs, so
 * every figure is 0 whatever is asked. */
function cache() {
  return { memory: { current: 0, high: 0, max: 0 }, files: { current: 0, max: 0 }, items: { current: 0, max: 0 } }
}

/** `concurrency(n)`: threads per job. A thumbsmith job runs on one pool thread; always 1. */
function concurrency() {
  return 1
}

/** `simd(enable)`: whether the SIMD resize kernels run on this CPU (the core picks them). */
function simd() {
  return native.simd ? native.simd() : false
}

const versions = Object.freeze({ thumbsmith: require('./package.json').version })

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
  position,
  strategy,
  kernel,
  format,
  versions,
  cache,
  concurrency,
  counters,
  queue,
  simd,
})
