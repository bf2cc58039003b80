/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Two peer connection cores in one process on 127.0.0.1: our offerer (a
 * WHEP client) receives a VP8 track from our answerer (a WHEP server),
 * and data channels between them. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <string.h>

#include "gstwrtcpeer.h"
#include "gstwrtcpeer-private.h"
#include "gstwrtcdtlsconnection.h"
#include "gstwrtcicecontext.h"
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

/* ------------------------------------------------------------------------
 * The data path for SCTP: DTLS application data both ways.
 */
typedef struct
{
  GMutex lock;
  GCond cond;
  GPtrArray *messages;          /* GBytes */
} DataProbe;

static void
data_probe_init (DataProbe * d)
{
  g_mutex_init (&d->lock);
  g_cond_init (&d->cond);
  d->messages = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_bytes_unref);
}

static void
data_probe_clear (DataProbe * d)
{
  g_ptr_array_unref (d->messages);
  g_mutex_clear (&d->lock);
  g_cond_clear (&d->cond);
}

static void
on_data (GstWrtcPeer * peer, const guint8 * data, gsize len, gpointer user_data)
{
  DataProbe *d = user_data;

  fail_unless (gst_wrtc_ice_context_is_ice_thread ());
  g_mutex_lock (&d->lock);
  g_ptr_array_add (d->messages, g_bytes_new (data, len));
  g_cond_broadcast (&d->cond);
  g_mutex_unlock (&d->lock);
}

static gboolean
wait_messages (DataProbe * d, guint n)
{
  gint64 end = g_get_monotonic_time () + WAIT_US;

  g_mutex_lock (&d->lock);
  while (d->messages->len < n && g_cond_wait_until (&d->cond, &d->lock, end));
  g_mutex_unlock (&d->lock);
  return d->messages->len >= n;
}

static void
check_message (DataProbe * d, guint i, const guint8 * data, gsize len)
{
  gsize n;
  const guint8 *got = g_bytes_get_data (d->messages->pdata[i], &n);

  fail_unless_equals_uint64 (n, len);
  fail_unless (memcmp (got, data, len) == 0);
}

GST_START_TEST (test_peer_data_both_ways)
{
  static const guint8 hello[] = "hello from the answerer";
  static const guint8 reply[] = "and from the offerer";
  guint8 big[1000];
  DataProbe at_tx, at_rx;
  GstWrtcPeerTransportStats st;
  GError *err = NULL;
  Pair pr;
  guint i;

  for (i = 0; i < sizeof (big); i++)
    big[i] = i * 7;
  data_probe_init (&at_tx);
  data_probe_init (&at_rx);

  pair_negotiate (&pr, NULL);
  /* nothing to carry it yet */
  fail_if (gst_wrtc_peer_send_data (pr.tx, hello, sizeof (hello), &err));
  fail_unless (err != NULL);
  g_clear_error (&err);
  gst_wrtc_peer_set_data_func (pr.tx, on_data, &at_tx);
  gst_wrtc_peer_set_data_func (pr.rx, on_data, &at_rx);
  fail_unless (wait_state (pr.tx, GST_WRTC_PEER_STATE_CONNECTED));
  fail_unless (wait_state (pr.rx, GST_WRTC_PEER_STATE_CONNECTED));

  fail_unless (gst_wrtc_peer_send_data (pr.tx, hello, sizeof (hello), &err),
      "%s", err ? err->message : "");
  fail_unless (gst_wrtc_peer_send_data (pr.rx, reply, sizeof (reply), &err),
      "%s", err ? err->message : "");
  fail_unless (gst_wrtc_peer_send_data (pr.rx, big, sizeof (big), &err),
      "%s", err ? err->message : "");
  fail_unless (wait_messages (&at_rx, 1));
  fail_unless (wait_messages (&at_tx, 2));
  check_message (&at_rx, 0, hello, sizeof (hello));
  check_message (&at_tx, 0, reply, sizeof (reply));
  check_message (&at_tx, 1, big, sizeof (big));

  /* the transport's counters are the peer's W3C transport stats: the
   * handshake and the records went both ways */
  gst_wrtc_peer_get_transport_stats (pr.tx, &st);
  fail_unless (st.packets_sent >= 3 && st.bytes_sent > sizeof (hello));
  fail_unless (st.packets_received >= 3 && st.bytes_received > sizeof (big));
  fail_unless_equals_string (st.dtls_state, "connected");
  /* a=setup:active: the answerer is the DTLS client */
  fail_unless_equals_string (st.dtls_role, "client");
  fail_unless_equals_string (st.srtp_cipher, "AEAD_AES_128_GCM");
  fail_unless (st.have_pair);
  gst_wrtc_peer_transport_stats_clear (&st);
  gst_wrtc_peer_get_transport_stats (pr.rx, &st);
  fail_unless_equals_string (st.dtls_role, "server");
  gst_wrtc_peer_transport_stats_clear (&st);

  /* cleared: the next record is dropped, and no call of the old function
   * is running once the setter returned */
  gst_wrtc_peer_set_data_func (pr.rx, NULL, NULL);
  fail_unless (gst_wrtc_peer_close_and_wait (pr.rx, WAIT_US));
  fail_unless (gst_wrtc_peer_close_and_wait (pr.tx, WAIT_US));
  fail_unless_equals_int (at_rx.messages->len, 1);
  /* closed: nothing more to send on */
  fail_if (gst_wrtc_peer_send_data (pr.tx, hello, sizeof (hello), NULL));
  pair_clear (&pr);
  data_probe_clear (&at_tx);
  data_probe_clear (&at_rx);
}

