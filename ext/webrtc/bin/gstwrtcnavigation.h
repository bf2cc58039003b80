/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: navigation events a viewer sends on its data channel
 * labelled "input" (webrtcsink's enable-navigation), as JSON, one object
 * per message:
 *
 *   {"event": "mouse-move", "x": 10.5, "y": 20}
 *   {"event": "mouse-button-press", "button": 1, "x": 10, "y": 20}
 *   {"event": "mouse-button-release", "button": 1, "x": 10, "y": 20}
 *   {"event": "mouse-scroll", "x": 10, "y": 20, "delta_x": 0, "delta_y": -1}
 *   {"event": "key-press", "key": "a"}
 *   {"event": "key-release", "key": "Return"}
 *
 * The event names are GstNavigation's; its CamelCase forms ("MouseMove",
 * "KeyPress", ...) and gst-plugins-rs's wrapper {"type":
 * "navigationEvent", "event": {...}} are accepted too.  Coordinates are
 * in the video's pixels; "modifier_state" (GstNavigationModifierType
 * bits) is optional.  This is the one reader of that grammar; it has a
 * fuzz target (tests/fuzzing/fuzz-navigation.c).
 */
#ifndef __GST_WRTC_NAVIGATION_H__
#define __GST_WRTC_NAVIGATION_H__

#include <gst/gst.h>

/* the longest message read */
#define GST_WRTC_NAVIGATION_MAX_LEN 4096

G_BEGIN_DECLS
/* A GstNavigation upstream event of @json (@len bytes, not necessarily
 * NUL-terminated), or NULL with @error set (G_IO_ERROR_INVALID_DATA) for
 * anything else. */
    GstEvent * gst_wrtc_navigation_event_from_json (const gchar * json,
    gsize len, GError ** error);

G_END_DECLS
#endif
