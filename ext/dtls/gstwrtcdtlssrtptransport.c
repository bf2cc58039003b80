/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the DTLS-SRTP association shared by an encoder and a
 * decoder.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcdtlssrtptransport.h"

GST_DEBUG_CATEGORY_STATIC (wrtc_transport_debug);
#define GST_CAT_DEFAULT wrtc_transport_debug

/* the largest UDP payload; anything longer did not come off a socket */
#define MAX_DATAGRAM 65535

enum
{
  SIGNAL_STATE_CHANGED,
  SIGNAL_KEYS_SET,
  LAST_SIGNAL
};
static guint signals[LAST_SIGNAL];

struct _GstWrtcDtlsSrtpTransport
{
  GObject parent;

  GMutex lock;
  gchar *id;                    /* immutable; NULL for a private one */

  /* lock */
  GstWrtcDtlsCertificate *cert;
  gboolean is_client;
  gchar *peer_fingerprint;
  gchar *srtp_profiles;
  guint handshake_timeout_ms;
  GWeakRef sender;
  GstWrtcTransportSendFunc send_func;
  gboolean sender_attached;
  GWeakRef receiver;
  GstWrtcTransportDataFunc data_func;
  gboolean receiver_attached;
  GstWrtcDtlsConnection *conn;
  gulong state_handler;
  GstWrtcDtlsConnectionState last_state;        /* after conn is dropped */
  gboolean keys_ready;          /* connected and SRTP keyed (or data only) */

  /* immutable pointers, own locks */
  GstWrtcSrtpContext *tx, *rx;

  /* atomic counters (demultiplexer) */
  gint n_dtls, n_stun, n_unknown, n_oversized, n_data_dropped;

  /* datagrams on the wire; their own lock, taken per packet, never with
   * @lock */
  GMutex wire_lock;
  GstWrtcDtlsSrtpTransportCounters wire;
};

G_DEFINE_TYPE_WITH_CODE (GstWrtcDtlsSrtpTransport,
    gst_wrtc_dtls_srtp_transport, G_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (wrtc_transport_debug, "wrtcdtlssrtptransport", 0,
        "DTLS-SRTP association"));

/* connection-id -> GWeakRef to the transport */
static GMutex registry_lock;
static GHashTable *registry;

static void
registry_remove (GstWrtcDtlsSrtpTransport * self)
{
  GWeakRef *ref;
  GObject *cur = NULL;

  if (!self->id)
    return;
  g_mutex_lock (&registry_lock);
  ref = registry ? g_hash_table_lookup (registry, self->id) : NULL;
  if (ref) {
    cur = g_weak_ref_get (ref);
    /* only our own (dead) entry; a new transport may have taken the id */
    if (!cur)
      g_hash_table_remove (registry, self->id);
  }
  g_mutex_unlock (&registry_lock);
  /* outside the lock: this may be the last reference, and that transport's
   * finalize comes back here */
  if (cur)
    g_object_unref (cur);
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

GstWrtcDtlsSrtpTransport *
gst_wrtc_dtls_srtp_transport_acquire (const gchar * connection_id)
{
  GstWrtcDtlsSrtpTransport *t = NULL;
  GWeakRef *ref;

  if (!connection_id)
    return g_object_new (GST_WRTC_TYPE_DTLS_SRTP_TRANSPORT, NULL);

  g_mutex_lock (&registry_lock);
  if (!registry)
    registry = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
        weak_ref_free);
  ref = g_hash_table_lookup (registry, connection_id);
  if (ref)
    t = g_weak_ref_get (ref);
  if (!t) {
    t = g_object_new (GST_WRTC_TYPE_DTLS_SRTP_TRANSPORT, NULL);
    t->id = g_strdup (connection_id);
    ref = g_new0 (GWeakRef, 1);
    g_weak_ref_init (ref, t);
    g_hash_table_replace (registry, g_strdup (connection_id), ref);
    GST_DEBUG_OBJECT (t, "new transport for connection-id '%s'", connection_id);
  }
  g_mutex_unlock (&registry_lock);
  return t;
}

