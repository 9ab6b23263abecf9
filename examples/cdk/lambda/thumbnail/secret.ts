// The webhook secret from SSM Parameter Store (a SecureString), for the thumbnail and backfill
// functions; each reads it once, during its cold start.
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';

export async function readWebhookSecret(env: NodeJS.ProcessEnv = process.env, ssm = new SSMClient({})): Promise<string> {
  const name = env.WEBHOOK_SECRET_PARAMETER;
  if (!name) throw new Error('WEBHOOK_SECRET_PARAMETER must be set (an SSM SecureString name)');
  const answer = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
  const secret = answer.Parameter?.Value;
  if (!secret) throw new Error(`SSM parameter ${name} is empty`);
  return secret;
}
