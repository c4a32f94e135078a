'use strict';
// Checks the local S3 API against AWS's own client: the AWS CLI must work
// through the verifying proxy (including its multipart uploads), and every
// wrong credential must be refused as S3 refuses it. Run: npm test (in tests/s3).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFile } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

let server;
let ready;
let tmp;

function run(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
    execFile(cmd, args, { env: { ...clean, ...env }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

/** Runs the AWS CLI against the proxy with `key` (default: the main key). */
function aws(args, key = ready) {
  const env = {
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    AWS_DEFAULT_REGION: ready.region,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    AWS_PAGER: '',
  };
  if (key.sessionToken) env.AWS_SESSION_TOKEN = key.sessionToken;
  return run('aws', ['--endpoint-url', ready.endpoint, ...args], env);
}

async function control(body) {
  const res = await fetch(ready.control, { method: 'POST', body: JSON.stringify(body) });
  assert.equal(res.status, 200, await res.text());
}

async function requestLog() {
  return (await fetch(`${ready.control}/log`)).json();
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtcstream-s3-test-'));
  server = spawn(process.execPath, [path.join(__dirname, 'server.js'), '--bucket', 'b1', '--exit-with-stdin'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  ready = await new Promise((resolve, reject) => {
    let line = '';
    server.stdout.on('data', (chunk) => {
      line += chunk;
      if (line.includes('\n')) resolve(JSON.parse(line));
    });
    server.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
});

after(() => {
  server.stdin.end();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('the AWS CLI uploads with multipart through the proxy and reads back the same bytes', async () => {
  await control({ clearLog: true });
  const file = path.join(tmp, 'big.bin');
  const body = crypto.randomBytes(20 * 1024 * 1024 + 3);
  fs.writeFileSync(file, body);
  let r = await aws(['s3', 'cp', file, 's3://b1/dir/big file.bin', '--only-show-errors']);
  assert.equal(r.code, 0, r.stderr);
  const back = path.join(tmp, 'back.bin');
  r = await aws(['s3api', 'get-object', '--bucket', 'b1', '--key', 'dir/big file.bin', back]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(fs.readFileSync(back).equals(body));
  const ops = (await requestLog()).map((e) => `${e.operation}:${e.status}`);
  assert.ok(ops.includes('CreateMultipartUpload:200'), ops.join());
  assert.ok(ops.filter((o) => o === 'UploadPart:200').length >= 3, ops.join());
  assert.ok(ops.includes('CompleteMultipartUpload:200'), ops.join());
});

test('keys with reserved and non-ASCII characters round-trip', async () => {
  const key = 'dt=2026-11-23/hour=10/a b:é+(1).json';
  const file = path.join(tmp, 'small.json');
  fs.writeFileSync(file, '{"a":1}\n');
  let r = await aws(['s3api', 'put-object', '--bucket', 'b1', '--key', key, '--body', file]);
  assert.equal(r.code, 0, r.stderr);
  r = await aws(['s3', 'ls', 's3://b1/dt=2026-11-23/', '--recursive']);
  assert.match(r.stdout, /a b:é\+\(1\)\.json/);
});

test('wrong credentials are refused as S3 refuses them', async () => {
  const cases = [
    [{ ...ready, secretAccessKey: `${ready.secretAccessKey}x` }, 'SignatureDoesNotMatch'],
    [{ ...ready, accessKeyId: 'AKIA0000000000000000' }, 'InvalidAccessKeyId'],
    [ready.denyAll, 'AccessDenied'],
    [{ ...ready.temporary, sessionToken: undefined }, 'InvalidToken'],
    [{ ...ready.temporary, sessionToken: 'not-the-token' }, 'InvalidToken'],
  ];
  for (const [key, code] of cases) {
    const r = await aws(['s3', 'ls', 's3://b1'], key);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(code));
  }
  const r = await aws(['s3', 'ls', 's3://b1'], ready.temporary);
  assert.equal(r.code, 0, r.stderr);
});

const sha256 = (text) => crypto.createHash('sha256').update(text).digest('hex');

/** PUTs `text` as object `key` of b1 with curl --aws-sigv4; stdout ends with the HTTP status. */
function curlPut(key, text, extra) {
  const file = path.join(tmp, 'curl-body');
  fs.writeFileSync(file, text);
  return run('curl', ['-s', '-w', '\n%{http_code}', '--aws-sigv4', `aws:amz:${ready.region}:s3`,
    '--user', `${ready.accessKeyId}:${ready.secretAccessKey}`, '-T', file, ...extra, `${ready.endpoint}/b1/${key}`]);
}

/** A correctly signed PUT that gives up after 3 s without an answer (curl exits with 28). */
function signedPut(key, text) {
  return curlPut(key, text, ['-H', `x-amz-content-sha256: ${sha256(text)}`, '--max-time', '3']);
}

test('curl --aws-sigv4 needs x-amz-content-sha256, and it must match the body', async () => {
  let r = await curlPut('curl.json', '[]\n', []);
  assert.match(r.stdout, /InvalidRequest[\s\S]*\n400$/);
  r = await curlPut('curl.json', '[]\n', ['-H', `x-amz-content-sha256: ${'0'.repeat(64)}`]);
  assert.match(r.stdout, /XAmzContentSHA256Mismatch[\s\S]*\n400$/);
  r = await signedPut('curl.json', '[]\n');
  assert.match(r.stdout, /\n200$/);
});

test('storehang stores the object and withholds the answer; match picks the request by its body', async () => {
  await control({ mode: 'storehang', match: 'room-42', count: 1, clearLog: true });
  let r = await signedPut('other.json', '["room-7"]');
  assert.match(r.stdout, /\n200$/, 'a request that does not match passes');
  const held = '["room-42"]';
  r = await signedPut('held.json', held);
  assert.equal(r.code, 28, 'no answer: curl times out');
  r = await aws(['s3', 'cp', 's3://b1/held.json', '-']);
  assert.equal(r.stdout, held, 'the object was stored all the same');
  const entry = (await requestLog()).find((e) => e.path === '/b1/held.json');
  assert.equal(entry.fault, 'storehang');
  assert.equal(entry.status, 200);
  assert.equal(entry.withheld, true);
  assert.equal(entry.sha256, sha256(held));
  assert.equal(entry.etag, `"${crypto.createHash('md5').update(held).digest('hex')}"`);
  r = await signedPut('held.json', held);
  assert.match(r.stdout, /\n200$/, 'count 1: the next matching request passes');
  assert.deepEqual(await (await fetch(ready.control)).json(),
    { mode: 'ok', remaining: null, after: 0, operation: null, match: null, clockSkewMs: 0 });
});

test('faults: SlowDown is retried by the CLI, down closes the connection', async () => {
  const file = path.join(tmp, 'f.json');
  fs.writeFileSync(file, '{}');
  await control({ mode: 'slowdown', count: 2, clearLog: true });
  let r = await aws(['s3api', 'put-object', '--bucket', 'b1', '--key', 'f.json', '--body', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((await requestLog()).map((e) => e.status), [503, 503, 200]);

  await control({ mode: 'down', count: 1, clearLog: true });
  r = await aws(['s3api', 'head-object', '--bucket', 'b1', '--key', 'f.json']);
  assert.equal(r.code, 0, r.stderr); // the CLI retries the closed connection
  const log = await requestLog();
  assert.equal(log[0].fault, 'down');
  assert.equal(log[0].status, null);
  await control({ mode: 'ok' });
});

test('CompleteMultipartUpload checks part ETags; abort removes the upload', async () => {
  let r = await aws(['s3api', 'create-multipart-upload', '--bucket', 'b1', '--key', 'm.bin']);
  assert.equal(r.code, 0, r.stderr);
  const { UploadId } = JSON.parse(r.stdout);
  const part = path.join(tmp, 'part.bin');
  fs.writeFileSync(part, 'tiny');
  r = await aws(['s3api', 'upload-part', '--bucket', 'b1', '--key', 'm.bin', '--upload-id', UploadId,
    '--part-number', '1', '--body', part]);
  assert.equal(r.code, 0, r.stderr);
  const bad = JSON.stringify({ Parts: [{ PartNumber: 1, ETag: '"0123"' }] });
  r = await aws(['s3api', 'complete-multipart-upload', '--bucket', 'b1', '--key', 'm.bin',
    '--upload-id', UploadId, '--multipart-upload', bad]);
  assert.match(r.stderr, /InvalidPart/);
  r = await aws(['s3api', 'abort-multipart-upload', '--bucket', 'b1', '--key', 'm.bin', '--upload-id', UploadId]);
  assert.equal(r.code, 0, r.stderr);
  r = await aws(['s3api', 'abort-multipart-upload', '--bucket', 'b1', '--key', 'm.bin', '--upload-id', UploadId]);
  assert.match(r.stderr, /NoSuchUpload/);
});
