/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the WHEP/WHIP client (see the header). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtchttpclient.h"

#include <string.h>
#include <gst/gst.h>
#include <libsoup/soup.h>

GST_DEBUG_CATEGORY_STATIC (wrtc_http_client_debug);
#define GST_CAT_DEFAULT wrtc_http_client_debug

#define DEFAULT_TIMEOUT_S 15
/* how much of an error body goes into the error message */
#define ERROR_BODY_CHARS 200

G_DEFINE_QUARK (gst - wrtc - http - client - error - quark,
    gst_wrtc_http_client_error);

static void
debug_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (wrtc_http_client_debug, "wrtchttpclient", 0,
        "WHEP/WHIP client");
    g_once_init_leave (&done, 1);
  }
}

void
gst_wrtc_http_client_session_free (GstWrtcHttpClientSession * session)
{
  if (!session)
    return;
  g_free (session->answer);
  g_free (session->location);
  g_free (session->etag);
  g_free (session);
}

static SoupMessage *
new_message (const gchar * method, const gchar * url, const gchar * token,
    GError ** error)
{
  GUri *uri;
  SoupMessage *msg;
  const gchar *scheme;

  debug_init ();
  uri = url ? g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL) : NULL;
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (!uri || !scheme || (g_ascii_strcasecmp (scheme, "http") != 0
          && g_ascii_strcasecmp (scheme, "https") != 0)
      || !g_uri_get_host (uri) || !*g_uri_get_host (uri)) {
    g_set_error (error, GST_WRTC_HTTP_CLIENT_ERROR,
        GST_WRTC_HTTP_CLIENT_ERROR_URL, "'%s' is not an http or https URL",
        url ? url : "(null)");
    if (uri)
      g_uri_unref (uri);
    return NULL;
  }
  msg = soup_message_new_from_uri (method, uri);
  g_uri_unref (uri);
  if (token && *token) {
    gchar *auth = g_strconcat ("Bearer ", token, NULL);
    soup_message_headers_replace (soup_message_get_request_headers (msg),
        "Authorization", auth);
    g_free (auth);
  }
  return msg;
}

/* Sends @msg; returns the body (up to MAX_BODY) or NULL with @error. */
static GBytes *
send_message (SoupMessage * msg, guint timeout_s, GCancellable * cancellable,
    GError ** error)
{
  SoupSession *session;
  GInputStream *in;
  GBytes *body = NULL;
  GError *err = NULL;

  session = soup_session_new_with_options ("timeout",
      timeout_s ? timeout_s : DEFAULT_TIMEOUT_S, "user-agent",
      "gst-plugins-webrtc", NULL);
  in = soup_session_send (session, msg, cancellable, &err);
  if (in) {
    body = g_input_stream_read_bytes (in, GST_WRTC_HTTP_CLIENT_MAX_BODY + 1,
        cancellable, &err);
    g_input_stream_close (in, NULL, NULL);
    g_object_unref (in);
  }
  g_object_unref (session);
  if (err) {
    gchar *uri = g_uri_to_string (soup_message_get_uri (msg));
    g_clear_pointer (&body, g_bytes_unref);
    g_set_error (error, GST_WRTC_HTTP_CLIENT_ERROR,
        GST_WRTC_HTTP_CLIENT_ERROR_NETWORK, "%s %s: %s",
        soup_message_get_method (msg), uri, err->message);
    g_free (uri);
    g_error_free (err);
    return NULL;
  }
  if (g_bytes_get_size (body) > GST_WRTC_HTTP_CLIENT_MAX_BODY) {
    g_bytes_unref (body);
    g_set_error (error, GST_WRTC_HTTP_CLIENT_ERROR,
        GST_WRTC_HTTP_CLIENT_ERROR_RESPONSE,
        "the response is larger than %u bytes", GST_WRTC_HTTP_CLIENT_MAX_BODY);
    return NULL;
  }
  return body;
}

/* The body as text, NULL when it is not valid UTF-8 or holds a NUL. */
static gchar *
body_text (GBytes * body)
{
  gsize n;
  const gchar *d = g_bytes_get_data (body, &n);

  if (!d || n == 0 || memchr (d, '\0', n) || !g_utf8_validate (d, n, NULL))
    return NULL;
  return g_strndup (d, n);
}

static void
set_status_error (SoupMessage * msg, GBytes * body, guint expected,
    GError ** error)
{
  gchar *text = body ? body_text (body) : NULL;
  gchar *uri = g_uri_to_string (soup_message_get_uri (msg));

  if (text && g_utf8_strlen (text, -1) > ERROR_BODY_CHARS) {
    gchar *end = g_utf8_offset_to_pointer (text, ERROR_BODY_CHARS);
    *end = '\0';
  }
  g_set_error (error, GST_WRTC_HTTP_CLIENT_ERROR,
      soup_message_get_status (msg) == SOUP_STATUS_SERVICE_UNAVAILABLE ?
      GST_WRTC_HTTP_CLIENT_ERROR_UNAVAILABLE :
      GST_WRTC_HTTP_CLIENT_ERROR_STATUS, "%s %s: %u %s (expected %u)%s%s",
      soup_message_get_method (msg), uri, soup_message_get_status (msg),
      soup_message_get_reason_phrase (msg) ?
      soup_message_get_reason_phrase (msg) : "", expected,
      text ? ": " : "", text ? g_strstrip (text) : "");
  g_free (uri);
  g_free (text);
}

