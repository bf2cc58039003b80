/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the AV1 RTP packetizer and depacketizer (AOM "RTP
 * Payload Format For AV1"; section numbers below are of that document
 * unless they name the AV1 bitstream specification). */
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

/* One OBU read from bytes (AV1 section 5.3). */
typedef struct
{
  guint8 header;                /* obu_header's first byte */
  guint hlen;                   /* 1, or 2 with obu_extension_flag */
  guint type;                   /* obu_type */
  gsize payload;                /* offset of the OBU payload */
  gsize size;                   /* its length */
  gsize end;                    /* offset just past the OBU */
} ObuRead;

/* AV1 section 5.3.1-5.3.3: obu_header, then obu_size when
 * obu_has_size_field is set; without it the OBU runs to @len.  Reads the
 * OBU at @off of @data; returns NULL, or what is wrong with it. */
static const gchar *
read_obu (const guint8 * data, gsize len, gsize off, ObuRead * obu)
{
  guint n = 0;
  guint32 coded;
  gsize size;

  if (off >= len)
    return "no OBU header";
  obu->header = data[off];
  obu->type = (obu->header >> 3) & 0xf;
  obu->hlen = (obu->header & 0x04) ? 2 : 1;
  if (obu->header & 0x80)
    return "forbidden bit set";
  if (len - off < obu->hlen)
    return "truncated header";
  if (obu->header & 0x02) {
    n = gst_wrtc_av1_read_leb128 (data + off + obu->hlen,
        len - off - obu->hlen, &coded);
    if (n == 0 || coded > len - off - obu->hlen - n)
      return "obu_size beyond the end";
    size = coded;
  } else {
    size = len - off - obu->hlen;
  }
  obu->payload = off + obu->hlen + n;
  obu->size = size;
  obu->end = obu->payload + size;
  return NULL;
}

/* AV1 section 5.9.2 and 5.5.1: whether a temporal unit whose sequence
 * header payload is @seq (NULL: none) and first frame (header) payload is
 * @frame starts a coded video sequence with a key frame. */
