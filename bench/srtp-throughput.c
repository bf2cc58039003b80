/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc benchmark: SRTP protect throughput of dtlssrtpenc on
 * 1200-byte RTP packets against a raw libsrtp2 srtp_protect loop on the same
 * packets with the same profile, measured in the same run.
 *
 * For each profile (SRTP_AEAD_AES_128_GCM, SRTP_AES128_CM_SHA1_80):
 *  - raw: one libsrtp2 session with the policy gstwrtcsrtp.c uses
 *    (ssrc_any_outbound, replay window 1024, allow_repeat_tx); per packet a
 *    copy of the plaintext into a work buffer (libsrtp2 protects in place),
 *    a new sequence number and srtp_protect.
 *  - ours: a real dtlssrtpenc keyed by a DTLS handshake with a second
 *    enc/dec pair in the same process (the profile forced with the decoders'
 *    srtp-profiles); the same packets are pushed into its rtp_sink_0, one
 *    buffer per push ("single") or 32 per buffer list ("list", as RTP
 *    payloaders push), and its output goes to a pad that counts and unrefs.
 *    Those buffers are shared (the bench keeps a ref): the element copies
 *    each packet into an output buffer, as it must.
 *  - ours, "inplace single" / "inplace list": the producer behaves like an
 *    upstream that allocates with what the element answers to the
 *    ALLOCATION query (a buffer pool with the proposed allocation
 *    parameters, whose padding leaves room for the SRTP trailer): per
 *    packet, inside the timed loop, a buffer from that pool, the plaintext
 *    copied into it (the copy the raw loop pays too) and the sequence
 *    number set; the element then protects in place.  Checked: every
 *    buffer that comes out is one of the producer's pool.
 * Only the steady-state loop is timed, on the thread CPU clock by default
 * (everything runs on the pushing thread, and CPU time stays meaningful on
 * a loaded machine; --clock wall for wall time).  Each figure is the median
 * of interleaved repetitions (raw, single, raw, list, raw); the ratio is
 * the median of each repetition's ours / (mean of the raw runs either side),
 * so it is not exactly the quotient of the two medians printed.  Before
 * timing, packets protected by the element are decrypted by the peer's
 * dtlssrtpdec and compared with what went in; after each run the count and
 * the size of what came out (the profile's tag) are checked.
 *
 * Run it in the isolated environment (the meson gst_env, or scripts/gst-env)
 * so that dtlssrtpenc is ours; it refuses to run with another one.
 *
 *   srtp-throughput [--seconds S] [--repeats R] [--list-len L] [--clock cpu|wall]
 *       [--profile NAME] [--mode single|list|inplace|inplace-single|inplace-list]
 *       [--only-ours] [--only-raw]
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>
#include <srtp2/srtp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PKT_LEN 1200
#define RTP_HEADER_LEN 12
#define POOL_LEN 1024           /* distinct packets, 1.2 MB */
#define MAX_LIST_LEN 256
#define OUR_TYPE_NAME "GstWrtcDtlsSrtpEnc"

typedef struct
{
  const gchar *name;            /* DTLS-SRTP profile name (RFC 5764/7714) */
  void (*set_policy) (srtp_crypto_policy_t * p);
  guint master_len;             /* key + salt */
  guint tag_len;
} Profile;

/* srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80 is a macro for
 * srtp_crypto_policy_set_rtp_default */
static const Profile profiles[] = {
  {"SRTP_AEAD_AES_128_GCM", srtp_crypto_policy_set_aes_gcm_128_16_auth,
      16 + 12, 16},
  {"SRTP_AES128_CM_SHA1_80", srtp_crypto_policy_set_rtp_default,
      16 + 14, 10},
};

/* The packets both loops send: RTP version 2, PT 96, one SSRC, a random
 * payload; the sequence number is rewritten per packet. */
static guint8 *pool_data;
static GstBuffer *pool_buf[POOL_LEN];

static gdouble opt_seconds = 0.4;
static gchar *opt_clock = NULL;
static gboolean use_wall = FALSE;
static gint opt_repeats = 11;
static gint opt_list_len = 32;
static gchar *opt_profile = NULL;
static gchar *opt_mode = NULL;
static gboolean opt_only_ours = FALSE;
static gboolean opt_only_raw = FALSE;

/* Microseconds on the chosen clock.  Everything measured runs on the calling
 * thread (the element protects and pushes synchronously), so its CPU time
 * is the cost, and it stays meaningful on a loaded machine where wall time
 * also counts other processes. */
static gint64
now_us (void)
{
  struct timespec ts;

  if (use_wall)
    return g_get_monotonic_time ();
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void
build_pool (void)
{
  GRand *rand = g_rand_new_with_seed (0x5254);
  guint i, j;

  pool_data = g_malloc (POOL_LEN * PKT_LEN);
  for (i = 0; i < POOL_LEN; i++) {
    guint8 *p = pool_data + i * PKT_LEN;

    for (j = 0; j < PKT_LEN; j++)
      p[j] = g_rand_int (rand) & 0xff;
    p[0] = 0x80;
    p[1] = 96;
    GST_WRITE_UINT16_BE (p + 2, i);
    GST_WRITE_UINT32_BE (p + 4, i * 3000);
    GST_WRITE_UINT32_BE (p + 8, 0x12345678);
    pool_buf[i] = gst_buffer_new_wrapped_full (0, p, PKT_LEN, 0, PKT_LEN,
        NULL, NULL);
  }
  g_rand_free (rand);
}

static gdouble
median (gdouble * v, gint n)
{
  gint i, j;

  for (i = 1; i < n; i++)
    for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
      gdouble t = v[j];
      v[j] = v[j - 1];
      v[j - 1] = t;
    }
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- raw libsrtp2 ---- */

typedef struct
{
  srtp_t session;
  guint16 seq;
} Raw;

static void
raw_init (Raw * raw, const Profile * prof)
{
  srtp_policy_t policy;
  guint8 master[32];
  srtp_err_status_t err;
  guint i;

  for (i = 0; i < sizeof (master); i++)
    master[i] = g_random_int () & 0xff;
  memset (&policy, 0, sizeof (policy));
  prof->set_policy (&policy.rtp);
  prof->set_policy (&policy.rtcp);
  policy.key = master;
  policy.ssrc.type = ssrc_any_outbound;
  policy.window_size = 1024;
  policy.allow_repeat_tx = 1;
  err = srtp_create (&raw->session, &policy);
  if (err != srtp_err_status_ok)
    g_error ("srtp_create: %d", err);
  raw->seq = 0;
}

static gdouble
raw_run (Raw * raw, guint64 n)
{
  guint8 work[PKT_LEN + SRTP_MAX_TRAILER_LEN];
  gint64 t0, t1;
  guint64 i;

  t0 = now_us ();
  for (i = 0; i < n; i++) {
    int len = PKT_LEN;
    srtp_err_status_t err;

    memcpy (work, pool_data + (i % POOL_LEN) * PKT_LEN, PKT_LEN);
    GST_WRITE_UINT16_BE (work + 2, raw->seq);
    raw->seq++;
    err = srtp_protect (raw->session, work, &len);
    if (G_UNLIKELY (err != srtp_err_status_ok))
      g_error ("srtp_protect: %d", err);
  }
  t1 = now_us ();
  return n * 1e6 / (t1 - t0);
}

/* ---- ours: dtlssrtpenc keyed by an in-process handshake ----
 *
 *   feed -> enc_a.rtp_sink_0;  enc_a.src -> tap_sink (counts, or relays
 *   through tap_src) -> dec_b.sink;  dec_b.rtp_src -> check_sink;
 *   enc_b.src -> dec_a.sink
 */

typedef struct
{
  const Profile *prof;
  GstElement *pipeline, *enc_a, *dec_a, *enc_b, *dec_b;
  GstPad *feed, *rtp_sink, *tap_sink, *tap_src, *check_sink;
  gint counting;                /* atomic: tap_sink counts instead of relaying */
  guint64 counted;              /* packets seen by tap_sink while counting */
  gsize last_size;
  guint checked, check_bad;     /* decrypted by dec_b while relaying */
  guint16 seq;
  gint keys_a, keys_b;          /* atomic: on-key-set seen */
  GstBufferPool *inplace_pool;  /* the producer's, for the inplace modes */
  gboolean check_pool;          /* an inplace run: count from_pool */
  guint64 from_pool;            /* counted buffers that are inplace_pool's */
} Ours;

static void
on_key_set (GstElement * enc, gint * flag)
{
  g_atomic_int_set (flag, 1);
}

static GstFlowReturn
tap_chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  Ours *o = gst_pad_get_element_private (pad);

  if (g_atomic_int_get (&o->counting)) {
    o->counted++;
    o->last_size = gst_buffer_get_size (buf);
    if (o->check_pool && buf->pool == o->inplace_pool)
      o->from_pool++;
    gst_buffer_unref (buf);
    return GST_FLOW_OK;
  }
  return gst_pad_push (o->tap_src, buf);
}

static GstFlowReturn
tap_chain_list (GstPad * pad, GstObject * parent, GstBufferList * list)
{
  Ours *o = gst_pad_get_element_private (pad);

  if (g_atomic_int_get (&o->counting)) {
    guint i, n = gst_buffer_list_length (list);
    o->counted += n;
    if (n)
      o->last_size = gst_buffer_get_size (gst_buffer_list_get (list, n - 1));
    for (i = 0; o->check_pool && i < n; i++)
      if (gst_buffer_list_get (list, i)->pool == o->inplace_pool)
        o->from_pool++;
    gst_buffer_list_unref (list);
    return GST_FLOW_OK;
  }
  return gst_pad_push_list (o->tap_src, list);
}

static gboolean
tap_sink_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  Ours *o = gst_pad_get_element_private (pad);

  return gst_pad_push_event (o->tap_src, event);
}

