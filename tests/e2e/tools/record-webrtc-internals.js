#!/usr/bin/env node
'use strict';
// Records a real two-peer call between two headless Chromium processes and saves what
// chrome://webrtc-internals offers for it under "Create a WebRTC-Internals dump":
//
//   <out>/two-peer-call.json      the "webrtc-internals dump", "Compress result" unticked
//   <out>/two-peer-call.json.gz   the same button with "Compress result" ticked
//
//   node tools/record-webrtc-internals.js [--out DIR] [--duration-ms 20000]
//
// The internals page is opened in alice's Chromium before any RTCPeerConnection exists, so
// its update log holds every event with its real time. Both dumps are taken just before the
// hang-up (Chromium drops a closed connection from the page), one after the other, so the
// compressed one may hold a stats sample more. No watchRTC SDK runs in these pages.
// See tests/fixtures/webrtc-internals/README.md.

const fs = require('node:fs');
const path = require('node:path');
const { launchChromium } = require('../lib/browser');
const { startStaticServer } = require('../lib/static-server');
const { sleep, waitFor } = require('../lib/util');

const DEFAULT_OUT = path.resolve(__dirname, '../../fixtures/webrtc-internals');
const MEDIA = { audio: true, video: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 15 } } };
const log = (m) => console.log(`${new Date().toISOString()} ${m}`);

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

// Clicks the dump button of the internals page and returns the downloaded bytes.
async function download(page, compressed) {
  await page.evaluate((want) => {
    document.querySelector('details.peer-connection-dump-root').open = true;
    const box = document.getElementById('dump-checkbox');
    if (box.checked !== want) box.click();
  }, compressed);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#dump-click-target')]);
  return { name: dl.suggestedFilename(), bytes: fs.readFileSync(await dl.path()) };
}

async function main() {
  const out = path.resolve(arg('--out', DEFAULT_OUT));
  const durationMs = Number(arg('--duration-ms', '20000'));
  fs.mkdirSync(out, { recursive: true });
  const web = await startStaticServer();
  const browsers = [];
  try {
    const peers = [];
    for (const peerId of ['alice', 'bob']) {
      const browser = await launchChromium();
      browsers.push(browser);
      peers.push({ peerId, browser, page: await (await browser.newContext()).newPage() });
    }
    const [alice, bob] = peers;
    const internals = await (await alice.browser.newContext({ acceptDownloads: true })).newPage();
    await internals.goto('chrome://webrtc-internals');
    for (const p of peers) {
      await p.page.goto(`${web.url}/call.html`, { waitUntil: 'load' });
      await p.page.evaluate((m) => window.rtc.getMedia(m), MEDIA);
    }
    await alice.page.evaluate((id) => window.rtc.createPc(id), bob.peerId);
    await bob.page.evaluate((id) => window.rtc.createPc(id), alice.peerId);
    const offer = await alice.page.evaluate((id) => window.rtc.createOffer(id), bob.peerId);
    const answer = await bob.page.evaluate(([id, sdp]) => window.rtc.acceptOffer(id, sdp), [alice.peerId, offer]);
    await alice.page.evaluate(([id, sdp]) => window.rtc.acceptAnswer(id, sdp), [bob.peerId, answer]);
    const exchange = async () => {
      for (const [from, to] of [[alice, bob], [bob, alice]]) {
        const cands = await from.page.evaluate((id) => window.rtc.takeCandidates(id), to.peerId);
        if (cands.length) await to.page.evaluate(([id, l]) => window.rtc.addCandidates(id, l), [from.peerId, cands]);
      }
    };
    await waitFor(
      async () => {
        await exchange();
        const states = await Promise.all(peers.map((p) => p.page.evaluate(() => window.rtc.states())));
        return states.every((s) => Object.values(s).every((x) => x.connectionState === 'connected'));
      },
      { timeoutMs: 30000, intervalMs: 100, what: 'both peer connections to be connected' },
    );
    log(`connected; staying ${durationMs} ms`);
    await sleep(durationMs);
    for (const compressed of [false, true]) {
      const { name, bytes } = await download(internals, compressed);
      const target = path.join(out, compressed ? 'two-peer-call.json.gz' : 'two-peer-call.json');
      fs.writeFileSync(target, bytes);
      log(`saved ${name} (${bytes.length} bytes) as ${target}`);
    }
    await Promise.all(peers.map((p) => p.page.evaluate(() => window.rtc.hangup())));
  } finally {
    await Promise.all(browsers.map((b) => b.close().catch(() => {})));
    await web.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
