/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Robustness tests of sctpdatachannel (ext/sctp):
 *  - two elements over our DTLS stage (sctpdctestutil.h) with wires that
 *    drop, duplicate and reorder DTLS datagrams: what each kind of channel
 *    promises holds;
 *  - one element whose `sink` and `src` are the test's, talking to a raw
 *    GstWrtcSctpAssociation (sctptestutil.h) that sends broken DCEP,
 *    unknown PPIDs and messages over the element's max-message-size, with
 *    truncated and garbage SCTP packets in between: warnings, and the good
 *    channel goes on;
 *  - a peer that vanishes during a transfer and teardown with a blocked
 *    `sink_%u` (backpressure) and a blocked `src_%u` downstream: every
 *    state change returns (no hang), nothing leaks (the valgrind variant).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <string.h>

#include "sctpdctestutil.h"
#include "sctptestutil.h"

#define N_MESSAGES 200
#define MSG_SIZE 300

/* ------------------------------------------------------------------------
 * Messages that say which they are and whether they are intact
 */
static void
make_message (guint8 * buf, guint seq)
{
  guint j;

  buf[0] = seq >> 24;
  buf[1] = seq >> 16;
  buf[2] = seq >> 8;
  buf[3] = seq;
  for (j = 4; j < MSG_SIZE; j++)
    buf[j] = (seq * 31 + j * 7) & 0xff;
}

/* The sequence number of message @i of @o, which must be intact. */
static guint
message_seq (Output * o, guint i)
{
  GBytes *b = g_ptr_array_index (o->messages, i);
  const guint8 *d;
  guint8 want[MSG_SIZE];
  gsize len;
  guint seq;

  d = g_bytes_get_data (b, &len);
  fail_unless_equals_int (len, MSG_SIZE);
  seq = (guint) d[0] << 24 | d[1] << 16 | d[2] << 8 | d[3];
  fail_unless (seq <= N_MESSAGES, "%s: message %u has seq %u", o->pad_name,
      i, seq);
  make_message (want, seq);
  fail_unless (memcmp (d, want, MSG_SIZE) == 0, "%s: message %u (seq %u) "
      "corrupted", o->pad_name, i, seq);
  return seq;
}

/* The output of @dc's src pad for the channel labelled @label, once it
 * has at least @n messages. */
static Output *
wait_output (GstElement * dc, const gchar * label, guint n)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_S * G_TIME_SPAN_SECOND;
  gchar *prefix = g_strdup_printf ("%s.", GST_ELEMENT_NAME (dc));
  Output *found = NULL;
  guint i;

  g_mutex_lock (&collector.lock);
  for (;;) {
    for (i = 0; i < collector.outputs->len && !found; i++) {
      Output *o = g_ptr_array_index (collector.outputs, i);
      if (g_str_has_prefix (o->pad_name, prefix)
          && !g_strcmp0 (o->label, label) && o->messages->len >= n)
        found = o;
    }
    if (found || !g_cond_wait_until (&collector.cond, &collector.lock,
            deadline))
      break;
  }
  g_mutex_unlock (&collector.lock);
  g_free (prefix);
  fail_unless (found != NULL, "no %u messages on channel '%s'", n, label);
  return found;
}

static void
check_no_duplicates (Output * o, gboolean increasing)
{
  gboolean seen[N_MESSAGES + 1] = { FALSE, };
  guint i, last = 0;

  for (i = 0; i < o->messages->len; i++) {
    guint seq = message_seq (o, i);

    fail_if (seen[seq], "%s: seq %u delivered twice", o->pad_name, seq);
    seen[seq] = TRUE;
    if (increasing && i > 0)
      fail_unless (seq > last, "%s: seq %u after %u", o->pad_name, seq, last);
    last = seq;
  }
}

/* Under 5% loss, 5% duplication and 10% reordering of DTLS datagrams
 * both ways: a reliable ordered channel delivers every message intact and
 * in order, an unordered one every message once; max-retransmits=0 loses
 * some and max-packet-lifetime delivers a subset, in order (FORWARD-TSN,
 * RFC 3758), neither ever twice nor corrupted.  Then, on a clean link,
 * the channels close after what they carried and the association takes
 * a new channel. */
