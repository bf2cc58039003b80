/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the RFC 7983 first-byte demultiplexer. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>

#include "gstwrtcrfc7983.h"

static GstWrtcPacketKind
classify2 (guint8 b0, guint8 b1)
{
  guint8 d[2] = { b0, b1 };
  return gst_wrtc_rfc7983_classify (d, sizeof (d));
}

/* RFC 7983 section 7: every first byte lands in exactly the documented
 * range. */
GST_START_TEST (test_first_byte_ranges)
{
  guint b;

  for (b = 0; b < 256; b++) {
    GstWrtcPacketKind expected, got;

    if (b <= 3)
      expected = GST_WRTC_PACKET_STUN;
    else if (b >= 16 && b <= 19)
      expected = GST_WRTC_PACKET_ZRTP;
    else if (b >= 20 && b <= 63)
      expected = GST_WRTC_PACKET_DTLS;
    else if (b >= 64 && b <= 79)
      expected = GST_WRTC_PACKET_TURN_CHANNEL;
    else if (b >= 128 && b <= 191)
      expected = GST_WRTC_PACKET_RTP;   /* second byte 96: a payload type */
    else
      expected = GST_WRTC_PACKET_UNKNOWN;
    got = classify2 (b, 96);
    fail_unless_equals_int (got, expected);
  }
}

GST_END_TEST;

/* RFC 5761 section 4: RTCP packet types 192..223 in the second byte. */
GST_START_TEST (test_rtp_rtcp_split)
{
  guint b1;

  for (b1 = 0; b1 < 256; b1++) {
    GstWrtcPacketKind expected = (b1 >= 192 && b1 <= 223) ?
        GST_WRTC_PACKET_RTCP : GST_WRTC_PACKET_RTP;
    fail_unless_equals_int (classify2 (0x80, b1), expected);
  }
  /* the real ones: SR 200, RR 201, SDES 202, BYE 203, APP 204, RTPFB 205,
   * PSFB 206, XR 207 */
  for (b1 = 200; b1 <= 207; b1++)
    fail_unless_equals_int (classify2 (0x81, b1), GST_WRTC_PACKET_RTCP);
  /* RTP with the marker bit and a dynamic payload type: 0x80 | 96 = 224 */
  fail_unless_equals_int (classify2 (0x80, 0x80 | 96), GST_WRTC_PACKET_RTP);
  fail_unless_equals_int (classify2 (0x80, 0x80 | 127), GST_WRTC_PACKET_RTP);
  fail_unless_equals_int (classify2 (0x80, 111), GST_WRTC_PACKET_RTP);
  /* padding / extension / CSRC bits do not change the verdict */
  fail_unless_equals_int (classify2 (0xbf, 96), GST_WRTC_PACKET_RTP);
  fail_unless_equals_int (classify2 (0xbf, 200), GST_WRTC_PACKET_RTCP);
}

GST_END_TEST;

GST_START_TEST (test_short_input)
{
  guint8 one;

  fail_unless_equals_int (gst_wrtc_rfc7983_classify (NULL, 0),
      GST_WRTC_PACKET_UNKNOWN);
  /* RTP/RTCP cannot be told apart from one byte */
  one = 0x80;
  fail_unless_equals_int (gst_wrtc_rfc7983_classify (&one, 1),
      GST_WRTC_PACKET_UNKNOWN);
  /* the other kinds need only the first byte */
  one = 0;
  fail_unless_equals_int (gst_wrtc_rfc7983_classify (&one, 1),
      GST_WRTC_PACKET_STUN);
  one = 22;
  fail_unless_equals_int (gst_wrtc_rfc7983_classify (&one, 1),
      GST_WRTC_PACKET_DTLS);
  one = 64;
  fail_unless_equals_int (gst_wrtc_rfc7983_classify (&one, 1),
      GST_WRTC_PACKET_TURN_CHANNEL);
}

GST_END_TEST;

/* Real-world first bytes: a STUN binding request, a DTLS ClientHello, a
 * DTLS application data record, a TURN ChannelData message. */
GST_START_TEST (test_real_headers)
{
  static const guint8 stun[] = { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4,
    0x42
  };
  static const guint8 hello[] = { 0x16, 0xfe, 0xfd, 0x00, 0x00 };
  static const guint8 appdata[] = { 0x17, 0xfe, 0xfd, 0x00, 0x01 };
  static const guint8 channel[] = { 0x40, 0x00, 0x00, 0x10 };

  fail_unless_equals_int (gst_wrtc_rfc7983_classify (stun, sizeof (stun)),
      GST_WRTC_PACKET_STUN);
  fail_unless_equals_int (gst_wrtc_rfc7983_classify (hello, sizeof (hello)),
      GST_WRTC_PACKET_DTLS);
  fail_unless_equals_int (gst_wrtc_rfc7983_classify (appdata,
          sizeof (appdata)), GST_WRTC_PACKET_DTLS);
  fail_unless_equals_int (gst_wrtc_rfc7983_classify (channel,
          sizeof (channel)), GST_WRTC_PACKET_TURN_CHANNEL);
}

GST_END_TEST;

static Suite *
rfc7983_suite (void)
{
  Suite *s = suite_create ("rfc7983");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_first_byte_ranges);
  tcase_add_test (tc, test_rtp_rtcp_split);
  tcase_add_test (tc, test_short_input);
  tcase_add_test (tc, test_real_headers);
  return s;
}

GST_CHECK_MAIN (rfc7983);
