/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the HTTP signalling server of webrtcsink (WHEP) and
 * webrtcsrc (WHIP), over libsoup 3.
 *
 * It speaks HTTP and does no WebRTC: requests are checked (method, path,
 * media type, size, bearer token, session existence, capacity) and what
 * passes reaches the application through the callbacks of the endpoint it
 * was sent to.  Both protocols have the same shape (RFC 9725 section 4):
 *
 *   POST   <endpoint>       application/sdp offer -> 201 Created,
 *                           Location: <endpoint>/<session id>, ETag,
 *                           the answer (application/sdp)
 *   PATCH  <endpoint>/<id>  application/trickle-ice-sdpfrag -> 204
 *   DELETE <endpoint>/<id>  -> 200, the session ends
 *   OPTIONS any resource    -> 204 with CORS headers, Accept-Post/-Patch
 *   GET/HEAD <page>         pages the application registered: fixed
 *                           bytes (set_static()) or made on each request
 *                           (set_page_func()), optionally behind the token
 *
 * Everything else gets a 4xx with a text/plain reason: 404 unknown path or
 * session, 405 (with Allow) wrong method, 401 (with WWW-Authenticate:
 * Bearer) missing or wrong token, 415 wrong Content-Type, 413 body over
 * GST_WRTC_HTTP_SERVER_MAX_BODY, 400 empty or non-text body or bad
 * fragment, 409 a second publisher on an exclusive endpoint, 503 (with
 * Retry-After) when max-sessions are live, 412 If-Match not the session's
 * ETag, 422 ICE restart (If-Match: *, not supported).  Every response has
 * Access-Control-Allow-Origin: * and exposes Location, ETag and Link, and
 * has Connection: close: one request per connection.
 *
 * Threading: each started server runs its own thread ("wrtc-http") with
 * its own GMainContext; every callback runs on that thread, never on a
 * streaming thread, one at a time.  All functions here may be called from
 * any thread, callbacks included, except gst_wrtc_http_server_stop() and
 * dropping the last reference, which must not be done from a callback.
 * After stop() returns no callback runs any more.
 *
 * Sessions: the server names each session by 128 random bits in hex.  A
 * session whose offer callback did not fail synchronously gets exactly one
 * end callback: on DELETE, when an asynchronous offer is rejected, when
 * the client goes away before it got the answer, when the application ends
 * it with gst_wrtc_http_server_end_session(), or when the server stops.
 */
#ifndef __GST_WRTC_HTTP_SERVER_H__
#define __GST_WRTC_HTTP_SERVER_H__

#include <gio/gio.h>
#include <gst/gst.h>

#include "gstwrtcjson.h"
#include "gstwrtcfsm.h"
#include "gstwrtcsdpfrag.h"

G_BEGIN_DECLS
/* largest POST or PATCH body accepted (413 beyond) */
#define GST_WRTC_HTTP_SERVER_MAX_BODY (64 * 1024)
#define GST_WRTC_TYPE_HTTP_SERVER (gst_wrtc_http_server_get_type ())
G_DECLARE_FINAL_TYPE (GstWrtcHttpServer, gst_wrtc_http_server, GST_WRTC,
    HTTP_SERVER, GObject);

/* Errors the callbacks return to choose the HTTP status: the code is the
 * status.  GST_WRTC_JSEP_ERROR_NO_CODEC maps to 406, other errors to 400.
 * The message goes to the client as the body. */
#define GST_WRTC_HTTP_ERROR (gst_wrtc_http_error_quark ())
GQuark gst_wrtc_http_error_quark (void);

typedef enum
{
  GST_WRTC_HTTP_ERROR_BAD_REQUEST = 400,        /* malformed or invalid SDP */
  GST_WRTC_HTTP_ERROR_FORBIDDEN = 403,
  GST_WRTC_HTTP_ERROR_NOT_ACCEPTABLE = 406,     /* nothing in common */
  GST_WRTC_HTTP_ERROR_CONFLICT = 409,
  GST_WRTC_HTTP_ERROR_UNPROCESSABLE = 422,      /* e.g. unknown ufrag */
  GST_WRTC_HTTP_ERROR_INTERNAL = 500,
  GST_WRTC_HTTP_ERROR_UNAVAILABLE = 503,        /* sent with Retry-After */
} GstWrtcHttpError;

typedef enum
{
  /* viewers: many at once, up to max-sessions (503 beyond) */
  GST_WRTC_HTTP_ENDPOINT_WHEP,
  /* publishers: one at a time, another gets 409 Conflict, unless the
   * endpoint has GST_WRTC_HTTP_ENDPOINT_FLAG_ALLOW_MANY */
  GST_WRTC_HTTP_ENDPOINT_WHIP,
} GstWrtcHttpEndpointKind;

