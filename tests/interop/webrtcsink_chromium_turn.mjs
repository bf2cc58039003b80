// SPDX-License-Identifier: LGPL-2.1-or-later
// Interop matrix, Chromium x "via TURN", media from webrtcsink: inside a
// loopback-only network namespace (tests/lib/run.mjs) the test
// starts coturn (tests/lib/turn.mjs: long-term credentials, UDP,
// 127.0.0.1 only) and a gst-launch pipeline whose webrtcsink has
// turn-servers=turn://user:pass@127.0.0.1:PORT?transport=udp.  Headless
// Chromium opens the player page webrtcsink serves; the page takes the TURN
// server and its credentials from the element's /config.json, and the test
// forces the page's RTCPeerConnection to iceTransportPolicy "relay", so
// Chromium has no candidate but its TURN allocation: media can only reach
// it through coturn.  Checks:
//   - Chromium decodes 320x240 frames (getStats inbound-rtp framesDecoded);
//   - its selected candidate pair's local candidate is "relay", allocated
//     on our coturn (its url names coturn's port);
//   - webrtcsink's stats (/stats.json, the stats property as JSON, W3C
//     names) say the viewer's remote candidate is "relay", on coturn's
//     relay address, and count packets sent;
//   - coturn's log shows the allocation, and its "peer usage" counters
//     show the media bytes it relayed to Chromium.
import { parseArgs, runTest } from '../lib/run.mjs';
import { startPipeline } from '../lib/child.mjs';
import { recordPcs, selectedPair } from '../lib/pcstats.mjs';
import { startTurn } from '../lib/turn.mjs';

const args = parseArgs();
const which = args.browser || 'chromium';

async function getJson (url) {
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return res.json();
}

