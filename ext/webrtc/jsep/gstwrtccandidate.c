/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: candidate attributes (RFC 8839 section 5.1); see the
 * header.
 *
 *   foundation          = 1*32ice-char
 *   component-id        = 1*3DIGIT
 *   transport           = "UDP" / transport-extension          (a token)
 *   priority            = 1*10DIGIT
 *   connection-address  = FQDN / IP4-address / IP6-address     RFC 8866
 *   port                = 1*5DIGIT
 *   cand-type           = "typ" SP candidate-types
 *   candidate-types     = "host" / "srflx" / "prflx" / "relay" / token
 *   rel-addr            = "raddr" SP connection-address
 *   rel-port            = "rport" SP port
 *   cand-extension      = extension-att-name SP extension-att-value
 *   extension-att-name  = token
 *   extension-att-value = *VCHAR
 *   tcp-type-ext        = "tcptype" SP tcp-type                 RFC 6544
 *   tcp-type            = "active" / "passive" / "so"
 *
 * rel-addr, rel-port and tcptype are read wherever they sit among the
 * extensions (name-value pairs); browsers put them in that order.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtccandidate.h"
#include "gstwrtcjsepcommon.h"

#include <string.h>
#include <gio/gio.h>

#define FOUNDATION_MAX 32
/* RFC 8866 section 9: FQDN = 4*(alpha-numeric / "-" / "."); a DNS name is
 * at most 255 bytes (RFC 1035 section 2.3.4) */
#define FQDN_MIN 4
#define FQDN_MAX 255

/* IP4-address / IP6-address / FQDN; an FQDN has a letter (one of digits
 * and dots only is a broken IPv4 address) */
static gboolean
is_connection_address (const gchar * s)
{
  GInetAddress *a = g_inet_address_new_from_string (s);
  gsize n = 0;
  gboolean letter = FALSE;

  if (a) {
    g_object_unref (a);
    return TRUE;
  }
  for (; s[n]; n++) {
    if (g_ascii_isalpha (s[n]))
      letter = TRUE;
    else if (!g_ascii_isdigit (s[n]) && s[n] != '-' && s[n] != '.')
      return FALSE;
  }
  return letter && n >= FQDN_MIN && n <= FQDN_MAX;
}

/* the attribute value: no "a=", no blanks or line end around it */
static gchar *
attribute_value (const gchar * attribute)
{
  gchar *copy = g_strstrip (g_strdup (attribute));

  if (g_str_has_prefix (copy, "a="))
    memmove (copy, copy + 2, strlen (copy + 2) + 1);
  return copy;
}

gboolean
gst_wrtc_candidate_is_end_of_candidates (const gchar * attribute)
{
  gchar *value;
  gboolean ret;

  if (!attribute)
    return FALSE;
  value = attribute_value (attribute);
  ret = value[0] == '\0' || strcmp (value, "end-of-candidates") == 0;
  g_free (value);
  return ret;
}

