/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: DTLS certificates.
 *
 * The default certificate is ECDSA P-256, self-signed, generated once per
 * process (as browsers do; RFC 8827 section 6.5 needs only that the
 * fingerprint is signalled).  User certificates come as PEM and may hold any
 * key type OpenSSL can sign with.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcdtls-private.h"

#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <gst/gst.h>

GST_DEBUG_CATEGORY_STATIC (wrtc_dtls_cert_debug);
#define GST_CAT_DEFAULT wrtc_dtls_cert_debug

#define CERT_VALIDITY_DAYS 30

struct _GstWrtcDtlsCertificate
{
  GObject parent;

  /* all immutable after construction, except ssl_ctx which is created once
   * under ctx_lock */
  X509 *x509;
  EVP_PKEY *pkey;
  gchar *pem;
  gchar *fingerprint;
  GMutex ctx_lock;
  SSL_CTX *ssl_ctx;
};

G_DEFINE_TYPE_WITH_CODE (GstWrtcDtlsCertificate, gst_wrtc_dtls_certificate,
    G_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (wrtc_dtls_cert_debug, "wrtcdtlscert", 0,
        "DTLS certificates"));

G_DEFINE_QUARK (gst - wrtc - dtls - error - quark, gst_wrtc_dtls_error);

static void
gst_wrtc_dtls_certificate_finalize (GObject * object)
{
  GstWrtcDtlsCertificate *self = GST_WRTC_DTLS_CERTIFICATE (object);

  X509_free (self->x509);
  EVP_PKEY_free (self->pkey);
  g_free (self->pem);
  g_free (self->fingerprint);
  if (self->ssl_ctx)
    SSL_CTX_free (self->ssl_ctx);
  g_mutex_clear (&self->ctx_lock);

  G_OBJECT_CLASS (gst_wrtc_dtls_certificate_parent_class)->finalize (object);
}

static void
gst_wrtc_dtls_certificate_class_init (GstWrtcDtlsCertificateClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_wrtc_dtls_certificate_finalize;
}

static void
gst_wrtc_dtls_certificate_init (GstWrtcDtlsCertificate * self)
{
  g_mutex_init (&self->ctx_lock);
}

gchar *
_gst_wrtc_dtls_openssl_errors (void)
{
  GString *s = g_string_new (NULL);
  unsigned long e;
  char buf[256];

  while ((e = ERR_get_error ()) != 0) {
    ERR_error_string_n (e, buf, sizeof (buf));
    if (s->len)
      g_string_append (s, "; ");
    g_string_append (s, buf);
  }
  if (!s->len)
    g_string_append (s, "no OpenSSL error");
  return g_string_free (s, FALSE);
}

gchar *
_gst_wrtc_dtls_x509_to_pem (X509 * x509)
{
  BIO *bio = BIO_new (BIO_s_mem ());
  gchar *ret = NULL;
  char *data;
  long len;

  if (PEM_write_bio_X509 (bio, x509)) {
    len = BIO_get_mem_data (bio, &data);
    ret = g_strndup (data, len);
  }
  BIO_free (bio);
  return ret;
}

static const EVP_MD *
md_for_algo (const gchar * algo)
{
  if (!g_ascii_strcasecmp (algo, "sha-256"))
    return EVP_sha256 ();
  if (!g_ascii_strcasecmp (algo, "sha-384"))
    return EVP_sha384 ();
  if (!g_ascii_strcasecmp (algo, "sha-512"))
    return EVP_sha512 ();
  if (!g_ascii_strcasecmp (algo, "sha-1"))
    return EVP_sha1 ();
  return NULL;
}

gchar *
_gst_wrtc_dtls_x509_fingerprint (X509 * x509, const gchar * algo)
{
  const EVP_MD *md = md_for_algo (algo);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0, i;
  GString *s;

  if (!md || !X509_digest (x509, md, digest, &len))
    return NULL;

  s = g_string_new (NULL);
  g_string_append (s, algo);
  g_string_ascii_down (s);
  g_string_append_c (s, ' ');
  for (i = 0; i < len; i++)
    g_string_append_printf (s, i ? ":%02X" : "%02X", digest[i]);
  return g_string_free (s, FALSE);
}

