/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of GstWrtcSrtpContext (libsrtp2 wrapper). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/check/gstcheck.h>

#include "gstwrtcsrtp.h"
#include "gstwrtcdtlscertificate.h"

/* libsrtp2's own known-answer vectors (test/srtp_driver.c, srtp_validate):
 * AES_CM_128_HMAC_SHA1_80, SSRC 0xcafebabe, sequence 0x1234, ROC 0. */
static const guint8 kat_key[16] = {
  0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0,
  0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39
};

static const guint8 kat_salt[14] = {
  0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb,
  0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6
};

static const guint8 kat_rtp_plain[28] = {
  0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad,
  0xca, 0xfe, 0xba, 0xbe, 0xab, 0xab, 0xab, 0xab,
  0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
  0xab, 0xab, 0xab, 0xab
};

static const guint8 kat_srtp[38] = {
  0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad,
  0xca, 0xfe, 0xba, 0xbe, 0x4e, 0x55, 0xdc, 0x4c,
  0xe7, 0x99, 0x78, 0xd8, 0x8c, 0xa4, 0xd2, 0x15,
  0x94, 0x9d, 0x24, 0x02, 0xb7, 0x8d, 0x6a, 0xcc,
  0x99, 0xea, 0x17, 0x9b, 0x8d, 0xbb
};

static const guint8 kat_rtcp_plain[24] = {
  0x81, 0xc8, 0x00, 0x0b, 0xca, 0xfe, 0xba, 0xbe,
  0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
  0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab
};

static const guint8 kat_srtcp[38] = {
  0x81, 0xc8, 0x00, 0x0b, 0xca, 0xfe, 0xba, 0xbe,
  0x71, 0x28, 0x03, 0x5b, 0xe4, 0x87, 0xb9, 0xbd,
  0xbe, 0xf8, 0x90, 0x41, 0xf9, 0x77, 0xa5, 0xa8,
  0x80, 0x00, 0x00, 0x01, 0x99, 0x3e, 0x08, 0xcd,
  0x54, 0xd6, 0xc1, 0x23, 0x07, 0x98
};

#define BUF 1500

static GstWrtcSrtpContext *
ctx_with_key (gboolean outbound, GstWrtcSrtpProfile profile,
    const guint8 * key, const guint8 * salt)
{
  GstWrtcSrtpContext *ctx = gst_wrtc_srtp_context_new (outbound);
  GError *err = NULL;

  fail_unless (gst_wrtc_srtp_context_set_key (ctx, profile, key, salt, &err));
  g_assert_no_error (err);
  fail_unless (gst_wrtc_srtp_context_has_key (ctx));
  fail_unless_equals_int (gst_wrtc_srtp_context_get_profile (ctx), profile);
  return ctx;
}

/* An RTP packet: version 2, payload type 96, @payload_len bytes of a
 * pattern derived from @seq. */
static gsize
make_rtp (guint8 * buf, guint32 ssrc, guint16 seq, guint32 ts,
    gsize payload_len)
{
  gsize i;

  buf[0] = 0x80;
  buf[1] = 96;
  GST_WRITE_UINT16_BE (buf + 2, seq);
  GST_WRITE_UINT32_BE (buf + 4, ts);
  GST_WRITE_UINT32_BE (buf + 8, ssrc);
  for (i = 0; i < payload_len; i++)
    buf[12 + i] = (guint8) (seq + i);
  return 12 + payload_len;
}

/* An RTCP receiver report without report blocks. */
static gsize
make_rtcp_rr (guint8 * buf, guint32 ssrc)
{
  buf[0] = 0x80;
  buf[1] = 201;
  GST_WRITE_UINT16_BE (buf + 2, 1);
  GST_WRITE_UINT32_BE (buf + 4, ssrc);
  return 8;
}

