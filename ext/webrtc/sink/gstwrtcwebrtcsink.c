/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: webrtcsink, a bin that serves its inputs to browsers.
 */
/**
 * SECTION:element-webrtcsink
 * @title: webrtcsink
 *
 * Serves its inputs to any number of viewers over WebRTC.  A built-in HTTP
 * server serves a player page at `GET /` and a WHEP endpoint (RFC 9725) at
 * `/whep`; open the URL it prints (also in the #GstWrtcWebrtcSink:url
 * property) in a browser.
 *
 * The same server answers `GET /config.json` (the WHEP endpoint and the
 * ICE servers of #GstWrtcWebrtcSink:stun-server and
 * #GstWrtcWebrtcSink:turn-servers as W3C RTCIceServer dictionaries; the
 * player configures its RTCPeerConnection with them, and every 201 also
 * carries them as `Link: rel="ice-server"` headers, RFC 9725 section 4.6),
 * `GET /stats.json` (the #GstWrtcWebrtcSink:stats structure as JSON: per
 * viewer its state and W3C outbound-rtp counters) and `GET /stats` (a live
 * page polling it).  With #GstWrtcWebrtcSink:token set, both JSON
 * resources need the bearer token too.  With
 * #GstWrtcWebrtcSink:tls-certificate and #GstWrtcWebrtcSink:tls-key (PEM
 * files) the server speaks HTTPS only; a file that cannot be loaded fails
 * the change to READY with an error naming it.
 *
 * Raw input is encoded once per codec, whatever the number of viewers: the
 * #GstWrtcWebrtcSink:video-codecs (VP8, H264, VP9, AV1) and
 * #GstWrtcWebrtcSink:audio-codecs (OPUS) properties list the codecs in
 * preference order, each viewer gets the first of them its offer carries,
 * and packets of one codec go only to the viewers that negotiated it.  An
 * encoder no viewer uses is idle (a closed valve in front of it) until
 * one does; it then starts with a keyframe.  H.264 is Constrained Baseline
 * (profile-level-id 42e01f, packetization-mode 1) from openh264enc, with
 * SPS and PPS before every IDR.  AV1 is profile 0 (Main, I420) from av1enc
 * in libaom's realtime mode, through av1parse and wrtcav1pay (this
 * plugin's payloader, AOM "RTP Payload Format For AV1"; `a=rtpmap:PT
 * AV1/90000`, no fmtp), with a keyframe every 60 frames: GStreamer 1.22's
 * av1enc ignores keyframe requests.
 *
 * Encoded input is sent as it is, only payloaded: video/x-vp8, video/x-vp9,
 * video/x-h264 (byte-stream or avc; through h264parse), video/x-av1
 * (through av1parse) and audio/x-opus.  The codec is then that one alone,
 * and keyframe requests go upstream as force-key-unit events.
 *
 * With #GstWrtcWebrtcSink:whip-url set, webrtcsink also publishes its
 * inputs to that WHIP endpoint (RFC 9725 section 4.2; an SFU, or a
 * webrtcsrc), as one more viewer sharing the encoders; NULL ends that
 * session with DELETE, and a refusal or the session's end is an element
 * error.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! webrtcsink name=s \
 *     audiotestsrc is-live=true ! s.audio_0
 * ]|
 * prints `webrtcsink: open http://127.0.0.1:8080/`.
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! \
 *     webrtcsink video-codecs=H264,VP8
 * ]|
 * serves H.264 to viewers that take it, VP8 to the others.
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! vp8enc deadline=1 ! webrtcsink
 * ]|
 * serves already encoded VP8.
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! webrtcsink \
 *     tls-certificate=cert.pem tls-key=key.pem token=s3cr3t
 * ]|
 * serves HTTPS: open `https://127.0.0.1:8080/?token=s3cr3t`, and
 * `https://127.0.0.1:8080/stats?token=s3cr3t` for the statistics.
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! webrtcsink port=0 \
 *     whip-url=http://127.0.0.1:8081/whip
 * ]|
 * publishes to a `webrtcsrc port=8081` (or any WHIP server).
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
#include "gstwrtclist.h"
#include "gstwrtcicecontext.h"
#include "gstwrtchttpserver.h"
#include "gstwrtchttpclient.h"

GST_DEBUG_CATEGORY_STATIC (gst_wrtc_webrtc_sink_debug);
#define GST_CAT_DEFAULT gst_wrtc_webrtc_sink_debug

extern GResource *gst_wrtc_sink_get_resource (void);

#define DEFAULT_ADDRESS "127.0.0.1"
#define DEFAULT_PORT 8080
#define DEFAULT_MAX_VIEWERS 0
#define DEFAULT_VIDEO_CODECS "VP8,H264"
#define DEFAULT_AUDIO_CODECS "OPUS"
#define RESOURCE_PREFIX "/org/gstreamer/webrtc/sink/"
/* payloaders' own payload types; each viewer's come from its offer */
#define VIDEO_PT 96
#define AUDIO_PT 111
#define MTU 1200
/* how long an offer waits for the first caps of every input */
#define PENDING_TIMEOUT_MS 5000
/* the WHIP publisher's session id among the viewers */
#define PUBLISHER_ID "whip"
/* bounds the DELETE that ends a WHIP session when we stop */
#define WHIP_DELETE_TIMEOUT_S 5
/* raw video encoders: keyframes come when a viewer asks for one */
#define KEYFRAME_MAX_DIST "3000"
#define H264_BITRATE 1000000
#define AV1_BITRATE_KBPS "1000"
/* GStreamer 1.22's av1enc ignores force-key-unit (it never passes
 * AOM_EFLAG_FORCE_KF): a joining viewer waits for the next periodic
 * keyframe, 2 s at 30 fps */
#define AV1_KEYFRAME_MAX_DIST "60"

enum
{
  PROP_0,
  PROP_ADDRESS,
  PROP_PORT,
  PROP_URL,
  PROP_STUN_SERVER,
  PROP_TURN_SERVERS,
  PROP_VIDEO_CODECS,
  PROP_AUDIO_CODECS,
  PROP_MAX_VIEWERS,
  PROP_TOKEN,
  PROP_LOCAL_ADDRESSES,
  PROP_STATS,
  PROP_TLS_CERTIFICATE,
  PROP_TLS_KEY,
  PROP_WHIP_URL,
  PROP_WHIP_TOKEN,
  PROP_ICE_TRANSPORT_POLICY,
};

