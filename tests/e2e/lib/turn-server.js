'use strict';
// Starts Debian's coturn (`turnserver`) as a child process for the browser tests: loopback only,
// a random listening port, a random relay port range, one static long-term-credential user,
// no TLS/DTLS, no CLI. The system's /etc/turnserver.conf and the coturn service are not used:
// the server reads a config file of its own from a temp dir, and its user database lives there.

const { spawn } = require('node:child_process');
const dgram = require('node:dgram');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort, canConnect, sleep, randomId } = require('./util');

const TURNSERVER_BIN = process.env.TURNSERVER_BIN || '/usr/bin/turnserver';
const RELAY_PORTS = 200; // relay allocations: 2 per peer connection and call, plus retries
const LOG_LIMIT = 2 * 1024 * 1024;

/** A free UDP port on 127.0.0.1 that is also free for TCP (coturn listens on both). */
async function freeUdpTcpPort() {
  for (let i = 0; i < 20; i++) {
    const port = await freePort();
    const free = await new Promise((resolve) => {
      const sock = dgram.createSocket('udp4');
      sock.once('error', () => resolve(false));
      sock.bind(port, '127.0.0.1', () => sock.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no port free for both UDP and TCP on 127.0.0.1');
}

/**
 * Spawns turnserver and waits until its TCP listener accepts connections (the UDP listener is
 * set up before it).
 *
 * @param {object} [o]
 * @param {number} [o.startTimeoutMs=15000]
 * @returns {Promise<{port, username, credential, urls(transport, port?), iceServers(transport, port?),
 *          log(), stop()}>}
 */
async function startTurnServer(o = {}) {
  if (!fs.existsSync(TURNSERVER_BIN)) {
    throw new Error(`${TURNSERVER_BIN} not found: install coturn (scripts/install-deps.sh --with-browser)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtcstream-turn-'));
  const port = await freeUdpTcpPort();
  // A random relay range below the kernel's ephemeral ports (32768-60999), where freePort()
  // and the browsers' own sockets get theirs.
  const minPort = 10000 + Math.floor(Math.random() * 100) * RELAY_PORTS;
  const maxPort = minPort + RELAY_PORTS - 1;
  const username = 'e2e';
  const credential = randomId('', 12);
  const realm = 'rtcstream.test';
  const config = [
    `listening-ip=127.0.0.1`,
    `relay-ip=127.0.0.1`,
    `listening-port=${port}`,
    `min-port=${minPort}`,
    `max-port=${maxPort}`,
    'lt-cred-mech',
    'fingerprint',
    `user=${username}:${credential}`,
    `realm=${realm}`,
    `userdb=${path.join(dir, 'turndb')}`,
    `pidfile=${path.join(dir, 'turnserver.pid')}`,
    'allow-loopback-peers',
    'no-cli',
    'no-tls',
    'no-dtls',
    'no-multicast-peers',
    'no-software-attribute',
    'no-rfc5780',
    'no-stun-backward-compatibility',
    'simple-log',
    `log-file=stdout`,
    '',
  ].join('\n');
  const configFile = path.join(dir, 'turnserver.conf');
  fs.writeFileSync(configFile, config);

  let log = `=== ${new Date().toISOString()} $ ${TURNSERVER_BIN} -c ${configFile}\n${config}\n`;
  const append = (text) => {
    log += text;
    if (log.length > LOG_LIMIT) log = log.slice(-LOG_LIMIT);
  };
  const proc = spawn(TURNSERVER_BIN, ['-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let exit = null;
  const exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      exit = { code, signal };
      append(`\n=== ${new Date().toISOString()} turnserver exited code=${code} signal=${signal}\n`);
      resolve(exit);
    });
    proc.on('error', (err) => {
      exit = { code: null, signal: null, error: err.message };
      append(`\n=== spawn error: ${err.message}\n`);
      resolve(exit);
    });
  });
  // Never leave a turnserver behind, even when the test process ends abruptly.
  const killOnExit = () => {
    if (!exit) proc.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  exited.then(() => process.removeListener('exit', killOnExit));
  proc.stdout.on('data', (d) => append(d.toString('utf8')));
  proc.stderr.on('data', (d) => append(d.toString('utf8')));

  const turn = {
    host: '127.0.0.1',
    port,
    minPort,
    maxPort,
    username,
    credential,
    log: () => log,
    /** turn:127.0.0.1:PORT?transport=udp|tcp (PORT: this server's, or e.g. a forwarder's). */
    url: (transport, viaPort = port) => `turn:127.0.0.1:${viaPort}?transport=${transport}`,
    /** An RTCConfiguration that allows relay candidates only. */
    rtcConfiguration: (transport, viaPort = port) => ({
      iceServers: [{ urls: [turn.url(transport, viaPort)], username, credential }],
      iceTransportPolicy: 'relay',
    }),
    /** SIGTERM (SIGKILL after timeoutMs), then removes the temp dir. */
    stop: async ({ timeoutMs = 5000 } = {}) => {
      if (!exit) {
        proc.kill('SIGTERM');
        const done = await Promise.race([exited, sleep(timeoutMs).then(() => null)]);
        if (!done) {
          append(`\n=== turnserver did not exit ${timeoutMs} ms after SIGTERM: SIGKILL\n`);
          proc.kill('SIGKILL');
          await exited;
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + (o.startTimeoutMs || 15000);
  for (;;) {
    if (exit) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`turnserver exited during start-up (${JSON.stringify(exit)})\n${log}`);
    }
    if (await canConnect(port)) return turn;
    if (Date.now() > deadline) {
      await turn.stop();
      throw new Error(`turnserver did not accept connections on 127.0.0.1:${port}\n${log}`);
    }
    await sleep(100);
  }
}

module.exports = { startTurnServer, TURNSERVER_BIN };
