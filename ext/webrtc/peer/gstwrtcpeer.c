/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the peer connection core.
 *
 * Stacked as libdatachannel stacks its transports: the ICE transport
 * carries every datagram; the peer's own GstWrtcDtlsSrtpTransport
 * demultiplexes them (RFC 7983), runs the DTLS handshake, keys SRTP
 * (RFC 5764) and passes DTLS application data up (to SCTP, RFC 8261); the
 * RTP senders and JSEP sit on top.  The peer never reaches around the
 * transport to its DTLS connection or SRTP contexts.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcpeer.h"
#include "gstwrtcpeer-private.h"

#include <string.h>
#include <gst/gst.h>

#include "gstwrtcdtlssrtptransport.h"
#include "gstwrtcfsm.h"
#include "gstwrtccandidate.h"
#include "gstwrtcicecontext.h"
#include "gstwrtcicetransport.h"
#include "gstwrtcsctpchannels.h"

GST_DEBUG_CATEGORY_STATIC (wrtc_peer_debug);
#define GST_CAT_DEFAULT wrtc_peer_debug

/* RFC 3550 section 6.2: about one report a second at our rates */
#define REPORT_INTERVAL_MS 1000
/* the largest datagram we build: an MTU-sized RTP packet grown by the
 * per-viewer extensions and the SRTP trailer */
#define MAX_PACKET 1500

enum
{
  SIGNAL_STATE_CHANGED,
  SIGNAL_KEYFRAME_REQUEST,
  SIGNAL_CHANNELS_READY,
  LAST_SIGNAL
};
static guint signals[LAST_SIGNAL];

typedef struct
{
  GstWrtcRtpStream *stream;     /* the one sent (once negotiated, with
                                 * @streams: the chosen codec's) */
  GstWrtcRtpStream **streams;   /* NULL, or one per codec */
  guint32 *ssrcs, *rtx_ssrcs;   /* with @streams: theirs */
  GstWrtcRtpSender *sender;     /* once negotiated */
  gint codec;                   /* the codec sent, or -1 */
  GstWrtcLocalTrack local;      /* for the answer */
  gchar *stream_id, *track_id;
  GstWrtcCodecCap *codecs;      /* a deep copy */
  guint n_codecs;
} Track;

typedef enum
{
  ROLE_NONE,
  ROLE_ANSWERER,
  ROLE_OFFERER,
} Role;

/* A function the application sets (receive, data).  Calls in progress are
 * counted by generation: replacing the function waits for the calls of the
 * functions it replaced, never for calls of the new one. */
typedef struct
{
  gpointer func, data;
  guint gen;
  guint calls;                  /* of the current function */
  guint old_calls;              /* of the functions replaced since */
} AppFunc;

/* The callbacks of peers running on this thread, innermost first, so that
 * close_and_wait() called from inside one does not wait for itself. */
typedef struct _Frame
{
  GstWrtcPeer *peer;
  struct _Frame *up;
} Frame;

static GPrivate current_frame;

struct _GstWrtcPeer
{
  GObject parent;

  GMutex lock;
  GCond cond;                   /* @running went down, the close finished */
  /* immutable after new() */
  gchar **local_addresses;
  gchar *stun_server;
  gchar **turn_servers;
  gboolean relay_only;
  gboolean datachannel;
  guint sctp_port;
  guint64 max_message_size;
  GstWrtcDtlsCertificate *cert;
  gchar *cname;
  gboolean twcc;
  guint64 session_id;
  /* immutable pointer (own lock): DTLS, SRTP, the RFC 7983 demux and the
   * wire counters */
  GstWrtcDtlsSrtpTransport *transport;
  gulong transport_state_handler;

  /* lock */
  Role role;
  GstWrtcPeerState state;
  GstWrtcIceTransport *ice;
  gboolean transport_ready;     /* DTLS role and fingerprint set */
  gboolean dtls_attached;       /* handshake started (ICE connected) */
  GArray *tracks;               /* Track */
  GstWrtcSessionDesc *offer;    /* answerer: the remote offer */
  GstWrtcOfferMedia *offer_media;       /* offerer: what we offered */
  guint n_offer_media;
  GstWrtcAnswer *neg;
  GPtrArray *local_candidates;
  GstWrtcPeerSdpFunc sdp_func;
  gpointer sdp_data;
  GstWrtcCodecCap *recv;
  guint n_recv;
  guint16 twcc_seq;
  GSource *report_timer;
  AppFunc receive;              /* GstWrtcPeerReceiveFunc */
  AppFunc data;                 /* GstWrtcPeerDataFunc */
  /* the SCTP association (RFC 8261) and its channel table, once a data
   * channel was negotiated; started once DTLS is connected */
  GstWrtcSctpAssociation *sctp;
  GstWrtcSctpChannels *channels;
  gboolean sctp_started;
  /* close(): begun, by which thread (while it runs), finished; once it
   * finished no callback starts any more */
  gboolean close_called, close_done;
  GThread *closing_thread;
  guint running;                /* our callbacks and signals in progress */
};

G_DEFINE_TYPE_WITH_CODE (GstWrtcPeer, gst_wrtc_peer, G_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (wrtc_peer_debug, "wrtcpeer", 0,
        "peer connection"));

