/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: an SCTP association (usrsctp, AF_CONN) over DTLS.
 *
 * Threads.  usrsctp is started with usrsctp_init_nothreads(): it owns no
 * thread and calls us back only from inside the usrsctp function a thread
 * of ours is in.  Those are: the callers of this API (process(), send(),
 * start(), shutdown, abort) and one process-wide timer thread that calls
 * usrsctp_handle_timers() every TICK_MS while any association exists.  We
 * chose this over usrsctp_init(), which starts a timer thread and tries to
 * open raw IPv4/IPv6 SCTP sockets with receive threads of their own, none
 * of which AF_CONN needs, and whose callbacks would run on threads we do
 * not know about.
 *
 * Callbacks from usrsctp (conn_output, receive_cb, send_cb) never call
 * user code: they take the registry lock, find the association by the
 * number we gave usrsctp as its AF_CONN address and ulp_info (never a
 * pointer usrsctp could keep after we are gone), and queue what they got
 * under the association's lock.  Each entry point then runs dispatch(),
 * which delivers the queues without any lock held.  One thread at a time
 * dispatches an association (the `dispatching` flag): a thread that finds
 * another one at it leaves its items to it, so callbacks of one
 * association never run concurrently and keep their order, and a callback
 * may call back into the association (it re-enters, finds the flag, and
 * returns; the outer loop picks up what it queued).
 *
 * Lock order: usrsctp's internal locks, then registry_lock, then an
 * association's lock.  usrsctp is never called with registry_lock or an
 * association's lock held.  usrsctp_lock guards the global refcount and
 * usrsctp_init/finish, and is held around usrsctp_handle_timers() so
 * usrsctp_finish() never runs at the same time.
 *
 * Sending.  Messages wait in a queue per stream and the dispatcher hands
 * them to usrsctp once connected, the next one picked by the priority
 * scheduler (see "Priorities" below); when usrsctp's send buffer is full
 * (EWOULDBLOCK) the picked operation goes back to the head of its stream
 * and is retried on usrsctp's send_cb or the next timer tick.  A stream
 * reset queues on its stream, after the messages given before it; SHUTDOWN
 * waits until every stream's queue is empty.
 *
 * Priorities (RFC 8831 section 6.4, RFC 8260 section 3.6).  A data
 * channel's priority is a relative weight (W3C RTCPriorityType: very-low
 * 128, low 256, medium 512, high 1024).  usrsctp 0.9.5 has no weighted
 * stream scheduler: the only one that takes a per-stream value
 * (SCTP_SS_VALUE) is SCTP_SS_PRIORITY, which is strict (a lower value
 * always first) and would starve every lower channel, the DCEP and resets
 * on it included, for as long as a higher one has data.  So the weighting
 * is ours, in front of usrsctp: weighted fair queueing (start-time fair
 * queueing, RFC 8260 section 3.6's WFQ) over the stream queues picks what
 * enters usrsctp's send buffer, each stream getting a share of the bytes
 * in proportion to its priority while several have a backlog, FIFO
 * between streams of equal tags; a stream that had nothing queued starts
 * at the current virtual time, so a small message on an idle channel
 * leaves next whatever the backlog of the others.  Inside its send buffer
 * usrsctp serves the streams round robin (its default scheduler, in the
 * order they queue; one chunk at a time with I-DATA, so a large message
 * on one stream never holds
 * back another stream, RFC 8260 section 1), which keeps the long-run
 * shares those of our queue: priorities show once the backlog exceeds
 * usrsctp's send buffer (SEND_BUFFER); below that every stream leaves at
 * once anyway.
 *
 * Buffered amount.  A stream's buffered amount counts its bytes in
 * its queue and those handed to usrsctp that the peer has not yet
 * acknowledged, so backpressure follows the wire.  usrsctp 0.9.5 has no
 * per-stream count of the latter; it has the association's
 * (SCTP_GET_SNDBUF_USE: total_output_queue_size, the bytes of messages
 * given to it and not yet acknowledged or abandoned).  So the dispatcher
 * keeps the messages it handed over in order (`inflight`, each with the
 * running total of bytes handed over at its end), reads that count once
 * per dispatch while any are in flight (after each incoming packet, which
 * is when SACKs arrive, and on timer ticks, when PR-SCTP abandons), and
 * takes as acknowledged every message whose end lies within the bytes
 * handed over minus those usrsctp still holds.  Across streams this
 * attributes acknowledgements in the order messages were handed over,
 * while usrsctp's scheduler may interleave streams: per stream the figure
 * is an estimate, the total over all streams is exact, and every stream
 * reaches 0 once the peer has acknowledged everything.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcsctpassociation.h"

#include <errno.h>
#include <string.h>
#include <usrsctp.h>
#include <gst/gst.h>

GST_DEBUG_CATEGORY_STATIC (wrtc_sctp_assoc_debug);
#define GST_CAT_DEFAULT wrtc_sctp_assoc_debug

/* usrsctp's netinet/sctp.h has it; usrsctp.h 0.9.5 does not export it */
#ifndef SCTP_INTERLEAVING_SUPPORTED
#define SCTP_INTERLEAVING_SUPPORTED 0x00001206
#endif
/* usrsctp's netinet/sctp.h has these too (read-only socket option); the
 * struct is its struct sctp_sockstat */
#ifndef SCTP_GET_SNDBUF_USE
#define SCTP_GET_SNDBUF_USE 0x00001101
#endif
typedef struct
{
  sctp_assoc_t ss_assoc_id;
  uint32_t ss_total_sndbuf;     /* bytes given, not acked nor abandoned */
  uint32_t ss_total_recv_buf;
} SndbufUse;
/* SCTP_FRAGMENT_INTERLEAVE level that I-DATA needs (RFC 6458 8.1.20) */
#define FRAG_LEVEL_INTERLEAVE_STREAMS 2

#define TICK_MS 10
#define SEND_BUFFER GST_WRTC_SCTP_MAX_SEND_MESSAGE_SIZE
#define RECEIVE_BUFFER (1024 * 1024)
/* usrsctp calls send_cb once this much of the send buffer is free */
#define SEND_WAKEUP_THRESHOLD (SEND_BUFFER / 4)
/* A WebRTC association runs over one path at interactive latency: RFC
 * 4960's RTO.Initial of 3 s and RTO.Min of 1 s would make a lost INIT or a
 * lost last packet wait seconds. */
#define RTO_INITIAL_MS 1000
#define RTO_MIN_MS 400
#define RTO_MAX_MS 10000
/* How long an outgoing stream reset (RFC 6525 section 5.1.2) may wait for
 * the peer's answer before we report it failed, so a channel whose peer
 * never answers still ends up closed (RFC 8831 section 6.7).  usrsctp
 * retransmits the RE-CONFIG chunk on the association's RTO timer: at
 * RTO_INITIAL, the worst RTO of a path it has not measured, the request
 * has left three times by then (0, 1 and 3 s) and the last one had 4 s to
 * be answered.  A live peer answers within one round trip; a peer that is
 * gone makes the association fail far later (10 retransmissions, RTO up
 * to RTO_MAX). */
#define RESET_TIMEOUT_MS 7000
/* virtual time given to usrsctp_finish() to free closed endpoints */
#define FINISH_ATTEMPTS 500

G_DEFINE_QUARK (gst - wrtc - sctp - error - quark, gst_wrtc_sctp_error);

enum
{
  SIGNAL_STATE_CHANGED,
  LAST_SIGNAL
};
static guint signals[LAST_SIGNAL];

typedef enum
{
  OP_MESSAGE,
  OP_RESET,
  OP_SHUTDOWN,
} OpType;

/* something for usrsctp, in the order it was asked for */
typedef struct
{
  OpType type;
  guint16 sid;
  guint32 ppid;
  gboolean ordered;
  GstWrtcSctpReliability reliability;
  guint32 value;
  GBytes *data;
  guint64 seq;                  /* order given, across streams */
  guint64 cost;                 /* what picking it added to its tag */
} Op;

typedef enum
{
  EV_RECEIVE,
  EV_RESET,
  EV_LOW,
  EV_STATE,
  EV_ERROR,
} EventType;

/* an outgoing stream reset usrsctp sent, waiting for the peer's answer */
typedef struct
{
  guint16 sid;
  gint64 deadline;              /* monotonic, microseconds */
} ResetWait;

/* a message handed to usrsctp and not yet acknowledged */
typedef struct
{
  guint16 sid;
  guint32 len;
  guint64 end;                  /* handed_total once it was handed over */
} InFlight;

/* something for the user, collected under the lock */
typedef struct
{
  EventType type;
  guint16 sid;
  guint32 ppid;
  GBytes *data;
  gboolean incoming, failed;
  GstWrtcSctpAssociationState state;
  GError *error;
} Event;

typedef struct
{
  guint16 sid;
  GQueue ops;                   /* Op, for usrsctp, in the order given */
  gboolean active;              /* in the association's `active` list */
  guint16 priority;             /* RFC 8831 section 6.4 relative weight */
  guint64 tag;                  /* WFQ start tag (see "Priorities") */
  guint64 buffered;             /* bytes in `ops` and `inflight` */
  guint64 low_threshold;
  GByteArray *reasm;            /* a message usrsctp delivers in parts */
  guint32 reasm_ppid;
  gboolean reasm_discard;       /* over the local max-message-size */
  guint64 reasm_size;           /* bytes of the message so far */
  guint32 reasm_tsn;            /* usrsctp's rcv_tsn for its parts */
  GQueue held;                  /* Event: ordered messages given meanwhile */
} Stream;

struct _GstWrtcSctpAssociation
{
  GObject parent;

  /* immutable after new() */
  guint id;                     /* AF_CONN address and ulp_info for usrsctp */
  guint16 local_port, remote_port;
  gboolean is_client;
  GWeakRef self_weak;           /* for the timer thread */

  GMutex lock;
  /* all below: lock */
  GstWrtcSctpSendFunc send_func;
  GWeakRef send_owner;
  gboolean send_has_owner;
  GstWrtcSctpReceiveFuncs funcs;
  GWeakRef recv_owner;
  gboolean recv_has_owner;

  /* set by start(), closed in finalize (when no other thread can be in a
   * usrsctp call on it: each holds a reference) */
  struct socket *sock;
  /* connect() returned: before that, usrsctp would answer the peer's
   * INIT with an ABORT (a socket neither listening nor connecting), so
   * process() drops input and lets the peer retransmit */
  gboolean accepting_input;
  GstWrtcSctpAssociationState state;
  GError *error;
  gboolean closing;             /* we asked for SHUTDOWN or ABORT */
  gboolean peer_shutdown;       /* the peer sent SHUTDOWN */
  guint64 local_mms, remote_mms;
  gboolean offer_interleaving, interleaving;
  guint mtu;                    /* SCTP packet size, set_mtu() */
  guint16 out_streams;

  /* the priority scheduler (see "Priorities" at the top) */
  GQueue active;                /* Stream with queued ops */
  guint n_pending;              /* ops in the streams' queues */
  guint64 vtime;                /* WFQ virtual time: last start tag */
  guint64 next_seq;
  Op *shutdown_op;              /* once every stream's queue is empty */
  GQueue resets;                /* ResetWait, by deadline */
  GQueue inflight;              /* InFlight, in the order handed over */
  guint64 handed_total;         /* message bytes handed to usrsctp */
  guint reset_timeout_ms;
  gboolean blocked;             /* usrsctp's send buffer was full */
  GHashTable *streams;          /* sid -> Stream */

  gboolean dispatching;
  GQueue out_packets;           /* GBytes, for the send callback */
  GQueue events;                /* Event, for the other callbacks */
};

G_DEFINE_TYPE_WITH_CODE (GstWrtcSctpAssociation, gst_wrtc_sctp_association,
    G_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (wrtc_sctp_assoc_debug, "wrtcsctpassociation", 0,
        "SCTP association (usrsctp)"));

/* ------------------------------------------------------------------------
 * Process-wide state
 */
static GMutex registry_lock;
static GHashTable *registry;    /* id -> association (not a reference) */
static guint next_id = 1;

static GMutex usrsctp_lock;
static GCond usrsctp_cond;
static guint usrsctp_users;     /* live associations */
static gboolean usrsctp_up;
static GThread *timer_thread;   /* started once, sleeps while no users */

static void dispatch (GstWrtcSctpAssociation * self);
static void expire_resets_locked (GstWrtcSctpAssociation * self, gint64 now);
static gboolean sched_has_work_locked (GstWrtcSctpAssociation * self);
static void sched_clear_locked (GstWrtcSctpAssociation * self);

/* Looks an association up for a usrsctp callback; returns it locked, with
 * registry_lock held too (release with lookup_done()). */
static GstWrtcSctpAssociation *
lookup_locked (void *key)
{
  GstWrtcSctpAssociation *self;

  g_mutex_lock (&registry_lock);
  self = registry ? g_hash_table_lookup (registry, key) : NULL;
  if (self)
    g_mutex_lock (&self->lock);
  return self;
}

static void
lookup_done (GstWrtcSctpAssociation * self)
{
  if (self)
    g_mutex_unlock (&self->lock);
  g_mutex_unlock (&registry_lock);
}

/* ------------------------------------------------------------------------
 * Checksums.  Every SCTP packet carries a CRC32c (RFC 4960 section 6.8,
 * Appendix B).  usrsctp computes it in software, on output and again on
 * input, after validate_packet() computed it once already: about a tenth
 * of the CPU a bulk transfer costs.  Where the CPU has the SSE 4.2 crc32
 * instruction we compute it ourselves (validate_packet() and conn_output())
 * and tell usrsctp it is offloaded, once a self-test agreed with usrsctp's
 * own function.  The offload switch is process-wide, as our use of usrsctp
 * is (see the top of the file).
 */
static gboolean crc_offloaded;  /* usrsctp_lock, set once */

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>
#define HAVE_CRC32C_INSN 1

__attribute__((target ("sse4.2")))
     static guint32 crc32c_update (guint32 crc, const guint8 * p, gsize len)
{
  guint64 c = crc;

  for (; len >= 8; p += 8, len -= 8) {
    guint64 v;
    memcpy (&v, p, 8);
    c = _mm_crc32_u64 (c, v);
  }
  crc = (guint32) c;
  for (; len; p++, len--)
    crc = _mm_crc32_u8 (crc, *p);
  return crc;
}
#endif

/* The checksum of @data as it sits in the header (usrsctp_crc32c()'s
 * result), its checksum field (bytes 8-11) taken as zero, without a copy.
 * Only with crc_offloaded. */
static guint32
packet_crc32c (const guint8 * data, gsize len)
{
#ifdef HAVE_CRC32C_INSN
  static const guint8 zero[4] = { 0, };
  guint32 crc = 0xffffffff;

  crc = crc32c_update (crc, data, 8);
  crc = crc32c_update (crc, zero, 4);
  crc = crc32c_update (crc, data + 12, len - 12);
  /* the final value, least significant byte first (Appendix B) */
  return GUINT32_TO_LE (~crc);
#else
  g_assert_not_reached ();
  return 0;
#endif
}

/* With usrsctp_lock, after usrsctp_init. */
static void
setup_crc_offload_locked (void)
{
#ifdef HAVE_CRC32C_INSN
  guint8 probe[64];
  guint i;

  __builtin_cpu_init ();
  if (!__builtin_cpu_supports ("sse4.2"))
    return;
  for (i = 0; i < sizeof (probe); i++)
    probe[i] = i * 37 + 11;
  memset (probe + 8, 0, 4);
  if (packet_crc32c (probe, sizeof (probe)) !=
      usrsctp_crc32c (probe, sizeof (probe))) {
    GST_WARNING ("our CRC32c disagrees with usrsctp's; not offloading");
    return;
  }
  usrsctp_enable_crc32c_offload ();
  crc_offloaded = TRUE;
  GST_INFO ("CRC32c with the SSE 4.2 instruction (usrsctp offloaded)");
#endif
}

/* usrsctp: an SCTP packet to send.  Runs inside a usrsctp call. */
static int
conn_output (void *addr, void *buffer, size_t length, uint8_t tos,
    uint8_t set_df)
{
  GstWrtcSctpAssociation *self;
  guint8 *pkt = g_memdup2 (buffer, length);

  /* offloaded: usrsctp left the checksum field zero */
  if (crc_offloaded && length >= sizeof (struct sctp_common_header)) {
    guint32 crc = packet_crc32c (pkt, length);
    memcpy (pkt + 8, &crc, 4);
  }
  self = lookup_locked (addr);
  if (self)
    g_queue_push_tail (&self->out_packets, g_bytes_new_take (pkt, length));
  else
    g_free (pkt);
  lookup_done (self);
  return 0;
}

/* Runs the timers of every association and dispatches what they
 * produced. */
static void
dispatch_all (void)
{
  GPtrArray *todo = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;
  guint i;
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&registry_lock);
  if (registry) {
    g_hash_table_iter_init (&iter, registry);
    while (g_hash_table_iter_next (&iter, NULL, &value)) {
      GstWrtcSctpAssociation *a = value;
      gboolean work;
      GObject *obj;

      g_mutex_lock (&a->lock);
      /* a tick also retries a send usrsctp had no room for */
      a->blocked = FALSE;
      expire_resets_locked (a, now);
      work = !g_queue_is_empty (&a->out_packets)
          || !g_queue_is_empty (&a->events)
          || !g_queue_is_empty (&a->inflight)
          || (sched_has_work_locked (a)
          && a->state == GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTED);
      g_mutex_unlock (&a->lock);
      /* NULL once its last reference is gone: it is being finalized */
      if (work && (obj = g_weak_ref_get (&a->self_weak)))
        g_ptr_array_add (todo, obj);
    }
  }
  g_mutex_unlock (&registry_lock);

  for (i = 0; i < todo->len; i++)
    dispatch (todo->pdata[i]);
  g_ptr_array_unref (todo);
}

