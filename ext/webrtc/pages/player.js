// SPDX-License-Identifier: LGPL-2.1-or-later
// gst-plugins-webrtc: the viewer page webrtcsink serves at GET /.  A WHEP
// client (RFC 9725's protocol, for viewers) in plain JS.
//
// Contract with the server (all URLs relative to the page, so the page works
// behind any prefix or reverse proxy):
//
//   GET  config.json   optional; 404 or an error means defaults.  JSON:
//        { "whep": "whep",              endpoint URL, relative to the page
//          "iceServers": [],            RTCIceServer list (STUN/TURN)
//          "iceTransportPolicy": "all", or "relay"
//          "video": true, "audio": true which media to ask for
//          "trickle": "auto",           see "Candidates" below
//          "navigation": false }        see "Navigation" below
//        Unknown keys are ignored.
//   POST whep          Content-Type: application/sdp, the offer (recvonly
//        video and audio, max-bundle); Authorization: Bearer TOKEN when the
//        page URL has ?token=TOKEN.  Expects 201 Created, Location (the
//        session URL, relative to the endpoint or absolute), optionally an
//        ETag, and the answer (application/sdp).
//   PATCH <Location>   Content-Type: application/trickle-ice-sdpfrag (RFC
//        8840 fragment: a=ice-ufrag, a=ice-pwd, m=, a=mid, a=candidate...,
//        a=end-of-candidates), If-Match: the ETag when one was given.
//        2xx: fine.  405/501: the server takes no trickle: stop sending.
//        404/410: the session is gone: reconnect.  Other errors: stop
//        trickling this session (ICE decides whether it still works).
//   DELETE <Location>  when the page goes away or before reconnecting
//        (fetch with keepalive: sendBeacon cannot DELETE).
//
// Candidates ("trickle" in config.json): "auto" (the default) posts the
// offer as soon as it holds a first candidate (or gathering completes, or
// 150 ms pass), and trickles the rest with PATCH.  Measured on loopback
// (bench/measure-start.mjs), the offer goes out 30-110 ms after
// setLocalDescription and the first frame shows 0.3-0.6 s after page load
// in Chromium and Firefox, as fast as posting at once ("always") within
// the noise, while the offer still carries a host candidate, so a server
// that takes no PATCH still connects.  "always" posts a candidate-less
// offer at once and trickles everything.  "never" waits for gathering to
// complete (at most 5 s) and sends no PATCH: Chromium needs 140-300 ms to
// complete gathering even on loopback, and with an unreachable STUN or TURN
// server it takes seconds (Firefox never completes), so it is not the
// default.
//
// Data channels (RFC 8831): the offer carries an m=application section;
// the page opens a channel labelled "chat" (the message panel's text box
// sends on it, messages.js) and lists the messages of every channel,
// its own and those the server opens (ondatachannel: webrtcsink's
// data_%u pads).
//
// Navigation ("navigation": true in config.json, webrtcsink's
// enable-navigation): the page also opens a channel labelled "input" and
// sends the video element's mouse moves, button presses and releases
// (DOM buttons 0-2 as 1-3), wheel scrolls and key presses and releases
// (the DOM's KeyboardEvent.key names) on it, as the JSON of
// gstwrtcnavigation.h, one event a message.  Coordinates are in the
// video's pixels (videoWidth x videoHeight): the element's box less the
// letterboxing of its object-fit (centred, as player.css places it),
// clamped to the picture.  Scroll deltas are in wheel notches (100 pixels
// or 3 lines a notch), positive to the right and up, as GStreamer's own
// video sinks send them.  The video takes the keyboard focus when
// clicked; Tab still moves the focus on.
//
// Reconnects, with backoff (0.5 s doubling to 10 s, reset once frames
// flow), when the POST fails, a PATCH says the session is gone, ICE or DTLS
// fail, ICE stays disconnected for 3 s, no connection comes within 10 s of
// the answer, or a track ends.
//
// window.player is a read-only view of the status, for people and tests:
// state ("starting", "connecting", "connected", "playing", "reconnecting",
// "closed"), signalingState, connectionState, framesDecoded, width, height,
// fps, bitrate (bit/s), packetsLost, lastError, sessions (how many were
// started), audio (an audio track arrived), muted, trickle (the mode),
// iceServers (what the current RTCPeerConnection was configured with, as
// its getConfiguration() reports it: urls, username; no credential),
// messagesReceived and messagesSent (the message panel's), dataChannels
// ([{label, state}], the channels of this page, newest last), navigation
// (whether the page sends navigation events), navigationSent (how many), and
// timings of the current session in ms since the page started loading:
// start, localDescription, gatheringComplete, offerSent, answered, connected,
// firstFrame.
'use strict';