GST_END_TEST;

/* ------------------------------------------------------------------------
 * Barriers: close_and_wait() and clearing the receive function.
 */
typedef struct
{
  GMutex lock;
  GCond cond;
  gboolean armed;               /* the next call blocks until released */
  gboolean entered, released;
  gboolean in_call;
  gboolean after;               /* calls from now on are late */
  guint calls, late_calls;
} Gate;

static void
gate_init (Gate * g)
{
  memset (g, 0, sizeof (*g));
  g_mutex_init (&g->lock);
  g_cond_init (&g->cond);
}

static void
gate_clear (Gate * g)
{
  g_mutex_clear (&g->lock);
  g_cond_clear (&g->cond);
}

static void
gate_receive (GstWrtcPeer * peer, gint media, gboolean rtcp,
    const guint8 * data, gsize len, gpointer user_data)
{
  Gate *g = user_data;

  g_mutex_lock (&g->lock);
  if (g->after)
    g->late_calls++;
  g->calls++;
  g->in_call = TRUE;
  if (g->armed && !g->entered) {
    g->entered = TRUE;
    g_cond_broadcast (&g->cond);
    while (!g->released)
      g_cond_wait (&g->cond, &g->lock);
  }
  g->in_call = FALSE;
  g_mutex_unlock (&g->lock);
}

/* Sends media until a call of the gate's function is blocked in it. */
static void
gate_block (Gate * g, Pair * pr)
{
  gint64 end = g_get_monotonic_time () + WAIT_US;
  guint16 seq = 2000;

  g_mutex_lock (&g->lock);
  g->armed = TRUE;
  while (!g->entered && g_get_monotonic_time () < end) {
    g_mutex_unlock (&g->lock);
    send_packets (pr, seq++, 1);
    g_mutex_lock (&g->lock);
    g_cond_wait_until (&g->cond, &g->lock, g_get_monotonic_time () +
        G_USEC_PER_SEC / 20);
  }
  fail_unless (g->entered);
  g_mutex_unlock (&g->lock);
}

static void
gate_release (Gate * g)
{
  g_mutex_lock (&g->lock);
  g->released = TRUE;
  g_cond_broadcast (&g->cond);
  g_mutex_unlock (&g->lock);
}

typedef struct
{
  Pair *pr;
  Gate *gate;
  gboolean returned, result, in_call_at_return;
  guint closes_pending_at_return;
} Closer;

static gpointer
close_and_wait_thread (gpointer data)
{
  Closer *c = data;
  gboolean ok = gst_wrtc_peer_close_and_wait (c->pr->rx, WAIT_US);

  c->closes_pending_at_return = gst_wrtc_ice_context_closes_pending ();
  g_mutex_lock (&c->gate->lock);
  c->in_call_at_return = c->gate->in_call;
  c->result = ok;
  c->returned = TRUE;
  /* from now on, a call is a bug */
  c->gate->after = TRUE;
  g_mutex_unlock (&c->gate->lock);
  return NULL;
}

static gpointer
clear_receive_thread (gpointer data)
{
  Closer *c = data;

  gst_wrtc_peer_set_receive_func (c->pr->rx, NULL, NULL);
  g_mutex_lock (&c->gate->lock);
  c->in_call_at_return = c->gate->in_call;
  c->returned = TRUE;
  c->gate->after = TRUE;
  g_mutex_unlock (&c->gate->lock);
  return NULL;
}

/* close_and_wait() returns only once the receive function's call in
 * progress returned; the function is never called afterwards, and no ICE
 * close is left pending. */
GST_START_TEST (test_peer_close_and_wait)
{
  Closer c = { 0, };
  Gate gate;
  GThread *thread;
  Pair pr;

  gate_init (&gate);
  pair_negotiate (&pr, NULL);
  gst_wrtc_peer_set_receive_func (pr.rx, gate_receive, &gate);
  fail_unless (wait_state (pr.tx, GST_WRTC_PEER_STATE_CONNECTED));
  fail_unless (wait_state (pr.rx, GST_WRTC_PEER_STATE_CONNECTED));

  gate_block (&gate, &pr);
  c.pr = &pr;
  c.gate = &gate;
  thread = g_thread_new ("closer", close_and_wait_thread, &c);
  /* the close_notify went out (our DTLS closed) while the call is still
   * blocked: close_and_wait has not returned */
  fail_unless (wait_state (pr.rx, GST_WRTC_PEER_STATE_CLOSED));
  g_mutex_lock (&gate.lock);
  fail_if (c.returned);
  g_mutex_unlock (&gate.lock);

  gate_release (&gate);
  g_thread_join (thread);
  fail_unless (c.returned && c.result);
  fail_if (c.in_call_at_return);
  fail_unless_equals_int (c.closes_pending_at_return, 0);

  /* more media: nothing reaches the closed peer's function */
  send_packets (&pr, 3000, 20);
  fail_unless (gst_wrtc_peer_close_and_wait (pr.tx, WAIT_US));
  fail_unless_equals_int (gate.late_calls, 0);
  pair_clear (&pr);
  gate_clear (&gate);
}

