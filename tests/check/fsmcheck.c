/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: checks every layer's state-machine test shares (see
 * fsmcheck.h). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fsmcheck.h"

#include <string.h>

static GMutex log_lock;
static GPtrArray *log_lines;    /* log_lock; "category: message" */
static GstDebugLevel saved_threshold;

static void
log_func (GstDebugCategory * category, GstDebugLevel level,
    const gchar * file, const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  const gchar *text;

  if (level != GST_LEVEL_WARNING)
    return;
  text = gst_debug_message_get (message);
  if (!text || !strstr (text, "refusing illegal"))
    return;
  g_mutex_lock (&log_lock);
  if (log_lines)
    g_ptr_array_add (log_lines, g_strdup_printf ("%s: %s",
            gst_debug_category_get_name (category), text));
  g_mutex_unlock (&log_lock);
}

void
fsm_check_log_start (void)
{
  gboolean busy;

  g_mutex_lock (&log_lock);
  busy = log_lines != NULL;
  if (!busy)
    log_lines = g_ptr_array_new_with_free_func (g_free);
  g_mutex_unlock (&log_lock);
  fail_if (busy, "fsm_check_log_start() twice");

  saved_threshold = gst_debug_get_default_threshold ();
  if (saved_threshold < GST_LEVEL_WARNING)
    gst_debug_set_default_threshold (GST_LEVEL_WARNING);
  gst_debug_add_log_function (log_func, NULL, NULL);
}

guint
fsm_check_log_stop (void)
{
  GPtrArray *lines;
  guint i, n;

  gst_debug_remove_log_function (log_func);
  if (saved_threshold < GST_LEVEL_WARNING)
    gst_debug_set_default_threshold (saved_threshold);

  g_mutex_lock (&log_lock);
  lines = log_lines;
  log_lines = NULL;
  g_mutex_unlock (&log_lock);
  fail_unless (lines != NULL, "fsm_check_log_stop() without a start");

  n = lines->len;
  for (i = 0; i < n; i++)
    GST_INFO ("refusal logged: %s", (const gchar *) lines->pdata[i]);
  g_ptr_array_unref (lines);
  return n;
}

/* The last refusal logged, and how many there were. */
static gchar *
last_line (guint * n)
{
  gchar *last = NULL;

  g_mutex_lock (&log_lock);
  *n = log_lines ? log_lines->len : 0;
  if (*n)
    last = g_strdup (log_lines->pdata[*n - 1]);
  g_mutex_unlock (&log_lock);
  return last;
}

guint
fsm_check_state (const GstWrtcFsm * fsm, const gchar * name)
{
  guint s;

  for (s = 0; s < fsm->n_states; s++)
    if (g_strcmp0 (fsm->names[s], name) == 0)
      return s;
  fail ("%s has no state \"%s\"", fsm->name, name);
  return G_MAXUINT;
}

void
fsm_check_table (const GstWrtcFsm * fsm, const FsmCheckEdge * edges,
    guint n_edges)
{
  guint32 expected[32] = { 0 };
  guint32 all;
  guint i, from, to;

  fail_unless (fsm != NULL && fsm->name != NULL);
  fail_unless (fsm->n_states > 1 && fsm->n_states <= 32,
      "%s: %u states", fsm->name, fsm->n_states);
  all = fsm->n_states == 32 ? G_MAXUINT32 : GST_WRTC_FSM_TO (fsm->n_states) - 1;

  /* every state named, each name once */
  for (from = 0; from < fsm->n_states; from++) {
    fail_unless (fsm->names[from] != NULL, "%s: state %u has no name",
        fsm->name, from);
    fail_unless_equals_int (fsm_check_state (fsm, fsm->names[from]), from);
    fail_unless_equals_string (gst_wrtc_fsm_state_name (fsm, from),
        fsm->names[from]);
  }

  for (i = 0; i < n_edges; i++) {
    from = fsm_check_state (fsm, edges[i].from);
    to = fsm_check_state (fsm, edges[i].to);
    fail_if (from == to, "%s: %s -> %s is no edge", fsm->name, edges[i].from,
        edges[i].to);
    fail_if (expected[from] & GST_WRTC_FSM_TO (to), "%s: %s -> %s listed "
        "twice", fsm->name, edges[i].from, edges[i].to);
    expected[from] |= GST_WRTC_FSM_TO (to);
  }

  for (from = 0; from < fsm->n_states; from++) {
    fail_unless ((fsm->edges[from] & ~all) == 0, "%s: %s has edges to "
        "states that do not exist", fsm->name, fsm->names[from]);
    for (to = 0; to < fsm->n_states; to++) {
      gboolean want = (expected[from] & GST_WRTC_FSM_TO (to)) != 0;

      fail_unless (gst_wrtc_fsm_is_legal (fsm, from, to) == want,
          "%s: %s -> %s should be %s", fsm->name, fsm->names[from],
          fsm->names[to], want ? "legal" : "illegal");
    }
  }
}

typedef struct
{
  guint tried;
  const gchar *category;
} Refusals;

static void
try_illegal (const GstWrtcFsm * fsm, guint from, guint to, gpointer user_data)
{
  Refusals *r = user_data;
  gchar *line, *want;
  guint before, after;
  gboolean accepted;

  g_free (last_line (&before));
  accepted = gst_wrtc_fsm_transition (fsm, NULL, "under test", from, to);
  line = last_line (&after);
  want = g_strdup_printf ("%s: %s under test: refusing illegal %s -> %s",
      r->category, fsm->name, fsm->names[from], fsm->names[to]);

  fail_if (accepted, "%s: illegal %s -> %s accepted", fsm->name,
      fsm->names[from], fsm->names[to]);
  fail_unless_equals_int (after, before + 1);
  fail_unless_equals_string (line, want);
  g_free (line);
  g_free (want);
  r->tried++;
}

guint
fsm_check_refuses (const GstWrtcFsm * fsm)
{
  Refusals r = { 0, "wrtcfsm" };
  guint s, t, legal = 0, n, quiet;

  /* the layer's category once it exists (its type is initialised) */
  if (fsm->category) {
    fail_unless (*fsm->category != NULL, "%s: initialise the layer's type "
        "first, so its debug category exists", fsm->name);
    r.category = gst_debug_category_get_name (*fsm->category);
  }
  for (s = 0; s < fsm->n_states; s++)
    for (t = 0; t < fsm->n_states; t++)
      if (s != t && (fsm->edges[s] & GST_WRTC_FSM_TO (t)))
        legal++;

  /* the warnings are expected: keep them off stderr */
  quiet = gst_debug_remove_log_function (gst_debug_log_default);
  fsm_check_log_start ();
  gst_wrtc_fsm_foreach_illegal (fsm, try_illegal, &r);

  /* the same state again: FALSE, and no warning */
  for (s = 0; s < fsm->n_states; s++) {
    fail_if (gst_wrtc_fsm_transition (fsm, NULL, "under test", s, s),
        "%s: %s -> %s accepted", fsm->name, fsm->names[s], fsm->names[s]);
    fail_if (gst_wrtc_fsm_is_legal (fsm, s, s));
  }
  n = fsm_check_log_stop ();
  if (quiet)
    gst_debug_add_log_function (gst_debug_log_default, NULL, NULL);

  fail_unless_equals_int (n, r.tried);
  fail_unless_equals_int (r.tried, fsm->n_states * (fsm->n_states - 1) - legal);
  return r.tried;
}
