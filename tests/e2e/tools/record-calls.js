#!/usr/bin/env node
'use strict';
// Records real calls (headless Chromium or Firefox ESR + the unmodified watchRTC SDK) against
// tools/record-server.js and writes them to tests/fixtures/sdk-recordings/<name>.jsonl.
//
//   node tools/record-calls.js [--out DIR] [SCENARIO ...]
//
// Scenarios: two-peer-call three-peer-mesh reconnect firefox-chromium firefox-moz-keys
// rejected-key http-error nail-up (default: all).
// See tests/fixtures/sdk-recordings/README.md for what each one does.

const fs = require('node:fs');
const path = require('node:path');
const { startRecordServer } = require('./record-server');
const { runCall, runNailedUpConnection, persistentCall } = require('../lib/call');
const { launchChromium } = require('../lib/browser');
const { startStaticServer } = require('../lib/static-server');
const { sleep, waitFor } = require('../lib/util');

const DEFAULT_OUT = path.resolve(__dirname, '../../fixtures/sdk-recordings');
const API_KEY = 'rec-key-1';
const log = (m) => console.log(`${new Date().toISOString()} ${m}`);

async function withRecorder(file, opts, fn) {
  fs.rmSync(file, { force: true });
  const rec = await startRecordServer({ file, log, ...opts });
  try {
    return await fn(rec);
  } finally {
    await sleep(500);
    await rec.close();
  }
}

