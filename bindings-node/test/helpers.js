'use strict'
// Shared by the tests: fixtures, and image sizes read from the bytes by hand (not by thumbsmith,
// so a wrong size in `info` cannot hide behind the same code).

const fs = require('node:fs')
const path = require('node:path')
const crypto = require('node:crypto')

const FIXTURES = path.join(__dirname, '..', '..', 'core', 'tests', 'fixtures')
const fixturePath = (name) => path.join(FIXTURES, name)
const fixture = (name) => fs.readFileSync(fixturePath(name))
const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex')

/** snake_case → camelCase for every object key at any depth (parity.json is written by Rust). */
function camelKeys(value) {
  if (Array.isArray(value)) return value.map(camelKeys)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase()), camelKeys(v)]),
  )
}

/** Format and pixel size of encoded JPEG / PNG / WebP bytes, from their headers. */
function imageSize(bytes) {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    // Walk the JPEG segments to the first start-of-frame marker (SOF0–SOF15 minus DHT/JPG/DAC).
    let i = 2
    while (i + 9 < bytes.length) {
      if (bytes[i] !== 0xff) throw new Error(`bad JPEG marker at ${i}`)
      const marker = bytes[i + 1]
      if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
        return { format: 'jpeg', height: bytes.readUInt16BE(i + 5), width: bytes.readUInt16BE(i + 7) }
      }
      i += 2 + bytes.readUInt16BE(i + 2)
    }
    throw new Error('JPEG without a frame header')
  }
  if (bytes.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex'))) {
    return { format: 'png', width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }
  }
  if (bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') {
    const chunk = bytes.toString('latin1', 12, 16)
    if (chunk === 'VP8L') {
      const bits = bytes.readUInt32LE(21)
      return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 }
    }
    if (chunk === 'VP8 ') {
      return { format: 'webp', width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff }
    }
    if (chunk === 'VP8X') {
      return { format: 'webp', width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1 }
    }
  }
  throw new Error('not a JPEG, PNG or WebP')
}

module.exports = { FIXTURES, fixture, fixturePath, sha256, camelKeys, imageSize }
