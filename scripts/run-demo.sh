#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The main job, for now: a test pattern encrypted by dtlssrtpenc, sent over
# UDP on localhost, decrypted by dtlssrtpdec and shown in a window (with a
# display) or counted (without one).
#
#   scripts/run-demo.sh            # 10 s
#   DEMO_SECONDS=0 scripts/run-demo.sh   # until Ctrl-C
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${BUILDDIR:-$top/build}
"$top/scripts/setup.sh" "$builddir" || exit 1
export BUILDDIR=$builddir

secs=${DEMO_SECONDS:-10}
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  sink="autovideosink"
else
  sink="fakesink name=out silent=false async=false"
fi

# Sender A (DTLS client) -> port 15006 -> receiver B; B answers the
# handshake on port 15004.  Sinks fed only by the network use async=false,
# as rtpbin's RTCP sinks do, so the live pipeline does not wait for them to
# preroll.
pipeline="
  udpsrc port=15004 ! dtlssrtpdec connection-id=sender ! fakesink async=false
  videotestsrc is-live=true pattern=ball ! video/x-raw,width=640,height=360,framerate=30/1 !
    timeoverlay ! vp8enc deadline=1 ! rtpvp8pay !
    dtlssrtpenc connection-id=sender is-client=true ! udpsink host=127.0.0.1 port=15006
  udpsrc port=15006 ! dtlssrtpdec connection-id=receiver name=rx
    rx.rtp_src ! application/x-rtp,media=video,clock-rate=90000,encoding-name=VP8,payload=96 !
    rtpvp8depay ! vp8dec ! videoconvert ! $sink
  dtlssrtpenc connection-id=receiver is-client=false ! udpsink host=127.0.0.1 port=15004 async=false"

echo "demo: test pattern -> dtlssrtpenc -> UDP 127.0.0.1 -> dtlssrtpdec -> $sink"
if [ "$secs" = 0 ]; then
  exec "$top/scripts/gst-env" gst-launch-1.0 $pipeline
fi
out=$(mktemp)
timeout -k 5 -s INT "$secs" "$top/scripts/gst-env" gst-launch-1.0 -v $pipeline >"$out" 2>&1
frames=$(grep -c "out: last-message = chain" "$out" || true)
grep -E "connection-state = (connected|failed)|ERROR" "$out" | sort -u
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "demo: $frames frames decrypted and decoded in $secs s"
  rm -f "$out"
  [ "$frames" -gt 0 ]
fi
