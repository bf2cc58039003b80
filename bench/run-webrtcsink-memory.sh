#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# webrtcsink memory benchmark (issue 3): see bench/webrtcsink.py for what is
# measured and how; ours in the isolated environment, webrtcbin (the
# anchor) in its own process with the stock registry, loopback only.
#
#   BUILDDIR=build-bench bench/run-webrtcsink-memory.sh [options] [-v]
#   (bench/webrtcsink.py memory --help lists the options; --smoke: one short run)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${BUILDDIR:-$top/build}
[ -x "$builddir/bench/whep-viewers" ] || ninja -C "$builddir" >/dev/null || exit 1
export BUILDDIR=$builddir
exec "$top/scripts/gst-env" /usr/bin/python3 "$top/bench/webrtcsink.py" memory "$@"
