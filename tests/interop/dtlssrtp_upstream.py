# SPDX-License-Identifier: LGPL-2.1-or-later
"""Interop of our dtlssrtpenc/dtlssrtpdec with gst-plugins-bad's elements
of the same names.

Two processes on 127.0.0.1: "ours" in the isolated environment (gst_env:
our plugin, upstream's dtls/srtp/sctp/webrtc plugins hidden) and
"upstream" with the stock registry (GST_PLUGIN_PATH, GST_PLUGIN_SYSTEM_PATH
and GST_REGISTRY removed).  Each sends live VP8 over RTP through its
dtlssrtpenc to the other and decodes what its dtlssrtpdec receives; ours
sends 352x288, upstream 320x240, so each side checks it decodes the other
side's stream.  Each side first checks which implementation it got, so a
misconfigured registry fails instead of testing upstream against itself.

  dtlssrtp_upstream.py --ours-role client|server
      media both ways; our dec is also given upstream's real fingerprint
  dtlssrtp_upstream.py --ours-role client|server --mismatch
      our dec's peer-fingerprint is wrong: ours must fail the handshake
      cleanly (state failed, an error naming both fingerprints, no media)

The driver (this script without --side) runs the two sides as child
processes (this script with --side ours|upstream).  Children print one JSON
object per line on stdout; the driver writes one JSON object per line to
their stdin.  Exit status 0 on success, 1 with the reasons on failure.
Run it with /usr/bin/python3 (it needs gi).
"""

import argparse
import hashlib
import json
import os
import re
import selectors
import ssl
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from wrtctest import emitter, stock_env  # noqa: E402

MIN_FRAMES = 30
OURS_SIZE = (352, 288)
UPSTREAM_SIZE = (320, 240)
# Whole-test bounds (seconds).  Nothing is asserted about time: these only
# keep a broken run from hanging; the test passes as soon as both sides
# meet their conditions.
READY_DEADLINE = 15
DROP_DEADLINE = 10
MEDIA_DEADLINE = 30
MISMATCH_DEADLINE = 20
STOP_GRACE = 5
CHILD_MAX_SECONDS = 75

STATE_NAMES = {0: "new", 1: "closed", 2: "failed", 3: "connecting",
               4: "connected"}
RTP_CAPS = ("application/x-rtp,media=video,clock-rate=90000,"
            "encoding-name=VP8,payload=96")


def pem_fingerprint(pem):
    """SDP form ('sha-256 AB:CD:...') of the first certificate in pem."""
    m = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----",
                  pem or "", re.S)
    if not m:
        return None
    der = ssl.PEM_cert_to_DER_cert(m.group(0))
    h = hashlib.sha256(der).hexdigest().upper()
    return "sha-256 " + ":".join(h[i:i + 2] for i in range(0, len(h), 2))


# --------------------------------------------------------------------------
# A side: one pipeline, in its own process
# --------------------------------------------------------------------------

