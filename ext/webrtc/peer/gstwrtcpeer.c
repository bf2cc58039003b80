/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the peer connection core. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcpeer.h"

#include <string.h>
#include <gst/gst.h>

#include "gstwrtcdtlsconnection.h"
#include "gstwrtccandidate.h"
#include "gstwrtcicecontext.h"
#include "gstwrtcicetransport.h"
#include "gstwrtcrfc7983.h"
#include "gstwrtcsrtp.h"

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

struct _GstWrtcPeer
{
  GObject parent;

  GMutex lock;
  /* immutable after new() */
  gchar **local_addresses;
  gchar *stun_server;
  gchar **turn_servers;
  gboolean relay_only;
  GstWrtcDtlsCertificate *cert;
  gchar *cname;
  gboolean twcc;
  guint64 session_id;

  /* lock */
  Role role;
  GstWrtcPeerState state;
  GstWrtcIceTransport *ice;
  GstWrtcDtlsConnection *dtls;
  gboolean dtls_started;
  GstWrtcSrtpContext *tx, *rx;  /* immutable pointers, own locks */
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
  GstWrtcPeerReceiveFunc receive_func;
  gpointer receive_data;
  /* W3C "transport" counters: every datagram, whatever it carries */
  guint64 packets_sent, bytes_sent, packets_received, bytes_received;
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

const gchar *
gst_wrtc_peer_state_name (GstWrtcPeerState s)
{
  static const gchar *names[] = { "new", "connecting", "connected", "failed",
    "closed"
  };
  return (guint) s < G_N_ELEMENTS (names) ? names[s] : "invalid";
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
 */
static gboolean
edge_is_legal (GstWrtcPeerState from, GstWrtcPeerState to)
{
  switch (from) {
    case GST_WRTC_PEER_STATE_NEW:
      return to == GST_WRTC_PEER_STATE_CONNECTING
          || to == GST_WRTC_PEER_STATE_FAILED
          || to == GST_WRTC_PEER_STATE_CLOSED;
    case GST_WRTC_PEER_STATE_CONNECTING:
      return to == GST_WRTC_PEER_STATE_CONNECTED
          || to == GST_WRTC_PEER_STATE_FAILED
          || to == GST_WRTC_PEER_STATE_CLOSED;
    case GST_WRTC_PEER_STATE_CONNECTED:
      return to == GST_WRTC_PEER_STATE_FAILED
          || to == GST_WRTC_PEER_STATE_CLOSED;
    case GST_WRTC_PEER_STATE_FAILED:
      return to == GST_WRTC_PEER_STATE_CLOSED;
    default:
      return FALSE;
  }
}

/* With the lock.  Returns TRUE when the caller must emit state-changed
 * (after unlocking). */
static gboolean
set_state_locked (GstWrtcPeer * self, GstWrtcPeerState to)
{
  if (self->state == to)
    return FALSE;
  if (!edge_is_legal (self->state, to)) {
    GST_DEBUG_OBJECT (self, "ignoring %s -> %s",
        gst_wrtc_peer_state_name (self->state), gst_wrtc_peer_state_name (to));
    return FALSE;
  }
  GST_INFO_OBJECT (self, "%s -> %s", gst_wrtc_peer_state_name (self->state),
      gst_wrtc_peer_state_name (to));
  self->state = to;
  return TRUE;
}

static void
set_state (GstWrtcPeer * self, GstWrtcPeerState to)
{
  gboolean emit;

  g_mutex_lock (&self->lock);
  emit = set_state_locked (self, to);
  g_mutex_unlock (&self->lock);
  if (emit)
    g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, to);
}

/* ------------------------------------------------------------------------
 * Sending
 */
static void
send_datagram (GstWrtcPeer * self, const guint8 * data, gsize len)
{
  GstWrtcIceTransport *ice;
  GError *err = NULL;

  g_mutex_lock (&self->lock);
  ice = self->ice ? g_object_ref (self->ice) : NULL;
  if (ice) {
    self->packets_sent++;
    self->bytes_sent += len;
  }
  g_mutex_unlock (&self->lock);
  if (!ice)
    return;
  if (!gst_wrtc_ice_transport_send (ice, data, len, &err)) {
    GST_LOG_OBJECT (self, "not sent: %s", err->message);
    g_clear_error (&err);
  }
  g_object_unref (ice);
}

static void
dtls_send_cb (const guint8 * data, gsize len, GObject * owner)
{
  send_datagram (GST_WRTC_PEER (owner), data, len);
}

static void
dtls_receive_cb (const guint8 * data, gsize len, GObject * owner)
{
  /* SCTP over DTLS (data channels) is not wired yet */
  GST_LOG_OBJECT (owner, "dropping %" G_GSIZE_FORMAT " bytes of DTLS "
      "application data", len);
}

static void
protect_and_send_rtcp (GstWrtcPeer * self, guint8 * buf, gsize len, gsize max)
{
  if (gst_wrtc_srtp_context_protect (self->tx, TRUE, buf, &len, max) ==
      GST_WRTC_SRTP_OK)
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
  if (n && gst_wrtc_srtp_context_protect (self->tx, FALSE, buf, &n,
          sizeof (buf)) == GST_WRTC_SRTP_OK)
    send_datagram (self, buf, n);
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
  protect_and_send_rtcp (self, buf, len, sizeof (buf));
  return TRUE;
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
    protect_and_send_rtcp (self, buf, n, sizeof (buf));
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
    if (!n->rejected && (n->codec.pt == pt || n->codec.rtx_pt == pt))
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
    if (gst_wrtc_srtp_context_protect (self->tx, FALSE, buf, &n,
            sizeof (buf)) == GST_WRTC_SRTP_OK)
      send_datagram (self, buf, n);
  }
  for (i = 0; i < keyframes->len; i++)
    g_signal_emit (self, signals[SIGNAL_KEYFRAME_REQUEST], 0,
        g_array_index (keyframes, guint, i));
  g_ptr_array_unref (retransmits);
  g_array_unref (keyframes);
}

