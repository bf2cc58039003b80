/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-sctpdatachannel
 * @title: sctpdatachannel
 * @see_also: dtlssrtpenc, dtlssrtpdec
 *
 * WebRTC data channels (RFC 8831) on one SCTP association that runs over
 * one DTLS association (RFC 8261): SCTP packets come in on `sink` (from
 * dtlssrtpdec's `data_src`) and leave on `src` (to dtlssrtpenc's
 * `data_sink`).  Channels are opened with DCEP (RFC 8832) or negotiated
 * out of band.
 *
 * Each request pad `sink_%u` opens one channel, chosen by the pad's
 * properties (`label`, `protocol`, `ordered`, `max-retransmits`,
 * `max-packet-lifetime`, `priority`, `negotiated`, `id`), set in a launch
 * line as `name.sink_0::label=chat` (the element is a #GstChildProxy).
 * Every buffer is one message: a string with caps `text/plain` or
 * `text/x-raw`, binary otherwise; an empty buffer is an empty message.
 * EOS closes the channel (an RFC 6525 stream reset) after what was queued
 * on it.  A pad whose channel has more than
 * #GstWrtcSctpDataChannel:buffered-amount-high bytes queued waits until
 * it drained to #GstWrtcSctpDataChannel:buffered-amount-low.
 *
 * Each channel the peer opens appears as a sometimes pad `src_%u`,
 * numbered from 0 in opening order: one buffer per message, caps
 * `text/plain` or `application/octet-stream`, EOS when the peer closes
 * the channel.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 \
 *   udpsrc port=23720 ! dtlssrtpdec connection-id=tx ! dc.sink \
 *   filesrc location=in.bin ! dc.sink_0 \
 *   sctpdatachannel name=dc is-client=true sink_0::label=file ! \
 *     dtlssrtpenc connection-id=tx is-client=true ! \
 *     udpsink host=127.0.0.1 port=23722 async=false
 * gst-launch-1.0 \
 *   udpsrc port=23722 ! dtlssrtpdec connection-id=rx ! dc.sink \
 *   sctpdatachannel name=dc ! dtlssrtpenc connection-id=rx ! \
 *     udpsink host=127.0.0.1 port=23720 async=false \
 *   dc.src_0 ! filesink location=out.bin async=false
 * ]|
 * The first process sends in.bin, one message per buffer, on a channel
 * labelled `file`; the second writes what arrives to out.bin.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcsctpdatachannel.h"
#include "gstwrtcpadutil.h"
#include "gstwrtcsctpchannels.h"
#include "gstwrtcsctpdcobject.h"
#include "gstwrtcsctpdcpad.h"

#include <stdio.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (gst_wrtc_sctp_data_channel_debug);
#define GST_CAT_DEFAULT gst_wrtc_sctp_data_channel_debug

#define DEFAULT_IS_CLIENT FALSE
#define DEFAULT_PORT GST_WRTC_SCTP_DEFAULT_PORT
#define DEFAULT_MAX_MESSAGE_SIZE GST_WRTC_SCTP_DEFAULT_LOCAL_MAX_MESSAGE_SIZE
/* what our own element accepts: two sctpdatachannel elements agree
 * without SDP; the peer layer sets the peer's a=max-message-size (RFC
 * 8841 section 6.1: 65536 when the SDP has none) */
#define DEFAULT_REMOTE_MAX_MESSAGE_SIZE DEFAULT_MAX_MESSAGE_SIZE
#define DEFAULT_BUFFERED_AMOUNT_HIGH (1024 * 1024)
#define DEFAULT_BUFFERED_AMOUNT_LOW (256 * 1024)

enum
{
  PROP_0,
  PROP_IS_CLIENT,
  PROP_LOCAL_PORT,
  PROP_REMOTE_PORT,
  PROP_MAX_MESSAGE_SIZE,
  PROP_REMOTE_MAX_MESSAGE_SIZE,
  PROP_BUFFERED_AMOUNT_HIGH,
  PROP_BUFFERED_AMOUNT_LOW,
  PROP_STATS,
};

enum
{
  SIGNAL_CREATE_DATA_CHANNEL,
  SIGNAL_ON_DATA_CHANNEL,
  LAST_SIGNAL,
};

static guint signals[LAST_SIGNAL];


static GstStaticPadTemplate sink_template =
GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS_ANY);
static GstStaticPadTemplate src_template =
GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("application/x-sctp"));
static GstStaticPadTemplate msg_sink_template =
GST_STATIC_PAD_TEMPLATE ("sink_%u", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS_ANY);
static GstStaticPadTemplate msg_src_template =
    GST_STATIC_PAD_TEMPLATE ("src_%u", GST_PAD_SRC, GST_PAD_SOMETIMES,
    GST_STATIC_CAPS ("text/plain; application/octet-stream"));

/* ------------------------------------------------------------------------
 * The pads
 */
struct _GstWrtcSctpDataChannelSinkPad
{
  GstPad parent;

  GstWrtcSctpDcPadChannel ch;   /* object lock */

  /* streaming thread */
  gboolean is_string;
  gint channel;                 /* -1: not opened yet */
  gboolean closed;
};

struct _GstWrtcSctpDataChannelSrcPad
{
  GstPad parent;

  GstWrtcSctpDcPadChannel ch;   /* immutable once added */

  /* the receiving dispatch: one thread at a time */
  gint kind;                    /* -1 none yet, 0 binary, 1 string */
};

G_DEFINE_TYPE (GstWrtcSctpDataChannelSinkPad,
    gst_wrtc_sctp_data_channel_sink_pad, GST_TYPE_PAD);
G_DEFINE_TYPE (GstWrtcSctpDataChannelSrcPad,
    gst_wrtc_sctp_data_channel_src_pad, GST_TYPE_PAD);

