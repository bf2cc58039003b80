/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the RTP send path: wire format and the fan-out sender. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <string.h>

#include "gstwrtcrtp.h"
#include "gstwrtcrtpsender.h"

#define SSRC 0x11223344
#define RTX_SSRC 0x55667788

/* an RTP packet: V=2, CC=1, PT 96, one CSRC, the given payload */
static gsize
make_rtp (guint8 * out, guint16 seq, guint32 ts, gboolean marker,
    const guint8 * payload, gsize plen)
{
  out[0] = 0x81;
  out[1] = (marker ? 0x80 : 0) | 96;
  out[2] = seq >> 8;
  out[3] = seq;
  out[4] = ts >> 24;
  out[5] = ts >> 16;
  out[6] = ts >> 8;
  out[7] = ts;
  out[8] = SSRC >> 24;
  out[9] = (SSRC >> 16) & 0xff;
  out[10] = (SSRC >> 8) & 0xff;
  out[11] = SSRC & 0xff;
  memset (out + 12, 0xcc, 4);
  memcpy (out + 16, payload, plen);
  return 16 + plen;
}

static const guint8 payload[] = "payload-bytes-for-the-test";

GST_START_TEST (test_rtp_parse)
{
  /* X and P set: a 1-word extension and 3 bytes of padding */
  guint8 pkt[] = { 0xb0, 0xe0, 0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 2,
    0xbe, 0xde, 0x00, 0x01, 0x10, 0xaa, 0x00, 0x00,
    'a', 'b', 'c', 0, 0, 3
  };
  GstWrtcRtpHeader h;
  gsize i;

  fail_unless (gst_wrtc_rtp_parse (pkt, sizeof (pkt), &h));
  fail_unless (h.marker);
  fail_unless_equals_int (h.pt, 96);
  fail_unless_equals_int (h.seq, 0x1234);
  fail_unless_equals_int (h.ssrc, 2);
  fail_unless_equals_int (h.ext_profile, 0xbede);
  fail_unless_equals_int (h.ext_len, 4);
  fail_unless_equals_int (h.payload_len, 3);
  fail_unless (memcmp (h.payload, "abc", 3) == 0);

  /* every truncation is refused, never read past the end */
  for (i = 0; i < sizeof (pkt); i++) {
    guint8 *copy = g_memdup2 (pkt, i);
    fail_if (gst_wrtc_rtp_parse (copy, i, &h), "length %" G_GSIZE_FORMAT, i);
    g_free (copy);
  }
  pkt[0] = 0x40;                /* version 1 */
  fail_if (gst_wrtc_rtp_parse (pkt, sizeof (pkt), &h));
}

GST_END_TEST;

GST_START_TEST (test_rtcp_compound)
{
  guint8 buf[256];
  gsize n = 0, i;
  guint16 seqs[] = { 7, 9 };
  GstWrtcRtcpIter it;
  GstWrtcRtcpPacket p;
  guint32 sender, media;
  guint count = 0;

  n += gst_wrtc_rtcp_write_sr (buf + n, sizeof (buf) - n, SSRC, 1ULL << 32,
      90000, 10, 1000);
  n += gst_wrtc_rtcp_write_sdes_cname (buf + n, sizeof (buf) - n, SSRC,
      "cname");
  n += gst_wrtc_rtcp_write_nack (buf + n, sizeof (buf) - n, 1, SSRC, seqs, 2);
  n += gst_wrtc_rtcp_write_pli (buf + n, sizeof (buf) - n, 1, SSRC);
  fail_unless_equals_int (n % 4, 0);

  gst_wrtc_rtcp_iter_init (&it, buf, n);
  while (gst_wrtc_rtcp_iter_next (&it, &p)) {
    switch (count++) {
      case 0:
        fail_unless_equals_int (p.type, GST_WRTC_RTCP_SR);
        break;
      case 1:
        fail_unless_equals_int (p.type, GST_WRTC_RTCP_SDES);
        fail_unless (memcmp (p.body + 6, "cname", 5) == 0);
        break;
      case 2:
        fail_unless (gst_wrtc_rtcp_fb_ssrcs (&p, &sender, &media));
        fail_unless_equals_int (media, SSRC);
        break;
      case 3:
        fail_unless (gst_wrtc_rtcp_is_pli (&p));
        break;
    }
  }
  fail_unless_equals_int (count, 4);

  /* truncations stop the walk without reading past the end */
  for (i = 0; i < n; i++) {
    guint8 *copy = g_memdup2 (buf, i);
    guint c = 0;
    gst_wrtc_rtcp_iter_init (&it, copy, i);
    while (gst_wrtc_rtcp_iter_next (&it, &p))
      c++;
    fail_unless (c < 4);
    g_free (copy);
  }
}

