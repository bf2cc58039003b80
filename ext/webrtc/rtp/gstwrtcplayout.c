/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: playout without waiting (see gstwrtcplayout.h). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcplayout.h"

#include <string.h>

/* Extended timestamps start one wrap up, so that a timestamp before the
 * first (an older frame's) stays positive. */
#define EXT_START (G_GUINT64_CONSTANT (1) << 32)

struct _GstWrtcPlayout
{
  guint clock_rate;

  gboolean started;             /* a packet was released */
  guint16 last_seq;             /* the newest released */
  gboolean probation;           /* a jump seen, waiting for bad_seq */
  guint16 bad_seq;

  gboolean have_ts;
  guint32 last_ts;              /* the newest timestamp seen */
  guint64 last_ext;             /* ... extended */
  guint64 clock_base;           /* extended timestamp of the first */

  gboolean anchored;
  guint64 anchor_ext, anchor_time;

  /* the frame of the last released packet, for a clock rate of 0 */
  guint64 frame_ext, frame_pts;
  guint64 last_pts;

  GstWrtcPlayoutStats stats;
};

GstWrtcPlayout *
gst_wrtc_playout_new (void)
{
  return g_new0 (GstWrtcPlayout, 1);
}

void
gst_wrtc_playout_free (GstWrtcPlayout * p)
{
  g_free (p);
}

void
gst_wrtc_playout_reset (GstWrtcPlayout * p)
{
  GstWrtcPlayoutStats stats = p->stats;
  guint rate = p->clock_rate;

  memset (p, 0, sizeof (*p));
  p->stats = stats;
  p->clock_rate = rate;
}

void
gst_wrtc_playout_set_clock_rate (GstWrtcPlayout * p, guint clock_rate)
{
  if (clock_rate == p->clock_rate)
    return;
  p->clock_rate = clock_rate;
  /* the anchor's times were counted in the old rate */
  p->anchored = FALSE;
}

guint
gst_wrtc_playout_get_clock_rate (GstWrtcPlayout * p)
{
  return p->clock_rate;
}

/* RFC 3550 section 5.1: timestamps wrap at 2^32; the nearest extension. */
static guint64
extend_ts (GstWrtcPlayout * p, guint32 ts)
{
  if (!p->have_ts)
    return EXT_START + ts;
  return p->last_ext + (gint64) (gint32) (ts - p->last_ts);
}

static void
note_ts (GstWrtcPlayout * p, guint32 ts, guint64 ext)
{
  if (!p->have_ts) {
    p->clock_base = ext;
    p->have_ts = TRUE;
  } else if (ext < p->last_ext) {
    return;                     /* keep the newest as the reference */
  }
  p->last_ts = ts;
  p->last_ext = ext;
}

/* @ticks of @rate Hz in nanoseconds */
static guint64
scale (guint64 ticks, guint rate)
{
  guint64 ns;

  if (g_uint64_checked_mul (&ns, ticks, 1000000000))
    return ns / rate;
  return (ticks / rate) * 1000000000;
}

/* The anchor's prediction for @ext, or -1 for a time before 0. */
static gint64
predict (GstWrtcPlayout * p, guint64 ext)
{
  guint64 d;

  if (ext >= p->anchor_ext)
    return p->anchor_time + scale (ext - p->anchor_ext, p->clock_rate);
  d = scale (p->anchor_ext - ext, p->clock_rate);
  return d > p->anchor_time ? -1 : (gint64) (p->anchor_time - d);
}

