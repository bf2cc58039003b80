/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Element tests of sctpdatachannel (ext/sctp): two elements in one
 * process, each over a dtlssrtpenc/dtlssrtpdec pair (our DTLS stage),
 * joined by queues in one pipeline:
 *
 *   A: dtlssrtpdec da.data_src ! sctpdatachannel dca ! ea.data_sink
 *      dtlssrtpenc ea (DTLS client) ! queue ! db.sink
 *   B: the same the other way round, ending in da.sink
 *
 * Channels are opened by request pads `sink_%u` fed from pads of the test;
 * the other side's `src_%u` pads are linked, as they appear, to pads of
 * the test that collect every message with its caps, and the EOS.
 * The application API's tests (create-data-channel, on-data-channel, the
 * GstWebRTCDataChannel objects) use the same pair, without pads.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/webrtc/webrtc.h>
#include <string.h>

#include "sctpdctestutil.h"

#define BIG_SIZE (256 * 1024)

GST_START_TEST (test_messages_both_ways)
{
  Pair pair;
  GstElement *dca, *dcb;
  GstPad *text_in, *bin_in, *back_in, *text_req, *bin_req, *back_req;
  guint8 *big = g_malloc (BIG_SIZE);
  static const guint8 bytes[] = { 0, 1, 2, 255 };
  GstStructure *stats, *dcs;
  const GValue *v;
  guint64 sent = 0;
  Output *o;
  gchar *label = NULL;
  guint i;

  pair_init (&pair);
  dca = pair.dca;
  dcb = pair.dcb;
  for (i = 0; i < BIG_SIZE; i++)
    big[i] = (i * 7 + i / 251) & 0xff;
  g_signal_connect (dca, "pad-added", G_CALLBACK (on_pad_added), NULL);
  g_signal_connect (dcb, "pad-added", G_CALLBACK (on_pad_added), NULL);

  text_in = input_new (dca, "text/plain", &text_req);
  bin_in = input_new (dca, "application/octet-stream", &bin_req);
  back_in = input_new (dcb, "application/x-whatever", &back_req);
  /* GstChildProxy: what sink_0::label=chat does in a launch line */
  gst_child_proxy_set (GST_CHILD_PROXY (dca), "sink_0::label", "chat",
      "sink_0::protocol", "p1", NULL);
  g_object_get (text_req, "label", &label, NULL);
  fail_unless_equals_string (label, "chat");
  g_free (label);

  pair_play (&pair);

  /* A opens "chat" (strings) first, then "sink_1" (binary) */
  push_bytes (text_in, "hello", 5);
  push_bytes (text_in, "", 0);
  push_bytes (text_in, "wörld", strlen ("wörld"));
  push_bytes (bin_in, bytes, sizeof (bytes));
  push_bytes (bin_in, NULL, 0);
  push_bytes (bin_in, big, BIG_SIZE);
  for (i = 0; i < 20; i++)
    push_bytes (bin_in, &i, sizeof (i));
  fail_unless (gst_pad_push_event (text_in, gst_event_new_eos ()));
  fail_unless (gst_pad_push_event (bin_in, gst_event_new_eos ()));
  /* and B opens one the other way */
  push_bytes (back_in, big, BIG_SIZE);
  push_bytes (back_in, "back", 4);
  fail_unless (gst_pad_push_event (back_in, gst_event_new_eos ()));

  /* B's first channel from A is src_0, in opening order */
  o = wait_eos ("dcb.src_0");
  fail_unless_equals_string (o->label, "chat");
  fail_unless_equals_int (o->id % 2, 0);        /* the DTLS client's */
  fail_unless_equals_int (o->messages->len, 3);
  check_message (o, 0, "text/plain", "hello", 5);
  check_message (o, 1, "text/plain", "", 0);
  check_message (o, 2, "text/plain", "wörld", strlen ("wörld"));

  o = wait_eos ("dcb.src_1");
  fail_unless_equals_string (o->label, "sink_1");
  fail_unless_equals_int (o->messages->len, 23);
  check_message (o, 0, "application/octet-stream", bytes, sizeof (bytes));
  check_message (o, 1, "application/octet-stream", NULL, 0);
  check_message (o, 2, "application/octet-stream", big, BIG_SIZE);
  for (i = 0; i < 20; i++)
    check_message (o, 3 + i, "application/octet-stream", &i, sizeof (i));

  o = wait_eos ("dca.src_0");
  fail_unless_equals_string (o->label, "sink_0");
  fail_unless_equals_int (o->id % 2, 1);        /* the DTLS server's */
  fail_unless_equals_int (o->messages->len, 2);
  check_message (o, 0, "application/octet-stream", big, BIG_SIZE);
  check_message (o, 1, "application/octet-stream", "back", 4);

  /* W3C stats: what A sent on its channels */
  g_object_get (dca, "stats", &stats, NULL);
  fail_unless (stats != NULL);
  fail_unless (gst_structure_has_field (stats, "sctp-transport"));
  for (i = 0; i < 8; i++) {
    gchar *f = g_strdup_printf ("data-channel-%u", i);
    guint64 n = 0;

    v = gst_structure_get_value (stats, f);
    g_free (f);
    if (!v)
      continue;
    dcs = (GstStructure *) gst_value_get_structure (v);
    fail_unless (gst_structure_get_uint64 (dcs, "messagesSent", &n));
    sent += n;
  }
  fail_unless_equals_uint64 (sent, 26);
  gst_structure_free (stats);

  pair_stop (&pair);
  input_free (dca, text_in, text_req);
  input_free (dca, bin_in, bin_req);
  input_free (dcb, back_in, back_req);
  pair_clear (&pair);
  g_free (big);
}

