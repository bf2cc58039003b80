/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef __GST_WRTC_DTLS_SRTP_DEC_H__
#define __GST_WRTC_DTLS_SRTP_DEC_H__

#include <gst/gst.h>

G_BEGIN_DECLS
#define GST_WRTC_TYPE_DTLS_SRTP_DEC (gst_wrtc_dtls_srtp_dec_get_type ())
G_DECLARE_FINAL_TYPE (GstWrtcDtlsSrtpDec, gst_wrtc_dtls_srtp_dec, GST_WRTC,
    DTLS_SRTP_DEC, GstElement);

GST_ELEMENT_REGISTER_DECLARE (dtlssrtpdec);

G_END_DECLS
#endif
