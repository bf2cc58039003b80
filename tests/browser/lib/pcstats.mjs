// SPDX-License-Identifier: LGPL-2.1-or-later
// What a page's RTCPeerConnection says it receives, for tests of pages we
// do not change (the player):
//
//   await recordPcs(page);            // before page.goto()
//   await receivedCodecs(page);       // { video: 'video/VP8', audio: ... }
//
// recordPcs() keeps the page's RTCPeerConnections reachable for getStats()
// (window.__testPcs); it changes nothing the page does.  receivedCodecs()
// maps each inbound-rtp's kind to its codec's mimeType, for the page's last
// RTCPeerConnection.

const RECORD_PCS = `(() => {
  const Orig = window.RTCPeerConnection;
  window.__testPcs = [];
  window.RTCPeerConnection = class extends Orig {
    constructor (...a) { super(...a); window.__testPcs.push(this); }
  };
})();`;

export async function recordPcs (page) {
  if (page.kind === 'playwright') await page.raw.addInitScript(RECORD_PCS);
  else await page.raw.evaluateOnNewDocument(RECORD_PCS);
  return page;
}

export async function receivedCodecs (page) {
  return page.evaluate(async () => {
    const pcs = window.__testPcs || [];
    const pc = pcs[pcs.length - 1];
    const out = {};
    if (!pc) return out;
    const stats = await pc.getStats();
    stats.forEach((r) => {
      if (r.type !== 'inbound-rtp') return;
      const c = r.codecId && stats.get(r.codecId);
      out[r.kind || r.mediaType] = c ? c.mimeType : `(no codec stats: codecId ${r.codecId})`;
    });
    return out;
  });
}
