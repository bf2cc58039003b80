# SPDX-License-Identifier: LGPL-2.1-or-later
"""webrtcsink served to gst-plugins-bad's webrtcbin as a WHEP viewer.

Processes on 127.0.0.1:
  sink    our webrtcsink (isolated environment: the driver's own, gst_env),
          fed 320x240 video and audio, port=0, local-addresses=127.0.0.1;
  viewer  webrtcbin with the stock registry (GST_PLUGIN_PATH,
          GST_PLUGIN_SYSTEM_PATH and GST_REGISTRY removed): a recvonly offer
          (VP8 video + Opus audio), POSTed to /whep with urllib once ICE
          gathering is complete (its ICE pinned to 127.0.0.1 through the
          NiceAgent), the answer applied, RTP depayloaded and decoded.
Each side first checks which implementation it got, so a misconfigured
registry fails instead of testing the wrong element.

  webrtcsink_webrtcbin.py --scenario play
      a viewer decodes MIN_FRAMES frames of 320x240 and MIN_AUDIO audio
      buffers; then resources: a second viewer joins, plays and DELETEs,
      stats go back to 1 viewer and the sink's thread count (its
      /proc/PID/status) back to what it was with one viewer; the first
      DELETEs, stats show 0 viewers and the thread count is back to what it
      was before any viewer.
  webrtcsink_webrtcbin.py --scenario fingerprint-mismatch
      viewer A plays; viewer B POSTs an offer whose a=fingerprint is not
      its certificate's: B is refused (its peer fails, its session ends,
      DELETE on it is 404, it decodes nothing, a warning in the sink's log
      names both fingerprints) and A keeps decoding.
  webrtcsink_webrtcbin.py --scenario bad-input
      the sink has a token; viewer A plays; then malformed SDP, an SDP with
      no usable codec, bad trickle bodies, a missing and a wrong token, an
      oversized body, unknown resources, DELETE of an unknown session, a
      wrong Content-Type and a wrong method each get their 4xx with a
      reason text, and a good offer to a full house (max-viewers=1) a 503
      with Retry-After; A keeps decoding and no viewer is left behind.

The driver (no --side) runs the sides as child processes (this script with
--side sink|viewer); children print one JSON object per line on stdout and
read commands, one JSON object per line, on stdin.  Exit status 0 on
success, 1 with the reasons on failure.  Nothing is asserted about time:
deadlines only keep a broken run from hanging.  Run it with /usr/bin/python3
in the isolated environment (meson test, or scripts/gst-env).
"""

import argparse
import os
import queue
import re
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from wrtctest import Checks, Child, emitter, http, stdin_commands  # noqa
import webrtcbin_peer  # noqa: E402

WIDTH, HEIGHT = 320, 240
MIN_FRAMES = 30
MIN_AUDIO = 20
TOKEN = "s3cret-token"
# Whole-test bounds (seconds), never asserted.
READY_DEADLINE = 20
MEDIA_DEADLINE = 30
END_DEADLINE = 15
THREADS_DEADLINE = 20
CHILD_MAX_SECONDS = 150
# A thread the sink process may make on a viewer's close, once, and keep:
# GLib's worker (GTask's first use, in nice_agent_close_async).
PROCESS_WIDE_THREADS = ["gmain"]


def strip_process_wide(names):
    return [n for n in names if n not in PROCESS_WIDE_THREADS]


# --------------------------------------------------------------------------
# The sink side: our webrtcsink, isolated registry
# --------------------------------------------------------------------------

