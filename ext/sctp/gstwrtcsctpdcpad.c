/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the channel of a data pad as pad properties (see the
 * header). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcsctpdcpad.h"

/* RFC 8832 section 5.1 / W3C "low", the default */
#define DEFAULT_PRIORITY 256

void
gst_wrtc_sctp_dc_pad_channel_init (GstWrtcSctpDcPadChannel * c)
{
  c->label = NULL;
  c->protocol = g_strdup ("");
  c->ordered = TRUE;
  c->max_retransmits = -1;
  c->max_packet_lifetime = -1;
  c->priority = DEFAULT_PRIORITY;
  c->negotiated = FALSE;
  c->id = -1;
}

void
gst_wrtc_sctp_dc_pad_channel_clear (GstWrtcSctpDcPadChannel * c)
{
  g_clear_pointer (&c->label, g_free);
  g_clear_pointer (&c->protocol, g_free);
}

void
gst_wrtc_sctp_dc_pad_channel_install (GObjectClass * klass, gboolean sink)
{
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
      | GST_PARAM_MUTABLE_READY;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  if (!sink) {
    g_object_class_install_property (klass, GST_WRTC_SCTP_DC_PROP_LABEL,
        g_param_spec_string ("label", "Label",
            "Label the peer gave the channel", NULL, ro));
    g_object_class_install_property (klass, GST_WRTC_SCTP_DC_PROP_PROTOCOL,
        g_param_spec_string ("protocol", "Protocol",
            "Sub-protocol the peer gave the channel", NULL, ro));
    g_object_class_install_property (klass, GST_WRTC_SCTP_DC_PROP_ORDERED,
        g_param_spec_boolean ("ordered", "Ordered",
            "Whether the channel delivers messages in order", TRUE, ro));
    g_object_class_install_property (klass, GST_WRTC_SCTP_DC_PROP_ID,
        g_param_spec_int ("id", "ID", "SCTP stream id of the channel", -1,
            GST_WRTC_SCTP_MAX_STREAMS - 1, -1, ro));
    return;
  }
  g_object_class_install_property (klass, GST_WRTC_SCTP_DC_PROP_LABEL,
      g_param_spec_string ("label", "Label",
          "Label of the channel this pad opens (default: the pad's name)",
          NULL, rw));
  g_object_class_install_property (klass, GST_WRTC_SCTP_DC_PROP_PROTOCOL,
      g_param_spec_string ("protocol", "Protocol",
          "Sub-protocol of the channel (RFC 8832 section 5.1)", "", rw));
  g_object_class_install_property (klass, GST_WRTC_SCTP_DC_PROP_ORDERED,
      g_param_spec_boolean ("ordered", "Ordered",
          "Whether messages arrive in the order they were sent", TRUE, rw));
  g_object_class_install_property (klass,
      GST_WRTC_SCTP_DC_PROP_MAX_RETRANSMITS,
      g_param_spec_int ("max-retransmits", "Max retransmits",
          "Retransmissions of a message before it is given up "
          "(-1: reliable)", -1, G_MAXUINT16, -1, rw));
  g_object_class_install_property (klass,
      GST_WRTC_SCTP_DC_PROP_MAX_PACKET_LIFETIME,
      g_param_spec_int ("max-packet-lifetime", "Max packet lifetime",
          "Milliseconds a message may be retransmitted for before it is "
          "given up (-1: reliable)", -1, G_MAXUINT16, -1, rw));
  g_object_class_install_property (klass, GST_WRTC_SCTP_DC_PROP_PRIORITY,
      g_param_spec_uint ("priority", "Priority",
          "Priority of the channel (RFC 8832 section 5.1: 128 very low, "
          "256 low, 512 medium, 1024 high)", 0, G_MAXUINT16,
          DEFAULT_PRIORITY, rw));
  g_object_class_install_property (klass, GST_WRTC_SCTP_DC_PROP_NEGOTIATED,
      g_param_spec_boolean ("negotiated", "Negotiated",
          "Whether the channel was agreed out of band (no DCEP; needs id)",
          FALSE, rw));
  g_object_class_install_property (klass, GST_WRTC_SCTP_DC_PROP_ID,
      g_param_spec_int ("id", "ID",
          "SCTP stream id of the channel (-1: picked when it opens)", -1,
          GST_WRTC_SCTP_MAX_STREAMS - 1, -1, rw));
}

