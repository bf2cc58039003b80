# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst-plugins-bad's webrtcbin as the other peer: the one harness the Python
tests and benchmarks use (tests/interop/webrtcsink_webrtcbin.py,
tests/webrtcsrc/webrtcsrc-webrtcbin.py, bench/webrtcbin_peers.py,
bench/latency.py).  webrtcbin runs with the stock registry (TESTING.md),
in a child process when our elements are loaded in the driver.

The child's side (gi imported inside the functions):

  init()
      Gst, GstSdp and GstWebRTC 1.0 required, Gst initialised.
  new_webrtcbin(name)
      a webrtcbin, max-bundle, its ICE on 127.0.0.1 (pin_loopback); None
      when the registry has none.
  pin_loopback(webrtcbin)
      ICE on 127.0.0.1 only, through webrtcbin's NiceAgent (libnice skips
      loopback unless told); the references it needs are kept here.
  report_impl(emit, element)
      an "impl" event: the element's plugin file and GType, so the driver
      can check which implementation the child got.
  create_offer(w), gathered_offer(w, offer), apply_answer(w, text)
      the offer (retried while the sink pads have no caps), set as the
      local description and returned once ICE gathering is complete (no
      trickle), and the remote answer applied.
  http_offer(w, emit, endpoint, ...)
      WHEP or WHIP without trickle: the gathered offer POSTed to @endpoint,
      the answer applied; events "offer", "posted", "answered" (or
      "fatal"); the resource URL, or None.
  serve(pipe, emit, resource, token, seconds, state)
      the child's life after the answer: command_loop() with "delete"
      (DELETE of the resource, a "deleted" event), then exit_child().
  command_loop(pipe, emit, seconds, state, handle), exit_child(pipe, emit)
      the pieces serve() is made of.
  DataChannels(w, emit)
      webrtcbin @w's data channels: create(label) before the offer, the
      ones the remote opens (on-data-channel), events "dc-open",
      "dc-message" (kind, len, sha256), "dc-close", "dc-error"; its
      handle(cmd) takes "dc-send", "dc-close" and "dc-create" (pass it
      to serve()).

In one process (benchmarks, both webrtcbins in one pipeline):

  negotiate_in_process(offerer, answerer)
      candidates exchanged both ways and offer -> answer from now on.

The driver's side:

  webrtcbin_env()
      the environment for the child: stock registry, none of our build's
      libraries, no GST_DEBUG of ours.
  start_http_peer(checks, name, argv, ...)
      the child (a wrtctest.Child), checked: webrtcbin from the stock
      registry, loopback candidates, POST 201 with a Location, the answer
      taken.

Scripts find it with sys.path, as wrtctest.py (this directory).
"""

import os
import queue
import sys
import threading
import time
import urllib.parse

from wrtctest import (Child, candidate_addresses, http, stdin_commands,
                      stock_env)

# ice-agent objects and promise replies that must outlive their callers
# (GI frees the NiceAgent under webrtcbin otherwise; an offer or answer
# from a reply is not a copy)
_keep = []


def init():
    """gi's Gst, GstSdp and GstWebRTC 1.0, Gst initialised: (Gst,
    GstWebRTC)."""
    import gi
    gi.require_version("Gst", "1.0")
    gi.require_version("GstSdp", "1.0")
    gi.require_version("GstWebRTC", "1.0")
    from gi.repository import Gst, GstWebRTC

    Gst.init(None)
    return Gst, GstWebRTC


def pin_loopback(webrtcbin):
    """ICE on 127.0.0.1 only (no ICE-TCP).  The ice-agent and its NiceAgent
    are kept referenced here, or they are freed under us; also returned."""
    import gi
    gi.require_version("Nice", "0.1")
    from gi.repository import Nice

    ice = webrtcbin.get_property("ice-agent")
    agent = ice.get_property("agent")
    ice.set_property("ice-tcp", False)
    lo = Nice.Address.new()
    lo.set_from_string("127.0.0.1")
    agent.add_local_address(lo)
    _keep.append((ice, agent))
    return ice, agent


def new_webrtcbin(name):
    """A webrtcbin named @name, max-bundle, ICE pinned to 127.0.0.1; None
    if the registry has no webrtcbin."""
    from gi.repository import Gst, GstWebRTC

    w = Gst.ElementFactory.make("webrtcbin", name)
    if w is None:
        return None
    w.set_property("bundle-policy", GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
    pin_loopback(w)
    return w


def report_impl(emit, element):
    """An "impl" event: @element's plugin file and GType name."""
    plugin = element.get_factory().get_plugin()
    emit(event="impl", plugin=plugin.get_filename() if plugin else None,
         gtype=element.__gtype__.name)


