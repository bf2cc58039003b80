/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: webrtcsink's viewers (see gstwrtcsink-private.h).
 *
 * A viewer is a WHEP session of the server (RFC 9725: an offer POSTed to
 * /whep, our answer, DELETE or a failed peer ends it) or, with whip-url,
 * the WHIP publisher (our offer POSTed to the WHIP server by a client
 * session).  Each has a peer connection that sends every input, in the
 * codec negotiated with it, and a life cycle (gstwrtcbinstates.h) changed
 * only by viewer_set_state_locked().  An offer that comes before every
 * input had its first caps (the codecs are not known yet) waits for
 * them, or gets 503 after PENDING_TIMEOUT_MS.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include "gstwrtcsink-private.h"

GST_DEBUG_CATEGORY_EXTERN (gst_wrtc_webrtc_sink_debug);
#define GST_CAT_DEFAULT gst_wrtc_webrtc_sink_debug

/* how long an offer waits for the first caps of every input */
#define PENDING_TIMEOUT_MS 5000
/* bounds the closes when stopping (TURN allocations deleted) */
#define CLOSE_TIMEOUT_US (2 * G_USEC_PER_SEC)

static Viewer *
viewer_ref (Viewer * v)
{
  return g_atomic_rc_box_acquire (v);
}

static void
viewer_clear (Viewer * v)
{
  g_free (v->id);
  gst_clear_object (&v->peer);
  g_clear_pointer (&v->inputs, g_ptr_array_unref);
  g_free (v->codecs);
  g_clear_object (&v->server);
  gst_clear_object (&v->sink);
}

static void
viewer_unref (Viewer * v)
{
  g_atomic_rc_box_release_full (v, (GDestroyNotify) viewer_clear);
}

static void
viewer_closure_notify (gpointer data, GClosure * closure)
{
  viewer_unref (data);
}

/* The one setter of a viewer's state.  Sink lock. */
static gboolean
viewer_set_state_locked (Viewer * v, GstWrtcViewerState to)
{
  if (!gst_wrtc_fsm_transition (gst_wrtc_viewer_state_machine (), v->sink,
          v->id, v->state, to))
    return FALSE;
  v->state = to;
  return TRUE;
}

static gboolean
viewer_set_state (Viewer * v, GstWrtcViewerState to)
{
  gboolean ok;

  g_mutex_lock (&v->sink->lock);
  ok = viewer_set_state_locked (v, to);
  g_mutex_unlock (&v->sink->lock);
  return ok;
}

static GstWrtcViewerState
viewer_get_state (Viewer * v)
{
  GstWrtcViewerState state;

  g_mutex_lock (&v->sink->lock);
  state = v->state;
  g_mutex_unlock (&v->sink->lock);
  return state;
}

/* The branch viewer @v is sent on track @track, or NULL.  Sink lock. */
static Branch *
viewer_branch_locked (Viewer * v, guint track)
{
  Input *in;

  if (track >= v->inputs->len || v->codecs[track] < 0)
    return NULL;
  in = g_ptr_array_index (v->inputs, track);
  return g_ptr_array_index (in->branches, v->codecs[track]);
}

/* ------------------------------------------------------------------------
 * Peer callbacks (ICE/DTLS threads)
 */
static void
on_keyframe_request (GstWrtcPeer * peer, guint track, Viewer * v)
{
  Branch *b;

  g_mutex_lock (&v->sink->lock);
  b = viewer_branch_locked (v, track);
  g_mutex_unlock (&v->sink->lock);
  /* @b lives as long as its input, which @v holds */
  if (b)
    gst_wrtc_sink_branch_request_keyframe (b, FALSE);
}

/* A live viewer's peer failed or closed: the session's end. */
static void
viewer_lost (Viewer * v, GstWrtcPeerState state)
{
  if (v->server) {
    gst_wrtc_http_server_end_session (v->server, v->id);
    return;
  }
  /* the publisher's session is the element's purpose: its end (ICE or
   * DTLS failure, consent lost, the server's close_notify) is an error */
  GST_ELEMENT_ERROR (v->sink, RESOURCE, WRITE,
      ("The WHIP session ended"), ("%s",
          state == GST_WRTC_PEER_STATE_FAILED ? "the connection failed "
          "(ICE, DTLS or consent)" : "the WHIP server closed it"));
}

