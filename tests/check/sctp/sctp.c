/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the SCTP stage: two associations in one process, each one's
 * packets fed to the other's process() through a link that can drop,
 * duplicate and reorder (sctptestutil.h), with data channels on top or
 * raw SCTP on one side to look at the wire. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "sctptestutil.h"
#include "fsmcheck.h"

#define S_NEW GST_WRTC_SCTP_ASSOCIATION_STATE_NEW
#define S_CONNECTING GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTING
#define S_CONNECTED GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTED
#define S_CLOSED GST_WRTC_SCTP_ASSOCIATION_STATE_CLOSED
#define S_FAILED GST_WRTC_SCTP_ASSOCIATION_STATE_FAILED

/* CRC32c (RFC 4960 appendix B), bit by bit: independent of usrsctp's */
static guint32
test_crc32c (const guint8 * data, gsize len)
{
  guint32 crc = 0xffffffff;
  gsize i;
  gint k;

  for (i = 0; i < len; i++) {
    crc ^= data[i];
    for (k = 0; k < 8; k++)
      crc = (crc >> 1) ^ (0x82f63b78 & (0 - (crc & 1)));
  }
  return ~crc;
}

/* writes the checksum as RFC 4960 appendix B puts it on the wire */
static void
test_set_crc (guint8 * pkt, gsize len)
{
  guint32 crc;

  memset (pkt + 8, 0, 4);
  crc = test_crc32c (pkt, len);
  pkt[8] = crc;
  pkt[9] = crc >> 8;
  pkt[10] = crc >> 16;
  pkt[11] = crc >> 24;
}

/* ------------------------------------------------------------------------ */

GST_START_TEST (test_connect)
{
  TestPair *pair = pair_new (FALSE, FALSE);
  GError *err = NULL;

  fail_unless_equals_int (gst_wrtc_sctp_association_get_state (pair->a->assoc),
      S_NEW);
  pair_start (pair);
  WAIT_STATE (pair->a, S_CONNECTED);
  WAIT_STATE (pair->b, S_CONNECTED);
  /* the state signal: new -> connecting -> connected, nothing else */
  g_mutex_lock (&pair->a->lock);
  fail_unless_equals_int (pair->a->states->len, 2);
  fail_unless_equals_int (g_array_index (pair->a->states, gint, 0),
      S_CONNECTING);
  fail_unless_equals_int (g_array_index (pair->a->states, gint, 1),
      S_CONNECTED);
  g_mutex_unlock (&pair->a->lock);
  /* RFC 8260: both offer I-DATA by default */
  fail_unless (gst_wrtc_sctp_association_get_interleaving (pair->a->assoc));
  fail_unless (gst_wrtc_sctp_association_get_interleaving (pair->b->assoc));
  /* start twice is an error */
  fail_if (gst_wrtc_sctp_association_start (pair->a->assoc, &err));
  fail_unless (g_error_matches (err, GST_WRTC_SCTP_ERROR,
          GST_WRTC_SCTP_ERROR_STATE));
  g_clear_error (&err);
  fail_unless_equals_int (pair->a->process_errors, 0);
  fail_unless_equals_int (pair->b->process_errors, 0);
  pair_free (pair);
}

GST_END_TEST;

GST_START_TEST (test_no_interleaving)
{
  TestPair *pair = pair_new (FALSE, FALSE);
  guint16 id;

  gst_wrtc_sctp_association_set_interleaving (pair->b->assoc, FALSE);
  pair_start (pair);
  WAIT_STATE (pair->a, S_CONNECTED);
  WAIT_STATE (pair->b, S_CONNECTED);
  fail_if (gst_wrtc_sctp_association_get_interleaving (pair->a->assoc));
  fail_if (gst_wrtc_sctp_association_get_interleaving (pair->b->assoc));
  open_channel (pair->a, pair->b, "plain", NULL, &id);
  send_ok (pair->a, id, TRUE, "hello", 5);
  fail_unless (peer_wait (pair->b, cond_n_messages, GUINT_TO_POINTER (1)));
  assert_message (peer_message (pair->b, 0), id, TRUE, "hello", 5);
  pair_free (pair);
}

GST_END_TEST;

/* raw SCTP: stream ids and PPIDs as given, both ways */
GST_START_TEST (test_raw_messages)
{
  TestPair *pair = pair_new_connected (TRUE, TRUE);
  GError *err = NULL;
  TestMessage *m;

  fail_unless (gst_wrtc_sctp_association_send (pair->a->assoc, 3, 51,
          (const guint8 *) "abc", 3, TRUE, GST_WRTC_SCTP_RELIABLE, 0, &err));
  fail_unless (gst_wrtc_sctp_association_send (pair->b->assoc, 1022, 1234,
          (const guint8 *) "xy", 2, FALSE, GST_WRTC_SCTP_RELIABLE, 0, &err));
  g_assert_no_error (err);
  fail_unless (peer_wait (pair->b, cond_n_messages, GUINT_TO_POINTER (1)));
  fail_unless (peer_wait (pair->a, cond_n_messages, GUINT_TO_POINTER (1)));
  m = peer_message (pair->b, 0);
  fail_unless_equals_int (m->id, 3);
  fail_unless_equals_int (m->ppid, 51);
  fail_unless_equals_int (g_bytes_get_size (m->data), 3);
  m = peer_message (pair->a, 0);
  fail_unless_equals_int (m->id, 1022);
  fail_unless_equals_int (m->ppid, 1234);

  /* SCTP has no empty messages; ids stop at the stream count */
  fail_if (gst_wrtc_sctp_association_send (pair->a->assoc, 3, 51,
          (const guint8 *) "", 0, TRUE, GST_WRTC_SCTP_RELIABLE, 0, &err));
  fail_unless (g_error_matches (err, GST_WRTC_SCTP_ERROR,
          GST_WRTC_SCTP_ERROR_INVALID));
  g_clear_error (&err);
  fail_if (gst_wrtc_sctp_association_send (pair->a->assoc,
          GST_WRTC_SCTP_MAX_STREAMS, 51, (const guint8 *) "a", 1, TRUE,
          GST_WRTC_SCTP_RELIABLE, 0, &err));
  fail_unless (g_error_matches (err, GST_WRTC_SCTP_ERROR,
          GST_WRTC_SCTP_ERROR_INVALID));
  g_clear_error (&err);
  pair_free (pair);
}

GST_END_TEST;

/* one channel from each side: even ids from the DTLS client, odd from the
 * server (RFC 8832 section 6), DCEP OPEN/ACK in between */
