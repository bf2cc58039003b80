/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: webrtcsrc, a bin that receives WebRTC media.
 */
/**
 * SECTION:element-webrtcsrc
 * @title: webrtcsrc
 *
 * Receives audio and video over WebRTC and exposes one source pad per
 * remote track: `video_%u` and `audio_%u` (numbered in the order of the
 * tracks in the session description), decoded to raw by default, or
 * parsed encoded streams with `decode=false` (to record without
 * transcoding).
 *
 * Two ways to get media:
 *
 * - `whep-url` set: a WHEP client (RFC 9725 style) that pulls from a
 *   WHEP server, such as webrtcsink or an SFU.
 * - `whep-url` unset: a WHIP server (RFC 9725) on `address`:`port`.
 *   Publishers POST their offer to `/whip`; `GET /publish` serves a page
 *   that sends a browser's camera and microphone.  OBS Studio's WHIP
 *   output works the same way (server `http://HOST:PORT/whip`).  One
 *   publisher at a time: another gets 409 Conflict.
 *
 * Underneath: ICE (libnice), DTLS-SRTP, and rtpbin for the receiving side
 * of RTP: a jitterbuffer of `latency` ms, NACK for lost packets and RTX
 * accepted (RFC 4588), PLI at the start of each video track and when the
 * decoder needs a keyframe, receiver reports, transport-wide congestion
 * control feedback where negotiated (browsers), and lip sync from the
 * sender's reports.  With `latency` 0 rtpbin gets a jitterbuffer of
 * ours that holds nothing: packets go on in order in the thread that
 * received them (late ones dropped, no NACK), about a third of a
 * millisecond sooner than through rtpjitterbuffer's thread.  Video codecs
 * VP8, H.264 (every profile with libav's decoder, the baselines with
 * openh264's), VP9 and AV1 (through wrtcav1depay, this plugin's
 * depayloader); audio Opus.
 *
 * When the sender goes away (DELETE, ICE or DTLS failure, consent lost,
 * close_notify) the source pads get EOS; with `keep-waiting` (WHIP) they
 * stay, and the next publisher's tracks continue on them.  A WHEP server
 * that refuses the offer, or a sender that leaves before sending any media
 * in WHEP mode, is an element error; a WHEP server that answers 503 (no
 * media yet) is asked again.
 *
 * When downstream of a pad returns GST_FLOW_EOS (say `identity
 * eos-after=N` to record the first N frames), that pad gets EOS and
 * stops, as basesrc's do; once every pad has, the session ends (DELETE
 * to the WHEP server, or the WHIP session ends), so such pipelines end by
 * themselves.
 *
 * Data channels (RFC 8831): each channel the sender opens is a sometimes
 * pad `data_%u` (one buffer per message, caps `text/plain` or
 * `application/octet-stream`, EOS when the sender closes it) and a
 * #GstWebRTCDataChannel through #GstWrtcWebrtcSrc::on-data-channel;
 * request pads `data_sink_%u` open channels to the sender.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 webrtcsrc whep-url=http://127.0.0.1:8080/whep name=s \
 *     s.video_0 ! videoconvert ! autovideosink \
 *     s.audio_0 ! audioconvert ! autoaudiosink
 * ]| plays what a webrtcsink serves.
 * |[
 * gst-launch-1.0 -e webrtcsrc port=8081 decode=false name=s \
 *     s.video_0 ! queue ! matroskamux name=m ! filesink location=in.mkv \
 *     s.audio_0 ! queue ! m.audio_0
 * ]| records what a browser sends from http://127.0.0.1:8081/publish.
 * |[
 * gst-launch-1.0 webrtcsrc whep-url=http://127.0.0.1:8080/whep name=s \
 *     s.video_0 ! fakesink s.data_0 ! filesink location=messages.bin
 * ]| keeps what a webrtcsink sends on its first data channel.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include "gstwrtcsrc-private.h"

GST_DEBUG_CATEGORY (gst_wrtc_webrtc_src_debug);
#define GST_CAT_DEFAULT gst_wrtc_webrtc_src_debug

extern GResource *gst_wrtc_src_get_resource (void);

#define DEFAULT_LATENCY 50
#define DEFAULT_DECODE TRUE
#define DEFAULT_KEEP_WAITING FALSE
#define RESOURCE_PREFIX "/org/gstreamer/webrtc/src/"

enum
{
  SIGNAL_TRACK_ADDED,
  SIGNAL_SENDER_LEFT,
  SIGNAL_ON_DATA_CHANNEL,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const GstWrtcBinInfo bin_info = {
  "webrtcsrc", "WHIP server", 8081, "VP8,H264,VP9,AV1", "OPUS", FALSE,
  "IP address (or \"localhost\") the WHIP server listens on; "
      "0.0.0.0 or :: for every interface",
  "TCP port of the WHIP server (0: any free port, see the url " "property)",
  "Base URL of the WHIP server while it runs, e.g. "
      "http://127.0.0.1:8081/ (publish to URL/whip, or open "
      "URL/publish in a browser); NULL in WHEP mode",
  "Bearer token: sent to the WHEP server, or required from WHIP "
      "publishers (NULL or empty: none)",
  "Comma-separated video codecs we accept, in preference order "
      "(VP8, H264, VP9, AV1)",
  "Comma-separated audio codecs we accept, in preference order (OPUS)",
  0,
};

#define gst_wrtc_webrtc_src_parent_class parent_class
G_DEFINE_TYPE (GstWrtcWebrtcSrc, gst_wrtc_webrtc_src, GST_TYPE_BIN);
GST_ELEMENT_REGISTER_DEFINE (webrtcsrc, "webrtcsrc", GST_RANK_NONE,
    GST_WRTC_TYPE_WEBRTC_SRC);

static GstStaticPadTemplate video_template =
    GST_STATIC_PAD_TEMPLATE ("video_%u", GST_PAD_SRC, GST_PAD_SOMETIMES,
    GST_STATIC_CAPS ("video/x-raw; video/x-vp8; video/x-vp9; "
        "video/x-h264, stream-format=(string)avc, alignment=(string)au; "
        "video/x-av1"));
static GstStaticPadTemplate audio_template =
    GST_STATIC_PAD_TEMPLATE ("audio_%u", GST_PAD_SRC, GST_PAD_SOMETIMES,
    GST_STATIC_CAPS ("audio/x-raw; audio/x-opus"));
static GstStaticPadTemplate data_template =
    GST_STATIC_PAD_TEMPLATE ("data_%u", GST_PAD_SRC, GST_PAD_SOMETIMES,
    GST_STATIC_CAPS ("text/plain; application/octet-stream"));
/* not data_%u: a class has one template per name */
static GstStaticPadTemplate data_sink_template =
GST_STATIC_PAD_TEMPLATE ("data_sink_%u", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS_ANY);

