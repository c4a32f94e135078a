'use strict';
// End-to-end tests of the real rtcstream binary with real browsers: headless Chromium peers
// (one process each) run the unmodified watchRTC SDK 1.43.1 pointed at rtcstream through its
// proxyUrl option; the rooms rtcstream exports are checked against the data-streams schema.
//
//   cd tests/e2e && npm ci
//   RTCSTREAM_BIN=$PWD/../../build/rtcstream node --test --test-concurrency=1 tests/e2e/   (from the repo root)
//
// Each test starts its own rtcstream (fresh data dir, random port). On failure the test prints
// rtcstream's output, and writes it with the exported rooms to tests/e2e/out/<test>/.

const fs = require('node:fs');
const path = require('node:path');
const test = require('node:test');
const assert = require('node:assert/strict');

const { withRtcstream, waitForClosedRoom, log } = require('./lib/with-rtcstream');
const { runCall } = require('./lib/call');
const { SDK_VERSION } = require('./lib/static-server');
const { freePort, sleep, randomId } = require('./lib/util');
const {
  assertRoomSchema,
  assertCleanPeerStats,
  assertRoomAggregates,
} = require('./lib/assert-room');

const SERVE_ARGS = ['--collection-interval', '2s', '--room-close-grace', '3s', '--stream-interval', '1m'];
// Across a server restart the SDKs come back after their 1-4 s backoff, so the grace must be
// longer than that (the default is 60 s).
const RECONNECT_ARGS = ['--collection-interval', '2s', '--room-close-grace', '8s', '--stream-interval', '1m'];
const FAKE_AUDIO_LABEL = 'Fake Default Audio Input';
// The 2-peer call also waits for its data stream file: short windows keep that quick.
const STREAM_INTERVAL_S = 10;

/** `20261125T120000Z` → Date. */
function parseCompactUtc(text) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  assert.ok(m, `not a compact UTC time: ${text}`);
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

/**
 * Waits until the data stream files in <data-dir>/streams/<project>/ hold roomId, then checks
 * every file is a JSON array named after its window, and returns the file holding the room.
 */
async function waitForStreamFile(srv, roomId, { project = 'default', timeoutMs = 60000 } = {}) {
  const dir = path.join(srv.dataDir, 'streams', project);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort() : [];
    const files = names.map((name) => ({ name, rooms: JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) }));
    const holding = files.filter((f) => f.rooms.some((r) => r.room_id === roomId));
    if (holding.length > 0) {
      assert.equal(holding.length, 1, `room ${roomId} in ${holding.map((f) => f.name)}`);
      for (const f of files) {
        assert.ok(Array.isArray(f.rooms), `${f.name} is a JSON array`);
        const m = /^(\w+)_(\w+)\.json$/.exec(f.name);
        assert.ok(m, `file name ${f.name}`);
        const [start, end] = [parseCompactUtc(m[1]), parseCompactUtc(m[2])];
        assert.equal(end - start, STREAM_INTERVAL_S * 1000, `${f.name} spans one window`);
        for (const r of f.rooms) {
          const ended = new Date(r.end_time);
          assert.ok(ended >= start && ended < end, `${f.name} holds room ${r.room_id} that ended at ${r.end_time}`);
        }
      }
      return holding[0];
    }
    if (Date.now() > deadline) throw new Error(`no data stream file in ${dir} holds ${roomId}; files: ${names}`);
    await sleep(1000);
  }
}

function browserMajor(userAgent) {
  const m = /(?:HeadlessChrome|Chrome|Chromium)\/(\d+)\./.exec(userAgent);
  return m ? m[1] : null;
}

/** Checks one exported peer against what the page itself saw. */
function assertPeerMatchesPage(peer, page, expectedKeys) {
  const where = `peer ${peer.peer_id}`;
  if (expectedKeys) assert.deepEqual(peer.keys, expectedKeys, `${where} keys`);
  assert.ok(['Chrome', 'Chromium'].includes(peer.browser), `${where} browser = ${JSON.stringify(peer.browser)}`);
  assert.equal(typeof peer.browser_version, 'string', `${where} browser_version`);
  assert.equal(peer.browser_version.split('.')[0], browserMajor(page.userAgent),
    `${where} browser_version ${peer.browser_version} vs page UA ${page.userAgent}`);
  assert.equal(peer.os, 'Linux', `${where} os`);
  assert.equal(peer.sdk_version, SDK_VERSION, `${where} sdk_version`);
  assert.equal(peer.audio_device, page.localTracks.audio, `${where} audio_device`);
  assert.equal(peer.video_device, page.localTracks.video, `${where} video_device`);
  assert.deepEqual(peer.location, { city: null, country: null, organization: null },
    `${where} location of a loopback peer must be unknown`);
  assert.ok(peer.duration > 10, `${where} duration ${peer.duration} must be > 10 s`);
}

