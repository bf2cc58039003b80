// SPDX-License-Identifier: LGPL-2.1-or-later
// werift (WebRTC in TypeScript: RTP packets in and out, no codecs) as a
// WHIP publisher to our webrtcsrc, in a loopback-only network namespace.
// webrtcsrc (whip_receiver.py, its own process, the isolated environment)
// counts its decoded pads.  A gst-launch-1.0 child encodes 320x240 VP8 and
// Opus and sends the RTP to two UDP sockets of this script, whose packets
// go into werift's tracks with writeRtp() (werift gives them its SSRC,
// sequence numbers and the negotiated payload type).  werift offers
// sendonly VP8 + Opus with its candidates in the offer, POSTs it to
// /whip, applies the answer.  Checks: 201 with an answer and a Location,
// loopback candidates, werift's connection gets connected, webrtcsrc adds
// video_0 (VP8) and audio_0 (OPUS), video_0 is raw 320x240, >= 30 frames
// and >= 20 audio buffers come out; DELETE is 200, sender-left fires and
// both pads get EOS.
import { runTest } from '../lib/run.mjs';
import {
  candidateAddresses, del, importPeer, loopbackOnly, post, startRtpSender, startWhipReceiver, until, weriftConfig,
} from '../lib/interop.mjs';

const WIDTH = 320;
const HEIGHT = 240;
const MIN_FRAMES = 30;
const MIN_AUDIO = 20;

await runTest('werift-whip-publisher-to-webrtcsrc', { timeoutMs: 55000 }, async (t) => {
  const werift = await importPeer(t, 'werift');
  const rx = await startWhipReceiver(t);

  const pc = new werift.RTCPeerConnection(await weriftConfig(t, werift));
  t.onCleanup(() => pc.close());
  const vtrack = new werift.MediaStreamTrack({ kind: 'video' });
  const atrack = new werift.MediaStreamTrack({ kind: 'audio' });
  pc.addTransceiver(vtrack, { direction: 'sendonly' });
  pc.addTransceiver(atrack, { direction: 'sendonly' });
  // packets before the connection is up have nowhere to go
  const sent = { video: 0, audio: 0 };
  const feed = (track, kind) => (pkt) => {
    if (pc.connectionState !== 'connected') return;
    track.writeRtp(pkt);
    sent[kind]++;
  };
  const gst = await startRtpSender(t, { onVideo: feed(vtrack, 'video'), onAudio: feed(atrack, 'audio') });

  await pc.setLocalDescription(await pc.createOffer());
  const offer = pc.localDescription.sdp;
  t.check(loopbackOnly(candidateAddresses(offer)),
    `werift's offer has loopback candidates only (${candidateAddresses(offer)})`);
  const r = await post(`${rx.url}whip`, offer);
  t.require(r.status === 201 && r.answer && r.resource,
    `POST /whip -> 201 with an answer and a Location (${r.status} ${r.resource} ${r.answer ? '' : r.text})`);
  t.check(loopbackOnly(candidateAddresses(r.answer)),
    `webrtcsrc's answer has loopback candidates only (${candidateAddresses(r.answer)})`);
  await pc.setRemoteDescription({ type: 'answer', sdp: r.answer });

  const connected = await until(() => pc.connectionState === 'connected', 20000);
  t.check(connected, `werift's connection is connected (${pc.connectionState}, ICE ${pc.iceConnectionState})`);
  const media = await rx.waitFor((e) => e.event === 'counts' &&
    (e.counts.video_0 || 0) >= MIN_FRAMES && (e.counts.audio_0 || 0) >= MIN_AUDIO, 25000);
  if (!media) t.log(`gst-launch-1.0:\n${gst.output().slice(-2000)}`);
  t.check(media, `webrtcsrc outputs >= ${MIN_FRAMES} video frames and >= ${MIN_AUDIO} audio buffers ` +
    `(${JSON.stringify(rx.counts())}; werift sent ${JSON.stringify(sent)} RTP packets)`);
  const tracks = rx.events.filter((e) => e.event === 'track').map((e) => `${e.pad}:${e.codec}`).sort();
  t.check(JSON.stringify(tracks) === '["audio_0:OPUS","video_0:VP8"]',
    `track-added named video_0 VP8 and audio_0 OPUS, nothing else (${tracks})`);
  const vcaps = rx.caps('video_0');
  t.check(vcaps && vcaps.media === 'video/x-raw' && vcaps.width === WIDTH && vcaps.height === HEIGHT,
    `video_0 is raw ${WIDTH}x${HEIGHT}, what gst-launch-1.0 encodes (${vcaps && vcaps.caps})`);
  const acaps = rx.caps('audio_0');
  t.check(acaps && acaps.media === 'audio/x-raw', `audio_0 is raw audio (${acaps && acaps.caps})`);

  const status = await del(r.resource);
  t.check(status === 200, `DELETE ${r.resource} -> ${status}`);
  const left = await rx.waitFor((e) => e.event === 'sender-left', 15000);
  t.check(left && left.reason === 'deleted', `sender-left fired (${left && left.reason})`);
  const eosV = await rx.waitFor((e) => e.event === 'eos' && e.pad === 'video_0', 15000);
  const eosA = await rx.waitFor((e) => e.event === 'eos' && e.pad === 'audio_0', 15000);
  t.check(eosV && eosA, `both pads got EOS (video ${!!eosV}, audio ${!!eosA})`);
  t.check(!rx.events.some((e) => e.event === 'error'),
    `no element error in webrtcsrc (${JSON.stringify(rx.events.filter((e) => e.event === 'error'))})`);
});
