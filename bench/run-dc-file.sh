#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The gst-launch file transfer of docs/plugins/sctpdatachannel.md
# (sctpdatachannel over our DTLS, udpsrc/udpsink on 127.0.0.1) against the
# same file over a plain TCP socket on loopback.
# Runs bench/dc-bench.py file in a network namespace that has only lo.
#
#   BUILDDIR=build-bench bench/run-dc-file.sh [dc-bench.py file options] [-v]
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
  --builddir "$builddir" "${verbose[@]}" file "${args[@]}"
