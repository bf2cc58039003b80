/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: GstWebRTCDataChannel subclass over our channel
 * table (see the header for why the base layout is declared here). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcsctpdcobject.h"

#include <string.h>

GST_DEBUG_CATEGORY_STATIC (gst_wrtc_sctp_dc_object_debug);
#define GST_CAT_DEFAULT gst_wrtc_sctp_dc_object_debug

/* ---- libgstwebrtc 1.22's base class, as its webrtc-priv.h lays it out */
typedef struct
{
  GObject parent;
  GMutex lock;
  gchar *label;
  gboolean ordered;
  guint max_packet_lifetime;
  guint max_retransmits;
  gchar *protocol;
  gboolean negotiated;
  gint id;
  GstWebRTCPriorityType priority;
  GstWebRTCDataChannelState ready_state;
  guint64 buffered_amount;
  guint64 buffered_amount_low_threshold;
  gpointer _padding[GST_PADDING];
} BaseInstance;

typedef struct
{
  GObjectClass parent_class;
    gboolean (*send_data) (GstWebRTCDataChannel * channel, GBytes * data,
      GError ** error);
    gboolean (*send_string) (GstWebRTCDataChannel * channel, const gchar * str,
      GError ** error);
  void (*close) (GstWebRTCDataChannel * channel);
  gpointer _padding[GST_PADDING];
} BaseClass;

/* exported by libgstwebrtc 1.22, declared only in its private header */
void gst_webrtc_data_channel_on_open (GstWebRTCDataChannel * channel);
void gst_webrtc_data_channel_on_close (GstWebRTCDataChannel * channel);
void gst_webrtc_data_channel_on_error (GstWebRTCDataChannel * channel,
    GError * error);
void gst_webrtc_data_channel_on_message_data (GstWebRTCDataChannel * channel,
    GBytes * data);
void gst_webrtc_data_channel_on_message_string (GstWebRTCDataChannel *
    channel, const gchar * str);
void gst_webrtc_data_channel_on_buffered_amount_low (GstWebRTCDataChannel *
    channel);

#define BASE(o) ((BaseInstance *) (o))

typedef struct
{
  BaseInstance parent;
} GstWrtcSctpDcObject;

typedef struct
{
  BaseClass parent_class;
} GstWrtcSctpDcObjectClass;

typedef struct
{
  GMutex lock;
  GstWrtcSctpChannels *chans;   /* NULL once detached */
  guint16 id;
  gboolean opened;              /* on-open emitted */
  GstWrtcSctpDcObjectSentFunc sent_func;
  GWeakRef sent_owner;
} GstWrtcSctpDcObjectPrivate;

enum
{
  PROP_0,
  PROP_BUFFERED_AMOUNT,
  PROP_BUFFERED_AMOUNT_LOW_THRESHOLD,
};

G_DEFINE_TYPE_WITH_CODE (GstWrtcSctpDcObject, gst_wrtc_sctp_dc_object,
    GST_TYPE_WEBRTC_DATA_CHANNEL, G_ADD_PRIVATE (GstWrtcSctpDcObject);
    GST_DEBUG_CATEGORY_INIT (gst_wrtc_sctp_dc_object_debug,
        "sctpdcobject", 0, "sctpdatachannel channel objects"));

#define PRIV(o) ((GstWrtcSctpDcObjectPrivate *) \
    gst_wrtc_sctp_dc_object_get_instance_private ((GstWrtcSctpDcObject *) (o)))

static gboolean layout_ok;

/* ---- priorities: RFC 8832 section 5.1 and W3C RTCPriorityType ---- */
GstWebRTCPriorityType
gst_wrtc_sctp_dc_priority_from_dcep (guint16 p)
{
  if (p <= 128)
    return GST_WEBRTC_PRIORITY_TYPE_VERY_LOW;
  if (p <= 256)
    return GST_WEBRTC_PRIORITY_TYPE_LOW;
  if (p <= 512)
    return GST_WEBRTC_PRIORITY_TYPE_MEDIUM;
  return GST_WEBRTC_PRIORITY_TYPE_HIGH;
}

guint16
gst_wrtc_sctp_dc_priority_to_dcep (GstWebRTCPriorityType p)
{
  switch (p) {
    case GST_WEBRTC_PRIORITY_TYPE_VERY_LOW:
      return 128;
    case GST_WEBRTC_PRIORITY_TYPE_MEDIUM:
      return 512;
    case GST_WEBRTC_PRIORITY_TYPE_HIGH:
      return 1024;
    case GST_WEBRTC_PRIORITY_TYPE_LOW:
    default:
      return 256;
  }
}

