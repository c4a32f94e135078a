'use strict';
// Soak test: thousands of simulated SDK peers in rooms of two come and go for a long run
// against `rtcstream serve` with an S3 data stream, while faults are injected:
//   - client drops: random sockets are cut without a closing handshake; the peer reconnects
//     after the SDK's 1-4 s backoff with the same sessionId and continues its deltas;
//   - a server restart: rtcstream is SIGKILLed and started again on the same data dir;
//   - an S3 outage: the endpoint refuses every request for a while.
// It samples rtcstream's RSS and metrics, and at the end reads the bucket back and checks
// that every room that was started is in exactly one object, once, with both peers.
//
//   node bench/soak/soak.js [--peers 2000] [--minutes 10] [--bin build/rtcstream] [--out DIR]
//
// Needs the test dependencies (scripts/install-deps.sh --with-browser). Prints a JSON
// summary on stdout, progress on stderr, and writes samples.csv and summary.json to --out.
// Exit code 0 when every check passed.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');

const E2E = path.join(__dirname, '..', '..', 'tests', 'e2e');
const LZString = require(path.join(E2E, 'node_modules', 'lz-string'));
const { startRtcstream } = require(path.join(E2E, 'lib', 'server'));
const { startS3, readBucket } = require(path.join(E2E, 'lib', 's3'));
const { openSocket } = require(path.join(E2E, 'lib', 'replay'));
const { sleep, randomId } = require(path.join(E2E, 'lib', 'util'));
// A seeded PRNG, so that a run's pattern of calls and faults repeats.
const { mulberry32: prng } = require(path.join(E2E, 'lib', 'impaired-udp-forwarder'));

function parseArgs(argv) {
  const o = { peers: 2000, minutes: 10, bin: null, out: null, windowS: 30, seed: 1 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--peers') o.peers = Number(value);
    else if (flag === '--minutes') o.minutes = Number(value);
    else if (flag === '--bin') o.bin = path.resolve(value);
    else if (flag === '--out') o.out = path.resolve(value);
    else if (flag === '--window') o.windowS = Number(value);
    else if (flag === '--seed') o.seed = Number(value);
    else throw new Error(`unknown flag ${flag}`);
  }
  if (!(o.peers >= 2) || o.peers % 2) throw new Error('--peers must be an even number >= 2');
  return o;
}

const COLLECTION_MS = 2000;
const CLOSE_GRACE_S = 15; // longer than the SDK's backoff plus a restart
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

