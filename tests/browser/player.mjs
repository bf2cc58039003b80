// SPDX-License-Identifier: LGPL-2.1-or-later
// The player page (ext/webrtc/pages, the real product page) in a real
// browser against a WHEP server stand-in (lib/whep-relay.mjs: a sender page
// in the same browser answers with the fake camera and microphone):
//  1. it shows the stream: frames decoded, a size, a stats line, state
//     "playing"; "click for sound" unmutes after a real click;
//  2. when the server goes away (every sender connection closed) it
//     reconnects by itself, ends the old session with DELETE, and plays;
//  3. with trickle "always" from config.json, a 503 on the first POST and a
//     404 on the next session's PATCH, it retries and reconnects until it
//     plays.
// The test only reads window.player; it never drives the page's code.
//
//   node player.mjs --browser chromium|firefox --pages DIR

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, runTest } from '../lib/run.mjs';
import { startWhepRelay } from '../lib/whep-relay.mjs';

const args = parseArgs();
const which = args.browser || 'chromium';
const STATUS = 'window.player';

const readPlayer = async (page) => JSON.parse(await page.evaluate(() => JSON.stringify(window.player)));

await runTest(`player-${which}`, { timeoutMs: 100000 }, async (t) => {
  const pages = args.pages;
  if (!pages || !fs.existsSync(path.join(pages, 'player.html'))) throw new Error(`no player page in --pages ${pages}`);
  const relay = await startWhepRelay(pages);
  t.onCleanup(() => relay.close());

  const b = await t.browser(which);
  const sender = await b.newPage();
  await sender.goto(`${relay.url}/sender/`);
  await sender.waitFor('window.sender && (window.sender.ready || window.sender.error)', {
    timeoutMs: 15000, what: 'the sender page gets the fake camera', describe: 'window.sender',
  });
  t.require(!(await sender.evaluate(() => window.sender.error)), `${which}: the sender fixture is ready`);

  // --- 1: plays ---
  const player = await b.newPage();
  await player.goto(`${relay.url}/live/`);
  await player.waitFor('window.player.state === "playing" && window.player.framesDecoded > 0 && window.player.width > 0', {
    timeoutMs: 20000, what: 'the player plays the stream', describe: STATUS,
  });
  let p = await readPlayer(player);
  t.log(`playing: ${JSON.stringify(p)}`);
  const tm = p.timings;
  t.log(`timings (ms since navigation): offer posted ${tm.offerSent}, answered ${tm.answered}, ` +
    `connected ${tm.connected}, first frame ${tm.firstFrame}; gathering complete ${tm.gatheringComplete}`);
  t.check(p.sessions === 1, `${which}: one session to start playing (${p.sessions})`);
  t.check(p.framesDecoded > 0 && p.width > 0 && p.height > 0,
    `${which}: frames decoded (${p.framesDecoded}, ${p.width}x${p.height})`);
  t.check(p.lastError === null, `${which}: no error (${p.lastError})`);
  t.check(relay.count('PATCH') === 0 || tm.gatheringComplete > tm.offerSent,
    `${which}: trickle "auto" sends PATCH only for candidates found after the POST (${relay.count('PATCH')} PATCH)`);

  await player.waitFor('document.getElementById("stats").textContent.includes("fps")', {
    timeoutMs: 5000, what: 'the stats line', describe: 'document.getElementById("stats").textContent',
  });
  const ui = await player.evaluate(() => ({
    stats: document.getElementById('stats').textContent,
    state: document.getElementById('state').textContent,
    sound: document.getElementById('sound').hidden ? null : document.getElementById('sound').textContent.trim(),
  }));
  t.log(`page shows: state "${ui.state}", stats "${ui.stats}", button "${ui.sound}"`);
  t.check(/\d+×\d+/.test(ui.stats) && /fps/.test(ui.stats) && /bit\/s/.test(ui.stats) && /lost/.test(ui.stats),
    `${which}: the stats line shows resolution, fps, bitrate and loss ("${ui.stats}")`);
  t.check(p.audio && p.muted && /click for sound/i.test(ui.sound || ''),
    `${which}: audio arrives muted with a "Click for sound" button ("${ui.sound}")`);
  await player.click('#sound');
  await player.waitFor('window.player.muted === false', { timeoutMs: 5000, what: 'unmuted after the click', describe: STATUS });
  t.check(true, `${which}: a click on the button unmutes`);

  // --- 2: the server goes away ---
  await sender.evaluate(() => window.sender.closeAll());
  await player.waitFor('window.player.sessions >= 2 && window.player.state === "playing"', {
    timeoutMs: 30000, what: 'the player reconnects after the server closed the connection', describe: STATUS,
  });
  p = await readPlayer(player);
  t.log(`after the server went away: ${JSON.stringify(p)}`);
  t.check(p.sessions >= 2 && p.state === 'playing', `${which}: reconnected and playing (session ${p.sessions}: ${p.lastError})`);
  t.check(relay.log.some((e) => e.method === 'DELETE' && e.path === '/live/session/1'),
    `${which}: the old session was DELETEd`);

  await player.waitFor('window.player.bitrate > 0 && window.player.fps > 0', {
    timeoutMs: 5000, what: 'a bitrate and frame rate in the stats', describe: STATUS,
  });
  t.check(true, `${which}: the stats show a bitrate and a frame rate`);

  // Leaving the page ends the session.
  const open = [...relay.sessions].filter(([, s]) => s.open).map(([id]) => id);
  await player.goto('about:blank');
  const until = Date.now() + 10000;
  while (Date.now() < until && open.some((id) => relay.sessions.get(id).open)) await new Promise((r) => setTimeout(r, 100));
  t.check(open.length === 1 && !relay.sessions.get(open[0]).open,
    `${which}: leaving the page DELETEs its session (${open.join(' ')})`);

  // --- 3: POST errors and a lost session on PATCH ---
  relay.config = { trickle: 'always' };
  relay.failPosts = 1;
  relay.failPatches = 1;
  relay.token = 'tok3n';
  const postsBefore = relay.count('POST');
  const logBefore = relay.log.length;
  await player.goto(`${relay.url}/live/?token=tok3n`);
  await player.waitFor('window.player.state === "playing" && window.player.sessions >= 3 && window.player.framesDecoded > 0', {
    timeoutMs: 30000, what: 'the player gets through a 503 and a 404 to playing', describe: STATUS,
  });
  p = await readPlayer(player);
  const posts = relay.log.filter((e) => e.method === 'POST').slice(postsBefore).map((e) => e.status);
  t.log(`after 503 and 404: ${JSON.stringify(p)}; POST statuses ${posts.join(' ')}`);
  t.check(p.trickle === 'always', `${which}: config.json sets the trickle mode (${p.trickle})`);
  t.check(posts[0] === 503 && posts.includes(201), `${which}: retried after a 503 (${posts.join(' ')})`);
  t.check(relay.log.some((e) => e.method === 'PATCH' && e.status === 404),
    `${which}: a PATCH got 404`);
  t.check(p.sessions >= 3, `${which}: a new session after the 404 (${p.sessions} sessions)`);
  const patches = relay.log.slice(logBefore).filter((e) => e.method === 'PATCH');
  t.check(patches.length > 0 && patches.every((e) => e.headers.authorization === 'Bearer tok3n' &&
      /^application\/trickle-ice-sdpfrag/.test(e.headers['content-type'] || '') &&
      /^a=ice-ufrag:.+\r\na=ice-pwd:.+\r\nm=\S+ \d+ \S+ \S+\r\na=mid:\S+\r\n/.test(e.body)),
  `${which}: PATCH bodies are RFC 8840 fragments with the token (${patches.length})`);
  t.check(patches.some((e) => /a=end-of-candidates/.test(e.body)), `${which}: a PATCH ends the candidates`);
  t.check(!relay.log.slice(logBefore).some((e) => e.status === 401), `${which}: every request carried the bearer token`);
});
