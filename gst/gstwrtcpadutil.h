/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small helpers the elements share for their source pads. */
#ifndef __GST_WRTC_PAD_UTIL_H__
#define __GST_WRTC_PAD_UTIL_H__

#include <gst/gst.h>

G_BEGIN_DECLS
/* Pushes stream-start, @caps (when not NULL) and a TIME segment on @pad,
 * in that order, unless it has them. */
void gst_wrtc_pad_ensure_sticky (GstPad * pad, GstElement * element,
    GstCaps * caps);

G_END_DECLS
#endif