def run_sink(args):
    import gi
    gi.require_version("Gst", "1.0")
    from gi.repository import GLib, Gst

    Gst.init(None)
    emit = emitter()
    token = f"token={TOKEN} " if args.token else ""
    desc = (
        "videotestsrc is-live=true pattern=ball ! "
        f"video/x-raw,width={WIDTH},height={HEIGHT},framerate=30/1 ! "
        f"webrtcsink name=s port=0 local-addresses=127.0.0.1 {token}"
        "audiotestsrc is-live=true wave=ticks ! s.audio_0")
    try:
        pipe = Gst.parse_launch(desc)
    except GLib.Error as e:
        emit(event="fatal", reason=f"cannot build the pipeline: {e.message}")
        return 1
    sink = pipe.get_by_name("s")
    plugin = sink.get_factory().get_plugin()
    emit(event="impl", plugin=plugin.get_filename() if plugin else None,
         gtype=sink.__gtype__.name)

    sink.connect("viewer-added",
                 lambda _s, sid: emit(event="viewer-added", id=sid))
    sink.connect("viewer-removed",
                 lambda _s, sid: emit(event="viewer-removed", id=sid))

    loop = GLib.MainLoop()
    cmds = queue.Queue()
    stdin_commands(cmds)

    def poll_cmds():
        while True:
            try:
                c = cmds.get_nowait()
            except queue.Empty:
                return True
            if c.get("cmd") == "stats":
                st = sink.get_property("stats")
                emit(event="stats", seq=c.get("seq"),
                     viewers=st.get_value("viewers"),
                     total=st.get_value("viewers-total"))
            elif c.get("cmd") == "set":
                sink.set_property(c["name"], c["value"])
                emit(event="set", seq=c.get("seq"))
            elif c.get("cmd") == "quit":
                loop.quit()
                return False

    def on_bus(_bus, msg):
        if msg.type == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            emit(event="error", message=err.message, debug=dbg)
        elif msg.type == Gst.MessageType.WARNING:
            err, dbg = msg.parse_warning()
            emit(event="warning", message=err.message, debug=dbg)
        return True

    bus = pipe.get_bus()
    bus.add_watch(GLib.PRIORITY_DEFAULT, on_bus)
    if pipe.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
        emit(event="fatal", reason="the pipeline does not go to PLAYING")
        return 1
    ret, cur, _ = pipe.get_state(10 * Gst.SECOND)
    emit(event="ready", url=sink.get_property("url"),
         playing=cur == Gst.State.PLAYING)
    GLib.timeout_add(50, poll_cmds)
    GLib.timeout_add_seconds(CHILD_MAX_SECONDS, loop.quit)
    loop.run()
    pipe.set_state(Gst.State.NULL)
    emit(event="stopped")
    return 0


# --------------------------------------------------------------------------
# The viewer side: webrtcbin, stock registry
# --------------------------------------------------------------------------

def fake_fingerprint(real):
    """A well-formed sha-256 fingerprint that is not @real."""
    octets = real.split(":")
    return ":".join("%02X" % (int(o, 16) ^ 0x5A) for o in octets)


