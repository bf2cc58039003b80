/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: fuzz target for the JSEP layer's SDP parser and
 * answerer, what every WHEP viewer's and WHIP publisher's offer goes
 * through (gst_wrtc_session_desc_parse(), gst_wrtc_jsep_create_answer()),
 * and for the offerer reading a server's answer
 * (gst_wrtc_jsep_apply_answer(), webrtcsrc as a WHEP client).
 *
 * The input is the SDP text (NUL-terminated copy).  Invariants: a
 * description or an error, never both, with a message; an answer or an
 * error, never both; an answer has one negotiated m-section per offered
 * one, in order, and parses again with the same number of m-sections;
 * every accepted m-section's payload type is one the offer listed; at most
 * one data channel section is accepted, and only one that was offered.
 *
 * Needs only the JSEP layer (jsep_core_dep).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <gst/gst.h>

#include "fuzz-check.h"

#include "gstwrtcanswer.h"
#include "gstwrtcoffer.h"

/* the largest body the HTTP server accepts (GST_WRTC_HTTP_SERVER_MAX_BODY) */
#define MAX_SDP (64 * 1024)
#define FP "sha-256 0F:29:1E:5A:2B:3C:4D:5E:6F:70:81:92:A3:B4:C5:D6:" \
  "E7:F8:09:1A:2B:3C:4D:5E:6F:70:81:92:A3:B4:C5:D6"

static const GstWrtcCodecCap vp8[] = {
  {GST_WRTC_MEDIA_VIDEO, "VP8", 90000, 0, NULL},
  {GST_WRTC_MEDIA_VIDEO, "H264", 90000, 0,
      "level-asymmetry-allowed=1;packetization-mode=1;"
        "profile-level-id=42e01f"},
};

static const GstWrtcCodecCap opus[] = {
  {GST_WRTC_MEDIA_AUDIO, "OPUS", 48000, 2, "minptime=10;useinbandfec=1"},
};

static const GstWrtcCodecCap recv[] = {
  {GST_WRTC_MEDIA_VIDEO, "VP9", 90000, 0, NULL},
  {GST_WRTC_MEDIA_AUDIO, "OPUS", 48000, 2, NULL},
};

static void
fuzz_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    fuzz_check_init ();
    gst_init (NULL, NULL);
    g_once_init_leave (&done, 1);
  }
}

static void
check_error (GError * err)
{
  FUZZ_CHECK (err != NULL && err->message != NULL && err->message[0]);
  g_error_free (err);
}

/* as webrtcsink answers a viewer: a video and an audio track */
static void
answer_offer (const GstWrtcSessionDesc * offer, gboolean data)
{
  GstWrtcLocalTrack tracks[] = {
    {GST_WRTC_MEDIA_VIDEO, vp8, G_N_ELEMENTS (vp8), "s", "v", 1111, 2222},
    {GST_WRTC_MEDIA_AUDIO, opus, 1, "s", "a", 3333, 0},
  };
  const gchar *cands[] = { "candidate:1 1 udp 2122260223 127.0.0.1 50000 "
        "typ host", NULL
  };
  GstWrtcAnswerOptions o;
  GstWrtcAnswer *answer;
  GstWrtcSessionDesc *again;
  GError *err = NULL;
  guint i;

  memset (&o, 0, sizeof (o));
  o.ice_ufrag = "fuzz";
  o.ice_pwd = "fuzzfuzzfuzzfuzzfuzzfuzz";
  o.fingerprint = FP;
  o.session_id = 1;
  o.session_version = 1;
  o.cname = "fuzz";
  o.tracks = tracks;
  o.n_tracks = G_N_ELEMENTS (tracks);
  /* and what webrtcsrc receives, for recvonly/sendrecv sections */
  o.recv_codecs = recv;
  o.n_recv_codecs = G_N_ELEMENTS (recv);
  o.rtcp_fb = GST_WRTC_RTCP_FB_NACK | GST_WRTC_RTCP_FB_PLI |
      GST_WRTC_RTCP_FB_FIR | GST_WRTC_RTCP_FB_TWCC;
  o.use_twcc_extmap = TRUE;
  o.candidates = cands;
  o.end_of_candidates = TRUE;
  /* and as a peer with data channels (RFC 8841) */
  o.datachannel = data;
  o.max_message_size = 262144;

  answer = gst_wrtc_jsep_create_answer (offer, &o, &err);
  FUZZ_CHECK ((answer == NULL) == (err != NULL));
  if (!answer) {
    check_error (err);
    return;
  }
  FUZZ_CHECK (answer->sdp != NULL && g_str_has_prefix (answer->sdp, "v=0"));
  FUZZ_CHECK (answer->media->len == offer->media->len);
  for (i = 0; i < answer->media->len; i++) {
    const GstWrtcNegotiatedMedia *n = g_ptr_array_index (answer->media, i);
    const GstWrtcMediaDesc *m = g_ptr_array_index (offer->media, i);
    FUZZ_CHECK (n->index == i);
    /* one data channel, the answer's, only where one was offered */
    FUZZ_CHECK (n->datachannel == (answer->datachannel == (gint) i));
    if (n->rejected)
      continue;
    if (n->datachannel) {
      FUZZ_CHECK (data && m->datachannel);
      FUZZ_CHECK (n->remote_sctp_port == m->sctp_port);
      FUZZ_CHECK (n->remote_sctp_port > 0 && n->local_sctp_port == 5000);
      continue;
    }
    /* RFC 8829 section 5.3.1: payload types come from the offer */
    FUZZ_CHECK (gst_wrtc_media_desc_find_codec (m, n->codec.pt) != NULL);
    FUZZ_CHECK (n->track < (gint) G_N_ELEMENTS (tracks));
  }
  /* what we write, we read */
  again = gst_wrtc_session_desc_parse (answer->sdp, &err);
  if (!again)
    fprintf (stderr, "our answer does not parse: %s\n%s", err->message,
        answer->sdp);
  FUZZ_CHECK (again != NULL);
  FUZZ_CHECK (again->media->len == answer->media->len);
  gst_wrtc_session_desc_free (again);
  gst_wrtc_answer_free (answer);
}

