# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst-plugins-webrtc benchmark: DTLS handshake time on loopback UDP, our
dtlssrtpenc/dtlssrtpdec against gst-plugins-bad's, measured in the same run.

Both use the same pipeline: two enc/dec pairs (one DTLS client, one server)
talking over udpsrc/udpsink on 127.0.0.1.  Each sample is a fresh process
(ours in the isolated environment, upstream's with the stock registry),
alternating ours and upstream's; the GType of dtlssrtpenc is checked in each.
In each process the decoders' certificate is read first (an application
needs it for its SDP fingerprint, and gst-plugins-bad generates its
certificate when the element is created), the pipeline is taken to READY
(sockets bound), then the time runs from set_state(PLAYING) until both
associations report connected (on-key-set or notify::connection-state,
whichever comes first).  Each process does three measurements:
  cold   the first handshake in the process (the headline figure),
  warm   a second one on new connection-ids,
  media  a third with 1 ms RTP packets fed to the client's encoder from
         the start, timed until the first one leaves the server's decoder
         decrypted (what the handshake costs a call, SRTP set-up included).

  handshake.py --builddir DIR [--runs N] [-v]    # driver: prints the figures
  handshake.py --child ours|upstream --port P    # one process's samples
  (HANDSHAKE_TRACE=1 in a child prints the start time on the GST_DEBUG
  clock to stderr, to read a debug log against)
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TYPE_NAMES = {"ours": "GstWrtcDtlsSrtpEnc", "upstream": "GstDtlsSrtpEnc"}
PHASES = ("cold", "warm", "media")
CONNECTED = 4  # GstDtlsConnectionState / GstWrtcDtlsConnectionState
TIMEOUT_S = 10.0


def child(impl, port, tag):
    import gi

    gi.require_version("Gst", "1.0")
    from gi.repository import GLib, Gst

    Gst.init(None)
    trace = bool(os.environ.get("HANDSHAKE_TRACE"))
    probe = Gst.ElementFactory.make("dtlssrtpenc", None)
    if probe is None:
        print("error: no dtlssrtpenc", flush=True)
        return 1
    type_name = type(probe).__gtype__.name
    if type_name != TYPE_NAMES[impl]:
        print("error: dtlssrtpenc is %s, expected %s for %s"
              % (type_name, TYPE_NAMES[impl], impl), flush=True)
        return 1
    print("impl %s %s" % (impl, type_name), flush=True)
    del probe

    phases = (("cold", False), ("warm", False), ("media", True))
    for attempt, (label, media) in enumerate(phases):
        pa, pb = port + 2 * attempt, port + 2 * attempt + 1
        ida, idb = "hs-%s-%d-a" % (tag, attempt), "hs-%s-%d-b" % (tag, attempt)
        # media: 1 ms RTP packets (PCMA) into the client's encoder from the
        # start; the time runs until the first one leaves the server's
        # decoder decrypted
        # (the pad named: gst-plugins-bad 1.22 crashes requesting an unnamed
        # one)
        src = ("audiotestsrc is-live=true samplesperbuffer=8 ! "
               "audio/x-raw,rate=8000 ! alawenc ! rtppcmapay ! "
               "enc_a.rtp_sink_0 " if media else "")
        out = ("dec_b.rtp_src ! fakesink name=out async=false "
               "signal-handoffs=true " if media else
               "dec_b. ! fakesink async=false ")
        desc = (
            "udpsrc address=127.0.0.1 port=%d ! "
            "dtlssrtpdec name=dec_a connection-id=%s ! fakesink async=false "
            "dtlssrtpenc name=enc_a connection-id=%s is-client=true ! "
            "udpsink host=127.0.0.1 port=%d async=false %s"
            "udpsrc address=127.0.0.1 port=%d ! "
            "dtlssrtpdec name=dec_b connection-id=%s %s"
            "dtlssrtpenc name=enc_b connection-id=%s is-client=false ! "
            "udpsink host=127.0.0.1 port=%d async=false"
            % (pa, ida, ida, pb, src, pb, idb, out, idb, pa))
        pipeline = Gst.parse_launch(desc)
        els = {n: pipeline.get_by_name(n)
               for n in ("enc_a", "dec_a", "enc_b", "dec_b")}
        for n in ("dec_a", "dec_b"):
            if not els[n].get_property("pem"):
                print("error: %s has no certificate" % n, flush=True)
                return 1

        done = {}
        how = {}
        loop = GLib.MainLoop()
        state = {"t0": None}
        need = ("media",) if media else ("a", "b")

        def mark(side, mechanism):
            now = time.perf_counter()
            if side in done or state["t0"] is None or side not in need:
                return
            done[side] = now
            how[side] = mechanism
            if len(done) == len(need):
                GLib.idle_add(loop.quit)

        def on_notify(el, _pspec, side, name):
            if int(el.get_property("connection-state")) == CONNECTED:
                mark(side, "notify:" + name[:3])

        def on_key_set(el, side):
            mark(side, "on-key-set")

        def on_handoff(_sink, _buf, _pad):
            mark("media", "handoff")

        # on-key-set, or connection-state connected, whichever is first
        # (both implementations emit both; ours emits on-key-set once the
        # SRTP sessions exist, gst-plugins-bad's once the keys are
        # exported, its SRTP sessions being created at the first packet)
        for side in ("a", "b"):
            for kind in ("enc", "dec"):
                name = "%s_%s" % (kind, side)
                els[name].connect("notify::connection-state", on_notify,
                                  side, name)
            els["enc_" + side].connect("on-key-set", on_key_set, side)
        if media:
            pipeline.get_by_name("out").connect("handoff", on_handoff)

        def on_message(_bus, msg):
            if msg.type == Gst.MessageType.ERROR:
                err, dbg = msg.parse_error()
                print("error: %s: %s" % (msg.src.get_name(), err.message),
                      flush=True)
                loop.quit()

        bus = pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", on_message)

        if pipeline.set_state(Gst.State.READY) == \
                Gst.StateChangeReturn.FAILURE:
            print("error: pipeline does not reach READY", flush=True)
            return 1
        GLib.timeout_add(int(TIMEOUT_S * 1000), loop.quit)
        state["t0"] = time.perf_counter()
        if trace:
            # on the GST_DEBUG clock, to read a debug log against
            sys.stderr.write("%s t0 %.6f\n"
                             % (label, Gst.util_get_timestamp() / 1e9))
        pipeline.set_state(Gst.State.PLAYING)
        loop.run()
        pipeline.set_state(Gst.State.NULL)
        bus.remove_signal_watch()
        if len(done) < len(need):
            print("error: %s did not complete in %.0f s (states %s)"
                  % (label, TIMEOUT_S, [int(e.get_property(
                      "connection-state")) for e in els.values()]),
                  flush=True)
            return 1
        ms = (max(done.values()) - state["t0"]) * 1000.0
        print("%s %.3f %s" % (label, ms,
                              ",".join(sorted(set(how.values())))),
              flush=True)
    return 0


