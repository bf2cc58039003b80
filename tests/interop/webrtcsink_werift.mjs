// SPDX-License-Identifier: LGPL-2.1-or-later
// werift (WebRTC in TypeScript: RTP packets in and out, no codecs) as a
// WHEP viewer of our webrtcsink, in a loopback-only network namespace.
// webrtcsink (its own process, the isolated environment) serves 320x240
// video and audio; werift offers recvonly VP8 video + Opus audio with its
// candidates in the offer, POSTs it to /whep, applies the answer.  Checks:
// 201 with an answer and a Location, loopback candidates, werift's
// connection gets connected, its video track receives >= 30 VP8 RTP
// packets of the answer's payload type among them a keyframe (RFC 7741
// payload descriptor, then the VP8 frame tag's P bit 0) of 320x240 (its
// frame header), its audio track
// >= 20 Opus packets; DELETE is 200 and webrtcsink drops the viewer.
import { runTest } from '../lib/run.mjs';
import { answeredPt, candidateAddresses, del, importPeer, loopbackOnly, post, startSink, until, vp8Keyframe, weriftConfig } from '../lib/interop.mjs';

const MIN_VIDEO = 30;
const MIN_AUDIO = 20;

await runTest('werift-whep-viewer-of-webrtcsink', { timeoutMs: 55000 }, async (t) => {
  const werift = await importPeer(t, 'werift');
  const sink = await startSink(t);

  const pc = new werift.RTCPeerConnection(await weriftConfig(t, werift));
  t.onCleanup(() => pc.close());
  const got = { video: 0, keyframes: [], videoPts: new Set(), audio: 0, audioPts: new Set() };
  pc.onTrack.subscribe((track) => {
    track.onReceiveRtp.subscribe((rtp) => {
      if (track.kind === 'video') {
        got.video++;
        got.videoPts.add(rtp.header.payloadType);
        const key = vp8Keyframe(rtp.payload);
        if (key) got.keyframes.push(`${key.width}x${key.height}`);
      } else {
        got.audio++;
        got.audioPts.add(rtp.header.payloadType);
      }
    });
  });
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  // werift gathers in setLocalDescription: its localDescription then has
  // every candidate (no trickle)
  await pc.setLocalDescription(await pc.createOffer());
  const offer = pc.localDescription.sdp;
  t.check(loopbackOnly(candidateAddresses(offer)),
    `werift's offer has loopback candidates only (${candidateAddresses(offer)})`);

  const r = await post(`${sink.url}whep`, offer);
  t.require(r.status === 201 && r.answer && r.resource,
    `POST /whep -> 201 with an answer and a Location (${r.status} ${r.resource} ${r.answer ? '' : r.text})`);
  t.check(loopbackOnly(candidateAddresses(r.answer)),
    `webrtcsink's answer has loopback candidates only (${candidateAddresses(r.answer)})`);
  const vpt = answeredPt(r.answer, 'video', 'VP8');
  const apt = answeredPt(r.answer, 'audio', 'opus');
  t.check(vpt !== null && apt !== null, `the answer carries VP8 (pt ${vpt}) and Opus (pt ${apt})`);
  await pc.setRemoteDescription({ type: 'answer', sdp: r.answer });

  const connected = await until(() => pc.connectionState === 'connected', 20000);
  t.check(connected, `werift's connection is connected (${pc.connectionState}, ICE ${pc.iceConnectionState})`);
  const flowed = await until(() => got.video >= MIN_VIDEO && got.keyframes.length > 0 && got.audio >= MIN_AUDIO, 25000);
  t.check(flowed, `werift receives >= ${MIN_VIDEO} VP8 packets with a keyframe and >= ${MIN_AUDIO} Opus packets ` +
    `(video ${got.video}, keyframes [${got.keyframes}], audio ${got.audio})`);
  t.check(got.keyframes.length > 0 && got.keyframes.every((s) => s === '320x240'),
    `the VP8 keyframes' headers say 320x240 (${got.keyframes})`);
  t.check(got.videoPts.size === 1 && got.videoPts.has(vpt),
    `the video packets carry the answer's VP8 payload type (${[...got.videoPts]} vs ${vpt})`);
  t.check(got.audioPts.size === 1 && got.audioPts.has(apt),
    `the audio packets carry the answer's Opus payload type (${[...got.audioPts]} vs ${apt})`);

  const status = await del(r.resource);
  t.check(status === 200, `DELETE ${r.resource} -> ${status}`);
  const removed = await sink.waitFor((e) => e.event === 'viewer-removed', 15000);
  t.check(removed, `webrtcsink: viewer-removed (${removed && removed.id})`);
  const gone = await until(async () => (await sink.stats()).viewers === 0, 10000, 200);
  t.check(gone, `webrtcsink's stats count 0 viewers after the DELETE (${JSON.stringify(await sink.stats())})`);
  t.check(!sink.events.some((e) => e.event === 'error'),
    `no element error in webrtcsink (${JSON.stringify(sink.events.filter((e) => e.event === 'error'))})`);
});
