/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the Data Channel Establishment Protocol (RFC 8832),
 * as pure functions over bytes.
 *
 * DCEP messages travel on the data channel's own SCTP stream with PPID 50
 * (RFC 8831 section 8).  Two messages exist:
 *
 *   DATA_CHANNEL_OPEN (RFC 8832 section 5.1)
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Message Type |  Channel Type |            Priority           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    Reliability Parameter                      |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |         Label Length          |       Protocol Length         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                             Label                             |
 *   |                            Protocol                           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   DATA_CHANNEL_ACK (RFC 8832 section 5.2): one byte, 0x02.
 *
 * The parser is strict: the lengths must add up to exactly the message,
 * the channel type must be one of the six of section 8.2.2, and label and
 * protocol must be UTF-8 without NUL (they become C strings).  Anything
 * else is a GError in GST_WRTC_DCEP_ERROR; the parser never reads outside
 * the given bytes.  No GLib main loop, no GObject: callable from anywhere.
 */
#ifndef __GST_WRTC_DCEP_H__
#define __GST_WRTC_DCEP_H__

#include <glib.h>

G_BEGIN_DECLS
/* RFC 8831 section 8: SCTP payload protocol identifiers */
#define GST_WRTC_SCTP_PPID_DCEP 50
#define GST_WRTC_SCTP_PPID_STRING 51
#define GST_WRTC_SCTP_PPID_BINARY 53
#define GST_WRTC_SCTP_PPID_STRING_EMPTY 56
#define GST_WRTC_SCTP_PPID_BINARY_EMPTY 57
#define GST_WRTC_DCEP_ERROR (gst_wrtc_dcep_error_quark ())
    GQuark gst_wrtc_dcep_error_quark (void);

typedef enum
{
  GST_WRTC_DCEP_ERROR_TRUNCATED,        /* shorter than its lengths say */
  GST_WRTC_DCEP_ERROR_MALFORMED,        /* trailing bytes, bad field value */
  GST_WRTC_DCEP_ERROR_UNKNOWN_MESSAGE,  /* message type neither OPEN nor ACK */
  GST_WRTC_DCEP_ERROR_TOO_LONG, /* label or protocol over 65535 bytes */
} GstWrtcDcepError;

/* RFC 8832 section 8.2.1 */
typedef enum
{
  GST_WRTC_DCEP_MESSAGE_ACK = 0x02,
  GST_WRTC_DCEP_MESSAGE_OPEN = 0x03,
} GstWrtcDcepMessageType;

/* RFC 8832 section 8.2.2; bit 0x80 is "unordered" */
typedef enum
{
  GST_WRTC_DCEP_CHANNEL_RELIABLE = 0x00,
  GST_WRTC_DCEP_CHANNEL_PARTIAL_RELIABLE_REXMIT = 0x01,
  GST_WRTC_DCEP_CHANNEL_PARTIAL_RELIABLE_TIMED = 0x02,
  GST_WRTC_DCEP_CHANNEL_RELIABLE_UNORDERED = 0x80,
  GST_WRTC_DCEP_CHANNEL_PARTIAL_RELIABLE_REXMIT_UNORDERED = 0x81,
  GST_WRTC_DCEP_CHANNEL_PARTIAL_RELIABLE_TIMED_UNORDERED = 0x82,
} GstWrtcDcepChannelType;

#define GST_WRTC_DCEP_UNORDERED_BIT 0x80
#define GST_WRTC_DCEP_OPEN_HEADER_LEN 12
#define GST_WRTC_DCEP_MAX_STRING_LEN 65535

typedef struct
{
  GstWrtcDcepChannelType channel_type;
  guint16 priority;
  /* retransmissions (REXMIT) or milliseconds (TIMED); ignored (and
   * written as 0) for the reliable types */
  guint32 reliability;
  gchar *label;                 /* never NULL once parsed */
  gchar *protocol;              /* never NULL once parsed */
} GstWrtcDcepOpen;

typedef struct
{
  GstWrtcDcepMessageType type;
  GstWrtcDcepOpen open;         /* only for GST_WRTC_DCEP_MESSAGE_OPEN */
} GstWrtcDcepMessage;

/* Parses one DCEP message (the whole SCTP message).  On success @msg is
 * filled (free with gst_wrtc_dcep_message_clear()); on failure it is left
 * zeroed. */
gboolean gst_wrtc_dcep_parse (const guint8 * data, gsize len,
    GstWrtcDcepMessage * msg, GError ** error);
void gst_wrtc_dcep_message_clear (GstWrtcDcepMessage * msg);

/* Serialises an OPEN; NULL label or protocol are written empty. */
GBytes *gst_wrtc_dcep_write_open (const GstWrtcDcepOpen * open,
    GError ** error);
GBytes *gst_wrtc_dcep_write_ack (void);

/* The channel type for a channel's options (RFC 8832 section 5.1):
 * @max_retransmits and @max_packet_lifetime are -1 when unset; setting
 * both is an error (W3C WebRTC, createDataChannel step 11). */
gboolean gst_wrtc_dcep_channel_type_from_options (gboolean ordered,
    gint max_retransmits, gint max_packet_lifetime,
    GstWrtcDcepChannelType * type, guint32 * reliability, GError ** error);
gboolean gst_wrtc_dcep_channel_type_is_valid (guint type);

G_END_DECLS
#endif