static gboolean
tap_sink_query (GstPad * pad, GstObject * parent, GstQuery * query)
{
  Ours *o = gst_pad_get_element_private (pad);

  return gst_pad_peer_query (o->tap_src, query);
}

static gboolean
tap_src_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  Ours *o = gst_pad_get_element_private (pad);

  return gst_pad_push_event (o->tap_sink, event);
}

/* dec_b's rtp_src: what enc_a protected, decrypted again */
static GstFlowReturn
check_chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  Ours *o = gst_pad_get_element_private (pad);
  GstMapInfo map;

  gst_buffer_map (buf, &map, GST_MAP_READ);
  /* in order and on the pushing thread: packet i is pool entry i */
  if (map.size == PKT_LEN) {
    const guint8 *orig = pool_data + (o->checked % POOL_LEN) * PKT_LEN;
    if (memcmp (map.data, orig, PKT_LEN) != 0)
      o->check_bad++;
  } else {
    o->check_bad++;
  }
  o->checked++;
  gst_buffer_unmap (buf, &map);
  gst_buffer_unref (buf);
  return GST_FLOW_OK;
}

static gboolean
sink_event_drop (GstPad * pad, GstObject * parent, GstEvent * event)
{
  gst_event_unref (event);
  return TRUE;
}

static GstElement *
make (const gchar * factory, const gchar * name)
{
  GstElement *e = gst_element_factory_make (factory, name);

  if (!e) {
    g_printerr ("srtp-throughput: no element %s\n", factory);
    exit (1);
  }
  return e;
}

