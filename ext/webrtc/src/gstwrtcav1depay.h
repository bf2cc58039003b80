/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: wrtcav1depay, RTP packets into AV1 temporal
 * units. */
#ifndef __GST_WRTC_AV1_DEPAY_H__
#define __GST_WRTC_AV1_DEPAY_H__

#include <gst/gst.h>
#include <gst/rtp/gstrtpbasedepayload.h>

G_BEGIN_DECLS
#define GST_WRTC_TYPE_AV1_DEPAY (gst_wrtc_av1_depay_get_type ())
G_DECLARE_FINAL_TYPE (GstWrtcAv1Depay, gst_wrtc_av1_depay, GST_WRTC,
    AV1_DEPAY, GstRTPBaseDepayload);

GST_ELEMENT_REGISTER_DECLARE (wrtcav1depay);

G_END_DECLS
#endif
