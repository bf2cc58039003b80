// SPDX-License-Identifier: LGPL-2.1-or-later
// Data channels between our bins and the npm peers (issue 11), in a
// loopback-only network namespace (tests/lib/run.mjs):
//
//   node datachannel_node.mjs --peer wrtc|werift --bin sink|src
//
// --peer wrtc    @roamhq/wrtc (libwebrtc); --peer werift (TypeScript).
// --bin sink     the peer is a WHEP viewer (recvonly video + audio) of our
//                webrtcsink, which has data_0 ("gst": a channel to every
//                viewer);
// --bin src      the peer is a data-only WHIP publisher to our webrtcsrc,
//                which has data_sink_0 ("gst": a channel to the publisher).
// The bin runs in tests/lib/data_bin_child.py (its own process, the
// isolated environment); it reports and echoes every message on a channel
// the peer opened and sends on "gst" when told.  The peer creates "peer"
// before its offer.
//
// Checks: the offer has m=application and our answer accepts it; both
// channels open on both sides (DCEP, RFC 8832), each side seeing the
// other's, with stream ids of opposite parity; strings (UTF-8), binary,
// empty strings, empty binary and 256 KiB messages go both ways: the peer
// -> ours on "peer" and back (our echo), ours -> the peer on "gst", and
// the peer -> ours on "gst" (webrtcsrc: out of a data_%u pad; webrtcsink:
// counted in its stats, it has no pad for them).  Each
// arrives intact (sha256), of its kind and in order when it fits the
// receiver's a=max-message-size (RFC 8841 section 6; 65536 when absent);
// one that does not fails on its sender with an error and the channel
// goes on (ours: a bus warning for a pad, on-error for a channel object;
// the peer's send() throws).  The bin's stats count the messages; the
// peer's close of "peer" and EOS into our pad each reach the other side
// (RFC 8831 section 6.7); a channel the peer opens once connected
// ("late") reaches the bin and carries a message both ways; no element
// error.
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, runTest } from '../lib/run.mjs';
import { spawnJsonChild } from '../lib/child.mjs';
import { candidateAddresses, checkOurs, gatheringComplete, importPeer, loopbackOnly, post, until, weriftConfig } from '../lib/interop.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';
const OURS = 'gst';
const THEIRS = 'peer';
const LATE = 'late';
const BIG = 256 * 1024;
const DEFAULT_MAX_MESSAGE_SIZE = 65536; // RFC 8841 section 6
// bounds (ms), never asserted
const READY_MS = 20000;
const OPEN_MS = 20000;
const MESSAGE_MS = 15000;

const args = parseArgs();
const PEER = args.peer || 'wrtc';
const BIN = args.bin || 'sink';

const sha = (buf) => crypto.createHash('sha256').update(buf).digest('hex');
const short = (list) => JSON.stringify(list.map(([k, s]) => `${k}:${s.slice(0, 8)}`));

/* The m=application section's a=max-message-size: 65536 when absent, 0
 * (any size) kept as 0. */
function maxMessageSize (sdp) {
  const m = (sdp || '').match(/^a=max-message-size:(\d+)/m);
  return m ? Number(m[1]) : DEFAULT_MAX_MESSAGE_SIZE;
}
const fits = (size, limit) => limit === 0 || size <= limit;

/* A message to send: [kind as received, payload (string or Buffer)]. */
function message (kind, text, size) {
  if (kind === 'string') return ['string', text];
  if (kind === 'empty-string') return ['string', ''];
  return ['binary', kind === 'binary' ? crypto.randomBytes(size) : Buffer.alloc(0)];
}

/* The peer's data channels, reported as events like webrtcbin_peer.py's
 * DataChannels: dc-open, dc-message (kind, len, sha256), dc-close,
 * dc-error. */
function watchChannels (t, pc) {
  const events = [];
  const channels = {};
  const watch = (ch, by) => {
    channels[ch.label] = ch;
    if ('binaryType' in ch) ch.binaryType = 'arraybuffer';
    let opened = false;
    const open = () => {
      if (opened) return;
      opened = true;
      events.push({ event: 'dc-open', label: ch.label, id: ch.id, by });
    };
    ch.onopen = open;
    ch.onmessage = (ev) => {
      const d = ev.data;
      const buf = typeof d === 'string' ? Buffer.from(d, 'utf8') : Buffer.from(d);
      events.push({ event: 'dc-message', label: ch.label, kind: typeof d === 'string' ? 'string' : 'binary', len: buf.length, sha256: sha(buf) });
    };
    ch.onclose = () => events.push({ event: 'dc-close', label: ch.label });
    ch.onerror = (ev) => events.push({ event: 'dc-error', label: ch.label, message: String((ev && (ev.error || ev.message)) || ev) });
    if (ch.readyState === 'open') open();
  };
  pc.ondatachannel = (ev) => watch(ev.channel, 'remote');
  return {
    events,
    create (label) { watch(pc.createDataChannel(label), 'us'); },
    /* One message: {event: 'dc-sent', kind, len, sha256} or
     * {event: 'dc-send-error', len, message} (send() threw). */
    send (label, kind, text, size) {
      const [k, data] = message(kind, text, size);
      const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      try {
        channels[label].send(data);
      } catch (e) {
        return { event: 'dc-send-error', kind: k, len: buf.length, message: e.message };
      }
      return { event: 'dc-sent', kind: k, len: buf.length, sha256: sha(buf) };
    },
    close (label) { channels[label].close(); },
    received (label) {
      return events.filter((e) => e.event === 'dc-message' && e.label === label).map((e) => [e.kind, e.sha256]);
    },
    find (pred) { return events.find(pred) || null; },
    async waitFor (pred, ms) { return await until(() => events.find(pred), ms, 50); },
  };
}

