/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef __GST_WRTC_DTLS_ELEMENTS_H__
#define __GST_WRTC_DTLS_ELEMENTS_H__

#include <gst/gst.h>

G_BEGIN_DECLS GST_ELEMENT_REGISTER_DECLARE (dtlssrtpenc);
GST_ELEMENT_REGISTER_DECLARE (dtlssrtpdec);

G_END_DECLS
#endif
