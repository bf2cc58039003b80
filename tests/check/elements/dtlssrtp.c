/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: element tests of dtlssrtpenc and dtlssrtpdec.
 *
 * Per element: pads and templates, properties, PEM handling, and GstHarness
 * tests of what one element does alone.  In process: two associations, A
 * (DTLS client) and B (DTLS server), each an encoder and a decoder sharing a
 * connection-id in a pipeline of its own, joined by two "wires" (pads of the
 * test) A.enc.src -> B.dec.sink and B.enc.src -> A.dec.sink that a test can
 * hold, make lossy, inspect, capture from and inject into.  Packets enter
 * the encoders through pads of the test and leave the decoders into pads of
 * the test.
 *
 * Every wait is bounded by a failure timeout (WAIT_UNTIL); no assertion
 * depends on timing.
 */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <string.h>

/* Same values as upstream's GstDtlsConnectionState */
#define STATE_NEW 0
#define STATE_CLOSED 1
#define STATE_FAILED 2
#define STATE_CONNECTING 3
#define STATE_CONNECTED 4

#define DEFAULT_SRTP_PROFILES \
  "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32"
#define RSA4096_PEM_FILE DTLSSRTP_TEST_DATA_DIR "/dtlssrtp-rsa4096.pem"
#define MTU 1200

/* ------------------------------------------------------------------------
 * Helpers
 */

/* The failure timeout of every wait: 10 s, times CK_TIMEOUT_MULTIPLIER
 * (set under valgrind). */
static gint64
wait_timeout_us (void)
{
  const gchar *m = g_getenv ("CK_TIMEOUT_MULTIPLIER");
  gint64 mult = m ? g_ascii_strtoll (m, NULL, 10) : 1;

  return 10 * G_USEC_PER_SEC * MAX (mult, 1);
}

#define WAIT_UNTIL(cond) G_STMT_START {                                   \
  gint64 _end = g_get_monotonic_time () + wait_timeout_us ();           \
  while (!(cond)) {                                                      \
    fail_if (g_get_monotonic_time () > _end,                            \
        "timed out waiting for: %s", #cond);                             \
    g_usleep (1000);                                                     \
  }                                                                      \
} G_STMT_END

static gint
get_state (GstElement * e)
{
  gint s;

  g_object_get (e, "connection-state", &s, NULL);
  return s;
}

static GstStructure *
get_stats (GstElement * e)
{
  GstStructure *s = NULL;

  g_object_get (e, "stats", &s, NULL);
  fail_unless (s != NULL, "no stats");
  fail_unless_equals_string (gst_structure_get_name (s), "dtls-srtp-stats");
  return s;
}

static guint64
get_stat (GstElement * e, const gchar * field)
{
  GstStructure *s = get_stats (e);
  guint64 v = 0;

  fail_unless (gst_structure_get_uint64 (s, field, &v),
      "no uint64 field %s in stats", field);
  gst_structure_free (s);
  return v;
}

static gchar *
get_stat_string (GstElement * e, const gchar * field)
{
  GstStructure *s = get_stats (e);
  gchar *v;

  fail_unless (gst_structure_has_field_typed (s, field, G_TYPE_STRING),
      "no string field %s in stats", field);
  v = g_strdup (gst_structure_get_string (s, field));
  gst_structure_free (s);
  return v;
}

static const gchar *stats_counters[] = {
  "packets-protected", "bytes-protected", "dropped-before-keys-out",
  "protect-failed", "packets-unprotected", "dropped-before-keys-in",
  "replayed", "auth-failed", "malformed", "dtls-packets", "stun-packets",
  "unknown-packets", "oversized-packets", "data-dropped", NULL
};

static GstBuffer *
make_rtp (guint16 seq, guint32 ts, guint32 ssrc, guint payload_len, guint8 seed)
{
  guint8 *d = g_malloc (12 + payload_len);
  guint i;

  d[0] = 0x80;                  /* V=2 */
  d[1] = 96;                    /* dynamic payload type, no marker */
  GST_WRITE_UINT16_BE (d + 2, seq);
  GST_WRITE_UINT32_BE (d + 4, ts);
  GST_WRITE_UINT32_BE (d + 8, ssrc);
  for (i = 0; i < payload_len; i++)
    d[12 + i] = (guint8) (seed + i * 7);
  return gst_buffer_new_wrapped (d, 12 + payload_len);
}

/* An RTCP sender report (PT 200) without report blocks. */
static GstBuffer *
make_rtcp_sr (guint32 ssrc, guint32 packets, guint32 octets)
{
  guint8 *d = g_malloc0 (28);

  d[0] = 0x80;
  d[1] = 200;
  GST_WRITE_UINT16_BE (d + 2, 6);       /* 28 bytes / 4 - 1 */
  GST_WRITE_UINT32_BE (d + 4, ssrc);
  GST_WRITE_UINT32_BE (d + 8, 0xe1234567);      /* NTP seconds */
  GST_WRITE_UINT32_BE (d + 12, 0x89abcdef);     /* NTP fraction */
  GST_WRITE_UINT32_BE (d + 16, 123456); /* RTP timestamp */
  GST_WRITE_UINT32_BE (d + 20, packets);
  GST_WRITE_UINT32_BE (d + 24, octets);
  return gst_buffer_new_wrapped (d, 28);
}

/* A STUN Binding request (RFC 8489) without attributes. */
static GstBuffer *
make_stun (void)
{
  guint8 *d = g_malloc0 (20);
  guint i;

  GST_WRITE_UINT16_BE (d, 0x0001);
  GST_WRITE_UINT16_BE (d + 2, 0);
  GST_WRITE_UINT32_BE (d + 4, 0x2112a442);
  for (i = 8; i < 20; i++)
    d[i] = i;
  return gst_buffer_new_wrapped (d, 20);
}

static GstBuffer *
make_bytes (const guint8 * data, gsize len)
{
  return gst_buffer_new_memdup (data, len);
}

static void
assert_same_bytes (GstBuffer * got, GstBuffer * expected)
{
  gsize size = gst_buffer_get_size (expected);
  GstMapInfo map;

  fail_unless (got != NULL, "expected a buffer");
  fail_unless_equals_uint64 (gst_buffer_get_size (got), size);
  fail_unless (gst_buffer_map (expected, &map, GST_MAP_READ));
  fail_unless (gst_buffer_memcmp (got, 0, map.data, size) == 0,
      "the buffer differs from what was sent");
  gst_buffer_unmap (expected, &map);
}

/* ------------------------------------------------------------------------
 * Certificates (OpenSSL in the test, to check the elements' results)
 */

static gchar *
read_rsa4096_pem (void)
{
  gchar *contents = NULL;
  GError *err = NULL;

  fail_unless (g_file_get_contents (RSA4096_PEM_FILE, &contents, NULL, &err),
      "cannot read %s: %s", RSA4096_PEM_FILE, err ? err->message : "?");
  return contents;
}

/* "sha-256 AB:CD:..." of the first certificate in @pem. */
static gchar *
pem_fingerprint (const gchar * pem)
{
  BIO *bio = BIO_new_mem_buf (pem, -1);
  X509 *x = PEM_read_bio_X509 (bio, NULL, NULL, NULL);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0, i;
  GString *s = g_string_new ("sha-256 ");

  fail_unless (x != NULL, "no certificate in the PEM");
  fail_unless (X509_digest (x, EVP_sha256 (), md, &n) == 1);
  fail_unless_equals_int (n, 32);
  for (i = 0; i < n; i++)
    g_string_append_printf (s, "%s%02X", i ? ":" : "", md[i]);
  X509_free (x);
  BIO_free (bio);
  return g_string_free (s, FALSE);
}

/* The PEM block between BEGIN @what and END @what, markers included. */
static gchar *
pem_block (const gchar * pem, const gchar * what)
{
  gchar *begin = g_strdup_printf ("-----BEGIN %s-----", what);
  gchar *end = g_strdup_printf ("-----END %s-----", what);
  const gchar *b = strstr (pem, begin), *e;
  gchar *ret;

  fail_unless (b != NULL, "no %s in the PEM", begin);
  e = strstr (b, end);
  fail_unless (e != NULL, "no %s in the PEM", end);
  ret = g_strndup (b, e + strlen (end) - b);
  g_free (begin);
  g_free (end);
  return ret;
}

/* @s without whitespace, to compare PEM texts. */
static gchar *
strip_ws (const gchar * s)
{
  GString *r = g_string_new (NULL);

  for (; *s; s++)
    if (!g_ascii_isspace (*s))
      g_string_append_c (r, *s);
  return g_string_free (r, FALSE);
}

/* A fresh ECDSA P-256 key and its self-signed certificate, as PEM
 * (certificate, then key); with @key_only just a key. */
static gchar *
make_ec_pem (gboolean key_only)
{
  EVP_PKEY *pkey = EVP_EC_gen ("P-256");
  X509 *x = NULL;
  X509_NAME *name;
  BIO *bio = BIO_new (BIO_s_mem ());
  char *data;
  long len;
  gchar *ret;

  fail_unless (pkey != NULL);
  if (!key_only) {
    x = X509_new ();
    X509_set_version (x, 2);
    ASN1_INTEGER_set (X509_get_serialNumber (x), 42);
    X509_gmtime_adj (X509_getm_notBefore (x), -3600);
    X509_gmtime_adj (X509_getm_notAfter (x), 30 * 24 * 3600);
    X509_set_pubkey (x, pkey);
    name = X509_get_subject_name (x);
    X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_ASC,
        (const unsigned char *) "dtlssrtp element test", -1, -1, 0);
    X509_set_issuer_name (x, name);
    fail_unless (X509_sign (x, pkey, EVP_sha256 ()) > 0);
    fail_unless (PEM_write_bio_X509 (bio, x) == 1);
  }
  fail_unless (PEM_write_bio_PrivateKey (bio, pkey, NULL, NULL, 0, NULL,
          NULL) == 1);
  len = BIO_get_mem_data (bio, &data);
  ret = g_strndup (data, len);
  BIO_free (bio);
  X509_free (x);
  EVP_PKEY_free (pkey);
  return ret;
}

static gboolean
is_sdp_fingerprint (const gchar * fp)
{
  return fp && g_regex_match_simple ("^sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$",
      fp, 0, 0);
}

/* ------------------------------------------------------------------------
 * Collector: a sink pad of the test that keeps what it receives
 */
typedef struct
{
  GstPad *pad;
  GAsyncQueue *queue;
  gint eos;
} Collector;

static GstFlowReturn
collector_chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  Collector *c = gst_pad_get_element_private (pad);

  g_async_queue_push (c->queue, buf);
  return GST_FLOW_OK;
}

static gboolean
collector_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  Collector *c = gst_pad_get_element_private (pad);

  if (GST_EVENT_TYPE (event) == GST_EVENT_EOS)
    g_atomic_int_inc (&c->eos);
  gst_event_unref (event);
  return TRUE;
}

