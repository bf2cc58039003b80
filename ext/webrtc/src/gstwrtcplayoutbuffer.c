/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: a jitterbuffer of zero latency, for rtpbin.
 *
 * rtpjitterbuffer with latency 0 still queues every packet and releases it
 * from its own thread: one thread wake-up per packet, about a third of a
 * millisecond on a loaded machine, for a buffer that holds nothing.  When
 * webrtcsrc's `latency` is 0 it gives rtpbin this element instead (rtpbin's
 * request-jitterbuffer): packets go on in the thread that brought them, as
 * GstWrtcPlayout decides (ext/webrtc/rtp/gstwrtcplayout.h): in order or
 * dropped, presentation times from the RTP timestamps.
 *
 * It has the parts of rtpjitterbuffer's interface rtpbin uses: pads `sink`,
 * `src` and a request pad `sink_rtcp` (the sender's reports), properties
 * `latency` (always 0), `ts-offset` (set by rtpbin for lip sync) and
 * `stats`, signals `request-pt-map` (for the clock rate), `handle-sync`
 * (the timing of each sender report, from which rtpbin computes the
 * lip-sync offsets) and `clear-pt-map`.  Not registered as an element
 * factory: webrtcsrc creates it.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcplayoutbuffer.h"
#include "gstwrtcplayout.h"

#include <gst/rtp/rtp.h>

GST_DEBUG_CATEGORY_STATIC (gst_wrtc_playout_buffer_debug);
#define GST_CAT_DEFAULT gst_wrtc_playout_buffer_debug

struct _GstWrtcPlayoutBuffer
{
  GstElement parent;

  GstPad *sinkpad, *srcpad, *rtcp_sinkpad;

  GMutex lock;                  /* everything below */
  GstWrtcPlayout *playout;
  gint pt;                      /* of the clock rate we have, or -1 */
  gint64 ts_offset;
  guint latency_ms;             /* what rtpbin set; never waited for */
};

enum
{
  PROP_0,
  PROP_LATENCY,
  PROP_TS_OFFSET,
  PROP_STATS,
};

enum
{
  SIGNAL_REQUEST_PT_MAP,
  SIGNAL_HANDLE_SYNC,
  SIGNAL_CLEAR_PT_MAP,
  LAST_SIGNAL
};

static guint signals[LAST_SIGNAL];

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS ("application/x-rtp"));
static GstStaticPadTemplate rtcp_template =
GST_STATIC_PAD_TEMPLATE ("sink_rtcp", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS ("application/x-rtcp"));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS ("application/x-rtp"));

#define gst_wrtc_playout_buffer_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (GstWrtcPlayoutBuffer, gst_wrtc_playout_buffer,
    GST_TYPE_ELEMENT,
    GST_DEBUG_CATEGORY_INIT (gst_wrtc_playout_buffer_debug,
        "wrtcplayoutbuffer", 0, "webrtcsrc zero-latency jitterbuffer"));

/* The clock rate of caps, or 0. */
static guint
caps_clock_rate (const GstCaps * caps)
{
  gint rate = 0;

  if (caps && gst_caps_get_size (caps) > 0)
    gst_structure_get_int (gst_caps_get_structure (caps, 0), "clock-rate",
        &rate);
  return rate > 0 ? rate : 0;
}

/* Asks rtpbin for @pt's caps, as rtpjitterbuffer does, when the clock
 * rate is not known for it yet.  Called and returns with the lock, which
 * it drops around the signal. */
static void
learn_clock_rate_locked (GstWrtcPlayoutBuffer * self, guint8 pt)
{
  GstCaps *caps = NULL;
  guint rate;

  g_mutex_unlock (&self->lock);
  g_signal_emit (self, signals[SIGNAL_REQUEST_PT_MAP], 0, (guint) pt, &caps);
  rate = caps_clock_rate (caps);
  gst_clear_caps (&caps);
  GST_DEBUG_OBJECT (self, "payload type %u: clock rate %u", pt, rate);

  g_mutex_lock (&self->lock);
  self->pt = pt;
  if (rate)
    gst_wrtc_playout_set_clock_rate (self->playout, rate);
}

