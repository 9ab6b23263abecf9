'use strict'
// Loads the compiled core: the addon of this platform's optional package (npm installs the one
// whose os, cpu and libc fit; packaging/node-packages.mjs writes them from `napi.targets`), or a
// build beside this file; where none loads, the same core as WebAssembly (`thumbsmith-wasm32`,
// installed by npm on every OS but Linux: same API and bytes, slower). Only when even that fails
// is there an error, saying what to install, not sharp's "Could not load the module".

const { existsSync } = require('node:fs')
const { join } = require('node:path')

const FALLBACK = 'thumbsmith-wasm32'
const PREBUILT = require('./package.json').napi.targets.map((target) =>
  target.replace(/^x86_64/, 'x64').replace(/^aarch64/, 'arm64').replace(/^(\w+)-unknown-(\w+)-(\w+)$/, '$2-$1-$3'),
)

/**
 * The platforms to try, in order. On Linux both libcs are tried rather than detected: detection
 * costs a process report on every cold start, a missing package is a cheap resolve failure, and
 * an addon of the wrong libc (a bundle copied across) fails to load and the next is tried.
 */
function platforms() {
  const base = `${process.platform}-${process.arch}`
  return process.platform === 'linux' ? [`${base}-gnu`, `${base}-musl`] : [base]
}

function load() {
  const failures = []
  for (const platform of platforms()) {
    // A build beside this file wins: `make build` in a checkout, or a bundle that vendors it.
    const local = join(__dirname, `thumbsmith.${platform}.node`)
    const candidate = existsSync(local) ? local : `thumbsmith-${platform}`
    try {
      return require(candidate)
    } catch (cause) {
      failures.push({ platform, candidate, cause })
    }
  }
  try {
    return require(FALLBACK)
  } catch (cause) {
    throw missing(failures, cause)
  }
}

function missing(failures, fallbackCause) {
  const report = process.report && process.report.getReport()
  const musl = process.platform === 'linux' && !(report && report.header.glibcVersionRuntime)
  const platform = failures[musl ? failures.length - 1 : 0].platform
  const hint = PREBUILT.includes(platform)
    ? `The optional dependency thumbsmith-${platform} is not installed: reinstall with ` +
      '`npm install --include=optional thumbsmith`, or, when packaging on another machine, with ' +
      `\`npm install --os=linux --cpu=${process.arch} --libc=${musl ? 'musl' : 'glibc'} thumbsmith\`.`
    : `thumbsmith is prebuilt for ${PREBUILT.join(', ')}, not ${platform}: install its WebAssembly ` +
      `core with \`npm install --force ${FALLBACK}\` (slower), or build the addon from source ` +
      'with `make -C bindings-node build`.'
  const tried = [...failures, { candidate: FALLBACK, cause: fallbackCause }]
    .map(({ candidate, cause }) => `${candidate}: ${cause.message}`)
    .join('; ')
  const error = new Error(`thumbsmith cannot load its native core for ${platform} (${tried}). ${hint}`, {
    cause: failures[0].cause,
  })
  error.code = 'ERR_THUMBSMITH_NATIVE_MISSING'
  return error
}

module.exports = load()