static void
gst_wrtc_sctp_data_channel_sink_pad_get_property (GObject * object,
    guint prop_id, GValue * value, GParamSpec * pspec)
{
  GstWrtcSctpDataChannelSinkPad *pad =
      GST_WRTC_SCTP_DATA_CHANNEL_SINK_PAD (object);
  gboolean ok;

  GST_OBJECT_LOCK (pad);
  /* once opened: the id the channel got */
  if (prop_id == GST_WRTC_SCTP_DC_PROP_ID && pad->channel >= 0) {
    g_value_set_int (value, pad->channel);
    ok = TRUE;
  } else {
    ok = gst_wrtc_sctp_dc_pad_channel_get (&pad->ch, prop_id, value,
        GST_OBJECT_NAME (pad));
  }
  GST_OBJECT_UNLOCK (pad);
  if (!ok)
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
gst_wrtc_sctp_data_channel_sink_pad_set_property (GObject * object,
    guint prop_id, const GValue * value, GParamSpec * pspec)
{
  GstWrtcSctpDataChannelSinkPad *pad =
      GST_WRTC_SCTP_DATA_CHANNEL_SINK_PAD (object);
  gboolean ok;

  GST_OBJECT_LOCK (pad);
  if (pad->channel >= 0) {
    GST_OBJECT_UNLOCK (pad);
    GST_WARNING_OBJECT (pad, "the channel is open: '%s' is not changed",
        pspec->name);
    return;
  }
  ok = gst_wrtc_sctp_dc_pad_channel_set (&pad->ch, prop_id, value);
  GST_OBJECT_UNLOCK (pad);
  if (!ok)
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
gst_wrtc_sctp_data_channel_sink_pad_finalize (GObject * object)
{
  GstWrtcSctpDataChannelSinkPad *pad =
      GST_WRTC_SCTP_DATA_CHANNEL_SINK_PAD (object);

  gst_wrtc_sctp_dc_pad_channel_clear (&pad->ch);
  G_OBJECT_CLASS (gst_wrtc_sctp_data_channel_sink_pad_parent_class)->finalize
      (object);
}

static void
    gst_wrtc_sctp_data_channel_sink_pad_class_init
    (GstWrtcSctpDataChannelSinkPadClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->get_property =
      gst_wrtc_sctp_data_channel_sink_pad_get_property;
  gobject_class->set_property =
      gst_wrtc_sctp_data_channel_sink_pad_set_property;
  gobject_class->finalize = gst_wrtc_sctp_data_channel_sink_pad_finalize;
  gst_wrtc_sctp_dc_pad_channel_install (gobject_class, TRUE);
}

static void
gst_wrtc_sctp_data_channel_sink_pad_init (GstWrtcSctpDataChannelSinkPad * pad)
{
  gst_wrtc_sctp_dc_pad_channel_init (&pad->ch);
  pad->channel = -1;
}

static void
gst_wrtc_sctp_data_channel_src_pad_get_property (GObject * object,
    guint prop_id, GValue * value, GParamSpec * pspec)
{
  GstWrtcSctpDataChannelSrcPad *pad =
      GST_WRTC_SCTP_DATA_CHANNEL_SRC_PAD (object);

  if (!gst_wrtc_sctp_dc_pad_channel_get (&pad->ch, prop_id, value,
          GST_OBJECT_NAME (pad)))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
gst_wrtc_sctp_data_channel_src_pad_finalize (GObject * object)
{
  GstWrtcSctpDataChannelSrcPad *pad =
      GST_WRTC_SCTP_DATA_CHANNEL_SRC_PAD (object);

  gst_wrtc_sctp_dc_pad_channel_clear (&pad->ch);
  G_OBJECT_CLASS (gst_wrtc_sctp_data_channel_src_pad_parent_class)->finalize
      (object);
}

static void
    gst_wrtc_sctp_data_channel_src_pad_class_init
    (GstWrtcSctpDataChannelSrcPadClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->get_property = gst_wrtc_sctp_data_channel_src_pad_get_property;
  gobject_class->finalize = gst_wrtc_sctp_data_channel_src_pad_finalize;
  gst_wrtc_sctp_dc_pad_channel_install (gobject_class, FALSE);
}

static void
gst_wrtc_sctp_data_channel_src_pad_init (GstWrtcSctpDataChannelSrcPad * pad)
{
  gst_wrtc_sctp_dc_pad_channel_init (&pad->ch);
  pad->kind = -1;
}

/* ------------------------------------------------------------------------
 * The element
 */
static gboolean gst_wrtc_sctp_data_channel_pad_query (GstPad * pad,
    GstObject * parent, GstQuery * query);
static gboolean gst_wrtc_sctp_data_channel_src_event (GstPad * pad,
    GstObject * parent, GstEvent * event);

/* What the element knows of one channel, for its src pad and stats. */
typedef struct
{
  GstWrtcSctpDcRecord r;        /* the stats */
  GstPad *srcpad;               /* ref; NULL until a message must go out */
  GstWebRTCDataChannel *object; /* ref; create-data-channel's or the peer's */
} Entry;

struct _GstWrtcSctpDataChannel
{
  GstElement parent;

  GstPad *sinkpad, *srcpad;

  /* serialises pushes on srcpad (the association sends from the thread
   * that dispatches it) */
  GMutex push_lock;
  gboolean src_started;         /* push_lock */

  /* object lock: the properties */
  gboolean is_client;
  guint local_port, remote_port;
  guint64 max_message_size, remote_max_message_size;
  guint64 buffered_amount_high, buffered_amount_low;

  GMutex lock;
  GCond cond;                   /* a channel drained, or flushing */
  /* all below: lock; assoc and chans from READY->PAUSED to PAUSED->READY */
  GstWrtcSctpAssociation *assoc;
  GstWrtcSctpChannels *chans;
  GHashTable *entries;          /* id -> Entry */
  GList *closed_entries;        /* Entry, for stats */
  gboolean flushing;
  GstWrtcSctpAssociationState assoc_state;
  guint next_src;
  GList *pending_objects;       /* GstWebRTCDataChannel, newest first */
  guint64 packets_discarded;    /* not SCTP packets of this association */
  guint next_sink;              /* object lock */
};

static void gst_wrtc_sctp_data_channel_child_proxy_init (gpointer g_iface,
    gpointer iface_data);

#define gst_wrtc_sctp_data_channel_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (GstWrtcSctpDataChannel, gst_wrtc_sctp_data_channel,
    GST_TYPE_ELEMENT,
    G_IMPLEMENT_INTERFACE (GST_TYPE_CHILD_PROXY,
        gst_wrtc_sctp_data_channel_child_proxy_init);
    GST_DEBUG_CATEGORY_INIT (gst_wrtc_sctp_data_channel_debug,
        "sctpdatachannel", 0, "WebRTC data channels over SCTP over DTLS"));
GST_ELEMENT_REGISTER_DEFINE (sctpdatachannel, "sctpdatachannel",
    GST_RANK_NONE, GST_WRTC_TYPE_SCTP_DATA_CHANNEL);

static void
entry_free (Entry * e)
{
  gst_wrtc_sctp_dc_record_clear (&e->r);
  if (e->srcpad)
    gst_object_unref (e->srcpad);
  if (e->object) {
    gst_wrtc_sctp_dc_object_detach (e->object);
    g_object_unref (e->object);
  }
  g_free (e);
}

static GstWrtcSctpChannels *
get_channels (GstWrtcSctpDataChannel * self)
{
  GstWrtcSctpChannels *c;

  g_mutex_lock (&self->lock);
  c = self->chans ? g_object_ref (self->chans) : NULL;
  g_mutex_unlock (&self->lock);
  return c;
}

/* ---- from the association: SCTP packets out (RFC 8261 section 4) ---- */
static void
assoc_send (const guint8 * data, gsize len, GObject * owner)
{
  GstWrtcSctpDataChannel *self = GST_WRTC_SCTP_DATA_CHANNEL (owner);
  GstFlowReturn ret;

  g_mutex_lock (&self->push_lock);
  if (!self->src_started) {
    GstCaps *caps = gst_caps_new_empty_simple ("application/x-sctp");

    gst_wrtc_pad_ensure_sticky (self->srcpad, GST_ELEMENT (self), caps);
    gst_caps_unref (caps);
    self->src_started = TRUE;
  }
  ret = gst_pad_push (self->srcpad, gst_buffer_new_memdup (data, len));
  g_mutex_unlock (&self->push_lock);
  if (ret != GST_FLOW_OK)
    GST_DEBUG_OBJECT (self, "SCTP packet of %" G_GSIZE_FORMAT " bytes not "
        "sent: %s", len, gst_flow_get_name (ret));
}

/* ---- from the channel table, inside the association's dispatch ---- */

static void on_object_sent (GstWebRTCDataChannel * obj, gsize len,
    GObject * owner);

/* The channel object of @id, a ref, or NULL. */
static GstWebRTCDataChannel *
lookup_object (GstWrtcSctpDataChannel * self, guint16 id)
{
  GstWebRTCDataChannel *obj = NULL;
  Entry *e;

  g_mutex_lock (&self->lock);
  e = self->entries ? g_hash_table_lookup (self->entries,
      GUINT_TO_POINTER (id)) : NULL;
  if (e && e->object)
    obj = g_object_ref (e->object);
  g_mutex_unlock (&self->lock);
  return obj;
}

/* Makes the src pad of @id (lock not held; dispatch is one thread at a
 * time, so no other thread makes one for the same channel). */
static GstPad *
ensure_src_pad (GstWrtcSctpDataChannel * self, guint16 id)
{
  GstWrtcSctpDataChannelSrcPad *pad;
  GstWrtcSctpChannelInfo info;
  GstWrtcSctpChannels *chans;
  GstPadTemplate *templ;
  Entry *e;
  gchar *name;

  g_mutex_lock (&self->lock);
  e = self->entries ? g_hash_table_lookup (self->entries,
      GUINT_TO_POINTER (id)) : NULL;
  if (!e || self->flushing) {
    g_mutex_unlock (&self->lock);
    return NULL;
  }
  if (e->srcpad) {
    GstPad *p = gst_object_ref (e->srcpad);
    g_mutex_unlock (&self->lock);
    return p;
  }
  name = g_strdup_printf ("src_%u", self->next_src++);
  chans = self->chans ? g_object_ref (self->chans) : NULL;
  g_mutex_unlock (&self->lock);

  templ = gst_element_class_get_pad_template (GST_ELEMENT_GET_CLASS (self),
      "src_%u");
  pad = g_object_new (GST_WRTC_TYPE_SCTP_DATA_CHANNEL_SRC_PAD, "name", name,
      "direction", GST_PAD_SRC, "template", templ, NULL);
  g_free (name);
  g_free (pad->ch.protocol);
  if (chans && gst_wrtc_sctp_channels_get_info (chans, id, &info)) {
    pad->ch.label = g_steal_pointer (&info.label);
    pad->ch.protocol = g_steal_pointer (&info.protocol);
    pad->ch.ordered = info.ordered;
    gst_wrtc_sctp_channel_info_clear (&info);
  } else {
    pad->ch.label = g_strdup (e->r.label);
    pad->ch.protocol = g_strdup (e->r.protocol);
  }
  if (chans)
    g_object_unref (chans);
  pad->ch.id = id;
  gst_pad_use_fixed_caps (GST_PAD (pad));
  gst_pad_set_event_function (GST_PAD (pad),
      GST_DEBUG_FUNCPTR (gst_wrtc_sctp_data_channel_src_event));
  gst_pad_set_query_function (GST_PAD (pad),
      GST_DEBUG_FUNCPTR (gst_wrtc_sctp_data_channel_pad_query));
  gst_pad_set_active (GST_PAD (pad), TRUE);

  g_mutex_lock (&self->lock);
  e->srcpad = gst_object_ref (pad);
  g_mutex_unlock (&self->lock);

  GST_INFO_OBJECT (self, "channel %u '%s' on %s", id, pad->ch.label,
      GST_PAD_NAME (pad));
  gst_element_add_pad (GST_ELEMENT (self), GST_PAD (pad));
  gst_child_proxy_child_added (GST_CHILD_PROXY (self), G_OBJECT (pad),
      GST_PAD_NAME (pad));
  return gst_object_ref (GST_PAD (pad));
}

static Entry *
entry_add_locked (GstWrtcSctpDataChannel * self, guint16 id, gboolean remote)
{
  Entry *e, *old;

  old = g_hash_table_lookup (self->entries, GUINT_TO_POINTER (id));
  if (old) {
    g_hash_table_steal (self->entries, GUINT_TO_POINTER (id));
    self->closed_entries = g_list_prepend (self->closed_entries, old);
  }
  e = g_new0 (Entry, 1);
  gst_wrtc_sctp_dc_record_init (&e->r, self->chans, id, remote);
  g_hash_table_insert (self->entries, GUINT_TO_POINTER (id), e);
  return e;
}

static void
on_channel_open (guint16 id, gboolean remote, GObject * owner)
{
  GstWrtcSctpDataChannel *self = GST_WRTC_SCTP_DATA_CHANNEL (owner);
  GstWebRTCDataChannel *obj;
  GstWrtcSctpChannels *chans;
  gboolean created = FALSE;
  GstPad *pad;
  Entry *e;

  g_mutex_lock (&self->lock);
  if (!self->entries || !self->chans) {
    g_mutex_unlock (&self->lock);
    return;
  }
  e = g_hash_table_lookup (self->entries, GUINT_TO_POINTER (id));
  if (remote || !e)
    e = entry_add_locked (self, id, remote);
  e->r.state = GST_WRTC_SCTP_CHANNEL_STATE_OPEN;
  if (remote && !e->object) {
    e->object = gst_wrtc_sctp_dc_object_new (self->chans, id, TRUE);
    created = TRUE;
  }
  obj = e->object ? g_object_ref (e->object) : NULL;
  chans = g_object_ref (self->chans);
  g_mutex_unlock (&self->lock);

  GST_INFO_OBJECT (self, "channel %u '%s' open (%s)", id, e->r.label,
      remote ? "by the peer" : "ours");
  if (obj) {
    if (created) {
      gst_wrtc_sctp_channels_set_buffered_amount_low_threshold (chans, id, 0);
      gst_wrtc_sctp_dc_object_set_sent_func (obj, on_object_sent,
          G_OBJECT (self));
      /* webrtcbin's order: the application has the channel before any
       * of its events */
      g_signal_emit (self, signals[SIGNAL_ON_DATA_CHANNEL], 0, obj);
    }
    gst_wrtc_sctp_dc_object_opened (obj);
    g_object_unref (obj);
  }
  g_object_unref (chans);
  /* RFC 8832: the peer's channel is a new stream for us */
  if (remote && (pad = ensure_src_pad (self, id)))
    gst_object_unref (pad);
}

static void
on_message (guint16 id, gboolean is_string, const guint8 * data, gsize len,
    GObject * owner)
{
  GstWrtcSctpDataChannel *self = GST_WRTC_SCTP_DATA_CHANNEL (owner);
  GstWrtcSctpDataChannelSrcPad *spad;
  GstWebRTCDataChannel *obj = NULL;
  GstFlowReturn ret;
  GstPad *pad;
  Entry *e;

  g_mutex_lock (&self->lock);
  e = self->entries ? g_hash_table_lookup (self->entries,
      GUINT_TO_POINTER (id)) : NULL;
  if (e) {
    e->r.messages_received++;
    e->r.bytes_received += len;
    obj = e->object ? g_object_ref (e->object) : NULL;
  }
  g_mutex_unlock (&self->lock);
  if (obj) {
    gst_wrtc_sctp_dc_object_message (obj, is_string, data, len);
    g_object_unref (obj);
  }

  /* a message on one of our channels gets a src pad when it first comes */
  pad = ensure_src_pad (self, id);
  if (!pad)
    return;
  spad = GST_WRTC_SCTP_DATA_CHANNEL_SRC_PAD (pad);
  if (spad->kind != (is_string ? 1 : 0)) {
    GstCaps *caps = gst_caps_new_empty_simple (is_string ? "text/plain" :
        "application/octet-stream");

    gst_wrtc_pad_ensure_sticky (pad, GST_ELEMENT (self), caps);
    gst_caps_unref (caps);
    spad->kind = is_string ? 1 : 0;
  }
  ret = gst_pad_push (pad, len ? gst_buffer_new_memdup (data, len) :
      gst_buffer_new ());
  if (ret != GST_FLOW_OK)
    GST_DEBUG_OBJECT (pad, "message of %" G_GSIZE_FORMAT " bytes: %s", len,
        gst_flow_get_name (ret));
  gst_object_unref (pad);
}

static void
on_channel_closed (guint16 id, GObject * owner)
{
  GstWrtcSctpDataChannel *self = GST_WRTC_SCTP_DATA_CHANNEL (owner);
  GstWebRTCDataChannel *obj = NULL;
  GstPad *pad = NULL;
  Entry *e;

  g_mutex_lock (&self->lock);
  e = self->entries ? g_hash_table_lookup (self->entries,
      GUINT_TO_POINTER (id)) : NULL;
  if (e) {
    e->r.state = GST_WRTC_SCTP_CHANNEL_STATE_CLOSED;
    pad = e->srcpad ? gst_object_ref (e->srcpad) : NULL;
    obj = e->object ? g_object_ref (e->object) : NULL;
  }
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  GST_INFO_OBJECT (self, "channel %u closed", id);
  if (obj) {
    gst_wrtc_sctp_dc_object_closed (obj);
    g_object_unref (obj);
  }
  if (pad) {
    /* RFC 8831 section 6.7: the peer closed it, nothing more comes */
    if (GST_WRTC_SCTP_DATA_CHANNEL_SRC_PAD (pad)->kind < 0) {
      GstCaps *caps = gst_caps_new_empty_simple ("application/octet-stream");

      gst_wrtc_pad_ensure_sticky (pad, GST_ELEMENT (self), caps);
      gst_caps_unref (caps);
      GST_WRTC_SCTP_DATA_CHANNEL_SRC_PAD (pad)->kind = 0;
    }
    gst_pad_push_event (pad, gst_event_new_eos ());
    gst_object_unref (pad);
  }
}

static void
on_buffered_amount_low (guint16 id, GObject * owner)
{
  GstWrtcSctpDataChannel *self = GST_WRTC_SCTP_DATA_CHANNEL (owner);
  GstWebRTCDataChannel *obj;

  obj = lookup_object (self, id);
  g_mutex_lock (&self->lock);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  if (obj) {
    gst_wrtc_sctp_dc_object_buffered_amount_low (obj);
    g_object_unref (obj);
  }
}

static void
on_channels_error (guint16 id, const GError * error, GObject * owner)
{
  GstWrtcSctpDataChannel *self = GST_WRTC_SCTP_DATA_CHANNEL (owner);
  GstWebRTCDataChannel *obj = lookup_object (self, id);

  GST_ELEMENT_WARNING (self, STREAM, DECODE, ("%s", error->message),
      ("data channel on stream %u", id));
  if (obj) {
    gst_wrtc_sctp_dc_object_error (obj, error);
    g_object_unref (obj);
  }
}

static void
on_assoc_state (GstWrtcSctpAssociation * assoc,
    GstWrtcSctpAssociationState state, GstWrtcSctpDataChannel * self)
{
  GError *err;

  g_mutex_lock (&self->lock);
  self->assoc_state = state;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  GST_INFO_OBJECT (self, "SCTP association %s",
      gst_wrtc_sctp_association_state_name (state));
  if (state == GST_WRTC_SCTP_ASSOCIATION_STATE_FAILED) {
    err = gst_wrtc_sctp_association_get_error (assoc);
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED, ("%s", err ? err->message :
            "SCTP association failed"), (NULL));
    g_clear_error (&err);
  }
}

/* ---- request sink pads: one channel each ---- */

/* Opens the pad's channel on its first buffer or EOS. */
static gboolean
ensure_channel (GstWrtcSctpDataChannel * self,
    GstWrtcSctpDataChannelSinkPad * pad, GstWrtcSctpChannels * chans)
{
  GstWrtcSctpChannelOptions opts;
  gchar *label, *protocol;
  GError *err = NULL;
  guint16 id;
  gboolean ok;

  if (pad->channel >= 0)
    return TRUE;
  GST_OBJECT_LOCK (pad);
  gst_wrtc_sctp_dc_pad_channel_to_options (&pad->ch, GST_OBJECT_NAME (pad),
      &opts);
  /* the strings outlive the lock */
  opts.label = label = g_strdup (opts.label);
  opts.protocol = protocol = g_strdup (opts.protocol);
  GST_OBJECT_UNLOCK (pad);

  /* the table tells us about our own channel from inside open() (a
   * negotiated one on a connected association): the entry exists first */
  ok = gst_wrtc_sctp_channels_open (chans, &opts, &id, &err);
  if (ok) {
    Entry *e;
    guint64 low;

    g_mutex_lock (&self->lock);
    if (self->entries) {
      e = g_hash_table_lookup (self->entries, GUINT_TO_POINTER (id));
      if (!e || e->r.remote || e->object)
        entry_add_locked (self, id, FALSE);
    }
    g_mutex_unlock (&self->lock);
    GST_OBJECT_LOCK (self);
    low = self->buffered_amount_low;
    GST_OBJECT_UNLOCK (self);
    gst_wrtc_sctp_channels_set_buffered_amount_low_threshold (chans, id, low);
    GST_OBJECT_LOCK (pad);
    pad->channel = id;
    GST_OBJECT_UNLOCK (pad);
    GST_INFO_OBJECT (pad, "opening channel %u '%s'", id, label);
  } else {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Cannot open data channel "
            "'%s': %s", label, err->message), ("pad %s", GST_PAD_NAME (pad)));
    g_clear_error (&err);
  }
  g_free (label);
  g_free (protocol);
  return ok;
}

