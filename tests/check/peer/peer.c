/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Two peer connection cores in one process on 127.0.0.1: our offerer (a
 * WHEP client) receives a VP8 track from our answerer (a WHEP server). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <string.h>

#include "gstwrtcpeer.h"
#include "gstwrtcrtp.h"

#define SSRC 0x0a0b0c0d
#define RTX_SSRC 0x01020304
#define WAIT_US (20 * G_USEC_PER_SEC)

static const GstWrtcCodecCap vp8[] = {
  {GST_WRTC_MEDIA_VIDEO, "VP8", 90000, 0, NULL},
};

static const gchar *loopback[] = { "127.0.0.1", NULL };

typedef struct
{
  GMutex lock;
  GCond cond;
  gchar *sdp;
  gchar *error;
  gboolean done;
  guint received, keyframes;
  guint8 last_pt;
  guint32 last_ssrc;
  guint16 last_osn;
  gboolean payload_ok;
} Probe;

static void
probe_init (Probe * p)
{
  memset (p, 0, sizeof (*p));
  g_mutex_init (&p->lock);
  g_cond_init (&p->cond);
  p->payload_ok = TRUE;
}

static void
probe_clear (Probe * p)
{
  g_free (p->sdp);
  g_free (p->error);
  g_mutex_clear (&p->lock);
  g_cond_clear (&p->cond);
}

static void
on_sdp (GstWrtcPeer * peer, const gchar * sdp, const GError * error,
    gpointer user_data)
{
  Probe *p = user_data;

  g_mutex_lock (&p->lock);
  p->sdp = g_strdup (sdp);
  p->error = error ? g_strdup (error->message) : NULL;
  p->done = TRUE;
  g_cond_broadcast (&p->cond);
  g_mutex_unlock (&p->lock);
}

static void
on_receive (GstWrtcPeer * peer, gint media, gboolean rtcp,
    const guint8 * data, gsize len, gpointer user_data)
{
  Probe *p = user_data;
  GstWrtcRtpHeader h;

  if (rtcp || !gst_wrtc_rtp_parse (data, len, &h))
    return;
  g_mutex_lock (&p->lock);
  p->received++;
  p->last_pt = h.pt;
  p->last_ssrc = h.ssrc;
  if (h.ssrc == RTX_SSRC && h.payload_len >= 2)
    p->last_osn = (h.payload[0] << 8) | h.payload[1];
  else if (h.payload_len != 100 || h.payload[0] != (guint8) h.seq)
    p->payload_ok = FALSE;
  g_cond_broadcast (&p->cond);
  g_mutex_unlock (&p->lock);
}

static void
on_keyframe (GstWrtcPeer * peer, guint track, gpointer user_data)
{
  Probe *p = user_data;

  g_mutex_lock (&p->lock);
  p->keyframes++;
  g_cond_broadcast (&p->cond);
  g_mutex_unlock (&p->lock);
}

static gboolean
wait_sdp (Probe * p)
{
  gint64 end = g_get_monotonic_time () + WAIT_US;

  g_mutex_lock (&p->lock);
  while (!p->done && g_cond_wait_until (&p->cond, &p->lock, end));
  g_mutex_unlock (&p->lock);
  return p->done;
}

static gboolean
wait_state (GstWrtcPeer * peer, GstWrtcPeerState s)
{
  gint64 end = g_get_monotonic_time () + WAIT_US;

  while (gst_wrtc_peer_get_state (peer) != s && g_get_monotonic_time () < end)
    g_usleep (5000);
  return gst_wrtc_peer_get_state (peer) == s;
}

static gboolean
wait_count (Probe * p, guint * field, guint n)
{
  gint64 end = g_get_monotonic_time () + WAIT_US;

  g_mutex_lock (&p->lock);
  while (*field < n && g_cond_wait_until (&p->cond, &p->lock, end));
  g_mutex_unlock (&p->lock);
  return *field >= n;
}

static gsize
make_rtp (guint8 * out, guint16 seq)
{
  out[0] = 0x80;
  out[1] = 100;                 /* the payloader's; each viewer gets its own */
  out[2] = seq >> 8;
  out[3] = seq;
  memset (out + 4, 0, 4);
  out[8] = SSRC >> 24;
  out[9] = (SSRC >> 16) & 0xff;
  out[10] = (SSRC >> 8) & 0xff;
  out[11] = SSRC & 0xff;
  memset (out + 12, (guint8) seq, 100);
  return 112;
}

