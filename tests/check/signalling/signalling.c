/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the signalling layer: the trickle ICE fragment parser, and the
 * WHEP/WHIP HTTP server driven by a real libsoup client over 127.0.0.1. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <libsoup/soup.h>
#include <glib/gstdio.h>
#include <string.h>

#include "gstwrtchttpserver.h"
#include "gstwrtcsdpfrag.h"
#include "gstwrtcsdp.h"
#include "fsmcheck.h"

/* ------------------------------------------------------------------------
 * SDP fragments
 */

/* RFC 9725 section 4.3.1's example, with CRLF line ends */
static const gchar rfc9725_frag[] =
    "a=group:BUNDLE 0 1\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
    "a=mid:0\r\n"
    "a=ice-ufrag:EsAw\r\n"
    "a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n"
    "a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host "
    "generation 0 ufrag EsAw network-id 1\r\n"
    "a=candidate:3471623853 1 udp 2122194687 198.51.100.2 61765 typ host "
    "generation 0 ufrag EsAw network-id 2\r\n"
    "a=candidate:473322822 1 tcp 1518280447 192.0.2.1 9 typ host "
    "tcptype active generation 0 ufrag EsAw network-id 1\r\n"
    "a=candidate:2154773085 1 tcp 1518214911 198.51.100.2 9 typ host "
    "tcptype active generation 0 ufrag EsAw network-id 2\r\n"
    "a=end-of-candidates\r\n";

static GstWrtcSdpFrag *
parse_ok (const gchar * text)
{
  GError *err = NULL;
  GstWrtcSdpFrag *frag = gst_wrtc_sdp_frag_parse (text, strlen (text), &err);

  fail_unless (frag != NULL, "parse failed: %s", err ? err->message : "?");
  return frag;
}

static void
assert_parse_error (const gchar * text, gsize len, gint code,
    const gchar * substring)
{
  GError *err = NULL;
  GstWrtcSdpFrag *frag = gst_wrtc_sdp_frag_parse (text, len, &err);

  fail_unless (frag == NULL, "'%s' parsed", text);
  fail_unless (g_error_matches (err, GST_WRTC_SDP_FRAG_ERROR, code),
      "wrong error for '%s': %s", text, err ? err->message : "none");
  fail_unless (strstr (err->message, substring) != NULL,
      "error '%s' does not mention '%s'", err->message, substring);
  g_error_free (err);
}

GST_START_TEST (test_sdpfrag_rfc9725_example)
{
  GstWrtcSdpFrag *frag = parse_ok (rfc9725_frag);
  const GstWrtcSdpFragCandidate *c;
  const GstWrtcSdpFragMedia *m;

  fail_unless_equals_string (frag->ice_ufrag, "EsAw");
  fail_unless_equals_string (frag->ice_pwd, "P2uYro0UCOQ4zxjKXaWCBui1");
  fail_unless_equals_int (g_strv_length (frag->bundle), 2);
  fail_unless_equals_string (frag->bundle[0], "0");
  fail_unless_equals_string (frag->bundle[1], "1");
  fail_unless_equals_int (frag->media->len, 1);
  m = g_ptr_array_index (frag->media, 0);
  fail_unless_equals_string (m->mline, "audio 9 UDP/TLS/RTP/SAVPF 111");
  fail_unless_equals_string (m->mid, "0");
  fail_unless_equals_int (frag->candidates->len, 4);
  for (guint i = 0; i < 4; i++) {
    c = g_ptr_array_index (frag->candidates, i);
    fail_unless_equals_int (c->mline_index, 0);
    fail_unless_equals_string (c->mid, "0");
    fail_unless (g_str_has_prefix (c->candidate, "candidate:"));
  }
  c = g_ptr_array_index (frag->candidates, 2);
  fail_unless_equals_string (c->candidate, "candidate:473322822 1 tcp "
      "1518280447 192.0.2.1 9 typ host tcptype active generation 0 ufrag "
      "EsAw network-id 1");
  fail_unless (frag->end_of_candidates);
  gst_wrtc_sdp_frag_free (frag);
}

GST_END_TEST;

GST_START_TEST (test_sdpfrag_shapes)
{
  GstWrtcSdpFrag *frag;
  const GstWrtcSdpFragCandidate *c;

  /* LF line ends, no final line end, session-level candidate (no m=) */
  frag = parse_ok ("a=ice-ufrag:abcd\na=ice-pwd:0123456789012345678901\n"
      "a=candidate:1 1 UDP 2122252543 127.0.0.1 50000 typ host");
  fail_unless_equals_int (frag->candidates->len, 1);
  c = g_ptr_array_index (frag->candidates, 0);
  fail_unless_equals_int (c->mline_index, -1);
  fail_unless (c->mid == NULL);
  fail_unless (!frag->end_of_candidates);
  fail_unless (frag->bundle == NULL);
  gst_wrtc_sdp_frag_free (frag);

  /* two m-sections; a=mid after a candidate still names it; unknown
   * attributes and other lines ignored; trailing blanks tolerated */
  frag = parse_ok ("a=ice-options:trickle\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
      "c=IN IP4 0.0.0.0\r\n"
      "a=candidate:1 1 udp 1 127.0.0.1 1 typ host\r\n"
      "a=mid:a\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96 97  \r\n"
      "a=mid:v\r\n"
      "a=x-unknown:whatever\r\n"
      "a=candidate:2 1 udp 2 ::1 2 typ srflx raddr ::1 rport 9\r\n");
  fail_unless_equals_int (frag->media->len, 2);
  fail_unless_equals_int (frag->candidates->len, 2);
  c = g_ptr_array_index (frag->candidates, 0);
  fail_unless_equals_int (c->mline_index, 0);
  fail_unless_equals_string (c->mid, "a");
  c = g_ptr_array_index (frag->candidates, 1);
  fail_unless_equals_int (c->mline_index, 1);
  fail_unless_equals_string (c->mid, "v");
  fail_unless (frag->ice_ufrag == NULL && frag->ice_pwd == NULL);
  gst_wrtc_sdp_frag_free (frag);

  /* candidates of an unknown transport or type are kept as written, for
   * the ICE agent to ignore (RFC 8839 section 5.1) */
  frag = parse_ok ("a=candidate:1 1 sctp 1 ::1 1 typ host\r\n"
      "a=candidate:2 1 udp 1 ::1 1 typ wormhole\r\n");
  fail_unless_equals_int (frag->candidates->len, 2);
  c = g_ptr_array_index (frag->candidates, 1);
  fail_unless_equals_string (c->candidate,
      "candidate:2 1 udp 1 ::1 1 typ wormhole");
  gst_wrtc_sdp_frag_free (frag);

  /* only the end of candidates */
  frag = parse_ok ("a=end-of-candidates\r\n");
  fail_unless (frag->end_of_candidates);
  fail_unless_equals_int (frag->candidates->len, 0);
  gst_wrtc_sdp_frag_free (frag);
}

GST_END_TEST;