static gint
conn_state (GstElement * e)
{
  gint s;

  g_object_get (e, "connection-state", &s, NULL);
  return s;
}

static void
check_bus (GstElement * pipeline)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR))) {
    GError *err;
    gchar *dbg;
    gst_message_parse_error (msg, &err, &dbg);
    g_printerr ("srtp-throughput: error from %s: %s (%s)\n",
        GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), err->message, dbg ? dbg : "");
    exit (1);
  }
  gst_object_unref (bus);
}

static GstPad *
new_pad (const gchar * name, GstPadDirection dir, Ours * o)
{
  GstPad *pad = gst_pad_new (name, dir);

  gst_pad_set_element_private (pad, o);
  return pad;
}

static void
ours_init (Ours * o, const Profile * prof, gint index)
{
  gchar *id_a = g_strdup_printf ("bench-a-%d", index);
  gchar *id_b = g_strdup_printf ("bench-b-%d", index);
  GstPad *pad;
  GstSegment seg;
  gint64 deadline;
  gchar *stream_id;
  GstCaps *caps;

  memset (o, 0, sizeof (*o));
  o->prof = prof;
  o->pipeline = gst_pipeline_new (NULL);
  o->enc_a = make ("dtlssrtpenc", "enc_a");
  o->dec_a = make ("dtlssrtpdec", "dec_a");
  o->enc_b = make ("dtlssrtpenc", "enc_b");
  o->dec_b = make ("dtlssrtpdec", "dec_b");
  if (strcmp (G_OBJECT_TYPE_NAME (o->enc_a), OUR_TYPE_NAME) != 0) {
    g_printerr ("srtp-throughput: dtlssrtpenc is %s, not ours (%s): run in "
        "the isolated environment (scripts/gst-env)\n",
        G_OBJECT_TYPE_NAME (o->enc_a), OUR_TYPE_NAME);
    exit (1);
  }
  g_object_set (o->enc_a, "connection-id", id_a, "is-client", TRUE, NULL);
  g_object_set (o->dec_a, "connection-id", id_a, "srtp-profiles", prof->name,
      NULL);
  g_object_set (o->enc_b, "connection-id", id_b, "is-client", FALSE, NULL);
  g_object_set (o->dec_b, "connection-id", id_b, "srtp-profiles", prof->name,
      NULL);
  g_signal_connect (o->enc_a, "on-key-set", G_CALLBACK (on_key_set),
      &o->keys_a);
  g_signal_connect (o->enc_b, "on-key-set", G_CALLBACK (on_key_set),
      &o->keys_b);
  gst_bin_add_many (GST_BIN (o->pipeline), o->enc_a, o->dec_a, o->enc_b,
      o->dec_b, NULL);
  if (!gst_element_link_pads (o->enc_b, "src", o->dec_a, "sink"))
    g_error ("cannot link enc_b to dec_a");

  o->tap_sink = new_pad ("tap_sink", GST_PAD_SINK, o);
  gst_pad_set_chain_function (o->tap_sink, tap_chain);
  gst_pad_set_chain_list_function (o->tap_sink, tap_chain_list);
  gst_pad_set_event_function (o->tap_sink, tap_sink_event);
  gst_pad_set_query_function (o->tap_sink, tap_sink_query);
  o->tap_src = new_pad ("tap_src", GST_PAD_SRC, o);
  gst_pad_set_event_function (o->tap_src, tap_src_event);
  o->check_sink = new_pad ("check_sink", GST_PAD_SINK, o);
  gst_pad_set_chain_function (o->check_sink, check_chain);
  gst_pad_set_event_function (o->check_sink, sink_event_drop);
  o->feed = new_pad ("feed", GST_PAD_SRC, o);
  gst_pad_set_active (o->tap_sink, TRUE);
  gst_pad_set_active (o->tap_src, TRUE);
  gst_pad_set_active (o->check_sink, TRUE);
  gst_pad_set_active (o->feed, TRUE);

  pad = gst_element_get_static_pad (o->enc_a, "src");
  if (gst_pad_link (pad, o->tap_sink) != GST_PAD_LINK_OK)
    g_error ("cannot link enc_a");
  gst_object_unref (pad);
  pad = gst_element_get_static_pad (o->dec_b, "sink");
  if (gst_pad_link (o->tap_src, pad) != GST_PAD_LINK_OK)
    g_error ("cannot link dec_b");
  gst_object_unref (pad);
  pad = gst_element_get_static_pad (o->dec_b, "rtp_src");
  if (gst_pad_link (pad, o->check_sink) != GST_PAD_LINK_OK)
    g_error ("cannot link dec_b rtp_src");
  gst_object_unref (pad);
  o->rtp_sink = gst_element_request_pad_simple (o->enc_a, "rtp_sink_%d");
  if (gst_pad_link (o->feed, o->rtp_sink) != GST_PAD_LINK_OK)
    g_error ("cannot link enc_a rtp_sink");

  if (gst_element_set_state (o->pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE)
    g_error ("pipeline does not start");

  /* the handshake, not timed; connection-state may read connected a
   * moment before the SRTP keys are installed, on-key-set comes after */
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!g_atomic_int_get (&o->keys_a) || !g_atomic_int_get (&o->keys_b)
      || conn_state (o->enc_a) != 4 || conn_state (o->dec_a) != 4 ||
      conn_state (o->enc_b) != 4 || conn_state (o->dec_b) != 4) {
    check_bus (o->pipeline);
    if (g_get_monotonic_time () > deadline) {
      g_printerr ("srtp-throughput: %s: no DTLS connection after 30 s "
          "(states %d %d %d %d)\n", prof->name, conn_state (o->enc_a),
          conn_state (o->dec_a), conn_state (o->enc_b), conn_state (o->dec_b));
      exit (1);
    }
    g_usleep (1000);
  }

  stream_id = g_strdup_printf ("bench-%d", index);
  gst_pad_push_event (o->feed, gst_event_new_stream_start (stream_id));
  g_free (stream_id);
  caps = gst_caps_from_string ("application/x-rtp,media=video,"
      "clock-rate=90000,encoding-name=VP8,payload=96");
  gst_pad_push_event (o->feed, gst_event_new_caps (caps));
  gst_caps_unref (caps);
  gst_segment_init (&seg, GST_FORMAT_TIME);
  gst_pad_push_event (o->feed, gst_event_new_segment (&seg));

  g_free (id_a);
  g_free (id_b);
}

