# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst-plugins-webrtc benchmark anchor: gst-plugins-bad's webrtcbin, run
with the STOCK registry (the caller strips our GST_PLUGIN_* and GST_REGISTRY
variables), ICE pinned to 127.0.0.1 through each webrtcbin's NiceAgent.

  webrtcbin_peers.py startup --runs K
      K runs in this process, each a fresh pipeline: videotestsrc ! vp8enc
      ! rtpvp8pay ! webrtcbin (sender) and a receiving webrtcbin, offer ->
      answer and candidates exchanged in process.  The pipeline is PLAYING
      first; the time runs from the create-offer emission.  Marks (ms):
        rtp_out        first RTP packet into the sender's nicesink
                       (SRTP-protected, leaving the sender)
        rtp_in         first RTP packet out of the receiver's nicesrc
        ice            both ice-connection-state connected (or completed)
        connected      both connection-state connected (ICE + DTLS)
      One JSON object per run on stdout.

  webrtcbin_peers.py memory --counts 0,10,50
      This process sends one encoded stream (videotestsrc ! vp8enc !
      rtpvp8pay ! tee) to N webrtcbin peer connections; their receiving
      webrtcbins run in a child process (this script, 'receivers').  At
      each count, once all N are connected: a JSON line with this
      process's VmRSS and Threads (/proc/self/status).

Prints 'error: ...' and exits 1 when something does not work.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstSdp", "1.0")
gi.require_version("GstWebRTC", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "lib"))
from webrtcbin_peer import (negotiate_in_process, new_webrtcbin,  # noqa
                            pin_loopback)
from wrtctest import emitter  # noqa: E402

TIMEOUT_S = 20.0
SOURCE = ("videotestsrc is-live=true pattern=snow ! "
          "video/x-raw,width=320,height=240,framerate=30/1 ! "
          "vp8enc deadline=1 target-bitrate=2000000 keyframe-max-dist=3000 ! "
          "rtpvp8pay pt=96 mtu=1200 picture-id-mode=15-bit ! "
          "application/x-rtp,media=video,encoding-name=VP8,payload=96,"
          "clock-rate=90000")

_keep = []  # promise replies: the descriptions are not copies


def make_webrtcbin(name):
    w = new_webrtcbin(name)
    if w is None:
        print("error: no webrtcbin", flush=True)
        sys.exit(1)
    return w


def inside(el, ancestor):
    p = el.get_parent()
    while p is not None:
        if p == ancestor:
            return True
        p = p.get_parent()
    return False


def first_byte_kind(data):
    """'rtp', 'rtcp' or None for the first bytes of a packet."""
    if len(data) < 2 or not 128 <= data[0] <= 191:
        return None
    return "rtcp" if 192 <= data[1] <= 223 else "rtp"


def probe_first_rtp(pad, on_rtp):
    def cb(_pad, info):
        bufs = []
        if info.type & Gst.PadProbeType.BUFFER_LIST:
            lst = info.get_buffer_list()
            bufs = [lst.get(i) for i in range(lst.length())]
        else:
            b = info.get_buffer()
            if b is not None:
                bufs = [b]
        for b in bufs:
            if first_byte_kind(b.extract_dup(0, 2)) == "rtp":
                on_rtp()
                return Gst.PadProbeReturn.REMOVE
        return Gst.PadProbeReturn.OK
    pad.add_probe(Gst.PadProbeType.BUFFER | Gst.PadProbeType.BUFFER_LIST, cb)


def sdp_of(text, kind):
    _, msg = GstSdp.SDPMessage.new_from_text(text)
    return GstWebRTC.WebRTCSessionDescription.new(kind, msg)


# startup

