/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: parsing a remote session description (RFC 8866 with
 * the WebRTC attributes of RFC 8829, RFC 8839, RFC 8842, RFC 8843). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcsdp.h"
#include "gstwrtcjsepcommon.h"

#include <stdlib.h>
#include <string.h>
#include <gst/gst.h>
#include <gst/sdp/sdp.h>

GST_DEBUG_CATEGORY_STATIC (wrtc_sdp_debug);
#define GST_CAT_DEFAULT wrtc_sdp_debug

/* hostile input bounds: far above what any browser sends */
#define MAX_SDP_LEN (128 * 1024)
#define MAX_MEDIA 64
#define MAX_CODECS 128

G_DEFINE_QUARK (gst - wrtc - jsep - error - quark, gst_wrtc_jsep_error);

static void
debug_init (void)
{
  static gsize done = 0;
  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (wrtc_sdp_debug, "wrtcsdp", 0, "JSEP SDP");
    g_once_init_leave (&done, 1);
  }
}

static void
codec_free (GstWrtcCodec * c)
{
  g_free (c->encoding);
  g_free (c->fmtp);
  g_free (c);
}

static void
extmap_clear (GstWrtcExtmap * e)
{
  g_free (e->uri);
}

static void
media_desc_free (GstWrtcMediaDesc * m)
{
  g_free (m->media);
  g_free (m->proto);
  g_free (m->mid);
  g_ptr_array_unref (m->codecs);
  g_array_unref (m->extmaps);
  g_free (m->ice_ufrag);
  g_free (m->ice_pwd);
  g_free (m->fingerprint);
  g_free (m->setup);
  g_ptr_array_unref (m->candidates);
  g_free (m->msid);
  g_free (m);
}

void
gst_wrtc_session_desc_free (GstWrtcSessionDesc * desc)
{
  if (!desc)
    return;
  g_free (desc->sdp_type);
  g_strfreev (desc->bundle);
  g_ptr_array_unref (desc->media);
  g_free (desc);
}

const gchar *
gst_wrtc_direction_to_string (GstWrtcDirection d)
{
  static const gchar *names[] = { "sendrecv", "sendonly", "recvonly",
    "inactive"
  };
  return d < G_N_ELEMENTS (names) ? names[d] : "inactive";
}

gchar *
gst_wrtc_fmtp_get (const gchar * fmtp, const gchar * name)
{
  gchar **params;
  gchar *ret = NULL;
  guint i;
  gsize nlen = strlen (name);

  if (!fmtp)
    return NULL;
  params = g_strsplit (fmtp, ";", -1);
  for (i = 0; params[i] && !ret; i++) {
    const gchar *p = params[i];
    while (*p == ' ')
      p++;
    if (g_ascii_strncasecmp (p, name, nlen) == 0 && p[nlen] == '=')
      ret = g_strstrip (g_strdup (p + nlen + 1));
  }
  g_strfreev (params);
  return ret;
}

const GstWrtcCodec *
gst_wrtc_media_desc_find_codec (const GstWrtcMediaDesc * m, guint pt)
{
  guint i;

  for (i = 0; i < m->codecs->len; i++) {
    const GstWrtcCodec *c = g_ptr_array_index (m->codecs, i);
    if (c->pt == pt)
      return c;
  }
  return NULL;
}

guint
gst_wrtc_media_desc_find_extmap (const GstWrtcMediaDesc * m, const gchar * uri)
{
  guint i;

  for (i = 0; i < m->extmaps->len; i++) {
    const GstWrtcExtmap *e = &g_array_index (m->extmaps, GstWrtcExtmap, i);
    if (g_str_equal (e->uri, uri))
      return e->id;
  }
  return 0;
}

