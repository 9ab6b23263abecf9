'use strict'
// Runs the installed `thumbsmith` npm package on the shared parity cases and the avatar job.
//
//   node parity.cjs FIXTURES AVATAR_PHOTO [--wasm32-fallback]
//
// Run from a scratch project by test-dist.sh, so `require('thumbsmith')` resolves to what npm
// installed from the tarballs, never the checkout. Every parity.json case must give the bytes the
// Rust API recorded; the avatar job (sharp's chain, 512×512) must come out at that size. With
// --wasm32-fallback (the natives withheld), a TIFF or JPEG XL case must be refused with
// ERR_UNSUPPORTED_FORMAT instead: the fallback leaves those decoders out for its size budget
// (build-wasm32.sh).
const fs = require('node:fs')
const path = require('node:path')
const crypto = require('node:crypto')
const thumbsmith = require(require.resolve('thumbsmith', { paths: [process.cwd()] }))

const camelKeys = (value) =>
  Array.isArray(value)
    ? value.map(camelKeys)
    : value === null || typeof value !== 'object'
      ? value
      : Object.fromEntries(
          Object.entries(value).map(([k, v]) => [k.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase()), camelKeys(v)]),
        )

async function main() {
  const [fixtures, photo, mode] = process.argv.slice(2)
  const notDecoded = mode === '--wasm32-fallback' ? ['tiff', 'jxl'] : []
  const cases = JSON.parse(fs.readFileSync(path.join(fixtures, 'parity.json'), 'utf8'))
  let failed = 0
  for (const c of cases) {
    const input = fs.readFileSync(path.join(fixtures, c.input))
    if (notDecoded.includes(c.expected.source_format)) {
      const error = await thumbsmith.process(input, camelKeys(c.options)).then(() => ({ code: 'none' }), (e) => e)
      const refused = error.code === 'ERR_UNSUPPORTED_FORMAT'
      if (!refused) failed++
      console.log(`${refused ? 'ok  ' : 'FAIL'} ${c.name}: not decoded by the fallback (${error.code})`)
      continue
    }
    const { data } = await thumbsmith.process(input, camelKeys(c.options))
    const same = crypto.createHash('sha256').update(data).digest('hex') === c.expected.sha256
    if (!same) failed++
    console.log(`${same ? 'ok  ' : 'FAIL'} ${c.name} (${data.length} bytes)`)
  }
  const input = fs.readFileSync(photo)
  const started = performance.now()
  const { info } = await thumbsmith(input).resize(512, 512).jpeg().toBuffer({ resolveWithObject: true })
  const elapsed = performance.now() - started
  const upright = info.width === 512 && info.height === 512 && info.format === 'jpeg'
  if (!upright) failed++
  console.log(`avatar job: ${info.width}x${info.height} ${info.format}, ${info.size} bytes, ${elapsed.toFixed(0)} ms`)
  console.log(`${process.platform}-${process.arch} ${require.resolve('thumbsmith', { paths: [process.cwd()] })}:`)
  console.log(`${cases.length + 1 - failed} passed, ${failed} failed`)
  process.exit(failed ? 1 : 0)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
