/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the AV1 RTP packetizer and depacketizer (AOM "RTP Payload
 * Format For AV1"): every packetizer output goes through a strict
 * depacketizer written here, which checks the aggregation header rules of
 * section 4.4 and gives back the OBUs, compared with what went in, and
 * through GstWrtcAv1Depacketizer, which must give the same temporal unit
 * back.  Then the depacketizer alone: hand-made payloads, lost packets,
 * malformed and truncated input. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <string.h>

#include "gstwrtcav1.h"

#define OBU_SEQ GST_WRTC_AV1_OBU_SEQUENCE_HEADER
#define OBU_TD GST_WRTC_AV1_OBU_TEMPORAL_DELIMITER
#define OBU_FH GST_WRTC_AV1_OBU_FRAME_HEADER
#define OBU_TG GST_WRTC_AV1_OBU_TILE_GROUP
#define OBU_META GST_WRTC_AV1_OBU_METADATA
#define OBU_FRAME GST_WRTC_AV1_OBU_FRAME
#define OBU_TL GST_WRTC_AV1_OBU_TILE_LIST
#define OBU_PADDING GST_WRTC_AV1_OBU_PADDING

/* frame (header) payloads: show_existing_frame 0, frame_type, show_frame 1 */
#define KEY_FRAME 0x10
#define INTER_FRAME 0x30

/* Appends an OBU of @type with @len payload bytes (the first @first, then
 * a counter) to @tu; @ext >= 0 adds an extension header; @size adds
 * obu_size. */
static void
add_obu (GByteArray * tu, guint type, gint ext, gboolean size, gsize len,
    guint8 first)
{
  guint8 h = (type << 3) | (ext >= 0 ? 0x04 : 0) | (size ? 0x02 : 0);
  guint8 leb[8];
  gsize i;

  g_byte_array_append (tu, &h, 1);
  if (ext >= 0) {
    guint8 e = ext;
    g_byte_array_append (tu, &e, 1);
  }
  if (size)
    g_byte_array_append (tu, leb, gst_wrtc_av1_write_leb128 (len, leb));
  for (i = 0; i < len; i++) {
    guint8 b = i == 0 ? first : (guint8) (i * 7 + type);
    g_byte_array_append (tu, &b, 1);
  }
}

/* An OBU as the depacketizer gives it back (section 4.5 reversed): the
 * header with obu_has_size_field set again, and obu_size. */
static void
emit_obu (GByteArray * out, const guint8 * obu, gsize len)
{
  guint hlen = (obu[0] & 0x04) ? 2 : 1;
  guint8 h = obu[0] | 0x02, leb[8];

  fail_unless (len >= hlen);
  fail_if (obu[0] & 0x02, "obu_has_size_field must be cleared");
  g_byte_array_append (out, &h, 1);
  if (hlen == 2)
    g_byte_array_append (out, obu + 1, 1);
  g_byte_array_append (out, leb, gst_wrtc_av1_write_leb128 (len - hlen, leb));
  g_byte_array_append (out, obu + hlen, len - hlen);
}

/* Depacketizes @payloads of one temporal unit, checking every rule of
 * section 4.4 on the way; *@nbit says whether the first had N=1.
 * Returns the OBUs with size fields. */
static GByteArray *
depay (GPtrArray * payloads, gsize max, gboolean * nbit)
{
  GByteArray *out = g_byte_array_new (), *cur = g_byte_array_new ();
  gboolean prev_y = FALSE;
  guint i;

  *nbit = FALSE;
  for (i = 0; i < payloads->len; i++) {
    gsize l;
    const guint8 *d = g_bytes_get_data (g_ptr_array_index (payloads, i), &l);
    gboolean z, y, n;
    guint w, idx = 0;
    gsize off = 1;

    fail_unless (l >= 2 && l <= max, "payload %u: %" G_GSIZE_FORMAT
        " bytes (max %" G_GSIZE_FORMAT ")", i, l, max);
    z = (d[0] & 0x80) != 0;
    y = (d[0] & 0x40) != 0;
    w = (d[0] >> 4) & 3;
    n = (d[0] & 0x08) != 0;
    fail_unless_equals_int (d[0] & 0x07, 0);
    /* Z continues what the previous Y left open */
    fail_unless_equals_int (z, prev_y);
    if (n) {
      fail_unless (i == 0, "N=1 only on the first packet");
      fail_if (z, "N=1 needs Z=0");
      *nbit = TRUE;
    }
    while (off < l) {
      guint32 elen;
      idx++;
      if (w && idx == w) {
        elen = l - off;
      } else {
        guint nb = gst_wrtc_av1_read_leb128 (d + off, l - off, &elen);
        fail_unless (nb > 0);
        off += nb;
        fail_unless (elen <= l - off);
      }
      fail_unless (elen > 0, "empty OBU element");
      g_byte_array_append (cur, d + off, elen);
      off += elen;
      if (!(off == l && y)) {
        emit_obu (out, cur->data, cur->len);
        g_byte_array_set_size (cur, 0);
      }
    }
    if (w)
      fail_unless_equals_int (idx, w);
    prev_y = y;
  }
  fail_if (prev_y, "the last packet must not end in a fragment");
  fail_unless_equals_int (cur->len, 0);
  g_byte_array_unref (cur);
  return out;
}

/* The temporal delimiter GstWrtcAv1Depacketizer starts every unit with */
static const guint8 td[2] = { (OBU_TD << 3) | 0x02, 0x00 };

/* Pushes @payloads to @d as packets @seq, @seq + 1, ..., the marker bit
 * on the last; returns the unit given (NULL: none) with @r filled. */
static GBytes *
push_all (GstWrtcAv1Depacketizer * d, GPtrArray * payloads, guint16 seq,
    GstWrtcAv1DepayResult * r)
{
  GBytes *unit = NULL;
  guint i;

  for (i = 0; i < payloads->len; i++) {
    gsize l;
    const guint8 *p = g_bytes_get_data (g_ptr_array_index (payloads, i), &l);

    gst_wrtc_av1_depacketizer_push (d, p, l, seq + i, i + 1 == payloads->len,
        r);
    fail_unless (r->dropped == NULL, "packet %u: %s", i,
        r->dropped ? r->dropped->message : "");
    if (i + 1 < payloads->len) {
      fail_unless (r->unit == NULL, "a unit before the marker bit");
      gst_wrtc_av1_depay_result_clear (r);
    }
  }
  if (r->unit)
    unit = g_bytes_ref (r->unit);
  return unit;
}

/* Whether @unit is a temporal delimiter followed by @expect. */
static void
assert_unit (GBytes * unit, GByteArray * expect)
{
  gsize l;
  const guint8 *u;

  fail_unless (unit != NULL);
  u = g_bytes_get_data (unit, &l);
  fail_unless_equals_int (l, sizeof (td) + expect->len);
  fail_unless (memcmp (u, td, sizeof (td)) == 0);
  fail_unless (memcmp (u + sizeof (td), expect->data, expect->len) == 0);
}

/* Whether @unit is a low overhead bitstream as the depacketizer gives
 * it: a temporal delimiter, then OBUs with obu_size that add up to the
 * unit, none of them a temporal delimiter or tile list. */
static void
check_unit (GBytes * unit)
{
  gsize l, off = sizeof (td);
  const guint8 *u = g_bytes_get_data (unit, &l);

  fail_unless (l > sizeof (td));
  fail_unless (memcmp (u, td, sizeof (td)) == 0);
  while (off < l) {
    guint hlen = (u[off] & 0x04) ? 2 : 1, n;
    guint32 size;
    guint type = (u[off] >> 3) & 0xf;
    fail_unless (u[off] & 0x02, "obu_has_size_field not set");
    fail_if (u[off] & 0x80);
    fail_if (type == OBU_TD || type == OBU_TL);
    fail_unless (l - off > hlen);
    n = gst_wrtc_av1_read_leb128 (u + off + hlen, l - off - hlen, &size);
    fail_unless (n > 0 && size <= l - off - hlen - n);
    off += hlen + n + size;
  }
  fail_unless_equals_int (off, l);
}

/* Packetizes @tu, depacketizes the result (with the strict depacketizer
 * here and with GstWrtcAv1Depacketizer) and compares it with @expect (the
 * OBUs that must be sent); returns the payloads. */
static GPtrArray *
round_trip (GByteArray * tu, gsize max, GByteArray * expect, gboolean expect_n)
{
  GError *err = NULL;
  gboolean newseq = !expect_n, nbit;
  GPtrArray *p = gst_wrtc_av1_packetize (tu->data, tu->len, max, &newseq,
      &err);
  GstWrtcAv1Depacketizer *d = gst_wrtc_av1_depacketizer_new ();
  GstWrtcAv1DepayResult r;
  GByteArray *got;
  GBytes *unit;

  fail_unless (p != NULL, "packetize: %s", err ? err->message : "?");
  fail_unless_equals_int (newseq, expect_n);
  got = depay (p, max, &nbit);
  fail_unless_equals_int (nbit, expect_n && p->len > 0);
  fail_unless_equals_int (got->len, expect->len);
  fail_unless (memcmp (got->data, expect->data, got->len) == 0);
  g_byte_array_unref (got);

  /* sequence numbers that wrap inside the unit */
  unit = push_all (d, p, 65534, &r);
  if (expect->len == 0) {
    fail_unless (unit == NULL);
  } else {
    check_unit (unit);
    assert_unit (unit, expect);
    fail_unless_equals_int (r.keyframe, expect_n);
    fail_unless_equals_int (r.new_sequence, expect_n);
    fail_if (r.discont);
    g_bytes_unref (unit);
  }
  gst_wrtc_av1_depay_result_clear (&r);
  gst_wrtc_av1_depacketizer_free (d);
  return p;
}

GST_START_TEST (test_leb128)
{
  static const guint32 values[] = { 0, 1, 127, 128, 16383, 16384,
    1200, 0x0fffffff, G_MAXUINT32
  };
  guint8 buf[8];
  guint32 v;
  guint i, n;

  for (i = 0; i < G_N_ELEMENTS (values); i++) {
    n = gst_wrtc_av1_write_leb128 (values[i], buf);
    fail_unless_equals_int (n, gst_wrtc_av1_leb128_size (values[i]));
    fail_unless_equals_int (gst_wrtc_av1_read_leb128 (buf, n, &v), n);
    fail_unless_equals_uint64 (v, values[i]);
    /* truncated */
    fail_unless_equals_int (gst_wrtc_av1_read_leb128 (buf, n - 1, &v), 0);
  }
  /* 128 as 0x80 0x01, and a padded encoding of 1 (allowed) */
  buf[0] = 0x80;
  buf[1] = 0x01;
  fail_unless_equals_int (gst_wrtc_av1_read_leb128 (buf, 2, &v), 2);
  fail_unless_equals_int (v, 128);
  buf[0] = 0x81;
  buf[1] = 0x80;
  buf[2] = 0x00;
  fail_unless_equals_int (gst_wrtc_av1_read_leb128 (buf, 3, &v), 3);
  fail_unless_equals_int (v, 1);
  /* 8 continuation bytes: no end within the limit */
  memset (buf, 0x80, 8);
  fail_unless_equals_int (gst_wrtc_av1_read_leb128 (buf, 8, &v), 0);
  /* 2^32 does not fit */
  buf[0] = buf[1] = buf[2] = buf[3] = 0x80;
  buf[4] = 0x10;
  fail_unless_equals_int (gst_wrtc_av1_read_leb128 (buf, 5, &v), 0);
}

GST_END_TEST;

/* A key frame unit as av1parse gives it: TD, sequence header, frame;
 * one packet with two OBU elements (W=2), N=1, the TD not sent. */
GST_START_TEST (test_av1_aggregate)
{
  GByteArray *tu = g_byte_array_new (), *expect = g_byte_array_new ();
  GPtrArray *p;
  const guint8 *d;
  gsize l;

  add_obu (tu, OBU_TD, -1, TRUE, 0, 0);
  add_obu (tu, OBU_SEQ, -1, TRUE, 10, 0x00);
  add_obu (tu, OBU_FRAME, -1, TRUE, 50, KEY_FRAME);
  add_obu (expect, OBU_SEQ, -1, TRUE, 10, 0x00);
  add_obu (expect, OBU_FRAME, -1, TRUE, 50, KEY_FRAME);

  p = round_trip (tu, 1200, expect, TRUE);
  fail_unless_equals_int (p->len, 1);
  d = g_bytes_get_data (g_ptr_array_index (p, 0), &l);
  /* Z=0 Y=0 W=2 N=1 */
  fail_unless_equals_int (d[0], 0x28);
  /* the sequence header: length 11, header without obu_has_size_field */
  fail_unless_equals_int (d[1], 11);
  fail_unless_equals_int (d[2], OBU_SEQ << 3);
  /* the frame, last element: no length field */
  fail_unless_equals_int (d[13], OBU_FRAME << 3);
  fail_unless_equals_int (d[14], KEY_FRAME);
  fail_unless_equals_int (l, 1 + 1 + 11 + 51);
  g_ptr_array_unref (p);

  /* four OBUs: W=0, every element with its length */
  g_byte_array_set_size (tu, 0);
  g_byte_array_set_size (expect, 0);
  add_obu (tu, OBU_TD, -1, TRUE, 0, 0);
  add_obu (tu, OBU_META, -1, TRUE, 5, 1);
  add_obu (tu, OBU_FH, -1, TRUE, 8, INTER_FRAME);
  add_obu (tu, OBU_TG, -1, TRUE, 30, 0);
  add_obu (tu, OBU_TG, -1, TRUE, 20, 0);
  add_obu (expect, OBU_META, -1, TRUE, 5, 1);
  add_obu (expect, OBU_FH, -1, TRUE, 8, INTER_FRAME);
  add_obu (expect, OBU_TG, -1, TRUE, 30, 0);
  add_obu (expect, OBU_TG, -1, TRUE, 20, 0);
  p = round_trip (tu, 1200, expect, FALSE);
  fail_unless_equals_int (p->len, 1);
  d = g_bytes_get_data (g_ptr_array_index (p, 0), &l);
  fail_unless_equals_int (d[0], 0x00);
  fail_unless_equals_int (l, 1 + 4 + 6 + 9 + 31 + 21);
  g_ptr_array_unref (p);

  /* the last OBU without obu_size (it runs to the end), extension
   * headers kept */
  g_byte_array_set_size (tu, 0);
  g_byte_array_set_size (expect, 0);
  add_obu (tu, OBU_FRAME, 0x08, FALSE, 40, INTER_FRAME);
  add_obu (expect, OBU_FRAME, 0x08, TRUE, 40, INTER_FRAME);
  p = round_trip (tu, 1200, expect, FALSE);
  fail_unless_equals_int (p->len, 1);
  d = g_bytes_get_data (g_ptr_array_index (p, 0), &l);
  fail_unless_equals_int (d[0], 0x10);
  fail_unless_equals_int (d[1], (OBU_FRAME << 3) | 0x04);
  fail_unless_equals_int (d[2], 0x08);
  g_ptr_array_unref (p);

  g_byte_array_unref (tu);
  g_byte_array_unref (expect);
}

GST_END_TEST;

/* A 5000-byte key frame over 1200-byte payloads: Y on all but the last,
 * Z on all but the first, N on the first, every payload full but the
 * last. */
GST_START_TEST (test_av1_fragment)
{
  GByteArray *tu = g_byte_array_new (), *expect = g_byte_array_new ();
  GPtrArray *p;
  guint i;

  add_obu (tu, OBU_TD, -1, TRUE, 0, 0);
  add_obu (tu, OBU_SEQ, -1, TRUE, 12, 0x00);
  add_obu (tu, OBU_FRAME, -1, TRUE, 5000, KEY_FRAME);
  add_obu (expect, OBU_SEQ, -1, TRUE, 12, 0x00);
  add_obu (expect, OBU_FRAME, -1, TRUE, 5000, KEY_FRAME);
  p = round_trip (tu, 1200, expect, TRUE);
  fail_unless_equals_int (p->len, 5);
  for (i = 0; i < p->len; i++) {
    gsize l;
    const guint8 *d = g_bytes_get_data (g_ptr_array_index (p, i), &l);
    fail_unless_equals_int (!!(d[0] & 0x80), i > 0);
    fail_unless_equals_int (!!(d[0] & 0x40), i + 1 < p->len);
    fail_unless_equals_int (!!(d[0] & 0x08), i == 0);
    if (i + 1 < p->len)
      fail_unless_equals_int (l, 1200);
  }
  g_ptr_array_unref (p);
  g_byte_array_unref (tu);
  g_byte_array_unref (expect);
}

GST_END_TEST;

/* Many layouts over every payload size from the smallest up: the rules
 * of section 4.4 hold and the OBUs come back; only the first payload
 * of a unit starts on an OBU boundary. */
GST_START_TEST (test_av1_every_mtu)
{
  static const gsize sizes[][5] = {
    {1, 0, 0, 0, 0}, {0, 0, 0, 0, 0}, {3, 1, 0, 4, 0}, {200, 0, 0, 1, 300},
    {127, 128, 129, 1, 2}, {16, 17, 18, 19, 20},
  };
  guint s, max;

  for (s = 0; s < G_N_ELEMENTS (sizes); s++) {
    GByteArray *tu = g_byte_array_new (), *expect = g_byte_array_new ();
    guint j;

    add_obu (tu, OBU_TD, -1, TRUE, 0, 0);
    for (j = 0; j < 5; j++) {
      guint type = j == 0 ? OBU_FH : OBU_TG;
      add_obu (tu, type, -1, TRUE, sizes[s][j], INTER_FRAME);
      add_obu (expect, type, -1, TRUE, sizes[s][j], INTER_FRAME);
    }
    for (max = GST_WRTC_AV1_MIN_PAYLOAD; max < 300; max++) {
      GPtrArray *p = round_trip (tu, max, expect, FALSE);
      guint i;
      /* (OBUs of one byte cannot be split, nor tiny payloads) */
      for (i = 1; i < p->len && s >= 4 && max > 4; i++) {
        const guint8 *d = g_bytes_get_data (g_ptr_array_index (p, i), NULL);
        fail_unless (d[0] & 0x80, "layout %u, max %u: payload %u has Z=0",
            s, max, i);
      }
      g_ptr_array_unref (p);
    }
    g_byte_array_unref (tu);
    g_byte_array_unref (expect);
  }
}

GST_END_TEST;

/* N=1 only for a sequence header with a key frame (section 4.4). */
GST_START_TEST (test_av1_new_sequence)
{
  GByteArray *tu = g_byte_array_new (), *expect = g_byte_array_new ();
  GPtrArray *p;

  /* an inter frame alone */
  add_obu (tu, OBU_TD, -1, TRUE, 0, 0);
  add_obu (tu, OBU_FRAME, -1, TRUE, 3000, INTER_FRAME);
  add_obu (expect, OBU_FRAME, -1, TRUE, 3000, INTER_FRAME);
  g_ptr_array_unref (round_trip (tu, 1200, expect, FALSE));

  /* a sequence header with an inter frame */
  g_byte_array_set_size (tu, 0);
  g_byte_array_set_size (expect, 0);
  add_obu (tu, OBU_SEQ, -1, TRUE, 10, 0x00);
  add_obu (tu, OBU_FRAME, -1, TRUE, 30, INTER_FRAME);
  add_obu (expect, OBU_SEQ, -1, TRUE, 10, 0x00);
  add_obu (expect, OBU_FRAME, -1, TRUE, 30, INTER_FRAME);
  g_ptr_array_unref (round_trip (tu, 1200, expect, FALSE));

  /* a key frame without a sequence header */
  g_byte_array_set_size (tu, 0);
  g_byte_array_set_size (expect, 0);
  add_obu (tu, OBU_FRAME, -1, TRUE, 30, KEY_FRAME);
  add_obu (expect, OBU_FRAME, -1, TRUE, 30, KEY_FRAME);
  g_ptr_array_unref (round_trip (tu, 1200, expect, FALSE));

  /* a frame header and tile groups after the sequence header: key */
  g_byte_array_set_size (tu, 0);
  g_byte_array_set_size (expect, 0);
  add_obu (tu, OBU_TD, -1, TRUE, 0, 0);
  add_obu (tu, OBU_SEQ, -1, TRUE, 10, 0x00);
  add_obu (tu, OBU_FH, -1, TRUE, 10, KEY_FRAME);
  add_obu (tu, OBU_TG, -1, TRUE, 2500, 0);
  add_obu (expect, OBU_SEQ, -1, TRUE, 10, 0x00);
  add_obu (expect, OBU_FH, -1, TRUE, 10, KEY_FRAME);
  add_obu (expect, OBU_TG, -1, TRUE, 2500, 0);
  p = round_trip (tu, 1200, expect, TRUE);
  fail_unless_equals_int (p->len, 3);
  g_ptr_array_unref (p);

  /* a reduced still picture header: key frames only */
  g_byte_array_set_size (tu, 0);
  g_byte_array_set_size (expect, 0);
  add_obu (tu, OBU_SEQ, -1, TRUE, 4, 0x18);
  add_obu (tu, OBU_FRAME, -1, TRUE, 30, 0xff);
  add_obu (expect, OBU_SEQ, -1, TRUE, 4, 0x18);
  add_obu (expect, OBU_FRAME, -1, TRUE, 30, 0xff);
  g_ptr_array_unref (round_trip (tu, 1200, expect, TRUE));

  g_byte_array_unref (tu);
  g_byte_array_unref (expect);
}

GST_END_TEST;

/* Temporal delimiters and tile lists are not sent (section 5); a unit
 * of nothing else gives no payload. */
GST_START_TEST (test_av1_dropped_obus)
{
  GByteArray *tu = g_byte_array_new (), *expect = g_byte_array_new ();
  GError *err = NULL;
  GPtrArray *p;

  add_obu (tu, OBU_TD, -1, TRUE, 0, 0);
  p = gst_wrtc_av1_packetize (tu->data, tu->len, 1200, NULL, &err);
  fail_unless (p != NULL);
  g_assert_no_error (err);
  fail_unless_equals_int (p->len, 0);
  g_ptr_array_unref (p);

  add_obu (tu, OBU_TL, -1, TRUE, 20, 0);
  add_obu (tu, OBU_FRAME, -1, TRUE, 20, INTER_FRAME);
  add_obu (tu, OBU_TD, -1, TRUE, 0, 0);
  add_obu (tu, OBU_TL, -1, FALSE, 20, 0);
  add_obu (expect, OBU_FRAME, -1, TRUE, 20, INTER_FRAME);
  p = round_trip (tu, 1200, expect, FALSE);
  fail_unless_equals_int (p->len, 1);
  g_ptr_array_unref (p);

  g_byte_array_unref (tu);
  g_byte_array_unref (expect);
}

GST_END_TEST;

/* OBUs of different temporal/spatial layers go in different packets
 * (section 5). */
GST_START_TEST (test_av1_layers)
{
  GByteArray *tu = g_byte_array_new (), *expect = g_byte_array_new ();
  GPtrArray *p;

  add_obu (tu, OBU_FRAME, 0x00, TRUE, 20, INTER_FRAME);
  add_obu (tu, OBU_FRAME, 0x08, TRUE, 20, INTER_FRAME);
  add_obu (expect, OBU_FRAME, 0x00, TRUE, 20, INTER_FRAME);
  add_obu (expect, OBU_FRAME, 0x08, TRUE, 20, INTER_FRAME);
  p = round_trip (tu, 1200, expect, FALSE);
  fail_unless_equals_int (p->len, 2);
  g_ptr_array_unref (p);
  g_byte_array_unref (tu);
  g_byte_array_unref (expect);
}

GST_END_TEST;

/* Bad input: an error, never a crash or a read past the end (run under
 * valgrind or ASan to see the latter). */
GST_START_TEST (test_av1_garbage)
{
  GByteArray *tu = g_byte_array_new ();
  GError *err = NULL;
  GPtrArray *p;
  GRand *rand;
  guint8 buf[64];
  guint i, n;

  /* empty, and payloads too small */
  p = gst_wrtc_av1_packetize (buf, 0, 1200, NULL, &err);
  fail_unless (p == NULL);
  fail_unless (g_error_matches (err, GST_WRTC_AV1_ERROR,
          GST_WRTC_AV1_ERROR_INVALID));
  g_clear_error (&err);
  add_obu (tu, OBU_FRAME, -1, TRUE, 100, KEY_FRAME);
  p = gst_wrtc_av1_packetize (tu->data, tu->len, 2, NULL, &err);
  fail_unless (p == NULL);
  fail_unless (g_error_matches (err, GST_WRTC_AV1_ERROR,
          GST_WRTC_AV1_ERROR_MTU));
  g_clear_error (&err);

  /* the forbidden bit */
  buf[0] = 0x80 | (OBU_FRAME << 3);
  p = gst_wrtc_av1_packetize (buf, 1, 1200, NULL, &err);
  fail_unless (p == NULL);
  fail_unless (err != NULL);
  g_clear_error (&err);

  /* an extension flag without the extension byte */
  buf[0] = (OBU_FRAME << 3) | 0x04;
  p = gst_wrtc_av1_packetize (buf, 1, 1200, NULL, &err);
  fail_unless (p == NULL);
  g_clear_error (&err);

  /* a leb128 that never ends, or says 2^32 */
  buf[0] = (OBU_FRAME << 3) | 0x02;
  memset (buf + 1, 0xff, 12);
  p = gst_wrtc_av1_packetize (buf, 13, 1200, NULL, &err);
  fail_unless (p == NULL);
  g_clear_error (&err);

  /* every truncation of a unit of sized OBUs: cut inside an OBU it is
   * an error; cut between OBUs it is a shorter valid unit */
  g_byte_array_set_size (tu, 0);
  add_obu (tu, OBU_TD, -1, TRUE, 0, 0);
  add_obu (tu, OBU_SEQ, -1, TRUE, 10, 0x00);
  add_obu (tu, OBU_FRAME, 0x08, TRUE, 300, KEY_FRAME);
  for (n = 0; n < tu->len; n++) {
    gboolean boundary = n == 2 || n == 2 + 12;
    p = gst_wrtc_av1_packetize (tu->data, n, 1200, NULL, &err);
    if (boundary) {
      fail_unless (p != NULL, "cut at %u: %s", n, err ? err->message : "");
      g_ptr_array_unref (p);
    } else {
      fail_unless (p == NULL, "cut at %u accepted", n);
      fail_unless (err != NULL);
      g_clear_error (&err);
    }
  }

  /* random bytes, and random flips of a valid unit: an answer either
   * way, payloads within bounds */
  rand = g_rand_new_with_seed (1234);
  for (i = 0; i < 20000; i++) {
    const guint8 *in;
    gsize len;
    if (i % 2) {
      len = g_rand_int_range (rand, 1, sizeof (buf));
      for (n = 0; n < len; n++)
        buf[n] = g_rand_int (rand);
      in = buf;
    } else {
      tu->data[g_rand_int_range (rand, 0, tu->len)] ^=
          1 << g_rand_int_range (rand, 0, 8);
      in = tu->data;
      len = g_rand_int_range (rand, 1, tu->len + 1);
    }
    p = gst_wrtc_av1_packetize (in, len, g_rand_int_range (rand,
            GST_WRTC_AV1_MIN_PAYLOAD, 200), NULL, &err);
    fail_unless ((p == NULL) == (err != NULL));
    if (p)
      g_ptr_array_unref (p);
    g_clear_error (&err);
  }
  g_rand_free (rand);
  g_byte_array_unref (tu);
}

GST_END_TEST;

/* ---- the depacketizer alone ---- */

/* One hand-made packet of a stream. */
typedef struct
{
  const gchar *what;
  guint8 bytes[16];
  guint len;
  gboolean marker;
} Packet;

/* Payloads section 4 allows, and the unit each gives: aggregation with
 * W=1, 2, 3 and 0, extension headers, an obu_size a sender kept, dropped
 * temporal delimiters and tile lists, fragments (an OBU header split
 * from its extension byte included). */
GST_START_TEST (test_av1_depay_table)
{
  static const struct
  {
    const gchar *what;
    Packet packets[4];
    guint8 unit[24];            /* after the temporal delimiter */
    guint unit_len;
    gboolean keyframe, new_sequence;
  } cases[] = {
    {"W=1, one OBU without length",
          {{"", {0x10, OBU_FRAME << 3, INTER_FRAME, 0xaa}, 4, TRUE}},
        {(OBU_FRAME << 3) | 2, 2, INTER_FRAME, 0xaa}, 4, FALSE, FALSE},
    {"W=2, N=1: sequence header and key frame",
          {{"", {0x28, 3, OBU_SEQ << 3, 0x00, 0x01, OBU_FRAME << 3,
                      KEY_FRAME}, 7, TRUE}},
          {(OBU_SEQ << 3) | 2, 2, 0x00, 0x01, (OBU_FRAME << 3) | 2, 1,
            KEY_FRAME}, 7, TRUE, TRUE},
    {"W=3 with a temporal delimiter and a tile list, both dropped",
          {{"", {0x30, 1, OBU_TD << 3, 2, OBU_TL << 3, 0x05, OBU_FRAME << 3,
                      INTER_FRAME}, 8, TRUE}},
        {(OBU_FRAME << 3) | 2, 1, INTER_FRAME}, 3, FALSE, FALSE},
    {"W=0: every element with its length, extension header kept",
          {{"", {0x00, 2, OBU_META << 3, 0x01, 3, (OBU_FH << 3) | 4, 0x08,
                      INTER_FRAME, 1, OBU_TG << 3, 2, OBU_TG << 3, 0x07}, 13,
                  TRUE}},
          {(OBU_META << 3) | 2, 1, 0x01, (OBU_FH << 3) | 6, 0x08, 1,
              INTER_FRAME, (OBU_TG << 3) | 2, 0, (OBU_TG << 3) | 2, 1, 0x07},
        12, FALSE, FALSE},
    {"an obu_size the sender kept",
          {{"", {0x10, (OBU_FRAME << 3) | 2, 2, INTER_FRAME, 0xbb}, 5, TRUE}},
        {(OBU_FRAME << 3) | 2, 2, INTER_FRAME, 0xbb}, 4, FALSE, FALSE},
    {"a key frame without a sequence header is no key unit",
          {{"", {0x10, OBU_FRAME << 3, KEY_FRAME}, 3, TRUE}},
        {(OBU_FRAME << 3) | 2, 1, KEY_FRAME}, 3, FALSE, FALSE},
    {"a fragment over three packets, the header alone in the first",
          {{"", {0x60, 2, OBU_META << 3, 0x01, (OBU_FRAME << 3) | 4}, 5,
                  FALSE},
              {"", {0xd0, 0x10, INTER_FRAME, 0x01}, 4, FALSE},
              {"", {0x90, 0x02, 0x03}, 3, TRUE}},
          {(OBU_META << 3) | 2, 1, 0x01, (OBU_FRAME << 3) | 6, 0x10, 4,
            INTER_FRAME, 1, 2, 3}, 10, FALSE, FALSE},
    {"a fragment ended, then a whole OBU, W=2",
          {{"", {0x68, 2, OBU_SEQ << 3, 0x00, OBU_FRAME << 3}, 5, FALSE},
              {"", {0xa0, 2, KEY_FRAME, 0x01, OBU_META << 3, 0x09}, 6, TRUE}},
          {(OBU_SEQ << 3) | 2, 1, 0x00, (OBU_FRAME << 3) | 2, 2, KEY_FRAME,
            0x01, (OBU_META << 3) | 2, 1, 0x09}, 10, TRUE, TRUE},
    {"RTP padding (an empty payload) between packets",
          {{"", {0x50, OBU_FRAME << 3, INTER_FRAME}, 3, FALSE},
              {"", {0}, 0, FALSE},
              {"", {0x90, 0x05}, 2, TRUE}},
        {(OBU_FRAME << 3) | 2, 2, INTER_FRAME, 0x05}, 4, FALSE, FALSE},
    {"nothing but a temporal delimiter: no unit",
          {{"", {0x10, OBU_TD << 3}, 2, TRUE}},
        {0}, 0, FALSE, FALSE},
  };
  guint c, i;

  for (c = 0; c < G_N_ELEMENTS (cases); c++) {
    GstWrtcAv1Depacketizer *d = gst_wrtc_av1_depacketizer_new ();
    GstWrtcAv1DepayResult r;
    guint16 seq = 0;
    guint n;

    /* twice: the state after a unit is the state at the start */
    for (n = 0; n < 2; n++) {
      for (i = 0; i < G_N_ELEMENTS (cases[c].packets); i++) {
        const Packet *pk = &cases[c].packets[i];
        gboolean last = i + 1 == G_N_ELEMENTS (cases[c].packets)
            || cases[c].packets[i + 1].what == NULL;

        if (!pk->what)
          break;
        gst_wrtc_av1_depacketizer_push (d, pk->bytes, pk->len, seq++,
            pk->marker, &r);
        fail_unless (r.dropped == NULL, "%s: %s", cases[c].what,
            r.dropped ? r.dropped->message : "");
        if (!last) {
          fail_unless (r.unit == NULL, "%s", cases[c].what);
          continue;
        }
        if (cases[c].unit_len == 0) {
          fail_unless (r.unit == NULL, "%s", cases[c].what);
        } else {
          GByteArray *expect = g_byte_array_new ();
          g_byte_array_append (expect, cases[c].unit, cases[c].unit_len);
          assert_unit (r.unit, expect);
          g_byte_array_unref (expect);
          fail_unless_equals_int (r.keyframe, cases[c].keyframe);
          fail_unless_equals_int (r.new_sequence, cases[c].new_sequence);
          fail_if (r.discont, "%s", cases[c].what);
        }
      }
      gst_wrtc_av1_depay_result_clear (&r);
    }
    gst_wrtc_av1_depacketizer_free (d);
  }
}

GST_END_TEST;

/* Temporal units of @n_units (a key frame first, every @key_every-th one
 * a key frame with a sequence header), each packetized with @max; the
 * expected units (with their temporal delimiter) in @units. */
static GPtrArray *
make_stream (guint n_units, guint key_every, gsize max, GPtrArray * units)
{
  GPtrArray *packets = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_ptr_array_unref);
  guint u;

  for (u = 0; u < n_units; u++) {
    GByteArray *tu = g_byte_array_new (), *expect = g_byte_array_new ();
    gboolean key = u % key_every == 0;
    GPtrArray *p;

    add_obu (tu, OBU_TD, -1, TRUE, 0, 0);
    add_obu (expect, OBU_TD, -1, TRUE, 0, 0);
    if (key) {
      add_obu (tu, OBU_SEQ, -1, TRUE, 10, 0x00);
      add_obu (expect, OBU_SEQ, -1, TRUE, 10, 0x00);
    }
    add_obu (tu, OBU_FRAME, -1, TRUE, 700 + u * 13, key ? KEY_FRAME :
        INTER_FRAME);
    add_obu (expect, OBU_FRAME, -1, TRUE, 700 + u * 13, key ? KEY_FRAME :
        INTER_FRAME);
    p = gst_wrtc_av1_packetize (tu->data, tu->len, max, NULL, NULL);
    fail_unless (p != NULL && p->len > 1);
    g_ptr_array_add (packets, p);
    g_ptr_array_add (units, g_byte_array_free_to_bytes (expect));
    g_byte_array_unref (tu);
  }
  return packets;
}

