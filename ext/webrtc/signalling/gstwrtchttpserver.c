/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the WHEP/WHIP HTTP server (see the header).
 *
 * A request is checked twice by the same function: once when its headers
 * arrive (the early handler, so a request that is refused never has its
 * body stored), and again with its body.  Exchanges (RFC 9725 section 4):
 *
 *   client                                server thread        application
 *   POST /whep (offer)     ------->  checks, new session --> offer()
 *                                    <-- answer, or NULL: pause the request
 *                                        complete_offer() (any thread) --+
 *   201 Location ETag      <-------  unpause <-----------------------------+
 *   PATCH /whep/<id>       ------->  parse fragment -------> candidates()
 *   204                    <-------
 *   DELETE /whep/<id>      ------->  forget session -------> end()
 *   200                    <-------
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtchttpserver.h"
#include "gstwrtciceserver.h"
#include "gstwrtcinvoke.h"
#include "gstwrtcsdp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <gst/gst.h>
#include <gio/gnetworking.h>
#include <libsoup/soup.h>
#ifdef HAVE_GETRANDOM
#include <sys/random.h>
#endif

GST_DEBUG_CATEGORY_STATIC (wrtc_http_debug);
#define GST_CAT_DEFAULT wrtc_http_debug

#define SESSION_ID_BYTES 16     /* 128 bits */
#define ETAG_BYTES 8
#define RETRY_AFTER_SECONDS "5"
#define LISTEN_BACKLOG 256
/* accept() failed (EMFILE...): try again after this long */
#define ACCEPT_RETRY_MS 100
/* flush at most this many pending sources when the thread stops */
#define MAX_FLUSH_ITERATIONS 1000

#define MEDIA_TYPE_SDP "application/sdp"
#define MEDIA_TYPE_SDPFRAG "application/trickle-ice-sdpfrag"
#define MEDIA_TYPE_TEXT "text/plain; charset=utf-8"

/* libsoup interns method names but has no macro for PATCH (RFC 5789) */
#define METHOD_PATCH (g_intern_static_string ("PATCH"))

#define ALLOW_PAGE "GET, HEAD, OPTIONS"
#define ALLOW_ENDPOINT "POST, OPTIONS"
#define ALLOW_SESSION "PATCH, DELETE, OPTIONS"

G_DEFINE_QUARK (gst - wrtc - http - error - quark, gst_wrtc_http_error);

typedef struct
{
  gchar *path;
  GstWrtcHttpEndpointKind kind;
  GstWrtcHttpEndpointFlags flags;
  GstWrtcHttpCallbacks cb;
  gpointer user_data;
  GDestroyNotify notify;
} Endpoint;

typedef enum
{
  SESSION_ANSWERING,
  SESSION_LIVE,
  SESSION_ENDED,
} SessionState;

/* Only the server thread reads or changes a session; the sessions table
 * that holds it is guarded by the server's lock. */
typedef struct
{
  gchar *id;
  Endpoint *endpoint;           /* lives as long as the server */
  SessionState state;
  gchar *etag;                  /* "<hex>", quotes included */
  SoupServerMessage *msg;       /* the POST, until it finished */
  gboolean paused;              /* msg waits for complete_offer() */
  gboolean answer_written;      /* the 201 went out in full */
} Session;

/* Refcounted (g_atomic_rc_box): a request holds it while it runs. */
typedef struct
{
  gchar *content_type;
  GBytes *body;                 /* static pages */
  GstWrtcHttpPageFunc func;     /* generated pages */
  gpointer user_data;
  GDestroyNotify notify;
  GstWrtcHttpPageFlags flags;
} Page;

/* One STUN or TURN server, as RFC 7064/7065 put it and W3C RTCIceServer
 * takes it. */
typedef struct
{
  gchar *uri;                   /* "turn:host:3478?transport=udp" */
  gchar *username, *credential; /* NULL for STUN */
} IceServer;

struct _GstWrtcHttpServer
{
  GObject parent;

  /* serialises start() and stop() */
  GMutex control_lock;
  /* control_lock */
  GThread *thread;
  GMainLoop *loop;

  GMutex lock;
  /* all below: lock */
  gboolean running;             /* the thread accepts work */
  GMainContext *context;
  gchar *url;
  gchar *token;
  guint max_sessions;
  GPtrArray *ice_servers;       /* IceServer */
  GHashTable *endpoints;        /* path -> Endpoint */
  GHashTable *pages;            /* path -> Page */
  GHashTable *sessions;         /* id -> Session */

  /* server thread only */
  SoupServer *soup;
  GSocket *listener;
  GTlsCertificate *cert;        /* HTTPS, or NULL */
  GSource *accept_source;       /* listener readable, or a retry timeout */
};

G_DEFINE_TYPE_WITH_CODE (GstWrtcHttpServer, gst_wrtc_http_server,
    G_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (wrtc_http_debug, "wrtchttpserver", 0,
        "WHEP/WHIP HTTP server"));

static GQuark too_big_quark;

static gchar *ice_server_link (const IceServer * ice);

const gchar *
gst_wrtc_http_end_reason_to_string (GstWrtcHttpEndReason reason)
{
  switch (reason) {
    case GST_WRTC_HTTP_END_DELETED:
      return "deleted";
    case GST_WRTC_HTTP_END_REJECTED:
      return "rejected";
    case GST_WRTC_HTTP_END_CLIENT_GONE:
      return "client-gone";
    case GST_WRTC_HTTP_END_APPLICATION:
      return "application";
    case GST_WRTC_HTTP_END_SERVER_STOPPED:
      return "server-stopped";
  }
  return "invalid";
}

/* ------------------------------------------------------------------------
 * Helpers
 */

/* Unguessable ids (RFC 9725 section 4.2 lets the session URL be the only
 * secret): the kernel's CSPRNG, never GRand. */
static void
random_bytes (guint8 * buf, gsize n)
{
  FILE *f;

#ifdef HAVE_GETRANDOM
  while (n > 0) {
    ssize_t r = getrandom (buf, n, 0);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    buf += r;
    n -= r;
  }
  if (n == 0)
    return;
#endif
  f = fopen ("/dev/urandom", "rb");
  if (!f || fread (buf, 1, n, f) != n)
    g_error ("no source of random bytes for session ids");
  fclose (f);
}

static gchar *
random_hex (gsize n_bytes)
{
  guint8 buf[32];
  GString *s = g_string_sized_new (n_bytes * 2);

  g_assert (n_bytes <= sizeof (buf));
  random_bytes (buf, n_bytes);
  for (gsize i = 0; i < n_bytes; i++)
    g_string_append_printf (s, "%02x", buf[i]);
  return g_string_free (s, FALSE);
}

/* Compares in time independent of where the strings differ. */
static gboolean
token_equal (const gchar * given, const gchar * expected)
{
  gsize glen = strlen (given), elen = strlen (expected);
  guint diff = glen != elen;

  for (gsize i = 0; i < elen; i++)
    diff |= (guchar) expected[i] ^ (guchar) (i < glen ? given[i] : 0);
  return diff == 0;
}

static void
respond_text (SoupServerMessage * msg, guint status, const gchar * reason)
{
  gchar *body = g_strdup_printf ("%s\n", reason);

  GST_DEBUG ("%s %s -> %u %s", soup_server_message_get_method (msg),
      g_uri_get_path (soup_server_message_get_uri (msg)), status, reason);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, MEDIA_TYPE_TEXT, SOUP_MEMORY_TAKE,
      body, strlen (body));
  if (status == SOUP_STATUS_SERVICE_UNAVAILABLE)
    soup_message_headers_replace (soup_server_message_get_response_headers
        (msg), "Retry-After", RETRY_AFTER_SECONDS);
}

static guint
status_for_error (const GError * err)
{
  if (err->domain == GST_WRTC_HTTP_ERROR && err->code >= 400
      && err->code <= 599)
    return err->code;
  if (g_error_matches (err, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_NO_CODEC))
    return SOUP_STATUS_NOT_ACCEPTABLE;
  return SOUP_STATUS_BAD_REQUEST;
}

