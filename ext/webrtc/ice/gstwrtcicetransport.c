/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: one ICE transport over a libnice agent.
 *
 * The agent is created with:
 *   NICE_COMPATIBILITY_RFC5245   libnice's standard mode; its checks,
 *                                priorities and role conflict handling
 *                                are those RFC 8445 kept.
 *   NICE_AGENT_OPTION_ICE_TRICKLE        RFC 8838: candidates are checked
 *                                as they arrive, and a component fails only
 *                                once the peer has signalled
 *                                end-of-candidates.
 *   NICE_AGENT_OPTION_CONSENT_FRESHNESS  RFC 7675, required by RFC 8827
 *                                section 6.4 / RFC 8445: consent checks
 *                                every ~5 s on the selected pair, failure
 *                                when they go unanswered (RFC 7675 says
 *                                30 s; libnice 0.1.21 gives up after about
 *                                10 s, not configurable) or on a 403.
 *   NICE_AGENT_OPTION_REGULAR_NOMINATION RFC 8445 section 8.1.1: the
 *                                controlling agent checks, then nominates
 *                                one valid pair.  RFC 8445 deprecated
 *                                aggressive nomination (libnice's default),
 *                                whose selected pair may change after the
 *                                first one is reported; ICE-lite peers
 *                                (SFUs) work with either.  It is also what
 *                                webrtcbin uses.
 * and upnp off (no IGD thread, no traffic off the given addresses).
 *
 * Every agent call that changes the session runs on the ICE thread, queued
 * in call order (gst_wrtc_ice_context_invoke), so every libnice signal is
 * emitted there too and the transport's handlers see one ordered stream of
 * events.  Remote candidates wait (in pending_remote) until the remote
 * credentials are known and gathering has started: libnice cannot check a
 * pair without the peer's password, and this way candidates trickled
 * before the answer are kept rather than lost.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcicetransport.h"
#include "gstwrtcicecontext.h"
#include "gstwrtciceserver.h"

#include <string.h>
#include <gio/gio.h>
#include <gio/gnetworking.h>
#include <gst/gst.h>
#include <nice/agent.h>
#include <nice/interfaces.h>

GST_DEBUG_CATEGORY_STATIC (wrtc_ice_transport_debug);
#define GST_CAT_DEFAULT wrtc_ice_transport_debug

/* WebRTC uses one component: BUNDLE and rtcp-mux (RFC 8843, RFC 5761) */
#define COMPONENT_ID 1
/* SO_RCVBUF/SO_SNDBUF of the selected pair's socket (the kernel caps it to
 * net.core.rmem_max/wmem_max) */
#define SOCKET_BUFFER (1024 * 1024)

enum
{
  SIGNAL_ON_LOCAL_CANDIDATE,
  SIGNAL_ON_GATHERING_DONE,
  SIGNAL_STATE_CHANGED,
  SIGNAL_SELECTED_PAIR_CHANGED,
  LAST_SIGNAL
};
static guint signals[LAST_SIGNAL];

struct _GstWrtcIceTransport
{
  GObject parent;

  GMutex lock;
  /* immutable after construction; the agent lives until finalize */
  NiceAgent *agent;
  guint stream_id;
  gboolean controlling;

  /* set before gather, then read only; lock */
  GstWrtcIceReceiveFunc receive_func;
  GWeakRef owner;               /* passed to receive_func */
  gboolean relay_only;
  gboolean have_local_addresses;        /* add_local_address() was called */

  /* lock */
  gboolean gather_called;
  gboolean closed;
  GstWrtcIceTransportState state;
  GstWrtcIceGatheringState gathering_state;
  gboolean have_pair;
  GstWrtcIceCandidatePair pair;

  /* ICE thread only */
  NiceComponentState nice_state;
  gboolean gathering_started;   /* nice_agent_gather_candidates() ran */
  gboolean have_remote_credentials;
  GSList *pending_remote;       /* NiceCandidate, oldest first */
  gboolean remote_eoc_pending;  /* end-of-candidates not yet given */
  gboolean remote_eoc;          /* end-of-candidates given to the agent */
  gboolean consent_revoked;     /* revoke_consent() ran: ignore the agent */
};

G_DEFINE_TYPE_WITH_CODE (GstWrtcIceTransport, gst_wrtc_ice_transport,
    G_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (wrtc_ice_transport_debug, "wrtcicetransport", 0,
        "WebRTC ICE transport (libnice)"));

GType
gst_wrtc_ice_transport_state_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_WRTC_ICE_TRANSPORT_STATE_NEW, "Gathering or waiting for the peer",
        "new"},
    {GST_WRTC_ICE_TRANSPORT_STATE_CHECKING, "Checking candidate pairs",
        "checking"},
    {GST_WRTC_ICE_TRANSPORT_STATE_CONNECTED, "A usable pair was found",
        "connected"},
    {GST_WRTC_ICE_TRANSPORT_STATE_COMPLETED,
        "Both sides done, a pair selected", "completed"},
    {GST_WRTC_ICE_TRANSPORT_STATE_FAILED,
        "No usable pair, or consent lost", "failed"},
    {GST_WRTC_ICE_TRANSPORT_STATE_DISCONNECTED,
        "Connectivity lost for now", "disconnected"},
    {GST_WRTC_ICE_TRANSPORT_STATE_CLOSED, "Closed", "closed"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstWrtcIceTransportState", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

void
gst_wrtc_ice_candidate_pair_clear (GstWrtcIceCandidatePair * pair)
{
  g_clear_pointer (&pair->local.address, g_free);
  g_clear_pointer (&pair->remote.address, g_free);
  memset (pair, 0, sizeof (*pair));
}

/* ------------------------------------------------------------------------
 * State machine
 *
 * The one place the state changes: set_state(), through the helper
 * (gstwrtcfsm.h) and this table; runs on the ICE thread (libnice's
 * signals and the queued operations), close included.  Legal edges:
 *   new          -> checking      remote candidates and credentials known,
 *                                 checks started
 *   new          -> failed        gathering could not start, or the peer
 *                                 ended its candidates with none usable
 *   new          -> closed        close()
 *   checking     -> connected     a pair succeeded
 *   checking     -> failed        every pair failed, after end-of-candidates
 *   checking     -> closed        close()
 *   connected    -> completed     pair nominated, both sides' gathering done
 *   connected    -> disconnected  the agent lost the pair for now
 *   connected    -> failed        consent expired or revoked (RFC 7675),
 *                                 by the peer or by revoke_consent()
 *   connected    -> closed        close()
 *   completed    -> connected     the agent checks new pairs again
 *   completed    -> disconnected  as from connected
 *   completed    -> failed        as from connected
 *   completed    -> closed        close()
 *   disconnected -> checking      the agent checks again
 *   disconnected -> connected     a pair works again
 *   disconnected -> failed        consent expired
 *   disconnected -> closed        close()
 *   failed       -> closed        close()
 * closed is final; so is failed but for close (no ICE restart yet).
 *
 * Consent lost goes straight to failed: libnice reports an expired
 * (unanswered checks, RFC 7675 section 5.1) or revoked (403, section 5.2)
 * consent as a failed component, with no earlier sign, and from then on
 * RFC 7675 forbids sending: W3C's failed, not the transient disconnected.
 */
#define TO GST_WRTC_FSM_TO
static const gchar *const state_names[] = {
  [GST_WRTC_ICE_TRANSPORT_STATE_NEW] = "new",
  [GST_WRTC_ICE_TRANSPORT_STATE_CHECKING] = "checking",
  [GST_WRTC_ICE_TRANSPORT_STATE_CONNECTED] = "connected",
  [GST_WRTC_ICE_TRANSPORT_STATE_COMPLETED] = "completed",
  [GST_WRTC_ICE_TRANSPORT_STATE_FAILED] = "failed",
  [GST_WRTC_ICE_TRANSPORT_STATE_DISCONNECTED] = "disconnected",
  [GST_WRTC_ICE_TRANSPORT_STATE_CLOSED] = "closed",
};

static const guint32 state_edges[] = {
  [GST_WRTC_ICE_TRANSPORT_STATE_NEW] =
      TO (GST_WRTC_ICE_TRANSPORT_STATE_CHECKING)
      | TO (GST_WRTC_ICE_TRANSPORT_STATE_FAILED)
      | TO (GST_WRTC_ICE_TRANSPORT_STATE_CLOSED),
  [GST_WRTC_ICE_TRANSPORT_STATE_CHECKING] =
      TO (GST_WRTC_ICE_TRANSPORT_STATE_CONNECTED)
      | TO (GST_WRTC_ICE_TRANSPORT_STATE_FAILED)
      | TO (GST_WRTC_ICE_TRANSPORT_STATE_CLOSED),
  [GST_WRTC_ICE_TRANSPORT_STATE_CONNECTED] =
      TO (GST_WRTC_ICE_TRANSPORT_STATE_COMPLETED)
      | TO (GST_WRTC_ICE_TRANSPORT_STATE_DISCONNECTED)
      | TO (GST_WRTC_ICE_TRANSPORT_STATE_FAILED)
      | TO (GST_WRTC_ICE_TRANSPORT_STATE_CLOSED),
  [GST_WRTC_ICE_TRANSPORT_STATE_COMPLETED] =
      TO (GST_WRTC_ICE_TRANSPORT_STATE_CONNECTED)
      | TO (GST_WRTC_ICE_TRANSPORT_STATE_DISCONNECTED)
      | TO (GST_WRTC_ICE_TRANSPORT_STATE_FAILED)
      | TO (GST_WRTC_ICE_TRANSPORT_STATE_CLOSED),
  [GST_WRTC_ICE_TRANSPORT_STATE_FAILED] =
      TO (GST_WRTC_ICE_TRANSPORT_STATE_CLOSED),
  [GST_WRTC_ICE_TRANSPORT_STATE_DISCONNECTED] =
      TO (GST_WRTC_ICE_TRANSPORT_STATE_CHECKING)
      | TO (GST_WRTC_ICE_TRANSPORT_STATE_CONNECTED)
      | TO (GST_WRTC_ICE_TRANSPORT_STATE_FAILED)
      | TO (GST_WRTC_ICE_TRANSPORT_STATE_CLOSED),
  [GST_WRTC_ICE_TRANSPORT_STATE_CLOSED] = 0,
};

static const GstWrtcFsm state_machine = {
  "ice-transport", &wrtc_ice_transport_debug, G_N_ELEMENTS (state_names),
  state_names, state_edges
};

G_STATIC_ASSERT (G_N_ELEMENTS (state_edges) == G_N_ELEMENTS (state_names));

/* RTCIceGatheringState: new -> gathering (gather()), gathering -> complete
 * (the agent is done, or could not start); complete is final. */
static const gchar *const gathering_state_names[] = {
  [GST_WRTC_ICE_GATHERING_STATE_NEW] = "new",
  [GST_WRTC_ICE_GATHERING_STATE_GATHERING] = "gathering",
  [GST_WRTC_ICE_GATHERING_STATE_COMPLETE] = "complete",
};

static const guint32 gathering_state_edges[] = {
  [GST_WRTC_ICE_GATHERING_STATE_NEW] =
      TO (GST_WRTC_ICE_GATHERING_STATE_GATHERING),
  [GST_WRTC_ICE_GATHERING_STATE_GATHERING] =
      TO (GST_WRTC_ICE_GATHERING_STATE_COMPLETE),
  [GST_WRTC_ICE_GATHERING_STATE_COMPLETE] = 0,
};

#undef TO

static const GstWrtcFsm gathering_state_machine = {
  "ice-gathering", &wrtc_ice_transport_debug,
  G_N_ELEMENTS (gathering_state_names), gathering_state_names,
  gathering_state_edges
};

G_STATIC_ASSERT (G_N_ELEMENTS (gathering_state_edges) ==
    G_N_ELEMENTS (gathering_state_names));

const GstWrtcFsm *
gst_wrtc_ice_transport_state_machine (void)
{
  return &state_machine;
}

const GstWrtcFsm *
gst_wrtc_ice_gathering_state_machine (void)
{
  return &gathering_state_machine;
}

const gchar *
gst_wrtc_ice_transport_state_name (GstWrtcIceTransportState s)
{
  return gst_wrtc_fsm_state_name (&state_machine, s);
}

/* Called without the lock; emits "state-changed" after releasing it.  The
 * caller checks first when the edge may be illegal, so a refusal here is a
 * bug. */
static void
set_state (GstWrtcIceTransport * self, GstWrtcIceTransportState new_state)
{
  g_mutex_lock (&self->lock);
  if (!gst_wrtc_fsm_transition (&state_machine, self,
          self->controlling ? "controlling" : "controlled", self->state,
          new_state)) {
    g_mutex_unlock (&self->lock);
    return;
  }
  self->state = new_state;
  g_mutex_unlock (&self->lock);

  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, new_state);
}

