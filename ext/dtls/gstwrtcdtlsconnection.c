/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: a DTLS 1.2 association over OpenSSL.
 *
 * OpenSSL talks to a BIO of our own: a read hands it the one datagram being
 * processed, and every write is one datagram collected for the send
 * callback.  OpenSSL writes each DTLS record with its own BIO_write and we
 * set the MTU ourselves (SSL_OP_NO_QUERY_MTU), so each handshake fragment
 * leaves as a datagram of at most the MTU (RFC 6347 section 4.2.3).
 *
 * Handshake flights (RFC 6347 section 4.2.4), client on the left:
 *
 *   ClientHello            -------->                       Flight 1
 *                          <--------      HelloVerifyRequest  (not used)
 *   ClientHello            -------->                       Flight 3
 *                                                ServerHello \
 *                                               Certificate*  \
 *                                         ServerKeyExchange*   Flight 4
 *                                        CertificateRequest*  /
 *                          <--------         ServerHelloDone /
 *   Certificate*                                              \
 *   ClientKeyExchange                                          \
 *   CertificateVerify*                                          Flight 5
 *   [ChangeCipherSpec]                                         /
 *   Finished               -------->                          /
 *                                         [ChangeCipherSpec]  \ Flight 6
 *                          <--------                Finished  /
 *
 * Every flight that waits for an answer is retransmitted on a timer that
 * starts at INITIAL_RTO and doubles up to MAX_RTO (section 4.2.4.1); the
 * handshake fails when the whole exchange takes longer than the timeout.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcdtlsconnection.h"
#include "gstwrtcdtls-private.h"

#include <string.h>
#include <openssl/err.h>
#include <gst/gst.h>

GST_DEBUG_CATEGORY_STATIC (wrtc_dtls_conn_debug);
#define GST_CAT_DEFAULT wrtc_dtls_conn_debug

#define INITIAL_RTO_US (100 * 1000)
#define MAX_RTO_US (3200 * 1000)
/* largest DTLS record plaintext (RFC 6347 section 4.1) */
#define MAX_RECORD 16384
/* OpenSSL sizes the fragments of a flight with the expansion of the epoch
 * it starts in, so the Finished after ChangeCipherSpec can overshoot by the
 * new epoch's expansion: 24 bytes for AES-GCM (explicit nonce + tag), up to
 * 52 for CBC with SHA-1 (IV + MAC + padding).  Keep that much spare so
 * every datagram fits the MTU (RFC 6347 section 4.1.1). */
#define RECORD_EXPANSION_RESERVE 64

enum
{
  SIGNAL_STATE_CHANGED,
  LAST_SIGNAL
};
static guint signals[LAST_SIGNAL];

typedef struct
{
  GstWrtcDtlsConnectionState old_state, new_state;
} PendingState;

struct _GstWrtcDtlsConnection
{
  GObject parent;

  GMutex lock;
  /* immutable after construction */
  GstWrtcDtlsCertificate *cert;
  gboolean is_client;

  /* set before start, then read only */
  GstWrtcDtlsSendFunc send_func;
  GstWrtcDtlsReceiveFunc receive_func;
  GWeakRef owner;               /* passed to the callbacks */

  /* all below: lock */
  SSL *ssl;
  BIO *bio;
  guint mtu;
  guint handshake_timeout_ms;
  gint64 deadline;              /* monotonic us */
  gchar *expected_fingerprint;
  gchar *srtp_profiles;
  gchar *peer_fingerprint;
  gboolean fingerprint_mismatch;
  GstWrtcDtlsConnectionState state;
  GError *error;
  GstWrtcSrtpKeys keys;
  gboolean have_keys;
  GSource *timer;

  /* the datagram OpenSSL reads now */
  const guint8 *in_data;
  gsize in_len;
  /* collected while locked, dispatched after unlock */
  GPtrArray *out;               /* GBytes to send */
  GPtrArray *app_in;            /* GBytes received */
  GArray *pending_states;       /* PendingState */
};

G_DEFINE_TYPE_WITH_CODE (GstWrtcDtlsConnection, gst_wrtc_dtls_connection,
    G_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (wrtc_dtls_conn_debug, "wrtcdtlsconnection", 0,
        "DTLS connection"));

