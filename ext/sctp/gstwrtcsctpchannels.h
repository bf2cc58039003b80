/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the data channels of one SCTP association.
 *
 * A table of channels by stream id on top of a GstWrtcSctpAssociation,
 * speaking DCEP (RFC 8832) for the channels that are not negotiated:
 *  - open(): a DATA_CHANNEL_OPEN on a free stream id of our parity (the
 *    DTLS client takes even ids, the server odd ones, RFC 8832 section 6);
 *    until the DATA_CHANNEL_ACK arrives every message of the channel is
 *    sent ordered (section 6), and the channel is open once it arrives (or
 *    once any message of the peer arrives on it).
 *  - a peer's DATA_CHANNEL_OPEN is answered with DATA_CHANNEL_ACK and the
 *    channel reported as open.
 *  - negotiated channels (id agreed out of band) send no DCEP and are open
 *    as soon as the association is.
 *  - messages: string and binary PPIDs, one-byte messages with the empty
 *    PPIDs for empty ones (RFC 8831 sections 6.6 and 8); over the peer's
 *    max-message-size send() fails with GST_WRTC_SCTP_ERROR_TOO_LARGE.
 *  - close(): an outgoing stream reset (RFC 8831 section 6.7, RFC 6525); a
 *    peer's reset is answered with ours; the channel is closed when both
 *    directions are reset, or when the peer denies our reset or leaves it
 *    unanswered past the association's reset timeout, and its id is free
 *    again.
 *
 * The channel table sits in its own object rather than in the association
 * so the association stays plain SCTP (tests drive it with any PPID) and
 * DCEP's rules stay in one place.  It installs the association's receive
 * callbacks; the association's send function remains the caller's.
 *
 * Callbacks run where the association dispatches (see its header): never
 * two at a time, without any lock, and they may call back in.  The one
 * exception: open() of a negotiated channel on a connected association
 * reports it open from the calling thread before returning.
 */
#ifndef __GST_WRTC_SCTP_CHANNELS_H__
#define __GST_WRTC_SCTP_CHANNELS_H__

#include "gstwrtcsctpassociation.h"
#include "gstwrtcdcep.h"

G_BEGIN_DECLS
/* the W3C RTCDataChannelState */
    typedef enum
{
  GST_WRTC_SCTP_CHANNEL_STATE_CONNECTING,
  GST_WRTC_SCTP_CHANNEL_STATE_OPEN,
  GST_WRTC_SCTP_CHANNEL_STATE_CLOSING,
  GST_WRTC_SCTP_CHANNEL_STATE_CLOSED,
} GstWrtcSctpChannelState;

const gchar *gst_wrtc_sctp_channel_state_name (GstWrtcSctpChannelState s);
/* A channel's state machine (legal edges: gstwrtcsctpchannels.c), for
 * tests that try every edge. */
const GstWrtcFsm *gst_wrtc_sctp_channel_state_machine (void);

#define GST_WRTC_TYPE_SCTP_CHANNELS (gst_wrtc_sctp_channels_get_type ())
G_DECLARE_FINAL_TYPE (GstWrtcSctpChannels, gst_wrtc_sctp_channels,
    GST_WRTC, SCTP_CHANNELS, GObject);

typedef struct
{
  const gchar *label;           /* NULL: "" */
  const gchar *protocol;        /* NULL: "" */
  gboolean ordered;
  gint max_retransmits;         /* -1: unset */
  gint max_packet_lifetime;     /* ms, -1: unset */
  guint16 priority;             /* RFC 8832 section 5.1 */
  gboolean negotiated;
  gint id;                      /* -1: pick one (not for negotiated) */
} GstWrtcSctpChannelOptions;

/* ordered, reliable, not negotiated, id picked, empty label, priority
 * GST_WRTC_SCTP_DEFAULT_PRIORITY (W3C "low") */
void gst_wrtc_sctp_channel_options_init (GstWrtcSctpChannelOptions * opts);

typedef struct
{
  gchar *label;
  gchar *protocol;
  gboolean ordered;
  gint max_retransmits;
  gint max_packet_lifetime;
  guint16 priority;
  gboolean negotiated;
  gboolean remote;              /* opened by the peer */
  GstWrtcSctpChannelState state;
} GstWrtcSctpChannelInfo;

void gst_wrtc_sctp_channel_info_clear (GstWrtcSctpChannelInfo * info);

typedef struct
{
  /* open: @remote TRUE for a channel the peer opened (a new channel for
   * the application), FALSE for one of ours */
  void (*channel_open) (guint16 id, gboolean remote, GObject * owner);
  void (*message) (guint16 id, gboolean is_string, const guint8 * data,
      gsize len, GObject * owner);
  void (*channel_closed) (guint16 id, GObject * owner);
  void (*buffered_amount_low) (guint16 id, GObject * owner);
  /* the peer broke DCEP, sent what no channel takes or a message over our
   * max-message-size (GST_WRTC_SCTP_ERROR_TOO_LARGE, dropped); the
   * association goes on */
  void (*error) (guint16 id, const GError * error, GObject * owner);
} GstWrtcSctpChannelsFuncs;

GstWrtcSctpChannels *gst_wrtc_sctp_channels_new (GstWrtcSctpAssociation *
    assoc);
GstWrtcSctpAssociation *gst_wrtc_sctp_channels_get_association
    (GstWrtcSctpChannels * chans);
/* @owner is held weakly and passed, alive, to the callbacks; NULL when
 * the caller guarantees the callbacks stay valid. */
void gst_wrtc_sctp_channels_set_funcs (GstWrtcSctpChannels * chans,
    const GstWrtcSctpChannelsFuncs * funcs, GObject * owner);

gboolean gst_wrtc_sctp_channels_open (GstWrtcSctpChannels * chans,
    const GstWrtcSctpChannelOptions * opts, guint16 * id, GError ** error);
gboolean gst_wrtc_sctp_channels_send (GstWrtcSctpChannels * chans, guint16 id,
    gboolean is_string, const guint8 * data, gsize len, GError ** error);
gboolean gst_wrtc_sctp_channels_close (GstWrtcSctpChannels * chans,
    guint16 id, GError ** error);

/* CLOSED for an id without a channel */
GstWrtcSctpChannelState gst_wrtc_sctp_channels_get_state (GstWrtcSctpChannels *
    chans, guint16 id);
gboolean gst_wrtc_sctp_channels_get_info (GstWrtcSctpChannels * chans,
    guint16 id, GstWrtcSctpChannelInfo * info);
guint64 gst_wrtc_sctp_channels_get_buffered_amount (GstWrtcSctpChannels *
    chans, guint16 id);
void gst_wrtc_sctp_channels_set_buffered_amount_low_threshold
    (GstWrtcSctpChannels * chans, guint16 id, guint64 threshold);

G_END_DECLS
#endif