GType
gst_wrtc_ice_transport_policy_get_type (void)
{
  static GType type = 0;

  if (g_once_init_enter (&type)) {
    static const GEnumValue values[] = {
      {GST_WRTC_ICE_TRANSPORT_POLICY_ALL, "Every candidate (host, reflexive, "
            "relayed)", "all"},
      {GST_WRTC_ICE_TRANSPORT_POLICY_RELAY, "Relayed candidates only (TURN): "
            "the peer never learns our addresses", "relay"},
      {0, NULL, NULL}
    };
    GType t = g_enum_register_static ("GstWrtcIceTransportPolicy", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

/* ------------------------------------------------------------------------
 * State machine (W3C RTCPeerConnectionState, without "disconnected": our
 * ICE layer goes straight to failed when consent is lost).  Legal edges:
 *   new        -> connecting   ICE checks started
 *   new        -> failed       negotiation could not set up a transport
 *   new        -> closed       close() before anything happened
 *   connecting -> connected    ICE connected and DTLS keyed SRTP
 *   connecting -> failed       ICE or DTLS failed
 *   connecting -> closed       close()
 *   connected  -> failed       consent lost, DTLS alert
 *   connected  -> closed       close(), or the peer's close_notify
 *   failed     -> closed       close() after a failure
 * closed is final.
 */
#define TO(s) GST_WRTC_FSM_TO (GST_WRTC_PEER_STATE_ ## s)

static const gchar *const state_names[] = {
  "new", "connecting", "connected", "failed", "closed"
};

static const guint32 state_edges[] = {
  /* new */ TO (CONNECTING) | TO (FAILED) | TO (CLOSED),
  /* connecting */ TO (CONNECTED) | TO (FAILED) | TO (CLOSED),
  /* connected */ TO (FAILED) | TO (CLOSED),
  /* failed */ TO (CLOSED),
  /* closed */ 0,
};

static const GstWrtcFsm peer_fsm = {
  "peer", &wrtc_peer_debug, G_N_ELEMENTS (state_names), state_names,
  state_edges
};

const GstWrtcFsm *
gst_wrtc_peer_state_machine (void)
{
  return &peer_fsm;
}

const gchar *
gst_wrtc_peer_state_name (GstWrtcPeerState s)
{
  return gst_wrtc_fsm_state_name (&peer_fsm, s);
}

/* ------------------------------------------------------------------------
 * Calling out: the application's functions and our signals, counted while
 * they run so that the setters and close_and_wait() can wait for them.
 */
static void
frame_push (Frame * f, GstWrtcPeer * self)
{
  f->peer = self;
  f->up = g_private_get (&current_frame);
  g_private_set (&current_frame, f);
}

static void
frame_pop (Frame * f)
{
  g_private_set (&current_frame, f->up);
}

/* How many of @self's callbacks this thread is inside of. */
static guint
own_frames (GstWrtcPeer * self)
{
  Frame *f;
  guint n = 0;

  for (f = g_private_get (&current_frame); f; f = f->up)
    if (f->peer == self)
      n++;
  return n;
}

/* With the lock: TRUE with the function to call, counted as running
 * (app_func_end_locked() afterwards); FALSE when there is none, or once
 * closed. */
static gboolean
app_func_begin_locked (GstWrtcPeer * self, AppFunc * f, gpointer * func,
    gpointer * data, guint * gen)
{
  if (self->close_done || !f->func)
    return FALSE;
  *func = f->func;
  *data = f->data;
  *gen = f->gen;
  f->calls++;
  self->running++;
  return TRUE;
}

static void
app_func_end_locked (GstWrtcPeer * self, AppFunc * f, guint gen)
{
  if (gen == f->gen)
    f->calls--;
  else
    f->old_calls--;
  self->running--;
  g_cond_broadcast (&self->cond);
}

/* Replaces the function; returns once no call of the replaced ones runs.
 * They run on the ICE thread alone: there, a call in progress is up this
 * very stack and is not waited for. */
static void
app_func_set (GstWrtcPeer * self, AppFunc * f, gpointer func, gpointer data)
{
  gboolean wait = !gst_wrtc_ice_context_is_ice_thread ();

  g_mutex_lock (&self->lock);
  f->old_calls += f->calls;
  f->calls = 0;
  f->gen++;
  f->func = func;
  f->data = data;
  while (wait && f->old_calls > 0)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

/* A signal emission, counted as running; none starts once closed. */
static gboolean
emit_begin (GstWrtcPeer * self, Frame * frame)
{
  g_mutex_lock (&self->lock);
  if (self->close_done) {
    g_mutex_unlock (&self->lock);
    return FALSE;
  }
  self->running++;
  g_mutex_unlock (&self->lock);
  frame_push (frame, self);
  return TRUE;
}

static void
emit_end (GstWrtcPeer * self, Frame * frame)
{
  frame_pop (frame);
  g_mutex_lock (&self->lock);
  self->running--;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static void
emit_keyframe_request (GstWrtcPeer * self, guint track)
{
  Frame frame;

  if (!emit_begin (self, &frame))
    return;
  g_signal_emit (self, signals[SIGNAL_KEYFRAME_REQUEST], 0, track);
  emit_end (self, &frame);
}

/* With the lock: the one state setter.  TRUE when the state changed; the
 * caller emits state-changed after unlocking. */
static gboolean
set_state_locked (GstWrtcPeer * self, GstWrtcPeerState to)
{
  if (!gst_wrtc_fsm_transition (&peer_fsm, self, NULL, self->state, to))
    return FALSE;
  self->state = to;
  return TRUE;
}

#define FROM(s) GST_WRTC_FSM_TO (GST_WRTC_PEER_STATE_ ## s)
#define FROM_ANY_BUT_CLOSED (FROM (NEW) | FROM (CONNECTING) | \
    FROM (CONNECTED) | FROM (FAILED))

/* Moves to @to when the state is one of @from (FROM() bits): events that
 * may come late (a DTLS failure after close(), ICE completing once
 * connected) are tried only where they mean something, so that an illegal
 * edge logged by the state machine is a bug.  TRUE when it moved. */
static gboolean
move_to (GstWrtcPeer * self, GstWrtcPeerState to, guint32 from)
{
  gboolean moved = FALSE;
  Frame frame;

  g_mutex_lock (&self->lock);
  if (from & GST_WRTC_FSM_TO (self->state))
    moved = set_state_locked (self, to);
  g_mutex_unlock (&self->lock);
  if (moved && emit_begin (self, &frame)) {
    g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, to);
    emit_end (self, &frame);
  }
  return moved;
}

/* Negotiation or the transport failed (unless already closed). */
static void
fail (GstWrtcPeer * self)
{
  move_to (self, GST_WRTC_PEER_STATE_FAILED, FROM (NEW) | FROM (CONNECTING) |
      FROM (CONNECTED));
}

gboolean
gst_wrtc_peer_try_state (GstWrtcPeer * self, GstWrtcPeerState to)
{
  return move_to (self, to, G_MAXUINT32);
}

/* ------------------------------------------------------------------------
 * Sending: every datagram goes out on the ICE transport; the DTLS-SRTP
 * transport counts them.
 */
static void
send_datagram (GstWrtcPeer * self, const guint8 * data, gsize len)
{
  GstWrtcIceTransport *ice;
  GError *err = NULL;

  g_mutex_lock (&self->lock);
  ice = self->ice ? g_object_ref (self->ice) : NULL;
  g_mutex_unlock (&self->lock);
  if (!ice)
    return;
  if (!gst_wrtc_ice_transport_send (ice, data, len, &err)) {
    GST_LOG_OBJECT (self, "not sent: %s", err->message);
    g_clear_error (&err);
  }
  g_object_unref (ice);
}

/* DTLS records (the handshake, alerts, application data) */
static void
transport_send_cb (GObject * owner, const guint8 * data, gsize len)
{
  send_datagram (GST_WRTC_PEER (owner), data, len);
}

/* RTP or RTCP of ours in @buf (@max bytes), protected in place */
static void
protect_and_send (GstWrtcPeer * self, gboolean rtcp, guint8 * buf, gsize len,
    gsize max)
{
  if (gst_wrtc_dtls_srtp_transport_protect (self->transport, rtcp, buf, &len,
          max) == GST_WRTC_SRTP_OK)
    send_datagram (self, buf, len);
}

void
gst_wrtc_peer_send_rtp (GstWrtcPeer * self, guint track, const guint8 * pkt,
    gsize len)
{
  guint8 buf[MAX_PACKET + GST_WRTC_RTP_MAX_GROWTH + GST_WRTC_SRTP_MAX_TRAILER];
  Track *t;
  gsize n = 0;

  if (len > MAX_PACKET)
    return;
  g_mutex_lock (&self->lock);
  if (self->state == GST_WRTC_PEER_STATE_CONNECTED && track < self->tracks->len) {
    t = &g_array_index (self->tracks, Track, track);
    if (t->sender)
      n = gst_wrtc_rtp_sender_prepare (t->sender, pkt, len, &self->twcc_seq,
          buf, sizeof (buf) - GST_WRTC_SRTP_MAX_TRAILER);
  }
  g_mutex_unlock (&self->lock);
  if (n)
    protect_and_send (self, FALSE, buf, n, sizeof (buf));
}

gboolean
gst_wrtc_peer_send_rtcp (GstWrtcPeer * self, const guint8 * data, gsize len,
    GError ** error)
{
  guint8 buf[MAX_PACKET + GST_WRTC_SRTP_MAX_TRAILER];

  if (len > MAX_PACKET || gst_wrtc_peer_get_state (self) !=
      GST_WRTC_PEER_STATE_CONNECTED) {
    g_set_error (error, GST_WRTC_DTLS_ERROR, GST_WRTC_DTLS_ERROR_CLOSED,
        "cannot send RTCP: the peer is %s",
        gst_wrtc_peer_state_name (gst_wrtc_peer_get_state (self)));
    return FALSE;
  }
  memcpy (buf, data, len);
  protect_and_send (self, TRUE, buf, len, sizeof (buf));
  return TRUE;
}

gboolean
gst_wrtc_peer_send_data (GstWrtcPeer * self, const guint8 * data, gsize len,
    GError ** error)
{
  GstWrtcPeerState s;

  g_return_val_if_fail (GST_WRTC_IS_PEER (self), FALSE);

  s = gst_wrtc_peer_get_state (self);
  if (s != GST_WRTC_PEER_STATE_CONNECTED) {
    g_set_error (error, GST_WRTC_DTLS_ERROR, GST_WRTC_DTLS_ERROR_CLOSED,
        "cannot send data: the peer is %s", gst_wrtc_peer_state_name (s));
    return FALSE;
  }
  /* one DTLS application data record (RFC 8261 section 5) */
  return gst_wrtc_dtls_srtp_transport_send_data (self->transport, data, len,
      error);
}

/* RFC 3550 section 6.4.1: a sender report per track we send */
static gboolean
on_report_timer (gpointer user_data)
{
  GstWrtcPeer *self = g_weak_ref_get (user_data);
  guint8 buf[256 + GST_WRTC_SRTP_MAX_TRAILER];
  GPtrArray *reports;
  guint i;

  if (!self)
    return G_SOURCE_REMOVE;
  reports = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_mutex_lock (&self->lock);
  if (self->state == GST_WRTC_PEER_STATE_CONNECTED) {
    /* NTP: seconds since 1900 as 32.32 fixed point */
    gint64 real = g_get_real_time (), mono = g_get_monotonic_time ();
    guint64 ntp = ((guint64) (real / G_USEC_PER_SEC + 2208988800u) << 32) |
        (((guint64) (real % G_USEC_PER_SEC) << 32) / G_USEC_PER_SEC);
    for (i = 0; i < self->tracks->len; i++) {
      Track *t = &g_array_index (self->tracks, Track, i);
      guint32 rtp_ts;
      gsize n;
      if (!t->sender || !gst_wrtc_rtp_stream_rtp_time_at (t->stream, mono,
              &rtp_ts))
        continue;
      n = gst_wrtc_rtp_sender_write_report (t->sender, ntp, rtp_ts, buf,
          sizeof (buf) - GST_WRTC_SRTP_MAX_TRAILER);
      if (n)
        g_ptr_array_add (reports, g_bytes_new (buf, n));
    }
  }
  g_mutex_unlock (&self->lock);
  for (i = 0; i < reports->len; i++) {
    gsize n;
    const guint8 *d = g_bytes_get_data (reports->pdata[i], &n);
    memcpy (buf, d, n);
    protect_and_send (self, TRUE, buf, n, sizeof (buf));
  }
  g_ptr_array_unref (reports);
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static void
weak_ref_closure_free (gpointer data, GClosure * closure)
{
  weak_ref_free (data);
}

/* ------------------------------------------------------------------------
 * Receiving (on the ICE thread)
 */
static gint
media_for_pt (GstWrtcPeer * self, guint8 pt)
{
  guint i;

  if (!self->neg)
    return -1;
  for (i = 0; i < self->neg->media->len; i++) {
    GstWrtcNegotiatedMedia *n = g_ptr_array_index (self->neg->media, i);
    /* a data channel section has no payload types */
    if (!n->rejected && !n->datachannel && (n->codec.pt == pt
            || n->codec.rtx_pt == pt))
      return i;
  }
  return -1;
}

static void
handle_rtcp (GstWrtcPeer * self, const guint8 * data, gsize len)
{
  GPtrArray *retransmits =
      g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  GArray *keyframes = g_array_new (FALSE, FALSE, sizeof (guint));
  GstWrtcRtcpIter it;
  GstWrtcRtcpPacket p;
  guint i;

  g_mutex_lock (&self->lock);
  gst_wrtc_rtcp_iter_init (&it, data, len);
  while (gst_wrtc_rtcp_iter_next (&it, &p)) {
    for (i = 0; i < self->tracks->len; i++) {
      Track *t = &g_array_index (self->tracks, Track, i);
      gboolean keyframe = FALSE;
      if (!t->sender)
        continue;
      gst_wrtc_rtp_sender_handle_rtcp (t->sender, &p, &self->twcc_seq,
          retransmits, &keyframe);
      if (keyframe)
        g_array_append_val (keyframes, i);
    }
  }
  g_mutex_unlock (&self->lock);

  for (i = 0; i < retransmits->len; i++) {
    guint8 buf[MAX_PACKET + GST_WRTC_RTP_MAX_GROWTH +
        GST_WRTC_SRTP_MAX_TRAILER];
    gsize n;
    const guint8 *d = g_bytes_get_data (retransmits->pdata[i], &n);
    if (n > MAX_PACKET + GST_WRTC_RTP_MAX_GROWTH)
      continue;
    memcpy (buf, d, n);
    protect_and_send (self, FALSE, buf, n, sizeof (buf));
  }
  for (i = 0; i < keyframes->len; i++)
    emit_keyframe_request (self, g_array_index (keyframes, guint, i));
  g_ptr_array_unref (retransmits);
  g_array_unref (keyframes);
}

static void
ice_receive_cb (const guint8 * data, gsize len, GObject * owner)
{
  GstWrtcPeer *self = GST_WRTC_PEER (owner);
  GstWrtcPeerReceiveFunc func;
  GstWrtcPacketKind kind;
  GstWrtcSrtpResult res;
  gpointer func_data;
  guint8 buf[65536];
  gsize n = len;
  gint media = -1;
  gboolean rtcp;
  guint gen;
  Frame frame;

  if (len > sizeof (buf))
    return;
  /* RFC 7983: DTLS goes to the association (its application data comes
   * back through transport_data_cb), SRTP and SRTCP are unprotected in
   * place */
  memcpy (buf, data, len);
  kind = gst_wrtc_dtls_srtp_transport_receive (self->transport, buf, &n, &res);
  if ((kind != GST_WRTC_PACKET_RTP && kind != GST_WRTC_PACKET_RTCP)
      || res != GST_WRTC_SRTP_OK)
    return;
  rtcp = kind == GST_WRTC_PACKET_RTCP;
  if (rtcp)
    handle_rtcp (self, buf, n);

  g_mutex_lock (&self->lock);
  if (!app_func_begin_locked (self, &self->receive, (gpointer *) & func,
          &func_data, &gen)) {
    g_mutex_unlock (&self->lock);
    return;
  }
  if (!rtcp)
    media = media_for_pt (self, buf[1] & 0x7f);
  g_mutex_unlock (&self->lock);

  frame_push (&frame, self);
  func (self, media, rtcp, buf, n, func_data);
  frame_pop (&frame);

  g_mutex_lock (&self->lock);
  app_func_end_locked (self, &self->receive, gen);
  g_mutex_unlock (&self->lock);
}

/* DTLS application data (ICE thread, from the transport) */
static void
transport_data_cb (GObject * owner, const guint8 * data, gsize len)
{
  GstWrtcPeer *self = GST_WRTC_PEER (owner);
  GstWrtcPeerDataFunc func;
  GstWrtcSctpAssociation *sctp;
  GError *err = NULL;
  gpointer func_data;
  guint gen;
  Frame frame;

  /* RFC 8261 section 4: with a data channel negotiated, every record is
   * an SCTP packet of our association; its callbacks (the channel
   * table's) run here, counted as ours for close_and_wait() */
  g_mutex_lock (&self->lock);
  sctp = self->sctp_started ? g_object_ref (self->sctp) : NULL;
  g_mutex_unlock (&self->lock);
  if (sctp) {
    if (emit_begin (self, &frame)) {
      if (!gst_wrtc_sctp_association_process (sctp, data, len, &err)) {
        GST_DEBUG_OBJECT (self, "SCTP packet dropped: %s", err->message);
        g_clear_error (&err);
      }
      emit_end (self, &frame);
    }
    g_object_unref (sctp);
    return;
  }

  g_mutex_lock (&self->lock);
  if (!app_func_begin_locked (self, &self->data, (gpointer *) & func,
          &func_data, &gen)) {
    g_mutex_unlock (&self->lock);
    GST_LOG_OBJECT (self, "no data function, %" G_GSIZE_FORMAT " bytes of "
        "DTLS application data dropped", len);
    return;
  }
  g_mutex_unlock (&self->lock);

  frame_push (&frame, self);
  func (self, data, len, func_data);
  frame_pop (&frame);

  g_mutex_lock (&self->lock);
  app_func_end_locked (self, &self->data, gen);
  g_mutex_unlock (&self->lock);
}

/* ------------------------------------------------------------------------
 * DTLS and ICE events
 */

static void start_sctp (GstWrtcPeer * self);

/* Whether the session has an accepted RTP m-section, which needs SRTP
 * keys.  A data-only session (only the data channel section, RFC 8841)
 * runs without: SCTP goes in DTLS records (RFC 8261), and a peer may offer
 * or accept no SRTP profile at all (no use_srtp, RFC 5764 section 4.1.1). */
static gboolean
needs_srtp (GstWrtcPeer * self)
{
  gboolean needs = FALSE;
  guint i;

  g_mutex_lock (&self->lock);
  for (i = 0; self->neg && i < self->neg->media->len && !needs; i++) {
    GstWrtcNegotiatedMedia *n = g_ptr_array_index (self->neg->media, i);
    needs = !n->rejected && !n->datachannel;
  }
  g_mutex_unlock (&self->lock);
  return needs;
}

/* The transport's state (ICE thread while the handshake runs, the DTLS
 * timer thread when it times out, close()'s thread for our close_notify).
 * Held through a weak reference: the timer thread may still be here while
 * the last reference goes. */
static void
transport_state_cb (GstWrtcDtlsSrtpTransport * t,
    GstWrtcDtlsConnectionState s, GWeakRef * ref)
{
  GstWrtcPeer *self = g_weak_ref_get (ref);
  GError *err = NULL;
  guint i, n_tracks;

  if (!self)
    return;
  switch (s) {
    case GST_WRTC_DTLS_CONNECTION_STATE_CONNECTED:
      /* the transport installed the keys (RFC 5764 section 4.2) before
       * telling us; without SRTP media has nothing to carry, data
       * channels do not need it */
      if (!gst_wrtc_dtls_srtp_transport_has_keys (t)) {
        if (needs_srtp (self)) {
          GST_WARNING_OBJECT (self, "DTLS connected without SRTP keys");
          fail (self);
          break;
        }
        GST_INFO_OBJECT (self, "DTLS connected without SRTP (data only)");
      }
      if (!move_to (self, GST_WRTC_PEER_STATE_CONNECTED, FROM (CONNECTING)))
        break;
      start_sctp (self);
      /* a new viewer wants a keyframe at once */
      g_mutex_lock (&self->lock);
      n_tracks = self->tracks->len;
      g_mutex_unlock (&self->lock);
      for (i = 0; i < n_tracks; i++)
        emit_keyframe_request (self, i);
      break;
    case GST_WRTC_DTLS_CONNECTION_STATE_FAILED:
      err = gst_wrtc_dtls_srtp_transport_get_error (t);
      GST_WARNING_OBJECT (self, "DTLS failed: %s",
          err ? err->message : "unknown");
      g_clear_error (&err);
      fail (self);
      break;
    case GST_WRTC_DTLS_CONNECTION_STATE_CLOSED:
      /* our close(), or the remote's close_notify */
      move_to (self, GST_WRTC_PEER_STATE_CLOSED, FROM_ANY_BUT_CLOSED);
      break;
    default:
      break;
  }
  g_object_unref (self);
}

/* One SCTP packet of our association out, as one DTLS application data
 * record (RFC 8261 section 4); dropped once the peer is no longer
 * connected. */
static void
sctp_send_cb (const guint8 * data, gsize len, GObject * owner)
{
  GError *err = NULL;

  if (!gst_wrtc_peer_send_data (GST_WRTC_PEER (owner), data, len, &err)) {
    GST_LOG_OBJECT (owner, "SCTP packet not sent: %s", err->message);
    g_clear_error (&err);
  }
}

/* With the lock, once negotiated: the association of the accepted data
 * channel section, not started yet.  RFC 8832 section 6: the DTLS client
 * takes even stream ids, the server odd ones. */
static void
setup_sctp_locked (GstWrtcPeer * self)
{
  GstWrtcNegotiatedMedia *n;

  if (self->neg->datachannel < 0 || self->sctp)
    return;
  n = g_ptr_array_index (self->neg->media, self->neg->datachannel);
  self->sctp = gst_wrtc_sctp_association_new (n->local_sctp_port,
      n->remote_sctp_port ? n->remote_sctp_port : GST_WRTC_SCTP_DEFAULT_PORT,
      self->neg->dtls_client);
  /* RFC 8841 section 6: what we advertised, what the remote did (0: any) */
  gst_wrtc_sctp_association_set_local_max_message_size (self->sctp,
      n->local_max_message_size);
  gst_wrtc_sctp_association_set_remote_max_message_size (self->sctp,
      n->remote_max_message_size);
  gst_wrtc_sctp_association_set_send_func (self->sctp, sctp_send_cb,
      G_OBJECT (self));
  self->channels = gst_wrtc_sctp_channels_new (self->sctp);
}

static gboolean
is_loopback (const gchar * address)
{
  GInetAddress *a = address ? g_inet_address_new_from_string (address) : NULL;
  gboolean loopback = a && g_inet_address_get_is_loopback (a);

  g_clear_object (&a);
  return loopback;
}

/* The SCTP packet size of @sctp, before it starts.  RFC 8261 section 5:
 * packets that need no IP fragmentation, so the default fits any path;
 * only when the remote is one of our stacks (a=x-wrtc-max-sctp-packet)
 * and the selected pair is loopback both ways (no fragmentation, and no
 * other host's stack) are they as large as one DTLS record, where each
 * costs the same whatever its size (docs/plugins/sctpdatachannel.md,
 * "Performance").  Not with the lock: the ICE transport's is taken. */
static void
choose_sctp_mtu (GstWrtcPeer * self, GstWrtcSctpAssociation * sctp)
{
  GstWrtcNegotiatedMedia *n;
  GstWrtcIceCandidatePair pair;
  GstWrtcIceTransport *ice = NULL;
  guint remote_max = 0;

  g_mutex_lock (&self->lock);
  if (self->neg && self->neg->datachannel >= 0 && self->ice) {
    n = g_ptr_array_index (self->neg->media, self->neg->datachannel);
    remote_max = n->remote_max_sctp_packet;
    ice = g_object_ref (self->ice);
  }
  g_mutex_unlock (&self->lock);
  if (remote_max && gst_wrtc_ice_transport_get_selected_pair (ice, &pair)) {
    if (is_loopback (pair.local.address) && is_loopback (pair.remote.address)) {
      guint mtu = MIN (remote_max, GST_WRTC_SCTP_MAX_MTU);
      GST_INFO_OBJECT (self, "loopback to one of ours: SCTP packets of up "
          "to %u bytes", mtu);
      gst_wrtc_sctp_association_set_mtu (sctp, mtu);
    }
    gst_wrtc_ice_candidate_pair_clear (&pair);
  }
  g_clear_object (&ice);
}

/* DTLS is connected (the ICE thread): start the association.  Not
 * before: an INIT sent before DTLS carries it is lost and costs an RTO.
 * RFC 8261 section 5: both sides send INIT. */
static void
start_sctp (GstWrtcPeer * self)
{
  GstWrtcSctpChannels *channels = NULL;
  GstWrtcSctpAssociation *sctp = NULL;
  GError *err = NULL;
  gboolean start;
  Frame frame;

  g_mutex_lock (&self->lock);
  if (self->sctp && !self->sctp_started && !self->close_called) {
    sctp = g_object_ref (self->sctp);
    channels = g_object_ref (self->channels);
  }
  g_mutex_unlock (&self->lock);
  if (!sctp)
    return;
  choose_sctp_mtu (self, sctp);

  /* the layer above installs its channel functions before any message
   * of the remote can arrive */
  if (emit_begin (self, &frame)) {
    g_signal_emit (self, signals[SIGNAL_CHANNELS_READY], 0, channels);
    emit_end (self, &frame);
  }
  g_mutex_lock (&self->lock);
  start = self->sctp_started = !self->close_called;
  g_mutex_unlock (&self->lock);
  if (start && !gst_wrtc_sctp_association_start (sctp, &err)) {
    GST_WARNING_OBJECT (self, "SCTP did not start: %s", err->message);
    g_clear_error (&err);
  }
  g_object_unref (channels);
  g_object_unref (sctp);
}

/* ICE is connected: attach to the DTLS-SRTP transport, which starts the
 * handshake in the role the SDP exchange chose. */
static void
start_dtls (GstWrtcPeer * self)
{
  gboolean start, closed;

  g_mutex_lock (&self->lock);
  start = self->transport_ready && !self->dtls_attached && !self->close_called;
  if (start)
    self->dtls_attached = TRUE;
  g_mutex_unlock (&self->lock);
  if (!start)
    return;

  gst_wrtc_dtls_srtp_transport_attach_receiver (self->transport,
      G_OBJECT (self), transport_data_cb);
  gst_wrtc_dtls_srtp_transport_attach_sender (self->transport,
      G_OBJECT (self), transport_send_cb);

  /* a close() that came in between detached before we attached */
  g_mutex_lock (&self->lock);
  closed = self->close_called;
  g_mutex_unlock (&self->lock);
  if (closed)
    gst_wrtc_dtls_srtp_transport_detach_sender (self->transport);
}

static void
ice_state_cb (GstWrtcIceTransport * ice, GstWrtcIceTransportState s,
    GstWrtcPeer * self)
{
  switch (s) {
    case GST_WRTC_ICE_TRANSPORT_STATE_CHECKING:
      move_to (self, GST_WRTC_PEER_STATE_CONNECTING, FROM (NEW));
      break;
    case GST_WRTC_ICE_TRANSPORT_STATE_CONNECTED:
    case GST_WRTC_ICE_TRANSPORT_STATE_COMPLETED:
      move_to (self, GST_WRTC_PEER_STATE_CONNECTING, FROM (NEW));
      start_dtls (self);
      break;
    case GST_WRTC_ICE_TRANSPORT_STATE_FAILED:
      fail (self);
      break;
    default:
      break;
  }
}

/* ICE gives fields, our SDP takes text: JSEP writes it (RFC 8839
 * section 5.1). */
static void
ice_candidate_cb (GstWrtcIceTransport * ice,
    const GstWrtcIceCandidate * candidate, GstWrtcPeer * self)
{
  gchar *line = gst_wrtc_candidate_to_string (candidate);

  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->local_candidates, line);
  g_mutex_unlock (&self->lock);
}

/* A remote candidate attribute (from an SDP or trickled) to ICE, read by
 * JSEP.  Candidates of an unknown transport or type are ignored (RFC 8839
 * section 5.1); "" and "end-of-candidates" end the remote candidates, as
 * for W3C addIceCandidate(). */
static gboolean
add_remote_candidate_line (GstWrtcIceTransport * ice, const gchar * line,
    GError ** error)
{
  GstWrtcIceCandidate *c;
  GError *err = NULL;
  gboolean ok;

  if (gst_wrtc_candidate_is_end_of_candidates (line)) {
    gst_wrtc_ice_transport_set_remote_end_of_candidates (ice);
    return TRUE;
  }
  c = gst_wrtc_candidate_parse (line, &err);
  if (!c && g_error_matches (err, GST_WRTC_JSEP_ERROR,
          GST_WRTC_JSEP_ERROR_UNSUPPORTED)) {
    GST_INFO ("ignoring candidate: %s", err->message);
    g_error_free (err);
    return TRUE;
  }
  if (!c) {
    g_propagate_error (error, err);
    return FALSE;
  }
  ok = gst_wrtc_ice_transport_add_remote_candidate (ice, c, error);
  gst_wrtc_ice_candidate_free (c);
  return ok;
}

/* With the lock: the DTLS role and the remote fingerprint, and the
 * senders, once the SDP exchange has decided them. */
static gboolean
setup_transport_locked (GstWrtcPeer * self, GError ** error)
{
  guint i;

  gst_wrtc_dtls_srtp_transport_set_is_client (self->transport,
      self->neg->dtls_client);
  /* RFC 8827 section 6.5: the certificate must match the signalled
   * fingerprint */
  if (!gst_wrtc_dtls_srtp_transport_set_peer_fingerprint (self->transport,
          self->neg->remote_fingerprint, error))
    return FALSE;
  self->transport_ready = TRUE;
  setup_sctp_locked (self);

  for (i = 0; i < self->neg->media->len; i++) {
    GstWrtcNegotiatedMedia *n = g_ptr_array_index (self->neg->media, i);
    GstWrtcRtpSenderParams p;
    Track *t;
    if (n->rejected || n->datachannel || n->track < 0
        || (guint) n->track >= self->tracks->len
        || (n->direction != GST_WRTC_DIRECTION_SENDONLY
            && n->direction != GST_WRTC_DIRECTION_SENDRECV))
      continue;
    t = &g_array_index (self->tracks, Track, n->track);
    t->codec = n->codec_index;
    if (t->streams && n->codec_index >= 0
        && (guint) n->codec_index < t->n_codecs) {
      gst_wrtc_rtp_stream_unref (t->stream);
      t->stream = gst_wrtc_rtp_stream_ref (t->streams[n->codec_index]);
    }
    memset (&p, 0, sizeof (p));
    p.pt = n->codec.pt;
    p.rtx_pt = n->codec.rtx_pt;
    p.nack = (n->codec.rtcp_fb & GST_WRTC_RTCP_FB_NACK) != 0;
    p.mid_ext_id = n->mid_ext_id;
    p.twcc_ext_id = n->twcc_ext_id;
    p.mid = n->mid;
    p.cname = self->cname;
    t->sender = gst_wrtc_rtp_sender_new (t->stream, &p);
  }
  return TRUE;
}

static gboolean
add_remote_candidates (GstWrtcPeer * self, GstWrtcIceTransport * ice)
{
  GError *err = NULL;
  guint i;

  if (!gst_wrtc_ice_transport_set_remote_credentials (ice,
          self->neg->remote_ufrag, self->neg->remote_pwd, &err)) {
    GST_WARNING_OBJECT (self, "%s", err->message);
    g_clear_error (&err);
    return FALSE;
  }
  for (i = 0; i < self->neg->remote_candidates->len; i++) {
    if (!add_remote_candidate_line (ice,
            g_ptr_array_index (self->neg->remote_candidates, i), &err)) {
      GST_DEBUG_OBJECT (self, "remote candidate ignored: %s", err->message);
      g_clear_error (&err);
    }
  }
  if (self->neg->remote_end_of_candidates)
    gst_wrtc_ice_transport_set_remote_end_of_candidates (ice);
  return TRUE;
}

static void
fill_answer_options (GstWrtcPeer * self, GstWrtcAnswerOptions * o,
    gchar * ufrag, gchar * pwd, GstWrtcLocalTrack * locals)
{
  guint i;

  memset (o, 0, sizeof (*o));
  o->ice_ufrag = ufrag;
  o->ice_pwd = pwd;
  o->fingerprint = gst_wrtc_dtls_certificate_get_fingerprint (self->cert);
  o->session_id = self->session_id;
  o->session_version = 1;
  o->cname = self->cname;
  for (i = 0; i < self->tracks->len; i++)
    locals[i] = g_array_index (self->tracks, Track, i).local;
  o->tracks = locals;
  o->n_tracks = self->tracks->len;
  o->recv_codecs = self->recv;
  o->n_recv_codecs = self->n_recv;
  o->rtcp_fb = GST_WRTC_RTCP_FB_NACK | GST_WRTC_RTCP_FB_PLI |
      GST_WRTC_RTCP_FB_FIR;
  if (self->twcc) {
    o->rtcp_fb |= GST_WRTC_RTCP_FB_TWCC;
    o->use_twcc_extmap = TRUE;
  }
  o->candidates = (const gchar * const *) self->local_candidates->pdata;
  o->end_of_candidates = TRUE;
  o->datachannel = self->datachannel;
  o->sctp_port = self->sctp_port;
  o->max_message_size = self->max_message_size;
}

static void
fill_offer_options (GstWrtcPeer * self, GstWrtcOfferOptions * o,
    gchar * ufrag, gchar * pwd)
{
  memset (o, 0, sizeof (*o));
  o->ice_ufrag = ufrag;
  o->ice_pwd = pwd;
  o->fingerprint = gst_wrtc_dtls_certificate_get_fingerprint (self->cert);
  o->session_id = self->session_id;
  o->session_version = 1;
  o->cname = self->cname;
  o->media = self->offer_media;
  o->n_media = self->n_offer_media;
  o->rtcp_fb = GST_WRTC_RTCP_FB_NACK | GST_WRTC_RTCP_FB_PLI |
      GST_WRTC_RTCP_FB_FIR;
  if (self->twcc) {
    o->rtcp_fb |= GST_WRTC_RTCP_FB_TWCC;
    o->use_twcc_extmap = TRUE;
  }
  o->candidates = (const gchar * const *) self->local_candidates->pdata;
  o->end_of_candidates = TRUE;
  o->datachannel = self->datachannel;
  o->sctp_port = self->sctp_port;
  o->max_message_size = self->max_message_size;
}

/* Gathering is done: write our SDP with every candidate. */
static void
ice_gathering_done_cb (GstWrtcIceTransport * ice, GstWrtcPeer * self)
{
  GstWrtcPeerSdpFunc func;
  gpointer data;
  GError *err = NULL;
  gchar *sdp = NULL, *ufrag = NULL, *pwd = NULL;
  gboolean add_candidates = FALSE, failed = FALSE;

  gst_wrtc_ice_transport_get_local_credentials (ice, &ufrag, &pwd);
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->local_candidates, NULL);
  if (self->role == ROLE_ANSWERER) {
    GstWrtcAnswerOptions o;
    GstWrtcLocalTrack *locals = g_new0 (GstWrtcLocalTrack,
        self->tracks->len + 1);
    fill_answer_options (self, &o, ufrag, pwd, locals);
    self->neg = gst_wrtc_jsep_create_answer (self->offer, &o, &err);
    g_free (locals);
    if (self->neg && setup_transport_locked (self, &err)) {
      sdp = g_strdup (self->neg->sdp);
      add_candidates = TRUE;
    } else {
      failed = TRUE;
    }
  } else {
    GstWrtcOfferOptions o;
    fill_offer_options (self, &o, ufrag, pwd);
    sdp = gst_wrtc_jsep_create_offer (&o);
  }
  g_ptr_array_remove_index (self->local_candidates,
      self->local_candidates->len - 1);
  func = self->sdp_func;
  data = self->sdp_data;
  self->sdp_func = NULL;
  g_mutex_unlock (&self->lock);

  if (add_candidates)
    add_remote_candidates (self, ice);
  if (failed)
    fail (self);
  if (func)
    func (self, sdp, err, data);
  g_clear_error (&err);
  g_free (sdp);
  g_free (ufrag);
  g_free (pwd);
}

static GstWrtcIceTransport *
make_ice (GstWrtcPeer * self, gboolean controlling, GError ** error)
{
  GstWrtcIceTransport *ice = gst_wrtc_ice_transport_new (controlling);
  guint i;

  for (i = 0; self->local_addresses && self->local_addresses[i]; i++)
    if (!gst_wrtc_ice_transport_add_local_address (ice,
            self->local_addresses[i], error))
      goto fail;
  if (self->stun_server && !gst_wrtc_ice_transport_set_stun_server (ice,
          self->stun_server, error))
    goto fail;
  for (i = 0; self->turn_servers && self->turn_servers[i]; i++)
    if (!gst_wrtc_ice_transport_add_turn_server (ice, self->turn_servers[i],
            NULL, NULL, error))
      goto fail;
  if (self->relay_only)
    gst_wrtc_ice_transport_set_relay_only (ice, TRUE);
  gst_wrtc_ice_transport_set_receive_callback (ice, ice_receive_cb,
      G_OBJECT (self));
  g_signal_connect (ice, "on-local-candidate", G_CALLBACK (ice_candidate_cb),
      self);
  g_signal_connect (ice, "on-gathering-done",
      G_CALLBACK (ice_gathering_done_cb), self);
  g_signal_connect (ice, "state-changed", G_CALLBACK (ice_state_cb), self);
  return ice;

fail:
  g_object_unref (ice);
  return NULL;
}

static void
start_report_timer (GstWrtcPeer * self)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (ref, self);
  self->report_timer = g_timeout_source_new (REPORT_INTERVAL_MS);
  g_source_set_callback (self->report_timer, on_report_timer, ref,
      weak_ref_free);
  g_source_attach (self->report_timer, gst_wrtc_ice_context_get ());
}

/* Starts ICE for @role; on error, calls @func at once. */
static gboolean
begin (GstWrtcPeer * self, Role role, GstWrtcPeerSdpFunc func,
    gpointer user_data, GError ** error)
{
  GstWrtcIceTransport *ice;

  g_mutex_lock (&self->lock);
  if (self->role != ROLE_NONE) {
    g_mutex_unlock (&self->lock);
    g_set_error (error, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_INVALID,
        "this peer already negotiated; renegotiation is not supported");
    return FALSE;
  }
  self->role = role;
  self->sdp_func = func;
  self->sdp_data = user_data;
  g_mutex_unlock (&self->lock);

  /* answerer: the offerer controls (RFC 8445 section 6.1.1) */
  ice = make_ice (self, role == ROLE_OFFERER, error);
  if (!ice)
    return FALSE;
  g_mutex_lock (&self->lock);
  self->ice = ice;
  start_report_timer (self);
  g_mutex_unlock (&self->lock);
  if (!gst_wrtc_ice_transport_gather (ice, error))
    return FALSE;
  return TRUE;
}

/* ------------------------------------------------------------------------
 * Waiting for our SDP on a client's thread
 */
struct _GstWrtcPeerSdpWait
{
  GMutex lock;
  GCond cond;
  gboolean done;
  gchar *sdp;
  GError *error;
};

static void
sdp_wait_clear (GstWrtcPeerSdpWait * w)
{
  g_free (w->sdp);
  g_clear_error (&w->error);
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->cond);
}