GST_START_TEST (test_channels_both_sides)
{
  TestPair *pair = pair_new_connected (FALSE, FALSE);
  GstWrtcSctpChannelOptions opts;
  GstWrtcSctpChannelInfo info;
  guint16 id_a, id_b, id_a2;
  GError *err = NULL;

  gst_wrtc_sctp_channel_options_init (&opts);
  opts.protocol = "chat-v1";
  opts.priority = 512;
  open_channel (pair->a, pair->b, "from-client", &opts, &id_a);
  fail_unless_equals_int (id_a % 2, 0);
  gst_wrtc_sctp_channel_options_init (&opts);
  opts.ordered = FALSE;
  opts.max_packet_lifetime = 3000;
  open_channel (pair->b, pair->a, "from-server", &opts, &id_b);
  fail_unless_equals_int (id_b % 2, 1);
  /* a message under a lifetime (RFC 3758 timed reliability) */
  send_ok (pair->b, id_b, TRUE, "ttl", 3);
  fail_unless (peer_wait (pair->a, cond_n_messages, GUINT_TO_POINTER (1)));
  assert_message (peer_message (pair->a, 0), id_b, TRUE, "ttl", 3);
  open_channel (pair->a, pair->b, "second", NULL, &id_a2);
  fail_unless_equals_int (id_a2 % 2, 0);
  fail_unless (id_a2 != id_a);

  /* the peer learnt the options from the OPEN */
  fail_unless (gst_wrtc_sctp_channels_get_info (pair->b->chans, id_a, &info));
  fail_unless_equals_string (info.label, "from-client");
  fail_unless_equals_string (info.protocol, "chat-v1");
  fail_unless_equals_int (info.priority, 512);
  fail_unless (info.ordered);
  fail_unless (info.remote);
  fail_unless_equals_int (info.state, GST_WRTC_SCTP_CHANNEL_STATE_OPEN);
  gst_wrtc_sctp_channel_info_clear (&info);
  fail_unless (gst_wrtc_sctp_channels_get_info (pair->a->chans, id_b, &info));
  fail_unless_equals_string (info.label, "from-server");
  fail_if (info.ordered);
  fail_unless_equals_int (info.max_packet_lifetime, 3000);
  fail_unless_equals_int (info.max_retransmits, -1);
  gst_wrtc_sctp_channel_info_clear (&info);

  /* ids of the peer's parity are the peer's to open */
  gst_wrtc_sctp_channel_options_init (&opts);
  opts.id = 5;
  fail_if (gst_wrtc_sctp_channels_open (pair->a->chans, &opts, NULL, &err));
  fail_unless (g_error_matches (err, GST_WRTC_SCTP_ERROR,
          GST_WRTC_SCTP_ERROR_INVALID));
  g_clear_error (&err);
  /* and an id in use is refused */
  opts.id = id_a;
  fail_if (gst_wrtc_sctp_channels_open (pair->a->chans, &opts, NULL, &err));
  fail_unless (g_error_matches (err, GST_WRTC_SCTP_ERROR,
          GST_WRTC_SCTP_ERROR_STREAM));
  g_clear_error (&err);
  fail_unless_equals_int (pair->a->errors->len, 0);
  fail_unless_equals_int (pair->b->errors->len, 0);
  pair_free (pair);
}

GST_END_TEST;

GST_START_TEST (test_messages_both_ways)
{
  TestPair *pair = pair_new_connected (FALSE, FALSE);
  static const guint8 bin[] = { 0, 1, 2, 0xff, 0 };
  guint16 id;
  TestPeer *peers[2] = { pair->a, pair->b };
  guint i;

  open_channel (pair->a, pair->b, "both", NULL, &id);
  for (i = 0; i < 2; i++) {
    TestPeer *from = peers[i], *to = peers[1 - i];

    send_ok (from, id, TRUE, "h\xc3\xa9llo", 6);
    send_ok (from, id, FALSE, (const gchar *) bin, sizeof (bin));
    send_ok (from, id, TRUE, "", 0);
    send_ok (from, id, FALSE, NULL, 0);
    fail_unless (peer_wait (to, cond_n_messages, GUINT_TO_POINTER (4)));
    assert_message (peer_message (to, 0), id, TRUE, "h\xc3\xa9llo", 6);
    assert_message (peer_message (to, 1), id, FALSE, (const gchar *) bin,
        sizeof (bin));
    assert_message (peer_message (to, 2), id, TRUE, "", 0);
    assert_message (peer_message (to, 3), id, FALSE, "", 0);
  }
  pair_free (pair);
}

GST_END_TEST;

/* RFC 8831 section 8 PPIDs and the DCEP OPEN as a raw peer sees them */
GST_START_TEST (test_ppids_on_the_wire)
{
  TestPair *pair = pair_new_connected (FALSE, TRUE);
  GstWrtcSctpChannelOptions opts;
  GstWrtcDcepMessage dcep;
  GError *err = NULL;
  guint16 id;
  TestMessage *m;

  gst_wrtc_sctp_channel_options_init (&opts);
  opts.label = "wire";
  opts.ordered = FALSE;
  opts.max_retransmits = 2;
  fail_unless (gst_wrtc_sctp_channels_open (pair->a->chans, &opts, &id, &err));
  send_ok (pair->a, id, TRUE, "s", 1);
  send_ok (pair->a, id, FALSE, "b", 1);
  send_ok (pair->a, id, TRUE, "", 0);
  send_ok (pair->a, id, FALSE, "", 0);
  fail_unless (peer_wait (pair->b, cond_n_messages, GUINT_TO_POINTER (5)));

  m = peer_message (pair->b, 0);
  fail_unless_equals_int (m->ppid, 50);
  fail_unless_equals_int (m->id, id);
  fail_unless (gst_wrtc_dcep_parse (g_bytes_get_data (m->data, NULL),
          g_bytes_get_size (m->data), &dcep, &err));
  g_assert_no_error (err);
  fail_unless_equals_int (dcep.type, GST_WRTC_DCEP_MESSAGE_OPEN);
  fail_unless_equals_int (dcep.open.channel_type,
      GST_WRTC_DCEP_CHANNEL_PARTIAL_RELIABLE_REXMIT_UNORDERED);
  fail_unless_equals_int (dcep.open.reliability, 2);
  fail_unless_equals_string (dcep.open.label, "wire");
  gst_wrtc_dcep_message_clear (&dcep);
  /* sent ordered before the ACK, so they arrive in order */
  fail_unless_equals_int (peer_message (pair->b, 1)->ppid, 51);
  fail_unless_equals_int (peer_message (pair->b, 2)->ppid, 53);
  fail_unless_equals_int (peer_message (pair->b, 3)->ppid, 56);
  fail_unless_equals_int (g_bytes_get_size (peer_message (pair->b, 3)->data),
      1);
  fail_unless_equals_int (peer_message (pair->b, 4)->ppid, 57);
  fail_unless_equals_int (g_bytes_get_size (peer_message (pair->b, 4)->data),
      1);
  pair_free (pair);
}

GST_END_TEST;

static guint8 *
pattern (gsize len, guint seed)
{
  guint8 *d = g_malloc (len);
  gsize i;

  for (i = 0; i < len; i++)
    d[i] = (guint8) (i * 131 + seed + (i >> 8));
  return d;
}

GST_START_TEST (test_large_message)
{
  TestPair *pair = pair_new_connected (FALSE, FALSE);
  const gsize len = 256 * 1024;
  guint8 *big_a = pattern (len, 1), *big_b = pattern (len, 2);
  guint16 id;

  open_channel (pair->b, pair->a, "large", NULL, &id);
  send_ok (pair->a, id, FALSE, (const gchar *) big_a, len);
  send_ok (pair->b, id, FALSE, (const gchar *) big_b, len);
  fail_unless (peer_wait (pair->a, cond_n_messages, GUINT_TO_POINTER (1)));
  fail_unless (peer_wait (pair->b, cond_n_messages, GUINT_TO_POINTER (1)));
  assert_message (peer_message (pair->b, 0), id, FALSE,
      (const gchar *) big_a, len);
  assert_message (peer_message (pair->a, 0), id, FALSE,
      (const gchar *) big_b, len);
  g_free (big_a);
  g_free (big_b);
  pair_free (pair);
}

