#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# upstream-plugins.sh SYSTEM_PLUGIN_DIR OUT_DIR
#
# Fills OUT_DIR with links to every system GStreamer plugin except the ones
# that register the element names this project provides, so a process using
# OUT_DIR as GST_PLUGIN_SYSTEM_PATH sees our dtlssrtpenc/dtlssrtpdec.
set -eu
src=$1
out=$2
mkdir -p "$out"
find "$out" -maxdepth 1 -type l -delete
for f in "$src"/libgst*.so; do
  [ -e "$f" ] || continue
  case "$(basename "$f")" in
    libgstdtls.so|libgstsrtp.so|libgstsctp.so|libgstwebrtc.so|libgstrswebrtc.so) ;;
    *) ln -sf "$f" "$out/" ;;
  esac
done
