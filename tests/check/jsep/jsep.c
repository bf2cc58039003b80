/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the JSEP layer: parsing browser offers and answering them. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <string.h>

#include "gstwrtcsdp.h"
#include "gstwrtcanswer.h"
#include "gstwrtccandidate.h"
#include "gstwrtcoffer.h"

#define FP "sha-256 0F:1E:2D:3C:4B:5A:69:78:87:96:A5:B4:C3:D2:E1:F0:0F:1E:2D:3C:4B:5A:69:78:87:96:A5:B4:C3:D2:E1:F0"

/* Shaped like Chromium's offer for a receive-only player (payload types,
 * RTX, feedback and extensions as Chromium writes them). */
static const gchar chrome_offer[] =
    "v=0\r\n"
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0 1\r\n"
    "a=extmap-allow-mixed\r\n"
    "a=msid-semantic: WMS\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 105 106 107 98 45\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:cHr0\r\n"
    "a=ice-pwd:chromepasswordchromepass\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:" FP "\r\n"
    "a=setup:actpass\r\n"
    "a=mid:0\r\n"
    "a=extmap:1 urn:ietf:params:rtp-hdrext:toffset\r\n"
    "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
    "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=recvonly\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-rsize\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=rtcp-fb:96 goog-remb\r\n"
    "a=rtcp-fb:96 transport-cc\r\n"
    "a=rtcp-fb:96 ccm fir\r\n"
    "a=rtcp-fb:96 nack\r\n"
    "a=rtcp-fb:96 nack pli\r\n"
    "a=rtpmap:97 rtx/90000\r\n"
    "a=fmtp:97 apt=96\r\n"
    "a=rtpmap:102 H264/90000\r\n"
    "a=rtcp-fb:102 nack\r\n"
    "a=rtcp-fb:102 nack pli\r\n"
    "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f\r\n"
    "a=rtpmap:103 rtx/90000\r\n"
    "a=fmtp:103 apt=102\r\n"
    "a=rtpmap:104 H264/90000\r\n"
    "a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f\r\n"
    "a=rtpmap:105 rtx/90000\r\n"
    "a=fmtp:105 apt=104\r\n"
    "a=rtpmap:106 H264/90000\r\n"
    "a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f\r\n"
    "a=rtpmap:107 rtx/90000\r\n"
    "a=fmtp:107 apt=106\r\n"
    "a=rtpmap:98 VP9/90000\r\n"
    "a=fmtp:98 profile-id=0\r\n"
    "a=rtpmap:45 AV1/90000\r\n"
    "a=fmtp:45 level-idx=5;profile=0;tier=0\r\n"
    "a=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 110\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:cHr0\r\n"
    "a=ice-pwd:chromepasswordchromepass\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:" FP "\r\n"
    "a=setup:actpass\r\n"
    "a=mid:1\r\n"
    "a=extmap:14 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
    "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
    "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=recvonly\r\n"
    "a=rtcp-mux\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=rtcp-fb:111 transport-cc\r\n"
    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
    "a=rtpmap:63 red/48000/2\r\n"
    "a=fmtp:63 111/111\r\n" "a=rtpmap:110 telephone-event/48000\r\n";

/* Shaped like Firefox's: fingerprint at session level, other payload
 * types, a rejected m-section for a codec it cannot do. */
static const gchar firefox_offer[] =
    "v=0\r\n"
    "o=mozilla...THIS_IS_SDPARTA-115 3432165164 0 IN IP4 0.0.0.0\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=fingerprint:" FP "\r\n"
    "a=group:BUNDLE 0 1\r\n"
    "a=ice-options:trickle\r\n"
    "a=msid-semantic:WMS *\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 120 124 121 125\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=recvonly\r\n"
    "a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=fmtp:120 max-fs=12288;max-fr=60\r\n"
    "a=fmtp:124 apt=120\r\n"
    "a=fmtp:121 max-fs=12288;max-fr=60\r\n"
    "a=fmtp:125 apt=121\r\n"
    "a=ice-pwd:ffpasswordffpasswordffpass\r\n"
    "a=ice-ufrag:ff01\r\n"
    "a=mid:0\r\n"
    "a=rtcp-fb:120 nack\r\n"
    "a=rtcp-fb:120 nack pli\r\n"
    "a=rtcp-fb:120 ccm fir\r\n"
    "a=rtcp-fb:120 goog-remb\r\n"
    "a=rtcp-fb:120 transport-cc\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-rsize\r\n"
    "a=rtpmap:120 VP8/90000\r\n"
    "a=rtpmap:124 rtx/90000\r\n"
    "a=rtpmap:121 VP9/90000\r\n"
    "a=rtpmap:125 rtx/90000\r\n"
    "a=setup:actpass\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 109 9 0 8\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=recvonly\r\n"
    "a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1\r\n"
    "a=ice-pwd:ffpasswordffpasswordffpass\r\n"
    "a=ice-ufrag:ff01\r\n"
    "a=mid:1\r\n"
    "a=rtcp-mux\r\n"
    "a=rtpmap:109 opus/48000/2\r\n"
    "a=setup:actpass\r\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=ice-pwd:ffpasswordffpasswordffpass\r\n"
    "a=ice-ufrag:ff01\r\n"
    "a=mid:2\r\n"
    "a=setup:actpass\r\n"
    "a=sctp-port:5000\r\n" "a=max-message-size:1073741823\r\n";

static const GstWrtcCodecCap vp8_cap[] = {
  {GST_WRTC_MEDIA_VIDEO, "VP8", 90000, 0, NULL},
};

static const GstWrtcCodecCap h264_cap[] = {
  {GST_WRTC_MEDIA_VIDEO, "H264", 90000, 0,
      "profile-level-id=42e01f;packetization-mode=1"},
};

static const GstWrtcCodecCap opus_cap[] = {
  {GST_WRTC_MEDIA_AUDIO, "OPUS", 48000, 2, NULL},
};

static void
init_options (GstWrtcAnswerOptions * o, GstWrtcLocalTrack * tracks,
    guint n_tracks)
{
  memset (o, 0, sizeof (*o));
  o->ice_ufrag = "ours";
  o->ice_pwd = "ourpasswordourpassword12";
  o->fingerprint = FP;
  o->session_id = 1234;
  o->session_version = 1;
  o->cname = "gst";
  o->tracks = tracks;
  o->n_tracks = n_tracks;
  o->rtcp_fb = GST_WRTC_RTCP_FB_NACK | GST_WRTC_RTCP_FB_PLI |
      GST_WRTC_RTCP_FB_FIR | GST_WRTC_RTCP_FB_TWCC | GST_WRTC_RTCP_FB_REMB;
  o->use_twcc_extmap = TRUE;
}

static GstWrtcNegotiatedMedia *
nth (GstWrtcAnswer * a, guint i)
{
  return g_ptr_array_index (a->media, i);
}

GST_START_TEST (test_parse_chrome)
{
  GError *err = NULL;
  g_autoptr (GstWrtcSessionDesc) d =
      gst_wrtc_session_desc_parse (chrome_offer, &err);
  const GstWrtcMediaDesc *v, *a;
  const GstWrtcCodec *vp8, *h264;

  fail_unless (d != NULL, "%s", err ? err->message : "");
  fail_unless_equals_int (d->media->len, 2);
  fail_unless_equals_string (d->bundle[0], "0");
  fail_unless_equals_string (d->bundle[1], "1");
  fail_unless (d->bundle[2] == NULL);

  v = g_ptr_array_index (d->media, 0);
  fail_unless_equals_int (v->kind, GST_WRTC_MEDIA_VIDEO);
  fail_unless_equals_int (v->direction, GST_WRTC_DIRECTION_RECVONLY);
  fail_unless (v->rtcp_mux && v->rtcp_rsize);
  fail_unless_equals_string (v->ice_ufrag, "cHr0");
  fail_unless_equals_string (v->setup, "actpass");
  /* RTX entries folded into the codec they repair */
  fail_unless_equals_int (v->codecs->len, 6);
  vp8 = gst_wrtc_media_desc_find_codec (v, 96);
  fail_unless_equals_string (vp8->encoding, "VP8");
  fail_unless_equals_int (vp8->rtx_pt, 97);
  fail_unless_equals_int (vp8->rtcp_fb, GST_WRTC_RTCP_FB_NACK |
      GST_WRTC_RTCP_FB_PLI | GST_WRTC_RTCP_FB_FIR | GST_WRTC_RTCP_FB_TWCC |
      GST_WRTC_RTCP_FB_REMB);
  h264 = gst_wrtc_media_desc_find_codec (v, 104);
  fail_unless_equals_int (h264->rtx_pt, 105);
  fail_unless (gst_wrtc_media_desc_find_codec (v, 97) == NULL);
  fail_unless_equals_int (gst_wrtc_media_desc_find_extmap (v,
          GST_WRTC_EXTMAP_MID), 4);
  fail_unless_equals_int (v->candidates->len, 1);
  fail_unless (g_str_has_prefix (g_ptr_array_index (v->candidates, 0),
          "candidate:1 1 udp"));

  a = g_ptr_array_index (d->media, 1);
  fail_unless_equals_int (a->kind, GST_WRTC_MEDIA_AUDIO);
  /* static payload types need no rtpmap */
  fail_unless_equals_string (gst_wrtc_media_desc_find_codec (a, 0)->encoding,
      "PCMU");
  fail_unless_equals_int (gst_wrtc_media_desc_find_codec (a, 111)->channels, 2);
}

