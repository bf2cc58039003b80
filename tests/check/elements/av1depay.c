/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of wrtcav1depay (ext/webrtc/src/gstwrtcav1depay.c) on what
 * av1enc makes and wrtcav1pay sends: temporal units come back byte for
 * byte with their timestamps and key frame flags, a lost or malformed
 * packet makes a key frame request upstream and the units up to the
 * next key frame are dropped, and the whole path videotestsrc ! av1enc !
 * av1parse ! wrtcav1pay ! wrtcav1depay ! av1parse ! av1dec decodes every
 * frame, and after a lost packet decodes again from the key frame the
 * request made the encoder send. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/rtp/rtp.h>
#include <gst/video/video.h>

/* webrtcsink's realtime settings (configure_encoder in
 * ext/webrtc/sink/gstwrtcwebrtcsink.c) */
#define ENCODER "av1enc usage-profile=realtime cpu-used=9 end-usage=cbr " \
  "target-bitrate=1000 lag-in-frames=0 threads=2 min-quantizer=10 " \
  "max-quantizer=56"
#define RAW_CAPS "video/x-raw,format=I420,width=320,height=240," \
  "framerate=30/1"
#define RTP_CAPS "application/x-rtp, media=(string)video, " \
  "clock-rate=(int)90000, encoding-name=(string)AV1, payload=(int)96"

/* @n temporal units from av1enc ! av1parse, a key frame every
 * @key_every; their caps in @caps. */
static GPtrArray *
encode (guint n, guint key_every, GstCaps ** caps)
{
  gchar *launch = g_strdup_printf ("%s keyframe-max-dist=%u ! av1parse",
      ENCODER, key_every);
  GstHarness *h = gst_harness_new_parse (launch);
  GPtrArray *tus = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_buffer_unref);
  GstBuffer *buf;
  guint i;

  gst_harness_add_src_parse (h, "videotestsrc pattern=snow ! capsfilter "
      "caps=" RAW_CAPS, FALSE);
  for (i = 0; i < n; i++)
    fail_unless_equals_int (gst_harness_push_from_src (h), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  while ((buf = gst_harness_try_pull (h)))
    g_ptr_array_add (tus, buf);
  fail_unless_equals_int (tus->len, n);
  *caps = gst_pad_get_current_caps (h->sinkpad);
  gst_harness_teardown (h);
  g_free (launch);
  return tus;
}

/* The RTP packets wrtcav1pay mtu=@mtu makes of @tus, one array a unit. */
static GPtrArray *
payload (GPtrArray * tus, GstCaps * caps, guint mtu)
{
  GstHarness *h = gst_harness_new ("wrtcav1pay");
  GPtrArray *units = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_ptr_array_unref);
  guint i;

  g_object_set (h->element, "mtu", mtu, "pt", 96, NULL);
  gst_harness_set_src_caps (h, gst_caps_ref (caps));
  for (i = 0; i < tus->len; i++) {
    GPtrArray *pkts = g_ptr_array_new_with_free_func ((GDestroyNotify)
        gst_buffer_unref);
    GstBuffer *buf;

    fail_unless_equals_int (gst_harness_push (h,
            gst_buffer_ref (g_ptr_array_index (tus, i))), GST_FLOW_OK);
    while ((buf = gst_harness_try_pull (h)))
      g_ptr_array_add (pkts, buf);
    fail_unless (pkts->len > 0);
    g_ptr_array_add (units, pkts);
  }
  gst_harness_teardown (h);
  return units;
}

static GstHarness *
new_depay (void)
{
  GstHarness *h = gst_harness_new ("wrtcav1depay");

  gst_harness_set_src_caps_str (h, RTP_CAPS);
  return h;
}

static gboolean
buffer_equal (GstBuffer * a, GstBuffer * b)
{
  GstMapInfo ma, mb;
  gboolean eq;

  fail_unless (gst_buffer_map (a, &ma, GST_MAP_READ));
  fail_unless (gst_buffer_map (b, &mb, GST_MAP_READ));
  eq = ma.size == mb.size && memcmp (ma.data, mb.data, ma.size) == 0;
  gst_buffer_unmap (a, &ma);
  gst_buffer_unmap (b, &mb);
  return eq;
}

