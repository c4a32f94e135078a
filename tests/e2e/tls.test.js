'use strict';
// Direct TLS: rtcstream serving wss:// and https:// with a certificate from a test CA made
// at test time (tests/e2e/lib/certs.js). A real SDK call in headless Chromium over wss://,
// the HTTP endpoints over https://, a certificate reload on SIGHUP (good and bad files),
// plain TCP and garbage on the TLS port, and start-up with unusable files.
//
//   RTCSTREAM_BIN=$PWD/build/rtcstream node --test --test-concurrency=1 tests/e2e/tls.test.js

const test = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const https = require('node:https');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const tls = require('node:tls');
const WebSocket = require('ws');

const { startRtcstream, rtcstreamBin } = require('./lib/server');
const { runCall } = require('./lib/call');
const { makeCa, makeServerCert } = require('./lib/certs');
const { freePort, sleep, randomId, waitFor } = require('./lib/util');

const SERVE_ARGS = ['--collection-interval', '2s', '--room-close-grace', '3s', '--stream-interval', '1m'];
const UA = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0 Safari/537.36';
const log = (m) => console.log(`${new Date().toISOString()} ${m}`);

/** A temp dir with a CA and one server certificate (serial 0A01, CN rtcstream-first). */
function setUpCerts() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtcstream-tls-'));
  const ca = makeCa(dir);
  const first = makeServerCert(dir, ca, { name: 'first', cn: 'rtcstream-first', serial: '0A01' });
  // The files rtcstream is configured with; the tests replace their contents.
  const certFile = path.join(dir, 'server.pem');
  const keyFile = path.join(dir, 'server.key');
  fs.copyFileSync(first.certFile, certFile);
  fs.copyFileSync(first.keyFile, keyFile);
  return { dir, ca, first, certFile, keyFile };
}

/** Replaces `target` atomically with `source`'s bytes (what a certificate renewal does). */
function replaceFile(target, source) {
  const tmp = `${target}.new`;
  fs.copyFileSync(source, tmp);
  fs.renameSync(tmp, target);
}

/** Runs fn(srv) with rtcstream; prints its output when fn fails. */
async function withServer(opts, fn) {
  const srv = await startRtcstream(opts);
  let failed = null;
  try {
    await fn(srv);
  } catch (err) {
    failed = err;
  } finally {
    await srv.stop({ keepData: !!failed });
  }
  if (failed) {
    const tail = srv.log().trimEnd().split('\n').slice(-80).join('\n');
    failed.message += `\n--- rtcstream output, last 80 lines ---\n${tail}`;
    throw failed;
  }
}

/** An HTTPS request that trusts only the test CA: {status, body, json}. */
function httpsRequest(port, ca, { method = 'GET', pathname, body, headers = {} }) {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, method, path: pathname, ca, headers, timeout: 10000 }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let json;
        try {
          json = JSON.parse(text);
        } catch (_) {
          json = undefined;
        }
        resolve({ status: res.statusCode, body: text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error('HTTPS request timed out')));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** The value of a Prometheus sample, e.g. 'rtcstream_tls_reloads_total{result="ok"}' (0 if absent). */
async function metric(port, ca, sample) {
  const res = await httpsRequest(port, ca, { pathname: '/metrics' });
  assert.equal(res.status, 200);
  const line = res.body.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}

/** Opens a TLS connection trusting the CA; resolves the server certificate it was shown. */
function peerCertificate(port, ca) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      resolve({ serial: cert.serialNumber.toUpperCase(), subject: cert.subject.CN });
    });
    socket.setTimeout(10000, () => socket.destroy(new Error('TLS connect timed out')));
    socket.on('error', reject);
  });
}

