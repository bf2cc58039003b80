# SPDX-License-Identifier: LGPL-2.1-or-later
"""webrtcsrc as a WHIP server, gst-plugins-bad's webrtcbin publishing to it.

Processes on 127.0.0.1:
  receiver   our webrtcsrc in this process (isolated environment, the
             driver's own: gst_env), port=0, local-addresses=127.0.0.1,
             every pad counted into a fakesink (whip_receiver.py);
  publisher  this script with --side publisher, webrtcbin with the stock
             registry (GST_PLUGIN_PATH, GST_PLUGIN_SYSTEM_PATH and
             GST_REGISTRY removed): sendonly VP8 video (videotestsrc
             320x240) and Opus audio, its ICE pinned to 127.0.0.1 through
             its NiceAgent, the offer POSTed to /whip with urllib once
             gathering is complete, the answer applied.  It prints one JSON
             object per line and reads commands ("delete", "quit") on stdin.

  --scenario publish
      webrtcsrc decodes 320x240 frames and audio (track-added names VP8 and
      OPUS, no-more-pads, stats count the session); then the publisher is
      killed with SIGKILL mid-stream: sender-left fires and both pads get
      EOS (a hang guard of 60 s: consent freshness / ICE failure, not a
      timing assertion), no element error, and a later offer is refused
      with 409 and a reason (one stream per run); the pipeline stops.
  --scenario keep-waiting
      webrtcsrc keep-waiting=true: a first publisher decodes, leaves with
      DELETE (sender-left, no EOS); a second publishes and its media comes
      out of the same two pads (no new pads, no EOS, two sessions).
  --scenario bad-input
      webrtcsrc has a token.  With no publisher: malformed SDP, not SDP,
      an empty body, a NUL byte, hundreds of m-lines, absurd payload
      types, no ice-ufrag, no fingerprint, only H.263, a missing and a
      wrong token, a wrong Content-Type, an oversized body, a wrong method,
      unknown resources: each a 4xx with a reason text, and after each the
      server still answers (GET /publish) and no pad appeared.  Then a good
      publisher connects and decodes; while it is live a second offer gets
      409 with a reason, a bad trickle body 400, a wrong token on PATCH and
      DELETE 401; its DELETE ends it: sender-left "deleted", EOS on both
      pads, and a second DELETE is 404.

Nothing is asserted about time: deadlines only keep a broken run from
hanging.  Run it with /usr/bin/python3 in the isolated environment (meson
test, or scripts/gst-env).  Exit status 0 on success.
"""

import argparse
import os
import re
import signal
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'lib'))
from wrtctest import Checks, emitter, http  # noqa: E402
import webrtcbin_peer  # noqa: E402

WIDTH, HEIGHT = 320, 240
MIN_FRAMES = 30
MIN_AUDIO = 20
TOKEN = 's3cret-token'
# Bounds (seconds), never asserted.
POST_DEADLINE = 30
MEDIA_DEADLINE = 30
END_DEADLINE = 20
# a publisher killed with SIGKILL: consent freshness (RFC 7675) or ICE
# failure must notice; libnice gives up after ~10-30 s
KILL_DEADLINE = 60
CHILD_MAX_SECONDS = 140


# --------------------------------------------------------------------------
# The publisher side: webrtcbin, stock registry
# --------------------------------------------------------------------------

def run_publisher(args):
    Gst, GstWebRTC = webrtcbin_peer.init()
    emit = emitter()

    desc = (
        'webrtcbin name=w bundle-policy=max-bundle '
        'videotestsrc is-live=true pattern=ball ! '
        f'video/x-raw,width={WIDTH},height={HEIGHT},framerate=30/1 ! '
        'vp8enc deadline=1 keyframe-max-dist=60 ! rtpvp8pay pt=96 ! '
        'application/x-rtp,media=video,encoding-name=VP8,payload=96,'
        'clock-rate=90000 ! w. '
        'audiotestsrc is-live=true wave=ticks ! audioconvert ! audioresample '
        '! opusenc ! rtpopuspay pt=111 ! '
        'application/x-rtp,media=audio,encoding-name=OPUS,payload=111,'
        'clock-rate=48000,encoding-params=(string)2 ! w.')
    try:
        pipe = Gst.parse_launch(desc)
    except Exception as e:  # GLib.Error
        emit(event='fatal', reason=f'cannot build the pipeline: {e}')
        return 1
    w = pipe.get_by_name('w')
    webrtcbin_peer.report_impl(emit, w)
    webrtcbin_peer.pin_loopback(w)

    pipe.set_state(Gst.State.PLAYING)
    pipe.get_state(10 * Gst.SECOND)
    i = 0
    while True:
        t = w.emit('get-transceiver', i)
        if t is None:
            break
        t.set_property('direction',
                       GstWebRTC.WebRTCRTPTransceiverDirection.SENDONLY)
        i += 1
    emit(event='transceivers', n=i)

    resource = webrtcbin_peer.http_offer(
        w, emit, urllib.parse.urljoin(args.url, 'whip'), token=args.token)
    if resource is None:
        return 1
    webrtcbin_peer.serve(pipe, emit, resource, args.token, CHILD_MAX_SECONDS,
                         lambda: dict(event='pc', state=w.get_property(
                             'connection-state').value_nick))


