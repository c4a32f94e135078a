'use strict';
// Assertions on the room structs rtcstream exports (the data-streams seed's structure, see
// /work/shared/spec/data-streams-seed.txt and metric-definitions.md):
//
//   { room_url, room_id, start_time, end_time, duration, users,
//     stats: { mos, score, call_setup_time, audio{send,recv,bitrate,packet_loss,jitter}, video{...} },
//     peers: [ { peer_id, os, os_version, browser, browser_version,
//                location{city,country,organization}, sdk_version, start_time, duration,
//                keys{}, features{connection_type, media_transport},
//                stats{ mos, score, call_setup_time, audio{...}, video{...} },
//                audio_device, video_device } ] }
//
// Every field is always present; an unknown value is null. Times are ISO 8601 UTC with
// milliseconds and 'Z'. Integers: bitrate, jitter, rtt, call_setup_time, duration.
// One decimal: packet_loss, score. Two decimals: mos.

const assert = require('node:assert/strict');

const ISO_MS_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

// Per-field rounding rules (by field name).
const INTEGER_FIELDS = new Set(['bitrate', 'jitter', 'rtt', 'call_setup_time', 'duration', 'users']);
const ONE_DECIMAL_FIELDS = new Set(['packet_loss', 'score']);
const TWO_DECIMAL_FIELDS = new Set(['mos']);

// Direction objects, exactly as the seed lists them.
const ROOM_SEND = ['bitrate', 'packet_loss', 'jitter', 'rtt'];
const ROOM_RECV = ['bitrate', 'packet_loss', 'jitter'];
const PEER_AUDIO_SEND = ['mos', 'score', 'bitrate', 'packet_loss', 'jitter', 'rtt'];
const PEER_AUDIO_RECV = ['mos', 'score', 'bitrate', 'packet_loss', 'jitter'];
const PEER_VIDEO_SEND = ['mos', 'bitrate', 'packet_loss', 'jitter', 'rtt'];
const PEER_VIDEO_RECV = ['mos', 'bitrate', 'packet_loss', 'jitter'];
const KIND_FIELDS = ['bitrate', 'packet_loss', 'jitter'];

function has(obj, key, where) {
  assert.ok(obj !== null && typeof obj === 'object' && !Array.isArray(obj), `${where} must be an object`);
  assert.ok(Object.prototype.hasOwnProperty.call(obj, key), `${where}.${key} is missing`);
  return obj[key];
}

function assertRounded(name, v, where) {
  if (v === null) return;
  assert.equal(typeof v, 'number', `${where} must be a number or null, got ${JSON.stringify(v)}`);
  assert.ok(Number.isFinite(v), `${where} must be finite, got ${v}`);
  if (INTEGER_FIELDS.has(name)) assert.ok(Number.isInteger(v), `${where} must be an integer, got ${v}`);
  if (ONE_DECIMAL_FIELDS.has(name)) {
    assert.equal(Math.round(v * 10) / 10, v, `${where} must have at most one decimal, got ${v}`);
  }
  if (TWO_DECIMAL_FIELDS.has(name)) {
    assert.equal(Math.round(v * 100) / 100, v, `${where} must have at most two decimals, got ${v}`);
  }
}

function numberOrNull(obj, key, where) {
  const v = has(obj, key, where);
  assertRounded(key, v, `${where}.${key}`);
  return v;
}

function stringOrNull(obj, key, where) {
  const v = has(obj, key, where);
  assert.ok(v === null || typeof v === 'string', `${where}.${key} must be a string or null, got ${JSON.stringify(v)}`);
  return v;
}

function isoTime(obj, key, where, { nullable = false } = {}) {
  const v = has(obj, key, where);
  if (nullable && v === null) return v;
  assert.equal(typeof v, 'string', `${where}.${key} must be an ISO string, got ${JSON.stringify(v)}`);
  assert.match(v, ISO_MS_Z, `${where}.${key} must be ISO 8601 UTC with milliseconds and Z`);
  assert.ok(!Number.isNaN(Date.parse(v)), `${where}.${key} must be a valid time`);
  return v;
}

function assertKind(kindObj, sendFields, recvFields, where) {
  const send = has(kindObj, 'send', where);
  const recv = has(kindObj, 'recv', where);
  for (const f of sendFields) numberOrNull(send, f, `${where}.send`);
  for (const f of recvFields) numberOrNull(recv, f, `${where}.recv`);
  for (const f of KIND_FIELDS) numberOrNull(kindObj, f, where);
}

