/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: wrtcav1depay, RTP packets into AV1 temporal
 * units. */
/**
 * SECTION:element-wrtcav1depay
 * @title: wrtcav1depay
 *
 * Depayloads AV1 from RTP packets as the AOM "RTP Payload Format For AV1"
 * (v1.0.0) says, the receiving half of #wrtcav1pay: OBU elements are
 * taken out of each packet (section 4.3), OBU fragments joined across
 * packets (Z and Y bits, section 4.4), and every temporal unit, ended by
 * the marker bit (section 4.2), comes out as one buffer in the low
 * overhead bitstream format: a temporal delimiter, then each OBU with
 * obu_has_size_field set and its obu_size (`stream-format=obu-stream,
 * alignment=tu`, what av1parse and av1dec take).  Temporal delimiters
 * and tile lists that arrive are dropped (section 5).  Timestamps are the
 * RTP timestamps; a unit without a sequence header and key frame is a
 * delta unit.
 *
 * A sequence number gap or a malformed payload discards the unit it hits
 * and asks upstream for a key frame (a `GstForceKeyUnit` event, which
 * rtpbin sends to the sender as a PLI); with #GstWrtcAv1Depay:wait-for-keyframe
 * the units after it are dropped until a key frame comes, and the first
 * buffer after anything was dropped is marked DISCONT.
 *
 * webrtcsrc uses it for AV1 (GStreamer 1.22 has no AV1 depayloader).  The
 * name keeps clear of gst-plugins-rs' rtpav1depay.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 udpsrc port=5000 caps="application/x-rtp, media=video, \
 *     clock-rate=90000, encoding-name=AV1, payload=96" ! rtpjitterbuffer ! \
 *     wrtcav1depay ! av1parse ! av1dec ! videoconvert ! autovideosink
 * ]| receives what the launch line of #wrtcav1pay sends.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/rtp/gstrtpbuffer.h>
#include <gst/video/video.h>

#include "gstwrtcav1depay.h"
#include "gstwrtcav1.h"

GST_DEBUG_CATEGORY_STATIC (gst_wrtc_av1_depay_debug);
#define GST_CAT_DEFAULT gst_wrtc_av1_depay_debug

#define DEFAULT_REQUEST_KEYFRAME TRUE
#define DEFAULT_WAIT_FOR_KEYFRAME TRUE

enum
{
  PROP_0,
  PROP_REQUEST_KEYFRAME,
  PROP_WAIT_FOR_KEYFRAME,
};

struct _GstWrtcAv1Depay
{
  GstRTPBaseDepayload parent;

  /* the streaming thread's */
  GstWrtcAv1Depacketizer *depacketizer;
  gboolean waiting;             /* for a key frame */
  gboolean discont;             /* units dropped since the last pushed */

  /* GST_OBJECT_LOCK */
  gboolean request_keyframe;
  gboolean wait_for_keyframe;
};

static GstStaticPadTemplate sink_template =
GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("application/x-rtp, media = (string) video, "
        "clock-rate = (int) 90000, encoding-name = (string) AV1"));

static GstStaticPadTemplate src_template =
GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("video/x-av1, stream-format = (string) obu-stream, "
        "alignment = (string) tu"));

#define gst_wrtc_av1_depay_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (GstWrtcAv1Depay, gst_wrtc_av1_depay,
    GST_TYPE_RTP_BASE_DEPAYLOAD,
    GST_DEBUG_CATEGORY_INIT (gst_wrtc_av1_depay_debug, "wrtcav1depay", 0,
        "AV1 RTP depayloader"));
GST_ELEMENT_REGISTER_DEFINE (wrtcav1depay, "wrtcav1depay", GST_RANK_NONE,
    GST_WRTC_TYPE_AV1_DEPAY);