/* Feeds @packets (one array of payloads per unit) with sequence numbers
 * from @seq, leaving out those @skip says (unit index * 100 + packet
 * index, -1 ends the list).  The units given go to @got, their flags to
 * @flags (bit 0 keyframe, 1 discont, 2 new sequence), the error codes of
 * the drops reported to @dropped. */
static void
feed (GPtrArray * packets, guint16 seq, const gint * skip, GPtrArray * got,
    GArray * flags, GArray * dropped)
{
  GstWrtcAv1Depacketizer *d = gst_wrtc_av1_depacketizer_new ();
  guint u, i, k;

  for (u = 0; u < packets->len; u++) {
    GPtrArray *p = g_ptr_array_index (packets, u);
    for (i = 0; i < p->len; i++, seq++) {
      GstWrtcAv1DepayResult r;
      gsize l;
      const guint8 *b = g_bytes_get_data (g_ptr_array_index (p, i), &l);
      gboolean skipped = FALSE;

      for (k = 0; skip[k] >= 0; k++)
        skipped |= skip[k] == (gint) (u * 100 + i);
      if (skipped)
        continue;
      gst_wrtc_av1_depacketizer_push (d, b, l, seq, i + 1 == p->len, &r);
      if (r.dropped) {
        guint code = r.dropped->code;
        fail_unless (r.dropped->domain == GST_WRTC_AV1_ERROR);
        g_array_append_val (dropped, code);
      }
      if (r.unit) {
        guint f = (r.keyframe ? 1 : 0) | (r.discont ? 2 : 0) |
            (r.new_sequence ? 4 : 0);
        g_ptr_array_add (got, g_bytes_ref (r.unit));
        g_array_append_val (flags, f);
      }
      gst_wrtc_av1_depay_result_clear (&r);
    }
  }
  gst_wrtc_av1_depacketizer_free (d);
}

