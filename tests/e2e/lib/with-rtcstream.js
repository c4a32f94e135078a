'use strict';
// What the browser tests share around one rtcstream: start it, run the test, keep the
// artifacts of a failure, and wait for the room a call made.

const fs = require('node:fs');
const path = require('node:path');

const { startRtcstream } = require('./server');
const { sleep } = require('./util');

const OUT_DIR = path.join(__dirname, '..', 'out');
const LOG_TAIL_LINES = 150;
const log = (m) => console.log(`${new Date().toISOString()} ${m}`);

/**
 * Runs fn(srv, artifacts) with a fresh rtcstream. On failure: prints rtcstream's log, appends
 * its tail to the error, and saves the log and artifacts under tests/e2e/out/<name>/.
 */
async function withRtcstream(name, opts, fn) {
  const artifacts = {};
  const srv = await startRtcstream(opts);
  log(`[${name}] rtcstream on ${srv.url}, data dir ${srv.dataDir}`);
  let failed = null;
  try {
    await fn(srv, artifacts);
  } catch (err) {
    failed = err;
  } finally {
    await srv.stop({ keepData: !!failed });
  }
  const dir = path.join(OUT_DIR, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'rtcstream.log'), srv.log());
  for (const [file, value] of Object.entries(artifacts)) {
    fs.writeFileSync(path.join(dir, file), typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  }
  if (failed) {
    console.error(`\n===== rtcstream output (${name}) =====\n${srv.log()}\n===== end of rtcstream output =====`);
    const tail = srv.log().trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n');
    failed.message += `\n--- rtcstream output, last ${LOG_TAIL_LINES} lines (full log and data: ${dir}; data dir kept: ${srv.dataDir}) ---\n${tail}`;
    throw failed;
  }
}

/**
 * Polls `rtcstream export` over [from - 1 min, now + 1 min] until a room with roomId that has
 * an end_time shows up (the room closes after its last peer left + the close grace), then
 * exports once more after settleMs so that late duplicates would be seen too.
 */
async function waitForClosedRoom(srv, { roomId, from, timeoutMs = 30000, settleMs = 2000 }) {
  const window = () => ({ from: new Date(from.getTime() - 60000), to: new Date(Date.now() + 60000) });
  const deadline = Date.now() + timeoutMs;
  let last = null;
  for (;;) {
    last = await srv.exportWindow(window());
    if (last.some((r) => r && r.room_id === roomId && r.end_time)) break;
    if (Date.now() > deadline) {
      throw new Error(`no closed room '${roomId}' in the export after ${timeoutMs} ms; last export: ${JSON.stringify(last).slice(0, 2000)}`);
    }
    await sleep(1000);
  }
  await sleep(settleMs);
  const w = window();
  return { rooms: await srv.exportWindow(w), window: w };
}

module.exports = { withRtcstream, waitForClosedRoom, log, OUT_DIR };
