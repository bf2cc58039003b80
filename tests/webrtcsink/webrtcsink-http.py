# SPDX-License-Identifier: LGPL-2.1-or-later
"""webrtcsink without a browser: the HTTP server on port 0, the url
property, the player page, a malformed offer refused with a 4xx while the
server keeps serving, and NULL -> PLAYING -> NULL twice."""
import os
import re
import sys
import time
import urllib.parse
import urllib.error
import urllib.request

import gi
gi.require_version('Gst', '1.0')
from gi.repository import Gst  # noqa: E402

failed = 0


def check(cond, msg):
    global failed
    print(('PASS: ' if cond else 'FAIL: ') + msg, flush=True)
    if not cond:
        failed += 1
    return cond


def fetch(url, data=None, method=None, ctype=None):
    req = urllib.request.Request(url, data=data, method=method)
    if ctype:
        req.add_header('Content-Type', ctype)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers.get('Content-Type', ''), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get('Content-Type', ''), e.read()


def fetch_full(url, data=None, method=None, ctype=None):
    req = urllib.request.Request(url, data=data, method=method)
    if ctype:
        req.add_header('Content-Type', ctype)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def wait_state(pipe, state):
    ret, cur, _ = pipe.get_state(10 * Gst.SECOND)
    return ret != Gst.StateChangeReturn.FAILURE and cur == state


Gst.init(None)
check(Gst.ElementFactory.find('webrtcsink') is not None,
      'webrtcsink is registered')

pipe = Gst.parse_launch(
    'videotestsrc is-live=true ! video/x-raw,width=320,height=240 ! '
    'webrtcsink name=s port=0 local-addresses=127.0.0.1 '
    'audiotestsrc is-live=true ! s.audio_0')
sink = pipe.get_by_name('s')
added = []
removed = []
sink.connect('viewer-added', lambda _s, sid: added.append(sid))
sink.connect('viewer-removed', lambda _s, sid: removed.append(sid))
OFFER = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..',
                          'browser', 'offers', 'chromium-156.sdp'), 'rb').read()
check(sink.get_property('url') is None, 'url is NULL before READY')
stats = sink.get_property('stats')
check(stats is not None and stats.get_value('viewers') == 0,
      'stats report 0 viewers')

for round_ in (1, 2):
    pipe.set_state(Gst.State.PLAYING)
    check(wait_state(pipe, Gst.State.PLAYING), f'round {round_}: PLAYING')
    url = sink.get_property('url')
    m = re.fullmatch(r'http://127\.0\.0\.1:(\d+)/', url or '')
    check(m is not None and int(m.group(1)) > 0,
          f'round {round_}: url is http://127.0.0.1:PORT/ ({url})')
    if not m:
        break
    st, ct, body = fetch(url)
    check(st == 200 and ct.startswith('text/html') and b'player.js' in body,
          f'round {round_}: GET / is the player page ({st} {ct})')
    st, ct, body = fetch(url + 'player.js')
    check(st == 200 and b'window.player' in body,
          f'round {round_}: GET /player.js ({st})')
    st, _, _ = fetch(url + 'player.css')
    check(st == 200, f'round {round_}: GET /player.css ({st})')
    st, _, _ = fetch(url + 'whep', data=b'this is not sdp', method='POST',
                     ctype='application/sdp')
    check(400 <= st < 500, f'round {round_}: a malformed offer gets a 4xx ({st})')
    # until the inputs have media the sink answers 503 with Retry-After
    # (a client tries again); then a broken SDP is a client error
    deadline = time.monotonic() + 10
    retry_after = []
    while True:
        st, hdrs, _ = fetch_full(url + 'whep', data=b'v=0\r\nbroken\r\n',
                                 method='POST', ctype='application/sdp')
        if st != 503 or time.monotonic() > deadline:
            break
        retry_after.append(hdrs.get('Retry-After'))
        time.sleep(0.05)
    if retry_after:
        check(None not in retry_after,
              f'round {round_}: 503 while starting carries Retry-After')
    check(400 <= st < 500, f'round {round_}: a broken SDP gets a 4xx ({st})')
    st, _, _ = fetch(url + 'whep', data=b'v=0', method='POST',
                     ctype='text/plain')
    check(st == 415, f'round {round_}: a wrong Content-Type gets 415 ({st})')
    st, ct, body = fetch(url)
    check(st == 200 and b'player.js' in body,
          f'round {round_}: the server still serves after bad requests ({st})')
    stats = sink.get_property('stats')
    check(stats.get_value('viewers') == 0,
          f'round {round_}: no viewer was left behind by bad offers')

    # a real browser offer (saved): 201 with an answer, a viewer, then DELETE
    added.clear()
    removed.clear()
    st, hdrs, body = fetch_full(url + 'whep', data=OFFER, method='POST',
                                ctype='application/sdp')
    loc = hdrs.get('Location', '')
    check(st == 201 and body.startswith(b'v=0') and b'a=candidate:' in body
          and b'VP8' in body and b'opus' in body.lower(),
          f'round {round_}: a saved Chromium offer gets 201 and a VP8 + Opus '
          f'answer with candidates ({st})')
    check(len(added) == 1 and sink.get_property('stats').get_value('viewers') == 1,
          f'round {round_}: viewer-added fired and stats count 1 viewer')
    sess = urllib.parse.urljoin(url + 'whep', loc)
    st, _, _ = fetch_full(sess, method='DELETE')
    check(st == 200, f'round {round_}: DELETE {loc} ({st})')
    for _ in range(100):
        if removed:
            break
        time.sleep(0.05)
    check(removed == added and len(removed) == 1
          and sink.get_property('stats').get_value('viewers') == 0,
          f'round {round_}: viewer-removed fired with the same id, 0 viewers')
    # a viewer still connected when the element stops
    st, _, _ = fetch_full(url + 'whep', data=OFFER, method='POST',
                          ctype='application/sdp')
    check(st == 201, f'round {round_}: a second offer is answered ({st})')
    pipe.set_state(Gst.State.NULL)
    check(wait_state(pipe, Gst.State.NULL), f'round {round_}: back to NULL')
    check(len(removed) == 2 and sink.get_property('stats').get_value('viewers') == 0,
          f'round {round_}: stopping removed the connected viewer')
    check(sink.get_property('url') is None, f'round {round_}: url cleared in NULL')
    try:
        fetch(url)
        check(False, f'round {round_}: the server stopped in NULL')
    except (urllib.error.URLError, ConnectionError, OSError):
        check(True, f'round {round_}: the server stopped in NULL')

bus = pipe.get_bus()
msg = bus.pop_filtered(Gst.MessageType.ERROR)
check(msg is None, 'no error on the bus' +
      (f' ({msg.parse_error()[0].message})' if msg else ''))
del sink
pipe = None
print(f'{"FAIL" if failed else "PASS"}: webrtcsink-http, {failed} failed')
sys.exit(1 if failed else 0)
