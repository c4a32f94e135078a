'use strict';
// Replays a recording from tests/fixtures/sdk-recordings/ against a running rtcstream over
// real WebSockets and HTTP, as fast as the server answers: every socket is opened with the
// recorded URL and User-Agent, waits for the server's reply, then sends the recorded frames.

const fs = require('node:fs');
const path = require('node:path');
const WebSocket = require('ws');

const RECORDINGS = path.join(__dirname, '..', '..', 'fixtures', 'sdk-recordings');

function readRecording(name) {
  return fs
    .readFileSync(path.join(RECORDINGS, name), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/**
 * Opens an SDK-like socket; resolves {ws, reply} once the server's one reply arrived.
 * options.headers adds request headers (e.g. X-Forwarded-For); options.localAddress picks the
 * client address (any of 127/8 is loopback).
 */
function openSocket(serverUrl, query, userAgent, { headers = {}, localAddress } = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${serverUrl}/${query}`, '2.0', {
      headers: { ...(userAgent ? { 'user-agent': userAgent } : {}), ...headers },
      ...(localAddress ? { localAddress } : {}),
    });
    const timer = setTimeout(() => reject(new Error('no reply from server within 10 s')), 10000);
    ws.once('message', (data) => {
      clearTimeout(timer);
      resolve({ ws, reply: JSON.parse(data.toString()) });
    });
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * Replays `name` against serverUrl (ws://host:port). Returns the replies per connection.
 * Sockets are closed at the end (or where the recording closed them).
 */
async function replayRecording(serverUrl, name) {
  const sockets = new Map();
  const replies = new Map();
  const httpUrl = serverUrl.replace(/^ws/, 'http');
  for (const rec of readRecording(name)) {
    if (rec.event === 'open') {
      const query = rec.url.startsWith('/') ? rec.url.slice(1) : rec.url;
      const { ws, reply } = await openSocket(serverUrl, query, rec.headers && rec.headers['user-agent']);
      sockets.set(rec.conn, ws);
      replies.set(rec.conn, reply);
    } else if (rec.frame !== undefined && rec.event === undefined) {
      const ws = sockets.get(rec.conn);
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(rec.frame);
    } else if (rec.event === 'close' || rec.event === 'drop') {
      const ws = sockets.get(rec.conn);
      if (ws) {
        await new Promise((resolve) => {
          ws.once('close', resolve);
          if (rec.event === 'drop') ws.terminate();
          else ws.close(rec.code === 1006 || !rec.code ? 1000 : rec.code);
        });
        sockets.delete(rec.conn);
      }
    } else if (rec.event === 'http' && rec.method === 'POST') {
      await fetch(`${httpUrl}${rec.url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: rec.body,
      });
    }
  }
  for (const ws of sockets.values()) ws.close(1000);
  return replies;
}

module.exports = { replayRecording, openSocket, readRecording };
