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

#include <string.h>
#include <gio/gio.h>
#include <gst/gst.h>
#include <nice/agent.h>
#include <nice/interfaces.h>

GST_DEBUG_CATEGORY_STATIC (wrtc_ice_transport_debug);
#define GST_CAT_DEFAULT wrtc_ice_transport_debug

/* WebRTC uses one component: BUNDLE and rtcp-mux (RFC 8843, RFC 5761) */
#define COMPONENT_ID 1
#define DEFAULT_STUN_PORT 3478
#define DEFAULT_TURNS_PORT 5349

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

G_DEFINE_QUARK (gst - wrtc - ice - error - quark, gst_wrtc_ice_error);

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

const gchar *
gst_wrtc_ice_transport_state_name (GstWrtcIceTransportState s)
{
  GEnumClass *klass = g_type_class_ref (GST_WRTC_TYPE_ICE_TRANSPORT_STATE);
  GEnumValue *v = g_enum_get_value (klass, s);

  g_type_class_unref (klass);
  return v ? v->value_nick : "invalid";
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
 * The one place the state changes; runs on the ICE thread (libnice's
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
static gboolean
state_edge_is_legal (GstWrtcIceTransportState from, GstWrtcIceTransportState to)
{
  if (to == GST_WRTC_ICE_TRANSPORT_STATE_CLOSED)
    return from != GST_WRTC_ICE_TRANSPORT_STATE_CLOSED;

  switch (from) {
    case GST_WRTC_ICE_TRANSPORT_STATE_NEW:
      return to == GST_WRTC_ICE_TRANSPORT_STATE_CHECKING
          || to == GST_WRTC_ICE_TRANSPORT_STATE_FAILED;
    case GST_WRTC_ICE_TRANSPORT_STATE_CHECKING:
      return to == GST_WRTC_ICE_TRANSPORT_STATE_CONNECTED
          || to == GST_WRTC_ICE_TRANSPORT_STATE_FAILED;
    case GST_WRTC_ICE_TRANSPORT_STATE_CONNECTED:
      return to == GST_WRTC_ICE_TRANSPORT_STATE_COMPLETED
          || to == GST_WRTC_ICE_TRANSPORT_STATE_DISCONNECTED
          || to == GST_WRTC_ICE_TRANSPORT_STATE_FAILED;
    case GST_WRTC_ICE_TRANSPORT_STATE_COMPLETED:
      return to == GST_WRTC_ICE_TRANSPORT_STATE_CONNECTED
          || to == GST_WRTC_ICE_TRANSPORT_STATE_DISCONNECTED
          || to == GST_WRTC_ICE_TRANSPORT_STATE_FAILED;
    case GST_WRTC_ICE_TRANSPORT_STATE_DISCONNECTED:
      return to == GST_WRTC_ICE_TRANSPORT_STATE_CHECKING
          || to == GST_WRTC_ICE_TRANSPORT_STATE_CONNECTED
          || to == GST_WRTC_ICE_TRANSPORT_STATE_FAILED;
    default:
      return FALSE;
  }
}

/* Called without the lock; emits "state-changed" after releasing it. */
static void
set_state (GstWrtcIceTransport * self, GstWrtcIceTransportState new_state)
{
  GstWrtcIceTransportState old_state;

  g_mutex_lock (&self->lock);
  old_state = self->state;
  if (old_state == new_state) {
    g_mutex_unlock (&self->lock);
    return;
  }
  if (!state_edge_is_legal (old_state, new_state)) {
    g_mutex_unlock (&self->lock);
    GST_WARNING_OBJECT (self, "refusing illegal state change %s -> %s",
        gst_wrtc_ice_transport_state_name (old_state),
        gst_wrtc_ice_transport_state_name (new_state));
    return;
  }
  self->state = new_state;
  g_mutex_unlock (&self->lock);

  GST_INFO_OBJECT (self, "%s: %s -> %s",
      self->controlling ? "controlling" : "controlled",
      gst_wrtc_ice_transport_state_name (old_state),
      gst_wrtc_ice_transport_state_name (new_state));
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, new_state);
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
  gboolean gathered;

  g_mutex_lock (&self->lock);
  gathered = self->gathering_state == GST_WRTC_ICE_GATHERING_STATE_COMPLETE;
  g_mutex_unlock (&self->lock);

  if (self->nice_state == NICE_COMPONENT_STATE_READY && gathered
      && self->remote_eoc)
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
 * Local candidates
 */
static const gchar *
candidate_type_name (NiceCandidateType type)
{
  /* RFC 8839 section 5.1 cand-type names */
  switch (type) {
    case NICE_CANDIDATE_TYPE_HOST:
      return "host";
    case NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE:
      return "srflx";
    case NICE_CANDIDATE_TYPE_PEER_REFLEXIVE:
      return "prflx";
    case NICE_CANDIDATE_TYPE_RELAYED:
      return "relay";
    default:
      return "unknown";
  }
}

static void
on_new_candidate (NiceAgent * agent, NiceCandidate * candidate,
    gpointer user_data)
{
  GstWrtcIceTransport *self = user_data;
  gchar *sdp;
  const gchar *value;

  if (candidate->stream_id != self->stream_id
      || candidate->component_id != COMPONENT_ID)
    return;
  /* force-relay keeps host candidates as the relay's base; never offer
   * them (W3C iceTransportPolicy "relay") */
  if (self->relay_only && candidate->type != NICE_CANDIDATE_TYPE_RELAYED)
    return;

  sdp = nice_agent_generate_local_candidate_sdp (agent, candidate);
  if (!sdp)
    return;
  /* the attribute value, without "a=" (RFC 8839 section 5.1) */
  value = g_str_has_prefix (sdp, "a=") ? sdp + 2 : sdp;
  GST_DEBUG_OBJECT (self, "local candidate %s", value);
  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_ON_LOCAL_CANDIDATE], 0, value);
  g_object_unref (self);
  g_free (sdp);
}

