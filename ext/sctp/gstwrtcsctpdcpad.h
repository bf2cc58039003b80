/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the channel of a data pad as pad properties, written
 * once for sctpdatachannel's sink_%u/src_%u and the bins' data pads.
 *
 * A sink pad's properties choose the channel it opens (RFC 8832 section
 * 5.1: label, protocol, ordered, max-retransmits, max-packet-lifetime,
 * priority, negotiated, id), set before it opens; a src pad's describe
 * the peer's channel it carries, read-only (label, protocol, ordered,
 * id).  The owner keeps a GstWrtcSctpDcPadChannel under its object lock
 * and forwards get_property and set_property here.
 */
#ifndef __GST_WRTC_SCTP_DC_PAD_H__
#define __GST_WRTC_SCTP_DC_PAD_H__

#include <gst/gst.h>
#include "gstwrtcsctpchannels.h"

G_BEGIN_DECLS typedef enum
{
  GST_WRTC_SCTP_DC_PROP_LABEL = 1,
  GST_WRTC_SCTP_DC_PROP_PROTOCOL,
  GST_WRTC_SCTP_DC_PROP_ORDERED,
  GST_WRTC_SCTP_DC_PROP_MAX_RETRANSMITS,
  GST_WRTC_SCTP_DC_PROP_MAX_PACKET_LIFETIME,
  GST_WRTC_SCTP_DC_PROP_PRIORITY,
  GST_WRTC_SCTP_DC_PROP_NEGOTIATED,
  GST_WRTC_SCTP_DC_PROP_ID,
  GST_WRTC_SCTP_DC_PROP_LAST
} GstWrtcSctpDcProp;

typedef struct
{
  gchar *label;                 /* NULL: the pad's name */
  gchar *protocol;
  gboolean ordered;
  gint max_retransmits, max_packet_lifetime;    /* -1: reliable */
  guint priority;
  gboolean negotiated;
  gint id;                      /* -1: picked when it opens */
} GstWrtcSctpDcPadChannel;

/* ordered, reliable, priority low (256), id -1, protocol "" */
void gst_wrtc_sctp_dc_pad_channel_init (GstWrtcSctpDcPadChannel * c);
void gst_wrtc_sctp_dc_pad_channel_clear (GstWrtcSctpDcPadChannel * c);
/* The properties (ids GST_WRTC_SCTP_DC_PROP_*): every one writable
 * (@sink), or label, protocol, ordered and id read-only. */
void gst_wrtc_sctp_dc_pad_channel_install (GObjectClass * klass, gboolean sink);
/* FALSE for an id that is not one of ours. */
gboolean gst_wrtc_sctp_dc_pad_channel_set (GstWrtcSctpDcPadChannel * c,
    guint prop_id, const GValue * value);
gboolean gst_wrtc_sctp_dc_pad_channel_get (const GstWrtcSctpDcPadChannel * c,
    guint prop_id, GValue * value, const gchar * pad_name);
/* The options to open it with (strings owned by @c; @pad_name the label
 * when it has none). */
void gst_wrtc_sctp_dc_pad_channel_to_options (const GstWrtcSctpDcPadChannel
    * c, const gchar * pad_name, GstWrtcSctpChannelOptions * opts);

G_END_DECLS
#endif