enum
{
  SIGNAL_VIEWER_ADDED,
  SIGNAL_VIEWER_REMOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* A codec we send: how raw input is encoded to it, how encoded input of
 * it looks, and how it is payloaded. */
typedef struct
{
  const gchar *name;            /* as in video-codecs and the SDP */
  GstWrtcMediaKind kind;
  guint clock_rate, channels;
  const gchar *fmtp;            /* what our encoder produces */
  const gchar *media_type;      /* encoded input */
  const gchar *encoder;
  const gchar *payloader;       /* NULL: none in this GStreamer */
} CodecInfo;

static const CodecInfo codec_infos[] = {
  {"VP8", GST_WRTC_MEDIA_VIDEO, 90000, 0, NULL, "video/x-vp8", "vp8enc",
      "rtpvp8pay"},
  /* RFC 6184 section 8.1: Constrained Baseline, level 3.1, FU-A/STAP-A */
  {"H264", GST_WRTC_MEDIA_VIDEO, 90000, 0,
        "level-asymmetry-allowed=1;packetization-mode=1;"
        "profile-level-id=42e01f", "video/x-h264", "openh264enc",
      "rtph264pay"},
  {"VP9", GST_WRTC_MEDIA_VIDEO, 90000, 0, "profile-id=0", "video/x-vp9",
      "vp9enc", "rtpvp9pay"},
  /* AOM "RTP Payload Format For AV1" section 7.2: no parameter needed,
   * profile 0 (Main, 4:2:0) by default; GStreamer 1.22 has no payloader,
   * wrtcav1pay (this plugin) is ours */
  {"AV1", GST_WRTC_MEDIA_VIDEO, 90000, 0, NULL, "video/x-av1", "av1enc",
      "wrtcav1pay"},
  {"OPUS", GST_WRTC_MEDIA_AUDIO, 48000, 2, "minptime=10;useinbandfec=1",
      "audio/x-opus", "opusenc", "rtpopuspay"},
};

typedef struct _Input Input;

/* One codec of an input: its encoder (or, for encoded input, only its
 * payloader) and the stream all the viewers of that codec share. */
typedef struct
{
  Input *in;                    /* not a ref: branches die with their input */
  guint index;                  /* in in->branches */
  const CodecInfo *info;
  GstWrtcCodecCap cap;          /* fmtp owned */
  GstWrtcRtpStream *stream;
  GstElement *valve;            /* raw input: open while viewers use it */
  GstPad *appsink_pad;          /* where force-key-unit goes upstream */
  guint users;                  /* viewers sent this codec (sink lock) */
} Branch;

/* One request pad: a queue, and once the first caps came, the encoder
 * chain per codec (raw input) or the payloader (encoded input).
 * Refcounted: viewers and keyframe requests may outlive the pad. */
struct _Input
{
  GstWrtcWebrtcSink *sink;      /* not a ref: inputs die with the sink */
  GstWrtcMediaKind kind;
  gchar *name;                  /* the pad name, also the track id */
  GstPad *ghost;
  GstElement *queue;            /* the first element, made with the pad */
  GPtrArray *elements;          /* owned by the bin (sink lock) */
  GPtrArray *branches;          /* Branch, preference order; empty until
                                 * caps came (sink lock) */
  gboolean encoded;             /* the input is encoded (sink lock) */
};

/* One viewer: a WHEP session and its peer connection. */
typedef struct
{
  GstWrtcWebrtcSink *sink;      /* a ref */
  GstWrtcHttpServer *server;    /* a ref */
  gchar *id;
  GstWrtcPeer *peer;
  GPtrArray *inputs;            /* Input, in track order */
  gint *codecs;                 /* per track: the branch sent, or -1 (sink
                                 * lock) */
  gint ending;                  /* atomic: we are closing it */
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
  gchar **video_codecs, **audio_codecs;
  guint max_viewers;
  gchar *token;
  gchar **local_addresses;
  GstWrtcIceTransportPolicy ice_policy;
  gchar *tls_certificate;       /* PEM file paths */
  gchar *tls_key;
  GPtrArray *inputs;            /* Input */
  GPtrArray *pending;           /* PendingOffer: offers waiting for the
                                 * first caps of every input */
  GHashTable *viewers;          /* id -> Viewer */
  guint video_count, audio_count;
  guint64 viewers_total;

  GstWrtcHttpServer *server;

  /* publishing to a WHIP server */
  gchar *whip_url, *whip_token;
  gboolean whip_tried;          /* once per NULL -> READY */
  Viewer *publisher;            /* a ref, or NULL */
  GThread *whip_thread;
  GCancellable *whip_cancel;
  gchar *whip_resource;         /* the session's Location, for DELETE */
};

#define gst_wrtc_webrtc_sink_parent_class parent_class
G_DEFINE_TYPE (GstWrtcWebrtcSink, gst_wrtc_webrtc_sink, GST_TYPE_BIN);
GST_ELEMENT_REGISTER_DEFINE (webrtcsink, "webrtcsink", GST_RANK_NONE,
    GST_WRTC_TYPE_WEBRTC_SINK);

static GstStaticPadTemplate video_template =
    GST_STATIC_PAD_TEMPLATE ("video_%u", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS ("video/x-raw; video/x-vp8; video/x-vp9; "
        "video/x-h264, stream-format = (string) { avc, byte-stream }; "
        "video/x-av1"));
static GstStaticPadTemplate audio_template =
    GST_STATIC_PAD_TEMPLATE ("audio_%u", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS ("audio/x-raw; "
        "audio/x-opus, channel-mapping-family = (int) 0"));

/* Inputs */

static Input *
input_ref (Input * in)
{
  return g_atomic_rc_box_acquire (in);
}

static void
branch_free (Branch * b)
{
  g_free ((gchar *) b->cap.fmtp);
  gst_wrtc_rtp_stream_unref (b->stream);
  gst_clear_object (&b->appsink_pad);
  gst_clear_object (&b->valve);
  g_free (b);
}

static void
input_clear (Input * in)
{
  g_free (in->name);
  gst_clear_object (&in->ghost);
  g_clear_pointer (&in->elements, g_ptr_array_unref);
  g_clear_pointer (&in->branches, g_ptr_array_unref);
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

/* Asks the encoder of @b (upstream's, for encoded input) for a keyframe,
 * unless a request is pending or @force. */
static void
branch_request_keyframe (Branch * b, gboolean force)
{
  if (b->in->kind != GST_WRTC_MEDIA_VIDEO)
    return;
  if (!gst_wrtc_rtp_stream_want_keyframe (b->stream, g_get_monotonic_time ())
      && !force)
    return;
  GST_DEBUG_OBJECT (b->in->sink, "forcing a keyframe on %s (%s)",
      b->in->name, b->info->name);
  gst_pad_push_event (b->appsink_pad,
      gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE,
          0));
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

/* One more (@delta 1) or one fewer (-1) viewer of @b: the first one opens
 * its valve (and it starts with a keyframe), the last one closes it, so an
 * encoder nobody watches costs nothing.  Sink lock; returns TRUE when the
 * caller must force a keyframe (without the lock). */
static gboolean
branch_use_locked (Branch * b, gint delta)
{
  gboolean open;

  if (delta < 0 && b->users == 0)
    return FALSE;
  b->users += delta;
  open = b->users > 0;
  if (b->valve && (b->users == 0 || (b->users == 1 && delta > 0))) {
    GST_INFO_OBJECT (b->in->sink, "%s: %s encoder %s", b->in->name,
        b->info->name, open ? "started" : "idle");
    g_object_set (b->valve, "drop", !open, NULL);
  }
  return delta > 0 && b->users == 1;
}

/* Peer callbacks (ICE/DTLS threads) */

static void
on_keyframe_request (GstWrtcPeer * peer, guint track, Viewer * v)
{
  Branch *b;

  g_mutex_lock (&v->sink->lock);
  b = viewer_branch_locked (v, track);
  g_mutex_unlock (&v->sink->lock);
  /* @b lives as long as its input, which @v holds */
  if (b)
    branch_request_keyframe (b, FALSE);
}

static void
on_state_changed (GstWrtcPeer * peer, guint state, Viewer * v)
{
  GST_INFO_OBJECT (v->sink, "viewer %s: %s", v->id,
      gst_wrtc_peer_state_name (state));
  /* a joining viewer starts with a keyframe (coalesced with the others') */
  if (state == GST_WRTC_PEER_STATE_CONNECTED) {
    guint i;
    for (i = 0; i < v->inputs->len; i++)
      on_keyframe_request (peer, i, v);
  }
  /* before the answer, on_answer ends the session with the right status
   * (the WHIP thread for the publisher) */
  if ((state != GST_WRTC_PEER_STATE_FAILED
          && state != GST_WRTC_PEER_STATE_CLOSED)
      || !g_object_get_data (G_OBJECT (peer), "wrtc-answered"))
    return;
  if (v->server) {
    gst_wrtc_http_server_end_session (v->server, v->id);
  } else if (!g_atomic_int_get (&v->ending)) {
    /* the publisher's session is the element's purpose: its end (ICE or
     * DTLS failure, consent lost, the server's close_notify) is an error */
    GST_ELEMENT_ERROR (v->sink, RESOURCE, WRITE,
        ("The WHIP session ended"), ("%s",
            state == GST_WRTC_PEER_STATE_FAILED ? "the connection failed "
            "(ICE, DTLS or consent)" : "the WHIP server closed it"));
  }
}

/* The codec of each track is decided: the viewer joins those branches. */
static void
viewer_negotiated (GstWrtcWebrtcSink * self, GstWrtcPeer * peer,
    const gchar * id)
{
  GPtrArray *started = g_ptr_array_new ();
  Viewer *v;
  guint i;

  g_mutex_lock (&self->lock);
  v = g_hash_table_lookup (self->viewers, id);
  for (i = 0; v && v->peer == peer && i < v->inputs->len; i++) {
    Input *in = g_ptr_array_index (v->inputs, i);
    gint c = gst_wrtc_peer_get_track_codec (peer, i);
    Branch *b;
    if (v->codecs[i] >= 0 || c < 0 || (guint) c >= in->branches->len)
      continue;
    v->codecs[i] = c;
    b = g_ptr_array_index (in->branches, c);
    GST_INFO_OBJECT (self, "viewer %s: %s gets %s", id, in->name,
        b->info->name);
    if (branch_use_locked (b, 1)) {
      input_ref (in);           /* keeps @b */
      g_ptr_array_add (started, b);
    }
  }
  g_mutex_unlock (&self->lock);
  for (i = 0; i < started->len; i++) {
    Branch *b = g_ptr_array_index (started, i);
    branch_request_keyframe (b, TRUE);
    input_unref (b->in);
  }
  g_ptr_array_unref (started);
}

static void
on_answer (GstWrtcPeer * peer, const gchar * sdp, const GError * error,
    gpointer user_data)
{
  GstWrtcWebrtcSink *self = user_data;
  GstWrtcHttpServer *server = g_object_get_data (G_OBJECT (peer),
      "wrtc-server");
  const gchar *id = g_object_get_data (G_OBJECT (peer), "wrtc-session");

  if (error)
    GST_WARNING_OBJECT (server, "session %s: no answer: %s", id,
        error->message);
  else
    viewer_negotiated (self, peer, id);
  g_object_set_data (G_OBJECT (peer), "wrtc-answered", GINT_TO_POINTER (1));
  gst_wrtc_http_server_complete_offer (server, id, error ? NULL : sdp, error);
  /* failed while answering: on_state_changed left it to us */
  if (!error && gst_wrtc_peer_get_state (peer) >= GST_WRTC_PEER_STATE_FAILED)
    gst_wrtc_http_server_end_session (server, id);
}

/* HTTP callbacks (the server's thread) */

/* An offer that came before the first caps of every input. */
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

static PendingTimer *
pending_timer_new (GstWrtcWebrtcSink * self, const gchar * id)
{
  PendingTimer *t = g_new0 (PendingTimer, 1);

  g_weak_ref_init (&t->sink, self);
  t->id = g_strdup (id);
  return t;
}

static void
pending_timer_free (gpointer data)
{
  PendingTimer *t = data;

  g_weak_ref_clear (&t->sink);
  g_free (t->id);
  g_free (t);
}

/* Every input had its first caps: its codecs are known.  Sink lock. */
static gboolean
inputs_ready_locked (GstWrtcWebrtcSink * self)
{
  guint i;

  for (i = 0; i < self->inputs->len; i++)
    if (((Input *) g_ptr_array_index (self->inputs, i))->branches->len == 0)
      return FALSE;
  return TRUE;
}

static gboolean start_viewer (GstWrtcWebrtcSink * self,
    GstWrtcHttpServer * server, const gchar * session_id,
    const gchar * offer_sdp, const gchar * client_address, GError ** error);
static gboolean on_pending_timeout (gpointer data);


static gchar *
on_offer (GstWrtcHttpServer * server, const gchar * endpoint,
    const gchar * session_id, const gchar * offer_sdp,
    const gchar * client_address, gpointer user_data, GError ** error)
{
  GstWrtcWebrtcSink *self = user_data;
  GstWrtcSessionDesc *desc;
  PendingOffer *p;
  GSource *timer;

  /* a bad offer is a 4xx whatever our state (the peer parses it again) */
  if (!(desc = gst_wrtc_session_desc_parse (offer_sdp, error)))
    return NULL;
  gst_wrtc_session_desc_free (desc);

  g_mutex_lock (&self->lock);
  if (self->inputs->len == 0 || inputs_ready_locked (self)) {
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

  timer = g_timeout_source_new (PENDING_TIMEOUT_MS);
  g_source_set_callback (timer, on_pending_timeout,
      pending_timer_new (self, session_id), pending_timer_free);
  g_source_attach (timer, gst_wrtc_ice_context_get ());
  g_source_unref (timer);
  return NULL;
}

/* A peer connection with our ICE settings.  Sink lock. */
static GstWrtcPeer *
new_peer_locked (GstWrtcWebrtcSink * self, GError ** error)
{
  GstWrtcPeerConfig cfg = { 0, };

  cfg.local_addresses = (const gchar * const *) self->local_addresses;
  cfg.stun_server = self->stun_server;
  cfg.turn_servers = (const gchar * const *) self->turn_servers;
  cfg.cname = "webrtcsink";
  /* transport-wide sequence numbers where the remote offers them (its
   * bandwidth estimation; the feedback it sends back is not used yet) */
  cfg.twcc = TRUE;
  cfg.relay_only = self->ice_policy == GST_WRTC_ICE_TRANSPORT_POLICY_RELAY;
  return gst_wrtc_peer_new (&cfg, error);
}

/* A viewer (or the WHIP publisher: @server NULL) of every input, and
 * the tracks its peer sends: per input its codecs (preference order) and
 * a stream per codec, which the peer copies (*@scratch holds them until
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
  v->inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) input_unref);
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
    g_ptr_array_add (v->inputs, input_ref (in));
    v->codecs[i] = -1;
    tracks[i].kind = in->kind;
    tracks[i].codecs = caps;
    tracks[i].n_codecs = in->branches->len;
    tracks[i].streams = streams;
    tracks[i].stream_id = "webrtcsink";
    tracks[i].track_id = in->name;
  }
  *tracks_out = tracks;
  *scratch_out = scratch;
  return v;
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

  g_mutex_lock (&self->lock);
  peer = new_peer_locked (self, error);
  if (!peer) {
    g_mutex_unlock (&self->lock);
    return FALSE;
  }
  if (self->inputs->len == 0) {
    g_mutex_unlock (&self->lock);
    g_object_unref (peer);
    g_set_error (error, GST_WRTC_HTTP_ERROR,
        GST_WRTC_HTTP_ERROR_UNAVAILABLE, "webrtcsink has no inputs yet");
    return FALSE;
  }
  if (!inputs_ready_locked (self)) {
    g_mutex_unlock (&self->lock);
    g_object_unref (peer);
    g_set_error (error, GST_WRTC_HTTP_ERROR,
        GST_WRTC_HTTP_ERROR_UNAVAILABLE, "webrtcsink has an input without "
        "media yet; try again");
    return FALSE;
  }

  v = viewer_new_locked (self, session_id, server, peer, &tracks, &scratch);
  n = self->inputs->len;
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
      on_answer, self);
  g_free (tracks);
  g_ptr_array_unref (scratch);
  return TRUE;
}

static void maybe_start_publisher (GstWrtcWebrtcSink * self);

/* Every input knows its codecs now: answer the offers that waited, and
 * publish to the WHIP server. */
static void
flush_pending (GstWrtcWebrtcSink * self)
{
  GPtrArray *ready = NULL;
  guint i;

  g_mutex_lock (&self->lock);
  if (self->pending->len && inputs_ready_locked (self)) {
    ready = self->pending;
    self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify)
        pending_offer_free);
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
  guint i;

  g_atomic_int_set (&v->ending, 1);
  g_signal_handlers_disconnect_by_func (v->peer, on_keyframe_request, v);
  g_signal_handlers_disconnect_by_func (v->peer, on_state_changed, v);
  /* the encoders it alone watched go idle */
  g_mutex_lock (&self->lock);
  for (i = 0; i < v->inputs->len; i++) {
    Branch *b = viewer_branch_locked (v, i);
    if (b)
      branch_use_locked (b, -1);
    v->codecs[i] = -1;
  }
  g_mutex_unlock (&self->lock);
  gst_wrtc_peer_close (v->peer);
  if (v->server)
    g_signal_emit (self, signals[SIGNAL_VIEWER_REMOVED], 0, id);
  viewer_unref (v);
  g_free (id);
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
    viewer_end (self, v);
}

static const GstWrtcHttpCallbacks whep_callbacks = {
  on_offer, on_candidates, on_end
};

/* WHIP publishing (RFC 9725 section 4.2): with whip-url, webrtcsink is
 * also a WHIP client.  The WHIP server is one more viewer (PUBLISHER_ID,
 * no HTTP server session) whose session we start: our sendonly offer,
 * POSTed from a thread of ours (the client calls block), its answer. */

typedef struct
{
  Viewer *v;                    /* a ref */
  GstWrtcPeerSdpWait *w;        /* a ref */
  gchar *url, *token;
  GCancellable *cancel;
} WhipJob;

static gpointer
whip_thread (gpointer data)
{
  WhipJob *job = data;
  Viewer *v = job->v;
  GstWrtcWebrtcSink *self = v->sink;
  GstWrtcHttpClientSession *hs = NULL;
  GError *err = NULL;
  gchar *offer;

  if (!(offer = gst_wrtc_peer_sdp_wait_get (job->w, job->cancel, &err)))
    goto fail;
  GST_DEBUG_OBJECT (self, "WHIP offer:\n%s", offer);

  if (!(hs = gst_wrtc_http_client_post_offer (job->url, job->token, offer,
              0, job->cancel, &err)))
    goto fail;
  GST_DEBUG_OBJECT (self, "WHIP answer from %s:\n%s", hs->location, hs->answer);
  g_mutex_lock (&self->lock);
  g_free (self->whip_resource);
  self->whip_resource = g_strdup (hs->location);
  g_mutex_unlock (&self->lock);
  if (!gst_wrtc_peer_set_answer (v->peer, hs->answer, &err))
    goto fail;
  /* from here a failure is the session's end (on_state_changed) */
  g_object_set_data (G_OBJECT (v->peer), "wrtc-answered", GINT_TO_POINTER (1));
  viewer_negotiated (self, v->peer, PUBLISHER_ID);
  GST_INFO_OBJECT (self, "publishing to %s (session %s)", job->url,
      hs->location);
  if (gst_wrtc_peer_get_state (v->peer) >= GST_WRTC_PEER_STATE_FAILED)
    on_state_changed (v->peer, gst_wrtc_peer_get_state (v->peer), v);
  goto out;

fail:
  if (!g_cancellable_is_cancelled (job->cancel))
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE,
        ("Could not publish to the WHIP server %s", job->url),
        ("%s", err->message));
out:
  g_clear_error (&err);
  g_free (offer);
  gst_wrtc_http_client_session_free (hs);
  gst_wrtc_peer_sdp_wait_unref (job->w);
  viewer_unref (v);
  g_free (job->url);
  g_free (job->token);
  g_object_unref (job->cancel);
  g_free (job);
  return NULL;
}

/* With whip-url, once every input knows its codecs: the publisher's
 * offer and the thread that takes it to the server.  Any thread. */
static void
maybe_start_publisher (GstWrtcWebrtcSink * self)
{
  GstWrtcPeerTrack *tracks;
  GPtrArray *scratch;
  GstWrtcPeer *peer;
  GstWrtcPeerSdpWait *sdp_wait;
  GError *err = NULL;
  WhipJob *job;
  gchar *url;
  Viewer *v;
  guint n;

  g_mutex_lock (&self->lock);
  /* self->url: the server runs, i.e. we are between READY and NULL */
  if (!self->whip_url || self->whip_tried || !self->url
      || self->inputs->len == 0 || !inputs_ready_locked (self)) {
    g_mutex_unlock (&self->lock);
    return;
  }
  self->whip_tried = TRUE;
  url = g_strdup (self->whip_url);
  if (!(peer = new_peer_locked (self, &err))) {
    g_mutex_unlock (&self->lock);
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE,
        ("Could not publish to the WHIP server %s", url), ("%s", err->message));
    g_clear_error (&err);
    g_free (url);
    return;
  }
  v = viewer_new_locked (self, PUBLISHER_ID, NULL, peer, &tracks, &scratch);
  n = self->inputs->len;
  g_hash_table_insert (self->viewers, v->id, v);
  self->publisher = viewer_ref (v);
  self->whip_cancel = g_cancellable_new ();
  job = g_new0 (WhipJob, 1);
  job->v = viewer_ref (v);
  job->w = gst_wrtc_peer_sdp_wait_new ();
  job->url = g_strdup (url);
  job->token = g_strdup (self->whip_token);
  job->cancel = g_object_ref (self->whip_cancel);
  sdp_wait = gst_wrtc_peer_sdp_wait_ref (job->w);       /* the callback's */
  self->whip_thread = g_thread_new ("wrtc-whip", whip_thread, job);
  g_mutex_unlock (&self->lock);