GST_END_TEST;

/* Over the peer's max-message-size: a warning, the message is not sent,
 * the channel goes on. */
GST_START_TEST (test_too_large)
{
  Pair pair;
  GstPad *in, *req;
  GstBus *bus;
  GstMessage *msg;
  guint8 *big = g_malloc0 (2000);
  Output *o;

  pair_init (&pair);
  bus = gst_element_get_bus (pair.a);
  g_object_set (pair.dca, "remote-max-message-size", (guint64) 1000, NULL);
  g_signal_connect (pair.dcb, "pad-added", G_CALLBACK (on_pad_added), NULL);
  in = input_new (pair.dca, "application/octet-stream", &req);
  pair_play (&pair);
  push_bytes (in, "a", 1);
  push_bytes (in, big, 2000);
  push_bytes (in, "b", 1);
  fail_unless (gst_pad_push_event (in, gst_event_new_eos ()));

  msg = gst_bus_timed_pop_filtered (bus, WAIT_S * GST_SECOND,
      GST_MESSAGE_WARNING);
  fail_unless (msg != NULL, "no warning for a message over the limit");
  gst_message_unref (msg);
  o = wait_eos ("dcb.src_0");
  fail_unless_equals_int (o->messages->len, 2);
  check_message (o, 0, "application/octet-stream", "a", 1);
  check_message (o, 1, "application/octet-stream", "b", 1);

  pair_stop (&pair);
  input_free (pair.dca, in, req);
  pair_clear (&pair);
  gst_object_unref (bus);
  g_free (big);
}

GST_END_TEST;

/* ---- the application API ---- */

/* What one channel object told the test. */
typedef struct
{
  GMutex lock;
  GCond cond;
  GstWebRTCDataChannel *channel;        /* ref */
  GPtrArray *messages;          /* GBytes */
  GPtrArray *kinds;             /* "string" or "data" */
  GArray *states;               /* GstWebRTCDataChannelState, as notified */
  guint opens, closes, lows, errors;
  const gchar *label;           /* on-data-channel: the one to watch */
} Watch;

static Watch *
watch_new (const gchar * label)
{
  Watch *w = g_new0 (Watch, 1);

  w->label = label;
  g_mutex_init (&w->lock);
  g_cond_init (&w->cond);
  w->messages = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_bytes_unref);
  w->kinds = g_ptr_array_new ();
  w->states = g_array_new (FALSE, FALSE, sizeof (GstWebRTCDataChannelState));
  return w;
}

static void
watch_free (Watch * w)
{
  if (w->channel) {
    g_signal_handlers_disconnect_by_data (w->channel, w);
    g_object_unref (w->channel);
  }
  g_ptr_array_unref (w->messages);
  g_ptr_array_unref (w->kinds);
  g_array_unref (w->states);
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->cond);
  g_free (w);
}

static void
watch_message (Watch * w, const gchar * kind, GBytes * b)
{
  g_mutex_lock (&w->lock);
  g_ptr_array_add (w->messages, b);
  g_ptr_array_add (w->kinds, (gpointer) kind);
  g_cond_broadcast (&w->cond);
  g_mutex_unlock (&w->lock);
}

static void
on_msg_string (GstWebRTCDataChannel * c, const gchar * str, Watch * w)
{
  fail_unless (str != NULL);
  watch_message (w, "string", g_bytes_new (str, strlen (str)));
}

