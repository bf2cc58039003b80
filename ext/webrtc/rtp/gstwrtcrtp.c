/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: RTP/RTCP wire format. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcrtp.h"

#include <string.h>
#include "gstwrtcbytes.h"

gboolean
gst_wrtc_rtp_parse (const guint8 * data, gsize len, GstWrtcRtpHeader * h)
{
  gsize off, pad = 0;

  if (len < 12 || (data[0] >> 6) != 2)
    return FALSE;
  memset (h, 0, sizeof (*h));
  h->csrc_count = data[0] & 0x0f;
  h->marker = (data[1] >> 7) & 1;
  h->pt = data[1] & 0x7f;
  h->seq = gst_wrtc_rd16 (data + 2);
  h->timestamp = gst_wrtc_rd32 (data + 4);
  h->ssrc = gst_wrtc_rd32 (data + 8);
  off = 12 + 4 * h->csrc_count;
  if (off > len)
    return FALSE;
  h->header_len = off;
  /* RFC 3550 section 5.3.1: header extension */
  if (data[0] & 0x10) {
    if (off + 4 > len)
      return FALSE;
    h->ext_profile = gst_wrtc_rd16 (data + off);
    h->ext_len = (gsize) gst_wrtc_rd16 (data + off + 2) * 4;
    if (off + 4 + h->ext_len > len)
      return FALSE;
    h->ext = data + off + 4;
    off += 4 + h->ext_len;
  }
  /* section 5.1: the last octet of padding counts the padding */
  if (data[0] & 0x20) {
    if (len == off)
      return FALSE;
    pad = data[len - 1];
    if (pad == 0 || off + pad > len)
      return FALSE;
  }
  h->payload = data + off;
  h->payload_len = len - off - pad;
  return TRUE;
}

void
gst_wrtc_rtcp_iter_init (GstWrtcRtcpIter * it, const guint8 * data, gsize len)
{
  it->data = data;
  it->len = len;
  it->offset = 0;
}

gboolean
gst_wrtc_rtcp_iter_next (GstWrtcRtcpIter * it, GstWrtcRtcpPacket * p)
{
  const guint8 *d = it->data + it->offset;
  gsize left = it->len - it->offset, plen;

  if (left < 4 || (d[0] >> 6) != 2)
    return FALSE;
  /* section 6.4.1: length in 32-bit words minus one */
  plen = ((gsize) gst_wrtc_rd16 (d + 2) + 1) * 4;
  if (plen > left)
    return FALSE;
  p->type = d[1];
  p->count = d[0] & 0x1f;
  p->body = d + 4;
  p->body_len = plen - 4;
  /* padding only on the last packet of a compound */
  if (d[0] & 0x20) {
    guint8 pad = d[plen - 1];
    if (pad == 0 || pad > p->body_len)
      return FALSE;
    p->body_len -= pad;
  }
  it->offset += plen;
  return TRUE;
}

guint
gst_wrtc_rtcp_report_blocks (const GstWrtcRtcpPacket * p,
    GstWrtcReportBlock * blocks, guint n)
{
  gsize off;
  guint i, got = 0;

  if (p->type == GST_WRTC_RTCP_SR)
    off = 24;                   /* sender SSRC + sender info */
  else if (p->type == GST_WRTC_RTCP_RR)
    off = 4;
  else
    return 0;
  for (i = 0; i < p->count && got < n; i++, off += 24) {
    const guint8 *b = p->body + off;
    guint32 lost;
    if (off + 24 > p->body_len)
      break;
    blocks[got].ssrc = gst_wrtc_rd32 (b);
    blocks[got].fraction_lost = b[4];
    lost = (b[5] << 16) | (b[6] << 8) | b[7];
    /* 24-bit two's complement */
    blocks[got].cumulative_lost = (lost & 0x800000) ? (gint32) (lost |
        0xff000000) : (gint32) lost;
    blocks[got].highest_seq = gst_wrtc_rd32 (b + 8);
    blocks[got].jitter = gst_wrtc_rd32 (b + 12);
    blocks[got].lsr = gst_wrtc_rd32 (b + 16);
    blocks[got].dlsr = gst_wrtc_rd32 (b + 20);
    got++;
  }
  return got;
}

gboolean
gst_wrtc_rtcp_fb_ssrcs (const GstWrtcRtcpPacket * p, guint32 * sender,
    guint32 * media)
{
  if ((p->type != GST_WRTC_RTCP_RTPFB && p->type != GST_WRTC_RTCP_PSFB)
      || p->body_len < 8)
    return FALSE;
  *sender = gst_wrtc_rd32 (p->body);
  *media = gst_wrtc_rd32 (p->body + 4);
  return TRUE;
}