GstWrtcPeerSdpWait *
gst_wrtc_peer_sdp_wait_new (void)
{
  GstWrtcPeerSdpWait *w = g_atomic_rc_box_new0 (GstWrtcPeerSdpWait);

  g_mutex_init (&w->lock);
  g_cond_init (&w->cond);
  return w;
}

GstWrtcPeerSdpWait *
gst_wrtc_peer_sdp_wait_ref (GstWrtcPeerSdpWait * w)
{
  return g_atomic_rc_box_acquire (w);
}

void
gst_wrtc_peer_sdp_wait_unref (GstWrtcPeerSdpWait * w)
{
  g_atomic_rc_box_release_full (w, (GDestroyNotify) sdp_wait_clear);
}

void
gst_wrtc_peer_sdp_wait_func (GstWrtcPeer * peer, const gchar * sdp,
    const GError * error, gpointer wait)
{
  GstWrtcPeerSdpWait *w = wait;

  g_mutex_lock (&w->lock);
  w->sdp = g_strdup (sdp);
  w->error = error ? g_error_copy (error) : NULL;
  w->done = TRUE;
  g_cond_signal (&w->cond);
  g_mutex_unlock (&w->lock);
  gst_wrtc_peer_sdp_wait_unref (w);
}

gchar *
gst_wrtc_peer_sdp_wait_get (GstWrtcPeerSdpWait * w,
    GCancellable * cancellable, GError ** error)
{
  gchar *sdp = NULL;

  g_mutex_lock (&w->lock);
  /* a cancellation has no way to wake the condition: look every 100 ms */
  while (!w->done && !g_cancellable_is_cancelled (cancellable))
    g_cond_wait_until (&w->cond, &w->lock,
        g_get_monotonic_time () + G_USEC_PER_SEC / 10);
  if (!w->done)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
        "cancelled while waiting for our session description");
  else if (w->sdp)
    sdp = g_strdup (w->sdp);
  else if (w->error)
    g_propagate_error (error, g_error_copy (w->error));
  else
    g_set_error_literal (error, GST_WRTC_JSEP_ERROR,
        GST_WRTC_JSEP_ERROR_INVALID, "no session description");
  g_mutex_unlock (&w->lock);
  return sdp;
}

