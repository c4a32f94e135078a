'use strict';
// Data streams into a real S3 API (s3rver behind a proxy that verifies every SigV4 signature
// with AWS's own signer), read back with the AWS CLI. Faults: the endpoint down for two windows,
// SlowDown bursts, a 403, and rtcstream SIGKILLed after S3 stored a window but before rtcstream
// heard so. After each, every room is in exactly one object: none lost, none duplicated. Then
// `streams test` against each kind of failure, and a real SDK call that ends up in the bucket.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile } = require('node:child_process');
const crypto = require('node:crypto');
const zlib = require('node:zlib');

const { startRtcstream, rtcstreamBin } = require('./lib/server');
const { startS3, readBucket } = require('./lib/s3');
const { runSyntheticPeer } = require('./lib/synthetic-peer');
const { runCall } = require('./lib/call');
const { assertRoomSchema } = require('./lib/assert-room');
const { waitFor, sleep, randomId } = require('./lib/util');

const WINDOW_MS = 3000;
const SECRET_ENV = 'RTCSTREAM_TEST_S3_SECRET';

/** A config whose project "default" writes to the test bucket; `stream` adds or replaces settings. */
function writeConfig(s3, stream) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtcstream-s3-config-'));
  const file = path.join(dir, 'rtcstream.toml');
  const settings = {
    sink: 's3',
    bucket: s3.bucket,
    endpoint: s3.info.endpoint,
    region: s3.info.region,
    access_key_id: s3.info.accessKeyId,
    secret_access_key: `env:${SECRET_ENV}`,
    ...stream,
  };
  const lines = [
    '[[project]]',
    'id = "default"',
    'api_keys = ["placeholder"]',
    'collection_interval = "1s"',
    '[project.stream]',
    ...Object.entries(settings).map(([k, v]) => `${k} = ${JSON.stringify(v)}`),
  ];
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** Rooms in all objects: room_id -> number of appearances; also checks every object parses. */
function roomsInObjects(objects, { ndjson = false, gzip = false } = {}) {
  const counts = new Map();
  for (const { key, body } of objects) {
    const text = (gzip ? zlib.gunzipSync(body) : body).toString('utf8');
    const rooms = ndjson ? text.split('\n').filter(Boolean).map((l) => JSON.parse(l)) : JSON.parse(text);
    assert.ok(Array.isArray(rooms), `${key} must hold a JSON array`);
    for (const room of rooms) counts.set(room.room_id, (counts.get(room.room_id) || 0) + 1);
  }
  return counts;
}

/** Runs `rtcstream <args> --config <config>`; resolves {code, out (stdout + stderr), ms}. */
function runCli(bin, args, config, env) {
  return new Promise((resolve) => {
    // Its own data dir: the default one is relative to the working directory.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtcstream-streams-test-'));
    const start = Date.now();
    execFile(bin, [...args, '--config', config, '--data-dir', dataDir], { env, timeout: 120000 }, (err, stdout, stderr) => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      resolve({ code: err ? err.code : 0, out: stdout + stderr, ms: Date.now() - start });
    });
  });
}

function streamsTest(bin, config, env) {
  return runCli(bin, ['streams', 'test', '--project', 'default'], config, env);
}

