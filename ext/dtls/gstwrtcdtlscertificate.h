/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: DTLS certificates and their fingerprints.
 *
 * A certificate is an immutable pad-less object holding an X.509
 * certificate and its private key.  OpenSSL types stay in this plugin's
 * private header.
 */
#ifndef __GST_WRTC_DTLS_CERTIFICATE_H__
#define __GST_WRTC_DTLS_CERTIFICATE_H__

#include <glib-object.h>

G_BEGIN_DECLS
#define GST_WRTC_TYPE_DTLS_CERTIFICATE (gst_wrtc_dtls_certificate_get_type ())
G_DECLARE_FINAL_TYPE (GstWrtcDtlsCertificate, gst_wrtc_dtls_certificate,
    GST_WRTC, DTLS_CERTIFICATE, GObject);

#define GST_WRTC_DTLS_ERROR (gst_wrtc_dtls_error_quark ())
GQuark gst_wrtc_dtls_error_quark (void);

typedef enum
{
  GST_WRTC_DTLS_ERROR_CERTIFICATE,      /* bad PEM, missing key */
  GST_WRTC_DTLS_ERROR_FINGERPRINT,      /* peer certificate does not match */
  GST_WRTC_DTLS_ERROR_HANDSHAKE,        /* protocol failure, alert */
  GST_WRTC_DTLS_ERROR_TIMEOUT,  /* handshake did not complete in time */
  GST_WRTC_DTLS_ERROR_CLOSED,   /* operation on a closed connection */
  GST_WRTC_DTLS_ERROR_NO_SRTP,  /* no SRTP profile negotiated */
  GST_WRTC_DTLS_ERROR_SRTP,     /* libsrtp2 failure */
  GST_WRTC_DTLS_ERROR_MALFORMED,        /* input that is not what it claims */
} GstWrtcDtlsError;

GstWrtcDtlsCertificate *gst_wrtc_dtls_certificate_get_default (void);
GstWrtcDtlsCertificate *gst_wrtc_dtls_certificate_new_generated (void);
GstWrtcDtlsCertificate *gst_wrtc_dtls_certificate_new_from_pem (const gchar *
    pem, GError ** error);

/* The certificate alone, PEM encoded (never the private key). */
const gchar *gst_wrtc_dtls_certificate_get_pem (GstWrtcDtlsCertificate * cert);

/* "sha-256 AB:CD:..." as in an SDP a=fingerprint line (RFC 8122 section 5). */
const gchar *gst_wrtc_dtls_certificate_get_fingerprint (GstWrtcDtlsCertificate *
    cert);

/* Normalises "sha-256 ab:cd:.." (any case, extra spaces) to the form
 * gst_wrtc_dtls_certificate_get_fingerprint() returns; NULL when it is not a
 * fingerprint of a supported hash function. */
gchar *gst_wrtc_dtls_fingerprint_normalize (const gchar * fingerprint);

G_END_DECLS
#endif
