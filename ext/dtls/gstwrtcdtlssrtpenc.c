/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-dtlssrtpenc
 * @title: dtlssrtpenc
 * @see_also: dtlssrtpdec
 *
 * The sending half of a DTLS-SRTP association (RFC 5764): RTP and RTCP from
 * the `rtp_sink_%d` and `rtcp_sink_%d` pads leave `src` protected with SRTP,
 * application data from `data_sink` (SCTP) leaves as DTLS records, and the
 * DTLS handshake of the association goes out here too.  The receiving half
 * is a dtlssrtpdec with the same #GstWrtcDtlsSrtpEnc:connection-id.
 *
 * Pads and properties are those of gst-plugins-bad's element of the same
 * name, so pipelines written for it keep working.  Underneath: DTLS 1.2
 * with ECDHE, SRTP_AEAD_AES_128_GCM preferred over SRTP_AES128_CM_SHA1_80,
 * handshake retransmission with back-off, handshake datagrams that fit a
 * 1200-byte MTU, and a keyframe request upstream as soon as the keys are
 * set, so a receiver does not wait for the next periodic keyframe.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 \
 *   udpsrc port=5004 ! dtlssrtpdec connection-id=a ! fakesink \
 *   videotestsrc is-live=true ! vp8enc deadline=1 ! rtpvp8pay ! \
 *     dtlssrtpenc connection-id=a is-client=true ! \
 *     udpsink host=127.0.0.1 port=5006 \
 *   udpsrc port=5006 ! dtlssrtpdec connection-id=b name=d \
 *     d.rtp_src ! application/x-rtp,media=video,clock-rate=90000,encoding-name=VP8,payload=96 ! \
 *     rtpvp8depay ! vp8dec ! videoconvert ! autovideosink \
 *   dtlssrtpenc connection-id=b is-client=false ! udpsink host=127.0.0.1 port=5004
 * ]|
 * Video from the first pair is encrypted, sent to the second over UDP on
 * localhost, decrypted and shown.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcdtlssrtpenc.h"
#include "gstwrtcdtlssrtptransport.h"
#include "gstwrtcpadutil.h"
#include "gstwrtcmanualkey.h"

#include <gst/video/video.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (gst_wrtc_dtls_srtp_enc_debug);
#define GST_CAT_DEFAULT gst_wrtc_dtls_srtp_enc_debug

#define DEFAULT_IS_CLIENT FALSE
/* The output pool: packets up to this size that cannot be protected in
 * place are copied into its buffers (an Ethernet MTU's worth); larger ones
 * into fresh memory.  It starts with OUT_POOL_MIN buffers, so that a pool
 * that is never empty recycles without a syscall, and grows up to
 * OUT_POOL_MAX buffers held downstream at once. */
#define OUT_POOL_PACKET_SIZE 1500
#define OUT_POOL_BUFFER_SIZE (OUT_POOL_PACKET_SIZE + GST_WRTC_SRTP_MAX_TRAILER)
#define OUT_POOL_MIN 64
#define OUT_POOL_MAX 1024
#define DEFAULT_RTP_SYNC FALSE

enum
{
  PROP_0,
  PROP_CONNECTION_ID,
  PROP_IS_CLIENT,
  PROP_CONNECTION_STATE,
  PROP_RTP_SYNC,
  PROP_STATS,
  PROP_KEY,                     /* and the other manual-key properties */
};

enum
{
  SIGNAL_ON_KEY_SET,
  LAST_SIGNAL
};
static guint signals[LAST_SIGNAL];

static GstStaticPadTemplate rtp_sink_template =
    GST_STATIC_PAD_TEMPLATE ("rtp_sink_%d", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS ("application/x-rtp;application/x-rtcp"));
static GstStaticPadTemplate rtcp_sink_template =
    GST_STATIC_PAD_TEMPLATE ("rtcp_sink_%d", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS ("application/x-rtp;application/x-rtcp"));
static GstStaticPadTemplate data_sink_template =
GST_STATIC_PAD_TEMPLATE ("data_sink", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS_ANY);
static GstStaticPadTemplate src_template =
GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS_ANY);

struct _GstWrtcDtlsSrtpEnc
{
  GstElement parent;

  GstPad *srcpad;

  /* serialises everything pushed on srcpad: RTP and application data from
   * the sink pads' streaming threads, DTLS records from the source pad's
   * task */
  GMutex push_lock;
  gboolean src_started;         /* push_lock */

  /* created in NULL->READY (allocating its buffers is resource
   * allocation, and costs the first handshake nothing there), released in
   * READY->NULL: the pads are inactive at both points, so it is stable
   * while a streaming thread protects */
  GstBufferPool *out_pool;

  /* DTLS records produced on other threads (timer, decoder, state
   * changes), pushed by the source pad's task so that a downstream sink
   * waiting for preroll never blocks them */
  GMutex queue_lock;
  GCond queue_cond;
  GQueue queue;                 /* GstBuffer or GstEvent, queue_lock */
  gboolean queue_flushing;      /* queue_lock */

  /* object lock */
  gchar *connection_id;
  gboolean is_client;
  gint rtp_sync;                /* atomic */
  GstWrtcDtlsSrtpTransport *transport;  /* set in NULL->READY */
  GstClockID sync_id;           /* a running rtp-sync wait */
  GstWrtcManualKey manual;      /* gst-plugins-bad's manual keying */
  gboolean manual_mode;         /* keyed manually since READY->PAUSED */
  gboolean flushing;
  gulong keys_handler, state_handler;
  guint n_rtp_pads, n_rtcp_pads;
};