static void
respond_error (SoupServerMessage * msg, const GError * err)
{
  respond_text (msg, status_for_error (err), err->message);
}

/* The body as text: not empty, UTF-8, no NUL. */
static gchar *
body_text (SoupServerMessage * msg, const gchar * what)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  GBytes *bytes;
  const gchar *data;
  gsize len;
  gchar *text = NULL, *reason;

  if (g_object_get_qdata (G_OBJECT (msg), too_big_quark)
      || body->length > GST_WRTC_HTTP_SERVER_MAX_BODY) {
    reason = g_strdup_printf ("the %s is larger than %d bytes", what,
        GST_WRTC_HTTP_SERVER_MAX_BODY);
    respond_text (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, reason);
    g_free (reason);
    return NULL;
  }
  bytes = soup_message_body_flatten (body);
  data = g_bytes_get_data (bytes, &len);
  if (len == 0) {
    reason = g_strdup_printf ("the body is empty: expected an %s", what);
    respond_text (msg, SOUP_STATUS_BAD_REQUEST, reason);
    g_free (reason);
  } else if (memchr (data, '\0', len) || !g_utf8_validate_len (data, len, NULL)) {
    reason = g_strdup_printf ("the %s is not UTF-8 text", what);
    respond_text (msg, SOUP_STATUS_BAD_REQUEST, reason);
    g_free (reason);
  } else {
    text = g_strndup (data, len);
  }
  g_bytes_unref (bytes);
  return text;
}

/* ------------------------------------------------------------------------
 * Sessions
 *
 * The one place a session's state changes: session_set_state(), through
 * the helper (gstwrtcfsm.h) and this table.  Legal edges:
 *   answering -> live    the answer went out in a 201 (RFC 9725 section 4.2)
 *   answering -> ended   offer rejected, client gone before the answer,
 *                        end_session(), stop()
 *   live      -> ended   DELETE (section 4.4), end_session(), stop(), the
 *                        client never got its 201
 * A session is created answering when a POST passes every check, and is
 * freed once ended.
 */
#define TO GST_WRTC_FSM_TO
static const gchar *const session_state_names[] = {
  [SESSION_ANSWERING] = "answering",
  [SESSION_LIVE] = "live",
  [SESSION_ENDED] = "ended",
};

static const guint32 session_state_edges[] = {
  [SESSION_ANSWERING] = TO (SESSION_LIVE) | TO (SESSION_ENDED),
  [SESSION_LIVE] = TO (SESSION_ENDED),
  [SESSION_ENDED] = 0,
};

#undef TO

static const GstWrtcFsm session_state_machine = {
  "http-session", &wrtc_http_debug, G_N_ELEMENTS (session_state_names),
  session_state_names, session_state_edges
};

G_STATIC_ASSERT (G_N_ELEMENTS (session_state_edges) ==
    G_N_ELEMENTS (session_state_names));

const GstWrtcFsm *
gst_wrtc_http_server_session_state_machine (void)
{
  return &session_state_machine;
}

/* The caller checks first when the edge may be illegal, so a refusal here
 * is a bug. */
static void
session_set_state (Session * s, SessionState new_state)
{
  if (gst_wrtc_fsm_transition (&session_state_machine, NULL, s->id, s->state,
          new_state))
    s->state = new_state;
}

static void on_post_finished (SoupServerMessage * msg, Session * s);
static void on_post_wrote_body (SoupServerMessage * msg, Session * s);

static void
session_release_msg (Session * s)
{
  if (!s->msg)
    return;
  g_signal_handlers_disconnect_by_func (s->msg, on_post_finished, s);
  g_signal_handlers_disconnect_by_func (s->msg, on_post_wrote_body, s);
  if (s->paused)
    soup_server_message_unpause (s->msg);
  s->paused = FALSE;
  g_clear_object (&s->msg);
}

static void
session_free (Session * s)
{
  session_release_msg (s);
  g_free (s->id);
  g_free (s->etag);
  g_free (s);
}

static Session *
lookup_session (GstWrtcHttpServer * self, const gchar * id)
{
  Session *s;

  g_mutex_lock (&self->lock);
  s = g_hash_table_lookup (self->sessions, id);
  g_mutex_unlock (&self->lock);
  return s;
}

/* Forgets @s: ended, out of the table, its request let go; the caller
 * frees it. */
static void
session_forget (GstWrtcHttpServer * self, Session * s)
{
  g_mutex_lock (&self->lock);
  g_hash_table_steal (self->sessions, s->id);
  g_mutex_unlock (&self->lock);
  session_set_state (s, SESSION_ENDED);
  session_release_msg (s);
}

/* Ends @s and tells the application; frees @s.  A waiting request must
 * have its response set already. */
static void
session_end (GstWrtcHttpServer * self, Session * s, GstWrtcHttpEndReason reason)
{
  Endpoint *ep = s->endpoint;

  session_forget (self, s);
  GST_INFO ("session %s/%s ended: %s", ep->path, s->id,
      gst_wrtc_http_end_reason_to_string (reason));
  if (ep->cb.end)
    ep->cb.end (self, s->id, reason, ep->user_data);
  session_free (s);
}

static void
add_link_headers (GstWrtcHttpServer * self, SoupMessageHeaders * h)
{
  g_mutex_lock (&self->lock);
  for (guint i = 0; self->ice_servers && i < self->ice_servers->len; i++) {
    gchar *link = ice_server_link (g_ptr_array_index (self->ice_servers, i));

    soup_message_headers_append (h, "Link", link);
    g_free (link);
  }
  g_mutex_unlock (&self->lock);
}

/* 201 Created with the answer (RFC 9725 section 4.2); takes @answer. */
static void
session_answer (GstWrtcHttpServer * self, Session * s, gchar * answer)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (s->msg);
  gchar *location = g_strdup_printf ("%s/%s", s->endpoint->path, s->id);

  session_set_state (s, SESSION_LIVE);
  soup_server_message_set_status (s->msg, SOUP_STATUS_CREATED, NULL);
  soup_server_message_set_response (s->msg, MEDIA_TYPE_SDP, SOUP_MEMORY_TAKE,
      answer, strlen (answer));
  soup_message_headers_replace (h, "Location", location);
  /* RFC 9725 section 4.3.1: the entity-tag of the ICE session, matched
   * against If-Match on PATCH */
  soup_message_headers_replace (h, "ETag", s->etag);
  add_link_headers (self, h);
  GST_DEBUG ("POST %s -> 201 %s", s->endpoint->path, location);
  g_free (location);
}

static void
on_post_wrote_body (SoupServerMessage * msg, Session * s)
{
  if (s->state == SESSION_LIVE)
    s->answer_written = TRUE;
}

/* The POST is over: written, or the connection went away. */
static void
on_post_finished (SoupServerMessage * msg, Session * s)
{
  GstWrtcHttpServer *self = g_object_get_data (G_OBJECT (msg), "wrtc-server");

  if (s->state == SESSION_ANSWERING
      || (s->state == SESSION_LIVE && !s->answer_written)) {
    /* nobody will ever use this session's URL */
    s->paused = FALSE;
    session_end (self, s, GST_WRTC_HTTP_END_CLIENT_GONE);
    return;
  }
  session_release_msg (s);
}

/* ------------------------------------------------------------------------
 * Routing and the checks every request goes through
 */
typedef enum
{
  ROUTE_NONE,
  ROUTE_PAGE,
  ROUTE_ENDPOINT,
  ROUTE_SESSION,
} RouteKind;

typedef struct
{
  RouteKind kind;
  Endpoint *endpoint;
  const gchar *session_id;      /* points into the path */
  gboolean page_needs_token;
} Route;

