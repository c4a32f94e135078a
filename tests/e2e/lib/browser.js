'use strict';
// Launches one headless Chromium process (Debian's /usr/bin/chromium via playwright-core).

const { chromium } = require('playwright-core');

const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// Required on this machine; playwright's launch() adds a fresh --user-data-dir itself.
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];

/** Starts a separate Chromium process. Resolves the playwright Browser. */
async function launchChromium({ extraArgs = [], timeoutMs = 30000 } = {}) {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    timeout: timeoutMs,
  });
}

module.exports = { launchChromium, CHROMIUM_PATH, CHROMIUM_ARGS };
