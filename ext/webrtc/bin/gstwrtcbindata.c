/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: a bin's data channels (see the header). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/app/gstappsrc.h>
#include "gstwrtcbindata.h"
#include "gstwrtcsctpdcobject.h"
#include "gstwrtcsctpdcpad.h"

GST_DEBUG_CATEGORY_STATIC (gst_wrtc_bin_data_debug);
#define GST_CAT_DEFAULT gst_wrtc_bin_data_debug

/* a channel's in-flight bytes that wake its queue again */
#define DATA_LOW (GST_WRTC_BIN_DATA_HIGH / 4)
/* what an appsrc holds before the peer's dispatch waits for downstream */
#define SRC_MAX_BYTES (4 * 1024 * 1024)

/* ------------------------------------------------------------------------
 * Pads
 */
struct _GstWrtcBinDataPad
{
  GstGhostPad parent;
  GstWrtcBinData *data;         /* not a ref; NULL once released */
  /* object lock; sink pads: set before the stream starts; src pads: the
   * channel's */
  GstWrtcSctpDcPadChannel ch;
  gboolean is_string;           /* sink: the caps say strings */
  gchar *peer_id;               /* src */
};

#define PAD_PROP_PEER_ID GST_WRTC_SCTP_DC_PROP_LAST

G_DEFINE_TYPE (GstWrtcBinDataPad, gst_wrtc_bin_data_pad, GST_TYPE_GHOST_PAD);

static void
gst_wrtc_bin_data_pad_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstWrtcBinDataPad *pad = GST_WRTC_BIN_DATA_PAD (object);
  gboolean ok;

  if (GST_PAD_IS_SRC (pad)) {
    GST_WARNING_OBJECT (pad, "'%s' describes the peer's channel: read-only",
        pspec->name);
    return;
  }
  GST_OBJECT_LOCK (pad);
  ok = gst_wrtc_sctp_dc_pad_channel_set (&pad->ch, prop_id, value);
  GST_OBJECT_UNLOCK (pad);
  if (!ok)
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
gst_wrtc_bin_data_pad_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstWrtcBinDataPad *pad = GST_WRTC_BIN_DATA_PAD (object);
  gboolean ok = TRUE;

  GST_OBJECT_LOCK (pad);
  if (prop_id == PAD_PROP_PEER_ID)
    g_value_set_string (value, pad->peer_id);
  else
    ok = gst_wrtc_sctp_dc_pad_channel_get (&pad->ch, prop_id, value,
        GST_PAD_NAME (pad));
  GST_OBJECT_UNLOCK (pad);
  if (!ok)
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
gst_wrtc_bin_data_pad_finalize (GObject * object)
{
  GstWrtcBinDataPad *pad = GST_WRTC_BIN_DATA_PAD (object);

  gst_wrtc_sctp_dc_pad_channel_clear (&pad->ch);
  g_free (pad->peer_id);
  G_OBJECT_CLASS (gst_wrtc_bin_data_pad_parent_class)->finalize (object);
}

