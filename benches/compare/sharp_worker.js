// The avatar job through sharp, one thread, speaking compare.py's line protocol
// (load / run / save / version / quit; see thumbsmith-runner --serve), or one-shot for peak RSS:
//   node sharp_worker.js [--once FILE | --idle FILE]
// Run with UV_THREADPOOL_SIZE=1 (compare.py sets it): sharp's work runs on libuv's pool.
'use strict';
const fs = require('fs');
const readline = require('readline');
const sharp = require('sharp');

sharp.concurrency(1); // libvips threads per image
sharp.cache(false); // no operation cache: every run decodes again, as a Lambda would

// Same job as thumbsmith's Options::avatar(512): upright (EXIF), sRGB (sharp's default for
// profiled and CMYK input), 512×512 cover centre, Lanczos3, alpha flattened on white, JPEG q80
// 4:2:0 with optimised Huffman tables, metadata stripped (sharp's default).
function job(input) {
  return sharp(input)
    .rotate()
    .resize(512, 512, { fit: 'cover', position: 'centre', kernel: 'lanczos3' })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 80, chromaSubsampling: '4:2:0', optimiseCoding: true })
    .toBuffer();
}

async function serve() {
  let input = null;
  let last = null;
  const lines = readline.createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) {
    let answer;
    try {
      const request = JSON.parse(line);
      if (request.op === 'quit') break;
      if (request.op === 'load') {
        input = fs.readFileSync(request.path);
        last = await job(input); // untimed warm-up
        answer = { bytes: last.length };
      } else if (request.op === 'run') {
        const t = process.hrtime.bigint();
        last = await job(input);
        const ms = Number(process.hrtime.bigint() - t) / 1e6;
        answer = { ms, bytes: last.length };
      } else if (request.op === 'save') {
        fs.writeFileSync(request.path, last);
        answer = { ok: true };
      } else if (request.op === 'version') {
        answer = { sharp: sharp.versions.sharp, libvips: sharp.versions.vips, node: process.versions.node };
      } else {
        answer = { error: `unknown request ${line}` };
      }
    } catch (e) {
      answer = { error: String(e && e.message ? e.message : e) };
    }
    process.stdout.write(JSON.stringify(answer) + '\n');
  }
}

async function main() {
  const [mode, file] = process.argv.slice(2);
  if (mode === '--once' || mode === '--idle') {
    const input = fs.readFileSync(file);
    if (mode === '--once') await job(input);
    return;
  }
  await serve();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