GType
gst_wrtc_dtls_connection_state_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_WRTC_DTLS_CONNECTION_STATE_NEW, "New connection", "new"},
    {GST_WRTC_DTLS_CONNECTION_STATE_CLOSED,
        "Closed connection on either side", "closed"},
    {GST_WRTC_DTLS_CONNECTION_STATE_FAILED, "Failed connection", "failed"},
    {GST_WRTC_DTLS_CONNECTION_STATE_CONNECTING, "Connecting", "connecting"},
    {GST_WRTC_DTLS_CONNECTION_STATE_CONNECTED, "Successfully connected",
        "connected"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstWrtcDtlsConnectionState", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

/* ------------------------------------------------------------------------
 * State machine
 *
 * The one place the state changes: set_state_locked(), through the
 * helper (gstwrtcfsm.h) and this table.  Legal edges:
 *   new        -> connecting   start()
 *   new        -> closed       close() before start
 *   new        -> failed       start() could not set up OpenSSL
 *   connecting -> connected    handshake finished
 *   connecting -> failed       alert, bad certificate, wrong fingerprint,
 *                              timeout
 *   connecting -> closed       close() during the handshake
 *   connected  -> closed       close_notify sent or received
 *   connected  -> failed       fatal alert or protocol error
 * closed and failed are final: a new association needs a new connection.
 */
#define TO GST_WRTC_FSM_TO
/* indexed by GstWrtcDtlsConnectionState (upstream's values, not in edge
 * order) */
static const gchar *const state_names[] = {
  [GST_WRTC_DTLS_CONNECTION_STATE_NEW] = "new",
  [GST_WRTC_DTLS_CONNECTION_STATE_CLOSED] = "closed",
  [GST_WRTC_DTLS_CONNECTION_STATE_FAILED] = "failed",
  [GST_WRTC_DTLS_CONNECTION_STATE_CONNECTING] = "connecting",
  [GST_WRTC_DTLS_CONNECTION_STATE_CONNECTED] = "connected",
};

static const guint32 state_edges[] = {
  [GST_WRTC_DTLS_CONNECTION_STATE_NEW] =
      TO (GST_WRTC_DTLS_CONNECTION_STATE_CONNECTING)
      | TO (GST_WRTC_DTLS_CONNECTION_STATE_CLOSED)
      | TO (GST_WRTC_DTLS_CONNECTION_STATE_FAILED),
  [GST_WRTC_DTLS_CONNECTION_STATE_CLOSED] = 0,
  [GST_WRTC_DTLS_CONNECTION_STATE_FAILED] = 0,
  [GST_WRTC_DTLS_CONNECTION_STATE_CONNECTING] =
      TO (GST_WRTC_DTLS_CONNECTION_STATE_CONNECTED)
      | TO (GST_WRTC_DTLS_CONNECTION_STATE_FAILED)
      | TO (GST_WRTC_DTLS_CONNECTION_STATE_CLOSED),
  [GST_WRTC_DTLS_CONNECTION_STATE_CONNECTED] =
      TO (GST_WRTC_DTLS_CONNECTION_STATE_CLOSED)
      | TO (GST_WRTC_DTLS_CONNECTION_STATE_FAILED),
};

#undef TO

static const GstWrtcFsm state_machine = {
  "dtls-connection", &wrtc_dtls_conn_debug, G_N_ELEMENTS (state_names),
  state_names, state_edges
};

G_STATIC_ASSERT (G_N_ELEMENTS (state_edges) == G_N_ELEMENTS (state_names));

const GstWrtcFsm *
gst_wrtc_dtls_connection_state_machine (void)
{
  return &state_machine;
}

const gchar *
gst_wrtc_dtls_connection_state_name (GstWrtcDtlsConnectionState s)
{
  return gst_wrtc_fsm_state_name (&state_machine, s);
}

/* Stores @new_state when the machine allows it; the caller checks first
 * when the edge may be illegal, so a refusal here is a bug. */
static gboolean
set_state_locked (GstWrtcDtlsConnection * self,
    GstWrtcDtlsConnectionState new_state)
{
  PendingState p = { self->state, new_state };

  if (!gst_wrtc_fsm_transition (&state_machine, self,
          self->is_client ? "client" : "server", self->state, new_state))
    return FALSE;
  self->state = new_state;
  g_array_append_val (self->pending_states, p);
  return TRUE;
}

static void
fail_locked (GstWrtcDtlsConnection * self, gint code, const gchar * format, ...)
G_GNUC_PRINTF (3, 4);

     static void
         fail_locked (GstWrtcDtlsConnection * self, gint code,
    const gchar * format, ...)
{
  va_list args;

  if (self->state == GST_WRTC_DTLS_CONNECTION_STATE_FAILED
      || self->state == GST_WRTC_DTLS_CONNECTION_STATE_CLOSED)
    return;
  va_start (args, format);
  g_clear_error (&self->error);
  self->error = g_error_new_valist (GST_WRTC_DTLS_ERROR, code, format, args);
  va_end (args);
  GST_WARNING_OBJECT (self, "DTLS failed: %s", self->error->message);
  set_state_locked (self, GST_WRTC_DTLS_CONNECTION_STATE_FAILED);
}

/* ------------------------------------------------------------------------
 * Datagram BIO
 */
static int
bio_write (BIO * bio, const char *data, int len)
{
  GstWrtcDtlsConnection *self = BIO_get_data (bio);

  GST_LOG_OBJECT (self, "datagram out, %d bytes", len);
  g_ptr_array_add (self->out, g_bytes_new (data, len));
  return len;
}

static int
bio_read (BIO * bio, char *out, int outl)
{
  GstWrtcDtlsConnection *self = BIO_get_data (bio);
  int n;

  BIO_clear_retry_flags (bio);
  if (!self->in_data || self->in_len == 0) {
    BIO_set_retry_read (bio);
    return -1;
  }
  /* a datagram larger than OpenSSL's buffer is truncated, as recvfrom()
   * would; the record layer then drops it */
  n = MIN ((gsize) outl, self->in_len);
  memcpy (out, self->in_data, n);
  self->in_data = NULL;
  self->in_len = 0;
  return n;
}

static long
bio_ctrl (BIO * bio, int cmd, long num, void *ptr)
{
  GstWrtcDtlsConnection *self = BIO_get_data (bio);

  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_DGRAM_QUERY_MTU:
    case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
      return self->mtu;
    case BIO_CTRL_PENDING:
      return self->in_len;
    case BIO_CTRL_WPENDING:
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
    default:
      return 0;
  }
}