/*  Generic NACK FCI:
 *    0                   1                   2                   3
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |            PID                |             BLP               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
void
gst_wrtc_rtcp_nack_foreach (const GstWrtcRtcpPacket * p,
    void (*func) (guint16 seq, gpointer user_data), gpointer user_data)
{
  gsize off;

  if (p->type != GST_WRTC_RTCP_RTPFB || p->count != 1)
    return;
  for (off = 8; off + 4 <= p->body_len; off += 4) {
    guint16 pid = gst_wrtc_rd16 (p->body + off), blp =
        gst_wrtc_rd16 (p->body + off + 2);
    guint b;
    func (pid, user_data);
    for (b = 0; b < 16; b++)
      if (blp & (1 << b))
        func ((guint16) (pid + b + 1), user_data);
  }
}

gboolean
gst_wrtc_rtcp_is_pli (const GstWrtcRtcpPacket * p)
{
  return p->type == GST_WRTC_RTCP_PSFB && p->count == 1 && p->body_len >= 8;
}

/* FIR FCI: SSRC (32) | seq nr (8) | reserved (24) */
gboolean
gst_wrtc_rtcp_fir_targets (const GstWrtcRtcpPacket * p, guint32 ssrc)
{
  gsize off;

  if (p->type != GST_WRTC_RTCP_PSFB || p->count != 4)
    return FALSE;
  for (off = 8; off + 8 <= p->body_len; off += 8)
    if (gst_wrtc_rd32 (p->body + off) == ssrc)
      return TRUE;
  return FALSE;
}

static void
write_header (guint8 * out, guint8 count, guint8 type, gsize len)
{
  out[0] = 0x80 | (count & 0x1f);
  out[1] = type;
  gst_wrtc_wr16 (out + 2, (guint16) (len / 4 - 1));
}

gsize
gst_wrtc_rtcp_write_sr (guint8 * out, gsize max, guint32 ssrc, guint64 ntp,
    guint32 rtp_ts, guint32 packets, guint32 octets)
{
  if (max < 28)
    return 0;
  write_header (out, 0, GST_WRTC_RTCP_SR, 28);
  gst_wrtc_wr32 (out + 4, ssrc);
  gst_wrtc_wr32 (out + 8, ntp >> 32);
  gst_wrtc_wr32 (out + 12, (guint32) ntp);
  gst_wrtc_wr32 (out + 16, rtp_ts);
  gst_wrtc_wr32 (out + 20, packets);
  gst_wrtc_wr32 (out + 24, octets);
  return 28;
}

/* RFC 3550 section 6.5: one chunk with a CNAME item, padded to 32 bits */
gsize
gst_wrtc_rtcp_write_sdes_cname (guint8 * out, gsize max, guint32 ssrc,
    const gchar * cname)
{
  gsize n = MIN (strlen (cname), 255), len;

  len = 4 + 4 + 2 + n + 1;      /* header, ssrc, type+len, text, end */
  len = (len + 3) & ~(gsize) 3;
  if (max < len)
    return 0;
  memset (out, 0, len);
  write_header (out, 1, GST_WRTC_RTCP_SDES, len);
  gst_wrtc_wr32 (out + 4, ssrc);
  out[8] = 1;                   /* CNAME */
  out[9] = (guint8) n;
  memcpy (out + 10, cname, n);
  return len;
}

gsize
gst_wrtc_rtcp_write_nack (guint8 * out, gsize max, guint32 sender,
    guint32 media, const guint16 * seqs, guint n)
{
  gsize len = 12 + 4 * (gsize) n, off = 12;
  guint i;

  if (n == 0 || max < len)
    return 0;
  write_header (out, 1, GST_WRTC_RTCP_RTPFB, len);
  gst_wrtc_wr32 (out + 4, sender);
  gst_wrtc_wr32 (out + 8, media);
  for (i = 0; i < n; i++, off += 4) {
    gst_wrtc_wr16 (out + off, seqs[i]);
    gst_wrtc_wr16 (out + off + 2, 0);
  }
  return len;
}

gsize
gst_wrtc_rtcp_write_pli (guint8 * out, gsize max, guint32 sender, guint32 media)
{
  if (max < 12)
    return 0;
  write_header (out, 1, GST_WRTC_RTCP_PSFB, 12);
  gst_wrtc_wr32 (out + 4, sender);
  gst_wrtc_wr32 (out + 8, media);
  return 12;
}
