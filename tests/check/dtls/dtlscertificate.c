/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of GstWrtcDtlsCertificate and fingerprint normalisation. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "dtlstestutil.h"
#include "gstwrtcdtlscertificate.h"

/* "sha-256 " and 32 upper-case hex pairs joined by ':' (RFC 8122) */
static void
assert_sha256_fingerprint_form (const gchar * fp)
{
  fail_unless (fp != NULL);
  fail_unless (g_regex_match_simple
      ("^sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$", fp, 0, 0),
      "not a sha-256 fingerprint: '%s'", fp);
}

GST_START_TEST (test_default_is_shared_ecdsa_p256)
{
  GstWrtcDtlsCertificate *a = gst_wrtc_dtls_certificate_get_default ();
  GstWrtcDtlsCertificate *b = gst_wrtc_dtls_certificate_get_default ();
  const gchar *pem;
  BIO *bio;
  X509 *x509;
  EVP_PKEY *pub;
  char group[64];
  size_t glen = 0;
  gchar *expected;

  fail_unless (a != NULL);
  fail_unless (a == b, "one default certificate per process");
  pem = gst_wrtc_dtls_certificate_get_pem (a);
  fail_unless (pem != NULL);
  fail_unless (g_str_has_prefix (pem, "-----BEGIN CERTIFICATE-----"));
  fail_if (strstr (pem, "PRIVATE KEY") != NULL,
      "the PEM must never carry the private key");

  bio = BIO_new_mem_buf (pem, -1);
  x509 = PEM_read_bio_X509 (bio, NULL, NULL, NULL);
  BIO_free (bio);
  fail_unless (x509 != NULL);
  pub = X509_get0_pubkey (x509);
  fail_unless_equals_int (EVP_PKEY_get_base_id (pub), EVP_PKEY_EC);
  fail_unless (EVP_PKEY_get_utf8_string_param (pub, "group", group,
          sizeof (group), &glen));
  fail_unless_equals_string (group, "prime256v1");
  /* valid now (RFC 8827: self-signed, any validity the peer accepts) */
  fail_unless (X509_cmp_current_time (X509_get0_notBefore (x509)) < 0);
  fail_unless (X509_cmp_current_time (X509_get0_notAfter (x509)) > 0);
  X509_free (x509);

  assert_sha256_fingerprint_form (gst_wrtc_dtls_certificate_get_fingerprint
      (a));
  expected = test_pem_fingerprint (pem, NULL);
  fail_unless_equals_string (gst_wrtc_dtls_certificate_get_fingerprint (a),
      expected);
  g_free (expected);

  g_object_unref (a);
  g_object_unref (b);
}

GST_END_TEST;

GST_START_TEST (test_generated_are_unique)
{
  GstWrtcDtlsCertificate *a = gst_wrtc_dtls_certificate_new_generated ();
  GstWrtcDtlsCertificate *b = gst_wrtc_dtls_certificate_new_generated ();
  GstWrtcDtlsCertificate *d = gst_wrtc_dtls_certificate_get_default ();

  fail_unless (a && b);
  fail_if (a == b);
  fail_if (g_str_equal (gst_wrtc_dtls_certificate_get_fingerprint (a),
          gst_wrtc_dtls_certificate_get_fingerprint (b)));
  fail_if (g_str_equal (gst_wrtc_dtls_certificate_get_fingerprint (a),
          gst_wrtc_dtls_certificate_get_fingerprint (d)));
  fail_if (g_str_equal (gst_wrtc_dtls_certificate_get_pem (a),
          gst_wrtc_dtls_certificate_get_pem (b)));
  assert_sha256_fingerprint_form (gst_wrtc_dtls_certificate_get_fingerprint
      (b));
  g_object_unref (a);
  g_object_unref (b);
  g_object_unref (d);
}

GST_END_TEST;

/* A user PEM (certificate and key) is taken as is: same certificate out,
 * fingerprint as OpenSSL computes it. */
GST_START_TEST (test_from_pem)
{
  guint bits[] = { 0, 2048 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bits); i++) {
    gchar *pem = test_make_pem (bits[i], 0);
    gchar *fp = test_pem_fingerprint (pem, NULL);
    gchar *cert_only;
    GError *err = NULL;
    GstWrtcDtlsCertificate *cert;

    cert = gst_wrtc_dtls_certificate_new_from_pem (pem, &err);
    g_assert_no_error (err);
    fail_unless (cert != NULL);
    fail_unless_equals_string (gst_wrtc_dtls_certificate_get_fingerprint
        (cert), fp);
    cert_only = g_strndup (pem, strstr (pem, "-----END CERTIFICATE-----") -
        pem + strlen ("-----END CERTIFICATE-----\n"));
    fail_unless_equals_string (gst_wrtc_dtls_certificate_get_pem (cert),
        cert_only);
    g_free (cert_only);
    g_object_unref (cert);
    g_free (fp);
    g_free (pem);
  }
}