GST_START_TEST (test_profile_parameters)
{
  /* RFC 5764 section 4.1.2, RFC 7714 section 12 */
  fail_unless_equals_int (gst_wrtc_srtp_profile_key_len
      (GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80), 16);
  fail_unless_equals_int (gst_wrtc_srtp_profile_salt_len
      (GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80), 14);
  fail_unless_equals_int (gst_wrtc_srtp_profile_key_len
      (GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_32), 16);
  fail_unless_equals_int (gst_wrtc_srtp_profile_salt_len
      (GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_32), 14);
  fail_unless_equals_int (gst_wrtc_srtp_profile_key_len
      (GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM), 16);
  fail_unless_equals_int (gst_wrtc_srtp_profile_salt_len
      (GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM), 12);
  fail_unless_equals_int (gst_wrtc_srtp_profile_key_len
      (GST_WRTC_SRTP_PROFILE_NONE), 0);
  fail_unless_equals_int (gst_wrtc_srtp_profile_salt_len
      (GST_WRTC_SRTP_PROFILE_NONE), 0);

  /* the names OpenSSL and SDP use */
  fail_unless_equals_string (gst_wrtc_srtp_profile_name
      (GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80), "SRTP_AES128_CM_SHA1_80");
  fail_unless_equals_string (gst_wrtc_srtp_profile_name
      (GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_32), "SRTP_AES128_CM_SHA1_32");
  fail_unless_equals_string (gst_wrtc_srtp_profile_name
      (GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM), "SRTP_AEAD_AES_128_GCM");
  fail_unless_equals_string (gst_wrtc_srtp_profile_name
      (GST_WRTC_SRTP_PROFILE_NONE), "none");

  fail_unless_equals_string (gst_wrtc_srtp_result_name (GST_WRTC_SRTP_OK),
      "ok");
  fail_unless_equals_string (gst_wrtc_srtp_result_name
      (GST_WRTC_SRTP_REPLAYED), "replayed");
  fail_unless_equals_string (gst_wrtc_srtp_result_name (GST_WRTC_SRTP_FAILED
          + 1), "unknown");
}

GST_END_TEST;

/* Protect matches libsrtp2's reference ciphertext, so the master key and
 * salt reach libsrtp2 in the right order. */
GST_START_TEST (test_kat_aes_cm_80)
{
  GstWrtcSrtpContext *tx, *rx;
  guint8 buf[BUF];
  gsize len;

  tx = ctx_with_key (TRUE, GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80, kat_key,
      kat_salt);
  rx = ctx_with_key (FALSE, GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80, kat_key,
      kat_salt);

  memcpy (buf, kat_rtp_plain, sizeof (kat_rtp_plain));
  len = sizeof (kat_rtp_plain);
  fail_unless_equals_int (gst_wrtc_srtp_context_protect (tx, FALSE, buf,
          &len, sizeof (buf)), GST_WRTC_SRTP_OK);
  fail_unless_equals_int (len, sizeof (kat_srtp));
  fail_unless (memcmp (buf, kat_srtp, len) == 0);

  fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, FALSE, buf,
          &len), GST_WRTC_SRTP_OK);
  fail_unless_equals_int (len, sizeof (kat_rtp_plain));
  fail_unless (memcmp (buf, kat_rtp_plain, len) == 0);

  memcpy (buf, kat_rtcp_plain, sizeof (kat_rtcp_plain));
  len = sizeof (kat_rtcp_plain);
  fail_unless_equals_int (gst_wrtc_srtp_context_protect (tx, TRUE, buf,
          &len, sizeof (buf)), GST_WRTC_SRTP_OK);
  fail_unless_equals_int (len, sizeof (kat_srtcp));
  fail_unless (memcmp (buf, kat_srtcp, len) == 0);

  fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, TRUE, buf,
          &len), GST_WRTC_SRTP_OK);
  fail_unless_equals_int (len, sizeof (kat_rtcp_plain));
  fail_unless (memcmp (buf, kat_rtcp_plain, len) == 0);

  gst_wrtc_srtp_context_free (tx);
  gst_wrtc_srtp_context_free (rx);
}

GST_END_TEST;

/* SRTP_AES128_CM_SHA1_32: a 32-bit RTP tag (the 80-bit one truncated), but
 * SRTCP keeps the 80-bit tag (RFC 5764 section 4.1.2). */
GST_START_TEST (test_kat_aes_cm_32)
{
  GstWrtcSrtpContext *tx, *rx;
  guint8 buf[BUF];
  gsize len;

  tx = ctx_with_key (TRUE, GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_32, kat_key,
      kat_salt);
  rx = ctx_with_key (FALSE, GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_32, kat_key,
      kat_salt);

  memcpy (buf, kat_rtp_plain, sizeof (kat_rtp_plain));
  len = sizeof (kat_rtp_plain);
  fail_unless_equals_int (gst_wrtc_srtp_context_protect (tx, FALSE, buf,
          &len, sizeof (buf)), GST_WRTC_SRTP_OK);
  fail_unless_equals_int (len, sizeof (kat_rtp_plain) + 4);
  fail_unless (memcmp (buf, kat_srtp, len) == 0);
  fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, FALSE, buf,
          &len), GST_WRTC_SRTP_OK);
  fail_unless (memcmp (buf, kat_rtp_plain, sizeof (kat_rtp_plain)) == 0);

  memcpy (buf, kat_rtcp_plain, sizeof (kat_rtcp_plain));
  len = sizeof (kat_rtcp_plain);
  fail_unless_equals_int (gst_wrtc_srtp_context_protect (tx, TRUE, buf,
          &len, sizeof (buf)), GST_WRTC_SRTP_OK);
  fail_unless_equals_int (len, sizeof (kat_srtcp));
  fail_unless (memcmp (buf, kat_srtcp, len) == 0);
  fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, TRUE, buf,
          &len), GST_WRTC_SRTP_OK);
  fail_unless_equals_int (len, sizeof (kat_rtcp_plain));

  gst_wrtc_srtp_context_free (tx);
  gst_wrtc_srtp_context_free (rx);
}

