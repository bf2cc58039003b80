// SPDX-License-Identifier: LGPL-2.1-or-later
// Encode once per codec, each viewer its own codec: webrtcsink with
// video-codecs=H264,VP8 serves headless Chromium (which takes H.264) and
// headless Firefox ESR (no H.264 here: it gets VP8) at the same time.  Both
// must decode 320x240 frames, and each browser's getStats() must name the
// codec it was meant to get, so packets of one codec never reach the other
// viewer (its decoder would see garbage under its payload type).
import { runTest } from '../lib/run.mjs';
import { startPipeline } from '../lib/child.mjs';
import { receivedCodecs, recordPcs } from '../lib/pcstats.mjs';

const PIPELINE = [
  'videotestsrc', 'is-live=true', '!', 'video/x-raw,width=320,height=240', '!',
  'webrtcsink', 'name=s', 'port=0', 'local-addresses=127.0.0.1', 'video-codecs=H264,VP8',
  'audiotestsrc', 'is-live=true', '!', 's.audio_0',
];

async function open (t, which, url) {
  const b = await t.browser(which);
  const page = await recordPcs(await b.newPage());
  await page.goto(url);
  return page;
}

await runTest('webrtcsink-mixed', { timeoutMs: 90000 }, async (t) => {
  const p = await startPipeline(t, PIPELINE, { env: { GST_TRACERS: 'leaks', GST_DEBUG: 'leaks:2' } });
  t.log(`pipeline serves ${p.url}`);
  const viewers = [
    { which: 'chromium', codec: 'video/h264' },
    { which: 'firefox', codec: 'video/vp8' },
  ];
  for (const v of viewers) v.page = await open(t, v.which, p.url);
  try {
    for (const v of viewers) {
      await v.page.waitFor('window.player && window.player.framesDecoded > 10 && window.player.width === 320', {
        timeoutMs: 30000,
        what: `frames decoded by ${v.which}`,
        describe: 'window.player',
      });
    }
  } catch (e) {
    t.log(`pipeline output:\n${p.output()}`);
    throw e;
  }
  for (const v of viewers) {
    const r = await v.page.evaluate(() => JSON.parse(JSON.stringify(window.player)));
    const codecs = await receivedCodecs(v.page);
    t.log(`${v.which}: ${JSON.stringify(codecs)} ${r.width}x${r.height}, ${r.framesDecoded} frames`);
    t.check(r.width === 320 && r.height === 240 && r.framesDecoded > 10,
      `${v.which}: decodes 320x240 (${r.width}x${r.height}, ${r.framesDecoded} frames)`);
    t.check((codecs.video || '').toLowerCase() === v.codec,
      `${v.which}: getStats says the video is ${v.codec} (${codecs.video})`);
    t.check((codecs.audio || '').toLowerCase() === 'audio/opus',
      `${v.which}: getStats says the audio is Opus (${codecs.audio})`);
  }
  // both keep decoding side by side
  for (const v of viewers) {
    const before = await v.page.evaluate(() => window.player.framesDecoded);
    await v.page.waitFor(`window.player.state === 'playing' && window.player.framesDecoded > ${before + 20}`, {
      timeoutMs: 15000,
      what: `${v.which} still decoding beside the other`,
      describe: 'window.player',
    });
    t.check(true, `${v.which}: keeps decoding while the other codec is served too`);
  }

  const r2 = await p.stop(20000);
  t.check(r2 !== null && r2.code === 0,
    `gst-launch-1.0 stops cleanly with two viewers of two codecs (${JSON.stringify(r2)})`);
  const out = p.output();
  t.check(!/CRITICAL|WARNING \*\*|ERROR:/.test(out), 'no criticals, warnings or errors from the pipeline');
  t.check(!/object-alive|leaks detected/i.test(out), 'no GStreamer object or buffer leaked (leaks tracer)');
  if (r2 === null || r2.code !== 0) t.log(`pipeline output:\n${out}`);
});
