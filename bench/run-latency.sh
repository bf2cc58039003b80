#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Added latency of webrtcsink -> webrtcsrc against two webrtcbins (see
# bench/latency.py), each run in a private network namespace with only lo.
#
#   BUILDDIR=build bench/run-latency.sh [--runs N] [--seconds S]
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${BUILDDIR:-$top/build}
builddir=$(cd "$builddir" && pwd) || exit 1
ninja -C "$builddir" >/dev/null || exit 1
exec /usr/bin/python3 "$top/bench/latency.py" --builddir "$builddir" "$@"
