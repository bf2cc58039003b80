/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the channel objects of sctpdatachannel's
 * application API, subclasses of libgstwebrtc's GstWebRTCDataChannel so
 * code written for webrtcbin's channels works unchanged.
 *
 * libgstwebrtc 1.22 installs the type (datachannel.h) but not the layout
 * of its instance and class structures nor the prototypes of the
 * helpers subclasses call (they are in its uninstalled webrtc-priv.h,
 * although the helpers are exported).  gstwrtcsctpdcobject.c declares
 * that 1.22 layout and checks it against the sizes GType reports at
 * class_init: a libgstwebrtc whose layout differs is refused there with a
 * critical, never written out of bounds.
 *
 * A channel object is a view of one entry of a GstWrtcSctpChannels table:
 * it sends through the table, and the element forwards the table's
 * callbacks to the *_on_* functions below. */
#ifndef __GST_WRTC_SCTP_DC_OBJECT_H__
#define __GST_WRTC_SCTP_DC_OBJECT_H__

#include <gst/webrtc/webrtc.h>
#include "gstwrtcsctpchannels.h"

G_BEGIN_DECLS
#define GST_WRTC_TYPE_SCTP_DC_OBJECT (gst_wrtc_sctp_dc_object_get_type ())
    GType gst_wrtc_sctp_dc_object_get_type (void);
#define GST_WRTC_SCTP_DC_OBJECT(o) (G_TYPE_CHECK_INSTANCE_CAST ((o), \
    GST_WRTC_TYPE_SCTP_DC_OBJECT, GstWebRTCDataChannel))
#define GST_WRTC_IS_SCTP_DC_OBJECT(o) (G_TYPE_CHECK_INSTANCE_TYPE ((o), \
    GST_WRTC_TYPE_SCTP_DC_OBJECT))

/* A channel object for @id of @chans (held), its construct-only
 * properties from the table's info; ready-state "connecting", or "open"
 * for a @remote channel (the peer opened it: announced open). */
GstWebRTCDataChannel *gst_wrtc_sctp_dc_object_new (GstWrtcSctpChannels *
    chans, guint16 id, gboolean remote);
/* One of ours (create-data-channel), from @opts, not yet on a table:
 * "connecting", sends fail until gst_wrtc_sctp_dc_object_attach(). */
GstWebRTCDataChannel *gst_wrtc_sctp_dc_object_new_local (const
    GstWrtcSctpChannelOptions * opts);
/* @obj is stream @id of @chans (held) from now on: its id property is
 * @id, its buffered-amount-low-threshold goes to the table. */
void gst_wrtc_sctp_dc_object_attach (GstWebRTCDataChannel * obj,
    GstWrtcSctpChannels * chans, guint16 id);
/* Its options, to open it (strings owned by @obj, valid while it is). */
void gst_wrtc_sctp_dc_object_get_options (GstWebRTCDataChannel * obj,
    GstWrtcSctpChannelOptions * opts);
guint16 gst_wrtc_sctp_dc_object_get_stream_id (GstWebRTCDataChannel * obj);

/* Called after each message the application sent on @obj (for the
 * element's stats); @owner is held weakly. */
typedef void (*GstWrtcSctpDcObjectSentFunc) (GstWebRTCDataChannel * obj,
    gsize len, GObject * owner);
void gst_wrtc_sctp_dc_object_set_sent_func (GstWebRTCDataChannel * obj,
    GstWrtcSctpDcObjectSentFunc func, GObject * owner);

/* the table's callbacks, from the element */
void gst_wrtc_sctp_dc_object_opened (GstWebRTCDataChannel * obj);
void gst_wrtc_sctp_dc_object_message (GstWebRTCDataChannel * obj,
    gboolean is_string, const guint8 * data, gsize len);
void gst_wrtc_sctp_dc_object_closed (GstWebRTCDataChannel * obj);
void gst_wrtc_sctp_dc_object_buffered_amount_low (GstWebRTCDataChannel * obj);
void gst_wrtc_sctp_dc_object_error (GstWebRTCDataChannel * obj,
    const GError * error);
/* the association is gone (element stopped): closed, sends fail */
void gst_wrtc_sctp_dc_object_detach (GstWebRTCDataChannel * obj);

/* What sctpdatachannel and the bins keep of one channel for the W3C
 * RTCDataChannelStats (webrtc-stats section 7.11). */
typedef struct
{
  guint16 id;
  gboolean remote;              /* the peer opened it */
  gchar *label, *protocol;
  GstWrtcSctpChannelState state;
  guint64 messages_sent, bytes_sent, messages_received, bytes_received;
  guint64 messages_dropped;     /* the bins': a slow peer's lost messages */
} GstWrtcSctpDcRecord;

/* A record of @id, its label and protocol from @chans ("" when it has no
 * such channel), connecting. */
void gst_wrtc_sctp_dc_record_init (GstWrtcSctpDcRecord * r,
    GstWrtcSctpChannels * chans, guint16 id, gboolean remote);
void gst_wrtc_sctp_dc_record_clear (GstWrtcSctpDcRecord * r);
/* Sets field "data-channel-@n" of @stats to a "data-channel" structure
 * (W3C names; messagesDropped only when @dropped). */
void gst_wrtc_sctp_dc_record_add_stats (const GstWrtcSctpDcRecord * r,
    GstStructure * stats, guint n, gboolean dropped);

/* W3C priority of an RFC 8832 section 5.1 value, and back */
GstWebRTCPriorityType gst_wrtc_sctp_dc_priority_from_dcep (guint16 p);
guint16 gst_wrtc_sctp_dc_priority_to_dcep (GstWebRTCPriorityType p);

G_END_DECLS
#endif
