/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the ICE layer (ext/webrtc/ice): two transports in one process,
 * gathering on loopback only, exchanging trickled candidates as SDP
 * attribute strings, written and read by JSEP (gstwrtccandidate.h) as the
 * peer does. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>

#include "gstwrtccandidate.h"
#include "gstwrtcicetransport.h"
#include "gstwrtcicecontext.h"
#include "fsmcheck.h"

#include <nice/interfaces.h>

/* Bounds a wait so a hang fails with a message rather than the test
 * timeout; never asserted as a duration. */
#define WAIT_LIMIT_S 90

static GMutex lock;
static GCond cond;

typedef struct _Peer Peer;
struct _Peer
{
  const gchar *name;
  GstWrtcIceTransport *t;
  Peer *other;
  gboolean forward_candidates;  /* trickle to other as they come */
  gboolean late_credentials;    /* credentials only after both gathered */

  /* lock */
  GPtrArray *candidates;        /* gchar*, as signalled */
  gboolean gathering_done;
  GArray *states;               /* GstWrtcIceTransportState history */
  GByteArray *received;         /* every datagram, concatenated */
  guint n_received;
};

static gboolean
peer_reached (Peer * p, GstWrtcIceTransportState s)
{
  for (guint i = 0; i < p->states->len; i++) {
    if (g_array_index (p->states, GstWrtcIceTransportState, i) == s)
      return TRUE;
  }
  return FALSE;
}

typedef gboolean (*Predicate) (gpointer data);

/* Waits, the lock held around @pred, until it holds. */
static gboolean
wait_until (Predicate pred, gpointer data)
{
  gint64 end = g_get_monotonic_time () + WAIT_LIMIT_S * G_TIME_SPAN_SECOND;
  gboolean ok;

  g_mutex_lock (&lock);
  while (!(ok = pred (data))) {
    if (!g_cond_wait_until (&cond, &lock, end)) {
      ok = pred (data);
      break;
    }
  }
  g_mutex_unlock (&lock);
  return ok;
}

/* The text form through JSEP's parser, as the peer reads it. */
static gboolean
add_text (GstWrtcIceTransport * t, const gchar * text, GError ** error)
{
  g_autoptr (GstWrtcIceCandidate) c = gst_wrtc_candidate_parse (text, error);

  return c && gst_wrtc_ice_transport_add_remote_candidate (t, c, error);
}

static void
on_local_candidate (GstWrtcIceTransport * t,
    const GstWrtcIceCandidate * candidate, Peer * p)
{
  GError *err = NULL;
  gchar *text = gst_wrtc_candidate_to_string (candidate);
  g_autoptr (GstWrtcIceCandidate) again = gst_wrtc_candidate_parse (text, &err);

  /* RFC 8839 section 5.1 attribute value, read back as written */
  fail_unless (g_str_has_prefix (text, "candidate:"), "%s", text);
  fail_unless (again != NULL, "%s: %s", text, err ? err->message : "");
  fail_unless (gst_wrtc_ice_candidate_equal (again, candidate), "%s", text);
  g_mutex_lock (&lock);
  g_ptr_array_add (p->candidates, text);
  g_cond_broadcast (&cond);
  g_mutex_unlock (&lock);

  if (p->forward_candidates) {
    fail_unless (add_text (p->other->t, text, &err), "%s",
        err ? err->message : "");
  }
}

static void
on_gathering_done (GstWrtcIceTransport * t, Peer * p)
{
  g_mutex_lock (&lock);
  p->gathering_done = TRUE;
  g_cond_broadcast (&cond);
  g_mutex_unlock (&lock);
  if (p->forward_candidates)
    gst_wrtc_ice_transport_set_remote_end_of_candidates (p->other->t);
}

static void
on_state_changed (GstWrtcIceTransport * t, GstWrtcIceTransportState s, Peer * p)
{
  /* the getter agrees with the signal: the state is set before emission */
  g_mutex_lock (&lock);
  g_array_append_val (p->states, s);
  g_cond_broadcast (&cond);
  g_mutex_unlock (&lock);
}

static void
on_receive (const guint8 * data, gsize len, GObject * owner)
{
  Peer *p = g_object_get_data (owner, "peer");

  fail_unless (gst_wrtc_ice_context_is_ice_thread ());
  g_mutex_lock (&lock);
  g_byte_array_append (p->received, data, len);
  p->n_received++;
  g_cond_broadcast (&cond);
  g_mutex_unlock (&lock);
}

static void
peer_init (Peer * p, const gchar * name, gboolean controlling,
    const gchar * address)
{
  GError *err = NULL;

  memset (p, 0, sizeof (*p));
  p->name = name;
  p->forward_candidates = TRUE;
  p->candidates = g_ptr_array_new_with_free_func (g_free);
  p->states = g_array_new (FALSE, FALSE, sizeof (GstWrtcIceTransportState));
  p->received = g_byte_array_new ();
  p->t = gst_wrtc_ice_transport_new (controlling);
  /* NULL: the transport's own choice of addresses */
  if (address)
    fail_unless (gst_wrtc_ice_transport_add_local_address (p->t, address,
            &err), "%s", err ? err->message : "");
  g_object_set_data (G_OBJECT (p->t), "peer", p);
  g_signal_connect (p->t, "on-local-candidate",
      G_CALLBACK (on_local_candidate), p);
  g_signal_connect (p->t, "on-gathering-done", G_CALLBACK (on_gathering_done),
      p);
  g_signal_connect (p->t, "state-changed", G_CALLBACK (on_state_changed), p);
  gst_wrtc_ice_transport_set_receive_callback (p->t, on_receive,
      G_OBJECT (p->t));
}

static void
peer_clear (Peer * p)
{
  if (p->t) {
    gst_wrtc_ice_transport_close (p->t);
    fail_unless_equals_int (gst_wrtc_ice_transport_get_state (p->t),
        GST_WRTC_ICE_TRANSPORT_STATE_CLOSED);
    g_object_unref (p->t);
  }
  g_ptr_array_unref (p->candidates);
  g_array_unref (p->states);
  g_byte_array_unref (p->received);
  memset (p, 0, sizeof (*p));
}