static void
gst_wrtc_dtls_srtp_transport_finalize (GObject * object)
{
  GstWrtcDtlsSrtpTransport *self = GST_WRTC_DTLS_SRTP_TRANSPORT (object);

  registry_remove (self);
  if (self->conn) {
    g_signal_handler_disconnect (self->conn, self->state_handler);
    gst_wrtc_dtls_connection_close (self->conn);
    g_object_unref (self->conn);
  }
  g_clear_object (&self->cert);
  g_free (self->peer_fingerprint);
  g_free (self->srtp_profiles);
  g_free (self->id);
  g_weak_ref_clear (&self->sender);
  g_weak_ref_clear (&self->receiver);
  gst_wrtc_srtp_context_free (self->tx);
  gst_wrtc_srtp_context_free (self->rx);
  g_mutex_clear (&self->wire_lock);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (gst_wrtc_dtls_srtp_transport_parent_class)->finalize (object);
}

static void
gst_wrtc_dtls_srtp_transport_class_init (GstWrtcDtlsSrtpTransportClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_wrtc_dtls_srtp_transport_finalize;

  /* Re-emitted from the connection, without locks held. */
  signals[SIGNAL_STATE_CHANGED] = g_signal_new ("state-changed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, GST_WRTC_TYPE_DTLS_CONNECTION_STATE);
  /* SRTP keys are in place for both directions. */
  signals[SIGNAL_KEYS_SET] = g_signal_new ("keys-set",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 0);
}

static void
gst_wrtc_dtls_srtp_transport_init (GstWrtcDtlsSrtpTransport * self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->wire_lock);
  g_weak_ref_init (&self->sender, NULL);
  g_weak_ref_init (&self->receiver, NULL);
  self->handshake_timeout_ms = GST_WRTC_DTLS_DEFAULT_HANDSHAKE_TIMEOUT_MS;
  self->last_state = GST_WRTC_DTLS_CONNECTION_STATE_NEW;
  self->tx = gst_wrtc_srtp_context_new (TRUE);
  self->rx = gst_wrtc_srtp_context_new (FALSE);
  /* created with the elements' NULL->READY: the thread is a resource of
   * theirs, not a cost of the handshake's first flight */
  gst_wrtc_dtls_connection_prepare_timers ();
}

/* ------------------------------------------------------------------------ */

void
gst_wrtc_dtls_srtp_transport_set_certificate (GstWrtcDtlsSrtpTransport * t,
    GstWrtcDtlsCertificate * cert)
{
  g_mutex_lock (&t->lock);
  g_set_object (&t->cert, cert);
  g_mutex_unlock (&t->lock);
}

GstWrtcDtlsCertificate *
gst_wrtc_dtls_srtp_transport_get_certificate (GstWrtcDtlsSrtpTransport * t)
{
  GstWrtcDtlsCertificate *cert;

  g_mutex_lock (&t->lock);
  if (!t->cert)
    t->cert = gst_wrtc_dtls_certificate_get_default ();
  cert = g_object_ref (t->cert);
  g_mutex_unlock (&t->lock);
  return cert;
}

void
gst_wrtc_dtls_srtp_transport_set_is_client (GstWrtcDtlsSrtpTransport * t,
    gboolean is_client)
{
  g_mutex_lock (&t->lock);
  t->is_client = is_client;
  g_mutex_unlock (&t->lock);
}

gboolean
gst_wrtc_dtls_srtp_transport_set_peer_fingerprint (GstWrtcDtlsSrtpTransport *
    t, const gchar * fingerprint, GError ** error)
{
  gchar *norm = NULL;

  if (fingerprint && *fingerprint) {
    norm = gst_wrtc_dtls_fingerprint_normalize (fingerprint);
    if (!norm) {
      g_set_error (error, GST_WRTC_DTLS_ERROR, GST_WRTC_DTLS_ERROR_FINGERPRINT,
          "'%s' is not a fingerprint (expected e.g. 'sha-256 AB:CD:...')",
          fingerprint);
      return FALSE;
    }
  }
  g_mutex_lock (&t->lock);
  g_free (t->peer_fingerprint);
  t->peer_fingerprint = norm;
  if (t->conn)
    gst_wrtc_dtls_connection_set_peer_fingerprint (t->conn, norm, NULL);
  g_mutex_unlock (&t->lock);
  return TRUE;
}

