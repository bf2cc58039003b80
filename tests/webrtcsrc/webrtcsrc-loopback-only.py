# SPDX-License-Identifier: LGPL-2.1-or-later
"""webrtcsink -> webrtcsrc on a host whose only interface is loopback (a
container without a network), both with default settings: no
local-addresses.  libnice leaves loopback out unless told; the ICE layer
gathers on 127.0.0.1 and ::1 when nothing else is up, so media flows.

  webrtcsink in a gst-launch-1.0 child (video and audio), webrtcsrc
  whep-url= in this process: decoded buffers counted at its src pads, the
  selected candidate pair on loopback.

Run it in scripts/gst-env inside a namespace that has only lo (meson wraps
it in tests/lib/netns-lo.sh); elsewhere it fails on that premise."""
import re
import socket
import subprocess
import sys
import threading
import time

import gi
gi.require_version('Gst', '1.0')
from gi.repository import Gst  # noqa: E402

DEADLINE = 30  # seconds a wait may take before the check fails
failed = 0


def check(cond, msg):
    global failed
    print(('PASS: ' if cond else 'FAIL: ') + msg, flush=True)
    if not cond:
        failed += 1
    return cond


def main():
    names = [n for _, n in socket.if_nameindex()]
    if not check(names == ['lo'], 'the only interface is lo (%s)' % names):
        return 1
    Gst.init(None)

    sink = subprocess.Popen(
        ['gst-launch-1.0', '-e', 'videotestsrc', 'is-live=true', '!',
         'video/x-raw,width=320,height=240,framerate=30/1', '!', 'webrtcsink',
         'name=s', 'port=0', 'audiotestsrc', 'is-live=true', '!', 's.audio_0'],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = None
    for line in sink.stdout:
        m = re.search(r'webrtcsink: open (\S+)', line)
        if m:
            url = m.group(1)
            break
    threading.Thread(target=lambda: [None for _ in sink.stdout],
                     daemon=True).start()
    pipe = None
    try:
        if not check(url is not None, 'webrtcsink serves at %s' % url):
            return 1
        pipe = Gst.Pipeline.new('receiver')
        src = Gst.ElementFactory.make('webrtcsrc', 'src')
        src.set_property('whep-url', url + 'whep')
        check(src.get_property('local-addresses') is None,
              'webrtcsrc has no local-addresses')
        pipe.add(src)
        lock = threading.Lock()
        counts = {}

        def on_pad(_src, pad):
            name = pad.get_name()
            fake = Gst.ElementFactory.make('fakesink', None)
            fake.set_property('sync', False)
            fake.set_property('async', False)
            pipe.add(fake)
            fake.sync_state_with_parent()
            with lock:
                counts[name] = 0

            def probe(_pad, _info):
                with lock:
                    counts[name] += 1
                return Gst.PadProbeReturn.OK
            pad.add_probe(Gst.PadProbeType.BUFFER, probe)
            pad.link(fake.get_static_pad('sink'))

        src.connect('pad-added', on_pad)
        pipe.set_state(Gst.State.PLAYING)

        def got_media():
            with lock:
                return (counts.get('video_0', 0) >= 30 and
                        counts.get('audio_0', 0) >= 20)
        bus = pipe.get_bus()
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end and not got_media():
            msg = bus.timed_pop_filtered(50 * Gst.MSECOND,
                                         Gst.MessageType.ERROR)
            if msg:
                err, dbg = msg.parse_error()
                check(False, 'no error (%s: %s)' % (err.message, dbg))
                break
        with lock:
            seen = dict(counts)
        check(got_media(), 'decoded video and audio reach webrtcsrc\'s pads '
              '(buffers %s)' % seen)
        st = src.get_property('stats')
        pair = [st.get_value(k) if st.has_field(k) else None
                for k in ('local-candidate', 'remote-candidate')]
        addrs = [c.get_value('address') if c else None for c in pair]
        check(all(a in ('127.0.0.1', '::1') for a in addrs),
              'the selected pair is on loopback (%s)' % addrs)
    finally:
        if pipe:
            pipe.set_state(Gst.State.NULL)
        sink.terminate()
        try:
            sink.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sink.kill()
            sink.wait()
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
