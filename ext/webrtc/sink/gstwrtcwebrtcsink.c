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
 * Request pads `data_%u` are data channels (RFC 8831) to every viewer
 * whose offer has a data channel section, labelled with the pad's
 * `label`: each buffer is one message (a string with caps `text/plain`),
 * a slow viewer's oldest messages are dropped rather than stalling the
 * others.  Channels a viewer opens come to the application through
 * #GstWrtcWebrtcSink::on-data-channel as #GstWebRTCDataChannel objects;
 * with #GstWrtcWebrtcSink:enable-navigation, navigation events (JSON) on a
 * viewer's channel labelled `input` go upstream from the video inputs.
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
 * gst-launch-1.0 videotestsrc is-live=true ! webrtcsink name=s \
 *     fdsrc fd=0 ! text/plain ! s.data_0
 * ]|
 * also sends each line typed in the terminal as a message on a data
 * channel `data_0` to every viewer (the player page lists them).
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
#include "gstwrtcsink-private.h"
#include "gstwrtcnavigation.h"

GST_DEBUG_CATEGORY (gst_wrtc_webrtc_sink_debug);
#define GST_CAT_DEFAULT gst_wrtc_webrtc_sink_debug

extern GResource *gst_wrtc_sink_get_resource (void);

#define DEFAULT_MAX_VIEWERS 0
#define RESOURCE_PREFIX "/org/gstreamer/webrtc/sink/"