/* With the lock: deep copies of @tracks, what we send (answerer or
 * sending offerer). */
static void
add_tracks_locked (GstWrtcPeer * self, const GstWrtcPeerTrack * tracks,
    guint n_tracks)
{
  guint i;

  for (i = 0; i < n_tracks; i++) {
    Track t = { 0, };
    guint j;
    t.codec = -1;
    t.stream_id = g_strdup (tracks[i].stream_id ? tracks[i].stream_id : "-");
    t.track_id = g_strdup_printf ("%s", tracks[i].track_id ?
        tracks[i].track_id : "track");
    t.n_codecs = tracks[i].n_codecs;
    t.codecs = g_new0 (GstWrtcCodecCap, MAX (t.n_codecs, 1));
    for (j = 0; j < t.n_codecs; j++) {
      t.codecs[j] = tracks[i].codecs[j];
      t.codecs[j].encoding = g_strdup (tracks[i].codecs[j].encoding);
      t.codecs[j].fmtp = g_strdup (tracks[i].codecs[j].fmtp);
    }
    if (tracks[i].streams && t.n_codecs) {
      t.streams = g_new0 (GstWrtcRtpStream *, t.n_codecs);
      t.ssrcs = g_new0 (guint32, t.n_codecs);
      t.rtx_ssrcs = g_new0 (guint32, t.n_codecs);
      for (j = 0; j < t.n_codecs; j++) {
        t.streams[j] = gst_wrtc_rtp_stream_ref (tracks[i].streams[j]);
        t.ssrcs[j] = gst_wrtc_rtp_stream_get_ssrc (t.streams[j]);
        t.rtx_ssrcs[j] = gst_wrtc_rtp_stream_get_rtx_ssrc (t.streams[j]);
      }
      /* until negotiated: the first (preferred) one */
      t.stream = gst_wrtc_rtp_stream_ref (t.streams[0]);
    } else {
      t.stream = gst_wrtc_rtp_stream_ref (tracks[i].stream);
    }
    t.local.kind = tracks[i].kind;
    t.local.codecs = t.codecs;
    t.local.n_codecs = t.n_codecs;
    t.local.stream_id = t.stream_id;
    t.local.track_id = t.track_id;
    t.local.ssrc = gst_wrtc_rtp_stream_get_ssrc (t.stream);
    t.local.rtx_ssrc = gst_wrtc_rtp_stream_get_rtx_ssrc (t.stream);
    t.local.ssrcs = t.ssrcs;
    t.local.rtx_ssrcs = t.rtx_ssrcs;
    g_array_append_val (self->tracks, t);
  }
}