def create_offer(w, timeout=10):
    """webrtcbin @w's offer, or None after @timeout seconds; retried while
    it cannot make one yet (no caps on its sink pads).  The reply is kept:
    the offer is not a copy."""
    from gi.repository import Gst

    end = time.monotonic() + timeout
    while True:
        p = Gst.Promise.new()
        w.emit("create-offer", None, p)
        p.wait()
        reply = p.get_reply()
        if reply is not None and reply.has_field("offer"):
            _keep.append(reply)
            return reply.get_value("offer")
        if time.monotonic() >= end:
            return None
        time.sleep(0.1)


def gathered_offer(w, offer, timeout=10):
    """Sets @offer as webrtcbin @w's local description and returns its SDP
    text once ICE gathering is complete (no trickle: every candidate in
    it), or as it is after @timeout seconds."""
    from gi.repository import Gst, GstWebRTC

    p = Gst.Promise.new()
    w.emit("set-local-description", offer, p)
    p.wait()
    end = time.monotonic() + timeout
    while (w.get_property("ice-gathering-state")
           != GstWebRTC.WebRTCICEGatheringState.COMPLETE
           and time.monotonic() < end):
        time.sleep(0.05)
    return w.get_property("local-description").sdp.as_text()


def apply_answer(w, text):
    """Sets SDP @text as webrtcbin @w's remote answer: (parsed, error),
    error being set-remote-description's, or None."""
    from gi.repository import Gst, GstSdp, GstWebRTC

    ok, msg = GstSdp.SDPMessage.new_from_text(text)
    if ok != GstSdp.SDPResult.OK:
        return False, None
    answer = GstWebRTC.WebRTCSessionDescription.new(
        GstWebRTC.WebRTCSDPType.ANSWER, msg)
    p = Gst.Promise.new()
    w.emit("set-remote-description", answer, p)
    p.wait()
    reply = p.get_reply()
    if reply is not None and reply.has_field("error"):
        return True, str(reply.get_value("error"))
    return True, None


def http_offer(w, emit, endpoint, token=None, edit=None, retry_503=0):
    """WHEP or WHIP from webrtcbin @w without trickle: its offer, gathered,
    (passed through @edit(sdp) -> sdp when given) POSTed to @endpoint,
    retrying a 503 for @retry_503 seconds (as a WHEP client does while the
    server has no media yet), the answer applied.  Events: "offer" (sdp,
    candidates, gathering), "posted" (status, location, resource,
    answer_candidates, answer_fingerprint, body unless 201), "answered"
    (error); "fatal" (reason) on the way out.  Returns the resource URL,
    or None."""
    import re

    offer = create_offer(w)
    if offer is None:
        emit(event="fatal", reason="webrtcbin made no offer")
        return None
    sdp = gathered_offer(w, offer)
    if edit:
        sdp = edit(sdp)
    emit(event="offer", sdp=sdp, candidates=candidate_addresses(sdp),
         gathering=w.get_property("ice-gathering-state").value_nick)
    end = time.monotonic() + retry_503
    while True:
        try:
            st, hdrs, body = http(endpoint, data=sdp.encode(), method="POST",
                                  ctype="application/sdp", token=token)
        except OSError as e:
            emit(event="fatal", reason=f"POST {endpoint}: {e}")
            return None
        if st != 503 or time.monotonic() > end:
            break
        time.sleep(0.2)
    loc = hdrs.get("Location") or hdrs.get("location")
    resource = urllib.parse.urljoin(endpoint, loc) if loc else None
    fp = re.search(r"a=fingerprint:(.*)", body)
    emit(event="posted", status=st, location=loc, resource=resource,
         answer_candidates=candidate_addresses(body),
         answer_fingerprint=fp.group(1) if fp else None,
         body=body if st != 201 else None)
    if st != 201:
        emit(event="fatal", reason=f"POST got {st}: {body.strip()}")
        return None
    parsed, err = apply_answer(w, body)
    if not parsed:
        emit(event="fatal", reason=f"the answer does not parse: {body}")
        return None
    emit(event="answered", error=err)
    return resource