typedef struct
{
  GstWrtcPeer *tx, *rx;
  GstWrtcRtpStream *stream;
  Probe tx_probe, rx_probe;
} Pair;

/* Offer from rx, answer from tx; @mangle_offer may change the offer and
 * @mangle the answer. */
static void
pair_negotiate_full (Pair * pr, void (*mangle_offer) (gchar * offer),
    void (*mangle) (gchar * answer))
{
  GstWrtcPeerConfig cfg = { loopback, NULL, NULL, NULL, "test" };
  GstWrtcOfferMedia media[] = {
    {GST_WRTC_MEDIA_VIDEO, GST_WRTC_DIRECTION_RECVONLY, vp8, 1, NULL},
  };
  GstWrtcPeerTrack track = { GST_WRTC_MEDIA_VIDEO, vp8, 1, NULL, "s", "v" };
  Probe offer, answer;
  GError *err = NULL;

  probe_init (&pr->tx_probe);
  probe_init (&pr->rx_probe);
  pr->stream = gst_wrtc_rtp_stream_new (SSRC, RTX_SSRC, 90000, 256, 500000);
  track.stream = pr->stream;
  pr->tx = gst_wrtc_peer_new (&cfg, NULL);
  pr->rx = gst_wrtc_peer_new (&cfg, NULL);
  g_signal_connect (pr->tx, "keyframe-request", G_CALLBACK (on_keyframe),
      &pr->tx_probe);
  gst_wrtc_peer_set_receive_func (pr->rx, on_receive, &pr->rx_probe);

  probe_init (&offer);
  gst_wrtc_peer_create_offer (pr->rx, media, 1, on_sdp, &offer);
  fail_unless (wait_sdp (&offer));
  fail_unless (offer.sdp != NULL, "%s", offer.error);
  fail_unless (strstr (offer.sdp, "a=candidate:"));
  if (mangle_offer)
    mangle_offer (offer.sdp);

  probe_init (&answer);
  gst_wrtc_peer_create_answer (pr->tx, offer.sdp, &track, 1, NULL, 0, on_sdp,
      &answer);
  fail_unless (wait_sdp (&answer));
  fail_unless (answer.sdp != NULL, "%s", answer.error);
  fail_unless (strstr (answer.sdp, "a=setup:active"));
  if (mangle)
    mangle (answer.sdp);
  fail_unless (gst_wrtc_peer_set_answer (pr->rx, answer.sdp, &err), "%s",
      err ? err->message : "");
  probe_clear (&offer);
  probe_clear (&answer);
}

static void
pair_negotiate (Pair * pr, void (*mangle) (gchar * answer))
{
  pair_negotiate_full (pr, NULL, mangle);
}

static void
pair_clear (Pair * pr)
{
  g_object_unref (pr->tx);
  g_object_unref (pr->rx);
  gst_wrtc_rtp_stream_unref (pr->stream);
  probe_clear (&pr->tx_probe);
  probe_clear (&pr->rx_probe);
}

static void
send_packets (Pair * pr, guint16 first, guint n)
{
  guint8 pkt[200];
  guint i;

  for (i = 0; i < n; i++) {
    gsize len = make_rtp (pkt, first + i);
    gst_wrtc_rtp_stream_remember (pr->stream, pkt, len);
    gst_wrtc_peer_send_rtp (pr->tx, 0, pkt, len);
  }
}

