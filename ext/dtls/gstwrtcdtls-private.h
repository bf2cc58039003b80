/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OpenSSL-typed accessors shared inside the DTLS plugin only. */
#ifndef __GST_WRTC_DTLS_PRIVATE_H__
#define __GST_WRTC_DTLS_PRIVATE_H__

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include "gstwrtcdtlscertificate.h"

G_BEGIN_DECLS
/* A DTLS SSL_CTX configured for WebRTC with this certificate; created once
 * per certificate, owned by it. */
    SSL_CTX * _gst_wrtc_dtls_certificate_get_ssl_ctx (GstWrtcDtlsCertificate *
    cert);

/* Fingerprint of @x509 with the hash named in @algo ("sha-256", ...), in the
 * normalised SDP form. */
gchar *_gst_wrtc_dtls_x509_fingerprint (X509 * x509, const gchar * algo);
gchar *_gst_wrtc_dtls_x509_to_pem (X509 * x509);

/* The OpenSSL error queue, drained into one line. */
gchar *_gst_wrtc_dtls_openssl_errors (void);

G_END_DECLS
#endif