GST_END_TEST;

/* Clearing the receive function waits for its call in progress; later
 * packets go to the next function, never to the cleared one. */
GST_START_TEST (test_peer_clear_receive_func_is_barrier)
{
  Closer c = { 0, };
  Gate gate;
  GThread *thread;
  Pair pr;

  gate_init (&gate);
  pair_negotiate (&pr, NULL);
  gst_wrtc_peer_set_receive_func (pr.rx, gate_receive, &gate);
  fail_unless (wait_state (pr.tx, GST_WRTC_PEER_STATE_CONNECTED));
  fail_unless (wait_state (pr.rx, GST_WRTC_PEER_STATE_CONNECTED));

  gate_block (&gate, &pr);
  c.pr = &pr;
  c.gate = &gate;
  thread = g_thread_new ("clearer", clear_receive_thread, &c);
  /* whenever we look while the call is blocked, the setter has not
   * returned */
  g_mutex_lock (&gate.lock);
  fail_if (c.returned);
  g_mutex_unlock (&gate.lock);
  gate_release (&gate);
  g_thread_join (thread);
  fail_unless (c.returned);
  fail_if (c.in_call_at_return);

  /* media keeps flowing to a new function, not to the cleared one */
  gst_wrtc_peer_set_receive_func (pr.rx, on_receive, &pr.rx_probe);
  send_packets (&pr, 4000, 20);
  fail_unless (wait_count (&pr.rx_probe, &pr.rx_probe.received, 1));
  fail_unless_equals_int (gate.late_calls, 0);

  gst_wrtc_peer_close (pr.tx);
  gst_wrtc_peer_close (pr.rx);
  pair_clear (&pr);
  gate_clear (&gate);
}

GST_END_TEST;

/* Many peers closed together wait once: after close() on each, the first
 * close_and_wait() waits for every pending ICE close, and the next ones
 * have nothing left to wait for. */
GST_START_TEST (test_peer_close_many_wait_once)
{
  Pair pr;

  pair_negotiate (&pr, NULL);
  fail_unless (wait_state (pr.tx, GST_WRTC_PEER_STATE_CONNECTED));
  fail_unless (wait_state (pr.rx, GST_WRTC_PEER_STATE_CONNECTED));
  gst_wrtc_peer_close (pr.tx);
  gst_wrtc_peer_close (pr.rx);
  fail_unless (gst_wrtc_peer_close_and_wait (pr.rx, WAIT_US));
  fail_unless (gst_wrtc_peer_close_and_wait (pr.tx, 0));
  fail_unless_equals_int (gst_wrtc_ice_context_closes_pending (), 0);
  /* and again: idempotent */
  fail_unless (gst_wrtc_peer_close_and_wait (pr.tx, 0));
  fail_unless_equals_int (gst_wrtc_peer_get_state (pr.tx),
      GST_WRTC_PEER_STATE_CLOSED);
  pair_clear (&pr);
}

GST_END_TEST;

/* On the ICE thread (here, inside the receive function) close_and_wait()
 * closes without waiting for what only the ICE thread can finish. */
typedef struct
{
  GMutex lock;
  GCond cond;
  gboolean called;
} IceClose;

static void
close_on_ice_thread (GstWrtcPeer * peer, gint media, gboolean rtcp,
    const guint8 * data, gsize len, gpointer user_data)
{
  IceClose *ic = user_data;

  g_mutex_lock (&ic->lock);
  if (ic->called) {
    g_mutex_unlock (&ic->lock);
    return;
  }
  g_mutex_unlock (&ic->lock);
  /* its result: whether all was already done, which it cannot be yet */
  gst_wrtc_peer_close_and_wait (peer, WAIT_US);
  g_mutex_lock (&ic->lock);
  ic->called = TRUE;
  g_cond_broadcast (&ic->cond);
  g_mutex_unlock (&ic->lock);
}

GST_START_TEST (test_peer_close_and_wait_on_ice_thread)
{
  gint64 end = g_get_monotonic_time () + WAIT_US;
  IceClose ic = { 0, };
  Pair pr;
  guint16 seq = 5000;

  g_mutex_init (&ic.lock);
  g_cond_init (&ic.cond);
  pair_negotiate (&pr, NULL);
  gst_wrtc_peer_set_receive_func (pr.rx, close_on_ice_thread, &ic);
  fail_unless (wait_state (pr.rx, GST_WRTC_PEER_STATE_CONNECTED));
  g_mutex_lock (&ic.lock);
  while (!ic.called && g_get_monotonic_time () < end) {
    g_mutex_unlock (&ic.lock);
    send_packets (&pr, seq++, 1);
    g_mutex_lock (&ic.lock);
    g_cond_wait_until (&ic.cond, &ic.lock, g_get_monotonic_time () +
        G_USEC_PER_SEC / 20);
  }
  fail_unless (ic.called);
  g_mutex_unlock (&ic.lock);
  fail_unless_equals_int (gst_wrtc_peer_get_state (pr.rx),
      GST_WRTC_PEER_STATE_CLOSED);
  /* from here it can wait */
  fail_unless (gst_wrtc_peer_close_and_wait (pr.rx, WAIT_US));
  fail_unless (gst_wrtc_peer_close_and_wait (pr.tx, WAIT_US));
  pair_clear (&pr);
  g_mutex_clear (&ic.lock);
  g_cond_clear (&ic.cond);
}

