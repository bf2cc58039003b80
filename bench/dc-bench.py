# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst-plugins-webrtc benchmark driver: data channels (issue 11), each of
ours beside its anchors measured in the same run.  Run it inside a network
namespace that has only lo (bench/run-dc.sh does: tests/lib/netns-lo.sh).

  dc-bench.py throughput [--sizes 16384,65536] [--bytes N] [--runs R]
      Reliable ordered throughput on loopback, full stack (SCTP over DTLS
      over ICE/UDP), one process per measurement: two of our peer cores
      (bench/dc-throughput, isolated registry), two webrtcbins
      (bench/dc-webrtcbin.py, stock registry) and Chromium's two
      RTCPeerConnections in one page (bench/dc-chromium.mjs), the same
      message sizes, byte count and flow control (send while
      buffered-amount <= 4 MiB, resume on buffered-amount-low at 1 MiB).
      MB/s and CPU seconds per MB (both ends); medians of R runs.  Also
      ours in two processes (an ICE thread per end) and ours with 16 KB
      SCTP packets (gst_wrtc_sctp_association_set_mtu() on both ends), to
      show what limits the figure (--no-variants skips them).
  dc-bench.py open [--runs R]
      Offer to channel open on both sides, ours against webrtcbin (and
      Chromium for reference): R fresh processes each, three pairs in each
      process; cold = the first pair of a process, warm = the next ones.
  dc-bench.py file [--mb M] [--runs R]
      The gst-launch file transfer of docs/plugins/sctpdatachannel.md (two
      gst-launch-1.0 processes, our DTLS and sctpdatachannel over
      udpsrc/udpsink on 127.0.0.1) against the same file over a plain TCP
      socket on loopback (tcpclientsink -> tcpserversrc, in the same two
      processes' shape).  The rate runs from the first byte written to
      the out file until it has every byte; also the wall time from the
      sender's start, and the CPU of both processes.  --blocksize sets
      filesrc's (the message size; default filesrc's 4096, as in the
      documented lines); --udp-buffer sets udpsrc's buffer-size (default
      the kernel's, as in the documented lines).

MB = 10^6 bytes.  Prints 'error: ...' (exit 1) when a run fails.
"""

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
from webrtcbin_peer import webrtcbin_env  # noqa: E402

HIGH = 4 * 1024 * 1024
LOW = 1024 * 1024


def parse_lines(out, kind):
    """The "kind k=v ..." lines of a child's output, as dicts."""
    res = []
    for line in out.splitlines():
        f = line.split()
        if f and f[0] == "error:":
            raise RuntimeError(line)
        if f and f[0] == kind:
            res.append({k: float(v) for k, v in
                        (x.split("=", 1) for x in f[1:])})
    return res


def run_impl(impl, builddir, args, timeout=600):
    """Runs one implementation's program with @args (a list); its stdout."""
    env = dict(os.environ)
    if impl == "ours":
        env["BUILDDIR"] = builddir
        cmd = [os.path.join(TOP, "scripts", "gst-env"),
               os.path.join(builddir, "bench", "dc-throughput")] + args
    elif impl == "webrtcbin":
        env = webrtcbin_env()
        cmd = ["/usr/bin/python3", os.path.join(TOP, "bench",
                                                "dc-webrtcbin.py")] + args
    else:
        cmd = ["node", os.path.join(TOP, "bench", "dc-chromium.mjs")] + args
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError("%s %s failed (%d): %s %s" % (
            impl, " ".join(args), p.returncode, p.stdout[-2000:],
            p.stderr[-2000:]))
    return p.stdout


IMPLS = ("ours", "webrtcbin", "chromium")
# what limits ours, measured beside it: each end in a process of its own
# (an ICE thread each), and both ends sending 16 KB SCTP packets (one DTLS
# record each; safe here only because both ends are ours on loopback)
VARIANTS = {"ours": ("ours", []), "webrtcbin": ("webrtcbin", []),
            "chromium": ("chromium", []),
            "ours-2proc": ("ours", ["--two-process"]),
            "ours-sctp16k": ("ours", ["--mtu", "16256"]),
            "ours-sctp16k-2proc": ("ours", ["--mtu", "16256",
                                            "--two-process"])}


