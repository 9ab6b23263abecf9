// What a deployment is told with `cdk deploy -c name=value` (or the "context" of cdk.json).
// Each value is checked here, at synthesis, so a typo fails before anything reaches AWS.
import type { Node } from 'constructs';

export interface Settings {
  /** The site that uploads, e.g. https://www.example.com: the only CORS origin of the uploads bucket and the API. */
  siteOrigin: string;
  /** Cognito user pool and app client whose tokens may ask for an upload; no pool → no HTTP API. */
  cognito?: { userPoolId: string; clientId: string; issuer: string };
  /** The backend URL the handler notifies (signed) when an avatar is ready or rejected. */
  webhookUrl: string;
  /** SSM Parameter Store SecureString holding the shared webhook secret (created by you, never by the stack). */
  webhookSecretParameter: string;
  /** Serve the CDN from your own host name with an ACM certificate (in us-east-1, CloudFront's rule). */
  customDomain?: { domainName: string; certificateArn: string };
  /** Days an original upload is kept before S3 deletes it (the handler needs it for seconds). */
  uploadRetentionDays: number;
}

/** Every context key this app reads, with what it means (also printed when one is wrong). */
export const CONTEXT_KEYS = {
  siteOrigin: 'required: origin of the page that uploads, e.g. https://www.example.com',
  cognitoUserPoolId: 'optional: Cognito user pool id (e.g. eu-west-1_AbCdEf123); with cognitoClientId, adds the HTTP API',
  cognitoClientId: 'optional: the user pool app client id whose tokens the API accepts',
  webhookUrl: 'required: https URL of your backend webhook, e.g. https://api.example.com/webhooks/avatar',
  webhookSecretParameter: 'optional: SSM SecureString name holding the webhook secret (default /thumbsmith/avatar-webhook-secret)',
  domainName: 'optional: CDN host name, e.g. avatars.example.com (needs certificateArn)',
  certificateArn: 'optional: ACM certificate ARN in us-east-1 covering domainName',
  uploadRetentionDays: 'optional: days before originals expire (default 1)',
} as const;

type ContextKey = keyof typeof CONTEXT_KEYS;

export class SettingsError extends Error {
  constructor(problem: string) {
    const help = Object.entries(CONTEXT_KEYS)
      .map(([key, meaning]) => `  -c ${key}=…  ${meaning}`)
      .join('\n');
    super(`${problem}\nContext values of this app:\n${help}`);
  }
}

export function settingsFromContext(node: Node): Settings {
  const read = (key: ContextKey): string | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    return String(value).trim();
  };
  const pair = <A extends ContextKey, B extends ContextKey>(a: A, b: B) => {
    const [first, second] = [read(a), read(b)];
    if ((first === undefined) !== (second === undefined)) {
      throw new SettingsError(`set both ${a} and ${b}, or neither`);
    }
    return first === undefined ? undefined : ([first, second!] as const);
  };

  const siteOrigin = read('siteOrigin');
  if (!siteOrigin) throw new SettingsError('siteOrigin is required');
  const origin = parseUrl('siteOrigin', siteOrigin);
  if (origin.origin !== siteOrigin.replace(/\/$/, '')) {
    throw new SettingsError(`siteOrigin must be an origin (scheme://host[:port]) without a path, got ${siteOrigin}`);
  }

  let cognito: Settings['cognito'];
  const pool = pair('cognitoUserPoolId', 'cognitoClientId');
  if (pool) {
    const [userPoolId, clientId] = pool;
    // A pool id is "<region>_<id>": the issuer is derived from it, as the Flask backend does.
    const match = /^([a-z]{2}(?:-[a-z]+)+-\d)_[A-Za-z0-9]+$/.exec(userPoolId);
    if (!match) throw new SettingsError(`cognitoUserPoolId looks like eu-west-1_AbCdEf123, got ${userPoolId}`);
    cognito = { userPoolId, clientId, issuer: `https://cognito-idp.${match[1]}.amazonaws.com/${userPoolId}` };
  }

  const webhookUrl = read('webhookUrl');
  if (!webhookUrl) throw new SettingsError('webhookUrl is required (the handler reports every upload there)');
  if (parseUrl('webhookUrl', webhookUrl).protocol !== 'https:') {
    throw new SettingsError(`webhookUrl must be https (the signature is not a substitute for TLS), got ${webhookUrl}`);
  }
  const webhookSecretParameter = read('webhookSecretParameter') ?? '/thumbsmith/avatar-webhook-secret';
  if (!/^\/[A-Za-z0-9_.\-/]+$/.test(webhookSecretParameter)) {
    throw new SettingsError(`webhookSecretParameter must be a parameter path like /thumbsmith/webhook, got ${webhookSecretParameter}`);
  }

  let customDomain: Settings['customDomain'];
  const domain = pair('domainName', 'certificateArn');
  if (domain) {
    const [domainName, certificateArn] = domain;
    if (!/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]+$/.test(certificateArn)) {
      throw new SettingsError(`certificateArn must be an ACM certificate in us-east-1 (CloudFront's rule), got ${certificateArn}`);
    }
    customDomain = { domainName, certificateArn };
  }

  const retention = read('uploadRetentionDays') ?? '1';
  const uploadRetentionDays = Number(retention);
  if (!Number.isInteger(uploadRetentionDays) || uploadRetentionDays < 1) {
    throw new SettingsError(`uploadRetentionDays must be a whole number of days ≥ 1, got ${retention}`);
  }

  return { siteOrigin: origin.origin, cognito, webhookUrl, webhookSecretParameter, customDomain, uploadRetentionDays };
}

function parseUrl(key: ContextKey, value: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new SettingsError(`${key} must be a URL, got ${value}`);
  }
}
