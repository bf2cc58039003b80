/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: comma-separated list properties ("turn-servers",
 * "video-codecs", "local-addresses") to and from string vectors. */
#ifndef __GST_WRTC_LIST_H__
#define __GST_WRTC_LIST_H__

#include <glib.h>

G_BEGIN_DECLS
/* "a, b,,c " -> {"a", "b", "c"}: items trimmed, empty ones dropped; NULL
 * for NULL, "" or nothing but commas and blanks. */
    gchar ** gst_wrtc_list_split (const gchar * s);
/* {"a", "b"} -> "a,b"; NULL for NULL. */
gchar *gst_wrtc_list_join (gchar ** list);

G_END_DECLS
#endif
