// SPDX-License-Identifier: LGPL-2.1-or-later
// Proves the harness: inside a loopback-only namespace, a real browser
// opens a page from a server of ours, gets the fake camera, connects two
// RTCPeerConnections to each other, decodes frames, and gathers only
// loopback candidates (127.0.0.1 / ::1, never an mDNS .local name).
//
//   node selftest.mjs --browser chromium|firefox

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, runTest } from '../lib/run.mjs';
import { startServer, staticHandler } from '../lib/http.mjs';
import { candidateAddress, isLoopback } from '../lib/sdp.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = parseArgs();
const which = args.browser || 'chromium';

await runTest(`selftest-${which}`, { timeoutMs: 60000 }, async (t) => {
  const server = await startServer(staticHandler(path.join(here, 'selftest'), 'loopback.html'));
  t.onCleanup(() => server.close());

  const b = await t.browser(which);
  const page = await b.newPage();
  await page.goto(`${server.url}/`);
  await page.waitFor('window.selftest && (window.selftest.done || window.selftest.error)', {
    timeoutMs: 30000,
    what: 'frames decoded from the loopback connection',
    describe: 'window.selftest',
  });
  const r = await page.evaluate(() => window.selftest);
  t.log(`gathering ${r.gatheringMs} ms, ${r.frames} frames, ${r.width}x${r.height}, pairs ${JSON.stringify(r.pairs)}`);
  t.require(!r.error, `${which}: the page ran without error${r.error ? ` (${r.error})` : ''}`);
  t.check(r.frames >= 10, `${which}: the receiving <video> decoded frames (${r.frames})`);
  t.check(r.width > 0 && r.height > 0, `${which}: the decoded video has a size (${r.width}x${r.height})`);

  const addrs = r.candidates.map(candidateAddress);
  t.log(`candidates: ${r.candidates.join(' | ')}`);
  t.check(r.candidates.length > 0, `${which}: candidates were gathered (${r.candidates.length})`);
  t.check(!addrs.some((a) => /\.local$/i.test(a)), `${which}: no mDNS .local candidate`);
  const bad = addrs.filter((a) => !isLoopback(a));
  t.check(bad.length === 0, `${which}: every candidate is loopback${bad.length ? ` (not: ${bad.join(', ')})` : ''}`);
  const pairBad = r.pairs.flat().filter((a) => a && !isLoopback(a));
  t.check(r.pairs.length > 0 && pairBad.length === 0,
    `${which}: the selected pair is loopback (${JSON.stringify(r.pairs)})`);
});