GST_START_TEST (test_impaired_link)
{
  static const struct
  {
    const gchar *label;
    gboolean ordered;
    gint max_retransmits, max_packet_lifetime;
  } kinds[] = {
    {"reliable", TRUE, -1, -1},
    {"unordered", FALSE, -1, -1},
    {"rexmit0", FALSE, 0, -1},
    {"lifetime", TRUE, -1, 1},
  };
  GstPad *in[G_N_ELEMENTS (kinds)], *req[G_N_ELEMENTS (kinds)];
  Output *out[G_N_ELEMENTS (kinds)];
  GstPad *after_in, *after_req;
  guint8 msg[MSG_SIZE];
  GstStructure *stats;
  const GstStructure *t;
  Pair pair;
  guint i, k;

  pair_init (&pair);
  g_signal_connect (pair.dcb, "pad-added", G_CALLBACK (on_pad_added), NULL);
  wire_impair (pair.wires[0], 0x1234, 0, 0, 0);
  wire_impair (pair.wires[1], 0x5678, 0, 0, 0);
  for (k = 0; k < G_N_ELEMENTS (kinds); k++) {
    in[k] = input_new (pair.dca, "application/octet-stream", &req[k]);
    g_object_set (req[k], "label", kinds[k].label, "ordered",
        kinds[k].ordered, "max-retransmits", kinds[k].max_retransmits,
        "max-packet-lifetime", kinds[k].max_packet_lifetime, NULL);
  }
  pair_play (&pair);

  /* the handshakes and the channels' DCEP on a clean link */
  for (k = 0; k < G_N_ELEMENTS (kinds); k++) {
    make_message (msg, 0);
    push_bytes (in[k], msg, MSG_SIZE);
  }
  for (k = 0; k < G_N_ELEMENTS (kinds); k++)
    wait_output (pair.dcb, kinds[k].label, 1);

  wire_impair (pair.wires[0], 0, 5, 5, 10);
  wire_impair (pair.wires[1], 0, 5, 5, 10);
  for (i = 1; i <= N_MESSAGES; i++) {
    make_message (msg, i);
    for (k = 0; k < G_N_ELEMENTS (kinds); k++)
      push_bytes (in[k], msg, MSG_SIZE);
  }
  /* the reliable channels deliver everything through the impairment */
  wait_output (pair.dcb, "reliable", N_MESSAGES + 1);
  wait_output (pair.dcb, "unordered", N_MESSAGES + 1);
  wire_impair (pair.wires[0], 0, 0, 0, 0);
  wire_impair (pair.wires[1], 0, 0, 0, 0);
  /* EOS is a stream reset after the messages (RFC 8831 section 6.7): it
   * reaches B once each was delivered or abandoned */
  for (k = 0; k < G_N_ELEMENTS (kinds); k++)
    fail_unless (gst_pad_push_event (in[k], gst_event_new_eos ()));
  for (k = 0; k < G_N_ELEMENTS (kinds); k++) {
    out[k] = wait_output (pair.dcb, kinds[k].label, 1);
    wait_eos (out[k]->pad_name);
  }
  /* the wires did what they were set to */
  for (i = 0; i < 2; i++) {
    Impairment *imp = g_object_get_data (G_OBJECT (pair.wires[i]),
        "impairment");
    g_mutex_lock (&imp->lock);
    GST_INFO ("wire %u: %u datagrams, %u dropped, %u duplicated, %u "
        "reordered", i, imp->carried, imp->dropped, imp->duplicated,
        imp->reordered);
    fail_unless (imp->dropped > 0 && imp->duplicated > 0 && imp->reordered > 0);
    g_mutex_unlock (&imp->lock);
  }

  g_mutex_lock (&collector.lock);
  /* reliable, ordered: everything, in order */
  fail_unless_equals_int (out[0]->messages->len, N_MESSAGES + 1);
  for (i = 0; i <= N_MESSAGES; i++)
    fail_unless_equals_int (message_seq (out[0], i), i);
  /* unordered: everything, once */
  fail_unless_equals_int (out[1]->messages->len, N_MESSAGES + 1);
  check_no_duplicates (out[1], FALSE);
  /* max-retransmits=0: never retransmitted, so the loss shows */
  check_no_duplicates (out[2], FALSE);
  fail_unless (out[2]->messages->len < N_MESSAGES + 1,
      "max-retransmits=0 lost nothing at 5%% loss");
  /* lifetime: a subset, in order */
  check_no_duplicates (out[3], TRUE);
  GST_INFO ("delivered: max-retransmits=0 %u, max-packet-lifetime %u of %u",
      out[2]->messages->len, out[3]->messages->len, N_MESSAGES + 1);
  g_mutex_unlock (&collector.lock);

  /* the association goes on: a new channel */
  after_in = input_new (pair.dca, "text/plain", &after_req);
  g_object_set (after_req, "label", "after", NULL);
  push_bytes (after_in, "still here", 10);
  check_message (wait_output (pair.dcb, "after", 1), 0, "text/plain",
      "still here", 10);
  g_object_get (pair.dca, "stats", &stats, NULL);
  t = gst_value_get_structure (gst_structure_get_value (stats,
          "sctp-transport"));
  fail_unless_equals_string (gst_structure_get_string (t, "state"),
      "connected");
  gst_structure_free (stats);

  pair_stop (&pair);
  for (k = 0; k < G_N_ELEMENTS (kinds); k++)
    input_free (pair.dca, in[k], req[k]);
  input_free (pair.dca, after_in, after_req);
  pair_clear (&pair);
}