static void
on_msg_data (GstWebRTCDataChannel * c, GBytes * data, Watch * w)
{
  fail_unless (data != NULL);
  watch_message (w, "data", g_bytes_ref (data));
}

static void
watch_count (Watch * w, guint * counter)
{
  g_mutex_lock (&w->lock);
  (*counter)++;
  g_cond_broadcast (&w->cond);
  g_mutex_unlock (&w->lock);
}

static void
on_open (GstWebRTCDataChannel * c, Watch * w)
{
  watch_count (w, &w->opens);
}

static void
on_close (GstWebRTCDataChannel * c, Watch * w)
{
  watch_count (w, &w->closes);
}

static void
on_low (GstWebRTCDataChannel * c, Watch * w)
{
  watch_count (w, &w->lows);
}

static void
on_error (GstWebRTCDataChannel * c, GError * error, Watch * w)
{
  fail_unless (error != NULL);
  watch_count (w, &w->errors);
}

static void
on_state (GstWebRTCDataChannel * c, GParamSpec * pspec, Watch * w)
{
  GstWebRTCDataChannelState s;

  g_object_get (c, "ready-state", &s, NULL);
  g_mutex_lock (&w->lock);
  g_array_append_val (w->states, s);
  g_cond_broadcast (&w->cond);
  g_mutex_unlock (&w->lock);
}

/* Watches @c (a new ref), its current ready-state first in states. */
static void
watch_attach (Watch * w, GstWebRTCDataChannel * c)
{
  GstWebRTCDataChannelState s;

  g_mutex_lock (&w->lock);
  w->channel = g_object_ref (c);
  g_mutex_unlock (&w->lock);
  g_signal_connect (c, "on-message-string", G_CALLBACK (on_msg_string), w);
  g_signal_connect (c, "on-message-data", G_CALLBACK (on_msg_data), w);
  g_signal_connect (c, "on-open", G_CALLBACK (on_open), w);
  g_signal_connect (c, "on-close", G_CALLBACK (on_close), w);
  g_signal_connect (c, "on-buffered-amount-low", G_CALLBACK (on_low), w);
  g_signal_connect (c, "on-error", G_CALLBACK (on_error), w);
  g_signal_connect (c, "notify::ready-state", G_CALLBACK (on_state), w);
  g_object_get (c, "ready-state", &s, NULL);
  g_mutex_lock (&w->lock);
  if (w->states->len == 0)
    g_array_prepend_val (w->states, s);
  g_mutex_unlock (&w->lock);
}

/* on-data-channel: the channel of w->label the peer opens is watched */
static void
on_data_channel (GstElement * dc, GstWebRTCDataChannel * c, Watch * w)
{
  gchar *label;

  fail_unless (GST_IS_WEBRTC_DATA_CHANNEL (c));
  g_object_get (c, "label", &label, NULL);
  /* emitted before any message of the channel */
  if (!w->channel && g_strcmp0 (label, w->label) == 0) {
    fail_unless_equals_int (w->messages->len, 0);
    watch_attach (w, c);
  }
  g_free (label);
}

/* The stats entry of the channel labelled @label on @dc. */
static GstStructure *
channel_stats (GstElement * dc, const gchar * label)
{
  GstStructure *stats, *found = NULL;
  guint i;

  g_object_get (dc, "stats", &stats, NULL);
  for (i = 0; i < (guint) gst_structure_n_fields (stats) && !found; i++) {
    const GValue *v = gst_structure_get_value (stats,
        gst_structure_nth_field_name (stats, i));
    const GstStructure *s;

    if (G_VALUE_TYPE (v) != GST_TYPE_STRUCTURE)
      continue;
    s = gst_value_get_structure (v);
    if (gst_structure_has_name (s, "data-channel")
        && !g_strcmp0 (gst_structure_get_string (s, "label"), label))
      found = gst_structure_copy (s);
  }
  gst_structure_free (stats);
  fail_unless (found != NULL, "no stats for channel '%s'", label);
  return found;
}

static void
check_counts (GstElement * dc, const gchar * label, guint64 sent,
    guint64 received)
{
  GstStructure *s = channel_stats (dc, label);
  guint64 v;

  fail_unless (gst_structure_get_uint64 (s, "messagesSent", &v));
  fail_unless_equals_int (v, sent);
  fail_unless (gst_structure_get_uint64 (s, "messagesReceived", &v));
  fail_unless_equals_int (v, received);
  gst_structure_free (s);
}

