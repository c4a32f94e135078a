'use strict';
// A minimal SDK-like peer for delivery tests: connects like the watchRTC SDK, identifies its
// room with a `watchrtc` signalling frame, sends a few LZString-compressed getstats batches
// (a full report, then deltas) stamped with the current time, and leaves. The room it joins
// therefore ends "now", which keeps window-based tests fast. Media figures are synthetic.

const LZString = require('lz-string');
const { openSocket } = require('./replay');
const { randomId, sleep } = require('./util');

function getstats(sample, ts) {
  const bytes = 4000 * (sample + 1);
  const reports = {
    OT01A: { type: 'outbound-rtp', kind: 'audio', ssrc: 1, bytesSent: bytes, packetsSent: 50 * (sample + 1), timestamp: 0 },
    IT01A: { type: 'inbound-rtp', kind: 'audio', ssrc: 2, bytesReceived: bytes, packetsReceived: 50 * (sample + 1), packetsLost: 0, jitter: 0.002, timestamp: 0 },
  };
  if (sample > 0) {
    // Deltas carry only what changed.
    for (const r of Object.values(reports)) {
      delete r.type;
      delete r.kind;
      delete r.ssrc;
      delete r.jitter;
    }
  }
  return ['getstats', 'PC_0', { ...reports, timestamp: ts, getStatsId: sample + 1 }, ts];
}

/**
 * Runs one peer: {serverUrl, apiKey, roomId, peerId?, samples?, intervalMs?, headers?,
 * localAddress?}. Resolves when its socket is closed.
 */
async function runSyntheticPeer({ serverUrl, apiKey, roomId, peerId = randomId('peer-'), samples = 3, intervalMs = 100, headers, localAddress }) {
  const sessionId = randomId('synthetic-', 10);
  const query = `?apiKey=${encodeURIComponent(apiKey)}&timestamp=${Date.now()}&apiVersion=v1&sessionId=${sessionId}&newConnection=true`;
  const { ws, reply } = await openSocket(serverUrl, query, 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0 Safari/537.36',
    { headers, localAddress });
  if (reply.error) {
    ws.close();
    throw new Error(`server rejected the synthetic peer: ${reply.error}`);
  }
  ws.send(JSON.stringify(['watchrtc', 'PC_0', { rtcRoomId: roomId, rtcPeerId: peerId, keys: { kind: ['synthetic'] }, sdkVersion: '1.43.1' }, Date.now()]));
  ws.send(LZString.compressToEncodedURIComponent(JSON.stringify([
    ['setLocalDescription', 'PC_0', { type: 'offer' }, Date.now()],
    ['onconnectionstatechange', 'PC_0', 'connected', Date.now() + 40],
  ])));
  for (let i = 0; i < samples; i++) {
    ws.send(LZString.compressToEncodedURIComponent(JSON.stringify([getstats(i, Date.now())])));
    await sleep(intervalMs);
  }
  ws.send(LZString.compressToEncodedURIComponent(JSON.stringify([['close', 'PC_0', {}, Date.now()]])));
  await new Promise((resolve) => {
    ws.once('close', resolve);
    ws.close(1000);
  });
  return { sessionId, peerId, roomId };
}

module.exports = { runSyntheticPeer };
