// SPDX-License-Identifier: LGPL-2.1-or-later
// libwebrtc in node (@roamhq/wrtc) as a WHIP publisher to our webrtcsrc,
// in a loopback-only network namespace.  webrtcsrc (whip_receiver.py, its
// own process, the isolated environment) counts its decoded pads; wrtc
// feeds an RTCVideoSource 320x240 I420 frames (a moving grey ramp) and an
// RTCAudioSource 10 ms of a 440 Hz tone at a time, offers sendonly, POSTs
// to /whip once its candidates are gathered, applies the answer.  Checks:
// 201 with an answer and a Location, loopback candidates, webrtcsrc adds
// video_0 (VP8, what it prefers) and audio_0 (OPUS), video_0 is raw
// 320x240, >= 30 frames and >= 20 audio buffers come out; DELETE is 200,
// sender-left fires and both pads get EOS.
import { runTest } from '../lib/run.mjs';
import { candidateAddresses, del, gatheringComplete, importPeer, loopbackOnly, post, startWhipReceiver } from '../lib/interop.mjs';

const WIDTH = 320;
const HEIGHT = 240;
const MIN_FRAMES = 30;
const MIN_AUDIO = 20;

/* Feeds @source an I420 frame every 33 ms until stopped. */
function feedVideo (source) {
  const y = WIDTH * HEIGHT;
  const data = new Uint8ClampedArray(y * 3 / 2);
  let n = 0;
  const timer = setInterval(() => {
    // a ramp that moves, so the encoder has something to code
    for (let row = 0; row < HEIGHT; row++) data.fill((row + n) & 0xff, row * WIDTH, (row + 1) * WIDTH);
    data.fill(128, y);
    n += 4;
    source.onFrame({ width: WIDTH, height: HEIGHT, data });
  }, 33);
  return () => clearInterval(timer);
}

/* Feeds @source 10 ms of 48 kHz mono audio every 10 ms until stopped. */
function feedAudio (source) {
  const rate = 48000;
  const samples = new Int16Array(rate / 100);
  let t0 = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < samples.length; i++) samples[i] = 8000 * Math.sin(2 * Math.PI * 440 * (t0 + i) / rate);
    t0 += samples.length;
    source.onData({ samples, sampleRate: rate, bitsPerSample: 16, channelCount: 1, numberOfFrames: samples.length });
  }, 10);
  return () => clearInterval(timer);
}

await runTest('wrtc-whip-publisher-to-webrtcsrc', { timeoutMs: 55000 }, async (t) => {
  const wrtc = await importPeer(t, '@roamhq/wrtc');
  const { RTCPeerConnection, nonstandard: { RTCVideoSource, RTCAudioSource } } = wrtc;
  const rx = await startWhipReceiver(t);

  const video = new RTCVideoSource();
  const audio = new RTCAudioSource();
  const vtrack = video.createTrack();
  const atrack = audio.createTrack();
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', iceServers: [] });
  const stops = [feedVideo(video), feedAudio(audio)];
  t.onCleanup(() => {
    for (const s of stops) s();
    vtrack.stop();
    atrack.stop();
    pc.close();
  });
  const vtr = pc.addTransceiver(vtrack, { direction: 'sendonly' });
  pc.addTransceiver(atrack, { direction: 'sendonly' });
  // libwebrtc may scale the video down under CPU or bandwidth pressure;
  // the size check wants what we feed (set before the offer: libwebrtc
  // here refuses setParameters once negotiated)
  const params = vtr.sender.getParameters();
  params.degradationPreference = 'maintain-resolution';
  await vtr.sender.setParameters(params);
  await pc.setLocalDescription(await pc.createOffer());
  await gatheringComplete(pc);
  const offer = pc.localDescription.sdp;
  t.check(loopbackOnly(candidateAddresses(offer)),
    `wrtc's offer has loopback candidates only (${candidateAddresses(offer)})`);

  const r = await post(`${rx.url}whip`, offer);
  t.require(r.status === 201 && r.answer && r.resource,
    `POST /whip -> 201 with an answer and a Location (${r.status} ${r.resource} ${r.answer ? '' : r.text})`);
  t.check(loopbackOnly(candidateAddresses(r.answer)),
    `webrtcsrc's answer has loopback candidates only (${candidateAddresses(r.answer)})`);
  await pc.setRemoteDescription({ type: 'answer', sdp: r.answer });

  const media = await rx.waitFor((e) => e.event === 'counts' &&
    (e.counts.video_0 || 0) >= MIN_FRAMES && (e.counts.audio_0 || 0) >= MIN_AUDIO, 25000);
  t.check(media, `webrtcsrc outputs >= ${MIN_FRAMES} video frames and >= ${MIN_AUDIO} audio buffers ` +
    `(${JSON.stringify(rx.counts())}; wrtc ${pc.connectionState}, ICE ${pc.iceConnectionState})`);
  const tracks = rx.events.filter((e) => e.event === 'track').map((e) => `${e.pad}:${e.codec}`).sort();
  t.check(JSON.stringify(tracks) === '["audio_0:OPUS","video_0:VP8"]',
    `track-added named video_0 VP8 and audio_0 OPUS, nothing else (${tracks})`);
  const vcaps = rx.caps('video_0');
  t.check(vcaps && vcaps.media === 'video/x-raw' && vcaps.width === WIDTH && vcaps.height === HEIGHT,
    `video_0 is raw ${WIDTH}x${HEIGHT}, the size wrtc sends (${vcaps && vcaps.caps})`);
  const acaps = rx.caps('audio_0');
  t.check(acaps && acaps.media === 'audio/x-raw', `audio_0 is raw audio (${acaps && acaps.caps})`);

  // WHIP teardown: webrtcsrc ends the stream
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
