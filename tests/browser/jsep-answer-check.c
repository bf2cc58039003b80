/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* jsep-answer-check: reads an SDP offer (a file, or - for stdin), parses it
 * with our JSEP layer (ext/webrtc/jsep) and builds the answer a VP8 + Opus
 * sender (what webrtcsink serves) would give.  Prints one JSON object:
 *
 *   {"ok": true, "offer": {...parsed...}, "answer": {..., "sdp": "..."}}
 *   {"ok": false, "stage": "read"|"parse"|"answer", "error": "..."}
 *
 * Exit status 0 when both steps succeed, 1 otherwise.  The browser tests
 * check the JSON against the offer text and hand the answer to the browser
 * that made the offer. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "gstwrtcsdp.h"
#include "gstwrtcanswer.h"
#include "gstwrtcjson.h"

#define FP "sha-256 0F:1E:2D:3C:4B:5A:69:78:87:96:A5:B4:C3:D2:E1:F0:0F:1E:2D:3C:4B:5A:69:78:87:96:A5:B4:C3:D2:E1:F0"

static const GstWrtcCodecCap vp8_cap[] = {
  {GST_WRTC_MEDIA_VIDEO, "VP8", 90000, 0, NULL},
};

static const GstWrtcCodecCap opus_cap[] = {
  {GST_WRTC_MEDIA_AUDIO, "OPUS", 48000, 2, NULL},
};

static const gchar *
kind_name (GstWrtcMediaKind k)
{
  switch (k) {
    case GST_WRTC_MEDIA_AUDIO:
      return "audio";
    case GST_WRTC_MEDIA_VIDEO:
      return "video";
    case GST_WRTC_MEDIA_APPLICATION:
      return "application";
    default:
      return "other";
  }
}

static void
json_codec (GString * s, const GstWrtcCodec * c)
{
  g_string_append_printf (s, "{\"pt\": %u, \"encoding\": ", c->pt);
  gst_wrtc_json_append_string (s, c->encoding);
  g_string_append_printf (s, ", \"clock_rate\": %u, \"channels\": %u, "
      "\"rtx_pt\": %d, \"rtcp_fb\": %u, \"fmtp\": ", c->clock_rate,
      c->channels, c->rtx_pt, (guint) c->rtcp_fb);
  gst_wrtc_json_append_string (s, c->fmtp);
  g_string_append_c (s, '}');
}

static void
json_offer (GString * s, const GstWrtcSessionDesc * d)
{
  guint i, j;

  g_string_append (s, "{\"bundle\": [");
  for (i = 0; d->bundle && d->bundle[i]; i++) {
    if (i)
      g_string_append (s, ", ");
    gst_wrtc_json_append_string (s, d->bundle[i]);
  }
  g_string_append_printf (s, "], \"trickle\": %s, \"ice_lite\": %s, "
      "\"media\": [", d->trickle ? "true" : "false",
      d->ice_lite ? "true" : "false");
  for (i = 0; i < d->media->len; i++) {
    const GstWrtcMediaDesc *m = g_ptr_array_index (d->media, i);

    g_string_append (s, i ? ", {" : "{");
    g_string_append_printf (s, "\"index\": %u, \"kind\": \"%s\", \"port\": "
        "%u, \"mid\": ", m->index, kind_name (m->kind), m->port);
    gst_wrtc_json_append_string (s, m->mid);
    g_string_append (s, ", \"direction\": ");
    gst_wrtc_json_append_string (s,
        gst_wrtc_direction_to_string (m->direction));
    g_string_append_printf (s,
        ", \"rtcp_mux\": %s, \"rtcp_rsize\": %s, "
        "\"bundle_only\": %s, \"setup\": ", m->rtcp_mux ? "true" : "false",
        m->rtcp_rsize ? "true" : "false", m->bundle_only ? "true" : "false");
    gst_wrtc_json_append_string (s, m->setup);
    g_string_append (s, ", \"ice_ufrag\": ");
    gst_wrtc_json_append_string (s, m->ice_ufrag);
    g_string_append (s, ", \"fingerprint\": ");
    gst_wrtc_json_append_string (s, m->fingerprint);
    g_string_append_printf (s, ", \"candidates\": %u, "
        "\"end_of_candidates\": %s, \"mid_ext_id\": %u, \"twcc_ext_id\": %u, "
        "\"codecs\": [", m->candidates->len,
        m->end_of_candidates ? "true" : "false",
        gst_wrtc_media_desc_find_extmap (m, GST_WRTC_EXTMAP_MID),
        gst_wrtc_media_desc_find_extmap (m, GST_WRTC_EXTMAP_TWCC));
    for (j = 0; j < m->codecs->len; j++) {
      if (j)
        g_string_append (s, ", ");
      json_codec (s, g_ptr_array_index (m->codecs, j));
    }
    g_string_append (s, "]}");
  }
  g_string_append (s, "]}");
}