static void
gst_wrtc_bin_data_pad_class_init (GstWrtcBinDataPadClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->set_property = gst_wrtc_bin_data_pad_set_property;
  gobject_class->get_property = gst_wrtc_bin_data_pad_get_property;
  gobject_class->finalize = gst_wrtc_bin_data_pad_finalize;

  /* sctpdatachannel's sink_%u properties: the channel a sink pad opens
   * (read-only on src pads: the peer's channel) */
  gst_wrtc_sctp_dc_pad_channel_install (gobject_class, TRUE);
  g_object_class_install_property (gobject_class, PAD_PROP_PEER_ID,
      g_param_spec_string ("peer-id", "Peer id",
          "Src pads: the session (viewer, publisher) whose channel this is",
          NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}

static void
gst_wrtc_bin_data_pad_init (GstWrtcBinDataPad * pad)
{
  gst_wrtc_sctp_dc_pad_channel_init (&pad->ch);
}

/* ------------------------------------------------------------------------
 * Channels and peers
 */
typedef struct
{
  GBytes *bytes;
  gboolean is_string;
} Queued;

typedef struct
{
  GstWrtcSctpDcRecord r;        /* the stats */
  GstWebRTCDataChannel *object; /* a channel the peer opened */
  GstWrtcBinDataPad *sinkpad;   /* ours: its pad (a ref) */
  gboolean close_when_sent;     /* EOS came: close once the queue is out */
  GQueue queue;                 /* Queued: waiting for the channel */
  gsize queued_bytes;
  GstElement *appsrc;           /* src pads: a ref */
  GstPad *srcpad;               /* a ref */
  gint kind;                    /* caps set: -1 none, 0 binary, 1 string */
} Entry;

static void
queued_free (Queued * q)
{
  g_bytes_unref (q->bytes);
  g_free (q);
}

static void
entry_free (Entry * e)
{
  gst_wrtc_sctp_dc_record_clear (&e->r);
  g_clear_object (&e->object);
  gst_clear_object (&e->sinkpad);
  g_queue_clear_full (&e->queue, (GDestroyNotify) queued_free);
  gst_clear_object (&e->appsrc);
  gst_clear_object (&e->srcpad);
  g_free (e);
}

/* One peer: the owner its channel table's functions get (held weakly). */
#define DATA_TYPE_PEER (data_peer_get_type ())
G_DECLARE_FINAL_TYPE (DataPeer, data_peer, DATA, PEER, GObject);

struct _DataPeer
{
  GObject parent;
  GstWrtcBinData *data;         /* a ref, dropped when removed */
  gchar *id;
  GstWrtcSctpChannels *chans;
  GHashTable *entries;          /* stream id -> Entry (data lock) */
  GList *closed;                /* Entry whose id was reused, for stats */
};

G_DEFINE_TYPE (DataPeer, data_peer, G_TYPE_OBJECT);

static void
data_peer_finalize (GObject * object)
{
  DataPeer *dp = DATA_PEER (object);

  g_free (dp->id);
  g_clear_object (&dp->chans);
  g_hash_table_unref (dp->entries);
  g_list_free_full (dp->closed, (GDestroyNotify) entry_free);
  g_clear_object (&dp->data);
  G_OBJECT_CLASS (data_peer_parent_class)->finalize (object);
}

static void
data_peer_class_init (DataPeerClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = data_peer_finalize;
}

static void
data_peer_init (DataPeer * dp)
{
  dp->entries = g_hash_table_new_full (NULL, NULL, NULL,
      (GDestroyNotify) entry_free);
}

struct _GstWrtcBinData
{
  GObject parent;
  GstElement *bin;              /* not a ref */
  GstPadTemplate *src_templ;    /* a ref, or NULL */
  GRecMutex lock;               /* everything below and the entries */
  GHashTable *peers;            /* id -> DataPeer */
  GPtrArray *sinkpads;          /* GstWrtcBinDataPad */
  guint next_src;
  GstWrtcBinDataChannelFunc func;
  gpointer func_data;
};

G_DEFINE_TYPE (GstWrtcBinData, gst_wrtc_bin_data, G_TYPE_OBJECT);

/* The entry of @id, a new one when @id has none or a closed one (its
 * stream id was reused: the old one stays for the stats).  Lock. */
static Entry *
entry_get_locked (DataPeer * dp, guint16 id, gboolean remote)
{
  Entry *e = g_hash_table_lookup (dp->entries, GUINT_TO_POINTER (id));

  if (e && e->r.state != GST_WRTC_SCTP_CHANNEL_STATE_CLOSED)
    return e;
  if (e) {
    g_hash_table_steal (dp->entries, GUINT_TO_POINTER (id));
    dp->closed = g_list_prepend (dp->closed, e);
  }
  e = g_new0 (Entry, 1);
  gst_wrtc_sctp_dc_record_init (&e->r, dp->chans, id, remote);
  e->r.state = GST_WRTC_SCTP_CHANNEL_STATE_CONNECTING;
  e->kind = -1;
  g_queue_init (&e->queue);
  g_hash_table_insert (dp->entries, GUINT_TO_POINTER (id), e);
  return e;
}

static Entry *
entry_lookup_locked (DataPeer * dp, guint16 id)
{
  return g_hash_table_lookup (dp->entries, GUINT_TO_POINTER (id));
}

/* Sends what waits on @e while the channel takes it.  Lock. */
static void
entry_flush_locked (DataPeer * dp, Entry * e)
{
  GError *err = NULL;
  Queued *q;

  if (e->r.state != GST_WRTC_SCTP_CHANNEL_STATE_OPEN)
    return;
  while ((q = g_queue_peek_head (&e->queue))
      && gst_wrtc_sctp_channels_get_buffered_amount (dp->chans, e->r.id) <
      GST_WRTC_BIN_DATA_HIGH) {
    gsize len;
    const guint8 *bytes = g_bytes_get_data (q->bytes, &len);

    g_queue_pop_head (&e->queue);
    e->queued_bytes -= len;
    if (gst_wrtc_sctp_channels_send (dp->chans, e->r.id, q->is_string, bytes,
            len, &err)) {
      e->r.messages_sent++;
      e->r.bytes_sent += len;
    } else {
      /* too large for this peer (RFC 8841 section 6.1): its loss alone */
      GST_ELEMENT_WARNING (dp->data->bin, RESOURCE, WRITE,
          ("A message was not sent on data channel '%s'", e->r.label),
          ("peer %s: %s", dp->id, err->message));
      e->r.messages_dropped++;
      g_clear_error (&err);
    }
    queued_free (q);
  }
  if (e->close_when_sent && g_queue_is_empty (&e->queue)) {
    e->close_when_sent = FALSE;
    /* RFC 8831 section 6.7 */
    if (!gst_wrtc_sctp_channels_close (dp->chans, e->r.id, &err)) {
      GST_DEBUG_OBJECT (dp->data->bin, "channel %u: %s", e->r.id, err->message);
      g_clear_error (&err);
    }
  }
}

/* Queues one message on @e, dropping the oldest past the backlog, and
 * sends what the channel takes.  Lock. */
static void
entry_send_locked (DataPeer * dp, Entry * e, GBytes * bytes, gboolean is_string)
{
  Queued *q = g_new (Queued, 1);

  q->bytes = g_bytes_ref (bytes);
  q->is_string = is_string;
  g_queue_push_tail (&e->queue, q);
  e->queued_bytes += g_bytes_get_size (bytes);
  while (e->queued_bytes > GST_WRTC_BIN_DATA_BACKLOG
      && g_queue_get_length (&e->queue) > 1) {
    Queued *old = g_queue_pop_head (&e->queue);
    e->queued_bytes -= g_bytes_get_size (old->bytes);
    e->r.messages_dropped++;
    queued_free (old);
  }
  entry_flush_locked (dp, e);
}

/* Opens the channel of @pad on @dp.  Lock. */
static void
open_pad_locked (DataPeer * dp, GstWrtcBinDataPad * pad)
{
  GstWrtcSctpChannelOptions opts;
  GHashTableIter iter;
  gpointer value;
  GError *err = NULL;
  gchar *label, *protocol;
  guint16 id;
  Entry *e;

  g_hash_table_iter_init (&iter, dp->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((Entry *) value)->sinkpad == pad)
      return;
  GST_OBJECT_LOCK (pad);
  gst_wrtc_sctp_dc_pad_channel_to_options (&pad->ch, GST_PAD_NAME (pad), &opts);
  /* the strings outlive the lock */
  opts.label = label = g_strdup (opts.label);
  opts.protocol = protocol = g_strdup (opts.protocol);
  GST_OBJECT_UNLOCK (pad);
  if (!gst_wrtc_sctp_channels_open (dp->chans, &opts, &id, &err)) {
    GST_ELEMENT_WARNING (dp->data->bin, RESOURCE, WRITE,
        ("Cannot open data channel '%s'", label), ("peer %s: %s", dp->id,
            err->message));
    g_clear_error (&err);
  } else {
    e = entry_get_locked (dp, id, FALSE);
    if (!e->sinkpad)
      e->sinkpad = gst_object_ref (pad);
    gst_wrtc_sctp_channels_set_buffered_amount_low_threshold (dp->chans, id,
        DATA_LOW);
    GST_INFO_OBJECT (dp->data->bin, "peer %s: channel %u '%s' for %s",
        dp->id, id, label, GST_PAD_NAME (pad));
  }
  g_free (label);
  g_free (protocol);
}

/* A src pad nobody linked drops its messages: an application that does
 * not want a peer's channel must not fail for it. */
static GstFlowReturn
src_internal_chain (GstPad * internal, GstObject * parent, GstBuffer * buf)
{
  GstFlowReturn ret = gst_proxy_pad_chain_default (internal, parent, buf);

  return ret == GST_FLOW_NOT_LINKED ? GST_FLOW_OK : ret;
}

/* The src pad of @e (webrtcsrc): an appsrc in the bin and a ghost pad
 * data_%u.  The dispatch thread, no lock: dispatch is one thread at a
 * time, so no other thread makes one for the same channel. */
static void
ensure_src_pad (DataPeer * dp, guint16 id)
{
  GstWrtcBinData *data = dp->data;
  GstWrtcSctpChannelInfo info;
  GstWrtcBinDataPad *pad;
  GstElement *appsrc;
  GstPad *target, *internal;
  gchar *name;
  Entry *e;

  g_rec_mutex_lock (&data->lock);
  e = entry_lookup_locked (dp, id);
  if (!data->src_templ || !e || e->appsrc) {
    g_rec_mutex_unlock (&data->lock);
    return;
  }
  name = g_strdup_printf ("data_%u", data->next_src++);
  appsrc = gst_element_factory_make ("appsrc", NULL);
  g_object_set (appsrc, "is-live", TRUE, "format", GST_FORMAT_TIME,
      "block", TRUE, "max-bytes", (guint64) SRC_MAX_BYTES, NULL);
  target = gst_element_get_static_pad (appsrc, "src");
  pad = g_object_new (GST_WRTC_TYPE_BIN_DATA_PAD, "name", name,
      "direction", GST_PAD_SRC, "template", data->src_templ, NULL);
  g_free (pad->ch.protocol);
  pad->ch.label = g_strdup (e->r.label);
  pad->ch.protocol = g_strdup (e->r.protocol);
  pad->ch.id = id;
  pad->peer_id = g_strdup (dp->id);
  pad->data = data;
  if (gst_wrtc_sctp_channels_get_info (dp->chans, id, &info)) {
    pad->ch.ordered = info.ordered;
    pad->ch.priority = info.priority;
    pad->ch.max_retransmits = info.max_retransmits;
    pad->ch.max_packet_lifetime = info.max_packet_lifetime;
    pad->ch.negotiated = info.negotiated;
    gst_wrtc_sctp_channel_info_clear (&info);
  }
  e->appsrc = gst_object_ref (appsrc);
  e->srcpad = gst_object_ref (GST_PAD (pad));
  g_rec_mutex_unlock (&data->lock);

  /* in the bin first: adding it would unlink it from a pad outside */
  gst_bin_add (GST_BIN (data->bin), appsrc);
  gst_ghost_pad_set_target (GST_GHOST_PAD (pad), target);
  gst_object_unref (target);
  internal = GST_PAD (gst_proxy_pad_get_internal (GST_PROXY_PAD (pad)));
  gst_pad_set_chain_function (internal, src_internal_chain);
  gst_object_unref (internal);
  gst_pad_set_active (GST_PAD (pad), TRUE);
  GST_INFO_OBJECT (data->bin, "peer %s: channel %u '%s' on %s", dp->id, id,
      pad->ch.label, name);
  /* pad-added links it before the appsrc pushes */
  gst_element_add_pad (data->bin, GST_PAD (pad));
  gst_element_sync_state_with_parent (appsrc);
  g_free (name);
}

static void
remove_src_pad (GstWrtcBinData * data, GstElement * appsrc, GstPad * pad)
{
  if (pad && GST_OBJECT_PARENT (pad) == GST_OBJECT (data->bin)) {
    gst_pad_set_active (pad, FALSE);
    gst_element_remove_pad (data->bin, pad);
  }
  if (appsrc) {
    gst_element_set_locked_state (appsrc, TRUE);
    gst_element_set_state (appsrc, GST_STATE_NULL);
    if (GST_OBJECT_PARENT (appsrc) == GST_OBJECT (data->bin))
      gst_bin_remove (GST_BIN (data->bin), appsrc);
  }
}

/* ---- the channel table's functions (the peer's SCTP dispatch) ---- */
static void
on_object_sent (GstWebRTCDataChannel * obj, gsize len, GObject * owner)
{
  DataPeer *dp = DATA_PEER (owner);
  Entry *e;

  g_rec_mutex_lock (&dp->data->lock);
  e = entry_lookup_locked (dp, gst_wrtc_sctp_dc_object_get_stream_id (obj));
  if (e) {
    e->r.messages_sent++;
    e->r.bytes_sent += len;
  }
  g_rec_mutex_unlock (&dp->data->lock);
}

static void
on_channel_open (guint16 id, gboolean remote, GObject * owner)
{
  DataPeer *dp = DATA_PEER (owner);
  GstWrtcBinData *data = dp->data;
  GstWebRTCDataChannel *obj = NULL;
  GstWrtcBinDataChannelFunc func;
  gpointer func_data;
  Entry *e;

  g_rec_mutex_lock (&data->lock);
  e = remote ? entry_get_locked (dp, id, TRUE) : entry_lookup_locked (dp, id);
  if (!e)
    e = entry_get_locked (dp, id, FALSE);
  e->r.state = GST_WRTC_SCTP_CHANNEL_STATE_OPEN;
  if (remote && !e->object)
    obj = e->object = gst_wrtc_sctp_dc_object_new (dp->chans, id, TRUE);
  if (obj)
    g_object_ref (obj);
  func = data->func;
  func_data = data->func_data;
  entry_flush_locked (dp, e);
  g_rec_mutex_unlock (&data->lock);

  GST_INFO_OBJECT (data->bin, "peer %s: channel %u '%s' open (%s)", dp->id,
      id, e->r.label, remote ? "theirs" : "ours");
  if (obj) {
    gst_wrtc_sctp_channels_set_buffered_amount_low_threshold (dp->chans, id, 0);
    gst_wrtc_sctp_dc_object_set_sent_func (obj, on_object_sent, owner);
    /* webrtcbin's order: the application has it before its events */
    if (func)
      func (data->bin, dp->id, obj, func_data);
    gst_wrtc_sctp_dc_object_opened (obj);
    g_object_unref (obj);
    ensure_src_pad (dp, id);
  }
}

static void
on_message (guint16 id, gboolean is_string, const guint8 * bytes, gsize len,
    GObject * owner)
{
  DataPeer *dp = DATA_PEER (owner);
  GstWrtcBinData *data = dp->data;
  GstWebRTCDataChannel *obj = NULL;
  GstElement *appsrc = NULL;
  gboolean caps_change = FALSE;
  Entry *e;

  ensure_src_pad (dp, id);
  g_rec_mutex_lock (&data->lock);
  e = entry_lookup_locked (dp, id);
  if (e) {
    e->r.messages_received++;
    e->r.bytes_received += len;
    obj = e->object ? g_object_ref (e->object) : NULL;
    appsrc = e->appsrc ? gst_object_ref (e->appsrc) : NULL;
    caps_change = e->kind != (is_string ? 1 : 0);
    e->kind = is_string ? 1 : 0;
  }
  g_rec_mutex_unlock (&data->lock);
  if (obj) {
    gst_wrtc_sctp_dc_object_message (obj, is_string, bytes, len);
    g_object_unref (obj);
  }
  if (appsrc) {
    if (caps_change) {
      GstCaps *caps = gst_caps_new_empty_simple (is_string ? "text/plain" :
          "application/octet-stream");
      gst_app_src_set_caps (GST_APP_SRC (appsrc), caps);
      gst_caps_unref (caps);
    }
    /* blocks while downstream does not take them: the receive window
     * closes (SCTP backpressure), nothing is dropped */
    gst_app_src_push_buffer (GST_APP_SRC (appsrc), len ?
        gst_buffer_new_memdup (bytes, len) : gst_buffer_new ());
    gst_object_unref (appsrc);
  }
}

static void
on_channel_closed (guint16 id, GObject * owner)
{
  DataPeer *dp = DATA_PEER (owner);
  GstWebRTCDataChannel *obj = NULL;
  GstElement *appsrc = NULL;
  Entry *e;

  g_rec_mutex_lock (&dp->data->lock);
  e = entry_lookup_locked (dp, id);
  if (e) {
    e->r.state = GST_WRTC_SCTP_CHANNEL_STATE_CLOSED;
    g_queue_clear_full (&e->queue, (GDestroyNotify) queued_free);
    e->queued_bytes = 0;
    obj = e->object ? g_object_ref (e->object) : NULL;
    appsrc = e->appsrc ? gst_object_ref (e->appsrc) : NULL;
  }
  g_rec_mutex_unlock (&dp->data->lock);
  GST_INFO_OBJECT (dp->data->bin, "peer %s: channel %u closed", dp->id, id);
  if (obj) {
    gst_wrtc_sctp_dc_object_closed (obj);
    g_object_unref (obj);
  }
  if (appsrc) {
    /* RFC 8831 section 6.7: nothing more comes on it */
    gst_app_src_end_of_stream (GST_APP_SRC (appsrc));
    gst_object_unref (appsrc);
  }
}

static void
on_buffered_amount_low (guint16 id, GObject * owner)
{
  DataPeer *dp = DATA_PEER (owner);
  GstWebRTCDataChannel *obj = NULL;
  Entry *e;

  g_rec_mutex_lock (&dp->data->lock);
  e = entry_lookup_locked (dp, id);
  if (e) {
    obj = e->object ? g_object_ref (e->object) : NULL;
    entry_flush_locked (dp, e);
  }
  g_rec_mutex_unlock (&dp->data->lock);
  if (obj) {
    gst_wrtc_sctp_dc_object_buffered_amount_low (obj);
    g_object_unref (obj);
  }
}

static void
on_channels_error (guint16 id, const GError * error, GObject * owner)
{
  DataPeer *dp = DATA_PEER (owner);
  GstWebRTCDataChannel *obj = NULL;
  Entry *e;

  GST_ELEMENT_WARNING (dp->data->bin, STREAM, DECODE,
      ("Data channel error"), ("peer %s, channel %u: %s", dp->id, id,
          error->message));
  g_rec_mutex_lock (&dp->data->lock);
  e = entry_lookup_locked (dp, id);
  if (e && e->object)
    obj = g_object_ref (e->object);
  g_rec_mutex_unlock (&dp->data->lock);
  if (obj) {
    gst_wrtc_sctp_dc_object_error (obj, error);
    g_object_unref (obj);
  }
}

static const GstWrtcSctpChannelsFuncs channel_funcs = {
  .channel_open = on_channel_open,
  .message = on_message,
  .channel_closed = on_channel_closed,
  .buffered_amount_low = on_buffered_amount_low,
  .error = on_channels_error,
};

/* ------------------------------------------------------------------------
 * Sink pads
 */
typedef void (*EntryFunc) (DataPeer * dp, Entry * e, gpointer user_data);

/* @func on the channel of @pad on every peer.  Lock. */
static void
foreach_pad_entry_locked (GstWrtcBinData * data, GstWrtcBinDataPad * pad,
    EntryFunc func, gpointer user_data)
{
  GHashTableIter iter, eiter;
  gpointer value, evalue;

  g_hash_table_iter_init (&iter, data->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    g_hash_table_iter_init (&eiter, ((DataPeer *) value)->entries);
    while (g_hash_table_iter_next (&eiter, NULL, &evalue))
      if (((Entry *) evalue)->sinkpad == pad)
        func (value, evalue, user_data);
  }
}

typedef struct
{
  GBytes *bytes;
  gboolean is_string;
} Message;

static void
entry_send_message_locked (DataPeer * dp, Entry * e, Message * m)
{
  if (e->r.state < GST_WRTC_SCTP_CHANNEL_STATE_CLOSING && !e->close_when_sent)
    entry_send_locked (dp, e, m->bytes, m->is_string);
}

/* closes @e once what waits on it is out (RFC 8831 section 6.7) */
static void
entry_close_when_sent_locked (DataPeer * dp, Entry * e, gpointer unused)
{
  if (e->r.state < GST_WRTC_SCTP_CHANNEL_STATE_CLOSING) {
    e->close_when_sent = TRUE;
    entry_flush_locked (dp, e);
  }
}

/* the pad goes: its channel closes, and forgets it */
static void
entry_release_locked (DataPeer * dp, Entry * e, gpointer unused)
{
  e->close_when_sent = TRUE;
  entry_flush_locked (dp, e);
  gst_clear_object (&e->sinkpad);
}

static GstFlowReturn
data_pad_chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  GstWrtcBinDataPad *dpad = GST_WRTC_BIN_DATA_PAD (pad);
  GstWrtcBinData *data = dpad->data;
  GstMapInfo map;
  GBytes *bytes;
  Message m;

  if (!data || !gst_buffer_map (buf, &map, GST_MAP_READ)) {
    gst_buffer_unref (buf);
    return data ? GST_FLOW_ERROR : GST_FLOW_FLUSHING;
  }
  bytes = g_bytes_new (map.data, map.size);
  gst_buffer_unmap (buf, &map);
  gst_buffer_unref (buf);

  m.bytes = bytes;
  m.is_string = dpad->is_string;
  g_rec_mutex_lock (&data->lock);
  foreach_pad_entry_locked (data, dpad, (EntryFunc) entry_send_message_locked,
      &m);
  g_rec_mutex_unlock (&data->lock);
  g_bytes_unref (bytes);
  return GST_FLOW_OK;
}

static gboolean
data_pad_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  GstWrtcBinDataPad *dpad = GST_WRTC_BIN_DATA_PAD (pad);
  GstWrtcBinData *data = dpad->data;

  if (GST_EVENT_TYPE (event) == GST_EVENT_STREAM_START && data) {
    GHashTableIter iter;
    gpointer value;

    /* the peers that came before this pad's stream get its channel now,
     * with the properties set by then */
    g_rec_mutex_lock (&data->lock);
    g_hash_table_iter_init (&iter, data->peers);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      open_pad_locked (value, dpad);
    g_rec_mutex_unlock (&data->lock);
  } else if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS) {
    GstCaps *caps;
    const gchar *name;

    gst_event_parse_caps (event, &caps);
    name = gst_structure_get_name (gst_caps_get_structure (caps, 0));
    /* RFC 8831 section 6.6: PPID 51 for strings, 53 for binary */
    dpad->is_string = !strcmp (name, "text/plain")
        || !strcmp (name, "text/x-raw");
  } else if (GST_EVENT_TYPE (event) == GST_EVENT_EOS && data) {
    g_rec_mutex_lock (&data->lock);
    foreach_pad_entry_locked (data, dpad, entry_close_when_sent_locked, NULL);
    g_rec_mutex_unlock (&data->lock);
  }
  gst_event_unref (event);
  return TRUE;
}

