/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the webrtcsink plugin. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcwebrtcsink.h"
#include "gstwrtcav1pay.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  /* wrtcav1pay: webrtcsink's AV1 payloader (GStreamer 1.22 has none) */
  return gst_element_register (plugin, "webrtcsink", GST_RANK_NONE,
      GST_WRTC_TYPE_WEBRTC_SINK)
      && gst_element_register (plugin, "wrtcav1pay", GST_RANK_NONE,
      GST_WRTC_TYPE_AV1_PAY);
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, webrtcsinkbin,
    "Serves a pipeline's audio and video to browsers over WebRTC (WHEP)",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
