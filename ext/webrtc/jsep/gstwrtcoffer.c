/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: JSEP offers and reading their answers; see the
 * header. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcoffer.h"
#include "gstwrtcjsepcommon.h"

#define OFFER_MID_EXT_ID 1
#define OFFER_TWCC_EXT_ID 2

static guint
offer_pt (const GstWrtcOfferOptions * o, guint media, guint codec, gboolean rtx)
{
  guint pt = 96, i, j;

  for (i = 0; i <= media && i < o->n_media; i++) {
    for (j = 0; j < o->media[i].n_codecs; j++) {
      if (i == media && j == codec)
        return pt + (rtx ? 1 : 0);
      pt += (o->rtcp_fb & GST_WRTC_RTCP_FB_NACK) ? 2 : 1;
    }
  }
  return pt;
}

gchar *
gst_wrtc_jsep_create_offer (const GstWrtcOfferOptions * o)
{
  GString *s = g_string_new (NULL);
  gboolean rtx = (o->rtcp_fb & GST_WRTC_RTCP_FB_NACK) != 0;
  guint i, j;

  gst_wrtc_jsep_append_session_header (s, o->session_id, o->session_version);
  g_string_append (s, "a=group:BUNDLE");
  for (i = 0; i < o->n_media + (o->datachannel ? 1 : 0); i++)
    g_string_append_printf (s, " %u", i);
  g_string_append (s, "\r\na=ice-options:trickle\r\n"
      "a=msid-semantic: WMS *\r\n");

  for (i = 0; i < o->n_media; i++) {
    const GstWrtcOfferMedia *m = &o->media[i];
    const gchar *media = m->kind == GST_WRTC_MEDIA_AUDIO ? "audio" : "video";
    /* audio gets transport-cc only, as browsers do */
    GstWrtcRtcpFb fb = m->kind == GST_WRTC_MEDIA_AUDIO ?
        o->rtcp_fb & GST_WRTC_RTCP_FB_TWCC : o->rtcp_fb;
    gchar *mid;

    g_string_append_printf (s, "m=%s 9 UDP/TLS/RTP/SAVPF", media);
    for (j = 0; j < m->n_codecs; j++) {
      g_string_append_printf (s, " %u", offer_pt (o, i, j, FALSE));
      if (rtx && m->kind == GST_WRTC_MEDIA_VIDEO)
        g_string_append_printf (s, " %u", offer_pt (o, i, j, TRUE));
    }
    g_string_append (s, "\r\n");
    /* RFC 8842 section 5.2: the offerer says actpass */
    mid = g_strdup_printf ("%u", i);
    gst_wrtc_jsep_append_transport (s, TRUE, o->ice_ufrag, o->ice_pwd,
        o->fingerprint, "actpass", mid);
    g_free (mid);
    g_string_append_printf (s, "a=extmap:%d " GST_WRTC_EXTMAP_MID "\r\n",
        OFFER_MID_EXT_ID);
    if (o->use_twcc_extmap)
      g_string_append_printf (s, "a=extmap:%d " GST_WRTC_EXTMAP_TWCC "\r\n",
          OFFER_TWCC_EXT_ID);
    g_string_append_printf (s, "a=%s\r\n",
        gst_wrtc_direction_to_string (m->direction));
    if (m->track)
      g_string_append_printf (s, "a=msid:%s %s\r\n", m->track->stream_id,
          m->track->track_id);
    g_string_append (s, "a=rtcp-mux\r\na=rtcp-rsize\r\n");
    for (j = 0; j < m->n_codecs; j++) {
      const GstWrtcCodecCap *c = &m->codecs[j];
      guint pt = offer_pt (o, i, j, FALSE);
      gst_wrtc_jsep_append_rtpmap (s, pt, c->encoding, c->clock_rate,
          c->channels);
      gst_wrtc_jsep_append_rtcp_fb (s, pt, fb);
      if (c->fmtp)
        g_string_append_printf (s, "a=fmtp:%u %s\r\n", pt, c->fmtp);
      if (rtx && m->kind == GST_WRTC_MEDIA_VIDEO)
        gst_wrtc_jsep_append_rtx (s, pt + 1, c->clock_rate, pt);
    }
    if (m->track && m->direction != GST_WRTC_DIRECTION_RECVONLY)
      g_string_append_printf (s, "a=ssrc:%u cname:%s\r\n", m->track->ssrc,
          o->cname);
    gst_wrtc_jsep_append_candidates (s, o->candidates, o->end_of_candidates);
  }
  if (o->datachannel) {
    gchar *mid = g_strdup_printf ("%u", o->n_media);
    gst_wrtc_jsep_append_datachannel (s, "UDP/DTLS/SCTP", o->ice_ufrag,
        o->ice_pwd, o->fingerprint, "actpass", mid, o->sctp_port,
        o->max_message_size, o->candidates, o->end_of_candidates);
    g_free (mid);
  }
  return g_string_free (s, FALSE);
}

