/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: fuzz target for gst_wrtc_ice_server_parse(), the
 * one parser of STUN/TURN server URLs (RFC 7064, RFC 7065), which the
 * ICE transport and the signalling server's RFC 9725 Link headers and
 * RTCIceServer JSON both read properties through.
 *
 * The input, up to its first NUL, is one URL.  Invariants: a server or an
 * error, never both, the error GST_WRTC_ICE_ERROR_INVALID_ARGUMENT quoting
 * the URL; a TURN server has a username and a credential without control
 * characters, a STUN server none; its RFC 7064/7065 form
 * (gst_wrtc_ice_server_to_uri()) with the same credentials parses to the
 * same server and writes the same text.
 *
 * Needs only the ICE layer's plain types: no libnice.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "fuzz-check.h"

#include "gstwrtciceserver.h"

static void
check_credential (const gchar * s)
{
  FUZZ_CHECK (s != NULL && g_utf8_validate (s, -1, NULL));
  for (; *s; s++)
    FUZZ_CHECK ((guchar) * s >= 0x20 && *s != 0x7f);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  GError *err = NULL;
  GstWrtcIceServer *server, *again;
  gchar *url, *uri, *uri_again;

  if (size > 4096)
    return 0;
  fuzz_check_init ();

  url = g_strndup ((const gchar *) data, size);
  server = gst_wrtc_ice_server_parse (url, NULL, NULL, &err);
  FUZZ_CHECK ((server == NULL) == (err != NULL));
  if (!server) {
    FUZZ_CHECK (g_error_matches (err, GST_WRTC_ICE_ERROR,
            GST_WRTC_ICE_ERROR_INVALID_ARGUMENT));
    FUZZ_CHECK (strstr (err->message, url) != NULL);
    g_error_free (err);
    g_free (url);
    return 0;
  }
  FUZZ_CHECK (server->host != NULL && server->host[0] != '\0');
  FUZZ_CHECK (server->port <= 65535);
  FUZZ_CHECK (gst_wrtc_ice_server_get_port (server) >= 1
      && gst_wrtc_ice_server_get_port (server) <= 65535);
  if (server->scheme == GST_WRTC_ICE_SERVER_STUN) {
    FUZZ_CHECK (!server->username && !server->credential);
    FUZZ_CHECK (server->transport == GST_WRTC_ICE_SERVER_TRANSPORT_DEFAULT);
  } else {
    check_credential (server->username);
    check_credential (server->credential);
  }

  uri = gst_wrtc_ice_server_to_uri (server);
  again = gst_wrtc_ice_server_parse (uri, server->username,
      server->credential, &err);
  if (!again)
    fprintf (stderr, "re-parse of %s failed: %s\n", uri, err->message);
  FUZZ_CHECK (again != NULL);
  FUZZ_CHECK (again->scheme == server->scheme);
  FUZZ_CHECK (strcmp (again->host, server->host) == 0);
  FUZZ_CHECK (again->port == server->port);
  FUZZ_CHECK (again->transport == server->transport);
  FUZZ_CHECK (g_strcmp0 (again->username, server->username) == 0);
  FUZZ_CHECK (g_strcmp0 (again->credential, server->credential) == 0);
  uri_again = gst_wrtc_ice_server_to_uri (again);
  FUZZ_CHECK (strcmp (uri, uri_again) == 0);

  g_free (uri_again);
  g_free (uri);
  gst_wrtc_ice_server_free (again);
  gst_wrtc_ice_server_free (server);
  g_free (url);
  return 0;
}