void
gst_wrtc_webrtc_src_emit_track_added (GstWrtcWebrtcSrc * self,
    const gchar * pad_name, const gchar * codec)
{
  g_signal_emit (self, signals[SIGNAL_TRACK_ADDED], 0, pad_name, codec);
}

void
gst_wrtc_webrtc_src_emit_sender_left (GstWrtcWebrtcSrc * self,
    const gchar * reason)
{
  g_signal_emit (self, signals[SIGNAL_SENDER_LEFT], 0, reason);
}

/* ------------------------------------------------------------------------
 * Data channels
 */
static GstPad *
gst_wrtc_webrtc_src_request_new_pad (GstElement * element,
    GstPadTemplate * templ, const gchar * name, const GstCaps * caps)
{
  return gst_wrtc_bin_data_request_pad (GST_WRTC_WEBRTC_SRC (element)->data,
      templ, name);
}

static void
gst_wrtc_webrtc_src_release_pad (GstElement * element, GstPad * pad)
{
  gst_wrtc_bin_data_release_pad (GST_WRTC_WEBRTC_SRC (element)->data, pad);
}

/* The sender opened a channel (its SCTP dispatch thread). */
static void
on_sender_channel (GstElement * bin, const gchar * id,
    GstWebRTCDataChannel * channel, gpointer user_data)
{
  g_signal_emit (bin, signals[SIGNAL_ON_DATA_CHANNEL], 0, id, channel);
}

/* The WHIP server, or NULL once stopping (any thread). */
GstWrtcHttpServer *
gst_wrtc_webrtc_src_get_server (GstWrtcWebrtcSrc * self)
{
  GstWrtcHttpServer *server;

  g_mutex_lock (&self->lock);
  server = self->server ? g_object_ref (self->server) : NULL;
  g_mutex_unlock (&self->lock);
  return server;
}

typedef struct
{
  GstWrtcWebrtcSrc *self;
  GFunc func;
  Session *s;                   /* a ref */
} Task;