GstWrtcHttpClientSession *
gst_wrtc_http_client_post_offer (const gchar * url, const gchar * token,
    const gchar * offer, guint timeout_s, GCancellable * cancellable,
    GError ** error)
{
  SoupMessage *msg;
  GBytes *req, *body;
  GstWrtcHttpClientSession *s = NULL;
  SoupMessageHeaders *h;
  const gchar *location, *ctype;
  gchar *answer = NULL;
  GUri *resolved;

  msg = new_message (SOUP_METHOD_POST, url, token, error);
  if (!msg)
    return NULL;
  req = g_bytes_new (offer, strlen (offer));
  soup_message_set_request_body_from_bytes (msg, "application/sdp", req);
  g_bytes_unref (req);
  body = send_message (msg, timeout_s, cancellable, error);
  if (!body)
    goto done;

  /* RFC 9725 section 4.2: 201 Created with the answer and Location */
  if (soup_message_get_status (msg) != SOUP_STATUS_CREATED) {
    set_status_error (msg, body, SOUP_STATUS_CREATED, error);
    goto done;
  }
  h = soup_message_get_response_headers (msg);
  ctype = soup_message_headers_get_content_type (h, NULL);
  location = soup_message_headers_get_one (h, "Location");
  answer = body_text (body);
  if (!ctype || g_ascii_strcasecmp (ctype, "application/sdp") != 0 || !answer
      || !g_str_has_prefix (answer, "v=")) {
    g_set_error (error, GST_WRTC_HTTP_CLIENT_ERROR,
        GST_WRTC_HTTP_CLIENT_ERROR_RESPONSE,
        "the 201 response from %s carries no SDP answer (Content-Type %s)",
        url, ctype ? ctype : "none");
    goto done;
  }
  if (!location || !*location) {
    g_set_error (error, GST_WRTC_HTTP_CLIENT_ERROR,
        GST_WRTC_HTTP_CLIENT_ERROR_RESPONSE,
        "the 201 response from %s has no Location header", url);
    goto done;
  }
  /* Location may be relative to the endpoint (RFC 9110 section 10.2.2) */
  resolved = g_uri_parse_relative (soup_message_get_uri (msg), location,
      SOUP_HTTP_URI_FLAGS, NULL);
  if (!resolved) {
    g_set_error (error, GST_WRTC_HTTP_CLIENT_ERROR,
        GST_WRTC_HTTP_CLIENT_ERROR_RESPONSE,
        "the Location '%s' from %s is not a URL", location, url);
    goto done;
  }
  s = g_new0 (GstWrtcHttpClientSession, 1);
  s->answer = g_steal_pointer (&answer);
  s->location = g_uri_to_string (resolved);
  s->etag = g_strdup (soup_message_headers_get_one (h, "ETag"));
  s->status = soup_message_get_status (msg);
  g_uri_unref (resolved);
  GST_INFO ("session %s", s->location);

done:
  g_free (answer);
  if (body)
    g_bytes_unref (body);
  g_object_unref (msg);
  return s;
}

static gboolean
simple_request (const gchar * method, const gchar * location,
    const gchar * token, const gchar * etag, const gchar * ctype,
    const gchar * content, guint expect, guint expect2, guint timeout_s,
    GCancellable * cancellable, GError ** error)
{
  SoupMessage *msg = new_message (method, location, token, error);
  GBytes *body;
  gboolean ok = FALSE;
  guint status;

  if (!msg)
    return FALSE;
  if (etag)
    soup_message_headers_replace (soup_message_get_request_headers (msg),
        "If-Match", etag);
  if (content) {
    GBytes *req = g_bytes_new (content, strlen (content));
    soup_message_set_request_body_from_bytes (msg, ctype, req);
    g_bytes_unref (req);
  }
  body = send_message (msg, timeout_s, cancellable, error);
  if (body) {
    status = soup_message_get_status (msg);
    ok = status == expect || status == expect2;
    if (!ok)
      set_status_error (msg, body, expect, error);
    g_bytes_unref (body);
  }
  g_object_unref (msg);
  return ok;
}

gboolean
gst_wrtc_http_client_patch (const gchar * location, const gchar * token,
    const gchar * etag, const gchar * fragment, guint timeout_s,
    GCancellable * cancellable, GError ** error)
{
  /* RFC 9725 section 4.3.1: 204 No Content (200 is allowed for a body) */
  return simple_request ("PATCH", location, token, etag,
      "application/trickle-ice-sdpfrag", fragment, SOUP_STATUS_NO_CONTENT,
      SOUP_STATUS_OK, timeout_s, cancellable, error);
}

gboolean
gst_wrtc_http_client_delete (const gchar * location, const gchar * token,
    guint timeout_s, GCancellable * cancellable, GError ** error)
{
  return simple_request (SOUP_METHOD_DELETE, location, token, NULL, NULL,
      NULL, SOUP_STATUS_OK, SOUP_STATUS_NO_CONTENT, timeout_s, cancellable,
      error);
}
