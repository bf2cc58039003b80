// SPDX-License-Identifier: LGPL-2.1-or-later
// Just enough SDP reading for test assertions, written independently of
// the C parser under test (ext/webrtc/jsep) so the two check each other.

/* "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host" -> "127.0.0.1" */
export function candidateAddress (cand) {
  const f = cand.replace(/^a=/, '').replace(/^candidate:/, '').trim().split(/\s+/);
  return f[4] || '';
}

export function isLoopback (addr) {
  return /^127\./.test(addr) || addr === '::1' || addr === '0:0:0:0:0:0:0:1';
}

/* Session-level lines and one entry per m-section. */
export function splitSdp (sdp) {
  const lines = sdp.split(/\r?\n/).filter((l) => l.length);
  const session = [];
  const media = [];
  for (const l of lines) {
    if (l.startsWith('m=')) media.push({ mline: l, lines: [l] });
    else if (media.length) media[media.length - 1].lines.push(l);
    else session.push(l);
  }
  for (const m of media) {
    const [kind, port, proto, ...fmts] = m.mline.slice(2).split(' ');
    Object.assign(m, { kind, port: Number(port), proto, fmts });
    m.attr = (name) => m.lines.filter((l) => l.startsWith(`a=${name}:`) || l === `a=${name}`)
      .map((l) => (l.includes(':') ? l.slice(l.indexOf(':') + 1) : ''));
    m.mid = (m.attr('mid')[0] || '').trim();
    const dir = ['sendrecv', 'sendonly', 'recvonly', 'inactive'].find((d) => m.lines.includes(`a=${d}`));
    m.direction = dir || 'sendrecv';
    m.rtpmap = {};
    for (const v of m.attr('rtpmap')) {
      const [pt, enc] = v.split(' ');
      m.rtpmap[pt] = enc;
    }
    m.fmtp = {};
    for (const v of m.attr('fmtp')) {
      const sp = v.indexOf(' ');
      m.fmtp[v.slice(0, sp)] = v.slice(sp + 1);
    }
    /* payload types of @name (case-insensitive, e.g. "VP8"), offer order */
    m.pts = (name) => m.fmts.filter((pt) => (m.rtpmap[pt] || '').split('/')[0].toUpperCase() === name.toUpperCase());
    /* the RTX payload type repairing @pt, or null */
    m.rtxFor = (pt) => m.fmts.find((p) => (m.rtpmap[p] || '').toLowerCase().startsWith('rtx/') &&
      (m.fmtp[p] || '').split(';').some((kv) => kv.trim() === `apt=${pt}`)) || null;
  }
  const sattr = (name) => session.filter((l) => l.startsWith(`a=${name}:`)).map((l) => l.slice(l.indexOf(':') + 1));
  return { session, media, sattr };
}

export function bundleMids (sdp) {
  const g = splitSdp(sdp).sattr('group').find((v) => v.startsWith('BUNDLE'));
  return g ? g.split(' ').slice(1).filter(Boolean) : [];
}
