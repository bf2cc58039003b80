/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scale tests of the SCTP stage (sctptestutil.h pairs):
 *  - "channels": 1000 data channels opened and closed on one association,
 *    in small batches, from both sides; every one opens on both sides and
 *    closes on both, each on an id not used since the others (run under
 *    valgrind too: nothing of a closed channel stays behind);
 *  - "associations": 50 associations in one process at once (a
 *    webrtcsink with 50 viewers), each with a channel that opens and
 *    carries a message both ways.  Not run under valgrind: each
 *    association's usrsctp stream tables (65535 streams each way) make it
 *    a few hundred MB there.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "sctptestutil.h"

#define N_CHANNELS 1000
/* Channels open at once: one from each side, each closed by the side
 * that opened it.  When ids were used again at once after their channel
 * closed, usrsctp now and then refused every send on one for ever (with
 * its SCTP_SS_ROUND_ROBIN scheduler in one run of two, with the default
 * one under load); the channel table now picks ids in turn. */
#define BATCH 2
#define N_ASSOCIATIONS 50

/* what each side must have seen so far */
typedef struct
{
  guint a_opened, b_opened;     /* channels each side opened itself */
  guint a_remote, b_remote;     /* channels each side saw the peer open */
  guint a_closed, b_closed;
} Counts;

static gboolean
cond_counts (TestPeer * p, gpointer data)
{
  const guint *want = data;     /* opened, opened_remote, closed */

  return p->opened->len >= want[0] && p->opened_remote->len >= want[1]
      && p->closed->len >= want[2];
}

static void
wait_counts (TestPeer * p, guint opened, guint remote, guint closed)
{
  guint want[3] = { opened, remote, closed };

  fail_unless (peer_wait (p, cond_counts, want),
      "opened %u/%u, opened by the peer %u/%u, closed %u/%u",
      p->opened->len, opened, p->opened_remote->len, remote, p->closed->len,
      closed);
}

/* The label the peer sees is the one given: the channel is this one, not
 * an earlier one on the same id. */
static void
check_label (TestPeer * p, guint16 id, const gchar * label)
{
  GstWrtcSctpChannelInfo info;

  fail_unless (gst_wrtc_sctp_channels_get_info (p->chans, id, &info));
  fail_unless_equals_string (info.label, label);
  fail_unless_equals_int (info.state, GST_WRTC_SCTP_CHANNEL_STATE_OPEN);
  gst_wrtc_sctp_channel_info_clear (&info);
}

/* RFC 8831 section 6.7 and RFC 8832 section 6, a thousand times: each
 * batch opens BATCH channels (even ids from a, the DTLS client, odd ones
 * from b), checks both sides have each under its label, then closes them;
 * a closed id is free again, but each side picks the next one of its
 * parity after its last, so an id comes back only after all the others
 * (and the one reused at once stalled: see the channel table). */
GST_START_TEST (test_thousand_channels)
{
  TestPair *pair = pair_new_connected (FALSE, FALSE);
  GHashTable *ids = g_hash_table_new (NULL, NULL);
  Counts c = { 0, };
  guint16 batch[BATCH];
  GError *err = NULL;
  guint done, i;

  for (done = 0; done < N_CHANNELS; done += BATCH) {
    for (i = 0; i < BATCH; i++) {
      TestPeer *opener = i % 2 ? pair->b : pair->a;
      GstWrtcSctpChannelOptions opts;
      gchar *label = g_strdup_printf ("c%u", done + i);

      gst_wrtc_sctp_channel_options_init (&opts);
      opts.label = label;
      fail_unless (gst_wrtc_sctp_channels_open (opener->chans, &opts,
              &batch[i], &err), "channel %u: %s", done + i, err->message);
      g_free (label);
      g_hash_table_add (ids, GUINT_TO_POINTER (batch[i]));
    }
    c.a_opened += BATCH / 2;
    c.b_opened += BATCH / 2;
    c.a_remote += BATCH / 2;
    c.b_remote += BATCH / 2;
    wait_counts (pair->a, c.a_opened, c.a_remote, c.a_closed);
    wait_counts (pair->b, c.b_opened, c.b_remote, c.b_closed);
    for (i = 0; i < BATCH; i++) {
      gchar *label = g_strdup_printf ("c%u", done + i);

      check_label (pair->a, batch[i], label);
      check_label (pair->b, batch[i], label);
      g_free (label);
    }

    for (i = 0; i < BATCH; i++) {
      TestPeer *closer = i % 2 ? pair->b : pair->a;

      fail_unless (gst_wrtc_sctp_channels_close (closer->chans, batch[i],
              &err), "close %u: %s", batch[i], err->message);
    }
    c.a_closed += BATCH;
    c.b_closed += BATCH;
    wait_counts (pair->a, c.a_opened, c.a_remote, c.a_closed);
    wait_counts (pair->b, c.b_opened, c.b_remote, c.b_closed);
    for (i = 0; i < BATCH; i++) {
      fail_unless_equals_int (gst_wrtc_sctp_channels_get_state (pair->a->chans,
              batch[i]), GST_WRTC_SCTP_CHANNEL_STATE_CLOSED);
      fail_unless_equals_int (gst_wrtc_sctp_channels_get_state (pair->b->chans,
              batch[i]), GST_WRTC_SCTP_CHANNEL_STATE_CLOSED);
    }
  }

  /* each side's ids in turn: 0, 2, 4, ... and 1, 3, 5, ... */
  fail_unless_equals_int (g_hash_table_size (ids), N_CHANNELS);
  for (i = 0; i < N_CHANNELS; i++)
    fail_unless (g_hash_table_contains (ids, GUINT_TO_POINTER (i)));
  g_mutex_lock (&pair->a->lock);
  fail_unless_equals_int (pair->a->errors->len, 0);
  g_mutex_unlock (&pair->a->lock);
  g_mutex_lock (&pair->b->lock);
  fail_unless_equals_int (pair->b->errors->len, 0);
  g_mutex_unlock (&pair->b->lock);
  fail_unless_equals_int (pair->a->process_errors, 0);
  fail_unless_equals_int (pair->b->process_errors, 0);

  /* and the association still carries a new channel */
  {
    guint16 id;

    open_channel (pair->a, pair->b, "after", NULL, &id);
    fail_unless_equals_int (id, N_CHANNELS);
    send_ok (pair->a, id, TRUE, "still here", 10);
    fail_unless (peer_wait (pair->b, cond_n_messages, GUINT_TO_POINTER (1)));
    assert_message (peer_message (pair->b, 0), id, TRUE, "still here", 10);
  }
  g_hash_table_unref (ids);
  pair_free (pair);
}