static gboolean
parse_uint (const gchar * s, guint max, guint * out)
{
  gchar *end;
  guint64 v;

  if (!s || !g_ascii_isdigit (*s))
    return FALSE;
  v = g_ascii_strtoull (s, &end, 10);
  if (v > max || (*end && *end != ' ' && *end != '/'))
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

static GstWrtcCodec *
codec_for_pt (GPtrArray * codecs, guint pt)
{
  guint i;

  for (i = 0; i < codecs->len; i++) {
    GstWrtcCodec *c = g_ptr_array_index (codecs, i);
    if (c->pt == pt)
      return c;
  }
  return NULL;
}

/* RFC 3551 section 6: static payload types that need no rtpmap */
static void
static_rtpmap (GstWrtcCodec * c)
{
  switch (c->pt) {
    case 0:
      c->encoding = g_strdup ("PCMU");
      c->clock_rate = 8000;
      break;
    case 8:
      c->encoding = g_strdup ("PCMA");
      c->clock_rate = 8000;
      break;
    case 9:
      c->encoding = g_strdup ("G722");
      c->clock_rate = 8000;
      break;
    default:
      break;
  }
}

/* a=rtpmap:PT NAME/RATE[/CHANNELS] (RFC 8866 section 6.6) */
static gboolean
parse_rtpmap (GPtrArray * codecs, const gchar * val)
{
  guint pt, rate;
  gchar **parts = NULL, **enc = NULL;
  GstWrtcCodec *c;
  gboolean ok = FALSE;

  parts = g_strsplit (val, " ", 2);
  if (!parts[0] || !parts[1] || !parse_uint (parts[0], 127, &pt))
    goto out;
  enc = g_strsplit (parts[1], "/", 3);
  if (!enc[0] || !*enc[0] || !enc[1] || !parse_uint (enc[1], 10000000, &rate))
    goto out;
  if (!(c = codec_for_pt (codecs, pt)))
    goto out;                   /* not in the m-line: ignore */
  g_free (c->encoding);
  c->encoding = g_ascii_strup (enc[0], -1);
  c->clock_rate = rate;
  if (enc[2] && !parse_uint (enc[2], 255, &c->channels))
    goto out;
  ok = TRUE;
out:
  g_strfreev (parts);
  g_strfreev (enc);
  return ok;
}

static GstWrtcRtcpFb
rtcp_fb_from_string (const gchar * s)
{
  if (g_str_equal (s, "nack"))
    return GST_WRTC_RTCP_FB_NACK;
  if (g_str_equal (s, "nack pli"))
    return GST_WRTC_RTCP_FB_PLI;
  if (g_str_equal (s, "ccm fir"))
    return GST_WRTC_RTCP_FB_FIR;
  if (g_str_equal (s, "transport-cc"))
    return GST_WRTC_RTCP_FB_TWCC;
  if (g_str_equal (s, "goog-remb"))
    return GST_WRTC_RTCP_FB_REMB;
  return 0;
}

/* a=rtcp-fb:PT|* TYPE[ PARAM] (RFC 4585 section 4.2) */
static void
parse_rtcp_fb (GPtrArray * codecs, const gchar * val)
{
  const gchar *sp = strchr (val, ' ');
  GstWrtcRtcpFb fb;
  guint pt, i;

  if (!sp)
    return;
  fb = rtcp_fb_from_string (sp + 1);
  if (!fb)
    return;
  if (val[0] == '*' && val[1] == ' ') {
    for (i = 0; i < codecs->len; i++)
      ((GstWrtcCodec *) g_ptr_array_index (codecs, i))->rtcp_fb |= fb;
  } else if (parse_uint (val, 127, &pt)) {
    GstWrtcCodec *c = codec_for_pt (codecs, pt);
    if (c)
      c->rtcp_fb |= fb;
  }
}

static void
parse_fmtp (GPtrArray * codecs, const gchar * val)
{
  const gchar *sp = strchr (val, ' ');
  GstWrtcCodec *c;
  guint pt;

  if (!sp || !parse_uint (val, 127, &pt) || !(c = codec_for_pt (codecs, pt)))
    return;
  g_free (c->fmtp);
  c->fmtp = g_strstrip (g_strdup (sp + 1));
}

/* a=extmap:ID[/direction] URI (RFC 8285 section 7) */
static void
parse_extmap (GArray * extmaps, const gchar * val)
{
  GstWrtcExtmap e;
  const gchar *sp = strchr (val, ' ');
  gchar *uri, *end;

  if (!sp || !parse_uint (val, 255, &e.id) || e.id == 0)
    return;
  uri = g_strdup (sp + 1);
  if ((end = strchr (uri, ' ')))
    *end = '\0';
  e.uri = uri;
  g_array_append_val (extmaps, e);
}

static GstWrtcMediaKind
kind_from_media (const gchar * media)
{
  if (!g_strcmp0 (media, "audio"))
    return GST_WRTC_MEDIA_AUDIO;
  if (!g_strcmp0 (media, "video"))
    return GST_WRTC_MEDIA_VIDEO;
  if (!g_strcmp0 (media, "application"))
    return GST_WRTC_MEDIA_APPLICATION;
  return GST_WRTC_MEDIA_OTHER;
}

/* RFC 4588 section 8.6: "a=fmtp:RTX apt=ORIGINAL" folds into ORIGINAL */
static void
fold_rtx (GPtrArray * codecs)
{
  guint i, apt;

  for (i = 0; i < codecs->len;) {
    GstWrtcCodec *c = g_ptr_array_index (codecs, i);
    if (!g_strcmp0 (c->encoding, "RTX")) {
      gchar *v = gst_wrtc_fmtp_get (c->fmtp, "apt");
      GstWrtcCodec *orig;
      if (v && parse_uint (v, 127, &apt) && (orig = codec_for_pt (codecs, apt))
          && orig->rtx_pt < 0)
        orig->rtx_pt = c->pt;
      g_free (v);
      g_ptr_array_remove_index (codecs, i);
    } else {
      i++;
    }
  }
}

/* 1*DIGIT at most @max (RFC 8841 sections 5.2 and 6) */
static gboolean
parse_sctp_uint (const gchar * s, guint64 max, guint64 * out)
{
  /* g_ascii_strtoull saturates: more than G_MAXUINT64 is refused here */
  if (strlen (s) == 20 && strcmp (s, "18446744073709551615") > 0)
    return FALSE;
  return gst_wrtc_jsep_parse_digits (s, 20, max, out);
}

/* Which kind of application section @m is: a data channel (RFC 8841
 * section 4.1: UDP/DTLS/SCTP or TCP/DTLS/SCTP with the format
 * webrtc-datachannel), the legacy form (DTLS/SCTP with an SCTP port as
 * format), or another application we do not know. */
static void
classify_application (GstWrtcMediaDesc * m, const GstSDPMedia * sm)
{
  const gchar *fmt = gst_sdp_media_formats_len (sm) ?
      gst_sdp_media_get_format (sm, 0) : NULL;
  guint64 port;

  if (!fmt || !m->proto)
    return;
  if ((!g_strcmp0 (m->proto, "UDP/DTLS/SCTP")
          || !g_strcmp0 (m->proto, "TCP/DTLS/SCTP"))
      && !g_strcmp0 (fmt, "webrtc-datachannel")) {
    m->datachannel = TRUE;
    m->sctp_port = GST_WRTC_SCTP_DEFAULT_PORT;
    m->max_message_size = GST_WRTC_SCTP_DEFAULT_MAX_MESSAGE_SIZE;
  } else if (!g_strcmp0 (m->proto, "DTLS/SCTP")
      && gst_wrtc_jsep_parse_digits (fmt, 5, 65535, &port) && port > 0) {
    m->legacy_sctpmap = TRUE;
    m->sctp_port = (guint) port;
  }
}

static GstWrtcMediaDesc *
parse_media (const GstSDPMedia * sm, guint index, GError ** error)
{
  GstWrtcMediaDesc *m = g_new0 (GstWrtcMediaDesc, 1);
  guint i, n;
  guint64 u64 = 0;

  m->index = index;
  m->media = g_strdup (gst_sdp_media_get_media (sm));
  m->kind = kind_from_media (m->media);
  m->port = gst_sdp_media_get_port (sm);
  m->proto = g_strdup (gst_sdp_media_get_proto (sm));
  m->direction = GST_WRTC_DIRECTION_SENDRECV;
  m->codecs = g_ptr_array_new_with_free_func ((GDestroyNotify) codec_free);
  m->extmaps = g_array_new (FALSE, FALSE, sizeof (GstWrtcExtmap));
  g_array_set_clear_func (m->extmaps, (GDestroyNotify) extmap_clear);
  m->candidates = g_ptr_array_new_with_free_func (g_free);

  n = gst_sdp_media_formats_len (sm);
  if (n > MAX_CODECS)
    goto too_many;
  if (m->kind == GST_WRTC_MEDIA_APPLICATION)
    classify_application (m, sm);
  if (m->kind == GST_WRTC_MEDIA_AUDIO || m->kind == GST_WRTC_MEDIA_VIDEO) {
    for (i = 0; i < n; i++) {
      GstWrtcCodec *c;
      guint pt;
      if (!parse_uint (gst_sdp_media_get_format (sm, i), 127, &pt))
        goto bad_format;
      c = g_new0 (GstWrtcCodec, 1);
      c->pt = pt;
      c->rtx_pt = -1;
      static_rtpmap (c);
      g_ptr_array_add (m->codecs, c);
    }
  }

  n = gst_sdp_media_attributes_len (sm);
  for (i = 0; i < n; i++) {
    const GstSDPAttribute *a = gst_sdp_media_get_attribute (sm, i);
    const gchar *k = a->key, *v = a->value ? a->value : "";

    if (!g_strcmp0 (k, "mid")) {
      g_free (m->mid);
      m->mid = g_strdup (v);
    } else if (!g_strcmp0 (k, "rtpmap")) {
      if (!parse_rtpmap (m->codecs, v))
        goto bad_rtpmap;
    } else if (!g_strcmp0 (k, "fmtp")) {
      parse_fmtp (m->codecs, v);
    } else if (!g_strcmp0 (k, "rtcp-fb")) {
      parse_rtcp_fb (m->codecs, v);
    } else if (!g_strcmp0 (k, "extmap")) {
      parse_extmap (m->extmaps, v);
    } else if (!g_strcmp0 (k, "sendrecv")) {
      m->direction = GST_WRTC_DIRECTION_SENDRECV;
    } else if (!g_strcmp0 (k, "sendonly")) {
      m->direction = GST_WRTC_DIRECTION_SENDONLY;
    } else if (!g_strcmp0 (k, "recvonly")) {
      m->direction = GST_WRTC_DIRECTION_RECVONLY;
    } else if (!g_strcmp0 (k, "inactive")) {
      m->direction = GST_WRTC_DIRECTION_INACTIVE;
    } else if (!g_strcmp0 (k, "rtcp-mux")) {
      m->rtcp_mux = TRUE;
    } else if (!g_strcmp0 (k, "rtcp-rsize")) {
      m->rtcp_rsize = TRUE;
    } else if (!g_strcmp0 (k, "bundle-only")) {
      m->bundle_only = TRUE;
    } else if (!g_strcmp0 (k, "ice-ufrag")) {
      g_free (m->ice_ufrag);
      m->ice_ufrag = g_strdup (v);
    } else if (!g_strcmp0 (k, "ice-pwd")) {
      g_free (m->ice_pwd);
      m->ice_pwd = g_strdup (v);
    } else if (!g_strcmp0 (k, "fingerprint")) {
      g_free (m->fingerprint);
      m->fingerprint = g_strdup (v);
    } else if (!g_strcmp0 (k, "setup")) {
      g_free (m->setup);
      m->setup = g_strdup (v);
    } else if (!g_strcmp0 (k, "candidate")) {
      g_ptr_array_add (m->candidates, g_strconcat ("candidate:", v, NULL));
    } else if (!g_strcmp0 (k, "end-of-candidates")) {
      m->end_of_candidates = TRUE;
    } else if (!g_strcmp0 (k, "msid")) {
      g_free (m->msid);
      m->msid = g_strdup (v);
    } else if (m->datachannel && !g_strcmp0 (k, "sctp-port")) {
      /* RFC 8841 section 5.2: a port, 1 to 65535 */
      if (!parse_sctp_uint (v, 65535, &u64) || u64 == 0)
        goto bad_sctp;
      m->sctp_port = (guint) u64;
    } else if (m->datachannel && !g_strcmp0 (k, "x-wrtc-max-sctp-packet")) {
      /* ours: read leniently, a bad one is as good as none */
      if (parse_sctp_uint (v, G_MAXUINT16, &u64))
        m->max_sctp_packet = (guint) u64;
    } else if (m->datachannel && !g_strcmp0 (k, "max-message-size")) {
      /* RFC 8841 section 6: 1*DIGIT, 0 meaning any size */
      if (!parse_sctp_uint (v, G_MAXUINT64, &u64))
        goto bad_sctp;
      m->max_message_size = u64;
    }
  }
  fold_rtx (m->codecs);
  return m;

  /* ERRORS */
too_many:
  g_set_error (error, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_INVALID,
      "m-section %u lists %u formats, more than %u", index, n, MAX_CODECS);
  goto fail;
bad_format:
  g_set_error (error, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_MALFORMED,
      "m-section %u: format '%s' is not an RTP payload type", index,
      gst_sdp_media_get_format (sm, i));
  goto fail;
bad_rtpmap:
  g_set_error (error, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_MALFORMED,
      "m-section %u: malformed a=rtpmap:%s", index,
      gst_sdp_media_get_attribute (sm, i)->value);
  goto fail;
bad_sctp:
  g_set_error (error, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_MALFORMED,
      "m-section %u: malformed a=%s:%s (RFC 8841)", index,
      gst_sdp_media_get_attribute (sm, i)->key,
      gst_sdp_media_get_attribute (sm, i)->value ?
      gst_sdp_media_get_attribute (sm, i)->value : "");
fail:
  media_desc_free (m);
  return NULL;
}

static void
inherit (gchar ** field, const gchar * session_value)
{
  if (!*field && session_value)
    *field = g_strdup (session_value);
}

/* A usable m-section must carry what ICE and DTLS need (RFC 8829 section
 * 5.8: ice-ufrag, ice-pwd, fingerprint, setup). */
static gboolean
check_media (const GstWrtcMediaDesc * m, GError ** error)
{
  const gchar *missing = NULL;

  if (m->port == 0 && !m->bundle_only)
    return TRUE;                /* rejected */
  if (!m->mid)
    missing = "a=mid";
  else if (!m->ice_ufrag)
    missing = "a=ice-ufrag";
  else if (!m->ice_pwd)
    missing = "a=ice-pwd";
  else if (!m->fingerprint)
    missing = "a=fingerprint";
  if (missing) {
    g_set_error (error, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_INVALID,
        "m-section %u (%s) has no %s", m->index, m->media, missing);
    return FALSE;
  }
  if ((m->kind == GST_WRTC_MEDIA_AUDIO || m->kind == GST_WRTC_MEDIA_VIDEO)
      && (!m->proto || !strstr (m->proto, "SAVPF"))) {
    g_set_error (error, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_INVALID,
        "m-section %u (mid %s) uses %s; WebRTC needs UDP/TLS/RTP/SAVPF",
        m->index, m->mid, m->proto ? m->proto : "no protocol");
    return FALSE;
  }
  return TRUE;
}

GstWrtcSessionDesc *
gst_wrtc_session_desc_parse (const gchar * text, GError ** error)
{
  GstSDPMessage *msg = NULL;
  GstWrtcSessionDesc *desc = NULL;
  const gchar *s_ufrag, *s_pwd, *s_fp, *s_setup, *group, *opts;
  guint i, n;

  debug_init ();
  g_return_val_if_fail (text != NULL, NULL);

  if (strlen (text) > MAX_SDP_LEN)
    goto too_long;
  /* RFC 8866 section 5: the first line is v=0 */
  if (!g_str_has_prefix (text, "v=0"))
    goto not_sdp;
  if (!g_utf8_validate (text, -1, NULL))
    goto not_sdp;
  if (gst_sdp_message_new_from_text (text, &msg) != GST_SDP_OK)
    goto not_sdp;
  n = gst_sdp_message_medias_len (msg);
  if (n == 0)
    goto no_media;
  if (n > MAX_MEDIA)
    goto too_many;

  desc = g_new0 (GstWrtcSessionDesc, 1);
  desc->media =
      g_ptr_array_new_with_free_func ((GDestroyNotify) media_desc_free);
  desc->ice_lite = gst_sdp_message_get_attribute_val (msg, "ice-lite") != NULL;
  opts = gst_sdp_message_get_attribute_val (msg, "ice-options");
  desc->trickle = opts && strstr (opts, "trickle");
  group = gst_sdp_message_get_attribute_val (msg, "group");
  if (group && g_str_has_prefix (group, "BUNDLE ")) {
    gchar **mids = g_strsplit (group + 7, " ", -1);
    GPtrArray *clean = g_ptr_array_new ();
    for (i = 0; mids[i]; i++)
      if (*mids[i])
        g_ptr_array_add (clean, g_strdup (mids[i]));
    g_ptr_array_add (clean, NULL);
    desc->bundle = (gchar **) g_ptr_array_free (clean, FALSE);
    g_strfreev (mids);
  }

  s_ufrag = gst_sdp_message_get_attribute_val (msg, "ice-ufrag");
  s_pwd = gst_sdp_message_get_attribute_val (msg, "ice-pwd");
  s_fp = gst_sdp_message_get_attribute_val (msg, "fingerprint");
  s_setup = gst_sdp_message_get_attribute_val (msg, "setup");

  for (i = 0; i < n; i++) {
    GstWrtcMediaDesc *m = parse_media (gst_sdp_message_get_media (msg, i), i,
        error);
    if (!m)
      goto fail;
    inherit (&m->ice_ufrag, s_ufrag);
    inherit (&m->ice_pwd, s_pwd);
    inherit (&m->fingerprint, s_fp);
    inherit (&m->setup, s_setup);
    g_ptr_array_add (desc->media, m);
    if (!check_media (m, error))
      goto fail;
  }
  gst_sdp_message_free (msg);
  return desc;

  /* ERRORS */
too_long:
  g_set_error (error, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_INVALID,
      "the SDP is longer than %d bytes", MAX_SDP_LEN);
  goto fail;
not_sdp:
  g_set_error (error, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_MALFORMED,
      "not an SDP session description (it must start with v=0)");
  goto fail;
no_media:
  g_set_error (error, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_INVALID,
      "the SDP has no m-section");
  goto fail;
too_many:
  g_set_error (error, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_INVALID,
      "the SDP has %u m-sections, more than %d", n, MAX_MEDIA);
fail:
  if (msg)
    gst_sdp_message_free (msg);
  gst_wrtc_session_desc_free (desc);
  return NULL;
}
