/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: one SCTP association over one DTLS association,
 * pad-less, on usrsctp.
 *
 * SCTP packets are DTLS application data (RFC 8261 section 4): incoming
 * ones go in through gst_wrtc_sctp_association_process(), outgoing ones
 * come out of the send callback, for the DTLS layer to encrypt.  usrsctp
 * runs in AF_CONN mode (no kernel SCTP, no sockets of the OS) and without
 * threads of its own (usrsctp_init_nothreads): its timers are driven by one
 * process-wide timer thread of ours, so every usrsctp callback runs either
 * in a call of this API or on that thread.
 *
 * Implements: RFC 8261 section 5 (one association per DTLS association,
 * both sides send INIT, stream count), RFC 8831 section 6 (user messages
 * with PPIDs, ordered/unordered, partial reliability through RFC 3758
 * PR-SCTP, max retransmits or lifetime; section 6.6 empty messages; section
 * 6.7 closing by an RFC 6525 outgoing stream reset), RFC 8260 I-DATA when
 * both ends offer it, RFC 8841 max-message-size.
 *
 * Messages queue in the association, per stream, and go to usrsctp once
 * it is connected and has room, in the order they were given on each
 * stream; between streams a weighted fair queue picks the next by the
 * streams' priorities (RFC 8831 section 6.4: relative weights, not strict
 * priority; see set_stream_priority()).  The buffered
 * amount of a stream counts the bytes in that queue and those usrsctp
 * holds until the peer acknowledges them (or PR-SCTP abandons them), with
 * a low-threshold notification.  Callbacks are called without the
 * association's lock, never two at a time for one association, in the order
 * the events happened; they may call back into the association.
 */
#ifndef __GST_WRTC_SCTP_ASSOCIATION_H__
#define __GST_WRTC_SCTP_ASSOCIATION_H__

#include <glib-object.h>
#include "gstwrtcfsm.h"

G_BEGIN_DECLS
#define GST_WRTC_SCTP_ERROR (gst_wrtc_sctp_error_quark ())
    GQuark gst_wrtc_sctp_error_quark (void);

typedef enum
{
  GST_WRTC_SCTP_ERROR_MALFORMED,        /* not an SCTP packet for us */
  GST_WRTC_SCTP_ERROR_STATE,    /* not possible in the current state */
  GST_WRTC_SCTP_ERROR_TOO_LARGE,        /* over the peer's max-message-size */
  GST_WRTC_SCTP_ERROR_INVALID,  /* bad argument: stream id, options */
  GST_WRTC_SCTP_ERROR_STREAM,   /* stream or channel in the wrong state */
  GST_WRTC_SCTP_ERROR_INIT,     /* usrsctp refused to set up */
  GST_WRTC_SCTP_ERROR_FAILED,   /* the association failed or was aborted */
  GST_WRTC_SCTP_ERROR_PROTOCOL, /* the peer broke DCEP (RFC 8832) */
} GstWrtcSctpError;

typedef enum
{
  GST_WRTC_SCTP_ASSOCIATION_STATE_NEW,
  GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTING,
  GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTED,
  GST_WRTC_SCTP_ASSOCIATION_STATE_CLOSED,
  GST_WRTC_SCTP_ASSOCIATION_STATE_FAILED,
} GstWrtcSctpAssociationState;

GType gst_wrtc_sctp_association_state_get_type (void);
#define GST_WRTC_TYPE_SCTP_ASSOCIATION_STATE (gst_wrtc_sctp_association_state_get_type ())
const gchar *gst_wrtc_sctp_association_state_name (GstWrtcSctpAssociationState
    s);
/* The association's state machine (legal edges:
 * gstwrtcsctpassociation.c), for tests that try every edge. */
const GstWrtcFsm *gst_wrtc_sctp_association_state_machine (void);

#define GST_WRTC_TYPE_SCTP_ASSOCIATION (gst_wrtc_sctp_association_get_type ())
G_DECLARE_FINAL_TYPE (GstWrtcSctpAssociation, gst_wrtc_sctp_association,
    GST_WRTC, SCTP_ASSOCIATION, GObject);

/* RFC 8841 section 6.1: a peer that signals no max-message-size takes 64K */
#define GST_WRTC_SCTP_DEFAULT_REMOTE_MAX_MESSAGE_SIZE 65536
/* what we accept and advertise (the value browsers advertise) */
#define GST_WRTC_SCTP_DEFAULT_LOCAL_MAX_MESSAGE_SIZE 262144
/* The largest message we can hand to usrsctp at once (its send buffer);
 * a peer's larger max-message-size (or 0, "any") is capped to this. */