#define gst_wrtc_dtls_srtp_enc_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (GstWrtcDtlsSrtpEnc, gst_wrtc_dtls_srtp_enc,
    GST_TYPE_ELEMENT,
    GST_DEBUG_CATEGORY_INIT (gst_wrtc_dtls_srtp_enc_debug, "dtlssrtpenc", 0,
        "DTLS-SRTP encoder"));
GST_ELEMENT_REGISTER_DEFINE (dtlssrtpenc, "dtlssrtpenc", GST_RANK_NONE,
    GST_WRTC_TYPE_DTLS_SRTP_ENC);

static GstWrtcDtlsSrtpTransport *
get_transport (GstWrtcDtlsSrtpEnc * self)
{
  GstWrtcDtlsSrtpTransport *t;

  GST_OBJECT_LOCK (self);
  t = self->transport ? g_object_ref (self->transport) : NULL;
  GST_OBJECT_UNLOCK (self);
  return t;
}

static GstFlowReturn
push_locked (GstWrtcDtlsSrtpEnc * self, GstBuffer * buf)
{
  if (!self->src_started) {
    gst_wrtc_pad_ensure_sticky (self->srcpad, GST_ELEMENT (self), NULL);
    self->src_started = TRUE;
  }
  return gst_pad_push (self->srcpad, buf);
}

static GstFlowReturn
push_list_locked (GstWrtcDtlsSrtpEnc * self, GstBufferList * list)
{
  if (!self->src_started) {
    gst_wrtc_pad_ensure_sticky (self->srcpad, GST_ELEMENT (self), NULL);
    self->src_started = TRUE;
  }
  return gst_pad_push_list (self->srcpad, list);
}

/* Set while a data_sink streaming thread encrypts its own buffer: the
 * records it produces are pushed at once, with backpressure. */
static GPrivate direct_push;

static void
enqueue (GstWrtcDtlsSrtpEnc * self, GstMiniObject * obj)
{
  g_mutex_lock (&self->queue_lock);
  if (self->queue_flushing) {
    g_mutex_unlock (&self->queue_lock);
    gst_mini_object_unref (obj);
    return;
  }
  g_queue_push_tail (&self->queue, obj);
  g_cond_signal (&self->queue_cond);
  g_mutex_unlock (&self->queue_lock);
}

static GstFlowReturn
push_object (GstWrtcDtlsSrtpEnc * self, GstMiniObject * obj)
{
  GstFlowReturn ret = GST_FLOW_OK;

  g_mutex_lock (&self->push_lock);
  if (GST_IS_BUFFER (obj)) {
    ret = push_locked (self, GST_BUFFER_CAST (obj));
  } else {
    if (!self->src_started) {
      gst_wrtc_pad_ensure_sticky (self->srcpad, GST_ELEMENT (self), NULL);
      self->src_started = TRUE;
    }
    gst_pad_push_event (self->srcpad, GST_EVENT_CAST (obj));
  }
  g_mutex_unlock (&self->push_lock);
  return ret;
}

static void
src_loop (GstWrtcDtlsSrtpEnc * self)
{
  GstMiniObject *obj;
  GstFlowReturn ret;

  g_mutex_lock (&self->queue_lock);
  while (!self->queue_flushing && g_queue_is_empty (&self->queue))
    g_cond_wait (&self->queue_cond, &self->queue_lock);
  if (self->queue_flushing) {
    g_mutex_unlock (&self->queue_lock);
    gst_pad_pause_task (self->srcpad);
    return;
  }
  obj = g_queue_pop_head (&self->queue);
  g_mutex_unlock (&self->queue_lock);

  ret = push_object (self, obj);
  if (ret != GST_FLOW_OK)
    GST_DEBUG_OBJECT (self, "DTLS datagram not sent: %s",
        gst_flow_get_name (ret));
}

static gboolean
src_activate_mode (GstPad * pad, GstObject * parent, GstPadMode mode,
    gboolean active)
{
  GstWrtcDtlsSrtpEnc *self = GST_WRTC_DTLS_SRTP_ENC (parent);

  if (mode != GST_PAD_MODE_PUSH)
    return FALSE;
  g_mutex_lock (&self->queue_lock);
  self->queue_flushing = !active;
  if (!active)
    g_queue_clear_full (&self->queue, (GDestroyNotify) gst_mini_object_unref);
  g_cond_broadcast (&self->queue_cond);
  g_mutex_unlock (&self->queue_lock);
  if (active)
    return gst_pad_start_task (pad, (GstTaskFunction) src_loop, self, NULL);
  return gst_pad_stop_task (pad);
}

/* The transport's send function: DTLS records for the wire. */
static void
transport_send_cb (GObject * owner, const guint8 * data, gsize len)
{
  GstWrtcDtlsSrtpEnc *self = GST_WRTC_DTLS_SRTP_ENC (owner);
  GstBuffer *buf = gst_buffer_new_memdup (data, len);

  if (g_private_get (&direct_push) == self)
    push_object (self, GST_MINI_OBJECT_CAST (buf));
  else
    enqueue (self, GST_MINI_OBJECT_CAST (buf));
}

/* Pushes what is queued from the calling thread, e.g. close_notify while
 * the element stops. */
static void
drain_queue (GstWrtcDtlsSrtpEnc * self)
{
  GstMiniObject *obj;

  for (;;) {
    g_mutex_lock (&self->queue_lock);
    obj = g_queue_pop_head (&self->queue);
    g_mutex_unlock (&self->queue_lock);
    if (!obj)
      break;
    push_object (self, obj);
  }
}

