/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the AV1 RTP packetizer (AOM "RTP Payload Format For
 * AV1"; section numbers below are of that document unless they name the
 * AV1 bitstream specification). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstwrtcav1.h"

GQuark
gst_wrtc_av1_error_quark (void)
{
  return g_quark_from_static_string ("gst-wrtc-av1-error-quark");
}

guint
gst_wrtc_av1_read_leb128 (const guint8 * data, gsize len, guint32 * value)
{
  guint64 v = 0;
  guint i;

  for (i = 0; i < 8 && i < len; i++) {
    v |= (guint64) (data[i] & 0x7f) << (i * 7);
    if (!(data[i] & 0x80)) {
      /* AV1 section 4.10.5: the value is less than or equal to 2^32 - 1 */
      if (v > G_MAXUINT32)
        return 0;
      *value = (guint32) v;
      return i + 1;
    }
  }
  return 0;
}

guint
gst_wrtc_av1_leb128_size (guint32 value)
{
  guint n = 1;

  while (value >= 0x80) {
    value >>= 7;
    n++;
  }
  return n;
}

guint
gst_wrtc_av1_write_leb128 (guint32 value, guint8 * out)
{
  guint n = 0;

  do {
    out[n] = value & 0x7f;
    value >>= 7;
    if (value)
      out[n] |= 0x80;
    n++;
  } while (value);
  return n;
}

/* An OBU to send: its bytes in @stream, header (size flag cleared) and
 * payload, and its temporal and spatial ids (-1: no extension header). */
typedef struct
{
  gsize start, end;
  gint layer;
} Obu;

/* One OBU element of the payload being built. */
typedef struct
{
  gsize start, len;
} Piece;

#define MAX_PIECES 64

/* AV1 section 5.9.2 and 5.5.1: whether a temporal unit whose sequence
 * header payload is @seq and first frame (header) payload is @frame
 * starts with a key frame. */
static gboolean
is_key_frame (const guint8 * seq, gsize seq_len, const guint8 * frame,
    gsize frame_len)
{
  /* seq_profile (3), still_picture (1), reduced_still_picture_header (1):
   * a reduced header only has key frames */
  if (seq_len >= 1 && (seq[0] & 0x08))
    return TRUE;
  /* show_existing_frame (1), frame_type (2): KEY_FRAME is 0 */
  return frame && frame_len >= 1 && !(frame[0] & 0x80)
      && ((frame[0] >> 5) & 0x3) == 0;
}

/* Writes the payload of @n pieces of @stream to a GBytes: the
 * aggregation header (section 4.4) and the OBU elements (section 4.5),
 * each with a length field except the last one when W is not 0. */
static GBytes *
write_payload (const guint8 * stream, const Piece * pieces, guint n,
    gboolean z, gboolean y, gboolean nbit)
{
  guint w = n <= 3 ? n : 0;
  gsize size = 1, i;
  guint8 *out, *p;

  for (i = 0; i < n; i++) {
    if (w == 0 || i + 1 < n)
      size += gst_wrtc_av1_leb128_size (pieces[i].len);
    size += pieces[i].len;
  }
  p = out = g_malloc (size);
  *p++ = (z ? 0x80 : 0) | (y ? 0x40 : 0) | (w << 4) | (nbit ? 0x08 : 0);
  for (i = 0; i < n; i++) {
    if (w == 0 || i + 1 < n)
      p += gst_wrtc_av1_write_leb128 (pieces[i].len, p);
    memcpy (p, stream + pieces[i].start, pieces[i].len);
    p += pieces[i].len;
  }
  g_assert ((gsize) (p - out) == size);
  return g_bytes_new_take (out, size);
}

/* The largest k with leb128_size (k) + k <= room (room >= 2). */
static gsize
fit_with_length (gsize room)
{
  gsize k = room - 1;

  while (k > 0 && gst_wrtc_av1_leb128_size (k) + k > room)
    k--;
  return k;
}

