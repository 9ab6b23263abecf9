'use strict';
// Local stand-in for "S3 invokes the Lambda": SeaweedFS's filer webhook posts here, the filer
// notification becomes the S3 event AWS would send, and the thumbnail handler is invoked with it
// in this process, as the Lambda runtime would. In production this file does not exist.
//
//   POST /filer-events  the filer webhook (Bearer token from notification.toml): queued, 202
//   POST /invoke        an S3 event as is, like `aws lambda invoke` (redelivery tests use it):
//                       run at once, its result in the answer, no retries
//   GET  /invocations   the last invocations with their results and timings (same token)
//   GET  /queue         event ids waiting, running and waiting for a retry
//   GET  /dlq           events that failed every attempt; POST /dlq/redrive runs them again
//   POST /faults        the handler's S3 client sees the assets store refuse or stall writes
//   GET  /healthz
//
// S3 invokes a Lambda asynchronously, and this models that: Lambda queues the event and answers
// 202; a failed invocation (an error, or the process dying mid-job) is retried twice, then the
// event goes to the dead-letter queue (the CDK app's SQS ThumbnailFailures). The queue is kept
// on disk (BRIDGE_SPOOL), so a bridge killed mid-job redelivers the event when it starts again.
// Retry delays are BRIDGE_RETRY_DELAYS_MS (2 and 4 s; Lambda waits ~1 and ~2 min).
// Before this queue, the filer's own webhook retries (3 × 1 s) were the only ones: a backend or
// store down for a few seconds lost the event for good.
const http = require('node:http');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { Readable } = require('node:stream');
const { s3EventFromFiler } = require('./s3-event');

// A queue of S3 events, each tried 1 + retryDelaysMs.length times, kept in `dir` (queue/ and
// dlq/, one JSON file per event) when given, in memory otherwise (the unit tests).
function createQueue({ run, dir, retryDelaysMs = [2000, 4000], concurrency = 4, log = () => {} }) {
  const waiting = [];
  const running = new Map();
  const delayed = new Map();
  const memoryDlq = new Map();
  const file = (folder, id) => path.join(dir, folder, `${id}.json`);
  const save = (folder, item) => {
    if (!dir) return;
    const target = file(folder, item.id);
    fs.writeFileSync(`${target}.tmp`, JSON.stringify(item));
    fs.renameSync(`${target}.tmp`, target);
  };
  const remove = (folder, id) => dir && fs.rmSync(file(folder, id), { force: true });
  const keyOf = (item) => item.event?.Records?.[0]?.s3?.object?.key;
  if (dir) for (const folder of ['queue', 'dlq']) fs.mkdirSync(path.join(dir, folder), { recursive: true });

  function deadLetter(item, error) {
    const letter = { ...item, error, failedAt: new Date().toISOString() };
    remove('queue', item.id);
    if (dir) save('dlq', letter);
    else memoryDlq.set(item.id, letter);
    log({ level: 'error', deadLetter: item.id, key: keyOf(item), attempts: item.attempts, error });
  }

  function pump() {
    while (running.size < concurrency && waiting.length) {
      const item = waiting.shift();
      item.attempts += 1;
      // Counted before it runs: an attempt the process does not survive is a failed attempt.
      save('queue', item);
      running.set(item.id, keyOf(item));
      run(item.event, item.attempts).then(({ ok, error }) => {
        running.delete(item.id);
        if (ok) remove('queue', item.id);
        else if (item.attempts > retryDelaysMs.length) deadLetter(item, error);
        else {
          const timer = setTimeout(() => {
            delayed.delete(item.id);
            waiting.push(item);
            pump();
          }, retryDelaysMs[item.attempts - 1]);
          timer.unref?.();
          delayed.set(item.id, { key: keyOf(item), timer });
        }
        pump();
      });
    }
  }

  function enqueue(event) {
    const item = { id: crypto.randomUUID(), event, attempts: 0, receivedAt: new Date().toISOString() };
    save('queue', item);
    waiting.push(item);
    pump();
    return item.id;
  }

  // Events this process had queued, or was running when it died: the run that died counted as
  // an attempt, so an event that had used its last one goes to the dead-letter queue.
  function recover() {
    if (!dir) return 0;
    const items = fs
      .readdirSync(path.join(dir, 'queue'))
      .filter((name) => name.endsWith('.json'))
      .map((name) => JSON.parse(fs.readFileSync(path.join(dir, 'queue', name))))
      .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
    for (const item of items) {
      if (item.attempts > retryDelaysMs.length) deadLetter(item, 'the handler died during its last attempt');
      else waiting.push(item);
    }
    pump();
    return items.length;
  }

  function deadLetters() {
    if (!dir) return [...memoryDlq.values()];
    return fs
      .readdirSync(path.join(dir, 'dlq'))
      .filter((name) => name.endsWith('.json'))
      .map((name) => JSON.parse(fs.readFileSync(path.join(dir, 'dlq', name))));
  }

  // Runs dead letters again with fresh attempts (all of them, or those for one object key).
  function redrive(key) {
    const letters = deadLetters().filter((letter) => key === undefined || keyOf(letter) === key);
    for (const letter of letters) {
      if (dir) remove('dlq', letter.id);
      else memoryDlq.delete(letter.id);
      const item = { id: letter.id, event: letter.event, attempts: 0, receivedAt: new Date().toISOString() };
      save('queue', item);
      waiting.push(item);
    }
    pump();
    return letters.length;
  }

  const state = () => ({
    queued: waiting.map(keyOf),
    running: [...running.values()],
    delayed: [...delayed.values()].map((d) => d.key),
  });
  const idle = () => !waiting.length && !running.size && !delayed.size;
  return { enqueue, recover, deadLetters: () => deadLetters().map((l) => ({ ...l, key: keyOf(l) })), redrive, state, idle };
}