GST_END_TEST;

/* RFC 8831 section 6.2: 65535 streams each way, so channels may take any
 * id up to 65534, negotiated or through DCEP */
GST_START_TEST (test_high_stream_ids)
{
  TestPair *pair = pair_new_connected (FALSE, FALSE);
  GstWrtcSctpChannelOptions opts;
  GError *err = NULL;
  guint16 id;

  /* DCEP, the highest id of each side's parity (the client takes even
   * ones, RFC 8832 section 6) */
  gst_wrtc_sctp_channel_options_init (&opts);
  opts.id = 65532;
  open_channel (pair->a, pair->b, "a-high", &opts, &id);
  fail_unless_equals_int (id, 65532);
  gst_wrtc_sctp_channel_options_init (&opts);
  opts.id = 65533;
  open_channel (pair->b, pair->a, "b-high", &opts, &id);
  fail_unless_equals_int (id, 65533);
  fail_unless (peer_wait (pair->b, cond_opened_remote,
          GUINT_TO_POINTER (65532)));
  fail_unless (peer_wait (pair->a, cond_opened_remote,
          GUINT_TO_POINTER (65533)));
  /* negotiated, the last id there is */
  gst_wrtc_sctp_channel_options_init (&opts);
  opts.negotiated = TRUE;
  opts.id = 65534;
  fail_unless (gst_wrtc_sctp_channels_open (pair->a->chans, &opts, &id, &err));
  fail_unless (gst_wrtc_sctp_channels_open (pair->b->chans, &opts, &id, &err));
  g_assert_no_error (err);

  send_ok (pair->a, 65532, TRUE, "to b", 4);
  fail_unless (peer_wait (pair->b, cond_n_messages, GUINT_TO_POINTER (1)));
  assert_message (peer_message (pair->b, 0), 65532, TRUE, "to b", 4);
  send_ok (pair->a, 65533, TRUE, "again", 5);
  fail_unless (peer_wait (pair->b, cond_n_messages, GUINT_TO_POINTER (2)));
  assert_message (peer_message (pair->b, 1), 65533, TRUE, "again", 5);
  send_ok (pair->b, 65534, FALSE, "last", 4);
  fail_unless (peer_wait (pair->a, cond_n_messages, GUINT_TO_POINTER (1)));
  assert_message (peer_message (pair->a, 0), 65534, FALSE, "last", 4);

  /* 65535 is no stream id */
  opts.id = 65535;
  fail_if (gst_wrtc_sctp_channels_open (pair->a->chans, &opts, &id, &err));
  fail_unless (g_error_matches (err, GST_WRTC_SCTP_ERROR,
          GST_WRTC_SCTP_ERROR_INVALID));
  g_clear_error (&err);
  fail_unless_equals_int (pair->a->errors->len, 0);
  fail_unless_equals_int (pair->b->errors->len, 0);
  pair_free (pair);
}

GST_END_TEST;

/* RFC 8841: over the peer's max-message-size is an error to the sender */
GST_START_TEST (test_too_large)
{
  TestPair *pair = pair_new_connected (FALSE, FALSE);
  guint8 *buf = pattern (65537, 3);
  GError *err = NULL;
  guint16 id;

  open_channel (pair->a, pair->b, "limits", NULL, &id);
  /* as if b's SDP said a=max-message-size:65536 */
  gst_wrtc_sctp_association_set_remote_max_message_size (pair->a->assoc, 65536);
  fail_unless_equals_int64 (gst_wrtc_sctp_association_get_max_send_size
      (pair->a->assoc), 65536);
  fail_if (gst_wrtc_sctp_channels_send (pair->a->chans, id, FALSE, buf,
          65537, &err));
  fail_unless (g_error_matches (err, GST_WRTC_SCTP_ERROR,
          GST_WRTC_SCTP_ERROR_TOO_LARGE));
  g_clear_error (&err);
  send_ok (pair->a, id, FALSE, (const gchar *) buf, 65536);
  fail_unless (peer_wait (pair->b, cond_n_messages, GUINT_TO_POINTER (1)));
  assert_message (peer_message (pair->b, 0), id, FALSE, (const gchar *) buf,
      65536);
  /* 0 is "any size": capped at what we can hand usrsctp at once */
  gst_wrtc_sctp_association_set_remote_max_message_size (pair->a->assoc, 0);
  fail_unless_equals_int64 (gst_wrtc_sctp_association_get_max_send_size
      (pair->a->assoc), GST_WRTC_SCTP_MAX_SEND_MESSAGE_SIZE);
  g_free (buf);
  pair_free (pair);
}

GST_END_TEST;

/* RFC 8841 section 6: a message over our max-message-size, whether
 * usrsctp hands it over whole or in parts, is dropped whole and reported
 * as the channel's error; the channel and the association go on. */
GST_START_TEST (test_incoming_too_large)
{
  TestPair *pair = pair_new_connected (FALSE, FALSE);
  const gsize big = GST_WRTC_SCTP_DEFAULT_LOCAL_MAX_MESSAGE_SIZE + 1;
  guint8 *buf = pattern (big, 4);
  guint16 id;

  open_channel (pair->a, pair->b, "limits", NULL, &id);
  /* a peer that ignores our a=max-message-size */
  gst_wrtc_sctp_association_set_remote_max_message_size (pair->a->assoc, 0);
  /* one packet (delivered whole), then many (usrsctp may deliver parts) */
  gst_wrtc_sctp_association_set_local_max_message_size (pair->b->assoc, 100);
  send_ok (pair->a, id, FALSE, (const gchar *) buf, 101);
  send_ok (pair->a, id, FALSE, "after", 5);
  fail_unless (peer_wait (pair->b, cond_n_messages, GUINT_TO_POINTER (1)));
  fail_unless (peer_wait (pair->b, cond_n_errors, GUINT_TO_POINTER (1)));
  assert_message (peer_message (pair->b, 0), id, FALSE, "after", 5);
  fail_unless (strstr (g_ptr_array_index (pair->b->errors, 0),
          "max-message-size") != NULL, "error: %s",
      (gchar *) g_ptr_array_index (pair->b->errors, 0));

  gst_wrtc_sctp_association_set_local_max_message_size (pair->b->assoc,
      GST_WRTC_SCTP_DEFAULT_LOCAL_MAX_MESSAGE_SIZE);
  send_ok (pair->a, id, FALSE, (const gchar *) buf, big);
  send_ok (pair->a, id, FALSE, (const gchar *) buf, big - 1);
  fail_unless (peer_wait (pair->b, cond_n_messages, GUINT_TO_POINTER (2)));
  fail_unless (peer_wait (pair->b, cond_n_errors, GUINT_TO_POINTER (2)));
  assert_message (peer_message (pair->b, 1), id, FALSE, (const gchar *) buf,
      big - 1);
  g_mutex_lock (&pair->b->lock);
  fail_unless_equals_int (pair->b->messages->len, 2);
  fail_unless_equals_int (pair->b->errors->len, 2);
  g_mutex_unlock (&pair->b->lock);
  fail_unless_equals_int (gst_wrtc_sctp_channels_get_state (pair->b->chans,
          id), GST_WRTC_SCTP_CHANNEL_STATE_OPEN);
  fail_unless_equals_int (gst_wrtc_sctp_association_get_state
      (pair->b->assoc), GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTED);
  g_free (buf);
  pair_free (pair);
}