/* RFC 5764 section 4.2: with the keys in place, ask every RTP input for a
 * keyframe, so the first frame the receiver can decrypt is decodable. */
static void
transport_keys_cb (GstWrtcDtlsSrtpTransport * t, GstWrtcDtlsSrtpEnc * self)
{
  GList *l, *pads = NULL;

  GST_INFO_OBJECT (self, "SRTP keys set (%s), requesting a keyframe",
      gst_wrtc_srtp_profile_name (gst_wrtc_dtls_srtp_transport_get_profile
          (t)));
  GST_OBJECT_LOCK (self);
  for (l = GST_ELEMENT (self)->sinkpads; l; l = l->next)
    if (GST_PAD_PAD_TEMPLATE (l->data) &&
        g_str_has_prefix (GST_PAD_TEMPLATE_NAME_TEMPLATE (GST_PAD_PAD_TEMPLATE
                (l->data)), "rtp_sink"))
      pads = g_list_prepend (pads, gst_object_ref (l->data));
  GST_OBJECT_UNLOCK (self);

  for (l = pads; l; l = l->next)
    gst_pad_push_event (l->data,
        gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
            TRUE, 0));
  g_list_free_full (pads, gst_object_unref);

  g_signal_emit (self, signals[SIGNAL_ON_KEY_SET], 0);
}

static void
transport_state_cb (GstWrtcDtlsSrtpTransport * t,
    GstWrtcDtlsConnectionState state, GstWrtcDtlsSrtpEnc * self)
{
  g_object_notify (G_OBJECT (self), "connection-state");
}

/* rtp-sync: wait until the buffer's running time, as a clocksync would. */
static gboolean
sync_buffer (GstWrtcDtlsSrtpEnc * self, GstPad * pad, GstBuffer * buf)
{
  GstEvent *ev;
  const GstSegment *seg;
  GstClockTime rt, base;
  GstClock *clock;
  GstClockID id;
  GstClockReturn cret;

  if (!GST_BUFFER_PTS_IS_VALID (buf))
    return TRUE;
  ev = gst_pad_get_sticky_event (pad, GST_EVENT_SEGMENT, 0);
  if (!ev)
    return TRUE;
  gst_event_parse_segment (ev, &seg);
  rt = gst_segment_to_running_time (seg, GST_FORMAT_TIME, GST_BUFFER_PTS (buf));
  gst_event_unref (ev);
  if (!GST_CLOCK_TIME_IS_VALID (rt))
    return TRUE;

  GST_OBJECT_LOCK (self);
  clock = GST_ELEMENT_CLOCK (self);
  if (!clock || self->flushing) {
    gboolean flushing = self->flushing;
    GST_OBJECT_UNLOCK (self);
    return !flushing;
  }
  base = GST_ELEMENT_CAST (self)->base_time;
  id = self->sync_id = gst_clock_new_single_shot_id (clock, base + rt);
  GST_OBJECT_UNLOCK (self);

  cret = gst_clock_id_wait (id, NULL);

  GST_OBJECT_LOCK (self);
  self->sync_id = NULL;
  GST_OBJECT_UNLOCK (self);
  gst_clock_id_unref (id);
  return cret != GST_CLOCK_UNSCHEDULED;
}

static inline void
copy_metadata (GstBuffer * out, GstBuffer * in)
{
  GST_BUFFER_PTS (out) = GST_BUFFER_PTS (in);
  GST_BUFFER_DTS (out) = GST_BUFFER_DTS (in);
  GST_BUFFER_DURATION (out) = GST_BUFFER_DURATION (in);
  GST_BUFFER_FLAGS (out) = GST_BUFFER_FLAGS (in) & (GST_BUFFER_FLAG_DISCONT |
      GST_BUFFER_FLAG_MARKER | GST_BUFFER_FLAG_DELTA_UNIT |
      GST_BUFFER_FLAG_RESYNC);
}

/* Copies @len bytes at @data, protected, into a buffer of the output pool
 * (or fresh memory when the pool has none or the packet is too big for
 * it).  NULL when libsrtp2 refused it (*res says why). */
static GstBuffer *
protect_copy (GstWrtcDtlsSrtpEnc * self, GstWrtcDtlsSrtpTransport * t,
    gboolean rtcp, GstBuffer * in, const guint8 * data, gsize len,
    GstWrtcSrtpResult * res)
{
  static GstBufferPoolAcquireParams dontwait = {.flags =
        GST_BUFFER_POOL_ACQUIRE_FLAG_DONTWAIT
  };
  GstBufferPool *pool = self->out_pool;
  GstBuffer *out = NULL;
  GstMemory *mem;
  GstMapInfo map;

  if (pool && len <= OUT_POOL_PACKET_SIZE
      && gst_buffer_pool_acquire_buffer (pool, &out, &dontwait) == GST_FLOW_OK)
    mem = gst_buffer_peek_memory (out, 0);
  else
    mem = gst_allocator_alloc (NULL, len + GST_WRTC_SRTP_MAX_TRAILER, NULL);

  gst_memory_map (mem, &map, GST_MAP_WRITE);
  memcpy (map.data, data, len);
  *res = gst_wrtc_dtls_srtp_transport_protect (t, rtcp, map.data, &len,
      map.maxsize);
  gst_memory_unmap (mem, &map);
  if (G_UNLIKELY (*res != GST_WRTC_SRTP_OK)) {
    if (out)
      gst_buffer_unref (out);
    else
      gst_memory_unref (mem);
    return NULL;
  }
  /* a pooled buffer gets its full size back when it returns to the pool */
  gst_memory_resize (mem, 0, len);
  if (!out) {
    out = gst_buffer_new ();
    gst_buffer_append_memory (out, mem);
  }
  copy_metadata (out, in);
  return out;
}