  g_object_set_data_full (G_OBJECT (peer), "wrtc-session",
      g_strdup (PUBLISHER_ID), g_free);
  g_signal_connect_data (peer, "keyframe-request",
      G_CALLBACK (on_keyframe_request), viewer_ref (v),
      viewer_closure_notify, 0);
  g_signal_connect_data (peer, "state-changed",
      G_CALLBACK (on_state_changed), viewer_ref (v), viewer_closure_notify, 0);
  GST_INFO_OBJECT (self, "publishing to %s", url);
  gst_wrtc_peer_create_send_offer (peer, tracks, n,
      gst_wrtc_peer_sdp_wait_func, sdp_wait);
  g_free (tracks);
  g_free (url);
  g_ptr_array_unref (scratch);
}

/* Ends the WHIP session: DELETE (RFC 9725 section 4.2), then the peer. */
static void
stop_publisher (GstWrtcWebrtcSink * self)
{
  GThread *thread;
  GCancellable *cancel;
  gchar *resource, *token;
  Viewer *v, *listed = NULL;
  GError *err = NULL;

  g_mutex_lock (&self->lock);
  thread = g_steal_pointer (&self->whip_thread);
  cancel = g_steal_pointer (&self->whip_cancel);
  v = g_steal_pointer (&self->publisher);
  self->whip_tried = FALSE;
  g_mutex_unlock (&self->lock);
  if (v)
    g_atomic_int_set (&v->ending, 1);
  if (cancel)
    g_cancellable_cancel (cancel);
  if (thread)
    g_thread_join (thread);
  g_clear_object (&cancel);

  g_mutex_lock (&self->lock);
  resource = g_steal_pointer (&self->whip_resource);
  token = g_strdup (self->whip_token);
  if (v && g_hash_table_lookup (self->viewers, PUBLISHER_ID) == v) {
    g_hash_table_steal (self->viewers, PUBLISHER_ID);
    listed = v;
  }
  g_mutex_unlock (&self->lock);
  if (resource && !gst_wrtc_http_client_delete (resource, token,
          WHIP_DELETE_TIMEOUT_S, NULL, &err)) {
    GST_INFO_OBJECT (self, "ending the WHIP session: %s", err->message);
    g_clear_error (&err);
  }
  g_free (resource);
  g_free (token);
  if (listed)
    viewer_end (self, listed);
  if (v)
    viewer_unref (v);
}

