# SPDX-License-Identifier: LGPL-2.1-or-later
"""webrtcsrc as a WHIP server, its pads counted: a module and a script.

As a module (the python tests, in their own process):

    rx = WhipReceiver({'token': 'T'})   # a pipeline with one webrtcsrc
    rx.start()                          # PLAYING; rx.url is the base URL
    rx.iterate(cond, seconds)           # bus + GLib until cond() holds
    rx.counts, rx.caps, rx.eos, rx.left, rx.errors, rx.tracks

As a script (the browser tests start it inside their namespace, in the
isolated environment):

    whip_receiver.py [--token T] [--decode false] [--turn-servers URLS]
                     [--whep-url URL] [--ice-transport-policy all|relay]

--turn-servers sets webrtcsrc's turn-servers; --whep-url makes it a WHEP
client of URL instead of a WHIP server (its "url" event then carries null).
"stats" on stdin prints {"event": "stats", "state", "twcc": transport-cc
feedback packets sent, "packets-received", and "local-candidate",
"remote-candidate": the selected pair's candidates (candidateType, address,
port) or null}.  It prints one JSON object per line on stdout: {"event": "url", "url": ...}
once it listens, then "pad", "track", "caps" (pad, caps, width, height),
"counts" (every change, at most every 200 ms), "eos" (pad), "sender-left"
(reason), "error" (message); it stops on "quit" or EOF on stdin, prints
{"event": "stopped"} and exits 0 (1 if it never reached PLAYING).
"""
import argparse
import json
import os
import sys
import threading
import time

import gi
gi.require_version('Gst', '1.0')
from gi.repository import Gst  # noqa: E402