static GstFlowReturn
chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  GstWrtcPlayoutBuffer *self = GST_WRTC_PLAYOUT_BUFFER (parent);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  GstWrtcPlayoutVerdict verdict;
  GstClockTime arrival;
  guint64 pts = 0;
  gboolean discont;
  guint16 seq;
  guint32 ts;
  guint8 pt;

  if (!gst_rtp_buffer_map (buf, GST_MAP_READ, &rtp)) {
    /* rtpsession validated it: cannot happen but for a bug upstream */
    GST_WARNING_OBJECT (self, "dropping a buffer that is not RTP");
    gst_buffer_unref (buf);
    return GST_FLOW_OK;
  }
  seq = gst_rtp_buffer_get_seq (&rtp);
  ts = gst_rtp_buffer_get_timestamp (&rtp);
  pt = gst_rtp_buffer_get_payload_type (&rtp);
  gst_rtp_buffer_unmap (&rtp);

  /* the arrival running time, as our upstream stamps it */
  arrival = GST_BUFFER_DTS_OR_PTS (buf);

  /* one lock per packet: the clock rate is asked only on a new type */
  g_mutex_lock (&self->lock);
  if (self->pt != pt)
    learn_clock_rate_locked (self, pt);
  verdict = gst_wrtc_playout_push (self->playout, seq, ts,
      GST_CLOCK_TIME_IS_VALID (arrival) ? arrival : 0, &pts, &discont);
  if (verdict == GST_WRTC_PLAYOUT_PUSH && GST_CLOCK_TIME_IS_VALID (arrival)) {
    /* lip sync: rtpbin's offset for this stream */
    if (self->ts_offset < 0 && (guint64) - self->ts_offset > pts)
      pts = 0;
    else
      pts += self->ts_offset;
  }
  g_mutex_unlock (&self->lock);

  if (verdict != GST_WRTC_PLAYOUT_PUSH) {
    GST_LOG_OBJECT (self, "dropping #%u: %s", seq,
        gst_wrtc_playout_verdict_name (verdict));
    gst_buffer_unref (buf);
    return GST_FLOW_OK;
  }

  buf = gst_buffer_make_writable (buf);
  if (GST_CLOCK_TIME_IS_VALID (arrival)) {
    GST_BUFFER_PTS (buf) = pts;
    GST_BUFFER_DTS (buf) = GST_CLOCK_TIME_NONE;
  }
  if (discont)
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
  else
    GST_BUFFER_FLAG_UNSET (buf, GST_BUFFER_FLAG_DISCONT);
  return gst_pad_push (self->srcpad, buf);
}

static gboolean
sink_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  GstWrtcPlayoutBuffer *self = GST_WRTC_PLAYOUT_BUFFER (parent);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_CAPS:{
      GstCaps *caps;
      guint rate;
      gint pt = -1;

      gst_event_parse_caps (event, &caps);
      rate = caps_clock_rate (caps);
      gst_structure_get_int (gst_caps_get_structure (caps, 0), "payload", &pt);
      if (rate && pt >= 0) {
        g_mutex_lock (&self->lock);
        self->pt = pt;
        gst_wrtc_playout_set_clock_rate (self->playout, rate);
        g_mutex_unlock (&self->lock);
      }
      break;
    }
    case GST_EVENT_FLUSH_STOP:
      g_mutex_lock (&self->lock);
      gst_wrtc_playout_reset (self->playout);
      g_mutex_unlock (&self->lock);
      break;
    default:
      break;
  }
  return gst_pad_push_event (self->srcpad, event);
}

/* Upstream events (keyframe requests from the depayloader or decoder)
 * go on to rtpsession, which turns them into PLI or FIR. */
static gboolean
src_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  GstWrtcPlayoutBuffer *self = GST_WRTC_PLAYOUT_BUFFER (parent);

  return gst_pad_push_event (self->sinkpad, event);
}

static gboolean
src_query (GstPad * pad, GstObject * parent, GstQuery * query)
{
  GstWrtcPlayoutBuffer *self = GST_WRTC_PLAYOUT_BUFFER (parent);

  /* latency: upstream's, nothing added */
  return gst_pad_peer_query (self->sinkpad, query);
}

static gboolean
sink_query (GstPad * pad, GstObject * parent, GstQuery * query)
{
  GstWrtcPlayoutBuffer *self = GST_WRTC_PLAYOUT_BUFFER (parent);

  if (gst_pad_peer_query (self->srcpad, query))
    return TRUE;
  /* not linked yet: what the template allows */
  if (GST_QUERY_TYPE (query) == GST_QUERY_CAPS
      || GST_QUERY_TYPE (query) == GST_QUERY_ACCEPT_CAPS)
    return gst_pad_query_default (pad, parent, query);
  return FALSE;
}

/* RFC 3550 section 6.4.1: a sender report pairs an NTP time with an RTP
 * timestamp; with our anchor (which RTP timestamp presents when), rtpbin
 * computes each stream's offset for lip sync.  The fields are those of
 * rtpjitterbuffer's handle-sync. */
