/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: webrtcsink, a bin that serves its inputs to browsers.
 */
/**
 * SECTION:element-webrtcsink
 * @title: webrtcsink
 *
 * Serves its inputs to any number of viewers over WebRTC.  Each input is
 * encoded once (VP8 for video, Opus for audio) and the packets fan out to
 * every connected viewer.  A built-in HTTP server serves a player page at
 * `GET /` and a WHEP endpoint (RFC 9725) at `/whep`; open the URL it prints
 * (also in the #GstWrtcWebrtcSink:url property) in a browser.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! webrtcsink name=s \
 *     audiotestsrc is-live=true ! s.audio_0
 * ]|
 * prints `webrtcsink: open http://127.0.0.1:8080/`.
 *
 * This cut takes raw video and raw audio only; encoded input (VP8, VP9,
 * H.264, AV1, Opus) is not accepted yet.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gio/gio.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "gstwrtcwebrtcsink.h"
#include "gstwrtcpeer.h"
#include "gstwrtcicecontext.h"
#include "gstwrtchttpserver.h"

GST_DEBUG_CATEGORY_STATIC (gst_wrtc_webrtc_sink_debug);
#define GST_CAT_DEFAULT gst_wrtc_webrtc_sink_debug

extern GResource *gst_wrtc_sink_get_resource (void);

#define DEFAULT_ADDRESS "127.0.0.1"
#define DEFAULT_PORT 8080
#define DEFAULT_MAX_VIEWERS 0
#define RESOURCE_PREFIX "/org/gstreamer/webrtc/sink/"
#define VIDEO_PT 96
#define AUDIO_PT 111
#define MTU 1200

enum
{
  PROP_0,
  PROP_ADDRESS,
  PROP_PORT,
  PROP_URL,
  PROP_STUN_SERVER,
  PROP_TURN_SERVERS,
  PROP_MAX_VIEWERS,
  PROP_TOKEN,
  PROP_LOCAL_ADDRESSES,
  PROP_STATS,
};

enum
{
  SIGNAL_VIEWER_ADDED,
  SIGNAL_VIEWER_REMOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const GstWrtcCodecCap vp8_caps[] = {
  {GST_WRTC_MEDIA_VIDEO, "VP8", 90000, 0, NULL},
};

static const GstWrtcCodecCap opus_caps[] = {
  {GST_WRTC_MEDIA_AUDIO, "OPUS", 48000, 2, "minptime=10;useinbandfec=1"},
};

/* One request pad: its encoder chain and the stream all viewers share.
 * Refcounted: viewers and keyframe requests may outlive the pad. */
typedef struct
{
  GstWrtcWebrtcSink *sink;      /* not a ref: inputs die with the sink */
  GstWrtcMediaKind kind;
  gchar *name;                  /* the pad name, also the track id */
  GstPad *ghost;
  GstPad *appsink_pad;          /* where force-key-unit goes upstream */
  GPtrArray *elements;          /* owned by the bin */
  GstWrtcRtpStream *stream;
} Input;

/* One viewer: a WHEP session and its peer connection. */
typedef struct
{
  GstWrtcWebrtcSink *sink;      /* a ref */
  GstWrtcHttpServer *server;    /* a ref */
  gchar *id;
  GstWrtcPeer *peer;
  GPtrArray *inputs;            /* Input, in track order */
} Viewer;

struct _GstWrtcWebrtcSink
{
  GstBin parent;

  GMutex lock;                  /* everything below */
  gchar *address;
  guint port;
  gchar *url;
  gchar *stun_server;
  gchar **turn_servers;
  guint max_viewers;
  gchar *token;
  gchar **local_addresses;
  GPtrArray *inputs;            /* Input */
  GHashTable *viewers;          /* id -> Viewer */
  guint video_count, audio_count;
  guint64 viewers_total;

  GstWrtcHttpServer *server;
};

#define gst_wrtc_webrtc_sink_parent_class parent_class
G_DEFINE_TYPE (GstWrtcWebrtcSink, gst_wrtc_webrtc_sink, GST_TYPE_BIN);

static GstStaticPadTemplate video_template =
GST_STATIC_PAD_TEMPLATE ("video_%u", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS ("video/x-raw"));
static GstStaticPadTemplate audio_template =
GST_STATIC_PAD_TEMPLATE ("audio_%u", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS ("audio/x-raw"));

/* Inputs */

static Input *
input_ref (Input * in)
{
  return g_atomic_rc_box_acquire (in);
}

