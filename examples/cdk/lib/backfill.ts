// The backfill of avatar variants in AWS: when a variant is introduced (WebP, AVIF), the avatars
// made before it lack it. An S3 Inventory of the uploads bucket lists the originals daily; an S3
// Batch Operations job over that manifest invokes the backfill function (the flow's handler
// behind lambda/backfill/batch.ts) once per original, and writes a report of the failed tasks.
//
//   inventory (daily, CSV, uploads/) ─▶ Manifests bucket  inventory/…/manifest.json
//   aws s3control create-job (scripts/backfill-job.mjs prints it) ─▶ Batch Operations
//       └─ LambdaInvoke, schema 2.0 ─▶ Backfill function (reserved concurrency = the cap)
//       └─ completion report, failed tasks only ─▶ Manifests bucket  reports/
//
// A Batch Operations job is not a CloudFormation resource: it is created per run, from the
// manifest of the day, with the role and function this construct makes.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export const BACKFILL = {
  // At most this many originals in flight: the Lambda's reserved concurrency (Batch Operations
  // retries a throttled invocation). Each one reads an original and writes a few small objects,
  // so the cap is about the webhook receiver's capacity, not S3's.
  concurrency: 20,
  inventoryPrefix: 'inventory',
  reportPrefix: 'reports',
  // Manifests and reports are working files of a run.
  keepDays: 30,
} as const;

export interface BackfillProps {
  uploads: s3.Bucket;
  uploadPrefix: string;
  /** Makes the function with the thumbnail function's bundling, configuration and grants. */
  makeFunction: (scope: Construct, id: string, entry: string, props: Partial<nodejs.NodejsFunctionProps>) => nodejs.NodejsFunction;
  entry: string;
}

export class AvatarBackfill extends Construct {
  readonly manifests: s3.Bucket;
  readonly function: nodejs.NodejsFunction;
  readonly batchRole: iam.Role;

  constructor(scope: Construct, id: string, props: BackfillProps) {
    super(scope, id);
    this.manifests = new s3.Bucket(this, 'Manifests', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      lifecycleRules: [{ id: 'expire-runs', expiration: Duration.days(BACKFILL.keepDays) }],
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CDK adds the destination's bucket policy (s3.amazonaws.com may write inventory/ for this
    // source bucket and account).
    props.uploads.addInventory({
      inventoryId: 'originals',
      destination: { bucket: this.manifests, prefix: BACKFILL.inventoryPrefix },
      objectsPrefix: props.uploadPrefix,
      frequency: s3.InventoryFrequency.DAILY,
      format: s3.InventoryFormat.CSV,
      includeObjectVersions: s3.InventoryObjectVersion.CURRENT,
      optionalFields: ['Size', 'ETag', 'LastModifiedDate'],
    });

    const functionLogs = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.TWO_WEEKS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.function = props.makeFunction(this, 'Function', props.entry, {
      description: 'Backfills avatar variants: the thumbnail handler behind S3 Batch Operations',
      reservedConcurrentExecutions: BACKFILL.concurrency,
      logGroup: functionLogs,
    });

    // The job's role: invoke the function, read the manifest, write the report. Nothing else.
    this.batchRole = new iam.Role(this, 'BatchRole', {
      assumedBy: new iam.ServicePrincipal('batchoperations.s3.amazonaws.com'),
      description: 'S3 Batch Operations job of the avatar backfill',
    });
    this.batchRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'InvokeBackfill',
        actions: ['lambda:InvokeFunction'],
        resources: [this.function.functionArn],
      }),
    );
    this.batchRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadManifest',
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [this.manifests.arnForObjects(`${BACKFILL.inventoryPrefix}/*`)],
      }),
    );
    this.batchRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteReport',
        actions: ['s3:PutObject'],
        resources: [this.manifests.arnForObjects(`${BACKFILL.reportPrefix}/*`)],
      }),
    );
  }
}
