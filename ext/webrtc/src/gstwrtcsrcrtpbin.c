/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: a webrtcsrc session's rtpbin (see
 * gstwrtcsrc-private.h).
 *
 * One rtpbin session for the whole bundle (RFC 8843), fed from the ICE
 * thread through two pads of ours; its jitterbuffer (or, at latency 0,
 * GstWrtcPlayoutBuffer) decouples; it learns the payload types of the
 * tracks (with NACK, PLI, FIR and transport-wide CC where negotiated,
 * RTX per RFC 4588), announces each SSRC with a pad, and its RTCP
 * (receiver reports, NACK, PLI, transport-wide feedback) goes back to the
 * peer through an appsink.  The callbacks run on rtpbin's threads.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <gst/rtp/gstrtpdefs.h>

#include "gstwrtcsrc-private.h"
#include "gstwrtcplayoutbuffer.h"

GST_DEBUG_CATEGORY_EXTERN (gst_wrtc_webrtc_src_debug);
#define GST_CAT_DEFAULT gst_wrtc_webrtc_src_debug

static void
session_closure_notify (gpointer data, GClosure * closure)
{
  gst_wrtc_src_session_unref (data);
}

static GstCaps *
on_request_pt_map (GstElement * rtpbin, guint session, guint pt, Session * s)
{
  GstCaps *caps = NULL;
  gboolean rtx = FALSE;
  Track *t;

  g_mutex_lock (&s->lock);
  t = gst_wrtc_src_session_track_for_pt (s, pt, &rtx);
  if (t && rtx) {
    caps = gst_caps_new_simple ("application/x-rtp",
        "media", G_TYPE_STRING,
        t->kind == GST_WRTC_MEDIA_VIDEO ? "video" : "audio",
        "clock-rate", G_TYPE_INT, t->clock_rate,
        "encoding-name", G_TYPE_STRING, "RTX",
        "payload", G_TYPE_INT, pt, "apt", G_TYPE_INT, t->pt, NULL);
  } else if (t) {
    caps = gst_caps_new_simple ("application/x-rtp",
        "media", G_TYPE_STRING,
        t->kind == GST_WRTC_MEDIA_VIDEO ? "video" : "audio",
        "clock-rate", G_TYPE_INT, t->clock_rate,
        "encoding-name", G_TYPE_STRING, t->encoding,
        "payload", G_TYPE_INT, pt, NULL);
    /* rtpsession sends PLI/FIR and NACK only where negotiated */
    if (t->nack)
      gst_caps_set_simple (caps, "rtcp-fb-nack", G_TYPE_BOOLEAN, TRUE, NULL);
    if (t->pli)
      gst_caps_set_simple (caps, "rtcp-fb-nack-pli", G_TYPE_BOOLEAN, TRUE,
          NULL);
    if (t->fir)
      gst_caps_set_simple (caps, "rtcp-fb-ccm-fir", G_TYPE_BOOLEAN, TRUE, NULL);
    if (g_strcmp0 (t->encoding, "OPUS") == 0)
      gst_caps_set_simple (caps, "encoding-params", G_TYPE_STRING, "2", NULL);
    if (t->twcc_ext_id) {
      /* rtpsession reads the extension's id from extmap-N and sends
       * transport-wide feedback (draft-holmer-rmcat-transport-wide-cc-
       * extensions-01 section 3.1) for the packets that carry it */
      gchar *key = g_strdup_printf ("extmap-%u", t->twcc_ext_id);
      gst_caps_set_simple (caps, key, G_TYPE_STRING, GST_WRTC_EXTMAP_TWCC,
          "rtcp-fb-transport-cc", G_TYPE_BOOLEAN, TRUE, NULL);
      g_free (key);
    }
  }
  g_mutex_unlock (&s->lock);
  GST_DEBUG_OBJECT (s->src, "pt %u: %" GST_PTR_FORMAT, pt, caps);
  return caps;
}

/* RFC 4588: retransmissions arrive on their own payload type and SSRC */
static GstElement *
on_request_aux_receiver (GstElement * rtpbin, guint session, Session * s)
{
  GstStructure *map = gst_structure_new_empty ("application/x-rtp-pt-map");
  GstElement *bin, *rtx;
  GstPad *pad;
  gchar *name;
  guint i;

  g_mutex_lock (&s->lock);
  for (i = 0; i < s->tracks->len; i++) {
    Track *t = &g_array_index (s->tracks, Track, i);
    if (t->rtx_pt >= 0) {
      gchar *key = g_strdup_printf ("%u", t->pt);
      gst_structure_set (map, key, G_TYPE_UINT, (guint) t->rtx_pt, NULL);
      g_free (key);
    }
  }
  g_mutex_unlock (&s->lock);
  if (gst_structure_n_fields (map) == 0) {
    gst_structure_free (map);
    return NULL;
  }
  rtx = gst_element_factory_make ("rtprtxreceive", NULL);
  if (!rtx) {
    gst_structure_free (map);
    return NULL;
  }
  g_object_set (rtx, "payload-type-map", map, NULL);
  gst_structure_free (map);
  bin = gst_bin_new (NULL);
  gst_bin_add (GST_BIN (bin), rtx);
  pad = gst_element_get_static_pad (rtx, "src");
  name = g_strdup_printf ("src_%u", session);
  gst_element_add_pad (bin, gst_ghost_pad_new (name, pad));
  g_free (name);
  gst_object_unref (pad);
  pad = gst_element_get_static_pad (rtx, "sink");
  name = g_strdup_printf ("sink_%u", session);
  gst_element_add_pad (bin, gst_ghost_pad_new (name, pad));
  g_free (name);
  gst_object_unref (pad);
  return bin;
}

