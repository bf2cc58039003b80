#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The data channel benchmarks (issue 11), each beside its anchors measured
# in the same run, in a network namespace that has only lo:
#   throughput  SCTP over DTLS over ICE/UDP on loopback, two of our peer
#               cores against two webrtcbins and Chromium's two
#               RTCPeerConnections, 16 KiB and 64 KiB messages, MB/s and
#               CPU per MB;
#   open        offer-to-open time, cold (first in a fresh process) and
#               warm, against two webrtcbins;
#   file        the gst-launch file transfer of
#               docs/plugins/sctpdatachannel.md against the same file over
#               a plain TCP socket on loopback.
#
#   BUILDDIR=build-bench bench/run-dc.sh [MODE [dc-bench.py MODE options]] [-v]
# Without MODE: all three with their defaults.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${BUILDDIR:-$top/build}
ninja -C "$builddir" >/dev/null || exit 1
verbose=()
args=()
for a in "$@"; do
  case $a in -v|--verbose) verbose=(-v) ;; *) args+=("$a") ;; esac
done
run() {
  "$top/tests/lib/netns-lo.sh" /usr/bin/python3 "$top/bench/dc-bench.py" \
    --builddir "$builddir" "${verbose[@]}" "$@"
}
if [ ${#args[@]} -gt 0 ]; then
  run "${args[@]}"
  exit $?
fi
status=0
for mode in throughput open file; do
  run "$mode" || status=1
done
exit $status