static void
input_clear (Input * in)
{
  g_free (in->name);
  gst_clear_object (&in->ghost);
  gst_clear_object (&in->appsink_pad);
  g_clear_pointer (&in->elements, g_ptr_array_unref);
  g_clear_pointer (&in->stream, gst_wrtc_rtp_stream_unref);
}

static void
input_unref (Input * in)
{
  g_atomic_rc_box_release_full (in, (GDestroyNotify) input_clear);
}

/* Viewers */

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

/* Asks the encoder of @in for a keyframe, unless a request is pending. */
static void
input_request_keyframe (Input * in)
{
  if (in->kind != GST_WRTC_MEDIA_VIDEO)
    return;
  if (!gst_wrtc_rtp_stream_want_keyframe (in->stream, g_get_monotonic_time ()))
    return;
  GST_DEBUG_OBJECT (in->sink, "forcing a keyframe on %s", in->name);
  gst_pad_push_event (in->appsink_pad,
      gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE,
          0));
}

/* Peer callbacks (ICE/DTLS threads) */

static void
on_keyframe_request (GstWrtcPeer * peer, guint track, Viewer * v)
{
  if (track < v->inputs->len)
    input_request_keyframe (g_ptr_array_index (v->inputs, track));
}

static void
on_state_changed (GstWrtcPeer * peer, guint state, Viewer * v)
{
  GST_INFO_OBJECT (v->sink, "viewer %s: %s", v->id,
      gst_wrtc_peer_state_name (state));
  /* before the answer, on_answer ends the session with the right status */
  if ((state == GST_WRTC_PEER_STATE_FAILED
          || state == GST_WRTC_PEER_STATE_CLOSED)
      && g_object_get_data (G_OBJECT (peer), "wrtc-answered"))
    gst_wrtc_http_server_end_session (v->server, v->id);
}

static void
on_answer (GstWrtcPeer * peer, const gchar * sdp, const GError * error,
    gpointer user_data)
{
  GstWrtcHttpServer *server = g_object_get_data (G_OBJECT (peer),
      "wrtc-server");
  const gchar *id = g_object_get_data (G_OBJECT (peer), "wrtc-session");

  if (error)
    GST_WARNING_OBJECT (server, "session %s: no answer: %s", id,
        error->message);
  g_object_set_data (G_OBJECT (peer), "wrtc-answered", GINT_TO_POINTER (1));
  gst_wrtc_http_server_complete_offer (server, id, error ? NULL : sdp, error);
  /* failed while answering: on_state_changed left it to us */
  if (!error && gst_wrtc_peer_get_state (peer) >= GST_WRTC_PEER_STATE_FAILED)
    gst_wrtc_http_server_end_session (server, id);
}

/* HTTP callbacks (the server's thread) */

static gchar *
on_offer (GstWrtcHttpServer * server, const gchar * endpoint,
    const gchar * session_id, const gchar * offer_sdp,
    const gchar * client_address, gpointer user_data, GError ** error)
{
  GstWrtcWebrtcSink *self = user_data;
  GstWrtcPeerConfig cfg = { 0, };
  GstWrtcPeerTrack *tracks;
  GstWrtcPeer *peer;
  Viewer *v;
  guint i, n;

  g_mutex_lock (&self->lock);
  cfg.local_addresses = (const gchar * const *) self->local_addresses;
  cfg.stun_server = self->stun_server;
  cfg.turn_servers = (const gchar * const *) self->turn_servers;
  cfg.cname = "webrtcsink";
  peer = gst_wrtc_peer_new (&cfg, error);
  if (!peer) {
    g_mutex_unlock (&self->lock);
    return NULL;
  }
  if (self->inputs->len == 0) {
    g_mutex_unlock (&self->lock);
    g_object_unref (peer);
    g_set_error (error, GST_WRTC_HTTP_ERROR,
        GST_WRTC_HTTP_ERROR_UNAVAILABLE, "webrtcsink has no inputs yet");
    return NULL;
  }

  v = g_atomic_rc_box_new0 (Viewer);
  v->sink = gst_object_ref (self);
  v->server = g_object_ref (server);
  v->id = g_strdup (session_id);
  v->peer = peer;
  v->inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) input_unref);
  n = self->inputs->len;
  tracks = g_new0 (GstWrtcPeerTrack, n);
  for (i = 0; i < n; i++) {
    Input *in = g_ptr_array_index (self->inputs, i);
    g_ptr_array_add (v->inputs, input_ref (in));
    tracks[i].kind = in->kind;
    tracks[i].codecs = in->kind == GST_WRTC_MEDIA_VIDEO ? vp8_caps : opus_caps;
    tracks[i].n_codecs = 1;
    tracks[i].stream = in->stream;
    tracks[i].stream_id = "webrtcsink";
    tracks[i].track_id = in->name;
  }
  g_hash_table_insert (self->viewers, v->id, v);
  self->viewers_total++;
  g_mutex_unlock (&self->lock);

  g_object_set_data_full (G_OBJECT (peer), "wrtc-server",
      g_object_ref (server), g_object_unref);
  g_object_set_data_full (G_OBJECT (peer), "wrtc-session",
      g_strdup (session_id), g_free);
  g_signal_connect_data (peer, "keyframe-request",
      G_CALLBACK (on_keyframe_request), viewer_ref (v),
      viewer_closure_notify, 0);
  g_signal_connect_data (peer, "state-changed",
      G_CALLBACK (on_state_changed), viewer_ref (v), viewer_closure_notify, 0);

  GST_INFO_OBJECT (self, "viewer %s from %s", session_id, client_address);
  g_signal_emit (self, signals[SIGNAL_VIEWER_ADDED], 0, session_id);

  gst_wrtc_peer_create_answer (peer, offer_sdp, tracks, n, NULL, 0,
      on_answer, NULL);
  g_free (tracks);
  return NULL;
}

