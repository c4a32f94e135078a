'use strict';
// Starts the real rtcstream binary for the end-to-end tests.
//
// CLI contract used here:
//   rtcstream serve [--config FILE] [--listen HOST:PORT] [--data-dir DIR] [--api-key KEY]
//                   [--collection-interval DUR] [--stream-interval DUR]
//                   [--room-close-grace DUR] [--public-url URL]
//   rtcstream export --data-dir DIR --from ISO8601 --to ISO8601 [--project ID] [--out FILE]
//     (without --out: the JSON array of room structs on stdout)
// With only --api-key the project id is "default".

const { spawn, execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort, canConnect, sleep, randomId } = require('./util');

const REPO_ROOT = path.resolve(__dirname, '../../..');
const DEFAULT_BIN = path.join(REPO_ROOT, 'build', 'rtcstream');
const LOG_LIMIT = 4 * 1024 * 1024;

function rtcstreamBin() {
  return process.env.RTCSTREAM_BIN ? path.resolve(process.env.RTCSTREAM_BIN) : DEFAULT_BIN;
}

/**
 * Spawns `rtcstream serve --listen 127.0.0.1:<free port> --data-dir <tmp> --api-key <key> ...args`
 * and waits until the port accepts connections.
 *
 * @param {object} [o]
 * @param {string[]} [o.args]      extra serve arguments, e.g. ['--collection-interval', '2s']
 * @param {string}  [o.apiKey]     default: a random 'e2e-...' key
 * @param {string}  [o.dataDir]    default: a fresh temp dir (removed by stop() unless keepData)
 * @param {number}  [o.port]       default: a free port
 * @param {boolean} [o.keepData]   keep the data dir after stop()
 * @param {number}  [o.startTimeoutMs=15000]
 * @returns {Promise<RtcstreamServer>}
 */
async function startRtcstream(o = {}) {
  const bin = rtcstreamBin();
  if (!fs.existsSync(bin)) {
    throw new Error(`rtcstream binary not found at ${bin} (build it, or set RTCSTREAM_BIN)`);
  }
  const port = o.port || (await freePort());
  const ownDataDir = !o.dataDir;
  const dataDir = o.dataDir || fs.mkdtempSync(path.join(os.tmpdir(), 'rtcstream-e2e-'));
  const apiKey = o.apiKey || randomId('e2e-', 8);
  const accessToken = randomId('token-', 16); // the default project's HTTP API token
  const extra = o.args || [];
  const srv = {
    bin,
    port,
    host: '127.0.0.1',
    url: `ws://127.0.0.1:${port}`, // what the SDK gets as proxyUrl
    httpUrl: `http://127.0.0.1:${port}`,
    dataDir,
    apiKey,
    accessToken,
    args: ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--api-key', apiKey,
      '--access-token', accessToken, ...extra],
    proc: null,
    exit: null, // {code, signal} of the current process once it exited
    _log: '',
  };

  const append = (text) => {
    srv._log += text;
    if (srv._log.length > LOG_LIMIT) srv._log = srv._log.slice(-LOG_LIMIT);
  };

  /** stdout+stderr of every process started so far (restarts included). */
  srv.log = () => srv._log;

  srv.start = async ({ timeoutMs = o.startTimeoutMs || 15000 } = {}) => {
    if (srv.proc) throw new Error('rtcstream already running');
    append(`\n=== ${new Date().toISOString()} $ ${bin} ${srv.args.join(' ')}\n`);
    const proc = spawn(bin, srv.args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    srv.proc = proc;
    srv.exit = null;
    proc.stdout.on('data', (d) => append(d.toString('utf8')));
    proc.stderr.on('data', (d) => append(d.toString('utf8')));
    proc.exited = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        srv.exit = { code, signal };
        append(`\n=== ${new Date().toISOString()} rtcstream exited code=${code} signal=${signal}\n`);
        if (srv.proc === proc) srv.proc = null;
        resolve({ code, signal });
      });
      proc.on('error', (err) => {
        append(`\n=== spawn error: ${err.message}\n`);
        srv.exit = { code: null, signal: null, error: err };
        if (srv.proc === proc) srv.proc = null;
        resolve(srv.exit);
      });
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (srv.proc !== proc) {
        throw new Error(`rtcstream exited during start-up (${JSON.stringify(srv.exit)})\n${srv.log()}`);
      }
      if (await canConnect(port)) return srv;
      if (Date.now() > deadline) {
        await srv.stop({ keepData: true });
        throw new Error(`rtcstream did not accept connections on 127.0.0.1:${port} within ${timeoutMs} ms\n${srv.log()}`);
      }
      await sleep(100);
    }
  };

  /** SIGTERM, wait for the exit (SIGKILL after timeoutMs). Removes the temp data dir unless kept. */
  srv.stop = async ({ timeoutMs = 10000, keepData = false, signal = 'SIGTERM' } = {}) => {
    const proc = srv.proc;
    if (proc) {
      proc.kill(signal);
      const killed = await Promise.race([proc.exited, sleep(timeoutMs).then(() => null)]);
      if (!killed) {
        append(`\n=== rtcstream did not exit ${timeoutMs} ms after ${signal}: SIGKILL\n`);
        proc.kill('SIGKILL');
        await proc.exited;
      }
    }
    if (!keepData && ownDataDir && !o.keepData) {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    return srv.exit;
  };

  /** Stops the process (keeping the data dir) and starts it again on the same port. */
  srv.restart = async ({ downMs = 0, signal = 'SIGTERM' } = {}) => {
    await srv.stop({ keepData: true, signal });
    if (downMs) await sleep(downMs);
    return srv.start();
  };

  /**
   * `rtcstream export --data-dir DIR --from ISO --to ISO [--project P]`: the parsed JSON array.
   * from/to: Date, ms or ISO string.
   */
  srv.exportWindow = ({ from, to, project, timeoutMs = 30000 } = {}) => {
    const iso = (v) => new Date(v).toISOString();
    const args = ['export', '--data-dir', dataDir, '--from', iso(from), '--to', iso(to)];
    if (project) args.push('--project', project);
    return new Promise((resolve, reject) => {
      execFile(bin, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        const cmd = `${bin} ${args.join(' ')}`;
        if (err) {
          reject(new Error(`${cmd} failed: ${err.message}\nstderr:\n${stderr}\nstdout:\n${stdout.slice(0, 4000)}`));
          return;
        }
        let parsed;
        try {
          parsed = JSON.parse(stdout);
        } catch (e) {
          reject(new Error(`${cmd}: stdout is not JSON (${e.message}):\n${stdout.slice(0, 4000)}\nstderr:\n${stderr}`));
          return;
        }
        if (!Array.isArray(parsed)) {
          reject(new Error(`${cmd}: expected a JSON array, got ${typeof parsed}`));
          return;
        }
        resolve(parsed);
      });
    });
  };

  /** GET a path on the server's HTTP port; resolves {status, headers, body, json}. */
  srv.get = async (pathname, { timeoutMs = 10000, token = accessToken } = {}) => {
    const headers = token ? { authorization: `Bearer ${token}` } : {};
    const res = await fetch(`${srv.httpUrl}${pathname}`, { headers, signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.text();
    let json;
    try {
      json = JSON.parse(body);
    } catch (_) {
      json = undefined;
    }
    return { status: res.status, headers: Object.fromEntries(res.headers), body, json };
  };

  await srv.start();
  return srv;
}

module.exports = { startRtcstream, rtcstreamBin, REPO_ROOT };
