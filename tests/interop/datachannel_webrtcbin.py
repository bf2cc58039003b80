# SPDX-License-Identifier: LGPL-2.1-or-later
"""Data channels between our bins and gst-plugins-bad's webrtcbin (issue 11).

Processes on 127.0.0.1 (run inside tests/lib/netns-lo.sh):
  bin    tests/lib/data_bin_child.py in the isolated environment: our
         webrtcsink with data_0 ("gst", a channel to every viewer), or our
         webrtcsrc as a WHIP server with data_sink_0 ("gst", a channel to
         the publisher); it reports and echoes every message on a channel
         the peer opened and sends on "gst" when told;
  peer   this script with --side peer: webrtcbin with the stock registry
         (webrtcbin_peer.py), ICE pinned to 127.0.0.1, a channel "peer" it
         creates before its offer (so the offer has m=application), the
         offer POSTed once gathered: to /whep (a viewer with recvonly
         video and audio) or to /whip (a data-only publisher).

  datachannel_webrtcbin.py --bin sink|src
      both channels open on both sides, each side seeing the other's
      (DCEP, RFC 8832, stream ids of opposite parity); strings (UTF-8),
      binary, empty and 256 KiB messages go both ways: webrtcbin -> ours
      on "peer" (and back, echoed), ours -> webrtcbin on "gst", and
      webrtcbin -> ours on "gst" (webrtcsrc: out of a data_%u pad;
      webrtcsink: counted in its stats, it has no pad for them).
      Each arrives intact (sha256), in order and of its kind when it fits
      the receiver's a=max-message-size (RFC 8841 section 6: 65536 when
      the SDP has none, as webrtcbin 1.22's has not); one that does not
      fails with an error on the sender, and the channel goes on working:
      ours gives a warning on the bus for a pad (and on-error for a
      channel object), webrtcbin's send-data-full a GError.  A channel
      webrtcbin opens once connected ("late") reaches the bin and carries
      a message both ways.  Then webrtcbin closes "peer" and EOS closes
      "gst": each close reaches
      the other side (RFC 8831 section 6.7), the bin's stats count the
      channels' messages, and no element error was posted.

webrtcbin 1.22's own limits, which the test works with (they are not
ours): it sends at most min(its 65536, our a=max-message-size), so its
256 KiB fails on its side; it cannot send an empty message (send-data-full
refuses an empty GBytes with a critical, and an empty string makes its
sctpenc fail with "Failed to send data", which ends its association); and
it has PPIDs 56 and 57 swapped, so our empty string reaches it as empty
binary and the other way round (the length and order are still checked).

Nothing is asserted about time: deadlines only keep a broken run from
hanging.  Run it with /usr/bin/python3 in the isolated environment (meson
test, or scripts/gst-env).  Exit status 0 on success.
"""

import argparse
import hashlib
import os
import re
import sys
import time
import urllib.parse

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "lib"))
from wrtctest import Checks, Child, emitter  # noqa: E402
import webrtcbin_peer  # noqa: E402

OURS = "gst"
THEIRS = "peer"
LATE = "late"
BIG = 256 * 1024
DEFAULT_MAX_MESSAGE_SIZE = 65536  # RFC 8841 section 6
# Bounds (seconds), never asserted.
READY_DEADLINE = 20
OPEN_DEADLINE = 20
MESSAGE_DEADLINE = 15
CHILD_MAX_SECONDS = 100


def max_message_size(sdp):
    """The m=application section's a=max-message-size (RFC 8841 section
    6): 65536 when absent, 0 (any size) kept as 0."""
    m = re.search(r"^a=max-message-size:(\d+)", sdp or "", re.M)
    return int(m.group(1)) if m else DEFAULT_MAX_MESSAGE_SIZE


def fits(size, limit):
    return limit == 0 or size <= limit


# --------------------------------------------------------------------------
# The peer: webrtcbin, stock registry
# --------------------------------------------------------------------------

