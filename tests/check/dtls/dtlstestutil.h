/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: helpers shared by the unit tests of the pad-less
 * DTLS-SRTP layers.
 *
 * A TestPeer wraps one GstWrtcDtlsConnection: what it sends goes into an
 * async queue (the send callback may run on the process-wide timer thread),
 * what it decrypts and the states it signals are recorded under a lock.
 * test_pump() moves datagrams between two peers on the calling thread, with
 * an optional filter that may drop or alter them, so a "network" is
 * entirely in the test's hands.
 *
 * Everything is static: each test program includes this header once.
 */
#ifndef __DTLS_TEST_UTIL_H__
#define __DTLS_TEST_UTIL_H__

#include <string.h>
#include <gst/check/gstcheck.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "gstwrtcdtlsconnection.h"

/* Bounded waits: a failure ends in an assert instead of a hang; a correct
 * implementation finishes far sooner. */
#define TEST_WAIT_MS 10000

/* ------------------------------------------------------------------------
 * Certificates made by the test itself, with OpenSSL, so they are
 * independent of the code under test.
 */

/* A self-signed certificate and its key as one PEM (certificate first).
 * @rsa_bits 0 makes an ECDSA P-256 key.  @padding adds an X.509 comment
 * extension of that many bytes, to make the Certificate message large. */
static G_GNUC_UNUSED gchar *
test_make_pem (guint rsa_bits, gsize padding)
{
  EVP_PKEY *pkey;
  X509 *x509;
  X509_NAME *name;
  BIO *bio;
  char *data;
  long len;
  gchar *pem;

  pkey = rsa_bits ? EVP_RSA_gen (rsa_bits) : EVP_EC_gen ("P-256");
  fail_unless (pkey != NULL);
  x509 = X509_new ();
  X509_set_version (x509, 2);
  ASN1_INTEGER_set (X509_get_serialNumber (x509), g_random_int () & 0x7fffffff);
  X509_gmtime_adj (X509_getm_notBefore (x509), -3600);
  X509_gmtime_adj (X509_getm_notAfter (x509), 24 * 3600);
  X509_set_pubkey (x509, pkey);
  name = X509_get_subject_name (x509);
  X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_ASC,
      (const guchar *) "wrtc-test", -1, -1, 0);
  X509_set_issuer_name (x509, name);
  if (padding) {
    gchar *comment = g_malloc (padding + 1);
    X509_EXTENSION *ext;

    memset (comment, 'x', padding);
    comment[padding] = '\0';
    ext = X509V3_EXT_conf_nid (NULL, NULL, NID_netscape_comment, comment);
    fail_unless (ext != NULL);
    X509_add_ext (x509, ext, -1);
    X509_EXTENSION_free (ext);
    g_free (comment);
  }
  fail_unless (X509_sign (x509, pkey, EVP_sha256 ()) > 0);

  bio = BIO_new (BIO_s_mem ());
  fail_unless (PEM_write_bio_X509 (bio, x509));
  fail_unless (PEM_write_bio_PrivateKey (bio, pkey, NULL, NULL, 0, NULL, NULL));
  len = BIO_get_mem_data (bio, &data);
  pem = g_strndup (data, len);
  BIO_free (bio);
  X509_free (x509);
  EVP_PKEY_free (pkey);
  return pem;
}

/* "sha-256 AB:CD:..." of the first certificate in @pem, computed with
 * OpenSSL directly; @md NULL means SHA-256. */