#define GST_WRTC_SCTP_MAX_SEND_MESSAGE_SIZE (1024 * 1024)
/* streams we ask for in each direction, the most an INIT can carry (RFC
 * 8831 section 6.2 says 65535; W3C RTCDataChannel ids go 0 to 65534).
 * usrsctp allocates both stream tables at INIT: about 6 MB per
 * association at this count (peak RSS of two associations: 9 MB with 1024
 * streams, 21 MB with 65535).  The peer may allow fewer outbound streams (older
 * browsers allowed 1024): send() refuses an id over what it allowed. */
#define GST_WRTC_SCTP_MAX_STREAMS 65535
#define GST_WRTC_SCTP_DEFAULT_PORT 5000
/* SCTP packet size that leaves room for the DTLS record around it (13
 * header + up to 48 of IV, MAC and padding) in a 1200-byte datagram */
#define GST_WRTC_SCTP_MTU 1136
/* The largest SCTP packet gst_wrtc_sctp_association_set_mtu() takes: one
 * DTLS record's plaintext (RFC 6347 section 4.1, 16384) less room for
 * what usrsctp adds over its path MTU (12 bytes in AF_CONN mode). */
#define GST_WRTC_SCTP_MAX_MTU 16256

/* Partial reliability of one message (RFC 8831 section 6.6, RFC 3758) */
typedef enum
{
  GST_WRTC_SCTP_RELIABLE,
  GST_WRTC_SCTP_MAX_RETRANSMITS,        /* value: retransmissions */
  GST_WRTC_SCTP_MAX_LIFETIME,   /* value: milliseconds */
} GstWrtcSctpReliability;

/* An outgoing SCTP packet, for the DTLS layer. */
typedef void (*GstWrtcSctpSendFunc) (const guint8 * data, gsize len,
    GObject * owner);

typedef struct
{
  /* one whole user message; @len may be 0 only for PPIDs that are not
   * RFC 8831's (the empty-message PPIDs carry one byte) */
  void (*receive) (guint16 stream_id, guint32 ppid, const guint8 * data,
      gsize len, GObject * owner);
  /* RFC 6525: @incoming TRUE when the peer reset its outgoing stream
   * (our incoming one), FALSE when our outgoing reset is done (@failed
   * when the peer denied it or did not answer within the reset timeout) */
  void (*stream_reset) (guint16 stream_id, gboolean incoming,
      gboolean failed, GObject * owner);
  /* the stream's buffered amount fell to its low threshold or below */
  void (*buffered_amount_low) (guint16 stream_id, GObject * owner);
  /* as the state-changed signal, in order with the callbacks above */
  void (*state_changed) (GstWrtcSctpAssociationState state, GObject * owner);
  /* something on @stream_id went wrong and the association goes on:
   * GST_WRTC_SCTP_ERROR_TOO_LARGE for a message over our max-message-size
   * (dropped whole, RFC 8841 section 6) */
  void (*error) (guint16 stream_id, const GError * error, GObject * owner);
} GstWrtcSctpReceiveFuncs;

GstWrtcSctpAssociation *gst_wrtc_sctp_association_new (guint16 local_port,
    guint16 remote_port, gboolean is_client);

/* Before start.  @owner is held weakly and passed, alive, to the
 * callbacks; once it is gone they are no longer called.  The callbacks run
 * on the thread that called process(), send(), start() or close, or on the
 * process-wide SCTP timer thread. */
void gst_wrtc_sctp_association_set_send_func (GstWrtcSctpAssociation * assoc,
    GstWrtcSctpSendFunc send_func, GObject * owner);
void gst_wrtc_sctp_association_set_receive_funcs (GstWrtcSctpAssociation *
    assoc, const GstWrtcSctpReceiveFuncs * funcs, GObject * owner);

/* RFC 8841: the largest message we accept (what we advertise in SDP);
 * larger ones are dropped and reported through the error callback.
 * 0: any size. */
void gst_wrtc_sctp_association_set_local_max_message_size
    (GstWrtcSctpAssociation * assoc, guint64 size);
guint64 gst_wrtc_sctp_association_get_local_max_message_size
    (GstWrtcSctpAssociation * assoc);
/* RFC 8841: the peer's a=max-message-size, 0 for "any size" */
void gst_wrtc_sctp_association_set_remote_max_message_size
    (GstWrtcSctpAssociation * assoc, guint64 size);
/* what send() accepts: the peer's limit, capped to what we can send */
guint64 gst_wrtc_sctp_association_get_max_send_size (GstWrtcSctpAssociation *
    assoc);
/* How long an outgoing stream reset waits for the peer's answer before it
 * is reported failed (default 7 s, see gstwrtcsctpassociation.c); a
 * timed-out reset's late answer is ignored.  Resets already sent keep
 * their deadline. */
void gst_wrtc_sctp_association_set_reset_timeout (GstWrtcSctpAssociation *
    assoc, guint timeout_ms);
/* Before start: offer I-DATA (RFC 8260); TRUE by default. */
void gst_wrtc_sctp_association_set_interleaving (GstWrtcSctpAssociation *
    assoc, gboolean enable);
