// SPDX-License-Identifier: LGPL-2.1-or-later
// Interop matrix, our two elements "via TURN": webrtcsink (gst-launch-1.0)
// serves 320x240 VP8 and Opus, webrtcsrc (tests/lib/whip_receiver.py)
// pulls it over WHEP, both with turn-servers naming coturn
// (tests/lib/turn.mjs: long-term credentials, UDP, 127.0.0.1 only),
// all inside a loopback-only network namespace (tests/lib/run.mjs).
//
// Neither element has a relay-only setting (W3C iceTransportPolicy), so on
// their own they would pair their host candidates and never touch the
// relay.  The test therefore sits in the signalling path: webrtcsrc's
// whep-url is a small proxy here that passes everything to webrtcsink and
// removes every candidate but "typ relay" from the offer and the answer
// (all candidates travel in those two: webrtcsrc sends no trickle after its
// POST, webrtcsink cannot send any to a WHEP client).  That is what a peer
// behind a NAT that drops unsolicited traffic looks like: its host address
// is useless to the other side.  Then neither agent knows a host address
// of the other, every check and every media packet is sent to a relayed
// address, and each pair has a relay candidate on at least one side.
//
// With --policy both elements are also given ice-transport-policy=relay:
// then they must signal relay candidates only (the proxy filters nothing)
// and both selected pairs must be relay on our side.
//
// Checks:
//   - both elements gathered relay candidates on coturn and signalled them
//     (the unmodified offer and answer carry "typ relay" with coturn's
//     relayed addresses);
//   - webrtcsrc decodes 320x240 video and audio from webrtcsink;
//   - both elements' stats (W3C candidateType) show a selected pair with a
//     relay candidate, the remote one being the relayed address the other
//     side signalled, when the local one is not relay;
//   - coturn's "peer usage" counters show it relayed the media (at least
//     as many packets as webrtcsrc received).
import { runTest } from '../lib/run.mjs';
import { startPipeline } from '../lib/child.mjs';
import { readBody, startServer } from '../lib/http.mjs';
import { startTurn } from '../lib/turn.mjs';
import { startWhepReceiver } from '../lib/interop.mjs';

const RELAY_PORTS = [40000, 40999]; // turn.mjs's relay range

/* "a=candidate:..." lines of @sdp as {line, type, address, port}. */
function candidates (sdp) {
  return [...sdp.matchAll(/^a=candidate:\S+ \d+ \S+ \d+ (\S+) (\d+) typ (\S+).*$/gm)]
    .map((m) => ({ line: m[0], address: m[1], port: Number(m[2]), type: m[3] }));
}

function onlyRelay (sdp) {
  return sdp.split('\r\n').filter((l) => !l.startsWith('a=candidate:') || / typ relay( |$)/.test(l)).join('\r\n');
}

const relayedByCoturn = (c) => c.type === 'relay' && c.address === '127.0.0.1' &&
  c.port >= RELAY_PORTS[0] && c.port <= RELAY_PORTS[1];

/* WHEP between webrtcsrc and webrtcsink: POST bodies both ways lose their
 * non-relay candidates; everything else (PATCH, DELETE, the Location) goes
 * through as it is. */
async function startRelayOnlyProxy (t, target) {
  const seen = { offer: null, answer: null };
  const server = await startServer(async (req, res) => {
    const body = await readBody(req);
    const isOffer = req.method === 'POST' && /\/whep$/.test(new URL(req.url, 'http://x').pathname);
    if (isOffer) seen.offer = body;
    const headers = {};
    for (const h of ['content-type', 'authorization', 'if-match']) if (req.headers[h]) headers[h] = req.headers[h];
    const r = await fetch(new URL(req.url, target), {
      method: req.method,
      headers,
      body: ['GET', 'HEAD'].includes(req.method) ? undefined : (isOffer ? onlyRelay(body) : body),
      redirect: 'manual',
    });
    let text = await r.text();
    if (isOffer && r.status === 201) {
      seen.answer = text;
      text = onlyRelay(text);
    }
    const out = {};
    r.headers.forEach((v, k) => { if (!['content-length', 'transfer-encoding', 'connection'].includes(k)) out[k] = v; });
    res.writeHead(r.status, out);
    res.end(text);
    return true;
  });
  t.onCleanup(() => server.close());
  return { ...server, seen };
}

