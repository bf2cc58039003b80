/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include "gstwrtccodecs.h"

#define H264_FMTP(plid) \
  "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=" plid

static const GstWrtcCodecInfo codecs[] = {
  {"VP8", GST_WRTC_MEDIA_VIDEO, 90000, 0, NULL, NULL, "video/x-vp8", "vp8enc",
        "rtpvp8pay", "rtpvp8depay", NULL, FALSE,
      {"vp8dec", NULL}},
  /* RFC 6184 section 8.1: Constrained Baseline, level 3.1, FU-A/STAP-A */
  {"H264", GST_WRTC_MEDIA_VIDEO, 90000, 0, H264_FMTP ("42e01f"),
        H264_FMTP ("42e01f"), "video/x-h264", "openh264enc", "rtph264pay",
        "rtph264depay",
        "h264parse", TRUE,
      {"avdec_h264", "openh264dec", NULL}},
  {"VP9", GST_WRTC_MEDIA_VIDEO, 90000, 0, "profile-id=0", NULL, "video/x-vp9",
        "vp9enc", "rtpvp9pay", "rtpvp9depay", "vp9parse", FALSE,
      {"vp9dec", NULL}},
  /* AOM "RTP Payload Format For AV1" section 7.2: no parameter needed,
   * profile 0 (Main, 4:2:0) by default; GStreamer 1.22 has neither
   * payloader nor depayloader: wrtcav1pay and wrtcav1depay are ours */
  {"AV1", GST_WRTC_MEDIA_VIDEO, 90000, 0, NULL, NULL, "video/x-av1", "av1enc",
        "wrtcav1pay", "wrtcav1depay", "av1parse", TRUE,
      {"av1dec", NULL}},
  /* RFC 7587 section 7 */
  {"OPUS", GST_WRTC_MEDIA_AUDIO, 48000, 2, "minptime=10;useinbandfec=1",
        "minptime=10;useinbandfec=1", "audio/x-opus", "opusenc", "rtpopuspay",
        "rtpopusdepay", "opusparse",
        FALSE,
      {"opusdec", NULL}},
};

/* RFC 6184 section 8.1 profile-level-id we receive: constrained baseline
 * and baseline first (openh264dec decodes those), then main and high
 * (libav's decoder) */
static const gchar *const h264_profiles[] = {
  H264_FMTP ("42e01f"), H264_FMTP ("42001f"), H264_FMTP ("4d001f"),
  H264_FMTP ("64001f"),
};

const GstWrtcCodecInfo *
gst_wrtc_codec_info_by_name (GstWrtcMediaKind kind, const gchar * name)
{
  guint i;

  for (i = 0; name && i < G_N_ELEMENTS (codecs); i++)
    if (codecs[i].kind == kind && !g_ascii_strcasecmp (codecs[i].name, name))
      return &codecs[i];
  return NULL;
}

const GstWrtcCodecInfo *
gst_wrtc_codec_info_for_caps (const GstStructure * s)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (codecs); i++)
    if (gst_structure_has_name (s, codecs[i].media_type))
      return &codecs[i];
  return NULL;
}

gchar *
gst_wrtc_codec_info_h264_fmtp (const GstStructure * s)
{
  static const struct
  {
    const gchar *name;
    guint idc, iop;
  } profiles[] = {
    {"constrained-baseline", 0x42, 0xe0}, {"baseline", 0x42, 0x00},
    {"main", 0x4d, 0x00}, {"constrained-high", 0x64, 0x0c},
    {"high", 0x64, 0x00},
  };
  const gchar *profile = gst_structure_get_string (s, "profile");
  const gchar *level = gst_structure_get_string (s, "level");
  guint idc = 0x42, iop = 0xe0, level_idc = 0x1f, i;

  for (i = 0; profile && i < G_N_ELEMENTS (profiles); i++) {
    if (!strcmp (profile, profiles[i].name)) {
      idc = profiles[i].idc;
      iop = profiles[i].iop;
    }
  }
  /* "3.1" is level_idc 31; "1b" is not expressible here */
  if (level && g_ascii_isdigit (level[0])) {
    level_idc = (level[0] - '0') * 10;
    if (level[1] == '.' && g_ascii_isdigit (level[2]))
      level_idc += level[2] - '0';
  }
  return g_strdup_printf ("level-asymmetry-allowed=1;packetization-mode=1;"
      "profile-level-id=%02x%02x%02x", idc, iop, level_idc);
}

gchar *
gst_wrtc_codec_info_fmtp_for_caps (const GstWrtcCodecInfo * codec,
    const GstStructure * s)
{
  const gchar *vp9_profile;

  if (s && !strcmp (codec->name, "H264"))
    return gst_wrtc_codec_info_h264_fmtp (s);
  /* RFC 9628 section 6: profile-id */
  if (s && !strcmp (codec->name, "VP9")
      && (vp9_profile = gst_structure_get_string (s, "profile")))
    return g_strdup_printf ("profile-id=%s", vp9_profile);
  return g_strdup (codec->fmtp);
}

GstWrtcCodecCap *
gst_wrtc_codecs_recv_caps (gchar ** names, GstWrtcMediaKind kind, guint * n)
{
  GstWrtcCodecCap *caps;
  guint i, count = 0;

  caps = g_new0 (GstWrtcCodecCap, names ? (g_strv_length (names) +
          G_N_ELEMENTS (h264_profiles)) + 1 : 1);
  for (i = 0; names && names[i]; i++) {
    const GstWrtcCodecInfo *c = gst_wrtc_codec_info_by_name (kind, names[i]);
    guint j, variants = 1;
    if (!c)
      continue;
    /* H.264: every profile our decoder takes, in the publisher's terms
     * (OBS, ffmpeg and browsers offer different ones) */
    if (!strcmp (c->name, "H264"))
      variants = gst_wrtc_have_element ("avdec_h264") ?
          G_N_ELEMENTS (h264_profiles) : 2;
    for (j = 0; j < variants; j++) {
      caps[count].kind = kind;
      caps[count].encoding = c->name;
      caps[count].clock_rate = c->clock_rate;
      caps[count].channels = c->channels;
      caps[count].fmtp = variants > 1 ? h264_profiles[j] : c->recv_fmtp;
      count++;
    }
  }
  *n = count;
  return caps;
}

gboolean
gst_wrtc_have_element (const gchar * name)
{
  GstElementFactory *f = gst_element_factory_find (name);

  if (!f)
    return FALSE;
  gst_object_unref (f);
  return TRUE;
}

GstElement *
gst_wrtc_make_element (GPtrArray * chain, const gchar * factory,
    GError ** error)
{
  GstElement *e = gst_element_factory_make (factory, NULL);

  if (!e) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
        "element '%s' is missing", factory);
    return NULL;
  }
  g_ptr_array_add (chain, gst_object_ref_sink (e));
  return e;
}
