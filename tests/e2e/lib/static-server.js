'use strict';
// A tiny static HTTP server for the test page and the unmodified watchRTC SDK bundle.
// Listens on 127.0.0.1 on a random port.

const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

const PAGE_DIR = path.join(__dirname, 'page');
const SDK_BUNDLE = require.resolve('@testrtc/watchrtc-sdk'); // node_modules/.../lib/index.js
const SDK_VERSION = require('@testrtc/watchrtc-sdk/package.json').version;

const ROUTES = {
  '/': { file: path.join(PAGE_DIR, 'call.html'), type: 'text/html; charset=utf-8' },
  '/call.html': { file: path.join(PAGE_DIR, 'call.html'), type: 'text/html; charset=utf-8' },
  '/call.js': { file: path.join(PAGE_DIR, 'call.js'), type: 'text/javascript; charset=utf-8' },
  '/sdk/index.js': { file: SDK_BUNDLE, type: 'text/javascript; charset=utf-8' },
};

/** Starts the server. Resolves { url, port, close() }; url is the origin, e.g. http://127.0.0.1:41234 */
function startStaticServer({ host = '127.0.0.1', port = 0 } = {}) {
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url, 'http://x').pathname;
    const route = ROUTES[pathname];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (!route) {
      res.writeHead(pathname === '/favicon.ico' ? 204 : 404).end();
      return;
    }
    fs.readFile(route.file, (err, body) => {
      if (err) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
        return;
      }
      res.writeHead(200, {
        'content-type': route.type,
        'content-length': body.length,
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const actual = server.address().port;
      resolve({
        url: `http://${host}:${actual}`,
        port: actual,
        close: () =>
          new Promise((r) => {
            server.closeAllConnections?.();
            server.close(() => r());
          }),
      });
    });
  });
}

module.exports = { startStaticServer, SDK_BUNDLE, SDK_VERSION };