// The reports of getstats sample n of a 2-way audio+video call, in Chromium's shapes.
function fullReports(n, ts) {
  const k = n + 1;
  return {
    OT01A: { type: 'outbound-rtp', kind: 'audio', ssrc: 11, mid: '0', codecId: 'COT01_111', bytesSent: 4000 * k, packetsSent: 50 * k, timestamp: 0 },
    OT01V: { type: 'outbound-rtp', kind: 'video', ssrc: 12, mid: '1', codecId: 'COT01_96', bytesSent: 60000 * k, packetsSent: 60 * k, framesEncoded: 30 * k, frameWidth: 640, frameHeight: 360, framesPerSecond: 15, timestamp: 0 },
    IT01A: { type: 'inbound-rtp', kind: 'audio', ssrc: 21, mid: '0', codecId: 'CIT01_111', bytesReceived: 4000 * k, packetsReceived: 50 * k - (k >> 3), packetsLost: k >> 3, jitter: 0.004 + (n % 5) / 1000, jitterBufferDelay: 3 * k, jitterBufferEmittedCount: 48000 * k, timestamp: 0 },
    IT01V: { type: 'inbound-rtp', kind: 'video', ssrc: 22, mid: '1', codecId: 'CIT01_96', bytesReceived: 60000 * k, packetsReceived: 60 * k, packetsLost: 0, jitter: 0.01, framesDecoded: 30 * k, frameWidth: 640, frameHeight: 360, framesPerSecond: 15, timestamp: 0 },
    RIA01: { type: 'remote-inbound-rtp', kind: 'audio', ssrc: 11, localId: 'OT01A', packetsLost: k >> 4, fractionLost: 0, jitter: 0.003, roundTripTime: 0.04 + (n % 3) / 100, timestamp: ts - 300 },
    CP01: { type: 'candidate-pair', state: 'succeeded', nominated: true, localCandidateId: 'I1', remoteCandidateId: 'I2', currentRoundTripTime: 0.04, bytesSent: 64000 * k, bytesReceived: 64000 * k, timestamp: 0 },
    I1: { type: 'local-candidate', candidateType: 'host', protocol: 'udp', address: '192.0.2.10', port: 50000, networkType: 'ethernet', timestamp: 0 },
    I2: { type: 'remote-candidate', candidateType: 'srflx', protocol: 'udp', address: '198.51.100.20', port: 50001, timestamp: 0 },
    T01: { type: 'transport', selectedCandidatePairId: 'CP01', dtlsState: 'connected', timestamp: 0 },
    COT01_111: { type: 'codec', mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, sdpFmtpLine: 'minptime=10;useinbandfec=1', timestamp: 0 },
    CIT01_111: { type: 'codec', mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, sdpFmtpLine: 'minptime=10;useinbandfec=1', timestamp: 0 },
    COT01_96: { type: 'codec', mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, timestamp: 0 },
    CIT01_96: { type: 'codec', mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, timestamp: 0 },
  };
}

// The SDK's delta encoding: only reports and fields that changed since `prev`.
function delta(full, prev) {
  if (!prev) return full;
  const out = {};
  for (const [id, report] of Object.entries(full)) {
    const changed = {};
    for (const [key, value] of Object.entries(report)) {
      if (!prev[id] || JSON.stringify(prev[id][key]) !== JSON.stringify(value)) changed[key] = value;
    }
    if (Object.keys(changed).length) out[id] = changed;
  }
  return out;
}

const pack = (tuples) => LZString.compressToEncodedURIComponent(JSON.stringify(tuples));

// One simulated SDK page in a call. Survives socket drops (its own and the server's) by
// reconnecting like the SDK: same sessionId, newConnection=false, 1-4 s backoff, deltas
// continuing from what it sent before (frames that could not be sent are sent after).
class SimPeer {
  constructor(ctx, roomId, peerId, callMs) {
    this.ctx = ctx;
    this.roomId = roomId;
    this.peerId = peerId;
    this.callMs = callMs;
    this.sessionId = randomId('soak-', 12);
    this.prev = null;
    this.sample = 0;
    this.ws = null;
    this.queue = [];
    this.connections = 0;
    this.done = false;
  }

  async connect() {
    const { ctx } = this;
    while (!ctx.stopping) {
      const query = `?apiKey=${encodeURIComponent(ctx.srv.apiKey)}&timestamp=${Date.now()}&apiVersion=v1` +
        `&sessionId=${this.sessionId}&newConnection=${this.connections === 0}`;
      try {
        const { ws, reply } = await openSocket(ctx.srv.url, query, UA);
        if (reply.error) throw new Error(reply.error);
        this.ws = ws;
        this.connections++;
        ctx.stats.connects++;
        ws.on('error', () => {});
        ws.once('close', () => {
          if (this.ws === ws) this.ws = null;
          if (!this.done && !ctx.stopping) {
            ctx.stats.drops++;
            setTimeout(() => this.connect(), 1000 + ctx.rand() * 3000);
          }
        });
        if (this.connections === 1) {
          this.send(JSON.stringify(['watchrtc', null, { rtcRoomId: this.roomId, rtcPeerId: this.peerId, keys: { soak: ['1'] }, sdkVersion: '1.43.1' }, Date.now()]));
        }
        while (this.queue.length && this.ws) this.ws.send(this.queue.shift());
        return;
      } catch (err) {
        ctx.stats.connectErrors++;
        await sleep(1000 + ctx.rand() * 3000);
      }
    }
  }