static gpointer
task_thread (gpointer data)
{
  Task *t = data;
  GstWrtcWebrtcSrc *self = t->self;

  t->func (t->s, NULL);
  gst_wrtc_src_session_unref (t->s);
  g_free (t);
  /* the last use of @self: stop() waits for this */
  g_mutex_lock (&self->lock);
  self->tasks--;
  g_cond_broadcast (&self->tasks_done);
  g_mutex_unlock (&self->lock);
  return NULL;
}

/* Runs @func (@s) on a thread of its own (not the ICE, HTTP or streaming
 * thread that asks); stop() waits for every such thread.  Detached: a
 * finished one leaves nothing behind in a long-running element.  The
 * element's lock. */
void
gst_wrtc_webrtc_src_run_locked (GstWrtcWebrtcSrc * self, const gchar * name,
    GFunc func, Session * s)
{
  Task *t = g_new0 (Task, 1);

  t->self = self;
  t->func = func;
  t->s = gst_wrtc_src_session_ref (s);
  self->tasks++;
  g_thread_unref (g_thread_new (name, task_thread, t));
}

/* Every pad of @s ended downstream: so does the session (a streaming
 * thread). */
void
gst_wrtc_webrtc_src_session_finished (GstWrtcWebrtcSrc * self, Session * s)
{
  GstWrtcHttpServer *server;

  if (!gst_wrtc_src_session_set_state (s, GST_WRTC_SOURCE_SESSION_ENDED))
    return;
  GST_INFO_OBJECT (self, "every pad is EOS: the session ends");
  g_mutex_lock (&self->lock);
  self->finished = TRUE;
  /* EOS into rtpbin, so the bin's own sinks (RTCP out) end and the bin
   * posts EOS: not on the streaming thread that saw the last pad end (at
   * latency 0 the ICE thread pushes through to it) */
  gst_wrtc_webrtc_src_run_locked (self, "wrtc-src-eos",
      (GFunc) gst_wrtc_src_session_push_eos, s);
  /* RFC 9725 section 4.2: DELETE, on the client's thread */
  if (!s->id && self->whep)
    gst_wrtc_client_session_end (self->whep);
  g_mutex_unlock (&self->lock);
  if (s->id && (server = gst_wrtc_webrtc_src_get_server (self))) {
    gst_wrtc_http_server_end_session (server, s->id);
    g_object_unref (server);
  }
}

/* ------------------------------------------------------------------------
 * WHEP client (a client session of the bin layer)
 */
static gboolean
on_whep_answered (GstWrtcPeer * peer, const gchar * location,
    gpointer user_data, GError ** error)
{
  Session *s = user_data;

  if (!gst_wrtc_src_session_negotiated (s, error))
    return FALSE;
  gst_wrtc_src_session_set_state (s, GST_WRTC_SOURCE_SESSION_LIVE);
  GST_INFO_OBJECT (s->src, "receiving from %s", location);
  return TRUE;
}

static void
on_whep_failed (GstWrtcPeer * peer, const gchar * url, const GError * error,
    gpointer user_data)
{
  Session *s = user_data;

  GST_ELEMENT_ERROR (s->src, RESOURCE, OPEN_READ,
      ("Could not start a WHEP session with %s", url), ("%s", error->message));
}

/* Our recvonly offer (RFC 9725 section 4.2: with every candidate), video
 * then audio, its codecs kept by @s as the peer reads them again with the
 * answer. */
