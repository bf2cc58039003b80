// SPDX-License-Identifier: LGPL-2.1-or-later
// webrtcsrc as a WHIP server, a browser publishing into it: inside this
// test's loopback-only network namespace, whip_receiver.py (one webrtcsrc,
// port=0, local-addresses=127.0.0.1, every pad counted into a fakesink,
// one JSON line per event) runs in the isolated environment; a headless
// browser opens URL/publish?autostart=1 (the page webrtcsrc serves: fake
// camera and microphone, sendonly, a "chat" data channel, WHIP POST +
// PATCH trickle).  Checks: video_0 and audio_0 appear with raw caps (and
// data_0, the page's channel), the video of the size the
// browser says it sends (window.publisher.width/height), frames and audio
// buffers keep arriving, track-added named the codecs; a second publisher
// (a real offer from the same browser) gets 409 with a reason while the
// first is live; then the page is left (its pagehide DELETE): sender-left
// fires, both pads get EOS; the receiver stops cleanly.
//
//   --browser chromium|firefox [--codec VP8|H264]
//   (--codec H264: webrtcsrc video-codecs=H264, so the browser must send
//   H.264 and webrtcsrc decode it; Chromium only: Firefox here has none)
import { parseArgs, runTest } from '../lib/run.mjs';
import { startWhipReceiver } from '../lib/interop.mjs';

const args = parseArgs();
const which = args.browser || 'chromium';
// the video codec the browser sends: webrtcsrc prefers VP8 by default
// (TESTING.md: Firefox has no H.264)
const WANT_VIDEO = (args.codec || 'VP8').toUpperCase();

