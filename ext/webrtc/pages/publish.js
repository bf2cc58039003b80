// SPDX-License-Identifier: LGPL-2.1-or-later
// gst-plugins-webrtc: the publishing page webrtcsrc serves at GET /publish.
// A WHIP client (RFC 9725) in plain JS: camera and microphone
// (getUserMedia), one sendonly video and audio transceiver, the offer POSTed
// to "whip" (relative to the page) once it holds a candidate (or gathering
// is over, or 150 ms pass), later candidates PATCHed as RFC 8840 fragments,
// DELETE when stopping or leaving the page.
//
// Before connecting it reads config.json (relative to the page, with the
// token): {"whip": "whip", "iceServers": [RTCIceServer...],
// "iceTransportPolicy": "all" | "relay"}, the element's
// stun-server and turn-servers; without it, no ICE servers.
//
// Data channels (RFC 8831): the offer carries an m=application section;
// the page opens a channel labelled "chat" (the message panel's text box
// sends on it, messages.js: webrtcsrc's data_%u pad) and lists the
// messages of every channel, its own and those the pipeline opens
// (ondatachannel: webrtcsrc's data_sink_%u pads).
//
// Query parameters: ?token=T (Authorization: Bearer T), ?video=0 or
// ?audio=0 to leave one out, ?autostart=1 to start without the button.
//
// window.publisher shows the status: state ("idle", "starting",
// "connecting", "publishing", "stopped", "failed"), connectionState,
// framesSent, packetsSent, width, height, lastError, location, iceServers
// (what the RTCPeerConnection was given), messagesReceived and
// messagesSent (the message panel's), dataChannels ([{label, state}], the
// channels of this page, newest last).
'use strict';

