// The flow example's thumbnail handler (examples/lambda-thumbnail), unchanged, with the one thing
// a deployment adds: the webhook secret comes from SSM Parameter Store rather than a plain
// environment variable (which anyone with lambda:GetFunctionConfiguration could read).
//
// It is read once, during the cold start (top-level await runs in Lambda's init phase), and
// lives in this module for the life of the execution environment: no SSM call per image.
// Bundled by esbuild from the flow example, so the deployed code is the tested code.
import { configFromEnv, createHandler, s3FromEnv } from '../../../lambda-thumbnail/index.js';
import { readWebhookSecret } from './secret.js';

const secret = await readWebhookSecret();

export const handler = createHandler({
  s3: s3FromEnv(),
  config: configFromEnv({ ...process.env, AVATAR_WEBHOOK_SECRET: secret }),
});
