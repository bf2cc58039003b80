#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Sets up, builds and runs every benchmark in bench/: each prints our figure,
# the anchor measured in the same run, and the ratio.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${BUILDDIR:-$top/build}
"$top/scripts/setup.sh" "$builddir" || exit 1
export BUILDDIR=$builddir
status=0
for b in "$top"/bench/run-*.sh; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b" || status=1
done
exit $status