/* With the lock. */
static void
set_gathering_state_locked (GstWrtcIceTransport * self,
    GstWrtcIceGatheringState new_state)
{
  if (gst_wrtc_fsm_transition (&gathering_state_machine, self, NULL,
          self->gathering_state, new_state))
    self->gathering_state = new_state;
}

static gboolean
is_closed (GstWrtcIceTransport * self)
{
  gboolean closed;

  g_mutex_lock (&self->lock);
  closed = self->closed;
  g_mutex_unlock (&self->lock);
  return closed;
}

/* W3C: completed once the agent has a nominated pair and nothing is left
 * to check, our gathering is done, and the peer said end-of-candidates.
 * ICE thread. */
static void
update_completed (GstWrtcIceTransport * self)
{
  gboolean gathered, can_complete;

  g_mutex_lock (&self->lock);
  gathered = self->gathering_state == GST_WRTC_ICE_GATHERING_STATE_COMPLETE;
  /* only from connected: not once consent is revoked, nor twice */
  can_complete = gst_wrtc_fsm_is_legal (&state_machine, self->state,
      GST_WRTC_ICE_TRANSPORT_STATE_COMPLETED);
  g_mutex_unlock (&self->lock);

  if (can_complete && self->nice_state == NICE_COMPONENT_STATE_READY
      && gathered && self->remote_eoc)
    set_state (self, GST_WRTC_ICE_TRANSPORT_STATE_COMPLETED);
}

/* libnice's handlers run on the ICE thread and hold a reference to the
 * transport while they emit its signals, in case a handler drops the
 * last one. */
static void
handle_component_state (GstWrtcIceTransport * self, guint stream_id,
    guint component_id, NiceComponentState nice_state);

