/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcinvoke.h"

typedef struct
{
  GSourceFunc func;
  gpointer data;
  GMutex lock;
  GCond cond;
  gboolean done;
} SyncCall;

static gboolean
sync_call_run (gpointer user_data)
{
  SyncCall *call = user_data;

  call->func (call->data);
  g_mutex_lock (&call->lock);
  call->done = TRUE;
  g_cond_signal (&call->cond);
  g_mutex_unlock (&call->lock);
  return G_SOURCE_REMOVE;
}

void
gst_wrtc_invoke_sync (GMainContext * context, GSourceFunc func,
    gpointer data, const gchar * name)
{
  SyncCall call = { func, data };
  GSource *source;

  if (g_main_context_is_owner (context)) {
    func (data);
    return;
  }
  g_mutex_init (&call.lock);
  g_cond_init (&call.cond);
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, sync_call_run, &call, NULL);
  g_source_set_static_name (source, name);
  g_source_attach (source, context);
  g_source_unref (source);
  g_mutex_lock (&call.lock);
  while (!call.done)
    g_cond_wait (&call.cond, &call.lock);
  g_mutex_unlock (&call.lock);
  g_mutex_clear (&call.lock);
  g_cond_clear (&call.cond);
}
