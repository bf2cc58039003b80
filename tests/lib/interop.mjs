// SPDX-License-Identifier: LGPL-2.1-or-later
// What the node interop tests (tests/interop/webrtcsink_*.mjs and
// webrtcsrc_*.mjs) share: the npm peers, our elements and a gst-launch-1.0
// RTP sender in child processes, WHEP/WHIP over HTTP.
//
//   const { RTCPeerConnection } = await importPeer(t, 'werift');
//   const sink = await startSink(t);        // webrtcsink: sink.url, sink.stats()
//   const rx = await startWhipReceiver(t);  // webrtcsrc:  rx.url, rx.counts()
//   const rx = await startWhepReceiver(t, `${sink.url}whep`);  // WHEP client
//   const r = await post(`${sink.url}whep`, offerSdp);   // {status, answer, resource}
//   await del(r.resource);
//
// The tests run through tests/lib/run.mjs: a loopback-only network
// namespace (so every candidate anyone gathers is 127.0.0.1), a deadline,
// PASS/FAIL lines, and cleanups that stop every child even on failure.
// The children inherit this process's environment, which under meson test
// is the isolated one (gst_env): they load our plugins.

import dgram from 'node:dgram';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnChild, spawnJsonChild } from './child.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const tests = path.resolve(here, '..');
// Debian's python3 has gi (a pyenv python3 on PATH may not).
const PYTHON = '/usr/bin/python3';

/* The npm module @name from tests/node_modules (tests/package.json); a
 * missing one fails the test with what to run (a test never skips). */
export async function importPeer (t, name) {
  // resolved from this file: tests/node_modules
  let m;
  try {
    m = await import(name);
  } catch (e) {
    t.require(false, `npm module ${name} loads from tests/node_modules ` +
      `(run scripts/setup.sh, or npm ci in tests): ${e.message}`);
  }
  return m.default || m; // @roamhq/wrtc is CommonJS
}

/* The plugin file must be our build's (GST_PLUGIN_PATH's first entry), or
 * the test would pass on some other element. */
export function checkOurs (t, what, plugin) {
  const build = (process.env.GST_PLUGIN_PATH || '').split(path.delimiter)[0];
  t.require(build && (plugin || '').startsWith(build),
    `${what} is ours (${plugin}; build ${build || 'unset: run through meson test or scripts/gst-env'})`);
}

/* Our webrtcsink serving 320x240 30 fps video and audio on port 0,
 * local-addresses=127.0.0.1: the sink side of webrtcsink_webrtcbin.py
 * (events viewer-added, viewer-removed; a stats command). */
export async function startSink (t) {
  const quit = (child) => { if (!child.stdin.writableEnded) child.stdin.end(); };
  const c = spawnJsonChild(t, PYTHON, [path.join(tests, 'interop', 'webrtcsink_webrtcbin.py'), '--side', 'sink'],
    { stdin: 'pipe', stop: quit, killAfterMs: 10000 });
  const impl = await c.waitFor((e) => ['impl', 'fatal', 'exit'].includes(e.event), 20000);
  if (!impl || impl.event !== 'impl') t.log(`sink stderr:\n${c.stderr()}`);
  checkOurs(t, 'webrtcsink', impl && impl.plugin);
  const ready = await c.waitFor((e) => ['ready', 'fatal', 'exit'].includes(e.event), 20000);
  t.require(ready && ready.event === 'ready' && ready.playing && /^http:\/\/127\.0\.0\.1:\d+\/$/.test(ready.url),
    `webrtcsink PLAYING on loopback (${JSON.stringify(ready)})`);
  let seq = 0;
  return {
    ...c,
    url: ready.url,
    /* {viewers, total}: the element's stats property, read now. */
    async stats () {
      const s = ++seq;
      c.child.stdin.write(JSON.stringify({ cmd: 'stats', seq: s }) + '\n');
      return await c.waitFor((e) => e.event === 'stats' && e.seq === s, 10000) || {};
    },
  };
}

/* Our webrtcsrc as a WHIP server on port 0, local-addresses=127.0.0.1,
 * decoded pads counted into fakesinks (tests/lib/whip_receiver.py:
 * events pad, track, caps, counts, eos, sender-left, error; a "stats"
 * line on its stdin gives a stats event). */
export async function startWhipReceiver (t, args = []) {
  return startReceiver(t, args, true);
}

/* The same webrtcsrc as a WHEP client of @whepUrl (no url of its own). */
export async function startWhepReceiver (t, whepUrl, args = []) {
  return startReceiver(t, ['--whep-url', whepUrl, ...args], false);
}