GST_START_TEST (test_sdpfrag_errors)
{
  gchar *big;
  GString *s;
  static const gchar not_utf8[] = "a=ice-ufrag:ab\xff\xfe\r\n";
  static const gchar with_nul[] = "a=end-of-candidates\r\n\0a=mid:0\r\n";

  assert_parse_error ("hello world", 11, GST_WRTC_SDP_FRAG_ERROR_MALFORMED,
      "line 1 is not an SDP line");
  assert_parse_error ("", 0, GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "empty");
  assert_parse_error ("\r\n\r\n", 4, GST_WRTC_SDP_FRAG_ERROR_MALFORMED,
      "empty");
  assert_parse_error (not_utf8, sizeof (not_utf8) - 1,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "UTF-8");
  assert_parse_error (with_nul, sizeof (with_nul) - 1,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "NUL");
  assert_parse_error ("a=end-of-candidates\r\x01\n", 22,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "control character");
  assert_parse_error ("a=candidate:1 1 udp 1 127.0.0.1 1 host\r\n", 40,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "too few fields");
  assert_parse_error ("a=candidate:1 1 udp 1 127.0.0.1 1 tpy host\r\n", 44,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "typ");
  assert_parse_error ("a=candidate:1 1 udp 1 127.0.0.1 70000 typ host", 46,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "bad port");
  assert_parse_error ("a=candidate:1 0 udp 1 127.0.0.1 7 typ host", 42,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "bad component");
  assert_parse_error ("a=candidate:1 1 udp 99999999999 127.0.0.1 7 typ host",
      52, GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "bad priority");
  /* the one candidate grammar (gstwrtccandidate.h) */
  assert_parse_error ("a=candidate:1 1 udp 1 300.1.1.1 7 typ host", 42,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "line 1: malformed candidate "
      "(RFC 8839 section 5.1), bad connection address");
  assert_parse_error ("a=candidate:1 1 udp 1 ::1 7 typ srflx raddr\n", 44,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "an extension without a value");
  assert_parse_error ("a=candidate\r\n", 13,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "a=candidate without a value");
  assert_parse_error ("a=mid:0\r\n", 9, GST_WRTC_SDP_FRAG_ERROR_MALFORMED,
      "before any m= line");
  assert_parse_error ("m=audio\r\n", 9, GST_WRTC_SDP_FRAG_ERROR_MALFORMED,
      "m= line");
  assert_parse_error ("a=ice-ufrag:abcd\r\na=ice-ufrag:efgh\r\n", 36,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "line 2: a=ice-ufrag");
  assert_parse_error ("a=ice-pwd:short\r\n", 17,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "a=ice-pwd");
  assert_parse_error ("a=end-of-candidates:yes\r\n", 25,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "takes no value");

  /* over-long: the whole, one line, candidates, m-sections */
  big = g_strnfill (GST_WRTC_SDP_FRAG_MAX_LEN + 1, 'a');
  assert_parse_error (big, GST_WRTC_SDP_FRAG_MAX_LEN + 1,
      GST_WRTC_SDP_FRAG_ERROR_TOO_LARGE, "longer than");
  g_free (big);
  s = g_string_new ("a=x-long:");
  while (s->len <= GST_WRTC_SDP_FRAG_MAX_LINE)
    g_string_append_c (s, 'x');
  assert_parse_error (s->str, s->len, GST_WRTC_SDP_FRAG_ERROR_TOO_LARGE,
      "line 1 is longer");
  g_string_truncate (s, 0);
  for (guint i = 0; i <= GST_WRTC_SDP_FRAG_MAX_CANDIDATES; i++)
    g_string_append (s, "a=candidate:1 1 udp 1 ::1 1 typ host\n");
  assert_parse_error (s->str, s->len, GST_WRTC_SDP_FRAG_ERROR_TOO_LARGE,
      "candidates");
  g_string_truncate (s, 0);
  for (guint i = 0; i <= GST_WRTC_SDP_FRAG_MAX_MEDIA; i++)
    g_string_append (s, "m=audio 9 RTP/AVP 0\n");
  assert_parse_error (s->str, s->len, GST_WRTC_SDP_FRAG_ERROR_TOO_LARGE,
      "m= lines");
  g_string_free (s, TRUE);
}

GST_END_TEST;

GST_START_TEST (test_sdpfrag_round_trip)
{
  GstWrtcSdpFrag *a = parse_ok (rfc9725_frag), *b;
  gchar *text_a = gst_wrtc_sdp_frag_to_string (a), *text_b;

  b = parse_ok (text_a);
  text_b = gst_wrtc_sdp_frag_to_string (b);
  fail_unless_equals_string (text_a, text_b);
  fail_unless_equals_int (b->candidates->len, a->candidates->len);
  fail_unless_equals_string (b->ice_ufrag, a->ice_ufrag);
  fail_unless (b->end_of_candidates);
  g_free (text_a);
  g_free (text_b);
  gst_wrtc_sdp_frag_free (a);
  gst_wrtc_sdp_frag_free (b);
}

GST_END_TEST;

/* Every prefix of a valid fragment either parses or fails with a
 * fragment error, never anything else; a prefix that ends at a line end
 * parses, with exactly the candidates of its complete lines. */
GST_START_TEST (test_sdpfrag_every_truncation)
{
  gsize full = strlen (rfc9725_frag);

  for (gsize n = 0; n <= full; n++) {
    GError *err = NULL;
    gchar *copy = g_memdup2 (rfc9725_frag, n);  /* exactly n bytes */
    GstWrtcSdpFrag *frag = gst_wrtc_sdp_frag_parse (copy, n, &err);
    gboolean at_line_end = n > 0 && rfc9725_frag[n - 1] == '\n';

    fail_unless ((frag == NULL) == (err != NULL), "n=%" G_GSIZE_FORMAT, n);
    if (err) {
      fail_unless (err->domain == GST_WRTC_SDP_FRAG_ERROR);
      fail_unless (!at_line_end, "prefix of %" G_GSIZE_FORMAT
          " bytes refused: %s", n, err->message);
      g_error_free (err);
    } else {
      guint expected = 0;
      const gchar *p = rfc9725_frag;

      while ((p = strstr (p, "a=candidate:")) && (gsize) (p - rfc9725_frag)
          < n) {
        const gchar *eol = strchr (p, '\n');
        if ((gsize) (eol - rfc9725_frag) < n)
          expected++;
        p = eol;
      }
      if (at_line_end) {
        fail_unless_equals_int (frag->candidates->len, expected);
      } else {
        fail_unless (frag->candidates->len <= 4);
      }
      gst_wrtc_sdp_frag_free (frag);
    }
    g_free (copy);
  }
}

GST_END_TEST;

/* ------------------------------------------------------------------------
 * The HTTP server, with a fake application
 */
#define ANSWER "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" \
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\n"
#define OFFER "v=0\r\no=- 2 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" \
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=recvonly\r\n"
#define PAGE "<!doctype html><title>player</title>"

typedef struct
{
  GMutex lock;
  GCond cond;
  /* behaviour */
  gboolean async;               /* offer() answers later */
  GError *reject;               /* offer() fails with this */
  GError *reject_candidates;
  /* what happened */
  GPtrArray *offers;            /* session ids */
  gchar *last_offer;
  gchar *last_client;
  GThread *offer_thread;
  GPtrArray *candidates;        /* "mid candidate" */
  gboolean end_of_candidates;
  GPtrArray *ended;             /* "id reason" */
} App;

static App app;
static GstWrtcHttpServer *server;
static gchar *base_url;
static SoupSession *session;

static gchar *
on_offer (GstWrtcHttpServer * srv, const gchar * endpoint,
    const gchar * session_id, const gchar * offer_sdp,
    const gchar * client_address, gpointer user_data, GError ** error)
{
  gchar *answer = NULL;

  g_mutex_lock (&app.lock);
  g_ptr_array_add (app.offers, g_strdup (session_id));
  g_free (app.last_offer);
  app.last_offer = g_strdup (offer_sdp);
  g_free (app.last_client);
  app.last_client = g_strdup (client_address);
  app.offer_thread = g_thread_self ();
  if (app.reject)
    g_propagate_error (error, g_error_copy (app.reject));
  else if (!app.async)
    answer = g_strdup (ANSWER);
  g_cond_broadcast (&app.cond);
  g_mutex_unlock (&app.lock);
  return answer;
}

static gboolean
on_candidates (GstWrtcHttpServer * srv, const gchar * session_id,
    const GstWrtcSdpFrag * frag, gpointer user_data, GError ** error)
{
  g_mutex_lock (&app.lock);
  if (app.reject_candidates) {
    g_propagate_error (error, g_error_copy (app.reject_candidates));
    g_mutex_unlock (&app.lock);
    return FALSE;
  }
  for (guint i = 0; i < frag->candidates->len; i++) {
    const GstWrtcSdpFragCandidate *c = g_ptr_array_index (frag->candidates, i);
    g_ptr_array_add (app.candidates, g_strdup_printf ("%s %s",
            c->mid ? c->mid : "-", c->candidate));
  }
  app.end_of_candidates |= frag->end_of_candidates;
  g_mutex_unlock (&app.lock);
  return TRUE;
}

static void
on_end (GstWrtcHttpServer * srv, const gchar * session_id,
    GstWrtcHttpEndReason reason, gpointer user_data)
{
  g_mutex_lock (&app.lock);
  g_ptr_array_add (app.ended, g_strdup_printf ("%s %s", session_id,
          gst_wrtc_http_end_reason_to_string (reason)));
  g_cond_broadcast (&app.cond);
  g_mutex_unlock (&app.lock);
}