def run_viewer(args):
    Gst, GstWebRTC = webrtcbin_peer.init()
    emit = emitter()
    pipe = Gst.Pipeline.new("viewer")
    w = webrtcbin_peer.new_webrtcbin("w")
    if w is None:
        emit(event="fatal", reason="no webrtcbin in the stock registry")
        return 1
    webrtcbin_peer.report_impl(emit, w)
    pipe.add(w)

    counts = {"video": 0, "video-other": 0, "other-sizes": [], "audio": 0}
    counts_lock = threading.Lock()

    def on_video(_sink, _buf, pad):
        caps = pad.get_current_caps()
        s = caps.get_structure(0) if caps else None
        size = (s.get_value("width"), s.get_value("height")) if s else None
        with counts_lock:
            if size == (WIDTH, HEIGHT):
                counts["video"] += 1
            else:
                counts["video-other"] += 1
                if len(counts["other-sizes"]) < 4:
                    counts["other-sizes"].append(str(size))

    def on_audio(_sink, _buf, _pad):
        with counts_lock:
            counts["audio"] += 1

    def on_pad_added(_w, pad):
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        caps = pad.get_current_caps() or pad.query_caps(None)
        s = caps.get_structure(0)
        media = s.get_string("media")
        enc = (s.get_string("encoding-name") or "").upper()
        if media == "video":
            chain = "rtpvp8depay ! vp8dec ! videoconvert"
            cb = on_video
        else:
            chain = "rtpopusdepay ! opusdec"
            cb = on_audio
        emit(event="pad", media=media, encoding=enc)
        b = Gst.parse_bin_from_description(
            f"queue ! {chain} ! fakesink name=out sync=false "
            "signal-handoffs=true enable-last-sample=false", True)
        b.get_by_name("out").connect("handoff", cb)
        pipe.add(b)
        b.sync_state_with_parent()
        pad.link(b.get_static_pad("sink"))

    w.connect("pad-added", on_pad_added)
    pipe.set_state(Gst.State.PLAYING)

    rv = GstWebRTC.WebRTCRTPTransceiverDirection.RECVONLY
    w.emit("add-transceiver", rv, Gst.Caps.from_string(
        "application/x-rtp,media=video,encoding-name=VP8,payload=96,"
        "clock-rate=90000"))
    w.emit("add-transceiver", rv, Gst.Caps.from_string(
        "application/x-rtp,media=audio,encoding-name=OPUS,payload=111,"
        "clock-rate=48000,encoding-params=(string)2"))

    def fingerprints(sdp):
        m = re.search(r"a=fingerprint:sha-256 ([0-9A-Fa-f:]+)", sdp)
        real_fp = m.group(1).upper() if m else None
        if args.tamper_fingerprint and real_fp:
            fake = fake_fingerprint(real_fp)
            sdp = re.sub(r"(a=fingerprint:sha-256 )[0-9A-Fa-f:]+",
                         lambda mm: mm.group(1) + fake, sdp)
            emit(event="fingerprints", real=real_fp, sent=fake)
        else:
            emit(event="fingerprints", real=real_fp, sent=real_fp)
        return sdp

    token = TOKEN if args.token else None
    # 503 (with Retry-After) while the sink has no media yet: tried again
    resource = webrtcbin_peer.http_offer(
        w, emit, urllib.parse.urljoin(args.url, "whep"), token=token,
        edit=fingerprints, retry_503=READY_DEADLINE)
    if resource is None:
        return 1

    def state():
        with counts_lock:
            snap = dict(event="counts", **counts)
        snap["pc"] = w.get_property("connection-state").value_nick
        return snap

    webrtcbin_peer.serve(pipe, emit, resource, token, CHILD_MAX_SECONDS,
                         state)


# --------------------------------------------------------------------------
# The driver
# --------------------------------------------------------------------------