static void
collector_init (Collector * c, GstPad * peer_src)
{
  c->queue = g_async_queue_new_full ((GDestroyNotify) gst_buffer_unref);
  c->eos = 0;
  c->pad = gst_pad_new ("collector", GST_PAD_SINK);
  gst_pad_set_element_private (c->pad, c);
  gst_pad_set_chain_function (c->pad, collector_chain);
  gst_pad_set_event_function (c->pad, collector_event);
  gst_pad_set_active (c->pad, TRUE);
  fail_unless_equals_int (gst_pad_link (peer_src, c->pad), GST_PAD_LINK_OK);
}

/* The next buffer, waiting up to the failure timeout; NULL if none. */
static GstBuffer *
collector_pop (Collector * c)
{
  return g_async_queue_timeout_pop (c->queue, wait_timeout_us ());
}

static gint
collector_pending (Collector * c)
{
  return g_async_queue_length (c->queue);
}

static void
collector_clear (Collector * c)
{
  GstPad *peer = gst_pad_get_peer (c->pad);

  if (peer) {
    gst_pad_unlink (peer, c->pad);
    gst_object_unref (peer);
  }
  gst_pad_set_active (c->pad, FALSE);
  gst_object_unref (c->pad);
  g_async_queue_unref (c->queue);
}

/* ------------------------------------------------------------------------
 * Wire: encoder src -> (test) -> decoder sink
 */
typedef struct
{
  guint drop_dtls;              /* DTLS datagrams still to lose */
  guint n_dtls, n_media;
  gsize max_dtls, dtls_bytes;
  guint8 last_dtls_type;
  gboolean eos;
  guint8 dtls_type_before_eos;
} WireCounters;

typedef struct
{
  GstPad *sinkpad;              /* linked to an encoder's src */
  GstPad *srcpad;               /* linked to a decoder's sink; NULL: nowhere */
  GMutex lock;                  /* all below; serialises pushes on srcpad */
  gboolean need_sticky;
  gboolean hold;                /* keep datagrams in held */
  GQueue held;
  gboolean capture;             /* keep SRTP/SRTCP in captured */
  GQueue captured;
  WireCounters c;
} Wire;

static void
start_src_pad (GstPad * pad)
{
  GstSegment seg;

  /* deactivating drops the sticky events, so they are sent again */
  gst_pad_set_active (pad, FALSE);
  gst_pad_set_active (pad, TRUE);
  gst_pad_push_event (pad, gst_event_new_stream_start (GST_PAD_NAME (pad)));
  gst_segment_init (&seg, GST_FORMAT_TIME);
  gst_pad_push_event (pad, gst_event_new_segment (&seg));
}

static GstFlowReturn
wire_forward_locked (Wire * w, GstBuffer * buf)
{
  if (!w->srcpad) {
    gst_buffer_unref (buf);
    return GST_FLOW_OK;
  }
  if (w->need_sticky) {
    start_src_pad (w->srcpad);
    w->need_sticky = FALSE;
  }
  return gst_pad_push (w->srcpad, buf);
}

static GstFlowReturn
wire_chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  Wire *w = gst_pad_get_element_private (pad);
  gsize size = gst_buffer_get_size (buf);
  guint8 b0 = 0;

  gst_buffer_extract (buf, 0, &b0, 1);
  g_mutex_lock (&w->lock);
  if (b0 >= 20 && b0 <= 63) {
    w->c.n_dtls++;
    w->c.max_dtls = MAX (w->c.max_dtls, size);
    w->c.dtls_bytes += size;
    w->c.last_dtls_type = b0;
    if (w->c.drop_dtls > 0) {
      w->c.drop_dtls--;
      gst_buffer_unref (buf);
      goto out;
    }
  } else if (b0 >= 128 && b0 <= 191) {
    w->c.n_media++;
    if (w->capture) {
      g_queue_push_tail (&w->captured, buf);
      goto out;
    }
  }
  if (w->hold)
    g_queue_push_tail (&w->held, buf);
  else
    wire_forward_locked (w, buf);
out:
  g_mutex_unlock (&w->lock);
  /* what happens on the wire is not the sender's business */
  return GST_FLOW_OK;
}

static gboolean
wire_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  Wire *w = gst_pad_get_element_private (pad);

  if (GST_EVENT_TYPE (event) == GST_EVENT_EOS) {
    g_mutex_lock (&w->lock);
    w->c.eos = TRUE;
    w->c.dtls_type_before_eos = w->c.last_dtls_type;
    g_mutex_unlock (&w->lock);
  }
  gst_event_unref (event);
  return TRUE;
}

static void
wire_init (Wire * w, GstElement * enc, GstElement * dec)
{
  GstPad *pad;

  memset (w, 0, sizeof (*w));
  g_mutex_init (&w->lock);
  g_queue_init (&w->held);
  g_queue_init (&w->captured);
  w->need_sticky = TRUE;

  w->sinkpad = gst_pad_new ("wire_sink", GST_PAD_SINK);
  gst_pad_set_element_private (w->sinkpad, w);
  gst_pad_set_chain_function (w->sinkpad, wire_chain);
  gst_pad_set_event_function (w->sinkpad, wire_event);
  gst_pad_set_active (w->sinkpad, TRUE);
  pad = gst_element_get_static_pad (enc, "src");
  fail_unless_equals_int (gst_pad_link (pad, w->sinkpad), GST_PAD_LINK_OK);
  gst_object_unref (pad);

  if (dec) {
    w->srcpad = gst_pad_new ("wire_src", GST_PAD_SRC);
    gst_pad_set_active (w->srcpad, TRUE);
    pad = gst_element_get_static_pad (dec, "sink");
    fail_unless_equals_int (gst_pad_link (w->srcpad, pad), GST_PAD_LINK_OK);
    gst_object_unref (pad);
  }
}

static void
wire_set_hold (Wire * w, gboolean hold)
{
  GstBuffer *buf;

  g_mutex_lock (&w->lock);
  w->hold = hold;
  if (!hold)
    while ((buf = g_queue_pop_head (&w->held)))
      wire_forward_locked (w, buf);
  g_mutex_unlock (&w->lock);
}

static void
wire_set_capture (Wire * w, gboolean capture)
{
  g_mutex_lock (&w->lock);
  w->capture = capture;
  g_mutex_unlock (&w->lock);
}

static GstBuffer *
wire_pop_captured (Wire * w)
{
  GstBuffer *buf;

  g_mutex_lock (&w->lock);
  buf = g_queue_pop_head (&w->captured);
  g_mutex_unlock (&w->lock);
  return buf;
}

/* Puts @buf on the wire as if the encoder had sent it. */
static GstFlowReturn
wire_inject (Wire * w, GstBuffer * buf)
{
  GstFlowReturn ret;

  g_mutex_lock (&w->lock);
  ret = wire_forward_locked (w, buf);
  g_mutex_unlock (&w->lock);
  return ret;
}

static WireCounters
wire_counters (Wire * w)
{
  WireCounters c;

  g_mutex_lock (&w->lock);
  c = w->c;
  g_mutex_unlock (&w->lock);
  return c;
}

/* The decoder restarts: send the sticky events again. */
static void
wire_reset (Wire * w)
{
  g_mutex_lock (&w->lock);
  w->need_sticky = TRUE;
  w->c.eos = FALSE;
  g_mutex_unlock (&w->lock);
}

static void
wire_clear (Wire * w)
{
  GstPad *peer;

  peer = gst_pad_get_peer (w->sinkpad);
  if (peer) {
    gst_pad_unlink (peer, w->sinkpad);
    gst_object_unref (peer);
  }
  gst_pad_set_active (w->sinkpad, FALSE);
  gst_object_unref (w->sinkpad);
  if (w->srcpad) {
    peer = gst_pad_get_peer (w->srcpad);
    if (peer) {
      gst_pad_unlink (w->srcpad, peer);
      gst_object_unref (peer);
    }
    gst_pad_set_active (w->srcpad, FALSE);
    gst_object_unref (w->srcpad);
  }
  g_queue_clear_full (&w->held, (GDestroyNotify) gst_buffer_unref);
  g_queue_clear_full (&w->captured, (GDestroyNotify) gst_buffer_unref);
  g_mutex_clear (&w->lock);
}

/* ------------------------------------------------------------------------
 * Side: an encoder and a decoder sharing a connection-id, in a pipeline
 */
typedef struct
{
  gint *fku;
  gint *all_headers;
} FkuCounter;

typedef struct
{
  GstElement *pipeline, *enc, *dec;
  GstBus *bus;
  GstPad *rtp_in[2], *rtcp_in, *data_in;        /* ours, to the encoder */
  GstPad *enc_pads[4];          /* the encoder's request pads */
  GstPad *data_src;             /* the decoder's request pad */
  Collector rtp_out, rtcp_out, data_out;
  gint keys_set;                /* on-key-set emissions */
  gint fku[2];                  /* force-key-unit events per rtp_in */
  gint fku_all_headers;         /* how many of those asked for headers */
  FkuCounter fku_counter[2];
} Side;

static guint connection_counter;

static void
on_key_set (GstElement * enc, gint * counter)
{
  g_atomic_int_inc (counter);
}

static gboolean
input_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  FkuCounter *c = gst_pad_get_element_private (pad);

  if (c && gst_video_event_is_force_key_unit (event)) {
    gboolean all_headers = FALSE;

    /* only counted here; checked on the test's thread */
    if (GST_EVENT_TYPE (event) == GST_EVENT_CUSTOM_UPSTREAM
        && gst_video_event_parse_upstream_force_key_unit (event, NULL,
            &all_headers, NULL) && all_headers)
      g_atomic_int_inc (c->all_headers);
    g_atomic_int_inc (c->fku);
  }
  gst_event_unref (event);
  return TRUE;
}

static GstPad *
input_pad_new (const gchar * name, GstPad * enc_pad, FkuCounter * c)
{
  GstPad *pad = gst_pad_new (name, GST_PAD_SRC);

  fail_unless (enc_pad != NULL);
  gst_pad_set_element_private (pad, c);
  gst_pad_set_event_function (pad, input_event);
  fail_unless_equals_int (gst_pad_link (pad, enc_pad), GST_PAD_LINK_OK);
  return pad;
}

