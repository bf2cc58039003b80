/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of GstWrtcDtlsConnection: two connections talk over an
 * in-memory "network" the test controls (dtlstestutil.h). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "dtlstestutil.h"
#include "fsmcheck.h"

#define S_NEW GST_WRTC_DTLS_CONNECTION_STATE_NEW
#define S_CLOSED GST_WRTC_DTLS_CONNECTION_STATE_CLOSED
#define S_FAILED GST_WRTC_DTLS_CONNECTION_STATE_FAILED
#define S_CONNECTING GST_WRTC_DTLS_CONNECTION_STATE_CONNECTING
#define S_CONNECTED GST_WRTC_DTLS_CONNECTION_STATE_CONNECTED

static GstWrtcDtlsCertificate *client_cert, *server_cert;

static void
certs_setup (void)
{
  client_cert = gst_wrtc_dtls_certificate_new_generated ();
  server_cert = gst_wrtc_dtls_certificate_new_generated ();
}

static void
certs_teardown (void)
{
  g_clear_object (&client_cert);
  g_clear_object (&server_cert);
}

static GstWrtcDtlsConnectionState
state_of (TestPeer * p)
{
  return gst_wrtc_dtls_connection_get_state (p->conn);
}

static void
assert_states (TestPeer * p, guint n, ...)
{
  va_list args;
  guint i;

  g_mutex_lock (&p->lock);
  fail_unless_equals_int (p->states->len, n);
  va_start (args, n);
  for (i = 0; i < n; i++) {
    GstWrtcDtlsConnectionState s = va_arg (args, GstWrtcDtlsConnectionState);
    fail_unless_equals_int (g_array_index (p->states,
            GstWrtcDtlsConnectionState, i), s);
  }
  va_end (args);
  g_mutex_unlock (&p->lock);
}

static GstWrtcSrtpProfile
negotiated_profile (TestPeer * client, TestPeer * server)
{
  GstWrtcSrtpKeys ck, sk;

  fail_unless (gst_wrtc_dtls_connection_get_srtp_keys (client->conn, &ck));
  fail_unless (gst_wrtc_dtls_connection_get_srtp_keys (server->conn, &sk));
  /* both ends export the same material (RFC 5764 section 4.2) */
  fail_unless_equals_int (ck.profile, sk.profile);
  fail_unless (memcmp (&ck, &sk, sizeof (ck)) == 0);
  return ck.profile;
}

/* ------------------------------------------------------------------------ */

GST_START_TEST (test_state_enum)
{
  GEnumClass *klass;
  static const struct
  {
    gint value;
    const gchar *nick;
  } v[] = {
    {0, "new"}, {1, "closed"}, {2, "failed"}, {3, "connecting"},
    {4, "connected"},
  };
  guint i;

  /* the same values and nicks as gst-plugins-bad's GstDtlsConnectionState */
  klass = g_type_class_ref (GST_WRTC_TYPE_DTLS_CONNECTION_STATE);
  for (i = 0; i < G_N_ELEMENTS (v); i++) {
    GEnumValue *ev = g_enum_get_value (klass, v[i].value);
    fail_unless (ev != NULL);
    fail_unless_equals_string (ev->value_nick, v[i].nick);
    fail_unless_equals_string (gst_wrtc_dtls_connection_state_name
        (v[i].value), v[i].nick);
  }
  fail_unless_equals_string (gst_wrtc_dtls_connection_state_name (99),
      "invalid");
  g_type_class_unref (klass);
}

GST_END_TEST;

/* The name of a state is available before anything else has touched the
 * enum type (a process using the pad-less layer alone). */
GST_START_TEST (test_state_name_standalone)
{
  fail_unless_equals_string (gst_wrtc_dtls_connection_state_name (S_CONNECTED),
      "connected");
  fail_unless_equals_string (gst_wrtc_dtls_connection_state_name (S_NEW),
      "new");
}

GST_END_TEST;

/* The legal edges, as the comment above set_state_locked() lists them. */
static const FsmCheckEdge state_spec[] = {
  {"new", "connecting"},
  {"new", "closed"},
  {"new", "failed"},
  {"connecting", "connected"},
  {"connecting", "failed"},
  {"connecting", "closed"},
  {"connected", "closed"},
  {"connected", "failed"},
};

GST_START_TEST (test_state_machine)
{
  const GstWrtcFsm *fsm = gst_wrtc_dtls_connection_state_machine ();

  /* its debug category is the connection's */
  g_type_ensure (GST_WRTC_TYPE_DTLS_CONNECTION);
  fsm_check_table (fsm, state_spec, G_N_ELEMENTS (state_spec));
  /* the table's states are the enum's values */
  fail_unless_equals_int (fsm_check_state (fsm, "new"), S_NEW);
  fail_unless_equals_int (fsm_check_state (fsm, "closed"), S_CLOSED);
  fail_unless_equals_int (fsm_check_state (fsm, "failed"), S_FAILED);
  fail_unless_equals_int (fsm_check_state (fsm, "connecting"), S_CONNECTING);
  fail_unless_equals_int (fsm_check_state (fsm, "connected"), S_CONNECTED);
  /* 5 states: 20 ordered pairs, 8 edges */
  fail_unless_equals_int (fsm_check_refuses (fsm), 12);
}

GST_END_TEST;

/* Requests that have no edge from where a real connection is leave its
 * state alone (no state-changed either), and never reach the machine as
 * an illegal edge: no refusal is logged. */
GST_START_TEST (test_state_machine_requests)
{
  TestPeer *n = test_peer_new ("closed-new", client_cert, TRUE);
  TestPeer *c = test_peer_new ("client", client_cert, TRUE);
  TestPeer *s = test_peer_new ("server", server_cert, FALSE);
  TestPeer *f = test_peer_new ("failing", client_cert, TRUE);
  static const guint8 garbage[] = { 22, 254, 253, 0, 0, 0, 0 };
  GError *err = NULL;

  fsm_check_log_start ();

  /* closed before start: start, close and data change nothing */
  gst_wrtc_dtls_connection_close (n->conn);
  fail_if (gst_wrtc_dtls_connection_start (n->conn, &err));
  g_clear_error (&err);
  gst_wrtc_dtls_connection_close (n->conn);
  fail_unless (gst_wrtc_dtls_connection_process (n->conn, garbage,
          sizeof (garbage), NULL));
  fail_unless_equals_int (state_of (n), S_CLOSED);
  assert_states (n, 1, S_CLOSED);

  /* connected, then closed: start and close again change nothing */
  test_connect (c, s, NULL);
  gst_wrtc_dtls_connection_close (c->conn);
  fail_if (gst_wrtc_dtls_connection_start (c->conn, &err));
  g_clear_error (&err);
  gst_wrtc_dtls_connection_close (c->conn);
  fail_unless_equals_int (state_of (c), S_CLOSED);
  assert_states (c, 3, S_CONNECTING, S_CONNECTED, S_CLOSED);

  /* failed (no answer): close, start and data leave it failed */
  gst_wrtc_dtls_connection_set_handshake_timeout (f->conn, 300);
  fail_unless (gst_wrtc_dtls_connection_start (f->conn, NULL));
  fail_unless (test_peer_wait_state (f, S_FAILED, TEST_WAIT_MS));
  gst_wrtc_dtls_connection_close (f->conn);
  fail_if (gst_wrtc_dtls_connection_start (f->conn, &err));
  g_clear_error (&err);
  fail_unless (gst_wrtc_dtls_connection_process (f->conn, garbage,
          sizeof (garbage), NULL));
  fail_unless_equals_int (state_of (f), S_FAILED);
  assert_states (f, 2, S_CONNECTING, S_FAILED);

  fail_unless_equals_int (fsm_check_log_stop (), 0);
  test_peer_free (n);
  test_peer_free (c);
  test_peer_free (s);
  test_peer_free (f);
}