GST_END_TEST;

GST_START_TEST (test_answer_chrome_vp8_opus)
{
  g_autoptr (GstWrtcSessionDesc) d =
      gst_wrtc_session_desc_parse (chrome_offer, NULL);
  GstWrtcLocalTrack tracks[] = {
    {GST_WRTC_MEDIA_AUDIO, opus_cap, 1, "s", "a0", 1111, 0},
    {GST_WRTC_MEDIA_VIDEO, vp8_cap, 1, "s", "v0", 2222, 3333},
  };
  GstWrtcAnswerOptions o;
  GError *err = NULL;
  g_autoptr (GstWrtcAnswer) a = NULL;
  g_autoptr (GstWrtcSessionDesc) back = NULL;
  GstWrtcNegotiatedMedia *v, *au;

  init_options (&o, tracks, 2);
  a = gst_wrtc_jsep_create_answer (d, &o, &err);
  fail_unless (a != NULL, "%s", err ? err->message : "");
  fail_unless (a->dtls_client, "actpass must be answered with active");
  fail_unless_equals_string (a->remote_ufrag, "cHr0");
  fail_unless_equals_int (a->remote_candidates->len, 1);

  v = nth (a, 0);
  fail_if (v->rejected);
  fail_unless_equals_int (v->track, 1);
  fail_unless_equals_int (v->codec.pt, 96);
  fail_unless_equals_int (v->codec.rtx_pt, 97);
  fail_unless_equals_int (v->direction, GST_WRTC_DIRECTION_SENDONLY);
  fail_unless_equals_int (v->mid_ext_id, 4);
  fail_unless_equals_int (v->twcc_ext_id, 3);
  fail_unless (v->codec.rtcp_fb & GST_WRTC_RTCP_FB_PLI);

  au = nth (a, 1);
  fail_unless_equals_int (au->track, 0);
  fail_unless_equals_int (au->codec.pt, 111);
  fail_unless_equals_string (au->codec.fmtp, "minptime=10;useinbandfec=1");

  fail_unless (strstr (a->sdp, "a=group:BUNDLE 0 1\r\n"));
  fail_unless (strstr (a->sdp, "a=setup:active\r\n"));
  fail_unless (strstr (a->sdp, "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n"));
  fail_unless (strstr (a->sdp, "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96"));
  fail_unless (strstr (a->sdp, "a=ssrc-group:FID 2222 3333\r\n"));
  fail_unless (strstr (a->sdp, "a=rtpmap:111 OPUS/48000/2\r\n"));
  fail_unless (strstr (a->sdp, "a=sendonly\r\n"));
  fail_unless (strstr (a->sdp, "a=fingerprint:" FP "\r\n"));

  /* our answer is itself valid WebRTC SDP */
  back = gst_wrtc_session_desc_parse (a->sdp, &err);
  fail_unless (back != NULL, "%s", err ? err->message : "");
  fail_unless_equals_int (back->media->len, 2);
}

GST_END_TEST;

GST_START_TEST (test_answer_h264_profile_and_mode)
{
  g_autoptr (GstWrtcSessionDesc) d =
      gst_wrtc_session_desc_parse (chrome_offer, NULL);
  GstWrtcLocalTrack tracks[] = {
    {GST_WRTC_MEDIA_VIDEO, h264_cap, 1, "s", "v0", 2222, 3333},
  };
  GstWrtcAnswerOptions o;
  g_autoptr (GstWrtcAnswer) a = NULL;
  GstWrtcNegotiatedMedia *v;

  init_options (&o, tracks, 1);
  a = gst_wrtc_jsep_create_answer (d, &o, NULL);
  fail_unless (a != NULL);
  v = nth (a, 0);
  /* packetization-mode must match: 104 and 106 are mode 0 */
  fail_unless_equals_int (v->codec.pt, 102);
  fail_unless_equals_int (v->codec.rtx_pt, 103);
  fail_unless (strstr (v->codec.fmtp, "packetization-mode=1"));
  fail_unless (strstr (v->codec.fmtp, "profile-level-id=42001f"));
  /* no audio track and no receiving: audio is rejected, not bundled */
  fail_unless (nth (a, 1)->rejected);
  fail_unless (strstr (a->sdp, "a=group:BUNDLE 0\r\n"));
  fail_unless (strstr (a->sdp, "m=audio 0 UDP/TLS/RTP/SAVPF"));
}

GST_END_TEST;

GST_START_TEST (test_h264_matching)
{
  GstWrtcCodec c = { 100, (gchar *) "H264", 90000, 0, NULL, 0, -1 };
  gchar *fmtp = NULL;

  c.fmtp = (gchar *) "profile-level-id=42e01f;packetization-mode=1";
  fail_unless (gst_wrtc_codec_matches (&c, &h264_cap[0], &fmtp));
  fail_unless (strstr (fmtp, "profile-level-id=42e01f"));
  g_free (fmtp);
  /* High profile is not what a baseline encoder makes */
  c.fmtp = (gchar *) "profile-level-id=640c1f;packetization-mode=1";
  fail_if (gst_wrtc_codec_matches (&c, &h264_cap[0], NULL));
  /* no packetization-mode means mode 0 */
  c.fmtp = (gchar *) "profile-level-id=42e01f";
  fail_if (gst_wrtc_codec_matches (&c, &h264_cap[0], NULL));
  /* garbage profile-level-id */
  c.fmtp = (gchar *) "profile-level-id=zz;packetization-mode=1";
  fail_if (gst_wrtc_codec_matches (&c, &h264_cap[0], NULL));
  /* another clock rate */
  c.fmtp = (gchar *) "profile-level-id=42e01f;packetization-mode=1";
  c.clock_rate = 8000;
  fail_if (gst_wrtc_codec_matches (&c, &h264_cap[0], NULL));
}

GST_END_TEST;

GST_START_TEST (test_answer_firefox)
{
  GError *err = NULL;
  g_autoptr (GstWrtcSessionDesc) d =
      gst_wrtc_session_desc_parse (firefox_offer, &err);
  GstWrtcLocalTrack tracks[] = {
    {GST_WRTC_MEDIA_VIDEO, vp8_cap, 1, "s", "v0", 2222, 3333},
    {GST_WRTC_MEDIA_AUDIO, opus_cap, 1, "s", "a0", 1111, 0},
  };
  GstWrtcAnswerOptions o;
  g_autoptr (GstWrtcAnswer) a = NULL;

  fail_unless (d != NULL, "%s", err ? err->message : "");
  /* session-level fingerprint reaches every m-section */
  fail_unless_equals_string (((GstWrtcMediaDesc *)
          g_ptr_array_index (d->media, 1))->fingerprint, FP);
  init_options (&o, tracks, 2);
  a = gst_wrtc_jsep_create_answer (d, &o, &err);
  fail_unless (a != NULL, "%s", err ? err->message : "");
  fail_unless_equals_int (nth (a, 0)->codec.pt, 120);
  fail_unless_equals_int (nth (a, 0)->codec.rtx_pt, 124);
  fail_unless_equals_string (nth (a, 0)->codec.fmtp, "max-fs=12288;max-fr=60");
  fail_unless_equals_int (nth (a, 1)->codec.pt, 109);
  /* no data channels yet: rejected with port 0, not in the group */
  fail_unless (nth (a, 2)->rejected);
  fail_unless (strstr (a->sdp, "a=group:BUNDLE 0 1\r\n"));
  fail_unless (strstr (a->sdp,
          "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n"));
}