static void
json_answer (GString * s, const GstWrtcAnswer * a)
{
  guint i;

  g_string_append_printf (s, "{\"dtls_client\": %s, \"remote_ufrag\": ",
      a->dtls_client ? "true" : "false");
  gst_wrtc_json_append_string (s, a->remote_ufrag);
  g_string_append (s, ", \"remote_fingerprint\": ");
  gst_wrtc_json_append_string (s, a->remote_fingerprint);
  g_string_append_printf (s, ", \"remote_candidates\": %u, \"media\": [",
      a->remote_candidates ? a->remote_candidates->len : 0);
  for (i = 0; i < a->media->len; i++) {
    const GstWrtcNegotiatedMedia *n = g_ptr_array_index (a->media, i);

    g_string_append (s, i ? ", {" : "{");
    g_string_append_printf (s, "\"index\": %u, \"kind\": \"%s\", \"mid\": ",
        n->index, kind_name (n->kind));
    gst_wrtc_json_append_string (s, n->mid);
    g_string_append_printf (s, ", \"rejected\": %s, \"direction\": ",
        n->rejected ? "true" : "false");
    gst_wrtc_json_append_string (s,
        gst_wrtc_direction_to_string (n->direction));
    g_string_append_printf (s,
        ", \"track\": %d, \"mid_ext_id\": %u, "
        "\"twcc_ext_id\": %u, \"codec\": ", n->track, n->mid_ext_id,
        n->twcc_ext_id);
    if (n->rejected)
      g_string_append (s, "null");
    else
      json_codec (s, &n->codec);
    g_string_append_c (s, '}');
  }
  g_string_append (s, "], \"sdp\": ");
  gst_wrtc_json_append_string (s, a->sdp);
  g_string_append_c (s, '}');
}

static int
fail (const gchar * stage, const gchar * msg)
{
  GString *s = g_string_new ("{\"ok\": false, \"stage\": ");

  gst_wrtc_json_append_string (s, stage);
  g_string_append (s, ", \"error\": ");
  gst_wrtc_json_append_string (s, msg);
  g_string_append (s, "}\n");
  fputs (s->str, stdout);
  g_string_free (s, TRUE);
  return 1;
}

int
main (int argc, char **argv)
{
  g_autofree gchar *text = NULL;
  g_autoptr (GError) err = NULL;
  g_autoptr (GstWrtcSessionDesc) offer = NULL;
  g_autoptr (GstWrtcAnswer) answer = NULL;
  GstWrtcLocalTrack tracks[] = {
    {GST_WRTC_MEDIA_AUDIO, opus_cap, 1, "gst", "audio0", 11111111, 0},
    {GST_WRTC_MEDIA_VIDEO, vp8_cap, 1, "gst", "video0", 22222222, 33333333},
  };
  GstWrtcAnswerOptions o;
  GString *s;

  if (argc != 2) {
    g_printerr ("usage: %s OFFER.sdp|-\n", argv[0]);
    return 2;
  }
  if (!strcmp (argv[1], "-")) {
    GString *in = g_string_new (NULL);
    gchar buf[4096];
    gsize n;

    while ((n = fread (buf, 1, sizeof (buf), stdin)) > 0)
      g_string_append_len (in, buf, n);
    text = g_string_free (in, FALSE);
  } else if (!g_file_get_contents (argv[1], &text, NULL, &err)) {
    return fail ("read", err->message);
  }

  offer = gst_wrtc_session_desc_parse (text, &err);
  if (!offer)
    return fail ("parse", err ? err->message : "no error message");

  memset (&o, 0, sizeof (o));
  o.ice_ufrag = "gstw";
  o.ice_pwd = "gstwebrtcpasswordpassword";
  o.fingerprint = FP;
  o.session_id = G_GUINT64_CONSTANT (4215775240449105457);
  o.session_version = 2;
  o.cname = "gst-plugins-webrtc";
  o.tracks = tracks;
  o.n_tracks = G_N_ELEMENTS (tracks);
  o.rtcp_fb = GST_WRTC_RTCP_FB_NACK | GST_WRTC_RTCP_FB_PLI |
      GST_WRTC_RTCP_FB_FIR | GST_WRTC_RTCP_FB_TWCC | GST_WRTC_RTCP_FB_REMB;
  o.use_twcc_extmap = TRUE;

  answer = gst_wrtc_jsep_create_answer (offer, &o, &err);
  if (!answer)
    return fail ("answer", err ? err->message : "no error message");

  s = g_string_new ("{\"ok\": true, \"offer\": ");
  json_offer (s, offer);
  g_string_append (s, ", \"answer\": ");
  json_answer (s, answer);
  g_string_append (s, "}\n");
  fputs (s->str, stdout);
  g_string_free (s, TRUE);
  return 0;
}