static gboolean
on_candidates (GstWrtcHttpServer * server, const gchar * session_id,
    const GstWrtcSdpFrag * frag, gpointer user_data, GError ** error)
{
  GstWrtcWebrtcSink *self = user_data;
  GstWrtcPeer *peer = NULL;
  Viewer *v;
  guint i;

  g_mutex_lock (&self->lock);
  v = g_hash_table_lookup (self->viewers, session_id);
  if (v)
    peer = g_object_ref (v->peer);
  g_mutex_unlock (&self->lock);
  if (!peer) {
    g_set_error (error, GST_WRTC_HTTP_ERROR, GST_WRTC_HTTP_ERROR_UNPROCESSABLE,
        "no such viewer");
    return FALSE;
  }

  for (i = 0; frag->candidates && i < frag->candidates->len; i++) {
    GstWrtcSdpFragCandidate *c = g_ptr_array_index (frag->candidates, i);
    GError *err = NULL;
    if (!gst_wrtc_peer_add_remote_candidate (peer, c->candidate, &err)) {
      GST_DEBUG_OBJECT (self, "viewer %s: candidate %s ignored: %s",
          session_id, c->candidate, err->message);
      g_clear_error (&err);
    }
  }
  if (frag->end_of_candidates)
    gst_wrtc_peer_end_of_remote_candidates (peer);
  g_object_unref (peer);
  return TRUE;
}

/* Closes and frees @v (already out of the table). */
static void
viewer_end (GstWrtcWebrtcSink * self, Viewer * v)
{
  gchar *id = g_strdup (v->id);

  g_signal_handlers_disconnect_by_func (v->peer, on_keyframe_request, v);
  g_signal_handlers_disconnect_by_func (v->peer, on_state_changed, v);
  gst_wrtc_peer_close (v->peer);
  viewer_unref (v);
  g_signal_emit (self, signals[SIGNAL_VIEWER_REMOVED], 0, id);
  g_free (id);
}

static void
on_end (GstWrtcHttpServer * server, const gchar * session_id,
    GstWrtcHttpEndReason reason, gpointer user_data)
{
  GstWrtcWebrtcSink *self = user_data;
  Viewer *v = NULL;

  g_mutex_lock (&self->lock);
  g_hash_table_steal_extended (self->viewers, session_id, NULL,
      (gpointer *) & v);
  g_mutex_unlock (&self->lock);
  GST_INFO_OBJECT (self, "viewer %s ended: %s", session_id,
      gst_wrtc_http_end_reason_to_string (reason));
  if (v)
    viewer_end (self, v);
}

static const GstWrtcHttpCallbacks whep_callbacks = {
  on_offer, on_candidates, on_end
};

/* Streaming threads */

typedef struct
{
  GstWrtcPeer *peer;
  guint track;
} Target;

