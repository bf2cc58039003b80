# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst-plugins-webrtc benchmark: webrtcsink (issue 3), against webrtcbin
measured in the same run.

Processes, all on 127.0.0.1:
  sink     gst-launch-1.0 videotestsrc is-live=true pattern=snow !
           video/x-raw,320x240,30/1 ! webrtcsink port=0
           local-addresses=127.0.0.1, in the isolated environment.  The
           element encodes (VP8, its own settings: deadline=1); snow does
           not compress, so the stream is about 2 Mbit/s (the viewers
           measure and print it).  The encoder's CPU is in the zero-viewer
           baseline that the per-viewer figure subtracts.
  viewers  build/bench/whep-viewers: N WHEP viewers on the in-tree peer
           core in one process (ICE + DTLS + SRTP, counts RTP, loss by
           sequence-number gaps).
  anchor   bench/webrtcbin_peers.py with the stock registry (our
           GST_PLUGIN_* / GST_REGISTRY variables removed).

  webrtcsink.py startup [--samples N] [--runs R]
      Time from the WHEP POST to ICE+DTLS connected and to the first RTP
      packet the viewer receives (an upper bound of the first one sent),
      against webrtcbin sender + receiver in one process, from
      create-offer to connection-state connected and to the first RTP
      into the sender's nicesink.  N fresh processes of each (the first
      peer in a process: "cold", the headline), each followed by R-1
      more peers ("warm").
  webrtcsink.py fanout [--counts 1,10,50,100] [--reps K] [--window S]
      CPU of the sink process (utime+stime, /proc/PID/stat) over S seconds
      with all viewers connected, minus the zero-viewer baseline taken in
      the same repetition, divided by the viewers: % of one core per
      viewer; and packets each viewer received / the packets sent to it.
  webrtcsink.py memory [--counts 0,10,50,100] [--anchor-counts 0,10,50]
      VmRSS and Threads of the sink process as viewers join (10, then 40
      more, ...); RSS growth per viewer; and webrtcbin's per peer
      connection in the same run.
  --smoke (any mode): one short run with 2 viewers; exit status 1 unless
      numbers came out and every viewer received packets.

Run in the isolated environment: BUILDDIR=... scripts/gst-env
/usr/bin/python3 bench/webrtcsink.py MODE (the bench/run-webrtcsink-*.sh
scripts do that).  Figures are printed one per line:
  NAME: ours X, webrtcbin Y, ratio X/Y (goal ...: met|NOT met)
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
from wrtctest import stock_env, terminate  # noqa: E402
HZ = os.sysconf("SC_CLK_TCK")
SINK_LAUNCH = ("videotestsrc is-live=true pattern=snow ! "
               "video/x-raw,width=320,height=240,framerate=30/1 ! "
               "webrtcsink name=s port=0 local-addresses=127.0.0.1")
VERBOSE = False
PARALLEL = 8


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def log(*a):
    if VERBOSE:
        print("#", *a, file=sys.stderr, flush=True)


def builddir():
    b = os.environ.get("GST_PLUGINS_WEBRTC_BUILDDIR")
    if not b or not os.environ.get("GST_PLUGIN_PATH"):
        sys.exit("error: run in the isolated environment "
                 "(scripts/gst-env or meson test)")
    return b


class Sink:
    """webrtcsink in a gst-launch-1.0 process of its own."""

    def __init__(self):
        self.proc = subprocess.Popen(
            ["gst-launch-1.0", "-e"] + SINK_LAUNCH.split(),
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.url = None
        end = time.monotonic() + 20
        for line in self.proc.stdout:
            m = re.search(r"webrtcsink: open (\S+)", line)
            if m:
                self.url = m.group(1)
                break
            if time.monotonic() > end:
                break
        if not self.url:
            self.stop()
            sys.exit("error: webrtcsink printed no URL")
        # keep draining its stdout
        threading.Thread(target=lambda: [None for _ in self.proc.stdout],
                         daemon=True).start()
        self.pid = self.proc.pid

    def cpu_ticks(self):
        with open("/proc/%d/stat" % self.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime

    def status(self):
        out = {}
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "Threads"):
                    out[k] = int(v.split()[0])
        return out

    def cpu_percent(self, seconds):
        t0, c0 = time.monotonic(), self.cpu_ticks()
        time.sleep(seconds)
        t1, c1 = time.monotonic(), self.cpu_ticks()
        return 100.0 * (c1 - c0) / HZ / (t1 - t0)

    def stop(self):
        terminate(self.proc)


class Viewers:
    """One whep-viewers process with N viewers; commands on its stdin."""

    def __init__(self, url, n, timeout=None, hold=None, check=False):
        argv = [os.path.join(builddir(), "bench", "whep-viewers"),
                "--url", url, "--viewers", str(n),
                "--parallel", str(PARALLEL),
                "--timeout", str(timeout or max(20, n * 0.4))]
        if hold:
            argv += ["--hold", str(hold)]
        if check:
            argv += ["--check"]
        self.n = n
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True,
                                     bufsize=1)
        self.viewers = []
        self.ready = None
        for line in self.proc.stdout:
            log("viewers:", line.rstrip())
            if line.startswith("viewer "):
                self.viewers.append(parse_kv(line))
            elif line.startswith("ready "):
                self.ready = int(line.split()[1].split("/")[0])
                break
        if self.ready is None:
            self.ready = 0

    def command(self, cmd):
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()

    def window(self):
        """'stop' and the window lines."""
        self.command("stop")
        per = []
        for line in self.proc.stdout:
            log("viewers:", line.rstrip())
            if line.startswith("window "):
                per.append(parse_kv(line))
            elif line.startswith("window-total"):
                return per, parse_kv(line)
        return per, {}

    def quit(self):
        lines = []
        try:
            if self.proc.poll() is None:
                self.command("quit")
        except BrokenPipeError:
            pass
        try:
            out, _ = self.proc.communicate(timeout=30)
            lines = out.splitlines()
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return lines


