/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: webrtcsink, a bin that serves its inputs to browsers. */
#ifndef __GST_WRTC_WEBRTC_SINK_H__
#define __GST_WRTC_WEBRTC_SINK_H__

#include <gst/gst.h>

G_BEGIN_DECLS
#define GST_WRTC_TYPE_WEBRTC_SINK (gst_wrtc_webrtc_sink_get_type ())
G_DECLARE_FINAL_TYPE (GstWrtcWebrtcSink, gst_wrtc_webrtc_sink, GST_WRTC,
    WEBRTC_SINK, GstBin);

G_END_DECLS
#endif