void
gst_wrtc_peer_create_answer (GstWrtcPeer * self, const gchar * offer,
    const GstWrtcPeerTrack * tracks, guint n_tracks,
    const GstWrtcCodecCap * recv, guint n_recv, GstWrtcPeerSdpFunc func,
    gpointer user_data)
{
  GstWrtcSessionDesc *desc;
  GError *err = NULL;

  desc = gst_wrtc_session_desc_parse (offer, &err);
  if (!desc)
    goto failed;

  g_mutex_lock (&self->lock);
  self->offer = desc;
  add_tracks_locked (self, tracks, n_tracks);
  if (n_recv) {
    self->recv = g_memdup2 (recv, sizeof (GstWrtcCodecCap) * n_recv);
    self->n_recv = n_recv;
  }
  g_mutex_unlock (&self->lock);

  if (!begin (self, ROLE_ANSWERER, func, user_data, &err))
    goto failed;
  return;

  /* ERRORS */
failed:
  fail (self);
  if (func)
    func (self, NULL, err, user_data);
  g_clear_error (&err);
}

void
gst_wrtc_peer_create_offer (GstWrtcPeer * self,
    const GstWrtcOfferMedia * media, guint n_media, GstWrtcPeerSdpFunc func,
    gpointer user_data)
{
  GError *err = NULL;

  g_mutex_lock (&self->lock);
  self->offer_media = g_memdup2 (media, sizeof (GstWrtcOfferMedia) * n_media);
  self->n_offer_media = n_media;
  g_mutex_unlock (&self->lock);
  if (!begin (self, ROLE_OFFERER, func, user_data, &err)) {
    fail (self);
    if (func)
      func (self, NULL, err, user_data);
    g_clear_error (&err);
  }
}