def parse_kv(line):
    return {k: float(v) for k, v in re.findall(r"(\w+)=([-0-9.]+)", line)}


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def spread(xs, fmt="%.1f"):
    if not xs:
        return "n/a"
    return (fmt + "-" + fmt) % (min(xs), max(xs))


def verdict(ok):
    return "met" if ok else "NOT met"


# startup

def ours_startup(samples, runs):
    cold = {"connected": [], "rtp": []}
    warm = {"connected": [], "rtp": []}
    for s in range(samples):
        sink = Sink()
        try:
            for r in range(runs):
                v = Viewers(sink.url, 1, timeout=10, hold=0.2)
                v.quit()
                if v.ready != 1 or not v.viewers:
                    print("error: ours, sample %d run %d: no media" % (s, r))
                    continue
                x = v.viewers[0]
                log("ours", s, r, x)
                d = cold if r == 0 else warm
                d["connected"].append(x["connected_ms"])
                d["rtp"].append(x["first_rtp_ms"])
        finally:
            sink.stop()
    return cold, warm


def anchor_startup(samples, runs):
    cold = {"connected": [], "rtp": [], "rtp_in": []}
    warm = {"connected": [], "rtp": [], "rtp_in": []}
    for s in range(samples):
        p = subprocess.run(
            ["/usr/bin/python3", os.path.join(TOP, "bench",
                                              "webrtcbin_peers.py"),
             "startup", "--runs", str(runs)],
            env=stock_env(), stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, timeout=120)
        for line in p.stdout.splitlines():
            if not line.startswith("{"):
                print(line)
                continue
            m = json.loads(line)
            log("webrtcbin", s, m)
            if not all(k in m for k in ("connected", "rtp_out", "rtp_in")):
                print("error: webrtcbin run incomplete: %s" % line)
                continue
            d = cold if m["run"] == 0 else warm
            d["connected"].append(m["connected"])
            d["rtp"].append(m["rtp_out"])
            d["rtp_in"].append(m["rtp_in"])
    return cold, warm


def cmd_startup(args):
    samples, runs = (1, 2) if args.smoke else (args.samples, args.runs)
    print("startup: %d fresh processes each, %d peers per process "
          "(first: cold, others: warm); median ms, [min-max]"
          % (samples, runs), flush=True)
    oc, ow = ours_startup(samples, runs)
    ac, aw = anchor_startup(samples, runs)
    ok = bool(oc["rtp"]) and bool(ac["rtp"])
    for label, o, a in (("cold", oc, ac), ("warm", ow, aw)):
        if not o["rtp"] or not a["rtp"]:
            continue
        for key, what_o, what_a in (
                ("rtp", "POST -> first RTP received by the viewer",
                 "create-offer -> first RTP out of the sender"),
                ("connected", "POST -> ICE+DTLS connected",
                 "create-offer -> both connection-state connected")):
            mo, ma = med(o[key]), med(a[key])
            goal = mo <= 0.25 * ma
            print("startup %s %s: ours %.1f ms [%s] (%s), webrtcbin %.1f ms "
                  "[%s] (%s), ratio %.2f (goal <= 0.25: %s)"
                  % (label, key, mo, spread(o[key]), what_o, ma,
                     spread(a[key]), what_a, mo / ma, verdict(goal)),
                  flush=True)
        print("startup %s webrtcbin create-offer -> first RTP into the "
              "receiver: %.1f ms [%s]" % (label, med(a["rtp_in"]),
                                          spread(a["rtp_in"])), flush=True)
    return 0 if ok else 1


