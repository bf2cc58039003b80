# SPDX-License-Identifier: LGPL-2.1-or-later
"""webrtcsrc as a WHEP client of webrtcsink, on 127.0.0.1 only.

  one-pipeline  webrtcsink and webrtcsrc in one pipeline: decoded video of
                the size fed in (320x240) and decoded audio arrive
  two-process   webrtcsink in a gst-launch-1.0 child: the same, and when
                the child stops (DELETE / close_notify) the pads get EOS
  record        decode=false into matroskamux: gst-discoverer-1.0 reads the
                file back as VP8 + Opus with a duration
  refused       a WHEP URL that answers 404: an element error that names
                the status, no hang
  leaks         gst-launch-1.0 with the leaks tracer: receives, Ctrl-C,
                nothing alive at exit
  whip-config   (WHIP server) /config.json: the publish page's ICE servers
                behind the token; a bad stun-server fails the start
  obs-offer     (WHIP server) an offer shaped like OBS Studio's is
                answered with its H.264 and Opus
  cycles        READY -> PLAYING -> NULL twice with a live server
  downstream-eos  "record the first N frames": gst-launch-1.0 with identity
                eos-after=61 on video_0 and eos-after=26 on audio_0 ends
                by itself (a GST_FLOW_EOS from downstream ends that pad,
                as basesrc does), and webrtcsink's viewer is gone (DELETE)
  zero-latency  latency=0: rtpbin gets webrtcsrc's zero-latency
                jitterbuffer; decoded video and audio arrive, each frame
                in the thread that received its packets, with presentation
                times that never go back

Usage: webrtcsrc-whep.py [--codec VP8|H264|AV1] (run in scripts/gst-env)."""
import argparse
import os
import threading
import re
import signal
import subprocess
import sys
import tempfile
import urllib.parse
import time

import gi
gi.require_version('Gst', '1.0')
from gi.repository import GLib, Gst  # noqa: E402

failed = 0
DEADLINE = 30  # seconds any one wait may take before the check fails


def check(cond, msg):
    global failed
    print(('PASS: ' if cond else 'FAIL: ') + msg, flush=True)
    if not cond:
        failed += 1
    return cond


class Receiver:
    """webrtcsrc's pads to counting fakesinks (or a recorder)."""

    def __init__(self, pipe, src):
        self.pipe = pipe
        self.counts = {}
        self.caps = {}
        self.eos = set()
        self.errors = []
        self.tracks = []
        src.connect('pad-added', self.on_pad)
        src.connect('track-added', lambda s, name, codec:
                    self.tracks.append((name, codec)))

    def on_pad(self, src, pad):
        name = pad.get_name()
        self.counts[name] = 0
        sink = Gst.ElementFactory.make('fakesink', None)
        sink.set_property('sync', False)
        sink.set_property('async', False)
        self.pipe.add(sink)
        sink.sync_state_with_parent()
        pad.link(sink.get_static_pad('sink'))

        def probe(p, info):
            if info.type & Gst.PadProbeType.BUFFER:
                self.counts[name] += 1
                caps = p.get_current_caps()
                if caps:
                    self.caps[name] = caps.get_structure(0)
            elif info.get_event().type == Gst.EventType.EOS:
                self.eos.add(name)
            return Gst.PadProbeReturn.OK
        pad.add_probe(Gst.PadProbeType.BUFFER |
                      Gst.PadProbeType.EVENT_DOWNSTREAM, probe)


def src_pipeline(props):
    """A pipeline holding one webrtcsrc named src (parse_launch would
    return the bare element)."""
    pipe = Gst.Pipeline.new(None)
    src = Gst.ElementFactory.make('webrtcsrc', 'src')
    for k, v in props.items():
        src.set_property(k, v)
    pipe.add(src)
    return pipe


def run_until(pipe, cond, seconds=DEADLINE):
    """Iterates the bus until cond() holds, an error, or the deadline."""
    bus = pipe.get_bus()
    end = time.monotonic() + seconds
    errors = []
    while time.monotonic() < end:
        if cond():
            return True, errors
        msg = bus.timed_pop_filtered(
            50 * Gst.MSECOND, Gst.MessageType.ERROR | Gst.MessageType.EOS)
        if msg and msg.type == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            errors.append('%s (%s)' % (err.message, dbg))
            return cond(), errors
    return cond(), errors