function streamsList(srv, config) {
  return new Promise((resolve, reject) => {
    execFile(srv.bin, ['streams', 'list', '--config', config, '--data-dir', srv.dataDir],
      { env: process.env }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
  });
}

/** Waits until every room of `ids` is in the bucket, then checks each is in exactly one object. */
async function waitForRooms(s3, ids, opts = {}) {
  const counts = await waitFor(async () => {
    const found = roomsInObjects(await readBucket(s3), opts);
    return ids.every((id) => found.has(id)) ? found : null;
  }, { timeoutMs: 40000, intervalMs: 1000, what: `rooms ${ids.join(', ')} in the bucket` });
  for (const id of ids) assert.equal(counts.get(id), 1, `${id} must be in exactly one object`);
  return counts;
}

/** The JSON log lines of rtcstream's output. */
function logLines(srv) {
  return srv.log().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}

/** "20261123T100000Z" as FormatIso8601 writes it: "2026-11-23T10:00:00.000Z". */
function isoOfCompact(c) {
  return `${c.slice(0, 4)}-${c.slice(4, 6)}-${c.slice(6, 8)}T${c.slice(9, 11)}:${c.slice(11, 13)}:${c.slice(13, 15)}.000Z`;
}

const sha256 = (body) => crypto.createHash('sha256').update(body).digest('hex');

test('every room lands in the bucket exactly once through outages, SlowDown, 403 and SIGKILL', async (t) => {
  const s3 = await startS3();
  t.after(() => s3.stop());
  process.env[SECRET_ENV] = s3.info.secretAccessKey;
  const config = writeConfig(s3, { prefix: 'watchrtc/', interval: `${WINDOW_MS / 1000}s` });
  const srv = await startRtcstream({ args: ['--config', config, '--room-close-grace', '500ms'] });
  t.after(() => srv.stop());
  const peer = (roomId) => runSyntheticPeer({ serverUrl: srv.url, apiKey: srv.apiKey, roomId });
  const all = [];
  try {
    // `streams test` writes and deletes a probe under the prefix, and names what fails.
    const good = await streamsTest(srv.bin, config, process.env);
    assert.equal(good.code, 0, good.out);
    assert.match(good.out, /watchrtc\/\.rtcstream-probe-/);
    const wrongSecret = 'wrong/secret:' + s3.info.secretAccessKey.slice(0, 8);
    const bad = await streamsTest(srv.bin, config, { ...process.env, [SECRET_ENV]: wrongSecret });
    assert.equal(bad.code, 1, bad.out);
    assert.match(bad.out, /SignatureDoesNotMatch/);
    assert.ok(!bad.out.includes(wrongSecret), 'the secret must not be printed');

    // Normal delivery.
    await peer('room-a');
    all.push('room-a');
    await waitForRooms(s3, all);

    // The endpoint is down for two windows, then back.
    await s3.control({ mode: 'down' });
    await peer('room-b1');
    await sleep(WINDOW_MS);
    await peer('room-b2');
    // Both windows are reported pending, with failed attempts, until the endpoint is back.
    const listing = await waitFor(async () => {
      const text = await streamsList(srv, config);
      const pending = Number((/pending:\s+(\d+) window/.exec(text) || [])[1]);
      return pending >= 2 && /attempts [1-9]/.test(text) ? text : null;
    }, { timeoutMs: 40000, intervalMs: 1000, what: 'two pending windows in streams list' });
    assert.ok(!listing.includes(s3.info.secretAccessKey), 'streams list must not print the secret');
    // The HTTP API shows the same state to the project's token holder, and no secret.
    const status = await srv.get('/streams');
    assert.equal(status.status, 200, status.body);
    assert.ok(status.json.pending.length >= 2, `GET /streams pending: ${status.body}`);
    assert.ok(status.json.pending.every((w) => w.state === 'pending'), status.body);
    // Delivery goes oldest first and stops at a failure: the oldest window holds the error.
    assert.ok(status.json.pending[0].attempts >= 1 && /S3 PUT/.test(status.json.pending[0].last_error), status.body);
    assert.equal(status.json.stream.secret_access_key, `set (env:${SECRET_ENV})`);
    assert.ok(!status.body.includes(s3.info.secretAccessKey), 'GET /streams must not show the secret');
    assert.equal((await srv.get('/streams', { token: null })).status, 401);
    assert.equal((await srv.get('/streams', { token: srv.apiKey })).status, 403, 'an API key is not a token');
    assert.match(srv.log(), /not delivered; will retry/);
    await s3.control({ mode: 'ok' });
    all.push('room-b1', 'room-b2');
    await waitForRooms(s3, all);

    // A burst of 503 SlowDown is retried within the upload.
    await s3.control({ mode: 'slowdown', count: 3, clearLog: true });
    await peer('room-c');
    all.push('room-c');
    await waitForRooms(s3, all);
    const log = await s3.requests();
    assert.ok(log.filter((r) => r.status === 503).length >= 3, 'the SlowDown answers were seen');

    // 403: not retried within an attempt, the window stays pending, delivered once allowed again.
    // The log and streams list both report the pending window with S3's code and message.
    const linesBefore = logLines(srv).length;
    await s3.control({ mode: 'forbidden' });
    await peer('room-d');
    const denied = await waitFor(async () => {
      const text = await streamsList(srv, config);
      return /pending:\s+[1-9]\d* window/.test(text) && /last error: .*403 AccessDenied: Access Denied/.test(text) ? text : null;
    }, { timeoutMs: 30000, intervalMs: 1000, what: 'AccessDenied reported for the pending window' });
    assert.ok(!denied.includes(s3.info.secretAccessKey), 'streams list must not print the secret');
    const deniedLog = logLines(srv).slice(linesBefore).find((l) => l.msg === 'data stream window not delivered; will retry');
    assert.ok(deniedLog, `a log line reports the pending window:\n${srv.log().slice(-4000)}`);
    assert.equal(deniedLog.level, 'error');
    assert.match(deniedLog.error, /^Permission denied: S3 PUT s3:\/\/streams\/watchrtc\/.*: 403 AccessDenied: Access Denied/);
    assert.match(deniedLog.window, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    assert.ok(Number(deniedLog.pending_windows) >= 1 && Number(deniedLog.retry_in_ms) > 0, JSON.stringify(deniedLog));
    await s3.control({ mode: 'ok' });
    all.push('room-d');
    await waitForRooms(s3, all);

    // SIGKILL between the upload and its bookkeeping: S3 stores the object of room-e's window,
    // but the proxy withholds the answer, so rtcstream has not recorded the window as delivered
    // when it is killed. The window is still pending; after the restart the same key is uploaded
    // again with the same bytes (an overwrite, not a second copy).
    await s3.control({ mode: 'storehang', match: '"room-e"', count: 1, clearLog: true });
    await peer('room-e');
    const first = await waitFor(async () => (await s3.requests()).find((r) => r.fault === 'storehang' && r.status !== null), {
      timeoutMs: 30000, what: 'the upload of room-e stored, its answer withheld',
    });
    assert.equal(first.method, 'PUT');
    assert.equal(first.status, 200, 'S3 stored the object');
    const key = first.path.split('/').slice(2).map(decodeURIComponent).join('/');
    const stored = (await readBucket(s3)).find((o) => o.key === key);
    assert.ok(stored, `${key} is in the bucket before the kill`);
    assert.equal(sha256(stored.body), first.sha256, 'the bucket holds what was sent');
    assert.ok(roomsInObjects([stored]).has('room-e'));
    const [, start, end] = /(\d{8}T\d{6}Z)_(\d{8}T\d{6}Z)\.json$/.exec(key);
    const pendingLine = new RegExp(`^ +${isoOfCompact(start)} \\.\\. ${isoOfCompact(end)}  attempts \\d+`, 'm');
    const beforeKill = await streamsList(srv, config);
    assert.match(beforeKill, pendingLine, `streams list must show ${key}'s window as pending:\n${beforeKill}`);
    await srv.stop({ signal: 'SIGKILL', keepData: true });
    await s3.control({ mode: 'ok' });
    await srv.start();
    const resumed = logLines(srv).find((l) => l.msg.startsWith('data stream windows pending from an earlier run'));
    assert.ok(resumed && Number(resumed.pending) >= 1 && resumed.oldest <= isoOfCompact(start),
      `the restart logs the pending windows:\n${srv.log().slice(-4000)}`);
    all.push('room-e');
    await waitForRooms(s3, all);
    const again = await waitFor(async () => {
      const puts = (await s3.requests()).filter((r) => r.path === first.path && r.method === 'PUT');
      return puts.length >= 2 && puts[1].status !== null ? puts[1] : null;
    }, { timeoutMs: 30000, what: `the upload of ${key} again` });
    assert.equal(again.fault, undefined);
    assert.equal(again.method, 'PUT');
    assert.equal(again.status, 200);
    assert.equal(again.sha256, first.sha256, 'the same bytes');
    assert.equal(again.etag, first.etag, 'the same ETag');
    // The delivery record is that of the one object.
    const delivered = await waitFor(async () => {
      const { json } = await srv.get('/streams');
      return json && json.recent.find((w) => w.location === `s3://streams/${key}` && w.state === 'delivered');
    }, { timeoutMs: 10000, what: `the delivery record of ${key}` });
    assert.equal(delivered.sha256, first.sha256);
    assert.equal(delivered.etag, first.etag);
    assert.doesNotMatch(await streamsList(srv, config), pendingLine);

    const objects = await readBucket(s3);
    for (const { key } of objects) assert.match(key, /^watchrtc\/\d{8}T\d{6}Z_\d{8}T\d{6}Z\.json$/);
    assert.ok(!srv.log().includes(s3.info.secretAccessKey), 'the secret must never be logged');
  } catch (err) {
    console.error(`===== rtcstream output =====\n${srv.log()}`);
    throw err;
  }
});

test('streams test says which step failed and why, at once, without printing a secret', async (t) => {
  const s3 = await startS3();
  t.after(() => s3.stop());
  const bin = rtcstreamBin();
  const secret = s3.info.secretAccessKey;
  const env = { ...process.env, [SECRET_ENV]: secret };
  /** Runs `streams test` with `stream` settings; checks the exit code, the output and the secret. */
  const check = async (what, stream, code, expected) => {
    const r = await streamsTest(bin, writeConfig(s3, stream), env);
    assert.equal(r.code, code, `${what}:\n${r.out}`);
    for (const re of expected) assert.match(r.out, re, what);
    assert.ok(!r.out.includes(secret), `${what}: the secret must not be printed`);
    return r;
  };
  const failedAtPut = /Probe failed at step 1 of 2 \(PUT\): the sink cannot write to this bucket/;

  // DNS and TLS failures are reported at once: an operator waits at the terminal, and a
  // retry seconds later would not cure a wrong endpoint.
  for (const [what, endpoint, reason] of [
    ['unresolvable host', 'http://s3.rtcstream-test.invalid:9000', /cannot resolve host s3\.rtcstream-test\.invalid/],
    ['TLS with a plain HTTP endpoint', s3.info.endpoint.replace('http://', 'https://'), /TLS failure with https:\/\/127\.0\.0\.1:\d+/],
  ]) {
    const r = await check(what, { endpoint }, 1, [reason, failedAtPut, /^FAILED: Unavailable: S3 sink probe failed at step 1 \(PUT\)/m]);
    assert.doesNotMatch(r.out, /retrying|gave up after/, `${what}: not retried`);
    assert.ok(r.ms < 10000, `${what}: took ${r.ms} ms`);
  }

  // 403 with S3's code and message.
  await s3.control({ mode: 'forbidden', count: 1 });
  await check('403', {}, 1, [/FAILED: Permission denied: .*403 AccessDenied: Access Denied \(request id [0-9A-F]+\)/, failedAtPut]);

  // A bucket that does not exist.
  await check('missing bucket', { bucket: 'no-such-bucket' }, 1,
    [/bucket no-such-bucket does not exist at http:\/\/127\.0\.0\.1:\d+: 404 NoSuchBucket/, failedAtPut]);

  // This machine's clock an hour behind S3's.
  await s3.control({ clockSkewMs: 3600000 });
  await check('clock skew', {}, 1, [/clock skew: the request time differs from S3's by more than 15 minutes/,
    /fix the system clock \(NTP\): 403 RequestTimeTooSkewed/, failedAtPut]);
  await s3.control({ clockSkewMs: 0 });

  // Temporary credentials: the session token given in the config reaches the signer.
  const { temporary } = s3.info;
  const tokenEnv = { ...env, [SECRET_ENV]: temporary.secretAccessKey, RTCSTREAM_TEST_S3_TOKEN: temporary.sessionToken };
  let r = await streamsTest(bin, writeConfig(s3, { access_key_id: temporary.accessKeyId, session_token: 'env:RTCSTREAM_TEST_S3_TOKEN' }), tokenEnv);
  assert.equal(r.code, 0, r.out);
  assert.ok(!r.out.includes(temporary.sessionToken) && !r.out.includes(temporary.secretAccessKey), r.out);
  r = await streamsTest(bin, writeConfig(s3, { access_key_id: temporary.accessKeyId }), tokenEnv);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /session token rejected: 400 InvalidToken/);

  // A misspelt setting is a configuration error (exit code 2), for every command that reads it.
  const typo = writeConfig(s3, { session_tokn: 'env:RTCSTREAM_TEST_S3_TOKEN' });
  const unknown = /unknown key "session_tokn" in \[project\.stream\] of project "default"; did you mean "session_token"\?/;
  for (const args of [['streams', 'test', '--project', 'default'], ['streams', 'list'], ['serve', '--listen', '127.0.0.1:0']]) {
    r = await runCli(bin, args, typo, tokenEnv);
    assert.equal(r.code, 2, `${args.join(' ')}:\n${r.out}`);
    assert.match(r.out, unknown, args.join(' '));
    assert.match(r.out, new RegExp(`config ${typo.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:12:1: `));
  }
});

test('a real SDK call ends up in the bucket as NDJSON + gzip under Hive-style keys', async (t) => {
  const s3 = await startS3();
  t.after(() => s3.stop());
  process.env[SECRET_ENV] = s3.info.secretAccessKey;
  const config = writeConfig(s3, {
    prefix: 'rtc/',
    interval: '5s',
    format: 'ndjson',
    compression: 'gzip',
    key_template: '{prefix}dt={yyyy}-{mm}-{dd}/hour={hh}/{window_start}{ext}',
  });
  const srv = await startRtcstream({ args: ['--config', config, '--room-close-grace', '2s', '--collection-interval', '2s'] });
  t.after(() => srv.stop());
  const roomId = randomId('s3-call-');
  try {
    await runCall({
      serverUrl: srv.url, apiKey: srv.apiKey, roomId, durationMs: 10000, collectionInterval: 2000,
      peers: [{ peerId: 'alice' }, { peerId: 'bob' }],
    });
    const counts = await waitForRooms(s3, [roomId], { ndjson: true, gzip: true });
    assert.equal(counts.get(roomId), 1);
    const objects = await readBucket(s3);
    for (const { key } of objects) {
      assert.match(key, /^rtc\/dt=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/\d{8}T\d{6}Z\.ndjson\.gz$/);
    }
    const room = objects
      .flatMap(({ body }) => zlib.gunzipSync(body).toString().split('\n').filter(Boolean).map((l) => JSON.parse(l)))
      .find((r) => r.room_id === roomId);
    assertRoomSchema(room);
    assert.equal(room.users, 2);
    for (const p of room.peers) assert.ok(p.stats.audio.send.bitrate > 5 && p.stats.video.recv.bitrate > 20);
  } catch (err) {
    console.error(`===== rtcstream output =====\n${srv.log()}`);
    throw err;
  }
});