GST_END_TEST;

/* Under loss, duplication and reordering: a reliable channel delivers
 * everything in order; an unordered max-retransmits=0 one loses some. */
GST_START_TEST (test_partial_reliability_under_loss)
{
  TestPair *pair = pair_new_connected (FALSE, FALSE);
  GstWrtcSctpChannelOptions opts;
  guint16 rel, lossy;
  const guint n = 200;
  guint i, got_rel = 0, got_lossy = 0, last_rel = 0;
  gboolean *seen = g_new0 (gboolean, n + 1);
  gchar msg[600];

  open_channel (pair->a, pair->b, "reliable", NULL, &rel);
  gst_wrtc_sctp_channel_options_init (&opts);
  opts.ordered = FALSE;
  opts.max_retransmits = 0;
  open_channel (pair->a, pair->b, "lossy", &opts, &lossy);

  link_set_impairment (pair->a, 15, 5, 10);
  link_set_impairment (pair->b, 15, 5, 10);
  memset (msg, 'x', sizeof (msg));
  for (i = 0; i < n; i++) {
    gint len = g_snprintf (msg, sizeof (msg), "%u", i);
    msg[len] = ' ';
    send_ok (pair->a, rel, FALSE, msg, sizeof (msg));
    send_ok (pair->a, lossy, FALSE, msg, sizeof (msg));
  }
  /* a reliable fence, then a clean link and a fence on the lossy stream:
   * when it arrives every earlier lossy message had its one chance */
  send_ok (pair->a, rel, TRUE, "fence", 5);
  fail_unless (peer_wait (pair->b, cond_n_messages, GUINT_TO_POINTER (n)));
  link_set_impairment (pair->a, 0, 0, 0);
  link_set_impairment (pair->b, 0, 0, 0);
  for (;;) {
    gboolean fence_seen = FALSE;
    guint before;
    g_mutex_lock (&pair->b->lock);
    for (i = 0; i < pair->b->messages->len; i++) {
      TestMessage *m = g_ptr_array_index (pair->b->messages, i);
      if (m->id == lossy && m->is_string)
        fence_seen = TRUE;
    }
    /* counted before sending: the fence may arrive before the wait */
    before = pair->b->messages->len;
    g_mutex_unlock (&pair->b->lock);
    if (fence_seen)
      break;
    send_ok (pair->a, lossy, TRUE, "fence", 5);
    fail_unless (peer_wait (pair->b, cond_n_messages,
            GUINT_TO_POINTER (before + 1)));
  }

  g_mutex_lock (&pair->b->lock);
  for (i = 0; i < pair->b->messages->len; i++) {
    TestMessage *m = g_ptr_array_index (pair->b->messages, i);
    guint seq = (guint) g_ascii_strtoull (g_bytes_get_data (m->data, NULL),
        NULL, 10);

    if (m->is_string)
      continue;
    if (m->id == rel) {
      /* in order, each once */
      fail_unless_equals_int (seq, last_rel);
      last_rel++;
      got_rel++;
    } else {
      fail_unless_equals_int (m->id, lossy);
      fail_unless (seq < n);
      fail_if (seen[seq], "lossy message %u delivered twice", seq);
      seen[seq] = TRUE;
      got_lossy++;
    }
  }
  g_mutex_unlock (&pair->b->lock);
  GST_INFO ("reliable %u/%u, max-retransmits=0 %u/%u", got_rel, n,
      got_lossy, n);
  fail_unless_equals_int (got_rel, n);
  fail_unless (got_lossy < n, "no message lost at 15%% loss");
  fail_unless (got_lossy > 0);
  g_free (seen);
  pair_free (pair);
}

GST_END_TEST;

static gboolean
cond_channel_closed_state (TestPeer * p, gpointer data)
{
  return gst_wrtc_sctp_channels_get_state (p->chans,
      GPOINTER_TO_UINT (data)) == GST_WRTC_SCTP_CHANNEL_STATE_CLOSED;
}

/* RFC 8831 section 6.7: close resets the stream, the peer resets its own,
 * both see the channel closed, the id is free again */
GST_START_TEST (test_close_by_reset)
{
  TestPair *pair = pair_new_connected (FALSE, FALSE);
  GError *err = NULL;
  guint16 id, id2, again;

  open_channel (pair->a, pair->b, "closing", NULL, &id);
  open_channel (pair->a, pair->b, "staying", NULL, &id2);
  /* what was sent before close arrives before the close */
  send_ok (pair->a, id, TRUE, "last words", 10);
  fail_unless (gst_wrtc_sctp_channels_close (pair->a->chans, id, &err));
  g_assert_no_error (err);
  fail_unless (peer_wait (pair->b, cond_closed, GUINT_TO_POINTER (id)));
  fail_unless (peer_wait (pair->a, cond_closed, GUINT_TO_POINTER (id)));
  fail_unless (peer_wait (pair->a, cond_channel_closed_state,
          GUINT_TO_POINTER (id)));
  fail_unless_equals_int (pair->b->messages->len, 1);
  assert_message (peer_message (pair->b, 0), id, TRUE, "last words", 10);
  fail_if (gst_wrtc_sctp_channels_send (pair->a->chans, id, TRUE,
          (const guint8 *) "x", 1, &err));
  g_clear_error (&err);

  /* the other channel goes on */
  send_ok (pair->b, id2, TRUE, "still here", 10);
  fail_unless (peer_wait (pair->a, cond_n_messages, GUINT_TO_POINTER (1)));

  /* closed by the side that did not open it */
  fail_unless (gst_wrtc_sctp_channels_close (pair->b->chans, id2, &err));
  fail_unless (peer_wait (pair->a, cond_closed, GUINT_TO_POINTER (id2)));
  fail_unless (peer_wait (pair->b, cond_closed, GUINT_TO_POINTER (id2)));

  /* a new channel takes the next id in turn, not one just closed */
  open_channel (pair->a, pair->b, "reborn", NULL, &again);
  fail_unless_equals_int (again, MAX (id, id2) + 2);
  send_ok (pair->a, again, TRUE, "new", 3);
  fail_unless (peer_wait (pair->b, cond_n_messages, GUINT_TO_POINTER (2)));
  assert_message (peer_message (pair->b, 1), again, TRUE, "new", 3);
  fail_unless_equals_int (pair->a->errors->len, 0);
  fail_unless_equals_int (pair->b->errors->len, 0);
  pair_free (pair);
}

GST_END_TEST;

/* RFC 8831 section 6.7 with a peer that never answers the reset: the
 * channel still ends up closed, after the association's reset timeout,
 * and the id is free again */
