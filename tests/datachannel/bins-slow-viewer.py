#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A slow viewer never stalls the others (issue 11): webrtcsink's data_0
broadcasts to two WHEP viewers (webrtcsrc), each in its own process (the
ICE thread is per process).  Viewer "slow" stops reading its data_0 pad
(an appsink nobody pulls), so its SCTP receive window closes; viewer
"fast" reads everything.

Checks, each failing without the bins' per-viewer queues:
  - the fast viewer gets every message, in order, while the slow one is
    stuck;
  - the sink counts dropped messages for the slow viewer only
    (messagesDropped in its data-channel stats), never for the fast one;
  - once the slow viewer reads again it gets the newest messages (the
    oldest were the ones dropped) and the last one.
"""

import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from wrtctest import Checks, Child, emitter  # noqa: E402

import gi  # noqa: E402
gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

MSG = 64 * 1024
COUNT = 320            # 20 MiB: far past what the slow viewer can hold


def viewer(url, slow):
    """A WHEP viewer in this process: reports each message's number."""
    emit = emitter()
    Gst.init(None)
    pipe = Gst.Pipeline.new("viewer")
    src = Gst.ElementFactory.make("webrtcsrc")
    src.set_property("whep-url", url)
    pipe.add(src)
    sinks = []

    def on_pad_added(element, pad):
        if pad.get_name().startswith("data_"):
            sink = Gst.ElementFactory.make("appsink")
            sink.set_property("sync", False)
            sink.set_property("async", False)
            sink.set_property("max-buffers", 1)
            sink.set_property("drop", False)
            sinks.append(sink)
            emit(event="data-pad")
        else:
            sink = Gst.ElementFactory.make("fakesink")
            sink.set_property("async", False)
        pipe.add(sink)
        sink.sync_state_with_parent()
        pad.link(sink.get_static_pad("sink"))
    src.connect("pad-added", on_pad_added)
    pipe.set_state(Gst.State.PLAYING)
    reading = [not slow]

    def pull():
        for s in sinks if reading[0] else []:
            while True:
                sample = s.emit("try-pull-sample", 0)
                if not sample:
                    break
                buf = sample.get_buffer()
                n = int.from_bytes(buf.extract_dup(0, 4), "big")
                emit(event="msg", n=n, len=buf.get_size())
        return True
    GLib.timeout_add(5, pull)

    def stdin_ready(channel, cond):
        line = sys.stdin.readline()
        if not line or "quit" in line:
            loop.quit()
            return False
        if "read" in line:
            reading[0] = True
        return True
    loop = GLib.MainLoop()
    GLib.io_add_watch(GLib.IOChannel.unix_new(sys.stdin.fileno()),
                      GLib.IO_IN | GLib.IO_HUP, stdin_ready)
    loop.run()
    pipe.set_state(Gst.State.NULL)


def main():
    T = Checks()
    check = T.check
    Gst.init(None)
    pipe = Gst.parse_launch(
        "videotestsrc is-live=true ! video/x-raw,width=160,height=120 ! "
        "webrtcsink name=s port=0 video-codecs=VP8 "
        "appsrc name=msgs format=time "
        "caps=application/octet-stream ! s.data_0")
    sink = pipe.get_by_name("s")
    msgs = pipe.get_by_name("msgs")
    pipe.set_state(Gst.State.PLAYING)
    url = sink.get_property("url") + "whep"
    me = [sys.executable, os.path.abspath(__file__)]
    env = dict(os.environ)
    slow = Child("slow", me + ["--viewer", url, "slow"], env)
    ids = set()

    def viewer_ids():
        st = sink.get_property("stats")
        return [pc.get_value("id") for pc in st.get_value("peers")]
    check(slow.wait_for(lambda e: e.get("event") == "data-pad", 30)
          is not None, "the slow viewer has its data_0 pad")
    ids = set(viewer_ids())
    fast = Child("fast", me + ["--viewer", url, "fast"], env)
    check(fast.wait_for(lambda e: e.get("event") == "data-pad", 30)
          is not None, "the fast viewer has its data_0 pad")
    fast_id = [i for i in viewer_ids() if i not in ids]
    slow_id = list(ids)
    if T.failed:
        slow.stop()
        fast.stop()
        pipe.set_state(Gst.State.NULL)
        return 1

    def channel_stats(viewer_id):
        st = sink.get_property("stats")
        for pc in st.get_value("peers"):
            if pc.get_value("id") != viewer_id:
                continue
            for i in range(pc.n_fields()):
                name = pc.nth_field_name(i)
                if name.startswith("data-channel-"):
                    d = pc.get_value(name)
                    if d.get_value("label") == "data_0":
                        return d.copy()
        return None

    def fast_count():
        return len([e for e in fast.events if e.get("event") == "msg"])

    # in steps the fast viewer keeps up with; the slow one falls behind
    for i in range(COUNT):
        data = i.to_bytes(4, "big") + bytes(MSG - 4)
        msgs.emit("push-buffer", Gst.Buffer.new_wrapped(data))
        if i % 16 == 15:
            end = time.monotonic() + 30
            while fast_count() < i + 1 and time.monotonic() < end:
                time.sleep(0.01)
    got = fast.wait_for(lambda e: e.get("event") == "msg"
                        and e.get("n") == COUNT - 1, 30)
    nums = [e["n"] for e in fast.events if e.get("event") == "msg"]
    check(got is not None and nums == list(range(COUNT)),
          f"the fast viewer got all {COUNT} messages in order "
          f"({len(nums)})")
    sst = channel_stats(slow_id[0]) if slow_id else None
    fst = channel_stats(fast_id[0]) if fast_id else None
    check(sst is not None and sst.get_value("messagesDropped") > 0,
          "the sink dropped messages for the slow viewer "
          f"({sst.get_value('messagesDropped') if sst else None})")
    check(fst is not None and fst.get_value("messagesDropped") == 0
          and fst.get_value("messagesSent") == COUNT,
          "and none for the fast one")

    slow.send(cmd="read")
    last = slow.wait_for(lambda e: e.get("event") == "msg"
                         and e.get("n") == COUNT - 1, 60)
    snums = [e["n"] for e in slow.events if e.get("event") == "msg"]
    check(last is not None, "the slow viewer, reading again, gets the last "
          "message")
    check(0 < len(snums) < COUNT and snums == sorted(snums),
          f"in order, fewer than sent ({len(snums)} of {COUNT})")
    gap = [b for a, b in zip(snums, snums[1:]) if b != a + 1]
    check(len(gap) >= 1, "with a gap where the oldest were dropped")
    slow.stop()
    fast.stop()
    pipe.set_state(Gst.State.NULL)
    return 1 if T.failed else 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--viewer":
        viewer(sys.argv[2], sys.argv[3] == "slow")
        sys.exit(0)
    sys.exit(main())