const SCENARIOS = {
  // 2 peers, ~25 s, getStats every 2 s (SDK and server agree), keys, plus one call each of
  // addKeys / addEvent / mapTrack / setUserRating. alice waits until the SDK closes its own
  // socket after hang-up (code 1000); bob closes the page (code 1001).
  async 'two-peer-call'(file) {
    return withRecorder(file, { interval: 2000, apiKeys: [API_KEY] }, (rec) =>
      runCall({
        serverUrl: rec.url,
        apiKey: API_KEY,
        roomId: 'rec-room-2p',
        peers: [
          { peerId: 'alice', keys: { company: ['acme'], plan: ['gold'] }, leave: 'sdk' },
          { peerId: 'bob', keys: { company: 'acme', plan: ['gold', 'trial'] } },
        ],
        collectionInterval: 2000,
        durationMs: 25000,
        log,
        during: async ({ peers }) => {
          const [alice, bob] = peers;
          await waitFor(() => rec.connections().filter((c) => c.peerId).length === 2, {
            timeoutMs: 15000,
            what: 'both SDKs connected',
          });
          await sleep(2000);
          await alice.page.evaluate(() => window.rtc.addKeys({ region: 'eu-west' }));
          await alice.page.evaluate(() =>
            window.rtc.addEvent({ name: 'screen-share-start', type: 'local', parameters: { source: 'tab' } }));
          await bob.page.evaluate(() => window.rtc.addEvent({ name: 'meeting-started', type: 'global' }));
          await alice.page.evaluate(() => {
            const remote = Object.values(window.rtc.info().remoteTracks)[0] || [];
            const video = remote.find((t) => t.kind === 'video');
            if (video) window.rtc.mapTrack(video.id, 'bob-camera');
          });
          await sleep(1000);
          await bob.page.evaluate(() => window.rtc.setUserRating(4, 'clear audio'));
        },
      }));
  },

  // 3 peers, full mesh (3 RTCPeerConnections), ~20 s. The pages keep the SDK's default
  // collectionInterval (8000) while the server says 2000, so the SDK sends
  // collectionIntervalChange and restarts with a full report. carol leaves with
  // watchRTC.disconnect() (code 1000 at once); alice and bob close their pages.
  async 'three-peer-mesh'(file) {
    return withRecorder(file, { interval: 2000, apiKeys: [API_KEY] }, (rec) =>
      runCall({
        serverUrl: rec.url,
        apiKey: API_KEY,
        roomId: 'rec-room-mesh',
        peers: [
          { peerId: 'alice', keys: { company: ['acme'] } },
          { peerId: 'bob', keys: { company: ['acme'] } },
          { peerId: 'carol', keys: { company: ['globex'] }, leave: 'disconnect' },
        ],
        media: { audio: true, video: { width: { ideal: 320 }, height: { ideal: 180 }, frameRate: { ideal: 15 } } },
        durationMs: 20000,
        log,
      }));
  },

  // 2 peers, ~30 s. 10 s into the call the server terminates alice's socket (no close frame).
  // While alice's SDK is disconnected it calls addKeys and setUserRating (the SDK then uses
  // HTTP POST /trace). The SDK reconnects after its 1-4 s backoff with newConnection=false
  // and the same sessionId.
  async reconnect(file) {
    return withRecorder(file, { interval: 2000, apiKeys: [API_KEY] }, (rec) =>
      runCall({
        serverUrl: rec.url,
        apiKey: API_KEY,
        roomId: 'rec-room-reconnect',
        peers: [
          { peerId: 'alice', keys: { company: ['acme'] } },
          { peerId: 'bob', keys: { company: ['acme'] } },
        ],
        collectionInterval: 2000,
        durationMs: 30000,
        log,
        during: async ({ peers }) => {
          const [alice] = peers;
          await waitFor(() => rec.connections().filter((c) => c.peerId).length === 2, {
            timeoutMs: 15000,
            what: 'both SDKs connected',
          });
          await sleep(10000);
          const n = rec.drop((c) => c.peerId === 'alice');
          log(`dropped ${n} socket(s) of alice`);
          await sleep(200);
          await alice.page.evaluate(() => window.rtc.addKeys({ phase: 'reconnecting' }));
          await alice.page.evaluate(() => window.rtc.setUserRating(3, 'video froze'));
          await waitFor(() => rec.connections().filter((c) => c.peerId === 'alice' && c.open).length === 1, {
            timeoutMs: 20000,
            what: 'alice reconnected',
          });
          log('alice reconnected');
        },
      }));
  },

  // Firefox ESR (alice, offers) and Chromium (bob), ~12 s. Current Firefox has no
  // window.mozRTCPeerConnection, so its SDK sends the same report keys as in Chromium.
  async 'firefox-chromium'(file) {
    return withRecorder(file, { interval: 2000, apiKeys: [API_KEY] }, (rec) =>
      runCall({
        serverUrl: rec.url,
        apiKey: API_KEY,
        roomId: 'rec-room-firefox',
        peers: [
          { peerId: 'alice', browser: 'firefox', keys: { company: ['acme'] } },
          { peerId: 'bob', keys: { company: ['acme'] } },
        ],
        collectionInterval: 2000,
        durationMs: 12000,
        connectTimeoutMs: 60000,
        log,
      }));
  },

  // As firefox-chromium, but alice's page defines window.mozRTCPeerConnection before the SDK
  // loads: her SDK keys every getStats report '<type>_<id>' (the ids inside the reports stay
  // unprefixed).
  async 'firefox-moz-keys'(file) {
    return withRecorder(file, { interval: 2000, apiKeys: [API_KEY] }, (rec) =>
      runCall({
        serverUrl: rec.url,
        apiKey: API_KEY,
        roomId: 'rec-room-firefox-moz',
        peers: [
          { peerId: 'alice', browser: 'firefox', mozRTCPeerConnection: true, keys: { company: ['acme'] } },
          { peerId: 'bob', keys: { company: ['acme'] } },
        ],
        collectionInterval: 2000,
        durationMs: 12000,
        connectTimeoutMs: 60000,
        log,
      }));
  },

  // 2 peers whose API key the server does not know: one {"error":...} reply each, then the
  // SDK closes (1000) and never retries. ~8 s call.
  async 'rejected-key'(file) {
    return withRecorder(file, { interval: 2000, apiKeys: ['only-this-key'] }, (rec) =>
      runCall({
        serverUrl: rec.url,
        apiKey: 'production:wrong-key-0123456789abcdef',
        roomId: 'rec-room-rejected',
        peers: [{ peerId: 'alice' }, { peerId: 'bob' }],
        collectionInterval: 2000,
        durationMs: 8000,
        expectSdk: 'reject',
        log,
      }));
  },

  // One persistent ("nail-up") connection carrying two calls. alice's page starts the SDK
  // without a room or peer id and keeps one RTCPeerConnection to bob (who runs no SDK, like a
  // media server) for the whole recording. 3 s after it connected alice calls
  // persistentStart('rec-room-nailup-a', 'alice'), 12 s later persistentEnd(); 3 s later
  // persistentStart('rec-room-nailup-b', 'alice') and 12 s later persistentEnd(true).
  async 'nail-up'(file) {
    return withRecorder(file, { interval: 2000, apiKeys: [API_KEY] }, (rec) =>
      runNailedUpConnection({
        serverUrl: rec.url,
        apiKey: API_KEY,
        keys: { company: ['acme'] },
        log,
        during: async (alice) => {
          await sleep(3000);
          await persistentCall(alice, 'rec-room-nailup-a', { callMs: 12000, log });
          await sleep(3000);
          await persistentCall(alice, 'rec-room-nailup-b', { callMs: 12000, endArg: true, log });
          await sleep(2000);
        },
      }));
  },

  // One page, no call: getUserMedia fails (OverconstrainedError) before any socket exists,
  // so the SDK reports it with HTTP POST /error (with a CORS preflight).
  async 'http-error'(file) {
    return withRecorder(file, { interval: 2000, apiKeys: [API_KEY] }, async (rec) => {
      const web = await startStaticServer();
      const browser = await launchChromium();
      try {
        const page = await (await browser.newContext()).newPage();
        await page.goto(`${web.url}/call.html`);
        await page.evaluate(
          (c) => window.rtc.init(c),
          { rtcApiKey: API_KEY, rtcRoomId: 'rec-room-error', rtcPeerId: 'alice', keys: {}, proxyUrl: rec.url },
        );
        const err = await page.evaluate(() =>
          window.rtc.getMedia({ audio: false, video: { deviceId: { exact: 'no-such-camera' } } }).then(
            () => null,
            (e) => e.name,
          ));
        log(`getUserMedia failed with ${err}`);
        await sleep(2000);
      } finally {
        await browser.close();
        await web.close();
      }
    });
  },
};

async function main(argv) {
  let out = DEFAULT_OUT;
  const names = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') out = path.resolve(argv[++i]);
    else names.push(argv[i]);
  }
  const selected = names.length ? names : Object.keys(SCENARIOS);
  fs.mkdirSync(out, { recursive: true });
  for (const name of selected) {
    if (!SCENARIOS[name]) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(' ')}`);
    const file = path.join(out, `${name}.jsonl`);
    log(`=== ${name} -> ${file}`);
    const res = await SCENARIOS[name](file);
    if (res && res.peers) {
      for (const p of res.peers) {
        log(`${p.peerId}: ${p.userAgent} audio="${p.localTracks.audio}" video="${p.localTracks.video}" ` +
          `sdkEvents=${p.sdkEvents.map((e) => e.name).join(',')}`);
      }
    }
    log(`=== ${name}: ${fs.statSync(file).size} bytes`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

module.exports = { SCENARIOS };
