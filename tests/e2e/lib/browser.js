'use strict';
// Launches one headless browser process per peer:
//   'chromium'  Debian's /usr/bin/chromium through playwright-core (CDP);
//   'firefox'   Debian's /usr/bin/firefox-esr through puppeteer-core (WebDriver BiDi, which
//               Firefox ESR speaks natively; playwright's Firefox needs its own patched build).
// Both resolve an object with newPage() and close(); the pages they make offer what the
// harness uses (evaluate with one argument, goto, close, the 'console' and 'pageerror' events).

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');
const puppeteer = require('puppeteer-core');

const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const FIREFOX_PATH = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';
const BROWSERS = ['chromium', 'firefox'];

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

// Written to the user.js of every fresh Firefox profile, on top of the preferences puppeteer
// sets for automation (which already turn off safe browsing, search and add-on updates, the
// new tab page, health reports and Normandy). These select the fake devices (a 1 kHz tone and a
// test picture of the size the page asks for), grant media access without a prompt,
// keep ICE's host candidates plain, and keep every background network feature off: a test
// browser talks to this machine only.
const NOWHERE = 'http://127.0.0.1:9/'; // the discard port: refused at once
const FIREFOX_PREFS = {
  // Media: fake camera and microphone, no permission prompt, autoplay allowed.
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.getusermedia.fake-camera-name': 'Fake Firefox Camera',
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
  // WebRTC: plain host candidates (no mDNS names, which Chromium would have to resolve).
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  // Updates of the browser, add-ons, plugins (OpenH264, Widevine) and system add-ons.
  'app.update.auto': false,
  'app.update.checkInstallTime': false,
  'app.update.disabledForTesting': true,
  'app.update.staging.enabled': false,
  'app.update.url': '',
  'app.normandy.enabled': false,
  'app.normandy.api_url': '',
  'app.shield.optoutstudies.enabled': false,
  'extensions.update.enabled': false,
  'extensions.update.autoUpdateDefault': false,
  'extensions.getAddons.cache.enabled': false,
  'extensions.systemAddon.update.enabled': false,
  'extensions.systemAddon.update.url': '',
  'extensions.blocklist.enabled': false,
  'media.gmp-manager.updateEnabled': false,
  'media.gmp-manager.url': '',
  'media.gmp-gmpopenh264.enabled': false,
  'media.gmp-gmpopenh264.autoupdate': false,
  'media.gmp-widevinecdm.enabled': false,
  'media.gmp-widevinecdm.autoupdate': false,
  'media.eme.enabled': false,
  'browser.search.update': false,
  'browser.region.update.enabled': false,
  'browser.region.network.url': '',
  'services.settings.server': NOWHERE,
  'services.sync.engine.addons': false,
  'identity.fxaccounts.enabled': false,
  // Safe browsing, telemetry, health reports, crash reports, pings.
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.safebrowsing.downloads.remote.enabled': false,
  'browser.safebrowsing.blockedURIs.enabled': false,
  'browser.safebrowsing.provider.google.updateURL': '',
  'browser.safebrowsing.provider.google4.updateURL': '',
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'datareporting.policy.dataSubmissionEnabled': false,
  'datareporting.healthreport.uploadEnabled': false,
  'datareporting.usage.uploadEnabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.archive.enabled': false,
  'toolkit.telemetry.server': '',
  'toolkit.telemetry.reportingpolicy.firstRun': false,
  'toolkit.telemetry.shutdownPingSender.enabled': false,
  'toolkit.telemetry.newProfilePing.enabled': false,
  'toolkit.telemetry.firstShutdownPing.enabled': false,
  'toolkit.telemetry.updatePing.enabled': false,
  'toolkit.telemetry.bhrPing.enabled': false,
  'browser.ping-centre.telemetry': false,
  'browser.crashReports.unsubmittedCheck.enabled': false,
  'breakpad.reportURL': '',
  // Connectivity checks, captive portal detection, DNS over HTTPS, proxies, time servers.
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'captivedetect.canonicalURL': '',
  'network.trr.mode': 5,
  'doh-rollout.disable-heuristics': true,
  'network.proxy.type': 0,
  'network.sntp.pools': '',
  // Prefetching and speculative connections.
  'network.dns.disablePrefetch': true,
  'network.dns.disablePrefetchFromHTTPS': true,
  'network.prefetch-next': false,
  'network.predictor.enabled': false,
  'network.http.speculative-parallel-limit': 0,
  'browser.urlbar.speculativeConnect.enabled': false,
  'browser.places.speculativeConnect.enabled': false,
  // Certificate revocation and remote security lists.
  'security.OCSP.enabled': 0,
  'security.remote_settings.crlite_filters.enabled': false,
  'security.remote_settings.intermediates.enabled': false,
  // New tab page, sponsored content, Pocket, recommendations, machine-learning downloads.
  'browser.newtabpage.enabled': false,
  'browser.newtabpage.activity-stream.feeds.system.topstories': false,
  'browser.newtabpage.activity-stream.feeds.section.topstories': false,
  'browser.newtabpage.activity-stream.feeds.telemetry': false,
  'browser.newtabpage.activity-stream.telemetry': false,
  'browser.newtabpage.activity-stream.showSponsored': false,
  'browser.newtabpage.activity-stream.showSponsoredTopSites': false,
  'browser.topsites.contile.enabled': false,
  'extensions.pocket.enabled': false,
  'browser.discovery.enabled': false,
  'messaging-system.rsexperimentloader.enabled': false,
  'browser.ml.enable': false,
  'browser.ml.chat.enabled': false,
  'browser.translations.enable': false,
  'geo.enabled': false,
  'geo.provider.network.url': '',
};

