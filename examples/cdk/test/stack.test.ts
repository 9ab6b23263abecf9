// The synthesized template, held to what the issue asks: private buckets, OAC, the Lambda's
// runtime/architecture/handler, the notification's prefix filter, prefix-bound IAM, the JWT
// authorizer on the upload route, and no `s3:*` anywhere.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { App, CfnElement } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { FLOW } from '../lib/avatar-flow-stack';
import { BACKFILL } from '../lib/backfill';
import { settingsFromContext } from '../lib/settings';
import { THUMBNAIL_SIZING } from '../lib/sizing';
import { CONTEXT, synth } from './synth';

const full = synth();
const { stack, template } = full;
// Only the required values: no API, no custom domain.
const minimal = synth({ siteOrigin: CONTEXT.siteOrigin, webhookUrl: CONTEXT.webhookUrl });
const resources: Record<string, any> = template.toJSON().Resources;

const logicalId = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const NAMES: Record<string, string> = {
  [logicalId(stack.uploads)]: 'Uploads',
  [logicalId(stack.assets)]: 'Assets',
  [logicalId(stack.distribution)]: 'Cdn',
  [logicalId(stack.thumbnailFailures)]: 'ThumbnailFailures',
  [logicalId(stack.backfill.manifests)]: 'Manifests',
  [logicalId(stack.backfill.function)]: 'Backfill',
};

/** An ARN as a readable string: `Fn::Join` of `Fn::GetAtt`s becomes "Uploads.Arn/uploads/*". */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(render).join(v['Fn::Join'][0]);
  if (v['Fn::GetAtt']) return `${NAMES[v['Fn::GetAtt'][0]] ?? v['Fn::GetAtt'][0]}.${v['Fn::GetAtt'][1]}`;
  if (v.Ref) return NAMES[v.Ref] ?? v.Ref;
  return JSON.stringify(value);
}
const list = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

interface Statement {
  sid?: string;
  effect: string;
  actions: string[];
  resources: string[];
  condition?: unknown;
  principal?: unknown;
}
const statementsOf = (document: any): Statement[] =>
  document.Statement.map((s: any) => ({
    sid: s.Sid,
    effect: s.Effect,
    actions: list(s.Action),
    resources: list(s.Resource ?? []).map(render),
    condition: s.Condition,
    principal: s.Principal,
  }));

/** The inline statements attached to a function's execution role. */
function roleStatements(fn: IConstruct & { role?: IConstruct }): Statement[] {
  const roleId = logicalId(fn.role!);
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((role: any) => role.Ref === roleId))
    .flatMap((r) => statementsOf(r.Properties.PolicyDocument));
}

const bucketPolicy = (bucketName: string): Statement[] => {
  const policies = Object.values(resources).filter(
    (r) => r.Type === 'AWS::S3::BucketPolicy' && render(r.Properties.Bucket) === bucketName,
  );
  assert.equal(policies.length, 1, `one policy for ${bucketName}`);
  return statementsOf(policies[0].Properties.PolicyDocument);
};