static void
on_state_changed (GstWrtcPeer * peer, guint state, Viewer * v)
{
  guint i;

  GST_INFO_OBJECT (v->sink, "viewer %s: %s", v->id,
      gst_wrtc_peer_state_name (state));
  /* a joining viewer starts with a keyframe (coalesced with the others') */
  if (state == GST_WRTC_PEER_STATE_CONNECTED) {
    for (i = 0; i < v->inputs->len; i++)
      on_keyframe_request (peer, i, v);
  }
  /* negotiating: the answer path reports it; closing: ours */
  if ((state == GST_WRTC_PEER_STATE_FAILED
          || state == GST_WRTC_PEER_STATE_CLOSED)
      && viewer_get_state (v) == GST_WRTC_VIEWER_LIVE)
    viewer_lost (v, state);
}

/* The codec of each track is decided: @v joins those branches and is
 * live (unless it is closing already: stopping).  TRUE when it is. */
static gboolean
viewer_negotiated (Viewer * v)
{
  GstWrtcWebrtcSink *self = v->sink;
  GPtrArray *started = g_ptr_array_new ();
  gboolean live;
  guint i;

  g_mutex_lock (&self->lock);
  live = v->state == GST_WRTC_VIEWER_NEGOTIATING
      && viewer_set_state_locked (v, GST_WRTC_VIEWER_LIVE);
  for (i = 0; live && i < v->inputs->len; i++) {
    Input *in = g_ptr_array_index (v->inputs, i);
    gint c = gst_wrtc_peer_get_track_codec (v->peer, i);
    Branch *b;
    if (v->codecs[i] >= 0 || c < 0 || (guint) c >= in->branches->len)
      continue;
    v->codecs[i] = c;
    b = g_ptr_array_index (in->branches, c);
    GST_INFO_OBJECT (self, "viewer %s: %s gets %s", v->id, in->name,
        b->codec->name);
    if (gst_wrtc_sink_branch_use_locked (b, 1)) {
      gst_wrtc_sink_input_ref (in);     /* keeps @b */
      g_ptr_array_add (started, b);
    }
  }
  g_mutex_unlock (&self->lock);
  /* its data channels, before DTLS connects and the association starts */
  if (live)
    gst_wrtc_bin_data_add_peer (self->data, v->id, v->peer);
  for (i = 0; i < started->len; i++) {
    Branch *b = g_ptr_array_index (started, i);
    gst_wrtc_sink_branch_request_keyframe (b, TRUE);
    gst_wrtc_sink_input_unref (b->in);
  }
  g_ptr_array_unref (started);
  return live;
}

/* Failed while negotiating: on_state_changed left it to us. */
static void
viewer_check_lost (Viewer * v)
{
  GstWrtcPeerState state = gst_wrtc_peer_get_state (v->peer);

  if (state >= GST_WRTC_PEER_STATE_FAILED)
    viewer_lost (v, state);
}

static void
on_answer (GstWrtcPeer * peer, const gchar * sdp, const GError * error,
    gpointer user_data)
{
  Viewer *v = user_data;

  gboolean live = FALSE;

  if (error)
    GST_WARNING_OBJECT (v->sink, "viewer %s: no answer: %s", v->id,
        error->message);
  else
    live = viewer_negotiated (v);
  gst_wrtc_http_server_complete_offer (v->server, v->id, error ? NULL : sdp,
      error);
  /* after the 201: ending it before would turn that into a 503 */
  if (live)
    viewer_check_lost (v);
  viewer_unref (v);
}

/* ------------------------------------------------------------------------
 * Viewers
 */

/* A viewer (or the WHIP publisher: @server NULL) of every input, and the
 * tracks its peer sends: per input its codecs (preference order) and a
 * stream per codec, which the peer copies (*@scratch holds them until
 * then).  Sink lock. */
