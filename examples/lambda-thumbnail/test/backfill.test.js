'use strict';
// The local backfill (backfill.js) over an in-memory S3, with the real handler and binding:
// bounded concurrency, resumable from its checkpoint, idempotent, failures reported.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createHandler } = require('..');
const { runBackfill, parseArgs } = require('../backfill');
const { VARIANTS } = require('../variants');
const { MemoryS3, webhookRecorder, config, upload } = require('../test-support');

const [JPEG] = VARIANTS;
const PHOTOS = ['photo.jpg', 'exif-6.jpg', 'exif-1.jpg', 'lossless.webp'];

function tmpFile(name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backfill-'));
  test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, name);
}

// `count` uploads as the flow made them before the variants: JPEG only, with receipts.
async function seeded(count) {
  const s3 = new MemoryS3();
  s3.pageSize = 4;
  const before = createHandler({ s3, config, variants: [JPEG], fetchImpl: webhookRecorder().fetchImpl, log: () => {} });
  const records = [];
  for (let i = 0; i < count; i += 1) records.push(upload(s3, `uploads/user${i % 3}/${String(i).padStart(4, '0')}`, PHOTOS[i % PHOTOS.length]));
  const { results } = await before({ Records: records });
  assert.ok(results.every((r) => r.status === 'processed'));
  return s3;
}

// The handler with today's variants, counting calls per key and the most in flight at once.
function instrumented(s3, { fetchImpl = webhookRecorder().fetchImpl } = {}) {
  const handler = createHandler({ s3, config, fetchImpl, log: () => {} });
  const stats = { calls: new Map(), inFlight: 0, maxInFlight: 0 };
  const wrapped = async (event) => {
    const key = event.Records[0].s3.object.key;
    stats.calls.set(key, (stats.calls.get(key) ?? 0) + 1);
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    try {
      return await handler(event);
    } finally {
      stats.inFlight -= 1;
    }
  };
  return { handler: wrapped, stats };
}

const puts = (s3) => s3.calls.filter(([name]) => name === 'PutObjectCommand').length;
const webps = (s3) => s3.keys('assets', 'avatars/').filter((k) => k.endsWith('.webp')).length;

test('every existing upload gets its WebP, at most `concurrency` at once; a second run does nothing', async () => {
  const s3 = await seeded(10);
  assert.equal(webps(s3), 0);
  const checkpoint = tmpFile('checkpoint.json');
  const hook = webhookRecorder();
  const { handler, stats } = instrumented(s3, hook);
  const report = await runBackfill({ s3, handler, bucket: 'uploads', prefix: 'uploads/', concurrency: 3, checkpoint });
  assert.deepEqual([report.objects, report.counts, report.failures], [10, { updated: 10 }, []]);
  assert.equal(stats.maxInFlight, 3);
  assert.equal(webps(s3), 10);
  assert.equal(hook.posts.length, 10, 'the backend hears of each new variant');
  assert.equal(JSON.parse(fs.readFileSync(checkpoint)).after, 'uploads/user2/0008', 'the last key S3 lists');

  // Again with the checkpoint: it is past the last key, so nothing is even listed.
  const before = [puts(s3), hook.posts.length];
  const again = await runBackfill({ s3, handler, bucket: 'uploads', prefix: 'uploads/', concurrency: 3, checkpoint });
  assert.deepEqual([again.objects, again.counts], [0, {}]);
  // And from scratch: every upload is a duplicate of its receipt; nothing written or notified.
  const fresh = await runBackfill({ s3, handler, bucket: 'uploads', prefix: 'uploads/', concurrency: 3, checkpoint, restart: true });
  assert.deepEqual([fresh.objects, fresh.counts], [10, { duplicate: 10 }]);
  assert.deepEqual([puts(s3), hook.posts.length], before);
});

test('a stopped run resumes after its checkpoint and does each upload once', async () => {
  const s3 = await seeded(9);
  const checkpoint = tmpFile('checkpoint.json');
  const { handler, stats } = instrumented(s3);
  let started = 0;
  const first = await runBackfill({ s3, handler, bucket: 'uploads', prefix: 'uploads/', concurrency: 2, checkpoint, shouldStop: () => started++ >= 4 });
  assert.equal(first.objects, 4);
  assert.equal(JSON.parse(fs.readFileSync(checkpoint)).after, first.checkpoint_after);
  const second = await runBackfill({ s3, handler, bucket: 'uploads', prefix: 'uploads/', concurrency: 2, checkpoint });
  assert.equal(second.resumed_after, first.checkpoint_after);
  assert.equal(first.objects + second.objects, 9);
  assert.deepEqual([...stats.calls.values()], Array(9).fill(1), 'no upload handled twice');
  assert.equal(webps(s3), 9);
});

test('failures are reported with their key, do not stop the run, and a restart retries them', async () => {
  const s3 = await seeded(6);
  const checkpoint = tmpFile('checkpoint.json');
  // The backend refuses every notification about user1's uploads.
  const flaky = async (url, init) => new Response('', { status: JSON.parse(init.body).sub === 'user1' ? 503 : 200 });
  const { handler } = instrumented(s3, { fetchImpl: flaky });
  const report = await runBackfill({ s3, handler, bucket: 'uploads', prefix: 'uploads/', concurrency: 4, checkpoint });
  assert.deepEqual(report.counts, { updated: 4, failed: 2 });
  assert.deepEqual(report.failures.map((f) => f.key).sort(), ['uploads/user1/0001', 'uploads/user1/0004']);
  assert.match(report.failures[0].error, /webhook answered 503/);
  const retry = await runBackfill({ s3, handler: instrumented(s3).handler, bucket: 'uploads', prefix: 'uploads/', checkpoint, restart: true });
  assert.deepEqual([retry.counts, retry.failures], [{ updated: 2, duplicate: 4 }, []]);
});

test('a checkpoint of another bucket or prefix is refused, and so are bad arguments', async () => {
  const s3 = await seeded(1);
  const checkpoint = tmpFile('checkpoint.json');
  fs.writeFileSync(checkpoint, JSON.stringify({ bucket: 'other', prefix: 'uploads/', after: 'x' }));
  const { handler } = instrumented(s3);
  await assert.rejects(runBackfill({ s3, handler, bucket: 'uploads', prefix: 'uploads/', checkpoint }), /is for other\/uploads\//);
  await assert.rejects(runBackfill({ s3, handler, bucket: 'uploads', prefix: 'uploads/', concurrency: 0 }), /concurrency/);
  assert.throws(() => parseArgs(['--nope', '1'], { UPLOADS_BUCKET_NAME: 'u' }), /unknown/);
  assert.throws(() => parseArgs([], {}), /UPLOADS_BUCKET_NAME/);
  assert.deepEqual(parseArgs(['--concurrency', '8'], { UPLOADS_BUCKET_NAME: 'u' }).concurrency, 8);
});