static void
set_ready_state (GstWebRTCDataChannel * obj, GstWebRTCDataChannelState s)
{
  gboolean changed;

  g_mutex_lock (&BASE (obj)->lock);
  changed = BASE (obj)->ready_state != s;
  BASE (obj)->ready_state = s;
  g_mutex_unlock (&BASE (obj)->lock);
  if (changed)
    g_object_notify (G_OBJECT (obj), "ready-state");
}

static GstWebRTCDataChannelState
get_ready_state (GstWebRTCDataChannel * obj)
{
  GstWebRTCDataChannelState s;

  g_mutex_lock (&BASE (obj)->lock);
  s = BASE (obj)->ready_state;
  g_mutex_unlock (&BASE (obj)->lock);
  return s;
}

static GstWrtcSctpChannels *
get_chans (GstWebRTCDataChannel * obj, guint16 * id)
{
  GstWrtcSctpDcObjectPrivate *priv = PRIV (obj);
  GstWrtcSctpChannels *c;

  g_mutex_lock (&priv->lock);
  c = priv->chans ? g_object_ref (priv->chans) : NULL;
  *id = priv->id;
  g_mutex_unlock (&priv->lock);
  return c;
}

/* W3C send(): only on an open channel (InvalidStateError otherwise) */
static gboolean
send_message (GstWebRTCDataChannel * obj, gboolean is_string,
    const guint8 * data, gsize len, GError ** error)
{
  GstWrtcSctpChannels *chans;
  GError *err = NULL;
  guint16 id;
  gboolean ok;

  chans = get_chans (obj, &id);
  if (!chans || get_ready_state (obj) != GST_WEBRTC_DATA_CHANNEL_STATE_OPEN) {
    g_set_error (&err, GST_WEBRTC_ERROR,
        GST_WEBRTC_ERROR_INVALID_STATE, "data channel is not open");
    ok = FALSE;
  } else {
    ok = gst_wrtc_sctp_channels_send (chans, id, is_string, data, len, &err);
  }
  if (chans)
    g_object_unref (chans);
  if (ok) {
    GstWrtcSctpDcObjectPrivate *priv = PRIV (obj);
    GstWrtcSctpDcObjectSentFunc func;
    GObject *owner;

    g_mutex_lock (&priv->lock);
    func = priv->sent_func;
    g_mutex_unlock (&priv->lock);
    if (func && (owner = g_weak_ref_get (&priv->sent_owner))) {
      func (obj, len, owner);
      g_object_unref (owner);
    }
  } else {
    GST_WARNING_OBJECT (obj, "cannot send: %s", err->message);
    /* the signal form has no return value: tell on-error too */
    gst_wrtc_sctp_dc_object_error (obj, err);
    g_propagate_error (error, err);
  }
  return ok;
}

static gboolean
gst_wrtc_sctp_dc_object_send_data (GstWebRTCDataChannel * obj, GBytes * data,
    GError ** error)
{
  gsize len = 0;
  const guint8 *d = data ? g_bytes_get_data (data, &len) : NULL;

  return send_message (obj, FALSE, d, len, error);
}

static gboolean
gst_wrtc_sctp_dc_object_send_string (GstWebRTCDataChannel * obj,
    const gchar * str, GError ** error)
{
  return send_message (obj, TRUE, (const guint8 *) str, str ? strlen (str) : 0,
      error);
}

/* RFC 8831 section 6.7: closing resets the stream; closed follows when
 * the peer's reset arrives (gst_wrtc_sctp_dc_object_closed()). */
static void
gst_wrtc_sctp_dc_object_close (GstWebRTCDataChannel * obj)
{
  GstWrtcSctpChannels *chans;
  GError *err = NULL;
  GstWebRTCDataChannelState s = get_ready_state (obj);
  guint16 id;

  if (s == GST_WEBRTC_DATA_CHANNEL_STATE_CLOSING
      || s == GST_WEBRTC_DATA_CHANNEL_STATE_CLOSED)
    return;
  set_ready_state (obj, GST_WEBRTC_DATA_CHANNEL_STATE_CLOSING);
  chans = get_chans (obj, &id);
  if (!chans || !gst_wrtc_sctp_channels_close (chans, id, &err)) {
    GST_INFO_OBJECT (obj, "closed at once: %s", err ? err->message :
        "no association");
    g_clear_error (&err);
    gst_webrtc_data_channel_on_close (obj);
  }
  if (chans)
    g_object_unref (chans);
}