GST_END_TEST;

/* Every profile: round trip, the trailer sizes, the payload encrypted. */
GST_START_TEST (test_roundtrip_all_profiles)
{
  static const struct
  {
    GstWrtcSrtpProfile profile;
    gsize rtp_trailer, rtcp_trailer;
  } p[] = {
    {GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80, 10, 4 + 10},
    {GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_32, 4, 4 + 10},
    {GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM, 16, 4 + 16},
  };
  guint8 key[16], salt[14];
  guint i, j;

  for (i = 0; i < sizeof (key); i++)
    key[i] = 0x10 + i;
  for (i = 0; i < sizeof (salt); i++)
    salt[i] = 0xa0 + i;

  for (i = 0; i < G_N_ELEMENTS (p); i++) {
    GstWrtcSrtpContext *tx = ctx_with_key (TRUE, p[i].profile, key, salt);
    GstWrtcSrtpContext *rx = ctx_with_key (FALSE, p[i].profile, key, salt);
    guint8 plain[BUF], buf[BUF];
    gsize plen, len;
    GstWrtcSrtpCounters c;

    for (j = 0; j < 20; j++) {
      plen = make_rtp (plain, 0x11223344, 1000 + j, 90000 * j, 100 + j * 50);
      memcpy (buf, plain, plen);
      len = plen;
      fail_unless_equals_int (gst_wrtc_srtp_context_protect (tx, FALSE, buf,
              &len, sizeof (buf)), GST_WRTC_SRTP_OK);
      fail_unless_equals_int (len, plen + p[i].rtp_trailer);
      /* header in the clear, payload not */
      fail_unless (memcmp (buf, plain, 12) == 0);
      fail_if (memcmp (buf + 12, plain + 12, plen - 12) == 0);
      fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, FALSE, buf,
              &len), GST_WRTC_SRTP_OK);
      fail_unless_equals_int (len, plen);
      fail_unless (memcmp (buf, plain, plen) == 0);

      plen = make_rtcp_rr (plain, 0x11223344);
      memcpy (buf, plain, plen);
      len = plen;
      fail_unless_equals_int (gst_wrtc_srtp_context_protect (tx, TRUE, buf,
              &len, sizeof (buf)), GST_WRTC_SRTP_OK);
      fail_unless_equals_int (len, plen + p[i].rtcp_trailer);
      fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, TRUE, buf,
              &len), GST_WRTC_SRTP_OK);
      fail_unless_equals_int (len, plen);
      fail_unless (memcmp (buf, plain, plen) == 0);
    }
    gst_wrtc_srtp_context_get_counters (tx, &c);
    fail_unless_equals_int (c.packets, 40);
    fail_unless (c.bytes > 0);
    gst_wrtc_srtp_context_get_counters (rx, &c);
    fail_unless_equals_int (c.packets, 40);
    fail_unless_equals_int (c.auth_failed + c.replayed + c.malformed +
        c.no_key + c.failed, 0);
    gst_wrtc_srtp_context_free (tx);
    gst_wrtc_srtp_context_free (rx);
  }
}

GST_END_TEST;