static guint64
presentation_time (GstWrtcPlayout * p, guint64 ext, guint64 arrival)
{
  guint64 pts;
  gint64 pred;

  if (!p->clock_rate) {
    /* the first packet of each frame gives the frame its time */
    if (!p->started || ext != p->frame_ext) {
      p->frame_ext = ext;
      p->frame_pts = arrival;
    }
    pts = p->frame_pts;
  } else if (!p->anchored) {
    p->anchored = TRUE;
    p->anchor_ext = ext;
    p->anchor_time = pts = arrival;
  } else {
    pred = predict (p, ext);
    if (pred < 0 || (guint64) pred > arrival
        || arrival - (guint64) pred > GST_WRTC_PLAYOUT_MAX_LAG) {
      /* less delay than the anchor had, or too far behind: move it */
      p->anchor_ext = ext;
      p->anchor_time = pts = arrival;
      p->stats.reanchors++;
    } else {
      pts = pred;
    }
  }
  /* an older frame after a newer one (reordered timestamps) never goes
   * back in time */
  if (p->started && pts < p->last_pts)
    pts = p->last_pts;
  p->last_pts = pts;
  return pts;
}

GstWrtcPlayoutVerdict
gst_wrtc_playout_push (GstWrtcPlayout * p, guint16 seq, guint32 rtp_ts,
    guint64 arrival, guint64 * pts, gboolean * discont)
{
  guint64 ext;
  gint delta;

  *discont = FALSE;
  if (p->started) {
    /* RFC 3550 appendix A.1: forward within MAX_DROPOUT is a gap, back
     * within MAX_MISORDER is late, anything else a jump that the next
     * packet must confirm */
    delta = (guint16) (seq - p->last_seq);
    if (delta == 0) {
      p->stats.duplicates++;
      return GST_WRTC_PLAYOUT_DUPLICATE;
    }
    if (delta < GST_WRTC_PLAYOUT_MAX_DROPOUT) {
      p->stats.lost += delta - 1;
      *discont = delta > 1;
    } else if (delta >= 65536 - GST_WRTC_PLAYOUT_MAX_MISORDER) {
      p->stats.late++;
      return GST_WRTC_PLAYOUT_LATE;
    } else if (!p->probation || seq != p->bad_seq) {
      p->probation = TRUE;
      p->bad_seq = seq + 1;
      return GST_WRTC_PLAYOUT_PROBATION;
    } else {
      /* confirmed: the sender restarted; its timestamps start over too */
      p->stats.restarts++;
      p->have_ts = FALSE;
      p->anchored = FALSE;
      *discont = TRUE;
    }
  } else {
    *discont = TRUE;
  }
  p->probation = FALSE;

  ext = extend_ts (p, rtp_ts);
  note_ts (p, rtp_ts, ext);
  *pts = presentation_time (p, ext, arrival);
  p->started = TRUE;
  p->last_seq = seq;
  p->stats.pushed++;
  return GST_WRTC_PLAYOUT_PUSH;
}

gboolean
gst_wrtc_playout_get_anchor (GstWrtcPlayout * p, guint64 * base_rtp,
    guint64 * base_time, guint64 * clock_base)
{
  if (!p->anchored || !p->clock_rate)
    return FALSE;
  *base_rtp = p->anchor_ext;
  *base_time = p->anchor_time;
  *clock_base = p->clock_base;
  return TRUE;
}

gboolean
gst_wrtc_playout_extend (GstWrtcPlayout * p, guint32 rtp_ts, guint64 * ext)
{
  if (!p->have_ts)
    return FALSE;
  *ext = extend_ts (p, rtp_ts);
  return TRUE;
}

void
gst_wrtc_playout_get_stats (GstWrtcPlayout * p, GstWrtcPlayoutStats * stats)
{
  *stats = p->stats;
}

const gchar *
gst_wrtc_playout_verdict_name (GstWrtcPlayoutVerdict v)
{
  switch (v) {
    case GST_WRTC_PLAYOUT_PUSH:
      return "push";
    case GST_WRTC_PLAYOUT_LATE:
      return "late";
    case GST_WRTC_PLAYOUT_DUPLICATE:
      return "duplicate";
    case GST_WRTC_PLAYOUT_PROBATION:
      return "probation";
  }
  return "unknown";
}