# fan-out

def cmd_fanout(args):
    counts = [2] if args.smoke else [int(c) for c in args.counts.split(",")]
    reps = 1 if args.smoke else args.reps
    window = 1.0 if args.smoke else args.window
    sink = Sink()
    per_viewer = {n: [] for n in counts}
    delivery = {n: [] for n in counts}
    kbps = {n: [] for n in counts}
    cpu_at = {n: {} for n in counts}     # n -> rep -> sink CPU %
    baselines = []
    ok = True
    try:
        time.sleep(1.0 if args.smoke else 3.0)
        for rep in range(reps):
            base = sink.cpu_percent(window)
            baselines.append(base)
            log("baseline", base)
            for n in counts:
                v = Viewers(sink.url, n)
                if v.ready != n:
                    print("error: %d of %d viewers connected" % (v.ready, n),
                          flush=True)
                    ok = False
                time.sleep(0.5 if args.smoke else 2.0)
                v.command("start")
                cpu = sink.cpu_percent(window)
                per, total = v.window()
                v.quit()
                if not per or total.get("received", 0) <= 0:
                    print("error: %d viewers: no packets" % n, flush=True)
                    ok = False
                    continue
                ratio = min(min(p["received"], p["expected"]) /
                            p["expected"] if p["expected"] else 0.0
                            for p in per)
                per_viewer[n].append((cpu - base) / n)
                cpu_at[n][rep] = cpu
                delivery[n].append(ratio)
                kbps[n].append(total.get("kbps", 0))
                print("fanout rep %d: %3d viewers: sink CPU %.1f%% "
                      "(baseline %.1f%%), %.3f%% per viewer, worst viewer "
                      "%.2f%% of packets, %.0f kbit/s each"
                      % (rep, n, cpu, base, (cpu - base) / n, 100 * ratio,
                         total.get("kbps", 0)), flush=True)
                time.sleep(0.5 if args.smoke else 2.0)
    finally:
        sink.stop()
    print("fanout: zero-viewer baseline (encoder, pipeline) %.1f%% of a "
          "core [%s]" % (med(baselines), spread(baselines)), flush=True)
    # the stream's own rate: what one viewer gets (the encoder alone)
    ref = med(kbps[counts[0]]) if kbps[counts[0]] else 0
    # The goal is the cost of each added viewer.  With no viewer the sink's
    # encoders are idle (their valves closed), so (CPU(n) - CPU(0)) / n
    # charges the first viewer the encoder; the added-viewer figure starts
    # from the first count (one viewer: the encoder running), same rep.
    first = counts[0]
    for n in counts[1:]:
        added = [(cpu_at[n][r] - cpu_at[first][r]) / (n - first)
                 for r in cpu_at[n] if r in cpu_at[first]]
        if not added or not delivery[n]:
            continue
        rate = med(kbps[n]) / ref if ref else 0
        print("fanout %d viewers: ours %.3f%% of a core per viewer added "
              "beyond the first %d [%s over %d reps], worst viewer received "
              "%.2f%% of its packets, %.1f%% of the stream's rate (goal <= "
              "0.5%% per added viewer and >= 99%% of the packets: %s)"
              % (n, med(added), first, spread(added, "%.3f"), len(added),
                 100 * min(delivery[n]), 100 * rate,
                 verdict(med(added) <= 0.5 and min(delivery[n]) >= 0.99
                         and rate >= 0.99)), flush=True)
    for n in counts:
        if not per_viewer[n]:
            continue
        cpu, d = med(per_viewer[n]), min(delivery[n])
        rate = med(kbps[n]) / ref if ref else 0
        # per viewer at the full stream rate: when the sink sends less than
        # the stream (the payloader's output thinned upstream), the CPU
        # figure is scaled up to the stream's rate
        norm = [c * (ref / k) for c, k in zip(per_viewer[n], kbps[n]) if k]
        print("fanout %d viewers: ours %.3f%% of a core per viewer [%s over "
              "%d reps], %.3f%% scaled to the full stream [%s]; worst viewer "
              "received %.2f%% of the packets sent to it; each got %.0f "
              "kbit/s, %.1f%% of the stream's %.0f (all costs over the "
              "zero-viewer baseline, encoder included)"
              % (n, cpu, spread(per_viewer[n], "%.3f"), len(per_viewer[n]),
                 med(norm), spread(norm, "%.3f"), 100 * d, med(kbps[n]),
                 100 * rate, ref),
              flush=True)
    return 0 if ok else 1