static gboolean
is_key_frame (const guint8 * seq, gsize seq_len, const guint8 * frame,
    gsize frame_len)
{
  if (!seq)
    return FALSE;
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

  while (off < len) {
    ObuRead r;
    const gchar *bad = read_obu (tu, len, off, &r);
    Obu obu;

    if (bad) {
      g_set_error (error, GST_WRTC_AV1_ERROR, GST_WRTC_AV1_ERROR_INVALID,
          "OBU at byte %" G_GSIZE_FORMAT ": %s", off, bad);
      goto fail;
    }
    if (r.type == GST_WRTC_AV1_OBU_SEQUENCE_HEADER && !seq) {
      seq = tu + r.payload;
      seq_len = r.size;
    } else if ((r.type == GST_WRTC_AV1_OBU_FRAME
            || r.type == GST_WRTC_AV1_OBU_FRAME_HEADER) && !frame) {
      frame = tu + r.payload;
      frame_len = r.size;
    }

    /* section 5: temporal delimiters SHOULD be removed and tile lists
     * are not supported: neither is sent */
    if (r.type != GST_WRTC_AV1_OBU_TEMPORAL_DELIMITER
        && r.type != GST_WRTC_AV1_OBU_TILE_LIST) {
      guint8 hdr[2] = { r.header & ~0x02, r.hlen == 2 ? tu[off + 1] : 0 };
      obu.start = stream->len;
      /* section 4.5: obu_has_size_field cleared, the size removed */
      g_byte_array_append (stream, hdr, r.hlen);
      g_byte_array_append (stream, tu + r.payload, r.size);
      obu.end = stream->len;
      obu.layer = r.hlen == 2 ? (tu[off + 1] >> 3) : -1;
      g_array_append_val (obus, obu);
    }
    off = r.end;
  }
  keyframe = is_key_frame (seq, seq_len, frame, frame_len);
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

/* ---- the depacketizer ---- */

/* AV1 section 5.6: a temporal delimiter OBU, obu_has_size_field set,
 * obu_size 0 */
static const guint8 temporal_delimiter[2] = {
  (GST_WRTC_AV1_OBU_TEMPORAL_DELIMITER << 3) | 0x02, 0x00
};

struct _GstWrtcAv1Depacketizer
{
  /* the temporal unit being built: empty, or a temporal delimiter and
   * the OBUs completed so far, with their sizes */
  GByteArray *unit;
  /* the OBU being reassembled from OBU elements, as they carry it
   * (section 4.5: usually without obu_size) */
  GByteArray *obu;
  /* the last payload ended in an OBU fragment (Y=1) */
  gboolean fragment;
  /* N=1 on the first payload of the unit being built */
  gboolean new_sequence;
  /* where the first sequence header and frame (header) payloads of the
   * unit are in @unit */
  gsize seq_off, seq_len, frame_off, frame_len;
  gboolean have_seq_header, have_frame;

  gboolean have_last;           /* @last_seq is set */
  guint16 last_seq;
  /* discarding payloads until a unit starts */
  gboolean syncing;
  /* the previous payload had the marker bit (or nothing came before) */
  gboolean after_marker;
  /* data was discarded since the last unit given */
  gboolean discont;
};

GstWrtcAv1Depacketizer *
gst_wrtc_av1_depacketizer_new (void)
{
  GstWrtcAv1Depacketizer *d = g_new0 (GstWrtcAv1Depacketizer, 1);

  d->unit = g_byte_array_new ();
  d->obu = g_byte_array_new ();
  gst_wrtc_av1_depacketizer_reset (d);
  return d;
}

void
gst_wrtc_av1_depacketizer_free (GstWrtcAv1Depacketizer * d)
{
  if (!d)
    return;
  g_byte_array_unref (d->unit);
  g_byte_array_unref (d->obu);
  g_free (d);
}

/* Forgets the unit being built. */
static void
clear_unit (GstWrtcAv1Depacketizer * d)
{
  g_byte_array_set_size (d->unit, 0);
  g_byte_array_set_size (d->obu, 0);
  d->fragment = FALSE;
  d->new_sequence = FALSE;
  d->have_seq_header = d->have_frame = FALSE;
  d->seq_off = d->seq_len = d->frame_off = d->frame_len = 0;
}

void
gst_wrtc_av1_depacketizer_reset (GstWrtcAv1Depacketizer * d)
{
  clear_unit (d);
  d->have_last = FALSE;
  d->last_seq = 0;
  d->syncing = TRUE;
  d->after_marker = TRUE;
  d->discont = FALSE;
}

void
gst_wrtc_av1_depay_result_clear (GstWrtcAv1DepayResult * result)
{
  g_clear_pointer (&result->unit, g_bytes_unref);
  g_clear_error (&result->dropped);
  memset (result, 0, sizeof (*result));
}

/* Discards the unit being built and waits for the start of another;
 * the first reason of a payload is kept in @result. */
static void
discard (GstWrtcAv1Depacketizer * d, GstWrtcAv1DepayResult * result,
    GstWrtcAv1Error code, const gchar * format, ...)
G_GNUC_PRINTF (4, 5);

     static void
         discard (GstWrtcAv1Depacketizer * d, GstWrtcAv1DepayResult * result,
    GstWrtcAv1Error code, const gchar * format, ...)
{
  va_list args;

  if (!result->dropped) {
    va_start (args, format);
    result->dropped = g_error_new_valist (GST_WRTC_AV1_ERROR, code, format,
        args);
    va_end (args);
  }
  clear_unit (d);
  d->syncing = TRUE;
  d->discont = TRUE;
}

/* Appends the OBU reassembled in d->obu to the unit, with obu_size
 * (section 4.5 reversed); temporal delimiters and tile lists are dropped
 * (section 5).  A bad OBU discards the unit: FALSE. */
static gboolean
add_obu (GstWrtcAv1Depacketizer * d, GstWrtcAv1DepayResult * result,
    guint16 seq, guint element)
{
  const guint8 *data = d->obu->data;
  guint8 leb[8], header;
  guint n;
  ObuRead r;
  const gchar *bad = read_obu (data, d->obu->len, 0, &r);

  /* an obu_size, when a sender kept one, must say what the element does */
  if (!bad && r.end != d->obu->len)
    bad = "obu_size short of the end of its OBU element";
  if (bad) {
    discard (d, result, GST_WRTC_AV1_ERROR_MALFORMED,
        "packet %u, OBU element %u: %s", seq, element, bad);
    return FALSE;
  }
  if (r.type == GST_WRTC_AV1_OBU_TEMPORAL_DELIMITER
      || r.type == GST_WRTC_AV1_OBU_TILE_LIST)
    return TRUE;

  n = gst_wrtc_av1_write_leb128 (r.size, leb);
  if (d->unit->len + sizeof (temporal_delimiter) + r.hlen + n + r.size >
      GST_WRTC_AV1_MAX_UNIT) {
    discard (d, result, GST_WRTC_AV1_ERROR_TOO_LARGE,
        "packet %u: a temporal unit of more than %u bytes", seq,
        GST_WRTC_AV1_MAX_UNIT);
    return FALSE;
  }
  /* AV1 section 7.5: a temporal unit starts with a temporal delimiter */
  if (d->unit->len == 0)
    g_byte_array_append (d->unit, temporal_delimiter,
        sizeof (temporal_delimiter));
  header = r.header | 0x02;
  g_byte_array_append (d->unit, &header, 1);
  if (r.hlen == 2)
    g_byte_array_append (d->unit, data + 1, 1);
  g_byte_array_append (d->unit, leb, n);
  if (r.type == GST_WRTC_AV1_OBU_SEQUENCE_HEADER && !d->have_seq_header) {
    d->have_seq_header = TRUE;
    d->seq_off = d->unit->len;
    d->seq_len = r.size;
  } else if ((r.type == GST_WRTC_AV1_OBU_FRAME
          || r.type == GST_WRTC_AV1_OBU_FRAME_HEADER) && !d->have_frame) {
    d->have_frame = TRUE;
    d->frame_off = d->unit->len;
    d->frame_len = r.size;
  }
  g_byte_array_append (d->unit, data + r.payload, r.size);
  return TRUE;
}

/* Gives the unit built (if it holds more than its temporal delimiter)
 * and starts the next. */
static void
finish_unit (GstWrtcAv1Depacketizer * d, GstWrtcAv1DepayResult * result)
{
  if (d->unit->len > 0) {
    const guint8 *u = d->unit->data;

    result->keyframe = is_key_frame (d->have_seq_header ? u + d->seq_off :
        NULL, d->seq_len, d->have_frame ? u + d->frame_off : NULL,
        d->frame_len);
    result->new_sequence = d->new_sequence;
    result->discont = d->discont;
    result->unit = g_bytes_new (d->unit->data, d->unit->len);
    d->discont = FALSE;
  }
  clear_unit (d);
}

void
gst_wrtc_av1_depacketizer_push (GstWrtcAv1Depacketizer * d,
    const guint8 * payload, gsize len, guint16 seq, gboolean marker,
    GstWrtcAv1DepayResult * result)
{
  gboolean z, y, nbit;
  guint w, count = 0;
  gsize off = 1;

  memset (result, 0, sizeof (*result));

  /* RFC 3550 section 5.1: one more for every packet sent */
  if (d->have_last) {
    gint16 delta = (gint16) (guint16) (seq - d->last_seq);

    if (delta <= 0)
      return;                   /* a duplicate, or older */
    if (delta > 1) {
      discard (d, result, GST_WRTC_AV1_ERROR_LOST,
          "%d packets lost before sequence number %u", delta - 1, seq);
      /* a lost packet may have had the marker bit */
      d->after_marker = FALSE;
    }
  }
  d->have_last = TRUE;
  d->last_seq = seq;

  /* RTP padding only: no aggregation header, nothing to build */
  if (len == 0)
    return;

  /* section 4.4, the aggregation header */
  z = (payload[0] & 0x80) != 0;
  y = (payload[0] & 0x40) != 0;
  w = (payload[0] >> 4) & 0x3;
  nbit = (payload[0] & 0x08) != 0;

  if (d->syncing) {
    /* a unit starts with Z=0 after the last packet of another (marker
     * bit, section 4.2) or with a new coded video sequence (N=1) */
    if (z || !(d->after_marker || nbit)) {
      d->after_marker = marker;
      return;
    }
    d->syncing = FALSE;
  }
  if (z && !d->fragment) {
    discard (d, result, GST_WRTC_AV1_ERROR_MALFORMED,
        "packet %u: Z=1 but no OBU fragment to continue", seq);
    goto done;
  }
  if (!z && d->fragment) {
    discard (d, result, GST_WRTC_AV1_ERROR_MALFORMED,
        "packet %u: Z=0 but the previous packet ended in an OBU fragment", seq);
    goto done;
  }
  if (nbit && !z && d->unit->len == 0)
    d->new_sequence = TRUE;

  /* section 4.3: OBU elements, each with a leb128 length but the W-th */
  while (off < len) {
    guint32 elen;

    count++;
    if (w != 0 && count == w) {
      elen = len - off;
    } else {
      guint n = gst_wrtc_av1_read_leb128 (payload + off, len - off, &elen);
      if (n == 0 || elen > len - off - n) {
        discard (d, result, GST_WRTC_AV1_ERROR_MALFORMED,
            "packet %u: the length of OBU element %u runs past the end",
            seq, count);
        goto done;
      }
      off += n;
    }
    if (elen == 0) {
      discard (d, result, GST_WRTC_AV1_ERROR_MALFORMED,
          "packet %u: OBU element %u is empty", seq, count);
      goto done;
    }
    if (d->obu->len + elen > GST_WRTC_AV1_MAX_UNIT) {
      discard (d, result, GST_WRTC_AV1_ERROR_TOO_LARGE,
          "packet %u: an OBU of more than %u bytes", seq,
          GST_WRTC_AV1_MAX_UNIT);
      goto done;
    }
    g_byte_array_append (d->obu, payload + off, elen);
    off += elen;
    /* section 4.4: with Y=1 the last element continues in the next
     * packet */
    if (off == len && y)
      break;
    if (!add_obu (d, result, seq, count))
      goto done;
    g_byte_array_set_size (d->obu, 0);
  }
  if (count == 0 || (w != 0 && count != w)) {
    discard (d, result, GST_WRTC_AV1_ERROR_MALFORMED,
        "packet %u: W=%u but %u OBU elements", seq, w, count);
    goto done;
  }
  d->fragment = y;

  if (marker) {
    /* section 4.2: the marker bit ends the temporal unit, and no OBU
     * spans two */
    if (d->fragment) {
      discard (d, result, GST_WRTC_AV1_ERROR_MALFORMED,
          "packet %u: the marker bit on an OBU fragment (Y=1)", seq);
      goto done;
    }
    finish_unit (d, result);
  }

done:
  d->after_marker = marker;
}
