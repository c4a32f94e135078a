#!/usr/bin/env node
'use strict';
// Writes the seed corpora of the fuzz targets from the recorded fixtures:
//
//   node fuzz/make-corpus.js OUT_DIR
//
// OUT_DIR/<target>/ gets one file per seed (named by its SHA-1, so re-runs are
// idempotent). Sources:
//   lzstring  the compressed frames of tests/fixtures/sdk-recordings/*.jsonl and
//             the compressed strings of tests/fixtures/lzstring/vectors.json
//   frame     every frame of the recordings (compressed and signalling)
//   delta     per recorded peer connection: its getstats data objects (one per
//             line, decompressed) and its connection events; per peer
//             connection of the rtcstats dumps the same, after a "removed" line
//   config    the TOML examples of README.md and docs/, and the TOML texts of
//             tests/unit/config_test.cpp
//   import    the rtcstats dumps (cut to whole lines), a gzip one, and the
//             webrtc-internals dump (each stat series cut to a few values)
// The rtcstats dumps are ../shared/fixtures/rtcstats-dumps/dumps (or
// $RTCSTATS_DUMPS_DIR); without them their seeds are skipped. Decompressing
// frames needs tests/e2e/node_modules/lz-string; without it the delta seeds of
// the recordings are skipped. Seeds are kept small (kMaxSeedBytes), so that
// libFuzzer's input length stays small and its runs fast.

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const kRepo = path.resolve(__dirname, '..');
const kMaxSeedBytes = 64 << 10;
// The webrtc-internals dump is one JSON object that cannot be cut by lines.
const kMaxImportSeedBytes = 128 << 10;
const kEventNames = new Set([
  'setLocalDescription',
  'setRemoteDescription',
  'onconnectionstatechange',
  'oniceconnectionstatechange',
  'close',
]);

function loadLzString() {
  try {
    return require(path.join(kRepo, 'tests/e2e/node_modules/lz-string'));
  } catch {
    return null;
  }
}

class Corpus {
  constructor(outDir) {
    this.outDir = outDir;
    this.counts = {};
  }

  add(target, content) {
    const buf = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    const max = target === 'import' ? kMaxImportSeedBytes : kMaxSeedBytes;
    if (buf.length === 0 || buf.length > max) return;
    const dir = path.join(this.outDir, target);
    fs.mkdirSync(dir, { recursive: true });
    const name = crypto.createHash('sha1').update(buf).digest('hex');
    fs.writeFileSync(path.join(dir, name), buf);
    this.counts[target] = (this.counts[target] || 0) + 1;
  }
}

// The first lines of `lines` (joined with '\n', each terminated) that fit in a seed.
function fitLines(lines, header = '') {
  let out = header;
  for (const line of lines) {
    if (Buffer.byteLength(out) + Buffer.byteLength(line) + 1 > kMaxSeedBytes) break;
    out += `${line}\n`;
  }
  return out;
}

function decodeFrame(lz, frame) {
  if (frame.startsWith('[')) return [JSON.parse(frame)];
  const text = lz.decompressFromEncodedURIComponent(frame);
  if (!text) throw new Error('LZString decompression failed');
  const v = JSON.parse(text);
  return Array.isArray(v) && typeof v[0] === 'string' ? [v] : v;
}

// Lines of a delta seed for each pc id, from tuples in the order they were sent.
function deltaLines(tuples) {
  const byPc = new Map();
  for (const [name, pcId, data, ts] of tuples) {
    if (typeof pcId !== 'string') continue;
    let line = null;
    if (name === 'getstats' && data && typeof data === 'object') {
      line = JSON.stringify(data);
    } else if (kEventNames.has(name)) {
      line = JSON.stringify([name, 'PC_0', data === undefined ? null : data, ts]);
    }
    if (line === null) continue;
    if (!byPc.has(pcId)) byPc.set(pcId, []);
    byPc.get(pcId).push(line);
  }
  return byPc;
}