static gpointer
timer_thread_func (gpointer unused)
{
  gint64 last = g_get_monotonic_time ();

  g_mutex_lock (&usrsctp_lock);
  for (;;) {
    gint64 now;
    guint elapsed_ms;

    while (usrsctp_users == 0) {
      g_cond_wait (&usrsctp_cond, &usrsctp_lock);
      last = g_get_monotonic_time ();
    }
    g_cond_wait_until (&usrsctp_cond, &usrsctp_lock, last + TICK_MS * 1000);
    now = g_get_monotonic_time ();
    elapsed_ms = (now - last) / 1000;
    if (elapsed_ms < TICK_MS || !usrsctp_up)
      continue;
    last += (gint64) elapsed_ms *1000;
    usrsctp_handle_timers (elapsed_ms);
    g_mutex_unlock (&usrsctp_lock);
    dispatch_all ();
    g_mutex_lock (&usrsctp_lock);
  }
  return NULL;
}

static void
usrsctp_acquire (void)
{
  g_mutex_lock (&usrsctp_lock);
  if (!usrsctp_up) {
    GST_INFO ("starting usrsctp (AF_CONN, no threads of its own)");
    usrsctp_init_nothreads (0, conn_output, NULL);
    /* usrsctp_init resets the sysctls to their defaults; ours follow */
    usrsctp_sysctl_set_sctp_ecn_enable (0);
    setup_crc_offload_locked ();
    usrsctp_up = TRUE;
  }
  if (!timer_thread)
    timer_thread = g_thread_new ("wrtc-sctp-timer", timer_thread_func, NULL);
  usrsctp_users++;
  g_cond_signal (&usrsctp_cond);
  g_mutex_unlock (&usrsctp_lock);
}

/* The last association gone: usrsctp_finish() succeeds once usrsctp has
 * freed every endpoint, which closed associations leave to a timer. */
static void
usrsctp_release (void)
{
  guint i;

  g_mutex_lock (&usrsctp_lock);
  if (--usrsctp_users == 0 && usrsctp_up) {
    for (i = 0; i < FINISH_ATTEMPTS; i++) {
      if (usrsctp_finish () == 0) {
        usrsctp_up = FALSE;
        GST_INFO ("usrsctp finished");
        break;
      }
      usrsctp_handle_timers (TICK_MS);
    }
    if (usrsctp_up)
      GST_WARNING ("usrsctp still has endpoints; keeping it for later");
  }
  g_mutex_unlock (&usrsctp_lock);
}

