// The two bundled Lambdas of the CDK app, run locally as the Lambda runtime would run them:
// the very index.mjs files `cdk synth` staged (see stage-bundles.ts), not their sources.
//
// - thumbnail: imported after a stand-in SSM endpoint is up, so its cold start really reads
//   the webhook secret through the AWS SDK; invoked by the flow example's event bridge
//   (examples/event-bridge/bridge.js), like S3 → Lambda.
// - presign: invoked with API Gateway's event for POST /avatars/key_upload (the JWT authorizer
//   part is done by the caller, cdkflow.py) on PRESIGN_PORT: POST /invoke, body = the event.
//
// Env: THUMBNAIL_BUNDLE, PRESIGN_BUNDLE (dirs), BRIDGE_PORT, BRIDGE_TOKEN, PRESIGN_PORT,
// WEBHOOK_SECRET_PARAMETER and SSM_SECRET_VALUE (what the stand-in SSM holds), plus the flow's
// AWS_* / S3_ENDPOINT_URL / DEST_BUCKET_NAME / AVATAR_WEBHOOK_URL variables.
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const { createBridge } = require('../../../event-bridge/bridge.js');

const env = process.env;
const listen = (server, port) => new Promise((resolve) => server.listen(Number(port || 0), '127.0.0.1', () => resolve(server.address().port)));

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString() || 'null'));
      } catch (err) {
        reject(err);
      }
    });
    req.on('error', reject);
  });
}

// ---- SSM Parameter Store stand-in (AWS JSON 1.1: POST /, X-Amz-Target: AmazonSSM.GetParameter) ----
// It answers once: a second read means the secret is not cached per execution environment.
let ssmReads = 0;
const ssm = http.createServer(async (req, res) => {
  const target = req.headers['x-amz-target'];
  const body = await readJson(req);
  const fail = (status, type, message) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify({ __type: type, message }));
  };
  if (target !== 'AmazonSSM.GetParameter') return fail(400, 'InvalidAction', `unexpected ${target}`);
  if (body?.Name !== env.WEBHOOK_SECRET_PARAMETER) return fail(400, 'ParameterNotFound', `no parameter ${body?.Name}`);
  if (body.WithDecryption !== true) return fail(400, 'ValidationException', 'a SecureString must be read WithDecryption');
  ssmReads += 1;
  if (ssmReads > 1) return fail(400, 'ThrottlingException', 'the secret was read twice: it should be cached per cold start');
  res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
  res.end(JSON.stringify({ Parameter: { Name: body.Name, Type: 'SecureString', Value: env.SSM_SECRET_VALUE, Version: 1 } }));
});
const ssmPort = await listen(ssm, 0);
process.env.AWS_ENDPOINT_URL_SSM = `http://127.0.0.1:${ssmPort}`;

// ---- the bundles (the thumbnail's top-level await reads SSM here, once) ----
const load = (dir) => import(pathToFileURL(path.join(dir, 'index.mjs')).href);
const thumbnail = await load(env.THUMBNAIL_BUNDLE);
const presign = await load(env.PRESIGN_BUNDLE);
if (ssmReads !== 1) throw new Error(`the thumbnail bundle read SSM ${ssmReads} times at cold start, not once`);

const bridge = createBridge({ handler: thumbnail.handler, token: env.BRIDGE_TOKEN, region: env.AWS_REGION, logPath: env.BRIDGE_LOG });
const bridgePort = await listen(bridge, env.BRIDGE_PORT);

const presignServer = http.createServer(async (req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ ok: true, ssm_reads: ssmReads }));
  }
  try {
    const answer = await presign.handler(await readJson(req));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  } catch (err) {
    // What Lambda reports for an unhandled error (API Gateway turns it into a 500).
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errorType: err?.name, errorMessage: String(err?.message ?? err) }));
  }
});
const presignPort = await listen(presignServer, env.PRESIGN_PORT);
console.log(JSON.stringify({ level: 'info', bridge: bridgePort, presign: presignPort, ssm: ssmPort }));

const stop = () => {
  for (const server of [bridge, presignServer, ssm]) server.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
