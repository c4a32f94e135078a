'use strict';
// A UDP forwarder that impairs the path between clients and one UDP server (a TURN server in
// the tests): it listens on 127.0.0.1:<port>, gives every client address a socket of its own
// towards the server, and forwards datagrams both ways. Each direction drops datagrams with a
// given probability and delays the others by delayMs ± jitterMs (uniform), so datagrams can
// overtake each other as on a real jittery path. The random numbers come from a seeded PRNG per
// direction: the same seed drops and delays the same datagrams of a direction's sequence.
//
//   upstream:   client -> server (e.g. what a browser sends to its TURN server)
//   downstream: server -> client

const dgram = require('node:dgram');

/** mulberry32: a small, fast, seedable 32-bit PRNG. Returns a function giving [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NO_IMPAIRMENT = { loss: 0, delayMs: 0, jitterMs: 0 };

function checkImpairment(imp, what) {
  const v = { ...NO_IMPAIRMENT, ...(imp || {}) };
  if (!(v.loss >= 0 && v.loss <= 1)) throw new Error(`${what}.loss must be in [0, 1], got ${v.loss}`);
  if (!(v.delayMs >= 0)) throw new Error(`${what}.delayMs must be >= 0, got ${v.delayMs}`);
  if (!(v.jitterMs >= 0 && v.jitterMs <= v.delayMs)) {
    throw new Error(`${what}.jitterMs must be in [0, delayMs], got ${v.jitterMs}`);
  }
  return v;
}

function bindUdp(port, host) {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    sock.once('error', reject);
    sock.bind(port, host, () => {
      sock.removeListener('error', reject);
      resolve(sock);
    });
  });
}

/**
 * Starts a forwarder.
 *
 * @param {object} o
 * @param {number} o.targetPort        the server's UDP port
 * @param {string} [o.targetHost='127.0.0.1']
 * @param {number} [o.port=0]          listening port (0: the kernel picks one)
 * @param {{loss?:number, delayMs?:number, jitterMs?:number}} [o.upstream]   client -> server
 * @param {{loss?:number, delayMs?:number, jitterMs?:number}} [o.downstream] server -> client
 * @param {number} [o.seed=1]
 * @returns {Promise<{port, stats(), close()}>} stats(): per direction {received, dropped, forwarded}
 */
async function startImpairedUdpForwarder(o) {
  const targetHost = o.targetHost || '127.0.0.1';
  const targetPort = o.targetPort;
  if (!targetPort) throw new Error('startImpairedUdpForwarder needs targetPort');
  const seed = o.seed ?? 1;
  const direction = (imp, what, dirSeed) =>
    ({ imp: checkImpairment(imp, what), random: mulberry32(dirSeed), received: 0, dropped: 0, forwarded: 0 });
  const dirs = {
    upstream: direction(o.upstream, 'upstream', seed),
    downstream: direction(o.downstream, 'downstream', seed ^ 0x9e3779b9),
  };
  const timers = new Set();
  const clients = new Map(); // "ip:port" -> socket towards the server
  let closed = false;

  const listener = await bindUdp(o.port || 0, '127.0.0.1');

  // Decides the datagram's fate at once (so the PRNG sequence does not depend on timing), then
  // sends it after its delay.
  function pass(dir, send) {
    const d = dirs[dir];
    d.received++;
    if (d.imp.loss > 0 && d.random() < d.imp.loss) {
      d.dropped++;
      return;
    }
    const delay = d.imp.delayMs + (d.imp.jitterMs ? (2 * d.random() - 1) * d.imp.jitterMs : 0);
    if (delay <= 0) {
      d.forwarded++;
      send();
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (closed) return;
      d.forwarded++;
      send();
    }, delay);
    timers.add(timer);
  }

  function upstreamSocketFor(rinfo) {
    const key = `${rinfo.address}:${rinfo.port}`;
    let sock = clients.get(key);
    if (sock) return sock;
    sock = dgram.createSocket('udp4');
    sock.bind(0, '127.0.0.1');
    sock.on('message', (msg) => {
      pass('downstream', () => listener.send(msg, rinfo.port, rinfo.address, () => {}));
    });
    sock.on('error', () => {}); // e.g. ICMP port unreachable once a client is gone
    clients.set(key, sock);
    return sock;
  }

  listener.on('message', (msg, rinfo) => {
    const sock = upstreamSocketFor(rinfo);
    pass('upstream', () => sock.send(msg, targetPort, targetHost, () => {}));
  });
  listener.on('error', () => {});

  const stats = () => {
    const out = { clients: clients.size };
    for (const [name, d] of Object.entries(dirs)) {
      out[name] = { ...d.imp, received: d.received, dropped: d.dropped, forwarded: d.forwarded };
    }
    return out;
  };

  return {
    host: '127.0.0.1',
    port: listener.address().port,
    stats,
    /** Stops forwarding, cancels the datagrams still in flight and closes every socket. */
    close: async () => {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const socks = [listener, ...clients.values()];
      await Promise.all(socks.map((s) => new Promise((resolve) => {
        try {
          s.close(resolve);
        } catch (_) {
          resolve(); // not bound yet or already closed
        }
      })));
    },
  };
}

module.exports = { startImpairedUdpForwarder, mulberry32 };