static int
bio_create (BIO * bio)
{
  BIO_set_init (bio, 1);
  return 1;
}

static BIO_METHOD *
datagram_bio_method (void)
{
  static BIO_METHOD *method = NULL;

  if (g_once_init_enter (&method)) {
    BIO_METHOD *m = BIO_meth_new (BIO_get_new_index () | BIO_TYPE_SOURCE_SINK,
        "gst-wrtc-datagram");
    BIO_meth_set_write (m, bio_write);
    BIO_meth_set_read (m, bio_read);
    BIO_meth_set_ctrl (m, bio_ctrl);
    BIO_meth_set_create (m, bio_create);
    g_once_init_leave (&method, m);
  }
  return method;
}

/* ------------------------------------------------------------------------
 * Timers: one thread for every connection in the process
 */
static GMainContext *
timer_context (void)
{
  static GMainContext *ctx = NULL;

  if (g_once_init_enter (&ctx)) {
    GMainContext *c = g_main_context_new ();
    GMainLoop *loop = g_main_loop_new (c, FALSE);
    g_thread_unref (g_thread_new ("wrtc-dtls-timer",
            (GThreadFunc) g_main_loop_run, loop));
    g_once_init_leave (&ctx, c);
  }
  return ctx;
}

void
gst_wrtc_dtls_connection_prepare_timers (void)
{
  timer_context ();
}

static unsigned int
timer_backoff_cb (SSL * ssl, unsigned int previous_us)
{
  if (previous_us == 0)
    return INITIAL_RTO_US;
  return MIN ((guint64) previous_us * 2, MAX_RTO_US);
}

static gboolean on_timer (gpointer user_data);

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static void
schedule_timer_locked (GstWrtcDtlsConnection * self)
{
  struct timeval tv;
  gint64 wait_ms = -1, now;
  GWeakRef *ref;

  if (self->timer) {
    g_source_destroy (self->timer);
    g_source_unref (self->timer);
    self->timer = NULL;
  }
  if (self->state != GST_WRTC_DTLS_CONNECTION_STATE_CONNECTING)
    return;

  if (DTLSv1_get_timeout (self->ssl, &tv))
    wait_ms = (gint64) tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
  now = g_get_monotonic_time ();
  if (wait_ms < 0 || now + wait_ms * 1000 > self->deadline)
    wait_ms = MAX (0, (self->deadline - now + 999) / 1000);

  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  self->timer = g_timeout_source_new (wait_ms);
  g_source_set_callback (self->timer, on_timer, ref, weak_ref_free);
  g_source_attach (self->timer, timer_context ());
}

/* ------------------------------------------------------------------------
 * Dispatch: callbacks and signals run without the lock
 */
typedef struct
{
  GPtrArray *out, *app_in;
  GArray *states;
} Dispatch;

static void
take_dispatch_locked (GstWrtcDtlsConnection * self, Dispatch * d)
{
  d->out = self->out;
  d->app_in = self->app_in;
  d->states = self->pending_states;
  self->out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  self->app_in =
      g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  self->pending_states = g_array_new (FALSE, FALSE, sizeof (PendingState));
}

