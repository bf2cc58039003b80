// SPDX-License-Identifier: LGPL-2.1-or-later
// webrtcsink end to end: a gst-launch pipeline (videotestsrc + audiotestsrc
// into webrtcsink, port 0) runs inside this test's loopback-only network
// namespace; a headless browser opens the URL it prints and must decode the
// 320x240 video the element serves.
import { spawn } from 'node:child_process';
import process from 'node:process';
import { parseArgs, runTest } from '../browser/lib/run.mjs';

const args = parseArgs();
const which = args.browser || 'chromium';

function startPipeline (t) {
  const pipeline = [
    'videotestsrc', 'is-live=true', '!', 'video/x-raw,width=320,height=240', '!',
    'webrtcsink', 'name=s', 'port=0', 'local-addresses=127.0.0.1',
    'audiotestsrc', 'is-live=true', '!', 's.audio_0',
  ];
  const child = spawn('gst-launch-1.0', ['-e', ...pipeline], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // the leaks tracer reports GstObjects and buffers still alive at exit
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

await runTest(`webrtcsink-${which}`, { timeoutMs: 75000 }, async (t) => {
  const p = await startPipeline(t);
  t.log(`pipeline serves ${p.url}`);
  t.check(/^http:\/\/127\.0\.0\.1:\d+\/$/.test(p.url), `the printed URL is loopback (${p.url})`);

  const b = await t.browser(which);
  const page = await b.newPage();
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

  // Encode once, fan out: a second viewer joins (and gets a keyframe), then
  // leaves (DELETE); the first one keeps playing.
  const page2 = await b.newPage();
  await page2.goto(p.url);
  await page2.waitFor('window.player && window.player.framesDecoded > 10 && window.player.width === 320', {
    timeoutMs: 30000,
    what: 'frames decoded by a second viewer',
    describe: 'window.player',
  });
  t.check(true, `${which}: a second viewer decodes frames too`);
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
  const exited = new Promise((resolve) => p.child.once('exit', (code, signal) => resolve({ code, signal })));
  p.child.kill('SIGINT');
  const timer = new Promise((resolve) => setTimeout(() => resolve(null), 20000).unref());
  const r2 = await Promise.race([exited, timer]);
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
