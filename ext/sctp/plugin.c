/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the data-channel plugin.  Named "sctpdc" so it never
 * collides with gst-plugins-bad's "sctp" plugin. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcsctpdatachannel.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  return GST_ELEMENT_REGISTER (sctpdatachannel, plugin);
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, sctpdc,
    "WebRTC data channels (RFC 8831/8832) over SCTP over DTLS, on usrsctp",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