/* ---- the application API: create-data-channel ---- */

/* Counts what the application sent on a channel object in the stats. */
static void
on_object_sent (GstWebRTCDataChannel * obj, gsize len, GObject * owner)
{
  GstWrtcSctpDataChannel *self = GST_WRTC_SCTP_DATA_CHANNEL (owner);
  Entry *e;

  g_mutex_lock (&self->lock);
  e = self->entries ? g_hash_table_lookup (self->entries,
      GUINT_TO_POINTER (gst_wrtc_sctp_dc_object_get_stream_id (obj))) : NULL;
  if (e && e->object == obj) {
    e->r.messages_sent++;
    e->r.bytes_sent += len;
  }
  g_mutex_unlock (&self->lock);
}

/* Opens the channel of @obj (one of ours) on @chans and files it. */
static gboolean
open_object (GstWrtcSctpDataChannel * self, GstWrtcSctpChannels * chans,
    GstWebRTCDataChannel * obj, GError ** error)
{
  GstWrtcSctpChannelOptions opts;
  Entry *e;
  guint16 id;

  gst_wrtc_sctp_dc_object_get_options (obj, &opts);
  if (!gst_wrtc_sctp_channels_open (chans, &opts, &id, error))
    return FALSE;
  gst_wrtc_sctp_dc_object_attach (obj, chans, id);
  gst_wrtc_sctp_dc_object_set_sent_func (obj, on_object_sent, G_OBJECT (self));
  g_mutex_lock (&self->lock);
  if (self->entries) {
    e = g_hash_table_lookup (self->entries, GUINT_TO_POINTER (id));
    /* an earlier channel's entry on this id (its object with it) goes to
     * the closed ones */
    if (!e || e->r.remote || e->object)
      e = entry_add_locked (self, id, FALSE);
    e->object = g_object_ref (obj);
  }
  g_mutex_unlock (&self->lock);
  /* a negotiated channel on a connected association was reported open
   * from inside open(), before it had an object */
  if (gst_wrtc_sctp_channels_get_state (chans, id) ==
      GST_WRTC_SCTP_CHANNEL_STATE_OPEN)
    gst_wrtc_sctp_dc_object_opened (obj);
  GST_INFO_OBJECT (self, "channel %u '%s' created", id, opts.label);
  return TRUE;
}

