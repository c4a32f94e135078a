#!/usr/bin/env node
'use strict';
// Prints a recording made by record-server.js with every frame decoded into its tuples
// [name, pcId, data, clientTimestampMs].
//
//   node tools/decode-recording.js FILE.jsonl [--conn N] [--name NAME] [--full] [--json]
//
//   --conn N     only connection N
//   --name NAME  only tuples with this message name (repeatable)
//   --full       do not shorten long data (SDP, getstats)
//   --json       one JSON object per tuple: {conn, t, compressed, tuple}

const fs = require('node:fs');
const LZString = require('lz-string');

/**
 * Decodes one raw text frame sent by the SDK into a list of tuples.
 * Signalling messages are plain JSON (one tuple); everything else is an LZString
 * (compressToEncodedURIComponent) JSON array of tuples, or occasionally a single tuple.
 * Returns {compressed, tuples} or throws.
 */
function decodeFrame(frame) {
  if (frame.startsWith('[')) {
    const v = JSON.parse(frame);
    return { compressed: false, tuples: [v] };
  }
  const text = LZString.decompressFromEncodedURIComponent(frame);
  if (text === null || text === '') throw new Error('LZString decompression failed');
  const v = JSON.parse(text);
  const isTuple = Array.isArray(v) && typeof v[0] === 'string';
  return { compressed: true, tuples: isTuple ? [v] : v };
}

/** Reads a JSONL recording: array of records, frames decoded in `decoded`. */
function readRecording(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  return lines.map((line) => {
    const rec = JSON.parse(line);
    if (typeof rec.frame === 'string' && !rec.event && !rec.binary) {
      try {
        rec.decoded = decodeFrame(rec.frame);
      } catch (err) {
        rec.decodeError = err.message;
      }
    }
    return rec;
  });
}

function shorten(s, max) {
  return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
}

function main(argv) {
  const opts = { names: [], full: false, json: false, conn: null, file: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--conn') opts.conn = Number(argv[++i]);
    else if (a === '--name') opts.names.push(argv[++i]);
    else if (a === '--full') opts.full = true;
    else if (a === '--json') opts.json = true;
    else if (!opts.file) opts.file = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!opts.file) {
    console.error('usage: decode-recording.js FILE.jsonl [--conn N] [--name NAME] [--full] [--json]');
    process.exit(2);
  }
  const t0 = null;
  let first = t0;
  for (const rec of readRecording(opts.file)) {
    if (opts.conn !== null && rec.conn !== opts.conn) continue;
    if (first === null) first = rec.t;
    const rel = ((rec.t - first) / 1000).toFixed(3).padStart(8);
    if (rec.event) {
      if (opts.names.length) continue;
      if (opts.json) {
        console.log(JSON.stringify(rec));
      } else {
        const { conn, t, event, ...rest } = rec;
        console.log(`${rel}s conn=${conn} ## ${event} ${JSON.stringify(rest)}`);
      }
      continue;
    }
    if (rec.decodeError) {
      console.log(`${rel}s conn=${rec.conn} !! undecodable frame (${rec.decodeError}): ${shorten(rec.frame, 200)}`);
      continue;
    }
    for (const tuple of rec.decoded.tuples) {
      if (opts.names.length && !opts.names.includes(tuple[0])) continue;
      if (opts.json) {
        console.log(JSON.stringify({ conn: rec.conn, t: rec.t, compressed: rec.decoded.compressed, tuple }));
        continue;
      }
      const [name, pcId, data, ts] = tuple;
      const body = data === undefined ? 'undefined' : JSON.stringify(data);
      const mark = rec.decoded.compressed ? 'lz' : 'js';
      console.log(`${rel}s conn=${rec.conn} ${mark} ${name} ${pcId} ts=${ts} ${opts.full ? body : shorten(body, 400)}`);
    }
  }
}

if (require.main === module) main(process.argv.slice(2));

module.exports = { decodeFrame, readRecording };
