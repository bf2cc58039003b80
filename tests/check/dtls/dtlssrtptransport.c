/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of GstWrtcDtlsSrtpTransport: two transports (one per side of
 * an association) exchange datagrams through queues the test empties. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "dtlstestutil.h"
#include "gstwrtcdtlssrtptransport.h"

#define S_NEW GST_WRTC_DTLS_CONNECTION_STATE_NEW
#define S_CLOSED GST_WRTC_DTLS_CONNECTION_STATE_CLOSED
#define S_FAILED GST_WRTC_DTLS_CONNECTION_STATE_FAILED
#define S_CONNECTING GST_WRTC_DTLS_CONNECTION_STATE_CONNECTING
#define S_CONNECTED GST_WRTC_DTLS_CONNECTION_STATE_CONNECTED

#define BUF 2048

typedef struct
{
  const gchar *name;
  GstWrtcDtlsSrtpTransport *t;
  GObject *sender, *receiver;   /* the "elements" */
  GAsyncQueue *out;             /* GBytes */
  GMutex lock;
  GCond cond;
  GPtrArray *data;              /* GBytes: application data received */
  GArray *states;
  guint keys_set;
} TPeer;

static GQuark
tpeer_quark (void)
{
  return g_quark_from_static_string ("wrtc-test-tpeer");
}

static void
tpeer_send (GObject * owner, const guint8 * data, gsize len)
{
  TPeer *p = g_object_get_qdata (owner, tpeer_quark ());
  g_async_queue_push (p->out, g_bytes_new (data, len));
}

static void
tpeer_data (GObject * owner, const guint8 * data, gsize len)
{
  TPeer *p = g_object_get_qdata (owner, tpeer_quark ());

  g_mutex_lock (&p->lock);
  g_ptr_array_add (p->data, g_bytes_new (data, len));
  g_cond_broadcast (&p->cond);
  g_mutex_unlock (&p->lock);
}

static void
tpeer_state (GstWrtcDtlsSrtpTransport * t, GstWrtcDtlsConnectionState s,
    TPeer * p)
{
  g_mutex_lock (&p->lock);
  g_array_append_val (p->states, s);
  g_cond_broadcast (&p->cond);
  g_mutex_unlock (&p->lock);
}

static void
tpeer_keys (GstWrtcDtlsSrtpTransport * t, TPeer * p)
{
  g_mutex_lock (&p->lock);
  p->keys_set++;
  g_mutex_unlock (&p->lock);
}

static TPeer *
tpeer_new (const gchar * name, const gchar * id, gboolean is_client)
{
  TPeer *p = g_new0 (TPeer, 1);

  p->name = name;
  g_mutex_init (&p->lock);
  g_cond_init (&p->cond);
  p->out = g_async_queue_new_full ((GDestroyNotify) g_bytes_unref);
  p->data = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  p->states = g_array_new (FALSE, FALSE, sizeof (GstWrtcDtlsConnectionState));
  p->sender = g_object_new (G_TYPE_OBJECT, NULL);
  p->receiver = g_object_new (G_TYPE_OBJECT, NULL);
  g_object_set_qdata (p->sender, tpeer_quark (), p);
  g_object_set_qdata (p->receiver, tpeer_quark (), p);
  p->t = gst_wrtc_dtls_srtp_transport_acquire (id);
  gst_wrtc_dtls_srtp_transport_set_is_client (p->t, is_client);
  g_signal_connect (p->t, "state-changed", G_CALLBACK (tpeer_state), p);
  g_signal_connect (p->t, "keys-set", G_CALLBACK (tpeer_keys), p);
  return p;
}

static void
tpeer_attach (TPeer * p)
{
  gst_wrtc_dtls_srtp_transport_attach_receiver (p->t, p->receiver, tpeer_data);
  gst_wrtc_dtls_srtp_transport_attach_sender (p->t, p->sender, tpeer_send);
}

static void
tpeer_free (TPeer * p)
{
  gst_wrtc_dtls_srtp_transport_detach_sender (p->t);
  gst_wrtc_dtls_srtp_transport_detach_receiver (p->t);
  g_signal_handlers_disconnect_by_data (p->t, p);
  g_object_unref (p->t);
  g_clear_object (&p->sender);
  g_clear_object (&p->receiver);
  g_async_queue_unref (p->out);
  g_ptr_array_unref (p->data);
  g_array_unref (p->states);
  g_mutex_clear (&p->lock);
  g_cond_clear (&p->cond);
  g_free (p);
}

static guint64
stat_u64 (TPeer * p, const gchar * field)
{
  GstStructure *s = gst_wrtc_dtls_srtp_transport_get_stats (p->t);
  guint64 v = G_MAXUINT64;

  fail_unless (gst_structure_has_name (s, "dtls-srtp-stats"));
  fail_unless (gst_structure_get_uint64 (s, field, &v), "no field %s", field);
  gst_structure_free (s);
  return v;
}

static gchar *
stat_string (TPeer * p, const gchar * field)
{
  GstStructure *s = gst_wrtc_dtls_srtp_transport_get_stats (p->t);
  gchar *v = g_strdup (gst_structure_get_string (s, field));

  gst_structure_free (s);
  return v;
}

