/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: one DTLS-SRTP association (RFC 5764), pad-less.
 *
 * Joins a DTLS connection with the two SRTP directions and the RFC 7983
 * demultiplexer.  dtlssrtpenc and dtlssrtpdec with the same connection-id
 * share one transport: the decoder feeds it datagrams, the encoder gives
 * it packets to protect and sends what it asks to send.
 */
#ifndef __GST_WRTC_DTLS_SRTP_TRANSPORT_H__
#define __GST_WRTC_DTLS_SRTP_TRANSPORT_H__

#include <gst/gst.h>
#include "gstwrtcdtlsconnection.h"
#include "gstwrtcrfc7983.h"
#include "gstwrtcsrtp.h"

G_BEGIN_DECLS
#define GST_WRTC_TYPE_DTLS_SRTP_TRANSPORT (gst_wrtc_dtls_srtp_transport_get_type ())
G_DECLARE_FINAL_TYPE (GstWrtcDtlsSrtpTransport, gst_wrtc_dtls_srtp_transport,
    GST_WRTC, DTLS_SRTP_TRANSPORT, GObject);

/* A datagram for the wire (DTLS records). */
typedef void (*GstWrtcTransportSendFunc) (GObject * owner,
    const guint8 * data, gsize len);
/* Decrypted DTLS application data (e.g. SCTP). */
typedef void (*GstWrtcTransportDataFunc) (GObject * owner,
    const guint8 * data, gsize len);

/* The transport registered under @connection_id, created if there is none;
 * with a NULL id a private one.  (transfer full) */
GstWrtcDtlsSrtpTransport *gst_wrtc_dtls_srtp_transport_acquire (const gchar *
    connection_id);

/* Configuration, used at the next start. */
void gst_wrtc_dtls_srtp_transport_set_certificate (GstWrtcDtlsSrtpTransport * t,
    GstWrtcDtlsCertificate * cert);
GstWrtcDtlsCertificate
    * gst_wrtc_dtls_srtp_transport_get_certificate (GstWrtcDtlsSrtpTransport *
    t);
void gst_wrtc_dtls_srtp_transport_set_is_client (GstWrtcDtlsSrtpTransport * t,
    gboolean is_client);
gboolean
gst_wrtc_dtls_srtp_transport_set_peer_fingerprint (GstWrtcDtlsSrtpTransport * t,
    const gchar * fingerprint, GError ** error);
gboolean
gst_wrtc_dtls_srtp_transport_set_srtp_profiles (GstWrtcDtlsSrtpTransport * t,
    const gchar * profiles, GError ** error);
void
gst_wrtc_dtls_srtp_transport_set_handshake_timeout (GstWrtcDtlsSrtpTransport *
    t, guint timeout_ms);

/* The sending half (dtlssrtpenc) and the receiving half (dtlssrtpdec).
 * The handshake starts once both are attached; it is torn down once both
 * have detached.  Owners are held weakly. */
void gst_wrtc_dtls_srtp_transport_attach_sender (GstWrtcDtlsSrtpTransport * t,
    GObject * owner, GstWrtcTransportSendFunc func);
void gst_wrtc_dtls_srtp_transport_detach_sender (GstWrtcDtlsSrtpTransport * t);
void gst_wrtc_dtls_srtp_transport_attach_receiver (GstWrtcDtlsSrtpTransport * t,
    GObject * owner, GstWrtcTransportDataFunc func);
void gst_wrtc_dtls_srtp_transport_detach_receiver (GstWrtcDtlsSrtpTransport *
    t);

/* Inbound: classifies a datagram (RFC 7983).  RTP and RTCP are unprotected
 * in place (*len updated, *result says how it went); DTLS goes to the
 * connection and application data to the receiver's data function. */
GstWrtcPacketKind gst_wrtc_dtls_srtp_transport_receive (GstWrtcDtlsSrtpTransport
    * t, guint8 * data, gsize * len, GstWrtcSrtpResult * result);

/* Outbound */
GstWrtcSrtpResult gst_wrtc_dtls_srtp_transport_protect (GstWrtcDtlsSrtpTransport
    * t, gboolean rtcp, guint8 * data, gsize * len, gsize max);
/* Manual keying with DTLS disabled (gst-plugins-bad's key/srtp-cipher/...
 * properties): keys one direction directly. */
gboolean gst_wrtc_dtls_srtp_transport_set_manual_key (GstWrtcDtlsSrtpTransport *
    t, gboolean outbound, const gchar * rtp_cipher, const gchar * rtp_auth,
    const gchar * rtcp_cipher, const gchar * rtcp_auth, GBytes * key,
    GError ** error);
void gst_wrtc_dtls_srtp_transport_clear_manual_key (GstWrtcDtlsSrtpTransport *
    t, gboolean outbound);

/* Counts an outbound packet dropped before protection (not RTP). */
void gst_wrtc_dtls_srtp_transport_count_outbound (GstWrtcDtlsSrtpTransport * t,
    GstWrtcSrtpResult res);
gboolean gst_wrtc_dtls_srtp_transport_send_data (GstWrtcDtlsSrtpTransport * t,
    const guint8 * data, gsize len, GError ** error);
gboolean gst_wrtc_dtls_srtp_transport_has_keys (GstWrtcDtlsSrtpTransport * t);

GstWrtcDtlsConnectionState
gst_wrtc_dtls_srtp_transport_get_state (GstWrtcDtlsSrtpTransport * t);
GError *gst_wrtc_dtls_srtp_transport_get_error (GstWrtcDtlsSrtpTransport * t);
gchar *gst_wrtc_dtls_srtp_transport_get_peer_pem (GstWrtcDtlsSrtpTransport * t);
gchar
    *
gst_wrtc_dtls_srtp_transport_get_peer_fingerprint (GstWrtcDtlsSrtpTransport *
    t);
GstWrtcSrtpProfile
gst_wrtc_dtls_srtp_transport_get_profile (GstWrtcDtlsSrtpTransport * t);
/* The DTLS role the next (or current) connection takes. */
gboolean gst_wrtc_dtls_srtp_transport_get_is_client (GstWrtcDtlsSrtpTransport *
    t);

/* Datagrams on the wire, as W3C RTCTransportStats counts them: sent are
 * the DTLS records handed to the sender and the packets protect() made
 * (their protected length); received are the DTLS datagrams and the
 * packets that unprotected (their length on the wire). */
typedef struct
{
  guint64 packets_sent, bytes_sent, packets_received, bytes_received;
} GstWrtcDtlsSrtpTransportCounters;

void gst_wrtc_dtls_srtp_transport_get_counters (GstWrtcDtlsSrtpTransport * t,
    GstWrtcDtlsSrtpTransportCounters * counters);

/* Counters of both directions and the demultiplexer, as a structure
 * "dtls-srtp-stats" (fields documented in the elements). */
GstStructure *gst_wrtc_dtls_srtp_transport_get_stats (GstWrtcDtlsSrtpTransport *
    t);

G_END_DECLS
#endif