static void
on_gathering_done (NiceAgent * agent, guint stream_id, gpointer user_data)
{
  GstWrtcIceTransport *self = user_data;

  if (stream_id != self->stream_id)
    return;
  g_mutex_lock (&self->lock);
  self->gathering_state = GST_WRTC_ICE_GATHERING_STATE_COMPLETE;
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
  info->type = candidate_type_name (c->type);
  info->protocol = c->transport == NICE_CANDIDATE_TRANSPORT_UDP ? "udp" : "tcp";
  info->priority = c->priority;
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
    self->gathering_state = GST_WRTC_ICE_GATHERING_STATE_COMPLETE;
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

/* ------------------------------------------------------------------------
 * Candidate strings (RFC 8839 section 5.1)
 *
 *   candidate-attribute = "candidate" ":" foundation SP component-id SP
 *                         transport SP priority SP connection-address SP
 *                         port SP cand-type [SP rel-addr] [SP rel-port]
 *                         *(SP cand-extension)
 *   foundation          = 1*32ice-char
 *   component-id        = 1*3DIGIT
 *   transport           = "UDP" / transport-extension
 *   priority            = 1*10DIGIT
 *   cand-type           = "typ" SP candidate-types
 *   candidate-types     = "host" / "srflx" / "prflx" / "relay" / token
 *   ice-char            = ALPHA / DIGIT / "+" / "/"
 */
typedef enum
{
  CANDIDATE_USE,
  CANDIDATE_IGNORE,
  CANDIDATE_END_OF_CANDIDATES,
} CandidateVerdict;

static gboolean
is_ice_chars (const gchar * s, gsize min, gsize max)
{
  gsize n = 0;

  for (; *s; s++, n++) {
    if (!g_ascii_isalnum (*s) && *s != '+' && *s != '/')
      return FALSE;
  }
  return n >= min && n <= max;
}

static gboolean
is_digits (const gchar * s, gsize max, guint64 max_value, guint64 * value)
{
  gsize n = strlen (s);

  if (n == 0 || n > max)
    return FALSE;
  for (gsize i = 0; i < n; i++) {
    if (!g_ascii_isdigit (s[i]))
      return FALSE;
  }
  *value = g_ascii_strtoull (s, NULL, 10);
  return *value <= max_value;
}

/* A DNS name (RFC 1123 section 2.1) rather than a broken IP literal: a
 * name has a letter somewhere. */
static gboolean
is_hostname (const gchar * s)
{
  gboolean letter = FALSE;

  for (; *s; s++) {
    if (g_ascii_isalpha (*s))
      letter = TRUE;
    else if (!g_ascii_isdigit (*s) && *s != '-' && *s != '.')
      return FALSE;
  }
  return letter;
}

/* Checks @in against the grammar above.  On CANDIDATE_USE, *line is the
 * "a=candidate:..." line libnice parses. */
static gboolean
check_candidate (const gchar * in, CandidateVerdict * verdict, gchar ** line,
    gchar ** why, GError ** error)
{
  gchar *copy, *value, **tok = NULL;
  guint64 component, priority, port;
  guint n, i;
  GInetAddress *addr = NULL;
  gboolean ret = FALSE;

  copy = g_strstrip (g_strdup (in));
  value = copy;
  if (g_str_has_prefix (value, "a="))
    value += 2;
  if (*value == '\0' || strcmp (value, "end-of-candidates") == 0) {
    *verdict = CANDIDATE_END_OF_CANDIDATES;
    ret = TRUE;
    goto done;
  }
  if (!g_str_has_prefix (value, "candidate:"))
    goto malformed;

  tok = g_strsplit (value + strlen ("candidate:"), " ", -1);
  n = g_strv_length (tok);
  for (i = 0; i < n; i++) {
    if (tok[i][0] == '\0')
      goto malformed;           /* SP is one space */
  }
  if (n < 8 || n % 2 != 0)
    goto malformed;
  if (!is_ice_chars (tok[0], 1, 32))
    goto malformed;
  if (!is_digits (tok[1], 3, 256, &component) || component == 0)
    goto malformed;
  if (!is_digits (tok[3], 10, G_MAXUINT32, &priority))
    goto malformed;
  if (!is_digits (tok[5], 5, 65535, &port))
    goto malformed;
  if (strcmp (tok[6], "typ") != 0)
    goto malformed;

  addr = g_inet_address_new_from_string (tok[4]);
  if (!addr) {
    if (g_str_has_suffix (tok[4], ".local") || g_str_has_suffix (tok[4],
            ".local.")) {
      g_set_error (error, GST_WRTC_ICE_ERROR, GST_WRTC_ICE_ERROR_UNSUPPORTED,
          "mDNS candidate address %s (RFC 8839 section 5.1, "
          "draft-ietf-mmusic-mdns-ice-candidates) is not supported", tok[4]);
      goto done;
    }
    if (!is_hostname (tok[4]))
      goto malformed;
    g_set_error (error, GST_WRTC_ICE_ERROR, GST_WRTC_ICE_ERROR_UNSUPPORTED,
        "candidate address %s is a hostname, only IP addresses are "
        "supported", tok[4]);
    goto done;
  }

  /* things RFC 8839 section 5.1 says to ignore rather than refuse */
  if (component != COMPONENT_ID) {
    *verdict = CANDIDATE_IGNORE;
    *why = g_strdup_printf ("component %" G_GUINT64_FORMAT " (rtcp-mux "
        "uses component 1 only)", component);
    ret = TRUE;
    goto done;
  }
  if (g_ascii_strcasecmp (tok[2], "UDP") != 0
      && g_ascii_strcasecmp (tok[2], "TCP") != 0) {
    *verdict = CANDIDATE_IGNORE;
    *why = g_strdup_printf ("unknown transport %s", tok[2]);
    ret = TRUE;
    goto done;
  }
  if (strcmp (tok[7], "host") != 0 && strcmp (tok[7], "srflx") != 0
      && strcmp (tok[7], "prflx") != 0 && strcmp (tok[7], "relay") != 0) {
    *verdict = CANDIDATE_IGNORE;
    *why = g_strdup_printf ("unknown candidate type %s", tok[7]);
    ret = TRUE;
    goto done;
  }
  /* rel-addr, rel-port and extensions come as name-value pairs */
  for (i = 8; i + 1 < n; i += 2) {
    if (strcmp (tok[i], "raddr") == 0) {
      GInetAddress *r = g_inet_address_new_from_string (tok[i + 1]);
      if (!r)
        goto malformed;
      g_object_unref (r);
    } else if (strcmp (tok[i], "rport") == 0) {
      guint64 rport;
      if (!is_digits (tok[i + 1], 5, 65535, &rport))
        goto malformed;
    }
  }

  *verdict = CANDIDATE_USE;
  *line = g_strconcat ("a=", value, NULL);
  ret = TRUE;
  goto done;

  /* ERRORS */
malformed:
  g_set_error (error, GST_WRTC_ICE_ERROR,
      GST_WRTC_ICE_ERROR_MALFORMED_CANDIDATE,
      "malformed candidate (RFC 8839 section 5.1): \"%s\"", in);
done:
  g_clear_object (&addr);
  g_strfreev (tok);
  g_free (copy);
  return ret;
}

/* ------------------------------------------------------------------------
 * Server URIs (RFC 7064, RFC 7065)
 */
typedef struct
{
  gchar *scheme;                /* "stun", "stuns", "turn", "turns" */
  gchar *host;                  /* without brackets */
  guint port;
  gchar *transport;             /* NULL, "udp", "tcp" */
  gchar *username, *password;   /* from the user-info, decoded */
} ServerUri;

static void
server_uri_clear (ServerUri * u)
{
  g_free (u->scheme);
  g_free (u->host);
  g_free (u->transport);
  g_free (u->username);
  g_free (u->password);
  memset (u, 0, sizeof (*u));
}

static gboolean
parse_server_uri (const gchar * uri, ServerUri * out, GError ** error)
{
  const gchar *colon, *rest, *end, *at, *hostport;
  gchar *authority = NULL, *query = NULL;
  gchar *port_str = NULL;
  guint64 port = 0;

  memset (out, 0, sizeof (*out));
  if (!uri)
    goto invalid;
  colon = strchr (uri, ':');
  if (!colon)
    goto invalid;
  out->scheme = g_ascii_strdown (uri, colon - uri);
  rest = colon + 1;
  if (g_str_has_prefix (rest, "//"))
    rest += 2;
  end = strchr (rest, '?');
  authority = end ? g_strndup (rest, end - rest) : g_strdup (rest);
  if (end)
    query = g_strdup (end + 1);

  at = strrchr (authority, '@');
  hostport = authority;
  if (at) {
    gchar *userinfo = g_strndup (authority, at - authority);
    gchar *sep = strchr (userinfo, ':');

    if (sep) {
      *sep = '\0';
      out->password = g_uri_unescape_string (sep + 1, NULL);
    }
    out->username = g_uri_unescape_string (userinfo, NULL);
    g_free (userinfo);
    hostport = at + 1;
    if (!out->username || (sep && !out->password))
      goto invalid;
  }

  if (hostport[0] == '[') {
    const gchar *close = strchr (hostport, ']');
    if (!close)
      goto invalid;
    out->host = g_strndup (hostport + 1, close - hostport - 1);
    if (close[1] == ':')
      port_str = g_strdup (close + 2);
    else if (close[1] != '\0')
      goto invalid;
  } else {
    const gchar *pc = strchr (hostport, ':');
    if (pc && strchr (pc + 1, ':'))
      goto invalid;             /* a bare IPv6 address needs brackets */
    out->host = pc ? g_strndup (hostport, pc - hostport) : g_strdup (hostport);
    if (pc)
      port_str = g_strdup (pc + 1);
  }
  if (out->host[0] == '\0')
    goto invalid;
  if (port_str && !is_digits (port_str, 5, 65535, &port))
    goto invalid;
  out->port = port;

  if (query) {
    if (g_str_has_prefix (query, "transport="))
      out->transport = g_ascii_strdown (query + strlen ("transport="), -1);
    else
      goto invalid;
    if (strcmp (out->transport, "udp") != 0
        && strcmp (out->transport, "tcp") != 0)
      goto invalid;
  }
  g_free (authority);
  g_free (query);
  g_free (port_str);
  return TRUE;

  /* ERRORS */
invalid:
  g_set_error (error, GST_WRTC_ICE_ERROR, GST_WRTC_ICE_ERROR_INVALID_ARGUMENT,
      "invalid STUN/TURN server URI \"%s\"", uri ? uri : "(null)");
  g_free (authority);
  g_free (query);
  g_free (port_str);
  server_uri_clear (out);
  return FALSE;
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
      G_TYPE_NONE, 1, G_TYPE_STRING);
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
  ServerUri u;
  gchar *ip;

  g_return_val_if_fail (GST_WRTC_IS_ICE_TRANSPORT (self), FALSE);

  if (!check_before_gather (self, error))
    return FALSE;
  if (!uri) {
    g_object_set (self->agent, "stun-server", NULL, NULL);
    return TRUE;
  }
  if (!parse_server_uri (uri, &u, error))
    return FALSE;
  if (strcmp (u.scheme, "stun") != 0 || u.transport || u.username) {
    g_set_error (error, GST_WRTC_ICE_ERROR,
        GST_WRTC_ICE_ERROR_INVALID_ARGUMENT,
        "unsupported STUN server URI \"%s\": expected stun:HOST[:PORT]", uri);
    server_uri_clear (&u);
    return FALSE;
  }
  ip = resolve_host (u.host, error);
  if (!ip) {
    server_uri_clear (&u);
    return FALSE;
  }
  GST_DEBUG_OBJECT (self, "STUN server %s:%u", ip,
      u.port ? u.port : DEFAULT_STUN_PORT);
  g_object_set (self->agent, "stun-server", ip, "stun-server-port",
      u.port ? u.port : DEFAULT_STUN_PORT, NULL);
  g_free (ip);
  server_uri_clear (&u);
  return TRUE;
}