/* Delivers what @from sent into @to, as a decoder would. */
static gboolean
tpump_one (TPeer * from, TPeer * to, guint wait_us)
{
  GBytes *b = g_async_queue_timeout_pop (from->out, wait_us);
  guint8 buf[BUF];
  gsize len;
  GstWrtcSrtpResult res;
  GstWrtcPacketKind kind;

  if (!b)
    return FALSE;
  len = g_bytes_get_size (b);
  fail_unless (len <= sizeof (buf));
  memcpy (buf, g_bytes_get_data (b, NULL), len);
  g_bytes_unref (b);
  kind = gst_wrtc_dtls_srtp_transport_receive (to->t, buf, &len, &res);
  fail_unless_equals_int (kind, GST_WRTC_PACKET_DTLS);
  return TRUE;
}

typedef gboolean (*TDone) (TPeer * a, TPeer * b);

static gboolean
tpump (TPeer * a, TPeer * b, TDone done)
{
  gint64 end = g_get_monotonic_time () + TEST_WAIT_MS * (gint64) 1000;

  while (!done (a, b)) {
    gboolean moved;

    if (g_get_monotonic_time () > end)
      return FALSE;
    moved = tpump_one (a, b, 0);
    moved |= tpump_one (b, a, 0);
    if (!moved && !tpump_one (a, b, 2000))
      tpump_one (b, a, 0);
  }
  return TRUE;
}

static gboolean
both_keyed (TPeer * a, TPeer * b)
{
  return gst_wrtc_dtls_srtp_transport_has_keys (a->t)
      && gst_wrtc_dtls_srtp_transport_has_keys (b->t);
}

static gboolean
both_final (TPeer * a, TPeer * b)
{
  GstWrtcDtlsConnectionState sa = gst_wrtc_dtls_srtp_transport_get_state (a->t);
  GstWrtcDtlsConnectionState sb = gst_wrtc_dtls_srtp_transport_get_state (b->t);
  return (sa == S_FAILED || sa == S_CLOSED) && (sb == S_FAILED
      || sb == S_CLOSED);
}

static void
connect_pair (TPeer * c, TPeer * s)
{
  tpeer_attach (s);
  tpeer_attach (c);
  fail_unless (tpump (c, s, both_keyed), "no keys: client %d, server %d",
      gst_wrtc_dtls_srtp_transport_get_state (c->t),
      gst_wrtc_dtls_srtp_transport_get_state (s->t));
}

static gsize
make_rtp (guint8 * buf, guint32 ssrc, guint16 seq, gsize payload_len)
{
  gsize i;

  buf[0] = 0x80;
  buf[1] = 96;
  GST_WRITE_UINT16_BE (buf + 2, seq);
  GST_WRITE_UINT32_BE (buf + 4, seq * 3000);
  GST_WRITE_UINT32_BE (buf + 8, ssrc);
  for (i = 0; i < payload_len; i++)
    buf[12 + i] = (guint8) (i ^ seq);
  return 12 + payload_len;
}

static gsize
make_rtcp_rr (guint8 * buf, guint32 ssrc)
{
  buf[0] = 0x80;
  buf[1] = 201;
  GST_WRITE_UINT16_BE (buf + 2, 1);
  GST_WRITE_UINT32_BE (buf + 4, ssrc);
  return 8;
}

/* Protects on @from and receives on @to; returns the receive result. */
static GstWrtcSrtpResult
send_rtp (TPeer * from, TPeer * to, gboolean rtcp, guint16 seq)
{
  guint8 plain[BUF], buf[BUF];
  gsize plen, len;
  GstWrtcSrtpResult res;
  GstWrtcPacketKind kind;

  plen = rtcp ? make_rtcp_rr (plain, 0xbeef) : make_rtp (plain, 0xbeef, seq,
      200);
  memcpy (buf, plain, plen);
  len = plen;
  res = gst_wrtc_dtls_srtp_transport_protect (from->t, rtcp, buf, &len,
      sizeof (buf));
  if (res != GST_WRTC_SRTP_OK)
    return res;
  fail_unless (len > plen);
  kind = gst_wrtc_dtls_srtp_transport_receive (to->t, buf, &len, &res);
  fail_unless_equals_int (kind, rtcp ? GST_WRTC_PACKET_RTCP :
      GST_WRTC_PACKET_RTP);
  if (res == GST_WRTC_SRTP_OK) {
    fail_unless_equals_int (len, plen);
    fail_unless (memcmp (buf, plain, plen) == 0);
  }
  return res;
}

/* ------------------------------------------------------------------------ */

GST_START_TEST (test_registry)
{
  GstWrtcDtlsSrtpTransport *a = gst_wrtc_dtls_srtp_transport_acquire ("reg");
  GstWrtcDtlsSrtpTransport *b = gst_wrtc_dtls_srtp_transport_acquire ("reg");
  GstWrtcDtlsSrtpTransport *other =
      gst_wrtc_dtls_srtp_transport_acquire ("reg2");
  GstWrtcDtlsSrtpTransport *p1 = gst_wrtc_dtls_srtp_transport_acquire (NULL);
  GstWrtcDtlsSrtpTransport *p2 = gst_wrtc_dtls_srtp_transport_acquire (NULL);
  GstWrtcDtlsCertificate *mine = gst_wrtc_dtls_certificate_new_generated ();
  GstWrtcDtlsCertificate *def = gst_wrtc_dtls_certificate_get_default ();
  GstWrtcDtlsCertificate *got;
  gpointer weak = a;

  fail_unless (a == b, "the same connection-id shares one transport");
  fail_if (a == other);
  fail_if (p1 == p2, "a NULL id is private");
  fail_if (p1 == a);

  /* the default certificate unless one is set */
  got = gst_wrtc_dtls_srtp_transport_get_certificate (other);
  fail_unless (got == def);
  g_object_unref (got);
  gst_wrtc_dtls_srtp_transport_set_certificate (a, mine);
  got = gst_wrtc_dtls_srtp_transport_get_certificate (b);
  fail_unless (got == mine);
  g_object_unref (got);

  /* once the last user is gone, the id starts afresh */
  g_object_add_weak_pointer (G_OBJECT (a), &weak);
  g_object_unref (a);
  g_object_unref (b);
  fail_unless (weak == NULL);
  a = gst_wrtc_dtls_srtp_transport_acquire ("reg");
  got = gst_wrtc_dtls_srtp_transport_get_certificate (a);
  fail_unless (got == def);
  g_object_unref (got);
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_get_state (a), S_NEW);

  g_object_unref (a);
  g_object_unref (other);
  g_object_unref (p1);
  g_object_unref (p2);
  g_object_unref (mine);
  g_object_unref (def);
}

