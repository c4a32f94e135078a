#!/usr/bin/env node
'use strict';
// A local S3 API for tests: s3rver (path-style, in its own temporary directory)
// behind a proxy that checks every request as S3 does before passing it on:
// the SigV4 signature, recomputed with AWS's own signer; the access key id; the
// session token of temporary credentials; x-amz-content-sha256 against the body.
// The proxy also injects faults and logs every request, over a control API.
//
// Usage: node server.js [--bucket NAME]... [--region REGION]
//                       [--access-key-id ID] [--secret-access-key SECRET] [--exit-with-stdin]
// Environment (overridden by the flags): S3_BUCKET, S3_REGION, S3_ACCESS_KEY_ID,
// S3_SECRET_ACCESS_KEY. Keys not given are generated. Only 127.0.0.1 is used.
//
// When ready, prints one JSON line on stdout:
//   {"endpoint":"http://127.0.0.1:PORT","control":"http://127.0.0.1:PORT/__control",
//    "bucket":"...","region":"...","accessKeyId":"...","secretAccessKey":"...",
//    "temporary":{"accessKeyId","secretAccessKey","sessionToken"},   // needs its token
//    "denyAll":{"accessKeyId","secretAccessKey"}}                    // valid, but AccessDenied
//
// Control API (on the proxy's port; not signed):
//   GET  /__control              the fault state
//   POST /__control              {"mode":"ok|down|hang|storehang|slowdown|error500|forbidden",
//                                 "count":N,"after":M,"operation":"PutObject","match":"text",
//                                 "clockSkewMs":N,"clearLog":true}  (see lib/faults.js)
//   GET  /__control/log          [{"method","path","query","operation","fault","status","bytes",
//                                  "sha256","etag","withheld",
//                                  "payload": "sha256" | "UNSIGNED-PAYLOAD" | ...}, ...]
//                                (status: the answer, null when there was none; with
//                                "withheld": true the store answered but the client never
//                                got it; bytes and sha256: the body's size and hex SHA-256;
//                                etag: the store's ETag header)
//   DELETE /__control/log        clears the log
//
// With --exit-with-stdin the server exits when its standard input closes, so a
// test that dies never leaves it running. SIGINT and SIGTERM stop it too; its
// temporary directory is removed on exit.

const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const S3rver = require('s3rver');
const { Faults } = require('./lib/faults');
const { Multipart } = require('./lib/multipart');
const { Errors, S3Error, sendError, newRequestId } = require('./lib/s3-error');
const { verifyRequest, parseQuery } = require('./lib/sigv4-verify');

const HOST = '127.0.0.1';
const MAX_BODY = 1024 * 1024 * 1024;