typedef enum
{
  GST_WRTC_HTTP_ENDPOINT_FLAG_NONE = 0,
  GST_WRTC_HTTP_ENDPOINT_FLAG_ALLOW_MANY = 1 << 0,
} GstWrtcHttpEndpointFlags;

typedef enum
{
  GST_WRTC_HTTP_END_DELETED,    /* the client sent DELETE */
  GST_WRTC_HTTP_END_REJECTED,   /* complete_offer() with an error */
  GST_WRTC_HTTP_END_CLIENT_GONE,        /* left before it got the answer */
  GST_WRTC_HTTP_END_APPLICATION,        /* gst_wrtc_http_server_end_session() */
  GST_WRTC_HTTP_END_SERVER_STOPPED,     /* gst_wrtc_http_server_stop() */
} GstWrtcHttpEndReason;

const gchar *gst_wrtc_http_end_reason_to_string (GstWrtcHttpEndReason reason);

/* A new session: @offer_sdp is UTF-8 text starting "v=" (its content is
 * not checked), @client_address the peer's IP address.  Returns the
 * answer SDP (transfer full) for a 201 at once; or NULL with @error set to
 * reject the offer (no end callback follows); or NULL without an error to
 * answer later with gst_wrtc_http_server_complete_offer() (the request
 * waits, counted against max-sessions). */
typedef gchar *(*GstWrtcHttpOfferFunc) (GstWrtcHttpServer * server,
    const gchar * endpoint, const gchar * session_id, const gchar * offer_sdp,
    const gchar * client_address, gpointer user_data, GError ** error);

/* Trickled candidates (a PATCH) for a live session, already parsed.
 * Return FALSE with @error to refuse them (status as for offers). */
typedef gboolean (*GstWrtcHttpCandidatesFunc) (GstWrtcHttpServer * server,
    const gchar * session_id, const GstWrtcSdpFrag * frag, gpointer user_data,
    GError ** error);

/* The session is over; its id is unknown to the server from now on. */
typedef void (*GstWrtcHttpEndFunc) (GstWrtcHttpServer * server,
    const gchar * session_id, GstWrtcHttpEndReason reason, gpointer user_data);

typedef struct
{
  GstWrtcHttpOfferFunc offer;   /* required */
  GstWrtcHttpCandidatesFunc candidates; /* NULL: PATCH gets 405 */
  GstWrtcHttpEndFunc end;       /* may be NULL */
} GstWrtcHttpCallbacks;

GstWrtcHttpServer *gst_wrtc_http_server_new (void);

/* Listens on @address (an IP literal or "localhost") and @port (0: any
 * free port; see get_url()); HTTPS when @tls_cert_file and @tls_key_file
 * (PEM paths) are given.  Fails if already started.  Errors: G_FILE_ERROR
 * (a file cannot be read) or G_TLS_ERROR (not a PEM certificate or key, or
 * no TLS backend: glib-networking) with the file named in the message;
 * G_IO_ERROR for the address and the socket. */
gboolean gst_wrtc_http_server_start (GstWrtcHttpServer * server,
    const gchar * address, guint port, const gchar * tls_cert_file,
    const gchar * tls_key_file, GError ** error);

/* Ends every session (end callbacks, reason SERVER_STOPPED), closes all
 * connections and joins the server thread.  Nothing when not started.
 * Started again with start(). */
void gst_wrtc_http_server_stop (GstWrtcHttpServer * server);

/* "http://127.0.0.1:8080/" (or https, or "http://[::1]:8080/"), or NULL
 * when not started.  Transfer full. */
gchar *gst_wrtc_http_server_get_url (GstWrtcHttpServer * server);

/* Bearer token required on POST, PATCH and DELETE (RFC 9725 section 4.5,
 * RFC 6750); NULL or "" for none. */
void gst_wrtc_http_server_set_token (GstWrtcHttpServer * server,
    const gchar * token);

/* Sessions at once over all endpoints, answering ones included; 0 (the
 * default) for no limit. */
void gst_wrtc_http_server_set_max_sessions (GstWrtcHttpServer * server,
    guint max_sessions);

/* STUN/TURN servers announced as Link: rel="ice-server" headers on 201
 * responses (RFC 9725 section 4.6), in any form gstwrtciceserver.h
 * accepts (the ICE transport's parser): "stun://host:port",
 * "turn(s)://user:password@host:port[?transport=udp]" (GStreamer's form)
 * or "stun:host:port" (RFC 7064).  Errors are G_IO_ERROR_INVALID_ARGUMENT
 * naming the URL and what is wrong.  NULL clears. */
gboolean gst_wrtc_http_server_set_ice_servers (GstWrtcHttpServer * server,
    const gchar * const *urls, GError ** error);