/* The channels created before the association: opened when it starts.
 * One the table refuses then reports on-error and closes. */
static void
open_pending_objects (GstWrtcSctpDataChannel * self,
    GstWrtcSctpChannels * chans)
{
  GList *pending, *l;
  GError *err = NULL;

  g_mutex_lock (&self->lock);
  pending = g_steal_pointer (&self->pending_objects);
  g_mutex_unlock (&self->lock);
  pending = g_list_reverse (pending);
  for (l = pending; l; l = l->next) {
    if (!open_object (self, chans, l->data, &err)) {
      GST_WARNING_OBJECT (self, "cannot open a data channel: %s", err->message);
      gst_wrtc_sctp_dc_object_error (l->data, err);
      gst_wrtc_sctp_dc_object_detach (l->data);
      g_clear_error (&err);
    }
  }
  g_list_free_full (pending, g_object_unref);
}

/* webrtcbin's "create-data-channel": @options as its (ordered,
 * max-packet-lifetime, max-retransmits, protocol, negotiated, id,
 * priority), all optional.  Before the association exists (below PAUSED)
 * the channel waits, "connecting", and opens when it starts.  NULL (and
 * a warning) when the options are refused. */
static GstWebRTCDataChannel *
gst_wrtc_sctp_data_channel_create_data_channel (GstWrtcSctpDataChannel * self,
    const gchar * label, GstStructure * options)
{
  GstWrtcSctpChannelOptions opts;
  GstWrtcSctpChannels *chans;
  GstWebRTCDataChannel *obj = NULL;
  GError *err = NULL;
  gboolean b;
  gint i;

  gst_wrtc_sctp_channel_options_init (&opts);
  opts.label = label;
  if (options) {
    if (gst_structure_get_boolean (options, "ordered", &b))
      opts.ordered = b;
    if (gst_structure_get_int (options, "max-packet-lifetime", &i))
      opts.max_packet_lifetime = i;
    if (gst_structure_get_int (options, "max-retransmits", &i))
      opts.max_retransmits = i;
    opts.protocol = gst_structure_get_string (options, "protocol");
    if (gst_structure_get_boolean (options, "negotiated", &b))
      opts.negotiated = b;
    if (gst_structure_get_int (options, "id", &i))
      opts.id = i;
    if (gst_structure_get_enum (options, "priority",
            GST_TYPE_WEBRTC_PRIORITY_TYPE, &i)
        || gst_structure_get_int (options, "priority", &i))
      opts.priority = gst_wrtc_sctp_dc_priority_to_dcep (i);
  }
  /* W3C createDataChannel(): checked before anything is opened */
  if (opts.negotiated && opts.id < 0) {
    GST_WARNING_OBJECT (self, "a negotiated channel needs an id");
    return NULL;
  }
  if (opts.id > 65534 || (opts.max_retransmits >= 0
          && opts.max_packet_lifetime >= 0)) {
    GST_WARNING_OBJECT (self, "invalid data channel options for '%s'",
        GST_STR_NULL (label));
    return NULL;
  }
  obj = gst_wrtc_sctp_dc_object_new_local (&opts);
  if (!obj)
    return NULL;

  g_mutex_lock (&self->lock);
  chans = self->chans ? g_object_ref (self->chans) : NULL;
  if (!chans)
    self->pending_objects = g_list_prepend (self->pending_objects,
        g_object_ref (obj));
  g_mutex_unlock (&self->lock);
  if (!chans) {
    GST_INFO_OBJECT (self, "channel '%s' opens with the association",
        GST_STR_NULL (label));
    return obj;
  }
  if (!open_object (self, chans, obj, &err)) {
    GST_WARNING_OBJECT (self, "cannot open data channel '%s': %s",
        GST_STR_NULL (label), err->message);
    g_clear_error (&err);
    g_clear_object (&obj);
  }
  g_object_unref (chans);
  return obj;
}

