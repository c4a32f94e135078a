'use strict';
// Bad input against the real rtcstream binary: malformed frames, oversized frames, wrong API
// keys, wrong content types. Each gets a logged reason and a defined reaction, while an honest
// call (real SDK traffic replayed from tests/fixtures/sdk-recordings/) goes on over other
// sockets; afterwards the honest room is complete.

const test = require('node:test');
const assert = require('node:assert/strict');
const LZString = require('lz-string');

const { startRtcstream } = require('./lib/server');
const { replayRecording, openSocket } = require('./lib/replay');
const { assertRoomSchema } = require('./lib/assert-room');
const { waitFor } = require('./lib/util');

const API_KEY = 'rec-key-1'; // the key the recordings were made with

function query(sessionId) {
  return `?apiKey=${API_KEY}&timestamp=${Date.now()}&apiVersion=v1&sessionId=${sessionId}&newConnection=true`;
}

/** Resolves with the close code when the socket closes, or 'open' if it is still open after ms. */
function closedWithin(ws, ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('open'), ms);
    ws.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

test('bad input is rejected with a reason while honest peers keep being served', async (t) => {
  const srv = await startRtcstream({ apiKey: API_KEY, args: ['--room-close-grace', '1s'] });
  t.after(() => srv.stop());
  const from = Date.now() - 3600 * 1000;
  try {
    // The attacker: a valid key, then garbage.
    const { ws: bad } = await openSocket(srv.url, query('attacker-session-1'));
    const badFrames = [
      ['truncated LZString', LZString.compressToEncodedURIComponent('[["keys",null,{"a":["b"]},1]]').slice(0, 5)],
      ['character outside the alphabet', 'abc!def'],
      ['invalid JSON', LZString.compressToEncodedURIComponent('[["keys",null,{')],
      ['non-array frame', LZString.compressToEncodedURIComponent('{"name":"getstats"}')],
      ['delta without baseline', LZString.compressToEncodedURIComponent(
        JSON.stringify([['getstats', 'PC_9', { OT1: { bytesSent: 5 }, timestamp: 1 }, 1]]))],
      ['unknown message name', LZString.compressToEncodedURIComponent(JSON.stringify([['brandNewThing', null, {}, 1]]))],
      ['plain garbage JSON signalling', '[garbage'],
    ];
    // The honest call runs at the same time as the garbage.
    const honest = replayRecording(srv.url, 'two-peer-call.jsonl');
    for (const [, frame] of badFrames) bad.send(frame);
    bad.send(Buffer.from([0, 1, 2, 3])); // binary frame
    assert.equal(await closedWithin(bad, 500), 'open', 'bad frames must not cost the connection');
    // Oversized: larger than the default 1 MiB frame limit -> closed with 1009.
    bad.send('A'.repeat(1024 * 1024 + 10));
    assert.equal(await closedWithin(bad, 5000), 1009);

    // A wrong API key gets the SDK's error reply.
    const { ws: wrong, reply } = await openSocket(srv.url, query('wrong-key').replace(API_KEY, 'not-a-key'));
    assert.ok(typeof reply.error === 'string', `expected an error reply, got ${JSON.stringify(reply)}`);
    assert.notEqual(await closedWithin(wrong, 5000), 'open');

    // HTTP: CORS preflight, wrong content type, garbage body, unknown session and key.
    const http = srv.url.replace(/^ws/, 'http');
    const pre = await fetch(`${http}/trace`, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    assert.match(pre.headers.get('access-control-allow-methods'), /POST/);
    const wrongType = await fetch(`${http}/trace`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    assert.equal(wrongType.status, 415);
    assert.ok((await wrongType.json()).error);
    const garbage = await fetch(`${http}/trace`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sessionId":' });
    assert.equal(garbage.status, 400);
    const stranger = await fetch(`${http}/error`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: 'nobody', projectId: 'not-a-key', rtcRoomId: 'r', rtcPeerId: 'p', data: ['x', 1] }),
    });
    assert.equal(stranger.status, 403);

    await honest;
    assert.equal((await srv.get('/healthz')).status, 200);
    assert.equal((await srv.get('/readyz')).status, 200);

    // Every rejection is counted in the Prometheus metrics.
    const metrics = await srv.get('/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers['content-type'], /^text\/plain/);
    const value = (re) => Number((re.exec(metrics.body) || [])[1] || 0);
    assert.ok(value(/rtcstream_decode_errors_total\{reason="lzstring"\} (\d+)/) >= 2, metrics.body);
    assert.ok(value(/rtcstream_decode_errors_total\{reason="json"\} (\d+)/) >= 1, metrics.body);
    assert.ok(value(/rtcstream_limit_hits_total\{limit="max_frame_bytes"\} (\d+)/) >= 1, metrics.body);
    assert.ok(value(/rtcstream_connections_rejected_total\{reason="api_key"\} (\d+)/) >= 1, metrics.body);
    assert.ok(value(/rtcstream_frames_total\{result="accepted"\} (\d+)/) > 10, metrics.body);

    // The honest room is complete.
    const rooms = await waitFor(async () => {
      const r = await srv.exportWindow({ from, to: Date.now() + 3600 * 1000 });
      return r.length > 0 ? r : null;
    }, { timeoutMs: 20000, what: 'the honest room in the export' });
    assert.equal(rooms.length, 1, 'only the honest room');
    const room = rooms[0];
    assertRoomSchema(room);
    assert.equal(room.room_id, 'rec-room-2p');
    assert.equal(room.users, 2);
    for (const peer of room.peers) {
      for (const dir of ['send', 'recv']) {
        assert.ok(peer.stats.audio[dir].bitrate > 5, `${peer.peer_id} audio ${dir}`);
        assert.ok(peer.stats.video[dir].bitrate > 20, `${peer.peer_id} video ${dir}`);
      }
    }

    // Every rejection was logged with its reason; no key in the log.
    const logText = srv.log();
    for (const reason of [
      'no end marker', // truncated LZString
      'invalid LZString character',
      'not valid JSON',
      'not a JSON array',
      'without a baseline',
      'ignored binary frame',
      'frame larger than the limit',
      'unknown API key',
      'wrong content type',
    ]) {
      assert.ok(logText.includes(reason), `log should mention "${reason}"`);
    }
    assert.ok(!logText.includes('not-a-key'), 'the wrong key must not be logged');
    assert.ok(!logText.includes(`"${API_KEY}"`) && !logText.includes(`=${API_KEY}`), 'the key must not be logged');
  } catch (err) {
    console.error(`===== rtcstream output =====\n${srv.log()}`);
    throw err;
  }
});