function parseArgs(argv) {
  const o = {
    buckets: [],
    region: process.env.S3_REGION || 'us-east-1',
    accessKeyId: process.env.S3_ACCESS_KEY_ID,
    secretAccessKey: process.env.S3_SECRET_ACCESS_KEY,
    exitWithStdin: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${flag} needs a value`);
      return argv[++i];
    };
    if (flag === '--bucket') o.buckets.push(value());
    else if (flag === '--region') o.region = value();
    else if (flag === '--access-key-id') o.accessKeyId = value();
    else if (flag === '--secret-access-key') o.secretAccessKey = value();
    else if (flag === '--exit-with-stdin') o.exitWithStdin = true;
    else throw new Error(`unknown argument ${flag}`);
  }
  if (o.buckets.length === 0) o.buckets.push(process.env.S3_BUCKET || 'rtcstream-test');
  return o;
}

/** An access key id shaped like AWS's: AKIA or ASIA and 16 upper-case characters. */
function newKeyId(prefix) {
  return prefix + crypto.randomBytes(8).toString('hex').toUpperCase();
}

/** A secret like AWS's, 40 characters, with the '/' and '+' they often contain. */
function newSecret() {
  return crypto.randomBytes(30).toString('base64');
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new S3Error(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function handleControl(req, res, faults) {
  const route = req.url.split('?')[0];
  if (route === '/__control/log') {
    if (req.method === 'GET') return sendJson(res, 200, faults.log);
    if (req.method === 'DELETE') {
      faults.log = [];
      res.writeHead(204).end();
      return undefined;
    }
  } else if (route === '/__control') {
    if (req.method === 'GET') return sendJson(res, 200, faults.state());
    if (req.method === 'POST') {
      let body;
      try {
        body = JSON.parse((await readBody(req)).toString('utf8') || '{}');
      } catch (err) {
        return sendJson(res, 400, { error: `bad JSON: ${err.message}` });
      }
      const error = faults.configure(body);
      return error ? sendJson(res, 400, { error }) : sendJson(res, 200, faults.state());
    }
  }
  return sendJson(res, 404, { error: `no control route ${req.method} ${route}` });
}

/**
 * Passes a verified request on to s3rver, without its signature, and streams the answer back;
 * with `withhold`, the answer is read but never sent (res is left open, in `hanging`).
 */
function forward(req, res, body, upstreamPort, requestId, entry, { withhold = false, hanging } = {}) {
  const headers = { ...req.headers };
  for (const name of ['authorization', 'expect', 'transfer-encoding', 'connection', 'keep-alive']) {
    delete headers[name];
  }
  headers['content-length'] = String(body.length);
  const upstream = http.request({ host: HOST, port: upstreamPort, method: req.method, path: req.url, headers }, (up) => {
    entry.status = up.statusCode;
    if (up.headers.etag !== undefined) entry.etag = up.headers.etag;
    if (withhold) {
      entry.withheld = true;
      up.resume();
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    res.writeHead(up.statusCode, { ...up.headers, 'x-amz-request-id': requestId });
    up.pipe(res);
  });
  upstream.on('error', () => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    entry.status = 500;
    sendError(req, res, Errors.internalError(), requestId);
  });
  upstream.end(body);
}

async function handleS3(req, res, ctx) {
  const { faults, keys, region, multipart, upstreamPort, hanging } = ctx;
  const requestId = newRequestId();
  const q = req.url.indexOf('?');
  const rawPath = q < 0 ? req.url : req.url.slice(0, q);
  let query;
  try {
    query = parseQuery(q < 0 ? '' : req.url.slice(q + 1));
  } catch {
    query = {};
  }
  const entry = faults.record(req.method, rawPath, query);
  const payload = req.headers['x-amz-content-sha256'];
  if (payload !== undefined) entry.payload = /^[0-9a-f]{64}$/.test(payload) ? 'sha256' : payload;
  const fail = (err) => {
    entry.status = err.status;
    sendError(req, res, err, requestId);
  };
  let body = null;
  const read = async () => {
    try {
      body = await readBody(req);
    } catch (err) {
      if (err instanceof S3Error) fail(err);
      return false;
    }
    entry.bytes = body.length;
    entry.sha256 = crypto.createHash('sha256').update(body).digest('hex');
    return true;
  };
  // A fault that looks at the body is chosen once the body is in.
  if (faults.needsBody() && !(await read())) return;
  const fault = faults.take(entry.operation, body);
  if (fault !== 'ok') entry.fault = fault;
  if (fault === 'down') {
    req.socket.destroy();
    return;
  }
  if (body === null && !(await read())) return;
  if (fault === 'hang') {
    hanging.add(res);
    res.on('close', () => hanging.delete(res));
    return;
  }
  if (fault === 'slowdown') return fail(Errors.slowDown());
  if (fault === 'error500') return fail(Errors.internalError());
  if (fault === 'forbidden') return fail(Errors.accessDenied());

  const err = await verifyRequest({ req, body, keys, region, nowMs: faults.now() });
  if (err) return fail(err);

  const segments = rawPath.split('/');
  if (segments.length >= 3 && segments[2] !== '') {
    const bucket = decodeURIComponent(segments[1]);
    const key = segments.slice(2).map(decodeURIComponent).join('/');
    const handled = multipart.check(req.method, bucket, key, query, body);
    if (handled instanceof S3Error) return fail(handled);
    if (handled) {
      entry.status = handled.status;
      res.writeHead(handled.status, { 'x-amz-request-id': requestId }).end();
      return;
    }
  }
  forward(req, res, body, upstreamPort, requestId, entry, { withhold: fault === 'storehang', hanging });
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve(server.address().port));
  });
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'rtcstream-s3-'));
  const cleanup = () => fs.rmSync(directory, { recursive: true, force: true });
  process.on('exit', cleanup);

  const s3rver = new S3rver({
    address: HOST,
    port: 0,
    silent: true,
    directory,
    vhostBuckets: false, // path-style: http://host/<bucket>/<key>
    configureBuckets: o.buckets.map((name) => ({ name })),
  });
  const { port: upstreamPort } = await s3rver.run();

  const primary = {
    accessKeyId: o.accessKeyId || newKeyId('AKIA'),
    secretAccessKey: o.secretAccessKey || newSecret(),
  };
  const temporary = {
    accessKeyId: newKeyId('ASIA'),
    secretAccessKey: newSecret(),
    sessionToken: crypto.randomBytes(48).toString('base64'),
  };
  const denyAll = { accessKeyId: newKeyId('AKIA'), secretAccessKey: newSecret() };
  const keys = new Map([
    [primary.accessKeyId, { secretAccessKey: primary.secretAccessKey }],
    [temporary.accessKeyId, { secretAccessKey: temporary.secretAccessKey, sessionToken: temporary.sessionToken }],
    [denyAll.accessKeyId, { secretAccessKey: denyAll.secretAccessKey, denyAll: true }],
  ]);
  const ctx = {
    faults: new Faults(),
    keys,
    region: o.region,
    multipart: new Multipart((bucket) => s3rver.store.getResourcePath(bucket, undefined, 'uploads')),
    upstreamPort,
    hanging: new Set(),
  };

  const proxy = http.createServer((req, res) => {
    const isControl = /^\/__control(\/|\?|$)/.test(req.url);
    const handler = isControl ? handleControl(req, res, ctx.faults) : handleS3(req, res, ctx);
    handler.catch((err) => {
      process.stderr.write(`s3 test server: ${err.stack || err}\n`);
      if (!res.headersSent) sendError(req, res, Errors.internalError(), newRequestId());
      else res.destroy();
    });
  });
  proxy.keepAliveTimeout = 30000;
  const port = await listen(proxy);

  const stop = () => {
    for (const res of ctx.hanging) res.destroy();
    proxy.close();
    proxy.closeAllConnections();
    s3rver.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (o.exitWithStdin) {
    process.stdin.on('end', stop);
    process.stdin.on('error', stop);
    process.stdin.resume();
  }

  const endpoint = `http://${HOST}:${port}`;
  process.stdout.write(
    JSON.stringify({
      endpoint,
      control: `${endpoint}/__control`,
      bucket: o.buckets[0],
      buckets: o.buckets,
      region: o.region,
      accessKeyId: primary.accessKeyId,
      secretAccessKey: primary.secretAccessKey,
      temporary,
      denyAll,
    }) + '\n',
  );
}

main().catch((err) => {
  process.stderr.write(`s3 test server: ${err.stack || err}\n`);
  process.exit(1);
});