GST_END_TEST;

/* ------------------------------------------------------------------------
 * One element and a raw SCTP peer
 *
 *   raw association -> queue -> pump thread -> test src pad -> dc.sink
 *   dc.src -> test sink pad -> raw association's process()
 *
 * The pump decouples the two directions (each side's dispatch may send
 * while the other's is running).
 */
typedef struct
{
  GstElement *pipeline, *dc;
  GstPad *feed, *drain;         /* linked to dc.sink and dc.src */
  GAsyncQueue *queue;           /* GstBuffer, or the stop marker */
  GThread *pump;
  TestPeer *peer;               /* the raw SCTP peer, DTLS client */
} RawRig;

static gpointer
rig_pump (gpointer data)
{
  RawRig *rig = data;

  for (;;) {
    gpointer item = g_async_queue_pop (rig->queue);

    if (item == &link_stop_marker)
      break;
    gst_pad_push (rig->feed, item);
  }
  return NULL;
}

/* what the raw peer sends: a packet for the element */
static void
rig_send (const guint8 * data, gsize len, GObject * owner)
{
  RawRig *rig = g_object_get_data (owner, "rig");

  g_async_queue_push (rig->queue, gst_buffer_new_memdup (data, len));
}

/* what the element sends: a packet for the raw peer */
static GstFlowReturn
rig_drain_chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  RawRig *rig = gst_pad_get_element_private (pad);
  GstMapInfo map;
  GError *err = NULL;

  gst_buffer_map (buf, &map, GST_MAP_READ);
  if (!gst_wrtc_sctp_association_process (rig->peer->assoc, map.data,
          map.size, &err)) {
    GST_WARNING ("the element sent what is not SCTP: %s", err->message);
    g_mutex_lock (&rig->peer->lock);
    rig->peer->process_errors++;
    g_mutex_unlock (&rig->peer->lock);
    g_clear_error (&err);
  }
  gst_buffer_unmap (buf, &map);
  gst_buffer_unref (buf);
  return GST_FLOW_OK;
}