describe('buckets', () => {
  for (const [name, bucket] of [['Uploads', stack.uploads], ['Assets', stack.assets]] as const) {
    it(`${name} is private: public access blocked, owner-enforced, encrypted`, () => {
      const props = resources[logicalId(bucket)].Properties;
      assert.deepEqual(props.PublicAccessBlockConfiguration, {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      assert.deepEqual(props.OwnershipControls, { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
      assert.equal(props.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm, 'AES256');
      assert.equal(props.WebsiteConfiguration, undefined);
    });

    it(`${name} refuses plain HTTP`, () => {
      const tlsOnly = bucketPolicy(name).find((s) => s.effect === 'Deny');
      assert.ok(tlsOnly, 'a Deny statement');
      // A Deny on every action for non-TLS requests: the only place `s3:*` belongs.
      assert.deepEqual(tlsOnly.actions, ['s3:*']);
      assert.deepEqual(tlsOnly.condition, { Bool: { 'aws:SecureTransport': 'false' } });
      assert.deepEqual(tlsOnly.principal, { AWS: '*' });
    });
  }

  it('uploads: CORS for the site origin only, POST only', () => {
    const cors = resources[logicalId(stack.uploads)].Properties.CorsConfiguration.CorsRules;
    assert.equal(cors.length, 1);
    assert.deepEqual(cors[0].AllowedOrigins, [CONTEXT.siteOrigin]);
    assert.deepEqual(cors[0].AllowedMethods, ['POST']);
    assert.deepEqual(cors[0].ExposedHeaders, ['ETag']);
  });

  it('uploads: originals expire (default 1 day), incomplete multipart uploads are aborted', () => {
    const rules = resources[logicalId(stack.uploads)].Properties.LifecycleConfiguration.Rules;
    assert.deepEqual(
      rules.find((r: any) => r.Id === 'expire-originals'),
      { Id: 'expire-originals', Prefix: FLOW.uploadPrefix, ExpirationInDays: 1, Status: 'Enabled' },
    );
    assert.equal(rules.find((r: any) => r.Id === 'abort-incomplete-uploads').AbortIncompleteMultipartUpload.DaysAfterInitiation, 1);
  });

  it('no bucket policy allows anyone but CloudFront, and CloudFront only avatars/ of this distribution', () => {
    const allows = [...bucketPolicy('Uploads'), ...bucketPolicy('Assets')].filter((s) => s.effect === 'Allow');
    assert.deepEqual(
      allows.map(({ sid, actions, resources: arns, principal }) => ({ sid, actions, arns, principal })),
      [{ sid: 'CdnReadsAvatars', actions: ['s3:GetObject'], arns: ['Assets.Arn/avatars/*'], principal: { Service: 'cloudfront.amazonaws.com' } }],
    );
    const [cdn] = allows;
    const sourceArn = render((cdn.condition as any).StringEquals['AWS:SourceArn']);
    assert.match(sourceArn, /^arn:.*:cloudfront::.*:distribution\/Cdn$/);
  });
});

describe('CDN', () => {
  const distribution = resources[logicalId(stack.distribution)].Properties.DistributionConfig;

  it('reads the assets bucket through Origin Access Control (no OAI, no public website)', () => {
    const oacs = template.findResources('AWS::CloudFront::OriginAccessControl');
    assert.equal(Object.keys(oacs).length, 1);
    const [oacId, oac] = Object.entries(oacs)[0] as [string, any];
    assert.deepEqual(
      { type: oac.Properties.OriginAccessControlConfig.OriginAccessControlOriginType, signing: oac.Properties.OriginAccessControlConfig.SigningBehavior, protocol: oac.Properties.OriginAccessControlConfig.SigningProtocol },
      { type: 's3', signing: 'always', protocol: 'sigv4' },
    );
    assert.equal(distribution.Origins.length, 1);
    const [origin] = distribution.Origins;
    assert.deepEqual(origin.OriginAccessControlId, { 'Fn::GetAtt': [oacId, 'Id'] });
    assert.equal(render(origin.DomainName), 'Assets.RegionalDomainName');
    assert.deepEqual(origin.S3OriginConfig, { OriginAccessIdentity: '' });
    template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
  });

  it('caches by path alone and lets the immutable Cache-Control rule, up to a year', () => {
    const behavior = distribution.DefaultCacheBehavior;
    assert.equal(behavior.ViewerProtocolPolicy, 'redirect-to-https');
    assert.deepEqual(behavior.AllowedMethods, ['GET', 'HEAD']);
    const policy = resources[behavior.CachePolicyId.Ref].Properties.CachePolicyConfig;
    assert.deepEqual(
      { min: policy.MinTTL, max: policy.MaxTTL, dflt: policy.DefaultTTL },
      { min: 0, max: 365 * 24 * 3600, dflt: 24 * 3600 },
    );
    const key = policy.ParametersInCacheKeyAndForwardedToOrigin;
    assert.equal(key.QueryStringsConfig.QueryStringBehavior, 'none');
    assert.equal(key.HeadersConfig.HeaderBehavior, 'none');
    assert.equal(key.CookiesConfig.CookieBehavior, 'none');
  });

  it('serves the custom domain with the ACM certificate from context', () => {
    assert.deepEqual(distribution.Aliases, [CONTEXT.domainName]);
    assert.deepEqual(distribution.ViewerCertificate, {
      AcmCertificateArn: CONTEXT.certificateArn,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
  });
});

describe('thumbnail Lambda', () => {
  const fnId = logicalId(stack.thumbnailFunction);
  const fn = resources[fnId].Properties;

  it('runs Node 22 on arm64 with the bundled index.handler, sized from the benchmark', () => {
    assert.equal(fn.Runtime, 'nodejs22.x');
    assert.deepEqual(fn.Architectures, ['arm64']);
    assert.equal(fn.Handler, 'index.handler');
    assert.equal(fn.MemorySize, THUMBNAIL_SIZING.memoryMb);
    assert.equal(fn.Timeout, THUMBNAIL_SIZING.timeoutSeconds);
  });

  it('keeps events that failed every retry in a dead-letter queue', () => {
    assert.equal(render(fn.DeadLetterConfig.TargetArn), 'ThumbnailFailures.Arn');
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId },
      MaximumRetryAttempts: 2,
    });
    const queue = resources[logicalId(stack.thumbnailFailures)].Properties;
    assert.deepEqual([queue.MessageRetentionPeriod, queue.SqsManagedSseEnabled], [14 * 24 * 3600, true]);
  });

  it("has the flow example's environment, and the secret's parameter name rather than the secret", () => {
    const env = fn.Environment.Variables;
    assert.equal(render(env.DEST_BUCKET_NAME), 'Assets');
    assert.equal(env.FOLDER_INPUT, 'uploads/');
    assert.equal(env.FOLDER_OUTPUT, 'avatars/');
    assert.equal(env.FOLDER_RECEIPTS, 'receipts/');
    assert.equal(env.AVATAR_WEBHOOK_URL, CONTEXT.webhookUrl);
    assert.equal(env.WEBHOOK_SECRET_PARAMETER, '/thumbsmith/avatar-webhook-secret');
    assert.equal(env.AVATAR_WEBHOOK_SECRET, undefined);
  });

  it('is triggered by OBJECT_CREATED on the uploads bucket, filtered to the uploads/ prefix', () => {
    const notifications = Object.values(template.findResources('Custom::S3BucketNotifications'));
    assert.equal(notifications.length, 1);
    const [notification] = notifications as any[];
    assert.equal(render(notification.Properties.BucketName), 'Uploads');
    assert.deepEqual(notification.Properties.NotificationConfiguration, {
      LambdaFunctionConfigurations: [
        {
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: FLOW.uploadPrefix }] } },
          LambdaFunctionArn: { 'Fn::GetAtt': [fnId, 'Arn'] },
        },
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
      Principal: 's3.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [logicalId(stack.uploads), 'Arn'] },
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
  });

  it('may read uploads/, write avatars/ and receipts/, read its one SSM parameter, dead-letter — nothing else', () => {
    const statements = roleStatements(stack.thumbnailFunction).map(({ sid, effect, actions, resources: arns }) => ({ sid, effect, actions, arns }));
    assert.deepEqual(statements, [
      { sid: undefined, effect: 'Allow', actions: ['sqs:SendMessage'], arns: ['ThumbnailFailures.Arn'] },
      { sid: 'ReadOriginals', effect: 'Allow', actions: ['s3:GetObject'], arns: ['Uploads.Arn/uploads/*'] },
      { sid: 'WriteAvatarsAndReceipts', effect: 'Allow', actions: ['s3:PutObject'], arns: ['Assets.Arn/avatars/*', 'Assets.Arn/receipts/*'] },
      { sid: 'ReadReceipts', effect: 'Allow', actions: ['s3:GetObject'], arns: ['Assets.Arn/receipts/*'] },
      { sid: 'TellMissingReceipts', effect: 'Allow', actions: ['s3:ListBucket'], arns: ['Assets.Arn'] },
      {
        sid: 'ReadWebhookSecret',
        effect: 'Allow',
        actions: ['ssm:GetParameter'],
        arns: ['arn:AWS::Partition:ssm:AWS::Region:AWS::AccountId:parameter/thumbsmith/avatar-webhook-secret'],
      },
    ]);
  });
});

describe('backfill (S3 Inventory → S3 Batch Operations → the handler)', () => {
  const fn = resources[logicalId(stack.backfill.function)].Properties;

  it('inventories the originals daily, with their ETags, into the manifests bucket', () => {
    const [inventory, ...others] = resources[logicalId(stack.uploads)].Properties.InventoryConfigurations;
    assert.deepEqual(others, []);
    assert.deepEqual(
      { ...inventory, Destination: { ...inventory.Destination, BucketArn: render(inventory.Destination.BucketArn) } },
      {
        Id: 'originals',
        Enabled: true,
        Prefix: FLOW.uploadPrefix,
        ScheduleFrequency: 'Daily',
        IncludedObjectVersions: 'Current',
        OptionalFields: ['Size', 'ETag', 'LastModifiedDate'],
        Destination: { BucketArn: 'Manifests.Arn', Format: 'CSV', Prefix: BACKFILL.inventoryPrefix },
      },
    );
    const manifests = resources[logicalId(stack.backfill.manifests)].Properties;
    assert.equal(manifests.PublicAccessBlockConfiguration.RestrictPublicBuckets, true);
    assert.equal(manifests.LifecycleConfiguration.Rules[0].ExpirationInDays, BACKFILL.keepDays);
    const writer = bucketPolicy('Manifests').find((st) => st.effect === 'Allow');
    assert.deepEqual([writer?.principal, writer?.actions], [{ Service: 's3.amazonaws.com' }, ['s3:PutObject']]);
  });

  it("caps the originals in flight with the function's reserved concurrency", () => {
    assert.equal(fn.ReservedConcurrentExecutions, BACKFILL.concurrency);
    assert.deepEqual([fn.Runtime, fn.Architectures, fn.Handler], ['nodejs22.x', ['arm64'], 'index.handler']);
  });

  it("runs the handler with the thumbnail function's environment and grants, and no trigger", () => {
    const thumbnail = resources[logicalId(stack.thumbnailFunction)].Properties;
    assert.deepEqual(fn.Environment, thumbnail.Environment);
    const grants = (f: IConstruct & { role?: IConstruct }) =>
      roleStatements(f).filter((st) => st.sid).map(({ sid, actions, resources: arns }) => ({ sid, actions, arns }));
    assert.deepEqual(grants(stack.backfill.function), grants(stack.thumbnailFunction));
    assert.equal(fn.DeadLetterConfig, undefined, 'Batch Operations reports failures itself');
    const permissions = Object.values(resources).filter(
      (r) => r.Type === 'AWS::Lambda::Permission' && JSON.stringify(r.Properties.FunctionName).includes(logicalId(stack.backfill.function)),
    );
    assert.deepEqual(permissions, [], 'no S3 event invokes it');
  });

  it('gives Batch Operations a role that invokes it, reads manifests and writes reports, nothing else', () => {
    const role = resources[logicalId(stack.backfill.batchRole)].Properties;
    assert.deepEqual(role.AssumeRolePolicyDocument.Statement.map((st: any) => st.Principal), [{ Service: 'batchoperations.s3.amazonaws.com' }]);
    assert.deepEqual(role.ManagedPolicyArns, undefined);
    const statements = roleStatements({ role: stack.backfill.batchRole } as unknown as IConstruct & { role: IConstruct });
    assert.deepEqual(
      statements.map(({ sid, effect, actions, resources: arns }) => ({ sid, effect, actions, arns })),
      [
        { sid: 'InvokeBackfill', effect: 'Allow', actions: ['lambda:InvokeFunction'], arns: ['Backfill.Arn'] },
        { sid: 'ReadManifest', effect: 'Allow', actions: ['s3:GetObject', 's3:GetObjectVersion'], arns: [`Manifests.Arn/${BACKFILL.inventoryPrefix}/*`] },
        { sid: 'WriteReport', effect: 'Allow', actions: ['s3:PutObject'], arns: [`Manifests.Arn/${BACKFILL.reportPrefix}/*`] },
      ],
    );
  });

  it('names what a run needs in the stack outputs', () => {
    const outputs = template.toJSON().Outputs;
    assert.equal(render(outputs.BackfillFunctionArn.Value), 'Backfill.Arn');
    assert.equal(render(outputs.BackfillBucketName.Value), 'Manifests');
    assert.equal(render(outputs.BackfillRoleArn.Value), `${logicalId(stack.backfill.batchRole)}.Arn`);
  });
});

describe('presign API', () => {
  it('routes POST /avatars/key_upload through a Cognito JWT authorizer to the presign function', () => {
    const authorizers = Object.entries(template.findResources('AWS::ApiGatewayV2::Authorizer')) as [string, any][];
    assert.equal(authorizers.length, 1);
    const [authorizerId, authorizer] = authorizers[0];
    assert.deepEqual(authorizer.Properties.JwtConfiguration, {
      Audience: [CONTEXT.cognitoClientId],
      Issuer: `https://cognito-idp.eu-west-1.amazonaws.com/${CONTEXT.cognitoUserPoolId}`,
    });
    assert.equal(authorizer.Properties.AuthorizerType, 'JWT');
    assert.deepEqual(authorizer.Properties.IdentitySource, ['$request.header.Authorization']);

    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as any[];
    assert.deepEqual(routes.map((r) => r.Properties.RouteKey), ['POST /avatars/key_upload']);
    assert.equal(routes[0].Properties.AuthorizationType, 'JWT');
    assert.deepEqual(routes[0].Properties.AuthorizerId, { Ref: authorizerId });
    const integration = resources[routes[0].Properties.Target['Fn::Join'][1][1].Ref].Properties;
    assert.deepEqual(integration.IntegrationUri, { 'Fn::GetAtt': [logicalId(stack.presignFunction!), 'Arn'] });
  });

  it('answers CORS for the site origin only, and throttles', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.objectLike({ AllowOrigins: [CONTEXT.siteOrigin], AllowMethods: ['POST'] }),
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
    });
  });

  it('presign function: Node 22 arm64, the Flask rules in its environment, PutObject on uploads/ only', () => {
    const fn = resources[logicalId(stack.presignFunction!)].Properties;
    assert.deepEqual([fn.Runtime, fn.Architectures, fn.Handler], ['nodejs22.x', ['arm64'], 'index.handler']);
    assert.deepEqual(
      { ...fn.Environment.Variables, UPLOADS_BUCKET_NAME: render(fn.Environment.Variables.UPLOADS_BUCKET_NAME) },
      {
        NODE_OPTIONS: '--enable-source-maps',
        UPLOADS_BUCKET_NAME: 'Uploads',
        FOLDER_INPUT: 'uploads/',
        MAX_UPLOAD_BYTES: String(10 * 1024 * 1024),
        UPLOAD_EXPIRES_SECONDS: '300',
      },
    );
    const statements = roleStatements(stack.presignFunction!).map(({ sid, actions, resources: arns }) => ({ sid, actions, arns }));
    assert.deepEqual(statements, [{ sid: 'SignUploads', actions: ['s3:PutObject'], arns: ['Uploads.Arn/uploads/*'] }]);
  });

  it('is left out when no Cognito pool is given', () => {
    minimal.template.resourceCountIs('AWS::ApiGatewayV2::Api', 0);
    minimal.template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    assert.equal(minimal.stack.presignFunction, undefined);
    minimal.template.resourceCountIs('AWS::Lambda::Function', 3); // thumbnail, backfill + CDK's notification handler
  });
});