/* Backpressure: blocks while more than buffered-amount-high bytes are
 * queued on @id, until the association reports the low threshold. */
static GstFlowReturn
wait_drained (GstWrtcSctpDataChannel * self, GstWrtcSctpChannels * chans,
    guint16 id)
{
  GstFlowReturn ret = GST_FLOW_OK;
  guint64 high;

  GST_OBJECT_LOCK (self);
  high = self->buffered_amount_high;
  GST_OBJECT_UNLOCK (self);

  g_mutex_lock (&self->lock);
  while (!self->flushing
      && self->assoc_state != GST_WRTC_SCTP_ASSOCIATION_STATE_FAILED
      && self->assoc_state != GST_WRTC_SCTP_ASSOCIATION_STATE_CLOSED
      && gst_wrtc_sctp_channels_get_state (chans, id) !=
      GST_WRTC_SCTP_CHANNEL_STATE_CLOSED
      && gst_wrtc_sctp_channels_get_buffered_amount (chans, id) > high) {
    /* woken by the low threshold; the timeout only re-checks */
    g_cond_wait_until (&self->cond, &self->lock,
        g_get_monotonic_time () + G_TIME_SPAN_SECOND / 5);
  }
  if (self->flushing)
    ret = GST_FLOW_FLUSHING;
  else if (self->assoc_state == GST_WRTC_SCTP_ASSOCIATION_STATE_FAILED)
    ret = GST_FLOW_ERROR;
  g_mutex_unlock (&self->lock);
  return ret;
}

static GstFlowReturn
gst_wrtc_sctp_data_channel_msg_chain (GstPad * pad, GstObject * parent,
    GstBuffer * buf)
{
  GstWrtcSctpDataChannel *self = GST_WRTC_SCTP_DATA_CHANNEL (parent);
  GstWrtcSctpDataChannelSinkPad *spad =
      GST_WRTC_SCTP_DATA_CHANNEL_SINK_PAD (pad);
  GstWrtcSctpChannels *chans = get_channels (self);
  GstFlowReturn ret = GST_FLOW_OK;
  GError *err = NULL;
  GstMapInfo map;
  Entry *e;

  if (!chans) {
    gst_buffer_unref (buf);
    return GST_FLOW_FLUSHING;
  }
  if (spad->closed) {
    ret = GST_FLOW_EOS;
    goto done;
  }
  if (!ensure_channel (self, spad, chans)) {
    ret = GST_FLOW_ERROR;
    goto done;
  }
  gst_buffer_map (buf, &map, GST_MAP_READ);
  if (!gst_wrtc_sctp_channels_send (chans, spad->channel, spad->is_string,
          map.data, map.size, &err)) {
    if (g_error_matches (err, GST_WRTC_SCTP_ERROR,
            GST_WRTC_SCTP_ERROR_TOO_LARGE)) {
      /* the message is lost, the channel goes on */
      GST_ELEMENT_WARNING (self, STREAM, FAILED, ("%s", err->message),
          ("pad %s, channel %d", GST_PAD_NAME (pad), spad->channel));
    } else if (g_error_matches (err, GST_WRTC_SCTP_ERROR,
            GST_WRTC_SCTP_ERROR_STREAM)) {
      GST_INFO_OBJECT (pad, "channel %d: %s", spad->channel, err->message);
      ret = GST_FLOW_EOS;
    } else {
      GST_ELEMENT_ERROR (self, STREAM, FAILED, ("%s", err->message),
          ("pad %s, channel %d", GST_PAD_NAME (pad), spad->channel));
      ret = GST_FLOW_ERROR;
    }
    g_clear_error (&err);
  } else {
    g_mutex_lock (&self->lock);
    e = self->entries ? g_hash_table_lookup (self->entries,
        GUINT_TO_POINTER (spad->channel)) : NULL;
    if (e) {
      e->r.messages_sent++;
      e->r.bytes_sent += map.size;
    }
    g_mutex_unlock (&self->lock);
  }
  gst_buffer_unmap (buf, &map);
  if (ret == GST_FLOW_OK)
    ret = wait_drained (self, chans, spad->channel);

done:
  gst_buffer_unref (buf);
  g_object_unref (chans);
  return ret;
}

static gboolean
gst_wrtc_sctp_data_channel_msg_event (GstPad * pad, GstObject * parent,
    GstEvent * event)
{
  GstWrtcSctpDataChannel *self = GST_WRTC_SCTP_DATA_CHANNEL (parent);
  GstWrtcSctpDataChannelSinkPad *spad =
      GST_WRTC_SCTP_DATA_CHANNEL_SINK_PAD (pad);
  GstWrtcSctpChannels *chans;
  GError *err = NULL;
  GstCaps *caps;

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_CAPS:{
      const gchar *name;

      gst_event_parse_caps (event, &caps);
      name = gst_structure_get_name (gst_caps_get_structure (caps, 0));
      /* RFC 8831 section 8: strings are PPID 51, the rest binary (53) */
      spad->is_string = g_str_equal (name, "text/plain")
          || g_str_equal (name, "text/x-raw");
      break;
    }
    case GST_EVENT_EOS:
      chans = get_channels (self);
      if (chans && !spad->closed && ensure_channel (self, spad, chans)) {
        /* RFC 8831 section 6.7: a reset after what is queued */
        GST_INFO_OBJECT (pad, "EOS: closing channel %d", spad->channel);
        if (!gst_wrtc_sctp_channels_close (chans, spad->channel, &err)) {
          GST_INFO_OBJECT (pad, "channel %d: %s", spad->channel, err->message);
          g_clear_error (&err);
        }
        spad->closed = TRUE;
      }
      if (chans)
        g_object_unref (chans);
      break;
    default:
      break;
  }
  /* nothing goes downstream from a channel's input */
  gst_event_unref (event);
  return TRUE;
}

/* Every pad answers for itself: packets and messages are not one stream,
 * so nothing is forwarded through the element (two elements over a
 * DTLS pair each way form a ring that a forwarded query would go round). */
static gboolean
gst_wrtc_sctp_data_channel_pad_query (GstPad * pad, GstObject * parent,
    GstQuery * query)
{
  GstCaps *caps, *filter;

  switch (GST_QUERY_TYPE (query)) {
    case GST_QUERY_ACCEPT_CAPS:
      gst_query_set_accept_caps_result (query, TRUE);
      return TRUE;
    case GST_QUERY_CAPS:
      gst_query_parse_caps (query, &filter);
      caps = gst_pad_get_current_caps (pad);
      if (!caps)
        caps = gst_pad_get_pad_template_caps (pad);
      if (filter) {
        GstCaps *c = gst_caps_intersect_full (filter, caps,
            GST_CAPS_INTERSECT_FIRST);
        gst_caps_unref (caps);
        caps = c;
      }
      gst_query_set_caps_result (query, caps);
      gst_caps_unref (caps);
      return TRUE;
    default:
      return FALSE;
  }
}

/* Upstream events on the source pads end here (see above). */
static gboolean
gst_wrtc_sctp_data_channel_src_event (GstPad * pad, GstObject * parent,
    GstEvent * event)
{
  gst_event_unref (event);
  return TRUE;
}

/* ---- the always pads ---- */