GST_START_TEST (test_no_key)
{
  GstWrtcSrtpContext *tx = gst_wrtc_srtp_context_new (TRUE);
  GstWrtcSrtpContext *rx = gst_wrtc_srtp_context_new (FALSE);
  guint8 buf[BUF], orig[BUF];
  gsize len, plen;
  GstWrtcSrtpCounters c;

  fail_if (gst_wrtc_srtp_context_has_key (tx));
  fail_unless_equals_int (gst_wrtc_srtp_context_get_profile (tx),
      GST_WRTC_SRTP_PROFILE_NONE);

  plen = make_rtp (orig, 1, 1, 1, 50);
  memcpy (buf, orig, plen);
  len = plen;
  fail_unless_equals_int (gst_wrtc_srtp_context_protect (tx, FALSE, buf, &len,
          sizeof (buf)), GST_WRTC_SRTP_NO_KEY);
  /* untouched */
  fail_unless_equals_int (len, plen);
  fail_unless (memcmp (buf, orig, plen) == 0);
  fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, FALSE, buf,
          &len), GST_WRTC_SRTP_NO_KEY);
  fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, TRUE, buf,
          &len), GST_WRTC_SRTP_NO_KEY);

  gst_wrtc_srtp_context_get_counters (tx, &c);
  fail_unless_equals_int (c.no_key, 1);
  fail_unless_equals_int (c.packets, 0);
  gst_wrtc_srtp_context_get_counters (rx, &c);
  fail_unless_equals_int (c.no_key, 2);

  /* gst_wrtc_srtp_context_count() counts drops made before libsrtp2 */
  gst_wrtc_srtp_context_count (tx, GST_WRTC_SRTP_NO_KEY);
  gst_wrtc_srtp_context_count (tx, GST_WRTC_SRTP_MALFORMED);
  gst_wrtc_srtp_context_get_counters (tx, &c);
  fail_unless_equals_int (c.no_key, 2);
  fail_unless_equals_int (c.malformed, 1);

  gst_wrtc_srtp_context_free (tx);
  gst_wrtc_srtp_context_free (rx);
  /* freeing NULL is allowed */
  gst_wrtc_srtp_context_free (NULL);
}

GST_END_TEST;

GST_START_TEST (test_clear_key)
{
  GstWrtcSrtpContext *tx = ctx_with_key (TRUE,
      GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80, kat_key, kat_salt);
  guint8 buf[BUF];
  gsize len;

  gst_wrtc_srtp_context_clear_key (tx);
  fail_if (gst_wrtc_srtp_context_has_key (tx));
  fail_unless_equals_int (gst_wrtc_srtp_context_get_profile (tx),
      GST_WRTC_SRTP_PROFILE_NONE);
  len = make_rtp (buf, 1, 1, 1, 10);
  fail_unless_equals_int (gst_wrtc_srtp_context_protect (tx, FALSE, buf, &len,
          sizeof (buf)), GST_WRTC_SRTP_NO_KEY);
  gst_wrtc_srtp_context_free (tx);
}

GST_END_TEST;

GST_START_TEST (test_bad_profile)
{
  GstWrtcSrtpContext *tx = gst_wrtc_srtp_context_new (TRUE);
  GError *err = NULL;

  fail_if (gst_wrtc_srtp_context_set_key (tx, GST_WRTC_SRTP_PROFILE_NONE,
          kat_key, kat_salt, &err));
  fail_unless (g_error_matches (err, GST_WRTC_DTLS_ERROR,
          GST_WRTC_DTLS_ERROR_NO_SRTP));
  g_clear_error (&err);
  fail_if (gst_wrtc_srtp_context_set_key (tx, 0x0008, kat_key, kat_salt, &err));
  fail_unless (g_error_matches (err, GST_WRTC_DTLS_ERROR,
          GST_WRTC_DTLS_ERROR_NO_SRTP));
  g_clear_error (&err);
  fail_if (gst_wrtc_srtp_context_has_key (tx));
  gst_wrtc_srtp_context_free (tx);
}

GST_END_TEST;