GST_END_TEST;

GST_START_TEST (test_report_blocks)
{
  /* RR from 0xAAAA with one block on SSRC: lost -3 (24-bit), jitter 42 */
  guint8 rr[] = { 0x81, 201, 0, 7, 0, 0, 0xaa, 0xaa,
    0x11, 0x22, 0x33, 0x44, 25, 0xff, 0xff, 0xfd,
    0, 1, 0, 5, 0, 0, 0, 42, 0, 0, 0, 0, 0, 0, 0, 0
  };
  GstWrtcRtcpIter it;
  GstWrtcRtcpPacket p;
  GstWrtcReportBlock b;

  gst_wrtc_rtcp_iter_init (&it, rr, sizeof (rr));
  fail_unless (gst_wrtc_rtcp_iter_next (&it, &p));
  fail_unless_equals_int (gst_wrtc_rtcp_report_blocks (&p, &b, 1), 1);
  fail_unless_equals_int (b.ssrc, SSRC);
  fail_unless_equals_int (b.fraction_lost, 25);
  fail_unless_equals_int (b.cumulative_lost, -3);
  fail_unless_equals_int (b.highest_seq, 0x10005);
  fail_unless_equals_int (b.jitter, 42);
}

GST_END_TEST;

static GstWrtcRtpSender *
new_sender (GstWrtcRtpStream * s, guint8 pt, gint rtx_pt, guint8 mid_id,
    guint8 twcc_id)
{
  GstWrtcRtpSenderParams p = { pt, rtx_pt, TRUE, mid_id, twcc_id, "v0",
    "cname"
  };
  return gst_wrtc_rtp_sender_new (s, &p);
}

GST_START_TEST (test_sender_rewrites_per_viewer)
{
  GstWrtcRtpStream *s = gst_wrtc_rtp_stream_new (SSRC, RTX_SSRC, 90000, 512,
      500000);
  /* Chromium-like and Firefox-like viewers of the same stream */
  GstWrtcRtpSender *chrome = new_sender (s, 96, 97, 4, 3);
  GstWrtcRtpSender *firefox = new_sender (s, 120, 124, 3, 0);
  guint8 pkt[128], out[256];
  gsize len = make_rtp (pkt, 1000, 4242, TRUE, payload, sizeof (payload));
  guint16 twcc = 7;
  GstWrtcRtpHeader h;
  gsize n;

  n = gst_wrtc_rtp_sender_prepare (chrome, pkt, len, &twcc, out, sizeof (out));
  fail_unless (n > 0);
  fail_unless (gst_wrtc_rtp_parse (out, n, &h));
  fail_unless_equals_int (h.pt, 96);
  fail_unless (h.marker);
  fail_unless_equals_int (h.seq, 1000);
  fail_unless_equals_int (h.timestamp, 4242);
  fail_unless_equals_int (h.ssrc, SSRC);
  fail_unless_equals_int (h.csrc_count, 1);
  fail_unless_equals_int (h.ext_profile, 0xbede);
  /* mid "v0" with id 4, then transport-wide seq 7 with id 3 */
  fail_unless_equals_int (h.ext[0], (4 << 4) | 1);
  fail_unless (memcmp (h.ext + 1, "v0", 2) == 0);
  fail_unless_equals_int (h.ext[3], (3 << 4) | 1);
  fail_unless_equals_int ((h.ext[4] << 8) | h.ext[5], 7);
  fail_unless_equals_int (twcc, 8);
  fail_unless_equals_int (h.payload_len, sizeof (payload));
  fail_unless (memcmp (h.payload, payload, sizeof (payload)) == 0);

  n = gst_wrtc_rtp_sender_prepare (firefox, pkt, len, NULL, out, sizeof (out));
  fail_unless (gst_wrtc_rtp_parse (out, n, &h));
  fail_unless_equals_int (h.pt, 120);
  fail_unless_equals_int (h.ext[0], (3 << 4) | 1);
  fail_unless (memcmp (h.payload, payload, sizeof (payload)) == 0);

  /* too small an output, or not RTP: nothing written */
  fail_unless_equals_int (gst_wrtc_rtp_sender_prepare (chrome, pkt, len,
          NULL, out, 20), 0);
  fail_unless_equals_int (gst_wrtc_rtp_sender_prepare (chrome, pkt, 5,
          NULL, out, sizeof (out)), 0);

  gst_wrtc_rtp_sender_free (chrome);
  gst_wrtc_rtp_sender_free (firefox);
  gst_wrtc_rtp_stream_unref (s);
}