/* Protects one RTP or RTCP packet (taking @in), or returns NULL when it is
 * dropped (no keys yet, or not RTP).  A writable buffer with one writable
 * memory and room for the SRTP trailer (what the allocation parameters we
 * propose upstream give) is protected in place; anything else is copied
 * once, into a buffer of the output pool. */
static GstBuffer *
protect_buffer (GstWrtcDtlsSrtpEnc * self, GstWrtcDtlsSrtpTransport * t,
    GstBuffer * in)
{
  GstWrtcSrtpResult res;
  GstWrtcPacketKind kind;
  GstBuffer *out = NULL;
  GstMapInfo map;
  GstMemory *mem = NULL;
  gsize size;

  if (G_LIKELY (gst_buffer_n_memory (in) == 1)) {
    mem = gst_buffer_peek_memory (in, 0);
    if (gst_buffer_is_writable (in) && gst_memory_is_writable (mem)
        && mem->offset + mem->size + GST_WRTC_SRTP_MAX_TRAILER <= mem->maxsize
        && gst_memory_map (mem, &map, GST_MAP_READWRITE)) {
      /* in place */
      size = map.size;
      kind = gst_wrtc_rfc7983_classify (map.data, size);
      if (kind != GST_WRTC_PACKET_RTP && kind != GST_WRTC_PACKET_RTCP) {
        gst_memory_unmap (mem, &map);
        goto malformed;
      }
      res = gst_wrtc_dtls_srtp_transport_protect (t,
          kind == GST_WRTC_PACKET_RTCP, map.data, &size, map.maxsize);
      gst_memory_unmap (mem, &map);
      if (res != GST_WRTC_SRTP_OK)
        goto dropped;
      gst_memory_resize (mem, 0, size);
      return in;
    }
    if (!gst_memory_map (mem, &map, GST_MAP_READ))
      goto malformed;
  } else if (!gst_buffer_map (in, &map, GST_MAP_READ)) {
    goto malformed;
  }

  kind = gst_wrtc_rfc7983_classify (map.data, map.size);
  if (kind == GST_WRTC_PACKET_RTP || kind == GST_WRTC_PACKET_RTCP)
    out = protect_copy (self, t, kind == GST_WRTC_PACKET_RTCP, in, map.data,
        map.size, &res);
  if (mem)
    gst_memory_unmap (mem, &map);
  else
    gst_buffer_unmap (in, &map);
  if (kind != GST_WRTC_PACKET_RTP && kind != GST_WRTC_PACKET_RTCP)
    goto malformed;
  if (!out)
    goto dropped;
  gst_buffer_unref (in);
  return out;

dropped:
  GST_LOG_OBJECT (self, "dropping packet: %s", gst_wrtc_srtp_result_name (res));
  gst_buffer_unref (in);
  return NULL;

malformed:
  GST_LOG_OBJECT (self, "dropping a %" G_GSIZE_FORMAT "-byte buffer that is "
      "neither RTP nor RTCP", gst_buffer_get_size (in));
  gst_wrtc_dtls_srtp_transport_count_outbound (t, GST_WRTC_SRTP_MALFORMED);
  gst_buffer_unref (in);
  return NULL;
}

static GstFlowReturn
gst_wrtc_dtls_srtp_enc_chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  GstWrtcDtlsSrtpEnc *self = GST_WRTC_DTLS_SRTP_ENC (parent);
  /* set in NULL->READY and cleared in READY->NULL: stable while a
   * streaming thread runs here */
  GstWrtcDtlsSrtpTransport *t = self->transport;
  GstBuffer *out;
  GstFlowReturn ret = GST_FLOW_OK;

  if (!t)
    goto flushing;
  if (g_atomic_int_get (&self->rtp_sync) && !sync_buffer (self, pad, buf))
    goto flushing;

  out = protect_buffer (self, t, buf);
  if (out) {
    g_mutex_lock (&self->push_lock);
    ret = push_locked (self, out);
    g_mutex_unlock (&self->push_lock);
  }
  return ret;

  /* ERRORS */
flushing:
  {
    gst_buffer_unref (buf);
    return GST_FLOW_FLUSHING;
  }
}

typedef struct
{
  GstWrtcDtlsSrtpEnc *self;
  GstWrtcDtlsSrtpTransport *t;
} ProtectListCtx;

/* Replaces each buffer of the list by its protected version, or removes
 * it when it is dropped. */
static gboolean
protect_list_item (GstBuffer ** buffer, guint idx, gpointer user_data)
{
  ProtectListCtx *c = user_data;

  *buffer = protect_buffer (c->self, c->t, *buffer);
  return TRUE;
}

static GstFlowReturn
gst_wrtc_dtls_srtp_enc_chain_list (GstPad * pad, GstObject * parent,
    GstBufferList * list)
{
  GstWrtcDtlsSrtpEnc *self = GST_WRTC_DTLS_SRTP_ENC (parent);
  GstWrtcDtlsSrtpTransport *t = self->transport;
  ProtectListCtx c;
  GstFlowReturn ret = GST_FLOW_OK;
  guint i, n;

  if (!t || g_atomic_int_get (&self->rtp_sync)) {
    /* one buffer at a time, each waiting for its time */
    n = gst_buffer_list_length (list);
    for (i = 0; i < n && ret == GST_FLOW_OK; i++)
      ret = gst_wrtc_dtls_srtp_enc_chain (pad, parent,
          gst_buffer_ref (gst_buffer_list_get (list, i)));
    gst_buffer_list_unref (list);
    return ret;
  }

  /* the list is usually ours alone (a payloader's): protected in place,
   * its buffers replaced by what goes out */
  c.self = self;
  c.t = t;
  list = gst_buffer_list_make_writable (list);
  gst_buffer_list_foreach (list, protect_list_item, &c);

  if (gst_buffer_list_length (list) == 0) {
    gst_buffer_list_unref (list);
    return GST_FLOW_OK;
  }
  g_mutex_lock (&self->push_lock);
  ret = push_list_locked (self, list);
  g_mutex_unlock (&self->push_lock);
  return ret;
}

