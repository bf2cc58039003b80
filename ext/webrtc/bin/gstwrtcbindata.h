/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: a bin's data channels (RFC 8831), written once for
 * webrtcsink and webrtcsrc.
 *
 * A GstWrtcBinData serves one bin and every peer connection it has:
 *  - request sink pads `data_%u` (gst_wrtc_bin_data_request_pad()): each
 *    opens a channel labelled with the pad's `label` on every peer (peers
 *    added later too) and sends each buffer to every peer as one message:
 *    a string with caps text/plain or text/x-raw, binary otherwise (RFC
 *    8831 section 6.6).  A peer that does not keep up never stalls the
 *    others: past GST_WRTC_BIN_DATA_HIGH bytes in flight on its channel the
 *    messages wait in a queue of the channel, and past
 *    GST_WRTC_BIN_DATA_BACKLOG bytes waiting the oldest are dropped (and
 *    counted: messagesDropped in the stats).  EOS on the pad closes its
 *    channels (an RFC 6525 stream reset).
 *  - channels a peer opens: the channel function gets a channel object
 *    (a GstWebRTCDataChannel, as sctpdatachannel's API gives), before
 *    any of its messages; with src pads on (webrtcsrc), each also becomes
 *    a sometimes src pad `data_%u` of the bin, numbered in the order the
 *    channels open, one buffer per message, caps text/plain or
 *    application/octet-stream, EOS when the peer closes the channel.  An
 *    appsrc decouples them from the peer's ICE thread.
 *  - stats: W3C RTCDataChannelStats per channel and peer.
 *
 * Threads: pads' streaming threads (send), the peers' SCTP dispatch (the
 * ICE thread, the SCTP timer thread), the bin's threads (add and remove
 * peers, pads, stats).  One lock, a leaf but for appsrc pushes and the
 * channel table's sends, which never call back into us under it.
 */
#ifndef __GST_WRTC_BIN_DATA_H__
#define __GST_WRTC_BIN_DATA_H__

#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>
#include "gstwrtcpeer.h"

G_BEGIN_DECLS
/* in flight on one peer's channel before messages wait */
#define GST_WRTC_BIN_DATA_HIGH (1024 * 1024)
/* waiting on one peer's channel before the oldest are dropped */
#define GST_WRTC_BIN_DATA_BACKLOG (4 * 1024 * 1024)
#define GST_WRTC_TYPE_BIN_DATA (gst_wrtc_bin_data_get_type ())
G_DECLARE_FINAL_TYPE (GstWrtcBinData, gst_wrtc_bin_data, GST_WRTC, BIN_DATA,
    GObject);

/* The pads (ghost pads: a src pad targets its appsrc, a sink pad has
 * none and takes the buffers itself): sctpdatachannel's channel
 * properties (gstwrtcsctpdcpad.h: `label`, `protocol`, `ordered`,
 * `max-retransmits`, `max-packet-lifetime`, `priority`, `negotiated`,
 * `id`; a sink pad's choose its channels: set them before its stream
 * starts; read-only on src pads, which also have `peer-id`). */
#define GST_WRTC_TYPE_BIN_DATA_PAD (gst_wrtc_bin_data_pad_get_type ())
G_DECLARE_FINAL_TYPE (GstWrtcBinDataPad, gst_wrtc_bin_data_pad, GST_WRTC,
    BIN_DATA_PAD, GstGhostPad);

/* A channel the peer @peer_id opened (transfer none: ref it to keep it),
 * on the peer's SCTP dispatch thread, before any of its messages. */
typedef void (*GstWrtcBinDataChannelFunc) (GstElement * bin,
    const gchar * peer_id, GstWebRTCDataChannel * channel, gpointer user_data);

/* @bin: not a ref (the bin owns this).  @src_templ: the bin's
 * "data_%u" sometimes src pad template, or NULL for no src pads. */
GstWrtcBinData *gst_wrtc_bin_data_new (GstElement * bin,
    GstPadTemplate * src_templ);
void gst_wrtc_bin_data_set_channel_func (GstWrtcBinData * data,
    GstWrtcBinDataChannelFunc func, gpointer user_data);

/* A request sink pad (added to the bin), or NULL when @name is taken. */
GstPad *gst_wrtc_bin_data_request_pad (GstWrtcBinData * data,
    GstPadTemplate * templ, const gchar * name);
/* FALSE when @pad is not one of our sink pads. */
gboolean gst_wrtc_bin_data_release_pad (GstWrtcBinData * data, GstPad * pad);
gboolean gst_wrtc_bin_data_has_sink_pads (GstWrtcBinData * data);

/* A peer of the bin, once its SDP exchange is done and before DTLS
 * connects (the answer function, or after set_answer): nothing when no
 * data channel was negotiated with it. */
void gst_wrtc_bin_data_add_peer (GstWrtcBinData * data, const gchar * id,
    GstWrtcPeer * peer);
/* The peer left: its channel objects close, its src pads get EOS and go. */
void gst_wrtc_bin_data_remove_peer (GstWrtcBinData * data, const gchar * id);
/* Every peer (the bin stops). */
void gst_wrtc_bin_data_clear (GstWrtcBinData * data);

/* Adds the peer's W3C "data-channel" entries to @s, as data-channel-N
 * fields, N counting on from what @s has. */
void gst_wrtc_bin_data_add_stats (GstWrtcBinData * data, const gchar * id,
    GstStructure * s);

G_END_DECLS
#endif