  send(text) {
    if (this.ws && this.ws.readyState === 1) this.ws.send(text);
    else this.queue.push(text);
  }

  async run() {
    const start = Date.now();
    await this.connect();
    this.send(pack([
      ['create', 'PC_0', { iceServers: [], sdpSemantics: 'unified-plan' }, Date.now()],
      ['setLocalDescription', 'PC_0', { type: 'offer', sdp: 'v=0' }, Date.now()],
      ['onconnectionstatechange', 'PC_0', 'connected', Date.now() + 120],
    ]));
    while (Date.now() - start < this.callMs && !this.ctx.stopping) {
      await sleep(COLLECTION_MS);
      const ts = Date.now();
      const full = fullReports(this.sample++, ts);
      this.send(pack([['getstats', 'PC_0', { ...delta(full, this.prev), timestamp: ts }, ts]]));
      this.prev = full;
      this.ctx.stats.getstats++;
    }
    this.send(pack([['close', 'PC_0', {}, Date.now()]]));
    // Hang up once everything queued went out (after a reconnect if the socket is down).
    const deadline = Date.now() + 20000;
    while ((this.queue.length || !this.ws) && Date.now() < deadline) await sleep(200);
    this.done = true;
    if (this.ws) {
      await new Promise((resolve) => {
        this.ws.once('close', resolve);
        this.ws.close(1000);
        setTimeout(resolve, 5000);
      });
    }
  }

  // Cuts the socket without a closing handshake, as a network failure would.
  drop() {
    if (this.ws && !this.done) this.ws.terminate();
  }
}

// Runs calls of two peers back to back until the soak ends; records every room started.
async function roomSlot(ctx) {
  while (!ctx.stopping && Date.now() < ctx.endAt) {
    const roomId = randomId('soak-room-', 10);
    const callMs = 20000 + ctx.rand() * 70000;
    const peers = [new SimPeer(ctx, roomId, 'alice', callMs), new SimPeer(ctx, roomId, 'bob', callMs)];
    ctx.rooms.set(roomId, { started: Date.now() });
    ctx.live.push(...peers);
    await Promise.all(peers.map((p) => p.run()));
    ctx.live = ctx.live.filter((p) => !peers.includes(p));
    ctx.stats.callsDone++;
  }
}

function rssKiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function cpuTicks(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return null;
  }
}