def startup_run(loop):
    marks = {}
    lock = threading.Lock()
    t0 = [None]

    def mark(name):
        now = time.perf_counter()
        with lock:
            if t0[0] is None or name in marks:
                return
            marks[name] = (now - t0[0]) * 1000.0
            if all(k in marks for k in ("rtp_out", "rtp_in", "connected")):
                GLib.idle_add(loop.quit)

    pipe = Gst.parse_launch(SOURCE + " ! webrtcbin name=snd "
                            "bundle-policy=max-bundle "
                            "webrtcbin name=rcv bundle-policy=max-bundle")
    snd, rcv = pipe.get_by_name("snd"), pipe.get_by_name("rcv")
    for w in (snd, rcv):
        pin_loopback(w)

    def on_element(_bin, _sub, el):
        f = el.get_factory()
        name = f.get_name() if f else ""
        if name == "nicesink" and inside(el, snd):
            probe_first_rtp(el.get_static_pad("sink"),
                            lambda: mark("rtp_out"))
        elif name == "nicesrc" and inside(el, rcv):
            probe_first_rtp(el.get_static_pad("src"), lambda: mark("rtp_in"))
    pipe.connect("deep-element-added", on_element)

    def on_pad(_w, pad):
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        sink = Gst.ElementFactory.make("fakesink", None)
        sink.set_property("async", False)
        pipe.add(sink)
        sink.sync_state_with_parent()
        pad.link(sink.get_static_pad("sink"))
    rcv.connect("pad-added", on_pad)

    states = {}

    def on_state(w, _pspec, prop, key):
        v = w.get_property(prop)
        with lock:
            states[(key, prop)] = v
        ice_ok = (GstWebRTC.WebRTCICEConnectionState.CONNECTED,
                  GstWebRTC.WebRTCICEConnectionState.COMPLETED)
        if all(states.get((k, "ice-connection-state")) in ice_ok
               for k in ("snd", "rcv")):
            mark("ice")
        if all(states.get((k, "connection-state")) ==
               GstWebRTC.WebRTCPeerConnectionState.CONNECTED
               for k in ("snd", "rcv")):
            mark("connected")
    for w, key in ((snd, "snd"), (rcv, "rcv")):
        for prop in ("ice-connection-state", "connection-state"):
            w.connect("notify::" + prop, on_state, prop, key)

    pipe.set_state(Gst.State.PLAYING)
    pipe.get_state(5 * Gst.SECOND)
    # the sender is streaming into webrtcbin before the offer, as a running
    # webrtcsink is before a viewer comes
    time.sleep(0.3)
    t0[0] = time.perf_counter()
    negotiate_in_process(snd, rcv)
    tid = GLib.timeout_add(int(TIMEOUT_S * 1000), loop.quit)
    loop.run()
    GLib.source_remove(tid)
    pipe.set_state(Gst.State.NULL)
    return marks


def cmd_startup(args):
    loop = GLib.MainLoop()
    for i in range(args.runs):
        marks = startup_run(loop)
        marks["run"] = i
        print(json.dumps(marks), flush=True)
    return 0


# memory: senders here, receivers in a child process

def status():
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "Threads"):
                out[k] = int(v.split()[0])
    return out


