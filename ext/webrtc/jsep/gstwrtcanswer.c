/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: JSEP answer generation. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcanswer.h"

#include <stdlib.h>
#include <string.h>

static guint
fmtp_uint (const gchar * fmtp, const gchar * name, guint dflt)
{
  gchar *v = gst_wrtc_fmtp_get (fmtp, name);
  guint ret = dflt;

  if (v && g_ascii_isdigit (*v))
    ret = (guint) g_ascii_strtoull (v, NULL, 10);
  g_free (v);
  return ret;
}

typedef enum
{
  H264_INVALID,
  H264_CONSTRAINED_BASELINE,
  H264_BASELINE,
  H264_MAIN,
  H264_HIGH,
  H264_OTHER,
} H264Profile;

/* RFC 6184 section 8.1: profile-level-id is profile_idc, profile-iop and
 * level_idc in hex.  Constrained Baseline is Baseline with constraint_set1
 * (or Main/Extended with the bits that make it so). */
static H264Profile
h264_profile (const gchar * fmtp)
{
  gchar *v = gst_wrtc_fmtp_get (fmtp, "profile-level-id");
  guint idc, iop;
  H264Profile p = H264_INVALID;

  if (!v) {
    /* absent: Baseline level 1 (RFC 6184 section 8.1) */
    return H264_BASELINE;
  }
  if (strlen (v) != 6 || !g_ascii_isxdigit (v[0]))
    goto out;
  idc = g_ascii_xdigit_value (v[0]) * 16 + g_ascii_xdigit_value (v[1]);
  iop = g_ascii_xdigit_value (v[2]) * 16 + g_ascii_xdigit_value (v[3]);
  if ((idc == 0x42 && (iop & 0x40)) || (idc == 0x4d && (iop & 0x80))
      || (idc == 0x58 && (iop & 0xc0) == 0xc0))
    p = H264_CONSTRAINED_BASELINE;
  else if (idc == 0x42)
    p = H264_BASELINE;
  else if (idc == 0x4d)
    p = H264_MAIN;
  else if (idc == 0x64)
    p = H264_HIGH;
  else
    p = H264_OTHER;
out:
  g_free (v);
  return p;
}

gboolean
gst_wrtc_codec_matches (const GstWrtcCodec * remote,
    const GstWrtcCodecCap * cap, gchar ** answer_fmtp)
{
  if (!remote->encoding || g_ascii_strcasecmp (remote->encoding,
          cap->encoding) != 0 || remote->clock_rate != cap->clock_rate)
    return FALSE;
  if (cap->channels && remote->channels && cap->channels != remote->channels)
    return FALSE;

  if (!g_ascii_strcasecmp (cap->encoding, "H264")) {
    H264Profile ours = h264_profile (cap->fmtp), theirs =
        h264_profile (remote->fmtp);
    guint pm_ours = fmtp_uint (cap->fmtp, "packetization-mode", 0);
    guint pm_theirs = fmtp_uint (remote->fmtp, "packetization-mode", 0);
    gchar *plid;

    if (pm_ours != pm_theirs || theirs == H264_INVALID)
      return FALSE;
    /* a Baseline decoder decodes Constrained Baseline */
    if (ours != theirs && !(ours == H264_CONSTRAINED_BASELINE
            && theirs == H264_BASELINE))
      return FALSE;
    if (answer_fmtp) {
      /* the offer's profile-level-id; levels may differ (RFC 6184 section
       * 8.2.2, level-asymmetry-allowed) */
      plid = gst_wrtc_fmtp_get (remote->fmtp, "profile-level-id");
      *answer_fmtp = g_strdup_printf ("level-asymmetry-allowed=1;"
          "packetization-mode=%u;profile-level-id=%s", pm_theirs,
          plid ? plid : "42e01f");
      g_free (plid);
    }
    return TRUE;
  }
  if (!g_ascii_strcasecmp (cap->encoding, "VP9")) {
    if (fmtp_uint (cap->fmtp, "profile-id", 0) !=
        fmtp_uint (remote->fmtp, "profile-id", 0))
      return FALSE;
  } else if (!g_ascii_strcasecmp (cap->encoding, "AV1")) {
    if (fmtp_uint (cap->fmtp, "profile", 0) !=
        fmtp_uint (remote->fmtp, "profile", 0))
      return FALSE;
  }
  if (answer_fmtp)
    *answer_fmtp = g_strdup (remote->fmtp);
  return TRUE;
}

static void
negotiated_free (GstWrtcNegotiatedMedia * n)
{
  g_free (n->mid);
  g_free (n->codec.encoding);
  g_free (n->codec.fmtp);
  g_free (n);
}

