// SPDX-License-Identifier: LGPL-2.1-or-later
// gst-plugins-webrtc: the message panel of the player page (webrtcsink) and
// the publish page (webrtcsrc), written once.  The data channels of the
// page's RTCPeerConnection (RFC 8831): every message they deliver is
// listed ("label: text", or "label: binary N bytes"); a text box sends on
// the page's own channel (label "chat", which the page creates before its
// offer so the offer carries an m=application section).
//
//   const panel = WrtcMessages.panel(element, onChange);
//       element holds .msg-list (a list), .msg-form (a form) with
//       .msg-text (a text input) and a submit button; onChange() runs
//       whenever the counts or channels below change.
//   panel.own(channel)     the page's channel: the box sends on it
//   panel.watch(channel)   a channel the server opened (ondatachannel)
//   panel.status()         { messagesReceived, messagesSent, channels:
//                            [{ label, state }] } (frozen)
//
// Binary messages arrive as ArrayBuffers (binaryType), whatever the
// browser's default.  The list keeps the last MAX_ITEMS messages.
'use strict';

window.WrtcMessages = (function () {
  const MAX_ITEMS = 200;
  const MAX_TEXT = 500;
  const MAX_CHANNELS = 32; // remembered for status(), across reconnects

  function panel (root, onChange) {
    const list = root.querySelector('.msg-list');
    const form = root.querySelector('.msg-form');
    const text = root.querySelector('.msg-text');
    const button = form.querySelector('button');
    const channels = []; // every channel seen, in order
    let mine = null;
    let received = 0;
    let sent = 0;

    const changed = () => { if (onChange) onChange(); };

    function updateForm () {
      const open = !!mine && mine.readyState === 'open';
      text.disabled = !open;
      button.disabled = !open;
    }

    function show (label, data) {
      const li = document.createElement('li');
      const name = document.createElement('span');
      name.className = 'msg-label';
      name.textContent = label;
      const body = document.createElement('span');
      if (typeof data === 'string') {
        body.className = 'msg-body';
        body.textContent = data.length > MAX_TEXT ? `${data.slice(0, MAX_TEXT)}…` : data;
      } else {
        body.className = 'msg-body msg-binary';
        body.textContent = `binary ${data.byteLength !== undefined ? data.byteLength : data.size} bytes`;
      }
      li.append(name, ': ', body);
      list.append(li);
      while (list.children.length > MAX_ITEMS) list.firstElementChild.remove();
      list.scrollTop = list.scrollHeight;
    }

    function watch (ch) {
      ch.binaryType = 'arraybuffer';
      channels.push(ch);
      if (channels.length > MAX_CHANNELS) channels.splice(0, channels.length - MAX_CHANNELS);
      ch.addEventListener('message', (e) => {
        received++;
        show(ch.label, e.data);
        changed();
      });
      for (const ev of ['open', 'close', 'closing', 'error']) {
        ch.addEventListener(ev, () => { updateForm(); changed(); });
      }
      changed();
    }

    function own (ch) {
      mine = ch;
      watch(ch);
      updateForm();
    }

    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!mine || mine.readyState !== 'open' || !text.value) return;
      try {
        mine.send(text.value);
      } catch (err) {
        console.warn(`messages: send: ${err.message}`);
        return;
      }
      sent++;
      text.value = '';
      changed();
    });

    function status () {
      return Object.freeze({
        messagesReceived: received,
        messagesSent: sent,
        channels: Object.freeze(channels.map((c) => Object.freeze({ label: c.label, state: c.readyState }))),
      });
    }

    updateForm();
    return { own, watch, status };
  }

  return Object.freeze({ panel });
})();
