'use strict';
// The avatar Lambda: S3 `ObjectCreated` on the uploads bucket → a 512×512 upright JPEG in the
// assets bucket under a content-addressed key → a signed notification to the backend.
//
// What the usual hand-written version gets wrong, and this one does not:
// - every record is handled, not just Records[0];
// - keys are URL-decoded as S3 encodes them (`+` is a space);
// - the bytes decide what a file is (thumbsmith sniffs), never the extension: a text file named
//   .jpg is refused and reported, and nothing is written;
// - size and pixel limits are checked before decoding (thumbsmith reads them from the header);
// - EXIF orientation is applied (thumbsmith does it by default);
// - the output key is `<FOLDER_OUTPUT><sub>/<content hash>.jpg`, immutable, so the CDN can cache
//   it forever and a new avatar is a new URL (no invalidation); WebP (and AVIF, when the binding
//   writes it) beside it under the same hash (variants.js), for `<picture>`;
// - redelivered events do no work twice (a receipt per source object version, naming the
//   variants written), and the handler's own outputs never trigger it again; an event for an
//   upload whose receipt lacks a variant writes just that variant (the backfill, backfill.js).
const crypto = require('node:crypto');
const {
  S3Client,
  GetObjectCommand,
  PutObjectCommand,
} = require('@aws-sdk/client-s3');
const { makeAvatar: defaultMakeAvatar, isThumbsmithError, BINDING_VERSION } = require('./avatar');
const { VARIANTS, REFUSED_FORMAT_CODES, variantKey } = require('./variants');
const { decodeEventKey } = require('./s3-key');
const { SIGNATURE_HEADER, signatureHeader } = require('./signing');

const IMMUTABLE = 'public, max-age=31536000, immutable';

function folder(prefix) {
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}

