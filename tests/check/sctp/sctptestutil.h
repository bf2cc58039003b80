/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: helpers for the tests of the SCTP stage.
 *
 * A TestPeer is one GstWrtcSctpAssociation, with a GstWrtcSctpChannels on
 * top or (raw) with the test's own receive callbacks.  What it sends goes
 * into a Link: an async queue that a pump thread of its own empties into
 * the other peer's process(), after an impairment that can drop, duplicate
 * and reorder packets with a fixed-seed generator.  Everything the
 * callbacks see is recorded under the peer's lock and waited for with a
 * deadline, never a sleep.
 *
 * Callbacks find their peer through an owner GObject (qdata), so a
 * callback that is still running when the test ends keeps what it uses
 * alive.
 */
#ifndef __SCTP_TEST_UTIL_H__
#define __SCTP_TEST_UTIL_H__

#include <string.h>
#include <gst/check/gstcheck.h>

#include "gstwrtcsctpassociation.h"
#include "gstwrtcsctpchannels.h"

/* each test file uses some of these helpers */
#pragma GCC diagnostic ignored "-Wunused-function"

#define TEST_WAIT_MS 30000

typedef struct _TestPeer TestPeer;

typedef struct
{
  guint16 id;
  guint32 ppid;                 /* raw peers */
  gboolean is_string;           /* channel peers */
  GBytes *data;
} TestMessage;

typedef struct
{
  GMutex lock;                  /* the fields below */
  GRand *rand;
  guint drop_pct, dup_pct, reorder_pct;
  GBytes *held;                 /* a packet reordered behind the next */
  guint pushed, dropped;
  GPtrArray *captured;          /* the last packets sent, GBytes */

  GAsyncQueue *queue;
  GThread *thread;
  GstWrtcSctpAssociation *dst;
  TestPeer *dst_peer;
} TestLink;

struct _TestPeer
{
  GObject *owner;               /* qdata "peer" points here */
  GstWrtcSctpAssociation *assoc;
  GstWrtcSctpChannels *chans;
  TestLink link;                /* what we send */

  GMutex lock;
  GCond cond;
  GArray *states;               /* GstWrtcSctpAssociationState */
  GPtrArray *messages;          /* TestMessage */
  GArray *opened;               /* guint16 id (our channels) */
  GArray *opened_remote;        /* guint16 id (the peer's) */
  GArray *closed;               /* guint16 id */
  GArray *low;                  /* guint16 id */
  GArray *resets;               /* guint32: id | incoming << 16 (raw) */
  GPtrArray *errors;            /* gchar *, channel errors */
  guint process_errors;         /* process() of what the peer sent */
};

static guint8 link_stop_marker;

static TestPeer *
peer_of (GObject * owner)
{
  return g_object_get_data (owner, "peer");
}

static void
test_message_free (TestMessage * m)
{
  g_bytes_unref (m->data);
  g_free (m);
}

static void
record_message (TestPeer * p, guint16 id, guint32 ppid, gboolean is_string,
    const guint8 * data, gsize len)
{
  TestMessage *m = g_new0 (TestMessage, 1);

  m->id = id;
  m->ppid = ppid;
  m->is_string = is_string;
  m->data = g_bytes_new (data, len);
  g_mutex_lock (&p->lock);
  g_ptr_array_add (p->messages, m);
  g_cond_broadcast (&p->cond);
  g_mutex_unlock (&p->lock);
}

static void
record_id (TestPeer * p, GArray * array, guint16 id)
{
  g_mutex_lock (&p->lock);
  g_array_append_val (array, id);
  g_cond_broadcast (&p->cond);
  g_mutex_unlock (&p->lock);
}

/* ------------------------------------------------------------------------
 * The link
 */
static void
link_push_locked (TestLink * l, GBytes * b)
{
  g_async_queue_push (l->queue, g_bytes_ref (b));
  l->pushed++;
}

