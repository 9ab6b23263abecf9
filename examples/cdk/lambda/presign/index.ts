// POST /avatars/key_upload behind API Gateway's JWT authorizer: the Lambda twin of the Flask
// backend's `key_upload` (examples/flask-backend/avatar_backend/app.py), with the same rules:
// - the key is `<FOLDER_INPUT><sub>/<new upload id>`, the sub taken from the verified token,
//   never from the request;
// - the body may hold only `content_type` (one of the four types thumbsmith reads) and `crop`
//   ({left, top, width, height}); a body that is not JSON is 400;
// - S3 itself enforces the rest through the signed POST policy, which pins every field the
//   client is handed to its exact value and names no other (AWS refuses any added field): the
//   Content-Type (image/jpeg when none is asked for), 1 byte to MAX_UPLOAD_BYTES, the exact key,
//   the crop metadata, and the expiry.
// The answer has the Flask endpoint's shape, so the flow page works with either backend.
// (What Lambda has no place for: Flask's upload table. Status comes from the webhook instead.)
import { randomUUID } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost, type PresignedPostOptions } from '@aws-sdk/s3-presigned-post';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

// A subject becomes part of an S3 key, so only a safe alphabet is accepted (Cognito subs are UUIDs).
const SUBJECT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const CROP_KEYS = ['left', 'top', 'width', 'height'] as const;
const CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'];
type Crop = Record<(typeof CROP_KEYS)[number], number>;

export interface PresignConfig {
  uploadsBucket: string;
  uploadPrefix: string;
  maxUploadBytes: number;
  expiresSeconds: number;
  /** Which Cognito token the caller must present: `id` (carries `aud`) or `access`. */
  tokenUse: string;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): PresignConfig {
  const bucket = env.UPLOADS_BUCKET_NAME;
  if (!bucket) throw new Error('UPLOADS_BUCKET_NAME must be set');
  const prefix = env.FOLDER_INPUT || 'uploads/';
  return {
    uploadsBucket: bucket,
    uploadPrefix: prefix.endsWith('/') ? prefix : `${prefix}/`,
    maxUploadBytes: positiveInt(env, 'MAX_UPLOAD_BYTES', 10 * 1024 * 1024),
    expiresSeconds: positiveInt(env, 'UPLOAD_EXPIRES_SECONDS', 300),
    tokenUse: env.JWT_TOKEN_USE || 'id',
  };
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

export function s3FromEnv(env: NodeJS.ProcessEnv = process.env): S3Client {
  // On Lambda the SDK finds region and credentials itself; locally S3_ENDPOINT_URL points it at
  // the S3 server, which has no per-bucket host names (hence path-style).
  const endpoint = env.S3_ENDPOINT_URL;
  return new S3Client(endpoint ? { endpoint, forcePathStyle: true } : {});
}

type Answer = APIGatewayProxyStructuredResultV2;

function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): Answer {
  // Every answer is for one user and one moment: never cached anywhere.
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

const unauthorized = (why: string) =>
  json(401, { error: why }, { 'www-authenticate': 'Bearer error="invalid_token"' });

const NOT_JSON = Symbol('not JSON');

/** The request body as the Flask backend reads it: empty means `{}`, not JSON means 400. */
function parseBody(event: APIGatewayProxyEventV2WithJWTAuthorizer): unknown {
  const text = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

function isCrop(value: unknown): value is Crop {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  return (
    keys.length === CROP_KEYS.length &&
    CROP_KEYS.every((k) => keys.includes(k) && Number.isInteger(record[k]) && (record[k] as number) >= 0 && (record[k] as number) <= 65535) &&
    (record.width as number) > 0 &&
    (record.height as number) > 0
  );
}

export function createHandler({ s3, config }: { s3: S3Client; config: PresignConfig }) {
  return async function handler(event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<Answer> {
    // API Gateway has checked signature, issuer, expiry and audience; what is left is which
    // kind of token it is and whether its subject can be part of a key.
    const claims = event.requestContext?.authorizer?.jwt?.claims ?? {};
    if (claims.token_use !== config.tokenUse) return unauthorized(`invalid token: token_use is not '${config.tokenUse}'`);
    const sub = claims.sub;
    if (typeof sub !== 'string' || !SUBJECT.test(sub)) return unauthorized('invalid token: unusable subject');

    const body = parseBody(event);
    if (body === NOT_JSON) return json(400, { error: 'body must be JSON' });
    if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.keys(body).some((k) => k !== 'content_type' && k !== 'crop')) {
      return json(400, { error: 'body may only hold `content_type` and `crop`' });
    }
    const { content_type: contentType, crop } = body as { content_type?: unknown; crop?: unknown };
    if (contentType !== undefined && contentType !== null && !CONTENT_TYPES.includes(contentType as string)) {
      return json(400, { error: `content_type must be one of ${CONTENT_TYPES.join(', ')}` });
    }
    if (crop !== undefined && crop !== null && !isCrop(crop)) {
      return json(400, { error: 'crop must be {left, top, width, height} in whole pixels' });
    }

    const uploadId = randomUUID().replace(/-/g, '');
    const key = `${config.uploadPrefix}${sub}/${uploadId}`;
    const fields: Record<string, string> = { 'Content-Type': (contentType as string) || 'image/jpeg' };
    const conditions: NonNullable<PresignedPostOptions['Conditions']> = [
      { 'Content-Type': fields['Content-Type'] },
      ['content-length-range', 1, config.maxUploadBytes],
    ];
    if (crop) {
      // Stored as object metadata; the handler reads it back. Signed, so it cannot be swapped.
      const value = CROP_KEYS.map((k) => (crop as Crop)[k]).join(',');
      fields['x-amz-meta-crop'] = value;
      conditions.push({ 'x-amz-meta-crop': value });
    }
    const post = await createPresignedPost(s3, {
      Bucket: config.uploadsBucket,
      Key: key,
      Fields: fields,
      Conditions: conditions,
      Expires: config.expiresSeconds,
    });
    // The bucket URL with its trailing slash: S3 applies the bucket's CORS rules to it.
    const url = post.url.endsWith('/') ? post.url : `${post.url}/`;
    // The SDK spells the signing fields `X-Amz-Signature`, `Policy`…, boto3 (the Flask backend)
    // `x-amz-signature`, `policy`. S3 reads form field names without regard to case (AWS's own
    // SigV4 POST example pairs `X-Amz-Date` in the form with `x-amz-date` in the policy), so
    // answer with boto3's spelling: the same JSON from either backend.
    const signed = Object.fromEntries(
      Object.entries(post.fields).map(([name, value]) => [/^(x-amz-(algorithm|credential|date|security-token|signature)|policy)$/i.test(name) ? name.toLowerCase() : name, value]),
    );
    return json(200, {
      upload_id: uploadId,
      key: signed.key,
      url,
      fields: signed,
      max_bytes: config.maxUploadBytes,
      expires_in: config.expiresSeconds,
    });
  };
}

let configured: ReturnType<typeof createHandler> | undefined;
/** The Lambda entry point (`index.handler`): configured from the environment on first use. */
export async function handler(event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<Answer> {
  configured ??= createHandler({ s3: s3FromEnv(), config: configFromEnv() });
  return configured(event);
}