void
gst_wrtc_answer_free (GstWrtcAnswer * a)
{
  if (!a)
    return;
  g_free (a->sdp);
  if (a->media)
    g_ptr_array_unref (a->media);
  g_free (a->remote_ufrag);
  g_free (a->remote_pwd);
  g_free (a->remote_fingerprint);
  if (a->remote_candidates)
    g_ptr_array_unref (a->remote_candidates);
  g_free (a);
}

/* The first offered codec (offer order is the offerer's preference, RFC
 * 8829 section 5.3.1) that one of @caps can carry, trying @caps in our
 * preference order; *@index is the one of @caps chosen. */
static gboolean
choose_codec (const GstWrtcMediaDesc * m, const GstWrtcCodecCap * caps,
    guint n_caps, GstWrtcCodec * out, gint * index)
{
  guint i, j;

  for (j = 0; j < n_caps; j++) {
    if (caps[j].kind != m->kind)
      continue;
    for (i = 0; i < m->codecs->len; i++) {
      const GstWrtcCodec *c = g_ptr_array_index (m->codecs, i);
      gchar *fmtp = NULL;
      if (gst_wrtc_codec_matches (c, &caps[j], &fmtp)) {
        *out = *c;
        out->encoding = g_strdup (c->encoding);
        out->fmtp = fmtp;
        *index = j;
        return TRUE;
      }
    }
  }
  return FALSE;
}

static const gchar *rtcp_fb_names[] =
    { "nack", "nack pli", "ccm fir", "transport-cc", "goog-remb" };

static void
append_media (GString * s, const GstWrtcMediaDesc * m,
    const GstWrtcNegotiatedMedia * n, const GstWrtcAnswerOptions * o)
{
  const GstWrtcLocalTrack *t = n->track >= 0 ? &o->tracks[n->track] : NULL;
  guint32 ssrc = 0, rtx_ssrc = 0;
  guint i;

  if (n->rejected) {
    /* RFC 8829 section 5.3.1: port 0, the offer's first format */
    g_string_append_printf (s, "m=%s 0 %s %s\r\nc=IN IP4 0.0.0.0\r\n",
        m->media, m->proto ? m->proto : "UDP/TLS/RTP/SAVPF",
        m->kind == GST_WRTC_MEDIA_APPLICATION ? "webrtc-datachannel" :
        m->codecs->len ? "0" : "0");
    if (m->mid)
      g_string_append_printf (s, "a=mid:%s\r\n", m->mid);
    g_string_append (s, "a=inactive\r\n");
    return;
  }

  g_string_append_printf (s, "m=%s 9 UDP/TLS/RTP/SAVPF %u", m->media,
      n->codec.pt);
  if (n->codec.rtx_pt >= 0)
    g_string_append_printf (s, " %d", n->codec.rtx_pt);
  g_string_append (s, "\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n");
  g_string_append_printf (s, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n"
      "a=ice-options:trickle\r\na=fingerprint:%s\r\na=setup:%s\r\n"
      "a=mid:%s\r\n", o->ice_ufrag, o->ice_pwd, o->fingerprint,
      !g_strcmp0 (m->setup, "active") ? "passive" : "active", n->mid);
  if (n->mid_ext_id)
    g_string_append_printf (s, "a=extmap:%u " GST_WRTC_EXTMAP_MID "\r\n",
        n->mid_ext_id);
  if (n->twcc_ext_id)
    g_string_append_printf (s, "a=extmap:%u " GST_WRTC_EXTMAP_TWCC "\r\n",
        n->twcc_ext_id);
  g_string_append_printf (s, "a=%s\r\n",
      gst_wrtc_direction_to_string (n->direction));
  if (t)
    g_string_append_printf (s, "a=msid:%s %s\r\n", t->stream_id, t->track_id);
  g_string_append (s, "a=rtcp-mux\r\n");
  if (n->rtcp_rsize)
    g_string_append (s, "a=rtcp-rsize\r\n");
  g_string_append_printf (s, "a=rtpmap:%u %s/%u", n->codec.pt,
      n->codec.encoding, n->codec.clock_rate);
  if (n->codec.channels)
    g_string_append_printf (s, "/%u", n->codec.channels);
  g_string_append (s, "\r\n");
  for (i = 0; i < G_N_ELEMENTS (rtcp_fb_names); i++)
    if (n->codec.rtcp_fb & (1 << i))
      g_string_append_printf (s, "a=rtcp-fb:%u %s\r\n", n->codec.pt,
          rtcp_fb_names[i]);
  if (n->codec.fmtp && *n->codec.fmtp)
    g_string_append_printf (s, "a=fmtp:%u %s\r\n", n->codec.pt, n->codec.fmtp);
  if (n->codec.rtx_pt >= 0)
    g_string_append_printf (s, "a=rtpmap:%d rtx/%u\r\na=fmtp:%d apt=%u\r\n",
        n->codec.rtx_pt, n->codec.clock_rate, n->codec.rtx_pt, n->codec.pt);
  if (t) {
    /* a track that is one stream per codec sends the chosen one's */
    ssrc = t->ssrcs && n->codec_index >= 0 ? t->ssrcs[n->codec_index] : t->ssrc;
    rtx_ssrc = t->rtx_ssrcs && n->codec_index >= 0 ?
        t->rtx_ssrcs[n->codec_index] : t->rtx_ssrc;
  }
  if (t && n->direction != GST_WRTC_DIRECTION_RECVONLY
      && n->direction != GST_WRTC_DIRECTION_INACTIVE) {
    if (n->codec.rtx_pt >= 0 && rtx_ssrc)
      g_string_append_printf (s, "a=ssrc-group:FID %u %u\r\n", ssrc, rtx_ssrc);
    g_string_append_printf (s, "a=ssrc:%u cname:%s\r\n", ssrc, o->cname);
    if (n->codec.rtx_pt >= 0 && rtx_ssrc)
      g_string_append_printf (s, "a=ssrc:%u cname:%s\r\n", rtx_ssrc, o->cname);
  }
  for (i = 0; o->candidates && o->candidates[i]; i++)
    g_string_append_printf (s, "a=%s\r\n", o->candidates[i]);
  if (o->end_of_candidates)
    g_string_append (s, "a=end-of-candidates\r\n");
}

