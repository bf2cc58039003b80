# SPDX-License-Identifier: LGPL-2.1-or-later
"""Added latency of the stack on loopback (issue 4's benchmark).

A VP8 frame's time from the encoder's output to the same frame leaving the
receiver as an encoded (depayloaded) frame, matched by a hash of its bytes
(pad probes in C, bench/latprobe.c), jitterbuffer latency 0:

  ours       videotestsrc ! webrtcsink (its vp8enc)  ->  WHEP  ->
             webrtcsrc decode=false latency=0
  webrtcbin  videotestsrc ! vp8enc ! rtpvp8pay ! webrtcbin  ->  webrtcbin
             latency=0 ! rtpvp8depay   (gst-plugins-bad, stock registry)

Each run is a fresh process in a private network namespace with only
`lo` (unshare -n), ours and webrtcbin's runs interleaved; the figure is
the median over all frames of all runs.  Goal: ours <= 5 ms and <= 0.5 of
webrtcbin's.

  BUILDDIR=build bench/run-latency.sh [--runs N] [--seconds S]
"""
import argparse
import ctypes
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "lib"))
from webrtcbin_peer import negotiate_in_process, pin_loopback  # noqa
from wrtctest import ISOLATION_VARS  # noqa: E402

CAPS = "video/x-raw,width=640,height=480,framerate=30/1"


def child(kind, seconds, probe_lib):
    import gi
    gi.require_version("Gst", "1.0")
    gi.require_version("GstWebRTC", "1.0")
    gi.require_version("GstSdp", "1.0")
    from gi.repository import GLib, Gst
    Gst.init(None)
    # the probes are C (bench/latprobe.c): a Python probe costs ~0.1 ms
    # per buffer inside the streaming thread, i.e. inside the measurement
    probes = ctypes.CDLL(probe_lib)
    probes.latprobe_get.restype = ctypes.c_double
    probes.latprobe_in.argtypes = [ctypes.c_void_p]
    probes.latprobe_out.argtypes = [ctypes.c_void_p]

    def probe_in(pad):
        probes.latprobe_in(hash(pad))  # PyGObject: hash() is the address

    def probe_out(pad):
        probes.latprobe_out(hash(pad))

    def sink_for(pipe, pad, depay=None):
        elems = ([Gst.ElementFactory.make(depay)] if depay else []) + \
            [Gst.ElementFactory.make("fakesink")]
        elems[-1].set_property("sync", False)
        elems[-1].set_property("async", False)
        for e in elems:
            pipe.add(e)
        for a, b in zip(elems, elems[1:]):
            a.link(b)
        for e in elems:
            e.sync_state_with_parent()
        pad.link(elems[0].get_static_pad("sink"))
        probe_out(elems[-1].get_static_pad("sink"))

    if kind == "ours":
        pipe = Gst.parse_launch(
            "videotestsrc is-live=true pattern=ball ! %s ! webrtcsink "
            "name=sink port=0 local-addresses=127.0.0.1 "
            "webrtcsrc name=src decode=false latency=0 "
            "local-addresses=127.0.0.1" % CAPS)
        sink = pipe.get_by_name("sink")
        src = pipe.get_by_name("src")
        pipe.set_state(Gst.State.READY)
        src.set_property("whep-url", sink.get_property("url") + "whep")
        def walk(b):
            for e in b.children:
                if isinstance(e, Gst.Bin):
                    yield from walk(e)
                yield e

        def is_enc(e):
            return e.get_factory() and e.get_factory().get_name() == "vp8enc"
        # the encoder may exist already or come when caps arrive
        sink.connect("deep-element-added", lambda b, sub, e: probe_in(
            e.get_static_pad("src")) if is_enc(e) else None)
        for e in walk(sink):
            if is_enc(e):
                probe_in(e.get_static_pad("src"))
        src.connect("pad-added", lambda s, pad: sink_for(pipe, pad))
    else:
        from gi.repository import GstSdp, GstWebRTC  # noqa: F401
        pipe = Gst.parse_launch(
            "videotestsrc is-live=true pattern=ball ! %s ! vp8enc deadline=1 "
            "name=enc ! rtpvp8pay pt=96 ! application/x-rtp,media=video,"
            "encoding-name=VP8,payload=96,clock-rate=90000 ! webrtcbin "
            "name=send bundle-policy=max-bundle webrtcbin name=recv "
            "bundle-policy=max-bundle latency=0" % CAPS)
        send = pipe.get_by_name("send")
        recv = pipe.get_by_name("recv")
        for w in (send, recv):
            # libnice skips loopback unless told to use it
            pin_loopback(w)
        probe_in(pipe.get_by_name("enc").get_static_pad("src"))
        recv.connect("pad-added", lambda w, pad: sink_for(
            pipe, pad, "rtpvp8depay") if pad.direction ==
            Gst.PadDirection.SRC else None)
        # once the sender streams, as for a running webrtcsink
        GLib.timeout_add(300, lambda: negotiate_in_process(send, recv)
                         and False)

    loop = GLib.MainLoop()
    bus = pipe.get_bus()
    bus.add_signal_watch()
    errors = []

    def on_msg(b, msg):
        if msg.type == Gst.MessageType.ERROR:
            errors.append(msg.parse_error()[0].message)
            loop.quit()
    bus.connect("message", on_msg)
    pipe.set_state(Gst.State.PLAYING)
    # the first second is connection set-up: only frames after it count
    GLib.timeout_add(1000, lambda: (probes.latprobe_reset(), False)[1])
    GLib.timeout_add(int((seconds + 1) * 1000), loop.quit)
    loop.run()
    pipe.set_state(Gst.State.NULL)
    lat = [probes.latprobe_get(i) for i in range(probes.latprobe_count())]
    print(json.dumps({"kind": kind, "latencies": lat, "errors": errors}))
    return 0


