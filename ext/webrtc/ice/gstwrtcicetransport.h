/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: one ICE transport (libnice), pad-less.
 *
 * One NiceAgent stream with one component: WebRTC bundles everything on one
 * transport and multiplexes RTCP with RTP (RFC 8843, RFC 5761), so a
 * component 2 never exists.  Full ICE (RFC 8445), trickle both ways
 * (RFC 8838), consent freshness (RFC 7675).
 *
 * Threads: the agent runs on the process-wide ICE thread
 * (gstwrtcicecontext.h).  Calls that change the agent (gather, remote
 * credentials, remote candidates, end-of-candidates, revoke_consent) are
 * queued to that thread and run in the order they were made; they check
 * their arguments at once and return errors synchronously.  Candidates
 * are fields (gstwrtcicecandidate.h): their SDP text is JSEP's.  send() may be
 * called from any thread.  Signals and the receive callback are emitted on
 * the ICE thread, never with the transport's lock held, so a handler may
 * call back into any transport (the usual test: one side's
 * on-local-candidate calls the other side's add_remote_candidate).
 *
 * Signals:
 *   "on-local-candidate" (const GstWrtcIceCandidate *candidate): a
 *       gathered candidate (gstwrtcicecandidate.h), ready to trickle
 *       (RFC 8840) or to put in an SDP once JSEP has written it
 *       (gst_wrtc_candidate_to_string()).  Valid during the emission.
 *   "on-gathering-done" (): gathering finished; signal end-of-candidates.
 *   "state-changed" (GstWrtcIceTransportState new_state)
 *   "selected-pair-changed" (): see get_selected_pair().
 */
#ifndef __GST_WRTC_ICE_TRANSPORT_H__
#define __GST_WRTC_ICE_TRANSPORT_H__

#include <glib-object.h>
#include "gstwrtcicecandidate.h"
#include "gstwrtcfsm.h"

G_BEGIN_DECLS
/* RTCIceTransportState (W3C webrtc-pc), same order as
 * GstWebRTCICEConnectionState. */
    typedef enum
{
  GST_WRTC_ICE_TRANSPORT_STATE_NEW,
  GST_WRTC_ICE_TRANSPORT_STATE_CHECKING,
  GST_WRTC_ICE_TRANSPORT_STATE_CONNECTED,
  GST_WRTC_ICE_TRANSPORT_STATE_COMPLETED,
  GST_WRTC_ICE_TRANSPORT_STATE_FAILED,
  GST_WRTC_ICE_TRANSPORT_STATE_DISCONNECTED,
  GST_WRTC_ICE_TRANSPORT_STATE_CLOSED,
} GstWrtcIceTransportState;

GType gst_wrtc_ice_transport_state_get_type (void);
#define GST_WRTC_TYPE_ICE_TRANSPORT_STATE (gst_wrtc_ice_transport_state_get_type ())
const gchar *gst_wrtc_ice_transport_state_name (GstWrtcIceTransportState s);
/* The transport's state machine (legal edges: gstwrtcicetransport.c), for
 * tests that try every edge. */
const GstWrtcFsm *gst_wrtc_ice_transport_state_machine (void);

/* RTCIceGatheringState (W3C webrtc-pc). */
typedef enum
{
  GST_WRTC_ICE_GATHERING_STATE_NEW,
  GST_WRTC_ICE_GATHERING_STATE_GATHERING,
  GST_WRTC_ICE_GATHERING_STATE_COMPLETE,
} GstWrtcIceGatheringState;

/* The gathering state machine, for tests that try every edge. */
const GstWrtcFsm *gst_wrtc_ice_gathering_state_machine (void);

/* One end of the selected pair, for "candidate-pair" stats. */
typedef struct
{
  gchar *address;               /* IP literal */
  guint port;
  const gchar *type;            /* "host", "srflx", "prflx", "relay" */
  const gchar *protocol;        /* "udp", "tcp" */
  guint32 priority;
} GstWrtcIceCandidateInfo;

typedef struct
{
  GstWrtcIceCandidateInfo local, remote;
} GstWrtcIceCandidatePair;

void gst_wrtc_ice_candidate_pair_clear (GstWrtcIceCandidatePair * pair);

#define GST_WRTC_TYPE_ICE_TRANSPORT (gst_wrtc_ice_transport_get_type ())
G_DECLARE_FINAL_TYPE (GstWrtcIceTransport, gst_wrtc_ice_transport,
    GST_WRTC, ICE_TRANSPORT, GObject);

/* One received datagram (STUN already consumed by the agent). */
typedef void (*GstWrtcIceReceiveFunc) (const guint8 * data, gsize len,
    GObject * owner);

/* @controlling: the ICE role (RFC 8445 section 6.1.1): the agent that
 * made the initial offer is controlling, unless the peer is ICE-lite.  A
 * role conflict (487) is resolved by the agent. */
GstWrtcIceTransport *gst_wrtc_ice_transport_new (gboolean controlling);

/* ---- configuration, before gather() ---- */

/* "stun:HOST[:PORT]" (RFC 7064), PORT defaults to 3478, in any form
 * gstwrtciceserver.h accepts.  HOST is an IP literal ("[::1]" for IPv6)
 * or a name, resolved here, in the calling thread.  NULL clears it. */
gboolean gst_wrtc_ice_transport_set_stun_server (GstWrtcIceTransport * self,
    const gchar * uri, GError ** error);

/* Adds a TURN server (RFC 8656); may be called several times.  Accepted
 * forms (gstwrtciceserver.h: RFC 7065, plus GStreamer webrtcbin's
 * user-info form):
 *   turn:HOST[:PORT][?transport=udp|tcp]     PORT defaults to 3478
 *   turns:HOST[:PORT][?transport=tcp]        TLS, PORT defaults to 5349
 *   turn://USER:PASS@HOST[:PORT][?transport=...], turns://... likewise
 * USER and PASS are percent-decoded.  @username and @credential (may be
 * NULL) override the user-info; a server without both is refused.
 * transport=udp (the default) asks for a UDP relay over UDP,
 * transport=tcp for a UDP relay reached over TCP. */
gboolean gst_wrtc_ice_transport_add_turn_server (GstWrtcIceTransport * self,
    const gchar * uri, const gchar * username, const gchar * credential,
    GError ** error);

/* Restricts gathering to this local IP (v4 or v6 literal).  When any are
 * given, only these are used; otherwise every interface but loopback is,
 * or loopback (127.0.0.1, ::1) when no other interface is up. */
gboolean gst_wrtc_ice_transport_add_local_address (GstWrtcIceTransport *
    self, const gchar * address, GError ** error);

/* W3C iceTransportPolicy "relay": only relay candidates are gathered and
 * used (libnice's force-relay).  Default FALSE. */
void gst_wrtc_ice_transport_set_relay_only (GstWrtcIceTransport * self,
    gboolean relay_only);

/* ICE-TCP candidates (RFC 6544).  Default FALSE: WebRTC peers reach each
 * other over UDP, and each TCP candidate holds a listening socket and
 * doubles the checklist; enable where UDP is blocked. */
void gst_wrtc_ice_transport_set_ice_tcp (GstWrtcIceTransport * self,
    gboolean ice_tcp);

/* Where received datagrams go; called on the ICE thread without locks.
 * @owner is held weakly and passed, alive, to the callback; once it is gone
 * the callback is no longer called.  Set before gather(). */
void gst_wrtc_ice_transport_set_receive_callback (GstWrtcIceTransport *
    self, GstWrtcIceReceiveFunc func, GObject * owner);

/* ---- local side ---- */

/* ice-ufrag and ice-pwd (RFC 8839 section 5.4) for the SDP; free both. */
void gst_wrtc_ice_transport_get_local_credentials (GstWrtcIceTransport *
    self, gchar ** ufrag, gchar ** pwd);

/* Starts gathering: "on-local-candidate" for each candidate, then
 * "on-gathering-done".  Once per transport. */
gboolean gst_wrtc_ice_transport_gather (GstWrtcIceTransport * self,
    GError ** error);

/* ---- remote side ---- */

/* ice-ufrag (4 to 256 ice-chars) and ice-pwd (22 to 256 ice-chars),
 * RFC 8839 section 5.4. */
gboolean gst_wrtc_ice_transport_set_remote_credentials (GstWrtcIceTransport *
    self, const gchar * ufrag, const gchar * pwd, GError ** error);

/* One remote candidate, as JSEP read it (gst_wrtc_candidate_parse()).
 * Candidates arriving before the remote credentials or before gather()
 * are kept and added then.  Returns FALSE with an error for a candidate
 * libnice cannot use: GST_WRTC_ICE_ERROR_UNSUPPORTED for mDNS names
 * ("*.local", RFC 8839 section 5.1 allows an FQDN; we do not resolve them
 * yet) and other hostnames, GST_WRTC_ICE_ERROR_MALFORMED_CANDIDATE for
 * missing fields and TCP without tcptype.  Returns TRUE but ignores, as
 * RFC 8839 section 5.1 asks, those of another component than 1
 * (rtcp-mux). */
gboolean gst_wrtc_ice_transport_add_remote_candidate (GstWrtcIceTransport *
    self, const GstWrtcIceCandidate * candidate, GError ** error);

/* The peer has no more candidates (RFC 8838 section 8.2): lets the
 * transport fail once every pair has failed. */
void gst_wrtc_ice_transport_set_remote_end_of_candidates (GstWrtcIceTransport
    * self);

/* ---- data ---- */

/* Sends one datagram on the selected pair.  Any thread. */
gboolean gst_wrtc_ice_transport_send (GstWrtcIceTransport * self,
    const guint8 * data, gsize len, GError ** error);

/* ---- state ---- */

GstWrtcIceTransportState gst_wrtc_ice_transport_get_state (GstWrtcIceTransport
    * self);
GstWrtcIceGatheringState
gst_wrtc_ice_transport_get_gathering_state (GstWrtcIceTransport * self);
gboolean gst_wrtc_ice_transport_is_controlling (GstWrtcIceTransport * self);

/* The selected pair, when there is one; clear @pair afterwards. */
gboolean gst_wrtc_ice_transport_get_selected_pair (GstWrtcIceTransport * self,
    GstWrtcIceCandidatePair * pair);

/* Revokes the consent we give the peer (RFC 7675 section 5.2): its next
 * consent check gets 403 Forbidden and its transport fails within one
 * consent interval (about 5 s) instead of waiting for consent to expire.
 * Ours goes to failed at once: a new session needs an ICE restart, or a
 * new transport. */
void gst_wrtc_ice_transport_revoke_consent (GstWrtcIceTransport * self);

/* Releases the sockets (TURN allocations are deleted in the background)
 * and goes to closed.  Idempotent; dispose closes too.  Blocks until the
 * ICE thread has let go of the transport: afterwards, no signal and no
 * receive callback is emitted. */
void gst_wrtc_ice_transport_close (GstWrtcIceTransport * self);

G_END_DECLS
#endif