/* Decides one m-section.  Tracks are handed out in m-section order to the
 * first unused track of the same kind whose codecs the offer carries. */
static GstWrtcNegotiatedMedia *
negotiate_media (const GstWrtcMediaDesc * m, const GstWrtcAnswerOptions * o,
    gboolean * used)
{
  GstWrtcNegotiatedMedia *n = g_new0 (GstWrtcNegotiatedMedia, 1);
  gboolean peer_recv, peer_send, send = FALSE, recv = FALSE;
  guint i;

  n->index = m->index;
  n->mid = g_strdup (m->mid);
  n->kind = m->kind;
  n->track = -1;
  n->codec.rtx_pt = -1;
  n->codec_index = -1;

  if (m->port == 0 && !m->bundle_only)
    goto reject;
  if (m->kind != GST_WRTC_MEDIA_AUDIO && m->kind != GST_WRTC_MEDIA_VIDEO)
    goto reject;                /* data channels: not yet */

  peer_recv = m->direction == GST_WRTC_DIRECTION_SENDRECV
      || m->direction == GST_WRTC_DIRECTION_RECVONLY;
  peer_send = m->direction == GST_WRTC_DIRECTION_SENDRECV
      || m->direction == GST_WRTC_DIRECTION_SENDONLY;

  for (i = 0; peer_recv && i < o->n_tracks; i++) {
    if (used[i] || o->tracks[i].kind != m->kind)
      continue;
    if (choose_codec (m, o->tracks[i].codecs, o->tracks[i].n_codecs,
            &n->codec, &n->codec_index)) {
      used[i] = TRUE;
      n->track = i;
      send = TRUE;
      break;
    }
  }
  if (!send && peer_send && o->recv_codecs
      && choose_codec (m, o->recv_codecs, o->n_recv_codecs, &n->codec,
          &n->codec_index))
    recv = TRUE;
  else if (send && peer_send && o->recv_codecs)
    recv = TRUE;
  if (!send && !recv)
    goto reject;

  n->direction = send && recv ? GST_WRTC_DIRECTION_SENDRECV :
      send ? GST_WRTC_DIRECTION_SENDONLY : GST_WRTC_DIRECTION_RECVONLY;
  n->codec.rtcp_fb &= o->rtcp_fb;
  if (!(o->rtcp_fb & GST_WRTC_RTCP_FB_NACK))
    n->codec.rtx_pt = -1;
  n->mid_ext_id = gst_wrtc_media_desc_find_extmap (m, GST_WRTC_EXTMAP_MID);
  if (o->use_twcc_extmap)
    n->twcc_ext_id = gst_wrtc_media_desc_find_extmap (m, GST_WRTC_EXTMAP_TWCC);
  if (!n->twcc_ext_id)
    n->codec.rtcp_fb &= ~GST_WRTC_RTCP_FB_TWCC;
  n->rtcp_rsize = m->rtcp_rsize;
  return n;

reject:
  g_free (n->codec.encoding);
  g_free (n->codec.fmtp);
  memset (&n->codec, 0, sizeof (n->codec));
  n->codec.rtx_pt = -1;
  n->codec_index = -1;
  n->rejected = TRUE;
  n->direction = GST_WRTC_DIRECTION_INACTIVE;
  return n;
}