/* Waits until *@counter (under w->lock) reaches @n. */
static void
watch_wait (Watch * w, const guint * counter, guint n, const gchar * what)
{
  gint64 end = g_get_monotonic_time () + WAIT_S * G_TIME_SPAN_SECOND;

  g_mutex_lock (&w->lock);
  while (*counter < n)
    if (!g_cond_wait_until (&w->cond, &w->lock, end))
      break;
  g_mutex_unlock (&w->lock);
  fail_unless (*counter >= n, "timed out waiting for %s (%u of %u)", what,
      *counter, n);
}

static void
check_api_message (Watch * w, guint i, const gchar * kind, const void *data,
    gsize len)
{
  GBytes *b = g_ptr_array_index (w->messages, i);

  fail_unless_equals_string (g_ptr_array_index (w->kinds, i), kind);
  fail_unless_equals_int (g_bytes_get_size (b), len);
  if (len)
    fail_unless (memcmp (g_bytes_get_data (b, NULL), data, len) == 0);
}

static void
send_data (GstWebRTCDataChannel * c, const void *data, gsize len)
{
  GBytes *b = g_bytes_new (data, len);

  g_signal_emit_by_name (c, "send-data", b);
  g_bytes_unref (b);
}

static void
check_states (Watch * w, const GstWebRTCDataChannelState * want, guint n)
{
  guint i;

  g_mutex_lock (&w->lock);
  fail_unless_equals_int (w->states->len, n);
  for (i = 0; i < n; i++)
    fail_unless_equals_int (g_array_index (w->states,
            GstWebRTCDataChannelState, i), want[i]);
  g_mutex_unlock (&w->lock);
}

/* create-data-channel on A reaches on-data-channel on B; strings, binary
 * and empty messages both ways, counted in both elements' stats; a
 * channel created before the association opens with it; close on A
 * closes both, and A's ready-state goes connecting -> open -> closing ->
 * closed (B's, announced open, open -> closing -> closed). */
