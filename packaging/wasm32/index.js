'use strict'
// thumbsmith-wasm32: the native addon's API (`process`, `processToFile`, `metadata`, `defaults`,
// `errorCodes`) over the core compiled to WebAssembly, for platforms with no prebuilt addon. The
// `thumbsmith` package's loader (native.js) picks it when no native package loads; nothing here
// is meant to be required directly.
//
// Translation only, as the addon is: options go to the core untouched and its errors come back
// as they are. What differs is where the work runs: on the calling thread, one job at a time
// (the addon runs jobs on libuv's pool), after the current tick, so a caller never sees a result
// synchronously. Inputs given as a path are read (and outputs written) with node:fs here; the
// core's `maxInputBytes` still applies to the bytes read.

const { readFile, writeFile } = require('node:fs/promises')
const { join } = require('node:path')

const GLUE = join(__dirname, 'thumbsmith_wasm.js')

/** A fresh instance: wasm-bindgen's nodejs glue instantiates its module when required. */
function instantiate() {
  delete require.cache[GLUE]
  return require(GLUE)
}

let glue = instantiate()

/**
 * Calls the core. wasm32 cannot unwind: a panic or a failed allocation traps, which leaves the
 * instance unusable, so a trap is turned into the core's `ERR_INTERNAL` error (with the reason
 * the Rust side recorded before trapping) and the instance is replaced.
 */
function call(name, ...args) {
  try {
    return glue[name](...args)
  } catch (trap) {
    if (!(trap instanceof WebAssembly.RuntimeError)) throw trap
    let error = null
    try {
      error = glue.takeFatalError()
    } catch {
      // The trapped instance cannot even say why; the fresh one formats the error below.
    }
    glue = instantiate()
    error = error || glue.internalError(String(trap.message))
    error.cause = trap
    throw error
  }
}

/** Bytes as the core reads them; a string is a path, read here (the addon reads it in Rust). */
async function bytesOf(input) {
  return typeof input === 'string' ? readFile(input) : input
}

/** The addon's `{data, info}` from the wasm binding's flat result. */
function fromOutput({ data, thumbhash, ...fields }) {
  const info = { ...fields, thumbhash: thumbhash ? Array.from(thumbhash) : null, size: data.length }
  return { data: Buffer.from(data.buffer, data.byteOffset, data.byteLength), info }
}

/** Runs `job` after the current tick, as a promise (the addon's jobs always settle later). */
const later = (job) => new Promise((resolve) => setImmediate(resolve)).then(job)

module.exports = {
  process: (input, options) => later(async () => fromOutput(call('process', await bytesOf(input), options))),
  processToFile: (input, options, path) =>
    later(async () => {
      const { data, info } = fromOutput(call('process', await bytesOf(input), options))
      await writeFile(path, data)
      return { info }
    }),
  metadata: (input) => later(async () => call('metadata', await bytesOf(input))),
  defaults: () => call('defaults'),
  errorCodes: () => call('errorCodes'),
}