static GstFlowReturn
rtcp_chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  GstWrtcPlayoutBuffer *self = GST_WRTC_PLAYOUT_BUFFER (parent);
  GstRTCPBuffer rtcp = GST_RTCP_BUFFER_INIT;
  GstRTCPPacket packet;
  GstStructure *s = NULL;
  guint64 base_rtp, base_time, clock_base, ext;
  guint32 ssrc, rtptime;
  gboolean sr = FALSE;
  guint rate;

  if (gst_rtcp_buffer_map (buf, GST_MAP_READ, &rtcp)) {
    if (gst_rtcp_buffer_get_first_packet (&rtcp, &packet)
        && gst_rtcp_packet_get_type (&packet) == GST_RTCP_TYPE_SR) {
      gst_rtcp_packet_sr_get_sender_info (&packet, &ssrc, NULL, &rtptime,
          NULL, NULL);
      sr = TRUE;
    }
    gst_rtcp_buffer_unmap (&rtcp);
  }
  if (!sr)
    goto done;

  g_mutex_lock (&self->lock);
  rate = gst_wrtc_playout_get_clock_rate (self->playout);
  if (gst_wrtc_playout_get_anchor (self->playout, &base_rtp, &base_time,
          &clock_base) && gst_wrtc_playout_extend (self->playout, rtptime,
          &ext)) {
    s = gst_structure_new ("application/x-rtp-sync",
        "base-rtptime", G_TYPE_UINT64, base_rtp,
        "base-time", G_TYPE_UINT64, base_time,
        "clock-rate", G_TYPE_UINT, rate,
        "clock-base", G_TYPE_UINT64, clock_base,
        "sr-ext-rtptime", G_TYPE_UINT64, ext,
        "sr-buffer", GST_TYPE_BUFFER, buf, NULL);
  }
  g_mutex_unlock (&self->lock);

  if (s) {
    GST_DEBUG_OBJECT (self, "sender report of %08x: %" GST_PTR_FORMAT, ssrc, s);
    g_signal_emit (self, signals[SIGNAL_HANDLE_SYNC], 0, s);
    gst_structure_free (s);
  }

done:
  gst_buffer_unref (buf);
  return GST_FLOW_OK;
}

static gboolean
rtcp_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  /* nothing downstream of it */
  gst_event_unref (event);
  return TRUE;
}

static GstPad *
request_new_pad (GstElement * element, GstPadTemplate * templ,
    const gchar * name, const GstCaps * caps)
{
  GstWrtcPlayoutBuffer *self = GST_WRTC_PLAYOUT_BUFFER (element);
  GstPad *pad;

  GST_OBJECT_LOCK (self);
  if (self->rtcp_sinkpad) {
    GST_OBJECT_UNLOCK (self);
    return NULL;
  }
  GST_OBJECT_UNLOCK (self);

  pad = gst_pad_new_from_static_template (&rtcp_template, "sink_rtcp");
  gst_pad_set_chain_function (pad, rtcp_chain);
  gst_pad_set_event_function (pad, rtcp_event);
  gst_pad_set_active (pad, TRUE);
  GST_OBJECT_LOCK (self);
  self->rtcp_sinkpad = pad;
  GST_OBJECT_UNLOCK (self);
  gst_element_add_pad (element, pad);
  return pad;
}

static void
release_pad (GstElement * element, GstPad * pad)
{
  GstWrtcPlayoutBuffer *self = GST_WRTC_PLAYOUT_BUFFER (element);

  GST_OBJECT_LOCK (self);
  if (pad != self->rtcp_sinkpad) {
    GST_OBJECT_UNLOCK (self);
    return;
  }
  self->rtcp_sinkpad = NULL;
  GST_OBJECT_UNLOCK (self);
  gst_pad_set_active (pad, FALSE);
  gst_element_remove_pad (element, pad);
}

static void
clear_pt_map (GstWrtcPlayoutBuffer * self)
{
  g_mutex_lock (&self->lock);
  self->pt = -1;
  g_mutex_unlock (&self->lock);
}

static GstStateChangeReturn
change_state (GstElement * element, GstStateChange transition)
{
  GstWrtcPlayoutBuffer *self = GST_WRTC_PLAYOUT_BUFFER (element);
  GstStateChangeReturn ret;

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    g_mutex_lock (&self->lock);
    gst_wrtc_playout_reset (self->playout);
    self->pt = -1;
    g_mutex_unlock (&self->lock);
  }
  return ret;
}

