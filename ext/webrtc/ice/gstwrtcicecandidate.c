/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the ICE layer's plain types; see the header. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcicecandidate.h"

#include <string.h>

G_DEFINE_QUARK (gst - wrtc - ice - error - quark, gst_wrtc_ice_error);

G_DEFINE_BOXED_TYPE (GstWrtcIceCandidate, gst_wrtc_ice_candidate,
    gst_wrtc_ice_candidate_copy, gst_wrtc_ice_candidate_free);

GstWrtcIceCandidate *
gst_wrtc_ice_candidate_new (void)
{
  GstWrtcIceCandidate *c = g_new0 (GstWrtcIceCandidate, 1);

  c->related_port = -1;
  return c;
}

GstWrtcIceCandidate *
gst_wrtc_ice_candidate_copy (const GstWrtcIceCandidate * c)
{
  GstWrtcIceCandidate *copy;

  g_return_val_if_fail (c != NULL, NULL);

  copy = g_new (GstWrtcIceCandidate, 1);
  *copy = *c;
  copy->foundation = g_strdup (c->foundation);
  copy->address = g_strdup (c->address);
  copy->related_address = g_strdup (c->related_address);
  copy->extensions = g_strdupv (c->extensions);
  return copy;
}

void
gst_wrtc_ice_candidate_free (GstWrtcIceCandidate * c)
{
  if (!c)
    return;
  g_free (c->foundation);
  g_free (c->address);
  g_free (c->related_address);
  g_strfreev (c->extensions);
  g_free (c);
}

gboolean
gst_wrtc_ice_candidate_equal (const GstWrtcIceCandidate * a,
    const GstWrtcIceCandidate * b)
{
  guint n;

  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  if (g_strcmp0 (a->foundation, b->foundation) != 0
      || a->component != b->component || a->protocol != b->protocol
      || a->priority != b->priority || g_strcmp0 (a->address, b->address)
      || a->port != b->port || a->type != b->type
      || g_strcmp0 (a->related_address, b->related_address)
      || a->related_port != b->related_port || a->tcp_type != b->tcp_type)
    return FALSE;
  n = a->extensions ? g_strv_length (a->extensions) : 0;
  if (n != (b->extensions ? g_strv_length (b->extensions) : 0))
    return FALSE;
  for (guint i = 0; i < n; i++) {
    if (strcmp (a->extensions[i], b->extensions[i]) != 0)
      return FALSE;
  }
  return TRUE;
}

const gchar *
gst_wrtc_ice_candidate_type_to_string (GstWrtcIceCandidateType type)
{
  switch (type) {
    case GST_WRTC_ICE_CANDIDATE_TYPE_HOST:
      return "host";
    case GST_WRTC_ICE_CANDIDATE_TYPE_SRFLX:
      return "srflx";
    case GST_WRTC_ICE_CANDIDATE_TYPE_PRFLX:
      return "prflx";
    case GST_WRTC_ICE_CANDIDATE_TYPE_RELAY:
      return "relay";
  }
  return "unknown";
}

const gchar *
gst_wrtc_ice_protocol_to_string (GstWrtcIceProtocol protocol)
{
  return protocol == GST_WRTC_ICE_PROTOCOL_TCP ? "tcp" : "udp";
}

const gchar *
gst_wrtc_ice_tcp_type_to_string (GstWrtcIceTcpType tcp_type)
{
  switch (tcp_type) {
    case GST_WRTC_ICE_TCP_TYPE_ACTIVE:
      return "active";
    case GST_WRTC_ICE_TCP_TYPE_PASSIVE:
      return "passive";
    case GST_WRTC_ICE_TCP_TYPE_SO:
      return "so";
    case GST_WRTC_ICE_TCP_TYPE_NONE:
      break;
  }
  return NULL;
}

gboolean
gst_wrtc_ice_is_ice_chars (const gchar * s, gsize min, gsize max)
{
  gsize n = 0;

  if (!s)
    return FALSE;
  for (; *s; s++, n++) {
    if (!g_ascii_isalnum (*s) && *s != '+' && *s != '/')
      return FALSE;
  }
  return n >= min && n <= max;
}
