// The backfill function: the flow's avatar handler behind S3 Batch Operations (batch.ts), with
// the thumbnail function's configuration, webhook secret from SSM included. Its reserved
// concurrency is the backfill's cap (lib/backfill.ts).
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { configFromEnv, createHandler, s3FromEnv } from '../../../lambda-thumbnail/index.js';
import { readWebhookSecret } from '../thumbnail/secret.js';
import { batchHandler } from './batch.js';

const secret = await readWebhookSecret();
const s3 = s3FromEnv();

export const handler = batchHandler(
  createHandler({ s3, config: configFromEnv({ ...process.env, AVATAR_WEBHOOK_SECRET: secret }) }),
  async (bucket, key) => {
    try {
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { eTag: String(head.ETag ?? '').replace(/"/g, ''), size: Number(head.ContentLength ?? 0) };
    } catch (err) {
      if ((err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404) return null;
      throw err;
    }
  },
);