/** An SDK-like socket over wss:// (trusting the CA) that the server accepted. */
function openSdkSocket(port, ca, apiKey) {
  const query = `?apiKey=${encodeURIComponent(apiKey)}&timestamp=${Date.now()}&apiVersion=v1&sessionId=${randomId('tls-', 10)}&newConnection=true`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}/${query}`, '2.0', { ca, headers: { 'user-agent': UA } });
    ws.once('message', (data) => {
      const reply = JSON.parse(data.toString());
      if (reply.error) reject(new Error(`server rejected the socket: ${reply.error}`));
      else resolve(ws);
    });
    ws.once('error', reject);
  });
}

/** Resolves once the socket answered a ping. */
function pingPong(ws, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no pong')), timeoutMs);
    ws.once('pong', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.ping();
  });
}

/**
 * Connects over plain TCP, writes `bytes` (if any) and resolves what came back and how long
 * the server took to close the connection.
 */
function rawExchange(port, bytes, timeoutMs = 20000) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const chunks = [];
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      if (bytes) socket.write(bytes);
    });
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => {}); // a reset is a close too
    socket.on('close', () => resolve({ data: Buffer.concat(chunks), closedAfterMs: Date.now() - started }));
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`the server kept a non-TLS connection open for ${timeoutMs} ms`));
    });
  });
}

test('an SDK call over wss:// in Chromium, and the HTTP endpoints over https://', { timeout: 240000 }, async () => {
  const certs = setUpCerts();
  try {
    await withServer({ args: [...SERVE_ARGS, '--tls-cert', certs.certFile, '--tls-key', certs.keyFile] }, async (srv) => {
      const wss = `wss://127.0.0.1:${srv.port}`;
      await waitFor(async () => srv.log().includes('"proxy_url":"wss://127.0.0.1:'), { what: 'the start-up log' });
      assert.match(srv.log(), /serving TLS certificate.*"serial":"0A01"/);

      // (b) HTTPS, verified against the CA (the name 127.0.0.1 is in the certificate).
      const health = await httpsRequest(srv.port, certs.ca.pem, { pathname: '/healthz' });
      assert.equal(health.status, 200);
      assert.deepEqual(health.json, { status: 'ok' });
      const trace = await httpsRequest(srv.port, certs.ca.pem, {
        method: 'POST',
        pathname: '/trace',
        headers: { 'content-type': 'application/json', 'user-agent': UA },
        body: JSON.stringify({
          sessionId: randomId('http-', 10),
          projectId: srv.apiKey,
          rtcRoomId: 'https-room',
          rtcPeerId: 'https-peer',
          data: ['watchrtc', 'PC_0', { rtcRoomId: 'https-room', rtcPeerId: 'https-peer', sdkVersion: '1.43.1' }, Date.now()],
        }),
      });
      assert.equal(trace.status, 200, trace.body);
      assert.deepEqual(trace.json, {});
      const rooms = await httpsRequest(srv.port, certs.ca.pem, { pathname: '/rooms/none', headers: { authorization: `Bearer ${srv.accessToken}` } });
      assert.equal(rooms.status, 404);

      // (a) The real SDK in Chromium; Chromium trusts exactly this certificate's key.
      const roomId = randomId('tls-room-');
      const call = await runCall({
        serverUrl: wss,
        apiKey: srv.apiKey,
        roomId,
        peers: [{ peerId: 'alice' }, { peerId: 'bob' }],
        durationMs: 12000,
        collectionInterval: 2000,
        browserArgs: [`--ignore-certificate-errors-spki-list=${certs.first.spki}`],
        log,
      });
      for (const p of call.peers) assert.ok(p.sdkConnections >= 1, `${p.peerId}: the SDK never got the server's reply`);

      const from = new Date(call.startedAt.getTime() - 60000);
      const room = await waitFor(async () => {
        const exported = await srv.exportWindow({ from, to: new Date(Date.now() + 60000) });
        return exported.find((r) => r.room_id === roomId && r.end_time);
      }, { timeoutMs: 30000, intervalMs: 1000, what: `room ${roomId} to close` });
      assert.deepEqual(room.peers.map((p) => p.peer_id).sort(), ['alice', 'bob']);
      for (const p of room.peers) {
        for (const kind of ['audio', 'video']) {
          for (const dir of ['send', 'recv']) {
            const v = p.stats[kind][dir].bitrate;
            assert.ok(typeof v === 'number' && v > 0, `peer ${p.peer_id} ${kind} ${dir} bitrate = ${v}`);
          }
        }
      }
      assert.equal(await metric(srv.port, certs.ca.pem, 'rtcstream_connections_total'), 2);
    });
  } finally {
    fs.rmSync(certs.dir, { recursive: true, force: true });
  }
});