GST_END_TEST;

/* Registry use from many threads: every thread that acquires an id while
 * another holds it gets the same object. */
static gpointer
acquire_thread (gpointer data)
{
  GstWrtcDtlsSrtpTransport *held = data;
  guint i;

  for (i = 0; i < 2000; i++) {
    GstWrtcDtlsSrtpTransport *t = gst_wrtc_dtls_srtp_transport_acquire ("mt");
    GstWrtcDtlsSrtpTransport *tmp = gst_wrtc_dtls_srtp_transport_acquire
        ("mt-tmp");
    if (t != held)
      return GINT_TO_POINTER (1);
    g_object_unref (tmp);
    g_object_unref (t);
  }
  return NULL;
}

GST_START_TEST (test_registry_threads)
{
  GstWrtcDtlsSrtpTransport *held = gst_wrtc_dtls_srtp_transport_acquire ("mt");
  GThread *th[4];
  guint i;

  for (i = 0; i < G_N_ELEMENTS (th); i++)
    th[i] = g_thread_new ("acquire", acquire_thread, held);
  for (i = 0; i < G_N_ELEMENTS (th); i++)
    fail_unless (g_thread_join (th[i]) == NULL);
  g_object_unref (held);
}

GST_END_TEST;

/* The handshake starts once both halves are attached, in either order. */
GST_START_TEST (test_start_needs_both_halves)
{
  TPeer *c = tpeer_new ("client", NULL, TRUE);
  TPeer *s = tpeer_new ("server", NULL, FALSE);
  GBytes *b;

  gst_wrtc_dtls_srtp_transport_attach_sender (c->t, c->sender, tpeer_send);
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_get_state (c->t), S_NEW);
  fail_unless_equals_int (g_async_queue_length (c->out), 0);
  gst_wrtc_dtls_srtp_transport_attach_receiver (c->t, c->receiver, tpeer_data);
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_get_state (c->t),
      S_CONNECTING);
  /* the ClientHello went out through the sender */
  b = g_async_queue_try_pop (c->out);
  fail_unless (b != NULL);
  fail_unless_equals_int (dtls_handshake_type (g_bytes_get_data (b, NULL),
          g_bytes_get_size (b)), DTLS_HT_CLIENT_HELLO);
  g_bytes_unref (b);

  gst_wrtc_dtls_srtp_transport_attach_receiver (s->t, s->receiver, tpeer_data);
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_get_state (s->t), S_NEW);
  gst_wrtc_dtls_srtp_transport_attach_sender (s->t, s->sender, tpeer_send);
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_get_state (s->t),
      S_CONNECTING);
  fail_unless_equals_int (g_async_queue_length (s->out), 0);

  /* the lost ClientHello is retransmitted */
  fail_unless (tpump (c, s, both_keyed));
  tpeer_free (c);
  tpeer_free (s);
}

GST_END_TEST;

GST_START_TEST (test_srtp_end_to_end)
{
  TPeer *c = tpeer_new ("client", "e2e-client", TRUE);
  TPeer *s = tpeer_new ("server", "e2e-server", FALSE);
  GstWrtcDtlsCertificate *cc, *sc;
  gchar *str;
  guint i;

  connect_pair (c, s);
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_get_state (c->t),
      S_CONNECTED);
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_get_state (s->t),
      S_CONNECTED);
  fail_unless_equals_int (c->keys_set, 1);
  fail_unless_equals_int (s->keys_set, 1);
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_get_profile (c->t),
      GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM);
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_get_profile (s->t),
      GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM);
  fail_unless (gst_wrtc_dtls_srtp_transport_get_error (c->t) == NULL);

  /* the peers' certificates */
  cc = gst_wrtc_dtls_srtp_transport_get_certificate (c->t);
  sc = gst_wrtc_dtls_srtp_transport_get_certificate (s->t);
  str = gst_wrtc_dtls_srtp_transport_get_peer_fingerprint (c->t);
  fail_unless_equals_string (str, gst_wrtc_dtls_certificate_get_fingerprint
      (sc));
  g_free (str);
  str = gst_wrtc_dtls_srtp_transport_get_peer_pem (s->t);
  fail_unless_equals_string (str, gst_wrtc_dtls_certificate_get_pem (cc));
  g_free (str);
  g_object_unref (cc);
  g_object_unref (sc);

  /* RFC 5764 section 4.2: each side's write key is the other's read key */
  for (i = 0; i < 50; i++) {
    fail_unless_equals_int (send_rtp (c, s, FALSE, i), GST_WRTC_SRTP_OK);
    fail_unless_equals_int (send_rtp (s, c, FALSE, i), GST_WRTC_SRTP_OK);
  }
  for (i = 0; i < 5; i++) {
    fail_unless_equals_int (send_rtp (c, s, TRUE, 0), GST_WRTC_SRTP_OK);
    fail_unless_equals_int (send_rtp (s, c, TRUE, 0), GST_WRTC_SRTP_OK);
  }

  fail_unless_equals_int (stat_u64 (c, "packets-protected"), 55);
  fail_unless_equals_int (stat_u64 (s, "packets-unprotected"), 55);
  fail_unless_equals_int (stat_u64 (s, "packets-protected"), 55);
  fail_unless_equals_int (stat_u64 (c, "packets-unprotected"), 55);
  fail_unless (stat_u64 (c, "bytes-protected") > 50 * 212);
  fail_unless (stat_u64 (c, "dtls-packets") > 0);
  fail_unless (stat_u64 (s, "dtls-packets") > 0);
  fail_unless_equals_int (stat_u64 (s, "auth-failed"), 0);
  fail_unless_equals_int (stat_u64 (s, "replayed"), 0);
  str = stat_string (s, "dtls-state");
  fail_unless_equals_string (str, "connected");
  g_free (str);
  str = stat_string (s, "srtp-profile");
  fail_unless_equals_string (str, "SRTP_AEAD_AES_128_GCM");
  g_free (str);

  tpeer_free (c);
  tpeer_free (s);
}