async function startReceiver (t, args, serves) {
  const quit = (child) => { if (!child.stdin.writableEnded) child.stdin.end('quit\n'); };
  const c = spawnJsonChild(t, PYTHON, [path.join(here, 'whip_receiver.py'), ...args],
    { stdin: 'pipe', stop: quit, killAfterMs: 10000 });
  const impl = await c.waitFor((e) => ['impl', 'fatal', 'exit'].includes(e.event), 20000);
  if (!impl || impl.event !== 'impl') t.log(`receiver stderr:\n${c.stderr()}`);
  checkOurs(t, 'webrtcsrc', impl && impl.plugin);
  const ready = await c.waitFor((e) => ['url', 'fatal', 'exit'].includes(e.event), 20000);
  if (serves) {
    t.require(ready && ready.event === 'url' && /^http:\/\/127\.0\.0\.1:\d+\/$/.test(ready.url),
      `webrtcsrc listens on loopback (${JSON.stringify(ready)})`);
  } else {
    t.require(ready && ready.event === 'url', `webrtcsrc (WHEP client) is PLAYING (${JSON.stringify(ready)})`);
  }
  return {
    ...c,
    url: ready.url,
    counts: () => (c.latest('counts') || { counts: {} }).counts,
    /* The caps event of @pad that came last (a size change shows last). */
    caps: (pad) => c.events.filter((e) => e.event === 'caps' && e.pad === pad).pop() || null,
    /* The element's stats now (whip_receiver.py's stats event), or {}. */
    async stats () {
      const n = c.events.length;
      c.child.stdin.write('stats\n');
      return await c.waitFor((e) => e.event === 'stats' && c.events.indexOf(e) >= n, 10000) || {};
    },
  };
}

/* A gst-launch-1.0 child sending 320x240 VP8 (a keyframe every 15
 * frames: nothing carries a keyframe request back to it, and what is sent
 * before the peer's DTLS is up is lost) and Opus as RTP to two UDP sockets
 * of ours on 127.0.0.1: {video, audio} call @onVideo and @onAudio with
 * each datagram (an RTP packet), as werift's examples feed writeRtp(). */
export async function startRtpSender (t, { onVideo, onAudio }) {
  const bind = async (cb) => {
    const s = dgram.createSocket('udp4');
    s.on('message', (msg) => cb(msg));
    await new Promise((resolve) => s.bind(0, '127.0.0.1', resolve));
    t.onCleanup(() => s.close());
    return s.address().port;
  };
  const vport = await bind(onVideo);
  const aport = await bind(onAudio);
  const pipeline = [
    'videotestsrc', 'is-live=true', 'pattern=ball', '!',
    'video/x-raw,width=320,height=240,framerate=30/1', '!',
    'vp8enc', 'deadline=1', 'keyframe-max-dist=15', '!',
    'rtpvp8pay', 'pt=96', 'mtu=1200', 'picture-id-mode=15-bit', '!',
    'udpsink', 'host=127.0.0.1', `port=${vport}`, 'sync=false',
    'audiotestsrc', 'is-live=true', '!', 'opusenc', '!', 'rtpopuspay', 'pt=111', '!',
    'udpsink', 'host=127.0.0.1', `port=${aport}`, 'sync=false',
  ];
  return spawnChild(t, 'gst-launch-1.0', pipeline);
}

/* POST an SDP offer (WHEP or WHIP): {status, answer, resource (absolute
 * URL of the Location), text}. */
export async function post (url, sdp) {
  const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: sdp });
  const text = await r.text();
  const loc = r.headers.get('location');
  return {
    status: r.status,
    type: r.headers.get('content-type'),
    answer: r.status === 201 ? text : null,
    resource: loc ? new URL(loc, url).href : null,
    text,
  };
}

export async function del (url) {
  const r = await fetch(url, { method: 'DELETE' });
  await r.text();
  return r.status;
}

/* The payload type the answer gives @codec in its m=@kind section. */
export function answeredPt (sdp, kind, codec) {
  const section = sdp.split(/^(?=m=)/m).find((s) => s.startsWith(`m=${kind} `)) || '';
  const m = section.match(new RegExp(`^a=rtpmap:(\\d+) ${codec}/`, 'mi'));
  return m ? Number(m[1]) : null;
}

/* The connection address of each a=candidate line. */
export function candidateAddresses (sdp) {
  return [...sdp.matchAll(/^a=candidate:\S+ \d+ \S+ \d+ (\S+) /gm)].map((m) => m[1]);
}

