/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc benchmark helper: the pad probes of bench/latency.py,
 * in C.
 *
 * A probe written in Python costs about 0.1 ms per buffer on the machines
 * this runs on (the GIL, argument marshalling), in the streaming thread, so
 * it sat inside the latency it measured, on both stacks alike.  These cost
 * a hash of the frame and a clock read.  latency.py loads this library with
 * ctypes and passes the pads' addresses.
 *
 *   latprobe_in (pad)    a buffer through @pad starts its clock
 *   latprobe_out (pad)   the same bytes through @pad stop it
 *   latprobe_count ()    latencies recorded
 *   latprobe_get (i)     the i-th, in milliseconds
 *   latprobe_reset ()    forgets everything (the set-up second)
 *
 * Frames are matched by their size and a 64-bit FNV-1a hash of all their
 * bytes.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>
#include <time.h>

static GMutex lock;
static GHashTable *starts;      /* frame key -> start, monotonic ns */
static GArray *latencies;       /* gdouble ms */

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static guint64
frame_key (GstBuffer * buf)
{
  GstMapInfo map;
  guint64 h = G_GUINT64_CONSTANT (0xcbf29ce484222325);
  gsize i;

  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return 0;
  for (i = 0; i < map.size; i++) {
    h ^= map.data[i];
    h *= G_GUINT64_CONSTANT (0x100000001b3);
  }
  h ^= map.size;
  gst_buffer_unmap (buf, &map);
  return h;
}

static void
ensure (void)
{
  if (!starts) {
    starts = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
        g_free);
    latencies = g_array_new (FALSE, FALSE, sizeof (gdouble));
  }
}

static GstPadProbeReturn
on_in (GstPad * pad, GstPadProbeInfo * info, gpointer unused)
{
  gint64 t = now_ns ();
  guint64 key = frame_key (GST_PAD_PROBE_INFO_BUFFER (info));

  g_mutex_lock (&lock);
  ensure ();
  g_hash_table_replace (starts, g_memdup2 (&key, sizeof (key)),
      g_memdup2 (&t, sizeof (t)));
  g_mutex_unlock (&lock);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_out (GstPad * pad, GstPadProbeInfo * info, gpointer unused)
{
  gint64 t = now_ns ();
  guint64 key = frame_key (GST_PAD_PROBE_INFO_BUFFER (info));
  gint64 *start;
  gdouble ms;

  g_mutex_lock (&lock);
  ensure ();
  start = g_hash_table_lookup (starts, &key);
  if (start) {
    ms = (t - *start) / 1e6;
    g_array_append_val (latencies, ms);
    g_hash_table_remove (starts, &key);
  }
  g_mutex_unlock (&lock);
  return GST_PAD_PROBE_OK;
}

void
latprobe_in (GstPad * pad)
{
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_in, NULL, NULL);
}

void
latprobe_out (GstPad * pad)
{
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_out, NULL, NULL);
}

void
latprobe_reset (void)
{
  g_mutex_lock (&lock);
  ensure ();
  g_hash_table_remove_all (starts);
  g_array_set_size (latencies, 0);
  g_mutex_unlock (&lock);
}

int
latprobe_count (void)
{
  int n;

  g_mutex_lock (&lock);
  ensure ();
  n = latencies->len;
  g_mutex_unlock (&lock);
  return n;
}

double
latprobe_get (int i)
{
  gdouble v = -1;

  g_mutex_lock (&lock);
  ensure ();
  if (i >= 0 && (guint) i < latencies->len)
    v = g_array_index (latencies, gdouble, i);
  g_mutex_unlock (&lock);
  return v;
}