/* data_sink: application data (SCTP packets) sent as DTLS records. */
static GstFlowReturn
gst_wrtc_dtls_srtp_enc_data_chain (GstPad * pad, GstObject * parent,
    GstBuffer * buf)
{
  GstWrtcDtlsSrtpEnc *self = GST_WRTC_DTLS_SRTP_ENC (parent);
  GstWrtcDtlsSrtpTransport *t = get_transport (self);
  GstMapInfo map;
  GError *err = NULL;

  if (!t) {
    gst_buffer_unref (buf);
    return GST_FLOW_FLUSHING;
  }
  gst_buffer_map (buf, &map, GST_MAP_READ);
  g_private_set (&direct_push, self);
  if (!gst_wrtc_dtls_srtp_transport_send_data (t, map.data, map.size, &err)) {
    GST_DEBUG_OBJECT (self, "application data dropped: %s", err->message);
    g_clear_error (&err);
  }
  g_private_set (&direct_push, NULL);
  gst_buffer_unmap (buf, &map);
  gst_buffer_unref (buf);
  g_object_unref (t);
  return GST_FLOW_OK;
}

static gboolean
all_sinks_eos (GstWrtcDtlsSrtpEnc * self, GstPad * except)
{
  GList *l;
  gboolean ret = TRUE;

  GST_OBJECT_LOCK (self);
  for (l = GST_ELEMENT (self)->sinkpads; l; l = l->next) {
    if (l->data != except && !GST_PAD_IS_EOS (l->data))
      ret = FALSE;
  }
  GST_OBJECT_UNLOCK (self);
  return ret;
}

static gboolean
gst_wrtc_dtls_srtp_enc_sink_event (GstPad * pad, GstObject * parent,
    GstEvent * event)
{
  GstWrtcDtlsSrtpEnc *self = GST_WRTC_DTLS_SRTP_ENC (parent);
  GstWrtcDtlsSrtpTransport *t;
  gboolean ret = TRUE;

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_FLUSH_START:
      GST_OBJECT_LOCK (self);
      self->flushing = TRUE;
      if (self->sync_id)
        gst_clock_id_unschedule (self->sync_id);
      GST_OBJECT_UNLOCK (self);
      ret = gst_pad_push_event (self->srcpad, event);
      break;
    case GST_EVENT_FLUSH_STOP:
      GST_OBJECT_LOCK (self);
      self->flushing = FALSE;
      GST_OBJECT_UNLOCK (self);
      ret = gst_pad_push_event (self->srcpad, event);
      break;
    case GST_EVENT_EOS:
      /* the last input ended: close_notify, then EOS downstream, in
       * that order through the queue */
      if (all_sinks_eos (self, pad)) {
        if ((t = get_transport (self))) {
          GstWrtcDtlsConnectionState s =
              gst_wrtc_dtls_srtp_transport_get_state (t);
          if (s == GST_WRTC_DTLS_CONNECTION_STATE_CONNECTED)
            gst_wrtc_dtls_srtp_transport_detach_sender (t);
          g_object_unref (t);
        }
        enqueue (self, GST_MINI_OBJECT_CAST (event));
      } else {
        gst_event_unref (event);
      }
      break;
    case GST_EVENT_CAPS:
    case GST_EVENT_SEGMENT:
    case GST_EVENT_STREAM_START:
      /* the source pad has its own stream; inputs are mixed */
      gst_event_unref (event);
      break;
    default:
      ret = gst_pad_event_default (pad, parent, event);
      break;
  }
  return ret;
}

/* ALLOCATION on rtp_sink/rtcp_sink: downstream's metas and allocators,
 * with allocation parameters that leave room for the SRTP trailer after
 * the data, so that buffers allocated with them (a payloader's or an
 * application's pool) are protected in place instead of copied.
 * Downstream's pools are not passed on: their buffers are sized for what
 * leaves here, without that room. */
static gboolean
gst_wrtc_dtls_srtp_enc_sink_query (GstPad * pad, GstObject * parent,
    GstQuery * query)
{
  GstWrtcDtlsSrtpEnc *self = GST_WRTC_DTLS_SRTP_ENC (parent);
  GstAllocationParams params;
  GstAllocator *allocator;
  guint i, n;

  if (GST_QUERY_TYPE (query) != GST_QUERY_ALLOCATION)
    return gst_pad_query_default (pad, parent, query);

  gst_pad_peer_query (self->srcpad, query);
  while (gst_query_get_n_allocation_pools (query) > 0)
    gst_query_remove_nth_allocation_pool (query, 0);
  n = gst_query_get_n_allocation_params (query);
  for (i = 0; i < n; i++) {
    gst_query_parse_nth_allocation_param (query, i, &allocator, &params);
    params.padding = MAX (params.padding, GST_WRTC_SRTP_MAX_TRAILER);
    gst_query_set_nth_allocation_param (query, i, allocator, &params);
    if (allocator)
      gst_object_unref (allocator);
  }
  if (n == 0) {
    gst_allocation_params_init (&params);
    params.padding = GST_WRTC_SRTP_MAX_TRAILER;
    gst_query_add_allocation_param (query, NULL, &params);
  }
  GST_DEBUG_OBJECT (self, "%s: allocation parameters with %u bytes of padding",
      GST_PAD_NAME (pad), GST_WRTC_SRTP_MAX_TRAILER);
  return TRUE;
}