static void
rig_init (RawRig * rig, guint64 max_message_size)
{
  GstPad *pad;
  GstSegment seg;
  GstCaps *caps;

  rig->pipeline = gst_pipeline_new (NULL);
  rig->dc = gst_element_factory_make ("sctpdatachannel", "dc");
  fail_unless (rig->dc != NULL);
  g_object_set (rig->dc, "max-message-size", max_message_size, NULL);
  gst_bin_add (GST_BIN (rig->pipeline), rig->dc);
  g_signal_connect (rig->dc, "pad-added", G_CALLBACK (on_pad_added), NULL);

  rig->feed = gst_pad_new ("feed", GST_PAD_SRC);
  pad = gst_element_get_static_pad (rig->dc, "sink");
  fail_unless_equals_int (gst_pad_link (rig->feed, pad), GST_PAD_LINK_OK);
  gst_object_unref (pad);
  rig->drain = gst_pad_new ("drain", GST_PAD_SINK);
  gst_pad_set_element_private (rig->drain, rig);
  gst_pad_set_chain_function (rig->drain, rig_drain_chain);
  pad = gst_element_get_static_pad (rig->dc, "src");
  fail_unless_equals_int (gst_pad_link (pad, rig->drain), GST_PAD_LINK_OK);
  gst_object_unref (pad);
  gst_pad_set_active (rig->drain, TRUE);
  gst_pad_set_active (rig->feed, TRUE);
  fail_unless (gst_pad_push_event (rig->feed,
          gst_event_new_stream_start ("raw")));
  caps = gst_caps_new_empty_simple ("application/x-sctp");
  fail_unless (gst_pad_push_event (rig->feed, gst_event_new_caps (caps)));
  gst_caps_unref (caps);
  gst_segment_init (&seg, GST_FORMAT_BYTES);
  fail_unless (gst_pad_push_event (rig->feed, gst_event_new_segment (&seg)));

  /* the raw peer: the element takes odd ids (DTLS server), it even ones */
  rig->peer = peer_new (TRUE, TRUE, 0x4242);
  g_object_set_data (rig->peer->owner, "rig", rig);
  gst_wrtc_sctp_association_set_send_func (rig->peer->assoc, rig_send,
      rig->peer->owner);
  gst_wrtc_sctp_association_set_remote_max_message_size (rig->peer->assoc, 0);
  rig->queue = g_async_queue_new ();
  rig->pump = g_thread_new ("raw-pump", rig_pump, rig);
}

static void
rig_clear (RawRig * rig)
{
  gpointer item;

  fail_unless_equals_int (gst_element_set_state (rig->pipeline,
          GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
  g_async_queue_push (rig->queue, &link_stop_marker);
  g_thread_join (rig->pump);
  while ((item = g_async_queue_try_pop (rig->queue)))
    if (item != &link_stop_marker)
      gst_buffer_unref (item);
  g_async_queue_unref (rig->queue);
  peer_free (rig->peer);
  gst_pad_set_active (rig->feed, FALSE);
  gst_pad_set_active (rig->drain, FALSE);
  gst_object_unref (rig->feed);
  gst_object_unref (rig->drain);
  gst_object_unref (rig->pipeline);
  g_ptr_array_set_size (collector.outputs, 0);
}

static void
rig_raw_send (RawRig * rig, guint16 sid, guint32 ppid, const void *data,
    gsize len)
{
  GError *err = NULL;

  fail_unless (gst_wrtc_sctp_association_send (rig->peer->assoc, sid, ppid,
          data, len, TRUE, GST_WRTC_SCTP_RELIABLE, 0, &err));
  g_assert_no_error (err);
}

/* Garbage straight into dc.sink, in order with what the raw peer sends. */
static void
rig_inject (RawRig * rig, const guint8 * data, gsize len)
{
  g_async_queue_push (rig->queue, gst_buffer_new_memdup (data, len));
}

/* Warnings on the bus so far, each logged. */
static guint
count_warnings (GstBus * bus, const gchar * must_contain, guint * matching)
{
  GstMessage *msg;
  guint n = 0;

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING))) {
    GError *err = NULL;

    gst_message_parse_warning (msg, &err, NULL);
    GST_INFO ("warning: %s", err->message);
    if (must_contain && strstr (err->message, must_contain))
      (*matching)++;
    g_clear_error (&err);
    gst_message_unref (msg);
    n++;
  }
  return n;
}

/* Bad input from the network into the element: each broken DCEP message,
 * unknown PPID, message without a channel or over our max-message-size
 * (RFC 8841) is an element warning, each truncated or garbage SCTP packet
 * is dropped (the first one a warning); nothing crashes, the association
 * stays up and the good channel delivers what comes after. */