static gboolean
start_whep (GstWrtcWebrtcSrc * self, Session * s, const gchar * url)
{
  GstWrtcClientConfig cfg = { "wrtc-whep", url, NULL, TRUE,
    on_whep_answered, on_whep_failed
  };
  GstWrtcOfferMedia media[2];
  GstWrtcPeerSdpWait *offer;
  gchar *token;
  guint i, n = 0;

  memset (media, 0, sizeof (media));
  for (i = 0; i < 2; i++) {
    GstWrtcMediaKind kind = i ? GST_WRTC_MEDIA_AUDIO : GST_WRTC_MEDIA_VIDEO;
    gchar **names = gst_wrtc_bin_settings_dup_codecs (&self->settings, kind);
    guint count;
    s->offer_codecs[i] = gst_wrtc_codecs_recv_caps (names, kind, &count);
    g_strfreev (names);
    if (!count)
      continue;
    media[n].kind = kind;
    media[n].direction = GST_WRTC_DIRECTION_RECVONLY;
    media[n].codecs = s->offer_codecs[i];
    media[n].n_codecs = count;
    n++;
  }
  if (n == 0) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Could not start a WHEP session with %s", url),
        ("video-codecs and audio-codecs name no codec we can receive"));
    return FALSE;
  }
  offer = gst_wrtc_peer_sdp_wait_new ();
  gst_wrtc_peer_create_offer (s->peer, media, n, gst_wrtc_peer_sdp_wait_func,
      gst_wrtc_peer_sdp_wait_ref (offer));
  token = gst_wrtc_bin_settings_dup_token (&self->settings);
  cfg.token = token;
  g_mutex_lock (&self->lock);
  self->session = gst_wrtc_src_session_ref (s);
  self->sessions_total++;
  self->whep = gst_wrtc_client_session_start (s->peer, offer, &cfg,
      gst_wrtc_src_session_ref (s),
      (GDestroyNotify) gst_wrtc_src_session_unref);
  g_mutex_unlock (&self->lock);
  gst_wrtc_peer_sdp_wait_unref (offer);
  g_free (token);
  return TRUE;
}

/* ------------------------------------------------------------------------
 * WHIP server (its thread)
 */
static void
on_answer (GstWrtcPeer * peer, const gchar * sdp, const GError * error,
    gpointer user_data)
{
  Session *s = user_data;
  GstWrtcWebrtcSrc *self = s->src;
  GstWrtcHttpServer *server;
  GError *err = NULL;

  if (!error && !gst_wrtc_src_session_negotiated (s, &err))
    error = err;
  if (error)
    GST_WARNING_OBJECT (self, "publisher %s: no answer: %s", s->id,
        error->message);
  if ((server = gst_wrtc_webrtc_src_get_server (self))) {
    gst_wrtc_http_server_complete_offer (server, s->id, error ? NULL : sdp,
        error);
    g_object_unref (server);
  }
  /* refused (error): the server ends it (on_end), it was no sender; a
   * sender from now on (after the 201: ending it before would race it with
   * a 503); failed while answering: on_state_changed left it to us */
  if (!error)
    gst_wrtc_src_session_set_state (s, GST_WRTC_SOURCE_SESSION_LIVE);
  if (!error && gst_wrtc_peer_get_state (peer) >= GST_WRTC_PEER_STATE_FAILED) {
    gst_wrtc_src_session_end_media (s, "the connection failed");
    if ((server = gst_wrtc_webrtc_src_get_server (self))) {
      gst_wrtc_http_server_end_session (server, s->id);
      g_object_unref (server);
    }
  }
  g_clear_error (&err);
  gst_wrtc_src_session_unref (s);
}

static gchar *
on_offer (GstWrtcHttpServer * server, const gchar * endpoint,
    const gchar * session_id, const gchar * offer_sdp,
    const gchar * client_address, gpointer user_data, GError ** error)
{
  GstWrtcWebrtcSrc *self = user_data;
  GstWrtcCodecCap *caps, *vcaps, *acaps;
  gchar **names;
  Session *s;
  guint nv, na;

  g_mutex_lock (&self->lock);
  if (self->finished || self->session) {
    g_set_error (error, GST_WRTC_HTTP_ERROR, GST_WRTC_HTTP_ERROR_CONFLICT,
        self->finished ? "this webrtcsrc has ended its stream" :
        "another publisher is live (or still leaving); one at a time");
    g_mutex_unlock (&self->lock);
    return NULL;
  }
  self->sessions_total++;
  g_mutex_unlock (&self->lock);

  s = gst_wrtc_src_session_new (self, session_id, error);
  g_mutex_lock (&self->lock);
  if (error && *error) {
    /* no end callback follows; the elements go when the element stops */
    GST_WARNING_OBJECT (self, "publisher %s: %s", session_id,
        (*error)->message);
    g_ptr_array_add (self->ended, s);
    g_mutex_unlock (&self->lock);
    return NULL;
  }
  self->session = gst_wrtc_src_session_ref (s);
  g_mutex_unlock (&self->lock);
  GST_INFO_OBJECT (self, "publisher %s from %s", session_id, client_address);

  /* video then audio */
  names = gst_wrtc_bin_settings_dup_codecs (&self->settings,
      GST_WRTC_MEDIA_VIDEO);
  vcaps = gst_wrtc_codecs_recv_caps (names, GST_WRTC_MEDIA_VIDEO, &nv);
  g_strfreev (names);
  names = gst_wrtc_bin_settings_dup_codecs (&self->settings,
      GST_WRTC_MEDIA_AUDIO);
  acaps = gst_wrtc_codecs_recv_caps (names, GST_WRTC_MEDIA_AUDIO, &na);
  g_strfreev (names);
  caps = g_new0 (GstWrtcCodecCap, nv + na + 1);
  memcpy (caps, vcaps, nv * sizeof (*vcaps));
  memcpy (caps + nv, acaps, na * sizeof (*acaps));
  gst_wrtc_peer_create_answer (s->peer, offer_sdp, NULL, 0, caps, nv + na,
      on_answer, s);
  g_free (vcaps);
  g_free (acaps);
  g_free (caps);
  return NULL;
}

