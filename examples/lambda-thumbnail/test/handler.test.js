'use strict';
// The handler's logic against an in-memory S3 and webhook; thumbsmith is the real binding.
// (examples/e2e runs the same handler against SeaweedFS, the backend and the CDN.)
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const thumbsmith = require('thumbsmith');
const { createHandler, configFromEnv, IMMUTABLE } = require('..');
const { encodeEventKey, decodeEventKey } = require('../s3-key');
const { signatureHeader } = require('../signing');
const { fixture, SECRET, MemoryS3, webhookRecorder, config, setup, record, upload } = require('../test-support');

test('every record is processed, not just Records[0]', async () => {
  const { s3, hook, handler } = setup();
  const event = {
    Records: [upload(s3, 'uploads/alice/1', 'exif-6.jpg'), upload(s3, 'uploads/bob/2', 'photo.jpg'), upload(s3, 'uploads/carol/3', 'lossless.webp')],
  };
  const { results } = await handler(event);
  assert.deepEqual(results.map((r) => r.status), ['processed', 'processed', 'processed']);
  assert.equal(s3.keys('assets', 'avatars/').filter((k) => k.endsWith('.jpg')).length, 3);
  assert.deepEqual(hook.posts.map((p) => [p.json.type, p.json.sub]), [
    ['avatar.ready', 'alice'],
    ['avatar.ready', 'bob'],
    ['avatar.ready', 'carol'],
  ]);
});

test('the avatar is the 512×512 JPEG thumbsmith makes, content-addressed and immutable', async () => {
  const { s3, hook, handler } = setup();
  const { results } = await handler({ Records: [upload(s3, 'uploads/alice/1', 'exif-6.jpg')] });
  const expected = await thumbsmith(fixture('exif-6.jpg')).resize(512, 512).jpeg().toBuffer({ resolveWithObject: true });
  const key = results[0].avatarKey;
  const hash = crypto.createHash('sha256').update(expected.data).digest('hex').slice(0, 16);
  assert.equal(key, `avatars/alice/${hash}.jpg`);
  const written = s3.get('assets', key);
  assert.ok(written.data.equals(expected.data), 'same bytes as the chain on the original upload');
  assert.equal(written.contentType, 'image/jpeg');
  assert.equal(written.cacheControl, IMMUTABLE);
  const header = await thumbsmith.metadata(written.data);
  assert.deepEqual([header.format, header.width, header.height, header.orientation, header.hasGps], ['jpeg', 512, 512, 1, false]);
  // EXIF 6 is stored sideways (64×96) and shown 96×64: the handler reports the upright source.
  assert.deepEqual(hook.posts[0].json.source, { format: 'jpeg', width: 96, height: 64, orientation: 6 });
});

test('the webhook is signed with the shared secret and carries a fresh event id', async () => {
  const { s3, hook, handler } = setup();
  await handler({ Records: [upload(s3, 'uploads/alice/1', 'photo.jpg'), upload(s3, 'uploads/alice/2', 'photo.jpg')] });
  for (const post of hook.posts) {
    const t = Number(/t=(\d+)/.exec(post.headers['X-Avatar-Signature'])[1]);
    assert.equal(post.headers['X-Avatar-Signature'], signatureHeader(SECRET, post.body, t));
    assert.ok(Math.abs(Date.now() / 1000 - t) < 5);
  }
  assert.notEqual(hook.posts[0].json.id, hook.posts[1].json.id);
});

test('keys are URL-decoded the way S3 encodes them (+ is a space)', async () => {
  assert.equal(decodeEventKey('uploads/alice/my+photo+%281%29.jpg'), 'uploads/alice/my photo (1).jpg');
  assert.equal(encodeEventKey('uploads/alice/my photo (1)+x.jpg'), 'uploads/alice/my+photo+%281%29%2Bx.jpg');
  const { s3, handler } = setup();
  const { results } = await handler({ Records: [upload(s3, 'uploads/alice/my photo (1)+x.jpg', 'photo.jpg')] });
  assert.equal(results[0].status, 'processed');
  assert.equal(results[0].key, 'uploads/alice/my photo (1)+x.jpg');
});