GST_END_TEST;

/* ------------------------------------------------------------------------
 * Data channels: the peer's SCTP association over its DTLS transport.
 */
typedef struct
{
  guint16 id;
  gboolean is_string;
  GBytes *data;
} ChanMessage;

typedef struct
{
  GMutex lock;
  GCond cond;
  GObject *owner;               /* frees this probe once no callback runs */
  gboolean ready;               /* channels-ready came */
  GArray *opened, *opened_remote, *closed;      /* guint16 ids */
  GPtrArray *messages;          /* ChanMessage */
} ChanProbe;

static void
chan_message_free (ChanMessage * m)
{
  g_bytes_unref (m->data);
  g_free (m);
}

static void
chan_probe_free (ChanProbe * p)
{
  g_array_unref (p->opened);
  g_array_unref (p->opened_remote);
  g_array_unref (p->closed);
  g_ptr_array_unref (p->messages);
  g_mutex_clear (&p->lock);
  g_cond_clear (&p->cond);
  g_free (p);
}

static ChanProbe *
chan_probe_new (void)
{
  ChanProbe *p = g_new0 (ChanProbe, 1);

  g_mutex_init (&p->lock);
  g_cond_init (&p->cond);
  p->opened = g_array_new (FALSE, FALSE, sizeof (guint16));
  p->opened_remote = g_array_new (FALSE, FALSE, sizeof (guint16));
  p->closed = g_array_new (FALSE, FALSE, sizeof (guint16));
  p->messages = g_ptr_array_new_with_free_func ((GDestroyNotify)
      chan_message_free);
  p->owner = g_object_new (G_TYPE_OBJECT, NULL);
  g_object_set_data_full (p->owner, "probe", p,
      (GDestroyNotify) chan_probe_free);
  return p;
}

static ChanProbe *
chan_probe_of (GObject * owner)
{
  return g_object_get_data (owner, "probe");
}

static void
chan_open_cb (guint16 id, gboolean remote, GObject * owner)
{
  ChanProbe *p = chan_probe_of (owner);

  g_mutex_lock (&p->lock);
  g_array_append_val (remote ? p->opened_remote : p->opened, id);
  g_cond_broadcast (&p->cond);
  g_mutex_unlock (&p->lock);
}

static void
chan_message_cb (guint16 id, gboolean is_string, const guint8 * data,
    gsize len, GObject * owner)
{
  ChanProbe *p = chan_probe_of (owner);
  ChanMessage *m = g_new0 (ChanMessage, 1);

  m->id = id;
  m->is_string = is_string;
  m->data = g_bytes_new (data, len);
  g_mutex_lock (&p->lock);
  g_ptr_array_add (p->messages, m);
  g_cond_broadcast (&p->cond);
  g_mutex_unlock (&p->lock);
}

static void
chan_closed_cb (guint16 id, GObject * owner)
{
  ChanProbe *p = chan_probe_of (owner);

  g_mutex_lock (&p->lock);
  g_array_append_val (p->closed, id);
  g_cond_broadcast (&p->cond);
  g_mutex_unlock (&p->lock);
}

static const GstWrtcSctpChannelsFuncs chan_funcs = {
  .channel_open = chan_open_cb,
  .message = chan_message_cb,
  .channel_closed = chan_closed_cb,
};

/* On the ICE thread, before the association starts: the remote's first
 * DATA_CHANNEL_OPEN finds our functions installed. */
static void
on_channels_ready (GstWrtcPeer * peer, GstWrtcSctpChannels * channels,
    ChanProbe * p)
{
  GstWrtcSctpChannels *own = gst_wrtc_peer_get_channels (peer);

  fail_unless (gst_wrtc_ice_context_is_ice_thread ());
  fail_unless (own == channels);
  g_object_unref (own);
  gst_wrtc_sctp_channels_set_funcs (channels, &chan_funcs, p->owner);
  g_mutex_lock (&p->lock);
  p->ready = TRUE;
  g_cond_broadcast (&p->cond);
  g_mutex_unlock (&p->lock);
}

static gboolean
chan_wait (ChanProbe * p, gboolean * flag, GArray * ids, GPtrArray * msgs,
    guint n)
{
  gint64 end = g_get_monotonic_time () + WAIT_US;
  gboolean ok;

  g_mutex_lock (&p->lock);
  for (;;) {
    ok = flag ? *flag : ids ? ids->len >= n : msgs->len >= n;
    if (ok || !g_cond_wait_until (&p->cond, &p->lock, end))
      break;
  }
  ok = flag ? *flag : ids ? ids->len >= n : msgs->len >= n;
  g_mutex_unlock (&p->lock);
  return ok;
}