static Viewer *
viewer_new_locked (GstWrtcWebrtcSink * self, const gchar * id,
    GstWrtcHttpServer * server, GstWrtcPeer * peer,
    GstWrtcPeerTrack ** tracks_out, GPtrArray ** scratch_out)
{
  GstWrtcPeerTrack *tracks;
  GPtrArray *scratch;
  Viewer *v;
  guint i, j, n;

  v = g_atomic_rc_box_new0 (Viewer);
  v->sink = gst_object_ref (self);
  v->server = server ? g_object_ref (server) : NULL;
  v->id = g_strdup (id);
  v->peer = peer;
  v->state = GST_WRTC_VIEWER_NEGOTIATING;
  v->inputs = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_wrtc_sink_input_unref);
  n = self->inputs->len;
  v->codecs = g_new (gint, n);
  tracks = g_new0 (GstWrtcPeerTrack, n);
  scratch = g_ptr_array_new_with_free_func (g_free);
  for (i = 0; i < n; i++) {
    Input *in = g_ptr_array_index (self->inputs, i);
    GstWrtcCodecCap *caps = g_new0 (GstWrtcCodecCap, in->branches->len);
    GstWrtcRtpStream **streams = g_new0 (GstWrtcRtpStream *,
        in->branches->len);
    for (j = 0; j < in->branches->len; j++) {
      Branch *b = g_ptr_array_index (in->branches, j);
      caps[j] = b->cap;
      streams[j] = b->stream;
    }
    g_ptr_array_add (scratch, caps);
    g_ptr_array_add (scratch, streams);
    g_ptr_array_add (v->inputs, gst_wrtc_sink_input_ref (in));
    v->codecs[i] = -1;
    tracks[i].kind = in->kind;
    tracks[i].codecs = caps;
    tracks[i].n_codecs = in->branches->len;
    tracks[i].streams = streams;
    tracks[i].stream_id = "webrtcsink";
    tracks[i].track_id = in->name;
  }
  g_hash_table_insert (self->viewers, v->id, v);
  *tracks_out = tracks;
  *scratch_out = scratch;
  return v;
}

static void
viewer_connect (Viewer * v)
{
  g_signal_connect_data (v->peer, "keyframe-request",
      G_CALLBACK (on_keyframe_request), viewer_ref (v),
      viewer_closure_notify, 0);
  g_signal_connect_data (v->peer, "state-changed",
      G_CALLBACK (on_state_changed), viewer_ref (v), viewer_closure_notify, 0);
}

/* Takes @v out of the branches and closes its peer (already out of the
 * table; the caller's ref is dropped).  @wait: also wait for the close to
 * finish (stopping), else it finishes on the ICE thread. */
static void
viewer_end (Viewer * v, gboolean wait)
{
  GstWrtcWebrtcSink *self = v->sink;
  guint i;

  g_mutex_lock (&self->lock);
  viewer_set_state_locked (v, GST_WRTC_VIEWER_CLOSING);
  /* the encoders it alone watched go idle */
  for (i = 0; i < v->inputs->len; i++) {
    Branch *b = viewer_branch_locked (v, i);
    if (b)
      gst_wrtc_sink_branch_use_locked (b, -1);
    v->codecs[i] = -1;
  }
  g_mutex_unlock (&self->lock);
  g_signal_handlers_disconnect_by_func (v->peer, on_keyframe_request, v);
  g_signal_handlers_disconnect_by_func (v->peer, on_state_changed, v);
  gst_wrtc_bin_data_remove_peer (self->data, v->id);
  if (wait) {
    if (!gst_wrtc_peer_close_and_wait (v->peer, CLOSE_TIMEOUT_US))
      GST_WARNING_OBJECT (self, "viewer %s: still closing", v->id);
  } else {
    gst_wrtc_peer_close (v->peer);
  }
  viewer_set_state (v, GST_WRTC_VIEWER_CLOSED);
  if (v->server)
    gst_wrtc_webrtc_sink_emit_viewer (self, FALSE, v->id);
  viewer_unref (v);
}