static Route
route_locked (GstWrtcHttpServer * self, const gchar * path)
{
  Route r = { ROUTE_NONE, NULL, NULL, FALSE };
  const gchar *slash = strrchr (path, '/');
  Page *page;

  if ((r.endpoint = g_hash_table_lookup (self->endpoints, path))) {
    r.kind = ROUTE_ENDPOINT;
  } else if (slash && slash > path && slash[1] != '\0') {
    gchar *prefix = g_strndup (path, slash - path);

    if ((r.endpoint = g_hash_table_lookup (self->endpoints, prefix))) {
      r.kind = ROUTE_SESSION;
      r.session_id = slash + 1;
    }
    g_free (prefix);
  }
  if (r.kind == ROUTE_NONE && (page = g_hash_table_lookup (self->pages, path))) {
    r.kind = ROUTE_PAGE;
    r.page_needs_token = (page->flags & GST_WRTC_HTTP_PAGE_FLAG_TOKEN) != 0;
  }
  return r;
}

static const gchar *
allowed_methods (RouteKind kind)
{
  switch (kind) {
    case ROUTE_PAGE:
      return ALLOW_PAGE;
    case ROUTE_ENDPOINT:
      return ALLOW_ENDPOINT;
    case ROUTE_SESSION:
      return ALLOW_SESSION;
    default:
      return "";
  }
}

static gboolean
method_allowed (RouteKind kind, const gchar * method)
{
  /* soup interns methods: pointer comparison */
  if (method == SOUP_METHOD_OPTIONS)
    return TRUE;
  switch (kind) {
    case ROUTE_PAGE:
      return method == SOUP_METHOD_GET || method == SOUP_METHOD_HEAD;
    case ROUTE_ENDPOINT:
      return method == SOUP_METHOD_POST;
    case ROUTE_SESSION:
      return method == METHOD_PATCH || method == SOUP_METHOD_DELETE;
    default:
      return FALSE;
  }
}

/* RFC 9725 section 4.5 and RFC 6750 section 3. */
static gboolean
check_token_locked (GstWrtcHttpServer * self, SoupServerMessage * msg)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
  const gchar *auth;

  if (!self->token)
    return TRUE;
  auth = soup_message_headers_get_one (soup_server_message_get_request_headers
      (msg), "Authorization");
  if (!auth || g_ascii_strncasecmp (auth, "Bearer ", 7) != 0) {
    soup_message_headers_replace (h, "WWW-Authenticate",
        "Bearer realm=\"gst-plugins-webrtc\"");
    respond_text (msg, SOUP_STATUS_UNAUTHORIZED,
        "this server needs a bearer token (Authorization: Bearer <token>)");
    return FALSE;
  }
  auth += 7;
  while (*auth == ' ')
    auth++;
  if (!token_equal (auth, self->token)) {
    soup_message_headers_replace (h, "WWW-Authenticate",
        "Bearer realm=\"gst-plugins-webrtc\", error=\"invalid_token\"");
    respond_text (msg, SOUP_STATUS_UNAUTHORIZED, "wrong bearer token");
    return FALSE;
  }
  return TRUE;
}

static gboolean
check_content_type (SoupServerMessage * msg, const gchar * expected)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  const gchar *type = soup_message_headers_get_content_type (h, NULL);
  goffset length;

  if (!type || g_ascii_strcasecmp (type, expected) != 0) {
    gchar *reason = g_strdup_printf ("Content-Type must be %s, not %s",
        expected, type ? type : "missing");
    respond_text (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, reason);
    g_free (reason);
    return FALSE;
  }
  if (soup_message_headers_get_encoding (h) == SOUP_ENCODING_CONTENT_LENGTH) {
    length = soup_message_headers_get_content_length (h);
    if (length > GST_WRTC_HTTP_SERVER_MAX_BODY) {
      gchar *reason = g_strdup_printf ("the body is larger than %d bytes",
          GST_WRTC_HTTP_SERVER_MAX_BODY);
      respond_text (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, reason);
      g_free (reason);
      return FALSE;
    }
  }
  return TRUE;
}

/* What can be decided from the request line and headers.  Returns FALSE
 * with the response set when the request is refused; fills @route. */
static gboolean
check_request (GstWrtcHttpServer * self, SoupServerMessage * msg,
    const gchar * path, Route * route)
{
  const gchar *method = soup_server_message_get_method (msg);
  gboolean needs_token;

  g_mutex_lock (&self->lock);
  *route = route_locked (self, path);
  if (route->kind == ROUTE_NONE) {
    g_mutex_unlock (&self->lock);
    respond_text (msg, SOUP_STATUS_NOT_FOUND, "no such resource");
    return FALSE;
  }
  if (!method_allowed (route->kind, method)) {
    gchar *reason = g_strdup_printf ("%s is not allowed here (allowed: %s)",
        method, allowed_methods (route->kind));

    g_mutex_unlock (&self->lock);
    soup_message_headers_replace (soup_server_message_get_response_headers
        (msg), "Allow", allowed_methods (route->kind));
    respond_text (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, reason);
    g_free (reason);
    return FALSE;
  }
  /* OPTIONS is the CORS preflight: browsers send it without credentials */
  needs_token = (route->kind != ROUTE_PAGE || route->page_needs_token)
      && method != SOUP_METHOD_OPTIONS;
  if (needs_token && !check_token_locked (self, msg)) {
    g_mutex_unlock (&self->lock);
    return FALSE;
  }
  g_mutex_unlock (&self->lock);

  /* RFC 9725 section 4.2 (offer) and section 4.3.1 (fragment) */
  if (method == SOUP_METHOD_POST)
    return check_content_type (msg, MEDIA_TYPE_SDP);
  if (method == METHOD_PATCH)
    return check_content_type (msg, MEDIA_TYPE_SDPFRAG);
  return TRUE;
}

/* A chunked body has no Content-Length to check up front: stop storing it
 * once over the limit, and refuse it when it is complete. */
static void
on_got_chunk (SoupServerMessage * msg, GBytes * chunk, gpointer unused)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  if (body->length > GST_WRTC_HTTP_SERVER_MAX_BODY
      && !g_object_get_qdata (G_OBJECT (msg), too_big_quark)) {
    g_object_set_qdata (G_OBJECT (msg), too_big_quark, GINT_TO_POINTER (1));
    soup_message_body_set_accumulate (body, FALSE);
    soup_message_body_truncate (body);
  }
}

static void
early_handler (SoupServer * soup, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer user_data)
{
  GstWrtcHttpServer *self = user_data;
  Route route;

  if (soup_server_message_is_options_ping (msg))
    return;
  if (!check_request (self, msg, path, &route)) {
    /* refused: read the body past, without keeping it */
    soup_message_body_set_accumulate (soup_server_message_get_request_body
        (msg), FALSE);
    return;
  }
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), NULL);
}

/* ------------------------------------------------------------------------
 * The methods
 */
static void
handle_options (SoupServerMessage * msg, RouteKind kind)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);

  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
  soup_message_headers_replace (h, "Allow", allowed_methods (kind));
  soup_message_headers_replace (h, "Access-Control-Allow-Methods",
      allowed_methods (kind));
  soup_message_headers_replace (h, "Access-Control-Allow-Headers",
      "Authorization, Content-Type, If-Match");
  soup_message_headers_replace (h, "Access-Control-Max-Age", "86400");
  /* RFC 9725 section 4.2; RFC 5789 section 3.1 */
  if (kind == ROUTE_ENDPOINT)
    soup_message_headers_replace (h, "Accept-Post", MEDIA_TYPE_SDP);
  else if (kind == ROUTE_SESSION)
    soup_message_headers_replace (h, "Accept-Patch", MEDIA_TYPE_SDPFRAG);
}

static Page *
page_ref (Page * page)
{
  return g_atomic_rc_box_acquire (page);
}

static void
page_clear (Page * page)
{
  if (page->notify)
    page->notify (page->user_data);
  g_free (page->content_type);
  g_clear_pointer (&page->body, g_bytes_unref);
}

static void
page_unref (Page * page)
{
  g_atomic_rc_box_release_full (page, (GDestroyNotify) page_clear);
}

