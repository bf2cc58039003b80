/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: fuzz target for the RTP layer's readers of network
 * input (ext/webrtc/rtp): what every viewer and publisher can send us.
 *
 *  - gst_wrtc_rtp_parse() on the whole input, as an RTP packet: every
 *    part it points at lies inside the input, in order;
 *  - the input as an RTCP compound (RFC 3550 section 6.1): every packet's
 *    body inside the input; report blocks, feedback SSRCs, NACK lists,
 *    PLI, FIR read from each; then each packet handed to a viewer's
 *    GstWrtcRtpSender (webrtcsink's path for a viewer's RTCP) whose stream
 *    remembers a few packets: every retransmission it asks for is an RTP
 *    packet of the viewer's RTX payload type and SSRC, at most one per
 *    NACKed sequence number;
 *  - the input as (sequence number, timestamp, arrival) triples for
 *    GstWrtcPlayout (webrtcsrc latency=0): presentation times never go
 *    back, and the counters add up.
 *
 * Needs only the RTP layer (rtp_core_dep): no GStreamer, no DTLS.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "fuzz-check.h"

#include "gstwrtcrtp.h"
#include "gstwrtcrtpsender.h"
#include "gstwrtcplayout.h"

#define SSRC 0x11223344
#define RTX_SSRC 0x55667788
#define FIRST_SEQ 65500         /* the remembered packets wrap; the
                                 * stream keeps the last 32 */
#define REMEMBERED 64

static gboolean
inside (const guint8 * p, gsize n, const guint8 * data, gsize size)
{
  return p >= data && n <= size && (gsize) (p - data) <= size - n;
}

static void
check_rtp (const guint8 * data, gsize size)
{
  GstWrtcRtpHeader h;

  if (!gst_wrtc_rtp_parse (data, size, &h))
    return;
  FUZZ_CHECK (h.header_len >= 12 && h.header_len <= size);
  FUZZ_CHECK (h.csrc_count <= 15);
  FUZZ_CHECK (h.pt < 128);
  if (h.ext)
    FUZZ_CHECK (inside (h.ext, h.ext_len, data, size)
        && h.ext >= data + h.header_len + 4);
  FUZZ_CHECK (inside (h.payload, h.payload_len, data, size));
  FUZZ_CHECK (h.payload >= data + h.header_len);
}

static void
count_seq (guint16 seq, gpointer user_data)
{
  (*(guint *) user_data)++;
}

static GstWrtcRtpStream *
make_stream (void)
{
  GstWrtcRtpStream *s = gst_wrtc_rtp_stream_new (SSRC, RTX_SSRC, 90000, 32,
      G_USEC_PER_SEC);
  guint8 pkt[40];
  guint i;

  for (i = 0; i < REMEMBERED; i++) {
    guint16 seq = FIRST_SEQ + i;
    memset (pkt, 0, sizeof (pkt));
    pkt[0] = 0x80;
    pkt[1] = 96;
    pkt[2] = seq >> 8;
    pkt[3] = seq & 0xff;
    pkt[8] = SSRC >> 24;
    pkt[9] = (SSRC >> 16) & 0xff;
    pkt[10] = (SSRC >> 8) & 0xff;
    pkt[11] = SSRC & 0xff;
    pkt[12] = i;
    gst_wrtc_rtp_stream_remember (s, pkt, sizeof (pkt));
  }
  return s;
}