/* Creates the viewer of an offer and starts answering it. */
static gboolean
start_viewer (GstWrtcWebrtcSink * self, GstWrtcHttpServer * server,
    const gchar * session_id, const gchar * offer_sdp,
    const gchar * client_address, GError ** error)
{
  GstWrtcPeerTrack *tracks;
  GPtrArray *scratch;
  GstWrtcPeer *peer;
  Viewer *v;
  guint n;

  /* a viewer's data channel section is accepted (RFC 8841) when the sink
   * has a use for it, else rejected (port 0): each association costs
   * about 7 MB (usrsctp's tables for 65535 streams each way) */
  if (!(peer = gst_wrtc_bin_settings_new_peer (&self->settings, TRUE,
              gst_wrtc_webrtc_sink_wants_data (self), error)))
    return FALSE;
  g_mutex_lock (&self->lock);
  if (!self->serving || self->inputs->len == 0
      || !gst_wrtc_sink_inputs_ready_locked (self)) {
    g_set_error (error, GST_WRTC_HTTP_ERROR, GST_WRTC_HTTP_ERROR_UNAVAILABLE,
        !self->serving ? "webrtcsink is stopping" :
        self->inputs->len == 0 ? "webrtcsink has no inputs yet" :
        "webrtcsink has an input without media yet; try again");
    g_mutex_unlock (&self->lock);
    g_object_unref (peer);
    return FALSE;
  }
  v = viewer_new_locked (self, session_id, server, peer, &tracks, &scratch);
  n = self->inputs->len;
  self->viewers_total++;
  g_mutex_unlock (&self->lock);

  viewer_connect (v);
  GST_INFO_OBJECT (self, "viewer %s from %s", session_id, client_address);
  gst_wrtc_webrtc_sink_emit_viewer (self, TRUE, session_id);
  gst_wrtc_peer_create_answer (peer, offer_sdp, tracks, n, NULL, 0,
      on_answer, viewer_ref (v));
  g_free (tracks);
  g_ptr_array_unref (scratch);
  return TRUE;
}

/* ------------------------------------------------------------------------
 * Offers waiting for media
 */
typedef struct
{
  GstWrtcHttpServer *server;    /* a ref */
  gchar *id, *offer, *client;
} PendingOffer;

typedef struct
{
  GWeakRef sink;
  gchar *id;
} PendingTimer;

static void
pending_offer_free (PendingOffer * p)
{
  g_object_unref (p->server);
  g_free (p->id);
  g_free (p->offer);
  g_free (p->client);
  g_free (p);
}

GPtrArray *
gst_wrtc_sink_pending_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) pending_offer_free);
}

static void
pending_timer_free (gpointer data)
{
  PendingTimer *t = data;

  g_weak_ref_clear (&t->sink);
  g_free (t->id);
  g_free (t);
}

/* Removes and returns the pending offer of @id, or NULL.  Sink lock. */
static PendingOffer *
steal_pending_locked (GstWrtcWebrtcSink * self, const gchar * id)
{
  guint i;

  for (i = 0; i < self->pending->len; i++) {
    PendingOffer *p = g_ptr_array_index (self->pending, i);
    if (!strcmp (p->id, id))
      return g_ptr_array_steal_index (self->pending, i);
  }
  return NULL;
}

