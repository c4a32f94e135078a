'use strict';
// Data streams into a real S3 API (s3rver behind a proxy that verifies every SigV4 signature
// with AWS's own signer), read back with the AWS CLI. Faults: the endpoint down for two windows,
// SlowDown bursts, a 403, and rtcstream SIGKILLed during an upload. After each, every room is
// in exactly one object: none lost, none duplicated. Then a real SDK call ends up in the bucket.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile } = require('node:child_process');
const zlib = require('node:zlib');

const { startRtcstream } = require('./lib/server');
const { startS3, readBucket } = require('./lib/s3');
const { runSyntheticPeer } = require('./lib/synthetic-peer');
const { runCall } = require('./lib/call');
const { assertRoomSchema } = require('./lib/assert-room');
const { waitFor, sleep, randomId } = require('./lib/util');

const WINDOW_MS = 3000;
const SECRET_ENV = 'RTCSTREAM_TEST_S3_SECRET';

function writeConfig(s3, stream) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtcstream-s3-config-'));
  const file = path.join(dir, 'rtcstream.toml');
  const lines = [
    '[[project]]',
    'id = "default"',
    'api_keys = ["placeholder"]',
    'collection_interval = "1s"',
    '[project.stream]',
    'sink = "s3"',
    `bucket = "${s3.bucket}"`,
    `endpoint = "${s3.info.endpoint}"`,
    `region = "${s3.info.region}"`,
    `access_key_id = "${s3.info.accessKeyId}"`,
    `secret_access_key = "env:${SECRET_ENV}"`,
    ...Object.entries(stream).map(([k, v]) => `${k} = ${JSON.stringify(v)}`),
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

function streamsTest(bin, config, env) {
  return new Promise((resolve) => {
    // Its own data dir: the default one is relative to the working directory.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtcstream-streams-test-'));
    execFile(bin, ['streams', 'test', '--project', 'default', '--config', config, '--data-dir', dataDir],
      { env }, (err, stdout, stderr) => {
        fs.rmSync(dataDir, { recursive: true, force: true });
        resolve({ code: err ? err.code : 0, out: stdout + stderr });
      });
  });
}

function streamsList(srv, config) {
  return new Promise((resolve, reject) => {
    execFile(srv.bin, ['streams', 'list', '--config', config, '--data-dir', srv.dataDir],
      { env: process.env }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
  });
}

async function waitForRooms(s3, ids, opts = {}) {
  return waitFor(async () => {
    const counts = roomsInObjects(await readBucket(s3), opts);
    return ids.every((id) => counts.has(id)) ? counts : null;
  }, { timeoutMs: 40000, intervalMs: 1000, what: `rooms ${ids.join(', ')} in the bucket` });
}

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
    await s3.control({ mode: 'forbidden' });
    await peer('room-d');
    await waitFor(async () => /AccessDenied/.test(await streamsList(srv, config)), {
      timeoutMs: 30000, intervalMs: 1000, what: 'AccessDenied reported for the pending window',
    });
    await s3.control({ mode: 'ok' });
    all.push('room-d');
    await waitForRooms(s3, all);

    // SIGKILL while an upload hangs; restart: the window is uploaded (again) exactly once.
    await s3.control({ mode: 'hang', clearLog: true });
    await peer('room-e');
    await waitFor(async () => (await s3.requests()).some((r) => r.method === 'PUT'), {
      timeoutMs: 20000, what: 'an upload in flight',
    });
    await srv.stop({ signal: 'SIGKILL', keepData: true });
    await s3.control({ mode: 'ok' });
    await srv.start();
    all.push('room-e');
    const counts = await waitForRooms(s3, all);

    for (const id of all) assert.equal(counts.get(id), 1, `${id} must appear exactly once`);
    const objects = await readBucket(s3);
    for (const { key } of objects) assert.match(key, /^watchrtc\/\d{8}T\d{6}Z_\d{8}T\d{6}Z\.json$/);
    assert.ok(!srv.log().includes(s3.info.secretAccessKey), 'the secret must never be logged');
  } catch (err) {
    console.error(`===== rtcstream output =====\n${srv.log()}`);
    throw err;
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
