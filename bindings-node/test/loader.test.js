'use strict'
// native.js's choice, in a scratch copy of the package where no addon lies beside it: the
// platform packages first, then the WebAssembly fallback, and only when nothing loads the
// ERR_THUMBSMITH_NATIVE_MISSING error naming what was tried and what to install.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

/** A project with node_modules/thumbsmith (native.js + package.json) and the given modules. */
function scratch(t, modules) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thumbsmith-loader-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const pkg = path.join(dir, 'node_modules', 'thumbsmith')
  fs.mkdirSync(pkg, { recursive: true })
  for (const file of ['native.js', 'package.json']) fs.copyFileSync(path.join(__dirname, '..', file), path.join(pkg, file))
  for (const [name, source] of Object.entries(modules)) {
    fs.mkdirSync(path.join(dir, 'node_modules', name))
    fs.writeFileSync(path.join(dir, 'node_modules', name, 'index.js'), source)
  }
  return dir
}

/** What the copied native.js gives in `dir`: the module's `which`, or the error. */
function load(dir) {
  const script = `try { console.log(JSON.stringify({ which: require('./node_modules/thumbsmith/native.js').which })) }
    catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })) }`
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8' }))
}

const native = `thumbsmith-${process.platform}-${process.arch}-gnu`

test('the platform package is taken before the WebAssembly fallback', (t) => {
  const dir = scratch(t, {
    [native]: "module.exports = { which: 'native' }",
    'thumbsmith-wasm32': "module.exports = { which: 'wasm32' }",
  })
  assert.deepEqual(load(dir), { which: 'native' })
})

test('with no platform package the WebAssembly fallback is taken', (t) => {
  const dir = scratch(t, { 'thumbsmith-wasm32': "module.exports = { which: 'wasm32' }" })
  assert.deepEqual(load(dir), { which: 'wasm32' })
})

test('a platform package that fails to load falls through to the next candidate', (t) => {
  const dir = scratch(t, {
    [native]: "throw new Error('wrong ELF class')",
    'thumbsmith-wasm32': "module.exports = { which: 'wasm32' }",
  })
  assert.deepEqual(load(dir), { which: 'wasm32' })
})

test('when nothing loads, the error names every candidate and what to install', (t) => {
  const { code, message } = load(scratch(t, {}))
  assert.equal(code, 'ERR_THUMBSMITH_NATIVE_MISSING')
  assert.match(message, new RegExp(`${native}: Cannot find module`))
  assert.match(message, /thumbsmith-wasm32: Cannot find module/)
  assert.match(message, /npm install --include=optional thumbsmith/)
})