/* SCTP packets from DTLS (RFC 8261 section 4) */
static GstFlowReturn
gst_wrtc_sctp_data_channel_chain (GstPad * pad, GstObject * parent,
    GstBuffer * buf)
{
  GstWrtcSctpDataChannel *self = GST_WRTC_SCTP_DATA_CHANNEL (parent);
  GstWrtcSctpAssociation *assoc;
  GError *err = NULL;
  GstMapInfo map;

  g_mutex_lock (&self->lock);
  assoc = self->assoc ? g_object_ref (self->assoc) : NULL;
  g_mutex_unlock (&self->lock);
  if (!assoc) {
    gst_buffer_unref (buf);
    return GST_FLOW_FLUSHING;
  }
  gst_buffer_map (buf, &map, GST_MAP_READ);
  if (!gst_wrtc_sctp_association_process (assoc, map.data, map.size, &err)) {
    guint64 n;

    /* bad network input: dropped, never fatal; the first one of a
     * session is a warning, all are counted in the stats */
    g_mutex_lock (&self->lock);
    n = ++self->packets_discarded;
    g_mutex_unlock (&self->lock);
    if (n == 1)
      GST_ELEMENT_WARNING (self, STREAM, DECODE, ("Dropping what is not an "
              "SCTP packet of this association: %s", err->message),
          ("further ones are counted in the stats (packetsDiscarded)"));
    else
      GST_DEBUG_OBJECT (self, "packet dropped: %s", err->message);
    g_clear_error (&err);
  }
  gst_buffer_unmap (buf, &map);
  gst_buffer_unref (buf);
  g_object_unref (assoc);
  return GST_FLOW_OK;
}

static gboolean
gst_wrtc_sctp_data_channel_sink_event (GstPad * pad, GstObject * parent,
    GstEvent * event)
{
  /* packets in, messages out: no event of the DTLS side goes on; an EOS
   * there ends nothing (the association times out or is shut down) */
  gst_event_unref (event);
  return TRUE;
}

/* ---- pads on request ---- */
static GstPad *
gst_wrtc_sctp_data_channel_request_new_pad (GstElement * element,
    GstPadTemplate * templ, const gchar * name, const GstCaps * caps)
{
  GstWrtcSctpDataChannel *self = GST_WRTC_SCTP_DATA_CHANNEL (element);
  GstPad *pad;
  gchar *pad_name;
  guint n;

  if (templ->direction != GST_PAD_SINK)
    return NULL;
  GST_OBJECT_LOCK (self);
  if (name && sscanf (name, "sink_%u", &n) == 1) {
    if (n >= self->next_sink)
      self->next_sink = n + 1;
  } else {
    n = self->next_sink++;
  }
  GST_OBJECT_UNLOCK (self);
  pad_name = g_strdup_printf ("sink_%u", n);
  pad = g_object_new (GST_WRTC_TYPE_SCTP_DATA_CHANNEL_SINK_PAD, "name",
      pad_name, "direction", GST_PAD_SINK, "template", templ, NULL);
  g_free (pad_name);
  gst_pad_set_chain_function (pad,
      GST_DEBUG_FUNCPTR (gst_wrtc_sctp_data_channel_msg_chain));
  gst_pad_set_event_function (pad,
      GST_DEBUG_FUNCPTR (gst_wrtc_sctp_data_channel_msg_event));
  gst_pad_set_query_function (pad,
      GST_DEBUG_FUNCPTR (gst_wrtc_sctp_data_channel_pad_query));
  if (GST_STATE (element) > GST_STATE_READY)
    gst_pad_set_active (pad, TRUE);
  if (!gst_element_add_pad (element, pad)) {
    gst_object_unref (pad);
    return NULL;
  }
  gst_child_proxy_child_added (GST_CHILD_PROXY (self), G_OBJECT (pad),
      GST_PAD_NAME (pad));
  return pad;
}

static void
gst_wrtc_sctp_data_channel_release_pad (GstElement * element, GstPad * pad)
{
  GstWrtcSctpDataChannel *self = GST_WRTC_SCTP_DATA_CHANNEL (element);
  GstWrtcSctpDataChannelSinkPad *spad =
      GST_WRTC_SCTP_DATA_CHANNEL_SINK_PAD (pad);
  GstWrtcSctpChannels *chans = get_channels (self);

  if (chans && spad->channel >= 0 && !spad->closed)
    gst_wrtc_sctp_channels_close (chans, spad->channel, NULL);
  if (chans)
    g_object_unref (chans);
  gst_child_proxy_child_removed (GST_CHILD_PROXY (self), G_OBJECT (pad),
      GST_PAD_NAME (pad));
  gst_pad_set_active (pad, FALSE);
  gst_element_remove_pad (element, pad);
}

/* ---- stats (W3C webrtc-stats: RTCDataChannelStats, RTCSctpTransportStats)
 */
static void
add_entry_stats (GstStructure * stats, Entry * e, guint n)
{
  gst_wrtc_sctp_dc_record_add_stats (&e->r, stats, n, FALSE);
}

static GstStructure *
make_stats (GstWrtcSctpDataChannel * self)
{
  GstStructure *stats, *t;
  GHashTableIter iter;
  gpointer value;
  GList *l;
  guint64 max, remote_max;
  guint n = 0;

  GST_OBJECT_LOCK (self);
  max = self->max_message_size;
  remote_max = self->remote_max_message_size;
  GST_OBJECT_UNLOCK (self);

  stats = gst_structure_new_empty ("sctpdatachannel-stats");
  g_mutex_lock (&self->lock);
  t = gst_structure_new ("sctp-transport",
      "state", G_TYPE_STRING, self->assoc ?
      gst_wrtc_sctp_association_state_name (self->assoc_state) : "new",
      "maxMessageSize", G_TYPE_UINT64, max,
      "remoteMaxMessageSize", G_TYPE_UINT64, remote_max,
      "maxChannels", G_TYPE_UINT, (guint) GST_WRTC_SCTP_MAX_STREAMS,
      /* not W3C's: input dropped as not SCTP of this association */
      "packetsDiscarded", G_TYPE_UINT64, self->packets_discarded, NULL);
  if (self->assoc)
    gst_structure_set (t, "interleaving", G_TYPE_BOOLEAN,
        gst_wrtc_sctp_association_get_interleaving (self->assoc), NULL);
  gst_structure_set (stats, "sctp-transport", GST_TYPE_STRUCTURE, t, NULL);
  gst_structure_free (t);
  if (self->entries) {
    g_hash_table_iter_init (&iter, self->entries);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      add_entry_stats (stats, value, n++);
  }
  for (l = self->closed_entries; l; l = l->next)
    add_entry_stats (stats, l->data, n++);
  g_mutex_unlock (&self->lock);
  return stats;
}

/* ---- state changes ---- */
static gboolean
start_association (GstWrtcSctpDataChannel * self)
{
  static const GstWrtcSctpChannelsFuncs funcs = {
    .channel_open = on_channel_open,
    .message = on_message,
    .channel_closed = on_channel_closed,
    .buffered_amount_low = on_buffered_amount_low,
    .error = on_channels_error,
  };
  GstWrtcSctpAssociation *assoc;
  GstWrtcSctpChannels *chans;
  GError *err = NULL;
  gboolean is_client;
  guint lport, rport;
  guint64 max, remote_max;

  GST_OBJECT_LOCK (self);
  is_client = self->is_client;
  lport = self->local_port;
  rport = self->remote_port;
  max = self->max_message_size;
  remote_max = self->remote_max_message_size;
  GST_OBJECT_UNLOCK (self);

  assoc = gst_wrtc_sctp_association_new (lport, rport, is_client);
  gst_wrtc_sctp_association_set_local_max_message_size (assoc, max);
  gst_wrtc_sctp_association_set_remote_max_message_size (assoc, remote_max);
  gst_wrtc_sctp_association_set_send_func (assoc, assoc_send, G_OBJECT (self));
  chans = gst_wrtc_sctp_channels_new (assoc);
  gst_wrtc_sctp_channels_set_funcs (chans, &funcs, G_OBJECT (self));
  g_signal_connect (assoc, "state-changed", G_CALLBACK (on_assoc_state), self);

  g_mutex_lock (&self->lock);
  self->assoc = assoc;
  self->chans = chans;
  self->entries = g_hash_table_new_full (NULL, NULL, NULL,
      (GDestroyNotify) entry_free);
  self->assoc_state = GST_WRTC_SCTP_ASSOCIATION_STATE_NEW;
  self->flushing = FALSE;
  self->packets_discarded = 0;
  g_mutex_unlock (&self->lock);

  /* RFC 8261 section 5: both ends send INIT */
  if (!gst_wrtc_sctp_association_start (assoc, &err)) {
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED, ("Cannot start the SCTP "
            "association: %s", err->message), (NULL));
    g_clear_error (&err);
    return FALSE;
  }
  open_pending_objects (self, chans);
  return TRUE;
}