static void
handle_page (GstWrtcHttpServer * self, SoupServerMessage * msg,
    const gchar * path)
{
  Page *page;
  GBytes *body = NULL;
  GError *err = NULL;

  g_mutex_lock (&self->lock);
  if ((page = g_hash_table_lookup (self->pages, path)))
    page_ref (page);
  g_mutex_unlock (&self->lock);

  if (!page) {
    respond_text (msg, SOUP_STATUS_NOT_FOUND, "no such resource");
    return;
  }
  if (page->body) {
    body = g_bytes_ref (page->body);
  } else if (!(body = page->func (self, path, page->user_data, &err))) {
    if (!err)
      g_set_error_literal (&err, GST_WRTC_HTTP_ERROR,
          GST_WRTC_HTTP_ERROR_INTERNAL, "the page could not be made");
    respond_error (msg, err);
    g_clear_error (&err);
    page_unref (page);
    return;
  }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers
      (msg), "Cache-Control", "no-cache");
  soup_message_headers_set_content_type
      (soup_server_message_get_response_headers (msg), page->content_type,
      NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg),
      body);
  g_bytes_unref (body);
  page_unref (page);
}

static guint
count_sessions_locked (GstWrtcHttpServer * self, Endpoint * ep)
{
  GHashTableIter iter;
  Session *s;
  guint n = 0;

  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & s))
    n += s->endpoint == ep;
  return n;
}

/* POST to an endpoint: a new session (RFC 9725 section 4.2). */
static void
handle_post (GstWrtcHttpServer * self, SoupServerMessage * msg, Endpoint * ep)
{
  Session *s;
  gchar *offer, *answer, *reason, *tag;
  GError *err = NULL;

  if (!(offer = body_text (msg, "SDP offer")))
    return;
  if (!g_str_has_prefix (offer, "v=")) {
    respond_text (msg, SOUP_STATUS_BAD_REQUEST,
        "not an SDP offer: it must start with v=0");
    goto done;
  }

  g_mutex_lock (&self->lock);
  if (ep->kind == GST_WRTC_HTTP_ENDPOINT_WHIP
      && !(ep->flags & GST_WRTC_HTTP_ENDPOINT_FLAG_ALLOW_MANY)
      && count_sessions_locked (self, ep) > 0) {
    g_mutex_unlock (&self->lock);
    reason = g_strdup_printf ("a publisher is already live at %s", ep->path);
    respond_text (msg, SOUP_STATUS_CONFLICT, reason);
    g_free (reason);
    goto done;
  }
  if (self->max_sessions > 0
      && g_hash_table_size (self->sessions) >= self->max_sessions) {
    guint max = self->max_sessions;

    g_mutex_unlock (&self->lock);
    reason = g_strdup_printf ("the server is full (%u sessions)", max);
    respond_text (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, reason);
    g_free (reason);
    goto done;
  }
  s = g_new0 (Session, 1);
  s->id = random_hex (SESSION_ID_BYTES);
  tag = random_hex (ETAG_BYTES);
  s->etag = g_strdup_printf ("\"%s\"", tag);
  g_free (tag);
  s->endpoint = ep;
  s->state = SESSION_ANSWERING;
  s->msg = g_object_ref (msg);
  g_hash_table_insert (self->sessions, s->id, s);
  g_mutex_unlock (&self->lock);

  g_object_set_data (G_OBJECT (msg), "wrtc-server", self);
  g_signal_connect (msg, "wrote-body", G_CALLBACK (on_post_wrote_body), s);
  g_signal_connect (msg, "finished", G_CALLBACK (on_post_finished), s);

  GST_INFO ("session %s/%s: offer from %s", ep->path, s->id,
      soup_server_message_get_remote_host (msg));
  answer = ep->cb.offer (self, ep->path, s->id, offer,
      soup_server_message_get_remote_host (msg), ep->user_data, &err);
  if (answer) {
    session_answer (self, s, answer);
  } else if (err) {
    respond_error (msg, err);
    g_clear_error (&err);
    /* the application never saw this session live: no end callback */
    session_forget (self, s);
    session_free (s);
  } else {
    GST_DEBUG ("session %s/%s: answer pending", ep->path, s->id);
    s->paused = TRUE;
    soup_server_message_pause (msg);
  }

done:
  g_free (offer);
}

/* If-Match (RFC 9725 section 4.3.1, RFC 9110 section 13.1.1): FALSE with
 * the response set when the request must not go on. */
static gboolean
check_if_match (SoupServerMessage * msg, Session * s)
{
  const gchar *if_match =
      soup_message_headers_get_list (soup_server_message_get_request_headers
      (msg), "If-Match");
  gchar **tags;
  gboolean match = FALSE;

  if (!if_match)
    return TRUE;
  tags = g_strsplit (if_match, ",", 0);
  for (guint i = 0; tags[i]; i++) {
    g_strstrip (tags[i]);
    if (strcmp (tags[i], "*") == 0) {
      /* section 4.3.2: an ICE restart, which this server does not do */
      g_strfreev (tags);
      respond_text (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY,
          "ICE restarts are not supported");
      return FALSE;
    }
    match |= strcmp (tags[i], s->etag) == 0;
  }
  g_strfreev (tags);
  if (!match) {
    respond_text (msg, SOUP_STATUS_PRECONDITION_FAILED,
        "If-Match does not name the session's ICE session (ETag)");
    return FALSE;
  }
  return TRUE;
}

/* PATCH a session: trickle ICE (RFC 9725 section 4.3.1, RFC 8840). */
static void
handle_patch (GstWrtcHttpServer * self, SoupServerMessage * msg,
    const gchar * id)
{
  Session *s = lookup_session (self, id);
  GstWrtcSdpFrag *frag;
  GError *err = NULL;
  gchar *text, *reason;

  if (!s || s->state != SESSION_LIVE) {
    respond_text (msg, SOUP_STATUS_NOT_FOUND, "no such session");
    return;
  }
  if (!s->endpoint->cb.candidates) {
    soup_message_headers_replace (soup_server_message_get_response_headers
        (msg), "Allow", "DELETE, OPTIONS");
    respond_text (msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
        "this endpoint does not take trickled candidates");
    return;
  }
  if (!check_if_match (msg, s))
    return;
  if (!(text = body_text (msg, "SDP fragment")))
    return;
  frag = gst_wrtc_sdp_frag_parse (text, strlen (text), &err);
  g_free (text);
  if (!frag) {
    reason = g_strdup_printf ("bad SDP fragment: %s", err->message);
    respond_text (msg, g_error_matches (err, GST_WRTC_SDP_FRAG_ERROR,
            GST_WRTC_SDP_FRAG_ERROR_TOO_LARGE) ?
        SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE : SOUP_STATUS_BAD_REQUEST, reason);
    g_free (reason);
    g_clear_error (&err);
    return;
  }
  GST_DEBUG ("session %s/%s: %u candidates%s", s->endpoint->path, id,
      frag->candidates->len, frag->end_of_candidates ? ", end" : "");
  if (s->endpoint->cb.candidates (self, id, frag, s->endpoint->user_data, &err)) {
    soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
  } else {
    if (!err)
      g_set_error_literal (&err, GST_WRTC_HTTP_ERROR,
          GST_WRTC_HTTP_ERROR_UNPROCESSABLE, "candidates refused");
    respond_error (msg, err);
    g_clear_error (&err);
  }
  gst_wrtc_sdp_frag_free (frag);
}

/* DELETE a session (RFC 9725 section 4.4). */
static void
handle_delete (GstWrtcHttpServer * self, SoupServerMessage * msg,
    const gchar * id)
{
  Session *s = lookup_session (self, id);

  if (!s || s->state != SESSION_LIVE) {
    respond_text (msg, SOUP_STATUS_NOT_FOUND, "no such session");
    return;
  }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  session_end (self, s, GST_WRTC_HTTP_END_DELETED);
}

