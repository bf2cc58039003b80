/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: a JSON (RFC 8259) writer; see the header. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcjson.h"

#include <math.h>

/* RFC 8259 section 7: '"', '\\' and U+0000 to U+001F must be escaped;
 * DEL is too, for pages that paste the text into HTML. */
void
gst_wrtc_json_append_string (GString * out, const gchar * str)
{
  if (!str) {
    g_string_append (out, "null");
    return;
  }
  g_string_append_c (out, '"');
  for (const guchar * p = (const guchar *)str; *p; p++) {
    switch (*p) {
      case '"':
        g_string_append (out, "\\\"");
        break;
      case '\\':
        g_string_append (out, "\\\\");
        break;
      case '\n':
        g_string_append (out, "\\n");
        break;
      case '\r':
        g_string_append (out, "\\r");
        break;
      case '\t':
        g_string_append (out, "\\t");
        break;
      default:
        if (*p < 0x20 || *p == 0x7f)
          g_string_append_printf (out, "\\u%04x", *p);
        else
          g_string_append_c (out, *p);
        break;
    }
  }
  g_string_append_c (out, '"');
}

/* The comma between values (RFC 8259 sections 4 and 5). */
static void
separate (GString * out)
{
  gchar last;

  if (out->len == 0)
    return;
  last = out->str[out->len - 1];
  if (last != '{' && last != '[' && last != ':')
    g_string_append_c (out, ',');
}

void
gst_wrtc_json_begin_object (GString * out)
{
  separate (out);
  g_string_append_c (out, '{');
}

void
gst_wrtc_json_end_object (GString * out)
{
  g_string_append_c (out, '}');
}

void
gst_wrtc_json_begin_array (GString * out)
{
  separate (out);
  g_string_append_c (out, '[');
}

void
gst_wrtc_json_end_array (GString * out)
{
  g_string_append_c (out, ']');
}

void
gst_wrtc_json_member (GString * out, const gchar * name)
{
  separate (out);
  gst_wrtc_json_append_string (out, name);
  g_string_append_c (out, ':');
}

void
gst_wrtc_json_add_string (GString * out, const gchar * value)
{
  separate (out);
  gst_wrtc_json_append_string (out, value);
}

void
gst_wrtc_json_add_boolean (GString * out, gboolean value)
{
  separate (out);
  g_string_append (out, value ? "true" : "false");
}

void
gst_wrtc_json_add_raw (GString * out, const gchar * json)
{
  separate (out);
  g_string_append (out, json);
}

/* JSON is UTF-8: anything else is not a string we can pass on */
static void
add_utf8_or_null (GString * out, const gchar * str)
{
  gst_wrtc_json_add_string (out, str && g_utf8_validate (str, -1, NULL) ?
      str : NULL);
}

void
gst_wrtc_json_add_value (GString * out, const GValue * v)
{
  GType t = G_VALUE_TYPE (v);
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (t == G_TYPE_STRING) {
    add_utf8_or_null (out, g_value_get_string (v));
    return;
  }
  if (t == G_TYPE_BOOLEAN) {
    gst_wrtc_json_add_boolean (out, g_value_get_boolean (v));
    return;
  }
  if (t == GST_TYPE_STRUCTURE) {
    const GstStructure *s = gst_value_get_structure (v);

    if (s)
      gst_wrtc_json_add_structure (out, s);
    else
      gst_wrtc_json_add_raw (out, "null");
    return;
  }
  if (t == GST_TYPE_ARRAY || t == GST_TYPE_LIST) {
    gboolean array = t == GST_TYPE_ARRAY;
    guint n =
        array ? gst_value_array_get_size (v) : gst_value_list_get_size (v);

    gst_wrtc_json_begin_array (out);
    for (guint i = 0; i < n; i++)
      gst_wrtc_json_add_value (out, array ? gst_value_array_get_value (v, i) :
          gst_value_list_get_value (v, i));
    gst_wrtc_json_end_array (out);
    return;
  }

  separate (out);
  if (t == G_TYPE_INT) {
    g_string_append_printf (out, "%d", g_value_get_int (v));
  } else if (t == G_TYPE_UINT) {
    g_string_append_printf (out, "%u", g_value_get_uint (v));
  } else if (t == G_TYPE_INT64) {
    g_string_append_printf (out, "%" G_GINT64_FORMAT, g_value_get_int64 (v));
  } else if (t == G_TYPE_UINT64) {
    g_string_append_printf (out, "%" G_GUINT64_FORMAT, g_value_get_uint64 (v));
  } else if (t == G_TYPE_DOUBLE || t == G_TYPE_FLOAT) {
    gdouble d = t == G_TYPE_DOUBLE ? g_value_get_double (v) :
        g_value_get_float (v);

    /* RFC 8259 section 6: no NaN, no Infinity */
    g_string_append (out, isfinite (d) ? g_ascii_dtostr (buf, sizeof (buf),
            d) : "null");
  } else {
    gchar *str = gst_value_serialize (v);

    /* the separator is written already */
    gst_wrtc_json_append_string (out, str && g_utf8_validate (str, -1,
            NULL) ? str : NULL);
    g_free (str);
  }
}

static gboolean
add_field (GQuark field, const GValue * value, gpointer user_data)
{
  GString *out = user_data;

  gst_wrtc_json_member (out, g_quark_to_string (field));
  gst_wrtc_json_add_value (out, value);
  return TRUE;
}

void
gst_wrtc_json_add_structure (GString * out, const GstStructure * s)
{
  gst_wrtc_json_begin_object (out);
  if (!gst_structure_has_field (s, "type")) {
    gst_wrtc_json_member (out, "type");
    gst_wrtc_json_add_string (out, gst_structure_get_name (s));
  }
  gst_structure_foreach (s, add_field, out);
  gst_wrtc_json_end_object (out);
}

gchar *
gst_wrtc_json_from_structure (const GstStructure * s)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (s != NULL, NULL);
  gst_wrtc_json_add_structure (out, s);
  return g_string_free (out, FALSE);
}