def wait_state(pipe, state):
    ret, cur, _ = pipe.get_state(10 * Gst.SECOND)
    return ret != Gst.StateChangeReturn.FAILURE and cur == state


def sink_desc(codec, port):
    return ('videotestsrc is-live=true ! video/x-raw,width=320,height=240,'
            'framerate=30/1 ! webrtcsink name=sink port=%d '
            'local-addresses=127.0.0.1 %s '
            'audiotestsrc is-live=true ! sink.audio_0' %
            (port, '' if codec == 'VP8' else 'video-codecs=' + codec))


def got_media(rx):
    return (rx.counts.get('video_0', 0) >= 30 and
            rx.counts.get('audio_0', 0) >= 20)


def check_media(rx, what, codec):
    v = rx.caps.get('video_0')
    check(v is not None and v.get_name() == 'video/x-raw' and
          v.get_value('width') == 320 and v.get_value('height') == 240,
          '%s: video_0 decodes 320x240 raw video (%s)' % (what, v))
    a = rx.caps.get('audio_0')
    check(a is not None and a.get_name() == 'audio/x-raw',
          '%s: audio_0 decodes raw audio (%s)' % (what, a))
    check(('video_0', codec) in rx.tracks and ('audio_0', 'OPUS') in rx.tracks,
          '%s: track-added named both tracks and codecs (%s)' %
          (what, rx.tracks))


def one_pipeline(codec):
    pipe = Gst.parse_launch(
        sink_desc(codec, 0) + ' webrtcsrc name=src local-addresses=127.0.0.1')
    src = pipe.get_by_name('src')
    rx = Receiver(pipe, src)
    # the sink's server listens from READY on: its url is known then
    pipe.set_state(Gst.State.READY)
    url = pipe.get_by_name('sink').get_property('url')
    check(url is not None and url.startswith('http://127.0.0.1:'),
          'one-pipeline: webrtcsink serves at %s' % url)
    src.set_property('whep-url', url + 'whep')
    pipe.set_state(Gst.State.PLAYING)
    ok, errors = run_until(pipe, lambda: got_media(rx))
    check(ok and not errors, 'one-pipeline: >= 30 video frames and >= 20 '
          'audio buffers arrive (%s, errors %s)' % (rx.counts, errors))
    check_media(rx, 'one-pipeline', codec)
    stats = src.get_property('stats')
    check(stats.get_value('state') == 'connected' and
          stats.get_value('packets-received') > 0,
          'one-pipeline: stats say connected with packets (%s)' %
          stats.to_string())
    tr = stats.get_value('transport')
    pair = stats.get_value('candidate-pair')
    remote = stats.get_value('remote-candidate')
    check(tr is not None and tr.get_value('packetsReceived') > 0 and
          tr.get_value('bytesSent') > 0 and
          tr.get_value('dtlsState') == 'connected' and
          tr.get_value('srtpCipher') is not None and pair is not None and
          pair.get_value('state') == 'succeeded' and remote is not None and
          remote.get_value('address') == '127.0.0.1',
          'one-pipeline: W3C transport, candidate-pair and remote-candidate '
          '(%s, %s)' % (tr, remote))
    tracks = {t.get_value('pad'): t for t in stats.get_value('tracks')}
    v = tracks.get('video_0')
    check(v is not None and v.get_value('started') and
          v.get_value('ssrc') is not None and
          v.get_value('packetsReceived') >= 30 and
          v.get_value('bytesReceived') > 0 and
          v.get_value('packetsLost') is not None and
          v.get_value('jitter') is not None,
          'one-pipeline: inbound-rtp of video_0 has the sender\'s SSRC, '
          'packetsReceived, bytesReceived, packetsLost, jitter (%s)' %
          (v.to_string() if v else None))
    pipe.set_state(Gst.State.NULL)
    check(wait_state(pipe, Gst.State.NULL), 'one-pipeline: back to NULL')


def walk(bin_):
    for e in bin_.iterate_recurse():
        yield e


