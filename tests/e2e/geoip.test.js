'use strict';
// Location and ISP against the real rtcstream binary: GeoIP databases in MaxMind's schema
// (written by tests/geoip/make-test-databases.pl with Debian's libmaxmind-db-writer-perl),
// 127.0.0.1 as the only trusted proxy. A peer behind the proxy (X-Forwarded-For), one that only
// posts over HTTP (Forwarded, IPv6), one that connects directly, and one from an untrusted
// address that sends X-Forwarded-For anyway. The location looked up when each peer connected
// survives a restart of the collector and ends up in the exported room struct.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const LZString = require('lz-string');

const { startRtcstream, REPO_ROOT } = require('./lib/server');
const { openSocket } = require('./lib/replay');
const { runSyntheticPeer } = require('./lib/synthetic-peer');
const { assertRoomSchema } = require('./lib/assert-room');
const { waitFor, randomId, sleep } = require('./lib/util');

const API_KEY = 'geo-key-1';
const UNTRUSTED = '127.0.0.2'; // loopback too, but not in trusted_proxies

function setUp() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtcstream-geoip-'));
  execFileSync('perl', [path.join(REPO_ROOT, 'tests/geoip/make-test-databases.pl'), dir]);
  const config = path.join(dir, 'rtcstream.toml');
  fs.writeFileSync(config, [
    '[geoip]',
    `city_db = "${path.join(dir, 'test-city.mmdb')}"`,
    `asn_db = "${path.join(dir, 'test-asn.mmdb')}"`,
    'trusted_proxies = ["127.0.0.1/32", "10.0.0.0/8"]',
  ].join('\n') + '\n');
  return { dir, config };
}

/** POST /error like the SDK's HTTP fallback, with extra request headers. */
function postError(port, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, path: '/error', method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

test('peers are located by their address or a trusted proxy\'s, across a restart', async (t) => {
  const { dir, config } = setUp();
  const srv = await startRtcstream({
    apiKey: API_KEY,
    args: ['--config', config, '--room-close-grace', '2s'],
  });
  t.after(async () => {
    await srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const from = Date.now() - 60 * 1000;
  const roomId = randomId('geo-room-');

  // Behind the proxy: the client prepends a made-up hop; the proxy appends the real one.
  const sessionId = randomId('geo-proxied-', 8);
  const query = `?apiKey=${API_KEY}&timestamp=${Date.now()}&apiVersion=v1&sessionId=${sessionId}&newConnection=true`;
  const { ws: proxied, reply } = await openSocket(srv.url, query, 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0 Safari/537.36',
    { headers: { 'x-forwarded-for': '203.0.113.9, 81.2.69.160' } });
  assert.equal(reply.error, undefined);
  proxied.send(JSON.stringify(['watchrtc', 'PC_0', { rtcRoomId: roomId, rtcPeerId: 'proxied', keys: {}, sdkVersion: '1.43.1' }, Date.now()]));
  proxied.send(LZString.compressToEncodedURIComponent(JSON.stringify([['onconnectionstatechange', 'PC_0', 'connected', Date.now()]])));

  // Only HTTP, through the proxy, which says where the client is with RFC 7239 Forwarded.
  assert.equal(await postError(srv.port, {
    sessionId: randomId('geo-http-', 8), projectId: API_KEY, rtcRoomId: roomId, rtcPeerId: 'http-only',
    // As the SDK reports an error: [[name, pcId, error], its clock].
    data: [['navigator.mediaDevices.getUserMediaOnFailure', null, 'NotAllowedError'], Date.now()],
  }, { forwarded: 'for="[2001:db8::7]:4711";proto=https' }), 200);

  // Straight from the loopback proxy address, no header: nothing to locate.
  await runSyntheticPeer({ serverUrl: srv.url, apiKey: API_KEY, roomId, peerId: 'direct' });
  // From an untrusted address: its X-Forwarded-For is not believed.
  await runSyntheticPeer({
    serverUrl: srv.url, apiKey: API_KEY, roomId, peerId: 'spoofer',
    headers: { 'x-forwarded-for': '81.2.69.160' }, localAddress: UNTRUSTED,
  });

  // The proxied socket keeps the room open; restart while it is, so that the room and the
  // peers' locations come back from the history.
  await sleep(300); // the journal commits every 50 ms
  await srv.restart();
  proxied.terminate();

  const rooms = await waitFor(async () => {
    const all = await srv.exportWindow({ from, to: Date.now() + 60 * 1000 });
    const found = all.filter((r) => r.room_id === roomId);
    return found.length ? found : null;
  }, { timeoutMs: 20000, what: `room ${roomId} in the export` });
  assert.equal(rooms.length, 1, 'one session of the room, restored after the restart');
  const room = rooms[0];
  assertRoomSchema(room);
  const byPeer = Object.fromEntries(room.peers.map((p) => [p.peer_id, p.location]));
  assert.deepEqual(Object.keys(byPeer).sort(), ['direct', 'http-only', 'proxied', 'spoofer']);
  assert.deepEqual(byPeer.proxied, { city: 'London', country: 'United Kingdom', organization: 'Example ISP' });
  assert.deepEqual(byPeer['http-only'], { city: 'Berlin', country: 'Germany', organization: 'Example Carrier' });
  assert.deepEqual(byPeer.direct, { city: null, country: null, organization: null });
  assert.deepEqual(byPeer.spoofer, { city: null, country: null, organization: null });

  // The connect log names the client's network, not its address.
  assert.match(srv.log(), /GeoIP database opened/);
  assert.match(srv.log(), /SDK connected[^\n]*"network":"81\.2\.69\.0\/24"/);
  assert.doesNotMatch(srv.log(), /SDK connected[^\n]*81\.2\.69\.160/);
});

test('without GeoIP databases every location is null', async (t) => {
  const srv = await startRtcstream({ apiKey: API_KEY, args: ['--room-close-grace', '1s'] });
  t.after(() => srv.stop());
  const from = Date.now() - 60 * 1000;
  const roomId = randomId('no-geo-room-');
  await runSyntheticPeer({
    serverUrl: srv.url, apiKey: API_KEY, roomId, peerId: 'anyone',
    headers: { 'x-forwarded-for': '81.2.69.160' },
  });
  const room = await waitFor(async () => {
    const all = await srv.exportWindow({ from, to: Date.now() + 60 * 1000 });
    return all.find((r) => r.room_id === roomId);
  }, { timeoutMs: 15000, what: `room ${roomId} in the export` });
  assertRoomSchema(room);
  assert.deepEqual(room.peers[0].location, { city: null, country: null, organization: null });
});