/* ------------------------------------------------------------------------
 * State machine
 *
 * The one place the state changes: set_state_locked(), through the
 * helper (gstwrtcfsm.h) and this table.  Legal edges:
 *   new        -> connecting   start()
 *   new        -> closed       shutdown() or abort() before start
 *   new        -> failed       start() could not set up usrsctp
 *   connecting -> connected    COMM_UP (RFC 4960 section 5.1)
 *   connecting -> failed       INIT not answered (CANT_STR_ASSOC), ABORT
 *   connecting -> closed       shutdown() or abort() during the handshake
 *   connected  -> closed       SHUTDOWN complete (either side began it,
 *                              RFC 4960 section 9.2), or our ABORT
 *   connected  -> failed       COMM_LOST: the peer's ABORT or the
 *                              retransmission limit (section 8.1)
 * closed and failed are final.
 */
GType
gst_wrtc_sctp_association_state_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_WRTC_SCTP_ASSOCIATION_STATE_NEW, "New", "new"},
    {GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTING, "Connecting", "connecting"},
    {GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTED, "Connected", "connected"},
    {GST_WRTC_SCTP_ASSOCIATION_STATE_CLOSED, "Closed", "closed"},
    {GST_WRTC_SCTP_ASSOCIATION_STATE_FAILED, "Failed", "failed"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstWrtcSctpAssociationState", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

#define TO GST_WRTC_FSM_TO
static const gchar *const state_names[] = {
  [GST_WRTC_SCTP_ASSOCIATION_STATE_NEW] = "new",
  [GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTING] = "connecting",
  [GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTED] = "connected",
  [GST_WRTC_SCTP_ASSOCIATION_STATE_CLOSED] = "closed",
  [GST_WRTC_SCTP_ASSOCIATION_STATE_FAILED] = "failed",
};

static const guint32 state_edges[] = {
  [GST_WRTC_SCTP_ASSOCIATION_STATE_NEW] =
      TO (GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTING)
      | TO (GST_WRTC_SCTP_ASSOCIATION_STATE_CLOSED)
      | TO (GST_WRTC_SCTP_ASSOCIATION_STATE_FAILED),
  [GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTING] =
      TO (GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTED)
      | TO (GST_WRTC_SCTP_ASSOCIATION_STATE_FAILED)
      | TO (GST_WRTC_SCTP_ASSOCIATION_STATE_CLOSED),
  [GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTED] =
      TO (GST_WRTC_SCTP_ASSOCIATION_STATE_CLOSED)
      | TO (GST_WRTC_SCTP_ASSOCIATION_STATE_FAILED),
  [GST_WRTC_SCTP_ASSOCIATION_STATE_CLOSED] = 0,
  [GST_WRTC_SCTP_ASSOCIATION_STATE_FAILED] = 0,
};

#undef TO

static const GstWrtcFsm state_machine = {
  "sctp-association", &wrtc_sctp_assoc_debug, G_N_ELEMENTS (state_names),
  state_names, state_edges
};

G_STATIC_ASSERT (G_N_ELEMENTS (state_edges) == G_N_ELEMENTS (state_names));

const GstWrtcFsm *
gst_wrtc_sctp_association_state_machine (void)
{
  return &state_machine;
}

const gchar *
gst_wrtc_sctp_association_state_name (GstWrtcSctpAssociationState s)
{
  return gst_wrtc_fsm_state_name (&state_machine, s);
}

static gboolean
state_is_final (GstWrtcSctpAssociationState s)
{
  return s == GST_WRTC_SCTP_ASSOCIATION_STATE_CLOSED
      || s == GST_WRTC_SCTP_ASSOCIATION_STATE_FAILED;
}

static void
op_free (Op * op)
{
  if (op->data)
    g_bytes_unref (op->data);
  g_free (op);
}

static void
event_free (Event * ev)
{
  if (ev->data)
    g_bytes_unref (ev->data);
  g_clear_error (&ev->error);
  g_free (ev);
}

static Event *
push_event_locked (GstWrtcSctpAssociation * self, EventType type, guint16 sid)
{
  Event *ev = g_new0 (Event, 1);

  ev->type = type;
  ev->sid = sid;
  g_queue_push_tail (&self->events, ev);
  return ev;
}

/* Stores @new_state when the machine allows it; the caller checks first
 * when the edge may be illegal, so a refusal here is a bug. */
static gboolean
set_state_locked (GstWrtcSctpAssociation * self,
    GstWrtcSctpAssociationState new_state)
{
  gchar who[40];

  g_snprintf (who, sizeof (who), "%s (%u -> %u)",
      self->is_client ? "client" : "server", self->local_port,
      self->remote_port);
  if (!gst_wrtc_fsm_transition (&state_machine, self, who, self->state,
          new_state))
    return FALSE;
  self->state = new_state;
  push_event_locked (self, EV_STATE, 0)->state = new_state;

  if (state_is_final (new_state)) {
    /* nothing queued will leave any more */
    GHashTableIter iter;
    gpointer value;

    sched_clear_locked (self);
    g_queue_clear_full (&self->resets, g_free);
    g_queue_clear_full (&self->inflight, g_free);
    g_hash_table_iter_init (&iter, self->streams);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      ((Stream *) value)->buffered = 0;
  }
  return TRUE;
}

static void
fail_locked (GstWrtcSctpAssociation * self, const gchar * format, ...)
G_GNUC_PRINTF (2, 3);

     static void
         fail_locked (GstWrtcSctpAssociation * self, const gchar * format, ...)
{
  va_list args;

  if (state_is_final (self->state))
    return;
  va_start (args, format);
  g_clear_error (&self->error);
  self->error = g_error_new_valist (GST_WRTC_SCTP_ERROR,
      GST_WRTC_SCTP_ERROR_FAILED, format, args);
  va_end (args);
  GST_WARNING_OBJECT (self, "SCTP failed: %s", self->error->message);
  set_state_locked (self, GST_WRTC_SCTP_ASSOCIATION_STATE_FAILED);
}

/* ------------------------------------------------------------------------
 * Streams
 */
static void op_free (Op * op);

static void
stream_free (Stream * st)
{
  g_queue_clear_full (&st->ops, (GDestroyNotify) op_free);
  if (st->reasm)
    g_byte_array_unref (st->reasm);
  g_queue_clear_full (&st->held, (GDestroyNotify) event_free);
  g_free (st);
}

static Stream *
get_stream_locked (GstWrtcSctpAssociation * self, guint16 sid)
{
  Stream *st = g_hash_table_lookup (self->streams, GUINT_TO_POINTER (sid));

  if (!st) {
    st = g_new0 (Stream, 1);
    st->sid = sid;
    g_queue_init (&st->ops);
    st->priority = GST_WRTC_SCTP_DEFAULT_PRIORITY;
    g_hash_table_insert (self->streams, GUINT_TO_POINTER (sid), st);
  }
  return st;
}

/* ------------------------------------------------------------------------
 * The priority scheduler: weighted fair queueing over the streams' queues
 * (see "Priorities" at the top of the file).  Each stream with queued
 * operations has a start tag in virtual time; the dispatcher takes the
 * head of the stream with the smallest tag (the one given first on a tie)
 * and advances that stream's tag by the operation's bytes divided by the
 * stream's weight, so backlogged streams leave in proportion to their
 * priorities.  SHUTDOWN waits until every stream's queue is empty.
 */

/* virtual time of @len bytes at weight @priority (0 counts as 1; an
 * operation without data as one byte) */
static guint64
sched_cost (gsize len, guint16 priority)
{
  return ((guint64) MAX (len, 1) << 16) / MAX (priority, 1);
}

static gboolean
sched_has_work_locked (GstWrtcSctpAssociation * self)
{
  return self->n_pending > 0 || self->shutdown_op != NULL;
}

static void
sched_activate_locked (GstWrtcSctpAssociation * self, Stream * st,
    gboolean at_head)
{
  if (st->active)
    return;
  st->active = TRUE;
  if (at_head)
    g_queue_push_head (&self->active, st);
  else
    g_queue_push_tail (&self->active, st);
}

/* Queues @op (a message or a reset) after those given before it on its
 * stream. */
static void
sched_push_locked (GstWrtcSctpAssociation * self, Op * op)
{
  Stream *st = get_stream_locked (self, op->sid);

  op->seq = self->next_seq++;
  g_queue_push_tail (&st->ops, op);
  self->n_pending++;
  if (!st->active) {
    /* an idle stream joins at the current virtual time: it neither
     * catches up for the time it had nothing to send nor waits for the
     * backlog of the others */
    st->tag = MAX (st->tag, self->vtime);
    sched_activate_locked (self, st, FALSE);
  }
}

/* Takes the next operation for usrsctp out of the queues, NULL when none. */
static Op *
sched_pop_locked (GstWrtcSctpAssociation * self)
{
  Stream *best = NULL;
  Op *best_head = NULL, *op;
  GList *l, *best_link = NULL;

  for (l = self->active.head; l; l = l->next) {
    Stream *st = l->data;
    Op *head = g_queue_peek_head (&st->ops);

    if (!best || st->tag < best->tag || (st->tag == best->tag
            && head->seq < best_head->seq)) {
      best = st;
      best_head = head;
      best_link = l;
    }
  }
  if (!best) {
    op = self->shutdown_op;
    self->shutdown_op = NULL;
    return op;
  }

  op = g_queue_pop_head (&best->ops);
  self->n_pending--;
  self->vtime = best->tag;
  op->cost = sched_cost (op->data ? g_bytes_get_size (op->data) : 0,
      best->priority);
  best->tag += op->cost;
  if (g_queue_is_empty (&best->ops)) {
    best->active = FALSE;
    g_queue_delete_link (&self->active, best_link);
  }
  return op;
}

/* Puts back what sched_pop_locked() gave when usrsctp had no room: it is
 * the next of its stream again, and the stream's tag what it was. */
static void
sched_push_back_locked (GstWrtcSctpAssociation * self, Op * op)
{
  Stream *st;

  if (op->type == OP_SHUTDOWN) {
    self->shutdown_op = op;
    return;
  }
  st = get_stream_locked (self, op->sid);
  g_queue_push_head (&st->ops, op);
  self->n_pending++;
  st->tag -= MIN (st->tag, op->cost);
  sched_activate_locked (self, st, TRUE);
}

/* Drops every queued operation (the association ended). */
static void
sched_clear_locked (GstWrtcSctpAssociation * self)
{
  Stream *st;

  while ((st = g_queue_pop_head (&self->active))) {
    g_queue_clear_full (&st->ops, (GDestroyNotify) op_free);
    st->active = FALSE;
  }
  self->n_pending = 0;
  g_clear_pointer (&self->shutdown_op, op_free);
}

/* Ends the message in parts; the messages held behind it follow it. */
static void
reasm_reset (GstWrtcSctpAssociation * self, Stream * st)
{
  Event *ev;

  if (st->reasm)
    g_byte_array_set_size (st->reasm, 0);
  st->reasm_discard = FALSE;
  st->reasm_size = 0;
  while ((ev = g_queue_pop_head (&st->held)))
    g_queue_push_tail (&self->events, ev);
}

/* W3C WebRTC: bufferedamountlow fires when the amount goes from above the
 * threshold to at or below it. */
static void
stream_sent_locked (GstWrtcSctpAssociation * self, guint16 sid, gsize len)
{
  Stream *st = get_stream_locked (self, sid);
  guint64 before = st->buffered;

  st->buffered -= MIN (st->buffered, len);
  if (before > st->low_threshold && st->buffered <= st->low_threshold)
    push_event_locked (self, EV_LOW, sid);
}

/* ------------------------------------------------------------------------
 * usrsctp callbacks (inside usrsctp calls; see the top of the file)
 */
static void
handle_assoc_change_locked (GstWrtcSctpAssociation * self,
    const struct sctp_assoc_change *sac, gsize len)
{
  gsize i;

  switch (sac->sac_state) {
    case SCTP_COMM_UP:
      self->out_streams = sac->sac_outbound_streams;
      self->interleaving = FALSE;
      for (i = sizeof (*sac); i < len && i < sac->sac_length; i++)
        if (((const guint8 *) sac)[i] == SCTP_ASSOC_SUPPORTS_INTERLEAVING)
          self->interleaving = TRUE;
      GST_INFO_OBJECT (self, "association up: %u outbound, %u inbound "
          "streams, I-DATA %s", sac->sac_outbound_streams,
          sac->sac_inbound_streams, self->interleaving ? "yes" : "no");
      self->blocked = FALSE;
      if (self->state == GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTING)
        set_state_locked (self, GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTED);
      break;
    case SCTP_RESTART:
      GST_WARNING_OBJECT (self, "the peer restarted the association");
      break;
    case SCTP_COMM_LOST:
      if (!self->closing)
        fail_locked (self, "SCTP association lost (the peer sent ABORT or "
            "stopped answering), error %u", sac->sac_error);
      else if (!state_is_final (self->state))
        set_state_locked (self, GST_WRTC_SCTP_ASSOCIATION_STATE_CLOSED);
      break;
    case SCTP_SHUTDOWN_COMP:
      /* after our ABORT or a failure the state is final already */
      if (!state_is_final (self->state))
        set_state_locked (self, GST_WRTC_SCTP_ASSOCIATION_STATE_CLOSED);
      break;
    case SCTP_CANT_STR_ASSOC:
      fail_locked (self, "cannot establish the SCTP association (no answer "
          "to INIT)");
      break;
    default:
      break;
  }
}

/* The peer answered our reset of @sid: FALSE when we were not waiting
 * for it any more. */
static gboolean
reset_answered_locked (GstWrtcSctpAssociation * self, guint16 sid)
{
  GList *l;

  for (l = self->resets.head; l; l = l->next) {
    ResetWait *w = l->data;
    if (w->sid == sid) {
      g_free (w);
      g_queue_delete_link (&self->resets, l);
      return TRUE;
    }
  }
  return FALSE;
}

/* On the timer thread: resets the peer left unanswered past their
 * deadline (RESET_TIMEOUT_MS) are reported failed, which closes their
 * channel. */
static void
expire_resets_locked (GstWrtcSctpAssociation * self, gint64 now)
{
  ResetWait *w;

  while ((w = g_queue_peek_head (&self->resets)) && w->deadline <= now) {
    Event *e;

    GST_WARNING_OBJECT (self, "the peer did not answer the reset of stream "
        "%u within %u ms; considering it failed", w->sid,
        self->reset_timeout_ms);
    e = push_event_locked (self, EV_RESET, w->sid);
    e->failed = TRUE;
    g_free (g_queue_pop_head (&self->resets));
  }
}

/* RFC 6525 section 6.1 outcomes, as usrsctp reports them */
static void
handle_stream_reset_locked (GstWrtcSctpAssociation * self,
    const struct sctp_stream_reset_event *ev, gsize len)
{
  gsize n, i;
  gboolean incoming = (ev->strreset_flags & SCTP_STREAM_RESET_INCOMING_SSN);
  gboolean failed = (ev->strreset_flags & (SCTP_STREAM_RESET_DENIED |
          SCTP_STREAM_RESET_FAILED)) != 0;

  len = MIN (len, ev->strreset_length);
  n = (len - sizeof (*ev)) / sizeof (guint16);
  for (i = 0; i < n; i++) {
    guint16 sid = ev->strreset_stream_list[i];
    Event *e;

    GST_DEBUG_OBJECT (self, "stream %u: %s reset%s", sid,
        incoming ? "incoming" : "outgoing", failed ? " failed" : "");
    if (incoming) {
      Stream *st = g_hash_table_lookup (self->streams,
          GUINT_TO_POINTER (sid));
      if (st)
        reasm_reset (self, st);
    }
    if (!incoming && !reset_answered_locked (self, sid)) {
      /* reported failed already: it timed out */
      GST_DEBUG_OBJECT (self, "late answer to the reset of stream %u", sid);
      continue;
    }
    e = push_event_locked (self, EV_RESET, sid);
    e->incoming = incoming;
    e->failed = failed;
  }
  if (failed && !incoming)
    self->blocked = FALSE;
}

static void
handle_notification_locked (GstWrtcSctpAssociation * self,
    const union sctp_notification *n, gsize len)
{
  if (len < sizeof (n->sn_header))
    return;

  switch (n->sn_header.sn_type) {
    case SCTP_ASSOC_CHANGE:
      if (len >= sizeof (n->sn_assoc_change))
        handle_assoc_change_locked (self, &n->sn_assoc_change, len);
      break;
    case SCTP_SHUTDOWN_EVENT:
      GST_INFO_OBJECT (self, "the peer is shutting down");
      self->peer_shutdown = TRUE;
      break;
    case SCTP_STREAM_RESET_EVENT:
      if (len >= sizeof (n->sn_strreset_event))
        handle_stream_reset_locked (self, &n->sn_strreset_event, len);
      break;
    case SCTP_SEND_FAILED_EVENT:
      /* RFC 3758: a partially reliable message given up */
      if (len >= sizeof (n->sn_send_failed_event))
        GST_DEBUG_OBJECT (self, "message on stream %u abandoned (%s)",
            n->sn_send_failed_event.ssfe_info.snd_sid,
            n->sn_send_failed_event.ssfe_flags & SCTP_DATA_SENT ?
            "sent" : "unsent");
      break;
    case SCTP_PARTIAL_DELIVERY_EVENT:
      if (len >= sizeof (n->sn_pdapi_event)
          && n->sn_pdapi_event.pdapi_indication ==
          SCTP_PARTIAL_DELIVERY_ABORTED) {
        Stream *st = g_hash_table_lookup (self->streams,
            GUINT_TO_POINTER (n->sn_pdapi_event.pdapi_stream));
        GST_DEBUG_OBJECT (self, "partial delivery on stream %u aborted",
            n->sn_pdapi_event.pdapi_stream);
        if (st)
          reasm_reset (self, st);
      }
      break;
    case SCTP_REMOTE_ERROR:
      if (len >= sizeof (n->sn_remote_error))
        GST_WARNING_OBJECT (self, "the peer reported error %u",
            n->sn_remote_error.sre_error);
      break;
    default:
      GST_LOG_OBJECT (self, "notification 0x%04x", n->sn_header.sn_type);
      break;
  }
}

/* RFC 8841 section 6: the peer must not send a message over our
 * max-message-size.  One that arrives anyway is dropped whole (never
 * truncated) and reported to the user as an error of its stream; the
 * association goes on. */
static void
too_large_locked (GstWrtcSctpAssociation * self, guint16 sid, guint64 size)
{
  Event *ev;

  GST_WARNING_OBJECT (self, "dropping a message of %" G_GUINT64_FORMAT
      " bytes on stream %u over our max-message-size of %" G_GUINT64_FORMAT,
      size, sid, self->local_mms);
  ev = push_event_locked (self, EV_ERROR, sid);
  ev->error = g_error_new (GST_WRTC_SCTP_ERROR, GST_WRTC_SCTP_ERROR_TOO_LARGE,
      "received a message of %" G_GUINT64_FORMAT " bytes on stream %u, over "
      "our max-message-size of %" G_GUINT64_FORMAT " bytes (RFC 8841)", size,
      sid, self->local_mms);
}

/* A message, or a part of one when usrsctp uses partial delivery (no
 * MSG_EOR): parts are joined per stream.  Over the local max-message-size
 * a message is dropped and reported (too_large_locked()).  @tsn is
 * usrsctp's rcv_tsn, the same for every part of a message. */
static void
handle_data_locked (GstWrtcSctpAssociation * self, const guint8 * data,
    gsize len, guint16 sid, guint32 ppid, gboolean eor, guint32 tsn,
    gboolean unordered)
{
  Stream *st = get_stream_locked (self, sid);
  gboolean in_parts = st->reasm_size || st->reasm_discard;
  Event *ev;
  GBytes *msg;

  if (state_is_final (self->state))
    return;

  /* usrsctp 0.9.5's receive callback gives a later whole message of the
   * stream while an ordered one is still coming in parts (it does so for
   * each message it queues to read): an ordered one waits for the message
   * before it (RFC 8831 section 6.6), an unordered one need not */
  if (in_parts && eor && tsn != st->reasm_tsn) {
    if (!unordered && len <= self->local_mms) {
      ev = g_new0 (Event, 1);
      ev->type = EV_RECEIVE;
      ev->sid = sid;
      ev->ppid = ppid;
      ev->data = g_bytes_new (data, len);
      g_queue_push_tail (&st->held, ev);
      return;
    }
    in_parts = FALSE;
  }
  if (!eor || in_parts) {
    if (!in_parts)
      st->reasm_tsn = tsn;
    if (!st->reasm)
      st->reasm = g_byte_array_new ();
    st->reasm_size += len;
    if (!st->reasm_discard) {
      if (st->reasm_size > self->local_mms) {
        st->reasm_discard = TRUE;
        g_byte_array_set_size (st->reasm, 0);
      } else {
        g_byte_array_append (st->reasm, data, len);
      }
    }
    if (!eor)
      return;
    if (st->reasm_discard) {
      too_large_locked (self, sid, st->reasm_size);
      reasm_reset (self, st);
      return;
    }
    ev = push_event_locked (self, EV_RECEIVE, sid);
    ev->ppid = ppid;
    ev->data = g_bytes_new (st->reasm->data, st->reasm->len);
    reasm_reset (self, st);
    return;
  } else {
    if (len > self->local_mms) {
      too_large_locked (self, sid, len);
      return;
    }
    msg = g_bytes_new (data, len);
  }
  ev = push_event_locked (self, EV_RECEIVE, sid);
  ev->ppid = ppid;
  ev->data = msg;
}

static int
receive_cb (struct socket *sock, union sctp_sockstore addr, void *data,
    size_t datalen, struct sctp_rcvinfo rcv, int flags, void *ulp_info)
{
  GstWrtcSctpAssociation *self = lookup_locked (ulp_info);

  if (self && data) {
    if (flags & MSG_NOTIFICATION)
      handle_notification_locked (self, data, datalen);
    else
      handle_data_locked (self, data, datalen, rcv.rcv_sid,
          g_ntohl (rcv.rcv_ppid), (flags & MSG_EOR) != 0, rcv.rcv_tsn,
          (rcv.rcv_flags & SCTP_UNORDERED) != 0);
  }
  lookup_done (self);
  /* usrsctp hands the buffer over (malloc'ed) */
  free (data);
  return 1;
}

static int
send_cb (struct socket *sock, uint32_t sb_free, void *ulp_info)
{
  GstWrtcSctpAssociation *self = lookup_locked (ulp_info);

  if (self)
    self->blocked = FALSE;
  lookup_done (self);
  return 0;
}

/* ------------------------------------------------------------------------
 * Dispatch
 */

/* Hands the next queued operation (sched_pop_locked()) to usrsctp.  Called with the lock, returns
 * with it; unlocks around the usrsctp call, with the operation taken out
 * of the queue (abort() may clear it meanwhile); only the dispatcher pops,
 * so an operation usrsctp had no room for goes back to the head.  FALSE
 * when there was nothing it could do. */
static gboolean
flush_one_locked (GstWrtcSctpAssociation * self)
{
  Op *op;
  struct socket *sock = self->sock;
  int ret = 0, err = 0;

  if (!sched_has_work_locked (self) || self->blocked || !sock
      || self->state != GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTED)
    return FALSE;

  op = sched_pop_locked (self);
  g_mutex_unlock (&self->lock);
  switch (op->type) {
    case OP_MESSAGE:{
      struct sctp_sendv_spa spa;
      gsize len;
      const guint8 *data = g_bytes_get_data (op->data, &len);

      memset (&spa, 0, sizeof (spa));
      spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
      spa.sendv_sndinfo.snd_sid = op->sid;
      spa.sendv_sndinfo.snd_ppid = g_htonl (op->ppid);
      /* RFC 8831 section 6.6: unordered delivery per message */
      if (!op->ordered)
        spa.sendv_sndinfo.snd_flags |= SCTP_UNORDERED;
      /* RFC 8831 section 6.6 / RFC 3758: partial reliability */
      if (op->reliability != GST_WRTC_SCTP_RELIABLE) {
        spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
        spa.sendv_prinfo.pr_policy =
            op->reliability == GST_WRTC_SCTP_MAX_RETRANSMITS ?
            SCTP_PR_SCTP_RTX : SCTP_PR_SCTP_TTL;
        spa.sendv_prinfo.pr_value = op->value;
      }
      if (usrsctp_sendv (sock, data, len, NULL, 0, &spa, sizeof (spa),
              SCTP_SENDV_SPA, 0) < 0) {
        ret = -1;
        err = errno;
      }
      break;
    }
    case OP_RESET:{
      /* RFC 6525 section 5.1.2 Outgoing SSN Reset Request */
      guint8 buf[sizeof (struct sctp_reset_streams) + sizeof (guint16)];
      struct sctp_reset_streams *srs = (struct sctp_reset_streams *) buf;

      memset (buf, 0, sizeof (buf));
      srs->srs_assoc_id = SCTP_ALL_ASSOC;
      srs->srs_flags = SCTP_STREAM_RESET_OUTGOING;
      srs->srs_number_streams = 1;
      srs->srs_stream_list[0] = op->sid;
      ret = usrsctp_setsockopt (sock, IPPROTO_SCTP, SCTP_RESET_STREAMS, srs,
          sizeof (buf));
      err = errno;
      break;
    }
    case OP_SHUTDOWN:
      /* RFC 4960 section 9.2: SHUTDOWN once everything sent is acked */
      ret = usrsctp_shutdown (sock, SHUT_WR);
      err = errno;
      break;
  }
  g_mutex_lock (&self->lock);

  if (ret < 0 && (err == EWOULDBLOCK || err == EAGAIN || err == EALREADY
          || err == EBUSY) && !state_is_final (self->state)) {
    /* no room (or a reset in flight): retried on send_cb or a tick */
    GST_LOG_OBJECT (self, "usrsctp busy, %u operations wait",
        self->n_pending + 1);
    sched_push_back_locked (self, op);
    self->blocked = TRUE;
    return FALSE;
  }
  if (ret < 0)
    GST_WARNING_OBJECT (self, "usrsctp refused %s on stream %u: %s",
        op->type == OP_MESSAGE ? "a message" : op->type == OP_RESET ?
        "a stream reset" : "SHUTDOWN", op->sid, g_strerror (err));
  if (op->type == OP_MESSAGE && ret == 0 && !state_is_final (self->state)) {
    /* the peer has yet to acknowledge it */
    InFlight *f = g_new0 (InFlight, 1);
    f->sid = op->sid;
    f->len = g_bytes_get_size (op->data);
    self->handed_total += f->len;
    f->end = self->handed_total;
    g_queue_push_tail (&self->inflight, f);
  } else if (op->type == OP_MESSAGE)
    stream_sent_locked (self, op->sid, g_bytes_get_size (op->data));
  else if (op->type == OP_RESET && ret == 0 && !state_is_final (self->state)) {
    /* deadlines grow in queue order: the timeout is the same for all */
    ResetWait *w = g_new0 (ResetWait, 1);
    w->sid = op->sid;
    w->deadline = g_get_monotonic_time () +
        (gint64) self->reset_timeout_ms * 1000;
    g_queue_push_tail (&self->resets, w);
  } else if (op->type == OP_RESET && ret < 0) {
    Event *e = push_event_locked (self, EV_RESET, op->sid);
    e->failed = TRUE;
  }
  op_free (op);
  return TRUE;
}

/* Reads how many bytes usrsctp still holds (see the top of the file) and
 * takes the messages before that as acknowledged.  Called with the lock,
 * returns with it; unlocks around the usrsctp call. */
static void
poll_acked_locked (GstWrtcSctpAssociation * self)
{
  SndbufUse ss;
  socklen_t len = sizeof (ss);
  struct socket *sock = self->sock;
  guint64 acked;
  InFlight *f;
  int ret;

  if (!sock || g_queue_is_empty (&self->inflight))
    return;
  memset (&ss, 0, sizeof (ss));
  g_mutex_unlock (&self->lock);
  ret = usrsctp_getsockopt (sock, IPPROTO_SCTP, SCTP_GET_SNDBUF_USE, &ss, &len);
  g_mutex_lock (&self->lock);
  if (ret < 0) {
    /* no association any more: nothing will be acknowledged */
    GST_DEBUG_OBJECT (self, "SCTP_GET_SNDBUF_USE: %s", g_strerror (errno));
    return;
  }
  acked = self->handed_total - MIN (self->handed_total, ss.ss_total_sndbuf);
  while ((f = g_queue_peek_head (&self->inflight)) && f->end <= acked) {
    g_queue_pop_head (&self->inflight);
    stream_sent_locked (self, f->sid, f->len);
    g_free (f);
  }
}

static GObject *
owner_get (GWeakRef * ref, gboolean has_owner, gboolean * ok)
{
  GObject *o = has_owner ? g_weak_ref_get (ref) : NULL;

  *ok = !has_owner || o != NULL;
  return o;
}

/* Delivers the collected packets and events without the lock. */
static void
deliver_locked (GstWrtcSctpAssociation * self)
{
  GQueue packets = self->out_packets, events = self->events;
  GstWrtcSctpSendFunc send_func = self->send_func;
  GstWrtcSctpReceiveFuncs funcs = self->funcs;
  GObject *send_owner, *recv_owner;
  gboolean send_ok, recv_ok;
  GBytes *b;
  Event *ev;

  g_queue_init (&self->out_packets);
  g_queue_init (&self->events);
  send_owner = owner_get (&self->send_owner, self->send_has_owner, &send_ok);
  recv_owner = owner_get (&self->recv_owner, self->recv_has_owner, &recv_ok);
  g_mutex_unlock (&self->lock);

  while ((b = g_queue_pop_head (&packets))) {
    gsize len;
    const guint8 *data = g_bytes_get_data (b, &len);

    GST_LOG_OBJECT (self, "packet out, %" G_GSIZE_FORMAT " bytes", len);
    if (send_func && send_ok)
      send_func (data, len, send_owner);
    g_bytes_unref (b);
  }
  while ((ev = g_queue_pop_head (&events))) {
    switch (ev->type) {
      case EV_RECEIVE:
        if (funcs.receive && recv_ok) {
          gsize len;
          const guint8 *data = g_bytes_get_data (ev->data, &len);
          funcs.receive (ev->sid, ev->ppid, data, len, recv_owner);
        }
        break;
      case EV_RESET:
        if (funcs.stream_reset && recv_ok)
          funcs.stream_reset (ev->sid, ev->incoming, ev->failed, recv_owner);
        break;
      case EV_LOW:
        if (funcs.buffered_amount_low && recv_ok)
          funcs.buffered_amount_low (ev->sid, recv_owner);
        break;
      case EV_ERROR:
        if (funcs.error && recv_ok)
          funcs.error (ev->sid, ev->error, recv_owner);
        break;
      case EV_STATE:
        if (funcs.state_changed && recv_ok)
          funcs.state_changed (ev->state, recv_owner);
        g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, ev->state);
        break;
    }
    event_free (ev);
  }
  if (send_owner)
    g_object_unref (send_owner);
  if (recv_owner)
    g_object_unref (recv_owner);
  g_mutex_lock (&self->lock);
}

