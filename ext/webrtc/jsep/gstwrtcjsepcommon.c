/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: helpers of the JSEP layer; see the header. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcjsepcommon.h"

#include <string.h>

gboolean
gst_wrtc_jsep_parse_digits (const gchar * s, guint max_digits,
    guint64 max_value, guint64 * out)
{
  gsize n = strlen (s);

  if (n == 0 || n > max_digits || strspn (s, "0123456789") != n)
    return FALSE;
  *out = g_ascii_strtoull (s, NULL, 10);
  return *out <= max_value;
}

gboolean
gst_wrtc_jsep_is_token (const gchar * s)
{
  if (!*s)
    return FALSE;
  for (; *s; s++) {
    if (!g_ascii_isalnum (*s) && !strchr ("!#$%&'*+-.^_`{|}~", *s))
      return FALSE;
  }
  return TRUE;
}

gboolean
gst_wrtc_jsep_is_vchars (const gchar * s)
{
  if (!*s)
    return FALSE;
  for (; *s; s++) {
    if ((guchar) * s <= 0x20 || (guchar) * s >= 0x7f)
      return FALSE;
  }
  return TRUE;
}

/* in GstWrtcRtcpFb bit order */
static const gchar *rtcp_fb_names[] =
    { "nack", "nack pli", "ccm fir", "transport-cc", "goog-remb" };

void
gst_wrtc_jsep_append_rtcp_fb (GString * s, guint pt, GstWrtcRtcpFb fb)
{
  for (guint i = 0; i < G_N_ELEMENTS (rtcp_fb_names); i++) {
    if (fb & (1 << i))
      g_string_append_printf (s, "a=rtcp-fb:%u %s\r\n", pt, rtcp_fb_names[i]);
  }
}

void
gst_wrtc_jsep_append_rtpmap (GString * s, guint pt, const gchar * encoding,
    guint clock_rate, guint channels)
{
  g_string_append_printf (s, "a=rtpmap:%u %s/%u", pt, encoding, clock_rate);
  if (channels)
    g_string_append_printf (s, "/%u", channels);
  g_string_append (s, "\r\n");
}

void
gst_wrtc_jsep_append_rtx (GString * s, guint rtx_pt, guint clock_rate, guint pt)
{
  g_string_append_printf (s, "a=rtpmap:%u rtx/%u\r\na=fmtp:%u apt=%u\r\n",
      rtx_pt, clock_rate, rtx_pt, pt);
}

void
gst_wrtc_jsep_append_transport (GString * s, gboolean rtp,
    const gchar * ufrag, const gchar * pwd, const gchar * fingerprint,
    const gchar * setup, const gchar * mid)
{
  g_string_append (s, "c=IN IP4 0.0.0.0\r\n");
  if (rtp)
    g_string_append (s, "a=rtcp:9 IN IP4 0.0.0.0\r\n");
  g_string_append_printf (s, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n"
      "a=ice-options:trickle\r\na=fingerprint:%s\r\na=setup:%s\r\n"
      "a=mid:%s\r\n", ufrag, pwd, fingerprint, setup, mid);
}

void
gst_wrtc_jsep_append_datachannel (GString * s, const gchar * proto,
    const gchar * ufrag, const gchar * pwd, const gchar * fingerprint,
    const gchar * setup, const gchar * mid, guint sctp_port,
    guint64 max_message_size, const gchar * const *candidates,
    gboolean end_of_candidates)
{
  g_string_append_printf (s, "m=application 9 %s webrtc-datachannel\r\n",
      proto);
  gst_wrtc_jsep_append_transport (s, FALSE, ufrag, pwd, fingerprint, setup,
      mid);
  g_string_append_printf (s, "a=sctp-port:%u\r\na=max-message-size:%"
      G_GUINT64_FORMAT "\r\n", sctp_port ? sctp_port :
      GST_WRTC_SCTP_DEFAULT_PORT, max_message_size);
  /* not an RFC attribute (others ignore it, RFC 8866 section 5.13): tells
   * another of our stacks it may send us SCTP packets this large where
   * the path takes them (the peer: loopback) */
  g_string_append_printf (s, "a=x-wrtc-max-sctp-packet:%u\r\n",
      GST_WRTC_SCTP_MAX_PACKET);
  gst_wrtc_jsep_append_candidates (s, candidates, end_of_candidates);
}

void
gst_wrtc_negotiated_set_datachannel (GstWrtcNegotiatedMedia * n,
    const GstWrtcMediaDesc * m, guint sctp_port, guint64 max_message_size)
{
  n->datachannel = TRUE;
  n->direction = GST_WRTC_DIRECTION_SENDRECV;
  n->local_sctp_port = sctp_port ? sctp_port : GST_WRTC_SCTP_DEFAULT_PORT;
  n->local_max_message_size = max_message_size;
  n->remote_sctp_port = m->sctp_port;
  n->remote_max_message_size = m->max_message_size;
  n->remote_max_sctp_packet = m->max_sctp_packet;
}

void
gst_wrtc_jsep_append_candidates (GString * s, const gchar * const *candidates,
    gboolean end)
{
  for (guint i = 0; candidates && candidates[i]; i++)
    g_string_append_printf (s, "a=%s\r\n", candidates[i]);
  if (end)
    g_string_append (s, "a=end-of-candidates\r\n");
}

void
gst_wrtc_jsep_append_session_header (GString * s, guint64 session_id,
    guint session_version)
{
  g_string_append_printf (s, "v=0\r\no=- %" G_GUINT64_FORMAT " %u IN IP4 "
      "0.0.0.0\r\ns=-\r\nt=0 0\r\n", session_id, session_version);
}
