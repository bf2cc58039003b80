/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: comma-separated list properties (see the header). */
#include "gstwrtclist.h"

gchar **
gst_wrtc_list_split (const gchar * s)
{
  gchar **parts, **out;
  guint i, n = 0;

  if (!s || !*s)
    return NULL;
  parts = g_strsplit (s, ",", -1);
  out = g_new0 (gchar *, g_strv_length (parts) + 1);
  for (i = 0; parts[i]; i++) {
    gchar *p = g_strstrip (parts[i]);
    if (*p)
      out[n++] = g_strdup (p);
  }
  g_strfreev (parts);
  if (n == 0)
    g_clear_pointer (&out, g_free);
  return out;
}

gchar *
gst_wrtc_list_join (gchar ** list)
{
  return list ? g_strjoinv (",", list) : NULL;
}
