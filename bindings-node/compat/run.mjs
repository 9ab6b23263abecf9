// sharp's own unit tests, run against sharp and against thumbsmith (issue 30's measure).
//
//   node compat/run.mjs [file …]     (make sharp-compat; the mirror is SHARP_MIRROR)
//
// Into a scratch folder (SHARP_COMPAT_DIR, default .cache/sharp-compat, git-ignored) it extracts
// `test/` of sharp at SHARP_TAG from a git mirror of lovell/sharp and installs sharp@SHARP_TAG
// from npm with the two dev dependencies its metadata tests read. Two roots share those tests:
//   sharp/       `require('../../')` is sharp (its own dist/)
//   thumbsmith/  `require('../../')` and `../../dist/index.cjs` are this package; every other
//                dist/ file (is.cjs, libvips.cjs, sharp.cjs) is sharp's, and the fixtures helper
//                requires real sharp, so fingerprints and colour distances are sharp's measure.
// Each test file runs once per root; the table counts, per file, the tests that pass with sharp
// and how many of those pass with thumbsmith. Every failure is written to failures.txt with the
// first line of its error, and the most common errors are printed.
// Nothing of sharp is copied into this repository: its tests and fixtures live in the scratch
// folder only.

import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, readdirSync, cpSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
// The package under test: this one, or another checkout's (SHARP_COMPAT_PACKAGE, e.g. a baseline).
const packageDir = resolve(process.env.SHARP_COMPAT_PACKAGE || join(here, '..'))
const TAG = process.env.SHARP_TAG || '0.35.3'
const MIRROR = process.env.SHARP_MIRROR || '/work/.mirror/lovell+sharp/repo'
const scratch = resolve(process.env.SHARP_COMPAT_DIR || join(here, '..', '.cache', 'sharp-compat'))
const FILES = ['resize', 'resize-cover', 'resize-contain', 'extract', 'rotate', 'jpeg', 'png', 'webp', 'gif',
  'alpha', 'metadata', 'io', 'toBuffer', 'toFormat', 'failOn']
// node 20's --test-timeout bounds each file as well as each test in it (rotate.js alone takes
// ~8 s): long enough for a whole file on a loaded machine; a test that never settles (a callback
// or stream event not emitted) ends its file's run there, the tests after it "did not run".
const TIMEOUT = { sharp: 120000, thumbsmith: Number(process.env.SHARP_COMPAT_TIMEOUT || 120000) }

/** sharp's `test/` at the tag, blob by blob: a blob missing from the mirror is reported, not fatal. */
function extractTests(target) {
  if (existsSync(join(target, '.complete'))) return
  rmSync(target, { recursive: true, force: true })
  const listing = execFileSync('git', ['-C', MIRROR, 'ls-tree', '-r', '-z', `v${TAG}`, 'test'], {
    maxBuffer: 64 << 20,
  }).toString()
  const missing = []
  for (const entry of listing.split('\0').filter(Boolean)) {
    const [meta, path] = entry.split('\t')
    const [, type, hash] = meta.split(' ')
    if (type !== 'blob') continue
    mkdirSync(dirname(join(target, path)), { recursive: true })
    try {
      writeFileSync(join(target, path), execFileSync('git', ['-C', MIRROR, 'cat-file', 'blob', hash], {
        maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'],
      }))
    } catch {
      missing.push(path)
    }
  }
  if (missing.length) console.log(`not in the mirror (tests reading them fail with both): ${missing.join(', ')}`)
  writeFileSync(join(target, '.complete'), '')
}

function installSharp() {
  if (existsSync(join(scratch, 'node_modules', 'sharp', 'dist', 'index.cjs'))) return
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ private: true }))
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `sharp@${TAG}`,
    'exif-reader@2', 'icc@4'], { cwd: scratch, stdio: 'inherit' })
}

function makeRoot(name, extracted) {
  const root = join(scratch, name)
  rmSync(root, { recursive: true, force: true })
  mkdirSync(join(root, 'dist'), { recursive: true })
  cpSync(join(extracted, 'test'), join(root, 'test'), { recursive: true })
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: `compat-${name}`, main: 'dist/index.cjs' }))
  const sharpDist = join(scratch, 'node_modules', 'sharp', 'dist')
  for (const file of readdirSync(sharpDist)) {
    if (name === 'thumbsmith' && file === 'index.cjs') continue
    symlinkSync(join(sharpDist, file), join(root, 'dist', file))
  }
  if (name === 'thumbsmith') {
    writeFileSync(join(root, 'dist', 'index.cjs'), `module.exports = require(${JSON.stringify(packageDir)})\n`)
    const helper = join(root, 'test', 'fixtures', 'index.js')
    const text = readFileSync(helper, 'utf8')
    const patched = text.replace("require('../../')", "require('sharp')")
    if (patched === text) throw new Error('the fixtures helper no longer requires ../../')
    writeFileSync(helper, patched)
  }
  return root
}

