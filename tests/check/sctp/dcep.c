/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the DCEP parser and writer (RFC 8832): round trips, the
 * byte layout of section 5, and every truncation of valid messages. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/check/gstcheck.h>

#include "gstwrtcdcep.h"

/* RFC 8832 section 5.1, written out by hand: reliable unordered,
 * priority 256, label "chat", protocol "json" */
static const guint8 open_chat[] = {
  0x03, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x04,
  'c', 'h', 'a', 't', 'j', 's', 'o', 'n'
};

GST_START_TEST (test_parse_open)
{
  GstWrtcDcepMessage msg;
  GError *err = NULL;

  fail_unless (gst_wrtc_dcep_parse (open_chat, sizeof (open_chat), &msg, &err));
  g_assert_no_error (err);
  fail_unless_equals_int (msg.type, GST_WRTC_DCEP_MESSAGE_OPEN);
  fail_unless_equals_int (msg.open.channel_type,
      GST_WRTC_DCEP_CHANNEL_RELIABLE_UNORDERED);
  fail_unless_equals_int (msg.open.priority, 256);
  fail_unless_equals_int (msg.open.reliability, 0);
  fail_unless_equals_string (msg.open.label, "chat");
  fail_unless_equals_string (msg.open.protocol, "json");
  gst_wrtc_dcep_message_clear (&msg);
}

GST_END_TEST;

