/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the RTP and RTCP wire formats the send path needs,
 * over plain bytes (no GstBuffer), so they can be tested by trying every
 * truncation of every packet.
 *
 * RTP fixed header (RFC 3550 section 5.1):
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                           timestamp                           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |           synchronization source (SSRC) identifier            |
 *   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *   |            contributing source (CSRC) identifiers             |
 *   |                             ....                              |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
#ifndef __GST_WRTC_RTP_H__
#define __GST_WRTC_RTP_H__

#include <glib.h>

G_BEGIN_DECLS typedef struct
{
  gboolean marker;
  guint8 pt;
  guint16 seq;
  guint32 timestamp;
  guint32 ssrc;
  guint csrc_count;
  gsize header_len;             /* fixed header + CSRCs, no extension */
  const guint8 *ext;            /* extension payload (after the 4-byte
                                 * profile/length word), or NULL */
  guint16 ext_profile;
  gsize ext_len;                /* bytes of extension payload */
  const guint8 *payload;
  gsize payload_len;            /* without padding */
} GstWrtcRtpHeader;

/* FALSE when @data is not a well-formed RTP packet. */
gboolean gst_wrtc_rtp_parse (const guint8 * data, gsize len,
    GstWrtcRtpHeader * hdr);

/* RTCP (RFC 3550 section 6.4, RFC 4585 section 6) */
#define GST_WRTC_RTCP_SR 200
#define GST_WRTC_RTCP_RR 201
#define GST_WRTC_RTCP_SDES 202
#define GST_WRTC_RTCP_BYE 203
#define GST_WRTC_RTCP_RTPFB 205
#define GST_WRTC_RTCP_PSFB 206

typedef struct
{
  guint8 type;                  /* packet type */
  guint8 count;                 /* RC / SC / FMT */
  const guint8 *body;           /* after the 4-byte header */
  gsize body_len;
} GstWrtcRtcpPacket;

typedef struct
{
  const guint8 *data;
  gsize len, offset;
} GstWrtcRtcpIter;

/* Walks a compound packet (RFC 3550 section 6.1).  Returns FALSE at the
 * end or at the first malformed packet (the rest is ignored). */
void gst_wrtc_rtcp_iter_init (GstWrtcRtcpIter * it, const guint8 * data,
    gsize len);
gboolean gst_wrtc_rtcp_iter_next (GstWrtcRtcpIter * it, GstWrtcRtcpPacket * p);

typedef struct
{
  guint32 ssrc;                 /* the source reported on */
  guint8 fraction_lost;
  gint32 cumulative_lost;
  guint32 highest_seq;
  guint32 jitter;
  guint32 lsr, dlsr;
} GstWrtcReportBlock;

/* Report blocks of an SR or RR, @n at most; returns how many. */
guint gst_wrtc_rtcp_report_blocks (const GstWrtcRtcpPacket * p,
    GstWrtcReportBlock * blocks, guint n);

/* Feedback (RFC 4585 section 6.1): sender and media SSRC. */
gboolean gst_wrtc_rtcp_fb_ssrcs (const GstWrtcRtcpPacket * p,
    guint32 * sender_ssrc, guint32 * media_ssrc);
/* Generic NACK (RFC 4585 section 6.2.1): calls @func for each lost
 * sequence number. */
void gst_wrtc_rtcp_nack_foreach (const GstWrtcRtcpPacket * p,
    void (*func) (guint16 seq, gpointer user_data), gpointer user_data);
/* PLI is PSFB FMT 1 (section 6.3.1); FIR is PSFB FMT 4 (RFC 5104
 * section 4.3.1), whose entries name the SSRC to refresh. */
gboolean gst_wrtc_rtcp_is_pli (const GstWrtcRtcpPacket * p);
gboolean gst_wrtc_rtcp_fir_targets (const GstWrtcRtcpPacket * p, guint32 ssrc);

/* Writers; each returns the bytes written, 0 when @max is too small. */
gsize gst_wrtc_rtcp_write_sr (guint8 * out, gsize max, guint32 ssrc,
    guint64 ntp, guint32 rtp_ts, guint32 packets, guint32 octets);
gsize gst_wrtc_rtcp_write_sdes_cname (guint8 * out, gsize max, guint32 ssrc,
    const gchar * cname);
gsize gst_wrtc_rtcp_write_nack (guint8 * out, gsize max, guint32 sender,
    guint32 media, const guint16 * seqs, guint n);
gsize gst_wrtc_rtcp_write_pli (guint8 * out, gsize max, guint32 sender,
    guint32 media);

G_END_DECLS
#endif
