/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the webrtcsrc plugin. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcsrcelements.h"
#include "gstwrtcav1depay.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  /* wrtcav1depay: webrtcsrc's AV1 depayloader (GStreamer 1.22 has none) */
  return GST_ELEMENT_REGISTER (webrtcsrc, plugin)
      && GST_ELEMENT_REGISTER (wrtcav1depay, plugin);
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, webrtcsrcbin,
    "Receives audio and video over WebRTC (WHEP client, WHIP server)",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
