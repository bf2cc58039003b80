// SPDX-License-Identifier: LGPL-2.1-or-later
// Data channels between a real browser and our bins (issue 11), inside this
// test's loopback-only network namespace.  The pipeline side is
// tests/lib/data_bin_child.py (one bin, its channel labelled "gst", every
// message on a browser's channel reported and echoed back); the browser
// side is the page the bin serves, with its message panel, and a recorder
// of the page's data channels (an init script: every channel the page
// creates or receives, its messages with their SHA-256, its close).
//
//   --browser chromium|firefox
//   --mode whep         the player page as a WHEP viewer of webrtcsink:
//                       webrtcsink's data_0 ("gst") reaches the page by
//                       ondatachannel, the page's "chat" reaches the sink by
//                       on-data-channel; strings, binary, empty and 256 KiB
//                       messages both ways; the sink's data-channel stats
//                       count them; the page closes "chat" (the sink's
//                       channel object closes), EOS on data_0 closes "gst"
//                       in the page.
//   --mode whip         the publish page as a WHIP publisher to webrtcsrc:
//                       the page's "chat" becomes a data_%u pad (and
//                       on-data-channel), webrtcsrc's data_sink_0 ("gst")
//                       reaches the page by ondatachannel; the same
//                       messages both ways on both channels; closing
//                       "chat" ends its pad with EOS; EOS on data_sink_0
//                       closes "gst" in the page.
//   --mode navigation   webrtcsink enable-navigation=true and the player
//                       page: the page's mouse moves, clicks, wheel and
//                       keys on the video (the browser's own input
//                       synthesis) come out upstream of webrtcsink's video
//                       input as GstNavigation events, at the video pixels
//                       the pointer was over.
// In both message modes the panel is used as a person would: text typed
// into its box reaches the pipeline, and what the pipeline sends shows in
// its list.
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, runTest } from '../lib/run.mjs';
import { spawnJsonChild } from '../lib/child.mjs';

const args = parseArgs();
const which = args.browser || 'chromium';
const mode = args.mode || 'whep';
const here = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.resolve(here, '..', 'lib', 'data_bin_child.py');
// Debian's python3 has gi (a pyenv python3 on PATH may not).
const PYTHON = '/usr/bin/python3';
const OUR_LABEL = 'gst';
const BIG = 256 * 1024;
const SIZES = [1000, 0, BIG]; // binary messages, 0: an empty one

// The bytes data_bin_child.py sends for a binary message of @size.
function payload (size) {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 7 + size) % 256;
  return b;
}
const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');

// In the page, before its scripts: every data channel of every
// RTCPeerConnection (created or received) in window.__dc.channels, with
// its messages ({kind, len, sha256, text}) in order and whether it closed;
// __dc.send(label, {kind, text|size}) sends on the newest channel of that
// label (binary: data_bin_child.py's bytes) and resolves to what it sent.
const RECORDER = `(() => {
  const hex = async (buf) => Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', buf)),
    (b) => b.toString(16).padStart(2, '0')).join('');
  const dc = window.__dc = { channels: [] };
  const track = (ch, how) => {
    const rec = { label: ch.label, how, messages: [], closed: false, ch };
    dc.channels.push(rec);
    ch.binaryType = 'arraybuffer';
    let chain = Promise.resolve();
    ch.addEventListener('message', (e) => {
      const d = e.data;
      chain = chain.then(async () => {
        if (typeof d === 'string') {
          const bytes = new TextEncoder().encode(d);
          rec.messages.push({ kind: 'string', len: bytes.length, sha256: await hex(bytes), text: d.slice(0, 200) });
        } else {
          const buf = d instanceof ArrayBuffer ? d : await d.arrayBuffer();
          rec.messages.push({ kind: 'binary', len: buf.byteLength, sha256: await hex(buf) });
        }
      });
    });
    ch.addEventListener('close', () => { rec.closed = true; });
  };
  const Orig = window.RTCPeerConnection;
  const create = Orig.prototype.createDataChannel;
  Orig.prototype.createDataChannel = function (...a) {
    const ch = create.apply(this, a);
    track(ch, 'created');
    return ch;
  };
  window.RTCPeerConnection = class extends Orig {
    constructor (...a) {
      super(...a);
      this.addEventListener('datachannel', (e) => track(e.channel, 'received'));
    }
  };
  dc.find = (label) => dc.channels.filter((c) => c.label === label).pop() || null;
  dc.summary = () => dc.channels.map((c) => ({ label: c.label, how: c.how, state: c.ch.readyState,
    closed: c.closed, messages: c.messages.length }));
  dc.send = async (label, m) => {
    const rec = dc.find(label);
    if (!rec || rec.ch.readyState !== 'open') throw new Error('no open channel ' + label);
    if (m.kind === 'string') {
      rec.ch.send(m.text);
      const bytes = new TextEncoder().encode(m.text);
      return { kind: 'string', len: bytes.length, sha256: await hex(bytes) };
    }
    const size = m.kind === 'empty' ? 0 : m.size;
    const b = new Uint8Array(size);
    for (let i = 0; i < size; i++) b[i] = (i * 7 + size) % 256;
    rec.ch.send(b.buffer);
    return { kind: 'binary', len: size, sha256: await hex(b.buffer) };
  };
})();`;

