// SPDX-License-Identifier: LGPL-2.1-or-later
// Interop matrix, Chromium x "via TURN", media to webrtcsrc: inside a
// loopback-only network namespace (tests/lib/run.mjs) the test
// starts coturn (tests/lib/turn.mjs: long-term credentials, UDP,
// 127.0.0.1 only) and webrtcsrc as a WHIP server with turn-servers set
// (tests/lib/whip_receiver.py, its own process, the isolated
// environment).  Headless Chromium opens the /publish page webrtcsrc
// serves, which takes the TURN server and its credentials from webrtcsrc's
// /config.json; the test forces the page's RTCPeerConnection to
// iceTransportPolicy "relay", so the browser's only candidate is its TURN
// allocation and its media can only reach webrtcsrc through coturn.
// Checks:
//   - webrtcsrc outputs decoded video of the size Chromium sends, and audio;
//   - Chromium's selected candidate pair has a local "relay" candidate on
//     our coturn, and its outbound-rtp counts frames sent;
//   - webrtcsrc's stats (W3C names) give the publisher's remote candidate
//     as "relay", Chromium's relayed address;
//   - coturn's "peer usage" counters show it relayed at least the RTP
//     payload bytes Chromium sent.
import { parseArgs, runTest } from '../lib/run.mjs';
import { recordPcs, selectedPair } from '../lib/pcstats.mjs';
import { startTurn } from '../lib/turn.mjs';
import { startWhipReceiver } from '../lib/interop.mjs';

const args = parseArgs();
const which = args.browser || 'chromium';