def cmd_memory(args):
    counts = [int(c) for c in args.counts.split(",")]
    env = {k: v for k, v in os.environ.items()}
    child = subprocess.Popen([sys.executable, os.path.abspath(__file__),
                              "receivers"], env=env, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, bufsize=1)
    loop = GLib.MainLoop()
    pipe = Gst.parse_launch(SOURCE + " ! tee name=t allow-not-linked=true")
    tee = pipe.get_by_name("t")
    pipe.set_state(Gst.State.PLAYING)
    pipe.get_state(5 * Gst.SECOND)
    peers = {}
    lock = threading.Lock()
    connected = set()

    def send(obj):
        child.stdin.write(json.dumps(obj) + "\n")
        child.stdin.flush()

    def reader():
        for line in child.stdout:
            msg = json.loads(line)
            GLib.idle_add(on_child, msg)
    threading.Thread(target=reader, daemon=True).start()

    def on_child(msg):
        w = peers.get(msg.get("id"))
        if w is None:
            return False
        if "answer" in msg:
            w.emit("set-remote-description",
                   sdp_of(msg["answer"], GstWebRTC.WebRTCSDPType.ANSWER),
                   None)
        elif "cand" in msg:
            w.emit("add-ice-candidate", msg["mline"], msg["cand"])
        return False

    def add_peer(i):
        q = Gst.ElementFactory.make("queue", None)
        q.set_property("leaky", 2)
        w = make_webrtcbin("snd%d" % i)
        pipe.add(q)
        pipe.add(w)
        q.link(w)
        tee.get_request_pad("src_%u").link(q.get_static_pad("sink"))
        w.sync_state_with_parent()
        q.sync_state_with_parent()
        peers[i] = w

        def on_state(w, _pspec):
            if w.get_property("connection-state") == \
                    GstWebRTC.WebRTCPeerConnectionState.CONNECTED:
                with lock:
                    connected.add(i)

        def on_candidate(_w, mline, cand):
            GLib.idle_add(lambda: send({"id": i, "mline": mline,
                                        "cand": cand}) and False)

        def on_offer(promise, _data):
            reply = promise.get_reply()
            _keep.append(reply)  # the offer is not a copy
            offer = reply.get_value("offer")
            w.emit("set-local-description", offer, None)
            text = offer.sdp.as_text()
            GLib.idle_add(lambda: send({"id": i, "offer": text}) and False)
        w.connect("notify::connection-state", on_state)
        w.connect("on-ice-candidate", on_candidate)
        w.emit("create-offer", None,
               Gst.Promise.new_with_change_func(on_offer, None))

    def wait_connected(n):
        end = time.monotonic() + TIMEOUT_S + n * 0.5
        while time.monotonic() < end:
            with lock:
                if len(connected) >= n:
                    return True
            ctx = loop.get_context()
            while ctx.pending():
                ctx.iteration(False)
            time.sleep(0.01)
        return False

    time.sleep(1.0)
    for n in counts:
        for i in range(len(peers), n):
            add_peer(i)
        ok = wait_connected(n)
        t = time.monotonic() + 2.0
        while time.monotonic() < t:
            ctx = loop.get_context()
            while ctx.pending():
                ctx.iteration(False)
            time.sleep(0.01)
        st = status()
        print(json.dumps({"peers": n, "connected": len(connected),
                          "ok": ok, "rss_kb": st["VmRSS"],
                          "threads": st["Threads"]}), flush=True)
        if not ok:
            break
    pipe.set_state(Gst.State.NULL)
    child.stdin.close()
    child.wait(timeout=20)
    return 0


def cmd_receivers(args):
    loop = GLib.MainLoop()
    pipe = Gst.Pipeline.new("receivers")
    pipe.set_state(Gst.State.PLAYING)
    peers = {}
    emit_kw = emitter()

    def emit(obj):
        emit_kw(**obj)

    def on_pad(_w, pad):
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        sink = Gst.ElementFactory.make("fakesink", None)
        sink.set_property("async", False)
        pipe.add(sink)
        sink.sync_state_with_parent()
        pad.link(sink.get_static_pad("sink"))

    def handle(msg):
        i = msg["id"]
        if "offer" in msg:
            w = make_webrtcbin("rcv%d" % i)
            pipe.add(w)
            w.sync_state_with_parent()
            w.connect("pad-added", on_pad)
            w.connect("on-ice-candidate", lambda _w, m, c:
                      emit({"id": i, "mline": m, "cand": c}))
            peers[i] = w

            def on_answer(promise, _data):
                reply = promise.get_reply()
                _keep.append(reply)  # the answer is not a copy
                answer = reply.get_value("answer")
                w.emit("set-local-description", answer, None)
                emit({"id": i, "answer": answer.sdp.as_text()})
            w.emit("set-remote-description",
                   sdp_of(msg["offer"], GstWebRTC.WebRTCSDPType.OFFER), None)
            w.emit("create-answer", None,
                   Gst.Promise.new_with_change_func(on_answer, None))
        elif "cand" in msg and i in peers:
            peers[i].emit("add-ice-candidate", msg["mline"], msg["cand"])
        return False

    def reader():
        for line in sys.stdin:
            GLib.idle_add(handle, json.loads(line))
        GLib.idle_add(loop.quit)
    threading.Thread(target=reader, daemon=True).start()
    loop.run()
    pipe.set_state(Gst.State.NULL)
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("startup")
    s.add_argument("--runs", type=int, default=7)
    m = sub.add_parser("memory")
    m.add_argument("--counts", default="0,10,50")
    sub.add_parser("receivers")
    args = p.parse_args()
    Gst.init(None)
    for var in ("GST_PLUGIN_PATH", "GST_REGISTRY"):
        if os.environ.get(var):
            print("error: %s is set: webrtcbin must run with the stock "
                  "registry" % var, flush=True)
            return 1
    return {"startup": cmd_startup, "memory": cmd_memory,
            "receivers": cmd_receivers}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