static void
on_component_state_changed (NiceAgent * agent, guint stream_id,
    guint component_id, NiceComponentState nice_state, gpointer user_data)
{
  GstWrtcIceTransport *self = g_object_ref (user_data);

  handle_component_state (self, stream_id, component_id, nice_state);
  g_object_unref (self);
}

/* libnice's component states to RTCIceTransportState.  ICE thread. */
static void
handle_component_state (GstWrtcIceTransport * self, guint stream_id,
    guint component_id, NiceComponentState nice_state)
{
  GstWrtcIceTransportState cur;

  if (stream_id != self->stream_id || component_id != COMPONENT_ID)
    return;
  GST_DEBUG_OBJECT (self, "libnice component %s -> %s",
      nice_component_state_to_string (self->nice_state),
      nice_component_state_to_string (nice_state));
  self->nice_state = nice_state;
  if (self->consent_revoked)
    return;
  cur = gst_wrtc_ice_transport_get_state (self);
  /* failed is final but for close, and closed is final: nothing the agent
   * says changes them */
  if (cur == GST_WRTC_ICE_TRANSPORT_STATE_FAILED
      || cur == GST_WRTC_ICE_TRANSPORT_STATE_CLOSED)
    return;

  switch (nice_state) {
    case NICE_COMPONENT_STATE_DISCONNECTED:
      if (cur == GST_WRTC_ICE_TRANSPORT_STATE_CONNECTED
          || cur == GST_WRTC_ICE_TRANSPORT_STATE_COMPLETED)
        set_state (self, GST_WRTC_ICE_TRANSPORT_STATE_DISCONNECTED);
      break;
    case NICE_COMPONENT_STATE_GATHERING:
      break;
    case NICE_COMPONENT_STATE_CONNECTING:
      /* after connected, the agent checks newly trickled pairs while the
       * selected one keeps working: stay connected */
      if (cur == GST_WRTC_ICE_TRANSPORT_STATE_NEW
          || cur == GST_WRTC_ICE_TRANSPORT_STATE_DISCONNECTED)
        set_state (self, GST_WRTC_ICE_TRANSPORT_STATE_CHECKING);
      break;
    case NICE_COMPONENT_STATE_CONNECTED:
      if (cur == GST_WRTC_ICE_TRANSPORT_STATE_NEW)
        set_state (self, GST_WRTC_ICE_TRANSPORT_STATE_CHECKING);
      set_state (self, GST_WRTC_ICE_TRANSPORT_STATE_CONNECTED);
      break;
    case NICE_COMPONENT_STATE_READY:
      if (cur == GST_WRTC_ICE_TRANSPORT_STATE_NEW)
        set_state (self, GST_WRTC_ICE_TRANSPORT_STATE_CHECKING);
      if (cur != GST_WRTC_ICE_TRANSPORT_STATE_COMPLETED)
        set_state (self, GST_WRTC_ICE_TRANSPORT_STATE_CONNECTED);
      update_completed (self);
      break;
    case NICE_COMPONENT_STATE_FAILED:
      set_state (self, GST_WRTC_ICE_TRANSPORT_STATE_FAILED);
      break;
    default:
      break;
  }
}

/* ------------------------------------------------------------------------
 * Candidates: libnice's and ours (gstwrtcicecandidate.h)
 */
static GstWrtcIceCandidateType
type_from_nice (NiceCandidateType type)
{
  switch (type) {
    case NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE:
      return GST_WRTC_ICE_CANDIDATE_TYPE_SRFLX;
    case NICE_CANDIDATE_TYPE_PEER_REFLEXIVE:
      return GST_WRTC_ICE_CANDIDATE_TYPE_PRFLX;
    case NICE_CANDIDATE_TYPE_RELAYED:
      return GST_WRTC_ICE_CANDIDATE_TYPE_RELAY;
    default:
      return GST_WRTC_ICE_CANDIDATE_TYPE_HOST;
  }
}

static NiceCandidateType
type_to_nice (GstWrtcIceCandidateType type)
{
  switch (type) {
    case GST_WRTC_ICE_CANDIDATE_TYPE_SRFLX:
      return NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE;
    case GST_WRTC_ICE_CANDIDATE_TYPE_PRFLX:
      return NICE_CANDIDATE_TYPE_PEER_REFLEXIVE;
    case GST_WRTC_ICE_CANDIDATE_TYPE_RELAY:
      return NICE_CANDIDATE_TYPE_RELAYED;
    default:
      return NICE_CANDIDATE_TYPE_HOST;
  }
}

/* What libnice's SDP writer said, as fields: a port of 0 (an active TCP
 * candidate's) is written 9 (RFC 6544 section 4.5), and the base of a
 * reflexive or relayed candidate is its related address. */
static GstWrtcIceCandidate *
candidate_from_nice (const NiceCandidate * nc)
{
  GstWrtcIceCandidate *c = gst_wrtc_ice_candidate_new ();
  gchar ip[NICE_ADDRESS_STRING_LEN];
  guint port;

  c->foundation = g_strndup (nc->foundation, NICE_CANDIDATE_MAX_FOUNDATION);
  c->component = nc->component_id;
  c->priority = nc->priority;
  nice_address_to_string (&nc->addr, ip);
  c->address = g_strdup (ip);
  port = nice_address_get_port (&nc->addr);
  c->port = port ? port : 9;
  c->type = type_from_nice (nc->type);
  switch (nc->transport) {
    case NICE_CANDIDATE_TRANSPORT_TCP_ACTIVE:
      c->protocol = GST_WRTC_ICE_PROTOCOL_TCP;
      c->tcp_type = GST_WRTC_ICE_TCP_TYPE_ACTIVE;
      break;
    case NICE_CANDIDATE_TRANSPORT_TCP_PASSIVE:
      c->protocol = GST_WRTC_ICE_PROTOCOL_TCP;
      c->tcp_type = GST_WRTC_ICE_TCP_TYPE_PASSIVE;
      break;
    case NICE_CANDIDATE_TRANSPORT_TCP_SO:
      c->protocol = GST_WRTC_ICE_PROTOCOL_TCP;
      c->tcp_type = GST_WRTC_ICE_TCP_TYPE_SO;
      break;
    default:
      c->protocol = GST_WRTC_ICE_PROTOCOL_UDP;
      break;
  }
  if (nice_address_is_valid (&nc->base_addr)
      && !nice_address_equal (&nc->addr, &nc->base_addr)) {
    nice_address_to_string (&nc->base_addr, ip);
    c->related_address = g_strdup (ip);
    port = nice_address_get_port (&nc->base_addr);
    c->related_port = port ? port : 9;
  }
  return c;
}

/* The candidate libnice checks, or NULL with @error: names (mDNS, FQDN)
 * are not resolved (RFC 8839 section 5.1 allows them), a TCP candidate
 * needs its tcptype (RFC 6544 section 4.5).  The related address is only
 * informative (RFC 8445 section 5.1.2); libnice keeps it when given. */