function assertStats(stats, where, { peer }) {
  numberOrNull(stats, 'mos', where);
  numberOrNull(stats, 'score', where);
  numberOrNull(stats, 'call_setup_time', where);
  if (peer) {
    assertKind(has(stats, 'audio', where), PEER_AUDIO_SEND, PEER_AUDIO_RECV, `${where}.audio`);
    assertKind(has(stats, 'video', where), PEER_VIDEO_SEND, PEER_VIDEO_RECV, `${where}.video`);
  } else {
    assertKind(has(stats, 'audio', where), ROOM_SEND, ROOM_RECV, `${where}.audio`);
    assertKind(has(stats, 'video', where), ROOM_SEND, ROOM_RECV, `${where}.video`);
  }
}

/** Every field of the seed's peer struct is present with the right type. */
function assertPeerSchema(peer, where = 'peer') {
  const pid = has(peer, 'peer_id', where);
  assert.equal(typeof pid, 'string', `${where}.peer_id must be a string`);
  for (const f of ['os', 'os_version', 'browser', 'browser_version', 'sdk_version', 'audio_device', 'video_device']) {
    stringOrNull(peer, f, where);
  }
  const loc = has(peer, 'location', where);
  for (const f of ['city', 'country', 'organization']) stringOrNull(loc, f, `${where}.location`);
  isoTime(peer, 'start_time', where);
  numberOrNull(peer, 'duration', where);
  const keys = has(peer, 'keys', where);
  assert.ok(keys !== null && typeof keys === 'object' && !Array.isArray(keys), `${where}.keys must be an object`);
  for (const [k, v] of Object.entries(keys)) {
    const ok = typeof v === 'string' || (Array.isArray(v) && v.length > 1 && v.every((x) => typeof x === 'string'));
    assert.ok(ok, `${where}.keys.${k} must be a string (one value) or an array of 2+ strings, got ${JSON.stringify(v)}`);
  }
  const features = has(peer, 'features', where);
  stringOrNull(features, 'connection_type', `${where}.features`);
  stringOrNull(features, 'media_transport', `${where}.features`);
  assertStats(has(peer, 'stats', where), `${where}.stats`, { peer: true });
}

// The published JSON Schema (docs/room.schema.json), checked with a real validator so that the
// document stays true.
const Ajv2020 = require('ajv/dist/2020');
const addFormats = require('ajv-formats');
const ROOM_SCHEMA = require('../../../docs/room.schema.json');
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
const validateRoom = ajv.compile(ROOM_SCHEMA);

/** Every field of the seed's room struct (and of each of its peers) is present with the right type. */
function assertRoomSchema(room) {
  const where = `room(${room && room.room_id})`;
  assert.ok(validateRoom(room), `${where} does not match docs/room.schema.json: ${ajv.errorsText(validateRoom.errors)}`);
  stringOrNull(room, 'room_url', where);
  const rid = has(room, 'room_id', where);
  assert.equal(typeof rid, 'string', `${where}.room_id must be a string`);
  const start = isoTime(room, 'start_time', where);
  const end = isoTime(room, 'end_time', where);
  assert.ok(Date.parse(end) >= Date.parse(start), `${where}: end_time ${end} before start_time ${start}`);
  const duration = numberOrNull(room, 'duration', where);
  assert.notEqual(duration, null, `${where}.duration must be known`);
  const expected = (Date.parse(end) - Date.parse(start)) / 1000;
  assert.ok(Math.abs(duration - expected) <= 1, `${where}.duration ${duration} != end - start (${expected.toFixed(3)} s)`);
  const users = numberOrNull(room, 'users', where);
  assertStats(has(room, 'stats', where), `${where}.stats`, { peer: false });
  const peers = has(room, 'peers', where);
  assert.ok(Array.isArray(peers), `${where}.peers must be an array`);
  assert.equal(users, new Set(peers.map((p) => p.peer_id)).size, `${where}.users must be the number of distinct peer ids`);
  peers.forEach((p, i) => assertPeerSchema(p, `${where}.peers[${i}](${p && p.peer_id})`));
}

// ---- value checks for a clean call between local Chromium peers ----

const PLAUSIBLE = {
  audio: { min: 5, max: 200 }, // kbit/s
  video: { min: 20, max: 5000 },
};

function inRange(v, min, max, what, { minExclusive = false } = {}) {
  assert.equal(typeof v, 'number', `${what} must be a number, got ${JSON.stringify(v)}`);
  const lowOk = minExclusive ? v > min : v >= min;
  assert.ok(lowOk && v <= max, `${what} = ${v} not in ${minExclusive ? '(' : '['}${min}, ${max}]`);
}

