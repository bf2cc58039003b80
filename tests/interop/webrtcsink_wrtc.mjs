// SPDX-License-Identifier: LGPL-2.1-or-later
// libwebrtc in node (@roamhq/wrtc) as a WHEP viewer of our webrtcsink, in
// a loopback-only network namespace.  webrtcsink (its own process, the
// isolated environment) serves 320x240 video and audio; wrtc offers
// recvonly video + audio, POSTs it to /whep once its candidates are
// gathered, applies the answer.  Checks: 201 with an answer and a
// Location, candidates on both sides loopback only, the connection gets
// connected, wrtc's RTCVideoSink delivers >= 30 frames of 320x240 and its
// RTCAudioSink audio; DELETE on the Location is 200, webrtcsink's
// viewer-removed fires for that viewer and its stats count 0 viewers.
import { runTest } from '../lib/run.mjs';
import { answeredPt, candidateAddresses, del, gatheringComplete, importPeer, loopbackOnly, post, startSink, until } from '../lib/interop.mjs';

const WIDTH = 320;
const HEIGHT = 240;
const MIN_FRAMES = 30;
const MIN_AUDIO = 20;

await runTest('wrtc-whep-viewer-of-webrtcsink', { timeoutMs: 55000 }, async (t) => {
  const wrtc = await importPeer(t, '@roamhq/wrtc');
  const { RTCPeerConnection, nonstandard: { RTCVideoSink, RTCAudioSink } } = wrtc;
  const sink = await startSink(t);

  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', iceServers: [] });
  const sinks = [];
  t.onCleanup(() => {
    for (const s of sinks) s.stop();
    pc.close();
  });
  const got = { frames: 0, otherSizes: new Set(), audio: 0, audioFormat: null };
  pc.ontrack = ({ track }) => {
    if (track.kind === 'video') {
      const vs = new RTCVideoSink(track);
      sinks.push(vs);
      vs.onframe = ({ frame }) => {
        if (frame.width === WIDTH && frame.height === HEIGHT) got.frames++;
        else got.otherSizes.add(`${frame.width}x${frame.height}`);
      };
    } else {
      const as = new RTCAudioSink(track);
      sinks.push(as);
      as.ondata = (d) => {
        got.audio++;
        got.audioFormat = `${d.sampleRate} Hz, ${d.channelCount} ch`;
      };
    }
  };
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  await pc.setLocalDescription(await pc.createOffer());
  await gatheringComplete(pc);
  const offer = pc.localDescription.sdp;
  const ours = candidateAddresses(offer);
  t.check(loopbackOnly(ours),
    `wrtc's offer has loopback candidates only (${ours})`);

  const r = await post(`${sink.url}whep`, offer);
  t.require(r.status === 201 && r.answer && r.resource,
    `POST /whep -> 201 with an answer and a Location (${r.status} ${r.resource} ${r.answer ? '' : r.text})`);
  const theirs = candidateAddresses(r.answer);
  t.check(loopbackOnly(theirs),
    `webrtcsink's answer has loopback candidates only (${theirs})`);
  const vpt = answeredPt(r.answer, 'video', 'VP8');
  const apt = answeredPt(r.answer, 'audio', 'opus');
  t.check(vpt !== null && apt !== null, `the answer carries VP8 (pt ${vpt}) and Opus (pt ${apt})`);
  await pc.setRemoteDescription({ type: 'answer', sdp: r.answer });
  t.log('answer applied');

  const connected = await until(() => pc.connectionState === 'connected', 20000);
  t.check(connected, `wrtc's connection is connected (${pc.connectionState}, ICE ${pc.iceConnectionState})`);
  const added = await sink.waitFor((e) => e.event === 'viewer-added', 10000);
  t.check(added, `webrtcsink: viewer-added (${added && added.id})`);

  const flowed = await until(() => got.frames >= MIN_FRAMES && got.audio >= MIN_AUDIO, 25000);
  t.check(flowed, `wrtc's RTCVideoSink delivers >= ${MIN_FRAMES} frames of ${WIDTH}x${HEIGHT} and its ` +
    `RTCAudioSink >= ${MIN_AUDIO} audio buffers (frames ${got.frames}, other sizes [${[...got.otherSizes]}], ` +
    `audio ${got.audio} of ${got.audioFormat})`);
  const st1 = await sink.stats();
  t.check(st1.viewers === 1, `webrtcsink's stats count 1 viewer while it plays (${JSON.stringify(st1)})`);

  // WHEP teardown: the session goes, in the element as well
  const status = await del(r.resource);
  t.check(status === 200, `DELETE ${r.resource} -> ${status}`);
  const removed = await sink.waitFor((e) => e.event === 'viewer-removed', 15000);
  t.check(removed && added && removed.id === added.id, `webrtcsink: viewer-removed for that viewer (${removed && removed.id})`);
  const gone = await until(async () => (await sink.stats()).viewers === 0, 10000, 200);
  t.check(gone, `webrtcsink's stats count 0 viewers after the DELETE (${JSON.stringify(await sink.stats())})`);
  t.check(!sink.events.some((e) => e.event === 'error'),
    `no element error in webrtcsink (${JSON.stringify(sink.events.filter((e) => e.event === 'error'))})`);
});