/* A new SSRC: the media of its track flows from here. */
static void
on_rtpbin_pad_added (GstElement * rtpbin, GstPad * pad, Session * s)
{
  GstWrtcWebrtcSrc *self = s->src;
  gchar *name = gst_pad_get_name (pad);
  guint session_id, ssrc, pt;
  GstPad *target = NULL;
  gboolean video = FALSE, rtx = FALSE;
  Track *t;

  if (sscanf (name, "recv_rtp_src_%u_%u_%u", &session_id, &ssrc, &pt) != 3) {
    g_free (name);
    return;
  }
  g_free (name);

  g_mutex_lock (&s->lock);
  t = gst_wrtc_src_session_track_for_pt (s, pt, &rtx);
  /* an RTX stream rtprtxreceive could not map to its media yet (Chromium's
   * padding probes come before any retransmission) is not the track */
  if (t && !rtx && t->depay_sink && !t->linked
      && s->state != GST_WRTC_SOURCE_SESSION_ENDED) {
    target = gst_object_ref (t->depay_sink);
    t->linked = TRUE;
    t->ssrc = ssrc;
    video = t->kind == GST_WRTC_MEDIA_VIDEO;
  }
  g_mutex_unlock (&s->lock);

  if (!target) {
    /* a second SSRC on a track, or a payload type we did not agree to */
    GstElement *sink = gst_element_factory_make ("fakesink", NULL);
    GST_WARNING_OBJECT (self, "ignoring SSRC %08x payload type %u", ssrc, pt);
    g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
    gst_bin_add (GST_BIN (self), sink);
    g_ptr_array_add (s->elements, gst_object_ref (sink));
    target = gst_element_get_static_pad (sink, "sink");
    gst_pad_link (pad, target);
    gst_object_unref (target);
    gst_element_sync_state_with_parent (sink);
    return;
  }
  if (GST_PAD_LINK_FAILED (gst_pad_link (pad, target)))
    GST_WARNING_OBJECT (self, "could not link SSRC %08x", ssrc);
  gst_object_unref (target);
  GST_INFO_OBJECT (self, "SSRC %08x payload type %u started", ssrc, pt);

  /* a keyframe as soon as possible: PLI through rtpsession */
  if (video)
    gst_pad_send_event (pad,
        gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
            TRUE, 0));
}

/* our RTCP (receiver reports, NACK, PLI) to the sender */
static GstFlowReturn
on_rtcp_sample (GstAppSink * appsink, gpointer user_data)
{
  Session *s = user_data;
  GstSample *sample = gst_app_sink_pull_sample (appsink);
  GstBuffer *buf;
  GstMapInfo map;

  if (!sample)
    return GST_FLOW_OK;
  buf = gst_sample_get_buffer (sample);
  if (buf && gst_buffer_map (buf, &map, GST_MAP_READ)) {
    GError *err = NULL;
    gsize off = 0;
    /* count transport-cc feedback (RTPFB, FMT 15) in the compound */
    while (off + 4 <= map.size) {
      gsize plen = ((map.data[off + 2] << 8 | map.data[off + 3]) + 1) * 4;
      if (map.data[off + 1] == 205 && (map.data[off] & 0x1f) == 15) {
        g_mutex_lock (&s->lock);
        s->twcc_feedback++;
        g_mutex_unlock (&s->lock);
      }
      off += plen;
    }
    if (!gst_wrtc_peer_send_rtcp (s->peer, map.data, map.size, &err)) {
      GST_LOG_OBJECT (s->src, "%s", err->message);
      g_clear_error (&err);
    }
    gst_buffer_unmap (buf, &map);
  }
  gst_sample_unref (sample);
  return GST_FLOW_OK;
}

/* Our input pads are a live source's: no latency of their own. */
static gboolean
in_query (GstPad * pad, GstObject * parent, GstQuery * query)
{
  switch (GST_QUERY_TYPE (query)) {
    case GST_QUERY_LATENCY:
      gst_query_set_latency (query, TRUE, 0, GST_CLOCK_TIME_NONE);
      return TRUE;
    case GST_QUERY_CAPS:{
      GstCaps *caps = gst_pad_get_current_caps (pad);
      if (!caps)
        caps = gst_caps_new_any ();
      gst_query_set_caps_result (query, caps);
      gst_caps_unref (caps);
      return TRUE;
    }
    default:
      return FALSE;
  }
}

