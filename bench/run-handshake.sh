#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# DTLS handshake time on loopback UDP: our dtlssrtpenc/dtlssrtpdec against
# gst-plugins-bad's (plus the time to the first decrypted RTP packet), each
# sample a fresh process, interleaved; UDP ports
# 22100-22105 (ours) and 22200-22205 (upstream) on 127.0.0.1.
#
#   BUILDDIR=build-bench bench/run-handshake.sh [--runs N] [-v]
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${BUILDDIR:-$top/build}
[ -f "$builddir/ext/dtls/libgstdtlssrtp.so" ] || ninja -C "$builddir" >/dev/null || exit 1
exec /usr/bin/python3 "$top/bench/handshake.py" --builddir "$builddir" "$@"
