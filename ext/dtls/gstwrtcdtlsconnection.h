/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: one DTLS 1.2 association (OpenSSL), pad-less.
 *
 * Datagrams go in through gst_wrtc_dtls_connection_process(); datagrams to
 * send and decrypted application data come out through callbacks, always
 * called without the connection's lock held.  Retransmission timers run on a
 * process-wide timer thread.
 */
#ifndef __GST_WRTC_DTLS_CONNECTION_H__
#define __GST_WRTC_DTLS_CONNECTION_H__

#include <glib-object.h>
#include "gstwrtcfsm.h"
#include "gstwrtcdtlscertificate.h"
#include "gstwrtcsrtp.h"

G_BEGIN_DECLS
/* Same names and values as gst-plugins-bad's GstDtlsConnectionState, so
 * applications written for those elements read ours unchanged. */
    typedef enum
{
  GST_WRTC_DTLS_CONNECTION_STATE_NEW = 0,
  GST_WRTC_DTLS_CONNECTION_STATE_CLOSED = 1,
  GST_WRTC_DTLS_CONNECTION_STATE_FAILED = 2,
  GST_WRTC_DTLS_CONNECTION_STATE_CONNECTING = 3,
  GST_WRTC_DTLS_CONNECTION_STATE_CONNECTED = 4,
} GstWrtcDtlsConnectionState;

GType gst_wrtc_dtls_connection_state_get_type (void);
#define GST_WRTC_TYPE_DTLS_CONNECTION_STATE (gst_wrtc_dtls_connection_state_get_type ())
const gchar *gst_wrtc_dtls_connection_state_name (GstWrtcDtlsConnectionState s);
/* The connection's state machine (legal edges: gstwrtcdtlsconnection.c),
 * for tests that try every edge. */
const GstWrtcFsm *gst_wrtc_dtls_connection_state_machine (void);

#define GST_WRTC_TYPE_DTLS_CONNECTION (gst_wrtc_dtls_connection_get_type ())
G_DECLARE_FINAL_TYPE (GstWrtcDtlsConnection, gst_wrtc_dtls_connection,
    GST_WRTC, DTLS_CONNECTION, GObject);

/* A datagram to put on the wire. */
typedef void (*GstWrtcDtlsSendFunc) (const guint8 * data, gsize len,
    GObject * owner);
/* Decrypted application data (one DTLS record). */
typedef void (*GstWrtcDtlsReceiveFunc) (const guint8 * data, gsize len,
    GObject * owner);

#define GST_WRTC_DTLS_DEFAULT_MTU 1200
/* RFC 5764 section 4.1.2 profiles, in order of preference (RFC 7714 GCM) */
#define GST_WRTC_DTLS_DEFAULT_SRTP_PROFILES \
  "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32"
#define GST_WRTC_DTLS_DEFAULT_HANDSHAKE_TIMEOUT_MS 20000

GstWrtcDtlsConnection *gst_wrtc_dtls_connection_new (GstWrtcDtlsCertificate *
    cert, gboolean is_client);

/* Starts the process-wide retransmission timer thread if it does not run
 * yet, so that a connection's first flight does not pay for it. */
void gst_wrtc_dtls_connection_prepare_timers (void);

/* Before start.  @owner is held weakly and passed, alive, to the
 * callbacks; once it is gone the callbacks are no longer called. */
void gst_wrtc_dtls_connection_set_callbacks (GstWrtcDtlsConnection * conn,
    GstWrtcDtlsSendFunc send_func, GstWrtcDtlsReceiveFunc receive_func,
    GObject * owner);
gboolean gst_wrtc_dtls_connection_set_peer_fingerprint (GstWrtcDtlsConnection *
    conn, const gchar * fingerprint, GError ** error);
/* Colon-separated OpenSSL names of the SRTP profiles to offer or accept,
 * most preferred first; NULL restores the default
 * (GST_WRTC_DTLS_DEFAULT_SRTP_PROFILES); GST_WRTC_DTLS_NO_SRTP_PROFILES
 * offers and accepts none (no use_srtp extension, RFC 5764 section 4.1.1):
 * the connection then has no SRTP keys, which a data-only association
 * (RFC 8261) does not need. */
#define GST_WRTC_DTLS_NO_SRTP_PROFILES "none"
gboolean gst_wrtc_dtls_connection_set_srtp_profiles (GstWrtcDtlsConnection *
    conn, const gchar * profiles, GError ** error);
void gst_wrtc_dtls_connection_set_mtu (GstWrtcDtlsConnection * conn, guint mtu);
void gst_wrtc_dtls_connection_set_handshake_timeout (GstWrtcDtlsConnection *
    conn, guint timeout_ms);

gboolean gst_wrtc_dtls_connection_start (GstWrtcDtlsConnection * conn,
    GError ** error);
gboolean gst_wrtc_dtls_connection_process (GstWrtcDtlsConnection * conn,
    const guint8 * data, gsize len, GError ** error);
gboolean gst_wrtc_dtls_connection_send (GstWrtcDtlsConnection * conn,
    const guint8 * data, gsize len, GError ** error);
/* Sends close_notify (RFC 5246 section 7.2.1) when connected. */
void gst_wrtc_dtls_connection_close (GstWrtcDtlsConnection * conn);

GstWrtcDtlsConnectionState
gst_wrtc_dtls_connection_get_state (GstWrtcDtlsConnection * conn);
gboolean gst_wrtc_dtls_connection_is_client (GstWrtcDtlsConnection * conn);
/* The failure cause once the state is failed, else NULL. */
GError *gst_wrtc_dtls_connection_get_error (GstWrtcDtlsConnection * conn);
gboolean gst_wrtc_dtls_connection_get_srtp_keys (GstWrtcDtlsConnection * conn,
    GstWrtcSrtpKeys * keys);
gchar *gst_wrtc_dtls_connection_get_peer_pem (GstWrtcDtlsConnection * conn);
gchar *gst_wrtc_dtls_connection_get_peer_fingerprint (GstWrtcDtlsConnection *
    conn);
const gchar *gst_wrtc_dtls_connection_get_fingerprint (GstWrtcDtlsConnection *
    conn);

G_END_DECLS
#endif