/* Before start: the largest SCTP packet we send (default
 * GST_WRTC_SCTP_MTU; 512 to GST_WRTC_SCTP_MAX_MTU).  RFC 8261 section 5
 * wants SCTP packets that need no IP fragmentation, and nothing tells us
 * what the peer's DTLS and UDP stack accept, so raise it only where both
 * are known to take DTLS records of that size: loopback (MTU 64 KiB)
 * between two of our stacks.  There each SCTP packet costs the same
 * whatever its size (a DTLS record, a UDP datagram, a SACK every second
 * packet), so throughput grows with it (docs/plugins/sctpdatachannel.md,
 * "Performance"). */
void gst_wrtc_sctp_association_set_mtu (GstWrtcSctpAssociation * assoc,
    guint mtu);
guint gst_wrtc_sctp_association_get_mtu (GstWrtcSctpAssociation * assoc);
/* Once connected: whether both ends support I-DATA. */
gboolean gst_wrtc_sctp_association_get_interleaving (GstWrtcSctpAssociation *
    assoc);

/* Sends INIT (RFC 8261 section 5: either side may; both do, and SCTP
 * resolves the collision, RFC 4960 section 5.2.1). */
gboolean gst_wrtc_sctp_association_start (GstWrtcSctpAssociation * assoc,
    GError ** error);
/* One SCTP packet from the DTLS layer.  FALSE with @error for input that
 * is not an SCTP packet of this association (too short, bad checksum,
 * chunks that overrun it, wrong ports); input before start() or after the
 * end is dropped. */
gboolean gst_wrtc_sctp_association_process (GstWrtcSctpAssociation * assoc,
    const guint8 * data, gsize len, GError ** error);

/* Queues one message.  @len 0 is refused (RFC 8831 section 6.6 sends a
 * one-byte message with PPID 56 or 57 instead; the channel layer does).
 * Possible before the association is up: it leaves once connected. */
gboolean gst_wrtc_sctp_association_send (GstWrtcSctpAssociation * assoc,
    guint16 stream_id, guint32 ppid, const guint8 * data, gsize len,
    gboolean ordered, GstWrtcSctpReliability reliability, guint32 value,
    GError ** error);
/* RFC 6525 section 5.1.2: reset our outgoing stream, after the messages
 * queued on it. */
gboolean gst_wrtc_sctp_association_reset_stream (GstWrtcSctpAssociation *
    assoc, guint16 stream_id, GError ** error);

/* RFC 8831 section 6.4 (the DCEP priority, RFC 8832 section 5.1): the
 * weight of @stream_id's outgoing messages against the other streams'.
 * Weighted, not strict: while several streams have a backlog each gets a
 * share of the bytes in proportion to its priority (W3C RTCPriorityType:
 * very-low 128, low 256, medium 512, high 1024; 0 weighs as 1), none
 * starves.  The data channel layer sets it when a channel opens, ours or
 * the peer's; a stream nobody set has GST_WRTC_SCTP_DEFAULT_PRIORITY.  Any
 * time; it applies to what the stream sends next.  The weighting decides
 * what enters usrsctp's send buffer, which serves its streams round robin:
 * it shows once the backlog exceeds that buffer (about 1 MB); below, every
 * stream's messages leave at once anyway (gstwrtcsctpassociation.c,
 * "Priorities"). */
#define GST_WRTC_SCTP_DEFAULT_PRIORITY 256
void gst_wrtc_sctp_association_set_stream_priority (GstWrtcSctpAssociation *
    assoc, guint16 stream_id, guint16 priority);
guint16 gst_wrtc_sctp_association_get_stream_priority (GstWrtcSctpAssociation
    * assoc, guint16 stream_id);

guint64 gst_wrtc_sctp_association_get_buffered_amount (GstWrtcSctpAssociation
    * assoc, guint16 stream_id);
void gst_wrtc_sctp_association_set_buffered_amount_low_threshold
    (GstWrtcSctpAssociation * assoc, guint16 stream_id, guint64 threshold);

/* Graceful SHUTDOWN (RFC 4960 section 9.2) after the queued messages. */
void gst_wrtc_sctp_association_shutdown (GstWrtcSctpAssociation * assoc);
/* ABORT (RFC 4960 section 9.1) now; queued messages are dropped. */
void gst_wrtc_sctp_association_abort (GstWrtcSctpAssociation * assoc);

GstWrtcSctpAssociationState
gst_wrtc_sctp_association_get_state (GstWrtcSctpAssociation * assoc);
gboolean gst_wrtc_sctp_association_is_client (GstWrtcSctpAssociation * assoc);
/* The failure cause once the state is failed, else NULL. */
GError *gst_wrtc_sctp_association_get_error (GstWrtcSctpAssociation * assoc);

G_END_DECLS
#endif
