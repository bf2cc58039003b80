// SPDX-License-Identifier: LGPL-2.1-or-later
// Not a test: measures how soon the player page shows the stream with each
// candidate mode ("trickle" in config.json), against the in-browser sender
// (tests/lib/whep-relay.mjs), with and without an unreachable STUN server.
// Prints one line per load; nothing is asserted.
//
//   node bench/measure-start.mjs --browser chromium|firefox \
//     --pages ext/webrtc/pages [--runs N] [--modes auto,always,never] [--stun]
//
// Its npm modules come from tests/node_modules (scripts/setup.sh).

import { parseArgs, runTest } from '../tests/lib/run.mjs';
import { startWhepRelay } from '../tests/lib/whep-relay.mjs';

const args = parseArgs();
const which = args.browser || 'chromium';
const runs = Number(args.runs || 3);

await runTest(`measure-start-${which}`, { timeoutMs: 600000 }, async (t) => {
  const relay = await startWhepRelay(args.pages);
  t.onCleanup(() => relay.close());
  const b = await t.browser(which);
  const sender = await b.newPage();
  await sender.goto(`${relay.url}/sender/`);
  await sender.waitFor('window.sender.ready', { timeoutMs: 15000 });
  const player = await b.newPage();
  const results = {};
  for (const stun of (args.stun ? [false, true] : [false])) {
    for (const mode of (args.modes || "auto,always,never").split(",")) {
      const key = `${mode}${stun ? '+stun' : ''}`;
      results[key] = [];
      for (let i = 0; i < runs; i++) {
        relay.config = { trickle: mode, iceServers: stun ? [{ urls: 'stun:127.0.0.1:26999' }] : [] };
        await player.goto(`${relay.url}/live/`);
        await player.waitFor('window.player.state === "playing"', { timeoutMs: 20000, describe: 'window.player' });
        const tm = JSON.parse(await player.evaluate(() => JSON.stringify(window.player.timings)));
        results[key].push(tm);
        t.log(`${key}: ${JSON.stringify(tm)}`);
        await player.goto('about:blank');
      }
    }
  }
  for (const [key, list] of Object.entries(results)) {
    const med = (f) => { const v = list.map(f).sort((a, b) => a - b); return v[Math.floor(v.length / 2)]; };
    t.log(`${which} ${key}: median ms from session start: local description ${med((x) => x.localDescription - x.start)}, ` +
      `first candidate ${med((x) => x.firstCandidate - x.start)}, gathering complete ${med((x) => x.gatheringComplete - x.start)}, offer posted ${med((x) => x.offerSent - x.start)}, ` +
      `connected ${med((x) => x.connected - x.start)}, first frame ${med((x) => x.firstFrame - x.start)}; ` +
      `first frame since navigation ${med((x) => x.firstFrame)}`);
  }
  t.check(true, 'measured');
});