/* RFC 8122 section 5: hash-func SP fingerprint, hex pairs joined by ':'. */
gchar *
gst_wrtc_dtls_fingerprint_normalize (const gchar * fingerprint)
{
  gchar **parts = NULL;
  gchar *algo, *hex, *ret = NULL;
  const EVP_MD *md;
  GString *s = NULL;
  gsize i, n = 0;

  if (!fingerprint)
    return NULL;
  parts = g_strsplit_set (fingerprint, " \t\r\n", 0);
  /* first non-empty token is the hash, the rest the value */
  algo = hex = NULL;
  for (i = 0; parts[i]; i++) {
    if (!*parts[i])
      continue;
    if (!algo)
      algo = parts[i];
    else if (!hex)
      hex = parts[i];
    else
      goto out;
  }
  if (!algo || !hex || !(md = md_for_algo (algo)))
    goto out;

  s = g_string_new (NULL);
  g_string_append (s, algo);
  g_string_ascii_down (s);
  g_string_append_c (s, ' ');
  for (i = 0; hex[i]; i++) {
    gboolean sep = ((i % 3) == 2);
    if (sep != (hex[i] == ':') || (!sep && !g_ascii_isxdigit (hex[i])))
      goto out;
    if (!sep)
      n++;
    g_string_append_c (s, g_ascii_toupper (hex[i]));
  }
  if (n != 2 * (gsize) EVP_MD_get_size (md) || hex[i - 1] == ':')
    goto out;
  ret = g_string_free (s, FALSE);
  s = NULL;

out:
  if (s)
    g_string_free (s, TRUE);
  g_strfreev (parts);
  return ret;
}

static gboolean
certificate_finish (GstWrtcDtlsCertificate * self, GError ** error)
{
  self->pem = _gst_wrtc_dtls_x509_to_pem (self->x509);
  self->fingerprint = _gst_wrtc_dtls_x509_fingerprint (self->x509, "sha-256");
  if (!self->pem || !self->fingerprint) {
    g_set_error (error, GST_WRTC_DTLS_ERROR, GST_WRTC_DTLS_ERROR_CERTIFICATE,
        "cannot encode the certificate");
    return FALSE;
  }
  return TRUE;
}

GstWrtcDtlsCertificate *
gst_wrtc_dtls_certificate_new_generated (void)
{
  GstWrtcDtlsCertificate *self;
  X509_NAME *name;
  guint8 serial[8], cn_raw[9];
  gchar *cn;
  ASN1_INTEGER *asn_serial;
  BIGNUM *bn;

  self = g_object_new (GST_WRTC_TYPE_DTLS_CERTIFICATE, NULL);
  self->pkey = EVP_EC_gen ("P-256");
  self->x509 = X509_new ();
  if (!self->pkey || !self->x509)
    goto failed;

  X509_set_version (self->x509, 2);
  RAND_bytes (serial, sizeof (serial));
  serial[0] &= 0x7f;
  bn = BN_bin2bn (serial, sizeof (serial), NULL);
  asn_serial = BN_to_ASN1_INTEGER (bn, NULL);
  X509_set_serialNumber (self->x509, asn_serial);
  ASN1_INTEGER_free (asn_serial);
  BN_free (bn);

  /* a day in the past, against peers whose clocks run behind */
  X509_gmtime_adj (X509_getm_notBefore (self->x509), -24 * 3600);
  X509_gmtime_adj (X509_getm_notAfter (self->x509),
      (long) CERT_VALIDITY_DAYS * 24 * 3600);
  X509_set_pubkey (self->x509, self->pkey);

  RAND_bytes (cn_raw, sizeof (cn_raw));
  cn = g_base64_encode (cn_raw, sizeof (cn_raw));
  name = X509_get_subject_name (self->x509);
  X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_ASC, (guchar *) cn, -1,
      -1, 0);
  g_free (cn);
  X509_set_issuer_name (self->x509, name);

  if (!X509_sign (self->x509, self->pkey, EVP_sha256 ()))
    goto failed;
  if (!certificate_finish (self, NULL))
    goto failed;

  GST_DEBUG ("generated ECDSA P-256 certificate %s", self->fingerprint);
  return self;

  /* ERRORS */