static void
stop_association (GstWrtcSctpDataChannel * self, gboolean graceful)
{
  GstWrtcSctpAssociation *assoc;
  GstWrtcSctpChannels *chans;

  g_mutex_lock (&self->lock);
  assoc = g_steal_pointer (&self->assoc);
  chans = g_steal_pointer (&self->chans);
  g_mutex_unlock (&self->lock);
  if (!assoc)
    return;
  gst_wrtc_sctp_channels_set_funcs (chans, NULL, NULL);
  g_signal_handlers_disconnect_by_data (assoc, self);
  if (graceful)
    gst_wrtc_sctp_association_shutdown (assoc);
  else
    gst_wrtc_sctp_association_abort (assoc);
  gst_wrtc_sctp_association_set_send_func (assoc, NULL, NULL);
  g_object_unref (chans);
  g_object_unref (assoc);
}

static void
set_flushing (GstWrtcSctpDataChannel * self, gboolean flushing)
{
  g_mutex_lock (&self->lock);
  self->flushing = flushing;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static void
remove_src_pads_and_reset (GstWrtcSctpDataChannel * self)
{
  GHashTable *entries;
  GList *closed, *pads = NULL, *l;
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&self->lock);
  entries = g_steal_pointer (&self->entries);
  closed = g_steal_pointer (&self->closed_entries);
  self->next_src = 0;
  g_mutex_unlock (&self->lock);

  if (entries) {
    g_hash_table_iter_init (&iter, entries);
    while (g_hash_table_iter_next (&iter, NULL, &value)) {
      Entry *e = value;
      if (e->srcpad)
        pads = g_list_prepend (pads, gst_object_ref (e->srcpad));
    }
  }
  for (l = closed; l; l = l->next) {
    Entry *e = l->data;
    if (e->srcpad)
      pads = g_list_prepend (pads, gst_object_ref (e->srcpad));
  }
  for (l = pads; l; l = l->next) {
    gst_child_proxy_child_removed (GST_CHILD_PROXY (self), l->data,
        GST_PAD_NAME (l->data));
    gst_pad_set_active (l->data, FALSE);
    gst_element_remove_pad (GST_ELEMENT (self), l->data);
  }
  g_list_free_full (pads, gst_object_unref);
  g_list_free_full (closed, (GDestroyNotify) entry_free);
  if (entries)
    g_hash_table_unref (entries);

  /* the sink pads open their channels again in the next session */
  GST_OBJECT_LOCK (self);
  for (l = GST_ELEMENT (self)->sinkpads; l; l = l->next) {
    if (GST_WRTC_IS_SCTP_DATA_CHANNEL_SINK_PAD (l->data)) {
      GstWrtcSctpDataChannelSinkPad *spad = l->data;
      spad->channel = -1;
      spad->closed = FALSE;
    }
  }
  GST_OBJECT_UNLOCK (self);
  g_mutex_lock (&self->push_lock);
  self->src_started = FALSE;
  g_mutex_unlock (&self->push_lock);
}

static GstStateChangeReturn
gst_wrtc_sctp_data_channel_change_state (GstElement * element,
    GstStateChange transition)
{
  GstWrtcSctpDataChannel *self = GST_WRTC_SCTP_DATA_CHANNEL (element);
  GstStateChangeReturn ret;

  switch (transition) {
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      /* a goodbye while the pads are active, then nothing waits */
      stop_association (self, TRUE);
      set_flushing (self, TRUE);
      break;
    default:
      break;
  }

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      if (!start_association (self))
        return GST_STATE_CHANGE_FAILURE;
      /* messages come from the network, like a live source's data */
      ret = GST_STATE_CHANGE_NO_PREROLL;
      break;
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
      ret = GST_STATE_CHANGE_NO_PREROLL;
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      remove_src_pads_and_reset (self);
      break;
    default:
      break;
  }
  return ret;
}

/* ---- GstChildProxy: the pads, so sink_0::label=x works in a launch line */
static GObject *
gst_wrtc_sctp_data_channel_child_proxy_get_child_by_index (GstChildProxy *
    proxy, guint index)
{
  GObject *obj = NULL;

  GST_OBJECT_LOCK (proxy);
  obj = g_list_nth_data (GST_ELEMENT (proxy)->pads, index);
  if (obj)
    gst_object_ref (obj);
  GST_OBJECT_UNLOCK (proxy);
  return obj;
}

static GObject *
gst_wrtc_sctp_data_channel_child_proxy_get_child_by_name (GstChildProxy *
    proxy, const gchar * name)
{
  return (GObject *) gst_element_get_static_pad (GST_ELEMENT (proxy), name);
}

static guint
gst_wrtc_sctp_data_channel_child_proxy_get_children_count (GstChildProxy *
    proxy)
{
  guint count;

  GST_OBJECT_LOCK (proxy);
  count = GST_ELEMENT (proxy)->numpads;
  GST_OBJECT_UNLOCK (proxy);
  return count;
}

static void
gst_wrtc_sctp_data_channel_child_proxy_init (gpointer g_iface,
    gpointer iface_data)
{
  GstChildProxyInterface *iface = g_iface;

  iface->get_child_by_index =
      gst_wrtc_sctp_data_channel_child_proxy_get_child_by_index;
  iface->get_child_by_name =
      gst_wrtc_sctp_data_channel_child_proxy_get_child_by_name;
  iface->get_children_count =
      gst_wrtc_sctp_data_channel_child_proxy_get_children_count;
}

/* ---- GObject ---- */
static void
gst_wrtc_sctp_data_channel_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstWrtcSctpDataChannel *self = GST_WRTC_SCTP_DATA_CHANNEL (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_IS_CLIENT:
      self->is_client = g_value_get_boolean (value);
      break;
    case PROP_LOCAL_PORT:
      self->local_port = g_value_get_uint (value);
      break;
    case PROP_REMOTE_PORT:
      self->remote_port = g_value_get_uint (value);
      break;
    case PROP_MAX_MESSAGE_SIZE:
      self->max_message_size = g_value_get_uint64 (value);
      break;
    case PROP_REMOTE_MAX_MESSAGE_SIZE:
      self->remote_max_message_size = g_value_get_uint64 (value);
      break;
    case PROP_BUFFERED_AMOUNT_HIGH:
      self->buffered_amount_high = g_value_get_uint64 (value);
      break;
    case PROP_BUFFERED_AMOUNT_LOW:
      self->buffered_amount_low = g_value_get_uint64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_wrtc_sctp_data_channel_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstWrtcSctpDataChannel *self = GST_WRTC_SCTP_DATA_CHANNEL (object);

  if (prop_id == PROP_STATS) {
    g_value_take_boxed (value, make_stats (self));
    return;
  }
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_IS_CLIENT:
      g_value_set_boolean (value, self->is_client);
      break;
    case PROP_LOCAL_PORT:
      g_value_set_uint (value, self->local_port);
      break;
    case PROP_REMOTE_PORT:
      g_value_set_uint (value, self->remote_port);
      break;
    case PROP_MAX_MESSAGE_SIZE:
      g_value_set_uint64 (value, self->max_message_size);
      break;
    case PROP_REMOTE_MAX_MESSAGE_SIZE:
      g_value_set_uint64 (value, self->remote_max_message_size);
      break;
    case PROP_BUFFERED_AMOUNT_HIGH:
      g_value_set_uint64 (value, self->buffered_amount_high);
      break;
    case PROP_BUFFERED_AMOUNT_LOW:
      g_value_set_uint64 (value, self->buffered_amount_low);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_wrtc_sctp_data_channel_finalize (GObject * object)
{
  GstWrtcSctpDataChannel *self = GST_WRTC_SCTP_DATA_CHANNEL (object);

  stop_association (self, FALSE);
  if (self->entries)
    g_hash_table_unref (self->entries);
  /* never opened: closed now */
  g_list_foreach (self->pending_objects,
      (GFunc) gst_wrtc_sctp_dc_object_detach, NULL);
  g_list_free_full (self->pending_objects, g_object_unref);
  g_list_free_full (self->closed_entries, (GDestroyNotify) entry_free);
  g_mutex_clear (&self->push_lock);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

#define RW_READY (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS \
    | GST_PARAM_MUTABLE_READY)
#define RW_PLAYING (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS \
    | GST_PARAM_MUTABLE_PLAYING)