/* the association's send callback */
static void
link_send (const guint8 * data, gsize len, GObject * owner)
{
  TestPeer *p = peer_of (owner);
  TestLink *l = &p->link;
  GBytes *b = g_bytes_new (data, len);

  g_mutex_lock (&l->lock);
  g_ptr_array_add (l->captured, g_bytes_ref (b));
  if (l->captured->len > 64)
    g_ptr_array_remove_index (l->captured, 0);
  if (l->drop_pct && g_rand_int_range (l->rand, 0, 100) < (gint) l->drop_pct) {
    l->dropped++;
  } else if (l->reorder_pct && !l->held
      && g_rand_int_range (l->rand, 0, 100) < (gint) l->reorder_pct) {
    l->held = g_bytes_ref (b);
  } else {
    link_push_locked (l, b);
    if (l->dup_pct && g_rand_int_range (l->rand, 0, 100) < (gint) l->dup_pct)
      link_push_locked (l, b);
    if (l->held) {
      link_push_locked (l, l->held);
      g_clear_pointer (&l->held, g_bytes_unref);
    }
  }
  g_mutex_unlock (&l->lock);
  g_bytes_unref (b);
}

static gpointer
link_pump (gpointer data)
{
  TestLink *l = data;

  for (;;) {
    gpointer item = g_async_queue_pop (l->queue);
    GError *err = NULL;
    gsize len;
    const guint8 *bytes;

    if (item == &link_stop_marker)
      break;
    bytes = g_bytes_get_data (item, &len);
    if (!gst_wrtc_sctp_association_process (l->dst, bytes, len, &err)) {
      GST_WARNING ("process failed: %s", err->message);
      g_mutex_lock (&l->dst_peer->lock);
      l->dst_peer->process_errors++;
      g_mutex_unlock (&l->dst_peer->lock);
      g_clear_error (&err);
    }
    g_bytes_unref (item);
  }
  return NULL;
}

static void
link_set_impairment (TestPeer * p, guint drop_pct, guint dup_pct,
    guint reorder_pct)
{
  TestLink *l = &p->link;

  g_mutex_lock (&l->lock);
  l->drop_pct = drop_pct;
  l->dup_pct = dup_pct;
  l->reorder_pct = reorder_pct;
  if (!reorder_pct && l->held) {
    link_push_locked (l, l->held);
    g_clear_pointer (&l->held, g_bytes_unref);
  }
  g_mutex_unlock (&l->lock);
}

/* ------------------------------------------------------------------------
 * Callbacks
 */
static void
on_state_changed (GstWrtcSctpAssociation * assoc,
    GstWrtcSctpAssociationState state, GObject * owner)
{
  TestPeer *p = peer_of (owner);

  g_mutex_lock (&p->lock);
  g_array_append_val (p->states, state);
  g_cond_broadcast (&p->cond);
  g_mutex_unlock (&p->lock);
}

static void
raw_receive (guint16 sid, guint32 ppid, const guint8 * data, gsize len,
    GObject * owner)
{
  record_message (peer_of (owner), sid, ppid, FALSE, data, len);
}

static void
raw_reset (guint16 sid, gboolean incoming, gboolean failed, GObject * owner)
{
  TestPeer *p = peer_of (owner);
  guint32 v = sid | (incoming ? 1u << 16 : 0) | (failed ? 1u << 17 : 0);

  g_mutex_lock (&p->lock);
  g_array_append_val (p->resets, v);
  g_cond_broadcast (&p->cond);
  g_mutex_unlock (&p->lock);
}

static void
raw_low (guint16 sid, GObject * owner)
{
  TestPeer *p = peer_of (owner);
  record_id (p, p->low, sid);
}

/* errors of both kinds of peers go to `errors` */
static void chan_error (guint16 id, const GError * error, GObject * owner);

static void
raw_error (guint16 sid, const GError * error, GObject * owner)
{
  chan_error (sid, error, owner);
}

static void
chan_open (guint16 id, gboolean remote, GObject * owner)
{
  TestPeer *p = peer_of (owner);
  record_id (p, remote ? p->opened_remote : p->opened, id);
}

