// SPDX-License-Identifier: LGPL-2.1-or-later
// Headless Chromium (playwright-core) and Firefox ESR (puppeteer-core over
// WebDriver BiDi), both Debian's own builds, behind one small interface:
//
//   const b = await launchBrowser('chromium' | 'firefox');
//   const page = await b.newPage();
//   await page.goto(url);
//   await page.waitFor('window.player && window.player.state === "playing"',
//     { timeoutMs: 10000, what: 'the player plays', describe: 'window.player' });
//   const v = await page.evaluate(() => ...);
//   await b.close();
//
// Flags and prefs are the ones TESTING.md found to work here.  Each launch
// gets a fresh profile directory, removed on close.  A browser that is not
// installed is an error (scripts/setup.sh installs both); nothing is ever
// downloaded.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const BROWSERS = ['chromium', 'firefox'];

export const CHROMIUM_PATH = process.env.GST_WRTC_CHROMIUM || '/usr/bin/chromium';
export const FIREFOX_PATH = process.env.GST_WRTC_FIREFOX || '/usr/bin/firefox-esr';

export const CHROMIUM_ARGS = [
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
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];
// The autoplay policy is left at its default on purpose: the player page
// must start muted video by itself and unmute only after a real click.

export const FIREFOX_PREFS = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  // Quiet: no updates, telemetry or first-run pages.
  'app.update.enabled': false,
  'browser.shell.checkDefaultBrowser': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
};

const LAUNCH_TIMEOUT_MS = 30000;
const CLOSE_TIMEOUT_MS = 3000;

function checkExecutable (name, file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    throw new Error(`${name} not found at ${file} (scripts/setup.sh installs it with apt)`);
  }
}

async function importOrExplain (mod) {
  try {
    return await import(mod);
  } catch (e) {
    throw new Error(`cannot load npm module '${mod}' (${e.code || e.message}); ` +
      'run scripts/setup.sh, which runs npm ci in tests');
  }
}

