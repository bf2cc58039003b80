/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: fuzz target for
 * gst_wrtc_navigation_event_from_json(), the one reader of the navigation
 * events a viewer sends on its "input" data channel (webrtcsink's
 * enable-navigation): any bytes a browser, or anyone holding a viewer
 * session, can send.
 *
 * The input is one message.  Invariants: an event or an error, never
 * both, the error G_IO_ERROR_INVALID_DATA; an event is an upstream
 * GstNavigation event of one of the six kinds read, its coordinates and
 * deltas finite and within +-1e6, a button 1-9, a key non-empty valid
 * UTF-8 of at most 64 bytes.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <stdint.h>
#include <string.h>
#include <gio/gio.h>
#include <gst/gst.h>
#include <gst/video/navigation.h>

#include "fuzz-check.h"

#include "gstwrtcnavigation.h"

static void
check_coord (gdouble v)
{
  FUZZ_CHECK (isfinite (v) && fabs (v) <= 1e6);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  static gsize inited = 0;
  GError *err = NULL;
  GstEvent *ev;
  gdouble x, y, dx, dy;
  const gchar *key;
  gint button;

  fuzz_check_init ();
  if (g_once_init_enter (&inited)) {
    gst_init (NULL, NULL);
    g_once_init_leave (&inited, 1);
  }

  ev = gst_wrtc_navigation_event_from_json ((const gchar *) data, size, &err);
  FUZZ_CHECK ((ev == NULL) == (err != NULL));
  if (!ev) {
    FUZZ_CHECK (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_INVALID_DATA));
    g_error_free (err);
    return 0;
  }
  FUZZ_CHECK (size <= GST_WRTC_NAVIGATION_MAX_LEN);
  FUZZ_CHECK (GST_EVENT_TYPE (ev) == GST_EVENT_NAVIGATION);
  FUZZ_CHECK (GST_EVENT_IS_UPSTREAM (ev));
  switch (gst_navigation_event_get_type (ev)) {
    case GST_NAVIGATION_EVENT_MOUSE_MOVE:
      FUZZ_CHECK (gst_navigation_event_parse_mouse_move_event (ev, &x, &y));
      check_coord (x);
      check_coord (y);
      break;
    case GST_NAVIGATION_EVENT_MOUSE_BUTTON_PRESS:
    case GST_NAVIGATION_EVENT_MOUSE_BUTTON_RELEASE:
      FUZZ_CHECK (gst_navigation_event_parse_mouse_button_event (ev, &button,
              &x, &y));
      FUZZ_CHECK (button >= 1 && button <= 9);
      check_coord (x);
      check_coord (y);
      break;
    case GST_NAVIGATION_EVENT_MOUSE_SCROLL:
      FUZZ_CHECK (gst_navigation_event_parse_mouse_scroll_event (ev, &x, &y,
              &dx, &dy));
      check_coord (x);
      check_coord (y);
      check_coord (dx);
      check_coord (dy);
      break;
    case GST_NAVIGATION_EVENT_KEY_PRESS:
    case GST_NAVIGATION_EVENT_KEY_RELEASE:
      FUZZ_CHECK (gst_navigation_event_parse_key_event (ev, &key));
      FUZZ_CHECK (key && *key && strlen (key) <= 64);
      FUZZ_CHECK (g_utf8_validate (key, -1, NULL));
      break;
    default:
      FUZZ_CHECK (!"an event of a kind the reader does not make");
  }
  gst_event_unref (ev);
  return 0;
}