GST_END_TEST;

/* The key may come before the certificate in the PEM. */
GST_START_TEST (test_from_pem_key_first)
{
  gchar *pem = test_make_pem (0, 0);
  gchar *fp = test_pem_fingerprint (pem, NULL);
  const gchar *key = strstr (pem, "-----BEGIN PRIVATE KEY-----");
  gchar *swapped;
  GstWrtcDtlsCertificate *cert;
  GError *err = NULL;

  fail_unless (key != NULL);
  swapped = g_strconcat (key, "", NULL);
  {
    gchar *tmp = g_strndup (pem, key - pem);
    gchar *s = g_strconcat (swapped, tmp, NULL);
    g_free (tmp);
    g_free (swapped);
    swapped = s;
  }
  fail_unless (g_str_has_prefix (swapped, "-----BEGIN PRIVATE KEY-----"));
  cert = gst_wrtc_dtls_certificate_new_from_pem (swapped, &err);
  g_assert_no_error (err);
  fail_unless_equals_string (gst_wrtc_dtls_certificate_get_fingerprint (cert),
      fp);
  g_object_unref (cert);
  g_free (swapped);
  g_free (fp);
  g_free (pem);
}

GST_END_TEST;

GST_START_TEST (test_from_bad_pem)
{
  gchar *pem_a = test_make_pem (0, 0);
  gchar *pem_b = test_make_pem (0, 0);
  const gchar *key_b = strstr (pem_b, "-----BEGIN PRIVATE KEY-----");
  gchar *cert_a = g_strndup (pem_a, strstr (pem_a,
          "-----BEGIN PRIVATE KEY-----") - pem_a);
  gchar *mismatch = g_strconcat (cert_a, key_b, NULL);
  const gchar *bad[] = { "", "not a pem at all",
    "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    cert_a,                     /* no key */
    key_b,                      /* no certificate */
    mismatch,                   /* a key that is not the certificate's */
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++) {
    GError *err = NULL;
    GstWrtcDtlsCertificate *cert =
        gst_wrtc_dtls_certificate_new_from_pem (bad[i], &err);

    fail_unless (cert == NULL, "PEM %u accepted", i);
    fail_unless (g_error_matches (err, GST_WRTC_DTLS_ERROR,
            GST_WRTC_DTLS_ERROR_CERTIFICATE), "PEM %u: %s", i,
        err ? err->message : "no error");
    g_clear_error (&err);
    /* and with no GError asked for */
    fail_unless (gst_wrtc_dtls_certificate_new_from_pem (bad[i], NULL) == NULL);
  }
  g_free (mismatch);
  g_free (cert_a);
  g_free (pem_a);
  g_free (pem_b);
}

GST_END_TEST;

/* The PEM a certificate gives out (certificate only) reloads to the same
 * fingerprint once a key is added, i.e. it is the very certificate. */
GST_START_TEST (test_pem_roundtrip)
{
  gchar *pem = test_make_pem (0, 0);
  GstWrtcDtlsCertificate *a = gst_wrtc_dtls_certificate_new_from_pem (pem,
      NULL);
  const gchar *key = strstr (pem, "-----BEGIN PRIVATE KEY-----");
  gchar *again = g_strconcat (gst_wrtc_dtls_certificate_get_pem (a), key,
      NULL);
  GstWrtcDtlsCertificate *b = gst_wrtc_dtls_certificate_new_from_pem (again,
      NULL);

  fail_unless (a && b);
  fail_unless_equals_string (gst_wrtc_dtls_certificate_get_fingerprint (a),
      gst_wrtc_dtls_certificate_get_fingerprint (b));
  g_object_unref (a);
  g_object_unref (b);
  g_free (again);
  g_free (pem);
}

GST_END_TEST;