GPtrArray *
gst_wrtc_av1_packetize (const guint8 * tu, gsize len, gsize max_payload,
    gboolean * new_sequence, GError ** error)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (
      (GDestroyNotify) g_bytes_unref);
  GByteArray *stream = g_byte_array_new ();
  GArray *obus = g_array_new (FALSE, FALSE, sizeof (Obu));
  const guint8 *seq = NULL, *frame = NULL;
  gsize seq_len = 0, frame_len = 0, off = 0, pos;
  gboolean keyframe = FALSE, first = TRUE;
  guint i;

  if (new_sequence)
    *new_sequence = FALSE;
  if (max_payload < GST_WRTC_AV1_MIN_PAYLOAD) {
    g_set_error (error, GST_WRTC_AV1_ERROR, GST_WRTC_AV1_ERROR_MTU,
        "payloads of %" G_GSIZE_FORMAT " bytes cannot carry AV1", max_payload);
    goto fail;
  }
  if (len == 0) {
    g_set_error (error, GST_WRTC_AV1_ERROR, GST_WRTC_AV1_ERROR_INVALID,
        "empty temporal unit");
    goto fail;
  }

  /* AV1 section 5.3: obu_header, then obu_size when obu_has_size_field */
  while (off < len) {
    guint8 h = tu[off];
    guint type = (h >> 3) & 0xf, hlen = (h & 0x04) ? 2 : 1, n;
    guint32 size;
    Obu obu;

    if (h & 0x80) {
      g_set_error (error, GST_WRTC_AV1_ERROR, GST_WRTC_AV1_ERROR_INVALID,
          "OBU at byte %" G_GSIZE_FORMAT ": forbidden bit set", off);
      goto fail;
    }
    if (len - off < hlen) {
      g_set_error (error, GST_WRTC_AV1_ERROR, GST_WRTC_AV1_ERROR_INVALID,
          "OBU at byte %" G_GSIZE_FORMAT ": truncated header", off);
      goto fail;
    }
    if (h & 0x02) {
      n = gst_wrtc_av1_read_leb128 (tu + off + hlen, len - off - hlen, &size);
      if (n == 0 || size > len - off - hlen - n) {
        g_set_error (error, GST_WRTC_AV1_ERROR, GST_WRTC_AV1_ERROR_INVALID,
            "OBU at byte %" G_GSIZE_FORMAT ": obu_size beyond the end of "
            "the temporal unit", off);
        goto fail;
      }
    } else {
      /* no size field: the OBU runs to the end */
      n = 0;
      size = len - off - hlen;
    }

    if (type == GST_WRTC_AV1_OBU_SEQUENCE_HEADER && !seq) {
      seq = tu + off + hlen + n;
      seq_len = size;
    } else if ((type == GST_WRTC_AV1_OBU_FRAME
            || type == GST_WRTC_AV1_OBU_FRAME_HEADER) && !frame) {
      frame = tu + off + hlen + n;
      frame_len = size;
    }

    /* section 5: temporal delimiters SHOULD be removed and tile lists
     * are not supported: neither is sent */
    if (type != GST_WRTC_AV1_OBU_TEMPORAL_DELIMITER
        && type != GST_WRTC_AV1_OBU_TILE_LIST) {
      guint8 hdr[2] = { h & ~0x02, hlen == 2 ? tu[off + 1] : 0 };
      obu.start = stream->len;
      /* section 4.5: obu_has_size_field cleared, the size removed */
      g_byte_array_append (stream, hdr, hlen);
      g_byte_array_append (stream, tu + off + hlen + n, size);
      obu.end = stream->len;
      obu.layer = hlen == 2 ? (tu[off + 1] >> 3) : -1;
      g_array_append_val (obus, obu);
    }
    off += hlen + n + size;
  }
  keyframe = seq && is_key_frame (seq, seq_len, frame, frame_len);
  if (new_sequence)
    *new_sequence = keyframe;

  /* Greedy packing (section 5).  Only the first payload of the unit
   * starts on an OBU boundary: a packet that would end exactly at the end
   * of an OBU other than the last one leaves a byte of it to the next,
   * so that Z=0 marks the first packet of a frame to receivers that look
   * for it (libwebrtc). */
  pos = 0;
  i = 0;
  while (i < obus->len) {
    Piece pieces[MAX_PIECES];
    guint count = 0;
    gsize room = max_payload - 1;
    gboolean z = pos > g_array_index (obus, Obu, i).start, y = FALSE;
    gint layer = -1;

    while (i < obus->len && count < MAX_PIECES) {
      Obu *o = &g_array_index (obus, Obu, i);
      gsize rem = o->end - pos, k;
      gboolean last = i + 1 == obus->len;

      /* section 5: OBUs of one packet share temporal and spatial ids */
      if (pos == o->start && o->layer >= 0) {
        if (layer >= 0 && layer != o->layer && count > 0)
          break;
        layer = o->layer;
      }
      /* the whole rest, with a length field, leaving room for a next
       * element of at least a byte (none needs a length field if it is
       * the third) */
      if (gst_wrtc_av1_leb128_size (rem) + rem <= room) {
        gsize after = room - gst_wrtc_av1_leb128_size (rem) - rem;
        if (last || after >= (count + 2 <= 3 ? 1u : 2u)) {
          pieces[count].start = pos;
          pieces[count++].len = rem;
          pos = o->end;
          room = after;
          i++;
          continue;
        }
      }
      /* the whole rest of the last OBU as the last element, no length */
      if (last && count + 1 <= 3 && rem <= room) {
        pieces[count].start = pos;
        pieces[count++].len = rem;
        pos = o->end;
        i++;
        break;
      }
      /* a fragment as the last element, keeping a byte for the next
       * packet (section 4.4: Y=1 here, Z=1 there) */
      if (count + 1 <= 3)
        k = room;
      else
        k = room >= 2 ? fit_with_length (room) : 0;
      k = MIN (k, rem - 1);
      if (k >= 1) {
        pieces[count].start = pos;
        pieces[count++].len = k;
        pos += k;
        y = TRUE;
      } else if (count == 0) {
        /* a one-byte OBU alone: it ends the packet, so be it */
        pieces[count].start = pos;
        pieces[count++].len = rem;
        pos = o->end;
        i++;
      }
      break;
    }
    g_assert (count > 0);
    /* section 4.4: N=1 on the first packet of a coded video sequence */
    g_ptr_array_add (out, write_payload (stream->data, pieces, count, z, y,
            first && keyframe));
    first = FALSE;
  }

  g_byte_array_unref (stream);
  g_array_unref (obus);
  return out;

fail:
  g_byte_array_unref (stream);
  g_array_unref (obus);
  g_ptr_array_unref (out);
  return NULL;
}
