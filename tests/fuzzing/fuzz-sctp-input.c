/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: fuzz target for the SCTP stage's input path,
 * gst_wrtc_sctp_association_process() on a connected association with a
 * GstWrtcSctpChannels on top (DCEP, PPIDs, stream resets, the
 * max-message-size check, usrsctp itself).
 *
 * Each input starts from the same state: two associations in one
 * process, `peer` (raw, the DTLS client) and `us` (channels, the server),
 * connected by a real handshake, with one channel `peer` opened on stream
 * 0 and `us` acknowledged.  The input is then records, each
 *
 *   flags (1 byte), length (2 bytes, big endian), that many bytes
 *
 * given to `us` as one packet.  Flags:
 *   1  the bytes are chunks: the harness puts the common header in front
 *      (our ports, the verification tag `us` expects, RFC 4960 section
 *      8.5) and the CRC32c (appendix B) after, so they reach usrsctp
 *   2  with 1: TSNs of DATA, I-DATA (RFC 8260), FORWARD-TSN and
 *      I-FORWARD-TSN chunks count from the next TSN `peer` would use
 *      (that association's initial TSN is random), so seeds stay valid
 *   4  afterwards, what `us` sent goes to `peer` and back, and so on
 * Without flag 1 the bytes are the whole packet, as it came.
 *
 * Invariants: process() succeeds or fails with a MALFORMED error; channels
 * the peer opens have its ids (even, RFC 8832 section 6); no message is
 * over our max-message-size (RFC 8841); states are ones the machines
 * have; no crash, no leak (ASan/valgrind), no critical.
 *
 * usrsctp is one instance per process (usrsctp_init_nothreads once, our
 * one timer thread): a `keeper` association that lives as long as the
 * process keeps it up, or each input would pay usrsctp_finish() and init.
 *
 * Seeds: FUZZ_SCTP_WRITE_SEEDS=DIR makes the first run write the packets
 * `peer` sent after the setup (messages, an empty message, an unordered
 * partially reliable one, a stream reset, SACKs) as records in DIR.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdint.h>
#include <string.h>
#include <usrsctp.h>
#include <gst/gst.h>

#include "fuzz-check.h"

#include "gstwrtcsctpassociation.h"
#include "gstwrtcsctpchannels.h"

#define PORT GST_WRTC_SCTP_DEFAULT_PORT
#define MAX_ROUNDS 64
#define CHUNK_DATA 0
#define CHUNK_IDATA 64
#define CHUNK_FORWARD_TSN 192
#define CHUNK_IFORWARD_TSN 194

typedef struct
{
  GMutex lock;
  GQueue packets;               /* GBytes, sent and not yet delivered */
  GPtrArray *log;               /* GBytes: every packet sent, for seeds */
  guint8 vtag[4];               /* the tag the other side expects */
  gboolean have_vtag, have_tsn;
  guint32 next_tsn;             /* after the highest DATA TSN sent */
} Side;

typedef struct
{
  GstWrtcSctpAssociation *peer, *us;
  GstWrtcSctpChannels *chans;
  Side to_us, to_peer;
  guint opened_remote, messages;
} Harness;

static guint32
read_u32 (const guint8 * p)
{
  return (guint32) p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void
write_u32 (guint8 * p, guint32 v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

/* the send callbacks: may run on the SCTP timer thread too */
static void
side_send (const guint8 * data, gsize len, GObject * owner)
{
  Side *side = g_object_get_data (owner, "side");
  gsize off;

  g_mutex_lock (&side->lock);
  g_queue_push_tail (&side->packets, g_bytes_new (data, len));
  if (side->log)
    g_ptr_array_add (side->log, g_bytes_new (data, len));
  if (len >= 12 && read_u32 (data + 4) != 0) {
    memcpy (side->vtag, data + 4, 4);
    side->have_vtag = TRUE;
  }
  /* RFC 4960 section 3.3.1 / RFC 8260 section 2.1: TSN after the header */
  for (off = 12; off + 8 <= len;) {
    guint16 clen = data[off + 2] << 8 | data[off + 3];

    if ((data[off] == CHUNK_DATA || data[off] == CHUNK_IDATA)
        && (!side->have_tsn
            || (gint32) (read_u32 (data + off + 4) + 1 - side->next_tsn) > 0)) {
      side->next_tsn = read_u32 (data + off + 4) + 1;
      side->have_tsn = TRUE;
    }
    if (clen < 4)
      break;
    off += (clen + 3) & ~3;
  }
  g_mutex_unlock (&side->lock);
}

/* Delivers what was sent on @side to @to; FALSE when nothing was. */
static gboolean
side_deliver (Side * side, GstWrtcSctpAssociation * to)
{
  gboolean any = FALSE;
  GBytes *b;

  for (;;) {
    GError *err = NULL;
    gsize len;
    const guint8 *data;

    g_mutex_lock (&side->lock);
    b = g_queue_pop_head (&side->packets);
    g_mutex_unlock (&side->lock);
    if (!b)
      return any;
    any = TRUE;
    data = g_bytes_get_data (b, &len);
    if (!gst_wrtc_sctp_association_process (to, data, len, &err)) {
      /* what our own associations send is always well-formed */
      FUZZ_CHECK (FALSE);
    }
    g_bytes_unref (b);
  }
}

static void
pump (Harness * h)
{
  guint i;

  for (i = 0; i < MAX_ROUNDS; i++)
    if (!side_deliver (&h->to_us, h->us) && !side_deliver (&h->to_peer,
            h->peer))
      break;
}

/* Pumps until @done holds: the SCTP timer thread may be dispatching an
 * association when we call it, and then sends for it a moment later.
 * FALSE after a second without. */
static gboolean
pump_until (Harness * h, gboolean (*done) (Harness * h))
{
  gint64 deadline = g_get_monotonic_time () + G_TIME_SPAN_SECOND;

  for (;;) {
    pump (h);
    if (done (h))
      return TRUE;
    if (g_get_monotonic_time () > deadline)
      return FALSE;
    g_usleep (100);
  }
}

static gboolean
both_connected (Harness * h)
{
  return gst_wrtc_sctp_association_get_state (h->us) ==
      GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTED
      && gst_wrtc_sctp_association_get_state (h->peer) ==
      GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTED;
}

static gboolean channel_acked (Harness * h);

/* ---- the channel table's callbacks on `us` ---- */
static void
chan_open (guint16 id, gboolean remote, GObject * owner)
{
  Harness *h = g_object_get_data (owner, "harness");

  /* RFC 8832 section 6: the DTLS client opens even ids */
  if (remote) {
    FUZZ_CHECK (id % 2 == 0);
    h->opened_remote++;
  }
  FUZZ_CHECK (gst_wrtc_sctp_channels_get_state (h->chans, id) !=
      GST_WRTC_SCTP_CHANNEL_STATE_CLOSED);
}

static void
chan_message (guint16 id, gboolean is_string, const guint8 * data, gsize len,
    GObject * owner)
{
  Harness *h = g_object_get_data (owner, "harness");

  FUZZ_CHECK (len <= GST_WRTC_SCTP_DEFAULT_LOCAL_MAX_MESSAGE_SIZE);
  FUZZ_CHECK (len == 0 || data != NULL);
  h->messages++;
}

static void
chan_closed (guint16 id, GObject * owner)
{
  Harness *h = g_object_get_data (owner, "harness");

  FUZZ_CHECK (gst_wrtc_sctp_channels_get_state (h->chans, id) ==
      GST_WRTC_SCTP_CHANNEL_STATE_CLOSED);
}

static void
chan_error (guint16 id, const GError * error, GObject * owner)
{
  /* the channel table's errors, or the DCEP parser's for broken DCEP */
  FUZZ_CHECK (error != NULL && (error->domain == GST_WRTC_SCTP_ERROR
          || error->domain == GST_WRTC_DCEP_ERROR));
  FUZZ_CHECK (error->message != NULL && error->message[0] != '\0');
}

static void
side_init (Side * side)
{
  g_mutex_init (&side->lock);
  g_queue_init (&side->packets);
}

static void
side_clear (Side * side)
{
  g_queue_clear_full (&side->packets, (GDestroyNotify) g_bytes_unref);
  if (side->log)
    g_ptr_array_unref (side->log);
  g_mutex_clear (&side->lock);
}

static GObject *owner_us, *owner_peer;

/* our DATA_CHANNEL_ACK reached `peer` (its raw receive is not watched:
 * `us` has no data in flight any more) */
static gboolean
channel_acked (Harness * h)
{
  return h->opened_remote == 1
      && gst_wrtc_sctp_association_get_buffered_amount (h->us, 0) == 0;
}

/* Connected, with channel 0 open on both sides; NULL if the handshake
 * did not complete (never, in-process). */
static gboolean
harness_setup (Harness * h)
{
  static const GstWrtcSctpChannelsFuncs funcs = {
    .channel_open = chan_open,
    .message = chan_message,
    .channel_closed = chan_closed,
    .error = chan_error,
  };
  /* RFC 8832 section 5.1: OPEN, reliable, label "fuzz" */
  static const guint8 open[] = { 3, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0,
    'f', 'u', 'z', 'z'
  };
  GError *err = NULL;

  side_init (&h->to_us);
  side_init (&h->to_peer);
  h->peer = gst_wrtc_sctp_association_new (PORT, PORT, TRUE);
  h->us = gst_wrtc_sctp_association_new (PORT, PORT, FALSE);
  gst_wrtc_sctp_association_set_remote_max_message_size (h->peer, 0);
  owner_us = g_object_new (G_TYPE_OBJECT, NULL);
  owner_peer = g_object_new (G_TYPE_OBJECT, NULL);
  g_object_set_data (owner_peer, "side", &h->to_us);
  g_object_set_data (owner_us, "side", &h->to_peer);
  g_object_set_data (owner_us, "harness", h);
  gst_wrtc_sctp_association_set_send_func (h->peer, side_send, owner_peer);
  gst_wrtc_sctp_association_set_send_func (h->us, side_send, owner_us);
  h->chans = gst_wrtc_sctp_channels_new (h->us);
  gst_wrtc_sctp_channels_set_funcs (h->chans, &funcs, owner_us);

  FUZZ_CHECK (gst_wrtc_sctp_association_start (h->peer, &err));
  FUZZ_CHECK (gst_wrtc_sctp_association_start (h->us, &err));
  if (!pump_until (h, both_connected))
    return FALSE;
  FUZZ_CHECK (gst_wrtc_sctp_association_send (h->peer, 0, 50, open,
          sizeof (open), TRUE, GST_WRTC_SCTP_RELIABLE, 0, &err));
  /* the ACK back too: `peer` sent and got everything of the setup */
  FUZZ_CHECK (pump_until (h, channel_acked));
  return TRUE;
}

static void
harness_clear (Harness * h)
{
  /* the channels and their association; the timer thread may hold a
   * reference a moment longer, which is all right */
  gst_wrtc_sctp_channels_set_funcs (h->chans, NULL, NULL);
  gst_wrtc_sctp_association_set_send_func (h->us, NULL, NULL);
  gst_wrtc_sctp_association_set_send_func (h->peer, NULL, NULL);
  g_object_unref (h->chans);
  g_object_unref (h->us);
  g_object_unref (h->peer);
  g_clear_object (&owner_us);
  g_clear_object (&owner_peer);
  side_clear (&h->to_us);
  side_clear (&h->to_peer);
}

/* Puts the header and CRC around @chunks, TSNs relative if @relative. */
static GBytes *
wrap_chunks (Harness * h, const guint8 * chunks, gsize len, gboolean relative)
{
  guint8 *pkt = g_malloc0 (12 + len);
  guint32 crc;
  gsize off;

  pkt[0] = PORT >> 8;
  pkt[1] = PORT & 0xff;
  pkt[2] = PORT >> 8;
  pkt[3] = PORT & 0xff;
  g_mutex_lock (&h->to_us.lock);
  memcpy (pkt + 4, h->to_us.vtag, 4);
  memcpy (pkt + 12, chunks, len);
  for (off = 12; relative && off + 8 <= 12 + len;) {
    guint8 type = pkt[off];
    guint16 clen = pkt[off + 2] << 8 | pkt[off + 3];

    if (type == CHUNK_DATA || type == CHUNK_IDATA
        || type == CHUNK_FORWARD_TSN || type == CHUNK_IFORWARD_TSN)
      write_u32 (pkt + off + 4, read_u32 (pkt + off + 4) +
          h->to_us.next_tsn - (type >= CHUNK_FORWARD_TSN ? 1 : 0));
    if (clen < 4)
      break;
    off += (clen + 3) & ~3;
  }
  g_mutex_unlock (&h->to_us.lock);
  /* usrsctp_crc32c() gives the value in the byte order of the wire */
  crc = usrsctp_crc32c (pkt, 12 + len);
  memcpy (pkt + 8, &crc, 4);
  return g_bytes_new_take (pkt, 12 + len);
}

/* ---- seeds: what `peer` sends after the setup, as records ---- */
static void
write_record (GString * out, guint8 flags, const guint8 * data, gsize len)
{
  g_string_append_c (out, flags);
  g_string_append_c (out, (len >> 8) & 0xff);
  g_string_append_c (out, len & 0xff);
  g_string_append_len (out, (const gchar *) data, len);
}

/* A captured packet as a flag-3 record: chunks, TSNs relative to
 * @base_tsn (the next TSN before the seed's packets were sent). */
static void
append_packet_record (GString * out, GBytes * b, guint32 base_tsn,
    guint8 extra_flags)
{
  gsize len, off;
  guint8 *chunks;
  const guint8 *data = g_bytes_get_data (b, &len);

  if (len <= 12)
    return;
  chunks = g_memdup2 (data + 12, len - 12);
  for (off = 0; off + 8 <= len - 12;) {
    guint8 type = chunks[off];
    guint16 clen = chunks[off + 2] << 8 | chunks[off + 3];

    if (type == CHUNK_DATA || type == CHUNK_IDATA
        || type == CHUNK_FORWARD_TSN || type == CHUNK_IFORWARD_TSN)
      write_u32 (chunks + off + 4, read_u32 (chunks + off + 4) - base_tsn +
          (type >= CHUNK_FORWARD_TSN ? 1 : 0));
    if (clen < 4)
      break;
    off += (clen + 3) & ~3;
  }
  write_record (out, 3 | extra_flags, chunks, len - 12);
  g_free (chunks);
}

static void
save_seed (const gchar * dir, const gchar * name, GString * s)
{
  gchar *path = g_build_filename (dir, name, NULL);
  GError *err = NULL;

  if (!g_file_set_contents (path, s->str, s->len, &err)) {
    fprintf (stderr, "%s: %s\n", path, err->message);
    g_clear_error (&err);
  }
  g_free (path);
}

/* Runs @what on a set-up harness and saves what `peer` sent as seed
 * @name, each packet a record (without flag 4: `peer` would take our
 * acknowledgements of TSNs it did not send as a protocol violation). */
typedef void (*SeedScript) (Harness * h);

static void
write_seed (const gchar * dir, const gchar * name, SeedScript what)
{
  Harness h = { 0, };
  GString *out = g_string_new (NULL);
  guint32 base;
  guint i, first;

  h.to_us.log = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_bytes_unref);
  FUZZ_CHECK (harness_setup (&h));
  g_mutex_lock (&h.to_us.lock);
  base = h.to_us.next_tsn;
  first = h.to_us.log->len;
  g_mutex_unlock (&h.to_us.lock);
  what (&h);
  pump (&h);
  g_mutex_lock (&h.to_us.lock);
  for (i = first; i < h.to_us.log->len; i++)
    append_packet_record (out, g_ptr_array_index (h.to_us.log, i), base, 0);
  g_mutex_unlock (&h.to_us.lock);
  save_seed (dir, name, out);
  g_string_free (out, TRUE);
  harness_clear (&h);
}

static void
peer_send (Harness * h, guint16 sid, guint32 ppid, const void *data, gsize len,
    gboolean ordered, GstWrtcSctpReliability rel, guint32 value)
{
  GError *err = NULL;

  FUZZ_CHECK (gst_wrtc_sctp_association_send (h->peer, sid, ppid, data, len,
          ordered, rel, value, &err));
}

static void
seed_messages (Harness * h)
{
  static const guint8 bin[] = { 0, 1, 2, 255 };

  peer_send (h, 0, 51, "hello", 5, TRUE, GST_WRTC_SCTP_RELIABLE, 0);
  peer_send (h, 0, 53, bin, sizeof (bin), TRUE, GST_WRTC_SCTP_RELIABLE, 0);
  peer_send (h, 0, 56, "", 1, TRUE, GST_WRTC_SCTP_RELIABLE, 0);
  peer_send (h, 0, 57, "", 1, TRUE, GST_WRTC_SCTP_RELIABLE, 0);
}

static void
seed_large (Harness * h)
{
  guint8 *big = g_malloc (5000);
  guint i;

  for (i = 0; i < 5000; i++)
    big[i] = i * 7;
  /* fragments: several DATA chunks of one message */
  peer_send (h, 0, 53, big, 5000, TRUE, GST_WRTC_SCTP_RELIABLE, 0);
  g_free (big);
}

static void
seed_second_channel (Harness * h)
{
  /* an unordered channel with max-retransmits 0, then a message on it */
  static const guint8 open[] = { 3, 0x81, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0,
    'u'
  };

  peer_send (h, 2, 50, open, sizeof (open), TRUE, GST_WRTC_SCTP_RELIABLE, 0);
  peer_send (h, 2, 51, "lossy", 5, FALSE, GST_WRTC_SCTP_MAX_RETRANSMITS, 0);
}

static void
seed_reset (Harness * h)
{
  GError *err = NULL;

  /* RFC 6525: RE-CONFIG with an outgoing SSN reset request */
  FUZZ_CHECK (gst_wrtc_sctp_association_reset_stream (h->peer, 0, &err));
}

static void
seed_shutdown (Harness * h)
{
  gst_wrtc_sctp_association_shutdown (h->peer);
}

static void
write_seeds (const gchar * dir)
{
  write_seed (dir, "messages", seed_messages);
  write_seed (dir, "fragmented", seed_large);
  write_seed (dir, "second-channel", seed_second_channel);
  write_seed (dir, "reset", seed_reset);
  write_seed (dir, "shutdown", seed_shutdown);
}

static GstWrtcSctpAssociation *keeper;

static void
fuzz_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    const gchar *dir;

    fuzz_check_init ();
    gst_init (NULL, NULL);
    /* keeps usrsctp up between inputs (see the top) */
    keeper = gst_wrtc_sctp_association_new (PORT, PORT, FALSE);
    if ((dir = g_getenv ("FUZZ_SCTP_WRITE_SEEDS")))
      write_seeds (dir);
    g_once_init_leave (&done, 1);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  Harness h = { 0, };
  gsize off = 0;
  guint records = 0;

  fuzz_init ();
  if (!harness_setup (&h)) {
    harness_clear (&h);
    return 0;
  }
  /* at most 64 records: inputs are small */
  while (off + 3 <= size && records++ < 64) {
    guint8 flags = data[off];
    gsize len = MIN ((gsize) (data[off + 1] << 8 | data[off + 2]),
        size - off - 3);
    const guint8 *bytes = data + off + 3;
    GError *err = NULL;
    GBytes *pkt;
    gsize plen;
    const guint8 *p;

    off += 3 + len;
    pkt = (flags & 1) ? wrap_chunks (&h, bytes, len, flags & 2) :
        g_bytes_new (bytes, len);
    p = g_bytes_get_data (pkt, &plen);
    if (!gst_wrtc_sctp_association_process (h.us, p, plen, &err)) {
      FUZZ_CHECK (err != NULL);
      FUZZ_CHECK (g_error_matches (err, GST_WRTC_SCTP_ERROR,
              GST_WRTC_SCTP_ERROR_MALFORMED));
      g_error_free (err);
    } else {
      FUZZ_CHECK (err == NULL);
    }
    g_bytes_unref (pkt);
    if (flags & 4)
      pump (&h);
  }
  pump (&h);
  FUZZ_CHECK (gst_wrtc_sctp_association_get_state (h.us) <=
      GST_WRTC_SCTP_ASSOCIATION_STATE_FAILED);
  /* to check that seeds reach the channels */
  if (g_getenv ("FUZZ_SCTP_VERBOSE"))
    fprintf (stderr, "%u records: %u messages, %u channels opened by the "
        "peer, association %s\n", records, h.messages, h.opened_remote,
        gst_wrtc_sctp_association_state_name
        (gst_wrtc_sctp_association_get_state (h.us)));
  harness_clear (&h);
  return 0;
}