test('SIGHUP reloads the certificate; open sockets continue; bad files keep the old one', { timeout: 120000 }, async () => {
  const certs = setUpCerts();
  const config = path.join(certs.dir, 'rtcstream.toml');
  // The TOML [tls] table this time (the first test uses the flags).
  fs.writeFileSync(config, `[tls]\ncert_file = "${certs.certFile}"\nkey_file = "${certs.keyFile}"\nmin_version = "1.2"\n`);
  const second = makeServerCert(certs.dir, certs.ca, { name: 'second', cn: 'rtcstream-second', serial: '0B02' });
  const third = makeServerCert(certs.dir, certs.ca, { name: 'third', cn: 'rtcstream-third', serial: '0C03' });
  const ca = certs.ca.pem;
  try {
    await withServer({ args: ['--config', config] }, async (srv) => {
      assert.deepEqual(await peerCertificate(srv.port, ca), { serial: '0A01', subject: 'rtcstream-first' });
      assert.equal(await metric(srv.port, ca, 'rtcstream_tls_certificate_expiry_seconds'), certs.first.notAfterUnix);

      // An SDK socket opened before the reload.
      const before = await openSdkSocket(srv.port, ca, srv.apiKey);
      before.send(JSON.stringify(['watchrtc', 'PC_0', { rtcRoomId: 'reload-room', rtcPeerId: 'early', sdkVersion: '1.43.1' }, Date.now()]));

      // Renewal: new certificate and key in the same files, then SIGHUP.
      replaceFile(certs.certFile, second.certFile);
      replaceFile(certs.keyFile, second.keyFile);
      srv.proc.kill('SIGHUP');
      await waitFor(async () => /reloaded TLS certificate.*"serial":"0B02"/.test(srv.log()), { what: 'the reload log line' });
      assert.match(srv.log(), /reloaded TLS certificate.*"subject":"CN=rtcstream-second"/);
      assert.deepEqual(await peerCertificate(srv.port, ca), { serial: '0B02', subject: 'rtcstream-second' });
      assert.equal(await metric(srv.port, ca, 'rtcstream_tls_reloads_total{result="ok"}'), 1);
      assert.equal(await metric(srv.port, ca, 'rtcstream_tls_certificate_expiry_seconds'), second.notAfterUnix);

      // The socket from before the reload still works: pings, and frames are accepted.
      await pingPong(before);
      const accepted = await metric(srv.port, ca, 'rtcstream_frames_total{result="accepted"}');
      before.send(JSON.stringify(['onconnectionstatechange', 'PC_0', 'connected', Date.now()]));
      await waitFor(async () => (await metric(srv.port, ca, 'rtcstream_frames_total{result="accepted"}')) === accepted + 1,
        { what: 'the frame sent after the reload to be accepted' });

      // A damaged certificate file: the reload is refused with the reason, B02 stays.
      fs.writeFileSync(certs.certFile, '-----BEGIN CERTIFICATE-----\nbroken\n');
      srv.proc.kill('SIGHUP');
      await waitFor(async () => /TLS reload failed.*no PEM certificate/.test(srv.log()), { what: 'the failed reload log line' });
      assert.deepEqual(await peerCertificate(srv.port, ca), { serial: '0B02', subject: 'rtcstream-second' });

      // A certificate with another certificate's key: refused too.
      replaceFile(certs.certFile, third.certFile);
      srv.proc.kill('SIGHUP');
      await waitFor(async () => /TLS reload failed.*does not belong to the certificate/.test(srv.log()), { what: 'the mismatch log line' });
      assert.deepEqual(await peerCertificate(srv.port, ca), { serial: '0B02', subject: 'rtcstream-second' });
      assert.equal(await metric(srv.port, ca, 'rtcstream_tls_reloads_total{result="error"}'), 2);
      assert.equal(await metric(srv.port, ca, 'rtcstream_tls_certificate_expiry_seconds'), second.notAfterUnix);

      // Fixed: the third certificate with its own key.
      replaceFile(certs.keyFile, third.keyFile);
      srv.proc.kill('SIGHUP');
      await waitFor(async () => /reloaded TLS certificate.*"serial":"0C03"/.test(srv.log()), { what: 'the second reload' });
      assert.deepEqual(await peerCertificate(srv.port, ca), { serial: '0C03', subject: 'rtcstream-third' });
      await pingPong(before);
      before.close(1000);

      // Key material never reaches the log.
      for (const c of [certs.first, second, third]) {
        const body = c.keyPem.split('\n')[1];
        assert.ok(!srv.log().includes(body), 'a private key appears in the log');
      }
      assert.ok(!srv.log().includes('PRIVATE KEY'), 'a private key appears in the log');
    });
  } finally {
    fs.rmSync(certs.dir, { recursive: true, force: true });
  }
});