GST_START_TEST (test_peer_media_feedback_close)
{
  Pair pr;
  guint8 rtcp[64];
  guint16 lost = 1010;
  gsize n;

  pair_negotiate (&pr, NULL);
  fail_unless (wait_state (pr.tx, GST_WRTC_PEER_STATE_CONNECTED));
  fail_unless (wait_state (pr.rx, GST_WRTC_PEER_STATE_CONNECTED));
  /* a new viewer asks for a keyframe at once */
  fail_unless (wait_count (&pr.tx_probe, &pr.tx_probe.keyframes, 1));

  send_packets (&pr, 1000, 50);
  fail_unless (wait_count (&pr.rx_probe, &pr.rx_probe.received, 50));
  /* our offer put VP8 at 96: the viewer's payload type, not the
   * payloader's */
  fail_unless_equals_int (pr.rx_probe.last_pt, 96);
  fail_unless_equals_int (pr.rx_probe.last_ssrc, SSRC);
  fail_unless (pr.rx_probe.payload_ok);

  /* PLI from the viewer: a keyframe request */
  n = gst_wrtc_rtcp_write_pli (rtcp, sizeof (rtcp), 1, SSRC);
  fail_unless (gst_wrtc_peer_send_rtcp (pr.rx, rtcp, n, NULL));
  fail_unless (wait_count (&pr.tx_probe, &pr.tx_probe.keyframes, 2));

  /* NACK: answered with RTX (RFC 4588) at the offered RTX type */
  n = gst_wrtc_rtcp_write_nack (rtcp, sizeof (rtcp), 1, SSRC, &lost, 1);
  fail_unless (gst_wrtc_peer_send_rtcp (pr.rx, rtcp, n, NULL));
  fail_unless (wait_count (&pr.rx_probe, &pr.rx_probe.received, 51));
  fail_unless_equals_int (pr.rx_probe.last_pt, 97);
  fail_unless_equals_int (pr.rx_probe.last_ssrc, RTX_SSRC);
  fail_unless_equals_int (pr.rx_probe.last_osn, 1010);

  /* the sender leaves: close_notify tells the viewer at once */
  gst_wrtc_peer_close (pr.tx);
  fail_unless (wait_state (pr.rx, GST_WRTC_PEER_STATE_CLOSED));
  pair_clear (&pr);
}

GST_END_TEST;

/* RFC 8827 section 6.5: a certificate that does not match the signalled
 * fingerprint fails the connection. */
static void
wrong_fingerprint (gchar * answer)
{
  gchar *fp = strstr (answer, "a=fingerprint:sha-256 ");

  fail_unless (fp != NULL);
  fp += strlen ("a=fingerprint:sha-256 ");
  fp[0] = fp[0] == 'A' ? 'B' : 'A';
}

GST_START_TEST (test_peer_fingerprint_mismatch)
{
  Pair pr;

  pair_negotiate (&pr, wrong_fingerprint);
  fail_unless (wait_state (pr.rx, GST_WRTC_PEER_STATE_FAILED));
  /* no media ever reaches the viewer */
  send_packets (&pr, 1, 5);
  fail_unless_equals_int (pr.rx_probe.received, 0);
  gst_wrtc_peer_close (pr.tx);
  gst_wrtc_peer_close (pr.rx);
  pair_clear (&pr);
}

GST_END_TEST;

/* The same from the answerer's side: the offer names a fingerprint that
 * is not the offerer's certificate's.  The answerer is the DTLS client
 * (a=setup:active) and refuses the server's certificate. */
GST_START_TEST (test_peer_offer_fingerprint_mismatch)
{
  Pair pr;

  pair_negotiate_full (&pr, wrong_fingerprint, NULL);
  fail_unless (wait_state (pr.tx, GST_WRTC_PEER_STATE_FAILED));
  send_packets (&pr, 1, 5);
  /* the offerer is told by the alert, or never connects */
  fail_if (gst_wrtc_peer_get_state (pr.rx) == GST_WRTC_PEER_STATE_CONNECTED);
  fail_unless_equals_int (pr.rx_probe.received, 0);
  gst_wrtc_peer_close (pr.tx);
  gst_wrtc_peer_close (pr.rx);
  pair_clear (&pr);
}

GST_END_TEST;

GST_START_TEST (test_peer_bad_offer)
{
  GstWrtcPeerConfig cfg = { loopback, NULL, NULL, NULL, NULL };
  GstWrtcPeer *peer = gst_wrtc_peer_new (&cfg, NULL);
  Probe p;

  probe_init (&p);
  gst_wrtc_peer_create_answer (peer, "not sdp", NULL, 0, NULL, 0, on_sdp, &p);
  fail_unless (p.done && p.sdp == NULL && p.error != NULL);
  fail_unless (strstr (p.error, "v=0"), "%s", p.error);
  fail_unless_equals_int (gst_wrtc_peer_get_state (peer),
      GST_WRTC_PEER_STATE_FAILED);
  probe_clear (&p);
  g_object_unref (peer);
}

GST_END_TEST;

/* The other direction, as a WHIP client publishes (RFC 9725): the sender
 * offers sendonly with two codecs, a stream each; the receiving answerer
 * takes only the second, and packets of that codec's stream arrive at the
 * payload type the offer gave it. */
