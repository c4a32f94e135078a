'use strict';
// Calls relayed through a TURN server (Debian's coturn, started by the test on loopback), with
// relay-only ICE (iceTransportPolicy 'relay'): over UDP, over TCP, and over an impaired UDP
// path (a forwarder that drops and delays what one peer sends to the TURN server).
//
//   RTCSTREAM_BIN=$PWD/../../build/rtcstream node --test --test-concurrency=1 turn.test.js
//
// Artifacts (calls, exports, rtcstream and turnserver logs, forwarder counters) go to
// tests/e2e/out/<test>/.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { startRtcstream } = require('./lib/server');
const { startTurnServer } = require('./lib/turn-server');
const { startImpairedUdpForwarder } = require('./lib/impaired-udp-forwarder');
const { runCall } = require('./lib/call');
const { sleep, randomId } = require('./lib/util');
const { assertRoomSchema, assertRoomAggregates, PLAUSIBLE } = require('./lib/assert-room');

const OUT_DIR = path.join(__dirname, 'out');
const SERVE_ARGS = ['--collection-interval', '2s', '--room-close-grace', '3s', '--stream-interval', '1m'];
const LOG_TAIL_LINES = 100;
const TEST_TIMEOUT_MS = 150000;
const log = (m) => console.log(`${new Date().toISOString()} ${m}`);

// The impaired path: what bob sends to the TURN server (media, RTCP, ICE and TURN messages)
// loses 8 % of its datagrams and is delayed by 120 ± 30 ms. The way back is clean.
const IMPAIRED_UPSTREAM = { loss: 0.08, delayMs: 120, jitterMs: 30 };
const FORWARDER_SEED = 20240607;

/**
 * Runs fn(ctx, artifacts) with a fresh rtcstream and turnserver; ctx = {srv, turn, forwarders}
 * (push every forwarder started so that it is closed). On failure: appends the tails of both
 * logs to the error. Always writes the logs and artifacts to tests/e2e/out/<name>/.
 */
async function withRelay(name, fn) {
  const artifacts = {};
  const srv = await startRtcstream({ args: SERVE_ARGS });
  let turn = null;
  const forwarders = [];
  let failed = null;
  try {
    turn = await startTurnServer();
    log(`[${name}] rtcstream on ${srv.url}, turnserver on 127.0.0.1:${turn.port} (relay ports ${turn.minPort}-${turn.maxPort})`);
    await fn({ srv, turn, forwarders }, artifacts);
  } catch (err) {
    failed = err;
  } finally {
    for (const f of forwarders) {
      artifacts[`forwarder-${f.port}.json`] = f.stats();
      await f.close();
    }
    if (turn) await turn.stop();
    await srv.stop({ keepData: !!failed });
  }
  const dir = path.join(OUT_DIR, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'rtcstream.log'), srv.log());
  if (turn) fs.writeFileSync(path.join(dir, 'turnserver.log'), turn.log());
  for (const [file, value] of Object.entries(artifacts)) {
    fs.writeFileSync(path.join(dir, file), typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  }
  if (failed) {
    const tail = (text) => text.trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n');
    failed.message += `\n--- rtcstream output, last ${LOG_TAIL_LINES} lines ---\n${tail(srv.log())}`;
    if (turn) failed.message += `\n--- turnserver output, last ${LOG_TAIL_LINES} lines ---\n${tail(turn.log())}`;
    failed.message += `\n(full logs and data: ${dir}; data dir kept: ${srv.dataDir})`;
    throw failed;
  }
}

/** Polls `rtcstream export` until every room of roomIds has closed; returns them by id. */
async function waitForClosedRooms(srv, { roomIds, from, timeoutMs = 30000 }) {
  const window = () => ({ from: new Date(from.getTime() - 60000), to: new Date(Date.now() + 60000) });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rooms = await srv.exportWindow(window());
    const closed = roomIds.map((id) => rooms.filter((r) => r && r.room_id === id && r.end_time));
    if (closed.every((list) => list.length > 0)) {
      closed.forEach((list, i) => assert.equal(list.length, 1, `expected 1 room '${roomIds[i]}', got ${list.length}`));
      return { rooms, byId: Object.fromEntries(closed.map((list, i) => [roomIds[i], list[0]])) };
    }
    if (Date.now() > deadline) {
      throw new Error(`rooms ${roomIds.join(', ')} not all closed in the export after ${timeoutMs} ms; last export: ${JSON.stringify(rooms).slice(0, 2000)}`);
    }
    await sleep(1000);
  }
}