gboolean
gst_wrtc_sctp_dc_pad_channel_set (GstWrtcSctpDcPadChannel * c,
    guint prop_id, const GValue * value)
{
  switch (prop_id) {
    case GST_WRTC_SCTP_DC_PROP_LABEL:
      g_free (c->label);
      c->label = g_value_dup_string (value);
      break;
    case GST_WRTC_SCTP_DC_PROP_PROTOCOL:
      g_free (c->protocol);
      c->protocol = g_value_dup_string (value);
      break;
    case GST_WRTC_SCTP_DC_PROP_ORDERED:
      c->ordered = g_value_get_boolean (value);
      break;
    case GST_WRTC_SCTP_DC_PROP_MAX_RETRANSMITS:
      c->max_retransmits = g_value_get_int (value);
      break;
    case GST_WRTC_SCTP_DC_PROP_MAX_PACKET_LIFETIME:
      c->max_packet_lifetime = g_value_get_int (value);
      break;
    case GST_WRTC_SCTP_DC_PROP_PRIORITY:
      c->priority = g_value_get_uint (value);
      break;
    case GST_WRTC_SCTP_DC_PROP_NEGOTIATED:
      c->negotiated = g_value_get_boolean (value);
      break;
    case GST_WRTC_SCTP_DC_PROP_ID:
      c->id = g_value_get_int (value);
      break;
    default:
      return FALSE;
  }
  return TRUE;
}

gboolean
gst_wrtc_sctp_dc_pad_channel_get (const GstWrtcSctpDcPadChannel * c,
    guint prop_id, GValue * value, const gchar * pad_name)
{
  switch (prop_id) {
    case GST_WRTC_SCTP_DC_PROP_LABEL:
      g_value_set_string (value, c->label ? c->label : pad_name);
      break;
    case GST_WRTC_SCTP_DC_PROP_PROTOCOL:
      g_value_set_string (value, c->protocol ? c->protocol : "");
      break;
    case GST_WRTC_SCTP_DC_PROP_ORDERED:
      g_value_set_boolean (value, c->ordered);
      break;
    case GST_WRTC_SCTP_DC_PROP_MAX_RETRANSMITS:
      g_value_set_int (value, c->max_retransmits);
      break;
    case GST_WRTC_SCTP_DC_PROP_MAX_PACKET_LIFETIME:
      g_value_set_int (value, c->max_packet_lifetime);
      break;
    case GST_WRTC_SCTP_DC_PROP_PRIORITY:
      g_value_set_uint (value, c->priority);
      break;
    case GST_WRTC_SCTP_DC_PROP_NEGOTIATED:
      g_value_set_boolean (value, c->negotiated);
      break;
    case GST_WRTC_SCTP_DC_PROP_ID:
      g_value_set_int (value, c->id);
      break;
    default:
      return FALSE;
  }
  return TRUE;
}

void
gst_wrtc_sctp_dc_pad_channel_to_options (const GstWrtcSctpDcPadChannel * c,
    const gchar * pad_name, GstWrtcSctpChannelOptions * opts)
{
  gst_wrtc_sctp_channel_options_init (opts);
  opts->label = c->label ? c->label : pad_name;
  opts->protocol = c->protocol;
  opts->ordered = c->ordered;
  opts->max_retransmits = c->max_retransmits;
  opts->max_packet_lifetime = c->max_packet_lifetime;
  opts->priority = c->priority;
  opts->negotiated = c->negotiated;
  opts->id = c->id;
}
