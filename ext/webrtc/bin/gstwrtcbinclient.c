/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcbinclient.h"
#include "gstwrtchttpclient.h"

GST_DEBUG_CATEGORY_STATIC (gst_wrtc_bin_client_debug);
#define GST_CAT_DEFAULT gst_wrtc_bin_client_debug

#define RETRY_MS 200
#define MAX_RETRIES 150

struct _GstWrtcClientSession
{
  GstWrtcPeer *peer;
  GstWrtcPeerSdpWait *offer;
  GstWrtcClientConfig config;   /* strings owned */
  gpointer user_data;
  GDestroyNotify notify;
  GCancellable *cancel;
  GThread *thread;

  GMutex lock;
  GCond cond;
  gboolean end, stopping;
};

static gpointer
session_thread (gpointer data)
{
  GstWrtcClientSession *cs = data;
  const GstWrtcClientConfig *cfg = &cs->config;
  GstWrtcHttpClientSession *hs = NULL;
  GError *err = NULL;
  gchar *offer, *location = NULL;
  guint retries = 0;

  if (!(offer = gst_wrtc_peer_sdp_wait_get (cs->offer, cs->cancel, &err)))
    goto fail;
  GST_DEBUG ("offer to %s:\n%s", cfg->url, offer);

  while (!(hs = gst_wrtc_http_client_post_offer (cfg->url, cfg->token, offer,
              0, cs->cancel, &err))) {
    if (!cfg->retry_unavailable || !g_error_matches (err,
            GST_WRTC_HTTP_CLIENT_ERROR, GST_WRTC_HTTP_CLIENT_ERROR_UNAVAILABLE)
        || retries++ >= MAX_RETRIES)
      goto fail;
    GST_INFO ("%s; again in %u ms", err->message, RETRY_MS);
    g_clear_error (&err);
    g_usleep (RETRY_MS * 1000);
    if (g_cancellable_is_cancelled (cs->cancel))
      goto out;
  }
  GST_DEBUG ("answer from %s:\n%s", hs->location, hs->answer);
  location = g_strdup (hs->location);
  if (!gst_wrtc_peer_set_answer (cs->peer, hs->answer, &err))
    goto fail;
  if (cfg->answered && !cfg->answered (cs->peer, location, cs->user_data, &err))
    goto fail;
  GST_INFO ("session %s live", location);

  /* until the bin ends it */
  g_mutex_lock (&cs->lock);
  while (!cs->end)
    g_cond_wait (&cs->cond, &cs->lock);
  g_mutex_unlock (&cs->lock);
  goto out;

fail:
  g_mutex_lock (&cs->lock);
  if (!cs->stopping && cfg->failed)
    cfg->failed (cs->peer, cfg->url, err, cs->user_data);
  g_mutex_unlock (&cs->lock);
out:
  /* RFC 9725 section 4.2: the session's resource goes */
  g_clear_error (&err);
  if (location && !gst_wrtc_http_client_delete (location, cfg->token,
          GST_WRTC_CLIENT_DELETE_TIMEOUT_S, NULL, &err)) {
    GST_INFO ("ending %s: %s", location, err->message);
    g_clear_error (&err);
  }
  g_free (location);
  g_free (offer);
  gst_wrtc_http_client_session_free (hs);
  return NULL;
}

GstWrtcClientSession *
gst_wrtc_client_session_start (GstWrtcPeer * peer, GstWrtcPeerSdpWait * offer,
    const GstWrtcClientConfig * config, gpointer user_data,
    GDestroyNotify notify)
{
  GstWrtcClientSession *cs = g_new0 (GstWrtcClientSession, 1);

  GST_DEBUG_CATEGORY_INIT (gst_wrtc_bin_client_debug, "wrtcbinclient", 0,
      "WHIP/WHEP client sessions of the bins");
  cs->peer = g_object_ref (peer);
  cs->offer = gst_wrtc_peer_sdp_wait_ref (offer);
  cs->config = *config;
  cs->config.thread_name = g_strdup (config->thread_name);
  cs->config.url = g_strdup (config->url);
  cs->config.token = g_strdup (config->token);
  cs->user_data = user_data;
  cs->notify = notify;
  cs->cancel = g_cancellable_new ();
  g_mutex_init (&cs->lock);
  g_cond_init (&cs->cond);
  cs->thread = g_thread_new (cs->config.thread_name, session_thread, cs);
  return cs;
}

void
gst_wrtc_client_session_end (GstWrtcClientSession * cs)
{
  g_mutex_lock (&cs->lock);
  cs->end = TRUE;
  g_cond_broadcast (&cs->cond);
  g_mutex_unlock (&cs->lock);
}

void
gst_wrtc_client_session_stop (GstWrtcClientSession * cs)
{
  g_mutex_lock (&cs->lock);
  cs->end = cs->stopping = TRUE;
  g_cond_broadcast (&cs->cond);
  g_mutex_unlock (&cs->lock);
  /* a POST or the wait for our offer gives up; a DELETE runs bounded */
  g_cancellable_cancel (cs->cancel);
  g_thread_join (cs->thread);

  if (cs->notify)
    cs->notify (cs->user_data);
  g_object_unref (cs->cancel);
  gst_wrtc_peer_sdp_wait_unref (cs->offer);
  g_object_unref (cs->peer);
  g_free ((gchar *) cs->config.thread_name);
  g_free ((gchar *) cs->config.url);
  g_free ((gchar *) cs->config.token);
  g_mutex_clear (&cs->lock);
  g_cond_clear (&cs->cond);
  g_free (cs);
}
