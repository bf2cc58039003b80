/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: STUN and TURN server URLs, the one parser.
 *
 * The ICE transport (gst_wrtc_ice_transport_set_stun_server(),
 * add_turn_server()) and the signalling server's ICE-server announcements
 * (Link: rel="ice-server" headers, RFC 9725 section 4.6, and the pages'
 * W3C RTCIceServer JSON) both read the stun-server and turn-servers
 * properties through this, so a URL is accepted or refused the same way
 * everywhere, when it is set.  Accepted forms:
 *
 *   stun:HOST[:PORT]                          RFC 7064, PORT 3478
 *   turn:HOST[:PORT][?transport=udp|tcp]      RFC 7065, PORT 3478
 *   turns:HOST[:PORT][?transport=tcp]         RFC 7065 (TLS), PORT 5349
 *   stun://HOST[:PORT][/]                     GStreamer's form
 *   turn://USER:PASS@HOST[:PORT][/][?transport=...], turns://... likewise
 *   turn:USER:PASS@HOST...                    the same without "//"
 *
 * Schemes and the transport value are case-insensitive.  HOST is an IPv4
 * literal, "[IPv6]" or a DNS name (letters, digits, '-', '.', '_', '~');
 * USER and PASS are percent-decoded.  A TURN server needs a username and a
 * credential (from the URL or the arguments, as browsers require for
 * RTCIceServer); STUN takes none.  Refused: stuns: (STUN over TLS),
 * turns: over UDP (DTLS), other queries, paths, port 0, spaces and control
 * characters anywhere, control characters in the decoded credentials (they
 * fit neither a header nor JSON).  No name is resolved here.
 *
 * Pure functions, no libnice.
 */
#ifndef __GST_WRTC_ICE_SERVER_H__
#define __GST_WRTC_ICE_SERVER_H__

#include "gstwrtcicecandidate.h"

G_BEGIN_DECLS
#define GST_WRTC_ICE_STUN_DEFAULT_PORT 3478
#define GST_WRTC_ICE_TURNS_DEFAULT_PORT 5349
    typedef enum
{
  GST_WRTC_ICE_SERVER_STUN,     /* stun: */
  GST_WRTC_ICE_SERVER_TURN,     /* turn: */
  GST_WRTC_ICE_SERVER_TURNS,    /* turns: (TLS) */
} GstWrtcIceServerScheme;

typedef enum
{
  GST_WRTC_ICE_SERVER_TRANSPORT_DEFAULT,        /* no ?transport= */
  GST_WRTC_ICE_SERVER_TRANSPORT_UDP,
  GST_WRTC_ICE_SERVER_TRANSPORT_TCP,
} GstWrtcIceServerTransport;

typedef struct
{
  GstWrtcIceServerScheme scheme;
  gchar *host;                  /* IP literal (IPv6 without brackets) or name */
  guint port;                   /* as written, 0 when absent */
  GstWrtcIceServerTransport transport;
  gchar *username, *credential; /* TURN: both set; STUN: NULL */
} GstWrtcIceServer;

/* Parses @url.  For TURN, @username and @credential (each may be NULL)
 * replace the URL's user-info; they are ignored for STUN.  Returns NULL
 * with GST_WRTC_ICE_ERROR_INVALID_ARGUMENT, the message quoting @url and
 * naming what is wrong. */
GstWrtcIceServer *gst_wrtc_ice_server_parse (const gchar * url,
    const gchar * username, const gchar * credential, GError ** error);
void gst_wrtc_ice_server_free (GstWrtcIceServer * server);

/* The port, or the scheme's default. */
guint gst_wrtc_ice_server_get_port (const GstWrtcIceServer * server);

/* RFC 7064/7065 form without credentials, as W3C RTCIceServer.urls and
 * RFC 9725 Link headers take it: "turn:host:3478?transport=udp",
 * "stun:[::1]:19302" (the port only when written).  Transfer full. */
gchar *gst_wrtc_ice_server_to_uri (const GstWrtcIceServer * server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstWrtcIceServer, gst_wrtc_ice_server_free);

G_END_DECLS
#endif