def zero_latency():
    pipe = Gst.parse_launch(
        sink_desc('VP8', 0) + ' webrtcsrc name=src latency=0 '
        'local-addresses=127.0.0.1')
    src = pipe.get_by_name('src')
    rx = Receiver(pipe, src)
    pipe.set_state(Gst.State.READY)
    src.set_property('whep-url',
                     pipe.get_by_name('sink').get_property('url') + 'whep')
    rx_threads = set()
    out = {'threads': set(), 'pts': [], 'back': 0}
    probed = []

    def on_rtp_in(p, info):
        rx_threads.add(threading.get_ident())
        return Gst.PadProbeReturn.OK

    def on_video(p, info):
        buf = info.get_buffer()
        out['threads'].add(threading.get_ident())
        if out['pts'] and buf.pts < out['pts'][-1]:
            out['back'] += 1
        out['pts'].append(buf.pts)
        return Gst.PadProbeReturn.OK

    def probe_pads():
        # rtpbin exists from the offer on, video_0 from negotiation on
        if not probed:
            rtpbin = next((e for e in walk(src) if e.get_factory() and
                           e.get_factory().get_name() == 'rtpbin'), None)
            pad = rtpbin.get_static_pad('recv_rtp_sink_0') if rtpbin else None
            if pad:
                pad.add_probe(Gst.PadProbeType.BUFFER, on_rtp_in)
                probed.append(pad)
        if len(probed) == 1 and src.get_static_pad('video_0'):
            src.get_static_pad('video_0').add_probe(Gst.PadProbeType.BUFFER,
                                                    on_video)
            probed.append(src.get_static_pad('video_0'))
        return len(probed) == 2 and len(out['pts']) >= 30 and got_media(rx)

    pipe.set_state(Gst.State.PLAYING)
    ok, errors = run_until(pipe, probe_pads)
    check(ok and not errors, 'zero-latency: >= 30 video frames and >= 20 '
          'audio buffers arrive (%s, errors %s)' % (rx.counts, errors))
    check_media(rx, 'zero-latency', 'VP8')
    jbs = [e for e in walk(src)
           if type(e).__gtype__.name == 'GstWrtcPlayoutBuffer']
    check(len(jbs) == 2, 'zero-latency: both tracks have the zero-latency '
          'jitterbuffer (%d)' % len(jbs))
    pushed = [jb.get_property('stats').get_value('num-pushed') for jb in jbs]
    check(all(n > 0 for n in pushed),
          'zero-latency: packets went through them (%s)' % pushed)
    # lip sync: rtpbin reads each sender report's timing from them
    # (handle-sync) and sets the streams' offsets (ts-offset) once both
    # tracks had one
    ok, _ = run_until(pipe, lambda: any(
        jb.get_property('ts-offset') != 0 for jb in jbs), 15)
    check(ok, 'zero-latency: rtpbin\'s lip sync set a ts-offset on them '
          '(%s)' % [jb.get_property('ts-offset') for jb in jbs])
    check(out['threads'] and out['threads'] <= rx_threads,
          'zero-latency: video frames leave in the thread that brought '
          'their packets into rtpbin (no jitterbuffer thread)')
    check(out['back'] == 0, 'zero-latency: video presentation times never '
          'go back (%d frames)' % len(out['pts']))
    pipe.set_state(Gst.State.NULL)
    check(wait_state(pipe, Gst.State.NULL), 'zero-latency: back to NULL')