static void
gst_wrtc_sctp_data_channel_class_init (GstWrtcSctpDataChannelClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  gobject_class->set_property = gst_wrtc_sctp_data_channel_set_property;
  gobject_class->get_property = gst_wrtc_sctp_data_channel_get_property;
  gobject_class->finalize = gst_wrtc_sctp_data_channel_finalize;

  g_object_class_install_property (gobject_class, PROP_IS_CLIENT,
      g_param_spec_boolean ("is-client", "Is client",
          "Whether we are the DTLS client: the client opens channels on even "
          "stream ids, the server on odd ones (RFC 8832 section 6)",
          DEFAULT_IS_CLIENT, RW_READY));
  g_object_class_install_property (gobject_class, PROP_LOCAL_PORT,
      g_param_spec_uint ("local-port", "Local port",
          "Our SCTP port (SDP a=sctp-port)", 1, G_MAXUINT16, DEFAULT_PORT,
          RW_READY));
  g_object_class_install_property (gobject_class, PROP_REMOTE_PORT,
      g_param_spec_uint ("remote-port", "Remote port",
          "The peer's SCTP port (its SDP a=sctp-port)", 1, G_MAXUINT16,
          DEFAULT_PORT, RW_READY));
  g_object_class_install_property (gobject_class, PROP_MAX_MESSAGE_SIZE,
      g_param_spec_uint64 ("max-message-size", "Max message size",
          "Largest message we accept, in bytes (our SDP a=max-message-size; "
          "0: any)", 0, G_MAXUINT64, DEFAULT_MAX_MESSAGE_SIZE, RW_READY));
  g_object_class_install_property (gobject_class,
      PROP_REMOTE_MAX_MESSAGE_SIZE,
      g_param_spec_uint64 ("remote-max-message-size",
          "Remote max message size",
          "Largest message the peer accepts, in bytes (its SDP "
          "a=max-message-size; 0: any); larger ones fail to send", 0,
          G_MAXUINT64, DEFAULT_REMOTE_MAX_MESSAGE_SIZE, RW_READY));
  g_object_class_install_property (gobject_class, PROP_BUFFERED_AMOUNT_HIGH,
      g_param_spec_uint64 ("buffered-amount-high", "Buffered amount high",
          "Bytes queued on a channel above which its sink pad waits",
          0, G_MAXUINT64, DEFAULT_BUFFERED_AMOUNT_HIGH, RW_PLAYING));
  g_object_class_install_property (gobject_class, PROP_BUFFERED_AMOUNT_LOW,
      g_param_spec_uint64 ("buffered-amount-low", "Buffered amount low",
          "Bytes queued on a channel at or below which a waiting sink pad "
          "goes on", 0, G_MAXUINT64, DEFAULT_BUFFERED_AMOUNT_LOW, RW_READY));
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "W3C statistics: an sctp-transport entry and a data-channel entry "
          "per channel (label, protocol, dataChannelIdentifier, state, "
          "messagesSent, bytesSent, messagesReceived, bytesReceived)",
          GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * GstWrtcSctpDataChannel::create-data-channel:
   * @label: the channel's label
   * @options: (nullable): webrtcbin's options (ordered, max-packet-lifetime,
   *   max-retransmits, protocol, negotiated, id, priority)
   *
   * Opens a channel (RFC 8832 DCEP, or none when negotiated; before
   * PAUSED, once the association starts) and returns its
   * GstWebRTCDataChannel, or NULL for refused options.
   */
  signals[SIGNAL_CREATE_DATA_CHANNEL] =
      g_signal_new_class_handler ("create-data-channel",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_wrtc_sctp_data_channel_create_data_channel), NULL, NULL,
      NULL, GST_TYPE_WEBRTC_DATA_CHANNEL, 2, G_TYPE_STRING, GST_TYPE_STRUCTURE);

  /**
   * GstWrtcSctpDataChannel::on-data-channel:
   * @channel: the GstWebRTCDataChannel the peer opened
   *
   * Emitted for every channel the peer opens, before any of its messages
   * (its src pad appears as well).
   */
  signals[SIGNAL_ON_DATA_CHANNEL] =
      g_signal_new ("on-data-channel", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
      GST_TYPE_WEBRTC_DATA_CHANNEL);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_add_static_pad_template_with_gtype (element_class,
      &msg_sink_template, GST_WRTC_TYPE_SCTP_DATA_CHANNEL_SINK_PAD);
  gst_element_class_add_static_pad_template_with_gtype (element_class,
      &msg_src_template, GST_WRTC_TYPE_SCTP_DATA_CHANNEL_SRC_PAD);
  gst_element_class_set_static_metadata (element_class,
      "WebRTC data channels", "Filter/Network/WebRTC",
      "WebRTC data channels (RFC 8831, DCEP RFC 8832) on one SCTP "
      "association over DTLS (RFC 8261), on usrsctp", "gst-plugins-webrtc");

  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_wrtc_sctp_data_channel_change_state);
  element_class->request_new_pad =
      GST_DEBUG_FUNCPTR (gst_wrtc_sctp_data_channel_request_new_pad);
  element_class->release_pad =
      GST_DEBUG_FUNCPTR (gst_wrtc_sctp_data_channel_release_pad);

  gst_type_mark_as_plugin_api (GST_WRTC_TYPE_SCTP_DATA_CHANNEL_SINK_PAD, 0);
  gst_type_mark_as_plugin_api (GST_WRTC_TYPE_SCTP_DATA_CHANNEL_SRC_PAD, 0);
}

static void
gst_wrtc_sctp_data_channel_init (GstWrtcSctpDataChannel * self)
{
  GstElementClass *klass = GST_ELEMENT_GET_CLASS (self);

  g_mutex_init (&self->push_lock);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->is_client = DEFAULT_IS_CLIENT;
  self->local_port = DEFAULT_PORT;
  self->remote_port = DEFAULT_PORT;
  self->max_message_size = DEFAULT_MAX_MESSAGE_SIZE;
  self->remote_max_message_size = DEFAULT_REMOTE_MAX_MESSAGE_SIZE;
  self->buffered_amount_high = DEFAULT_BUFFERED_AMOUNT_HIGH;
  self->buffered_amount_low = DEFAULT_BUFFERED_AMOUNT_LOW;

  self->sinkpad = gst_pad_new_from_template (gst_element_class_get_pad_template
      (klass, "sink"), "sink");
  gst_pad_set_chain_function (self->sinkpad,
      GST_DEBUG_FUNCPTR (gst_wrtc_sctp_data_channel_chain));
  gst_pad_set_event_function (self->sinkpad,
      GST_DEBUG_FUNCPTR (gst_wrtc_sctp_data_channel_sink_event));
  gst_pad_set_query_function (self->sinkpad,
      GST_DEBUG_FUNCPTR (gst_wrtc_sctp_data_channel_pad_query));
  gst_element_add_pad (GST_ELEMENT (self), self->sinkpad);

  self->srcpad = gst_pad_new_from_template (gst_element_class_get_pad_template
      (klass, "src"), "src");
  gst_pad_use_fixed_caps (self->srcpad);
  gst_pad_set_event_function (self->srcpad,
      GST_DEBUG_FUNCPTR (gst_wrtc_sctp_data_channel_src_event));
  gst_pad_set_query_function (self->srcpad,
      GST_DEBUG_FUNCPTR (gst_wrtc_sctp_data_channel_pad_query));
  gst_element_add_pad (GST_ELEMENT (self), self->srcpad);
}
