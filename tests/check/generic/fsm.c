/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state-machine helper (gst/gstwrtcfsm.h) on a machine of its own:
 * the table, the one policy (legal: TRUE and INFO; illegal: FALSE and
 * WARNING; same state: FALSE and DEBUG), the log category and object, and
 * the illegal-edge walk the layers' tests rely on. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/check/gstcheck.h>

#include "gstwrtcfsm.h"
#include "fsmcheck.h"

/* A door: closed <-> open, closed <-> locked; broken is final. */
enum
{
  DOOR_CLOSED,
  DOOR_OPEN,
  DOOR_LOCKED,
  DOOR_BROKEN,
};

static const gchar *const door_names[] = { "closed", "open", "locked",
  "broken"
};

static const guint32 door_edges[] = {
  [DOOR_CLOSED] = GST_WRTC_FSM_TO (DOOR_OPEN) | GST_WRTC_FSM_TO (DOOR_LOCKED)
      | GST_WRTC_FSM_TO (DOOR_BROKEN),
  [DOOR_OPEN] = GST_WRTC_FSM_TO (DOOR_CLOSED) | GST_WRTC_FSM_TO (DOOR_BROKEN),
  [DOOR_LOCKED] = GST_WRTC_FSM_TO (DOOR_CLOSED)
      | GST_WRTC_FSM_TO (DOOR_BROKEN),
  [DOOR_BROKEN] = 0,
};

GST_DEBUG_CATEGORY_STATIC (door_debug);

static const GstWrtcFsm door = {
  "door", &door_debug, G_N_ELEMENTS (door_names), door_names, door_edges
};

/* the same table, logging to the helper's own category */
static const GstWrtcFsm door_default_category = {
  "door", NULL, G_N_ELEMENTS (door_names), door_names, door_edges
};

/* the spec, as the comment above says it */
static const FsmCheckEdge door_spec[] = {
  {"closed", "open"},
  {"closed", "locked"},
  {"closed", "broken"},
  {"open", "closed"},
  {"open", "broken"},
  {"locked", "closed"},
  {"locked", "broken"},
};

/* every line any category logs at INFO or above, while recording */
typedef struct
{
  GstDebugLevel level;
  gchar *category;
  GObject *object;
  gchar *text;
} Line;

static GMutex lines_lock;
static GArray *lines;
static GstDebugLevel saved_threshold;
static guint removed_default;

static void
line_clear (Line * l)
{
  g_free (l->category);
  g_free (l->text);
}

static void
record_line (GstDebugCategory * category, GstDebugLevel level,
    const gchar * file, const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  Line l;

  if (strcmp (gst_debug_category_get_name (category), "door") != 0
      && strcmp (gst_debug_category_get_name (category), "wrtcfsm") != 0)
    return;
  l.level = level;
  l.category = g_strdup (gst_debug_category_get_name (category));
  l.object = object;
  l.text = g_strdup (gst_debug_message_get (message));
  g_mutex_lock (&lines_lock);
  g_array_append_val (lines, l);
  g_mutex_unlock (&lines_lock);
}

static void
record_start (void)
{
  lines = g_array_new (FALSE, FALSE, sizeof (Line));
  g_array_set_clear_func (lines, (GDestroyNotify) line_clear);
  saved_threshold = gst_debug_get_default_threshold ();
  gst_debug_set_default_threshold (GST_LEVEL_DEBUG);
  gst_debug_add_log_function (record_line, NULL, NULL);
  removed_default = gst_debug_remove_log_function (gst_debug_log_default);
}

static GArray *
record_stop (void)
{
  GArray *got;

  gst_debug_remove_log_function (record_line);
  if (removed_default)
    gst_debug_add_log_function (gst_debug_log_default, NULL, NULL);
  gst_debug_set_default_threshold (saved_threshold);
  g_mutex_lock (&lines_lock);
  got = lines;
  lines = NULL;
  g_mutex_unlock (&lines_lock);
  return got;
}

static void
assert_line (GArray * got, guint i, GstDebugLevel level,
    const gchar * category, gpointer object, const gchar * text)
{
  Line *l;

  fail_unless (i < got->len, "line %u missing (%u logged)", i, got->len);
  l = &g_array_index (got, Line, i);
  fail_unless_equals_string (l->text, text);
  fail_unless_equals_int (l->level, level);
  fail_unless_equals_string (l->category, category);
  fail_unless (l->object == object);
}