async function addRecorder (page) {
  if (page.kind === 'playwright') await page.raw.addInitScript(RECORDER);
  else await page.raw.evaluateOnNewDocument(RECORDER);
}

// The pipeline child: sink (webrtcsink, data_0) or src (webrtcsrc WHIP
// server, data_sink_0), our channel labelled OUR_LABEL.
async function startChild (t, kind) {
  const quit = (child) => { if (!child.stdin.writableEnded) child.stdin.end('{"cmd": "quit"}\n'); };
  const c = spawnJsonChild(t, PYTHON, [CHILD, kind, '--label', OUR_LABEL],
    { stdin: 'pipe', stop: quit, killAfterMs: 10000 });
  const ready = await c.waitFor((e) => ['url', 'exit'].includes(e.event), 20000);
  if (!ready || ready.event !== 'url') t.log(`child stderr:\n${c.stderr()}`);
  t.require(ready && ready.event === 'url' && /^http:\/\/127\.0\.0\.1:\d+\/$/.test(ready.url || ''),
    `${kind === 'sink' ? 'webrtcsink' : 'webrtcsrc'} serves on loopback (${JSON.stringify(ready)})`);
  return {
    ...c,
    url: ready.url,
    cmd: (o) => c.child.stdin.write(JSON.stringify(o) + '\n'),
    /* The first event from now on matching pred, or null after ms. */
    next (pred, ms = 20000) {
      const n = c.events.length;
      return c.waitFor((e) => c.events.indexOf(e) >= n && pred(e), ms);
    },
  };
}

async function typeInto (page, selector, text) {
  await page.raw.focus(selector);
  await page.raw.keyboard.type(text);
  await page.raw.keyboard.press('Enter');
}

const describeMsg = (m) => m ? `${m.kind} ${m.len} bytes` : 'none';