/* Lost packets: the unit they belong to is discarded and reported once
 * (GST_WRTC_AV1_ERROR_LOST), the next unit that can be trusted comes out
 * marked discont, the others intact. */
GST_START_TEST (test_av1_depay_loss)
{
  static const struct
  {
    const gchar *what;
    gint skip[4];
    /* the indices of the units given, -1 ends */
    gint units[8];
    /* those marked discont */
    gint discont[4];
    /* the losses reported */
    guint reports;
  } cases[] = {
    {"nothing lost", {-1}, {0, 1, 2, 3, 4, 5, -1}, {-1}, 0},
    {"the middle of an inter unit", {201, -1}, {0, 1, 3, 4, 5, -1}, {3, -1},
        1},
    {"the first packet of an inter unit", {200, -1}, {0, 1, 3, 4, 5, -1},
        {3, -1}, 1},
    /* the marker bit of unit 2 lost: unit 3 cannot be told from the rest
     * of unit 2 and is skipped up to its marker bit */
    {"the last packet of an inter unit", {202, -1}, {0, 1, 4, 5, -1},
        {4, -1}, 1},
    /* ... but unit 4 starts a coded video sequence (N=1) */
    {"the last packet before a key frame", {302, -1}, {0, 1, 2, 4, 5, -1},
        {4, -1}, 1},
    {"a whole unit", {200, 201, 202, -1}, {0, 1, 4, 5, -1}, {4, -1}, 1},
    {"two gaps", {200, 201, 300, -1}, {0, 1, 4, 5, -1}, {4, -1}, 2},
    /* a receiver joining in the middle of a unit: nothing to report */
    {"the first packet of the stream", {0, -1}, {1, 2, 3, 4, 5, -1}, {-1},
        0},
  };
  guint c;

  for (c = 0; c < G_N_ELEMENTS (cases); c++) {
    GPtrArray *units = g_ptr_array_new_with_free_func ((GDestroyNotify)
        g_bytes_unref);
    GPtrArray *got = g_ptr_array_new_with_free_func ((GDestroyNotify)
        g_bytes_unref);
    GArray *flags = g_array_new (FALSE, FALSE, sizeof (guint));
    GArray *dropped = g_array_new (FALSE, FALSE, sizeof (guint));
    /* 6 units of 3 packets, key frames at 0 and 4; sequence numbers wrap */
    GPtrArray *packets = make_stream (6, 4, 300, units);
    guint i, n = 0;

    for (i = 0; i < packets->len; i++)
      fail_unless_equals_int (((GPtrArray *) g_ptr_array_index (packets,
                  i))->len, 3);
    feed (packets, 65530, cases[c].skip, got, flags, dropped);
    for (i = 0; cases[c].units[i] >= 0; i++, n++) {
      guint f, k;
      gboolean discont = FALSE;
      guint idx = cases[c].units[i];

      fail_unless (n < got->len, "%s: only %u units", cases[c].what, got->len);
      check_unit (g_ptr_array_index (got, n));
      fail_unless (g_bytes_equal (g_ptr_array_index (got, n),
              g_ptr_array_index (units, idx)), "%s: unit %u", cases[c].what,
          idx);
      f = g_array_index (flags, guint, n);
      fail_unless_equals_int (f & 1, idx % 4 == 0);
      fail_unless_equals_int (!!(f & 4), idx % 4 == 0);
      for (k = 0; cases[c].discont[k] >= 0; k++)
        discont |= cases[c].discont[k] == (gint) idx;
      fail_unless_equals_int (!!(f & 2), discont);
    }
    fail_unless_equals_int (got->len, n);
    /* one report per gap */
    fail_unless_equals_int (dropped->len, cases[c].reports);
    for (i = 0; i < dropped->len; i++)
      fail_unless_equals_int (g_array_index (dropped, guint, i),
          GST_WRTC_AV1_ERROR_LOST);

    g_ptr_array_unref (packets);
    g_ptr_array_unref (units);
    g_ptr_array_unref (got);
    g_array_unref (flags);
    g_array_unref (dropped);
  }
}