async function getJson (url) {
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return res.json();
}

const POLICY = process.argv.includes('--policy');

await runTest(`webrtcsink-webrtcsrc-turn${POLICY ? '-policy' : ''}`, { timeoutMs: 85000 }, async (t) => {
  const turn = await startTurn(t);
  t.log(`coturn on 127.0.0.1:${turn.port}`);

  const sink = await startPipeline(t, [
    'videotestsrc', 'is-live=true', '!', 'video/x-raw,width=320,height=240', '!',
    'webrtcsink', 'name=s', 'port=0', 'local-addresses=127.0.0.1', `turn-servers=${turn.url}`,
    ...(POLICY ? ['ice-transport-policy=relay'] : []),
    'audiotestsrc', 'is-live=true', '!', 's.audio_0',
  ]);
  t.log(`webrtcsink serves ${sink.url}`);
  const proxy = await startRelayOnlyProxy(t, sink.url);

  const rx = await startWhepReceiver(t, `${proxy.url}/whep`, ['--turn-servers', turn.url,
    ...(POLICY ? ['--ice-transport-policy', 'relay'] : [])]);
  const media = await rx.waitFor((e) => e.event === 'counts' &&
    (e.counts.video_0 || 0) >= 30 && (e.counts.audio_0 || 0) >= 20, 30000);
  if (!media) {
    t.log(`offer:\n${proxy.seen.offer}\nanswer:\n${proxy.seen.answer}\nreceiver events: ` +
      `${JSON.stringify(rx.events.slice(-15))}\nreceiver stderr:\n${rx.stderr().slice(-3000)}\n` +
      `webrtcsink:\n${sink.output().slice(-2000)}\ncoturn log:\n${turn.log().slice(-3000)}`);
  }

  // what each element gathered and signalled, before the proxy's filter
  const offered = candidates(proxy.seen.offer || '');
  const answered = candidates(proxy.seen.answer || '');
  t.log(`offer candidates: ${offered.map((c) => `${c.type} ${c.address}:${c.port}`).join(', ')}`);
  t.log(`answer candidates: ${answered.map((c) => `${c.type} ${c.address}:${c.port}`).join(', ')}`);
  t.check(offered.some(relayedByCoturn), "webrtcsrc's WHEP offer carries a relay candidate on coturn");
  t.check(answered.some(relayedByCoturn), "webrtcsink's answer carries a relay candidate on coturn");
  if (POLICY) {
    t.check(offered.length > 0 && offered.every((c) => c.type === 'relay'),
      'ice-transport-policy=relay: webrtcsrc signals relay candidates only');
    t.check(answered.length > 0 && answered.every((c) => c.type === 'relay'),
      'ice-transport-policy=relay: webrtcsink signals relay candidates only');
  }

  t.require(media !== null, `webrtcsrc outputs >= 30 video frames and >= 20 audio buffers through the relay (${JSON.stringify(rx.counts())})`);
  const vcaps = rx.caps('video_0');
  t.check(vcaps && vcaps.media === 'video/x-raw' && vcaps.width === 320 && vcaps.height === 240,
    `webrtcsrc decodes 320x240 raw video (${vcaps && `${vcaps.width}x${vcaps.height}`})`);
  const acaps = rx.caps('audio_0');
  t.check(acaps && acaps.media === 'audio/x-raw', `webrtcsrc decodes raw audio (${acaps && acaps.media})`);

  // each side's selected pair, from its stats: a relay candidate on at
  // least one end; a remote relay must be one the other side signalled
  const relayPort = (list) => new Set(list.filter(relayedByCoturn).map((c) => c.port));
  const pairOk = (local, remote, signalled) => (local.candidateType === 'relay' && local.port >= RELAY_PORTS[0] && local.port <= RELAY_PORTS[1]) ||
    (remote.candidateType === 'relay' && signalled.has(remote.port));
  const st = await rx.stats();
  const srcL = st['local-candidate'] || {};
  const srcR = st['remote-candidate'] || {};
  t.log(`webrtcsrc pair: local ${JSON.stringify(srcL)}, remote ${JSON.stringify(srcR)}`);
  t.check(st.state === 'connected' && pairOk(srcL, srcR, relayPort(answered)),
    `webrtcsrc's selected pair goes through coturn (local ${srcL.candidateType} ${srcL.address}:${srcL.port}, remote ${srcR.candidateType} ${srcR.address}:${srcR.port})`);
  const stats = await getJson(`${sink.url}stats.json`);
  const peer = (stats.peers || [])[0] || {};
  const sinkL = peer['local-candidate'] || {};
  const sinkR = peer['remote-candidate'] || {};
  t.log(`webrtcsink pair: local ${JSON.stringify(sinkL)}, remote ${JSON.stringify(sinkR)}`);
  if (POLICY) {
    t.check(srcL.candidateType === 'relay' && sinkL.candidateType === 'relay',
      `ice-transport-policy=relay: both local candidates are relayed (${srcL.candidateType}, ${sinkL.candidateType})`);
  }
  t.check(peer.state === 'connected' && pairOk(sinkL, sinkR, relayPort(offered)),
    `webrtcsink's selected pair goes through coturn (local ${sinkL.candidateType} ${sinkL.address}:${sinkL.port}, remote ${sinkR.candidateType} ${sinkR.address}:${sinkR.port})`);

  // coturn's counters once both sides have ended their sessions (webrtcsrc
  // DELETEs and frees its allocation on NULL, webrtcsink its own on NULL)
  const received = (await rx.stats())['packets-received'];
  t.log(`webrtcsrc packets received: ${received}`);
  const rr = await rx.stop(20000);
  t.check(rr !== null && rr.code === 0, `the receiver stops cleanly (${JSON.stringify(rr)})`);
  const r = await sink.stop(20000);
  t.check(r !== null && r.code === 0, `gst-launch-1.0 stops cleanly (${JSON.stringify(r)})`);
  t.check(await turn.sessionsClosed(15000), 'coturn logged the end of every allocation once both elements stopped');
  // going to NULL deletes the allocations (a Refresh with lifetime 0, RFC
  // 8656 section 7) rather than leaving them to expire
  const log = turn.log();
  const allocated = new Set([...log.matchAll(/session (\d+): new, /g)].map((m) => m[1]));
  const deleted = new Set([...log.matchAll(/session (\d+): refreshed, .*lifetime=0/g)].map((m) => m[1]));
  t.check(allocated.size >= 2 && [...allocated].every((id) => deleted.has(id)),
    `both elements deleted their allocations on NULL (${deleted.size} of ${allocated.size})`);
  // and read coturn's answer to that Refresh: one per allocation, never
  // retransmitted (libnice stops reading a closing agent's sockets when
  // its receive callback is detached, and then resends until it gives up)
  const deletes = [...log.matchAll(/session (\d+): refreshed, .*lifetime=0/g)].map((m) => m[1]);
  t.check(deletes.length === deleted.size,
    `each allocation deleted by one Refresh, its answer read (${deletes.length} Refreshes for ${deleted.size} allocations)`);
  const usage = turn.peerUsage();
  t.log(`coturn peer usage: ${JSON.stringify(usage)}`);
  // Every packet webrtcsrc received crossed coturn once: into webrtcsrc's
  // allocation from a peer (rp of that session) or out of webrtcsink's
  // allocation to a peer (sp of that one).  So the two together are at
  // least what webrtcsrc received.
  const relayed = usage.reduce((n, u) => n + u.rp + u.sp, 0);
  if (!t.check(received > 0 && relayed >= received,
    `coturn relayed the media (${relayed} packets between peers and relayed addresses >= ${received} packets webrtcsrc received)`)) {
    t.log(`coturn log:\n${turn.log().slice(-4000)}`);
  }
  t.check(!rx.events.some((e) => e.event === 'error'), 'no element error from webrtcsrc');
  const out = sink.output();
  t.check(!/CRITICAL|WARNING \*\*|ERROR:/.test(out), 'no criticals, warnings or errors from the webrtcsink pipeline');
  t.check(!/CRITICAL|WARNING \*\*/.test(rx.stderr()), 'no criticals or GLib warnings from the receiver');
});
