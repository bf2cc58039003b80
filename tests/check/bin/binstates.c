/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bins' session life cycles (ext/webrtc/bin/gstwrtcbinstates.h):
 * each table is exactly the edges its comment lists, and every other edge
 * is refused with a warning. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include "fsmcheck.h"
#include "gstwrtcbinstates.h"

static const FsmCheckEdge viewer_spec[] = {
  {"negotiating", "live"},
  {"negotiating", "closing"},
  {"live", "closing"},
  {"closing", "closed"},
};

static const FsmCheckEdge source_session_spec[] = {
  {"new", "live"},
  {"new", "ended"},
  {"live", "ended"},
};

GST_START_TEST (test_viewer)
{
  const GstWrtcFsm *fsm = gst_wrtc_viewer_state_machine ();

  fsm_check_table (fsm, viewer_spec, G_N_ELEMENTS (viewer_spec));
  fail_unless_equals_int (fsm_check_state (fsm, "negotiating"),
      GST_WRTC_VIEWER_NEGOTIATING);
  fail_unless_equals_int (fsm_check_state (fsm, "closed"),
      GST_WRTC_VIEWER_CLOSED);
  /* 4 states: 12 ordered pairs, 4 edges */
  fail_unless_equals_int (fsm_check_refuses (fsm), 8);
}

GST_END_TEST;

GST_START_TEST (test_source_session)
{
  const GstWrtcFsm *fsm = gst_wrtc_source_session_state_machine ();

  fsm_check_table (fsm, source_session_spec,
      G_N_ELEMENTS (source_session_spec));
  fail_unless_equals_int (fsm_check_state (fsm, "new"),
      GST_WRTC_SOURCE_SESSION_NEW);
  fail_unless_equals_int (fsm_check_state (fsm, "ended"),
      GST_WRTC_SOURCE_SESSION_ENDED);
  /* 3 states: 6 ordered pairs, 3 edges */
  fail_unless_equals_int (fsm_check_refuses (fsm), 3);
}

GST_END_TEST;

static Suite *
binstates_suite (void)
{
  Suite *s = suite_create ("binstates");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_viewer);
  tcase_add_test (tc, test_source_session);
  return s;
}

GST_CHECK_MAIN (binstates);
