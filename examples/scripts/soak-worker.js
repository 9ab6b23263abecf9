'use strict';
// The Node half of scripts/soak.py: `jobs` avatar jobs one after another in this process, as the
// Lambda handler makes them (lambda-thumbnail/avatar.js: thumbsmith's sharp-style chain, 512×512
// JPEG with its content hash), cycling over the files named on stdin (one path a line). Prints
// a JSON line {jobs, rss_kb} every `every` jobs, then {done, failures, ...}.
//
//   node [--expose-gc] soak-worker.js JOBS EVERY < paths   (with it: a full GC before each sample)
const fs = require('node:fs');
const { makeAvatar, isThumbsmithError } = require('../lambda-thumbnail/avatar');

async function main() {
  const [jobs, every] = process.argv.slice(2).map(Number);
  const paths = fs.readFileSync(0, 'utf8').split('\n').filter(Boolean);
  const inputs = paths.map((path) => fs.readFileSync(path));
  const rssKb = () => Math.round(process.memoryUsage.rss() / 1024);
  let failures = 0;
  let bytes = 0;
  const started = performance.now();
  console.log(JSON.stringify({ jobs: 0, rss_kb: rssKb() }));
  for (let n = 1; n <= jobs; n += 1) {
    try {
      const avatar = await makeAvatar(inputs[(n - 1) % inputs.length], {
        width: 512,
        height: 512,
        maxInputBytes: 10 << 20,
        maxInputPixels: 50_000_000,
      });
      bytes += avatar.data.length;
    } catch (err) {
      if (!isThumbsmithError(err)) throw err;
      failures += 1; // the bad inputs: refused as the handler would, the error path soaked too
    }
    if (n % every === 0) {
      // With --expose-gc (soak.py --node-gc): what is still held, not what V8 has yet to collect.
      globalThis.gc?.();
      console.log(JSON.stringify({ jobs: n, rss_kb: rssKb() }));
    }
  }
  console.log(JSON.stringify({ done: jobs, failures, output_bytes: bytes, seconds: (performance.now() - started) / 1000 }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