def run_side(args):
    import gi
    gi.require_version("Gst", "1.0")
    from gi.repository import GLib, Gst

    Gst.init(None)
    ours = args.side == "ours"
    width, height = OURS_SIZE if ours else UPSTREAM_SIZE
    peer_w, peer_h = UPSTREAM_SIZE if ours else OURS_SIZE
    cid = "interop-" + args.side
    # Upstream's sender needs frequent keyframes (RTP before the keys is
    # dropped and it does not ask for one).  Ours sends keyframes rarely:
    # our dtlssrtpenc asks upstream for one when its keys are set, which is
    # what lets upstream's receiver start decoding.
    kf_dist = 3000 if ours else 10
    pattern = "ball" if ours else "smpte"

    emit = emitter()

    desc = (
        "udpsrc address=127.0.0.1 port=0 name=usrc ! "
        f"dtlssrtpdec connection-id={cid} name=dec "
        f"dec.rtp_src ! {RTP_CAPS} ! rtpvp8depay ! vp8dec ! "
        "fakesink name=out signal-handoffs=true sync=false async=false "
        "enable-last-sample=false "
        "dec.rtcp_src ! fakesink sync=false async=false "
        "enable-last-sample=false "
        f"videotestsrc is-live=true pattern={pattern} ! "
        f"video/x-raw,width={width},height={height},framerate=30/1 ! "
        f"vp8enc deadline=1 keyframe-max-dist={kf_dist} ! "
        # An explicit sink pad name: upstream's dtlssrtpenc (1.22) crashes
        # in request_new_pad when asked for a pad with no name.
        "rtpvp8pay pt=96 ! enc.rtp_sink_0 "
        f"dtlssrtpenc connection-id={cid} name=enc "
        f"is-client={'true' if args.is_client else 'false'} ! "
        "udpsink name=usink host=127.0.0.1 port=9 sync=false async=false")
    try:
        pipeline = Gst.parse_launch(desc)
    except GLib.Error as e:
        emit(event="fatal", reason=f"cannot build pipeline: {e.message}")
        return 1
    enc = pipeline.get_by_name("enc")
    dec = pipeline.get_by_name("dec")
    out = pipeline.get_by_name("out")

    # Which implementation did this process get?
    impl = {}
    for name, el in (("enc", enc), ("dec", dec)):
        plugin = el.get_factory().get_plugin()
        impl[name] = {
            "gtype": el.__gtype__.name,
            "plugin": plugin.get_filename() if plugin else None,
            "has-fingerprint": dec.find_property("fingerprint") is not None
            if name == "dec" else None,
        }

    counts = {"ok": 0, "other": 0, "other-sizes": []}

    def on_handoff(sink, buf, pad):
        caps = pad.get_current_caps()
        s = caps.get_structure(0) if caps else None
        w = s.get_value("width") if s else None
        h = s.get_value("height") if s else None
        if (w, h) == (peer_w, peer_h):
            counts["ok"] += 1
        else:
            counts["other"] += 1
            if len(counts["other-sizes"]) < 4:
                counts["other-sizes"].append(
                    caps.to_string() if caps else None)

    out.connect("handoff", on_handoff)

    # SRTP accounting (see check_srtp_accounting).  Upstream: the RTP
    # packets that entered its dtlssrtpenc before its on-key-set, the only
    # ones its srtpenc may have protected with the random key it starts
    # with.  Ours: each SRTP/SRTCP datagram off the wire, and whether our
    # keys were in place when it came (our on-key-set is emitted from the
    # thread that processed the DTLS record completing the handshake, the
    # same streaming thread, after both SRTP contexts are keyed); and what
    # came out unprotected.
    acct = {"keys": False, "before-key": [], "wire": [], "rtp-out": set(),
            "rtcp-out": 0}

    def on_key_set(_enc):
        acct["keys"] = True
        emit(event="key-set")

    enc.connect("on-key-set", on_key_set)

    def rtp_id(head):
        # RFC 3550 section 5.1: SSRC and sequence number
        return [int.from_bytes(head[8:12], "big"),
                int.from_bytes(head[2:4], "big")]

    def buffers_of(info):
        if info.type & Gst.PadProbeType.BUFFER_LIST:
            lst = info.get_buffer_list()
            return [lst.get(i) for i in range(lst.length())]
        return [info.get_buffer()]

    def probe(fn):
        def cb(pad, info):
            for b in buffers_of(info):
                fn(b.extract_dup(0, min(b.get_size(), 12)))
            return Gst.PadProbeReturn.OK
        return cb

    def upstream_in(head):
        if not acct["keys"] and len(head) >= 12:
            acct["before-key"].append(rtp_id(head))

    def ours_wire(head):
        # RFC 7983 section 7 and RFC 5761 section 4, as our demultiplexer
        if len(head) < 2 or not 128 <= head[0] <= 191:
            return
        rtcp = 192 <= head[1] <= 223
        if not rtcp and len(head) < 12:
            return
        acct["wire"].append({"rtcp": rtcp, "after-keys": acct["keys"],
                             "id": None if rtcp else rtp_id(head)})

    def ours_rtp_out(head):
        if len(head) >= 12:
            acct["rtp-out"].add(tuple(rtp_id(head)))

    def ours_rtcp_out(head):
        acct["rtcp-out"] += 1

    lists = Gst.PadProbeType.BUFFER | Gst.PadProbeType.BUFFER_LIST
    if ours:
        # on dec's sink pad, not udpsrc's src: a probe there runs before
        # the pad counts itself busy, so the idle probe below could run
        # between a datagram's count and its push into dec
        dec.get_static_pad("sink").add_probe(lists, probe(ours_wire))
        dec.get_static_pad("rtp_src").add_probe(lists, probe(ours_rtp_out))
        dec.get_static_pad("rtcp_src").add_probe(lists,
                                                 probe(ours_rtcp_out))
    else:
        enc.get_static_pad("rtp_sink_0").add_probe(lists,
                                                   probe(upstream_in))

    loop = GLib.MainLoop()
    finished = {"done": False}
    last = {}

    def state_of(el):
        try:
            return int(el.get_property("connection-state"))
        except Exception:
            return None

    def ours_snapshot():
        r = {}
        lost = [w for w in acct["wire"] if w["rtcp"] or
                tuple(w["id"]) not in acct["rtp-out"]]
        n_rtcp = sum(1 for w in acct["wire"] if w["rtcp"])
        r["srtp-wire"] = {
            "rtp": len(acct["wire"]) - n_rtcp, "rtcp": n_rtcp,
            "rtcp-out": acct["rtcp-out"],
            # RTP not unprotected, by arrival before/after our keys; SRTCP
            # is not matched one by one (upstream sends none here)
            "rtp-lost-before-keys": [w["id"] for w in lost
                                     if not w["rtcp"]
                                     and not w["after-keys"]],
            "rtp-lost-after-keys": [w["id"] for w in lost
                                    if not w["rtcp"] and w["after-keys"]],
            "rtcp-lost": max(0, n_rtcp - acct["rtcp-out"])}
        for name, el in (("dec-stats", dec), ("enc-stats", enc)):
            st = el.get_property("stats") \
                if el.find_property("stats") else None
            if st is not None:
                r[name] = {st.nth_field_name(i):
                           st.get_value(st.nth_field_name(i))
                           for i in range(st.n_fields())}
        return r

    def final():
        if finished["done"]:
            return
        finished["done"] = True
        r = {"event": "result", "frames": counts["ok"],
             "frames-other-size": counts["other"],
             "other-sizes": counts["other-sizes"],
             "dec-state": state_of(dec), "enc-state": state_of(enc)}
        r["peer-pem-fingerprint"] = pem_fingerprint(
            dec.get_property("peer-pem"))
        if ours:
            # Datagrams are counted as our dec takes them: the snapshot
            # is taken where none is in the dec (an
            # idle probe runs when no push is in progress on the pad, and
            # blocks further ones), so the wire, what came out and the
            # stats agree.
            snap = threading.Event()

            def on_idle(pad, info):
                if not snap.is_set():
                    r.update(ours_snapshot())
                    snap.set()
                return Gst.PadProbeReturn.OK

            pipeline.get_by_name("usrc").get_static_pad("src").add_probe(
                Gst.PadProbeType.IDLE | Gst.PadProbeType.BLOCK, on_idle)
            if not snap.wait(STOP_GRACE):
                r["snapshot-error"] = "udpsrc never idle"
        else:
            r["rtp-before-key-set"] = acct["before-key"]
        emit(**r)
        pipeline.set_state(Gst.State.NULL)
        loop.quit()

    def on_bus(bus, msg):
        t = msg.type
        if t in (Gst.MessageType.ERROR, Gst.MessageType.WARNING):
            err, dbg = (msg.parse_error() if t == Gst.MessageType.ERROR
                        else msg.parse_warning())
            emit(event="error" if t == Gst.MessageType.ERROR else "warning",
                 src=msg.src.get_name() if msg.src else None,
                 domain=str(err.domain), code=err.code,
                 message=err.message, debug=dbg)
        elif t == Gst.MessageType.ELEMENT:
            s = msg.get_structure()
            if s and s.get_name() == "dtls-connection-state":
                emit(event="dtls-state-message", src=msg.src.get_name(),
                     structure=s.to_string())
        return True

    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_bus)

    def poll():
        now = {"dec-state": state_of(dec), "enc-state": state_of(enc),
               "frames": counts["ok"], "frames-other-size": counts["other"]}
        if ours and enc.find_property("stats"):
            st = enc.get_property("stats")
            now["dropped-before-keys-out"] = \
                st.get_value("dropped-before-keys-out") if st else None
        if now != last:
            last.update(now)
            emit(event="progress", **now)
        return True

    stdin_buf = [b""]

    def on_stdin(fd, cond):
        data = os.read(fd, 4096) if cond & GLib.IOCondition.IN else b""
        if not data:
            final()
            return False
        stdin_buf[0] += data
        *lines, stdin_buf[0] = stdin_buf[0].split(b"\n")
        for line in lines:
            if not handle_command(json.loads(line)):
                return False
        return True

    def handle_command(cmd):
        if cmd.get("cmd") == "start":
            pipeline.get_by_name("usink").set_property("port",
                                                       cmd["peer-port"])
            if cmd.get("peer-fingerprint"):
                dec.set_property("peer-fingerprint", cmd["peer-fingerprint"])
            if pipeline.set_state(Gst.State.PLAYING) == \
                    Gst.StateChangeReturn.FAILURE:
                emit(event="fatal", reason="cannot set PLAYING")
            GLib.timeout_add(50, poll)
        elif cmd.get("cmd") == "stop":
            final()
            return False
        return True

    if pipeline.set_state(Gst.State.READY) == Gst.StateChangeReturn.FAILURE:
        emit(event="fatal", reason="cannot set READY (udpsrc bind?)")
        return 1
    fp = (dec.get_property("fingerprint") if impl["dec"]["has-fingerprint"]
          else pem_fingerprint(dec.get_property("pem")))
    emit(event="ready", port=pipeline.get_by_name("usrc").get_property("port"),
         impl=impl, fingerprint=fp,
         pem_fingerprint=pem_fingerprint(dec.get_property("pem")))

    GLib.unix_fd_add_full(GLib.PRIORITY_DEFAULT, sys.stdin.fileno(),
                          GLib.IOCondition.IN | GLib.IOCondition.HUP, on_stdin)
    # Never outlive the driver by much, whatever happens to it.
    GLib.timeout_add_seconds(CHILD_MAX_SECONDS, lambda: final() or False)
    loop.run()
    return 0


