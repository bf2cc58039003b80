# SPDX-License-Identifier: LGPL-2.1-or-later
"""Data channels between our two bins in two processes (issue 11): each
has its own usrsctp stack, unlike tests/datachannel/bins-data.py, which
runs both in one.  Run inside tests/lib/netns-lo.sh.

  sink    tests/lib/data_bin_child.py sink: webrtcsink, data_0 "gst";
  viewer  tests/lib/data_bin_child.py src --whep-url: webrtcsrc as its
          WHEP client, data_sink_0 "viewer", every data_%u pad reported.

Checks: webrtcsink's on-data-channel announces "viewer" and webrtcsrc's
announces "gst"; strings, binary, an empty string, an empty binary
message and 256 KiB go both ways intact (sha256), of their kind and in
order: data_sink_0 -> the sink's channel object (and back: its echo comes
out of the viewer's data_%u pad for "viewer"), webrtcsink's data_0 ->
webrtcsrc's data_%u pad for "gst"; EOS into data_sink_0 closes "viewer"
in the sink, EOS into data_0 closes "gst" in the viewer; both stats count
the messages; no element error.  Nothing is asserted about time.
"""

import os
import re
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "lib"))
from wrtctest import Checks, Child  # noqa: E402

CHILD = os.path.join(here, "..", "lib", "data_bin_child.py")
BIG = 256 * 1024
PLAN = [("string", "h\u00e9llo \u2713", 0), ("binary", None, 1000),
        ("string", "", 0), ("empty", None, 0), ("binary", None, BIG),
        ("string", "after the big one", 0)]
DEADLINE = 20  # seconds, never asserted


def received(child, label, via):
    return [(e["kind"], e["sha256"]) for e in list(child.events)
            if e.get("event") == "message" and e.get("label") == label
            and e.get("via") == via]


def wait_received(child, label, via, n):
    child.wait_for(lambda e: len(received(child, label, via)) >= n
                   or e.get("event") == "exit", DEADLINE)
    return received(child, label, via)


def send_all(child):
    """PLAN pushed into the child's pad: [(kind, sha256)] of its "sent"."""
    for kind, text, size in PLAN:
        child.send(cmd="send", kind=kind, text=text, size=size)
    child.wait_for(lambda e: len([x for x in list(child.events)
                                  if x.get("event") == "sent"])
                   >= len(PLAN) or e.get("event") == "exit", DEADLINE)
    return [(e["kind"], e["sha256"]) for e in list(child.events)
            if e.get("event") == "sent"]


def stats(child):
    child.send(cmd="stats")
    ev = child.wait_for(lambda e: e.get("event") == "stats", DEADLINE) or {}
    return {c.get("label"): c for c in ev.get("channels", [])}


def main():
    T = Checks()
    check = T.check
    children = []
    try:
        sink = Child("sink", [sys.executable, CHILD, "sink", "--label",
                              "gst"], dict(os.environ))
        children.append(sink)
        url = (sink.wait_for(lambda e: e.get("event") in ("url", "exit"),
                             DEADLINE) or {}).get("url")
        if not check(url and re.fullmatch(r"http://127\.0\.0\.1:\d+/", url),
                     f"webrtcsink serves {url}"):
            return 1
        viewer = Child("viewer", [sys.executable, CHILD, "src", "--label",
                                  "viewer", "--whep-url", url + "whep",
                                  "--all-pads"], dict(os.environ))
        children.append(viewer)
        impls = [(c.wait_for(lambda e: e.get("event") == "impl", DEADLINE)
                  or {}).get("plugin") or "" for c in (sink, viewer)]
        build = os.environ.get("GST_PLUGIN_PATH", "").split(os.pathsep)[0]
        check(build and all(p.startswith(build) for p in impls),
              f"both bins are ours ({impls})")

        check(sink.wait_for(lambda e: e.get("event") == "channel"
                            and e.get("label") == "viewer", DEADLINE),
              "webrtcsink: on-data-channel for webrtcsrc's \"viewer\"")
        check(viewer.wait_for(lambda e: e.get("event") == "channel"
                              and e.get("label") == "gst", DEADLINE),
              "webrtcsrc: on-data-channel for webrtcsink's \"gst\"")

        # webrtcsrc's data_sink_0 -> the sink's channel object, echoed back
        # out of webrtcsrc's data_%u pad for "viewer"
        up = send_all(viewer)
        check(len(up) == len(PLAN), f"webrtcsrc: {len(up)} pushed")
        got = wait_received(sink, "viewer", "channel", len(up))
        check(got == up, "webrtcsink: data_sink_0's messages arrived intact, "
              f"of their kind, in order ({[k for k, _ in got]})")
        got = wait_received(viewer, "viewer", "pad", len(up))
        check(got == up, "webrtcsrc: the sink's echo came out of a data_%u "
              f"pad intact, in order ({[(k, h[:8]) for k, h in got]}, "
              f"sent {[(k, h[:8]) for k, h in up]})")

        # webrtcsink's data_0 -> webrtcsrc's data_%u pad for "gst"
        down = send_all(sink)
        got = wait_received(viewer, "gst", "pad", len(down))
        check(got == down, "webrtcsrc: webrtcsink's data_0 messages came out "
              f"of a data_%u pad intact, in order ({[k for k, _ in got]})")
        got = received(viewer, "gst", "channel")
        check(got == down, "webrtcsrc: and through its channel object "
              f"({[k for k, _ in got]})")

        s, v = stats(sink), stats(viewer)
        check(s.get("gst", {}).get("messagesSent") == len(PLAN)
              and s.get("viewer", {}).get("messagesReceived") == len(PLAN),
              f"webrtcsink's stats count both channels ({s})")
        check(v.get("gst", {}).get("messagesReceived") == len(PLAN)
              and v.get("viewer", {}).get("messagesSent") == len(PLAN),
              f"webrtcsrc's stats count both channels ({v})")

        viewer.send(cmd="close")
        check(sink.wait_for(lambda e: e.get("event") == "closed"
                            and e.get("label") == "viewer", DEADLINE),
              "EOS into webrtcsrc's data_sink_0 closed \"viewer\" in the "
              "sink (on-close)")
        sink.send(cmd="close")
        check(viewer.wait_for(lambda e: e.get("event") == "closed"
                              and e.get("label") == "gst", DEADLINE),
              "EOS into webrtcsink's data_0 closed \"gst\" in the viewer "
              "(on-close)")
        errs = [e for c in children for e in list(c.events)
                if e.get("event") == "error"]
        check(not errs, f"no element error ({errs})")
    finally:
        for c in reversed(children):
            c.stop()
    if T.failed:
        for c in children:
            for e in list(c.events):
                if e.get("event") in ("message", "sent", "warning",
                                      "channel-error", "closed"):
                    print(f"# {c.name}: {e.get('event')} {e.get('label')} "
                          f"{e.get('kind')} {e.get('len')} "
                          f"{(e.get('sha256') or '')[:8]} {e.get('via')}")
        print(f"{len(T.failed)} checks failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
