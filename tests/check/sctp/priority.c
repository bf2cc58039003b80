/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: priorities and interleaving of the SCTP stage.
 *
 * RFC 8831 section 6.4: a data channel's priority weighs its share of the
 * association against the other channels'; RFC 8260: with I-DATA a large
 * message on one stream does not hold back the messages of another.  Two
 * associations in one process (sctptestutil.h), and one sctpdatachannel
 * element for the path from its pad properties and its
 * create-data-channel options to the association's scheduler.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

/* the shared helpers this file does not need */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "sctptestutil.h"

#define PPID_BINARY 53
#define LOW_SID 1
#define HIGH_SID 3

/* per stream, the first byte of message @i is (@i + @sid) & 0xff */
static void
send_numbered (TestPeer * p, guint16 sid, guint i, guint8 * buf, gsize len)
{
  GError *err = NULL;

  buf[0] = (guint8) (i + sid);
  buf[len - 1] = (guint8) (i + sid);
  fail_unless (gst_wrtc_sctp_association_send (p->assoc, sid, PPID_BINARY,
          buf, len, TRUE, GST_WRTC_SCTP_RELIABLE, 0, &err));
  g_assert_no_error (err);
}

/* Every message of @sid arrived whole and in its order; returns the index
 * (in arrival order over all streams) of the last one. */
static guint
check_stream (TestPeer * p, guint16 sid, guint n, gsize len)
{
  guint i, seen = 0, last = 0;

  for (i = 0; i < p->messages->len; i++) {
    TestMessage *m = peer_message (p, i);
    const guint8 *d;

    if (m->id != sid)
      continue;
    fail_unless_equals_int (g_bytes_get_size (m->data), len);
    d = g_bytes_get_data (m->data, NULL);
    fail_unless_equals_int (d[0], (guint8) (seen + sid));
    fail_unless_equals_int (d[len - 1], (guint8) (seen + sid));
    seen++;
    last = i;
  }
  fail_unless_equals_int (seen, n);
  return last;
}

/* The tests queue their messages before the association is up, so the
 * order they reach usrsctp in is the scheduler's alone, not a race
 * between the test's thread queueing and the link carrying. */
static void
start_and_wait (TestPair * pair)
{
  pair_start (pair);
  WAIT_STATE (pair->a, GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTED);
  WAIT_STATE (pair->b, GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTED);
}

static guint
count_before (TestPeer * p, guint16 sid, guint index)
{
  guint i, n = 0;

  for (i = 0; i < index; i++)
    if (peer_message (p, i)->id == sid)
      n++;
  return n;
}

/* Two streams, each with a backlog four times usrsctp's send buffer,
 * queued at once (alternately, the low one first each time, so queueing
 * order alone would favour it): the high-priority one (W3C "high", 1024)
 * must finish first, while the low one ("low", 256) has had less than half
 * of its backlog.  Weighted 4:1 the low one has about a third by then; in
 * the order given it would have all of it. */
#define SHARE_MSG (16 * 1024)
#define SHARE_N (4 * GST_WRTC_SCTP_MAX_SEND_MESSAGE_SIZE / SHARE_MSG)

GST_START_TEST (test_priority_share)
{
  TestPair *pair = pair_new (TRUE, TRUE);
  guint8 *buf = g_malloc0 (SHARE_MSG);
  guint i, last_high, last_low, low_before;

  gst_wrtc_sctp_association_set_stream_priority (pair->a->assoc, LOW_SID, 256);
  gst_wrtc_sctp_association_set_stream_priority (pair->a->assoc, HIGH_SID,
      1024);
  fail_unless_equals_int (gst_wrtc_sctp_association_get_stream_priority
      (pair->a->assoc, HIGH_SID), 1024);
  for (i = 0; i < SHARE_N; i++) {
    send_numbered (pair->a, LOW_SID, i, buf, SHARE_MSG);
    send_numbered (pair->a, HIGH_SID, i, buf, SHARE_MSG);
  }
  start_and_wait (pair);
  fail_unless (peer_wait (pair->b, cond_n_messages,
          GUINT_TO_POINTER (2 * SHARE_N)), "%u of %u messages arrived",
      pair->b->messages->len, 2 * SHARE_N);

  last_high = check_stream (pair->b, HIGH_SID, SHARE_N, SHARE_MSG);
  last_low = check_stream (pair->b, LOW_SID, SHARE_N, SHARE_MSG);
  low_before = count_before (pair->b, LOW_SID, last_high);
  GST_INFO ("high done after %u of %u low messages", low_before, SHARE_N);
  fail_unless (last_high < last_low, "the low-priority backlog finished "
      "first");
  fail_unless (low_before * 2 < SHARE_N, "the low-priority stream had %u of "
      "%u messages when the high-priority one finished", low_before, SHARE_N);
  g_free (buf);
  pair_free (pair);
}

