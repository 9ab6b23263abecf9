'use strict';
// The variants beside the JPEG (variants.js): written under the JPEG's content hash with their
// own Content-Type, reported to the backend, skipped when the binding refuses the format, and
// added to an upload processed before they existed (what the backfill relies on).
const test = require('node:test');
const assert = require('node:assert/strict');
const thumbsmith = require('thumbsmith');
const { createHandler, IMMUTABLE } = require('..');
const { makeAvatar, BINDING_VERSION } = require('../avatar');
const { VARIANTS, REFUSED_FORMAT_CODES } = require('../variants');
const { fixture, MemoryS3, webhookRecorder, config, setup, upload } = require('../test-support');

const [JPEG] = VARIANTS;
const WEBP = VARIANTS.find((v) => v.format === 'webp');

function handlerWith(s3, options) {
  const hook = webhookRecorder();
  return { hook, handler: createHandler({ s3, config, fetchImpl: hook.fetchImpl, log: () => {}, ...options }) };
}

test('WebP is written beside the JPEG under the same hash, with its own type, immutable', async () => {
  const { s3, hook, handler } = setup();
  const { results } = await handler({ Records: [upload(s3, 'uploads/alice/1', 'exif-6.jpg')] });
  // The timings scripts/measure.py reads: every variant's encoding is in process_ms.
  assert.deepEqual(Object.keys(results[0].timings), ['read_ms', 'process_ms', 'write_ms', 'notify_ms', 'total_ms']);
  const jpegKey = results[0].avatarKey;
  const webpKey = jpegKey.replace(/\.jpg$/, '.webp');
  const webp = s3.get('assets', webpKey);
  assert.ok(webp, `${webpKey} written`);
  assert.equal(webp.contentType, 'image/webp');
  assert.equal(webp.cacheControl, IMMUTABLE);
  const expected = await thumbsmith(fixture('exif-6.jpg')).resize(512, 512).webp().toBuffer();
  assert.ok(webp.data.equals(expected), 'the same chain as the JPEG, WebP encoder');
  const header = await thumbsmith.metadata(webp.data);
  assert.deepEqual([header.format, header.width, header.height, header.orientation], ['webp', 512, 512, 1]);
  // Every listed variant was either written or refused by the binding, nothing else.
  const written = new Set(s3.keys('assets', 'avatars/alice/').map((k) => k.slice(k.lastIndexOf('.') + 1)));
  for (const variant of VARIANTS) {
    const refusal = results[0].refused.find((r) => r.ext === variant.ext);
    assert.ok(written.has(variant.ext) !== Boolean(refusal), `${variant.ext}: written xor refused`);
    if (refusal) assert.ok(REFUSED_FORMAT_CODES.has(refusal.code));
  }
  // The webhook names each variant written, in the order of preference of the list.
  const reported = hook.posts[0].json.variants;
  assert.deepEqual(reported.map((v) => v.key), VARIANTS.filter((v) => written.has(v.ext)).map((v) => jpegKey.replace(/jpg$/, v.ext)));
  assert.equal(reported[0].format, 'jpeg');
});

test('a variant the binding refuses (ERR_INVALID_OPTION, ERR_ENCODE_FAILED) is skipped, not fatal', async () => {
  const s3 = new MemoryS3();
  const unknown = { format: 'heic', ext: 'heic' };
  const failing = { format: 'png', ext: 'png' };
  const encode = async (input, options) => {
    if (options.format === 'png') throw Object.assign(new Error('encoder unavailable'), { code: 'ERR_ENCODE_FAILED' });
    return makeAvatar(input, options);
  };
  const { hook, handler } = handlerWith(s3, { variants: [JPEG, unknown, failing, WEBP], makeAvatar: encode });
  const { results } = await handler({ Records: [upload(s3, 'uploads/alice/1', 'photo.jpg')] });
  assert.equal(results[0].status, 'processed');
  assert.deepEqual(results[0].refused, [
    { ext: 'heic', code: 'ERR_INVALID_OPTION' },
    { ext: 'png', code: 'ERR_ENCODE_FAILED' },
  ]);
  assert.deepEqual(s3.keys('assets', 'avatars/').map((k) => k.slice(-4)).sort(), ['.jpg', 'webp']);
  assert.deepEqual(hook.posts[0].json.variants.map((v) => v.format), ['jpeg', 'webp']);
  const receipt = JSON.parse(s3.get('assets', s3.keys('assets', 'receipts/')[0]).data);
  assert.deepEqual([receipt.variants, receipt.refused, receipt.binding], [['jpg', 'webp'], ['heic', 'png'], BINDING_VERSION]);
  // Redelivered: the refusals are remembered for this binding version, so nothing is tried again.
  assert.equal((await handler({ Records: [upload(s3, 'uploads/alice/1', 'photo.jpg')] })).results[0].status, 'duplicate');
  assert.equal(hook.posts.length, 1);
});