static void
handler (SoupServer * soup, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer user_data)
{
  GstWrtcHttpServer *self = user_data;
  const gchar *method = soup_server_message_get_method (msg);
  Route route;

  if (soup_server_message_is_options_ping (msg)) {
    soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
    return;
  }
  /* again, with the configuration as it is now */
  if (!check_request (self, msg, path, &route))
    return;

  if (method == SOUP_METHOD_OPTIONS) {
    handle_options (msg, route.kind);
    return;
  }
  switch (route.kind) {
    case ROUTE_PAGE:
      handle_page (self, msg, path);
      break;
    case ROUTE_ENDPOINT:
      handle_post (self, msg, route.endpoint);
      break;
    case ROUTE_SESSION:
      if (method == METHOD_PATCH)
        handle_patch (self, msg, route.session_id);
      else
        handle_delete (self, msg, route.session_id);
      break;
    default:
      g_assert_not_reached ();
  }
}

/* Headers every response carries, whoever writes it.
 *
 * "Connection: close" (RFC 9112 section 9.6): one request per connection,
 * closed by us once the response is written.  libsoup 3.2 (up to 3.2.3,
 * Debian 12) never closes a persistent connection that the client closes
 * while it is idle between requests: the read of the next request meets
 * the end of the stream, is dropped, and the socket stays in CLOSE-WAIT
 * with its descriptor and libsoup's connection objects until the server
 * stops (libsoup 3.3 fixed it, commit d20c6601).  No public call reaches
 * that connection, and a WHEP/WHIP client closes one after each session
 * (gstwrtchttpclient.c after every request): a sink serving viewers for
 * days would run out of descriptors after about a thousand sessions.  A
 * session is a few requests far apart, so reusing the connection saves
 * little. */
static void
on_request_started (SoupServer * soup, SoupServerMessage * msg,
    gpointer user_data)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (h, "Access-Control-Allow-Origin", "*");
  soup_message_headers_replace (h, "Access-Control-Expose-Headers",
      "Location, ETag, Link, Accept-Post, Accept-Patch");
  soup_message_headers_replace (h, "Connection", "close");
}

/* ------------------------------------------------------------------------
 * The server thread
 */
/* Queues @func on the server thread; FALSE (and @data destroyed) when the
 * server is not running. */
static gboolean
invoke_async (GstWrtcHttpServer * self, GSourceFunc func, gpointer data,
    GDestroyNotify destroy)
{
  GSource *source;

  g_mutex_lock (&self->lock);
  if (!self->running) {
    g_mutex_unlock (&self->lock);
    destroy (data);
    return FALSE;
  }
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, destroy);
  g_source_set_static_name (source, "wrtc-http-invoke");
  g_source_attach (source, self->context);
  g_source_unref (source);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

static gpointer
thread_func (gpointer data)
{
  GMainLoop *loop = data;
  GMainContext *context = g_main_loop_get_context (loop);
  guint i;

  g_main_context_push_thread_default (context);
  g_main_loop_run (loop);
  /* what the teardown left queued (closing connections) */
  for (i = 0; i < MAX_FLUSH_ITERATIONS
      && g_main_context_iteration (context, FALSE); i++);
  g_main_context_pop_thread_default (context);
  return NULL;
}

/* Connections are accepted here rather than by soup_server_listen_socket():
 * libsoup 3.2's listener leaks the GSocket of every connection it accepts
 * (about 350 bytes each, two connections per session), which
 * soup_server_accept_iostream() does not.  HTTPS is a GTlsServerConnection
 * of ours, its handshake done by the first read. */
static void watch_listener (GstWrtcHttpServer * self, guint delay_ms);

static void
accept_connection (GstWrtcHttpServer * self, GSocket * sock)
{
  static const gchar *alpn[] = { "http/1.1", "http/1.0", NULL };
  GSocketConnection *conn = g_socket_connection_factory_create_connection
      (sock);
  GIOStream *stream = G_IO_STREAM (g_object_ref (conn));
  GSocketAddress *local = g_socket_get_local_address (sock, NULL);
  GSocketAddress *remote = g_socket_get_remote_address (sock, NULL);
  GError *err = NULL;

  /* requests and responses are small and come one at a time */
  g_socket_set_option (sock, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  if (self->cert) {
    g_object_unref (stream);
    stream = g_tls_server_connection_new (G_IO_STREAM (conn), self->cert, &err);
    if (stream) {
      g_tls_connection_set_require_close_notify (G_TLS_CONNECTION (stream),
          FALSE);
      g_tls_connection_set_advertised_protocols (G_TLS_CONNECTION (stream),
          alpn);
    }
  }
  if (!stream || !local || !remote) {
    GST_WARNING_OBJECT (self, "dropping a connection: %s",
        err ? err->message : "no address");
    g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  } else if (!soup_server_accept_iostream (self->soup, stream, local, remote,
          &err)) {
    GST_WARNING_OBJECT (self, "dropping a connection: %s", err->message);
    g_io_stream_close (stream, NULL, NULL);
  }
  g_clear_error (&err);
  g_clear_object (&stream);
  g_clear_object (&local);
  g_clear_object (&remote);
  g_object_unref (conn);
}

static gboolean
on_incoming (GSocket * listener, GIOCondition condition, gpointer user_data)
{
  GstWrtcHttpServer *self = user_data;
  GSocket *sock;
  GError *err = NULL;

  while ((sock = g_socket_accept (listener, NULL, &err))) {
    accept_connection (self, sock);
    g_object_unref (sock);
  }
  if (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
    g_error_free (err);
    return G_SOURCE_CONTINUE;
  }
  /* out of descriptors (EMFILE), say: the connection stays queued and the
   * listener readable; try again later rather than spin */
  GST_WARNING_OBJECT (self, "cannot accept a connection: %s", err->message);
  g_error_free (err);
  watch_listener (self, ACCEPT_RETRY_MS);
  return G_SOURCE_REMOVE;
}

static gboolean
on_accept_retry (gpointer user_data)
{
  watch_listener (user_data, 0);
  return G_SOURCE_REMOVE;
}

/* Accepts connections as they come, or after @delay_ms.  Server thread. */
static void
watch_listener (GstWrtcHttpServer * self, guint delay_ms)
{
  GSource *source;

  if (self->accept_source) {
    g_source_destroy (self->accept_source);
    g_source_unref (self->accept_source);
  }
  if (delay_ms) {
    source = g_timeout_source_new (delay_ms);
    g_source_set_callback (source, on_accept_retry, self, NULL);
  } else {
    source = g_socket_create_source (self->listener, G_IO_IN, NULL);
    g_source_set_callback (source, (GSourceFunc) on_incoming, self, NULL);
  }
  g_source_set_static_name (source, "wrtc-http-accept");
  g_source_attach (source, g_main_context_get_thread_default ());
  self->accept_source = source;
}

typedef struct
{
  GstWrtcHttpServer *self;
  GInetAddress *address;
  guint port;
  GTlsCertificate *cert;
  gchar *url;
  GError *error;
} Setup;

static gboolean
setup_on_thread (gpointer data)
{
  Setup *st = data;
  GstWrtcHttpServer *self = st->self;
  GSocketAddress *sockaddr, *local;
  GSocket *sock;

  self->soup = soup_server_new ("server-header", "gst-plugins-webrtc ",
      "tls-certificate", st->cert, NULL);
  soup_server_add_early_handler (self->soup, NULL, early_handler, self, NULL);
  soup_server_add_handler (self->soup, NULL, handler, self, NULL);
  g_signal_connect (self->soup, "request-started",
      G_CALLBACK (on_request_started), self);

  /* our own listening socket: GSocket's backlog of 10 resets connections
   * when a hundred viewers arrive at once */
  sockaddr = g_inet_socket_address_new (st->address, st->port);
  sock = g_socket_new (g_socket_address_get_family (sockaddr),
      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &st->error);
  if (sock) {
    g_socket_set_listen_backlog (sock, LISTEN_BACKLOG);
    g_socket_set_blocking (sock, FALSE);
    if (!g_socket_bind (sock, sockaddr, TRUE, &st->error)
        || !g_socket_listen (sock, &st->error))
      g_clear_object (&sock);
  }
  g_object_unref (sockaddr);
  if (!sock) {
    g_clear_object (&self->soup);
    return G_SOURCE_REMOVE;
  }
  self->listener = sock;
  self->cert = st->cert ? g_object_ref (st->cert) : NULL;
  watch_listener (self, 0);

  /* the URL from the bound socket (the port, when 0 was asked) */
  local = g_socket_get_local_address (sock, &st->error);
  if (local) {
    gchar *host = g_inet_address_to_string
        (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local)));
    guint16 port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS
        (local));

    st->url = g_strdup_printf (strchr (host, ':') ? "%s://[%s]:%u/" :
        "%s://%s:%u/", st->cert ? "https" : "http", host, port);
    g_free (host);
    g_object_unref (local);
  }
  return G_SOURCE_REMOVE;
}

