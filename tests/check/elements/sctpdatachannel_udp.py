#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""sctpdatachannel between two gst-launch-1.0 processes over UDP on
127.0.0.1 (issue 11): a file sent through `filesrc ! sctpdatachannel.sink_0`
in one process arrives byte-identical from `src_0` into `filesink` in the
other.

Each process runs udpsrc ! dtlssrtpdec ! sctpdatachannel ! dtlssrtpenc !
udpsink, its decoder and encoder sharing a connection-id (our DTLS stage);
the sender is the DTLS client.  The ports are free ports the kernel picked
for sockets this script bound and closed again just before.

Run in the isolated environment (meson's gst_env or scripts/gst-env).
Exit status 0 when the received file equals the sent one.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

TIMEOUT_S = 60
# not a multiple of filesrc's block size: the last message is short
FILE_SIZE = 3 * 1024 * 1024 + 4321


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def side(conn, in_port, out_port, middle, tail=""):
    return ("udpsrc address=127.0.0.1 port=%d ! "
            "dtlssrtpdec name=d connection-id=%s d.data_src ! dc.sink "
            "%s ! e.data_sink "
            "dtlssrtpenc name=e connection-id=%s %s ! "
            "udpsink host=127.0.0.1 port=%d sync=false async=false %s"
            % (in_port, conn, middle, conn,
               "is-client=true" if conn == "tx" else "", out_port, tail))


def main():
    tmp = tempfile.mkdtemp(prefix="sctpdc-udp-")
    src = os.path.join(tmp, "in.bin")
    dst = os.path.join(tmp, "out.bin")
    data = os.urandom(FILE_SIZE)
    with open(src, "wb") as f:
        f.write(data)
    tx_port, rx_port = free_port(), free_port()

    rx = side("rx", rx_port, tx_port, "sctpdatachannel name=dc",
              "dc.src_0 ! filesink location=%s async=false" % dst)
    tx = side("tx", tx_port, rx_port,
              "filesrc location=%s ! dc.sink_0 "
              "sctpdatachannel name=dc is-client=true sink_0::label=file"
              % src)
    procs = []
    try:
        for line in (rx, tx):
            log("gst-launch-1.0", line)
            procs.append(subprocess.Popen(
                ["gst-launch-1.0"] + line.split(),
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
        deadline = time.monotonic() + TIMEOUT_S
        got = b""
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in procs):
                break
            if os.path.exists(dst) and os.path.getsize(dst) >= FILE_SIZE:
                with open(dst, "rb") as f:
                    got = f.read()
                break
            time.sleep(0.1)
    finally:
        outputs = []
        for p in procs:
            if p.poll() is None:
                p.terminate()
            try:
                out, _ = p.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                out, _ = p.communicate()
            outputs.append(out.decode(errors="replace"))

    if got != data:
        for name, out in zip(("receiver", "sender"), outputs):
            log("---- %s ----\n%s" % (name, out))
        log("FAIL: received %d of %d bytes%s" % (
            len(got) if got else (os.path.getsize(dst)
                                  if os.path.exists(dst) else 0),
            FILE_SIZE, ", contents differ" if len(got) == FILE_SIZE else ""))
        return 1
    log("%d bytes arrived byte-identical" % FILE_SIZE)
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
