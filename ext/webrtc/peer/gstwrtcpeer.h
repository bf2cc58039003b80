/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: one peer connection, pad-less.
 *
 * Joins the layers below it: an ICE transport (all m-sections bundled on
 * one, RFC 8843), its own DTLS-SRTP transport over it (the RFC 7983 demux,
 * the DTLS association keying SRTP, RFC 5764, and DTLS application data
 * for SCTP, RFC 8261), the RTP send path for the tracks it sends and a
 * receive path for what it is sent, negotiated by JSEP (RFC 8829) as
 * answerer (a WHEP or WHIP server) or offerer (a WHEP or WHIP client).
 * Our SDP always carries all our candidates (loopback and host gathering
 * is immediate); remote candidates may trickle in.
 *
 * THREADS
 *
 * The peer has no thread of its own.  Three kinds of thread meet here:
 *   - the ICE thread (gstwrtcicecontext.h), one per process: ICE input
 *     (every datagram received, so also DTLS handshake progress, SRTCP
 *     feedback and DTLS application data), ICE state, sender reports;
 *   - the DTLS timer thread, one per process: handshake retransmissions
 *     and the handshake timeout;
 *   - application threads: whatever calls in (an element's state change,
 *     a streaming thread, the signalling layer's threads).
 *
 * Functions (any thread unless said otherwise).  Locks: set_receive_func,
 * set_data_func, close and close_and_wait wait for the ICE thread or for
 * this peer's callbacks, so never call them holding a lock that one of
 * this peer's callbacks or signal handlers (or other code on the ICE
 * thread) takes.  The others take only the peer's own lock and those of
 * the layers below, never while calling out, and may be called from
 * anywhere, callbacks included.
 *   new, get_state, get_negotiation, get_track_codec, get_track_stats,
 *   get_transport_stats, add_transport_stats, get_channels: do not block.
 *   create_answer, create_offer, create_send_offer: block only to resolve
 *     STUN/TURN host names; the SDP function comes later on the ICE
 *     thread, or at once on the caller's thread when they fail.
 *   set_answer, add_remote_candidate, end_of_remote_candidates: do not
 *     block (the ICE work is queued to the ICE thread).
 *   send_rtp (a streaming thread), send_rtcp, send_data: do not block;
 *     nothing goes out before the state is connected.
 *   set_receive_func, set_data_func: a barrier.  When they return, no call
 *     of the function they replaced is running (they wait for one running
 *     on the ICE thread); called on the ICE thread (say, from inside the
 *     function itself) they do not wait, since those functions run only
 *     there.
 *   close: sends close_notify, closes ICE and returns once the ICE thread
 *     has let go of the transport (one round trip to the ICE thread; none
 *     on the ICE thread).  Idempotent.
 *   close_and_wait: for an application thread (a bin's state change).
 *     Closes if close() was not called, then waits, at most @timeout_us,
 *     for the ICE close to finish (TURN allocations deleted) and for every
 *     callback of this peer to return; after it returned TRUE none runs
 *     again.  The wait for ICE closes is process-wide (the ICE layer
 *     counts closes, not whose they are: other transports' closes pending
 *     are waited for too), so closing many peers with close() each, then
 *     close_and_wait() each, costs about one wait.  On the ICE thread it closes but does not wait (the ICE closes
 *     finish on that thread): TRUE only when all was already done.  Called
 *     from inside one of this peer's callbacks on another thread, that
 *     call is not waited for; from a state-changed handler of a close()
 *     still running on this thread it returns FALSE at once.
 *
 * Callbacks and signals (never with the peer's lock held):
 *   GstWrtcPeerSdpFunc: the ICE thread (gathering done), or the caller's
 *     thread when create_* fails at once.
 *   GstWrtcPeerReceiveFunc, GstWrtcPeerDataFunc: the ICE thread.
 *   "state-changed" (guint state): the thread that caused it: the ICE
 *     thread (ICE checks, the DTLS handshake, the remote's close_notify),
 *     the DTLS timer thread (handshake timeout), the caller's thread
 *     (close(), create_* failing).
 *   "keyframe-request" (guint track): the ICE thread (PLI, FIR, and once
 *     connected).
 *   "channels-ready" (GstWrtcSctpChannels *): the ICE thread, once, when
 *     DTLS connected and a data channel was negotiated, just before the
 *     association starts (after state-changed to connected).
 * None is called once close() has finished.
 *
 * The data channels' functions (GstWrtcSctpChannelsFuncs, set by the layer
 * above on gst_wrtc_peer_get_channels()) run where the association
 * dispatches: the ICE thread (the remote's packets; counted as this peer's
 * callbacks, so close_and_wait() waits for them), the process-wide SCTP
 * timer thread (retransmissions, reset timeouts; not waited for: the
 * owner passed to set_funcs, held weakly, guards those), the thread of a
 * call into the channel table, and close()'s thread (the abort closes
 * every channel).  Never with the peer's lock held.
 */
#ifndef __GST_WRTC_PEER_H__
#define __GST_WRTC_PEER_H__

#include <glib-object.h>
#include <gio/gio.h>
#include <gst/gst.h>
#include "gstwrtcanswer.h"
#include "gstwrtcoffer.h"
#include "gstwrtcdtlscertificate.h"
#include "gstwrtcrtpsender.h"
#include "gstwrtcicetransport.h"
#include "gstwrtcfsm.h"
#include "gstwrtcsctpchannels.h"

G_BEGIN_DECLS
/* W3C RTCPeerConnectionState */
    typedef enum
{
  GST_WRTC_PEER_STATE_NEW,
  GST_WRTC_PEER_STATE_CONNECTING,
  GST_WRTC_PEER_STATE_CONNECTED,
  GST_WRTC_PEER_STATE_FAILED,
  GST_WRTC_PEER_STATE_CLOSED,
} GstWrtcPeerState;

const gchar *gst_wrtc_peer_state_name (GstWrtcPeerState s);
/* The table of legal GstWrtcPeerState edges (gst/gstwrtcfsm.h). */
const GstWrtcFsm *gst_wrtc_peer_state_machine (void);

#define GST_WRTC_TYPE_PEER (gst_wrtc_peer_get_type ())
G_DECLARE_FINAL_TYPE (GstWrtcPeer, gst_wrtc_peer, GST_WRTC, PEER, GObject);

typedef struct
{
  const gchar *const *local_addresses;  /* NULL: all interfaces */
  const gchar *stun_server;     /* "stun:host:port" or NULL */
  const gchar *const *turn_servers;     /* "turn://user:pass@host:port" */
  GstWrtcDtlsCertificate *certificate;  /* NULL: the process default */
  const gchar *cname;
  /* negotiate transport-wide congestion control (the extension and
   * transport-cc feedback); for receivers that send the feedback
   * (webrtcsrc's rtpbin), which a sender's bandwidth estimation uses */
  gboolean twcc;
  /* W3C iceTransportPolicy "relay": only relayed candidates (TURN) */
  gboolean relay_only;
  /* data channels (RFC 8841): an offer carries a data channel section
   * (after the media ones, in the BUNDLE group; alone for a data-only
   * session), an answer accepts the offer's first one.  FALSE: no section
   * offered, every offered one rejected (port 0), as before. */
  gboolean datachannel;
  guint sctp_port;              /* ours, a=sctp-port; 0: 5000 */
  /* ours, a=max-message-size (what we accept); 0: 256 KiB */
  guint64 max_message_size;
  /* the DTLS-SRTP profiles to offer or accept (gstwrtcdtlsconnection.h);
   * NULL: the default; GST_WRTC_DTLS_NO_SRTP_PROFILES: none, for a peer
   * that only runs data channels */
  const gchar *srtp_profiles;
} GstWrtcPeerConfig;

/* W3C RTCIceTransportPolicy, the bins' ice-transport-policy property */
typedef enum
{
  GST_WRTC_ICE_TRANSPORT_POLICY_ALL,
  GST_WRTC_ICE_TRANSPORT_POLICY_RELAY,
} GstWrtcIceTransportPolicy;

#define GST_WRTC_TYPE_ICE_TRANSPORT_POLICY \
    (gst_wrtc_ice_transport_policy_get_type ())
GType gst_wrtc_ice_transport_policy_get_type (void);

/* A track we send: the codecs it can be sent in (preference order) and the
 * stream all the peers sending it share.  Either one stream carries every
 * codec (@stream; @streams NULL), or each codec is a stream of its own, one
 * encoder per codec (@streams, parallel to @codecs; @stream is ignored):
 * the peer then sends the stream of the codec negotiated with it, and its
 * SSRC is the one in the SDP. */
typedef struct
{
  GstWrtcMediaKind kind;
  const GstWrtcCodecCap *codecs;
  guint n_codecs;
  GstWrtcRtpStream *stream;
  const gchar *stream_id, *track_id;
  GstWrtcRtpStream *const *streams;
} GstWrtcPeerTrack;

/* Our offer or answer (with all our candidates), or why there is none. */
typedef void (*GstWrtcPeerSdpFunc) (GstWrtcPeer * peer, const gchar * sdp,
    const GError * error, gpointer user_data);
/* Unprotected RTP or RTCP the remote sent; @media is the m-section index. */
typedef void (*GstWrtcPeerReceiveFunc) (GstWrtcPeer * peer, gint media,
    gboolean rtcp, const guint8 * data, gsize len, gpointer user_data);

/* DTLS application data the remote sent (one record: an SCTP packet,
 * RFC 8261), when no data channel was negotiated (with one, every record
 * goes to the peer's association, gst_wrtc_peer_get_channels()). */
typedef void (*GstWrtcPeerDataFunc) (GstWrtcPeer * peer, const guint8 * data,
    gsize len, gpointer user_data);

GstWrtcPeer *gst_wrtc_peer_new (const GstWrtcPeerConfig * config,
    GError ** error);
/* NULL clears; both are barriers (see THREADS). */
void gst_wrtc_peer_set_receive_func (GstWrtcPeer * peer,
    GstWrtcPeerReceiveFunc func, gpointer user_data);
void gst_wrtc_peer_set_data_func (GstWrtcPeer * peer,
    GstWrtcPeerDataFunc func, gpointer user_data);

/* A one-shot wait for a GstWrtcPeerSdpFunc, for a client's own thread
 * (WHEP, WHIP: the HTTP client calls block): pass
 * gst_wrtc_peer_sdp_wait_func and gst_wrtc_peer_sdp_wait_ref(wait) to
 * the offer call, then gst_wrtc_peer_sdp_wait_get().  Refcounted: the
 * callback may come after the waiter gave up. */
typedef struct _GstWrtcPeerSdpWait GstWrtcPeerSdpWait;

GstWrtcPeerSdpWait *gst_wrtc_peer_sdp_wait_new (void);
GstWrtcPeerSdpWait *gst_wrtc_peer_sdp_wait_ref (GstWrtcPeerSdpWait * wait);
void gst_wrtc_peer_sdp_wait_unref (GstWrtcPeerSdpWait * wait);
/* Takes the reference passed as user data. */
void gst_wrtc_peer_sdp_wait_func (GstWrtcPeer * peer, const gchar * sdp,
    const GError * error, gpointer wait);
/* Blocks until the SDP came (returns it, transfer full) or failed (NULL,
 * the peer's error), or until @cancellable is cancelled (NULL,
 * G_IO_ERROR_CANCELLED). */
gchar *gst_wrtc_peer_sdp_wait_get (GstWrtcPeerSdpWait * wait,
    GCancellable * cancellable, GError ** error);

/* Answerer.  @tracks are what we send (copied), @recv what we accept. */
void gst_wrtc_peer_create_answer (GstWrtcPeer * peer, const gchar * offer,
    const GstWrtcPeerTrack * tracks, guint n_tracks,
    const GstWrtcCodecCap * recv, guint n_recv, GstWrtcPeerSdpFunc func,
    gpointer user_data);

/* Offerer. */
void gst_wrtc_peer_create_offer (GstWrtcPeer * peer,
    const GstWrtcOfferMedia * media, guint n_media, GstWrtcPeerSdpFunc func,
    gpointer user_data);
/* Offerer that sends (a WHIP client, RFC 9725): one sendonly m-section
 * per track of @tracks (copied), in order; each lists the track's codecs,
 * so the answer picks one per track as an answerer's offerer would. */
void gst_wrtc_peer_create_send_offer (GstWrtcPeer * peer,
    const GstWrtcPeerTrack * tracks, guint n_tracks, GstWrtcPeerSdpFunc func,
    gpointer user_data);
gboolean gst_wrtc_peer_set_answer (GstWrtcPeer * peer, const gchar * answer,
    GError ** error);

gboolean gst_wrtc_peer_add_remote_candidate (GstWrtcPeer * peer,
    const gchar * candidate, GError ** error);
void gst_wrtc_peer_end_of_remote_candidates (GstWrtcPeer * peer);

/* One packet of track @track's stream (with @streams: of the negotiated
 * codec's stream, see gst_wrtc_peer_get_track_codec()); dropped until
 * connected. */
void gst_wrtc_peer_send_rtp (GstWrtcPeer * peer, guint track,
    const guint8 * pkt, gsize len);
/* Index into track @track's codecs of the codec negotiated for sending it,
 * or -1 (not negotiated yet, or the remote does not receive it).  Valid
 * once the answer is written (before the SDP callback runs). */
gint gst_wrtc_peer_get_track_codec (GstWrtcPeer * peer, guint track);
/* RTCP of our own (receiver feedback: PLI, NACK, RR). */
gboolean gst_wrtc_peer_send_rtcp (GstWrtcPeer * peer, const guint8 * data,
    gsize len, GError ** error);
/* One DTLS application data record (an SCTP packet, RFC 8261); FALSE with
 * an error unless connected. */
gboolean gst_wrtc_peer_send_data (GstWrtcPeer * peer, const guint8 * data,
    gsize len, GError ** error);

/* Sends close_notify and closes ICE; state closed (see THREADS). */
void gst_wrtc_peer_close (GstWrtcPeer * peer);
/* close(), then waits at most @timeout_us until the ICE close finished
 * (TURN allocations deleted, RFC 8656 section 7) and no callback of this
 * peer runs or will run again; TRUE when all of that happened in time
 * (see THREADS). */
gboolean gst_wrtc_peer_close_and_wait (GstWrtcPeer * peer, gint64 timeout_us);
GstWrtcPeerState gst_wrtc_peer_get_state (GstWrtcPeer * peer);
/* The counters of the track we send as @track (W3C outbound-rtp and what
 * the remote reported in RTCP), the SSRC it goes out with and the codec's
 * encoding name (transfer full); each out argument may be NULL.  FALSE
 * (zeroes, NULL) when that track is not sent (not negotiated yet, or
 * rejected). */
gboolean gst_wrtc_peer_get_track_stats (GstWrtcPeer * peer, guint track,
    GstWrtcRtpSenderStats * stats, guint32 * ssrc, gchar ** encoding);
/* The bundle's transport (W3C RTCTransportStats and the selected
 * RTCIceCandidatePairStats): datagrams and bytes each way (every packet:
 * STUN aside, which the ICE agent handles, DTLS, SRTP, SRTCP), the ICE and
 * DTLS states, our DTLS role, the SRTP cipher and the selected pair. */
typedef struct
{
  guint64 packets_sent, bytes_sent, packets_received, bytes_received;
  const gchar *ice_state;       /* GstWrtcIceTransportState names */
  const gchar *dtls_state;      /* GstWrtcDtlsConnectionState names */
  const gchar *dtls_role;       /* "client", "server", "unknown" */
  const gchar *srtp_cipher;     /* W3C names, or NULL before the keys */
  gboolean have_pair;
  GstWrtcIceCandidatePair pair;
} GstWrtcPeerTransportStats;

/* Fills @stats; clear it with gst_wrtc_peer_transport_stats_clear(). */
void gst_wrtc_peer_get_transport_stats (GstWrtcPeer * peer,
    GstWrtcPeerTransportStats * stats);
void gst_wrtc_peer_transport_stats_clear (GstWrtcPeerTransportStats * stats);
/* The same as W3C-shaped fields of @s: "transport" and, once a pair is
 * selected, "candidate-pair", "local-candidate" and "remote-candidate"
 * (GstStructures named and keyed as RTCStatsReport's entries). */
void gst_wrtc_peer_add_transport_stats (GstWrtcPeer * peer, GstStructure * s);

/* The negotiated m-sections (valid once the SDP exchange is done). */
const GstWrtcAnswer *gst_wrtc_peer_get_negotiation (GstWrtcPeer * peer);

/* The data channels (transfer full): once a data channel section was
 * negotiated (config.datachannel on both ends), from the SDP function
 * (answerer) or set_answer() (offerer) on; NULL before, or when none was.
 * The table of one SCTP association (RFC 8261) over this peer's DTLS
 * transport, started once DTLS is connected ("channels-ready") and
 * aborted by close().  Set its functions (gst_wrtc_sctp_channels_set_funcs)
 * before it starts to see every channel the remote opens; channels opened
 * before then leave once it is connected. */
GstWrtcSctpChannels *gst_wrtc_peer_get_channels (GstWrtcPeer * peer);

G_END_DECLS
#endif