/* Streaming threads */

typedef struct
{
  GstWrtcPeer *peer;
  guint track;
} Target;

static void
send_buffer (Branch * b, GstBuffer * buf, GArray * targets)
{
  GstMapInfo map;
  guint i;

  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return;
  gst_wrtc_rtp_stream_remember (b->stream, map.data, map.size);
  for (i = 0; i < targets->len; i++) {
    Target *t = &g_array_index (targets, Target, i);
    gst_wrtc_peer_send_rtp (t->peer, t->track, map.data, map.size);
  }
  gst_buffer_unmap (buf, &map);
}

static GstFlowReturn
on_new_sample (GstAppSink * appsink, gpointer user_data)
{
  Branch *b = user_data;
  Input *in = b->in;
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
      /* only the viewers that negotiated this codec */
      if (g_ptr_array_index (v->inputs, i) == in
          && v->codecs[i] == (gint) b->index) {
        Target t = { g_object_ref (v->peer), i };
        g_array_append_val (targets, t);
      }
    }
  }
  g_mutex_unlock (&self->lock);

  list = gst_sample_get_buffer_list (sample);
  if (list) {
    for (i = 0; i < gst_buffer_list_length (list); i++)
      send_buffer (b, gst_buffer_list_get (list, i), targets);
  } else if ((buf = gst_sample_get_buffer (sample))) {
    send_buffer (b, buf, targets);
  }

  for (i = 0; i < targets->len; i++)
    g_object_unref (g_array_index (targets, Target, i).peer);
  g_array_unref (targets);
  gst_sample_unref (sample);
  return GST_FLOW_OK;
}

/* on the payloader's sink pad: encoded frames */
static GstPadProbeReturn
encoder_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  Branch *b = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);

  if (buf && !GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT))
    gst_wrtc_rtp_stream_keyframe_seen (b->stream);
  return GST_PAD_PROBE_OK;
}

/* Pads */

static GstElement *
make (GPtrArray * chain, const gchar * factory, GError ** error)
{
  GstElement *e = gst_element_factory_make (factory, NULL);
  if (!e) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
        "element '%s' is missing", factory);
    return NULL;
  }
  g_ptr_array_add (chain, gst_object_ref_sink (e));
  return e;
}

static const CodecInfo *
codec_info_by_name (GstWrtcMediaKind kind, const gchar * name)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (codec_infos); i++)
    if (codec_infos[i].kind == kind
        && !g_ascii_strcasecmp (codec_infos[i].name, name))
      return &codec_infos[i];
  return NULL;
}

static const CodecInfo *
codec_info_for_caps (const GstStructure * s)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (codec_infos); i++)
    if (gst_structure_has_name (s, codec_infos[i].media_type))
      return &codec_infos[i];
  return NULL;
}

/* RFC 6184 section 8.1 profile-level-id of encoded H.264 input, from the
 * caps h264parse (or the encoder) gives; Constrained Baseline 3.1 when
 * they do not say. */
static gchar *
h264_fmtp_for_caps (const GstStructure * s)
{
  static const struct
  {
    const gchar *name;
    guint idc, iop;
  } profiles[] = {
    {"constrained-baseline", 0x42, 0xe0}, {"baseline", 0x42, 0x00},
    {"main", 0x4d, 0x00}, {"constrained-high", 0x64, 0x0c},
    {"high", 0x64, 0x00},
  };
  const gchar *profile = gst_structure_get_string (s, "profile");
  const gchar *level = gst_structure_get_string (s, "level");
  guint idc = 0x42, iop = 0xe0, level_idc = 0x1f, i;

  for (i = 0; profile && i < G_N_ELEMENTS (profiles); i++) {
    if (!strcmp (profile, profiles[i].name)) {
      idc = profiles[i].idc;
      iop = profiles[i].iop;
    }
  }
  /* "3.1" is level_idc 31; "1b" is not expressible here */
  if (level && g_ascii_isdigit (level[0])) {
    level_idc = (level[0] - '0') * 10;
    if (level[1] == '.' && g_ascii_isdigit (level[2]))
      level_idc += level[2] - '0';
  }
  return g_strdup_printf ("level-asymmetry-allowed=1;packetization-mode=1;"
      "profile-level-id=%02x%02x%02x", idc, iop, level_idc);
}

static Branch *
branch_new (Input * in, const CodecInfo * info, const GstStructure * encoded)
{
  Branch *b = g_new0 (Branch, 1);
  guint32 ssrc = g_random_int ();
  const gchar *vp9_profile;

  b->in = in;
  b->info = info;
  b->cap.kind = info->kind;
  b->cap.encoding = info->name;
  b->cap.clock_rate = info->clock_rate;
  b->cap.channels = info->channels;
  if (encoded && !strcmp (info->name, "H264"))
    b->cap.fmtp = h264_fmtp_for_caps (encoded);
  else if (encoded && !strcmp (info->name, "VP9")
      && (vp9_profile = gst_structure_get_string (encoded, "profile")))
    b->cap.fmtp = g_strdup_printf ("profile-id=%s", vp9_profile);
  else
    b->cap.fmtp = g_strdup (info->fmtp);
  b->stream = info->kind == GST_WRTC_MEDIA_VIDEO ?
      gst_wrtc_rtp_stream_new (ssrc, ssrc ^ 0x5a5a5a5a, 90000, 512, 500000) :
      gst_wrtc_rtp_stream_new (ssrc, ssrc ^ 0x5a5a5a5a, 48000, 128, 500000);
  return b;
}