static G_GNUC_UNUSED gchar *
test_pem_fingerprint (const gchar * pem, const gchar * algo)
{
  const EVP_MD *md;
  BIO *bio = BIO_new_mem_buf (pem, -1);
  X509 *x509 = PEM_read_bio_X509 (bio, NULL, NULL, NULL);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0, i;
  GString *s;

  BIO_free (bio);
  fail_unless (x509 != NULL);
  if (!algo)
    algo = "sha-256";
  if (g_str_equal (algo, "sha-1"))
    md = EVP_sha1 ();
  else if (g_str_equal (algo, "sha-384"))
    md = EVP_sha384 ();
  else if (g_str_equal (algo, "sha-512"))
    md = EVP_sha512 ();
  else
    md = EVP_sha256 ();
  fail_unless (X509_digest (x509, md, digest, &len));
  X509_free (x509);

  s = g_string_new (algo);
  g_string_append_c (s, ' ');
  for (i = 0; i < len; i++)
    g_string_append_printf (s, i ? ":%02X" : "%02X", digest[i]);
  return g_string_free (s, FALSE);
}

/* ------------------------------------------------------------------------
 * DTLS record inspection (RFC 6347 section 4.1)
 */
#define DTLS_CT_CHANGE_CIPHER_SPEC 20
#define DTLS_CT_ALERT 21
#define DTLS_CT_HANDSHAKE 22
#define DTLS_CT_APPLICATION_DATA 23
#define DTLS_HT_CLIENT_HELLO 1
#define DTLS_RECORD_HEADER 13

static inline guint8
dtls_record_type (const guint8 * d, gsize len)
{
  return len >= DTLS_RECORD_HEADER ? d[0] : 0;
}

static inline guint16
dtls_record_epoch (const guint8 * d, gsize len)
{
  return len >= DTLS_RECORD_HEADER ? GST_READ_UINT16_BE (d + 3) : 0;
}

/* The handshake type of the first record, when it is an unencrypted
 * handshake record; -1 otherwise. */
static inline gint
dtls_handshake_type (const guint8 * d, gsize len)
{
  if (len < DTLS_RECORD_HEADER + 1 || d[0] != DTLS_CT_HANDSHAKE
      || dtls_record_epoch (d, len) != 0)
    return -1;
  return d[DTLS_RECORD_HEADER];
}

/* ------------------------------------------------------------------------
 * A peer around one connection
 */
typedef struct
{
  const gchar *name;
  GstWrtcDtlsConnection *conn;
  GObject *owner;               /* given to the callbacks, held weakly */
  GAsyncQueue *out;             /* GBytes: datagrams the connection sent */

  GMutex lock;
  GCond cond;
  GPtrArray *received;          /* GBytes: decrypted application data */
  GArray *states;               /* GstWrtcDtlsConnectionState, signalled */
  guint n_sent;                 /* datagrams sent, all time */
  gsize max_sent;               /* the largest of them */
  guint n_client_hello;         /* of them, ClientHello records */
} TestPeer;

static G_GNUC_UNUSED GQuark
test_peer_quark (void)
{
  return g_quark_from_static_string ("wrtc-test-peer");
}

static G_GNUC_UNUSED void
test_peer_send_cb (const guint8 * data, gsize len, GObject * owner)
{
  TestPeer *p = g_object_get_qdata (owner, test_peer_quark ());

  if (g_getenv ("WRTC_TEST_TRACE")) {
    gsize off = 0;

    g_printerr ("%s sends %" G_GSIZE_FORMAT " bytes:", p->name, len);
    /* every record in the datagram */
    while (off + DTLS_RECORD_HEADER <= len) {
      guint rlen = GST_READ_UINT16_BE (data + off + 11);
      g_printerr (" [type %u epoch %u len %u hs %d]", data[off],
          dtls_record_epoch (data + off, len - off), rlen,
          dtls_handshake_type (data + off, len - off));
      off += DTLS_RECORD_HEADER + rlen;
    }
    g_printerr ("\n");
  }
  g_mutex_lock (&p->lock);
  p->n_sent++;
  p->max_sent = MAX (p->max_sent, len);
  if (dtls_handshake_type (data, len) == DTLS_HT_CLIENT_HELLO)
    p->n_client_hello++;
  g_cond_broadcast (&p->cond);
  g_mutex_unlock (&p->lock);
  g_async_queue_push (p->out, g_bytes_new (data, len));
}