def cmd_throughput(a):
    sizes = [int(s) for s in a.sizes.split(",")]
    ok = True
    names = IMPLS + (tuple(v for v in VARIANTS if v not in IMPLS)
                     if a.variants else ())
    for size in sizes:
        res = {i: [] for i in names}
        for r in range(a.runs):
            order = names if r % 2 == 0 else tuple(reversed(names))
            for name in order:
                impl, extra = VARIANTS[name]
                out = run_impl(impl, a.builddir, [
                    "throughput", "--size", str(size), "--bytes",
                    str(a.bytes), "--high", str(HIGH), "--low",
                    str(LOW)] + extra)
                m = parse_lines(out, "throughput")[0]
                res[name].append(m)
                if a.verbose:
                    print("  run %d %-18s %.1f MB/s, %.5f cpu-s/MB"
                          % (r, name, m["mbps"], m["cpu_s_per_mb"]),
                          flush=True)
        med = {i: (statistics.median(x["mbps"] for x in res[i]),
                   statistics.median(x["cpu_s_per_mb"] for x in res[i]))
               for i in names}
        o = med["ours"]
        print("dc-throughput %d-byte messages, %d MB, median of %d: "
              % (size, a.bytes // 1000000, a.runs)
              + ", ".join("%s %.1f MB/s %.4f cpu-s/MB" % (i, med[i][0],
                                                           med[i][1])
                          for i in IMPLS), flush=True)
        for i in IMPLS[1:]:
            tr = o[0] / med[i][0]
            cr = med[i][1] / o[1]
            print("  ours/%s: throughput %.2fx, CPU per MB %.2fx less "
                  "(goal >= 4x)" % (i, tr, cr), flush=True)
        if size == 65536:
            print("  ours at 64 KiB: %.1f MB/s (goal >= 100 MB/s)" % o[0],
                  flush=True)
        for v in names[len(IMPLS):]:
            print("  %s: %.1f MB/s %.4f cpu-s/MB (%.2fx webrtcbin's "
                  "throughput, %.2fx Chromium's)" % (
                      v, med[v][0], med[v][1], med[v][0] / med["webrtcbin"][0],
                      med[v][0] / med["chromium"][0]), flush=True)
    return 0 if ok else 1


def cmd_open(a):
    impls = ("ours", "webrtcbin") + (("chromium",) if a.chromium else ())
    cold = {i: [] for i in impls}
    warm = {i: [] for i in impls}
    for r in range(a.runs):
        for impl in (impls if r % 2 == 0 else tuple(reversed(impls))):
            lines = parse_lines(run_impl(impl, a.builddir,
                                         ["open", "--runs", "3"]), "open")
            if len(lines) != 3:
                raise RuntimeError("%s: %d open lines" % (impl, len(lines)))
            cold[impl].append(lines[0]["ms"])
            warm[impl].extend(x["ms"] for x in lines[1:])
            if a.verbose:
                print("  run %d %-9s %s ms" % (r, impl, ", ".join(
                    "%.1f" % x["ms"] for x in lines)), flush=True)
    for name, d in (("cold (first in a fresh process)", cold),
                    ("warm (second and third in a process)", warm)):
        med = {i: statistics.median(d[i]) for i in impls}
        print("dc-open %s: " % name + ", ".join(
            "%s %.1f ms" % (i, med[i]) for i in impls)
            + "; ratio ours/webrtcbin %.3f (goal <= 0.25)"
            % (med["ours"] / med["webrtcbin"]), flush=True)
    return 0


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dc_side(conn, in_port, out_port, middle, tail="", udp_buffer=0):
    """One side of the launch lines of docs/plugins/sctpdatachannel.md
    (@udp_buffer: udpsrc's buffer-size, 0: the kernel's default)."""
    return ("udpsrc address=127.0.0.1 port=%d%s ! "
            "dtlssrtpdec name=d connection-id=%s d.data_src ! dc.sink "
            "%s ! e.data_sink "
            "dtlssrtpenc name=e connection-id=%s %s ! "
            "udpsink host=127.0.0.1 port=%d sync=false async=false %s"
            % (in_port, " buffer-size=%d" % udp_buffer if udp_buffer else "",
               conn, middle, conn, "is-client=true" if conn == "tx" else "",
               out_port, tail))


def transfer(builddir, rx_line, tx_line, dst, size, env, timeout=120):
    """Starts the receiver, then the sender; waits until @dst has @size
    bytes.  (seconds from the first byte, seconds from the sender's
    start, CPU seconds of both processes)."""
    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    procs = []
    first = t_done = None
    try:
        procs.append(subprocess.Popen(["gst-launch-1.0", "-q"]
                                      + rx_line.split(), env=env,
                                      stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT))
        # the receiver listens (TCP) or has its socket bound (UDP) first
        time.sleep(0.5)
        t_start = time.perf_counter()
        procs.append(subprocess.Popen(["gst-launch-1.0", "-q"]
                                      + tx_line.split(), env=env,
                                      stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT))
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            n = os.path.getsize(dst) if os.path.exists(dst) else 0
            now = time.perf_counter()
            if n and first is None:
                first = now
            if n >= size:
                t_done = now
                break
            if procs[0].poll() is not None:
                break
            time.sleep(0.0005)
    finally:
        outs = []
        for p in procs:
            if p.poll() is None:
                p.terminate()
            try:
                outs.append(p.communicate(timeout=10)[0])
            except subprocess.TimeoutExpired:
                p.kill()
                outs.append(p.communicate()[0])
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if t_done is None:
        raise RuntimeError("the file did not arrive (%d of %d bytes): %s" % (
            os.path.getsize(dst) if os.path.exists(dst) else 0, size,
            b"\n".join(outs).decode(errors="replace")[-2000:]))
    cpu = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
    return t_done - first, t_done - t_start, cpu


def cmd_file(a):
    size = a.mb * 1000 * 1000
    tmp = tempfile.mkdtemp(prefix="dc-bench-")
    src = os.path.join(tmp, "in.bin")
    with open(src, "wb") as f:
        f.write(os.urandom(size))
    ours_env = dict(os.environ)
    ours_env["BUILDDIR"] = a.builddir
    # the isolated environment's variables, as scripts/gst-env sets them
    out = subprocess.run([os.path.join(TOP, "scripts", "gst-env"), "env"],
                         env=ours_env, stdout=subprocess.PIPE, text=True,
                         check=True).stdout
    ours_env = dict(line.split("=", 1) for line in out.splitlines()
                    if "=" in line)
    res = {"sctpdatachannel": [], "tcp": []}
    # filesrc's blocksize is the message size (default 4096, as in the
    # documented lines)
    blocksize = " blocksize=%d" % a.blocksize if a.blocksize else ""
    try:
        for r in range(a.runs):
            for kind in (("sctpdatachannel", "tcp") if r % 2 == 0
                         else ("tcp", "sctpdatachannel")):
                dst = os.path.join(tmp, "out-%s-%d.bin" % (kind, r))
                if kind == "tcp":
                    port = free_port()
                    rx = ("tcpserversrc host=127.0.0.1 port=%d ! "
                          "filesink location=%s async=false" % (port, dst))
                    tx = ("filesrc location=%s%s ! tcpclientsink "
                          "host=127.0.0.1 port=%d sync=false"
                          % (src, blocksize, port))
                else:
                    tx_port, rx_port = free_port(), free_port()
                    rx = dc_side("rx", rx_port, tx_port,
                                 "sctpdatachannel name=dc",
                                 "dc.src_0 ! filesink location=%s "
                                 "async=false" % dst, a.udp_buffer)
                    tx = dc_side("tx", tx_port, rx_port,
                                 "filesrc location=%s%s ! dc.sink_0 "
                                 "sctpdatachannel name=dc is-client=true "
                                 "sink_0::label=file" % (src, blocksize),
                                 udp_buffer=a.udp_buffer)
                m = transfer(a.builddir, rx, tx, dst, size, ours_env)
                with open(dst, "rb") as f1, open(src, "rb") as f2:
                    if f1.read() != f2.read():
                        raise RuntimeError("%s: the file differs" % kind)
                os.unlink(dst)
                res[kind].append(m)
                if a.verbose:
                    print("  run %d %-15s %.1f MB/s from the first byte, "
                          "%.3f s from the start, %.2f cpu-s" % (
                              r, kind, size / 1e6 / m[0], m[1], m[2]),
                          flush=True)
    finally:
        os.unlink(src)
        os.rmdir(tmp)
    med = {k: (size / 1e6 / statistics.median(x[0] for x in v),
               statistics.median(x[1] for x in v),
               statistics.median(x[2] for x in v) / (size / 1e6))
           for k, v in res.items()}
    print("dc-file %d MB in %s-byte messages, udpsrc buffer-size %s, "
          "median of %d: " % (a.mb, a.blocksize or "4096",
                              a.udp_buffer or "default", a.runs) + ", ".join(
        "%s %.1f MB/s (%.2f s from the sender's start, %.4f cpu-s/MB)"
        % (k, v[0], v[1], v[2]) for k, v in med.items()), flush=True)
    print("  sctpdatachannel/tcp: %.3f of TCP's rate"
          % (med["sctpdatachannel"][0] / med["tcp"][0]), flush=True)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--builddir", default=os.environ.get(
        "BUILDDIR", os.path.join(TOP, "build")))
    ap.add_argument("--verbose", "-v", action="store_true")
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("throughput")
    t.add_argument("--sizes", default="16384,65536")
    t.add_argument("--bytes", type=int, default=256 * 1000 * 1000)
    t.add_argument("--runs", type=int, default=3)
    t.add_argument("--no-variants", dest="variants", action="store_false",
                   help="only ours, webrtcbin and Chromium (not ours with "
                   "two processes and 16 KB SCTP packets)")
    o = sub.add_parser("open")
    o.add_argument("--runs", type=int, default=7)
    o.add_argument("--chromium", action="store_true",
                   help="Chromium's figures too, for reference")
    f = sub.add_parser("file")
    f.add_argument("--mb", type=int, default=64)
    f.add_argument("--runs", type=int, default=3)
    f.add_argument("--udp-buffer", type=int, default=0,
                   help="udpsrc buffer-size (default: the kernel's)")
    f.add_argument("--blocksize", type=int, default=0,
                   help="filesrc blocksize, the message size (default: "
                   "filesrc's, 4096)")
    a = ap.parse_args()
    a.builddir = os.path.abspath(a.builddir)
    try:
        return {"throughput": cmd_throughput, "open": cmd_open,
                "file": cmd_file}[a.cmd](a)
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        print("error: %s" % e, flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