test('a text file named .jpg is refused and reported, and nothing is written', async () => {
  const { s3, hook, handler } = setup();
  const { results } = await handler({ Records: [upload(s3, 'uploads/alice/avatar.jpg', 'text.txt')] });
  assert.equal(results[0].status, 'rejected');
  assert.equal(results[0].code, 'ERR_UNSUPPORTED_FORMAT');
  assert.deepEqual(s3.keys('assets', 'avatars/'), []);
  assert.equal(hook.posts.length, 1);
  assert.equal(hook.posts[0].json.type, 'avatar.rejected');
  assert.equal(hook.posts[0].json.error.code, 'ERR_UNSUPPORTED_FORMAT');
});

test('corrupt, oversized and pixel-bomb inputs are refused before any output', async () => {
  const { s3, handler } = setup();
  const big = { data: Buffer.alloc(config.maxInputBytes + 1), etag: 'big' };
  s3.objects.set('uploads/uploads/alice/big', big);
  const { results } = await handler({
    Records: [
      upload(s3, 'uploads/alice/trunc', 'truncated.jpg'),
      upload(s3, 'uploads/alice/bomb', 'bomb.png'),
      upload(s3, 'uploads/alice/empty', 'empty.bin'),
      record('uploads', 'uploads/alice/big', big),
    ],
  });
  assert.deepEqual(results.map((r) => r.code), ['ERR_CORRUPT_INPUT', 'ERR_LIMIT_EXCEEDED', 'ERR_CORRUPT_INPUT', 'ERR_LIMIT_EXCEEDED']);
  assert.deepEqual(s3.keys('assets', 'avatars/'), []);
  // The oversized upload was refused from the event's size: it was never downloaded.
  assert.ok(!s3.calls.some(([name, key]) => name === 'GetObjectCommand' && key === 'uploads/alice/big'));
});

test('a crop signed into the upload is applied in upright pixels', async () => {
  const { s3, handler } = setup();
  const crop = { left: 10, top: 5, width: 40, height: 40 };
  const { results } = await handler({ Records: [upload(s3, 'uploads/alice/1', 'exif-6.jpg', { crop: '10,5,40,40' })] });
  const expected = await thumbsmith(fixture('exif-6.jpg')).extract(crop).resize(512, 512).jpeg().toBuffer();
  assert.ok(s3.get('assets', results[0].avatarKey).data.equals(expected));
  const outside = await handler({ Records: [upload(s3, 'uploads/alice/2', 'exif-6.jpg', { crop: '90,0,40,40' })] });
  assert.equal(outside.results[0].code, 'ERR_INVALID_OPTION');
});

test('a redelivered event does no work twice', async () => {
  const { s3, hook, handler } = setup();
  const event = { Records: [upload(s3, 'uploads/alice/1', 'photo.jpg')] };
  assert.equal((await handler(event)).results[0].status, 'processed');
  const puts = s3.calls.filter(([name]) => name === 'PutObjectCommand').length;
  assert.equal((await handler(event)).results[0].status, 'duplicate');
  assert.equal(s3.calls.filter(([name]) => name === 'PutObjectCommand').length, puts);
  assert.deepEqual(s3.calls.at(-1), ['GetObjectCommand', s3.keys('assets', 'receipts/')[0]], 'only the receipt is read');
  assert.equal(hook.posts.length, 1);
});

test('a new version of the same key (new eTag) is processed again', async () => {
  const { s3, handler } = setup();
  const first = upload(s3, 'uploads/alice/1', 'photo.jpg');
  await handler({ Records: [first] });
  const second = upload(s3, 'uploads/alice/1', 'exif-1.jpg');
  assert.equal((await handler({ Records: [second] })).results[0].status, 'processed');
  assert.equal(s3.keys('assets', 'avatars/alice/').filter((k) => k.endsWith('.jpg')).length, 2);
});

test('an event for a version already overwritten stops as superseded: no retry, no output', async () => {
  // A presigned POST may be used twice before it expires; the second POST's event handles the
  // object as it now is, so the first one has nothing to do (it used to fail with S3's 412
  // PreconditionFailed, and every retry failed the same way).
  const { s3, hook, handler } = setup();
  const first = upload(s3, 'uploads/alice/1', 'photo.jpg');
  const second = upload(s3, 'uploads/alice/1', 'exif-1.jpg');
  const { results } = await handler({ Records: [first] });
  assert.deepEqual(results, [{ status: 'superseded', key: 'uploads/alice/1' }]);
  assert.deepEqual(s3.keys('assets'), []);
  assert.equal(hook.posts.length, 0);
  assert.equal((await handler({ Records: [second] })).results[0].status, 'processed');
  assert.equal(hook.posts.length, 1);
});

