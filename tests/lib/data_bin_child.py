#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""One of our bins with data channels, in a child process (isolated
registry), for tests whose other side is a browser or another stack
(tests/browser, tests/interop).  The driver reads events and sends
commands with wrtctest.Child.

  data_bin_child.py sink [--label L] [--port P] [--local-addresses A]
      videotestsrc (320x240) ! identity ! webrtcsink enable-navigation=true,
      plus appsrc ! data_0 (label L, default "gst"): a channel to every
      viewer; the navigation events that reach the identity upstream are
      reported.
  data_bin_child.py src [--label L] [--port P] [--local-addresses A]
      webrtcsrc as a WHIP server; its data_%u pads into appsinks, and
      appsrc ! data_sink_0 (label L): a channel to the publisher.
  --local-addresses A sets the bin's local-addresses (ICE on those only).
  data_bin_child.py src --whep-url URL [--label L] [--all-pads]
      webrtcsrc as a WHEP client of URL instead (webrtcsink's channels
      come to it); --all-pads reports what every data_%u src pad carries
      (not only our channel's replies), "via": "pad".

Every message a peer's channel delivers to us, on a channel the peer
opened (on-data-channel) or on ours (the src bin's data_%u pads, the sink
bin's channel objects), is reported and, on the peer's own channels,
echoed back on the same channel: so a peer tests both directions of its
channel and of ours.

Events (one JSON object per line on stdout):
  {"event": "impl", "plugin": file, "gtype": name}   the bin's
  {"event": "url", "url": ...}                       serving
  {"event": "channel", "peer": id, "label": L, "protocol": P}
                                                     the peer opened one
  {"event": "message", "label": L, "kind": "string"|"binary",
   "len": n, "sha256": hex, "text": first 200 chars (strings),
   "via": "channel" (a channel object) | "pad" (a data_%u src pad)}
  {"event": "sent", "label": L, "kind": ..., "len": n, "sha256": hex}
  {"event": "closed", "label": L}                    a peer's channel
  {"event": "pad", "pad": name, "label": L}          a data_%u src pad
  {"event": "eos", "pad": name, "label": L}          EOS on it
  {"event": "navigation", "type": "mouse-move"|"mouse-button-press"|
   "mouse-button-release"|"mouse-scroll"|"key-press"|"key-release",
   "x", "y", "button", "delta_x", "delta_y", "key", "modifier_state"
   (those the type has)}                             upstream of webrtcsink
  {"event": "channel-error", "label": L, "text": ...}
                                     on-error of a peer's channel object
  {"event": "stats", "channels": [W3C data-channel dicts]}
  {"event": "error", "text": ...}                    a bus error
  {"event": "warning", "text": ...}                  a bus warning
Commands (one per line on stdin):
  {"cmd": "send", "kind": "string", "text": T}       on our channel L
  {"cmd": "send", "kind": "binary", "size": n}       bytes i*7+n mod 256
  {"cmd": "send", "kind": "empty"}                   an empty binary one
  {"cmd": "close"}                                   EOS into our channel
  {"cmd": "stats"}
  {"cmd": "quit"}
"""

import argparse
import hashlib
import os
import queue
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wrtctest import emitter, stdin_commands  # noqa: E402

import gi  # noqa: E402
gi.require_version("Gst", "1.0")
gi.require_version("GstVideo", "1.0")
from gi.repository import Gst, GstVideo  # noqa: E402

emit = emitter()


def payload(size):
    return bytes((i * 7 + size) % 256 for i in range(size))


def report(label, is_string, data, via="channel"):
    ev = {"event": "message", "label": label,
          "kind": "string" if is_string else "binary", "len": len(data),
          "sha256": hashlib.sha256(data).hexdigest(), "via": via}
    if is_string:
        ev["text"] = data.decode("utf-8", "replace")[:200]
    emit(**ev)


def on_channel(element, peer, channel):
    label = channel.props.label
    emit(event="channel", peer=peer, label=label,
         protocol=channel.props.protocol)

    def on_string(ch, text):
        report(label, True, text.encode())
        ch.emit("send-string", text)

    def on_data(ch, data):
        raw = data.get_data() if data is not None else b""
        report(label, False, bytes(raw))
        ch.emit("send-data", data)
    channel.connect("on-message-string", on_string)
    channel.connect("on-message-data", on_data)
    channel.connect("on-close", lambda ch: emit(event="closed", label=label))
    channel.connect("on-error", lambda ch, err: emit(
        event="channel-error", label=label, text=err.message))


def navigation_probe(pad, info):
    """Reports the GstNavigation events going upstream through @pad."""
    ev = info.get_event()
    if ev.type != Gst.EventType.NAVIGATION:
        return Gst.PadProbeReturn.OK
    N = GstVideo.Navigation
    T = GstVideo.NavigationEventType
    t = N.event_get_type(ev)
    out = {"event": "navigation"}
    if t == T.MOUSE_MOVE:
        _, out["x"], out["y"] = N.event_parse_mouse_move_event(ev)
        out["type"] = "mouse-move"
    elif t in (T.MOUSE_BUTTON_PRESS, T.MOUSE_BUTTON_RELEASE):
        _, out["button"], out["x"], out["y"] = \
            N.event_parse_mouse_button_event(ev)
        out["type"] = ("mouse-button-press" if t == T.MOUSE_BUTTON_PRESS
                       else "mouse-button-release")
    elif t == T.MOUSE_SCROLL:
        _, out["x"], out["y"], out["delta_x"], out["delta_y"] = \
            N.event_parse_mouse_scroll_event(ev)
        out["type"] = "mouse-scroll"
    elif t in (T.KEY_PRESS, T.KEY_RELEASE):
        _, out["key"] = N.event_parse_key_event(ev)
        out["type"] = "key-press" if t == T.KEY_PRESS else "key-release"
    else:
        out["type"] = str(t)
    # (1.22's event_parse_modifier_state() has no usable binding)
    st = ev.get_structure()
    if st.has_field("state"):
        out["modifier_state"] = int(st.get_value("state"))
    emit(**out)
    return Gst.PadProbeReturn.OK


def data_channels(stats):
    out = []

    def take(s):
        for i in range(s.n_fields()):
            name = s.nth_field_name(i)
            if name.startswith("data-channel-"):
                d = s.get_value(name)
                out.append({d.nth_field_name(j): d.get_value(
                    d.nth_field_name(j)) for j in range(d.n_fields())})
    take(stats)
    if stats.has_field("peers"):
        for pc in stats.get_value("peers"):
            take(pc)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["sink", "src"])
    ap.add_argument("--label", default="gst")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--local-addresses")
    ap.add_argument("--whep-url")
    ap.add_argument("--all-pads", action="store_true")
    args = ap.parse_args()
    Gst.init(None)

    if args.mode == "sink":
        pipe = Gst.parse_launch(
            "videotestsrc is-live=true ! video/x-raw,width=320,height=240,"
            "framerate=15/1 ! identity name=nav ! "
            "webrtcsink name=b enable-navigation=true "
            f"port={args.port} audiotestsrc is-live=true ! b.audio_0 "
            "appsrc name=out format=time ! b.data_0")
        pad = pipe.get_by_name("b").get_static_pad("data_0")
        pipe.get_by_name("nav").get_static_pad("src").add_probe(
            Gst.PadProbeType.EVENT_UPSTREAM, navigation_probe)
    else:
        pipe = Gst.parse_launch(
            f"webrtcsrc name=b port={args.port} "
            "appsrc name=out format=time ! b.data_sink_0")
        pad = pipe.get_by_name("b").get_static_pad("data_sink_0")
    pad.set_property("label", args.label)
    bin_ = pipe.get_by_name("b")
    if args.local_addresses:
        bin_.set_property("local-addresses", args.local_addresses)
    if args.whep_url:
        bin_.set_property("whep-url", args.whep_url)
    out = pipe.get_by_name("out")
    bin_.connect("on-data-channel", on_channel)

    def on_pad_added(element, pad):
        if (pad.get_direction() != Gst.PadDirection.SRC
                or not pad.get_name().startswith("data_")):
            sink = Gst.ElementFactory.make("fakesink")
            sink.set_property("async", False)
            sink.set_property("sync", False)
            pipe.add(sink)
            sink.sync_state_with_parent()
            pad.link(sink.get_static_pad("sink"))
            return
        # our channel's replies come out of src pads too; the peer's own
        # channels are reported by on-data-channel
        label = pad.get_property("label")
        name = pad.get_name()
        emit(event="pad", pad=name, label=label)

        def on_eos(p, info):
            if info.get_event().type == Gst.EventType.EOS:
                emit(event="eos", pad=name, label=label)
            return Gst.PadProbeReturn.OK
        pad.add_probe(Gst.PadProbeType.EVENT_DOWNSTREAM, on_eos)
        if label != args.label and not args.all_pads:
            sink = Gst.ElementFactory.make("fakesink")
            sink.set_property("async", False)
        else:
            sink = Gst.ElementFactory.make("appsink")
            sink.set_property("emit-signals", True)
            sink.set_property("sync", False)
            sink.set_property("async", False)

            def on_sample(s):
                sample = s.emit("pull-sample")
                buf = sample.get_buffer()
                kind = sample.get_caps().get_structure(0).get_name()
                report(label, kind == "text/plain",
                       buf.extract_dup(0, buf.get_size()), "pad")
                return Gst.FlowReturn.OK
            sink.connect("new-sample", on_sample)
        pipe.add(sink)
        sink.sync_state_with_parent()
        pad.link(sink.get_static_pad("sink"))
    bin_.connect("pad-added", on_pad_added)

    def on_bus(bus, msg):
        if msg.type == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            emit(event="error", text=f"{err.message} ({dbg})")
        elif msg.type == Gst.MessageType.WARNING:
            err, dbg = msg.parse_warning()
            emit(event="warning", text=f"{err.message} ({dbg})")
        return True
    bus = pipe.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_bus)

    plugin = bin_.get_factory().get_plugin()
    emit(event="impl", plugin=plugin.get_filename() if plugin else None,
         gtype=bin_.__gtype__.name)
    pipe.set_state(Gst.State.PLAYING)
    emit(event="url", url=bin_.get_property("url"))

    cmds = queue.Queue()
    stdin_commands(cmds)
    from gi.repository import GLib
    loop = GLib.MainLoop()

    def poll():
        try:
            cmd = cmds.get_nowait()
        except queue.Empty:
            return True
        c = cmd.get("cmd")
        if c == "quit":
            loop.quit()
            return False
        if c == "send":
            kind = cmd.get("kind")
            if kind == "string":
                data = cmd.get("text", "").encode()
                caps = "text/plain"
            else:
                data = payload(cmd.get("size", 0)) if kind == "binary" \
                    else b""
                caps = "application/octet-stream"
            out.set_property("caps", Gst.Caps.from_string(caps))
            out.emit("push-buffer", Gst.Buffer.new_wrapped(data)
                     if data else Gst.Buffer.new())
            emit(event="sent", label=args.label,
                 kind="string" if kind == "string" else "binary",
                 len=len(data), sha256=hashlib.sha256(data).hexdigest())
        elif c == "close":
            out.emit("end-of-stream")
        elif c == "stats":
            emit(event="stats",
                 channels=data_channels(bin_.get_property("stats")))
        return True
    GLib.timeout_add(20, poll)
    loop.run()
    pipe.set_state(Gst.State.NULL)


if __name__ == "__main__":
    main()
