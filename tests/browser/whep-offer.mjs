// SPDX-License-Identifier: LGPL-2.1-or-later
// Real browser offers through our JSEP layer, and our answers back into the
// real browser.  The player page (ext/webrtc/pages, the real product page)
// runs in the browser and POSTs its WHEP offer to a stub server of this
// test, which saves it, builds our answer with jsep-answer-check (a VP8 +
// Opus sender, as webrtcsink will be), checks it, and returns it with 201.
// The browser must accept it: signalingState "stable", no lastError.  No
// media flows (the stub has no ICE agent); that is not the point here.
//
// Also checks the page's side of WHEP with that stub: the bearer token from
// ?token=, Content-Type, a relative endpoint, DELETE on leaving the page.
//
//   node whep-offer.mjs --browser chromium|firefox --pages DIR --out DIR --checker EXE

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, runTest } from '../lib/run.mjs';
import { readBody, sendFile, startServer } from '../lib/http.mjs';
import { checkAnswer, requireChecker, runChecker } from '../lib/answercheck.mjs';
import { candidateAddress, isLoopback, splitSdp } from '../lib/sdp.mjs';

const args = parseArgs();
const which = args.browser || 'chromium';
const TOKEN = 's3cr3t-token';

await runTest(`whep-offer-${which}`, { timeoutMs: 75000 }, async (t) => {
  const checker = requireChecker(args.checker);
  const pages = args.pages;
  if (!pages || !fs.existsSync(path.join(pages, 'player.html'))) throw new Error(`no player page in --pages ${pages}`);
  const out = args.out || '.';

  const seen = { posts: [], patches: [], deletes: [], answers: [] };
  let waiters = [];
  const notify = () => { for (const w of waiters.splice(0)) w(); };
  const until = async (cond, ms, what) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`stub server: ${what}: not within ${ms} ms`);
      await new Promise((r) => { waiters.push(r); setTimeout(r, 100); });
    }
  };

  const server = await startServer(async (req, res) => {
    const u = new URL(req.url, 'http://x');
    if (req.method === 'GET') {
      if (u.pathname === '/live/') return sendFile(res, path.join(pages, 'player.html'));
      if (u.pathname.startsWith('/live/') && !u.pathname.endsWith('config.json')) {
        return sendFile(res, path.join(pages, path.basename(u.pathname)));
      }
      return false; // config.json too: the page's defaults
    }
    if (req.method === 'POST' && u.pathname === '/live/whep') {
      const offer = await readBody(req);
      seen.posts.push({ headers: req.headers, offer });
      const n = seen.posts.length;
      fs.writeFileSync(path.join(out, `offer-${which}-${n}.sdp`), offer);
      const r = runChecker(checker, offer);
      seen.answers.push(r);
      notify();
      if (!r.ok || n > 1) {
        res.writeHead(400, { 'Content-Type': 'text/plain' });
        res.end(r.ok ? 'one session per test\n' : `${r.stage}: ${r.error}\n`);
        return true;
      }
      fs.writeFileSync(path.join(out, `answer-${which}-${n}.sdp`), r.answer.sdp);
      res.writeHead(201, {
        'Content-Type': 'application/sdp',
        Location: `session/${n}`,
        ETag: `"s${n}"`,
      });
      res.end(r.answer.sdp);
      return true;
    }
    if (req.method === 'PATCH' && u.pathname.startsWith('/live/session/')) {
      seen.patches.push({ headers: req.headers, body: await readBody(req) });
      notify();
      res.writeHead(204);
      res.end();
      return true;
    }
    if (req.method === 'DELETE' && u.pathname.startsWith('/live/session/')) {
      seen.deletes.push({ path: u.pathname, headers: req.headers });
      notify();
      res.writeHead(200);
      res.end();
      return true;
    }
    return false;
  });
  t.onCleanup(() => server.close());

  const b = await t.browser(which);
  const page = await b.newPage();
  // A prefix and a token, as a deployment behind a proxy would have.
  await page.goto(`${server.url}/live/?token=${TOKEN}`);
  await until(() => seen.posts.length > 0, 20000, 'the page POSTs an offer');

  const post = seen.posts[0];
  const offer = post.offer;
  t.log(`offer from ${which} (${offer.length} bytes):\n${offer.trim().split(/\r?\n/).map((l) => `#   ${l}`).join('\n')}`);
  t.check(/^application\/sdp\b/.test(post.headers['content-type'] || ''),
    `${which}: POST has Content-Type application/sdp (${post.headers['content-type']})`);
  t.check(post.headers.authorization === `Bearer ${TOKEN}`,
    `${which}: POST carries the ?token= as a bearer token (${post.headers.authorization})`);

  const o = splitSdp(offer);
  const kinds = o.media.map((m) => `${m.kind}:${m.direction}`);
  // then the data channels' section (the page's "chat" channel)
  t.check(o.media.length === 3 && o.media[0].kind === 'video' && o.media[1].kind === 'audio' &&
      o.media.slice(0, 2).every((m) => m.direction === 'recvonly') && o.media[2].kind === 'application',
  `${which}: the offer asks for recvonly video then audio, then data channels (${kinds.join(' ')})`);
  const cands = offer.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:'));
  t.check(cands.every((c) => isLoopback(candidateAddress(c))),
    `${which}: the offer's candidates are loopback (${cands.map(candidateAddress).join(', ') || 'none'})`);

  const sdpAnswer = checkAnswer(t, which, offer, seen.answers[0]);
  if (sdpAnswer) {
    t.log(`our answer:\n${sdpAnswer.trim().split(/\r?\n/).map((l) => `#   ${l}`).join('\n')}`);
  }

  // The browser's verdict on our answer.
  await page.waitFor('window.player.timings.answered !== undefined || window.player.lastError', {
    timeoutMs: 15000,
    what: 'the page to apply our answer',
    describe: 'window.player',
  });
  // Give setRemoteDescription its turn to finish.
  await page.waitFor('window.player.signalingState === "stable" || window.player.lastError', {
    timeoutMs: 10000,
    what: 'signalingState stable',
    describe: 'window.player',
  });
  const p = JSON.parse(await page.evaluate(() => JSON.stringify(window.player)));
  t.log(`window.player: ${JSON.stringify(p)}`);
  if (!t.check(p.lastError === null, `${which}: the browser accepts our answer (lastError: ${p.lastError})`)) {
    // The first error is the browser's verdict; later ones come from retries.
    for (const l of page.console.filter((c) => c.includes('player:'))) t.log(`page console: ${l}`);
  }
  t.check(p.signalingState === 'stable', `${which}: signalingState is stable (${p.signalingState})`);
  t.check(p.sessions === 1, `${which}: one session (${p.sessions})`);
  t.log(`timings (ms since navigation): ${JSON.stringify(p.timings)}; ${seen.patches.length} PATCH so far`);

  for (const pa of seen.patches) {
    t.check(/^application\/trickle-ice-sdpfrag\b/.test(pa.headers['content-type'] || ''),
      `${which}: PATCH has Content-Type application/trickle-ice-sdpfrag`);
    t.check(pa.headers['if-match'] === '"s1"', `${which}: PATCH has If-Match with the ETag (${pa.headers['if-match']})`);
    t.check(pa.headers.authorization === `Bearer ${TOKEN}`, `${which}: PATCH carries the token`);
    t.check(/^a=ice-ufrag:/m.test(pa.body) && /^a=ice-pwd:/m.test(pa.body) && /^m=/m.test(pa.body) && /^a=mid:/m.test(pa.body),
      `${which}: PATCH body is an RFC 8840 fragment: ${JSON.stringify(pa.body)}`);
  }

  // Leaving the page ends the session at the server.
  await page.goto('about:blank');
  await until(() => seen.deletes.length > 0, 10000, 'DELETE of the session after leaving the page');
  t.check(seen.deletes[0].path === '/live/session/1', `${which}: DELETE goes to the Location (${seen.deletes[0].path})`);
  t.check(seen.deletes[0].headers.authorization === `Bearer ${TOKEN}`, `${which}: DELETE carries the token`);
});