// Firefox's own switch for test runs: it refuses every connection (DNS lookups included) to
// anything but local addresses, and only then honours services.settings.server above (release
// builds otherwise ignore it and poll the remote settings server at start-up). WebRTC's media
// sockets are not affected.
const FIREFOX_ENV = { MOZ_DISABLE_NONLOCAL_CONNECTIONS: '1' };

/** Starts a separate Chromium process. Resolves the playwright Browser. */
async function launchChromium({ extraArgs = [], timeoutMs = 30000 } = {}) {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    timeout: timeoutMs,
  });
}

/**
 * Starts a separate headless Firefox ESR process on a fresh profile (removed on close()).
 * Resolves the puppeteer Browser.
 */
async function launchFirefox({ timeoutMs = 60000 } = {}) {
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtcstream-firefox-'));
  // puppeteer writes the profile's user.js itself: its automation preferences, then these.
  let browser;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX_PATH,
      headless: true,
      userDataDir: profileDir,
      extraPrefsFirefox: FIREFOX_PREFS,
      env: { ...process.env, ...FIREFOX_ENV },
      timeout: timeoutMs,
    });
  } catch (err) {
    fs.rmSync(profileDir, { recursive: true, force: true });
    throw err;
  }
  const close = browser.close.bind(browser);
  browser.close = async () => {
    try {
      await close();
    } finally {
      fs.rmSync(profileDir, { recursive: true, force: true });
    }
  };
  return browser;
}

/** Starts one browser process of the given kind ('chromium' or 'firefox'). */
async function launchBrowser(kind = 'chromium', opts = {}) {
  if (kind === 'chromium') return launchChromium(opts);
  if (kind === 'firefox') return launchFirefox(opts);
  throw new Error(`unknown browser '${kind}' (expected one of ${BROWSERS.join(', ')})`);
}

module.exports = {
  launchBrowser,
  launchChromium,
  launchFirefox,
  BROWSERS,
  CHROMIUM_PATH,
  CHROMIUM_ARGS,
  FIREFOX_PATH,
  FIREFOX_PREFS,
  FIREFOX_ENV,
};
