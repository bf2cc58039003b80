# SPDX-License-Identifier: LGPL-2.1-or-later
"""webrtcsink codec choice without a browser: saved Chromium and Firefox
offers POSTed to the WHEP endpoint.  video-codecs is our preference order,
matched against each offer: Firefox (no H.264) gets VP8 even with H264
first, Chromium gets H.264 (packetization-mode 1); each answer carries the
SSRC of its codec's own encoder, an encoder runs only while a viewer uses
it, codecs we cannot send (unknown names) are skipped, AV1 goes to the
browsers that offer it (profile 0), and encoded
input is offered in its own codec only."""
import os
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings

import gi
gi.require_version('Gst', '1.0')
from gi.repository import Gst  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'lib'))
from wrtctest import wait_until  # noqa: E402

failed = 0
OFFERS = os.path.join(HERE, '..', 'browser', 'offers')
CHROMIUM = open(os.path.join(OFFERS, 'chromium-156.sdp'), 'rb').read()
FIREFOX = open(os.path.join(OFFERS, 'firefox-153esr.sdp'), 'rb').read()


def check(cond, msg):
    global failed
    print(('PASS: ' if cond else 'FAIL: ') + msg, flush=True)
    if not cond:
        failed += 1
    return cond


def post(url, offer):
    req = urllib.request.Request(url + 'whep', data=offer, method='POST')
    req.add_header('Content-Type', 'application/sdp')
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers.get('Location', ''), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, '', e.read().decode(errors='replace')


def delete(url, loc):
    req = urllib.request.Request(urllib.parse.urljoin(url + 'whep', loc),
                                 method='DELETE')
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def media(answer, kind):
    """The answer's m-section of @kind: (port, codec names, fmtps, ssrcs)."""
    for sec in answer.split('\r\nm=')[1:]:
        if not sec.startswith(kind + ' '):
            continue
        port = int(sec.split(' ')[1])
        codecs = [c for c in re.findall(r'a=rtpmap:\d+ ([\w-]+)/', sec)
                  if c.lower() != 'rtx']
        fmtps = re.findall(r'a=fmtp:\d+ ([^\r\n]*)', sec)
        ssrcs = [int(s) for s in re.findall(r'a=ssrc:(\d+) cname', sec)]
        return port, codecs, fmtps, ssrcs
    return None


def array(structure, field):
    """A GstValueArray field as a list (gi reads one only this way)."""
    ok, arr = structure.get_array(field)
    if not ok:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)
        return [arr.get_nth(i).copy() for i in range(arr.n_values)]


def streams(sink):
    return array(sink.get_property('stats'), 'streams')


def stream(sink, pad):
    for s in streams(sink):
        if s.get_value('pad') == pad:
            return s
    return None


def encodings(sink, pad):
    s = stream(sink, pad)
    return {e.get_value('codec'): e for e in array(s, 'encodings')} if s else {}


def wait(cond, timeout=5.0):
    return wait_until(cond, timeout)


def start(desc):
    pipe = Gst.parse_launch(desc)
    sink = pipe.get_by_name('s')
    pipe.set_state(Gst.State.PLAYING)
    ok = pipe.get_state(10 * Gst.SECOND)[0] != Gst.StateChangeReturn.FAILURE
    # the codecs of a pad are known once its first caps came
    ok = ok and wait(lambda: all(s.get_value('input') != 'none'
                                 for s in streams(sink)))
    return pipe, sink, sink.get_property('url'), ok


def stop(pipe):
    pipe.set_state(Gst.State.NULL)
    pipe.get_state(10 * Gst.SECOND)


Gst.init(None)
RAW = ('videotestsrc is-live=true ! video/x-raw,width=320,height=240 ! '
       'webrtcsink name=s port=0 local-addresses=127.0.0.1 {} '
       'audiotestsrc is-live=true ! s.audio_0')

# --- defaults
sink = Gst.ElementFactory.make('webrtcsink', None)
check(sink.get_property('video-codecs') == 'VP8,H264',
      f"video-codecs defaults to VP8,H264 ({sink.get_property('video-codecs')})")
check(sink.get_property('audio-codecs') == 'OPUS',
      f"audio-codecs defaults to OPUS ({sink.get_property('audio-codecs')})")
sink.set_property('video-codecs', '')
check(sink.get_property('video-codecs') == 'VP8,H264',
      'an empty video-codecs means the default')
del sink

# --- raw input, H264 preferred: each browser its codec, its own encoder
pipe, sink, url, ok = start(RAW.format('video-codecs="H264, VP8, NOPE, vp8"'))
check(ok, 'PLAYING with video-codecs=H264,VP8,NOPE,vp8')
v = stream(sink, 'video_0')
check(v is not None and v.get_value('codecs') == 'H264,VP8'
      and v.get_value('input') == 'raw',
      'raw video: H264 and VP8 encoders, NOPE and the repeated vp8 skipped '
      f"({v.get_value('codecs') if v else None})")