GST_END_TEST;

GST_START_TEST (test_srtp_profiles)
{
  TPeer *c = tpeer_new ("client", NULL, TRUE);
  TPeer *s = tpeer_new ("server", NULL, FALSE);
  GError *err = NULL;

  fail_if (gst_wrtc_dtls_srtp_transport_set_srtp_profiles (s->t, "NOPE", &err));
  fail_unless (g_error_matches (err, GST_WRTC_DTLS_ERROR,
          GST_WRTC_DTLS_ERROR_NO_SRTP));
  g_clear_error (&err);
  fail_unless (gst_wrtc_dtls_srtp_transport_set_srtp_profiles (s->t,
          "SRTP_AES128_CM_SHA1_80", &err));
  g_assert_no_error (err);
  connect_pair (c, s);
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_get_profile (c->t),
      GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80);
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_get_profile (s->t),
      GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80);
  fail_unless_equals_int (send_rtp (c, s, FALSE, 1), GST_WRTC_SRTP_OK);
  fail_unless_equals_int (send_rtp (s, c, TRUE, 1), GST_WRTC_SRTP_OK);
  tpeer_free (c);
  tpeer_free (s);
}

GST_END_TEST;

GST_START_TEST (test_before_keys)
{
  TPeer *c = tpeer_new ("client", NULL, TRUE);
  TPeer *s = tpeer_new ("server", NULL, FALSE);
  guint8 buf[BUF];
  gsize len;
  GstWrtcSrtpResult res;

  fail_if (gst_wrtc_dtls_srtp_transport_has_keys (c->t));
  len = make_rtp (buf, 1, 1, 20);
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_protect (c->t, FALSE,
          buf, &len, sizeof (buf)), GST_WRTC_SRTP_NO_KEY);
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_receive (s->t, buf,
          &len, &res), GST_WRTC_PACKET_RTP);
  fail_unless_equals_int (res, GST_WRTC_SRTP_NO_KEY);
  gst_wrtc_dtls_srtp_transport_count_outbound (c->t, GST_WRTC_SRTP_MALFORMED);

  fail_unless_equals_int (stat_u64 (c, "dropped-before-keys-out"), 1);
  fail_unless_equals_int (stat_u64 (c, "protect-failed"), 1);
  fail_unless_equals_int (stat_u64 (s, "dropped-before-keys-in"), 1);
  fail_unless_equals_int (stat_u64 (c, "packets-protected"), 0);
  {
    gchar *str = stat_string (c, "srtp-profile");
    fail_unless_equals_string (str, "none");
    g_free (str);
    str = stat_string (c, "dtls-state");
    fail_unless_equals_string (str, "new");
    g_free (str);
  }
  /* data before a connection exists */
  fail_if (gst_wrtc_dtls_srtp_transport_send_data (c->t, (const guint8 *) "x",
          1, NULL));
  tpeer_free (c);
  tpeer_free (s);
}

GST_END_TEST;

/* RFC 7983: what is neither DTLS nor RTP/RTCP is counted and left alone. */
GST_START_TEST (test_demux)
{
  TPeer *s = tpeer_new ("server", NULL, FALSE);
  guint8 *big = g_malloc0 (65536 + 1);
  guint8 buf[64];
  gsize len;
  GstWrtcSrtpResult res;

  memset (buf, 0, sizeof (buf));
  buf[0] = 0x00;                /* STUN binding request */
  buf[1] = 0x01;
  len = 20;
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_receive (s->t, buf,
          &len, &res), GST_WRTC_PACKET_STUN);
  buf[0] = 100;
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_receive (s->t, buf,
          &len, &res), GST_WRTC_PACKET_UNKNOWN);
  buf[0] = 16;
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_receive (s->t, buf,
          &len, &res), GST_WRTC_PACKET_ZRTP);
  buf[0] = 64;
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_receive (s->t, buf,
          &len, &res), GST_WRTC_PACKET_TURN_CHANNEL);
  len = 0;
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_receive (s->t, buf,
          &len, &res), GST_WRTC_PACKET_UNKNOWN);
  /* DTLS with no connection yet: counted, dropped */
  buf[0] = DTLS_CT_HANDSHAKE;
  len = 30;
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_receive (s->t, buf,
          &len, &res), GST_WRTC_PACKET_DTLS);
  /* larger than any UDP payload */
  big[0] = 0x80;
  big[1] = 96;
  len = 65536;
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_receive (s->t, big,
          &len, &res), GST_WRTC_PACKET_UNKNOWN);
  fail_unless (res != GST_WRTC_SRTP_OK);

  fail_unless_equals_int (stat_u64 (s, "stun-packets"), 1);
  fail_unless_equals_int (stat_u64 (s, "unknown-packets"), 4);
  fail_unless_equals_int (stat_u64 (s, "dtls-packets"), 1);
  fail_unless_equals_int (stat_u64 (s, "oversized-packets"), 1);
  fail_unless_equals_int (stat_u64 (s, "packets-unprotected"), 0);
  g_free (big);
  tpeer_free (s);
}

