'use strict'
// Runs every parity.json case through this platform's addon and compares the bytes with the
// Rust API's (scripts/verify-arm64.sh runs it under qemu-aarch64). Exits non-zero on a mismatch.
const fs = require('node:fs')
const path = require('node:path')
const thumbsmith = require('..')
const { FIXTURES, fixture, sha256, camelKeys } = require('../test/helpers')

async function main() {
  const cases = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'parity.json'), 'utf8'))
  let failed = 0
  for (const c of cases) {
    const { data } = await thumbsmith.process(fixture(c.input), camelKeys(c.options))
    const same = sha256(data) === c.expected.sha256
    if (!same) failed++
    console.log(`${same ? 'ok  ' : 'FAIL'} ${c.name} (${data.length} bytes)`)
  }
  const err = await thumbsmith.process(fixture('bomb.png')).catch((e) => e)
  if (err.code !== 'ERR_LIMIT_EXCEEDED') failed++
  console.log(`${process.arch}: ${cases.length - failed} of ${cases.length} parity cases byte-identical; bomb.png → ${err.code}`)
  process.exit(failed ? 1 : 0)
}

main()