static NiceCandidate *
candidate_to_nice (const GstWrtcIceCandidate * c, guint stream_id,
    GError ** error)
{
  NiceCandidate *nc;
  NiceCandidateTransport transport = NICE_CANDIDATE_TRANSPORT_UDP;
  GInetAddress *addr;

  if (!c->foundation || !c->address
      || !gst_wrtc_ice_is_ice_chars (c->foundation, 1,
          NICE_CANDIDATE_MAX_FOUNDATION - 1) || c->port > 65535)
    goto malformed;
  addr = g_inet_address_new_from_string (c->address);
  if (!addr) {
    if (g_str_has_suffix (c->address, ".local")
        || g_str_has_suffix (c->address, ".local."))
      goto mdns;
    goto hostname;
  }
  g_object_unref (addr);
  if (c->protocol == GST_WRTC_ICE_PROTOCOL_TCP) {
    switch (c->tcp_type) {
      case GST_WRTC_ICE_TCP_TYPE_ACTIVE:
        transport = NICE_CANDIDATE_TRANSPORT_TCP_ACTIVE;
        break;
      case GST_WRTC_ICE_TCP_TYPE_PASSIVE:
        transport = NICE_CANDIDATE_TRANSPORT_TCP_PASSIVE;
        break;
      case GST_WRTC_ICE_TCP_TYPE_SO:
        transport = NICE_CANDIDATE_TRANSPORT_TCP_SO;
        break;
      default:
        goto no_tcptype;
    }
  }

  nc = nice_candidate_new (type_to_nice (c->type));
  nc->stream_id = stream_id;
  nc->component_id = c->component;
  nc->transport = transport;
  nc->priority = c->priority;
  g_strlcpy (nc->foundation, c->foundation, NICE_CANDIDATE_MAX_FOUNDATION);
  nice_address_set_from_string (&nc->addr, c->address);
  nice_address_set_port (&nc->addr, c->port);
  if (c->related_address && c->related_port > 0
      && c->related_port <= 65535
      && nice_address_set_from_string (&nc->base_addr, c->related_address))
    nice_address_set_port (&nc->base_addr, c->related_port);
  else
    nice_address_init (&nc->base_addr);
  return nc;

  /* ERRORS */
malformed:
  g_set_error (error, GST_WRTC_ICE_ERROR,
      GST_WRTC_ICE_ERROR_MALFORMED_CANDIDATE,
      "malformed candidate: foundation \"%s\", address \"%s\", port %u",
      c->foundation ? c->foundation : "(null)",
      c->address ? c->address : "(null)", c->port);
  return NULL;
mdns:
  g_set_error (error, GST_WRTC_ICE_ERROR, GST_WRTC_ICE_ERROR_UNSUPPORTED,
      "mDNS candidate address %s (RFC 8839 section 5.1, "
      "draft-ietf-mmusic-mdns-ice-candidates) is not supported", c->address);
  return NULL;
hostname:
  g_set_error (error, GST_WRTC_ICE_ERROR, GST_WRTC_ICE_ERROR_UNSUPPORTED,
      "candidate address %s is a hostname, only IP addresses are "
      "supported", c->address);
  return NULL;
no_tcptype:
  g_set_error (error, GST_WRTC_ICE_ERROR,
      GST_WRTC_ICE_ERROR_MALFORMED_CANDIDATE,
      "TCP candidate %s:%u without a tcptype (RFC 6544 section 4.5)",
      c->address, c->port);
  return NULL;
}

static void
on_new_candidate (NiceAgent * agent, NiceCandidate * candidate,
    gpointer user_data)
{
  GstWrtcIceTransport *self = user_data;
  GstWrtcIceCandidate *c;

  if (candidate->stream_id != self->stream_id
      || candidate->component_id != COMPONENT_ID)
    return;
  /* force-relay keeps host candidates as the relay's base; never offer
   * them (W3C iceTransportPolicy "relay") */
  if (self->relay_only && candidate->type != NICE_CANDIDATE_TYPE_RELAYED)
    return;

  c = candidate_from_nice (candidate);
  GST_DEBUG_OBJECT (self, "local candidate %s %s %s:%u",
      gst_wrtc_ice_protocol_to_string (c->protocol),
      gst_wrtc_ice_candidate_type_to_string (c->type), c->address, c->port);
  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_ON_LOCAL_CANDIDATE], 0, c);
  g_object_unref (self);
  gst_wrtc_ice_candidate_free (c);
}

static void
on_gathering_done (NiceAgent * agent, guint stream_id, gpointer user_data)
{
  GstWrtcIceTransport *self = user_data;

  if (stream_id != self->stream_id)
    return;
  g_mutex_lock (&self->lock);
  set_gathering_state_locked (self, GST_WRTC_ICE_GATHERING_STATE_COMPLETE);
  g_mutex_unlock (&self->lock);
  GST_DEBUG_OBJECT (self, "gathering done");
  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_ON_GATHERING_DONE], 0);
  update_completed (self);
  g_object_unref (self);
}

static void
candidate_info_set (GstWrtcIceCandidateInfo * info, NiceCandidate * c)
{
  gchar ip[NICE_ADDRESS_STRING_LEN];

  nice_address_to_string (&c->addr, ip);
  g_free (info->address);
  info->address = g_strdup (ip);
  info->port = nice_address_get_port (&c->addr);
  info->type = gst_wrtc_ice_candidate_type_to_string (type_from_nice (c->type));
  info->protocol = c->transport == NICE_CANDIDATE_TRANSPORT_UDP ? "udp" : "tcp";
  info->priority = c->priority;
}

/* The kernel's default UDP buffer (net.core.rmem_default, 208 KiB here)
 * holds about 90 full-size datagrams: a data channel's burst (its SCTP
 * window is 1 MiB) or a keyframe overflows it, the kernel drops what does
 * not fit, and SCTP's loss recovery halves its window.  1 MiB holds the
 * whole SCTP window: on loopback (bench/dc-throughput) 0.3% of the
 * datagrams were dropped before, none after.  ICE thread. */
static void
enlarge_socket_buffers (GstWrtcIceTransport * self, NiceAgent * agent)
{
  GSocket *sock = nice_agent_get_selected_socket (agent, self->stream_id,
      COMPONENT_ID);
  GError *err = NULL;

  if (!sock)
    return;
  if (!g_socket_set_option (sock, SOL_SOCKET, SO_RCVBUF, SOCKET_BUFFER, &err)
      || !g_socket_set_option (sock, SOL_SOCKET, SO_SNDBUF, SOCKET_BUFFER,
          &err)) {
    GST_DEBUG_OBJECT (self, "socket buffers left as they are: %s",
        err->message);
    g_clear_error (&err);
  }
  g_object_unref (sock);
}

static void
on_new_selected_pair (NiceAgent * agent, guint stream_id, guint component_id,
    NiceCandidate * local, NiceCandidate * remote, gpointer user_data)
{
  GstWrtcIceTransport *self = user_data;

  if (stream_id != self->stream_id || component_id != COMPONENT_ID)
    return;
  g_mutex_lock (&self->lock);
  candidate_info_set (&self->pair.local, local);
  candidate_info_set (&self->pair.remote, remote);
  self->have_pair = TRUE;
  GST_INFO_OBJECT (self, "selected pair %s %s:%u -> %s %s:%u",
      self->pair.local.type, self->pair.local.address, self->pair.local.port,
      self->pair.remote.type, self->pair.remote.address,
      self->pair.remote.port);
  g_mutex_unlock (&self->lock);
  enlarge_socket_buffers (self, agent);
  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_SELECTED_PAIR_CHANGED], 0);
  g_object_unref (self);
}