a = stream(sink, 'audio_0')
check(a is not None and a.get_value('codecs') == 'OPUS', 'raw audio: Opus')
enc = encodings(sink, 'video_0')
check(all(not e.get_value('active') for e in enc.values()),
      'no viewer yet: every video encoder is idle')
ssrc = {c: e.get_value('ssrc') for c, e in enc.items()}
check(len(set(ssrc.values())) == 2, f'each codec has its own SSRC ({ssrc})')

st, ff_loc, ans = post(url, FIREFOX)
m = media(ans, 'video') if st == 201 else None
check(st == 201 and m and m[0] != 0 and m[1] == ['VP8'],
      f'a Firefox offer (no H.264) gets VP8 although H264 comes first ({st} {m})')
check(m and m[3][:1] == [ssrc.get('VP8')],
      "Firefox's answer carries the VP8 encoder's SSRC")
au = media(ans, 'audio') if st == 201 else None
check(au and [c.lower() for c in au[1]] == ['opus'], f'and Opus ({au})')

st, cr_loc, ans = post(url, CHROMIUM)
m = media(ans, 'video') if st == 201 else None
check(st == 201 and m and m[1] == ['H264'],
      f'a Chromium offer gets H.264, our first choice ({st} {m})')
check(m and any('packetization-mode=1' in f and 'profile-level-id=42' in f
                for f in m[2]),
      f'H.264 with packetization-mode=1, a Baseline profile-level-id ({m and m[2]})')
check(m and m[3][:1] == [ssrc.get('H264')],
      "Chromium's answer carries the H.264 encoder's SSRC")
video_sec = ans.split('m=video', 1)[-1].split('\r\nm=', 1)[0]
check('draft-holmer-rmcat-transport-wide-cc-extensions-01' in video_sec and
      'transport-cc' in video_sec,
      'transport-wide CC, which Chromium offers, is in the answer')
enc = encodings(sink, 'video_0')
check(enc['H264'].get_value('viewers') == 1 and enc['H264'].get_value('active')
      and enc['VP8'].get_value('viewers') == 1 and enc['VP8'].get_value('active'),
      'one viewer per codec, both encoders running')

check(delete(url, cr_loc) == 200, 'DELETE the Chromium viewer')
check(wait(lambda: not encodings(sink, 'video_0')['H264'].get_value('active')),
      'the H.264 encoder goes idle when its last viewer leaves')
check(encodings(sink, 'video_0')['VP8'].get_value('active'),
      'the VP8 encoder keeps running for Firefox')
check(delete(url, ff_loc) == 200, 'DELETE the Firefox viewer')
check(wait(lambda: not any(e.get_value('active') for e in
                           encodings(sink, 'video_0').values())),
      'no viewer: every encoder idle again')
stop(pipe)

# --- H264 only: Firefox gets audio, its video m-section rejected
pipe, sink, url, ok = start(RAW.format('video-codecs=H264'))
check(ok, 'PLAYING with video-codecs=H264')
st, loc, ans = post(url, FIREFOX)
m = media(ans, 'video') if st == 201 else None
check(st == 201 and m and m[0] == 0,
      f'H264 only: Firefox still gets an answer, its video rejected (port 0) ({st} {m})')
check(st == 201 and media(ans, 'audio')[0] != 0, 'and its audio accepted')
stop(pipe)

# --- VP9 preferred
pipe, sink, url, ok = start(RAW.format('video-codecs=VP9,VP8'))
check(ok, 'PLAYING with video-codecs=VP9,VP8')
st, loc, ans = post(url, CHROMIUM)
m = media(ans, 'video') if st == 201 else None
check(st == 201 and m and m[1] == ['VP9']
      and any('profile-id=0' in f for f in m[2]),
      f'Chromium gets VP9 profile 0 when it comes first ({st} {m})')
stop(pipe)

# --- AV1 preferred (wrtcav1pay): both browsers offer it, profile 0 and 1
pipe, sink, url, ok = start(RAW.format('video-codecs=AV1,VP8'))
check(ok, 'PLAYING with video-codecs=AV1,VP8')
v = stream(sink, 'video_0')
check(v is not None and v.get_value('codecs') == 'AV1,VP8',
      f"raw video: AV1 and VP8 encoders ({v.get_value('codecs') if v else None})")
for who, offer in (('Chromium', CHROMIUM), ('Firefox', FIREFOX)):
    st, loc, ans = post(url, offer)
    m = media(ans, 'video') if st == 201 else None
    check(st == 201 and m and m[1] == ['AV1']
          and not any('profile=1' in f for f in m[2]),
          f'{who} gets AV1 (profile 0) when it comes first ({st} {m})')
    check(m and m[3][:1] == [encodings(sink, 'video_0')['AV1'].get_value('ssrc')],
          f"{who}'s answer carries the AV1 encoder's SSRC")
