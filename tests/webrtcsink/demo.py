# SPDX-License-Identifier: LGPL-2.1-or-later
"""The README's main job: scripts/run-demo.sh (without its set-up step)
starts, prints the URL, serves the player page and the WHEP endpoint, and
stops cleanly after DEMO_SECONDS.  Its pipeline needs plugins the other
tests do not (timeoverlay, from gstreamer1.0-x): a missing one fails here,
not only on a user's machine."""
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

failed = 0


def check(cond, msg):
    global failed
    print(('PASS: ' if cond else 'FAIL: ') + msg, flush=True)
    if not cond:
        failed += 1
    return cond


top = os.environ.get('GST_PLUGINS_WEBRTC_SRCDIR') or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
env = dict(os.environ, DEMO_NO_SETUP='1', DEMO_PORT='0', DEMO_SECONDS='8',
           BUILDDIR=os.environ.get('GST_PLUGINS_WEBRTC_BUILDDIR',
                                   os.path.join(top, 'build')))
demo = subprocess.Popen([os.path.join(top, 'scripts', 'run-demo.sh')],
                        env=env, stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT, text=True)
out, url = [], None
end = time.monotonic() + 30
while time.monotonic() < end:
    line = demo.stdout.readline()
    if not line:
        break
    out.append(line)
    m = re.search(r'webrtcsink: open (http://\S+)', line)
    if m:
        url = m.group(1)
        break
check(url is not None, 'the demo prints the URL to open (%s)' % url)
if url:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            page = r.read().decode('utf-8', 'replace')
            check(r.status == 200 and 'player.js' in page,
                  'GET %s serves the player page' % url)
    except (urllib.error.URLError, OSError) as e:
        check(False, 'GET %s: %s' % (url, e))
    req = urllib.request.Request(url + 'whep', data=b'not sdp',
                                 method='POST',
                                 headers={'Content-Type': 'application/sdp'})
    try:
        urllib.request.urlopen(req, timeout=10)
        check(False, 'POST /whep with a broken offer is refused')
    except urllib.error.HTTPError as e:
        check(400 <= e.code < 500 or e.code == 503,
              'the WHEP endpoint answers (a broken offer: %d)' % e.code)
try:
    rest, _ = demo.communicate(timeout=40)
except subprocess.TimeoutExpired:
    demo.kill()
    rest, _ = demo.communicate()
out.append(rest or '')
check(demo.returncode == 0, 'the demo stops cleanly after DEMO_SECONDS '
      '(exit %s)' % demo.returncode)
text = ''.join(out)
check('erroneous pipeline' not in text and 'ERROR' not in text,
      'no pipeline error')
if failed:
    print(text[-3000:])
print('%d failed' % failed)
sys.exit(1 if failed else 0)