/* libnice's receive callback: ICE thread, no lock held. */
static void
on_receive (NiceAgent * agent, guint stream_id, guint component_id,
    guint len, gchar * buf, gpointer user_data)
{
  GstWrtcIceTransport *self = user_data;
  GstWrtcIceReceiveFunc func;
  GObject *owner = NULL;

  g_mutex_lock (&self->lock);
  func = self->receive_func;
  if (func && !self->closed)
    owner = g_weak_ref_get (&self->owner);
  g_mutex_unlock (&self->lock);

  if (owner) {
    func ((const guint8 *) buf, len, owner);
    g_object_unref (owner);
  }
}

/* ------------------------------------------------------------------------
 * Operations queued to the ICE thread
 */
typedef struct
{
  GstWrtcIceTransport *self;
  NiceCandidate *candidate;
  gchar *ufrag, *pwd;
} Op;

static void
op_free (gpointer data)
{
  Op *op = data;

  g_object_unref (op->self);
  if (op->candidate)
    nice_candidate_free (op->candidate);
  g_free (op->ufrag);
  g_free (op->pwd);
  g_free (op);
}

static Op *
op_new (GstWrtcIceTransport * self)
{
  Op *op = g_new0 (Op, 1);

  op->self = g_object_ref (self);
  return op;
}

static void
queue_op (GSourceFunc func, Op * op)
{
  gst_wrtc_ice_context_invoke (func, op, op_free);
}

/* Hands the agent what it can use now: remote candidates and the peer's
 * end-of-candidates need both the remote credentials and a started
 * gathering.  ICE thread. */
static void
flush_remote (GstWrtcIceTransport * self)
{
  if (!self->have_remote_credentials || !self->gathering_started)
    return;

  if (self->pending_remote) {
    gint n = nice_agent_set_remote_candidates (self->agent, self->stream_id,
        COMPONENT_ID, self->pending_remote);

    GST_DEBUG_OBJECT (self, "added %d of %u remote candidates", n,
        g_slist_length (self->pending_remote));
    g_slist_free_full (self->pending_remote,
        (GDestroyNotify) nice_candidate_free);
    self->pending_remote = NULL;
  }
  if (self->remote_eoc_pending) {
    /* RFC 8838 section 8.2 */
    self->remote_eoc_pending = FALSE;
    self->remote_eoc = TRUE;
    GST_DEBUG_OBJECT (self, "remote end-of-candidates");
    nice_agent_peer_candidate_gathering_done (self->agent, self->stream_id);
    update_completed (self);
  }
}

/* RFC 8445 section 5.1.1.1 gathers host candidates on every interface,
 * and libnice leaves loopback out unless given its addresses.  When
 * loopback is all there is (a container without a network, a private
 * namespace) that is no candidate at all and no peer can ever connect:
 * gather on the loopback addresses that are up (127.0.0.1, ::1) then.
 * Nothing changes when the application chose addresses or when any other
 * interface is up.  ICE thread, before gathering. */
static void
add_loopback_when_alone (GstWrtcIceTransport * self)
{
  GList *ips, *l;
  gboolean chosen;

  g_mutex_lock (&self->lock);
  chosen = self->have_local_addresses;
  g_mutex_unlock (&self->lock);
  if (chosen)
    return;
  ips = nice_interfaces_get_local_ips (FALSE);
  if (ips) {
    g_list_free_full (ips, g_free);
    return;
  }

  ips = nice_interfaces_get_local_ips (TRUE);
  for (l = ips; l; l = l->next) {
    GInetAddress *inet = g_inet_address_new_from_string (l->data);
    NiceAddress addr;

    nice_address_init (&addr);
    if (inet && g_inet_address_get_is_loopback (inet)
        && nice_address_set_from_string (&addr, l->data)
        && nice_agent_add_local_address (self->agent, &addr))
      GST_INFO_OBJECT (self, "no interface but loopback: gathering on %s",
          (const gchar *) l->data);
    g_clear_object (&inet);
  }
  g_list_free_full (ips, g_free);
}

static gboolean
op_gather (gpointer data)
{
  GstWrtcIceTransport *self = ((Op *) data)->self;

  if (is_closed (self))
    return G_SOURCE_REMOVE;
  add_loopback_when_alone (self);
  if (!nice_agent_gather_candidates (self->agent, self->stream_id)) {
    GST_WARNING_OBJECT (self, "libnice could not start gathering: no usable "
        "local address");
    g_mutex_lock (&self->lock);
    set_gathering_state_locked (self, GST_WRTC_ICE_GATHERING_STATE_COMPLETE);
    g_mutex_unlock (&self->lock);
    g_signal_emit (self, signals[SIGNAL_ON_GATHERING_DONE], 0);
    set_state (self, GST_WRTC_ICE_TRANSPORT_STATE_FAILED);
    return G_SOURCE_REMOVE;
  }
  self->gathering_started = TRUE;
  flush_remote (self);
  return G_SOURCE_REMOVE;
}

static gboolean
op_set_remote_credentials (gpointer data)
{
  Op *op = data;
  GstWrtcIceTransport *self = op->self;

  if (is_closed (self))
    return G_SOURCE_REMOVE;
  nice_agent_set_remote_credentials (self->agent, self->stream_id, op->ufrag,
      op->pwd);
  self->have_remote_credentials = TRUE;
  flush_remote (self);
  return G_SOURCE_REMOVE;
}

static gboolean
op_add_remote_candidate (gpointer data)
{
  Op *op = data;
  GstWrtcIceTransport *self = op->self;

  if (is_closed (self))
    return G_SOURCE_REMOVE;
  self->pending_remote = g_slist_append (self->pending_remote, op->candidate);
  op->candidate = NULL;
  flush_remote (self);
  return G_SOURCE_REMOVE;
}

static gboolean
op_remote_end_of_candidates (gpointer data)
{
  GstWrtcIceTransport *self = ((Op *) data)->self;

  if (is_closed (self) || self->remote_eoc)
    return G_SOURCE_REMOVE;
  self->remote_eoc_pending = TRUE;
  flush_remote (self);
  return G_SOURCE_REMOVE;
}

static gboolean
op_revoke_consent (gpointer data)
{
  GstWrtcIceTransport *self = ((Op *) data)->self;

  if (is_closed (self))
    return G_SOURCE_REMOVE;
  /* RFC 7675 section 5.2: answer the peer's consent checks with 403.
   * libnice keeps our component as it was; the session is over for both
   * sides, so ours fails here and ignores the agent from now on. */
  GST_INFO_OBJECT (self, "revoking consent");
  self->consent_revoked = TRUE;
  nice_agent_consent_lost (self->agent, self->stream_id, COMPONENT_ID);
  set_state (self, GST_WRTC_ICE_TRANSPORT_STATE_FAILED);
  return G_SOURCE_REMOVE;
}

/* ICE thread, once the agent has deleted its TURN allocations. */
static void
on_agent_closed (GObject * source, GAsyncResult * res, gpointer user_data)
{
  NiceAgent *agent = NICE_AGENT (source);

  GST_DEBUG ("agent %p closed", agent);
  nice_agent_remove_stream (agent, GPOINTER_TO_UINT (user_data));
  g_object_unref (agent);
  gst_wrtc_ice_context_close_done ();
}

