'use strict'
// Throughput of the avatar job with a pool of UV_THREADPOOL_SIZE threads (run with 2, pinned to
// two cores): every file of the corpus categories (default: the photo ones, jpeg,exif,color)
// `copies` times, all submitted at once, for each library in turn, `rounds` interleaved rounds;
// jobs per second, median over rounds.
//
//   UV_THREADPOOL_SIZE=2 taskset -c 0,1 node bench/throughput.js [corpus dir] [rounds] [copies] [categories]

const fs = require('node:fs')
const path = require('node:path')
const os = require('node:os')
const sharp = require(path.join(__dirname, '..', '.cache', 'bench', 'node_modules', 'sharp'))
const thumbsmith = require('..')

sharp.cache(false)
sharp.concurrency(1) // one libvips thread per job: the pool size is the parallelism, as for thumbsmith

const corpus = process.argv[2] || path.join(os.homedir(), '.cache', 'thumbsmith-corpus')
const rounds = Number(process.argv[3] || 5)
const copies = Number(process.argv[4] || 4)
const categories = (process.argv[5] || 'jpeg,exif,color').split(',')

const JOBS = {
  thumbsmith: (buf) => thumbsmith(buf).resize(512, 512).jpeg().toBuffer(),
  sharp: (buf) => sharp(buf).rotate().resize(512, 512).jpeg({ quality: 80 }).toBuffer(),
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function main() {
  const inputs = []
  for (const category of categories) {
    const dir = path.join(corpus, category)
    if (!fs.existsSync(dir)) continue
    for (const name of fs.readdirSync(dir)) inputs.push(fs.readFileSync(path.join(dir, name)))
  }
  const batch = Array.from({ length: copies }, () => inputs).flat()
  for (const job of Object.values(JOBS)) await Promise.all(inputs.map(job)) // warm-up
  const rates = { thumbsmith: [], sharp: [] }
  for (let r = 0; r < rounds; r++) {
    for (const lib of r % 2 ? ['sharp', 'thumbsmith'] : ['thumbsmith', 'sharp']) {
      const t0 = performance.now()
      await Promise.all(batch.map(JOBS[lib]))
      rates[lib].push(batch.length / ((performance.now() - t0) / 1000))
    }
  }
  const t = median(rates.thumbsmith)
  const s = median(rates.sharp)
  console.log(`UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE}, ${categories.join('+')}: ${batch.length} jobs per round (${inputs.length} files × ${copies}), ${rounds} rounds`)
  console.log(`thumbsmith ${t.toFixed(2)} jobs/s (rounds: ${rates.thumbsmith.map((x) => x.toFixed(1)).join(' ')})`)
  console.log(`sharp      ${s.toFixed(2)} jobs/s (rounds: ${rates.sharp.map((x) => x.toFixed(1)).join(' ')})`)
  console.log(`ratio thumbsmith/sharp ${(t / s).toFixed(2)}`)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
