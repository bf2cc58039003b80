/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc benchmark: data channels between two of our peer
 * connection cores (GstWrtcPeer) in one process, on loopback, full stack:
 * SCTP (usrsctp) over DTLS over ICE/UDP, pinned to 127.0.0.1, data-only
 * session (one m=application section).
 *
 *   dc-throughput throughput [--size BYTES] [--bytes TOTAL] [--high B]
 *       [--low B]
 *     The offerer opens one reliable ordered channel (DCEP) and sends
 *     TOTAL bytes in messages of SIZE bytes as fast as backpressure
 *     allows, the way a browser application does: it sends while the
 *     channel's buffered-amount is at most HIGH, then waits for the
 *     buffered-amount-low callback (threshold LOW).  The answerer counts
 *     what arrives and checks each message's length and sequence number.
 *     One line: "throughput size=.. bytes=.. seconds=.. mbps=..
 *     cpu_s=.. cpu_s_per_mb=.. processes=1" (MB = 10^6 bytes; cpu:
 *     getrusage of the process, so both ends, user + system, over the
 *     transfer).  With --two-process the answerer runs in a child process
 *     (this program's "answerer" mode, SDP over its stdin and stdout), so
 *     each end has an ICE thread of its own (one per process,
 *     gstwrtcicecontext.h), as two applications do; cpu_s adds the
 *     child's ("processes=2").
 *
 *   --mtu BYTES (either mode): both ends send SCTP packets of up to BYTES
 *     (gst_wrtc_sctp_association_set_mtu(), set on "channels-ready", just
 *     before the association starts); the default is the association's.
 *
 *   dc-throughput open [--runs N]
 *     N pairs one after the other in this process; for each, the time
 *     from the create-offer call (peers constructed) until the channel the
 *     offerer opened is open on both sides (the offerer's DCEP ACK and the
 *     answerer's DATA_CHANNEL_OPEN).  Lines "open run=I ms=.. offer_ms=..
 *     answer_ms=.. dtls_ms=..": run 0 is the cold figure (first in a fresh
 *     process), the next ones warm; the others say when, from the same
 *     start, the offer and the answer were written and both ends were
 *     DTLS-connected (channels-ready, just before the SCTP INITs).
 *
 * Exit status 1 (and a line "error: ...") when something fails.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "gstwrtcpeer.h"

#define WAIT_US (20 * G_USEC_PER_SEC)
#define MB 1e6

static const gchar *loopback[] = { "127.0.0.1", NULL };

/* --mtu: both ends' SCTP packet size (0: the default) */
static guint sctp_mtu;

typedef struct
{
  GMutex lock;
  GCond cond;
  /* SDP */
  gchar *sdp, *sdp_error;
  gboolean sdp_done;
  gint64 sdp_time, connected_time, ready_time;
  /* the association's callbacks */
  gboolean ready;
  gboolean open;
  gint64 open_time;
  guint16 id;
  gboolean low;
  guint64 received, messages, expect_size;
  gboolean bad;
  gchar *bad_reason;
  GObject *owner;               /* passed to the channel functions */
} Side;

static Side *
side_of (GObject * owner)
{
  return g_object_get_data (owner, "side");
}

static void
side_init (Side * s)
{
  memset (s, 0, sizeof (*s));
  g_mutex_init (&s->lock);
  g_cond_init (&s->cond);
  s->owner = g_object_new (G_TYPE_OBJECT, NULL);
  g_object_set_data (s->owner, "side", s);
}

/* once no callback holds the owner any more (after close_and_wait) */
static void
side_clear (Side * s)
{
  g_object_unref (s->owner);
  g_free (s->sdp);
  g_free (s->sdp_error);
  g_free (s->bad_reason);
  g_mutex_clear (&s->lock);
  g_cond_clear (&s->cond);
}

static void
on_sdp (GstWrtcPeer * peer, const gchar * sdp, const GError * error,
    gpointer user_data)
{
  Side *s = user_data;

  g_mutex_lock (&s->lock);
  s->sdp = g_strdup (sdp);
  s->sdp_error = error ? g_strdup (error->message) : NULL;
  s->sdp_done = TRUE;
  s->sdp_time = g_get_monotonic_time ();
  g_cond_broadcast (&s->cond);
  g_mutex_unlock (&s->lock);
}

static void
chan_open_cb (guint16 id, gboolean remote, GObject * owner)
{
  Side *s = side_of (owner);

  g_mutex_lock (&s->lock);
  if (!s->open) {
    s->open = TRUE;
    s->open_time = g_get_monotonic_time ();
    s->id = id;
  }
  g_cond_broadcast (&s->cond);
  g_mutex_unlock (&s->lock);
}

/* The receiving end: whole messages of the expected size, in order (the
 * sender writes a sequence number in the first 8 bytes). */
static void
chan_message_cb (guint16 id, gboolean is_string, const guint8 * data,
    gsize len, GObject * owner)
{
  Side *s = side_of (owner);
  guint64 seq = 0;

  if (len >= sizeof (seq))
    memcpy (&seq, data, sizeof (seq));
  g_mutex_lock (&s->lock);
  if (!s->bad && (len != s->expect_size || seq != s->messages)) {
    s->bad = TRUE;
    s->bad_reason = g_strdup_printf ("message %" G_GUINT64_FORMAT ": %"
        G_GSIZE_FORMAT " bytes, sequence %" G_GUINT64_FORMAT, s->messages,
        len, seq);
  }
  s->messages++;
  s->received += len;
  g_cond_broadcast (&s->cond);
  g_mutex_unlock (&s->lock);
}

static void
chan_low_cb (guint16 id, GObject * owner)
{
  Side *s = side_of (owner);

  g_mutex_lock (&s->lock);
  s->low = TRUE;
  g_cond_broadcast (&s->cond);
  g_mutex_unlock (&s->lock);
}

static void
chan_error_cb (guint16 id, const GError * error, GObject * owner)
{
  Side *s = side_of (owner);

  g_mutex_lock (&s->lock);
  if (!s->bad) {
    s->bad = TRUE;
    s->bad_reason = g_strdup (error->message);
  }
  g_cond_broadcast (&s->cond);
  g_mutex_unlock (&s->lock);
}

static const GstWrtcSctpChannelsFuncs chan_funcs = {
  .channel_open = chan_open_cb,
  .message = chan_message_cb,
  .buffered_amount_low = chan_low_cb,
  .error = chan_error_cb,
};

/* ICE thread, before the association starts (see gstwrtcpeer.h). */
static void
on_channels_ready (GstWrtcPeer * peer, GstWrtcSctpChannels * channels, Side * s)
{
  if (sctp_mtu)
    gst_wrtc_sctp_association_set_mtu
        (gst_wrtc_sctp_channels_get_association (channels), sctp_mtu);
  gst_wrtc_sctp_channels_set_funcs (channels, &chan_funcs, s->owner);
  g_mutex_lock (&s->lock);
  s->ready = TRUE;
  s->ready_time = g_get_monotonic_time ();
  g_cond_broadcast (&s->cond);
  g_mutex_unlock (&s->lock);
}

/* The offerer opens its channel as soon as the association exists: it
 * leaves once the association is up, as webrtcbin's create-data-channel
 * before the offer does. */
static void
on_offerer_channels_ready (GstWrtcPeer * peer, GstWrtcSctpChannels * channels,
    Side * s)
{
  GstWrtcSctpChannelOptions opts;
  GError *err = NULL;
  guint16 id;

  on_channels_ready (peer, channels, s);
  gst_wrtc_sctp_channel_options_init (&opts);
  opts.label = "bench";
  if (!gst_wrtc_sctp_channels_open (channels, &opts, &id, &err)) {
    chan_error_cb (0, err, s->owner);
    g_clear_error (&err);
  }
}

/* Waits until @flag (under the side's lock) is set, or something failed. */
static gboolean
side_wait (Side * s, gboolean * flag)
{
  gint64 end = g_get_monotonic_time () + WAIT_US;
  gboolean ok;

  g_mutex_lock (&s->lock);
  while (!*flag && !s->bad && g_cond_wait_until (&s->cond, &s->lock, end));
  ok = *flag;
  g_mutex_unlock (&s->lock);
  return ok;
}

/* The answerer runs here (ans) or in a child process (child: this
 * program's "answerer" mode, the SDP and the results over its stdin and
 * stdout). */
typedef struct
{
  GstWrtcPeer *off, *ans;
  Side o, a;
  GSubprocess *child;
  GOutputStream *to_child;
  GDataInputStream *from_child;
} Pair;

static void
die (const gchar * what, const gchar * detail)
{
  printf ("error: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  fflush (stdout);
  exit (1);
}

static GstWrtcPeer *
peer_new (void)
{
  GstWrtcPeerConfig cfg = { loopback, NULL, NULL, NULL, "bench" };
  GstWrtcPeer *peer;
  GError *err = NULL;

  cfg.datachannel = TRUE;
  peer = gst_wrtc_peer_new (&cfg, &err);
  if (!peer)
    die ("gst_wrtc_peer_new", err->message);
  return peer;
}

/* the child's next line, without its newline */
static gchar *
child_line (Pair * p, const gchar * what)
{
  GError *err = NULL;
  gchar *line = g_data_input_stream_read_line (p->from_child, NULL, NULL,
      &err);

  if (!line)
    die (what, err ? err->message : "the answerer process ended");
  if (g_str_has_prefix (line, "error: "))
    die ("answerer process", line + 7);
  return line;
}

static void
child_write (Pair * p, const gchar * line)
{
  GError *err = NULL;

  if (!g_output_stream_write_all (p->to_child, line, strlen (line), NULL,
          NULL, &err) || !g_output_stream_flush (p->to_child, NULL, &err))
    die ("writing to the answerer process", err->message);
}

/* @child_argv: the answerer in a child process, else here */
static void
pair_new (Pair * p, const gchar * const *child_argv)
{
  GError *err = NULL;

  memset (p, 0, sizeof (*p));
  side_init (&p->o);
  side_init (&p->a);
  p->off = peer_new ();
  g_signal_connect (p->off, "channels-ready",
      G_CALLBACK (on_offerer_channels_ready), &p->o);
  if (child_argv) {
    p->child = g_subprocess_newv (child_argv, G_SUBPROCESS_FLAGS_STDIN_PIPE
        | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &err);
    if (!p->child)
      die ("cannot start the answerer process", err->message);
    p->to_child = g_subprocess_get_stdin_pipe (p->child);
    p->from_child =
        g_data_input_stream_new (g_subprocess_get_stdout_pipe (p->child));
    return;
  }
  p->ans = peer_new ();
  g_signal_connect (p->ans, "channels-ready", G_CALLBACK (on_channels_ready),
      &p->a);
}

/* offer, answer, and the channel open on both sides */
static void
pair_connect (Pair * p)
{
  GError *err = NULL;

  gst_wrtc_peer_create_offer (p->off, NULL, 0, on_sdp, &p->o);
  if (!side_wait (&p->o, &p->o.sdp_done) || !p->o.sdp)
    die ("no offer", p->o.sdp_error);
  if (p->child) {
    gchar *b64 = g_base64_encode ((const guchar *) p->o.sdp,
        strlen (p->o.sdp));
    gchar *line = g_strdup_printf ("offer %s\n", b64);
    gsize n;

    child_write (p, line);
    g_free (line);
    g_free (b64);
    line = child_line (p, "no answer");
    if (!g_str_has_prefix (line, "answer "))
      die ("the answerer process said", line);
    p->a.sdp = (gchar *) g_base64_decode (line + 7, &n);
    p->a.sdp = g_realloc (p->a.sdp, n + 1);
    p->a.sdp[n] = 0;
    g_free (line);
    if (!gst_wrtc_peer_set_answer (p->off, p->a.sdp, &err))
      die ("set_answer", err->message);
    if (!side_wait (&p->o, &p->o.open))
      die ("the offerer's channel did not open", p->o.bad_reason);
    line = child_line (p, "the answerer did not see the channel open");
    if (!g_str_equal (line, "open"))
      die ("the answerer process said", line);
    g_free (line);
    return;
  }
  gst_wrtc_peer_create_answer (p->ans, p->o.sdp, NULL, 0, NULL, 0, on_sdp,
      &p->a);
  if (!side_wait (&p->a, &p->a.sdp_done) || !p->a.sdp)
    die ("no answer", p->a.sdp_error);
  if (!gst_wrtc_peer_set_answer (p->off, p->a.sdp, &err))
    die ("set_answer", err->message);
  if (!side_wait (&p->o, &p->o.open))
    die ("the offerer's channel did not open", p->o.bad_reason);
  if (!side_wait (&p->a, &p->a.open))
    die ("the answerer did not see the channel open", p->a.bad_reason);
}

static void
pair_free (Pair * p)
{
  if (p->child) {
    GError *err = NULL;

    /* end of input: the answerer closes and exits */
    g_output_stream_close (p->to_child, NULL, NULL);
    if (!g_subprocess_wait_check (p->child, NULL, &err))
      die ("the answerer process", err->message);
    g_object_unref (p->from_child);
    g_object_unref (p->child);
  }
  if (!gst_wrtc_peer_close_and_wait (p->off, WAIT_US)
      || (p->ans && !gst_wrtc_peer_close_and_wait (p->ans, WAIT_US)))
    die ("close_and_wait timed out", NULL);
  g_object_unref (p->off);
  if (p->ans)
    g_object_unref (p->ans);
  side_clear (&p->o);
  side_clear (&p->a);
}

static gdouble
cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6
      + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int
run_open (guint runs)
{
  guint i;

  for (i = 0; i < runs; i++) {
    Pair p;
    gint64 t0;

    pair_new (&p, NULL);
    t0 = g_get_monotonic_time ();
    pair_connect (&p);
    /* and where the time went, from the same start */
    printf ("open run=%u ms=%.3f offer_ms=%.3f answer_ms=%.3f "
        "dtls_ms=%.3f\n", i,
        (MAX (p.o.open_time, p.a.open_time) - t0) / 1000.0,
        (p.o.sdp_time - t0) / 1000.0, (p.a.sdp_time - t0) / 1000.0,
        (MAX (p.o.ready_time, p.a.ready_time) - t0) / 1000.0);
    fflush (stdout);
    pair_free (&p);
  }
  return 0;
}

/* The receiving end of throughput --two-process, in its own process: an
 * answerer that reads "offer <base64 SDP>" on stdin, writes "answer
 * <base64 SDP>", "open" once the channel is, then "done cpu_s=.." (its CPU
 * since "open") once @total bytes arrived, and closes at end of input. */
static int
run_answerer (gsize size, guint64 total)
{
  GstWrtcPeer *peer;
  Side a;
  gchar *line = NULL, *b64;
  gsize cap = 0, n;
  gssize got;
  gdouble c0;

  side_init (&a);
  a.expect_size = size;
  total = (total + size - 1) / size * size;
  peer = peer_new ();
  g_signal_connect (peer, "channels-ready", G_CALLBACK (on_channels_ready), &a);
  got = getline (&line, &cap, stdin);
  if (got < 7 || !g_str_has_prefix (line, "offer "))
    die ("expected an offer on stdin", NULL);
  g_strchomp (line);
  b64 = (gchar *) g_base64_decode (line + 6, &n);
  b64 = g_realloc (b64, n + 1);
  b64[n] = 0;
  gst_wrtc_peer_create_answer (peer, b64, NULL, 0, NULL, 0, on_sdp, &a);
  g_free (b64);
  if (!side_wait (&a, &a.sdp_done) || !a.sdp)
    die ("no answer", a.sdp_error);
  b64 = g_base64_encode ((const guchar *) a.sdp, strlen (a.sdp));
  printf ("answer %s\n", b64);
  fflush (stdout);
  g_free (b64);
  if (!side_wait (&a, &a.open))
    die ("the channel did not open", a.bad_reason);
  printf ("open\n");
  fflush (stdout);
  c0 = cpu_seconds ();

  g_mutex_lock (&a.lock);
  {
    gint64 end = g_get_monotonic_time () + WAIT_US * 10;
    while (a.received < total && !a.bad
        && g_cond_wait_until (&a.cond, &a.lock, end));
  }
  g_mutex_unlock (&a.lock);
  if (a.bad)
    die ("bad message", a.bad_reason);
  if (a.received < total)
    die ("not everything arrived", NULL);
  printf ("done cpu_s=%.3f\n", cpu_seconds () - c0);
  fflush (stdout);

  while (getline (&line, &cap, stdin) > 0);
  free (line);
  if (!gst_wrtc_peer_close_and_wait (peer, WAIT_US))
    die ("close_and_wait timed out", NULL);
  g_object_unref (peer);
  side_clear (&a);
  return 0;
}

static int
run_throughput (gsize size, guint64 total, guint64 high, guint64 low,
    const gchar * const *child_argv)
{
  gdouble child_cpu = 0;
  GstWrtcSctpChannels *oc;
  Pair p;
  guint8 *msg;
  guint64 sent = 0, seq = 0;
  gint64 t0, t1;
  gdouble c0, c1, secs;
  GError *err = NULL;

  if (size < sizeof (guint64))
    die ("--size must be at least 8", NULL);
  total = (total + size - 1) / size * size;
  msg = g_malloc (size);
  for (gsize i = 0; i < size; i++)
    msg[i] = i * 31 + 7;

  pair_new (&p, child_argv);
  p.a.expect_size = size;
  pair_connect (&p);
  oc = gst_wrtc_peer_get_channels (p.off);
  gst_wrtc_sctp_channels_set_buffered_amount_low_threshold (oc, p.o.id, low);

  t0 = g_get_monotonic_time ();
  c0 = cpu_seconds ();
  while (sent < total) {
    /* a browser application: send while buffered-amount <= high, then
     * wait for bufferedamountlow */
    if (gst_wrtc_sctp_channels_get_buffered_amount (oc, p.o.id) > high) {
      gint64 end = g_get_monotonic_time () + WAIT_US;

      g_mutex_lock (&p.o.lock);
      while (!p.o.bad
          && gst_wrtc_sctp_channels_get_buffered_amount (oc, p.o.id) > low) {
        p.o.low = FALSE;
        while (!p.o.low && !p.o.bad
            && g_cond_wait_until (&p.o.cond, &p.o.lock, end));
        if (!p.o.low)
          break;
      }
      g_mutex_unlock (&p.o.lock);
      if (gst_wrtc_sctp_channels_get_buffered_amount (oc, p.o.id) > low) {
        gchar *why = g_strdup_printf ("%" G_GUINT64_FORMAT " bytes buffered "
            "after %" G_GUINT64_FORMAT " sent, %" G_GUINT64_FORMAT
            " received%s%s", gst_wrtc_sctp_channels_get_buffered_amount (oc,
                p.o.id), sent, p.a.received, p.o.bad ? ": " : "",
            p.o.bad ? p.o.bad_reason : "");
        die ("the channel does not drain", why);
      }
      continue;
    }
    memcpy (msg, &seq, sizeof (seq));
    if (!gst_wrtc_sctp_channels_send (oc, p.o.id, FALSE, msg, size, &err))
      die ("send", err->message);
    seq++;
    sent += size;
  }
  if (p.child) {
    gchar *line = child_line (&p, "the answerer process");

    if (sscanf (line, "done cpu_s=%lf", &child_cpu) != 1)
      die ("the answerer process said", line);
    g_free (line);
    p.a.received = total;
  } else {
    gint64 end = g_get_monotonic_time () + WAIT_US * 3;

    g_mutex_lock (&p.a.lock);
    while (p.a.received < total && !p.a.bad
        && g_cond_wait_until (&p.a.cond, &p.a.lock, end));
    g_mutex_unlock (&p.a.lock);
  }
  t1 = g_get_monotonic_time ();
  c1 = cpu_seconds () + child_cpu;
  if (p.a.bad)
    die ("bad message", p.a.bad_reason);
  if (p.a.received < total)
    die ("not everything arrived", NULL);

  secs = (t1 - t0) / 1e6;
  printf ("throughput size=%" G_GSIZE_FORMAT " bytes=%" G_GUINT64_FORMAT
      " seconds=%.3f mbps=%.2f cpu_s=%.3f cpu_s_per_mb=%.5f processes=%d\n",
      size, total, secs, total / MB / secs, c1 - c0, (c1 - c0) / (total / MB),
      p.child ? 2 : 1);
  fflush (stdout);
  g_object_unref (oc);
  pair_free (&p);
  g_free (msg);
  return 0;
}

int
main (int argc, char **argv)
{
  gchar *mode = NULL;
  gint64 size = 65536, total = 256 * 1000 * 1000;
  gint64 high = 4 * 1024 * 1024, low = 1024 * 1024;
  gint runs = 3, mtu = 0;
  gboolean two = FALSE;
  GOptionEntry entries[] = {
    {"size", 0, 0, G_OPTION_ARG_INT64, &size, "message size (bytes)", "B"},
    {"bytes", 0, 0, G_OPTION_ARG_INT64, &total, "bytes to send", "B"},
    {"high", 0, 0, G_OPTION_ARG_INT64, &high,
        "send while buffered-amount <= this", "B"},
    {"low", 0, 0, G_OPTION_ARG_INT64, &low,
        "buffered-amount-low-threshold", "B"},
    {"mtu", 0, 0, G_OPTION_ARG_INT, &mtu, "SCTP packet size (both ends)",
        "B"},
    {"two-process", 0, 0, G_OPTION_ARG_NONE, &two,
        "throughput: the receiving end in a child process", NULL},
    {"runs", 0, 0, G_OPTION_ARG_INT, &runs, "open: pairs in this process",
        "N"},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("throughput|open|answerer");
  GError *err = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err) || argc != 2)
    die ("usage: dc-throughput throughput|open [options]",
        err ? err->message : NULL);
  g_option_context_free (ctx);
  mode = argv[1];
  sctp_mtu = MAX (mtu, 0);
  if (g_str_equal (mode, "open"))
    return run_open (MAX (runs, 1));
  if (g_str_equal (mode, "answerer"))
    return run_answerer (size, total);
  if (g_str_equal (mode, "throughput")) {
    gchar *self_exe = g_file_read_link ("/proc/self/exe", NULL);
    gchar *a_size = g_strdup_printf ("--size=%" G_GINT64_FORMAT, size);
    gchar *a_bytes = g_strdup_printf ("--bytes=%" G_GINT64_FORMAT, total);
    gchar *a_mtu = g_strdup_printf ("--mtu=%d", mtu);
    const gchar *child_argv[] = { self_exe, "answerer", a_size, a_bytes,
      a_mtu, NULL
    };

    return run_throughput (size, total, high, low, two ? child_argv : NULL);
  }
  die ("unknown mode", mode);
  return 1;
}
