'use strict'
// Job time of the Lambda's avatar call, thumbsmith vs sharp, on the real-photo corpus.
//
//   node bench/compare.js [corpus dir] [rounds]
//
// Run it pinned to one core with one pool thread and one libvips thread per job (the Makefile's
// `bench` target does: taskset -c 0, UV_THREADPOOL_SIZE=1, sharp.concurrency(1)). Each file runs
// `rounds` times per library, interleaved (the order flips every round), after one warm-up each;
// the figure per file is the median, and per category the median of the files' medians.
// sharp gets `.rotate()` so both make the same upright 512×512 q80 JPEG, and no operation cache.

const fs = require('node:fs')
const path = require('node:path')
const os = require('node:os')
const sharp = require(path.join(__dirname, '..', '.cache', 'bench', 'node_modules', 'sharp'))
const thumbsmith = require('..')

sharp.cache(false)
sharp.concurrency(1)

const corpus = process.argv[2] || path.join(os.homedir(), '.cache', 'thumbsmith-corpus')
const rounds = Number(process.argv[3] || 7)
const CATEGORIES = ['jpeg', 'exif', 'color', 'png', 'webp', 'odd']

const JOBS = {
  thumbsmith: (buf) => thumbsmith(buf).resize(512, 512).jpeg().toBuffer(),
  sharp: (buf) => sharp(buf).rotate().resize(512, 512).jpeg({ quality: 80 }).toBuffer(),
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

async function time(job, buf) {
  const t0 = process.hrtime.bigint()
  await job(buf)
  return Number(process.hrtime.bigint() - t0) / 1e6
}

async function main() {
  console.log(`UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '(default 4)'}, sharp ${sharp.versions.sharp} / libvips ${sharp.versions.vips}, ${rounds} rounds, node ${process.version}`)
  const rows = []
  for (const category of CATEGORIES) {
    const dir = path.join(corpus, category)
    if (!fs.existsSync(dir)) continue
    for (const name of fs.readdirSync(dir).sort()) {
      const buf = fs.readFileSync(path.join(dir, name))
      const meta = await thumbsmith.metadata(buf).catch(() => null)
      const times = { thumbsmith: [], sharp: [] }
      const failed = {}
      for (const [lib, job] of Object.entries(JOBS)) {
        await job(buf).catch((e) => (failed[lib] = e.message.split('\n')[0]))
      }
      for (let r = 0; r < rounds; r++) {
        const order = r % 2 ? ['sharp', 'thumbsmith'] : ['thumbsmith', 'sharp']
        for (const lib of order) if (!failed[lib]) times[lib].push(await time(JOBS[lib], buf))
      }
      const row = {
        category, name, mp: meta ? (meta.width * meta.height) / 1e6 : NaN,
        thumbsmith: failed.thumbsmith ? NaN : median(times.thumbsmith),
        sharp: failed.sharp ? NaN : median(times.sharp),
        failed,
      }
      rows.push(row)
      const note = Object.entries(failed).map(([lib, m]) => ` ${lib} failed: ${m}`).join('')
      console.log(`${category}/${name}`.padEnd(34), `${row.mp.toFixed(1).padStart(5)} MP`,
        `thumbsmith ${row.thumbsmith.toFixed(1).padStart(7)} ms`, `sharp ${row.sharp.toFixed(1).padStart(7)} ms`,
        `ratio ${(row.sharp / row.thumbsmith).toFixed(2)}${note}`)
    }
  }
  console.log('\ncategory  files  thumbsmith median  sharp median  median ratio (sharp/thumbsmith)')
  for (const category of [...CATEGORIES, 'all']) {
    const both = rows.filter((r) => (category === 'all' || r.category === category) && r.thumbsmith > 0 && r.sharp > 0)
    if (!both.length) continue
    console.log(category.padEnd(9), String(both.length).padStart(5),
      `${median(both.map((r) => r.thumbsmith)).toFixed(1)} ms`.padStart(18),
      `${median(both.map((r) => r.sharp)).toFixed(1)} ms`.padStart(13),
      median(both.map((r) => r.sharp / r.thumbsmith)).toFixed(2).padStart(12))
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