static inline GstBuffer *
next_packet (Ours * o, guint64 i)
{
  guint k = i % POOL_LEN;

  /* the pool buffer is ours alone again: the element copied and released
   * it during the previous push */
  GST_WRITE_UINT16_BE (pool_data + k * PKT_LEN + 2, o->seq);
  o->seq++;
  return gst_buffer_ref (pool_buf[k]);
}

/* The inplace producer: a buffer pool set up from the element's answer to
 * the ALLOCATION query on rtp_sink_0, as a payloader or an application
 * would; the padding is what the element asks for, not hard-coded. */
static void
inplace_init (Ours * o)
{
  GstCaps *caps = gst_pad_get_current_caps (o->feed);
  GstQuery *q = gst_query_new_allocation (caps, TRUE);
  GstAllocationParams params;
  GstAllocator *allocator = NULL;
  GstStructure *config;

  if (!gst_pad_peer_query (o->feed, q)
      || gst_query_get_n_allocation_params (q) == 0) {
    g_printerr ("srtp-throughput: dtlssrtpenc proposes no allocation "
        "parameters\n");
    exit (1);
  }
  gst_query_parse_nth_allocation_param (q, 0, &allocator, &params);
  if (params.padding < o->prof->tag_len)
    g_printerr ("srtp-throughput: note: the proposed padding (%"
        G_GSIZE_FORMAT ") is smaller than the SRTP tag (%u): every packet "
        "will be copied\n", params.padding, o->prof->tag_len);
  o->inplace_pool = gst_buffer_pool_new ();
  config = gst_buffer_pool_get_config (o->inplace_pool);
  gst_buffer_pool_config_set_params (config, caps, PKT_LEN, 64, 0);
  gst_buffer_pool_config_set_allocator (config, allocator, &params);
  if (!gst_buffer_pool_set_config (o->inplace_pool, config)
      || !gst_buffer_pool_set_active (o->inplace_pool, TRUE))
    g_error ("cannot set up the inplace producer's pool");
  if (allocator)
    gst_object_unref (allocator);
  gst_query_unref (q);
  gst_caps_unref (caps);
}