/* ICE thread: what arrives while the agent closes.  A receive callback
 * must stay attached: libnice reads a component's sockets only while one
 * is (or a blocking receive waits), and the TURN server's answers to the
 * deleting Refreshes come in on them; without it libnice never sees them
 * and retransmits until its STUN timer gives up (2 s). */
static void
drop_received (NiceAgent * agent, guint stream_id, guint component_id,
    guint len, gchar * buf, gpointer data)
{
}

/* ICE thread (invoked synchronously by close()). */
static gboolean
close_on_ice_thread (gpointer data)
{
  GstWrtcIceTransport *self = data;

  g_mutex_lock (&self->lock);
  if (self->closed) {
    g_mutex_unlock (&self->lock);
    return G_SOURCE_REMOVE;
  }
  self->closed = TRUE;
  g_mutex_unlock (&self->lock);

  /* no signal from the agent reaches us after this */
  g_signal_handlers_disconnect_by_data (self->agent, self);
  nice_agent_attach_recv (self->agent, self->stream_id, COMPONENT_ID,
      gst_wrtc_ice_context_get (), drop_received, NULL);
  g_slist_free_full (self->pending_remote,
      (GDestroyNotify) nice_candidate_free);
  self->pending_remote = NULL;
  /* deletes the TURN allocations (a Refresh with lifetime 0, RFC 8656
   * section 7), then closes the sockets: the agent outlives us until then */
  g_object_ref (self->agent);
  gst_wrtc_ice_context_close_begun ();
  nice_agent_close_async (self->agent, on_agent_closed,
      GUINT_TO_POINTER (self->stream_id));

  set_state (self, GST_WRTC_ICE_TRANSPORT_STATE_CLOSED);
  return G_SOURCE_REMOVE;
}

/* The IP literal libnice wants; resolves names in the calling thread. */
static gchar *
resolve_host (const gchar * host, GError ** error)
{
  GInetAddress *addr = g_inet_address_new_from_string (host);
  GResolver *resolver;
  GList *addrs;
  gchar *ip;

  if (addr) {
    ip = g_inet_address_to_string (addr);
    g_object_unref (addr);
    return ip;
  }
  resolver = g_resolver_get_default ();
  addrs = g_resolver_lookup_by_name (resolver, host, NULL, error);
  g_object_unref (resolver);
  if (!addrs)
    return NULL;
  ip = g_inet_address_to_string (addrs->data);
  g_resolver_free_addresses (addrs);
  return ip;
}

/* ------------------------------------------------------------------------
 * GObject
 */
static void
gst_wrtc_ice_transport_init (GstWrtcIceTransport * self)
{
  g_mutex_init (&self->lock);
  g_weak_ref_init (&self->owner, NULL);
  self->state = GST_WRTC_ICE_TRANSPORT_STATE_NEW;
  self->gathering_state = GST_WRTC_ICE_GATHERING_STATE_NEW;
  self->nice_state = NICE_COMPONENT_STATE_DISCONNECTED;
}

static void
gst_wrtc_ice_transport_dispose (GObject * object)
{
  gst_wrtc_ice_transport_close (GST_WRTC_ICE_TRANSPORT (object));
  G_OBJECT_CLASS (gst_wrtc_ice_transport_parent_class)->dispose (object);
}

static void
gst_wrtc_ice_transport_finalize (GObject * object)
{
  GstWrtcIceTransport *self = GST_WRTC_ICE_TRANSPORT (object);

  g_object_unref (self->agent);
  gst_wrtc_ice_candidate_pair_clear (&self->pair);
  g_weak_ref_clear (&self->owner);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (gst_wrtc_ice_transport_parent_class)->finalize (object);
}