static GstStructure *
get_stats (GstWrtcPlayoutBuffer * self)
{
  GstWrtcPlayoutStats st;

  g_mutex_lock (&self->lock);
  gst_wrtc_playout_get_stats (self->playout, &st);
  g_mutex_unlock (&self->lock);
  /* rtpjitterbuffer's names where they mean the same */
  return gst_structure_new ("application/x-rtp-jitterbuffer-stats",
      "num-pushed", G_TYPE_UINT64, st.pushed,
      "num-lost", G_TYPE_UINT64, st.lost,
      "num-late", G_TYPE_UINT64, st.late,
      "num-duplicates", G_TYPE_UINT64, st.duplicates,
      "num-restarts", G_TYPE_UINT64, st.restarts,
      "num-reanchors", G_TYPE_UINT64, st.reanchors, NULL);
}

static void
set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  GstWrtcPlayoutBuffer *self = GST_WRTC_PLAYOUT_BUFFER (object);

  switch (prop_id) {
    case PROP_LATENCY:
      g_mutex_lock (&self->lock);
      self->latency_ms = g_value_get_uint (value);
      g_mutex_unlock (&self->lock);
      if (self->latency_ms)
        GST_WARNING_OBJECT (self, "latency %u ms ignored: packets never wait",
            self->latency_ms);
      break;
    case PROP_TS_OFFSET:
      g_mutex_lock (&self->lock);
      self->ts_offset = g_value_get_int64 (value);
      g_mutex_unlock (&self->lock);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstWrtcPlayoutBuffer *self = GST_WRTC_PLAYOUT_BUFFER (object);

  switch (prop_id) {
    case PROP_LATENCY:
      g_mutex_lock (&self->lock);
      g_value_set_uint (value, self->latency_ms);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_TS_OFFSET:
      g_mutex_lock (&self->lock);
      g_value_set_int64 (value, self->ts_offset);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_STATS:
      g_value_take_boxed (value, get_stats (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
finalize (GObject * object)
{
  GstWrtcPlayoutBuffer *self = GST_WRTC_PLAYOUT_BUFFER (object);

  gst_wrtc_playout_free (self->playout);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_wrtc_playout_buffer_class_init (GstWrtcPlayoutBufferClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  gobject_class->set_property = set_property;
  gobject_class->get_property = get_property;
  gobject_class->finalize = finalize;
  element_class->change_state = change_state;
  element_class->request_new_pad = request_new_pad;
  element_class->release_pad = release_pad;

  g_object_class_install_property (gobject_class, PROP_LATENCY,
      g_param_spec_uint ("latency", "Latency",
          "Accepted for rtpbin; packets never wait (this buffer's latency "
          "is 0)", 0, G_MAXUINT, 0,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_TS_OFFSET,
      g_param_spec_int64 ("ts-offset", "Timestamp offset",
          "Nanoseconds added to every presentation time (rtpbin's lip sync)",
          G_MININT64, G_MAXINT64, 0,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "Packets pushed, lost (skipped), late, duplicated; sequence "
          "restarts and anchor moves", GST_TYPE_STRUCTURE,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  signals[SIGNAL_REQUEST_PT_MAP] = g_signal_new ("request-pt-map",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      GST_TYPE_CAPS, 1, G_TYPE_UINT);
  signals[SIGNAL_HANDLE_SYNC] = g_signal_new ("handle-sync",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, GST_TYPE_STRUCTURE | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SIGNAL_CLEAR_PT_MAP] = g_signal_new_class_handler ("clear-pt-map",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (clear_pt_map), NULL, NULL, NULL, G_TYPE_NONE, 0);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &rtcp_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "WebRTC zero-latency jitterbuffer", "Filter/Network/RTP",
      "Releases RTP packets in order at once, dropping late ones",
      "gst-plugins-webrtc");
}

static void
gst_wrtc_playout_buffer_init (GstWrtcPlayoutBuffer * self)
{
  g_mutex_init (&self->lock);
  self->playout = gst_wrtc_playout_new ();
  self->pt = -1;

  self->sinkpad = gst_pad_new_from_static_template (&sink_template, "sink");
  gst_pad_set_chain_function (self->sinkpad, chain);
  gst_pad_set_event_function (self->sinkpad, sink_event);
  gst_pad_set_query_function (self->sinkpad, sink_query);
  gst_element_add_pad (GST_ELEMENT (self), self->sinkpad);

  self->srcpad = gst_pad_new_from_static_template (&src_template, "src");
  gst_pad_set_event_function (self->srcpad, src_event);
  gst_pad_set_query_function (self->srcpad, src_query);
  gst_element_add_pad (GST_ELEMENT (self), self->srcpad);
}