static const gchar *
m_media (const GstWrtcSessionDesc * d, guint i)
{
  const gchar *v = ((GstWrtcMediaDesc *) g_ptr_array_index (d->media,
          i))->media;
  return v ? v : "";
}

static const gchar *
m_proto (const GstWrtcSessionDesc * d, guint i)
{
  const gchar *v = ((GstWrtcMediaDesc *) g_ptr_array_index (d->media,
          i))->proto;
  return v ? v : "";
}

GstWrtcAnswer *
gst_wrtc_jsep_apply_answer (const GstWrtcOfferOptions * o,
    const GstWrtcSessionDesc * answer, GError ** error)
{
  GstWrtcAnswer *a;
  const GstWrtcMediaDesc *tagged = NULL;
  guint i, j, accepted = 0, bad_pt = 0;
  guint n_sections = o->n_media + (o->datachannel ? 1 : 0);

  if (answer->media->len != n_sections)
    goto count_mismatch;

  a = gst_wrtc_answer_new ();
  for (i = 0; i < n_sections; i++) {
    const GstWrtcMediaDesc *m = g_ptr_array_index (answer->media, i);
    GstWrtcNegotiatedMedia *n = g_new0 (GstWrtcNegotiatedMedia, 1);
    const GstWrtcCodec *c = m->codecs->len ? g_ptr_array_index (m->codecs,
        0) : NULL;

    n->index = i;
    n->mid = g_strdup_printf ("%u", i);
    n->codec.rtx_pt = -1;
    n->codec_index = -1;
    n->track = -1;
    g_ptr_array_add (a->media, n);
    if (i == o->n_media) {
      /* our data channel section (RFC 8841) */
      n->kind = GST_WRTC_MEDIA_APPLICATION;
      if (m->port == 0 && !m->bundle_only) {
        n->rejected = TRUE;
        n->direction = GST_WRTC_DIRECTION_INACTIVE;
        continue;
      }
      if (!m->datachannel)
        goto not_datachannel;
      gst_wrtc_negotiated_set_datachannel (n, m, o->sctp_port,
          o->max_message_size);
      a->datachannel = i;
      gst_wrtc_answer_add_remote_candidates (a, m);
      accepted++;
      if (!tagged)
        tagged = m;
      continue;
    }
    n->kind = o->media[i].kind;
    n->track = o->media[i].track ? (gint) i : -1;
    if (m->port == 0 || !c) {
      n->rejected = TRUE;
      n->direction = GST_WRTC_DIRECTION_INACTIVE;
      continue;
    }
    /* the codec must be one we offered, at the payload type we gave it */
    for (j = 0; j < o->media[i].n_codecs; j++)
      if (c->pt == offer_pt (o, i, j, FALSE)
          && gst_wrtc_codec_matches (c, &o->media[i].codecs[j], NULL))
        break;
    if (j == o->media[i].n_codecs) {
      bad_pt = c->pt;
      goto unknown_codec;
    }
    n->codec = *c;
    n->codec.encoding = g_strdup (c->encoding);
    n->codec.fmtp = g_strdup (c->fmtp);
    n->codec.rtcp_fb &= o->rtcp_fb;
    n->codec_index = j;
    n->direction = m->direction == GST_WRTC_DIRECTION_SENDONLY ?
        GST_WRTC_DIRECTION_RECVONLY : m->direction ==
        GST_WRTC_DIRECTION_RECVONLY ? GST_WRTC_DIRECTION_SENDONLY :
        m->direction;
    n->mid_ext_id = gst_wrtc_media_desc_find_extmap (m, GST_WRTC_EXTMAP_MID);
    n->twcc_ext_id = gst_wrtc_media_desc_find_extmap (m, GST_WRTC_EXTMAP_TWCC);
    n->rtcp_rsize = m->rtcp_rsize;
    gst_wrtc_answer_add_remote_candidates (a, m);
    accepted++;
    if (!tagged)
      tagged = m;
  }
  if (!accepted) {
    gst_wrtc_answer_free (a);
    goto all_rejected;
  }
  /* RFC 8842 section 5.2: we offered actpass; the answer decides */
  a->dtls_client = !g_strcmp0 (tagged->setup, "passive");
  gst_wrtc_answer_set_remote_transport (a, tagged);
  return a;

  /* ERRORS */
count_mismatch:
  g_set_error (error, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_INVALID,
      "the answer has %u m-sections, the offer had %u", answer->media->len,
      n_sections);
  return NULL;
not_datachannel:
  g_set_error (error, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_INVALID,
      "the answer's m-section %u is not the data channel section we offered "
      "(m=%s %s, RFC 8841 section 4.1)", i, m_media (answer, i),
      m_proto (answer, i));
  gst_wrtc_answer_free (a);
  return NULL;
unknown_codec:
  g_set_error (error, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_INVALID,
      "the answer's m-section %u picks payload type %u, which the offer did "
      "not offer for that codec", i, bad_pt);
  gst_wrtc_answer_free (a);
  return NULL;
all_rejected:
  g_set_error (error, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_NO_CODEC,
      "the answer rejected every m-section");
  return NULL;
}