/* as webrtcsrc reads a WHEP server's answer to its offer */
static void
apply_as_answer (const GstWrtcSessionDesc * desc, gboolean data)
{
  GstWrtcOfferMedia media[] = {
    {GST_WRTC_MEDIA_VIDEO, GST_WRTC_DIRECTION_RECVONLY, vp8,
        G_N_ELEMENTS (vp8), NULL},
    {GST_WRTC_MEDIA_AUDIO, GST_WRTC_DIRECTION_RECVONLY, opus, 1, NULL},
  };
  GstWrtcOfferOptions o;
  GstWrtcAnswer *neg;
  GError *err = NULL;

  memset (&o, 0, sizeof (o));
  o.ice_ufrag = "fuzz";
  o.ice_pwd = "fuzzfuzzfuzzfuzzfuzzfuzz";
  o.fingerprint = FP;
  o.session_id = 1;
  o.session_version = 1;
  o.cname = "fuzz";
  o.media = media;
  o.n_media = G_N_ELEMENTS (media);
  o.rtcp_fb = GST_WRTC_RTCP_FB_NACK | GST_WRTC_RTCP_FB_PLI;
  o.use_twcc_extmap = TRUE;
  o.datachannel = data;

  neg = gst_wrtc_jsep_apply_answer (&o, desc, &err);
  FUZZ_CHECK ((neg == NULL) == (err != NULL));
  if (!neg) {
    check_error (err);
    return;
  }
  FUZZ_CHECK (neg->media->len == G_N_ELEMENTS (media) + (data ? 1 : 0));
  FUZZ_CHECK (neg->datachannel == -1 || (data
          && neg->datachannel == (gint) G_N_ELEMENTS (media)));
  gst_wrtc_answer_free (neg);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  GstWrtcSessionDesc *desc;
  GError *err = NULL;
  gchar *text;

  if (size > MAX_SDP)
    return 0;
  fuzz_init ();

  text = g_strndup ((const gchar *) data, size);
  desc = gst_wrtc_session_desc_parse (text, &err);
  FUZZ_CHECK ((desc == NULL) == (err != NULL));
  if (!desc) {
    check_error (err);
    g_free (text);
    return 0;
  }
  answer_offer (desc, FALSE);
  for (guint i = 0; i < desc->media->len; i++) {
    if (((GstWrtcMediaDesc *) g_ptr_array_index (desc->media, i))->datachannel) {
      answer_offer (desc, TRUE);
      break;
    }
  }
  /* an answer to our two media sections, or to them and a data channel */
  apply_as_answer (desc, desc->media->len == 3);
  gst_wrtc_session_desc_free (desc);
  g_free (text);
  return 0;
}