static gboolean
on_candidates (GstWrtcHttpServer * server, const gchar * session_id,
    const GstWrtcSdpFrag * frag, gpointer user_data, GError ** error)
{
  GstWrtcWebrtcSrc *self = user_data;
  GstWrtcPeer *peer = NULL;

  g_mutex_lock (&self->lock);
  if (self->session && g_strcmp0 (self->session->id, session_id) == 0
      && self->session->peer)
    peer = g_object_ref (self->session->peer);
  g_mutex_unlock (&self->lock);
  return gst_wrtc_bin_add_remote_candidates (peer, frag, GST_OBJECT (self),
      "publisher", error);
}

static void
on_end (GstWrtcHttpServer * server, const gchar * session_id,
    GstWrtcHttpEndReason reason, gpointer user_data)
{
  GstWrtcWebrtcSrc *self = user_data;
  Session *s = NULL;

  g_mutex_lock (&self->lock);
  if (self->session && g_strcmp0 (self->session->id, session_id) == 0)
    s = gst_wrtc_src_session_ref (self->session);
  g_mutex_unlock (&self->lock);
  if (!s)
    return;
  GST_INFO_OBJECT (self, "publisher %s ended: %s", session_id,
      gst_wrtc_http_end_reason_to_string (reason));
  /* a refused offer (its 4xx sent) was never a sender: no sender-left */
  if (reason != GST_WRTC_HTTP_END_REJECTED)
    gst_wrtc_src_session_end_media (s,
        gst_wrtc_http_end_reason_to_string (reason));
  else
    gst_wrtc_src_session_set_state (s, GST_WRTC_SOURCE_SESSION_ENDED);
  gst_wrtc_peer_close (s->peer);

  /* a publisher that sent nothing leaves the element waiting for the next;
   * its elements go when the element stops */
  if (!gst_wrtc_src_session_had_media (s)) {
    g_mutex_lock (&self->lock);
    if (self->session == s) {
      self->session = NULL;
      g_ptr_array_add (self->ended, s);
      s = NULL;
    }
    g_mutex_unlock (&self->lock);
  }
  if (s)
    gst_wrtc_src_session_unref (s);
}

static const GstWrtcHttpCallbacks whip_callbacks = {
  on_offer, on_candidates, on_end
};

static void
add_page (GstWrtcHttpServer * server, const gchar * path, const gchar * file,
    const gchar * content_type)
{
  gst_wrtc_bin_add_page (server, gst_wrtc_src_get_resource (),
      RESOURCE_PREFIX, path, file, content_type);
}

/* The WHIP server and its pages; published before it starts: its
 * callbacks may run at once. */
static gboolean
start_whip (GstWrtcWebrtcSrc * self)
{
  GstWrtcHttpServer *server = gst_wrtc_http_server_new ();
  GError *err = NULL;
  gchar *url, *token;

  g_mutex_lock (&self->lock);
  self->server = g_object_ref (server);
  g_mutex_unlock (&self->lock);
  gst_wrtc_http_server_add_endpoint (server, "/whip",
      GST_WRTC_HTTP_ENDPOINT_WHIP, GST_WRTC_HTTP_ENDPOINT_FLAG_NONE,
      &whip_callbacks, self, NULL);
  token = gst_wrtc_bin_settings_dup_token (&self->settings);
  gst_wrtc_http_server_set_token (server, token);
  g_free (token);
  add_page (server, "/publish", "publish.html", "text/html; charset=utf-8");
  add_page (server, "/publish.js", "publish.js",
      "text/javascript; charset=utf-8");
  add_page (server, "/messages.js", "messages.js",
      "text/javascript; charset=utf-8");
  url = gst_wrtc_bin_start_server (&self->settings, server, "whip", NULL,
      NULL, FALSE, &err);
  g_object_unref (server);
  if (!url) {
    GST_WRTC_BIN_POST_ERROR (self, err, NULL);
    g_clear_error (&err);
    g_mutex_lock (&self->lock);
    g_clear_object (&self->server);
    g_mutex_unlock (&self->lock);
    return FALSE;
  }
  g_object_notify (G_OBJECT (self), "url");
  g_print ("webrtcsrc: publish to %swhip (a browser: %spublish)\n", url, url);
  g_free (url);
  return TRUE;
}