/* RFC 3711 section 3.3.2: a packet is accepted once. */
GST_START_TEST (test_replay)
{
  GstWrtcSrtpContext *tx = ctx_with_key (TRUE,
      GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM, kat_key, kat_salt);
  GstWrtcSrtpContext *rx = ctx_with_key (FALSE,
      GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM, kat_key, kat_salt);
  guint8 pkt0[BUF], buf[BUF], rtcp[BUF];
  gsize pkt0_len, len, rtcp_len;
  GstWrtcSrtpCounters c;
  guint i;

  pkt0_len = make_rtp (pkt0, 42, 100, 0, 40);
  fail_unless_equals_int (gst_wrtc_srtp_context_protect (tx, FALSE, pkt0,
          &pkt0_len, sizeof (pkt0)), GST_WRTC_SRTP_OK);

  memcpy (buf, pkt0, pkt0_len);
  len = pkt0_len;
  fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, FALSE, buf,
          &len), GST_WRTC_SRTP_OK);
  memcpy (buf, pkt0, pkt0_len);
  len = pkt0_len;
  fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, FALSE, buf,
          &len), GST_WRTC_SRTP_REPLAYED);

  /* the same for SRTCP */
  rtcp_len = make_rtcp_rr (rtcp, 42);
  fail_unless_equals_int (gst_wrtc_srtp_context_protect (tx, TRUE, rtcp,
          &rtcp_len, sizeof (rtcp)), GST_WRTC_SRTP_OK);
  memcpy (buf, rtcp, rtcp_len);
  len = rtcp_len;
  fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, TRUE, buf,
          &len), GST_WRTC_SRTP_OK);
  memcpy (buf, rtcp, rtcp_len);
  len = rtcp_len;
  fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, TRUE, buf,
          &len), GST_WRTC_SRTP_REPLAYED);

  /* reordering inside the window is fine: 2000 new packets, then a packet
   * from before them that was never seen: too old for the window */
  {
    guint8 late[BUF];
    gsize late_len = make_rtp (late, 42, 101, 0, 40);

    fail_unless_equals_int (gst_wrtc_srtp_context_protect (tx, FALSE, late,
            &late_len, sizeof (late)), GST_WRTC_SRTP_OK);
    for (i = 0; i < 2000; i++) {
      len = make_rtp (buf, 42, 102 + i, 0, 20);
      fail_unless_equals_int (gst_wrtc_srtp_context_protect (tx, FALSE, buf,
              &len, sizeof (buf)), GST_WRTC_SRTP_OK);
      fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, FALSE, buf,
              &len), GST_WRTC_SRTP_OK);
    }
    fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, FALSE, late,
            &late_len), GST_WRTC_SRTP_REPLAYED);
  }

  gst_wrtc_srtp_context_get_counters (rx, &c);
  fail_unless_equals_int (c.replayed, 3);
  fail_unless_equals_int (c.packets, 2 + 2000);
  gst_wrtc_srtp_context_free (tx);
  gst_wrtc_srtp_context_free (rx);
}

GST_END_TEST;

/* Packets arriving out of order within the window are all accepted. */
GST_START_TEST (test_reorder_within_window)
{
  GstWrtcSrtpContext *tx = ctx_with_key (TRUE,
      GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80, kat_key, kat_salt);
  GstWrtcSrtpContext *rx = ctx_with_key (FALSE,
      GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80, kat_key, kat_salt);
  guint8 pkts[64][128];
  gsize lens[64];
  guint i;

  for (i = 0; i < 64; i++) {
    lens[i] = make_rtp (pkts[i], 7, 5000 + i, i, 30);
    fail_unless_equals_int (gst_wrtc_srtp_context_protect (tx, FALSE, pkts[i],
            &lens[i], sizeof (pkts[i])), GST_WRTC_SRTP_OK);
  }
  /* odd ones backwards, then even ones forwards */
  for (i = 63; i < 64; i -= 2)
    fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, FALSE,
            pkts[i], &lens[i]), GST_WRTC_SRTP_OK);
  for (i = 0; i < 64; i += 2)
    fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, FALSE,
            pkts[i], &lens[i]), GST_WRTC_SRTP_OK);
  gst_wrtc_srtp_context_free (tx);
  gst_wrtc_srtp_context_free (rx);
}

GST_END_TEST;

GST_START_TEST (test_tampered_and_wrong_key)
{
  static const GstWrtcSrtpProfile profiles[] = {
    GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80,
    GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_32,
    GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM,
  };
  guint8 other_key[16];
  guint i;

  memcpy (other_key, kat_key, sizeof (other_key));
  other_key[0] ^= 1;

  for (i = 0; i < G_N_ELEMENTS (profiles); i++) {
    GstWrtcSrtpContext *tx = ctx_with_key (TRUE, profiles[i], kat_key,
        kat_salt);
    GstWrtcSrtpContext *rx = ctx_with_key (FALSE, profiles[i], kat_key,
        kat_salt);
    GstWrtcSrtpContext *wrong = ctx_with_key (FALSE, profiles[i], other_key,
        kat_salt);
    guint8 pkt[BUF], buf[BUF];
    gsize plen, len;
    GstWrtcSrtpCounters c;

    plen = make_rtp (pkt, 9, 1, 1, 64);
    fail_unless_equals_int (gst_wrtc_srtp_context_protect (tx, FALSE, pkt,
            &plen, sizeof (pkt)), GST_WRTC_SRTP_OK);

    /* a flipped payload bit */
    memcpy (buf, pkt, plen);
    len = plen;
    buf[20] ^= 0x01;
    fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, FALSE, buf,
            &len), GST_WRTC_SRTP_AUTH_FAILED);
    /* a flipped tag bit */
    memcpy (buf, pkt, plen);
    len = plen;
    buf[plen - 1] ^= 0x80;
    fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, FALSE, buf,
            &len), GST_WRTC_SRTP_AUTH_FAILED);
    /* a wrong key */
    memcpy (buf, pkt, plen);
    len = plen;
    fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (wrong, FALSE, buf,
            &len), GST_WRTC_SRTP_AUTH_FAILED);
    /* the genuine packet is still accepted after the forgeries */
    memcpy (buf, pkt, plen);
    len = plen;
    fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, FALSE, buf,
            &len), GST_WRTC_SRTP_OK);

    gst_wrtc_srtp_context_get_counters (rx, &c);
    fail_unless_equals_int (c.auth_failed, 2);
    fail_unless_equals_int (c.packets, 1);
    gst_wrtc_srtp_context_free (tx);
    gst_wrtc_srtp_context_free (rx);
    gst_wrtc_srtp_context_free (wrong);
  }
}

