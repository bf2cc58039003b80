/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: wrtcav1pay, AV1 temporal units into RTP packets. */
#ifndef __GST_WRTC_AV1_PAY_H__
#define __GST_WRTC_AV1_PAY_H__

#include <gst/gst.h>
#include <gst/rtp/gstrtpbasepayload.h>

G_BEGIN_DECLS
#define GST_WRTC_TYPE_AV1_PAY (gst_wrtc_av1_pay_get_type ())
G_DECLARE_FINAL_TYPE (GstWrtcAv1Pay, gst_wrtc_av1_pay, GST_WRTC, AV1_PAY,
    GstRTPBasePayload);

G_END_DECLS
#endif