static void
side_init (Side * s, const gchar * name, gboolean is_client)
{
  gchar *id = g_strdup_printf ("%s-%u", name, connection_counter++);
  GstPad *pad;
  guint i;

  memset (s, 0, sizeof (*s));
  s->pipeline = gst_pipeline_new (name);
  s->enc = gst_element_factory_make ("dtlssrtpenc", NULL);
  s->dec = gst_element_factory_make ("dtlssrtpdec", NULL);
  fail_unless (s->enc != NULL && s->dec != NULL);
  g_object_set (s->enc, "connection-id", id, "is-client", is_client, NULL);
  g_object_set (s->dec, "connection-id", id, NULL);
  g_free (id);
  gst_bin_add_many (GST_BIN (s->pipeline), s->enc, s->dec, NULL);
  s->bus = gst_pipeline_get_bus (GST_PIPELINE (s->pipeline));
  g_signal_connect (s->enc, "on-key-set", G_CALLBACK (on_key_set),
      &s->keys_set);

  for (i = 0; i < 2; i++) {
    FkuCounter *c = &s->fku_counter[i];

    c->fku = &s->fku[i];
    c->all_headers = &s->fku_all_headers;
    s->enc_pads[i] = gst_element_request_pad_simple (s->enc, "rtp_sink_%d");
    s->rtp_in[i] = input_pad_new ("rtp_in", s->enc_pads[i], c);
  }
  s->enc_pads[2] = gst_element_request_pad_simple (s->enc, "rtcp_sink_%d");
  s->rtcp_in = input_pad_new ("rtcp_in", s->enc_pads[2], NULL);
  s->enc_pads[3] = gst_element_request_pad_simple (s->enc, "data_sink");
  s->data_in = input_pad_new ("data_in", s->enc_pads[3], NULL);

  pad = gst_element_get_static_pad (s->dec, "rtp_src");
  collector_init (&s->rtp_out, pad);
  gst_object_unref (pad);
  pad = gst_element_get_static_pad (s->dec, "rtcp_src");
  collector_init (&s->rtcp_out, pad);
  gst_object_unref (pad);
  s->data_src = gst_element_request_pad_simple (s->dec, "data_src");
  fail_unless (s->data_src != NULL);
  collector_init (&s->data_out, s->data_src);
}

static void
side_start (Side * s)
{
  fail_unless_equals_int (gst_element_set_state (s->pipeline,
          GST_STATE_PLAYING), GST_STATE_CHANGE_SUCCESS);
  start_src_pad (s->rtp_in[0]);
  start_src_pad (s->rtp_in[1]);
  start_src_pad (s->rtcp_in);
  start_src_pad (s->data_in);
}

