'use strict'
// Many jobs: 200 at once all correct, and memory flat over 2000 in a row (a warm Lambda's life).

const test = require('node:test')
const assert = require('node:assert/strict')
const v8 = require('node:v8')
const vm = require('node:vm')
const thumbsmith = require('..')

// A full GC on demand, to tell retained memory from garbage not yet collected.
v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc')
const { fixture, sha256, imageSize } = require('./helpers')

const JOBS = [
  { input: 'photo.jpg', options: { width: 64, height: 64 } },
  { input: 'exif-6.jpg', options: { width: 48, height: 48, format: 'png' } },
  { input: 'progressive.jpg', options: { width: 40, height: 60, position: 'entropy' } },
  { input: 'alpha.png', options: { width: 50, height: 50, fit: 'contain', format: 'webp', lossless: true } },
  { input: 'scene.png', options: { width: 33, format: 'webp', quality: 70 } },
  { input: 'animated.gif', options: { height: 20, format: 'same' } },
  { input: 'patches-cmyk.jpg', options: { width: 20, height: 20, contentHash: true } },
  { input: 'lossy.webp', options: { width: 24, height: 24, thumbhash: true, dominantColor: true } },
]

test('200 concurrent jobs complete with the results they get alone', async (t) => {
  const inputs = JOBS.map((job) => fixture(job.input))
  // What each job gives when it runs by itself.
  const alone = []
  for (const [i, job] of JOBS.entries()) alone.push(await thumbsmith.process(inputs[i], job.options))

  const started = performance.now()
  const results = await Promise.all(
    Array.from({ length: 200 }, (_, n) => {
      const i = n % JOBS.length
      // Half through the chain, half through process: both paths under load at once.
      return n % 2
        ? thumbsmith.process(inputs[i], JOBS[i].options)
        : thumbsmith(inputs[i], JOBS[i].options).toBuffer({ resolveWithObject: true })
    }),
  )
  t.diagnostic(`200 jobs in ${(performance.now() - started).toFixed(0)} ms`)
  assert.equal(results.length, 200)
  results.forEach(({ data, info }, n) => {
    const expected = alone[n % JOBS.length]
    assert.equal(sha256(data), sha256(expected.data), `job ${n}`)
    assert.deepEqual(info, expected.info, `job ${n}`)
    const size = imageSize(data)
    assert.deepEqual([size.width, size.height], [info.width, info.height], `job ${n}`)
  })
})

test('RSS stays flat over 2000 sequential jobs', async (t) => {
  // A job whose input and output are big (≈460 KB in, a fresh copy each time, ≈200 KB out:
  // uncompressed PNGs), so keeping either alive per job would add over 300 MB during the run.
  const { data: input } = await thumbsmith.process(fixture('scene.png'), { width: 480, height: 320, fit: 'fill', format: 'png', compressionLevel: 0 })
  const options = { width: 256, height: 256, format: 'png', compressionLevel: 0 }
  const first = await thumbsmith.process(input, options)
  assert.ok(input.length > 400_000 && first.data.length > 190_000, `${input.length} B in, ${first.data.length} B out`)

  const MB = 1024 * 1024
  const retained = [] // RSS after a full GC: what jobs leave behind
  const live = [] // RSS as it is: V8 frees the output Buffers (external memory) in batches
  for (let n = 1; n <= 2000; n++) {
    const { data } = await thumbsmith.process(Buffer.from(input), options)
    if (data.length !== first.data.length) assert.fail(`job ${n}: ${data.length} bytes`)
    if (n % 200 === 0) {
      live.push(process.memoryUsage().rss / MB)
      gc()
      await new Promise((resolve) => setImmediate(resolve)) // let Buffer finalizers free the bytes
      gc()
      retained.push(process.memoryUsage().rss / MB)
    }
  }
  const mb = (list) => list.map((s) => s.toFixed(0)).join(' ')
  t.diagnostic(`input ${input.length} B, output ${first.data.length} B; RSS every 200 jobs (MB): after GC ${mb(retained)}; live ${mb(live)}`)
  // The first 400 jobs warm the JIT and the allocator's per-thread arenas (one per pool thread);
  // from then on nothing accumulates. Keeping each job's output alone would add 1600 × 200 KB
  // ≈ 310 MB; its input, 730 MB.
  const baseline = retained[1]
  const growth = Math.max(...retained.slice(2)) - baseline
  assert.ok(growth < 64, `RSS after GC grew ${growth.toFixed(1)} MB after the first 400 jobs`)
  // Without forced GCs the live RSS stays bounded too (V8 collects once external memory has
  // grown by its 64 MB step).
  assert.ok(Math.max(...live) - baseline < 192, `live RSS peaked ${(Math.max(...live) - baseline).toFixed(0)} MB above the baseline`)
})