static gboolean
teardown_on_thread (gpointer data)
{
  GstWrtcHttpServer *self = data;
  GList *sessions, *l;

  g_mutex_lock (&self->lock);
  self->running = FALSE;
  sessions = g_hash_table_get_values (self->sessions);
  g_mutex_unlock (&self->lock);

  for (l = sessions; l; l = l->next) {
    Session *s = l->data;

    if (s->paused)
      respond_text (s->msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
          "the server is stopping");
    session_end (self, s, GST_WRTC_HTTP_END_SERVER_STOPPED);
  }
  g_list_free (sessions);

  if (self->accept_source) {
    g_source_destroy (self->accept_source);
    g_clear_pointer (&self->accept_source, g_source_unref);
  }
  if (self->listener) {
    g_socket_close (self->listener, NULL);
    g_clear_object (&self->listener);
  }
  g_clear_object (&self->cert);
  if (self->soup) {
    soup_server_disconnect (self->soup);
    g_clear_object (&self->soup);
  }
  g_main_loop_quit (self->loop);
  return G_SOURCE_REMOVE;
}

/* The certificate (chain) and its private key, each error naming the file
 * at fault. */
static GTlsCertificate *
load_certificate (const gchar * cert_file, const gchar * key_file,
    GError ** error)
{
  GTlsCertificate *cert = NULL;
  gchar *cert_pem = NULL, *key_pem = NULL;
  GError *err = NULL;

  if (!g_file_get_contents (cert_file, &cert_pem, NULL, &err)) {
    g_propagate_prefixed_error (error, err, "TLS certificate file: ");
    goto done;
  }
  if (!g_file_get_contents (key_file, &key_pem, NULL, &err)) {
    g_propagate_prefixed_error (error, err, "TLS key file: ");
    goto done;
  }
  /* the certificate alone first, so a bad key is told apart */
  if (!(cert = g_tls_certificate_new_from_pem (cert_pem, -1, &err))) {
    g_propagate_prefixed_error (error, err,
        "TLS certificate file '%s' holds no usable PEM certificate: ",
        cert_file);
    goto done;
  }
  g_object_unref (cert);
  if (!(cert = g_tls_certificate_new_from_files (cert_file, key_file, &err)))
    g_propagate_prefixed_error (error, err,
        "TLS key file '%s' holds no usable PEM private key: ", key_file);

done:
  g_free (cert_pem);
  if (key_pem)
    memset (key_pem, 0, strlen (key_pem));
  g_free (key_pem);
  return cert;
}

/* ------------------------------------------------------------------------
 * API
 */
GstWrtcHttpServer *
gst_wrtc_http_server_new (void)
{
  return g_object_new (GST_WRTC_TYPE_HTTP_SERVER, NULL);
}

gboolean
gst_wrtc_http_server_start (GstWrtcHttpServer * self, const gchar * address,
    guint port, const gchar * tls_cert_file, const gchar * tls_key_file,
    GError ** error)
{
  Setup st = { self, NULL, port, NULL, NULL, NULL };
  GMainContext *context;

  g_return_val_if_fail (GST_WRTC_IS_HTTP_SERVER (self), FALSE);
  g_return_val_if_fail (port <= 65535, FALSE);
  g_return_val_if_fail ((tls_cert_file == NULL) == (tls_key_file == NULL),
      FALSE);

  g_mutex_lock (&self->control_lock);
  if (self->thread)
    goto already_started;
  if (!address || g_ascii_strcasecmp (address, "localhost") == 0)
    address = "127.0.0.1";
  if (!(st.address = g_inet_address_new_from_string (address)))
    goto bad_address;
  if (tls_cert_file && !(st.cert = load_certificate (tls_cert_file,
              tls_key_file, error)))
    goto fail;

  context = g_main_context_new ();
  self->loop = g_main_loop_new (context, FALSE);
  g_mutex_lock (&self->lock);
  self->context = context;
  g_mutex_unlock (&self->lock);
  self->thread = g_thread_new ("wrtc-http", thread_func, self->loop);

  gst_wrtc_invoke_sync (context, setup_on_thread, &st, "wrtc-http-sync");
  if (st.error) {
    g_propagate_prefixed_error (error, g_steal_pointer (&st.error),
        "cannot listen on %s port %u: ", address, port);
    gst_wrtc_invoke_sync (context, teardown_on_thread, self, "wrtc-http-sync");
    g_thread_join (g_steal_pointer (&self->thread));
    g_mutex_lock (&self->lock);
    self->context = NULL;
    g_mutex_unlock (&self->lock);
    g_clear_pointer (&self->loop, g_main_loop_unref);
    g_main_context_unref (context);
    goto fail;
  }

  g_mutex_lock (&self->lock);
  self->running = TRUE;
  self->url = g_steal_pointer (&st.url);
  GST_INFO_OBJECT (self, "serving %s", self->url);
  g_mutex_unlock (&self->lock);
  g_mutex_unlock (&self->control_lock);
  g_object_unref (st.address);
  g_clear_object (&st.cert);
  return TRUE;

  /* ERRORS */
already_started:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
      "the HTTP server is already started");
  goto fail;
bad_address:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
      "'%s' is not an IP address", address);
  goto fail;
fail:
  g_mutex_unlock (&self->control_lock);
  g_clear_object (&st.address);
  g_clear_object (&st.cert);
  return FALSE;
}

void
gst_wrtc_http_server_stop (GstWrtcHttpServer * self)
{
  GMainContext *context;

  g_return_if_fail (GST_WRTC_IS_HTTP_SERVER (self));

  g_mutex_lock (&self->control_lock);
  if (!self->thread) {
    g_mutex_unlock (&self->control_lock);
    return;
  }
  if (self->thread == g_thread_self ()) {
    g_mutex_unlock (&self->control_lock);
    g_critical ("gst_wrtc_http_server_stop() called from a server callback");
    return;
  }
  gst_wrtc_invoke_sync (self->context, teardown_on_thread, self,
      "wrtc-http-sync");
  g_thread_join (g_steal_pointer (&self->thread));

  g_mutex_lock (&self->lock);
  context = g_steal_pointer (&self->context);
  g_clear_pointer (&self->url, g_free);
  g_mutex_unlock (&self->lock);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  /* frees what complete_offer() and friends queued too late */
  g_main_context_unref (context);
  g_mutex_unlock (&self->control_lock);
  GST_INFO_OBJECT (self, "stopped");
}

gchar *
gst_wrtc_http_server_get_url (GstWrtcHttpServer * self)
{
  gchar *url;

  g_return_val_if_fail (GST_WRTC_IS_HTTP_SERVER (self), NULL);
  g_mutex_lock (&self->lock);
  url = g_strdup (self->url);
  g_mutex_unlock (&self->lock);
  return url;
}