# memory

def cmd_memory(args):
    counts = [0, 2] if args.smoke else [int(c) for c in args.counts.split(",")]
    sink = Sink()
    rows = []
    procs = []
    ok = True
    try:
        time.sleep(1.0 if args.smoke else 3.0)
        have = 0
        for n in counts:
            if n > have:
                v = Viewers(sink.url, n - have)
                procs.append(v)
                if v.ready != n - have:
                    print("error: %d of %d viewers connected"
                          % (v.ready, n - have), flush=True)
                    ok = False
                have = n
            time.sleep(0.5 if args.smoke else 2.0)
            st = sink.status()
            rows.append((n, st["VmRSS"], st["Threads"]))
            print("memory: %3d viewers: sink VmRSS %.1f MiB, %d threads"
                  % (n, st["VmRSS"] / 1024, st["Threads"]), flush=True)
        if procs:
            v = procs[-1]
            v.command("start")
            time.sleep(0.5)
            per, total = v.window()
            if not per or min(p["received"] for p in per) <= 0:
                print("error: viewers received no packets", flush=True)
                ok = False
        for v in procs:
            v.quit()
        time.sleep(1.0)
        st = sink.status()
        print("memory: after all left: sink VmRSS %.1f MiB, %d threads"
              % (st["VmRSS"] / 1024, st["Threads"]), flush=True)
    finally:
        sink.stop()

    anchor = []
    if not args.smoke and args.anchor_counts:
        p = subprocess.run(
            ["/usr/bin/python3", os.path.join(TOP, "bench",
                                              "webrtcbin_peers.py"),
             "memory", "--counts", args.anchor_counts],
            env=stock_env(), stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, timeout=600)
        for line in p.stdout.splitlines():
            if line.startswith("{"):
                m = json.loads(line)
                anchor.append((m["peers"], m["rss_kb"], m["threads"]))
                print("memory: webrtcbin %3d peer connections (%d "
                      "connected): VmRSS %.1f MiB, %d threads"
                      % (m["peers"], m["connected"], m["rss_kb"] / 1024,
                         m["threads"]), flush=True)
            else:
                print(line)

    def slope(rs):
        if len(rs) < 2 or rs[-1][0] == rs[0][0]:
            return None, None
        dn = rs[-1][0] - rs[0][0]
        return ((rs[-1][1] - rs[0][1]) / 1024 / dn,
                (rs[-1][2] - rs[0][2]) / dn)

    mo, to = slope(rows)
    ma, ta = slope(anchor)
    if mo is None:
        return 1
    steps = ", ".join("%d->%d: %.3f" % (a[0], b[0], (b[1] - a[1]) / 1024 /
                                        (b[0] - a[0]))
                      for a, b in zip(rows, rows[1:]) if b[0] > a[0])
    flat = rows[-1][2] - rows[0][2] <= 2
    print("memory: RSS per viewer: ours %.3f MiB (%d->%d viewers; steps %s)"
          "%s (goal <= 0.5 MiB: %s)"
          % (mo, rows[0][0], rows[-1][0], steps,
             (", webrtcbin %.3f MiB per peer connection (%d->%d), ratio %.2f"
              % (ma, anchor[0][0], anchor[-1][0], mo / ma)) if ma else "",
             verdict(mo <= 0.5)), flush=True)
    print("memory: threads per viewer: ours %.2f (%d at %d viewers, %d at "
          "%d)%s (goal flat: %s)"
          % (to, rows[0][2], rows[0][0], rows[-1][2], rows[-1][0],
             (", webrtcbin %.2f per peer connection" % ta) if ta else "",
             verdict(flat)), flush=True)
    return 0 if ok else 1


def main():
    global VERBOSE, PARALLEL
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=("startup", "fanout", "memory"))
    p.add_argument("--smoke", action="store_true")
    p.add_argument("-v", "--verbose", action="store_true")
    p.add_argument("--samples", type=int, default=5)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--counts")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--window", type=float, default=5.0)
    p.add_argument("--anchor-counts", default="0,10,50")
    p.add_argument("--parallel", type=int, default=8,
                   help="WHEP offers in flight at most per viewer process")
    args = p.parse_args()
    VERBOSE = args.verbose
    PARALLEL = args.parallel
    print("load average at start: %s (2 cores, shared machine)" % loadavg(),
          flush=True)
    if args.counts is None:
        args.counts = "1,10,50,100" if args.mode == "fanout" else \
            "0,10,50,100"
    builddir()
    status = {"startup": cmd_startup, "fanout": cmd_fanout,
              "memory": cmd_memory}[args.mode](args)
    print("load average at end: %s" % loadavg(), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
