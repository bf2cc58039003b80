/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the jitterbuffer webrtcsrc gives rtpbin at latency 0
 * (ext/webrtc/src/gstwrtcplayoutbuffer.c): packets leave in the thread
 * that pushed them, in order, late ones dropped; rtpbin drives it as it
 * drives rtpjitterbuffer. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/rtp/rtp.h>
#include <gst/video/video.h>

#include "gstwrtcplayoutbuffer.h"

#define MS GST_MSECOND
#define SSRC 0x0badcafe
#define PT 96

static GstBuffer *
make_rtp (guint16 seq, guint32 ts, GstClockTime arrival)
{
  GstBuffer *buf = gst_rtp_buffer_new_allocate (20, 0, 0);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;

  fail_unless (gst_rtp_buffer_map (buf, GST_MAP_WRITE, &rtp));
  gst_rtp_buffer_set_payload_type (&rtp, PT);
  gst_rtp_buffer_set_seq (&rtp, seq);
  gst_rtp_buffer_set_timestamp (&rtp, ts);
  gst_rtp_buffer_set_ssrc (&rtp, SSRC);
  gst_rtp_buffer_set_marker (&rtp, TRUE);
  gst_rtp_buffer_unmap (&rtp);
  GST_BUFFER_DTS (buf) = GST_BUFFER_PTS (buf) = arrival;
  return buf;
}

static GstHarness *
new_harness (const gchar * caps)
{
  GstElement *e = g_object_new (GST_TYPE_WRTC_PLAYOUT_BUFFER, NULL);
  GstHarness *h = gst_harness_new_with_element (e, "sink", "src");

  gst_object_unref (e);
  gst_harness_set_src_caps_str (h, caps);
  return h;
}

/* Each packet is out before gst_harness_push returns: no thread, no wait
 * (rtpjitterbuffer, even at latency 0, releases from its own thread). */
GST_START_TEST (test_released_in_pushing_thread)
{
  GstHarness *h =
      new_harness ("application/x-rtp, clock-rate=(int)90000, payload=(int)96");
  GstStructure *stats;
  GstBuffer *out;
  guint64 v;

  fail_unless_equals_int (gst_harness_push (h, make_rtp (10, 0, 100 * MS)),
      GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 1);
  out = gst_harness_try_pull (h);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 100 * MS);
  fail_if (GST_BUFFER_DTS_IS_VALID (out));
  fail_unless (GST_BUFFER_FLAG_IS_SET (out, GST_BUFFER_FLAG_DISCONT));
  gst_buffer_unref (out);

  /* one frame later, 4 ms of jitter: the RTP timestamp's time */
  gst_harness_push (h, make_rtp (11, 3000, 100 * MS + 100 * MS / 3 + 4 * MS));
  out = gst_harness_try_pull (h);
  fail_unless (out != NULL);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 100 * MS + 100 * MS / 3);
  fail_if (GST_BUFFER_FLAG_IS_SET (out, GST_BUFFER_FLAG_DISCONT));
  gst_buffer_unref (out);

  /* 12 lost: 13 goes at once, a discontinuity; 12 is then too late */
  gst_harness_push (h, make_rtp (13, 9000, 200 * MS));
  out = gst_harness_try_pull (h);
  fail_unless (out != NULL);
  fail_unless (GST_BUFFER_FLAG_IS_SET (out, GST_BUFFER_FLAG_DISCONT));
  gst_buffer_unref (out);
  gst_harness_push (h, make_rtp (12, 6000, 201 * MS));
  gst_harness_push (h, make_rtp (13, 9000, 202 * MS));
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 0);

  g_object_get (h->element, "stats", &stats, NULL);
  fail_unless (gst_structure_get_uint64 (stats, "num-pushed", &v));
  fail_unless_equals_uint64 (v, 3);
  fail_unless (gst_structure_get_uint64 (stats, "num-lost", &v));
  fail_unless_equals_uint64 (v, 1);
  fail_unless (gst_structure_get_uint64 (stats, "num-late", &v));
  fail_unless_equals_uint64 (v, 1);
  fail_unless (gst_structure_get_uint64 (stats, "num-duplicates", &v));
  fail_unless_equals_uint64 (v, 1);
  gst_structure_free (stats);
  gst_harness_teardown (h);
}

