#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The main job: the camera (v4l2src, when /dev/video0 exists) or a moving
# test pattern with a tone, served to browsers by webrtcsink.  Prints the
# URL to open; runs until Ctrl-C.
#
#   scripts/run-demo.sh                     # until Ctrl-C
#   DEMO_SECONDS=30 scripts/run-demo.sh     # stop after 30 s
#   DEMO_PORT=0 scripts/run-demo.sh         # any free port (default 8080)
#   DEMO_ADDRESS=0.0.0.0 scripts/run-demo.sh   # reachable from the LAN
#   DEMO_NO_SETUP=1 ...                     # skip set-up (the demo test)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${BUILDDIR:-$top/build}
if [ -z "${DEMO_NO_SETUP:-}" ]; then
  "$top/scripts/setup.sh" "$builddir" || exit 1
fi
export BUILDDIR=$builddir

secs=${DEMO_SECONDS:-0}
port=${DEMO_PORT:-8080}
address=${DEMO_ADDRESS:-127.0.0.1}

if [ -e /dev/video0 ]; then
  video="v4l2src device=/dev/video0 ! videoconvert ! videoscale !
    video/x-raw,width=640,height=480"
  what="camera /dev/video0"
else
  video="videotestsrc is-live=true pattern=ball ! 
    video/x-raw,width=640,height=360,framerate=30/1 ! timeoverlay"
  what="moving test pattern + 440 Hz tone"
fi
pipeline="$video ! webrtcsink name=ws address=$address port=$port"
if [ ! -e /dev/video0 ]; then
  pipeline="$pipeline audiotestsrc is-live=true wave=sine volume=0.2 ! ws.audio_0"
fi

echo "demo: $what -> webrtcsink (open the URL below in a browser; Ctrl-C stops)"
# gst-launch-1.0 prints "webrtcsink: open http://..." once the server runs.
if [ "$secs" = 0 ]; then
  exec "$top/scripts/gst-env" gst-launch-1.0 -e $pipeline
fi
timeout -k 5 -s INT "$secs" "$top/scripts/gst-env" gst-launch-1.0 -e $pipeline
rc=$?
# timeout's INT ends gst-launch-1.0 cleanly (-e: EOS, then NULL)
[ "$rc" = 0 ] || [ "$rc" = 124 ]