/* A writable buffer of the producer's pool with packet @i in it. */
static inline GstBuffer *
next_packet_inplace (Ours * o, guint64 i)
{
  guint k = i % POOL_LEN;
  guint8 *p = pool_data + k * PKT_LEN;
  GstBuffer *buf = NULL;
  GstMapInfo map;

  GST_WRITE_UINT16_BE (p + 2, o->seq);
  o->seq++;
  if (gst_buffer_pool_acquire_buffer (o->inplace_pool, &buf, NULL) !=
      GST_FLOW_OK || !gst_buffer_map (buf, &map, GST_MAP_WRITE))
    g_error ("inplace producer: no buffer");
  memcpy (map.data, p, PKT_LEN);
  gst_buffer_unmap (buf, &map);
  return buf;
}

static inline GstBuffer *
next (Ours * o, guint64 i, gboolean inplace)
{
  return inplace ? next_packet_inplace (o, i) : next_packet (o, i);
}

/* Not timed: packets go through dec_b and must come out as they went in. */
static void
ours_verify (Ours * o, gboolean inplace)
{
  guint i, n = 64;
  GstFlowReturn ret;

  o->checked = o->check_bad = 0;
  for (i = 0; i < n; i++) {
    ret = gst_pad_push (o->feed, next (o, i, inplace));
    if (ret != GST_FLOW_OK)
      g_error ("push: %s", gst_flow_get_name (ret));
  }
  if (o->checked != n || o->check_bad != 0) {
    GstStructure *sa = NULL, *sb = NULL;
    gchar *a, *b;

    g_object_get (o->enc_a, "stats", &sa, NULL);
    g_object_get (o->dec_b, "stats", &sb, NULL);
    a = sa ? gst_structure_to_string (sa) : g_strdup ("-");
    b = sb ? gst_structure_to_string (sb) : g_strdup ("-");
    g_printerr ("srtp-throughput: %s%s: %u of %u packets came back "
        "decrypted, %u wrong\n  enc_a %s\n  dec_b %s\n", o->prof->name,
        inplace ? " inplace" : "", o->checked, n, o->check_bad, a, b);
    exit (1);
  }
}

