/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: fan-out RTP sender. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcrtpsender.h"

#include <string.h>
#include "gstwrtcbytes.h"

struct _GstWrtcRtpStream
{
  gint refcount;
  GMutex lock;
  /* immutable */
  guint32 ssrc, rtx_ssrc;
  guint clock_rate;
  guint mask;
  gint64 keyframe_interval_us;
  /* lock */
  GBytes **history;             /* indexed by seq & mask */
  gboolean keyframe_pending;
  gint64 keyframe_requested_at;
  guint64 keyframe_requests;
  gboolean have_last;
  guint32 last_ts;
  gint64 last_time_us;
};

struct _GstWrtcRtpSender
{
  GstWrtcRtpStream *stream;
  GstWrtcRtpSenderParams p;     /* strings owned below */
  gchar *mid, *cname;
  guint16 rtx_seq;
  GstWrtcRtpSenderStats stats;
};

GstWrtcRtpStream *
gst_wrtc_rtp_stream_new (guint32 ssrc, guint32 rtx_ssrc, guint clock_rate,
    guint history, gint64 keyframe_interval_us)
{
  GstWrtcRtpStream *s = g_new0 (GstWrtcRtpStream, 1);
  guint size = 1;

  while (size < MAX (history, 1) && size < 32768)
    size <<= 1;
  s->refcount = 1;
  g_mutex_init (&s->lock);
  s->ssrc = ssrc;
  s->rtx_ssrc = rtx_ssrc;
  s->clock_rate = clock_rate;
  s->mask = size - 1;
  s->keyframe_interval_us = keyframe_interval_us;
  s->history = g_new0 (GBytes *, size);
  return s;
}

GstWrtcRtpStream *
gst_wrtc_rtp_stream_ref (GstWrtcRtpStream * s)
{
  g_atomic_int_inc (&s->refcount);
  return s;
}

void
gst_wrtc_rtp_stream_unref (GstWrtcRtpStream * s)
{
  guint i;

  if (!g_atomic_int_dec_and_test (&s->refcount))
    return;
  for (i = 0; i <= s->mask; i++)
    if (s->history[i])
      g_bytes_unref (s->history[i]);
  g_free (s->history);
  g_mutex_clear (&s->lock);
  g_free (s);
}

guint32
gst_wrtc_rtp_stream_get_ssrc (GstWrtcRtpStream * s)
{
  return s->ssrc;
}

guint32
gst_wrtc_rtp_stream_get_rtx_ssrc (GstWrtcRtpStream * s)
{
  return s->rtx_ssrc;
}

void
gst_wrtc_rtp_stream_remember (GstWrtcRtpStream * s, const guint8 * pkt,
    gsize len)
{
  GstWrtcRtpHeader h;
  GBytes *b, *old;

  if (!gst_wrtc_rtp_parse (pkt, len, &h))
    return;
  b = g_bytes_new (pkt, len);
  g_mutex_lock (&s->lock);
  s->have_last = TRUE;
  s->last_ts = h.timestamp;
  s->last_time_us = g_get_monotonic_time ();
  old = s->history[h.seq & s->mask];
  s->history[h.seq & s->mask] = b;
  g_mutex_unlock (&s->lock);
  if (old)
    g_bytes_unref (old);
}

GBytes *
gst_wrtc_rtp_stream_lookup (GstWrtcRtpStream * s, guint16 seq)
{
  GBytes *b;
  GstWrtcRtpHeader h;
  gsize len;
  const guint8 *d;

  g_mutex_lock (&s->lock);
  b = s->history[seq & s->mask];
  if (b)
    g_bytes_ref (b);
  g_mutex_unlock (&s->lock);
  if (!b)
    return NULL;
  /* the slot may hold a newer packet with the same low bits */
  d = g_bytes_get_data (b, &len);
  if (!gst_wrtc_rtp_parse (d, len, &h) || h.seq != seq) {
    g_bytes_unref (b);
    return NULL;
  }
  return b;
}

gboolean
gst_wrtc_rtp_stream_want_keyframe (GstWrtcRtpStream * s, gint64 now_us)
{
  gboolean ask;

  g_mutex_lock (&s->lock);
  ask = !s->keyframe_pending
      || now_us - s->keyframe_requested_at >= s->keyframe_interval_us;
  if (ask) {
    s->keyframe_pending = TRUE;
    s->keyframe_requested_at = now_us;
    s->keyframe_requests++;
  }
  g_mutex_unlock (&s->lock);
  return ask;
}