static void
unlock_and_dispatch (GstWrtcDtlsConnection * self)
{
  Dispatch d;
  guint i;
  GstWrtcDtlsSendFunc send_func = self->send_func;
  GstWrtcDtlsReceiveFunc receive_func = self->receive_func;
  GObject *owner = NULL;

  take_dispatch_locked (self, &d);
  if (d.out->len || d.app_in->len)
    owner = g_weak_ref_get (&self->owner);
  g_mutex_unlock (&self->lock);

  for (i = 0; owner && send_func && i < d.out->len; i++) {
    gsize len;
    const guint8 *data = g_bytes_get_data (d.out->pdata[i], &len);
    send_func (data, len, owner);
  }
  for (i = 0; owner && receive_func && i < d.app_in->len; i++) {
    gsize len;
    const guint8 *data = g_bytes_get_data (d.app_in->pdata[i], &len);
    receive_func (data, len, owner);
  }
  if (owner)
    g_object_unref (owner);
  for (i = 0; i < d.states->len; i++) {
    PendingState *p = &g_array_index (d.states, PendingState, i);
    g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, p->new_state);
  }
  g_ptr_array_unref (d.out);
  g_ptr_array_unref (d.app_in);
  g_array_unref (d.states);
}

/* ------------------------------------------------------------------------
 * OpenSSL glue
 */
static int
ssl_ex_index (void)
{
  static gsize idx = 0;

  if (g_once_init_enter (&idx)) {
    int i = SSL_get_ex_new_index (0, (void *) "gst-wrtc-dtls", NULL, NULL,
        NULL);
    g_once_init_leave (&idx, (gsize) i + 1);
  }
  return (int) idx - 1;
}

/* Self-signed certificates are the norm (RFC 8827 section 6.5): the chain
 * is not verified, the fingerprint signalled out of band is.  Called with
 * the lock held (from inside SSL_do_handshake). */
static int
verify_cb (int preverify_ok, X509_STORE_CTX * store)
{
  SSL *ssl = X509_STORE_CTX_get_ex_data (store,
      SSL_get_ex_data_X509_STORE_CTX_idx ());
  GstWrtcDtlsConnection *self = SSL_get_ex_data (ssl, ssl_ex_index ());
  X509 *peer;
  const gchar *algo = "sha-256";

  if (X509_STORE_CTX_get_error_depth (store) != 0)
    return 1;
  peer = X509_STORE_CTX_get_current_cert (store);
  if (self->expected_fingerprint) {
    const gchar *sp = strchr (self->expected_fingerprint, ' ');
    algo = g_strndup (self->expected_fingerprint,
        sp - self->expected_fingerprint);
  }
  g_free (self->peer_fingerprint);
  self->peer_fingerprint = _gst_wrtc_dtls_x509_fingerprint (peer, algo);
  if (self->expected_fingerprint) {
    g_free ((gchar *) algo);
    if (g_strcmp0 (self->peer_fingerprint, self->expected_fingerprint) != 0) {
      self->fingerprint_mismatch = TRUE;
      return 0;
    }
  }
  return 1;
}

/* RFC 5764 section 4.2: the keying material is
 * client key | server key | client salt | server salt. */
static void
export_keys_locked (GstWrtcDtlsConnection * self)
{
  const SRTP_PROTECTION_PROFILE *p = SSL_get_selected_srtp_profile (self->ssl);
  guint8 material[2 * (GST_WRTC_SRTP_MAX_KEY_LEN + GST_WRTC_SRTP_MAX_SALT_LEN)];
  static const char label[] = "EXTRACTOR-dtls_srtp";
  GstWrtcSrtpProfile profile;
  guint kl, sl;

  if (!p) {
    GST_INFO_OBJECT (self, "no SRTP profile negotiated (data only)");
    return;
  }
  profile = (GstWrtcSrtpProfile) p->id;
  kl = gst_wrtc_srtp_profile_key_len (profile);
  sl = gst_wrtc_srtp_profile_salt_len (profile);
  if (!kl || SSL_export_keying_material (self->ssl, material, 2 * (kl + sl),
          label, strlen (label), NULL, 0, 0) != 1) {
    GST_WARNING_OBJECT (self, "cannot export keys for profile %s", p->name);
    return;
  }
  self->keys.profile = profile;
  memcpy (self->keys.client_key, material, kl);
  memcpy (self->keys.server_key, material + kl, kl);
  memcpy (self->keys.client_salt, material + 2 * kl, sl);
  memcpy (self->keys.server_salt, material + 2 * kl + sl, sl);
  memset (material, 0, sizeof (material));
  self->have_keys = TRUE;
  GST_INFO_OBJECT (self, "SRTP profile %s", p->name);
}

