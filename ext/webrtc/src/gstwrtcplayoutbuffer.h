/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the jitterbuffer webrtcsrc gives rtpbin when its
 * latency is 0 (see gstwrtcplayoutbuffer.c). */
#ifndef __GST_WRTC_PLAYOUT_BUFFER_H__
#define __GST_WRTC_PLAYOUT_BUFFER_H__

#include <gst/gst.h>

G_BEGIN_DECLS
#define GST_TYPE_WRTC_PLAYOUT_BUFFER (gst_wrtc_playout_buffer_get_type ())
G_DECLARE_FINAL_TYPE (GstWrtcPlayoutBuffer, gst_wrtc_playout_buffer,
    GST, WRTC_PLAYOUT_BUFFER, GstElement);

G_END_DECLS
#endif /* __GST_WRTC_PLAYOUT_BUFFER_H__ */
