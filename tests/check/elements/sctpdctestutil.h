/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: helpers for the element tests of sctpdatachannel.
 *
 * A Pair is two pipelines, each dtlssrtpdec ! sctpdatachannel !
 * dtlssrtpenc ! queue, whose queues feed the other's decoder through a
 * wire (a pad of the test).  A wire can impair what it carries: drop,
 * duplicate and reorder DTLS datagrams with a fixed-seed generator.  The
 * collector records what every src_%u pad of either element gives: each
 * message with its caps, and the EOS.
 */
#ifndef __SCTPDC_TEST_UTIL_H__
#define __SCTPDC_TEST_UTIL_H__

#include <gst/check/gstcheck.h>
#include <string.h>

/* each test file uses some of these helpers */
#pragma GCC diagnostic ignored "-Wunused-function"

#define WAIT_S 30

typedef struct
{
  GMutex lock;
  GCond cond;
  GPtrArray *outputs;           /* Output */
} Collector;

typedef struct
{
  gchar *pad_name, *label;
  gint id;
  GstPad *sink;                 /* the test's, linked to src_N */
  GPtrArray *messages;          /* GBytes */
  GPtrArray *kinds;             /* caps name of each message */
  gboolean eos;
} Output;

static Collector collector;

static void
output_free (Output * o)
{
  g_free (o->pad_name);
  g_free (o->label);
  gst_pad_set_active (o->sink, FALSE);
  gst_object_unref (o->sink);
  g_ptr_array_unref (o->messages);
  g_ptr_array_unref (o->kinds);
  g_free (o);
}

static GstFlowReturn
out_chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  Output *o = gst_pad_get_element_private (pad);
  GstCaps *caps = gst_pad_get_current_caps (pad);
  GstMapInfo map;

  fail_unless (caps != NULL, "a message without caps");
  gst_buffer_map (buf, &map, GST_MAP_READ);
  g_mutex_lock (&collector.lock);
  g_ptr_array_add (o->messages, g_bytes_new (map.data, map.size));
  g_ptr_array_add (o->kinds,
      g_strdup (gst_structure_get_name (gst_caps_get_structure (caps, 0))));
  g_cond_broadcast (&collector.cond);
  g_mutex_unlock (&collector.lock);
  gst_buffer_unmap (buf, &map);
  gst_buffer_unref (buf);
  gst_caps_unref (caps);
  return GST_FLOW_OK;
}

static gboolean
out_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  Output *o = gst_pad_get_element_private (pad);

  if (GST_EVENT_TYPE (event) == GST_EVENT_EOS) {
    g_mutex_lock (&collector.lock);
    o->eos = TRUE;
    g_cond_broadcast (&collector.cond);
    g_mutex_unlock (&collector.lock);
  }
  return gst_pad_event_default (pad, parent, event);
}

static void
on_pad_added (GstElement * dc, GstPad * pad, gpointer user_data)
{
  Output *o;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  o = g_new0 (Output, 1);
  o->pad_name = g_strdup_printf ("%s.%s", GST_ELEMENT_NAME (dc),
      GST_PAD_NAME (pad));
  g_object_get (pad, "label", &o->label, "id", &o->id, NULL);
  o->messages = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_bytes_unref);
  o->kinds = g_ptr_array_new_with_free_func (g_free);
  o->sink = gst_pad_new ("collect", GST_PAD_SINK);
  gst_pad_set_element_private (o->sink, o);
  gst_pad_set_chain_function (o->sink, out_chain);
  gst_pad_set_event_function (o->sink, out_event);
  gst_pad_set_active (o->sink, TRUE);
  fail_unless_equals_int (gst_pad_link (pad, o->sink), GST_PAD_LINK_OK);
  g_mutex_lock (&collector.lock);
  g_ptr_array_add (collector.outputs, o);
  g_cond_broadcast (&collector.cond);
  g_mutex_unlock (&collector.lock);
}

/* The output of pad @name ("dcb.src_0") once it reached EOS. */
static Output *
wait_eos (const gchar * name)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_S * G_TIME_SPAN_SECOND;
  Output *found = NULL;
  guint i;

  g_mutex_lock (&collector.lock);
  while (!found) {
    for (i = 0; i < collector.outputs->len; i++) {
      Output *o = g_ptr_array_index (collector.outputs, i);
      if (g_str_equal (o->pad_name, name) && o->eos)
        found = o;
    }
    if (!found && !g_cond_wait_until (&collector.cond, &collector.lock,
            deadline))
      break;
  }
  g_mutex_unlock (&collector.lock);
  fail_unless (found != NULL, "%s never reached EOS", name);
  return found;
}