static const GstWrtcHttpCallbacks callbacks = {
  on_offer, on_candidates, on_end
};

static void
app_init (void)
{
  memset (&app, 0, sizeof (app));
  g_mutex_init (&app.lock);
  g_cond_init (&app.cond);
  app.offers = g_ptr_array_new_with_free_func (g_free);
  app.candidates = g_ptr_array_new_with_free_func (g_free);
  app.ended = g_ptr_array_new_with_free_func (g_free);
}

static void
app_clear (void)
{
  g_ptr_array_unref (app.offers);
  g_ptr_array_unref (app.candidates);
  g_ptr_array_unref (app.ended);
  g_free (app.last_offer);
  g_free (app.last_client);
  g_clear_error (&app.reject);
  g_clear_error (&app.reject_candidates);
  g_mutex_clear (&app.lock);
  g_cond_clear (&app.cond);
}

static void
add_endpoints (GstWrtcHttpServer * srv)
{
  GBytes *page = g_bytes_new_static (PAGE, strlen (PAGE));

  fail_unless (gst_wrtc_http_server_add_endpoint (srv, "/whep",
          GST_WRTC_HTTP_ENDPOINT_WHEP, GST_WRTC_HTTP_ENDPOINT_FLAG_NONE,
          &callbacks, NULL, NULL));
  fail_unless (gst_wrtc_http_server_add_endpoint (srv, "/whip",
          GST_WRTC_HTTP_ENDPOINT_WHIP, GST_WRTC_HTTP_ENDPOINT_FLAG_NONE,
          &callbacks, NULL, NULL));
  fail_unless (gst_wrtc_http_server_add_endpoint (srv, "/whip-many",
          GST_WRTC_HTTP_ENDPOINT_WHIP, GST_WRTC_HTTP_ENDPOINT_FLAG_ALLOW_MANY,
          &callbacks, NULL, NULL));
  gst_wrtc_http_server_set_static (srv, "/", "text/html", page);
  g_bytes_unref (page);
}

/* A client that goes direct: no system proxy lookup (libproxy). */
static SoupSession *
new_session (void)
{
  GProxyResolver *direct = g_simple_proxy_resolver_new (NULL, NULL);
  SoupSession *s = soup_session_new_with_options ("proxy-resolver", direct,
      NULL);

  g_object_unref (direct);
  return s;
}

static void
server_setup (void)
{
  GError *err = NULL;

  app_init ();
  server = gst_wrtc_http_server_new ();
  add_endpoints (server);
  fail_unless (gst_wrtc_http_server_start (server, "127.0.0.1", 0, NULL, NULL,
          &err), "start: %s", err ? err->message : "?");
  base_url = gst_wrtc_http_server_get_url (server);
  session = new_session ();
}

static void
server_teardown (void)
{
  g_clear_object (&session);
  gst_wrtc_http_server_stop (server);
  g_clear_object (&server);
  g_clear_pointer (&base_url, g_free);
  app_clear ();
}

typedef struct
{
  guint status;
  gchar *body;
  SoupMessageHeaders *headers;
} Reply;

static void
reply_free (Reply * r)
{
  g_free (r->body);
  soup_message_headers_unref (r->headers);
  g_free (r);
}

typedef struct
{
  const gchar *content_type;
  const gchar *body;
  gssize len;                   /* -1: strlen */
  const gchar *token;
  const gchar *if_match;
  gboolean chunked;
  GTlsCertificate *accept;      /* TLS: the certificate to accept */
} Req;

static gboolean
accept_cert (SoupMessage * msg, GTlsCertificate * cert,
    GTlsCertificateFlags errors, gpointer user_data)
{
  return g_tls_certificate_is_same (cert, user_data);
}

/* @path: relative to the server's URL ("whep"), or absolute ("/whep/x") */
static Reply *
http_on (SoupSession * sess, const gchar * method, const gchar * path,
    const Req * req)
{
  static const Req none = { NULL, };
  GUri *base = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  GUri *uri = g_uri_parse_relative (base, path, G_URI_FLAGS_NONE, NULL);
  SoupMessage *msg = soup_message_new_from_uri (method, uri);
  SoupMessageHeaders *h = soup_message_get_request_headers (msg);
  GError *err = NULL;
  GBytes *resp;
  Reply *r = g_new0 (Reply, 1);

  if (!req)
    req = &none;
  if (req->body) {
    gsize len = req->len < 0 ? strlen (req->body) : (gsize) req->len;
    GBytes *b = g_bytes_new (req->body, len);

    if (req->chunked) {
      GInputStream *in = g_memory_input_stream_new_from_bytes (b);
      soup_message_set_request_body (msg, req->content_type, in, -1);
      g_object_unref (in);
    } else {
      soup_message_set_request_body_from_bytes (msg, req->content_type, b);
    }
    g_bytes_unref (b);
  } else if (req->content_type) {
    soup_message_headers_replace (h, "Content-Type", req->content_type);
  }
  if (req->token) {
    gchar *auth = g_strdup_printf ("Bearer %s", req->token);
    soup_message_headers_replace (h, "Authorization", auth);
    g_free (auth);
  }
  if (req->if_match)
    soup_message_headers_replace (h, "If-Match", req->if_match);
  if (req->accept)
    g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_cert),
        req->accept);

  resp = soup_session_send_and_read (sess, msg, NULL, &err);
  fail_unless (resp != NULL, "%s %s: %s", method, path,
      err ? err->message : "?");
  r->status = soup_message_get_status (msg);
  r->body = g_strndup (g_bytes_get_data (resp, NULL), g_bytes_get_size (resp));
  if (!r->body)
    r->body = g_strdup ("");
  r->headers =
      soup_message_headers_ref (soup_message_get_response_headers (msg));
  g_bytes_unref (resp);
  g_object_unref (msg);
  g_uri_unref (uri);
  g_uri_unref (base);
  return r;
}

static Reply *
http (const gchar * method, const gchar * path, const Req * req)
{
  return http_on (session, method, path, req);
}

static const gchar *
header (Reply * r, const gchar * name)
{
  return soup_message_headers_get_list (r->headers, name);
}

/* POSTs an offer, checks the 201, returns the session's path. */
static gchar *
post_ok (const gchar * endpoint, const gchar * token)
{
  Req req = { "application/sdp", OFFER, -1, token };
  Reply *r = http ("POST", endpoint, &req);
  gchar *location;

  fail_unless_equals_int (r->status, 201);
  fail_unless_equals_string (r->body, ANSWER);
  fail_unless_equals_string (soup_message_headers_get_content_type (r->headers,
          NULL), "application/sdp");
  location = g_strdup (header (r, "Location"));
  fail_unless (location != NULL);
  reply_free (r);
  return location;
}

static void
assert_status (Reply * r, guint status, const gchar * body_substring)
{
  fail_unless_equals_int (r->status, status);
  fail_unless_equals_string (header (r, "Access-Control-Allow-Origin"), "*");
  if (body_substring)
    fail_unless (strstr (r->body, body_substring) != NULL,
        "body '%s' does not mention '%s'", r->body, body_substring);
  reply_free (r);
}

static void
wait_ended (guint n)
{
  g_mutex_lock (&app.lock);
  while (app.ended->len < n)
    g_cond_wait (&app.cond, &app.lock);
  g_mutex_unlock (&app.lock);
}

