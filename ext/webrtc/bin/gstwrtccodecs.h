/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the one codec table both bins use.
 *
 * Per codec: its name in the video-codecs/audio-codecs properties and in
 * the SDP, its RTP clock and fmtp, how webrtcsink encodes raw input to it
 * and payloads it, and how webrtcsrc depayloads, parses and decodes it.
 * A new codec is one row here (and, where GStreamer lacks one, a
 * payloader or depayloader of ours).
 */
#ifndef __GST_WRTC_CODECS_H__
#define __GST_WRTC_CODECS_H__

#include <gst/gst.h>
#include "gstwrtcpeer.h"

G_BEGIN_DECLS typedef struct
{
  const gchar *name;            /* VP8, H264, VP9, AV1, OPUS */
  GstWrtcMediaKind kind;
  guint clock_rate, channels;
  const gchar *fmtp;            /* what our encoder produces */
  const gchar *recv_fmtp;       /* what we offer to receive */
  const gchar *media_type;      /* its encoded caps: "video/x-vp8" */
  /* sending */
  const gchar *encoder;
  const gchar *payloader;
  /* receiving: the parser decode=false outputs through (NULL: the
   * depayloader's output is parsed already); @parse_to_decode: the
   * decoders want it parsed too */
  const gchar *depayloader;
  const gchar *parser;
  gboolean parse_to_decode;
  const gchar *decoders[3];     /* preference order */
} GstWrtcCodecInfo;

/* The codec named @name (case-insensitive) of @kind, or NULL. */
const GstWrtcCodecInfo *gst_wrtc_codec_info_by_name (GstWrtcMediaKind kind,
    const gchar * name);
/* The codec whose encoded caps are @s, or NULL. */
const GstWrtcCodecInfo *gst_wrtc_codec_info_for_caps (const GstStructure * s);

/* RFC 6184 section 8.1 fmtp of encoded H.264 input from its caps
 * (h264parse's profile and level); Constrained Baseline 3.1 when they do
 * not say.  Transfer full. */
gchar *gst_wrtc_codec_info_h264_fmtp (const GstStructure * s);
/* The fmtp we send encoded input of @codec with (caps @s, NULL for our
 * own encoders).  Transfer full, may be NULL. */
gchar *gst_wrtc_codec_info_fmtp_for_caps (const GstWrtcCodecInfo * codec,
    const GstStructure * s);

/* What we offer or answer to receive, for the codecs @names of @kind in
 * that order (unknown names and other kinds skipped): one entry per
 * codec, H.264 once per profile our decoders take.  *@n entries; the
 * strings are static.  Transfer full (g_free). */
GstWrtcCodecCap *gst_wrtc_codecs_recv_caps (gchar ** names,
    GstWrtcMediaKind kind, guint * n);

/* TRUE when the element factory @name is installed. */
gboolean gst_wrtc_have_element (const gchar * name);
/* Makes a @factory element, adds a ref to @chain, or sets @error
 * (GST_CORE_ERROR_MISSING_PLUGIN) and returns NULL. */
GstElement *gst_wrtc_make_element (GPtrArray * chain, const gchar * factory,
    GError ** error);

G_END_DECLS
#endif