# --------------------------------------------------------------------------
# The driver: webrtcsrc in this process
# --------------------------------------------------------------------------

class Driver(Checks):
    def __init__(self, scenario):
        super().__init__()
        self.scenario = scenario
        self.children = []
        self.me = os.path.abspath(__file__)
        from whip_receiver import WhipReceiver
        self.WhipReceiver = WhipReceiver
        self.rx = None

    def start_receiver(self, props=None):
        rx = self.WhipReceiver(props)
        self.rx = rx
        plugin = rx.src.get_factory().get_plugin()
        fn = plugin.get_filename() if plugin else ''
        build = os.environ.get('GST_PLUGINS_WEBRTC_BUILDDIR', '')
        self.check(build and fn.startswith(build),
                   f'receiver: webrtcsrc is ours ({fn})')
        ok = rx.start()
        self.check(ok and re.match(r'^http://127\.0\.0\.1:\d+/$',
                                   rx.url or ''),
                   f'receiver: webrtcsrc listens on loopback ({rx.url})')
        return ok

    def start_publisher(self, name, token=None):
        argv = [sys.executable, self.me, '--side', 'publisher',
                '--url', self.rx.url]
        if token:
            argv += ['--token', token]
        c = webrtcbin_peer.start_http_peer(
            self, name, argv, '/whip', wait=self.rx.iterate,
            deadline=POST_DEADLINE, capture_stderr=True)
        self.children.append(c)
        return c

    def wait_media(self, what):
        rx = self.rx
        start = rx.snapshot()
        v0, a0 = start.get('video_0', 0), start.get('audio_0', 0)

        def got():
            s = rx.snapshot()
            return (s.get('video_0', 0) >= v0 + MIN_FRAMES
                    and s.get('audio_0', 0) >= a0 + MIN_AUDIO)
        ok = rx.iterate(got, MEDIA_DEADLINE)
        return self.check(ok, f'receiver: {what}: >= {MIN_FRAMES} video '
                          f'frames and >= {MIN_AUDIO} audio buffers '
                          f'({start} -> {rx.snapshot()})')

    def check_decoded(self):
        rx = self.rx
        v = rx.caps.get('video_0')
        self.check(v is not None and v.get_name() == 'video/x-raw'
                   and v.get_value('width') == WIDTH
                   and v.get_value('height') == HEIGHT,
                   f'receiver: video_0 is {WIDTH}x{HEIGHT} raw video '
                   f'({v.to_string() if v else None})')
        a = rx.caps.get('audio_0')
        self.check(a is not None and a.get_name() == 'audio/x-raw',
                   f'receiver: audio_0 is raw audio '
                   f'({a.to_string() if a else None})')
        self.check(sorted(rx.tracks) == [('audio_0', 'OPUS'),
                                         ('video_0', 'VP8')],
                   f'receiver: track-added named the tracks ({rx.tracks})')
        self.check(sorted(rx.pads) == ['audio_0', 'video_0']
                   and rx.no_more_pads,
                   f'receiver: pads {rx.pads}, no-more-pads '
                   f'{rx.no_more_pads}')

    def wait_end(self, deadline, what):
        rx = self.rx
        ok = rx.iterate(lambda: rx.left and rx.eos >= {'video_0', 'audio_0'},
                        deadline)
        self.check(ok, f'receiver: {what}: sender-left {rx.left} and EOS on '
                   f'both pads ({sorted(rx.eos)})')
        return ok

    def stats(self):
        st = self.rx.src.get_property('stats')
        return {k: st.get_value(k) for k in ('mode', 'state',
                                             'sessions-total')
                if st.has_field(k)}

    def publish(self):
        if not self.start_receiver():
            return
        pub = self.start_publisher('publisher')
        if not self.wait_media('webrtcbin publishes'):
            return
        self.check_decoded()
        st = self.stats()
        self.check(st.get('mode') == 'whip' and st.get('sessions-total') == 1,
                   f'receiver: stats {st}')
        self.check(not self.rx.errors, f'receiver: no error '
                   f'({self.rx.errors[:1]})')

        # a publisher that vanishes: no DELETE, no close_notify
        pub.proc.send_signal(signal.SIGKILL)
        pub.proc.wait()
        print(f'# publisher killed (pid {pub.proc.pid})', flush=True)
        t0 = time.monotonic()
        ended = self.wait_end(KILL_DEADLINE, 'the publisher was killed')
        print(f'# pads ended {time.monotonic() - t0:.1f} s after the kill '
              f'(reason {self.rx.left})', flush=True)
        if ended:
            self.check(self.rx.left[0] != 'deleted',
                       f'receiver: the reason is not a DELETE '
                       f'({self.rx.left[0]})')
        self.check(not self.rx.errors, f'receiver: EOS, not an element '
                   f'error ({self.rx.errors[:1]})')
        offer = (pub.find(lambda e: e.get('event') == 'offer') or {}).get(
            'sdp', '')
        st, _, body = http(self.rx.url + 'whip', data=offer.encode(),
                           method='POST', ctype='application/sdp')
        self.check(st == 409 and len(body.strip()) > 3,
                   f'receiver: an offer after the stream ended -> {st} '
                   f"'{body.strip()[:80]}'")
        st, _, body = http(self.rx.url + 'publish')
        self.check(st == 200, f'receiver: GET /publish still served ({st})')

    def keep_waiting(self):
        """keep-waiting=true: the first publisher leaves (DELETE), its pads
        get no EOS, and the next publisher's media comes out of the same
        pads; the second leaving the same way."""
        if not self.start_receiver({'keep-waiting': True}):
            return
        rx = self.rx
        first = self.start_publisher('first')
        if not self.wait_media('the first publisher'):
            return
        self.check_decoded()
        first.send(cmd='delete')
        ok = rx.iterate(lambda: len(rx.left) == 1, MEDIA_DEADLINE)
        self.check(ok and rx.left[0] == 'deleted',
                   f'receiver: sender-left after the first DELETE '
                   f'({rx.left})')
        # the second may find the first still leaving: 409, then it retries
        second = None
        end = time.monotonic() + MEDIA_DEADLINE
        while time.monotonic() < end:
            second = self.start_publisher('second')
            posted = second.find(lambda e: e.get('event') == 'posted') or {}
            if posted.get('status') == 201:
                break
            second.stop()
            self.children.remove(second)
            rx.iterate(lambda: False, 0.3)
        if not self.wait_media('the second publisher, same pads'):
            return
        self.check(not rx.eos, f'receiver: no EOS on any pad ({rx.eos})')
        self.check(sorted(rx.pads) == ['audio_0', 'video_0'],
                   f'receiver: no new pads, the same two ({rx.pads})')
        self.check(self.stats().get('sessions-total') == 2,
                   f'receiver: two sessions ({self.stats()})')
        self.check(not rx.errors, f'receiver: no error ({rx.errors[:1]})')
        second.send(cmd='delete')
        ok = rx.iterate(lambda: len(rx.left) == 2, MEDIA_DEADLINE)
        self.check(ok and not rx.eos, f'receiver: the second left too, '
                   f'still no EOS ({rx.left}, eos {rx.eos})')

    def bad_input(self):
        if not self.start_receiver({'token': TOKEN}):
            return
        rx = self.rx
        whip = rx.url + 'whip'
        sdp_ct = 'application/sdp'
        frag_ct = 'application/trickle-ice-sdpfrag'
        fp = 'a=fingerprint:sha-256 ' + ':'.join(['AB'] * 32) + '\r\n'
        ice = 'a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n'

        def offer(mlines, ice_lines=ice, fp_line=fp, bundle=True):
            head = ('v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n')
            if bundle:
                head += 'a=group:BUNDLE ' + ' '.join(
                    str(i) for i in range(len(mlines))) + '\r\n'
            body = ''
            for i, (kind, pts, rtpmaps) in enumerate(mlines):
                body += (f'm={kind} 9 UDP/TLS/RTP/SAVPF {pts}\r\n'
                         'c=IN IP4 0.0.0.0\r\n'
                         f'a=mid:{i}\r\na=sendonly\r\na=rtcp-mux\r\n'
                         + ice_lines + fp_line + 'a=setup:actpass\r\n'
                         + rtpmaps)
            return (head + body).encode()

        vp8 = ('video', '96', 'a=rtpmap:96 VP8/90000\r\n')
        opus = ('audio', '111', 'a=rtpmap:111 opus/48000/2\r\n')
        cases = [
            ('malformed SDP', whip, 'POST', b'v=0\r\nthis is not sdp\r\n',
             sdp_ct, TOKEN, {400}),
            ('not SDP at all', whip, 'POST', b'hello', sdp_ct, TOKEN, {400}),
            ('an empty offer', whip, 'POST', b'', sdp_ct, TOKEN, {400}),
            ('an offer with a NUL byte', whip, 'POST', b'v=0\r\n\0\r\n',
             sdp_ct, TOKEN, {400}),
            ('binary garbage', whip, 'POST', bytes(range(256)) * 4, sdp_ct,
             TOKEN, {400}),
            ('500 m-lines', whip, 'POST', offer([vp8] * 500), sdp_ct, TOKEN,
             {400, 406, 413}),
            ('absurd payload types (300, -1, 99999999999)', whip, 'POST',
             offer([('video', '300 -1 99999999999',
                     'a=rtpmap:300 VP8/90000\r\na=rtpmap:-1 VP8/90000\r\n'
                     'a=rtpmap:99999999999 VP8/90000\r\n')]),
             sdp_ct, TOKEN, {400, 406}),
            ('a payload type with no number', whip, 'POST',
             offer([('video', 'x', 'a=rtpmap:x VP8/90000\r\n')]),
             sdp_ct, TOKEN, {400, 406}),
            ('no ice-ufrag', whip, 'POST',
             offer([vp8, opus], ice_lines='a=ice-pwd:abcdefghijklmnopqrstuvwx'
                   '\r\n'), sdp_ct, TOKEN, {400}),
            ('no fingerprint', whip, 'POST', offer([vp8, opus], fp_line=''),
             sdp_ct, TOKEN, {400}),
            ('only H.263 (no codec in common)', whip, 'POST',
             offer([('video', '34', 'a=rtpmap:34 H263/90000\r\n')]),
             sdp_ct, TOKEN, {400, 406}),
            ('no token', whip, 'POST', offer([vp8, opus]), sdp_ct, None,
             {401}),
            ('a wrong token', whip, 'POST', offer([vp8, opus]), sdp_ct,
             'not-the-token', {401}),
            ('a wrong Content-Type', whip, 'POST', offer([vp8, opus]),
             'text/plain', TOKEN, {415}),
            ('an oversized offer', whip, 'POST',
             b'v=0\r\na=x-padding:' + b'A' * (256 * 1024) + b'\r\n',
             sdp_ct, TOKEN, {413}),
            ('a wrong method on /whip', whip, 'PUT', b'v=0', sdp_ct, TOKEN,
             {405}),
            ('an unknown resource', rx.url + 'nope', 'GET', None, None,
             TOKEN, {404}),
            ('PATCH of an unknown session', whip + '/0123456789abcdef',
             'PATCH', b'a=end-of-candidates\r\n', frag_ct, TOKEN, {404}),
            ('DELETE of an unknown session', whip + '/0123456789abcdef',
             'DELETE', None, None, TOKEN, {404}),
        ]
        for what, url, method, data, ctype, token, want in cases:
            self.bad_request(what, url, method, data, ctype, token, want)
            # the element still serves, and nothing came of it
            st, _, _ = http(rx.url + 'publish')
            self.check(st == 200 and not rx.pads and not rx.errors
                       and self.stats().get('state') == 'waiting',
                       f'{what}: the server still answers ({st}), no pad, '
                       f'no error, state {self.stats().get("state")}')
        st = self.stats()
        self.check(st.get('sessions-total', 0) <= len(cases),
                   f'receiver: stats after the bad offers {st}')

        # a good publisher still gets in
        pub = self.start_publisher('publisher', token=TOKEN)
        if not self.wait_media('a good publisher after the bad offers'):
            return
        self.check_decoded()
        res = (pub.find(lambda e: e.get('event') == 'posted') or {}).get(
            'resource')
        good = (pub.find(lambda e: e.get('event') == 'offer') or {}).get(
            'sdp', '')
        live = [
            ('a second publisher while one is live', whip, 'POST',
             good.encode(), sdp_ct, TOKEN, {409}),
            ('a bad trickle body', res, 'PATCH',
             b'a=candidate:this is not a candidate\r\n', frag_ct, TOKEN,
             {400}),
            ('a binary trickle body', res, 'PATCH', b'\xff\xfe\0garbage',
             frag_ct, TOKEN, {400}),
            ('a trickle body with the wrong Content-Type', res, 'PATCH',
             b'a=end-of-candidates\r\n', sdp_ct, TOKEN, {415}),
            ('a wrong token on PATCH', res, 'PATCH',
             b'a=end-of-candidates\r\n', frag_ct, 'nope', {401}),
            ('a wrong token on DELETE', res, 'DELETE', None, None, 'nope',
             {401}),
            ('no token on DELETE', res, 'DELETE', None, None, None, {401}),
        ]
        for what, url, method, data, ctype, token, want in live:
            self.bad_request(what, url, method, data, ctype, token, want)
        self.check(not rx.left and not rx.eos,
                   f'receiver: the live publisher was not ended by them '
                   f'(sender-left {rx.left}, EOS {sorted(rx.eos)})')
        self.wait_media('still publishing after the bad requests')

        pub.send(cmd='delete')
        rx.iterate(lambda: pub.find(lambda e: e.get('event') == 'deleted'),
                   END_DEADLINE)
        d = pub.find(lambda e: e.get('event') == 'deleted') or {}
        self.check(d.get('status') in (200, 204),
                   f'publisher: DELETE with the token -> {d.get("status")}')
        if self.wait_end(END_DEADLINE, 'after DELETE'):
            self.check(rx.left == ['deleted'],
                       f'receiver: sender-left says deleted ({rx.left})')
        st, _, body = http(res, method='DELETE', token=TOKEN)
        self.check(st == 404 and len(body.strip()) > 3,
                   f'a second DELETE of the ended session -> {st} '
                   f"'{body.strip()[:80]}'")
        self.check(not rx.errors, f'receiver: no element error '
                   f'({rx.errors[:1]})')

    def run(self):
        from gi.repository import Gst
        try:
            {'publish': self.publish,
             'keep-waiting': self.keep_waiting,
             'bad-input': self.bad_input}[self.scenario]()
        finally:
            for c in self.children:
                c.stop()
            if self.rx:
                ret = self.rx.pipe.set_state(Gst.State.NULL)
                self.check(ret == Gst.StateChangeReturn.SUCCESS,
                           f'receiver: the pipeline goes to NULL ({ret})')
        for c in self.children:
            errs = [e for e in c.events if e.get('event') in ('fatal',
                                                               'error')]
            if self.scenario == 'publish':
                errs = [e for e in errs if e.get('event') == 'fatal']
            self.check(not errs, f'{c.name}: no error '
                       f"({errs[0] if errs else ''})")
        if self.failed:
            for c in self.children:
                print(f'--- {c.name} events: {c.events[-10:]}')
                if c.stderr_lines:
                    print(f'--- {c.name} stderr (last 40 lines)')
                    print('\n'.join(c.stderr_lines[-40:]))
        print(f"{'FAIL' if self.failed else 'PASS'}: webrtcsrc-webrtcbin "
              f'{self.scenario}, {len(self.failed)} failed', flush=True)
        return 1 if self.failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--scenario', default='publish',
                    choices=('publish', 'keep-waiting', 'bad-input'))
    ap.add_argument('--side', choices=('publisher',))
    ap.add_argument('--url')
    ap.add_argument('--token')
    args = ap.parse_args()
    if args.side == 'publisher':
        return run_publisher(args)
    return Driver(args.scenario).run()


if __name__ == '__main__':
    sys.exit(main())
