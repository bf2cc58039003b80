# SPDX-License-Identifier: LGPL-2.1-or-later
"""webrtcsink as a WHIP client (whip-url, RFC 9725) of webrtcsrc's WHIP
server, on 127.0.0.1 only.

  publish     decoded 320x240 video and audio reach the WHIP server; the
              publisher is listed among the viewers as "whip", connected;
              webrtcsink still serves WHEP viewers beside it; NULL sends
              DELETE: the receiver's pads get EOS, sender-left "deleted"
  codec       the WHIP server takes only H.264: webrtcsink's offer lists
              VP8 and H.264 and it sends H.264, which the server decodes
  token       whip-token is sent as a bearer token: the right one
              publishes, a wrong one is an element error naming the URL
              and the 401
  refused     a whip-url where nothing listens: an element error, no hang,
              and the pipeline still goes back to NULL
  server-gone the WHIP server stops mid-stream (its close_notify): an
              element error says the session ended
  restart     NULL, then PLAYING again: a second WHIP session (a
              keep-waiting server counts two sessions and new media)

Usage: webrtcsink-whip.py [--only NAME] (run in scripts/gst-env)."""
import argparse
import os
import socket
import sys
import time

import gi
gi.require_version('Gst', '1.0')
from gi.repository import Gst  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'lib'))
from whip_receiver import WhipReceiver  # noqa: E402

failed = 0
DEADLINE = 30


def check(cond, msg):
    global failed
    print(('PASS: ' if cond else 'FAIL: ') + msg, flush=True)
    if not cond:
        failed += 1
    return cond


def publisher(whip_url, extra=''):
    return Gst.parse_launch(
        'videotestsrc is-live=true ! video/x-raw,width=320,height=240,'
        'framerate=30/1 ! webrtcsink name=s port=0 local-addresses=127.0.0.1 '
        'whip-url=%s %s audiotestsrc is-live=true ! s.audio_0' %
        (whip_url, extra))


def bus_error(pipe, seconds):
    msg = pipe.get_bus().timed_pop_filtered(int(seconds * Gst.SECOND),
                                            Gst.MessageType.ERROR)
    if not msg:
        return None
    err, dbg = msg.parse_error()
    return '%s (%s)' % (err.message, dbg)


def got_media(rx):
    return (rx.counts.get('video_0', 0) >= 30 and
            rx.counts.get('audio_0', 0) >= 20)


def to_null(pipe):
    pipe.set_state(Gst.State.NULL)
    ret, cur, _ = pipe.get_state(10 * Gst.SECOND)
    return ret != Gst.StateChangeReturn.FAILURE and cur == Gst.State.NULL


def viewer_states(sink):
    stats = sink.get_property('stats')
    out = {}
    for pc in stats.get_value('peers') or []:
        out[pc.get_value('id')] = pc.get_value('state')
    return out


def publish():
    rx = WhipReceiver({})
    rx.start()
    tx = publisher(rx.url + 'whip')
    sink = tx.get_by_name('s')
    try:
        tx.set_state(Gst.State.PLAYING)
        ok = rx.iterate(lambda: got_media(rx), DEADLINE)
        check(ok and not rx.errors, 'publish: >= 30 video frames and >= 20 '
              'audio buffers reach the WHIP server (%s, %s)' %
              (rx.counts, rx.errors))
        v = rx.caps.get('video_0')
        check(v is not None and v.get_value('width') == 320 and
              v.get_value('height') == 240,
              'publish: the server decodes 320x240 video (%s)' % v)
        check(('video_0', 'VP8') in rx.tracks and
              ('audio_0', 'OPUS') in rx.tracks,
              'publish: VP8 and Opus tracks (%s)' % rx.tracks)
        states = viewer_states(sink)
        check(states.get('whip') == 'connected',
              'publish: stats list the publisher "whip", connected (%s)' %
              states)
        pc = [p for p in sink.get_property('stats').get_value('peers')
              if p.get_value('id') == 'whip'][0]
        tr = pc.get_value('transport')
        local = pc.get_value('local-candidate')
        check(tr is not None and tr.get_value('packetsSent') > 0 and
              tr.get_value('bytesReceived') > 0 and
              tr.get_value('dtlsState') == 'connected' and
              tr.get_value('srtpCipher') == 'AEAD_AES_128_GCM' and
              pc.get_value('candidate-pair') is not None and
              local is not None and local.get_value('address') == '127.0.0.1',
              'publish: W3C transport, candidate-pair and candidates in the '
              'stats (%s, %s)' % (tr, local))
        # still a WHEP server: its URL answers
        url = sink.get_property('url')
        check(url is not None and url.startswith('http://127.0.0.1:'),
              'publish: webrtcsink still serves viewers at %s' % url)
        check(bus_error(tx, 0) is None, 'publish: no error on the bus')
        check(to_null(tx), 'publish: the publisher goes back to NULL')
        ok = rx.iterate(lambda: len(rx.eos) >= 2 and rx.left, DEADLINE)
        check(ok and 'deleted' in ' '.join(rx.left),
              'publish: NULL sent DELETE: every pad got EOS, sender-left '
              '(%s, %s)' % (sorted(rx.eos), rx.left))
    finally:
        tx.set_state(Gst.State.NULL)
        rx.stop()