/* With the object lock */
static gboolean
has_sink_pad_locked (GstElement * element, const gchar * name)
{
  GList *l;

  for (l = element->sinkpads; l; l = l->next)
    if (g_str_equal (GST_PAD_NAME (l->data), name))
      return TRUE;
  return FALSE;
}

static GstPad *
gst_wrtc_dtls_srtp_enc_request_new_pad (GstElement * element,
    GstPadTemplate * templ, const gchar * name, const GstCaps * caps)
{
  GstWrtcDtlsSrtpEnc *self = GST_WRTC_DTLS_SRTP_ENC (element);
  const gchar *tname = GST_PAD_TEMPLATE_NAME_TEMPLATE (templ);
  GstPad *pad;
  gchar *pad_name;

  GST_OBJECT_LOCK (self);
  if (g_str_equal (tname, "data_sink")) {
    pad_name = g_strdup ("data_sink");
  } else if (name) {
    pad_name = g_strdup (name);
  } else {
    gboolean rtp = g_str_equal (tname, "rtp_sink_%d");
    guint *n = rtp ? &self->n_rtp_pads : &self->n_rtcp_pads;

    /* the next index no pad has, also with pads requested by name */
    pad_name = NULL;
    do {
      g_free (pad_name);
      pad_name = g_strdup_printf (rtp ? "rtp_sink_%u" : "rtcp_sink_%u", (*n)++);
    } while (has_sink_pad_locked (element, pad_name));
  }
  GST_OBJECT_UNLOCK (self);

  if ((pad = gst_element_get_static_pad (element, pad_name))) {
    GST_WARNING_OBJECT (self, "pad %s already exists", pad_name);
    gst_object_unref (pad);
    g_free (pad_name);
    return NULL;
  }

  pad = gst_pad_new_from_template (templ, pad_name);
  g_free (pad_name);
  if (g_str_equal (tname, "data_sink")) {
    gst_pad_set_chain_function (pad, gst_wrtc_dtls_srtp_enc_data_chain);
  } else {
    gst_pad_set_chain_function (pad, gst_wrtc_dtls_srtp_enc_chain);
    gst_pad_set_chain_list_function (pad, gst_wrtc_dtls_srtp_enc_chain_list);
  }
  gst_pad_set_event_function (pad, gst_wrtc_dtls_srtp_enc_sink_event);
  if (g_str_equal (tname, "data_sink"))
    GST_PAD_SET_PROXY_ALLOCATION (pad);
  else
    gst_pad_set_query_function (pad, gst_wrtc_dtls_srtp_enc_sink_query);

  if (GST_STATE (element) > GST_STATE_READY)
    gst_pad_set_active (pad, TRUE);
  gst_element_add_pad (element, pad);
  return pad;
}

static void
gst_wrtc_dtls_srtp_enc_release_pad (GstElement * element, GstPad * pad)
{
  gst_pad_set_active (pad, FALSE);
  gst_element_remove_pad (element, pad);
}

/* The output pool's buffers come back with the memory shrunk to the packet
 * that was protected into it: the default reset_buffer's
 * gst_buffer_resize is a large part of the per-packet cost, a plain memory
 * resize does the same for our one-memory buffers. */
typedef GstBufferPool GstWrtcSrtpOutPool;
typedef GstBufferPoolClass GstWrtcSrtpOutPoolClass;
static GType gst_wrtc_srtp_out_pool_get_type (void);
G_DEFINE_TYPE (GstWrtcSrtpOutPool, gst_wrtc_srtp_out_pool,
    GST_TYPE_BUFFER_POOL);

static gboolean
remove_unpooled_meta (GstBuffer * buffer, GstMeta ** meta, gpointer user_data)
{
  if (!GST_META_FLAG_IS_SET (*meta, GST_META_FLAG_POOLED)) {
    GST_META_FLAG_UNSET (*meta, GST_META_FLAG_LOCKED);
    *meta = NULL;
  }
  return TRUE;
}

static void
out_pool_reset_buffer (GstBufferPool * pool, GstBuffer * buffer)
{
  GstMemory *mem;

  if (GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_TAG_MEMORY)
      || gst_buffer_n_memory (buffer) != 1) {
    /* not ours any more: the default release frees it */
    GST_BUFFER_POOL_CLASS (gst_wrtc_srtp_out_pool_parent_class)->reset_buffer
        (pool, buffer);
    return;
  }
  GST_BUFFER_FLAGS (buffer) = 0;
  GST_BUFFER_PTS (buffer) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DTS (buffer) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION (buffer) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_OFFSET (buffer) = GST_BUFFER_OFFSET_NONE;
  GST_BUFFER_OFFSET_END (buffer) = GST_BUFFER_OFFSET_NONE;
  gst_buffer_foreach_meta (buffer, remove_unpooled_meta, NULL);
  mem = gst_buffer_peek_memory (buffer, 0);
  if (mem->offset == 0 && mem->maxsize >= OUT_POOL_BUFFER_SIZE)
    gst_memory_resize (mem, 0, OUT_POOL_BUFFER_SIZE);
}