// The message exchange of both message modes; @status is the page's
// window.player or window.publisher.
async function exchange (t, page, child, { status, kind }) {
  const bin = kind === 'sink' ? 'webrtcsink' : 'webrtcsrc';
  const our = kind === 'sink' ? 'data_0' : 'data_sink_0';
  const fail = (what) => async (e) => {
    t.log(`${what}: page channels ${JSON.stringify(await page.evaluate('window.__dc.summary()').catch(() => null))}`);
    t.log(`child events: ${JSON.stringify(child.events.slice(-30))}\nchild stderr:\n${child.stderr().slice(-3000)}`);
    throw e;
  };

  // the channels open: ours by ondatachannel in the page, the page's by
  // on-data-channel in the bin
  await page.waitFor(`window.__dc.find('chat') && window.__dc.find('chat').ch.readyState === 'open' &&
    window.__dc.find('${OUR_LABEL}') && window.__dc.find('${OUR_LABEL}').ch.readyState === 'open'`, {
    timeoutMs: 30000, what: 'both data channels open in the page', describe: 'window.__dc.summary()',
  }).catch(fail('channels'));
  const mine = await page.evaluate(`window.__dc.find('${OUR_LABEL}').how`);
  t.check(mine === 'received', `${which}: ${bin}'s ${our} channel "${OUR_LABEL}" reached the page by ondatachannel (${mine})`);
  const chan = await child.waitFor((e) => e.event === 'channel' && e.label === 'chat', 20000);
  t.check(chan !== null, `${bin}'s on-data-channel announced the page's "chat" (${JSON.stringify(chan)})`);
  if (kind === 'src') {
    const pad = await child.waitFor((e) => e.event === 'pad' && e.label === 'chat', 20000);
    t.check(pad !== null && /^data_\d+$/.test(pad.pad), `webrtcsrc added a ${pad && pad.pad} src pad for the page's "chat"`);
  }
  const st = await page.evaluate(`JSON.parse(JSON.stringify(window.${status}.dataChannels))`);
  t.check(st.some((c) => c.label === 'chat' && c.state === 'open') && st.some((c) => c.label === OUR_LABEL && c.state === 'open'),
    `${which}: window.${status}.dataChannels shows both open (${JSON.stringify(st)})`);

  // The panel as a person uses it: typed text reaches the pipeline (and
  // its echo shows in the list); what the pipeline sends shows too.
  const typed = `typed in ${which} ✓`;
  await typeInto(page, '.msg-text', typed);
  const got = await child.waitFor((e) => e.event === 'message' && e.label === 'chat' && e.text === typed, 20000);
  t.check(got !== null && got.kind === 'string', `the panel's text box sent "${typed}" on "chat" to ${bin} (${JSON.stringify(got)})`);
  await page.waitFor(`[...document.querySelectorAll('.msg-list li')].some((li) => li.textContent === ${JSON.stringify(`chat: ${typed}`)})`, {
    timeoutMs: 15000, what: 'the echo of the typed text in the panel', describe: "document.querySelector('.msg-list').textContent",
  }).catch(fail('panel echo'));
  t.check(true, `${which}: the panel lists the echo "chat: ${typed}"`);
  const shown = `from ${bin} ☃`;
  child.cmd({ cmd: 'send', kind: 'string', text: shown });
  child.cmd({ cmd: 'send', kind: 'binary', size: 1000 });
  await page.waitFor(`(() => { const t = [...document.querySelectorAll('.msg-list li')].map((li) => li.textContent);
    return t.includes(${JSON.stringify(`${OUR_LABEL}: ${shown}`)}) && t.includes('${OUR_LABEL}: binary 1000 bytes'); })()`, {
    timeoutMs: 15000, what: "the pipeline's messages in the panel", describe: "document.querySelector('.msg-list').textContent",
  }).catch(fail('panel list'));
  t.check(true, `${which}: the panel lists "${OUR_LABEL}: ${shown}" and "${OUR_LABEL}: binary 1000 bytes"`);
  const pstatus = await page.evaluate(`[window.${status}.messagesReceived, window.${status}.messagesSent]`);
  t.check(pstatus[0] >= 3 && pstatus[1] === 1, `${which}: window.${status} counts the panel's messages (received ${pstatus[0]}, sent ${pstatus[1]})`);

  // pipeline -> page on our channel: a string, binary, empty, 256 KiB
  const before = await page.evaluate(`window.__dc.find('${OUR_LABEL}').messages.length`);
  const outs = [{ kind: 'string', text: 'héllo from the pipeline' }, ...SIZES.map((size) => ({ kind: size ? 'binary' : 'empty', size }))];
  for (const m of outs) child.cmd({ cmd: 'send', ...m });
  await page.waitFor(`window.__dc.find('${OUR_LABEL}').messages.length >= ${before + outs.length}`, {
    timeoutMs: 30000, what: `${outs.length} messages on "${OUR_LABEL}"`, describe: 'window.__dc.summary()',
  }).catch(fail('pipeline to page'));
  const recv = (await page.evaluate(`window.__dc.find('${OUR_LABEL}').messages`)).slice(before);
  const want = [
    { kind: 'string', len: Buffer.byteLength(outs[0].text), sha256: sha256(Buffer.from(outs[0].text)) },
    ...SIZES.map((n) => ({ kind: 'binary', len: n, sha256: sha256(payload(n)) })),
  ];
  for (let i = 0; i < want.length; i++) {
    const r = recv[i];
    t.check(r && r.kind === want[i].kind && r.len === want[i].len && r.sha256 === want[i].sha256,
      `${which}: ${bin} -> page on "${OUR_LABEL}": ${describeMsg(want[i])} arrived intact, in order (${describeMsg(r)})`);
  }
  t.check(recv[0] && recv[0].text === outs[0].text, `${which}: the string reads "${recv[0] && recv[0].text}"`);

  // page -> pipeline on the page's channel (and the echoes back), and on
  // ours where the bin has a pad for it (webrtcsrc's data_%u)
  const labels = kind === 'src' ? ['chat', OUR_LABEL] : ['chat'];
  for (const label of labels) {
    const n = child.events.length;
    const echoBefore = await page.evaluate(`window.__dc.find('${label}').messages.length`);
    const sent = [];
    for (const m of [{ kind: 'string', text: `ünïcode on ${label} from ${which}` }, { kind: 'binary', size: 1000 }, { kind: 'empty' }, { kind: 'binary', size: BIG }]) {
      sent.push(await page.evaluate(`window.__dc.send('${label}', ${JSON.stringify(m)})`));
    }
    const arrived = () => child.events.slice(n).filter((e) => e.event === 'message' && e.label === label);
    await child.waitFor((e) => child.events.indexOf(e) >= n && arrived().length >= sent.length, 30000);
    const a = arrived();
    for (let i = 0; i < sent.length; i++) {
      t.check(a[i] && a[i].kind === sent[i].kind && a[i].len === sent[i].len && a[i].sha256 === sent[i].sha256,
        `${which}: page -> ${bin} on "${label}": ${describeMsg(sent[i])} arrived intact, in order (${describeMsg(a[i])})`);
    }
    if (label === 'chat') {
      // data_bin_child.py echoes on the page's own channels
      await page.waitFor(`window.__dc.find('chat').messages.length >= ${echoBefore + sent.length}`, {
        timeoutMs: 30000, what: 'the echoes on "chat"', describe: 'window.__dc.summary()',
      }).catch(fail('echoes'));
      const echoes = (await page.evaluate("window.__dc.find('chat').messages")).slice(echoBefore);
      t.check(sent.every((s, i) => echoes[i] && echoes[i].kind === s.kind && echoes[i].len === s.len && echoes[i].sha256 === s.sha256),
        `${which}: ${bin} -> page on "chat" (its echoes, the channel the page opened): ${echoes.map(describeMsg).join(', ')}`);
    }
  }

  // the bin's W3C data-channel stats count them
  child.cmd({ cmd: 'stats' });
  const stats = await child.next((e) => e.event === 'stats');
  const chs = stats ? stats.channels : [];
  t.log(`${bin} data-channel stats: ${JSON.stringify(chs)}`);
  const ours = chs.find((c) => c.label === OUR_LABEL);
  const theirs = chs.find((c) => c.label === 'chat');
  const ourBytes = Buffer.byteLength(shown) + 1000 + Buffer.byteLength(outs[0].text) + 1000 + BIG;
  t.check(ours && ours.messagesSent >= 6 && ours.bytesSent >= ourBytes && ours.state === 'open',
    `${bin}'s stats count "${OUR_LABEL}": ${ours && ours.messagesSent} messages, ${ours && ours.bytesSent} bytes sent (>= 6, >= ${ourBytes}), ${ours && ours.state}`);
  const chatBytes = Buffer.byteLength(typed) + Buffer.byteLength(`ünïcode on chat from ${which}`) + 1000 + BIG;
  t.check(theirs && theirs.messagesReceived >= 5 && theirs.bytesReceived >= chatBytes &&
    theirs.messagesSent >= 5 && theirs.bytesSent >= chatBytes,
  `${bin}'s stats count "chat": received ${theirs && theirs.messagesReceived} / ${theirs && theirs.bytesReceived} bytes, ` +
    `sent ${theirs && theirs.messagesSent} / ${theirs && theirs.bytesSent} (>= 5, >= ${chatBytes} each way)`);
  t.check(chs.every((c) => typeof c.dataChannelIdentifier === 'number' && 'protocol' in c),
    `${bin}'s data-channel entries carry dataChannelIdentifier and protocol`);

  // Closing, from each side.  The page closes "chat": the bin's channel
  // object closes (and webrtcsrc's pad ends).
  await page.evaluate("window.__dc.find('chat').ch.close()");
  const closed = await child.waitFor((e) => e.event === 'closed' && e.label === 'chat', 20000);
  t.check(closed !== null, `${which}: the page closing "chat" reached ${bin} (on-close)`);
  if (kind === 'src') {
    const eos = await child.waitFor((e) => e.event === 'eos' && e.label === 'chat', 20000);
    t.check(eos !== null, `${which}: ... and webrtcsrc's ${eos ? eos.pad : 'data'} pad of "chat" got EOS`);
  }
  await page.waitFor("window.__dc.find('chat').closed", { timeoutMs: 15000, what: '"chat" closed in the page', describe: 'window.__dc.summary()' })
    .catch(fail('chat close'));
  // EOS into our pad closes ours: the page sees its channel close
  child.cmd({ cmd: 'close' });
  await page.waitFor(`window.__dc.find('${OUR_LABEL}').closed`, {
    timeoutMs: 20000, what: `"${OUR_LABEL}" closed in the page after EOS on ${our}`, describe: 'window.__dc.summary()',
  }).catch(fail('our close'));
  t.check(true, `${which}: EOS on ${bin}'s ${our} closed "${OUR_LABEL}" in the page (close event)`);
  const conn = await page.evaluate(`window.${status}.connectionState`);
  t.check(conn === 'connected', `${which}: the media connection stays up after the channels closed (${conn})`);
  t.check(!child.events.some((e) => e.event === 'error'), `no element error in the pipeline (${JSON.stringify(child.events.filter((e) => e.event === 'error'))})`);
}