GST_END_TEST;

GST_START_TEST (test_malformed)
{
  GstWrtcSrtpContext *tx = ctx_with_key (TRUE,
      GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80, kat_key, kat_salt);
  GstWrtcSrtpContext *rx = ctx_with_key (FALSE,
      GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80, kat_key, kat_salt);
  guint8 buf[BUF], orig[BUF];
  gsize len, plen;
  GstWrtcSrtpCounters c;

  /* shorter than an RTP header */
  len = 11;
  memset (buf, 0, sizeof (buf));
  buf[0] = 0x80;
  fail_unless_equals_int (gst_wrtc_srtp_context_protect (tx, FALSE, buf, &len,
          sizeof (buf)), GST_WRTC_SRTP_MALFORMED);
  fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, FALSE, buf,
          &len), GST_WRTC_SRTP_MALFORMED);
  /* shorter than an RTCP header */
  len = 7;
  fail_unless_equals_int (gst_wrtc_srtp_context_protect (tx, TRUE, buf, &len,
          sizeof (buf)), GST_WRTC_SRTP_MALFORMED);
  fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, TRUE, buf,
          &len), GST_WRTC_SRTP_MALFORMED);
  /* not version 2 */
  plen = make_rtp (orig, 1, 1, 1, 20);
  memcpy (buf, orig, plen);
  buf[0] = 0x40;
  len = plen;
  fail_unless_equals_int (gst_wrtc_srtp_context_protect (tx, FALSE, buf, &len,
          sizeof (buf)), GST_WRTC_SRTP_MALFORMED);
  fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, FALSE, buf,
          &len), GST_WRTC_SRTP_MALFORMED);
  /* no room for the trailer: refused, never written past @max */
  memcpy (buf, orig, plen);
  len = plen;
  memset (buf + plen, 0x5a, 64);
  fail_unless_equals_int (gst_wrtc_srtp_context_protect (tx, FALSE, buf, &len,
          plen + GST_WRTC_SRTP_MAX_TRAILER - 1), GST_WRTC_SRTP_MALFORMED);
  fail_unless_equals_int (len, plen);
  fail_unless (memcmp (buf, orig, plen) == 0);
  fail_unless_equals_int (buf[plen], 0x5a);
  /* exactly enough room */
  fail_unless_equals_int (gst_wrtc_srtp_context_protect (tx, FALSE, buf, &len,
          plen + GST_WRTC_SRTP_MAX_TRAILER), GST_WRTC_SRTP_OK);
  /* an SRTP packet cut inside its tag */
  len -= 5;
  fail_unless (gst_wrtc_srtp_context_unprotect (rx, FALSE, buf,
          &len) != GST_WRTC_SRTP_OK);

  gst_wrtc_srtp_context_get_counters (tx, &c);
  fail_unless_equals_int (c.malformed, 4);
  fail_unless_equals_int (c.packets, 1);
  gst_wrtc_srtp_context_get_counters (rx, &c);
  fail_unless (c.malformed >= 3);
  fail_unless_equals_int (c.packets, 0);
  gst_wrtc_srtp_context_free (tx);
  gst_wrtc_srtp_context_free (rx);
}

GST_END_TEST;

/* RFC 3711 section 3.3.1: the rollover counter follows the sequence number
 * across 65535 -> 0, on both sides. */