GST_START_TEST (test_api_channel)
{
  static const GstWebRTCDataChannelState a_states[] = {
    GST_WEBRTC_DATA_CHANNEL_STATE_CONNECTING,
    GST_WEBRTC_DATA_CHANNEL_STATE_OPEN,
    GST_WEBRTC_DATA_CHANNEL_STATE_CLOSING,
    GST_WEBRTC_DATA_CHANNEL_STATE_CLOSED,
  };
  static const GstWebRTCDataChannelState b_states[] = {
    GST_WEBRTC_DATA_CHANNEL_STATE_OPEN,
    GST_WEBRTC_DATA_CHANNEL_STATE_CLOSING,
    GST_WEBRTC_DATA_CHANNEL_STATE_CLOSED,
  };
  static const guint8 bin[] = { 0, 1, 2, 255 };
  Watch *wa = watch_new (NULL), *wb = watch_new ("chat");
  Watch *we = watch_new (NULL), *web = watch_new ("early");
  GstWebRTCDataChannel *ca = NULL, *early = NULL;
  GstStructure *opts;
  Pair pair;
  gchar *label = NULL, *protocol = NULL;
  gboolean ordered;
  gint id;

  pair_init (&pair);
  g_signal_connect (pair.dcb, "on-data-channel", G_CALLBACK (on_data_channel),
      wb);
  g_signal_connect (pair.dcb, "on-data-channel", G_CALLBACK (on_data_channel),
      web);
  /* before the association (NULL state): waits, connecting, without id */
  g_signal_emit_by_name (pair.dca, "create-data-channel", "early", NULL,
      &early);
  fail_unless (GST_IS_WEBRTC_DATA_CHANNEL (early));
  watch_attach (we, early);
  g_object_get (early, "id", &id, NULL);
  fail_unless_equals_int (id, -1);
  pair_play (&pair);

  opts = gst_structure_new ("options", "protocol", G_TYPE_STRING, "proto",
      "ordered", G_TYPE_BOOLEAN, TRUE, NULL);
  g_signal_emit_by_name (pair.dca, "create-data-channel", "chat", opts, &ca);
  gst_structure_free (opts);
  fail_unless (GST_IS_WEBRTC_DATA_CHANNEL (ca));
  watch_attach (wa, ca);
  g_object_get (ca, "label", &label, "protocol", &protocol, "ordered",
      &ordered, "id", &id, NULL);
  fail_unless_equals_string (label, "chat");
  fail_unless_equals_string (protocol, "proto");
  fail_unless (ordered);
  /* RFC 8832 section 6: the DTLS client (A) takes even ids */
  fail_unless (id >= 0 && id % 2 == 0, "id %d", id);
  g_free (label);
  g_free (protocol);

  watch_wait (wa, &wa->opens, 1, "on-open on A");
  g_signal_emit_by_name (ca, "send-string", "hello");
  send_data (ca, bin, sizeof (bin));
  g_signal_emit_by_name (ca, "send-string", "");
  send_data (ca, NULL, 0);

  watch_wait (wb, &wb->messages->len, 4, "A's messages on B");
  fail_unless (wb->channel != NULL);
  g_object_get (wb->channel, "label", &label, "protocol", &protocol, "id",
      &id, NULL);
  fail_unless_equals_string (label, "chat");
  fail_unless_equals_string (protocol, "proto");
  g_free (label);
  g_free (protocol);
  check_api_message (wb, 0, "string", "hello", 5);
  check_api_message (wb, 1, "data", bin, sizeof (bin));
  check_api_message (wb, 2, "string", "", 0);
  check_api_message (wb, 3, "data", NULL, 0);
  watch_wait (wb, &wb->opens, 1, "on-open on B");

  g_signal_emit_by_name (wb->channel, "send-string", "back");
  send_data (wb->channel, bin, 1);
  send_data (wb->channel, NULL, 0);
  watch_wait (wa, &wa->messages->len, 3, "B's messages on A");
  check_api_message (wa, 0, "string", "back", 4);
  check_api_message (wa, 1, "data", bin, 1);
  check_api_message (wa, 2, "data", NULL, 0);

  check_counts (pair.dca, "chat", 4, 3);
  check_counts (pair.dcb, "chat", 3, 4);

  /* the early channel opened with the association, with an even id */
  watch_wait (we, &we->opens, 1, "on-open of the early channel");
  g_object_get (early, "id", &id, NULL);
  fail_unless (id >= 0 && id % 2 == 0, "id %d", id);
  g_signal_emit_by_name (early, "send-string", "early bird");
  watch_wait (web, &web->messages->len, 1, "the early channel's message");
  check_api_message (web, 0, "string", "early bird", 10);

  g_signal_emit_by_name (ca, "close");
  watch_wait (wa, &wa->closes, 1, "on-close on A");
  watch_wait (wb, &wb->closes, 1, "on-close on B");
  check_states (wa, a_states, G_N_ELEMENTS (a_states));
  check_states (wb, b_states, G_N_ELEMENTS (b_states));
  fail_unless_equals_int (wa->opens, 1);
  fail_unless_equals_int (wb->opens, 1);

  pair_stop (&pair);
  /* nothing after the end: one on-close each */
  fail_unless_equals_int (wa->closes, 1);
  fail_unless_equals_int (wb->closes, 1);
  watch_free (wa);
  watch_free (wb);
  watch_free (we);
  watch_free (web);
  g_object_unref (ca);
  g_object_unref (early);
  pair_clear (&pair);
}

GST_END_TEST;

static void
count_channel (GstElement * dc, GstWebRTCDataChannel * c, gint * n)
{
  g_atomic_int_inc (n);
}

/* Pre-negotiated channels (no DCEP, no on-data-channel): the same id on
 * both sides talks; over the peer's max-message-size a send fails with a
 * GError and on-error, and the channel goes on. */
