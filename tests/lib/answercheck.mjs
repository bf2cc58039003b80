// SPDX-License-Identifier: LGPL-2.1-or-later
// Runs jsep-answer-check (our JSEP layer, built by meson) on an offer and
// checks what it says against the offer text, read here independently.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { bundleMids, splitSdp } from './sdp.mjs';

export function requireChecker (file) {
  if (!file || file === true) {
    throw new Error('no --checker given (meson passes the jsep-answer-check executable; ' +
      'is ext/webrtc/jsep part of the build?)');
  }
  if (!fs.existsSync(file)) throw new Error(`checker ${file} not found (build it with ninja)`);
  return file;
}

/* Parses @offer with the checker; returns its JSON. */
export function runChecker (checker, offer) {
  const r = spawnSync(checker, ['-'], { input: offer, encoding: 'utf8', timeout: 10000 });
  if (r.error) throw new Error(`cannot run ${checker}: ${r.error.message}`);
  let out;
  try {
    out = JSON.parse(r.stdout);
  } catch (e) {
    throw new Error(`${checker} printed no JSON (status ${r.status}): ${r.stdout.slice(0, 300)} ${r.stderr.slice(0, 300)}`);
  }
  return out;
}

/*
 * Checks the checker's result @res for @offer with @t.check; @label names
 * the offer.  Returns the answer SDP, or null when there is none.
 */
export function checkAnswer (t, label, offer, res) {
  if (!t.check(res.ok, `${label}: our JSEP layer parses the offer and answers it` +
      (res.ok ? '' : ` (${res.stage}: ${res.error})`))) return null;

  const o = splitSdp(offer);
  const parsed = res.offer;
  const ans = res.answer;
  t.check(parsed.media.length === o.media.length,
    `${label}: ${o.media.length} m-sections parsed (${parsed.media.length})`);
  t.check(JSON.stringify(parsed.bundle) === JSON.stringify(bundleMids(offer)),
    `${label}: BUNDLE group parsed as ${JSON.stringify(bundleMids(offer))} (${JSON.stringify(parsed.bundle)})`);

  // RTX folded: no rtx codec left, each repaired codec knows its rtx pt.
  for (const [i, m] of o.media.entries()) {
    const pm = parsed.media[i];
    if (!pm || m.kind === 'application') continue;
    const rtx = m.fmts.filter((pt) => (m.rtpmap[pt] || '').toLowerCase().startsWith('rtx/'));
    t.check(pm.codecs.length === m.fmts.length - rtx.length &&
        !pm.codecs.some((c) => (c.encoding || '').toUpperCase() === 'RTX'),
      `${label}: m-section ${i} (${m.kind}): ${m.fmts.length} formats, ${rtx.length} RTX folded away (${pm.codecs.length} codecs left)`);
    const wrong = pm.codecs.filter((c) => String(c.rtx_pt) !== String(m.rtxFor(String(c.pt)) ?? -1));
    t.check(wrong.length === 0, `${label}: m-section ${i}: every codec has the RTX payload type the offer gives it` +
      (wrong.length ? ` (wrong: ${wrong.map((c) => `${c.pt}->${c.rtx_pt}`).join(', ')})` : ''));
    t.check(pm.mid === m.mid, `${label}: m-section ${i}: mid ${m.mid} (${pm.mid})`);
  }

  // The answer: VP8 and Opus with the browser's own payload types.
  // Port 0 with a=bundle-only is an offered, bundled m-section (RFC 8843
  // section 6; Firefox offers its second m-section so under max-bundle).
  const live = (m) => m.port !== 0 || m.lines.includes('a=bundle-only');
  const video = o.media.find((m) => m.kind === 'video' && live(m));
  const audio = o.media.find((m) => m.kind === 'audio' && live(m));
  const a = splitSdp(ans.sdp);
  const byMid = (mid) => a.media.find((m) => m.mid === mid);
  const mids = o.media.map((m) => m.mid);
  t.check(JSON.stringify(a.media.map((m) => m.mid)) === JSON.stringify(mids),
    `${label}: the answer has the offer's m-sections in order (${mids.join(' ')})`);
  if (video) {
    const vp8 = video.pts('VP8')[0];
    const rtx = vp8 && video.rtxFor(vp8);
    const nv = ans.media.find((n) => n.mid === video.mid);
    const av = byMid(video.mid);
    t.check(vp8 !== undefined, `${label}: the offer has VP8 (pt ${vp8})`);
    t.check(nv && !nv.rejected && nv.codec && nv.codec.encoding === 'VP8' && String(nv.codec.pt) === vp8,
      `${label}: the answer picks VP8 with the browser's payload type ${vp8} (${nv && nv.codec ? `${nv.codec.encoding} ${nv.codec.pt}` : 'rejected'})`);
    if (rtx) {
      t.check(nv && nv.codec && String(nv.codec.rtx_pt) === rtx,
        `${label}: the answer keeps VP8's RTX ${rtx} (${nv && nv.codec ? nv.codec.rtx_pt : '-'})`);
    }
    const want = [vp8, rtx].filter(Boolean).join(' ');
    t.check(av && av.fmts.join(' ') === want, `${label}: answer m=video formats are "${want}" (${av ? av.fmts.join(' ') : 'none'})`);
    t.check(av && av.direction === 'sendonly', `${label}: the video m-section is sendonly (${av && av.direction})`);
  }
  if (audio) {
    const opus = audio.pts('opus')[0];
    const na = ans.media.find((n) => n.mid === audio.mid);
    const aa = byMid(audio.mid);
    t.check(na && !na.rejected && na.codec && na.codec.encoding.toUpperCase() === 'OPUS' && String(na.codec.pt) === opus,
      `${label}: the answer picks Opus with the browser's payload type ${opus} (${na && na.codec ? `${na.codec.encoding} ${na.codec.pt}` : 'rejected'})`);
    t.check(aa && aa.fmts.join(' ') === opus, `${label}: answer m=audio formats are "${opus}" (${aa ? aa.fmts.join(' ') : 'none'})`);
    t.check(aa && aa.direction === 'sendonly', `${label}: the audio m-section is sendonly (${aa && aa.direction})`);
  }
  const bundle = bundleMids(ans.sdp);
  const accepted = o.media.filter((m) => m.kind !== 'application' && live(m)).map((m) => m.mid);
  t.check(accepted.every((mid) => bundle.includes(mid)) && bundle.length === accepted.length,
    `${label}: the answer's BUNDLE is ${accepted.join(' ')} (${bundle.join(' ')})`);
  const setups = a.media.filter((m) => accepted.includes(m.mid)).map((m) => m.attr('setup')[0]);
  t.check(!a.media.some((m) => m.lines.includes('a=bundle-only')), `${label}: no a=bundle-only in the answer`);
  t.check(setups.length > 0 && setups.every((s) => s === 'active'),
    `${label}: a=setup:active in every accepted m-section (${setups.join(', ')})`);
  t.check(ans.dtls_client === true, `${label}: we are the DTLS client`);
  return ans.sdp;
}
