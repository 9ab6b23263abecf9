'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { s3EventFromFiler } = require('../s3-event');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createBridge, createQueue } = require('../bridge');

// Captured from SeaweedFS 4.48's filer webhook after a presigned POST of 100 bytes.
const FILER_CREATE = {
  event_type: 'create',
  key: '/buckets/uploads/uploads/alice/my photo (1).jpg',
  message: {
    new_entry: {
      name: 'my photo (1).jpg',
      chunks: [{ size: 100, modified_ts_ns: 1795239556881728958, e_tag: 'rtVj7K+0vMVlTFl6QhVHsg==', fid: { volume_id: 15, file_key: 4, cookie: 1956494070 } }],
      attributes: { file_size: 100, mtime: 1795239556, file_mode: 432, crtime: 1795239556, mime: 'image/jpeg', md5: 'rtVj7K+0vMVlTFl6QhVHsg==', inode: 1, ctime: 1795239556, atime: 1795239556 },
      extended: { 'Seaweed-X-Amz-ETag': 'YWVkNTYzZWNhZmI0YmNjNTY1NGM1OTdhNDIxNTQ3YjI=', 'Seaweed-X-Amz-Owner': 'ZGV2' },
    },
    delete_chunks: true,
    new_parent_path: '/buckets/uploads/uploads/alice',
    signatures: [1690546406],
  },
};
const FILER_DIRECTORY = {
  event_type: 'create',
  key: '/buckets/uploads/uploads/alice',
  message: { new_entry: { name: 'alice', is_directory: true, attributes: { mtime: 1795239556 } }, new_parent_path: '/buckets/uploads/uploads' },
};

test('a filer create becomes the S3 event AWS sends', () => {
  const event = s3EventFromFiler(FILER_CREATE, { region: 'eu-west-1', now: new Date('2026-11-21T05:39:16Z') });
  assert.equal(event.Records.length, 1);
  const [record] = event.Records;
  assert.equal(record.eventSource, 'aws:s3');
  assert.equal(record.eventVersion, '2.1');
  assert.equal(record.awsRegion, 'eu-west-1');
  assert.equal(record.eventTime, '2026-11-21T05:39:16.000Z');
  assert.match(record.eventName, /^ObjectCreated:/);
  assert.deepEqual(record.s3.bucket, { name: 'uploads', ownerIdentity: { principalId: 'local' }, arn: 'arn:aws:s3:::uploads' });
  assert.deepEqual(record.s3.object, {
    key: 'uploads/alice/my+photo+%281%29.jpg',
    size: 100,
    eTag: 'aed563ecafb4bcc5654c597a421547b2',
    sequencer: (1795239556n * 1_000_000_000n).toString(16).toUpperCase().padStart(16, '0'),
  });
});

test('the eTag falls back to the MD5 attribute', () => {
  const entry = { ...FILER_CREATE.message.new_entry, extended: {} };
  const event = s3EventFromFiler({ ...FILER_CREATE, message: { ...FILER_CREATE.message, new_entry: entry } });
  assert.equal(event.Records[0].s3.object.eTag, 'aed563ecafb4bcc5654c597a421547b2');
});

test('directories, deletes and non-bucket paths are not ObjectCreated', () => {
  assert.equal(s3EventFromFiler(FILER_DIRECTORY), null);
  assert.equal(s3EventFromFiler({ ...FILER_CREATE, event_type: 'delete' }), null);
  assert.equal(s3EventFromFiler({ ...FILER_CREATE, key: '/etc/iam/identity.json' }), null);
  assert.equal(s3EventFromFiler({ ...FILER_CREATE, key: '/buckets/uploads' }), null);
  assert.equal(s3EventFromFiler(null), null);
});