/* ------------------------------------------------------------------------
 * States
 */
static gboolean
start (GstWrtcWebrtcSrc * self)
{
  GError *err = NULL;
  gchar *whep_url;
  gboolean ok;
  Session *s;

  if (!gst_wrtc_bin_settings_check (&self->settings, &err)) {
    GST_WRTC_BIN_POST_ERROR (self, err, NULL);
    g_clear_error (&err);
    return FALSE;
  }
  whep_url = gst_wrtc_bin_settings_dup_string (&self->settings, PROP_WHEP_URL);
  g_mutex_lock (&self->lock);
  self->finished = FALSE;
  g_hash_table_remove_all (self->eos_pads);
  g_mutex_unlock (&self->lock);
  if (!whep_url)
    return start_whip (self);

  s = gst_wrtc_src_session_new (self, NULL, &err);
  ok = !err && start_whep (self, s, whep_url);
  if (err) {
    GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN, ("%s", err->message),
        (NULL));
    g_clear_error (&err);
  }
  if (!ok)
    gst_wrtc_src_session_destroy (s);
  gst_wrtc_src_session_unref (s);
  g_free (whep_url);
  return ok;
}

static void
stop (GstWrtcWebrtcSrc * self)
{
  GstWrtcClientSession *whep;
  GPtrArray *ended;
  GstWrtcHttpServer *server;
  GList *pads;
  Session *s;
  guint i;

  /* senders that left finish going first: nothing else destroys them */
  g_mutex_lock (&self->lock);
  while (self->tasks)
    g_cond_wait (&self->tasks_done, &self->lock);
  g_mutex_unlock (&self->lock);

  g_mutex_lock (&self->lock);
  whep = g_steal_pointer (&self->whep);
  s = g_steal_pointer (&self->session);
  g_mutex_unlock (&self->lock);
  /* stopping is not the sender leaving: no signal, no error, no EOS */
  if (s)
    gst_wrtc_src_session_set_state (s, GST_WRTC_SOURCE_SESSION_ENDED);
  /* RFC 9725 section 4.2: tell the WHEP server we are done (DELETE) */
  if (whep)
    gst_wrtc_client_session_stop (whep);

  g_mutex_lock (&self->lock);
  server = g_steal_pointer (&self->server);
  g_mutex_unlock (&self->lock);
  if (server) {
    /* ends the publisher's session through on_end */
    gst_wrtc_http_server_stop (server);
    g_object_unref (server);
  }
  gst_wrtc_bin_settings_set_url (&self->settings, NULL);
  g_mutex_lock (&self->lock);
  if (s)
    g_ptr_array_add (self->ended, s);
  ended = self->ended;
  self->ended = g_ptr_array_new ();
  g_mutex_unlock (&self->lock);
  for (i = 0; i < ended->len; i++) {
    gst_wrtc_src_session_destroy (g_ptr_array_index (ended, i));
    gst_wrtc_src_session_unref (g_ptr_array_index (ended, i));
  }
  g_ptr_array_unref (ended);

  g_mutex_lock (&self->lock);
  pads = g_hash_table_get_values (self->pads);
  g_list_foreach (pads, (GFunc) gst_object_ref, NULL);
  g_hash_table_remove_all (self->pads);
  g_hash_table_remove_all (self->eos_pads);
  g_mutex_unlock (&self->lock);
  for (GList * l = pads; l; l = l->next) {
    gst_pad_set_active (l->data, FALSE);
    gst_element_remove_pad (GST_ELEMENT (self), l->data);
  }
  g_list_free_full (pads, gst_object_unref);
  gst_wrtc_bin_data_clear (self->data);
}

/* EOS sent to the element (gst_element_send_event(), as a pipeline does
 * with its sources): every pad ends, as if the sender had left. */