await runTest(`webrtcsrc-${which}-turn`, { timeoutMs: 85000 }, async (t) => {
  const turn = await startTurn(t);
  t.log(`coturn on 127.0.0.1:${turn.port}`);
  const rx = await startWhipReceiver(t, ['--turn-servers', turn.url]);
  t.log(`webrtcsrc serves ${rx.url}`);

  const cfg = await (await fetch(`${rx.url}config.json`, { cache: 'no-store' })).json();
  const ice = (cfg.iceServers || []).find((s) => [].concat(s.urls).some((u) => u.startsWith('turn:')));
  t.require(ice && [].concat(ice.urls).includes(`turn:127.0.0.1:${turn.port}?transport=udp`) &&
    ice.username === turn.user && ice.credential === turn.pass,
  `webrtcsrc's config.json hands out the TURN server with its credentials (${JSON.stringify(cfg.iceServers)})`);

  const b = await t.browser(which);
  const page = await recordPcs(await b.newPage(), { iceTransportPolicy: 'relay' });
  await page.goto(`${rx.url}publish?autostart=1`);
  try {
    await page.waitFor('window.publisher && window.publisher.state === "publishing" && window.publisher.framesSent > 10 && window.publisher.width > 0', {
      timeoutMs: 30000,
      what: 'the page publishing through TURN',
      describe: 'window.publisher',
    });
  } catch (e) {
    t.log(`receiver events: ${JSON.stringify(rx.events.slice(-20))}\nstderr:\n${rx.stderr().slice(-3000)}\n` +
      `coturn log:\n${turn.log().slice(-3000)}`);
    throw e;
  }
  const conf = await page.evaluate(() => window.__testPcs.at(-1).getConfiguration().iceTransportPolicy);
  t.check(conf === 'relay', `${which}: the publishing RTCPeerConnection is relay-only (${conf})`);

  // decoded frames and audio out of webrtcsrc, the video of the size the
  // browser sends now (its fake camera may change size once at the start)
  const media = await rx.waitFor((e) => e.event === 'counts' &&
    (e.counts.video_0 || 0) >= 30 && (e.counts.audio_0 || 0) >= 20, 30000);
  t.check(media !== null, `webrtcsrc outputs >= 30 video frames and >= 20 audio buffers (${JSON.stringify(rx.counts())})`);
  const size = await page.evaluate(() => [window.publisher.width, window.publisher.height]);
  const vcaps = rx.caps('video_0');
  t.check(vcaps && vcaps.media === 'video/x-raw' && vcaps.width === size[0] && vcaps.height === size[1],
    `webrtcsrc decodes ${size[0]}x${size[1]} raw video, the size ${which} sends (${vcaps && vcaps.caps})`);
  const acaps = rx.caps('audio_0');
  t.check(acaps && acaps.media === 'audio/x-raw', `webrtcsrc decodes raw audio (${acaps && acaps.caps})`);

  // Chromium's side of the path
  const pair = await selectedPair(page);
  t.log(`${which} selected pair: ${JSON.stringify(pair)}`);
  t.check(pair && pair.local.candidateType === 'relay',
    `${which}: the selected pair's local candidate is relay (${pair && pair.local.candidateType})`);
  t.check(pair && pair.local.address === '127.0.0.1' && pair.local.port >= 40000 && pair.local.port <= 40999 &&
    (pair.local.url || '').includes(`:${turn.port}`),
  `${which}: allocated on our coturn (${pair && `${pair.local.address}:${pair.local.port} from ${pair.local.url}`})`);

  // webrtcsrc's side of the same path
  const st = await rx.stats();
  t.log(`webrtcsrc stats: ${JSON.stringify(st)}`);
  t.check(st.state === 'connected', `webrtcsrc: the publisher is connected (${st.state})`);
  const remote = st['remote-candidate'] || {};
  t.check(remote.candidateType === 'relay',
    `webrtcsrc: the publisher's remote candidate is relay (${remote.candidateType})`);
  t.check(pair && remote.address === pair.local.address && remote.port === pair.local.port,
    `webrtcsrc: it is Chromium's relayed address (${remote.address}:${remote.port})`);
  const local = st['local-candidate'] || {};
  // webrtcsrc itself is not forced to relay: from its host candidate (or its
  // own allocation) it reaches Chromium's relayed address; both are TURN
  t.check(['host', 'relay'].includes(local.candidateType),
    `webrtcsrc: its local candidate is ${local.candidateType} on ${local.address}:${local.port}`);

  // coturn's counters once the publisher has gone and every allocation has
  // ended: what it relayed from Chromium to the peer (sb, sent to peers) is
  // at least the RTP payload Chromium counted as sent
  t.check(/ALLOCATE processed, success/.test(turn.log()), "coturn's log shows a successful allocation");
  const sent = await page.evaluate(async () => {
    let n = 0;
    (await window.__testPcs.at(-1).getStats()).forEach((r) => { if (r.type === 'outbound-rtp') n += r.bytesSent; });
    return n;
  });
  await page.goto('about:blank');
  const left = await rx.waitFor((e) => e.event === 'sender-left', 30000);
  t.check(left !== null, `webrtcsrc: sender-left when the page went away (${left && left.reason})`);
  t.check(await turn.sessionsClosed(15000), 'coturn logged the end of every allocation after the publisher left');
  const usage = turn.peerUsage();
  t.log(`coturn peer usage: ${JSON.stringify(usage)}`);
  const relayed = usage.reduce((n, u) => n + u.sb, 0);
  if (!t.check(sent > 0 && relayed >= sent,
    `coturn relayed the media from Chromium (${relayed} bytes sent to peers from relayed addresses >= ${sent} RTP payload bytes Chromium sent)`)) {
    t.log(`coturn log:\n${turn.log().slice(-4000)}`);
  }

  t.check(!rx.events.some((e) => e.event === 'error'), 'no element error from webrtcsrc');
  const r = await rx.stop(20000);
  t.check(r !== null && r.code === 0, `the receiver stops cleanly (${JSON.stringify(r)})`);
  const errs = rx.stderr();
  t.check(!/CRITICAL|WARNING \*\*/.test(errs), 'no criticals or GLib warnings from the receiver');
  if (/CRITICAL|WARNING \*\*/.test(errs) || !r || r.code !== 0) t.log(`receiver stderr:\n${errs.slice(-4000)}`);
});