gboolean
gst_wrtc_dtls_srtp_transport_set_srtp_profiles (GstWrtcDtlsSrtpTransport * t,
    const gchar * profiles, GError ** error)
{
  GstWrtcDtlsConnection *probe;
  gboolean ok;

  /* validate with the connection's own check */
  probe = g_object_new (GST_WRTC_TYPE_DTLS_CONNECTION, NULL);
  ok = gst_wrtc_dtls_connection_set_srtp_profiles (probe, profiles, error);
  g_object_unref (probe);
  if (!ok)
    return FALSE;
  g_mutex_lock (&t->lock);
  g_free (t->srtp_profiles);
  t->srtp_profiles = profiles && *profiles ? g_strdup (profiles) : NULL;
  g_mutex_unlock (&t->lock);
  return TRUE;
}

void
gst_wrtc_dtls_srtp_transport_set_handshake_timeout (GstWrtcDtlsSrtpTransport *
    t, guint timeout_ms)
{
  g_mutex_lock (&t->lock);
  t->handshake_timeout_ms = timeout_ms;
  g_mutex_unlock (&t->lock);
}

/* ------------------------------------------------------------------------ */

static void
count_wire (GstWrtcDtlsSrtpTransport * self, gboolean sent, gsize len)
{
  g_mutex_lock (&self->wire_lock);
  if (sent) {
    self->wire.packets_sent++;
    self->wire.bytes_sent += len;
  } else {
    self->wire.packets_received++;
    self->wire.bytes_received += len;
  }
  g_mutex_unlock (&self->wire_lock);
}

static void
conn_send_cb (const guint8 * data, gsize len, GObject * owner)
{
  GstWrtcDtlsSrtpTransport *self = GST_WRTC_DTLS_SRTP_TRANSPORT (owner);
  GstWrtcTransportSendFunc func;
  GObject *sender;

  g_mutex_lock (&self->lock);
  func = self->send_func;
  sender = g_weak_ref_get (&self->sender);
  g_mutex_unlock (&self->lock);

  if (sender && func) {
    count_wire (self, TRUE, len);
    func (sender, data, len);
  } else
    GST_DEBUG_OBJECT (self, "no sender, %" G_GSIZE_FORMAT " bytes lost", len);
  if (sender)
    g_object_unref (sender);
}

static void
conn_receive_cb (const guint8 * data, gsize len, GObject * owner)
{
  GstWrtcDtlsSrtpTransport *self = GST_WRTC_DTLS_SRTP_TRANSPORT (owner);
  GstWrtcTransportDataFunc func;
  GObject *receiver;

  g_mutex_lock (&self->lock);
  func = self->data_func;
  receiver = g_weak_ref_get (&self->receiver);
  g_mutex_unlock (&self->lock);

  if (receiver && func)
    func (receiver, data, len);
  else
    g_atomic_int_inc (&self->n_data_dropped);
  if (receiver)
    g_object_unref (receiver);
}

/* RFC 5764 section 4.2: the client protects with the client write key and
 * unprotects with the server's, the server the other way round.  TRUE when
 * SRTP keys were installed (FALSE: none negotiated, data only). */
static gboolean
install_keys (GstWrtcDtlsSrtpTransport * self, GstWrtcDtlsConnection * conn)
{
  GstWrtcSrtpKeys k;
  GError *err = NULL;
  gboolean client = gst_wrtc_dtls_connection_is_client (conn);

  if (!gst_wrtc_dtls_connection_get_srtp_keys (conn, &k))
    return FALSE;
  if (!gst_wrtc_srtp_context_set_key (self->tx, k.profile,
          client ? k.client_key : k.server_key,
          client ? k.client_salt : k.server_salt, &err)
      || !gst_wrtc_srtp_context_set_key (self->rx, k.profile,
          client ? k.server_key : k.client_key,
          client ? k.server_salt : k.client_salt, &err)) {
    GST_ERROR_OBJECT (self, "%s", err->message);
    g_clear_error (&err);
    memset (&k, 0, sizeof (k));
    return FALSE;
  }
  memset (&k, 0, sizeof (k));
  return TRUE;
}