failed:
  {
    gchar *err = _gst_wrtc_dtls_openssl_errors ();
    GST_ERROR ("cannot generate a certificate: %s", err);
    g_free (err);
    g_object_unref (self);
    return NULL;
  }
}

/* OpenSSL 3 fetches and caches algorithm implementations from its providers
 * on first use; the first handshake otherwise pays for that in its flights
 * (3 ms instead of 0.7 ms for the server's first flight here).  Use what a
 * WebRTC handshake uses once: X25519 and P-256 key exchange, an ECDSA
 * signature and its verification, AES-GCM and SHA-256. */
static void
warm_up_crypto (GstWrtcDtlsCertificate * cert)
{
  static const char *curves[] = { "X25519", "P-256" };
  guint8 digest[32] = { 0 }, sig[128], out[64], tag[16], iv[12] = { 0 };
  size_t siglen = sizeof (sig);
  EVP_MD_CTX *md = EVP_MD_CTX_new ();
  EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new ();
  int outl, i;

  for (i = 0; i < 2; i++) {
    EVP_PKEY *a = i == 0 ? EVP_PKEY_Q_keygen (NULL, NULL, curves[i]) :
        EVP_EC_gen (curves[i]);
    EVP_PKEY *b = i == 0 ? EVP_PKEY_Q_keygen (NULL, NULL, curves[i]) :
        EVP_EC_gen (curves[i]);
    EVP_PKEY_CTX *dctx = a ? EVP_PKEY_CTX_new (a, NULL) : NULL;
    size_t len = sizeof (out);
    if (dctx && EVP_PKEY_derive_init (dctx) > 0
        && EVP_PKEY_derive_set_peer (dctx, b) > 0)
      EVP_PKEY_derive (dctx, out, &len);
    EVP_PKEY_CTX_free (dctx);
    EVP_PKEY_free (a);
    EVP_PKEY_free (b);
  }
  if (EVP_DigestSignInit (md, NULL, EVP_sha256 (), NULL, cert->pkey) > 0)
    EVP_DigestSign (md, sig, &siglen, digest, sizeof (digest));
  EVP_MD_CTX_reset (md);
  if (EVP_DigestVerifyInit (md, NULL, EVP_sha256 (), NULL,
          X509_get0_pubkey (cert->x509)) > 0)
    EVP_DigestVerify (md, sig, siglen, digest, sizeof (digest));
  if (EVP_EncryptInit_ex (c, EVP_aes_128_gcm (), NULL, digest, iv) > 0) {
    EVP_EncryptUpdate (c, out, &outl, digest, sizeof (digest));
    EVP_EncryptFinal_ex (c, out + outl, &outl);
    EVP_CIPHER_CTX_ctrl (c, EVP_CTRL_GCM_GET_TAG, sizeof (tag), tag);
  }
  EVP_CIPHER_CTX_free (c);
  EVP_MD_CTX_free (md);
  ERR_clear_error ();
}

/**
 * gst_wrtc_dtls_certificate_get_default:
 *
 * Returns: (transfer full): the process-wide certificate, generated on the
 * first call.
 */
GstWrtcDtlsCertificate *
gst_wrtc_dtls_certificate_get_default (void)
{
  static GstWrtcDtlsCertificate *cert = NULL;

  if (g_once_init_enter (&cert)) {
    GstWrtcDtlsCertificate *c = gst_wrtc_dtls_certificate_new_generated ();
    g_assert (c != NULL);
    /* the first handshake should not pay for setting up OpenSSL */
    _gst_wrtc_dtls_certificate_get_ssl_ctx (c);
    warm_up_crypto (c);
    g_once_init_leave (&cert, c);
  }
  return g_object_ref (cert);
}

/* Never prompt for a pass phrase: OpenSSL's default reads the terminal,
 * which would block a set_property() forever. */
static int
no_pass_phrase (char *buf, int size, int rwflag, void *u)
{
  *(gboolean *) u = TRUE;
  return -1;
}