GST_START_TEST (test_sequence_wrap)
{
  static const GstWrtcSrtpProfile profiles[] = {
    GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80,
    GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM,
  };
  guint i, n;

  for (i = 0; i < G_N_ELEMENTS (profiles); i++) {
    GstWrtcSrtpContext *tx = ctx_with_key (TRUE, profiles[i], kat_key,
        kat_salt);
    GstWrtcSrtpContext *rx = ctx_with_key (FALSE, profiles[i], kat_key,
        kat_salt);
    guint16 seq = 65500;

    /* more than one wrap, with a gap just around the wrap */
    for (n = 0; n < 70000; n++, seq++) {
      guint8 plain[256], buf[256];
      gsize plen, len;

      if (seq >= 65534 || seq <= 1) {
        if (seq == 65534 || seq == 1)
          continue;             /* lost */
      }
      plen = make_rtp (plain, 0xabcdef01, seq, n * 3000, 16);
      memcpy (buf, plain, plen);
      len = plen;
      fail_unless_equals_int (gst_wrtc_srtp_context_protect (tx, FALSE, buf,
              &len, sizeof (buf)), GST_WRTC_SRTP_OK);
      fail_unless (gst_wrtc_srtp_context_unprotect (rx, FALSE, buf,
              &len) == GST_WRTC_SRTP_OK, "seq %u (packet %u) rejected", seq, n);
      fail_unless (memcmp (buf, plain, plen) == 0);
    }
    gst_wrtc_srtp_context_free (tx);
    gst_wrtc_srtp_context_free (rx);
  }
}

GST_END_TEST;

/* A sender may put the very same packet on the wire twice (a NACK answered
 * without RTX); the receiver takes it once. */
GST_START_TEST (test_repeat_tx)
{
  GstWrtcSrtpContext *tx = ctx_with_key (TRUE,
      GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80, kat_key, kat_salt);
  GstWrtcSrtpContext *rx = ctx_with_key (FALSE,
      GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80, kat_key, kat_salt);
  guint8 a[BUF], b[BUF];
  gsize alen, blen;

  alen = make_rtp (a, 3, 777, 0, 50);
  blen = make_rtp (b, 3, 777, 0, 50);
  fail_unless_equals_int (gst_wrtc_srtp_context_protect (tx, FALSE, a, &alen,
          sizeof (a)), GST_WRTC_SRTP_OK);
  fail_unless_equals_int (gst_wrtc_srtp_context_protect (tx, FALSE, b, &blen,
          sizeof (b)), GST_WRTC_SRTP_OK);
  fail_unless_equals_int (alen, blen);
  fail_unless (memcmp (a, b, alen) == 0);
  fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, FALSE, a,
          &alen), GST_WRTC_SRTP_OK);
  fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, FALSE, b,
          &blen), GST_WRTC_SRTP_REPLAYED);
  gst_wrtc_srtp_context_free (tx);
  gst_wrtc_srtp_context_free (rx);
}

GST_END_TEST;

/* Any SSRC: a context serves several streams, each with its own replay
 * window. */
GST_START_TEST (test_many_ssrcs)
{
  GstWrtcSrtpContext *tx = ctx_with_key (TRUE,
      GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM, kat_key, kat_salt);
  GstWrtcSrtpContext *rx = ctx_with_key (FALSE,
      GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM, kat_key, kat_salt);
  guint s, n;

  for (n = 0; n < 10; n++) {
    for (s = 0; s < 8; s++) {
      guint8 plain[256], buf[256];
      gsize plen, len;

      /* the same sequence numbers on every SSRC */
      plen = make_rtp (plain, 0x1000 + s, 10 + n, n, 24);
      memcpy (buf, plain, plen);
      len = plen;
      fail_unless_equals_int (gst_wrtc_srtp_context_protect (tx, FALSE, buf,
              &len, sizeof (buf)), GST_WRTC_SRTP_OK);
      fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, FALSE, buf,
              &len), GST_WRTC_SRTP_OK);
      fail_unless (memcmp (buf, plain, plen) == 0);
    }
  }
  gst_wrtc_srtp_context_free (tx);
  gst_wrtc_srtp_context_free (rx);
}

GST_END_TEST;

