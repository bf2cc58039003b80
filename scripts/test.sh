#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Sets everything up (Debian packages, build) and runs the whole test suite:
# the format check, then every meson test in the isolated environment, then
# the unit and element tests (tests/check) again in a second build with
# AddressSanitizer and UndefinedBehaviorSanitizer.
#
#   scripts/test.sh [TESTNAME...]
#
# BUILDDIR (default build/) and ASAN_BUILDDIR (default build-asan/) are
# configured once and reused.  Skipped tests count as failures.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${BUILDDIR:-$top/build}
asan_builddir=${ASAN_BUILDDIR:-$top/build-asan}

"$top/scripts/setup.sh" "$builddir" || exit 1

failed=0
passed=0
if "$top/scripts/check-format.sh"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi

# Folds meson's testlog.json of build dir $1 into passed/failed (a skipped
# test is a failure); $2 is meson test's exit status.
count_results() {
  local log="$1/meson-logs/testlog.json" rc=$2 p f s
  if [ -f "$log" ]; then
    read -r p f s < <(python3 -c 'import json,sys
r=[json.loads(l)["result"] for l in open(sys.argv[1])]
ok=("OK","EXPECTEDFAIL")
print(sum(x in ok for x in r), sum(x not in ok and x!="SKIP" for x in r),
      sum(x=="SKIP" for x in r))' "$log")
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$s" != 0 ]; then
      echo "tests: $s skipped tests in $1 count as failures here"
      failed=$((failed + s))
    fi
  elif [ "$rc" != 0 ]; then
    failed=$((failed + 1))
  fi
  if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
    failed=1
  fi
}

# The registry brought up to date once, natively, before the tests: a test
# that finds it stale rebuilds it inside its own process, which crashed
# one under valgrind (the valgrind tests also update it first:
# tests/lib/registry-then.sh).
BUILDDIR="$builddir" "$top/scripts/gst-env" gst-inspect-1.0 >/dev/null 2>&1
meson test -C "$builddir" --print-errorlogs --num-processes 2 "$@"
count_results "$builddir" $?

# The sanitizer build: the compiled tests of tests/check only (the browser,
# interop and Python tests run system binaries that cannot load an
# ASan-instrumented plugin).  The first ASan error or UBSan report ends the
# test with a failure.  LeakSanitizer is off: its stop-the-world tracer
# crashes here (SIGSEGV in the tracer) on the threaded tests, and leaks are
# what the *-valgrind tests check.  GST_REGISTRY_FORK=no: the plugin
# scanner (a system binary without ASan) cannot dlopen our plugins, so the
# registry is built in the test process.
if [ ! -f "$asan_builddir/build.ninja" ]; then
  meson setup "$asan_builddir" "$top" -Db_sanitize=address,undefined \
    >/dev/null || exit 1
fi
ninja -C "$asan_builddir" >/dev/null || { echo "tests: the sanitizer build failed"; exit 1; }
"$top/scripts/upstream-plugins.sh" \
  "$(pkg-config --variable=pluginsdir gstreamer-1.0)" "$asan_builddir/upstream-plugins"
mapfile -t asan_tests < <(meson introspect --tests "$asan_builddir" | python3 -c '
import json, os, sys
checks = os.path.realpath(sys.argv[1]) + "/tests/check/"
wanted = set(sys.argv[2:])
for t in json.load(sys.stdin):
    if t["cmd"][0].startswith(checks) and (not wanted or t["name"] in wanted):
        print(t["name"])' "$asan_builddir" "$@")
if [ ${#asan_tests[@]} -gt 0 ]; then
  echo "tests: ${#asan_tests[@]} tests of tests/check under ASan and UBSan ($asan_builddir)"
  GST_REGISTRY_FORK=no \
  ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=0:print_summary=1 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:print_summary=1:suppressions=$top/tests/ubsan.supp \
    meson test -C "$asan_builddir" --no-rebuild --print-errorlogs \
    --num-processes 2 "${asan_tests[@]}"
  count_results "$asan_builddir" $?
elif [ $# = 0 ]; then
  echo "tests: no tests/check test in the sanitizer build"
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ $failed = 0 ]
