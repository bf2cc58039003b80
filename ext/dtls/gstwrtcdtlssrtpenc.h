/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef __GST_WRTC_DTLS_SRTP_ENC_H__
#define __GST_WRTC_DTLS_SRTP_ENC_H__

#include <gst/gst.h>

G_BEGIN_DECLS
#define GST_WRTC_TYPE_DTLS_SRTP_ENC (gst_wrtc_dtls_srtp_enc_get_type ())
G_DECLARE_FINAL_TYPE (GstWrtcDtlsSrtpEnc, gst_wrtc_dtls_srtp_enc, GST_WRTC,
    DTLS_SRTP_ENC, GstElement);

GST_ELEMENT_REGISTER_DECLARE (dtlssrtpenc);

G_END_DECLS
#endif