enum
{
  SIGNAL_VIEWER_ADDED,
  SIGNAL_VIEWER_REMOVED,
  SIGNAL_ON_DATA_CHANNEL,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const GstWrtcBinInfo bin_info = {
  "webrtcsink", "HTTP server", 8080, "VP8,H264", "OPUS", TRUE,
  "IP address (or \"localhost\") the HTTP server listens on; "
      "0.0.0.0 or :: for every interface (applied from NULL to READY)",
  "TCP port of the HTTP server (0: any free port, see the url "
      "property; applied from NULL to READY)",
  "The URL viewers open, e.g. http://127.0.0.1:8080/ (set from the "
      "READY state on, NULL before)",
  "Bearer token viewers must send (the page takes it from "
      "?token=...); NULL or empty: anyone may watch",
  "Comma-separated codecs raw video is encoded to, in preference "
      "order: VP8, H264, VP9, AV1.  Each viewer gets the first one "
      "its offer carries; an encoder runs only while a viewer uses it.  "
      "Read when a pad gets its first caps",
  "Comma-separated codecs raw audio is encoded to, in preference "
      "order: OPUS.  Read when a pad gets its first caps",
  GST_PARAM_MUTABLE_PLAYING,
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
static GstStaticPadTemplate data_template =
GST_STATIC_PAD_TEMPLATE ("data_%u", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS_ANY);

void
gst_wrtc_webrtc_sink_emit_viewer (GstWrtcWebrtcSink * self, gboolean added,
    const gchar * id)
{
  g_signal_emit (self, signals[added ? SIGNAL_VIEWER_ADDED :
          SIGNAL_VIEWER_REMOVED], 0, id);
}

/* ------------------------------------------------------------------------
 * Pads
 */
static GstPad *
gst_wrtc_webrtc_sink_request_new_pad (GstElement * element,
    GstPadTemplate * templ, const gchar * name, const GstCaps * caps)
{
  GstWrtcWebrtcSink *self = GST_WRTC_WEBRTC_SINK (element);
  GstElementClass *klass = GST_ELEMENT_GET_CLASS (element);
  gboolean video = templ == gst_element_class_get_pad_template (klass,
      "video_%u");
  GstPad *existing;
  GError *err = NULL;
  gchar *pad_name;
  Input *in;

  if (templ == gst_element_class_get_pad_template (klass, "data_%u"))
    return gst_wrtc_bin_data_request_pad (self->data, templ, name);
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
  in = gst_wrtc_sink_input_new (self, video ? GST_WRTC_MEDIA_VIDEO :
      GST_WRTC_MEDIA_AUDIO, pad_name, templ, &err);
  if (!in) {
    GST_WRTC_BIN_POST_ERROR (self, err, NULL);
    g_clear_error (&err);
    return NULL;
  }
  GST_INFO_OBJECT (self, "new input %s", in->name);
  return in->ghost;
}

static void
gst_wrtc_webrtc_sink_release_pad (GstElement * element, GstPad * pad)
{
  GstWrtcWebrtcSink *self = GST_WRTC_WEBRTC_SINK (element);
  Input *in = g_object_get_data (G_OBJECT (pad), "wrtc-input");

  if (in)
    gst_wrtc_sink_input_remove (in);
  else
    gst_wrtc_bin_data_release_pad (self->data, pad);
}

/* ------------------------------------------------------------------------
 * Data channels
 */

/* Whether viewers' data channels have a use: data_%u pads, navigation,
 * or an on-data-channel handler (any thread). */
gboolean
gst_wrtc_webrtc_sink_wants_data (GstWrtcWebrtcSink * self)
{
  return gst_wrtc_bin_data_has_sink_pads (self->data)
      || gst_wrtc_bin_settings_get_boolean (&self->settings,
      PROP_ENABLE_NAVIGATION)
      || g_signal_has_handler_pending (self,
      signals[SIGNAL_ON_DATA_CHANNEL], 0, FALSE);
}

/* A message on a viewer's "input" channel (its SCTP dispatch thread):
 * a navigation event, sent upstream from every video input. */
static void
on_navigation_message (GstWebRTCDataChannel * channel, const gchar * str,
    GstWrtcWebrtcSink * self)
{
  GPtrArray *pads = g_ptr_array_new_with_free_func (gst_object_unref);
  GError *err = NULL;
  GstEvent *ev;
  guint i;

  if (!gst_wrtc_bin_settings_get_boolean (&self->settings,
          PROP_ENABLE_NAVIGATION))
    return;
  if (!(ev = gst_wrtc_navigation_event_from_json (str, str ? strlen (str) :
              0, &err))) {
    GST_WARNING_OBJECT (self, "%s", err->message);
    g_clear_error (&err);
    g_ptr_array_unref (pads);
    return;
  }
  g_mutex_lock (&self->lock);
  for (i = 0; i < self->inputs->len; i++) {
    Input *in = g_ptr_array_index (self->inputs, i);
    if (in->kind == GST_WRTC_MEDIA_VIDEO)
      g_ptr_array_add (pads, gst_object_ref (in->ghost));
  }
  g_mutex_unlock (&self->lock);
  GST_LOG_OBJECT (self, "navigation %" GST_PTR_FORMAT, ev);
  for (i = 0; i < pads->len; i++)
    gst_pad_push_event (g_ptr_array_index (pads, i), gst_event_ref (ev));
  gst_event_unref (ev);
  g_ptr_array_unref (pads);
}

/* A viewer opened a channel (its SCTP dispatch thread). */
static void
on_viewer_channel (GstElement * bin, const gchar * viewer_id,
    GstWebRTCDataChannel * channel, gpointer user_data)
{
  GstWrtcWebrtcSink *self = GST_WRTC_WEBRTC_SINK (bin);
  gchar *label = NULL;

  g_object_get (channel, "label", &label, NULL);
  /* connected whatever enable-navigation is now: it may change */
  if (!g_strcmp0 (label, "input"))
    g_signal_connect_object (channel, "on-message-string",
        G_CALLBACK (on_navigation_message), self, 0);
  g_free (label);
  g_signal_emit (self, signals[SIGNAL_ON_DATA_CHANNEL], 0, viewer_id, channel);
}

/* ------------------------------------------------------------------------
 * States
 */
static GstStructure *make_stats_json (gpointer self);

static gboolean
start (GstWrtcWebrtcSink * self)
{
  GError *err = NULL;
  gchar *url, *cert, *key;

  cert = gst_wrtc_bin_settings_dup_string (&self->settings,
      PROP_TLS_CERTIFICATE);
  key = gst_wrtc_bin_settings_dup_string (&self->settings, PROP_TLS_KEY);
  url = gst_wrtc_bin_start_server (&self->settings, self->server, "whep",
      cert, key, gst_wrtc_bin_settings_get_boolean (&self->settings,
          PROP_ENABLE_NAVIGATION), &err);
  if (!url) {
    GST_WRTC_BIN_POST_ERROR (self, err, g_strdup_printf ("tls-certificate=%s "
            "tls-key=%s", GST_STR_NULL (cert), GST_STR_NULL (key)));
    g_clear_error (&err);
    g_free (cert);
    g_free (key);
    return FALSE;
  }
  g_free (cert);
  g_free (key);
  g_mutex_lock (&self->lock);
  self->serving = TRUE;
  g_mutex_unlock (&self->lock);
  /* inputs that kept their encoders from an earlier run: the WHIP
   * publisher starts now, not at a first caps that will not come again */
  gst_wrtc_sink_inputs_changed (self);
  g_object_notify (G_OBJECT (self), "url");
  GST_INFO_OBJECT (self, "serving %s", url);
  g_print ("webrtcsink: open %s\n", url);
  g_free (url);
  return TRUE;
}

static void
stop (GstWrtcWebrtcSink * self)
{
  gst_wrtc_sink_stop_viewers (self);
  gst_wrtc_bin_data_clear (self->data);
  /* ends every session of the server (its viewers are gone already) */
  gst_wrtc_http_server_stop (self->server);
  gst_wrtc_bin_settings_set_url (&self->settings, NULL);
}

static GstStateChangeReturn
gst_wrtc_webrtc_sink_change_state (GstElement * element,
    GstStateChange transition)
{
  GstWrtcWebrtcSink *self = GST_WRTC_WEBRTC_SINK (element);
  GstStateChangeReturn ret;

  if (transition == GST_STATE_CHANGE_NULL_TO_READY && !start (self)) {
    stop (self);
    return GST_STATE_CHANGE_FAILURE;
  }
  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_READY_TO_NULL
      || (transition == GST_STATE_CHANGE_NULL_TO_READY
          && ret == GST_STATE_CHANGE_FAILURE))
    stop (self);
  return ret;
}

/* ------------------------------------------------------------------------
 * GObject
 */
static GstStructure *
make_stats (GstWrtcWebrtcSink * self, gboolean full_ids)
{
  GstStructure *s;

  g_mutex_lock (&self->lock);
  s = gst_structure_new ("webrtcsink-stats",
      "viewers", G_TYPE_UINT, g_hash_table_size (self->viewers),
      "viewers-total", G_TYPE_UINT64, self->viewers_total, NULL);
  gst_wrtc_sink_add_input_stats_locked (self, s);
  g_mutex_unlock (&self->lock);
  gst_wrtc_sink_add_viewer_stats (self, s, full_ids);
  return s;
}

/* GET /stats.json (the server's thread): the stats property, with the
 * viewer ids shortened */
static GstStructure *
make_stats_json (gpointer self)
{
  return make_stats (self, FALSE);
}

static void
gst_wrtc_webrtc_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstWrtcWebrtcSink *self = GST_WRTC_WEBRTC_SINK (object);

