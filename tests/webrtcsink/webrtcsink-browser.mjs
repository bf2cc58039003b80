// SPDX-License-Identifier: LGPL-2.1-or-later
// webrtcsink end to end: a gst-launch pipeline (videotestsrc + audiotestsrc
// into webrtcsink, port 0) runs inside this test's loopback-only network
// namespace; a headless browser opens the URL it prints and must decode the
// 320x240 video the element serves, in the codec asked for, which the
// browser's own getStats() must name (inbound-rtp codecId -> codec mimeType).
//
//   --browser chromium|firefox
//   --codec VP8|H264|VP9|AV1  raw video, webrtcsink video-codecs=CODEC
//                          (default: the element's default list, which must
//                          give VP8)
//   --input raw|encoded    encoded: the pipeline encodes (vp8enc, vp9enc,
//                          openh264enc ! h264parse, av1enc) with keyframes
//                          only on request, and webrtcsink only payloads
import { parseArgs, runTest } from '../lib/run.mjs';
import { startPipeline } from '../lib/child.mjs';
import { receivedCodecs, recordPcs } from '../lib/pcstats.mjs';

const args = parseArgs();
const which = args.browser || 'chromium';
const codec = (args.codec || 'VP8').toUpperCase();
const input = args.input || 'raw';
const name = `webrtcsink-${which}${args.codec ? `-${codec.toLowerCase()}` : ''}${input === 'raw' ? '' : `-${input}`}`;

// Keyframes only when asked for (3000 frames apart): a viewer decodes only
// if webrtcsink's force-key-unit requests reach the encoder upstream.
const ENCODERS = {
  VP8: ['vp8enc', 'deadline=1', 'keyframe-max-dist=3000'],
  VP9: ['vp9enc', 'deadline=1', 'cpu-used=7', 'lag-in-frames=0', 'keyframe-max-dist=3000'],
  H264: ['openh264enc', 'gop-size=3000', '!', 'h264parse'],
  // profile 0 (4:2:0) is what browsers decode; libaom's realtime mode.
  // GStreamer 1.22's av1enc ignores force-key-unit, so keyframes every 2 s
  // here: this one tests the payloading of encoded input, not the requests.
  AV1: ['capsfilter', 'caps=video/x-raw,format=I420', '!', 'av1enc',
    'usage-profile=realtime', 'cpu-used=9', 'end-usage=cbr', 'target-bitrate=500',
    'lag-in-frames=0', 'threads=2', 'keyframe-max-dist=60',
    'min-quantizer=10', 'max-quantizer=56'],
};

function pipelineArgs () {
  const video = ['videotestsrc', 'is-live=true', '!', 'video/x-raw,width=320,height=240', '!'];
  if (input === 'encoded') video.push(...ENCODERS[codec], '!');
  const sinkArgs = ['webrtcsink', 'name=s', 'port=0', 'local-addresses=127.0.0.1'];
  if (input === 'encoded') {
    // the input's own codec wins over the list
    sinkArgs.push('video-codecs=VP9,AV1');
  } else if (args.codec) {
    sinkArgs.push(`video-codecs=${codec}`);
  }
  return [
    ...video, ...sinkArgs,
    'audiotestsrc', 'is-live=true', '!', 's.audio_0',
  ];
}

// A page whose RTCPeerConnections getStats() can reach (receivedCodecs()).
async function newPage (b) {
  return recordPcs(await b.newPage());
}

await runTest(name, { timeoutMs: 75000 }, async (t) => {
  // the leaks tracer reports GstObjects and buffers still alive at exit
  const p = await startPipeline(t, pipelineArgs(), { env: { GST_TRACERS: 'leaks', GST_DEBUG: 'leaks:2' } });
  t.log(`pipeline serves ${p.url}`);
  t.check(/^http:\/\/127\.0\.0\.1:\d+\/$/.test(p.url), `the printed URL is loopback (${p.url})`);

  const b = await t.browser(which);
  const page = await newPage(b);
  await page.goto(p.url);
  try {
    await page.waitFor('window.player && window.player.framesDecoded > 10 && window.player.width === 320', {
      timeoutMs: 30000,
      what: 'frames decoded from webrtcsink',
      describe: 'window.player',
    });
  } catch (e) {
    t.log(`pipeline output:\n${p.output()}`);
    throw e;
  }
  const r = await page.evaluate(() => JSON.parse(JSON.stringify(window.player)));
  t.log(`player: ${JSON.stringify(r)}`);
  t.check(r.framesDecoded > 10, `${which}: decoded frames from webrtcsink (${r.framesDecoded})`);
  t.check(r.width === 320 && r.height === 240, `${which}: the video is 320x240 (${r.width}x${r.height})`);
  t.check(r.state === 'playing', `${which}: the player is playing (${r.state})`);
  t.check(r.audio === true, `${which}: an audio track arrived (${r.audio})`);
  t.check(p.child.exitCode === null, 'the pipeline is still running');
  const codecs = await receivedCodecs(page);
  t.log(`getStats codecs: ${JSON.stringify(codecs)}`);
  t.check((codecs.video || '').toLowerCase() === `video/${codec.toLowerCase()}`,
    `${which}: getStats says the video is ${codec} (${codecs.video})`);
  t.check((codecs.audio || '').toLowerCase() === 'audio/opus',
    `${which}: getStats says the audio is Opus (${codecs.audio})`);

  // Encode once, fan out: a second viewer joins (and gets a keyframe), then
  // leaves (DELETE); the first one keeps playing.
  const page2 = await newPage(b);
  await page2.goto(p.url);
  await page2.waitFor('window.player && window.player.framesDecoded > 10 && window.player.width === 320', {
    timeoutMs: 30000,
    what: 'frames decoded by a second viewer',
    describe: 'window.player',
  });
  t.check(true, `${which}: a second viewer decodes frames too`);
  const codecs2 = await receivedCodecs(page2);
  t.check((codecs2.video || '').toLowerCase() === `video/${codec.toLowerCase()}`,
    `${which}: the second viewer's video is ${codec} too (${codecs2.video})`);
  await page2.goto('about:blank');
  const before = await page.evaluate(() => window.player.framesDecoded);
  await page.waitFor(`window.player.state === 'playing' && window.player.framesDecoded > ${before + 20}`, {
    timeoutMs: 15000,
    what: 'the first viewer still decoding after the second left',
    describe: 'window.player',
  });
  t.check(true, `${which}: the first viewer keeps playing after the second left`);

  // Stopping with a viewer connected: EOS, then NULL, must end the process
  // cleanly (every peer closed, the server stopped, no warnings).
  const r2 = await p.stop(20000);
  t.check(r2 !== null && r2.code === 0,
    `gst-launch-1.0 stops cleanly on Ctrl-C with a viewer connected (${JSON.stringify(r2)})`);
  const out = p.output();
  t.check(!/CRITICAL|WARNING \*\*|ERROR:/.test(out), 'no criticals, warnings or errors from the pipeline');
  t.check(!/object-alive|leaks detected/i.test(out), 'no GStreamer object or buffer leaked (leaks tracer)');
  if (r2 === null || r2.code !== 0) t.log(`pipeline output:\n${out}`);
  await page.waitFor('window.player.state !== "playing"', {
    timeoutMs: 10000,
    what: 'the player noticing the server went away',
    describe: 'window.player',
  });
  t.check(true, `${which}: the player noticed the stream ended`);
});
