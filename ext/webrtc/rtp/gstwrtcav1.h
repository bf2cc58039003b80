/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the AV1 RTP packetizer (AOM "RTP Payload Format For
 * AV1", v1.0.0), over plain bytes: one temporal unit in, the RTP payloads
 * that carry it out.  No GstBuffer, no state, so it can be tested with
 * every truncation of a temporal unit.
 *
 * Every payload starts with the aggregation header (section 4.4):
 *
 *    0 1 2 3 4 5 6 7
 *   +-+-+-+-+-+-+-+-+
 *   |Z|Y| W |N|-|-|-|
 *   +-+-+-+-+-+-+-+-+
 *
 * Z: the first OBU element continues an OBU fragment of the previous
 * packet; Y: the last one continues in the next packet; W: the number of
 * OBU elements when 1-3 (the last one then has no length field), 0 when
 * every element has a leb128 length field; N: the first packet of a coded
 * video sequence.  OBU elements carry OBUs with obu_has_size_field cleared
 * (section 4.5).
 */
#ifndef __GST_WRTC_AV1_H__
#define __GST_WRTC_AV1_H__

#include <glib.h>

G_BEGIN_DECLS
#define GST_WRTC_AV1_ERROR (gst_wrtc_av1_error_quark ())
    typedef enum
{
  GST_WRTC_AV1_ERROR_INVALID,   /* not a sequence of OBUs */
  GST_WRTC_AV1_ERROR_MTU,       /* max_payload too small */
} GstWrtcAv1Error;

/* AV1 specification section 6.2.2, obu_type */
typedef enum
{
  GST_WRTC_AV1_OBU_SEQUENCE_HEADER = 1,
  GST_WRTC_AV1_OBU_TEMPORAL_DELIMITER = 2,
  GST_WRTC_AV1_OBU_FRAME_HEADER = 3,
  GST_WRTC_AV1_OBU_TILE_GROUP = 4,
  GST_WRTC_AV1_OBU_METADATA = 5,
  GST_WRTC_AV1_OBU_FRAME = 6,
  GST_WRTC_AV1_OBU_REDUNDANT_FRAME_HEADER = 7,
  GST_WRTC_AV1_OBU_TILE_LIST = 8,
  GST_WRTC_AV1_OBU_PADDING = 15,
} GstWrtcAv1ObuType;

/* the smallest max_payload gst_wrtc_av1_packetize() takes */
#define GST_WRTC_AV1_MIN_PAYLOAD 3

GQuark gst_wrtc_av1_error_quark (void);

/* leb128 (AV1 specification section 4.10.5): at most 8 bytes, a value
 * below 2^32.  Returns the bytes read, 0 when @data does not hold one. */
guint gst_wrtc_av1_read_leb128 (const guint8 * data, gsize len,
    guint32 * value);
/* Writes @value to @out (room for 5 bytes); returns the bytes written. */
guint gst_wrtc_av1_write_leb128 (guint32 value, guint8 * out);
guint gst_wrtc_av1_leb128_size (guint32 value);

/* Packetizes one temporal unit @tu (low overhead bitstream format, AV1
 * section 5.2: OBUs with obu_has_size_field set, except that the last one
 * may run to the end) into RTP payloads of at most @max_payload bytes.
 * Temporal delimiters and tile lists are dropped (section 5).  Returns a
 * GPtrArray of GBytes, in order; the last one ends the temporal unit (RTP
 * marker bit, section 4.2); empty when nothing is left to send.
 * @new_sequence (may be NULL) says whether the unit starts a coded video
 * sequence (a sequence header and a key frame: N=1 on the first payload).
 * Returns NULL and sets @error for input that is not a sequence of OBUs. */
GPtrArray *gst_wrtc_av1_packetize (const guint8 * tu, gsize len,
    gsize max_payload, gboolean * new_sequence, GError ** error);

G_END_DECLS
#endif
