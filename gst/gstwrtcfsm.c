/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcfsm.h"

GST_DEBUG_CATEGORY_STATIC (gst_wrtc_fsm_debug);

static GstDebugCategory *
fsm_category (const GstWrtcFsm * fsm)
{
  if (fsm->category && *fsm->category)
    return *fsm->category;
  if (g_once_init_enter (&gst_wrtc_fsm_debug)) {
    GstDebugCategory *cat = _gst_debug_category_new ("wrtcfsm", 0,
        "gst-plugins-webrtc state machines");
    g_once_init_leave (&gst_wrtc_fsm_debug, cat);
  }
  return gst_wrtc_fsm_debug;
}

gboolean
gst_wrtc_fsm_is_legal (const GstWrtcFsm * fsm, guint from, guint to)
{
  g_return_val_if_fail (fsm != NULL, FALSE);

  if (from >= fsm->n_states || to >= fsm->n_states || from == to)
    return FALSE;
  return (fsm->edges[from] & GST_WRTC_FSM_TO (to)) != 0;
}

const gchar *
gst_wrtc_fsm_state_name (const GstWrtcFsm * fsm, guint s)
{
  return s < fsm->n_states ? fsm->names[s] : "invalid";
}

gboolean
gst_wrtc_fsm_transition (const GstWrtcFsm * fsm, gpointer object,
    const gchar * who, guint from, guint to)
{
  GstDebugCategory *cat = fsm_category (fsm);
  GObject *obj = object ? G_OBJECT (object) : NULL;

  if (from == to) {
    GST_CAT_DEBUG_OBJECT (cat, obj, "%s%s%s: already %s", fsm->name,
        who ? " " : "", who ? who : "", gst_wrtc_fsm_state_name (fsm, to));
    return FALSE;
  }
  if (!gst_wrtc_fsm_is_legal (fsm, from, to)) {
    GST_CAT_WARNING_OBJECT (cat, obj, "%s%s%s: refusing illegal %s -> %s",
        fsm->name, who ? " " : "", who ? who : "",
        gst_wrtc_fsm_state_name (fsm, from), gst_wrtc_fsm_state_name (fsm, to));
    return FALSE;
  }
  GST_CAT_INFO_OBJECT (cat, obj, "%s%s%s: %s -> %s", fsm->name,
      who ? " " : "", who ? who : "", gst_wrtc_fsm_state_name (fsm, from),
      gst_wrtc_fsm_state_name (fsm, to));
  return TRUE;
}

void
gst_wrtc_fsm_foreach_illegal (const GstWrtcFsm * fsm, GstWrtcFsmEdgeFunc func,
    gpointer user_data)
{
  guint from, to;

  for (from = 0; from < fsm->n_states; from++)
    for (to = 0; to < fsm->n_states; to++)
      if (from != to && !gst_wrtc_fsm_is_legal (fsm, from, to))
        func (fsm, from, to, user_data);
}