GST_END_TEST;

GST_START_TEST (test_replay_and_tamper)
{
  TPeer *c = tpeer_new ("client", NULL, TRUE);
  TPeer *s = tpeer_new ("server", NULL, FALSE);
  guint8 pkt[BUF], buf[BUF];
  gsize plen, len;
  GstWrtcSrtpResult res;

  connect_pair (c, s);
  plen = make_rtp (pkt, 77, 500, 100);
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_protect (c->t, FALSE,
          pkt, &plen, sizeof (pkt)), GST_WRTC_SRTP_OK);

  memcpy (buf, pkt, plen);
  len = plen;
  buf[30] ^= 0x10;
  gst_wrtc_dtls_srtp_transport_receive (s->t, buf, &len, &res);
  fail_unless_equals_int (res, GST_WRTC_SRTP_AUTH_FAILED);
  memcpy (buf, pkt, plen);
  len = plen;
  gst_wrtc_dtls_srtp_transport_receive (s->t, buf, &len, &res);
  fail_unless_equals_int (res, GST_WRTC_SRTP_OK);
  memcpy (buf, pkt, plen);
  len = plen;
  gst_wrtc_dtls_srtp_transport_receive (s->t, buf, &len, &res);
  fail_unless_equals_int (res, GST_WRTC_SRTP_REPLAYED);
  /* an RTP header and nothing else: too short for an SRTP tag */
  len = make_rtp (buf, 77, 501, 0);
  gst_wrtc_dtls_srtp_transport_receive (s->t, buf, &len, &res);
  fail_unless (res != GST_WRTC_SRTP_OK);

  fail_unless_equals_int (stat_u64 (s, "auth-failed") + stat_u64 (s,
          "malformed"), 2);
  fail_unless_equals_int (stat_u64 (s, "replayed"), 1);
  fail_unless_equals_int (stat_u64 (s, "packets-unprotected"), 1);
  tpeer_free (c);
  tpeer_free (s);
}

GST_END_TEST;

static gboolean
data_both (TPeer * a, TPeer * b)
{
  gboolean ret;

  g_mutex_lock (&a->lock);
  ret = a->data->len > 0;
  g_mutex_unlock (&a->lock);
  g_mutex_lock (&b->lock);
  ret = ret && b->data->len > 0;
  g_mutex_unlock (&b->lock);
  return ret;
}

/* Application data (the SCTP path) both ways. */
GST_START_TEST (test_application_data)
{
  TPeer *c = tpeer_new ("client", NULL, TRUE);
  TPeer *s = tpeer_new ("server", NULL, FALSE);
  GError *err = NULL;

  connect_pair (c, s);
  fail_unless (gst_wrtc_dtls_srtp_transport_send_data (c->t,
          (const guint8 *) "from client", 11, &err));
  g_assert_no_error (err);
  fail_unless (gst_wrtc_dtls_srtp_transport_send_data (s->t,
          (const guint8 *) "from server!", 12, &err));
  g_assert_no_error (err);
  fail_unless (tpump (c, s, data_both));
  fail_unless_equals_int (s->data->len, 1);
  fail_unless (g_bytes_get_size (s->data->pdata[0]) == 11);
  fail_unless (memcmp (g_bytes_get_data (s->data->pdata[0], NULL),
          "from client", 11) == 0);
  fail_unless (g_bytes_get_size (c->data->pdata[0]) == 12);
  fail_unless_equals_int (stat_u64 (s, "data-dropped"), 0);
  tpeer_free (c);
  tpeer_free (s);
}

GST_END_TEST;

static gboolean
both_connected (TPeer * a, TPeer * b)
{
  return gst_wrtc_dtls_srtp_transport_get_state (a->t) == S_CONNECTED
      && gst_wrtc_dtls_srtp_transport_get_state (b->t) == S_CONNECTED;
}

/* A data-only association (RFC 8261) with a peer that offers no SRTP
 * profile (no use_srtp extension, RFC 5764 section 4.1.1), and with one
 * that accepts none: the handshake completes without SRTP keys, the
 * application data (SCTP) goes both ways, and RTP has no key. */