void
gst_wrtc_rtp_stream_keyframe_seen (GstWrtcRtpStream * s)
{
  g_mutex_lock (&s->lock);
  s->keyframe_pending = FALSE;
  g_mutex_unlock (&s->lock);
}

guint64
gst_wrtc_rtp_stream_get_keyframe_requests (GstWrtcRtpStream * s)
{
  guint64 n;

  g_mutex_lock (&s->lock);
  n = s->keyframe_requests;
  g_mutex_unlock (&s->lock);
  return n;
}

gboolean
gst_wrtc_rtp_stream_rtp_time_at (GstWrtcRtpStream * s, gint64 now_us,
    guint32 * rtp_ts)
{
  gboolean ret;

  g_mutex_lock (&s->lock);
  ret = s->have_last;
  if (ret)
    *rtp_ts = s->last_ts + (guint32) ((now_us - s->last_time_us) *
        (gint64) s->clock_rate / G_USEC_PER_SEC);
  g_mutex_unlock (&s->lock);
  return ret;
}

GstWrtcRtpSender *
gst_wrtc_rtp_sender_new (GstWrtcRtpStream * stream,
    const GstWrtcRtpSenderParams * params)
{
  GstWrtcRtpSender *s = g_new0 (GstWrtcRtpSender, 1);

  s->stream = gst_wrtc_rtp_stream_ref (stream);
  s->p = *params;
  s->mid = g_strndup (params->mid ? params->mid : "", 16);
  s->cname = g_strdup (params->cname ? params->cname : "gst");
  s->p.mid = s->mid;
  s->p.cname = s->cname;
  s->rtx_seq = g_random_int () & 0xffff;
  return s;
}

void
gst_wrtc_rtp_sender_free (GstWrtcRtpSender * s)
{
  if (!s)
    return;
  gst_wrtc_rtp_stream_unref (s->stream);
  g_free (s->mid);
  g_free (s->cname);
  g_free (s);
}

/* One-byte header extensions (RFC 8285 section 4.2): 0xBEDE, the length in
 * words, then ID|L-1 bytes followed by L bytes of data, zero padded. */
static gsize
write_extensions (GstWrtcRtpSender * s, guint16 * twcc_seq, guint8 * out)
{
  gsize off = 4, mlen = strlen (s->mid);

  if (s->p.mid_ext_id && mlen > 0) {
    out[off++] = (s->p.mid_ext_id << 4) | (mlen - 1);
    memcpy (out + off, s->mid, mlen);
    off += mlen;
  }
  if (s->p.twcc_ext_id && twcc_seq) {
    out[off++] = (s->p.twcc_ext_id << 4) | 1;
    gst_wrtc_wr16 (out + off, (*twcc_seq)++);
    off += 2;
  }
  if (off == 4)
    return 0;
  while (off % 4)
    out[off++] = 0;
  out[0] = 0xbe;
  out[1] = 0xde;
  gst_wrtc_wr16 (out + 2, (off - 4) / 4);
  return off;
}

/* Writes a packet with the given header fields and payload; @osn >= 0
 * prepends the original sequence number (RFC 4588 section 4). */
static gsize
write_packet (GstWrtcRtpSender * s, const GstWrtcRtpHeader * h,
    const guint8 * src, guint8 pt, guint16 seq, guint32 ssrc, gint osn,
    guint16 * twcc_seq, guint8 * out, gsize max)
{
  gsize csrc_len = 4 * h->csrc_count, off, ext;

  if (max < h->header_len + GST_WRTC_RTP_MAX_GROWTH + h->payload_len)
    return 0;
  out[0] = 0x80 | h->csrc_count;
  out[1] = (h->marker ? 0x80 : 0) | pt;
  gst_wrtc_wr16 (out + 2, seq);
  gst_wrtc_wr32 (out + 4, h->timestamp);
  gst_wrtc_wr32 (out + 8, ssrc);
  memcpy (out + 12, src + 12, csrc_len);
  off = 12 + csrc_len;
  ext = write_extensions (s, twcc_seq, out + off);
  if (ext) {
    out[0] |= 0x10;
    off += ext;
  }
  if (osn >= 0) {
    gst_wrtc_wr16 (out + off, (guint16) osn);
    off += 2;
  }
  memcpy (out + off, h->payload, h->payload_len);
  return off + h->payload_len;
}

gsize
gst_wrtc_rtp_sender_prepare (GstWrtcRtpSender * s, const guint8 * pkt,
    gsize len, guint16 * twcc_seq, guint8 * out, gsize max)
{
  GstWrtcRtpHeader h;
  gsize n;

  if (!gst_wrtc_rtp_parse (pkt, len, &h))
    return 0;
  n = write_packet (s, &h, pkt, s->p.pt, h.seq, h.ssrc, -1, twcc_seq, out, max);
  if (n) {
    s->stats.packets_sent++;
    s->stats.octets_sent += h.payload_len;
  }
  return n;
}