/* Pushes the packets of @units to @h, leaving out packet @skip_pkt of
 * unit @skip_unit (-1: none). */
static void
push_units (GstHarness * h, GPtrArray * units, gint skip_unit, gint skip_pkt)
{
  guint u, i;

  for (u = 0; u < units->len; u++) {
    GPtrArray *pkts = g_ptr_array_index (units, u);
    for (i = 0; i < pkts->len; i++) {
      if ((gint) u == skip_unit && (gint) i == skip_pkt)
        continue;
      fail_unless_equals_int (gst_harness_push (h,
              gst_buffer_ref (g_ptr_array_index (pkts, i))), GST_FLOW_OK);
    }
  }
}

/* The GstForceKeyUnit events that reached upstream of @h. */
static guint
keyframe_requests (GstHarness * h)
{
  GstEvent *ev;
  guint n = 0;

  while ((ev = gst_harness_try_pull_upstream_event (h))) {
    if (gst_video_event_is_force_key_unit (ev)) {
      gboolean all_headers = FALSE;
      fail_unless (gst_video_event_parse_upstream_force_key_unit (ev, NULL,
              &all_headers, NULL));
      fail_unless (all_headers);
      n++;
    }
    gst_event_unref (ev);
  }
  return n;
}

/* Real av1enc units over 300-byte packets: each comes back as it went
 * in (av1enc writes a temporal delimiter and obu_size everywhere, as the
 * depayloader does), with its PTS, key frames without DELTA_UNIT, caps
 * obu-stream/tu, no key frame request. */
GST_START_TEST (test_real_stream)
{
  GstCaps *caps, *out_caps, *expect_caps;
  GPtrArray *tus = encode (20, 10, &caps);
  GPtrArray *units = payload (tus, caps, 300);
  GstHarness *h = new_depay ();
  guint i, fragmented = 0;

  for (i = 0; i < units->len; i++)
    fragmented += ((GPtrArray *) g_ptr_array_index (units, i))->len > 1;
  fail_unless (fragmented > 10, "units over several packets: %u", fragmented);

  push_units (h, units, -1, -1);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), tus->len);
  for (i = 0; i < tus->len; i++) {
    GstBuffer *in = g_ptr_array_index (tus, i);
    GstBuffer *out = gst_harness_pull (h);

    fail_unless (buffer_equal (in, out), "unit %u differs", i);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), GST_BUFFER_PTS (in));
    fail_unless_equals_int (GST_BUFFER_FLAG_IS_SET (out,
            GST_BUFFER_FLAG_DELTA_UNIT), i % 10 != 0);
    fail_unless_equals_int (GST_BUFFER_FLAG_IS_SET (in,
            GST_BUFFER_FLAG_DELTA_UNIT), i % 10 != 0);
    gst_buffer_unref (out);
  }
  out_caps = gst_pad_get_current_caps (h->sinkpad);
  expect_caps = gst_caps_from_string ("video/x-av1, "
      "stream-format=(string)obu-stream, alignment=(string)tu");
  fail_unless (gst_caps_is_equal (out_caps, expect_caps), "caps %"
      GST_PTR_FORMAT, out_caps);
  gst_caps_unref (expect_caps);
  gst_caps_unref (out_caps);
  fail_unless_equals_int (keyframe_requests (h), 0);

  gst_harness_teardown (h);
  g_ptr_array_unref (units);
  g_ptr_array_unref (tus);
  gst_caps_unref (caps);
}

GST_END_TEST;

/* A packet lost in the middle of unit 3: a key frame request goes
 * upstream; units 3 to 9 are dropped (wait-for-keyframe), the key frame
 * at 10 comes out DISCONT; with wait-for-keyframe=false only unit 3 is
 * lost and unit 4 is DISCONT. */