function withTimeout (promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/* One page, the same calls whichever library drives it. */
class Page {
  constructor (browserName, raw, kind) {
    this.browserName = browserName;
    this.raw = raw;
    this.kind = kind;
    this.console = [];
    raw.on('console', (m) => {
      let t;
      try { t = m.text(); } catch { t = String(m); }
      this.console.push(`[${m.type ? m.type() : 'log'}] ${t}`);
    });
    raw.on('pageerror', (e) => this.console.push(`[pageerror] ${e && e.message ? e.message : e}`));
  }

  async goto (url, { timeoutMs = 15000 } = {}) {
    await this.raw.goto(url, { timeout: timeoutMs, waitUntil: 'load' });
  }

  /* fn is a function or an expression string; one argument at most. */
  async evaluate (fn, arg) {
    return withTimeout(this.raw.evaluate(fn, arg), 15000, `${this.browserName}: evaluate`);
  }

  /*
   * Waits until @cond (an expression string or a function, evaluated in the
   * page) is truthy.  On timeout the error says what was awaited, the value
   * of @describe (an expression) at that moment, and the page's last console
   * lines.
   */
  async waitFor (cond, { timeoutMs = 10000, what, describe } = {}) {
    // A condition that throws (the page not there yet) is just false.
    const fn = typeof cond === 'function'
      ? new Function(`try { return (${cond.toString()})(); } catch (e) { return false; }`)
      : new Function(`try { return (${cond}); } catch (e) { return false; }`);
    const label = what || String(cond);
    try {
      if (this.kind === 'playwright') {
        await this.raw.waitForFunction(fn, undefined, { timeout: timeoutMs, polling: 100 });
      } else {
        await this.raw.waitForFunction(fn, { timeout: timeoutMs, polling: 100 });
      }
    } catch (e) {
      let state = '';
      if (describe) {
        try {
          const v = await withTimeout(this.raw.evaluate(`JSON.stringify(${describe})`), 3000, 'describe');
          state = `\n  ${describe} = ${v}`;
        } catch (e2) {
          state = `\n  (${describe} unreadable: ${e2.message})`;
        }
      }
      const tail = this.console.slice(-15).map((l) => `\n  console: ${l}`).join('');
      const cause = /timeout|no result/i.test(e.message) ? `not within ${timeoutMs} ms` : e.message.split('\n')[0];
      throw new Error(`${this.browserName}: waiting for ${label}: ${cause}${state}${tail}`);
    }
  }

  async click (selector) {
    await this.raw.click(selector);
  }

  async screenshot (file) {
    await this.raw.screenshot({ path: file });
  }
}

class Browser {
  constructor (name, impl) {
    this.name = name;
    this.impl = impl;
    this.pages = [];
  }

  get version () { return this.impl.version; }

  async newPage () {
    const raw = await withTimeout(this.impl.newPage(), 15000, `${this.name}: new page`);
    const p = new Page(this.name, raw, this.impl.kind);
    this.pages.push(p);
    return p;
  }

  /* Never throws and never hangs: a browser that does not close in time is
   * killed (and the PID namespace reaps whatever is left at exit). */
  async close () {
    try {
      await withTimeout(this.impl.close(), CLOSE_TIMEOUT_MS, `${this.name}: close`);
    } catch (e) {
      try { this.impl.kill(); } catch { /* already gone */ }
    }
    fs.rmSync(this.impl.profile, { recursive: true, force: true });
  }
}

async function launchChromium ({ ignoreHTTPSErrors = false } = {}) {
  checkExecutable('Chromium', CHROMIUM_PATH);
  const { chromium } = await importOrExplain('playwright-core');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'gst-wrtc-chromium-'));
  // A persistent context is how playwright takes a profile dir of ours.
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    // a self-signed test certificate (HTTPS tests)
    args: ignoreHTTPSErrors ? [...CHROMIUM_ARGS, '--ignore-certificate-errors'] : CHROMIUM_ARGS,
    ignoreHTTPSErrors,
    timeout: LAUNCH_TIMEOUT_MS,
    handleSIGINT: true,
    handleSIGTERM: true,
  });
  const b = ctx.browser();
  let first = ctx.pages()[0] || null;
  return {
    kind: 'playwright',
    profile,
    version: b ? b.version() : 'unknown',
    async newPage () {
      if (first) { const p = first; first = null; return p; }
      return ctx.newPage();
    },
    close: () => ctx.close(),
    kill () { if (b) b.close().catch(() => {}); },
  };
}

async function launchFirefox () {
  checkExecutable('Firefox ESR', FIREFOX_PATH);
  const puppeteer = (await importOrExplain('puppeteer-core')).default;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'gst-wrtc-firefox-'));
  const b = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: FIREFOX_PATH,
    headless: true,
    userDataDir: profile,
    extraPrefsFirefox: FIREFOX_PREFS,
    timeout: LAUNCH_TIMEOUT_MS,
    protocolTimeout: 20000,
    handleSIGINT: true,
    handleSIGTERM: true,
  });
  let first = (await b.pages())[0] || null;
  return {
    kind: 'puppeteer',
    profile,
    version: await b.version(),
    async newPage () {
      if (first) { const p = first; first = null; return p; }
      return b.newPage();
    },
    close: () => b.close(),
    kill () { const p = b.process(); if (p) p.kill('SIGKILL'); },
  };
}

/* @opts: { ignoreHTTPSErrors } (Chromium only: accept any certificate) */
export async function launchBrowser (name, opts = {}) {
  let impl;
  try {
    if (name === 'chromium') impl = await launchChromium(opts);
    else if (name === 'firefox') impl = await launchFirefox();
    else throw new Error(`unknown browser '${name}' (known: ${BROWSERS.join(', ')})`);
  } catch (e) {
    throw new Error(`cannot launch ${name}: ${e.message.split('\n')[0]}`);
  }
  return new Browser(name, impl);
}