def run_child(kind, seconds, builddir):
    env = dict(os.environ)
    if kind == "webrtcbin":
        for v in ISOLATION_VARS:
            env.pop(v, None)
    cmd = [sys.executable, os.path.abspath(__file__), "--child", kind,
           "--seconds", str(seconds), "--probe-lib",
           os.path.join(os.path.abspath(builddir), "bench",
                        "libwrtclatprobe.so")]
    if kind == "ours":
        cmd = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                            "scripts", "gst-env")] + cmd
        env["BUILDDIR"] = builddir
    # a namespace with only lo: no address but loopback can be used
    ns = ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"',
          "sh"]
    if os.getuid() != 0:
        ns = ["unshare", "--map-root-user", "--net", "sh", "-c",
              'ip link set lo up && exec "$@"', "sh"]
    out = subprocess.run(ns + cmd, env=env, capture_output=True, text=True,
                         timeout=seconds + 60)
    for line in out.stdout.splitlines():
        if line.startswith("{"):
            return json.loads(line)
    return {"kind": kind, "latencies": [],
            "errors": ["no result: " + out.stderr[-800:]]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--child")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--builddir", default=os.environ.get("BUILDDIR", "build"))
    ap.add_argument("--probe-lib")
    ap.add_argument("--smoke", action="store_true",
                    help="one short run each; fails only without numbers")
    args = ap.parse_args()
    if args.child:
        return child(args.child, args.seconds, args.probe_lib)
    if args.smoke:
        args.runs, args.seconds = 1, 2
    res = {"ours": [], "webrtcbin": []}
    for i in range(args.runs):
        for kind in ("ours", "webrtcbin"):
            r = run_child(kind, args.seconds, args.builddir)
            if r["errors"]:
                print("%s run %d: %s" % (kind, i + 1, r["errors"]),
                      file=sys.stderr)
            res[kind] += r["latencies"]
    if not res["ours"] or not res["webrtcbin"]:
        print("latency: no frames matched (ours %d, webrtcbin %d)" %
              (len(res["ours"]), len(res["webrtcbin"])))
        return 1
    ours = statistics.median(res["ours"])
    theirs = statistics.median(res["webrtcbin"])
    ratio = ours / theirs
    met = ours <= 5.0 and ratio <= 0.5
    print("added latency, encoder out -> receiver out, median of %d / %d "
          "frames: ours %.2f ms, webrtcbin %.2f ms, ratio %.2f (goal <= 5 ms "
          "and <= 0.5: %s)" % (len(res["ours"]), len(res["webrtcbin"]), ours,
                               theirs, ratio, "met" if met else "NOT met"))
    q = statistics.quantiles
    print("  p90: ours %.2f ms, webrtcbin %.2f ms" %
          (q(res["ours"], n=10)[-1], q(res["webrtcbin"], n=10)[-1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