/* latency 0: packets go on in the thread that brings them, no
 * jitterbuffer thread (see gstwrtcplayoutbuffer.c) */
static GstElement *
on_request_jitterbuffer (GstElement * rtpbin, guint session, gpointer unused)
{
  return g_object_new (GST_TYPE_WRTC_PLAYOUT_BUFFER, NULL);
}

/* The receiving elements: rtpbin, fed from the ICE thread through two
 * pads of ours (one thread hop less than an appsrc; rtpbin's jitterbuffer
 * decouples), its RTCP out through an appsink to the peer. */
gboolean
gst_wrtc_src_session_build_rtpbin (Session * s, GError ** error)
{
  GstWrtcWebrtcSrc *self = s->src;
  GstAppSinkCallbacks callbacks = { NULL, NULL, on_rtcp_sample, };
  GObject *internal = NULL;
  GstCaps *caps;
  GstPad *srcpad, *sinkpad;
  guint latency, i;

  latency = gst_wrtc_bin_settings_get_uint (&self->settings, PROP_LATENCY);

  if (!(s->rtpbin = gst_wrtc_make_element (s->elements, "rtpbin", error))
      || !(s->rtcp_out = gst_wrtc_make_element (s->elements, "appsink", error)))
    return FALSE;

  g_object_set (s->rtpbin, "latency", latency, "do-retransmission", TRUE,
      "rtp-profile", GST_RTP_PROFILE_AVPF, NULL);
  if (latency == 0)
    g_signal_connect (s->rtpbin, "request-jitterbuffer",
        G_CALLBACK (on_request_jitterbuffer), NULL);
  g_signal_connect_data (s->rtpbin, "request-pt-map",
      G_CALLBACK (on_request_pt_map), gst_wrtc_src_session_ref (s),
      session_closure_notify, 0);
  g_signal_connect_data (s->rtpbin, "request-aux-receiver",
      G_CALLBACK (on_request_aux_receiver), gst_wrtc_src_session_ref (s),
      session_closure_notify, 0);
  g_signal_connect_data (s->rtpbin, "pad-added",
      G_CALLBACK (on_rtpbin_pad_added), gst_wrtc_src_session_ref (s),
      session_closure_notify, 0);

  g_object_set (s->rtcp_out, "sync", FALSE, "async", FALSE, "max-buffers", 32,
      "drop", TRUE, NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (s->rtcp_out), &callbacks,
      gst_wrtc_src_session_ref (s),
      (GDestroyNotify) gst_wrtc_src_session_unref);

  for (i = 0; i < s->elements->len; i++)
    gst_bin_add (GST_BIN (self), g_ptr_array_index (s->elements, i));

  for (i = 0; i < 2; i++) {
    gchar *id = g_strdup_printf ("webrtcsrc-%p-%s", s, i ? "rtcp" : "rtp");
    GstSegment segment;
    GstEvent *ev;
    s->in[i] = gst_pad_new (i ? "rtcp_src" : "rtp_src", GST_PAD_SRC);
    gst_pad_set_query_function (s->in[i], in_query);
    gst_pad_set_active (s->in[i], TRUE);
    sinkpad = gst_element_request_pad_simple (s->rtpbin,
        i ? "recv_rtcp_sink_0" : "recv_rtp_sink_0");
    gst_pad_link (s->in[i], sinkpad);
    gst_object_unref (sinkpad);
    /* sticky events, sent on the first push (stored, not consumed) */
    ev = gst_event_new_stream_start (id);
    gst_pad_store_sticky_event (s->in[i], ev);
    gst_event_unref (ev);
    caps = gst_caps_new_empty_simple (i ? "application/x-rtcp" :
        "application/x-rtp");
    ev = gst_event_new_caps (caps);
    gst_pad_store_sticky_event (s->in[i], ev);
    gst_event_unref (ev);
    gst_caps_unref (caps);
    gst_segment_init (&segment, GST_FORMAT_TIME);
    ev = gst_event_new_segment (&segment);
    gst_pad_store_sticky_event (s->in[i], ev);
    gst_event_unref (ev);
    g_free (id);
  }
  srcpad = gst_element_request_pad_simple (s->rtpbin, "send_rtcp_src_0");
  sinkpad = gst_element_get_static_pad (s->rtcp_out, "sink");
  gst_pad_link (srcpad, sinkpad);
  gst_object_unref (srcpad);
  gst_object_unref (sinkpad);

  /* (session 0 exists now) transport-wide feedback every 100 ms, as
   * browsers send it */
  g_signal_emit_by_name (s->rtpbin, "get-internal-session", 0, &internal);
  if (internal) {
    g_object_set (internal, "twcc-feedback-interval",
        (guint64) (100 * GST_MSECOND), NULL);
    g_object_unref (internal);
  }

  for (i = 0; i < s->elements->len; i++)
    gst_element_sync_state_with_parent (g_ptr_array_index (s->elements, i));
  return TRUE;
}
