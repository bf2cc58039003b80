/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the one state-machine helper every layer uses.
 *
 * A machine is a table: its state names and, per state, the set of states
 * it may go to.  Each layer keeps one setter per machine that calls
 * gst_wrtc_fsm_transition() and stores the new state only when it returns
 * TRUE.  One policy everywhere:
 *   - a legal edge is logged as "old -> new" (INFO) and returns TRUE;
 *   - an illegal edge is refused: logged as a WARNING, returns FALSE;
 *   - the same state again is no edge: nothing changes, FALSE (DEBUG log).
 * A caller that tries an edge it knows may be illegal (say, failed after
 * the machine closed) checks gst_wrtc_fsm_is_legal() first, so warnings
 * mean a bug.
 */
#ifndef __GST_WRTC_FSM_H__
#define __GST_WRTC_FSM_H__

#include <gst/gst.h>

G_BEGIN_DECLS
/* The bit of state @s in a GstWrtcFsm edge mask. */
#define GST_WRTC_FSM_TO(s) (1u << (s))
    typedef struct
{
  /* for the log lines: "ice-transport", "peer", "viewer" */
  const gchar *name;
  /* the category the lines go to (the layer's own); NULL: "wrtcfsm" */
  GstDebugCategory **category;
  guint n_states;               /* at most 32 */
  const gchar *const *names;    /* n_states entries */
  /* n_states masks: edges[from] has GST_WRTC_FSM_TO(to) set for every
   * legal from -> to */
  const guint32 *edges;
} GstWrtcFsm;

/* TRUE when @from -> @to is an edge of @fsm (FALSE for from == to). */
gboolean gst_wrtc_fsm_is_legal (const GstWrtcFsm * fsm, guint from, guint to);

/* The name of @s, "invalid" when out of range. */
const gchar *gst_wrtc_fsm_state_name (const GstWrtcFsm * fsm, guint s);

/* Checks and logs @from -> @to (see the policy above).  @object (may be
 * NULL) and @who (may be NULL: a viewer's id, a channel's number) say whose
 * machine it is in the log.  TRUE: the caller stores @to. */
gboolean gst_wrtc_fsm_transition (const GstWrtcFsm * fsm, gpointer object,
    const gchar * who, guint from, guint to);

/* Calls @func for every pair (from, to), from != to, that is not an edge:
 * what the table-driven tests try. */
typedef void (*GstWrtcFsmEdgeFunc) (const GstWrtcFsm * fsm, guint from,
    guint to, gpointer user_data);
void gst_wrtc_fsm_foreach_illegal (const GstWrtcFsm * fsm,
    GstWrtcFsmEdgeFunc func, gpointer user_data);

G_END_DECLS
#endif