GST_END_TEST;

/* Equal priorities share equally: neither backlog finishes while the
 * other has had less than a third of its own. */
GST_START_TEST (test_equal_priority_share)
{
  TestPair *pair = pair_new (TRUE, TRUE);
  guint8 *buf = g_malloc0 (SHARE_MSG);
  guint i, last_high, last_low, first_done, other_before;

  for (i = 0; i < SHARE_N; i++) {
    send_numbered (pair->a, LOW_SID, i, buf, SHARE_MSG);
    send_numbered (pair->a, HIGH_SID, i, buf, SHARE_MSG);
  }
  start_and_wait (pair);
  fail_unless (peer_wait (pair->b, cond_n_messages,
          GUINT_TO_POINTER (2 * SHARE_N)));
  last_high = check_stream (pair->b, HIGH_SID, SHARE_N, SHARE_MSG);
  last_low = check_stream (pair->b, LOW_SID, SHARE_N, SHARE_MSG);
  first_done = MIN (last_high, last_low);
  other_before = count_before (pair->b, last_high < last_low ? LOW_SID :
      HIGH_SID, first_done);
  fail_unless (other_before * 3 > SHARE_N * 2, "one stream finished when the "
      "other had %u of %u messages", other_before, SHARE_N);
  g_free (buf);
  pair_free (pair);
}

GST_END_TEST;

/* RFC 8260 between two of ours: I-DATA is negotiated, and a small message
 * queued on one stream right after a large one on another overtakes it
 * (its chunk goes between the large message's fragments).  Without
 * I-DATA SCTP cannot interleave the fragments of a message (RFC 8260
 * section 1): the small one waits for the large one. */
#define LARGE_MSG (256 * 1024)

static void
large_then_small (gboolean interleaving, guint16 * first_sid)
{
  TestPair *pair = pair_new (TRUE, TRUE);
  guint8 *buf = g_malloc0 (LARGE_MSG);

  gst_wrtc_sctp_association_set_interleaving (pair->b->assoc, interleaving);
  /* queued before the association is up, they reach usrsctp one after
   * the other in one dispatch, before any packet of ours left: no
   * acknowledgement can let the large one out whole first */
  send_numbered (pair->a, LOW_SID, 0, buf, LARGE_MSG);
  send_numbered (pair->a, HIGH_SID, 0, buf, 10);
  start_and_wait (pair);
  fail_unless_equals_int (gst_wrtc_sctp_association_get_interleaving
      (pair->a->assoc), interleaving);
  fail_unless_equals_int (gst_wrtc_sctp_association_get_interleaving
      (pair->b->assoc), interleaving);

  fail_unless (peer_wait (pair->b, cond_n_messages, GUINT_TO_POINTER (2)));
  check_stream (pair->b, LOW_SID, 1, LARGE_MSG);
  check_stream (pair->b, HIGH_SID, 1, 10);
  *first_sid = peer_message (pair->b, 0)->id;
  g_free (buf);
  pair_free (pair);
}

GST_START_TEST (test_interleaving)
{
  guint16 first_sid;

  large_then_small (TRUE, &first_sid);
  fail_unless_equals_int (first_sid, HIGH_SID);
  large_then_small (FALSE, &first_sid);
  fail_unless_equals_int (first_sid, LOW_SID);
}

GST_END_TEST;

/* A backlog of large messages (four times usrsctp's send buffer) on one
 * stream does not hold back a small message on another: queued after the
 * backlog it leaves next, and queued while the backlog is under way it
 * passes what waits in our queue, behind at most what usrsctp holds.  In
 * the order given either would wait for the whole backlog. */
#define BACKLOG_N (4 * GST_WRTC_SCTP_MAX_SEND_MESSAGE_SIZE / LARGE_MSG)