function metric(text, name) {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : null;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.bin) process.env.RTCSTREAM_BIN = o.bin;
  const out = o.out || fs.mkdtempSync(path.join(os.tmpdir(), 'rtcstream-soak-'));
  fs.mkdirSync(out, { recursive: true });
  const log = (msg) => process.stderr.write(`${new Date().toISOString()} ${msg}\n`);

  const s3 = await startS3();
  const secretEnv = 'RTCSTREAM_SOAK_S3_SECRET';
  process.env[secretEnv] = s3.info.secretAccessKey;
  const config = path.join(out, 'rtcstream.toml');
  fs.writeFileSync(config, [
    `room_close_grace = "${CLOSE_GRACE_S}s"`,
    '[limits]',
    'max_connections_per_address = 100000',
    'max_connections = 100000',
    '[[project]]',
    'id = "default"',
    'api_keys = ["placeholder"]',
    `collection_interval = "${COLLECTION_MS / 1000}s"`,
    '[project.stream]',
    'sink = "s3"',
    `bucket = "${s3.bucket}"`,
    `endpoint = "${s3.info.endpoint}"`,
    `region = "${s3.info.region}"`,
    `access_key_id = "${s3.info.accessKeyId}"`,
    `secret_access_key = "env:${secretEnv}"`,
    `interval = "${o.windowS}s"`,
    'format = "ndjson"',
    'compression = "gzip"',
    '',
  ].join('\n'));
  const srv = await startRtcstream({ args: ['--config', config, '--log-level', 'warn'] });
  const rand = prng(o.seed);
  const ctx = { srv, rand, rooms: new Map(), live: [], stopping: false, endAt: Date.now() + o.minutes * 60000,
    stats: { connects: 0, drops: 0, connectErrors: 0, getstats: 0, callsDone: 0, injectedDrops: 0 } };
  const t0 = Date.now();
  const at = (min) => t0 + min * 60000;
  const events = [];
  const event = (what) => {
    events.push({ t_s: Math.round((Date.now() - t0) / 1000), what });
    log(what);
  };

  // Samples every 5 s: RSS, CPU, metrics.
  const samples = [];
  let lastCpu = null;
  const sampler = setInterval(async () => {
    const pid = srv.proc && srv.proc.pid;
    if (!pid) return;
    let text = '';
    try {
      const res = await fetch(`${srv.httpUrl}/metrics`, { signal: AbortSignal.timeout(3000) });
      text = await res.text();
    } catch { /* a restart in progress */ }
    const cpu = cpuTicks(pid);
    const tick = { t_s: (Date.now() - t0) / 1000, pid, rss_kib: rssKiB(pid), cpu_ticks: cpu,
      live_peers: ctx.live.length, open_rooms: metric(text, 'rtcstream_open_rooms'),
      journal_lag_s: metric(text, 'rtcstream_journal_lag_seconds'), getstats: ctx.stats.getstats };
    // /proc counts CPU time in clock ticks of 1/100 s on Linux.
    tick.cpu_pct = lastCpu && lastCpu.pid === pid ? (cpu - lastCpu.cpu) / (tick.t_s - lastCpu.t || 1) : null;
    lastCpu = { pid, cpu, t: tick.t_s };
    samples.push(tick);
  }, 5000);

  // Faults.
  const faults = (async () => {
    // Client drops: every 10 s about 1 % of the live peers lose their socket.
    const dropper = setInterval(() => {
      for (const p of ctx.live) {
        if (rand() < 0.01) {
          p.drop();
          ctx.stats.injectedDrops++;
        }
      }
    }, 10000);
    const waitUntil = async (t) => { while (Date.now() < t && !ctx.stopping) await sleep(500); };
    await waitUntil(at(Math.min(2.5, o.minutes * 0.25)));
    event('fault: SIGKILL rtcstream, restart');
    await srv.restart({ signal: 'SIGKILL' });
    event(`rtcstream back (pid ${srv.proc.pid})`);
    await waitUntil(at(Math.min(4, o.minutes * 0.4)));
    event('fault: S3 endpoint down');
    await s3.control({ mode: 'down' });
    await waitUntil(at(Math.min(5.5, o.minutes * 0.55)));
    await s3.control({ mode: 'ok' });
    event('S3 endpoint back');
    await waitUntil(ctx.endAt);
    clearInterval(dropper);
  })();

  // Ramp up: start the room slots over 20 s.
  const slots = [];
  for (let i = 0; i < o.peers / 2; i++) {
    slots.push(roomSlot(ctx));
    await sleep(20000 / (o.peers / 2));
  }
  event(`${o.peers} peers started`);
  const progress = setInterval(() => {
    const last = samples[samples.length - 1] || {};
    log(`live peers ${ctx.live.length}, rooms ${ctx.rooms.size}, getstats ${ctx.stats.getstats}, drops ${ctx.stats.drops}, ` +
      `rss ${last.rss_kib} KiB, open rooms ${last.open_rooms}, journal lag ${last.journal_lag_s}`);
  }, 30000);
  await Promise.all(slots);
  await faults;
  event('all calls ended');

  // Every room closes after the grace; its window is sealed at the window's end and delivered.
  const expected = [...ctx.rooms.keys()];
  const deadline = Date.now() + (CLOSE_GRACE_S + 2 * o.windowS + 60) * 1000;
  let counts = new Map();
  let objects = [];
  let bad = [];
  while (Date.now() < deadline) {
    await sleep(5000);
    objects = await readBucket(s3);
    counts = new Map();
    bad = [];
    for (const { key, body } of objects) {
      if (!key.endsWith('.ndjson.gz')) continue;
      for (const line of zlib.gunzipSync(body).toString('utf8').split('\n').filter(Boolean)) {
        const room = JSON.parse(line);
        counts.set(room.room_id, (counts.get(room.room_id) || 0) + 1);
        const ids = room.peers.map((p) => p.peer_id).sort().join(',');
        if (ids !== 'alice,bob') bad.push(`${room.room_id}: peers ${ids}`);
      }
    }
    if (expected.every((id) => counts.has(id))) break;
  }
  clearInterval(sampler);
  clearInterval(progress);
  ctx.stopping = true;

  const missing = expected.filter((id) => !counts.has(id));
  const duplicated = [...counts].filter(([, n]) => n > 1).map(([id, n]) => `${id} x${n}`);
  const unexpected = [...counts.keys()].filter((id) => !ctx.rooms.has(id));
  // RSS flatness over the last process's life after the faults: first vs last quarter.
  const lastPid = srv.proc.pid;
  const steady = samples.filter((s) => s.pid === lastPid && s.rss_kib && s.t_s > (at(Math.min(5.5, o.minutes * 0.55)) - t0) / 1000 && s.t_s < (ctx.endAt - t0) / 1000);
  const q = Math.max(1, Math.floor(steady.length / 4));
  const rssEarly = median(steady.slice(0, q).map((s) => s.rss_kib));
  const rssLate = median(steady.slice(-q).map((s) => s.rss_kib));
  const summary = {
    machine: `${os.cpus().length} x ${os.cpus()[0].model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    peers: o.peers, minutes: o.minutes, window_s: o.windowS,
    rooms_started: expected.length, rooms_delivered: counts.size, objects: objects.length,
    missing: missing.length, duplicated: duplicated.length, unexpected: unexpected.length, wrong_peers: bad.length,
    stats: ctx.stats, events,
    rss_kib: { steady_first_quarter_median: rssEarly, steady_last_quarter_median: rssLate,
      max: Math.max(...samples.filter((s) => s.rss_kib).map((s) => s.rss_kib)) },
    cpu_pct_median: median(samples.filter((s) => s.cpu_pct != null).map((s) => s.cpu_pct)),
    journal_lag_s_max: Math.max(0, ...samples.filter((s) => s.journal_lag_s != null).map((s) => s.journal_lag_s)),
    examples: { missing: missing.slice(0, 5), duplicated: duplicated.slice(0, 5), wrong_peers: bad.slice(0, 5) },
  };
  // Every frame the peers sent must have been accepted (deltas found their baselines across
  // drops and the restart).
  summary.rejected_frames_logged = (srv.log().match(/rejected SDK frame/g) || []).length;
  const ok = summary.rejected_frames_logged === 0 && missing.length === 0 && duplicated.length === 0 && unexpected.length === 0 && bad.length === 0 &&
    rssLate <= rssEarly * 1.15;
  summary.ok = ok;
  fs.writeFileSync(path.join(out, 'summary.json'), JSON.stringify(summary, null, 2));
  fs.writeFileSync(path.join(out, 'samples.csv'), ['t_s,pid,rss_kib,cpu_pct,live_peers,open_rooms,journal_lag_s,getstats',
    ...samples.map((s) => [s.t_s.toFixed(0), s.pid, s.rss_kib, s.cpu_pct == null ? '' : s.cpu_pct.toFixed(1), s.live_peers, s.open_rooms, s.journal_lag_s, s.getstats].join(','))].join('\n') + '\n');
  fs.writeFileSync(path.join(out, 'rtcstream.log'), srv.log());
  process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  await srv.stop();
  await s3.stop();
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  process.stderr.write(`soak failed: ${err.stack || err}\n`);
  process.exit(2);
});