GST_END_TEST;

GST_START_TEST (test_answer_no_codec)
{
  const gchar *offer =
      "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 102\r\nc=IN IP4 0.0.0.0\r\n"
      "a=mid:v\r\na=ice-ufrag:u\r\na=ice-pwd:pppppppppppppppppppppp\r\n"
      "a=fingerprint:" FP "\r\na=setup:actpass\r\na=recvonly\r\n"
      "a=rtcp-mux\r\na=rtpmap:102 H264/90000\r\n"
      "a=fmtp:102 profile-level-id=42e01f;packetization-mode=1\r\n";
  g_autoptr (GstWrtcSessionDesc) d = gst_wrtc_session_desc_parse (offer, NULL);
  GstWrtcLocalTrack tracks[] = {
    {GST_WRTC_MEDIA_VIDEO, vp8_cap, 1, "s", "v0", 2222, 0},
  };
  GstWrtcAnswerOptions o;
  GError *err = NULL;

  fail_unless (d != NULL);
  init_options (&o, tracks, 1);
  fail_unless (gst_wrtc_jsep_create_answer (d, &o, &err) == NULL);
  fail_unless (g_error_matches (err, GST_WRTC_JSEP_ERROR,
          GST_WRTC_JSEP_ERROR_NO_CODEC));
  fail_unless (strstr (err->message, "H264"), "%s", err->message);
  g_clear_error (&err);
}

GST_END_TEST;

GST_START_TEST (test_answer_roles_and_receive)
{
  const gchar *offer =
      "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
      "a=group:BUNDLE v\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n"
      "a=mid:v\r\na=ice-ufrag:u\r\na=ice-pwd:pppppppppppppppppppppp\r\n"
      "a=fingerprint:" FP "\r\na=setup:active\r\na=sendonly\r\n"
      "a=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\n";
  g_autoptr (GstWrtcSessionDesc) d = gst_wrtc_session_desc_parse (offer, NULL);
  GstWrtcAnswerOptions o;
  g_autoptr (GstWrtcAnswer) a = NULL;

  init_options (&o, NULL, 0);
  o.recv_codecs = vp8_cap;
  o.n_recv_codecs = 1;
  a = gst_wrtc_jsep_create_answer (d, &o, NULL);
  fail_unless (a != NULL);
  /* the offerer is the DTLS client: we are the server */
  fail_if (a->dtls_client);
  fail_unless (strstr (a->sdp, "a=setup:passive\r\n"));
  fail_unless_equals_int (nth (a, 0)->direction, GST_WRTC_DIRECTION_RECVONLY);
  fail_unless (strstr (a->sdp, "a=recvonly\r\n"));
  fail_if (strstr (a->sdp, "a=ssrc:"));
}

GST_END_TEST;

static void
expect_error (const gchar * sdp, gint code, const gchar * needle)
{
  GError *err = NULL;

  fail_unless (gst_wrtc_session_desc_parse (sdp, &err) == NULL);
  fail_unless (err != NULL);
  fail_unless_equals_int (err->code, code);
  if (needle)
    fail_unless (strstr (err->message, needle), "'%s' not in '%s'", needle,
        err->message);
  g_clear_error (&err);
}

GST_START_TEST (test_parse_errors)
{
  gchar *s;

  expect_error ("", GST_WRTC_JSEP_ERROR_MALFORMED, "v=0");
  expect_error ("hello world", GST_WRTC_JSEP_ERROR_MALFORMED, NULL);
  expect_error ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n",
      GST_WRTC_JSEP_ERROR_INVALID, "no m-section");
  /* RTP/AVP is not WebRTC */
  expect_error ("v=0\r\ns=-\r\nm=video 9 RTP/AVP 96\r\na=mid:0\r\n"
      "a=ice-ufrag:u\r\na=ice-pwd:pppppppppppppppppppppp\r\n"
      "a=fingerprint:" FP "\r\na=rtpmap:96 VP8/90000\r\n",
      GST_WRTC_JSEP_ERROR_INVALID, "SAVPF");
  /* missing ICE credentials: named */
  expect_error ("v=0\r\ns=-\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\n"
      "a=fingerprint:" FP "\r\na=rtpmap:96 VP8/90000\r\n",
      GST_WRTC_JSEP_ERROR_INVALID, "a=ice-ufrag");
  expect_error ("v=0\r\ns=-\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\n"
      "a=ice-ufrag:u\r\na=ice-pwd:pppppppppppppppppppppp\r\n"
      "a=rtpmap:96 VP8/90000\r\n", GST_WRTC_JSEP_ERROR_INVALID,
      "a=fingerprint");
  /* formats must be payload types */
  expect_error ("v=0\r\ns=-\r\nm=video 9 UDP/TLS/RTP/SAVPF abc\r\na=mid:0\r\n",
      GST_WRTC_JSEP_ERROR_MALFORMED, "abc");
  expect_error ("v=0\r\ns=-\r\nm=video 9 UDP/TLS/RTP/SAVPF 300\r\n",
      GST_WRTC_JSEP_ERROR_MALFORMED, "300");
  expect_error ("v=0\r\ns=-\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
      "a=rtpmap:96 VP8\r\n", GST_WRTC_JSEP_ERROR_MALFORMED, "rtpmap");
  /* hostile sizes */
  s = g_strnfill (200 * 1024, 'a');
  memcpy (s, "v=0\r\n", 5);
  expect_error (s, GST_WRTC_JSEP_ERROR_INVALID, "longer");
  g_free (s);
}

GST_END_TEST;

/* Every prefix of a real offer either parses or fails with an error:
 * never a crash or a leak (the approach of libnice's stun tests). */
GST_START_TEST (test_parse_every_truncation)
{
  gsize len = strlen (chrome_offer), i;
  guint parsed = 0, failed = 0;

  for (i = 0; i <= len; i++) {
    gchar *s = g_strndup (chrome_offer, i);
    GError *err = NULL;
    GstWrtcSessionDesc *d = gst_wrtc_session_desc_parse (s, &err);
    if (d) {
      parsed++;
      gst_wrtc_session_desc_free (d);
    } else {
      fail_unless (err != NULL && err->message && *err->message);
      failed++;
      g_clear_error (&err);
    }
    g_free (s);
  }
  fail_unless (parsed > 0 && failed > 0);
}

GST_END_TEST;

