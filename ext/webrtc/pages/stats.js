// SPDX-License-Identifier: LGPL-2.1-or-later
// gst-plugins-webrtc: the live statistics page of webrtcsink (GET /stats).
// Polls stats.json (the element's stats property as JSON: see
// docs/plugins/webrtcsink.md) every second and shows it as tables.  Sends
// Authorization: Bearer TOKEN when the page URL has ?token=TOKEN.
//
// window.stats is a read-only view for people and tests: polls (answers
// received), errors, lastError, last (the last JSON), and bitrates (bit/s
// per "viewer/ssrc", from the last two polls).
'use strict';

(function () {
  const POLL_MS = 1000;
  const TIMEOUT_MS = 5000;
  const $ = (id) => document.getElementById(id);
  const token = new URLSearchParams(location.search).get('token');

  const st = { polls: 0, errors: 0, lastError: null, last: null, bitrates: {} };
  const view = {};
  for (const key of Object.keys(st)) {
    Object.defineProperty(view, key, { enumerable: true, get: () => st[key] });
  }
  Object.defineProperty(window, 'stats', { value: Object.freeze(view), enumerable: true });

  let prev = null; // { t, bytes: { "viewer/ssrc": bytesSent } }

  function cell (row, text, num) {
    const td = document.createElement('td');
    td.textContent = text;
    if (num) td.className = 'num';
    row.appendChild(td);
    return td;
  }

  function fill (tbody, rows, columns, empty) {
    tbody.replaceChildren();
    if (!rows.length) {
      const tr = document.createElement('tr');
      const td = cell(tr, empty);
      td.colSpan = columns;
      td.className = 'empty';
      tbody.appendChild(tr);
      return;
    }
    for (const r of rows) {
      const tr = document.createElement('tr');
      for (const [text, num] of r) cell(tr, text, num);
      tbody.appendChild(tr);
    }
  }

  const n = (x) => (typeof x === 'number' ? x.toLocaleString('en') : '–');

  function rate (bps) {
    if (bps === undefined) return '–';
    return bps >= 1e6 ? `${(bps / 1e6).toFixed(2)} Mbit/s` : `${Math.round(bps / 1e3)} kbit/s`;
  }

  function show (s, t) {
    const streams = Array.isArray(s.streams) ? s.streams : [];
    const peers = Array.isArray(s.peers) ? s.peers : [];
    $('summary').textContent = `${n(s.viewers)} viewer${s.viewers === 1 ? '' : 's'} now, ` +
      `${n(s['viewers-total'])} since start`;
    fill($('streams').tBodies[0], streams.map((x) => [
      [x.pad], [x.kind], [n(x.ssrc), true], [n(x['keyframe-requests']), true],
    ]), 4, 'no inputs');

    const bytes = {};
    const bitrates = {};
    const rows = [];
    for (const p of peers) {
      const out = Array.isArray(p['outbound-rtp']) ? p['outbound-rtp'] : [];
      const remote = Array.isArray(p['remote-inbound-rtp']) ? p['remote-inbound-rtp'] : [];
      if (!out.length) rows.push([[p.id], [p.state], ['–'], [''], [''], [''], [''], [''], [''], [''], [''], ['']]);
      for (const o of out) {
        const key = `${p.id}/${o.ssrc}`;
        bytes[key] = o.bytesSent;
        if (prev && key in prev.bytes && t > prev.t) {
          bitrates[key] = Math.max(0, Math.round((o.bytesSent - prev.bytes[key]) * 8000 / (t - prev.t)));
        }
        const r = remote.find((x) => x.ssrc === o.ssrc) || {};
        rows.push([[p.id], [p.state], [o.trackIdentifier], [o.mimeType],
          [n(o.packetsSent), true], [n(o.bytesSent), true], [rate(bitrates[key]), true],
          [n(o.retransmittedPacketsSent), true], [n(o.nackCount), true], [n(o.pliCount), true],
          [n(o.firCount), true], [n(r.packetsLost), true]]);
      }
    }
    fill($('viewers').tBodies[0], rows, 12, 'no viewers');

    // W3C RTCDataChannelStats: data-channel-N fields of each viewer
    const channels = [];
    for (const p of peers) {
      for (const [k, d] of Object.entries(p)) {
        if (!k.startsWith('data-channel-') || !d || typeof d !== 'object') continue;
        channels.push([[p.id], [d.label], [d.protocol], [n(d.dataChannelIdentifier), true],
          [d.state], [n(d.messagesSent), true], [n(d.bytesSent), true],
          [n(d.messagesReceived), true], [n(d.bytesReceived), true],
          [n(d.messagesDropped), true]]);
      }
    }
    fill($('channels').tBodies[0], channels, 10, 'no data channels');
    prev = { t, bytes };
    st.bitrates = bitrates;
  }

  function setStatus (text, isError) {
    const el = $('status');
    el.textContent = text;
    if (isError) el.dataset.error = ''; else delete el.dataset.error;
  }

  async function poll () {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), TIMEOUT_MS);
    try {
      const res = await fetch('stats.json', {
        cache: 'no-store',
        signal: ctl.signal,
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      });
      if (!res.ok) {
        const body = (await res.text()).split('\n')[0].slice(0, 200);
        throw new Error(`${res.status} ${res.statusText}${body ? `: ${body}` : ''}`);
      }
      const s = await res.json();
      const t = performance.now();
      st.last = s;
      st.polls++;
      show(s, t);
      setStatus(`Updated ${new Date().toLocaleTimeString()}`, false);
    } catch (e) {
      st.errors++;
      st.lastError = ctl.signal.aborted ? `no answer within ${TIMEOUT_MS / 1000} s` : e.message;
      setStatus(`stats.json: ${st.lastError}`, true);
    } finally {
      clearTimeout(timer);
      setTimeout(poll, POLL_MS);
    }
  }

  poll();
})();
