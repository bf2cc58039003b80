/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: sctpdatachannel, WebRTC data channels (RFC 8831)
 * over one SCTP association over one DTLS association (RFC 8261), as an
 * element: a thin adapter over GstWrtcSctpAssociation and
 * GstWrtcSctpChannels. */
#ifndef __GST_WRTC_SCTP_DATA_CHANNEL_H__
#define __GST_WRTC_SCTP_DATA_CHANNEL_H__

#include <gst/gst.h>

G_BEGIN_DECLS
#define GST_WRTC_TYPE_SCTP_DATA_CHANNEL (gst_wrtc_sctp_data_channel_get_type ())
G_DECLARE_FINAL_TYPE (GstWrtcSctpDataChannel, gst_wrtc_sctp_data_channel,
    GST_WRTC, SCTP_DATA_CHANNEL, GstElement);

/* request sink pads sink_%u: the pad's properties choose its channel */
#define GST_WRTC_TYPE_SCTP_DATA_CHANNEL_SINK_PAD \
    (gst_wrtc_sctp_data_channel_sink_pad_get_type ())
G_DECLARE_FINAL_TYPE (GstWrtcSctpDataChannelSinkPad,
    gst_wrtc_sctp_data_channel_sink_pad, GST_WRTC, SCTP_DATA_CHANNEL_SINK_PAD,
    GstPad);

/* sometimes src pads src_%u: read-only properties of the peer's channel */
#define GST_WRTC_TYPE_SCTP_DATA_CHANNEL_SRC_PAD \
    (gst_wrtc_sctp_data_channel_src_pad_get_type ())
G_DECLARE_FINAL_TYPE (GstWrtcSctpDataChannelSrcPad,
    gst_wrtc_sctp_data_channel_src_pad, GST_WRTC, SCTP_DATA_CHANNEL_SRC_PAD,
    GstPad);

GST_ELEMENT_REGISTER_DECLARE (sctpdatachannel);

G_END_DECLS
#endif