function positiveInt(env, name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

function formatList(raw) {
  if (raw === undefined || raw === '') return null;
  const formats = raw.split(',').map((f) => f.trim());
  const known = new Set(VARIANTS.map((v) => v.format));
  const unknown = formats.filter((f) => !known.has(f));
  if (unknown.length) throw new Error(`AVATAR_FORMATS: unknown ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
  return formats;
}

// Configuration by the names users of the common S3-thumbnail templates already know.
function configFromEnv(env = process.env) {
  const required = (name) => {
    if (!env[name]) throw new Error(`${name} must be set`);
    return env[name];
  };
  return {
    destBucket: required('DEST_BUCKET_NAME'),
    inputFolder: folder(env.FOLDER_INPUT || 'uploads/'),
    outputFolder: folder(env.FOLDER_OUTPUT || 'avatars/'),
    // Not public (the assets bucket policy only opens the output folder).
    receiptFolder: folder(env.FOLDER_RECEIPTS || 'receipts/'),
    width: positiveInt(env, 'PROCESS_WIDTH', 512),
    height: positiveInt(env, 'PROCESS_HEIGHT', 512),
    // The presigned POST already caps uploads at 10 MB; this guards any other writer.
    maxInputBytes: positiveInt(env, 'MAX_INPUT_BYTES', 10 * 1024 * 1024),
    // 50 MP decodes to ~150 MB of RGB: fits a 1 GB Lambda with room for the resize.
    maxInputPixels: positiveInt(env, 'MAX_INPUT_PIXELS', 50_000_000),
    // Which of variants.js's formats to write (comma-separated core names, the primary `jpeg`
    // among them); unset: all of them. Lets a deployment hold a format back, e.g. while its
    // encode time is measured at the function's memory size.
    formats: formatList(env.AVATAR_FORMATS),
    webhookUrl: required('AVATAR_WEBHOOK_URL'),
    webhookSecret: required('AVATAR_WEBHOOK_SECRET'),
  };
}

function s3FromEnv(env = process.env) {
  // On Lambda the SDK finds region and credentials itself; locally S3_ENDPOINT_URL points it at
  // the S3 server, which has no per-bucket host names (hence path-style).
  const endpoint = env.S3_ENDPOINT_URL;
  return new S3Client(endpoint ? { endpoint, forcePathStyle: true } : {});
}

class Skip {
  constructor(reason) {
    this.reason = reason;
  }
}

function createHandler({
  s3,
  config,
  fetchImpl = fetch,
  log = (entry) => console.log(JSON.stringify(entry)),
  variants = config.formats ? VARIANTS.filter((v) => config.formats.includes(v.format)) : VARIANTS,
  makeAvatar = defaultMakeAvatar,
}) {
  if (!variants[0]?.primary || variants.slice(1).some((v) => v.primary)) throw new Error('the first variant, and only it, is the primary');
  async function notify(payload) {
    const body = JSON.stringify({ id: crypto.randomUUID(), ...payload });
    const response = await fetchImpl(config.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signatureHeader(config.webhookSecret, body) },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) {
      // Thrown, so Lambda retries the event; the receipt is not written yet, so the retry
      // notifies again (the avatar itself is content-addressed and not made twice in S3).
      throw new Error(`avatar webhook answered ${response.status}: ${await response.text()}`);
    }
  }

  // The receipt of this source object version, or null when there is none yet.
  async function readReceipt(receiptKey) {
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: config.destBucket, Key: receiptKey }));
      return JSON.parse(Buffer.from(await object.Body.transformToByteArray()).toString('utf8'));
    } catch (err) {
      if (err?.$metadata?.httpStatusCode === 404 || err?.name === 'NotFound' || err?.name === 'NoSuchKey') return null;
      throw err;
    }
  }

  async function writeReceipt(receiptKey, receipt) {
    await s3.send(
      new PutObjectCommand({
        Bucket: config.destBucket,
        Key: receiptKey,
        Body: JSON.stringify(receipt),
        ContentType: 'application/json',
      }),
    );
  }

  // The variants a receipt still lacks: none for a rejected upload; for a ready one, those
  // neither written nor refused by this very binding version (a newer binding may write them).
  // A receipt from before variants existed has the JPEG alone.
  function missingVariants(receipt) {
    if (receipt.status !== 'ready') return [];
    const written = new Set(receipt.variants ?? [variants[0].ext]);
    const refused = receipt.binding === BINDING_VERSION ? new Set(receipt.refused ?? []) : new Set();
    return variants.filter((v) => !written.has(v.ext) && !refused.has(v.ext));
  }

  // Which upload this record is about, or a Skip saying why it is not ours.
  function parseRecord(record) {
    if (!String(record.eventName ?? '').startsWith('ObjectCreated:')) return new Skip('not an ObjectCreated event');
    const bucket = record.s3?.bucket?.name;
    const rawKey = record.s3?.object?.key;
    if (!bucket || typeof rawKey !== 'string') return new Skip('record without bucket or key');
    const key = decodeEventKey(rawKey);
    // Our own writes (avatars, receipts) must never start another round, even if someone
    // points the trigger at the assets bucket.
    if (bucket === config.destBucket && (key.startsWith(config.outputFolder) || key.startsWith(config.receiptFolder))) {
      return new Skip('own output');
    }
    if (!key.startsWith(config.inputFolder)) return new Skip(`outside ${config.inputFolder}`);
    const parts = key.slice(config.inputFolder.length).split('/');
    if (parts.length !== 2 || !parts[0] || !parts[1]) return new Skip(`not ${config.inputFolder}<user>/<upload id>`);
    const etag = String(record.s3.object.eTag ?? '').replace(/"/g, '');
    return { bucket, key, sub: parts[0], uploadId: parts[1], etag, size: Number(record.s3.object.size ?? 0) };
  }

  // The upload's bytes and crop, or a string saying why there are none to process.
  async function readUpload({ bucket, key, etag }) {
    // IfMatch: process exactly the version this event announced; a newer one has its own event.
    let object;
    try {
      object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(etag ? { IfMatch: etag } : {}) }));
    } catch (err) {
      // The key has been written again since (a presigned POST may be used more than once
      // until it expires): that write's own event makes the avatar. Retrying this one could
      // only fail the same way, so it ends here, with nothing written and nothing reported.
      if (etag && (err?.$metadata?.httpStatusCode === 412 || err?.name === 'PreconditionFailed')) return 'superseded';
      throw err;
    }
    if (Number(object.ContentLength) > config.maxInputBytes) {
      object.Body.destroy?.();
      return { tooLarge: Number(object.ContentLength) };
    }
    const input = Buffer.from(await object.Body.transformToByteArray());
    let crop;
    if (object.Metadata?.crop) {
      const [left, top, width, height] = object.Metadata.crop.split(',').map(Number);
      crop = { left, top, width, height };
    }
    return { input, crop };
  }

  // Encodes and writes `wanted` (in list order, the primary first when it is wanted) and returns
  // what was written and what the binding refused. Sequential: one encoder's memory at a time.
  // An error about the input from the primary is thrown to the caller (the upload is rejected);
  // an optional variant the binding does not write is skipped.
  async function writeVariants(source, sub, wanted, primaryKey) {
    const written = [];
    const refused = [];
    const spent = { process_ms: 0, write_ms: 0 };
    let avatarKey = primaryKey;
    let info;
    for (const variant of wanted) {
      let avatar;
      let mark = performance.now();
      try {
        avatar = await makeAvatar(source.input, {
          format: variant.format,
          width: config.width,
          height: config.height,
          crop: source.crop,
          maxInputBytes: config.maxInputBytes,
          maxInputPixels: config.maxInputPixels,
        });
      } catch (err) {
        if (variant.primary) throw err;
        if (REFUSED_FORMAT_CODES.has(err?.code)) {
          refused.push({ ext: variant.ext, code: err.code });
          continue;
        }
        // The primary took this input, so this is no verdict on it: a failure to retry.
        throw new Error(`the ${variant.format} variant failed: ${err?.message ?? err}`, { cause: err });
      }
      spent.process_ms += performance.now() - mark;
      mark = performance.now();
      if (variant.primary) avatarKey = `${config.outputFolder}${sub}/${avatar.hash}.${variant.ext}`;
      const key = variantKey(avatarKey, variant.ext);
      await s3.send(
        new PutObjectCommand({
          Bucket: config.destBucket,
          Key: key,
          Body: avatar.data,
          ContentType: avatar.info.mimeType,
          CacheControl: IMMUTABLE,
        }),
      );
      spent.write_ms += performance.now() - mark;
      written.push({ ext: variant.ext, key, bytes: avatar.data.length });
      info ??= avatar.info;
    }
    return { avatarKey, written, refused, info, spent };
  }

  async function handleRecord(record) {
    const started = performance.now();
    const upload = parseRecord(record);
    if (upload instanceof Skip) return { status: 'skipped', reason: upload.reason };
    const { key, sub, etag } = upload;
    // One receipt per object version: a redelivered event finds it and stops here, unless the
    // list of variants has grown since (the backfill drives this same path over old uploads).
    const receiptKey = `${config.receiptFolder}${sub}/${upload.uploadId}/${etag || 'no-etag'}.json`;
    const receipt = await readReceipt(receiptKey);
    const wanted = receipt ? missingVariants(receipt) : variants;
    if (!wanted.length) return { status: 'duplicate', key };

    const reject = async (code, message) => {
      // An upload that has its avatar already is not taken back by a later look at it (limits
      // lowered since, say): that is a failure for the backfill's report, not a verdict.
      if (receipt) throw new Error(`${key} was ready, now refused: ${code}: ${message}`);
      await notify({ type: 'avatar.rejected', sub, upload_key: key, error: { code, message } });
      await writeReceipt(receiptKey, { status: 'rejected', key, etag, code, message });
      return { status: 'rejected', key, code, message };
    };
    if (upload.size > config.maxInputBytes) {
      return reject('ERR_LIMIT_EXCEEDED', `upload of ${upload.size} bytes exceeds ${config.maxInputBytes}`);
    }

    const timings = {};
    let mark = performance.now();
    const lap = (name) => {
      const now = performance.now();
      timings[name] = Math.round((now - mark) * 100) / 100;
      mark = now;
    };
    const source = await readUpload(upload);
    if (source === 'superseded') return { status: 'superseded', key };
    if (source.tooLarge) return reject('ERR_LIMIT_EXCEEDED', `upload of ${source.tooLarge} bytes exceeds ${config.maxInputBytes}`);
    lap('read_ms');

    let out;
    try {
      out = await writeVariants(source, sub, wanted, receipt?.avatar_key);
    } catch (err) {
      // thumbsmith's errors are about this input and deterministic: retrying cannot help.
      if (isThumbsmithError(err)) return reject(err.code, err.message);
      throw err;
    }
    // Every variant's encode, then every write (the handler's log and scripts/measure.py read these).
    for (const [name, ms] of Object.entries(out.spent)) timings[name] = Math.round(ms * 100) / 100;
    mark = performance.now();

    // Every variant the avatar now has, the ones an earlier run wrote included, in list order.
    const had = new Set(receipt ? (receipt.variants ?? [variants[0].ext]) : []);
    const now = new Set([...had, ...out.written.map((w) => w.ext)]);
    const present = variants.filter((v) => now.has(v.ext));
    const ready = {
      type: 'avatar.ready',
      sub,
      upload_key: key,
      avatar_key: out.avatarKey,
      variants: present.map((v) => ({ format: v.format, key: variantKey(out.avatarKey, v.ext) })),
      width: out.info?.width,
      height: out.info?.height,
    };
    if (!receipt) {
      ready.bytes = out.written[0].bytes;
      ready.source = {
        format: out.info.sourceFormat,
        width: out.info.sourceWidth,
        height: out.info.sourceHeight,
        orientation: out.info.orientation,
      };
    }
    // Nothing new to tell when every missing variant was refused: only the receipt changes.
    if (out.written.length) await notify(ready);
    lap('notify_ms');
    await writeReceipt(receiptKey, {
      status: 'ready',
      key,
      etag,
      avatar_key: out.avatarKey,
      variants: present.map((v) => v.ext),
      refused: out.refused.map((r) => r.ext),
      binding: BINDING_VERSION,
    });
    timings.total_ms = Math.round((performance.now() - started) * 100) / 100;
    return {
      status: receipt ? 'updated' : 'processed',
      key,
      avatarKey: out.avatarKey,
      variants: out.written.map((w) => w.key),
      refused: out.refused,
      width: ready.width,
      height: ready.height,
      source: ready.source,
      timings,
    };
  }

  return async function handler(event) {
    const results = [];
    const failures = [];
    // Sequential: one decoded photo in memory at a time keeps the Lambda's memory size small.
    for (const record of event?.Records ?? []) {
      try {
        const result = await handleRecord(record);
        log({ level: 'info', ...result });
        results.push(result);
      } catch (err) {
        log({ level: 'error', key: record?.s3?.object?.key, error: String(err?.stack ?? err) });
        failures.push(err);
        results.push({ status: 'failed', key: record?.s3?.object?.key, error: String(err?.message ?? err) });
      }
    }
    // A transient failure (S3, the webhook) fails the invocation so Lambda retries it; the
    // records that did succeed are receipts by then and are not done again.
    if (failures.length) throw new AggregateError(failures, `${failures.length} of ${results.length} records failed`);
    return { results };
  };
}

let defaultHandler;
// The Lambda entry point (`index.handler`): configured from the environment on first use.
async function handler(event, context) {
  defaultHandler ??= createHandler({ s3: s3FromEnv(), config: configFromEnv() });
  return defaultHandler(event, context);
}

module.exports = { handler, createHandler, configFromEnv, s3FromEnv, IMMUTABLE };
