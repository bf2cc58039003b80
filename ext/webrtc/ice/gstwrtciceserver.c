/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: STUN and TURN server URLs (RFC 7064, RFC 7065);
 * see the header.
 *
 *   stunURI   = scheme ":" host [ ":" port ]                   RFC 7064
 *   turnURI   = scheme ":" host [ ":" port ]
 *               [ "?transport=" transport ]                    RFC 7065
 *   host      = IP-literal / IPv4address / reg-name             RFC 3986
 *
 * plus the authority form "scheme://[userinfo@]host[:port][/]" whose
 * userinfo ("user:password", RFC 3986 section 3.2.1) carries TURN
 * credentials.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtciceserver.h"

#include <string.h>
#include <gio/gio.h>

void
gst_wrtc_ice_server_free (GstWrtcIceServer * server)
{
  if (!server)
    return;
  g_free (server->host);
  g_free (server->username);
  g_free (server->credential);
  g_free (server);
}

guint
gst_wrtc_ice_server_get_port (const GstWrtcIceServer * server)
{
  g_return_val_if_fail (server != NULL, 0);

  if (server->port)
    return server->port;
  return server->scheme == GST_WRTC_ICE_SERVER_TURNS ?
      GST_WRTC_ICE_TURNS_DEFAULT_PORT : GST_WRTC_ICE_STUN_DEFAULT_PORT;
}

gchar *
gst_wrtc_ice_server_to_uri (const GstWrtcIceServer * server)
{
  static const gchar *schemes[] = { "stun", "turn", "turns" };
  GString *s;

  g_return_val_if_fail (server != NULL, NULL);

  s = g_string_new (schemes[server->scheme]);
  g_string_append_printf (s, strchr (server->host, ':') ? ":[%s]" : ":%s",
      server->host);
  if (server->port)
    g_string_append_printf (s, ":%u", server->port);
  if (server->transport != GST_WRTC_ICE_SERVER_TRANSPORT_DEFAULT)
    g_string_append_printf (s, "?transport=%s",
        server->transport == GST_WRTC_ICE_SERVER_TRANSPORT_UDP ? "udp" : "tcp");
  return g_string_free (s, FALSE);
}

/* RFC 3986 section 3.2.2 reg-name, without percent-encoding (a DNS name,
 * RFC 1123); a name of digits and dots only would be a broken IPv4
 * address (RFC 3986 tries IPv4address first). */
static gboolean
is_reg_name (const gchar * s)
{
  gboolean letter = FALSE;

  for (; *s; s++) {
    if (g_ascii_isalpha (*s) || *s == '-' || *s == '_' || *s == '~')
      letter = TRUE;
    else if (!g_ascii_isdigit (*s) && *s != '.')
      return FALSE;
  }
  return letter;
}

static gboolean
is_ip_literal (const gchar * s, GSocketFamily family)
{
  GInetAddress *a = g_inet_address_new_from_string (s);
  gboolean ok = a && g_inet_address_get_family (a) == family;

  g_clear_object (&a);
  return ok;
}

/* A credential fit for a Link header's quoted-string and for JSON. */
static const gchar *
credential_problem (const gchar * s)
{
  if (!g_utf8_validate (s, -1, NULL))
    return "is not UTF-8";
  for (; *s; s++) {
    if ((guchar) * s < 0x20 || *s == 0x7f)
      return "holds a control character";
  }
  return NULL;
}

/* Sets @error about @url; always FALSE. */
static gboolean
G_GNUC_PRINTF (3, 4)
invalid (GError ** error, const gchar * url, const gchar * format, ...)
{
  va_list args;
  gchar *what;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, GST_WRTC_ICE_ERROR, GST_WRTC_ICE_ERROR_INVALID_ARGUMENT,
      "STUN/TURN server URL \"%s\": %s", url, what);
  g_free (what);
  return FALSE;
}

/* host [":" port] of @hostport into @out. */
static gboolean
parse_host_port (const gchar * url, const gchar * hostport,
    GstWrtcIceServer * out, GError ** error)
{
  const gchar *port = NULL;
  guint64 value;

  if (hostport[0] == '[') {
    const gchar *close = strchr (hostport, ']');

    if (!close)
      return invalid (error, url, "no ']' after the IPv6 address");
    out->host = g_strndup (hostport + 1, close - hostport - 1);
    if (!is_ip_literal (out->host, G_SOCKET_FAMILY_IPV6))
      return invalid (error, url, "\"%s\" is not an IPv6 address", out->host);
    if (close[1] == ':')
      port = close + 2;
    else if (close[1] != '\0')
      return invalid (error, url, "\"%s\" after the IPv6 address", close + 1);
  } else {
    const gchar *colon = strchr (hostport, ':');

    if (colon && strchr (colon + 1, ':'))
      return invalid (error, url, "an IPv6 address needs brackets");
    out->host = colon ? g_strndup (hostport, colon - hostport) :
        g_strdup (hostport);
    port = colon ? colon + 1 : NULL;
    if (out->host[0] == '\0')
      return invalid (error, url, "no host");
    if (!is_ip_literal (out->host, G_SOCKET_FAMILY_IPV4)
        && !is_reg_name (out->host))
      return invalid (error, url, "\"%s\" is neither an IPv4 address nor a "
          "host name", out->host);
  }
  if (!port)
    return TRUE;
  /* RFC 3986 port = *DIGIT, and a server listens on 1 to 65535 */
  if (*port == '\0' || strlen (port) > 5 || strspn (port, "0123456789")
      != strlen (port))
    return invalid (error, url, "bad port \"%s\"", port);
  value = g_ascii_strtoull (port, NULL, 10);
  if (value == 0 || value > 65535)
    return invalid (error, url, "port %" G_GUINT64_FORMAT " is not 1 to 65535",
        value);
  out->port = value;
  return TRUE;
}