static void
give_credentials (Peer * from, Peer * to, gboolean wrong_pwd)
{
  gchar *ufrag, *pwd;
  GError *err = NULL;

  gst_wrtc_ice_transport_get_local_credentials (from->t, &ufrag, &pwd);
  fail_unless (ufrag && strlen (ufrag) >= 4);
  fail_unless (pwd && strlen (pwd) >= 22);
  if (wrong_pwd)
    pwd[0] = pwd[0] == 'A' ? 'B' : 'A';
  fail_unless (gst_wrtc_ice_transport_set_remote_credentials (to->t, ufrag,
          pwd, &err), "%s", err ? err->message : "");
  g_free (ufrag);
  g_free (pwd);
}

static gboolean
both_gathered (gpointer data)
{
  Peer *a = data;
  return a->gathering_done && a->other->gathering_done;
}

/* Links a and b and starts gathering on both. */
static void
start_pair (Peer * a, Peer * b, gboolean wrong_pwd_for_a)
{
  GError *err = NULL;

  a->other = b;
  b->other = a;
  if (!a->late_credentials) {
    give_credentials (b, a, wrong_pwd_for_a);
    give_credentials (a, b, FALSE);
  }
  fail_unless (gst_wrtc_ice_transport_gather (a->t, &err), "%s",
      err ? err->message : "");
  fail_unless (gst_wrtc_ice_transport_gather (b->t, &err), "%s",
      err ? err->message : "");
  /* once per transport */
  fail_if (gst_wrtc_ice_transport_gather (b->t, &err));
  fail_unless (g_error_matches (err, GST_WRTC_ICE_ERROR,
          GST_WRTC_ICE_ERROR_WRONG_STATE));
  g_clear_error (&err);

  if (a->late_credentials) {
    /* every candidate and end-of-candidates has arrived before the
     * credentials: they must have been kept */
    fail_unless (wait_until (both_gathered, a));
    give_credentials (b, a, wrong_pwd_for_a);
    give_credentials (a, b, FALSE);
  }
}

static gboolean
both_completed (gpointer data)
{
  Peer *a = data;
  return peer_reached (a, GST_WRTC_ICE_TRANSPORT_STATE_COMPLETED)
      && peer_reached (a->other, GST_WRTC_ICE_TRANSPORT_STATE_COMPLETED);
}

typedef struct
{
  Peer *p;
  gsize bytes;
} ReceivedBytes;

static gboolean
received_bytes (gpointer data)
{
  ReceivedBytes *r = data;
  return r->p->received->len >= r->bytes;
}

/* Datagrams of several sizes each way, compared byte for byte. */
static void
exchange_data (Peer * a, Peer * b)
{
  static const gsize sizes[] = { 1, 20, 100, 500, 1200, 1400 };
  GByteArray *sent_ab = g_byte_array_new (), *sent_ba = g_byte_array_new ();
  GError *err = NULL;
  ReceivedBytes r;

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++) {
    guint8 *buf = g_malloc (sizes[i]);

    /* first byte in the RTP range (RFC 7983), never STUN */
    for (gsize j = 0; j < sizes[i]; j++)
      buf[j] = (guint8) (j == 0 ? 0x80 : (i * 31 + j * 7));
    fail_unless (gst_wrtc_ice_transport_send (a->t, buf, sizes[i], &err),
        "%s", err ? err->message : "");
    g_byte_array_append (sent_ab, buf, sizes[i]);
    buf[0] = 0x81;
    fail_unless (gst_wrtc_ice_transport_send (b->t, buf, sizes[i], &err),
        "%s", err ? err->message : "");
    g_byte_array_append (sent_ba, buf, sizes[i]);
    g_free (buf);
  }

  r.p = b;
  r.bytes = sent_ab->len;
  fail_unless (wait_until (received_bytes, &r));
  r.p = a;
  r.bytes = sent_ba->len;
  fail_unless (wait_until (received_bytes, &r));

  g_mutex_lock (&lock);
  fail_unless_equals_int (b->received->len, sent_ab->len);
  fail_unless (memcmp (b->received->data, sent_ab->data, sent_ab->len) == 0);
  fail_unless_equals_int (b->n_received, G_N_ELEMENTS (sizes));
  fail_unless_equals_int (a->received->len, sent_ba->len);
  fail_unless (memcmp (a->received->data, sent_ba->data, sent_ba->len) == 0);
  fail_unless_equals_int (a->n_received, G_N_ELEMENTS (sizes));
  g_mutex_unlock (&lock);

  g_byte_array_unref (sent_ab);
  g_byte_array_unref (sent_ba);
}

static void
assert_selected_pair (Peer * p, const gchar * address,
    const gchar * local_type, const gchar * remote_type)
{
  GstWrtcIceCandidatePair pair;

  fail_unless (gst_wrtc_ice_transport_get_selected_pair (p->t, &pair));
  fail_unless_equals_string (pair.local.address, address);
  fail_unless_equals_string (pair.remote.address, address);
  fail_unless (pair.local.port > 0 && pair.remote.port > 0);
  fail_unless_equals_string (pair.local.protocol, "udp");
  if (local_type)
    fail_unless_equals_string (pair.local.type, local_type);
  if (remote_type)
    fail_unless_equals_string (pair.remote.type, remote_type);
  gst_wrtc_ice_candidate_pair_clear (&pair);
}

static void
assert_candidates_on (Peer * p, const gchar * address)
{
  gchar *needle = g_strdup_printf (" %s ", address);

  g_mutex_lock (&lock);
  fail_unless (p->candidates->len > 0);
  for (guint i = 0; i < p->candidates->len; i++) {
    const gchar *c = g_ptr_array_index (p->candidates, i);
    fail_unless (strstr (c, needle) != NULL, "%s not on %s", c, address);
    fail_unless (strstr (c, " typ host") != NULL, "%s", c);
  }
  g_mutex_unlock (&lock);
  g_free (needle);
}

