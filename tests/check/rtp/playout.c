/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of GstWrtcPlayout: zero-latency release decisions and
 * presentation times from RTP timestamps. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>

#include "gstwrtcplayout.h"

#define MS (G_GUINT64_CONSTANT (1000000))
/* 90 kHz: 3000 ticks a frame at 30 fps, 33.3 ms */
#define RATE 90000

static GstWrtcPlayoutVerdict
push (GstWrtcPlayout * p, guint16 seq, guint32 ts, guint64 arrival,
    guint64 * pts, gboolean * discont)
{
  guint64 dummy_pts;
  gboolean dummy_discont;

  return gst_wrtc_playout_push (p, seq, ts, arrival, pts ? pts : &dummy_pts,
      discont ? discont : &dummy_discont);
}

GST_START_TEST (test_in_order_released_at_once)
{
  GstWrtcPlayout *p = gst_wrtc_playout_new ();
  GstWrtcPlayoutStats st;
  gboolean discont;
  guint64 pts;
  guint i;

  gst_wrtc_playout_set_clock_rate (p, RATE);
  fail_unless_equals_int (push (p, 100, 1000, 50 * MS, &pts, &discont),
      GST_WRTC_PLAYOUT_PUSH);
  /* the first packet is a discontinuity and anchors the times */
  fail_unless (discont);
  fail_unless_equals_uint64 (pts, 50 * MS);
  for (i = 1; i < 10; i++) {
    /* constant delay: each frame presents exactly one frame later */
    fail_unless_equals_int (push (p, 100 + i, 1000 + 3000 * i,
            50 * MS + i * 100 * MS / 3, &pts, &discont), GST_WRTC_PLAYOUT_PUSH);
    fail_if (discont);
    fail_unless_equals_uint64 (pts, 50 * MS + i * 100 * MS / 3);
  }
  gst_wrtc_playout_get_stats (p, &st);
  fail_unless_equals_uint64 (st.pushed, 10);
  fail_unless_equals_uint64 (st.lost, 0);
  fail_unless_equals_uint64 (st.reanchors, 0);
  gst_wrtc_playout_free (p);
}

GST_END_TEST;

GST_START_TEST (test_frame_packets_share_time)
{
  GstWrtcPlayout *p = gst_wrtc_playout_new ();
  guint64 pts;

  gst_wrtc_playout_set_clock_rate (p, RATE);
  push (p, 1, 0, 10 * MS, &pts, NULL);
  /* the rest of the frame arrives over 2 ms: same timestamp, same time */
  push (p, 2, 0, 11 * MS, &pts, NULL);
  fail_unless_equals_uint64 (pts, 10 * MS);
  push (p, 3, 0, 12 * MS, &pts, NULL);
  fail_unless_equals_uint64 (pts, 10 * MS);
  gst_wrtc_playout_free (p);
}

GST_END_TEST;

GST_START_TEST (test_gap_late_duplicate)
{
  GstWrtcPlayout *p = gst_wrtc_playout_new ();
  GstWrtcPlayoutStats st;
  gboolean discont;

  gst_wrtc_playout_set_clock_rate (p, RATE);
  push (p, 10, 0, 0, NULL, NULL);
  /* 11 and 12 missing: not waited for */
  fail_unless_equals_int (push (p, 13, 3000, 40 * MS, NULL, &discont),
      GST_WRTC_PLAYOUT_PUSH);
  fail_unless (discont);
  /* 12 comes after 13 went: too late */
  fail_unless_equals_int (push (p, 12, 3000, 41 * MS, NULL, NULL),
      GST_WRTC_PLAYOUT_LATE);
  fail_unless_equals_int (push (p, 13, 3000, 42 * MS, NULL, NULL),
      GST_WRTC_PLAYOUT_DUPLICATE);
  fail_unless_equals_int (push (p, 14, 3000, 43 * MS, NULL, &discont),
      GST_WRTC_PLAYOUT_PUSH);
  fail_if (discont);
  gst_wrtc_playout_get_stats (p, &st);
  fail_unless_equals_uint64 (st.pushed, 3);
  fail_unless_equals_uint64 (st.lost, 2);
  fail_unless_equals_uint64 (st.late, 1);
  fail_unless_equals_uint64 (st.duplicates, 1);
  gst_wrtc_playout_free (p);
}

GST_END_TEST;