static void
check_chan_message (ChanProbe * p, guint i, guint16 id, gboolean is_string,
    const guint8 * data, gsize len)
{
  ChanMessage *m = g_ptr_array_index (p->messages, i);
  gsize n;
  const guint8 *got = g_bytes_get_data (m->data, &n);

  fail_unless_equals_int (m->id, id);
  fail_unless_equals_int (m->is_string, is_string);
  fail_unless_equals_uint64 (n, len);
  fail_unless (memcmp (got, data, len) == 0);
}

typedef struct
{
  GstWrtcPeer *off, *ans;
  GstWrtcRtpStream *stream;
  Probe rx;                     /* the offerer receives the answerer's track */
  ChanProbe *off_chans, *ans_chans;
} DcPair;

/* The offerer (data channel option on) receives a VP8 track (@media) from
 * the answerer (data channel option @answer_dc). */
static void
dc_pair_negotiate (DcPair * d, gboolean answer_dc, gboolean media,
    const gchar * answer_srtp_profiles)
{
  GstWrtcPeerConfig cfg = { loopback, NULL, NULL, NULL, "test" };
  GstWrtcOfferMedia om[] = {
    {GST_WRTC_MEDIA_VIDEO, GST_WRTC_DIRECTION_RECVONLY, vp8, 1, NULL},
  };
  GstWrtcPeerTrack track = { GST_WRTC_MEDIA_VIDEO, vp8, 1, NULL, "s", "v" };
  Probe offer, answer;
  GError *err = NULL;

  memset (d, 0, sizeof (*d));
  probe_init (&d->rx);
  d->off_chans = chan_probe_new ();
  d->ans_chans = chan_probe_new ();
  d->stream = gst_wrtc_rtp_stream_new (SSRC, RTX_SSRC, 90000, 256, 500000);
  track.stream = d->stream;
  cfg.datachannel = TRUE;
  d->off = gst_wrtc_peer_new (&cfg, NULL);
  cfg.datachannel = answer_dc;
  cfg.srtp_profiles = answer_srtp_profiles;
  d->ans = gst_wrtc_peer_new (&cfg, NULL);
  g_signal_connect (d->off, "channels-ready", G_CALLBACK (on_channels_ready),
      d->off_chans);
  g_signal_connect (d->ans, "channels-ready", G_CALLBACK (on_channels_ready),
      d->ans_chans);
  gst_wrtc_peer_set_receive_func (d->off, on_receive, &d->rx);

  probe_init (&offer);
  gst_wrtc_peer_create_offer (d->off, om, media ? 1 : 0, on_sdp, &offer);
  fail_unless (wait_sdp (&offer));
  fail_unless (offer.sdp != NULL, "%s", offer.error);
  fail_unless (strstr (offer.sdp, "m=application 9 UDP/DTLS/SCTP "
          "webrtc-datachannel"));
  fail_unless (strstr (offer.sdp, "a=sctp-port:5000"));
  fail_unless (strstr (offer.sdp, "a=max-message-size:262144"));
  fail_unless_equals_int (strstr (offer.sdp, "m=video") != NULL, media);

  probe_init (&answer);
  gst_wrtc_peer_create_answer (d->ans, offer.sdp, &track, media ? 1 : 0,
      NULL, 0, on_sdp, &answer);
  fail_unless (wait_sdp (&answer));
  fail_unless (answer.sdp != NULL, "%s", answer.error);
  fail_unless (gst_wrtc_peer_set_answer (d->off, answer.sdp, &err), "%s",
      err ? err->message : "");
  if (answer_dc)
    fail_unless (strstr (answer.sdp, "m=application 9 UDP/DTLS/SCTP"));
  else
    fail_unless (strstr (answer.sdp, "m=application 0 "));
  probe_clear (&offer);
  probe_clear (&answer);
}

static void
dc_pair_clear (DcPair * d)
{
  fail_unless (gst_wrtc_peer_close_and_wait (d->off, WAIT_US));
  fail_unless (gst_wrtc_peer_close_and_wait (d->ans, WAIT_US));
  g_object_unref (d->off);
  g_object_unref (d->ans);
  gst_wrtc_rtp_stream_unref (d->stream);
  probe_clear (&d->rx);
  /* the probes go once no callback holds their owner */
  g_object_unref (d->off_chans->owner);
  g_object_unref (d->ans_chans->owner);
}

static void
send_track_packets (DcPair * d, guint16 first, guint n)
{
  guint8 pkt[200];
  guint i;

  for (i = 0; i < n; i++) {
    gsize len = make_rtp (pkt, first + i);
    gst_wrtc_rtp_stream_remember (d->stream, pkt, len);
    gst_wrtc_peer_send_rtp (d->ans, 0, pkt, len);
  }
}