check(wait(lambda: encodings(sink, 'video_0')['AV1'].get_value('active')),
      'the AV1 encoder runs for them')
stop(pipe)

# --- encoded input: its own codec only, whatever video-codecs says
pipe, sink, url, ok = start(
    'videotestsrc is-live=true ! video/x-raw,width=320,height=240 ! '
    'vp8enc deadline=1 ! webrtcsink name=s port=0 local-addresses=127.0.0.1 '
    'video-codecs=H264 audiotestsrc is-live=true ! opusenc ! s.audio_0')
check(ok, 'PLAYING with VP8 and Opus input')
v, a = stream(sink, 'video_0'), stream(sink, 'audio_0')
check(v.get_value('input') == 'encoded' and v.get_value('codecs') == 'VP8',
      f"encoded VP8 input is sent as VP8 ({v.get_value('input')} {v.get_value('codecs')})")
check(a.get_value('input') == 'encoded' and a.get_value('codecs') == 'OPUS',
      'encoded Opus input is sent as Opus')
st, loc, ans = post(url, CHROMIUM)
m = media(ans, 'video') if st == 201 else None
check(st == 201 and m and m[1] == ['VP8'],
      f'Chromium gets the input VP8 although video-codecs=H264 ({st} {m})')
stop(pipe)

pipe, sink, url, ok = start(
    'videotestsrc is-live=true ! video/x-raw,width=320,height=240 ! '
    'openh264enc ! h264parse ! webrtcsink name=s port=0 '
    'local-addresses=127.0.0.1')
check(ok, 'PLAYING with H.264 input')
check(stream(sink, 'video_0').get_value('codecs') == 'H264',
      'encoded H.264 input is sent as H.264')
st, loc, ans = post(url, CHROMIUM)
m = media(ans, 'video') if st == 201 else None
check(st == 201 and m and m[1] == ['H264']
      and any('packetization-mode=1' in f for f in m[2]),
      f'Chromium gets the input H.264 ({st} {m})')
st, loc, ans = post(url, FIREFOX)
check(st >= 400,
      f'Firefox, which takes no H.264, is refused: nothing to send it ({st})')
stop(pipe)

# --- an offer before the input's first caps waits for them (the codecs of
# an input are known only then), or gets 503 if they never come
APPSRC = ('appsrc name=src is-live=true format=time ! '
          'webrtcsink name=s port=0 local-addresses=127.0.0.1')
for push, expect in ((True, 201), (False, 503)):
    pipe = Gst.parse_launch(APPSRC)
    sink = pipe.get_by_name('s')
    pipe.set_state(Gst.State.PLAYING)
    pipe.get_state(10 * Gst.SECOND)
    check(stream(sink, 'video_0').get_value('input') == 'none',
          'no caps yet: the input has no codecs')
    result = []
    th = threading.Thread(target=lambda: result.append(
        post(sink.get_property('url'), CHROMIUM)))
    started = time.monotonic()
    th.start()
    if push:
        time.sleep(0.5)
        check(not result, 'the offer waits while the input has no caps')
        # appsrc sends its caps with its first buffer
        pipe.get_by_name('src').set_property('caps', Gst.Caps.from_string(
            'video/x-raw,format=I420,width=320,height=240,framerate=30/1'))
        buf = Gst.Buffer.new_wrapped(bytes(320 * 240 * 3 // 2))
        buf.pts = 0
        buf.duration = Gst.SECOND // 30
        pipe.get_by_name('src').emit('push-buffer', buf)
    th.join(15)
    took = time.monotonic() - started
    st, loc, ans = result[0] if result else (None, '', '')
    if push:
        m = media(ans, 'video') if st == 201 else None
        check(st == 201 and m and m[1] == ['VP8'],
              f'an offer posted before the first caps is answered once they '
              f'come ({st} {m})')
    else:
        check(st == 503 and 'media' in ans,
              f'an offer whose input never gets caps: 503 ({st} {ans.strip()})')
        check(took >= 4.5, f'after waiting for them ({took:.1f} s)')
    stop(pipe)

# --- nothing we can send: a clear element error, not a crash
pipe = Gst.parse_launch(
    'videotestsrc is-live=true ! webrtcsink name=s port=0 '
    'local-addresses=127.0.0.1 video-codecs=NOPE')
bus = pipe.get_bus()
pipe.set_state(Gst.State.PLAYING)
msg = bus.timed_pop_filtered(10 * Gst.SECOND, Gst.MessageType.ERROR)
err = msg.parse_error()[0].message if msg else ''
check(msg is not None and 'video-codecs' in err and 'NOPE' in err,
      f'video-codecs=NOPE alone: an element error that says why ({err})')
stop(pipe)

print(f'{"FAIL" if failed else "PASS"}: webrtcsink-codecs, {failed} failed')
sys.exit(1 if failed else 0)
