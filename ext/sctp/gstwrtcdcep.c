/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: DCEP (RFC 8832) messages, parsed and written. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcdcep.h"

#include <string.h>

/* network byte order, without pulling in GStreamer for its macros */
static inline guint16
read_u16 (const guint8 * p)
{
  return (guint16) (p[0] << 8 | p[1]);
}

static inline guint32
read_u32 (const guint8 * p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 |
      p[3];
}

static inline void
write_u16 (guint8 * p, guint16 v)
{
  p[0] = v >> 8;
  p[1] = v;
}

static inline void
write_u32 (guint8 * p, guint32 v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

G_DEFINE_QUARK (gst - wrtc - dcep - error - quark, gst_wrtc_dcep_error);

gboolean
gst_wrtc_dcep_channel_type_is_valid (guint type)
{
  switch (type) {
    case GST_WRTC_DCEP_CHANNEL_RELIABLE:
    case GST_WRTC_DCEP_CHANNEL_PARTIAL_RELIABLE_REXMIT:
    case GST_WRTC_DCEP_CHANNEL_PARTIAL_RELIABLE_TIMED:
    case GST_WRTC_DCEP_CHANNEL_RELIABLE_UNORDERED:
    case GST_WRTC_DCEP_CHANNEL_PARTIAL_RELIABLE_REXMIT_UNORDERED:
    case GST_WRTC_DCEP_CHANNEL_PARTIAL_RELIABLE_TIMED_UNORDERED:
      return TRUE;
    default:
      return FALSE;
  }
}

/* Label and protocol become C strings handed to applications: a NUL
 * inside would silently cut them, invalid UTF-8 breaks GObject string
 * properties (RFC 8832 section 5.1 says both are UTF-8). */
static gchar *
take_string (const guint8 * data, guint16 len, const gchar * what,
    GError ** error)
{
  const gchar *end;

  if (memchr (data, 0, len))
    goto has_nul;
  if (!g_utf8_validate ((const gchar *) data, len, &end))
    goto not_utf8;
  return g_strndup ((const gchar *) data, len);

  /* ERRORS */
has_nul:
  {
    g_set_error (error, GST_WRTC_DCEP_ERROR, GST_WRTC_DCEP_ERROR_MALFORMED,
        "DATA_CHANNEL_OPEN %s contains a NUL byte", what);
    return NULL;
  }
not_utf8:
  {
    g_set_error (error, GST_WRTC_DCEP_ERROR, GST_WRTC_DCEP_ERROR_MALFORMED,
        "DATA_CHANNEL_OPEN %s is not UTF-8 (bad byte at offset %u)", what,
        (guint) (end - (const gchar *) data));
    return NULL;
  }
}

/* RFC 8832 section 5.1 */
static gboolean
parse_open (const guint8 * data, gsize len, GstWrtcDcepOpen * open,
    GError ** error)
{
  guint16 label_len, protocol_len;

  if (len < GST_WRTC_DCEP_OPEN_HEADER_LEN)
    goto short_header;
  open->channel_type = data[1];
  open->priority = read_u16 (data + 2);
  open->reliability = read_u32 (data + 4);
  label_len = read_u16 (data + 8);
  protocol_len = read_u16 (data + 10);

  if (!gst_wrtc_dcep_channel_type_is_valid (open->channel_type))
    goto bad_type;
  if (len - GST_WRTC_DCEP_OPEN_HEADER_LEN < (gsize) label_len + protocol_len)
    goto short_body;
  if (len - GST_WRTC_DCEP_OPEN_HEADER_LEN > (gsize) label_len + protocol_len)
    goto trailing;

  open->label = take_string (data + GST_WRTC_DCEP_OPEN_HEADER_LEN, label_len,
      "label", error);
  if (!open->label)
    return FALSE;
  open->protocol = take_string (data + GST_WRTC_DCEP_OPEN_HEADER_LEN +
      label_len, protocol_len, "protocol", error);
  if (!open->protocol) {
    g_clear_pointer (&open->label, g_free);
    return FALSE;
  }
  return TRUE;

  /* ERRORS */
short_header:
  {
    g_set_error (error, GST_WRTC_DCEP_ERROR, GST_WRTC_DCEP_ERROR_TRUNCATED,
        "DATA_CHANNEL_OPEN of %" G_GSIZE_FORMAT " bytes is shorter than its "
        "%d-byte header", len, GST_WRTC_DCEP_OPEN_HEADER_LEN);
    return FALSE;
  }
bad_type:
  {
    g_set_error (error, GST_WRTC_DCEP_ERROR, GST_WRTC_DCEP_ERROR_MALFORMED,
        "DATA_CHANNEL_OPEN has unknown channel type 0x%02x",
        open->channel_type);
    return FALSE;
  }
short_body:
  {
    g_set_error (error, GST_WRTC_DCEP_ERROR, GST_WRTC_DCEP_ERROR_TRUNCATED,
        "DATA_CHANNEL_OPEN announces a %u-byte label and a %u-byte protocol "
        "but carries only %" G_GSIZE_FORMAT " bytes after its header",
        label_len, protocol_len, len - GST_WRTC_DCEP_OPEN_HEADER_LEN);
    return FALSE;
  }
trailing:
  {
    g_set_error (error, GST_WRTC_DCEP_ERROR, GST_WRTC_DCEP_ERROR_MALFORMED,
        "DATA_CHANNEL_OPEN has %" G_GSIZE_FORMAT " bytes after its label "
        "and protocol", len - GST_WRTC_DCEP_OPEN_HEADER_LEN - label_len -
        protocol_len);
    return FALSE;
  }
}

gboolean
gst_wrtc_dcep_parse (const guint8 * data, gsize len, GstWrtcDcepMessage * msg,
    GError ** error)
{
  g_return_val_if_fail (msg != NULL, FALSE);

  memset (msg, 0, sizeof (*msg));
  if (len == 0 || !data)
    goto empty;

  switch (data[0]) {
    case GST_WRTC_DCEP_MESSAGE_ACK:
      /* RFC 8832 section 5.2: the message is the type byte alone */
      if (len != 1)
        goto ack_length;
      msg->type = GST_WRTC_DCEP_MESSAGE_ACK;
      return TRUE;
    case GST_WRTC_DCEP_MESSAGE_OPEN:
      if (!parse_open (data, len, &msg->open, error)) {
        memset (msg, 0, sizeof (*msg));
        return FALSE;
      }
      msg->type = GST_WRTC_DCEP_MESSAGE_OPEN;
      return TRUE;
    default:
      goto unknown;
  }

  /* ERRORS */
empty:
  {
    g_set_error (error, GST_WRTC_DCEP_ERROR, GST_WRTC_DCEP_ERROR_TRUNCATED,
        "empty DCEP message");
    return FALSE;
  }
ack_length:
  {
    g_set_error (error, GST_WRTC_DCEP_ERROR, GST_WRTC_DCEP_ERROR_MALFORMED,
        "DATA_CHANNEL_ACK of %" G_GSIZE_FORMAT " bytes (must be 1)", len);
    return FALSE;
  }
unknown:
  {
    g_set_error (error, GST_WRTC_DCEP_ERROR,
        GST_WRTC_DCEP_ERROR_UNKNOWN_MESSAGE,
        "unknown DCEP message type 0x%02x", data[0]);
    return FALSE;
  }
}

void
gst_wrtc_dcep_message_clear (GstWrtcDcepMessage * msg)
{
  g_clear_pointer (&msg->open.label, g_free);
  g_clear_pointer (&msg->open.protocol, g_free);
  memset (msg, 0, sizeof (*msg));
}

GBytes *
gst_wrtc_dcep_write_open (const GstWrtcDcepOpen * open, GError ** error)
{
  const gchar *label = open->label ? open->label : "";
  const gchar *protocol = open->protocol ? open->protocol : "";
  gsize label_len = strlen (label), protocol_len = strlen (protocol);
  gsize len = GST_WRTC_DCEP_OPEN_HEADER_LEN + label_len + protocol_len;
  gboolean reliable;
  guint8 *buf;

  if (label_len > GST_WRTC_DCEP_MAX_STRING_LEN
      || protocol_len > GST_WRTC_DCEP_MAX_STRING_LEN)
    goto too_long;
  if (!gst_wrtc_dcep_channel_type_is_valid (open->channel_type))
    goto bad_type;

  reliable = (open->channel_type & ~GST_WRTC_DCEP_UNORDERED_BIT) ==
      GST_WRTC_DCEP_CHANNEL_RELIABLE;
  buf = g_malloc (len);
  buf[0] = GST_WRTC_DCEP_MESSAGE_OPEN;
  buf[1] = open->channel_type;
  write_u16 (buf + 2, open->priority);
  write_u32 (buf + 4, reliable ? 0 : open->reliability);
  write_u16 (buf + 8, label_len);
  write_u16 (buf + 10, protocol_len);
  memcpy (buf + GST_WRTC_DCEP_OPEN_HEADER_LEN, label, label_len);
  memcpy (buf + GST_WRTC_DCEP_OPEN_HEADER_LEN + label_len, protocol,
      protocol_len);
  return g_bytes_new_take (buf, len);

  /* ERRORS */
too_long:
  {
    g_set_error (error, GST_WRTC_DCEP_ERROR, GST_WRTC_DCEP_ERROR_TOO_LONG,
        "data channel label (%" G_GSIZE_FORMAT " bytes) or protocol (%"
        G_GSIZE_FORMAT " bytes) is longer than %d bytes", label_len,
        protocol_len, GST_WRTC_DCEP_MAX_STRING_LEN);
    return NULL;
  }
bad_type:
  {
    g_set_error (error, GST_WRTC_DCEP_ERROR, GST_WRTC_DCEP_ERROR_MALFORMED,
        "unknown data channel type 0x%02x", open->channel_type);
    return NULL;
  }
}

GBytes *
gst_wrtc_dcep_write_ack (void)
{
  static const guint8 ack = GST_WRTC_DCEP_MESSAGE_ACK;

  return g_bytes_new_static (&ack, 1);
}

gboolean
gst_wrtc_dcep_channel_type_from_options (gboolean ordered,
    gint max_retransmits, gint max_packet_lifetime,
    GstWrtcDcepChannelType * type, guint32 * reliability, GError ** error)
{
  guint t;

  if (max_retransmits >= 0 && max_packet_lifetime >= 0)
    goto both;
  if (max_retransmits >= 0) {
    t = GST_WRTC_DCEP_CHANNEL_PARTIAL_RELIABLE_REXMIT;
    *reliability = max_retransmits;
  } else if (max_packet_lifetime >= 0) {
    t = GST_WRTC_DCEP_CHANNEL_PARTIAL_RELIABLE_TIMED;
    *reliability = max_packet_lifetime;
  } else {
    t = GST_WRTC_DCEP_CHANNEL_RELIABLE;
    *reliability = 0;
  }
  if (!ordered)
    t |= GST_WRTC_DCEP_UNORDERED_BIT;
  *type = t;
  return TRUE;

  /* ERRORS */
both:
  {
    g_set_error (error, GST_WRTC_DCEP_ERROR, GST_WRTC_DCEP_ERROR_MALFORMED,
        "a data channel takes max-retransmits (%d) or max-packet-lifetime "
        "(%d), not both", max_retransmits, max_packet_lifetime);
    return FALSE;
  }
}
