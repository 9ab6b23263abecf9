// S3 Batch Operations → the flow's avatar handler. A Batch Operations job over an S3 Inventory
// manifest of the uploads bucket invokes this function (LambdaInvoke, invocation schema 2.0) with
// one task per original; each becomes the ObjectCreated record S3 sent when the original was
// written, so the handler's receipts decide what is left to do (examples/lambda-thumbnail/
// backfill.js is the local driver of the same path).
//
// Result codes, as Batch Operations reads them: Succeeded (processed, updated, a duplicate of its
// receipt, skipped, rejected — all final), TemporaryFailure (S3 or the webhook failed: the job
// retries the task, then lists it in its completion report), PermanentFailure (the original is
// gone: nothing to retry).

/** The handler's S3 surface this adapter needs: HeadObject for the original's ETag and size. */
export interface HeadObject {
  (bucket: string, key: string): Promise<{ eTag: string; size: number } | null>;
}

export type AvatarHandler = (event: { Records: unknown[] }) => Promise<{ results: { status: string }[] }>;

export interface BatchTask {
  taskId: string;
  s3Key: string;
  s3VersionId?: string | null;
  s3Bucket?: string;
  s3BucketArn?: string;
}

export interface BatchEvent {
  invocationSchemaVersion: string;
  invocationId: string;
  job: { id: string; userArguments?: Record<string, string> };
  tasks: BatchTask[];
}

export interface BatchResult {
  taskId: string;
  resultCode: 'Succeeded' | 'TemporaryFailure' | 'PermanentFailure';
  resultString: string;
}

// Batch Operations keeps at most this much of each result string in its report.
const RESULT_STRING_MAX = 1024;

/** Keys in a Batch Operations task are URL-encoded as in S3 event records (`+` is a space). */
function decodeKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

function bucketOf(task: BatchTask): string {
  if (task.s3Bucket) return task.s3Bucket;
  if (task.s3BucketArn) return task.s3BucketArn.replace(/^arn:[^:]+:s3:::/, '');
  throw new Error(`task ${task.taskId} names no bucket`);
}

export function batchHandler(handler: AvatarHandler, headObject: HeadObject) {
  async function runTask(task: BatchTask): Promise<BatchResult> {
    const result = (resultCode: BatchResult['resultCode'], text: string): BatchResult => ({
      taskId: task.taskId,
      resultCode,
      resultString: text.slice(0, RESULT_STRING_MAX),
    });
    try {
      const bucket = bucketOf(task);
      const head = await headObject(bucket, decodeKey(task.s3Key));
      if (!head) return result('PermanentFailure', 'the original no longer exists');
      const record = {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: bucket }, object: { key: task.s3Key, size: head.size, eTag: head.eTag } },
      };
      const { results } = await handler({ Records: [record] });
      return result('Succeeded', results.map((r) => r.status).join(','));
    } catch (err) {
      const cause = err instanceof AggregateError ? err.errors[0] : err;
      return result('TemporaryFailure', String((cause as Error)?.message ?? cause));
    }
  }

  return async function handle(event: BatchEvent) {
    const results: BatchResult[] = [];
    // One task per invocation is what Batch Operations sends; sequential if it ever sends more.
    for (const task of event.tasks) results.push(await runTask(task));
    return {
      invocationSchemaVersion: event.invocationSchemaVersion,
      treatMissingKeysAs: 'PermanentFailure',
      invocationId: event.invocationId,
      results,
    };
  };
}