/* The whole happy path on one loopback address. */
static void
connect_and_exchange (const gchar * address, gboolean late_credentials)
{
  Peer a, b;

  peer_init (&a, "a", TRUE, address);
  peer_init (&b, "b", FALSE, address);
  a.late_credentials = late_credentials;
  fail_unless_equals_int (gst_wrtc_ice_transport_get_state (a.t),
      GST_WRTC_ICE_TRANSPORT_STATE_NEW);
  fail_unless (gst_wrtc_ice_transport_is_controlling (a.t));
  fail_if (gst_wrtc_ice_transport_is_controlling (b.t));

  start_pair (&a, &b, FALSE);
  /* both sides gathered, signalled end-of-candidates, and checked */
  fail_unless (wait_until (both_completed, &a));

  fail_unless (peer_reached (&a, GST_WRTC_ICE_TRANSPORT_STATE_CHECKING));
  fail_unless (peer_reached (&a, GST_WRTC_ICE_TRANSPORT_STATE_CONNECTED));
  fail_unless (peer_reached (&b, GST_WRTC_ICE_TRANSPORT_STATE_CONNECTED));
  fail_if (peer_reached (&a, GST_WRTC_ICE_TRANSPORT_STATE_FAILED));
  fail_if (peer_reached (&b, GST_WRTC_ICE_TRANSPORT_STATE_FAILED));
  fail_unless_equals_int (gst_wrtc_ice_transport_get_gathering_state (a.t),
      GST_WRTC_ICE_GATHERING_STATE_COMPLETE);
  assert_candidates_on (&a, address);
  assert_candidates_on (&b, address);
  assert_selected_pair (&a, address, "host", "host");
  assert_selected_pair (&b, address, "host", "host");

  exchange_data (&a, &b);

  peer_clear (&a);
  peer_clear (&b);
}

GST_START_TEST (test_loopback_ipv4)
{
  connect_and_exchange ("127.0.0.1", FALSE);
}

GST_END_TEST;

GST_START_TEST (test_loopback_ipv6)
{
  connect_and_exchange ("::1", FALSE);
}

GST_END_TEST;

/* The address of an RFC 8839 candidate attribute value. */
static gchar *
candidate_address (const gchar * candidate)
{
  gchar **f = g_strsplit (candidate, " ", -1);
  gchar *address;

  fail_unless (g_strv_length (f) >= 8, "%s", candidate);
  address = g_strdup (f[4]);
  g_strfreev (f);
  return address;
}

static gboolean
is_loopback (const gchar * address)
{
  GInetAddress *inet = g_inet_address_new_from_string (address);
  gboolean loopback;

  fail_unless (inet != NULL, "%s", address);
  loopback = g_inet_address_get_is_loopback (inet);
  g_object_unref (inet);
  return loopback;
}

static gboolean
candidates_include (Peer * p, const gchar * address)
{
  gboolean found = FALSE;

  g_mutex_lock (&lock);
  for (guint i = 0; i < p->candidates->len && !found; i++) {
    gchar *a = candidate_address (g_ptr_array_index (p->candidates, i));

    found = g_strcmp0 (a, address) == 0;
    g_free (a);
  }
  g_mutex_unlock (&lock);
  return found;
}

static gboolean
gathered (gpointer data)
{
  return ((Peer *) data)->gathering_done;
}

/* No local address given: host candidates on every interface but
 * loopback, and on loopback (127.0.0.1, ::1) when it is the only
 * interface up, as in a container without a network; two such transports
 * connect.  meson runs this test again in a network namespace that has
 * only lo (ice-loopback-only, GST_WRTC_TEST_LOOPBACK_ONLY=1). */
GST_START_TEST (test_default_addresses)
{
  GList *others = nice_interfaces_get_local_ips (FALSE);
  GList *all = nice_interfaces_get_local_ips (TRUE), *l;
  gboolean alone = others == NULL;
  Peer a, b;

  if (g_getenv ("GST_WRTC_TEST_LOOPBACK_ONLY"))
    fail_unless (alone, "not in a namespace with only loopback: %s is up",
        (const gchar *) others->data);

  peer_init (&a, "a", TRUE, NULL);
  peer_init (&b, "b", FALSE, NULL);
  if (alone) {
    start_pair (&a, &b, FALSE);
    fail_unless (wait_until (both_gathered, &a));
    fail_unless (candidates_include (&a, "127.0.0.1"));
    g_mutex_lock (&lock);
    for (guint i = 0; i < a.candidates->len; i++) {
      const gchar *c = g_ptr_array_index (a.candidates, i);
      gchar *addr = candidate_address (c);

      fail_unless (is_loopback (addr), "%s", c);
      fail_unless (strstr (c, " typ host") != NULL, "%s", c);
      g_free (addr);
    }
    g_mutex_unlock (&lock);
    /* every loopback address that is up, IPv6 too */
    for (l = all; l; l = l->next) {
      fail_unless (is_loopback (l->data), "%s", (const gchar *) l->data);
      fail_unless (candidates_include (&a, l->data), "no candidate on %s",
          (const gchar *) l->data);
      fail_unless (candidates_include (&b, l->data), "no candidate on %s",
          (const gchar *) l->data);
    }
    fail_unless (wait_until (both_completed, &a));
    exchange_data (&a, &b);
  } else {
    /* gathering only: whatever the other interfaces are, never loopback */
    a.forward_candidates = FALSE;
    fail_unless (gst_wrtc_ice_transport_gather (a.t, NULL));
    fail_unless (wait_until (gathered, &a));
    g_mutex_lock (&lock);
    fail_unless (a.candidates->len > 0);
    for (guint i = 0; i < a.candidates->len; i++) {
      gchar *addr = candidate_address (g_ptr_array_index (a.candidates, i));

      fail_if (is_loopback (addr), "%s", addr);
      g_free (addr);
    }
    g_mutex_unlock (&lock);
  }

  peer_clear (&a);
  peer_clear (&b);
  g_list_free_full (others, g_free);
  g_list_free_full (all, g_free);
}

GST_END_TEST;

/* Candidates and end-of-candidates trickled before the remote credentials
 * are kept and used once the credentials arrive. */
GST_START_TEST (test_candidates_before_credentials)
{
  connect_and_exchange ("127.0.0.1", TRUE);
}

GST_END_TEST;