function assertRoomTimes(room, call) {
  const skew = 5000;
  const start = Date.parse(room.start_time);
  const end = Date.parse(room.end_time);
  assert.ok(start >= call.startedAt.getTime() - skew && start <= call.connectedAt.getTime() + skew,
    `room start_time ${room.start_time} not within the call set-up [${call.startedAt.toISOString()}, ${call.connectedAt.toISOString()}]`);
  assert.ok(end >= call.hungUpAt.getTime() - skew && end <= Date.now() + skew,
    `room end_time ${room.end_time} not after the hang-up (${call.hungUpAt.toISOString()})`);
  assert.ok(room.duration > 10, `room duration ${room.duration} must be > 10 s`);
  for (const p of room.peers) {
    const ps = Date.parse(p.start_time);
    assert.ok(ps >= start - 1000 && ps <= end, `peer ${p.peer_id} start_time ${p.start_time} outside the room`);
  }
}

function peerById(room, id) {
  const p = room.peers.find((x) => x.peer_id === id);
  assert.ok(p, `room ${room.room_id} has no peer '${id}' (peers: ${room.peers.map((x) => x.peer_id).join(', ')})`);
  return p;
}

/**
 * Checks one peer's GET /rooms/<room>/peers/<peer>/series body against the exported room: one
 * sample per getStats (every intervalMs while the call was connected), columns of equal length,
 * null (never 0) for unknown bitrates, and sample bitrates that average to the peer's figures.
 */
function assertPeerSeries(body, room, peer, call, intervalMs) {
  const where = `series of ${peer.peer_id}`;
  assert.equal(body.room_id, room.room_id, `${where} room_id`);
  assert.equal(body.peer_id, peer.peer_id, `${where} peer_id`);
  assert.equal(body.start_time, peer.start_time, `${where} start_time`);
  assert.equal(body.live, false, `${where} of a closed room`);
  const n = body.samples;
  const connectedMs = call.hungUpAt.getTime() - call.connectedAt.getTime();
  assert.ok(n >= Math.floor(connectedMs / intervalMs) - 1,
    `${where}: ${n} samples for ${connectedMs} ms connected at one per ${intervalMs} ms`);
  assert.ok(n <= Math.ceil((peer.duration * 1000) / intervalMs) + 2,
    `${where}: ${n} samples for a peer of ${peer.duration} s at one per ${intervalMs} ms`);
  const { t, pc } = body.series;
  assert.equal(t.length, n, `${where} t`);
  assert.equal(pc.length, n, `${where} pc`);
  assert.deepEqual(body.pcs.length, 1, `${where}: one peer connection`);
  for (let i = 0; i < n; i++) {
    assert.ok(t[i] >= 0 && t[i] <= peer.duration * 1000 + 1000, `${where} t[${i}] = ${t[i]} outside the peer's time`);
    if (i > 0) assert.ok(t[i] >= t[i - 1], `${where} t not in order at ${i}`);
  }
  for (const kind of ['audio', 'video']) {
    for (const [dir, summary] of [['inbound', 'recv'], ['outbound', 'send']]) {
      const columns = body.series[kind][dir];
      const fields = ['bitrate', 'packet_loss', 'jitter', 'rtt', 'mos'];
      if (kind === 'video') fields.push('frame_width', 'frame_height', 'fps');
      assert.deepEqual(Object.keys(columns).sort(), fields.slice().sort(), `${where} ${kind} ${dir} fields`);
      for (const f of fields) assert.equal(columns[f].length, n, `${where} ${kind} ${dir} ${f} length`);
      const known = columns.bitrate.filter((v) => v !== null);
      assert.ok(known.every((v) => v > 0), `${where} ${kind} ${dir}: a known bitrate is > 0 (unknown is null)`);
      assert.ok(known.length >= n / 2, `${where} ${kind} ${dir}: only ${known.length} of ${n} bitrates known`);
      const mean = known.reduce((a, b) => a + b, 0) / known.length;
      const expected = peer.stats[kind][summary].bitrate;
      assert.ok(Math.abs(mean - expected) <= Math.max(2, expected * 0.15),
        `${where} ${kind} ${dir}: mean sample bitrate ${mean} vs the room's ${expected}`);
    }
  }
  const mos = body.series.audio.inbound.mos.filter((v) => v !== null);
  assert.ok(mos.length >= n / 2 && mos.every((v) => v >= 1 && v <= 5), `${where}: received audio MOS ${mos}`);
  const widths = body.series.video.inbound.frame_width.filter((v) => v !== null);
  assert.ok(widths.length > 0 && widths.every((v) => v > 0), `${where}: received frame widths ${widths}`);
}

