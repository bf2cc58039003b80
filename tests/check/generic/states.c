/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: every element our plugins register goes through the
 * state changes, alone in a pipeline.
 *
 * The elements come from the registry: every element factory of a plugin
 * loaded from our build (GST_PLUGIN_PATH), so a new element is
 * tested without touching this file; the names meson knows are built
 * (EXPECTED_ELEMENTS) must be among them.  Each goes NULL -> READY ->
 * PAUSED -> PLAYING -> PAUSED -> READY -> NULL twice, then NULL -> PLAYING
 * -> NULL in one call: every change succeeds, or returns ASYNC or
 * NO_PREROLL and then completes (a bounded wait), and nothing posts an
 * error on the bus.  Elements with a server get port=0 (and loopback
 * addresses), so nothing binds a fixed port.
 */
#include <gst/check/gstcheck.h>

#include <string.h>

/* The failure timeout of an ASYNC change: 10 s, times
 * CK_TIMEOUT_MULTIPLIER (set under valgrind). */
static GstClockTime
async_timeout (void)
{
  const gchar *m = g_getenv ("CK_TIMEOUT_MULTIPLIER");
  gint64 mult = m ? g_ascii_strtoll (m, NULL, 10) : 1;

  return 10 * GST_SECOND * MAX (mult, 1);
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

/* Whether @file is in one of the directories of GST_PLUGIN_PATH (our
 * build's plugins; the upstream ones come from GST_PLUGIN_SYSTEM_PATH). */
static gboolean
is_ours (const gchar * file)
{
  const gchar *path = g_getenv ("GST_PLUGIN_PATH");
  gchar **dirs;
  gboolean ours = FALSE;
  guint i;

  if (!file || !path)
    return FALSE;
  dirs = g_strsplit (path, G_SEARCHPATH_SEPARATOR_S, -1);
  for (i = 0; dirs[i] && !ours; i++) {
    gchar *prefix = g_str_has_suffix (dirs[i], G_DIR_SEPARATOR_S) ?
        g_strdup (dirs[i]) : g_strconcat (dirs[i], G_DIR_SEPARATOR_S, NULL);

    ours = dirs[i][0] != '\0' && g_str_has_prefix (file, prefix);
    g_free (prefix);
  }
  g_strfreev (dirs);
  return ours;
}

/* The element factory names of the plugins loaded from our build
 * (GST_PLUGIN_PATH), sorted; g_strfreev() it. */
static gchar **
our_element_names (void)
{
  const gchar *path = g_getenv ("GST_PLUGIN_PATH");
  GstRegistry *registry = gst_registry_get ();
  GList *plugins, *l;
  GPtrArray *names = g_ptr_array_new ();

  fail_unless (path != NULL && *path != '\0',
      "GST_PLUGIN_PATH is unset: run in the isolated environment "
      "(meson test, scripts/gst-env)");

  plugins = gst_registry_get_plugin_list (registry);
  for (l = plugins; l; l = l->next) {
    GstPlugin *plugin = l->data;
    GList *features, *f;

    if (!is_ours (gst_plugin_get_filename (plugin)))
      continue;
    features = gst_registry_get_feature_list_by_plugin (registry,
        gst_plugin_get_name (plugin));
    for (f = features; f; f = f->next) {
      if (GST_IS_ELEMENT_FACTORY (f->data))
        g_ptr_array_add (names,
            g_strdup (gst_plugin_feature_get_name (f->data)));
    }
    gst_plugin_feature_list_free (features);
  }
  gst_plugin_list_free (plugins);

  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (gchar **) g_ptr_array_free (names, FALSE);
}

/* port=0 and loopback addresses where the element has those properties. */
static void
set_test_properties (GstElement * element)
{
  GObjectClass *klass = G_OBJECT_GET_CLASS (element);
  GParamSpec *pspec;

  pspec = g_object_class_find_property (klass, "port");
  if (pspec && (pspec->flags & G_PARAM_WRITABLE))
    g_object_set (element, "port", 0, NULL);
  pspec = g_object_class_find_property (klass, "local-addresses");
  if (pspec && (pspec->flags & G_PARAM_WRITABLE)
      && G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_STRING)
    g_object_set (element, "local-addresses", "127.0.0.1", NULL);
}

/* Fails on an error message on @bus (drains every message). */
static void
assert_no_error (GstBus * bus, const gchar * name, GstState target)
{
  GstMessage *msg;

  while ((msg = gst_bus_pop (bus))) {
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      GError *err = NULL;
      gchar *dbg = NULL;

      gst_message_parse_error (msg, &err, &dbg);
      fail ("%s: error on the bus going to %s: %s (%s)", name,
          gst_element_state_get_name (target), err->message,
          GST_STR_NULL (dbg));
    }
    gst_message_unref (msg);
  }
}