static gboolean
gst_wrtc_av1_depay_set_caps (GstRTPBaseDepayload * depay, GstCaps * caps)
{
  GstCaps *srccaps = gst_static_pad_template_get_caps (&src_template);
  gboolean ret;

  /* section 7.2: profile, level-idx and tier describe the stream;
   * av1parse reads them from the sequence header */
  ret = gst_pad_set_caps (GST_RTP_BASE_DEPAYLOAD_SRCPAD (depay), srccaps);
  gst_caps_unref (srccaps);
  return ret;
}

/* Asks upstream for a key frame: rtpbin turns it into a PLI (RFC 4585
 * section 6.3.1) to the sender. */
static void
request_keyframe (GstWrtcAv1Depay * self, const gchar * why)
{
  gboolean request;

  GST_OBJECT_LOCK (self);
  request = self->request_keyframe;
  GST_OBJECT_UNLOCK (self);
  if (!request)
    return;
  GST_DEBUG_OBJECT (self, "requesting a key frame: %s", why);
  gst_pad_push_event (GST_RTP_BASE_DEPAYLOAD_SINKPAD (self),
      gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
          TRUE, 0));
}

/* Something was lost: from now on, wait for a key frame if asked to. */
static void
start_waiting (GstWrtcAv1Depay * self)
{
  GST_OBJECT_LOCK (self);
  self->waiting = self->wait_for_keyframe;
  GST_OBJECT_UNLOCK (self);
}

static GstBuffer *
gst_wrtc_av1_depay_process_rtp_packet (GstRTPBaseDepayload * depay,
    GstRTPBuffer * rtp)
{
  GstWrtcAv1Depay *self = GST_WRTC_AV1_DEPAY (depay);
  GstWrtcAv1DepayResult r;
  GstBuffer *out = NULL;

  gst_wrtc_av1_depacketizer_push (self->depacketizer,
      gst_rtp_buffer_get_payload (rtp), gst_rtp_buffer_get_payload_len (rtp),
      gst_rtp_buffer_get_seq (rtp), gst_rtp_buffer_get_marker (rtp), &r);

  if (r.dropped) {
    GST_WARNING_OBJECT (self, "temporal unit discarded: %s",
        r.dropped->message);
    start_waiting (self);
    request_keyframe (self, r.dropped->message);
  }
  if (!r.unit)
    goto done;

  if (self->waiting && !r.keyframe) {
    GST_DEBUG_OBJECT (self, "dropping a delta unit: waiting for a key frame");
    self->discont = TRUE;
    request_keyframe (self, "waiting for a key frame");
    goto done;
  }
  self->waiting = FALSE;

  out = gst_buffer_new_wrapped_bytes (r.unit);
  if (!r.keyframe)
    GST_BUFFER_FLAG_SET (out, GST_BUFFER_FLAG_DELTA_UNIT);
  if (r.discont || self->discont)
    GST_BUFFER_FLAG_SET (out, GST_BUFFER_FLAG_DISCONT);
  self->discont = FALSE;
  GST_LOG_OBJECT (self, "temporal unit of %" G_GSIZE_FORMAT " bytes%s%s",
      gst_buffer_get_size (out), r.keyframe ? ", key frame" : "",
      GST_BUFFER_FLAG_IS_SET (out, GST_BUFFER_FLAG_DISCONT) ? ", discont" : "");

done:
  gst_wrtc_av1_depay_result_clear (&r);
  return out;
}

/* rtpjitterbuffer (do-lost=true) gave up on packets: ask for a key frame
 * now rather than at the next packet's sequence number gap. */
static gboolean
gst_wrtc_av1_depay_packet_lost (GstRTPBaseDepayload * depay, GstEvent * event)
{
  GstWrtcAv1Depay *self = GST_WRTC_AV1_DEPAY (depay);

  start_waiting (self);
  request_keyframe (self, "packets lost");
  return GST_RTP_BASE_DEPAYLOAD_CLASS (parent_class)->packet_lost (depay,
      event);
}

/* After a flush the stream starts again: as at the start, wait for a
 * key frame (a decoder cannot start without one). */
