/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the webrtcsink plugin. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcsinkelements.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ret = FALSE;

  ret |= GST_ELEMENT_REGISTER (webrtcsink, plugin);
  /* webrtcsink's AV1 payloader (GStreamer 1.22 has none) */
  ret |= GST_ELEMENT_REGISTER (wrtcav1pay, plugin);
  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, webrtcsinkbin,
    "Serves a pipeline's audio and video to browsers over WebRTC (WHEP)",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
