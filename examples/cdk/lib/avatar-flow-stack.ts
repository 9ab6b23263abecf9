// The avatar flow of examples/ on AWS:
//
//   browser ─ POST /avatars/key_upload (Cognito JWT) ─▶ presign Lambda ─▶ presigned POST
//   browser ─ POST form ─▶ uploads bucket  uploads/<sub>/<upload-id>
//       └─ OBJECT_CREATED (prefix uploads/) ─▶ thumbnail Lambda (thumbsmith, arm64)
//            ├─ PUT avatars/<sub>/… ─▶ assets bucket ─▶ CloudFront (OAC) ─▶ browser
//            └─ signed webhook ─▶ your backend (secret from SSM Parameter Store)
//
// Every grant is written out by hand (no grantRead/grantWrite) so each one names exactly the
// actions and the key prefix the code uses, and the tests can hold the template to that.
import * as path from 'node:path';
import { Annotations, ArnFormat, Aws, CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AvatarBackfill } from './backfill';
import type { Settings } from './settings';
import { THUMBNAIL_SIZING } from './sizing';
import { vendorThumbsmithCommand } from './thumbsmith-bundle';

/** The flow's key layout and upload rules: the same values the Flask backend and handler default to. */
export const FLOW = {
  uploadPrefix: 'uploads/',
  avatarPrefix: 'avatars/',
  // The handler's "done" markers (one per upload version) sit beside the avatars, never public.
  receiptPrefix: 'receipts/',
  maxUploadBytes: 10 * 1024 * 1024,
  uploadExpiresSeconds: 300,
} as const;

const CDK_DIR = path.resolve(__dirname, '..');
const LOCK_FILE = path.join(CDK_DIR, 'package-lock.json');

export class AvatarFlowStack extends Stack {
  readonly uploads: s3.Bucket;
  readonly assets: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly thumbnailFunction: nodejs.NodejsFunction;
  readonly thumbnailFailures: sqs.Queue;
  readonly backfill: AvatarBackfill;
  readonly presignFunction?: nodejs.NodejsFunction;
  readonly api?: apigwv2.HttpApi;

  constructor(scope: Construct, id: string, settings: Settings, props?: StackProps) {
    super(scope, id, { description: 'thumbsmith avatar flow: uploads, thumbnail Lambda, CDN, presign API', ...props });

    // ---- storage ----
    this.uploads = new s3.Bucket(this, 'Uploads', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // The browser POSTs the presigned form straight to the bucket, from the site only.
      cors: [
        {
          allowedOrigins: [settings.siteOrigin],
          allowedMethods: [s3.HttpMethods.POST],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag'],
          maxAge: 3600,
        },
      ],
      // Originals are needed only until the handler has made the avatar (seconds); after that
      // they are personal data nobody looks at. Half-finished multipart uploads cost money too.
      lifecycleRules: [
        { id: 'expire-originals', prefix: FLOW.uploadPrefix, expiration: Duration.days(settings.uploadRetentionDays) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      // Nothing here outlives a day; a stack delete waits for the bucket to be empty.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.assets = new s3.Bucket(this, 'Assets', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // The avatars are what users see: keep them if the stack goes away.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // ---- CDN ----
    // Avatars are written once under a new key with `Cache-Control: public, max-age=31536000,
    // immutable`; this policy lets that header decide (up to a year), keys on the path alone and
    // skips Accept-Encoding (JPEG does not compress further, so varying on it only splits the cache).
    const avatarCache = new cloudfront.CachePolicy(this, 'ImmutableAvatars', {
      comment: 'thumbsmith avatars: honour the object Cache-Control (immutable, 1 year)',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.days(1),
      maxTtl: Duration.days(365),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      enableAcceptEncodingGzip: false,
      enableAcceptEncodingBrotli: false,
    });
    this.distribution = new cloudfront.Distribution(this, 'Cdn', {
      comment: 'thumbsmith avatars',
      defaultBehavior: {
        // OAC: CloudFront signs its requests to S3. The origin is handed a *reference* to the
        // bucket so that CDK does not open all of it (`/*`) to CloudFront: the statement below
        // opens avatars/ only, since the handler's receipts/ live in the same bucket.
        origin: origins.S3BucketOrigin.withOriginAccessControl(
          s3.Bucket.fromBucketAttributes(this, 'AssetsOrigin', {
            bucketArn: this.assets.bucketArn,
            bucketRegionalDomainName: this.assets.bucketRegionalDomainName,
          }),
          { originAccessLevels: [cloudfront.AccessLevel.READ] },
        ),
        cachePolicy: avatarCache,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        compress: false,
      },
      domainNames: settings.customDomain ? [settings.customDomain.domainName] : undefined,
      certificate: settings.customDomain
        ? acm.Certificate.fromCertificateArn(this, 'CdnCertificate', settings.customDomain.certificateArn)
        : undefined,
      // Settable only with your own certificate (the default *.cloudfront.net one has a fixed policy).
      minimumProtocolVersion: settings.customDomain ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // North America and Europe edges only: the cheapest class; others are served from those.
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
    });
    this.assets.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CdnReadsAvatars',
        principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        resources: [this.assets.arnForObjects(`${FLOW.avatarPrefix}*`)],
        conditions: { StringEquals: { 'AWS:SourceArn': this.distribution.distributionArn } },
      }),
    );
    Annotations.of(this).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac',
      'the assets bucket policy is written by this stack (CdnReadsAvatars), for avatars/ only',
    );
    const cdnBaseUrl = `https://${settings.customDomain?.domainName ?? this.distribution.distributionDomainName}`;