(function () {
  const GATHER_MS = 150;
  const HTTP_TIMEOUT_MS = 10000;
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const token = params.get('token');
  const wantVideo = params.get('video') !== '0';
  const wantAudio = params.get('audio') !== '0';

  const st = {
    state: 'idle',
    connectionState: 'new',
    framesSent: 0,
    packetsSent: 0,
    width: 0,
    height: 0,
    lastError: null,
    location: null,
    iceServers: [],
    messagesReceived: 0,
    messagesSent: 0,
    dataChannels: Object.freeze([]),
  };
  const view = {};
  for (const k of Object.keys(st)) Object.defineProperty(view, k, { enumerable: true, get: () => st[k] });
  Object.defineProperty(window, 'publisher', { value: Object.freeze(view), enumerable: true });

  const panel = window.WrtcMessages.panel($('messages'), () => {
    const m = panel.status();
    st.messagesReceived = m.messagesReceived;
    st.messagesSent = m.messagesSent;
    st.dataChannels = m.channels;
  });
  let pc = null;
  let stream = null;
  let resource = null;
  let etag = null;
  let statsTimer = null;
  const pending = [];

  function headers (extra) {
    const h = { ...extra };
    if (token) h.Authorization = `Bearer ${token}`;
    return h;
  }

  function setState (s, text) {
    st.state = s;
    $('state').dataset.state = s;
    $('state').textContent = text || s;
  }

  function fail (msg) {
    st.lastError = msg;
    console.warn(`publish: ${msg}`);
    setState('failed', `failed: ${msg}`);
  }

  async function http (url, init) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), HTTP_TIMEOUT_MS);
    try {
      return await fetch(url, { ...init, signal: ctl.signal, cache: 'no-store' });
    } finally {
      clearTimeout(timer);
    }
  }

  // RFC 8840 fragment for candidates of the first m-section (max-bundle)
  function fragment (cands, end) {
    const desc = pc.localDescription.sdp;
    const ufrag = /a=ice-ufrag:(\S+)/.exec(desc)[1];
    const pwd = /a=ice-pwd:(\S+)/.exec(desc)[1];
    const mid = pc.getTransceivers()[0].mid;
    let f = `a=ice-ufrag:${ufrag}\r\na=ice-pwd:${pwd}\r\nm=audio 9 RTP/AVP 0\r\na=mid:${mid}\r\n`;
    for (const c of cands) f += `a=${c}\r\n`;
    if (end) f += 'a=end-of-candidates\r\n';
    return f;
  }

  async function trickle (cands, end) {
    if (!resource) return;
    const h = headers({ 'Content-Type': 'application/trickle-ice-sdpfrag' });
    if (etag) h['If-Match'] = etag;
    try {
      const res = await http(resource, { method: 'PATCH', headers: h, body: fragment(cands, end) });
      if (!res.ok) console.warn(`publish: PATCH ${res.status}`);
    } catch (e) {
      console.warn(`publish: PATCH failed: ${e.message}`);
    }
  }

  async function updateStats () {
    if (!pc) return;
    const report = await pc.getStats();
    let frames = 0, packets = 0;
    report.forEach((r) => {
      if (r.type === 'outbound-rtp') {
        packets += r.packetsSent || 0;
        if (r.kind === 'video') {
          frames += r.framesSent || 0;
          if (r.frameWidth) { st.width = r.frameWidth; st.height = r.frameHeight; }
        }
      }
    });
    st.framesSent = frames;
    st.packetsSent = packets;
    $('stats').textContent = `${st.width}x${st.height}, ${frames} frames, ${packets} packets sent`;
  }

  async function start () {
    $('start').disabled = true;
    $('stop').disabled = false;
    setState('starting', 'asking for the camera');
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: wantVideo, audio: wantAudio });
    } catch (e) {
      fail(`no camera or microphone: ${e.message}`);
      return;
    }
    $('preview').srcObject = stream;
    let endpoint = 'whip';
    let iceServers = [];
    let iceTransportPolicy = 'all';
    try {
      const res = await http('config.json', { headers: headers({}) });
      if (res.ok) {
        const cfg = await res.json();
        if (Array.isArray(cfg.iceServers)) iceServers = cfg.iceServers;
        // the element's ice-transport-policy: relay keeps our addresses
        // private too
        if (cfg.iceTransportPolicy === 'relay') iceTransportPolicy = 'relay';
        if (typeof cfg.whip === 'string' && cfg.whip) endpoint = cfg.whip;
      }
    } catch (e) {
      console.warn(`publish: no config.json (${e.message}); no ICE servers`);
    }
    pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', iceServers, iceTransportPolicy });
    st.iceServers = pc.getConfiguration().iceServers || [];
    for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
    // before the offer: it gets an m=application section
    panel.own(pc.createDataChannel('chat'));
    const thisPc = pc;
    pc.ondatachannel = (e) => { if (pc === thisPc) panel.watch(e.channel); };
    pc.onconnectionstatechange = () => {
      st.connectionState = pc.connectionState;
      if (pc.connectionState === 'connected') setState('publishing', 'publishing');
      else if (pc.connectionState === 'failed') fail('the connection failed');
    };
    let posted = false;
    let gathered = null;
    const gatherDone = new Promise((resolve) => { gathered = resolve; });
    pc.onicecandidate = (ev) => {
      if (!ev.candidate) { gathered(); if (posted) trickle(pending.splice(0), true); return; }
      if (ev.candidate.candidate === '') return;
      if (posted) trickle([ev.candidate.candidate], false);
      else { pending.push(ev.candidate.candidate); setTimeout(gathered, 0); }
    };
    await pc.setLocalDescription(await pc.createOffer());
    await Promise.race([gatherDone, new Promise((r) => setTimeout(r, GATHER_MS))]);
    pending.length = 0; // the offer carries what was gathered so far
    setState('connecting', 'sending the offer');
    let res;
    try {
      res = await http(endpoint, {
        method: 'POST',
        headers: headers({ 'Content-Type': 'application/sdp' }),
        body: pc.localDescription.sdp,
      });
    } catch (e) {
      fail(`POST whip: ${e.message}`);
      return;
    }
    if (res.status !== 201) {
      const body = (await res.text()).split('\n')[0].slice(0, 200);
      fail(`POST whip: ${res.status} ${body}`);
      return;
    }
    resource = new URL(res.headers.get('Location'), new URL(endpoint, location.href)).href;
    st.location = resource;
    etag = res.headers.get('ETag');
    posted = true;
    await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
    if (pending.length) trickle(pending.splice(0), pc.iceGatheringState === 'complete');
    statsTimer = setInterval(updateStats, 500);
  }

  function stop (keepalive) {
    if (statsTimer) clearInterval(statsTimer);
    statsTimer = null;
    if (resource) {
      fetch(resource, { method: 'DELETE', headers: headers({}), keepalive: !!keepalive }).catch(() => {});
      resource = null;
    }
    if (pc) pc.close();
    pc = null;
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    $('start').disabled = false;
    $('stop').disabled = true;
    if (st.state !== 'failed') setState('stopped', 'stopped');
  }

  $('start').onclick = () => start().catch((e) => fail(e.message));
  $('stop').onclick = () => stop(false);
  window.addEventListener('pagehide', () => stop(true));
  if (params.get('autostart') === '1') start().catch((e) => fail(e.message));
})();