static void
configure_encoder (GstElement * enc, const CodecInfo * info)
{
  GObject *o = G_OBJECT (enc);

  if (!strcmp (info->encoder, "vp8enc") || !strcmp (info->encoder, "vp9enc")) {
    gst_util_set_object_arg (o, "deadline", "1");
    gst_util_set_object_arg (o, "keyframe-max-dist", KEYFRAME_MAX_DIST);
    gst_util_set_object_arg (o, "error-resilient", "default");
    if (!strcmp (info->encoder, "vp9enc")) {
      /* libvpx's realtime settings: fast, no lookahead */
      gst_util_set_object_arg (o, "cpu-used", "7");
      gst_util_set_object_arg (o, "lag-in-frames", "0");
      gst_util_set_object_arg (o, "row-mt", "true");
    }
  } else if (!strcmp (info->encoder, "openh264enc")) {
    gst_util_set_object_arg (o, "usage-type", "camera");
    gst_util_set_object_arg (o, "rate-control", "bitrate");
    gst_util_set_object_arg (o, "complexity", "low");
    gst_util_set_object_arg (o, "gop-size", KEYFRAME_MAX_DIST);
    g_object_set (o, "bitrate", (guint) H264_BITRATE, NULL);
  } else if (!strcmp (info->encoder, "av1enc")) {
    /* libaom's realtime mode: fast, no lookahead, constant bitrate */
    gst_util_set_object_arg (o, "usage-profile", "realtime");
    gst_util_set_object_arg (o, "cpu-used", "9");
    gst_util_set_object_arg (o, "end-usage", "cbr");
    gst_util_set_object_arg (o, "target-bitrate", AV1_BITRATE_KBPS);
    gst_util_set_object_arg (o, "lag-in-frames", "0");
    gst_util_set_object_arg (o, "keyframe-max-dist", AV1_KEYFRAME_MAX_DIST);
    gst_util_set_object_arg (o, "threads", "2");
    /* av1enc's defaults (0 and 0) pin the quantizer, which trips an
     * assertion in libaom's CBR rate control; libwebrtc's range */
    gst_util_set_object_arg (o, "min-quantizer", "10");
    gst_util_set_object_arg (o, "max-quantizer", "56");
  }
}

/* The elements of one branch, in link order, into @chain: for raw input
 * valve ! queue [! capsfilter] ! encoder [! capsfilter | ! av1parse] !
 * payloader ! appsink, for encoded input [h264parse | av1parse !]
 * payloader ! appsink. */
static gboolean
make_branch (Branch * b, gboolean raw, GPtrArray * chain, GError ** error)
{
  GstAppSinkCallbacks callbacks = { NULL, NULL, on_new_sample, };
  const CodecInfo *info = b->info;
  gboolean h264 = !strcmp (info->name, "H264");
  gboolean av1 = !strcmp (info->name, "AV1");
  GstElement *e, *pay, *appsink;
  GstPad *pad;

  if (raw) {
    if (!(e = make (chain, "valve", error)))
      return FALSE;
    /* caps and segment still pass, so the encoder is ready when opened */
    gst_util_set_object_arg (G_OBJECT (e), "drop-mode",
        "forward-sticky-events");
    g_object_set (e, "drop", TRUE, NULL);
    b->valve = gst_object_ref (e);
    /* one thread per encoder; a slow one drops frames, never stalls */
    if (!(e = make (chain, "queue", error)))
      return FALSE;
    g_object_set (e, "max-size-buffers", 0, "max-size-bytes", 0,
        "max-size-time", (guint64) 200 * GST_MSECOND, "leaky", 2, NULL);
    if (av1) {
      /* profile 0 (Main) is 4:2:0: what browsers decode */
      GstCaps *caps = gst_caps_from_string ("video/x-raw, format=I420");
      if (!(e = make (chain, "capsfilter", error))) {
        gst_caps_unref (caps);
        return FALSE;
      }
      g_object_set (e, "caps", caps, NULL);
      gst_caps_unref (caps);
    }
    if (!(e = make (chain, info->encoder, error)))
      return FALSE;
    configure_encoder (e, info);
    if (h264) {
      GstCaps *caps = gst_caps_from_string ("video/x-h264, "
          "profile=(string)constrained-baseline, "
          "stream-format=(string)byte-stream, alignment=(string)au");
      if (!(e = make (chain, "capsfilter", error))) {
        gst_caps_unref (caps);
        return FALSE;
      }
      g_object_set (e, "caps", caps, NULL);
      gst_caps_unref (caps);
    }
  } else if (h264) {
    if (!make (chain, "h264parse", error))
      return FALSE;
  }
  /* wrtcav1pay takes whole temporal units of sized OBUs */
  if (av1 && !make (chain, "av1parse", error))
    return FALSE;
  if (!(pay = make (chain, info->payloader, error)))
    return FALSE;
  g_object_set (pay, "mtu", MTU, "pt",
      info->kind == GST_WRTC_MEDIA_VIDEO ? VIDEO_PT : AUDIO_PT,
      "ssrc", gst_wrtc_rtp_stream_get_ssrc (b->stream), NULL);
  if (!strcmp (info->payloader, "rtpvp8pay")
      || !strcmp (info->payloader, "rtpvp9pay"))
    gst_util_set_object_arg (G_OBJECT (pay), "picture-id-mode", "15-bit");
  if (h264) {
    /* SPS and PPS before every IDR, so a joining viewer decodes at its
     * first keyframe; STAP-A (RFC 6184 section 5.7.1) without delay */
    g_object_set (pay, "config-interval", -1, NULL);
    gst_util_set_object_arg (G_OBJECT (pay), "aggregate-mode", "zero-latency");
  }
  pad = gst_element_get_static_pad (pay, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, encoder_probe, b, NULL);
  gst_object_unref (pad);

  if (!(appsink = make (chain, "appsink", error)))
    return FALSE;
  g_object_set (appsink, "sync", FALSE, "async", FALSE, "buffer-list", TRUE,
      "max-buffers", 64, "drop", TRUE, NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (appsink), &callbacks, b, NULL);
  b->appsink_pad = gst_element_get_static_pad (appsink, "sink");
  return TRUE;
}

static gboolean
link_chain (GstElement * from, GPtrArray * chain, guint first, guint last)
{
  guint i;

  for (i = first; i < last; i++) {
    if (!gst_element_link (from, g_ptr_array_index (chain, i)))
      return FALSE;
    from = g_ptr_array_index (chain, i);
  }
  return TRUE;
}

/* The first caps of @in came: build what follows its queue.  Raw input:
 * convert ! tee, and a branch per codec of video-codecs or audio-codecs
 * that we can encode and payload.  Encoded input: one branch, that codec.
 * On the upstream streaming thread, before the caps go on. */
