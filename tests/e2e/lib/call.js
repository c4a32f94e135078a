'use strict';
// Drives a real WebRTC call between headless browser processes, one process per peer; each
// peer is Chromium (the default) or Firefox ESR (lib/browser.js). Every page runs the
// unmodified watchRTC SDK pointed at serverUrl (its proxyUrl option).
// Signalling is done here: SDP offers/answers and ICE candidates are moved between the
// pages with page.evaluate(); there is no signalling server.

const { launchBrowser } = require('./browser');
const { startStaticServer } = require('./static-server');
const { sleep, waitFor } = require('./util');

const DEFAULT_MEDIA = {
  audio: true,
  video: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 15 } },
};
const MAX_BROWSERS = 3; // the CI machine has 2 cores shared with C++ builds
const CONSOLE_LINES_KEPT = 3000;

/**
 * Runs one call and hangs up.
 *
 * @param {object} o
 * @param {string} o.serverUrl   ws://127.0.0.1:PORT, given to the SDK as proxyUrl
 * @param {string} o.apiKey      rtcApiKey for every peer (a peer may override it)
 * @param {string} o.roomId      rtcRoomId
 * @param {Array<{peerId:string, browser?:string, keys?:object, apiKey?:string, leave?:string,
 *                collectionInterval?:number, rtcConfiguration?:object,
 *                mozRTCPeerConnection?:boolean, persistent?:boolean, sdk?:boolean}>} o.peers
 *        2 peers = one P2P call; N peers = full mesh (one RTCPeerConnection per pair).
 *        browser: 'chromium' (default) or 'firefox'.
 *        rtcConfiguration: the peer's RTCConfiguration (iceServers, iceTransportPolicy) for
 *        all its RTCPeerConnections; overrides o.rtcConfiguration.
 *        mozRTCPeerConnection: the page defines window.mozRTCPeerConnection (as
 *          RTCPeerConnection) before the SDK loads, as older Firefox did; the SDK
 *          then takes the browser for Firefox and keys its getStats reports '<type>_<id>'.
 *        persistent: the SDK is started without rtcRoomId and rtcPeerId, so it stays unconnected
 *          until the page calls watchRTC.persistentStart(room, peer) (window.rtc.persistentStart).
 *        sdk: false: the page never starts the SDK (the far end of a persistent connection,
 *          such as a media server); not counted in expectSdk.
 *        leave: how the peer leaves after its PCs are closed:
 *          'unload'     (default) wait flushMs, close the page (the socket closes with 1001)
 *          'disconnect' watchRTC.disconnect() (socket closes with 1000 at once), then close
 *          'sdk'        wait until the SDK closes its socket by itself (~20-30 s), then close
 *          'kill'       close the browser process without closing the page first
 * @param {number}  [o.durationMs=20000] time to stay in the call once every PC is connected
 * @param {number}  [o.collectionInterval] SDK collectionInterval (ms); omitted = SDK default 8000
 * @param {object}  [o.rtcConfiguration] every peer's RTCConfiguration; default: no ICE servers
 * @param {object}  [o.media]      getUserMedia constraints
 * @param {'connect'|'reject'|'any'} [o.expectSdk='connect'] what every SDK must have got before
 *        hanging up (an accepted server reply, or an {"error"} reply); waits up to sdkTimeoutMs
 * @param {number}  [o.sdkTimeoutMs=20000]
 * @param {Function} [o.during] async ({peers, roomId, connectedAt}) => {} run once every PC is
 *        connected, concurrently with the durationMs wait; the call ends when both are done
 * @param {number}  [o.flushMs=1500] time between pc.close() and closing the page
 * @param {number}  [o.connectTimeoutMs=30000]
 * @param {string[]} [o.browserArgs] extra Chromium flags, e.g. to trust a test certificate
 * @param {Function} [o.log] progress logger, e.g. console.log
 * @returns {Promise<object>} {roomId, startedAt, connectedAt, hungUpAt, endedAt,
 *          peers: [{peerId, browser, userAgent, mozRTCPeerConnection, sessionId,
 *                   localTracks:{audio,video,tracks}, remoteTracks, selectedPairs, sdkEvents,
 *                   sdkConnections, stateLog, console, pageErrors}]}
 *          selectedPairs: each RTCPeerConnection's selected candidate pair just before the
 *          hang-up, as the page's own getStats() saw it (window.rtc.selectedPairs())
 */
