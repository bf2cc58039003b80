/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: checks every layer's state-machine test shares.
 *
 * A test writes its machine's legal edges by state name, from the comment
 * table above the machine's setter (the spec), and asks:
 *   fsm_check_table():   the exported table has exactly those edges;
 *   fsm_check_refuses(): every other edge is refused by
 *                        gst_wrtc_fsm_transition() with one WARNING in the
 *                        machine's category, and the same state is FALSE
 *                        without a warning.
 * fsm_check_log_start()/fsm_check_log_stop() count the refusals logged
 * meanwhile, so a test driving a real object shows that none of its
 * requests hit an illegal edge.
 */
#ifndef __FSM_CHECK_H__
#define __FSM_CHECK_H__

#include <gst/check/gstcheck.h>
#include "gstwrtcfsm.h"

typedef struct
{
  const gchar *from, *to;
} FsmCheckEdge;

/* The index of the state named @name; fails the test when there is none. */
guint fsm_check_state (const GstWrtcFsm * fsm, const gchar * name);

/* Asserts @fsm's legal edges are exactly @edges (@n_edges of them, each
 * once): every listed pair legal, every other pair illegal. */
void fsm_check_table (const GstWrtcFsm * fsm, const FsmCheckEdge * edges,
    guint n_edges);

/* Tries every illegal edge and every same-state pair of @fsm (see the
 * top); returns the number of illegal edges tried. */
guint fsm_check_refuses (const GstWrtcFsm * fsm);

/* Counts the WARNING lines "refusing illegal" any machine logs from now
 * until fsm_check_log_stop(), which returns the count.  Lowers the default
 * debug threshold to WARNING meanwhile when it is below. */
void fsm_check_log_start (void);
guint fsm_check_log_stop (void);

#endif
