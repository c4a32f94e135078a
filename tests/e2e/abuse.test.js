'use strict';
// Abuse against the real rtcstream binary, while an honest call (real SDK traffic replayed from
// tests/fixtures/sdk-recordings/) goes on from another address: 10,000 idle sockets, a frame
// flood on one socket, XSS strings in room and peer ids and keys. Afterwards the honest room is
// complete and correct, every limit hit is logged and counted, and the JSON stays safe.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { execFile } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');
const LZString = require('lz-string');

const { startRtcstream } = require('./lib/server');
const { replayRecording, openSocket } = require('./lib/replay');
const { runSyntheticPeer } = require('./lib/synthetic-peer');
const { assertRoomSchema } = require('./lib/assert-room');
const { waitFor, sleep } = require('./lib/util');

const API_KEY = 'rec-key-1';
const ATTACKER = '127.0.0.2'; // the whole of 127/8 is loopback: a second client address
const IDLE_SOCKETS = 10000;
const PER_ADDRESS = 200;

function configFile() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtcstream-abuse-'));
  const file = path.join(dir, 'rtcstream.toml');
  fs.writeFileSync(file, [
    '[[project]]', 'id = "default"', `api_keys = ["${API_KEY}"]`, 'collection_interval = "2s"',
    '[limits]',
    `max_connections_per_address = ${PER_ADDRESS}`,
    'max_frames_per_second = 20',
    'max_frame_burst = 100',
    'handshake_timeout = "2s"',
    'max_keys = 8',
  ].join('\n') + '\n');
  return file;
}

/**
 * In a separate process (so that this one keeps serving the honest peers), opens n raw TCP
 * sockets from ATTACKER that never send a byte, and reports how many the server kept open
 * after a moment and how many it still holds after the handshake timeout.
 */
function idleFlood(port, n, { holdMs }) {
  const script = `
    const { execFile } = require('node:child_process');
    const sockets = [];
    let pending = ${n};
    const done = () => { if (--pending === 0) report(); };
    for (let i = 0; i < ${n}; i++) {
      const s = net.connect({ host: '127.0.0.1', port: ${port}, localAddress: '${ATTACKER}' });
      sockets.push(s);
      s.on('connect', done);
      s.on('error', done);
    }
    const open = () => sockets.filter((s) => !s.destroyed && s.readyState === 'open').length;
    function report() {
      setTimeout(() => {
        const early = open();
        setTimeout(() => {
          process.stdout.write(JSON.stringify({ early, late: open() }));
          for (const s of sockets) s.destroy();
          process.exit(0);
        }, ${holdMs});
      }, 500);
    }`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script], { timeout: 120000 }, (err, stdout) =>
      (err ? reject(err) : resolve(JSON.parse(stdout))));
  });
}

test('idle sockets, a frame flood and XSS ids hurt nobody else', async (t) => {
  const srv = await startRtcstream({ apiKey: API_KEY, args: ['--config', configFile(), '--room-close-grace', '1s'] });
  t.after(() => srv.stop());
  const from = Date.now() - 3600 * 1000;
  try {
    // 10,000 idle sockets from one address, while the honest call runs from another.
    const flood = idleFlood(srv.port, IDLE_SOCKETS, { holdMs: 4000 });
    const honest = replayRecording(srv.url, 'two-peer-call.jsonl');
    const idle = await flood;
    assert.ok(idle.early <= PER_ADDRESS, `at most ${PER_ADDRESS} idle sockets stay open, saw ${idle.early}`);
    // The handshake timeout (2 s) closes the slow ones too (slowloris).
    assert.equal(idle.late, 0, 'the server closes idle sockets after the handshake timeout');

    // A flood of frames on one socket: that socket is closed with 1008, nobody else.
    const { ws: flooder } = await openSocket(srv.url, `?apiKey=${API_KEY}&timestamp=${Date.now()}&apiVersion=v1&sessionId=flooder&newConnection=true`);
    const closed = new Promise((resolve) => flooder.once('close', (code) => resolve(code)));
    const frame = LZString.compressToEncodedURIComponent(JSON.stringify([['event', null, { name: 'x', type: 'local' }, Date.now()]]));
    for (let i = 0; i < 1000 && flooder.readyState === 1; i++) flooder.send(frame);
    assert.equal(await closed, 1008);

    // XSS in ids and keys: stored and served, never as live markup.
    const xssRoom = '<script>alert(1)</script>';
    await runSyntheticPeer({ serverUrl: srv.url, apiKey: API_KEY, roomId: xssRoom, peerId: '"><img src=x onerror=alert(2)>' });
    await honest;

    const rooms = await waitFor(async () => {
      const r = await srv.exportWindow({ from, to: Date.now() + 3600 * 1000 });
      return r.length >= 2 ? r : null;
    }, { timeoutMs: 20000, what: 'both rooms in the export' });
    const real = rooms.find((r) => r.room_id === 'rec-room-2p');
    assertRoomSchema(real);
    assert.equal(real.users, 2);
    for (const p of real.peers) {
      for (const dir of ['send', 'recv']) {
        assert.ok(p.stats.audio[dir].bitrate > 5 && p.stats.video[dir].bitrate > 20, `${p.peer_id} ${dir}`);
      }
    }
    const xss = rooms.find((r) => r.room_id === xssRoom);
    assert.ok(xss, 'the XSS room is stored with its id intact');
    const page = await srv.get(`/rooms/${encodeURIComponent(xssRoom)}`);
    assert.equal(page.status, 200);
    assert.match(page.headers['content-type'], /^application\/json/);
    assert.ok(!page.body.includes('<script>') && !page.body.includes('<img'), 'no raw markup in the JSON');
    assert.equal(page.json[0].room_id, xssRoom);
    // The HTTP API needs the project's token.
    assert.equal((await srv.get(`/rooms/${encodeURIComponent(xssRoom)}`, { token: null })).status, 401);
    assert.equal((await srv.get(`/rooms/${encodeURIComponent(xssRoom)}`, { token: API_KEY })).status, 403);

    const metrics = (await srv.get('/metrics')).body;
    assert.match(metrics, /rtcstream_limit_hits_total\{limit="max_connections_per_address"\} [1-9]/);
    assert.match(metrics, /rtcstream_limit_hits_total\{limit="max_frames_per_second"\} [1-9]/);
    assert.match(srv.log(), /too many open connections from one address/);
    assert.match(srv.log(), /more frames per second than the limit/);
    assert.equal((await srv.get('/healthz')).status, 200);
  } catch (err) {
    console.error(`===== rtcstream output =====\n${srv.log().slice(-20000)}`);
    throw err;
  }
});