static void
send_buffer (Input * in, GstBuffer * buf, GArray * targets)
{
  GstMapInfo map;
  guint i;

  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return;
  gst_wrtc_rtp_stream_remember (in->stream, map.data, map.size);
  for (i = 0; i < targets->len; i++) {
    Target *t = &g_array_index (targets, Target, i);
    gst_wrtc_peer_send_rtp (t->peer, t->track, map.data, map.size);
  }
  gst_buffer_unmap (buf, &map);
}

static GstFlowReturn
on_new_sample (GstAppSink * appsink, gpointer user_data)
{
  Input *in = user_data;
  GstWrtcWebrtcSink *self = in->sink;
  GstSample *sample = gst_app_sink_pull_sample (appsink);
  GArray *targets;
  GHashTableIter it;
  gpointer value;
  GstBufferList *list;
  GstBuffer *buf;
  guint i;

  if (!sample)
    return GST_FLOW_OK;

  /* a snapshot: the lock is never held while calling out */
  targets = g_array_new (FALSE, FALSE, sizeof (Target));
  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&it, self->viewers);
  while (g_hash_table_iter_next (&it, NULL, &value)) {
    Viewer *v = value;
    for (i = 0; i < v->inputs->len; i++) {
      if (g_ptr_array_index (v->inputs, i) == in) {
        Target t = { g_object_ref (v->peer), i };
        g_array_append_val (targets, t);
      }
    }
  }
  g_mutex_unlock (&self->lock);

  list = gst_sample_get_buffer_list (sample);
  if (list) {
    for (i = 0; i < gst_buffer_list_length (list); i++)
      send_buffer (in, gst_buffer_list_get (list, i), targets);
  } else if ((buf = gst_sample_get_buffer (sample))) {
    send_buffer (in, buf, targets);
  }

  for (i = 0; i < targets->len; i++)
    g_object_unref (g_array_index (targets, Target, i).peer);
  g_array_unref (targets);
  gst_sample_unref (sample);
  return GST_FLOW_OK;
}

static GstPadProbeReturn
encoder_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  Input *in = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);

  if (buf && !GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT))
    gst_wrtc_rtp_stream_keyframe_seen (in->stream);
  return GST_PAD_PROBE_OK;
}

/* Pads */

static GstElement *
make (Input * in, const gchar * factory, GError ** error)
{
  GstElement *e = gst_element_factory_make (factory, NULL);
  if (!e) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
        "element '%s' is missing", factory);
    return NULL;
  }
  g_ptr_array_add (in->elements, e);
  return e;
}

