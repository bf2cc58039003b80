/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the client side of WHEP and WHIP (RFC 9725 section
 * 4), over libsoup 3.
 *
 * Blocking calls for a thread of the caller's (never a streaming thread):
 * each request uses a session of its own, so any thread may call them.
 *
 *   POST   <endpoint>   application/sdp offer -> 201 Created, Location,
 *                       the answer (application/sdp)
 *   PATCH  <resource>   application/trickle-ice-sdpfrag -> 204
 *   DELETE <resource>   -> 200
 *
 * A status other than the expected one is an error whose message carries
 * the status, its reason and the start of the body the server sent. */
#ifndef __GST_WRTC_HTTP_CLIENT_H__
#define __GST_WRTC_HTTP_CLIENT_H__

#include <gio/gio.h>

G_BEGIN_DECLS
#define GST_WRTC_HTTP_CLIENT_ERROR (gst_wrtc_http_client_error_quark ())
    GQuark gst_wrtc_http_client_error_quark (void);

typedef enum
{
  GST_WRTC_HTTP_CLIENT_ERROR_URL,       /* not an http(s) URL */
  GST_WRTC_HTTP_CLIENT_ERROR_NETWORK,   /* no connection, timeout */
  GST_WRTC_HTTP_CLIENT_ERROR_STATUS,    /* an unexpected HTTP status */
  GST_WRTC_HTTP_CLIENT_ERROR_RESPONSE,  /* a 201 without Location or SDP */
  GST_WRTC_HTTP_CLIENT_ERROR_UNAVAILABLE,       /* 503: try again later */
} GstWrtcHttpClientError;

/* Largest answer accepted from a server. */
#define GST_WRTC_HTTP_CLIENT_MAX_BODY (256 * 1024)

typedef struct
{
  gchar *answer;                /* the SDP answer */
  gchar *location;              /* the session resource, absolute */
  gchar *etag;                  /* or NULL */
  guint status;                 /* the HTTP status (201) */
} GstWrtcHttpClientSession;

void gst_wrtc_http_client_session_free (GstWrtcHttpClientSession * session);

/* POSTs @offer to @url with "Authorization: Bearer @token" when @token is
 * set; @timeout_s bounds the whole exchange (0: 15 s). */
GstWrtcHttpClientSession *gst_wrtc_http_client_post_offer (const gchar * url,
    const gchar * token, const gchar * offer, guint timeout_s,
    GCancellable * cancellable, GError ** error);

/* PATCHes an RFC 8840 fragment to @location (trickle ICE). */
gboolean gst_wrtc_http_client_patch (const gchar * location,
    const gchar * token, const gchar * etag, const gchar * fragment,
    guint timeout_s, GCancellable * cancellable, GError ** error);

/* Ends the session (RFC 9725 section 4.2). */
gboolean gst_wrtc_http_client_delete (const gchar * location,
    const gchar * token, guint timeout_s, GCancellable * cancellable,
    GError ** error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstWrtcHttpClientSession,
    gst_wrtc_http_client_session_free);

G_END_DECLS
#endif