void
gst_wrtc_http_server_set_token (GstWrtcHttpServer * self, const gchar * token)
{
  g_return_if_fail (GST_WRTC_IS_HTTP_SERVER (self));
  g_mutex_lock (&self->lock);
  g_free (self->token);
  self->token = token && *token ? g_strdup (token) : NULL;
  g_mutex_unlock (&self->lock);
}

void
gst_wrtc_http_server_set_max_sessions (GstWrtcHttpServer * self,
    guint max_sessions)
{
  g_return_if_fail (GST_WRTC_IS_HTTP_SERVER (self));
  g_mutex_lock (&self->lock);
  self->max_sessions = max_sessions;
  g_mutex_unlock (&self->lock);
}

static void
ice_server_free (IceServer * ice)
{
  g_free (ice->uri);
  g_free (ice->username);
  g_free (ice->credential);
  g_free (ice);
}

/* Any form gstwrtciceserver.h accepts, as the ICE transport reads the same
 * properties; announced in RFC 7064/7065 form with the credentials apart.
 * Errors keep this function's G_IO_ERROR domain and the parser's
 * message. */
static IceServer *
ice_server_parse (const gchar * url, GError ** error)
{
  GError *err = NULL;
  GstWrtcIceServer *parsed = gst_wrtc_ice_server_parse (url, NULL, NULL,
      &err);
  IceServer *ice;

  if (!parsed) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        err->message);
    g_error_free (err);
    return NULL;
  }
  ice = g_new0 (IceServer, 1);
  ice->uri = gst_wrtc_ice_server_to_uri (parsed);
  ice->username = g_steal_pointer (&parsed->username);
  ice->credential = g_steal_pointer (&parsed->credential);
  gst_wrtc_ice_server_free (parsed);
  return ice;
}

/* quoted-string (RFC 9110 section 5.6.4); control characters were refused
 * by gst_wrtc_ice_server_parse() */
static void
append_quoted (GString * s, const gchar * value)
{
  g_string_append_c (s, '"');
  for (; *value; value++) {
    if (*value == '"' || *value == '\\')
      g_string_append_c (s, '\\');
    g_string_append_c (s, *value);
  }
  g_string_append_c (s, '"');
}

/* One Link header value (RFC 9725 section 4.6, RFC 8288). */
static gchar *
ice_server_link (const IceServer * ice)
{
  GString *s = g_string_new ("<");

  g_string_append_printf (s, "%s>; rel=\"ice-server\"", ice->uri);
  if (ice->username) {
    g_string_append (s, "; username=");
    append_quoted (s, ice->username);
    g_string_append (s, "; credential=");
    append_quoted (s, ice->credential);
    g_string_append (s, "; credential-type=\"password\"");
  }
  return g_string_free (s, FALSE);
}

gboolean
gst_wrtc_http_server_set_ice_servers (GstWrtcHttpServer * self,
    const gchar * const *urls, GError ** error)
{
  GPtrArray *servers = NULL;

  g_return_val_if_fail (GST_WRTC_IS_HTTP_SERVER (self), FALSE);

  for (guint i = 0; urls && urls[i]; i++) {
    IceServer *ice = ice_server_parse (urls[i], error);

    if (!ice) {
      g_clear_pointer (&servers, g_ptr_array_unref);
      return FALSE;
    }
    if (!servers)
      servers = g_ptr_array_new_with_free_func ((GDestroyNotify)
          ice_server_free);
    g_ptr_array_add (servers, ice);
  }
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->ice_servers, g_ptr_array_unref);
  self->ice_servers = servers;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

/* W3C webrtc section 4.2.1 (RTCIceServer) */
gchar *
gst_wrtc_http_server_get_ice_servers_json (GstWrtcHttpServer * self)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (GST_WRTC_IS_HTTP_SERVER (self), NULL);
  gst_wrtc_json_begin_array (out);
  g_mutex_lock (&self->lock);
  for (guint i = 0; self->ice_servers && i < self->ice_servers->len; i++) {
    IceServer *ice = g_ptr_array_index (self->ice_servers, i);

    gst_wrtc_json_begin_object (out);
    gst_wrtc_json_member (out, "urls");
    gst_wrtc_json_begin_array (out);
    gst_wrtc_json_add_string (out, ice->uri);
    gst_wrtc_json_end_array (out);
    if (ice->username) {
      gst_wrtc_json_member (out, "username");
      gst_wrtc_json_add_string (out, ice->username);
      gst_wrtc_json_member (out, "credential");
      gst_wrtc_json_add_string (out, ice->credential);
    }
    gst_wrtc_json_end_object (out);
  }
  g_mutex_unlock (&self->lock);
  gst_wrtc_json_end_array (out);
  return g_string_free (out, FALSE);
}

static void
set_page (GstWrtcHttpServer * self, const gchar * path, Page * page)
{
  g_mutex_lock (&self->lock);
  if (page)
    g_hash_table_replace (self->pages, g_strdup (path), page);
  else
    g_hash_table_remove (self->pages, path);
  g_mutex_unlock (&self->lock);
}

void
gst_wrtc_http_server_set_static (GstWrtcHttpServer * self, const gchar * path,
    const gchar * content_type, GBytes * body)
{
  Page *page = NULL;

  g_return_if_fail (GST_WRTC_IS_HTTP_SERVER (self));
  g_return_if_fail (path != NULL && path[0] == '/');
  g_return_if_fail (body == NULL || content_type != NULL);

  if (body) {
    page = g_atomic_rc_box_new0 (Page);
    page->content_type = g_strdup (content_type);
    page->body = g_bytes_ref (body);
  }
  set_page (self, path, page);
}

void
gst_wrtc_http_server_set_page_func (GstWrtcHttpServer * self,
    const gchar * path, const gchar * content_type, GstWrtcHttpPageFlags flags,
    GstWrtcHttpPageFunc func, gpointer user_data, GDestroyNotify notify)
{
  Page *page;

  g_return_if_fail (GST_WRTC_IS_HTTP_SERVER (self));
  g_return_if_fail (path != NULL && path[0] == '/');
  g_return_if_fail (content_type != NULL && func != NULL);

  page = g_atomic_rc_box_new0 (Page);
  page->content_type = g_strdup (content_type);
  page->func = func;
  page->user_data = user_data;
  page->notify = notify;
  page->flags = flags;
  set_page (self, path, page);
}

static void
endpoint_free (Endpoint * ep)
{
  if (ep->notify)
    ep->notify (ep->user_data);
  g_free (ep->path);
  g_free (ep);
}

gboolean
gst_wrtc_http_server_add_endpoint (GstWrtcHttpServer * self,
    const gchar * path, GstWrtcHttpEndpointKind kind,
    GstWrtcHttpEndpointFlags flags, const GstWrtcHttpCallbacks * callbacks,
    gpointer user_data, GDestroyNotify notify)
{
  Endpoint *ep;

  g_return_val_if_fail (GST_WRTC_IS_HTTP_SERVER (self), FALSE);
  g_return_val_if_fail (path != NULL && path[0] == '/' && path[1] != '\0'
      && !g_str_has_suffix (path, "/") && !strchr (path, '?'), FALSE);
  g_return_val_if_fail (callbacks != NULL && callbacks->offer != NULL, FALSE);

  g_mutex_lock (&self->lock);
  if (g_hash_table_contains (self->endpoints, path)) {
    g_mutex_unlock (&self->lock);
    GST_WARNING_OBJECT (self, "endpoint %s exists already", path);
    return FALSE;
  }
  ep = g_new0 (Endpoint, 1);
  ep->path = g_strdup (path);
  ep->kind = kind;
  ep->flags = flags;
  ep->cb = *callbacks;
  ep->user_data = user_data;
  ep->notify = notify;
  g_hash_table_insert (self->endpoints, ep->path, ep);
  g_mutex_unlock (&self->lock);
  GST_INFO_OBJECT (self, "%s endpoint at %s",
      kind == GST_WRTC_HTTP_ENDPOINT_WHIP ? "WHIP" : "WHEP", path);
  return TRUE;
}

