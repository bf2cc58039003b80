/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the AV1 RTP packetizer and depacketizer (AOM "RTP
 * Payload Format For AV1", v1.0.0), over plain bytes.  The packetizer
 * takes one temporal unit and gives the RTP payloads that carry it, with
 * no state; the depacketizer takes the payloads of one stream in sequence
 * order and gives back temporal units.  No GstBuffer, so both can be
 * tested with every truncation and garbage.
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
  GST_WRTC_AV1_ERROR_LOST,      /* depacketizer: packets missing */
  GST_WRTC_AV1_ERROR_MALFORMED, /* depacketizer: a payload breaks section 4 */
  GST_WRTC_AV1_ERROR_TOO_LARGE, /* depacketizer: unit over GST_WRTC_AV1_MAX_UNIT */
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

/* ---- the depacketizer ----
 *
 * Feed it the RTP payloads of one stream in sequence order with their
 * marker bit and sequence number.  It reassembles each temporal unit
 * (section 4: OBU elements, with a leb128 length field except the last
 * one when W is not 0, OBU fragments continued across packets by Y and
 * Z) and gives it as a low overhead bitstream (AV1 section 5.2): a
 * temporal delimiter OBU first, then every OBU with obu_has_size_field
 * set and its obu_size written, as av1parse and av1dec take it with
 * alignment=tu.  Temporal delimiters and tile lists that arrive are
 * dropped (section 5 lets a receiver ignore them).
 *
 * On a sequence number gap or a malformed payload it discards the unit
 * it was building and says why; it then waits for the start of a unit it
 * can trust (Z=0 on the packet after a marker bit, or with N=1) and marks
 * the next unit it gives as a discontinuity.  It starts (and restarts
 * after a reset) as if after a marker bit: a stream joined in the middle
 * of a unit costs that unit, silently.  An empty payload (RTP padding)
 * only moves the sequence number on; a payload older than the last one
 * (a duplicate) is ignored.
 *
 * Plain data, no threads: the caller serialises calls. */

/* The largest temporal unit the depacketizer builds (bytes); a sender
 * that goes on without a marker bit gets its unit discarded there. */
#define GST_WRTC_AV1_MAX_UNIT (16 * 1024 * 1024)

typedef struct _GstWrtcAv1Depacketizer GstWrtcAv1Depacketizer;

/* What one payload gave. */
typedef struct
{
  /* a complete temporal unit (the caller owns it), or NULL */
  GBytes *unit;
  /* @unit holds a sequence header and a key frame: a decoder can start
   * there */
  gboolean keyframe;
  /* @unit came in a packet with N=1 (section 4.4: a new coded video
   * sequence) */
  gboolean new_sequence;
  /* data was discarded between the previous unit given and @unit */
  gboolean discont;
  /* this payload made the depacketizer discard data (a gap, a malformed
   * payload, a unit too large): why, in GST_WRTC_AV1_ERROR (the caller
   * owns it); NULL otherwise.  A receiver asks for a key frame. */
  GError *dropped;
} GstWrtcAv1DepayResult;

GstWrtcAv1Depacketizer *gst_wrtc_av1_depacketizer_new (void);
void gst_wrtc_av1_depacketizer_free (GstWrtcAv1Depacketizer * d);
/* Forgets the unit being built and the last sequence number (a flush):
 * the next payload starts afresh, without a discontinuity. */
void gst_wrtc_av1_depacketizer_reset (GstWrtcAv1Depacketizer * d);
/* One RTP payload @payload of @len bytes, with its sequence number @seq
 * and marker bit @marker.  Fills @result (cleared first); free what it
 * holds with gst_wrtc_av1_depay_result_clear(). */
void gst_wrtc_av1_depacketizer_push (GstWrtcAv1Depacketizer * d,
    const guint8 * payload, gsize len, guint16 seq, gboolean marker,
    GstWrtcAv1DepayResult * result);
void gst_wrtc_av1_depay_result_clear (GstWrtcAv1DepayResult * result);

G_END_DECLS
#endif