test('plain HTTP, garbage and silence on the TLS port are dropped and counted; others unaffected', { timeout: 60000 }, async () => {
  const certs = setUpCerts();
  const config = path.join(certs.dir, 'rtcstream.toml');
  fs.writeFileSync(config, `[tls]\ncert_file = "${certs.certFile}"\nkey_file = "${certs.keyFile}"\n[limits]\nhandshake_timeout = "2s"\n`);
  const ca = certs.ca.pem;
  try {
    await withServer({ args: ['--config', config] }, async (srv) => {
      const honest = await openSdkSocket(srv.port, ca, srv.apiKey);

      const plain = await rawExchange(srv.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      assert.ok(!plain.data.toString('latin1').startsWith('HTTP/'), 'a plain HTTP request got an HTTP answer on the TLS port');
      await rawExchange(srv.port, Buffer.from('\x16\x03\x01\xff\xff garbage that is not a client hello'.repeat(4), 'latin1'));
      // Silence: closed after the handshake timeout (2 s), not before.
      const silent = await rawExchange(srv.port, null);
      assert.ok(silent.closedAfterMs >= 1500 && silent.closedAfterMs < 10000, `closed after ${silent.closedAfterMs} ms`);

      assert.equal(await metric(srv.port, ca, 'rtcstream_tls_handshake_failures_total{reason="not_tls"}'), 1);
      assert.equal(await metric(srv.port, ca, 'rtcstream_tls_handshake_failures_total{reason="timeout"}'), 1);
      assert.equal(await metric(srv.port, ca, 'rtcstream_tls_handshake_failures_total{reason="protocol"}'), 1);

      // The honest socket and new clients are unaffected.
      await pingPong(honest);
      honest.close(1000);
      const health = await httpsRequest(srv.port, ca, { pathname: '/healthz' });
      assert.equal(health.status, 200);
    });
  } finally {
    fs.rmSync(certs.dir, { recursive: true, force: true });
  }
});

test('serve refuses to start with unusable TLS files, without printing the key', { timeout: 60000 }, async () => {
  const certs = setUpCerts();
  const other = makeServerCert(certs.dir, certs.ca, { name: 'other', cn: 'rtcstream-other', serial: '0D04' });
  const dataDir = path.join(certs.dir, 'data');
  const serve = (...tlsArgs) => new Promise((resolve) => {
    freePort().then((port) => {
      execFile(rtcstreamBin(), ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, ...tlsArgs],
        { timeout: 20000 }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, output: stdout + stderr }));
    });
  });
  try {
    const mismatch = await serve('--tls-cert', certs.certFile, '--tls-key', other.keyFile);
    assert.equal(mismatch.code, 1, mismatch.output);
    assert.match(mismatch.output, /does not belong to the certificate/);
    assert.ok(!mismatch.output.includes(other.keyPem.split('\n')[1]), 'the key appears in the output');

    const missing = await serve('--tls-cert', path.join(certs.dir, 'nope.pem'), '--tls-key', certs.keyFile);
    assert.equal(missing.code, 1, missing.output);
    assert.match(missing.output, /tls\.cert_file .*nope\.pem: cannot open: No such file or directory/);

    const keyOnly = await serve('--tls-key', certs.keyFile);
    assert.equal(keyOnly.code, 2, keyOnly.output);
    assert.match(keyOnly.output, /--tls-cert/);
  } finally {
    fs.rmSync(certs.dir, { recursive: true, force: true });
  }
});

test('without TLS the port speaks plain ws:// and http://, and SIGHUP does not stop it', { timeout: 30000 }, async () => {
  await withServer({}, async (srv) => {
    await waitFor(async () => srv.log().includes('"proxy_url":"ws://127.0.0.1:'), { what: 'the start-up log' });
    srv.proc.kill('SIGHUP');
    await waitFor(async () => srv.log().includes('SIGHUP ignored'), { what: 'the SIGHUP log line' });
    await sleep(200);
    const res = await srv.get('/healthz');
    assert.equal(res.status, 200);
  });
});
