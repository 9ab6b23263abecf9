// The presign function obeys the Flask endpoint's rules: the assertions of
// examples/flask-backend/tests/test_key_upload.py, applied to the Lambda handler with the event
// API Gateway's JWT authorizer hands it. (That S3 enforces the policy is tested against
// SeaweedFS by the flow's e2e tests: `make local-flow`.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { configFromEnv, createHandler } from '../lambda/presign/index';

// Presigning is local arithmetic: no server is contacted.
const s3 = new S3Client({
  endpoint: 'http://127.0.0.1:9',
  forcePathStyle: true,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test-key', secretAccessKey: 'test-secret' },
});
const config = configFromEnv({ UPLOADS_BUCKET_NAME: 'uploads' });
const handler = createHandler({ s3, config });

function event(body: unknown, claims: Record<string, string> = { sub: 'alice', token_use: 'id' }): APIGatewayProxyEventV2WithJWTAuthorizer {
  return {
    version: '2.0',
    routeKey: 'POST /avatars/key_upload',
    rawPath: '/avatars/key_upload',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    isBase64Encoded: false,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    requestContext: { authorizer: { jwt: { claims, scopes: [] }, principalId: '', integrationLatency: 0 } },
  } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
}

async function call(body: unknown, claims?: Record<string, string>) {
  const answer = await handler(event(body, claims));
  return { status: answer.statusCode, headers: answer.headers ?? {}, json: JSON.parse(answer.body ?? 'null') };
}

const policyOf = (fields: Record<string, string>) => JSON.parse(Buffer.from(fields.policy, 'base64').toString());

describe('presign function (the Flask key_upload rules)', () => {
  it("key is the user's folder and a fresh id", async () => {
    const first = (await call({})).json;
    const second = (await call({})).json;
    assert.match(first.upload_id, /^[0-9a-f]{32}$/);
    assert.equal(first.key, `uploads/alice/${first.upload_id}`);
    assert.notEqual(first.key, second.key);
    assert.equal(first.url, 'http://127.0.0.1:9/uploads/');
    assert.equal(first.fields['x-amz-algorithm'], 'AWS4-HMAC-SHA256'); // SigV4
    // boto3's spelling of the signing fields, as the Flask backend answers.
    assert.deepEqual(Object.keys(first.fields).sort(), ['Content-Type', 'bucket', 'key', 'policy', 'x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-signature']);
  });

  it('policy binds key, bucket, type, size and a 5-minute expiry', async () => {
    const before = Date.now();
    const { json: body, headers } = await call({});
    assert.equal(headers['cache-control'], 'no-store');
    const policy = policyOf(body.fields);
    assert.deepEqual(policy.conditions.filter((c: unknown) => !Array.isArray(c) && typeof c === 'object' && ('key' in (c as object) || 'bucket' in (c as object))), [
      { bucket: 'uploads' },
      { key: body.key },
    ]);
    assert.deepEqual(policy.conditions.filter(Array.isArray), [['content-length-range', 1, 10 * 1024 * 1024]]);
    assert.ok(policy.conditions.some((c: Record<string, string>) => c['Content-Type'] === 'image/jpeg'));
    const expiresIn = (Date.parse(policy.expiration) - before) / 1000;
    assert.ok(expiresIn >= 295 && expiresIn <= 305, `expires in ${expiresIn}s`);
    assert.equal(body.expires_in, 300);
    assert.equal(body.max_bytes, 10 * 1024 * 1024);
  });

  it('signs the crop into the policy and fixes the declared type', async () => {
    const crop = { left: 10, top: 20, width: 300, height: 300 };
    const { json: body } = await call({ crop, content_type: 'image/jpeg' });
    assert.equal(body.fields['x-amz-meta-crop'], '10,20,300,300');
    assert.equal(body.fields['Content-Type'], 'image/jpeg');
    assert.ok(policyOf(body.fields).conditions.some((c: Record<string, string>) => c['x-amz-meta-crop'] === '10,20,300,300'));
  });

  it('refuses to let the caller choose the key or odd values', async () => {
    for (const body of [
      { key: 'uploads/bob/x' },
      { sub: 'bob' },
      { content_type: 'text/plain' },
      { content_type: 'image/svg+xml' },
      { content_type: 'image/' },
      { content_type: 'image/jpeg\r\nX-Evil: 1' },
      { crop: { left: false, top: false, width: true, height: true } },
      { crop: { left: -1, top: 0, width: 10, height: 10 } },
      { crop: { left: 0, top: 0, width: 0, height: 10 } },
      { crop: { left: 0, top: 0, width: 1.5, height: 10 } },
      { crop: { left: 0, top: 0, width: 10, height: 10, depth: 1 } },
      { crop: '0,0,10,10' },
      ['not', 'an', 'object'],
    ]) {
      const answer = await call(body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.ok(answer.json.error);
    }
  });

  it('treats a missing body as empty and refuses one that is not JSON, as the Flask backend does', async () => {
    assert.equal((await call(undefined)).status, 200);
    assert.equal((await call('not json')).status, 400);
  });

  it('pins every field it hands out to its exact value and names no other (what AWS S3 enforces)', async () => {
    const crop = { left: 1, top: 2, width: 30, height: 40 };
    for (const body of [{}, { content_type: 'image/png' }, { content_type: 'image/webp', crop }]) {
      const { json: answer } = await call(body);
      const exempt = new Set(['policy', 'x-amz-signature', 'file']);
      const fields = Object.fromEntries(
        Object.entries(answer.fields as Record<string, string>).filter(([k]) => !exempt.has(k.toLowerCase())).map(([k, v]) => [k.toLowerCase(), v]),
      );
      const named: Record<string, unknown> = {};
      for (const condition of policyOf(answer.fields).conditions) {
        if (Array.isArray(condition)) {
          assert.equal(condition[0], 'content-length-range', `not an exact condition: ${JSON.stringify(condition)}`);
          continue;
        }
        const [[name, value]] = Object.entries(condition as Record<string, string>);
        named[name.toLowerCase()] = value;
      }
      assert.deepEqual(named, fields, JSON.stringify(body));
      assert.equal(fields['content-type'], (body as { content_type?: string }).content_type ?? 'image/jpeg');
    }
  });

  it('answers 401 for tokens the authorizer passed but the flow does not accept', async () => {
    const accessToken = await call({}, { sub: 'alice', token_use: 'access' });
    assert.equal(accessToken.status, 401);
    assert.match(accessToken.json.error, /token_use is not 'id'/);
    assert.equal(accessToken.headers['www-authenticate'], 'Bearer error="invalid_token"');
    for (const sub of ['', '../bob', 'a/b', 'x'.repeat(129)]) {
      assert.equal((await call({}, { sub, token_use: 'id' })).status, 401, sub);
    }
  });

  it('reads its limits from the environment the stack sets', () => {
    assert.deepEqual(
      configFromEnv({ UPLOADS_BUCKET_NAME: 'b', FOLDER_INPUT: 'in', MAX_UPLOAD_BYTES: '5', UPLOAD_EXPIRES_SECONDS: '60', JWT_TOKEN_USE: 'access' }),
      { uploadsBucket: 'b', uploadPrefix: 'in/', maxUploadBytes: 5, expiresSeconds: 60, tokenUse: 'access' },
    );
    assert.throws(() => configFromEnv({}), /UPLOADS_BUCKET_NAME/);
    assert.throws(() => configFromEnv({ UPLOADS_BUCKET_NAME: 'b', MAX_UPLOAD_BYTES: '-1' }), /MAX_UPLOAD_BYTES/);
  });
});