GST_START_TEST (test_close_unanswered)
{
  TestPair *pair = pair_new_connected (FALSE, FALSE);
  GstWrtcSctpChannelOptions opts;
  GError *err = NULL;
  guint16 id, again;

  open_channel (pair->a, pair->b, "unanswered", NULL, &id);
  gst_wrtc_sctp_association_set_reset_timeout (pair->a->assoc, 200);
  /* from now on nothing of a's reaches b */
  link_set_impairment (pair->a, 100, 0, 0);
  fail_unless (gst_wrtc_sctp_channels_close (pair->a->chans, id, &err));
  g_assert_no_error (err);
  fail_unless (peer_wait (pair->a, cond_closed, GUINT_TO_POINTER (id)));
  fail_unless (peer_wait (pair->a, cond_channel_closed_state,
          GUINT_TO_POINTER (id)));
  fail_unless_equals_int (gst_wrtc_sctp_channels_get_state (pair->b->chans,
          id), GST_WRTC_SCTP_CHANNEL_STATE_OPEN);
  fail_unless_equals_int (gst_wrtc_sctp_association_get_state
      (pair->a->assoc), GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTED);
  /* the id is free again in a's table */
  gst_wrtc_sctp_channel_options_init (&opts);
  opts.negotiated = TRUE;
  opts.id = id;
  fail_unless (gst_wrtc_sctp_channels_open (pair->a->chans, &opts, &again,
          &err));
  g_assert_no_error (err);
  fail_unless_equals_int (again, id);
  pair_free (pair);
}

GST_END_TEST;

/* raw: an outgoing reset is seen as an incoming one by the peer */
GST_START_TEST (test_raw_stream_reset)
{
  TestPair *pair = pair_new_connected (TRUE, TRUE);
  GError *err = NULL;
  guint32 v;

  fail_unless (gst_wrtc_sctp_association_send (pair->a->assoc, 9, 53,
          (const guint8 *) "z", 1, TRUE, GST_WRTC_SCTP_RELIABLE, 0, &err));
  fail_unless (gst_wrtc_sctp_association_reset_stream (pair->a->assoc, 9,
          &err));
  g_assert_no_error (err);
  fail_unless (peer_wait (pair->b, cond_n_messages, GUINT_TO_POINTER (1)));
  g_mutex_lock (&pair->b->lock);
  while (pair->b->resets->len == 0)
    fail_unless (g_cond_wait_until (&pair->b->cond, &pair->b->lock,
            g_get_monotonic_time () + TEST_WAIT_MS * 1000));
  v = g_array_index (pair->b->resets, guint32, 0);
  g_mutex_unlock (&pair->b->lock);
  fail_unless_equals_int (v & 0xffff, 9);
  fail_unless (v & (1u << 16), "not incoming");
  g_mutex_lock (&pair->a->lock);
  while (pair->a->resets->len == 0)
    fail_unless (g_cond_wait_until (&pair->a->cond, &pair->a->lock,
            g_get_monotonic_time () + TEST_WAIT_MS * 1000));
  v = g_array_index (pair->a->resets, guint32, 0);
  g_mutex_unlock (&pair->a->lock);
  fail_unless_equals_int (v, 9);        /* outgoing, done, not failed */
  pair_free (pair);
}

GST_END_TEST;

static void
check_shutdown (gboolean by_client)
{
  TestPair *pair = pair_new_connected (FALSE, FALSE);
  TestPeer *from = by_client ? pair->a : pair->b;
  TestPeer *to = by_client ? pair->b : pair->a;
  GError *err = NULL;
  guint16 id;

  open_channel (pair->a, pair->b, "until-shutdown", NULL, &id);
  send_ok (from, id, TRUE, "bye", 3);
  gst_wrtc_sctp_association_shutdown (from->assoc);
  /* queued before the shutdown, delivered before it */
  fail_unless (peer_wait (to, cond_n_messages, GUINT_TO_POINTER (1)));
  WAIT_STATE (from, S_CLOSED);
  WAIT_STATE (to, S_CLOSED);
  fail_unless (gst_wrtc_sctp_association_get_error (from->assoc) == NULL);
  fail_unless (gst_wrtc_sctp_association_get_error (to->assoc) == NULL);
  /* channels end with the association */
  fail_unless (peer_wait (from, cond_closed, GUINT_TO_POINTER (id)));
  fail_unless (peer_wait (to, cond_closed, GUINT_TO_POINTER (id)));
  fail_if (gst_wrtc_sctp_association_send (from->assoc, 0, 51,
          (const guint8 *) "x", 1, TRUE, GST_WRTC_SCTP_RELIABLE, 0, &err));
  fail_unless (g_error_matches (err, GST_WRTC_SCTP_ERROR,
          GST_WRTC_SCTP_ERROR_STATE));
  g_clear_error (&err);
  pair_free (pair);
}

GST_START_TEST (test_shutdown_by_client)
{
  check_shutdown (TRUE);
}

GST_END_TEST;

GST_START_TEST (test_shutdown_by_server)
{
  check_shutdown (FALSE);
}

GST_END_TEST;

GST_START_TEST (test_abort)
{
  TestPair *pair = pair_new_connected (TRUE, TRUE);
  GError *err;

  gst_wrtc_sctp_association_abort (pair->b->assoc);
  fail_unless_equals_int (gst_wrtc_sctp_association_get_state
      (pair->b->assoc), S_CLOSED);
  /* the peer's ABORT is a failure for the one that receives it */
  WAIT_STATE (pair->a, S_FAILED);
  err = gst_wrtc_sctp_association_get_error (pair->a->assoc);
  fail_unless (g_error_matches (err, GST_WRTC_SCTP_ERROR,
          GST_WRTC_SCTP_ERROR_FAILED));
  g_error_free (err);
  pair_free (pair);
}

GST_END_TEST;

GST_START_TEST (test_before_start)
{
  TestPeer *p = peer_new (TRUE, TRUE, 1);
  GError *err = NULL;

  /* closing a new association is legal and final */
  gst_wrtc_sctp_association_shutdown (p->assoc);
  fail_unless_equals_int (gst_wrtc_sctp_association_get_state (p->assoc),
      S_CLOSED);
  fail_if (gst_wrtc_sctp_association_start (p->assoc, &err));
  fail_unless (g_error_matches (err, GST_WRTC_SCTP_ERROR,
          GST_WRTC_SCTP_ERROR_STATE));
  g_clear_error (&err);
  fail_unless_equals_int (p->states->len, 1);
  peer_free (p);
}

GST_END_TEST;

/* The legal edges, as the comments above the association's
 * set_state_locked() and the channels' channel_set_state_locked() list
 * them. */
static const FsmCheckEdge association_spec[] = {
  {"new", "connecting"},
  {"new", "closed"},
  {"new", "failed"},
  {"connecting", "connected"},
  {"connecting", "failed"},
  {"connecting", "closed"},
  {"connected", "closed"},
  {"connected", "failed"},
};

static const FsmCheckEdge channel_spec[] = {
  {"connecting", "open"},
  {"connecting", "closing"},
  {"open", "closing"},
  /* any -> closed */
  {"connecting", "closed"},
  {"open", "closed"},
  {"closing", "closed"},
};

GST_START_TEST (test_association_state_machine)
{
  const GstWrtcFsm *fsm = gst_wrtc_sctp_association_state_machine ();

  g_type_ensure (GST_WRTC_TYPE_SCTP_ASSOCIATION);
  fsm_check_table (fsm, association_spec, G_N_ELEMENTS (association_spec));
  fail_unless_equals_int (fsm_check_state (fsm, "new"), S_NEW);
  fail_unless_equals_int (fsm_check_state (fsm, "connecting"), S_CONNECTING);
  fail_unless_equals_int (fsm_check_state (fsm, "connected"), S_CONNECTED);
  fail_unless_equals_int (fsm_check_state (fsm, "closed"), S_CLOSED);
  fail_unless_equals_int (fsm_check_state (fsm, "failed"), S_FAILED);
  /* 5 states: 20 ordered pairs, 8 edges */
  fail_unless_equals_int (fsm_check_refuses (fsm), 12);
}