function addRecordings(corpus, lz) {
  const dir = path.join(kRepo, 'tests/fixtures/sdk-recordings');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
    const records = fs
      .readFileSync(path.join(dir, file), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    const byConn = new Map();
    for (const rec of records) {
      if (typeof rec.frame !== 'string' || rec.event) continue;
      corpus.add('frame', rec.frame);
      if (!rec.frame.startsWith('[')) corpus.add('lzstring', rec.frame);
      if (!lz) continue;
      if (!byConn.has(rec.conn)) byConn.set(rec.conn, []);
      byConn.get(rec.conn).push(...decodeFrame(lz, rec.frame));
    }
    for (const tuples of byConn.values()) {
      for (const lines of deltaLines(tuples).values()) {
        corpus.add('delta', fitLines(lines));
        // A short one too: the full reports and the first deltas only.
        corpus.add('delta', fitLines(lines.slice(0, 4)));
      }
    }
  }
  if (!lz) console.error('make-corpus: no lz-string (npm ci in tests/e2e): no delta seeds from recordings');
}

function addLzVectors(corpus) {
  const file = path.join(kRepo, 'tests/fixtures/lzstring/vectors.json');
  if (!fs.existsSync(file)) return;
  for (const v of JSON.parse(fs.readFileSync(file, 'utf8')).vectors) {
    if (typeof v.compressed === 'string') corpus.add('lzstring', v.compressed);
  }
}

function addConfigs(corpus) {
  const docs = [path.join(kRepo, 'README.md')];
  const docsDir = path.join(kRepo, 'docs');
  for (const f of fs.readdirSync(docsDir).filter((f) => f.endsWith('.md'))) {
    docs.push(path.join(docsDir, f));
  }
  for (const file of docs) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/```toml\n([\s\S]*?)```/g)) corpus.add('config', m[1]);
  }
  const test = path.join(kRepo, 'tests/unit/config_test.cpp');
  if (fs.existsSync(test)) {
    for (const m of fs.readFileSync(test, 'utf8').matchAll(/R"\(([\s\S]*?)\)"/g)) {
      if (m[1].includes('=')) corpus.add('config', m[1]);
    }
  }
}

function addRtcstatsDumps(corpus) {
  const dir =
    process.env.RTCSTATS_DUMPS_DIR || path.resolve(kRepo, '../shared/fixtures/rtcstats-dumps/dumps');
  if (!fs.existsSync(dir)) {
    console.error(`make-corpus: ${dir} is absent: no rtcstats dump seeds`);
    return;
  }
  for (const file of fs.readdirSync(dir)) {
    const lines = fs.readFileSync(path.join(dir, file), 'utf8').split('\n').filter(Boolean);
    const head = fitLines(lines);
    corpus.add('import', head);
    if (file === 'firefox-relay') corpus.add('import', zlib.gzipSync(head));
    const tuples = [];
    for (const line of lines) {
      try {
        tuples.push(JSON.parse(line));
      } catch {
        // A truncated last line: not a seed.
      }
    }
    for (const pcLines of deltaLines(tuples).values()) {
      corpus.add('delta', fitLines(pcLines, 'removed\n'));
    }
  }
}

// The webrtc-internals dump made small enough for a seed: each stat series cut
// to its first values, without the page's derived series ("[bytesSent_in_bits/s]")
// and certificates, SDP cut short.
function addWebrtcInternals(corpus) {
  const file = path.join(kRepo, 'tests/fixtures/webrtc-internals/two-peer-call.json');
  if (!fs.existsSync(file)) return;
  const dump = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const keep of [1, 2]) {
    const copy = JSON.parse(JSON.stringify(dump));
    for (const pc of Object.values(copy.PeerConnections || {})) {
      for (const [name, series] of Object.entries(pc.stats || {})) {
        if (name.includes('[') || series.statsType === 'certificate') {
          delete pc.stats[name];
          continue;
        }
        try {
          series.values = JSON.stringify(JSON.parse(series.values).slice(0, keep));
        } catch {
          // Left as it is.
        }
      }
      for (const update of pc.updateLog || []) {
        if (typeof update.value === 'string') update.value = update.value.slice(0, 300);
      }
    }
    const text = JSON.stringify(copy);
    corpus.add('import', text);
    corpus.add('import', zlib.gzipSync(text));
  }
}

function main(argv) {
  if (argv.length !== 1) {
    console.error('usage: make-corpus.js OUT_DIR');
    process.exit(2);
  }
  const corpus = new Corpus(argv[0]);
  const lz = loadLzString();
  addRecordings(corpus, lz);
  addLzVectors(corpus);
  addConfigs(corpus);
  addRtcstatsDumps(corpus);
  addWebrtcInternals(corpus);
  const summary = Object.entries(corpus.counts)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');
  console.log(`make-corpus: ${summary}`);
}

main(process.argv.slice(2));