GST_START_TEST (test_loss_requests_keyframe)
{
  GstCaps *caps;
  GPtrArray *tus = encode (20, 10, &caps);
  GPtrArray *units = payload (tus, caps, 300);
  guint wait;

  fail_unless (((GPtrArray *) g_ptr_array_index (units, 3))->len >= 3);
  for (wait = 0; wait < 2; wait++) {
    GstHarness *h = new_depay ();
    guint i, first_after = wait ? 10 : 4;

    g_object_set (h->element, "wait-for-keyframe", (gboolean) wait, NULL);
    push_units (h, units, 3, 1);
    fail_unless_equals_int (gst_harness_buffers_in_queue (h),
        3 + tus->len - first_after);
    for (i = 0; i < tus->len; i++) {
      GstBuffer *out;
      if (i >= 3 && i < first_after)
        continue;
      out = gst_harness_pull (h);
      fail_unless (buffer_equal (g_ptr_array_index (tus, i), out),
          "unit %u", i);
      fail_unless_equals_int (GST_BUFFER_FLAG_IS_SET (out,
              GST_BUFFER_FLAG_DISCONT), i == first_after);
      gst_buffer_unref (out);
    }
    /* one for the loss; while waiting, one for each delta unit dropped */
    fail_unless_equals_int (keyframe_requests (h), wait ? 1 + 6 : 1);
    gst_harness_teardown (h);
  }

  g_ptr_array_unref (units);
  g_ptr_array_unref (tus);
  gst_caps_unref (caps);
}

GST_END_TEST;

/* The stream joined after its key frame: nothing comes out until the
 * next one, and a key frame is asked for. */
GST_START_TEST (test_start_without_keyframe)
{
  GstCaps *caps;
  GPtrArray *tus = encode (15, 10, &caps);
  GPtrArray *units = payload (tus, caps, 1200);
  GstHarness *h = new_depay ();
  guint u, i;

  for (u = 2; u < units->len; u++) {
    GPtrArray *pkts = g_ptr_array_index (units, u);
    for (i = 0; i < pkts->len; i++)
      gst_harness_push (h, gst_buffer_ref (g_ptr_array_index (pkts, i)));
  }
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 5);
  fail_unless (keyframe_requests (h) >= 1);
  for (u = 10; u < 15; u++) {
    GstBuffer *out = gst_harness_pull (h);
    fail_unless (buffer_equal (g_ptr_array_index (tus, u), out));
    fail_unless_equals_int (GST_BUFFER_FLAG_IS_SET (out,
            GST_BUFFER_FLAG_DELTA_UNIT), u != 10);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
  g_ptr_array_unref (units);
  g_ptr_array_unref (tus);
  gst_caps_unref (caps);
}

GST_END_TEST;

/* RTP packets of garbage between real ones: never a crash, a key frame
 * request, and the stream comes back at the next key frame. */
GST_START_TEST (test_malformed)
{
  GstCaps *caps;
  GPtrArray *tus = encode (20, 10, &caps);
  GPtrArray *units = payload (tus, caps, 300);
  GstHarness *h = new_depay ();
  GRand *rand = g_rand_new_with_seed (99);
  guint u, i, n;

  /* units 0-4 whole */
  for (u = 0; u < 5; u++) {
    GPtrArray *pkts = g_ptr_array_index (units, u);
    for (i = 0; i < pkts->len; i++)
      gst_harness_push (h, gst_buffer_ref (g_ptr_array_index (pkts, i)));
  }
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 5);
  fail_unless_equals_int (keyframe_requests (h), 0);

  /* unit 5 with its second packet's payload replaced by garbage */
  {
    GPtrArray *pkts = g_ptr_array_index (units, 5);
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
    GstBuffer *bad = gst_buffer_copy_deep (g_ptr_array_index (pkts, 1));
    guint8 *p;

    fail_unless (gst_rtp_buffer_map (bad, GST_MAP_WRITE, &rtp));
    p = gst_rtp_buffer_get_payload (&rtp);
    n = gst_rtp_buffer_get_payload_len (&rtp);
    p[0] = 0x10;                /* Z=0 under an open fragment */
    for (i = 1; i < n; i++)
      p[i] = g_rand_int (rand);
    gst_rtp_buffer_unmap (&rtp);
    gst_harness_push (h, gst_buffer_ref (g_ptr_array_index (pkts, 0)));
    gst_harness_push (h, bad);
    for (i = 2; i < pkts->len; i++)
      gst_harness_push (h, gst_buffer_ref (g_ptr_array_index (pkts, i)));
  }
  fail_unless (keyframe_requests (h) >= 1);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 5);

  /* random payloads of packets in sequence: whatever comes out is not
   * trusted until the key frame */
  for (u = 6; u < units->len; u++) {
    GPtrArray *pkts = g_ptr_array_index (units, u);
    for (i = 0; i < pkts->len; i++) {
      GstBuffer *buf = gst_buffer_copy_deep (g_ptr_array_index (pkts, i));
      if (u < 9 && g_rand_boolean (rand)) {
        GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
        guint8 *p;
        fail_unless (gst_rtp_buffer_map (buf, GST_MAP_WRITE, &rtp));
        p = gst_rtp_buffer_get_payload (&rtp);
        n = gst_rtp_buffer_get_payload_len (&rtp);
        while (n--)
          p[n] = g_rand_int (rand);
        gst_rtp_buffer_unmap (&rtp);
      }
      gst_harness_push (h, buf);
    }
  }
  /* 0-4, then 10-19 */
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 15);
  for (u = 0; u < 15; u++) {
    GstBuffer *out = gst_harness_pull (h);
    guint idx = u < 5 ? u : u + 5;
    fail_unless (buffer_equal (g_ptr_array_index (tus, idx), out),
        "unit %u", idx);
    fail_unless_equals_int (GST_BUFFER_FLAG_IS_SET (out,
            GST_BUFFER_FLAG_DISCONT), idx == 10);
    gst_buffer_unref (out);
  }

  g_rand_free (rand);
  gst_harness_teardown (h);
  g_ptr_array_unref (units);
  g_ptr_array_unref (tus);
  gst_caps_unref (caps);
}