GST_START_TEST (test_table)
{
  fsm_check_table (&door, door_spec, G_N_ELEMENTS (door_spec));

  fail_unless_equals_int (fsm_check_state (&door, "locked"), DOOR_LOCKED);
  fail_unless_equals_string (gst_wrtc_fsm_state_name (&door, DOOR_OPEN),
      "open");
  fail_unless_equals_string (gst_wrtc_fsm_state_name (&door, 4), "invalid");
  fail_unless_equals_string (gst_wrtc_fsm_state_name (&door, G_MAXUINT),
      "invalid");

  /* no edge leaves the table, nor a state to itself */
  fail_unless (gst_wrtc_fsm_is_legal (&door, DOOR_CLOSED, DOOR_OPEN));
  fail_if (gst_wrtc_fsm_is_legal (&door, DOOR_OPEN, DOOR_LOCKED));
  fail_if (gst_wrtc_fsm_is_legal (&door, DOOR_CLOSED, DOOR_CLOSED));
  fail_if (gst_wrtc_fsm_is_legal (&door, DOOR_CLOSED, 4));
  fail_if (gst_wrtc_fsm_is_legal (&door, 4, DOOR_CLOSED));
  fail_if (gst_wrtc_fsm_is_legal (&door, 31, 31));
}

GST_END_TEST;

static void
collect_pair (const GstWrtcFsm * fsm, guint from, guint to, gpointer user_data)
{
  g_string_append_printf (user_data, "%s->%s ", fsm->names[from],
      fsm->names[to]);
}

GST_START_TEST (test_foreach_illegal)
{
  GString *pairs = g_string_new (NULL);

  /* every pair that is not an edge, from != to, in table order */
  gst_wrtc_fsm_foreach_illegal (&door, collect_pair, pairs);
  fail_unless_equals_string (pairs->str,
      "open->locked locked->open broken->closed broken->open "
      "broken->locked ");
  g_string_free (pairs, TRUE);

  /* and each is refused with a warning: the layers' check */
  fail_unless_equals_int (fsm_check_refuses (&door), 5);
  fail_unless_equals_int (fsm_check_refuses (&door_default_category), 5);
}

GST_END_TEST;

GST_START_TEST (test_policy)
{
  GObject *obj = g_object_new (G_TYPE_OBJECT, NULL);
  GArray *got;

  record_start ();
  /* legal: TRUE, INFO old -> new, with the object and who */
  fail_unless (gst_wrtc_fsm_transition (&door, obj, "front", DOOR_CLOSED,
          DOOR_OPEN));
  /* illegal: FALSE, a WARNING */
  fail_if (gst_wrtc_fsm_transition (&door, obj, "front", DOOR_OPEN,
          DOOR_LOCKED));
  /* the same state: FALSE, DEBUG only */
  fail_if (gst_wrtc_fsm_transition (&door, obj, "front", DOOR_OPEN, DOOR_OPEN));
  /* no object, no who */
  fail_unless (gst_wrtc_fsm_transition (&door, NULL, NULL, DOOR_OPEN,
          DOOR_CLOSED));
  /* the helper's own category when the machine names none */
  fail_if (gst_wrtc_fsm_transition (&door_default_category, NULL, "back",
          DOOR_BROKEN, DOOR_CLOSED));
  /* states out of the table are illegal too */
  fail_if (gst_wrtc_fsm_transition (&door, NULL, NULL, DOOR_CLOSED, 9));
  got = record_stop ();

  assert_line (got, 0, GST_LEVEL_INFO, "door", obj,
      "door front: closed -> open");
  assert_line (got, 1, GST_LEVEL_WARNING, "door", obj,
      "door front: refusing illegal open -> locked");
  assert_line (got, 2, GST_LEVEL_DEBUG, "door", obj,
      "door front: already open");
  assert_line (got, 3, GST_LEVEL_INFO, "door", NULL, "door: open -> closed");
  assert_line (got, 4, GST_LEVEL_WARNING, "wrtcfsm", NULL,
      "door back: refusing illegal broken -> closed");
  assert_line (got, 5, GST_LEVEL_WARNING, "door", NULL,
      "door: refusing illegal closed -> invalid");
  fail_unless_equals_int (got->len, 6);
  g_array_unref (got);
  g_object_unref (obj);
}

GST_END_TEST;

GST_START_TEST (test_log_counter)
{
  fsm_check_log_start ();
  fail_unless (gst_wrtc_fsm_transition (&door, NULL, NULL, DOOR_CLOSED,
          DOOR_LOCKED));
  fail_if (gst_wrtc_fsm_transition (&door, NULL, NULL, DOOR_LOCKED,
          DOOR_LOCKED));
  fail_unless_equals_int (fsm_check_log_stop (), 0);

  fsm_check_log_start ();
  fail_if (gst_wrtc_fsm_transition (&door, NULL, NULL, DOOR_LOCKED, DOOR_OPEN));
  fail_unless_equals_int (fsm_check_log_stop (), 1);
}

GST_END_TEST;

static Suite *
fsm_suite (void)
{
  Suite *s = suite_create ("fsm");
  TCase *tc = tcase_create ("general");

  GST_DEBUG_CATEGORY_INIT (door_debug, "door", 0, "the test's door");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_table);
  tcase_add_test (tc, test_foreach_illegal);
  tcase_add_test (tc, test_policy);
  tcase_add_test (tc, test_log_counter);
  return s;
}

GST_CHECK_MAIN (fsm);
