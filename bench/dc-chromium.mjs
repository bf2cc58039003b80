// SPDX-License-Identifier: LGPL-2.1-or-later
// gst-plugins-webrtc benchmark anchor: Chromium's data channels, two
// RTCPeerConnections in one headless page (Debian's chromium driven by
// playwright-core, tests/lib/browsers.mjs), the same measurements, options
// and output lines as bench/dc-throughput.c (ours); bench/dc-bench.py
// runs it inside a network namespace that has only lo.
//
//   node bench/dc-chromium.mjs throughput [--size B] [--bytes N]
//       [--high B] [--low B]
//     pc1's channel (reliable, ordered, binaryType arraybuffer) sends N
//     bytes in messages of B bytes while bufferedAmount <= --high, then
//     waits for bufferedamountlow (bufferedAmountLowThreshold --low); pc2
//     counts and checks them.  cpu_s: user + system time of every process
//     of the browser (the /proc tree under this node process), so both
//     ends, over the transfer.
//   node bench/dc-chromium.mjs open [--runs N]
//     N pairs one after the other in the page: createOffer() (pcs and
//     channel constructed) until the channel is open on both sides.
//
// Prints 'error: ...' and exits 1 when something does not work.

import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { launchBrowser } from '../tests/lib/browsers.mjs';
import { startServer } from '../tests/lib/http.mjs';

const argv = process.argv.slice(2);
const mode = argv[0];
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const size = opt('size', 65536);
const total = Math.ceil(opt('bytes', 256e6) / size) * size;
const high = opt('high', 4 * 1024 * 1024);
const low = opt('low', 1024 * 1024);
const runs = opt('runs', 3);
const TICK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

// user + system seconds of every process below this one (the browser's)
function treeCpu () {
  const kids = new Map();
  const stat = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let s;
    try { s = fs.readFileSync(`/proc/${d}/stat`, 'utf8'); } catch { continue; }
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(f[1]);
    stat.set(Number(d), (Number(f[11]) + Number(f[12])) / TICK);
    if (!kids.has(ppid)) kids.set(ppid, []);
    kids.get(ppid).push(Number(d));
  }
  let sum = 0;
  const todo = [...(kids.get(process.pid) || [])];
  while (todo.length) {
    const p = todo.pop();
    sum += stat.get(p) || 0;
    todo.push(...(kids.get(p) || []));
  }
  return sum;
}

// In the page: two connected pcs and pc1's channel open on both sides.
async function pagePair () {
  const pc1 = new RTCPeerConnection();
  const pc2 = new RTCPeerConnection();
  pc1.onicecandidate = (e) => e.candidate && pc2.addIceCandidate(e.candidate);
  pc2.onicecandidate = (e) => e.candidate && pc1.addIceCandidate(e.candidate);
  const tx = pc1.createDataChannel('bench', { ordered: true });
  tx.binaryType = 'arraybuffer';
  const txOpen = new Promise((resolve) => { tx.onopen = () => resolve(performance.now()); });
  let rxResolve;
  const rxOpen = new Promise((resolve) => { rxResolve = resolve; });
  const pair = { pc1, pc2, tx, rx: null };
  pc2.ondatachannel = (e) => {
    pair.rx = e.channel;
    pair.rx.binaryType = 'arraybuffer';
    if (pair.rx.readyState === 'open') rxResolve(performance.now());
    else pair.rx.onopen = () => rxResolve(performance.now());
  };
  const t0 = performance.now();
  const offer = await pc1.createOffer();
  await pc1.setLocalDescription(offer);
  await pc2.setRemoteDescription(offer);
  const answer = await pc2.createAnswer();
  await pc2.setLocalDescription(answer);
  await pc1.setRemoteDescription(answer);
  const [a, b] = await Promise.all([txOpen, rxOpen]);
  pair.ms = Math.max(a, b) - t0;
  return pair;
}

async function pageOpen ({ runs }) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const p = await window.benchPair();
    out.push(p.ms);
    p.pc1.close();
    p.pc2.close();
  }
  return out;
}

async function pageThroughput ({ size, total, high, low }) {
  const p = window.pair;
  const payload = new Uint8Array(size);
  for (let i = 0; i < size; i++) payload[i] = (i * 31 + 7) & 0xff;
  let received = 0;
  let messages = 0;
  let bad = null;
  let done;
  const finished = new Promise((resolve) => { done = resolve; });
  p.rx.onmessage = (e) => {
    const n = e.data.byteLength;
    const seq = new DataView(e.data).getUint32(0, true);
    if (!bad && (n !== size || seq !== messages)) {
      bad = `message ${messages}: ${n} bytes, sequence ${seq}`;
      done();
    }
    messages++;
    received += n;
    if (received >= total) done();
  };
  p.tx.bufferedAmountLowThreshold = low;
  const t0 = performance.now();
  let sent = 0;
  let seq = 0;
  const view = new DataView(payload.buffer);
  await new Promise((resolve) => {
    const pump = () => {
      while (sent < total) {
        if (p.tx.bufferedAmount > high) {
          p.tx.onbufferedamountlow = () => { p.tx.onbufferedamountlow = null; pump(); };
          return;
        }
        view.setUint32(0, seq, true);
        p.tx.send(payload);
        seq++;
        sent += size;
      }
      resolve();
    };
    pump();
  });
  await finished;
  const secs = (performance.now() - t0) / 1000;
  p.pc1.close();
  p.pc2.close();
  return { secs, bad, received };
}

function fail (msg) {
  console.log(`error: ${msg}`);
  process.exit(1);
}

if (mode !== 'throughput' && mode !== 'open') fail('usage: dc-chromium.mjs throughput|open [options]');
// an http origin: on about:blank the renderer dies once a data channel
// connects
const srv = await startServer(async (req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/html' });
  res.end('<!doctype html><title>dc-bench</title>');
});
const b = await launchBrowser('chromium');
try {
  const page = await b.newPage();
  const raw = page.raw;
  await raw.goto(srv.url + '/');
  await raw.evaluate(`window.benchPair = ${pagePair.toString()};`);
  if (mode === 'open') {
    const list = await raw.evaluate(pageOpen, { runs });
    list.forEach((ms, i) => console.log(`open run=${i} ms=${ms.toFixed(3)}`));
  } else {
    await raw.evaluate(async () => { window.pair = await window.benchPair(); });
    const c0 = treeCpu();
    const r = await raw.evaluate(pageThroughput, { size, total, high, low });
    const c1 = treeCpu();
    if (r.bad) fail(`bad message: ${r.bad}`);
    const cpu = c1 - c0;
    console.log(`throughput size=${size} bytes=${total} seconds=${r.secs.toFixed(3)} ` +
      `mbps=${(total / 1e6 / r.secs).toFixed(2)} cpu_s=${cpu.toFixed(3)} ` +
      `cpu_s_per_mb=${(cpu / (total / 1e6)).toFixed(5)}`);
  }
} catch (e) {
  console.log(`error: ${e.message.split('\n')[0]}`);
  process.exitCode = 1;
} finally {
  await b.close();
  srv.close();
}
