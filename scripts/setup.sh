#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Installs everything gst-plugins-webrtc needs to build, test and run on
# Debian 12, then configures the build directory.  Idempotent: packages that
# are already installed are not touched, and an existing build dir is reused.
#
#   scripts/setup.sh [builddir]
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${1:-"$top/build"}

# Build and test dependencies (Debian 12 package names).
PKGS=(
  meson ninja-build pkg-config gcc indent
  libglib2.0-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  libgstreamer-plugins-bad1.0-dev
  libssl-dev libsrtp2-dev libnice-dev libusrsctp-dev libsoup-3.0-dev
  libjson-glib-dev
  glib-networking openssl
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-base-apps gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-nice gstreamer1.0-libav
  gstreamer1.0-x
  valgrind python3 python3-gi python3-gst-1.0 gir1.2-gst-plugins-bad-1.0
  gir1.2-nice-0.1
  clang libclang-rt-14-dev
  coturn
  chromium firefox-esr nodejs iproute2 util-linux
)

sudo_cmd=()
if [ "$(id -u)" != 0 ]; then
  sudo_cmd=(sudo)
fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# coturn: the TURN tests start their own turnserver on 127.0.0.1 and a port
# in 24000-24999.  Debian enables a system service on the default port 3478
# under systemd; keep it off so no stray TURN server answers tests.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  if systemctl is-enabled --quiet coturn 2>/dev/null \
      || systemctl is-active --quiet coturn 2>/dev/null; then
    echo "setup: disabling the coturn system service"
    "${sudo_cmd[@]}" systemctl disable --now coturn >/dev/null 2>&1 || true
  fi
fi

if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" "$top"
fi
ninja -C "$builddir" >/dev/null
# the isolated environment's view of the system plugins, again: a package
# installed above after the build dir was configured shows up in it
"$top/scripts/upstream-plugins.sh" \
  "$(pkg-config --variable=pluginsdir gstreamer-1.0)" "$builddir/upstream-plugins"

# npm: the image's nodejs (NodeSource) bundles it; Debian's nodejs does not,
# so add Debian's npm only when there is none.
if ! command -v npm >/dev/null 2>&1; then
  echo "setup: installing npm"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
# One npm package for every node test (tests/package.json): its modules in
# tests/node_modules, where the helpers in tests/lib/*.mjs resolve them.
# Browser tests: playwright-core and puppeteer-core drive Debian's chromium
# and firefox-esr (nothing downloads a browser).  Interop tests:
# @roamhq/wrtc (libwebrtc, its binary shipped inside the npm package) and
# werift (pure TypeScript) as WebRTC peers.
npm_dir="$top/tests"
npm_stamp="$npm_dir/node_modules/.package-lock.json"
if [ ! -f "$npm_stamp" ] || [ "$npm_dir/package-lock.json" -nt "$npm_stamp" ]; then
  echo "setup: npm ci in tests"
  (cd "$npm_dir" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
