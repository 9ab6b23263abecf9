'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { s3EventFromFiler } = require('../s3-event');
const { createBridge } = require('../bridge');

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

async function withBridge(handler, run) {
  const server = createBridge({ handler, token: 'tok' });
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
      const response = await post('/filer-events', FILER_CREATE);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { results: [{ status: 'processed' }] });
      assert.equal(seen.length, 1);
      assert.equal(seen[0].Records[0].s3.object.key, 'uploads/alice/my+photo+%281%29.jpg');
      // `/invoke` takes an S3 event as is (redelivery).
      assert.equal((await post('/invoke', seen[0])).status, 200);
      assert.deepEqual(seen[1], seen[0]);
      const log = await (await fetch(`${base}/invocations`, { headers: { authorization: 'Bearer tok' } })).json();
      assert.deepEqual(log.map((entry) => entry.source), ['filer', 'invoke']);
    },
  );
});

test('a handler failure is a 500, so the filer retries like Lambda would', async () => {
  await withBridge(
    async () => {
      throw new Error('S3 unavailable');
    },
    async (base) => {
      const response = await fetch(`${base}/filer-events`, { method: 'POST', headers: { authorization: 'Bearer tok' }, body: JSON.stringify(FILER_CREATE) });
      assert.equal(response.status, 500);
      assert.match((await response.json()).error, /S3 unavailable/);
    },
  );
});
