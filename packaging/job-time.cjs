'use strict'
// node job-time.cjs PHOTO [RUNS]: the avatar job (512×512 JPEG) through the installed `thumbsmith`
// package, after two warm-up jobs: median wall time, and CPU time a job (process.cpuUsage, every
// thread: the measure that holds on a shared, loaded machine). test-dist.sh runs it in the native
// and in the WebAssembly-fallback installs to compare the two on the same machine.
const fs = require('node:fs')
const thumbsmith = require(require.resolve('thumbsmith', { paths: [process.cwd()] }))

async function main() {
  const input = fs.readFileSync(process.argv[2])
  const runs = Number(process.argv[3] || 9)
  const times = []
  let cpu = null
  for (let i = 0; i < runs + 2; i++) {
    if (i === 2) cpu = process.cpuUsage()
    const started = performance.now()
    await thumbsmith(input).resize(512, 512).jpeg().toBuffer()
    if (i >= 2) times.push(performance.now() - started)
  }
  const { user, system } = process.cpuUsage(cpu)
  times.sort((a, b) => a - b)
  const perJob = (user + system) / 1000 / runs
  console.log(`avatar job: ${perJob.toFixed(1)} ms CPU a job; wall median ${times[times.length >> 1].toFixed(1)} ms (min ${times[0].toFixed(1)}) over ${runs} runs`)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