GST_END_TEST;

typedef struct
{
  guint decoded;
  guint decoded_after_loss;
  guint units;                  /* marker bits seen before wrtcav1depay */
  gboolean first;               /* the next packet starts a unit */
  gint drop_unit;               /* whose first packet to drop; -1: none */
  gboolean dropped;
  guint keyframe_requests;      /* upstream of wrtcav1depay */
} PipelineCounts;

static void
on_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad,
    PipelineCounts * c)
{
  c->decoded++;
  if (c->dropped)
    c->decoded_after_loss++;
}

/* Whether to drop @buf, an RTP packet on its way to wrtcav1depay. */
static gboolean
drop_packet (GstBuffer * buf, PipelineCounts * c)
{
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  gboolean drop = c->first && (gint) c->units == c->drop_unit;

  fail_unless (gst_rtp_buffer_map (buf, GST_MAP_READ, &rtp));
  c->first = gst_rtp_buffer_get_marker (&rtp);
  c->units += c->first;
  gst_rtp_buffer_unmap (&rtp);
  c->dropped |= drop;
  return drop;
}

/* Drops the first packet of unit c->drop_unit (wrtcav1pay pushes a
 * list a unit). */
static GstPadProbeReturn
on_rtp (GstPad * pad, GstPadProbeInfo * info, PipelineCounts * c)
{
  GstBufferList *list;
  guint i;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    return drop_packet (GST_PAD_PROBE_INFO_BUFFER (info), c) ?
        GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
  list = GST_PAD_PROBE_INFO_BUFFER_LIST (info);
  for (i = 0; i < gst_buffer_list_length (list); i++) {
    if (drop_packet (gst_buffer_list_get (list, i), c)) {
      list = gst_buffer_list_make_writable (list);
      gst_buffer_list_remove (list, i, 1);
      GST_PAD_PROBE_INFO_DATA (info) = list;
      break;
    }
  }
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_upstream_event (GstPad * pad, GstPadProbeInfo * info, PipelineCounts * c)
{
  if (gst_video_event_is_force_key_unit (GST_PAD_PROBE_INFO_EVENT (info)))
    c->keyframe_requests++;
  return GST_PAD_PROBE_OK;
}

/* Runs the whole path on @frames frames, a key frame every @key_every;
 * drops the first RTP packet of unit @drop_unit (-1: none) before
 * wrtcav1depay. */
static void
run_pipeline (guint frames, guint key_every, gint drop_unit,
    const gchar * depay_props, PipelineCounts * c)
{
  gchar *launch = g_strdup_printf ("videotestsrc num-buffers=%u "
      "pattern=ball ! " RAW_CAPS " ! %s keyframe-max-dist=%u ! av1parse ! "
      "wrtcav1pay mtu=1200 ! wrtcav1depay name=depay %s ! av1parse ! av1dec ! "
      "fakesink name=out signal-handoffs=true", frames, ENCODER, key_every,
      depay_props);
  GstElement *pipeline = gst_parse_launch (launch, NULL);
  GstElement *sink, *depay;
  GstPad *pad;
  GstBus *bus;
  GstMessage *msg;

  fail_unless (pipeline != NULL);
  memset (c, 0, sizeof (*c));
  c->drop_unit = drop_unit;
  c->first = TRUE;
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "out");
  depay = gst_bin_get_by_name (GST_BIN (pipeline), "depay");
  g_signal_connect (sink, "handoff", G_CALLBACK (on_handoff), c);
  pad = gst_element_get_static_pad (depay, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_BUFFER_LIST, (GstPadProbeCallback) on_rtp, c, NULL);
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
      (GstPadProbeCallback) on_upstream_event, c, NULL);
  gst_object_unref (pad);

  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  bus = gst_element_get_bus (pipeline);
  msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no EOS within a minute");
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *err = NULL;
    gchar *dbg = NULL;
    gst_message_parse_error (msg, &err, &dbg);
    fail ("error from %s: %s (%s)", GST_OBJECT_NAME (msg->src),
        err->message, dbg);
  }
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (sink);
  gst_object_unref (depay);
  gst_object_unref (pipeline);
  g_free (launch);
}