GstWrtcAnswer *
gst_wrtc_jsep_create_answer (const GstWrtcSessionDesc * offer,
    const GstWrtcAnswerOptions * o, GError ** error)
{
  GstWrtcAnswer *a = g_new0 (GstWrtcAnswer, 1);
  gboolean *used = g_new0 (gboolean, o->n_tracks + 1);
  const GstWrtcMediaDesc *tagged = NULL;
  GString *s;
  guint i, accepted = 0;

  a->media = g_ptr_array_new_with_free_func ((GDestroyNotify) negotiated_free);
  for (i = 0; i < offer->media->len; i++) {
    const GstWrtcMediaDesc *m = g_ptr_array_index (offer->media, i);
    GstWrtcNegotiatedMedia *n = negotiate_media (m, o, used);
    g_ptr_array_add (a->media, n);
    if (!n->rejected) {
      accepted++;
      if (!tagged)
        tagged = m;
    }
  }
  g_free (used);
  if (!accepted)
    goto no_codec;

  /* RFC 8842 section 5.3: answer actpass with active */
  a->dtls_client = g_strcmp0 (tagged->setup, "active") != 0;
  a->remote_ufrag = g_strdup (tagged->ice_ufrag);
  a->remote_pwd = g_strdup (tagged->ice_pwd);
  a->remote_fingerprint = g_strdup (tagged->fingerprint);
  a->remote_candidates = g_ptr_array_new_with_free_func (g_free);
  for (i = 0; i < offer->media->len; i++) {
    const GstWrtcMediaDesc *m = g_ptr_array_index (offer->media, i);
    guint j;
    for (j = 0; j < m->candidates->len; j++)
      g_ptr_array_add (a->remote_candidates,
          g_strdup (g_ptr_array_index (m->candidates, j)));
    a->remote_end_of_candidates |= m->end_of_candidates;
  }

  s = g_string_new (NULL);
  g_string_append_printf (s, "v=0\r\no=- %" G_GUINT64_FORMAT " %u IN IP4 "
      "0.0.0.0\r\ns=-\r\nt=0 0\r\n", o->session_id, o->session_version);
  /* RFC 8843 section 7.3: the answer's BUNDLE group holds the accepted
   * m-sections, in the offer's order */
  g_string_append (s, "a=group:BUNDLE");
  for (i = 0; i < a->media->len; i++) {
    GstWrtcNegotiatedMedia *n = g_ptr_array_index (a->media, i);
    if (!n->rejected)
      g_string_append_printf (s, " %s", n->mid);
  }
  g_string_append (s, "\r\na=msid-semantic: WMS *\r\n");
  for (i = 0; i < a->media->len; i++)
    append_media (s, g_ptr_array_index (offer->media, i),
        g_ptr_array_index (a->media, i), o);
  a->sdp = g_string_free (s, FALSE);
  return a;

  /* ERRORS */
no_codec:
  {
    GString *offered = g_string_new (NULL);
    for (i = 0; i < offer->media->len; i++) {
      const GstWrtcMediaDesc *m = g_ptr_array_index (offer->media, i);
      guint j;
      for (j = 0; j < m->codecs->len; j++) {
        const GstWrtcCodec *c = g_ptr_array_index (m->codecs, j);
        if (c->encoding && !strstr (offered->str, c->encoding))
          g_string_append_printf (offered, "%s%s", offered->len ? " " : "",
              c->encoding);
      }
    }
    g_set_error (error, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_NO_CODEC,
        "no m-section of the offer can be used: none offers a codec we "
        "send or receive (offered: %s)", offered->len ? offered->str :
        "nothing");
    g_string_free (offered, TRUE);
    gst_wrtc_answer_free (a);
    return NULL;
  }
}

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
  guint i, j, k;

  g_string_append_printf (s, "v=0\r\no=- %" G_GUINT64_FORMAT " %u IN IP4 "
      "0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE", o->session_id,
      o->session_version);
  for (i = 0; i < o->n_media; i++)
    g_string_append_printf (s, " %u", i);
  g_string_append (s, "\r\na=ice-options:trickle\r\n"
      "a=msid-semantic: WMS *\r\n");

  for (i = 0; i < o->n_media; i++) {
    const GstWrtcOfferMedia *m = &o->media[i];
    const gchar *media = m->kind == GST_WRTC_MEDIA_AUDIO ? "audio" : "video";

    g_string_append_printf (s, "m=%s 9 UDP/TLS/RTP/SAVPF", media);
    for (j = 0; j < m->n_codecs; j++) {
      g_string_append_printf (s, " %u", offer_pt (o, i, j, FALSE));
      if (rtx && m->kind == GST_WRTC_MEDIA_VIDEO)
        g_string_append_printf (s, " %u", offer_pt (o, i, j, TRUE));
    }
    g_string_append_printf (s, "\r\nc=IN IP4 0.0.0.0\r\n"
        "a=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:%s\r\na=ice-pwd:%s\r\n"
        "a=ice-options:trickle\r\na=fingerprint:%s\r\n"
        "a=setup:actpass\r\na=mid:%u\r\n", o->ice_ufrag, o->ice_pwd,
        o->fingerprint, i);
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
      g_string_append_printf (s, "a=rtpmap:%u %s/%u", pt, c->encoding,
          c->clock_rate);
      if (c->channels)
        g_string_append_printf (s, "/%u", c->channels);
      g_string_append (s, "\r\n");
      for (k = 0; k < G_N_ELEMENTS (rtcp_fb_names); k++) {
        GstWrtcRtcpFb fb = 1 << k;
        if (!(o->rtcp_fb & fb))
          continue;
        /* audio gets transport-cc only, as browsers do */
        if (m->kind == GST_WRTC_MEDIA_AUDIO && fb != GST_WRTC_RTCP_FB_TWCC)
          continue;
        g_string_append_printf (s, "a=rtcp-fb:%u %s\r\n", pt, rtcp_fb_names[k]);
      }
      if (c->fmtp)
        g_string_append_printf (s, "a=fmtp:%u %s\r\n", pt, c->fmtp);
      if (rtx && m->kind == GST_WRTC_MEDIA_VIDEO)
        g_string_append_printf (s, "a=rtpmap:%u rtx/%u\r\n"
            "a=fmtp:%u apt=%u\r\n", pt + 1, c->clock_rate, pt + 1, pt);
    }
    if (m->track && m->direction != GST_WRTC_DIRECTION_RECVONLY)
      g_string_append_printf (s, "a=ssrc:%u cname:%s\r\n", m->track->ssrc,
          o->cname);
    for (j = 0; o->candidates && o->candidates[j]; j++)
      g_string_append_printf (s, "a=%s\r\n", o->candidates[j]);
    if (o->end_of_candidates)
      g_string_append (s, "a=end-of-candidates\r\n");
  }
  return g_string_free (s, FALSE);
}