GST_END_TEST;

GST_START_TEST (test_channel_state_machine)
{
  const GstWrtcFsm *fsm = gst_wrtc_sctp_channel_state_machine ();

  g_type_ensure (GST_WRTC_TYPE_SCTP_CHANNELS);
  fsm_check_table (fsm, channel_spec, G_N_ELEMENTS (channel_spec));
  fail_unless_equals_int (fsm_check_state (fsm, "connecting"),
      GST_WRTC_SCTP_CHANNEL_STATE_CONNECTING);
  fail_unless_equals_int (fsm_check_state (fsm, "open"),
      GST_WRTC_SCTP_CHANNEL_STATE_OPEN);
  fail_unless_equals_int (fsm_check_state (fsm, "closing"),
      GST_WRTC_SCTP_CHANNEL_STATE_CLOSING);
  fail_unless_equals_int (fsm_check_state (fsm, "closed"),
      GST_WRTC_SCTP_CHANNEL_STATE_CLOSED);
  /* 4 states: 12 ordered pairs, 6 edges */
  fail_unless_equals_int (fsm_check_refuses (fsm), 6);
}

GST_END_TEST;

/* Requests and events with no edge from where real associations and
 * channels are leave their states alone, and never reach a machine as an
 * illegal edge: no refusal is logged. */
GST_START_TEST (test_state_machine_requests)
{
  TestPeer *p = peer_new (TRUE, TRUE, 1);
  TestPair *pair = pair_new_connected (TRUE, TRUE);
  TestPair *early = pair_new (FALSE, FALSE);
  GstWrtcSctpChannelOptions opts;
  guint16 dcep_id, negotiated_id;
  GError *err = NULL;

  fsm_check_log_start ();

  /* closed before start: start, shutdown and abort change nothing */
  gst_wrtc_sctp_association_shutdown (p->assoc);
  fail_if (gst_wrtc_sctp_association_start (p->assoc, &err));
  g_clear_error (&err);
  gst_wrtc_sctp_association_shutdown (p->assoc);
  gst_wrtc_sctp_association_abort (p->assoc);
  fail_unless_equals_int (gst_wrtc_sctp_association_get_state (p->assoc),
      S_CLOSED);
  fail_unless_equals_int (p->states->len, 1);

  /* b aborts (closed), a fails on the ABORT: whatever comes after, from
   * usrsctp or the application, leaves both where they are */
  gst_wrtc_sctp_association_abort (pair->b->assoc);
  WAIT_STATE (pair->a, S_FAILED);
  gst_wrtc_sctp_association_shutdown (pair->a->assoc);
  gst_wrtc_sctp_association_abort (pair->a->assoc);
  gst_wrtc_sctp_association_shutdown (pair->b->assoc);
  gst_wrtc_sctp_association_abort (pair->b->assoc);
  fail_if (gst_wrtc_sctp_association_start (pair->a->assoc, &err));
  g_clear_error (&err);
  fail_unless_equals_int (gst_wrtc_sctp_association_get_state
      (pair->a->assoc), S_FAILED);
  fail_unless_equals_int (gst_wrtc_sctp_association_get_state
      (pair->b->assoc), S_CLOSED);
  fail_unless_equals_int (pair->a->states->len, 3);
  fail_unless_equals_int (pair->b->states->len, 3);

  /* channels closed before the association comes up: neither the ACK of
   * the DCEP one nor the association coming up opens them */
  gst_wrtc_sctp_channel_options_init (&opts);
  opts.label = "dcep";
  fail_unless (gst_wrtc_sctp_channels_open (early->a->chans, &opts, &dcep_id,
          &err));
  gst_wrtc_sctp_channel_options_init (&opts);
  opts.label = "negotiated";
  opts.negotiated = TRUE;
  opts.id = 4;
  fail_unless (gst_wrtc_sctp_channels_open (early->a->chans, &opts,
          &negotiated_id, &err));
  fail_unless (gst_wrtc_sctp_channels_open (early->b->chans, &opts,
          &negotiated_id, &err));
  g_assert_no_error (err);
  fail_unless (gst_wrtc_sctp_channels_close (early->a->chans, dcep_id, &err));
  fail_unless (gst_wrtc_sctp_channels_close (early->a->chans, negotiated_id,
          &err));
  g_assert_no_error (err);
  fail_unless_equals_int (gst_wrtc_sctp_channels_get_state (early->a->chans,
          dcep_id), GST_WRTC_SCTP_CHANNEL_STATE_CLOSING);
  fail_unless_equals_int (gst_wrtc_sctp_channels_get_state (early->a->chans,
          negotiated_id), GST_WRTC_SCTP_CHANNEL_STATE_CLOSING);
  pair_start (early);
  WAIT_STATE (early->a, S_CONNECTED);
  WAIT_STATE (early->b, S_CONNECTED);
  fail_unless (peer_wait (early->a, cond_closed, GUINT_TO_POINTER (dcep_id)));
  fail_unless (peer_wait (early->a, cond_closed,
          GUINT_TO_POINTER (negotiated_id)));
  g_mutex_lock (&early->a->lock);
  fail_unless_equals_int (early->a->opened->len, 0);
  g_mutex_unlock (&early->a->lock);

  fail_unless_equals_int (fsm_check_log_stop (), 0);
  peer_free (p);
  pair_free (pair);
  pair_free (early);
}

GST_END_TEST;

/* messages given before the association is up wait in the buffered
 * amount and leave once it is; the low threshold is reported */
static gboolean
cond_nothing_buffered (TestPeer * p, gpointer data)
{
  return gst_wrtc_sctp_association_get_buffered_amount (p->assoc,
      GPOINTER_TO_UINT (data)) == 0;
}

/* The buffered amount counts what usrsctp holds until the peer
 * acknowledges it: with the peer unreachable it stays, once the peer
 * acknowledges it falls to 0 with a low notification. */