/* sequence numbers and timestamps wrap (RFC 3550 section 5.1) */
GST_START_TEST (test_wraps)
{
  GstWrtcPlayout *p = gst_wrtc_playout_new ();
  GstWrtcPlayoutStats st;
  gboolean discont;
  guint64 pts;

  gst_wrtc_playout_set_clock_rate (p, RATE);
  push (p, 65534, G_MAXUINT32 - 2999, 100 * MS, &pts, NULL);
  fail_unless_equals_int (push (p, 65535, G_MAXUINT32 - 2999, 101 * MS,
          &pts, &discont), GST_WRTC_PLAYOUT_PUSH);
  fail_if (discont);
  /* both wrap here: 0 is one after 65535, and the timestamp one frame on */
  fail_unless_equals_int (push (p, 0, 0, 100 * MS + 100 * MS / 3, &pts,
          &discont), GST_WRTC_PLAYOUT_PUSH);
  fail_if (discont);
  fail_unless_equals_uint64 (pts, 100 * MS + 100 * MS / 3);
  fail_unless_equals_int (push (p, 65535, 0, 134 * MS, NULL, NULL),
      GST_WRTC_PLAYOUT_LATE);
  gst_wrtc_playout_get_stats (p, &st);
  fail_unless_equals_uint64 (st.lost, 0);
  fail_unless_equals_uint64 (st.reanchors, 0);
  gst_wrtc_playout_free (p);
}

GST_END_TEST;

/* RFC 3550 appendix A.1: a big jump counts only when the next packet
 * follows it */
GST_START_TEST (test_jump_needs_confirmation)
{
  GstWrtcPlayout *p = gst_wrtc_playout_new ();
  GstWrtcPlayoutStats st;
  gboolean discont;
  guint64 pts;

  gst_wrtc_playout_set_clock_rate (p, RATE);
  push (p, 1000, 0, 0, NULL, NULL);
  /* a stray: held, then forgotten when the stream goes on */
  fail_unless_equals_int (push (p, 30000, 5, MS, NULL, NULL),
      GST_WRTC_PLAYOUT_PROBATION);
  fail_unless_equals_int (push (p, 1001, 3000, 33 * MS, NULL, &discont),
      GST_WRTC_PLAYOUT_PUSH);
  fail_if (discont);
  /* a restart: 20000 then 20001 */
  fail_unless_equals_int (push (p, 20000, 777, 40 * MS, NULL, NULL),
      GST_WRTC_PLAYOUT_PROBATION);
  fail_unless_equals_int (push (p, 20001, 777, 41 * MS, &pts, &discont),
      GST_WRTC_PLAYOUT_PUSH);
  fail_unless (discont);
  /* its timestamps start over: anchored at its arrival */
  fail_unless_equals_uint64 (pts, 41 * MS);
  fail_unless_equals_int (push (p, 20002, 777 + 3000, 41 * MS + 100 * MS / 3,
          &pts, NULL), GST_WRTC_PLAYOUT_PUSH);
  fail_unless_equals_uint64 (pts, 41 * MS + 100 * MS / 3);
  /* back by more than MAX_MISORDER is a jump too, never a release */
  fail_unless_equals_int (push (p, 20002 - 500, 0, 80 * MS, NULL, NULL),
      GST_WRTC_PLAYOUT_PROBATION);
  gst_wrtc_playout_get_stats (p, &st);
  fail_unless_equals_uint64 (st.restarts, 1);
  fail_unless_equals_uint64 (st.pushed, 4);
  gst_wrtc_playout_free (p);
}

GST_END_TEST;

/* The anchor follows the least-delayed packet, and is never more than
 * MAX_LAG behind an arrival. */
GST_START_TEST (test_anchor_moves)
{
  GstWrtcPlayout *p = gst_wrtc_playout_new ();
  GstWrtcPlayoutStats st;
  guint64 pts, base_rtp, base_time, clock_base;

  gst_wrtc_playout_set_clock_rate (p, RATE);
  /* the first frame was delayed by 10 ms */
  push (p, 1, 0, 110 * MS, &pts, NULL);
  fail_unless_equals_uint64 (pts, 110 * MS);
  /* the next one was not: it presents at its arrival, the anchor moves */
  push (p, 2, 9000, 200 * MS, &pts, NULL);
  fail_unless_equals_uint64 (pts, 200 * MS);
  fail_unless (gst_wrtc_playout_get_anchor (p, &base_rtp, &base_time,
          &clock_base));
  fail_unless_equals_uint64 (base_time, 200 * MS);
  fail_unless_equals_uint64 (base_rtp - clock_base, 9000);
  /* 15 ms of jitter: the predicted time stands (it is never after the
   * arrival) */
  push (p, 3, 18000, 315 * MS, &pts, NULL);
  fail_unless_equals_uint64 (pts, 300 * MS);
  /* 25 ms behind: more than MAX_LAG, so the anchor comes to it */
  push (p, 4, 27000, 425 * MS, &pts, NULL);
  fail_unless_equals_uint64 (pts, 425 * MS);
  gst_wrtc_playout_get_stats (p, &st);
  fail_unless_equals_uint64 (st.reanchors, 2);
  gst_wrtc_playout_free (p);
}