static G_GNUC_UNUSED void
test_peer_receive_cb (const guint8 * data, gsize len, GObject * owner)
{
  TestPeer *p = g_object_get_qdata (owner, test_peer_quark ());

  g_mutex_lock (&p->lock);
  g_ptr_array_add (p->received, g_bytes_new (data, len));
  g_cond_broadcast (&p->cond);
  g_mutex_unlock (&p->lock);
}

static G_GNUC_UNUSED void
test_peer_state_cb (GstWrtcDtlsConnection * conn,
    GstWrtcDtlsConnectionState state, TestPeer * p)
{
  g_mutex_lock (&p->lock);
  g_array_append_val (p->states, state);
  g_cond_broadcast (&p->cond);
  g_mutex_unlock (&p->lock);
}

static G_GNUC_UNUSED TestPeer *
test_peer_new (const gchar * name, GstWrtcDtlsCertificate * cert,
    gboolean is_client)
{
  TestPeer *p = g_new0 (TestPeer, 1);

  p->name = name;
  g_mutex_init (&p->lock);
  g_cond_init (&p->cond);
  p->out = g_async_queue_new_full ((GDestroyNotify) g_bytes_unref);
  p->received = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  p->states = g_array_new (FALSE, FALSE, sizeof (GstWrtcDtlsConnectionState));
  p->owner = g_object_new (G_TYPE_OBJECT, NULL);
  g_object_set_qdata (p->owner, test_peer_quark (), p);
  p->conn = gst_wrtc_dtls_connection_new (cert, is_client);
  fail_unless (p->conn != NULL);
  gst_wrtc_dtls_connection_set_callbacks (p->conn, test_peer_send_cb,
      test_peer_receive_cb, p->owner);
  g_signal_connect (p->conn, "state-changed", G_CALLBACK (test_peer_state_cb),
      p);
  return p;
}

static G_GNUC_UNUSED void
test_peer_free (TestPeer * p)
{
  g_signal_handlers_disconnect_by_data (p->conn, p);
  /* the timer thread may still hold a reference for a moment: make sure it
   * can no longer reach us through the owner */
  gst_wrtc_dtls_connection_set_callbacks (p->conn, NULL, NULL, NULL);
  g_object_unref (p->conn);
  g_clear_object (&p->owner);
  g_async_queue_unref (p->out);
  g_ptr_array_unref (p->received);
  g_array_unref (p->states);
  g_mutex_clear (&p->lock);
  g_cond_clear (&p->cond);
  g_free (p);
}

static G_GNUC_UNUSED gboolean
test_peer_saw_state (TestPeer * p, GstWrtcDtlsConnectionState s)
{
  gboolean ret = FALSE;
  guint i;

  g_mutex_lock (&p->lock);
  for (i = 0; i < p->states->len; i++)
    if (g_array_index (p->states, GstWrtcDtlsConnectionState, i) == s)
      ret = TRUE;
  g_mutex_unlock (&p->lock);
  return ret;
}

/* Waits for the connection to signal @s (it may come from the timer
 * thread); FALSE on the bounded timeout. */
static G_GNUC_UNUSED gboolean
test_peer_wait_state (TestPeer * p, GstWrtcDtlsConnectionState s,
    guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean ret = FALSE;
  guint i;

  g_mutex_lock (&p->lock);
  for (;;) {
    for (i = 0; i < p->states->len; i++)
      if (g_array_index (p->states, GstWrtcDtlsConnectionState, i) == s)
        ret = TRUE;
    if (ret || !g_cond_wait_until (&p->cond, &p->lock, end))
      break;
  }
  g_mutex_unlock (&p->lock);
  return ret;
}

static G_GNUC_UNUSED guint
test_peer_n_received (TestPeer * p)
{
  guint n;

  g_mutex_lock (&p->lock);
  n = p->received->len;
  g_mutex_unlock (&p->lock);
  return n;
}

/* Decides the fate of one datagram on its way from @from to @to: TRUE to
 * deliver it (possibly altered in @data), FALSE to drop it.  @index counts
 * the datagrams @from has sent through the pump, from 0. */