test('any other failure of a variant fails the event (Lambda retries it); no receipt', async () => {
  const s3 = new MemoryS3();
  const encode = async (input, options) => {
    if (options.format === 'webp') throw Object.assign(new Error('out of memory'), { code: 'ERR_INTERNAL' });
    return makeAvatar(input, options);
  };
  const { hook, handler } = handlerWith(s3, { variants: [JPEG, WEBP], makeAvatar: encode });
  await assert.rejects(handler({ Records: [upload(s3, 'uploads/alice/1', 'photo.jpg')] }), AggregateError);
  assert.deepEqual(s3.keys('assets', 'receipts/'), []);
  assert.equal(hook.posts.length, 0);
});

test('the primary refusing the input rejects the upload, whatever the variants', async () => {
  const { s3, hook, handler } = setup();
  const { results } = await handler({ Records: [upload(s3, 'uploads/alice/1', 'text.txt')] });
  assert.equal(results[0].code, 'ERR_UNSUPPORTED_FORMAT');
  assert.deepEqual(s3.keys('assets', 'avatars/'), []);
  assert.equal(hook.posts[0].json.type, 'avatar.rejected');
});

test('an upload processed before the variants existed gets just the new ones, same hash', async () => {
  const s3 = new MemoryS3();
  const before = handlerWith(s3, { variants: [JPEG] });
  const event = { Records: [upload(s3, 'uploads/alice/1', 'exif-6.jpg', { crop: '10,5,40,40' })] };
  const first = (await before.handler(event)).results[0];
  assert.deepEqual(s3.keys('assets', 'avatars/'), [first.avatarKey]);
  const jpegPut = s3.calls.filter(([name, key]) => name === 'PutObjectCommand' && key === first.avatarKey).length;

  const after = handlerWith(s3, { variants: [JPEG, WEBP] });
  const second = (await after.handler(event)).results[0];
  assert.equal(second.status, 'updated');
  assert.equal(second.avatarKey, first.avatarKey);
  assert.deepEqual(second.variants, [first.avatarKey.replace(/jpg$/, 'webp')]);
  assert.equal(s3.calls.filter(([name, key]) => name === 'PutObjectCommand' && key === first.avatarKey).length, jpegPut, 'the JPEG is not rewritten');
  const expected = await thumbsmith(fixture('exif-6.jpg')).extract({ left: 10, top: 5, width: 40, height: 40 }).resize(512, 512).webp().toBuffer();
  assert.ok(s3.get('assets', second.variants[0]).data.equals(expected), 'the crop signed into the upload applies');
  // The backend hears of the new variant, for the same avatar.
  const ready = after.hook.posts[0].json;
  assert.deepEqual([ready.type, ready.avatar_key, ready.variants.map((v) => v.format)], ['avatar.ready', first.avatarKey, ['jpeg', 'webp']]);
  // And once more: nothing left to do.
  assert.equal((await after.handler(event)).results[0].status, 'duplicate');
  assert.equal(after.hook.posts.length, 1);
});

test('a rejected upload stays rejected when variants are added', async () => {
  const s3 = new MemoryS3();
  const event = { Records: [upload(s3, 'uploads/alice/1', 'truncated.jpg')] };
  await handlerWith(s3, { variants: [JPEG] }).handler(event);
  const { hook, handler } = handlerWith(s3, { variants: [JPEG, WEBP] });
  assert.equal((await handler(event)).results[0].status, 'duplicate');
  assert.equal(hook.posts.length, 0);
});

