#!/usr/bin/env node
'use strict';
// A standalone recording server that speaks just enough of the watchRTC backend protocol for
// the real SDK to send everything it collects. Every frame is written, exactly as received,
// to a JSONL file. Used to produce tests/fixtures/sdk-recordings/.
//
// CLI:
//   node tools/record-server.js --out FILE.jsonl [--port 0] [--interval 8000]
//        [--send-interval 1] [--api-key KEY ...] [--project-id default]
//   Without --api-key every key is accepted.
//
// JSONL lines (one JSON object each; "t" is the server clock in ms since the epoch):
//   {"conn":n,"t":..,"event":"open","url":"/?apiKey=..","headers":{..},"protocol":"2.0","remote":".."}
//   {"conn":n,"t":..,"event":"reply","frame":"{\"connectionId\":..}"}      (what we sent)
//   {"conn":n,"t":..,"url":"/?apiKey=..","headers":{"user-agent":".."},"frame":"<raw text>"}
//   {"conn":n,"t":..,"event":"drop"}                                    (we terminated it)
//   {"conn":n,"t":..,"event":"close","code":1001,"reason":""}
//   {"conn":null,"t":..,"event":"http","method":"POST","url":"/trace","headers":{..},"body":"<raw>"}

const http = require('node:http');
const fs = require('node:fs');
const crypto = require('node:crypto');
const { WebSocketServer } = require('ws');

const PROTOCOL = '2.0';

function pickHeaders(h, names) {
  const out = {};
  for (const n of names) if (h[n] !== undefined) out[n] = h[n];
  return out;
}

/**
 * @param {object} o
 * @param {string} o.file              JSONL output path (appended to)
 * @param {number} [o.port=0]
 * @param {string} [o.host='127.0.0.1']
 * @param {number} [o.interval=8000]   'interval' in the reply (the SDK's getStats period, ms)
 * @param {number} [o.sendInterval=1]  'sendInterval' in the reply
 * @param {string[]} [o.apiKeys]       accepted keys (the part after ':'); empty = accept all
 * @param {string} [o.projectId='default']
 * @param {Function} [o.log]
 */