GST_START_TEST (test_buffered_amount_unacked)
{
  TestPair *pair = pair_new_connected (TRUE, TRUE);
  guint8 *buf = pattern (3000, 5);
  GError *err = NULL;
  guint i;

  /* nothing of a's reaches b: no SACK will come */
  link_set_impairment (pair->a, 100, 0, 0);
  gst_wrtc_sctp_association_set_buffered_amount_low_threshold (pair->a->assoc,
      7, 1000);
  fail_unless (gst_wrtc_sctp_association_send (pair->a->assoc, 7, 53, buf,
          3000, TRUE, GST_WRTC_SCTP_RELIABLE, 0, &err));
  fail_unless (gst_wrtc_sctp_association_send (pair->a->assoc, 9, 53, buf,
          500, TRUE, GST_WRTC_SCTP_RELIABLE, 0, &err));
  g_assert_no_error (err);
  /* usrsctp had room: both left our queue, neither was acknowledged */
  fail_unless_equals_int64 (gst_wrtc_sctp_association_get_buffered_amount
      (pair->a->assoc, 7), 3000);
  fail_unless_equals_int64 (gst_wrtc_sctp_association_get_buffered_amount
      (pair->a->assoc, 9), 500);
  g_mutex_lock (&pair->a->lock);
  fail_unless_equals_int (pair->a->low->len, 0);
  g_mutex_unlock (&pair->a->lock);

  /* the link heals: usrsctp retransmits, b acknowledges */
  link_set_impairment (pair->a, 0, 0, 0);
  fail_unless (peer_wait (pair->b, cond_n_messages, GUINT_TO_POINTER (2)));
  fail_unless (peer_wait (pair->a, cond_low, GUINT_TO_POINTER (7)));
  fail_unless (peer_wait (pair->a, cond_nothing_buffered,
          GUINT_TO_POINTER (7)));
  fail_unless (peer_wait (pair->a, cond_nothing_buffered,
          GUINT_TO_POINTER (9)));
  /* streams may interleave (I-DATA) */
  i = peer_message (pair->b, 0)->id == 7 ? 0 : 1;
  assert_message (peer_message (pair->b, i), 7, FALSE, (const gchar *) buf,
      3000);
  assert_message (peer_message (pair->b, 1 - i), 9, FALSE,
      (const gchar *) buf, 500);
  g_free (buf);
  pair_free (pair);
}

GST_END_TEST;

GST_START_TEST (test_buffered_amount)
{
  TestPair *pair = pair_new (FALSE, FALSE);
  GstWrtcSctpChannelOptions opts;
  guint8 *buf = pattern (1000, 4);
  guint16 id;
  GError *err = NULL;

  gst_wrtc_sctp_channel_options_init (&opts);
  opts.negotiated = TRUE;
  opts.id = 4;
  fail_unless (gst_wrtc_sctp_channels_open (pair->a->chans, &opts, &id, &err));
  fail_unless (gst_wrtc_sctp_channels_open (pair->b->chans, &opts, &id, &err));
  g_assert_no_error (err);
  fail_unless_equals_int (gst_wrtc_sctp_channels_get_state (pair->a->chans,
          4), GST_WRTC_SCTP_CHANNEL_STATE_CONNECTING);
  gst_wrtc_sctp_channels_set_buffered_amount_low_threshold (pair->a->chans, 4,
      100);
  send_ok (pair->a, 4, FALSE, (const gchar *) buf, 1000);
  send_ok (pair->a, 4, FALSE, (const gchar *) buf, 1000);
  send_ok (pair->a, 4, TRUE, (const gchar *) "", 0);
  fail_unless_equals_int64 (gst_wrtc_sctp_channels_get_buffered_amount
      (pair->a->chans, 4), 2001);

  pair_start (pair);
  /* negotiated channels open with the association, without DCEP */
  fail_unless (peer_wait (pair->a, cond_opened, GUINT_TO_POINTER (4)));
  fail_unless (peer_wait (pair->b, cond_opened, GUINT_TO_POINTER (4)));
  fail_unless (peer_wait (pair->a, cond_low, GUINT_TO_POINTER (4)));
  /* the last byte may await its acknowledgement a moment longer */
  fail_unless (peer_wait (pair->a, cond_nothing_buffered,
          GUINT_TO_POINTER (4)));
  fail_unless (peer_wait (pair->b, cond_n_messages, GUINT_TO_POINTER (3)));
  assert_message (peer_message (pair->b, 0), 4, FALSE, (const gchar *) buf,
      1000);
  assert_message (peer_message (pair->b, 2), 4, TRUE, "", 0);
  fail_unless_equals_int (pair->b->opened_remote->len, 0);
  g_free (buf);
  pair_free (pair);
}

GST_END_TEST;

/* process() of what is not an SCTP packet for us: an error, never a
 * crash, and the association goes on */
GST_START_TEST (test_malformed_input)
{
  TestPair *pair = pair_new_connected (FALSE, FALSE);
  GstWrtcSctpAssociation *b = pair->b->assoc;
  GError *err = NULL;
  GBytes *captured;
  const guint8 *cap;
  gsize cap_len, cut;
  guint8 pkt[64];
  guint16 id;
  guint i;

  open_channel (pair->a, pair->b, "sturdy", NULL, &id);
  /* a real packet a sent (DATA for b), to cut and to spoil */
  send_ok (pair->a, id, FALSE, "0123456789abcdef0123456789abcdef", 32);
  fail_unless (peer_wait (pair->b, cond_n_messages, GUINT_TO_POINTER (1)));
  g_mutex_lock (&pair->a->link.lock);
  captured = NULL;
  for (i = 0; i < pair->a->link.captured->len; i++) {
    GBytes *c = g_ptr_array_index (pair->a->link.captured, i);
    if (g_bytes_get_size (c) > 60)
      captured = c;
  }
  fail_unless (captured != NULL);
  captured = g_bytes_ref (captured);
  g_mutex_unlock (&pair->a->link.lock);
  cap = g_bytes_get_data (captured, &cap_len);

  /* our CRC32c agrees with usrsctp's on a real packet */
  memcpy (pkt, cap, 12);
  {
    guint8 *copy = g_memdup2 (cap, cap_len);
    test_set_crc (copy, cap_len);
    fail_unless (memcmp (copy + 8, cap + 8, 4) == 0);
    g_free (copy);
  }

  /* every truncation */
  for (cut = 0; cut < cap_len; cut++) {
    guint8 *t = g_memdup2 (cap, MAX (cut, 1));
    fail_if (gst_wrtc_sctp_association_process (b, t, cut, &err),
        "truncated to %" G_GSIZE_FORMAT " accepted", cut);
    fail_unless (g_error_matches (err, GST_WRTC_SCTP_ERROR,
            GST_WRTC_SCTP_ERROR_MALFORMED));
    g_clear_error (&err);
    g_free (t);
  }
  /* each single bit flipped: checksum (or ports) catch it */
  for (i = 0; i < cap_len * 8; i += 7) {
    guint8 *t = g_memdup2 (cap, cap_len);
    t[i / 8] ^= 1 << (i % 8);
    fail_if (gst_wrtc_sctp_association_process (b, t, cap_len, &err));
    g_clear_error (&err);
    g_free (t);
  }
  /* garbage */
  {
    GRand *r = g_rand_new_with_seed (42);
    for (i = 0; i < 200; i++) {
      gsize len = g_rand_int_range (r, 0, sizeof (pkt));
      guint j;
      for (j = 0; j < len; j++)
        pkt[j] = g_rand_int (r);
      fail_if (gst_wrtc_sctp_association_process (b, pkt, len, &err));
      g_clear_error (&err);
    }
    g_rand_free (r);
  }
  /* a valid checksum over a chunk that overruns the packet */
  memset (pkt, 0, sizeof (pkt));
  memcpy (pkt, cap, 8);
  pkt[12] = 0;                  /* DATA */
  pkt[14] = 0x01;               /* length 256 in a 20-byte packet */
  test_set_crc (pkt, 20);
  fail_if (gst_wrtc_sctp_association_process (b, pkt, 20, &err));
  fail_unless (g_error_matches (err, GST_WRTC_SCTP_ERROR,
          GST_WRTC_SCTP_ERROR_MALFORMED));
  g_clear_error (&err);
  /* a well-formed packet with the wrong ports */
  memcpy (pkt, cap, MIN (cap_len, sizeof (pkt)));
  pkt[1] ^= 1;
  test_set_crc (pkt, MIN (cap_len, sizeof (pkt)));
  fail_if (gst_wrtc_sctp_association_process (b, pkt, MIN (cap_len,
              sizeof (pkt)), &err));
  g_clear_error (&err);
  /* well-formed but nonsense for usrsctp (unknown chunk, a stale DATA
   * replayed, an ABORT with the wrong tag): accepted and ignored */
  memset (pkt, 0, sizeof (pkt));
  memcpy (pkt, cap, 8);
  pkt[12] = 0x3f;
  pkt[15] = 8;
  test_set_crc (pkt, 20);
  fail_unless (gst_wrtc_sctp_association_process (b, pkt, 20, &err));
  fail_unless (gst_wrtc_sctp_association_process (b, cap, cap_len, &err));
  memcpy (pkt, cap, 12);
  pkt[4] ^= 0xff;
  pkt[12] = 6;                  /* ABORT */
  pkt[13] = 0;
  pkt[14] = 0;
  pkt[15] = 4;
  test_set_crc (pkt, 16);
  fail_unless (gst_wrtc_sctp_association_process (b, pkt, 16, &err));
  g_assert_no_error (err);

  /* still connected, still working */
  fail_unless_equals_int (gst_wrtc_sctp_association_get_state (b), S_CONNECTED);
  send_ok (pair->a, id, TRUE, "after", 5);
  fail_unless (peer_wait (pair->b, cond_n_messages, GUINT_TO_POINTER (2)));
  assert_message (peer_message (pair->b, 1), id, TRUE, "after", 5);
  g_bytes_unref (captured);
  pair_free (pair);
}