test('variants a binding refused are tried again by another binding version', async () => {
  const s3 = new MemoryS3();
  const refusing = async (input, options) => {
    if (options.format === 'webp') throw Object.assign(new Error('no webp here'), { code: 'ERR_INVALID_OPTION' });
    return makeAvatar(input, options);
  };
  const event = { Records: [upload(s3, 'uploads/alice/1', 'photo.jpg')] };
  await handlerWith(s3, { variants: [JPEG, WEBP], makeAvatar: refusing }).handler(event);
  const receiptKey = s3.keys('assets', 'receipts/')[0];
  const receipt = JSON.parse(s3.get('assets', receiptKey).data);
  assert.deepEqual(receipt.refused, ['webp']);
  // As if written by an older release of the binding:
  s3.put('assets', receiptKey, JSON.stringify({ ...receipt, binding: '0.0.0-older' }));
  const { results } = await handlerWith(s3, { variants: [JPEG, WEBP] }).handler(event);
  assert.equal(results[0].status, 'updated');
  assert.ok(s3.get('assets', receipt.avatar_key.replace(/jpg$/, 'webp')));
});

test('the variant list must start with its one primary', () => {
  assert.throws(() => createHandler({ s3: new MemoryS3(), config, variants: [WEBP, JPEG] }), /primary/);
  assert.throws(() => createHandler({ s3: new MemoryS3(), config, variants: [JPEG, { ...WEBP, primary: true }] }), /primary/);
});

test('AVATAR_FORMATS picks formats from the list; the JPEG cannot be left out', async () => {
  const { configFromEnv } = require('..');
  const env = { DEST_BUCKET_NAME: 'assets', AVATAR_WEBHOOK_URL: 'http://x', AVATAR_WEBHOOK_SECRET: 's' };
  assert.equal(configFromEnv(env).formats, null);
  assert.throws(() => configFromEnv({ ...env, AVATAR_FORMATS: 'jpeg,gif' }), /unknown gif/);
  assert.throws(() => createHandler({ s3: new MemoryS3(), config: configFromEnv({ ...env, AVATAR_FORMATS: 'webp' }) }), /primary/);
  const s3 = new MemoryS3();
  const jpegOnly = { ...config, formats: ['jpeg'] };
  const handler = createHandler({ s3, config: jpegOnly, fetchImpl: webhookRecorder().fetchImpl, log: () => {} });
  await handler({ Records: [upload(s3, 'uploads/alice/1', 'photo.jpg')] });
  assert.deepEqual(s3.keys('assets', 'avatars/').map((k) => k.slice(k.lastIndexOf('.'))), ['.jpg']);
});

test('a receipt from before the variants (no `variants` field) counts its JPEG', async () => {
  const s3 = new MemoryS3();
  const event = { Records: [upload(s3, 'uploads/alice/1', 'photo.jpg')] };
  await handlerWith(s3, { variants: [JPEG] }).handler(event);
  const receiptKey = s3.keys('assets', 'receipts/')[0];
  const { status, key, etag, avatar_key: avatarKey } = JSON.parse(s3.get('assets', receiptKey).data);
  s3.put('assets', receiptKey, JSON.stringify({ status, key, etag, avatar_key: avatarKey }));
  const { hook, handler } = handlerWith(s3, { variants: [JPEG, WEBP] });
  assert.equal((await handler(event)).results[0].status, 'updated');
  assert.deepEqual(hook.posts[0].json.variants.map((v) => v.format), ['jpeg', 'webp']);
  assert.deepEqual(JSON.parse(s3.get('assets', receiptKey).data).variants, ['jpg', 'webp']);
});

test('an avatar already made is never taken back when a later look refuses its upload', async () => {
  const s3 = new MemoryS3();
  const event = { Records: [upload(s3, 'uploads/alice/1', 'photo.jpg')] };
  await handlerWith(s3, { variants: [JPEG] }).handler(event);
  const receiptKey = s3.keys('assets', 'receipts/')[0];
  const before = s3.get('assets', receiptKey).data;
  const strict = createHandler({ s3, config: { ...config, maxInputPixels: 10 }, variants: [JPEG, WEBP], fetchImpl: webhookRecorder().fetchImpl, log: () => {} });
  await assert.rejects(strict(event), (err) => /webp variant failed: .*limit/i.test(err.errors[0].message));
  assert.ok(s3.get('assets', receiptKey).data.equals(before), 'the receipt still says ready');
});
