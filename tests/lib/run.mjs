// SPDX-License-Identifier: LGPL-2.1-or-later
// The frame every browser test runs in:
//
//   await runTest('name', { timeoutMs: 60000 }, async (t) => {
//     const b = await t.browser('chromium');   // closed by the frame
//     t.check(cond, 'message');                // collected, reported
//     t.log('...');
//   });
//
// It enters a loopback-only network namespace first, bounds the whole test
// with a deadline (past it the process exits, and with it, through the PID
// namespace, every browser it started), closes browsers and servers it was
// given, prints one PASS/FAIL line per check and the closing line
// "N passed, N failed", and exits non-zero on any failure.  A test never
// skips: a missing browser or module fails it.

import process from 'node:process';
import { enterLoopbackNetns } from './netns.mjs';
import { launchBrowser } from './browsers.mjs';

export function parseArgs (argv = process.argv.slice(2)) {
  const out = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
      else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out[a.slice(2)] = argv[++i];
      else out[a.slice(2)] = true;
    } else {
      out._.push(a);
    }
  }
  return out;
}

export async function runTest (name, { timeoutMs = 60000 } = {}, body) {
  await enterLoopbackNetns();

  const started = Date.now();
  const cleanups = [];
  let passed = 0;
  let failed = 0;
  const t = {
    log: (...a) => console.log(`# [${((Date.now() - started) / 1000).toFixed(2)}s]`, ...a),
    check (cond, msg) {
      if (cond) {
        passed++;
        console.log(`PASS: ${msg}`);
      } else {
        failed++;
        console.log(`FAIL: ${msg}`);
      }
      return !!cond;
    },
    /* A check whose failure makes going on pointless. */
    require (cond, msg) {
      if (!t.check(cond, msg)) throw new Error(`required check failed: ${msg}`);
    },
    onCleanup (fn) { cleanups.push(fn); },
    async browser (which, opts) {
      const b = await launchBrowser(which, opts);
      cleanups.push(() => b.close());
      t.log(`${which} ${b.version} launched`);
      return b;
    },
  };

  const deadline = setTimeout(() => {
    console.log(`FAIL: ${name}: no result within ${timeoutMs} ms (test deadline)`);
    console.log(`${passed} passed, ${failed + 1} failed`);
    process.exit(1);
  }, timeoutMs);
  deadline.unref();

  let error = null;
  try {
    await body(t);
  } catch (e) {
    error = e;
  }
  for (const fn of cleanups.reverse()) {
    try { await fn(); } catch (e) { t.log(`cleanup: ${e.message}`); }
  }
  if (error) {
    failed++;
    console.log(`FAIL: ${name}: ${error.message}`);
    if (process.env.GST_WRTC_BROWSER_DEBUG && error.stack) console.log(error.stack);
  }
  if (passed + failed === 0) {
    failed++;
    console.log(`FAIL: ${name}: the test checked nothing`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