GST_END_TEST;

static void
raw_send (TestPeer * p, guint16 sid, guint32 ppid, const guint8 * data,
    gsize len)
{
  GError *err = NULL;

  fail_unless (gst_wrtc_sctp_association_send (p->assoc, sid, ppid, data, len,
          TRUE, GST_WRTC_SCTP_RELIABLE, 0, &err));
  g_assert_no_error (err);
}

/* a raw peer (the DTLS client) sends broken DCEP to a channel peer: each
 * is reported as an error, the association goes on, and a valid OPEN
 * still works */
GST_START_TEST (test_hostile_dcep)
{
  TestPair *pair = pair_new_connected (TRUE, FALSE);
  static const guint8 open_ok[] = { 3, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0,
    'o', 'k'
  };
  static const guint8 open_odd[] = { 3, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0,
    'x'
  };
  guint8 bad[32];
  TestMessage *m;
  guint n = 0;

  memcpy (bad, open_ok, sizeof (open_ok));
  raw_send (pair->a, 0, 50, bad, 5);    /* truncated header */
  n++;
  raw_send (pair->a, 0, 50, bad, sizeof (open_ok) - 1); /* short label */
  n++;
  bad[1] = 0x7f;                /* unknown channel type */
  raw_send (pair->a, 0, 50, bad, sizeof (open_ok));
  n++;
  memcpy (bad, open_ok, sizeof (open_ok));
  bad[9] = 0xff;                /* label length past the end */
  raw_send (pair->a, 0, 50, bad, sizeof (open_ok));
  n++;
  memcpy (bad, open_ok, sizeof (open_ok));
  bad[12] = 0;                  /* NUL in the label */
  raw_send (pair->a, 0, 50, bad, sizeof (open_ok));
  n++;
  raw_send (pair->a, 0, 50, (const guint8 *) "\x02\x02", 2);    /* long ACK */
  n++;
  raw_send (pair->a, 0, 50, (const guint8 *) "\x09", 1);        /* unknown */
  n++;
  raw_send (pair->a, 0, 50, (const guint8 *) "\x02", 1);        /* stray ACK */
  n++;
  raw_send (pair->a, 1, 50, open_odd, sizeof (open_odd));       /* b's id */
  n++;
  raw_send (pair->a, 6, 51, (const guint8 *) "?", 1);   /* no channel */
  n++;
  raw_send (pair->a, 2, 50, open_ok, sizeof (open_ok)); /* the good one */
  raw_send (pair->a, 2, 50, open_ok, sizeof (open_ok)); /* twice */
  n++;
  raw_send (pair->a, 2, 99, (const guint8 *) "?", 1);   /* unknown PPID */
  n++;
  raw_send (pair->a, 2, 51, (const guint8 *) "hi", 2);

  fail_unless (peer_wait (pair->b, cond_opened_remote, GUINT_TO_POINTER (2)));
  fail_unless (peer_wait (pair->b, cond_n_errors, GUINT_TO_POINTER (n)));
  fail_unless (peer_wait (pair->b, cond_n_messages, GUINT_TO_POINTER (1)));
  assert_message (peer_message (pair->b, 0), 2, TRUE, "hi", 2);
  g_mutex_lock (&pair->b->lock);
  fail_unless_equals_int (pair->b->errors->len, n);
  fail_unless_equals_int (pair->b->opened_remote->len, 1);
  g_mutex_unlock (&pair->b->lock);
  /* b answered the good OPEN with an ACK on its stream */
  fail_unless (peer_wait (pair->a, cond_n_messages, GUINT_TO_POINTER (1)));
  m = peer_message (pair->a, 0);
  fail_unless_equals_int (m->id, 2);
  fail_unless_equals_int (m->ppid, 50);
  fail_unless_equals_int (g_bytes_get_size (m->data), 1);
  fail_unless_equals_int (((const guint8 *) g_bytes_get_data (m->data,
              NULL))[0], 2);
  fail_unless_equals_int (gst_wrtc_sctp_association_get_state
      (pair->b->assoc), S_CONNECTED);
  pair_free (pair);
}

GST_END_TEST;

static Suite *
sctp_suite (void)
{
  Suite *s = suite_create ("sctp");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_connect);
  tcase_add_test (tc, test_no_interleaving);
  tcase_add_test (tc, test_raw_messages);
  tcase_add_test (tc, test_channels_both_sides);
  tcase_add_test (tc, test_messages_both_ways);
  tcase_add_test (tc, test_ppids_on_the_wire);
  tcase_add_test (tc, test_large_message);
  tcase_add_test (tc, test_high_stream_ids);
  tcase_add_test (tc, test_too_large);
  tcase_add_test (tc, test_incoming_too_large);
  tcase_add_test (tc, test_partial_reliability_under_loss);
  tcase_add_test (tc, test_close_by_reset);
  tcase_add_test (tc, test_close_unanswered);
  tcase_add_test (tc, test_raw_stream_reset);
  tcase_add_test (tc, test_shutdown_by_client);
  tcase_add_test (tc, test_shutdown_by_server);
  tcase_add_test (tc, test_abort);
  tcase_add_test (tc, test_before_start);
  tcase_add_test (tc, test_association_state_machine);
  tcase_add_test (tc, test_channel_state_machine);
  tcase_add_test (tc, test_state_machine_requests);
  tcase_add_test (tc, test_buffered_amount);
  tcase_add_test (tc, test_buffered_amount_unacked);
  tcase_add_test (tc, test_malformed_input);
  tcase_add_test (tc, test_hostile_dcep);
  return s;
}

GST_CHECK_MAIN (sctp);
