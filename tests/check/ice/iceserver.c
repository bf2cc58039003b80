/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* STUN/TURN server URLs (ext/webrtc/ice/gstwrtciceserver.h): the ICE
 * transport and the signalling server's ICE-server announcements read the
 * same properties through one parser, so each URL of the table is
 * accepted by both or refused by both, with the same message naming what
 * is wrong. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gio/gio.h>
#include <gst/check/gstcheck.h>

#include "gstwrtciceserver.h"
#include "gstwrtcicetransport.h"
#include "gstwrtchttpserver.h"

typedef struct
{
  const gchar *url;
  const gchar *error;           /* NULL: accepted; else in the message */
  const gchar *uri;             /* accepted: the RFC 7064/7065 form */
} UrlCase;

static const UrlCase cases[] = {
  {"stun:127.0.0.1", NULL, "stun:127.0.0.1"},
  {"stun:127.0.0.1:3478", NULL, "stun:127.0.0.1:3478"},
  {"STUN:127.0.0.1:3478", NULL, "stun:127.0.0.1:3478"},
  {"stun://127.0.0.1:3478", NULL, "stun:127.0.0.1:3478"},
  {"stun://127.0.0.1:3478/", NULL, "stun:127.0.0.1:3478"},
  {"stun:[::1]:19302", NULL, "stun:[::1]:19302"},
  {"stun:localhost:3478", NULL, "stun:localhost:3478"},
  {"turn://u:p@127.0.0.1:3478", NULL, "turn:127.0.0.1:3478"},
  {"turn://us%40r:p%3Ass@127.0.0.1:3478?transport=udp", NULL,
      "turn:127.0.0.1:3478?transport=udp"},
  {"TURN://u:p@127.0.0.1:3478?transport=TCP", NULL,
      "turn:127.0.0.1:3478?transport=tcp"},
  {"turn:u:p@127.0.0.1", NULL, "turn:127.0.0.1"},
  {"turn://u:@127.0.0.1", NULL, "turn:127.0.0.1"},
  {"turn://u:p/q@127.0.0.1:3478/", NULL, "turn:127.0.0.1:3478"},
  {"turns://u:p@[::1]:5349", NULL, "turns:[::1]:5349"},
  {"turns://u:p@127.0.0.1?transport=tcp", NULL,
      "turns:127.0.0.1?transport=tcp"},

  {"", "no scheme", NULL},
  {"stun", "no scheme", NULL},
  {"http://127.0.0.1", "unknown scheme \"http\"", NULL},
  {"stuns:127.0.0.1", "stuns: (STUN over TLS) is not supported", NULL},
  {"stun:", "no host", NULL},
  {"stun://", "no host", NULL},
  {"stun:127.0.0.1:99999", "port 99999 is not 1 to 65535", NULL},
  {"stun:127.0.0.1:0", "port 0 is not 1 to 65535", NULL},
  {"stun:127.0.0.1:", "bad port \"\"", NULL},
  {"turn://u:p@127.0.0.1:0x10", "bad port \"0x10\"", NULL},
  {"stun:[::1", "no ']'", NULL},
  {"stun:[::1]x", "\"x\" after the IPv6 address", NULL},
  {"stun:[127.0.0.1]", "is not an IPv6 address", NULL},
  {"stun:::1:3478", "an IPv6 address needs brackets", NULL},
  {"stun:300.1.1.1", "\"300.1.1.1\" is neither an IPv4 address nor a host",
      NULL},
  {"stun:exa mple.net", "character 0x20 (at 8)", NULL},
  {"turn://u:p@127.0.0.1:3478<", "character 0x3c", NULL},
  {"stun:h\xc3\xa9.net", "character 0xc3", NULL},
  {"stun:127.0.0.1?x=y", "a STUN server takes no query", NULL},
  {"stun:127.0.0.1?transport=udp", "a STUN server takes no query", NULL},
  {"stun://u:p@127.0.0.1", "a STUN server takes no user-info", NULL},
  {"turn://u:p@127.0.0.1?transport=sctp", "unknown transport \"sctp\"",
      NULL},
  {"turn://u:p@127.0.0.1?foo=bar", "unknown query \"foo=bar\"", NULL},
  {"turns://u:p@127.0.0.1?transport=udp",
      "turns: over UDP (DTLS) is not supported", NULL},
  {"turn:127.0.0.1", "a TURN server needs a username and a credential",
      NULL},
  {"turn://u@127.0.0.1", "a TURN server needs a username and a credential",
      NULL},
  {"turn://u%0Aser:p@127.0.0.1", "the username holds a control character",
      NULL},
  {"turn://u:p%7F@127.0.0.1", "the credential holds a control character",
      NULL},
  {"turn://u:p%FF@127.0.0.1", "the credential is not UTF-8", NULL},
  {"turn://u%zz:p@127.0.0.1", "bad percent-encoding in the user-info", NULL},
  {"turn://u:p@127.0.0.1/path", "a path (\"/path\") is not allowed", NULL},
};