/** A 2-peer call, alice and bob each with their own RTCConfiguration. */
function relayCall(srv, { roomId, alice, bob, durationMs = 20000 }) {
  return runCall({
    serverUrl: srv.url,
    apiKey: srv.apiKey,
    roomId,
    peers: [
      { peerId: 'alice', rtcConfiguration: alice },
      { peerId: 'bob', rtcConfiguration: bob },
    ],
    collectionInterval: 2000,
    durationMs,
    // Relay allocation over a lossy path can need a few retransmissions.
    connectTimeoutMs: 45000,
    log,
  });
}

function peerById(room, id) {
  const p = room.peers.find((x) => x.peer_id === id);
  assert.ok(p, `room ${room.room_id} has no peer '${id}' (peers: ${room.peers.map((x) => x.peer_id).join(', ')})`);
  return p;
}

/**
 * The page's own getStats(): the selected pair of the peer's only RTCPeerConnection is relayed
 * at both ends, through the given TURN url, with the given transport to the TURN server.
 */
function assertPageUsedRelay(page, { transport, url }) {
  const pairs = Object.values(page.selectedPairs || {});
  const where = `${page.peerId}'s selected candidate pair ${JSON.stringify(page.selectedPairs)}`;
  assert.equal(pairs.length, 1, `${where}: one RTCPeerConnection`);
  const pair = pairs[0];
  assert.ok(pair, `${where}: no pair selected`);
  assert.equal(pair.localCandidateType, 'relay', `${where}: local candidate type`);
  assert.equal(pair.remoteCandidateType, 'relay', `${where}: remote candidate type`);
  assert.equal(pair.relayProtocol, transport, `${where}: relayProtocol`);
  assert.equal(pair.url, url, `${where}: TURN url`);
}

function inRange(v, min, max, what) {
  assert.equal(typeof v, 'number', `${what} must be a number, got ${JSON.stringify(v)}`);
  assert.ok(v >= min && v <= max, `${what} = ${v} not in [${min}, ${max}]`);
}

/** A relayed peer on loopback: TURN over `transport`, media both ways at plausible rates. */
function assertRelayedPeer(peer, transport, { maxLoss = 5 } = {}) {
  const where = `peer ${peer.peer_id}`;
  assert.deepEqual(peer.features, { connection_type: 'TURN', media_transport: transport }, `${where} features`);
  const s = peer.stats;
  inRange(s.mos, 1, 5, `${where} stats.mos`);
  inRange(s.score, 0, 10, `${where} stats.score`);
  inRange(s.call_setup_time, 1, 15000, `${where} stats.call_setup_time`);
  for (const kind of ['audio', 'video']) {
    for (const dir of ['send', 'recv']) {
      const d = s[kind][dir];
      const w = `${where} stats.${kind}.${dir}`;
      inRange(d.bitrate, PLAUSIBLE[kind].min, PLAUSIBLE[kind].max, `${w}.bitrate (kbit/s)`);
      inRange(d.packet_loss, 0, maxLoss, `${w}.packet_loss (%)`);
      inRange(d.jitter, 0, 100, `${w}.jitter (ms)`);
      inRange(d.mos, 1, 5, `${w}.mos`);
      if (dir === 'send') inRange(d.rtt, 0, 500, `${w}.rtt (ms)`);
    }
  }
}

for (const transport of ['udp', 'tcp']) {
  test(`relay-only call over TURN/${transport.toUpperCase()}: connection_type TURN, media_transport ${transport}`,
    { timeout: TEST_TIMEOUT_MS }, async () => {
      const name = `turn-${transport}`;
      await withRelay(name, async ({ srv, turn }, artifacts) => {
        const roomId = randomId(`room-turn-${transport}-`);
        const testStart = new Date();
        const config = turn.rtcConfiguration(transport);
        const call = await relayCall(srv, { roomId, alice: config, bob: config });
        artifacts['call.json'] = call;
        for (const page of call.peers) assertPageUsedRelay(page, { transport, url: turn.url(transport) });

        const { rooms, byId } = await waitForClosedRooms(srv, { roomIds: [roomId], from: testStart });
        artifacts['export.json'] = rooms;
        assert.equal(rooms.length, 1, `expected exactly 1 room, got ${rooms.length}`);
        const room = byId[roomId];
        assertRoomSchema(room);
        assert.deepEqual(room.peers.map((p) => p.peer_id).sort(), ['alice', 'bob']);
        for (const peer of room.peers) assertRelayedPeer(peer, transport);
        assertRoomAggregates(room);
      });
    });
}