function startRecordServer(o) {
  const {
    file,
    port = 0,
    host = '127.0.0.1',
    interval = 8000,
    sendInterval = 1,
    apiKeys = [],
    projectId = 'default',
    log = () => {},
  } = o;
  if (!file) throw new Error('startRecordServer: file is required');
  const out = fs.createWriteStream(file, { flags: 'a' });
  const write = (obj) => out.write(JSON.stringify(obj) + '\n');
  const conns = new Map(); // n -> {n, ws, url, peerId, roomId, sessionId, open}
  let next = 1;

  const server = http.createServer((req, res) => {
    const cors = {
      'access-control-allow-origin': req.headers.origin || '*',
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': req.headers['access-control-request-headers'] || 'content-type',
      'access-control-max-age': '600',
      vary: 'origin',
    };
    const pathname = new URL(req.url, 'http://x').pathname;
    if (req.method === 'OPTIONS') {
      write({ conn: null, t: Date.now(), event: 'http', method: req.method, url: req.url,
        headers: pickHeaders(req.headers, ['origin', 'access-control-request-method', 'access-control-request-headers']) });
      res.writeHead(204, cors).end();
      return;
    }
    if (req.method === 'POST' && (pathname === '/trace' || pathname === '/error')) {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        write({ conn: null, t: Date.now(), event: 'http', method: req.method, url: req.url,
          headers: pickHeaders(req.headers, ['user-agent', 'origin', 'content-type']),
          body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end('{}');
      });
      return;
    }
    res.writeHead(pathname === '/health' ? 200 : 404, cors).end();
  });

  const wss = new WebSocketServer({
    server,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
  });

  wss.on('connection', (ws, req) => {
    const n = next++;
    const q = new URL(req.url, 'http://x').searchParams;
    const headers = pickHeaders(req.headers, ['user-agent']);
    const meta = { n, ws, url: req.url, peerId: null, roomId: null, sessionId: q.get('sessionId'), open: true };
    conns.set(n, meta);
    write({ conn: n, t: Date.now(), event: 'open', url: req.url,
      headers: pickHeaders(req.headers, ['user-agent', 'origin', 'sec-websocket-protocol']),
      protocol: ws.protocol, remote: req.socket.remoteAddress });

    const key = q.get('apiKey') || q.get('token') || '';
    let reply;
    if (apiKeys.length && !apiKeys.includes(key)) {
      reply = JSON.stringify({ error: 'Invalid apiKey' });
      log(`[record] conn ${n}: rejected key`);
    } else {
      reply = JSON.stringify({
        connectionId: crypto.randomUUID(),
        projectId,
        interval,
        sendInterval,
        collectConsoleLogEnabled: false,
        collectConsoleLogLevel: 'error',
      });
    }
    ws.send(reply); // exactly once per connection
    write({ conn: n, t: Date.now(), event: 'reply', frame: reply });

    ws.on('message', (data, isBinary) => {
      const frame = isBinary ? Buffer.from(data).toString('base64') : data.toString('utf8');
      const rec = { conn: n, t: Date.now(), url: req.url, headers, frame };
      if (isBinary) rec.binary = true;
      write(rec);
      if (!isBinary && frame.startsWith('["watchrtc"')) {
        try {
          const d = JSON.parse(frame)[2] || {};
          meta.peerId = d.rtcPeerId || null;
          meta.roomId = d.rtcRoomId || null;
          log(`[record] conn ${n}: room ${meta.roomId} peer ${meta.peerId}`);
        } catch (_) {
          /* keep recording */
        }
      }
    });
    ws.on('close', (code, reason) => {
      meta.open = false;
      write({ conn: n, t: Date.now(), event: 'close', code, reason: reason.toString('utf8') });
      log(`[record] conn ${n} (${meta.peerId}) closed ${code}`);
    });
    ws.on('error', (err) => write({ conn: n, t: Date.now(), event: 'error', message: String(err.message) }));
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const actual = server.address().port;
      log(`[record] listening on ws://${host}:${actual} -> ${file}`);
      resolve({
        port: actual,
        url: `ws://${host}:${actual}`,
        httpUrl: `http://${host}:${actual}`,
        connections: () => [...conns.values()].map(({ ws, ...rest }) => rest),
        /** Terminates (no close frame) every open socket for which pred(meta) is true. */
        drop(pred) {
          let count = 0;
          for (const m of conns.values()) {
            if (m.open && pred(m)) {
              write({ conn: m.n, t: Date.now(), event: 'drop' });
              m.ws.terminate();
              count++;
            }
          }
          return count;
        },
        close: () =>
          new Promise((r) => {
            for (const m of conns.values()) if (m.open) m.ws.terminate();
            wss.close(() => server.close(() => out.end(r)));
            server.closeAllConnections?.();
          }),
      });
    });
  });
}

function parseArgs(argv) {
  const o = { apiKeys: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--out') o.file = v();
    else if (a === '--port') o.port = Number(v());
    else if (a === '--host') o.host = v();
    else if (a === '--interval') o.interval = Number(v());
    else if (a === '--send-interval') o.sendInterval = Number(v());
    else if (a === '--api-key') o.apiKeys.push(v());
    else if (a === '--project-id') o.projectId = v();
    else if (a === '-h' || a === '--help') o.help = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

if (require.main === module) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(String(err.message));
    process.exit(2);
  }
  if (opts.help || !opts.file) {
    console.error('usage: record-server.js --out FILE.jsonl [--port 0] [--interval 8000] ' +
      '[--send-interval 1] [--api-key KEY ...] [--project-id default]');
    process.exit(opts.help ? 0 : 2);
  }
  startRecordServer({ ...opts, log: (m) => console.log(m) }).then((srv) => {
    console.log(`proxyUrl: ${srv.url}`);
    const stop = () => srv.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

module.exports = { startRecordServer };