/* Our bin in tests/lib/data_bin_child.py. */
async function startBin (t) {
  const quit = (child) => { if (!child.stdin.writableEnded) child.stdin.end(); };
  const c = spawnJsonChild(t, PYTHON, [path.join(here, '..', 'lib', 'data_bin_child.py'), BIN,
    '--label', OURS, '--local-addresses', '127.0.0.1'], { stdin: 'pipe', stop: quit, killAfterMs: 10000 });
  const impl = await c.waitFor((e) => ['impl', 'exit'].includes(e.event), READY_MS);
  if (!impl || impl.event !== 'impl') t.log(`bin stderr:\n${c.stderr()}`);
  checkOurs(t, `web${BIN === 'sink' ? 'rtcsink' : 'rtcsrc'}`, impl && impl.plugin);
  const ready = await c.waitFor((e) => ['url', 'exit'].includes(e.event), READY_MS);
  t.require(ready && ready.event === 'url' && /^http:\/\/127\.0\.0\.1:\d+\/$/.test(ready.url),
    `the bin serves on loopback (${JSON.stringify(ready)})`);
  const n = (name) => c.events.filter((e) => e.event === name).length;
  return {
    ...c,
    url: ready.url,
    cmd (o) { c.child.stdin.write(JSON.stringify(o) + '\n'); },
    /* Pushes one message into the bin's pad: its "sent" event. */
    async send (kind, text, size) {
      const before = n('sent');
      this.cmd({ cmd: 'send', kind: kind === 'empty-string' ? 'string' : kind, text: kind === 'empty-string' ? '' : text, size });
      await c.waitFor(() => n('sent') > before, MESSAGE_MS);
      return c.events.filter((e) => e.event === 'sent')[before] || null;
    },
    received (label) {
      return c.events.filter((e) => e.event === 'message' && e.label === label).map((e) => [e.kind, e.sha256]);
    },
  };
}

