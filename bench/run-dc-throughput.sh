#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Data channel throughput on loopback, full stack (SCTP over DTLS over
# ICE/UDP): two of our peer cores against two webrtcbins and Chromium's two
# RTCPeerConnections, 16 KiB and 64 KiB messages, MB/s and CPU per MB.
# Runs bench/dc-bench.py throughput in a network namespace that has only lo.
#
#   BUILDDIR=build-bench bench/run-dc-throughput.sh [dc-bench.py throughput options] [-v]
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${BUILDDIR:-$top/build}
ninja -C "$builddir" >/dev/null || exit 1
verbose=()
args=()
for a in "$@"; do
  case $a in -v|--verbose) verbose=(-v) ;; *) args+=("$a") ;; esac
done
exec "$top/tests/lib/netns-lo.sh" /usr/bin/python3 "$top/bench/dc-bench.py" \
  --builddir "$builddir" "${verbose[@]}" throughput "${args[@]}"