static void
chan_message (guint16 id, gboolean is_string, const guint8 * data, gsize len,
    GObject * owner)
{
  record_message (peer_of (owner), id, 0, is_string, data, len);
}

static void
chan_closed (guint16 id, GObject * owner)
{
  TestPeer *p = peer_of (owner);
  record_id (p, p->closed, id);
}

static void
chan_low (guint16 id, GObject * owner)
{
  TestPeer *p = peer_of (owner);
  record_id (p, p->low, id);
}

static void
chan_error (guint16 id, const GError * error, GObject * owner)
{
  TestPeer *p = peer_of (owner);

  g_mutex_lock (&p->lock);
  g_ptr_array_add (p->errors, g_strdup (error->message));
  g_cond_broadcast (&p->cond);
  g_mutex_unlock (&p->lock);
}

/* ------------------------------------------------------------------------
 * Peers
 */
static void
peer_records_free (TestPeer * p)
{
  TestLink *l = &p->link;
  gpointer item;

  while ((item = g_async_queue_try_pop (l->queue)))
    if (item != &link_stop_marker)
      g_bytes_unref (item);
  g_async_queue_unref (l->queue);
  if (l->held)
    g_bytes_unref (l->held);
  g_ptr_array_unref (l->captured);
  g_rand_free (l->rand);
  g_mutex_clear (&l->lock);
  g_array_unref (p->states);
  g_ptr_array_unref (p->messages);
  g_array_unref (p->opened);
  g_array_unref (p->opened_remote);
  g_array_unref (p->closed);
  g_array_unref (p->low);
  g_array_unref (p->resets);
  g_ptr_array_unref (p->errors);
  g_mutex_clear (&p->lock);
  g_cond_clear (&p->cond);
  g_free (p);
}

static TestPeer *
peer_new (gboolean is_client, gboolean raw, guint32 seed)
{
  static const GstWrtcSctpReceiveFuncs raw_funcs = {
    .receive = raw_receive,
    .stream_reset = raw_reset,
    .buffered_amount_low = raw_low,
    .error = raw_error,
  };
  static const GstWrtcSctpChannelsFuncs chan_funcs = {
    .channel_open = chan_open,
    .message = chan_message,
    .channel_closed = chan_closed,
    .buffered_amount_low = chan_low,
    .error = chan_error,
  };
  TestPeer *p = g_new0 (TestPeer, 1);

  g_mutex_init (&p->lock);
  g_cond_init (&p->cond);
  p->states = g_array_new (FALSE, FALSE, sizeof (GstWrtcSctpAssociationState));
  p->messages = g_ptr_array_new_with_free_func ((GDestroyNotify)
      test_message_free);
  p->opened = g_array_new (FALSE, FALSE, sizeof (guint16));
  p->opened_remote = g_array_new (FALSE, FALSE, sizeof (guint16));
  p->closed = g_array_new (FALSE, FALSE, sizeof (guint16));
  p->low = g_array_new (FALSE, FALSE, sizeof (guint16));
  p->resets = g_array_new (FALSE, FALSE, sizeof (guint32));
  p->errors = g_ptr_array_new_with_free_func (g_free);
  g_mutex_init (&p->link.lock);
  p->link.rand = g_rand_new_with_seed (seed);
  p->link.queue = g_async_queue_new ();
  p->link.captured = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_bytes_unref);

  p->owner = g_object_new (G_TYPE_OBJECT, NULL);
  g_object_set_data_full (p->owner, "peer", p,
      (GDestroyNotify) peer_records_free);

  p->assoc = gst_wrtc_sctp_association_new (GST_WRTC_SCTP_DEFAULT_PORT,
      GST_WRTC_SCTP_DEFAULT_PORT, is_client);
  gst_wrtc_sctp_association_set_send_func (p->assoc, link_send, p->owner);
  g_signal_connect_object (p->assoc, "state-changed",
      G_CALLBACK (on_state_changed), p->owner, 0);
  if (raw) {
    gst_wrtc_sctp_association_set_receive_funcs (p->assoc, &raw_funcs,
        p->owner);
  } else {
    p->chans = gst_wrtc_sctp_channels_new (p->assoc);
    gst_wrtc_sctp_channels_set_funcs (p->chans, &chan_funcs, p->owner);
  }
  return p;
}