GST_END_TEST;

/* Duplicates and older packets are ignored; a reset starts afresh. */
GST_START_TEST (test_av1_depay_duplicate_reset)
{
  GstWrtcAv1Depacketizer *d = gst_wrtc_av1_depacketizer_new ();
  static const guint8 first[] = { 0x50, OBU_FRAME << 3, INTER_FRAME };
  static const guint8 last[] = { 0x90, 0x05 };
  GstWrtcAv1DepayResult r;

  gst_wrtc_av1_depacketizer_push (d, first, sizeof (first), 10, FALSE, &r);
  fail_unless (r.unit == NULL && r.dropped == NULL);
  gst_wrtc_av1_depacketizer_push (d, first, sizeof (first), 10, FALSE, &r);
  fail_unless (r.unit == NULL && r.dropped == NULL);
  gst_wrtc_av1_depacketizer_push (d, first, sizeof (first), 9, FALSE, &r);
  fail_unless (r.unit == NULL && r.dropped == NULL);
  gst_wrtc_av1_depacketizer_push (d, last, sizeof (last), 11, TRUE, &r);
  fail_unless (r.unit != NULL && r.dropped == NULL && !r.discont);
  gst_wrtc_av1_depay_result_clear (&r);

  /* half a unit, then a flush: no gap at the new numbers, no discont,
   * and the half is gone */
  gst_wrtc_av1_depacketizer_push (d, first, sizeof (first), 12, FALSE, &r);
  gst_wrtc_av1_depacketizer_reset (d);
  gst_wrtc_av1_depacketizer_push (d, last, sizeof (last), 5000, TRUE, &r);
  fail_unless (r.unit == NULL && r.dropped == NULL);
  gst_wrtc_av1_depacketizer_push (d, first, sizeof (first), 5001, FALSE, &r);
  gst_wrtc_av1_depacketizer_push (d, last, sizeof (last), 5002, TRUE, &r);
  fail_unless (r.unit != NULL && r.dropped == NULL && !r.discont);
  fail_unless_equals_int (g_bytes_get_size (r.unit), 2 + 4);
  gst_wrtc_av1_depay_result_clear (&r);
  gst_wrtc_av1_depacketizer_free (d);
}