// What the handler's S3 client sends, with faults switched on by POST /faults: PUTs to the
// assets bucket answered as S3 answers when it sheds load (503 SlowDown, never reaching the
// store), or held for a while before they are sent (a job stuck mid-way).
function createFaults({ bucket, inner }) {
  const faults = { refuseUntil: 0, stallUntil: 0 };
  const isAssetsWrite = (request) => request.method === 'PUT' && request.path.startsWith(`/${bucket}/`);
  const requestHandler = {
    metadata: inner.metadata,
    updateHttpClientConfig: (...args) => inner.updateHttpClientConfig?.(...args),
    httpHandlerConfigs: () => inner.httpHandlerConfigs?.() ?? {},
    destroy: () => inner.destroy?.(),
    async handle(request, options) {
      if (isAssetsWrite(request)) {
        while (Date.now() < faults.stallUntil) await new Promise((resolve) => setTimeout(resolve, 100));
        if (Date.now() < faults.refuseUntil) {
          const body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>local-fault</RequestId></Error>';
          return {
            response: {
              statusCode: 503,
              reason: 'Slow Down',
              headers: { 'content-type': 'application/xml', 'x-amz-request-id': 'local-fault' },
              body: Readable.from([Buffer.from(body)]),
            },
          };
        }
      }
      return inner.handle(request, options);
    },
  };
  function set({ refuse_puts_ms: refuse = 0, stall_puts_ms: stall = 0 } = {}) {
    faults.refuseUntil = refuse ? Date.now() + Number(refuse) : 0;
    faults.stallUntil = stall ? Date.now() + Number(stall) : 0;
    return { refuse_puts_ms: refuse, stall_puts_ms: stall };
  }
  return { requestHandler, set };
}

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