static void
gst_wrtc_srtp_out_pool_class_init (GstWrtcSrtpOutPoolClass * klass)
{
  klass->reset_buffer = out_pool_reset_buffer;
}

static void
gst_wrtc_srtp_out_pool_init (GstWrtcSrtpOutPool * pool)
{
}

/* The output pool (see OUT_POOL_PACKET_SIZE), or NULL: packets are then
 * copied into fresh memory. */
static GstBufferPool *
out_pool_new (GstWrtcDtlsSrtpEnc * self)
{
  GstBufferPool *pool = g_object_new (gst_wrtc_srtp_out_pool_get_type (),
      NULL);
  GstStructure *config = gst_buffer_pool_get_config (pool);

  gst_object_ref_sink (pool);
  gst_buffer_pool_config_set_params (config, NULL, OUT_POOL_BUFFER_SIZE,
      OUT_POOL_MIN, OUT_POOL_MAX);
  if (!gst_buffer_pool_set_config (pool, config)
      || !gst_buffer_pool_set_active (pool, TRUE)) {
    GST_WARNING_OBJECT (self, "no output buffer pool");
    gst_object_unref (pool);
    return NULL;
  }
  return pool;
}

static void
out_pool_clear (GstWrtcDtlsSrtpEnc * self)
{
  if (self->out_pool) {
    gst_buffer_pool_set_active (self->out_pool, FALSE);
    gst_object_unref (self->out_pool);
    self->out_pool = NULL;
  }
}

static GstStateChangeReturn
gst_wrtc_dtls_srtp_enc_change_state (GstElement * element,
    GstStateChange transition)
{
  GstWrtcDtlsSrtpEnc *self = GST_WRTC_DTLS_SRTP_ENC (element);
  GstWrtcDtlsSrtpTransport *t;
  GstStateChangeReturn ret;

  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:
      GST_OBJECT_LOCK (self);
      t = gst_wrtc_dtls_srtp_transport_acquire (self->connection_id);
      gst_wrtc_dtls_srtp_transport_set_is_client (t, self->is_client);
      self->transport = t;
      GST_OBJECT_UNLOCK (self);
      self->keys_handler = g_signal_connect (t, "keys-set",
          G_CALLBACK (transport_keys_cb), self);
      self->state_handler = g_signal_connect (t, "state-changed",
          G_CALLBACK (transport_state_cb), self);
      if (!self->out_pool)
        self->out_pool = out_pool_new (self);
      break;
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      g_mutex_lock (&self->push_lock);
      self->src_started = FALSE;
      g_mutex_unlock (&self->push_lock);
      GST_OBJECT_LOCK (self);
      self->flushing = FALSE;
      GST_OBJECT_UNLOCK (self);
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      GST_OBJECT_LOCK (self);
      self->flushing = TRUE;
      if (self->sync_id)
        gst_clock_id_unschedule (self->sync_id);
      GST_OBJECT_UNLOCK (self);
      if (self->manual_mode) {
        gst_wrtc_dtls_srtp_transport_clear_manual_key (self->transport, TRUE);
        break;
      }
      /* close_notify goes out while the source pad still runs; a
       * downstream that already stopped refuses it at once */
      gst_wrtc_dtls_srtp_transport_detach_sender (self->transport);
      drain_queue (self);
      break;
    default:
      break;
  }

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:{
      GError *err = NULL;

      if (!gst_wrtc_manual_key_start (GST_OBJECT (self), &self->manual,
              self->transport, TRUE, &self->manual_mode, &err)) {
        GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
            ("manual SRTP keying failed: %s", err->message), (NULL));
        g_clear_error (&err);
        return GST_STATE_CHANGE_FAILURE;
      }
      /* the source pad is active: DTLS can start once the decoder is
       * there; with a manual key, DTLS is disabled */
      if (!self->manual_mode)
        gst_wrtc_dtls_srtp_transport_attach_sender (self->transport,
            G_OBJECT (self), transport_send_cb);
      break;
    }
    case GST_STATE_CHANGE_READY_TO_NULL:
      GST_OBJECT_LOCK (self);
      t = self->transport;
      self->transport = NULL;
      GST_OBJECT_UNLOCK (self);
      /* no streaming thread uses the pool; buffers still downstream are
       * freed when they return */
      out_pool_clear (self);
      g_signal_handler_disconnect (t, self->keys_handler);
      g_signal_handler_disconnect (t, self->state_handler);
      g_object_unref (t);
      break;
    default:
      break;
  }
  return ret;
}