describe('the whole template', () => {
  it('grants no wildcard S3 (or any) action anywhere', () => {
    const allows = Object.values(resources)
      .flatMap((r) => {
        if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::S3::BucketPolicy') return statementsOf(r.Properties.PolicyDocument);
        if (r.Type === 'AWS::IAM::Role') return (r.Properties.Policies ?? []).flatMap((p: any) => statementsOf(p.PolicyDocument));
        return [];
      })
      .filter((s) => s.effect === 'Allow');
    assert.ok(allows.length >= 8);
    for (const s of allows) {
      for (const action of s.actions) {
        assert.ok(!/^(\*|s3:\*)$/.test(action), `wildcard action ${action} in ${JSON.stringify(s)}`);
        if (action.startsWith('s3:') && action !== 's3:PutBucketNotification') {
          assert.ok(!action.includes('*'), `wildcard S3 action ${action}`);
          assert.ok(s.resources.every((arn: string) => arn !== '*'), `S3 action ${action} on every resource`);
        }
      }
    }
    // The one `s3:*` in the template is the TLS-only Deny.
    const text = JSON.stringify(template.toJSON());
    const star = text.match(/"s3:\*"/g) ?? [];
    const denies = Object.values(resources)
      .filter((r) => r.Type === 'AWS::S3::BucketPolicy')
      .flatMap((r) => statementsOf(r.Properties.PolicyDocument))
      .filter((s) => s.effect === 'Deny' && s.actions.includes('s3:*'));
    assert.equal(star.length, denies.length);
  });

  it('synthesizes without warnings or errors, with every context value and with the required ones only', () => {
    for (const synthesized of [full, minimal]) {
      assert.deepEqual(Annotations.fromStack(synthesized.stack).findWarning('*', Match.anyValue()), []);
      assert.deepEqual(Annotations.fromStack(synthesized.stack).findError('*', Match.anyValue()), []);
    }
  });

  it('serves the default *.cloudfront.net name when no domain is given', () => {
    const cdn = Object.values(minimal.template.findResources('AWS::CloudFront::Distribution'))[0] as any;
    assert.equal(cdn.Properties.DistributionConfig.Aliases, undefined);
    assert.equal(cdn.Properties.DistributionConfig.ViewerCertificate, undefined);
  });
});

