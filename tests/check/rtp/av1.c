/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the AV1 RTP packetizer (AOM "RTP Payload Format For AV1"):
 * every output goes through a strict depacketizer written here, which
 * checks the aggregation header rules of section 4.4 and gives back the
 * OBUs, compared with what went in. */
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

/* Packetizes @tu, depacketizes the result and compares it with @expect
 * (the OBUs that must be sent); returns the payloads. */
static GPtrArray *
round_trip (GByteArray * tu, gsize max, GByteArray * expect, gboolean expect_n)
{
  GError *err = NULL;
  gboolean newseq = !expect_n, nbit;
  GPtrArray *p = gst_wrtc_av1_packetize (tu->data, tu->len, max, &newseq,
      &err);
  GByteArray *got;

  fail_unless (p != NULL, "packetize: %s", err ? err->message : "?");
  fail_unless_equals_int (newseq, expect_n);
  got = depay (p, max, &nbit);
  fail_unless_equals_int (nbit, expect_n && p->len > 0);
  fail_unless_equals_int (got->len, expect->len);
  fail_unless (memcmp (got->data, expect->data, got->len) == 0);
  g_byte_array_unref (got);
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
  return s;
}

GST_CHECK_MAIN (rtp_av1);