static gboolean
on_pending_timeout (gpointer data)
{
  PendingTimer *t = data;
  GstWrtcWebrtcSink *self = g_weak_ref_get (&t->sink);
  PendingOffer *p;
  GError *err = NULL;

  if (!self)
    return G_SOURCE_REMOVE;
  g_mutex_lock (&self->lock);
  p = steal_pending_locked (self, t->id);
  g_mutex_unlock (&self->lock);
  if (p) {
    g_set_error (&err, GST_WRTC_HTTP_ERROR, GST_WRTC_HTTP_ERROR_UNAVAILABLE,
        "webrtcsink has an input without media after %u ms; try again",
        PENDING_TIMEOUT_MS);
    gst_wrtc_http_server_complete_offer (p->server, p->id, NULL, err);
    g_clear_error (&err);
    pending_offer_free (p);
  }
  gst_object_unref (self);
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------------
 * WHEP server callbacks (the server's thread)
 */
static gchar *
on_offer (GstWrtcHttpServer * server, const gchar * endpoint,
    const gchar * session_id, const gchar * offer_sdp,
    const gchar * client_address, gpointer user_data, GError ** error)
{
  GstWrtcWebrtcSink *self = user_data;
  GstWrtcSessionDesc *desc;
  PendingTimer *t;
  PendingOffer *p;

  /* a bad offer is a 4xx whatever our state (the peer parses it again) */
  if (!(desc = gst_wrtc_session_desc_parse (offer_sdp, error)))
    return NULL;
  gst_wrtc_session_desc_free (desc);

  g_mutex_lock (&self->lock);
  if (self->inputs->len == 0 || gst_wrtc_sink_inputs_ready_locked (self)) {
    g_mutex_unlock (&self->lock);
    start_viewer (self, server, session_id, offer_sdp, client_address, error);
    return NULL;
  }
  /* the codecs of an input are known once its first caps came (a camera
   * may take a moment): answer then, or 503 after PENDING_TIMEOUT_MS */
  p = g_new0 (PendingOffer, 1);
  p->server = g_object_ref (server);
  p->id = g_strdup (session_id);
  p->offer = g_strdup (offer_sdp);
  p->client = g_strdup (client_address);
  g_ptr_array_add (self->pending, p);
  g_mutex_unlock (&self->lock);
  GST_INFO_OBJECT (self, "viewer %s waits for the first caps of every input",
      session_id);

  t = g_new0 (PendingTimer, 1);
  g_weak_ref_init (&t->sink, self);
  t->id = g_strdup (session_id);
  gst_wrtc_http_server_add_timeout (server, PENDING_TIMEOUT_MS,
      on_pending_timeout, t, pending_timer_free);
  return NULL;
}

static gboolean
on_candidates (GstWrtcHttpServer * server, const gchar * session_id,
    const GstWrtcSdpFrag * frag, gpointer user_data, GError ** error)
{
  GstWrtcWebrtcSink *self = user_data;
  GstWrtcPeer *peer = NULL;
  Viewer *v;

  g_mutex_lock (&self->lock);
  v = g_hash_table_lookup (self->viewers, session_id);
  if (v)
    peer = g_object_ref (v->peer);
  g_mutex_unlock (&self->lock);
  return gst_wrtc_bin_add_remote_candidates (peer, frag, GST_OBJECT (self),
      "viewer", error);
}

static void
on_end (GstWrtcHttpServer * server, const gchar * session_id,
    GstWrtcHttpEndReason reason, gpointer user_data)
{
  GstWrtcWebrtcSink *self = user_data;
  PendingOffer *p;
  Viewer *v = NULL;

  g_mutex_lock (&self->lock);
  g_hash_table_steal_extended (self->viewers, session_id, NULL,
      (gpointer *) & v);
  p = steal_pending_locked (self, session_id);
  g_mutex_unlock (&self->lock);
  if (p)
    pending_offer_free (p);
  GST_INFO_OBJECT (self, "viewer %s ended: %s", session_id,
      gst_wrtc_http_end_reason_to_string (reason));
  if (v)
    viewer_end (v, FALSE);
}

const GstWrtcHttpCallbacks gst_wrtc_sink_whep_callbacks = {
  on_offer, on_candidates, on_end
};

/* ------------------------------------------------------------------------
 * WHIP publishing (RFC 9725 section 4.2): with whip-url, webrtcsink is
 * also a WHIP client.  The WHIP server is one more viewer
 * (GST_WRTC_SINK_PUBLISHER_ID, no HTTP server session) whose session a
 * client session runs: our sendonly offer, POSTed, its answer.
 */
static gboolean
on_publisher_answered (GstWrtcPeer * peer, const gchar * location,
    gpointer user_data, GError ** error)
{
  Viewer *v = user_data;

  GST_INFO_OBJECT (v->sink, "publishing (session %s)", location);
  /* from here a failure is the session's end (on_state_changed) */
  if (viewer_negotiated (v))
    viewer_check_lost (v);
  return TRUE;
}

static void
on_publisher_failed (GstWrtcPeer * peer, const gchar * url,
    const GError * error, gpointer user_data)
{
  Viewer *v = user_data;

  GST_ELEMENT_ERROR (v->sink, RESOURCE, OPEN_WRITE,
      ("Could not publish to the WHIP server %s", url), ("%s", error->message));
}

/* With whip-url, once every input knows its codecs: the publisher's offer
 * and the client session that takes it to the server.  Any thread. */
static void
maybe_start_publisher (GstWrtcWebrtcSink * self)
{
  GstWrtcClientConfig cfg = { "wrtc-whip", NULL, NULL, FALSE,
    on_publisher_answered, on_publisher_failed
  };
  GstWrtcPeerTrack *tracks;
  GPtrArray *scratch;
  GstWrtcPeer *peer;
  GstWrtcPeerSdpWait *offer;
  GError *err = NULL;
  gchar *url, *token;
  Viewer *v;
  guint n;

  url = gst_wrtc_bin_settings_dup_string (&self->settings, PROP_WHIP_URL);
  g_mutex_lock (&self->lock);
  if (!url || self->whip_tried || !self->serving
      || self->inputs->len == 0 || !gst_wrtc_sink_inputs_ready_locked (self)) {
    g_mutex_unlock (&self->lock);
    g_free (url);
    return;
  }
  self->whip_tried = TRUE;
  g_mutex_unlock (&self->lock);
  token = gst_wrtc_bin_settings_dup_string (&self->settings, PROP_WHIP_TOKEN);

  /* a data channel section only for data_%u pads: a WHIP server need not
   * take one */
  if (!(peer = gst_wrtc_bin_settings_new_peer (&self->settings, TRUE,
              gst_wrtc_bin_data_has_sink_pads (self->data), &err))) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE,
        ("Could not publish to the WHIP server %s", url), ("%s", err->message));
    g_clear_error (&err);
    goto out;
  }
  g_mutex_lock (&self->lock);
  v = viewer_new_locked (self, GST_WRTC_SINK_PUBLISHER_ID, NULL, peer,
      &tracks, &scratch);
  n = self->inputs->len;
  offer = gst_wrtc_peer_sdp_wait_new ();
  cfg.url = url;
  cfg.token = token;
  self->whip = gst_wrtc_client_session_start (peer, offer, &cfg,
      viewer_ref (v), (GDestroyNotify) viewer_unref);
  g_mutex_unlock (&self->lock);

  viewer_connect (v);
  GST_INFO_OBJECT (self, "publishing to %s", url);
  gst_wrtc_peer_create_send_offer (peer, tracks, n,
      gst_wrtc_peer_sdp_wait_func, offer);
  g_free (tracks);
  g_ptr_array_unref (scratch);
out:
  g_free (url);
  g_free (token);
}