/* The ICE servers of set_ice_servers() as a JSON array of W3C
 * RTCIceServer dictionaries (RTCConfiguration.iceServers), e.g.
 * [{"urls":["turn:host:3478?transport=udp"],"username":"u",
 * "credential":"p"}]; "[]" when none.  Transfer full. */
gchar *gst_wrtc_http_server_get_ice_servers_json (GstWrtcHttpServer * server);

/* Serves @body with @content_type on GET and HEAD of @path ("/", ...);
 * a NULL @body removes the page (static or generated). */
void gst_wrtc_http_server_set_static (GstWrtcHttpServer * server,
    const gchar * path, const gchar * content_type, GBytes * body);

typedef enum
{
  GST_WRTC_HTTP_PAGE_FLAG_NONE = 0,
  /* GET and HEAD need the bearer token (set_token()) like the endpoints:
   * 401 without it */
  GST_WRTC_HTTP_PAGE_FLAG_TOKEN = 1 << 0,
} GstWrtcHttpPageFlags;

/* The body of a generated page, made for each GET or HEAD on the server
 * thread (transfer full); NULL with @error set answers with the error's
 * status (see GstWrtcHttpError). */
typedef GBytes *(*GstWrtcHttpPageFunc) (GstWrtcHttpServer * server,
    const gchar * path, gpointer user_data, GError ** error);

/* Serves what @func makes, with @content_type, on GET and HEAD of @path
 * (e.g. "/stats.json"); replaces any page at @path.  @notify frees
 * @user_data once the page is removed or replaced and no request uses it
 * any more, or when the server is finalized. */
void gst_wrtc_http_server_set_page_func (GstWrtcHttpServer * server,
    const gchar * path, const gchar * content_type, GstWrtcHttpPageFlags flags,
    GstWrtcHttpPageFunc func, gpointer user_data, GDestroyNotify notify);

/* What an element's pages need before they connect: the ICE servers of its
 * stun-server and turn-servers properties (set_ice_servers(): Link headers
 * on 201s, RFC 9725 section 4.6) and, behind the token (TURN
 * credentials), GET @path ("/config.json") serving
 * {"<endpoint>":"<endpoint>","iceServers":[RTCIceServer...],
 * "iceTransportPolicy":"all"|"relay","navigation":@navigation}, with
 * @endpoint relative to the page ("whep", "whip"); @navigation tells the
 * player page to send navigation events (webrtcsink's enable-navigation). */
gboolean gst_wrtc_http_server_set_page_config (GstWrtcHttpServer * server,
    const gchar * path, const gchar * endpoint, const gchar * stun_server,
    const gchar * const *turn_servers, gboolean relay_only,
    gboolean navigation, GError ** error);

/* A WHEP or WHIP endpoint at @path ("/whep": starts with '/', no trailing
 * '/'); sessions live at @path/<id>.  @callbacks is copied; @notify frees
 * @user_data when the server is finalized.  FALSE if @path is taken. */
gboolean gst_wrtc_http_server_add_endpoint (GstWrtcHttpServer * server,
    const gchar * path, GstWrtcHttpEndpointKind kind,
    GstWrtcHttpEndpointFlags flags, const GstWrtcHttpCallbacks * callbacks,
    gpointer user_data, GDestroyNotify notify);

/* Answers a session whose offer callback returned NULL without error:
 * 201 with @answer_sdp, or the status of @error (then the end callback
 * follows, reason REJECTED).  Any thread; queued to the server thread.
 * Ignored for unknown or already answered sessions. */
void gst_wrtc_http_server_complete_offer (GstWrtcHttpServer * server,
    const gchar * session_id, const gchar * answer_sdp, const GError * error);

/* Ends a session from the application's side (peer failed, kicked): its
 * URL gives 404 from now on, an unanswered offer gets 503, and the end
 * callback follows (reason APPLICATION).  Any thread; queued. */
void gst_wrtc_http_server_end_session (GstWrtcHttpServer * server,
    const gchar * session_id);

/* Sessions the server knows (answering and live). */
guint gst_wrtc_http_server_get_n_sessions (GstWrtcHttpServer * server);

/* Runs @func once after @ms milliseconds on the server's thread (where
 * the callbacks run); dropped (@destroy called at once) when the server is
 * not running, and with the server when it stops first. */
void gst_wrtc_http_server_add_timeout (GstWrtcHttpServer * server, guint ms,
    GSourceFunc func, gpointer data, GDestroyNotify destroy);

/* A session's state machine, internal to the server (states "answering",
 * "live", "ended"; legal edges: gstwrtchttpserver.c), for tests that try
 * every edge. */
const GstWrtcFsm *gst_wrtc_http_server_session_state_machine (void);

G_END_DECLS
#endif