GST_END_TEST;

/* 50 associations at once in one process: usrsctp's one instance, our one
 * timer thread and the registry serve them all.  Every pair connects,
 * every channel opens on both sides and a message passes each way. */
GST_START_TEST (test_fifty_associations)
{
  TestPair *pairs[N_ASSOCIATIONS];
  guint16 ids[N_ASSOCIATIONS];
  guint i;

  for (i = 0; i < N_ASSOCIATIONS; i++) {
    pairs[i] = pair_new (FALSE, FALSE);
    pair_start (pairs[i]);
  }
  for (i = 0; i < N_ASSOCIATIONS; i++) {
    WAIT_STATE (pairs[i]->a, GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTED);
    WAIT_STATE (pairs[i]->b, GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTED);
  }
  for (i = 0; i < N_ASSOCIATIONS; i++) {
    GstWrtcSctpChannelOptions opts;
    GError *err = NULL;

    gst_wrtc_sctp_channel_options_init (&opts);
    opts.label = "each";
    fail_unless (gst_wrtc_sctp_channels_open (pairs[i]->a->chans, &opts,
            &ids[i], &err));
    g_assert_no_error (err);
  }
  for (i = 0; i < N_ASSOCIATIONS; i++) {
    gchar msg[32];

    fail_unless (peer_wait (pairs[i]->a, cond_opened,
            GUINT_TO_POINTER (ids[i])), "association %u: not open", i);
    fail_unless (peer_wait (pairs[i]->b, cond_opened_remote,
            GUINT_TO_POINTER (ids[i])), "association %u: not open", i);
    g_snprintf (msg, sizeof (msg), "to b %u", i);
    send_ok (pairs[i]->a, ids[i], TRUE, msg, strlen (msg));
    g_snprintf (msg, sizeof (msg), "to a %u", i);
    send_ok (pairs[i]->b, ids[i], FALSE, msg, strlen (msg));
  }
  for (i = 0; i < N_ASSOCIATIONS; i++) {
    gchar msg[32];

    fail_unless (peer_wait (pairs[i]->b, cond_n_messages,
            GUINT_TO_POINTER (1)), "association %u: nothing to b", i);
    fail_unless (peer_wait (pairs[i]->a, cond_n_messages,
            GUINT_TO_POINTER (1)), "association %u: nothing to a", i);
    g_snprintf (msg, sizeof (msg), "to b %u", i);
    assert_message (peer_message (pairs[i]->b, 0), ids[i], TRUE, msg,
        strlen (msg));
    g_snprintf (msg, sizeof (msg), "to a %u", i);
    assert_message (peer_message (pairs[i]->a, 0), ids[i], FALSE, msg,
        strlen (msg));
    fail_unless_equals_int (pairs[i]->a->process_errors, 0);
    fail_unless_equals_int (pairs[i]->b->process_errors, 0);
  }
  for (i = 0; i < N_ASSOCIATIONS; i++)
    pair_free (pairs[i]);
}

GST_END_TEST;

static Suite *
sctp_scale_suite (void)
{
  Suite *s = suite_create ("sctp-scale");
  TCase *channels = tcase_create ("channels");
  TCase *assocs = tcase_create ("associations");

  tcase_set_timeout (channels, 60);
  tcase_add_test (channels, test_thousand_channels);
  suite_add_tcase (s, channels);
  tcase_set_timeout (assocs, 60);
  tcase_add_test (assocs, test_fifty_associations);
  suite_add_tcase (s, assocs);
  return s;
}

GST_CHECK_MAIN (sctp_scale);
