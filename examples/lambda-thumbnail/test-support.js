'use strict';
// What the handler's tests share: an in-memory S3, a webhook recorder, S3 event records.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } = require('@aws-sdk/client-s3');
const { createHandler, configFromEnv } = require('.');
const { encodeEventKey } = require('./s3-key');

const FIXTURES = path.join(__dirname, '..', '..', 'core', 'tests', 'fixtures');
const fixture = (name) => fs.readFileSync(path.join(FIXTURES, name));
const SECRET = 'test-webhook-secret';

class MemoryS3 {
  constructor() {
    this.objects = new Map();
    this.calls = [];
  }

  put(bucket, key, body, extra = {}) {
    const data = Buffer.from(body);
    const etag = crypto.createHash('md5').update(data).digest('hex');
    this.objects.set(`${bucket}/${key}`, { data, etag, ...extra });
    return etag;
  }

  get(bucket, key) {
    return this.objects.get(`${bucket}/${key}`);
  }

  keys(bucket, prefix = '') {
    return [...this.objects.keys()].filter((k) => k.startsWith(`${bucket}/${prefix}`)).map((k) => k.slice(bucket.length + 1));
  }

  async send(command) {
    const { Bucket, Key } = command.input;
    this.calls.push([command.constructor.name, Key]);
    const object = this.get(Bucket, Key);
    const notFound = () => Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });
    if (command instanceof HeadObjectCommand) {
      if (!object) throw notFound();
      return { ContentLength: object.data.length, ETag: `"${object.etag}"` };
    }
    if (command instanceof GetObjectCommand) {
      if (!object) throw notFound();
      if (command.input.IfMatch && command.input.IfMatch !== object.etag) {
        throw Object.assign(new Error('PreconditionFailed'), { $metadata: { httpStatusCode: 412 } });
      }
      return {
        ContentLength: object.data.length,
        Metadata: object.metadata ?? {},
        Body: { transformToByteArray: async () => new Uint8Array(object.data) },
      };
    }
    if (command instanceof ListObjectsV2Command) {
      // Lexicographic, MaxKeys a page, like S3; the continuation token is the last key given.
      const { Prefix = '', MaxKeys = this.pageSize ?? 1000, ContinuationToken, StartAfter } = command.input;
      const after = ContinuationToken ?? StartAfter ?? '';
      const all = this.keys(Bucket, Prefix).sort().filter((k) => k > after);
      const page = all.slice(0, MaxKeys);
      const truncated = all.length > page.length;
      return {
        Contents: page.map((k) => {
          const o = this.get(Bucket, k);
          return { Key: k, Size: o.data.length, ETag: `"${o.etag}"` };
        }),
        IsTruncated: truncated,
        ...(truncated ? { NextContinuationToken: page.at(-1) } : {}),
      };
    }
    if (command instanceof PutObjectCommand) {
      this.put(Bucket, Key, command.input.Body, { contentType: command.input.ContentType, cacheControl: command.input.CacheControl });
      return {};
    }
    throw new Error(`unexpected ${command.constructor.name}`);
  }
}

function webhookRecorder({ status = 200 } = {}) {
  const posts = [];
  const fetchImpl = async (url, init) => {
    posts.push({ url, headers: init.headers, body: init.body, json: JSON.parse(init.body) });
    return new Response(status === 200 ? '{}' : 'nope', { status });
  };
  return { posts, fetchImpl };
}

const config = configFromEnv({
  DEST_BUCKET_NAME: 'assets',
  AVATAR_WEBHOOK_URL: 'http://backend.test/webhooks/avatar',
  AVATAR_WEBHOOK_SECRET: SECRET,
});

function setup(options) {
  const s3 = new MemoryS3();
  const hook = webhookRecorder(options);
  const logs = [];
  const handler = createHandler({ s3, config, fetchImpl: hook.fetchImpl, log: (e) => logs.push(e) });
  return { s3, hook, handler, logs };
}

function record(bucket, key, object, eventName = 'ObjectCreated:Post') {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    eventName,
    s3: { bucket: { name: bucket }, object: { key: encodeEventKey(key), size: object.data.length, eTag: object.etag } },
  };
}

function upload(s3, key, name, metadata) {
  s3.put('uploads', key, fixture(name), { metadata });
  return record('uploads', key, s3.get('uploads', key));
}

module.exports = { FIXTURES, fixture, SECRET, MemoryS3, webhookRecorder, config, setup, record, upload };
