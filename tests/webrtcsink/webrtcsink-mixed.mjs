// SPDX-License-Identifier: LGPL-2.1-or-later
// Encode once per codec, each viewer its own codec: webrtcsink with
// video-codecs=H264,VP8 serves headless Chromium (which takes H.264) and
// headless Firefox ESR (no H.264 here: it gets VP8) at the same time.  Both
// must decode 320x240 frames, and each browser's getStats() must name the
// codec it was meant to get, so packets of one codec never reach the other
// viewer (its decoder would see garbage under its payload type).
import { spawn } from 'node:child_process';
import process from 'node:process';
import { runTest } from '../browser/lib/run.mjs';

const RECORD_PCS = `(() => {
  const Orig = window.RTCPeerConnection;
  window.__testPcs = [];
  window.RTCPeerConnection = class extends Orig {
    constructor (...a) { super(...a); window.__testPcs.push(this); }
  };
})();`;

function startPipeline (t) {
  const pipeline = [
    'videotestsrc', 'is-live=true', '!', 'video/x-raw,width=320,height=240', '!',
    'webrtcsink', 'name=s', 'port=0', 'local-addresses=127.0.0.1', 'video-codecs=H264,VP8',
    'audiotestsrc', 'is-live=true', '!', 's.audio_0',
  ];
  const child = spawn('gst-launch-1.0', ['-e', ...pipeline], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GST_TRACERS: 'leaks', GST_DEBUG: 'leaks:2' },
  });
  let out = '';
  let err = '';
  t.onCleanup(() => new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGINT');
    setTimeout(() => { child.kill('SIGKILL'); }, 5000).unref();
  }));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/webrtcsink: open (http:\/\/\S+)/);
      if (m) resolve({ child, url: m[1], output: () => out + err });
    });
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => reject(new Error(`gst-launch-1.0 exited (${code}) before printing a URL:\n${out}${err}`)));
    child.on('error', reject);
  });
}

async function open (t, which, url) {
  const b = await t.browser(which);
  const page = await b.newPage();
  if (page.kind === 'playwright') await page.raw.addInitScript(RECORD_PCS);
  else await page.raw.evaluateOnNewDocument(RECORD_PCS);
  await page.goto(url);
  return page;
}

async function receivedCodecs (page) {
  return page.evaluate(async () => {
    const pcs = window.__testPcs || [];
    const pc = pcs[pcs.length - 1];
    const out = {};
    if (!pc) return out;
    const stats = await pc.getStats();
    stats.forEach((r) => {
      if (r.type !== 'inbound-rtp') return;
      const c = r.codecId && stats.get(r.codecId);
      out[r.kind || r.mediaType] = c ? c.mimeType : `(no codec stats: codecId ${r.codecId})`;
    });
    return out;
  });
}

await runTest('webrtcsink-mixed', { timeoutMs: 90000 }, async (t) => {
  const p = await startPipeline(t);
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

  const exited = new Promise((resolve) => p.child.once('exit', (code, signal) => resolve({ code, signal })));
  p.child.kill('SIGINT');
  const timer = new Promise((resolve) => setTimeout(() => resolve(null), 20000).unref());
  const r2 = await Promise.race([exited, timer]);
  t.check(r2 !== null && r2.code === 0,
    `gst-launch-1.0 stops cleanly with two viewers of two codecs (${JSON.stringify(r2)})`);
  const out = p.output();
  t.check(!/CRITICAL|WARNING \*\*|ERROR:/.test(out), 'no criticals, warnings or errors from the pipeline');
  t.check(!/object-alive|leaks detected/i.test(out), 'no GStreamer object or buffer leaked (leaks tracer)');
  if (r2 === null || r2.code !== 0) t.log(`pipeline output:\n${out}`);
});