static gboolean
reached_failed (gpointer data)
{
  return peer_reached (data, GST_WRTC_ICE_TRANSPORT_STATE_FAILED);
}

GST_START_TEST (test_wrong_password)
{
  Peer a, b;
  GError *err = NULL;
  const guint8 byte = 0x80;

  peer_init (&a, "a", TRUE, "127.0.0.1");
  peer_init (&b, "b", FALSE, "127.0.0.1");
  /* a checks b with a wrong ice-pwd: b answers 401, every pair of a fails
   * once both sides have signalled end-of-candidates */
  start_pair (&a, &b, TRUE);
  fail_unless (wait_until (reached_failed, &a));
  fail_unless_equals_int (gst_wrtc_ice_transport_get_state (a.t),
      GST_WRTC_ICE_TRANSPORT_STATE_FAILED);
  fail_if (peer_reached (&a, GST_WRTC_ICE_TRANSPORT_STATE_CONNECTED));
  fail_if (gst_wrtc_ice_transport_send (a.t, &byte, 1, &err));
  fail_unless (g_error_matches (err, GST_WRTC_ICE_ERROR,
          GST_WRTC_ICE_ERROR_NOT_CONNECTED));
  g_clear_error (&err);

  peer_clear (&a);
  peer_clear (&b);
}

GST_END_TEST;

static void
connect_pair (Peer * a, Peer * b)
{
  peer_init (a, "a", TRUE, "127.0.0.1");
  peer_init (b, "b", FALSE, "127.0.0.1");
  start_pair (a, b, FALSE);
  fail_unless (wait_until (both_completed, a));
}

/* RFC 7675 section 5.1: the peer stops answering consent checks (its
 * transport is closed, its socket gone); ours fails when consent expires.
 * libnice has no setting for that expiry; 0.1.21 gives up after about
 * 10 s (RFC 7675 says 30 s), so this test takes that long. */
GST_START_TEST (test_close_one_side)
{
  Peer a, b;
  GError *err = NULL;
  const guint8 byte = 0x80;

  connect_pair (&a, &b);
  exchange_data (&a, &b);

  gst_wrtc_ice_transport_close (a.t);
  fail_unless_equals_int (gst_wrtc_ice_transport_get_state (a.t),
      GST_WRTC_ICE_TRANSPORT_STATE_CLOSED);
  fail_if (gst_wrtc_ice_transport_send (a.t, &byte, 1, &err));
  fail_unless (g_error_matches (err, GST_WRTC_ICE_ERROR,
          GST_WRTC_ICE_ERROR_CLOSED));
  g_clear_error (&err);

  fail_unless (wait_until (reached_failed, &b));
  fail_unless_equals_int (gst_wrtc_ice_transport_get_state (b.t),
      GST_WRTC_ICE_TRANSPORT_STATE_FAILED);
  /* RFC 7675 section 5.1: no sending without consent */
  fail_if (gst_wrtc_ice_transport_send (b.t, &byte, 1, &err));
  fail_unless (g_error_matches (err, GST_WRTC_ICE_ERROR,
          GST_WRTC_ICE_ERROR_NOT_CONNECTED));
  g_clear_error (&err);

  peer_clear (&a);
  peer_clear (&b);
}

GST_END_TEST;

/* RFC 7675 section 5.2: a revokes consent, b's next consent check gets a
 * 403 and b fails without waiting for the expiry. */
GST_START_TEST (test_revoke_consent)
{
  Peer a, b;

  connect_pair (&a, &b);
  gst_wrtc_ice_transport_revoke_consent (a.t);
  fail_unless (wait_until (reached_failed, &b));
  fail_unless (wait_until (reached_failed, &a));

  peer_clear (&a);
  peer_clear (&b);
}

GST_END_TEST;

/* The legal edges, as the comment above set_state() lists them, and the
 * gathering states' (RTCIceGatheringState). */
static const FsmCheckEdge transport_spec[] = {
  {"new", "checking"},
  {"new", "failed"},
  {"new", "closed"},
  {"checking", "connected"},
  {"checking", "failed"},
  {"checking", "closed"},
  {"connected", "completed"},
  {"connected", "disconnected"},
  {"connected", "failed"},
  {"connected", "closed"},
  {"completed", "connected"},
  {"completed", "disconnected"},
  {"completed", "failed"},
  {"completed", "closed"},
  {"disconnected", "checking"},
  {"disconnected", "connected"},
  {"disconnected", "failed"},
  {"disconnected", "closed"},
  {"failed", "closed"},
};

static const FsmCheckEdge gathering_spec[] = {
  {"new", "gathering"},
  {"gathering", "complete"},
};

GST_START_TEST (test_state_machine)
{
  const GstWrtcFsm *fsm = gst_wrtc_ice_transport_state_machine ();
  const GstWrtcFsm *gathering = gst_wrtc_ice_gathering_state_machine ();
  GEnumClass *klass;
  guint s;

  g_type_ensure (GST_WRTC_TYPE_ICE_TRANSPORT);
  fsm_check_table (fsm, transport_spec, G_N_ELEMENTS (transport_spec));
  /* the table's states are the enum's values and nicks */
  klass = g_type_class_ref (GST_WRTC_TYPE_ICE_TRANSPORT_STATE);
  fail_unless_equals_int (klass->n_values, fsm->n_states);
  for (s = 0; s < fsm->n_states; s++)
    fail_unless_equals_string (g_enum_get_value (klass, s)->value_nick,
        fsm->names[s]);
  g_type_class_unref (klass);
  /* 7 states: 42 ordered pairs, 19 edges */
  fail_unless_equals_int (fsm_check_refuses (fsm), 23);

  fsm_check_table (gathering, gathering_spec, G_N_ELEMENTS (gathering_spec));
  fail_unless_equals_int (fsm_check_state (gathering, "new"),
      GST_WRTC_ICE_GATHERING_STATE_NEW);
  fail_unless_equals_int (fsm_check_state (gathering, "gathering"),
      GST_WRTC_ICE_GATHERING_STATE_GATHERING);
  fail_unless_equals_int (fsm_check_state (gathering, "complete"),
      GST_WRTC_ICE_GATHERING_STATE_COMPLETE);
  /* 3 states: 6 ordered pairs, 2 edges */
  fail_unless_equals_int (fsm_check_refuses (gathering), 4);
}