GstPad *
gst_wrtc_bin_data_request_pad (GstWrtcBinData * data, GstPadTemplate * templ,
    const gchar * name)
{
  GstWrtcBinDataPad *pad;
  gchar *pad_name = NULL;
  guint i;

  g_rec_mutex_lock (&data->lock);
  if (!name) {
    /* the template's name: "data_%u" or "data_sink_%u" */
    gsize n = strlen (GST_PAD_TEMPLATE_NAME_TEMPLATE (templ));
    gchar *prefix = g_strndup (GST_PAD_TEMPLATE_NAME_TEMPLATE (templ),
        n > 2 ? n - 2 : n);
    for (i = 0; !pad_name; i++) {
      GstPad *existing;
      pad_name = g_strdup_printf ("%s%u", prefix, i);
      if ((existing = gst_element_get_static_pad (data->bin, pad_name))) {
        gst_object_unref (existing);
        g_clear_pointer (&pad_name, g_free);
      }
    }
    g_free (prefix);
  } else {
    GstPad *existing = gst_element_get_static_pad (data->bin, name);
    if (existing) {
      gst_object_unref (existing);
      g_rec_mutex_unlock (&data->lock);
      return NULL;
    }
    pad_name = g_strdup (name);
  }
  pad = g_object_new (GST_WRTC_TYPE_BIN_DATA_PAD, "name", pad_name,
      "direction", GST_PAD_SINK, "template", templ, NULL);
  g_free (pad_name);
  pad->data = data;
  gst_pad_set_chain_function (GST_PAD (pad), data_pad_chain);
  gst_pad_set_event_function (GST_PAD (pad), data_pad_event);
  g_ptr_array_add (data->sinkpads, gst_object_ref (pad));
  g_rec_mutex_unlock (&data->lock);

  if (GST_STATE (data->bin) > GST_STATE_READY)
    gst_pad_set_active (GST_PAD (pad), TRUE);
  gst_element_add_pad (data->bin, GST_PAD (pad));
  return GST_PAD (pad);
}

