/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: fuzz target for the AV1 depacketizer
 * (ext/webrtc/rtp/gstwrtcav1.c, what wrtcav1depay runs on every AV1 RTP
 * payload a sender gives webrtcsrc).
 *
 * Input: records of a flags byte, a 2-byte big-endian length and that
 * many payload bytes (the last record takes what is left).  Flags: bit 0
 * the marker bit; bits 1-2 the step to the record's sequence number
 * (0: +1, 1: +2, a lost packet, 2: +0, a duplicate, 3: -3, an old one);
 * bit 3 a reset (a flush) first; bits 4-7 the payload size (plus
 * GST_WRTC_AV1_MIN_PAYLOAD) of the first round trip below.  Sequence
 * numbers start at 65530 so they wrap.
 *
 * Checks: every unit given is a low overhead bitstream (a temporal
 * delimiter, then OBUs with obu_has_size_field and an obu_size that add
 * up to the unit, none a temporal delimiter or tile list, no forbidden
 * bit) of at most GST_WRTC_AV1_MAX_UNIT bytes; packetized again by
 * gst_wrtc_av1_packetize() and depacketized by a fresh depacketizer it
 * comes back byte for byte, with the same key frame flag (and N=1 exactly
 * for key units); flags only come with a unit; every drop reported is in
 * GST_WRTC_AV1_ERROR.
 *
 * Needs only the RTP layer (rtp_core_dep): no GStreamer.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "gstwrtcav1.h"
#include "fuzz-check.h"

static void
fuzz_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    /* a critical warning is a bug the fuzzer found */
    g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);
    g_once_init_leave (&done, 1);
  }
}

static void
check_bitstream (const guint8 * u, gsize len)
{
  gsize off = 2;

  FUZZ_CHECK (len > 2 && len <= GST_WRTC_AV1_MAX_UNIT);
  FUZZ_CHECK (u[0] == ((GST_WRTC_AV1_OBU_TEMPORAL_DELIMITER << 3) | 0x02));
  FUZZ_CHECK (u[1] == 0);
  while (off < len) {
    guint type = (u[off] >> 3) & 0xf, hlen = (u[off] & 0x04) ? 2 : 1, n;
    guint32 size;

    FUZZ_CHECK (!(u[off] & 0x80));
    FUZZ_CHECK (u[off] & 0x02);
    FUZZ_CHECK (type != GST_WRTC_AV1_OBU_TEMPORAL_DELIMITER);
    FUZZ_CHECK (type != GST_WRTC_AV1_OBU_TILE_LIST);
    FUZZ_CHECK (len - off > hlen);
    n = gst_wrtc_av1_read_leb128 (u + off + hlen, len - off - hlen, &size);
    FUZZ_CHECK (n > 0 && size <= len - off - hlen - n);
    off += hlen + n + size;
  }
  FUZZ_CHECK (off == len);
}

/* Packetizes @unit with payloads of @max bytes, depacketizes that with a
 * fresh depacketizer: the same unit, the same key frame flag. */
static void
check_round_trip (GBytes * unit, gboolean keyframe, gsize max)
{
  GstWrtcAv1Depacketizer *d = gst_wrtc_av1_depacketizer_new ();
  GstWrtcAv1DepayResult r = { 0, };
  gsize len;
  const guint8 *u = g_bytes_get_data (unit, &len);
  gboolean newseq;
  GError *err = NULL;
  GPtrArray *p = gst_wrtc_av1_packetize (u, len, max, &newseq, &err);
  guint i;

  FUZZ_CHECK (p != NULL && err == NULL);
  FUZZ_CHECK (p->len > 0);
  FUZZ_CHECK (newseq == keyframe);
  for (i = 0; i < p->len; i++) {
    gsize l;
    const guint8 *b = g_bytes_get_data (g_ptr_array_index (p, i), &l);

    FUZZ_CHECK (l <= max);
    gst_wrtc_av1_depay_result_clear (&r);
    gst_wrtc_av1_depacketizer_push (d, b, l, 1000 + i, i + 1 == p->len, &r);
    FUZZ_CHECK (r.dropped == NULL);
    FUZZ_CHECK ((r.unit != NULL) == (i + 1 == p->len));
  }
  FUZZ_CHECK (g_bytes_equal (r.unit, unit));
  FUZZ_CHECK (r.keyframe == keyframe);
  FUZZ_CHECK (r.new_sequence == keyframe);
  FUZZ_CHECK (!r.discont);
  gst_wrtc_av1_depay_result_clear (&r);
  g_ptr_array_unref (p);
  gst_wrtc_av1_depacketizer_free (d);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  GstWrtcAv1Depacketizer *d;
  guint16 seq = 65530;
  gsize off = 0;
  guint records = 0;

  if (size > 65536)
    return 0;
  fuzz_init ();
  d = gst_wrtc_av1_depacketizer_new ();

  while (off < size) {
    static const gint steps[4] = { 1, 2, 0, -3 };
    GstWrtcAv1DepayResult r;
    guint8 flags = data[off];
    gsize len = 0;
    guint8 *payload;

    if (size - off >= 3)
      len = MIN ((gsize) ((data[off + 1] << 8) | data[off + 2]),
          size - off - 3);
    off = MIN (off + 3, size);
    if (flags & 0x08)
      gst_wrtc_av1_depacketizer_reset (d);
    if (records++ > 0)
      seq += steps[(flags >> 1) & 3];
    /* a copy of exactly @len bytes, so ASan sees any read past it */
    payload = g_memdup2 (data + off, len);
    gst_wrtc_av1_depacketizer_push (d, payload, len, seq, flags & 1, &r);
    g_free (payload);
    off += len;

    if (r.dropped)
      FUZZ_CHECK (r.dropped->domain == GST_WRTC_AV1_ERROR
          && r.dropped->message != NULL);
    if (r.unit) {
      gsize l;
      const guint8 *u = g_bytes_get_data (r.unit, &l);

      check_bitstream (u, l);
      /* the smallest payloads and common ones */
      check_round_trip (r.unit, r.keyframe, GST_WRTC_AV1_MIN_PAYLOAD +
          (flags >> 4));
      check_round_trip (r.unit, r.keyframe, 1200);
    } else {
      FUZZ_CHECK (!r.keyframe && !r.new_sequence && !r.discont);
    }
    gst_wrtc_av1_depay_result_clear (&r);
  }

  gst_wrtc_av1_depacketizer_free (d);
  return 0;
}
