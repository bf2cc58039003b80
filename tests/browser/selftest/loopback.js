// SPDX-License-Identifier: LGPL-2.1-or-later
// Harness self-test page (not a product page): the fake camera goes from one
// RTCPeerConnection to another in the same page over real ICE/DTLS/SRTP on
// loopback, and the receiving <video> must decode frames.  Results go to
// window.selftest for the test to read.
'use strict';

const result = {
  done: false,
  error: null,
  frames: 0,
  width: 0,
  height: 0,
  candidates: [],   // every local candidate either side gathered
  pairs: [],        // the addresses of the nominated candidate pair
  connectionState: 'new',
  gatheringMs: null,
};
window.selftest = result;

const out = document.getElementById('out');
const video = document.getElementById('remote');

function show () {
  out.textContent = JSON.stringify(result, null, 1);
}

function countFrames () {
  const step = () => {
    result.frames++;
    result.width = video.videoWidth;
    result.height = video.videoHeight;
    video.requestVideoFrameCallback(step);
  };
  video.requestVideoFrameCallback(step);
}

function gathered (pc) {
  return new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') resolve();
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') resolve();
    });
  });
}

async function main () {
  const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  for (const [pc, other] of [[a, b], [b, a]]) {
    pc.addEventListener('icecandidate', (e) => {
      if (e.candidate && e.candidate.candidate) {
        result.candidates.push(e.candidate.candidate);
        other.addIceCandidate(e.candidate).catch((err) => { result.error = `addIceCandidate: ${err.message}`; });
      }
    });
  }
  b.addEventListener('connectionstatechange', () => { result.connectionState = b.connectionState; show(); });
  b.addEventListener('track', (e) => {
    if (!video.srcObject) {
      video.srcObject = e.streams[0] || new MediaStream([e.track]);
      countFrames();
    }
  });
  for (const track of stream.getTracks()) a.addTrack(track, stream);

  const t0 = performance.now();
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription);
  await Promise.all([gathered(a), gathered(b)]);
  result.gatheringMs = Math.round(performance.now() - t0);

  // Wait for frames, then read which pair carried them.
  while (result.frames < 10) await new Promise((r) => setTimeout(r, 100));
  const stats = await b.getStats();
  const byId = new Map();
  stats.forEach((s) => byId.set(s.id, s));
  stats.forEach((s) => {
    if (s.type === 'candidate-pair' && (s.nominated || s.selected) && s.state === 'succeeded') {
      const l = byId.get(s.localCandidateId);
      const r = byId.get(s.remoteCandidateId);
      result.pairs.push([l && (l.address || l.ip), r && (r.address || r.ip)]);
    }
  });
  result.done = true;
  show();
}

main().catch((e) => {
  result.error = `${e.name}: ${e.message}`;
  show();
});