async function navigation (t, page, child) {
  const cfg = await page.evaluate(async () => (await fetch('config.json')).json());
  t.check(cfg.navigation === true, `config.json says "navigation": true with enable-navigation=true (${JSON.stringify(cfg)})`);
  await page.waitFor(`window.player.navigation && window.__dc.find('input') && window.__dc.find('input').ch.readyState === 'open' &&
    window.player.state === 'playing' && window.player.width === 320`, {
    timeoutMs: 30000, what: 'the player playing with its "input" channel open', describe: 'window.player',
  });
  const chan = await child.waitFor((e) => e.event === 'channel' && e.label === 'input', 20000);
  t.check(chan !== null, `webrtcsink's on-data-channel announced the player's "input" (${JSON.stringify(chan)})`);

  // Where the picture is: the element's box, the 320x240 picture centred
  // in it at the largest scale that fits (object-fit: contain).
  const box = await page.evaluate(() => {
    const r = document.getElementById('video').getBoundingClientRect();
    return { left: r.left, top: r.top, width: r.width, height: r.height };
  });
  const scale = Math.min(box.width / 320, box.height / 240);
  const at = (x, y) => [box.left + (box.width - 320 * scale) / 2 + x * scale, box.top + (box.height - 240 * scale) / 2 + y * scale];
  t.log(`video element ${JSON.stringify(box)}, picture scale ${scale.toFixed(3)}`);
  const near = (e, x, y) => Math.abs(e.x - x) <= 1.5 && Math.abs(e.y - y) <= 1.5;
  const nav = (pred) => child.next((e) => e.event === 'navigation' && pred(e), 10000);
  const mouse = page.raw.mouse;

  let w = nav((e) => e.type === 'mouse-move' && near(e, 80, 60));
  await mouse.move(...at(80, 60));
  let e = await w;
  t.check(e !== null, `${which}: a mouse move over video pixel (80, 60) came upstream as mouse-move (${JSON.stringify(e || child.latest('navigation'))})`);
  if (!e) {
    t.log(`page sent ${await page.evaluate(() => window.player.navigationSent)} navigation events; ` +
      `child events: ${JSON.stringify(child.events.filter((ev) => ['message', 'navigation', 'text'].includes(ev.event)).slice(-10))}` +
      `\nchild stderr:\n${child.stderr().slice(-3000)}`);
  }

  w = nav((ev) => ev.type === 'mouse-button-release');
  const press = nav((ev) => ev.type === 'mouse-button-press');
  await mouse.move(...at(240, 180));
  await mouse.down();
  await mouse.up();
  const [p, r] = [await press, await w];
  t.check(p && p.button === 1 && near(p, 240, 180), `${which}: a left press at (240, 180) came upstream as button 1 (${JSON.stringify(p)})`);
  t.check(r && r.button === 1 && near(r, 240, 180), `${which}: its release too (${JSON.stringify(r)})`);
  t.check(p && (p.modifier_state & (1 << 8)) !== 0, `${which}: the press carries BUTTON1_MASK (modifier_state ${p && p.modifier_state})`);

  w = nav((ev) => ev.type === 'mouse-button-press' && ev.button === 3);
  await mouse.down({ button: 'right' });
  await mouse.up({ button: 'right' });
  e = await w;
  t.check(e !== null, `${which}: a right press came upstream as button 3 (${JSON.stringify(e)})`);

  // the click focused the video: keys go to it
  const kp = nav((ev) => ev.type === 'key-press' && ev.key === 'a');
  const kr = nav((ev) => ev.type === 'key-release' && ev.key === 'a');
  await page.raw.keyboard.press('a');
  const [k1, k2] = [await kp, await kr];
  t.check(k1 !== null && k2 !== null, `${which}: pressing "a" came upstream as key-press and key-release "a" (${JSON.stringify([k1, k2])})`);
  const ks = nav((ev) => ev.type === 'key-press' && ev.key === 'A');
  await page.raw.keyboard.down('Shift');
  await page.raw.keyboard.press('A');
  await page.raw.keyboard.up('Shift');
  e = await ks;
  t.check(e !== null && (e.modifier_state & 1) === 1, `${which}: Shift+A came upstream as "A" with SHIFT_MASK (${JSON.stringify(e)})`);

  w = nav((ev) => ev.type === 'mouse-scroll');
  if (page.kind === 'playwright') await mouse.wheel(0, 100);
  else await mouse.wheel({ deltaY: 100 });
  e = await w;
  t.check(e !== null && e.delta_y < 0 && near(e, 240, 180),
    `${which}: a wheel scroll down at (240, 180) came upstream as mouse-scroll with delta_y < 0 (${JSON.stringify(e)})`);
  const sent = await page.evaluate(() => window.player.navigationSent);
  t.check(sent >= 8, `${which}: window.player counts the navigation events sent (${sent})`);
  t.check(!child.events.some((ev) => ev.event === 'error'), 'no element error in the pipeline');
}