static GstPad *
gst_wrtc_webrtc_sink_request_new_pad (GstElement * element,
    GstPadTemplate * templ, const gchar * name, const GstCaps * caps)
{
  GstWrtcWebrtcSink *self = GST_WRTC_WEBRTC_SINK (element);
  GstElementClass *klass = GST_ELEMENT_GET_CLASS (element);
  gboolean video = templ == gst_element_class_get_pad_template (klass,
      "video_%u");
  GstAppSinkCallbacks callbacks = { NULL, NULL, on_new_sample, };
  const gchar *const *chain;
  static const gchar *const video_chain[] =
      { "queue", "videoconvert", "vp8enc", "rtpvp8pay", NULL };
  static const gchar *const audio_chain[] =
      { "queue", "audioconvert", "audioresample", "opusenc", "rtpopuspay",
    NULL
  };
  GError *err = NULL;
  GstElement *appsink, *enc = NULL, *pay = NULL, *first = NULL;
  GstPad *target, *encsrc;
  guint32 ssrc, rtx_ssrc;
  gchar *pad_name;
  Input *in;
  guint i;

  g_mutex_lock (&self->lock);
  if (name) {
    pad_name = g_strdup (name);
  } else if (video) {
    pad_name = g_strdup_printf ("video_%u", self->video_count++);
  } else {
    pad_name = g_strdup_printf ("audio_%u", self->audio_count++);
  }
  g_mutex_unlock (&self->lock);
  if (gst_element_get_static_pad (element, pad_name)) {
    GST_WARNING_OBJECT (self, "pad %s exists", pad_name);
    g_free (pad_name);
    return NULL;
  }

  in = g_atomic_rc_box_new0 (Input);
  in->sink = self;
  in->kind = video ? GST_WRTC_MEDIA_VIDEO : GST_WRTC_MEDIA_AUDIO;
  in->name = pad_name;
  /* not refs: the bin owns them, and they hold @in (appsink callbacks,
   * the encoder probe) without a ref, as the inputs live as long as the bin */
  in->elements = g_ptr_array_new ();
  ssrc = g_random_int ();
  rtx_ssrc = ssrc ^ 0x5a5a5a5a;
  in->stream = video ?
      gst_wrtc_rtp_stream_new (ssrc, rtx_ssrc, 90000, 512, 500000) :
      gst_wrtc_rtp_stream_new (ssrc, rtx_ssrc, 48000, 128, 500000);

  chain = video ? video_chain : audio_chain;
  for (i = 0; chain[i]; i++) {
    GstElement *e = make (in, chain[i], &err);
    if (!e)
      goto fail;
    if (!first)
      first = e;
    if (g_str_has_suffix (chain[i], "enc"))
      enc = e;
    if (g_str_has_suffix (chain[i], "pay"))
      pay = e;
  }
  if (!(appsink = make (in, "appsink", &err)))
    goto fail;

  if (video) {
    /* realtime; keyframes come when a viewer asks for one */
    gst_util_set_object_arg (G_OBJECT (enc), "deadline", "1");
    gst_util_set_object_arg (G_OBJECT (enc), "keyframe-max-dist", "3000");
    gst_util_set_object_arg (G_OBJECT (enc), "error-resilient", "default");
    gst_util_set_object_arg (G_OBJECT (pay), "picture-id-mode", "15-bit");
  }
  g_object_set (pay, "mtu", MTU, "pt", video ? VIDEO_PT : AUDIO_PT,
      "ssrc", ssrc, NULL);
  g_object_set (first, "max-size-buffers", 0, "max-size-bytes", 0,
      "max-size-time", (guint64) 200 * GST_MSECOND, "leaky", 2, NULL);
  g_object_set (appsink, "sync", FALSE, "async", FALSE, "buffer-list", TRUE,
      "max-buffers", 64, "drop", TRUE, NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (appsink), &callbacks, in, NULL);

  for (i = 0; i < in->elements->len; i++)
    gst_bin_add (GST_BIN (self), g_ptr_array_index (in->elements, i));
  for (i = 0; i + 1 < in->elements->len; i++) {
    if (!gst_element_link (g_ptr_array_index (in->elements, i),
            g_ptr_array_index (in->elements, i + 1))) {
      g_set_error (&err, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
          "could not link the encoder chain");
      goto fail_added;
    }
  }
  in->appsink_pad = gst_element_get_static_pad (appsink, "sink");
  encsrc = gst_element_get_static_pad (enc, "src");
  gst_pad_add_probe (encsrc, GST_PAD_PROBE_TYPE_BUFFER, encoder_probe,
      in, NULL);
  gst_object_unref (encsrc);

  for (i = 0; i < in->elements->len; i++)
    gst_element_sync_state_with_parent (g_ptr_array_index (in->elements, i));

  target = gst_element_get_static_pad (first, "sink");
  in->ghost = gst_ghost_pad_new_from_template (in->name, target, templ);
  gst_object_unref (target);
  gst_object_ref (in->ghost);
  g_object_set_data (G_OBJECT (in->ghost), "wrtc-input", in);
  if (GST_STATE (self) > GST_STATE_NULL)
    gst_pad_set_active (in->ghost, TRUE);

  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->inputs, in);
  g_mutex_unlock (&self->lock);

  gst_element_add_pad (element, in->ghost);
  GST_INFO_OBJECT (self, "new input %s", in->name);
  return in->ghost;

fail_added:
  for (i = 0; i < in->elements->len; i++) {
    GstElement *e = g_ptr_array_index (in->elements, i);
    gst_element_set_state (e, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (self), e);
  }
  goto error;
fail:
  for (i = 0; i < in->elements->len; i++)
    gst_object_unref (gst_object_ref_sink (g_ptr_array_index (in->elements,
                i)));
error:
  GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN, ("%s", err->message), (NULL));
  g_clear_error (&err);
  input_unref (in);
  return NULL;
}

static void
gst_wrtc_webrtc_sink_release_pad (GstElement * element, GstPad * pad)
{
  GstWrtcWebrtcSink *self = GST_WRTC_WEBRTC_SINK (element);
  Input *in = g_object_get_data (G_OBJECT (pad), "wrtc-input");
  guint i;

  if (!in)
    return;
  g_mutex_lock (&self->lock);
  input_ref (in);
  g_ptr_array_remove (self->inputs, in);
  g_mutex_unlock (&self->lock);

  g_object_set_data (G_OBJECT (pad), "wrtc-input", NULL);
  gst_element_remove_pad (element, pad);
  /* when the bin is disposed, its children are gone already */
  for (i = 0; i < in->elements->len; i++) {
    GstElement *e = g_ptr_array_index (in->elements, i);
    if (GST_OBJECT_PARENT (e) != GST_OBJECT (self))
      continue;
    gst_element_set_state (e, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (self), e);
  }
  input_unref (in);
}