async function runCall(o) {
  const {
    serverUrl,
    apiKey,
    roomId,
    peers: peerSpecs,
    durationMs = 20000,
    collectionInterval,
    rtcConfiguration,
    media = DEFAULT_MEDIA,
    expectSdk = 'connect',
    sdkTimeoutMs = 20000,
    during,
    flushMs = 1500,
    connectTimeoutMs = 30000,
    browserArgs = [],
    log = () => {},
  } = o;
  if (!serverUrl || !roomId || !Array.isArray(peerSpecs) || peerSpecs.length < 2) {
    throw new Error('runCall needs serverUrl, roomId and at least 2 peers');
  }
  if (peerSpecs.length > MAX_BROWSERS) {
    throw new Error(`runCall: at most ${MAX_BROWSERS} browser processes at a time`);
  }

  const web = await startStaticServer();
  const peers = peerSpecs.map((spec) => ({
    spec,
    peerId: spec.peerId,
    browser: null,
    page: null,
    console: [],
    pageErrors: [],
    established: 0, // server replies the SDK accepted (it logs 'connection established')
    selectedPairs: null,
    result: null,
  }));
  const call = { roomId, peers, startedAt: new Date(), connectedAt: null, hungUpAt: null, endedAt: null };
  let pumping = false;
  let pump = Promise.resolve();
  let pumpError = null;

  try {
    // 1. One browser process per peer (allSettled: never leave a half-launched one behind).
    const launched = await Promise.allSettled(
      peers.map(async (p) => {
        // Firefox ignores extraArgs (Chromium command-line flags).
        p.browser = await launchBrowser(p.spec.browser || 'chromium', { extraArgs: browserArgs });
        p.page = await p.browser.newPage();
        p.page.on('console', (msg) => {
          const text = msg.text();
          if (text.includes('connection established - watchRTCConnectionId')) p.established++;
          if (p.console.length < CONSOLE_LINES_KEPT) p.console.push(`${msg.type()}: ${text}`);
        });
        p.page.on('pageerror', (err) => p.pageErrors.push(String(err && err.stack ? err.stack : err)));
        const query = p.spec.mozRTCPeerConnection ? '?mozRTCPeerConnection' : '';
        await p.page.goto(`${web.url}/call.html${query}`, { waitUntil: 'load' });
      }),
    );
    const launchFailure = launched.find((r) => r.status === 'rejected');
    if (launchFailure) throw launchFailure.reason;
    const kinds = peers.map((p) => p.spec.browser || 'chromium').join(', ');
    log(`[call ${roomId}] ${peers.length} browser processes up (${kinds})`);

    // 2. SDK first (it wraps getUserMedia and RTCPeerConnection), then the media.
    for (const p of peers) {
      const config = {
        rtcApiKey: p.spec.apiKey || apiKey,
        keys: p.spec.keys || {},
        proxyUrl: serverUrl,
      };
      if (!p.spec.persistent) Object.assign(config, { rtcRoomId: roomId, rtcPeerId: p.peerId });
      const interval = p.spec.collectionInterval ?? collectionInterval;
      if (interval !== undefined) config.collectionInterval = interval;
      if (p.spec.sdk !== false) await p.page.evaluate((c) => window.rtc.init(c), config);
      await p.page.evaluate((m) => window.rtc.getMedia(m), media);
    }

    // 3. Full mesh: the peer listed first offers to every later one.
    const pairs = [];
    for (let i = 0; i < peers.length; i++) {
      for (let j = i + 1; j < peers.length; j++) pairs.push([peers[i], peers[j]]);
    }
    const configOf = (p) => p.spec.rtcConfiguration || rtcConfiguration;
    for (const [a, b] of pairs) {
      await a.page.evaluate(([id, c]) => window.rtc.createPc(id, c), [b.peerId, configOf(a)]);
      await b.page.evaluate(([id, c]) => window.rtc.createPc(id, c), [a.peerId, configOf(b)]);
      const offer = await a.page.evaluate((id) => window.rtc.createOffer(id), b.peerId);
      const answer = await b.page.evaluate(([id, sdp]) => window.rtc.acceptOffer(id, sdp), [a.peerId, offer]);
      await a.page.evaluate(([id, sdp]) => window.rtc.acceptAnswer(id, sdp), [b.peerId, answer]);
    }

    // 4. Trickle ICE: move candidates both ways until hang-up.
    pumping = true;
    pump = (async () => {
      while (pumping) {
        for (const [a, b] of pairs) {
          for (const [from, to] of [[a, b], [b, a]]) {
            const cands = await from.page.evaluate((id) => window.rtc.takeCandidates(id), to.peerId);
            if (cands.length) {
              await to.page.evaluate(([id, list]) => window.rtc.addCandidates(id, list), [from.peerId, cands]);
            }
          }
        }
        await sleep(100);
      }
    })().catch((err) => {
      if (pumping) pumpError = err;
    });

    await waitFor(
      async () => {
        if (pumpError) throw Object.assign(pumpError, { fatal: true });
        const states = await Promise.all(peers.map((p) => p.page.evaluate(() => window.rtc.states())));
        const failed = states.flatMap((s) => Object.values(s)).find((s) => s.connectionState === 'failed');
        if (failed) throw Object.assign(new Error('an RTCPeerConnection failed'), { fatal: true });
        return states.every((s) => Object.values(s).every((x) => x.connectionState === 'connected'));
      },
      { timeoutMs: connectTimeoutMs, intervalMs: 200, what: 'every RTCPeerConnection to be connected' },
    );
    call.connectedAt = new Date();
    log(`[call ${roomId}] all ${pairs.length} peer connection pair(s) connected`);

    // 5. Stay in the call (and run the caller's mid-call action).
    await Promise.all([
      sleep(durationMs),
      during ? during({ peers, roomId, connectedAt: call.connectedAt }) : null,
    ]);

    // 6. Make sure every SDK got its server answer before hanging up.
    if (expectSdk !== 'any') {
      await waitFor(
        async () => {
          const evs = await Promise.all(peers.map((p) => p.page.evaluate(() => window.rtc.sdkEvents())));
          return peers.every((p, i) =>
            p.spec.sdk === false ||
            (expectSdk === 'reject' ? isRejected(evs[i]) : p.established > 0 && !isRejected(evs[i])));
        },
        { timeoutMs: sdkTimeoutMs, intervalMs: 250, what: `every SDK to report '${expectSdk}'` },
      );
    }

    // 7. Hang up: close every PC (the SDK sends a 'close' tuple per PC), then leave.
    for (const p of peers) p.selectedPairs = await p.page.evaluate(() => window.rtc.selectedPairs());
    call.hungUpAt = new Date();
    await Promise.all(peers.map((p) => p.page.evaluate(() => window.rtc.hangup())));
    pumping = false;
    await pump;
    log(`[call ${roomId}] hung up`);

    await Promise.all(peers.map((p) => leave(p, { flushMs })));
    call.endedAt = new Date();
    return {
      roomId,
      startedAt: call.startedAt,
      connectedAt: call.connectedAt,
      hungUpAt: call.hungUpAt,
      endedAt: call.endedAt,
      peers: peers.map((p) => p.result),
    };
  } catch (err) {
    const details = await Promise.all(
      peers.map(async (p) => {
        let info = null;
        try {
          info = p.page ? await p.page.evaluate(() => window.rtc && window.rtc.info()) : null;
        } catch (_) {
          /* page gone */
        }
        return `--- ${p.peerId}: ${JSON.stringify(info)}\n${p.pageErrors.join('\n')}\n${p.console.slice(-40).join('\n')}`;
      }),
    );
    err.message += `\n[runCall ${roomId}] page state:\n${details.join('\n')}`;
    throw err;
  } finally {
    pumping = false;
    await pump.catch(() => {});
    await Promise.all(peers.map((p) => (p.browser ? p.browser.close().catch(() => {}) : null)));
    await web.close();
  }
}

