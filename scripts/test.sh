#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Sets everything up (Debian packages, build) and runs the whole test suite:
# the format check, then every meson test in the isolated environment.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${BUILDDIR:-$top/build}

"$top/scripts/setup.sh" "$builddir" || exit 1

failed=0
passed=0
if "$top/scripts/check-format.sh"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi

meson test -C "$builddir" --print-errorlogs --num-processes 2 "$@"
rc=$?
# meson's summary counts each test; fold them into the one closing line
log="$builddir/meson-logs/testlog.json"
if [ -f "$log" ]; then
  p=$(python3 -c 'import json,sys
ok=sum(1 for l in open(sys.argv[1]) if json.loads(l)["result"] in ("OK","EXPECTEDFAIL"))
print(ok)' "$log")
  f=$(python3 -c 'import json,sys
bad=sum(1 for l in open(sys.argv[1]) if json.loads(l)["result"] not in ("OK","EXPECTEDFAIL","SKIP"))
print(bad)' "$log")
  s=$(python3 -c 'import json,sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["result"]=="SKIP"))' "$log")
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$s" != 0 ]; then
    echo "tests: $s skipped tests count as failures here"
    failed=$((failed + s))
  fi
fi
[ $rc != 0 ] && [ $failed = 0 ] && failed=1
echo "$passed passed, $failed failed"
[ $failed = 0 ]