def run_peer(args):
    Gst, GstWebRTC = webrtcbin_peer.init()
    emit = emitter()
    pipe = Gst.Pipeline.new("peer")
    w = webrtcbin_peer.new_webrtcbin("w")
    if w is None:
        emit(event="fatal", reason="no webrtcbin in the stock registry")
        return 1
    webrtcbin_peer.report_impl(emit, w)
    pipe.add(w)

    def on_pad_added(_w, pad):
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        sink = Gst.ElementFactory.make("fakesink")
        sink.set_property("async", False)
        pipe.add(sink)
        sink.sync_state_with_parent()
        pad.link(sink.get_static_pad("sink"))
    w.connect("pad-added", on_pad_added)
    pipe.set_state(Gst.State.PLAYING)
    if args.bin == "sink":
        rv = GstWebRTC.WebRTCRTPTransceiverDirection.RECVONLY
        w.emit("add-transceiver", rv, Gst.Caps.from_string(
            "application/x-rtp,media=video,encoding-name=VP8,payload=96,"
            "clock-rate=90000"))
        w.emit("add-transceiver", rv, Gst.Caps.from_string(
            "application/x-rtp,media=audio,encoding-name=OPUS,payload=111,"
            "clock-rate=48000,encoding-params=(string)2"))
    dcs = webrtcbin_peer.DataChannels(w, emit)
    dcs.create(THEIRS)

    endpoint = urllib.parse.urljoin(args.url,
                                    "whep" if args.bin == "sink" else "whip")
    resource = webrtcbin_peer.http_offer(w, emit, endpoint,
                                         retry_503=READY_DEADLINE)
    if resource is None:
        return 1
    remote = w.get_property("remote-description")
    emit(event="answer", sdp=remote.sdp.as_text() if remote else "")
    webrtcbin_peer.serve(pipe, emit, resource, None, CHILD_MAX_SECONDS,
                         lambda: dict(event="pc", state=w.get_property(
                             "connection-state").value_nick),
                         more=dcs.handle)


# --------------------------------------------------------------------------
# The driver
# --------------------------------------------------------------------------

def sha(data):
    return hashlib.sha256(data).hexdigest()


def kind_of(kind):
    """A send command's kind as the receiver reports it."""
    return "string" if kind in ("string", "empty-string") else "binary"