    // ---- thumbnail Lambda ----
    const thumbnailLogs = new logs.LogGroup(this, 'ThumbnailLogs', {
      retention: logs.RetentionDays.TWO_WEEKS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // S3 invokes the handler asynchronously: Lambda retries a failed event twice (over ~3 min),
    // then drops it. Events that failed that often (webhook down, S3 errors) wait here for 14
    // days instead of vanishing; an empty queue costs nothing.
    this.thumbnailFailures = new sqs.Queue(this, 'ThumbnailFailures', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    const makeHandlerFunction = (scope: Construct, id: string, entry: string, extra: Partial<nodejs.NodejsFunctionProps>) =>
      handlerFunction(this, settings, scope, id, entry, extra);
    this.thumbnailFunction = makeHandlerFunction(this, 'Thumbnail', path.join(CDK_DIR, 'lambda', 'thumbnail', 'index.mts'), {
      description: 'Makes the avatar of each upload with thumbsmith and notifies the backend',
      logGroup: thumbnailLogs,
      deadLetterQueue: this.thumbnailFailures,
      retryAttempts: 2,
    });
    this.uploads.addEventNotification(
      s3.EventType.OBJECT_CREATED,
      new s3n.LambdaDestination(this.thumbnailFunction),
      { prefix: FLOW.uploadPrefix },
    );

    // ---- presign API (for sites without the Flask backend) ----
    if (settings.cognito) {
      const presignLogs = new logs.LogGroup(this, 'PresignLogs', {
        retention: logs.RetentionDays.TWO_WEEKS,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      this.presignFunction = new nodejs.NodejsFunction(this, 'Presign', {
        description: 'Presigned POST for uploads/<sub>/<upload-id>: image/*, at most 10 MiB, 5 minutes',
        entry: path.join(CDK_DIR, 'lambda', 'presign', 'index.ts'),
        handler: 'handler',
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture: lambda.Architecture.ARM_64,
        // Signing is a few HMACs: the smallest size answers in milliseconds.
        memorySize: 256,
        timeout: Duration.seconds(5),
        depsLockFilePath: LOCK_FILE,
        logGroup: presignLogs,
        bundling: {
          format: nodejs.OutputFormat.ESM,
          target: 'node22',
          minify: true,
          sourceMap: true,
        sourcesContent: false,
          // Bundle the SDK too: @aws-sdk/s3-presigned-post is not in the Lambda runtime, and it must
          // match its @aws-sdk/client-s3.
          externalModules: [],
          banner: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
        },
        environment: {
          NODE_OPTIONS: '--enable-source-maps',
          UPLOADS_BUCKET_NAME: this.uploads.bucketName,
          FOLDER_INPUT: FLOW.uploadPrefix,
          MAX_UPLOAD_BYTES: String(FLOW.maxUploadBytes),
          UPLOAD_EXPIRES_SECONDS: String(FLOW.uploadExpiresSeconds),
        },
      });
      // A presigned POST carries the signer's rights: PutObject under the uploads prefix, nothing else.
      this.presignFunction.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'SignUploads',
          actions: ['s3:PutObject'],
          resources: [this.uploads.arnForObjects(`${FLOW.uploadPrefix}*`)],
        }),
      );

      this.api = new apigwv2.HttpApi(this, 'Api', {
        description: 'thumbsmith avatar uploads',
        corsPreflight: {
          allowOrigins: [settings.siteOrigin],
          allowMethods: [apigwv2.CorsHttpMethod.POST],
          allowHeaders: ['authorization', 'content-type'],
          maxAge: Duration.hours(1),
        },
        createDefaultStage: false,
      });
      new apigwv2.HttpStage(this, 'ApiStage', {
        httpApi: this.api,
        stageName: '$default',
        autoDeploy: true,
        // Each call mints an upload slot: keep a stolen token from minting thousands.
        throttle: { rateLimit: 20, burstLimit: 40 },
      });
      this.api.addRoutes({
        path: '/avatars/key_upload',
        methods: [apigwv2.HttpMethod.POST],
        integration: new HttpLambdaIntegration('PresignIntegration', this.presignFunction),
        // API Gateway checks signature, issuer, expiry and audience (the app client id) itself.
        authorizer: new HttpJwtAuthorizer('Cognito', settings.cognito.issuer, {
          jwtAudience: [settings.cognito.clientId],
          identitySource: ['$request.header.Authorization'],
        }),
      });
      new CfnOutput(this, 'ApiUrl', { value: `https://${this.api.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}` });
    }

    // ---- backfill of variants over existing originals (lib/backfill.ts) ----
    this.backfill = new AvatarBackfill(this, 'Backfill', {
      uploads: this.uploads,
      uploadPrefix: FLOW.uploadPrefix,
      makeFunction: makeHandlerFunction,
      entry: path.join(CDK_DIR, 'lambda', 'backfill', 'index.mts'),
    });
    new CfnOutput(this, 'BackfillFunctionArn', { value: this.backfill.function.functionArn });
    new CfnOutput(this, 'BackfillRoleArn', { value: this.backfill.batchRole.roleArn });
    new CfnOutput(this, 'BackfillBucketName', { value: this.backfill.manifests.bucketName });

    new CfnOutput(this, 'UploadsBucketName', { value: this.uploads.bucketName });
    new CfnOutput(this, 'AssetsBucketName', { value: this.assets.bucketName });
    new CfnOutput(this, 'CdnBaseUrl', { value: cdnBaseUrl });
    new CfnOutput(this, 'CdnDistributionDomain', { value: this.distribution.distributionDomainName });
  }
}

// The flow's handler on Lambda: the thumbnail function (S3 events) and the backfill function
// (S3 Batch Operations) share its bundle settings, configuration and grants.
function handlerFunction(
  stack: AvatarFlowStack,
  settings: Settings,
  scope: Construct,
  id: string,
  entry: string,
  extra: Partial<nodejs.NodejsFunctionProps>,
): nodejs.NodejsFunction {
  const fn = new nodejs.NodejsFunction(scope, id, {
    entry,
    handler: 'handler',
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: THUMBNAIL_SIZING.memoryMb,
    timeout: Duration.seconds(THUMBNAIL_SIZING.timeoutSeconds),
    depsLockFilePath: LOCK_FILE,
    bundling: {
      format: nodejs.OutputFormat.ESM,
      target: 'node22',
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      // The native addon cannot be bundled: it is copied in after esbuild, arm64 binary only.
      externalModules: ['thumbsmith'],
      // esbuild output is ESM; the flow handler is CommonJS and `require`s thumbsmith.
      banner: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
      // Packages the handler imports resolve from this app's node_modules too.
      environment: { NODE_PATH: path.join(CDK_DIR, 'node_modules') },
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        afterBundling: (_inputDir: string, outputDir: string) => [vendorThumbsmithCommand(outputDir)],
      },
    },
    environment: {
      NODE_OPTIONS: '--enable-source-maps',
      // The flow handler's variables (examples/lambda-thumbnail/index.js, configFromEnv);
      // the rest (512×512, 10 MiB, 50 MP) are its defaults.
      DEST_BUCKET_NAME: stack.assets.bucketName,
      FOLDER_INPUT: FLOW.uploadPrefix,
      FOLDER_OUTPUT: FLOW.avatarPrefix,
      FOLDER_RECEIPTS: FLOW.receiptPrefix,
      AVATAR_WEBHOOK_URL: settings.webhookUrl,
      // Not the secret itself: where the wrapper reads it at cold start.
      WEBHOOK_SECRET_PARAMETER: settings.webhookSecretParameter,
    },
    ...extra,
  });
  // Read the original (uploads prefix only), write the avatar (avatars prefix only).
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: 'ReadOriginals',
      actions: ['s3:GetObject'],
      resources: [stack.uploads.arnForObjects(`${FLOW.uploadPrefix}*`)],
    }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: 'WriteAvatarsAndReceipts',
      actions: ['s3:PutObject'],
      resources: [
        stack.assets.arnForObjects(`${FLOW.avatarPrefix}*`),
        stack.assets.arnForObjects(`${FLOW.receiptPrefix}*`),
      ],
    }),
  );
  // A redelivered event is recognised by its receipt (GetObject: it names the variants written).
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: 'ReadReceipts',
      actions: ['s3:GetObject'],
      resources: [stack.assets.arnForObjects(`${FLOW.receiptPrefix}*`)],
    }),
  );
  // Without ListBucket, S3 answers HeadObject on a missing key with 403 instead of 404, and the
  // handler could not tell "no receipt yet" from a real refusal. Listing reveals key names
  // only (avatar hashes, receipts), never contents.
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: 'TellMissingReceipts',
      actions: ['s3:ListBucket'],
      resources: [stack.assets.bucketArn],
    }),
  );
  // The webhook secret, read once per cold start (SecureString under the AWS-managed key,
  // whose key policy already admits decryption through SSM for this account's principals).
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: 'ReadWebhookSecret',
      actions: ['ssm:GetParameter'],
      resources: [
        stack.formatArn({
          service: 'ssm',
          resource: 'parameter',
          resourceName: settings.webhookSecretParameter.replace(/^\//, ''),
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        }),
      ],
    }),
  );
  return fn;
}
