/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: playout without waiting, for a receiver whose
 * jitterbuffer latency is 0.
 *
 * A GstWrtcPlayout decides, packet by packet and at once, what a
 * jitterbuffer of zero latency would do: a packet newer than every packet
 * released so far goes out now (the sequence numbers it skipped count as
 * lost, and it is a discontinuity); a packet at or behind that point is too
 * late (or a duplicate) and is dropped.  Big sequence jumps are taken as a
 * sender restart only when the next packet confirms them (RFC 3550
 * appendix A.1).
 *
 * Presentation times come from the RTP timestamps (RFC 3550 section
 * 5.1), anchored at the packet that arrived with the least delay: a packet
 * earlier than its predicted time moves the anchor to itself, and one later
 * than GST_WRTC_PLAYOUT_MAX_LAG behind its prediction too (the sender's
 * clock runs slow, or the path got longer).  So a presentation time is
 * never after the packet's arrival, nor more than MAX_LAG before it, and
 * the packets of one frame share it.  Without a clock rate, the arrival of
 * a frame's first packet is its time.
 *
 * Plain data, no threads and no I/O: the caller serialises calls.  Times
 * are nanoseconds of the caller's clock (GStreamer running time).
 */
#ifndef __GST_WRTC_PLAYOUT_H__
#define __GST_WRTC_PLAYOUT_H__

#include <glib.h>

G_BEGIN_DECLS
/* How far a presentation time may fall behind the arrival of its packet
 * before the anchor moves: a video sink's default max-lateness, so a
 * synchronising sink never drops a frame for it. */
#define GST_WRTC_PLAYOUT_MAX_LAG (20 * G_GUINT64_CONSTANT (1000000))
/* RFC 3550 appendix A.1 */
#define GST_WRTC_PLAYOUT_MAX_DROPOUT 3000
#define GST_WRTC_PLAYOUT_MAX_MISORDER 100
typedef struct _GstWrtcPlayout GstWrtcPlayout;

typedef enum
{
  GST_WRTC_PLAYOUT_PUSH,        /* release it now */
  GST_WRTC_PLAYOUT_LATE,        /* behind a packet already released */
  GST_WRTC_PLAYOUT_DUPLICATE,   /* the last packet released, again */
  GST_WRTC_PLAYOUT_PROBATION,   /* a big jump, held until confirmed */
} GstWrtcPlayoutVerdict;

typedef struct
{
  guint64 pushed;
  guint64 lost;                 /* sequence numbers skipped */
  guint64 late;
  guint64 duplicates;
  guint64 restarts;             /* confirmed sequence jumps */
  guint64 reanchors;            /* anchor moves after the first */
} GstWrtcPlayoutStats;

GstWrtcPlayout *gst_wrtc_playout_new (void);
void gst_wrtc_playout_free (GstWrtcPlayout * p);
/* Forgets every packet (a flush): the next one starts afresh. */
void gst_wrtc_playout_reset (GstWrtcPlayout * p);
/* Hz of the RTP timestamps; 0 (the default): unknown. */
void gst_wrtc_playout_set_clock_rate (GstWrtcPlayout * p, guint clock_rate);
guint gst_wrtc_playout_get_clock_rate (GstWrtcPlayout * p);

/* One packet with sequence number @seq and timestamp @rtp_ts, arrived at
 * @arrival.  For GST_WRTC_PLAYOUT_PUSH, *@pts is its presentation time and
 * *@discont tells that packets were skipped before it (or that it is the
 * first, or a restart). */
GstWrtcPlayoutVerdict gst_wrtc_playout_push (GstWrtcPlayout * p, guint16 seq,
    guint32 rtp_ts, guint64 arrival, guint64 * pts, gboolean * discont);

/* The anchor: extended RTP timestamp @base_rtp presents at @base_time;
 * @clock_base is the extended timestamp of the first packet.  FALSE
 * before a packet was released or without a clock rate. */
gboolean gst_wrtc_playout_get_anchor (GstWrtcPlayout * p, guint64 * base_rtp,
    guint64 * base_time, guint64 * clock_base);
/* @rtp_ts (a sender report's, RFC 3550 section 6.4.1) extended next to the
 * timestamps seen so far; FALSE before any. */
gboolean gst_wrtc_playout_extend (GstWrtcPlayout * p, guint32 rtp_ts,
    guint64 * ext);

void gst_wrtc_playout_get_stats (GstWrtcPlayout * p,
    GstWrtcPlayoutStats * stats);
const gchar *gst_wrtc_playout_verdict_name (GstWrtcPlayoutVerdict v);

G_END_DECLS
#endif /* __GST_WRTC_PLAYOUT_H__ */
