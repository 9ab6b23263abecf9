'use strict';
// Local stand-in for "S3 invokes the Lambda": SeaweedFS's filer webhook posts here, the filer
// notification becomes the S3 event AWS would send, and the thumbnail handler is invoked with it
// in this process, as the Lambda runtime would. In production this file does not exist.
//
//   POST /filer-events  the filer webhook (Bearer token from notification.toml)
//   POST /invoke        an S3 event as is, like `aws lambda invoke` (redelivery tests use it)
//   GET  /invocations   the last invocations with their results and timings (same token)
//   GET  /healthz
//
// A handler that throws gets a 500, and the filer retries: Lambda's async-retry behaviour.
const http = require('node:http');
const crypto = require('node:crypto');
const fs = require('node:fs');
const { s3EventFromFiler } = require('./s3-event');

function sameSecret(given, expected) {
  const a = Buffer.from(String(given ?? ''));
  const b = Buffer.from(`Bearer ${expected}`);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

function readBody(req, limit = 1 << 20) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function createBridge({ handler, token, region = 'us-east-1', logPath, keep = 500 }) {
  const invocations = [];
  const record = (entry) => {
    invocations.push(entry);
    if (invocations.length > keep) invocations.shift();
    if (logPath) fs.appendFileSync(logPath, `${JSON.stringify(entry)}\n`);
  };

  async function invoke(event, source) {
    const started = performance.now();
    const receivedAt = Date.now();
    try {
      const result = await handler(event, { functionName: 'thumbsmith-avatar', awsRequestId: crypto.randomUUID() });
      record({ source, received_at: receivedAt, ms: performance.now() - started, event, result });
      return { status: 200, body: result };
    } catch (err) {
      record({ source, received_at: receivedAt, ms: performance.now() - started, event, error: String(err?.message ?? err) });
      return { status: 500, body: { error: String(err?.message ?? err) } };
    }
  }

  return http.createServer(async (req, res) => {
    const reply = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    try {
      if (req.method === 'GET' && req.url === '/healthz') return reply(200, { ok: true });
      if (!sameSecret(req.headers.authorization, token)) return reply(401, { error: 'bad token' });
      if (req.method === 'GET' && req.url === '/invocations') return reply(200, invocations);
      if (req.method !== 'POST') return reply(405, { error: 'method not allowed' });
      const body = JSON.parse((await readBody(req)).toString() || 'null');
      if (req.url === '/filer-events') {
        const event = s3EventFromFiler(body, { region });
        if (!event) return reply(204);
        const { status, body: result } = await invoke(event, 'filer');
        return reply(status, result);
      }
      if (req.url === '/invoke') {
        const { status, body: result } = await invoke(body, 'invoke');
        return reply(status, result);
      }
      return reply(404, { error: 'not found' });
    } catch (err) {
      return reply(400, { error: String(err?.message ?? err) });
    }
  });
}

module.exports = { createBridge };

if (require.main === module) {
  const { handler } = require('../lambda-thumbnail');
  const port = Number(process.env.BRIDGE_PORT || 0);
  const token = process.env.BRIDGE_TOKEN;
  if (!token) throw new Error('BRIDGE_TOKEN must be set (the bearer token in notification.toml)');
  const server = createBridge({ handler, token, region: process.env.AWS_REGION, logPath: process.env.BRIDGE_LOG });
  server.listen(port, '127.0.0.1', () => console.log(JSON.stringify({ level: 'info', listening: server.address() })));
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