GST_START_TEST (test_backlog_does_not_block)
{
  TestPair *pair = pair_new (TRUE, TRUE);
  guint8 *buf = g_malloc0 (LARGE_MSG);
  guint i, small_at, large_before, arrived;

  for (i = 0; i < BACKLOG_N; i++)
    send_numbered (pair->a, LOW_SID, i, buf, LARGE_MSG);
  send_numbered (pair->a, HIGH_SID, 0, buf, 10);
  start_and_wait (pair);
  fail_unless (gst_wrtc_sctp_association_get_interleaving (pair->a->assoc));

  /* the second small one once the first and a large one arrived; what
   * arrived by the time it was queued does not count against it (read
   * after queueing: later arrivals only make the bound looser) */
  fail_unless (peer_wait (pair->b, cond_n_messages, GUINT_TO_POINTER (2)));
  send_numbered (pair->a, HIGH_SID, 1, buf, 10);
  g_mutex_lock (&pair->b->lock);
  arrived = pair->b->messages->len;
  g_mutex_unlock (&pair->b->lock);
  arrived = count_before (pair->b, LOW_SID, arrived);

  fail_unless (peer_wait (pair->b, cond_n_messages,
          GUINT_TO_POINTER (BACKLOG_N + 2)));
  check_stream (pair->b, LOW_SID, BACKLOG_N, LARGE_MSG);
  small_at = check_stream (pair->b, HIGH_SID, 2, 10);
  for (i = 0; peer_message (pair->b, i)->id != HIGH_SID; i++);
  fail_unless (i * 2 < BACKLOG_N, "the first small message waited for %u "
      "of %u large messages", i, BACKLOG_N);
  large_before = count_before (pair->b, LOW_SID, small_at);
  fail_unless (large_before >= arrived);
  GST_INFO ("the second small message came after %u large ones, %u of them "
      "there when it was queued (of %u)", large_before, arrived, BACKLOG_N);
  fail_unless ((large_before - arrived) * 2 < BACKLOG_N, "the small message "
      "waited for %u of %u large messages", large_before - arrived, BACKLOG_N);
  g_free (buf);
  pair_free (pair);
}

GST_END_TEST;

/* The channel layer gives the scheduler each channel's priority: ours
 * when we open it, the peer's from its DATA_CHANNEL_OPEN (RFC 8832 section
 * 5.1), a negotiated channel's on both sides. */
GST_START_TEST (test_channel_priorities)
{
  TestPair *pair = pair_new_connected (FALSE, FALSE);
  GstWrtcSctpChannelOptions opts;
  GError *err = NULL;
  guint16 hi, lo;

  fail_unless_equals_int (gst_wrtc_sctp_association_get_stream_priority
      (pair->a->assoc, 40), GST_WRTC_SCTP_DEFAULT_PRIORITY);

  gst_wrtc_sctp_channel_options_init (&opts);
  opts.label = "high";
  opts.priority = 1024;
  fail_unless (gst_wrtc_sctp_channels_open (pair->a->chans, &opts, &hi, &err));
  g_assert_no_error (err);
  fail_unless_equals_int (gst_wrtc_sctp_association_get_stream_priority
      (pair->a->assoc, hi), 1024);
  fail_unless (peer_wait (pair->b, cond_opened_remote, GUINT_TO_POINTER (hi)));
  fail_unless_equals_int (gst_wrtc_sctp_association_get_stream_priority
      (pair->b->assoc, hi), 1024);

  opts.label = "very-low";
  opts.priority = 128;
  fail_unless (gst_wrtc_sctp_channels_open (pair->b->chans, &opts, &lo, &err));
  g_assert_no_error (err);
  fail_unless (peer_wait (pair->a, cond_opened_remote, GUINT_TO_POINTER (lo)));
  fail_unless_equals_int (gst_wrtc_sctp_association_get_stream_priority
      (pair->a->assoc, lo), 128);
  fail_unless_equals_int (gst_wrtc_sctp_association_get_stream_priority
      (pair->b->assoc, lo), 128);

  /* the default, W3C "low" */
  gst_wrtc_sctp_channel_options_init (&opts);
  opts.label = "default";
  fail_unless (gst_wrtc_sctp_channels_open (pair->a->chans, &opts, &hi, &err));
  g_assert_no_error (err);
  fail_unless (peer_wait (pair->b, cond_opened_remote, GUINT_TO_POINTER (hi)));
  fail_unless_equals_int (gst_wrtc_sctp_association_get_stream_priority
      (pair->b->assoc, hi), 256);

  opts.label = "negotiated";
  opts.priority = 512;
  opts.negotiated = TRUE;
  opts.id = 20;
  fail_unless (gst_wrtc_sctp_channels_open (pair->a->chans, &opts, NULL, &err));
  fail_unless (gst_wrtc_sctp_channels_open (pair->b->chans, &opts, NULL, &err));
  g_assert_no_error (err);
  fail_unless_equals_int (gst_wrtc_sctp_association_get_stream_priority
      (pair->a->assoc, 20), 512);
  fail_unless_equals_int (gst_wrtc_sctp_association_get_stream_priority
      (pair->b->assoc, 20), 512);
  pair_free (pair);
}

GST_END_TEST;

/* ------------------------------------------------------------------------
 * The element: the association it makes is found through the
 * association's state-changed signal (an emission hook), as it starts.
 */