/* "user[:password]" (RFC 3986 section 3.2.1), percent-decoded. */
static gboolean
parse_userinfo (const gchar * url, const gchar * userinfo,
    GstWrtcIceServer * out, GError ** error)
{
  const gchar *sep = strchr (userinfo, ':');
  gchar *user = sep ? g_strndup (userinfo, sep - userinfo) :
      g_strdup (userinfo);

  out->username = g_uri_unescape_string (user, NULL);
  g_free (user);
  if (sep)
    out->credential = g_uri_unescape_string (sep + 1, NULL);
  if (!out->username || (sep && !out->credential))
    return invalid (error, url, "bad percent-encoding in the user-info");
  return TRUE;
}

GstWrtcIceServer *
gst_wrtc_ice_server_parse (const gchar * url, const gchar * username,
    const gchar * credential, GError ** error)
{
  GstWrtcIceServer *out = g_new0 (GstWrtcIceServer, 1);
  const gchar *colon, *rest, *query, *at, *slash, *problem;
  gchar *scheme = NULL, *authority = NULL;
  gboolean stun;

  if (!url) {
    g_set_error_literal (error, GST_WRTC_ICE_ERROR,
        GST_WRTC_ICE_ERROR_INVALID_ARGUMENT, "no STUN/TURN server URL");
    goto fail;
  }
  /* RFC 3986 section 2: URLs are printable US-ASCII; '<', '>', '"' and
   * '\\' would break the Link header's URI-Reference (RFC 8288) */
  for (const gchar * p = url; *p; p++) {
    if ((guchar) * p <= 0x20 || (guchar) * p >= 0x7f || strchr ("<>\"\\", *p)) {
      invalid (error, url, "character 0x%02x (at %u) is not allowed in a URL",
          (guchar) * p, (guint) (p - url));
      goto fail;
    }
  }

  colon = strchr (url, ':');
  if (!colon) {
    invalid (error, url, "no scheme: expected stun:, turn: or turns:");
    goto fail;
  }
  scheme = g_ascii_strdown (url, colon - url);
  if (strcmp (scheme, "stun") == 0) {
    out->scheme = GST_WRTC_ICE_SERVER_STUN;
  } else if (strcmp (scheme, "turn") == 0) {
    out->scheme = GST_WRTC_ICE_SERVER_TURN;
  } else if (strcmp (scheme, "turns") == 0) {
    out->scheme = GST_WRTC_ICE_SERVER_TURNS;
  } else if (strcmp (scheme, "stuns") == 0) {
    /* libnice and browsers do not do STUN over TLS */
    invalid (error, url, "stuns: (STUN over TLS) is not supported");
    goto fail;
  } else {
    invalid (error, url, "unknown scheme \"%s\": expected stun:, turn: or "
        "turns:", scheme);
    goto fail;
  }
  stun = out->scheme == GST_WRTC_ICE_SERVER_STUN;

  rest = colon + 1;
  if (g_str_has_prefix (rest, "//"))
    rest += 2;
  query = strchr (rest, '?');
  authority = query ? g_strndup (rest, query - rest) : g_strdup (rest);

  /* a password may hold '/', so the path starts after the user-info */
  at = strrchr (authority, '@');
  slash = strchr (at ? at : authority, '/');
  if (slash) {
    if (slash[1] != '\0') {
      invalid (error, url, "a path (\"%s\") is not allowed", slash);
      goto fail;
    }
    authority[slash - authority] = '\0';
  }
  if (at) {
    if (stun) {
      invalid (error, url, "a STUN server takes no user-info");
      goto fail;
    }
    authority[at - authority] = '\0';
    if (!parse_userinfo (url, authority, out, error))
      goto fail;
  }
  if (!parse_host_port (url, at ? at + 1 : authority, out, error))
    goto fail;

  if (query) {
    const gchar *value = query + 1;

    if (stun) {
      invalid (error, url, "a STUN server takes no query");
      goto fail;
    }
    if (!g_str_has_prefix (value, "transport=")) {
      invalid (error, url, "unknown query \"%s\": expected transport=udp or "
          "transport=tcp", value);
      goto fail;
    }
    value += strlen ("transport=");
    if (g_ascii_strcasecmp (value, "udp") == 0) {
      out->transport = GST_WRTC_ICE_SERVER_TRANSPORT_UDP;
    } else if (g_ascii_strcasecmp (value, "tcp") == 0) {
      out->transport = GST_WRTC_ICE_SERVER_TRANSPORT_TCP;
    } else {
      invalid (error, url, "unknown transport \"%s\": expected udp or tcp",
          value);
      goto fail;
    }
    if (out->scheme == GST_WRTC_ICE_SERVER_TURNS
        && out->transport == GST_WRTC_ICE_SERVER_TRANSPORT_UDP) {
      invalid (error, url, "turns: over UDP (DTLS) is not supported");
      goto fail;
    }
  }

  if (!stun) {
    if (username) {
      g_free (out->username);
      out->username = g_strdup (username);
    }
    if (credential) {
      g_free (out->credential);
      out->credential = g_strdup (credential);
    }
    if (!out->username || !out->credential) {
      invalid (error, url, "a TURN server needs a username and a credential");
      goto fail;
    }
    if ((problem = credential_problem (out->username))) {
      invalid (error, url, "the username %s", problem);
      goto fail;
    }
    if ((problem = credential_problem (out->credential))) {
      invalid (error, url, "the credential %s", problem);
      goto fail;
    }
  }

  g_free (scheme);
  g_free (authority);
  return out;

fail:
  g_free (scheme);
  g_free (authority);
  gst_wrtc_ice_server_free (out);
  return NULL;
}