GST_START_TEST (test_post_answer)
{
  Req req = { "application/sdp", OFFER, -1 };
  Reply *r = http ("POST", "whep", &req);
  const gchar *location, *etag;
  gchar *id;

  fail_unless_equals_int (r->status, 201);
  fail_unless_equals_string (r->body, ANSWER);
  fail_unless_equals_string (soup_message_headers_get_content_type (r->headers,
          NULL), "application/sdp");
  location = header (r, "Location");
  etag = header (r, "ETag");
  fail_unless (g_str_has_prefix (location, "/whep/"));
  id = g_strdup (location + strlen ("/whep/"));
  /* 128 random bits in hex */
  fail_unless_equals_int (strlen (id), 32);
  for (guint i = 0; i < 32; i++)
    fail_unless (g_ascii_isxdigit (id[i]));
  fail_unless (etag != NULL && etag[0] == '"');
  fail_unless_equals_string (header (r, "Access-Control-Allow-Origin"), "*");
  fail_unless (strstr (header (r, "Access-Control-Expose-Headers"),
          "Location") != NULL);
  /* no ICE servers configured: no Link */
  fail_unless (header (r, "Link") == NULL);

  /* the application saw the offer, on the server's thread */
  fail_unless_equals_int (app.offers->len, 1);
  fail_unless_equals_string (g_ptr_array_index (app.offers, 0), id);
  fail_unless_equals_string (app.last_offer, OFFER);
  fail_unless_equals_string (app.last_client, "127.0.0.1");
  fail_unless (app.offer_thread != g_thread_self ());
  fail_unless_equals_int (gst_wrtc_http_server_get_n_sessions (server), 1);
  reply_free (r);

  /* a second viewer gets another session */
  {
    gchar *second = post_ok ("whep", NULL);
    fail_unless (strcmp (second + strlen ("/whep/"), id) != 0);
    g_free (second);
  }
  fail_unless_equals_int (gst_wrtc_http_server_get_n_sessions (server), 2);
  g_free (id);
}

GST_END_TEST;

static gpointer
complete_later (gpointer data)
{
  gchar *id;

  g_mutex_lock (&app.lock);
  while (app.offers->len == 0)
    g_cond_wait (&app.cond, &app.lock);
  id = g_strdup (g_ptr_array_index (app.offers, 0));
  g_mutex_unlock (&app.lock);
  if (data) {
    GError *err = g_error_new (GST_WRTC_HTTP_ERROR,
        GST_WRTC_HTTP_ERROR_UNPROCESSABLE, "no ICE candidates gathered");
    gst_wrtc_http_server_complete_offer (server, id, NULL, err);
    g_error_free (err);
  } else {
    gst_wrtc_http_server_complete_offer (server, id, ANSWER, NULL);
  }
  return id;
}

GST_START_TEST (test_post_async_answer)
{
  GThread *t;
  gchar *location, *id;

  app.async = TRUE;
  t = g_thread_new ("peer-core", complete_later, NULL);
  location = post_ok ("whep", NULL);
  id = g_thread_join (t);
  fail_unless_equals_string (location + strlen ("/whep/"), id);
  fail_unless_equals_int (gst_wrtc_http_server_get_n_sessions (server), 1);
  /* a late second answer for the same session is ignored */
  gst_wrtc_http_server_complete_offer (server, id, ANSWER, NULL);
  assert_status (http ("DELETE", location, NULL), 200, NULL);
  fail_unless_equals_int (app.ended->len, 1);
  g_free (location);
  g_free (id);
}

GST_END_TEST;

GST_START_TEST (test_post_async_reject)
{
  Req req = { "application/sdp", OFFER, -1 };
  GThread *t;
  gchar *id, *ended;

  app.async = TRUE;
  t = g_thread_new ("peer-core", complete_later, GINT_TO_POINTER (1));
  assert_status (http ("POST", "whep", &req), 422,
      "no ICE candidates gathered");
  id = g_thread_join (t);
  /* the end callback ran before the response went out */
  fail_unless_equals_int (app.ended->len, 1);
  ended = g_strdup_printf ("%s rejected", id);
  fail_unless_equals_string (g_ptr_array_index (app.ended, 0), ended);
  fail_unless_equals_int (gst_wrtc_http_server_get_n_sessions (server), 0);
  g_free (ended);
  g_free (id);
}

GST_END_TEST;

GST_START_TEST (test_post_bad_requests)
{
  Req wrong_type = { "text/plain", OFFER, -1 };
  Req no_type = { NULL, OFFER, -1 };
  Req empty = { "application/sdp", "", 0 };
  Req not_sdp = { "application/sdp", "hello", -1 };
  Req not_utf8 = { "application/sdp", "v=0\r\n\xff\xfe", -1 };
  Req with_params = { "application/sdp; charset=utf-8", OFFER, -1 };
  gchar *big = g_strnfill (GST_WRTC_HTTP_SERVER_MAX_BODY + 1, 'v');
  Req oversized = { "application/sdp", big, -1 };
  Req oversized_chunked = { "application/sdp", big, -1, NULL, NULL, TRUE };
  gchar *location;

  assert_status (http ("POST", "whep", &wrong_type), 415, "application/sdp");
  assert_status (http ("POST", "whep", &no_type), 415, "application/sdp");
  assert_status (http ("POST", "whep", &empty), 400, "empty");
  assert_status (http ("POST", "whep", &not_sdp), 400, "v=0");
  assert_status (http ("POST", "whep", &not_utf8), 400, "UTF-8");
  assert_status (http ("POST", "whep", &oversized), 413, "larger than");
  assert_status (http ("POST", "whep", &oversized_chunked), 413, "larger than");
  /* none of these reached the application */
  fail_unless_equals_int (app.offers->len, 0);
  fail_unless_equals_int (gst_wrtc_http_server_get_n_sessions (server), 0);

  /* and the server still serves */
  location = post_ok ("whep", NULL);
  g_free (location);
  /* media type parameters are fine */
  assert_status (http ("POST", "whep", &with_params), 201, NULL);
  g_free (big);
}

GST_END_TEST;

GST_START_TEST (test_token)
{
  Req none = { "application/sdp", OFFER, -1 };
  Req wrong = { "application/sdp", OFFER, -1, "guess" };
  Req longer = { "application/sdp", OFFER, -1, "s3cr3t-and-more" };
  Reply *r;
  gchar *location;

  gst_wrtc_http_server_set_token (server, "s3cr3t");

  r = http ("POST", "whep", &none);
  fail_unless_equals_int (r->status, 401);
  fail_unless (g_str_has_prefix (header (r, "WWW-Authenticate"), "Bearer"));
  assert_status (r, 401, "bearer token");
  r = http ("POST", "whep", &wrong);
  fail_unless (g_str_has_prefix (header (r, "WWW-Authenticate"), "Bearer"));
  fail_unless (strstr (header (r, "WWW-Authenticate"), "invalid_token"));
  assert_status (r, 401, "wrong bearer token");
  assert_status (http ("POST", "whep", &longer), 401, "wrong bearer token");
  fail_unless_equals_int (app.offers->len, 0);

  location = post_ok ("whep", "s3cr3t");
  /* the session's URL needs the token too */
  assert_status (http ("DELETE", location, NULL), 401, "bearer token");
  {
    Req del = { NULL, NULL, -1, "s3cr3t" };
    assert_status (http ("DELETE", location, &del), 200, NULL);
  }
  /* pages and the CORS preflight do not */
  assert_status (http ("GET", "/", NULL), 200, NULL);
  assert_status (http ("OPTIONS", "whep", NULL), 204, NULL);
  g_free (location);

  /* cleared: open again */
  gst_wrtc_http_server_set_token (server, NULL);
  location = post_ok ("whep", NULL);
  g_free (location);
}

GST_END_TEST;

GST_START_TEST (test_max_sessions)
{
  Req req = { "application/sdp", OFFER, -1 };
  gchar *a, *b, *c;
  Reply *r;

  gst_wrtc_http_server_set_max_sessions (server, 2);
  a = post_ok ("whep", NULL);
  b = post_ok ("whep", NULL);
  r = http ("POST", "whep", &req);
  fail_unless (header (r, "Retry-After") != NULL);
  assert_status (r, 503, "full");
  fail_unless_equals_int (app.offers->len, 2);

  /* a viewer leaves: room again */
  assert_status (http ("DELETE", a, NULL), 200, NULL);
  c = post_ok ("whep", NULL);
  g_free (a);
  g_free (b);
  g_free (c);
}

GST_END_TEST;

