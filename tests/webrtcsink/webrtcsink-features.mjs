// SPDX-License-Identifier: LGPL-2.1-or-later
// webrtcsink's HTTP features with a real viewer: headless Chromium opens the
// player over HTTPS (a self-signed certificate made here with openssl;
// Chromium runs with --ignore-certificate-errors), with a token, and must
// play; the player must have configured its RTCPeerConnection with the ICE
// servers of the element's stun-server and turn-servers (from config.json);
// /stats.json must show the viewer connected with packets sent on both
// tracks; the /stats page must show it too.  All inside this test's
// loopback-only network namespace (nothing listens on the STUN/TURN port:
// host candidates carry the media).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, runTest } from '../lib/run.mjs';
import { startPipeline } from '../lib/child.mjs';

const args = parseArgs();
const which = args.browser || 'chromium';
const TOKEN = 's3cr3t';

function makeCert (t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webrtcsink-features-'));
  t.onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-nodes', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '2',
    '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

function pipeline ({ cert, key }) {
  return [
    'videotestsrc', 'is-live=true', '!', 'video/x-raw,width=320,height=240', '!',
    'webrtcsink', 'name=s', 'port=0', 'local-addresses=127.0.0.1',
    `tls-certificate=${cert}`, `tls-key=${key}`, `token=${TOKEN}`,
    'stun-server=stun://127.0.0.1:3478',
    'turn-servers=turn://user:pass@127.0.0.1:3478?transport=udp',
    'audiotestsrc', 'is-live=true', '!', 's.audio_0',
  ];
}

await runTest(`webrtcsink-features-${which}`, { timeoutMs: 80000 }, async (t) => {
  const p = await startPipeline(t, pipeline(makeCert(t)));
  t.log(`pipeline serves ${p.url}`);
  t.require(/^https:\/\/127\.0\.0\.1:\d+\/$/.test(p.url), `the printed URL is https (${p.url})`);

  const b = await t.browser(which, { ignoreHTTPSErrors: true });
  const page = await b.newPage();
  await page.goto(`${p.url}?token=${TOKEN}`);
  try {
    await page.waitFor('window.player && window.player.framesDecoded > 10 && window.player.width === 320', {
      timeoutMs: 30000,
      what: 'frames decoded over HTTPS',
      describe: 'window.player',
    });
  } catch (e) {
    t.log(`pipeline output:\n${p.output()}`);
    throw e;
  }
  const r = await page.evaluate(() => JSON.parse(JSON.stringify(window.player)));
  t.check(r.state === 'playing' && r.framesDecoded > 10,
    `${which}: the player plays over HTTPS with the token (${r.state}, ${r.framesDecoded} frames)`);

  // config.json -> RTCPeerConnection configuration
  t.log(`player.iceServers: ${JSON.stringify(r.iceServers)}`);
  t.check(JSON.stringify(r.iceServers) === JSON.stringify([
    { urls: ['stun:127.0.0.1:3478'] },
    { urls: ['turn:127.0.0.1:3478?transport=udp'], username: 'user' },
  ]), `${which}: the RTCPeerConnection has the element's STUN and TURN servers (${JSON.stringify(r.iceServers)})`);

  // stats.json with a connected viewer (same origin, the page's fetch)
  const stats = async (token) => page.evaluate(async (tok) => {
    const res = await fetch('stats.json', { cache: 'no-store', headers: tok ? { Authorization: `Bearer ${tok}` } : {} });
    return { status: res.status, body: res.ok ? await res.json() : await res.text() };
  }, token);
  const denied = await stats(null);
  t.check(denied.status === 401, `stats.json without the token: 401 (${denied.status})`);
  const first = await stats(TOKEN);
  t.require(first.status === 200, `stats.json with the token: 200 (${first.status})`);
  const s = first.body;
  t.log(`stats.json: ${JSON.stringify(s)}`);
  const peer = (s.peers || [])[0] || {};
  t.check(s.viewers === 1 && s.peers.length === 1, `stats.json: one viewer (${s.viewers})`);
  t.check(peer.state === 'connected', `stats.json: the viewer is connected (${peer.state})`);
  const out = peer['outbound-rtp'] || [];
  const video = out.find((o) => o.kind === 'video') || {};
  const audio = out.find((o) => o.kind === 'audio') || {};
  t.check(video.packetsSent > 10 && video.bytesSent > 1000 && video.trackIdentifier === 'video_0',
    `stats.json: video outbound-rtp counts packets and bytes (${video.packetsSent} packets, ${video.bytesSent} bytes)`);
  t.check(audio.packetsSent > 10 && audio.bytesSent > 100 && audio.mimeType === 'audio/opus',
    `stats.json: audio outbound-rtp counts packets and bytes (${audio.packetsSent} packets, ${audio.bytesSent} bytes)`);
  t.check(['nackCount', 'pliCount', 'firCount', 'retransmittedPacketsSent'].every((k) => Number.isInteger(video[k])),
    `stats.json: NACK, PLI, FIR and retransmission counters are there (${video.nackCount}/${video.pliCount}/${video.firCount}/${video.retransmittedPacketsSent})`);
  // media keeps flowing: a later read counts more (read again until it
  // does, within a deadline)
  let video2 = {};
  for (let i = 0; i < 50 && !(video2.packetsSent > video.packetsSent); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = await stats(TOKEN);
    video2 = ((again.body.peers || [])[0]?.['outbound-rtp'] || []).find((o) => o.kind === 'video') || {};
  }
  t.check(video2.packetsSent > video.packetsSent, `stats.json: packetsSent grows (${video.packetsSent} -> ${video2.packetsSent})`);

  // the /stats page, with and without the token
  const sp = await b.newPage();
  await sp.goto(`${p.url}stats?token=${TOKEN}`);
  await sp.waitFor('window.stats && window.stats.polls >= 3 && window.stats.last.peers.length === 1 && Object.values(window.stats.bitrates).some((x) => x > 0)', {
    timeoutMs: 10000,
    what: 'the stats page showing the viewer with a bitrate',
    describe: 'window.stats',
  });
  const table = await sp.evaluate(() => document.querySelector('#viewers tbody').innerText);
  t.check(/connected/.test(table) && /video_0/.test(table) && /audio_0/.test(table) && /video\/VP8|video\/\w+/.test(table),
    `the stats page shows the viewer's tracks (${JSON.stringify(table.slice(0, 200))})`);
  const inputs = await sp.evaluate(() => document.querySelector('#streams tbody').innerText);
  t.check(/video_0/.test(inputs) && /audio_0/.test(inputs), 'the stats page lists the inputs');
  const sp2 = await b.newPage();
  await sp2.goto(`${p.url}stats`);
  await sp2.waitFor('window.stats && window.stats.errors >= 1', {
    timeoutMs: 10000, what: 'the stats page without a token failing', describe: 'window.stats',
  });
  const e = await sp2.evaluate(() => window.stats.lastError);
  t.check(/^401/.test(e), `the stats page without the token shows the 401 (${e})`);

  // Ctrl-C with a viewer connected ends the process cleanly
  const r2 = await p.stop(20000);
  t.check(r2 !== null && r2.code === 0, `gst-launch-1.0 stops cleanly (${JSON.stringify(r2)})`);
  const log = p.output();
  t.check(!/CRITICAL|WARNING \*\*|ERROR:/.test(log), 'no criticals, warnings or errors from the pipeline');
  if (r2 === null || r2.code !== 0) t.log(`pipeline output:\n${log}`);
});