GST_END_TEST;

static GstWrtcIceTransportState
last_state (Peer * p)
{
  GstWrtcIceTransportState s;

  g_mutex_lock (&lock);
  fail_unless (p->states->len > 0);
  s = g_array_index (p->states, GstWrtcIceTransportState, p->states->len - 1);
  g_mutex_unlock (&lock);
  return s;
}

/* Requests and agent events with no edge from where real transports are
 * leave their states alone, and never reach the machine as an illegal
 * edge: no refusal is logged. */
GST_START_TEST (test_state_machine_requests)
{
  Peer c, a, b;
  GError *err = NULL;
  guint n;

  fsm_check_log_start ();

  /* closed before gathering: gather, revoke and close change nothing */
  peer_init (&c, "c", TRUE, "127.0.0.1");
  gst_wrtc_ice_transport_close (c.t);
  fail_if (gst_wrtc_ice_transport_gather (c.t, &err));
  g_clear_error (&err);
  gst_wrtc_ice_transport_revoke_consent (c.t);
  gst_wrtc_ice_transport_close (c.t);
  fail_unless_equals_int (gst_wrtc_ice_transport_get_state (c.t),
      GST_WRTC_ICE_TRANSPORT_STATE_CLOSED);
  fail_unless_equals_int (gst_wrtc_ice_transport_get_gathering_state (c.t),
      GST_WRTC_ICE_GATHERING_STATE_NEW);
  fail_unless_equals_int (c.states->len, 1);
  peer_clear (&c);

  /* failed by consent (a revokes, b gets a 403): what the agents and the
   * application say after that leaves both failed, until closed */
  connect_pair (&a, &b);
  gst_wrtc_ice_transport_revoke_consent (a.t);
  fail_unless (wait_until (reached_failed, &a));
  fail_unless (wait_until (reached_failed, &b));
  gst_wrtc_ice_transport_revoke_consent (a.t);
  gst_wrtc_ice_transport_set_remote_end_of_candidates (b.t);
  fail_if (gst_wrtc_ice_transport_gather (a.t, &err));
  g_clear_error (&err);
  fail_unless_equals_int (gst_wrtc_ice_transport_get_state (a.t),
      GST_WRTC_ICE_TRANSPORT_STATE_FAILED);
  fail_unless_equals_int (gst_wrtc_ice_transport_get_state (b.t),
      GST_WRTC_ICE_TRANSPORT_STATE_FAILED);
  fail_unless_equals_int (gst_wrtc_ice_transport_get_gathering_state (a.t),
      GST_WRTC_ICE_GATHERING_STATE_COMPLETE);
  g_mutex_lock (&lock);
  n = a.states->len;
  g_mutex_unlock (&lock);
  fail_unless_equals_int (last_state (&a), GST_WRTC_ICE_TRANSPORT_STATE_FAILED);
  gst_wrtc_ice_transport_close (a.t);
  fail_unless_equals_int (a.states->len, n + 1);
  fail_unless_equals_int (last_state (&a), GST_WRTC_ICE_TRANSPORT_STATE_CLOSED);
  peer_clear (&a);
  peer_clear (&b);

  fail_unless_equals_int (fsm_check_log_stop (), 0);
}

GST_END_TEST;

/* What ICE makes of candidates JSEP reads (their grammar is tested in
 * tests/check/jsep): the malformed are refused there, the unknown kinds
 * ignored, mDNS names and hostnames refused here with a clear error. */