GST_START_TEST (test_fingerprint_normalize)
{
  GstWrtcDtlsCertificate *c = gst_wrtc_dtls_certificate_get_default ();
  const gchar *fp = gst_wrtc_dtls_certificate_get_fingerprint (c);
  gchar *lower, *upper_algo, *spaced, *s;
  const gchar *hex = fp + strlen ("sha-256 ");

  /* the canonical form maps to itself */
  s = gst_wrtc_dtls_fingerprint_normalize (fp);
  fail_unless_equals_string (s, fp);
  g_free (s);

  /* any case, extra white space */
  lower = g_ascii_strdown (fp, -1);
  s = gst_wrtc_dtls_fingerprint_normalize (lower);
  fail_unless_equals_string (s, fp);
  g_free (s);
  upper_algo = g_strconcat ("SHA-256 ", hex, NULL);
  s = gst_wrtc_dtls_fingerprint_normalize (upper_algo);
  fail_unless_equals_string (s, fp);
  g_free (s);
  spaced = g_strconcat ("  sha-256 \t ", hex, " \r\n", NULL);
  s = gst_wrtc_dtls_fingerprint_normalize (spaced);
  fail_unless_equals_string (s, fp);
  g_free (s);

  g_free (lower);
  g_free (upper_algo);
  g_free (spaced);
  g_object_unref (c);
}

GST_END_TEST;

/* Each supported hash with its own length (RFC 8122 section 5 lists the
 * hash function textual names). */
GST_START_TEST (test_fingerprint_normalize_hashes)
{
  static const struct
  {
    const gchar *algo;
    guint bytes;
  } h[] = {
    {"sha-1", 20}, {"sha-256", 32}, {"sha-384", 48}, {"sha-512", 64},
  };
  guint i, j;

  for (i = 0; i < G_N_ELEMENTS (h); i++) {
    GString *in = g_string_new (h[i].algo);
    GString *want;
    gchar *s;

    g_string_append_c (in, ' ');
    for (j = 0; j < h[i].bytes; j++)
      g_string_append_printf (in, j ? ":%02x" : "%02x", (j * 37 + 11) & 0xff);
    want = g_string_new (in->str);
    for (j = strlen (h[i].algo); j < want->len; j++)
      want->str[j] = g_ascii_toupper (want->str[j]);
    s = gst_wrtc_dtls_fingerprint_normalize (in->str);
    fail_unless_equals_string (s, want->str);
    g_free (s);

    /* one byte short, one byte long */
    g_string_truncate (in, in->len - 3);
    fail_unless (gst_wrtc_dtls_fingerprint_normalize (in->str) == NULL,
        "accepted short %s", in->str);
    g_string_append (in, ":AB:CD");
    fail_unless (gst_wrtc_dtls_fingerprint_normalize (in->str) == NULL,
        "accepted long %s", in->str);
    g_string_free (in, TRUE);
    g_string_free (want, TRUE);
  }
}

GST_END_TEST;

GST_START_TEST (test_fingerprint_normalize_rejects)
{
  GstWrtcDtlsCertificate *c = gst_wrtc_dtls_certificate_get_default ();
  const gchar *fp = gst_wrtc_dtls_certificate_get_fingerprint (c);
  const gchar *hex = fp + strlen ("sha-256 ");
  gchar *bad[8];

  guint i, n = 0;

  bad[n++] = g_strdup ("");
  bad[n++] = g_strdup ("sha-256");
  bad[n++] = g_strdup (hex);    /* no hash name */
  bad[n++] = g_strconcat ("md5 ", hex, NULL);   /* unsupported hash */
  bad[n++] = g_strconcat ("sha-256 ", hex, ":", NULL);  /* trailing colon */
  bad[n++] = g_strconcat ("sha-256 ", hex, " extra", NULL);
  bad[n] = g_strconcat ("sha-256 ", hex, NULL);
  bad[n][10] = 'G';             /* not hex */
  n++;
  /* "AB:CD:.." -> "ABCD:..": a separator missing */
  bad[n++] = g_strdup_printf ("sha-256 %.2s%s", hex, hex + 3);

  fail_unless (gst_wrtc_dtls_fingerprint_normalize (NULL) == NULL);
  for (i = 0; i < n; i++) {
    gchar *s = gst_wrtc_dtls_fingerprint_normalize (bad[i]);
    fail_unless (s == NULL, "'%s' normalised to '%s'", bad[i], s);
    g_free (bad[i]);
  }
  g_object_unref (c);
}

GST_END_TEST;

static Suite *
dtlscertificate_suite (void)
{
  Suite *s = suite_create ("wrtc-dtls-certificate");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_default_is_shared_ecdsa_p256);
  tcase_add_test (tc, test_generated_are_unique);
  tcase_add_test (tc, test_from_pem);
  tcase_add_test (tc, test_from_pem_key_first);
  tcase_add_test (tc, test_from_bad_pem);
  tcase_add_test (tc, test_pem_roundtrip);
  tcase_add_test (tc, test_fingerprint_normalize);
  tcase_add_test (tc, test_fingerprint_normalize_hashes);
  tcase_add_test (tc, test_fingerprint_normalize_rejects);
  return s;
}

GST_CHECK_MAIN (dtlscertificate);