function runFile(root, name, file) {
  const out = join(scratch, 'results', name, `${file}.jsonl`)
  mkdirSync(dirname(out), { recursive: true })
  rmSync(out, { force: true })
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--test', `--test-timeout=${TIMEOUT[name]}`,
      `--test-reporter=${join(here, 'reporter.mjs')}`, `--test-reporter-destination=${out}`,
      join('test', 'unit', `${file}.js`)], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk) => { stderr += chunk })
    child.on('close', () => {
      writeFileSync(out.replace(/\.jsonl$/, '.stderr'), stderr)
      const lines = existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean) : []
      done({ file, tests: lines.map((line) => JSON.parse(line)), stderr })
    })
  })
}

async function runAll(root, name, files) {
  const results = {}
  const queue = [...files]
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) results[file] = await runFile(root, name, file)
  }
  // One file at a time: the files share test/fixtures/output.* names, and a crash of one file's
  // process must not be caused by another's.
  await worker()
  return results
}

async function main() {
  const files = process.argv.slice(2).length ? process.argv.slice(2) : FILES
  mkdirSync(scratch, { recursive: true })
  const extracted = join(scratch, `sharp-${TAG}`)
  extractTests(extracted)
  installSharp()
  // sharp's results do not change between runs of ours: kept until SHARP_COMPAT_FRESH=1.
  const sharpCache = join(scratch, 'results', 'sharp.json')
  let sharp = existsSync(sharpCache) && !process.env.SHARP_COMPAT_FRESH ? JSON.parse(readFileSync(sharpCache, 'utf8')) : {}
  const todo = files.filter((file) => !sharp[file])
  if (todo.length) {
    sharp = { ...sharp, ...(await runAll(makeRoot('sharp', extracted), 'sharp', todo)) }
    writeFileSync(sharpCache, JSON.stringify(sharp))
  }
  const ours = await runAll(makeRoot('thumbsmith', extracted), 'thumbsmith', files)

  const rows = []
  const failures = []
  let [allSharp, allOurs] = [0, 0]
  for (const file of files) {
    const passedWithSharp = sharp[file].tests.filter((t) => t.pass)
    const oursByPath = new Map(ours[file].tests.map((t) => [t.path, t]))
    let both = 0
    for (const test of passedWithSharp) {
      const mine = oursByPath.get(test.path)
      if (mine && mine.pass) both++
      else failures.push({ file, path: test.path, error: mine ? mine.error : `did not run: ${firstError(ours[file].stderr)}` })
    }
    rows.push([file, passedWithSharp.length, both])
    allSharp += passedWithSharp.length
    allOurs += both
  }
  rows.push(['total', allSharp, allOurs])
  const width = Math.max(...rows.map(([f]) => f.length))
  console.log(`\nsharp ${TAG}'s unit tests: passes with sharp / of those, passes with thumbsmith`)
  console.log(`| ${'file'.padEnd(width)} | sharp | thumbsmith |      |`)
  console.log(`|${'-'.repeat(width + 2)}|-------|------------|------|`)
  for (const [file, s, t] of rows) {
    const percent = s ? `${Math.round((100 * t) / s)} %` : '—'
    console.log(`| ${file.padEnd(width)} | ${String(s).padStart(5)} | ${String(t).padStart(10)} | ${percent.padStart(4)} |`)
  }
  writeFileSync(join(scratch, 'failures.txt'), failures.map((f) => `${f.file}: ${f.path}\n    ${f.error}`).join('\n'))
  const causes = new Map()
  for (const { error } of failures) {
    const key = String(error).replace(/\d+/g, 'N').slice(0, 110)
    causes.set(key, (causes.get(key) || 0) + 1)
  }
  console.log(`\nmost common failures (all in ${join(scratch, 'failures.txt')}):`)
  for (const [cause, n] of [...causes].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${String(n).padStart(5)}  ${cause}`)
}

function firstError(stderr) {
  const line = stderr.split('\n').find((l) => /Error|error/.test(l))
  return (line || 'no output').trim().slice(0, 200)
}

await main()