GST_START_TEST (test_malformed_candidates)
{
  static const gchar *const malformed[] = {
    "garbage",
    "candidate:",
    "candidate:1",
    "candidate:1 1 UDP 2130706431 127.0.0.1 5000",
    "candidate:1 1 UDP 2130706431 127.0.0.1 5000 typ",
    "candidate:1 1 UDP 2130706431 127.0.0.1 5000 type host",
    "candidate:1 1 UDP 2130706431 127.0.0.1 99999 typ host",
    "candidate:1 1 UDP 2130706431 127.0.0.1 -1 typ host",
    "candidate:1 1 UDP 99999999999 127.0.0.1 5000 typ host",
    "candidate:1 0 UDP 2130706431 127.0.0.1 5000 typ host",
    "candidate:1 1000 UDP 2130706431 127.0.0.1 5000 typ host",
    "candidate:1 x UDP 2130706431 127.0.0.1 5000 typ host",
    "candidate:1 1 UDP 2130706431 127.0.0.1 5000 typ host raddr",
    "candidate:1 1 UDP 2130706431 127.0.0.1 5000 typ srflx raddr x rport 1",
    "candidate:1 1 UDP 2130706431 127.0.0.1 5000 typ srflx raddr "
        "127.0.0.1 rport 70000",
    "candidate:1  1 UDP 2130706431 127.0.0.1 5000 typ host",
    "candidate:f@o 1 UDP 2130706431 127.0.0.1 5000 typ host",
    "candidate:123456789012345678901234567890123 1 UDP 1 127.0.0.1 5000 "
        "typ host",
    "candidate:1 1 UDP 2130706431 300.1.1.1 5000 typ host",
    "candidate:1 1 UDP 2130706431 ::1:: 5000 typ host",
    "a=candidate:1 1 UDP 2130706431 1.2.3.4\0 5000 typ host",
  };
  static const gchar *const unknown[] = {
    /* unknown candidate type and transport: JSEP says so, the peer
     * ignores them */
    "candidate:1 1 UDP 2130706431 127.0.0.1 5000 typ foo",
    "candidate:1 1 SCTP 2130706431 127.0.0.1 5000 typ host",
  };
  static const gchar *const valid[] = {
    "candidate:1 1 UDP 2130706431 127.0.0.1 5000 typ host",
    "a=candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host\r\n",
    "candidate:2 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr 10.0.1.1 "
        "rport 8998",
    "candidate:3 1 UDP 2130706431 ::1 5000 typ host generation 0 ufrag abcd "
        "network-id 1",
    "candidate:4 1 TCP 2105524479 127.0.0.1 9 typ host tcptype active",
    /* an RTCP component: accepted and ignored (rtcp-mux) */
    "candidate:1 2 UDP 2130706431 127.0.0.1 5001 typ host",
  };
  const gchar *base = "candidate:842163049 1 udp 1677729535 192.0.2.3 "
      "61665 typ srflx raddr 10.0.0.1 rport 61665 generation 0";
  GstWrtcIceTransport *t = gst_wrtc_ice_transport_new (TRUE);
  GstWrtcIceCandidate *c;
  GError *err = NULL;
  GRand *rand = g_rand_new_with_seed (7675);

  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++) {
    fail_if (add_text (t, malformed[i], &err), "accepted %s", malformed[i]);
    fail_unless (g_error_matches (err, GST_WRTC_JSEP_ERROR,
            GST_WRTC_JSEP_ERROR_MALFORMED), "%s: %s", malformed[i],
        err ? err->message : "no error");
    g_clear_error (&err);
  }
  for (guint i = 0; i < G_N_ELEMENTS (unknown); i++) {
    fail_if (add_text (t, unknown[i], &err), "%s", unknown[i]);
    fail_unless (g_error_matches (err, GST_WRTC_JSEP_ERROR,
            GST_WRTC_JSEP_ERROR_UNSUPPORTED), "%s: %s", unknown[i],
        err ? err->message : "no error");
    g_clear_error (&err);
  }
  for (guint i = 0; i < G_N_ELEMENTS (valid); i++) {
    fail_unless (add_text (t, valid[i], &err), "%s: %s", valid[i],
        err ? err->message : "");
  }

  /* mDNS names and hostnames: a clear error, not a parse failure */
  fail_if (add_text (t,
          "candidate:1 1 UDP 2130706431 1f4712db-ea17-4bcf-a596-105139dfd8bf"
          ".local 5000 typ host", &err));
  fail_unless (g_error_matches (err, GST_WRTC_ICE_ERROR,
          GST_WRTC_ICE_ERROR_UNSUPPORTED));
  fail_unless (strstr (err->message, "mDNS") != NULL, "%s", err->message);
  g_clear_error (&err);
  fail_if (add_text (t, "candidate:1 1 UDP 2130706431 example.org 5000 typ "
          "host", &err));
  fail_unless (g_error_matches (err, GST_WRTC_ICE_ERROR,
          GST_WRTC_ICE_ERROR_UNSUPPORTED));
  g_clear_error (&err);
  /* RFC 6544 section 4.5: TCP needs its tcptype */
  fail_if (add_text (t, "candidate:4 1 TCP 2105524479 127.0.0.1 9 typ host",
          &err));
  fail_unless (g_error_matches (err, GST_WRTC_ICE_ERROR,
          GST_WRTC_ICE_ERROR_MALFORMED_CANDIDATE), "%s", err->message);
  g_clear_error (&err);
  fail_if (gst_wrtc_ice_transport_add_remote_candidate (t, NULL, &err));
  g_clear_error (&err);
  /* fields JSEP would never give: refused, not a crash */
  c = gst_wrtc_ice_candidate_new ();
  c->component = 1;
  fail_if (gst_wrtc_ice_transport_add_remote_candidate (t, c, &err));
  fail_unless (g_error_matches (err, GST_WRTC_ICE_ERROR,
          GST_WRTC_ICE_ERROR_MALFORMED_CANDIDATE));
  g_clear_error (&err);
  c->foundation = g_strdup ("1");
  c->address = g_strdup ("127.0.0.1");
  c->port = 70000;
  fail_if (gst_wrtc_ice_transport_add_remote_candidate (t, c, &err));
  g_clear_error (&err);
  gst_wrtc_ice_candidate_free (c);

  /* every truncation and many random corruptions of a valid candidate:
   * either accepted or an error, never a crash */
  for (gsize len = 0; len <= strlen (base); len++) {
    gchar *s = g_strndup (base, len);
    gboolean ok = add_text (t, s, &err);
    fail_unless (ok == (err == NULL), "%s", s);
    g_clear_error (&err);
    g_free (s);
  }
  for (guint i = 0; i < 2000; i++) {
    gchar *s = g_strdup (base);
    guint n = g_rand_int_range (rand, 1, 4);
    gboolean ok;

    for (guint j = 0; j < n; j++)
      s[g_rand_int_range (rand, 0, strlen (base))] =
          (gchar) g_rand_int_range (rand, 1, 256);
    ok = add_text (t, s, &err);
    fail_unless (ok == (err == NULL), "%s", s);
    g_clear_error (&err);
    g_free (s);
  }

  g_rand_free (rand);
  g_object_unref (t);
}

GST_END_TEST;