static void
ice_receive_cb (const guint8 * data, gsize len, GObject * owner)
{
  GstWrtcPeer *self = GST_WRTC_PEER (owner);
  GstWrtcDtlsConnection *dtls = NULL;
  GstWrtcPeerReceiveFunc func;
  gpointer func_data;
  GstWrtcPacketKind kind = gst_wrtc_rfc7983_classify (data, len);
  guint8 buf[65536];
  gsize n = len;
  gint media = -1;

  switch (kind) {
    case GST_WRTC_PACKET_DTLS:
      g_mutex_lock (&self->lock);
      self->packets_received++;
      self->bytes_received += len;
      if (self->dtls && self->dtls_started)
        dtls = g_object_ref (self->dtls);
      g_mutex_unlock (&self->lock);
      if (dtls) {
        gst_wrtc_dtls_connection_process (dtls, data, len, NULL);
        g_object_unref (dtls);
      }
      break;
    case GST_WRTC_PACKET_RTP:
    case GST_WRTC_PACKET_RTCP:
      if (len > sizeof (buf))
        break;
      /* counted under the lock taken below for the receive function */
      memcpy (buf, data, len);
      if (gst_wrtc_srtp_context_unprotect (self->rx,
              kind == GST_WRTC_PACKET_RTCP, buf, &n) != GST_WRTC_SRTP_OK)
        break;
      if (kind == GST_WRTC_PACKET_RTCP)
        handle_rtcp (self, buf, n);
      g_mutex_lock (&self->lock);
      self->packets_received++;
      self->bytes_received += len;
      func = self->receive_func;
      func_data = self->receive_data;
      if (kind == GST_WRTC_PACKET_RTP)
        media = media_for_pt (self, buf[1] & 0x7f);
      g_mutex_unlock (&self->lock);
      if (func)
        func (self, media, kind == GST_WRTC_PACKET_RTCP, buf, n, func_data);
      break;
    default:
      break;
  }
}

/* ------------------------------------------------------------------------
 * DTLS and ICE events
 */