GST_START_TEST (test_write_round_trip)
{
  static const struct
  {
    GstWrtcDcepChannelType type;
    guint32 reliability;
    const gchar *label, *protocol;
  } cases[] = {
    {GST_WRTC_DCEP_CHANNEL_RELIABLE, 0, "", ""},
    {GST_WRTC_DCEP_CHANNEL_PARTIAL_RELIABLE_REXMIT, 3, "a", ""},
    {GST_WRTC_DCEP_CHANNEL_PARTIAL_RELIABLE_TIMED, 1500, "", "p"},
    {GST_WRTC_DCEP_CHANNEL_RELIABLE_UNORDERED, 0, "chat", "json"},
    {GST_WRTC_DCEP_CHANNEL_PARTIAL_RELIABLE_REXMIT_UNORDERED, 0, "x", "y"},
    {GST_WRTC_DCEP_CHANNEL_PARTIAL_RELIABLE_TIMED_UNORDERED, G_MAXUINT32,
        "\xc3\xa9t\xc3\xa9", "\xe2\x82\xac"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    GstWrtcDcepOpen open = { cases[i].type, 7 + i, cases[i].reliability,
      (gchar *) cases[i].label, (gchar *) cases[i].protocol
    };
    GstWrtcDcepMessage msg;
    GError *err = NULL;
    GBytes *b = gst_wrtc_dcep_write_open (&open, &err);
    gsize len;
    const guint8 *data;

    g_assert_no_error (err);
    data = g_bytes_get_data (b, &len);
    fail_unless_equals_int (len, 12 + strlen (cases[i].label) +
        strlen (cases[i].protocol));
    fail_unless_equals_int (data[0], 0x03);
    fail_unless_equals_int (data[1], cases[i].type);
    fail_unless (gst_wrtc_dcep_parse (data, len, &msg, &err));
    g_assert_no_error (err);
    fail_unless_equals_int (msg.type, GST_WRTC_DCEP_MESSAGE_OPEN);
    fail_unless_equals_int (msg.open.channel_type, cases[i].type);
    fail_unless_equals_int (msg.open.priority, 7 + i);
    fail_unless_equals_string (msg.open.label, cases[i].label);
    fail_unless_equals_string (msg.open.protocol, cases[i].protocol);
    fail_unless_equals_int64 (msg.open.reliability, cases[i].reliability);
    gst_wrtc_dcep_message_clear (&msg);
    g_bytes_unref (b);
  }
}

GST_END_TEST;

GST_START_TEST (test_ack)
{
  GBytes *b = gst_wrtc_dcep_write_ack ();
  GstWrtcDcepMessage msg;
  GError *err = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (b, &len);

  fail_unless_equals_int (len, 1);
  fail_unless_equals_int (data[0], 0x02);
  fail_unless (gst_wrtc_dcep_parse (data, len, &msg, &err));
  fail_unless_equals_int (msg.type, GST_WRTC_DCEP_MESSAGE_ACK);
  gst_wrtc_dcep_message_clear (&msg);
  g_bytes_unref (b);
}

GST_END_TEST;

static void
expect_error (const guint8 * data, gsize len, gint code)
{
  GstWrtcDcepMessage msg;
  GError *err = NULL;
  /* in a block of exactly its size, so valgrind sees an overread */
  guint8 *copy = g_memdup2 (data, MAX (len, 1));

  fail_if (gst_wrtc_dcep_parse (len ? copy : NULL, len, &msg, &err),
      "%" G_GSIZE_FORMAT " bytes parsed", len);
  fail_unless (err != NULL);
  fail_unless (err->domain == GST_WRTC_DCEP_ERROR);
  if (code >= 0)
    fail_unless_equals_int (err->code, code);
  fail_unless (msg.open.label == NULL && msg.open.protocol == NULL);
  g_error_free (err);
  g_free (copy);
}

/* every prefix of a valid message is an error, never a crash */
GST_START_TEST (test_every_truncation)
{
  static const GstWrtcDcepOpen opens[] = {
    {GST_WRTC_DCEP_CHANNEL_RELIABLE, 0, 0, (gchar *) "", (gchar *) ""},
    {GST_WRTC_DCEP_CHANNEL_PARTIAL_RELIABLE_REXMIT, 1, 5, (gchar *) "label",
        (gchar *) "proto"},
    {GST_WRTC_DCEP_CHANNEL_PARTIAL_RELIABLE_TIMED_UNORDERED, 0, 100,
        (gchar *) "", (gchar *) "only-protocol"},
  };
  guint i;
  gsize cut;

  for (i = 0; i < G_N_ELEMENTS (opens); i++) {
    GBytes *b = gst_wrtc_dcep_write_open (&opens[i], NULL);
    gsize len;
    const guint8 *data = g_bytes_get_data (b, &len);

    for (cut = 0; cut < len; cut++)
      expect_error (data, cut, GST_WRTC_DCEP_ERROR_TRUNCATED);
    g_bytes_unref (b);
  }
  for (cut = 0; cut < sizeof (open_chat); cut++)
    expect_error (open_chat, cut, GST_WRTC_DCEP_ERROR_TRUNCATED);
  /* the ACK's only truncation is the empty message */
  expect_error ((const guint8 *) "\x02", 0, GST_WRTC_DCEP_ERROR_TRUNCATED);
}

GST_END_TEST;

GST_START_TEST (test_malformed)
{
  guint8 buf[64];
  guint t;

  /* trailing bytes after OPEN and after ACK */
  memcpy (buf, open_chat, sizeof (open_chat));
  buf[sizeof (open_chat)] = 'x';
  expect_error (buf, sizeof (open_chat) + 1, GST_WRTC_DCEP_ERROR_MALFORMED);
  expect_error ((const guint8 *) "\x02\x00", 2, GST_WRTC_DCEP_ERROR_MALFORMED);
  /* lengths larger than the message, up to 0xffff */
  memcpy (buf, open_chat, sizeof (open_chat));
  buf[8] = 0xff;
  buf[9] = 0xff;
  expect_error (buf, sizeof (open_chat), GST_WRTC_DCEP_ERROR_TRUNCATED);
  memcpy (buf, open_chat, sizeof (open_chat));
  buf[10] = 0xff;
  buf[11] = 0xff;
  expect_error (buf, sizeof (open_chat), GST_WRTC_DCEP_ERROR_TRUNCATED);
  /* every channel type but the six of RFC 8832 section 8.2.2 */
  for (t = 0; t < 256; t++) {
    if (gst_wrtc_dcep_channel_type_is_valid (t))
      continue;
    memcpy (buf, open_chat, sizeof (open_chat));
    buf[1] = t;
    expect_error (buf, sizeof (open_chat), GST_WRTC_DCEP_ERROR_MALFORMED);
  }
  /* every message type but OPEN and ACK */
  for (t = 0; t < 256; t++) {
    if (t == 2 || t == 3)
      continue;
    buf[0] = t;
    expect_error (buf, 1, GST_WRTC_DCEP_ERROR_UNKNOWN_MESSAGE);
  }
  /* a NUL in the label, invalid UTF-8 in the protocol */
  memcpy (buf, open_chat, sizeof (open_chat));
  buf[13] = 0;
  expect_error (buf, sizeof (open_chat), GST_WRTC_DCEP_ERROR_MALFORMED);
  memcpy (buf, open_chat, sizeof (open_chat));
  buf[17] = 0xc3;
  expect_error (buf, sizeof (open_chat), GST_WRTC_DCEP_ERROR_MALFORMED);
}

GST_END_TEST;

GST_START_TEST (test_write_limits)
{
  gchar *big = g_strnfill (65536, 'a');
  GstWrtcDcepOpen open = { GST_WRTC_DCEP_CHANNEL_RELIABLE, 0, 0, big, NULL };
  GError *err = NULL;
  GBytes *b;

  fail_unless (gst_wrtc_dcep_write_open (&open, &err) == NULL);
  fail_unless (g_error_matches (err, GST_WRTC_DCEP_ERROR,
          GST_WRTC_DCEP_ERROR_TOO_LONG));
  g_clear_error (&err);
  big[65535] = 0;
  b = gst_wrtc_dcep_write_open (&open, &err);
  g_assert_no_error (err);
  fail_unless_equals_int (g_bytes_get_size (b), 12 + 65535);
  g_bytes_unref (b);
  open.channel_type = 0x03;
  fail_unless (gst_wrtc_dcep_write_open (&open, &err) == NULL);
  g_clear_error (&err);
  g_free (big);
}

GST_END_TEST;

GST_START_TEST (test_channel_type_from_options)
{
  GstWrtcDcepChannelType type;
  guint32 rel;
  GError *err = NULL;

  fail_unless (gst_wrtc_dcep_channel_type_from_options (TRUE, -1, -1, &type,
          &rel, NULL));
  fail_unless_equals_int (type, GST_WRTC_DCEP_CHANNEL_RELIABLE);
  fail_unless (gst_wrtc_dcep_channel_type_from_options (FALSE, 0, -1, &type,
          &rel, NULL));
  fail_unless_equals_int (type,
      GST_WRTC_DCEP_CHANNEL_PARTIAL_RELIABLE_REXMIT_UNORDERED);
  fail_unless_equals_int (rel, 0);
  fail_unless (gst_wrtc_dcep_channel_type_from_options (TRUE, -1, 250, &type,
          &rel, NULL));
  fail_unless_equals_int (type, GST_WRTC_DCEP_CHANNEL_PARTIAL_RELIABLE_TIMED);
  fail_unless_equals_int (rel, 250);
  fail_if (gst_wrtc_dcep_channel_type_from_options (TRUE, 1, 1, &type, &rel,
          &err));
  fail_unless (err != NULL);
  g_clear_error (&err);
}

GST_END_TEST;

static Suite *
dcep_suite (void)
{
  Suite *s = suite_create ("dcep");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_parse_open);
  tcase_add_test (tc, test_write_round_trip);
  tcase_add_test (tc, test_ack);
  tcase_add_test (tc, test_every_truncation);
  tcase_add_test (tc, test_malformed);
  tcase_add_test (tc, test_write_limits);
  tcase_add_test (tc, test_channel_type_from_options);
  return s;
}

GST_CHECK_MAIN (dcep);