static gboolean
gst_wrtc_webrtc_src_send_event (GstElement * element, GstEvent * event)
{
  GstWrtcWebrtcSrc *self = GST_WRTC_WEBRTC_SRC (element);
  Session *s;

  if (GST_EVENT_TYPE (event) != GST_EVENT_EOS)
    return GST_ELEMENT_CLASS (parent_class)->send_event (element, event);
  gst_event_unref (event);

  g_mutex_lock (&self->lock);
  s = self->session ? gst_wrtc_src_session_ref (self->session) : NULL;
  g_mutex_unlock (&self->lock);
  if (!s)
    return FALSE;
  gst_wrtc_src_session_push_eos (s);
  gst_wrtc_src_session_unref (s);
  return TRUE;
}

static GstStateChangeReturn
gst_wrtc_webrtc_src_change_state (GstElement * element,
    GstStateChange transition)
{
  GstWrtcWebrtcSrc *self = GST_WRTC_WEBRTC_SRC (element);
  GstStateChangeReturn ret;

  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED && !start (self))
    return GST_STATE_CHANGE_FAILURE;

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE) {
    if (transition == GST_STATE_CHANGE_READY_TO_PAUSED)
      stop (self);
    return ret;
  }

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
      /* a live source: no preroll */
      ret = GST_STATE_CHANGE_NO_PREROLL;
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      stop (self);
      break;
    default:
      break;
  }
  return ret;
}

/* ------------------------------------------------------------------------
 * GObject
 */
static GstStructure *
make_stats (GstWrtcWebrtcSrc * self)
{
  GstStructure *st;
  GValue tracks = G_VALUE_INIT;
  gchar *whep_url = gst_wrtc_bin_settings_dup_string (&self->settings,
      PROP_WHEP_URL);
  Session *s;

  g_mutex_lock (&self->lock);
  s = self->session ? gst_wrtc_src_session_ref (self->session) : NULL;
  st = gst_structure_new ("webrtcsrc-stats",
      "mode", G_TYPE_STRING, whep_url ? "whep" : "whip",
      "sessions-total", G_TYPE_UINT, self->sessions_total, NULL);
  g_mutex_unlock (&self->lock);
  g_free (whep_url);
  if (!s) {
    g_value_init (&tracks, GST_TYPE_ARRAY);
    gst_structure_set (st, "state", G_TYPE_STRING, "waiting", NULL);
    gst_structure_take_value (st, "tracks", &tracks);
    return st;
  }
  gst_wrtc_src_session_add_stats (s, st);
  gst_wrtc_src_session_unref (s);
  return st;
}

static void
gst_wrtc_webrtc_src_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstWrtcWebrtcSrc *self = GST_WRTC_WEBRTC_SRC (object);

  gst_wrtc_bin_settings_set_property (&self->settings, prop_id, value);
}

