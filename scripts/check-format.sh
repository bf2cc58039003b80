#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fails when a C source file is not in gst-indent style, and prints the
# diff.  Fix with: scripts/gst-indent FILE
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for f in $(git ls-files '*.c' '*.h' 2>/dev/null | grep -v '^subprojects/'); do
  [ -f "$f" ] || continue
  mkdir -p "$tmp/$(dirname "$f")"
  cp "$f" "$tmp/$f"
  "$top/scripts/gst-indent" "$tmp/$f" || { status=1; continue; }
  if ! cmp -s "$f" "$tmp/$f"; then
    echo "format: $f is not gst-indent clean:"
    diff -u "$f" "$tmp/$f" | head -40
    status=1
  fi
done
[ $status = 0 ] && echo "format: all C sources are gst-indent clean"
exit $status