/* Server */

static gboolean
add_page (GstWrtcWebrtcSink * self, const gchar * path, const gchar * file,
    const gchar * content_type)
{
  gchar *rpath = g_strconcat (RESOURCE_PREFIX, file, NULL);
  GBytes *body = g_resource_lookup_data (gst_wrtc_sink_get_resource (),
      rpath, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

  g_free (rpath);
  if (!body)
    return FALSE;
  gst_wrtc_http_server_set_static (self->server, path, content_type, body);
  g_bytes_unref (body);
  return TRUE;
}

static gboolean
start_server (GstWrtcWebrtcSink * self)
{
  GError *err = NULL;
  gchar *address, *url;
  guint port;

  g_mutex_lock (&self->lock);
  address = g_strdup (self->address);
  port = self->port;
  g_mutex_unlock (&self->lock);

  if (!gst_wrtc_http_server_start (self->server, address, port, NULL, NULL,
          &err)) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
        ("Could not start the HTTP server on %s port %u", address, port),
        ("%s", err->message));
    g_clear_error (&err);
    g_free (address);
    return FALSE;
  }
  g_free (address);
  url = gst_wrtc_http_server_get_url (self->server);
  g_mutex_lock (&self->lock);
  g_free (self->url);
  self->url = g_strdup (url);
  g_mutex_unlock (&self->lock);
  g_object_notify (G_OBJECT (self), "url");
  GST_INFO_OBJECT (self, "serving %s", url);
  g_print ("webrtcsink: open %s\n", url);
  g_free (url);
  return TRUE;
}

static void
stop_server (GstWrtcWebrtcSink * self)
{
  GHashTableIter it;
  gpointer value;
  GPtrArray *left = g_ptr_array_new ();
  guint i;

  /* ends every session through on_end */
  gst_wrtc_http_server_stop (self->server);

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&it, self->viewers);
  while (g_hash_table_iter_next (&it, NULL, &value)) {
    g_ptr_array_add (left, value);
    g_hash_table_iter_steal (&it);
  }
  g_clear_pointer (&self->url, g_free);
  g_mutex_unlock (&self->lock);
  for (i = 0; i < left->len; i++)
    viewer_end (self, g_ptr_array_index (left, i));
  g_ptr_array_unref (left);

  /* let the closes finish: TURN allocations are deleted (RFC 8656 section
   * 7) rather than left to expire, and nothing of ours runs on the ICE
   * thread once we are in NULL.  Bounded: a TURN server that does not
   * answer costs at most this. */
  if (!gst_wrtc_ice_context_wait_closes (2 * G_USEC_PER_SEC))
    GST_WARNING_OBJECT (self, "some ICE transports were still closing");
}

static GstStateChangeReturn
gst_wrtc_webrtc_sink_change_state (GstElement * element,
    GstStateChange transition)
{
  GstWrtcWebrtcSink *self = GST_WRTC_WEBRTC_SINK (element);
  GstStateChangeReturn ret;

  if (transition == GST_STATE_CHANGE_NULL_TO_READY) {
    if (!start_server (self))
      return GST_STATE_CHANGE_FAILURE;
  }

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);

  if (transition == GST_STATE_CHANGE_READY_TO_NULL
      || (transition == GST_STATE_CHANGE_NULL_TO_READY
          && ret == GST_STATE_CHANGE_FAILURE))
    stop_server (self);
  return ret;
}

/* GObject */