gboolean
gst_wrtc_bin_data_release_pad (GstWrtcBinData * data, GstPad * pad)
{
  GstWrtcBinDataPad *dpad;

  if (!GST_WRTC_IS_BIN_DATA_PAD (pad) || GST_PAD_IS_SRC (pad))
    return FALSE;
  dpad = GST_WRTC_BIN_DATA_PAD (pad);
  g_rec_mutex_lock (&data->lock);
  if (!g_ptr_array_remove (data->sinkpads, pad)) {
    g_rec_mutex_unlock (&data->lock);
    return FALSE;
  }
  /* its channels close */
  foreach_pad_entry_locked (data, dpad, entry_release_locked, NULL);
  dpad->data = NULL;
  g_rec_mutex_unlock (&data->lock);
  gst_pad_set_active (pad, FALSE);
  /* the array's ref went with it: the bin's is the last */
  gst_element_remove_pad (data->bin, pad);
  return TRUE;
}

gboolean
gst_wrtc_bin_data_has_sink_pads (GstWrtcBinData * data)
{
  gboolean has;

  g_rec_mutex_lock (&data->lock);
  has = data->sinkpads->len > 0;
  g_rec_mutex_unlock (&data->lock);
  return has;
}

/* ------------------------------------------------------------------------
 * Peers
 */