/* Our offerer (a WHEP client) against our answerer (a WHEP server). */
GST_START_TEST (test_offer_answer_round_trip)
{
  static const GstWrtcCodecCap recv_video[] = {
    {GST_WRTC_MEDIA_VIDEO, "VP8", 90000, 0, NULL},
    {GST_WRTC_MEDIA_VIDEO, "H264", 90000, 0,
        "profile-level-id=42e01f;packetization-mode=1"},
  };
  GstWrtcOfferMedia media[] = {
    {GST_WRTC_MEDIA_VIDEO, GST_WRTC_DIRECTION_RECVONLY, recv_video, 2, NULL},
    {GST_WRTC_MEDIA_AUDIO, GST_WRTC_DIRECTION_RECVONLY, opus_cap, 1, NULL},
  };
  GstWrtcOfferOptions oo;
  GstWrtcLocalTrack tracks[] = {
    {GST_WRTC_MEDIA_VIDEO, h264_cap, 1, "s", "v0", 2222, 3333},
    {GST_WRTC_MEDIA_AUDIO, opus_cap, 1, "s", "a0", 1111, 0},
  };
  GstWrtcAnswerOptions ao;
  GError *err = NULL;
  gchar *offer;
  g_autoptr (GstWrtcSessionDesc) od = NULL;
  g_autoptr (GstWrtcSessionDesc) ad = NULL;
  g_autoptr (GstWrtcAnswer) answer = NULL;
  g_autoptr (GstWrtcAnswer) applied = NULL;

  memset (&oo, 0, sizeof (oo));
  oo.ice_ufrag = "offr";
  oo.ice_pwd = "offererpasswordofferer12";
  oo.fingerprint = FP;
  oo.session_id = 99;
  oo.cname = "rx";
  oo.media = media;
  oo.n_media = 2;
  oo.rtcp_fb = GST_WRTC_RTCP_FB_NACK | GST_WRTC_RTCP_FB_PLI |
      GST_WRTC_RTCP_FB_FIR;
  offer = gst_wrtc_jsep_create_offer (&oo);
  fail_unless (strstr (offer, "a=setup:actpass\r\n"));

  od = gst_wrtc_session_desc_parse (offer, &err);
  fail_unless (od != NULL, "%s\n%s", err ? err->message : "", offer);
  init_options (&ao, tracks, 2);
  answer = gst_wrtc_jsep_create_answer (od, &ao, &err);
  fail_unless (answer != NULL, "%s", err ? err->message : "");
  /* VP8 is 96/97 in our offer, H264 98/99 */
  fail_unless_equals_int (nth (answer, 0)->codec.pt, 98);
  fail_unless_equals_int (nth (answer, 0)->codec.rtx_pt, 99);

  ad = gst_wrtc_session_desc_parse (answer->sdp, &err);
  fail_unless (ad != NULL, "%s", err ? err->message : "");
  applied = gst_wrtc_jsep_apply_answer (&oo, ad, &err);
  fail_unless (applied != NULL, "%s", err ? err->message : "");
  /* the roles are complementary, the codec agreed on both sides */
  fail_unless (answer->dtls_client);
  fail_if (applied->dtls_client);
  fail_unless_equals_string (applied->remote_ufrag, "ours");
  fail_unless_equals_int (nth (applied, 0)->codec.pt, 98);
  fail_unless_equals_string (nth (applied, 0)->codec.encoding, "H264");
  fail_unless_equals_int (nth (applied, 0)->direction,
      GST_WRTC_DIRECTION_RECVONLY);
  fail_unless_equals_int (nth (applied, 1)->codec.pt, 100);

  /* an answer that is not for this offer is refused */
  oo.n_media = 1;
  fail_unless (gst_wrtc_jsep_apply_answer (&oo, ad, &err) == NULL);
  fail_unless (strstr (err->message, "m-sections"));
  g_clear_error (&err);
  g_free (offer);
}

GST_END_TEST;

/* Shaped like Chromium's offer with a data channel next to media
 * (createDataChannel before createOffer): the application section last,
 * bundled, 256 KiB messages. */
static const gchar chrome_data_offer[] =
    "v=0\r\n"
    "o=- 4062583335262957828 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0 1\r\n"
    "a=extmap-allow-mixed\r\n"
    "a=msid-semantic: WMS\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:pLK2\r\n"
    "a=ice-pwd:VDil+qx+OvWI898+aM+CxdFt\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:" FP "\r\n"
    "a=setup:actpass\r\n"
    "a=mid:0\r\n"
    "a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=recvonly\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-rsize\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=rtcp-fb:96 nack\r\n"
    "a=rtcp-fb:96 nack pli\r\n"
    "a=rtpmap:97 rtx/90000\r\n"
    "a=fmtp:97 apt=96\r\n"
    "a=candidate:1855586236 1 udp 2122260223 127.0.0.1 44574 typ host "
    "generation 0 network-id 1 network-cost 50\r\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:pLK2\r\n"
    "a=ice-pwd:VDil+qx+OvWI898+aM+CxdFt\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:" FP "\r\n"
    "a=setup:actpass\r\n"
    "a=mid:1\r\n" "a=sctp-port:5000\r\n" "a=max-message-size:262144\r\n";

/* Shaped like Firefox's offer for a data channel alone: session-level
 * fingerprint and a=sendrecv, a=sendrecv in the section too, 1 GiB - 1
 * messages.  @PORT and @MMS are replaced by the tests. */
static const gchar firefox_data_offer[] =
    "v=0\r\n"
    "o=mozilla...THIS_IS_SDPARTA-153.7.0 6152466722458426123 0 IN IP4 "
    "0.0.0.0\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=sendrecv\r\n"
    "a=fingerprint:" FP "\r\n"
    "a=group:BUNDLE 0\r\n"
    "a=ice-options:trickle\r\n"
    "a=msid-semantic:WMS *\r\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=sendrecv\r\n"
    "a=ice-pwd:ffpasswordffpasswordffpass\r\n"
    "a=ice-ufrag:ff01\r\n"
    "a=mid:0\r\n"
    "a=setup:actpass\r\n"
    "a=sctp-port:5000\r\n" "a=max-message-size:1073741823\r\n";

/* What browsers sent before RFC 8841 (draft-ietf-mmusic-sctp-sdp-05):
 * the SCTP port as format and a=sctpmap. */
static const gchar legacy_data_offer[] =
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    "a=group:BUNDLE data\r\n"
    "m=application 9 DTLS/SCTP 5000\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:old1\r\n"
    "a=ice-pwd:oldpasswordoldpassword12\r\n"
    "a=fingerprint:" FP "\r\n"
    "a=setup:actpass\r\n"
    "a=mid:data\r\n" "a=sctpmap:5000 webrtc-datachannel 1024\r\n";

static void
init_data_options (GstWrtcAnswerOptions * o, GstWrtcLocalTrack * tracks,
    guint n_tracks)
{
  init_options (o, tracks, n_tracks);
  o->datachannel = TRUE;
  o->sctp_port = 5000;
  o->max_message_size = 262144;
}

/* @text with the first @from replaced by @to */
static gchar *
replace (const gchar * text, const gchar * from, const gchar * to)
{
  const gchar *at = strstr (text, from);

  fail_unless (at != NULL, "'%s' not in the offer", from);
  return g_strdup_printf ("%.*s%s%s", (int) (at - text), text, to,
      at + strlen (from));
}

GST_START_TEST (test_parse_datachannel)
{
  GError *err = NULL;
  g_autoptr (GstWrtcSessionDesc) c =
      gst_wrtc_session_desc_parse (chrome_data_offer, &err);
  g_autoptr (GstWrtcSessionDesc) f = NULL;
  g_autoptr (GstWrtcSessionDesc) old = NULL;
  g_autoptr (GstWrtcSessionDesc) ff = NULL;
  const GstWrtcMediaDesc *m;

  fail_unless (c != NULL, "%s", err ? err->message : "");
  fail_unless_equals_int (c->media->len, 2);
  fail_if (((GstWrtcMediaDesc *) g_ptr_array_index (c->media, 0))->datachannel);
  m = g_ptr_array_index (c->media, 1);
  fail_unless_equals_int (m->kind, GST_WRTC_MEDIA_APPLICATION);
  fail_unless (m->datachannel);
  fail_if (m->legacy_sctpmap);
  fail_unless_equals_string (m->proto, "UDP/DTLS/SCTP");
  fail_unless_equals_string (m->mid, "1");
  fail_unless_equals_int (m->sctp_port, 5000);
  fail_unless_equals_uint64 (m->max_message_size, 262144);
  fail_unless_equals_int (m->codecs->len, 0);
  /* a browser's: no larger SCTP packets */
  fail_unless_equals_int (m->max_sctp_packet, 0);

  /* data only; Firefox's 1 GiB - 1 and session-level fingerprint */
  f = gst_wrtc_session_desc_parse (firefox_data_offer, &err);
  fail_unless (f != NULL, "%s", err ? err->message : "");
  fail_unless_equals_int (f->media->len, 1);
  m = g_ptr_array_index (f->media, 0);
  fail_unless (m->datachannel);
  fail_unless_equals_string (m->fingerprint, FP);
  fail_unless_equals_uint64 (m->max_message_size, 1073741823);

  /* the existing Firefox offer's third section too */
  ff = gst_wrtc_session_desc_parse (firefox_offer, &err);
  fail_unless (ff != NULL, "%s", err ? err->message : "");
  m = g_ptr_array_index (ff->media, 2);
  fail_unless (m->datachannel);
  fail_unless_equals_uint64 (m->max_message_size, 1073741823);

  /* the legacy form parses, is marked, and is no data channel of ours */
  old = gst_wrtc_session_desc_parse (legacy_data_offer, &err);
  fail_unless (old != NULL, "%s", err ? err->message : "");
  m = g_ptr_array_index (old->media, 0);
  fail_unless (m->legacy_sctpmap);
  fail_if (m->datachannel);
  fail_unless_equals_int (m->sctp_port, 5000);
}