static void
dtls_state_cb (GstWrtcDtlsConnection * dtls, GstWrtcDtlsConnectionState s,
    GstWrtcPeer * self)
{
  GstWrtcSrtpKeys k;
  gboolean client = gst_wrtc_dtls_connection_is_client (dtls);
  GError *err = NULL;
  guint i, n_tracks;

  switch (s) {
    case GST_WRTC_DTLS_CONNECTION_STATE_CONNECTED:
      /* RFC 5764 section 4.2: client writes with the client key */
      if (!gst_wrtc_dtls_connection_get_srtp_keys (dtls, &k)
          || !gst_wrtc_srtp_context_set_key (self->tx, k.profile,
              client ? k.client_key : k.server_key,
              client ? k.client_salt : k.server_salt, &err)
          || !gst_wrtc_srtp_context_set_key (self->rx, k.profile,
              client ? k.server_key : k.client_key,
              client ? k.server_salt : k.client_salt, &err)) {
        GST_WARNING_OBJECT (self, "no SRTP keys: %s",
            err ? err->message : "no profile negotiated");
        g_clear_error (&err);
        set_state (self, GST_WRTC_PEER_STATE_FAILED);
        break;
      }
      memset (&k, 0, sizeof (k));
      set_state (self, GST_WRTC_PEER_STATE_CONNECTED);
      /* a new viewer wants a keyframe at once */
      g_mutex_lock (&self->lock);
      n_tracks = self->tracks->len;
      g_mutex_unlock (&self->lock);
      for (i = 0; i < n_tracks; i++)
        g_signal_emit (self, signals[SIGNAL_KEYFRAME_REQUEST], 0, i);
      break;
    case GST_WRTC_DTLS_CONNECTION_STATE_FAILED:
      err = gst_wrtc_dtls_connection_get_error (dtls);
      GST_WARNING_OBJECT (self, "DTLS failed: %s",
          err ? err->message : "unknown");
      g_clear_error (&err);
      set_state (self, GST_WRTC_PEER_STATE_FAILED);
      break;
    case GST_WRTC_DTLS_CONNECTION_STATE_CLOSED:
      set_state (self, GST_WRTC_PEER_STATE_CLOSED);
      break;
    default:
      break;
  }
}