GST_START_TEST (test_api_negotiated_and_too_large)
{
  Watch *wa = watch_new (NULL), *wb = watch_new (NULL);
  GstWebRTCDataChannel *ca = NULL, *cb = NULL;
  guint8 *big = g_malloc0 (2000);
  GstStructure *opts;
  GError *err = NULL;
  GBytes *bytes;
  Pair pair;
  gint remote_channels = 0;

  pair_init (&pair);
  g_object_set (pair.dca, "remote-max-message-size", (guint64) 1000, NULL);
  g_signal_connect (pair.dcb, "on-data-channel", G_CALLBACK (count_channel),
      &remote_channels);
  pair_play (&pair);
  opts = gst_structure_new ("options", "negotiated", G_TYPE_BOOLEAN, TRUE,
      "id", G_TYPE_INT, 7, NULL);
  g_signal_emit_by_name (pair.dca, "create-data-channel", "pre", opts, &ca);
  g_signal_emit_by_name (pair.dcb, "create-data-channel", "pre", opts, &cb);
  gst_structure_free (opts);
  fail_unless (ca != NULL && cb != NULL);
  watch_attach (wa, ca);
  watch_attach (wb, cb);
  watch_wait (wa, &wa->opens, 1, "on-open on A");
  watch_wait (wb, &wb->opens, 1, "on-open on B");

  bytes = g_bytes_new_static (big, 2000);
  fail_if (gst_webrtc_data_channel_send_data_full (ca, bytes, &err));
  g_bytes_unref (bytes);
  fail_unless (err != NULL);
  g_clear_error (&err);
  fail_unless_equals_int (wa->errors, 1);
  fail_unless (gst_webrtc_data_channel_send_string_full (ca, "after", &err));
  fail_unless (err == NULL);
  g_signal_emit_by_name (cb, "send-string", "from b");

  watch_wait (wb, &wb->messages->len, 1, "A's message on B");
  check_api_message (wb, 0, "string", "after", 5);
  watch_wait (wa, &wa->messages->len, 1, "B's message on A");
  check_api_message (wa, 0, "string", "from b", 6);
  fail_unless_equals_int (g_atomic_int_get (&remote_channels), 0);

  pair_stop (&pair);
  watch_free (wa);
  watch_free (wb);
  g_object_unref (ca);
  g_object_unref (cb);
  pair_clear (&pair);
  g_free (big);
}

GST_END_TEST;

#define LOW_THRESHOLD 1024
#define LOW_MESSAGES 64
#define LOW_SIZE (64 * 1024)

/* on-buffered-amount-low: a burst above the threshold drains to it. */
GST_START_TEST (test_api_buffered_amount_low)
{
  Watch *wa = watch_new (NULL), *wb = watch_new ("bulk");
  GstWebRTCDataChannel *ca = NULL;
  guint8 *big = g_malloc (LOW_SIZE);
  guint64 amount, t;
  Pair pair;
  guint i, n;

  for (i = 0; i < LOW_SIZE; i++)
    big[i] = i * 7;
  pair_init (&pair);
  g_signal_connect (pair.dcb, "on-data-channel", G_CALLBACK (on_data_channel),
      wb);
  pair_play (&pair);
  g_signal_emit_by_name (pair.dca, "create-data-channel", "bulk", NULL, &ca);
  fail_unless (ca != NULL);
  watch_attach (wa, ca);
  g_object_set (ca, "buffered-amount-low-threshold", (guint64) LOW_THRESHOLD,
      NULL);
  g_object_get (ca, "buffered-amount-low-threshold", &t, NULL);
  fail_unless_equals_int (t, LOW_THRESHOLD);
  watch_wait (wa, &wa->opens, 1, "on-open on A");

  /* until usrsctp's send buffer is full and a message waits in the
   * association's queue, which is the buffered amount */
  amount = 0;
  for (n = 0; n < LOW_MESSAGES && amount <= LOW_THRESHOLD; n++) {
    send_data (ca, big, LOW_SIZE);
    g_object_get (ca, "buffered-amount", &amount, NULL);
  }
  fail_unless (amount > LOW_THRESHOLD, "buffered-amount %" G_GUINT64_FORMAT,
      amount);

  /* the queue drained past the threshold after that: at least one
   * on-buffered-amount-low (earlier crossings during the burst may add
   * more), and nothing is buffered once B has every message */
  watch_wait (wb, &wb->messages->len, n, "the burst on B");
  watch_wait (wa, &wa->lows, 1, "on-buffered-amount-low");
  g_object_get (ca, "buffered-amount", &amount, NULL);
  fail_unless_equals_int (amount, 0);
  for (i = 0; i < n; i++)
    check_api_message (wb, i, "data", big, LOW_SIZE);

  pair_stop (&pair);
  watch_free (wa);
  watch_free (wb);
  g_object_unref (ca);
  pair_clear (&pair);
  g_free (big);
}

GST_END_TEST;

static Suite *
sctpdatachannel_suite (void)
{
  Suite *s = suite_create ("sctpdatachannel");
  TCase *tc = tcase_create ("general");

  g_mutex_init (&collector.lock);
  g_cond_init (&collector.cond);
  collector.outputs = g_ptr_array_new_with_free_func ((GDestroyNotify)
      output_free);
  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_messages_both_ways);
  tcase_add_test (tc, test_too_large);
  tcase_add_test (tc, test_api_channel);
  tcase_add_test (tc, test_api_buffered_amount_low);
  tcase_add_test (tc, test_api_negotiated_and_too_large);
  return s;
}

GST_CHECK_MAIN (sctpdatachannel);