void
gst_wrtc_bin_data_add_peer (GstWrtcBinData * data, const gchar * id,
    GstWrtcPeer * peer)
{
  GstWrtcSctpChannels *chans = gst_wrtc_peer_get_channels (peer);
  DataPeer *dp;
  guint i;

  if (!chans)
    return;
  dp = g_object_new (DATA_TYPE_PEER, NULL);
  dp->data = g_object_ref (data);
  dp->id = g_strdup (id);
  dp->chans = chans;
  /* before the association starts: every channel the peer opens */
  gst_wrtc_sctp_channels_set_funcs (chans, &channel_funcs, G_OBJECT (dp));
  g_rec_mutex_lock (&data->lock);
  g_hash_table_replace (data->peers, dp->id, dp);
  /* ours leave once the association is up (RFC 8832 section 6) */
  for (i = 0; i < data->sinkpads->len; i++)
    open_pad_locked (dp, g_ptr_array_index (data->sinkpads, i));
  g_rec_mutex_unlock (&data->lock);
  GST_INFO_OBJECT (data->bin, "peer %s has data channels", id);
}

static void
data_peer_remove (GstWrtcBinData * data, DataPeer * dp)
{
  GPtrArray *objects = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *src = g_ptr_array_new_with_free_func (gst_object_unref);
  GHashTableIter iter;
  gpointer value;
  guint i;

  gst_wrtc_sctp_channels_set_funcs (dp->chans, NULL, NULL);
  g_rec_mutex_lock (&data->lock);
  g_hash_table_iter_init (&iter, dp->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    Entry *e = value;
    if (e->object)
      g_ptr_array_add (objects, g_object_ref (e->object));
    if (e->appsrc) {
      g_ptr_array_add (src, gst_object_ref (e->appsrc));
      g_ptr_array_add (src, gst_object_ref (e->srcpad));
    }
    e->r.state = GST_WRTC_SCTP_CHANNEL_STATE_CLOSED;
  }
  g_rec_mutex_unlock (&data->lock);
  for (i = 0; i < objects->len; i++)
    gst_wrtc_sctp_dc_object_detach (g_ptr_array_index (objects, i));
  for (i = 0; i + 1 < src->len; i += 2)
    remove_src_pad (data, g_ptr_array_index (src, i),
        g_ptr_array_index (src, i + 1));
  g_ptr_array_unref (objects);
  g_ptr_array_unref (src);
  g_object_unref (dp);
}

