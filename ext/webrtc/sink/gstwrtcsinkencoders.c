/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: webrtcsink's inputs (see gstwrtcsink-private.h).
 *
 * Each request pad is a queue; its first caps build the rest: for raw
 * input convert ! tee and a branch per codec (valve ! queue ! encoder !
 * payloader ! appsink), for encoded input the payloader alone.  A branch's
 * packets fan out, in the encoder's streaming thread, to the peers of the
 * viewers that negotiated its codec.  Encode once: a branch is shared by
 * all of them, and idle (its valve closed) while none uses it.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "gstwrtcsink-private.h"

GST_DEBUG_CATEGORY_EXTERN (gst_wrtc_webrtc_sink_debug);
#define GST_CAT_DEFAULT gst_wrtc_webrtc_sink_debug

/* payloaders' own payload types; each viewer's come from its offer */
#define VIDEO_PT 96
#define AUDIO_PT 111
#define MTU 1200
/* raw video encoders: keyframes come when a viewer asks for one */
#define KEYFRAME_MAX_DIST "3000"
#define H264_BITRATE 1000000
#define AV1_BITRATE_KBPS "1000"
/* GStreamer 1.22's av1enc ignores force-key-unit (it never passes
 * AOM_EFLAG_FORCE_KF): a joining viewer waits for the next periodic
 * keyframe, 2 s at 30 fps */
#define AV1_KEYFRAME_MAX_DIST "60"

Input *
gst_wrtc_sink_input_ref (Input * in)
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

void
gst_wrtc_sink_input_unref (Input * in)
{
  g_atomic_rc_box_release_full (in, (GDestroyNotify) input_clear);
}

gboolean
gst_wrtc_sink_inputs_ready_locked (GstWrtcWebrtcSink * self)
{
  guint i;

  for (i = 0; i < self->inputs->len; i++)
    if (((Input *) g_ptr_array_index (self->inputs, i))->branches->len == 0)
      return FALSE;
  return TRUE;
}

void
gst_wrtc_sink_branch_request_keyframe (Branch * b, gboolean force)
{
  if (b->in->kind != GST_WRTC_MEDIA_VIDEO)
    return;
  if (!gst_wrtc_rtp_stream_want_keyframe (b->stream, g_get_monotonic_time ())
      && !force)
    return;
  GST_DEBUG_OBJECT (b->in->sink, "forcing a keyframe on %s (%s)",
      b->in->name, b->codec->name);
  gst_pad_push_event (b->appsink_pad,
      gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE,
          0));
}

/* One more (@delta 1) or one fewer (-1) viewer of @b: the first one opens
 * its valve (and it starts with a keyframe), the last one closes it, so an
 * encoder nobody watches costs nothing.  TRUE when the caller must force
 * a keyframe (without the lock). */
gboolean
gst_wrtc_sink_branch_use_locked (Branch * b, gint delta)
{
  gboolean open;

  if (delta < 0 && b->users == 0)
    return FALSE;
  b->users += delta;
  open = b->users > 0;
  if (b->valve && (b->users == 0 || (b->users == 1 && delta > 0))) {
    GST_INFO_OBJECT (b->in->sink, "%s: %s encoder %s", b->in->name,
        b->codec->name, open ? "started" : "idle");
    g_object_set (b->valve, "drop", !open, NULL);
  }
  return delta > 0 && b->users == 1;
}

/* ------------------------------------------------------------------------
 * Fan-out (the branches' streaming threads)
 */
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

/* ------------------------------------------------------------------------
 * Building (an input's streaming thread, at its first caps)
 */
static Branch *
branch_new (Input * in, const GstWrtcCodecInfo * codec,
    const GstStructure * encoded)
{
  Branch *b = g_new0 (Branch, 1);
  guint32 ssrc = g_random_int ();

  b->in = in;
  b->codec = codec;
  b->cap.kind = codec->kind;
  b->cap.encoding = codec->name;
  b->cap.clock_rate = codec->clock_rate;
  b->cap.channels = codec->channels;
  b->cap.fmtp = gst_wrtc_codec_info_fmtp_for_caps (codec, encoded);
  b->stream = codec->kind == GST_WRTC_MEDIA_VIDEO ?
      gst_wrtc_rtp_stream_new (ssrc, ssrc ^ 0x5a5a5a5a, 90000, 512, 500000) :
      gst_wrtc_rtp_stream_new (ssrc, ssrc ^ 0x5a5a5a5a, 48000, 128, 500000);
  return b;
}

