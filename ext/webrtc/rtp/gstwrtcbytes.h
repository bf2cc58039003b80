/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network byte order reads and writes for the RTP layer (GLib only). */
#ifndef __GST_WRTC_BYTES_H__
#define __GST_WRTC_BYTES_H__

#include <glib.h>

static inline guint16
gst_wrtc_rd16 (const guint8 * p)
{
  return (p[0] << 8) | p[1];
}

static inline guint32
gst_wrtc_rd32 (const guint8 * p)
{
  return ((guint32) p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

static inline void
gst_wrtc_wr16 (guint8 * p, guint16 v)
{
  p[0] = v >> 8;
  p[1] = v;
}

static inline void
gst_wrtc_wr32 (guint8 * p, guint32 v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

#endif