GST_START_TEST (test_bad_configuration)
{
  static const gchar *const bad_credentials[][2] = {
    {NULL, "0123456789abcdefghijkl"},
    {"abc", "0123456789abcdefghijkl"},
    {"ab-d", "0123456789abcdefghijkl"},
    {"abcd", NULL},
    {"abcd", "0123456789abcdefghijk"},
    {"abcd", "0123456789abcdefghijk!"},
  };
  static const gchar *const bad_stun[] = {
    "stun", "stun:", "http://127.0.0.1", "stun:127.0.0.1:99999",
    "stun:[::1", "stun:::1:3478", "stuns:127.0.0.1", "stun:127.0.0.1?x=y",
  };
  static const gchar *const bad_turn[] = {
    "turn:", "turn:127.0.0.1?transport=sctp", "stun:127.0.0.1",
    "turn:127.0.0.1:0x10", "turn:[::1]x",
  };
  GstWrtcIceTransport *t = gst_wrtc_ice_transport_new (FALSE);
  GError *err = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad_credentials); i++) {
    fail_if (gst_wrtc_ice_transport_set_remote_credentials (t,
            bad_credentials[i][0], bad_credentials[i][1], &err));
    fail_unless (g_error_matches (err, GST_WRTC_ICE_ERROR,
            GST_WRTC_ICE_ERROR_INVALID_ARGUMENT));
    g_clear_error (&err);
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad_stun); i++) {
    fail_if (gst_wrtc_ice_transport_set_stun_server (t, bad_stun[i], &err),
        "%s", bad_stun[i]);
    fail_unless (g_error_matches (err, GST_WRTC_ICE_ERROR,
            GST_WRTC_ICE_ERROR_INVALID_ARGUMENT), "%s", bad_stun[i]);
    g_clear_error (&err);
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad_turn); i++) {
    fail_if (gst_wrtc_ice_transport_add_turn_server (t, bad_turn[i], "u",
            "p", &err), "%s", bad_turn[i]);
    fail_unless (g_error_matches (err, GST_WRTC_ICE_ERROR,
            GST_WRTC_ICE_ERROR_INVALID_ARGUMENT), "%s", bad_turn[i]);
    g_clear_error (&err);
  }
  /* a TURN server needs credentials, from the URI or the arguments */
  fail_if (gst_wrtc_ice_transport_add_turn_server (t, "turn:127.0.0.1",
          NULL, NULL, &err));
  g_clear_error (&err);
  fail_unless (gst_wrtc_ice_transport_add_turn_server (t,
          "turn:127.0.0.1:3478?transport=udp", "u", "p", &err));
  fail_unless (gst_wrtc_ice_transport_add_turn_server (t,
          "turn://us%40r:p%3Ass@127.0.0.1:3478", NULL, NULL, &err));
  fail_unless (gst_wrtc_ice_transport_add_turn_server (t,
          "turn:[::1]?transport=tcp", "u", "p", &err));
  fail_unless (gst_wrtc_ice_transport_set_stun_server (t, "stun:[::1]:3478",
          &err));
  fail_unless (gst_wrtc_ice_transport_set_stun_server (t, NULL, &err));
  fail_if (gst_wrtc_ice_transport_add_local_address (t, "localhost", &err));
  fail_unless (g_error_matches (err, GST_WRTC_ICE_ERROR,
          GST_WRTC_ICE_ERROR_INVALID_ARGUMENT));
  g_clear_error (&err);

  /* configuration is refused once gathering started */
  fail_unless (gst_wrtc_ice_transport_add_local_address (t, "127.0.0.1", &err));
  fail_unless (gst_wrtc_ice_transport_gather (t, &err));
  fail_if (gst_wrtc_ice_transport_add_local_address (t, "127.0.0.1", &err));
  fail_unless (g_error_matches (err, GST_WRTC_ICE_ERROR,
          GST_WRTC_ICE_ERROR_WRONG_STATE));
  g_clear_error (&err);

  g_object_unref (t);
}

GST_END_TEST;

/* Threads in this process; @n_ice gets how many are the ICE thread. */
static guint
count_threads (guint * n_ice)
{
  GDir *dir = g_dir_open ("/proc/self/task", 0, NULL);
  const gchar *tid;
  guint n = 0;

  fail_unless (dir != NULL);
  *n_ice = 0;
  while ((tid = g_dir_read_name (dir))) {
    gchar *path = g_build_filename ("/proc/self/task", tid, "comm", NULL);
    gchar *comm = NULL;

    if (g_file_get_contents (path, &comm, NULL, NULL)
        && strcmp (g_strstrip (comm), "wrtc-ice") == 0)
      (*n_ice)++;
    g_free (comm);
    g_free (path);
    n++;
  }
  g_dir_close (dir);
  return n;
}

static gboolean
all_gathered (gpointer data)
{
  GPtrArray *peers = data;

  for (guint i = 0; i < peers->len; i++) {
    Peer *p = g_ptr_array_index (peers, i);
    if (!p->gathering_done)
      return FALSE;
  }
  return TRUE;
}

static void
peer_free (gpointer data)
{
  peer_clear (data);
  g_free (data);
}

/* "The number of threads does not grow with viewers": 20 transports share
 * the one ICE thread. */
GST_START_TEST (test_thread_count)
{
  GPtrArray *peers = g_ptr_array_new_with_free_func (peer_free);
  guint before = 0, after, n_ice;
  GError *err = NULL;

  /* one transport first, so the ICE thread and GLib's own helpers exist */
  for (guint round = 0; round < 2; round++) {
    guint n = round == 0 ? 1 : 20;

    for (guint i = 0; i < n; i++) {
      Peer *p = g_new0 (Peer, 1);

      peer_init (p, "p", i % 2, "127.0.0.1");
      p->forward_candidates = FALSE;
      g_ptr_array_add (peers, p);
      fail_unless (gst_wrtc_ice_transport_gather (p->t, &err));
    }
    fail_unless (wait_until (all_gathered, peers));
    if (round == 0)
      before = count_threads (&n_ice);
  }
  after = count_threads (&n_ice);
  GST_INFO ("%u threads with 1 transport, %u with 21", before, after);
  fail_unless (after <= before, "%u threads with 1 transport, %u with 21",
      before, after);
  fail_unless_equals_int (n_ice, 1);

  g_ptr_array_unref (peers);
}

GST_END_TEST;

/* ------------------------------------------------------------------------
 * TURN, with a coturn started here on 127.0.0.1
 */
typedef struct
{
  GSubprocess *proc;
  gchar *dir;
  guint port;
} Turn;

static gboolean
udp_port_is_bound (guint port)
{
  GSocket *s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, NULL);
  GInetAddress *ia = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *sa = g_inet_socket_address_new (ia, port);
  gboolean bound = !g_socket_bind (s, sa, FALSE, NULL);

  g_object_unref (sa);
  g_object_unref (ia);
  g_object_unref (s);
  return bound;
}