void
gst_wrtc_bin_data_remove_peer (GstWrtcBinData * data, const gchar * id)
{
  DataPeer *dp = NULL;
  gpointer key;

  g_rec_mutex_lock (&data->lock);
  if (g_hash_table_steal_extended (data->peers, id, &key, (gpointer *) & dp))
    GST_INFO_OBJECT (data->bin, "peer %s: data channels gone", id);
  g_rec_mutex_unlock (&data->lock);
  if (dp)
    data_peer_remove (data, dp);
}

void
gst_wrtc_bin_data_clear (GstWrtcBinData * data)
{
  GList *peers, *l;

  g_rec_mutex_lock (&data->lock);
  peers = g_hash_table_get_values (data->peers);
  g_hash_table_steal_all (data->peers);
  data->next_src = 0;
  g_rec_mutex_unlock (&data->lock);
  for (l = peers; l; l = l->next)
    data_peer_remove (data, l->data);
  g_list_free (peers);
}

/* ------------------------------------------------------------------------
 * Stats (W3C webrtc-stats: RTCDataChannelStats)
 */

void
gst_wrtc_bin_data_add_stats (GstWrtcBinData * data, const gchar * id,
    GstStructure * s)
{
  GHashTableIter iter;
  gpointer value;
  DataPeer *dp;
  GList *l;
  guint n = 0;
  gint i;

  for (i = 0; i < gst_structure_n_fields (s); i++)
    if (g_str_has_prefix (gst_structure_nth_field_name (s, i), "data-channel-"))
      n++;
  g_rec_mutex_lock (&data->lock);
  dp = g_hash_table_lookup (data->peers, id);
  if (dp) {
    g_hash_table_iter_init (&iter, dp->entries);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      gst_wrtc_sctp_dc_record_add_stats (&((Entry *) value)->r, s, n++, TRUE);
    for (l = dp->closed; l; l = l->next)
      gst_wrtc_sctp_dc_record_add_stats (&((Entry *) l->data)->r, s, n++, TRUE);
  }
  g_rec_mutex_unlock (&data->lock);
}