static void
gst_wrtc_dtls_srtp_enc_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstWrtcDtlsSrtpEnc *self = GST_WRTC_DTLS_SRTP_ENC (object);

  GST_OBJECT_LOCK (self);
  if (prop_id >= PROP_KEY && prop_id < PROP_KEY + GST_WRTC_MANUAL_KEY_N_PROPS) {
    gst_wrtc_manual_key_set_property (&self->manual, prop_id - PROP_KEY, value);
    GST_OBJECT_UNLOCK (self);
    return;
  }
  switch (prop_id) {
    case PROP_CONNECTION_ID:
      if (self->transport) {
        GST_WARNING_OBJECT (self, "connection-id can only change in NULL");
        break;
      }
      g_free (self->connection_id);
      self->connection_id = g_value_dup_string (value);
      break;
    case PROP_IS_CLIENT:
      self->is_client = g_value_get_boolean (value);
      if (self->transport)
        gst_wrtc_dtls_srtp_transport_set_is_client (self->transport,
            self->is_client);
      break;
    case PROP_RTP_SYNC:
      g_atomic_int_set (&self->rtp_sync, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_wrtc_dtls_srtp_enc_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstWrtcDtlsSrtpEnc *self = GST_WRTC_DTLS_SRTP_ENC (object);
  GstWrtcDtlsSrtpTransport *t;

  if (prop_id >= PROP_KEY && prop_id < PROP_KEY + GST_WRTC_MANUAL_KEY_N_PROPS) {
    GST_OBJECT_LOCK (self);
    gst_wrtc_manual_key_get_property (&self->manual, prop_id - PROP_KEY, value);
    GST_OBJECT_UNLOCK (self);
    return;
  }
  t = get_transport (self);
  switch (prop_id) {
    case PROP_CONNECTION_ID:
      GST_OBJECT_LOCK (self);
      g_value_set_string (value, self->connection_id);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_IS_CLIENT:
      GST_OBJECT_LOCK (self);
      g_value_set_boolean (value, self->is_client);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_RTP_SYNC:
      GST_OBJECT_LOCK (self);
      g_value_set_boolean (value, g_atomic_int_get (&self->rtp_sync));
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_CONNECTION_STATE:
      g_value_set_enum (value, t ? gst_wrtc_dtls_srtp_transport_get_state (t)
          : GST_WRTC_DTLS_CONNECTION_STATE_NEW);
      break;
    case PROP_STATS:
      if (t)
        g_value_take_boxed (value, gst_wrtc_dtls_srtp_transport_get_stats (t));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  if (t)
    g_object_unref (t);
}

static void
gst_wrtc_dtls_srtp_enc_finalize (GObject * object)
{
  GstWrtcDtlsSrtpEnc *self = GST_WRTC_DTLS_SRTP_ENC (object);

  g_free (self->connection_id);
  gst_wrtc_manual_key_clear (&self->manual);
  g_mutex_clear (&self->push_lock);
  g_mutex_clear (&self->queue_lock);
  g_cond_clear (&self->queue_cond);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_wrtc_dtls_srtp_enc_class_init (GstWrtcDtlsSrtpEncClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  gobject_class->set_property = gst_wrtc_dtls_srtp_enc_set_property;
  gobject_class->get_property = gst_wrtc_dtls_srtp_enc_get_property;
  gobject_class->finalize = gst_wrtc_dtls_srtp_enc_finalize;

  g_object_class_install_property (gobject_class, PROP_CONNECTION_ID,
      g_param_spec_string ("connection-id", "Connection ID",
          "Names the DTLS association: the dtlssrtpdec that receives for "
          "this encoder must have the same connection-id",
          NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_IS_CLIENT,
      g_param_spec_boolean ("is-client", "Is client",
          "TRUE to take the DTLS client role and send the first handshake "
          "message (a=setup:active in SDP); FALSE to wait for the peer's",
          DEFAULT_IS_CLIENT, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_CONNECTION_STATE,
      g_param_spec_enum ("connection-state", "Connection state",
          "State of the DTLS association: new, connecting, connected, "
          "closed or failed", GST_WRTC_TYPE_DTLS_CONNECTION_STATE,
          GST_WRTC_DTLS_CONNECTION_STATE_NEW,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_RTP_SYNC,
      g_param_spec_boolean ("rtp-sync", "Synchronise RTP",
          "Hold each RTP buffer until its running time on the pipeline "
          "clock before sending it, as a clocksync element would",
          DEFAULT_RTP_SYNC, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "Counters of the association: packets and bytes protected and "
          "unprotected, packets dropped before the keys were set, replayed, "
          "failing authentication, malformed, and the demultiplexer's counts",
          GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  gst_wrtc_manual_key_install_properties (gobject_class, PROP_KEY);

  /**
   * GstWrtcDtlsSrtpEnc::on-key-set:
   *
   * The DTLS handshake finished and SRTP keys are in place for both
   * directions; emitted from the thread that finished the handshake.
   */
  signals[SIGNAL_ON_KEY_SET] = g_signal_new ("on-key-set",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 0);

  gst_element_class_add_static_pad_template (element_class, &rtp_sink_template);
  gst_element_class_add_static_pad_template (element_class,
      &rtcp_sink_template);
  gst_element_class_add_static_pad_template (element_class,
      &data_sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);

  element_class->change_state = gst_wrtc_dtls_srtp_enc_change_state;
  element_class->request_new_pad = gst_wrtc_dtls_srtp_enc_request_new_pad;
  element_class->release_pad = gst_wrtc_dtls_srtp_enc_release_pad;

  gst_element_class_set_static_metadata (element_class,
      "DTLS-SRTP Encoder", "Encoder/Network/DTLS/SRTP",
      "Protects RTP/RTCP with SRTP keyed by DTLS (RFC 5764) and sends "
      "application data over DTLS", "gst-plugins-webrtc developers");

  gst_type_mark_as_plugin_api (GST_WRTC_TYPE_DTLS_CONNECTION_STATE, 0);
}

static void
gst_wrtc_dtls_srtp_enc_init (GstWrtcDtlsSrtpEnc * self)
{
  g_mutex_init (&self->push_lock);
  g_mutex_init (&self->queue_lock);
  g_cond_init (&self->queue_cond);
  g_queue_init (&self->queue);
  self->queue_flushing = TRUE;
  self->is_client = DEFAULT_IS_CLIENT;
  self->rtp_sync = DEFAULT_RTP_SYNC;
  self->srcpad = gst_pad_new_from_static_template (&src_template, "src");
  gst_pad_use_fixed_caps (self->srcpad);
  gst_pad_set_activatemode_function (self->srcpad, src_activate_mode);
  gst_element_add_pad (GST_ELEMENT (self), self->srcpad);
}