static void
conn_state_cb (GstWrtcDtlsConnection * conn, GstWrtcDtlsConnectionState state,
    GstWrtcDtlsSrtpTransport * self)
{
  if (state == GST_WRTC_DTLS_CONNECTION_STATE_CONNECTED) {
    gboolean keyed = install_keys (self, conn);
    /* ready before keys-set: a handler asking the state sees connected */
    g_mutex_lock (&self->lock);
    self->keys_ready = TRUE;
    g_mutex_unlock (&self->lock);
    if (keyed)
      g_signal_emit (self, signals[SIGNAL_KEYS_SET], 0);
  }
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, state);
}

/* Called with the lock; returns the connection to start, if any. */
static GstWrtcDtlsConnection *
maybe_create_locked (GstWrtcDtlsSrtpTransport * self)
{
  if (self->conn || !self->sender_attached || !self->receiver_attached)
    return NULL;
  if (!self->cert)
    self->cert = gst_wrtc_dtls_certificate_get_default ();
  self->keys_ready = FALSE;
  self->conn = gst_wrtc_dtls_connection_new (self->cert, self->is_client);
  gst_wrtc_dtls_connection_set_callbacks (self->conn, conn_send_cb,
      conn_receive_cb, G_OBJECT (self));
  gst_wrtc_dtls_connection_set_peer_fingerprint (self->conn,
      self->peer_fingerprint, NULL);
  gst_wrtc_dtls_connection_set_handshake_timeout (self->conn,
      self->handshake_timeout_ms);
  gst_wrtc_dtls_connection_set_srtp_profiles (self->conn, self->srtp_profiles,
      NULL);
  self->state_handler = g_signal_connect (self->conn, "state-changed",
      G_CALLBACK (conn_state_cb), self);
  return g_object_ref (self->conn);
}

static void
start_connection (GstWrtcDtlsSrtpTransport * self, GstWrtcDtlsConnection * conn)
{
  GError *err = NULL;

  if (!conn)
    return;
  GST_DEBUG_OBJECT (self, "both halves attached, starting DTLS as %s",
      gst_wrtc_dtls_connection_is_client (conn) ? "client" : "server");
  if (!gst_wrtc_dtls_connection_start (conn, &err)) {
    GST_WARNING_OBJECT (self, "%s", err->message);
    g_clear_error (&err);
  }
  g_object_unref (conn);
}

/* Called with the lock; returns the connection to close, if any. */
static GstWrtcDtlsConnection *
maybe_drop_locked (GstWrtcDtlsSrtpTransport * self)
{
  GstWrtcDtlsConnection *conn = self->conn;

  if (!conn || self->sender_attached || self->receiver_attached)
    return NULL;
  self->conn = NULL;
  g_signal_handler_disconnect (conn, self->state_handler);
  self->state_handler = 0;
  return conn;
}

static void
drop_connection (GstWrtcDtlsSrtpTransport * self, GstWrtcDtlsConnection * conn)
{
  if (!conn)
    return;
  gst_wrtc_dtls_connection_close (conn);
  g_mutex_lock (&self->lock);
  self->last_state = gst_wrtc_dtls_connection_get_state (conn);
  g_mutex_unlock (&self->lock);
  gst_wrtc_dtls_connection_set_callbacks (conn, NULL, NULL, NULL);
  gst_wrtc_srtp_context_clear_key (self->tx);
  gst_wrtc_srtp_context_clear_key (self->rx);
  g_object_unref (conn);
}

