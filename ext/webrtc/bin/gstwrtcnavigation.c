/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: navigation events from JSON (see the header). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <gst/video/navigation.h>
#include "gstwrtcnavigation.h"

#define MAX_KEY_LEN 64
/* far past any frame; keeps doubles out of nonsense */
#define MAX_COORD 1e6

typedef enum
{
  NAV_MOUSE_MOVE,
  NAV_MOUSE_PRESS,
  NAV_MOUSE_RELEASE,
  NAV_MOUSE_SCROLL,
  NAV_KEY_PRESS,
  NAV_KEY_RELEASE,
} NavKind;

static const struct
{
  const gchar *name, *camel;
  NavKind kind;
} kinds[] = {
  {"mouse-move", "MouseMove", NAV_MOUSE_MOVE},
  {"mouse-button-press", "MouseButtonPress", NAV_MOUSE_PRESS},
  {"mouse-button-release", "MouseButtonRelease", NAV_MOUSE_RELEASE},
  {"mouse-scroll", "MouseScroll", NAV_MOUSE_SCROLL},
  {"key-press", "KeyPress", NAV_KEY_PRESS},
  {"key-release", "KeyRelease", NAV_KEY_RELEASE},
};

static gboolean
invalid (GError ** error, const gchar * what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
      "navigation event: %s", what);
  return FALSE;
}

/* A number member of @o within +-MAX_COORD; absent: @def when @optional. */
static gboolean
get_number (JsonObject * o, const gchar * name, gboolean optional,
    gdouble def, gdouble * out, GError ** error)
{
  JsonNode *n = json_object_get_member (o, name);
  gchar *msg;

  if (!n && optional) {
    *out = def;
    return TRUE;
  }
  if (!n || !JSON_NODE_HOLDS_VALUE (n)
      || (json_node_get_value_type (n) != G_TYPE_DOUBLE
          && json_node_get_value_type (n) != G_TYPE_INT64)) {
    msg = g_strdup_printf ("\"%s\" is not a number", name);
    invalid (error, msg);
    g_free (msg);
    return FALSE;
  }
  *out = json_node_get_double (n);
  if (!isfinite (*out) || fabs (*out) > MAX_COORD) {
    msg = g_strdup_printf ("\"%s\" is out of range", name);
    invalid (error, msg);
    g_free (msg);
    return FALSE;
  }
  return TRUE;
}

static GstEvent *
event_from_object (JsonObject * o, GError ** error)
{
  GstNavigationModifierType state;
  const gchar *name, *key;
  gdouble x = 0, y = 0, dx, dy, button, mods;
  JsonNode *n;
  guint i;

  n = json_object_get_member (o, "event");
  if (!n || !JSON_NODE_HOLDS_VALUE (n)
      || json_node_get_value_type (n) != G_TYPE_STRING) {
    invalid (error, "no \"event\" name");
    return NULL;
  }
  name = json_node_get_string (n);
  for (i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (!strcmp (name, kinds[i].name) || !strcmp (name, kinds[i].camel))
      break;
  if (i == G_N_ELEMENTS (kinds)) {
    invalid (error, "unknown event");
    return NULL;
  }
  if (!get_number (o, "modifier_state", TRUE, 0, &mods, error))
    return NULL;
  state = (GstNavigationModifierType) ((guint) MAX (mods, 0) &
      GST_NAVIGATION_MODIFIER_MASK);

  switch (kinds[i].kind) {
    case NAV_KEY_PRESS:
    case NAV_KEY_RELEASE:
      n = json_object_get_member (o, "key");
      if (!n || !JSON_NODE_HOLDS_VALUE (n)
          || json_node_get_value_type (n) != G_TYPE_STRING
          || !*(key = json_node_get_string (n))
          || strlen (key) > MAX_KEY_LEN || !g_utf8_validate (key, -1, NULL)) {
        invalid (error, "no valid \"key\"");
        return NULL;
      }
      return kinds[i].kind == NAV_KEY_PRESS ?
          gst_navigation_event_new_key_press (key, state) :
          gst_navigation_event_new_key_release (key, state);
    default:
      break;
  }
  if (!get_number (o, "x", FALSE, 0, &x, error)
      || !get_number (o, "y", FALSE, 0, &y, error))
    return NULL;
  switch (kinds[i].kind) {
    case NAV_MOUSE_MOVE:
      return gst_navigation_event_new_mouse_move (x, y, state);
    case NAV_MOUSE_PRESS:
    case NAV_MOUSE_RELEASE:
      if (!get_number (o, "button", TRUE, 1, &button, error))
        return NULL;
      /* X11's buttons: 1 left, 2 middle, 3 right, 4-9 the others */
      if (button < 1 || button > 9 || button != floor (button)) {
        invalid (error, "\"button\" is not 1-9");
        return NULL;
      }
      return kinds[i].kind == NAV_MOUSE_PRESS ?
          gst_navigation_event_new_mouse_button_press ((gint) button, x, y,
          state) : gst_navigation_event_new_mouse_button_release ((gint)
          button, x, y, state);
    case NAV_MOUSE_SCROLL:
      if (!get_number (o, "delta_x", TRUE, 0, &dx, error)
          || !get_number (o, "delta_y", TRUE, 0, &dy, error))
        return NULL;
      return gst_navigation_event_new_mouse_scroll (x, y, dx, dy, state);
    default:
      g_assert_not_reached ();
  }
  return NULL;
}

GstEvent *
gst_wrtc_navigation_event_from_json (const gchar * json, gsize len,
    GError ** error)
{
  JsonParser *parser;
  JsonObject *o;
  JsonNode *root, *inner;
  GstEvent *ev = NULL;
  GError *err = NULL;

  if (len > GST_WRTC_NAVIGATION_MAX_LEN) {
    invalid (error, "message too long");
    return NULL;
  }
  if (memchr (json, 0, len)) {
    invalid (error, "NUL in the message");
    return NULL;
  }
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, json, len, &err)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "navigation event: not JSON: %s", err->message);
    g_clear_error (&err);
    g_object_unref (parser);
    return NULL;
  }
  root = json_parser_get_root (parser);
  if (!root || !JSON_NODE_HOLDS_OBJECT (root)) {
    invalid (error, "not a JSON object");
    g_object_unref (parser);
    return NULL;
  }
  o = json_node_get_object (root);
  /* gst-plugins-rs's webrtcsink wraps the event */
  inner = json_object_get_member (o, "event");
  if (inner && JSON_NODE_HOLDS_OBJECT (inner))
    o = json_node_get_object (inner);
  ev = event_from_object (o, error);
  g_object_unref (parser);
  return ev;
}
