# SPDX-License-Identifier: LGPL-2.1-or-later
"""webrtcsink's HTTP features without a browser: HTTPS (tls-certificate and
tls-key, a self-signed certificate made here with openssl), GET /config.json
(ICE servers in W3C RTCIceServer form), GET /stats.json and GET /stats, the
token on the JSON pages, and bad certificate or key files failing NULL ->
READY with an error that names the file.  A saved Chromium offer makes one
viewer, so /stats.json has a peer in it; its packets counters need a real
connection and are checked by webrtcsink-features.mjs."""
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
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


def fetch(url, data=None, method=None, ctype=None, token=None, ctx=None):
    req = urllib.request.Request(url, data=data, method=method)
    if ctype:
        req.add_header('Content-Type', ctype)
    if token:
        req.add_header('Authorization', f'Bearer {token}')
    try:
        with urllib.request.urlopen(req, timeout=10, context=ctx) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def wait_state(pipe, state):
    ret, cur, _ = pipe.get_state(10 * Gst.SECOND)
    return ret != Gst.StateChangeReturn.FAILURE and cur == state


def make_cert(d):
    cert = os.path.join(d, 'cert.pem')
    key = os.path.join(d, 'key.pem')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                    'ec_paramgen_curve:prime256v1', '-nodes', '-subj',
                    '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
                    '-days', '2', '-keyout', key, '-out', cert],
                   check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return cert, key


def pipeline(props):
    pipe = Gst.parse_launch(
        'videotestsrc is-live=true ! video/x-raw,width=320,height=240 ! '
        'webrtcsink name=s port=0 local-addresses=127.0.0.1 '
        'audiotestsrc is-live=true ! s.audio_0')
    sink = pipe.get_by_name('s')
    for k, v in props.items():
        sink.set_property(k, v)
    return pipe, sink


def describe(props):
    return ' '.join(f'{k}={v}' for k, v in props.items())


def error_on_bus(pipe):
    msg = pipe.get_bus().pop_filtered(Gst.MessageType.ERROR)
    if not msg:
        return None, None
    err, debug = msg.parse_error()
    return err.message, debug


Gst.init(None)
OFFER = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..',
                          'browser', 'offers', 'chromium-156.sdp'), 'rb').read()