/* Every input knows its codecs now (or one went): answer the offers that
 * waited, and publish to the WHIP server. */
void
gst_wrtc_sink_inputs_changed (GstWrtcWebrtcSink * self)
{
  GPtrArray *ready = NULL;
  guint i;

  g_mutex_lock (&self->lock);
  if (self->pending->len && gst_wrtc_sink_inputs_ready_locked (self)) {
    ready = self->pending;
    self->pending = gst_wrtc_sink_pending_new ();
  }
  g_mutex_unlock (&self->lock);
  for (i = 0; ready && i < ready->len; i++) {
    PendingOffer *p = g_ptr_array_index (ready, i);
    GError *err = NULL;
    if (!start_viewer (self, p->server, p->id, p->offer, p->client, &err)) {
      gst_wrtc_http_server_complete_offer (p->server, p->id, NULL, err);
      g_clear_error (&err);
    }
  }
  if (ready)
    g_ptr_array_unref (ready);
  maybe_start_publisher (self);
}

/* Going to NULL, before the server stops: no new viewer from now on, the
 * WHIP session ends (DELETE), every viewer closes, and we wait for the
 * closes (TURN allocations deleted, RFC 8656 section 7) so nothing of
 * ours runs on the ICE thread in NULL.  Each server session ends with the
 * server. */
