#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Data channel offer-to-open time on loopback, cold (first in a fresh
# process) and warm: two of our peer cores against two webrtcbins.
# Runs bench/dc-bench.py open in a network namespace that has only lo.
#
#   BUILDDIR=build-bench bench/run-dc-open.sh [dc-bench.py open options] [-v]
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
  --builddir "$builddir" "${verbose[@]}" open "${args[@]}"