static void
dispatch (GstWrtcSctpAssociation * self)
{
  gboolean polled = FALSE;

  g_mutex_lock (&self->lock);
  if (self->dispatching) {
    /* another thread (or an outer frame of this one) delivers for us */
    g_mutex_unlock (&self->lock);
    return;
  }
  self->dispatching = TRUE;
  for (;;) {
    if (flush_one_locked (self))
      continue;
    if (!g_queue_is_empty (&self->out_packets)
        || !g_queue_is_empty (&self->events)) {
      deliver_locked (self);
      continue;
    }
    /* once per dispatch, after what usrsctp was given or received */
    if (!polled && !g_queue_is_empty (&self->inflight)) {
      polled = TRUE;
      poll_acked_locked (self);
      continue;
    }
    break;
  }
  self->dispatching = FALSE;
  g_mutex_unlock (&self->lock);
}

/* ------------------------------------------------------------------------
 * GObject
 */
static void
gst_wrtc_sctp_association_finalize (GObject * object)
{
  GstWrtcSctpAssociation *self = GST_WRTC_SCTP_ASSOCIATION (object);

  /* first: from now on usrsctp's callbacks find nothing */
  g_mutex_lock (&registry_lock);
  g_hash_table_remove (registry, GUINT_TO_POINTER (self->id));
  g_mutex_unlock (&registry_lock);

  if (self->sock) {
    /* SO_LINGER 0: ABORT if still up, and free it now */
    usrsctp_close (self->sock);
    usrsctp_deregister_address (GUINT_TO_POINTER (self->id));
  }
  usrsctp_release ();

  g_weak_ref_clear (&self->self_weak);
  g_weak_ref_clear (&self->send_owner);
  g_weak_ref_clear (&self->recv_owner);
  g_clear_error (&self->error);
  sched_clear_locked (self);
  g_queue_clear_full (&self->resets, g_free);
  g_queue_clear_full (&self->inflight, g_free);
  g_queue_clear_full (&self->out_packets, (GDestroyNotify) g_bytes_unref);
  g_queue_clear_full (&self->events, (GDestroyNotify) event_free);
  g_hash_table_unref (self->streams);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (gst_wrtc_sctp_association_parent_class)->finalize (object);
}