/* Waits until @cond holds, checked under the peer's lock whenever a
 * callback records something (and every 10 ms for state that is only
 * polled).  FALSE on the deadline. */
typedef gboolean (*TestCond) (TestPeer * p, gpointer data);

static gboolean
peer_wait (TestPeer * p, TestCond cond, gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + TEST_WAIT_MS * 1000;
  gboolean ok;

  g_mutex_lock (&p->lock);
  while (!(ok = cond (p, data))) {
    gint64 now = g_get_monotonic_time ();
    if (now >= deadline)
      break;
    g_cond_wait_until (&p->cond, &p->lock, MIN (deadline, now + 10000));
  }
  g_mutex_unlock (&p->lock);
  return ok;
}

static gboolean
cond_state (TestPeer * p, gpointer data)
{
  return gst_wrtc_sctp_association_get_state (p->assoc) ==
      (GstWrtcSctpAssociationState) GPOINTER_TO_INT (data);
}

static gboolean
cond_n_messages (TestPeer * p, gpointer data)
{
  return p->messages->len >= GPOINTER_TO_UINT (data);
}

static gboolean
array_has (GArray * a, guint16 id)
{
  guint i;

  for (i = 0; i < a->len; i++)
    if (g_array_index (a, guint16, i) == id)
      return TRUE;
  return FALSE;
}

static gboolean
cond_opened (TestPeer * p, gpointer data)
{
  return array_has (p->opened, GPOINTER_TO_UINT (data));
}

static gboolean
cond_opened_remote (TestPeer * p, gpointer data)
{
  return array_has (p->opened_remote, GPOINTER_TO_UINT (data));
}

static gboolean
cond_closed (TestPeer * p, gpointer data)
{
  return array_has (p->closed, GPOINTER_TO_UINT (data));
}

static gboolean
cond_low (TestPeer * p, gpointer data)
{
  return array_has (p->low, GPOINTER_TO_UINT (data));
}

static gboolean
cond_n_errors (TestPeer * p, gpointer data)
{
  return p->errors->len >= GPOINTER_TO_UINT (data);
}

#define WAIT_STATE(p, s) \
  fail_unless (peer_wait (p, cond_state, GINT_TO_POINTER (s)), \
      "state %s never reached (is %s)", \
      gst_wrtc_sctp_association_state_name (s), \
      gst_wrtc_sctp_association_state_name ( \
          gst_wrtc_sctp_association_get_state ((p)->assoc)))

static TestMessage *
peer_message (TestPeer * p, guint i)
{
  TestMessage *m;

  g_mutex_lock (&p->lock);
  fail_unless (i < p->messages->len);
  m = g_ptr_array_index (p->messages, i);
  g_mutex_unlock (&p->lock);
  return m;
}

/* ------------------------------------------------------------------------
 * Pairs: a is the DTLS client, b the server
 */
typedef struct
{
  TestPeer *a, *b;
} TestPair;

static void
pair_link (TestPeer * from, TestPeer * to)
{
  from->link.dst = g_object_ref (to->assoc);
  from->link.dst_peer = to;
  from->link.thread = g_thread_new ("sctp-test-link", link_pump, &from->link);
}

