/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: one WHIP or WHEP client session (RFC 9725 section
 * 4.2), for both bins: webrtcsink publishing to a WHIP server, webrtcsrc
 * pulling from a WHEP server.
 *
 * The session runs on a thread of its own (the HTTP client calls block):
 * it waits for our offer, POSTs it, hands the answer to the peer, tells
 * the bin, then waits until the bin ends the session and sends DELETE
 * (bounded by one timeout).  Our offer carries every candidate (gathering
 * is immediate), so no trickle PATCH is needed; remote candidates come in
 * the answer.
 */
#ifndef __GST_WRTC_BIN_CLIENT_H__
#define __GST_WRTC_BIN_CLIENT_H__

#include <gst/gst.h>
#include "gstwrtcpeer.h"

G_BEGIN_DECLS
/* bounds the DELETE that ends a session */
#define GST_WRTC_CLIENT_DELETE_TIMEOUT_S 2
typedef struct _GstWrtcClientSession GstWrtcClientSession;

/* The answer is set on the peer (the session's thread).  FALSE with
 * @error fails the session. */
typedef gboolean (*GstWrtcClientAnsweredFunc) (GstWrtcPeer * peer,
    const gchar * location, gpointer user_data, GError ** error);
/* The session could not be set up (the session's thread); never called
 * once gst_wrtc_client_session_stop() began. */
typedef void (*GstWrtcClientFailedFunc) (GstWrtcPeer * peer,
    const gchar * url, const GError * error, gpointer user_data);

typedef struct
{
  const gchar *thread_name;     /* "wrtc-whep" */
  const gchar *url, *token;
  /* WHEP: a 503 (a server with no media yet, e.g. webrtcsink before its
   * first buffer) is asked again, every 200 ms for about 30 s */
  gboolean retry_unavailable;
  GstWrtcClientAnsweredFunc answered;
  GstWrtcClientFailedFunc failed;
} GstWrtcClientConfig;

/* Starts the session of @peer whose offer @offer will give (a ref is
 * taken; pass the same wait to the peer's offer call). */
GstWrtcClientSession *gst_wrtc_client_session_start (GstWrtcPeer * peer,
    GstWrtcPeerSdpWait * offer, const GstWrtcClientConfig * config,
    gpointer user_data, GDestroyNotify notify);
/* Asks the session to end (DELETE) without waiting: any thread. */
void gst_wrtc_client_session_end (GstWrtcClientSession * cs);
/* Ends the session (DELETE when it has a resource), joins its thread and
 * frees it.  An application thread. */
void gst_wrtc_client_session_stop (GstWrtcClientSession * cs);

G_END_DECLS
#endif