static void
check_data_without_srtp (gboolean client_offers_none)
{
  TPeer *c = tpeer_new ("client", NULL, TRUE);
  TPeer *s = tpeer_new ("server", NULL, FALSE);
  TPeer *none = client_offers_none ? c : s;
  GError *err = NULL;
  guint8 buf[BUF];
  gsize len;

  fail_unless (gst_wrtc_dtls_srtp_transport_set_srtp_profiles (none->t,
          GST_WRTC_DTLS_NO_SRTP_PROFILES, &err));
  g_assert_no_error (err);
  tpeer_attach (s);
  tpeer_attach (c);
  fail_unless (tpump (c, s, both_connected), "client %d, server %d",
      gst_wrtc_dtls_srtp_transport_get_state (c->t),
      gst_wrtc_dtls_srtp_transport_get_state (s->t));
  fail_if (gst_wrtc_dtls_srtp_transport_has_keys (c->t));
  fail_if (gst_wrtc_dtls_srtp_transport_has_keys (s->t));
  fail_unless_equals_int (c->keys_set + s->keys_set, 0);

  fail_unless (gst_wrtc_dtls_srtp_transport_send_data (c->t,
          (const guint8 *) "sctp up", 7, &err));
  fail_unless (gst_wrtc_dtls_srtp_transport_send_data (s->t,
          (const guint8 *) "sctp down", 9, &err));
  g_assert_no_error (err);
  fail_unless (tpump (c, s, data_both));
  fail_unless_equals_int (g_bytes_get_size (s->data->pdata[0]), 7);
  fail_unless_equals_int (g_bytes_get_size (c->data->pdata[0]), 9);
  len = make_rtp (buf, 1, 1, 10);
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_protect (c->t, FALSE,
          buf, &len, sizeof (buf)), GST_WRTC_SRTP_NO_KEY);
  tpeer_free (c);
  tpeer_free (s);
}

GST_START_TEST (test_data_without_srtp)
{
  check_data_without_srtp (TRUE);
  check_data_without_srtp (FALSE);
}

GST_END_TEST;

/* The wire counters (W3C RTCTransportStats, the peer's transport stats):
 * every DTLS record and protected packet sent, every DTLS datagram and
 * packet that unprotected received, at their length on the wire. */
GST_START_TEST (test_wire_counters)
{
  TPeer *c = tpeer_new ("client", NULL, TRUE);
  TPeer *s = tpeer_new ("server", NULL, FALSE);
  GstWrtcDtlsSrtpTransportCounters c0, s0, c1, s1;
  guint8 buf[BUF];
  gsize len;
  GstWrtcSrtpResult res;
  guint i;

  gst_wrtc_dtls_srtp_transport_get_counters (c->t, &c0);
  fail_unless_equals_uint64 (c0.packets_sent + c0.packets_received, 0);
  connect_pair (c, s);
  /* what the handshake left in flight */
  while (tpump_one (c, s, 0) || tpump_one (s, c, 0));
  gst_wrtc_dtls_srtp_transport_get_counters (c->t, &c0);
  gst_wrtc_dtls_srtp_transport_get_counters (s->t, &s0);
  fail_unless (c0.packets_sent > 0 && c0.packets_received > 0);
  /* the handshake, datagram for datagram */
  fail_unless_equals_uint64 (c0.packets_sent, s0.packets_received);
  fail_unless_equals_uint64 (c0.bytes_sent, s0.bytes_received);
  fail_unless_equals_uint64 (s0.packets_sent, c0.packets_received);
  fail_unless_equals_uint64 (s0.bytes_sent, c0.bytes_received);

  for (i = 0; i < 10; i++)
    fail_unless_equals_int (send_rtp (c, s, FALSE, i), GST_WRTC_SRTP_OK);
  fail_unless_equals_int (send_rtp (c, s, TRUE, 0), GST_WRTC_SRTP_OK);
  /* a tampered packet is sent but never received */
  len = make_rtp (buf, 0xbeef, 100, 200);
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_protect (c->t, FALSE,
          buf, &len, sizeof (buf)), GST_WRTC_SRTP_OK);
  buf[20] ^= 1;
  gst_wrtc_dtls_srtp_transport_receive (s->t, buf, &len, &res);
  fail_unless_equals_int (res, GST_WRTC_SRTP_AUTH_FAILED);
  /* application data is a DTLS record each way */
  fail_unless (gst_wrtc_dtls_srtp_transport_send_data (c->t,
          (const guint8 *) "to server", 9, NULL));
  fail_unless (gst_wrtc_dtls_srtp_transport_send_data (s->t,
          (const guint8 *) "to client", 9, NULL));
  fail_unless (tpump (c, s, data_both));

  gst_wrtc_dtls_srtp_transport_get_counters (c->t, &c1);
  gst_wrtc_dtls_srtp_transport_get_counters (s->t, &s1);
  fail_unless_equals_uint64 (c1.packets_sent - c0.packets_sent, 10 + 1 + 1 + 1);
  fail_unless_equals_uint64 (s1.packets_received - s0.packets_received,
      10 + 1 + 1);
  /* 10 RTP of 212 bytes and their 16-byte GCM tags at least */
  fail_unless (s1.bytes_received - s0.bytes_received > 10 * (212 + 16));
  fail_unless_equals_uint64 (s1.packets_sent - s0.packets_sent, 1);
  fail_unless_equals_uint64 (c1.packets_received - c0.packets_received, 1);
  fail_unless_equals_uint64 (s1.bytes_sent - s0.bytes_sent,
      c1.bytes_received - c0.bytes_received);
  fail_unless (gst_wrtc_dtls_srtp_transport_get_is_client (c->t));
  fail_if (gst_wrtc_dtls_srtp_transport_get_is_client (s->t));
  tpeer_free (c);
  tpeer_free (s);
}

GST_END_TEST;