static gdouble
ours_run (Ours * o, guint64 n, gboolean list, gboolean inplace)
{
  gint64 t0, t1;
  guint64 i;
  GstFlowReturn ret = GST_FLOW_OK;
  guint j, l = opt_list_len;

  o->counted = 0;
  o->last_size = 0;
  o->from_pool = 0;
  o->check_pool = inplace;
  g_atomic_int_set (&o->counting, 1);
  n -= n % l;
  if (!inplace) {
    /* the copy modes, exactly as they were measured before the inplace
     * modes existed */
    t0 = now_us ();
    if (!list) {
      for (i = 0; i < n && ret == GST_FLOW_OK; i++)
        ret = gst_pad_push (o->feed, next_packet (o, i));
    } else {
      for (i = 0; i < n && ret == GST_FLOW_OK; i += l) {
        GstBufferList *bl = gst_buffer_list_new_sized (l);
        for (j = 0; j < l; j++)
          gst_buffer_list_add (bl, next_packet (o, i + j));
        ret = gst_pad_push_list (o->feed, bl);
      }
    }
    t1 = now_us ();
  } else {
    t0 = now_us ();
    if (!list) {
      for (i = 0; i < n && ret == GST_FLOW_OK; i++)
        ret = gst_pad_push (o->feed, next_packet_inplace (o, i));
    } else {
      for (i = 0; i < n && ret == GST_FLOW_OK; i += l) {
        GstBufferList *bl = gst_buffer_list_new_sized (l);
        for (j = 0; j < l; j++)
          gst_buffer_list_add (bl, next_packet_inplace (o, i + j));
        ret = gst_pad_push_list (o->feed, bl);
      }
    }
    t1 = now_us ();
  }
  g_atomic_int_set (&o->counting, 0);
  o->check_pool = FALSE;
  if (inplace && o->from_pool != o->counted) {
    g_printerr ("srtp-throughput: %s inplace: %" G_GUINT64_FORMAT " of %"
        G_GUINT64_FORMAT " packets were not protected in place\n",
        o->prof->name, o->counted - o->from_pool, o->counted);
    exit (1);
  }
  if (ret != GST_FLOW_OK)
    g_error ("push: %s", gst_flow_get_name (ret));
  if (o->counted != n || o->last_size != PKT_LEN + o->prof->tag_len) {
    g_printerr ("srtp-throughput: %s: %" G_GUINT64_FORMAT " of %"
        G_GUINT64_FORMAT " packets protected, last %" G_GSIZE_FORMAT
        " bytes (expected %u)\n", o->prof->name, o->counted, n,
        o->last_size, PKT_LEN + o->prof->tag_len);
    exit (1);
  }
  return n * 1e6 / (t1 - t0);
}