  gst_wrtc_bin_settings_set_property (&self->settings, prop_id, value);
  /* the server checks both on every request */
  if (prop_id == GST_WRTC_BIN_PROP_TOKEN)
    gst_wrtc_http_server_set_token (self->server, g_value_get_string (value));
  else if (prop_id == PROP_MAX_VIEWERS)
    gst_wrtc_http_server_set_max_sessions (self->server,
        g_value_get_uint (value));
}

static void
gst_wrtc_webrtc_sink_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstWrtcWebrtcSink *self = GST_WRTC_WEBRTC_SINK (object);

  if (prop_id == PROP_STATS)
    g_value_take_boxed (value, make_stats (self, TRUE));
  else if (!gst_wrtc_bin_settings_get_property (&self->settings, prop_id,
          value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
gst_wrtc_webrtc_sink_finalize (GObject * object)
{
  GstWrtcWebrtcSink *self = GST_WRTC_WEBRTC_SINK (object);

  gst_wrtc_http_server_stop (self->server);
  g_clear_object (&self->server);
  gst_wrtc_bin_data_clear (self->data);
  g_clear_object (&self->data);
  g_hash_table_unref (self->viewers);
  g_ptr_array_unref (self->inputs);
  g_ptr_array_unref (self->pending);
  gst_wrtc_bin_settings_clear (&self->settings);
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

  gst_wrtc_bin_install_properties (gobject_class, &bin_info);
  g_object_class_install_property (gobject_class, PROP_MAX_VIEWERS,
      g_param_spec_uint ("max-viewers", "Maximum viewers",
          "Viewers served at once; more get 503 Service Unavailable "
          "(0: no limit)", 0, G_MAXUINT, DEFAULT_MAX_VIEWERS,
          rw | GST_PARAM_MUTABLE_PLAYING));
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
  g_object_class_install_property (gobject_class, PROP_ENABLE_NAVIGATION,
      g_param_spec_boolean ("enable-navigation", "Enable navigation",
          "Viewers drive the pipeline: navigation events (mouse, keys, "
          "scroll; JSON) a viewer sends on a data channel labelled "
          "\"input\" go upstream from every video input as GstNavigation "
          "events (the player page sends them from its video)", FALSE,
          rw | GST_PARAM_MUTABLE_PLAYING));

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
  /**
   * GstWrtcWebrtcSink::on-data-channel:
   * @sink: the webrtcsink
   * @session_id: the viewer's session id
   * @channel: the #GstWebRTCDataChannel the viewer opened
   *
   * A viewer opened a data channel (as webrtcbin's on-data-channel, with
   * the viewer; the SCTP dispatch thread, before any of its messages).
   */
  signals[SIGNAL_ON_DATA_CHANNEL] = g_signal_new ("on-data-channel",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING, GST_TYPE_WEBRTC_DATA_CHANNEL);

  gst_element_class_add_static_pad_template (element_class, &video_template);
  gst_element_class_add_static_pad_template (element_class, &audio_template);
  gst_element_class_add_static_pad_template (element_class, &data_template);
  gst_element_class_set_static_metadata (element_class, "WebRTC sink",
      "Sink/Network/WebRTC",
      "Serves its inputs to browsers over WebRTC: a player page and a WHEP "
      "endpoint on a built-in HTTP server", "gst-plugins-webrtc developers");

  element_class->request_new_pad = gst_wrtc_webrtc_sink_request_new_pad;
  element_class->release_pad = gst_wrtc_webrtc_sink_release_pad;
  element_class->change_state = gst_wrtc_webrtc_sink_change_state;
}

static void
add_page (GstWrtcWebrtcSink * self, const gchar * path, const gchar * file,
    const gchar * content_type)
{
  gst_wrtc_bin_add_page (self->server, gst_wrtc_sink_get_resource (),
      RESOURCE_PREFIX, path, file, content_type);
}

static void
gst_wrtc_webrtc_sink_init (GstWrtcWebrtcSink * self)
{
  g_mutex_init (&self->lock);
  gst_wrtc_bin_settings_init (&self->settings, &bin_info, G_OBJECT (self));
  self->inputs = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_wrtc_sink_input_unref);
  self->pending = gst_wrtc_sink_pending_new ();
  self->viewers = g_hash_table_new (g_str_hash, g_str_equal);

  self->data = gst_wrtc_bin_data_new (GST_ELEMENT (self), NULL);
  gst_wrtc_bin_data_set_channel_func (self->data, on_viewer_channel, NULL);
  self->server = gst_wrtc_http_server_new ();
  gst_wrtc_http_server_add_endpoint (self->server, "/whep",
      GST_WRTC_HTTP_ENDPOINT_WHEP, GST_WRTC_HTTP_ENDPOINT_FLAG_NONE,
      &gst_wrtc_sink_whep_callbacks, self, NULL);
  add_page (self, "/", "player.html", "text/html; charset=utf-8");
  add_page (self, "/player.js", "player.js", "text/javascript; charset=utf-8");
  add_page (self, "/player.css", "player.css", "text/css; charset=utf-8");
  add_page (self, "/messages.js", "messages.js",
      "text/javascript; charset=utf-8");
  add_page (self, "/stats", "stats.html", "text/html; charset=utf-8");
  add_page (self, "/stats.js", "stats.js", "text/javascript; charset=utf-8");
  /* behind the token when one is set: viewer ids (/config.json, TURN
   * credentials, comes with the server: start()) */
  gst_wrtc_stats_serve_json (self->server, "/stats.json", make_stats_json,
      self);

  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SINK);
}