/* A test that fails or crashes must not leave coturn behind. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
turn_start (Turn * turn)
{
  GSubprocessLauncher *launcher;
  GError *err = NULL;
  gchar *port, *db, *log, *pid;
  gint64 end;

  /* coturn needs a fixed port: one from 24000-24999 that is free */
  turn->port = 24000 + (getpid () % 1000);
  for (guint i = 0; i < 1000 && udp_port_is_bound (turn->port); i++)
    turn->port = 24000 + (turn->port - 24000 + 1) % 1000;
  fail_if (udp_port_is_bound (turn->port), "no free port in 24000-24999");

  turn->dir = g_dir_make_tmp ("wrtc-ice-turn-XXXXXX", &err);
  fail_unless (turn->dir != NULL, "%s", err ? err->message : "");
  port = g_strdup_printf ("--listening-port=%u", turn->port);
  db = g_strdup_printf ("--db=%s/turndb", turn->dir);
  log = g_strdup_printf ("--log-file=%s/turn.log", turn->dir);
  pid = g_strdup_printf ("--pidfile=%s/turn.pid", turn->dir);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
      G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  /* fails, never skips, when coturn is not installed (scripts/setup.sh) */
  turn->proc = g_subprocess_launcher_spawn (launcher, &err, "turnserver",
      "-n",
      "--listening-ip=127.0.0.1", port, "--relay-ip=127.0.0.1",
      "--min-port=24000", "--max-port=24999", "--user=u:p", "--realm=test",
      "--lt-cred-mech", "--fingerprint", "-v", "--no-tls", "--no-dtls",
      "--no-tcp", "--no-tcp-relay", "--no-cli", "--allow-loopback-peers",
      "--no-multicast-peers", "--simple-log", "--no-stdout-log", db, log, pid,
      NULL);
  g_object_unref (launcher);
  fail_unless (turn->proc != NULL, "could not start coturn's turnserver "
      "(apt-get install coturn, see scripts/setup.sh): %s",
      err ? err->message : "");
  g_free (port);
  g_free (db);
  g_free (log);
  g_free (pid);

  /* ready once its listener holds the port */
  end = g_get_monotonic_time () + WAIT_LIMIT_S * G_TIME_SPAN_SECOND;
  while (!udp_port_is_bound (turn->port)) {
    fail_if (g_get_monotonic_time () > end, "coturn did not start");
    /* the identifier is NULL once the process has exited */
    fail_unless (g_subprocess_get_identifier (turn->proc) != NULL,
        "coturn exited");
    g_usleep (20 * 1000);
  }
}

static void
turn_stop (Turn * turn)
{
  gchar *path, *log = NULL;

  g_subprocess_send_signal (turn->proc, SIGTERM);
  fail_unless (g_subprocess_wait (turn->proc, NULL, NULL));
  g_object_unref (turn->proc);
  path = g_build_filename (turn->dir, "turn.log", NULL);
  if (g_file_get_contents (path, &log, NULL, NULL))
    GST_INFO ("coturn's log:\n%s", log);
  g_free (log);
  g_unlink (path);
  g_free (path);
  path = g_build_filename (turn->dir, "turndb", NULL);
  g_unlink (path);
  g_free (path);
  path = g_build_filename (turn->dir, "turn.pid", NULL);
  g_unlink (path);
  g_free (path);
  g_rmdir (turn->dir);
  g_free (turn->dir);
}

GST_START_TEST (test_turn_relay)
{
  Turn turn;
  Peer a, b;
  GError *err = NULL;
  gchar *uri;

  turn_start (&turn);

  peer_init (&a, "a", TRUE, "127.0.0.1");
  peer_init (&b, "b", FALSE, "127.0.0.1");
  /* a reaches b only through the relay: it gathers and uses nothing but
   * relay candidates (W3C iceTransportPolicy "relay") */
  uri = g_strdup_printf ("turn://u:p@127.0.0.1:%u", turn.port);
  fail_unless (gst_wrtc_ice_transport_add_turn_server (a.t, uri, NULL, NULL,
          &err), "%s", err ? err->message : "");
  g_free (uri);
  gst_wrtc_ice_transport_set_relay_only (a.t, TRUE);
  /* b asks the same server for its server-reflexive address; on loopback
   * it equals the host candidate, which RFC 8445 section 5.1.3 drops as
   * redundant, so this only shows STUN does not get in the way */
  uri = g_strdup_printf ("stun:127.0.0.1:%u", turn.port);
  fail_unless (gst_wrtc_ice_transport_set_stun_server (b.t, uri, &err),
      "%s", err ? err->message : "");
  g_free (uri);

  start_pair (&a, &b, FALSE);
  fail_unless (wait_until (both_completed, &a));

  g_mutex_lock (&lock);
  fail_unless (a.candidates->len > 0);
  for (guint i = 0; i < a.candidates->len; i++) {
    const gchar *c = g_ptr_array_index (a.candidates, i);
    fail_unless (strstr (c, " typ relay") != NULL, "%s", c);
  }
  g_mutex_unlock (&lock);
  assert_selected_pair (&a, "127.0.0.1", "relay", "host");
  assert_selected_pair (&b, "127.0.0.1", NULL, "relay");

  exchange_data (&a, &b);

  peer_clear (&a);
  peer_clear (&b);
  /* the relay's allocation is deleted (RFC 8656 section 7) before the
   * server goes away, and no close is still running when the test ends */
  fail_unless (gst_wrtc_ice_context_wait_closes (10 * G_USEC_PER_SEC),
      "a transport close never finished");
  turn_stop (&turn);
}

GST_END_TEST;

static Suite *
ice_suite (void)
{
  Suite *s = suite_create ("ice");
  TCase *tc = tcase_create ("general");
  TCase *tc_slow = tcase_create ("consent");

  /* waits are bounded by WAIT_LIMIT_S; this only catches a hang */
  tcase_set_timeout (tc, 4 * WAIT_LIMIT_S);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_loopback_ipv4);
  tcase_add_test (tc, test_loopback_ipv6);
  tcase_add_test (tc, test_default_addresses);
  tcase_add_test (tc, test_candidates_before_credentials);
  tcase_add_test (tc, test_wrong_password);
  tcase_add_test (tc, test_malformed_candidates);
  tcase_add_test (tc, test_bad_configuration);
  tcase_add_test (tc, test_thread_count);
  tcase_add_test (tc, test_turn_relay);
  tcase_add_test (tc, test_revoke_consent);
  tcase_add_test (tc, test_state_machine);
  tcase_add_test (tc, test_state_machine_requests);

  tcase_set_timeout (tc_slow, 4 * WAIT_LIMIT_S);
  suite_add_tcase (s, tc_slow);
  tcase_add_test (tc_slow, test_close_one_side);
  return s;
}

GST_CHECK_MAIN (ice);