GstWrtcIceCandidate *
gst_wrtc_candidate_parse (const gchar * attribute, GError ** error)
{
  GstWrtcIceCandidate *c = NULL;
  gchar *value = NULL, **f = NULL;
  const gchar *what = NULL, *unknown = NULL;
  GPtrArray *ext = NULL;
  guint64 number;
  guint n, i;

  if (!attribute) {
    what = "no candidate";
    goto malformed;
  }
  if (strlen (attribute) > GST_WRTC_CANDIDATE_MAX_LEN) {
    what = "too long";
    goto malformed;
  }
  value = attribute_value (attribute);
  if (!g_str_has_prefix (value, "candidate:")) {
    what = "no \"candidate:\"";
    goto malformed;
  }
  f = g_strsplit (value + strlen ("candidate:"), " ", -1);
  n = g_strv_length (f);
  for (i = 0; i < n; i++) {
    if (f[i][0] == '\0') {
      what = "fields are separated by one space";
      goto malformed;
    }
  }
  if (n < 8) {
    what = "too few fields";
    goto malformed;
  }

  c = gst_wrtc_ice_candidate_new ();
  if (!gst_wrtc_ice_is_ice_chars (f[0], 1, FOUNDATION_MAX)) {
    what = "bad foundation";
    goto malformed;
  }
  c->foundation = g_strdup (f[0]);
  if (!gst_wrtc_jsep_parse_digits (f[1], 3, 256, &number) || number == 0) {
    what = "bad component id";
    goto malformed;
  }
  c->component = number;
  if (!gst_wrtc_jsep_is_token (f[2])) {
    what = "bad transport";
    goto malformed;
  }
  if (g_ascii_strcasecmp (f[2], "UDP") == 0)
    c->protocol = GST_WRTC_ICE_PROTOCOL_UDP;
  else if (g_ascii_strcasecmp (f[2], "TCP") == 0)
    c->protocol = GST_WRTC_ICE_PROTOCOL_TCP;
  else
    unknown = "transport";
  if (!gst_wrtc_jsep_parse_digits (f[3], 10, G_MAXUINT32, &number)) {
    what = "bad priority";
    goto malformed;
  }
  c->priority = number;
  if (!is_connection_address (f[4])) {
    what = "bad connection address";
    goto malformed;
  }
  c->address = g_strdup (f[4]);
  if (!gst_wrtc_jsep_parse_digits (f[5], 5, 65535, &number)) {
    what = "bad port";
    goto malformed;
  }
  c->port = number;
  if (strcmp (f[6], "typ") != 0) {
    what = "no \"typ\"";
    goto malformed;
  }
  if (!gst_wrtc_jsep_is_token (f[7])) {
    what = "bad candidate type";
    goto malformed;
  }
  if (strcmp (f[7], "host") == 0)
    c->type = GST_WRTC_ICE_CANDIDATE_TYPE_HOST;
  else if (strcmp (f[7], "srflx") == 0)
    c->type = GST_WRTC_ICE_CANDIDATE_TYPE_SRFLX;
  else if (strcmp (f[7], "prflx") == 0)
    c->type = GST_WRTC_ICE_CANDIDATE_TYPE_PRFLX;
  else if (strcmp (f[7], "relay") == 0)
    c->type = GST_WRTC_ICE_CANDIDATE_TYPE_RELAY;
  else if (!unknown)
    unknown = "candidate type";

  if ((n - 8) % 2 != 0) {
    what = "an extension without a value";
    goto malformed;
  }
  for (i = 8; i < n; i += 2) {
    const gchar *name = f[i], *val = f[i + 1];

    if (strcmp (name, "raddr") == 0) {
      if (!is_connection_address (val)) {
        what = "bad raddr";
        goto malformed;
      }
      g_free (c->related_address);
      c->related_address = g_strdup (val);
    } else if (strcmp (name, "rport") == 0) {
      if (!gst_wrtc_jsep_parse_digits (val, 5, 65535, &number)) {
        what = "bad rport";
        goto malformed;
      }
      c->related_port = number;
    } else if (strcmp (name, "tcptype") == 0) {
      if (strcmp (val, "active") == 0)
        c->tcp_type = GST_WRTC_ICE_TCP_TYPE_ACTIVE;
      else if (strcmp (val, "passive") == 0)
        c->tcp_type = GST_WRTC_ICE_TCP_TYPE_PASSIVE;
      else if (strcmp (val, "so") == 0)
        c->tcp_type = GST_WRTC_ICE_TCP_TYPE_SO;
      else {
        what = "bad tcptype";
        goto malformed;
      }
    } else {
      if (!gst_wrtc_jsep_is_token (name) || !gst_wrtc_jsep_is_vchars (val)) {
        what = "bad extension";
        goto malformed;
      }
      if (!ext)
        ext = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (ext, g_strdup (name));
      g_ptr_array_add (ext, g_strdup (val));
    }
  }
  if (ext) {
    g_ptr_array_add (ext, NULL);
    c->extensions = (gchar **) g_ptr_array_free (ext, FALSE);
    ext = NULL;
  }
  if (unknown)
    goto unsupported;

  g_strfreev (f);
  g_free (value);
  return c;

  /* ERRORS */
malformed:
  g_set_error (error, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_MALFORMED,
      "malformed candidate (RFC 8839 section 5.1), %s: \"%s\"", what,
      value ? value : "(null)");
  goto fail;
unsupported:
  g_set_error (error, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_UNSUPPORTED,
      "unknown %s in candidate \"%s\"", unknown, value);
  goto fail;
fail:
  if (ext)
    g_ptr_array_free (ext, TRUE);
  gst_wrtc_ice_candidate_free (c);
  g_strfreev (f);
  g_free (value);
  return NULL;
}

gchar *
gst_wrtc_candidate_to_string (const GstWrtcIceCandidate * c)
{
  GString *s;

  g_return_val_if_fail (c != NULL && c->foundation && c->address, NULL);

  s = g_string_new (NULL);
  g_string_append_printf (s, "candidate:%s %u %s %u %s %u typ %s",
      c->foundation, c->component,
      c->protocol == GST_WRTC_ICE_PROTOCOL_TCP ? "TCP" : "UDP", c->priority,
      c->address, c->port, gst_wrtc_ice_candidate_type_to_string (c->type));
  if (c->related_address)
    g_string_append_printf (s, " raddr %s", c->related_address);
  if (c->related_port >= 0)
    g_string_append_printf (s, " rport %d", c->related_port);
  if (c->tcp_type != GST_WRTC_ICE_TCP_TYPE_NONE)
    g_string_append_printf (s, " tcptype %s",
        gst_wrtc_ice_tcp_type_to_string (c->tcp_type));
  for (guint i = 0; c->extensions && c->extensions[i]
      && c->extensions[i + 1]; i += 2)
    g_string_append_printf (s, " %s %s", c->extensions[i],
        c->extensions[i + 1]);
  return g_string_free (s, FALSE);
}