typedef gboolean (*TestFilterFunc) (TestPeer * from, TestPeer * to,
    guint index, guint8 * data, gsize * len, gpointer user_data);

typedef gboolean (*TestDoneFunc) (TestPeer * a, TestPeer * b,
    gpointer user_data);

typedef struct
{
  TestFilterFunc filter;
  gpointer user_data;
  guint index[2];
} TestLink;

static G_GNUC_UNUSED gboolean
test_pump_one (TestLink * link, guint dir, TestPeer * from, TestPeer * to,
    guint wait_us)
{
  GBytes *b = g_async_queue_timeout_pop (from->out, wait_us);
  guint8 *data;
  gsize len;
  gboolean deliver = TRUE;

  if (!b)
    return FALSE;
  data = g_bytes_unref_to_data (b, &len);
  if (link && link->filter)
    deliver = link->filter (from, to, link->index[dir], data, &len,
        link->user_data);
  if (link)
    link->index[dir]++;
  if (deliver)
    gst_wrtc_dtls_connection_process (to->conn, data, len, NULL);
  g_free (data);
  return TRUE;
}

/* Moves datagrams both ways until @done says so or @timeout_ms pass. */
static G_GNUC_UNUSED gboolean
test_pump (TestPeer * a, TestPeer * b, TestLink * link, TestDoneFunc done,
    gpointer user_data, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!done (a, b, user_data)) {
    gboolean moved;

    if (g_get_monotonic_time () > end)
      return FALSE;
    moved = test_pump_one (link, 0, a, b, 0);
    moved |= test_pump_one (link, 1, b, a, 0);
    if (!moved) {
      /* nothing queued: wait a little for the timer thread */
      if (!test_pump_one (link, 0, a, b, 2000))
        test_pump_one (link, 1, b, a, 0);
    }
  }
  return TRUE;
}

static G_GNUC_UNUSED gboolean
test_both_connected (TestPeer * a, TestPeer * b, gpointer user_data)
{
  return gst_wrtc_dtls_connection_get_state (a->conn) ==
      GST_WRTC_DTLS_CONNECTION_STATE_CONNECTED
      && gst_wrtc_dtls_connection_get_state (b->conn) ==
      GST_WRTC_DTLS_CONNECTION_STATE_CONNECTED;
}

static G_GNUC_UNUSED gboolean
test_both_final (TestPeer * a, TestPeer * b, gpointer user_data)
{
  GstWrtcDtlsConnectionState sa = gst_wrtc_dtls_connection_get_state (a->conn);
  GstWrtcDtlsConnectionState sb = gst_wrtc_dtls_connection_get_state (b->conn);

  return (sa == GST_WRTC_DTLS_CONNECTION_STATE_FAILED
      || sa == GST_WRTC_DTLS_CONNECTION_STATE_CLOSED)
      && (sb == GST_WRTC_DTLS_CONNECTION_STATE_FAILED
      || sb == GST_WRTC_DTLS_CONNECTION_STATE_CLOSED);
}

/* Starts both (server first, as an answerer would) and runs the handshake
 * to completion; asserts it completes. */
static G_GNUC_UNUSED void
test_connect (TestPeer * client, TestPeer * server, TestLink * link)
{
  GError *err = NULL;

  fail_unless (gst_wrtc_dtls_connection_start (server->conn, &err));
  g_assert_no_error (err);
  fail_unless (gst_wrtc_dtls_connection_start (client->conn, &err));
  g_assert_no_error (err);
  fail_unless (test_pump (client, server, link, test_both_connected, NULL,
          TEST_WAIT_MS), "handshake did not complete: client %s, server %s",
      gst_wrtc_dtls_connection_state_name (gst_wrtc_dtls_connection_get_state
          (client->conn)),
      gst_wrtc_dtls_connection_state_name (gst_wrtc_dtls_connection_get_state
          (server->conn)));
}

#endif
