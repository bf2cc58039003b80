/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcbinstates.h"

#define TO GST_WRTC_FSM_TO

static const gchar *const viewer_names[] = {
  "negotiating", "live", "closing", "closed"
};

static const guint32 viewer_edges[] = {
  [GST_WRTC_VIEWER_NEGOTIATING] = TO (GST_WRTC_VIEWER_LIVE)
      | TO (GST_WRTC_VIEWER_CLOSING),
  [GST_WRTC_VIEWER_LIVE] = TO (GST_WRTC_VIEWER_CLOSING),
  [GST_WRTC_VIEWER_CLOSING] = TO (GST_WRTC_VIEWER_CLOSED),
  [GST_WRTC_VIEWER_CLOSED] = 0,
};

static const GstWrtcFsm viewer_fsm = {
  "viewer", NULL, G_N_ELEMENTS (viewer_names), viewer_names, viewer_edges
};

const GstWrtcFsm *
gst_wrtc_viewer_state_machine (void)
{
  return &viewer_fsm;
}

static const gchar *const source_session_names[] = { "new", "live", "ended" };

static const guint32 source_session_edges[] = {
  [GST_WRTC_SOURCE_SESSION_NEW] = TO (GST_WRTC_SOURCE_SESSION_LIVE)
      | TO (GST_WRTC_SOURCE_SESSION_ENDED),
  [GST_WRTC_SOURCE_SESSION_LIVE] = TO (GST_WRTC_SOURCE_SESSION_ENDED),
  [GST_WRTC_SOURCE_SESSION_ENDED] = 0,
};

static const GstWrtcFsm source_session_fsm = {
  "session", NULL, G_N_ELEMENTS (source_session_names), source_session_names,
  source_session_edges
};

const GstWrtcFsm *
gst_wrtc_source_session_state_machine (void)
{
  return &source_session_fsm;
}