await runTest(`webrtcsrc-publish-${which}`, { timeoutMs: 110000 }, async (t) => {
  const rx = await startWhipReceiver(t, WANT_VIDEO !== 'VP8' ? ['--video-codecs', WANT_VIDEO] : []);
  const ready = await rx.waitFor((e) => e.event === 'url' || e.event === 'fatal' || e.event === 'exit', 20000);
  if (!ready || ready.event !== 'url') t.log(`receiver stderr:\n${rx.stderr()}`);
  t.require(ready && ready.event === 'url', `webrtcsrc listens (${JSON.stringify(ready)})`);
  const url = ready.url;
  t.check(/^http:\/\/127\.0\.0\.1:\d+\/$/.test(url), `the url property is loopback (${url})`);
  const impl = rx.events.find((e) => e.event === 'impl');
  t.check(impl && /libgstwebrtcsrcbin/.test(impl.plugin || ''), `webrtcsrc is ours (${impl && impl.plugin})`);

  const b = await t.browser(which);
  const page = await b.newPage();
  await page.goto(`${url}publish?autostart=1`);
  try {
    await page.waitFor('window.publisher && window.publisher.state === "publishing" && window.publisher.framesSent > 10 && window.publisher.width > 0', {
      timeoutMs: 30000,
      what: 'the page publishing',
      describe: 'window.publisher',
    });
  } catch (e) {
    t.log(`receiver events: ${JSON.stringify(rx.events.slice(-20))}\nstderr:\n${rx.stderr().slice(-4000)}`);
    throw e;
  }
  const pub = await page.evaluate(() => JSON.parse(JSON.stringify(window.publisher)));
  t.log(`publisher: ${JSON.stringify(pub)}`);
  t.check(pub.connectionState === 'connected', `${which}: the page's connection is connected (${pub.connectionState})`);
  t.check(/\/whip\/./.test(pub.location || ''), `${which}: POST /whip gave a resource (${pub.location})`);

  // frames and audio buffers through webrtcsrc
  const media = await rx.waitFor((e) => e.event === 'counts' &&
    (e.counts.video_0 || 0) >= 30 && (e.counts.audio_0 || 0) >= 20, 30000);
  t.check(media !== null, `webrtcsrc outputs >= 30 video frames and >= 20 audio buffers (${JSON.stringify(rx.counts())})`);
  const pads = rx.events.filter((e) => e.event === 'pad').map((e) => e.pad).sort();
  // data_0: the page's "chat" data channel (its message panel)
  t.check(JSON.stringify(pads) === '["audio_0","data_0","video_0"]',
    `webrtcsrc added video_0, audio_0 and data_0 (the page's chat channel), nothing else (${pads})`);
  const tracks = rx.events.filter((e) => e.event === 'track').map((e) => `${e.pad}:${e.codec}`).sort();
  t.check(JSON.stringify(tracks) === `["audio_0:OPUS","video_0:${WANT_VIDEO}"]`,
    `track-added named video_0 ${WANT_VIDEO} and audio_0 OPUS (${tracks})`);

  // decoded video of the size the browser sends (its fake camera may
  // change size once at the start: the last caps are what it sends now)
  const size = await page.evaluate(() => [window.publisher.width, window.publisher.height]);
  const vcaps = rx.events.filter((e) => e.event === 'caps' && e.pad === 'video_0');
  const last = vcaps[vcaps.length - 1];
  t.check(last && last.media === 'video/x-raw', `video_0 is raw video (${last && last.caps})`);
  t.check(last && last.width === size[0] && last.height === size[1],
    `${which}: video_0 is ${size[0]}x${size[1]}, the size the browser sends (caps ${last && last.width}x${last && last.height})`);
  const acaps = rx.events.filter((e) => e.event === 'caps' && e.pad === 'audio_0').pop();
  t.check(acaps && acaps.media === 'audio/x-raw', `audio_0 is raw audio (${acaps && acaps.caps})`);

  // media keeps coming
  const c0 = rx.counts();
  const more = await rx.waitFor((e) => e.event === 'counts' &&
    e.counts.video_0 >= c0.video_0 + 30 && e.counts.audio_0 >= c0.audio_0 + 20, 20000);
  t.check(more !== null, `frames and audio keep arriving (${JSON.stringify(c0)} -> ${JSON.stringify(rx.counts())})`);
  t.check(!rx.events.some((e) => e.event === 'error'), 'no element error while publishing');

  // transport-wide congestion control is negotiated with the browser and
  // webrtcsrc's rtpbin sends it the feedback its bandwidth estimation uses
  rx.child.stdin.write('stats\n');
  const st = await rx.waitFor((e) => e.event === 'stats', 10000);
  t.check(st && st.twcc > 0, `${which}: webrtcsrc sent transport-cc feedback (${JSON.stringify(st)})`);

  // A second publisher while one is live: 409 with a reason.
  const second = await page.evaluate(async () => {
    const pc = new RTCPeerConnection();
    pc.addTransceiver('video', { direction: 'sendonly' });
    pc.addTransceiver('audio', { direction: 'sendonly' });
    const offer = await pc.createOffer();
    pc.close();
    const r = await fetch('whip', { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: offer.sdp });
    return { status: r.status, body: await r.text() };
  });
  t.check(second.status === 409 && second.body.trim().length > 3,
    `a second publisher while one is live: ${second.status} '${second.body.trim().slice(0, 80)}'`);

  // The page goes away (its pagehide DELETE): sender-left, EOS on both pads.
  await page.goto('about:blank');
  const left = await rx.waitFor((e) => e.event === 'sender-left', 30000);
  t.check(left !== null, `sender-left fired when the page went away (${left && left.reason})`);
  const eosV = await rx.waitFor((e) => e.event === 'eos' && e.pad === 'video_0', 30000);
  const eosA = await rx.waitFor((e) => e.event === 'eos' && e.pad === 'audio_0', 30000);
  t.check(eosV !== null && eosA !== null, `both pads got EOS (video ${!!eosV}, audio ${!!eosA})`);

  // the receiver stops cleanly
  const r = await rx.stop(20000);
  t.check(r !== null && r.code === 0, `the receiver stops cleanly (${JSON.stringify(r)})`);
  const errs = rx.stderr();
  t.check(!/CRITICAL|WARNING \*\*/.test(errs), 'no criticals or GLib warnings from the receiver');
  if (/CRITICAL|WARNING \*\*/.test(errs) || !r || r.code !== 0) t.log(`receiver stderr:\n${errs.slice(-4000)}`);
});