class WhipReceiver:
    """One webrtcsrc in its own pipeline; every pad it adds goes to a
    fakesink through a probe that counts buffers and keeps the caps."""

    def __init__(self, props=None):
        Gst.init(None)
        self.pipe = Gst.Pipeline.new('whip-receiver')
        self.src = Gst.ElementFactory.make('webrtcsrc', 'src')
        if self.src is None:
            raise RuntimeError('no webrtcsrc element (isolated env?)')
        props = dict(props or {})
        props.setdefault('port', 0)
        props.setdefault('local-addresses', '127.0.0.1')
        for k, v in props.items():
            self.src.set_property(k, v)
        self.pipe.add(self.src)
        self.lock = threading.Lock()
        self.counts = {}
        self.caps = {}
        self.eos = set()
        self.left = []
        self.errors = []
        self.warnings = []
        self.tracks = []
        self.pads = []
        self.no_more_pads = False
        self.url = None
        self.on_event = None    # callable(dict), for the script
        self.src.connect('pad-added', self._on_pad)
        self.src.connect('no-more-pads', self._on_no_more_pads)
        self.src.connect('track-added', self._on_track)
        self.src.connect('sender-left', self._on_left)

    def _emit(self, **kw):
        if self.on_event:
            self.on_event(kw)

    def _on_no_more_pads(self, _src):
        with self.lock:
            self.no_more_pads = True

    def _on_track(self, _src, name, codec):
        with self.lock:
            self.tracks.append((name, codec))
        self._emit(event='track', pad=name, codec=codec)

    def _on_left(self, _src, reason):
        with self.lock:
            self.left.append(reason)
        self._emit(event='sender-left', reason=reason)

    def _on_pad(self, _src, pad):
        name = pad.get_name()
        with self.lock:
            self.counts[name] = 0
            self.pads.append(name)
        self._emit(event='pad', pad=name)
        sink = Gst.ElementFactory.make('fakesink', None)
        sink.set_property('sync', False)
        sink.set_property('async', False)
        self.pipe.add(sink)
        sink.sync_state_with_parent()
        pad.link(sink.get_static_pad('sink'))

        def probe(p, info):
            if info.type & Gst.PadProbeType.BUFFER:
                with self.lock:
                    self.counts[name] += 1
            else:
                ev = info.get_event()
                if ev.type == Gst.EventType.EOS:
                    with self.lock:
                        self.eos.add(name)
                    self._emit(event='eos', pad=name)
                elif ev.type == Gst.EventType.CAPS:
                    caps = ev.parse_caps()
                    s = caps.get_structure(0)
                    w = s.get_value('width') if s.has_field('width') else None
                    h = (s.get_value('height') if s.has_field('height')
                         else None)
                    with self.lock:
                        self.caps[name] = s
                    self._emit(event='caps', pad=name, caps=caps.to_string(),
                               media=s.get_name(), width=w, height=h)
            return Gst.PadProbeReturn.OK
        pad.add_probe(Gst.PadProbeType.BUFFER |
                      Gst.PadProbeType.EVENT_DOWNSTREAM, probe)

    def start(self):
        """PLAYING; False if it does not get there."""
        if self.pipe.set_state(Gst.State.PLAYING) == \
                Gst.StateChangeReturn.FAILURE:
            return False
        ret, cur, _ = self.pipe.get_state(10 * Gst.SECOND)
        self.url = self.src.get_property('url')
        # a WHEP client serves nothing: no url
        whep = self.src.get_property('whep-url') is not None
        return cur == Gst.State.PLAYING and (self.url is not None or whep)

    def snapshot(self):
        with self.lock:
            return dict(self.counts)

    def iterate(self, cond, seconds):
        """Pops bus messages (errors and warnings collected) until cond()
        holds or @seconds pass; returns cond().  A deadline, never a timing
        assertion."""
        bus = self.pipe.get_bus()
        end = time.monotonic() + seconds
        while True:
            if cond():
                return True
            if time.monotonic() >= end:
                return cond()
            msg = bus.timed_pop_filtered(
                50 * Gst.MSECOND,
                Gst.MessageType.ERROR | Gst.MessageType.WARNING)
            if msg is None:
                continue
            if msg.type == Gst.MessageType.ERROR:
                err, dbg = msg.parse_error()
                self.errors.append('%s (%s)' % (err.message, dbg))
                self._emit(event='error', message=err.message, debug=dbg)
            else:
                err, dbg = msg.parse_warning()
                self.warnings.append('%s (%s)' % (err.message, dbg))
                self._emit(event='warning', message=err.message, debug=dbg)

    def stop(self):
        self.pipe.set_state(Gst.State.NULL)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--token')
    ap.add_argument('--decode', default='true', choices=('true', 'false'))
    ap.add_argument('--video-codecs')
    ap.add_argument('--turn-servers')
    ap.add_argument('--whep-url')
    ap.add_argument('--ice-transport-policy')
    ap.add_argument('--max-seconds', type=int, default=170)
    args = ap.parse_args()

    out_lock = threading.Lock()

    def emit(ev):
        with out_lock:
            sys.stdout.write(json.dumps(ev) + '\n')
            sys.stdout.flush()

    props = {'decode': args.decode == 'true'}
    if args.token:
        props['token'] = args.token
    if args.video_codecs:
        props['video-codecs'] = args.video_codecs
    if args.turn_servers:
        props['turn-servers'] = args.turn_servers
    if args.whep_url:
        props['whep-url'] = args.whep_url
    if args.ice_transport_policy:
        props['ice-transport-policy'] = args.ice_transport_policy
    rx = WhipReceiver(props)
    rx.on_event = emit
    plugin = rx.src.get_factory().get_plugin()
    emit({'event': 'impl', 'plugin': plugin.get_filename() if plugin
          else None})
    if not rx.start():
        emit({'event': 'fatal', 'reason': 'webrtcsrc does not reach PLAYING'})
        rx.stop()
        return 1
    emit({'event': 'url', 'url': rx.url})

    quit_ev = threading.Event()
    stats_ev = threading.Event()

    def read_stdin():
        for line in sys.stdin:
            if line.strip() == 'quit':
                break
            if line.strip() == 'stats':
                stats_ev.set()
        quit_ev.set()
    threading.Thread(target=read_stdin, daemon=True).start()

    end = time.monotonic() + args.max_seconds
    last = None
    while not quit_ev.is_set() and time.monotonic() < end:
        rx.iterate(quit_ev.is_set, 0.2)
        snap = rx.snapshot()
        if snap != last:
            emit({'event': 'counts', 'counts': snap})
            last = snap
        if stats_ev.is_set():
            stats_ev.clear()
            st = rx.src.get_property('stats')

            def cand(name):
                if not st.has_field(name):
                    return None
                c = st.get_value(name)
                return {k: c.get_value(k)
                        for k in ('candidateType', 'address', 'port')}
            emit({'event': 'stats', 'state': st.get_value('state'),
                  'twcc': (st.get_value('transport-cc-feedback-sent')
                           if st.has_field('transport-cc-feedback-sent')
                           else None),
                  'packets-received': (st.get_value('packets-received')
                                       if st.has_field('packets-received')
                                       else None),
                  'local-candidate': cand('local-candidate'),
                  'remote-candidate': cand('remote-candidate')})
    rx.stop()
    emit({'event': 'stopped'})
    sys.stdout.flush()
    os._exit(0)


if __name__ == '__main__':
    sys.exit(main())
