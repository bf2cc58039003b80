/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: RFC 7983 demultiplexing by the first byte. */
#ifndef __GST_WRTC_RFC7983_H__
#define __GST_WRTC_RFC7983_H__

#include <glib.h>

G_BEGIN_DECLS typedef enum
{
  GST_WRTC_PACKET_UNKNOWN,
  GST_WRTC_PACKET_STUN,
  GST_WRTC_PACKET_ZRTP,
  GST_WRTC_PACKET_DTLS,
  GST_WRTC_PACKET_TURN_CHANNEL,
  GST_WRTC_PACKET_RTP,
  GST_WRTC_PACKET_RTCP,
} GstWrtcPacketKind;

/* RFC 7983 section 7:
 *
 *                 +----------------+
 *                 |        [0..3] -+--> forward to STUN
 *                 |                |
 *                 |      [16..19] -+--> forward to ZRTP
 *                 |                |
 *     packet -->  |      [20..63] -+--> forward to DTLS
 *                 |                |
 *                 |      [64..79] -+--> forward to TURN Channel
 *                 |                |
 *                 |    [128..191] -+--> forward to RTP/RTCP
 *                 +----------------+
 *
 * RTP and RTCP are told apart by the second byte (RFC 5761 section 4):
 * RTCP packet types 192..223 do not collide with dynamic RTP payload types
 * once the marker bit is set. */
static inline GstWrtcPacketKind
gst_wrtc_rfc7983_classify (const guint8 * data, gsize len)
{
  guint8 b;

  if (len == 0)
    return GST_WRTC_PACKET_UNKNOWN;
  b = data[0];
  if (b <= 3)
    return GST_WRTC_PACKET_STUN;
  if (b >= 16 && b <= 19)
    return GST_WRTC_PACKET_ZRTP;
  if (b >= 20 && b <= 63)
    return GST_WRTC_PACKET_DTLS;
  if (b >= 64 && b <= 79)
    return GST_WRTC_PACKET_TURN_CHANNEL;
  if (b >= 128 && b <= 191) {
    if (len < 2)
      return GST_WRTC_PACKET_UNKNOWN;
    if (data[1] >= 192 && data[1] <= 223)
      return GST_WRTC_PACKET_RTCP;
    return GST_WRTC_PACKET_RTP;
  }
  return GST_WRTC_PACKET_UNKNOWN;
}

G_END_DECLS
#endif