static void
ice_state_cb (GstWrtcIceTransport * ice, GstWrtcIceTransportState s,
    GstWrtcPeer * self)
{
  GstWrtcDtlsConnection *start = NULL;
  GError *err = NULL;

  switch (s) {
    case GST_WRTC_ICE_TRANSPORT_STATE_CHECKING:
      set_state (self, GST_WRTC_PEER_STATE_CONNECTING);
      break;
    case GST_WRTC_ICE_TRANSPORT_STATE_CONNECTED:
    case GST_WRTC_ICE_TRANSPORT_STATE_COMPLETED:
      set_state (self, GST_WRTC_PEER_STATE_CONNECTING);
      g_mutex_lock (&self->lock);
      if (self->dtls && !self->dtls_started) {
        self->dtls_started = TRUE;
        start = g_object_ref (self->dtls);
      }
      g_mutex_unlock (&self->lock);
      if (start) {
        if (!gst_wrtc_dtls_connection_start (start, &err)) {
          GST_WARNING_OBJECT (self, "%s", err->message);
          g_clear_error (&err);
        }
        g_object_unref (start);
      }
      break;
    case GST_WRTC_ICE_TRANSPORT_STATE_FAILED:
      set_state (self, GST_WRTC_PEER_STATE_FAILED);
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

/* With the lock: the DTLS association and the senders, once the SDP
 * exchange has decided roles, fingerprint and payload types. */
static gboolean
setup_transport_locked (GstWrtcPeer * self, GError ** error)
{
  guint i;

  self->dtls = gst_wrtc_dtls_connection_new (self->cert,
      self->neg->dtls_client);
  gst_wrtc_dtls_connection_set_callbacks (self->dtls, dtls_send_cb,
      dtls_receive_cb, G_OBJECT (self));
  /* RFC 8827 section 6.5: the certificate must match the signalled
   * fingerprint */
  if (!gst_wrtc_dtls_connection_set_peer_fingerprint (self->dtls,
          self->neg->remote_fingerprint, error))
    return FALSE;
  g_signal_connect (self->dtls, "state-changed", G_CALLBACK (dtls_state_cb),
      self);

  for (i = 0; i < self->neg->media->len; i++) {
    GstWrtcNegotiatedMedia *n = g_ptr_array_index (self->neg->media, i);
    GstWrtcRtpSenderParams p;
    Track *t;
    if (n->rejected || n->track < 0 || (guint) n->track >= self->tracks->len
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
    set_state (self, GST_WRTC_PEER_STATE_FAILED);
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
  set_state (self, GST_WRTC_PEER_STATE_FAILED);
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
    set_state (self, GST_WRTC_PEER_STATE_FAILED);
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
    set_state (self, GST_WRTC_PEER_STATE_FAILED);
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
  GstWrtcDtlsConnection *dtls;
  GstWrtcIceTransport *ice;

  g_mutex_lock (&self->lock);
  dtls = self->dtls ? g_object_ref (self->dtls) : NULL;
  ice = self->ice ? g_object_ref (self->ice) : NULL;
  if (self->report_timer) {
    g_source_destroy (self->report_timer);
    g_source_unref (self->report_timer);
    self->report_timer = NULL;
  }
  g_mutex_unlock (&self->lock);

  /* close_notify first, while ICE still carries it */
  if (dtls) {
    gst_wrtc_dtls_connection_close (dtls);
    g_object_unref (dtls);
  }
  if (ice) {
    gst_wrtc_ice_transport_close (ice);
    g_object_unref (ice);
  }
  set_state (self, GST_WRTC_PEER_STATE_CLOSED);
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
  GstWrtcIceTransport *ice;
  GstWrtcDtlsConnection *dtls;

  g_return_if_fail (GST_WRTC_IS_PEER (self));

  memset (stats, 0, sizeof (*stats));
  g_mutex_lock (&self->lock);
  stats->packets_sent = self->packets_sent;
  stats->bytes_sent = self->bytes_sent;
  stats->packets_received = self->packets_received;
  stats->bytes_received = self->bytes_received;
  ice = self->ice ? g_object_ref (self->ice) : NULL;
  dtls = self->dtls ? g_object_ref (self->dtls) : NULL;
  g_mutex_unlock (&self->lock);

  /* the layers' own locks, never under ours */
  stats->ice_state = ice ?
      gst_wrtc_ice_transport_state_name (gst_wrtc_ice_transport_get_state
      (ice)) : "new";
  stats->dtls_state = dtls ?
      gst_wrtc_dtls_connection_state_name (gst_wrtc_dtls_connection_get_state
      (dtls)) : "new";
  stats->dtls_role = !dtls ? "unknown" :
      gst_wrtc_dtls_connection_is_client (dtls) ? "client" : "server";
  stats->srtp_cipher =
      srtp_cipher_name (gst_wrtc_srtp_context_get_profile (self->tx));
  if (ice)
    stats->have_pair = gst_wrtc_ice_transport_get_selected_pair (ice,
        &stats->pair);
  g_clear_object (&ice);
  g_clear_object (&dtls);
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

void
gst_wrtc_peer_set_receive_func (GstWrtcPeer * self,
    GstWrtcPeerReceiveFunc func, gpointer user_data)
{
  g_mutex_lock (&self->lock);
  self->receive_func = func;
  self->receive_data = user_data;
  g_mutex_unlock (&self->lock);
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

  if (self->state != GST_WRTC_PEER_STATE_CLOSED)
    gst_wrtc_peer_close (self);
  if (self->dtls) {
    g_signal_handlers_disconnect_by_data (self->dtls, self);
    g_clear_object (&self->dtls);
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
  gst_wrtc_srtp_context_free (self->tx);
  gst_wrtc_srtp_context_free (self->rx);
  g_array_unref (self->tracks);
  gst_wrtc_session_desc_free (self->offer);
  g_free (self->offer_media);
  gst_wrtc_answer_free (self->neg);
  g_ptr_array_unref (self->local_candidates);
  g_free (self->recv);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (gst_wrtc_peer_parent_class)->finalize (object);
}

static void
gst_wrtc_peer_class_init (GstWrtcPeerClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->dispose = gst_wrtc_peer_dispose;
  gobject_class->finalize = gst_wrtc_peer_finalize;

  /* (guint state): emitted without locks, from the thread that caused it */
  signals[SIGNAL_STATE_CHANGED] = g_signal_new ("state-changed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_UINT);
  /* (guint track): the remote asked for a keyframe (PLI/FIR), or it just
   * connected; the caller coalesces through the track's stream */
  signals[SIGNAL_KEYFRAME_REQUEST] = g_signal_new ("keyframe-request",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
gst_wrtc_peer_init (GstWrtcPeer * self)
{
  g_mutex_init (&self->lock);
  self->tracks = g_array_new (FALSE, TRUE, sizeof (Track));
  g_array_set_clear_func (self->tracks, (GDestroyNotify) track_clear);
  self->local_candidates = g_ptr_array_new_with_free_func (g_free);
  self->tx = gst_wrtc_srtp_context_new (TRUE);
  self->rx = gst_wrtc_srtp_context_new (FALSE);
  self->session_id = g_random_int () | ((guint64) g_random_int () << 31);
  self->twcc_seq = 1;
}

GstWrtcPeer *
gst_wrtc_peer_new (const GstWrtcPeerConfig * config, GError ** error)
{
  GstWrtcPeer *self = g_object_new (GST_WRTC_TYPE_PEER, NULL);

  self->local_addresses = g_strdupv ((gchar **) config->local_addresses);
  self->stun_server = g_strdup (config->stun_server);
  self->turn_servers = g_strdupv ((gchar **) config->turn_servers);
  self->cert = config->certificate ? g_object_ref (config->certificate) :
      gst_wrtc_dtls_certificate_get_default ();
  self->cname = g_strdup (config->cname ? config->cname : "gst-webrtc");
  self->twcc = config->twcc;
  self->relay_only = config->relay_only;
  return self;
}