function createBridge({ handler, token, region = 'us-east-1', logPath, keep = 500, spoolDir, retryDelaysMs, concurrency, faults }) {
  const invocations = [];
  const record = (entry) => {
    invocations.push(entry);
    if (invocations.length > keep) invocations.shift();
    if (logPath) fs.appendFileSync(logPath, `${JSON.stringify(entry)}\n`);
  };

  async function invoke(event, source, attempt = 1) {
    const started = performance.now();
    const receivedAt = Date.now();
    try {
      const result = await handler(event, { functionName: 'thumbsmith-avatar', awsRequestId: crypto.randomUUID() });
      record({ source, attempt, received_at: receivedAt, ms: performance.now() - started, event, result });
      return { status: 200, body: result };
    } catch (err) {
      // AggregateError (several records failed) has the reasons in .errors
      const error = [err?.message, ...(err?.errors ?? []).map((e) => e?.message ?? String(e))].filter(Boolean).join(': ') || String(err);
      record({ source, attempt, received_at: receivedAt, ms: performance.now() - started, event, error });
      return { status: 500, body: { error } };
    }
  }

  const queue = createQueue({
    dir: spoolDir,
    retryDelaysMs,
    concurrency,
    log: (entry) => console.log(JSON.stringify(entry)),
    run: async (event, attempt) => {
      const { status, body } = await invoke(event, 'filer', attempt);
      return { ok: status === 200, error: body?.error };
    },
  });
  // What a previous process left queued or running (killed mid-job): delivered again.
  queue.recover();

  const server = http.createServer(async (req, res) => {
    const reply = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    try {
      if (req.method === 'GET' && req.url === '/healthz') return reply(200, { ok: true });
      if (!sameSecret(req.headers.authorization, token)) return reply(401, { error: 'bad token' });
      if (req.method === 'GET' && req.url === '/invocations') return reply(200, invocations);
      if (req.method === 'GET' && req.url === '/queue') return reply(200, queue.state());
      if (req.method === 'GET' && req.url === '/dlq') return reply(200, queue.deadLetters());
      if (req.method !== 'POST') return reply(405, { error: 'method not allowed' });
      const body = JSON.parse((await readBody(req)).toString() || 'null');
      if (req.url === '/filer-events') {
        const event = s3EventFromFiler(body, { region });
        if (!event) return reply(204);
        return reply(202, { queued: queue.enqueue(event) });
      }
      if (req.url === '/dlq/redrive') return reply(200, { redriven: queue.redrive(body?.key) });
      if (req.url === '/faults') {
        if (!faults) return reply(404, { error: 'no fault injection in this bridge' });
        return reply(200, faults.set(body ?? {}));
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
  server.queue = queue;
  return server;
}

module.exports = { createBridge, createQueue, createFaults };

if (require.main === module) {
  const { createHandler, configFromEnv } = require('../lambda-thumbnail');
  // The handler's own S3 client, as index.js makes it, with the fault switch in its HTTP layer.
  const handlerRequire = require('node:module').createRequire(require.resolve('../lambda-thumbnail'));
  const { S3Client } = handlerRequire('@aws-sdk/client-s3');
  const { NodeHttpHandler } = handlerRequire('@smithy/node-http-handler');
  const config = configFromEnv();
  const faults = createFaults({ bucket: config.destBucket, inner: new NodeHttpHandler() });
  const endpoint = process.env.S3_ENDPOINT_URL;
  const s3 = new S3Client({ ...(endpoint ? { endpoint, forcePathStyle: true } : {}), requestHandler: faults.requestHandler });
  const handler = createHandler({ s3, config });
  const port = Number(process.env.BRIDGE_PORT || 0);
  const token = process.env.BRIDGE_TOKEN;
  if (!token) throw new Error('BRIDGE_TOKEN must be set (the bearer token in notification.toml)');
  const delays = process.env.BRIDGE_RETRY_DELAYS_MS;
  const server = createBridge({
    handler,
    token,
    region: process.env.AWS_REGION,
    logPath: process.env.BRIDGE_LOG,
    spoolDir: process.env.BRIDGE_SPOOL,
    retryDelaysMs: delays === undefined ? undefined : delays.split(',').filter(Boolean).map(Number),
    concurrency: Number(process.env.BRIDGE_CONCURRENCY || 4),
    faults,
  });
  server.listen(port, '127.0.0.1', () => console.log(JSON.stringify({ level: 'info', listening: server.address() })));
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