def start_sink_process(codec):
    child = subprocess.Popen(
        ['gst-launch-1.0', '-e'] + sink_desc(codec, 0).split(),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    end = time.monotonic() + DEADLINE
    out = ''
    while time.monotonic() < end:
        line = child.stdout.readline()
        if not line:
            break
        out += line
        m = re.search(r'webrtcsink: open (http://\S+)', line)
        if m:
            return child, m.group(1)
    child.kill()
    raise RuntimeError('webrtcsink did not print its URL:\n' + out)


def stop_child(child):
    if child.poll() is None:
        child.send_signal(signal.SIGINT)
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def two_process(codec):
    child, url = start_sink_process(codec)
    try:
        pipe = src_pipeline({'local-addresses': '127.0.0.1',
                             'whep-url': url + 'whep'})
        src = pipe.get_by_name('src')
        rx = Receiver(pipe, src)
        left = []
        src.connect('sender-left', lambda s, why: left.append(why))
        pipe.set_state(Gst.State.PLAYING)
        ok, errors = run_until(pipe, lambda: got_media(rx))
        check(ok and not errors, 'two-process: video and audio arrive '
              '(%s, errors %s)' % (rx.counts, errors))
        check_media(rx, 'two-process', codec)

        # the sender stops: DELETE is not ours to send, but its close_notify
        # (or ICE failure) ends the session; every pad gets EOS
        stop_child(child)
        ok, errors = run_until(pipe, lambda: rx.eos >= {'video_0', 'audio_0'})
        check(ok and not errors, 'two-process: both pads get EOS when the '
              'sender stops (eos %s, errors %s)' % (sorted(rx.eos), errors))
        check(len(left) == 1, 'two-process: sender-left once (%s)' % left)
        pipe.set_state(Gst.State.NULL)
    finally:
        stop_child(child)


def sink_viewers(url):
    """webrtcsink's viewer count, from its /stats.json."""
    import json
    import urllib.request
    with urllib.request.urlopen(url + 'stats.json', timeout=5) as r:
        return json.load(r)['viewers']


def downstream_eos(codec):
    # with rtpjitterbuffer's threads, and at latency 0 (the ICE thread
    # pushes through to the pads; there the sinks must not preroll: a sink
    # waiting for preroll on the ICE thread holds up every other track)
    for latency in ('50', '0'):
        sink = 'fakesink' if latency != '0' else 'fakesink async=false'

        child, url = start_sink_process(codec)
        what = 'downstream-eos (latency %s)' % latency
        try:
            cmd = ['gst-launch-1.0', 'webrtcsrc', 'name=s',
                   'local-addresses=127.0.0.1', 'latency=' + latency,
                   'whep-url=%swhep' % url,
                   's.video_0', '!', 'identity', 'eos-after=61', '!'] + \
                sink.split() + ['s.audio_0', '!', 'identity', 'eos-after=26',
                                '!'] + sink.split()
            try:
                out = subprocess.run(cmd, capture_output=True, text=True,
                                     timeout=DEADLINE)
                code, text = out.returncode, out.stdout + out.stderr
            except subprocess.TimeoutExpired as e:
                code, text = None, '%s' % e
            check(code == 0 and 'Got EOS from element' in text,
                  '%s: the pipeline ends by itself with EOS (exit %s):\n%s'
                  % (what, code, text[-2000:]))
            end = time.monotonic() + DEADLINE
            viewers = sink_viewers(url)
            while viewers and time.monotonic() < end:
                time.sleep(0.1)
                viewers = sink_viewers(url)
            check(viewers == 0, '%s: the session ended at webrtcsink '
                  '(DELETE): %s viewers left' % (what, viewers))
        finally:
            stop_child(child)


def record():
    child, url = start_sink_process('VP8')
    path = os.path.join(tempfile.mkdtemp(prefix='webrtcsrc-'), 'rec.mkv')
    try:
        pipe = Gst.parse_launch(
            'webrtcsrc name=src decode=false local-addresses=127.0.0.1 '
            'whep-url=%swhep matroskamux name=mux ! filesink location=%s'
            % (url, path))
        src = pipe.get_by_name('src')
        mux = pipe.get_by_name('mux')
        got = {}

        def on_pad(s, pad):
            q = Gst.ElementFactory.make('queue', None)
            pipe.add(q)
            q.sync_state_with_parent()
            pad.link(q.get_static_pad('sink'))
            kind = 'video_%u' if pad.get_name().startswith('video') else \
                'audio_%u'
            q.link_pads('src', mux, kind)
            got[pad.get_name()] = 0

            def probe(p, info):
                got[pad.get_name()] += 1
                return Gst.PadProbeReturn.OK
            pad.add_probe(Gst.PadProbeType.BUFFER, probe)
        src.connect('pad-added', on_pad)
        pipe.set_state(Gst.State.PLAYING)
        ok, errors = run_until(pipe, lambda: got.get('video_0', 0) >= 60 and
                               got.get('audio_0', 0) >= 100)
        check(ok and not errors, 'record: encoded video and audio arrive '
              '(%s, errors %s)' % (got, errors))
        # EOS into the muxer finishes the file
        pipe.send_event(Gst.Event.new_eos())
        bus = pipe.get_bus()
        msg = bus.timed_pop_filtered(10 * Gst.SECOND, Gst.MessageType.EOS |
                                     Gst.MessageType.ERROR)
        check(msg is not None and msg.type == Gst.MessageType.EOS,
              'record: the recording pipeline reaches EOS')
        pipe.set_state(Gst.State.NULL)
    finally:
        stop_child(child)
    out = subprocess.run(['gst-discoverer-1.0', path], capture_output=True,
                         text=True, timeout=60).stdout
    check(re.search(r'video(: | #\d+: )VP8', out) is not None,
          'record: gst-discoverer-1.0 finds VP8 video in the file')
    check(re.search(r'audio(: | #\d+: )Opus', out) is not None,
          'record: gst-discoverer-1.0 finds Opus audio in the file')
    m = re.search(r'Duration: (\d+):(\d+):(\d+)\.(\d+)', out)
    secs = (int(m.group(1)) * 3600 + int(m.group(2)) * 60 +
            int(m.group(3)) + float('0.' + m.group(4))) if m else 0
    check(secs >= 1.0, 'record: the file lasts %.2f s (>= 1 s)' % secs)
    if failed:
        print(out)


def refused():
    child, url = start_sink_process('VP8')
    try:
        pipe = src_pipeline({'local-addresses': '127.0.0.1',
                             'whep-url': url + 'not-whep'})
        rx = Receiver(pipe, pipe.get_by_name('src'))
        pipe.set_state(Gst.State.PLAYING)
        ok, errors = run_until(pipe, lambda: False, 15)
        check(len(errors) == 1 and '404' in errors[0],
              'refused: a 404 from the server is an element error naming '
              'the status (%s)' % errors)
        check(not rx.counts, 'refused: no pads')
        pipe.set_state(Gst.State.NULL)
        check(wait_state(pipe, Gst.State.NULL), 'refused: back to NULL')
    finally:
        stop_child(child)


def leaks():
    """gst-launch-1.0 with the leaks tracer: receive, Ctrl-C, nothing of
    GStreamer's alive at exit."""
    child, url = start_sink_process('VP8')
    try:
        env = dict(os.environ, GST_TRACERS='leaks', GST_DEBUG='leaks:2')
        rx = subprocess.Popen(
            ['gst-launch-1.0', '-e', 'webrtcsrc', 'name=r',
             'local-addresses=127.0.0.1', 'whep-url=%swhep' % url,
             'r.video_0', '!', 'fakesink', 'name=fv', 'silent=false', '-v',
             'r.audio_0', '!', 'fakesink'], env=env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out, frames = [], 0
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end and frames < 30:
            line = rx.stdout.readline()
            if not line:
                break
            out.append(line)
            if 'fv' in line and 'chain' in line:
                frames += 1
        check(frames >= 30, 'leaks: gst-launch-1.0 receives frames (%d)' %
              frames)
        rx.send_signal(signal.SIGINT)
        try:
            rest, _ = rx.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            rx.kill()
            rest, _ = rx.communicate()
        text = ''.join(out) + rest
        check(rx.returncode == 0, 'leaks: Ctrl-C ends it cleanly (exit %s)'
              % rx.returncode)
        alive = [ln for ln in text.splitlines() if 'object-alive' in ln
                 or 'Leaks detected' in ln]
        check(not alive, 'leaks: nothing alive at exit (%s)' % alive[:3])
    finally:
        stop_child(child)


def whip_config():
    """WHIP server: /config.json gives the publish page the element's
    stun-server and turn-servers (behind the token), the page reads it."""
    import json
    import urllib.error
    import urllib.request
    pipe = src_pipeline({'port': 0, 'local-addresses': '127.0.0.1',
                         'token': 'T0K3N',
                         'stun-server': 'stun://127.0.0.1:3478',
                         'turn-servers': 'turn://al:s3cret@127.0.0.1:3479'})
    pipe.set_state(Gst.State.PLAYING)
    check(wait_state(pipe, Gst.State.PLAYING), 'whip-config: PLAYING')
    url = pipe.get_by_name('src').get_property('url')

    def get(path, token=None):
        req = urllib.request.Request(url + path)
        if token:
            req.add_header('Authorization', 'Bearer ' + token)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()
    st, _ = get('config.json')
    check(st == 401, 'whip-config: config.json needs the token (%d)' % st)
    st, body = get('config.json', 'T0K3N')
    cfg = json.loads(body) if st == 200 else {}
    check(cfg.get('whip') == 'whip' and cfg.get('iceServers') == [
        {'urls': ['stun:127.0.0.1:3478']},
        {'urls': ['turn:127.0.0.1:3479'], 'username': 'al',
         'credential': 's3cret'}] and cfg.get('iceTransportPolicy') == 'all',
        'whip-config: config.json has the endpoint, the ICE servers and the '
        'policy (%s)' % body.strip())
    st, js = get('publish.js')
    check(st == 200 and "'config.json'" in js and 'iceServers' in js and
          'iceTransportPolicy' in js,
          'whip-config: the publish page reads config.json')
    pipe.set_state(Gst.State.NULL)
    # ice-transport-policy=relay: the page is told so
    pipe.get_by_name('src').set_property('ice-transport-policy', 'relay')
    pipe.set_state(Gst.State.PLAYING)
    check(wait_state(pipe, Gst.State.PLAYING), 'whip-config: PLAYING, relay')
    url = pipe.get_by_name('src').get_property('url')
    st, body = get('config.json', 'T0K3N')
    cfg = json.loads(body) if st == 200 else {}
    check(cfg.get('iceTransportPolicy') == 'relay',
          'whip-config: config.json says relay (%s)' % body.strip())
    pipe.set_state(Gst.State.NULL)
    bad = src_pipeline({'port': 0, 'ice-transport-policy': 'relay'})
    ret = bad.set_state(Gst.State.PLAYING)
    ok, errors = run_until(bad, lambda: False, 5)
    check(ret == Gst.StateChangeReturn.FAILURE and errors and
          'needs turn-servers' in errors[0],
          'whip-config: relay without turn-servers fails the start, saying '
          'why (%s)' % errors[:1])
    bad.set_state(Gst.State.NULL)
    bad = src_pipeline({'port': 0, 'stun-server': 'not a url'})
    ret = bad.set_state(Gst.State.PLAYING)
    ok, errors = run_until(bad, lambda: False, 5)
    check(ret == Gst.StateChangeReturn.FAILURE and errors and
          'stun-server' in errors[0],
          'whip-config: a bad stun-server fails the start, naming it (%s)' %
          errors[:1])
    bad.set_state(Gst.State.NULL)


# The shape of OBS Studio's WHIP offer (libdatachannel): ICE credentials,
# fingerprint and setup at session level, a=group:LS, ice2 options,
# lower-case "opus", H.264 with profile-level-id 42e01f whatever it encodes,
# no a=rtcp-fb, SSRCs with msid.
OBS_OFFER = """v=0\r
o=rtc 1234567890 0 IN IP4 127.0.0.1\r
s=-\r
t=0 0\r
a=group:BUNDLE 0 1\r
a=group:LS 0 1\r
a=msid-semantic:WMS *\r
a=setup:actpass\r
a=ice-ufrag:Qw3r\r
a=ice-pwd:tYp0aB9cD8eF7gH6iJ5kL4\r
a=ice-options:ice2,trickle\r
a=fingerprint:sha-256 11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00\r
m=audio 50000 UDP/TLS/RTP/SAVPF 111\r
c=IN IP4 127.0.0.1\r
a=mid:0\r
a=sendonly\r
a=ssrc:1111111111 cname:obsLikeCname0001\r
a=ssrc:1111111111 msid:obsLikeStream001 obsLikeStream001-audio\r
a=msid:obsLikeStream001 obsLikeStream001-audio\r
a=rtcp-mux\r
a=rtpmap:111 opus/48000/2\r
a=fmtp:111 minptime=10;maxaveragebitrate=96000;stereo=1;sprop-stereo=1;useinbandfec=1\r
a=candidate:1 1 UDP 2122317823 127.0.0.1 50000 typ host\r
a=end-of-candidates\r
m=video 50000 UDP/TLS/RTP/SAVPF 96\r
c=IN IP4 127.0.0.1\r
a=mid:1\r
a=sendonly\r
a=ssrc:2222222222 cname:obsLikeCname0001\r
a=ssrc:2222222222 msid:obsLikeStream001 obsLikeStream001-video\r
a=msid:obsLikeStream001 obsLikeStream001-video\r
a=rtcp-mux\r
a=rtpmap:96 H264/90000\r
a=fmtp:96 profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1\r
"""


def obs_offer():
    """An offer shaped like OBS Studio's WHIP output is answered (201):
    recvonly H.264 and Opus on its payload types, a=setup:active."""
    import urllib.error
    import urllib.request
    pipe = src_pipeline({'port': 0, 'local-addresses': '127.0.0.1'})
    pipe.set_state(Gst.State.PLAYING)
    check(wait_state(pipe, Gst.State.PLAYING), 'obs-offer: PLAYING')
    url = pipe.get_by_name('src').get_property('url')
    req = urllib.request.Request(url + 'whip', data=OBS_OFFER.encode(),
                                 method='POST',
                                 headers={'Content-Type': 'application/sdp'})
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            st, loc, answer = r.status, r.headers.get('Location'), \
                r.read().decode()
    except urllib.error.HTTPError as e:
        st, loc, answer = e.code, None, e.read().decode()
    check(st == 201 and loc, 'obs-offer: 201 with a Location (%d %s)' %
          (st, answer.strip()[:120] if st != 201 else loc))
    check('a=rtpmap:96 H264/90000' in answer and
          'packetization-mode=1' in answer and
          re.search(r'a=rtpmap:111 (?i:opus)/48000/2', answer) is not None,
          'obs-offer: the answer takes its H.264 (pt 96) and Opus (pt 111)')
    check(answer.count('a=recvonly') == 2 and 'a=setup:active' in answer,
          'obs-offer: both m-sections recvonly, we are the DTLS client')
    if loc:
        req = urllib.request.Request(urllib.parse.urljoin(url + 'whip', loc),
                                     method='DELETE')
        with urllib.request.urlopen(req, timeout=10) as r:
            check(r.status == 200, 'obs-offer: DELETE ends it')
    pipe.set_state(Gst.State.NULL)


def cycles():
    child, url = start_sink_process('VP8')
    try:
        pipe = src_pipeline({'local-addresses': '127.0.0.1',
                             'whep-url': url + 'whep'})
        rx = Receiver(pipe, pipe.get_by_name('src'))
        for i in range(2):
            rx.counts.clear()
            rx.caps.clear()
            pipe.set_state(Gst.State.PLAYING)
            ok, errors = run_until(pipe, lambda: got_media(rx))
            check(ok and not errors, 'cycles: run %d receives (%s)' %
                  (i + 1, rx.counts))
            pipe.set_state(Gst.State.NULL)
            check(wait_state(pipe, Gst.State.NULL), 'cycles: run %d back to '
                  'NULL' % (i + 1))
            check(not [p for p in pipe.get_by_name('src').pads],
                  'cycles: run %d removed its pads' % (i + 1))
    finally:
        stop_child(child)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--codec', default='VP8')
    ap.add_argument('--only', default=None)
    args = ap.parse_args()
    Gst.init(None)
    check(Gst.ElementFactory.find('webrtcsrc') is not None,
          'webrtcsrc is registered')
    tests = {'one-pipeline': lambda: one_pipeline(args.codec),
             'two-process': lambda: two_process(args.codec),
             'record': record, 'refused': refused, 'leaks': leaks,
             'whip-config': whip_config, 'obs-offer': obs_offer,
             'cycles': cycles, 'zero-latency': zero_latency,
             'downstream-eos': lambda: downstream_eos(args.codec)}
    if args.codec != 'VP8':
        tests = {k: v for k, v in tests.items()
                 if k in ('one-pipeline', 'two-process', 'downstream-eos')}
    for name, fn in tests.items():
        if args.only and name != args.only:
            continue
        try:
            fn()
        except Exception as e:  # a crash of the harness is a failure
            check(False, '%s: %s' % (name, e))
    print('%s' % ('OK' if failed == 0 else '%d FAILED' % failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