static gboolean
catch_association (GSignalInvocationHint * hint, guint n,
    const GValue * params, gpointer data)
{
  gpointer *slot = data;
  GObject *assoc = g_value_get_object (&params[0]);

  /* the first one only: it may be emitted on the SCTP timer thread */
  if (g_atomic_pointer_compare_and_exchange (slot, NULL, assoc))
    g_object_ref (assoc);
  return TRUE;
}

static GstPad *
feed_pad (GstElement * dc, guint priority, GstPad ** req)
{
  GstPad *pad = gst_pad_new ("in", GST_PAD_SRC);
  GstSegment seg;
  GstCaps *caps = gst_caps_new_empty_simple ("application/octet-stream");

  *req = gst_element_request_pad_simple (dc, "sink_%u");
  fail_unless (*req != NULL);
  g_object_set (*req, "priority", priority, NULL);
  fail_unless_equals_int (gst_pad_link (pad, *req), GST_PAD_LINK_OK);
  gst_pad_set_active (pad, TRUE);
  fail_unless (gst_pad_push_event (pad, gst_event_new_stream_start ("in")));
  fail_unless (gst_pad_push_event (pad, gst_event_new_caps (caps)));
  gst_caps_unref (caps);
  gst_segment_init (&seg, GST_FORMAT_TIME);
  fail_unless (gst_pad_push_event (pad, gst_event_new_segment (&seg)));
  /* the pad's channel opens with its first buffer */
  fail_unless_equals_int (gst_pad_push (pad,
          gst_buffer_new_memdup ("x", 1)), GST_FLOW_OK);
  return pad;
}

GST_START_TEST (test_element_priorities)
{
  GstElement *pipe, *dc;
  GstWrtcSctpAssociation *assoc = NULL;
  GstPad *in, *req;
  GObject *channel = NULL;
  GstStructure *opts;
  gpointer klass;
  gulong hook;
  guint sig;
  gint pad_id = -1, chan_id = -1;
  gint64 deadline = g_get_monotonic_time () + TEST_WAIT_MS * 1000;

  pipe = gst_parse_launch ("sctpdatachannel name=dc is-client=true ! "
      "queue ! fakesink async=false", NULL);
  fail_unless (pipe != NULL);
  dc = gst_bin_get_by_name (GST_BIN (pipe), "dc");
  klass = g_type_class_ref (GST_WRTC_TYPE_SCTP_ASSOCIATION);
  sig = g_signal_lookup ("state-changed", GST_WRTC_TYPE_SCTP_ASSOCIATION);
  hook = g_signal_add_emission_hook (sig, 0, catch_association, &assoc, NULL);
  fail_unless_equals_int (gst_element_set_state (pipe, GST_STATE_PLAYING),
      GST_STATE_CHANGE_SUCCESS);
  while (!g_atomic_pointer_get (&assoc)) {
    fail_unless (g_get_monotonic_time () < deadline,
        "the element started no association");
    g_usleep (1000);
  }

  /* a pad's priority property (W3C "high") */
  in = feed_pad (dc, 1024, &req);
  g_object_get (req, "id", &pad_id, NULL);
  fail_unless (pad_id >= 0);
  fail_unless_equals_int (gst_wrtc_sctp_association_get_stream_priority
      (assoc, pad_id), 1024);

  /* create-data-channel's "priority" option (RTCPriorityType "medium";
   * gst-plugins-bad's enum, given here by its value: 3) */
  opts = gst_structure_new ("options", "priority", G_TYPE_INT, 3, NULL);
  g_signal_emit_by_name (dc, "create-data-channel", "api", opts, &channel);
  gst_structure_free (opts);
  fail_unless (channel != NULL);
  g_object_get (channel, "id", &chan_id, NULL);
  fail_unless (chan_id >= 0 && chan_id != pad_id);
  fail_unless_equals_int (gst_wrtc_sctp_association_get_stream_priority
      (assoc, chan_id), 512);

  fail_unless_equals_int (gst_element_set_state (pipe, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  g_signal_remove_emission_hook (sig, hook);
  g_type_class_unref (klass);
  gst_pad_unlink (in, req);
  gst_pad_set_active (in, FALSE);
  gst_object_unref (in);
  gst_element_release_request_pad (dc, req);
  gst_object_unref (req);
  g_object_unref (channel);
  gst_object_unref (dc);
  gst_object_unref (pipe);
  unref_and_wait (assoc);
}

GST_END_TEST;

static Suite *
priority_suite (void)
{
  Suite *s = suite_create ("sctp-priority");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_priority_share);
  tcase_add_test (tc, test_equal_priority_share);
  tcase_add_test (tc, test_interleaving);
  tcase_add_test (tc, test_backlog_does_not_block);
  tcase_add_test (tc, test_channel_priorities);
  tcase_add_test (tc, test_element_priorities);
  return s;
}

GST_CHECK_MAIN (priority);