function mean(values) {
  const xs = values.filter((v) => typeof v === 'number');
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

/**
 * Peer-level values of a clean local call: media flowed both ways for audio and video,
 * plausible bitrates, mos/score in range, direct UDP, setup time known.
 * @param {object} [o.bitrate] override PLAUSIBLE ranges, e.g. for a mesh: {audio:{min,max}, video:{...}}
 */
function assertCleanPeerStats(peer, o = {}) {
  const where = `peer ${peer.peer_id}`;
  const ranges = { ...PLAUSIBLE, ...(o.bitrate || {}) };
  const s = peer.stats;
  inRange(s.mos, 1, 5, `${where} stats.mos`);
  inRange(s.score, 0, 10, `${where} stats.score`);
  inRange(s.call_setup_time, 0, 10000, `${where} stats.call_setup_time`, { minExclusive: true });
  for (const kind of ['audio', 'video']) {
    const k = s[kind];
    for (const dir of ['send', 'recv']) {
      const d = k[dir];
      const w = `${where} stats.${kind}.${dir}`;
      inRange(d.bitrate, ranges[kind].min, ranges[kind].max, `${w}.bitrate (kbit/s)`);
      inRange(d.packet_loss, 0, 5, `${w}.packet_loss (%)`);
      inRange(d.jitter, 0, 100, `${w}.jitter (ms)`);
      inRange(d.mos, 1, 5, `${w}.mos`);
      if (kind === 'audio') inRange(d.score, 0, 10, `${w}.score`);
      if (dir === 'send') inRange(d.rtt, 0, 500, `${w}.rtt (ms)`);
    }
    // Kind-level values are the mean of send and recv (rounded).
    assert.ok(Math.abs(k.bitrate - (k.send.bitrate + k.recv.bitrate) / 2) <= 1,
      `${where} stats.${kind}.bitrate ${k.bitrate} != mean(send ${k.send.bitrate}, recv ${k.recv.bitrate})`);
    assert.ok(Math.abs(k.packet_loss - (k.send.packet_loss + k.recv.packet_loss) / 2) <= 0.1 + 1e-9,
      `${where} stats.${kind}.packet_loss ${k.packet_loss} != mean(send, recv)`);
    assert.ok(Math.abs(k.jitter - (k.send.jitter + k.recv.jitter) / 2) <= 1,
      `${where} stats.${kind}.jitter ${k.jitter} != mean(send, recv)`);
  }
  assert.equal(peer.features.connection_type, 'direct', `${where} features.connection_type`);
  assert.equal(peer.features.media_transport, 'udp', `${where} features.media_transport`);
}

/** Room-level values: known, in range, and the mean of the peers' values. */
function assertRoomAggregates(room) {
  const where = `room ${room.room_id}`;
  const s = room.stats;
  inRange(s.mos, 1, 5, `${where} stats.mos`);
  inRange(s.score, 0, 10, `${where} stats.score`);
  inRange(s.call_setup_time, 0, 10000, `${where} stats.call_setup_time`, { minExclusive: true });
  const close = (v, peerValues, tol, what) => {
    const m = mean(peerValues);
    assert.ok(typeof v === 'number' && Math.abs(v - m) <= tol, `${where} ${what} = ${v}, mean of peers = ${m}`);
  };
  close(s.mos, room.peers.map((p) => p.stats.mos), 0.02, 'stats.mos');
  close(s.score, room.peers.map((p) => p.stats.score), 0.1 + 1e-9, 'stats.score');
  close(s.call_setup_time, room.peers.map((p) => p.stats.call_setup_time), 1, 'stats.call_setup_time');
  for (const kind of ['audio', 'video']) {
    for (const dir of ['send', 'recv']) {
      const fields = dir === 'send' ? ROOM_SEND : ROOM_RECV;
      for (const f of fields) {
        const tol = f === 'packet_loss' ? 0.1 + 1e-9 : 1;
        close(s[kind][dir][f], room.peers.map((p) => p.stats[kind][dir][f]), tol, `stats.${kind}.${dir}.${f}`);
      }
      assert.ok(s[kind][dir].bitrate > 0, `${where} stats.${kind}.${dir}.bitrate must be > 0`);
    }
  }
}

module.exports = {
  assertRoomSchema,
  assertPeerSchema,
  assertCleanPeerStats,
  assertRoomAggregates,
  PLAUSIBLE,
  ISO_MS_Z,
};