GST_END_TEST;

static GstCaps *
on_pt_map (GstElement * e, guint pt, guint * asked)
{
  *asked = pt;
  return gst_caps_from_string ("application/x-rtp, clock-rate=(int)48000");
}

/* Caps without a clock rate: asked with request-pt-map, as rtpbin
 * answers rtpjitterbuffer. */
GST_START_TEST (test_clock_rate_from_pt_map)
{
  GstHarness *h = new_harness ("application/x-rtp");
  GstBuffer *out;
  guint asked = 0;

  g_signal_connect (h->element, "request-pt-map", G_CALLBACK (on_pt_map),
      &asked);
  gst_harness_push (h, make_rtp (1, 0, 10 * MS));
  fail_unless_equals_int (asked, PT);
  gst_buffer_unref (gst_harness_pull (h));
  /* 960 ticks of 48 kHz: 20 ms on */
  gst_harness_push (h, make_rtp (2, 960, 33 * MS));
  out = gst_harness_pull (h);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 30 * MS);
  gst_buffer_unref (out);

  /* clear-pt-map: asked again */
  asked = 0;
  g_signal_emit_by_name (h->element, "clear-pt-map");
  gst_harness_push (h, make_rtp (3, 1920, 50 * MS));
  fail_unless_equals_int (asked, PT);
  gst_buffer_unref (gst_harness_pull (h));
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_ts_offset)
{
  GstHarness *h =
      new_harness ("application/x-rtp, clock-rate=(int)90000, payload=(int)96");
  GstBuffer *out;

  g_object_set (h->element, "ts-offset", (gint64) (5 * MS), NULL);
  gst_harness_push (h, make_rtp (1, 0, 10 * MS));
  out = gst_harness_pull (h);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 15 * MS);
  gst_buffer_unref (out);
  /* an offset back past 0 stops at 0 */
  g_object_set (h->element, "ts-offset", -(gint64) (50 * MS), NULL);
  gst_harness_push (h, make_rtp (2, 90, 11 * MS));
  out = gst_harness_pull (h);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 0);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* A decoder's keyframe request goes on upstream (to rtpsession: PLI). */
GST_START_TEST (test_upstream_events_pass)
{
  GstHarness *h =
      new_harness ("application/x-rtp, clock-rate=(int)90000, payload=(int)96");
  GstEvent *ev;

  gst_harness_push (h, make_rtp (1, 0, 10 * MS));
  gst_buffer_unref (gst_harness_pull (h));
  while ((ev = gst_harness_try_pull_upstream_event (h)))
    gst_event_unref (ev);
  fail_unless (gst_harness_push_upstream_event (h,
          gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
              TRUE, 0)));
  ev = gst_harness_try_pull_upstream_event (h);
  fail_unless (ev != NULL);
  fail_unless (gst_video_event_is_force_key_unit (ev));
  gst_event_unref (ev);
  gst_harness_teardown (h);
}

GST_END_TEST;

typedef struct
{
  guint calls;
  guint64 base_rtptime, base_time, sr_ext, clock_base;
  guint clock_rate;
} SyncSeen;

static void
on_handle_sync (GstElement * e, const GstStructure * s, SyncSeen * seen)
{
  seen->calls++;
  fail_unless (gst_structure_get_uint64 (s, "base-rtptime",
          &seen->base_rtptime));
  fail_unless (gst_structure_get_uint64 (s, "base-time", &seen->base_time));
  fail_unless (gst_structure_get_uint64 (s, "sr-ext-rtptime", &seen->sr_ext));
  fail_unless (gst_structure_get_uint64 (s, "clock-base", &seen->clock_base));
  fail_unless (gst_structure_get_uint (s, "clock-rate", &seen->clock_rate));
  fail_unless (gst_structure_has_field_typed (s, "sr-buffer", GST_TYPE_BUFFER));
}

