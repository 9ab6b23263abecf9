'use strict'
// Loads the compiled core. Prebuilt for Lambda's two architectures (glibc Linux on x64 and arm64);
// anything else gets a message saying what to install, not sharp's "Could not load the module".

const { existsSync } = require('node:fs')
const { join } = require('node:path')

const PREBUILT = ['linux-x64-gnu', 'linux-arm64-gnu']

function load() {
  // Only glibc builds exist, so there is no libc to detect before trying one (detection costs a
  // process report on every cold start); a musl system fails to load it and is told why below.
  const platform = `${process.platform}-${process.arch}-gnu`
  // A build beside this file wins: `make build` in a checkout, or a bundle that vendors it.
  const local = join(__dirname, `thumbsmith.${platform}.node`)
  const candidate = existsSync(local) ? local : `thumbsmith-${platform}`
  try {
    return require(candidate)
  } catch (cause) {
    throw missing(platform, candidate, cause)
  }
}

function missing(platform, candidate, cause) {
  const report = process.report && process.report.getReport()
  const musl = process.platform === 'linux' && !(report && report.header.glibcVersionRuntime)
  const hint = musl
    ? `thumbsmith is prebuilt for glibc Linux only (${PREBUILT.join(', ')}); this Node runs on musl.`
    : PREBUILT.includes(platform)
      ? `The optional dependency thumbsmith-${platform} is not installed: reinstall with ` +
        '`npm install --include=optional thumbsmith`, or, when packaging on another machine, with ' +
        `\`npm install --os=linux --cpu=${process.arch} --libc=glibc thumbsmith\`.`
      : `thumbsmith is prebuilt for ${PREBUILT.join(' and ')} (AWS Lambda's two architectures), ` +
        `not ${platform}; build it from source with \`make -C bindings-node build\`.`
  const error = new Error(
    `thumbsmith cannot load its native core for ${platform} (${candidate}: ${cause.message}). ${hint}`,
    { cause },
  )
  error.code = 'ERR_THUMBSMITH_NATIVE_MISSING'
  return error
}

module.exports = load()