/* A pad of the test feeding request pad sink_%u of @dc. */
static GstPad *
input_new (GstElement * dc, const gchar * caps_str, GstPad ** req)
{
  GstPad *pad = gst_pad_new ("in", GST_PAD_SRC);
  GstSegment seg;
  GstCaps *caps;

  *req = gst_element_request_pad_simple (dc, "sink_%u");
  fail_unless (*req != NULL);
  fail_unless_equals_int (gst_pad_link (pad, *req), GST_PAD_LINK_OK);
  gst_pad_set_active (pad, TRUE);
  fail_unless (gst_pad_push_event (pad, gst_event_new_stream_start ("in")));
  caps = gst_caps_from_string (caps_str);
  fail_unless (gst_pad_push_event (pad, gst_event_new_caps (caps)));
  gst_caps_unref (caps);
  gst_segment_init (&seg, GST_FORMAT_TIME);
  fail_unless (gst_pad_push_event (pad, gst_event_new_segment (&seg)));
  return pad;
}

static void
push_bytes (GstPad * pad, const void *data, gsize len)
{
  GstBuffer *buf = len ? gst_buffer_new_memdup (data, len) : gst_buffer_new ();

  fail_unless_equals_int (gst_pad_push (pad, buf), GST_FLOW_OK);
}

static void
input_free (GstElement * dc, GstPad * pad, GstPad * req)
{
  gst_pad_unlink (pad, req);
  gst_pad_set_active (pad, FALSE);
  gst_object_unref (pad);
  gst_element_release_request_pad (dc, req);
  gst_object_unref (req);
}

static void
check_message (Output * o, guint i, const gchar * kind, const void *data,
    gsize len)
{
  GBytes *b;

  fail_unless (i < o->messages->len, "%s: message %u missing (%u arrived)",
      o->pad_name, i, o->messages->len);
  b = g_ptr_array_index (o->messages, i);
  fail_unless_equals_string (g_ptr_array_index (o->kinds, i), kind);
  fail_unless_equals_uint64 (g_bytes_get_size (b), len);
  fail_unless (len == 0 || memcmp (g_bytes_get_data (b, NULL), data, len) == 0,
      "%s: message %u differs", o->pad_name, i);
}

typedef struct
{
  GstElement *a, *b;            /* one pipeline per side */
  GstElement *dca, *dcb;
  GstPad *wires[2];
} Pair;

/* What a wire does to the DTLS datagrams it carries (wire_impair()). */
typedef struct
{
  GMutex lock;                  /* the fields below */
  GRand *rand;
  guint drop_pct, dup_pct, reorder_pct;
  GstBuffer *held;              /* a datagram reordered behind the next */
  guint carried, dropped, duplicated, reordered;
} Impairment;

static void
impairment_free (Impairment * imp)
{
  if (imp->held)
    gst_buffer_unref (imp->held);
  g_rand_free (imp->rand);
  g_mutex_clear (&imp->lock);
  g_free (imp);
}

/* Sets what @w does from now on, with a generator of @seed made the first
 * time: @drop_pct of the datagrams lost, @dup_pct delivered twice,
 * @reorder_pct held back behind the next one.  100% drop cuts the wire. */
static void
wire_impair (GstPad * w, guint32 seed, guint drop_pct, guint dup_pct,
    guint reorder_pct)
{
  Impairment *imp = g_object_get_data (G_OBJECT (w), "impairment");

  if (!imp) {
    imp = g_new0 (Impairment, 1);
    g_mutex_init (&imp->lock);
    imp->rand = g_rand_new_with_seed (seed);
    g_object_set_data_full (G_OBJECT (w), "impairment", imp,
        (GDestroyNotify) impairment_free);
  }
  g_mutex_lock (&imp->lock);
  imp->drop_pct = drop_pct;
  imp->dup_pct = dup_pct;
  imp->reorder_pct = reorder_pct;
  g_mutex_unlock (&imp->lock);
}

/* What @buf becomes on an impaired wire: 0 to 3 datagrams in @out. */
static guint
impairment_apply (Impairment * imp, GstBuffer * buf, GstBuffer ** out)
{
  guint n = 0;

  g_mutex_lock (&imp->lock);
  imp->carried++;
  if (imp->drop_pct && g_rand_int_range (imp->rand, 0, 100) <
      (gint) imp->drop_pct) {
    imp->dropped++;
    gst_buffer_unref (buf);
  } else if (imp->reorder_pct && !imp->held
      && g_rand_int_range (imp->rand, 0, 100) < (gint) imp->reorder_pct) {
    imp->reordered++;
    imp->held = buf;
  } else {
    if (imp->dup_pct && g_rand_int_range (imp->rand, 0, 100) <
        (gint) imp->dup_pct) {
      imp->duplicated++;
      out[n++] = gst_buffer_copy (buf);
    }
    out[n++] = buf;
  }
  /* the held one goes after the next that passes (or right away once
   * reordering stops) */
  if (imp->held && (n > 0 || !imp->reorder_pct)) {
    out[n++] = imp->held;
    imp->held = NULL;
  }
  g_mutex_unlock (&imp->lock);
  return n;
}