/* @pipe to @target: SUCCESS, or ASYNC / NO_PREROLL then completed. */
static void
change_state (GstElement * pipe, GstBus * bus, const gchar * name,
    GstState target)
{
  GstStateChangeReturn ret;
  GstState cur = GST_STATE_VOID_PENDING, pending = GST_STATE_VOID_PENDING;

  GST_INFO ("%s: to %s", name, gst_element_state_get_name (target));
  ret = gst_element_set_state (pipe, target);
  fail_unless (ret != GST_STATE_CHANGE_FAILURE, "%s: the change to %s failed",
      name, gst_element_state_get_name (target));
  if (ret == GST_STATE_CHANGE_ASYNC) {
    ret = gst_element_get_state (pipe, &cur, &pending, async_timeout ());
    fail_unless (ret == GST_STATE_CHANGE_SUCCESS
        || ret == GST_STATE_CHANGE_NO_PREROLL,
        "%s: the ASYNC change to %s did not complete (%s, at %s, pending %s)",
        name, gst_element_state_get_name (target),
        gst_element_state_change_return_get_name (ret),
        gst_element_state_get_name (cur), gst_element_state_get_name (pending));
  }
  ret = gst_element_get_state (pipe, &cur, NULL, 0);
  fail_unless (cur == target, "%s: at %s after the change to %s", name,
      gst_element_state_get_name (cur), gst_element_state_get_name (target));
  assert_no_error (bus, name, target);
}

static void
cycle_states (const gchar * name)
{
  static const GstState up_down[] = { GST_STATE_READY, GST_STATE_PAUSED,
    GST_STATE_PLAYING, GST_STATE_PAUSED, GST_STATE_READY, GST_STATE_NULL
  };
  GstElement *pipe, *element;
  GstBus *bus;
  guint round, i;

  element = gst_element_factory_make (name, NULL);
  fail_unless (element != NULL, "%s: cannot be made", name);
  set_test_properties (element);
  pipe = gst_pipeline_new (NULL);
  gst_bin_add (GST_BIN (pipe), element);
  bus = gst_element_get_bus (pipe);

  for (round = 0; round < 2; round++)
    for (i = 0; i < G_N_ELEMENTS (up_down); i++)
      change_state (pipe, bus, name, up_down[i]);
  change_state (pipe, bus, name, GST_STATE_PLAYING);
  change_state (pipe, bus, name, GST_STATE_NULL);

  gst_object_unref (bus);
  gst_object_unref (pipe);
}

GST_START_TEST (test_our_elements_are_registered)
{
  gchar **names = our_element_names ();
  gchar **expected = g_strsplit (EXPECTED_ELEMENTS, ",", -1);
  gchar *list = g_strjoinv (" ", names);
  guint i;

  GST_INFO ("our elements: %s", list);
  for (i = 0; expected[i]; i++) {
    if (*expected[i] == '\0')
      continue;
    fail_unless (g_strv_contains ((const gchar * const *) names, expected[i]),
        "%s is not among the elements of our plugins (%s)", expected[i], list);
  }
  fail_unless (g_strv_length (names) > 0, "our plugins register no element");
  g_free (list);
  g_strfreev (expected);
  g_strfreev (names);
}

GST_END_TEST;

GST_START_TEST (test_state_changes)
{
  gchar **names = our_element_names ();
  guint i;

  fail_unless (g_strv_length (names) > 0, "our plugins register no element");
  for (i = 0; names[i]; i++)
    cycle_states (names[i]);
  g_strfreev (names);
}

GST_END_TEST;

static Suite *
states_suite (void)
{
  Suite *s = suite_create ("states");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_our_elements_are_registered);
  tcase_add_test (tc, test_state_changes);
  return s;
}

GST_CHECK_MAIN (states);