GST_START_TEST (test_whip_single_publisher)
{
  Req req = { "application/sdp", OFFER, -1 };
  gchar *first, *second, *many1, *many2;

  first = post_ok ("whip", NULL);
  fail_unless (g_str_has_prefix (first, "/whip/"));
  assert_status (http ("POST", "whip", &req), 409, "already live");
  /* another endpoint is not affected */
  many1 = post_ok ("whip-many", NULL);
  many2 = post_ok ("whip-many", NULL);

  assert_status (http ("DELETE", first, NULL), 200, NULL);
  second = post_ok ("whip", NULL);
  g_free (first);
  g_free (second);
  g_free (many1);
  g_free (many2);
}

GST_END_TEST;

GST_START_TEST (test_application_errors)
{
  Req req = { "application/sdp", OFFER, -1 };

  app.reject = g_error_new (GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_NO_CODEC,
      "no codec in common with the offer");
  assert_status (http ("POST", "whep", &req), 406, "no codec in common");
  g_clear_error (&app.reject);

  app.reject = g_error_new (GST_WRTC_JSEP_ERROR,
      GST_WRTC_JSEP_ERROR_MALFORMED, "line 3 is broken");
  assert_status (http ("POST", "whep", &req), 400, "line 3 is broken");
  g_clear_error (&app.reject);

  app.reject = g_error_new (GST_WRTC_HTTP_ERROR,
      GST_WRTC_HTTP_ERROR_FORBIDDEN, "not today");
  assert_status (http ("POST", "whep", &req), 403, "not today");
  g_clear_error (&app.reject);

  app.reject = g_error_new (GST_WRTC_HTTP_ERROR,
      GST_WRTC_HTTP_ERROR_UNAVAILABLE, "encoder not ready");
  {
    Reply *r = http ("POST", "whep", &req);
    fail_unless (header (r, "Retry-After") != NULL);
    assert_status (r, 503, "encoder not ready");
  }
  g_clear_error (&app.reject);

  /* rejected offers leave no session and no end callback */
  fail_unless_equals_int (app.offers->len, 4);
  fail_unless_equals_int (app.ended->len, 0);
  fail_unless_equals_int (gst_wrtc_http_server_get_n_sessions (server), 0);
  g_free (post_ok ("whep", NULL));
}

GST_END_TEST;

GST_START_TEST (test_patch)
{
  gchar *location = post_ok ("whep", NULL);
  Req frag = { "application/trickle-ice-sdpfrag", rfc9725_frag, -1 };
  Req garbage = { "application/trickle-ice-sdpfrag", "not a fragment", -1 };
  Req wrong_type = { "application/sdp", rfc9725_frag, -1 };
  Req bad_tag = { "application/trickle-ice-sdpfrag", rfc9725_frag, -1, NULL,
    "\"nope\""
  };
  Req restart = { "application/trickle-ice-sdpfrag", rfc9725_frag, -1, NULL,
    "*"
  };
  Req empty = { "application/trickle-ice-sdpfrag", "", 0 };
  Reply *r;
  gchar *etag;

  assert_status (http ("PATCH", location, &frag), 204, NULL);
  fail_unless_equals_int (app.candidates->len, 4);
  fail_unless (g_str_has_prefix (g_ptr_array_index (app.candidates, 0),
          "0 candidate:1387637174 1 udp"));
  fail_unless (app.end_of_candidates);

  assert_status (http ("PATCH", location, &garbage), 400,
      "bad SDP fragment: line 1 is not an SDP line");
  assert_status (http ("PATCH", location, &empty), 400, "empty");
  assert_status (http ("PATCH", location, &wrong_type), 415,
      "application/trickle-ice-sdpfrag");
  assert_status (http ("PATCH", location, &bad_tag), 412, "If-Match");
  assert_status (http ("PATCH", location, &restart), 422, "ICE restart");
  assert_status (http ("PATCH", "/whep/0123456789abcdef0123456789abcdef",
          &frag), 404, "no such session");
  fail_unless_equals_int (app.candidates->len, 4);

  /* the right ETag in If-Match is fine; the session is still there */
  r = http ("OPTIONS", location, NULL);
  fail_unless_equals_string (header (r, "Accept-Patch"),
      "application/trickle-ice-sdpfrag");
  reply_free (r);
  {
    Req post = { "application/sdp", OFFER, -1 };
    r = http ("POST", "whep", &post);
    etag = g_strdup (header (r, "ETag"));
    {
      Req good_tag = { "application/trickle-ice-sdpfrag", rfc9725_frag, -1,
        NULL, etag
      };
      assert_status (http ("PATCH", header (r, "Location"), &good_tag), 204,
          NULL);
    }
    reply_free (r);
    g_free (etag);
  }
  fail_unless_equals_int (app.candidates->len, 8);

  /* the application refuses */
  app.reject_candidates = g_error_new (GST_WRTC_HTTP_ERROR,
      GST_WRTC_HTTP_ERROR_UNPROCESSABLE, "unknown ufrag EsAw");
  assert_status (http ("PATCH", location, &frag), 422, "unknown ufrag EsAw");
  g_free (location);
}

GST_END_TEST;

GST_START_TEST (test_delete)
{
  gchar *location = post_ok ("whep", NULL);
  gchar *expected = g_strdup_printf ("%s deleted",
      location + strlen ("/whep/"));

  assert_status (http ("DELETE", location, NULL), 200, NULL);
  /* the end callback ran before the 200 went out */
  fail_unless_equals_int (app.ended->len, 1);
  fail_unless_equals_string (g_ptr_array_index (app.ended, 0), expected);
  fail_unless_equals_int (gst_wrtc_http_server_get_n_sessions (server), 0);
  /* gone */
  assert_status (http ("DELETE", location, NULL), 404, "no such session");
  assert_status (http ("DELETE", "/whep/nonexistent", NULL), 404,
      "no such session");
  fail_unless_equals_int (app.ended->len, 1);
  g_free (expected);
  g_free (location);
}

GST_END_TEST;

GST_START_TEST (test_end_session_by_application)
{
  gchar *location = post_ok ("whep", NULL);
  gchar *expected = g_strdup_printf ("%s application",
      location + strlen ("/whep/"));

  gst_wrtc_http_server_end_session (server, location + strlen ("/whep/"));
  wait_ended (1);
  fail_unless_equals_string (g_ptr_array_index (app.ended, 0), expected);
  assert_status (http ("DELETE", location, NULL), 404, "no such session");
  fail_unless_equals_int (gst_wrtc_http_server_get_n_sessions (server), 0);
  g_free (expected);
  g_free (location);
}

GST_END_TEST;

/* The legal edges of a session, as the comment above session_set_state()
 * lists them. */
static const FsmCheckEdge session_spec[] = {
  {"answering", "live"},
  {"answering", "ended"},
  {"live", "ended"},
};

GST_START_TEST (test_session_state_machine)
{
  const GstWrtcFsm *fsm = gst_wrtc_http_server_session_state_machine ();

  g_type_ensure (GST_WRTC_TYPE_HTTP_SERVER);
  fsm_check_table (fsm, session_spec, G_N_ELEMENTS (session_spec));
  /* 3 states: 6 ordered pairs, 3 edges */
  fail_unless_equals_int (fsm_check_refuses (fsm), 3);
}

GST_END_TEST;

/* Requests for sessions that moved on (answered, rejected, ended) change
 * nothing, and never reach the machine as an illegal edge: no refusal is
 * logged. */
GST_START_TEST (test_session_state_machine_requests)
{
  Req req = { "application/sdp", OFFER, -1 };
  GThread *t;
  gchar *rejected, *location, *path;

  fsm_check_log_start ();

  /* answering -> ended (rejected): a late answer and end change nothing */
  app.async = TRUE;
  t = g_thread_new ("peer-core", complete_later, GINT_TO_POINTER (1));
  assert_status (http ("POST", "whep", &req), 422, NULL);
  rejected = g_thread_join (t);
  app.async = FALSE;
  gst_wrtc_http_server_complete_offer (server, rejected, ANSWER, NULL);
  gst_wrtc_http_server_end_session (server, rejected);
  path = g_strdup_printf ("/whep/%s", rejected);
  /* queued after the two above on the server thread */
  assert_status (http ("DELETE", path, NULL), 404, "no such session");
  fail_unless_equals_int (app.ended->len, 1);

  /* answering -> live -> ended: a second answer, a second end, and
   * requests for the ended session change nothing */
  location = post_ok ("whep", NULL);
  gst_wrtc_http_server_complete_offer (server, location + strlen ("/whep/"),
      ANSWER, NULL);
  gst_wrtc_http_server_end_session (server, location + strlen ("/whep/"));
  wait_ended (2);
  gst_wrtc_http_server_end_session (server, location + strlen ("/whep/"));
  gst_wrtc_http_server_complete_offer (server, location + strlen ("/whep/"),
      ANSWER, NULL);
  assert_status (http ("DELETE", location, NULL), 404, "no such session");
  fail_unless_equals_int (app.ended->len, 2);
  fail_unless_equals_int (gst_wrtc_http_server_get_n_sessions (server), 0);

  fail_unless_equals_int (fsm_check_log_stop (), 0);
  g_free (rejected);
  g_free (path);
  g_free (location);
}

