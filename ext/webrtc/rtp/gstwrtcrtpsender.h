/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the RTP send path of a fan-out, without threads.
 *
 * A GstWrtcRtpStream is one encoded, payloaded stream shared by every
 * viewer: its recent packets (for retransmission) and the keyframe
 * request coalescing.  A GstWrtcRtpSender is one viewer's view of it: it
 * rewrites each packet for that viewer (payload type and header extensions
 * from the viewer's SDP), answers NACK with RTX (RFC 4588) and turns PLI
 * and FIR into keyframe requests.  Neither does I/O or keeps a thread: the
 * caller protects and sends what they produce.
 *
 * A stream is thread safe.  A sender is not: its caller serialises the
 * calls of one viewer (sending and RTCP arrive on different threads).
 */
#ifndef __GST_WRTC_RTP_SENDER_H__
#define __GST_WRTC_RTP_SENDER_H__

#include <glib.h>
#include "gstwrtcrtp.h"

G_BEGIN_DECLS typedef struct _GstWrtcRtpStream GstWrtcRtpStream;
typedef struct _GstWrtcRtpSender GstWrtcRtpSender;

/* The most a prepared packet grows: a one-byte extension block with a mid
 * of up to 16 bytes and a transport-wide sequence number, plus the RTX
 * original sequence number. */
#define GST_WRTC_RTP_MAX_GROWTH (4 + 17 + 3 + 3 + 2)

/* @history: packets kept for retransmission (rounded up to a power of 2);
 * @keyframe_interval_us: how long a keyframe request stays pending before
 * another one may be forwarded when no keyframe came. */
GstWrtcRtpStream *gst_wrtc_rtp_stream_new (guint32 ssrc, guint32 rtx_ssrc,
    guint clock_rate, guint history, gint64 keyframe_interval_us);
GstWrtcRtpStream *gst_wrtc_rtp_stream_ref (GstWrtcRtpStream * s);
void gst_wrtc_rtp_stream_unref (GstWrtcRtpStream * s);
guint32 gst_wrtc_rtp_stream_get_ssrc (GstWrtcRtpStream * s);
guint32 gst_wrtc_rtp_stream_get_rtx_ssrc (GstWrtcRtpStream * s);

/* Remembers a packet of the stream (as the payloader made it). */
void gst_wrtc_rtp_stream_remember (GstWrtcRtpStream * s, const guint8 * pkt,
    gsize len);
/* The remembered packet with @seq, or NULL. (transfer full) */
GBytes *gst_wrtc_rtp_stream_lookup (GstWrtcRtpStream * s, guint16 seq);
/* A viewer asked for a keyframe (PLI, FIR, a new viewer): TRUE when the
 * caller should ask the encoder now; FALSE when a request is already on
 * its way (coalesced). */
gboolean gst_wrtc_rtp_stream_want_keyframe (GstWrtcRtpStream * s,
    gint64 now_us);
/* A keyframe left the encoder: the next request goes through. */
void gst_wrtc_rtp_stream_keyframe_seen (GstWrtcRtpStream * s);
guint64 gst_wrtc_rtp_stream_get_keyframe_requests (GstWrtcRtpStream * s);
/* The RTP timestamp the stream would have at @now_us (monotonic), from
 * the last packet remembered; FALSE before any packet.  For sender reports
 * (RFC 3550 section 6.4.1). */
gboolean gst_wrtc_rtp_stream_rtp_time_at (GstWrtcRtpStream * s, gint64 now_us,
    guint32 * rtp_ts);

typedef struct
{
  guint8 pt;                    /* the viewer's payload type */
  gint rtx_pt;                  /* the viewer's RTX payload type, or -1 */
  gboolean nack;                /* NACK negotiated (without RTX: resend) */
  guint8 mid_ext_id;            /* 0: none */
  guint8 twcc_ext_id;           /* 0: none */
  const gchar *mid;
  const gchar *cname;
} GstWrtcRtpSenderParams;

typedef struct
{
  guint64 packets_sent, octets_sent;
  guint64 nacks, retransmitted, retransmit_missed;
  guint64 plis, firs;
  guint8 fraction_lost;
  gint32 cumulative_lost;
  guint32 jitter;
} GstWrtcRtpSenderStats;

GstWrtcRtpSender *gst_wrtc_rtp_sender_new (GstWrtcRtpStream * stream,
    const GstWrtcRtpSenderParams * params);
void gst_wrtc_rtp_sender_free (GstWrtcRtpSender * sender);

/* Writes @pkt (one of the stream's packets) as this viewer receives it
 * into @out; @twcc_seq, when the viewer negotiated transport-wide CC, is
 * the viewer's transport counter, advanced.  Returns the length, 0 when
 * @pkt is not RTP or @max is too small. */
gsize gst_wrtc_rtp_sender_prepare (GstWrtcRtpSender * sender,
    const guint8 * pkt, gsize len, guint16 * twcc_seq, guint8 * out, gsize max);

/* Handles one RTCP packet from the viewer.  Retransmissions it asks for
 * are appended to @retransmits as GBytes ready to protect and send;
 * *keyframe is set when the viewer asked for a keyframe (the caller asks
 * the stream, which coalesces). */
void gst_wrtc_rtp_sender_handle_rtcp (GstWrtcRtpSender * sender,
    const GstWrtcRtcpPacket * p, guint16 * twcc_seq, GPtrArray * retransmits,
    gboolean * keyframe);

/* A compound SR + SDES for this viewer (RFC 3550 section 6.4.1).  @ntp is
 * the NTP time of @rtp_ts. */
gsize gst_wrtc_rtp_sender_write_report (GstWrtcRtpSender * sender,
    guint64 ntp, guint32 rtp_ts, guint8 * out, gsize max);

void gst_wrtc_rtp_sender_get_stats (GstWrtcRtpSender * sender,
    GstWrtcRtpSenderStats * stats);

G_END_DECLS
#endif
