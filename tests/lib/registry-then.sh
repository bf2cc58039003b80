#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Brings the test registry ($GST_REGISTRY) up to date natively, then runs
# "$@".  For the valgrind tests: a registry rebuilt inside a process under
# valgrind (plugin loading and the scanner's fork) crashed it (SIGSEGV,
# "jump to 0x0"), whenever a rebuild had left the registry stale.
#
#   registry-then.sh PROGRAM [ARGS...]
gst-inspect-1.0 >/dev/null 2>&1 || true
exec "$@"