GST_END_TEST;

GST_START_TEST (test_options_and_cors)
{
  Reply *r = http ("OPTIONS", "whep", NULL);

  fail_unless_equals_int (r->status, 204);
  fail_unless_equals_string (header (r, "Accept-Post"), "application/sdp");
  fail_unless_equals_string (header (r, "Access-Control-Allow-Origin"), "*");
  fail_unless (strstr (header (r, "Access-Control-Allow-Methods"), "POST"));
  fail_unless (strstr (header (r, "Access-Control-Allow-Headers"),
          "Authorization"));
  fail_unless (strstr (header (r, "Access-Control-Allow-Headers"),
          "Content-Type"));
  fail_unless (strstr (header (r, "Access-Control-Expose-Headers"), "ETag"));
  fail_unless (strstr (header (r, "Access-Control-Expose-Headers"), "Link"));
  reply_free (r);
}

GST_END_TEST;

GST_START_TEST (test_pages_and_methods)
{
  Reply *r = http ("GET", "/", NULL);
  GBytes *page;

  fail_unless_equals_int (r->status, 200);
  fail_unless_equals_string (r->body, PAGE);
  fail_unless_equals_string (soup_message_headers_get_content_type (r->headers,
          NULL), "text/html");
  reply_free (r);
  r = http ("HEAD", "/", NULL);
  fail_unless_equals_int (r->status, 200);
  fail_unless_equals_string (r->body, "");
  reply_free (r);

  assert_status (http ("GET", "/nothing-here", NULL), 404, "no such");
  assert_status (http ("POST", "/nothing-here", NULL), 404, "no such");

  r = http ("GET", "whep", NULL);
  fail_unless_equals_string (header (r, "Allow"), "POST, OPTIONS");
  assert_status (r, 405, "GET is not allowed");
  r = http ("PUT", "whep", NULL);
  assert_status (r, 405, "PUT is not allowed");
  r = http ("POST", "/", NULL);
  fail_unless_equals_string (header (r, "Allow"), "GET, HEAD, OPTIONS");
  assert_status (r, 405, "POST is not allowed");
  {
    gchar *location = post_ok ("whep", NULL);
    r = http ("GET", location, NULL);
    fail_unless_equals_string (header (r, "Allow"), "PATCH, DELETE, OPTIONS");
    assert_status (r, 405, "GET is not allowed");
    g_free (location);
  }

  /* pages can be replaced and removed */
  page = g_bytes_new_static ("{}", 2);
  gst_wrtc_http_server_set_static (server, "/stats.json", "application/json",
      page);
  g_bytes_unref (page);
  r = http ("GET", "/stats.json", NULL);
  fail_unless_equals_string (r->body, "{}");
  assert_status (r, 200, NULL);
  gst_wrtc_http_server_set_static (server, "/stats.json", NULL, NULL);
  assert_status (http ("GET", "/stats.json", NULL), 404, "no such");

  /* still serving after all that */
  g_free (post_ok ("whep", NULL));
}

GST_END_TEST;