static void
check_fingerprint_mismatch (gboolean set_after_attach)
{
  TPeer *c = tpeer_new ("client", NULL, TRUE);
  TPeer *s = tpeer_new ("server", NULL, FALSE);
  GstWrtcDtlsCertificate *wrong = gst_wrtc_dtls_certificate_new_generated ();
  GError *err = NULL;
  gchar *str;

  fail_if (gst_wrtc_dtls_srtp_transport_set_peer_fingerprint (s->t, "bogus",
          &err));
  fail_unless (g_error_matches (err, GST_WRTC_DTLS_ERROR,
          GST_WRTC_DTLS_ERROR_FINGERPRINT));
  g_clear_error (&err);

  if (!set_after_attach)
    fail_unless (gst_wrtc_dtls_srtp_transport_set_peer_fingerprint (s->t,
            gst_wrtc_dtls_certificate_get_fingerprint (wrong), NULL));
  tpeer_attach (s);
  if (set_after_attach)
    fail_unless (gst_wrtc_dtls_srtp_transport_set_peer_fingerprint (s->t,
            gst_wrtc_dtls_certificate_get_fingerprint (wrong), NULL));
  tpeer_attach (c);
  fail_unless (tpump (c, s, both_final));
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_get_state (s->t),
      S_FAILED);
  err = gst_wrtc_dtls_srtp_transport_get_error (s->t);
  fail_unless (g_error_matches (err, GST_WRTC_DTLS_ERROR,
          GST_WRTC_DTLS_ERROR_FINGERPRINT));
  g_clear_error (&err);
  fail_if (gst_wrtc_dtls_srtp_transport_has_keys (s->t));
  fail_if (gst_wrtc_dtls_srtp_transport_has_keys (c->t));
  fail_unless_equals_int (s->keys_set, 0);
  str = stat_string (s, "dtls-state");
  fail_unless_equals_string (str, "failed");
  g_free (str);
  /* the failure was signalled */
  g_mutex_lock (&s->lock);
  fail_unless (s->states->len >= 1);
  fail_unless_equals_int (g_array_index (s->states,
          GstWrtcDtlsConnectionState, s->states->len - 1), S_FAILED);
  g_mutex_unlock (&s->lock);
  g_object_unref (wrong);
  tpeer_free (c);
  tpeer_free (s);
}

GST_START_TEST (test_fingerprint_mismatch)
{
  check_fingerprint_mismatch (FALSE);
}

GST_END_TEST;

/* A fingerprint that arrives (from SDP) after the halves are attached
 * still applies to the running handshake. */
GST_START_TEST (test_fingerprint_set_after_attach)
{
  check_fingerprint_mismatch (TRUE);
}

GST_END_TEST;

GST_START_TEST (test_fingerprint_match)
{
  TPeer *c = tpeer_new ("client", NULL, TRUE);
  TPeer *s = tpeer_new ("server", NULL, FALSE);
  GstWrtcDtlsCertificate *cc = gst_wrtc_dtls_certificate_new_generated ();
  GstWrtcDtlsCertificate *sc = gst_wrtc_dtls_certificate_new_generated ();
  gchar *lower = g_ascii_strdown (gst_wrtc_dtls_certificate_get_fingerprint
      (cc), -1);

  gst_wrtc_dtls_srtp_transport_set_certificate (c->t, cc);
  gst_wrtc_dtls_srtp_transport_set_certificate (s->t, sc);
  fail_unless (gst_wrtc_dtls_srtp_transport_set_peer_fingerprint (s->t, lower,
          NULL));
  fail_unless (gst_wrtc_dtls_srtp_transport_set_peer_fingerprint (c->t,
          gst_wrtc_dtls_certificate_get_fingerprint (sc), NULL));
  connect_pair (c, s);
  fail_unless_equals_int (send_rtp (c, s, FALSE, 9), GST_WRTC_SRTP_OK);
  g_free (lower);
  g_object_unref (cc);
  g_object_unref (sc);
  tpeer_free (c);
  tpeer_free (s);
}

GST_END_TEST;

GST_START_TEST (test_handshake_timeout)
{
  TPeer *c = tpeer_new ("client", NULL, TRUE);
  GError *err;
  gint64 end = g_get_monotonic_time () + TEST_WAIT_MS * (gint64) 1000;

  gst_wrtc_dtls_srtp_transport_set_handshake_timeout (c->t, 300);
  tpeer_attach (c);
  g_mutex_lock (&c->lock);
  while (gst_wrtc_dtls_srtp_transport_get_state (c->t) != S_FAILED)
    if (!g_cond_wait_until (&c->cond, &c->lock, end))
      break;
  g_mutex_unlock (&c->lock);
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_get_state (c->t),
      S_FAILED);
  err = gst_wrtc_dtls_srtp_transport_get_error (c->t);
  fail_unless (g_error_matches (err, GST_WRTC_DTLS_ERROR,
          GST_WRTC_DTLS_ERROR_TIMEOUT));
  g_clear_error (&err);
  tpeer_free (c);
}

GST_END_TEST;

static gboolean
server_closed (TPeer * a, TPeer * b)
{
  return gst_wrtc_dtls_srtp_transport_get_state (b->t) == S_CLOSED;
}

/* Detaching the sender sends close_notify through it; detaching both
 * drops the keys; attaching again starts a new association. */
