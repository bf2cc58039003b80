/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the bins' stats writer.  Structures are named and
 * keyed as the W3C's RTCStatsReport entries (webrtc-stats section 7:
 * "peer-connection", "outbound-rtp", "remote-inbound-rtp", "inbound-rtp",
 * "transport", "candidate-pair", ...), so a user who knows
 * chrome://webrtc-internals can read them. */
#ifndef __GST_WRTC_BIN_STATS_H__
#define __GST_WRTC_BIN_STATS_H__

#include <gst/gst.h>
#include "gstwrtcpeer.h"
#include "gstwrtchttpserver.h"

G_BEGIN_DECLS
/* Appends @s (taken) to the GST_TYPE_ARRAY @array. */
void gst_wrtc_stats_take (GValue * array, GstStructure * s);

/* The W3C "outbound-rtp" of track @track (@kind, pad name @name) of
 * @peer into @outbound and its "remote-inbound-rtp" into @remote (both
 * GST_TYPE_ARRAY); nothing when the track is not sent. */
void gst_wrtc_stats_add_sent_track (GValue * outbound, GValue * remote,
    GstWrtcPeer * peer, guint track, GstWrtcMediaKind kind, const gchar * name);

/* A "peer-connection": @id, the state of @peer, @outbound and @remote
 * (taken, when not NULL) and its transport (transport, candidate-pair,
 * local- and remote-candidate). */
GstStructure *gst_wrtc_stats_peer_connection (const gchar * id,
    GstWrtcPeer * peer, GValue * outbound, GValue * remote);

/* W3C inbound-rtp fields (packetsReceived, bytesReceived, packetsLost,
 * jitter in seconds, nackCount, pliCount, firCount) into @out from
 * rtpbin's view of the sender's SSRC @ssrc in session 0.  Takes rtpbin's
 * locks: call without locks of one's own. */
void gst_wrtc_stats_add_inbound (GstStructure * out, GstElement * rtpbin,
    guint32 ssrc, guint clock_rate);

/* Serves GET @path as JSON of what @func returns (the server's thread),
 * behind the token when one is set. */
typedef GstStructure *(*GstWrtcStatsFunc) (gpointer user_data);
void gst_wrtc_stats_serve_json (GstWrtcHttpServer * server,
    const gchar * path, GstWrtcStatsFunc func, gpointer user_data);

G_END_DECLS
#endif