/* A channel from each side; strings and binary both ways. */
static void
dc_exchange (DcPair * d)
{
  static const guint8 hello[] = "hello from the offerer";
  static const guint8 reply[] = "hello from the answerer";
  GstWrtcSctpChannels *oc, *ac;
  GstWrtcSctpChannelOptions opts;
  GstWrtcSctpChannelInfo info;
  guint8 bin[3000];
  guint16 oid, aid;
  GError *err = NULL;
  guint i;

  for (i = 0; i < sizeof (bin); i++)
    bin[i] = i * 13;
  oc = gst_wrtc_peer_get_channels (d->off);
  ac = gst_wrtc_peer_get_channels (d->ans);
  fail_unless (oc != NULL && ac != NULL);
  fail_unless (chan_wait (d->off_chans, &d->off_chans->ready, NULL, NULL, 0));
  fail_unless (chan_wait (d->ans_chans, &d->ans_chans->ready, NULL, NULL, 0));

  gst_wrtc_sctp_channel_options_init (&opts);
  opts.label = "from-offerer";
  fail_unless (gst_wrtc_sctp_channels_open (oc, &opts, &oid, &err), "%s",
      err ? err->message : "");
  opts.label = "from-answerer";
  opts.protocol = "chat";
  fail_unless (gst_wrtc_sctp_channels_open (ac, &opts, &aid, &err), "%s",
      err ? err->message : "");
  /* RFC 8832 section 6: the answerer (a=setup:active) is the DTLS client
   * and takes even ids, the offerer odd ones */
  fail_unless_equals_int (aid % 2, 0);
  fail_unless_equals_int (oid % 2, 1);

  fail_unless (chan_wait (d->ans_chans, NULL, d->ans_chans->opened_remote,
          NULL, 1));
  fail_unless (chan_wait (d->off_chans, NULL, d->off_chans->opened_remote,
          NULL, 1));
  fail_unless_equals_int (g_array_index (d->ans_chans->opened_remote, guint16,
          0), oid);
  fail_unless_equals_int (g_array_index (d->off_chans->opened_remote, guint16,
          0), aid);
  fail_unless (gst_wrtc_sctp_channels_get_info (ac, oid, &info));
  fail_unless_equals_string (info.label, "from-offerer");
  fail_unless (info.remote);
  gst_wrtc_sctp_channel_info_clear (&info);
  fail_unless (gst_wrtc_sctp_channels_get_info (oc, aid, &info));
  fail_unless_equals_string (info.label, "from-answerer");
  fail_unless_equals_string (info.protocol, "chat");
  gst_wrtc_sctp_channel_info_clear (&info);

  /* each on its own channel, then on the one the other side opened */
  fail_unless (gst_wrtc_sctp_channels_send (oc, oid, TRUE, hello,
          sizeof (hello) - 1, &err), "%s", err ? err->message : "");
  fail_unless (gst_wrtc_sctp_channels_send (oc, aid, FALSE, bin,
          sizeof (bin), &err), "%s", err ? err->message : "");
  fail_unless (gst_wrtc_sctp_channels_send (ac, aid, TRUE, reply,
          sizeof (reply) - 1, &err), "%s", err ? err->message : "");
  fail_unless (gst_wrtc_sctp_channels_send (ac, oid, FALSE, bin,
          sizeof (bin), &err), "%s", err ? err->message : "");

  fail_unless (chan_wait (d->ans_chans, NULL, NULL, d->ans_chans->messages, 2));
  fail_unless (chan_wait (d->off_chans, NULL, NULL, d->off_chans->messages, 2));
  /* ordered channels, but two streams: order across them is free */
  for (i = 0; i < 2; i++) {
    ChanMessage *m = g_ptr_array_index (d->ans_chans->messages, i);
    if (m->id == oid)
      check_chan_message (d->ans_chans, i, oid, TRUE, hello,
          sizeof (hello) - 1);
    else
      check_chan_message (d->ans_chans, i, aid, FALSE, bin, sizeof (bin));
    m = g_ptr_array_index (d->off_chans->messages, i);
    if (m->id == aid)
      check_chan_message (d->off_chans, i, aid, TRUE, reply,
          sizeof (reply) - 1);
    else
      check_chan_message (d->off_chans, i, oid, FALSE, bin, sizeof (bin));
  }
  g_object_unref (oc);
  g_object_unref (ac);
}

GST_START_TEST (test_peer_datachannel)
{
  GstWrtcSctpChannels *c;
  DcPair d;

  dc_pair_negotiate (&d, TRUE, TRUE, NULL);
  c = gst_wrtc_peer_get_channels (d.off);
  fail_unless (c != NULL);
  g_object_unref (c);
  fail_unless_equals_int (gst_wrtc_peer_get_negotiation (d.ans)->datachannel,
      1);
  fail_unless (wait_state (d.off, GST_WRTC_PEER_STATE_CONNECTED));
  fail_unless (wait_state (d.ans, GST_WRTC_PEER_STATE_CONNECTED));
  dc_exchange (&d);
  /* two of our stacks on a loopback pair: SCTP packets as large as a DTLS
   * record both ways (a=x-wrtc-max-sctp-packet) */
  c = gst_wrtc_peer_get_channels (d.off);
  fail_unless_equals_int (gst_wrtc_sctp_association_get_mtu
      (gst_wrtc_sctp_channels_get_association (c)), GST_WRTC_SCTP_MAX_MTU);
  g_object_unref (c);
  c = gst_wrtc_peer_get_channels (d.ans);
  fail_unless_equals_int (gst_wrtc_sctp_association_get_mtu
      (gst_wrtc_sctp_channels_get_association (c)), GST_WRTC_SCTP_MAX_MTU);
  g_object_unref (c);
  /* the media section next to it still carries the track */
  send_track_packets (&d, 1, 5);
  fail_unless (wait_count (&d.rx, &d.rx.received, 5));
  fail_unless (d.rx.payload_ok);
  /* closing the offerer aborts its association: both channels close on
   * this side and on the answerer's (the ABORT went out before DTLS
   * closed) */
  fail_unless (gst_wrtc_peer_close_and_wait (d.off, WAIT_US));
  fail_unless (chan_wait (d.off_chans, NULL, d.off_chans->closed, NULL, 2));
  fail_unless (chan_wait (d.ans_chans, NULL, d.ans_chans->closed, NULL, 2));
  dc_pair_clear (&d);
}