/* The network: what a queue gives is handed to the other pipeline's
 * decoder, through the wire's impairment if it has one; what the decoder
 * refuses (not playing yet) is lost, as a datagram would be, and the
 * queue goes on. */
static GstFlowReturn
wire_chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  GstPad *target = gst_pad_get_element_private (pad);
  GstEvent *ev = gst_pad_get_sticky_event (target, GST_EVENT_STREAM_START, 0);
  Impairment *imp = g_object_get_data (G_OBJECT (pad), "impairment");
  GstBuffer *out[3];
  GstSegment seg;
  guint i, n;

  /* the decoder refused them while it was not active yet */
  if (ev) {
    gst_event_unref (ev);
  } else {
    gst_pad_send_event (target, gst_event_new_stream_start ("wire"));
    gst_segment_init (&seg, GST_FORMAT_TIME);
    gst_pad_send_event (target, gst_event_new_segment (&seg));
  }
  if (imp) {
    n = impairment_apply (imp, buf, out);
  } else {
    out[0] = buf;
    n = 1;
  }
  for (i = 0; i < n; i++)
    gst_pad_chain (target, out[i]);
  return GST_FLOW_OK;
}

static gboolean
wire_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  gst_pad_send_event (gst_pad_get_element_private (pad), event);
  return TRUE;
}

static gboolean
wire_query (GstPad * pad, GstObject * parent, GstQuery * query)
{
  return FALSE;
}

/* Links @from's "q" to @to's "d" (the other pipeline's decoder). */
static GstPad *
wire (GstElement * from, GstElement * to)
{
  GstElement *q = gst_bin_get_by_name (GST_BIN (from), "q");
  GstElement *d = gst_bin_get_by_name (GST_BIN (to), "d");
  GstPad *src = gst_element_get_static_pad (q, "src");
  GstPad *w = gst_pad_new ("wire", GST_PAD_SINK);

  /* the decoder's sink pad, held by the wire until wire_free() */
  gst_pad_set_element_private (w, gst_element_get_static_pad (d, "sink"));
  gst_pad_set_chain_function (w, wire_chain);
  gst_pad_set_event_function (w, wire_event);
  gst_pad_set_query_function (w, wire_query);
  gst_pad_set_active (w, TRUE);
  fail_unless_equals_int (gst_pad_link (src, w), GST_PAD_LINK_OK);
  gst_object_unref (src);
  gst_object_unref (q);
  gst_object_unref (d);
  return w;
}

static void
wire_free (GstPad * w)
{
  gst_pad_set_active (w, FALSE);
  gst_object_unref (gst_pad_get_element_private (w));
  gst_object_unref (w);
}

static GstElement *
make_side (const gchar * name, guint n, gboolean is_client)
{
  gchar *desc;
  GstElement *p;

  desc = g_strdup_printf ("dtlssrtpdec name=d connection-id=%s%u "
      "d.data_src ! dc%s.sink sctpdatachannel name=dc%s is-client=%d ! "
      "e.data_sink dtlssrtpenc name=e connection-id=%s%u is-client=%d ! "
      "queue name=q", name, n, name, name, is_client, name, n, is_client);
  p = gst_parse_launch (desc, NULL);
  g_free (desc);
  fail_unless (p != NULL);
  return p;
}

static void
pair_init (Pair * p)
{
  static guint n;

  n++;
  p->a = make_side ("a", n, TRUE);
  p->b = make_side ("b", n, FALSE);
  p->wires[0] = wire (p->a, p->b);
  p->wires[1] = wire (p->b, p->a);
  p->dca = gst_bin_get_by_name (GST_BIN (p->a), "dca");
  p->dcb = gst_bin_get_by_name (GST_BIN (p->b), "dcb");
}

static void
pair_play (Pair * p)
{
  fail_unless (gst_element_set_state (p->a, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless (gst_element_set_state (p->b, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
}

static void
pair_stop (Pair * p)
{
  fail_unless_equals_int (gst_element_set_state (p->a, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (gst_element_set_state (p->b, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
}

static void
pair_clear (Pair * p)
{
  g_ptr_array_set_size (collector.outputs, 0);
  wire_free (p->wires[0]);
  wire_free (p->wires[1]);
  gst_object_unref (p->dca);
  gst_object_unref (p->dcb);
  gst_object_unref (p->a);
  gst_object_unref (p->b);
}

#endif