GST_END_TEST;

/* Without a clock rate: a frame's first arrival; times never go back. */
GST_START_TEST (test_no_clock_rate)
{
  GstWrtcPlayout *p = gst_wrtc_playout_new ();
  guint64 pts, a, b, c;

  fail_unless_equals_int (push (p, 1, 500, 7 * MS, &pts, NULL),
      GST_WRTC_PLAYOUT_PUSH);
  fail_unless_equals_uint64 (pts, 7 * MS);
  push (p, 2, 500, 9 * MS, &pts, NULL);
  fail_unless_equals_uint64 (pts, 7 * MS);
  push (p, 3, 900, 12 * MS, &pts, NULL);
  fail_unless_equals_uint64 (pts, 12 * MS);
  fail_if (gst_wrtc_playout_get_anchor (p, &a, &b, &c));
  gst_wrtc_playout_free (p);
}

GST_END_TEST;

GST_START_TEST (test_times_never_go_back)
{
  GstWrtcPlayout *p = gst_wrtc_playout_new ();
  guint64 pts;

  gst_wrtc_playout_set_clock_rate (p, RATE);
  push (p, 1, 90000, 1000 * MS, &pts, NULL);
  /* a later packet with an older timestamp (a sender that reorders
   * frames) presents at its arrival, never before what went out */
  push (p, 2, 45000, 1001 * MS, &pts, NULL);
  fail_unless_equals_uint64 (pts, 1001 * MS);
  /* a timestamp before the stream's start and before time 0 */
  gst_wrtc_playout_reset (p);
  push (p, 1, 90000 * 10, 1 * MS, &pts, NULL);
  push (p, 2, 0, 2 * MS, &pts, NULL);
  fail_unless (pts >= 1 * MS);
  gst_wrtc_playout_free (p);
}

GST_END_TEST;

GST_START_TEST (test_reset_and_extend)
{
  GstWrtcPlayout *p = gst_wrtc_playout_new ();
  GstWrtcPlayoutStats st;
  guint64 ext, ext2, pts;
  gboolean discont;

  fail_if (gst_wrtc_playout_extend (p, 5, &ext));
  gst_wrtc_playout_set_clock_rate (p, 48000);
  push (p, 7, G_MAXUINT32, 0, NULL, NULL);
  /* a sender report's timestamp just after the wrap extends upwards */
  fail_unless (gst_wrtc_playout_extend (p, G_MAXUINT32, &ext));
  fail_unless (gst_wrtc_playout_extend (p, 959, &ext2));
  fail_unless_equals_uint64 (ext2 - ext, 960);
  /* a flush: the next packet starts afresh, stats stay */
  gst_wrtc_playout_reset (p);
  fail_unless_equals_int (gst_wrtc_playout_get_clock_rate (p), 48000);
  fail_unless_equals_int (push (p, 3, 0, 5 * MS, &pts, &discont),
      GST_WRTC_PLAYOUT_PUSH);
  fail_unless (discont);
  fail_unless_equals_uint64 (pts, 5 * MS);
  gst_wrtc_playout_get_stats (p, &st);
  fail_unless_equals_uint64 (st.pushed, 2);
  fail_unless_equals_string (gst_wrtc_playout_verdict_name
      (GST_WRTC_PLAYOUT_LATE), "late");
  gst_wrtc_playout_free (p);
}

GST_END_TEST;

static Suite *
playout_suite (void)
{
  Suite *s = suite_create ("playout");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_in_order_released_at_once);
  tcase_add_test (tc, test_frame_packets_share_time);
  tcase_add_test (tc, test_gap_late_duplicate);
  tcase_add_test (tc, test_wraps);
  tcase_add_test (tc, test_jump_needs_confirmation);
  tcase_add_test (tc, test_anchor_moves);
  tcase_add_test (tc, test_no_clock_rate);
  tcase_add_test (tc, test_times_never_go_back);
  tcase_add_test (tc, test_reset_and_extend);
  return s;
}

GST_CHECK_MAIN (playout);