static void
configure_encoder (GstElement * enc, const GstWrtcCodecInfo * codec)
{
  GObject *o = G_OBJECT (enc);

  if (!strcmp (codec->encoder, "vp8enc") || !strcmp (codec->encoder, "vp9enc")) {
    gst_util_set_object_arg (o, "deadline", "1");
    gst_util_set_object_arg (o, "keyframe-max-dist", KEYFRAME_MAX_DIST);
    gst_util_set_object_arg (o, "error-resilient", "default");
    if (!strcmp (codec->encoder, "vp9enc")) {
      /* libvpx's realtime settings: fast, no lookahead */
      gst_util_set_object_arg (o, "cpu-used", "7");
      gst_util_set_object_arg (o, "lag-in-frames", "0");
      gst_util_set_object_arg (o, "row-mt", "true");
    }
  } else if (!strcmp (codec->encoder, "openh264enc")) {
    gst_util_set_object_arg (o, "usage-type", "camera");
    gst_util_set_object_arg (o, "rate-control", "bitrate");
    gst_util_set_object_arg (o, "complexity", "low");
    gst_util_set_object_arg (o, "gop-size", KEYFRAME_MAX_DIST);
    g_object_set (o, "bitrate", (guint) H264_BITRATE, NULL);
  } else if (!strcmp (codec->encoder, "av1enc")) {
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

static gboolean
add_capsfilter (GPtrArray * chain, const gchar * caps_str, GError ** error)
{
  GstElement *e = gst_wrtc_make_element (chain, "capsfilter", error);
  GstCaps *caps;

  if (!e)
    return FALSE;
  caps = gst_caps_from_string (caps_str);
  g_object_set (e, "caps", caps, NULL);
  gst_caps_unref (caps);
  return TRUE;
}

/* The elements of one branch, in link order, into @chain: for raw input
 * valve ! queue [! capsfilter] ! encoder [! capsfilter | ! av1parse] !
 * payloader ! appsink, for encoded input [h264parse | av1parse !]
 * payloader ! appsink. */
static gboolean
make_branch (Branch * b, gboolean raw, GPtrArray * chain, GError ** error)
{
  GstAppSinkCallbacks callbacks = { NULL, NULL, on_new_sample, };
  const GstWrtcCodecInfo *codec = b->codec;
  gboolean h264 = !strcmp (codec->name, "H264");
  gboolean av1 = !strcmp (codec->name, "AV1");
  GstElement *e, *pay, *appsink;
  GstPad *pad;

  if (raw) {
    if (!(e = gst_wrtc_make_element (chain, "valve", error)))
      return FALSE;
    /* caps and segment still pass, so the encoder is ready when opened */
    gst_util_set_object_arg (G_OBJECT (e), "drop-mode",
        "forward-sticky-events");
    g_object_set (e, "drop", TRUE, NULL);
    b->valve = gst_object_ref (e);
    /* one thread per encoder; a slow one drops frames, never stalls */
    if (!(e = gst_wrtc_make_element (chain, "queue", error)))
      return FALSE;
    g_object_set (e, "max-size-buffers", 0, "max-size-bytes", 0,
        "max-size-time", (guint64) 200 * GST_MSECOND, "leaky", 2, NULL);
    /* AV1 profile 0 (Main) is 4:2:0: what browsers decode */
    if (av1 && !add_capsfilter (chain, "video/x-raw, format=I420", error))
      return FALSE;
    if (!(e = gst_wrtc_make_element (chain, codec->encoder, error)))
      return FALSE;
    configure_encoder (e, codec);
    if (h264 && !add_capsfilter (chain, "video/x-h264, "
            "profile=(string)constrained-baseline, "
            "stream-format=(string)byte-stream, alignment=(string)au", error))
      return FALSE;
  } else if (h264) {
    if (!gst_wrtc_make_element (chain, "h264parse", error))
      return FALSE;
  }
  /* wrtcav1pay takes whole temporal units of sized OBUs */
  if (av1 && !gst_wrtc_make_element (chain, "av1parse", error))
    return FALSE;
  if (!(pay = gst_wrtc_make_element (chain, codec->payloader, error)))
    return FALSE;
  g_object_set (pay, "mtu", MTU, "pt",
      codec->kind == GST_WRTC_MEDIA_VIDEO ? VIDEO_PT : AUDIO_PT,
      "ssrc", gst_wrtc_rtp_stream_get_ssrc (b->stream), NULL);
  if (!strcmp (codec->payloader, "rtpvp8pay")
      || !strcmp (codec->payloader, "rtpvp9pay"))
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

  if (!(appsink = gst_wrtc_make_element (chain, "appsink", error)))
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

/* The branches of raw input of @in: the codecs of video-codecs or
 * audio-codecs that we can encode and payload. */
static void
raw_branches (Input * in, gchar ** names, GPtrArray * branches)
{
  GstWrtcWebrtcSink *self = in->sink;
  guint i, j;

  for (i = 0; names && names[i]; i++) {
    const GstWrtcCodecInfo *codec =
        gst_wrtc_codec_info_by_name (in->kind, names[i]);
    if (!codec) {
      GST_WARNING_OBJECT (self, "%s: unknown %s codec '%s' skipped",
          in->name, in->kind == GST_WRTC_MEDIA_VIDEO ? "video" : "audio",
          names[i]);
      continue;
    }
    for (j = 0; j < branches->len; j++)
      if (((Branch *) g_ptr_array_index (branches, j))->codec == codec)
        break;
    if (j < branches->len)
      continue;
    if (!gst_wrtc_have_element (codec->payloader)) {
      GST_WARNING_OBJECT (self, "%s: %s skipped: no RTP payloader %s",
          in->name, codec->name, codec->payloader);
      continue;
    }
    if (!gst_wrtc_have_element (codec->encoder)) {
      GST_WARNING_OBJECT (self, "%s: %s skipped: no %s element", in->name,
          codec->name, codec->encoder);
      continue;
    }
    g_ptr_array_add (branches, branch_new (in, codec, NULL));
  }
}

/* The first caps of @in came: build what follows its queue.  Raw input:
 * convert ! tee, and a branch per codec.  Encoded input: one branch, that
 * codec.  On the upstream streaming thread, before the caps go on. */
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
    names = gst_wrtc_bin_settings_dup_codecs (&self->settings, in->kind);
    raw_branches (in, names, branches);
    if (branches->len == 0)
      goto no_codec;
    if (video) {
      if (!gst_wrtc_make_element (chain, "videoconvert", error))
        goto fail;
    } else if (!gst_wrtc_make_element (chain, "audioconvert", error)
        || !gst_wrtc_make_element (chain, "audioresample", error)) {
      goto fail;
    }
    if (!(tee = gst_wrtc_make_element (chain, "tee", error)))
      goto fail;
    g_object_set (tee, "allow-not-linked", TRUE, NULL);
    head = chain->len;
  } else {
    const GstWrtcCodecInfo *codec = gst_wrtc_codec_info_for_caps (s);
    if (!codec || !gst_wrtc_have_element (codec->payloader))
      goto no_codec;
    g_ptr_array_add (branches, branch_new (in, codec, s));
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

  /* offers that waited for this, the publisher */
  gst_wrtc_sink_inputs_changed (self);

  list = names ? g_strjoinv (",", names) : g_strdup ("");
  GST_INFO_OBJECT (self, "%s: %s input, sending %s", in->name,
      raw ? "raw" : gst_structure_get_name (s), raw ? list :
      ((Branch *) g_ptr_array_index (in->branches, 0))->codec->name);
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
  const GstWrtcCodecInfo *codec = NULL;

  if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  gst_event_parse_caps (event, &caps);
  s = gst_caps_get_structure (caps, 0);
  raw = g_str_has_suffix (gst_structure_get_name (s), "/x-raw");

  g_mutex_lock (&self->lock);
  built = in->branches->len > 0;
  encoded = in->encoded;
  if (built && encoded)
    codec = ((Branch *) g_ptr_array_index (in->branches, 0))->codec;
  g_mutex_unlock (&self->lock);

  if (!built) {
    if (input_build (in, caps, &err))
      return GST_PAD_PROBE_OK;
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, ("%s", err->message), (NULL));
    g_clear_error (&err);
    return GST_PAD_PROBE_DROP;
  }
  if (raw == !encoded && (raw || gst_structure_has_name (s, codec->media_type)))
    return GST_PAD_PROBE_OK;
  GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
      ("%s: the input changed from %s to %" GST_PTR_FORMAT
          "; changing between raw and encoded input, or the codec, "
          "is not supported", in->name, encoded ? codec->media_type : "raw",
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

/* ------------------------------------------------------------------------
 * Pads (the application's thread)
 */
Input *
gst_wrtc_sink_input_new (GstWrtcWebrtcSink * self, GstWrtcMediaKind kind,
    gchar * name, GstPadTemplate * templ, GError ** error)
{
  GstPad *target;
  Input *in;

  in = g_atomic_rc_box_new0 (Input);
  in->sink = self;
  in->kind = kind;
  in->name = name;
  /* not refs: the bin owns them, and they hold @in (appsink callbacks,
   * probes) without a ref, as the inputs live as long as the bin */
  in->elements = g_ptr_array_new ();
  in->branches = g_ptr_array_new_with_free_func ((GDestroyNotify) branch_free);

  /* the rest comes with the first caps (input_build) */
  in->queue = gst_element_factory_make ("queue", NULL);
  if (!in->queue) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
        "element 'queue' is missing");
    gst_wrtc_sink_input_unref (in);
    return NULL;
  }
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
  gst_element_add_pad (GST_ELEMENT (self), in->ghost);
  return in;
}

void
gst_wrtc_sink_input_remove (Input * in)
{
  GstWrtcWebrtcSink *self = in->sink;
  GPtrArray *elements;
  guint i;

  g_mutex_lock (&self->lock);
  gst_wrtc_sink_input_ref (in);
  g_ptr_array_remove (self->inputs, in);
  g_mutex_unlock (&self->lock);

  g_object_set_data (G_OBJECT (in->ghost), "wrtc-input", NULL);
  gst_element_remove_pad (GST_ELEMENT (self), in->ghost);
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
  gst_wrtc_sink_input_unref (in);
  /* the inputs left may all be ready now */
  gst_wrtc_sink_inputs_changed (self);
}

/* ------------------------------------------------------------------------
 * Stats
 */
void
gst_wrtc_sink_add_input_stats_locked (GstWrtcWebrtcSink * self,
    GstStructure * s)
{
  GValue streams = G_VALUE_INIT;
  guint i, j;

  g_value_init (&streams, GST_TYPE_ARRAY);
  for (i = 0; i < self->inputs->len; i++) {
    Input *in = g_ptr_array_index (self->inputs, i);
    GValue encodings = G_VALUE_INIT;
    GString *codecs = g_string_new (NULL);
    guint64 keyframe_requests = 0;
    GstStructure *st;

    /* one stream per codec (the first one's ssrc at the top, as before
     * codecs were several) */
    g_value_init (&encodings, GST_TYPE_ARRAY);
    for (j = 0; j < in->branches->len; j++) {
      Branch *b = g_ptr_array_index (in->branches, j);
      guint64 kr = gst_wrtc_rtp_stream_get_keyframe_requests (b->stream);
      keyframe_requests += kr;
      g_string_append_printf (codecs, "%s%s", j ? "," : "", b->codec->name);
      gst_wrtc_stats_take (&encodings, gst_structure_new ("encoding",
              "codec", G_TYPE_STRING, b->codec->name,
              "ssrc", G_TYPE_UINT, gst_wrtc_rtp_stream_get_ssrc (b->stream),
              "viewers", G_TYPE_UINT, b->users,
              "active", G_TYPE_BOOLEAN, b->users > 0 || !b->valve,
              "keyframe-requests", G_TYPE_UINT64, kr, NULL));
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
    gst_wrtc_stats_take (&streams, st);
  }
  gst_structure_take_value (s, "streams", &streams);
}