/**
 * A persistent ("nail-up") connection: alice's page starts the SDK without a room or peer id
 * and keeps one RTCPeerConnection to bob, who runs no SDK (like the media server a call
 * centre's agent is nailed up to), while during(alice) marks calls on it (persistentCall).
 * getStats every 2 s. Resolves what runCall does.
 */
function runNailedUpConnection({ serverUrl, apiKey, keys = {}, during, log = () => {} }) {
  return runCall({
    serverUrl,
    apiKey,
    roomId: 'nailed-up',
    peers: [
      { peerId: 'alice', persistent: true, keys },
      { peerId: 'bob', sdk: false },
    ],
    collectionInterval: 2000,
    durationMs: 1000,
    log,
    during: ({ peers }) => during(peers[0]),
  });
}

/**
 * One call on a persistent connection: watchRTC.persistentStart(roomId, peer), callMs once
 * the SDK's new socket was accepted, then watchRTC.persistentEnd(endArg).
 * Resolves {roomId, sessionId, startedAt, endedAt}.
 */
async function persistentCall(peer, roomId, { callMs, endArg, log = () => {} }) {
  const established = peer.established;
  const startedAt = new Date();
  const sessionId = await peer.page.evaluate(([r, p]) => window.rtc.persistentStart(r, p), [roomId, peer.peerId]);
  await waitFor(() => peer.established > established, { timeoutMs: 15000, what: `the SDK connected for ${roomId}` });
  await sleep(callMs);
  await peer.page.evaluate((arg) => window.rtc.persistentEnd(arg), endArg);
  const endedAt = new Date();
  log(`[nail-up] ${roomId} (session ${sessionId}): ${startedAt.toISOString()} .. ${endedAt.toISOString()}`);
  return { roomId, sessionId, startedAt, endedAt };
}