class Driver(Checks):
    def __init__(self, args):
        super().__init__()
        self.bin_kind = args.bin
        self.me = os.path.abspath(__file__)
        self.children = []

    def start_bin(self):
        if not os.environ.get("GST_PLUGIN_PATH"):
            self.check(False, "the isolated environment is set "
                       "(run through meson test or scripts/gst-env)")
            return None
        env = dict(os.environ)
        env.setdefault("GST_DEBUG", "wrtcsctp*:3,webrtc*:3")
        env["GST_DEBUG_NO_COLOR"] = "1"
        c = Child("bin", [sys.executable, os.path.join(
            here, "..", "lib", "data_bin_child.py"), self.bin_kind,
            "--label", OURS, "--local-addresses", "127.0.0.1"], env)
        self.children.append(c)
        impl = c.wait_for(lambda e: e.get("event") in ("impl", "exit"),
                          READY_DEADLINE) or {}
        build = os.environ.get("GST_PLUGIN_PATH", "").split(os.pathsep)[0]
        self.check(bool(build) and (impl.get("plugin") or "").startswith(
            build), f"bin: {impl.get('gtype')} is ours ({impl.get('plugin')})")
        url = (c.wait_for(lambda e: e.get("event") in ("url", "exit"),
                          READY_DEADLINE) or {}).get("url")
        self.check(url and re.fullmatch(r"http://127\.0\.0\.1:\d+/", url),
                   f"bin: serving {url}")
        c.url = url
        return c if url else None

    # -- what each side saw --------------------------------------------------

    @staticmethod
    def received(child, event, label):
        return [(e["kind"], e["sha256"]) for e in list(child.events)
                if e.get("event") == event and e.get("label") == label]

    def wait_received(self, child, event, label, n):
        child.wait_for(lambda e: len(self.received(child, event, label)) >= n
                       or e.get("event") == "exit", MESSAGE_DEADLINE)
        return self.received(child, event, label)

    @staticmethod
    def nth(child, kinds, n):
        """The @n-th (from 0) event of one of @kinds, waited for, or {}."""
        def pick():
            return [e for e in list(child.events) if e.get("event") in kinds]
        child.wait_for(lambda e: len(pick()) > n or e.get("event") == "exit",
                       MESSAGE_DEADLINE)
        got = pick()
        return got[n] if len(got) > n else {}

    def peer_send(self, peer, label, kind, text=None, size=0):
        """One message from webrtcbin: its "dc-sent" (kind, len, sha256)
        or "dc-send-error" (the GError of webrtcbin's send-*-full)."""
        kinds = ("dc-sent", "dc-send-error")
        n = len([e for e in list(peer.events) if e.get("event") in kinds])
        peer.send(cmd="dc-send", label=label, kind=kind, text=text,
                  size=size)
        return self.nth(peer, kinds, n)

    def bin_send(self, b, kind, text=None, size=0):
        """One message pushed into the bin's pad: its "sent" event."""
        n = len([e for e in list(b.events) if e.get("event") == "sent"])
        b.send(cmd="send", kind=kind, text=text, size=size)
        return self.nth(b, ("sent",), n)

    # -- the exchange --------------------------------------------------------

    def run(self):
        b = self.start_bin()
        if not b:
            return
        endpoint = "/whep" if self.bin_kind == "sink" else "/whip"
        peer = webrtcbin_peer.start_http_peer(
            self, "webrtcbin", [sys.executable, self.me, "--side", "peer",
                                "--bin", self.bin_kind, "--url", b.url],
            endpoint, deadline=READY_DEADLINE)
        self.children.append(peer)
        offer = (peer.find(lambda e: e.get("event") == "offer")
                 or {}).get("sdp", "")
        answer = (peer.wait_for(lambda e: e.get("event") == "answer",
                                READY_DEADLINE) or {}).get("sdp", "")
        self.check("m=application" in offer and "webrtc-datachannel"
                   in offer, "webrtcbin's offer has an m=application "
                   "section (it created a channel first)")
        self.check(re.search(r"^m=application [1-9]\d* UDP/DTLS/SCTP "
                             r"webrtc-datachannel", answer, re.M)
                   and "a=sctp-port:" in answer,
                   "our answer accepts it (UDP/DTLS/SCTP, a=sctp-port)")
        # what each receiver takes (RFC 8841 section 6)
        peer_max = max_message_size(offer)
        our_max = max_message_size(answer)
        print(f"# webrtcbin's a=max-message-size: {peer_max} "
              f"({'absent' if 'max-message-size' not in offer else 'set'}),"
              f" ours: {our_max}", flush=True)
        self.check(our_max == 0 or our_max >= BIG,
                   f"our answer's a=max-message-size takes {BIG} bytes "
                   f"({our_max})")

        # -- both channels open, each side seeing the other's --
        ch = b.wait_for(lambda e: e.get("event") == "channel"
                        and e.get("label") == THEIRS, OPEN_DEADLINE)
        self.check(ch is not None, f"bin: on-data-channel for webrtcbin's "
                   f"\"{THEIRS}\" ({ch})")
        mine = peer.wait_for(lambda e: e.get("event") == "dc-open"
                             and e.get("label") == THEIRS, OPEN_DEADLINE)
        self.check(mine is not None and mine.get("by") == "us",
                   f"webrtcbin: its \"{THEIRS}\" is open (DCEP ack) ({mine})")
        ours = peer.wait_for(lambda e: e.get("event") == "dc-open"
                             and e.get("label") == OURS, OPEN_DEADLINE)
        self.check(ours is not None and ours.get("by") == "remote",
                   f"webrtcbin: on-data-channel for our \"{OURS}\" and it is "
                   f"open ({ours})")
        if not (ch and mine and ours):
            return
        self.check(mine["id"] % 2 != ours["id"] % 2,
                   f"the two sides' stream ids differ in parity (RFC 8832 "
                   f"section 6: {mine['id']}, {ours['id']})")

        # -- webrtcbin -> ours on "peer", echoed back --
        # webrtcbin 1.22 sends up to the smaller of both sides'
        # a=max-message-size (its own being 65536, unsaid), and no empty
        # message at all (see the module's text)
        send_max = min(x for x in (peer_max, our_max) if x) or 0
        plan = [("string", "h\u00e9llo from webrtcbin \u2713", 0),
                ("binary", None, 1000),
                ("binary", None, 60 * 1024),
                ("binary", None, BIG),
                ("string", "after the big one", 0)]
        to_bin, to_peer = [], []
        for kind, text, size in plan:
            ev = self.peer_send(peer, THEIRS, kind, text, size)
            length = ev.get("len", size)
            if ev.get("event") == "dc-sent":
                self.check(fits(length, send_max),
                           f"webrtcbin sent {length} bytes (its limit "
                           f"{send_max})")
                msg = (kind_of(kind), ev["sha256"])
                to_bin.append(msg)
                if fits(length, peer_max):
                    to_peer.append(msg)
            else:
                self.check(not fits(length, send_max)
                           and "too large" in ev.get("message", ""),
                           f"webrtcbin's send of a {kind} of {length} bytes "
                           f"on \"{THEIRS}\" fails only when over its limit "
                           f"({send_max}), with an error ({ev})")
        got = self.wait_received(b, "message", THEIRS, len(to_bin))
        self.check(got == to_bin,
                   f"bin: webrtcbin's {len(to_bin)} messages on \"{THEIRS}\" "
                   f"arrived intact, in order, each of its kind "
                   f"({[(k, s[:8]) for k, s in got]})")
        echoed = self.wait_received(peer, "dc-message", THEIRS, len(to_peer))
        self.check(echoed == to_peer,
                   f"webrtcbin: our echo of each came back intact, in order "
                   f"({[(k, s[:8]) for k, s in echoed]})")

        # -- ours -> webrtcbin on "gst" --
        plan = [("string", "h\u00e9llo from our bin \u2713", 0),
                ("binary", None, 1000),
                ("string", "", 0),
                ("empty", None, 0),
                ("binary", None, BIG),
                ("string", "after the big one", 0)]
        sent, expect = [], []
        for kind, text, size in plan:
            ev = self.bin_send(b, kind, text, size)
            if not ev:
                self.check(False, f"bin: sent a {kind}")
                continue
            sent.append(ev)
            if fits(ev["len"], peer_max):
                expect.append((ev["kind"], ev["sha256"]))
        got = self.wait_received(peer, "dc-message", OURS, len(expect))
        # webrtcbin 1.22 swaps PPIDs 56 and 57 (RFC 8831 section 8): an
        # empty message is reported as one of the other kind
        empty = hashlib.sha256(b"").hexdigest()
        self.check([s for _, s in got] == [s for _, s in expect] and all(
            g == e or s == empty for (g, s), (e, _) in zip(got, expect)),
            f"webrtcbin: our {len(expect)} messages on \"{OURS}\" that fit "
            f"its max-message-size arrived intact, in order, each of its "
            f"kind but for the empty ones ({[(k, s[:8]) for k, s in got]})")
        if len(expect) < len(sent):
            warn = b.wait_for(lambda e: e.get("event") == "warning"
                              and f"'{OURS}'" in e.get("text", ""),
                              MESSAGE_DEADLINE)
            self.check(warn is not None and "size" in warn.get("text", ""),
                       f"bin: the {BIG} bytes pushed into the pad, over "
                       f"webrtcbin's max-message-size, gave a warning on the "
                       f"bus ({warn and ' '.join(warn['text'].split())[:200]})")

        # -- webrtcbin -> ours on "gst": webrtcsrc gives them out of a
        # data_%u pad; webrtcsink has no pad for what comes on its own
        # channels, its stats count them --
        back, back_bytes = [], 0
        for kind, text, size in [("string", "reply on yours", 0),
                                 ("binary", None, 3000),
                                 ("binary", None, 60 * 1024)]:
            ev = self.peer_send(peer, OURS, kind, text, size)
            if ev.get("event") == "dc-sent":
                back.append((kind_of(kind), ev["sha256"]))
                back_bytes += ev["len"]
        self.check(len(back) == 3, f"webrtcbin sends on our \"{OURS}\"")
        if self.bin_kind == "src":
            got = self.wait_received(b, "message", OURS, len(back))
            self.check(got == back,
                       f"bin: webrtcbin's messages on our \"{OURS}\" came out "
                       f"of a data_%u pad intact, in order "
                       f"({[(k, s[:8]) for k, s in got]})")

        # -- stats before the closes --
        def stats():
            n = len([e for e in list(b.events) if e.get("event") == "stats"])
            b.send(cmd="stats")
            st = self.nth(b, ("stats",), n)
            return {c.get("label"): c for c in st.get("channels", [])}
        by_label = stats()
        end = time.monotonic() + MESSAGE_DEADLINE
        while (by_label.get(OURS, {}).get("messagesReceived", 0) < len(back)
               and time.monotonic() < end):
            time.sleep(0.2)
            by_label = stats()
        t, o = by_label.get(THEIRS, {}), by_label.get(OURS, {})
        self.check(t.get("messagesReceived") == len(to_bin)
                   and t.get("state") == "open",
                   f"bin: stats count {len(to_bin)} messages received on "
                   f"\"{THEIRS}\" ({t})")
        self.check(o.get("messagesSent") == len(expect)
                   and o.get("messagesReceived") == len(back)
                   and o.get("bytesReceived") == back_bytes,
                   f"bin: stats count {len(expect)} messages sent on "
                   f"\"{OURS}\" and {len(back)} received, {back_bytes} bytes "
                   f"({o})")

        # -- a channel webrtcbin opens once connected (DCEP alone) --
        peer.send(cmd="dc-create", label=LATE)
        late = b.wait_for(lambda e: e.get("event") == "channel"
                          and e.get("label") == LATE, OPEN_DEADLINE)
        self.check(late is not None, f"bin: on-data-channel for \"{LATE}\", "
                   f"opened by webrtcbin once connected")
        opened = peer.wait_for(lambda e: e.get("event") == "dc-open"
                               and e.get("label") == LATE, OPEN_DEADLINE)
        self.check(opened is not None, f"webrtcbin: \"{LATE}\" is open")
        if late and opened:
            ev = self.peer_send(peer, LATE, "string", "late hello")
            msg = ("string", ev.get("sha256"))
            self.check(self.wait_received(b, "message", LATE, 1) == [msg]
                       and self.wait_received(peer, "dc-message", LATE, 1)
                       == [msg], f"\"{LATE}\" carries a message both ways")

        # -- closes, each reaching the other side --
        peer.send(cmd="dc-close", label=THEIRS)
        closed = b.wait_for(lambda e: e.get("event") == "closed"
                            and e.get("label") == THEIRS, MESSAGE_DEADLINE)
        self.check(closed is not None, f"bin: webrtcbin's close of "
                   f"\"{THEIRS}\" reached us (on-close)")
        self.check(peer.wait_for(lambda e: e.get("event") == "dc-close"
                                 and e.get("label") == THEIRS,
                                 MESSAGE_DEADLINE) is not None,
                   f"webrtcbin: \"{THEIRS}\" closed on its side too")
        b.send(cmd="close")
        self.check(peer.wait_for(lambda e: e.get("event") == "dc-close"
                                 and e.get("label") == OURS,
                                 MESSAGE_DEADLINE) is not None,
                   f"webrtcbin: EOS into our pad closed \"{OURS}\" "
                   f"(on-close)")
        errs = [e for e in b.events if e.get("event") == "error"]
        self.check(not errs, f"bin: no element error ({errs})")
        perrs = [e for e in peer.events if e.get("event") in
                 ("error", "fatal")]
        self.check(not perrs, f"webrtcbin: no error ({perrs})")

    def stop(self):
        for c in reversed(self.children):
            c.stop()
        if self.failed:
            # what each side saw, for the failures above
            for c in self.children:
                for e in list(c.events):
                    e = {k: (v[:120] + "..." if isinstance(v, str)
                             and len(v) > 120 else v) for k, v in e.items()}
                    print(f"# {c.name}: {e}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", choices=("sink", "src"), default="sink")
    ap.add_argument("--side", choices=("peer",))
    ap.add_argument("--url")
    args = ap.parse_args()
    if args.side == "peer":
        return run_peer(args)
    d = Driver(args)
    try:
        d.run()
    finally:
        d.stop()
    if d.failed:
        print(f"{len(d.failed)} checks failed:")
        for f in d.failed:
            print(f"  {f}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