static void
ours_free (Ours * o)
{
  gst_element_set_state (o->pipeline, GST_STATE_NULL);
  if (o->inplace_pool) {
    gst_buffer_pool_set_active (o->inplace_pool, FALSE);
    gst_object_unref (o->inplace_pool);
  }
  gst_pad_unlink (o->feed, o->rtp_sink);
  gst_element_release_request_pad (o->enc_a, o->rtp_sink);
  gst_object_unref (o->rtp_sink);
  gst_object_unref (o->pipeline);
  gst_object_unref (o->feed);
  gst_object_unref (o->tap_sink);
  gst_object_unref (o->tap_src);
  gst_object_unref (o->check_sink);
}

/* The modes, in the order they run and print. */
enum
{ MODE_SINGLE, MODE_LIST, MODE_INPLACE_SINGLE, MODE_INPLACE_LIST, N_MODES };
static const gchar *mode_names[N_MODES] = { "single", "list",
  "inplace-single", "inplace-list"
};

static gboolean
mode_selected (gint m)
{
  if (!opt_mode)
    return TRUE;
  if (g_str_equal (opt_mode, "inplace"))
    return m == MODE_INPLACE_SINGLE || m == MODE_INPLACE_LIST;
  return g_str_equal (opt_mode, mode_names[m]);
}

static void
bench_profile (const Profile * prof, gint index)
{
  Raw raw;
  Ours ours;
  gdouble r_raw[64], r_ours[N_MODES][64], q_ours[N_MODES][64];
  gboolean any_inplace = mode_selected (MODE_INPLACE_SINGLE)
      || mode_selected (MODE_INPLACE_LIST);
  guint64 n;
  gdouble rate, m_raw = 0;
  gint rep, m;

  raw_init (&raw, prof);
  if (!opt_only_raw) {
    ours_init (&ours, prof, index);
    ours_verify (&ours, FALSE);
    if (any_inplace) {
      inplace_init (&ours);
      ours_verify (&ours, TRUE);
    }
  }

  /* calibration and warm-up: N packets take about opt_seconds raw */
  raw_run (&raw, 20000);
  rate = raw_run (&raw, 100000);
  n = MAX (rate * opt_seconds, 10000);
  n -= n % POOL_LEN;
  if (!opt_only_raw) {
    for (m = 0; m < N_MODES; m++)
      if (mode_selected (m))
        ours_run (&ours, 20000, m == MODE_LIST || m == MODE_INPLACE_LIST,
            m >= MODE_INPLACE_SINGLE);
  }

  /* raw, single, raw, list, raw, inplace single, raw, inplace list, raw:
   * each of ours is paired with the mean of the raw runs either side of
   * it, so a machine that gets slower or faster during the run moves both
   * alike */
  for (rep = 0; rep < opt_repeats; rep++) {
    gdouble raw_before = 0, raw_after;

    if (!opt_only_ours)
      raw_before = r_raw[rep] = raw_run (&raw, n);
    for (m = 0; m < N_MODES && !opt_only_raw; m++) {
      if (!mode_selected (m))
        continue;
      r_ours[m][rep] = ours_run (&ours, n, m == MODE_LIST
          || m == MODE_INPLACE_LIST, m >= MODE_INPLACE_SINGLE);
      if (!opt_only_ours) {
        raw_after = raw_run (&raw, n);
        q_ours[m][rep] = r_ours[m][rep] / ((raw_before + raw_after) / 2);
        raw_before = raw_after;
      }
    }
  }

  if (!opt_only_ours)
    m_raw = median (r_raw, opt_repeats);
  if (opt_only_raw) {
    printf ("srtp-protect %s raw: raw libsrtp2 %.0f pkt/s\n", prof->name,
        m_raw);
  } else {
    for (m = 0; m < N_MODES; m++) {
      gboolean list = m == MODE_LIST || m == MODE_INPLACE_LIST;
      gdouble med;
      gchar *mode;

      if (!mode_selected (m))
        continue;
      med = median (r_ours[m], opt_repeats);
      mode = g_strdup_printf ("%s%s%.0d",
          m >= MODE_INPLACE_SINGLE ? "inplace " : "", list ? "list" : "single",
          list ? opt_list_len : 0);
      if (opt_only_ours)
        printf ("srtp-protect %s %s: ours %.0f pkt/s\n", prof->name, mode, med);
      else
        printf ("srtp-protect %s %s: ours %.0f pkt/s, raw libsrtp2 %.0f "
            "pkt/s, ratio %.3f (goal >= 0.90)\n", prof->name, mode, med, m_raw,
            median (q_ours[m], opt_repeats));
      g_free (mode);
    }
  }
  fflush (stdout);

  if (!opt_only_raw)
    ours_free (&ours);
  srtp_dealloc (raw.session);
}