GstWrtcDtlsCertificate *
gst_wrtc_dtls_certificate_new_from_pem (const gchar * pem, GError ** error)
{
  GstWrtcDtlsCertificate *self;
  BIO *bio;
  gboolean wanted_pass_phrase = FALSE;

  g_return_val_if_fail (pem != NULL, NULL);

  self = g_object_new (GST_WRTC_TYPE_DTLS_CERTIFICATE, NULL);
  bio = BIO_new_mem_buf (pem, -1);
  self->x509 = PEM_read_bio_X509 (bio, NULL, no_pass_phrase,
      &wanted_pass_phrase);
  BIO_free (bio);
  if (!self->x509)
    goto no_cert;

  bio = BIO_new_mem_buf (pem, -1);
  self->pkey = PEM_read_bio_PrivateKey (bio, NULL, no_pass_phrase,
      &wanted_pass_phrase);
  BIO_free (bio);
  if (!self->pkey && wanted_pass_phrase)
    goto encrypted_key;
  if (!self->pkey)
    goto no_key;

  if (X509_check_private_key (self->x509, self->pkey) != 1)
    goto key_mismatch;

  ERR_clear_error ();
  if (!certificate_finish (self, error))
    goto out_fail;
  _gst_wrtc_dtls_certificate_get_ssl_ctx (self);
  return self;

  /* ERRORS */
no_cert:
  ERR_clear_error ();
  g_set_error (error, GST_WRTC_DTLS_ERROR, GST_WRTC_DTLS_ERROR_CERTIFICATE,
      "the PEM holds no X.509 certificate");
  goto out_fail;
encrypted_key:
  ERR_clear_error ();
  g_set_error (error, GST_WRTC_DTLS_ERROR, GST_WRTC_DTLS_ERROR_CERTIFICATE,
      "the private key in the PEM is encrypted; give it unencrypted");
  goto out_fail;
no_key:
  ERR_clear_error ();
  g_set_error (error, GST_WRTC_DTLS_ERROR, GST_WRTC_DTLS_ERROR_CERTIFICATE,
      "the PEM holds no private key");
  goto out_fail;
key_mismatch:
  ERR_clear_error ();
  g_set_error (error, GST_WRTC_DTLS_ERROR, GST_WRTC_DTLS_ERROR_CERTIFICATE,
      "the private key in the PEM does not belong to its certificate");
out_fail:
  g_object_unref (self);
  return NULL;
}

const gchar *
gst_wrtc_dtls_certificate_get_pem (GstWrtcDtlsCertificate * cert)
{
  g_return_val_if_fail (GST_WRTC_IS_DTLS_CERTIFICATE (cert), NULL);
  return cert->pem;
}

const gchar *
gst_wrtc_dtls_certificate_get_fingerprint (GstWrtcDtlsCertificate * cert)
{
  g_return_val_if_fail (GST_WRTC_IS_DTLS_CERTIFICATE (cert), NULL);
  return cert->fingerprint;
}

/* Cipher suites: ECDHE only (forward secrecy), AEAD first.  RSA suites stay
 * so peers with RSA certificates (gst-plugins-bad's dtls) connect. */
#define WRTC_DTLS_CIPHERS \
  "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" \
  "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
  "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:" \
  "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:" \
  "ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA"


SSL_CTX *
_gst_wrtc_dtls_certificate_get_ssl_ctx (GstWrtcDtlsCertificate * cert)
{
  SSL_CTX *ctx;

  g_mutex_lock (&cert->ctx_lock);
  if (cert->ssl_ctx)
    goto done;

  ctx = SSL_CTX_new (DTLS_method ());
  if (!ctx)
    goto done;
  SSL_CTX_set_min_proto_version (ctx, DTLS1_2_VERSION);
  SSL_CTX_set_max_proto_version (ctx, DTLS1_2_VERSION);
  SSL_CTX_set_options (ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET |
      SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_session_cache_mode (ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_read_ahead (ctx, 1);
  if (!SSL_CTX_set_cipher_list (ctx, WRTC_DTLS_CIPHERS)
      || !SSL_CTX_set1_groups_list (ctx, "X25519:P-256:P-384")
      || !SSL_CTX_use_certificate (ctx, cert->x509)
      || !SSL_CTX_use_PrivateKey (ctx, cert->pkey)) {
    gchar *err = _gst_wrtc_dtls_openssl_errors ();
    GST_ERROR ("cannot set up the DTLS context: %s", err);
    g_free (err);
    SSL_CTX_free (ctx);
    goto done;
  }
  cert->ssl_ctx = ctx;

done:
  g_mutex_unlock (&cert->ctx_lock);
  return cert->ssl_ctx;
}