function assertMediaFlowed(room) {
  for (const p of room.peers) {
    for (const kind of ['audio', 'video']) {
      for (const dir of ['send', 'recv']) {
        const v = p.stats[kind][dir].bitrate;
        assert.ok(typeof v === 'number' && v > 0, `peer ${p.peer_id} ${kind} ${dir} bitrate = ${v}, expected > 0`);
      }
    }
  }
}

test('2-peer call: one room with both peers, their keys, devices, browsers and media stats', async () => {
  const name = 'two-peer-call';
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const args = [...SERVE_ARGS, '--stream-interval', `${STREAM_INTERVAL_S}s`, '--public-url', publicUrl];
  await withRtcstream(name, { port, args }, async (srv, artifacts) => {
    const roomId = randomId('room-2p-');
    const testStart = new Date();
    const call = await runCall({
      serverUrl: srv.url,
      apiKey: srv.apiKey,
      roomId,
      peers: [
        { peerId: 'alice', keys: { company: ['acme'], plan: ['gold'] } },
        { peerId: 'bob', keys: { company: 'acme', plan: ['gold', 'trial'] } },
      ],
      collectionInterval: 2000,
      durationMs: 20000,
      // Mid-call, the open room serves each peer's series so far.
      during: async () => {
        await sleep(8000);
        const live = await srv.get(`/rooms/${encodeURIComponent(roomId)}`);
        assert.equal(live.status, 200, `GET /rooms mid-call -> ${live.status} ${live.body.slice(0, 500)}`);
        assert.deepEqual(live.json.map((r) => r.users), [2], 'the open room session, with both peers');
        const r = await srv.get(`/rooms/${encodeURIComponent(roomId)}/peers/bob/series`);
        artifacts['series-live.json'] = r.json ?? r.body;
        assert.equal(r.status, 200, `live series -> ${r.status} ${r.body.slice(0, 500)}`);
        assert.equal(r.json.live, true, 'the room is open');
        assert.ok(r.json.samples >= 1, `live series has ${r.json.samples} samples 8 s into the call`);
        assert.equal(r.json.series.audio.inbound.bitrate.length, r.json.samples);
      },
      log,
    });
    artifacts['call.json'] = call;

    const { rooms, window } = await waitForClosedRoom(srv, { roomId, from: testStart });
    artifacts['export.json'] = rooms;

    assert.equal(rooms.length, 1, `expected exactly 1 room, got ${rooms.length}: ${rooms.map((r) => r.room_id)}`);
    const room = rooms[0];
    assert.equal(room.room_id, roomId);
    assertRoomSchema(room);
    assert.equal(typeof room.room_url, 'string', 'room_url with --public-url');
    assert.ok(room.room_url.startsWith(publicUrl), `room_url ${room.room_url} must start with ${publicUrl}`);
    assert.equal(room.users, 2);
    assert.equal(room.peers.length, 2);
    assert.deepEqual(room.peers.map((p) => p.peer_id).sort(), ['alice', 'bob']);
    assertRoomTimes(room, call);

    const expectedKeys = {
      alice: { company: 'acme', plan: 'gold' },
      bob: { company: 'acme', plan: ['gold', 'trial'] },
    };
    for (const page of call.peers) {
      const peer = peerById(room, page.peerId);
      assert.equal(page.localTracks.audio, FAKE_AUDIO_LABEL, 'sanity: fake audio device label');
      assertPeerMatchesPage(peer, page, expectedKeys[page.peerId]);
      assertCleanPeerStats(peer);
    }
    assertRoomAggregates(room);

    // The same window restricted to the default project gives the same room.
    const byProject = await srv.exportWindow({ ...window, project: 'default' });
    assert.deepEqual(byProject, rooms, 'export --project default');

    // The data stream file of the window the room ended in holds the same struct.
    const file = await waitForStreamFile(srv, roomId);
    artifacts['stream-file.json'] = file;
    assert.deepEqual(file.rooms.find((r) => r.room_id === roomId), room, `${file.name} and export must agree`);

    // The HTTP API serves the same room.
    const res = await srv.get(`/rooms/${encodeURIComponent(roomId)}`);
    artifacts['rooms-api.json'] = res.body;
    assert.equal(res.status, 200, `GET /rooms/${roomId} -> ${res.status} ${res.body.slice(0, 500)}`);
    assert.ok(Array.isArray(res.json), `GET /rooms/${roomId} must return a JSON array`);
    const served = res.json.find((r) => r.room_id === roomId && r.start_time === room.start_time);
    assert.ok(served, `GET /rooms/${roomId} does not contain the exported room`);
    assert.deepEqual(served, room, 'GET /rooms/<id> and export must agree');

    // Each peer's time series, consistent with the exported room.
    const seriesBodies = {};
    for (const peer of room.peers) {
      const url = `/rooms/${encodeURIComponent(roomId)}/peers/${encodeURIComponent(peer.peer_id)}/series`;
      const r = await srv.get(url);
      seriesBodies[peer.peer_id] = r.json ?? r.body;
      assert.equal(r.status, 200, `GET ${url} -> ${r.status} ${r.body.slice(0, 500)}`);
      assertPeerSeries(r.json, room, peer, call, 2000);
    }
    artifacts['series-api.json'] = seriesBodies;
    const aliceSeries = `/rooms/${encodeURIComponent(roomId)}/peers/alice/series`;
    assert.equal((await srv.get(aliceSeries, { token: null })).status, 401, 'series without a token');
    assert.equal((await srv.get(aliceSeries, { token: 'not-a-token-0123456789' })).status, 403,
      'series with an unknown token');
    const unknown = await srv.get(`/rooms/${encodeURIComponent(roomId)}/peers/carol/series`);
    assert.equal(unknown.status, 404, 'series of an unknown peer');
    assert.equal(typeof unknown.json.error, 'string', 'a 404 says why in JSON');
    assert.equal((await srv.get('/rooms/no-such-room/peers/alice/series')).status, 404, 'series of an unknown room');
  });
});