static gboolean
input_build (Input * in, GstCaps * caps, GError ** error)
{
  GstWrtcWebrtcSink *self = in->sink;
  gboolean video = in->kind == GST_WRTC_MEDIA_VIDEO;
  const GstStructure *s = gst_caps_get_structure (caps, 0);
  gboolean raw = gst_structure_has_name (s, video ? "video/x-raw" :
      "audio/x-raw");
  GPtrArray *chain = g_ptr_array_new_with_free_func (gst_object_unref);
  GPtrArray *branches =
      g_ptr_array_new_with_free_func ((GDestroyNotify) branch_free);
  GArray *starts = g_array_new (FALSE, FALSE, sizeof (guint));
  GstElement *tee = NULL;
  gchar **names = NULL, *list;
  guint i, head = 0;

  if (raw) {
    g_mutex_lock (&self->lock);
    names = g_strdupv (video ? self->video_codecs : self->audio_codecs);
    g_mutex_unlock (&self->lock);
    for (i = 0; names && names[i]; i++) {
      const CodecInfo *info = codec_info_by_name (in->kind, names[i]);
      GstElementFactory *f;
      guint j;
      if (!info) {
        GST_WARNING_OBJECT (self, "%s: unknown %s codec '%s' skipped",
            in->name, video ? "video" : "audio", names[i]);
        continue;
      }
      for (j = 0; j < branches->len; j++)
        if (((Branch *) g_ptr_array_index (branches, j))->info == info)
          break;
      if (j < branches->len)
        continue;
      if (!info->payloader) {
        GST_WARNING_OBJECT (self, "%s: %s skipped: this GStreamer has no "
            "RTP payloader for it", in->name, info->name);
        continue;
      }
      if (!(f = gst_element_factory_find (info->encoder))) {
        GST_WARNING_OBJECT (self, "%s: %s skipped: no %s element", in->name,
            info->name, info->encoder);
        continue;
      }
      gst_object_unref (f);
      g_ptr_array_add (branches, branch_new (in, info, NULL));
    }
    if (branches->len == 0)
      goto no_codec;

    if (video) {
      if (!make (chain, "videoconvert", error))
        goto fail;
    } else if (!make (chain, "audioconvert", error)
        || !make (chain, "audioresample", error)) {
      goto fail;
    }
    if (!(tee = make (chain, "tee", error)))
      goto fail;
    g_object_set (tee, "allow-not-linked", TRUE, NULL);
    head = chain->len;
  } else {
    const CodecInfo *info = codec_info_for_caps (s);
    if (!info || !info->payloader)
      goto no_codec;
    g_ptr_array_add (branches, branch_new (in, info, s));
    /* a dropped encoded frame would spoil every frame up to the next
     * keyframe: hold up upstream instead (nothing after blocks) */
    g_object_set (in->queue, "leaky", 0, "max-size-time",
        (guint64) GST_SECOND, NULL);
  }

  for (i = 0; i < branches->len; i++) {
    Branch *b = g_ptr_array_index (branches, i);
    b->index = i;
    g_array_append_val (starts, chain->len);
    if (!make_branch (b, raw, chain, error))
      goto fail;
  }
  g_array_append_val (starts, chain->len);

  for (i = 0; i < chain->len; i++)
    gst_bin_add (GST_BIN (self), g_ptr_array_index (chain, i));
  if (!link_chain (in->queue, chain, 0, raw ? head : 1))
    goto link_failed;
  for (i = 0; i < branches->len; i++) {
    guint from = g_array_index (starts, guint, i);
    guint to = g_array_index (starts, guint, i + 1);
    /* encoded: the queue is linked to the branch's first element above */
    if (!link_chain (raw ? tee : g_ptr_array_index (chain, from), chain,
            raw ? from : from + 1, to))
      goto link_failed;
  }
  /* downstream first, so nothing is pushed into a flushing pad */
  for (i = chain->len; i > 0; i--)
    gst_element_sync_state_with_parent (g_ptr_array_index (chain, i - 1));

  g_mutex_lock (&self->lock);
  for (i = 0; i < chain->len; i++)
    g_ptr_array_add (in->elements, g_ptr_array_index (chain, i));
  g_ptr_array_extend_and_steal (in->branches, branches);
  in->encoded = !raw;
  g_mutex_unlock (&self->lock);

  /* offers that waited for this */
  flush_pending (self);

  list = names ? g_strjoinv (",", names) : g_strdup ("");
  GST_INFO_OBJECT (self, "%s: %s input, sending %s", in->name,
      raw ? "raw" : gst_structure_get_name (s), raw ? list :
      ((Branch *) g_ptr_array_index (in->branches, 0))->info->name);
  g_free (list);
  g_strfreev (names);
  g_ptr_array_unref (chain);
  g_array_unref (starts);
  return TRUE;

  /* ERRORS */
no_codec:
  list = names ? g_strjoinv (",", names) : g_strdup ("");
  g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
      "%s: nothing to send: none of the codecs in %s (%s) can be encoded "
      "and payloaded here", in->name, video ? "video-codecs" : "audio-codecs",
      list);
  g_free (list);
  goto fail;
link_failed:
  g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
      "%s: could not link the encoder chain", in->name);
  for (i = 0; i < chain->len; i++) {
    GstElement *e = g_ptr_array_index (chain, i);
    if (GST_OBJECT_PARENT (e) == GST_OBJECT (self)) {
      gst_element_set_state (e, GST_STATE_NULL);
      gst_bin_remove (GST_BIN (self), e);
    }
  }
fail:
  g_strfreev (names);
  g_ptr_array_unref (chain);
  g_ptr_array_unref (branches);
  g_array_unref (starts);
  return FALSE;
}

/* Builds the chain at the first caps; later caps must be of the same kind
 * (raw stays raw, VP8 stays VP8). */
static GstPadProbeReturn
input_event_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  Input *in = user_data;
  GstWrtcWebrtcSink *self = in->sink;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  const GstStructure *s;
  GError *err = NULL;
  GstCaps *caps;
  gboolean built, encoded, raw;
  const CodecInfo *ci = NULL;

  if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  gst_event_parse_caps (event, &caps);
  s = gst_caps_get_structure (caps, 0);
  raw = g_str_has_suffix (gst_structure_get_name (s), "/x-raw");

  g_mutex_lock (&self->lock);
  built = in->branches->len > 0;
  encoded = in->encoded;
  if (built && encoded)
    ci = ((Branch *) g_ptr_array_index (in->branches, 0))->info;
  g_mutex_unlock (&self->lock);

  if (!built) {
    if (input_build (in, caps, &err))
      return GST_PAD_PROBE_OK;
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, ("%s", err->message), (NULL));
    g_clear_error (&err);
    return GST_PAD_PROBE_DROP;
  }
  if (raw == !encoded && (raw || gst_structure_has_name (s, ci->media_type)))
    return GST_PAD_PROBE_OK;
  GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
      ("%s: the input changed from %s to %" GST_PTR_FORMAT
          "; changing between raw and encoded input, or the codec, "
          "is not supported", in->name, encoded ? ci->media_type : "raw",
          caps), (NULL));
  return GST_PAD_PROBE_DROP;
}

/* Until the first caps: what we take, I420 first for raw video (what every
 * encoder here takes). */
static GstPadProbeReturn
input_query_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  Input *in = user_data;
  GstQuery *q = GST_PAD_PROBE_INFO_QUERY (info);
  GstCaps *tmpl, *caps, *filter, *res;
  gboolean built;

  if (GST_QUERY_TYPE (q) != GST_QUERY_CAPS
      && GST_QUERY_TYPE (q) != GST_QUERY_ACCEPT_CAPS)
    return GST_PAD_PROBE_OK;
  g_mutex_lock (&in->sink->lock);
  built = in->branches->len > 0;
  g_mutex_unlock (&in->sink->lock);
  if (built)
    return GST_PAD_PROBE_OK;

  tmpl = gst_pad_get_pad_template_caps (pad);
  if (GST_QUERY_TYPE (q) == GST_QUERY_ACCEPT_CAPS) {
    gst_query_parse_accept_caps (q, &caps);
    gst_query_set_accept_caps_result (q, gst_caps_is_subset (caps, tmpl));
    gst_caps_unref (tmpl);
    return GST_PAD_PROBE_HANDLED;
  }
  gst_query_parse_caps (q, &filter);
  res = in->kind == GST_WRTC_MEDIA_VIDEO ?
      gst_caps_from_string ("video/x-raw, format=(string)I420") :
      gst_caps_new_empty ();
  res = gst_caps_merge (res, tmpl);
  if (filter) {
    caps = gst_caps_intersect_full (res, filter, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (res);
    res = caps;
  }
  gst_query_set_caps_result (q, res);
  gst_caps_unref (res);
  return GST_PAD_PROBE_HANDLED;
}

static GstPad *
gst_wrtc_webrtc_sink_request_new_pad (GstElement * element,
    GstPadTemplate * templ, const gchar * name, const GstCaps * caps)
{
  GstWrtcWebrtcSink *self = GST_WRTC_WEBRTC_SINK (element);
  GstElementClass *klass = GST_ELEMENT_GET_CLASS (element);
  gboolean video = templ == gst_element_class_get_pad_template (klass,
      "video_%u");
  GstPad *target, *existing;
  gchar *pad_name;
  Input *in;

  g_mutex_lock (&self->lock);
  if (name) {
    pad_name = g_strdup (name);
  } else if (video) {
    pad_name = g_strdup_printf ("video_%u", self->video_count++);
  } else {
    pad_name = g_strdup_printf ("audio_%u", self->audio_count++);
  }
  g_mutex_unlock (&self->lock);
  if ((existing = gst_element_get_static_pad (element, pad_name))) {
    GST_WARNING_OBJECT (self, "pad %s exists", pad_name);
    gst_object_unref (existing);
    g_free (pad_name);
    return NULL;
  }

  in = g_atomic_rc_box_new0 (Input);
  in->sink = self;
  in->kind = video ? GST_WRTC_MEDIA_VIDEO : GST_WRTC_MEDIA_AUDIO;
  in->name = pad_name;
  /* not refs: the bin owns them, and they hold @in (appsink callbacks,
   * probes) without a ref, as the inputs live as long as the bin */
  in->elements = g_ptr_array_new ();
  in->branches = g_ptr_array_new_with_free_func ((GDestroyNotify) branch_free);

  /* the rest comes with the first caps (input_build) */
  in->queue = gst_element_factory_make ("queue", NULL);
  if (!in->queue)
    goto no_queue;
  g_object_set (in->queue, "max-size-buffers", 0, "max-size-bytes", 0,
      "max-size-time", (guint64) 200 * GST_MSECOND, "leaky", 2, NULL);
  g_ptr_array_add (in->elements, in->queue);
  gst_bin_add (GST_BIN (self), in->queue);
  gst_element_sync_state_with_parent (in->queue);

  target = gst_element_get_static_pad (in->queue, "sink");
  in->ghost = gst_ghost_pad_new_from_template (in->name, target, templ);
  gst_object_unref (target);
  gst_object_ref (in->ghost);
  g_object_set_data (G_OBJECT (in->ghost), "wrtc-input", in);
  gst_pad_add_probe (in->ghost, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      input_event_probe, in, NULL);
  gst_pad_add_probe (in->ghost, GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM,
      input_query_probe, in, NULL);
  if (GST_STATE (self) > GST_STATE_NULL)
    gst_pad_set_active (in->ghost, TRUE);

  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->inputs, in);
  g_mutex_unlock (&self->lock);

  gst_element_add_pad (element, in->ghost);
  GST_INFO_OBJECT (self, "new input %s", in->name);
  return in->ghost;

  /* ERRORS */