GST_END_TEST;

/* RFC 8841 section 5.2 and 6: the defaults, 0, and bad values */
GST_START_TEST (test_parse_datachannel_limits)
{
  static const struct
  {
    const gchar *from, *to;
    guint port;
    guint64 mms;
  } ok[] = {
    /* absent: 64 KiB (RFC 8841 section 6), port 5000 (section 5.2) */
    {"a=max-message-size:1073741823\r\n", "", 5000, 65536},
    {"a=sctp-port:5000\r\na=max-message-size:1073741823\r\n", "", 5000,
        65536},
    /* 0: any size */
    {"a=max-message-size:1073741823", "a=max-message-size:0", 5000, 0},
    {"a=max-message-size:1073741823", "a=max-message-size:18446744073709551615",
        5000, G_MAXUINT64},
    {"a=sctp-port:5000", "a=sctp-port:65535", 65535, 1073741823},
    /* TCP/DTLS/SCTP is a data channel too (RFC 8841 section 4.1) */
    {"UDP/DTLS/SCTP", "TCP/DTLS/SCTP", 5000, 1073741823},
  };
  static const gchar *const bad[][2] = {
    {"a=sctp-port:5000", "a=sctp-port:0"},
    {"a=sctp-port:5000", "a=sctp-port:65536"},
    {"a=sctp-port:5000", "a=sctp-port:-1"},
    {"a=sctp-port:5000", "a=sctp-port:"},
    {"a=max-message-size:1073741823", "a=max-message-size:1k"},
    {"a=max-message-size:1073741823",
        "a=max-message-size:18446744073709551616"},
    {"a=max-message-size:1073741823", "a=max-message-size: 5"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (ok); i++) {
    gchar *sdp = replace (firefox_data_offer, ok[i].from, ok[i].to);
    GError *err = NULL;
    GstWrtcSessionDesc *d = gst_wrtc_session_desc_parse (sdp, &err);
    const GstWrtcMediaDesc *m;

    fail_unless (d != NULL, "%s: %s", ok[i].to, err ? err->message : "");
    m = g_ptr_array_index (d->media, 0);
    fail_unless (m->datachannel, "%u", i);
    fail_unless_equals_int (m->sctp_port, ok[i].port);
    fail_unless_equals_uint64 (m->max_message_size, ok[i].mms);
    gst_wrtc_session_desc_free (d);
    g_free (sdp);
  }
  for (i = 0; i < G_N_ELEMENTS (bad); i++) {
    gchar *sdp = replace (firefox_data_offer, bad[i][0], bad[i][1]);
    expect_error (sdp, GST_WRTC_JSEP_ERROR_MALFORMED, "RFC 8841");
    g_free (sdp);
  }
}

GST_END_TEST;

static void
check_our_data_section (const gchar * sdp, const gchar * mid,
    const gchar * setup, guint port, guint64 mms)
{
  GError *err = NULL;
  g_autoptr (GstWrtcSessionDesc) back = gst_wrtc_session_desc_parse (sdp, &err);
  const GstWrtcMediaDesc *m = NULL;
  gchar *expect;

  fail_unless (back != NULL, "%s\n%s", err ? err->message : "", sdp);
  for (guint i = 0; i < back->media->len; i++) {
    const GstWrtcMediaDesc *x = g_ptr_array_index (back->media, i);
    if (!g_strcmp0 (x->mid, mid))
      m = x;
  }
  fail_unless (m != NULL, "no mid %s in\n%s", mid, sdp);
  fail_unless (m->datachannel);
  fail_unless (m->port != 0);
  fail_unless_equals_int (m->sctp_port, port);
  fail_unless_equals_uint64 (m->max_message_size, mms);
  fail_unless_equals_string (m->setup, setup);
  fail_unless_equals_string (m->ice_ufrag, "ours");
  expect = g_strdup_printf ("m=application 9 UDP/DTLS/SCTP "
      "webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:ours\r\n"
      "a=ice-pwd:ourpasswordourpassword12\r\na=ice-options:trickle\r\n"
      "a=fingerprint:" FP "\r\na=setup:%s\r\na=mid:%s\r\n"
      "a=sctp-port:%u\r\na=max-message-size:%" G_GUINT64_FORMAT "\r\n",
      setup, mid, port, mms);
  fail_unless (strstr (sdp, expect), "no\n%s\nin\n%s", expect, sdp);
  g_free (expect);
}

GST_START_TEST (test_answer_chrome_datachannel)
{
  g_autoptr (GstWrtcSessionDesc) d =
      gst_wrtc_session_desc_parse (chrome_data_offer, NULL);
  GstWrtcLocalTrack tracks[] = {
    {GST_WRTC_MEDIA_VIDEO, vp8_cap, 1, "s", "v0", 2222, 3333},
  };
  GstWrtcAnswerOptions o;
  GError *err = NULL;
  g_autoptr (GstWrtcAnswer) a = NULL;
  g_autoptr (GstWrtcAnswer) no = NULL;
  GstWrtcNegotiatedMedia *n;

  fail_unless (d != NULL);
  init_data_options (&o, tracks, 1);
  a = gst_wrtc_jsep_create_answer (d, &o, &err);
  fail_unless (a != NULL, "%s", err ? err->message : "");
  fail_unless_equals_int (a->datachannel, 1);
  fail_if (nth (a, 0)->datachannel);
  fail_unless_equals_int (nth (a, 0)->codec.pt, 96);
  n = nth (a, 1);
  fail_if (n->rejected);
  fail_unless (n->datachannel);
  fail_unless_equals_int (n->kind, GST_WRTC_MEDIA_APPLICATION);
  fail_unless_equals_int (n->track, -1);
  fail_unless_equals_int (n->codec_index, -1);
  fail_unless_equals_int (n->remote_sctp_port, 5000);
  fail_unless_equals_uint64 (n->remote_max_message_size, 262144);
  fail_unless_equals_int (n->local_sctp_port, 5000);
  fail_unless_equals_uint64 (n->local_max_message_size, 262144);
  fail_unless (strstr (a->sdp, "a=group:BUNDLE 0 1\r\n"));
  /* no a=rtcp in a data section (RFC 8829 section 5.2.1 is for RTP) */
  check_our_data_section (a->sdp, "1", "active", 5000, 262144);
  fail_unless_equals_int (a->remote_candidates->len, 1);
  /* ours says how large an SCTP packet it takes; Chrome's did not */
  fail_unless (strstr (a->sdp, "a=x-wrtc-max-sctp-packet:16256\r\n"));
  fail_unless_equals_int (n->remote_max_sctp_packet, 0);

  /* not asked for data: rejected with port 0 as today, media unchanged */
  init_options (&o, tracks, 1);
  no = gst_wrtc_jsep_create_answer (d, &o, &err);
  fail_unless (no != NULL, "%s", err ? err->message : "");
  fail_unless_equals_int (no->datachannel, -1);
  fail_unless (nth (no, 1)->rejected);
  fail_if (nth (no, 1)->datachannel);
  fail_unless (strstr (no->sdp, "a=group:BUNDLE 0\r\n"));
  fail_unless (strstr (no->sdp,
          "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n"));
  fail_if (strstr (no->sdp, "a=sctp-port"));
}

GST_END_TEST;

GST_START_TEST (test_answer_firefox_media_and_data)
{
  g_autoptr (GstWrtcSessionDesc) d =
      gst_wrtc_session_desc_parse (firefox_offer, NULL);
  GstWrtcLocalTrack tracks[] = {
    {GST_WRTC_MEDIA_VIDEO, vp8_cap, 1, "s", "v0", 2222, 3333},
    {GST_WRTC_MEDIA_AUDIO, opus_cap, 1, "s", "a0", 1111, 0},
  };
  GstWrtcAnswerOptions o;
  GError *err = NULL;
  g_autoptr (GstWrtcAnswer) a = NULL;

  init_data_options (&o, tracks, 2);
  /* ours: any size, another port */
  o.sctp_port = 5001;
  o.max_message_size = 0;
  a = gst_wrtc_jsep_create_answer (d, &o, &err);
  fail_unless (a != NULL, "%s", err ? err->message : "");
  fail_unless_equals_int (a->datachannel, 2);
  fail_unless_equals_uint64 (nth (a, 2)->remote_max_message_size, 1073741823);
  fail_unless_equals_uint64 (nth (a, 2)->local_max_message_size, 0);
  fail_unless_equals_int (nth (a, 2)->local_sctp_port, 5001);
  fail_unless (strstr (a->sdp, "a=group:BUNDLE 0 1 2\r\n"));
  check_our_data_section (a->sdp, "2", "active", 5001, 0);
}

GST_END_TEST;

GST_START_TEST (test_answer_data_only)
{
  g_autoptr (GstWrtcSessionDesc) d =
      gst_wrtc_session_desc_parse (firefox_data_offer, NULL);
  gchar *no_mms = replace (firefox_data_offer,
      "a=max-message-size:1073741823\r\n", "");
  g_autoptr (GstWrtcSessionDesc) d2 = gst_wrtc_session_desc_parse (no_mms,
      NULL);
  GstWrtcAnswerOptions o;
  GError *err = NULL;
  g_autoptr (GstWrtcAnswer) a = NULL;
  g_autoptr (GstWrtcAnswer) a2 = NULL;

  /* no tracks, nothing received: data alone is a session */
  init_data_options (&o, NULL, 0);
  o.sctp_port = 0;              /* the default */
  a = gst_wrtc_jsep_create_answer (d, &o, &err);
  fail_unless (a != NULL, "%s", err ? err->message : "");
  fail_unless_equals_int (a->media->len, 1);
  fail_unless_equals_int (a->datachannel, 0);
  fail_unless (a->dtls_client);
  fail_unless_equals_string (a->remote_ufrag, "ff01");
  fail_unless_equals_string (a->remote_fingerprint, FP);
  fail_unless (strstr (a->sdp, "a=group:BUNDLE 0\r\n"));
  fail_unless_equals_int (nth (a, 0)->local_sctp_port, 5000);
  check_our_data_section (a->sdp, "0", "active", 5000, 262144);

  /* without a=max-message-size the peer takes 64 KiB */
  a2 = gst_wrtc_jsep_create_answer (d2, &o, &err);
  fail_unless (a2 != NULL, "%s", err ? err->message : "");
  fail_unless_equals_uint64 (nth (a2, 0)->remote_max_message_size, 65536);
  g_free (no_mms);

  /* not asked for data: nothing usable, and the error says why */
  init_options (&o, NULL, 0);
  fail_unless (gst_wrtc_jsep_create_answer (d, &o, &err) == NULL);
  fail_unless (g_error_matches (err, GST_WRTC_JSEP_ERROR,
          GST_WRTC_JSEP_ERROR_NO_CODEC));
  fail_unless (strstr (err->message, "data channel"), "%s", err->message);
  g_clear_error (&err);
}

GST_END_TEST;

/* The legacy DTLS/SCTP form is rejected (port 0, its own format), never
 * accepted: no browser has sent it since 2019 and RFC 8841 replaced it. */
GST_START_TEST (test_answer_legacy_sctpmap)
{
  g_autoptr (GstWrtcSessionDesc) d =
      gst_wrtc_session_desc_parse (legacy_data_offer, NULL);
  gchar *mixed = g_strconcat (chrome_data_offer,
      "m=application 9 DTLS/SCTP 5000\r\nc=IN IP4 0.0.0.0\r\n"
      "a=ice-ufrag:pLK2\r\na=ice-pwd:VDil+qx+OvWI898+aM+CxdFt\r\n"
      "a=fingerprint:" FP "\r\na=setup:actpass\r\na=mid:old\r\n"
      "a=sctpmap:5000 webrtc-datachannel 1024\r\n", NULL);
  g_autoptr (GstWrtcSessionDesc) dm = gst_wrtc_session_desc_parse (mixed, NULL);
  GstWrtcAnswerOptions o;
  GError *err = NULL;
  g_autoptr (GstWrtcAnswer) a = NULL;

  init_data_options (&o, NULL, 0);
  fail_unless (gst_wrtc_jsep_create_answer (d, &o, &err) == NULL);
  fail_unless (strstr (err->message, "legacy"), "%s", err->message);
  g_clear_error (&err);

  /* next to a data channel of the RFC 8841 form: that one is taken */
  fail_unless (dm != NULL);
  a = gst_wrtc_jsep_create_answer (dm, &o, &err);
  fail_unless (a != NULL, "%s", err ? err->message : "");
  fail_unless_equals_int (a->datachannel, 1);
  fail_unless (nth (a, 2)->rejected);
  fail_unless (strstr (a->sdp, "m=application 0 DTLS/SCTP 5000\r\n"
          "c=IN IP4 0.0.0.0\r\na=mid:old\r\na=inactive\r\n"), "%s", a->sdp);
  g_free (mixed);
}

GST_END_TEST;

/* Our offer with a data channel, with media and alone, answered by our
 * answerer and read back. */
static void
data_round_trip (guint n_media)
{
  GstWrtcOfferMedia media[] = {
    {GST_WRTC_MEDIA_VIDEO, GST_WRTC_DIRECTION_RECVONLY, vp8_cap, 1, NULL},
  };
  GstWrtcLocalTrack tracks[] = {
    {GST_WRTC_MEDIA_VIDEO, vp8_cap, 1, "s", "v0", 2222, 3333},
  };
  GstWrtcOfferOptions oo;
  GstWrtcAnswerOptions ao;
  GError *err = NULL;
  gchar *offer, *plain, *group;
  g_autoptr (GstWrtcSessionDesc) od = NULL;
  g_autoptr (GstWrtcSessionDesc) ad = NULL;
  g_autoptr (GstWrtcAnswer) answer = NULL;
  g_autoptr (GstWrtcAnswer) applied = NULL;
  GstWrtcNegotiatedMedia *n;

  memset (&oo, 0, sizeof (oo));
  oo.ice_ufrag = "ours";
  oo.ice_pwd = "ourpasswordourpassword12";
  oo.fingerprint = FP;
  oo.session_id = 7;
  oo.cname = "rx";
  oo.media = media;
  oo.n_media = n_media;
  oo.rtcp_fb = GST_WRTC_RTCP_FB_NACK | GST_WRTC_RTCP_FB_PLI;
  plain = gst_wrtc_jsep_create_offer (&oo);
  oo.datachannel = TRUE;
  oo.max_message_size = 1048576;
  offer = gst_wrtc_jsep_create_offer (&oo);
  /* the data section is added after the media, nothing else changes */
  fail_unless (g_str_has_suffix (offer, strstr (offer, "m=application")));
  if (n_media) {
    gchar *head = g_strndup (offer, strstr (offer, "m=application") - offer);
    gchar *expect = replace (plain, "a=group:BUNDLE 0\r\n",
        "a=group:BUNDLE 0 1\r\n");
    fail_unless_equals_string (head, expect);
    g_free (head);
    g_free (expect);
  }
  group = g_strdup_printf ("a=group:BUNDLE %s\r\n", n_media ? "0 1" : "0");
  fail_unless (strstr (offer, group), "%s", offer);
  g_free (group);
  check_our_data_section (offer, n_media ? "1" : "0", "actpass", 5000, 1048576);

  od = gst_wrtc_session_desc_parse (offer, &err);
  fail_unless (od != NULL, "%s\n%s", err ? err->message : "", offer);
  init_data_options (&ao, tracks, 1);
  answer = gst_wrtc_jsep_create_answer (od, &ao, &err);
  fail_unless (answer != NULL, "%s", err ? err->message : "");
  fail_unless_equals_int (answer->datachannel, n_media);
  fail_unless_equals_uint64 (nth (answer, n_media)->remote_max_message_size,
      1048576);

  ad = gst_wrtc_session_desc_parse (answer->sdp, &err);
  fail_unless (ad != NULL, "%s", err ? err->message : "");
  applied = gst_wrtc_jsep_apply_answer (&oo, ad, &err);
  fail_unless (applied != NULL, "%s", err ? err->message : "");
  fail_unless_equals_int (applied->media->len, n_media + 1);
  fail_unless_equals_int (applied->datachannel, n_media);
  n = nth (applied, n_media);
  fail_unless (n->datachannel && !n->rejected);
  fail_unless_equals_int (n->kind, GST_WRTC_MEDIA_APPLICATION);
  fail_unless_equals_int (n->remote_sctp_port, 5000);
  fail_unless_equals_uint64 (n->remote_max_message_size, 262144);
  fail_unless_equals_int (n->local_sctp_port, 5000);
  fail_unless_equals_uint64 (n->local_max_message_size, 1048576);
  fail_unless (answer->dtls_client);
  fail_if (applied->dtls_client);
  if (n_media)
    fail_unless_equals_int (nth (applied, 0)->codec.pt, 96);

  g_free (offer);
  g_free (plain);
}

GST_START_TEST (test_offer_datachannel_with_media)
{
  data_round_trip (1);
}

GST_END_TEST;

GST_START_TEST (test_offer_datachannel_alone)
{
  data_round_trip (0);
}

GST_END_TEST;

/* Answers to our data offer that reject it, or are not data sections */
GST_START_TEST (test_apply_answer_datachannel_rejected)
{
  GstWrtcOfferMedia media[] = {
    {GST_WRTC_MEDIA_VIDEO, GST_WRTC_DIRECTION_RECVONLY, vp8_cap, 1, NULL},
  };
  GstWrtcLocalTrack tracks[] = {
    {GST_WRTC_MEDIA_VIDEO, vp8_cap, 1, "s", "v0", 2222, 3333},
  };
  GstWrtcOfferOptions oo;
  GstWrtcAnswerOptions ao;
  GError *err = NULL;
  gchar *offer, *bad, *tmp;
  g_autoptr (GstWrtcSessionDesc) od = NULL;
  g_autoptr (GstWrtcSessionDesc) ad = NULL;
  g_autoptr (GstWrtcSessionDesc) bd = NULL;
  g_autoptr (GstWrtcAnswer) answer = NULL;
  g_autoptr (GstWrtcAnswer) applied = NULL;

  memset (&oo, 0, sizeof (oo));
  oo.ice_ufrag = "ours";
  oo.ice_pwd = "ourpasswordourpassword12";
  oo.fingerprint = FP;
  oo.cname = "rx";
  oo.media = media;
  oo.n_media = 1;
  oo.datachannel = TRUE;
  offer = gst_wrtc_jsep_create_offer (&oo);
  od = gst_wrtc_session_desc_parse (offer, NULL);
  /* an answerer without data channels */
  init_options (&ao, tracks, 1);
  answer = gst_wrtc_jsep_create_answer (od, &ao, &err);
  fail_unless (answer != NULL, "%s", err ? err->message : "");
  ad = gst_wrtc_session_desc_parse (answer->sdp, NULL);
  applied = gst_wrtc_jsep_apply_answer (&oo, ad, &err);
  fail_unless (applied != NULL, "%s", err ? err->message : "");
  fail_unless_equals_int (applied->datachannel, -1);
  fail_unless (nth (applied, 1)->rejected);
  fail_if (nth (applied, 1)->datachannel);
  fail_unless_equals_int (nth (applied, 0)->codec.pt, 96);

  /* an answer whose second section is no data channel */
  bad = replace (answer->sdp, "m=application 0 UDP/DTLS/SCTP "
      "webrtc-datachannel", "m=application 9 UDP/BFCP *");
  tmp = bad;
  bad = replace (tmp, "a=mid:1\r\na=inactive\r\n", "a=mid:1\r\n"
      "a=ice-ufrag:x\r\na=ice-pwd:yyyyyyyyyyyyyyyyyyyyyy\r\n"
      "a=fingerprint:" FP "\r\n");
  g_free (tmp);
  bd = gst_wrtc_session_desc_parse (bad, &err);
  fail_unless (bd != NULL, "%s\n%s", err ? err->message : "", bad);
  fail_unless (gst_wrtc_jsep_apply_answer (&oo, bd, &err) == NULL);
  fail_unless (strstr (err->message, "not the data channel"), "%s",
      err->message);
  g_clear_error (&err);
  g_free (bad);
  g_free (offer);
}

GST_END_TEST;

/* RFC 8839 section 5.1 candidate attributes: the one parser and writer */
static GstWrtcIceCandidate *
candidate_ok (const gchar * text)
{
  GError *err = NULL;
  GstWrtcIceCandidate *c = gst_wrtc_candidate_parse (text, &err), *again;
  gchar *written;

  fail_unless (c != NULL, "%s: %s", text, err ? err->message : "");
  /* written back, it reads the same */
  written = gst_wrtc_candidate_to_string (c);
  again = gst_wrtc_candidate_parse (written, &err);
  fail_unless (again != NULL, "%s: %s", written, err ? err->message : "");
  fail_unless (gst_wrtc_ice_candidate_equal (c, again), "%s", written);
  gst_wrtc_ice_candidate_free (again);
  g_free (written);
  return c;
}

GST_START_TEST (test_candidate_fields)
{
  GstWrtcIceCandidate *c, *copy;
  gchar *text;

  c = candidate_ok ("a=candidate:842163049 1 udp 1677729535 192.0.2.3 61665 "
      "typ srflx raddr 10.0.0.1 rport 61665 generation 0 ufrag EsAw "
      "network-id 1\r\n");
  fail_unless_equals_string (c->foundation, "842163049");
  fail_unless_equals_int (c->component, 1);
  fail_unless_equals_int (c->protocol, GST_WRTC_ICE_PROTOCOL_UDP);
  fail_unless_equals_int (c->priority, 1677729535);
  fail_unless_equals_string (c->address, "192.0.2.3");
  fail_unless_equals_int (c->port, 61665);
  fail_unless_equals_int (c->type, GST_WRTC_ICE_CANDIDATE_TYPE_SRFLX);
  fail_unless_equals_string (c->related_address, "10.0.0.1");
  fail_unless_equals_int (c->related_port, 61665);
  fail_unless_equals_int (c->tcp_type, GST_WRTC_ICE_TCP_TYPE_NONE);
  fail_unless_equals_int (g_strv_length (c->extensions), 6);
  fail_unless_equals_string (c->extensions[4], "network-id");
  /* the attribute value, transport in upper case as libnice wrote it */
  text = gst_wrtc_candidate_to_string (c);
  fail_unless_equals_string (text, "candidate:842163049 1 UDP 1677729535 "
      "192.0.2.3 61665 typ srflx raddr 10.0.0.1 rport 61665 generation 0 "
      "ufrag EsAw network-id 1");
  g_free (text);
  copy = gst_wrtc_ice_candidate_copy (c);
  fail_unless (gst_wrtc_ice_candidate_equal (c, copy));
  copy->related_port = 1;
  fail_if (gst_wrtc_ice_candidate_equal (c, copy));
  gst_wrtc_ice_candidate_free (copy);
  gst_wrtc_ice_candidate_free (c);

  /* RFC 6544 TCP, an IPv6 host, an mDNS name (a name: ICE's choice),
   * Chrome's "raddr 0.0.0.0 rport 0" of a hidden base */
  c = candidate_ok ("candidate:4 1 TCP 2105524479 ::1 9 typ host tcptype "
      "active");
  fail_unless_equals_int (c->protocol, GST_WRTC_ICE_PROTOCOL_TCP);
  fail_unless_equals_int (c->tcp_type, GST_WRTC_ICE_TCP_TYPE_ACTIVE);
  fail_unless_equals_string (c->address, "::1");
  fail_unless (c->related_address == NULL && c->related_port == -1);
  fail_unless (c->extensions == NULL);
  gst_wrtc_ice_candidate_free (c);
  c = candidate_ok ("  candidate:1 1 udp 2 1f4712db-ea17-4bcf-a596-"
      "105139dfd8bf.local 5000 typ host  ");
  fail_unless_equals_string (c->address,
      "1f4712db-ea17-4bcf-a596-105139dfd8bf.local");
  gst_wrtc_ice_candidate_free (c);
  c = candidate_ok ("candidate:1 1 udp 2 192.0.2.1 5 typ relay raddr 0.0.0.0 "
      "rport 0");
  fail_unless_equals_int (c->type, GST_WRTC_ICE_CANDIDATE_TYPE_RELAY);
  fail_unless_equals_int (c->related_port, 0);
  gst_wrtc_ice_candidate_free (c);

  /* W3C addIceCandidate's end of candidates */
  fail_unless (gst_wrtc_candidate_is_end_of_candidates (""));
  fail_unless (gst_wrtc_candidate_is_end_of_candidates ("end-of-candidates"));
  fail_unless (gst_wrtc_candidate_is_end_of_candidates
      ("a=end-of-candidates\r\n"));
  fail_if (gst_wrtc_candidate_is_end_of_candidates (NULL));
  fail_if (gst_wrtc_candidate_is_end_of_candidates ("candidate:1"));
}

GST_END_TEST;

GST_START_TEST (test_candidate_errors)
{
  static const gchar *const malformed[][2] = {
    {"garbage", "no \"candidate:\""},
    {"candidate:", "too few fields"},
    {"candidate:1 1 UDP 1 127.0.0.1 5000", "too few fields"},
    {"candidate:1 1 UDP 1 127.0.0.1 5000 type host", "no \"typ\""},
    {"candidate:1  1 UDP 1 127.0.0.1 5000 typ host", "one space"},
    {"candidate:f@o 1 UDP 1 127.0.0.1 5000 typ host", "bad foundation"},
    {"candidate:123456789012345678901234567890123 1 UDP 1 127.0.0.1 5000 "
          "typ host", "bad foundation"},
    {"candidate:1 0 UDP 1 127.0.0.1 5000 typ host", "bad component id"},
    {"candidate:1 257 UDP 1 127.0.0.1 5000 typ host", "bad component id"},
    {"candidate:1 1 U(P 1 127.0.0.1 5000 typ host", "bad transport"},
    {"candidate:1 1 UDP 4294967296 127.0.0.1 5000 typ host", "bad priority"},
    {"candidate:1 1 UDP +1 127.0.0.1 5000 typ host", "bad priority"},
    {"candidate:1 1 UDP 1 300.1.1.1 5000 typ host", "bad connection address"},
    {"candidate:1 1 UDP 1 ::1:: 5000 typ host", "bad connection address"},
    {"candidate:1 1 UDP 1 abc 5000 typ host", "bad connection address"},
    {"candidate:1 1 UDP 1 127.0.0.1 65536 typ host", "bad port"},
    {"candidate:1 1 UDP 1 127.0.0.1 5000 typ h\x01st", "bad candidate type"},
    {"candidate:1 1 UDP 1 127.0.0.1 5000 typ host raddr", "without a value"},
    {"candidate:1 1 UDP 1 127.0.0.1 5000 typ srflx raddr x rport 1",
        "bad raddr"},
    {"candidate:1 1 UDP 1 127.0.0.1 5000 typ srflx raddr ::1 rport -1",
        "bad rport"},
    {"candidate:1 1 TCP 1 127.0.0.1 9 typ host tcptype up", "bad tcptype"},
    {"candidate:1 1 UDP 1 127.0.0.1 5000 typ host x\xc3\xa9 1",
        "bad extension"},
    {"candidate:1 1 UDP 1 127.0.0.1 5000 typ host a\tb 1", "bad extension"},
  };
  static const gchar *const unknown[] = {
    "candidate:1 1 UDP 2130706431 127.0.0.1 5000 typ foo",
    "candidate:1 1 SCTP 2130706431 127.0.0.1 5000 typ host",
    "candidate:1 1 DCCP 2130706431 127.0.0.1 5000 typ bar",
  };
  GString *big = g_string_new ("candidate:1 1 UDP 1 127.0.0.1 5 typ host");
  GError *err = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++) {
    fail_if (gst_wrtc_candidate_parse (malformed[i][0], &err), "%s",
        malformed[i][0]);
    fail_unless (g_error_matches (err, GST_WRTC_JSEP_ERROR,
            GST_WRTC_JSEP_ERROR_MALFORMED), "%s", malformed[i][0]);
    fail_unless (strstr (err->message, malformed[i][1]) != NULL,
        "%s: %s", malformed[i][0], err->message);
    fail_unless (strstr (err->message, "RFC 8839") != NULL);
    g_clear_error (&err);
  }
  for (guint i = 0; i < G_N_ELEMENTS (unknown); i++) {
    fail_if (gst_wrtc_candidate_parse (unknown[i], &err), "%s", unknown[i]);
    fail_unless (g_error_matches (err, GST_WRTC_JSEP_ERROR,
            GST_WRTC_JSEP_ERROR_UNSUPPORTED), "%s", unknown[i]);
    g_clear_error (&err);
  }
  fail_if (gst_wrtc_candidate_parse (NULL, &err));
  g_clear_error (&err);
  while (big->len <= GST_WRTC_CANDIDATE_MAX_LEN)
    g_string_append (big, " generation 0");
  fail_if (gst_wrtc_candidate_parse (big->str, &err));
  fail_unless (strstr (err->message, "too long") != NULL);
  g_clear_error (&err);
  g_string_free (big, TRUE);
}