test('3-peer full mesh: one room with 3 users', async () => {
  const name = 'three-peer-mesh';
  await withRtcstream(name, { args: SERVE_ARGS }, async (srv, artifacts) => {
    const roomId = randomId('room-mesh-');
    const testStart = new Date();
    const call = await runCall({
      serverUrl: srv.url,
      apiKey: srv.apiKey,
      roomId,
      peers: [
        { peerId: 'alice', keys: { company: ['acme'] } },
        { peerId: 'bob', keys: { company: ['acme'] } },
        { peerId: 'carol', keys: { company: ['globex'] } },
      ],
      // The pages keep the SDK's default collectionInterval: rtcstream's interval (2 s) wins.
      media: { audio: true, video: { width: { ideal: 320 }, height: { ideal: 180 }, frameRate: { ideal: 15 } } },
      durationMs: 20000,
      log,
    });
    artifacts['call.json'] = call;

    const { rooms } = await waitForClosedRoom(srv, { roomId, from: testStart });
    artifacts['export.json'] = rooms;

    assert.equal(rooms.length, 1, `expected exactly 1 room, got ${rooms.length}`);
    const room = rooms[0];
    assert.equal(room.room_id, roomId);
    assertRoomSchema(room);
    assert.equal(room.users, 3);
    assert.deepEqual(room.peers.map((p) => p.peer_id).sort(), ['alice', 'bob', 'carol']);
    assertRoomTimes(room, call);
    for (const page of call.peers) {
      const peer = peerById(room, page.peerId);
      assertPeerMatchesPage(peer, page, { company: page.peerId === 'carol' ? 'globex' : 'acme' });
      // Each peer sends to and receives from 2 others: bitrates are sums over 2 PCs.
      assertCleanPeerStats(peer, { bitrate: { audio: { min: 10, max: 400 }, video: { min: 40, max: 10000 } } });
    }
    assertMediaFlowed(room);
  });
});

