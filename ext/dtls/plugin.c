/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the DTLS-SRTP plugin.  Named "dtlssrtp" so it never
 * collides with gst-plugins-bad's "dtls" and "srtp" plugins. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcdtlselements.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ret = FALSE;

  ret |= GST_ELEMENT_REGISTER (dtlssrtpenc, plugin);
  ret |= GST_ELEMENT_REGISTER (dtlssrtpdec, plugin);
  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, dtlssrtp,
    "DTLS-SRTP (RFC 5764) with OpenSSL and libsrtp2, for WebRTC",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