static void
gst_wrtc_ice_transport_class_init (GstWrtcIceTransportClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->dispose = gst_wrtc_ice_transport_dispose;
  gobject_class->finalize = gst_wrtc_ice_transport_finalize;

  signals[SIGNAL_ON_LOCAL_CANDIDATE] = g_signal_new ("on-local-candidate",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, GST_WRTC_TYPE_ICE_CANDIDATE | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SIGNAL_ON_GATHERING_DONE] = g_signal_new ("on-gathering-done",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 0);
  signals[SIGNAL_STATE_CHANGED] = g_signal_new ("state-changed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, GST_WRTC_TYPE_ICE_TRANSPORT_STATE);
  signals[SIGNAL_SELECTED_PAIR_CHANGED] =
      g_signal_new ("selected-pair-changed", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

GstWrtcIceTransport *
gst_wrtc_ice_transport_new (gboolean controlling)
{
  GstWrtcIceTransport *self = g_object_new (GST_WRTC_TYPE_ICE_TRANSPORT,
      NULL);

  self->controlling = controlling;
  self->agent = nice_agent_new_full (gst_wrtc_ice_context_get (),
      NICE_COMPATIBILITY_RFC5245, NICE_AGENT_OPTION_ICE_TRICKLE
      | NICE_AGENT_OPTION_CONSENT_FRESHNESS
      | NICE_AGENT_OPTION_REGULAR_NOMINATION);
  /* RFC 8445 section 14.2: Ta may go down to 5 ms; libnice's 20 ms costs
   * a tick before the first check and two more before nomination, about
   * 60 ms of a viewer's start-up, for a handful of checks per session */
  g_object_set (self->agent, "controlling-mode", controlling, "upnp", FALSE,
      "ice-tcp", FALSE, "stun-pacing-timer", 5, NULL);
  self->stream_id = nice_agent_add_stream (self->agent, 1);

  g_signal_connect (self->agent, "new-candidate-full",
      G_CALLBACK (on_new_candidate), self);
  g_signal_connect (self->agent, "candidate-gathering-done",
      G_CALLBACK (on_gathering_done), self);
  g_signal_connect (self->agent, "component-state-changed",
      G_CALLBACK (on_component_state_changed), self);
  g_signal_connect (self->agent, "new-selected-pair-full",
      G_CALLBACK (on_new_selected_pair), self);
  nice_agent_attach_recv (self->agent, self->stream_id, COMPONENT_ID,
      gst_wrtc_ice_context_get (), on_receive, self);

  GST_DEBUG_OBJECT (self, "new %s transport, agent %p stream %u",
      controlling ? "controlling" : "controlled", self->agent, self->stream_id);
  return self;
}

/* TRUE when configuration may still change; else sets @error. */
static gboolean
check_before_gather (GstWrtcIceTransport * self, GError ** error)
{
  gboolean ok;

  g_mutex_lock (&self->lock);
  ok = !self->gather_called && !self->closed;
  g_mutex_unlock (&self->lock);
  if (!ok)
    g_set_error (error, GST_WRTC_ICE_ERROR, GST_WRTC_ICE_ERROR_WRONG_STATE,
        "the transport is already gathering or closed");
  return ok;
}

gboolean
gst_wrtc_ice_transport_set_stun_server (GstWrtcIceTransport * self,
    const gchar * uri, GError ** error)
{
  GstWrtcIceServer *server;
  gchar *ip;

  g_return_val_if_fail (GST_WRTC_IS_ICE_TRANSPORT (self), FALSE);

  if (!check_before_gather (self, error))
    return FALSE;
  if (!uri) {
    g_object_set (self->agent, "stun-server", NULL, NULL);
    return TRUE;
  }
  server = gst_wrtc_ice_server_parse (uri, NULL, NULL, error);
  if (!server)
    return FALSE;
  if (server->scheme != GST_WRTC_ICE_SERVER_STUN) {
    g_set_error (error, GST_WRTC_ICE_ERROR,
        GST_WRTC_ICE_ERROR_INVALID_ARGUMENT,
        "unsupported STUN server URI \"%s\": expected stun:HOST[:PORT]", uri);
    gst_wrtc_ice_server_free (server);
    return FALSE;
  }
  ip = resolve_host (server->host, error);
  if (!ip) {
    gst_wrtc_ice_server_free (server);
    return FALSE;
  }
  GST_DEBUG_OBJECT (self, "STUN server %s:%u", ip,
      gst_wrtc_ice_server_get_port (server));
  g_object_set (self->agent, "stun-server", ip, "stun-server-port",
      gst_wrtc_ice_server_get_port (server), NULL);
  g_free (ip);
  gst_wrtc_ice_server_free (server);
  return TRUE;
}

/* RFC 7065 section 3: transport=udp (the default) is a UDP relay reached
 * over UDP, transport=tcp one reached over TCP; turns: is TLS over TCP */
gboolean
gst_wrtc_ice_transport_add_turn_server (GstWrtcIceTransport * self,
    const gchar * uri, const gchar * username, const gchar * credential,
    GError ** error)
{
  GstWrtcIceServer *server;
  NiceRelayType type;
  gchar *ip = NULL;
  gboolean ret = FALSE;

  g_return_val_if_fail (GST_WRTC_IS_ICE_TRANSPORT (self), FALSE);

  if (!check_before_gather (self, error))
    return FALSE;
  server = gst_wrtc_ice_server_parse (uri, username, credential, error);
  if (!server)
    return FALSE;

  switch (server->scheme) {
    case GST_WRTC_ICE_SERVER_TURN:
      type = server->transport == GST_WRTC_ICE_SERVER_TRANSPORT_TCP ?
          NICE_RELAY_TYPE_TURN_TCP : NICE_RELAY_TYPE_TURN_UDP;
      break;
    case GST_WRTC_ICE_SERVER_TURNS:
      type = NICE_RELAY_TYPE_TURN_TLS;
      break;
    default:
      g_set_error (error, GST_WRTC_ICE_ERROR,
          GST_WRTC_ICE_ERROR_INVALID_ARGUMENT, "unsupported TURN server URI "
          "\"%s\": expected turn: or turns: (RFC 7065)", uri);
      goto done;
  }
  ip = resolve_host (server->host, error);
  if (!ip)
    goto done;

  GST_DEBUG_OBJECT (self, "TURN server %s:%u (%s)", ip,
      gst_wrtc_ice_server_get_port (server),
      type == NICE_RELAY_TYPE_TURN_UDP ? "udp" :
      type == NICE_RELAY_TYPE_TURN_TCP ? "tcp" : "tls");
  if (!nice_agent_set_relay_info (self->agent, self->stream_id, COMPONENT_ID,
          ip, gst_wrtc_ice_server_get_port (server), server->username,
          server->credential, type)) {
    g_set_error (error, GST_WRTC_ICE_ERROR, GST_WRTC_ICE_ERROR_FAILED,
        "libnice refused TURN server \"%s\"", uri);
    goto done;
  }
  ret = TRUE;

done:
  g_free (ip);
  gst_wrtc_ice_server_free (server);
  return ret;
}

gboolean
gst_wrtc_ice_transport_add_local_address (GstWrtcIceTransport * self,
    const gchar * address, GError ** error)
{
  NiceAddress addr;

  g_return_val_if_fail (GST_WRTC_IS_ICE_TRANSPORT (self), FALSE);

  if (!check_before_gather (self, error))
    return FALSE;
  nice_address_init (&addr);
  if (!address || !nice_address_set_from_string (&addr, address)) {
    g_set_error (error, GST_WRTC_ICE_ERROR,
        GST_WRTC_ICE_ERROR_INVALID_ARGUMENT,
        "\"%s\" is not an IP address", address ? address : "(null)");
    return FALSE;
  }
  if (!nice_agent_add_local_address (self->agent, &addr)) {
    g_set_error (error, GST_WRTC_ICE_ERROR, GST_WRTC_ICE_ERROR_FAILED,
        "libnice refused local address %s", address);
    return FALSE;
  }
  g_mutex_lock (&self->lock);
  self->have_local_addresses = TRUE;
  g_mutex_unlock (&self->lock);
  GST_DEBUG_OBJECT (self, "gathering on %s", address);
  return TRUE;
}

void
gst_wrtc_ice_transport_set_relay_only (GstWrtcIceTransport * self,
    gboolean relay_only)
{
  g_return_if_fail (GST_WRTC_IS_ICE_TRANSPORT (self));
  g_return_if_fail (check_before_gather (self, NULL));

  g_mutex_lock (&self->lock);
  self->relay_only = relay_only;
  g_mutex_unlock (&self->lock);
  g_object_set (self->agent, "force-relay", relay_only, NULL);
}

void
gst_wrtc_ice_transport_set_ice_tcp (GstWrtcIceTransport * self,
    gboolean ice_tcp)
{
  g_return_if_fail (GST_WRTC_IS_ICE_TRANSPORT (self));
  g_return_if_fail (check_before_gather (self, NULL));

  g_object_set (self->agent, "ice-tcp", ice_tcp, NULL);
}

void
gst_wrtc_ice_transport_set_receive_callback (GstWrtcIceTransport * self,
    GstWrtcIceReceiveFunc func, GObject * owner)
{
  g_return_if_fail (GST_WRTC_IS_ICE_TRANSPORT (self));

  g_mutex_lock (&self->lock);
  self->receive_func = func;
  g_weak_ref_set (&self->owner, owner);
  g_mutex_unlock (&self->lock);
}

void
gst_wrtc_ice_transport_get_local_credentials (GstWrtcIceTransport * self,
    gchar ** ufrag, gchar ** pwd)
{
  gchar *u = NULL, *p = NULL;

  g_return_if_fail (GST_WRTC_IS_ICE_TRANSPORT (self));

  nice_agent_get_local_credentials (self->agent, self->stream_id, &u, &p);
  if (ufrag)
    *ufrag = u;
  else
    g_free (u);
  if (pwd)
    *pwd = p;
  else
    g_free (p);
}

gboolean
gst_wrtc_ice_transport_gather (GstWrtcIceTransport * self, GError ** error)
{
  g_return_val_if_fail (GST_WRTC_IS_ICE_TRANSPORT (self), FALSE);

  g_mutex_lock (&self->lock);
  if (self->closed || self->gather_called) {
    g_mutex_unlock (&self->lock);
    g_set_error (error, GST_WRTC_ICE_ERROR, GST_WRTC_ICE_ERROR_WRONG_STATE,
        self->closed ? "the transport is closed" : "already gathering");
    return FALSE;
  }
  self->gather_called = TRUE;
  set_gathering_state_locked (self, GST_WRTC_ICE_GATHERING_STATE_GATHERING);
  g_mutex_unlock (&self->lock);

  queue_op (op_gather, op_new (self));
  return TRUE;
}

gboolean
gst_wrtc_ice_transport_set_remote_credentials (GstWrtcIceTransport * self,
    const gchar * ufrag, const gchar * pwd, GError ** error)
{
  Op *op;

  g_return_val_if_fail (GST_WRTC_IS_ICE_TRANSPORT (self), FALSE);

  /* RFC 8839 section 5.4 */
  if (!ufrag || !gst_wrtc_ice_is_ice_chars (ufrag, 4, 256)) {
    g_set_error (error, GST_WRTC_ICE_ERROR,
        GST_WRTC_ICE_ERROR_INVALID_ARGUMENT,
        "ice-ufrag must be 4 to 256 ice-chars (RFC 8839 section 5.4)");
    return FALSE;
  }
  if (!pwd || !gst_wrtc_ice_is_ice_chars (pwd, 22, 256)) {
    g_set_error (error, GST_WRTC_ICE_ERROR,
        GST_WRTC_ICE_ERROR_INVALID_ARGUMENT,
        "ice-pwd must be 22 to 256 ice-chars (RFC 8839 section 5.4)");
    return FALSE;
  }
  if (is_closed (self)) {
    g_set_error (error, GST_WRTC_ICE_ERROR, GST_WRTC_ICE_ERROR_CLOSED,
        "the transport is closed");
    return FALSE;
  }
  op = op_new (self);
  op->ufrag = g_strdup (ufrag);
  op->pwd = g_strdup (pwd);
  queue_op (op_set_remote_credentials, op);
  return TRUE;
}

gboolean
gst_wrtc_ice_transport_add_remote_candidate (GstWrtcIceTransport * self,
    const GstWrtcIceCandidate * candidate, GError ** error)
{
  NiceCandidate *c;
  Op *op;

  g_return_val_if_fail (GST_WRTC_IS_ICE_TRANSPORT (self), FALSE);

  if (!candidate) {
    g_set_error (error, GST_WRTC_ICE_ERROR,
        GST_WRTC_ICE_ERROR_MALFORMED_CANDIDATE, "NULL candidate");
    return FALSE;
  }
  if (is_closed (self)) {
    g_set_error (error, GST_WRTC_ICE_ERROR, GST_WRTC_ICE_ERROR_CLOSED,
        "the transport is closed");
    return FALSE;
  }
  /* RFC 8839 section 5.1: rtcp-mux leaves nothing for component 2 */
  if (candidate->component != COMPONENT_ID) {
    GST_INFO_OBJECT (self, "ignoring candidate %s:%u of component %u "
        "(rtcp-mux uses component 1 only)", candidate->address,
        candidate->port, candidate->component);
    return TRUE;
  }
  c = candidate_to_nice (candidate, self->stream_id, error);
  if (!c)
    return FALSE;
  GST_DEBUG_OBJECT (self, "remote candidate %s %s %s:%u",
      gst_wrtc_ice_protocol_to_string (candidate->protocol),
      gst_wrtc_ice_candidate_type_to_string (candidate->type),
      candidate->address, candidate->port);

  op = op_new (self);
  op->candidate = c;
  queue_op (op_add_remote_candidate, op);
  return TRUE;
}

void
gst_wrtc_ice_transport_set_remote_end_of_candidates (GstWrtcIceTransport * self)
{
  g_return_if_fail (GST_WRTC_IS_ICE_TRANSPORT (self));

  if (is_closed (self))
    return;
  queue_op (op_remote_end_of_candidates, op_new (self));
}

gboolean
gst_wrtc_ice_transport_send (GstWrtcIceTransport * self, const guint8 * data,
    gsize len, GError ** error)
{
  GstWrtcIceTransportState state;
  gboolean have_pair;
  gint sent;

  g_return_val_if_fail (GST_WRTC_IS_ICE_TRANSPORT (self), FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  g_mutex_lock (&self->lock);
  state = self->state;
  have_pair = self->have_pair;
  g_mutex_unlock (&self->lock);

  if (state == GST_WRTC_ICE_TRANSPORT_STATE_CLOSED) {
    g_set_error (error, GST_WRTC_ICE_ERROR, GST_WRTC_ICE_ERROR_CLOSED,
        "the transport is closed");
    return FALSE;
  }
  /* RFC 7675 section 5.1: no sending once consent is lost */
  if (!have_pair || state == GST_WRTC_ICE_TRANSPORT_STATE_FAILED) {
    g_set_error (error, GST_WRTC_ICE_ERROR, GST_WRTC_ICE_ERROR_NOT_CONNECTED,
        "no selected candidate pair (state %s)",
        gst_wrtc_ice_transport_state_name (state));
    return FALSE;
  }
  sent = nice_agent_send (self->agent, self->stream_id, COMPONENT_ID, len,
      (const gchar *) data);
  if (sent < 0 || (gsize) sent != len) {
    g_set_error (error, GST_WRTC_ICE_ERROR, GST_WRTC_ICE_ERROR_SEND,
        "could not send %" G_GSIZE_FORMAT " bytes", len);
    return FALSE;
  }
  return TRUE;
}

GstWrtcIceTransportState
gst_wrtc_ice_transport_get_state (GstWrtcIceTransport * self)
{
  GstWrtcIceTransportState state;

  g_return_val_if_fail (GST_WRTC_IS_ICE_TRANSPORT (self),
      GST_WRTC_ICE_TRANSPORT_STATE_CLOSED);

  g_mutex_lock (&self->lock);
  state = self->state;
  g_mutex_unlock (&self->lock);
  return state;
}

GstWrtcIceGatheringState
gst_wrtc_ice_transport_get_gathering_state (GstWrtcIceTransport * self)
{
  GstWrtcIceGatheringState state;

  g_return_val_if_fail (GST_WRTC_IS_ICE_TRANSPORT (self),
      GST_WRTC_ICE_GATHERING_STATE_NEW);

  g_mutex_lock (&self->lock);
  state = self->gathering_state;
  g_mutex_unlock (&self->lock);
  return state;
}

gboolean
gst_wrtc_ice_transport_is_controlling (GstWrtcIceTransport * self)
{
  g_return_val_if_fail (GST_WRTC_IS_ICE_TRANSPORT (self), FALSE);

  return self->controlling;
}

gboolean
gst_wrtc_ice_transport_get_selected_pair (GstWrtcIceTransport * self,
    GstWrtcIceCandidatePair * pair)
{
  gboolean have;

  g_return_val_if_fail (GST_WRTC_IS_ICE_TRANSPORT (self), FALSE);
  g_return_val_if_fail (pair != NULL, FALSE);

  memset (pair, 0, sizeof (*pair));
  g_mutex_lock (&self->lock);
  have = self->have_pair;
  if (have) {
    *pair = self->pair;
    pair->local.address = g_strdup (self->pair.local.address);
    pair->remote.address = g_strdup (self->pair.remote.address);
  }
  g_mutex_unlock (&self->lock);
  return have;
}

void
gst_wrtc_ice_transport_revoke_consent (GstWrtcIceTransport * self)
{
  g_return_if_fail (GST_WRTC_IS_ICE_TRANSPORT (self));

  if (is_closed (self))
    return;
  queue_op (op_revoke_consent, op_new (self));
}

void
gst_wrtc_ice_transport_close (GstWrtcIceTransport * self)
{
  g_return_if_fail (GST_WRTC_IS_ICE_TRANSPORT (self));

  if (is_closed (self))
    return;
  gst_wrtc_ice_context_invoke_sync (close_on_ice_thread, self);
}