void
gst_wrtc_dtls_srtp_transport_attach_sender (GstWrtcDtlsSrtpTransport * t,
    GObject * owner, GstWrtcTransportSendFunc func)
{
  GstWrtcDtlsConnection *conn;

  g_mutex_lock (&t->lock);
  g_weak_ref_set (&t->sender, owner);
  t->send_func = func;
  t->sender_attached = TRUE;
  conn = maybe_create_locked (t);
  g_mutex_unlock (&t->lock);
  start_connection (t, conn);
}

void
gst_wrtc_dtls_srtp_transport_attach_receiver (GstWrtcDtlsSrtpTransport * t,
    GObject * owner, GstWrtcTransportDataFunc func)
{
  GstWrtcDtlsConnection *conn;

  g_mutex_lock (&t->lock);
  g_weak_ref_set (&t->receiver, owner);
  t->data_func = func;
  t->receiver_attached = TRUE;
  conn = maybe_create_locked (t);
  g_mutex_unlock (&t->lock);
  start_connection (t, conn);
}

/* The sender goes first: close_notify (RFC 5246 section 7.2.1) still
 * reaches the wire through it. */
void
gst_wrtc_dtls_srtp_transport_detach_sender (GstWrtcDtlsSrtpTransport * t)
{
  GstWrtcDtlsConnection *conn;

  g_mutex_lock (&t->lock);
  conn = t->conn ? g_object_ref (t->conn) : NULL;
  g_mutex_unlock (&t->lock);
  if (conn) {
    gst_wrtc_dtls_connection_close (conn);
    g_object_unref (conn);
  }

  g_mutex_lock (&t->lock);
  g_weak_ref_set (&t->sender, NULL);
  t->send_func = NULL;
  t->sender_attached = FALSE;
  conn = maybe_drop_locked (t);
  g_mutex_unlock (&t->lock);
  drop_connection (t, conn);
}

void
gst_wrtc_dtls_srtp_transport_detach_receiver (GstWrtcDtlsSrtpTransport * t)
{
  GstWrtcDtlsConnection *conn;

  g_mutex_lock (&t->lock);
  g_weak_ref_set (&t->receiver, NULL);
  t->data_func = NULL;
  t->receiver_attached = FALSE;
  conn = maybe_drop_locked (t);
  g_mutex_unlock (&t->lock);
  drop_connection (t, conn);
}

/* ------------------------------------------------------------------------ */

static GstWrtcDtlsConnection *
get_conn (GstWrtcDtlsSrtpTransport * t)
{
  GstWrtcDtlsConnection *conn;

  g_mutex_lock (&t->lock);
  conn = t->conn ? g_object_ref (t->conn) : NULL;
  g_mutex_unlock (&t->lock);
  return conn;
}

GstWrtcPacketKind
gst_wrtc_dtls_srtp_transport_receive (GstWrtcDtlsSrtpTransport * t,
    guint8 * data, gsize * len, GstWrtcSrtpResult * result)
{
  GstWrtcPacketKind kind;
  GstWrtcDtlsConnection *conn;
  gsize wire_len = *len;

  *result = GST_WRTC_SRTP_MALFORMED;
  if (*len > MAX_DATAGRAM) {
    g_atomic_int_inc (&t->n_oversized);
    return GST_WRTC_PACKET_UNKNOWN;
  }

  kind = gst_wrtc_rfc7983_classify (data, *len);
  switch (kind) {
    case GST_WRTC_PACKET_RTP:
    case GST_WRTC_PACKET_RTCP:
      *result = gst_wrtc_srtp_context_unprotect (t->rx,
          kind == GST_WRTC_PACKET_RTCP, data, len);
      if (*result == GST_WRTC_SRTP_OK)
        count_wire (t, FALSE, wire_len);
      break;
    case GST_WRTC_PACKET_DTLS:
      g_atomic_int_inc (&t->n_dtls);
      count_wire (t, FALSE, wire_len);
      conn = get_conn (t);
      if (conn) {
        gst_wrtc_dtls_connection_process (conn, data, *len, NULL);
        g_object_unref (conn);
      }
      *result = GST_WRTC_SRTP_OK;
      break;
    case GST_WRTC_PACKET_STUN:
      g_atomic_int_inc (&t->n_stun);
      break;
    default:
      g_atomic_int_inc (&t->n_unknown);
      break;
  }
  return kind;
}