def codec():
    rx = WhipReceiver({'video-codecs': 'H264'})
    rx.start()
    tx = publisher(rx.url + 'whip')
    try:
        tx.set_state(Gst.State.PLAYING)
        ok = rx.iterate(lambda: got_media(rx), DEADLINE)
        check(ok, 'codec: media reaches a server that takes only H.264 (%s, '
              '%s)' % (rx.counts, rx.errors))
        check(('video_0', 'H264') in rx.tracks,
              'codec: the video track is H.264 (%s)' % rx.tracks)
        v = rx.caps.get('video_0')
        check(v is not None and v.get_value('width') == 320,
              'codec: H.264 decodes to 320x240 (%s)' % v)
    finally:
        tx.set_state(Gst.State.NULL)
        rx.stop()


def token():
    rx = WhipReceiver({'token': 'sesame'})
    rx.start()
    good = publisher(rx.url + 'whip', 'whip-token=sesame')
    try:
        good.set_state(Gst.State.PLAYING)
        ok = rx.iterate(lambda: got_media(rx), DEADLINE)
        check(ok, 'token: the right bearer token publishes (%s)' % rx.counts)
    finally:
        good.set_state(Gst.State.NULL)
    rx.iterate(lambda: rx.left, DEADLINE)
    bad = publisher(rx.url + 'whip', 'whip-token=wrong')
    try:
        bad.set_state(Gst.State.PLAYING)
        err = bus_error(bad, DEADLINE)
        check(err is not None and 'WHIP server' in err and
              rx.url in err and '401' in err,
              'token: a wrong token is an element error naming the URL and '
              'the 401 (%s)' % err)
        check(to_null(bad), 'token: back to NULL after the error')
    finally:
        bad.set_state(Gst.State.NULL)
        rx.stop()


def refused():
    # a port nobody listens on (bound, then closed)
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    url = 'http://127.0.0.1:%d/whip' % port
    tx = publisher(url)
    t0 = time.monotonic()
    try:
        tx.set_state(Gst.State.PLAYING)
        err = bus_error(tx, DEADLINE)
        check(err is not None and url in err,
              'refused: an element error naming the URL (%s)' % err)
        check(to_null(tx), 'refused: back to NULL')
        check(time.monotonic() - t0 < DEADLINE, 'refused: no hang')
    finally:
        tx.set_state(Gst.State.NULL)


def server_gone():
    rx = WhipReceiver({})
    rx.start()
    tx = publisher(rx.url + 'whip')
    try:
        tx.set_state(Gst.State.PLAYING)
        check(rx.iterate(lambda: got_media(rx), DEADLINE),
              'server-gone: publishing (%s)' % rx.counts)
        rx.stop()
        err = bus_error(tx, DEADLINE)
        check(err is not None and 'WHIP session ended' in err,
              'server-gone: an element error says the session ended (%s)' %
              err)
        check(to_null(tx), 'server-gone: back to NULL')
    finally:
        tx.set_state(Gst.State.NULL)
        rx.stop()


def restart():
    rx = WhipReceiver({'keep-waiting': True})
    rx.start()
    tx = publisher(rx.url + 'whip')
    try:
        tx.set_state(Gst.State.PLAYING)
        ok = rx.iterate(lambda: got_media(rx), DEADLINE)
        check(ok, 'restart: the first session brings media (%s, %s)' %
              (rx.counts, rx.errors))
        check(to_null(tx), 'restart: the publisher goes back to NULL')
        ok = rx.iterate(lambda: rx.left, DEADLINE)
        check(ok, 'restart: the server saw the first session end (%s)' %
              rx.left)
        # and tore it down (keep-waiting): until then a new publisher gets
        # 409 "still leaving"
        ok = rx.iterate(lambda: rx.src.get_property('stats').get_value(
            'state') == 'waiting', DEADLINE)
        check(ok, 'restart: the server waits for the next publisher')
        before = dict(rx.counts)
        tx.set_state(Gst.State.PLAYING)

        def second():
            return (rx.src.get_property('stats').get_value('sessions-total')
                    == 2 and rx.counts.get('video_0', 0) >=
                    before.get('video_0', 0) + 30)
        ok = rx.iterate(second, DEADLINE)
        check(ok, 'restart: PLAYING again publishes a second session with '
              'media (%s -> %s, %s)' % (before, rx.counts, rx.errors))
        err = bus_error(tx, 0)
        check(err is None, "restart: no error on the bus (%s)" % err)
    finally:
        tx.set_state(Gst.State.NULL)
        rx.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--only')
    args = ap.parse_args()
    Gst.init(None)
    tests = {'publish': publish, 'codec': codec, 'token': token,
             'refused': refused, 'server-gone': server_gone,
             'restart': restart}
    for name, fn in tests.items():
        if args.only and name != args.only:
            continue
        try:
            fn()
        except Exception as e:  # a crash of the harness is a failure
            check(False, '%s: %s' % (name, e))
    print('OK' if failed == 0 else '%d FAILED' % failed)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