await runTest(`datachannel-${mode}-${which}`, { timeoutMs: 60000 }, async (t) => {
  const kind = mode === 'whip' ? 'src' : 'sink';
  const child = await startChild(t, kind);
  t.log(`${kind} serves ${child.url}`);
  const b = await t.browser(which);
  const page = await b.newPage();
  await addRecorder(page);
  if (kind === 'src') {
    await page.goto(`${child.url}publish?autostart=1`);
    const cfg = await page.evaluate(async () => (await fetch('config.json')).json());
    t.check(cfg.navigation === false, `webrtcsrc's config.json says "navigation": false (${JSON.stringify(cfg)})`);
    await page.waitFor('window.publisher.state === "publishing"', {
      timeoutMs: 30000, what: 'the publish page publishing', describe: 'window.publisher',
    });
    await exchange(t, page, child, { status: 'publisher', kind });
  } else {
    await page.goto(child.url);
    await page.waitFor('window.player.state === "playing"', {
      timeoutMs: 30000, what: 'the player playing', describe: 'window.player',
    });
    if (mode === 'navigation') await navigation(t, page, child);
    else await exchange(t, page, child, { status: 'player', kind });
  }
  // the page leaves; the pipeline stops cleanly
  await page.goto('about:blank');
  child.cmd({ cmd: 'quit' });
  const r = await Promise.race([child.exited, new Promise((resolve) => setTimeout(() => resolve(null), 20000))]);
  t.check(r !== null && r.code === 0, `the pipeline stops cleanly (${JSON.stringify(r)})`);
  const errs = child.stderr();
  t.check(!/CRITICAL|WARNING \*\*/.test(errs), 'no criticals or GLib warnings from the pipeline');
  if (/CRITICAL|WARNING \*\*/.test(errs) || !r || r.code !== 0) t.log(`pipeline stderr:\n${errs.slice(-4000)}`);
});