static void
record_peer_locked (GstWrtcDtlsConnection * self)
{
  X509 *peer = SSL_get0_peer_certificate (self->ssl);

  if (peer && !self->peer_fingerprint)
    self->peer_fingerprint = _gst_wrtc_dtls_x509_fingerprint (peer, "sha-256");
}

/* Runs OpenSSL on whatever is pending and updates the state. */
static void
drive_locked (GstWrtcDtlsConnection * self)
{
  int ret, err;

  if (self->state != GST_WRTC_DTLS_CONNECTION_STATE_CONNECTING
      && self->state != GST_WRTC_DTLS_CONNECTION_STATE_CONNECTED)
    return;

  if (!SSL_is_init_finished (self->ssl)) {
    ERR_clear_error ();
    ret = SSL_do_handshake (self->ssl);
    if (ret == 1) {
      record_peer_locked (self);
      export_keys_locked (self);
      set_state_locked (self, GST_WRTC_DTLS_CONNECTION_STATE_CONNECTED);
    } else {
      err = SSL_get_error (self->ssl, ret);
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
        goto handshake_failed;
      goto out;
    }
  }

  /* connected: application data, alerts, retransmitted peer flights */
  for (;;) {
    guint8 buf[MAX_RECORD];

    ERR_clear_error ();
    ret = SSL_read (self->ssl, buf, sizeof (buf));
    if (ret > 0) {
      g_ptr_array_add (self->app_in, g_bytes_new (buf, ret));
      continue;
    }
    err = SSL_get_error (self->ssl, ret);
    if (err == SSL_ERROR_ZERO_RETURN) {
      GST_INFO_OBJECT (self, "peer sent close_notify");
      SSL_shutdown (self->ssl);
      set_state_locked (self, GST_WRTC_DTLS_CONNECTION_STATE_CLOSED);
    } else if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
      gchar *e = _gst_wrtc_dtls_openssl_errors ();
      fail_locked (self, GST_WRTC_DTLS_ERROR_HANDSHAKE,
          "DTLS protocol error: %s", e);
      g_free (e);
    }
    break;
  }

out:
  schedule_timer_locked (self);
  return;

  /* ERRORS */
handshake_failed:
  {
    if (self->fingerprint_mismatch) {
      fail_locked (self, GST_WRTC_DTLS_ERROR_FINGERPRINT,
          "the peer's certificate fingerprint %s does not match the "
          "expected %s", self->peer_fingerprint, self->expected_fingerprint);
      ERR_clear_error ();
    } else {
      gchar *e = _gst_wrtc_dtls_openssl_errors ();
      fail_locked (self, GST_WRTC_DTLS_ERROR_HANDSHAKE,
          "DTLS handshake failed: %s", e);
      g_free (e);
    }
    goto out;
  }
}