/* videotestsrc ! av1enc (webrtcsink's settings) ! av1parse ! wrtcav1pay
 * ! wrtcav1depay ! av1parse ! av1dec: every frame decoded. */
GST_START_TEST (test_pipeline_decode)
{
  PipelineCounts c;

  run_pipeline (90, 60, -1, "", &c);
  fail_unless_equals_int (c.units, 90);
  fail_unless_equals_int (c.decoded, 90);
  fail_unless_equals_int (c.keyframe_requests, 0);
}

GST_END_TEST;

/* The same with the first packet of unit 10 lost: wrtcav1depay asks
 * upstream for a key frame and drops units 10-29; decoding goes on from
 * the encoder's next key frame (30), with no error from av1parse or
 * av1dec.  (GStreamer 1.22's av1enc ignores the request: it never sets
 * AOM_EFLAG_FORCE_KF, hence webrtcsink's keyframe-max-dist.) */
GST_START_TEST (test_pipeline_loss_recovers)
{
  PipelineCounts c;

  run_pipeline (60, 30, 10, "", &c);
  fail_unless (c.dropped);
  fail_unless (c.keyframe_requests >= 1);
  fail_unless_equals_int (c.decoded_after_loss, 30);
  fail_unless_equals_int (c.decoded, 40);
}

GST_END_TEST;

/* The same with wait-for-keyframe=false: units 11-29 reach av1parse,
 * whose references are gone; no error on the bus, and decoding goes on
 * at least from the key frame.  (GStreamer 1.22's av1parse drops them
 * itself, "Parse obu error", so exactly 40 frames come out there.) */
GST_START_TEST (test_pipeline_loss_no_wait)
{
  PipelineCounts c;

  run_pipeline (60, 30, 10, "wait-for-keyframe=false", &c);
  fail_unless (c.dropped);
  fail_unless (c.keyframe_requests >= 1);
  fail_unless (c.decoded_after_loss >= 30, "%u frames decoded after the "
      "loss", c.decoded_after_loss);
  fail_unless (c.decoded >= 40 && c.decoded < 60, "%u frames decoded",
      c.decoded);
}

GST_END_TEST;

static Suite *
av1depay_suite (void)
{
  Suite *s = suite_create ("av1depay");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_real_stream);
  tcase_add_test (tc, test_loss_requests_keyframe);
  tcase_add_test (tc, test_start_without_keyframe);
  tcase_add_test (tc, test_malformed);
  tcase_add_test (tc, test_pipeline_decode);
  tcase_add_test (tc, test_pipeline_loss_recovers);
  tcase_add_test (tc, test_pipeline_loss_no_wait);
  return s;
}

GST_CHECK_MAIN (av1depay);
