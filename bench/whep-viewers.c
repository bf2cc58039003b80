/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc benchmark helper: N light WHEP viewers in one process.
 *
 * Each viewer is one in-tree peer connection core (GstWrtcPeer) as offerer
 * with receive-only m-sections: ICE (pinned to 127.0.0.1), DTLS, SRTP, no
 * decoding.  The offer (with all our candidates) is POSTed to the WHEP
 * endpoint (libsoup 3), the 201's answer is applied, RTP is counted per
 * viewer and loss detected from sequence-number gaps (the sink keeps the
 * payloader's sequence numbers, so a gap is a packet the payloader made and
 * this viewer never got).  At the end each viewer's session is DELETEd.
 *
 *   whep-viewers --url http://127.0.0.1:PORT/ [--viewers N] [--audio]
 *       [--parallel P] [--timeout S] [--hold S] [--check] [--datachannel]
 *
 * Output, one line each:
 *   viewer I offer_ms=.. answer_ms=.. connected_ms=.. first_rtp_ms=..
 *       (times from the WHEP POST, except offer_ms: create-offer to SDP)
 *   ready K/N                 K viewers connected and received RTP
 *   window I received=.. expected=.. bytes=..   (per viewer)
 *   window-total viewers=.. received=.. expected=.. min_ratio=.. kbps=..
 *       data_messages=..      (with --datachannel: messages every viewer
 *                             got on the sink's channels since it joined)
 *   bye
 * Without --hold, it waits after "ready" for lines on stdin: "start" opens
 * the measuring window, "stop" closes it and prints the window lines,
 * "quit" (or end of input) ends the sessions and exits.  With --hold S the
 * window is the S seconds after "ready".  --check: exit status 1 unless
 * every viewer connected and received packets in the window.
 * --datachannel: each offer carries a data channel section too (RFC 8841)
 * and each viewer opens a channel "viewer" and sends one message on it.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>
#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>

#include "gstwrtcpeer.h"
#include "gstwrtcrtp.h"

static const GstWrtcCodecCap vp8[] = {
  {GST_WRTC_MEDIA_VIDEO, "VP8", 90000, 0, NULL},
};

static const GstWrtcCodecCap opus[] = {
  {GST_WRTC_MEDIA_AUDIO, "OPUS", 48000, 2, "minptime=10;useinbandfec=1"},
};

static const GstWrtcOfferMedia offer_video_audio[] = {
  {GST_WRTC_MEDIA_VIDEO, GST_WRTC_DIRECTION_RECVONLY, vp8, 1, NULL},
  {GST_WRTC_MEDIA_AUDIO, GST_WRTC_DIRECTION_RECVONLY, opus, 1, NULL},
};

static const gchar *loopback[] = { "127.0.0.1", NULL };

/* our offer puts VP8 first: payload type 96 (RTX 97) */
#define VIDEO_PT 96

typedef struct
{
  guint index;
  GstWrtcPeer *peer;            /* main thread */
  gchar *location;              /* main thread: the session URL */
  gint64 t_create, t_offer, t_post, t_answer;   /* main thread */
  gboolean posted, answered, deleted;   /* main thread */

  GMutex lock;                  /* everything below */
  gint64 t_connected, t_first_rtp;
  gboolean failed;
  gboolean have_seq;
  gint64 ext_max;               /* highest extended sequence number */
  guint64 received, bytes, other;
  guint64 data_messages;        /* on the sink's data channels */
  /* at the start of the window */
  gint64 w_ext_max;
  guint64 w_received, w_bytes;
} Viewer;

typedef struct
{
  GMainLoop *loop;
  SoupSession *session;
  GUri *whep;
  Viewer *viewers;
  guint n;
  gboolean audio;
  gint64 deadline;
  gdouble hold;
  gboolean check;
  gboolean datachannel;
  guint parallel;               /* offers in flight at most */
  guint next;                   /* the next viewer to start */
  gboolean ready_printed;
  gboolean window_open, window_done;
  gint64 t_window;
  guint pending_deletes;
  gboolean finishing;
  gboolean window_ok;
} App;

static App app;

static gdouble
ms (gint64 from, gint64 to)
{
  if (!from || !to)
    return -1.0;
  return (to - from) / 1000.0;
}

/* Peer callbacks (ICE/DTLS threads) */

static void
on_state_changed (GstWrtcPeer * peer, guint state, Viewer * v)
{
  g_mutex_lock (&v->lock);
  if (state == GST_WRTC_PEER_STATE_CONNECTED && !v->t_connected)
    v->t_connected = g_get_monotonic_time ();
  if (state == GST_WRTC_PEER_STATE_FAILED)
    v->failed = TRUE;
  g_mutex_unlock (&v->lock);
}

static void
on_receive (GstWrtcPeer * peer, gint media, gboolean rtcp,
    const guint8 * data, gsize len, gpointer user_data)
{
  Viewer *v = user_data;
  GstWrtcRtpHeader h;

  if (rtcp || !gst_wrtc_rtp_parse (data, len, &h))
    return;
  g_mutex_lock (&v->lock);
  if (!v->t_first_rtp)
    v->t_first_rtp = g_get_monotonic_time ();
  if (h.pt != VIDEO_PT) {
    /* RTX, audio: counted apart, not in the loss figure */
    v->other++;
  } else {
    gint64 ext;

    if (!v->have_seq) {
      /* a cycle up, so reordering before the first one stays positive */
      ext = 65536 + h.seq;
      v->have_seq = TRUE;
      v->ext_max = ext;
      v->w_ext_max = ext - 1;
    } else {
      ext = v->ext_max + (gint16) (h.seq - (guint16) v->ext_max);
      if (ext > v->ext_max)
        v->ext_max = ext;
    }
    v->received++;
    v->bytes += len;
  }
  g_mutex_unlock (&v->lock);
}

/* Data channels (--datachannel): the table's functions run on the ICE
 * thread; the peer is the owner, its viewer in its object data. */
static void
on_data_open (guint16 id, gboolean remote, GObject * owner)
{
  Viewer *v = g_object_get_data (owner, "viewer");
  GstWrtcSctpChannels *chans;
  GError *err = NULL;
  static const gchar hello[] = "hello from a viewer";

  if (remote || !(chans = gst_wrtc_peer_get_channels (v->peer)))
    return;
  if (!gst_wrtc_sctp_channels_send (chans, id, TRUE, (const guint8 *) hello,
          sizeof (hello) - 1, &err)) {
    g_printerr ("viewer %u: data not sent: %s\n", v->index, err->message);
    g_clear_error (&err);
  }
  g_object_unref (chans);
}

static void
on_data_message (guint16 id, gboolean is_string, const guint8 * data,
    gsize len, GObject * owner)
{
  Viewer *v = g_object_get_data (owner, "viewer");

  g_mutex_lock (&v->lock);
  v->data_messages++;
  g_mutex_unlock (&v->lock);
}

static void
start_channels (Viewer * v)
{
  static const GstWrtcSctpChannelsFuncs funcs = {
    .channel_open = on_data_open,
    .message = on_data_message,
  };
  GstWrtcSctpChannelOptions opts;
  GstWrtcSctpChannels *chans = gst_wrtc_peer_get_channels (v->peer);
  GError *err = NULL;
  guint16 id;

  if (!chans) {
    g_printerr ("viewer %u: no data channel negotiated\n", v->index);
    return;
  }
  g_object_set_data (G_OBJECT (v->peer), "viewer", v);
  gst_wrtc_sctp_channels_set_funcs (chans, &funcs, G_OBJECT (v->peer));
  gst_wrtc_sctp_channel_options_init (&opts);
  opts.label = "viewer";
  if (!gst_wrtc_sctp_channels_open (chans, &opts, &id, &err)) {
    g_printerr ("viewer %u: no channel: %s\n", v->index, err->message);
    g_clear_error (&err);
  }
  g_object_unref (chans);
}

/* WHEP (main thread) */

static void start_more (void);

static SoupMessage *
new_message (const gchar * method, GUri * uri)
{
  return soup_message_new_from_uri (method, uri);
}

static void
on_post_done (GObject * source, GAsyncResult * res, gpointer user_data)
{
  Viewer *v = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (app.session, res);
  GError *err = NULL;
  GBytes *body;
  const gchar *loc;
  gchar *answer;

  body = soup_session_send_and_read_finish (app.session, res, &err);
  v->t_answer = g_get_monotonic_time ();
  v->answered = TRUE;
  start_more ();
  if (!body) {
    g_printerr ("viewer %u: POST failed: %s\n", v->index, err->message);
    g_clear_error (&err);
    goto failed;
  }
  if (soup_message_get_status (msg) != SOUP_STATUS_CREATED) {
    g_printerr ("viewer %u: POST answered %u %s: %.*s\n", v->index,
        soup_message_get_status (msg), soup_message_get_reason_phrase (msg),
        (int) MIN (g_bytes_get_size (body), 200),
        (const char *) g_bytes_get_data (body, NULL));
    g_bytes_unref (body);
    goto failed;
  }
  loc = soup_message_headers_get_one (soup_message_get_response_headers
      (msg), "Location");
  if (loc) {
    GUri *u = g_uri_parse_relative (app.whep, loc, G_URI_FLAGS_NONE, NULL);
    if (u) {
      v->location = g_uri_to_string (u);
      g_uri_unref (u);
    }
  }
  if (!v->location)
    g_printerr ("viewer %u: no usable Location in the 201\n", v->index);
  answer = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_bytes_unref (body);
  if (!gst_wrtc_peer_set_answer (v->peer, answer, &err)) {
    g_printerr ("viewer %u: bad answer: %s\n", v->index, err->message);
    g_clear_error (&err);
    g_free (answer);
    goto failed;
  }
  g_free (answer);
  if (app.datachannel)
    start_channels (v);
  return;

  /* ERRORS */
failed:
  g_mutex_lock (&v->lock);
  v->failed = TRUE;
  g_mutex_unlock (&v->lock);
}

typedef struct
{
  Viewer *v;
  gchar *sdp;
} OfferReady;

static gboolean
post_offer (gpointer user_data)
{
  OfferReady *o = user_data;
  Viewer *v = o->v;
  SoupMessage *msg;
  GBytes *body;

  v->t_offer = g_get_monotonic_time ();
  if (!o->sdp) {
    g_mutex_lock (&v->lock);
    v->failed = TRUE;
    g_mutex_unlock (&v->lock);
    v->answered = TRUE;
    start_more ();
    goto done;
  }
  msg = new_message (SOUP_METHOD_POST, app.whep);
  body = g_bytes_new_take (o->sdp, strlen (o->sdp));
  o->sdp = NULL;
  soup_message_set_request_body_from_bytes (msg, "application/sdp", body);
  g_bytes_unref (body);
  v->t_post = g_get_monotonic_time ();
  v->posted = TRUE;
  soup_session_send_and_read_async (app.session, msg, G_PRIORITY_DEFAULT,
      NULL, on_post_done, v);
  g_object_unref (msg);
done:
  g_free (o->sdp);
  g_free (o);
  return G_SOURCE_REMOVE;
}

/* any thread */
static void
on_offer (GstWrtcPeer * peer, const gchar * sdp, const GError * error,
    gpointer user_data)
{
  OfferReady *o = g_new0 (OfferReady, 1);

  o->v = user_data;
  if (error)
    g_printerr ("viewer %u: no offer: %s\n", o->v->index, error->message);
  o->sdp = g_strdup (sdp);
  g_main_context_invoke (NULL, post_offer, o);
}

static void
start_viewer (Viewer * v)
{
  GstWrtcPeerConfig cfg = { loopback, NULL, NULL, NULL, "whep-viewer" };
  GError *err = NULL;

  cfg.datachannel = app.datachannel;
  v->t_create = g_get_monotonic_time ();
  v->peer = gst_wrtc_peer_new (&cfg, &err);
  if (!v->peer) {
    g_printerr ("viewer %u: %s\n", v->index, err->message);
    g_clear_error (&err);
    v->failed = TRUE;
    return;
  }
  g_signal_connect (v->peer, "state-changed", G_CALLBACK (on_state_changed), v);
  gst_wrtc_peer_set_receive_func (v->peer, on_receive, v);
  gst_wrtc_peer_create_offer (v->peer, offer_video_audio, app.audio ? 2 : 1,
      on_offer, v);
}

/* Starts viewers until @parallel offers are in flight (answered or not);
 * the default staggers joins the way viewers arriving over a few seconds
 * would, --parallel N starts them all at once. */
static void
start_more (void)
{
  guint i, in_flight = 0;

  for (i = 0; i < app.next; i++)
    if (!app.viewers[i].answered)
      in_flight++;
  while (app.next < app.n && in_flight < app.parallel) {
    Viewer *v = &app.viewers[app.next++];
    start_viewer (v);
    if (!v->peer) {
      v->answered = TRUE;
      continue;
    }
    in_flight++;
  }
}

/* Window and results (main thread) */

static void
window_start (void)
{
  guint i;

  for (i = 0; i < app.n; i++) {
    Viewer *v = &app.viewers[i];
    g_mutex_lock (&v->lock);
    if (v->have_seq)
      v->w_ext_max = v->ext_max;
    v->w_received = v->received;
    v->w_bytes = v->bytes;
    g_mutex_unlock (&v->lock);
  }
  app.t_window = g_get_monotonic_time ();
  app.window_open = TRUE;
  g_print ("window-open\n");
}

static void
window_stop (void)
{
  guint64 sum_rx = 0, sum_exp = 0, sum_bytes = 0, sum_data = 0;
  gdouble min_ratio = 1.0, secs;
  guint i, counted = 0;

  if (!app.window_open)
    window_start ();
  secs = (g_get_monotonic_time () - app.t_window) / 1e6;
  app.window_ok = TRUE;
  for (i = 0; i < app.n; i++) {
    Viewer *v = &app.viewers[i];
    guint64 rx, exp, bytes;

    g_mutex_lock (&v->lock);
    rx = v->received - v->w_received;
    exp = v->have_seq ? (guint64) (v->ext_max - v->w_ext_max) : 0;
    bytes = v->bytes - v->w_bytes;
    sum_data += v->data_messages;
    g_mutex_unlock (&v->lock);
    g_print ("window %u received=%" G_GUINT64_FORMAT " expected=%"
        G_GUINT64_FORMAT " bytes=%" G_GUINT64_FORMAT "\n", i, rx, exp, bytes);
    if (rx == 0)
      app.window_ok = FALSE;
    sum_rx += rx;
    sum_exp += exp;
    sum_bytes += bytes;
    if (exp > 0) {
      min_ratio = MIN (min_ratio, (gdouble) MIN (rx, exp) / exp);
      counted++;
    } else {
      min_ratio = 0.0;
    }
  }
  g_print ("window-total viewers=%u seconds=%.2f received=%" G_GUINT64_FORMAT
      " expected=%" G_GUINT64_FORMAT " min_ratio=%.4f kbps=%.0f data_messages=%"
      G_GUINT64_FORMAT "\n", app.n, secs, sum_rx, sum_exp, min_ratio,
      app.n && secs > 0 ? sum_bytes * 8.0 / 1000.0 / secs / app.n : 0.0,
      sum_data);
  app.window_open = FALSE;
  app.window_done = TRUE;
}

static void
on_delete_done (GObject * source, GAsyncResult * res, gpointer user_data)
{
  Viewer *v = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (app.session, res);
  GBytes *body;
  GError *err = NULL;

  body = soup_session_send_and_read_finish (app.session, res, &err);
  if (!body) {
    g_printerr ("viewer %u: DELETE failed: %s\n", v->index, err->message);
    g_clear_error (&err);
  } else {
    if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
      g_printerr ("viewer %u: DELETE answered %u\n", v->index,
          soup_message_get_status (msg));
    g_bytes_unref (body);
  }
  if (--app.pending_deletes == 0)
    g_main_loop_quit (app.loop);
}

static gboolean
give_up_deletes (gpointer user_data)
{
  g_printerr ("%u DELETEs unanswered\n", app.pending_deletes);
  g_main_loop_quit (app.loop);
  return G_SOURCE_REMOVE;
}

static void
finish (void)
{
  guint i;

  if (app.finishing)
    return;
  app.finishing = TRUE;
  for (i = 0; i < app.n; i++) {
    Viewer *v = &app.viewers[i];
    SoupMessage *msg;
    GUri *uri;

    if (!v->location || v->deleted)
      continue;
    v->deleted = TRUE;
    uri = g_uri_parse (v->location, G_URI_FLAGS_NONE, NULL);
    if (!uri)
      continue;
    msg = new_message (SOUP_METHOD_DELETE, uri);
    g_uri_unref (uri);
    app.pending_deletes++;
    soup_session_send_and_read_async (app.session, msg, G_PRIORITY_DEFAULT,
        NULL, on_delete_done, v);
    g_object_unref (msg);
  }
  if (app.pending_deletes == 0)
    g_main_loop_quit (app.loop);
  else
    g_timeout_add_seconds (5, give_up_deletes, NULL);
}

static gboolean
hold_done (gpointer user_data)
{
  window_stop ();
  finish ();
  return G_SOURCE_REMOVE;
}

static void
on_line (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GDataInputStream *in = G_DATA_INPUT_STREAM (source);
  gchar *line = g_data_input_stream_read_line_finish (in, res, NULL, NULL);

  if (!line) {
    /* end of input: as "quit" */
    if (app.window_open)
      window_stop ();
    finish ();
    return;
  }
  g_strstrip (line);
  if (g_str_equal (line, "start")) {
    window_start ();
  } else if (g_str_equal (line, "stop")) {
    window_stop ();
  } else if (g_str_equal (line, "quit")) {
    if (app.window_open)
      window_stop ();
    g_free (line);
    finish ();
    return;
  } else if (*line) {
    g_printerr ("unknown command '%s'\n", line);
  }
  g_free (line);
  g_data_input_stream_read_line_async (in, G_PRIORITY_DEFAULT, NULL, on_line,
      NULL);
}

static gboolean
poll_ready (gpointer user_data)
{
  guint i, done = 0, ok = 0;
  gboolean timed_out = g_get_monotonic_time () > app.deadline;

  for (i = 0; i < app.n; i++) {
    Viewer *v = &app.viewers[i];
    gboolean failed, good;

    g_mutex_lock (&v->lock);
    failed = v->failed;
    good = v->t_connected && v->t_first_rtp;
    g_mutex_unlock (&v->lock);
    if (good)
      ok++;
    if (good || failed)
      done++;
  }
  if (done < app.n && !timed_out)
    return G_SOURCE_CONTINUE;

  for (i = 0; i < app.n; i++) {
    Viewer *v = &app.viewers[i];
    g_mutex_lock (&v->lock);
    g_print ("viewer %u offer_ms=%.1f answer_ms=%.1f connected_ms=%.1f "
        "first_rtp_ms=%.1f%s\n", i, ms (v->t_create, v->t_offer),
        ms (v->t_post, v->t_answer), ms (v->t_post, v->t_connected),
        ms (v->t_post, v->t_first_rtp), v->failed ? " failed" : "");
    g_mutex_unlock (&v->lock);
  }
  g_print ("ready %u/%u\n", ok, app.n);
  app.ready_printed = TRUE;
  if (ok < app.n && app.check) {
    app.window_ok = FALSE;
    finish ();
  } else if (app.hold > 0) {
    window_start ();
    g_timeout_add ((guint) (app.hold * 1000), hold_done, NULL);
  } else {
    GInputStream *stdin_stream = g_unix_input_stream_new (0, FALSE);
    GDataInputStream *in = g_data_input_stream_new (stdin_stream);
    g_object_unref (stdin_stream);
    /* kept for the life of the process */
    g_data_input_stream_read_line_async (in, G_PRIORITY_DEFAULT, NULL,
        on_line, NULL);
  }
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  gchar *url = NULL;
  gint n = 1, parallel = 8;
  gdouble timeout = 20.0, hold = 0.0;
  gboolean audio = FALSE, check = FALSE, datachannel = FALSE;
  GOptionEntry entries[] = {
    {"url", 0, 0, G_OPTION_ARG_STRING, &url, "webrtcsink URL (or its /whep)",
        "URL"},
    {"viewers", 'n', 0, G_OPTION_ARG_INT, &n, "Number of viewers", "N"},
    {"audio", 0, 0, G_OPTION_ARG_NONE, &audio, "Offer audio as well", NULL},
    {"timeout", 0, 0, G_OPTION_ARG_DOUBLE, &timeout,
        "Seconds to wait for all to connect", "S"},
    {"hold", 0, 0, G_OPTION_ARG_DOUBLE, &hold,
        "Window of S seconds after ready (else: stdin commands)", "S"},
    {"parallel", 0, 0, G_OPTION_ARG_INT, &parallel,
        "WHEP offers in flight at most (default 8)", "N"},
    {"check", 0, 0, G_OPTION_ARG_NONE, &check,
        "Fail unless every viewer connected and received packets", NULL},
    {"datachannel", 0, 0, G_OPTION_ARG_NONE, &datachannel,
        "Offer a data channel section and open a channel", NULL},
    {NULL}
  };
  GOptionContext *ctx;
  GError *err = NULL;
  GUri *base;
  gchar *path;
  guint i;

  ctx = g_option_context_new ("- N WHEP viewers that count RTP packets");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("%s\n", err->message);
    return 2;
  }
  g_option_context_free (ctx);
  if (!url || n < 1) {
    g_printerr ("usage: %s --url URL [--viewers N]\n", argv[0]);
    return 2;
  }
  base = g_uri_parse (url, G_URI_FLAGS_NONE, &err);
  if (!base) {
    g_printerr ("bad URL: %s\n", err->message);
    return 2;
  }
  path = g_str_has_suffix (g_uri_get_path (base), "/whep") ?
      g_strdup (g_uri_get_path (base)) : g_build_path ("/", "/",
      g_uri_get_path (base), "whep", NULL);
  app.whep = g_uri_build (G_URI_FLAGS_NONE, g_uri_get_scheme (base), NULL,
      g_uri_get_host (base), g_uri_get_port (base), path, NULL, NULL);
  g_free (path);
  g_uri_unref (base);

  app.loop = g_main_loop_new (NULL, FALSE);
  app.session = soup_session_new_with_options ("max-conns", 256,
      "max-conns-per-host", 256, "timeout", 30, NULL);
  app.n = n;
  app.audio = audio;
  app.hold = hold;
  app.check = check;
  app.datachannel = datachannel;
  app.parallel = MAX (parallel, 1);
  app.window_ok = TRUE;
  app.viewers = g_new0 (Viewer, n);
  app.deadline = g_get_monotonic_time () + (gint64) (timeout * G_USEC_PER_SEC);
  for (i = 0; i < app.n; i++) {
    app.viewers[i].index = i;
    g_mutex_init (&app.viewers[i].lock);
  }
  start_more ();
  g_timeout_add (2, poll_ready, NULL);
  g_main_loop_run (app.loop);

  for (i = 0; i < app.n; i++) {
    Viewer *v = &app.viewers[i];
    if (v->peer) {
      gst_wrtc_peer_set_receive_func (v->peer, NULL, NULL);
      g_signal_handlers_disconnect_by_func (v->peer, on_state_changed, v);
      gst_wrtc_peer_close (v->peer);
      g_object_unref (v->peer);
    }
    g_free (v->location);
    g_mutex_clear (&v->lock);
  }
  g_print ("bye\n");
  g_free (app.viewers);
  g_uri_unref (app.whep);
  g_object_unref (app.session);
  g_main_loop_unref (app.loop);
  g_free (url);
  if (check && (!app.ready_printed || !app.window_ok))
    return 1;
  return 0;
}
