#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs "$@" in a private network namespace whose only interface is lo
# (127.0.0.1 and ::1, default routes through it), as TESTING.md describes:
# nothing but loopback can be reached, ports never collide with another
# run, and libnice finds no interface but loopback.  Root (CI) or, on a
# developer's machine, a user namespace for the capabilities.
#
#   netns-lo.sh PROGRAM [ARGS...]
setup='set -e
ip link set lo up
ip route add default dev lo src 127.0.0.1
ip -6 route add default dev lo src ::1 2>/dev/null || true
exec "$@"'
for prog in unshare ip; do
  command -v "$prog" >/dev/null || {
    echo "FAIL: '$prog' not found (util-linux, iproute2)" >&2
    exit 1
  }
done
if [ "$(id -u)" = 0 ]; then
  exec unshare --net sh -c "$setup" sh "$@"
fi
exec unshare --map-root-user --net sh -c "$setup" sh "$@"