static void
gst_wrtc_sctp_dc_object_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstWebRTCDataChannel *obj = GST_WRTC_SCTP_DC_OBJECT (object);
  GstWrtcSctpChannels *chans;
  guint16 id;

  switch (prop_id) {
    case PROP_BUFFERED_AMOUNT:
      /* live from the table: what is queued and unacknowledged */
      chans = get_chans (obj, &id);
      g_value_set_uint64 (value, chans ?
          gst_wrtc_sctp_channels_get_buffered_amount (chans, id) : 0);
      if (chans)
        g_object_unref (chans);
      break;
    case PROP_BUFFERED_AMOUNT_LOW_THRESHOLD:
      g_mutex_lock (&BASE (obj)->lock);
      g_value_set_uint64 (value, BASE (obj)->buffered_amount_low_threshold);
      g_mutex_unlock (&BASE (obj)->lock);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_wrtc_sctp_dc_object_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstWebRTCDataChannel *obj = GST_WRTC_SCTP_DC_OBJECT (object);
  GstWrtcSctpChannels *chans;
  guint64 t;
  guint16 id;

  switch (prop_id) {
    case PROP_BUFFERED_AMOUNT_LOW_THRESHOLD:
      t = g_value_get_uint64 (value);
      g_mutex_lock (&BASE (obj)->lock);
      BASE (obj)->buffered_amount_low_threshold = t;
      g_mutex_unlock (&BASE (obj)->lock);
      chans = get_chans (obj, &id);
      if (chans) {
        gst_wrtc_sctp_channels_set_buffered_amount_low_threshold (chans, id, t);
        g_object_unref (chans);
      }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_wrtc_sctp_dc_object_finalize (GObject * object)
{
  GstWrtcSctpDcObjectPrivate *priv = PRIV (object);

  g_clear_object (&priv->chans);
  g_weak_ref_clear (&priv->sent_owner);
  g_mutex_clear (&priv->lock);
  G_OBJECT_CLASS (gst_wrtc_sctp_dc_object_parent_class)->finalize (object);
}

static void
gst_wrtc_sctp_dc_object_class_init (GstWrtcSctpDcObjectClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  BaseClass *base_class = (BaseClass *) klass;
  GTypeQuery q;

  g_type_query (GST_TYPE_WEBRTC_DATA_CHANNEL, &q);
  layout_ok = q.instance_size == sizeof (BaseInstance)
      && q.class_size == sizeof (BaseClass);
  if (!layout_ok) {
    g_critical ("libgstwebrtc's GstWebRTCDataChannel is %u/%u bytes, "
        "expected %u/%u (1.22's layout): channel objects disabled",
        q.instance_size, q.class_size, (guint) sizeof (BaseInstance),
        (guint) sizeof (BaseClass));
    return;
  }

  gobject_class->get_property = gst_wrtc_sctp_dc_object_get_property;
  gobject_class->set_property = gst_wrtc_sctp_dc_object_set_property;
  gobject_class->finalize = gst_wrtc_sctp_dc_object_finalize;
  base_class->send_data = gst_wrtc_sctp_dc_object_send_data;
  base_class->send_string = gst_wrtc_sctp_dc_object_send_string;
  base_class->close = gst_wrtc_sctp_dc_object_close;

  g_object_class_override_property (gobject_class, PROP_BUFFERED_AMOUNT,
      "buffered-amount");
  g_object_class_override_property (gobject_class,
      PROP_BUFFERED_AMOUNT_LOW_THRESHOLD, "buffered-amount-low-threshold");
}

static void
gst_wrtc_sctp_dc_object_init (GstWrtcSctpDcObject * self)
{
  GstWrtcSctpDcObjectPrivate *priv = PRIV (self);

  g_mutex_init (&priv->lock);
  g_weak_ref_init (&priv->sent_owner, NULL);
  /* W3C: a new channel is "connecting" */
  BASE (self)->ready_state = GST_WEBRTC_DATA_CHANNEL_STATE_CONNECTING;
}

GstWebRTCDataChannel *
gst_wrtc_sctp_dc_object_new (GstWrtcSctpChannels * chans, guint16 id,
    gboolean remote)
{
  GstWrtcSctpChannelInfo info;
  GstWebRTCDataChannel *obj;
  GstWrtcSctpDcObjectPrivate *priv;

  g_return_val_if_fail (GST_WRTC_IS_SCTP_CHANNELS (chans), NULL);
  /* class_init ran with a foreign layout: no object rather than a
   * corrupt one */
  g_type_class_unref (g_type_class_ref (GST_WRTC_TYPE_SCTP_DC_OBJECT));
  if (!layout_ok)
    return NULL;
  if (!gst_wrtc_sctp_channels_get_info (chans, id, &info))
    return NULL;
  obj = g_object_new (GST_WRTC_TYPE_SCTP_DC_OBJECT,
      "label", info.label ? info.label : "",
      "protocol", info.protocol ? info.protocol : "",
      "ordered", info.ordered,
      "max-retransmits", info.max_retransmits,
      "max-packet-lifetime", info.max_packet_lifetime,
      "negotiated", info.negotiated, "id", (gint) id,
      "priority", gst_wrtc_sctp_dc_priority_from_dcep (info.priority), NULL);
  gst_wrtc_sctp_channel_info_clear (&info);
  priv = PRIV (obj);
  priv->chans = g_object_ref (chans);
  priv->id = id;
  /* W3C "announce the channel as open": the peer's channel is open when
   * the application gets it; on-open follows */
  if (remote)
    BASE (obj)->ready_state = GST_WEBRTC_DATA_CHANNEL_STATE_OPEN;
  return obj;
}

GstWebRTCDataChannel *
gst_wrtc_sctp_dc_object_new_local (const GstWrtcSctpChannelOptions * opts)
{
  g_type_class_unref (g_type_class_ref (GST_WRTC_TYPE_SCTP_DC_OBJECT));
  if (!layout_ok)
    return NULL;
  return g_object_new (GST_WRTC_TYPE_SCTP_DC_OBJECT,
      "label", opts->label ? opts->label : "",
      "protocol", opts->protocol ? opts->protocol : "",
      "ordered", opts->ordered,
      "max-retransmits", opts->max_retransmits,
      "max-packet-lifetime", opts->max_packet_lifetime,
      "negotiated", opts->negotiated, "id", opts->id,
      "priority", gst_wrtc_sctp_dc_priority_from_dcep (opts->priority), NULL);
}

void
gst_wrtc_sctp_dc_object_attach (GstWebRTCDataChannel * obj,
    GstWrtcSctpChannels * chans, guint16 id)
{
  GstWrtcSctpDcObjectPrivate *priv = PRIV (obj);
  guint64 threshold;

  g_mutex_lock (&priv->lock);
  g_clear_object (&priv->chans);
  priv->chans = g_object_ref (chans);
  priv->id = id;
  g_mutex_unlock (&priv->lock);
  g_mutex_lock (&BASE (obj)->lock);
  BASE (obj)->id = id;
  threshold = BASE (obj)->buffered_amount_low_threshold;
  g_mutex_unlock (&BASE (obj)->lock);
  gst_wrtc_sctp_channels_set_buffered_amount_low_threshold (chans, id,
      threshold);
  g_object_notify (G_OBJECT (obj), "id");
}

void
gst_wrtc_sctp_dc_object_get_options (GstWebRTCDataChannel * obj,
    GstWrtcSctpChannelOptions * opts)
{
  BaseInstance *b = BASE (obj);

  gst_wrtc_sctp_channel_options_init (opts);
  /* construct-only: they do not change under us */
  opts->label = b->label;
  opts->protocol = b->protocol;
  opts->ordered = b->ordered;
  opts->max_retransmits = (gint) b->max_retransmits;
  opts->max_packet_lifetime = (gint) b->max_packet_lifetime;
  opts->negotiated = b->negotiated;
  opts->id = b->id;
  opts->priority = gst_wrtc_sctp_dc_priority_to_dcep (b->priority);
}

void
gst_wrtc_sctp_dc_object_set_sent_func (GstWebRTCDataChannel * obj,
    GstWrtcSctpDcObjectSentFunc func, GObject * owner)
{
  GstWrtcSctpDcObjectPrivate *priv = PRIV (obj);

  g_mutex_lock (&priv->lock);
  priv->sent_func = func;
  g_mutex_unlock (&priv->lock);
  g_weak_ref_set (&priv->sent_owner, owner);
}

guint16
gst_wrtc_sctp_dc_object_get_stream_id (GstWebRTCDataChannel * obj)
{
  return PRIV (obj)->id;
}

void
gst_wrtc_sctp_dc_object_opened (GstWebRTCDataChannel * obj)
{
  GstWrtcSctpDcObjectPrivate *priv = PRIV (obj);
  gboolean first;

  /* the table may report it while the element attaches the object, and
   * the element checks the state after: on-open once */
  g_mutex_lock (&priv->lock);
  first = !priv->opened;
  priv->opened = TRUE;
  g_mutex_unlock (&priv->lock);
  if (first)
    gst_webrtc_data_channel_on_open (obj);
}

void
gst_wrtc_sctp_dc_object_message (GstWebRTCDataChannel * obj,
    gboolean is_string, const guint8 * data, gsize len)
{
  /* W3C: an empty message is an empty string or buffer (RFC 8831
   * section 6.6's empty PPIDs), never NULL */
  if (is_string) {
    gchar *s = len ? g_strndup ((const gchar *) data, len) : g_strdup ("");

    gst_webrtc_data_channel_on_message_string (obj, s);
    g_free (s);
  } else {
    GBytes *b = g_bytes_new (data, len);

    gst_webrtc_data_channel_on_message_data (obj, b);
    g_bytes_unref (b);
  }
}

void
gst_wrtc_sctp_dc_object_closed (GstWebRTCDataChannel * obj)
{
  /* W3C: closing (the peer's reset) before closed */
  if (get_ready_state (obj) != GST_WEBRTC_DATA_CHANNEL_STATE_CLOSED)
    set_ready_state (obj, GST_WEBRTC_DATA_CHANNEL_STATE_CLOSING);
  gst_webrtc_data_channel_on_close (obj);
}

void
gst_wrtc_sctp_dc_object_buffered_amount_low (GstWebRTCDataChannel * obj)
{
  gst_webrtc_data_channel_on_buffered_amount_low (obj);
}

void
gst_wrtc_sctp_dc_object_error (GstWebRTCDataChannel * obj, const GError * error)
{
  /* 1.22's on_error() only emits: the error stays the caller's, though
   * its documentation says "transfer full" */
  gst_webrtc_data_channel_on_error (obj, (GError *) error);
}

void
gst_wrtc_sctp_dc_object_detach (GstWebRTCDataChannel * obj)
{
  GstWrtcSctpDcObjectPrivate *priv = PRIV (obj);
  GstWrtcSctpChannels *chans;

  g_mutex_lock (&priv->lock);
  chans = g_steal_pointer (&priv->chans);
  g_mutex_unlock (&priv->lock);
  if (chans)
    g_object_unref (chans);
  if (get_ready_state (obj) != GST_WEBRTC_DATA_CHANNEL_STATE_CLOSED)
    gst_wrtc_sctp_dc_object_closed (obj);
}

/* ---- the stats record ---- */
void
gst_wrtc_sctp_dc_record_init (GstWrtcSctpDcRecord * r,
    GstWrtcSctpChannels * chans, guint16 id, gboolean remote)
{
  GstWrtcSctpChannelInfo info;

  memset (r, 0, sizeof (*r));
  r->id = id;
  r->remote = remote;
  r->state = GST_WRTC_SCTP_CHANNEL_STATE_CONNECTING;
  if (chans && gst_wrtc_sctp_channels_get_info (chans, id, &info)) {
    r->label = g_steal_pointer (&info.label);
    r->protocol = g_steal_pointer (&info.protocol);
    r->state = info.state;
    gst_wrtc_sctp_channel_info_clear (&info);
  } else {
    r->label = g_strdup ("");
    r->protocol = g_strdup ("");
  }
}

void
gst_wrtc_sctp_dc_record_clear (GstWrtcSctpDcRecord * r)
{
  g_clear_pointer (&r->label, g_free);
  g_clear_pointer (&r->protocol, g_free);
}

void
gst_wrtc_sctp_dc_record_add_stats (const GstWrtcSctpDcRecord * r,
    GstStructure * stats, guint n, gboolean dropped)
{
  GstStructure *s;
  gchar *field;

  s = gst_structure_new ("data-channel",
      "label", G_TYPE_STRING, r->label,
      "protocol", G_TYPE_STRING, r->protocol,
      "dataChannelIdentifier", G_TYPE_UINT, (guint) r->id,
      "state", G_TYPE_STRING, gst_wrtc_sctp_channel_state_name (r->state),
      "messagesSent", G_TYPE_UINT64, r->messages_sent,
      "bytesSent", G_TYPE_UINT64, r->bytes_sent,
      "messagesReceived", G_TYPE_UINT64, r->messages_received,
      "bytesReceived", G_TYPE_UINT64, r->bytes_received, NULL);
  if (dropped)
    gst_structure_set (s, "messagesDropped", G_TYPE_UINT64,
        r->messages_dropped, NULL);
  /* W3C ids: unique within the report */
  field = g_strdup_printf ("data-channel-%u", n);
  gst_structure_set (stats, field, GST_TYPE_STRUCTURE, s, NULL);
  gst_structure_free (s);
  g_free (field);
}