GST_START_TEST (test_detach_and_restart)
{
  TPeer *c = tpeer_new ("client", NULL, TRUE);
  TPeer *s = tpeer_new ("server", NULL, FALSE);
  guint8 buf[BUF];
  gsize len;

  connect_pair (c, s);
  while (tpump_one (c, s, 0) || tpump_one (s, c, 0));

  gst_wrtc_dtls_srtp_transport_detach_sender (c->t);
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_get_state (c->t),
      S_CLOSED);
  fail_unless (g_async_queue_length (c->out) >= 1, "no close_notify");
  fail_unless (tpump (c, s, server_closed));

  gst_wrtc_dtls_srtp_transport_detach_receiver (c->t);
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_get_state (c->t),
      S_CLOSED);
  fail_if (gst_wrtc_dtls_srtp_transport_has_keys (c->t));
  len = make_rtp (buf, 1, 1, 10);
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_protect (c->t, FALSE,
          buf, &len, sizeof (buf)), GST_WRTC_SRTP_NO_KEY);

  /* both sides start over (as a restarted pipeline would) */
  gst_wrtc_dtls_srtp_transport_detach_sender (s->t);
  gst_wrtc_dtls_srtp_transport_detach_receiver (s->t);
  fail_if (gst_wrtc_dtls_srtp_transport_has_keys (s->t));
  while (tpump_one (c, s, 0) || tpump_one (s, c, 0));
  c->keys_set = s->keys_set = 0;
  connect_pair (c, s);
  fail_unless_equals_int (c->keys_set, 1);
  fail_unless_equals_int (send_rtp (c, s, FALSE, 1), GST_WRTC_SRTP_OK);
  fail_unless_equals_int (send_rtp (s, c, FALSE, 1), GST_WRTC_SRTP_OK);
  tpeer_free (c);
  tpeer_free (s);
}

GST_END_TEST;

/* The sender and receiver are held weakly: a transport outliving them
 * stays safe to use. */
GST_START_TEST (test_owners_gone)
{
  TPeer *c = tpeer_new ("client", NULL, TRUE);
  TPeer *s = tpeer_new ("server", NULL, FALSE);
  guint8 buf[BUF];
  gsize len;
  GstWrtcSrtpResult res;

  connect_pair (c, s);
  while (tpump_one (c, s, 0) || tpump_one (s, c, 0));
  /* the server's receiver disappears without detaching */
  g_clear_object (&s->receiver);
  fail_unless (gst_wrtc_dtls_srtp_transport_send_data (c->t,
          (const guint8 *) "lost", 4, NULL));
  fail_unless (tpump_one (c, s, TEST_WAIT_MS * 1000));
  fail_unless_equals_int (s->data->len, 0);
  fail_unless_equals_int (stat_u64 (s, "data-dropped"), 1);
  /* the client's sender disappears: what it would send is lost quietly */
  g_clear_object (&c->sender);
  fail_unless (gst_wrtc_dtls_srtp_transport_send_data (c->t,
          (const guint8 *) "lost", 4, NULL));
  fail_unless_equals_int (g_async_queue_length (c->out), 0);
  /* SRTP does not depend on them */
  len = make_rtp (buf, 1, 1, 10);
  fail_unless_equals_int (gst_wrtc_dtls_srtp_transport_protect (c->t, FALSE,
          buf, &len, sizeof (buf)), GST_WRTC_SRTP_OK);
  gst_wrtc_dtls_srtp_transport_receive (s->t, buf, &len, &res);
  fail_unless_equals_int (res, GST_WRTC_SRTP_OK);
  tpeer_free (c);
  tpeer_free (s);
}

GST_END_TEST;

/* Media flows from threads while the handshake of nothing else disturbs
 * it: protect and receive run concurrently with the stats reader. */
typedef struct
{
  TPeer *from, *to;
  guint ok;
} FlowJob;

static gpointer
flow_thread (gpointer data)
{
  FlowJob *job = data;
  guint i;

  for (i = 0; i < 2000; i++)
    if (send_rtp (job->from, job->to, FALSE, i) == GST_WRTC_SRTP_OK)
      job->ok++;
  return NULL;
}

GST_START_TEST (test_concurrent_media)
{
  TPeer *c = tpeer_new ("client", NULL, TRUE);
  TPeer *s = tpeer_new ("server", NULL, FALSE);
  FlowJob a, b;
  GThread *ta, *tb;
  guint i;

  connect_pair (c, s);
  a.from = c;
  a.to = s;
  a.ok = 0;
  b.from = s;
  b.to = c;
  b.ok = 0;
  ta = g_thread_new ("c2s", flow_thread, &a);
  tb = g_thread_new ("s2c", flow_thread, &b);
  for (i = 0; i < 20; i++) {
    GstStructure *st = gst_wrtc_dtls_srtp_transport_get_stats (c->t);
    gst_structure_free (st);
  }
  g_thread_join (ta);
  g_thread_join (tb);
  fail_unless_equals_int (a.ok, 2000);
  fail_unless_equals_int (b.ok, 2000);
  fail_unless_equals_int (stat_u64 (s, "packets-unprotected"), 2000);
  tpeer_free (c);
  tpeer_free (s);
}

GST_END_TEST;

static Suite *
dtlssrtptransport_suite (void)
{
  Suite *s = suite_create ("wrtc-dtls-srtp-transport");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_registry);
  tcase_add_test (tc, test_registry_threads);
  tcase_add_test (tc, test_start_needs_both_halves);
  tcase_add_test (tc, test_srtp_end_to_end);
  tcase_add_test (tc, test_srtp_profiles);
  tcase_add_test (tc, test_before_keys);
  tcase_add_test (tc, test_demux);
  tcase_add_test (tc, test_replay_and_tamper);
  tcase_add_test (tc, test_application_data);
  tcase_add_test (tc, test_data_without_srtp);
  tcase_add_test (tc, test_wire_counters);
  tcase_add_test (tc, test_fingerprint_mismatch);
  tcase_add_test (tc, test_fingerprint_set_after_attach);
  tcase_add_test (tc, test_fingerprint_match);
  tcase_add_test (tc, test_handshake_timeout);
  tcase_add_test (tc, test_detach_and_restart);
  tcase_add_test (tc, test_owners_gone);
  tcase_add_test (tc, test_concurrent_media);
  return s;
}

GST_CHECK_MAIN (dtlssrtptransport);