no_queue:
  GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN, ("element 'queue' is "
          "missing"), (NULL));
  input_unref (in);
  return NULL;
}

static void
gst_wrtc_webrtc_sink_release_pad (GstElement * element, GstPad * pad)
{
  GstWrtcWebrtcSink *self = GST_WRTC_WEBRTC_SINK (element);
  Input *in = g_object_get_data (G_OBJECT (pad), "wrtc-input");
  GPtrArray *elements;
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
  g_mutex_lock (&self->lock);
  elements = g_ptr_array_copy (in->elements, NULL, NULL);
  g_mutex_unlock (&self->lock);
  for (i = 0; i < elements->len; i++) {
    GstElement *e = g_ptr_array_index (elements, i);
    if (GST_OBJECT_PARENT (e) != GST_OBJECT (self))
      continue;
    gst_element_set_state (e, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (self), e);
  }
  g_ptr_array_unref (elements);
  input_unref (in);
  /* the inputs left may all be ready now */
  flush_pending (self);
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
  gchar *address, *url, *cert, *key, *stun;
  gchar **turn;
  gboolean relay;
  guint port;

  g_mutex_lock (&self->lock);
  address = g_strdup (self->address);
  port = self->port;
  cert = self->tls_certificate && *self->tls_certificate ?
      g_strdup (self->tls_certificate) : NULL;
  key = self->tls_key && *self->tls_key ? g_strdup (self->tls_key) : NULL;
  stun = g_strdup (self->stun_server);
  turn = g_strdupv (self->turn_servers);
  relay = self->ice_policy == GST_WRTC_ICE_TRANSPORT_POLICY_RELAY;
  g_mutex_unlock (&self->lock);

  if ((cert == NULL) != (key == NULL))
    goto tls_half;
  if (relay && !turn)
    goto relay_without_turn;
  /* the browser's too: Link headers on 201 (RFC 9725 section 4.6) and
   * config.json for the player */
  if (!gst_wrtc_http_server_set_page_config (self->server, "/config.json",
          "whep", stun, (const gchar * const *) turn, relay, &err))
    goto bad_ice;
  if (!gst_wrtc_http_server_start (self->server, address, port, cert, key,
          &err))
    goto no_start;
  g_free (address);
  g_free (cert);
  g_free (key);
  g_free (stun);
  g_strfreev (turn);
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

  /* ERRORS */
tls_half:
  GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
      ("HTTPS needs both tls-certificate and tls-key (only %s is set)",
          cert ? "tls-certificate" : "tls-key"), (NULL));
  goto fail;
bad_ice:
  GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
      ("Bad stun-server or turn-servers: %s", err->message), (NULL));
  goto fail;
relay_without_turn:
  GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
      ("ice-transport-policy=relay needs turn-servers"),
      ("without a TURN server there is no candidate to connect with"));
  goto fail;
no_start:
  if (err->domain == G_FILE_ERROR || err->domain == G_TLS_ERROR) {
    /* the message names the file and why */
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
        ("Could not load the HTTPS certificate: %s", err->message),
        ("tls-certificate=%s tls-key=%s", cert, key));
  } else {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
        ("Could not start the HTTP server on %s port %u", address, port),
        ("%s", err->message));
  }
  goto fail;
fail:
  g_clear_error (&err);
  g_free (address);
  g_free (cert);
  g_free (key);
  g_free (stun);
  g_strfreev (turn);
  return FALSE;
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
  /* offers still waiting for media: their sessions ended with the server */
  g_ptr_array_set_size (self->pending, 0);
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
          && ret == GST_STATE_CHANGE_FAILURE)) {
    stop_publisher (self);
    stop_server (self);
  }
  return ret;
}

/* GObject */

static gint
compare_viewers (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(Viewer **) a)->id, (*(Viewer **) b)->id);
}

static void
take_structure (GValue * array, GstStructure * s)
{
  GValue v = G_VALUE_INIT;

  g_value_init (&v, GST_TYPE_STRUCTURE);
  g_value_take_boxed (&v, s);
  gst_value_array_append_and_take_value (array, &v);
}

/* Per viewer, named and keyed as W3C webrtc-stats (section 7): a
 * "peer-connection" with its state, an "outbound-rtp" per track sent to it
 * and a "remote-inbound-rtp" with what its RTCP receiver reports said. */
static void
add_viewer_stats (GstWrtcWebrtcSink * self, GstStructure * s, gboolean full_ids)
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
      const gchar *kind = in->kind == GST_WRTC_MEDIA_VIDEO ? "video" : "audio";
      GstWrtcRtpSenderStats st;
      gchar *enc = NULL, *mime;
      guint32 ssrc;

      if (!gst_wrtc_peer_get_track_stats (v->peer, t, &st, &ssrc, &enc))
        continue;
      /* as browsers write it: "video/VP8", "audio/opus" */
      mime = g_strdup_printf ("%s/%s", kind, !enc ? "" :
          g_ascii_strcasecmp (enc, "opus") == 0 ? "opus" : enc);
      take_structure (&out, gst_structure_new ("outbound-rtp",
              "ssrc", G_TYPE_UINT, ssrc,
              "kind", G_TYPE_STRING, kind,
              "trackIdentifier", G_TYPE_STRING, in->name,
              "mimeType", G_TYPE_STRING, mime,
              "packetsSent", G_TYPE_UINT64, st.packets_sent,
              "bytesSent", G_TYPE_UINT64, st.octets_sent,
              "retransmittedPacketsSent", G_TYPE_UINT64, st.retransmitted,
              "nackCount", G_TYPE_UINT64, st.nacks,
              "pliCount", G_TYPE_UINT64, st.plis,
              "firCount", G_TYPE_UINT64, st.firs, NULL));
      take_structure (&remote, gst_structure_new ("remote-inbound-rtp",
              "ssrc", G_TYPE_UINT, ssrc,
              "kind", G_TYPE_STRING, kind,
              "packetsLost", G_TYPE_INT, st.cumulative_lost,
              "fractionLost", G_TYPE_DOUBLE, st.fraction_lost / 256.0, NULL));
      g_free (mime);
      g_free (enc);
    }
    /* the session id is the key to the viewer's session URL (RFC 9725
     * section 4.2): over HTTP only its first 8 digits */
    id = full_ids ? g_strdup (v->id) : g_strndup (v->id, 8);
    pc = gst_structure_new ("peer-connection",
        "id", G_TYPE_STRING, id,
        "state", G_TYPE_STRING,
        gst_wrtc_peer_state_name (gst_wrtc_peer_get_state (v->peer)), NULL);
    gst_structure_take_value (pc, "outbound-rtp", &out);
    gst_structure_take_value (pc, "remote-inbound-rtp", &remote);
    gst_wrtc_peer_add_transport_stats (v->peer, pc);
    take_structure (&peers, pc);
    g_free (id);
  }
  g_ptr_array_unref (viewers);
  gst_structure_take_value (s, "peers", &peers);
}

static GstStructure *
make_stats_full (GstWrtcWebrtcSink * self, gboolean full_ids)
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
    GValue v = G_VALUE_INIT, encodings = G_VALUE_INIT;
    GString *codecs = g_string_new (NULL);
    guint64 keyframe_requests = 0;
    GstStructure *st;
    guint j;

    /* one stream per codec (the first one's ssrc at the top, as before
     * codecs were several) */
    g_value_init (&encodings, GST_TYPE_ARRAY);
    for (j = 0; j < in->branches->len; j++) {
      Branch *b = g_ptr_array_index (in->branches, j);
      GValue e = G_VALUE_INIT;
      guint64 kr = gst_wrtc_rtp_stream_get_keyframe_requests (b->stream);
      keyframe_requests += kr;
      g_string_append_printf (codecs, "%s%s", j ? "," : "", b->info->name);
      g_value_init (&e, GST_TYPE_STRUCTURE);
      g_value_take_boxed (&e, gst_structure_new ("encoding",
              "codec", G_TYPE_STRING, b->info->name,
              "ssrc", G_TYPE_UINT, gst_wrtc_rtp_stream_get_ssrc (b->stream),
              "viewers", G_TYPE_UINT, b->users,
              "active", G_TYPE_BOOLEAN, b->users > 0 || !b->valve,
              "keyframe-requests", G_TYPE_UINT64, kr, NULL));
      gst_value_array_append_and_take_value (&encodings, &e);
    }
    st = gst_structure_new ("outbound-stream",
        "pad", G_TYPE_STRING, in->name,
        "kind", G_TYPE_STRING,
        in->kind == GST_WRTC_MEDIA_VIDEO ? "video" : "audio",
        "ssrc", G_TYPE_UINT, in->branches->len ?
        gst_wrtc_rtp_stream_get_ssrc (((Branch *)
                g_ptr_array_index (in->branches, 0))->stream) : 0,
        "keyframe-requests", G_TYPE_UINT64, keyframe_requests,
        "input", G_TYPE_STRING, in->branches->len == 0 ? "none" :
        in->encoded ? "encoded" : "raw",
        "codecs", G_TYPE_STRING, codecs->str, NULL);
    gst_structure_take_value (st, "encodings", &encodings);
    g_string_free (codecs, TRUE);
    g_value_init (&v, GST_TYPE_STRUCTURE);
    g_value_take_boxed (&v, st);
    gst_value_array_append_and_take_value (&streams, &v);
  }
  g_mutex_unlock (&self->lock);
  gst_structure_take_value (s, "streams", &streams);
  add_viewer_stats (self, s, full_ids);
  return s;
}

