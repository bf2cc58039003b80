/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the process-wide ICE thread (see the header). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcicecontext.h"
#include "gstwrtcinvoke.h"

#include <gst/gst.h>

GST_DEBUG_CATEGORY_STATIC (wrtc_ice_context_debug);
#define GST_CAT_DEFAULT wrtc_ice_context_debug

static GMainContext *ice_context = NULL;

static gpointer
ice_thread_func (gpointer data)
{
  GMainLoop *loop = data;

  /* g_main_loop_run() holds the context for as long as it runs, so
   * g_main_context_is_owner() tells the ICE thread from any other. */
  g_main_context_push_thread_default (g_main_loop_get_context (loop));
  g_main_loop_run (loop);
  g_main_context_pop_thread_default (g_main_loop_get_context (loop));
  g_main_loop_unref (loop);
  return NULL;
}

GMainContext *
gst_wrtc_ice_context_get (void)
{
  static gsize started = 0;

  if (g_once_init_enter (&started)) {
    GMainLoop *loop;

    GST_DEBUG_CATEGORY_INIT (wrtc_ice_context_debug, "wrtcicecontext", 0,
        "WebRTC ICE thread");
    ice_context = g_main_context_new ();
    loop = g_main_loop_new (ice_context, FALSE);
    g_thread_unref (g_thread_new ("wrtc-ice", ice_thread_func, loop));
    GST_INFO ("started the ICE thread");
    g_once_init_leave (&started, 1);
  }
  return ice_context;
}

gboolean
gst_wrtc_ice_context_is_ice_thread (void)
{
  return g_main_context_is_owner (gst_wrtc_ice_context_get ());
}

void
gst_wrtc_ice_context_invoke (GSourceFunc func, gpointer data,
    GDestroyNotify destroy)
{
  /* An idle source rather than g_main_context_invoke(), which would run
   * @func at once on the ICE thread and so overtake what is queued. */
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, destroy);
  g_source_set_static_name (source, "wrtc-ice-invoke");
  g_source_attach (source, gst_wrtc_ice_context_get ());
  g_source_unref (source);
}

void
gst_wrtc_ice_context_invoke_sync (GSourceFunc func, gpointer data)
{
  gst_wrtc_invoke_sync (gst_wrtc_ice_context_get (), func, data,
      "wrtc-ice-invoke-sync");
}

static GMutex closes_lock;
static GCond closes_cond;
static guint closes_pending;

void
gst_wrtc_ice_context_close_begun (void)
{
  g_mutex_lock (&closes_lock);
  closes_pending++;
  g_mutex_unlock (&closes_lock);
}

void
gst_wrtc_ice_context_close_done (void)
{
  g_mutex_lock (&closes_lock);
  if (closes_pending > 0)
    closes_pending--;
  g_cond_broadcast (&closes_cond);
  g_mutex_unlock (&closes_lock);
}

gboolean
gst_wrtc_ice_context_wait_closes (gint64 timeout_us)
{
  gint64 end = g_get_monotonic_time () + timeout_us;
  gboolean none;

  g_return_val_if_fail (!gst_wrtc_ice_context_is_ice_thread (), FALSE);
  g_mutex_lock (&closes_lock);
  while (closes_pending > 0
      && g_cond_wait_until (&closes_cond, &closes_lock, end));
  none = closes_pending == 0;
  g_mutex_unlock (&closes_lock);
  return none;
}

guint
gst_wrtc_ice_context_closes_pending (void)
{
  guint n;

  g_mutex_lock (&closes_lock);
  n = closes_pending;
  g_mutex_unlock (&closes_lock);
  return n;
}