tmp = tempfile.mkdtemp(prefix='webrtcsink-https-')
try:
    cert, key = make_cert(tmp)
    # accepts exactly this certificate, as a browser told to trust it would
    ctx = ssl.create_default_context(cafile=cert)
    ctx.check_hostname = False

    # --- HTTPS, config.json, stats -----------------------------------------
    pipe, sink = pipeline({
        'tls-certificate': cert, 'tls-key': key, 'token': 's3cr3t',
        'stun-server': 'stun://127.0.0.1:3478',
        'turn-servers': 'turn://user:pa%20ss@127.0.0.1:3478?transport=udp,'
                        'turns://u2:p2@[::1]:5349'})
    check(sink.get_property('tls-certificate') == cert
          and sink.get_property('tls-key') == key,
          'tls-certificate and tls-key read back')
    pipe.set_state(Gst.State.PLAYING)
    check(wait_state(pipe, Gst.State.PLAYING), 'PLAYING with a certificate')
    url = sink.get_property('url') or ''
    check(re.fullmatch(r'https://127\.0\.0\.1:\d+/', url) is not None,
          f'url says https ({url})')

    st, hdrs, body = fetch(url, ctx=ctx)
    check(st == 200 and hdrs.get('Content-Type', '').startswith('text/html')
          and b'player.js' in body, f'GET / over HTTPS is the player ({st})')
    try:
        fetch(url.replace('https:', 'http:'))
        check(False, 'plain HTTP is refused on the HTTPS port')
    except (urllib.error.URLError, ConnectionError, OSError) as e:
        check(True, f'plain HTTP is refused on the HTTPS port ({type(e).__name__})')
    try:
        fetch(url, ctx=ssl.create_default_context())
        check(False, 'a client that does not trust the certificate fails')
    except (urllib.error.URLError, ssl.SSLError) as e:
        check('CERTIFICATE_VERIFY_FAILED' in str(e),
              f'a client that does not trust the certificate fails ({e})')

    # config.json: behind the token (it carries TURN credentials)
    st, hdrs, _ = fetch(url + 'config.json', ctx=ctx)
    check(st == 401 and hdrs.get('WWW-Authenticate', '').startswith('Bearer'),
          f'GET /config.json without the token: 401 ({st})')
    st, hdrs, body = fetch(url + 'config.json', ctx=ctx, token='s3cr3t')
    check(st == 200 and hdrs.get('Content-Type') == 'application/json',
          f'GET /config.json with the token: 200 application/json ({st})')
    cfg = json.loads(body)
    check(cfg.get('whep') == 'whep', f'config.json names the WHEP endpoint ({cfg.get("whep")})')
    check(cfg.get('iceServers') == [
        {'urls': ['stun:127.0.0.1:3478']},
        {'urls': ['turn:127.0.0.1:3478?transport=udp'], 'username': 'user',
         'credential': 'pa ss'},
        {'urls': ['turns:[::1]:5349'], 'username': 'u2', 'credential': 'p2'},
    ], f'config.json has the ICE servers as RTCIceServer ({cfg.get("iceServers")})')

    # stats.json and /stats, no viewer
    st, _, _ = fetch(url + 'stats.json', ctx=ctx)
    check(st == 401, f'GET /stats.json without the token: 401 ({st})')
    st, _, _ = fetch(url + 'stats.json', ctx=ctx, token='wrong')
    check(st == 401, f'GET /stats.json with a wrong token: 401 ({st})')
    st, hdrs, body = fetch(url + 'stats.json', ctx=ctx, token='s3cr3t')
    check(st == 200 and hdrs.get('Content-Type') == 'application/json',
          f'GET /stats.json with the token: 200 application/json ({st})')
    s = json.loads(body)
    check(s.get('type') == 'webrtcsink-stats' and s.get('viewers') == 0
          and s.get('viewers-total') == 0 and s.get('peers') == [],
          f'stats.json: no viewers yet ({s})')
    streams = s.get('streams', [])
    check([(x.get('type'), x.get('pad'), x.get('kind')) for x in streams] ==
          [('outbound-stream', 'video_0', 'video'), ('outbound-stream', 'audio_0', 'audio')]
          and all(isinstance(x.get('ssrc'), int) for x in streams),
          f'stats.json: one outbound-stream per pad ({streams})')
    st, hdrs, body = fetch(url + 'stats', ctx=ctx)
    check(st == 200 and hdrs.get('Content-Type', '').startswith('text/html')
          and b'stats.js' in body, f'GET /stats is the stats page ({st})')
    st, hdrs, body = fetch(url + 'stats.js', ctx=ctx)
    check(st == 200 and b'stats.json' in body and b'Bearer' in body,
          f'GET /stats.js polls stats.json with the token ({st})')

    # a WHEP offer over HTTPS makes a viewer; Link headers carry the servers
    st, hdrs, body = fetch(url + 'whep', data=OFFER, method='POST',
                           ctype='application/sdp', token='s3cr3t', ctx=ctx)
    loc = hdrs.get('Location', '')
    check(st == 201 and body.startswith(b'v=0') and loc.startswith('/whep/'),
          f'POST /whep over HTTPS: 201 with an answer ({st})')
    links = hdrs.get_all('Link') or []
    check(any('<stun:127.0.0.1:3478>; rel="ice-server"' in x for x in links)
          and any('<turn:127.0.0.1:3478?transport=udp>' in x and 'username="user"' in x
                  for x in links),
          f'the 201 announces the ICE servers in Link headers ({links})')
    sid = loc.rsplit('/', 1)[-1]
    st, _, body = fetch(url + 'stats.json', ctx=ctx, token='s3cr3t')
    s = json.loads(body)
    peers = s.get('peers', [])
    check(s.get('viewers') == 1 and s.get('viewers-total') == 1 and len(peers) == 1,
          f'stats.json: one viewer ({s.get("viewers")}, {len(peers)} peers)')
    if peers:
        p = peers[0]
        check(p.get('type') == 'peer-connection' and p.get('id') == sid[:8],
              f'stats.json: the viewer is a peer-connection, id cut to 8 digits ({p.get("id")})')
        check(p.get('state') in ('new', 'connecting'),
              f'stats.json: its state ({p.get("state")})')
        out = p.get('outbound-rtp', [])
        check(sorted(o.get('kind') for o in out) == ['audio', 'video']
              and all(o.get('type') == 'outbound-rtp' and o.get('packetsSent') == 0
                      and o.get('bytesSent') == 0 and o.get('nackCount') == 0
                      and o.get('pliCount') == 0 and isinstance(o.get('ssrc'), int)
                      for o in out)
              and {o.get('trackIdentifier') for o in out} == {'video_0', 'audio_0'},
              f'stats.json: an outbound-rtp per track, nothing sent before ICE ({out})')
        check({o.get('mimeType') for o in out} == {'video/VP8', 'audio/opus'}
              or all(re.fullmatch(r'(video|audio)/\w+', o.get('mimeType', '')) for o in out),
              f'stats.json: mimeType per track ({[o.get("mimeType") for o in out]})')
        remote = p.get('remote-inbound-rtp', [])
        check(len(remote) == len(out) and all(r.get('type') == 'remote-inbound-rtp'
                                              and 'packetsLost' in r for r in remote),
              f'stats.json: a remote-inbound-rtp per track ({remote})')
    # the property has the full id, and the same structure
    prop = sink.get_property('stats')
    check(prop.get_value('viewers') == 1 and sid in prop.to_string(),
          'the stats property has the viewer with its full session id')
    st, _, _ = fetch(urllib.parse.urljoin(url, loc), method='DELETE',
                     token='s3cr3t', ctx=ctx)
    check(st == 200, f'DELETE over HTTPS ({st})')
    pipe.set_state(Gst.State.NULL)
    check(wait_state(pipe, Gst.State.NULL), 'back to NULL')
    msg, _ = error_on_bus(pipe)
    check(msg is None, f'no error on the bus ({msg})')
    pipe = sink = None

    # --- no token, no ICE servers: the JSON pages are open, config minimal -
    pipe, sink = pipeline({})
    pipe.set_state(Gst.State.READY)
    check(wait_state(pipe, Gst.State.READY), 'plain HTTP: READY')
    url = sink.get_property('url') or ''
    check(url.startswith('http://'), f'without a certificate the url is http ({url})')
    st, _, body = fetch(url + 'config.json')
    check(st == 200 and json.loads(body) == {'whep': 'whep', 'iceServers': [],
                                             'iceTransportPolicy': 'all',
                                             'navigation': False},
          f'config.json without ICE servers ({st} {body!r})')
    st, _, body = fetch(url + 'stats.json')
    check(st == 200 and json.loads(body).get('viewers') == 0,
          f'stats.json without a token is open ({st})')
    pipe.set_state(Gst.State.NULL)
    pipe = sink = None

    # --- bad files: NULL -> READY fails, the error names the file and why -
    notpem = os.path.join(tmp, 'not.pem')
    with open(notpem, 'w') as f:
        f.write('this is not PEM\n')
    cases = [
        ({'tls-certificate': cert, 'tls-key': f'{tmp}/missing-key.pem'},
         'missing-key.pem', 'No such file'),
        ({'tls-certificate': f'{tmp}/missing-cert.pem', 'tls-key': key},
         'missing-cert.pem', 'No such file'),
        ({'tls-certificate': notpem, 'tls-key': key}, notpem, 'certificate'),
        ({'tls-certificate': cert, 'tls-key': notpem}, notpem, 'private key'),
        ({'tls-certificate': cert}, 'tls-key', 'both'),
        ({'stun-server': 'http://example.com'}, 'http://example.com', 'STUN'),
    ]
    for p, name, why in cases:
        props = describe(p)
        pipe, sink = pipeline(p)
        ret = pipe.set_state(Gst.State.READY)
        msg, debug = error_on_bus(pipe)
        check(ret == Gst.StateChangeReturn.FAILURE,
              f'{props}: NULL -> READY fails ({ret.value_nick})')
        check(msg is not None and name in msg and why in msg,
              f'{props}: the error says which file and why ({msg})')
        check(sink.get_property('url') is None, f'{props}: no url')
        pipe.set_state(Gst.State.NULL)
        pipe = sink = None
finally:
    shutil.rmtree(tmp, ignore_errors=True)

print(f'{"FAIL" if failed else "PASS"}: webrtcsink-https, {failed} failed')
sys.exit(1 if failed else 0)