static TestPair *
pair_new (gboolean raw_a, gboolean raw_b)
{
  TestPair *pair = g_new0 (TestPair, 1);

  pair->a = peer_new (TRUE, raw_a, 0x1234);
  pair->b = peer_new (FALSE, raw_b, 0x5678);
  pair_link (pair->a, pair->b);
  pair_link (pair->b, pair->a);
  /* as the SDP would tell each (RFC 8841) */
  gst_wrtc_sctp_association_set_remote_max_message_size (pair->a->assoc,
      gst_wrtc_sctp_association_get_local_max_message_size (pair->b->assoc));
  gst_wrtc_sctp_association_set_remote_max_message_size (pair->b->assoc,
      gst_wrtc_sctp_association_get_local_max_message_size (pair->a->assoc));
  return pair;
}

static void
pair_start (TestPair * pair)
{
  GError *err = NULL;

  fail_unless (gst_wrtc_sctp_association_start (pair->a->assoc, &err));
  g_assert_no_error (err);
  fail_unless (gst_wrtc_sctp_association_start (pair->b->assoc, &err));
  g_assert_no_error (err);
}

static TestPair *
pair_new_connected (gboolean raw_a, gboolean raw_b)
{
  TestPair *pair = pair_new (raw_a, raw_b);

  pair_start (pair);
  WAIT_STATE (pair->a, GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTED);
  WAIT_STATE (pair->b, GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTED);
  return pair;
}

static void
link_stop (TestLink * l)
{
  if (!l->thread)
    return;
  g_async_queue_push (l->queue, &link_stop_marker);
  g_thread_join (l->thread);
  l->thread = NULL;
  g_clear_object (&l->dst);
}

/* Waits until @obj is finalized (the timer thread may hold it a moment),
 * so each test ends with usrsctp released. */
static void
unref_and_wait (gpointer obj)
{
  GWeakRef ref;
  gint64 deadline = g_get_monotonic_time () + TEST_WAIT_MS * 1000;
  GObject *o;

  g_weak_ref_init (&ref, obj);
  g_object_unref (obj);
  while ((o = g_weak_ref_get (&ref))) {
    g_object_unref (o);
    fail_unless (g_get_monotonic_time () < deadline, "object never freed");
    g_usleep (1000);
  }
  g_weak_ref_clear (&ref);
}

static void
peer_free (TestPeer * p)
{
  GObject *owner = p->owner;

  if (p->chans)
    unref_and_wait (p->chans);
  unref_and_wait (p->assoc);
  /* frees the records once no callback uses them */
  g_object_unref (owner);
}

static void
pair_free (TestPair * pair)
{
  link_stop (&pair->a->link);
  link_stop (&pair->b->link);
  peer_free (pair->a);
  peer_free (pair->b);
  g_free (pair);
}

/* ------------------------------------------------------------------------
 * Channels
 */
static void
open_channel (TestPeer * from, TestPeer * to, const gchar * label,
    GstWrtcSctpChannelOptions * opts, guint16 * id)
{
  GstWrtcSctpChannelOptions defaults;
  GError *err = NULL;

  if (!opts) {
    gst_wrtc_sctp_channel_options_init (&defaults);
    opts = &defaults;
  }
  opts->label = label;
  fail_unless (gst_wrtc_sctp_channels_open (from->chans, opts, id, &err));
  g_assert_no_error (err);
  fail_unless (peer_wait (from, cond_opened, GUINT_TO_POINTER (*id)));
  fail_unless (peer_wait (to, cond_opened_remote, GUINT_TO_POINTER (*id)));
}

static void
send_ok (TestPeer * p, guint16 id, gboolean is_string, const gchar * data,
    gsize len)
{
  GError *err = NULL;

  fail_unless (gst_wrtc_sctp_channels_send (p->chans, id, is_string,
          (const guint8 *) data, len, &err));
  g_assert_no_error (err);
}

static void
assert_message (TestMessage * m, guint16 id, gboolean is_string,
    const gchar * data, gsize len)
{
  fail_unless_equals_int (m->id, id);
  fail_unless_equals_int (m->is_string, is_string);
  fail_unless_equals_int (g_bytes_get_size (m->data), len);
  fail_unless (len == 0
      || memcmp (g_bytes_get_data (m->data, NULL), data, len) == 0);
}

#endif