GST_END_TEST;

GST_START_TEST (test_peer_datachannel_only)
{
  DcPair d;

  dc_pair_negotiate (&d, TRUE, FALSE, NULL);
  fail_unless_equals_int (gst_wrtc_peer_get_negotiation (d.off)->media->len, 1);
  fail_unless (wait_state (d.off, GST_WRTC_PEER_STATE_CONNECTED));
  fail_unless (wait_state (d.ans, GST_WRTC_PEER_STATE_CONNECTED));
  dc_exchange (&d);
  dc_pair_clear (&d);
}

GST_END_TEST;

/* A data-only session with a peer that offers or accepts no SRTP profile
 * (no use_srtp, RFC 5764 section 4.1.1): DTLS connects without SRTP keys,
 * which data channels do not need (RFC 8261); the answerer is the DTLS
 * client, so this is a client offering none. */
GST_START_TEST (test_peer_datachannel_without_srtp)
{
  DcPair d;

  dc_pair_negotiate (&d, TRUE, FALSE, GST_WRTC_DTLS_NO_SRTP_PROFILES);
  fail_unless (wait_state (d.off, GST_WRTC_PEER_STATE_CONNECTED));
  fail_unless (wait_state (d.ans, GST_WRTC_PEER_STATE_CONNECTED));
  dc_exchange (&d);
  dc_pair_clear (&d);
}

GST_END_TEST;

/* With media next to the data channel, a peer without SRTP cannot carry
 * it: both ends fail. */
GST_START_TEST (test_peer_media_without_srtp)
{
  DcPair d;

  dc_pair_negotiate (&d, TRUE, TRUE, GST_WRTC_DTLS_NO_SRTP_PROFILES);
  fail_unless (wait_state (d.off, GST_WRTC_PEER_STATE_FAILED));
  fail_unless (wait_state (d.ans, GST_WRTC_PEER_STATE_FAILED));
  dc_pair_clear (&d);
}

GST_END_TEST;

GST_START_TEST (test_peer_datachannel_rejected)
{
  DcPair d;

  dc_pair_negotiate (&d, FALSE, TRUE, NULL);
  fail_unless (gst_wrtc_peer_get_channels (d.off) == NULL);
  fail_unless (gst_wrtc_peer_get_channels (d.ans) == NULL);
  fail_unless_equals_int (gst_wrtc_peer_get_negotiation (d.off)->datachannel,
      -1);
  fail_unless (wait_state (d.off, GST_WRTC_PEER_STATE_CONNECTED));
  fail_unless (wait_state (d.ans, GST_WRTC_PEER_STATE_CONNECTED));
  send_track_packets (&d, 1, 5);
  fail_unless (wait_count (&d.rx, &d.rx.received, 5));
  fail_unless (d.rx.payload_ok);
  fail_if (d.off_chans->ready);
  fail_if (d.ans_chans->ready);
  dc_pair_clear (&d);
}

GST_END_TEST;

/* ------------------------------------------------------------------------
 * The state machine, table-driven: the documented edges are the legal
 * ones, and every other edge is refused by the peer's own setter, leaving
 * the state as it was and emitting nothing.
 */
static const struct
{
  GstWrtcPeerState from, to;
} legal_edges[] = {
  {GST_WRTC_PEER_STATE_NEW, GST_WRTC_PEER_STATE_CONNECTING},
  {GST_WRTC_PEER_STATE_NEW, GST_WRTC_PEER_STATE_FAILED},
  {GST_WRTC_PEER_STATE_NEW, GST_WRTC_PEER_STATE_CLOSED},
  {GST_WRTC_PEER_STATE_CONNECTING, GST_WRTC_PEER_STATE_CONNECTED},
  {GST_WRTC_PEER_STATE_CONNECTING, GST_WRTC_PEER_STATE_FAILED},
  {GST_WRTC_PEER_STATE_CONNECTING, GST_WRTC_PEER_STATE_CLOSED},
  {GST_WRTC_PEER_STATE_CONNECTED, GST_WRTC_PEER_STATE_FAILED},
  {GST_WRTC_PEER_STATE_CONNECTED, GST_WRTC_PEER_STATE_CLOSED},
  {GST_WRTC_PEER_STATE_FAILED, GST_WRTC_PEER_STATE_CLOSED},
};

