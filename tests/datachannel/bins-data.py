#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Data channels between our two bins in one process, on 127.0.0.1
(then webrtcsink publishing to webrtcsrc over WHIP with data channels
both ways, and last a webrtcsink with no use for data channels rejecting
a viewer's data channel section):
webrtcsink serving (a data_0 pad labelled "chat", enable-navigation) and
webrtcsrc as its WHEP viewer (a data_sink_0 pad labelled "reply").

Checks, each failing without the bins' data channels:
  - strings, binary and empty messages pushed into webrtcsink's data_0
    come out of webrtcsrc's data_0 pad in order, one buffer each, with
    caps text/plain or application/octet-stream, and the pad's properties
    name the channel;
  - webrtcsrc's data_sink_0 opens "reply" to the sink, which announces it
    with on-data-channel(viewer-id, channel) (a GstWebRTCDataChannel) and
    delivers its messages through on-message-string/-data;
  - a channel "input" from the viewer carries navigation JSON that comes
    out upstream of webrtcsink's video input as GstNavigation events; bad
    JSON is ignored with a warning;
  - both bins' stats carry W3C data-channel entries with the counts;
  - EOS on data_0 closes the channel: webrtcsrc's data_0 gets EOS;
  - the application API works both ways: the sink's channel object sends
    back (send-string), the src's on-data-channel sees "chat".
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from wrtctest import Checks, wait_until  # noqa: E402

import gi  # noqa: E402
gi.require_version("Gst", "1.0")
gi.require_version("GstApp", "1.0")
gi.require_version("GstVideo", "1.0")
gi.require_version("GstWebRTC", "1.0")
from gi.repository import GLib, Gst, GstApp, GstVideo, GstWebRTC  # noqa

Gst.init(None)
T = Checks()
check = T.check


def main():
    sink_pipe = Gst.parse_launch(
        "videotestsrc is-live=true ! video/x-raw,width=320,height=240 "
        "! identity name=nav ! webrtcsink name=s port=0 "
        "enable-navigation=true video-codecs=VP8 "
        "appsrc name=msgs format=time is-live=true ! s.data_0")
    s = sink_pipe.get_by_name("s")
    msgs = sink_pipe.get_by_name("msgs")
    data0 = s.get_static_pad("data_0")
    check(data0 is not None, "webrtcsink has a data_0 request pad")
    data0.set_property("label", "chat")
    check(data0.get_property("label") == "chat", "data_0's label is set")

    nav_events = []

    def nav_probe(pad, info):
        ev = info.get_event()
        if ev.type == Gst.EventType.NAVIGATION:
            nav_events.append(GstVideo.Navigation.event_get_type(ev))
        return Gst.PadProbeReturn.OK
    sink_pipe.get_by_name("nav").get_static_pad("src").add_probe(
        Gst.PadProbeType.EVENT_UPSTREAM, nav_probe)

    viewer_channels = []
    replies = []

    def on_viewer_channel(sink, viewer, channel):
        viewer_channels.append((viewer, channel))
        channel.connect("on-message-string",
                        lambda c, m: replies.append(m))
    s.connect("on-data-channel", on_viewer_channel)

    sink_pipe.set_state(Gst.State.PLAYING)
    url = s.get_property("url")
    check(url is not None, f"webrtcsink serves {url}")

    src_pipe = Gst.Pipeline.new("viewer")
    src = Gst.ElementFactory.make("webrtcsrc")
    src.set_property("whep-url", url + "whep")
    src_pipe.add(src)
    received = []
    got_eos = threading.Event()
    src_pads = {}

    def on_new_sample(appsink):
        sample = appsink.emit("pull-sample")
        buf = sample.get_buffer()
        caps = sample.get_caps().get_structure(0).get_name()
        received.append((caps, buf.extract_dup(0, buf.get_size())))
        return Gst.FlowReturn.OK

    def on_pad_added(element, pad):
        name = pad.get_name()
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        if name.startswith("data_"):
            src_pads[name] = pad
            sinkel = Gst.ElementFactory.make("appsink")
            sinkel.set_property("emit-signals", True)
            sinkel.set_property("sync", False)
            sinkel.connect("new-sample", on_new_sample)
            sinkel.get_static_pad("sink").add_probe(
                Gst.PadProbeType.EVENT_DOWNSTREAM,
                lambda p, i: (got_eos.set() if i.get_event().type ==
                              Gst.EventType.EOS else None,
                              Gst.PadProbeReturn.OK)[1])
        else:
            sinkel = Gst.ElementFactory.make("fakesink")
            sinkel.set_property("async", False)
        src_pipe.add(sinkel)
        sinkel.sync_state_with_parent()
        pad.link(sinkel.get_static_pad("sink"))
    src.connect("pad-added", on_pad_added)

    src_channels = []
    src.connect("on-data-channel",
                lambda e, sid, ch: src_channels.append((sid, ch)))

    # the viewer sends on "reply" (a request pad) and on "input"
    reply_src = Gst.ElementFactory.make("appsrc")
    reply_src.set_property("format", Gst.Format.TIME)
    reply_src.set_property("caps", Gst.Caps.from_string("text/plain"))
    src_pipe.add(reply_src)
    reply_pad = src.request_pad_simple("data_sink_%u")
    check(reply_pad is not None and reply_pad.get_name() == "data_sink_0",
          "webrtcsrc gives a data_sink_0 request pad")
    reply_pad.set_property("label", "reply")
    nav_src = Gst.ElementFactory.make("appsrc")
    nav_src.set_property("format", Gst.Format.TIME)
    nav_src.set_property("caps", Gst.Caps.from_string("text/plain"))
    src_pipe.add(nav_src)
    nav_pad = src.request_pad_simple("data_sink_%u")
    nav_pad.set_property("label", "input")
    reply_src.get_static_pad("src").link(reply_pad)
    nav_src.get_static_pad("src").link(nav_pad)
    src_pipe.set_state(Gst.State.PLAYING)

    check(wait_until(lambda: "data_0" in src_pads),
          "webrtcsrc adds data_0 for webrtcsink's channel")
    if "data_0" in src_pads:
        p = src_pads["data_0"]
        check(p.get_property("label") == "chat",
              f"data_0's label is the channel's ({p.get_property('label')})")
    check(wait_until(lambda: len(viewer_channels) >= 2),
          f"webrtcsink's on-data-channel announced the viewer's channels "
          f"({[c.props.label for _, c in viewer_channels]})")
    labels = sorted(c.props.label for _, c in viewer_channels)
    check(labels == ["input", "reply"], f"labels {labels}")
    check(all(isinstance(c, GstWebRTC.WebRTCDataChannel)
              for _, c in viewer_channels),
          "the sink's channel objects are GstWebRTCDataChannels")

    # sink -> viewer: string, binary, empty, a bigger one
    def push(data, caps):
        msgs.set_property("caps", Gst.Caps.from_string(caps))
        msgs.emit("push-buffer", Gst.Buffer.new_wrapped(data)
                  if data else Gst.Buffer.new())
    push(b"hello", "text/plain")
    push(bytes(range(256)), "application/octet-stream")
    push(b"", "application/octet-stream")
    big = os.urandom(200 * 1024)
    push(big, "application/octet-stream")
    push(b"last", "text/plain")
    check(wait_until(lambda: len(received) >= 5),
          f"the viewer got 5 messages ({len(received)})")
    want = [("text/plain", b"hello"),
            ("application/octet-stream", bytes(range(256))),
            ("application/octet-stream", b""),
            ("application/octet-stream", big),
            ("text/plain", b"last")]
    check(received[:5] == want,
          "in order, intact, with caps per message kind: "
          f"{[(c, len(b)) for c, b in received[:5]]}")

    # viewer -> sink on "reply"
    reply_src.emit("push-buffer", Gst.Buffer.new_wrapped(b"hi back"))
    check(wait_until(lambda: "hi back" in replies),
          f"the sink's channel object got the viewer's message ({replies})")

    # navigation: good and bad JSON
    for j in [b'{"event": "mouse-move", "x": 10, "y": 20}',
              b'not json',
              b'{"event": "mouse-button-press", "button": 1, "x": 1, "y": 2}',
              b'{"event": "key-press", "key": "a"}']:
        nav_src.emit("push-buffer", Gst.Buffer.new_wrapped(j))
    NT = GstVideo.NavigationEventType
    check(wait_until(lambda: len(nav_events) >= 3),
          f"navigation events came upstream ({nav_events})")
    check(nav_events[:3] == [NT.MOUSE_MOVE, NT.MOUSE_BUTTON_PRESS,
                             NT.KEY_PRESS],
          "mouse move, button press, key press, the bad one skipped")

    # the application API the other way: the sink's object sends
    reply_ch = [c for _, c in viewer_channels if c.props.label == "reply"]
    if reply_ch:
        n = len(received)
        reply_ch[0].emit("send-string", "from the sink's object")
        check(wait_until(lambda: len(received) > n),
              "the sink's channel object sends to the viewer")
        check(received[n:n + 1] == [("text/plain",
                                     b"from the sink's object")],
              "the viewer got it on a pad of that channel")
    check(wait_until(lambda: len(src_channels) >= 1)
          and src_channels[0][1].props.label == "chat",
          "webrtcsrc's on-data-channel announced \"chat\"")

    # stats, both bins
    st = s.get_property("stats")
    peers = st.get_value("peers")
    dcs = []
    for pc in peers:
        for i in range(pc.n_fields()):
            if pc.nth_field_name(i).startswith("data-channel-"):
                dcs.append(pc.get_value(pc.nth_field_name(i)))
    chat = [d for d in dcs if d.get_value("label") == "chat"]
    check(len(chat) == 1 and chat[0].get_value("messagesSent") >= 5
          and chat[0].get_value("bytesSent") >= len(big),
          f"webrtcsink's stats count the chat channel ({chat})")
    sst = src.get_property("stats")
    sdcs = [sst.get_value(sst.nth_field_name(i))
            for i in range(sst.n_fields())
            if sst.nth_field_name(i).startswith("data-channel-")]
    schat = [d for d in sdcs if d.get_value("label") == "chat"]
    check(len(schat) == 1 and schat[0].get_value("messagesReceived") >= 5,
          f"webrtcsrc's stats count the chat channel ({schat})")

    # EOS on data_0 closes the channel: the viewer's pad ends
    msgs.emit("end-of-stream")
    check(got_eos.wait(20), "EOS on data_0 closed the channel: the "
          "viewer's data_0 got EOS")

    src_pipe.set_state(Gst.State.NULL)
    sink_pipe.set_state(Gst.State.NULL)
    # a second cycle of the sink: pads stay, works again
    check(sink_pipe.set_state(Gst.State.PLAYING) !=
          Gst.StateChangeReturn.FAILURE, "webrtcsink plays again")
    sink_pipe.set_state(Gst.State.NULL)
    if T.failed:
        print(f"{len(T.failed)} checks failed")
        return 1
    return 0


def whip():
    """webrtcsink publishing to webrtcsrc (WHIP): the publisher offers a
    data channel section because it has a data_0 pad; webrtcsrc's
    data_sink_0 answers on a channel of its own."""
    src_pipe = Gst.Pipeline.new("server")
    src = Gst.ElementFactory.make("webrtcsrc")
    src.set_property("port", 0)
    src_pipe.add(src)
    got = []
    pads = {}

    def on_new_sample(appsink):
        sample = appsink.emit("pull-sample")
        buf = sample.get_buffer()
        got.append(buf.extract_dup(0, buf.get_size()))
        return Gst.FlowReturn.OK

    def on_pad_added(element, pad):
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        if pad.get_name().startswith("data_"):
            pads[pad.get_name()] = pad
            el = Gst.ElementFactory.make("appsink")
            el.set_property("emit-signals", True)
            el.set_property("sync", False)
            el.connect("new-sample", on_new_sample)
        else:
            el = Gst.ElementFactory.make("fakesink")
            el.set_property("async", False)
        src_pipe.add(el)
        el.sync_state_with_parent()
        pad.link(el.get_static_pad("sink"))
    src.connect("pad-added", on_pad_added)
    back = Gst.ElementFactory.make("appsrc")
    back.set_property("format", Gst.Format.TIME)
    back.set_property("caps", Gst.Caps.from_string("text/plain"))
    src_pipe.add(back)
    back_pad = src.request_pad_simple("data_sink_%u")
    back_pad.set_property("label", "to-publisher")
    back.get_static_pad("src").link(back_pad)
    src_pipe.set_state(Gst.State.PLAYING)
    url = src.get_property("url")

    pub = Gst.parse_launch(
        "videotestsrc is-live=true ! video/x-raw,width=160,height=120 ! "
        f"webrtcsink name=s port=0 whip-url={url}whip video-codecs=VP8 "
        "appsrc name=msgs format=time caps=text/plain ! s.data_0")
    s = pub.get_by_name("s")
    msgs = pub.get_by_name("msgs")
    from_src = []

    def on_channel(sink, viewer, channel):
        from_src.append((viewer, channel.props.label))
        channel.connect("on-message-string",
                        lambda c, m: from_src.append(m))
    s.connect("on-data-channel", on_channel)
    pub.set_state(Gst.State.PLAYING)
    check(wait_until(lambda: "data_0" in pads),
          "WHIP: webrtcsrc adds data_0 for the publisher's channel")
    msgs.emit("push-buffer", Gst.Buffer.new_wrapped(b"published"))
    check(wait_until(lambda: b"published" in got),
          f"WHIP: the publisher's message came out of data_0 ({got})")
    check(wait_until(lambda: ("whip", "to-publisher") in from_src),
          f"WHIP: the publisher's on-data-channel got webrtcsrc's channel "
          f"({from_src})")
    back.emit("push-buffer", Gst.Buffer.new_wrapped(b"hello publisher"))
    check(wait_until(lambda: "hello publisher" in from_src),
          "WHIP: webrtcsrc's data_sink_0 reached the publisher")
    pub.set_state(Gst.State.NULL)
    src_pipe.set_state(Gst.State.NULL)


def plain_sink():
    """A webrtcsink with no use for data channels (no data pad, no
    navigation, no on-data-channel handler) rejects a viewer's data
    channel section, so no viewer costs it an SCTP association (about 7 MB
    each); one with a handler accepts it."""
    import subprocess
    viewers = os.path.join(os.environ["GST_PLUGINS_WEBRTC_BUILDDIR"],
                           "bench", "whep-viewers")
    for handler in (False, True):
        pipe = Gst.parse_launch(
            "videotestsrc is-live=true ! video/x-raw,width=160,height=120 ! "
            "webrtcsink name=s port=0 video-codecs=VP8")
        s = pipe.get_by_name("s")
        if handler:
            s.connect("on-data-channel", lambda *a: None)
        pipe.set_state(Gst.State.PLAYING)
        r = subprocess.run([viewers, "--url", s.get_property("url"),
                            "--viewers", "1", "--hold", "0.5", "--check",
                            "--datachannel"], capture_output=True,
                           text=True, timeout=60)
        refused = "no data channel negotiated" in r.stderr
        check(r.returncode == 0, f"plain sink (handler {handler}): the "
              "viewer plays")
        check(refused != handler, f"plain sink (handler {handler}): data "
              f"section {'accepted' if handler else 'rejected'}")
        pipe.set_state(Gst.State.NULL)


if __name__ == "__main__":
    rc = main()
    whip()
    plain_sink()
    sys.exit(1 if rc or T.failed else 0)
