# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst-plugins-webrtc benchmark anchor: gst-plugins-bad's webrtcbin data
channels, two webrtcbins in one process (Python gi), run with the STOCK
registry (the caller strips our GST_PLUGIN_* and GST_REGISTRY variables),
ICE pinned to 127.0.0.1: the same measurements, options and output lines
as bench/dc-throughput.c (ours), so bench/dc-bench.py compares them.

  dc-webrtcbin.py throughput [--size B] [--bytes N] [--high B] [--low B]
      The offerer's channel (created before the offer: reliable, ordered)
      sends N bytes in messages of B bytes while its buffered-amount is at
      most --high, then waits for on-buffered-amount-low (threshold --low);
      the answerer's channel (on-data-channel) counts and checks them.
      "throughput size=.. bytes=.. seconds=.. mbps=.. cpu_s=..
      cpu_s_per_mb=.." (cpu: getrusage of this process, both ends).
  dc-webrtcbin.py open [--runs N]
      N pairs one after the other; each "open run=I ms=..": the time from
      create-offer (pipeline PLAYING) until the channel is open on both
      sides (the offerer's on-open, the answerer's on-data-channel).

Prints 'error: ...' and exits 1 when something does not work.
"""

import argparse
import os
import resource
import struct
import sys
import threading
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
from gi.repository import GLib, Gst, GstWebRTC  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "lib"))
from webrtcbin_peer import negotiate_in_process, new_webrtcbin  # noqa: E402

WAIT_S = 20.0
OPEN = GstWebRTC.WebRTCDataChannelState.OPEN


def fail(msg):
    print("error: %s" % msg, flush=True)
    sys.exit(1)


def cpu_seconds():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


class Pair:
    """Two webrtcbins in a PLAYING pipeline, the offerer's channel created
    (before the offer, so the offer has its m=application section)."""

    def __init__(self):
        self.pipe = Gst.Pipeline.new(None)
        self.off = new_webrtcbin("off")
        self.ans = new_webrtcbin("ans")
        if self.off is None or self.ans is None:
            fail("no webrtcbin")
        for w in (self.off, self.ans):
            self.pipe.add(w)
        self.opened = {}
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.rx = None
        self.on_rx = None
        self.pipe.set_state(Gst.State.PLAYING)
        self.pipe.get_state(5 * Gst.SECOND)
        self.tx = self.off.emit("create-data-channel", "bench", None)
        if self.tx is None:
            fail("create-data-channel")
        self.tx.connect("on-open", lambda _c: self.mark("off"))
        self.ans.connect("on-data-channel", self.on_data_channel)

    def mark(self, side):
        with self.cond:
            self.opened.setdefault(side, time.perf_counter())
            self.cond.notify_all()

    def on_data_channel(self, _w, channel):
        self.rx = channel
        if self.on_rx:
            self.on_rx(channel)
        # announced once the DATA_CHANNEL_OPEN arrived: open here
        self.mark("ans")

    def connect(self):
        negotiate_in_process(self.off, self.ans)
        with self.cond:
            if not self.cond.wait_for(lambda: len(self.opened) == 2, WAIT_S):
                fail("the channel did not open on both sides (%s)"
                     % sorted(self.opened))

    def close(self):
        self.pipe.set_state(Gst.State.NULL)


def cmd_open(args):
    for i in range(args.runs):
        p = Pair()
        t0 = time.perf_counter()
        p.connect()
        print("open run=%d ms=%.3f" % (i, (max(p.opened.values()) - t0)
                                       * 1000.0), flush=True)
        p.close()
    return 0


def cmd_throughput(args):
    size, high, low = args.size, args.high, args.low
    total = (args.bytes + size - 1) // size * size
    payload = bytes((i * 31 + 7) & 0xff for i in range(size))
    st = {"received": 0, "messages": 0, "bad": None}
    done = threading.Event()
    low_ev = threading.Event()

    def on_message(_ch, data):
        n = data.get_size()
        seq = struct.unpack("<Q", data.get_data()[:8])[0]
        if st["bad"] is None and (n != size or seq != st["messages"]):
            st["bad"] = "message %d: %d bytes, sequence %d" % (
                st["messages"], n, seq)
            done.set()
        st["messages"] += 1
        st["received"] += n
        if st["received"] >= total:
            done.set()

    p = Pair()
    p.on_rx = lambda ch: ch.connect("on-message-data", on_message)
    p.connect()
    tx = p.tx
    tx.set_property("buffered-amount-low-threshold", low)
    tx.connect("on-buffered-amount-low", lambda _c: low_ev.set())

    t0 = time.perf_counter()
    c0 = cpu_seconds()
    sent = seq = 0
    while sent < total:
        if tx.get_property("buffered-amount") > high:
            end = time.monotonic() + WAIT_S
            while tx.get_property("buffered-amount") > low:
                low_ev.clear()
                if tx.get_property("buffered-amount") <= low:
                    break
                # re-read at least every 100 ms: webrtcbin 1.22's low event
                # is not always emitted
                low_ev.wait(0.1)
                if time.monotonic() > end:
                    fail("the channel does not drain (%d buffered, %d sent, "
                         "%d received)" % (tx.get_property("buffered-amount"),
                                           sent, st["received"]))
            continue
        tx.emit("send-data",
                GLib.Bytes.new(struct.pack("<Q", seq) + payload[8:]))
        seq += 1
        sent += size
    if not done.wait(WAIT_S * 3):
        fail("not everything arrived (%d of %d)" % (st["received"], total))
    t1 = time.perf_counter()
    c1 = cpu_seconds()
    if st["bad"]:
        fail("bad message: " + st["bad"])
    secs = t1 - t0
    print("throughput size=%d bytes=%d seconds=%.3f mbps=%.2f cpu_s=%.3f "
          "cpu_s_per_mb=%.5f" % (size, total, secs, total / 1e6 / secs,
                                 c1 - c0, (c1 - c0) / (total / 1e6)),
          flush=True)
    p.close()
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("throughput")
    t.add_argument("--size", type=int, default=65536)
    t.add_argument("--bytes", type=int, default=256 * 1000 * 1000)
    t.add_argument("--high", type=int, default=4 * 1024 * 1024)
    t.add_argument("--low", type=int, default=1024 * 1024)
    o = sub.add_parser("open")
    o.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    Gst.init(None)
    for var in ("GST_PLUGIN_PATH", "GST_REGISTRY"):
        if os.environ.get(var):
            fail("%s is set: webrtcbin must run with the stock registry"
                 % var)
    w = Gst.ElementFactory.make("webrtcbin", None)
    if w is None or w.__gtype__.name != "GstWebRTCBin":
        fail("no stock webrtcbin")
    del w
    return {"throughput": cmd_throughput, "open": cmd_open}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