static gchar **
split_list (const GValue * value)
{
  const gchar *s = g_value_get_string (value);
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

static gchar *
join_list (gchar ** list)
{
  return list ? g_strjoinv (",", list) : NULL;
}

static GstStructure *
make_stats (GstWrtcWebrtcSink * self)
{
  GstStructure *s;
  GValue streams = G_VALUE_INIT;
  guint i;

  g_value_init (&streams, GST_TYPE_ARRAY);
  g_mutex_lock (&self->lock);
  s = gst_structure_new ("webrtcsink-stats",
      "viewers", G_TYPE_UINT, g_hash_table_size (self->viewers),
      "viewers-total", G_TYPE_UINT64, self->viewers_total, NULL);
  for (i = 0; i < self->inputs->len; i++) {
    Input *in = g_ptr_array_index (self->inputs, i);
    GValue v = G_VALUE_INIT;
    g_value_init (&v, GST_TYPE_STRUCTURE);
    g_value_take_boxed (&v, gst_structure_new ("outbound-stream",
            "pad", G_TYPE_STRING, in->name,
            "kind", G_TYPE_STRING,
            in->kind == GST_WRTC_MEDIA_VIDEO ? "video" : "audio",
            "ssrc", G_TYPE_UINT, gst_wrtc_rtp_stream_get_ssrc (in->stream),
            "keyframe-requests", G_TYPE_UINT64,
            gst_wrtc_rtp_stream_get_keyframe_requests (in->stream), NULL));
    gst_value_array_append_and_take_value (&streams, &v);
  }
  g_mutex_unlock (&self->lock);
  gst_structure_take_value (s, "streams", &streams);
  return s;
}

static void
gst_wrtc_webrtc_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstWrtcWebrtcSink *self = GST_WRTC_WEBRTC_SINK (object);

  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_ADDRESS:
      g_free (self->address);
      self->address = g_value_dup_string (value);
      if (!self->address)
        self->address = g_strdup (DEFAULT_ADDRESS);
      break;
    case PROP_PORT:
      self->port = g_value_get_uint (value);
      break;
    case PROP_STUN_SERVER:
      g_free (self->stun_server);
      self->stun_server = g_value_dup_string (value);
      break;
    case PROP_TURN_SERVERS:
      g_strfreev (self->turn_servers);
      self->turn_servers = split_list (value);
      break;
    case PROP_MAX_VIEWERS:
      self->max_viewers = g_value_get_uint (value);
      break;
    case PROP_TOKEN:
      g_free (self->token);
      self->token = g_value_dup_string (value);
      break;
    case PROP_LOCAL_ADDRESSES:
      g_strfreev (self->local_addresses);
      self->local_addresses = split_list (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_mutex_unlock (&self->lock);

  /* outside our lock: the server's callbacks take it */
  if (prop_id == PROP_MAX_VIEWERS)
    gst_wrtc_http_server_set_max_sessions (self->server,
        g_value_get_uint (value));
  else if (prop_id == PROP_TOKEN)
    gst_wrtc_http_server_set_token (self->server, g_value_get_string (value));
}

static void
gst_wrtc_webrtc_sink_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstWrtcWebrtcSink *self = GST_WRTC_WEBRTC_SINK (object);

  if (prop_id == PROP_STATS) {
    g_value_take_boxed (value, make_stats (self));
    return;
  }

  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_STUN_SERVER:
      g_value_set_string (value, self->stun_server);
      break;
    case PROP_TURN_SERVERS:
      g_value_take_string (value, join_list (self->turn_servers));
      break;
    case PROP_MAX_VIEWERS:
      g_value_set_uint (value, self->max_viewers);
      break;
    case PROP_TOKEN:
      g_value_set_string (value, self->token);
      break;
    case PROP_LOCAL_ADDRESSES:
      g_value_take_string (value, join_list (self->local_addresses));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_mutex_unlock (&self->lock);
}

