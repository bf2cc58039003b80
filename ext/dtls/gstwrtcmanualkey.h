/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the manual-keying properties dtlssrtpenc and
 * dtlssrtpdec share with gst-plugins-bad's elements of the same names
 * (key, srtp-cipher, srtp-auth, srtcp-cipher, srtcp-auth). */
#ifndef __GST_WRTC_MANUAL_KEY_H__
#define __GST_WRTC_MANUAL_KEY_H__

#include <gst/gst.h>
#include "gstwrtcdtlssrtptransport.h"

G_BEGIN_DECLS
#define GST_WRTC_MANUAL_KEY_N_PROPS 5
    typedef struct
{
  GstBuffer *key;
  gchar *srtp_cipher, *srtp_auth, *srtcp_cipher, *srtcp_auth;
} GstWrtcManualKey;

/* Installs the five properties with ids first_id .. first_id + 4. */
void gst_wrtc_manual_key_install_properties (GObjectClass * klass,
    guint first_id);
/* Called with the element's object lock held. */
void gst_wrtc_manual_key_set_property (GstWrtcManualKey * mk, guint index,
    const GValue * value);
void gst_wrtc_manual_key_get_property (GstWrtcManualKey * mk, guint index,
    GValue * value);
void gst_wrtc_manual_key_clear (GstWrtcManualKey * mk);
/* TRUE when any of the properties is set: DTLS is then disabled. */
gboolean gst_wrtc_manual_key_is_set (const GstWrtcManualKey * mk);
gboolean gst_wrtc_manual_key_apply (const GstWrtcManualKey * mk,
    GstWrtcDtlsSrtpTransport * t, gboolean outbound, GError ** error);
/* READY->PAUSED for an element: decides *manual_mode under the element's
 * object lock and keys the transport when it is set. */
gboolean gst_wrtc_manual_key_start (GstObject * element,
    const GstWrtcManualKey * mk, GstWrtcDtlsSrtpTransport * t,
    gboolean outbound, gboolean * manual_mode, GError ** error);

G_END_DECLS
#endif