typedef struct
{
  GstWrtcHttpServer *self;      /* alive: the thread is joined first */
  gchar *id;
  gchar *answer;
  GError *error;
} Completion;

static void
completion_free (Completion * c)
{
  g_free (c->id);
  g_free (c->answer);
  g_clear_error (&c->error);
  g_free (c);
}

static gboolean
complete_offer_on_thread (gpointer data)
{
  Completion *c = data;
  Session *s = lookup_session (c->self, c->id);

  if (!s || s->state != SESSION_ANSWERING || !s->paused) {
    GST_DEBUG ("complete_offer() for %s: no session waits for an answer",
        c->id);
    return G_SOURCE_REMOVE;
  }
  if (c->answer) {
    session_answer (c->self, s, g_steal_pointer (&c->answer));
    s->paused = FALSE;
    soup_server_message_unpause (s->msg);
  } else {
    respond_error (s->msg, c->error);
    session_end (c->self, s, GST_WRTC_HTTP_END_REJECTED);
  }
  return G_SOURCE_REMOVE;
}

void
gst_wrtc_http_server_complete_offer (GstWrtcHttpServer * self,
    const gchar * session_id, const gchar * answer_sdp, const GError * error)
{
  Completion *c;

  g_return_if_fail (GST_WRTC_IS_HTTP_SERVER (self));
  g_return_if_fail (session_id != NULL);
  g_return_if_fail ((answer_sdp == NULL) != (error == NULL));

  c = g_new0 (Completion, 1);
  c->self = self;
  c->id = g_strdup (session_id);
  c->answer = g_strdup (answer_sdp);
  c->error = error ? g_error_copy (error) : NULL;
  invoke_async (self, complete_offer_on_thread, c,
      (GDestroyNotify) completion_free);
}

static gboolean
end_session_on_thread (gpointer data)
{
  Completion *c = data;
  Session *s = lookup_session (c->self, c->id);

  if (!s)
    return G_SOURCE_REMOVE;
  if (s->paused)
    respond_text (s->msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
        "the session was ended before its answer");
  session_end (c->self, s, GST_WRTC_HTTP_END_APPLICATION);
  return G_SOURCE_REMOVE;
}

void
gst_wrtc_http_server_end_session (GstWrtcHttpServer * self,
    const gchar * session_id)
{
  Completion *c;

  g_return_if_fail (GST_WRTC_IS_HTTP_SERVER (self));
  g_return_if_fail (session_id != NULL);

  c = g_new0 (Completion, 1);
  c->self = self;
  c->id = g_strdup (session_id);
  invoke_async (self, end_session_on_thread, c,
      (GDestroyNotify) completion_free);
}

guint
gst_wrtc_http_server_get_n_sessions (GstWrtcHttpServer * self)
{
  guint n;

  g_return_val_if_fail (GST_WRTC_IS_HTTP_SERVER (self), 0);
  g_mutex_lock (&self->lock);
  n = g_hash_table_size (self->sessions);
  g_mutex_unlock (&self->lock);
  return n;
}

/* Runs @func once after @ms on the server's thread; a server that is not
 * running drops it (@destroy runs at once). */
void
gst_wrtc_http_server_add_timeout (GstWrtcHttpServer * self, guint ms,
    GSourceFunc func, gpointer data, GDestroyNotify destroy)
{
  GSource *source;

  g_return_if_fail (GST_WRTC_IS_HTTP_SERVER (self));
  g_mutex_lock (&self->lock);
  if (!self->running) {
    g_mutex_unlock (&self->lock);
    if (destroy)
      destroy (data);
    return;
  }
  source = g_timeout_source_new (ms);
  g_source_set_callback (source, func, data, destroy);
  g_source_set_static_name (source, "wrtc-http-timeout");
  g_source_attach (source, self->context);
  g_source_unref (source);
  g_mutex_unlock (&self->lock);
}

static void
gst_wrtc_http_server_finalize (GObject * object)
{
  GstWrtcHttpServer *self = GST_WRTC_HTTP_SERVER (object);

  gst_wrtc_http_server_stop (self);
  g_hash_table_unref (self->sessions);
  g_hash_table_unref (self->pages);
  g_hash_table_unref (self->endpoints);
  g_clear_pointer (&self->ice_servers, g_ptr_array_unref);
  g_free (self->token);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->control_lock);
  G_OBJECT_CLASS (gst_wrtc_http_server_parent_class)->finalize (object);
}

static void
gst_wrtc_http_server_class_init (GstWrtcHttpServerClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_wrtc_http_server_finalize;
  too_big_quark = g_quark_from_static_string ("wrtc-http-too-big");
}

static void
gst_wrtc_http_server_init (GstWrtcHttpServer * self)
{
  g_mutex_init (&self->control_lock);
  g_mutex_init (&self->lock);
  self->endpoints = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) endpoint_free);
  self->pages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) page_unref);
  self->sessions = g_hash_table_new (g_str_hash, g_str_equal);
}

typedef struct
{
  gchar *endpoint;
  gboolean relay_only;
  gboolean navigation;
} PageConfig;

static void
page_config_free (PageConfig * c)
{
  g_free (c->endpoint);
  g_free (c);
}

/* GET of the page configuration: {"<endpoint>":"<endpoint>","iceServers":
 * [...],"iceTransportPolicy":"all"|"relay","navigation":true|false} (the
 * endpoint relative to the page, as player.js and publish.js read it; the
 * ICE members as W3C RTCConfiguration members; navigation: whether the
 * player sends navigation events) */
static GBytes *
page_config_json (GstWrtcHttpServer * server, const gchar * path,
    gpointer user_data, GError ** error)
{
  const PageConfig *c = user_data;
  gchar *ice = gst_wrtc_http_server_get_ice_servers_json (server);
  GString *out = g_string_new (NULL);

  gst_wrtc_json_begin_object (out);
  gst_wrtc_json_member (out, c->endpoint);
  gst_wrtc_json_add_string (out, c->endpoint);
  gst_wrtc_json_member (out, "iceServers");
  gst_wrtc_json_add_raw (out, ice);
  gst_wrtc_json_member (out, "iceTransportPolicy");
  gst_wrtc_json_add_string (out, c->relay_only ? "relay" : "all");
  gst_wrtc_json_member (out, "navigation");
  gst_wrtc_json_add_boolean (out, c->navigation);
  gst_wrtc_json_end_object (out);
  g_string_append_c (out, '\n');
  g_free (ice);
  return g_string_free_to_bytes (out);
}

gboolean
gst_wrtc_http_server_set_page_config (GstWrtcHttpServer * self,
    const gchar * path, const gchar * endpoint, const gchar * stun_server,
    const gchar * const *turn_servers, gboolean relay_only,
    gboolean navigation, GError ** error)
{
  GPtrArray *urls = g_ptr_array_new ();
  PageConfig *c;
  gboolean ok;

  g_return_val_if_fail (GST_WRTC_IS_HTTP_SERVER (self), FALSE);
  g_return_val_if_fail (path && endpoint, FALSE);
  if (stun_server && *stun_server)
    g_ptr_array_add (urls, (gpointer) stun_server);
  for (guint i = 0; turn_servers && turn_servers[i]; i++)
    g_ptr_array_add (urls, (gpointer) turn_servers[i]);
  g_ptr_array_add (urls, NULL);
  ok = gst_wrtc_http_server_set_ice_servers (self,
      (const gchar * const *) urls->pdata, error);
  g_ptr_array_unref (urls);
  if (!ok)
    return FALSE;
  /* behind the token: TURN credentials */
  c = g_new0 (PageConfig, 1);
  c->endpoint = g_strdup (endpoint);
  c->relay_only = relay_only;
  c->navigation = navigation;
  gst_wrtc_http_server_set_page_func (self, path, "application/json",
      GST_WRTC_HTTP_PAGE_FLAG_TOKEN, page_config_json, c,
      (GDestroyNotify) page_config_free);
  return TRUE;
}