/* At least one candidate, and every one on loopback (the namespace has
 * only lo; libwebrtc gathers ::1 as well as 127.0.0.1). */
export function loopbackOnly (addrs) {
  return addrs.length > 0 && addrs.every((a) => a === '127.0.0.1' || a === '::1');
}

/* Resolves once @pc (W3C API: @roamhq/wrtc) has gathered every candidate
 * (we do not trickle ours: they all go in the POST). */
export function gatheringComplete (pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const prev = pc.onicegatheringstatechange;
    pc.onicegatheringstatechange = (ev) => {
      if (prev) prev(ev);
      if (pc.iceGatheringState === 'complete') resolve();
    };
  });
}

/* Polls @fn until it returns something truthy, or null after @ms (a
 * deadline only, never asserted). */
export async function until (fn, ms, every = 100) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() >= end) return null;
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}

/* A STUN server on 127.0.0.1 that answers Binding requests with the
 * sender's address (RFC 8489: XOR-MAPPED-ADDRESS, nothing else): werift
 * queries Google's public one when given none (a DNS look-up that stalls
 * its gathering for 5 s in the namespace).  Resolves to its stun: URL. */
async function startStunServer (t) {
  const s = dgram.createSocket('udp4');
  s.on('message', (req, from) => {
    if (req.length < 20 || req.readUInt16BE(0) !== 0x0001 || req.readUInt32BE(4) !== 0x2112a442) return;
    const res = Buffer.alloc(32);
    res.writeUInt16BE(0x0101, 0); // Binding success response
    res.writeUInt16BE(12, 2);
    req.copy(res, 4, 4, 20); // magic cookie, transaction id
    res.writeUInt16BE(0x0020, 20); // XOR-MAPPED-ADDRESS
    res.writeUInt16BE(8, 22);
    res.writeUInt16BE(0x0001, 24); // IPv4
    res.writeUInt16BE(from.port ^ 0x2112, 26);
    const ip = from.address.split('.').reduce((a, b) => a * 256 + Number(b), 0);
    res.writeUInt32BE((ip ^ 0x2112a442) >>> 0, 28);
    s.send(res, from.port, from.address);
  });
  await new Promise((resolve) => s.bind(0, '127.0.0.1', resolve));
  t.onCleanup(() => s.close());
  return `stun:127.0.0.1:${s.address().port}`;
}

/* A werift RTCPeerConnection configuration: VP8 and Opus (werift carries
 * RTP, it has no codecs of its own to offer), its ICE on 127.0.0.1 (werift
 * skips loopback interfaces unless told), IPv4 only, and a STUN server of
 * ours on loopback (see startStunServer). */
export async function weriftConfig (t, werift) {
  const { RTCRtpCodecParameters } = werift;
  return {
    bundlePolicy: 'max-bundle',
    codecs: {
      video: [new RTCRtpCodecParameters({
        mimeType: 'video/VP8',
        clockRate: 90000,
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
      })],
      audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })],
    },
    iceServers: [{ urls: await startStunServer(t) }],
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceUseIpv6: false,
  };
}

/* The start of a VP8 keyframe in an RTP payload: {width, height} from its
 * frame header, else null.  RFC 7741 section 4.2: the payload descriptor
 * (X, S, PID; then I, L, T, K; a 7- or 15-bit picture id, TL0PICIDX,
 * TID/KEYIDX), then, at the start of partition 0, the VP8 frame tag (RFC
 * 6386 section 9.1) whose P bit is 0 for a key frame, its start code and
 * its 14-bit width and height. */
export function vp8Keyframe (p) {
  if (p.length < 1) return null;
  let i = 1;
  const x = p[0] & 0x80;
  const start = p[0] & 0x10;
  const pid = p[0] & 0x07;
  if (x) {
    if (p.length < 2) return null;
    const ext = p[1];
    i = 2;
    if (ext & 0x80) i += (p[i] & 0x80) ? 2 : 1; // I: picture id, M bit
    if (ext & 0x40) i += 1; // L: TL0PICIDX
    if (ext & 0x30) i += 1; // T or K: TID/Y/KEYIDX
  }
  if (!start || pid !== 0 || p.length < i + 10) return null;
  if (p[i] & 0x01) return null; // P: 1 is an interframe
  if (p[i + 3] !== 0x9d || p[i + 4] !== 0x01 || p[i + 5] !== 0x2a) return null;
  return {
    width: (p[i + 6] | (p[i + 7] << 8)) & 0x3fff,
    height: (p[i + 8] | (p[i + 9] << 8)) & 0x3fff,
  };
}