static gboolean
on_timer (gpointer user_data)
{
  GstWrtcDtlsConnection *self = g_weak_ref_get (user_data);

  if (!self)
    return G_SOURCE_REMOVE;

  g_mutex_lock (&self->lock);
  if (self->timer != g_main_current_source ()) {
    g_mutex_unlock (&self->lock);
    g_object_unref (self);
    return G_SOURCE_REMOVE;
  }
  g_source_unref (self->timer);
  self->timer = NULL;

  if (self->state == GST_WRTC_DTLS_CONNECTION_STATE_CONNECTING) {
    if (g_get_monotonic_time () >= self->deadline) {
      fail_locked (self, GST_WRTC_DTLS_ERROR_TIMEOUT,
          "DTLS handshake timed out after %u ms as %s (no answer from the "
          "peer)", self->handshake_timeout_ms,
          self->is_client ? "client" : "server");
    } else if (DTLSv1_handle_timeout (self->ssl) < 0) {
      gchar *e = _gst_wrtc_dtls_openssl_errors ();
      fail_locked (self, GST_WRTC_DTLS_ERROR_TIMEOUT,
          "DTLS handshake gave up retransmitting: %s", e);
      g_free (e);
    } else {
      GST_DEBUG_OBJECT (self, "retransmitted the last flight");
    }
    schedule_timer_locked (self);
  }
  unlock_and_dispatch (self);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------------
 * GObject
 */
static void
gst_wrtc_dtls_connection_finalize (GObject * object)
{
  GstWrtcDtlsConnection *self = GST_WRTC_DTLS_CONNECTION (object);

  if (self->timer) {
    g_source_destroy (self->timer);
    g_source_unref (self->timer);
  }
  if (self->ssl)
    SSL_free (self->ssl);       /* frees the BIO */
  g_clear_object (&self->cert);
  g_free (self->expected_fingerprint);
  g_free (self->srtp_profiles);
  g_free (self->peer_fingerprint);
  g_clear_error (&self->error);
  g_weak_ref_clear (&self->owner);
  g_ptr_array_unref (self->out);
  g_ptr_array_unref (self->app_in);
  g_array_unref (self->pending_states);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (gst_wrtc_dtls_connection_parent_class)->finalize (object);
}

static void
gst_wrtc_dtls_connection_class_init (GstWrtcDtlsConnectionClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_wrtc_dtls_connection_finalize;

  /**
   * GstWrtcDtlsConnection::state-changed:
   * @conn: the connection
   * @state: the new #GstWrtcDtlsConnectionState
   *
   * Emitted without the connection's lock, from the thread that caused it.
   */
  signals[SIGNAL_STATE_CHANGED] = g_signal_new ("state-changed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, GST_WRTC_TYPE_DTLS_CONNECTION_STATE);
}

static void
gst_wrtc_dtls_connection_init (GstWrtcDtlsConnection * self)
{
  g_mutex_init (&self->lock);
  g_weak_ref_init (&self->owner, NULL);
  self->mtu = GST_WRTC_DTLS_DEFAULT_MTU;
  self->handshake_timeout_ms = GST_WRTC_DTLS_DEFAULT_HANDSHAKE_TIMEOUT_MS;
  self->state = GST_WRTC_DTLS_CONNECTION_STATE_NEW;
  self->out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  self->app_in =
      g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  self->pending_states = g_array_new (FALSE, FALSE, sizeof (PendingState));
}

GstWrtcDtlsConnection *
gst_wrtc_dtls_connection_new (GstWrtcDtlsCertificate * cert, gboolean is_client)
{
  GstWrtcDtlsConnection *self;

  g_return_val_if_fail (GST_WRTC_IS_DTLS_CERTIFICATE (cert), NULL);

  self = g_object_new (GST_WRTC_TYPE_DTLS_CONNECTION, NULL);
  self->cert = g_object_ref (cert);
  self->is_client = is_client;
  return self;
}

void
gst_wrtc_dtls_connection_set_callbacks (GstWrtcDtlsConnection * conn,
    GstWrtcDtlsSendFunc send_func, GstWrtcDtlsReceiveFunc receive_func,
    GObject * owner)
{
  g_mutex_lock (&conn->lock);
  conn->send_func = send_func;
  conn->receive_func = receive_func;
  g_weak_ref_set (&conn->owner, owner);
  g_mutex_unlock (&conn->lock);
}

gboolean
gst_wrtc_dtls_connection_set_peer_fingerprint (GstWrtcDtlsConnection * conn,
    const gchar * fingerprint, GError ** error)
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
  g_mutex_lock (&conn->lock);
  g_free (conn->expected_fingerprint);
  conn->expected_fingerprint = norm;
  g_mutex_unlock (&conn->lock);
  return TRUE;
}

static gboolean
srtp_profile_known (const gchar * name)
{
  static const gchar *known[] = { "SRTP_AEAD_AES_128_GCM",
    "SRTP_AES128_CM_SHA1_80", "SRTP_AES128_CM_SHA1_32"
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (known); i++)
    if (g_str_equal (name, known[i]))
      return TRUE;
  return FALSE;
}

gboolean
gst_wrtc_dtls_connection_set_srtp_profiles (GstWrtcDtlsConnection * conn,
    const gchar * profiles, GError ** error)
{
  gchar **names;
  guint i;

  if (profiles && *profiles
      && !g_str_equal (profiles, GST_WRTC_DTLS_NO_SRTP_PROFILES)) {
    names = g_strsplit (profiles, ":", -1);
    for (i = 0; names[i]; i++) {
      if (!srtp_profile_known (names[i])) {
        g_set_error (error, GST_WRTC_DTLS_ERROR, GST_WRTC_DTLS_ERROR_NO_SRTP,
            "unknown SRTP profile '%s' (known: SRTP_AEAD_AES_128_GCM, "
            "SRTP_AES128_CM_SHA1_80, SRTP_AES128_CM_SHA1_32)", names[i]);
        g_strfreev (names);
        return FALSE;
      }
    }
    g_strfreev (names);
  }
  g_mutex_lock (&conn->lock);
  g_free (conn->srtp_profiles);
  conn->srtp_profiles = profiles && *profiles ? g_strdup (profiles) : NULL;
  g_mutex_unlock (&conn->lock);
  return TRUE;
}

void
gst_wrtc_dtls_connection_set_mtu (GstWrtcDtlsConnection * conn, guint mtu)
{
  g_mutex_lock (&conn->lock);
  conn->mtu = MAX (mtu, 256 + RECORD_EXPANSION_RESERVE);
  if (conn->ssl)
    SSL_set_mtu (conn->ssl, conn->mtu - RECORD_EXPANSION_RESERVE);
  g_mutex_unlock (&conn->lock);
}

void
gst_wrtc_dtls_connection_set_handshake_timeout (GstWrtcDtlsConnection * conn,
    guint timeout_ms)
{
  g_mutex_lock (&conn->lock);
  conn->handshake_timeout_ms = timeout_ms;
  g_mutex_unlock (&conn->lock);
}

gboolean
gst_wrtc_dtls_connection_start (GstWrtcDtlsConnection * conn, GError ** error)
{
  SSL_CTX *ctx;

  g_mutex_lock (&conn->lock);
  if (conn->state != GST_WRTC_DTLS_CONNECTION_STATE_NEW)
    goto already_started;

  ctx = _gst_wrtc_dtls_certificate_get_ssl_ctx (conn->cert);
  if (!ctx || !(conn->ssl = SSL_new (ctx)))
    goto no_ssl;

  conn->bio = BIO_new (datagram_bio_method ());
  BIO_set_data (conn->bio, conn);
  SSL_set_bio (conn->ssl, conn->bio, conn->bio);
  SSL_set_ex_data (conn->ssl, ssl_ex_index (), conn);
  SSL_set_verify (conn->ssl,
      SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
  SSL_set_mtu (conn->ssl, conn->mtu - RECORD_EXPANSION_RESERVE);
  /* returns 0 on success; the names were checked when set.  Without
   * profiles the handshake leaves out the use_srtp extension (RFC 5764
   * section 4.1.1): a client offers none, a server ignores an offer. */
  if (!conn->srtp_profiles
      || !g_str_equal (conn->srtp_profiles, GST_WRTC_DTLS_NO_SRTP_PROFILES))
    SSL_set_tlsext_use_srtp (conn->ssl, conn->srtp_profiles ?
        conn->srtp_profiles : GST_WRTC_DTLS_DEFAULT_SRTP_PROFILES);
  DTLS_set_timer_cb (conn->ssl, timer_backoff_cb);
  if (conn->is_client)
    SSL_set_connect_state (conn->ssl);
  else
    SSL_set_accept_state (conn->ssl);

  conn->deadline = g_get_monotonic_time () +
      (gint64) conn->handshake_timeout_ms * 1000;
  set_state_locked (conn, GST_WRTC_DTLS_CONNECTION_STATE_CONNECTING);
  /* the client sends its ClientHello now; the server waits for it */
  if (conn->is_client)
    drive_locked (conn);
  else
    schedule_timer_locked (conn);
  unlock_and_dispatch (conn);
  return TRUE;

  /* ERRORS */
already_started:
  {
    g_set_error (error, GST_WRTC_DTLS_ERROR, GST_WRTC_DTLS_ERROR_CLOSED,
        "the DTLS connection was already started (state %s)",
        gst_wrtc_dtls_connection_state_name (conn->state));
    g_mutex_unlock (&conn->lock);
    return FALSE;
  }
no_ssl:
  {
    gchar *e = _gst_wrtc_dtls_openssl_errors ();
    fail_locked (conn, GST_WRTC_DTLS_ERROR_HANDSHAKE,
        "cannot create the OpenSSL DTLS session: %s", e);
    g_free (e);
    if (error)
      *error = g_error_copy (conn->error);
    unlock_and_dispatch (conn);
    return FALSE;
  }
}

gboolean
gst_wrtc_dtls_connection_process (GstWrtcDtlsConnection * conn,
    const guint8 * data, gsize len, GError ** error)
{
  gboolean ret = TRUE;

  g_mutex_lock (&conn->lock);
  if (conn->state == GST_WRTC_DTLS_CONNECTION_STATE_NEW) {
    /* not started: the peer retransmits */
    GST_DEBUG_OBJECT (conn, "dropping %" G_GSIZE_FORMAT " bytes before start",
        len);
  } else if (conn->state == GST_WRTC_DTLS_CONNECTION_STATE_CONNECTING
      || conn->state == GST_WRTC_DTLS_CONNECTION_STATE_CONNECTED) {
    conn->in_data = data;
    conn->in_len = len;
    drive_locked (conn);
    conn->in_data = NULL;
    conn->in_len = 0;
    if (conn->state == GST_WRTC_DTLS_CONNECTION_STATE_FAILED) {
      ret = FALSE;
      if (error)
        *error = g_error_copy (conn->error);
    }
  } else {
    GST_DEBUG_OBJECT (conn, "dropping %" G_GSIZE_FORMAT " bytes, state %s",
        len, gst_wrtc_dtls_connection_state_name (conn->state));
  }
  unlock_and_dispatch (conn);
  return ret;
}

gboolean
gst_wrtc_dtls_connection_send (GstWrtcDtlsConnection * conn,
    const guint8 * data, gsize len, GError ** error)
{
  int ret;

  g_mutex_lock (&conn->lock);
  if (conn->state != GST_WRTC_DTLS_CONNECTION_STATE_CONNECTED)
    goto not_connected;
  if (len > MAX_RECORD)
    goto too_large;
  if (len == 0)
    goto done;

  ERR_clear_error ();
  ret = SSL_write (conn->ssl, data, (int) len);
  if (ret <= 0)
    goto write_failed;

done:
  unlock_and_dispatch (conn);
  return TRUE;

  /* ERRORS */
not_connected:
  {
    g_set_error (error, GST_WRTC_DTLS_ERROR, GST_WRTC_DTLS_ERROR_CLOSED,
        "cannot send application data: DTLS is %s",
        gst_wrtc_dtls_connection_state_name (conn->state));
    unlock_and_dispatch (conn);
    return FALSE;
  }
too_large:
  {
    g_set_error (error, GST_WRTC_DTLS_ERROR, GST_WRTC_DTLS_ERROR_MALFORMED,
        "application data of %" G_GSIZE_FORMAT " bytes exceeds the DTLS "
        "record limit of %d", len, MAX_RECORD);
    unlock_and_dispatch (conn);
    return FALSE;
  }
write_failed:
  {
    gchar *e = _gst_wrtc_dtls_openssl_errors ();
    g_set_error (error, GST_WRTC_DTLS_ERROR, GST_WRTC_DTLS_ERROR_HANDSHAKE,
        "DTLS write failed: %s", e);
    g_free (e);
    unlock_and_dispatch (conn);
    return FALSE;
  }
}

void
gst_wrtc_dtls_connection_close (GstWrtcDtlsConnection * conn)
{
  g_mutex_lock (&conn->lock);
  if (conn->state == GST_WRTC_DTLS_CONNECTION_STATE_CONNECTED) {
    ERR_clear_error ();
    SSL_shutdown (conn->ssl);   /* queues close_notify */
    ERR_clear_error ();
  }
  if (conn->state != GST_WRTC_DTLS_CONNECTION_STATE_FAILED)
    set_state_locked (conn, GST_WRTC_DTLS_CONNECTION_STATE_CLOSED);
  schedule_timer_locked (conn);
  unlock_and_dispatch (conn);
}

GstWrtcDtlsConnectionState
gst_wrtc_dtls_connection_get_state (GstWrtcDtlsConnection * conn)
{
  GstWrtcDtlsConnectionState s;

  g_mutex_lock (&conn->lock);
  s = conn->state;
  g_mutex_unlock (&conn->lock);
  return s;
}

gboolean
gst_wrtc_dtls_connection_is_client (GstWrtcDtlsConnection * conn)
{
  return conn->is_client;
}

GError *
gst_wrtc_dtls_connection_get_error (GstWrtcDtlsConnection * conn)
{
  GError *e;

  g_mutex_lock (&conn->lock);
  e = conn->error ? g_error_copy (conn->error) : NULL;
  g_mutex_unlock (&conn->lock);
  return e;
}

gboolean
gst_wrtc_dtls_connection_get_srtp_keys (GstWrtcDtlsConnection * conn,
    GstWrtcSrtpKeys * keys)
{
  gboolean ret;

  g_mutex_lock (&conn->lock);
  ret = conn->have_keys;
  if (ret)
    *keys = conn->keys;
  g_mutex_unlock (&conn->lock);
  return ret;
}

gchar *
gst_wrtc_dtls_connection_get_peer_pem (GstWrtcDtlsConnection * conn)
{
  gchar *pem = NULL;
  X509 *peer;

  g_mutex_lock (&conn->lock);
  if (conn->ssl && (peer = SSL_get0_peer_certificate (conn->ssl)))
    pem = _gst_wrtc_dtls_x509_to_pem (peer);
  g_mutex_unlock (&conn->lock);
  return pem;
}

gchar *
gst_wrtc_dtls_connection_get_peer_fingerprint (GstWrtcDtlsConnection * conn)
{
  gchar *fp;

  g_mutex_lock (&conn->lock);
  fp = g_strdup (conn->peer_fingerprint);
  g_mutex_unlock (&conn->lock);
  return fp;
}

const gchar *
gst_wrtc_dtls_connection_get_fingerprint (GstWrtcDtlsConnection * conn)
{
  return gst_wrtc_dtls_certificate_get_fingerprint (conn->cert);
}