void
gst_wrtc_sink_stop_viewers (GstWrtcWebrtcSink * self)
{
  GstWrtcClientSession *whip;
  GHashTableIter it;
  gpointer value;
  GPtrArray *left = g_ptr_array_new ();
  guint i;

  g_mutex_lock (&self->lock);
  self->serving = FALSE;
  whip = g_steal_pointer (&self->whip);
  self->whip_tried = FALSE;
  g_hash_table_iter_init (&it, self->viewers);
  while (g_hash_table_iter_next (&it, NULL, &value)) {
    Viewer *v = value;
    viewer_set_state_locked (v, GST_WRTC_VIEWER_CLOSING);
    g_ptr_array_add (left, v);
    g_hash_table_iter_steal (&it);
  }
  /* offers still waiting for media: their sessions end with the server */
  g_ptr_array_set_size (self->pending, 0);
  g_mutex_unlock (&self->lock);
  if (whip)
    gst_wrtc_client_session_stop (whip);
  /* every close starts before the first wait: one wait in all */
  for (i = 0; i < left->len; i++)
    gst_wrtc_peer_close (((Viewer *) g_ptr_array_index (left, i))->peer);
  for (i = 0; i < left->len; i++)
    viewer_end (g_ptr_array_index (left, i), TRUE);
  g_ptr_array_unref (left);
}

/* ------------------------------------------------------------------------
 * Stats
 */
static gint
compare_viewers (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(Viewer **) a)->id, (*(Viewer **) b)->id);
}

/* Per viewer, a W3C "peer-connection" with its state, an "outbound-rtp"
 * per track sent to it and a "remote-inbound-rtp" with what its RTCP
 * receiver reports said. */
void
gst_wrtc_sink_add_viewer_stats (GstWrtcWebrtcSink * self, GstStructure * s,
    gboolean full_ids)
{
  GPtrArray *viewers = g_ptr_array_new_with_free_func ((GDestroyNotify)
      viewer_unref);
  GValue peers = G_VALUE_INIT;
  GHashTableIter it;
  gpointer value;
  guint i, t;

  /* a snapshot: the peers' locks are never taken under ours */
  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&it, self->viewers);
  while (g_hash_table_iter_next (&it, NULL, &value))
    g_ptr_array_add (viewers, viewer_ref (value));
  g_mutex_unlock (&self->lock);
  g_ptr_array_sort (viewers, compare_viewers);

  g_value_init (&peers, GST_TYPE_ARRAY);
  for (i = 0; i < viewers->len; i++) {
    Viewer *v = g_ptr_array_index (viewers, i);
    GValue out = G_VALUE_INIT, remote = G_VALUE_INIT;
    GstStructure *pc;
    gchar *id;

    g_value_init (&out, GST_TYPE_ARRAY);
    g_value_init (&remote, GST_TYPE_ARRAY);
    for (t = 0; t < v->inputs->len; t++) {
      Input *in = g_ptr_array_index (v->inputs, t);
      gst_wrtc_stats_add_sent_track (&out, &remote, v->peer, t, in->kind,
          in->name);
    }
    /* the session id is the key to the viewer's session URL (RFC 9725
     * section 4.2): over HTTP only its first 8 digits */
    id = full_ids ? g_strdup (v->id) : g_strndup (v->id, 8);
    pc = gst_wrtc_stats_peer_connection (id, v->peer, &out, &remote);
    gst_wrtc_bin_data_add_stats (self->data, v->id, pc);
    gst_wrtc_stats_take (&peers, pc);
    g_free (id);
  }
  g_ptr_array_unref (viewers);
  gst_structure_take_value (s, "peers", &peers);
}