GstWrtcSrtpResult
gst_wrtc_dtls_srtp_transport_protect (GstWrtcDtlsSrtpTransport * t,
    gboolean rtcp, guint8 * data, gsize * len, gsize max)
{
  /* the SRTP context counts what it protects (get_counters adds it): no
   * second lock per packet on the fan-out's path */
  return gst_wrtc_srtp_context_protect (t->tx, rtcp, data, len, max);
}

gboolean
gst_wrtc_dtls_srtp_transport_set_manual_key (GstWrtcDtlsSrtpTransport * t,
    gboolean outbound, const gchar * rtp_cipher, const gchar * rtp_auth,
    const gchar * rtcp_cipher, const gchar * rtcp_auth, GBytes * key,
    GError ** error)
{
  gsize len = 0;
  const guint8 *data = key ? g_bytes_get_data (key, &len) : NULL;

  return gst_wrtc_srtp_context_set_manual_key (outbound ? t->tx : t->rx,
      rtp_cipher, rtp_auth, rtcp_cipher, rtcp_auth, data, len, error);
}

void
gst_wrtc_dtls_srtp_transport_clear_manual_key (GstWrtcDtlsSrtpTransport * t,
    gboolean outbound)
{
  GstWrtcSrtpContext *ctx = outbound ? t->tx : t->rx;

  if (gst_wrtc_srtp_context_is_manual (ctx))
    gst_wrtc_srtp_context_clear_key (ctx);
}

void
gst_wrtc_dtls_srtp_transport_count_outbound (GstWrtcDtlsSrtpTransport * t,
    GstWrtcSrtpResult res)
{
  gst_wrtc_srtp_context_count (t->tx, res);
}

gboolean
gst_wrtc_dtls_srtp_transport_send_data (GstWrtcDtlsSrtpTransport * t,
    const guint8 * data, gsize len, GError ** error)
{
  GstWrtcDtlsConnection *conn = get_conn (t);
  gboolean ret;

  if (!conn) {
    g_set_error (error, GST_WRTC_DTLS_ERROR, GST_WRTC_DTLS_ERROR_CLOSED,
        "no DTLS connection yet");
    return FALSE;
  }
  ret = gst_wrtc_dtls_connection_send (conn, data, len, error);
  g_object_unref (conn);
  return ret;
}

gboolean
gst_wrtc_dtls_srtp_transport_has_keys (GstWrtcDtlsSrtpTransport * t)
{
  return gst_wrtc_srtp_context_has_key (t->tx);
}

GstWrtcDtlsConnectionState
gst_wrtc_dtls_srtp_transport_get_state (GstWrtcDtlsSrtpTransport * t)
{
  GstWrtcDtlsConnection *conn = get_conn (t);
  GstWrtcDtlsConnectionState s;

  if (!conn) {
    g_mutex_lock (&t->lock);
    s = t->last_state;
    g_mutex_unlock (&t->lock);
    return s;
  }
  s = gst_wrtc_dtls_connection_get_state (conn);
  g_object_unref (conn);
  /* the handshake is done a moment before the SRTP keys are in place:
   * report connected once packets can flow */
  if (s == GST_WRTC_DTLS_CONNECTION_STATE_CONNECTED) {
    g_mutex_lock (&t->lock);
    if (!t->keys_ready)
      s = GST_WRTC_DTLS_CONNECTION_STATE_CONNECTING;
    g_mutex_unlock (&t->lock);
  }
  return s;
}

GError *
gst_wrtc_dtls_srtp_transport_get_error (GstWrtcDtlsSrtpTransport * t)
{
  GstWrtcDtlsConnection *conn = get_conn (t);
  GError *e = NULL;

  if (conn) {
    e = gst_wrtc_dtls_connection_get_error (conn);
    g_object_unref (conn);
  }
  return e;
}

