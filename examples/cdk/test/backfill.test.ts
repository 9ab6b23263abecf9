// The backfill's moving parts outside the template (stack.test.ts holds the template): the S3
// Batch Operations adapter in front of the flow's handler, with the real handler and binding over
// an in-memory S3, and the create-job request a run is started with.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchHandler, type BatchEvent } from '../lambda/backfill/batch';
import { BACKFILL } from '../lib/backfill';
import { createJobRequest, main, REPORT_PREFIX } from '../scripts/backfill-job.mjs';

// The flow example's handler and its test double of S3 (CommonJS).
const { createHandler } = require('../../lambda-thumbnail/index.js');
const support = require('../../lambda-thumbnail/test-support.js');
const { VARIANTS } = require('../../lambda-thumbnail/variants.js');

function batchEvent(...keys: string[]): BatchEvent {
  return {
    invocationSchemaVersion: '2.0',
    invocationId: 'inv-1',
    job: { id: 'job-1', userArguments: {} },
    tasks: keys.map((s3Key, i) => ({ taskId: `t${i}`, s3Key, s3VersionId: null, s3Bucket: 'uploads' })),
  };
}

function memoryHead(s3: any) {
  return async (bucket: string, key: string) => {
    const object = s3.get(bucket, key);
    return object ? { eTag: object.etag, size: object.data.length } : null;
  };
}

describe('the Batch Operations adapter, with the real handler', () => {
  it('adds the variants to an upload made before them, then finds nothing to do', async () => {
    const s3 = new support.MemoryS3();
    const quiet = { fetchImpl: support.webhookRecorder().fetchImpl, log: () => {} };
    const jpegOnly = createHandler({ s3, config: support.config, variants: [VARIANTS[0]], ...quiet });
    await jpegOnly({ Records: [support.upload(s3, 'uploads/alice/my photo', 'photo.jpg')] });
    const handle = batchHandler(createHandler({ s3, config: support.config, ...quiet }), memoryHead(s3));
    // Batch Operations URL-encodes keys as S3 events do.
    const first = await handle(batchEvent('uploads/alice/my+photo'));
    assert.deepEqual(first, {
      invocationSchemaVersion: '2.0',
      treatMissingKeysAs: 'PermanentFailure',
      invocationId: 'inv-1',
      results: [{ taskId: 't0', resultCode: 'Succeeded', resultString: 'updated' }],
    });
    assert.ok(s3.keys('assets', 'avatars/alice/').some((k: string) => k.endsWith('.webp')));
    const again = await handle(batchEvent('uploads/alice/my+photo'));
    assert.deepEqual(again.results, [{ taskId: 't0', resultCode: 'Succeeded', resultString: 'duplicate' }]);
  });

  it('reports a vanished original as permanent and a failing webhook as temporary (retried)', async () => {
    const s3 = new support.MemoryS3();
    support.upload(s3, 'uploads/bob/1', 'photo.jpg');
    const down = async () => new Response('down', { status: 503 });
    const handle = batchHandler(createHandler({ s3, config: support.config, fetchImpl: down, log: () => {} }), memoryHead(s3));
    const { results } = await handle(batchEvent('uploads/bob/gone', 'uploads/bob/1'));
    assert.deepEqual(results[0], { taskId: 't0', resultCode: 'PermanentFailure', resultString: 'the original no longer exists' });
    assert.equal(results[1].resultCode, 'TemporaryFailure');
    assert.match(results[1].resultString, /webhook answered 503/);
  });

  it('takes the bucket from an ARN (schema 1.0) and keeps result strings within the report limit', async () => {
    const seen: string[] = [];
    const handle = batchHandler(
      async () => {
        throw new Error('x'.repeat(5000));
      },
      async (bucket, key) => {
        seen.push(`${bucket}/${key}`);
        return { eTag: 'e', size: 1 };
      },
    );
    const event = batchEvent('uploads/a/b');
    event.invocationSchemaVersion = '1.0';
    event.tasks = [{ taskId: 't0', s3Key: 'uploads/a/b', s3BucketArn: 'arn:aws:s3:::my-uploads' }];
    const { results } = await handle(event);
    assert.deepEqual(seen, ['my-uploads/uploads/a/b']);
    assert.equal(results[0].resultString.length, 1024);
  });
});

describe('the create-job request (scripts/backfill-job.mjs)', () => {
  const base = {
    account: '123456789012',
    functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:Backfill',
    roleArn: 'arn:aws:iam::123456789012:role/BatchRole',
    bucketName: 'manifests',
    manifestKey: 'inventory/uploads/originals/2026-12-07T01-00Z/manifest.json',
    manifestEtag: '"0123abcd"',
  };

  it('invokes the function over the inventory manifest and reports failed tasks only', () => {
    const request = createJobRequest(base);
    assert.deepEqual(request.Operation, { LambdaInvoke: { FunctionArn: base.functionArn, InvocationSchemaVersion: '2.0' } });
    assert.deepEqual(request.Manifest, {
      Spec: { Format: 'S3InventoryReport_CSV_20161130' },
      Location: { ObjectArn: `arn:aws:s3:::manifests/${base.manifestKey}`, ETag: '0123abcd' },
    });
    assert.deepEqual(request.Report, {
      Enabled: true,
      Bucket: 'arn:aws:s3:::manifests',
      Prefix: BACKFILL.reportPrefix,
      Format: 'Report_CSV_20180820',
      ReportScope: 'FailedTasksOnly',
    });
    assert.equal(REPORT_PREFIX, BACKFILL.reportPrefix, 'the report lands where the role may write');
    assert.deepEqual([request.RoleArn, request.AccountId, request.ConfirmationRequired], [base.roleArn, base.account, false]);
  });

  it('refuses an incomplete request, and reads the stack outputs file', async () => {
    assert.throws(() => createJobRequest({ ...base, manifestEtag: '' }), /manifestEtag is required/);
    assert.throws(() => createJobRequest({ ...base, account: '12' }), /12 digits/);
    assert.throws(() => createJobRequest({ ...base, manifestKey: 'inventory/x.csv.gz' }), /manifest\.json/);
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backfill-job-'));
    const outputs = path.join(dir, 'outputs.json');
    fs.writeFileSync(outputs, JSON.stringify({ ThumbsmithAvatars: { BackfillFunctionArn: base.functionArn, BackfillRoleArn: base.roleArn, BackfillBucketName: 'manifests' } }));
    const printed = JSON.parse(main(['--account', base.account, '--stack-outputs', outputs, '--manifest', base.manifestKey, '--manifest-etag', 'abc']));
    fs.rmSync(dir, { recursive: true });
    assert.equal(printed.Operation.LambdaInvoke.FunctionArn, base.functionArn);
  });
});