static void
check_rtcp (const guint8 * data, gsize size, GstWrtcRtpStream * stream)
{
  GstWrtcRtpSenderParams params = { 0, };
  GstWrtcRtpSender *sender;
  GstWrtcRtcpIter it;
  GstWrtcRtcpPacket p;
  guint16 twcc_seq = 0;
  guint packets = 0;

  params.pt = 100;
  params.rtx_pt = 101;
  params.nack = TRUE;
  params.mid_ext_id = 1;
  params.twcc_ext_id = 3;
  params.mid = "0";
  params.cname = "fuzz";
  sender = gst_wrtc_rtp_sender_new (stream, &params);

  gst_wrtc_rtcp_iter_init (&it, data, size);
  while (gst_wrtc_rtcp_iter_next (&it, &p)) {
    GstWrtcReportBlock blocks[31];
    GPtrArray *rtx = g_ptr_array_new_with_free_func ((GDestroyNotify)
        g_bytes_unref);
    guint32 sender_ssrc, media_ssrc;
    gboolean keyframe = FALSE;
    guint n, nacked = 0, i;

    FUZZ_CHECK (++packets <= size / 4);
    FUZZ_CHECK (inside (p.body, p.body_len, data, size));
    FUZZ_CHECK (p.body >= data + 4);
    n = gst_wrtc_rtcp_report_blocks (&p, blocks, G_N_ELEMENTS (blocks));
    FUZZ_CHECK (n <= G_N_ELEMENTS (blocks) && n * 24 <= p.body_len);
    gst_wrtc_rtcp_fb_ssrcs (&p, &sender_ssrc, &media_ssrc);
    gst_wrtc_rtcp_nack_foreach (&p, count_seq, &nacked);
    /* each 4-byte FCI names at most 17 sequence numbers */
    FUZZ_CHECK (nacked <= (p.body_len / 4) * 17);
    gst_wrtc_rtcp_is_pli (&p);
    gst_wrtc_rtcp_fir_targets (&p, SSRC);

    gst_wrtc_rtp_sender_handle_rtcp (sender, &p, &twcc_seq, rtx, &keyframe);
    FUZZ_CHECK (rtx->len <= nacked);
    for (i = 0; i < rtx->len; i++) {
      gsize len;
      const guint8 *d = g_bytes_get_data (g_ptr_array_index (rtx, i), &len);
      GstWrtcRtpHeader h;
      FUZZ_CHECK (gst_wrtc_rtp_parse (d, len, &h));
      FUZZ_CHECK (h.pt == 101 && h.ssrc == RTX_SSRC);
      /* RFC 4588 section 4: the original sequence number comes first */
      FUZZ_CHECK (h.payload_len >= 2);
    }
    g_ptr_array_unref (rtx);
  }
  gst_wrtc_rtp_sender_free (sender);
}

/* 8 bytes a packet: sequence number, timestamp, arrival step in ms */
static void
check_playout (const guint8 * data, gsize size)
{
  GstWrtcPlayout *p = gst_wrtc_playout_new ();
  GstWrtcPlayoutStats st;
  guint64 arrival = 0, pts, last_pts = 0, calls = 0, pushes = 0;
  gboolean discont, any = FALSE;
  gsize off;

  gst_wrtc_playout_set_clock_rate (p, size % 2 ? 90000 : 48000);
  for (off = 0; off + 8 <= size; off += 8) {
    const guint8 *d = data + off;
    guint16 seq = (d[0] << 8) | d[1];
    guint32 ts = ((guint32) d[2] << 24) | (d[3] << 16) | (d[4] << 8) | d[5];
    GstWrtcPlayoutVerdict v;

    arrival += (d[6] << 8 | d[7]) * G_GUINT64_CONSTANT (1000);
    if (d[7] == 0xff)
      gst_wrtc_playout_reset (p);
    v = gst_wrtc_playout_push (p, seq, ts, arrival, &pts, &discont);
    calls++;
    if (v == GST_WRTC_PLAYOUT_PUSH) {
      pushes++;
      /* never after the arrival, never back in time */
      FUZZ_CHECK (pts <= arrival || (any && pts == last_pts));
      FUZZ_CHECK (!any || pts >= last_pts);
      last_pts = pts;
      any = TRUE;
    }
  }
  gst_wrtc_playout_get_stats (p, &st);
  FUZZ_CHECK (st.pushed == pushes);
  FUZZ_CHECK (st.pushed + st.late + st.duplicates <= calls);
  gst_wrtc_playout_free (p);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  static GstWrtcRtpStream *stream = NULL;

  if (size > 65536)
    return 0;
  fuzz_check_init ();
  if (!stream)
    stream = make_stream ();

  check_rtp (data, size);
  check_rtcp (data, size, stream);
  check_playout (data, size);
  return 0;
}