GST_START_TEST (test_peer_send_offer)
{
  static const GstWrtcCodecCap both[] = {
    {GST_WRTC_MEDIA_VIDEO, "VP8", 90000, 0, NULL},
    {GST_WRTC_MEDIA_VIDEO, "VP9", 90000, 0, NULL},
  };
  GstWrtcPeerConfig cfg = { loopback, NULL, NULL, NULL, "test" };
  GstWrtcRtpStream *streams[2];
  GstWrtcPeerTrack track = { GST_WRTC_MEDIA_VIDEO, both, 2, NULL, "s", "v",
    streams
  };
  Pair pr = { 0, };
  Probe offer, answer;
  GError *err = NULL;
  guint8 pkt[200];
  gsize len;
  guint i;

  probe_init (&pr.tx_probe);
  probe_init (&pr.rx_probe);
  streams[0] = gst_wrtc_rtp_stream_new (0x11111111, 0x22222222, 90000, 256,
      500000);
  /* the second codec's stream sends what make_rtp makes */
  streams[1] = pr.stream = gst_wrtc_rtp_stream_new (SSRC, RTX_SSRC, 90000,
      256, 500000);
  pr.tx = gst_wrtc_peer_new (&cfg, NULL);
  pr.rx = gst_wrtc_peer_new (&cfg, NULL);
  gst_wrtc_peer_set_receive_func (pr.rx, on_receive, &pr.rx_probe);

  probe_init (&offer);
  gst_wrtc_peer_create_send_offer (pr.tx, &track, 1, on_sdp, &offer);
  fail_unless (wait_sdp (&offer));
  fail_unless (offer.sdp != NULL, "%s", offer.error);
  fail_unless (strstr (offer.sdp, "a=sendonly\r\n"));
  fail_unless (strstr (offer.sdp, "a=msid:s v\r\n"));
  fail_unless (strstr (offer.sdp, "a=rtpmap:96 VP8/90000"));
  fail_unless (strstr (offer.sdp, "a=rtpmap:98 VP9/90000"));

  probe_init (&answer);
  gst_wrtc_peer_create_answer (pr.rx, offer.sdp, NULL, 0, &both[1], 1, on_sdp,
      &answer);
  fail_unless (wait_sdp (&answer));
  fail_unless (answer.sdp != NULL, "%s", answer.error);
  fail_unless (strstr (answer.sdp, "a=recvonly\r\n"));
  fail_unless (gst_wrtc_peer_set_answer (pr.tx, answer.sdp, &err), "%s",
      err ? err->message : "");
  fail_unless_equals_int (gst_wrtc_peer_get_track_codec (pr.tx, 0), 1);
  fail_unless (wait_state (pr.tx, GST_WRTC_PEER_STATE_CONNECTED));
  fail_unless (wait_state (pr.rx, GST_WRTC_PEER_STATE_CONNECTED));

  for (i = 0; i < 20; i++) {
    len = make_rtp (pkt, 500 + i);
    gst_wrtc_rtp_stream_remember (pr.stream, pkt, len);
    gst_wrtc_peer_send_rtp (pr.tx, 0, pkt, len);
  }
  fail_unless (wait_count (&pr.rx_probe, &pr.rx_probe.received, 20));
  fail_unless_equals_int (pr.rx_probe.last_pt, 98);
  fail_unless_equals_int (pr.rx_probe.last_ssrc, SSRC);
  fail_unless (pr.rx_probe.payload_ok);

  gst_wrtc_peer_close (pr.tx);
  fail_unless (wait_state (pr.rx, GST_WRTC_PEER_STATE_CLOSED));
  gst_wrtc_rtp_stream_unref (streams[0]);
  probe_clear (&offer);
  probe_clear (&answer);
  pair_clear (&pr);
}

GST_END_TEST;

static Suite *
peer_suite (void)
{
  Suite *s = suite_create ("peer");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 60);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_peer_media_feedback_close);
  tcase_add_test (tc, test_peer_fingerprint_mismatch);
  tcase_add_test (tc, test_peer_offer_fingerprint_mismatch);
  tcase_add_test (tc, test_peer_bad_offer);
  tcase_add_test (tc, test_peer_send_offer);
  return s;
}

GST_CHECK_MAIN (peer);