static void
gst_wrtc_sctp_association_class_init (GstWrtcSctpAssociationClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_wrtc_sctp_association_finalize;

  /**
   * GstWrtcSctpAssociation::state-changed:
   * @assoc: the association
   * @state: the new #GstWrtcSctpAssociationState
   *
   * Emitted without the association's lock, in order with the other
   * callbacks, from the thread that dispatches (see the header).
   */
  signals[SIGNAL_STATE_CHANGED] = g_signal_new ("state-changed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, GST_WRTC_TYPE_SCTP_ASSOCIATION_STATE);
}

static void
gst_wrtc_sctp_association_init (GstWrtcSctpAssociation * self)
{
  g_mutex_init (&self->lock);
  g_weak_ref_init (&self->send_owner, NULL);
  g_weak_ref_init (&self->recv_owner, NULL);
  self->state = GST_WRTC_SCTP_ASSOCIATION_STATE_NEW;
  self->local_mms = GST_WRTC_SCTP_DEFAULT_LOCAL_MAX_MESSAGE_SIZE;
  self->remote_mms = GST_WRTC_SCTP_DEFAULT_REMOTE_MAX_MESSAGE_SIZE;
  self->offer_interleaving = TRUE;
  self->mtu = GST_WRTC_SCTP_MTU;
  self->streams = g_hash_table_new_full (NULL, NULL, NULL,
      (GDestroyNotify) stream_free);
  g_queue_init (&self->active);
  g_queue_init (&self->resets);
  g_queue_init (&self->inflight);
  self->reset_timeout_ms = RESET_TIMEOUT_MS;
  g_queue_init (&self->out_packets);
  g_queue_init (&self->events);
}

GstWrtcSctpAssociation *
gst_wrtc_sctp_association_new (guint16 local_port, guint16 remote_port,
    gboolean is_client)
{
  GstWrtcSctpAssociation *self;

  self = g_object_new (GST_WRTC_TYPE_SCTP_ASSOCIATION, NULL);
  self->local_port = local_port;
  self->remote_port = remote_port;
  self->is_client = is_client;
  g_weak_ref_init (&self->self_weak, self);

  usrsctp_acquire ();
  g_mutex_lock (&registry_lock);
  if (!registry)
    registry = g_hash_table_new (NULL, NULL);
  do {
    self->id = next_id++;
  } while (self->id == 0
      || g_hash_table_contains (registry, GUINT_TO_POINTER (self->id)));
  g_hash_table_insert (registry, GUINT_TO_POINTER (self->id), self);
  g_mutex_unlock (&registry_lock);
  return self;
}

void
gst_wrtc_sctp_association_set_send_func (GstWrtcSctpAssociation * assoc,
    GstWrtcSctpSendFunc send_func, GObject * owner)
{
  g_mutex_lock (&assoc->lock);
  assoc->send_func = send_func;
  g_weak_ref_set (&assoc->send_owner, owner);
  assoc->send_has_owner = owner != NULL;
  g_mutex_unlock (&assoc->lock);
}

void
gst_wrtc_sctp_association_set_receive_funcs (GstWrtcSctpAssociation * assoc,
    const GstWrtcSctpReceiveFuncs * funcs, GObject * owner)
{
  g_mutex_lock (&assoc->lock);
  if (funcs)
    assoc->funcs = *funcs;
  else
    memset (&assoc->funcs, 0, sizeof (assoc->funcs));
  g_weak_ref_set (&assoc->recv_owner, owner);
  assoc->recv_has_owner = owner != NULL;
  g_mutex_unlock (&assoc->lock);
}

void
gst_wrtc_sctp_association_set_local_max_message_size (GstWrtcSctpAssociation *
    assoc, guint64 size)
{
  g_mutex_lock (&assoc->lock);
  assoc->local_mms = size ? size : G_MAXUINT64;
  g_mutex_unlock (&assoc->lock);
}

guint64
gst_wrtc_sctp_association_get_local_max_message_size (GstWrtcSctpAssociation *
    assoc)
{
  guint64 v;

  g_mutex_lock (&assoc->lock);
  v = assoc->local_mms;
  g_mutex_unlock (&assoc->lock);
  return v;
}

void
gst_wrtc_sctp_association_set_remote_max_message_size (GstWrtcSctpAssociation
    * assoc, guint64 size)
{
  g_mutex_lock (&assoc->lock);
  assoc->remote_mms = size;
  g_mutex_unlock (&assoc->lock);
}

static guint64
max_send_size_locked (GstWrtcSctpAssociation * self)
{
  /* RFC 8841 section 6.1: 0 means any size */
  if (self->remote_mms == 0)
    return GST_WRTC_SCTP_MAX_SEND_MESSAGE_SIZE;
  return MIN (self->remote_mms, GST_WRTC_SCTP_MAX_SEND_MESSAGE_SIZE);
}

guint64
gst_wrtc_sctp_association_get_max_send_size (GstWrtcSctpAssociation * assoc)
{
  guint64 v;

  g_mutex_lock (&assoc->lock);
  v = max_send_size_locked (assoc);
  g_mutex_unlock (&assoc->lock);
  return v;
}

void
gst_wrtc_sctp_association_set_reset_timeout (GstWrtcSctpAssociation * assoc,
    guint timeout_ms)
{
  g_mutex_lock (&assoc->lock);
  assoc->reset_timeout_ms = timeout_ms;
  g_mutex_unlock (&assoc->lock);
}

void
gst_wrtc_sctp_association_set_interleaving (GstWrtcSctpAssociation * assoc,
    gboolean enable)
{
  g_mutex_lock (&assoc->lock);
  assoc->offer_interleaving = enable;
  g_mutex_unlock (&assoc->lock);
}

void
gst_wrtc_sctp_association_set_mtu (GstWrtcSctpAssociation * assoc, guint mtu)
{
  g_mutex_lock (&assoc->lock);
  assoc->mtu = CLAMP (mtu, 512, GST_WRTC_SCTP_MAX_MTU);
  GST_DEBUG_OBJECT (assoc, "SCTP packets of up to %u bytes", assoc->mtu);
  g_mutex_unlock (&assoc->lock);
}

guint
gst_wrtc_sctp_association_get_mtu (GstWrtcSctpAssociation * assoc)
{
  guint mtu;

  g_mutex_lock (&assoc->lock);
  mtu = assoc->mtu;
  g_mutex_unlock (&assoc->lock);
  return mtu;
}

gboolean
gst_wrtc_sctp_association_get_interleaving (GstWrtcSctpAssociation * assoc)
{
  gboolean v;

  g_mutex_lock (&assoc->lock);
  v = assoc->interleaving;
  g_mutex_unlock (&assoc->lock);
  return v;
}

void
gst_wrtc_sctp_association_set_stream_priority (GstWrtcSctpAssociation *
    assoc, guint16 stream_id, guint16 priority)
{
  g_return_if_fail (stream_id < GST_WRTC_SCTP_MAX_STREAMS);

  g_mutex_lock (&assoc->lock);
  get_stream_locked (assoc, stream_id)->priority = priority;
  g_mutex_unlock (&assoc->lock);
  GST_DEBUG_OBJECT (assoc, "stream %u: priority %u", stream_id, priority);
}

guint16
gst_wrtc_sctp_association_get_stream_priority (GstWrtcSctpAssociation *
    assoc, guint16 stream_id)
{
  Stream *st;
  guint16 v;

  g_mutex_lock (&assoc->lock);
  st = g_hash_table_lookup (assoc->streams, GUINT_TO_POINTER (stream_id));
  v = st ? st->priority : GST_WRTC_SCTP_DEFAULT_PRIORITY;
  g_mutex_unlock (&assoc->lock);
  return v;
}

static gboolean
setopt (struct socket *sock, int level, int name, const void *value,
    socklen_t len, const gchar * what, GError ** error)
{
  if (usrsctp_setsockopt (sock, level, name, value, len) == 0)
    return TRUE;
  g_set_error (error, GST_WRTC_SCTP_ERROR, GST_WRTC_SCTP_ERROR_INIT,
      "usrsctp refused %s: %s", what, g_strerror (errno));
  return FALSE;
}

static struct socket *
create_socket (GstWrtcSctpAssociation * self, gboolean interleaving,
    GError ** error)
{
  struct socket *sock;
  struct linger lg = { 1, 0 };
  struct sctp_assoc_value av;
  struct sctp_initmsg initmsg;
  struct sctp_rtoinfo rto;
  struct sctp_paddrparams pp;
  static const guint16 events[] = { SCTP_ASSOC_CHANGE, SCTP_SHUTDOWN_EVENT,
    SCTP_STREAM_RESET_EVENT, SCTP_SEND_FAILED_EVENT,
    SCTP_PARTIAL_DELIVERY_EVENT, SCTP_REMOTE_ERROR
  };
  int one = 1, sndbuf = SEND_BUFFER, rcvbuf = RECEIVE_BUFFER;
  guint i;

  sock = usrsctp_socket (AF_CONN, SOCK_STREAM, IPPROTO_SCTP, receive_cb,
      send_cb, SEND_WAKEUP_THRESHOLD, GUINT_TO_POINTER (self->id));
  if (!sock)
    goto no_socket;

  if (usrsctp_set_non_blocking (sock, 1) < 0)
    goto no_socket_close;
  /* closing aborts instead of lingering: finalize frees it at once */
  if (!setopt (sock, SOL_SOCKET, SO_LINGER, &lg, sizeof (lg), "SO_LINGER",
          error))
    goto failed;
  if (!setopt (sock, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof (sndbuf),
          "SO_SNDBUF", error)
      || !setopt (sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof (rcvbuf),
          "SO_RCVBUF", error))
    goto failed;
  /* messages leave at once: no Nagle (RFC 8831 section 6.6 leaves it to
   * us; browsers do the same) */
  if (!setopt (sock, IPPROTO_SCTP, SCTP_NODELAY, &one, sizeof (one),
          "SCTP_NODELAY", error))
    goto failed;
  /* RFC 8831 section 6.7: closing a channel resets its streams */
  av.assoc_id = SCTP_FUTURE_ASSOC;
  av.assoc_value = SCTP_ENABLE_RESET_STREAM_REQ;
  if (!setopt (sock, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, &av, sizeof (av),
          "SCTP_ENABLE_STREAM_RESET", error))
    goto failed;
  for (i = 0; i < G_N_ELEMENTS (events); i++) {
    struct sctp_event ev = { SCTP_FUTURE_ASSOC, events[i], 1 };
    if (!setopt (sock, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof (ev),
            "SCTP_EVENT", error))
      goto failed;
  }
  /* RFC 8831 section 6.2: as many streams as we may use, both ways */
  memset (&initmsg, 0, sizeof (initmsg));
  initmsg.sinit_num_ostreams = GST_WRTC_SCTP_MAX_STREAMS;
  initmsg.sinit_max_instreams = GST_WRTC_SCTP_MAX_STREAMS;
  if (!setopt (sock, IPPROTO_SCTP, SCTP_INITMSG, &initmsg, sizeof (initmsg),
          "SCTP_INITMSG", error))
    goto failed;
  memset (&rto, 0, sizeof (rto));
  rto.srto_assoc_id = SCTP_FUTURE_ASSOC;
  rto.srto_initial = RTO_INITIAL_MS;
  rto.srto_min = RTO_MIN_MS;
  rto.srto_max = RTO_MAX_MS;
  if (!setopt (sock, IPPROTO_SCTP, SCTP_RTOINFO, &rto, sizeof (rto),
          "SCTP_RTOINFO", error))
    goto failed;
  /* RFC 8261 section 5: the path MTU is DTLS's; we cannot probe it */
  memset (&pp, 0, sizeof (pp));
  pp.spp_assoc_id = SCTP_FUTURE_ASSOC;
  pp.spp_flags = SPP_PMTUD_DISABLE;
  pp.spp_pathmtu = gst_wrtc_sctp_association_get_mtu (self);
  if (!setopt (sock, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp, sizeof (pp),
          "SCTP_PEER_ADDR_PARAMS", error))
    goto failed;
  /* RFC 8260: offer I-DATA; it is used when the peer offers it too.
   * usrsctp wants the interleaving fragment level first. */
  if (interleaving) {
    int level = FRAG_LEVEL_INTERLEAVE_STREAMS;
    av.assoc_id = SCTP_FUTURE_ASSOC;
    av.assoc_value = 1;
    if (!setopt (sock, IPPROTO_SCTP, SCTP_FRAGMENT_INTERLEAVE, &level,
            sizeof (level), "SCTP_FRAGMENT_INTERLEAVE", error)
        || !setopt (sock, IPPROTO_SCTP, SCTP_INTERLEAVING_SUPPORTED, &av,
            sizeof (av), "SCTP_INTERLEAVING_SUPPORTED", error))
      goto failed;
  }
  /* usrsctp's default stream scheduler (round robin in queueing order)
   * for what it holds (RFC 8260 section 3); the weighting by priority is
   * ours, in front of it (see "Priorities" at the top of the file).  Not
   * SCTP_SS_ROUND_ROBIN (the same, by stream id): in
   * usrsctp 0.9.5 it leaves a stream whose id is used again after a reset
   * refusing every send (EAGAIN) for ever (sctp/scale-channels found it:
   * 6 runs in 10). */
  return sock;

  /* ERRORS */
no_socket:
  {
    g_set_error (error, GST_WRTC_SCTP_ERROR, GST_WRTC_SCTP_ERROR_INIT,
        "usrsctp cannot create an AF_CONN socket: %s", g_strerror (errno));
    return NULL;
  }
no_socket_close:
  {
    g_set_error (error, GST_WRTC_SCTP_ERROR, GST_WRTC_SCTP_ERROR_INIT,
        "usrsctp cannot make its socket non-blocking: %s", g_strerror (errno));
    usrsctp_close (sock);
    return NULL;
  }
failed:
  {
    usrsctp_close (sock);
    return NULL;
  }
}

static void
conn_address (GstWrtcSctpAssociation * self, struct sockaddr_conn *sconn,
    guint16 port)
{
  memset (sconn, 0, sizeof (*sconn));
  sconn->sconn_family = AF_CONN;
  sconn->sconn_port = g_htons (port);
  sconn->sconn_addr = GUINT_TO_POINTER (self->id);
}

gboolean
gst_wrtc_sctp_association_start (GstWrtcSctpAssociation * assoc,
    GError ** error)
{
  struct sockaddr_conn local, remote;
  struct socket *sock;
  gboolean interleaving;
  GError *err = NULL;

  g_mutex_lock (&assoc->lock);
  if (assoc->state != GST_WRTC_SCTP_ASSOCIATION_STATE_NEW || assoc->sock)
    goto already_started;
  interleaving = assoc->offer_interleaving;
  g_mutex_unlock (&assoc->lock);

  sock = create_socket (assoc, interleaving, &err);
  if (!sock)
    goto failed;
  usrsctp_register_address (GUINT_TO_POINTER (assoc->id));

  g_mutex_lock (&assoc->lock);
  assoc->sock = sock;
  set_state_locked (assoc, GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTING);
  g_mutex_unlock (&assoc->lock);

  conn_address (assoc, &local, assoc->local_port);
  conn_address (assoc, &remote, assoc->remote_port);
  if (usrsctp_bind (sock, (struct sockaddr *) &local, sizeof (local)) < 0) {
    g_set_error (&err, GST_WRTC_SCTP_ERROR, GST_WRTC_SCTP_ERROR_INIT,
        "usrsctp cannot bind port %u: %s", assoc->local_port,
        g_strerror (errno));
    goto failed_started;
  }
  /* non-blocking: INIT leaves through conn_output, EINPROGRESS */
  if (usrsctp_connect (sock, (struct sockaddr *) &remote,
          sizeof (remote)) < 0 && errno != EINPROGRESS) {
    g_set_error (&err, GST_WRTC_SCTP_ERROR, GST_WRTC_SCTP_ERROR_INIT,
        "usrsctp cannot connect to port %u: %s", assoc->remote_port,
        g_strerror (errno));
    goto failed_started;
  }
  g_mutex_lock (&assoc->lock);
  assoc->accepting_input = TRUE;
  g_mutex_unlock (&assoc->lock);
  dispatch (assoc);
  return TRUE;

  /* ERRORS */
already_started:
  {
    g_set_error (error, GST_WRTC_SCTP_ERROR, GST_WRTC_SCTP_ERROR_STATE,
        "the SCTP association was already started (state %s)",
        gst_wrtc_sctp_association_state_name (assoc->state));
    g_mutex_unlock (&assoc->lock);
    return FALSE;
  }
failed:
  {
    g_mutex_lock (&assoc->lock);
    fail_locked (assoc, "%s", err->message);
    g_mutex_unlock (&assoc->lock);
    g_propagate_error (error, err);
    dispatch (assoc);
    return FALSE;
  }
failed_started:
  {
    g_mutex_lock (&assoc->lock);
    fail_locked (assoc, "%s", err->message);
    g_mutex_unlock (&assoc->lock);
    g_propagate_error (error, err);
    dispatch (assoc);
    return FALSE;
  }
}

static guint16
read_u16 (const guint8 * p)
{
  return (guint16) (p[0] << 8 | p[1]);
}

/* RFC 4960 section 3: the common header, a valid CRC32c (Appendix B) and
 * chunks that tile the packet.  usrsctp checks all of this too, but
 * silently; we want the DTLS layer to learn that its peer sends garbage. */
static gboolean
validate_packet (GstWrtcSctpAssociation * self, const guint8 * data,
    gsize len, GError ** error)
{
  guint8 *copy;
  guint32 crc;
  gboolean crc_ok;
  gsize off;
  guint chunks = 0;

  if (len < sizeof (struct sctp_common_header) + 4)
    goto too_short;
  if (read_u16 (data) != self->remote_port
      || read_u16 (data + 2) != self->local_port)
    goto wrong_ports;

  if (crc_offloaded) {
    /* usrsctp checks nothing more: this is the packet's one check */
    crc = packet_crc32c (data, len);
  } else {
    copy = g_memdup2 (data, len);
    memset (copy + 8, 0, 4);
    crc = usrsctp_crc32c (copy, len);
    g_free (copy);
  }
  crc_ok = memcmp (&crc, data + 8, 4) == 0;
  if (!crc_ok)
    goto bad_crc;

  for (off = sizeof (struct sctp_common_header); off < len; chunks++) {
    guint16 clen;

    if (len - off < 4)
      goto bad_chunk;
    clen = read_u16 (data + off + 2);
    if (clen < 4 || clen > len - off)
      goto bad_chunk;
    /* chunks are padded to 4 bytes; the last one's padding may be cut */
    off += MIN ((gsize) ((clen + 3) & ~3), len - off);
  }
  return TRUE;

  /* ERRORS */
too_short:
  {
    g_set_error (error, GST_WRTC_SCTP_ERROR, GST_WRTC_SCTP_ERROR_MALFORMED,
        "SCTP packet of %" G_GSIZE_FORMAT " bytes is shorter than a common "
        "header and one chunk header (16)", len);
    return FALSE;
  }
wrong_ports:
  {
    g_set_error (error, GST_WRTC_SCTP_ERROR, GST_WRTC_SCTP_ERROR_MALFORMED,
        "SCTP packet from port %u to %u, expected %u to %u",
        read_u16 (data), read_u16 (data + 2), self->remote_port,
        self->local_port);
    return FALSE;
  }
bad_crc:
  {
    g_set_error (error, GST_WRTC_SCTP_ERROR, GST_WRTC_SCTP_ERROR_MALFORMED,
        "SCTP packet of %" G_GSIZE_FORMAT " bytes has a wrong CRC32c", len);
    return FALSE;
  }
bad_chunk:
  {
    g_set_error (error, GST_WRTC_SCTP_ERROR, GST_WRTC_SCTP_ERROR_MALFORMED,
        "SCTP chunk %u at offset %" G_GSIZE_FORMAT " overruns the %"
        G_GSIZE_FORMAT "-byte packet", chunks, off, len);
    return FALSE;
  }
}

gboolean
gst_wrtc_sctp_association_process (GstWrtcSctpAssociation * assoc,
    const guint8 * data, gsize len, GError ** error)
{
  GstWrtcSctpAssociationState state;
  gboolean accepting;

  g_mutex_lock (&assoc->lock);
  state = assoc->state;
  accepting = assoc->accepting_input;
  g_mutex_unlock (&assoc->lock);

  if (!validate_packet (assoc, data, len, error))
    return FALSE;
  if (!accepting || state_is_final (state)) {
    /* before start the peer retransmits its INIT; after the end there is
     * nobody to answer */
    GST_DEBUG_OBJECT (assoc, "dropping %" G_GSIZE_FORMAT " bytes, state %s",
        len, gst_wrtc_sctp_association_state_name (state));
    return TRUE;
  }
  usrsctp_conninput (GUINT_TO_POINTER (assoc->id), data, len, 0);
  dispatch (assoc);
  return TRUE;
}

gboolean
gst_wrtc_sctp_association_send (GstWrtcSctpAssociation * assoc,
    guint16 stream_id, guint32 ppid, const guint8 * data, gsize len,
    gboolean ordered, GstWrtcSctpReliability reliability, guint32 value,
    GError ** error)
{
  Op *op;
  guint64 max;

  if (len == 0)
    goto empty;
  if (stream_id >= GST_WRTC_SCTP_MAX_STREAMS)
    goto bad_stream;

  g_mutex_lock (&assoc->lock);
  if (state_is_final (assoc->state) || assoc->closing || assoc->peer_shutdown)
    goto closed;
  max = max_send_size_locked (assoc);
  if (len > max)
    goto too_large;
  /* RFC 4960 section 5.1.1: the peer's MIS bounds our outbound streams */
  if (assoc->out_streams && stream_id >= assoc->out_streams)
    goto stream_not_allowed;

  op = g_new0 (Op, 1);
  op->type = OP_MESSAGE;
  op->sid = stream_id;
  op->ppid = ppid;
  op->ordered = ordered;
  op->reliability = reliability;
  op->value = value;
  op->data = g_bytes_new (data, len);
  sched_push_locked (assoc, op);
  get_stream_locked (assoc, stream_id)->buffered += len;
  g_mutex_unlock (&assoc->lock);

  dispatch (assoc);
  return TRUE;

  /* ERRORS */
empty:
  {
    g_set_error (error, GST_WRTC_SCTP_ERROR, GST_WRTC_SCTP_ERROR_INVALID,
        "SCTP cannot send an empty message (RFC 8831 section 6.6 sends one "
        "byte with PPID 56 or 57 instead)");
    return FALSE;
  }
bad_stream:
  {
    g_set_error (error, GST_WRTC_SCTP_ERROR, GST_WRTC_SCTP_ERROR_INVALID,
        "stream id %u is out of range (0-%d)", stream_id,
        GST_WRTC_SCTP_MAX_STREAMS - 1);
    return FALSE;
  }
closed:
  {
    g_set_error (error, GST_WRTC_SCTP_ERROR, GST_WRTC_SCTP_ERROR_STATE,
        "cannot send on stream %u: the SCTP association is %s", stream_id,
        state_is_final (assoc->state) ?
        gst_wrtc_sctp_association_state_name (assoc->state) : "shutting down");
    g_mutex_unlock (&assoc->lock);
    return FALSE;
  }
stream_not_allowed:
  {
    g_set_error (error, GST_WRTC_SCTP_ERROR, GST_WRTC_SCTP_ERROR_INVALID,
        "stream id %u is out of range: the peer allows %u outbound streams",
        stream_id, assoc->out_streams);
    g_mutex_unlock (&assoc->lock);
    return FALSE;
  }
too_large:
  {
    g_set_error (error, GST_WRTC_SCTP_ERROR, GST_WRTC_SCTP_ERROR_TOO_LARGE,
        "message of %" G_GSIZE_FORMAT " bytes on stream %u exceeds the "
        "peer's max-message-size of %" G_GUINT64_FORMAT " bytes (RFC 8841)",
        len, stream_id, max);
    g_mutex_unlock (&assoc->lock);
    return FALSE;
  }
}

gboolean
gst_wrtc_sctp_association_reset_stream (GstWrtcSctpAssociation * assoc,
    guint16 stream_id, GError ** error)
{
  Op *op;

  if (stream_id >= GST_WRTC_SCTP_MAX_STREAMS)
    goto bad_stream;
  g_mutex_lock (&assoc->lock);
  if (state_is_final (assoc->state))
    goto closed;
  op = g_new0 (Op, 1);
  op->type = OP_RESET;
  op->sid = stream_id;
  sched_push_locked (assoc, op);
  g_mutex_unlock (&assoc->lock);
  dispatch (assoc);
  return TRUE;

  /* ERRORS */
bad_stream:
  {
    g_set_error (error, GST_WRTC_SCTP_ERROR, GST_WRTC_SCTP_ERROR_INVALID,
        "stream id %u is out of range (0-%d)", stream_id,
        GST_WRTC_SCTP_MAX_STREAMS - 1);
    return FALSE;
  }
closed:
  {
    g_set_error (error, GST_WRTC_SCTP_ERROR, GST_WRTC_SCTP_ERROR_STATE,
        "cannot reset stream %u: the SCTP association is %s", stream_id,
        gst_wrtc_sctp_association_state_name (assoc->state));
    g_mutex_unlock (&assoc->lock);
    return FALSE;
  }
}

guint64
gst_wrtc_sctp_association_get_buffered_amount (GstWrtcSctpAssociation * assoc,
    guint16 stream_id)
{
  Stream *st;
  guint64 v;

  g_mutex_lock (&assoc->lock);
  st = g_hash_table_lookup (assoc->streams, GUINT_TO_POINTER (stream_id));
  v = st ? st->buffered : 0;
  g_mutex_unlock (&assoc->lock);
  return v;
}

void gst_wrtc_sctp_association_set_buffered_amount_low_threshold
    (GstWrtcSctpAssociation * assoc, guint16 stream_id, guint64 threshold)
{
  g_mutex_lock (&assoc->lock);
  get_stream_locked (assoc, stream_id)->low_threshold = threshold;
  g_mutex_unlock (&assoc->lock);
}

void
gst_wrtc_sctp_association_shutdown (GstWrtcSctpAssociation * assoc)
{
  gboolean abort = FALSE;

  g_mutex_lock (&assoc->lock);
  switch (assoc->state) {
    case GST_WRTC_SCTP_ASSOCIATION_STATE_NEW:
      set_state_locked (assoc, GST_WRTC_SCTP_ASSOCIATION_STATE_CLOSED);
      break;
    case GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTING:
      /* nothing to flush: the handshake is cut short */
      abort = TRUE;
      break;
    case GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTED:
      if (!assoc->closing) {
        Op *op = g_new0 (Op, 1);
        op->type = OP_SHUTDOWN;
        assoc->closing = TRUE;
        assoc->shutdown_op = op;
      }
      break;
    default:
      break;
  }
  g_mutex_unlock (&assoc->lock);
  if (abort)
    gst_wrtc_sctp_association_abort (assoc);
  else
    dispatch (assoc);
}

void
gst_wrtc_sctp_association_abort (GstWrtcSctpAssociation * assoc)
{
  struct socket *sock = NULL;

  g_mutex_lock (&assoc->lock);
  if (!state_is_final (assoc->state)) {
    assoc->closing = TRUE;
    sock = assoc->sock;
    set_state_locked (assoc, GST_WRTC_SCTP_ASSOCIATION_STATE_CLOSED);
  }
  g_mutex_unlock (&assoc->lock);

  if (sock) {
    /* RFC 4960 section 9.1; usrsctp wants a buffer even for no data */
    static const guint8 nothing = 0;
    struct sctp_sndinfo info;

    memset (&info, 0, sizeof (info));
    info.snd_flags = SCTP_ABORT;
    if (usrsctp_sendv (sock, &nothing, 0, NULL, 0, &info, sizeof (info),
            SCTP_SENDV_SNDINFO, 0) < 0)
      GST_DEBUG_OBJECT (assoc, "ABORT not sent: %s", g_strerror (errno));
  }
  dispatch (assoc);
}

GstWrtcSctpAssociationState
gst_wrtc_sctp_association_get_state (GstWrtcSctpAssociation * assoc)
{
  GstWrtcSctpAssociationState s;

  g_mutex_lock (&assoc->lock);
  s = assoc->state;
  g_mutex_unlock (&assoc->lock);
  return s;
}

gboolean
gst_wrtc_sctp_association_is_client (GstWrtcSctpAssociation * assoc)
{
  return assoc->is_client;
}

GError *
gst_wrtc_sctp_association_get_error (GstWrtcSctpAssociation * assoc)
{
  GError *e;

  g_mutex_lock (&assoc->lock);
  e = assoc->error ? g_error_copy (assoc->error) : NULL;
  g_mutex_unlock (&assoc->lock);
  return e;
}
