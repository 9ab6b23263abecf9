'use strict'
// Cold start: a fresh Node process that requires the library and makes one 512×512 avatar of a
// corpus photo, as a Lambda's first invocation does. Interleaved runs, medians.
//
//   taskset -c 0 node bench/coldstart.js [photo] [runs]

const { execFileSync } = require('node:child_process')
const path = require('node:path')
const os = require('node:os')

const photo = process.argv[2] || path.join(os.homedir(), '.cache', 'thumbsmith-corpus', 'jpeg', 'dune.jpg')
const runs = Number(process.argv[3] || 11)
const SHARP = path.join(__dirname, '..', '.cache', 'bench', 'node_modules', 'sharp')

// performance.now() counts from the process's time origin, so `start` is the Node boot itself.
const script = (lib, call) => `
const start = performance.now()
const lib = require(${JSON.stringify(lib)})
const loaded = performance.now()
const buf = require('fs').readFileSync(${JSON.stringify(photo)})
${call}.then(() => {
  const done = performance.now()
  console.log(JSON.stringify({ boot: start, require: loaded - start, firstJob: done - loaded, total: done }))
})`
const SCRIPTS = {
  thumbsmith: script(path.join(__dirname, '..'), 'lib(buf).resize(512, 512).jpeg().toBuffer()'),
  sharp: script(SHARP, 'lib(buf).rotate().resize(512, 512).jpeg().toBuffer()'),
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const results = { thumbsmith: [], sharp: [] }
for (let r = 0; r < runs; r++) {
  for (const lib of r % 2 ? ['sharp', 'thumbsmith'] : ['thumbsmith', 'sharp']) {
    const wall0 = performance.now()
    const out = JSON.parse(execFileSync(process.execPath, ['-e', SCRIPTS[lib]], { encoding: 'utf8' }))
    results[lib].push({ ...out, wall: performance.now() - wall0 })
  }
}
console.log(`${path.basename(photo)}, ${runs} runs each, medians (ms):`)
console.log('library     require  first job  require+job  process wall')
for (const [lib, rs] of Object.entries(results)) {
  const m = (k) => median(rs.map((x) => x[k])).toFixed(1)
  console.log(lib.padEnd(11), m('require').padStart(7), m('firstJob').padStart(10),
    median(rs.map((x) => x.require + x.firstJob)).toFixed(1).padStart(12), m('wall').padStart(13))
}