GST_END_TEST;

/* Every truncation and many corruptions: a candidate that writes back to
 * itself, or an error; never a crash. */
GST_START_TEST (test_candidate_every_truncation)
{
  const gchar *base = "candidate:842163049 1 udp 1677729535 192.0.2.3 "
      "61665 typ srflx raddr 10.0.0.1 rport 61665 tcptype so generation 0";
  GRand *rand = g_rand_new_with_seed (8839);
  GError *err = NULL;

  for (guint i = 0; i < 3000; i++) {
    gchar *s = g_strdup (base);
    GstWrtcIceCandidate *c;

    if (i <= strlen (base)) {
      s[i] = '\0';
    } else {
      for (guint j = g_rand_int_range (rand, 1, 4); j > 0; j--)
        s[g_rand_int_range (rand, 0, strlen (base))] =
            (gchar) g_rand_int_range (rand, 1, 256);
    }
    c = gst_wrtc_candidate_parse (s, &err);
    fail_unless ((c == NULL) == (err != NULL), "%s", s);
    if (c)
      gst_wrtc_ice_candidate_free (candidate_ok (s));
    gst_wrtc_ice_candidate_free (c);
    g_clear_error (&err);
    g_free (s);
  }
  g_rand_free (rand);
}

GST_END_TEST;