def run_child(impl, builddir, port, tag):
    script = os.path.abspath(__file__)
    args = [sys.executable, script, "--child", impl, "--port", str(port),
            "--tag", tag]
    env = dict(os.environ)
    if impl == "ours":
        env["BUILDDIR"] = builddir
        args = [os.path.join(TOP, "scripts", "gst-env")] + args
    else:
        for var in ("GST_PLUGIN_PATH", "GST_PLUGIN_SYSTEM_PATH",
                    "GST_REGISTRY", "GST_PLUGINS_WEBRTC_BUILDDIR"):
            env.pop(var, None)
    p = subprocess.run(args, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=60)
    res = {}
    for line in p.stdout.splitlines():
        f = line.split()
        if f and f[0] in PHASES:
            res[f[0]] = float(f[1])
            res[f[0] + "-how"] = f[2] if len(f) > 2 else ""
        elif f and f[0] == "error:":
            raise RuntimeError("%s: %s" % (impl, line))
        elif f and f[0] == "impl":
            res["type"] = f[2]
    if p.returncode != 0 or any(k not in res for k in PHASES):
        raise RuntimeError("%s run failed (%d): %s %s"
                           % (impl, p.returncode, p.stdout, p.stderr[-2000:]))
    return res


def driver(builddir, runs, verbose):
    ports = {"ours": 22100, "upstream": 22200}  # each uses 6 from here
    samples = {(i, k): [] for i in ports for k in PHASES}
    types = {}
    # one discarded run each: registry caches, page cache
    for impl in ports:
        types[impl] = run_child(impl, builddir, ports[impl], "warmup")["type"]
    for r in range(runs):
        for impl in (("ours", "upstream") if r % 2 == 0
                     else ("upstream", "ours")):
            res = run_child(impl, builddir, ports[impl], "r%d" % r)
            for k in PHASES:
                samples[(impl, k)].append(res[k])
            if verbose:
                print("  run %d %-8s " % (r, impl) + ", ".join(
                    "%s %.2f ms (%s)" % (k, res[k], res[k + "-how"])
                    for k in PHASES), flush=True)
    print("dtls-handshake: implementations ours=%s upstream=%s, %d runs each"
          % (types["ours"], types["upstream"], runs))
    for k, name in (("cold", "dtls-handshake"),
                    ("warm", "dtls-handshake (second in process)"),
                    ("media", "dtls-srtp first media (third in process)")):
        o = statistics.median(samples[("ours", k)])
        u = statistics.median(samples[("upstream", k)])
        # each run's pair was measured back to back: the median of the
        # pairs' ratios follows the load of the machine less than o / u
        q = statistics.median(a / b for a, b in zip(samples[("ours", k)],
                                                    samples[("upstream", k)]))
        print("%s: ours %.2f ms median, upstream %.2f ms median, "
              "ratio %.3f (goal <= 0.5)" % (name, o, u, o / u), flush=True)
        print("  paired: median of per-run ours/upstream %.3f" % q,
              flush=True)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--builddir", default=os.environ.get(
        "BUILDDIR", os.path.join(TOP, "build")))
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--child", choices=("ours", "upstream"))
    ap.add_argument("--port", type=int, default=22100)
    ap.add_argument("--tag", default="x")
    a = ap.parse_args()
    if a.child:
        return child(a.child, a.port, a.tag)
    return driver(os.path.abspath(a.builddir), a.runs, a.verbose)


if __name__ == "__main__":
    sys.exit(main())