/** True when the page's SDK reported that the server rejected it (an {"error":...} reply). */
function isRejected(events) {
  return events.some(
    (e) =>
      (e.name === 'state' && e.detail && e.detail.reason === 'serverRejectedNoRetry') ||
      (e.name === 'onSocketError' && e.detail && e.detail[0] && e.detail[0].errorCode === 401),
  );
}

async function snapshot(p) {
  const info = await p.page.evaluate(() => window.rtc.info());
  const stateLog = await p.page.evaluate(() => window.rtc.stateLog());
  return {
    peerId: p.peerId,
    browser: p.spec.browser || 'chromium',
    userAgent: info.userAgent,
    mozRTCPeerConnection: info.mozRTCPeerConnection,
    sessionId: info.sessionId,
    localTracks: info.localTracks,
    remoteTracks: info.remoteTracks,
    selectedPairs: p.selectedPairs,
    sdkEvents: info.sdkEvents,
    // How many times the SDK accepted a server reply (2+ after a reconnect). Note that the
    // SDK's own onSocketConnect event fires when the socket opens, before the reply.
    sdkConnections: p.established,
    stateLog,
    console: p.console,
    pageErrors: p.pageErrors,
  };
}

async function leave(p, { flushMs }) {
  const mode = p.spec.leave || 'unload';
  if (mode === 'sdk') {
    // The SDK closes its socket itself some 20-30 s after the last PC closed.
    const since = Date.now();
    await waitFor(
      async () => {
        const evs = await p.page.evaluate(() => window.rtc.sdkEvents());
        return evs.some((e) => e.name === 'onSocketDisconnect' && e.t >= since - 1000);
      },
      { timeoutMs: 45000, intervalMs: 500, what: `${p.peerId}: the SDK to close its socket` },
    );
    p.result = await snapshot(p);
    await p.page.close();
  } else if (mode === 'disconnect') {
    await sleep(Math.min(flushMs, 500));
    await p.page.evaluate(() => window.rtc.disconnect());
    await sleep(500);
    p.result = await snapshot(p);
    await p.page.close();
  } else if (mode === 'kill') {
    await sleep(flushMs);
    p.result = await snapshot(p);
    // Closing the process without unloading the page first.
    await p.browser.close();
    p.browser = null;
    return;
  } else {
    await sleep(flushMs);
    p.result = await snapshot(p);
    await p.page.close({ runBeforeUnload: false });
  }
  await p.browser.close();
  p.browser = null;
}

module.exports = { runCall, runNailedUpConnection, persistentCall, DEFAULT_MEDIA, isRejected };