GST_START_TEST (test_bad_input)
{
  static const guint8 open_ok[] = { 3, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0,
    'o', 'k'
  };
  guint8 bad[sizeof (open_ok)], big[1500], garbage[200];
  RawRig rig;
  GstBus *bus;
  Output *o;
  GRand *r;
  GError *err = NULL;
  GstStructure *stats;
  const GstStructure *t;
  guint64 discarded = 0;
  guint i, warnings, too_large = 0, expected = 0;

  rig_init (&rig, 1000);
  bus = gst_element_get_bus (rig.pipeline);
  fail_unless (gst_element_set_state (rig.pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless (gst_wrtc_sctp_association_start (rig.peer->assoc, &err));
  g_assert_no_error (err);
  WAIT_STATE (rig.peer, GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTED);

  /* the good channel, and its ACK */
  rig_raw_send (&rig, 2, 50, open_ok, sizeof (open_ok));
  fail_unless (peer_wait (rig.peer, cond_n_messages, GUINT_TO_POINTER (1)));
  rig_raw_send (&rig, 2, 51, "first", 5);
  check_message (wait_output (rig.dc, "ok", 1), 0, "text/plain", "first", 5);
  fail_unless_equals_int (count_warnings (bus, NULL, NULL), 0);

  /* RFC 8832: broken DCEP */
  rig_raw_send (&rig, 4, 50, open_ok, 5);       /* truncated header */
  expected++;
  memcpy (bad, open_ok, sizeof (open_ok));
  bad[1] = 0x7f;                /* unknown channel type */
  rig_raw_send (&rig, 4, 50, bad, sizeof (bad));
  expected++;
  memcpy (bad, open_ok, sizeof (open_ok));
  bad[9] = 0xff;                /* label past the end */
  rig_raw_send (&rig, 4, 50, bad, sizeof (bad));
  expected++;
  rig_raw_send (&rig, 4, 50, "\x09", 1);        /* unknown message type */
  expected++;
  rig_raw_send (&rig, 4, 50, "\x02", 1);        /* ACK of nothing */
  expected++;
  rig_raw_send (&rig, 3, 50, open_ok, sizeof (open_ok));        /* our id */
  expected++;
  rig_raw_send (&rig, 2, 50, open_ok, sizeof (open_ok));        /* in use */
  expected++;
  /* RFC 8831 section 8: PPIDs */
  rig_raw_send (&rig, 2, 99, "?", 1);   /* unknown */
  expected++;
  rig_raw_send (&rig, 6, 51, "?", 1);   /* no channel */
  expected++;
  /* RFC 8841: over our max-message-size (1000) */
  memset (big, 'x', sizeof (big));
  rig_raw_send (&rig, 2, 53, big, sizeof (big));
  expected++;

  /* RFC 4960: truncated and garbage packets, half of them with our ports
   * (so only their checksum or chunks are wrong); the first is a warning,
   * all are counted */
  r = g_rand_new_with_seed (7);
  for (i = 0; i < 50; i++) {
    gsize len = g_rand_int_range (r, 0, sizeof (garbage));
    guint j;

    for (j = 0; j < len; j++)
      garbage[j] = g_rand_int (r);
    if (i % 2 == 0 && len >= 4) {
      /* our ports, so only the checksum or the chunks are wrong */
      garbage[0] = GST_WRTC_SCTP_DEFAULT_PORT >> 8;
      garbage[1] = GST_WRTC_SCTP_DEFAULT_PORT & 0xff;
      garbage[2] = GST_WRTC_SCTP_DEFAULT_PORT >> 8;
      garbage[3] = GST_WRTC_SCTP_DEFAULT_PORT & 0xff;
    }
    rig_inject (&rig, garbage, len);
  }
  g_rand_free (r);
  expected++;

  /* and then the good channel goes on */
  rig_raw_send (&rig, 2, 51, "after", 5);
  o = wait_output (rig.dc, "ok", 2);
  g_mutex_lock (&collector.lock);
  fail_unless_equals_int (o->messages->len, 2);
  check_message (o, 1, "text/plain", "after", 5);
  g_mutex_unlock (&collector.lock);

  /* everything before "after" was reported before it */
  warnings = count_warnings (bus, "max-message-size", &too_large);
  fail_unless_equals_int (warnings, expected);
  fail_unless_equals_int (too_large, 1);
  fail_unless (gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR) == NULL);
  g_object_get (rig.dc, "stats", &stats, NULL);
  t = gst_value_get_structure (gst_structure_get_value (stats,
          "sctp-transport"));
  fail_unless_equals_string (gst_structure_get_string (t, "state"),
      "connected");
  fail_unless (gst_structure_get_uint64 (t, "packetsDiscarded", &discarded));
  fail_unless_equals_int (discarded, 50);
  gst_structure_free (stats);
  fail_unless_equals_int (rig.peer->process_errors, 0);

  rig_clear (&rig);
  gst_object_unref (bus);
}

GST_END_TEST;

/* ------------------------------------------------------------------------
 * Vanishing peers and teardown
 */
#define BULK_SIZE (16 * 1024)

/* pushes BULK_SIZE messages into a sink_%u until a push fails */
typedef struct
{
  GstPad *in;
  gint pushed;                  /* atomic */
  GstFlowReturn last;
  GThread *thread;
} Feeder;

static gpointer
feeder_run (gpointer data)
{
  Feeder *f = data;
  guint8 *buf = g_malloc0 (BULK_SIZE);
  GstFlowReturn ret;

  do {
    ret = gst_pad_push (f->in, gst_buffer_new_memdup (buf, BULK_SIZE));
    if (ret == GST_FLOW_OK)
      g_atomic_int_inc (&f->pushed);
  } while (ret == GST_FLOW_OK);
  f->last = ret;
  g_free (buf);
  return NULL;
}

/* What @dc's channel labelled @label was given so far (stats). */
static guint64
bytes_sent (GstElement * dc, const gchar * label)
{
  GstStructure *stats;
  guint64 sent = 0;
  gint i;

  g_object_get (dc, "stats", &stats, NULL);
  for (i = 0; i < gst_structure_n_fields (stats); i++) {
    const GValue *v = gst_structure_get_value (stats,
        gst_structure_nth_field_name (stats, i));
    const GstStructure *s;

    if (G_VALUE_TYPE (v) != GST_TYPE_STRUCTURE)
      continue;
    s = gst_value_get_structure (v);
    if (gst_structure_has_name (s, "data-channel")
        && !g_strcmp0 (gst_structure_get_string (s, "label"), label))
      fail_unless (gst_structure_get_uint64 (s, "bytesSent", &sent));
  }
  gst_structure_free (stats);
  return sent;
}

/* Waits until the channel labelled @label was given more than @bytes:
 * with @bytes its high mark and nothing acknowledged since the feeder
 * started, the feeder is blocked in sink_%u (within one message). */
static void
wait_bytes_sent (GstElement * dc, const gchar * label, guint64 bytes)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_S * G_TIME_SPAN_SECOND;

  while (bytes_sent (dc, label) <= bytes) {
    fail_unless (g_get_monotonic_time () < deadline, "only %"
        G_GUINT64_FORMAT " bytes went", bytes_sent (dc, label));
    g_usleep (1000);
  }
}