GST_START_TEST (test_ice_server_links)
{
  const gchar *urls[] = { "stun://stun.example.net:3478",
    "turn://us%22er:pa%20ss@turn.example.net:3478?transport=udp",
    "stun:[::1]:19302", NULL
  };
  const gchar *bad[] = { "http://example.net", NULL };
  Req req = { "application/sdp", OFFER, -1 };
  GError *err = NULL;
  Reply *r;
  const gchar *link;

  fail_unless (gst_wrtc_http_server_set_ice_servers (server, urls, &err));
  r = http ("POST", "whep", &req);
  fail_unless_equals_int (r->status, 201);
  link = header (r, "Link");
  fail_unless (strstr (link,
          "<stun:stun.example.net:3478>; rel=\"ice-server\"") != NULL, "%s",
      link);
  fail_unless (strstr (link, "<turn:turn.example.net:3478?transport=udp>; "
          "rel=\"ice-server\"; username=\"us\\\"er\"; credential=\"pa ss\"; "
          "credential-type=\"password\"") != NULL, "%s", link);
  fail_unless (strstr (link, "<stun:[::1]:19302>; rel=\"ice-server\"")
      != NULL, "%s", link);
  reply_free (r);

  fail_if (gst_wrtc_http_server_set_ice_servers (server, bad, &err));
  fail_unless (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
  g_clear_error (&err);
  /* the old list stays; clearing removes it */
  fail_unless (gst_wrtc_http_server_set_ice_servers (server, NULL, NULL));
  r = http ("POST", "whep", &req);
  fail_unless (header (r, "Link") == NULL);
  assert_status (r, 201, NULL);
}

GST_END_TEST;

static GBytes *
counting_page (GstWrtcHttpServer * srv, const gchar * path, gpointer user_data,
    GError ** error)
{
  guint *calls = user_data;
  gchar *body;

  (*calls)++;
  if (*calls == 3) {
    g_set_error (error, GST_WRTC_HTTP_ERROR, GST_WRTC_HTTP_ERROR_UNAVAILABLE,
        "not now");
    return NULL;
  }
  if (*calls == 4)
    return NULL;                /* no error: 500 */
  body = g_strdup_printf ("{\"path\":\"%s\",\"n\":%u}", path, *calls);
  return g_bytes_new_take (body, strlen (body));
}

static void
count_notify (gpointer data)
{
  guint *calls = data;

  *calls += 1000;
}

GST_START_TEST (test_generated_pages)
{
  guint calls = 0;
  Req good = { NULL, NULL, -1, "s3cr3t" };
  Req wrong = { NULL, NULL, -1, "guess" };
  Reply *r;

  gst_wrtc_http_server_set_page_func (server, "/gen.json",
      "application/json", GST_WRTC_HTTP_PAGE_FLAG_NONE, counting_page, &calls,
      count_notify);
  /* made on every request */
  r = http ("GET", "/gen.json", NULL);
  fail_unless_equals_string (r->body, "{\"path\":\"/gen.json\",\"n\":1}");
  fail_unless_equals_string (soup_message_headers_get_content_type (r->headers,
          NULL), "application/json");
  fail_unless_equals_string (header (r, "Cache-Control"), "no-cache");
  assert_status (r, 200, NULL);
  r = http ("GET", "/gen.json", NULL);
  assert_status (r, 200, "\"n\":2");
  /* a function that fails: its status, or 500 */
  assert_status (http ("GET", "/gen.json", NULL), 503, "not now");
  assert_status (http ("GET", "/gen.json", NULL), 500, "could not be made");
  assert_status (http ("POST", "/gen.json", NULL), 405, "POST is not allowed");
  fail_unless_equals_int (calls, 4);

  /* behind the token: pages without the flag stay open */
  gst_wrtc_http_server_set_token (server, "s3cr3t");
  gst_wrtc_http_server_set_page_func (server, "/gen.json",
      "application/json", GST_WRTC_HTTP_PAGE_FLAG_TOKEN, counting_page, &calls,
      NULL);
  /* the replaced page's notify ran */
  fail_unless_equals_int (calls, 1004);
  calls = 0;
  r = http ("GET", "/gen.json", NULL);
  fail_unless (g_str_has_prefix (header (r, "WWW-Authenticate"), "Bearer"));
  assert_status (r, 401, "bearer token");
  assert_status (http ("GET", "/gen.json", &wrong), 401, "wrong bearer token");
  fail_unless_equals_int (calls, 0);
  assert_status (http ("GET", "/gen.json", &good), 200, "\"n\":1");
  /* the preflight needs none */
  assert_status (http ("OPTIONS", "/gen.json", NULL), 204, NULL);
  assert_status (http ("GET", "/", NULL), 200, NULL);

  /* removed like a static page */
  gst_wrtc_http_server_set_static (server, "/gen.json", NULL, NULL);
  assert_status (http ("GET", "/gen.json", &good), 404, "no such");
  fail_unless_equals_int (calls, 1);
}

GST_END_TEST;

GST_START_TEST (test_ice_servers_json)
{
  const gchar *urls[] = { "stun://stun.example.net:3478",
    "turn://us%22er:pa%20ss@turn.example.net:3478?transport=udp",
    "turns://u:p@[::1]:5349", "stun:[::1]:19302", NULL
  };
  const gchar *ctl[] = { "turn://u%0Aser:p@turn.example.net:3478", NULL };
  gchar *json = gst_wrtc_http_server_get_ice_servers_json (server);
  GError *err = NULL;

  fail_unless_equals_string (json, "[]");
  g_free (json);
  fail_unless (gst_wrtc_http_server_set_ice_servers (server, urls, &err));
  json = gst_wrtc_http_server_get_ice_servers_json (server);
  /* W3C RTCIceServer: urls in RFC 7064/7065 form, username, credential */
  fail_unless_equals_string (json,
      "[{\"urls\":[\"stun:stun.example.net:3478\"]},"
      "{\"urls\":[\"turn:turn.example.net:3478?transport=udp\"],"
      "\"username\":\"us\\\"er\",\"credential\":\"pa ss\"},"
      "{\"urls\":[\"turns:[::1]:5349\"],\"username\":\"u\","
      "\"credential\":\"p\"},{\"urls\":[\"stun:[::1]:19302\"]}]");
  g_free (json);
  /* a control character in a credential fits neither a header nor JSON */
  fail_if (gst_wrtc_http_server_set_ice_servers (server, ctl, &err));
  fail_unless (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
  g_clear_error (&err);
  fail_unless (gst_wrtc_http_server_set_ice_servers (server, NULL, NULL));
  json = gst_wrtc_http_server_get_ice_servers_json (server);
  fail_unless_equals_string (json, "[]");
  g_free (json);
}

GST_END_TEST;

GST_START_TEST (test_json_from_structure)
{
  GstStructure *inner = gst_structure_new ("outbound-rtp",
      "ssrc", G_TYPE_UINT, 1234u, "packetsSent", G_TYPE_UINT64,
      G_GUINT64_CONSTANT (18446744073709551615), "kind", G_TYPE_STRING,
      "vi\"deo\n", NULL);
  GstStructure *s = gst_structure_new ("webrtcsink-stats",
      "viewers", G_TYPE_UINT, 2u, "ok", G_TYPE_BOOLEAN, TRUE,
      "delta", G_TYPE_INT, -3, "ratio", G_TYPE_DOUBLE, 0.5,
      "nan", G_TYPE_DOUBLE, NAN, "none", G_TYPE_STRING, NULL, NULL);
  GstStructure *typed = gst_structure_new ("x", "type", G_TYPE_STRING, "y",
      NULL);
  GValue arr = G_VALUE_INIT, v = G_VALUE_INIT;
  gchar *json;

  g_value_init (&arr, GST_TYPE_ARRAY);
  g_value_init (&v, GST_TYPE_STRUCTURE);
  gst_value_set_structure (&v, inner);
  gst_value_array_append_value (&arr, &v);
  g_value_unset (&v);
  gst_structure_set_value (s, "streams", &arr);
  g_value_unset (&arr);
  g_value_init (&arr, GST_TYPE_ARRAY);
  gst_structure_set_value (s, "empty", &arr);
  g_value_unset (&arr);

  json = gst_wrtc_json_from_structure (s);
  fail_unless_equals_string (json,
      "{\"type\":\"webrtcsink-stats\",\"viewers\":2,\"ok\":true,"
      "\"delta\":-3,\"ratio\":0.5,\"nan\":null,\"none\":null,"
      "\"streams\":[{\"type\":\"outbound-rtp\","
      "\"ssrc\":1234,\"packetsSent\":18446744073709551615,"
      "\"kind\":\"vi\\\"deo\\n\"}],\"empty\":[]}");
  g_free (json);
  /* a field named type wins over the name */
  json = gst_wrtc_json_from_structure (typed);
  fail_unless_equals_string (json, "{\"type\":\"y\"}");
  g_free (json);
  gst_structure_free (typed);
  gst_structure_free (inner);
  gst_structure_free (s);
}

GST_END_TEST;

/* gst/gstwrtcjson.h: escaping and the separators the builder puts */
GST_START_TEST (test_json_builder)
{
  GString *out = g_string_new (NULL);

  gst_wrtc_json_begin_object (out);
  gst_wrtc_json_member (out, "s");
  gst_wrtc_json_add_string (out, "q\"b\\c\x01\x7f\t\u00e9");
  gst_wrtc_json_member (out, "none");
  gst_wrtc_json_add_string (out, NULL);
  gst_wrtc_json_member (out, "list");
  gst_wrtc_json_begin_array (out);
  gst_wrtc_json_add_boolean (out, TRUE);
  gst_wrtc_json_add_raw (out, "42");
  gst_wrtc_json_begin_object (out);
  gst_wrtc_json_end_object (out);
  gst_wrtc_json_begin_array (out);
  gst_wrtc_json_end_array (out);
  gst_wrtc_json_end_array (out);
  gst_wrtc_json_member (out, "k\n");
  gst_wrtc_json_add_boolean (out, FALSE);
  gst_wrtc_json_end_object (out);
  fail_unless_equals_string (out->str,
      "{\"s\":\"q\\\"b\\\\c\\u0001\\u007f\\t\u00e9\",\"none\":null,"
      "\"list\":[true,42,{},[]],\"k\\n\":false}");
  g_string_free (out, TRUE);
}

GST_END_TEST;

GST_START_TEST (test_stop_ends_sessions)
{
  gchar *a = post_ok ("whep", NULL), *b = post_ok ("whip", NULL);
  gchar *url;

  fail_unless_equals_int (gst_wrtc_http_server_get_n_sessions (server), 2);
  gst_wrtc_http_server_stop (server);
  fail_unless_equals_int (app.ended->len, 2);
  for (guint i = 0; i < 2; i++)
    fail_unless (g_str_has_suffix (g_ptr_array_index (app.ended, i),
            " server-stopped"));
  fail_unless_equals_int (gst_wrtc_http_server_get_n_sessions (server), 0);
  fail_unless (gst_wrtc_http_server_get_url (server) == NULL);
  /* queued work after stop is dropped, not crashed on */
  gst_wrtc_http_server_complete_offer (server, "x", ANSWER, NULL);
  gst_wrtc_http_server_end_session (server, "x");

  /* and it starts again */
  fail_unless (gst_wrtc_http_server_start (server, "127.0.0.1", 0, NULL, NULL,
          NULL));
  url = gst_wrtc_http_server_get_url (server);
  g_free (base_url);
  base_url = url;
  g_free (post_ok ("whep", NULL));
  g_free (a);
  g_free (b);
}

GST_END_TEST;

static gpointer
post_in_thread (gpointer data)
{
  SoupSession *own = new_session ();
  SoupMessage *msg;
  GBytes *body = g_bytes_new_static (OFFER, strlen (OFFER));
  GBytes *resp;
  GError *err = NULL;
  guint status;

  msg = soup_message_new ("POST", data);
  soup_message_set_request_body_from_bytes (msg, "application/sdp", body);
  resp = soup_session_send_and_read (own, msg, NULL, &err);
  /* the connection closes, or a 503 made it out first */
  status = resp ? soup_message_get_status (msg) : 0;
  g_clear_pointer (&resp, g_bytes_unref);
  g_clear_error (&err);
  g_bytes_unref (body);
  g_object_unref (msg);
  g_object_unref (own);
  return GUINT_TO_POINTER (status);
}

GST_START_TEST (test_stop_with_answer_pending)
{
  gchar *url = g_strconcat (base_url, "whep", NULL);
  GThread *t;
  guint status;

  app.async = TRUE;
  t = g_thread_new ("client", post_in_thread, url);
  g_mutex_lock (&app.lock);
  while (app.offers->len == 0)
    g_cond_wait (&app.cond, &app.lock);
  g_mutex_unlock (&app.lock);

  gst_wrtc_http_server_stop (server);
  fail_unless_equals_int (app.ended->len, 1);
  fail_unless (g_str_has_suffix (g_ptr_array_index (app.ended, 0),
          " server-stopped"));
  status = GPOINTER_TO_UINT (g_thread_join (t));
  fail_unless (status == 0 || status == 503, "status %u", status);
  g_free (url);
}

GST_END_TEST;

GST_START_TEST (test_start_errors)
{
  GstWrtcHttpServer *other = gst_wrtc_http_server_new ();
  GError *err = NULL;
  GUri *uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);

  fail_unless (g_str_has_prefix (base_url, "http://127.0.0.1:"));
  fail_unless (g_str_has_suffix (base_url, "/"));
  /* started already */
  fail_if (gst_wrtc_http_server_start (server, "127.0.0.1", 0, NULL, NULL,
          &err));
  fail_unless (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_EXISTS));
  g_clear_error (&err);
  /* not an address */
  fail_if (gst_wrtc_http_server_start (other, "nowhere.invalid", 0, NULL,
          NULL, &err));
  fail_unless (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
  g_clear_error (&err);
  /* port taken */
  fail_if (gst_wrtc_http_server_start (other, "127.0.0.1", g_uri_get_port (uri),
          NULL, NULL, &err));
  fail_unless (err != NULL && strstr (err->message, "cannot listen") != NULL);
  g_clear_error (&err);
  /* missing certificate files */
  fail_if (gst_wrtc_http_server_start (other, "127.0.0.1", 0,
          "/nonexistent/cert.pem", "/nonexistent/key.pem", &err));
  fail_unless (err != NULL);
  g_clear_error (&err);
  fail_unless (gst_wrtc_http_server_get_url (other) == NULL);
  /* IPv6 loopback, URL in brackets */
  fail_unless (gst_wrtc_http_server_start (other, "::1", 0, NULL, NULL, &err));
  {
    gchar *url = gst_wrtc_http_server_get_url (other);
    fail_unless (g_str_has_prefix (url, "http://[::1]:"), "%s", url);
    g_free (url);
  }
  g_object_unref (other);       /* stops it */
  g_uri_unref (uri);
}

GST_END_TEST;

GST_START_TEST (test_tls)
{
  gchar *dir = g_dir_make_tmp ("wrtc-signalling-XXXXXX", NULL);
  gchar *cert = g_build_filename (dir, "cert.pem", NULL);
  gchar *key = g_build_filename (dir, "key.pem", NULL);
  const gchar *argv[] = { "openssl", "req", "-x509", "-newkey", "ec",
    "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj",
    "/CN=127.0.0.1", "-days", "2", "-keyout", key, "-out", cert, NULL
  };
  GstWrtcHttpServer *tls = gst_wrtc_http_server_new ();
  GTlsCertificate *expected;
  GError *err = NULL;
  gint wait_status;
  gchar *plain_url = base_url;
  Req req = { "application/sdp", OFFER, -1 };
  Req get = { NULL, };
  Reply *r;

  fail_unless (g_spawn_sync (NULL, (gchar **) argv, NULL,
          G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
          G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &wait_status,
          &err), "openssl: %s", err ? err->message : "?");
  fail_unless (g_spawn_check_wait_status (wait_status, NULL));
  expected = g_tls_certificate_new_from_file (cert, &err);
  fail_unless (expected != NULL, "%s", err ? err->message : "?");

  add_endpoints (tls);
  fail_unless (gst_wrtc_http_server_start (tls, "127.0.0.1", 0, cert, key,
          &err), "start: %s", err ? err->message : "?");
  base_url = gst_wrtc_http_server_get_url (tls);
  fail_unless (g_str_has_prefix (base_url, "https://127.0.0.1:"), "%s",
      base_url);

  req.accept = expected;
  get.accept = expected;
  r = http ("POST", "whep", &req);
  fail_unless_equals_int (r->status, 201);
  fail_unless_equals_string (r->body, ANSWER);
  fail_unless (g_str_has_prefix (header (r, "Location"), "/whep/"));
  reply_free (r);

  /* a GET of a page over TLS too */
  r = http ("GET", "/", &get);
  fail_unless_equals_int (r->status, 200);
  fail_unless_equals_string (r->body, PAGE);
  reply_free (r);
  g_object_unref (tls);

  /* bad files: each error names the file at fault and why */
  tls = gst_wrtc_http_server_new ();
  fail_if (gst_wrtc_http_server_start (tls, "127.0.0.1", 0, cert,
          "/nonexistent/key.pem", &err));
  fail_unless (g_error_matches (err, G_FILE_ERROR, G_FILE_ERROR_NOENT));
  fail_unless (strstr (err->message, "/nonexistent/key.pem") != NULL
      && strstr (err->message, "TLS key file") != NULL, "%s", err->message);
  g_clear_error (&err);
  /* the key where the certificate should be */
  fail_if (gst_wrtc_http_server_start (tls, "127.0.0.1", 0, key, key, &err));
  fail_unless (err != NULL && err->domain == G_TLS_ERROR);
  fail_unless (strstr (err->message, key) != NULL
      && strstr (err->message, "certificate") != NULL, "%s", err->message);
  g_clear_error (&err);
  /* the certificate where the key should be */
  fail_if (gst_wrtc_http_server_start (tls, "127.0.0.1", 0, cert, cert, &err));
  fail_unless (err != NULL && err->domain == G_TLS_ERROR);
  fail_unless (strstr (err->message, cert) != NULL
      && strstr (err->message, "private key") != NULL, "%s", err->message);
  g_clear_error (&err);
  fail_unless (gst_wrtc_http_server_get_url (tls) == NULL);
  g_object_unref (tls);

  g_free (base_url);
  base_url = plain_url;
  g_object_unref (expected);
  g_unlink (cert);
  g_unlink (key);
  g_rmdir (dir);
  g_free (cert);
  g_free (key);
  g_free (dir);
}

GST_END_TEST;

static Suite *
signalling_suite (void)
{
  Suite *s = suite_create ("signalling");
  TCase *tc;

  tc = tcase_create ("sdpfrag");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_sdpfrag_rfc9725_example);
  tcase_add_test (tc, test_sdpfrag_shapes);
  tcase_add_test (tc, test_sdpfrag_errors);
  tcase_add_test (tc, test_sdpfrag_round_trip);
  tcase_add_test (tc, test_sdpfrag_every_truncation);

  tc = tcase_create ("httpserver");
  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 60);
  tcase_add_checked_fixture (tc, server_setup, server_teardown);
  tcase_add_test (tc, test_post_answer);
  tcase_add_test (tc, test_post_async_answer);
  tcase_add_test (tc, test_post_async_reject);
  tcase_add_test (tc, test_post_bad_requests);
  tcase_add_test (tc, test_token);
  tcase_add_test (tc, test_max_sessions);
  tcase_add_test (tc, test_whip_single_publisher);
  tcase_add_test (tc, test_application_errors);
  tcase_add_test (tc, test_patch);
  tcase_add_test (tc, test_delete);
  tcase_add_test (tc, test_end_session_by_application);
  tcase_add_test (tc, test_session_state_machine);
  tcase_add_test (tc, test_session_state_machine_requests);
  tcase_add_test (tc, test_options_and_cors);
  tcase_add_test (tc, test_pages_and_methods);
  tcase_add_test (tc, test_ice_server_links);
  tcase_add_test (tc, test_generated_pages);
  tcase_add_test (tc, test_ice_servers_json);
  tcase_add_test (tc, test_json_from_structure);
  tcase_add_test (tc, test_json_builder);
  tcase_add_test (tc, test_stop_ends_sessions);
  tcase_add_test (tc, test_stop_with_answer_pending);
  tcase_add_test (tc, test_start_errors);
  tcase_add_test (tc, test_tls);
  return s;
}

GST_CHECK_MAIN (signalling);