static void
gst_wrtc_webrtc_sink_finalize (GObject * object)
{
  GstWrtcWebrtcSink *self = GST_WRTC_WEBRTC_SINK (object);

  gst_wrtc_http_server_stop (self->server);
  g_clear_object (&self->server);
  g_hash_table_unref (self->viewers);
  g_ptr_array_unref (self->inputs);
  g_free (self->address);
  g_free (self->url);
  g_free (self->stun_server);
  g_strfreev (self->turn_servers);
  g_free (self->token);
  g_strfreev (self->local_addresses);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_wrtc_webrtc_sink_class_init (GstWrtcWebrtcSinkClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
      | GST_PARAM_MUTABLE_READY;

  GST_DEBUG_CATEGORY_INIT (gst_wrtc_webrtc_sink_debug, "webrtcsink", 0,
      "webrtcsink: serves a pipeline to browsers over WebRTC");

  gobject_class->set_property = gst_wrtc_webrtc_sink_set_property;
  gobject_class->get_property = gst_wrtc_webrtc_sink_get_property;
  gobject_class->finalize = gst_wrtc_webrtc_sink_finalize;

  g_object_class_install_property (gobject_class, PROP_ADDRESS,
      g_param_spec_string ("address", "Address",
          "IP address (or \"localhost\") the HTTP server listens on; "
          "0.0.0.0 or :: for every interface (applied from NULL to READY)",
          DEFAULT_ADDRESS, rw));
  g_object_class_install_property (gobject_class, PROP_PORT,
      g_param_spec_uint ("port", "Port",
          "TCP port of the HTTP server (0: any free port, see the url "
          "property; applied from NULL to READY)", 0, 65535, DEFAULT_PORT, rw));
  g_object_class_install_property (gobject_class, PROP_URL,
      g_param_spec_string ("url", "URL",
          "The URL viewers open, e.g. http://127.0.0.1:8080/ (set from the "
          "READY state on, NULL before)", NULL,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_STUN_SERVER,
      g_param_spec_string ("stun-server", "STUN server",
          "STUN server for our server-reflexive candidates, "
          "as stun://host:port (NULL: none)", NULL, rw));
  g_object_class_install_property (gobject_class, PROP_TURN_SERVERS,
      g_param_spec_string ("turn-servers", "TURN servers",
          "Comma-separated TURN servers for relayed candidates, as "
          "turn(s)://user:password@host:port (NULL: none)", NULL, rw));
  g_object_class_install_property (gobject_class, PROP_MAX_VIEWERS,
      g_param_spec_uint ("max-viewers", "Maximum viewers",
          "Viewers served at once; more get 503 Service Unavailable "
          "(0: no limit)", 0, G_MAXUINT, DEFAULT_MAX_VIEWERS,
          rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_TOKEN,
      g_param_spec_string ("token", "Token",
          "Bearer token viewers must send (the page takes it from "
          "?token=...); NULL or empty: anyone may watch", NULL,
          rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_LOCAL_ADDRESSES,
      g_param_spec_string ("local-addresses", "Local addresses",
          "Comma-separated IP addresses ICE gathers candidates on, e.g. "
          "127.0.0.1 (NULL: every interface)", NULL, rw));
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "A webrtcsink-stats structure: viewers (connected now), "
          "viewers-total, and per input pad its ssrc and keyframe requests",
          GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * GstWrtcWebrtcSink::viewer-added:
   * @sink: the webrtcsink
   * @session_id: the viewer's WHEP session id
   *
   * A viewer sent an offer and is being answered (server thread).
   */
  signals[SIGNAL_VIEWER_ADDED] = g_signal_new ("viewer-added",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * GstWrtcWebrtcSink::viewer-removed:
   * @sink: the webrtcsink
   * @session_id: the viewer's WHEP session id
   *
   * A viewer left (DELETE, failure, or the element stopped).
   */
  signals[SIGNAL_VIEWER_REMOVED] = g_signal_new ("viewer-removed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_STRING);

  gst_element_class_add_static_pad_template (element_class, &video_template);
  gst_element_class_add_static_pad_template (element_class, &audio_template);
  gst_element_class_set_static_metadata (element_class, "WebRTC sink",
      "Sink/Network/WebRTC",
      "Serves its inputs to browsers over WebRTC: a player page and a WHEP "
      "endpoint on a built-in HTTP server", "gst-plugins-webrtc developers");

  element_class->request_new_pad = gst_wrtc_webrtc_sink_request_new_pad;
  element_class->release_pad = gst_wrtc_webrtc_sink_release_pad;
  element_class->change_state = gst_wrtc_webrtc_sink_change_state;
}

static void
gst_wrtc_webrtc_sink_init (GstWrtcWebrtcSink * self)
{
  g_mutex_init (&self->lock);
  self->address = g_strdup (DEFAULT_ADDRESS);
  self->port = DEFAULT_PORT;
  self->max_viewers = DEFAULT_MAX_VIEWERS;
  self->inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) input_unref);
  self->viewers = g_hash_table_new (g_str_hash, g_str_equal);

  self->server = gst_wrtc_http_server_new ();
  gst_wrtc_http_server_add_endpoint (self->server, "/whep",
      GST_WRTC_HTTP_ENDPOINT_WHEP, GST_WRTC_HTTP_ENDPOINT_FLAG_NONE,
      &whep_callbacks, self, NULL);
  add_page (self, "/", "player.html", "text/html; charset=utf-8");
  add_page (self, "/player.js", "player.js", "text/javascript; charset=utf-8");
  add_page (self, "/player.css", "player.css", "text/css; charset=utf-8");

  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SINK);
}