// Only bob -> TURN is impaired. Bob's media reaches alice through it, so alice *receives* with
// loss and jitter and bob's *send* figures (alice's RTCP receiver reports about bob's stream)
// show the same; bob's receive side and alice's send side stay clean. Both round trips cross
// the delayed leg once: both send RTTs grow by about the added delay.
test('impaired path between bob and TURN: loss and jitter where bob\'s media arrives, RTT both ways, lower MOS and score',
  { timeout: TEST_TIMEOUT_MS }, async () => {
    const name = 'turn-impaired';
    await withRelay(name, async ({ srv, turn, forwarders }, artifacts) => {
      const testStart = new Date();
      const direct = turn.rtcConfiguration('udp');

      const cleanId = randomId('room-turn-clean-');
      const cleanCall = await relayCall(srv, { roomId: cleanId, alice: direct, bob: direct });
      artifacts['call-clean.json'] = cleanCall;

      const fwd = await startImpairedUdpForwarder({
        targetPort: turn.port,
        upstream: IMPAIRED_UPSTREAM,
        seed: FORWARDER_SEED,
      });
      forwarders.push(fwd);
      log(`[${name}] forwarder on 127.0.0.1:${fwd.port} -> turnserver, bob -> TURN: ${JSON.stringify(IMPAIRED_UPSTREAM)}`);
      const impairedId = randomId('room-turn-impaired-');
      const impairedCall = await relayCall(srv, {
        roomId: impairedId,
        alice: direct,
        bob: turn.rtcConfiguration('udp', fwd.port),
      });
      artifacts['call-impaired.json'] = impairedCall;
      const counters = fwd.stats();
      log(`[${name}] forwarder: ${JSON.stringify(counters)}`);

      // Bob's relay really went through the forwarder, and it really dropped datagrams.
      const [alicePage, bobPage] = impairedCall.peers;
      assertPageUsedRelay(alicePage, { transport: 'udp', url: turn.url('udp') });
      assertPageUsedRelay(bobPage, { transport: 'udp', url: turn.url('udp', fwd.port) });
      assert.ok(counters.upstream.received > 1000, `forwarder saw only ${counters.upstream.received} datagrams from bob`);
      const dropRate = counters.upstream.dropped / counters.upstream.received;
      inRange(dropRate, 0.05, 0.11, 'forwarder drop rate bob -> TURN');
      assert.equal(counters.downstream.dropped, 0, 'nothing dropped TURN -> bob');

      const { rooms, byId } = await waitForClosedRooms(srv, { roomIds: [cleanId, impairedId], from: testStart });
      artifacts['export.json'] = rooms;
      const clean = byId[cleanId];
      const impaired = byId[impairedId];
      for (const room of [clean, impaired]) {
        assertRoomSchema(room);
        assert.deepEqual(room.peers.map((p) => p.peer_id).sort(), ['alice', 'bob']);
      }
      const c = { alice: peerById(clean, 'alice'), bob: peerById(clean, 'bob') };
      const i = { alice: peerById(impaired, 'alice'), bob: peerById(impaired, 'bob') };
      const a = (p) => p.stats.audio;
      const v = (p) => p.stats.video;
      const figures = {
        clean: summary(c),
        impaired: summary(i),
        forwarder: counters,
      };
      artifacts['figures.json'] = figures;
      log(`[${name}] figures: ${JSON.stringify(figures)}`);

      for (const peer of clean.peers) assertRelayedPeer(peer, 'udp');
      for (const peer of impaired.peers) assert.deepEqual(peer.features, { connection_type: 'TURN', media_transport: 'udp' });

      // Loss: measured by alice's receiver, and reported back to bob as his send loss.
      const lossPct = IMPAIRED_UPSTREAM.loss * 100;
      inRange(a(i.alice).recv.packet_loss, lossPct / 2, lossPct * 2, 'impaired: alice audio.recv.packet_loss (%)');
      inRange(a(i.bob).send.packet_loss, lossPct / 2, lossPct * 2, 'impaired: bob audio.send.packet_loss (%)');
      inRange(a(i.bob).recv.packet_loss, 0, 1.5, 'impaired: bob audio.recv.packet_loss (%), the clean direction');
      inRange(a(i.alice).send.packet_loss, 0, 1.5, 'impaired: alice audio.send.packet_loss (%), the clean direction');
      inRange(a(c.alice).recv.packet_loss, 0, 1.5, 'clean: alice audio.recv.packet_loss (%)');
      assert.ok(v(i.alice).recv.packet_loss >= v(i.bob).recv.packet_loss,
        `impaired: alice video.recv.packet_loss ${v(i.alice).recv.packet_loss} >= bob's ${v(i.bob).recv.packet_loss}`);

      // Jitter (±30 ms uniform: an RFC 3550 interarrival jitter of about 20 ms), on the same sides.
      const jitterRise = (x, y, what) =>
        assert.ok(x >= y + 8, `${what}: impaired ${x} ms, expected >= clean ${y} + 8 ms`);
      jitterRise(a(i.alice).recv.jitter, a(c.alice).recv.jitter, 'alice audio.recv.jitter');
      jitterRise(a(i.bob).send.jitter, a(c.bob).send.jitter, 'bob audio.send.jitter');
      jitterRise(v(i.alice).recv.jitter, v(c.alice).recv.jitter, 'alice video.recv.jitter');
      assert.ok(a(i.bob).recv.jitter + 5 <= a(i.alice).recv.jitter,
        `impaired: bob audio.recv.jitter ${a(i.bob).recv.jitter} (clean direction) must stay below alice's ${a(i.alice).recv.jitter}`);
      assert.ok(a(i.alice).send.jitter + 5 <= a(i.bob).send.jitter,
        `impaired: alice audio.send.jitter ${a(i.alice).send.jitter} (clean direction) must stay below bob's ${a(i.bob).send.jitter}`);

      // RTT: both peers' round trips cross the delayed leg once. (A loaded machine adds some
      // milliseconds to either call, hence the loose bounds.)
      const { delayMs } = IMPAIRED_UPSTREAM;
      for (const id of ['alice', 'bob']) {
        for (const kind of ['audio', 'video']) {
          const clean = c[id].stats[kind].send.rtt;
          const rtt = i[id].stats[kind].send.rtt;
          const what = `${id} ${kind}.send.rtt (ms), clean ${clean}, impaired ${rtt}`;
          inRange(rtt, delayMs * 0.8, delayMs * 1.6, `impaired ${what}`);
          assert.ok(rtt >= clean + delayMs / 2, `${what}: must rise by about ${delayMs} ms`);
        }
      }

      // MOS and score: lower than on the clean relay for both peers (both see the delay), and
      // the audio scores lowest on the side that carried bob's impaired media. Receive MOS
      // also includes the receiver's own jitter buffer (which audio/video sync and the round
      // trip can grow), so only alice's receive MOS is compared with her send MOS.
      for (const id of ['alice', 'bob']) {
        assert.ok(i[id].stats.mos < c[id].stats.mos - 0.2, `${id} mos: impaired ${i[id].stats.mos}, clean ${c[id].stats.mos}`);
        assert.ok(i[id].stats.score < c[id].stats.score - 1, `${id} score: impaired ${i[id].stats.score}, clean ${c[id].stats.score}`);
      }
      assert.ok(a(i.alice).recv.mos < a(i.alice).send.mos - 0.3,
        `impaired: alice audio.recv.mos ${a(i.alice).recv.mos} must be well below her send mos ${a(i.alice).send.mos}`);
      assert.ok(a(i.bob).send.mos < a(c.bob).send.mos - 0.3,
        `bob audio.send.mos: impaired ${a(i.bob).send.mos}, clean ${a(c.bob).send.mos}`);
      assert.ok(a(i.alice).recv.score < a(i.alice).send.score,
        `impaired: alice audio.recv.score ${a(i.alice).recv.score} must be below her send score ${a(i.alice).send.score}`);
      assert.ok(a(i.bob).send.score < a(i.bob).recv.score,
        `impaired: bob audio.send.score ${a(i.bob).send.score} must be below his recv score ${a(i.bob).recv.score}`);
      assert.ok(impaired.stats.mos < clean.stats.mos && impaired.stats.score < clean.stats.score,
        `room: impaired mos ${impaired.stats.mos} / score ${impaired.stats.score}, clean ${clean.stats.mos} / ${clean.stats.score}`);
    });
  });

/** The figures the impaired-path test compares, per peer: for the log and figures.json. */
function summary(peers) {
  const out = {};
  for (const [id, p] of Object.entries(peers)) {
    const s = p.stats;
    const dir = (d) => ({ loss: d.packet_loss, jitter: d.jitter, rtt: d.rtt, mos: d.mos, score: d.score, bitrate: d.bitrate });
    out[id] = {
      mos: s.mos,
      score: s.score,
      audio: { send: dir(s.audio.send), recv: dir(s.audio.recv) },
      video: { send: dir(s.video.send), recv: dir(s.video.recv) },
    };
  }
  return out;
}