class Driver(Checks):
    def __init__(self, scenario):
        super().__init__()
        self.scenario = scenario
        self.children = []
        self.me = os.path.abspath(__file__)

    def start_sink(self, token):
        if not os.environ.get("GST_PLUGIN_PATH"):
            self.check(False, "the isolated environment is set "
                       "(run through meson test or scripts/gst-env)")
            return None
        env = dict(os.environ)
        env["GST_DEBUG"] = "wrtcpeer:2,wrtcdtlsconnection:2,webrtcsink:4"
        env["GST_DEBUG_NO_COLOR"] = "1"
        argv = [sys.executable, self.me, "--side", "sink"]
        if token:
            argv.append("--token")
        c = Child("sink", argv, env, capture_stderr=True)
        self.children.append(c)
        impl = c.wait_for(lambda e: e.get("event") in ("impl", "fatal"),
                          READY_DEADLINE) or {}
        build = os.environ.get("GST_PLUGIN_PATH", "").split(os.pathsep)[0]
        self.check((impl.get("plugin") or "").startswith(build)
                   and bool(build),
                   f"sink: webrtcsink is ours ({impl.get('plugin')})")
        ready = c.wait_for(lambda e: e.get("event") in ("ready", "fatal"),
                           READY_DEADLINE) or {}
        url = ready.get("url")
        self.check(ready.get("playing") and url and re.fullmatch(
            r"http://127\.0\.0\.1:\d+/", url),
            f"sink: PLAYING, serving {url}")
        printed = c.wait_for(lambda e: e.get("event") == "text"
                             and e["text"] == f"webrtcsink: open {url}", 5)
        self.check(printed is not None,
                   "sink: printed 'webrtcsink: open URL' on stdout")
        c.url = url
        return c if url else None

    def start_viewer(self, name, url, token=False, tamper=False):
        argv = [sys.executable, self.me, "--side", "viewer", "--url", url]
        if token:
            argv.append("--token")
        if tamper:
            argv.append("--tamper-fingerprint")
        c = webrtcbin_peer.start_http_peer(self, name, argv, "/whep",
                                           deadline=READY_DEADLINE)
        self.children.append(c)
        return c

    def counts(self, viewer):
        return viewer.latest("counts") or {"video": 0, "audio": 0,
                                           "video-other": 0}

    def wait_media(self, viewer, min_video, min_audio, what):
        ev = viewer.wait_for(
            lambda e: e.get("event") == "counts"
            and e["video"] >= min_video and e["audio"] >= min_audio,
            MEDIA_DEADLINE)
        got = ev or self.counts(viewer)
        self.check(ev is not None,
                   f"{viewer.name}: {what}: decoded >= {min_video} frames of "
                   f"{WIDTH}x{HEIGHT} and >= {min_audio} audio buffers "
                   f"(video {got.get('video')}, audio {got.get('audio')}, "
                   f"state {got.get('pc')})")
        return ev is not None

    def next_seq(self):
        self.seq = getattr(self, "seq", 0) + 1
        return self.seq

    def stats(self, sink):
        seq = self.next_seq()
        sink.send(cmd="stats", seq=seq)
        ev = sink.wait_for(lambda e: e.get("event") == "stats"
                           and e.get("seq") == seq, 10)
        return ev or {}

    def thread_names(self, sink):
        """The sink process's threads (/proc/PID/task/*/comm), without
        GLib's thread-pool workers ("pool-*": shared by the process, they
        come and go with GTask and GResolver work on their own idle
        timeout)."""
        names = []
        try:
            for tid in os.listdir(f"/proc/{sink.proc.pid}/task"):
                with open(f"/proc/{sink.proc.pid}/task/{tid}/comm") as f:
                    names.append(f.read().strip())
        except OSError:
            pass
        return sorted(n for n in names if not n.startswith("pool"))

    def wait_threads(self, sink, want):
        """Polls until the thread names are @want (a sorted list); the last
        names seen."""
        end = time.monotonic() + THREADS_DEADLINE
        names = self.thread_names(sink)
        while names != want and time.monotonic() < end:
            time.sleep(0.2)
            names = self.thread_names(sink)
        return names

    def proc_threads(self, sink):
        """Threads: from /proc/PID/status (pool workers included)."""
        try:
            with open(f"/proc/{sink.proc.pid}/status") as f:
                for line in f:
                    if line.startswith("Threads:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return -1

    def wait_removed(self, sink, sid):
        return sink.wait_for(lambda e: e.get("event") == "viewer-removed"
                             and e.get("id") == sid, END_DEADLINE)

    def delete(self, viewer):
        seq = self.next_seq()
        viewer.send(cmd="delete", seq=seq)
        return viewer.wait_for(lambda e: e.get("event") == "deleted"
                               and e.get("seq") == seq, 20) or {}

    def still_playing(self, viewer, what):
        base = self.counts(viewer)
        self.wait_media(viewer, base["video"] + MIN_FRAMES,
                        base["audio"] + MIN_AUDIO, what)

    # -- scenarios -----------------------------------------------------------

    def viewer_cycle(self, sink, name, others):
        """A viewer joins, plays and DELETEs; @others stay."""
        v = self.start_viewer(name, sink.url)
        self.wait_media(v, MIN_FRAMES, MIN_AUDIO, "plays")
        self.check(self.counts(v).get("video-other") == 0,
                   f"{name}: every decoded frame is {WIDTH}x{HEIGHT}")
        self.check(self.stats(sink).get("viewers") == others + 1,
                   f"sink: stats show {others + 1} viewer(s)")
        d = self.delete(v)
        self.check(d.get("status") == 200,
                   f"{name}: DELETE -> {d.get('status')}")
        self.check(self.wait_removed(sink, v.session) is not None,
                   f"sink: viewer-removed for {name}")
        self.check(self.stats(sink).get("viewers") == others,
                   f"sink: stats show {others} viewer(s) after {name} left")
        return v

    def play(self):
        sink = self.start_sink(token=False)
        if not sink:
            return
        print(f"sink threads before any viewer: {self.thread_names(sink)}",
              flush=True)
        a = self.start_viewer("viewer-a", sink.url)
        if not self.wait_media(a, MIN_FRAMES, MIN_AUDIO, "plays"):
            return
        self.check(self.counts(a)["video-other"] == 0,
                   f"viewer-a: every decoded frame is {WIDTH}x{HEIGHT}")
        self.check(self.stats(sink).get("viewers") == 1,
                   "sink: stats show 1 viewer")
        # the encoders, the ICE and DTLS threads exist once a viewer plays
        with_a = self.thread_names(sink)
        print(f"sink threads with viewer-a: {with_a}", flush=True)

        # a second viewer comes and goes while viewer-a plays
        b = self.start_viewer("viewer-b", sink.url)
        self.wait_media(b, MIN_FRAMES, MIN_AUDIO, "plays beside viewer-a")
        self.check(self.counts(b).get("video-other") == 0,
                   f"viewer-b: every decoded frame is {WIDTH}x{HEIGHT}")
        self.check(self.stats(sink).get("viewers") == 2,
                   "sink: stats show 2 viewers")
        with_ab = self.thread_names(sink)
        self.check(strip_process_wide(with_ab) == strip_process_wide(with_a),
                   "sink: a second viewer adds no thread "
                   f"({len(with_a)} -> {len(with_ab)}: {with_ab})")
        d = self.delete(b)
        self.check(d.get("status") == 200,
                   f"viewer-b: DELETE -> {d.get('status')}")
        self.check(self.wait_removed(sink, b.session) is not None,
                   "sink: viewer-removed for viewer-b")
        self.check(self.stats(sink).get("viewers") == 1,
                   "sink: stats show 1 viewer after viewer-b left")
        # the first close ever may start GLib's worker thread (GTask, in
        # nice_agent_close_async): process-wide, made once
        want = sorted(strip_process_wide(with_a) + PROCESS_WIDE_THREADS)
        after = self.wait_threads(sink, want)
        if after != want:
            # GLib's worker may not have started (no GTask yet)
            want = strip_process_wide(with_a)
            after = self.wait_threads(sink, want)
        self.check(after == want, "sink: after viewer-b left, the threads "
                   f"are back to those with viewer-a alone ({after})")
        self.still_playing(a, "still plays after viewer-b left")

        d = self.delete(a)
        self.check(d.get("status") == 200,
                   f"viewer-a: DELETE -> {d.get('status')}")
        self.check(self.wait_removed(sink, a.session) is not None,
                   "sink: viewer-removed for viewer-a")
        self.check(self.stats(sink).get("viewers") == 0,
                   "sink: stats show 0 viewers after both left")
        d = self.delete(a)
        self.check(d.get("status") == 404, f"viewer-a: a second DELETE of "
                   f"the ended session -> {d.get('status')}")
        d = self.delete(b)
        self.check(d.get("status") == 404, f"viewer-b: a second DELETE of "
                   f"the ended session -> {d.get('status')}")

        # with no viewer: one more comes and goes, and leaves nothing
        idle = self.thread_names(sink)
        n0 = self.proc_threads(sink)
        print(f"sink threads with no viewer left: {idle}", flush=True)
        self.viewer_cycle(sink, "viewer-c", 0)
        after = self.wait_threads(sink, idle)
        self.check(after == idle,
                   f"sink: after viewer-c left, the thread count is back to "
                   f"{len(idle)} (/proc/PID/status: {n0} before, "
                   f"{self.proc_threads(sink)} now, pool workers included; "
                   f"{after})")

    def fingerprint_mismatch(self):
        sink = self.start_sink(token=False)
        if not sink:
            return
        a = self.start_viewer("viewer-a", sink.url)
        if not self.wait_media(a, MIN_FRAMES, MIN_AUDIO, "plays"):
            return
        b = self.start_viewer("viewer-b", sink.url, tamper=True)
        fps = b.latest("fingerprints") or {}
        real, sent = fps.get("real"), fps.get("sent")
        self.check(real and sent and real != sent,
                   f"viewer-b: its offer names {sent}, its certificate is "
                   f"{real}")
        self.check(self.wait_removed(sink, b.session) is not None,
                   "sink: viewer-b's session ended (viewer-removed)")
        failed = sink.wait_stderr(
            lambda ln: f"viewer {b.session}: failed" in ln, END_DEADLINE)
        self.check(failed is not None,
                   "sink: viewer-b's peer state went to failed")
        warn = sink.wait_stderr(
            lambda ln: "WARN" in ln and real.upper() in ln.upper()
            and sent.upper() in ln.upper(), END_DEADLINE)
        self.check(warn is not None, "sink: a warning names both "
                   "fingerprints" + (f" ({warn.split(' ', 6)[-1]})"
                                     if warn else ""))
        self.check(self.stats(sink).get("viewers") == 1,
                   "sink: stats show 1 viewer (viewer-a)")
        d = self.delete(b)
        self.check(d.get("status") == 404,
                   f"viewer-b: DELETE of its refused session -> "
                   f"{d.get('status')} {d.get('body')}")
        refused = b.wait_for(lambda e: e.get("event") == "error"
                             or (e.get("event") == "counts"
                                 and e.get("pc") == "failed"), END_DEADLINE)
        self.check(refused is not None, "viewer-b: its webrtcbin sees the "
                   f"DTLS handshake refused ({refused})")
        b.errors_expected = True
        cb = self.counts(b)
        self.check(cb.get("video", 0) == 0 and cb.get("audio", 0) == 0,
                   f"viewer-b: decoded nothing (video {cb.get('video')}, "
                   f"audio {cb.get('audio')})")
        self.still_playing(a, "still plays after viewer-b was refused")
        d = self.delete(a)
        self.check(d.get("status") == 200,
                   f"viewer-a: DELETE -> {d.get('status')}")

    def bad_input(self):
        sink = self.start_sink(token=True)
        if not sink:
            return
        a = self.start_viewer("viewer-a", sink.url, token=True)
        if not self.wait_media(a, MIN_FRAMES, MIN_AUDIO, "plays"):
            return
        whep = sink.url + "whep"
        res = a.resource
        sdp_ct = "application/sdp"
        frag_ct = "application/trickle-ice-sdpfrag"
        h263 = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                "a=group:BUNDLE 0\r\n"
                "m=video 9 UDP/TLS/RTP/SAVPF 34\r\nc=IN IP4 0.0.0.0\r\n"
                "a=mid:0\r\na=recvonly\r\na=rtcp-mux\r\n"
                "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
                "a=fingerprint:sha-256 " + ":".join(["AB"] * 32) + "\r\n"
                "a=setup:actpass\r\na=rtpmap:34 H263/90000\r\n")
        cases = [
            ("malformed SDP", whep, "POST", b"v=0\r\nthis is not sdp\r\n",
             sdp_ct, TOKEN, {400}),
            ("not SDP at all", whep, "POST", b"hello", sdp_ct, TOKEN, {400}),
            ("an SDP with only H.263 (no usable codec)", whep, "POST",
             h263.encode(), sdp_ct, TOKEN, {406, 488}),
            ("an empty offer", whep, "POST", b"", sdp_ct, TOKEN, {400}),
            ("an offer with a NUL byte", whep, "POST", b"v=0\r\n\0\r\n",
             sdp_ct, TOKEN, {400}),
            ("no token", whep, "POST", h263.encode(), sdp_ct, None, {401}),
            ("a wrong token", whep, "POST", h263.encode(), sdp_ct,
             "not-the-token", {401}),
            ("a wrong token on PATCH", res, "PATCH",
             b"a=end-of-candidates\r\n", frag_ct, "nope", {401}),
            ("a wrong token on DELETE", res, "DELETE", None, None, "nope",
             {401}),
            ("an oversized offer", whep, "POST",
             b"v=0\r\n" + b"a=x-padding:" + b"A" * (256 * 1024) + b"\r\n",
             sdp_ct, TOKEN, {413}),
            ("a wrong Content-Type", whep, "POST", h263.encode(),
             "text/plain", TOKEN, {415}),
            ("a bad trickle body", res, "PATCH",
             b"a=candidate:this is not a candidate\r\n", frag_ct, TOKEN,
             {400}),
            ("a binary trickle body", res, "PATCH", b"\xff\xfe\0garbage",
             frag_ct, TOKEN, {400}),
            ("an oversized trickle body", res, "PATCH",
             b"a=ice-ufrag:" + b"A" * (256 * 1024) + b"\r\n", frag_ct,
             TOKEN, {413}),
            ("a trickle body with the wrong Content-Type", res, "PATCH",
             b"a=end-of-candidates\r\n", sdp_ct, TOKEN, {415}),
            ("an unknown resource", sink.url + "nope", "GET", None, None,
             TOKEN, {404}),
            ("PATCH of an unknown session", whep + "/0123456789abcdef",
             "PATCH", b"a=end-of-candidates\r\n", frag_ct, TOKEN, {404}),
            ("DELETE of an unknown session", whep + "/0123456789abcdef",
             "DELETE", None, None, TOKEN, {404}),
            ("a wrong method on /whep", whep, "PUT", b"v=0", sdp_ct, TOKEN,
             {405}),
        ]
        for what, url, method, data, ctype, token, want in cases:
            self.bad_request(what, url, method, data, ctype, token, want)
        # a full house: a good offer is refused while viewer-a plays
        seq = self.next_seq()
        sink.send(cmd="set", name="max-viewers", value=1, seq=seq)
        sink.wait_for(lambda e: e.get("event") == "set"
                      and e.get("seq") == seq, 10)
        offer = open(os.path.join(os.path.dirname(self.me), "..", "browser",
                                  "offers", "chromium-156.sdp"), "rb").read()
        st, hdrs, body = http(whep, data=offer, method="POST", ctype=sdp_ct,
                              token=TOKEN)
        self.check(st == 503 and "full" in body and hdrs.get("Retry-After"),
                   f"a good offer to a full house (max-viewers=1): POST -> "
                   f"{st} '{body.strip()}' Retry-After "
                   f"{hdrs.get('Retry-After')}")
        self.check(self.stats(sink).get("viewers") == 1,
                   "sink: still exactly 1 viewer after the bad requests")
        # a refused offer may have been a viewer for a moment: each such
        # viewer-added must have its viewer-removed
        added = {e["id"] for e in sink.events
                 if e.get("event") == "viewer-added"}
        removed = {e["id"] for e in sink.events
                   if e.get("event") == "viewer-removed"}
        self.check(added - removed == {a.session},
                   "sink: bad offers left no viewer behind (live: "
                   f"{sorted(added - removed)})")
        self.still_playing(a, "still plays after the bad requests")
        st, _, body = http(sink.url)
        self.check(st == 200 and "player.js" in body,
                   f"sink: GET / still serves the player page ({st})")
        d = self.delete(a)
        self.check(d.get("status") == 200,
                   f"viewer-a: DELETE with the token -> {d.get('status')}")
        self.check(self.wait_removed(sink, a.session) is not None,
                   "sink: viewer-removed for viewer-a")
        self.check(self.stats(sink).get("viewers") == 0,
                   "sink: stats show 0 viewers")

    def run(self):
        try:
            {"play": self.play,
             "fingerprint-mismatch": self.fingerprint_mismatch,
             "bad-input": self.bad_input}[self.scenario]()
        finally:
            for c in reversed(self.children):
                c.stop()
        for c in self.children:
            errs = [e for e in c.events if e.get("event") == "fatal" or (
                e.get("event") == "error"
                and not getattr(c, "errors_expected", False))]
            self.check(not errs, f"{c.name}: no error "
                       f"({errs[0] if errs else ''})")
            if c.proc.returncode not in (0, None):
                self.check(False, f"{c.name}: exit status "
                           f"{c.proc.returncode}")
        if self.failed:
            for c in self.children:
                if c.stderr_lines:
                    print(f"--- {c.name} stderr (last 60 lines)")
                    print("\n".join(c.stderr_lines[-60:]))
        print(f"{'FAIL' if self.failed else 'PASS'}: webrtcsink-webrtcbin "
              f"{self.scenario}, {len(self.failed)} failed", flush=True)
        return 1 if self.failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenario", default="play",
                    choices=("play", "fingerprint-mismatch", "bad-input"))
    ap.add_argument("--side", choices=("sink", "viewer"))
    ap.add_argument("--url")
    ap.add_argument("--token", action="store_true")
    ap.add_argument("--tamper-fingerprint", action="store_true")
    args = ap.parse_args()
    if args.side == "sink":
        return run_sink(args)
    if args.side == "viewer":
        return run_viewer(args)
    return Driver(args.scenario).run()


if __name__ == "__main__":
    sys.exit(main())