# --------------------------------------------------------------------------
# The driver
# --------------------------------------------------------------------------

class Child:
    def __init__(self, name, env, args):
        self.name = name
        self.events = []
        self.ready = None
        self.result = None
        self.buf = {"out": b"", "err": b""}
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--side", name] + args,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=env)
        self.progress = {}
        self.errors = []
        self.shown_states = None

    def send(self, **kw):
        try:
            self.proc.stdin.write((json.dumps(kw) + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass

    def feed(self, which, data):
        self.buf[which] += data
        *lines, self.buf[which] = self.buf[which].split(b"\n")
        for raw in lines:
            line = raw.decode(errors="replace")
            if which == "err":
                sys.stderr.write(f"[{self.name}] {line}\n")
                continue
            try:
                ev = json.loads(line)
            except ValueError:
                print(f"[{self.name}] (not json) {line}")
                continue
            self.events.append(ev)
            kind = ev.get("event")
            if kind == "ready":
                self.ready = ev
            elif kind == "result":
                self.result = ev
            elif kind == "progress":
                self.progress = ev
            elif kind in ("error", "fatal"):
                self.errors.append(ev)
            if kind != "progress" or ev.get("frames", 0) == 1 or \
                    ev.get("frames", 0) % 30 == 0 or \
                    self.shown_states != (ev.get("dec-state"),
                                          ev.get("enc-state")):
                self.shown_states = (ev.get("dec-state"),
                                     ev.get("enc-state"))
                print(f"[{self.name}] {line}")
            sys.stdout.flush()


def pump(children, until, deadline):
    """Reads the children's output until until() or the deadline."""
    sel = selectors.DefaultSelector()
    for c in children:
        sel.register(c.proc.stdout, selectors.EVENT_READ, (c, "out"))
        sel.register(c.proc.stderr, selectors.EVENT_READ, (c, "err"))
    open_streams = 2 * len(children)
    try:
        while not until() and open_streams:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            for key, _ in sel.select(timeout=min(left, 0.5)):
                c, which = key.data
                data = os.read(key.fileobj.fileno(), 65536)
                if not data:
                    sel.unregister(key.fileobj)
                    open_streams -= 1
                    continue
                c.feed(which, data)
        return until()
    finally:
        sel.close()


def run_driver(args):
    failures = []
    ours_env = dict(os.environ)
    if not ours_env.get("GST_PLUGIN_PATH") or \
            not ours_env.get("GST_PLUGIN_SYSTEM_PATH"):
        print("FAIL: not run in the isolated environment (gst_env / "
              "scripts/gst-env): GST_PLUGIN_PATH or GST_PLUGIN_SYSTEM_PATH "
              "unset")
        return 1

    ours_client = args.ours_role == "client"
    ours = Child("ours", ours_env,
                 ["--is-client"] if ours_client else [])
    up = Child("upstream", stock_env(),
               [] if ours_client else ["--is-client"])
    children = [ours, up]
    try:
        drive(args, ours, up, failures)
    finally:
        # Whatever happened: stop both (closing stdin stops a side too),
        # then kill what does not exit.  Their output is read meanwhile: a
        # side logging (GST_DEBUG) while it stops would otherwise block on
        # a full pipe and be taken for hung.
        for c in children:
            c.send(cmd="stop")
            try:
                c.proc.stdin.close()
            except OSError:
                pass
        pump(children, lambda: all(c.proc.poll() is not None
                                   for c in children),
             time.monotonic() + STOP_GRACE)
        for c in children:
            try:
                c.proc.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                print(f"{c.name}: still running after stop, killing it")
                c.proc.kill()
                c.proc.wait()
                failures.append(f"{c.name}: did not exit after stop")
            if c.proc.returncode not in (0, None) and c.proc.returncode != \
                    -9:
                failures.append(f"{c.name}: exited with status "
                                f"{c.proc.returncode}")
    return report(failures)


def drive(args, ours, up, failures):
    children = [ours, up]
    t0 = time.monotonic()
    if not pump(children, lambda: (ours.ready and up.ready) or any(
            c.proc.poll() is not None for c in children), t0 + READY_DEADLINE) \
            or not (ours.ready and up.ready):
        for c in children:
            if not c.ready:
                failures.append(f"{c.name}: side never became ready "
                                f"(exit status {c.proc.poll()}, "
                                f"errors {c.errors})")
        return

    # Each side must run the implementation it is meant to test.
    oi, ui = ours.ready["impl"], up.ready["impl"]
    builddir = os.environ.get("GST_PLUGINS_WEBRTC_BUILDDIR")
    for el, want in (("enc", "GstWrtcDtlsSrtpEnc"),
                     ("dec", "GstWrtcDtlsSrtpDec")):
        if oi[el]["gtype"] != want:
            failures.append(f"ours: dtlssrtp{el} is {oi[el]['gtype']} "
                            f"from {oi[el]['plugin']}, expected {want}: "
                            "the isolated registry is misconfigured")
        elif builddir and not os.path.realpath(
                oi[el]["plugin"] or "").startswith(
                os.path.realpath(builddir)):
            failures.append(f"ours: dtlssrtp{el} comes from "
                            f"{oi[el]['plugin']}, not from {builddir}")
    for el, want in (("enc", "GstDtlsSrtpEnc"),
                     ("dec", "GstDtlsSrtpDec")):
        if ui[el]["gtype"] != want:
            failures.append(f"upstream: dtlssrtp{el} is "
                            f"{ui[el]['gtype']} from {ui[el]['plugin']}, "
                            f"expected gst-plugins-bad's {want}")
    if not oi["dec"]["has-fingerprint"]:
        failures.append("ours: dtlssrtpdec has no fingerprint property")
    if ui["dec"]["has-fingerprint"]:
        failures.append("upstream: dtlssrtpdec has a fingerprint "
                        "property: that is ours, not gst-plugins-bad's")
    if failures:
        return

    up_fp = up.ready["fingerprint"]
    ours_fp = ours.ready["fingerprint"]
    if ours.ready["pem_fingerprint"] != ours_fp:
        failures.append(f"ours: fingerprint property {ours_fp} is not "
                        "the SHA-256 of the pem property's certificate "
                        f"({ours.ready['pem_fingerprint']})")
    wrong_fp = None
    if args.mismatch:
        # Upstream's fingerprint with the last byte changed.
        last = int(up_fp[-2:], 16)
        wrong_fp = up_fp[:-2] + "%02X" % (last ^ 0x5A)
        expected_peer = wrong_fp
    else:
        expected_peer = up_fp
    # Ours starts first, and upstream only once our dtlssrtpenc has
    # dropped RTP for want of keys: the stream's first keyframe is then
    # lost and, as ours sends keyframes rarely, upstream decodes only if
    # our dtlssrtpenc asks for a keyframe when its keys are set.
    ours.send(cmd="start", **{"peer-port": up.ready["port"],
                              "peer-fingerprint": expected_peer})
    if not pump(children,
                lambda: ours.progress.get("dropped-before-keys-out"),
                time.monotonic() + DROP_DEADLINE):
        failures.append("ours: dtlssrtpenc never reported RTP dropped "
                        "before the keys (dropped-before-keys-out), "
                        f"last progress {ours.progress}")
        return
    up.send(cmd="start", **{"peer-port": ours.ready["port"]})
    print(f"started: ours is the DTLS {args.ours_role} on port "
          f"{ours.ready['port']}, upstream on port {up.ready['port']}; "
          f"upstream {up_fp}, ours {ours_fp}")
    sys.stdout.flush()

    if args.mismatch:
        # Ours fails, and tells upstream (a fatal alert), which fails too.
        def both_failed():
            return any(e.get("event") == "error" for e in ours.events) \
                and ours.progress.get("dec-state") == 2 \
                and up.progress.get("dec-state") == 2
        pump(children, both_failed, time.monotonic() + MISMATCH_DEADLINE)
    else:
        def side_done(c):
            p = c.progress
            return (p.get("frames", 0) >= MIN_FRAMES
                    and p.get("dec-state") == 4
                    and p.get("enc-state") == 4)
        pump(children,
             lambda: side_done(ours) and side_done(up)
             or any(e.get("event") == "error"
                    for c in children for e in c.events),
             time.monotonic() + MEDIA_DEADLINE)

    for c in children:
        c.send(cmd="stop")
    pump(children, lambda: ours.result and up.result,
         time.monotonic() + STOP_GRACE)
    for c in children:
        if c.result is None:
            failures.append(f"{c.name}: no final report after stop "
                            "(hung?)")
        elif c.result.get("snapshot-error"):
            failures.append(f"{c.name}: no stats snapshot: "
                            f"{c.result['snapshot-error']}")

    if args.mismatch:
        check_mismatch(ours, up, up_fp, wrong_fp, failures)
    else:
        check_media(ours, up, up_fp, ours_fp, failures)


def state_name(v):
    return STATE_NAMES.get(v, repr(v))


def check_media(ours, up, up_fp, ours_fp, failures):
    for c, w_h in ((ours, UPSTREAM_SIZE), (up, OURS_SIZE)):
        r = c.result or c.progress
        for e in c.errors:
            failures.append(f"{c.name}: error from {e.get('src')}: "
                            f"{e.get('message') or e.get('reason')} "
                            f"({e.get('debug')})")
        for el in ("dec", "enc"):
            if r.get(f"{el}-state") != 4:
                failures.append(f"{c.name}: dtlssrtp{el} connection-state "
                                f"is {state_name(r.get(f'{el}-state'))}, "
                                "expected connected")
        if r.get("frames", 0) < MIN_FRAMES:
            failures.append(f"{c.name}: decoded {r.get('frames', 0)} frames "
                            f"of {w_h[0]}x{w_h[1]} (the peer's stream), "
                            f"expected at least {MIN_FRAMES}")
        if r.get("frames-other-size"):
            failures.append(f"{c.name}: decoded {r['frames-other-size']} "
                            "frames of another size than the peer's "
                            f"{w_h[0]}x{w_h[1]}: {r.get('other-sizes')}")
    # Each side saw the other's certificate.
    if ours.result and ours.result.get("peer-pem-fingerprint") != up_fp:
        failures.append("ours: peer-pem is not upstream's certificate: "
                        f"{ours.result.get('peer-pem-fingerprint')} != "
                        f"{up_fp}")
    if up.result and up.result.get("peer-pem-fingerprint") != ours_fp:
        failures.append("upstream: peer-pem is not our certificate: "
                        f"{up.result.get('peer-pem-fingerprint')} != "
                        f"{ours_fp}")
    st = (ours.result or {}).get("dec-stats")
    if not st:
        failures.append("ours: no stats from dtlssrtpdec")
        return
    if st.get("srtp-profile") != "SRTP_AES128_CM_SHA1_80":
        failures.append(f"ours: negotiated SRTP profile "
                        f"{st.get('srtp-profile')}, expected "
                        "SRTP_AES128_CM_SHA1_80 (all that upstream offers "
                        "besides SHA1_32)")
    if st.get("packets-unprotected", 0) < MIN_FRAMES:
        failures.append(f"ours: only {st.get('packets-unprotected')} "
                        "packets unprotected")
    if st.get("packets-protected", 0) < MIN_FRAMES:
        failures.append(f"ours: only {st.get('packets-protected')} packets "
                        "protected")
    est = (ours.result or {}).get("enc-stats") or {}
    if not est.get("dropped-before-keys-out"):
        failures.append("ours: dtlssrtpenc dropped no RTP before its keys, "
                        "so the keyframe request was not exercised: "
                        f"{est}")
    for k in ("replayed", "malformed", "protect-failed"):
        if st.get(k, 0):
            failures.append(f"ours: stats {k} = {st.get(k)}, expected 0")
    check_srtp_accounting(ours, up, st, failures)


def check_srtp_accounting(ours, up, st, failures):
    """Each SRTP packet from upstream that ours did not unprotect is
    accounted for, one by one.

    gst-plugins-bad's dtlssrtpenc (1.22) starts its srtpenc with
    random-key=TRUE and sets the DTLS-SRTP key (and the cipher) only in
    its dtlsenc's on-key-received handler, once its handshake completed;
    it drops nothing meanwhile.  Its first frame (a keyframe, 4 packets
    at 320x240) comes from the encoder at about the time the handshake
    completes, and when it reaches the srtpenc before the key does it is
    protected with the random key, which nobody can authenticate.  Such
    packets that arrive before our keys are dropped-before-keys-in; those
    that arrive after (upstream's last flight was already out) fail
    authentication: auth-failed = 4 in about 1 run in 5, in both roles,
    before this accounting.  So: a packet lost after our keys were set
    must be one that entered upstream's dtlssrtpenc before its on-key-set
    (the only time the random key can be in use), and auth-failed must
    count exactly those; a packet lost before our keys must be counted
    dropped-before-keys-in.  A packet upstream protected with its DTLS
    key that ours did not unprotect fails the test."""
    wire = (ours.result or {}).get("srtp-wire")
    pre = (up.result or {}).get("rtp-before-key-set")
    if wire is None or pre is None:
        failures.append("no SRTP accounting: ours srtp-wire "
                        f"{wire is not None}, upstream rtp-before-key-set "
                        f"{pre is not None}")
        return
    pre = {tuple(p) for p in pre}
    after = [tuple(p) for p in wire["rtp-lost-after-keys"]]
    before = wire["rtp-lost-before-keys"]
    keyed = [p for p in after if p not in pre]
    if keyed:
        failures.append(f"ours: {len(keyed)} RTP packets (ssrc, seq) that "
                        "upstream protected after its DTLS keys were set "
                        f"were not unprotected: {keyed[:8]}")
    if wire["rtcp-lost"]:
        failures.append(f"ours: {wire['rtcp-lost']} of {wire['rtcp']} "
                        "SRTCP packets from upstream not unprotected")
    if st.get("auth-failed", 0) != len(after) + wire["rtcp-lost"]:
        failures.append(f"ours: stats auth-failed = {st.get('auth-failed')}"
                        f", but {len(after)} RTP packets that came after "
                        f"our keys were not unprotected: {after[:8]}")
    if st.get("dropped-before-keys-in", 0) != len(before):
        failures.append("ours: stats dropped-before-keys-in = "
                        f"{st.get('dropped-before-keys-in')}, but "
                        f"{len(before)} RTP packets came before our keys "
                        "and were not unprotected")
    print(f"ours: {wire['rtp']} SRTP packets from upstream; not "
          f"unprotected: {len(before)} that came before our keys "
          f"(dropped-before-keys-in), {len(after)} after them "
          f"(auth-failed), {len(after) - len(keyed)} of which upstream "
          f"protected before its DTLS keys were set ({len(pre)} packets "
          "entered its dtlssrtpenc before them)")


def check_mismatch(ours, up, up_fp, wrong_fp, failures):
    r = ours.result or ours.progress
    if r.get("dec-state") != 2:
        failures.append(f"ours: dtlssrtpdec connection-state is "
                        f"{state_name(r.get('dec-state'))}, expected failed")
    errs = [e for e in ours.events if e.get("event") == "error"]
    if not errs:
        failures.append("ours: no error message on the bus")
    else:
        text = " ".join(f"{e.get('message')} {e.get('debug')}" for e in errs)
        up_hex = up_fp.split(" ", 1)[1]
        wrong_hex = wrong_fp.split(" ", 1)[1]
        if up_hex.lower() not in text.lower():
            failures.append("ours: the error does not name upstream's "
                            f"fingerprint {up_hex}: {text}")
        if wrong_hex.lower() not in text.lower():
            failures.append("ours: the error does not name the expected "
                            f"(wrong) fingerprint {wrong_hex}: {text}")
        if not any(e.get("domain") == "gst-resource-error-quark"
                   for e in errs):
            failures.append(f"ours: error is not a resource error: {errs}")
    if r.get("enc-state") != 2:
        failures.append(f"ours: dtlssrtpenc connection-state is "
                        f"{state_name(r.get('enc-state'))}, expected failed")
    if r.get("frames", 0):
        failures.append(f"ours: decoded {r['frames']} frames from a peer "
                        "that failed verification")
    st = r.get("dec-stats")
    if not st:
        failures.append("ours: no stats from dtlssrtpdec")
    else:
        if st.get("packets-unprotected", 0):
            failures.append(f"ours: {st['packets-unprotected']} packets "
                            "unprotected from a rejected peer")
        if st.get("packets-protected", 0):
            failures.append(f"ours: {st['packets-protected']} packets "
                            "protected for (sent to) a rejected peer")
    ur = up.result or up.progress
    if ur.get("dec-state") != 2:
        failures.append("upstream: dtlssrtpdec connection-state is "
                        f"{state_name(ur.get('dec-state'))}, expected failed "
                        "(ours should have sent it a fatal alert)")
    if up.result and up.result.get("frames", 0):
        failures.append(f"upstream: decoded {up.result['frames']} frames "
                        "although ours rejected it")


def report(failures):
    if failures:
        print("FAIL:")
        for f in failures:
            print("  - " + f)
        return 1
    print("PASS")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--side", choices=("ours", "upstream"))
    ap.add_argument("--is-client", action="store_true")
    ap.add_argument("--ours-role", choices=("client", "server"),
                    default="client")
    ap.add_argument("--mismatch", action="store_true")
    args = ap.parse_args()
    if args.side:
        return run_side(args)
    return run_driver(args)


if __name__ == "__main__":
    sys.exit(main())