// SIGTERM: a clean stop. SIGKILL: a crash; the journal commits accepted tuples every 50 ms, so
// at most that much is lost, and the restored delta baselines let the SDKs continue. Tolerance:
// the same figures as an uninterrupted call (plausible bitrates both ways, duration spanning
// the restart, one room session), and no getstats delta without a baseline.
for (const signal of ['SIGTERM', 'SIGKILL']) {
test(`server ${signal} mid-call: the SDKs reconnect and the call stays one room`, async () => {
  const name = `reconnect-${signal.toLowerCase()}`;
  await withRtcstream(name, { args: RECONNECT_ARGS }, async (srv, artifacts) => {
    const roomId = randomId('room-reconnect-');
    const testStart = new Date();
    let restartedAt = null;
    const call = await runCall({
      serverUrl: srv.url,
      apiKey: srv.apiKey,
      roomId,
      peers: [
        { peerId: 'alice', keys: { company: ['acme'] } },
        { peerId: 'bob', keys: { company: ['acme'] } },
      ],
      collectionInterval: 2000,
      durationMs: 26000,
      log,
      // The server drops every socket: stop rtcstream and start it again on the same port and
      // data dir. The SDKs reconnect after their 1-4 s backoff with newConnection=false and
      // the same sessionId, and continue their getstats deltas.
      during: async ({ peers }) => {
        const deadline = Date.now() + 15000;
        while (!peers.every((p) => p.established >= 1)) {
          if (Date.now() > deadline) throw new Error('the SDKs did not connect to rtcstream');
          await sleep(200);
        }
        await sleep(6000);
        log(`[${name}] restarting rtcstream`);
        await srv.restart({ signal });
        restartedAt = new Date();
        log(`[${name}] rtcstream back on ${srv.url}`);
        const again = Date.now() + 20000;
        while (!peers.every((p) => p.established >= 2)) {
          if (Date.now() > again) {
            throw new Error(`the SDKs did not reconnect within 20 s (accepted replies: ${peers.map((p) => `${p.peerId}=${p.established}`).join(', ')})`);
          }
          await sleep(200);
        }
        log(`[${name}] both SDKs reconnected`);
      },
    });
    artifacts['call.json'] = call;
    assert.ok(restartedAt, 'rtcstream was restarted');
    for (const p of call.peers) assert.ok(p.sdkConnections >= 2, `${p.peerId} reconnected (${p.sdkConnections} accepted replies)`);

    const { rooms } = await waitForClosedRoom(srv, { roomId, from: testStart });
    artifacts['export.json'] = rooms;

    assert.equal(rooms.length, 1, `expected exactly 1 room across the restart, got ${rooms.length}`);
    const room = rooms[0];
    assert.equal(room.room_id, roomId);
    assertRoomSchema(room);
    assert.equal(room.users, 2);
    assert.deepEqual(room.peers.map((p) => p.peer_id).sort(), ['alice', 'bob']);
    assertRoomTimes(room, call);
    assertMediaFlowed(room);
    for (const p of room.peers) {
      assert.equal(p.peer_id === 'alice' || p.peer_id === 'bob', true);
      assert.ok(p.duration > 20, `peer ${p.peer_id} duration ${p.duration} must span the restart (> 20 s)`);
    }
    assert.ok(!srv.log().includes('without a baseline'), 'every delta after the restart found its baseline');
  });
});
}

test('rejected API key: the SDK gets an error, no room is stored, the key is not logged', async () => {
  const name = 'rejected-key';
  await withRtcstream(name, { args: SERVE_ARGS }, async (srv, artifacts) => {
    const roomId = randomId('room-rejected-');
    const wrongKey = randomId('wrong-', 16);
    const testStart = new Date();
    const call = await runCall({
      serverUrl: srv.url,
      apiKey: wrongKey,
      roomId,
      peers: [{ peerId: 'alice' }, { peerId: 'bob' }],
      collectionInterval: 2000,
      durationMs: 6000,
      expectSdk: 'reject',
      log,
    });
    artifacts['call.json'] = call;
    for (const p of call.peers) {
      assert.equal(p.sdkConnections, 0, `${p.peerId}: the SDK must not have been accepted`);
      const rejected = p.sdkEvents.find((e) => e.name === 'state' && e.detail && e.detail.reason === 'serverRejectedNoRetry');
      assert.ok(rejected, `${p.peerId}: the SDK must report serverRejectedNoRetry; events: ${JSON.stringify(p.sdkEvents)}`);
    }

    // Give rtcstream the time it would need to close a room (grace 3 s), then export.
    await sleep(5000);
    const rooms = await srv.exportWindow({ from: new Date(testStart.getTime() - 60000), to: new Date(Date.now() + 60000) });
    artifacts['export.json'] = rooms;
    assert.equal(rooms.filter((r) => r.room_id === roomId).length, 0, 'no room for a rejected key');
    assert.deepEqual(rooms, [], 'nothing at all was stored for the rejected key');

    const out = srv.log();
    assert.match(out, /reject|invalid|unknown|unauthori[sz]ed|denied|forbidden/i, 'rtcstream must log the rejection');
    assert.ok(!out.includes(wrongKey), 'rtcstream must not print the rejected key in full');
  });
});
