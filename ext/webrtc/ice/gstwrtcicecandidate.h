/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the ICE layer's plain types, without libnice: its
 * errors and its candidates.
 *
 * A GstWrtcIceCandidate is what RFC 8839 section 5.1 puts in a candidate
 * attribute, as fields.  The ICE transport takes and gives candidates in
 * this form and never sees SDP; the text form ("candidate:1 1 UDP ...")
 * is JSEP's to parse and write (ext/webrtc/jsep/gstwrtccandidate.h).
 */
#ifndef __GST_WRTC_ICE_CANDIDATE_H__
#define __GST_WRTC_ICE_CANDIDATE_H__

#include <glib-object.h>

G_BEGIN_DECLS
#define GST_WRTC_ICE_ERROR (gst_wrtc_ice_error_quark ())
    GQuark gst_wrtc_ice_error_quark (void);

typedef enum
{
  GST_WRTC_ICE_ERROR_INVALID_ARGUMENT,  /* bad URI, address, credentials */
  GST_WRTC_ICE_ERROR_MALFORMED_CANDIDATE,       /* not a usable candidate */
  GST_WRTC_ICE_ERROR_UNSUPPORTED,       /* e.g. mDNS ".local" candidates */
  GST_WRTC_ICE_ERROR_WRONG_STATE,       /* e.g. gather() twice */
  GST_WRTC_ICE_ERROR_CLOSED,    /* the transport is closed */
  GST_WRTC_ICE_ERROR_NOT_CONNECTED,     /* send() with no selected pair */
  GST_WRTC_ICE_ERROR_SEND,      /* the socket refused the datagram */
  GST_WRTC_ICE_ERROR_FAILED,    /* libnice refused the operation */
} GstWrtcIceError;

/* RFC 8839 section 5.1 cand-type (W3C RTCIceCandidateType) */
typedef enum
{
  GST_WRTC_ICE_CANDIDATE_TYPE_HOST,
  GST_WRTC_ICE_CANDIDATE_TYPE_SRFLX,
  GST_WRTC_ICE_CANDIDATE_TYPE_PRFLX,
  GST_WRTC_ICE_CANDIDATE_TYPE_RELAY,
} GstWrtcIceCandidateType;

/* RFC 8839 section 5.1 transport (W3C RTCIceProtocol) */
typedef enum
{
  GST_WRTC_ICE_PROTOCOL_UDP,
  GST_WRTC_ICE_PROTOCOL_TCP,    /* RFC 6544 */
} GstWrtcIceProtocol;

/* RFC 6544 section 4.5 tcptype (W3C RTCIceTcpCandidateType) */
typedef enum
{
  GST_WRTC_ICE_TCP_TYPE_NONE,   /* UDP, or TCP without tcptype */
  GST_WRTC_ICE_TCP_TYPE_ACTIVE,
  GST_WRTC_ICE_TCP_TYPE_PASSIVE,
  GST_WRTC_ICE_TCP_TYPE_SO,
} GstWrtcIceTcpType;

typedef struct
{
  gchar *foundation;            /* 1 to 32 ice-chars */
  guint component;              /* 1 to 256; WebRTC uses 1 (rtcp-mux) */
  GstWrtcIceProtocol protocol;
  guint32 priority;
  gchar *address;               /* an IP literal, or a name (mDNS, FQDN) */
  guint port;                   /* 0 to 65535 */
  GstWrtcIceCandidateType type;
  gchar *related_address;       /* raddr, or NULL */
  gint related_port;            /* rport, or -1 */
  GstWrtcIceTcpType tcp_type;
  /* the other cand-extensions (generation, ufrag, network-id, ...): names
   * and values alternating, NULL-terminated; NULL when there are none */
  gchar **extensions;
} GstWrtcIceCandidate;

GType gst_wrtc_ice_candidate_get_type (void);
#define GST_WRTC_TYPE_ICE_CANDIDATE (gst_wrtc_ice_candidate_get_type ())

/* A host UDP candidate with every other field empty (related_port -1). */
GstWrtcIceCandidate *gst_wrtc_ice_candidate_new (void);
GstWrtcIceCandidate *gst_wrtc_ice_candidate_copy (const GstWrtcIceCandidate *
    candidate);
void gst_wrtc_ice_candidate_free (GstWrtcIceCandidate * candidate);
gboolean gst_wrtc_ice_candidate_equal (const GstWrtcIceCandidate * a,
    const GstWrtcIceCandidate * b);

/* The RFC 8839 / RFC 6544 tokens: "host", "srflx", "prflx", "relay";
 * "udp", "tcp"; "active", "passive", "so" (NULL for NONE). */
const gchar *gst_wrtc_ice_candidate_type_to_string (GstWrtcIceCandidateType
    type);
const gchar *gst_wrtc_ice_protocol_to_string (GstWrtcIceProtocol protocol);
const gchar *gst_wrtc_ice_tcp_type_to_string (GstWrtcIceTcpType tcp_type);

/* TRUE when @s is @min to @max ice-chars (ALPHA / DIGIT / "+" / "/",
 * RFC 8839 section 5.1): foundations (1 to 32), ice-ufrag (4 to 256) and
 * ice-pwd (22 to 256, section 5.4). */
gboolean gst_wrtc_ice_is_ice_chars (const gchar * s, gsize min, gsize max);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstWrtcIceCandidate,
    gst_wrtc_ice_candidate_free);

G_END_DECLS
#endif