void
gst_wrtc_peer_create_send_offer (GstWrtcPeer * self,
    const GstWrtcPeerTrack * tracks, guint n_tracks, GstWrtcPeerSdpFunc func,
    gpointer user_data)
{
  GError *err = NULL;
  guint i;

  g_mutex_lock (&self->lock);
  add_tracks_locked (self, tracks, n_tracks);
  /* one sendonly m-section per track, in track order: the negotiated
   * media's track index is its m-section's (gst_wrtc_jsep_apply_answer) */
  self->offer_media = g_new0 (GstWrtcOfferMedia, MAX (n_tracks, 1));
  self->n_offer_media = n_tracks;
  for (i = 0; i < n_tracks; i++) {
    Track *t = &g_array_index (self->tracks, Track, i);
    GstWrtcOfferMedia *m = &self->offer_media[i];
    m->kind = t->local.kind;
    m->direction = GST_WRTC_DIRECTION_SENDONLY;
    m->codecs = t->codecs;
    m->n_codecs = t->n_codecs;
    m->track = &t->local;
  }
  g_mutex_unlock (&self->lock);
  if (!begin (self, ROLE_OFFERER, func, user_data, &err)) {
    fail (self);
    if (func)
      func (self, NULL, err, user_data);
    g_clear_error (&err);
  }
}

gboolean
gst_wrtc_peer_set_answer (GstWrtcPeer * self, const gchar * answer,
    GError ** error)
{
  GstWrtcSessionDesc *desc;
  GstWrtcOfferOptions o;
  GstWrtcIceTransport *ice;
  gboolean ok;

  desc = gst_wrtc_session_desc_parse (answer, error);
  if (!desc)
    return FALSE;
  g_mutex_lock (&self->lock);
  if (self->role != ROLE_OFFERER || self->neg || !self->ice) {
    g_mutex_unlock (&self->lock);
    gst_wrtc_session_desc_free (desc);
    g_set_error (error, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_INVALID,
        "no offer of ours is waiting for an answer");
    return FALSE;
  }
  fill_offer_options (self, &o, NULL, NULL);
  self->neg = gst_wrtc_jsep_apply_answer (&o, desc, error);
  gst_wrtc_session_desc_free (desc);
  ok = self->neg && setup_transport_locked (self, error);
  ice = g_object_ref (self->ice);
  g_mutex_unlock (&self->lock);
  if (ok)
    ok = add_remote_candidates (self, ice);
  g_object_unref (ice);
  return ok;
}