static Suite *
jsep_suite (void)
{
  Suite *s = suite_create ("jsep");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_parse_chrome);
  tcase_add_test (tc, test_answer_chrome_vp8_opus);
  tcase_add_test (tc, test_answer_h264_profile_and_mode);
  tcase_add_test (tc, test_h264_matching);
  tcase_add_test (tc, test_answer_firefox);
  tcase_add_test (tc, test_answer_no_codec);
  tcase_add_test (tc, test_answer_roles_and_receive);
  tcase_add_test (tc, test_parse_errors);
  tcase_add_test (tc, test_parse_every_truncation);
  tcase_add_test (tc, test_offer_answer_round_trip);
  tcase_add_test (tc, test_parse_datachannel);
  tcase_add_test (tc, test_parse_datachannel_limits);
  tcase_add_test (tc, test_answer_chrome_datachannel);
  tcase_add_test (tc, test_answer_firefox_media_and_data);
  tcase_add_test (tc, test_answer_data_only);
  tcase_add_test (tc, test_answer_legacy_sctpmap);
  tcase_add_test (tc, test_offer_datachannel_with_media);
  tcase_add_test (tc, test_offer_datachannel_alone);
  tcase_add_test (tc, test_apply_answer_datachannel_rejected);
  tcase_add_test (tc, test_candidate_fields);
  tcase_add_test (tc, test_candidate_errors);
  tcase_add_test (tc, test_candidate_every_truncation);
  return s;
}

GST_CHECK_MAIN (jsep);
