/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: running a function on the thread of a GMainContext
 * that a thread of ours iterates (the ICE thread, an HTTP server thread). */
#ifndef __GST_WRTC_INVOKE_H__
#define __GST_WRTC_INVOKE_H__

#include <glib.h>

G_BEGIN_DECLS
/* Runs @func on the thread iterating @context and waits for it to return;
 * at once when the caller is that thread.  Queued as a source of default
 * priority (first in, first out with other such sources), not through
 * g_main_context_invoke(), which would run @func on the calling thread
 * whenever that thread can acquire the context.  The caller must not hold
 * a lock that code on that thread takes. */
void gst_wrtc_invoke_sync (GMainContext * context, GSourceFunc func,
    gpointer data, const gchar * name);

G_END_DECLS
#endif