gboolean
gst_wrtc_peer_add_remote_candidate (GstWrtcPeer * self,
    const gchar * candidate, GError ** error)
{
  GstWrtcIceTransport *ice;
  gboolean ok;

  g_mutex_lock (&self->lock);
  ice = self->ice ? g_object_ref (self->ice) : NULL;
  g_mutex_unlock (&self->lock);
  if (!ice) {
    g_set_error (error, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_INVALID,
        "no session description yet");
    return FALSE;
  }
  ok = add_remote_candidate_line (ice, candidate, error);
  g_object_unref (ice);
  return ok;
}

void
gst_wrtc_peer_end_of_remote_candidates (GstWrtcPeer * self)
{
  GstWrtcIceTransport *ice;

  g_mutex_lock (&self->lock);
  ice = self->ice ? g_object_ref (self->ice) : NULL;
  g_mutex_unlock (&self->lock);
  if (ice) {
    gst_wrtc_ice_transport_set_remote_end_of_candidates (ice);
    g_object_unref (ice);
  }
}

void
gst_wrtc_peer_close (GstWrtcPeer * self)
{
  GstWrtcSctpAssociation *sctp;
  GstWrtcIceTransport *ice;

  g_return_if_fail (GST_WRTC_IS_PEER (self));

  g_mutex_lock (&self->lock);
  if (self->close_called) {
    g_mutex_unlock (&self->lock);
    return;
  }
  self->close_called = TRUE;
  self->closing_thread = g_thread_self ();
  ice = self->ice ? g_object_ref (self->ice) : NULL;
  sctp = self->sctp_started ? g_object_ref (self->sctp) : NULL;
  if (self->report_timer) {
    g_source_destroy (self->report_timer);
    g_source_unref (self->report_timer);
    self->report_timer = NULL;
  }
  g_mutex_unlock (&self->lock);

  /* the association's ABORT first (RFC 4960 section 9.1, as browsers
   * close theirs), while DTLS still carries it: the remote's channels
   * close at once; ours close from here (their callbacks run on this
   * thread) */
  if (sctp) {
    gst_wrtc_sctp_association_abort (sctp);
    g_object_unref (sctp);
  }
  /* close_notify next (RFC 5246 section 7.2.1), while ICE still carries
   * it; the connection stays with the receiving half until dispose, for
   * the stats */
  gst_wrtc_dtls_srtp_transport_detach_sender (self->transport);
  /* returns once the ICE thread has let go of the transport: no receive
   * callback and no ICE signal after this.  Its TURN allocations are
   * deleted in the background (close_and_wait() waits for that). */
  if (ice) {
    gst_wrtc_ice_transport_close (ice);
    g_object_unref (ice);
  }
  move_to (self, GST_WRTC_PEER_STATE_CLOSED, FROM_ANY_BUT_CLOSED);

  g_mutex_lock (&self->lock);
  self->close_done = TRUE;
  self->closing_thread = NULL;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

gboolean
gst_wrtc_peer_close_and_wait (GstWrtcPeer * self, gint64 timeout_us)
{
  gint64 end = g_get_monotonic_time () + MAX (timeout_us, 0);
  gboolean done, on_ice_thread;
  guint own;

  g_return_val_if_fail (GST_WRTC_IS_PEER (self), FALSE);

  gst_wrtc_peer_close (self);
  on_ice_thread = gst_wrtc_ice_context_is_ice_thread ();
  own = own_frames (self);

  g_mutex_lock (&self->lock);
  /* blocking the ICE thread would keep the TURN deletes (and any receive
   * callback) from ever finishing: there, only look.  Elsewhere, wait for
   * a close() running on another thread and for our callbacks but the
   * ones this thread is inside of. */
  if (self->closing_thread == g_thread_self ()) {
    /* called from a state-changed handler of our own close() */
    g_mutex_unlock (&self->lock);
    return FALSE;
  }
  while (!on_ice_thread && (!self->close_done || self->running > own))
    if (!g_cond_wait_until (&self->cond, &self->lock, end))
      break;
  done = self->close_done && self->running <= own;
  g_mutex_unlock (&self->lock);

  if (on_ice_thread)
    return done && gst_wrtc_ice_context_closes_pending () == 0;
  /* RFC 8656 section 7: the TURN allocations deleted (every close pending
   * in the process: peers closed together wait once) */
  return gst_wrtc_ice_context_wait_closes (MAX (end -
          g_get_monotonic_time (), 0)) && done;
}

GstWrtcPeerState
gst_wrtc_peer_get_state (GstWrtcPeer * self)
{
  GstWrtcPeerState s;

  g_mutex_lock (&self->lock);
  s = self->state;
  g_mutex_unlock (&self->lock);
  return s;
}

/* W3C RTCTransportStats.srtpCipher names (the IANA SRTP profile names) */
static const gchar *
srtp_cipher_name (GstWrtcSrtpProfile p)
{
  switch (p) {
    case GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM:
      return "AEAD_AES_128_GCM";
    case GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80:
      return "AES_CM_128_HMAC_SHA1_80";
    case GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_32:
      return "AES_CM_128_HMAC_SHA1_32";
    default:
      return NULL;
  }
}

void
gst_wrtc_peer_get_transport_stats (GstWrtcPeer * self,
    GstWrtcPeerTransportStats * stats)
{
  GstWrtcDtlsSrtpTransportCounters c;
  GstWrtcIceTransport *ice;
  gboolean ready;

  g_return_if_fail (GST_WRTC_IS_PEER (self));

  memset (stats, 0, sizeof (*stats));
  g_mutex_lock (&self->lock);
  ice = self->ice ? g_object_ref (self->ice) : NULL;
  ready = self->transport_ready;
  g_mutex_unlock (&self->lock);

  /* the layers' own locks, never under ours */
  gst_wrtc_dtls_srtp_transport_get_counters (self->transport, &c);
  stats->packets_sent = c.packets_sent;
  stats->bytes_sent = c.bytes_sent;
  stats->packets_received = c.packets_received;
  stats->bytes_received = c.bytes_received;
  stats->ice_state = ice ?
      gst_wrtc_ice_transport_state_name (gst_wrtc_ice_transport_get_state
      (ice)) : "new";
  stats->dtls_state =
      gst_wrtc_dtls_connection_state_name
      (gst_wrtc_dtls_srtp_transport_get_state (self->transport));
  stats->dtls_role = !ready ? "unknown" :
      gst_wrtc_dtls_srtp_transport_get_is_client (self->transport) ?
      "client" : "server";
  stats->srtp_cipher =
      srtp_cipher_name (gst_wrtc_dtls_srtp_transport_get_profile
      (self->transport));
  if (ice)
    stats->have_pair = gst_wrtc_ice_transport_get_selected_pair (ice,
        &stats->pair);
  g_clear_object (&ice);
}

void
gst_wrtc_peer_transport_stats_clear (GstWrtcPeerTransportStats * stats)
{
  if (stats->have_pair)
    gst_wrtc_ice_candidate_pair_clear (&stats->pair);
  stats->have_pair = FALSE;
}

static GstStructure *
candidate_structure (const gchar * name, const gchar * id,
    const GstWrtcIceCandidateInfo * c)
{
  return gst_structure_new (name, "id", G_TYPE_STRING, id,
      "address", G_TYPE_STRING, c->address,
      "port", G_TYPE_UINT, c->port,
      "protocol", G_TYPE_STRING, c->protocol,
      "candidateType", G_TYPE_STRING, c->type,
      "priority", G_TYPE_UINT, c->priority, NULL);
}

void
gst_wrtc_peer_add_transport_stats (GstWrtcPeer * self, GstStructure * s)
{
  GstWrtcPeerTransportStats st;
  GstStructure *t;

  gst_wrtc_peer_get_transport_stats (self, &st);
  t = gst_structure_new ("transport", "id", G_TYPE_STRING, "T01",
      "packetsSent", G_TYPE_UINT64, st.packets_sent,
      "bytesSent", G_TYPE_UINT64, st.bytes_sent,
      "packetsReceived", G_TYPE_UINT64, st.packets_received,
      "bytesReceived", G_TYPE_UINT64, st.bytes_received,
      "iceState", G_TYPE_STRING, st.ice_state,
      "dtlsState", G_TYPE_STRING, st.dtls_state,
      "dtlsRole", G_TYPE_STRING, st.dtls_role, NULL);
  if (st.srtp_cipher)
    gst_structure_set (t, "srtpCipher", G_TYPE_STRING, st.srtp_cipher,
        "tlsVersion", G_TYPE_STRING, "DTLS 1.2", NULL);
  if (st.have_pair)
    gst_structure_set (t, "selectedCandidatePairId", G_TYPE_STRING, "CP01",
        NULL);
  gst_structure_set (s, "transport", GST_TYPE_STRUCTURE, t, NULL);
  gst_structure_free (t);
  if (st.have_pair) {
    GstStructure *pair = gst_structure_new ("candidate-pair",
        "id", G_TYPE_STRING, "CP01",
        "transportId", G_TYPE_STRING, "T01",
        "localCandidateId", G_TYPE_STRING, "CL01",
        "remoteCandidateId", G_TYPE_STRING, "CR01",
        "state", G_TYPE_STRING, "succeeded",
        "nominated", G_TYPE_BOOLEAN, TRUE, NULL);
    GstStructure *local = candidate_structure ("local-candidate", "CL01",
        &st.pair.local);
    GstStructure *remote = candidate_structure ("remote-candidate", "CR01",
        &st.pair.remote);
    gst_structure_set (s, "candidate-pair", GST_TYPE_STRUCTURE, pair,
        "local-candidate", GST_TYPE_STRUCTURE, local,
        "remote-candidate", GST_TYPE_STRUCTURE, remote, NULL);
    gst_structure_free (pair);
    gst_structure_free (local);
    gst_structure_free (remote);
  }
  gst_wrtc_peer_transport_stats_clear (&st);
}

gboolean
gst_wrtc_peer_get_track_stats (GstWrtcPeer * self, guint track,
    GstWrtcRtpSenderStats * stats, guint32 * ssrc, gchar ** encoding)
{
  GstWrtcRtpSenderStats st = { 0, };
  guint32 sent_ssrc = 0;
  gchar *enc = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (GST_WRTC_IS_PEER (self), FALSE);

  g_mutex_lock (&self->lock);
  if (track < self->tracks->len) {
    Track *t = &g_array_index (self->tracks, Track, track);
    if ((ok = t->sender != NULL)) {
      gst_wrtc_rtp_sender_get_stats (t->sender, &st);
      sent_ssrc = gst_wrtc_rtp_stream_get_ssrc (t->stream);
      if (t->codec >= 0 && (guint) t->codec < t->n_codecs)
        enc = g_strdup (t->codecs[t->codec].encoding);
    }
  }
  g_mutex_unlock (&self->lock);
  if (stats)
    *stats = st;
  if (ssrc)
    *ssrc = sent_ssrc;
  if (encoding)
    *encoding = enc;
  else
    g_free (enc);
  return ok;
}

const GstWrtcAnswer *
gst_wrtc_peer_get_negotiation (GstWrtcPeer * self)
{
  return self->neg;
}

gint
gst_wrtc_peer_get_track_codec (GstWrtcPeer * self, guint track)
{
  gint codec = -1;

  g_mutex_lock (&self->lock);
  if (track < self->tracks->len) {
    Track *t = &g_array_index (self->tracks, Track, track);
    if (t->sender)
      codec = t->codec;
  }
  g_mutex_unlock (&self->lock);
  return codec;
}

GstWrtcSctpChannels *
gst_wrtc_peer_get_channels (GstWrtcPeer * self)
{
  GstWrtcSctpChannels *channels;

  g_return_val_if_fail (GST_WRTC_IS_PEER (self), NULL);

  g_mutex_lock (&self->lock);
  channels = self->channels ? g_object_ref (self->channels) : NULL;
  g_mutex_unlock (&self->lock);
  return channels;
}

void
gst_wrtc_peer_set_receive_func (GstWrtcPeer * self,
    GstWrtcPeerReceiveFunc func, gpointer user_data)
{
  g_return_if_fail (GST_WRTC_IS_PEER (self));

  app_func_set (self, &self->receive, func, user_data);
}

void
gst_wrtc_peer_set_data_func (GstWrtcPeer * self, GstWrtcPeerDataFunc func,
    gpointer user_data)
{
  g_return_if_fail (GST_WRTC_IS_PEER (self));

  app_func_set (self, &self->data, func, user_data);
}

/* ------------------------------------------------------------------------ */

static void
track_clear (Track * t)
{
  guint i;

  gst_wrtc_rtp_sender_free (t->sender);
  gst_wrtc_rtp_stream_unref (t->stream);
  for (i = 0; t->streams && i < t->n_codecs; i++)
    gst_wrtc_rtp_stream_unref (t->streams[i]);
  g_free (t->streams);
  g_free (t->ssrcs);
  g_free (t->rtx_ssrcs);
  for (i = 0; i < t->n_codecs; i++) {
    g_free ((gchar *) t->codecs[i].encoding);
    g_free ((gchar *) t->codecs[i].fmtp);
  }
  g_free (t->codecs);
  g_free (t->stream_id);
  g_free (t->track_id);
}

static void
gst_wrtc_peer_dispose (GObject * object)
{
  GstWrtcPeer *self = GST_WRTC_PEER (object);

  gst_wrtc_peer_close (self);
  /* drops the DTLS connection */
  gst_wrtc_dtls_srtp_transport_detach_receiver (self->transport);
  if (self->transport_state_handler) {
    g_signal_handler_disconnect (self->transport,
        self->transport_state_handler);
    self->transport_state_handler = 0;
  }
  if (self->ice) {
    g_signal_handlers_disconnect_by_data (self->ice, self);
    g_clear_object (&self->ice);
  }
  G_OBJECT_CLASS (gst_wrtc_peer_parent_class)->dispose (object);
}

static void
gst_wrtc_peer_finalize (GObject * object)
{
  GstWrtcPeer *self = GST_WRTC_PEER (object);

  g_strfreev (self->local_addresses);
  g_free (self->stun_server);
  g_strfreev (self->turn_servers);
  g_clear_object (&self->cert);
  g_free (self->cname);
  g_object_unref (self->transport);
  g_array_unref (self->tracks);
  gst_wrtc_session_desc_free (self->offer);
  g_free (self->offer_media);
  gst_wrtc_answer_free (self->neg);
  g_clear_object (&self->channels);
  g_clear_object (&self->sctp);
  g_ptr_array_unref (self->local_candidates);
  g_free (self->recv);
  g_cond_clear (&self->cond);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (gst_wrtc_peer_parent_class)->finalize (object);
}

static void
gst_wrtc_peer_class_init (GstWrtcPeerClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->dispose = gst_wrtc_peer_dispose;
  gobject_class->finalize = gst_wrtc_peer_finalize;

  /* (guint state): emitted without locks, from the thread that caused it
   * (see the header) */
  signals[SIGNAL_STATE_CHANGED] = g_signal_new ("state-changed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_UINT);
  /* (guint track): the remote asked for a keyframe (PLI/FIR), or it just
   * connected; the caller coalesces through the track's stream */
  signals[SIGNAL_KEYFRAME_REQUEST] = g_signal_new ("keyframe-request",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_UINT);
  /* (GstWrtcSctpChannels *channels): a data channel was negotiated and
   * the association starts now, on the ICE thread (see the header) */
  signals[SIGNAL_CHANNELS_READY] = g_signal_new ("channels-ready",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, GST_WRTC_TYPE_SCTP_CHANNELS);
}

static void
gst_wrtc_peer_init (GstWrtcPeer * self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->tracks = g_array_new (FALSE, TRUE, sizeof (Track));
  g_array_set_clear_func (self->tracks, (GDestroyNotify) track_clear);
  self->local_candidates = g_ptr_array_new_with_free_func (g_free);
  self->session_id = g_random_int () | ((guint64) g_random_int () << 31);
  self->twcc_seq = 1;
  /* our own association: no connection-id, nobody else shares it */
  self->transport = gst_wrtc_dtls_srtp_transport_acquire (NULL);
}

GstWrtcPeer *
gst_wrtc_peer_new (const GstWrtcPeerConfig * config, GError ** error)
{
  GstWrtcPeer *self = g_object_new (GST_WRTC_TYPE_PEER, NULL);
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  self->local_addresses = g_strdupv ((gchar **) config->local_addresses);
  self->stun_server = g_strdup (config->stun_server);
  self->turn_servers = g_strdupv ((gchar **) config->turn_servers);
  self->cert = config->certificate ? g_object_ref (config->certificate) :
      gst_wrtc_dtls_certificate_get_default ();
  self->cname = g_strdup (config->cname ? config->cname : "gst-webrtc");
  self->twcc = config->twcc;
  self->relay_only = config->relay_only;
  self->datachannel = config->datachannel;
  self->sctp_port = config->sctp_port ? config->sctp_port :
      GST_WRTC_SCTP_DEFAULT_PORT;
  self->max_message_size = config->max_message_size ?
      config->max_message_size : GST_WRTC_SCTP_DEFAULT_LOCAL_MAX_MESSAGE_SIZE;

  gst_wrtc_dtls_srtp_transport_set_certificate (self->transport, self->cert);
  if (config->srtp_profiles
      && !gst_wrtc_dtls_srtp_transport_set_srtp_profiles (self->transport,
          config->srtp_profiles, error)) {
    g_free (ref);
    g_object_unref (self);
    return NULL;
  }
  g_weak_ref_init (ref, self);
  self->transport_state_handler = g_signal_connect_data (self->transport,
      "state-changed", G_CALLBACK (transport_state_cb), ref,
      weak_ref_closure_free, 0);
  return self;
}
