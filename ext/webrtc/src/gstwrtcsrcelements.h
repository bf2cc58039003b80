/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the elements of the webrtcsrcbin plugin. */
#ifndef __GST_WRTC_SRC_ELEMENTS_H__
#define __GST_WRTC_SRC_ELEMENTS_H__

#include <gst/gst.h>

G_BEGIN_DECLS GST_ELEMENT_REGISTER_DECLARE (webrtcsrc);

G_END_DECLS
#endif
