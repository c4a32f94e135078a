'use strict';
// End-to-end tests of calls between Firefox ESR and Chromium: one headless Debian firefox-esr
// process (driven over WebDriver BiDi, on a fresh profile with fake media devices) and one
// headless Chromium process, both running the unmodified watchRTC SDK 1.43.1 against the real
// rtcstream binary.
//
//   RTCSTREAM_BIN=$PWD/build/rtcstream node --test --test-concurrency=1 tests/e2e/firefox.test.js
//
// Firefox's getStats differs from Chromium's (own timestamps on some reports, remote-outbound-rtp
// with roundTripTime null, no certificate or media-playout reports), and a page that defines
// window.mozRTCPeerConnection makes the SDK key its reports '<type>_<id>'. In both cases every
// figure must be as plausible as in a Chromium call, in both directions.
// On failure the test prints rtcstream's output and writes it, the call and the exported rooms
// to tests/e2e/out/<test>/.

const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');

const { withRtcstream, waitForClosedRoom, log } = require('./lib/with-rtcstream');
const { runCall } = require('./lib/call');
const { FIREFOX_PATH } = require('./lib/browser');
const { SDK_VERSION } = require('./lib/static-server');
const { randomId } = require('./lib/util');
const { assertRoomSchema, assertCleanPeerStats, assertRoomAggregates } = require('./lib/assert-room');

const SERVE_ARGS = ['--collection-interval', '2s', '--room-close-grace', '3s', '--stream-interval', '1m'];
// The device labels of the fake media: Firefox's microphone has a fixed name, its camera the
// name lib/browser.js sets; Chromium's are its own.
const FIREFOX_DEVICES = { audio: 'Default Audio Device', video: 'Fake Firefox Camera' };
// What one peer sends, the other receives: the two figures must agree within this much.
const SAME_STREAM = { relative: 0.25, absoluteKbps: 8 };

/** The major version of the firefox-esr the tests run ("Mozilla Firefox 153.7.0esr" -> "153"). */
function firefoxMajor() {
  const out = execFileSync(FIREFOX_PATH, ['--version'], { encoding: 'utf8', timeout: 30000 });
  const m = /Firefox (\d+)\./.exec(out);
  assert.ok(m, `cannot read the version of ${FIREFOX_PATH}: ${JSON.stringify(out)}`);
  return m[1];
}

function peerById(room, id) {
  const p = room.peers.find((x) => x.peer_id === id);
  assert.ok(p, `room ${room.room_id} has no peer '${id}' (peers: ${room.peers.map((x) => x.peer_id).join(', ')})`);
  return p;
}

/** The exported peer says what the page was: browser, version, OS, SDK, devices. */
function assertPeerIdentity(peer, page, { firefoxVersion }) {
  const where = `peer ${peer.peer_id} (${page.browser})`;
  assert.equal(typeof peer.browser_version, 'string', `${where} browser_version`);
  const major = peer.browser_version.split('.')[0];
  if (page.browser === 'firefox') {
    assert.equal(peer.browser, 'Firefox', `${where} browser`);
    assert.equal(major, firefoxVersion,
      `${where} browser_version ${peer.browser_version} vs firefox-esr ${firefoxVersion}`);
    const ua = /Firefox\/(\d+)\./.exec(page.userAgent);
    assert.ok(ua && ua[1] === major, `${where} browser_version ${peer.browser_version} vs page UA ${page.userAgent}`);
    assert.deepEqual({ audio: page.localTracks.audio, video: page.localTracks.video }, FIREFOX_DEVICES,
      'sanity: the fake devices of the Firefox profile');
    // Firefox's User-Agent names no OS version (the SDK sends the browser's in its place).
    assert.equal(peer.os_version, null, `${where} os_version`);
  } else {
    assert.ok(['Chrome', 'Chromium'].includes(peer.browser), `${where} browser = ${JSON.stringify(peer.browser)}`);
    const ua = /(?:HeadlessChrome|Chrome|Chromium)\/(\d+)\./.exec(page.userAgent);
    assert.ok(ua && ua[1] === major, `${where} browser_version ${peer.browser_version} vs page UA ${page.userAgent}`);
  }
  assert.equal(peer.os, 'Linux', `${where} os`);
  assert.equal(peer.sdk_version, SDK_VERSION, `${where} sdk_version`);
  assert.equal(peer.audio_device, page.localTracks.audio, `${where} audio_device`);
  assert.equal(peer.video_device, page.localTracks.video, `${where} video_device`);
  assert.ok(peer.duration > 10, `${where} duration ${peer.duration} must be > 10 s`);
}