GST_END_TEST;

static void
handle (GstWrtcRtpSender * sender, const guint8 * rtcp, gsize len,
    GPtrArray * out, gboolean * keyframe)
{
  GstWrtcRtcpIter it;
  GstWrtcRtcpPacket p;

  gst_wrtc_rtcp_iter_init (&it, rtcp, len);
  while (gst_wrtc_rtcp_iter_next (&it, &p))
    gst_wrtc_rtp_sender_handle_rtcp (sender, &p, NULL, out, keyframe);
}

GST_START_TEST (test_nack_rtx)
{
  GstWrtcRtpStream *s = gst_wrtc_rtp_stream_new (SSRC, RTX_SSRC, 90000, 64,
      500000);
  GstWrtcRtpSender *rtx = new_sender (s, 96, 97, 0, 0);
  GstWrtcRtpSender *plain = new_sender (s, 100, -1, 0, 0);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_bytes_unref);
  guint8 pkt[128], rtcp[64];
  guint16 seqs[] = { 65530 };
  gboolean kf = FALSE;
  GstWrtcRtpSenderStats st;
  GstWrtcRtpHeader h;
  const guint8 *d;
  gsize len, n;
  guint i;

  /* packets around the sequence wrap are remembered */
  for (i = 0; i < 20; i++) {
    guint8 pl[4] = { i, i, i, i };
    len = make_rtp (pkt, (guint16) (65525 + i), 1000 + i, FALSE, pl, 4);
    gst_wrtc_rtp_stream_remember (s, pkt, len);
  }

  n = gst_wrtc_rtcp_write_nack (rtcp, sizeof (rtcp), 1, SSRC, seqs, 1);
  /* BLP bit 7: also 65530 + 8 = 2 (after the wrap) */
  rtcp[14] = 0x00;
  rtcp[15] = 0x80;
  handle (rtx, rtcp, n, out, &kf);
  fail_unless_equals_int (out->len, 2);
  fail_if (kf);

  d = g_bytes_get_data (out->pdata[0], &len);
  fail_unless (gst_wrtc_rtp_parse (d, len, &h));
  /* RFC 4588 section 4: RTX payload type and SSRC, OSN first */
  fail_unless_equals_int (h.pt, 97);
  fail_unless_equals_int (h.ssrc, RTX_SSRC);
  fail_unless_equals_int ((h.payload[0] << 8) | h.payload[1], 65530);
  fail_unless_equals_int (h.payload_len, 6);
  fail_unless_equals_int (h.payload[2], 5);
  d = g_bytes_get_data (out->pdata[1], &len);
  fail_unless (gst_wrtc_rtp_parse (d, len, &h));
  fail_unless_equals_int ((h.payload[0] << 8) | h.payload[1], 2);
  fail_unless_equals_int (h.payload[2], 13);

  /* without RTX: the same packet again, the viewer's payload type */
  g_ptr_array_set_size (out, 0);
  handle (plain, rtcp, n, out, &kf);
  fail_unless_equals_int (out->len, 2);
  d = g_bytes_get_data (out->pdata[0], &len);
  fail_unless (gst_wrtc_rtp_parse (d, len, &h));
  fail_unless_equals_int (h.pt, 100);
  fail_unless_equals_int (h.seq, 65530);
  fail_unless_equals_int (h.ssrc, SSRC);

  /* a packet no longer (or never) kept is counted, not invented */
  g_ptr_array_set_size (out, 0);
  seqs[0] = 3000;
  n = gst_wrtc_rtcp_write_nack (rtcp, sizeof (rtcp), 1, SSRC, seqs, 1);
  handle (rtx, rtcp, n, out, &kf);
  fail_unless_equals_int (out->len, 0);
  gst_wrtc_rtp_sender_get_stats (rtx, &st);
  fail_unless_equals_int (st.nacks, 3);
  fail_unless_equals_int (st.retransmitted, 2);
  fail_unless_equals_int (st.retransmit_missed, 1);

  /* a NACK about another SSRC is not ours */
  n = gst_wrtc_rtcp_write_nack (rtcp, sizeof (rtcp), 1, 0xdead, seqs, 1);
  handle (rtx, rtcp, n, out, &kf);
  gst_wrtc_rtp_sender_get_stats (rtx, &st);
  fail_unless_equals_int (st.nacks, 3);

  g_ptr_array_unref (out);
  gst_wrtc_rtp_sender_free (rtx);
  gst_wrtc_rtp_sender_free (plain);
  gst_wrtc_rtp_stream_unref (s);
}

GST_END_TEST;

