'use strict';
// End-to-end test of persistent ("nail-up") calls: one page keeps one RTCPeerConnection up
// for the whole test and marks two calls on it with watchRTC.persistentStart(room, peer) ...
// watchRTC.persistentEnd(). Each call must become a room session of its own, covering just
// that call, and close as soon as the call ended.
//
//   RTCSTREAM_BIN=$PWD/build/rtcstream node --test --test-concurrency=1 tests/e2e/nailup.test.js

const test = require('node:test');
const assert = require('node:assert/strict');

const { withRtcstream, log } = require('./lib/with-rtcstream');
const { runNailedUpConnection, persistentCall } = require('./lib/call');
const { SDK_VERSION } = require('./lib/static-server');
const { sleep, randomId, waitFor } = require('./lib/util');
const { assertRoomSchema, PLAUSIBLE } = require('./lib/assert-room');

// A grace far longer than the test waits for a room to close: only the end of the call
// may close it.
const ROOM_CLOSE_GRACE_S = 60;
const SERVE_ARGS = ['--collection-interval', '2s', '--room-close-grace', `${ROOM_CLOSE_GRACE_S}s`,
  '--stream-interval', '1m'];
const CALL_MS = 14000;
// How long after persistentEnd() the room must be in the export.
const CLOSE_WITHIN_MS = 8000;

/** Polls `rtcstream export` until a closed room with roomId is there; resolves when. */
async function waitUntilClosed(srv, roomId, from) {
  await waitFor(
    async () => {
      const rooms = await srv.exportWindow({ from: from.getTime() - 60000, to: Date.now() + 60000 });
      return rooms.some((r) => r.room_id === roomId && r.end_time);
    },
    { timeoutMs: CLOSE_WITHIN_MS, intervalMs: 500, what: `room ${roomId} to close after persistentEnd()` },
  );
  return new Date();
}

function assertCallRoom(room, call) {
  const where = `room ${call.roomId}`;
  assertRoomSchema(room);
  assert.equal(room.users, 1, `${where} users`);
  assert.deepEqual(room.peers.map((p) => p.peer_id), ['alice'], `${where} peers`);
  const peer = room.peers[0];
  assert.equal(peer.sdk_version, SDK_VERSION, `${where} sdk_version`);
  assert.deepEqual(peer.keys, { company: 'acme' }, `${where} keys`);
  assert.equal(peer.start_time, room.start_time, `${where}: the peer starts the room`);

  // The call's span: from persistentStart() to persistentEnd(), not from the page's set-up.
  const start = Date.parse(room.start_time);
  const end = Date.parse(room.end_time);
  const span = `[${call.startedAt.toISOString()}, ${call.endedAt.toISOString()}]`;
  assert.ok(start >= call.startedAt.getTime() - 1000 && start <= call.startedAt.getTime() + 2000,
    `${where} start_time ${room.start_time} is not the call's start (${span})`);
  assert.ok(end >= call.endedAt.getTime() - 1000 && end <= call.endedAt.getTime() + 1000,
    `${where} end_time ${room.end_time} is not the call's end (${span})`);
  const callSeconds = (call.endedAt - call.startedAt) / 1000;
  assert.ok(Math.abs(room.duration - callSeconds) <= 2, `${where} duration ${room.duration} vs ${callSeconds} s`);
  assert.ok(Math.abs(peer.duration - callSeconds) <= 2, `${where} peer duration ${peer.duration} vs ${callSeconds} s`);

  for (const kind of ['audio', 'video']) {
    for (const dir of ['send', 'recv']) {
      const v = peer.stats[kind][dir].bitrate;
      const { min, max } = PLAUSIBLE[kind];
      assert.ok(typeof v === 'number' && v >= min && v <= max,
        `${where} ${kind} ${dir} bitrate ${v} not in [${min}, ${max}] kbit/s`);
    }
  }
  assert.ok(peer.stats.mos >= 1 && peer.stats.mos <= 5, `${where} mos ${peer.stats.mos}`);
}

test('persistent calls: each persistentStart()..persistentEnd() is a room session of its own', async () => {
  const name = 'nail-up';
  await withRtcstream(name, { args: SERVE_ARGS }, async (srv, artifacts) => {
    const roomA = randomId('room-nailup-a-');
    const roomB = randomId('room-nailup-b-');
    const testStart = new Date();
    const calls = [];
    const closedAt = {};
    const result = await runNailedUpConnection({
      serverUrl: srv.url,
      apiKey: srv.apiKey,
      keys: { company: 'acme' },
      log,
      during: async (alice) => {
        // The SDK keeps the connection's set-up events until it connects for the first call.
        await sleep(6000);
        calls.push(await persistentCall(alice, roomA, { callMs: CALL_MS, log }));
        closedAt[roomA] = await waitUntilClosed(srv, roomA, testStart);
        await sleep(2000);
        calls.push(await persistentCall(alice, roomB, { callMs: CALL_MS, endArg: true, log }));
        closedAt[roomB] = await waitUntilClosed(srv, roomB, testStart);
      },
    });
    artifacts['call.json'] = { result, calls, closedAt };

    const rooms = await srv.exportWindow({ from: testStart.getTime() - 60000, to: Date.now() + 60000 });
    artifacts['export.json'] = rooms;
    assert.deepEqual(rooms.map((r) => r.room_id).sort(), [roomA, roomB].sort(),
      'one room session per persistent call, and no other');
    for (const call of calls) {
      const room = rooms.find((r) => r.room_id === call.roomId);
      assertCallRoom(room, call);
      const waited = closedAt[call.roomId] - call.endedAt;
      assert.ok(waited < CLOSE_WITHIN_MS, `${call.roomId} closed ${waited} ms after persistentEnd()`);

      // The series holds this call's getstats samples only (one per 2 s).
      const url = `/rooms/${encodeURIComponent(call.roomId)}/peers/alice/series`;
      const series = await srv.get(url);
      artifacts[`series-${call.roomId}.json`] = series.json ?? series.body;
      assert.equal(series.status, 200, `GET ${url} -> ${series.status}`);
      const expected = (call.endedAt - call.startedAt) / 2000;
      assert.ok(Math.abs(series.json.samples - expected) <= 2,
        `${call.roomId}: ${series.json.samples} samples for a ${expected * 2} s call`);
    }
    const [a, b] = calls.map((c) => rooms.find((r) => r.room_id === c.roomId));
    assert.ok(Date.parse(b.start_time) >= Date.parse(a.end_time),
      `the second call (${b.start_time}) starts after the first ended (${a.end_time})`);
  });
});