def command_loop(pipe, emit, seconds, state, handle):
    """Until a quit command (or EOF) or @seconds: @pipe's bus errors as
    "error" events, state() (an event dict) emitted each time it changes,
    every other command given to handle()."""
    from gi.repository import Gst

    cmds = queue.Queue()
    stdin_commands(cmds)
    bus = pipe.get_bus()
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        msg = bus.timed_pop_filtered(100 * Gst.MSECOND,
                                     Gst.MessageType.ERROR)
        if msg:
            e, dbg = msg.parse_error()
            emit(event="error", message=e.message, debug=dbg)
        snap = state()
        if snap != last:
            emit(**snap)
            last = snap
        try:
            c = cmds.get_nowait()
        except queue.Empty:
            continue
        if c.get("cmd") == "quit":
            break
        handle(c)


def exit_child(pipe, emit):
    """@pipe to NULL, a "stopped" event, and the process's end."""
    from gi.repository import Gst

    pipe.set_state(Gst.State.NULL)
    emit(event="stopped")
    # GI tears the NiceAgent down in the wrong order at exit
    sys.stdout.flush()
    os._exit(0)


def serve(pipe, emit, resource, token, seconds, state, more=None):
    """After http_offer(): the command loop ("delete": DELETE of
    @resource, a "deleted" event with the command's seq, status and body;
    "quit"; any other command to @more(cmd) when given, e.g.
    DataChannels.handle), state() emitted as it changes, then the child's
    end."""
    def handle(c):
        if c.get("cmd") == "delete":
            st, _, body = http(resource, method="DELETE", token=token)
            emit(event="deleted", seq=c.get("seq"), status=st,
                 body=body.strip())
        elif more:
            more(c)

    command_loop(pipe, emit, seconds, state, handle)
    exit_child(pipe, emit)