GST_END_TEST;

/* Payloads that break section 4, each after the first packet of a unit
 * (Y=1, a fragment open) or on its own: the unit is discarded with
 * GST_WRTC_AV1_ERROR_MALFORMED, and the unit after the next marker bit
 * comes out marked discont. */
GST_START_TEST (test_av1_depay_malformed)
{
  static const struct
  {
    const gchar *what;
    gboolean after_fragment;
    Packet bad;
  } cases[] = {
    {"Z=1 with no fragment open", FALSE, {"", {0x90, 0x01, 0x02}, 3, TRUE}},
    {"Z=0 with a fragment open", TRUE,
        {"", {0x10, OBU_FRAME << 3, 0x02}, 3, TRUE}},
    {"W=2 but one element", FALSE,
        {"", {0x20, 0x02, OBU_FRAME << 3, 0x10}, 4, TRUE}},
    {"a length past the end", FALSE,
        {"", {0x00, 0x05, OBU_FRAME << 3, 0x10}, 4, TRUE}},
    {"a length that never ends", FALSE,
          {"", {0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 10,
            TRUE}},
    {"an empty element", FALSE, {"", {0x00, 0x00}, 2, TRUE}},
    {"no element at all", FALSE, {"", {0x00}, 1, TRUE}},
    {"W=1 and no element", FALSE, {"", {0x10}, 1, TRUE}},
    {"the forbidden bit", FALSE,
        {"", {0x10, 0x80 | (OBU_FRAME << 3), 0x10}, 3, TRUE}},
    {"an extension flag without the byte", FALSE,
        {"", {0x10, (OBU_FRAME << 3) | 4}, 2, TRUE}},
    {"obu_size past the element", FALSE,
        {"", {0x10, (OBU_FRAME << 3) | 2, 0x05, 0x10}, 4, TRUE}},
    {"obu_size short of the element", FALSE,
        {"", {0x10, (OBU_FRAME << 3) | 2, 0x01, 0x10, 0x20}, 5, TRUE}},
    {"the marker bit on a fragment", FALSE,
        {"", {0x50, OBU_FRAME << 3, 0x10}, 3, TRUE}},
    {"a fragment that completes an OBU short of its obu_size", TRUE,
        {"", {0x90, 0x01}, 2, TRUE}},
    {"a bad second element after a good one", FALSE,
        {"", {0x20, 0x02, OBU_META << 3, 0x01, 0x80}, 5, FALSE}},
  };
  /* a frame that keeps its obu_size (3), one byte of its payload here */
  static const guint8 open[] = { 0x50, (OBU_FRAME << 3) | 2, 3,
    INTER_FRAME
  };
  static const guint8 good[] = { 0x10, OBU_FRAME << 3, INTER_FRAME };
  static const guint8 marker_only[] = { 0x10, OBU_PADDING << 3 };
  guint c;

  for (c = 0; c < G_N_ELEMENTS (cases); c++) {
    GstWrtcAv1Depacketizer *d = gst_wrtc_av1_depacketizer_new ();
    GstWrtcAv1DepayResult r;
    guint16 seq = 100;

    /* a good unit first */
    gst_wrtc_av1_depacketizer_push (d, good, sizeof (good), seq++, TRUE, &r);
    fail_unless (r.unit != NULL);
    gst_wrtc_av1_depay_result_clear (&r);

    if (cases[c].after_fragment) {
      gst_wrtc_av1_depacketizer_push (d, open, sizeof (open), seq++, FALSE, &r);
      fail_unless (r.dropped == NULL);
      gst_wrtc_av1_depay_result_clear (&r);
    }
    gst_wrtc_av1_depacketizer_push (d, cases[c].bad.bytes, cases[c].bad.len,
        seq++, cases[c].bad.marker, &r);
    fail_unless (r.dropped != NULL, "%s: accepted", cases[c].what);
    fail_unless (g_error_matches (r.dropped, GST_WRTC_AV1_ERROR,
            GST_WRTC_AV1_ERROR_MALFORMED), "%s: %s", cases[c].what,
        r.dropped->message);
    GST_INFO ("%s: %s", cases[c].what, r.dropped->message);
    fail_unless (r.unit == NULL);
    gst_wrtc_av1_depay_result_clear (&r);

    /* without a marker bit on the bad packet, the rest of its unit is
     * skipped silently, up to the marker */
    if (!cases[c].bad.marker) {
      gst_wrtc_av1_depacketizer_push (d, good, sizeof (good), seq++, FALSE, &r);
      fail_unless (r.unit == NULL && r.dropped == NULL);
      gst_wrtc_av1_depacketizer_push (d, marker_only, sizeof (marker_only),
          seq++, TRUE, &r);
      fail_unless (r.unit == NULL && r.dropped == NULL, "%s", cases[c].what);
    }
    /* the next unit comes out, marked discont; the one after not */
    gst_wrtc_av1_depacketizer_push (d, good, sizeof (good), seq++, TRUE, &r);
    fail_unless (r.unit != NULL && r.dropped == NULL, "%s", cases[c].what);
    fail_unless (r.discont, "%s", cases[c].what);
    gst_wrtc_av1_depay_result_clear (&r);
    gst_wrtc_av1_depacketizer_push (d, good, sizeof (good), seq++, TRUE, &r);
    fail_unless (r.unit != NULL && !r.discont);
    gst_wrtc_av1_depay_result_clear (&r);
    gst_wrtc_av1_depacketizer_free (d);
  }
}

GST_END_TEST;

/* A sender that never sets Y=0 nor the marker bit: its unit is discarded
 * at GST_WRTC_AV1_MAX_UNIT bytes, not grown without end. */
GST_START_TEST (test_av1_depay_too_large)
{
  GstWrtcAv1Depacketizer *d = gst_wrtc_av1_depacketizer_new ();
  gsize len = 60000, total = 0;
  guint8 *p = g_malloc0 (len);
  GstWrtcAv1DepayResult r;
  guint16 seq = 0;
  gboolean dropped = FALSE;

  p[0] = 0x50;                  /* Z=0 Y=1 W=1 */
  p[1] = OBU_FRAME << 3;
  gst_wrtc_av1_depacketizer_push (d, p, len, seq++, FALSE, &r);
  fail_unless (r.dropped == NULL);
  p[0] = 0xd0;                  /* Z=1 Y=1 W=1 */
  while (!dropped) {
    total += len - 1;
    fail_unless (total <= GST_WRTC_AV1_MAX_UNIT + len);
    gst_wrtc_av1_depacketizer_push (d, p, len, seq++, FALSE, &r);
    if (r.dropped) {
      fail_unless (g_error_matches (r.dropped, GST_WRTC_AV1_ERROR,
              GST_WRTC_AV1_ERROR_TOO_LARGE));
      dropped = TRUE;
    }
    gst_wrtc_av1_depay_result_clear (&r);
  }
  fail_unless (total >= GST_WRTC_AV1_MAX_UNIT - len);
  g_free (p);
  gst_wrtc_av1_depacketizer_free (d);
}

GST_END_TEST;

/* Every truncation of every payload of a stream, and random bytes and
 * flips: an answer each time, never a read past the end (valgrind or
 * ASan), and every unit given is a low overhead bitstream. */
GST_START_TEST (test_av1_depay_garbage)
{
  GPtrArray *units = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_bytes_unref);
  GPtrArray *packets = make_stream (4, 2, 97, units);
  GstWrtcAv1Depacketizer *d = gst_wrtc_av1_depacketizer_new ();
  GstWrtcAv1DepayResult r;
  GRand *rand = g_rand_new_with_seed (4321);
  guint8 buf[128];
  guint16 seq = 0;
  guint u, i, n, given = 0;
  GBytes *unit;

  /* each payload of a unit cut at every length, then the unit whole */
  for (u = 0; u < packets->len; u++) {
    GPtrArray *p = g_ptr_array_index (packets, u);
    for (i = 0; i < p->len; i++) {
      gsize l;
      const guint8 *b = g_bytes_get_data (g_ptr_array_index (p, i), &l);
      for (n = 0; n < l; n++) {
        guint8 *copy = g_memdup2 (b, n);        /* exactly n bytes */
        gst_wrtc_av1_depacketizer_push (d, copy, n, seq++, i + 1 == p->len, &r);
        g_free (copy);
        if (r.unit)
          check_unit (r.unit);
        gst_wrtc_av1_depay_result_clear (&r);
      }
    }
    unit = push_all (d, p, seq, &r);
    seq += p->len;
    fail_unless (unit != NULL);
    fail_unless (g_bytes_equal (unit, g_ptr_array_index (units, u)));
    check_unit (unit);
    g_bytes_unref (unit);
    gst_wrtc_av1_depay_result_clear (&r);
    given++;
  }
  fail_unless (given > 0);

  for (i = 0; i < 50000; i++) {
    gsize len;
    guint8 *copy;
    if (i % 2) {
      len = g_rand_int_range (rand, 0, sizeof (buf));
      for (n = 0; n < len; n++)
        buf[n] = g_rand_int (rand);
      /* mostly plausible aggregation headers */
      if (len && g_rand_boolean (rand))
        buf[0] &= 0xf8;
    } else {
      GPtrArray *p = g_ptr_array_index (packets, g_rand_int_range (rand, 0,
              packets->len));
      gsize l;
      const guint8 *b = g_bytes_get_data (g_ptr_array_index (p,
              g_rand_int_range (rand, 0, p->len)), &l);
      len = MIN (l, sizeof (buf));
      memcpy (buf, b, len);
      if (len)
        buf[g_rand_int_range (rand, 0, len)] ^= 1 << g_rand_int_range (rand,
            0, 8);
    }
    copy = g_memdup2 (buf, len);
    /* mostly in order, sometimes a gap or a step back */
    seq += g_rand_int_range (rand, 0, 10) == 0 ? g_rand_int_range (rand, -3,
        4) : 1;
    gst_wrtc_av1_depacketizer_push (d, copy, len, seq,
        g_rand_int_range (rand, 0, 3) == 0, &r);
    g_free (copy);
    if (r.unit)
      check_unit (r.unit);
    if (r.dropped)
      fail_unless (r.dropped->domain == GST_WRTC_AV1_ERROR);
    gst_wrtc_av1_depay_result_clear (&r);
  }

  g_rand_free (rand);
  gst_wrtc_av1_depacketizer_free (d);
  g_ptr_array_unref (packets);
  g_ptr_array_unref (units);
}

GST_END_TEST;

static Suite *
rtp_av1_suite (void)
{
  Suite *s = suite_create ("rtp-av1");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_leb128);
  tcase_add_test (tc, test_av1_aggregate);
  tcase_add_test (tc, test_av1_fragment);
  tcase_add_test (tc, test_av1_every_mtu);
  tcase_add_test (tc, test_av1_new_sequence);
  tcase_add_test (tc, test_av1_dropped_obus);
  tcase_add_test (tc, test_av1_layers);
  tcase_add_test (tc, test_av1_garbage);
  tcase_add_test (tc, test_av1_depay_table);
  tcase_add_test (tc, test_av1_depay_loss);
  tcase_add_test (tc, test_av1_depay_duplicate_reset);
  tcase_add_test (tc, test_av1_depay_malformed);
  tcase_add_test (tc, test_av1_depay_too_large);
  tcase_add_test (tc, test_av1_depay_garbage);
  return s;
}

GST_CHECK_MAIN (rtp_av1);