await runTest(`datachannel-${BIN === 'sink' ? 'webrtcsink' : 'webrtcsrc'}-${PEER}`, { timeoutMs: 58000 }, async (t) => {
  t.require(['wrtc', 'werift'].includes(PEER) && ['sink', 'src'].includes(BIN), `arguments --peer ${PEER} --bin ${BIN}`);
  const mod = await importPeer(t, PEER === 'wrtc' ? '@roamhq/wrtc' : 'werift');
  const bin = await startBin(t);

  const pc = PEER === 'wrtc'
    ? new mod.RTCPeerConnection({ bundlePolicy: 'max-bundle', iceServers: [] })
    : new mod.RTCPeerConnection(await weriftConfig(t, mod));
  t.onCleanup(() => pc.close());
  if (BIN === 'sink') {
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
  }
  const dc = watchChannels(t, pc);
  dc.create(THEIRS);
  await pc.setLocalDescription(await pc.createOffer());
  if (PEER === 'wrtc') await gatheringComplete(pc); // werift gathers in setLocalDescription
  const offer = pc.localDescription.sdp;
  t.check(loopbackOnly(candidateAddresses(offer)), `${PEER}'s offer has loopback candidates only (${candidateAddresses(offer)})`);
  t.check(/^m=application \d+ UDP\/DTLS\/SCTP webrtc-datachannel/m.test(offer), `${PEER}'s offer has an m=application section`);
  const r = await post(`${bin.url}${BIN === 'sink' ? 'whep' : 'whip'}`, offer);
  t.require(r.status === 201 && r.answer && r.resource,
    `POST -> 201 with an answer and a Location (${r.status} ${r.resource} ${r.answer ? '' : r.text})`);
  t.check(/^m=application [1-9]\d* UDP\/DTLS\/SCTP webrtc-datachannel/m.test(r.answer) && /^a=sctp-port:/m.test(r.answer),
    'our answer accepts the data channel section');
  await pc.setRemoteDescription({ type: 'answer', sdp: r.answer });
  const peerMax = maxMessageSize(offer);
  const ourMax = maxMessageSize(r.answer);
  t.log(`a=max-message-size: ${PEER}'s ${peerMax}, ours ${ourMax}`);
  t.check(fits(BIG, ourMax), `our answer's a=max-message-size takes ${BIG} bytes (${ourMax})`);

  // -- both channels open, each side seeing the other's --
  const ch = await bin.waitFor((e) => e.event === 'channel' && e.label === THEIRS, OPEN_MS);
  t.check(ch, `bin: on-data-channel for ${PEER}'s "${THEIRS}"`);
  const mine = await dc.waitFor((e) => e.event === 'dc-open' && e.label === THEIRS, OPEN_MS);
  t.check(mine && mine.by === 'us', `${PEER}: its "${THEIRS}" is open (DCEP ack) (${JSON.stringify(mine)})`);
  const ours = await dc.waitFor((e) => e.event === 'dc-open' && e.label === OURS, OPEN_MS);
  t.check(ours && ours.by === 'remote', `${PEER}: ondatachannel for our "${OURS}", open (${JSON.stringify(ours)})`);
  t.require(ch && mine && ours, 'both channels are open');
  t.check(mine.id % 2 !== ours.id % 2, `stream ids of opposite parity (RFC 8832 section 6: ${mine.id}, ${ours.id})`);

  const plan = [['string', 'h\u00e9llo \u2713', 0], ['binary', null, 1000], ['empty-string', null, 0],
    ['empty', null, 0], ['binary', null, BIG], ['string', 'after the big one', 0]];
  // werift sends an empty message as no DATA chunk at all, yet takes a
  // stream sequence number for it (RFC 8831 section 6.6 wants PPID 56 or
  // 57 and one byte): every later message on its channel waits forever
  // for the missing one, on any receiver.  Its empties are left out.
  const peerPlan = PEER === 'werift' ? plan.filter(([kind]) => !kind.startsWith('empty')) : plan;

  // -- the peer -> ours on "peer", echoed back --
  const toBin = [];
  const toPeer = [];
  for (const [kind, text, size] of peerPlan) {
    const s = dc.send(THEIRS, kind, text, size);
    if (s.event === 'dc-sent') {
      t.check(fits(s.len, ourMax), `${PEER} sent ${s.len} bytes of ${s.kind} (our limit ${ourMax})`);
      toBin.push([s.kind, s.sha256]);
      if (fits(s.len, peerMax)) toPeer.push([s.kind, s.sha256]);
    } else {
      t.check(!fits(s.len, ourMax), `${PEER}'s send() of ${s.len} bytes fails only over our limit (${ourMax}): ${s.message}`);
    }
  }
  await until(() => bin.received(THEIRS).length >= toBin.length, MESSAGE_MS);
  t.check(JSON.stringify(bin.received(THEIRS)) === JSON.stringify(toBin),
    `bin: ${PEER}'s ${toBin.length} messages on "${THEIRS}" arrived intact, of their kind, in order ` +
    `(got ${short(bin.received(THEIRS))}, want ${short(toBin)})`);
  await until(() => dc.received(THEIRS).length >= toPeer.length, MESSAGE_MS);
  t.check(JSON.stringify(dc.received(THEIRS)) === JSON.stringify(toPeer),
    `${PEER}: our echo of each that fits its max-message-size came back intact, in order ` +
    `(got ${short(dc.received(THEIRS))}, want ${short(toPeer)})`);
  if (toPeer.length < toBin.length) {
    const err = await bin.waitFor((e) => e.event === 'channel-error' && e.label === THEIRS, MESSAGE_MS);
    t.check(err, `bin: the echo over ${PEER}'s max-message-size (${peerMax}) failed with on-error on our channel object (${err && err.text})`);
  }

  // -- ours -> the peer on "gst" --
  const sent = [];
  const expect = [];
  for (const [kind, text, size] of plan) {
    const s = await bin.send(kind, text, size);
    t.check(s, `bin: pushed one message (${kind})`);
    if (!s) continue;
    sent.push(s);
    if (fits(s.len, peerMax)) expect.push([s.kind, s.sha256]);
  }
  await until(() => dc.received(OURS).length >= expect.length, MESSAGE_MS);
  t.check(JSON.stringify(dc.received(OURS)) === JSON.stringify(expect),
    `${PEER}: our ${expect.length} messages on "${OURS}" that fit its max-message-size arrived intact, of their kind, ` +
    `in order (got ${short(dc.received(OURS))}, want ${short(expect)})`);
  if (expect.length < sent.length) {
    const warn = await bin.waitFor((e) => e.event === 'warning' && e.text.includes(`'${OURS}'`), MESSAGE_MS);
    t.check(warn, `bin: the ${BIG} bytes pushed into our pad, over ${PEER}'s max-message-size (${peerMax}), gave a bus warning ` +
      `(${warn && warn.text.replace(/\s+/g, ' ').slice(0, 160)})`);
  }

  // -- the peer -> ours on "gst": webrtcsrc gives them out of a data_%u
  // pad; webrtcsink has no pad for what comes on its own channels, its
  // stats count them --
  const back = [];
  let backBytes = 0;
  for (const [kind, text, size] of peerPlan) {
    const s = dc.send(OURS, kind, text, size);
    if (s.event === 'dc-sent') {
      back.push([s.kind, s.sha256]);
      backBytes += s.len;
    } else {
      t.check(!fits(s.len, ourMax), `${PEER}'s send() on "${OURS}" of ${s.len} bytes fails only over our limit: ${s.message}`);
    }
  }
  if (BIN === 'src') {
    await until(() => bin.received(OURS).length >= back.length, MESSAGE_MS);
    t.check(JSON.stringify(bin.received(OURS)) === JSON.stringify(back),
      `bin: ${PEER}'s ${back.length} messages on our "${OURS}" came out of a data_%u pad intact, in order ` +
      `(got ${short(bin.received(OURS))}, want ${short(back)})`);
  }

  // -- stats before the closes --
  let nstats = 0;
  const stats = async () => {
    bin.cmd({ cmd: 'stats' });
    const n = ++nstats;
    await bin.waitFor(() => bin.events.filter((e) => e.event === 'stats').length >= n, MESSAGE_MS);
    const st = bin.events.filter((e) => e.event === 'stats')[n - 1] || { channels: [] };
    return Object.fromEntries(st.channels.map((c) => [c.label, c]));
  };
  let byLabel = await stats();
  await until(async () => ((byLabel = await stats())[OURS] || {}).messagesReceived >= back.length, MESSAGE_MS, 200);
  const th = byLabel[THEIRS] || {};
  const ou = byLabel[OURS] || {};
  t.check(th.messagesReceived === toBin.length && th.state === 'open',
    `bin: stats count ${toBin.length} messages received on "${THEIRS}" (${JSON.stringify(th)})`);
  t.check(ou.messagesSent === expect.length && ou.messagesReceived === back.length && ou.bytesReceived === backBytes,
    `bin: stats count ${expect.length} messages sent on "${OURS}" and ${back.length} received, ${backBytes} bytes ` +
    `(${JSON.stringify(ou)})`);

  // -- a channel the peer opens once connected (DCEP alone) --
  dc.create(LATE);
  const late = await bin.waitFor((e) => e.event === 'channel' && e.label === LATE, OPEN_MS);
  t.check(late, `bin: on-data-channel for "${LATE}", opened by ${PEER} once connected`);
  const lateOpen = await dc.waitFor((e) => e.event === 'dc-open' && e.label === LATE, OPEN_MS);
  t.check(lateOpen, `${PEER}: "${LATE}" is open`);
  if (late && lateOpen) {
    const s = dc.send(LATE, 'string', 'late hello', 0);
    await until(() => bin.received(LATE).length >= 1 && dc.received(LATE).length >= 1, MESSAGE_MS);
    t.check(JSON.stringify([bin.received(LATE), dc.received(LATE)]) === JSON.stringify([[[s.kind, s.sha256]], [[s.kind, s.sha256]]]),
      `"${LATE}" carries a message both ways`);
  }

  // -- closes, each reaching the other side --
  dc.close(THEIRS);
  t.check(await bin.waitFor((e) => e.event === 'closed' && e.label === THEIRS, MESSAGE_MS),
    `bin: ${PEER}'s close of "${THEIRS}" reached us (on-close)`);
  t.check(await dc.waitFor((e) => e.event === 'dc-close' && e.label === THEIRS, MESSAGE_MS),
    `${PEER}: "${THEIRS}" closed on its side`);
  bin.cmd({ cmd: 'close' });
  t.check(await dc.waitFor((e) => e.event === 'dc-close' && e.label === OURS, MESSAGE_MS),
    `${PEER}: EOS into our pad closed "${OURS}" (onclose)`);
  const errs = bin.events.filter((e) => e.event === 'error');
  t.check(errs.length === 0, `bin: no element error (${JSON.stringify(errs)})`);
  const perrs = dc.events.filter((e) => e.event === 'dc-error');
  t.check(perrs.length === 0, `${PEER}: no channel error (${JSON.stringify(perrs)})`);
  t.log(`bin events: ${JSON.stringify(bin.events.map((e) => [e.event, e.label, e.kind, e.len].filter((x) => x !== undefined)))}`);
  t.log(`${PEER} events: ${JSON.stringify(dc.events.map((e) => [e.event, e.label, e.kind, e.len, e.message].filter((x) => x !== undefined)))}`);
});