/** What a sends, b receives: a's send figure and b's recv figure describe the same stream. */
function assertSameStream(a, b) {
  for (const kind of ['audio', 'video']) {
    const sent = a.stats[kind].send.bitrate;
    const received = b.stats[kind].recv.bitrate;
    const tolerance = Math.max(SAME_STREAM.absoluteKbps, SAME_STREAM.relative * Math.max(sent, received));
    assert.ok(Math.abs(sent - received) <= tolerance,
      `${kind} ${a.peer_id} -> ${b.peer_id}: sent ${sent} kbit/s but received ${received} kbit/s`);
  }
}

/**
 * One Firefox (alice, offers) <-> Chromium (bob) call through rtcstream, checked end to end.
 * @param {string} name  the test's name: its artifacts go to tests/e2e/out/<name>/
 * @param {object} [o.firefox] extra peer options of the Firefox peer (e.g. mozRTCPeerConnection)
 */
async function firefoxChromiumCall(name, { firefox = {} } = {}) {
  const firefoxVersion = firefoxMajor();
  await withRtcstream(name, { args: SERVE_ARGS }, async (srv, artifacts) => {
    const roomId = randomId('room-ff-');
    const testStart = new Date();
    const call = await runCall({
      serverUrl: srv.url,
      apiKey: srv.apiKey,
      roomId,
      peers: [
        { peerId: 'alice', browser: 'firefox', keys: { company: ['acme'] }, ...firefox },
        { peerId: 'bob', browser: 'chromium', keys: { company: ['acme'] } },
      ],
      collectionInterval: 2000,
      durationMs: 20000,
      // Generous: two browsers start on a loaded 2-core machine.
      connectTimeoutMs: 60000,
      sdkTimeoutMs: 40000,
      log,
    });
    artifacts['call.json'] = call;

    const { rooms } = await waitForClosedRoom(srv, { roomId, from: testStart, timeoutMs: 60000 });
    artifacts['export.json'] = rooms;

    assert.equal(rooms.length, 1, `expected exactly 1 room, got ${rooms.length}: ${rooms.map((r) => r.room_id)}`);
    const room = rooms[0];
    assert.equal(room.room_id, roomId);
    assertRoomSchema(room);
    assert.equal(room.users, 2);
    assert.deepEqual(room.peers.map((p) => p.peer_id).sort(), ['alice', 'bob']);
    assert.ok(room.duration > 10, `room duration ${room.duration} must be > 10 s`);

    const firefoxPage = call.peers.find((p) => p.browser === 'firefox');
    assert.equal(firefoxPage.mozRTCPeerConnection, !!firefox.mozRTCPeerConnection,
      'sanity: window.mozRTCPeerConnection on the Firefox page');

    for (const page of call.peers) {
      const peer = peerById(room, page.peerId);
      assertPeerIdentity(peer, page, { firefoxVersion });
      assert.deepEqual(peer.keys, { company: 'acme' }, `peer ${peer.peer_id} keys`);
      // Bitrates, loss, jitter, RTT (non-null), MOS and score of each direction; call setup
      // time; direct UDP. Firefox's encoder starts the 640x360 fake camera at 320x180 and
      // scales up as its bandwidth estimate grows, so it sends less video than Chromium (VP8
      // at some 100 against 150 kbit/s in 20 s): the usual ranges hold all the same.
      assertCleanPeerStats(peer);
    }
    const alice = peerById(room, 'alice');
    const bob = peerById(room, 'bob');
    assertSameStream(alice, bob);
    assertSameStream(bob, alice);
    assertRoomAggregates(room);
    assert.equal(srv.log().includes('without a baseline'), false, 'every getstats delta found its baseline');
  });
}

test('Firefox ESR <-> Chromium call: both peers, their browsers and plausible figures both ways', async () => {
  await firefoxChromiumCall('firefox-chromium');
});

test('Firefox ESR with window.mozRTCPeerConnection: the SDK\'s <type>_<id> report keys give the same figures', async () => {
  await firefoxChromiumCall('firefox-moz-keys', { firefox: { mozRTCPeerConnection: true } });
});