int
main (int argc, char **argv)
{
  GOptionEntry entries[] = {
    {"seconds", 's', 0, G_OPTION_ARG_DOUBLE, &opt_seconds,
        "Seconds per raw measurement (default 0.4)", "S"},
    {"clock", 'c', 0, G_OPTION_ARG_STRING, &opt_clock,
        "cpu (thread CPU time, default) or wall", "CLOCK"},
    {"repeats", 'r', 0, G_OPTION_ARG_INT, &opt_repeats,
        "Repetitions, median taken (default 11)", "R"},
    {"list-len", 'l', 0, G_OPTION_ARG_INT, &opt_list_len,
        "Packets per buffer list (default 32)", "L"},
    {"profile", 'p', 0, G_OPTION_ARG_STRING, &opt_profile,
        "Only this profile", "NAME"},
    {"mode", 'm', 0, G_OPTION_ARG_STRING, &opt_mode,
        "Only this mode: single, list, inplace-single, inplace-list, or "
          "inplace (both inplace modes)", "MODE"},
    {"only-ours", 0, 0, G_OPTION_ARG_NONE, &opt_only_ours,
        "Only the element (for profiling)", NULL},
    {"only-raw", 0, 0, G_OPTION_ARG_NONE, &opt_only_raw,
        "Only raw libsrtp2 (for profiling)", NULL},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("- SRTP protect throughput");
  GError *err = NULL;
  guint i;
  gboolean any = FALSE;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("srtp-throughput: %s\n", err->message);
    return 2;
  }
  g_option_context_free (ctx);
  use_wall = opt_clock && g_str_equal (opt_clock, "wall");
  opt_repeats = CLAMP (opt_repeats, 1, 64);
  opt_list_len = CLAMP (opt_list_len, 1, MAX_LIST_LEN);
  while (POOL_LEN % opt_list_len)
    opt_list_len--;

  gst_init (&argc, &argv);
  if (opt_only_raw) {
    if (srtp_init () != srtp_err_status_ok)
      g_error ("srtp_init failed");
  } else {
    /* libsrtp2's srtp_init fails when called twice, and the element treats
     * that as fatal: let the element initialise libsrtp2 (its transport
     * does in NULL->READY) before this program uses it */
    GstElement *e = make ("dtlssrtpenc", NULL);
    gst_element_set_state (e, GST_STATE_READY);
    gst_element_set_state (e, GST_STATE_NULL);
    gst_object_unref (e);
  }
  build_pool ();

  printf ("srtp-protect: %d-byte RTP packets, median of %d, %s time, "
      "lists of %d\n", PKT_LEN, opt_repeats,
      use_wall ? "wall-clock" : "thread CPU", opt_list_len);
  for (i = 0; i < G_N_ELEMENTS (profiles); i++) {
    if (opt_profile && !g_str_equal (opt_profile, profiles[i].name))
      continue;
    any = TRUE;
    bench_profile (&profiles[i], i);
  }
  if (!any) {
    g_printerr ("srtp-throughput: unknown profile %s\n", opt_profile);
    return 2;
  }
  for (i = 0; i < POOL_LEN; i++)
    gst_buffer_unref (pool_buf[i]);
  g_free (pool_data);
  return 0;
}
