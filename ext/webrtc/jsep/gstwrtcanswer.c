/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: JSEP answers (RFC 8829 section 5.3), and the codec
 * matching and negotiation result offers share (gstwrtcoffer.c). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcanswer.h"
#include "gstwrtcjsepcommon.h"

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

GstWrtcAnswer *
gst_wrtc_answer_new (void)
{
  GstWrtcAnswer *a = g_new0 (GstWrtcAnswer, 1);

  a->media = g_ptr_array_new_with_free_func ((GDestroyNotify) negotiated_free);
  a->remote_candidates = g_ptr_array_new_with_free_func (g_free);
  a->datachannel = -1;
  return a;
}

void
gst_wrtc_answer_add_remote_candidates (GstWrtcAnswer * a,
    const GstWrtcMediaDesc * m)
{
  for (guint i = 0; i < m->candidates->len; i++)
    g_ptr_array_add (a->remote_candidates,
        g_strdup (g_ptr_array_index (m->candidates, i)));
  a->remote_end_of_candidates |= m->end_of_candidates;
}

void
gst_wrtc_answer_set_remote_transport (GstWrtcAnswer * a,
    const GstWrtcMediaDesc * tagged)
{
  a->remote_ufrag = g_strdup (tagged->ice_ufrag);
  a->remote_pwd = g_strdup (tagged->ice_pwd);
  a->remote_fingerprint = g_strdup (tagged->fingerprint);
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

static void
append_media (GString * s, const GstWrtcMediaDesc * m,
    const GstWrtcNegotiatedMedia * n, const GstWrtcAnswerOptions * o)
{
  const GstWrtcLocalTrack *t = n->track >= 0 ? &o->tracks[n->track] : NULL;
  guint32 ssrc = 0, rtx_ssrc = 0;

  if (n->rejected) {
    /* RFC 8829 section 5.3.1: port 0, the offer's first format */
    gchar *fmt = m->legacy_sctpmap ? g_strdup_printf ("%u", m->sctp_port) :
        g_strdup (m->kind == GST_WRTC_MEDIA_APPLICATION ?
        "webrtc-datachannel" : "0");
    g_string_append_printf (s, "m=%s 0 %s %s\r\nc=IN IP4 0.0.0.0\r\n",
        m->media, m->proto ? m->proto : "UDP/TLS/RTP/SAVPF", fmt);
    g_free (fmt);
    if (m->mid)
      g_string_append_printf (s, "a=mid:%s\r\n", m->mid);
    g_string_append (s, "a=inactive\r\n");
    return;
  }
  if (n->datachannel) {
    /* RFC 8841 section 4.1: the offer's protocol; RFC 8842 section 5.3 */
    gst_wrtc_jsep_append_datachannel (s, m->proto, o->ice_ufrag, o->ice_pwd,
        o->fingerprint, !g_strcmp0 (m->setup, "active") ? "passive" :
        "active", n->mid, n->local_sctp_port, n->local_max_message_size,
        o->candidates, o->end_of_candidates);
    return;
  }

  g_string_append_printf (s, "m=%s 9 UDP/TLS/RTP/SAVPF %u", m->media,
      n->codec.pt);
  if (n->codec.rtx_pt >= 0)
    g_string_append_printf (s, " %d", n->codec.rtx_pt);
  g_string_append (s, "\r\n");
  gst_wrtc_jsep_append_transport (s, TRUE, o->ice_ufrag, o->ice_pwd,
      o->fingerprint, !g_strcmp0 (m->setup, "active") ? "passive" : "active",
      n->mid);
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
  gst_wrtc_jsep_append_rtpmap (s, n->codec.pt, n->codec.encoding,
      n->codec.clock_rate, n->codec.channels);
  gst_wrtc_jsep_append_rtcp_fb (s, n->codec.pt, n->codec.rtcp_fb);
  if (n->codec.fmtp && *n->codec.fmtp)
    g_string_append_printf (s, "a=fmtp:%u %s\r\n", n->codec.pt, n->codec.fmtp);
  if (n->codec.rtx_pt >= 0)
    gst_wrtc_jsep_append_rtx (s, n->codec.rtx_pt, n->codec.clock_rate,
        n->codec.pt);
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
  gst_wrtc_jsep_append_candidates (s, o->candidates, o->end_of_candidates);
}

/* Decides one m-section.  Tracks are handed out in m-section order to the
 * first unused track of the same kind whose codecs the offer carries. */
static GstWrtcNegotiatedMedia *
negotiate_media (const GstWrtcMediaDesc * m, const GstWrtcAnswerOptions * o,
    gboolean * used, gboolean * data_used)
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
  if (m->datachannel) {
    /* one SCTP association per session (RFC 8831 section 6.1): the
     * first data channel section */
    if (!o->datachannel || *data_used)
      goto reject;
    *data_used = TRUE;
    gst_wrtc_negotiated_set_datachannel (n, m, o->sctp_port,
        o->max_message_size);
    return n;
  }
  /* the legacy DTLS/SCTP form and applications we do not know */
  if (m->kind != GST_WRTC_MEDIA_AUDIO && m->kind != GST_WRTC_MEDIA_VIDEO)
    goto reject;

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
  n->datachannel = FALSE;
  n->direction = GST_WRTC_DIRECTION_INACTIVE;
  return n;
}

GstWrtcAnswer *
gst_wrtc_jsep_create_answer (const GstWrtcSessionDesc * offer,
    const GstWrtcAnswerOptions * o, GError ** error)
{
  GstWrtcAnswer *a = gst_wrtc_answer_new ();
  gboolean *used = g_new0 (gboolean, o->n_tracks + 1);
  const GstWrtcMediaDesc *tagged = NULL;
  GString *s;
  guint i, accepted = 0;
  gboolean data_used = FALSE;

  for (i = 0; i < offer->media->len; i++) {
    const GstWrtcMediaDesc *m = g_ptr_array_index (offer->media, i);
    GstWrtcNegotiatedMedia *n = negotiate_media (m, o, used, &data_used);
    g_ptr_array_add (a->media, n);
    if (n->datachannel)
      a->datachannel = i;
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
  gst_wrtc_answer_set_remote_transport (a, tagged);
  for (i = 0; i < offer->media->len; i++)
    gst_wrtc_answer_add_remote_candidates (a,
        g_ptr_array_index (offer->media, i));

  s = g_string_new (NULL);
  gst_wrtc_jsep_append_session_header (s, o->session_id, o->session_version);
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
    const gchar *data = "";
    for (i = 0; i < offer->media->len; i++) {
      const GstWrtcMediaDesc *m = g_ptr_array_index (offer->media, i);
      guint j;
      if (m->legacy_sctpmap && !*data)
        data = "; its data channel section is of the legacy DTLS/SCTP "
            "form, which we do not support";
      else if (m->datachannel && !o->datachannel)
        data = "; it offers a data channel, which we were not asked for";
      for (j = 0; j < m->codecs->len; j++) {
        const GstWrtcCodec *c = g_ptr_array_index (m->codecs, j);
        if (c->encoding && !strstr (offered->str, c->encoding))
          g_string_append_printf (offered, "%s%s", offered->len ? " " : "",
              c->encoding);
      }
    }
    g_set_error (error, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_NO_CODEC,
        "no m-section of the offer can be used: none offers a codec we "
        "send or receive (offered: %s)%s", offered->len ? offered->str :
        "nothing", data);
    g_string_free (offered, TRUE);
    gst_wrtc_answer_free (a);
    return NULL;
  }
}
