/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcpadutil.h"

void
gst_wrtc_pad_ensure_sticky (GstPad * pad, GstElement * element, GstCaps * caps)
{
  GstEvent *ev;
  GstSegment segment;
  gchar *id;

  ev = gst_pad_get_sticky_event (pad, GST_EVENT_STREAM_START, 0);
  if (ev) {
    gst_event_unref (ev);
  } else {
    /* gst_pad_create_stream_id() refuses elements with several sink
     * pads (an encoder with rtp and rtcp inputs) */
    if (element->numsinkpads <= 1)
      id = gst_pad_create_stream_id (pad, element, GST_PAD_NAME (pad));
    else
      id = g_strdup_printf ("%08x%08x%08x%08x/%s", g_random_int (),
          g_random_int (), g_random_int (), g_random_int (),
          GST_PAD_NAME (pad));
    ev = gst_event_new_stream_start (id);
    gst_event_set_group_id (ev, gst_util_group_id_next ());
    gst_pad_push_event (pad, ev);
    g_free (id);
  }
  if (caps)
    gst_pad_push_event (pad, gst_event_new_caps (caps));
  ev = gst_pad_get_sticky_event (pad, GST_EVENT_SEGMENT, 0);
  if (ev) {
    gst_event_unref (ev);
  } else {
    gst_segment_init (&segment, GST_FORMAT_TIME);
    gst_pad_push_event (pad, gst_event_new_segment (&segment));
  }
}