/* A new key replaces the old one: packets under the old key are refused. */
GST_START_TEST (test_rekey)
{
  GstWrtcSrtpContext *tx = ctx_with_key (TRUE,
      GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80, kat_key, kat_salt);
  GstWrtcSrtpContext *rx = ctx_with_key (FALSE,
      GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80, kat_key, kat_salt);
  guint8 key2[16], buf[BUF];
  gsize len;
  GError *err = NULL;

  memset (key2, 0x33, sizeof (key2));
  len = make_rtp (buf, 5, 1, 0, 30);
  fail_unless_equals_int (gst_wrtc_srtp_context_protect (tx, FALSE, buf, &len,
          sizeof (buf)), GST_WRTC_SRTP_OK);
  fail_unless (gst_wrtc_srtp_context_set_key (rx,
          GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM, key2, kat_salt, &err));
  g_assert_no_error (err);
  fail_unless_equals_int (gst_wrtc_srtp_context_get_profile (rx),
      GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM);
  fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, FALSE, buf,
          &len), GST_WRTC_SRTP_AUTH_FAILED);

  fail_unless (gst_wrtc_srtp_context_set_key (tx,
          GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM, key2, kat_salt, &err));
  len = make_rtp (buf, 5, 2, 0, 30);
  fail_unless_equals_int (gst_wrtc_srtp_context_protect (tx, FALSE, buf, &len,
          sizeof (buf)), GST_WRTC_SRTP_OK);
  fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, FALSE, buf,
          &len), GST_WRTC_SRTP_OK);
  gst_wrtc_srtp_context_free (tx);
  gst_wrtc_srtp_context_free (rx);
}

GST_END_TEST;

/* The context's lock serialises concurrent callers: four threads protect
 * their own SSRC's packets through one context, and every packet then
 * unprotects. */
#define THREAD_PACKETS 500
typedef struct
{
  GstWrtcSrtpContext *tx;
  guint32 ssrc;
    guint8 (*pkts)[128];
  gsize *lens;
} ThreadJob;

static gpointer
protect_thread (gpointer data)
{
  ThreadJob *job = data;
  guint i;

  for (i = 0; i < THREAD_PACKETS; i++) {
    job->lens[i] = make_rtp (job->pkts[i], job->ssrc, i, i, 40);
    if (gst_wrtc_srtp_context_protect (job->tx, FALSE, job->pkts[i],
            &job->lens[i], 128) != GST_WRTC_SRTP_OK)
      return GINT_TO_POINTER (1);
  }
  return NULL;
}

GST_START_TEST (test_concurrent_protect)
{
  GstWrtcSrtpContext *tx = ctx_with_key (TRUE,
      GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM, kat_key, kat_salt);
  GstWrtcSrtpContext *rx = ctx_with_key (FALSE,
      GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM, kat_key, kat_salt);
  ThreadJob jobs[4];
  GThread *threads[4];
  GstWrtcSrtpCounters c;
  guint t, i;

  for (t = 0; t < 4; t++) {
    jobs[t].tx = tx;
    jobs[t].ssrc = 0x5000 + t;
    jobs[t].pkts = g_malloc (THREAD_PACKETS * 128);
    jobs[t].lens = g_new0 (gsize, THREAD_PACKETS);
    threads[t] = g_thread_new ("protect", protect_thread, &jobs[t]);
  }
  for (t = 0; t < 4; t++)
    fail_unless (g_thread_join (threads[t]) == NULL);
  for (t = 0; t < 4; t++) {
    for (i = 0; i < THREAD_PACKETS; i++)
      fail_unless_equals_int (gst_wrtc_srtp_context_unprotect (rx, FALSE,
              jobs[t].pkts[i], &jobs[t].lens[i]), GST_WRTC_SRTP_OK);
    g_free (jobs[t].pkts);
    g_free (jobs[t].lens);
  }
  gst_wrtc_srtp_context_get_counters (tx, &c);
  fail_unless_equals_int (c.packets, 4 * THREAD_PACKETS);
  gst_wrtc_srtp_context_free (tx);
  gst_wrtc_srtp_context_free (rx);
}

GST_END_TEST;

static Suite *
srtp_suite (void)
{
  Suite *s = suite_create ("wrtc-srtp");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_profile_parameters);
  tcase_add_test (tc, test_kat_aes_cm_80);
  tcase_add_test (tc, test_kat_aes_cm_32);
  tcase_add_test (tc, test_roundtrip_all_profiles);
  tcase_add_test (tc, test_no_key);
  tcase_add_test (tc, test_clear_key);
  tcase_add_test (tc, test_bad_profile);
  tcase_add_test (tc, test_replay);
  tcase_add_test (tc, test_reorder_within_window);
  tcase_add_test (tc, test_tampered_and_wrong_key);
  tcase_add_test (tc, test_malformed);
  tcase_add_test (tc, test_sequence_wrap);
  tcase_add_test (tc, test_repeat_tx);
  tcase_add_test (tc, test_many_ssrcs);
  tcase_add_test (tc, test_rekey);
  tcase_add_test (tc, test_concurrent_protect);
  return s;
}

GST_CHECK_MAIN (srtp);