/* a legal way from new to each state */
static const GstWrtcPeerState path_to[][3] = {
  [GST_WRTC_PEER_STATE_NEW] = {GST_WRTC_PEER_STATE_NEW},
  [GST_WRTC_PEER_STATE_CONNECTING] = {GST_WRTC_PEER_STATE_CONNECTING},
  [GST_WRTC_PEER_STATE_CONNECTED] = {GST_WRTC_PEER_STATE_CONNECTING,
      GST_WRTC_PEER_STATE_CONNECTED},
  [GST_WRTC_PEER_STATE_FAILED] = {GST_WRTC_PEER_STATE_FAILED},
  [GST_WRTC_PEER_STATE_CLOSED] = {GST_WRTC_PEER_STATE_CLOSED},
};

static void
count_state_changes (GstWrtcPeer * peer, guint state, guint * n)
{
  (*n)++;
}

static void
try_illegal_edge (const GstWrtcFsm * fsm, guint from, guint to,
    gpointer user_data)
{
  GstWrtcPeerConfig cfg = { loopback, NULL, NULL, NULL, NULL };
  GstWrtcPeer *peer = gst_wrtc_peer_new (&cfg, NULL);
  guint *tried = user_data;
  guint i, changes = 0;

  g_signal_connect (peer, "state-changed", G_CALLBACK (count_state_changes),
      &changes);
  for (i = 0; i < G_N_ELEMENTS (path_to[from]) && path_to[from][i] !=
      GST_WRTC_PEER_STATE_NEW; i++)
    fail_unless (gst_wrtc_peer_try_state (peer, path_to[from][i]));
  fail_unless_equals_int (gst_wrtc_peer_get_state (peer), from);
  changes = 0;

  fail_if (gst_wrtc_peer_try_state (peer, to), "%s -> %s was accepted",
      gst_wrtc_peer_state_name (from), gst_wrtc_peer_state_name (to));
  fail_unless_equals_int (gst_wrtc_peer_get_state (peer), from);
  fail_unless_equals_int (changes, 0);
  (*tried)++;
  g_object_unref (peer);
}

GST_START_TEST (test_peer_state_machine)
{
  const GstWrtcFsm *fsm = gst_wrtc_peer_state_machine ();
  guint from, to, i, n_legal = 0, tried = 0;

  fail_unless_equals_int (fsm->n_states, GST_WRTC_PEER_STATE_CLOSED + 1);
  for (from = 0; from < fsm->n_states; from++) {
    fail_unless_equals_string (gst_wrtc_fsm_state_name (fsm, from),
        gst_wrtc_peer_state_name (from));
    for (to = 0; to < fsm->n_states; to++) {
      gboolean documented = FALSE;
      for (i = 0; i < G_N_ELEMENTS (legal_edges); i++)
        documented |= legal_edges[i].from == from && legal_edges[i].to == to;
      fail_unless_equals_int (gst_wrtc_fsm_is_legal (fsm, from, to),
          documented);
      n_legal += documented;
    }
  }
  fail_unless_equals_int (n_legal, G_N_ELEMENTS (legal_edges));

  gst_wrtc_fsm_foreach_illegal (fsm, try_illegal_edge, &tried);
  /* 5 states: 20 edges between distinct states, 9 of them legal */
  fail_unless_equals_int (tried, 20 - G_N_ELEMENTS (legal_edges));
}

GST_END_TEST;

/* A closed peer stays closed: what would fail it (a failed negotiation)
 * comes too late and changes nothing. */
GST_START_TEST (test_peer_closed_is_final)
{
  GstWrtcPeerConfig cfg = { loopback, NULL, NULL, NULL, NULL };
  GstWrtcPeer *peer = gst_wrtc_peer_new (&cfg, NULL);
  guint changes = 0;
  Probe p;

  g_signal_connect (peer, "state-changed", G_CALLBACK (count_state_changes),
      &changes);
  fail_unless (gst_wrtc_peer_close_and_wait (peer, WAIT_US));
  fail_unless_equals_int (changes, 1);
  probe_init (&p);
  gst_wrtc_peer_create_answer (peer, "not sdp", NULL, 0, NULL, 0, on_sdp, &p);
  fail_unless (p.done && p.error != NULL);
  fail_unless_equals_int (gst_wrtc_peer_get_state (peer),
      GST_WRTC_PEER_STATE_CLOSED);
  fail_unless_equals_int (changes, 1);
  probe_clear (&p);
  g_object_unref (peer);
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
  tcase_add_test (tc, test_peer_data_both_ways);
  tcase_add_test (tc, test_peer_close_and_wait);
  tcase_add_test (tc, test_peer_clear_receive_func_is_barrier);
  tcase_add_test (tc, test_peer_close_many_wait_once);
  tcase_add_test (tc, test_peer_close_and_wait_on_ice_thread);
  tcase_add_test (tc, test_peer_datachannel);
  tcase_add_test (tc, test_peer_datachannel_only);
  tcase_add_test (tc, test_peer_datachannel_without_srtp);
  tcase_add_test (tc, test_peer_media_without_srtp);
  tcase_add_test (tc, test_peer_datachannel_rejected);
  tcase_add_test (tc, test_peer_state_machine);
  tcase_add_test (tc, test_peer_closed_is_final);
  return s;
}

GST_CHECK_MAIN (peer);