describe('context values', () => {
  const settingsFor = (context: Record<string, string>) => settingsFromContext(new App({ context }).node);

  it('derive the Cognito issuer from the pool id, as the Flask backend does', () => {
    assert.equal(settingsFor(CONTEXT).cognito?.issuer, 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123');
  });

  it('are checked at synthesis, naming every key on error', () => {
    const { siteOrigin: _s, ...noOrigin } = CONTEXT;
    assert.throws(() => settingsFor(noOrigin), /siteOrigin is required[\s\S]*-c webhookUrl=/);
    const { cognitoClientId: _c, ...halfPool } = CONTEXT;
    assert.throws(() => settingsFor(halfPool), /set both cognitoUserPoolId and cognitoClientId/);
    assert.throws(() => settingsFor({ ...CONTEXT, certificateArn: CONTEXT.certificateArn.replace('us-east-1', 'eu-west-1') }), /us-east-1/);
    assert.throws(() => settingsFor({ ...CONTEXT, webhookUrl: 'http://api.example.com/hook' }), /must be https/);
    assert.throws(() => settingsFor({ ...CONTEXT, siteOrigin: 'https://www.example.com/app' }), /without a path/);
    assert.throws(() => settingsFor({ ...CONTEXT, uploadRetentionDays: '0' }), /uploadRetentionDays/);
    assert.equal(settingsFor({ ...CONTEXT, uploadRetentionDays: '3' }).uploadRetentionDays, 3);
  });
});