GstWrtcAnswer *
gst_wrtc_jsep_apply_answer (const GstWrtcOfferOptions * o,
    const GstWrtcSessionDesc * answer, GError ** error)
{
  GstWrtcAnswer *a;
  const GstWrtcMediaDesc *tagged = NULL;
  guint i, j, accepted = 0, bad_pt = 0;

  if (answer->media->len != o->n_media)
    goto count_mismatch;

  a = g_new0 (GstWrtcAnswer, 1);
  a->media = g_ptr_array_new_with_free_func ((GDestroyNotify) negotiated_free);
  a->remote_candidates = g_ptr_array_new_with_free_func (g_free);
  for (i = 0; i < o->n_media; i++) {
    const GstWrtcMediaDesc *m = g_ptr_array_index (answer->media, i);
    GstWrtcNegotiatedMedia *n = g_new0 (GstWrtcNegotiatedMedia, 1);
    const GstWrtcCodec *c = m->codecs->len ? g_ptr_array_index (m->codecs,
        0) : NULL;

    n->index = i;
    n->mid = g_strdup_printf ("%u", i);
    n->kind = o->media[i].kind;
    n->track = o->media[i].track ? (gint) i : -1;
    n->codec.rtx_pt = -1;
    n->codec_index = -1;
    g_ptr_array_add (a->media, n);
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
    for (j = 0; j < m->candidates->len; j++)
      g_ptr_array_add (a->remote_candidates,
          g_strdup (g_ptr_array_index (m->candidates, j)));
    a->remote_end_of_candidates |= m->end_of_candidates;
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
  a->remote_ufrag = g_strdup (tagged->ice_ufrag);
  a->remote_pwd = g_strdup (tagged->ice_pwd);
  a->remote_fingerprint = g_strdup (tagged->fingerprint);
  return a;

  /* ERRORS */
count_mismatch:
  g_set_error (error, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_INVALID,
      "the answer has %u m-sections, the offer had %u", answer->media->len,
      o->n_media);
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