GST_END_TEST;

GST_START_TEST (test_handshake)
{
  TestPeer *c = test_peer_new ("client", client_cert, TRUE);
  TestPeer *s = test_peer_new ("server", server_cert, FALSE);
  GstWrtcSrtpKeys k;
  gchar *fp, *pem;

  fail_unless (gst_wrtc_dtls_connection_is_client (c->conn));
  fail_if (gst_wrtc_dtls_connection_is_client (s->conn));
  fail_unless_equals_int (state_of (c), S_NEW);
  fail_unless (gst_wrtc_dtls_connection_get_peer_fingerprint (c->conn) == NULL);
  fail_unless (gst_wrtc_dtls_connection_get_peer_pem (c->conn) == NULL);
  fail_if (gst_wrtc_dtls_connection_get_srtp_keys (c->conn, &k));
  fail_unless_equals_string (gst_wrtc_dtls_connection_get_fingerprint
      (c->conn), gst_wrtc_dtls_certificate_get_fingerprint (client_cert));

  test_connect (c, s, NULL);

  assert_states (c, 2, S_CONNECTING, S_CONNECTED);
  assert_states (s, 2, S_CONNECTING, S_CONNECTED);
  fail_unless (gst_wrtc_dtls_connection_get_error (c->conn) == NULL);
  fail_unless (gst_wrtc_dtls_connection_get_error (s->conn) == NULL);

  /* each side saw the other's certificate */
  fp = gst_wrtc_dtls_connection_get_peer_fingerprint (c->conn);
  fail_unless_equals_string (fp,
      gst_wrtc_dtls_certificate_get_fingerprint (server_cert));
  g_free (fp);
  fp = gst_wrtc_dtls_connection_get_peer_fingerprint (s->conn);
  fail_unless_equals_string (fp,
      gst_wrtc_dtls_certificate_get_fingerprint (client_cert));
  g_free (fp);
  pem = gst_wrtc_dtls_connection_get_peer_pem (c->conn);
  fail_unless_equals_string (pem,
      gst_wrtc_dtls_certificate_get_pem (server_cert));
  g_free (pem);
  pem = gst_wrtc_dtls_connection_get_peer_pem (s->conn);
  fail_unless_equals_string (pem,
      gst_wrtc_dtls_certificate_get_pem (client_cert));
  g_free (pem);

  /* AEAD GCM is preferred by default (DESIGN.md) */
  fail_unless_equals_int (negotiated_profile (c, s),
      GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM);
  fail_unless (gst_wrtc_dtls_connection_get_srtp_keys (c->conn, &k));
  fail_if (memcmp (k.client_key, k.server_key, 16) == 0);
  fail_if (memcmp (k.client_salt, k.server_salt, 12) == 0);

  /* handshake fragments fit the default 1200-byte MTU */
  fail_unless (c->max_sent <= GST_WRTC_DTLS_DEFAULT_MTU);
  fail_unless (s->max_sent <= GST_WRTC_DTLS_DEFAULT_MTU);

  test_peer_free (c);
  test_peer_free (s);
}

GST_END_TEST;

/* Two connections sharing one certificate (the process default). */
GST_START_TEST (test_handshake_shared_certificate)
{
  GstWrtcDtlsCertificate *def = gst_wrtc_dtls_certificate_get_default ();
  TestPeer *c = test_peer_new ("client", def, TRUE);
  TestPeer *s = test_peer_new ("server", def, FALSE);

  test_connect (c, s, NULL);
  fail_unless_equals_int (negotiated_profile (c, s),
      GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM);
  test_peer_free (c);
  test_peer_free (s);
  g_object_unref (def);
}

GST_END_TEST;

/* Certificates with RSA keys (as gst-plugins-bad's dtls makes) work. */
GST_START_TEST (test_handshake_rsa)
{
  gchar *pem = test_make_pem (2048, 0);
  GstWrtcDtlsCertificate *rsa = gst_wrtc_dtls_certificate_new_from_pem (pem,
      NULL);
  TestPeer *c, *s;
  gchar *fp;

  fail_unless (rsa != NULL);
  /* RSA on either side */
  c = test_peer_new ("client", rsa, TRUE);
  s = test_peer_new ("server", server_cert, FALSE);
  test_connect (c, s, NULL);
  fp = gst_wrtc_dtls_connection_get_peer_fingerprint (s->conn);
  fail_unless_equals_string (fp, gst_wrtc_dtls_certificate_get_fingerprint
      (rsa));
  g_free (fp);
  test_peer_free (c);
  test_peer_free (s);

  c = test_peer_new ("client", client_cert, TRUE);
  s = test_peer_new ("server", rsa, FALSE);
  test_connect (c, s, NULL);
  test_peer_free (c);
  test_peer_free (s);

  g_object_unref (rsa);
  g_free (pem);
}

GST_END_TEST;