class DataChannels:
    """webrtcbin @w's data channels (RFC 8831) in a child, reported with
    @emit (every event names the channel by its label):
      "dc-open"     label, protocol, id, by ("us": create(), "remote":
                    on-data-channel)
      "dc-message"  label, kind ("string"|"binary"), len, sha256, text
                    (first 200 characters of a string)
      "dc-close"    label;  "dc-error" label, message (on-error)
    and driven by handle(cmd):
      {"cmd": "dc-send", "label": L, "kind": "string", "text": T}
      {"cmd": "dc-send", "label": L, "kind": "binary", "size": n}
      {"cmd": "dc-send", "label": L, "kind": "empty-string"|"empty"}
          send-string-full / send-data-full (random bytes): "dc-sent"
          (label, kind, len, sha256) or "dc-send-error" (label, kind,
          len, message) with the GError webrtcbin gave
      {"cmd": "dc-close", "label": L}
      {"cmd": "dc-create", "label": L}   a channel once connected (DCEP)
    """

    def __init__(self, w, emit):
        self.w = w
        self.emit = emit
        self.channels = {}
        w.connect("on-data-channel",
                  lambda _w, ch: self._watch(ch, "remote"))

    def create(self, label):
        """A channel opened by webrtcbin (DCEP), before the offer: the
        offer then has an m=application section."""
        ch = self.w.emit("create-data-channel", label, None)
        self._watch(ch, "us")
        return ch

    def _watch(self, ch, by):
        import hashlib
        from gi.repository import GstWebRTC

        label = ch.props.label
        self.channels[label] = ch
        _keep.append(ch)
        emit = self.emit

        def report(kind, data):
            ev = dict(event="dc-message", label=label, kind=kind,
                      len=len(data), sha256=hashlib.sha256(data).hexdigest())
            if kind == "string":
                ev["text"] = data.decode("utf-8", "replace")[:200]
            emit(**ev)

        once = threading.Lock()

        def opened(*_a):
            # once, whichever of on-open, the notification and the
            # check below comes first (webrtcbin's threads or ours)
            if once.acquire(blocking=False):
                emit(event="dc-open", label=label,
                     protocol=ch.props.protocol, id=ch.props.id, by=by)
        ch.connect("on-open", opened)
        # the ready-state notification too, as 1.22 may give no on-open
        ch.connect("notify::ready-state", lambda c, _p: opened() if (
            c.props.ready_state == GstWebRTC.WebRTCDataChannelState.OPEN)
            else None)
        ch.connect("on-message-string",
                   lambda _c, t: report("string", (t or "").encode()))
        ch.connect("on-message-data",
                   lambda _c, b: report("binary", bytes(b.get_data())
                                        if b is not None else b""))
        ch.connect("on-close", lambda _c: emit(event="dc-close",
                                                label=label))
        ch.connect("on-error", lambda _c, e: emit(
            event="dc-error", label=label, message=e.message))
        # a channel of the remote's is open when webrtcbin announces it;
        # once connected, ours may be open before create() has it back
        if (ch.props.ready_state
                == GstWebRTC.WebRTCDataChannelState.OPEN):
            opened()

    def handle(self, c):
        """Runs a "dc-send", "dc-close" or "dc-create" command; False for
        others."""
        import hashlib
        from gi.repository import GLib

        cmd = c.get("cmd")
        if cmd not in ("dc-send", "dc-close", "dc-create"):
            return False
        label = c.get("label")
        if cmd == "dc-create":
            self.create(label)
            return True
        ch = self.channels.get(label)
        if ch is None:
            self.emit(event="dc-send-error", label=label,
                      kind=c.get("kind"), len=0,
                      message=f"no channel {label}")
            return True
        if cmd == "dc-close":
            ch.emit("close")
            return True
        kind = c.get("kind")
        if kind in ("string", "empty-string"):
            text = c.get("text", "") if kind == "string" else ""
            data = text.encode()
        else:
            data = os.urandom(c.get("size", 0)) if kind == "binary" else b""
        try:
            if kind in ("string", "empty-string"):
                ok = ch.send_string_full(text)
            else:
                ok = ch.send_data_full(GLib.Bytes.new(data))
        except GLib.Error as e:
            self.emit(event="dc-send-error", label=label, kind=kind,
                      len=len(data), message=e.message)
            return True
        if not ok:
            # 1.22's send-data-full takes no empty GBytes (a critical)
            self.emit(event="dc-send-error", label=label, kind=kind,
                      len=len(data), message="refused without an error")
            return True
        self.emit(event="dc-sent", label=label, kind=kind, len=len(data),
                  sha256=hashlib.sha256(data).hexdigest())
        return True