static void
side_stop (Side * s)
{
  fail_unless_equals_int (gst_element_set_state (s->pipeline,
          GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
}

static void
unlink_and_unref (GstPad * src)
{
  GstPad *peer = gst_pad_get_peer (src);

  if (peer) {
    gst_pad_unlink (src, peer);
    gst_object_unref (peer);
  }
  gst_pad_set_active (src, FALSE);
  gst_object_unref (src);
}

static void
side_clear (Side * s)
{
  guint i;

  side_stop (s);
  unlink_and_unref (s->rtp_in[0]);
  unlink_and_unref (s->rtp_in[1]);
  unlink_and_unref (s->rtcp_in);
  unlink_and_unref (s->data_in);
  for (i = 0; i < G_N_ELEMENTS (s->enc_pads); i++) {
    gst_element_release_request_pad (s->enc, s->enc_pads[i]);
    gst_object_unref (s->enc_pads[i]);
  }
  collector_clear (&s->rtp_out);
  collector_clear (&s->rtcp_out);
  collector_clear (&s->data_out);
  gst_element_release_request_pad (s->dec, s->data_src);
  gst_object_unref (s->data_src);
  gst_object_unref (s->bus);
  gst_object_unref (s->pipeline);
}

/* Pops bus messages up to the first error, which it returns; *state_msg
 * (if given) gets the "error" field of the last dtls-connection-state
 * message with state @state seen before it. */
static GstMessage *
side_wait_error (Side * s, const gchar * state, gchar ** state_msg)
{
  GstMessage *msg;
  const GstStructure *st;

  for (;;) {
    msg = gst_bus_timed_pop_filtered (s->bus,
        wait_timeout_us () * GST_USECOND,
        GST_MESSAGE_ERROR | GST_MESSAGE_ELEMENT);
    fail_unless (msg != NULL, "no error message on the bus");
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
      return msg;
    st = gst_message_get_structure (msg);
    if (state_msg && gst_structure_has_name (st, "dtls-connection-state")
        && !g_strcmp0 (gst_structure_get_string (st, "state"), state)) {
      g_free (*state_msg);
      *state_msg = g_strdup (gst_structure_get_string (st, "error"));
    }
    gst_message_unref (msg);
  }
}

/* Waits for a dtls-connection-state message with state @state. */
static void
side_wait_state_message (Side * s, const gchar * state)
{
  GstMessage *msg;
  const GstStructure *st;
  gboolean found = FALSE;

  while (!found) {
    msg = gst_bus_timed_pop_filtered (s->bus,
        wait_timeout_us () * GST_USECOND, GST_MESSAGE_ELEMENT);
    fail_unless (msg != NULL, "no dtls-connection-state %s message", state);
    st = gst_message_get_structure (msg);
    found = gst_structure_has_name (st, "dtls-connection-state")
        && !g_strcmp0 (gst_structure_get_string (st, "state"), state);
    gst_message_unref (msg);
  }
}

/* Sends @n RTP packets from @from and checks each arrives on @to's
 * rtp_src byte for byte. */
static void
check_rtp_flow (Side * from, Side * to, guint16 seq0, guint n, guint32 ssrc)
{
  guint i;

  for (i = 0; i < n; i++) {
    GstBuffer *in = make_rtp (seq0 + i, 3000 * i, ssrc, 20 + (i * 37) % 1100,
        i);
    GstBuffer *out;

    fail_unless_equals_int (gst_pad_push (from->rtp_in[i % 2],
            gst_buffer_ref (in)), GST_FLOW_OK);
    out = collector_pop (&to->rtp_out);
    fail_unless (out != NULL, "RTP packet %u (seq %u) did not arrive", i,
        (guint16) (seq0 + i));
    assert_same_bytes (out, in);
    gst_buffer_unref (out);
    gst_buffer_unref (in);
  }
}

static void
check_rtcp_flow (Side * from, Side * to, guint32 ssrc)
{
  GstBuffer *in = make_rtcp_sr (ssrc, 10, 1000), *out;

  fail_unless_equals_int (gst_pad_push (from->rtcp_in, gst_buffer_ref (in)),
      GST_FLOW_OK);
  out = collector_pop (&to->rtcp_out);
  fail_unless (out != NULL, "the RTCP SR did not arrive");
  assert_same_bytes (out, in);
  gst_buffer_unref (out);
  gst_buffer_unref (in);
}

static void
check_data_flow (Side * from, Side * to, const gchar * text)
{
  GstBuffer *in = make_bytes ((const guint8 *) text, strlen (text)), *out;

  fail_unless_equals_int (gst_pad_push (from->data_in, gst_buffer_ref (in)),
      GST_FLOW_OK);
  out = collector_pop (&to->data_out);
  fail_unless (out != NULL, "application data did not arrive");
  assert_same_bytes (out, in);
  gst_buffer_unref (out);
  gst_buffer_unref (in);
}

/* ------------------------------------------------------------------------
 * Link: A (DTLS client) and B (DTLS server) wired both ways
 */
typedef struct
{
  Side a, b;
  Wire ab, ba;
} Link;

static void
link_init (Link * l, const gchar * srtp_profiles)
{
  side_init (&l->a, "a", TRUE);
  side_init (&l->b, "b", FALSE);
  if (srtp_profiles) {
    g_object_set (l->a.dec, "srtp-profiles", srtp_profiles, NULL);
    g_object_set (l->b.dec, "srtp-profiles", srtp_profiles, NULL);
  }
  wire_init (&l->ab, l->a.enc, l->b.dec);
  wire_init (&l->ba, l->b.enc, l->a.dec);
}

static void
link_start (Link * l)
{
  /* the server first, so the client's first flight finds it */
  side_start (&l->b);
  side_start (&l->a);
}

/* Waits for the @n-th key setting on both sides. */
static void
link_wait_connected (Link * l, gint n)
{
  WAIT_UNTIL (g_atomic_int_get (&l->a.keys_set) >= n
      && g_atomic_int_get (&l->b.keys_set) >= n);
  fail_unless_equals_int (g_atomic_int_get (&l->a.keys_set), n);
  fail_unless_equals_int (g_atomic_int_get (&l->b.keys_set), n);
  fail_unless_equals_int (get_state (l->a.enc), STATE_CONNECTED);
  fail_unless_equals_int (get_state (l->a.dec), STATE_CONNECTED);
  fail_unless_equals_int (get_state (l->b.enc), STATE_CONNECTED);
  fail_unless_equals_int (get_state (l->b.dec), STATE_CONNECTED);
}

static void
link_stop (Link * l)
{
  side_stop (&l->a);
  side_stop (&l->b);
  wire_reset (&l->ab);
  wire_reset (&l->ba);
}

static void
link_clear (Link * l)
{
  side_stop (&l->a);
  side_stop (&l->b);
  wire_clear (&l->ab);
  wire_clear (&l->ba);
  side_clear (&l->a);
  side_clear (&l->b);
}

static const gchar *srtp_profiles[] = {
  "SRTP_AEAD_AES_128_GCM",
  "SRTP_AES128_CM_SHA1_80",
  "SRTP_AES128_CM_SHA1_32",
};

/* ------------------------------------------------------------------------
 * Per element: pads, properties, certificates
 */

static void
check_template (GstElementClass * klass, const gchar * name,
    GstPadDirection dir, GstPadPresence presence, const gchar * caps)
{
  GstPadTemplate *t = gst_element_class_get_pad_template (klass, name);
  GstCaps *expected, *tcaps;

  fail_unless (t != NULL, "no pad template %s", name);
  fail_unless_equals_int (GST_PAD_TEMPLATE_DIRECTION (t), dir);
  fail_unless_equals_int (GST_PAD_TEMPLATE_PRESENCE (t), presence);
  expected = gst_caps_from_string (caps);
  tcaps = gst_pad_template_get_caps (t);
  fail_unless (gst_caps_is_equal (tcaps, expected),
      "template %s has caps %" GST_PTR_FORMAT, name, tcaps);
  gst_caps_unref (tcaps);
  gst_caps_unref (expected);
}

GST_START_TEST (test_enc_pads)
{
  GstElement *enc = gst_element_factory_make ("dtlssrtpenc", NULL);
  GstElementClass *klass;
  GstPad *src, *r0, *r1, *r5, *c0, *d;

  fail_unless (enc != NULL);
  klass = GST_ELEMENT_GET_CLASS (enc);
  fail_unless_equals_int (g_list_length
      (gst_element_class_get_pad_template_list (klass)), 4);
  check_template (klass, "rtp_sink_%d", GST_PAD_SINK, GST_PAD_REQUEST,
      "application/x-rtp;application/x-rtcp");
  check_template (klass, "rtcp_sink_%d", GST_PAD_SINK, GST_PAD_REQUEST,
      "application/x-rtp;application/x-rtcp");
  check_template (klass, "data_sink", GST_PAD_SINK, GST_PAD_REQUEST, "ANY");
  check_template (klass, "src", GST_PAD_SRC, GST_PAD_ALWAYS, "ANY");

  src = gst_element_get_static_pad (enc, "src");
  fail_unless (src != NULL);
  fail_unless_equals_int (enc->numsinkpads, 0);

  r0 = gst_element_request_pad_simple (enc, "rtp_sink_%d");
  r1 = gst_element_request_pad_simple (enc, "rtp_sink_%d");
  r5 = gst_element_request_pad_simple (enc, "rtp_sink_5");
  c0 = gst_element_request_pad_simple (enc, "rtcp_sink_%d");
  d = gst_element_request_pad_simple (enc, "data_sink");
  fail_unless (r0 && r1 && r5 && c0 && d);
  fail_unless_equals_string (GST_PAD_NAME (r0), "rtp_sink_0");
  fail_unless_equals_string (GST_PAD_NAME (r1), "rtp_sink_1");
  fail_unless_equals_string (GST_PAD_NAME (r5), "rtp_sink_5");
  fail_unless_equals_string (GST_PAD_NAME (c0), "rtcp_sink_0");
  fail_unless_equals_string (GST_PAD_NAME (d), "data_sink");
  fail_unless_equals_int (enc->numsinkpads, 5);

  gst_element_release_request_pad (enc, r1);
  fail_unless_equals_int (enc->numsinkpads, 4);
  fail_unless (gst_element_get_static_pad (enc, "rtp_sink_1") == NULL);

  gst_object_unref (r0);
  gst_object_unref (r1);
  gst_object_unref (r5);
  gst_object_unref (c0);
  gst_object_unref (d);
  gst_object_unref (src);
  gst_object_unref (enc);
}

GST_END_TEST;

/* A pad requested by name does not make later automatic requests fail:
 * they get the next free name. */
GST_START_TEST (test_enc_pad_names_after_explicit)
{
  GstElement *enc = gst_element_factory_make ("dtlssrtpenc", NULL);
  GstPad *r0, *r, *c0, *c;

  r0 = gst_element_request_pad_simple (enc, "rtp_sink_0");
  c0 = gst_element_request_pad_simple (enc, "rtcp_sink_0");
  fail_unless (r0 && c0);
  r = gst_element_request_pad_simple (enc, "rtp_sink_%d");
  c = gst_element_request_pad_simple (enc, "rtcp_sink_%d");
  fail_unless (r != NULL, "rtp_sink_%%d refused after rtp_sink_0");
  fail_unless (c != NULL, "rtcp_sink_%%d refused after rtcp_sink_0");
  fail_if (g_str_equal (GST_PAD_NAME (r), "rtp_sink_0"));
  fail_if (g_str_equal (GST_PAD_NAME (c), "rtcp_sink_0"));
  fail_unless_equals_int (enc->numsinkpads, 4);
  gst_object_unref (r0);
  gst_object_unref (r);
  gst_object_unref (c0);
  gst_object_unref (c);
  gst_object_unref (enc);
}

GST_END_TEST;

GST_START_TEST (test_dec_pads)
{
  GstElement *dec = gst_element_factory_make ("dtlssrtpdec", NULL);
  GstElementClass *klass;
  GstPad *p, *d, *d2;

  fail_unless (dec != NULL);
  klass = GST_ELEMENT_GET_CLASS (dec);
  fail_unless_equals_int (g_list_length
      (gst_element_class_get_pad_template_list (klass)), 4);
  check_template (klass, "sink", GST_PAD_SINK, GST_PAD_ALWAYS, "ANY");
  check_template (klass, "rtp_src", GST_PAD_SRC, GST_PAD_ALWAYS,
      "application/x-rtp");
  check_template (klass, "rtcp_src", GST_PAD_SRC, GST_PAD_ALWAYS,
      "application/x-rtcp");
  check_template (klass, "data_src", GST_PAD_SRC, GST_PAD_REQUEST, "ANY");

  fail_unless_equals_int (dec->numsinkpads, 1);
  fail_unless_equals_int (dec->numsrcpads, 2);
  p = gst_element_get_static_pad (dec, "sink");
  fail_unless (p != NULL);
  gst_object_unref (p);
  p = gst_element_get_static_pad (dec, "rtp_src");
  fail_unless (p != NULL);
  gst_object_unref (p);
  p = gst_element_get_static_pad (dec, "rtcp_src");
  fail_unless (p != NULL);
  gst_object_unref (p);
  fail_unless (gst_element_get_static_pad (dec, "data_src") == NULL);

  d = gst_element_request_pad_simple (dec, "data_src");
  fail_unless (d != NULL);
  fail_unless_equals_string (GST_PAD_NAME (d), "data_src");
  fail_unless_equals_int (dec->numsrcpads, 3);
  gst_element_release_request_pad (dec, d);
  fail_unless_equals_int (dec->numsrcpads, 2);
  /* released, it can be requested again */
  d2 = gst_element_request_pad_simple (dec, "data_src");
  fail_unless (d2 != NULL);
  fail_unless_equals_int (dec->numsrcpads, 3);

  gst_object_unref (d);
  gst_object_unref (d2);
  gst_object_unref (dec);
}

GST_END_TEST;

static void
check_pspec (GstElement * e, const gchar * name, GType type, GParamFlags flags)
{
  GParamSpec *p = g_object_class_find_property (G_OBJECT_GET_CLASS (e), name);

  fail_unless (p != NULL, "no property %s", name);
  fail_unless (G_PARAM_SPEC_VALUE_TYPE (p) == type
      || g_type_is_a (G_PARAM_SPEC_VALUE_TYPE (p), type),
      "property %s has type %s", name,
      g_type_name (G_PARAM_SPEC_VALUE_TYPE (p)));
  fail_unless_equals_int (p->flags & (G_PARAM_READABLE | G_PARAM_WRITABLE),
      flags);
}

GST_START_TEST (test_enc_properties)
{
  GstElement *enc = gst_element_factory_make ("dtlssrtpenc", NULL);
  GParamSpec *p;
  GEnumClass *ec;
  gchar *id = NULL;
  gboolean is_client = TRUE, rtp_sync = TRUE;
  GstStructure *stats = NULL;

  check_pspec (enc, "connection-id", G_TYPE_STRING, G_PARAM_READWRITE);
  check_pspec (enc, "is-client", G_TYPE_BOOLEAN, G_PARAM_READWRITE);
  check_pspec (enc, "connection-state", G_TYPE_ENUM, G_PARAM_READABLE);
  check_pspec (enc, "rtp-sync", G_TYPE_BOOLEAN, G_PARAM_READWRITE);
  check_pspec (enc, "stats", GST_TYPE_STRUCTURE, G_PARAM_READABLE);
  fail_unless (g_signal_lookup ("on-key-set", G_OBJECT_TYPE (enc)) != 0);

  g_object_get (enc, "connection-id", &id, "is-client", &is_client,
      "rtp-sync", &rtp_sync, "stats", &stats, NULL);
  fail_unless (id == NULL);
  fail_unless (!is_client);
  fail_unless (!rtp_sync);
  fail_unless (stats == NULL, "stats before READY");
  fail_unless_equals_int (get_state (enc), STATE_NEW);

  /* upstream's enum values and nicks */
  p = g_object_class_find_property (G_OBJECT_GET_CLASS (enc),
      "connection-state");
  ec = g_type_class_ref (G_PARAM_SPEC_VALUE_TYPE (p));
  fail_unless_equals_string (g_enum_get_value (ec, 0)->value_nick, "new");
  fail_unless_equals_string (g_enum_get_value (ec, 1)->value_nick, "closed");
  fail_unless_equals_string (g_enum_get_value (ec, 2)->value_nick, "failed");
  fail_unless_equals_string (g_enum_get_value (ec, 3)->value_nick,
      "connecting");
  fail_unless_equals_string (g_enum_get_value (ec, 4)->value_nick, "connected");
  fail_unless_equals_int (G_PARAM_SPEC_ENUM (p)->default_value, STATE_NEW);
  g_type_class_unref (ec);

  g_object_set (enc, "connection-id", "x", "is-client", TRUE, "rtp-sync",
      TRUE, NULL);
  g_object_get (enc, "connection-id", &id, "is-client", &is_client,
      "rtp-sync", &rtp_sync, NULL);
  fail_unless_equals_string (id, "x");
  fail_unless (is_client);
  fail_unless (rtp_sync);
  g_free (id);

  gst_object_unref (enc);
}

GST_END_TEST;

GST_START_TEST (test_dec_properties)
{
  GstElement *dec = gst_element_factory_make ("dtlssrtpdec", NULL);
  GstElement *dec2 = gst_element_factory_make ("dtlssrtpdec", NULL);
  gchar *id = NULL, *pem = NULL, *peer_pem = NULL, *fp = NULL, *fp2 = NULL;
  gchar *peer_fp = NULL, *profiles = NULL, *cert_fp;
  guint timeout = 0;
  GstStructure *stats = NULL;
  guint i;

  check_pspec (dec, "connection-id", G_TYPE_STRING, G_PARAM_READWRITE);
  check_pspec (dec, "pem", G_TYPE_STRING, G_PARAM_READWRITE);
  check_pspec (dec, "peer-pem", G_TYPE_STRING, G_PARAM_READABLE);
  check_pspec (dec, "fingerprint", G_TYPE_STRING, G_PARAM_READABLE);
  check_pspec (dec, "peer-fingerprint", G_TYPE_STRING, G_PARAM_READWRITE);
  check_pspec (dec, "connection-state", G_TYPE_ENUM, G_PARAM_READABLE);
  check_pspec (dec, "handshake-timeout", G_TYPE_UINT, G_PARAM_READWRITE);
  check_pspec (dec, "srtp-profiles", G_TYPE_STRING, G_PARAM_READWRITE);
  check_pspec (dec, "stats", GST_TYPE_STRUCTURE, G_PARAM_READABLE);

  g_object_get (dec, "connection-id", &id, "pem", &pem, "peer-pem",
      &peer_pem, "fingerprint", &fp, "peer-fingerprint", &peer_fp,
      "handshake-timeout", &timeout, "srtp-profiles", &profiles, "stats",
      &stats, NULL);
  fail_unless (id == NULL);
  fail_unless (peer_pem == NULL);
  fail_unless (peer_fp == NULL);
  fail_unless (stats == NULL, "stats before READY");
  fail_unless_equals_int (timeout, 20000);
  fail_unless_equals_string (profiles, DEFAULT_SRTP_PROFILES);
  fail_unless_equals_int (get_state (dec), STATE_NEW);

  /* the generated certificate: pem gives the certificate, never the key,
   * and the fingerprint is that certificate's, in the SDP form */
  fail_unless (pem != NULL);
  fail_unless (strstr (pem, "-----BEGIN CERTIFICATE-----") != NULL);
  fail_unless (strstr (pem, "PRIVATE KEY") == NULL);
  fail_unless (is_sdp_fingerprint (fp), "bad fingerprint '%s'", fp);
  cert_fp = pem_fingerprint (pem);
  fail_unless_equals_string (fp, cert_fp);
  /* one generated certificate per process */
  g_object_get (dec2, "fingerprint", &fp2, NULL);
  fail_unless_equals_string (fp2, fp);

  /* stats exist from READY, every counter at 0 */
  fail_unless_equals_int (gst_element_set_state (dec, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  stats = get_stats (dec);
  for (i = 0; stats_counters[i]; i++) {
    guint64 v = 1;

    fail_unless (gst_structure_get_uint64 (stats, stats_counters[i], &v),
        "no counter %s", stats_counters[i]);
    fail_unless_equals_uint64 (v, 0);
  }
  fail_unless_equals_string (gst_structure_get_string (stats, "dtls-state"),
      "new");
  fail_unless_equals_string (gst_structure_get_string (stats,
          "srtp-profile"), "none");
  gst_structure_free (stats);
  fail_unless_equals_int (gst_element_set_state (dec, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);

  g_free (pem);
  g_free (fp);
  g_free (fp2);
  g_free (cert_fp);
  g_free (profiles);
  gst_object_unref (dec);
  gst_object_unref (dec2);
}

GST_END_TEST;

GST_START_TEST (test_dec_peer_fingerprint_normalized)
{
  GstElement *dec = gst_element_factory_make ("dtlssrtpdec", NULL);
  gchar *fp = NULL;

  /* any case, as SDP allows; stored in the form the fingerprint has */
  g_object_set (dec, "peer-fingerprint",
      "SHA-256 2d:14:e7:a9:0f:6e:4e:3a:b3:a4:23:0f:cb:5d:af:cb:"
      "0e:47:d6:c8:a5:47:52:06:e6:9f:e8:c9:b3:e8:fb:81", NULL);
  g_object_get (dec, "peer-fingerprint", &fp, NULL);
  fail_unless_equals_string (fp, "sha-256 2D:14:E7:A9:0F:6E:4E:3A:B3:A4:23:"
      "0F:CB:5D:AF:CB:0E:47:D6:C8:A5:47:52:06:E6:9F:E8:C9:B3:E8:FB:81");
  g_free (fp);

  g_object_set (dec, "peer-fingerprint", NULL, NULL);
  g_object_get (dec, "peer-fingerprint", &fp, NULL);
  fail_unless (fp == NULL);
  gst_object_unref (dec);
}

GST_END_TEST;

GST_START_TEST (test_dec_pem_round_trip)
{
  GstElement *dec = gst_element_factory_make ("dtlssrtpdec", NULL);
  gchar *rsa = read_rsa4096_pem (), *ec = make_ec_pem (FALSE);
  gchar *default_fp = NULL, *fp = NULL, *pem = NULL, *want, *a, *b;

  g_object_get (dec, "fingerprint", &default_fp, NULL);

  /* an RSA-4096 certificate */
  g_object_set (dec, "pem", rsa, NULL);
  g_object_get (dec, "fingerprint", &fp, "pem", &pem, NULL);
  want = pem_fingerprint (rsa);
  fail_unless_equals_string (fp, want);
  fail_if (g_str_equal (fp, default_fp));
  fail_unless (strstr (pem, "PRIVATE KEY") == NULL, "pem shows the key");
  a = strip_ws (pem);
  g_free (want);
  want = pem_block (rsa, "CERTIFICATE");
  b = strip_ws (want);
  fail_unless_equals_string (a, b);
  g_free (a);
  g_free (b);
  g_free (want);
  g_free (fp);
  g_free (pem);

  /* an ECDSA certificate made here */
  g_object_set (dec, "pem", ec, NULL);
  g_object_get (dec, "fingerprint", &fp, NULL);
  want = pem_fingerprint (ec);
  fail_unless_equals_string (fp, want);
  g_free (want);
  g_free (fp);

  /* it is used: READY works */
  fail_unless_equals_int (gst_element_set_state (dec, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (gst_element_set_state (dec, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);

  /* unset: back to the generated one */
  g_object_set (dec, "pem", NULL, NULL);
  g_object_get (dec, "fingerprint", &fp, NULL);
  fail_unless_equals_string (fp, default_fp);
  g_free (fp);

  g_free (default_fp);
  g_free (rsa);
  g_free (ec);
  gst_object_unref (dec);
}

GST_END_TEST;

/* NULL -> READY fails, with an error message on the bus that has
 * @substring in it. */
static void
check_ready_fails (GstElement * dec, const gchar * substring)
{
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GError *err = NULL;

  gst_element_set_bus (dec, bus);
  fail_unless_equals_int (gst_element_set_state (dec, GST_STATE_READY),
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no error message");
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (err->domain == GST_RESOURCE_ERROR);
  fail_unless_equals_int (err->code, GST_RESOURCE_ERROR_SETTINGS);
  fail_unless (strstr (err->message, substring) != NULL,
      "'%s' not in the error '%s'", substring, err->message);
  g_error_free (err);
  gst_message_unref (msg);
  fail_unless_equals_int (gst_element_set_state (dec, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_element_set_bus (dec, NULL);
  gst_object_unref (bus);
}

GST_START_TEST (test_dec_bad_pem)
{
  GstElement *dec = gst_element_factory_make ("dtlssrtpdec", NULL);
  gchar *rsa = read_rsa4096_pem (), *ec_key = make_ec_pem (TRUE);
  gchar *cert_only = pem_block (rsa, "CERTIFICATE");
  gchar *mismatch = g_strconcat (cert_only, "\n", ec_key, NULL);

  g_object_set (dec, "pem", "this is not a PEM", NULL);
  check_ready_fails (dec, "invalid pem");
  g_object_set (dec, "pem", cert_only, NULL);
  check_ready_fails (dec, "no private key");
  g_object_set (dec, "pem", mismatch, NULL);
  check_ready_fails (dec, "does not belong");
  g_object_set (dec, "pem", ec_key, NULL);
  check_ready_fails (dec, "no X.509 certificate");

  /* a good one after a bad one works */
  g_object_set (dec, "pem", rsa, NULL);
  fail_unless_equals_int (gst_element_set_state (dec, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (gst_element_set_state (dec, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);

  g_free (rsa);
  g_free (ec_key);
  g_free (cert_only);
  g_free (mismatch);
  gst_object_unref (dec);
}

GST_END_TEST;

GST_START_TEST (test_dec_bad_settings)
{
  GstElement *dec = gst_element_factory_make ("dtlssrtpdec", NULL);

  g_object_set (dec, "peer-fingerprint", "md5 zz:top", NULL);
  check_ready_fails (dec, "invalid peer-fingerprint");
  g_object_set (dec, "peer-fingerprint", NULL, NULL);

  g_object_set (dec, "srtp-profiles", "SRTP_BOGUS_PROFILE", NULL);
  check_ready_fails (dec, "invalid srtp-profiles");
  g_object_set (dec, "srtp-profiles", "SRTP_AES128_CM_SHA1_80", NULL);

  fail_unless_equals_int (gst_element_set_state (dec, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (gst_element_set_state (dec, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (dec);
}

GST_END_TEST;

/* A bad pem stays an error when another, valid, setting follows it. */
GST_START_TEST (test_dec_bad_pem_not_forgotten)
{
  GstElement *dec = gst_element_factory_make ("dtlssrtpdec", NULL);

  g_object_set (dec, "pem", "this is not a PEM", NULL);
  g_object_set (dec, "srtp-profiles", "SRTP_AES128_CM_SHA1_80", NULL);
  g_object_set (dec, "peer-fingerprint", NULL, NULL);
  check_ready_fails (dec, "invalid pem");
  gst_object_unref (dec);
}

GST_END_TEST;

/* ------------------------------------------------------------------------
 * One element in a GstHarness
 */

GST_START_TEST (test_enc_harness_drops_before_keys)
{
  GstHarness *h = gst_harness_new_with_padnames ("dtlssrtpenc", "rtp_sink_0",
      "src");
  static const guint8 stun_like[] = { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12 };
  static const guint8 one[] = { 0x80 };
  guint i;

  gst_harness_set_src_caps_str (h, "application/x-rtp");
  for (i = 0; i < 3; i++)
    fail_unless_equals_int (gst_harness_push (h, make_rtp (i, 0, 0x1234, 100,
                i)), GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_push (h, make_rtcp_sr (0x1234, 3, 300)),
      GST_FLOW_OK);
  /* not RTP at all */
  fail_unless_equals_int (gst_harness_push (h, make_bytes (stun_like,
              sizeof (stun_like))), GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_push (h, make_bytes (one, 1)),
      GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_push (h, gst_buffer_new ()), GST_FLOW_OK);

  /* no keys without a decoder: nothing leaves, everything is counted */
  fail_unless_equals_int (gst_harness_buffers_received (h), 0);
  fail_unless_equals_uint64 (get_stat (h->element, "dropped-before-keys-out"),
      4);
  fail_unless_equals_uint64 (get_stat (h->element, "protect-failed"), 3);
  fail_unless_equals_uint64 (get_stat (h->element, "packets-protected"), 0);
  fail_unless_equals_int (get_state (h->element), STATE_NEW);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* rtp_sink answers ALLOCATION itself: downstream's metas and allocator,
 * with the padding raised so that buffers allocated with those parameters
 * leave room for the SRTP trailer (index and longest tag: 20 bytes) and
 * are protected in place. */
GST_START_TEST (test_enc_allocation_query_padding)
{
  GstHarness *h = gst_harness_new_with_padnames ("dtlssrtpenc", "rtp_sink_0",
      "src");
  GstAllocationParams params, got;
  GstAllocator *sysmem = gst_allocator_find (NULL), *allocator = NULL;
  GstCaps *caps = gst_caps_from_string ("application/x-rtp");
  GstQuery *q;
  guint idx;

  gst_harness_set_src_caps (h, gst_caps_ref (caps));
  gst_allocation_params_init (&params);
  params.align = 15;
  params.padding = 4;
  gst_harness_set_propose_allocator (h, gst_object_ref (sysmem), &params);
  gst_harness_add_propose_allocation_meta (h,
      GST_REFERENCE_TIMESTAMP_META_API_TYPE, NULL);

  q = gst_query_new_allocation (caps, TRUE);
  fail_unless (gst_pad_peer_query (h->srcpad, q));
  fail_unless (gst_query_find_allocation_meta (q,
          GST_REFERENCE_TIMESTAMP_META_API_TYPE, &idx));
  fail_unless_equals_int (gst_query_get_n_allocation_pools (q), 0);
  fail_unless_equals_int (gst_query_get_n_allocation_params (q), 1);
  gst_query_parse_nth_allocation_param (q, 0, &allocator, &got);
  fail_unless (allocator == sysmem);
  fail_unless_equals_uint64 (got.align, 15);
  fail_unless (got.padding >= 20);
  gst_object_unref (allocator);
  gst_query_unref (q);

  /* nothing proposed downstream: parameters of our own */
  gst_harness_set_propose_allocator (h, NULL, NULL);
  q = gst_query_new_allocation (caps, TRUE);
  fail_unless (gst_pad_peer_query (h->srcpad, q));
  fail_unless_equals_int (gst_query_get_n_allocation_params (q), 1);
  gst_query_parse_nth_allocation_param (q, 0, &allocator, &got);
  fail_unless (got.padding >= 20);
  if (allocator)
    gst_object_unref (allocator);
  gst_query_unref (q);

  gst_caps_unref (caps);
  gst_object_unref (sysmem);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_dec_harness_before_keys)
{
  GstHarness *h = gst_harness_new_with_padnames ("dtlssrtpdec", "sink",
      "rtp_src");
  static const guint8 garbage[] = { 0xf0, 0x01, 0x02, 0x03, 0x04, 0x05 };
  static const guint8 dtls_like[] = { 0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0
  };

  gst_harness_set_src_caps_str (h, "application/x-srtp");
  fail_unless_equals_int (gst_harness_push (h, make_rtp (1, 0, 0x1234, 100,
              0)), GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_push (h, make_rtcp_sr (0x1234, 3, 300)),
      GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_push (h, make_stun ()), GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_push (h, make_bytes (garbage,
              sizeof (garbage))), GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_push (h, make_bytes (dtls_like,
              sizeof (dtls_like))), GST_FLOW_OK);

  fail_unless_equals_int (gst_harness_buffers_received (h), 0);
  fail_unless_equals_uint64 (get_stat (h->element, "dropped-before-keys-in"),
      2);
  fail_unless_equals_uint64 (get_stat (h->element, "stun-packets"), 1);
  fail_unless_equals_uint64 (get_stat (h->element, "unknown-packets"), 1);
  fail_unless_equals_uint64 (get_stat (h->element, "dtls-packets"), 1);
  fail_unless_equals_uint64 (get_stat (h->element, "packets-unprotected"), 0);
  /* no encoder with this connection-id: DTLS never started */
  fail_unless_equals_int (get_state (h->element), STATE_NEW);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ------------------------------------------------------------------------
 * In process: enc <-> dec handshakes
 */

GST_START_TEST (test_handshake)
{
  const gchar *profile = srtp_profiles[__i__];
  gchar *ec = make_ec_pem (FALSE);
  gchar *fp_a = NULL, *fp_b = NULL, *peer_pem = NULL, *pem_b = NULL, *s;
  Link l;
  guint i;

  link_init (&l, profile);
  /* distinct certificates, each side pinning the other's */
  g_object_set (l.b.dec, "pem", ec, NULL);
  g_object_get (l.a.dec, "fingerprint", &fp_a, NULL);
  g_object_get (l.b.dec, "fingerprint", &fp_b, "pem", &pem_b, NULL);
  fail_if (g_str_equal (fp_a, fp_b));
  g_object_set (l.a.dec, "peer-fingerprint", fp_b, NULL);
  g_object_set (l.b.dec, "peer-fingerprint", fp_a, NULL);

  /* hold the client's first flight until RTP was tried */
  wire_set_hold (&l.ab, TRUE);
  link_start (&l);
  WAIT_UNTIL (wire_counters (&l.ab).n_dtls >= 1);
  fail_unless_equals_int (get_state (l.a.enc), STATE_CONNECTING);
  for (i = 0; i < 5; i++)
    fail_unless_equals_int (gst_pad_push (l.a.rtp_in[0], make_rtp (i, 0,
                0xa, 50, i)), GST_FLOW_OK);
  fail_unless_equals_int (gst_pad_push (l.b.rtp_in[1], make_rtp (0, 0, 0xb,
              50, 0)), GST_FLOW_OK);
  fail_unless_equals_uint64 (get_stat (l.a.enc, "dropped-before-keys-out"), 5);
  fail_unless_equals_uint64 (get_stat (l.b.enc, "dropped-before-keys-out"), 1);
  fail_unless_equals_int (wire_counters (&l.ab).n_media, 0);
  fail_unless_equals_int (wire_counters (&l.ba).n_media, 0);
  fail_unless_equals_int (g_atomic_int_get (&l.a.keys_set), 0);
  fail_unless_equals_int (g_atomic_int_get (&l.a.fku[0]), 0);

  wire_set_hold (&l.ab, FALSE);
  link_wait_connected (&l, 1);

  /* the forced profile on both sides */
  s = get_stat_string (l.a.enc, "srtp-profile");
  fail_unless_equals_string (s, profile);
  g_free (s);
  s = get_stat_string (l.b.dec, "srtp-profile");
  fail_unless_equals_string (s, profile);
  g_free (s);
  s = get_stat_string (l.b.dec, "dtls-state");
  fail_unless_equals_string (s, "connected");
  g_free (s);

  /* one keyframe request upstream of every rtp_sink, all headers */
  fail_unless_equals_int (g_atomic_int_get (&l.a.fku[0]), 1);
  fail_unless_equals_int (g_atomic_int_get (&l.a.fku[1]), 1);
  fail_unless_equals_int (g_atomic_int_get (&l.b.fku[0]), 1);
  fail_unless_equals_int (g_atomic_int_get (&l.b.fku[1]), 1);
  fail_unless_equals_int (g_atomic_int_get (&l.a.fku_all_headers), 2);
  fail_unless_equals_int (g_atomic_int_get (&l.b.fku_all_headers), 2);

  /* the peer's certificate */
  g_object_get (l.a.dec, "peer-pem", &peer_pem, NULL);
  fail_unless (peer_pem != NULL);
  {
    gchar *x = strip_ws (peer_pem), *y = strip_ws (pem_b);
    fail_unless_equals_string (x, y);
    g_free (x);
    g_free (y);
  }

  /* media and data both ways */
  check_rtp_flow (&l.a, &l.b, 1000, 20, 0xa);
  check_rtp_flow (&l.b, &l.a, 40000, 20, 0xb);
  check_rtcp_flow (&l.a, &l.b, 0xa);
  check_rtcp_flow (&l.b, &l.a, 0xb);
  check_data_flow (&l.a, &l.b, "hello from a");
  check_data_flow (&l.b, &l.a, "hello from b");

  fail_unless_equals_uint64 (get_stat (l.a.enc, "packets-protected"), 21);
  fail_unless_equals_uint64 (get_stat (l.b.dec, "packets-unprotected"), 21);
  fail_unless_equals_uint64 (get_stat (l.b.enc, "packets-protected"), 21);
  fail_unless_equals_uint64 (get_stat (l.a.dec, "packets-unprotected"), 21);
  fail_unless_equals_uint64 (get_stat (l.a.enc, "dropped-before-keys-out"), 5);
  fail_unless_equals_uint64 (get_stat (l.b.dec, "auth-failed"), 0);
  fail_unless_equals_uint64 (get_stat (l.b.dec, "replayed"), 0);
  fail_unless_equals_uint64 (get_stat (l.b.dec, "data-dropped"), 0);
  fail_unless_equals_int (collector_pending (&l.b.rtp_out), 0);
  fail_unless_equals_int (collector_pending (&l.a.rtp_out), 0);

  /* the decoders told the application */
  side_wait_state_message (&l.a, "connected");
  side_wait_state_message (&l.b, "connected");

  link_clear (&l);
  g_free (fp_a);
  g_free (fp_b);
  g_free (pem_b);
  g_free (peer_pem);
  g_free (ec);
}

GST_END_TEST;

/* The client offers every profile, the server accepts one. */
GST_START_TEST (test_profile_negotiation)
{
  Link l;
  gchar *s;

  link_init (&l, NULL);
  g_object_set (l.b.dec, "srtp-profiles", "SRTP_AES128_CM_SHA1_80", NULL);
  link_start (&l);
  link_wait_connected (&l, 1);
  s = get_stat_string (l.a.dec, "srtp-profile");
  fail_unless_equals_string (s, "SRTP_AES128_CM_SHA1_80");
  g_free (s);
  check_rtp_flow (&l.a, &l.b, 1, 3, 0xa);
  link_clear (&l);

  /* by default, GCM */
  link_init (&l, NULL);
  link_start (&l);
  link_wait_connected (&l, 1);
  s = get_stat_string (l.b.dec, "srtp-profile");
  fail_unless_equals_string (s, "SRTP_AEAD_AES_128_GCM");
  g_free (s);
  link_clear (&l);
}

GST_END_TEST;

/* No SRTP profile in common: DTLS still connects (the association can carry
 * application data, as for data channels only), but no SRTP keys are set:
 * no on-key-set, RTP is dropped and counted, data passes. */
GST_START_TEST (test_no_common_profile)
{
  gchar *s;
  Link l;

  link_init (&l, NULL);
  g_object_set (l.a.dec, "srtp-profiles", "SRTP_AEAD_AES_128_GCM", NULL);
  g_object_set (l.b.dec, "srtp-profiles", "SRTP_AES128_CM_SHA1_80", NULL);
  link_start (&l);
  WAIT_UNTIL (get_state (l.a.dec) == STATE_CONNECTED
      && get_state (l.b.dec) == STATE_CONNECTED);
  check_data_flow (&l.a, &l.b, "data only");
  check_data_flow (&l.b, &l.a, "data only");

  s = get_stat_string (l.a.enc, "srtp-profile");
  fail_unless_equals_string (s, "none");
  g_free (s);
  fail_unless_equals_int (g_atomic_int_get (&l.a.keys_set), 0);
  fail_unless_equals_int (g_atomic_int_get (&l.b.keys_set), 0);
  fail_unless_equals_int (g_atomic_int_get (&l.a.fku[0]), 0);
  fail_unless_equals_int (gst_pad_push (l.a.rtp_in[0], make_rtp (1, 0, 0xa,
              10, 0)), GST_FLOW_OK);
  fail_unless_equals_uint64 (get_stat (l.a.enc, "dropped-before-keys-out"), 1);
  fail_unless_equals_int (wire_counters (&l.ab).n_media, 0);
  link_clear (&l);
}

GST_END_TEST;

/* Every handshake datagram fits the MTU, also with a certificate that
 * does not fit one. */
GST_START_TEST (test_handshake_mtu)
{
  gchar *rsa = read_rsa4096_pem ();
  gchar *peer_pem = NULL, *x, *y, *cert;
  Link l;

  link_init (&l, NULL);
  g_object_set (l.a.dec, "pem", rsa, NULL);
  g_object_set (l.b.dec, "pem", rsa, NULL);
  link_start (&l);
  link_wait_connected (&l, 1);

  fail_unless (wire_counters (&l.ab).max_dtls <= MTU, "client sent %"
      G_GSIZE_FORMAT " bytes in a datagram", wire_counters (&l.ab).max_dtls);
  fail_unless (wire_counters (&l.ba).max_dtls <= MTU, "server sent %"
      G_GSIZE_FORMAT " bytes in a datagram", wire_counters (&l.ba).max_dtls);
  /* the certificates did need fragments */
  fail_unless (wire_counters (&l.ab).dtls_bytes > MTU);
  fail_unless (wire_counters (&l.ba).dtls_bytes > MTU);

  g_object_get (l.b.dec, "peer-pem", &peer_pem, NULL);
  cert = pem_block (rsa, "CERTIFICATE");
  x = strip_ws (peer_pem);
  y = strip_ws (cert);
  fail_unless_equals_string (x, y);
  check_rtp_flow (&l.a, &l.b, 7, 3, 0xa);

  link_clear (&l);
  g_free (x);
  g_free (y);
  g_free (cert);
  g_free (peer_pem);
  g_free (rsa);
}

GST_END_TEST;

/* Lost handshake datagrams are retransmitted. */
GST_START_TEST (test_handshake_loss)
{
  Link l;

  link_init (&l, NULL);
  l.ab.c.drop_dtls = 1;
  l.ba.c.drop_dtls = 1;
  link_start (&l);
  link_wait_connected (&l, 1);
  fail_unless_equals_int (wire_counters (&l.ab).drop_dtls, 0);
  fail_unless_equals_int (wire_counters (&l.ba).drop_dtls, 0);
  check_rtp_flow (&l.a, &l.b, 1, 3, 0xa);
  check_rtp_flow (&l.b, &l.a, 1, 3, 0xb);
  link_clear (&l);
}

GST_END_TEST;

static GstFlowReturn
inject_bytes (Wire * w, const guint8 * data, gsize len)
{
  return wire_inject (w, make_bytes (data, len));
}

GST_START_TEST (test_bad_input)
{
  static const guint8 garbage[] = { 0xf0, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x11,
    0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd
  };
  static const guint8 one[] = { 0x80 };
  static const guint8 short_rtp[] = { 0x80, 0x60, 0x00, 0x01, 0, 0, 0, 0 };
  static const guint8 short_rtcp[] = { 0x80, 0xc8, 0x00, 0x06, 0, 0 };
  guint8 dtls_garbage[48];
  GstBuffer *in1, *in2, *in3, *p1, *p2, *bad, *out, *big;
  GstMapInfo map;
  guint64 dtls0;
  Link l;
  Side *b;
  guint i;

  link_init (&l, srtp_profiles[__i__]);
  b = &l.b;
  link_start (&l);
  link_wait_connected (&l, 1);

  /* two protected packets, caught on the wire */
  in1 = make_rtp (100, 1000, 0xa, 64, 1);
  in2 = make_rtp (101, 2000, 0xa, 64, 2);
  wire_set_capture (&l.ab, TRUE);
  fail_unless_equals_int (gst_pad_push (l.a.rtp_in[0], gst_buffer_ref (in1)),
      GST_FLOW_OK);
  fail_unless_equals_int (gst_pad_push (l.a.rtp_in[0], gst_buffer_ref (in2)),
      GST_FLOW_OK);
  wire_set_capture (&l.ab, FALSE);
  p1 = wire_pop_captured (&l.ab);
  p2 = wire_pop_captured (&l.ab);
  fail_unless (p1 && p2);
  fail_unless (gst_buffer_get_size (p1) > gst_buffer_get_size (in1));

  /* replayed: the first copy passes, the second is refused */
  fail_unless_equals_int (wire_inject (&l.ab, gst_buffer_copy (p1)),
      GST_FLOW_OK);
  out = collector_pop (&b->rtp_out);
  assert_same_bytes (out, in1);
  gst_buffer_unref (out);
  fail_unless_equals_int (wire_inject (&l.ab, gst_buffer_copy (p1)),
      GST_FLOW_OK);
  fail_unless_equals_uint64 (get_stat (b->dec, "replayed"), 1);
  fail_unless_equals_int (collector_pending (&b->rtp_out), 0);

  /* tampered: one payload bit */
  bad = gst_buffer_copy_deep (p2);
  gst_buffer_map (bad, &map, GST_MAP_READWRITE);
  map.data[30] ^= 0x01;
  gst_buffer_unmap (bad, &map);
  fail_unless_equals_int (wire_inject (&l.ab, bad), GST_FLOW_OK);
  fail_unless_equals_uint64 (get_stat (b->dec, "auth-failed"), 1);
  fail_unless_equals_int (collector_pending (&b->rtp_out), 0);
  /* ... which did not burn the genuine packet's index */
  fail_unless_equals_int (wire_inject (&l.ab, gst_buffer_ref (p2)),
      GST_FLOW_OK);
  out = collector_pop (&b->rtp_out);
  assert_same_bytes (out, in2);
  gst_buffer_unref (out);

  /* tampered header (the SSRC is authenticated too) */
  bad = gst_buffer_copy_deep (p2);
  gst_buffer_map (bad, &map, GST_MAP_READWRITE);
  map.data[2] ^= 0x80;          /* another sequence number */
  gst_buffer_unmap (bad, &map);
  fail_unless_equals_int (wire_inject (&l.ab, bad), GST_FLOW_OK);
  fail_unless_equals_uint64 (get_stat (b->dec, "auth-failed"), 2);

  /* not RTP, not DTLS, not STUN */
  fail_unless_equals_int (inject_bytes (&l.ab, garbage, sizeof (garbage)),
      GST_FLOW_OK);
  fail_unless_equals_uint64 (get_stat (b->dec, "unknown-packets"), 1);
  fail_unless_equals_int (wire_inject (&l.ab, gst_buffer_new ()), GST_FLOW_OK);
  fail_unless_equals_uint64 (get_stat (b->dec, "unknown-packets"), 2);
  fail_unless_equals_int (inject_bytes (&l.ab, one, 1), GST_FLOW_OK);
  fail_unless_equals_uint64 (get_stat (b->dec, "unknown-packets"), 3);

  /* shorter than an RTP or RTCP header */
  fail_unless_equals_int (inject_bytes (&l.ab, short_rtp, sizeof (short_rtp)),
      GST_FLOW_OK);
  fail_unless_equals_uint64 (get_stat (b->dec, "malformed"), 1);
  fail_unless_equals_int (inject_bytes (&l.ab, short_rtcp,
          sizeof (short_rtcp)), GST_FLOW_OK);
  fail_unless_equals_uint64 (get_stat (b->dec, "malformed"), 2);

  /* longer than any datagram */
  big = make_rtp (102, 0, 0xa, 65536, 3);
  fail_unless_equals_int (wire_inject (&l.ab, big), GST_FLOW_OK);
  fail_unless_equals_uint64 (get_stat (b->dec, "oversized-packets"), 1);

  /* STUN */
  fail_unless_equals_int (wire_inject (&l.ab, make_stun ()), GST_FLOW_OK);
  fail_unless_equals_uint64 (get_stat (b->dec, "stun-packets"), 1);

  /* a DTLS application data record that is noise: dropped, the
   * association lives on */
  dtls0 = get_stat (b->dec, "dtls-packets");
  dtls_garbage[0] = 23;
  dtls_garbage[1] = 0xfe;
  dtls_garbage[2] = 0xfd;
  for (i = 3; i < sizeof (dtls_garbage); i++)
    dtls_garbage[i] = (guint8) (i * 13);
  GST_WRITE_UINT16_BE (dtls_garbage + 11, sizeof (dtls_garbage) - 13);
  fail_unless_equals_int (inject_bytes (&l.ab, dtls_garbage,
          sizeof (dtls_garbage)), GST_FLOW_OK);
  fail_unless_equals_uint64 (get_stat (b->dec, "dtls-packets"), dtls0 + 1);
  fail_unless_equals_int (collector_pending (&b->data_out), 0);

  /* nothing got through, and everything still works */
  fail_unless_equals_int (collector_pending (&b->rtp_out), 0);
  fail_unless_equals_int (collector_pending (&b->rtcp_out), 0);
  fail_unless_equals_int (get_state (b->dec), STATE_CONNECTED);
  fail_unless_equals_int (get_state (l.a.dec), STATE_CONNECTED);
  in3 = make_rtp (103, 3000, 0xa, 64, 3);
  fail_unless_equals_int (gst_pad_push (l.a.rtp_in[0], gst_buffer_ref (in3)),
      GST_FLOW_OK);
  out = collector_pop (&b->rtp_out);
  assert_same_bytes (out, in3);
  gst_buffer_unref (out);
  check_rtcp_flow (&l.a, &l.b, 0xa);
  check_data_flow (&l.a, &l.b, "still there");

  /* and every counter is exact */
  fail_unless_equals_uint64 (get_stat (b->dec, "packets-unprotected"), 4);
  fail_unless_equals_uint64 (get_stat (b->dec, "replayed"), 1);
  fail_unless_equals_uint64 (get_stat (b->dec, "auth-failed"), 2);
  fail_unless_equals_uint64 (get_stat (b->dec, "unknown-packets"), 3);
  fail_unless_equals_uint64 (get_stat (b->dec, "malformed"), 2);
  fail_unless_equals_uint64 (get_stat (b->dec, "oversized-packets"), 1);
  fail_unless_equals_uint64 (get_stat (b->dec, "stun-packets"), 1);
  fail_unless_equals_uint64 (get_stat (b->dec, "dropped-before-keys-in"), 0);

  gst_buffer_unref (in1);
  gst_buffer_unref (in2);
  gst_buffer_unref (in3);
  gst_buffer_unref (p1);
  gst_buffer_unref (p2);
  link_clear (&l);
}

GST_END_TEST;

/* A packet of an earlier association (other keys) fails authentication. */
GST_START_TEST (test_packet_from_previous_session)
{
  GstBuffer *in, *old;
  Link l;

  link_init (&l, NULL);
  link_start (&l);
  link_wait_connected (&l, 1);
  wire_set_capture (&l.ab, TRUE);
  in = make_rtp (500, 0, 0xa, 80, 5);
  fail_unless_equals_int (gst_pad_push (l.a.rtp_in[0], in), GST_FLOW_OK);
  wire_set_capture (&l.ab, FALSE);
  old = wire_pop_captured (&l.ab);
  fail_unless (old != NULL);
  link_stop (&l);

  link_start (&l);
  link_wait_connected (&l, 2);
  fail_unless_equals_int (wire_inject (&l.ab, old), GST_FLOW_OK);
  fail_unless_equals_uint64 (get_stat (l.b.dec, "auth-failed"), 1);
  fail_unless_equals_uint64 (get_stat (l.b.dec, "packets-unprotected"), 0);
  fail_unless_equals_int (collector_pending (&l.b.rtp_out), 0);
  check_rtp_flow (&l.a, &l.b, 500, 3, 0xa);
  link_clear (&l);
}

GST_END_TEST;

GST_START_TEST (test_rollover)
{
  Link l;

  link_init (&l, srtp_profiles[__i__]);
  link_start (&l);
  link_wait_connected (&l, 1);
  /* 65500 .. 65535, 0 .. 63 */
  check_rtp_flow (&l.a, &l.b, 65500, 100, 0xa);
  check_rtp_flow (&l.b, &l.a, 65500, 100, 0xb);
  fail_unless_equals_uint64 (get_stat (l.b.dec, "packets-unprotected"), 100);
  fail_unless_equals_uint64 (get_stat (l.b.dec, "replayed"), 0);
  fail_unless_equals_uint64 (get_stat (l.b.dec, "auth-failed"), 0);
  link_clear (&l);
}

GST_END_TEST;

/* A wrong peer-fingerprint on the server (0) or the client (1). */
GST_START_TEST (test_fingerprint_mismatch)
{
  static const gchar *wrong = "sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:"
      "CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";
  gchar *ec = make_ec_pem (FALSE), *actual = NULL, *state_err = NULL;
  GstMessage *msg;
  GError *err = NULL;
  Side *checker, *other;
  Link l;

  link_init (&l, NULL);
  checker = __i__ ? &l.a : &l.b;
  other = __i__ ? &l.b : &l.a;
  g_object_set (other->dec, "pem", ec, NULL);
  g_object_get (other->dec, "fingerprint", &actual, NULL);
  g_object_set (checker->dec, "peer-fingerprint", wrong, NULL);
  link_start (&l);

  msg = side_wait_error (checker, "failed", &state_err);
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (err->domain == GST_RESOURCE_ERROR);
  fail_unless_equals_int (err->code, GST_RESOURCE_ERROR_NOT_AUTHORIZED);
  fail_unless (strstr (err->message, wrong) != NULL,
      "the expected fingerprint is not in '%s'", err->message);
  fail_unless (strstr (err->message, actual) != NULL,
      "the actual fingerprint is not in '%s'", err->message);
  fail_unless (state_err != NULL, "no failed state message before the error");
  fail_unless (strstr (state_err, actual) != NULL);
  fail_unless_equals_int (get_state (checker->dec), STATE_FAILED);
  fail_unless_equals_int (get_state (checker->enc), STATE_FAILED);
  fail_unless_equals_int (g_atomic_int_get (&checker->keys_set), 0);
  /* no keys: media is dropped */
  fail_unless_equals_int (gst_pad_push (checker->rtp_in[0], make_rtp (1, 0,
              0xc, 10, 0)), GST_FLOW_OK);
  fail_unless_equals_uint64 (get_stat (checker->enc,
          "dropped-before-keys-out"), 1);

  g_error_free (err);
  gst_message_unref (msg);
  link_clear (&l);
  g_free (state_err);
  g_free (actual);
  g_free (ec);
}

GST_END_TEST;

GST_START_TEST (test_handshake_timeout)
{
  gchar *state_err = NULL;
  GstMessage *msg;
  GError *err = NULL;
  Side a;
  Wire w;

  side_init (&a, "lonely", TRUE);
  g_object_set (a.dec, "handshake-timeout", 500, NULL);
  wire_init (&w, a.enc, NULL);  /* to nowhere */
  side_start (&a);

  msg = side_wait_error (&a, "failed", &state_err);
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (err->domain == GST_RESOURCE_ERROR);
  fail_unless_equals_int (err->code, GST_RESOURCE_ERROR_FAILED);
  fail_unless (strstr (err->message, "timed out") != NULL,
      "no timeout in '%s'", err->message);
  fail_unless (state_err && strstr (state_err, "timed out"));
  fail_unless_equals_int (get_state (a.dec), STATE_FAILED);
  fail_unless_equals_int (g_atomic_int_get (&a.keys_set), 0);
  fail_unless (wire_counters (&w).n_dtls >= 1, "the client sent nothing");

  g_error_free (err);
  gst_message_unref (msg);
  g_free (state_err);
  side_stop (&a);
  wire_clear (&w);
  side_clear (&a);
}

GST_END_TEST;

GST_START_TEST (test_close_notify)
{
  Link l;

  link_init (&l, NULL);
  link_start (&l);
  link_wait_connected (&l, 1);

  /* some inputs end: the association stays */
  fail_unless (gst_pad_push_event (l.a.rtp_in[0], gst_event_new_eos ()));
  fail_unless (gst_pad_push_event (l.a.rtp_in[1], gst_event_new_eos ()));
  fail_unless (gst_pad_push_event (l.a.rtcp_in, gst_event_new_eos ()));
  check_data_flow (&l.a, &l.b, "not yet");
  fail_unless_equals_int (get_state (l.b.dec), STATE_CONNECTED);
  fail_unless (!wire_counters (&l.ab).eos);

  /* the last one ends: close_notify, then EOS */
  fail_unless (gst_pad_push_event (l.a.data_in, gst_event_new_eos ()));
  WAIT_UNTIL (get_state (l.b.dec) == STATE_CLOSED);
  side_wait_state_message (&l.b, "closed");
  WAIT_UNTIL (wire_counters (&l.ab).eos);
  fail_unless_equals_int (wire_counters (&l.ab).dtls_type_before_eos, 21);
  fail_unless_equals_int (get_state (l.a.dec), STATE_CLOSED);

  link_clear (&l);
}

GST_END_TEST;

GST_START_TEST (test_state_cycles)
{
  Link l;
  gint cycle;

  link_init (&l, NULL);
  for (cycle = 1; cycle <= 3; cycle++) {
    link_start (&l);
    link_wait_connected (&l, cycle);
    fail_unless_equals_int (g_atomic_int_get (&l.a.fku[0]), cycle);
    /* a new association each time: counters start again */
    check_rtp_flow (&l.a, &l.b, 1, 5, 0xa);
    check_rtp_flow (&l.b, &l.a, 1, 5, 0xb);
    check_data_flow (&l.a, &l.b, "cycle");
    fail_unless_equals_uint64 (get_stat (l.b.dec, "packets-unprotected"), 5);
    fail_unless_equals_uint64 (get_stat (l.a.dec, "replayed"), 0);
    link_stop (&l);
    fail_unless_equals_int (get_state (l.a.enc), STATE_NEW);
    fail_unless_equals_int (get_state (l.b.dec), STATE_NEW);
  }
  link_clear (&l);
}

GST_END_TEST;

/* gst-plugins-bad's manual keying: with 'key' set, DTLS is disabled and
 * SRTP uses that key (AES_CM_128_HMAC_SHA1_80 unless told otherwise). */
static GstBuffer *
manual_key (guint8 first)
{
  guint8 k[30];
  guint i;

  for (i = 0; i < sizeof (k); i++)
    k[i] = first + i;
  return gst_buffer_new_memdup (k, sizeof (k));
}

GST_START_TEST (test_manual_key_roundtrip)
{
  GstElement *enc = gst_element_factory_make ("dtlssrtpenc", NULL);
  GstElement *dec = gst_element_factory_make ("dtlssrtpdec", NULL);
  GstElement *wdec = gst_element_factory_make ("dtlssrtpdec", NULL);
  GstHarness *he, *hd, *hw;
  GstBuffer *key = manual_key (0), *wrong = manual_key (1), *in, *prot, *out;
  guint8 pkt[112];
  GstStructure *stats;
  guint64 auth_failed = 0;

  /* in NULL, before the harness takes them */
  g_object_set (enc, "connection-id", "mk-enc", "key", key, NULL);
  g_object_set (dec, "connection-id", "mk-dec", "key", key,
      "srtp-cipher", "aes-128-icm", "srtp-auth", "hmac-sha1-80", NULL);
  g_object_set (wdec, "connection-id", "mk-wrong", "key", wrong, NULL);
  he = gst_harness_new_with_element (enc, "rtp_sink_0", "src");
  hd = gst_harness_new_with_element (dec, "sink", "rtp_src");
  hw = gst_harness_new_with_element (wdec, "sink", "rtp_src");
  gst_object_unref (enc);
  gst_object_unref (dec);
  gst_object_unref (wdec);
  gst_harness_set_src_caps_str (he, "application/x-rtp");
  gst_harness_set_src_caps_str (hd, "application/x-srtp");
  gst_harness_set_src_caps_str (hw, "application/x-srtp");
  gst_harness_play (he);
  gst_harness_play (hd);
  gst_harness_play (hw);

  memset (pkt, 0x5a, sizeof (pkt));
  pkt[0] = 0x80;
  pkt[1] = 96;
  in = gst_buffer_new_memdup (pkt, sizeof (pkt));
  fail_unless_equals_int (gst_harness_push (he, in), GST_FLOW_OK);
  prot = gst_harness_pull (he);
  /* the 80-bit tag (RFC 3711 section 4.2) and a payload no longer plain */
  fail_unless_equals_int (gst_buffer_get_size (prot), sizeof (pkt) + 10);
  fail_unless (gst_buffer_memcmp (prot, 12, pkt + 12, 100) != 0);

  fail_unless_equals_int (gst_harness_push (hd, gst_buffer_copy (prot)),
      GST_FLOW_OK);
  out = gst_harness_pull (hd);
  fail_unless_equals_int (gst_buffer_get_size (out), sizeof (pkt));
  fail_unless (gst_buffer_memcmp (out, 0, pkt, sizeof (pkt)) == 0);
  gst_buffer_unref (out);

  /* the wrong key: refused and counted, nothing out */
  fail_unless_equals_int (gst_harness_push (hw, prot), GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_buffers_in_queue (hw), 0);
  g_object_get (hw->element, "stats", &stats, NULL);
  gst_structure_get_uint64 (stats, "auth-failed", &auth_failed);
  fail_unless_equals_int (auth_failed, 1);
  fail_unless_equals_string (gst_structure_get_string (stats,
          "srtp-profile"), "manual");
  gst_structure_free (stats);

  gst_buffer_unref (key);
  gst_buffer_unref (wrong);
  gst_harness_teardown (he);
  gst_harness_teardown (hd);
  gst_harness_teardown (hw);
}

GST_END_TEST;

static Suite *
dtlssrtp_suite (void)
{
  Suite *s = suite_create ("dtlssrtp");
  TCase *tc;

  tc = tcase_create ("element");
  tcase_add_test (tc, test_enc_pads);
  tcase_add_test (tc, test_manual_key_roundtrip);
  tcase_add_test (tc, test_enc_pad_names_after_explicit);
  tcase_add_test (tc, test_dec_pads);
  tcase_add_test (tc, test_enc_properties);
  tcase_add_test (tc, test_dec_properties);
  tcase_add_test (tc, test_dec_peer_fingerprint_normalized);
  tcase_add_test (tc, test_dec_pem_round_trip);
  tcase_add_test (tc, test_dec_bad_pem);
  tcase_add_test (tc, test_dec_bad_settings);
  tcase_add_test (tc, test_dec_bad_pem_not_forgotten);
  tcase_add_test (tc, test_enc_harness_drops_before_keys);
  tcase_add_test (tc, test_enc_allocation_query_padding);
  tcase_add_test (tc, test_dec_harness_before_keys);
  suite_add_tcase (s, tc);

  tc = tcase_create ("association");
  tcase_set_timeout (tc, 60);
  tcase_add_loop_test (tc, test_handshake, 0, G_N_ELEMENTS (srtp_profiles));
  tcase_add_test (tc, test_profile_negotiation);
  tcase_add_test (tc, test_no_common_profile);
  tcase_add_test (tc, test_handshake_mtu);
  tcase_add_test (tc, test_handshake_loss);
  tcase_add_loop_test (tc, test_bad_input, 0, 2);
  tcase_add_test (tc, test_packet_from_previous_session);
  tcase_add_loop_test (tc, test_rollover, 0, 2);
  tcase_add_loop_test (tc, test_fingerprint_mismatch, 0, 2);
  tcase_add_test (tc, test_handshake_timeout);
  tcase_add_test (tc, test_close_notify);
  tcase_add_test (tc, test_state_cycles);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (dtlssrtp);