static GstPadProbeReturn
block_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  return GST_PAD_PROBE_OK;
}

static void
link_to_sink (GstElement * dc, GstPad * pad, GstPad * sinkpad)
{
  if (GST_PAD_DIRECTION (pad) == GST_PAD_SRC)
    fail_unless_equals_int (gst_pad_link (pad, sinkpad), GST_PAD_LINK_OK);
}

/* A's sink_0 is fed without end; B's src_0 goes to a fakesink whose pad
 * blocks.  B's receiving stops (its dispatch is blocked downstream), so
 * A's channel fills up and its feeder blocks in sink_0 (backpressure).
 * Then B goes to NULL mid-transfer (its blocked downstream is released
 * by the teardown, its peer vanishes for A) and A goes to NULL with its
 * feeder blocked: both return, the feeder gets FLUSHING. */
GST_START_TEST (test_teardown_blocked)
{
  Pair pair;
  Feeder f = { 0, };
  GstPad *req;
  GstElement *sink;
  GstPad *sinkpad;
  gulong probe;

  pair_init (&pair);
  g_object_set (pair.dca, "buffered-amount-high", (guint64) 4 * BULK_SIZE,
      "buffered-amount-low", (guint64) BULK_SIZE, NULL);
  sink = gst_element_factory_make ("fakesink", "blocked");
  g_object_set (sink, "async", FALSE, "sync", FALSE, NULL);
  gst_bin_add (GST_BIN (pair.b), sink);
  sinkpad = gst_element_get_static_pad (sink, "sink");
  probe = gst_pad_add_probe (sinkpad, GST_PAD_PROBE_TYPE_BLOCK_DOWNSTREAM |
      GST_PAD_PROBE_TYPE_BUFFER, block_probe, NULL, NULL);
  fail_unless (probe != 0);
  g_signal_connect (pair.dcb, "pad-added", G_CALLBACK (link_to_sink), sinkpad);
  f.in = input_new (pair.dca, "application/octet-stream", &req);
  pair_play (&pair);

  /* B acknowledges nothing once its first message blocks */
  f.thread = g_thread_new ("feeder", feeder_run, &f);
  wait_bytes_sent (pair.dca, "sink_0", 4 * BULK_SIZE);

  /* B first: A's queue thread carries into B (the test's wire) */
  fail_unless_equals_int (gst_element_set_state (pair.b, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (gst_element_set_state (pair.a, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  g_thread_join (f.thread);
  fail_unless_equals_int (f.last, GST_FLOW_FLUSHING);

  gst_object_unref (sinkpad);
  input_free (pair.dca, f.in, req);
  pair_clear (&pair);
}

GST_END_TEST;

/* The peer vanishes mid-transfer: both wires cut (no datagram either way
 * any more), A's feeder ends up blocked in sink_0; A goes to NULL and
 * returns, the feeder gets FLUSHING; B, which only stopped hearing, too. */
GST_START_TEST (test_peer_vanishes)
{
  Pair pair;
  Feeder f = { 0, };
  GstPad *req;

  pair_init (&pair);
  g_object_set (pair.dca, "buffered-amount-high", (guint64) 4 * BULK_SIZE,
      "buffered-amount-low", (guint64) BULK_SIZE, NULL);
  g_signal_connect (pair.dcb, "pad-added", G_CALLBACK (on_pad_added), NULL);
  wire_impair (pair.wires[0], 1, 0, 0, 0);
  wire_impair (pair.wires[1], 2, 0, 0, 0);
  f.in = input_new (pair.dca, "application/octet-stream", &req);
  pair_play (&pair);

  /* a transfer is on: B has the first message */
  push_bytes (f.in, "first", 5);
  wait_output (pair.dcb, "sink_0", 1);
  wire_impair (pair.wires[0], 0, 100, 0, 0);
  wire_impair (pair.wires[1], 0, 100, 0, 0);
  /* from the cut on, nothing is acknowledged */
  f.thread = g_thread_new ("feeder", feeder_run, &f);
  wait_bytes_sent (pair.dca, "sink_0", 4 * BULK_SIZE);

  fail_unless_equals_int (gst_element_set_state (pair.a, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  g_thread_join (f.thread);
  fail_unless_equals_int (f.last, GST_FLOW_FLUSHING);
  fail_unless_equals_int (gst_element_set_state (pair.b, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);

  input_free (pair.dca, f.in, req);
  pair_clear (&pair);
}

GST_END_TEST;

static Suite *
sctpdatachannel_robust_suite (void)
{
  Suite *s = suite_create ("sctpdatachannel-robust");
  TCase *link = tcase_create ("link");
  TCase *general = tcase_create ("general");

  g_mutex_init (&collector.lock);
  g_cond_init (&collector.cond);
  collector.outputs = g_ptr_array_new_with_free_func ((GDestroyNotify)
      output_free);
  tcase_set_timeout (link, 60);
  tcase_add_test (link, test_impaired_link);
  suite_add_tcase (s, link);
  tcase_set_timeout (general, 60);
  tcase_add_test (general, test_bad_input);
  tcase_add_test (general, test_teardown_blocked);
  tcase_add_test (general, test_peer_vanishes);
  suite_add_tcase (s, general);
  return s;
}

GST_CHECK_MAIN (sctpdatachannel_robust);