gchar *
gst_wrtc_dtls_srtp_transport_get_peer_pem (GstWrtcDtlsSrtpTransport * t)
{
  GstWrtcDtlsConnection *conn = get_conn (t);
  gchar *s = NULL;

  if (conn) {
    s = gst_wrtc_dtls_connection_get_peer_pem (conn);
    g_object_unref (conn);
  }
  return s;
}

gchar *
gst_wrtc_dtls_srtp_transport_get_peer_fingerprint (GstWrtcDtlsSrtpTransport * t)
{
  GstWrtcDtlsConnection *conn = get_conn (t);
  gchar *s = NULL;

  if (conn) {
    s = gst_wrtc_dtls_connection_get_peer_fingerprint (conn);
    g_object_unref (conn);
  }
  return s;
}

GstWrtcSrtpProfile
gst_wrtc_dtls_srtp_transport_get_profile (GstWrtcDtlsSrtpTransport * t)
{
  return gst_wrtc_srtp_context_get_profile (t->tx);
}

gboolean
gst_wrtc_dtls_srtp_transport_get_is_client (GstWrtcDtlsSrtpTransport * t)
{
  gboolean client;

  g_mutex_lock (&t->lock);
  client = t->is_client;
  g_mutex_unlock (&t->lock);
  return client;
}

void
gst_wrtc_dtls_srtp_transport_get_counters (GstWrtcDtlsSrtpTransport * t,
    GstWrtcDtlsSrtpTransportCounters * counters)
{
  GstWrtcSrtpCounters tx;

  g_mutex_lock (&t->wire_lock);
  *counters = t->wire;
  g_mutex_unlock (&t->wire_lock);
  /* SRTP and SRTCP sent, at their protected size */
  gst_wrtc_srtp_context_get_counters (t->tx, &tx);
  counters->packets_sent += tx.packets;
  counters->bytes_sent += tx.bytes;
}

GstStructure *
gst_wrtc_dtls_srtp_transport_get_stats (GstWrtcDtlsSrtpTransport * t)
{
  GstWrtcSrtpCounters tx, rx;

  gst_wrtc_srtp_context_get_counters (t->tx, &tx);
  gst_wrtc_srtp_context_get_counters (t->rx, &rx);
  return gst_structure_new ("dtls-srtp-stats",
      "dtls-state", G_TYPE_STRING,
      gst_wrtc_dtls_connection_state_name
      (gst_wrtc_dtls_srtp_transport_get_state (t)), "srtp-profile",
      G_TYPE_STRING, gst_wrtc_srtp_context_is_manual (t->tx)
      || gst_wrtc_srtp_context_is_manual (t->rx) ? "manual" :
      gst_wrtc_srtp_profile_name (gst_wrtc_srtp_context_get_profile (t->tx)),
      "packets-protected", G_TYPE_UINT64, tx.packets, "bytes-protected",
      G_TYPE_UINT64, tx.bytes, "dropped-before-keys-out", G_TYPE_UINT64,
      tx.no_key, "protect-failed", G_TYPE_UINT64,
      tx.malformed + tx.failed + tx.replayed, "packets-unprotected",
      G_TYPE_UINT64, rx.packets, "bytes-unprotected", G_TYPE_UINT64, rx.bytes,
      "dropped-before-keys-in", G_TYPE_UINT64, rx.no_key, "replayed",
      G_TYPE_UINT64, rx.replayed, "auth-failed", G_TYPE_UINT64, rx.auth_failed,
      "malformed", G_TYPE_UINT64, rx.malformed + rx.failed, "dtls-packets",
      G_TYPE_UINT64, (guint64) (guint) g_atomic_int_get (&t->n_dtls),
      "stun-packets", G_TYPE_UINT64,
      (guint64) (guint) g_atomic_int_get (&t->n_stun), "unknown-packets",
      G_TYPE_UINT64, (guint64) (guint) g_atomic_int_get (&t->n_unknown),
      "oversized-packets", G_TYPE_UINT64,
      (guint64) (guint) g_atomic_int_get (&t->n_oversized), "data-dropped",
      G_TYPE_UINT64, (guint64) (guint) g_atomic_int_get (&t->n_data_dropped),
      NULL);
}