static void
gst_wrtc_webrtc_src_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstWrtcWebrtcSrc *self = GST_WRTC_WEBRTC_SRC (object);

  if (prop_id == PROP_STATS)
    g_value_take_boxed (value, make_stats (self));
  else if (!gst_wrtc_bin_settings_get_property (&self->settings, prop_id,
          value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
gst_wrtc_webrtc_src_finalize (GObject * object)
{
  GstWrtcWebrtcSrc *self = GST_WRTC_WEBRTC_SRC (object);

  g_ptr_array_unref (self->ended);
  gst_wrtc_bin_data_clear (self->data);
  g_clear_object (&self->data);
  g_cond_clear (&self->tasks_done);
  g_hash_table_unref (self->pads);
  g_hash_table_unref (self->eos_pads);
  gst_wrtc_bin_settings_clear (&self->settings);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_wrtc_webrtc_src_class_init (GstWrtcWebrtcSrcClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
      | GST_PARAM_MUTABLE_READY;

  GST_DEBUG_CATEGORY_INIT (gst_wrtc_webrtc_src_debug, "webrtcsrc", 0,
      "webrtcsrc: receives WebRTC media (WHEP client, WHIP server)");

  gobject_class->set_property = gst_wrtc_webrtc_src_set_property;
  gobject_class->get_property = gst_wrtc_webrtc_src_get_property;
  gobject_class->finalize = gst_wrtc_webrtc_src_finalize;

  g_object_class_install_property (gobject_class, PROP_WHEP_URL,
      g_param_spec_string ("whep-url", "WHEP URL",
          "WHEP endpoint to pull from, e.g. http://127.0.0.1:8080/whep "
          "(NULL: be a WHIP server on address:port instead)", NULL, rw));
  gst_wrtc_bin_install_properties (gobject_class, &bin_info);
  g_object_class_install_property (gobject_class, PROP_LATENCY,
      g_param_spec_uint ("latency", "Latency",
          "Jitterbuffer latency in milliseconds: how long packets wait for "
          "late or retransmitted ones (0: none wait, late ones are dropped)",
          0, 10000, DEFAULT_LATENCY, rw));
  g_object_class_install_property (gobject_class, PROP_DECODE,
      g_param_spec_boolean ("decode", "Decode",
          "Output raw decoded media; FALSE: parsed encoded streams (VP8, "
          "VP9, H.264 avc, AV1, Opus) for recording without transcoding",
          DEFAULT_DECODE, rw));
  g_object_class_install_property (gobject_class, PROP_KEEP_WAITING,
      g_param_spec_boolean ("keep-waiting", "Keep waiting",
          "WHIP server: when a publisher leaves, keep the pads (no EOS) and "
          "wait for the next one, whose tracks continue on the pads of the "
          "same names; FALSE: EOS when the publisher leaves",
          DEFAULT_KEEP_WAITING, rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "A webrtcsrc-stats structure: mode (whep or whip), state of the "
          "current sender, packets-received, bytes-received, sessions-total, "
          "the W3C transport, candidate-pair and candidates, and per track "
          "(inbound-rtp) its pad, kind, codec and payload type",
          GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * GstWrtcWebrtcSrc::track-added:
   * @src: the webrtcsrc
   * @pad_name: the new source pad (video_0, audio_0, ...)
   * @codec: the codec the track carries (VP8, H264, VP9, AV1, OPUS)
   *
   * A remote track started and its pad was added (a streaming thread).
   */
  signals[SIGNAL_TRACK_ADDED] = g_signal_new ("track-added",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  /**
   * GstWrtcWebrtcSrc::sender-left:
   * @src: the webrtcsrc
   * @reason: why (DELETE, connection failed or closed, ...)
   *
   * The sender went away; the source pads get EOS next.
   */
  signals[SIGNAL_SENDER_LEFT] = g_signal_new ("sender-left",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * GstWrtcWebrtcSrc::on-data-channel:
   * @src: the webrtcsrc
   * @session_id: the WHIP session id, or "whep"
   * @channel: the #GstWebRTCDataChannel the sender opened
   *
   * The sender opened a data channel (as webrtcbin's on-data-channel; the
   * SCTP dispatch thread, before any of its messages).  Its messages also
   * come out of a new `data_%u` pad.
   */
  signals[SIGNAL_ON_DATA_CHANNEL] = g_signal_new ("on-data-channel",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING, GST_TYPE_WEBRTC_DATA_CHANNEL);

  gst_element_class_add_static_pad_template (element_class, &video_template);
  gst_element_class_add_static_pad_template (element_class, &audio_template);
  gst_element_class_add_static_pad_template (element_class, &data_template);
  gst_element_class_add_static_pad_template (element_class,
      &data_sink_template);
  gst_element_class_set_static_metadata (element_class, "WebRTC source",
      "Source/Network/WebRTC",
      "Receives audio and video over WebRTC: a WHEP client, or a WHIP "
      "server with a publishing page", "gst-plugins-webrtc developers");

  element_class->change_state = gst_wrtc_webrtc_src_change_state;
  element_class->send_event = gst_wrtc_webrtc_src_send_event;
  element_class->request_new_pad = gst_wrtc_webrtc_src_request_new_pad;
  element_class->release_pad = gst_wrtc_webrtc_src_release_pad;
}

static void
gst_wrtc_webrtc_src_init (GstWrtcWebrtcSrc * self)
{
  g_mutex_init (&self->lock);
  gst_wrtc_bin_settings_init (&self->settings, &bin_info, G_OBJECT (self));
  self->ended = g_ptr_array_new ();
  g_cond_init (&self->tasks_done);
  self->pads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      gst_object_unref);
  self->eos_pads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
  self->data = gst_wrtc_bin_data_new (GST_ELEMENT (self),
      gst_element_class_get_pad_template (GST_ELEMENT_GET_CLASS (self),
          "data_%u"));
  gst_wrtc_bin_data_set_channel_func (self->data, on_sender_channel, NULL);
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SOURCE);
}
