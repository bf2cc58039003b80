/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: fuzz target for the text parsers of the DTLS stage:
 * gst_wrtc_dtls_fingerprint_normalize() (SDP a=fingerprint values, RFC 8122
 * section 5) and gst_wrtc_dtls_certificate_new_from_pem() (the `pem`
 * property of dtlssrtpdec).
 *
 * The input, NUL-terminated, goes to both.  Invariants: normalising is
 * idempotent and its result is "<hash> XX:XX:..." in upper case; a
 * certificate parsed from PEM has a PEM and a normalised sha-256
 * fingerprint, and parsing its own PEM again gives no certificate (it holds
 * no key) but no crash either.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "fuzz-common.h"
#include "gstwrtcdtlscertificate.h"

static void
check_fingerprint (const gchar * text)
{
  gchar *norm = gst_wrtc_dtls_fingerprint_normalize (text);
  gchar *again;
  const gchar *p;

  if (!norm)
    return;
  p = strchr (norm, ' ');
  FUZZ_CHECK (p != NULL && p > norm);
  for (p = p + 1; *p; p++)
    FUZZ_CHECK (*p == ':' || (g_ascii_isxdigit (*p) && !g_ascii_islower (*p)));
  again = gst_wrtc_dtls_fingerprint_normalize (norm);
  FUZZ_CHECK (again != NULL && strcmp (again, norm) == 0);
  g_free (again);
  g_free (norm);
}

static void
check_pem (const gchar * text)
{
  GError *err = NULL;
  GstWrtcDtlsCertificate *cert;
  gchar *norm;

  cert = gst_wrtc_dtls_certificate_new_from_pem (text, &err);
  FUZZ_CHECK ((cert == NULL) == (err != NULL));
  if (!cert) {
    FUZZ_CHECK (err->domain == GST_WRTC_DTLS_ERROR);
    g_error_free (err);
    return;
  }
  FUZZ_CHECK (g_str_has_prefix (gst_wrtc_dtls_certificate_get_pem (cert),
          "-----BEGIN CERTIFICATE-----"));
  norm = gst_wrtc_dtls_fingerprint_normalize
      (gst_wrtc_dtls_certificate_get_fingerprint (cert));
  FUZZ_CHECK (norm && g_str_has_prefix (norm, "sha-256 "));
  FUZZ_CHECK (strcmp (norm, gst_wrtc_dtls_certificate_get_fingerprint (cert))
      == 0);
  g_free (norm);
  g_object_unref (cert);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  gchar *text;

  if (size > 65536)
    return 0;
  fuzz_init ();

  /* up to the first NUL, as a property string would be */
  text = g_strndup ((const gchar *) data, size);
  check_fingerprint (text);
  check_pem (text);
  g_free (text);
  return 0;
}