typedef struct
{
  GstWrtcRtpSender *s;
  guint16 *twcc_seq;
  GPtrArray *out;
} NackCtx;

static void
on_nack (guint16 seq, gpointer user_data)
{
  NackCtx *c = user_data;
  GstWrtcRtpSender *s = c->s;
  GBytes *orig = gst_wrtc_rtp_stream_lookup (s->stream, seq);
  GstWrtcRtpHeader h;
  const guint8 *d;
  gsize len, n;
  guint8 *buf;

  s->stats.nacks++;
  if (!orig) {
    s->stats.retransmit_missed++;
    return;
  }
  d = g_bytes_get_data (orig, &len);
  gst_wrtc_rtp_parse (d, len, &h);
  buf = g_malloc (len + GST_WRTC_RTP_MAX_GROWTH + 64);
  if (s->p.rtx_pt >= 0)
    n = write_packet (s, &h, d, (guint8) s->p.rtx_pt, s->rtx_seq++,
        gst_wrtc_rtp_stream_get_rtx_ssrc (s->stream), seq, c->twcc_seq, buf,
        len + GST_WRTC_RTP_MAX_GROWTH);
  else
    n = write_packet (s, &h, d, s->p.pt, h.seq, h.ssrc, -1, c->twcc_seq, buf,
        len + GST_WRTC_RTP_MAX_GROWTH);
  g_bytes_unref (orig);
  if (n) {
    s->stats.retransmitted++;
    g_ptr_array_add (c->out, g_bytes_new_take (buf, n));
  } else {
    g_free (buf);
  }
}

void
gst_wrtc_rtp_sender_handle_rtcp (GstWrtcRtpSender * s,
    const GstWrtcRtcpPacket * p, guint16 * twcc_seq, GPtrArray * retransmits,
    gboolean * keyframe)
{
  guint32 sender, media, ssrc = gst_wrtc_rtp_stream_get_ssrc (s->stream);
  GstWrtcReportBlock blocks[8];
  guint i, n;

  switch (p->type) {
    case GST_WRTC_RTCP_SR:
    case GST_WRTC_RTCP_RR:
      n = gst_wrtc_rtcp_report_blocks (p, blocks, G_N_ELEMENTS (blocks));
      for (i = 0; i < n; i++) {
        if (blocks[i].ssrc != ssrc)
          continue;
        s->stats.fraction_lost = blocks[i].fraction_lost;
        s->stats.cumulative_lost = blocks[i].cumulative_lost;
        s->stats.jitter = blocks[i].jitter;
      }
      break;
    case GST_WRTC_RTCP_RTPFB:
      if (s->p.nack && gst_wrtc_rtcp_fb_ssrcs (p, &sender, &media)
          && media == ssrc) {
        NackCtx c = { s, twcc_seq, retransmits };
        gst_wrtc_rtcp_nack_foreach (p, on_nack, &c);
      }
      break;
    case GST_WRTC_RTCP_PSFB:
      if (gst_wrtc_rtcp_is_pli (p) && gst_wrtc_rtcp_fb_ssrcs (p, &sender,
              &media) && media == ssrc) {
        s->stats.plis++;
        *keyframe = TRUE;
      } else if (gst_wrtc_rtcp_fir_targets (p, ssrc)) {
        s->stats.firs++;
        *keyframe = TRUE;
      }
      break;
    default:
      break;
  }
}

gsize
gst_wrtc_rtp_sender_write_report (GstWrtcRtpSender * s, guint64 ntp,
    guint32 rtp_ts, guint8 * out, gsize max)
{
  guint32 ssrc = gst_wrtc_rtp_stream_get_ssrc (s->stream);
  gsize sr, sdes;

  sr = gst_wrtc_rtcp_write_sr (out, max, ssrc, ntp, rtp_ts,
      (guint32) s->stats.packets_sent, (guint32) s->stats.octets_sent);
  if (!sr)
    return 0;
  sdes = gst_wrtc_rtcp_write_sdes_cname (out + sr, max - sr, ssrc, s->cname);
  return sdes ? sr + sdes : 0;
}

void
gst_wrtc_rtp_sender_get_stats (GstWrtcRtpSender * s,
    GstWrtcRtpSenderStats * stats)
{
  *stats = s->stats;
}
