#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# SRTP protect throughput: dtlssrtpenc against a raw libsrtp2 srtp_protect
# loop on the same 1200-byte packets, both profiles, singles and lists.
#
#   BUILDDIR=build-bench bench/run-srtp.sh [srtp-throughput options]
#   (e.g. --seconds 2 --repeats 7, --clock wall, --profile SRTP_AEAD_AES_128_GCM)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${BUILDDIR:-$top/build}
exe=$builddir/bench/srtp-throughput
if [ ! -x "$exe" ]; then
  ninja -C "$builddir" bench/srtp-throughput >/dev/null || exit 1
fi
[ -x "$exe" ] || { echo "run-srtp: $exe not built (dtls disabled?)" >&2; exit 1; }
BUILDDIR=$builddir exec "$top/scripts/gst-env" "$exe" "$@"