/* ------------------------------------------------------------------------
 * GObject
 */
GstWrtcBinData *
gst_wrtc_bin_data_new (GstElement * bin, GstPadTemplate * src_templ)
{
  GstWrtcBinData *data = g_object_new (GST_WRTC_TYPE_BIN_DATA, NULL);

  data->bin = bin;
  data->src_templ = src_templ ? gst_object_ref (src_templ) : NULL;
  return data;
}

void
gst_wrtc_bin_data_set_channel_func (GstWrtcBinData * data,
    GstWrtcBinDataChannelFunc func, gpointer user_data)
{
  g_rec_mutex_lock (&data->lock);
  data->func = func;
  data->func_data = user_data;
  g_rec_mutex_unlock (&data->lock);
}

static void
gst_wrtc_bin_data_finalize (GObject * object)
{
  GstWrtcBinData *data = GST_WRTC_BIN_DATA (object);
  guint i;

  for (i = 0; i < data->sinkpads->len; i++)
    GST_WRTC_BIN_DATA_PAD (g_ptr_array_index (data->sinkpads, i))->data = NULL;
  g_ptr_array_unref (data->sinkpads);
  g_hash_table_unref (data->peers);
  gst_clear_object (&data->src_templ);
  g_rec_mutex_clear (&data->lock);
  G_OBJECT_CLASS (gst_wrtc_bin_data_parent_class)->finalize (object);
}

static void
gst_wrtc_bin_data_class_init (GstWrtcBinDataClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_wrtc_bin_data_finalize;
  GST_DEBUG_CATEGORY_INIT (gst_wrtc_bin_data_debug, "wrtcbindata", 0,
      "the bins' data channels");
}

static void
gst_wrtc_bin_data_init (GstWrtcBinData * data)
{
  g_rec_mutex_init (&data->lock);
  data->peers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      g_object_unref);
  data->sinkpads = g_ptr_array_new_with_free_func (gst_object_unref);
}
