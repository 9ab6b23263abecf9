// Synthesizes the app the way `cdk synth -c …` does (same context keys, real bundling into a
// cloud assembly directory), offline: the stack is environment-agnostic and makes no lookups.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AvatarFlowStack } from '../lib/avatar-flow-stack';
import { settingsFromContext } from '../lib/settings';

export const CONTEXT = {
  siteOrigin: 'https://www.example.com',
  webhookUrl: 'https://api.example.com/webhooks/avatar',
  cognitoUserPoolId: 'eu-west-1_AbCdEf123',
  cognitoClientId: '4example5client6id7abcdefgh',
  domainName: 'avatars.example.com',
  certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
};

export interface Synthesized {
  app: App;
  stack: AvatarFlowStack;
  template: Template;
  outdir: string;
}

/** cdk.json's own context (feature flags and defaults), which `cdk synth` would apply too. */
const CDK_JSON_CONTEXT = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8')).context ?? {};

export function synth(context: Record<string, string> = CONTEXT): Synthesized {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'thumbsmith-cdk-'));
  const app = new App({ outdir, context: { ...CDK_JSON_CONTEXT, ...context } });
  const stack = new AvatarFlowStack(app, 'ThumbsmithAvatars', settingsFromContext(app.node));
  const template = Template.fromStack(stack);
  app.synth();
  return { app, stack, template, outdir };
}

/** The staged asset directory of a Lambda function in the synthesized template. */
export function assetDir({ template, outdir }: Synthesized, logicalId: string): string {
  const fn = template.toJSON().Resources[logicalId];
  const key: string = fn.Properties.Code.S3Key;
  const dir = path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
  if (!fs.existsSync(dir)) throw new Error(`no staged asset ${dir} for ${logicalId}`);
  return dir;
}

/** Every file under a directory with its size, relative paths. */
export function listFiles(dir: string): { file: string; bytes: number }[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .map((file) => ({ file, bytes: fs.statSync(path.join(dir, file)).size }))
    .sort((a, b) => a.file.localeCompare(b.file));
}