static GstStructure *
make_stats (GstWrtcWebrtcSink * self)
{
  return make_stats_full (self, TRUE);
}

/* Generated pages (the server's thread) */

/* GET /stats.json: the stats property. */
static GBytes *
stats_json (GstWrtcHttpServer * server, const gchar * path,
    gpointer user_data, GError ** error)
{
  GstStructure *s = make_stats_full (user_data, FALSE);
  gchar *json = gst_wrtc_http_json_from_structure (s);
  gchar *body = g_strconcat (json, "\n", NULL);

  gst_structure_free (s);
  g_free (json);
  return g_bytes_new_take (body, strlen (body));
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
      self->turn_servers = gst_wrtc_list_split (g_value_get_string (value));
      break;
    case PROP_VIDEO_CODECS:
      g_strfreev (self->video_codecs);
      self->video_codecs = gst_wrtc_list_split (g_value_get_string (value));
      if (!self->video_codecs)
        self->video_codecs = g_strsplit (DEFAULT_VIDEO_CODECS, ",", -1);
      break;
    case PROP_AUDIO_CODECS:
      g_strfreev (self->audio_codecs);
      self->audio_codecs = gst_wrtc_list_split (g_value_get_string (value));
      if (!self->audio_codecs)
        self->audio_codecs = g_strsplit (DEFAULT_AUDIO_CODECS, ",", -1);
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
      self->local_addresses = gst_wrtc_list_split (g_value_get_string (value));
      break;
    case PROP_TLS_CERTIFICATE:
      g_free (self->tls_certificate);
      self->tls_certificate = g_value_dup_string (value);
      break;
    case PROP_TLS_KEY:
      g_free (self->tls_key);
      self->tls_key = g_value_dup_string (value);
      break;
    case PROP_WHIP_URL:
      g_free (self->whip_url);
      self->whip_url = g_value_dup_string (value);
      if (self->whip_url && !*self->whip_url)
        g_clear_pointer (&self->whip_url, g_free);
      break;
    case PROP_ICE_TRANSPORT_POLICY:
      self->ice_policy = g_value_get_enum (value);
      break;
    case PROP_WHIP_TOKEN:
      g_free (self->whip_token);
      self->whip_token = g_value_dup_string (value);
      if (self->whip_token && !*self->whip_token)
        g_clear_pointer (&self->whip_token, g_free);
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
      g_value_take_string (value, gst_wrtc_list_join (self->turn_servers));
      break;
    case PROP_VIDEO_CODECS:
      g_value_take_string (value, gst_wrtc_list_join (self->video_codecs));
      break;
    case PROP_AUDIO_CODECS:
      g_value_take_string (value, gst_wrtc_list_join (self->audio_codecs));
      break;
    case PROP_MAX_VIEWERS:
      g_value_set_uint (value, self->max_viewers);
      break;
    case PROP_TOKEN:
      g_value_set_string (value, self->token);
      break;
    case PROP_LOCAL_ADDRESSES:
      g_value_take_string (value, gst_wrtc_list_join (self->local_addresses));
      break;
    case PROP_TLS_CERTIFICATE:
      g_value_set_string (value, self->tls_certificate);
      break;
    case PROP_TLS_KEY:
      g_value_set_string (value, self->tls_key);
      break;
    case PROP_WHIP_URL:
      g_value_set_string (value, self->whip_url);
      break;
    case PROP_WHIP_TOKEN:
      g_value_set_string (value, self->whip_token);
      break;
    case PROP_ICE_TRANSPORT_POLICY:
      g_value_set_enum (value, self->ice_policy);
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
  g_ptr_array_unref (self->pending);
  g_free (self->address);
  g_free (self->url);
  g_free (self->stun_server);
  g_strfreev (self->turn_servers);
  g_strfreev (self->video_codecs);
  g_strfreev (self->audio_codecs);
  g_free (self->token);
  g_strfreev (self->local_addresses);
  g_free (self->tls_certificate);
  g_free (self->tls_key);
  g_free (self->whip_url);
  g_free (self->whip_token);
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
  g_object_class_install_property (gobject_class, PROP_VIDEO_CODECS,
      g_param_spec_string ("video-codecs", "Video codecs",
          "Comma-separated codecs raw video is encoded to, in preference "
          "order: VP8, H264, VP9, AV1.  Each viewer gets the first one "
          "its offer carries; an encoder runs only while a viewer uses it.  "
          "Read when a pad gets its first caps", DEFAULT_VIDEO_CODECS, rw));
  g_object_class_install_property (gobject_class, PROP_AUDIO_CODECS,
      g_param_spec_string ("audio-codecs", "Audio codecs",
          "Comma-separated codecs raw audio is encoded to, in preference "
          "order: OPUS.  Read when a pad gets its first caps",
          DEFAULT_AUDIO_CODECS, rw));
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
          "viewers-total, per input pad its ssrc and keyframe requests, and "
          "per viewer its state and W3C outbound-rtp counters (also served "
          "as /stats.json)",
          GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_TLS_CERTIFICATE,
      g_param_spec_string ("tls-certificate", "TLS certificate",
          "PEM file with the HTTPS server's certificate (and chain); with "
          "tls-key set too the server speaks HTTPS only (NULL: plain HTTP; "
          "applied from NULL to READY)", NULL, rw));
  g_object_class_install_property (gobject_class, PROP_TLS_KEY,
      g_param_spec_string ("tls-key", "TLS private key",
          "PEM file with the private key of tls-certificate (NULL: plain "
          "HTTP; applied from NULL to READY)", NULL, rw));
  g_object_class_install_property (gobject_class, PROP_WHIP_URL,
      g_param_spec_string ("whip-url", "WHIP URL",
          "Also publish the inputs to this WHIP endpoint (RFC 9725), e.g. "
          "an SFU's, beside serving viewers (NULL: do not publish)", NULL, rw));
  g_object_class_install_property (gobject_class, PROP_WHIP_TOKEN,
      g_param_spec_string ("whip-token", "WHIP token",
          "Bearer token sent to the whip-url server (NULL: none)", NULL, rw));
  g_object_class_install_property (gobject_class, PROP_ICE_TRANSPORT_POLICY,
      g_param_spec_enum ("ice-transport-policy", "ICE transport policy",
          "W3C iceTransportPolicy: all (every candidate) or relay (TURN "
          "only: needs turn-servers; the remote never learns our "
          "addresses; also handed to the browser pages)",
          GST_WRTC_TYPE_ICE_TRANSPORT_POLICY, GST_WRTC_ICE_TRANSPORT_POLICY_ALL,
          rw));

  /**
   * GstWrtcWebrtcSink::viewer-added:
   * @sink: the webrtcsink
   * @session_id: the viewer's WHEP session id
   *
   * A viewer sent an offer and is being answered (server thread; the
   * streaming thread of an input whose first caps the offer waited for).
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
  self->video_codecs = g_strsplit (DEFAULT_VIDEO_CODECS, ",", -1);
  self->audio_codecs = g_strsplit (DEFAULT_AUDIO_CODECS, ",", -1);
  self->inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) input_unref);
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify)
      pending_offer_free);
  self->viewers = g_hash_table_new (g_str_hash, g_str_equal);

  self->server = gst_wrtc_http_server_new ();
  gst_wrtc_http_server_add_endpoint (self->server, "/whep",
      GST_WRTC_HTTP_ENDPOINT_WHEP, GST_WRTC_HTTP_ENDPOINT_FLAG_NONE,
      &whep_callbacks, self, NULL);
  add_page (self, "/", "player.html", "text/html; charset=utf-8");
  add_page (self, "/player.js", "player.js", "text/javascript; charset=utf-8");
  add_page (self, "/player.css", "player.css", "text/css; charset=utf-8");
  add_page (self, "/stats", "stats.html", "text/html; charset=utf-8");
  add_page (self, "/stats.js", "stats.js", "text/javascript; charset=utf-8");
  /* behind the token when one is set: viewer ids (/config.json, TURN
   * credentials, comes with the server: start_server()) */
  gst_wrtc_http_server_set_page_func (self->server, "/stats.json",
      "application/json", GST_WRTC_HTTP_PAGE_FLAG_TOKEN, stats_json, self,
      NULL);

  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SINK);
}