await runTest(`webrtcsink-${which}-turn`, { timeoutMs: 85000 }, async (t) => {
  const turn = await startTurn(t);
  t.log(`coturn on 127.0.0.1:${turn.port}`);

  const p = await startPipeline(t, [
    'videotestsrc', 'is-live=true', '!', 'video/x-raw,width=320,height=240', '!',
    'webrtcsink', 'name=s', 'port=0', 'local-addresses=127.0.0.1',
    `turn-servers=${turn.url}`,
    'audiotestsrc', 'is-live=true', '!', 's.audio_0',
  ]);
  t.log(`pipeline serves ${p.url}`);

  // what the player page will configure its RTCPeerConnection with
  const cfg = await getJson(`${p.url}config.json`);
  const ice = (cfg.iceServers || []).find((s) => [].concat(s.urls).some((u) => u.startsWith('turn:')));
  t.require(ice && [].concat(ice.urls).includes(`turn:127.0.0.1:${turn.port}?transport=udp`) &&
    ice.username === turn.user && ice.credential === turn.pass,
  `config.json hands out the TURN server with its credentials (${JSON.stringify(cfg.iceServers)})`);

  const b = await t.browser(which);
  const page = await recordPcs(await b.newPage(), { iceTransportPolicy: 'relay' });
  await page.goto(p.url);
  try {
    await page.waitFor('window.player && window.player.framesDecoded > 10 && window.player.width === 320', {
      timeoutMs: 30000,
      what: 'frames decoded from webrtcsink through TURN',
      describe: 'window.player',
    });
  } catch (e) {
    t.log(`pipeline output:\n${p.output()}\ncoturn log:\n${turn.log().slice(-3000)}`);
    throw e;
  }

  // Chromium's own view: what it decoded and over which pair
  const conf = await page.evaluate(() => window.__testPcs.at(-1).getConfiguration().iceTransportPolicy);
  t.check(conf === 'relay', `${which}: the RTCPeerConnection is relay-only (${conf})`);
  const inbound = await page.evaluate(async () => {
    const out = {};
    (await window.__testPcs.at(-1).getStats()).forEach((r) => {
      if (r.type === 'inbound-rtp') out[r.kind] = { framesDecoded: r.framesDecoded, frameWidth: r.frameWidth, bytesReceived: r.bytesReceived };
    });
    return out;
  });
  t.log(`inbound-rtp: ${JSON.stringify(inbound)}`);
  t.check(inbound.video && inbound.video.framesDecoded > 10 && inbound.video.frameWidth === 320,
    `${which}: getStats inbound-rtp video decoded 320-wide frames (${inbound.video && inbound.video.framesDecoded})`);
  t.check(inbound.audio && inbound.audio.bytesReceived > 0,
    `${which}: getStats inbound-rtp audio received bytes (${inbound.audio && inbound.audio.bytesReceived})`);
  const pair = await selectedPair(page);
  t.log(`${which} selected pair: ${JSON.stringify(pair)}`);
  t.check(pair && pair.local.candidateType === 'relay',
    `${which}: the selected pair's local candidate is relay (${pair && pair.local.candidateType})`);
  t.check(pair && pair.local.address === '127.0.0.1' && pair.local.port >= 40000 && pair.local.port <= 40999,
    `${which}: its relayed address is one of coturn's (${pair && `${pair.local.address}:${pair.local.port}`})`);
  t.check(pair && (pair.local.url || '').includes(`:${turn.port}`),
    `${which}: allocated on our coturn (${pair && pair.local.url})`);

  // webrtcsink's view of the same viewer
  const stats = await getJson(`${p.url}stats.json`);
  const peer = (stats.peers || [])[0] || {};
  t.log(`webrtcsink peer: state ${peer.state}, local ${JSON.stringify(peer['local-candidate'])}, ` +
    `remote ${JSON.stringify(peer['remote-candidate'])}, pair ${JSON.stringify(peer['candidate-pair'])}`);
  t.check(stats.peers && stats.peers.length === 1 && peer.state === 'connected',
    `webrtcsink: one viewer, connected (${peer.state})`);
  const remote = peer['remote-candidate'] || {};
  t.check(remote.candidateType === 'relay',
    `webrtcsink: the viewer's remote candidate is relay (${remote.candidateType})`);
  t.check(pair && remote.address === pair.local.address && remote.port === pair.local.port,
    `webrtcsink: it is Chromium's relayed address (${remote.address}:${remote.port})`);
  const local = peer['local-candidate'] || {};
  // webrtcsink itself was not forced to relay: it reaches Chromium's relayed
  // address from its host candidate (or its own relay: both are TURN)
  t.check(['host', 'relay'].includes(local.candidateType),
    `webrtcsink: its local candidate is ${local.candidateType} on ${local.address}:${local.port}`);
  const video = (peer['outbound-rtp'] || []).find((o) => o.kind === 'video') || {};
  t.check(video.packetsSent > 10, `webrtcsink: video packets sent to the viewer (${video.packetsSent})`);

  // coturn's side: the allocation, then, once the viewer has left and every
  // allocation has ended (coturn logs a session's counters when it ends),
  // the bytes it relayed from the peer to Chromium: at least the RTP
  // payload Chromium counted as received (SRTP packets are larger)
  t.check(/ALLOCATE processed, success/.test(turn.log()), "coturn's log shows a successful allocation");
  const received = await page.evaluate(async () => {
    let n = 0;
    (await window.__testPcs.at(-1).getStats()).forEach((r) => { if (r.type === 'inbound-rtp') n += r.bytesReceived; });
    return n;
  });
  await page.goto('about:blank');
  t.check(await turn.sessionsClosed(15000), 'coturn logged the end of every allocation after the viewer left');
  const usage = turn.peerUsage();
  t.log(`coturn peer usage: ${JSON.stringify(usage)}`);
  const relayed = usage.reduce((n, u) => n + u.rb, 0);
  if (!t.check(received > 0 && relayed >= received,
    `coturn relayed the media to Chromium (${relayed} bytes from peers on relayed addresses >= ${received} RTP payload bytes Chromium received)`)) {
    t.log(`coturn log:\n${turn.log().slice(-4000)}`);
  }

  const r = await p.stop(20000);
  t.check(r !== null && r.code === 0, `gst-launch-1.0 stops cleanly (${JSON.stringify(r)})`);
  const out = p.output();
  t.check(!/CRITICAL|WARNING \*\*|ERROR:/.test(out), 'no criticals, warnings or errors from the pipeline');
  if (r === null || r.code !== 0) t.log(`pipeline output:\n${out}`);
});
