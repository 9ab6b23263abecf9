'use strict';
// SeaweedFS filer notification → the S3 event JSON that AWS sends to a Lambda.
//
// The filer posts one JSON object per metadata change:
//   {"event_type": "create", "key": "/buckets/<bucket>/<object key>",
//    "message": {"new_entry": {"name", "is_directory", "attributes": {"file_size", "md5", ...},
//                              "extended": {"Seaweed-X-Amz-ETag": base64(etag), ...}}, ...}}
// AWS's shape (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html):
//   {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
//                 "s3": {"bucket": {"name", "arn"}, "object": {"key" (URL-encoded), "size", "eTag", "sequencer"}}}]}
const crypto = require('node:crypto');
const { encodeEventKey } = require('../lambda-thumbnail/s3-key');

const BUCKETS_ROOT = '/buckets/';

// Returns the S3 event for a filer notification, or null for changes S3 would not announce as
// ObjectCreated (directories, deletes, renames, the bucket folders themselves).
function s3EventFromFiler(notification, { region = 'us-east-1', now = new Date() } = {}) {
  const entry = notification?.message?.new_entry;
  const path = notification?.key;
  if (!['create', 'update'].includes(notification?.event_type) || !entry || entry.is_directory) return null;
  if (typeof path !== 'string' || !path.startsWith(BUCKETS_ROOT)) return null;
  const rest = path.slice(BUCKETS_ROOT.length);
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) return null;
  const bucket = rest.slice(0, slash);
  const key = rest.slice(slash + 1);
  const attributes = entry.attributes ?? {};
  const s3Etag = entry.extended?.['Seaweed-X-Amz-ETag'];
  // The S3 ETag: what the gateway stored for the object, else the MD5 of a single-part upload.
  const eTag = s3Etag
    ? Buffer.from(s3Etag, 'base64').toString()
    : attributes.md5
      ? Buffer.from(attributes.md5, 'base64').toString('hex')
      : '';
  const mtimeNs = BigInt(attributes.mtime ?? 0) * 1_000_000_000n + BigInt(attributes.mtime_ns ?? 0);
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: region,
        eventTime: now.toISOString(),
        eventName: notification.event_type === 'create' ? 'ObjectCreated:Post' : 'ObjectCreated:Put',
        userIdentity: { principalId: 'local' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: {
          'x-amz-request-id': crypto.randomBytes(8).toString('hex').toUpperCase(),
          'x-amz-id-2': crypto.randomBytes(32).toString('base64'),
        },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'thumbsmith-local-bridge',
          bucket: { name: bucket, ownerIdentity: { principalId: 'local' }, arn: `arn:aws:s3:::${bucket}` },
          object: {
            key: encodeEventKey(key),
            size: Number(attributes.file_size ?? 0),
            eTag,
            sequencer: mtimeNs.toString(16).toUpperCase().padStart(16, '0'),
          },
        },
      },
    ],
  };
}

module.exports = { s3EventFromFiler };