gboolean
gst_wrtc_ice_transport_add_turn_server (GstWrtcIceTransport * self,
    const gchar * uri, const gchar * username, const gchar * credential,
    GError ** error)
{
  ServerUri u;
  NiceRelayType type;
  guint port;
  gchar *ip = NULL;
  gboolean ret = FALSE;

  g_return_val_if_fail (GST_WRTC_IS_ICE_TRANSPORT (self), FALSE);

  if (!check_before_gather (self, error))
    return FALSE;
  if (!parse_server_uri (uri, &u, error))
    return FALSE;

  if (strcmp (u.scheme, "turn") == 0) {
    type = g_strcmp0 (u.transport, "tcp") == 0 ? NICE_RELAY_TYPE_TURN_TCP :
        NICE_RELAY_TYPE_TURN_UDP;
    port = u.port ? u.port : DEFAULT_STUN_PORT;
  } else if (strcmp (u.scheme, "turns") == 0
      && g_strcmp0 (u.transport, "udp") != 0) {
    type = NICE_RELAY_TYPE_TURN_TLS;
    port = u.port ? u.port : DEFAULT_TURNS_PORT;
  } else {
    g_set_error (error, GST_WRTC_ICE_ERROR,
        GST_WRTC_ICE_ERROR_INVALID_ARGUMENT, "unsupported TURN server URI "
        "\"%s\": expected turn: or turns: (RFC 7065)", uri);
    goto done;
  }
  if (username) {
    g_free (u.username);
    u.username = g_strdup (username);
  }
  if (credential) {
    g_free (u.password);
    u.password = g_strdup (credential);
  }
  if (!u.username || !u.password) {
    g_set_error (error, GST_WRTC_ICE_ERROR,
        GST_WRTC_ICE_ERROR_INVALID_ARGUMENT,
        "TURN server \"%s\" needs a username and a credential", uri);
    goto done;
  }
  ip = resolve_host (u.host, error);
  if (!ip)
    goto done;

  GST_DEBUG_OBJECT (self, "TURN server %s:%u (%s)", ip, port,
      type == NICE_RELAY_TYPE_TURN_UDP ? "udp" :
      type == NICE_RELAY_TYPE_TURN_TCP ? "tcp" : "tls");
  if (!nice_agent_set_relay_info (self->agent, self->stream_id, COMPONENT_ID,
          ip, port, u.username, u.password, type)) {
    g_set_error (error, GST_WRTC_ICE_ERROR, GST_WRTC_ICE_ERROR_FAILED,
        "libnice refused TURN server \"%s\"", uri);
    goto done;
  }
  ret = TRUE;

done:
  g_free (ip);
  server_uri_clear (&u);
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
  self->gathering_state = GST_WRTC_ICE_GATHERING_STATE_GATHERING;
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
  if (!ufrag || !is_ice_chars (ufrag, 4, 256)) {
    g_set_error (error, GST_WRTC_ICE_ERROR,
        GST_WRTC_ICE_ERROR_INVALID_ARGUMENT,
        "ice-ufrag must be 4 to 256 ice-chars (RFC 8839 section 5.4)");
    return FALSE;
  }
  if (!pwd || !is_ice_chars (pwd, 22, 256)) {
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
    const gchar * candidate, GError ** error)
{
  CandidateVerdict verdict;
  gchar *line = NULL, *why = NULL;
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
  if (!check_candidate (candidate, &verdict, &line, &why, error))
    return FALSE;

  switch (verdict) {
    case CANDIDATE_END_OF_CANDIDATES:
      gst_wrtc_ice_transport_set_remote_end_of_candidates (self);
      return TRUE;
    case CANDIDATE_IGNORE:
      GST_INFO_OBJECT (self, "ignoring candidate \"%s\": %s", candidate, why);
      g_free (why);
      return TRUE;
    case CANDIDATE_USE:
      break;
  }

  c = nice_agent_parse_remote_candidate_sdp (self->agent, self->stream_id,
      line);
  if (!c || c->component_id != COMPONENT_ID) {
    g_set_error (error, GST_WRTC_ICE_ERROR,
        GST_WRTC_ICE_ERROR_MALFORMED_CANDIDATE,
        "libnice could not parse candidate \"%s\"", candidate);
    if (c)
      nice_candidate_free (c);
    g_free (line);
    return FALSE;
  }
  GST_DEBUG_OBJECT (self, "remote candidate %s", line + 2);
  g_free (line);

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