async function withBridge(handler, run, options = {}) {
  const server = createBridge({ handler, token: 'tok', ...options });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    await run(base);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

test('the bridge invokes the handler with the event, and only for its own token', async () => {
  const seen = [];
  await withBridge(
    async (event) => {
      seen.push(event);
      return { results: [{ status: 'processed' }] };
    },
    async (base) => {
      const post = (path, body, token = 'tok') =>
        fetch(base + path, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
      assert.equal((await post('/filer-events', FILER_CREATE, 'wrong')).status, 401);
      assert.equal((await post('/filer-events', FILER_DIRECTORY)).status, 204);
      // Queued and acknowledged (202, as Lambda's asynchronous Invoke), then run.
      const response = await post('/filer-events', FILER_CREATE);
      assert.equal(response.status, 202);
      await until(() => seen.length === 1);
      assert.equal(seen[0].Records[0].s3.object.key, 'uploads/alice/my+photo+%281%29.jpg');
      // `/invoke` takes an S3 event as is (redelivery).
      assert.equal((await post('/invoke', seen[0])).status, 200);
      assert.deepEqual(seen[1], seen[0]);
      const log = await (await fetch(`${base}/invocations`, { headers: { authorization: 'Bearer tok' } })).json();
      assert.deepEqual(log.map((entry) => entry.source), ['filer', 'invoke']);
    },
  );
});

async function until(check, timeout = 5000) {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('a failing event is tried three times (Lambda: the first try and two retries), then dead-lettered', async () => {
  let calls = 0;
  await withBridge(
    async () => {
      calls += 1;
      throw new Error('S3 unavailable');
    },
    async (base) => {
      const auth = { authorization: 'Bearer tok' };
      const response = await fetch(`${base}/filer-events`, { method: 'POST', headers: auth, body: JSON.stringify(FILER_CREATE) });
      assert.equal(response.status, 202);
      let dlq = [];
      await until(() => calls === 3);
      await until(() => {
        fetch(`${base}/dlq`, { headers: auth }).then(async (r) => { dlq = await r.json(); });
        return dlq.length === 1;
      });
      assert.equal(dlq[0].attempts, 3);
      assert.equal(dlq[0].key, 'uploads/alice/my+photo+%281%29.jpg');
      assert.match(dlq[0].error, /S3 unavailable/);
      const log = await (await fetch(`${base}/invocations`, { headers: auth })).json();
      assert.deepEqual(log.map((entry) => entry.attempt), [1, 2, 3]);
      // A `/invoke` is synchronous (RequestResponse): its failure is the caller's, a 500, no retry.
      const direct = await fetch(`${base}/invoke`, { method: 'POST', headers: auth, body: JSON.stringify(dlq[0].event) });
      assert.equal(direct.status, 500);
      assert.equal(calls, 4);
    },
    { retryDelaysMs: [1, 1] },
  );
});

test('a redriven dead letter runs again with fresh attempts', async () => {
  let fail = true;
  const done = [];
  const queue = createQueue({
    retryDelaysMs: [1],
    run: async (event) => (fail ? { ok: false, error: 'down' } : (done.push(event), { ok: true })),
  });
  queue.enqueue({ Records: [{ s3: { object: { key: 'uploads/a/1' } } }] });
  await until(() => queue.deadLetters().length === 1);
  fail = false;
  assert.equal(queue.redrive('uploads/b/2'), 0);
  assert.equal(queue.redrive('uploads/a/1'), 1);
  await until(() => done.length === 1 && queue.idle());
  assert.equal(queue.deadLetters().length, 0);
});

test('an event a killed process was running is delivered again by the next one, once', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-spool-'));
  try {
    const event = { Records: [{ s3: { object: { key: 'uploads/a/1' } } }] };
    // The first process starts the job and never finishes it (killed: its promise never settles).
    const first = createQueue({ dir, run: () => new Promise(() => {}) });
    first.enqueue(event);
    assert.deepEqual(first.state().running, ['uploads/a/1']);
    const runs = [];
    const second = createQueue({ dir, run: async (e, attempt) => (runs.push([e, attempt]), { ok: true }) });
    assert.equal(second.recover(), 1);
    await until(() => second.idle());
    assert.deepEqual(runs, [[event, 2]]); // the attempt that died counted as the first
    assert.deepEqual(fs.readdirSync(path.join(dir, 'queue')), []);
    // and a third process finds nothing left to do
    assert.equal(createQueue({ dir, run: async () => ({ ok: true }) }).recover(), 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an event whose last attempt died with the process goes to the dead-letter queue', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-spool-'));
  try {
    fs.mkdirSync(path.join(dir, 'queue'), { recursive: true });
    const item = { id: 'x', event: { Records: [] }, attempts: 3, receivedAt: new Date().toISOString() };
    fs.writeFileSync(path.join(dir, 'queue', 'x.json'), JSON.stringify(item));
    const queue = createQueue({ dir, retryDelaysMs: [1, 1], run: async () => assert.fail('must not run') });
    queue.recover();
    assert.equal(queue.deadLetters().length, 1);
    assert.match(queue.deadLetters()[0].error, /died/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