def negotiate_in_process(offerer, answerer):
    """Two webrtcbins in one process: their candidates passed to each other
    and, from this call, offer -> answer (the descriptions set on both)."""
    from gi.repository import Gst

    def on_candidate(_w, mline, cand, other):
        other.emit("add-ice-candidate", mline, cand)
    offerer.connect("on-ice-candidate", on_candidate, answerer)
    answerer.connect("on-ice-candidate", on_candidate, offerer)

    def on_answer(promise, _data):
        reply = promise.get_reply()
        _keep.append(reply)
        answer = reply.get_value("answer")
        answerer.emit("set-local-description", answer, None)
        offerer.emit("set-remote-description", answer, None)

    def on_offer(promise, _data):
        reply = promise.get_reply()
        _keep.append(reply)
        offer = reply.get_value("offer")
        offerer.emit("set-local-description", offer, None)
        answerer.emit("set-remote-description", offer, None)
        answerer.emit("create-answer", None,
                      Gst.Promise.new_with_change_func(on_answer, None))

    offerer.emit("create-offer", None,
                 Gst.Promise.new_with_change_func(on_offer, None))


# --------------------------------------------------------------------------
# The driver's side
# --------------------------------------------------------------------------

def webrtcbin_env():
    """The environment of a webrtcbin child: the stock registry (no
    isolation variables), none of our build's libraries, and no GST_DEBUG
    meant for our elements."""
    return stock_env(drop=("LD_LIBRARY_PATH",), drop_prefixes=("GST_DEBUG",))


def is_stock_webrtcbin(impl):
    """Whether an "impl" event names gst-plugins-bad's webrtcbin, not a
    plugin of our build."""
    fn = impl.get("plugin") or ""
    ours = [p for p in (os.environ.get("GST_PLUGINS_WEBRTC_BUILDDIR"),
                        os.environ.get("GST_PLUGIN_PATH")) if p]
    return (impl.get("gtype") == "GstWebRTCBin"
            and fn.endswith("/libgstwebrtc.so")
            and not any(fn.startswith(p) for p in ours))


def start_http_peer(checks, name, argv, endpoint, wait=None, deadline=30,
                    capture_stderr=False):
    """Starts @argv, a child that runs http_offer() and serve(), with
    webrtcbin_env(), and checks on @checks (a wrtctest.Checks): its
    webrtcbin comes from the stock registry, its offer has loopback
    candidates only, POST to @endpoint ("/whep" or "/whip") got 201 with a
    Location, the answer has loopback candidates only and webrtcbin took
    it.  @wait(pred, seconds) waits for an event of the child (default:
    the child's wait_for; a driver that must iterate its own pipeline
    meanwhile gives its own).  Returns the Child with .posted,
    .resource and .session (the last path segment of the Location)."""
    c = Child(name, argv, webrtcbin_env(), capture_stderr=capture_stderr)

    def until(kinds, seconds):
        pred = (lambda e: e.get("event") in kinds + ("fatal", "exit"))
        if wait is None:
            c.wait_for(pred, seconds)
        else:
            wait(lambda: c.find(pred) is not None, seconds)
        return c.find(lambda e: e.get("event") in kinds) or {}

    impl = until(("impl",), deadline)
    checks.check(is_stock_webrtcbin(impl),
                 f"{name}: webrtcbin from the stock registry "
                 f"({impl.get('plugin')}, {impl.get('gtype')})")
    posted = until(("posted",), 2 * deadline)
    offer = c.find(lambda e: e.get("event") == "offer") or {}
    checks.check(offer.get("candidates") and all(
        a == "127.0.0.1" for a in offer["candidates"]),
        f"{name}: its offer has loopback candidates only "
        f"({offer.get('candidates')})")
    checks.check(posted.get("status") == 201 and posted.get("location"),
                 f"{name}: POST {endpoint} -> {posted.get('status')} "
                 f"Location {posted.get('location')}")
    c.posted = posted
    c.resource = posted.get("resource")
    c.session = (posted.get("location") or "").rstrip("/").rsplit("/", 1)[-1]
    if posted.get("status") == 201:
        checks.check(posted.get("answer_candidates") and all(
            a == "127.0.0.1" for a in posted["answer_candidates"]),
            f"{name}: answer candidates are loopback only "
            f"({posted.get('answer_candidates')})")
        ans = until(("answered",), 10)
        checks.check("error" in ans and ans["error"] is None,
                     f"{name}: webrtcbin takes the answer "
                     f"({ans.get('error')})")
    return c
