// SPDX-License-Identifier: LGPL-2.1-or-later
// What a page's RTCPeerConnection says it receives, for tests of pages we
// do not change (the player):
//
//   await recordPcs(page);            // before page.goto()
//   await receivedCodecs(page);       // { video: 'video/VP8', audio: ... }
//   await recordPcs(page, { iceTransportPolicy: 'relay' });
//   await selectedPair(page);         // { local: {candidateType, ...}, ... }
//
// recordPcs() keeps the page's RTCPeerConnections reachable for getStats()
// (window.__testPcs); it changes nothing the page does, unless given
// @iceTransportPolicy, which then overrides the page's own (W3C "relay":
// only relayed local candidates, for tests that media goes through TURN).
// receivedCodecs() maps each inbound-rtp's kind to its codec's mimeType,
// for the page's last RTCPeerConnection.  selectedPair() is that
// RTCPeerConnection's selected candidate pair (transport
// selectedCandidatePairId) with its local and remote candidates, or null.

const recordScript = (policy) => `(() => {
  const Orig = window.RTCPeerConnection;
  const policy = ${JSON.stringify(policy || null)};
  window.__testPcs = [];
  window.RTCPeerConnection = class extends Orig {
    constructor (config, ...a) {
      super(policy ? { ...(config || {}), iceTransportPolicy: policy } : config, ...a);
      window.__testPcs.push(this);
    }
  };
})();`;

export async function recordPcs (page, { iceTransportPolicy = null } = {}) {
  const script = recordScript(iceTransportPolicy);
  if (page.kind === 'playwright') await page.raw.addInitScript(script);
  else await page.raw.evaluateOnNewDocument(script);
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

export async function selectedPair (page) {
  return page.evaluate(async () => {
    const pcs = window.__testPcs || [];
    const pc = pcs[pcs.length - 1];
    if (!pc) return null;
    const stats = await pc.getStats();
    let pair = null;
    stats.forEach((r) => {
      if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId);
    });
    if (!pair) return null;
    const cand = (id) => {
      const c = stats.get(id) || {};
      return {
        candidateType: c.candidateType,
        address: c.address,
        port: c.port,
        protocol: c.protocol,
        relayProtocol: c.relayProtocol,
        url: c.url,
      };
    };
    return {
      state: pair.state,
      nominated: pair.nominated,
      bytesSent: pair.bytesSent,
      bytesReceived: pair.bytesReceived,
      local: cand(pair.localCandidateId),
      remote: cand(pair.remoteCandidateId),
    };
  });
}
