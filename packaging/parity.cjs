'use strict'
// Runs the installed `thumbsmith` npm package on the shared parity cases and the avatar job.
//
//   node parity.cjs FIXTURES AVATAR_PHOTO
//
// Run from a scratch project by test-dist.sh, so `require('thumbsmith')` resolves to what npm
// installed from the tarballs, never the checkout. Every parity.json case must give the bytes the
// Rust API recorded; the avatar job (sharp's chain, 512×512) must come out at that size.
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
  const [fixtures, photo] = process.argv.slice(2)
  const cases = JSON.parse(fs.readFileSync(path.join(fixtures, 'parity.json'), 'utf8'))
  let failed = 0
  for (const c of cases) {
    const { data } = await thumbsmith.process(fs.readFileSync(path.join(fixtures, c.input)), camelKeys(c.options))
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