GST_START_TEST (test_keyframe_requests_coalesce)
{
  GstWrtcRtpStream *s = gst_wrtc_rtp_stream_new (SSRC, RTX_SSRC, 90000, 64,
      500000);
  GstWrtcRtpSender *v[10];
  guint8 rtcp[32], fir[20] = { 0x84, 206, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0,
    0x11, 0x22, 0x33, 0x44, 1, 0, 0, 0
  };
  guint i, forwarded = 0;
  gsize n;

  for (i = 0; i < 10; i++)
    v[i] = new_sender (s, 96, 97, 0, 0);
  n = gst_wrtc_rtcp_write_pli (rtcp, sizeof (rtcp), 1, SSRC);

  /* ten viewers ask at once: one request reaches the encoder */
  for (i = 0; i < 10; i++) {
    gboolean kf = FALSE;
    handle (v[i], i % 2 ? fir : rtcp, i % 2 ? sizeof (fir) : n, NULL, &kf);
    fail_unless (kf, "viewer %u", i);
    if (gst_wrtc_rtp_stream_want_keyframe (s, 1000 + i))
      forwarded++;
  }
  fail_unless_equals_int (forwarded, 1);
  /* once the keyframe passed, the next request goes through */
  gst_wrtc_rtp_stream_keyframe_seen (s);
  fail_unless (gst_wrtc_rtp_stream_want_keyframe (s, 2000));
  fail_if (gst_wrtc_rtp_stream_want_keyframe (s, 3000));
  /* an encoder that ignored the request is asked again after a while */
  fail_unless (gst_wrtc_rtp_stream_want_keyframe (s, 2000 + 500000));
  fail_unless_equals_int (gst_wrtc_rtp_stream_get_keyframe_requests (s), 3);

  /* a PLI for another stream is not a request for ours */
  {
    gboolean kf = FALSE;
    n = gst_wrtc_rtcp_write_pli (rtcp, sizeof (rtcp), 1, 0xdead);
    handle (v[0], rtcp, n, NULL, &kf);
    fail_if (kf);
  }

  for (i = 0; i < 10; i++)
    gst_wrtc_rtp_sender_free (v[i]);
  gst_wrtc_rtp_stream_unref (s);
}

GST_END_TEST;

GST_START_TEST (test_sender_report)
{
  GstWrtcRtpStream *s = gst_wrtc_rtp_stream_new (SSRC, RTX_SSRC, 90000, 64,
      500000);
  GstWrtcRtpSender *v = new_sender (s, 96, 97, 0, 0);
  guint8 pkt[128], out[256];
  GstWrtcRtcpIter it;
  GstWrtcRtcpPacket p;
  gsize len, n;

  len = make_rtp (pkt, 1, 1, FALSE, payload, sizeof (payload));
  gst_wrtc_rtp_sender_prepare (v, pkt, len, NULL, out, sizeof (out));
  gst_wrtc_rtp_sender_prepare (v, pkt, len, NULL, out, sizeof (out));
  n = gst_wrtc_rtp_sender_write_report (v, 0x0102030405060708ULL, 777, out,
      sizeof (out));
  fail_unless (n > 28);
  gst_wrtc_rtcp_iter_init (&it, out, n);
  fail_unless (gst_wrtc_rtcp_iter_next (&it, &p));
  fail_unless_equals_int (p.type, GST_WRTC_RTCP_SR);
  /* packet and octet counts (RFC 3550 section 6.4.1) */
  fail_unless_equals_int (p.body[19], 2);
  fail_unless_equals_int (p.body[23], 2 * sizeof (payload));
  fail_unless (gst_wrtc_rtcp_iter_next (&it, &p));
  fail_unless_equals_int (p.type, GST_WRTC_RTCP_SDES);
  fail_if (gst_wrtc_rtcp_iter_next (&it, &p));
  fail_unless_equals_int (gst_wrtc_rtp_sender_write_report (v, 0, 0, out,
          10), 0);

  gst_wrtc_rtp_sender_free (v);
  gst_wrtc_rtp_stream_unref (s);
}

GST_END_TEST;

static Suite *
rtp_suite (void)
{
  Suite *s = suite_create ("rtp");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_rtp_parse);
  tcase_add_test (tc, test_rtcp_compound);
  tcase_add_test (tc, test_report_blocks);
  tcase_add_test (tc, test_sender_rewrites_per_viewer);
  tcase_add_test (tc, test_nack_rtx);
  tcase_add_test (tc, test_keyframe_requests_coalesce);
  tcase_add_test (tc, test_sender_report);
  return s;
}

GST_CHECK_MAIN (rtp);
