'use strict';
// The local backfill: lists the uploads bucket and drives the avatar handler over every existing
// original, so uploads made before a variant existed (WebP, AVIF) get it. In AWS the CDK app's S3
// Batch Operations job does the same over an S3 Inventory manifest (examples/cdk).
//
//   node backfill.js [--concurrency 4] [--checkpoint backfill.checkpoint.json]
//                    [--report backfill.report.json] [--bucket <uploads bucket>] [--prefix uploads/]
//
// - The handler is the one S3 events run (index.js), fed one synthetic ObjectCreated record per
//   object: its receipts make it idempotent (an upload whose receipt already names every variant
//   is a `duplicate`: one GET, nothing written, nothing notified), and it writes only the missing
//   variants under the hash the receipt recorded.
// - At most `--concurrency` objects are in flight.
// - Resumable: the checkpoint holds the last key before which every listed object is finished
//   (S3 lists in key order), written atomically as that mark advances; a run starts after it.
//   A finished run leaves the mark at the last key, so running again lists nothing.
// - Failures (S3, the webhook, a variant that failed) do not stop the run: each is in the
//   report's `failures` with its key and error, and the run exits 1. They are behind the mark,
//   so a rerun with a fresh checkpoint (`--restart`) retries them and skips the rest as duplicates.
const fs = require('node:fs');
const path = require('node:path');
const { ListObjectsV2Command } = require('@aws-sdk/client-s3');
const { encodeEventKey } = require('./s3-key');

// Every object under `prefix` after `startAfter`, page by page (S3's order: by key).
async function* listObjects(s3, bucket, prefix, startAfter) {
  let ContinuationToken;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(ContinuationToken ? { ContinuationToken } : { StartAfter: startAfter || undefined }) }),
    );
    for (const object of page.Contents ?? []) yield object;
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
}

// The record S3 would have sent when the object was written.
function createdRecord(bucket, object) {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    eventName: 'ObjectCreated:Put',
    s3: { bucket: { name: bucket }, object: { key: encodeEventKey(object.Key), size: Number(object.Size ?? 0), eTag: String(object.ETag ?? '').replace(/"/g, '') } },
  };
}

function readCheckpoint(file, bucket, prefix) {
  if (!file || !fs.existsSync(file)) return null;
  const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (saved.bucket !== bucket || saved.prefix !== prefix) throw new Error(`${file} is for ${saved.bucket}/${saved.prefix}, not ${bucket}/${prefix}`);
  return saved.after ?? null;
}

function writeAtomically(file, value) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 1)}\n`);
  fs.renameSync(tmp, file);
}

async function runBackfill({ s3, handler, bucket, prefix, concurrency = 4, checkpoint, restart = false, shouldStop = () => false }) {
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
  if (restart && checkpoint && fs.existsSync(checkpoint)) fs.rmSync(checkpoint);
  const resumedAfter = readCheckpoint(checkpoint, bucket, prefix);
  const counts = {};
  const failures = [];
  // Listed objects in key order, each marked when finished; the mark moves past a finished head.
  const pending = [];
  let mark = resumedAfter;
  const advance = () => {
    let moved = false;
    while (pending.length && pending[0].done) {
      mark = pending.shift().key;
      moved = true;
    }
    if (moved && checkpoint) writeAtomically(checkpoint, { bucket, prefix, after: mark });
  };

  async function one(entry, object) {
    try {
      const { results } = await handler({ Records: [createdRecord(bucket, object)] });
      for (const result of results) counts[result.status] = (counts[result.status] ?? 0) + 1;
    } catch (err) {
      const cause = err instanceof AggregateError ? err.errors[0] : err;
      failures.push({ key: object.Key, error: String(cause?.message ?? cause) });
      counts.failed = (counts.failed ?? 0) + 1;
    } finally {
      entry.done = true;
      advance();
    }
  }

  const started = performance.now();
  const inFlight = new Set();
  let listed = 0;
  for await (const object of listObjects(s3, bucket, prefix, resumedAfter)) {
    if (shouldStop()) break;
    listed += 1;
    const entry = { key: object.Key, done: false };
    pending.push(entry);
    const job = one(entry, object).then(() => inFlight.delete(job));
    inFlight.add(job);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  return {
    bucket,
    prefix,
    concurrency,
    resumed_after: resumedAfter,
    checkpoint_after: mark,
    objects: listed,
    counts,
    seconds: Math.round(seconds * 1000) / 1000,
    objects_per_s: seconds > 0 ? Math.round((listed / seconds) * 10) / 10 : null,
    failures,
  };
}

function parseArgs(argv, env) {
  const args = {
    concurrency: 4,
    checkpoint: 'backfill.checkpoint.json',
    report: 'backfill.report.json',
    bucket: env.UPLOADS_BUCKET_NAME,
    prefix: env.FOLDER_INPUT || 'uploads/',
    restart: false,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const name = argv[i].replace(/^--/, '');
    if (name === 'restart') args.restart = true;
    else if (name in args && i + 1 < argv.length) args[name] = name === 'concurrency' ? Number(argv[++i]) : argv[++i];
    else throw new Error(`unknown or incomplete argument ${argv[i]}`);
  }
  if (!args.bucket) throw new Error('--bucket or UPLOADS_BUCKET_NAME must name the uploads bucket');
  return args;
}

async function main(argv = process.argv.slice(2), env = process.env) {
  const { createHandler, configFromEnv, s3FromEnv } = require('./index');
  const args = parseArgs(argv, env);
  const s3 = s3FromEnv(env);
  // The handler logs every record as JSON; the backfill's own output is the report.
  const handler = createHandler({ s3, config: configFromEnv(env), log: () => {} });
  let stop = false;
  process.on('SIGINT', () => {
    // Finish what is in flight, write the checkpoint, report: a rerun continues from there.
    stop = true;
  });
  const report = await runBackfill({ s3, handler, ...args, shouldStop: () => stop });
  report.interrupted = stop;
  writeAtomically(path.resolve(args.report), report);
  const { failures, ...summary } = report;
  console.log(JSON.stringify({ ...summary, failures: failures.length, report: path.resolve(args.report) }));
  return failures.length ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(2);
    },
  );
}

module.exports = { runBackfill, listObjects, createdRecord, parseArgs };