/* The ICE transport: stun: URLs are STUN servers, the rest TURN servers. */
static gboolean
ice_accepts (GstWrtcIceTransport * t, const gchar * url, GError ** error)
{
  if (g_ascii_strncasecmp (url, "stun:", 5) == 0)
    return gst_wrtc_ice_transport_set_stun_server (t, url, error);
  return gst_wrtc_ice_transport_add_turn_server (t, url, NULL, NULL, error);
}

GST_START_TEST (test_both_users_agree)
{
  GstWrtcIceTransport *t = gst_wrtc_ice_transport_new (TRUE);
  GstWrtcHttpServer *server = gst_wrtc_http_server_new ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    const UrlCase *c = &cases[i];
    const gchar *urls[] = { c->url, NULL };
    GError *ice_err = NULL, *http_err = NULL, *err = NULL;
    gboolean ice_ok = ice_accepts (t, c->url, &ice_err);
    gboolean http_ok = gst_wrtc_http_server_set_ice_servers (server, urls,
        &http_err);
    GstWrtcIceServer *parsed = gst_wrtc_ice_server_parse (c->url, NULL, NULL,
        &err);

    fail_unless (ice_ok == (c->error == NULL), "ICE %s \"%s\": %s",
        ice_ok ? "accepted" : "refused", c->url,
        ice_err ? ice_err->message : "");
    fail_unless (http_ok == (c->error == NULL), "HTTP %s \"%s\": %s",
        http_ok ? "accepted" : "refused", c->url,
        http_err ? http_err->message : "");
    fail_unless ((parsed != NULL) == (c->error == NULL), "%s", c->url);
    if (c->error) {
      gchar *quoted = g_strdup_printf ("\"%s\"", c->url);

      fail_unless (g_error_matches (ice_err, GST_WRTC_ICE_ERROR,
              GST_WRTC_ICE_ERROR_INVALID_ARGUMENT), "%s", c->url);
      fail_unless (g_error_matches (http_err, G_IO_ERROR,
              G_IO_ERROR_INVALID_ARGUMENT), "%s", c->url);
      fail_unless (strstr (ice_err->message, c->error) != NULL, "%s: %s",
          c->url, ice_err->message);
      fail_unless (strstr (ice_err->message, quoted) != NULL, "%s",
          ice_err->message);
      fail_unless_equals_string (http_err->message, ice_err->message);
      fail_unless_equals_string (err->message, ice_err->message);
      g_free (quoted);
    } else {
      gchar *uri = gst_wrtc_ice_server_to_uri (parsed);

      fail_unless_equals_string (uri, c->uri);
      g_free (uri);
    }
    g_clear_error (&ice_err);
    g_clear_error (&http_err);
    g_clear_error (&err);
    g_clear_pointer (&parsed, gst_wrtc_ice_server_free);
  }
  g_object_unref (server);
  g_object_unref (t);
}

GST_END_TEST;

GST_START_TEST (test_fields)
{
  GError *err = NULL;
  GstWrtcIceServer *s;

  s = gst_wrtc_ice_server_parse ("turn://us%40r:p%3Ass@[::1]?transport=tcp",
      NULL, NULL, &err);
  fail_unless (s != NULL, "%s", err ? err->message : "");
  fail_unless_equals_int (s->scheme, GST_WRTC_ICE_SERVER_TURN);
  fail_unless_equals_string (s->host, "::1");
  fail_unless_equals_int (s->port, 0);
  fail_unless_equals_int (gst_wrtc_ice_server_get_port (s), 3478);
  fail_unless_equals_int (s->transport, GST_WRTC_ICE_SERVER_TRANSPORT_TCP);
  fail_unless_equals_string (s->username, "us@r");
  fail_unless_equals_string (s->credential, "p:ss");
  gst_wrtc_ice_server_free (s);

  /* the arguments replace the user-info; STUN ignores them */
  s = gst_wrtc_ice_server_parse ("turns://a:b@turn.example.net", "c", NULL,
      &err);
  fail_unless_equals_string (s->username, "c");
  fail_unless_equals_string (s->credential, "b");
  fail_unless_equals_int (gst_wrtc_ice_server_get_port (s), 5349);
  gst_wrtc_ice_server_free (s);
  s = gst_wrtc_ice_server_parse ("turn:turn.example.net", "u", "p", &err);
  fail_unless_equals_string (s->username, "u");
  fail_unless_equals_string (s->credential, "p");
  gst_wrtc_ice_server_free (s);
  s = gst_wrtc_ice_server_parse ("stun:stun.example.net", "u", "p", &err);
  fail_unless (s->username == NULL && s->credential == NULL);
  gst_wrtc_ice_server_free (s);
  fail_if (gst_wrtc_ice_server_parse ("turn:turn.example.net", "u\n", "p",
          &err));
  fail_unless (strstr (err->message, "control character") != NULL);
  g_clear_error (&err);
  fail_if (gst_wrtc_ice_server_parse (NULL, NULL, NULL, &err));
  fail_unless (g_error_matches (err, GST_WRTC_ICE_ERROR,
          GST_WRTC_ICE_ERROR_INVALID_ARGUMENT));
  g_clear_error (&err);
}

GST_END_TEST;

static Suite *
iceserver_suite (void)
{
  Suite *s = suite_create ("iceserver");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_both_users_agree);
  tcase_add_test (tc, test_fields);
  return s;
}

GST_CHECK_MAIN (iceserver);