static void
reset (GstWrtcAv1Depay * self)
{
  gst_wrtc_av1_depacketizer_reset (self->depacketizer);
  GST_OBJECT_LOCK (self);
  self->waiting = self->wait_for_keyframe;
  GST_OBJECT_UNLOCK (self);
  self->discont = FALSE;
}

static gboolean
gst_wrtc_av1_depay_handle_event (GstRTPBaseDepayload * depay, GstEvent * event)
{
  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP)
    reset (GST_WRTC_AV1_DEPAY (depay));
  return GST_RTP_BASE_DEPAYLOAD_CLASS (parent_class)->handle_event (depay,
      event);
}

static GstStateChangeReturn
gst_wrtc_av1_depay_change_state (GstElement * element,
    GstStateChange transition)
{
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED)
    reset (GST_WRTC_AV1_DEPAY (element));
  return GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
}

static void
gst_wrtc_av1_depay_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstWrtcAv1Depay *self = GST_WRTC_AV1_DEPAY (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_REQUEST_KEYFRAME:
      self->request_keyframe = g_value_get_boolean (value);
      break;
    case PROP_WAIT_FOR_KEYFRAME:
      self->wait_for_keyframe = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_wrtc_av1_depay_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstWrtcAv1Depay *self = GST_WRTC_AV1_DEPAY (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_REQUEST_KEYFRAME:
      g_value_set_boolean (value, self->request_keyframe);
      break;
    case PROP_WAIT_FOR_KEYFRAME:
      g_value_set_boolean (value, self->wait_for_keyframe);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_wrtc_av1_depay_finalize (GObject * object)
{
  GstWrtcAv1Depay *self = GST_WRTC_AV1_DEPAY (object);

  gst_wrtc_av1_depacketizer_free (self->depacketizer);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_wrtc_av1_depay_class_init (GstWrtcAv1DepayClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstRTPBaseDepayloadClass *depay_class = GST_RTP_BASE_DEPAYLOAD_CLASS (klass);

  gobject_class->set_property = gst_wrtc_av1_depay_set_property;
  gobject_class->get_property = gst_wrtc_av1_depay_get_property;
  gobject_class->finalize = gst_wrtc_av1_depay_finalize;

  g_object_class_install_property (gobject_class, PROP_REQUEST_KEYFRAME,
      g_param_spec_boolean ("request-keyframe", "Request keyframe",
          "Ask upstream for a key frame (a PLI to the sender through rtpbin) "
          "when packets are lost or malformed", DEFAULT_REQUEST_KEYFRAME,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_WAIT_FOR_KEYFRAME,
      g_param_spec_boolean ("wait-for-keyframe", "Wait for keyframe",
          "Drop temporal units until a key frame, at the start and after "
          "packets are lost or malformed", DEFAULT_WAIT_FOR_KEYFRAME,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "RTP AV1 depayloader", "Codec/Depayloader/Network/RTP",
      "Extracts AV1 temporal units from RTP packets (AOM RTP Payload "
      "Format For AV1)", "gst-plugins-webrtc");
  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_wrtc_av1_depay_change_state);

  depay_class->set_caps = gst_wrtc_av1_depay_set_caps;
  depay_class->process_rtp_packet = gst_wrtc_av1_depay_process_rtp_packet;
  depay_class->packet_lost = gst_wrtc_av1_depay_packet_lost;
  depay_class->handle_event = gst_wrtc_av1_depay_handle_event;
}

static void
gst_wrtc_av1_depay_init (GstWrtcAv1Depay * self)
{
  self->depacketizer = gst_wrtc_av1_depacketizer_new ();
  self->request_keyframe = DEFAULT_REQUEST_KEYFRAME;
  self->wait_for_keyframe = DEFAULT_WAIT_FOR_KEYFRAME;
  self->waiting = DEFAULT_WAIT_FOR_KEYFRAME;
}
