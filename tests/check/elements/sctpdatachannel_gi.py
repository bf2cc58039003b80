#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""sctpdatachannel's channel objects seen from Python (issue 11): what
create-data-channel returns is a GstWebRTC.WebRTCDataChannel, so Python
code written for webrtcbin's channels takes it, with the base class's
properties, actions and signals.

One element, PAUSED so it has an association (its INIT goes nowhere); a
channel created before that gets its id then.  A channel stays connecting, a send fails with on-error, and the element's
PAUSED -> READY closes it (on-close, ready-state closed).

Run in the isolated environment (meson's gst_env or scripts/gst-env).
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
from gi.repository import Gst, GstWebRTC  # noqa: E402


def main():
    Gst.init(None)
    dc = Gst.ElementFactory.make("sctpdatachannel", "dc")
    assert dc is not None, "no sctpdatachannel element"
    try:
        return check(dc)
    finally:
        dc.set_state(Gst.State.NULL)


def check(dc):
    # before the association: waits, without an id, opens with it
    early = dc.emit("create-data-channel", "early", None)
    assert isinstance(early, GstWebRTC.WebRTCDataChannel), type(early)
    assert early.props.id == -1
    assert dc.set_state(Gst.State.PAUSED) != Gst.StateChangeReturn.FAILURE
    assert early.props.id >= 0

    opts = Gst.Structure.new_from_string(
        "options, ordered=false, max-retransmits=3, protocol=p")
    ch = dc.emit("create-data-channel", "chat", opts)
    assert isinstance(ch, GstWebRTC.WebRTCDataChannel), type(ch)
    assert ch.props.label == "chat"
    assert ch.props.protocol == "p"
    assert ch.props.ordered is False
    assert ch.props.max_retransmits == 3
    assert ch.props.id >= 0
    assert ch.props.ready_state == GstWebRTC.WebRTCDataChannelState.CONNECTING
    # (the queued DCEP OPEN counts until the association is up)
    assert isinstance(ch.props.buffered_amount, int)
    ch.props.buffered_amount_low_threshold = 100
    assert ch.props.buffered_amount_low_threshold == 100

    events = []
    ch.connect("on-error", lambda c, e: events.append(("error", e.message)))
    ch.connect("on-close", lambda c: events.append(("close",)))
    ch.emit("send-string", "too early")
    assert events and events[0][0] == "error", events

    assert dc.set_state(Gst.State.NULL) == Gst.StateChangeReturn.SUCCESS
    assert ("close",) in events, events
    assert ch.props.ready_state == GstWebRTC.WebRTCDataChannelState.CLOSED
    print("sctpdatachannel_gi: 1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