GST_START_TEST (test_srtp_profile_negotiation)
{
  static const struct
  {
    const gchar *client, *server;
    GstWrtcSrtpProfile expected;
  } t[] = {
    {NULL, NULL, GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM},
    {"SRTP_AES128_CM_SHA1_80", NULL, GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80},
    {NULL, "SRTP_AES128_CM_SHA1_32", GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_32},
    {"SRTP_AES128_CM_SHA1_32:SRTP_AES128_CM_SHA1_80",
        "SRTP_AES128_CM_SHA1_80", GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80},
    /* the server's preference decides among common profiles */
    {"SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM", NULL,
        GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM},
    {"", "", GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (t); i++) {
    TestPeer *c = test_peer_new ("client", client_cert, TRUE);
    TestPeer *s = test_peer_new ("server", server_cert, FALSE);
    GError *err = NULL;

    fail_unless (gst_wrtc_dtls_connection_set_srtp_profiles (c->conn,
            t[i].client, &err));
    g_assert_no_error (err);
    fail_unless (gst_wrtc_dtls_connection_set_srtp_profiles (s->conn,
            t[i].server, &err));
    g_assert_no_error (err);
    test_connect (c, s, NULL);
    fail_unless (negotiated_profile (c, s) == t[i].expected,
        "case %u: negotiated %s, expected %s", i,
        gst_wrtc_srtp_profile_name (negotiated_profile (c, s)),
        gst_wrtc_srtp_profile_name (t[i].expected));
    test_peer_free (c);
    test_peer_free (s);
  }
}

GST_END_TEST;

/* No common profile: DTLS still connects (a data-only association), but
 * there are no SRTP keys. */
GST_START_TEST (test_srtp_no_common_profile)
{
  TestPeer *c = test_peer_new ("client", client_cert, TRUE);
  TestPeer *s = test_peer_new ("server", server_cert, FALSE);
  GstWrtcSrtpKeys k;

  fail_unless (gst_wrtc_dtls_connection_set_srtp_profiles (c->conn,
          "SRTP_AES128_CM_SHA1_32", NULL));
  fail_unless (gst_wrtc_dtls_connection_set_srtp_profiles (s->conn,
          "SRTP_AEAD_AES_128_GCM", NULL));
  test_connect (c, s, NULL);
  fail_if (gst_wrtc_dtls_connection_get_srtp_keys (c->conn, &k));
  fail_if (gst_wrtc_dtls_connection_get_srtp_keys (s->conn, &k));
  test_peer_free (c);
  test_peer_free (s);
}

GST_END_TEST;

GST_START_TEST (test_srtp_profiles_invalid)
{
  GstWrtcDtlsConnection *conn = gst_wrtc_dtls_connection_new (client_cert,
      TRUE);
  const gchar *bad[] = { "SRTP_FOO", "SRTP_AES128_CM_SHA1_80:BAD",
    "srtp_aes128_cm_sha1_80", "SRTP_AES128_CM_SHA1_80:",
    "SRTP_NULL_SHA1_80"
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++) {
    GError *err = NULL;

    fail_if (gst_wrtc_dtls_connection_set_srtp_profiles (conn, bad[i], &err),
        "accepted '%s'", bad[i]);
    fail_unless (g_error_matches (err, GST_WRTC_DTLS_ERROR,
            GST_WRTC_DTLS_ERROR_NO_SRTP));
    g_clear_error (&err);
  }
  fail_unless (gst_wrtc_dtls_connection_set_srtp_profiles (conn,
          GST_WRTC_DTLS_DEFAULT_SRTP_PROFILES, NULL));
  fail_unless (gst_wrtc_dtls_connection_set_srtp_profiles (conn, NULL, NULL));
  g_object_unref (conn);
}

GST_END_TEST;

/* Expected fingerprints in any accepted form and hash. */
GST_START_TEST (test_peer_fingerprint_match)
{
  gchar *cpem = test_make_pem (0, 0), *spem = test_make_pem (0, 0);
  GstWrtcDtlsCertificate *cc = gst_wrtc_dtls_certificate_new_from_pem (cpem,
      NULL);
  GstWrtcDtlsCertificate *sc = gst_wrtc_dtls_certificate_new_from_pem (spem,
      NULL);
  const gchar *algos[] = { "sha-256", "sha-1", "sha-384", "sha-512" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (algos); i++) {
    TestPeer *c = test_peer_new ("client", cc, TRUE);
    TestPeer *s = test_peer_new ("server", sc, FALSE);
    gchar *cfp = test_pem_fingerprint (cpem, algos[i]);
    gchar *sfp = test_pem_fingerprint (spem, algos[i]);
    gchar *sfp_lower = g_ascii_strdown (sfp, -1);
    GError *err = NULL;

    fail_unless (gst_wrtc_dtls_connection_set_peer_fingerprint (c->conn,
            sfp_lower, &err));
    g_assert_no_error (err);
    fail_unless (gst_wrtc_dtls_connection_set_peer_fingerprint (s->conn, cfp,
            &err));
    g_assert_no_error (err);
    test_connect (c, s, NULL);
    g_free (cfp);
    g_free (sfp);
    g_free (sfp_lower);
    test_peer_free (c);
    test_peer_free (s);
  }
  g_object_unref (cc);
  g_object_unref (sc);
  g_free (cpem);
  g_free (spem);
}

GST_END_TEST;

GST_START_TEST (test_peer_fingerprint_invalid)
{
  GstWrtcDtlsConnection *conn = gst_wrtc_dtls_connection_new (client_cert,
      TRUE);
  GError *err = NULL;

  fail_if (gst_wrtc_dtls_connection_set_peer_fingerprint (conn, "sha-256 XX",
          &err));
  fail_unless (g_error_matches (err, GST_WRTC_DTLS_ERROR,
          GST_WRTC_DTLS_ERROR_FINGERPRINT));
  g_clear_error (&err);
  fail_if (gst_wrtc_dtls_connection_set_peer_fingerprint (conn,
          gst_wrtc_dtls_certificate_get_pem (server_cert), &err));
  g_clear_error (&err);
  /* NULL and "" clear it */
  fail_unless (gst_wrtc_dtls_connection_set_peer_fingerprint (conn, NULL,
          &err));
  fail_unless (gst_wrtc_dtls_connection_set_peer_fingerprint (conn, "", &err));
  g_assert_no_error (err);
  g_object_unref (conn);
}

GST_END_TEST;

static void
check_mismatch (gboolean client_checks)
{
  TestPeer *c = test_peer_new ("client", client_cert, TRUE);
  TestPeer *s = test_peer_new ("server", server_cert, FALSE);
  TestPeer *checker = client_checks ? c : s, *other = client_checks ? s : c;
  GstWrtcDtlsCertificate *wrong = gst_wrtc_dtls_certificate_new_generated ();
  const gchar *wrong_fp = gst_wrtc_dtls_certificate_get_fingerprint (wrong);
  const gchar *real_fp =
      gst_wrtc_dtls_certificate_get_fingerprint (client_checks ? server_cert :
      client_cert);
  GError *err;
  GstWrtcSrtpKeys k;

  fail_unless (gst_wrtc_dtls_connection_set_peer_fingerprint (checker->conn,
          wrong_fp, NULL));
  fail_unless (gst_wrtc_dtls_connection_start (s->conn, NULL));
  fail_unless (gst_wrtc_dtls_connection_start (c->conn, NULL));
  fail_unless (test_pump (c, s, NULL, test_both_final, NULL, TEST_WAIT_MS),
      "not both final: checker %s, other %s",
      gst_wrtc_dtls_connection_state_name (state_of (checker)),
      gst_wrtc_dtls_connection_state_name (state_of (other)));

  fail_unless_equals_int (state_of (checker), S_FAILED);
  assert_states (checker, 2, S_CONNECTING, S_FAILED);
  err = gst_wrtc_dtls_connection_get_error (checker->conn);
  fail_unless (g_error_matches (err, GST_WRTC_DTLS_ERROR,
          GST_WRTC_DTLS_ERROR_FINGERPRINT), "%s", err ? err->message : "none");
  /* the message names both fingerprints */
  fail_unless (strstr (err->message, wrong_fp) != NULL, "%s", err->message);
  fail_unless (strstr (err->message, real_fp) != NULL, "%s", err->message);
  g_clear_error (&err);
  fail_if (gst_wrtc_dtls_connection_get_srtp_keys (checker->conn, &k));

  /* the other side learns from the alert */
  fail_unless_equals_int (state_of (other), S_FAILED);
  err = gst_wrtc_dtls_connection_get_error (other->conn);
  fail_unless (err != NULL);
  g_clear_error (&err);
  fail_if (gst_wrtc_dtls_connection_send (checker->conn, (const guint8 *) "x",
          1, NULL));

  g_object_unref (wrong);
  test_peer_free (c);
  test_peer_free (s);
}

GST_START_TEST (test_peer_fingerprint_mismatch_client)
{
  check_mismatch (TRUE);
}

GST_END_TEST;

GST_START_TEST (test_peer_fingerprint_mismatch_server)
{
  check_mismatch (FALSE);
}

GST_END_TEST;

/* The expected fingerprint uses the hash it names; the same certificate
 * under another hash does not match. */
GST_START_TEST (test_peer_fingerprint_wrong_hash)
{
  gchar *spem = test_make_pem (0, 0);
  GstWrtcDtlsCertificate *sc = gst_wrtc_dtls_certificate_new_from_pem (spem,
      NULL);
  gchar *sfp = test_pem_fingerprint (spem, "sha-256");
  gchar *as_sha512;
  TestPeer *c = test_peer_new ("client", client_cert, TRUE);
  TestPeer *s = test_peer_new ("server", sc, FALSE);
  GError *err;

  /* the sha-256 digest of the right certificate, labelled sha-1: wrong
   * length, refused up front */
  as_sha512 = g_strconcat ("sha-1", sfp + strlen ("sha-256"), NULL);
  fail_if (gst_wrtc_dtls_connection_set_peer_fingerprint (c->conn, as_sha512,
          NULL));
  g_free (as_sha512);
  /* sha-512 of 64 bytes that are not the right ones */
  as_sha512 = test_pem_fingerprint (spem, "sha-512");
  as_sha512[strlen (as_sha512) - 1] =
      as_sha512[strlen (as_sha512) - 1] == '0' ? '1' : '0';
  fail_unless (gst_wrtc_dtls_connection_set_peer_fingerprint (c->conn,
          as_sha512, NULL));
  fail_unless (gst_wrtc_dtls_connection_start (s->conn, NULL));
  fail_unless (gst_wrtc_dtls_connection_start (c->conn, NULL));
  fail_unless (test_pump (c, s, NULL, test_both_final, NULL, TEST_WAIT_MS));
  err = gst_wrtc_dtls_connection_get_error (c->conn);
  fail_unless (g_error_matches (err, GST_WRTC_DTLS_ERROR,
          GST_WRTC_DTLS_ERROR_FINGERPRINT));
  g_clear_error (&err);

  g_free (as_sha512);
  g_free (sfp);
  test_peer_free (c);
  test_peer_free (s);
  g_object_unref (sc);
  g_free (spem);
}

GST_END_TEST;

static gboolean
received_n (TestPeer * a, TestPeer * b, gpointer user_data)
{
  guint n = GPOINTER_TO_UINT (user_data);
  return test_peer_n_received (a) >= n && test_peer_n_received (b) >= n;
}

GST_START_TEST (test_application_data)
{
  TestPeer *c = test_peer_new ("client", client_cert, TRUE);
  TestPeer *s = test_peer_new ("server", server_cert, FALSE);
  static const gsize sizes[] = { 1, 100, 1000, 1100, 4000, 16384 };
  guint8 *msg = g_malloc (16385);
  GError *err = NULL;
  guint i, j;

  for (i = 0; i < 16385; i++)
    msg[i] = (guint8) (i * 7 + 3);

  test_connect (c, s, NULL);
  for (i = 0; i < G_N_ELEMENTS (sizes); i++) {
    fail_unless (gst_wrtc_dtls_connection_send (c->conn, msg, sizes[i], &err));
    g_assert_no_error (err);
    fail_unless (gst_wrtc_dtls_connection_send (s->conn, msg + 1, sizes[i],
            &err));
    g_assert_no_error (err);
  }
  fail_unless (test_pump (c, s, NULL, received_n,
          GUINT_TO_POINTER (G_N_ELEMENTS (sizes)), TEST_WAIT_MS),
      "received %u and %u of %u", test_peer_n_received (c),
      test_peer_n_received (s), (guint) G_N_ELEMENTS (sizes));
  for (i = 0; i < G_N_ELEMENTS (sizes); i++) {
    gsize len;
    const guint8 *d = g_bytes_get_data (s->received->pdata[i], &len);

    fail_unless_equals_int (len, sizes[i]);
    fail_unless (memcmp (d, msg, len) == 0);
    d = g_bytes_get_data (c->received->pdata[i], &len);
    fail_unless_equals_int (len, sizes[i]);
    fail_unless (memcmp (d, msg + 1, len) == 0);
  }
  fail_unless_equals_int (c->received->len, G_N_ELEMENTS (sizes));

  /* empty: nothing to send, not an error */
  j = s->n_sent;
  fail_unless (gst_wrtc_dtls_connection_send (c->conn, msg, 0, &err));
  g_assert_no_error (err);
  /* larger than a record: refused */
  fail_if (gst_wrtc_dtls_connection_send (c->conn, msg, 16385, &err));
  fail_unless (g_error_matches (err, GST_WRTC_DTLS_ERROR,
          GST_WRTC_DTLS_ERROR_MALFORMED));
  g_clear_error (&err);
  fail_unless_equals_int (s->n_sent, j);
  fail_unless_equals_int (state_of (c), S_CONNECTED);

  g_free (msg);
  test_peer_free (c);
  test_peer_free (s);
}

GST_END_TEST;

/* Application data datagrams respect the MTU up to the largest record
 * that fits (SCTP sizes its packets to fit). */
GST_START_TEST (test_application_data_fits_mtu)
{
  TestPeer *c = test_peer_new ("client", client_cert, TRUE);
  TestPeer *s = test_peer_new ("server", server_cert, FALSE);
  guint8 msg[1100];
  GBytes *b;
  gsize len;

  memset (msg, 0x42, sizeof (msg));
  test_connect (c, s, NULL);
  /* drain whatever is still queued from the handshake */
  while ((b = g_async_queue_try_pop (c->out)))
    g_bytes_unref (b);
  fail_unless (gst_wrtc_dtls_connection_send (c->conn, msg, sizeof (msg),
          NULL));
  b = g_async_queue_timeout_pop (c->out, TEST_WAIT_MS * 1000);
  fail_unless (b != NULL);
  g_bytes_get_data (b, &len);
  /* one record: header + explicit nonce + data + tag */
  fail_unless (len > sizeof (msg) && len <= GST_WRTC_DTLS_DEFAULT_MTU,
      "an 1100-byte message became a %" G_GSIZE_FORMAT "-byte datagram", len);
  fail_unless_equals_int (dtls_record_type (g_bytes_get_data (b, NULL), len),
      DTLS_CT_APPLICATION_DATA);
  g_bytes_unref (b);
  test_peer_free (c);
  test_peer_free (s);
}

GST_END_TEST;

GST_START_TEST (test_send_before_connected)
{
  TestPeer *c = test_peer_new ("client", client_cert, TRUE);
  GError *err = NULL;

  fail_if (gst_wrtc_dtls_connection_send (c->conn, (const guint8 *) "x", 1,
          &err));
  fail_unless (g_error_matches (err, GST_WRTC_DTLS_ERROR,
          GST_WRTC_DTLS_ERROR_CLOSED));
  g_clear_error (&err);
  fail_unless (gst_wrtc_dtls_connection_start (c->conn, NULL));
  fail_unless_equals_int (state_of (c), S_CONNECTING);
  fail_if (gst_wrtc_dtls_connection_send (c->conn, (const guint8 *) "x", 1,
          &err));
  fail_unless (g_error_matches (err, GST_WRTC_DTLS_ERROR,
          GST_WRTC_DTLS_ERROR_CLOSED));
  g_clear_error (&err);
  test_peer_free (c);
}

GST_END_TEST;

static gboolean
both_closed (TestPeer * a, TestPeer * b, gpointer user_data)
{
  return state_of (a) == S_CLOSED && state_of (b) == S_CLOSED;
}

/* close() sends close_notify (RFC 5246 section 7.2.1); the peer closes. */
static void
check_close_notify (gboolean client_closes)
{
  TestPeer *c = test_peer_new ("client", client_cert, TRUE);
  TestPeer *s = test_peer_new ("server", server_cert, FALSE);
  TestPeer *closer = client_closes ? c : s, *other = client_closes ? s : c;
  GError *err = NULL;
  GBytes *b;
  guint sent;

  test_connect (c, s, NULL);
  fail_unless (test_pump (c, s, NULL, received_n, GUINT_TO_POINTER (0), 200));
  while ((b = g_async_queue_try_pop (closer->out))) {
    gst_wrtc_dtls_connection_process (other->conn, g_bytes_get_data (b, NULL),
        g_bytes_get_size (b), NULL);
    g_bytes_unref (b);
  }
  sent = closer->n_sent;
  gst_wrtc_dtls_connection_close (closer->conn);
  fail_unless_equals_int (state_of (closer), S_CLOSED);
  fail_unless (closer->n_sent > sent, "no close_notify sent");
  b = g_async_queue_try_pop (closer->out);
  fail_unless (b != NULL);
  /* an encrypted alert record */
  fail_unless_equals_int (dtls_record_type (g_bytes_get_data (b, NULL),
          g_bytes_get_size (b)), DTLS_CT_ALERT);
  fail_unless_equals_int (dtls_record_epoch (g_bytes_get_data (b, NULL),
          g_bytes_get_size (b)), 1);
  fail_unless (gst_wrtc_dtls_connection_process (other->conn,
          g_bytes_get_data (b, NULL), g_bytes_get_size (b), &err));
  g_assert_no_error (err);
  g_bytes_unref (b);
  fail_unless (test_pump (c, s, NULL, both_closed, NULL, TEST_WAIT_MS));
  assert_states (closer, 3, S_CONNECTING, S_CONNECTED, S_CLOSED);
  assert_states (other, 3, S_CONNECTING, S_CONNECTED, S_CLOSED);
  fail_unless (gst_wrtc_dtls_connection_get_error (other->conn) == NULL);

  /* closed is final */
  fail_if (gst_wrtc_dtls_connection_send (closer->conn, (const guint8 *) "x",
          1, &err));
  fail_unless (g_error_matches (err, GST_WRTC_DTLS_ERROR,
          GST_WRTC_DTLS_ERROR_CLOSED));
  g_clear_error (&err);
  fail_if (gst_wrtc_dtls_connection_send (other->conn, (const guint8 *) "x",
          1, NULL));
  fail_if (gst_wrtc_dtls_connection_start (closer->conn, NULL));
  gst_wrtc_dtls_connection_close (closer->conn);
  fail_unless_equals_int (state_of (closer), S_CLOSED);
  assert_states (closer, 3, S_CONNECTING, S_CONNECTED, S_CLOSED);

  test_peer_free (c);
  test_peer_free (s);
}

GST_START_TEST (test_close_notify_client)
{
  check_close_notify (TRUE);
}

GST_END_TEST;

GST_START_TEST (test_close_notify_server)
{
  check_close_notify (FALSE);
}

GST_END_TEST;

GST_START_TEST (test_close_before_start)
{
  TestPeer *c = test_peer_new ("client", client_cert, TRUE);
  GError *err = NULL;

  gst_wrtc_dtls_connection_close (c->conn);
  fail_unless_equals_int (state_of (c), S_CLOSED);
  assert_states (c, 1, S_CLOSED);
  fail_if (gst_wrtc_dtls_connection_start (c->conn, &err));
  fail_unless (g_error_matches (err, GST_WRTC_DTLS_ERROR,
          GST_WRTC_DTLS_ERROR_CLOSED));
  g_clear_error (&err);
  fail_unless_equals_int (c->n_sent, 0);
  test_peer_free (c);
}

GST_END_TEST;

/* Closing during the handshake stops retransmissions. */
GST_START_TEST (test_close_while_connecting)
{
  TestPeer *c = test_peer_new ("client", client_cert, TRUE);
  guint n;

  fail_unless (gst_wrtc_dtls_connection_start (c->conn, NULL));
  fail_unless_equals_int (c->n_client_hello, 1);
  gst_wrtc_dtls_connection_close (c->conn);
  fail_unless_equals_int (state_of (c), S_CLOSED);
  g_mutex_lock (&c->lock);
  n = c->n_sent;
  g_mutex_unlock (&c->lock);
  /* well past the first retransmission timeout (100 ms) */
  g_usleep (400 * 1000);
  g_mutex_lock (&c->lock);
  fail_unless_equals_int (c->n_sent, n);
  g_mutex_unlock (&c->lock);
  assert_states (c, 2, S_CONNECTING, S_CLOSED);
  test_peer_free (c);
}

GST_END_TEST;

GST_START_TEST (test_start_twice)
{
  TestPeer *c = test_peer_new ("client", client_cert, TRUE);
  GError *err = NULL;

  fail_unless (gst_wrtc_dtls_connection_start (c->conn, &err));
  g_assert_no_error (err);
  fail_if (gst_wrtc_dtls_connection_start (c->conn, &err));
  fail_unless (g_error_matches (err, GST_WRTC_DTLS_ERROR,
          GST_WRTC_DTLS_ERROR_CLOSED));
  g_clear_error (&err);
  fail_unless_equals_int (state_of (c), S_CONNECTING);
  fail_unless_equals_int (c->n_client_hello, 1);
  test_peer_free (c);
}

GST_END_TEST;

/* A ClientHello that arrives before the server is started is dropped; the
 * client's retransmission completes the handshake. */
GST_START_TEST (test_hello_before_server_start)
{
  TestPeer *c = test_peer_new ("client", client_cert, TRUE);
  TestPeer *s = test_peer_new ("server", server_cert, FALSE);
  GBytes *b;

  fail_unless (gst_wrtc_dtls_connection_start (c->conn, NULL));
  b = g_async_queue_try_pop (c->out);
  fail_unless (b != NULL);
  fail_unless (gst_wrtc_dtls_connection_process (s->conn,
          g_bytes_get_data (b, NULL), g_bytes_get_size (b), NULL));
  g_bytes_unref (b);
  fail_unless_equals_int (state_of (s), S_NEW);
  fail_unless_equals_int (s->n_sent, 0);

  fail_unless (gst_wrtc_dtls_connection_start (s->conn, NULL));
  fail_unless (test_pump (c, s, NULL, test_both_connected, NULL, TEST_WAIT_MS));
  fail_unless (c->n_client_hello >= 2);
  test_peer_free (c);
  test_peer_free (s);
}

GST_END_TEST;

/* Nobody answers: the client retransmits its ClientHello with backoff and
 * gives up at the handshake timeout. */
GST_START_TEST (test_client_timeout)
{
  TestPeer *c = test_peer_new ("client", client_cert, TRUE);
  GError *err;

  gst_wrtc_dtls_connection_set_handshake_timeout (c->conn, 1000);
  fail_unless (gst_wrtc_dtls_connection_start (c->conn, NULL));
  fail_unless (test_peer_wait_state (c, S_FAILED, TEST_WAIT_MS));
  assert_states (c, 2, S_CONNECTING, S_FAILED);
  err = gst_wrtc_dtls_connection_get_error (c->conn);
  fail_unless (g_error_matches (err, GST_WRTC_DTLS_ERROR,
          GST_WRTC_DTLS_ERROR_TIMEOUT), "%s", err ? err->message : "none");
  g_clear_error (&err);
  /* retransmitted (100 ms, then doubling, within 1 s) */
  g_mutex_lock (&c->lock);
  fail_unless (c->n_client_hello >= 2, "%u ClientHellos", c->n_client_hello);
  g_mutex_unlock (&c->lock);
  test_peer_free (c);
}

GST_END_TEST;

GST_START_TEST (test_server_timeout)
{
  TestPeer *s = test_peer_new ("server", server_cert, FALSE);
  GError *err;

  gst_wrtc_dtls_connection_set_handshake_timeout (s->conn, 300);
  fail_unless (gst_wrtc_dtls_connection_start (s->conn, NULL));
  fail_unless_equals_int (state_of (s), S_CONNECTING);
  fail_unless (test_peer_wait_state (s, S_FAILED, TEST_WAIT_MS));
  err = gst_wrtc_dtls_connection_get_error (s->conn);
  fail_unless (g_error_matches (err, GST_WRTC_DTLS_ERROR,
          GST_WRTC_DTLS_ERROR_TIMEOUT), "%s", err ? err->message : "none");
  g_clear_error (&err);
  fail_unless_equals_int (s->n_sent, 0);
  test_peer_free (s);
}

GST_END_TEST;

/* A server that answered the ClientHello, then hears nothing more, times
 * out as well (and retransmits its flight meanwhile). */
static gboolean
drop_client_after_hello (TestPeer * from, TestPeer * to, guint index,
    guint8 * data, gsize * len, gpointer user_data)
{
  return !gst_wrtc_dtls_connection_is_client (from->conn) || index == 0;
}

static gboolean
server_failed (TestPeer * a, TestPeer * b, gpointer user_data)
{
  return state_of (b) == S_FAILED;
}

GST_START_TEST (test_server_timeout_mid_handshake)
{
  TestPeer *c = test_peer_new ("client", client_cert, TRUE);
  TestPeer *s = test_peer_new ("server", server_cert, FALSE);
  TestLink link = { drop_client_after_hello, NULL, {0, 0}
  };
  GError *err;
  guint flight;

  gst_wrtc_dtls_connection_set_handshake_timeout (s->conn, 1500);
  fail_unless (gst_wrtc_dtls_connection_start (s->conn, NULL));
  fail_unless (gst_wrtc_dtls_connection_start (c->conn, NULL));
  fail_unless (test_pump (c, s, &link, server_failed, NULL, TEST_WAIT_MS));
  err = gst_wrtc_dtls_connection_get_error (s->conn);
  fail_unless (g_error_matches (err, GST_WRTC_DTLS_ERROR,
          GST_WRTC_DTLS_ERROR_TIMEOUT), "%s", err ? err->message : "none");
  g_clear_error (&err);
  /* the server's flight (ServerHello .. ServerHelloDone) went out more than
   * once: it has at least 2 datagrams, so a single flight is < 2x */
  flight = link.index[1];
  fail_unless (flight >= 2);
  fail_unless_equals_int (state_of (c), S_CONNECTING);
  test_peer_free (c);
  test_peer_free (s);
}

GST_END_TEST;

/* Lose the first datagrams in each direction: retransmission recovers. */
static gboolean
drop_first_two (TestPeer * from, TestPeer * to, guint index, guint8 * data,
    gsize * len, gpointer user_data)
{
  return index >= 2;
}

GST_START_TEST (test_lossy_handshake)
{
  TestPeer *c = test_peer_new ("client", client_cert, TRUE);
  TestPeer *s = test_peer_new ("server", server_cert, FALSE);
  TestLink link = { drop_first_two, NULL, {0, 0}
  };

  test_connect (c, s, &link);
  fail_unless_equals_int (negotiated_profile (c, s),
      GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM);
  test_peer_free (c);
  test_peer_free (s);
}

GST_END_TEST;

/* Lose a fifth of the datagrams, both ways, for the whole handshake (a
 * fixed pseudo-random pattern, so a failure reproduces). */
static gboolean
drop_random (TestPeer * from, TestPeer * to, guint index, guint8 * data,
    gsize * len, gpointer user_data)
{
  return g_rand_double (user_data) >= 0.2;
}

GST_START_TEST (test_very_lossy_handshake)
{
  TestPeer *c = test_peer_new ("client", client_cert, TRUE);
  TestPeer *s = test_peer_new ("server", server_cert, FALSE);
  GRand *rand = g_rand_new_with_seed (7983);
  TestLink link = { drop_random, rand, {0, 0}
  };

  test_connect (c, s, &link);
  g_rand_free (rand);
  test_peer_free (c);
  test_peer_free (s);
}

GST_END_TEST;

/* Lose the server's last flight (ChangeCipherSpec + Finished) once: the
 * client retransmits its flight and the server, though connected already,
 * answers again (RFC 6347 section 4.2.4). */
static gboolean
drop_server_final_flight_once (TestPeer * from, TestPeer * to, guint index,
    guint8 * data, gsize * len, gpointer user_data)
{
  guint *dropped = user_data;

  if (gst_wrtc_dtls_connection_is_client (from->conn))
    return TRUE;
  if ((dtls_record_type (data, *len) == DTLS_CT_CHANGE_CIPHER_SPEC
          || dtls_record_epoch (data, *len) == 1) && *dropped < 2) {
    (*dropped)++;
    return FALSE;
  }
  return TRUE;
}

GST_START_TEST (test_lost_final_flight)
{
  TestPeer *c = test_peer_new ("client", client_cert, TRUE);
  TestPeer *s = test_peer_new ("server", server_cert, FALSE);
  guint dropped = 0;
  TestLink link = { drop_server_final_flight_once, &dropped, {0, 0}
  };

  test_connect (c, s, &link);
  fail_unless_equals_int (dropped, 2);
  fail_unless_equals_int (negotiated_profile (c, s),
      GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM);
  test_peer_free (c);
  test_peer_free (s);
}

GST_END_TEST;

/* Datagrams from the server's first flight arrive in reverse order. */
typedef struct
{
  GPtrArray *held;
  gboolean released;
} ReorderState;

static gboolean
reverse_server_flight (TestPeer * from, TestPeer * to, guint index,
    guint8 * data, gsize * len, gpointer user_data)
{
  ReorderState *st = user_data;

  if (gst_wrtc_dtls_connection_is_client (from->conn) || st->released)
    return TRUE;
  g_ptr_array_add (st->held, g_bytes_new (data, *len));
  /* hold the whole first flight (it ends with ServerHelloDone, type 14) */
  if (dtls_handshake_type (data, *len) == 14) {
    gint i;
    st->released = TRUE;
    for (i = st->held->len - 1; i >= 0; i--) {
      GBytes *b = st->held->pdata[i];
      gst_wrtc_dtls_connection_process (to->conn, g_bytes_get_data (b, NULL),
          g_bytes_get_size (b), NULL);
    }
  }
  return FALSE;
}

GST_START_TEST (test_reordered_flight)
{
  gchar *pem = test_make_pem (2048, 1500);      /* several datagrams */
  GstWrtcDtlsCertificate *big = gst_wrtc_dtls_certificate_new_from_pem (pem,
      NULL);
  TestPeer *c = test_peer_new ("client", client_cert, TRUE);
  TestPeer *s = test_peer_new ("server", big, FALSE);
  ReorderState st = { g_ptr_array_new_with_free_func ((GDestroyNotify)
        g_bytes_unref), FALSE
  };
  TestLink link = { reverse_server_flight, &st, {0, 0}
  };

  test_connect (c, s, &link);
  fail_unless (st.released);
  fail_unless (st.held->len >= 3, "flight of %u datagrams", st.held->len);
  g_ptr_array_unref (st.held);
  test_peer_free (c);
  test_peer_free (s);
  g_object_unref (big);
  g_free (pem);
}

GST_END_TEST;

/* A large certificate is fragmented to fit the MTU (RFC 6347 section
 * 4.2.3), for the default and for smaller MTUs. */
GST_START_TEST (test_mtu_fragmentation)
{
  gchar *pem = test_make_pem (2048, 3000);
  GstWrtcDtlsCertificate *big = gst_wrtc_dtls_certificate_new_from_pem (pem,
      NULL);
  static const guint mtus[] = { 0, 1000, 576, 300 };
  guint i;

  fail_unless (big != NULL);
  for (i = 0; i < G_N_ELEMENTS (mtus); i++) {
    TestPeer *c = test_peer_new ("client", big, TRUE);
    TestPeer *s = test_peer_new ("server", big, FALSE);
    guint mtu = mtus[i] ? mtus[i] : GST_WRTC_DTLS_DEFAULT_MTU;

    if (mtus[i]) {
      gst_wrtc_dtls_connection_set_mtu (c->conn, mtus[i]);
      gst_wrtc_dtls_connection_set_mtu (s->conn, mtus[i]);
    }
    test_connect (c, s, NULL);
    fail_unless (c->max_sent <= mtu, "MTU %u: client sent %" G_GSIZE_FORMAT,
        mtu, c->max_sent);
    fail_unless (s->max_sent <= mtu, "MTU %u: server sent %" G_GSIZE_FORMAT,
        mtu, s->max_sent);
    /* the certificate (> 3000 bytes) needed several datagrams */
    fail_unless (s->n_sent >= 4);
    test_peer_free (c);
    test_peer_free (s);
  }
  g_object_unref (big);
  g_free (pem);
}

GST_END_TEST;

/* At the default MTU, the last datagram of the client's flight packs a
 * CertificateVerify fragment with ChangeCipherSpec and the encrypted
 * Finished.  With certificates of these sizes that datagram sits right at
 * the MTU, where the AEAD record overhead (8-byte explicit nonce and 16-byte
 * GCM tag) of the Finished record must be counted too. */
GST_START_TEST (test_mtu_final_flight)
{
  guint pad;

  for (pad = 600; pad <= 660; pad += 10) {
    gchar *pem = test_make_pem (0, pad);
    GstWrtcDtlsCertificate *cert = gst_wrtc_dtls_certificate_new_from_pem (pem,
        NULL);
    TestPeer *c = test_peer_new ("client", cert, TRUE);
    TestPeer *s = test_peer_new ("server", server_cert, FALSE);

    test_connect (c, s, NULL);
    fail_unless (c->max_sent <= GST_WRTC_DTLS_DEFAULT_MTU,
        "certificate padding %u: the client sent a %" G_GSIZE_FORMAT
        "-byte datagram, MTU %u", pad, c->max_sent, GST_WRTC_DTLS_DEFAULT_MTU);
    test_peer_free (c);
    test_peer_free (s);
    g_object_unref (cert);
    g_free (pem);
  }
}

GST_END_TEST;

/* An MTU below what DTLS can work with is raised to a small floor
 * (OpenSSL needs 256 bytes plus record expansion). */
GST_START_TEST (test_mtu_floor)
{
  TestPeer *c = test_peer_new ("client", client_cert, TRUE);
  TestPeer *s = test_peer_new ("server", server_cert, FALSE);

  gst_wrtc_dtls_connection_set_mtu (c->conn, 100);
  gst_wrtc_dtls_connection_set_mtu (s->conn, 100);
  test_connect (c, s, NULL);
  fail_unless (c->max_sent <= 300, "%" G_GSIZE_FORMAT, c->max_sent);
  fail_unless (s->max_sent <= 300, "%" G_GSIZE_FORMAT, s->max_sent);
  test_peer_free (c);
  test_peer_free (s);
}

GST_END_TEST;

/* RFC 6347 section 4.1.2.7: invalid records are silently discarded; they
 * never fail an established association. */
GST_START_TEST (test_garbage_after_connected)
{
  TestPeer *c = test_peer_new ("client", client_cert, TRUE);
  TestPeer *s = test_peer_new ("server", server_cert, FALSE);
  guint8 junk[200];
  guint i;

  test_connect (c, s, NULL);
  for (i = 0; i < sizeof (junk); i++)
    junk[i] = g_random_int () & 0xff;

  /* application data record, epoch 1, random body: fails to decrypt */
  junk[0] = DTLS_CT_APPLICATION_DATA;
  junk[1] = 0xfe;
  junk[2] = 0xfd;
  junk[3] = 0;
  junk[4] = 1;
  GST_WRITE_UINT16_BE (junk + 11, sizeof (junk) - DTLS_RECORD_HEADER);
  fail_unless (gst_wrtc_dtls_connection_process (s->conn, junk,
          sizeof (junk), NULL));
  /* a record whose length runs past the datagram */
  GST_WRITE_UINT16_BE (junk + 11, 5000);
  fail_unless (gst_wrtc_dtls_connection_process (s->conn, junk,
          sizeof (junk), NULL));
  /* shorter than a record header */
  fail_unless (gst_wrtc_dtls_connection_process (s->conn, junk, 5, NULL));
  /* an old-epoch handshake record with random content */
  junk[0] = DTLS_CT_HANDSHAKE;
  junk[4] = 0;
  GST_WRITE_UINT16_BE (junk + 11, sizeof (junk) - DTLS_RECORD_HEADER);
  gst_wrtc_dtls_connection_process (s->conn, junk, sizeof (junk), NULL);
  fail_unless_equals_int (state_of (s), S_CONNECTED);
  /* an unknown record version */
  junk[0] = DTLS_CT_APPLICATION_DATA;
  junk[1] = 0x12;
  junk[2] = 0x34;
  fail_unless (gst_wrtc_dtls_connection_process (s->conn, junk,
          sizeof (junk), NULL));

  fail_unless_equals_int (state_of (s), S_CONNECTED);
  fail_unless_equals_int (test_peer_n_received (s), 0);
  /* and the association still carries data */
  fail_unless (gst_wrtc_dtls_connection_send (c->conn, (const guint8 *)
          "still here", 10, NULL));
  fail_unless (test_pump (c, s, NULL, received_n, GUINT_TO_POINTER (0),
          TEST_WAIT_MS));
  {
    gint64 end = g_get_monotonic_time () + TEST_WAIT_MS * 1000;
    while (test_peer_n_received (s) < 1 && g_get_monotonic_time () < end)
      test_pump_one (NULL, 0, c, s, 1000);
  }
  fail_unless_equals_int (test_peer_n_received (s), 1);
  fail_unless (g_bytes_get_size (s->received->pdata[0]) == 10);
  test_peer_free (c);
  test_peer_free (s);
}

GST_END_TEST;

/* Records that cannot be valid do not disturb a handshake in progress:
 * an attacker who can inject datagrams but not read them should not be
 * able to kill the association with junk. */
static gboolean
inject_junk (TestPeer * from, TestPeer * to, guint index, guint8 * data,
    gsize * len, gpointer user_data)
{
  guint8 junk[64];
  guint i;

  for (i = 0; i < sizeof (junk); i++)
    junk[i] = (guint8) (index * 31 + i);
  /* an encrypted-epoch record of application data (cannot decrypt) */
  junk[0] = DTLS_CT_APPLICATION_DATA;
  junk[1] = 0xfe;
  junk[2] = 0xfd;
  junk[3] = 0;
  junk[4] = 1;
  GST_WRITE_UINT16_BE (junk + 11, sizeof (junk) - DTLS_RECORD_HEADER);
  gst_wrtc_dtls_connection_process (to->conn, junk, sizeof (junk), NULL);
  /* a truncated header */
  gst_wrtc_dtls_connection_process (to->conn, junk, 7, NULL);
  return TRUE;
}

GST_START_TEST (test_garbage_during_handshake)
{
  TestPeer *c = test_peer_new ("client", client_cert, TRUE);
  TestPeer *s = test_peer_new ("server", server_cert, FALSE);
  TestLink link = { inject_junk, NULL, {0, 0}
  };

  test_connect (c, s, &link);
  test_peer_free (c);
  test_peer_free (s);
}

GST_END_TEST;

/* The owner is held weakly: once it is gone the callbacks stop. */
GST_START_TEST (test_owner_gone)
{
  TestPeer *c = test_peer_new ("client", client_cert, TRUE);
  GWeakRef ref;

  g_weak_ref_init (&ref, c->owner);
  g_clear_object (&c->owner);
  fail_unless (g_weak_ref_get (&ref) == NULL);
  g_weak_ref_clear (&ref);
  fail_unless (gst_wrtc_dtls_connection_start (c->conn, NULL));
  fail_unless_equals_int (state_of (c), S_CONNECTING);
  fail_unless_equals_int (c->n_sent, 0);
  /* the retransmission timer fires without an owner, too */
  g_usleep (250 * 1000);
  fail_unless_equals_int (c->n_sent, 0);
  /* state signals do not depend on the owner */
  assert_states (c, 1, S_CONNECTING);
  test_peer_free (c);
}

GST_END_TEST;

/* A connection may be dropped at any point of a handshake, with its timer
 * pending, without the timer thread touching it afterwards. */
GST_START_TEST (test_unref_while_connecting)
{
  guint i;

  for (i = 0; i < 20; i++) {
    TestPeer *c = test_peer_new ("client", client_cert, TRUE);
    TestPeer *s = test_peer_new ("server", server_cert, FALSE);

    fail_unless (gst_wrtc_dtls_connection_start (s->conn, NULL));
    fail_unless (gst_wrtc_dtls_connection_start (c->conn, NULL));
    /* a few steps of the handshake */
    test_pump_one (NULL, 0, c, s, 0);
    if (i % 2)
      test_pump_one (NULL, 1, s, c, 0);
    test_peer_free (c);
    test_peer_free (s);
  }
  /* let pending timers fire on the dead connections */
  g_usleep (300 * 1000);
}

GST_END_TEST;

/* Application data from several threads at once, both directions, while
 * the test thread moves datagrams. */
#define THREAD_MESSAGES 300
static gpointer
sender_thread (gpointer data)
{
  TestPeer *p = data;
  guint i;

  for (i = 0; i < THREAD_MESSAGES; i++) {
    guint8 msg[64];
    memset (msg, 0, sizeof (msg));
    GST_WRITE_UINT32_BE (msg, i);
    if (!gst_wrtc_dtls_connection_send (p->conn, msg, 4 + (i % 60), NULL))
      return GINT_TO_POINTER (1);
  }
  return NULL;
}

GST_START_TEST (test_concurrent_application_data)
{
  TestPeer *c = test_peer_new ("client", client_cert, TRUE);
  TestPeer *s = test_peer_new ("server", server_cert, FALSE);
  GThread *tc, *ts;
  guint i;

  test_connect (c, s, NULL);
  tc = g_thread_new ("client-send", sender_thread, c);
  ts = g_thread_new ("server-send", sender_thread, s);
  fail_unless (test_pump (c, s, NULL, received_n,
          GUINT_TO_POINTER (THREAD_MESSAGES), TEST_WAIT_MS));
  fail_unless (g_thread_join (tc) == NULL);
  fail_unless (g_thread_join (ts) == NULL);
  /* in order, each exactly once */
  for (i = 0; i < THREAD_MESSAGES; i++) {
    gsize len;
    const guint8 *d = g_bytes_get_data (s->received->pdata[i], &len);
    fail_unless_equals_int (GST_READ_UINT32_BE (d), i);
    fail_unless_equals_int (len, 4 + (i % 60));
    d = g_bytes_get_data (c->received->pdata[i], &len);
    fail_unless_equals_int (GST_READ_UINT32_BE (d), i);
  }
  fail_unless_equals_int (s->received->len, THREAD_MESSAGES);
  fail_unless_equals_int (c->received->len, THREAD_MESSAGES);
  test_peer_free (c);
  test_peer_free (s);
}

GST_END_TEST;

/* Many associations in parallel share the timer thread. */
GST_START_TEST (test_many_connections)
{
  TestPeer *c[8], *s[8];
  guint i;

  for (i = 0; i < G_N_ELEMENTS (c); i++) {
    c[i] = test_peer_new ("client", client_cert, TRUE);
    s[i] = test_peer_new ("server", server_cert, FALSE);
    fail_unless (gst_wrtc_dtls_connection_start (s[i]->conn, NULL));
    fail_unless (gst_wrtc_dtls_connection_start (c[i]->conn, NULL));
  }
  for (i = 0; i < G_N_ELEMENTS (c); i++) {
    fail_unless (test_pump (c[i], s[i], NULL, test_both_connected, NULL,
            TEST_WAIT_MS));
  }
  for (i = 0; i < G_N_ELEMENTS (c); i++) {
    GstWrtcSrtpKeys k0, ki;
    fail_unless (gst_wrtc_dtls_connection_get_srtp_keys (c[0]->conn, &k0));
    fail_unless (gst_wrtc_dtls_connection_get_srtp_keys (c[i]->conn, &ki));
    /* every association has its own keys */
    if (i > 0)
      fail_if (memcmp (k0.client_key, ki.client_key, 16) == 0);
  }
  for (i = 0; i < G_N_ELEMENTS (c); i++) {
    test_peer_free (c[i]);
    test_peer_free (s[i]);
  }
}

GST_END_TEST;

static Suite *
dtlsconnection_suite (void)
{
  Suite *s = suite_create ("wrtc-dtls-connection");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 60);
  tcase_add_checked_fixture (tc, certs_setup, certs_teardown);
  tcase_add_test (tc, test_state_enum);
  tcase_add_test (tc, test_state_name_standalone);
  tcase_add_test (tc, test_state_machine);
  tcase_add_test (tc, test_state_machine_requests);
  tcase_add_test (tc, test_handshake);
  tcase_add_test (tc, test_handshake_shared_certificate);
  tcase_add_test (tc, test_handshake_rsa);
  tcase_add_test (tc, test_srtp_profile_negotiation);
  tcase_add_test (tc, test_srtp_no_common_profile);
  tcase_add_test (tc, test_srtp_profiles_invalid);
  tcase_add_test (tc, test_peer_fingerprint_match);
  tcase_add_test (tc, test_peer_fingerprint_invalid);
  tcase_add_test (tc, test_peer_fingerprint_mismatch_client);
  tcase_add_test (tc, test_peer_fingerprint_mismatch_server);
  tcase_add_test (tc, test_peer_fingerprint_wrong_hash);
  tcase_add_test (tc, test_application_data);
  tcase_add_test (tc, test_application_data_fits_mtu);
  tcase_add_test (tc, test_send_before_connected);
  tcase_add_test (tc, test_close_notify_client);
  tcase_add_test (tc, test_close_notify_server);
  tcase_add_test (tc, test_close_before_start);
  tcase_add_test (tc, test_close_while_connecting);
  tcase_add_test (tc, test_start_twice);
  tcase_add_test (tc, test_hello_before_server_start);
  tcase_add_test (tc, test_client_timeout);
  tcase_add_test (tc, test_server_timeout);
  tcase_add_test (tc, test_server_timeout_mid_handshake);
  tcase_add_test (tc, test_lossy_handshake);
  tcase_add_test (tc, test_very_lossy_handshake);
  tcase_add_test (tc, test_lost_final_flight);
  tcase_add_test (tc, test_reordered_flight);
  tcase_add_test (tc, test_mtu_fragmentation);
  tcase_add_test (tc, test_mtu_final_flight);
  tcase_add_test (tc, test_mtu_floor);
  tcase_add_test (tc, test_garbage_after_connected);
  tcase_add_test (tc, test_garbage_during_handshake);
  tcase_add_test (tc, test_owner_gone);
  tcase_add_test (tc, test_unref_while_connecting);
  tcase_add_test (tc, test_concurrent_application_data);
  tcase_add_test (tc, test_many_connections);
  return s;
}

GST_CHECK_MAIN (dtlsconnection);