static GstBuffer *
make_sr (guint32 rtptime)
{
  GstBuffer *buf = gst_rtcp_buffer_new (1000);
  GstRTCPBuffer rtcp = GST_RTCP_BUFFER_INIT;
  GstRTCPPacket packet;

  gst_rtcp_buffer_map (buf, GST_MAP_READWRITE, &rtcp);
  fail_unless (gst_rtcp_buffer_add_packet (&rtcp, GST_RTCP_TYPE_SR, &packet));
  gst_rtcp_packet_sr_set_sender_info (&packet, SSRC,
      G_GUINT64_CONSTANT (0xe0000000) << 32, rtptime, 10, 1000);
  gst_rtcp_buffer_unmap (&rtcp);
  return buf;
}

/* RFC 3550 section 6.4.1: a sender report on sink_rtcp gives rtpbin the
 * anchor (which RTP time presents when) for lip sync. */
GST_START_TEST (test_sender_report_sync)
{
  GstHarness *h =
      new_harness ("application/x-rtp, clock-rate=(int)90000, payload=(int)96");
  GstHarness *rtcp;
  SyncSeen seen = { 0, };

  rtcp = gst_harness_new_with_element (h->element, "sink_rtcp", NULL);
  gst_harness_set_src_caps_str (rtcp, "application/x-rtcp");
  g_signal_connect (h->element, "handle-sync", G_CALLBACK (on_handle_sync),
      &seen);

  /* before any RTP: nothing to relate it to */
  gst_harness_push (rtcp, make_sr (1000));
  fail_unless_equals_int (seen.calls, 0);

  gst_harness_push (h, make_rtp (1, 4000000000u, 10 * MS));
  gst_buffer_unref (gst_harness_pull (h));
  /* the report's timestamp is past the wrap: extended upwards */
  gst_harness_push (rtcp, make_sr (1000));
  fail_unless_equals_int (seen.calls, 1);
  fail_unless_equals_int (seen.clock_rate, 90000);
  fail_unless_equals_uint64 (seen.base_time, 10 * MS);
  fail_unless_equals_uint64 (seen.base_rtptime, seen.clock_base);
  fail_unless_equals_uint64 (seen.sr_ext - seen.base_rtptime,
      (G_GUINT64_CONSTANT (1) << 32) - 4000000000u + 1000);

  /* not a sender report: ignored */
  gst_harness_push (rtcp, gst_rtcp_buffer_new (100));
  fail_unless_equals_int (seen.calls, 1);

  gst_harness_teardown (rtcp);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* In rtpbin, through request-jitterbuffer: the depayloader side gets each
 * packet in the thread that pushed it into rtpbin, with no warning from
 * rtpbin about the interface. */
typedef struct
{
  GThread *pusher;
  guint received, other_thread;
  GstPad *sink;
} BinCtx;

static GstElement *
on_request_jb (GstElement * rtpbin, guint session, gpointer unused)
{
  return g_object_new (GST_TYPE_WRTC_PLAYOUT_BUFFER, NULL);
}

static GstCaps *
bin_pt_map (GstElement * rtpbin, guint session, guint pt, gpointer unused)
{
  return gst_caps_from_string ("application/x-rtp, media=(string)video, "
      "clock-rate=(int)90000, encoding-name=(string)VP8");
}

static GstFlowReturn
bin_chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  BinCtx *c = g_object_get_data (G_OBJECT (pad), "ctx");

  c->received++;
  if (g_thread_self () != c->pusher)
    c->other_thread++;
  gst_buffer_unref (buf);
  return GST_FLOW_OK;
}

static void
bin_pad_added (GstElement * rtpbin, GstPad * pad, BinCtx * c)
{
  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC
      || !g_str_has_prefix (GST_PAD_NAME (pad), "recv_rtp_src_"))
    return;
  fail_unless_equals_int (gst_pad_link (pad, c->sink), GST_PAD_LINK_OK);
}