(function () {
  const DEFAULTS = {
    whep: 'whep',
    iceServers: [],
    iceTransportPolicy: 'all',
    video: true,
    audio: true,
    trickle: 'auto',
    navigation: false,
  };
  const AUTO_GATHER_MS = 150;
  const NEVER_GATHER_MAX_MS = 5000;
  const HTTP_TIMEOUT_MS = 10000;
  const CONNECT_TIMEOUT_MS = 10000;
  const DISCONNECTED_GRACE_MS = 3000;
  const BACKOFF_MIN_MS = 500;
  const BACKOFF_MAX_MS = 10000;

  const $ = (id) => document.getElementById(id);
  const video = $('video');
  const soundButton = $('sound');
  const stateLine = $('state');
  const statsLine = $('stats');
  const panel = window.WrtcMessages.panel($('messages'), () => {
    const m = panel.status();
    st.messagesReceived = m.messagesReceived;
    st.messagesSent = m.messagesSent;
    st.dataChannels = m.channels;
  });

  const token = new URLSearchParams(location.search).get('token');

  // Everything window.player shows.
  const st = {
    state: 'starting',
    signalingState: 'new',
    connectionState: 'new',
    framesDecoded: 0,
    width: 0,
    height: 0,
    fps: 0,
    bitrate: 0,
    packetsLost: 0,
    lastError: null,
    sessions: 0,
    audio: false,
    muted: true,
    trickle: DEFAULTS.trickle,
    iceServers: [],
    messagesReceived: 0,
    messagesSent: 0,
    dataChannels: Object.freeze([]),
    navigation: false,
    navigationSent: 0,
    timings: {},
  };

  const player = {};
  for (const key of Object.keys(st)) {
    Object.defineProperty(player, key, {
      enumerable: true,
      get: () => (key === 'timings' ? Object.freeze({ ...st.timings }) : st[key]),
    });
  }
  Object.defineProperty(window, 'player', { value: Object.freeze(player), enumerable: true });

  let config = { ...DEFAULTS };
  let session = null; // the current one
  let retryTimer = null;
  let backoff = BACKOFF_MIN_MS;
  let closing = false;

  const now = () => Math.round(performance.now());

  function authHeaders (extra) {
    const h = { ...extra };
    if (token) h.Authorization = `Bearer ${token}`;
    return h;
  }

  function setState (state, text) {
    st.state = state;
    stateLine.dataset.state = state;
    stateLine.textContent = text;
  }

  function error (msg) {
    st.lastError = msg;
    console.warn(`player: ${msg}`);
  }

  async function httpFetch (url, init) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), HTTP_TIMEOUT_MS);
    try {
      return await fetch(url, { ...init, signal: ctl.signal, cache: 'no-store' });
    } catch (e) {
      throw new Error(ctl.signal.aborted ? `no answer within ${HTTP_TIMEOUT_MS / 1000} s` : e.message);
    } finally {
      clearTimeout(timer);
    }
  }

  async function httpError (what, res) {
    let body = '';
    try { body = (await res.text()).split('\n')[0].slice(0, 200); } catch (e) { /* none */ }
    return `${what}: ${res.status} ${res.statusText}${body ? `: ${body}` : ''}`;
  }

  async function loadConfig () {
    try {
      const res = await httpFetch('config.json', { headers: authHeaders({ Accept: 'application/json' }) });
      if (!res.ok) return;
      const c = await res.json();
      if (c && typeof c === 'object') {
        for (const k of Object.keys(DEFAULTS)) if (k in c) config[k] = c[k];
      }
    } catch (e) {
      console.info(`player: no config.json (${e.message}), using defaults`);
    }
    if (!['auto', 'always', 'never'].includes(config.trickle)) {
      config.trickle = config.trickle === false ? 'never' : 'auto';
    }
    st.trickle = config.trickle;
    st.navigation = config.navigation === true;
  }

  // Adds a=end-of-candidates to each m-section that has none.
  function withEndOfCandidates (sdp) {
    const out = [];
    let inMedia = false;
    let has = false;
    const close = () => { if (inMedia && !has) out.push('a=end-of-candidates'); };
    for (const line of sdp.split('\r\n')) {
      if (!line) continue;
      if (line.startsWith('m=')) { close(); inMedia = true; has = false; }
      if (line === 'a=end-of-candidates') has = true;
      out.push(line);
    }
    close();
    return out.join('\r\n') + '\r\n';
  }

  // ---- one WHEP session ----------------------------------------------------

  class Session {
    constructor () {
      this.pc = null;
      this.input = null; // the navigation channel
      this.url = null; // Location
      this.etag = null;
      this.pending = []; // candidates waiting for the Location
      this.endOfCandidates = false;
      this.endSent = false;
      this.posted = false;
      this.trickleOff = config.trickle === 'never';
      this.patching = Promise.resolve();
      this.timers = new Set();
      this.dead = false;
      this.stream = new MediaStream();
    }

    later (ms, fn) {
      const t = setTimeout(() => { this.timers.delete(t); if (!this.dead) fn(); }, ms);
      this.timers.add(t);
      return t;
    }

    cancel (t) { clearTimeout(t); this.timers.delete(t); }

    async start () {
      st.sessions++;
      st.timings = { start: now() };
      const pc = this.pc = new RTCPeerConnection({
        iceServers: config.iceServers,
        iceTransportPolicy: config.iceTransportPolicy,
        bundlePolicy: 'max-bundle',
        rtcpMuxPolicy: 'require',
      });
      st.iceServers = Object.freeze((pc.getConfiguration().iceServers || []).map((s) => Object.freeze({
        urls: [].concat(s.urls || []),
        ...(s.username ? { username: s.username } : {}),
      })));
      if (config.video) pc.addTransceiver('video', { direction: 'recvonly' });
      if (config.audio) pc.addTransceiver('audio', { direction: 'recvonly' });
      // before the offer: it gets an m=application section
      panel.own(pc.createDataChannel('chat'));
      if (st.navigation) this.input = pc.createDataChannel('input');
      pc.addEventListener('datachannel', (e) => { if (!this.dead) panel.watch(e.channel); });

      pc.addEventListener('track', (e) => this.onTrack(e.track));
      pc.addEventListener('icecandidate', (e) => {
        if (e.candidate && e.candidate.candidate) st.timings.firstCandidate ??= now();
        this.onCandidate(e.candidate);
      });
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') {
          st.timings.gatheringComplete = now();
          this.onCandidate(null);
        }
      });
      pc.addEventListener('signalingstatechange', () => { if (!this.dead) st.signalingState = pc.signalingState; });
      pc.addEventListener('connectionstatechange', () => this.onConnectionState());

      await pc.setLocalDescription();
      st.timings.localDescription = now();
      st.signalingState = pc.signalingState;
      await this.waitForCandidates();
      if (this.dead) return;

      let offer = pc.localDescription.sdp;
      if (pc.iceGatheringState === 'complete') {
        // Every candidate is in the offer: say so (RFC 8840 section 4.4),
        // so the server need not wait for a PATCH that will not come.
        this.endOfCandidates = this.endSent = true;
        offer = withEndOfCandidates(offer);
      }
      this.posted = true; // from here on, candidates go in PATCHes
      const endpoint = new URL(config.whep, location.href);
      st.timings.offerSent = now();
      const res = await httpFetch(endpoint, {
        method: 'POST',
        headers: authHeaders({ 'Content-Type': 'application/sdp', Accept: 'application/sdp' }),
        body: offer,
      });
      if (this.dead) return;
      if (res.status !== 201) throw new Error(await httpError('POST whep', res));
      const loc = res.headers.get('Location');
      if (!loc) throw new Error('POST whep: 201 without a Location header');
      this.url = new URL(loc, res.url || endpoint).href;
      this.etag = res.headers.get('ETag');
      const answer = await res.text();
      st.timings.answered = now();
      try {
        await pc.setRemoteDescription({ type: 'answer', sdp: answer });
      } catch (e) {
        throw new Error(`the answer was refused: ${e.name}: ${e.message}`);
      }
      if (this.dead) return;
      st.signalingState = pc.signalingState;
      // A server that closes the session sends a DTLS close_notify: notice
      // at once instead of waiting for ICE consent to expire.
      const dtls = pc.getReceivers().map((r) => r.transport).find(Boolean);
      if (dtls) {
        dtls.addEventListener('statechange', () => {
          if (dtls.state === 'closed') this.fail('the server closed the connection');
          else if (dtls.state === 'failed') this.fail('DTLS failed');
        });
      }
      setState('connecting', 'Connecting…');
      this.connectTimer = this.later(CONNECT_TIMEOUT_MS, () => {
        if (pc.connectionState !== 'connected') {
          this.fail(`no connection within ${CONNECT_TIMEOUT_MS / 1000} s (ICE ${pc.iceConnectionState})`);
        }
      });
      this.flushCandidates();
    }

    // "auto": until the first candidate, gathering completes or
    // AUTO_GATHER_MS pass; "never": until gathering completes (bounded);
    // "always": not at all.
    waitForCandidates () {
      const pc = this.pc;
      if (config.trickle === 'always' || pc.iceGatheringState === 'complete') return Promise.resolve();
      const auto = config.trickle === 'auto';
      if (auto && /^a=candidate:/m.test(pc.localDescription.sdp)) return Promise.resolve();
      return new Promise((resolve) => {
        const t = this.later(auto ? AUTO_GATHER_MS : NEVER_GATHER_MAX_MS, resolve);
        const done = () => { this.cancel(t); resolve(); };
        pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') done(); });
        if (auto) pc.addEventListener('icecandidate', (e) => { if (e.candidate && e.candidate.candidate) done(); });
      });
    }

    onCandidate (c) {
      if (this.dead || this.trickleOff) return;
      if (c && c.candidate) {
        // RTCP candidates are useless with rtcp-mux, which WebRTC servers
        // must support (Firefox gathers them regardless of the policy).
        if (c.component === 'rtcp') return;
        // Before the POST, candidates go in the offer itself.
        if (this.posted) this.pending.push(c);
      } else {
        if (this.endOfCandidates) return;
        this.endOfCandidates = true;
        if (!this.posted) this.endSent = true;
      }
      this.flushCandidates();
    }

    flushCandidates () {
      if (!this.url || this.trickleOff || this.dead) return;
      const batch = this.pending.splice(0);
      const end = this.endOfCandidates && !this.endSent;
      if (!batch.length && !end) return;
      if (end) this.endSent = true;
      const body = this.fragment(batch, end);
      // One PATCH at a time, in order.
      this.patching = this.patching.then(() => this.patch(body));
    }

    // RFC 8840 section 9.2 / RFC 9725 section 4.3.1.
    fragment (cands, end) {
      const sdp = this.pc.localDescription.sdp;
      const ufrag = (sdp.match(/^a=ice-ufrag:(.*)$/m) || [])[1];
      const pwd = (sdp.match(/^a=ice-pwd:(.*)$/m) || [])[1];
      const mlines = {};
      let mline = null;
      for (const line of sdp.split(/\r?\n/)) {
        if (line.startsWith('m=')) mline = line;
        else if (line.startsWith('a=mid:') && mline) mlines[line.slice(6).trim()] = mline;
      }
      const firstMid = Object.keys(mlines)[0];
      const byMid = new Map();
      if (end && !cands.length) byMid.set(firstMid, []);
      for (const c of cands) {
        const mid = c.sdpMid ?? firstMid;
        if (!byMid.has(mid)) byMid.set(mid, []);
        byMid.get(mid).push(c.candidate);
      }
      let out = `a=ice-ufrag:${ufrag}\r\na=ice-pwd:${pwd}\r\n`;
      for (const [mid, list] of byMid) {
        const m = (mlines[mid] || mlines[firstMid]).split(' ').slice(0, 4).join(' ');
        out += `${m}\r\na=mid:${mid}\r\n`;
        for (const c of list) out += `a=${c}\r\n`;
        if (end) out += 'a=end-of-candidates\r\n';
      }
      return out;
    }

    async patch (body) {
      if (this.dead || this.trickleOff) return;
      let res;
      try {
        res = await httpFetch(this.url, {
          method: 'PATCH',
          headers: authHeaders({
            'Content-Type': 'application/trickle-ice-sdpfrag',
            ...(this.etag ? { 'If-Match': this.etag } : {}),
          }),
          body,
        });
      } catch (e) {
        error(`PATCH: ${e.message}`);
        return;
      }
      if (this.dead || res.ok) return;
      if (res.status === 405 || res.status === 501) {
        this.trickleOff = true; // the server takes no trickle
        return;
      }
      const msg = await httpError('PATCH', res);
      if (res.status === 404 || res.status === 410) {
        this.fail(`${msg} (the session is gone)`);
      } else {
        error(msg);
        this.trickleOff = true;
      }
    }

    onTrack (track) {
      if (this.dead) return;
      this.stream.addTrack(track);
      if (track.kind === 'audio') {
        st.audio = true;
        soundButton.hidden = false;
      }
      track.addEventListener('ended', () => this.fail(`the ${track.kind} track ended`));
      if (video.srcObject !== this.stream) {
        video.srcObject = this.stream;
        watchFrames(this);
      }
      video.play().catch(() => { /* autoplay waits for the button */ });
    }

    onConnectionState () {
      const pc = this.pc;
      if (this.dead) return;
      st.connectionState = pc.connectionState;
      switch (pc.connectionState) {
        case 'connected':
          st.timings.connected ??= now();
          this.cancel(this.disconnectTimer);
          if (st.state !== 'playing') setState('connected', 'Connected, waiting for video…');
          break;
        case 'disconnected':
          this.disconnectTimer = this.later(DISCONNECTED_GRACE_MS, () => {
            if (pc.connectionState === 'disconnected') this.fail('connection lost');
          });
          break;
        case 'failed':
          this.fail('connection failed');
          break;
        case 'closed':
          this.fail('connection closed');
          break;
      }
    }

    fail (why) {
      if (this.dead) return;
      error(why);
      this.close();
      scheduleReconnect(why);
    }

    // Ends the session here and at the server.
    close () {
      if (this.dead) return;
      this.dead = true;
      for (const t of this.timers) clearTimeout(t);
      this.timers.clear();
      try { this.pc.close(); } catch (e) { /* closed */ }
      if (this.url) {
        fetch(this.url, { method: 'DELETE', keepalive: true, headers: authHeaders() }).catch(() => {});
      }
    }
  }

  // ---- frames, stats, sound ------------------------------------------------

  function watchFrames (s) {
    const first = () => {
      if (s.dead || s !== session) return;
      st.timings.firstFrame ??= now();
      st.width = video.videoWidth;
      st.height = video.videoHeight;
      if (st.state !== 'playing') setState('playing', 'Live');
      backoff = BACKOFF_MIN_MS;
    };
    if ('requestVideoFrameCallback' in HTMLVideoElement.prototype) {
      video.requestVideoFrameCallback(first);
    } else {
      video.addEventListener('loadeddata', first, { once: true });
    }
  }

  let lastSample = null;

  async function pollStats () {
    const s = session;
    if (!s || s.dead || !s.pc || s.pc.connectionState !== 'connected') return;
    let report;
    try { report = await s.pc.getStats(); } catch (e) { return; }
    if (s !== session) return;
    let bytes = 0;
    let lost = 0;
    let v = null;
    report.forEach((r) => {
      if (r.type !== 'inbound-rtp') return;
      bytes += r.bytesReceived || 0;
      lost += Math.max(0, r.packetsLost || 0);
      if ((r.kind || r.mediaType) === 'video') v = r;
    });
    const t = performance.now();
    const prev = lastSample && lastSample.session === s ? lastSample : null;
    if (v) {
      st.framesDecoded = v.framesDecoded || 0;
      if (v.framesPerSecond !== undefined) st.fps = Math.round(v.framesPerSecond);
      else if (prev) st.fps = Math.round(((v.framesDecoded || 0) - prev.frames) * 1000 / (t - prev.t));
    }
    if (prev) st.bitrate = Math.max(0, Math.round((bytes - prev.bytes) * 8000 / (t - prev.t)));
    st.packetsLost = lost;
    st.width = video.videoWidth || (v && v.frameWidth) || st.width;
    st.height = video.videoHeight || (v && v.frameHeight) || st.height;
    lastSample = { session: s, t, bytes, frames: v ? v.framesDecoded || 0 : 0 };
    statsLine.textContent = [
      st.width && st.height ? `${st.width}×${st.height}` : null,
      `${st.fps} fps`,
      st.bitrate >= 1e6 ? `${(st.bitrate / 1e6).toFixed(1)} Mbit/s` : `${Math.round(st.bitrate / 1e3)} kbit/s`,
      `${st.packetsLost} lost`,
    ].filter(Boolean).join(' · ');
  }

  function updateSoundButton () {
    st.muted = video.muted;
    soundButton.setAttribute('aria-pressed', String(!video.muted));
    soundButton.querySelector('.label').textContent = video.muted ? 'Click for sound' : 'Mute';
  }

  soundButton.addEventListener('click', () => {
    video.muted = !video.muted;
    video.play().catch((e) => error(`play: ${e.message}`));
    updateSoundButton();
  });
  video.addEventListener('volumechange', updateSoundButton);

  // ---- navigation ----------------------------------------------------------

  // GstNavigationModifierType bits
  const MODIFIERS = [['shiftKey', 1 << 0], ['ctrlKey', 1 << 2], ['altKey', 1 << 3], ['metaKey', 1 << 28]];
  // MouseEvent.buttons bits (left, right, middle) as GStreamer's BUTTON1-3
  const BUTTON_MASKS = [1 << 8, 1 << 10, 1 << 9];

  function modifierState (e) {
    let m = 0;
    for (const [k, bit] of MODIFIERS) if (e[k]) m |= bit;
    for (let i = 0; i < BUTTON_MASKS.length; i++) if (e.buttons & (1 << i)) m |= BUTTON_MASKS[i];
    return m;
  }

  // The event's point in the video's pixels, or null before the first frame.
  function videoPoint (e) {
    const vw = video.videoWidth;
    const vh = video.videoHeight;
    if (!vw || !vh) return null;
    const r = video.getBoundingClientRect();
    let sx = r.width / vw;
    let sy = r.height / vh;
    switch (getComputedStyle(video).objectFit) {
      case 'contain': sx = sy = Math.min(sx, sy); break;
      case 'scale-down': sx = sy = Math.min(1, sx, sy); break;
      case 'cover': sx = sy = Math.max(sx, sy); break;
      case 'none': sx = sy = 1; break;
      default: break; // fill
    }
    if (!(sx > 0 && sy > 0)) return null;
    const ox = (r.width - vw * sx) / 2;
    const oy = (r.height - vh * sy) / 2;
    const clamp = (v, max) => Math.round(Math.min(Math.max(v, 0), max) * 100) / 100;
    return { x: clamp((e.clientX - r.left - ox) / sx, vw), y: clamp((e.clientY - r.top - oy) / sy, vh) };
  }

  function sendNavigation (ev) {
    const ch = session && !session.dead ? session.input : null;
    if (!ch || ch.readyState !== 'open') return false;
    try {
      ch.send(JSON.stringify(ev));
    } catch (e) {
      error(`navigation: ${e.message}`);
      return false;
    }
    st.navigationSent++;
    return true;
  }

  function pointerEvent (event, e, extra) {
    const p = videoPoint(e);
    if (!p) return false;
    return sendNavigation({ event, ...extra, x: p.x, y: p.y, modifier_state: modifierState(e) });
  }

  function keyEvent (event, e) {
    if (e.key === 'Tab' || !e.key || e.isComposing) return; // no keyboard trap
    if (sendNavigation({ event, key: e.key, modifier_state: modifierState(e) })) e.preventDefault();
  }

  // wheel notches: 100 pixels, 3 lines or a page each
  const notches = (d, mode) => (mode === 0 ? d / 100 : mode === 1 ? d / 3 : d);

  function startNavigation () {
    video.tabIndex = 0;
    video.setAttribute('aria-label', 'Live stream video; mouse and keys go to the stream');
    video.addEventListener('mousemove', (e) => pointerEvent('mouse-move', e));
    video.addEventListener('mousedown', (e) => {
      video.focus({ preventScroll: true });
      if (e.button <= 2) pointerEvent('mouse-button-press', e, { button: e.button + 1 });
    });
    video.addEventListener('mouseup', (e) => {
      if (e.button <= 2) pointerEvent('mouse-button-release', e, { button: e.button + 1 });
    });
    video.addEventListener('wheel', (e) => {
      if (pointerEvent('mouse-scroll', e, {
        delta_x: notches(e.deltaX, e.deltaMode),
        delta_y: -notches(e.deltaY, e.deltaMode),
      })) e.preventDefault();
    }, { passive: false });
    video.addEventListener('contextmenu', (e) => { if (session && session.input) e.preventDefault(); });
    video.addEventListener('keydown', (e) => keyEvent('key-press', e));
    video.addEventListener('keyup', (e) => keyEvent('key-release', e));
  }

  // ---- lifecycle -----------------------------------------------------------

  function scheduleReconnect (why) {
    if (closing) return;
    clearTimeout(retryTimer);
    const delay = Math.round(backoff * (0.8 + Math.random() * 0.4));
    backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
    st.connectionState = 'new';
    st.signalingState = 'new';
    st.fps = 0;
    st.bitrate = 0;
    statsLine.textContent = '';
    setState('reconnecting', `Reconnecting in ${(delay / 1000).toFixed(1)} s (${why})`);
    retryTimer = setTimeout(connect, delay);
  }

  function connect () {
    if (closing) return;
    if (session) session.close();
    const s = session = new Session();
    setState('connecting', st.sessions ? 'Reconnecting…' : 'Connecting…');
    s.start().catch((e) => s.fail(e.message || String(e)));
  }

  window.addEventListener('pagehide', () => {
    closing = true;
    clearTimeout(retryTimer);
    if (session) session.close();
    setState('closed', 'Closed');
  });
  // Back from the back/forward cache: start again.
  window.addEventListener('pageshow', (e) => {
    if (!e.persisted) return;
    closing = false;
    backoff = BACKOFF_MIN_MS;
    connect();
  });
  video.addEventListener('resize', () => {
    st.width = video.videoWidth;
    st.height = video.videoHeight;
  });

  updateSoundButton();
  setInterval(pollStats, 1000);
  loadConfig().then(() => {
    if (st.navigation) startNavigation();
    connect();
  });
})();
