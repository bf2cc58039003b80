#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""dtlssrtpenc/dtlssrtpdec between two processes over UDP on 127.0.0.1.

Process 1 (this script with --sender) encodes a test pattern to VP8 and
sends it through dtlssrtpenc (DTLS client) and udpsink; its dtlssrtpdec
on a udpsrc receives the handshake answers.  Process 2 (this script, the
driver) receives with udpsrc ! dtlssrtpdec ! capsfilter ! rtpvp8depay !
vp8dec ! fakesink, answers the handshake through its own dtlssrtpenc, and
counts decoded frames.  Every socket is bound on 127.0.0.1 to a port the
kernel picks; the processes tell each other their ports.

The sender's vp8enc makes one keyframe only every 10000 frames, and the
receiver starts only once the sender has dropped DROPPED_FIRST packets for
want of SRTP keys (its first keyframe among them): frames are decoded only
because dtlssrtpenc asks upstream for a keyframe once the keys are set.

Run in the isolated environment (meson's gst_env or scripts/gst-env).
Exit status 0 when at least MIN_FRAMES frames were decoded.
"""
import argparse
import subprocess
import sys
import threading
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

MIN_FRAMES = 30
DROPPED_FIRST = 10
TIMEOUT_S = 30
RTP_CAPS = ("application/x-rtp,media=video,clock-rate=90000,"
            "encoding-name=VP8,payload=96")


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def check_ours():
    for name in ("dtlssrtpenc", "dtlssrtpdec"):
        f = Gst.ElementFactory.find(name)
        if f is None:
            sys.exit("no %s in this environment" % name)
        plugin = f.get_plugin_name()
        if plugin != "dtlssrtp":
            sys.exit("%s comes from plugin %s, not ours (dtlssrtp): run in "
                     "the isolated environment" % (name, plugin))


def bound_port(pipeline, name):
    return pipeline.get_by_name(name).get_property("port")


def sender(peer_port):
    pipeline = Gst.parse_launch(
        "videotestsrc is-live=true pattern=ball ! "
        "video/x-raw,width=320,height=240,framerate=30/1 ! "
        "vp8enc deadline=1 keyframe-max-dist=10000 ! rtpvp8pay ! "
        "dtlssrtpenc name=enc connection-id=tx is-client=true ! "
        "udpsink name=out host=127.0.0.1 port=%d "
        "udpsrc name=in address=127.0.0.1 port=0 ! "
        "dtlssrtpdec connection-id=tx ! fakesink async=false" % peer_port)
    # udpsrc binds in NULL->READY
    if pipeline.set_state(Gst.State.READY) == Gst.StateChangeReturn.FAILURE:
        sys.exit("sender: cannot go to READY")
    print("PORT %d" % bound_port(pipeline, "in"), flush=True)
    if sys.stdin.readline().strip() != "GO":
        sys.exit("sender: no GO")
    pipeline.set_state(Gst.State.PLAYING)

    # the receiver does not read yet: our first packets go without keys
    enc = pipeline.get_by_name("enc")
    deadline = time.monotonic() + TIMEOUT_S
    dropped = 0
    while dropped < DROPPED_FIRST and time.monotonic() < deadline:
        time.sleep(0.02)
        dropped = enc.get_property("stats").get_uint64(
            "dropped-before-keys-out")[1]
    print("DROPPED %d" % dropped, flush=True)

    bus = pipeline.get_bus()
    failed = []

    def watch_bus():
        while True:
            msg = bus.timed_pop_filtered(
                Gst.CLOCK_TIME_NONE, Gst.MessageType.ERROR)
            if msg is None:
                return
            err, dbg = msg.parse_error()
            log("sender: error:", err.message, dbg)
            failed.append(err.message)
            # the driver sees the missing frames; stop here
            return

    threading.Thread(target=watch_bus, daemon=True).start()
    # until the driver is done
    sys.stdin.readline()
    pipeline.set_state(Gst.State.NULL)
    return 1 if failed else 0


def driver():
    pipeline = Gst.parse_launch(
        "udpsrc name=in address=127.0.0.1 port=0 ! "
        "dtlssrtpdec name=dec connection-id=rx ! "
        "capsfilter caps=\"%s\" ! rtpvp8depay ! vp8dec ! "
        "fakesink name=frames async=false sync=false signal-handoffs=true "
        "dtlssrtpenc connection-id=rx is-client=false ! "
        "udpsink name=out host=127.0.0.1 port=9 async=false" % RTP_CAPS)
    if pipeline.set_state(Gst.State.READY) == Gst.StateChangeReturn.FAILURE:
        sys.exit("driver: cannot go to READY")
    my_port = bound_port(pipeline, "in")

    proc = subprocess.Popen(
        [sys.executable, __file__, "--sender", "--peer-port", str(my_port)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    result = {"frames": 0, "error": None}
    dropped = 0
    loop = GLib.MainLoop()
    try:
        line = proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "PORT":
            sys.exit("driver: the sender did not tell its port: %r" % line)
        pipeline.get_by_name("out").set_property("port", int(line[1]))
        log("driver: receiving on %d, answering to %s" % (my_port, line[1]))

        def on_frame(sink, buf, pad):
            result["frames"] += 1
            if result["frames"] == MIN_FRAMES:
                GLib.idle_add(loop.quit)

        pipeline.get_by_name("frames").connect("handoff", on_frame)

        def on_message(bus, msg):
            if msg.type == Gst.MessageType.ERROR:
                err, dbg = msg.parse_error()
                result["error"] = "%s (%s)" % (err.message, dbg)
                loop.quit()
            return True

        bus = pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", on_message)

        def on_timeout():
            result["error"] = "timed out after %d s" % TIMEOUT_S
            loop.quit()
            return False

        GLib.timeout_add_seconds(TIMEOUT_S, on_timeout)
        proc.stdin.write("GO\n")
        proc.stdin.flush()
        line = proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "DROPPED":
            sys.exit("driver: the sender did not start: %r" % line)
        dropped = int(line[1])
        log("driver: the sender dropped %d packets before keys" % dropped)
        pipeline.set_state(Gst.State.PLAYING)
        loop.run()

        dec = pipeline.get_by_name("dec")
        stats = dec.get_property("stats")
        state = dec.get_property("connection-state")
        log("driver: %d frames, state %s, stats %s" %
            (result["frames"], state.value_nick, stats.to_string()))
        bus.remove_signal_watch()
    finally:
        pipeline.set_state(Gst.State.NULL)
        try:
            proc.stdin.write("STOP\n")
            proc.stdin.flush()
        except BrokenPipeError:
            pass
        try:
            sender_rc = proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            sender_rc = "killed"

    failures = []
    if dropped < DROPPED_FIRST:
        failures.append("the sender dropped %d packets before keys, want %d"
                        % (dropped, DROPPED_FIRST))
    if result["error"]:
        failures.append(result["error"])
    if result["frames"] < MIN_FRAMES:
        failures.append("%d frames decoded, want at least %d" %
                        (result["frames"], MIN_FRAMES))
    if state.value_nick != "connected":
        failures.append("connection-state %s, want connected" %
                        state.value_nick)
    ok, unprotected = stats.get_uint64("packets-unprotected")
    if not ok or unprotected < MIN_FRAMES:
        failures.append("packets-unprotected %s" % unprotected)
    if stats.get_string("srtp-profile") != "SRTP_AEAD_AES_128_GCM":
        failures.append("srtp-profile %s" % stats.get_string("srtp-profile"))
    if sender_rc != 0:
        failures.append("the sender exited with %s" % sender_rc)
    for f in failures:
        log("FAIL:", f)
    if not failures:
        log("PASS: %d frames decrypted and decoded" % result["frames"])
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sender", action="store_true")
    ap.add_argument("--peer-port", type=int)
    args = ap.parse_args()
    Gst.init(None)
    check_ours()
    if args.sender:
        return sender(args.peer_port)
    return driver()


if __name__ == "__main__":
    sys.exit(main())
