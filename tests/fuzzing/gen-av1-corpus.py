#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the seed corpus of fuzz-av1-depay (see fuzz-av1-depay.c for the
record format): real av1enc output through wrtcav1pay at two MTUs, with
a lost packet, a duplicate and a reset, and hand-made payloads of every
aggregation header layout and of each malformation the depacketizer
rejects.

    scripts/gst-env tests/fuzzing/gen-av1-corpus.py tests/fuzzing/corpus
"""
import os
import sys

import gi
gi.require_version("Gst", "1.0")
gi.require_version("GstApp", "1.0")
from gi.repository import Gst, GstApp  # noqa: E402

ENCODER = ("av1enc usage-profile=realtime cpu-used=9 end-usage=cbr "
           "target-bitrate=1000 lag-in-frames=0 keyframe-max-dist=3 "
           "threads=2 min-quantizer=10 max-quantizer=56")


def rtp_packets(frames, mtu):
    """[(marker, payload)] of wrtcav1pay mtu=@mtu over @frames frames."""
    pipe = Gst.parse_launch(
        "videotestsrc num-buffers=%d pattern=ball ! video/x-raw,format=I420,"
        "width=160,height=120,framerate=30/1 ! %s ! av1parse ! "
        "wrtcav1pay mtu=%d ! appsink name=out sync=false" % (frames, ENCODER,
                                                            mtu))
    sink = pipe.get_by_name("out")
    pipe.set_state(Gst.State.PLAYING)
    packets = []
    while True:
        sample = sink.emit("pull-sample")
        if sample is None:
            break
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        data = bytes(info.data)
        buf.unmap(info)
        # RFC 3550 section 5.1: CSRCs and a header extension before the
        # payload
        off = 12 + 4 * (data[0] & 0x0f)
        if data[0] & 0x10:
            off += 4 + 4 * ((data[off + 2] << 8) | data[off + 3])
        packets.append((bool(data[1] & 0x80), data[off:]))
    pipe.set_state(Gst.State.NULL)
    return packets


def record(payload, marker=False, step=0, reset=False):
    flags = (1 if marker else 0) | (step << 1) | (8 if reset else 0)
    return bytes([flags, len(payload) >> 8, len(payload) & 0xff]) + payload


def stream(packets, lose=None, dup=None, reset_at=None):
    out = b""
    step = 0
    for i, (marker, payload) in enumerate(packets):
        if i == lose:
            step = 1            # the next one comes 2 after the previous
            continue
        out += record(payload, marker, step, i == reset_at)
        step = 0
        if i == dup:
            out += record(payload, marker, 2)
    return out


# obu_type << 3, AV1 section 6.2.2
SEQ, TD, FH, TG, META, FRAME, TL, PAD = (1 << 3, 2 << 3, 3 << 3, 4 << 3,
                                         5 << 3, 6 << 3, 8 << 3, 15 << 3)
KEY, INTER = 0x10, 0x30

HANDMADE = {
    # W=2, N=1: sequence header and key frame
    "w2-key": record(bytes([0x28, 3, SEQ, 0, 1, FRAME, KEY]), True),
    # W=3 with a temporal delimiter and a tile list to drop
    "w3-td-tl": record(bytes([0x30, 1, TD, 2, TL, 5, FRAME, INTER]), True),
    # W=0, an extension header, tile groups
    "w0-ext": record(bytes([0x00, 2, META, 1, 3, FH | 4, 0x08, INTER, 1, TG,
                            2, TG, 7]), True),
    # an obu_size kept by the sender
    "obu-size-kept": record(bytes([0x10, FRAME | 2, 2, INTER, 0xbb]), True),
    # a fragment over three packets, the header alone in the first, and
    # RTP padding between
    "fragments-padding": (record(bytes([0x60, 2, META, 1, FRAME | 4]))
                          + record(bytes([0xd0, 0x10, INTER, 1]))
                          + record(b"")
                          + record(bytes([0x90, 2, 3]), True)),
    # malformed: Z=1 alone, Z=0 under a fragment, W=2 with one element,
    # a length past the end, an endless leb128, an empty element, the
    # forbidden bit, obu_size short, Y=1 with the marker; each followed
    # by a good unit (and one first: Z=1 on the first packet of a stream
    # is a receiver joining, skipped silently)
    "malformed": record(bytes([0x10, FRAME, INTER]), True) + b"".join(
        record(bad, True) + record(bytes([0x10, FRAME, INTER]), True)
        for bad in [bytes([0x90, 1, 2]), bytes([0x20, 2, FRAME, 0x10]),
                    bytes([0x00, 5, FRAME, 0x10]), bytes([0x00]) + b"\xff" * 9,
                    bytes([0x00, 0x00]), bytes([0x10, 0x80 | FRAME, 0x10]),
                    bytes([0x10, FRAME | 2, 1, 0x10, 0x20]),
                    bytes([0x50, FRAME, 0x10])])
    + record(bytes([0x50, FRAME, INTER])) + record(bytes([0x10, FRAME]), True),
}


def main(outdir):
    Gst.init(None)
    d = os.path.join(outdir, "fuzz-av1-depay")
    os.makedirs(d, exist_ok=True)
    seeds = dict(HANDMADE)
    big = rtp_packets(4, 1200)
    small = rtp_packets(5, 120)
    seeds["real-mtu1200"] = stream(big)
    seeds["real-mtu120"] = stream(small)
    seeds["real-mtu120-loss-dup-reset"] = stream(
        small, lose=len(small) // 3, dup=len(small) // 2,
        reset_at=2 * len(small) // 3)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        print("%s: %d bytes" % (os.path.join(d, name), len(data)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