test('its own outputs and foreign keys never start work (no recursive trigger)', async () => {
  const { s3, hook, handler } = setup();
  const avatar = { data: fixture('photo.jpg'), etag: 'x' };
  const { results } = await handler({
    Records: [
      record('assets', 'avatars/alice/abc.jpg', avatar),
      record('assets', 'receipts/alice/1/x.json', avatar),
      record('uploads', 'elsewhere/alice/1', avatar),
      record('uploads', 'uploads/alice', avatar),
      record('uploads', 'uploads/alice/1/extra', avatar),
      record('uploads', 'uploads/alice/1', avatar, 'ObjectRemoved:Delete'),
    ],
  });
  assert.deepEqual(results.map((r) => r.status), Array(6).fill('skipped'));
  assert.deepEqual(s3.calls, []);
  assert.equal(hook.posts.length, 0);
});

test('a trigger misconfigured onto the output folder itself still never loops', async () => {
  const s3 = new MemoryS3();
  const hook = webhookRecorder();
  const looping = configFromEnv({
    DEST_BUCKET_NAME: 'assets',
    FOLDER_INPUT: 'avatars/',
    FOLDER_OUTPUT: 'avatars/',
    AVATAR_WEBHOOK_URL: 'http://backend.test/webhooks/avatar',
    AVATAR_WEBHOOK_SECRET: SECRET,
  });
  const handler = createHandler({ s3, config: looping, fetchImpl: hook.fetchImpl, log: () => {} });
  s3.put('assets', 'avatars/alice/abc.jpg', fixture('photo.jpg'));
  const { results } = await handler({ Records: [record('assets', 'avatars/alice/abc.jpg', s3.get('assets', 'avatars/alice/abc.jpg'))] });
  assert.deepEqual(results, [{ status: 'skipped', reason: 'own output' }]);
  assert.deepEqual(s3.calls, []);
});

test('a failing webhook fails the invocation (Lambda retries) and the retry completes it', async () => {
  const { s3, handler, hook } = setup({ status: 503 });
  const event = { Records: [upload(s3, 'uploads/alice/1', 'photo.jpg'), upload(s3, 'uploads/bob/1', 'photo.jpg')] };
  await assert.rejects(handler(event), (err) => err instanceof AggregateError && err.errors.length === 2);
  assert.equal(s3.keys('assets', 'receipts/').length, 0, 'no receipt until the backend knows');
  const retry = createHandler({ s3, config, fetchImpl: webhookRecorder().fetchImpl, log: () => {} });
  const { results } = await retry(event);
  assert.deepEqual(results.map((r) => r.status), ['processed', 'processed']);
  const jpegs = s3.keys('assets', 'avatars/').filter((k) => k.endsWith('.jpg'));
  assert.equal(jpegs.length, 2, 'same content, same keys: nothing duplicated');
  assert.equal(hook.posts.length, 2);
});

test('configuration comes from the usual environment names', () => {
  const custom = configFromEnv({
    DEST_BUCKET_NAME: 'cdn-assets',
    FOLDER_INPUT: 'in',
    FOLDER_OUTPUT: 'out/',
    PROCESS_WIDTH: '256',
    PROCESS_HEIGHT: '128',
    AVATAR_WEBHOOK_URL: 'http://x',
    AVATAR_WEBHOOK_SECRET: 's',
  });
  assert.deepEqual(
    [custom.destBucket, custom.inputFolder, custom.outputFolder, custom.width, custom.height],
    ['cdn-assets', 'in/', 'out/', 256, 128],
  );
  assert.throws(() => configFromEnv({}), /DEST_BUCKET_NAME/);
  assert.throws(() => configFromEnv({ ...custom, DEST_BUCKET_NAME: 'a', AVATAR_WEBHOOK_URL: 'x', AVATAR_WEBHOOK_SECRET: 's', PROCESS_WIDTH: '-1' }), /PROCESS_WIDTH/);
});
