/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: webrtcsrc, a bin that receives WebRTC media. */
#ifndef __GST_WRTC_WEBRTC_SRC_H__
#define __GST_WRTC_WEBRTC_SRC_H__

#include <gst/gst.h>

G_BEGIN_DECLS
#define GST_WRTC_TYPE_WEBRTC_SRC (gst_wrtc_webrtc_src_get_type ())
G_DECLARE_FINAL_TYPE (GstWrtcWebrtcSrc, gst_wrtc_webrtc_src, GST_WRTC,
    WEBRTC_SRC, GstBin);

G_END_DECLS
#endif