GST_START_TEST (test_in_rtpbin)
{
  GstElement *rtpbin = gst_element_factory_make ("rtpbin", NULL);
  GstPad *src, *sinkpad;
  GstCaps *caps;
  GstSegment seg;
  BinCtx c = { 0, };
  GstElement *jb = NULL;
  GstIterator *it;
  GValue item = G_VALUE_INIT;
  guint i;

  fail_unless (rtpbin != NULL);
  g_object_set (rtpbin, "latency", 0, NULL);
  g_signal_connect (rtpbin, "request-jitterbuffer", G_CALLBACK (on_request_jb),
      NULL);
  g_signal_connect (rtpbin, "request-pt-map", G_CALLBACK (bin_pt_map), NULL);
  g_signal_connect (rtpbin, "pad-added", G_CALLBACK (bin_pad_added), &c);
  c.pusher = g_thread_self ();
  c.sink = gst_pad_new ("sink", GST_PAD_SINK);
  g_object_set_data (G_OBJECT (c.sink), "ctx", &c);
  gst_pad_set_chain_function (c.sink, bin_chain);
  gst_pad_set_active (c.sink, TRUE);

  fail_unless_equals_int (gst_element_set_state (rtpbin, GST_STATE_PLAYING),
      GST_STATE_CHANGE_SUCCESS);
  src = gst_pad_new ("src", GST_PAD_SRC);
  sinkpad = gst_element_request_pad_simple (rtpbin, "recv_rtp_sink_0");
  fail_unless_equals_int (gst_pad_link (src, sinkpad), GST_PAD_LINK_OK);
  gst_object_unref (sinkpad);
  gst_pad_set_active (src, TRUE);
  gst_pad_push_event (src, gst_event_new_stream_start ("playout-test"));
  caps = gst_caps_from_string ("application/x-rtp");
  gst_pad_push_event (src, gst_event_new_caps (caps));
  gst_caps_unref (caps);
  gst_segment_init (&seg, GST_FORMAT_TIME);
  gst_pad_push_event (src, gst_event_new_segment (&seg));

  for (i = 0; i < 20; i++) {
    fail_unless_equals_int (gst_pad_push (src, make_rtp (i, i * 3000,
                (i + 1) * 33 * MS)), GST_FLOW_OK);
    /* out before the push returned (rtpsession holds a new sender's
     * first packet until the second confirms it: RFC 3550 A.1 probation) */
    if (i > 0)
      fail_unless_equals_int (c.received, i + 1);
  }
  fail_unless_equals_int (c.other_thread, 0);

  /* rtpbin made ours its jitterbuffer */
  it = gst_bin_iterate_recurse (GST_BIN (rtpbin));
  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *e = g_value_get_object (&item);
    if (GST_IS_WRTC_PLAYOUT_BUFFER (e))
      jb = e;
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
  fail_unless (jb != NULL);

  gst_element_set_state (rtpbin, GST_STATE_NULL);
  gst_pad_set_active (src, FALSE);
  gst_object_unref (src);
  gst_object_unref (rtpbin);
  gst_object_unref (c.sink);
}

GST_END_TEST;

GST_START_TEST (test_state_cycles)
{
  GstElement *e = g_object_new (GST_TYPE_WRTC_PLAYOUT_BUFFER, NULL);
  GstPad *rtcp;
  guint i;

  gst_object_ref_sink (e);
  rtcp = gst_element_request_pad_simple (e, "sink_rtcp");
  fail_unless (rtcp != NULL);
  for (i = 0; i < 3; i++) {
    fail_unless_equals_int (gst_element_set_state (e, GST_STATE_PLAYING),
        GST_STATE_CHANGE_SUCCESS);
    fail_unless_equals_int (gst_element_set_state (e, GST_STATE_NULL),
        GST_STATE_CHANGE_SUCCESS);
  }
  gst_element_release_request_pad (e, rtcp);
  gst_object_unref (rtcp);
  gst_object_unref (e);
}

GST_END_TEST;

static Suite *
playoutbuffer_suite (void)
{
  Suite *s = suite_create ("playoutbuffer");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_released_in_pushing_thread);
  tcase_add_test (tc, test_clock_rate_from_pt_map);
  tcase_add_test (tc, test_ts_offset);
  tcase_add_test (tc, test_upstream_events_pass);
  tcase_add_test (tc, test_sender_report_sync);
  tcase_add_test (tc, test_in_rtpbin);
  tcase_add_test (tc, test_state_cycles);
  return s;
}

GST_CHECK_MAIN (playoutbuffer);
