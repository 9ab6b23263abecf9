#!/usr/bin/env node
// Prints the `aws s3control create-job --cli-input-json` request of one avatar backfill run: an
// S3 Batch Operations job over the day's S3 Inventory manifest of the uploads bucket, invoking
// the stack's backfill function once per original (its reserved concurrency caps how many at a
// time), with a completion report of the failed tasks (lib/backfill.ts, README "Backfill").
//
//   node scripts/backfill-job.mjs --account 123456789012 --stack-outputs outputs.json \
//     --manifest inventory/<uploads bucket>/originals/<date>/manifest.json --manifest-etag <etag> > job.json
//   aws s3control create-job --cli-input-json file://job.json
//
// outputs.json: `cdk deploy --outputs-file outputs.json` (BackfillFunctionArn, BackfillRoleArn,
// BackfillBucketName). The manifest's ETag: `aws s3api head-object` on it.
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';

export const REPORT_PREFIX = 'reports';

/**
 * @param {{account: string, functionArn: string, roleArn: string, bucketName: string,
 *          manifestKey: string, manifestEtag: string, description?: string}} options
 */
export function createJobRequest({ account, functionArn, roleArn, bucketName, manifestKey, manifestEtag, description }) {
  for (const [name, value] of Object.entries({ account, functionArn, roleArn, bucketName, manifestKey, manifestEtag })) {
    if (!value) throw new Error(`${name} is required`);
  }
  if (!/^\d{12}$/.test(account)) throw new Error(`account must be 12 digits, got ${account}`);
  if (!manifestKey.endsWith('manifest.json')) throw new Error(`the manifest is an inventory's manifest.json, got ${manifestKey}`);
  const bucketArn = `arn:aws:s3:::${bucketName}`;
  return {
    AccountId: account,
    ConfirmationRequired: false,
    Description: description ?? 'thumbsmith avatar backfill',
    Priority: 10,
    RoleArn: roleArn,
    Operation: {
      // Schema 2.0: tasks name the bucket by name and carry the job's user arguments.
      LambdaInvoke: { FunctionArn: functionArn, InvocationSchemaVersion: '2.0' },
    },
    Manifest: {
      Spec: { Format: 'S3InventoryReport_CSV_20161130' },
      Location: { ObjectArn: `${bucketArn}/${manifestKey}`, ETag: manifestEtag.replace(/"/g, '') },
    },
    Report: {
      Enabled: true,
      Bucket: bucketArn,
      Prefix: REPORT_PREFIX,
      Format: 'Report_CSV_20180820',
      ReportScope: 'FailedTasksOnly',
    },
  };
}

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i]?.replace(/^--/, '');
    if (!['account', 'stack-outputs', 'manifest', 'manifest-etag', 'description'].includes(name) || i + 1 >= argv.length) {
      throw new Error(`unknown or incomplete argument ${argv[i]}`);
    }
    args[name] = argv[i + 1];
  }
  return args;
}

export function main(argv) {
  const args = parseArgs(argv);
  const outputs = Object.values(JSON.parse(fs.readFileSync(args['stack-outputs'], 'utf8')))[0] ?? {};
  const request = createJobRequest({
    account: args.account,
    functionArn: outputs.BackfillFunctionArn,
    roleArn: outputs.BackfillRoleArn,
    bucketName: outputs.BackfillBucketName,
    manifestKey: args.manifest,
    manifestEtag: args['manifest-etag'],
    description: args.description,
  });
  return JSON.stringify(request, null, 2);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    console.log(main(process.argv.slice(2)));
  } catch (err) {
    console.error(err.message);
    process.exit(2);
  }
}
