/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: webrtcsrc, a bin that receives WebRTC media.
 */
/**
 * SECTION:element-webrtcsrc
 * @title: webrtcsrc
 *
 * Receives audio and video over WebRTC and exposes one source pad per
 * remote track: `video_%u` and `audio_%u` (numbered in the order of the
 * tracks in the session description), decoded to raw by default, or
 * parsed encoded streams with `decode=false` (to record without
 * transcoding).
 *
 * Two ways to get media:
 *
 * - `whep-url` set: a WHEP client (RFC 9725 style) that pulls from a
 *   WHEP server, such as webrtcsink or an SFU.
 * - `whep-url` unset: a WHIP server (RFC 9725) on `address`:`port`.
 *   Publishers POST their offer to `/whip`; `GET /publish` serves a page
 *   that sends a browser's camera and microphone.  OBS Studio's WHIP
 *   output works the same way (server `http://HOST:PORT/whip`).  One
 *   publisher at a time: another gets 409 Conflict.
 *
 * Underneath: ICE (libnice), DTLS-SRTP, and rtpbin for the receiving side
 * of RTP: a jitterbuffer of `latency` ms, NACK for lost packets and RTX
 * accepted (RFC 4588), PLI at the start of each video track and when the
 * decoder needs a keyframe, receiver reports, transport-wide congestion
 * control feedback where negotiated (browsers), and lip sync from the
 * sender's reports.  With `latency` 0 rtpbin gets a jitterbuffer of
 * ours that holds nothing: packets go on in order in the thread that
 * received them (late ones dropped, no NACK), about a third of a
 * millisecond sooner than through rtpjitterbuffer's thread.  Video codecs
 * VP8, H.264 (every profile with libav's
 * decoder, the baselines with openh264's) and VP9; audio Opus.
 *
 * When the sender goes away (DELETE, ICE or DTLS failure, consent lost,
 * close_notify) the source pads get EOS; with `keep-waiting` (WHIP) they
 * stay, and the next publisher's tracks continue on them.  A WHEP server
 * that refuses the offer, or a sender that leaves before sending any media
 * in WHEP mode, is an element error; a WHEP server that answers 503 (no
 * media yet) is asked again.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 webrtcsrc whep-url=http://127.0.0.1:8080/whep name=s \
 *     s.video_0 ! videoconvert ! autovideosink \
 *     s.audio_0 ! audioconvert ! autoaudiosink
 * ]| plays what a webrtcsink serves.
 * |[
 * gst-launch-1.0 -e webrtcsrc port=8081 decode=false name=s \
 *     s.video_0 ! queue ! matroskamux name=m ! filesink location=in.mkv \
 *     s.audio_0 ! queue ! m.audio_0
 * ]| records what a browser sends from http://127.0.0.1:8081/publish.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>
#include <gio/gio.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <gst/rtp/gstrtpdefs.h>

#include "gstwrtcwebrtcsrc.h"
#include "gstwrtcplayoutbuffer.h"
#include "gstwrtcpeer.h"
#include "gstwrtclist.h"
#include "gstwrtcicecontext.h"
#include "gstwrtchttpserver.h"
#include "gstwrtchttpclient.h"

GST_DEBUG_CATEGORY_STATIC (gst_wrtc_webrtc_src_debug);
#define GST_CAT_DEFAULT gst_wrtc_webrtc_src_debug

extern GResource *gst_wrtc_src_get_resource (void);

#define DEFAULT_ADDRESS "127.0.0.1"
#define DEFAULT_PORT 8081
#define DEFAULT_LATENCY 50
#define DEFAULT_DECODE TRUE
#define DEFAULT_KEEP_WAITING FALSE
#define DEFAULT_VIDEO_CODECS "VP8,H264,VP9"
#define DEFAULT_AUDIO_CODECS "OPUS"
#define RESOURCE_PREFIX "/org/gstreamer/webrtc/src/"
/* bounds the DELETE we send when stopping */
#define DELETE_TIMEOUT_S 2
/* 503 from the WHEP server: retried every RETRY_MS, for ~30 s */
#define RETRY_MS 200
#define MAX_RETRIES 150

enum
{
  PROP_0,
  PROP_WHEP_URL,
  PROP_ADDRESS,
  PROP_PORT,
  PROP_URL,
  PROP_STUN_SERVER,
  PROP_TURN_SERVERS,
  PROP_LOCAL_ADDRESSES,
  PROP_LATENCY,
  PROP_TOKEN,
  PROP_DECODE,
  PROP_VIDEO_CODECS,
  PROP_AUDIO_CODECS,
  PROP_STATS,
  PROP_KEEP_WAITING,
  PROP_ICE_TRANSPORT_POLICY,
};

enum
{
  SIGNAL_TRACK_ADDED,
  SIGNAL_SENDER_LEFT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* What we can receive, by name: the RTP depayloader, the parser that
 * decode=false outputs through (NULL: the depayloader's output is already
 * parsed), and the decoders in preference order. */
typedef struct
{
  const gchar *name;
  GstWrtcMediaKind kind;
  guint clock_rate, channels;
  const gchar *fmtp;
  const gchar *depay;
  const gchar *parse;
  const gchar *decoders[3];
} CodecInfo;

static const CodecInfo codec_table[] = {
  {"VP8", GST_WRTC_MEDIA_VIDEO, 90000, 0, NULL, "rtpvp8depay", NULL,
      {"vp8dec", NULL}},
  /* RFC 6184: constrained baseline, the profile every browser sends */
  {"H264", GST_WRTC_MEDIA_VIDEO, 90000, 0,
        "level-asymmetry-allowed=1;packetization-mode=1;"
        "profile-level-id=42e01f", "rtph264depay", "h264parse",
      {"avdec_h264", "openh264dec", NULL}},
  {"VP9", GST_WRTC_MEDIA_VIDEO, 90000, 0, NULL, "rtpvp9depay", "vp9parse",
      {"vp9dec", NULL}},
  {"OPUS", GST_WRTC_MEDIA_AUDIO, 48000, 2, "minptime=10;useinbandfec=1",
      "rtpopusdepay", "opusparse", {"opusdec", NULL}},
};

/* RFC 6184 section 8.1 profile-level-id: constrained baseline and baseline
 * first (openh264dec decodes those), then main and high (avdec_h264) */
static const gchar *const h264_profiles[] = {
  "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
  "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f",
  "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f",
  "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f",
};

/* a decoder for every H.264 profile (libav's) */
static gboolean
h264_full_decoder (void)
{
  GstElementFactory *f = gst_element_factory_find ("avdec_h264");

  if (!f)
    return FALSE;
  gst_object_unref (f);
  return TRUE;
}

static const CodecInfo *
codec_info (const gchar * name)
{
  guint i;

  for (i = 0; name && i < G_N_ELEMENTS (codec_table); i++)
    if (g_ascii_strcasecmp (codec_table[i].name, name) == 0)
      return &codec_table[i];
  return NULL;
}

/* One m-section we receive, as negotiated. */
typedef struct
{
  gint index;                   /* m-section number */
  GstWrtcMediaKind kind;
  gchar *pad_name;              /* video_0, audio_0, ... */
  guint pt;
  gint rtx_pt;
  gchar *encoding;
  guint clock_rate;
  gboolean nack, pli, fir;
  guint twcc_ext_id;            /* 0: no transport-wide CC */
  GstPad *ghost;                /* our source pad */
  GstPad *depay_sink;           /* where rtpbin's pad for it links */
  GstPad *chain_src;            /* what the ghost pad targets */
  gboolean linked;              /* media arrived */
  guint32 ssrc;                 /* the sender's, once linked */
} Track;

/* One session with a sender: its peer and the receiving elements.
 * Refcounted: the peer's callbacks and the WHEP thread hold refs. */
typedef struct
{
  GstWrtcWebrtcSrc *src;        /* not a ref: sessions die with the element */
  gchar *id;                    /* the WHIP session id, or NULL */
  GstWrtcPeer *peer;
  GstElement *rtpbin, *rtcp_out;
  /* where the ICE thread pushes what it received into rtpbin: pads of
   * ours, no element and no thread in between (RTP, RTCP) */
  GstPad *in[2];
  GMutex push_lock;             /* pushes and EOS on in[] */
  gboolean eos;
  GPtrArray *elements;          /* everything we added to the bin */
  GMutex lock;                  /* tracks, ended, packets */
  GArray *tracks;               /* Track */
  gboolean negotiated, ended, connected;
  gboolean answered;            /* WHIP: answered with 201, a sender */
  guint64 packets, bytes;
  guint64 twcc_feedback;        /* transport-cc feedback packets sent */
  GstWrtcCodecCap *offer_codecs[2];     /* WHEP: what our offer lists */
} Session;

struct _GstWrtcWebrtcSrc
{
  GstBin parent;

  GMutex lock;                  /* everything below */
  gchar *whep_url;
  gchar *address;
  guint port;
  gchar *url;
  gchar *stun_server;
  gchar **turn_servers;
  gchar **local_addresses;
  guint latency;
  gchar *token;
  gboolean decode;
  gchar **video_codecs, **audio_codecs;
  Session *session;             /* the current sender, or NULL */
  GPtrArray *ended;             /* sessions to destroy when stopping */
  guint sessions_total;
  gboolean finished;            /* EOS sent: no more sessions */
  gboolean keep_waiting;
  GstWrtcIceTransportPolicy ice_policy;
  GHashTable *pads;             /* name -> our ghost pad, across senders */
  GPtrArray *teardowns;         /* GThread: senders that left, going away */

  /* WHEP client */
  GThread *whep_thread;
  GCancellable *cancellable;
  gchar *resource;              /* the WHEP session URL, to DELETE */

  GstWrtcHttpServer *server;    /* WHIP server, while started */
};

#define gst_wrtc_webrtc_src_parent_class parent_class
G_DEFINE_TYPE (GstWrtcWebrtcSrc, gst_wrtc_webrtc_src, GST_TYPE_BIN);
GST_ELEMENT_REGISTER_DEFINE (webrtcsrc, "webrtcsrc", GST_RANK_NONE,
    GST_WRTC_TYPE_WEBRTC_SRC);

static GstStaticPadTemplate video_template =
    GST_STATIC_PAD_TEMPLATE ("video_%u", GST_PAD_SRC, GST_PAD_SOMETIMES,
    GST_STATIC_CAPS ("video/x-raw; video/x-vp8; video/x-vp9; "
        "video/x-h264, stream-format=(string)avc, alignment=(string)au"));
static GstStaticPadTemplate audio_template =
    GST_STATIC_PAD_TEMPLATE ("audio_%u", GST_PAD_SRC, GST_PAD_SOMETIMES,
    GST_STATIC_CAPS ("audio/x-raw; audio/x-opus"));

/* ------------------------------------------------------------------------
 * Sessions
 */
static void
track_clear (Track * t)
{
  g_free (t->pad_name);
  g_free (t->encoding);
  gst_clear_object (&t->ghost);
  gst_clear_object (&t->depay_sink);
  gst_clear_object (&t->chain_src);
}

static Session *
session_new (GstWrtcWebrtcSrc * self, const gchar * id)
{
  Session *s = g_atomic_rc_box_new0 (Session);

  s->src = self;
  s->id = g_strdup (id);
  s->elements = g_ptr_array_new ();
  g_mutex_init (&s->lock);
  g_mutex_init (&s->push_lock);
  s->tracks = g_array_new (FALSE, TRUE, sizeof (Track));
  g_array_set_clear_func (s->tracks, (GDestroyNotify) track_clear);
  return s;
}

static Session *
session_ref (Session * s)
{
  return g_atomic_rc_box_acquire (s);
}

static void
session_clear (Session * s)
{
  g_free (s->id);
  gst_clear_object (&s->peer);
  g_free (s->offer_codecs[0]);
  g_free (s->offer_codecs[1]);
  gst_clear_object (&s->in[0]);
  gst_clear_object (&s->in[1]);
  g_mutex_clear (&s->push_lock);
  g_ptr_array_unref (s->elements);
  g_array_unref (s->tracks);
  g_mutex_clear (&s->lock);
}

static void
session_unref (Session * s)
{
  g_atomic_rc_box_release_full (s, (GDestroyNotify) session_clear);
}

static void
session_closure_notify (gpointer data, GClosure * closure)
{
  session_unref (data);
}

/* With the session lock. */
static Track *
track_for_pt (Session * s, guint pt, gboolean * rtx)
{
  guint i;

  for (i = 0; i < s->tracks->len; i++) {
    Track *t = &g_array_index (s->tracks, Track, i);
    if (t->pt == pt || (t->rtx_pt >= 0 && (guint) t->rtx_pt == pt)) {
      if (rtx)
        *rtx = t->pt != pt;
      return t;
    }
  }
  return NULL;
}

/* Reads the negotiated m-sections we receive into the session's tracks
 * and names their pads (kind order, from 0). */
static gboolean
session_take_negotiation (Session * s, GError ** error)
{
  const GstWrtcAnswer *neg = gst_wrtc_peer_get_negotiation (s->peer);
  guint i, nv = 0, na = 0;

  if (!neg) {
    g_set_error (error, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_INVALID,
        "no negotiation");
    return FALSE;
  }
  g_mutex_lock (&s->lock);
  for (i = 0; i < neg->media->len; i++) {
    GstWrtcNegotiatedMedia *n = g_ptr_array_index (neg->media, i);
    Track t = { 0, };
    if (n->rejected || (n->direction != GST_WRTC_DIRECTION_RECVONLY
            && n->direction != GST_WRTC_DIRECTION_SENDRECV)
        || !codec_info (n->codec.encoding))
      continue;
    t.index = n->index;
    t.kind = n->kind;
    t.pad_name = n->kind == GST_WRTC_MEDIA_VIDEO ?
        g_strdup_printf ("video_%u", nv++) : g_strdup_printf ("audio_%u", na++);
    t.pt = n->codec.pt;
    t.rtx_pt = n->codec.rtx_pt;
    t.encoding = g_ascii_strup (n->codec.encoding, -1);
    t.clock_rate = n->codec.clock_rate;
    t.nack = (n->codec.rtcp_fb & GST_WRTC_RTCP_FB_NACK) != 0;
    t.pli = (n->codec.rtcp_fb & GST_WRTC_RTCP_FB_PLI) != 0;
    t.fir = (n->codec.rtcp_fb & GST_WRTC_RTCP_FB_FIR) != 0;
    t.twcc_ext_id = n->twcc_ext_id;
    GST_INFO_OBJECT (s->src, "m-section %u: %s %s pt %u rtx %d -> %s",
        t.index, n->mid ? n->mid : "-", t.encoding, t.pt, t.rtx_pt, t.pad_name);
    g_array_append_val (s->tracks, t);
  }
  s->negotiated = TRUE;
  g_mutex_unlock (&s->lock);
  if (nv + na == 0) {
    g_set_error (error, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_NO_CODEC,
        "the session has no track we can receive");
    return FALSE;
  }
  return TRUE;
}

static gpointer teardown_thread (gpointer data);

/* EOS on every track: into rtpbin, which forwards it to the tracks whose
 * media started, and straight into the others (once; any thread). */
static void
session_push_eos (Session * s)
{
  GPtrArray *unlinked = g_ptr_array_new_with_free_func (gst_object_unref);
  guint i;

  g_mutex_lock (&s->lock);
  for (i = 0; i < s->tracks->len; i++) {
    Track *t = &g_array_index (s->tracks, Track, i);
    /* never started, or rtpbin let go of its SSRC */
    if (t->depay_sink && (!t->linked || !gst_pad_is_linked (t->depay_sink)))
      g_ptr_array_add (unlinked, gst_object_ref (t->depay_sink));
  }
  g_mutex_unlock (&s->lock);
  g_mutex_lock (&s->push_lock);
  if (!s->eos) {
    s->eos = TRUE;
    for (i = 0; i < 2; i++)
      if (s->in[i])
        gst_pad_push_event (s->in[i], gst_event_new_eos ());
    for (i = 0; i < unlinked->len; i++)
      gst_pad_send_event (g_ptr_array_index (unlinked, i),
          gst_event_new_eos ());
  }
  g_mutex_unlock (&s->push_lock);
  g_ptr_array_unref (unlinked);
}

/* The sender left: EOS on every pad (any thread).  With keep-waiting, a
 * WHIP sender's pads get no EOS: its elements go (on a thread of their
 * own: this may be the ICE or the HTTP thread) and the next publisher
 * carries on. */
static void
session_end_media (Session * s, const gchar * reason)
{
  GstWrtcWebrtcSrc *self = s->src;
  gboolean had_media = FALSE, keep_waiting;
  guint i;

  g_mutex_lock (&s->lock);
  if (s->ended) {
    g_mutex_unlock (&s->lock);
    return;
  }
  s->ended = TRUE;
  for (i = 0; i < s->tracks->len; i++)
    if (g_array_index (s->tracks, Track, i).ghost)
      had_media = TRUE;
  g_mutex_unlock (&s->lock);

  g_mutex_lock (&self->lock);
  keep_waiting = self->keep_waiting && s->id != NULL;
  if (keep_waiting)
    g_ptr_array_add (self->teardowns, g_thread_new ("wrtc-src-teardown",
            teardown_thread, session_ref (s)));
  else if (had_media)
    self->finished = TRUE;
  g_mutex_unlock (&self->lock);

  GST_INFO_OBJECT (self, "sender left (%s)%s", reason,
      keep_waiting ? ", waiting for the next" : had_media ? ", EOS" : "");
  g_signal_emit (self, signals[SIGNAL_SENDER_LEFT], 0, reason);
  if (!keep_waiting && had_media)
    session_push_eos (s);
  else if (!keep_waiting && !s->id)
    GST_ELEMENT_ERROR (self, RESOURCE, READ,
        ("The WHEP sender went away before sending any media"), ("%s", reason));
}

/* ------------------------------------------------------------------------
 * Peer callbacks (ICE/DTLS threads)
 */
static void
on_receive (GstWrtcPeer * peer, gint media, gboolean rtcp,
    const guint8 * data, gsize len, gpointer user_data)
{
  Session *s = user_data;
  GstElement *element = GST_ELEMENT (s->src);
  GstClock *clock;
  GstClockTime now;
  GstBuffer *buf;
  GstPad *pad = s->in[rtcp ? 1 : 0];

  if (!rtcp) {
    g_mutex_lock (&s->lock);
    s->packets++;
    s->bytes += len;
    g_mutex_unlock (&s->lock);
  }
  /* the jitterbuffer wants arrival times (running time); not playing yet:
   * the sender repeats what matters (keyframes on PLI, RTCP) */
  if (!pad || GST_STATE (element) != GST_STATE_PLAYING
      || !(clock = gst_element_get_clock (element)))
    return;
  now = gst_clock_get_time (clock) - gst_element_get_base_time (element);
  gst_object_unref (clock);

  buf = gst_buffer_new_memdup (data, len);
  GST_BUFFER_DTS (buf) = GST_BUFFER_PTS (buf) = now;
  g_mutex_lock (&s->push_lock);
  if (!s->eos)
    gst_pad_push (pad, buf);
  else
    gst_buffer_unref (buf);
  g_mutex_unlock (&s->push_lock);
}

/* The WHIP server, or NULL once stopping (any thread). */
static GstWrtcHttpServer *
get_server (GstWrtcWebrtcSrc * self)
{
  GstWrtcHttpServer *server;

  g_mutex_lock (&self->lock);
  server = self->server ? g_object_ref (self->server) : NULL;
  g_mutex_unlock (&self->lock);
  return server;
}

static void
end_http_session (Session * s)
{
  GstWrtcHttpServer *server = get_server (s->src);

  if (server) {
    gst_wrtc_http_server_end_session (server, s->id);
    g_object_unref (server);
  }
}

static void
on_state_changed (GstWrtcPeer * peer, guint state, Session * s)
{
  gboolean answered;

  GST_INFO_OBJECT (s->src, "sender %s: %s", s->id ? s->id : "(whep)",
      gst_wrtc_peer_state_name (state));
  /* a WHIP offer refused while being answered is no sender: on_answer
   * sends its 4xx (an end_session here would race it with a 503) */
  g_mutex_lock (&s->lock);
  answered = s->answered;
  g_mutex_unlock (&s->lock);
  if (s->id && !answered && state >= GST_WRTC_PEER_STATE_FAILED)
    return;
  if (state == GST_WRTC_PEER_STATE_CONNECTED) {
    g_mutex_lock (&s->lock);
    s->connected = TRUE;
    g_mutex_unlock (&s->lock);
  } else if (state == GST_WRTC_PEER_STATE_FAILED) {
    session_end_media (s, "the connection failed");
    if (s->id)
      end_http_session (s);
  } else if (state == GST_WRTC_PEER_STATE_CLOSED) {
    session_end_media (s, "the connection was closed");
    if (s->id)
      end_http_session (s);
  }
}

/* ------------------------------------------------------------------------
 * rtpbin (its streaming threads)
 */
static GstCaps *
on_request_pt_map (GstElement * rtpbin, guint session, guint pt, Session * s)
{
  GstCaps *caps = NULL;
  gboolean rtx = FALSE;
  Track *t;

  g_mutex_lock (&s->lock);
  t = track_for_pt (s, pt, &rtx);
  if (t && rtx) {
    caps = gst_caps_new_simple ("application/x-rtp",
        "media", G_TYPE_STRING,
        t->kind == GST_WRTC_MEDIA_VIDEO ? "video" : "audio",
        "clock-rate", G_TYPE_INT, t->clock_rate,
        "encoding-name", G_TYPE_STRING, "RTX",
        "payload", G_TYPE_INT, pt, "apt", G_TYPE_INT, t->pt, NULL);
  } else if (t) {
    caps = gst_caps_new_simple ("application/x-rtp",
        "media", G_TYPE_STRING,
        t->kind == GST_WRTC_MEDIA_VIDEO ? "video" : "audio",
        "clock-rate", G_TYPE_INT, t->clock_rate,
        "encoding-name", G_TYPE_STRING, t->encoding,
        "payload", G_TYPE_INT, pt, NULL);
    /* rtpsession sends PLI/FIR and NACK only where negotiated */
    if (t->nack)
      gst_caps_set_simple (caps, "rtcp-fb-nack", G_TYPE_BOOLEAN, TRUE, NULL);
    if (t->pli)
      gst_caps_set_simple (caps, "rtcp-fb-nack-pli", G_TYPE_BOOLEAN, TRUE,
          NULL);
    if (t->fir)
      gst_caps_set_simple (caps, "rtcp-fb-ccm-fir", G_TYPE_BOOLEAN, TRUE, NULL);
    if (g_strcmp0 (t->encoding, "OPUS") == 0)
      gst_caps_set_simple (caps, "encoding-params", G_TYPE_STRING, "2", NULL);
    if (t->twcc_ext_id) {
      /* rtpsession reads the extension's id from extmap-N and sends
       * transport-wide feedback (draft-holmer-rmcat-transport-wide-cc-
       * extensions-01 section 3.1) for the packets that carry it */
      gchar *key = g_strdup_printf ("extmap-%u", t->twcc_ext_id);
      gst_caps_set_simple (caps, key, G_TYPE_STRING, GST_WRTC_EXTMAP_TWCC,
          "rtcp-fb-transport-cc", G_TYPE_BOOLEAN, TRUE, NULL);
      g_free (key);
    }
  }
  g_mutex_unlock (&s->lock);
  GST_DEBUG_OBJECT (s->src, "pt %u: %" GST_PTR_FORMAT, pt, caps);
  return caps;
}

/* RFC 4588: retransmissions arrive on their own payload type and SSRC */
static GstElement *
on_request_aux_receiver (GstElement * rtpbin, guint session, Session * s)
{
  GstStructure *map = gst_structure_new_empty ("application/x-rtp-pt-map");
  GstElement *bin, *rtx;
  GstPad *pad;
  gchar *name;
  guint i;

  g_mutex_lock (&s->lock);
  for (i = 0; i < s->tracks->len; i++) {
    Track *t = &g_array_index (s->tracks, Track, i);
    if (t->rtx_pt >= 0) {
      gchar *key = g_strdup_printf ("%u", t->pt);
      gst_structure_set (map, key, G_TYPE_UINT, (guint) t->rtx_pt, NULL);
      g_free (key);
    }
  }
  g_mutex_unlock (&s->lock);
  if (gst_structure_n_fields (map) == 0) {
    gst_structure_free (map);
    return NULL;
  }
  rtx = gst_element_factory_make ("rtprtxreceive", NULL);
  if (!rtx) {
    gst_structure_free (map);
    return NULL;
  }
  g_object_set (rtx, "payload-type-map", map, NULL);
  gst_structure_free (map);
  bin = gst_bin_new (NULL);
  gst_bin_add (GST_BIN (bin), rtx);
  pad = gst_element_get_static_pad (rtx, "src");
  name = g_strdup_printf ("src_%u", session);
  gst_element_add_pad (bin, gst_ghost_pad_new (name, pad));
  g_free (name);
  gst_object_unref (pad);
  pad = gst_element_get_static_pad (rtx, "sink");
  name = g_strdup_printf ("sink_%u", session);
  gst_element_add_pad (bin, gst_ghost_pad_new (name, pad));
  g_free (name);
  gst_object_unref (pad);
  return bin;
}

static GstElement *
make (GPtrArray * list, const gchar * factory, GError ** error)
{
  GstElement *e = gst_element_factory_make (factory, NULL);

  if (!e) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
        "element '%s' is missing", factory);
    return NULL;
  }
  g_ptr_array_add (list, gst_object_ref_sink (e));
  return e;
}

/* depayloader [! parser] [! decoder], or NULL with @error */
static GPtrArray *
make_chain (const CodecInfo * info, gboolean decode, GError ** error)
{
  GPtrArray *chain = g_ptr_array_new_with_free_func (gst_object_unref);
  GstElement *dec = NULL;
  guint i;

  if (!make (chain, info->depay, error))
    goto fail;

  if (decode) {
    /* H.264 decoders want a parsed stream */
    if (info->kind == GST_WRTC_MEDIA_VIDEO && info->parse
        && g_strcmp0 (info->name, "H264") == 0
        && !make (chain, info->parse, error))
      goto fail;
    for (i = 0; !dec && info->decoders[i]; i++) {
      dec = gst_element_factory_make (info->decoders[i], NULL);
      if (dec)
        g_ptr_array_add (chain, gst_object_ref_sink (dec));
    }
    if (!dec) {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
          "no %s decoder (%s) is installed", info->name, info->decoders[0]);
      goto fail;
    }
    if (GST_IS_VIDEO_DECODER (dec)) {
      /* survive loss; ask the sender for a keyframe (PLI through rtpbin)
       * when the decoder cannot go on */
      g_object_set (dec, "max-errors", -1, "automatic-request-sync-points",
          TRUE, NULL);
    }
  } else if (info->parse && !make (chain, info->parse, error)) {
    goto fail;
  }
  return chain;

fail:
  g_ptr_array_unref (chain);
  return NULL;
}

/* Builds every track's chain and pad as soon as the session is negotiated,
 * so that the pads come all at once, in m-section order, followed by
 * no-more-pads (a muxer downstream sees every stream before data). */
static gboolean
session_add_pads (Session * s, GError ** error)
{
  GstWrtcWebrtcSrc *self = s->src;
  GstElementClass *klass = GST_ELEMENT_GET_CLASS (self);
  GPtrArray *pads = g_ptr_array_new_with_free_func (gst_object_unref);
  gboolean decode;
  guint i, j;

  g_mutex_lock (&self->lock);
  decode = self->decode;
  g_mutex_unlock (&self->lock);

  for (i = 0; i < s->tracks->len; i++) {
    Track *t = &g_array_index (s->tracks, Track, i);
    const CodecInfo *info = codec_info (t->encoding);
    gboolean video = t->kind == GST_WRTC_MEDIA_VIDEO;
    GPtrArray *chain = make_chain (info, decode, error);
    GstElement *last;
    GstPad *target, *ghost;

    if (!chain) {
      g_ptr_array_unref (pads);
      return FALSE;
    }
    for (j = 0; j < chain->len; j++) {
      GstElement *e = g_ptr_array_index (chain, j);
      gst_bin_add (GST_BIN (self), e);
      g_ptr_array_add (s->elements, gst_object_ref (e));
    }
    for (j = 0; j + 1 < chain->len; j++)
      gst_element_link (g_ptr_array_index (chain, j),
          g_ptr_array_index (chain, j + 1));
    for (j = 0; j < chain->len; j++)
      gst_element_sync_state_with_parent (g_ptr_array_index (chain, j));
    last = g_ptr_array_index (chain, chain->len - 1);
    target = gst_element_get_static_pad (last, "src");
    /* keep-waiting: the pad of an earlier sender's track of that name
     * carries on with this one's (a new stream-start and caps) */
    g_mutex_lock (&self->lock);
    ghost = g_hash_table_lookup (self->pads, t->pad_name);
    if (ghost)
      gst_object_ref (ghost);
    g_mutex_unlock (&self->lock);
    if (ghost) {
      gst_ghost_pad_set_target (GST_GHOST_PAD (ghost), target);
    } else {
      ghost = gst_ghost_pad_new_from_template (t->pad_name, target,
          gst_element_class_get_pad_template (klass,
              video ? "video_%u" : "audio_%u"));
      gst_pad_set_active (ghost, TRUE);
      g_ptr_array_add (pads, gst_object_ref (ghost));
    }
    g_mutex_lock (&s->lock);
    t->depay_sink = gst_element_get_static_pad (g_ptr_array_index (chain, 0),
        "sink");
    t->chain_src = target;
    t->ghost = ghost;
    g_mutex_unlock (&s->lock);
    g_ptr_array_unref (chain);
  }
  for (i = 0; i < pads->len; i++) {
    GstPad *pad = g_ptr_array_index (pads, i);
    g_mutex_lock (&self->lock);
    g_hash_table_insert (self->pads, gst_pad_get_name (pad),
        gst_object_ref (pad));
    g_mutex_unlock (&self->lock);
    gst_element_add_pad (GST_ELEMENT (self), gst_object_ref (pad));
  }
  for (i = 0; i < s->tracks->len; i++) {
    Track *t = &g_array_index (s->tracks, Track, i);
    GST_INFO_OBJECT (self, "track %s: %s", t->pad_name, t->encoding);
    g_signal_emit (self, signals[SIGNAL_TRACK_ADDED], 0, t->pad_name,
        t->encoding);
  }
  if (pads->len)
    gst_element_no_more_pads (GST_ELEMENT (self));
  g_ptr_array_unref (pads);
  return TRUE;
}

/* A new SSRC: the media of its track flows from here. */
static void
on_rtpbin_pad_added (GstElement * rtpbin, GstPad * pad, Session * s)
{
  GstWrtcWebrtcSrc *self = s->src;
  gchar *name = gst_pad_get_name (pad);
  guint session_id, ssrc, pt;
  GstPad *target = NULL;
  gboolean video = FALSE, rtx = FALSE;
  Track *t;

  if (sscanf (name, "recv_rtp_src_%u_%u_%u", &session_id, &ssrc, &pt) != 3) {
    g_free (name);
    return;
  }
  g_free (name);

  g_mutex_lock (&s->lock);
  t = track_for_pt (s, pt, &rtx);
  /* an RTX stream rtprtxreceive could not map to its media yet (Chromium's
   * padding probes come before any retransmission) is not the track */
  if (t && !rtx && t->depay_sink && !t->linked && !s->ended) {
    target = gst_object_ref (t->depay_sink);
    t->linked = TRUE;
    t->ssrc = ssrc;
    video = t->kind == GST_WRTC_MEDIA_VIDEO;
  }
  g_mutex_unlock (&s->lock);

  if (!target) {
    /* a second SSRC on a track, or a payload type we did not agree to */
    GstElement *sink = gst_element_factory_make ("fakesink", NULL);
    GST_WARNING_OBJECT (self, "ignoring SSRC %08x payload type %u", ssrc, pt);
    g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
    gst_bin_add (GST_BIN (self), sink);
    g_ptr_array_add (s->elements, gst_object_ref (sink));
    target = gst_element_get_static_pad (sink, "sink");
    gst_pad_link (pad, target);
    gst_object_unref (target);
    gst_element_sync_state_with_parent (sink);
    return;
  }
  if (GST_PAD_LINK_FAILED (gst_pad_link (pad, target)))
    GST_WARNING_OBJECT (self, "could not link SSRC %08x", ssrc);
  gst_object_unref (target);
  GST_INFO_OBJECT (self, "SSRC %08x payload type %u started", ssrc, pt);

  /* a keyframe as soon as possible: PLI through rtpsession */
  if (video)
    gst_pad_send_event (pad,
        gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
            TRUE, 0));
}

/* our RTCP (receiver reports, NACK, PLI) to the sender */
static GstFlowReturn
on_rtcp_sample (GstAppSink * appsink, gpointer user_data)
{
  Session *s = user_data;
  GstSample *sample = gst_app_sink_pull_sample (appsink);
  GstBuffer *buf;
  GstMapInfo map;

  if (!sample)
    return GST_FLOW_OK;
  buf = gst_sample_get_buffer (sample);
  if (buf && gst_buffer_map (buf, &map, GST_MAP_READ)) {
    GError *err = NULL;
    gsize off = 0;
    /* count transport-cc feedback (RTPFB, FMT 15) in the compound */
    while (off + 4 <= map.size) {
      gsize plen = ((map.data[off + 2] << 8 | map.data[off + 3]) + 1) * 4;
      if (map.data[off + 1] == 205 && (map.data[off] & 0x1f) == 15) {
        g_mutex_lock (&s->lock);
        s->twcc_feedback++;
        g_mutex_unlock (&s->lock);
      }
      off += plen;
    }
    if (!gst_wrtc_peer_send_rtcp (s->peer, map.data, map.size, &err)) {
      GST_LOG_OBJECT (s->src, "%s", err->message);
      g_clear_error (&err);
    }
    gst_buffer_unmap (buf, &map);
  }
  gst_sample_unref (sample);
  return GST_FLOW_OK;
}

/* Our input pads are a live source's: no latency of their own. */
static gboolean
in_query (GstPad * pad, GstObject * parent, GstQuery * query)
{
  switch (GST_QUERY_TYPE (query)) {
    case GST_QUERY_LATENCY:
      gst_query_set_latency (query, TRUE, 0, GST_CLOCK_TIME_NONE);
      return TRUE;
    case GST_QUERY_CAPS:{
      GstCaps *caps = gst_pad_get_current_caps (pad);
      if (!caps)
        caps = gst_caps_new_any ();
      gst_query_set_caps_result (query, caps);
      gst_caps_unref (caps);
      return TRUE;
    }
    default:
      return FALSE;
  }
}

/* The receiving elements: one rtpbin session for the whole bundle (RFC
 * 8843), fed from the ICE thread through two pads of ours (RTP, RTCP: one
 * thread hop less than an appsrc; rtpbin's jitterbuffer decouples), its
 * RTCP out through an appsink to the peer. */
/* latency 0: packets go on in the thread that brings them, no
 * jitterbuffer thread (see gstwrtcplayoutbuffer.c) */
static GstElement *
on_request_jitterbuffer (GstElement * rtpbin, guint session, gpointer unused)
{
  return g_object_new (GST_TYPE_WRTC_PLAYOUT_BUFFER, NULL);
}

static gboolean
session_build (Session * s, GError ** error)
{
  GstWrtcWebrtcSrc *self = s->src;
  GstAppSinkCallbacks callbacks = { NULL, NULL, on_rtcp_sample, };
  GObject *internal = NULL;
  GstCaps *caps;
  GstPad *srcpad, *sinkpad;
  guint latency, i;

  g_mutex_lock (&self->lock);
  latency = self->latency;
  g_mutex_unlock (&self->lock);

  if (!(s->rtpbin = make (s->elements, "rtpbin", error))
      || !(s->rtcp_out = make (s->elements, "appsink", error)))
    return FALSE;

  g_object_set (s->rtpbin, "latency", latency, "do-retransmission", TRUE,
      "rtp-profile", GST_RTP_PROFILE_AVPF, NULL);
  if (latency == 0)
    g_signal_connect (s->rtpbin, "request-jitterbuffer",
        G_CALLBACK (on_request_jitterbuffer), NULL);
  g_signal_connect_data (s->rtpbin, "request-pt-map",
      G_CALLBACK (on_request_pt_map), session_ref (s), session_closure_notify,
      0);
  g_signal_connect_data (s->rtpbin, "request-aux-receiver",
      G_CALLBACK (on_request_aux_receiver), session_ref (s),
      session_closure_notify, 0);
  g_signal_connect_data (s->rtpbin, "pad-added",
      G_CALLBACK (on_rtpbin_pad_added), session_ref (s),
      session_closure_notify, 0);

  g_object_set (s->rtcp_out, "sync", FALSE, "async", FALSE, "max-buffers", 32,
      "drop", TRUE, NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (s->rtcp_out), &callbacks,
      session_ref (s), (GDestroyNotify) session_unref);

  for (i = 0; i < s->elements->len; i++)
    gst_bin_add (GST_BIN (self), g_ptr_array_index (s->elements, i));

  for (i = 0; i < 2; i++) {
    gchar *id = g_strdup_printf ("webrtcsrc-%p-%s", s, i ? "rtcp" : "rtp");
    GstSegment segment;
    GstEvent *ev;
    s->in[i] = gst_pad_new (i ? "rtcp_src" : "rtp_src", GST_PAD_SRC);
    gst_pad_set_query_function (s->in[i], in_query);
    gst_pad_set_active (s->in[i], TRUE);
    sinkpad = gst_element_request_pad_simple (s->rtpbin,
        i ? "recv_rtcp_sink_0" : "recv_rtp_sink_0");
    gst_pad_link (s->in[i], sinkpad);
    gst_object_unref (sinkpad);
    /* sticky events, sent on the first push (stored, not consumed) */
    ev = gst_event_new_stream_start (id);
    gst_pad_store_sticky_event (s->in[i], ev);
    gst_event_unref (ev);
    caps = gst_caps_new_empty_simple (i ? "application/x-rtcp" :
        "application/x-rtp");
    ev = gst_event_new_caps (caps);
    gst_pad_store_sticky_event (s->in[i], ev);
    gst_event_unref (ev);
    gst_caps_unref (caps);
    gst_segment_init (&segment, GST_FORMAT_TIME);
    ev = gst_event_new_segment (&segment);
    gst_pad_store_sticky_event (s->in[i], ev);
    gst_event_unref (ev);
    g_free (id);
  }
  srcpad = gst_element_request_pad_simple (s->rtpbin, "send_rtcp_src_0");
  sinkpad = gst_element_get_static_pad (s->rtcp_out, "sink");
  gst_pad_link (srcpad, sinkpad);
  gst_object_unref (srcpad);
  gst_object_unref (sinkpad);

  /* (session 0 exists now) transport-wide feedback every 100 ms, as
   * browsers send it */
  g_signal_emit_by_name (s->rtpbin, "get-internal-session", 0, &internal);
  if (internal) {
    g_object_set (internal, "twcc-feedback-interval",
        (guint64) (100 * GST_MSECOND), NULL);
    g_object_unref (internal);
  }

  for (i = 0; i < s->elements->len; i++)
    gst_element_sync_state_with_parent (g_ptr_array_index (s->elements, i));
  return TRUE;
}

static GstWrtcPeer *
new_peer (GstWrtcWebrtcSrc * self, Session * s, GError ** error)
{
  GstWrtcPeerConfig cfg = { 0, };
  GstWrtcPeer *peer;

  g_mutex_lock (&self->lock);
  cfg.local_addresses = (const gchar * const *) self->local_addresses;
  cfg.stun_server = self->stun_server;
  cfg.turn_servers = (const gchar * const *) self->turn_servers;
  cfg.cname = "webrtcsrc";
  cfg.twcc = TRUE;
  cfg.relay_only = self->ice_policy == GST_WRTC_ICE_TRANSPORT_POLICY_RELAY;
  peer = gst_wrtc_peer_new (&cfg, error);
  g_mutex_unlock (&self->lock);
  if (!peer)
    return NULL;
  gst_wrtc_peer_set_receive_func (peer, on_receive, s);
  g_signal_connect_data (peer, "state-changed", G_CALLBACK (on_state_changed),
      session_ref (s), session_closure_notify, 0);
  return peer;
}

static gboolean
noop (gpointer data)
{
  return G_SOURCE_REMOVE;
}

/* Stops the peer and takes the session's elements out of the bin (the
 * application thread, in a downward state change). */
static void
session_destroy (GstWrtcWebrtcSrc * self, Session * s)
{
  guint i;

  if (s->peer) {
    gst_wrtc_peer_set_receive_func (s->peer, NULL, NULL);
    g_signal_handlers_disconnect_by_func (s->peer, on_state_changed, s);
    gst_wrtc_peer_close (s->peer);
    /* a receive callback that read the function before it was cleared is
     * over once the ICE thread has run this */
    gst_wrtc_ice_context_invoke_sync (noop, NULL);
  }
  for (i = 0; i < 2; i++)
    if (s->in[i])
      gst_pad_set_active (s->in[i], FALSE);
  /* the pads stay (a next sender may carry on through them); they lose
   * this sender's chain */
  for (i = 0; i < s->tracks->len; i++) {
    Track *t = &g_array_index (s->tracks, Track, i);
    GstPad *target;
    if (!t->ghost)
      continue;
    target = gst_ghost_pad_get_target (GST_GHOST_PAD (t->ghost));
    if (target && target == t->chain_src)
      gst_ghost_pad_set_target (GST_GHOST_PAD (t->ghost), NULL);
    gst_clear_object (&target);
  }
  for (i = 0; i < s->elements->len; i++) {
    GstElement *e = g_ptr_array_index (s->elements, i);
    gst_element_set_state (e, GST_STATE_NULL);
    if (GST_OBJECT_PARENT (e) == GST_OBJECT (self))
      gst_bin_remove (GST_BIN (self), e);
  }
  g_ptr_array_foreach (s->elements, (GFunc) gst_object_unref, NULL);
  g_ptr_array_set_size (s->elements, 0);
}

/* keep-waiting: a sender that left goes; then the next may come */
static gpointer
teardown_thread (gpointer data)
{
  Session *s = data;
  GstWrtcWebrtcSrc *self = s->src;

  session_destroy (self, s);
  g_mutex_lock (&self->lock);
  if (self->session == s) {
    self->session = NULL;
    session_unref (s);
  }
  g_mutex_unlock (&self->lock);
  GST_INFO_OBJECT (self, "ready for the next publisher");
  session_unref (s);
  return NULL;
}

/* ------------------------------------------------------------------------
 * Codec preferences
 */
static GstWrtcCodecCap *
recv_codecs (GstWrtcWebrtcSrc * self, GstWrtcMediaKind kind, guint * n)
{
  gchar **names;
  GstWrtcCodecCap *caps;
  guint i, count = 0;

  g_mutex_lock (&self->lock);
  names = g_strdupv (kind == GST_WRTC_MEDIA_VIDEO ? self->video_codecs :
      self->audio_codecs);
  g_mutex_unlock (&self->lock);
  caps = g_new0 (GstWrtcCodecCap, names ? (g_strv_length (names) +
          G_N_ELEMENTS (h264_profiles)) + 1 : 1);
  for (i = 0; names && names[i]; i++) {
    const CodecInfo *info = codec_info (names[i]);
    guint j, variants = 1;
    if (!info || info->kind != kind)
      continue;
    /* H.264: every profile our decoder takes, in the publisher's terms
     * (OBS, ffmpeg and browsers offer different ones) */
    if (g_strcmp0 (info->name, "H264") == 0)
      variants = h264_full_decoder ()? G_N_ELEMENTS (h264_profiles) : 2;
    for (j = 0; j < variants; j++) {
      caps[count].kind = kind;
      caps[count].encoding = info->name;
      caps[count].clock_rate = info->clock_rate;
      caps[count].channels = info->channels;
      caps[count].fmtp = variants > 1 ? h264_profiles[j] : info->fmtp;
      count++;
    }
  }
  g_strfreev (names);
  *n = count;
  return caps;
}

/* video then audio, for the answerer */
static GstWrtcCodecCap *
all_recv_codecs (GstWrtcWebrtcSrc * self, guint * n)
{
  guint nv, na;
  GstWrtcCodecCap *v = recv_codecs (self, GST_WRTC_MEDIA_VIDEO, &nv);
  GstWrtcCodecCap *a = recv_codecs (self, GST_WRTC_MEDIA_AUDIO, &na);
  GstWrtcCodecCap *all = g_new0 (GstWrtcCodecCap, nv + na + 1);

  memcpy (all, v, nv * sizeof (*v));
  memcpy (all + nv, a, na * sizeof (*a));
  g_free (v);
  g_free (a);
  *n = nv + na;
  return all;
}

/* ------------------------------------------------------------------------
 * WHEP client (a thread of its own per start)
 */
/* Our offer, handed from the ICE thread to the WHEP thread; refcounted so
 * that a WHEP thread told to stop need not wait for it. */
static gpointer
whep_thread (gpointer data)
{
  GstWrtcWebrtcSrc *self = data;
  GstWrtcHttpClientSession *hs = NULL;
  GstWrtcOfferMedia media[2];
  GstWrtcCodecCap *vcaps, *acaps;
  GCancellable *cancellable;
  GstWrtcPeerSdpWait *w = gst_wrtc_peer_sdp_wait_new ();
  GError *err = NULL;
  gchar *url, *token, *offer = NULL;
  Session *s;
  guint nv, na, n = 0, retries = 0;

  g_mutex_lock (&self->lock);
  url = g_strdup (self->whep_url);
  token = g_strdup (self->token);
  cancellable = g_object_ref (self->cancellable);
  s = session_ref (self->session);
  g_mutex_unlock (&self->lock);

  /* the peer reads the codecs again when the answer comes */
  vcaps = s->offer_codecs[0] = recv_codecs (self, GST_WRTC_MEDIA_VIDEO, &nv);
  acaps = s->offer_codecs[1] = recv_codecs (self, GST_WRTC_MEDIA_AUDIO, &na);
  memset (media, 0, sizeof (media));
  if (nv) {
    media[n].kind = GST_WRTC_MEDIA_VIDEO;
    media[n].direction = GST_WRTC_DIRECTION_RECVONLY;
    media[n].codecs = vcaps;
    media[n].n_codecs = nv;
    n++;
  }
  if (na) {
    media[n].kind = GST_WRTC_MEDIA_AUDIO;
    media[n].direction = GST_WRTC_DIRECTION_RECVONLY;
    media[n].codecs = acaps;
    media[n].n_codecs = na;
    n++;
  }
  if (n == 0) {
    g_set_error (&err, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_NO_CODEC,
        "video-codecs and audio-codecs name no codec we can receive");
    goto fail;
  }

  /* RFC 9725 section 4.2: our offer (with every candidate), its answer */
  gst_wrtc_peer_create_offer (s->peer, media, n, gst_wrtc_peer_sdp_wait_func,
      gst_wrtc_peer_sdp_wait_ref (w));
  if (!(offer = gst_wrtc_peer_sdp_wait_get (w, cancellable, &err))) {
    if (g_cancellable_is_cancelled (cancellable))
      goto out;
    goto fail;
  }
  GST_DEBUG_OBJECT (self, "offer:\n%s", offer);

  /* a server with nothing to send yet (webrtcsink before its first
   * buffer) answers 503: the same offer again, until it works or we stop */
  while (!(hs = gst_wrtc_http_client_post_offer (url, token, offer, 0,
              cancellable, &err))) {
    if (!g_error_matches (err, GST_WRTC_HTTP_CLIENT_ERROR,
            GST_WRTC_HTTP_CLIENT_ERROR_UNAVAILABLE) || retries++ >= MAX_RETRIES)
      goto fail;
    GST_INFO_OBJECT (self, "%s; again in %u ms", err->message, RETRY_MS);
    g_clear_error (&err);
    g_usleep (RETRY_MS * 1000);
    if (g_cancellable_is_cancelled (cancellable))
      goto out;
  }
  GST_DEBUG_OBJECT (self, "answer from %s:\n%s", hs->location, hs->answer);
  g_mutex_lock (&self->lock);
  g_free (self->resource);
  self->resource = g_strdup (hs->location);
  g_mutex_unlock (&self->lock);
  if (!gst_wrtc_peer_set_answer (s->peer, hs->answer, &err)
      || !session_take_negotiation (s, &err) || !session_add_pads (s, &err))
    goto fail;
  GST_INFO_OBJECT (self, "receiving from %s", hs->location);
  goto out;

fail:
  if (!g_cancellable_is_cancelled (cancellable))
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
        ("Could not start a WHEP session with %s", url), ("%s", err->message));
out:
  g_clear_error (&err);
  gst_wrtc_http_client_session_free (hs);
  gst_wrtc_peer_sdp_wait_unref (w);
  g_free (offer);
  g_free (url);
  g_free (token);
  g_object_unref (cancellable);
  session_unref (s);
  return NULL;
}

/* ------------------------------------------------------------------------
 * WHIP server (its thread)
 */
static void
on_answer (GstWrtcPeer * peer, const gchar * sdp, const GError * error,
    gpointer user_data)
{
  Session *s = user_data;
  GstWrtcWebrtcSrc *self = s->src;
  GstWrtcHttpServer *server;
  GError *err = NULL;

  if (!error && (!session_take_negotiation (s, &err)
          || !session_add_pads (s, &err)))
    error = err;
  if (error)
    GST_WARNING_OBJECT (self, "publisher %s: no answer: %s", s->id,
        error->message);
  server = get_server (self);
  if (server) {
    gst_wrtc_http_server_complete_offer (server, s->id, error ? NULL : sdp,
        error);
    g_object_unref (server);
  }
  /* refused (error): the server ends it (on_end), it was no sender */
  g_mutex_lock (&s->lock);
  s->answered = !error;
  g_mutex_unlock (&s->lock);
  /* failed while answering: on_state_changed left it to us */
  if (!error && gst_wrtc_peer_get_state (peer) >= GST_WRTC_PEER_STATE_FAILED)
    on_state_changed (peer, gst_wrtc_peer_get_state (peer), s);
  g_clear_error (&err);
  session_unref (s);
}

static gchar *
on_offer (GstWrtcHttpServer * server, const gchar * endpoint,
    const gchar * session_id, const gchar * offer_sdp,
    const gchar * client_address, gpointer user_data, GError ** error)
{
  GstWrtcWebrtcSrc *self = user_data;
  GstWrtcCodecCap *caps;
  Session *s;
  guint n;

  g_mutex_lock (&self->lock);
  if (self->finished || self->session) {
    g_mutex_unlock (&self->lock);
    g_set_error (error, GST_WRTC_HTTP_ERROR, GST_WRTC_HTTP_ERROR_CONFLICT,
        self->finished ? "this webrtcsrc has ended its stream" :
        "another publisher is live (or still leaving); one at a time");
    return NULL;
  }
  s = session_new (self, session_id);
  self->session = s;
  self->sessions_total++;
  g_mutex_unlock (&self->lock);

  s->peer = new_peer (self, s, error);
  if (!s->peer || !session_build (s, error)) {
    GST_WARNING_OBJECT (self, "publisher %s: %s", session_id,
        error && *error ? (*error)->message : "failed");
    /* no end callback follows; the elements go when the element stops */
    g_mutex_lock (&self->lock);
    self->session = NULL;
    g_ptr_array_add (self->ended, s);
    g_mutex_unlock (&self->lock);
    return NULL;
  }
  GST_INFO_OBJECT (self, "publisher %s from %s", session_id, client_address);
  caps = all_recv_codecs (self, &n);
  gst_wrtc_peer_create_answer (s->peer, offer_sdp, NULL, 0, caps, n,
      on_answer, session_ref (s));
  g_free (caps);
  return NULL;
}

static gboolean
on_candidates (GstWrtcHttpServer * server, const gchar * session_id,
    const GstWrtcSdpFrag * frag, gpointer user_data, GError ** error)
{
  GstWrtcWebrtcSrc *self = user_data;
  GstWrtcPeer *peer = NULL;
  guint i;

  g_mutex_lock (&self->lock);
  if (self->session && g_strcmp0 (self->session->id, session_id) == 0
      && self->session->peer)
    peer = g_object_ref (self->session->peer);
  g_mutex_unlock (&self->lock);
  if (!peer) {
    g_set_error (error, GST_WRTC_HTTP_ERROR, GST_WRTC_HTTP_ERROR_UNPROCESSABLE,
        "no such publisher");
    return FALSE;
  }
  for (i = 0; frag->candidates && i < frag->candidates->len; i++) {
    GstWrtcSdpFragCandidate *c = g_ptr_array_index (frag->candidates, i);
    GError *err = NULL;
    if (!gst_wrtc_peer_add_remote_candidate (peer, c->candidate, &err)) {
      GST_DEBUG_OBJECT (self, "publisher %s: candidate %s ignored: %s",
          session_id, c->candidate, err->message);
      g_clear_error (&err);
    }
  }
  if (frag->end_of_candidates)
    gst_wrtc_peer_end_of_remote_candidates (peer);
  g_object_unref (peer);
  return TRUE;
}

static void
on_end (GstWrtcHttpServer * server, const gchar * session_id,
    GstWrtcHttpEndReason reason, gpointer user_data)
{
  GstWrtcWebrtcSrc *self = user_data;
  Session *s = NULL;
  gboolean had_media = FALSE;
  guint i;

  g_mutex_lock (&self->lock);
  if (self->session && g_strcmp0 (self->session->id, session_id) == 0)
    s = session_ref (self->session);
  g_mutex_unlock (&self->lock);
  if (!s)
    return;
  GST_INFO_OBJECT (self, "publisher %s ended: %s", session_id,
      gst_wrtc_http_end_reason_to_string (reason));
  /* a refused offer (its 4xx sent) was never a sender: no sender-left */
  if (reason != GST_WRTC_HTTP_END_REJECTED)
    session_end_media (s, gst_wrtc_http_end_reason_to_string (reason));
  if (s->peer)
    gst_wrtc_peer_close (s->peer);

  g_mutex_lock (&s->lock);
  for (i = 0; i < s->tracks->len; i++)
    if (g_array_index (s->tracks, Track, i).ghost)
      had_media = TRUE;
  g_mutex_unlock (&s->lock);
  /* a publisher that sent nothing leaves the element waiting for the next;
   * its elements go when the element stops */
  if (!had_media) {
    g_mutex_lock (&self->lock);
    if (self->session == s) {
      self->session = NULL;
      g_ptr_array_add (self->ended, session_ref (s));
    }
    g_mutex_unlock (&self->lock);
  }
  session_unref (s);
}

static const GstWrtcHttpCallbacks whip_callbacks = {
  on_offer, on_candidates, on_end
};

static void
add_page (GstWrtcHttpServer * server, const gchar * path, const gchar * file,
    const gchar * content_type)
{
  gchar *rpath = g_strconcat (RESOURCE_PREFIX, file, NULL);
  GBytes *body = g_resource_lookup_data (gst_wrtc_src_get_resource (),
      rpath, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

  g_free (rpath);
  if (body) {
    gst_wrtc_http_server_set_static (server, path, content_type, body);
    g_bytes_unref (body);
  }
}

/* ------------------------------------------------------------------------
 * States
 */
/* The WHIP server, its pages and the publisher's ICE servers (Link
 * headers on 201, RFC 9725 section 4.6, and /config.json for the page). */
static gboolean
start_whip_server (GstWrtcWebrtcSrc * self, const gchar * address,
    guint port, const gchar * token)
{
  GstWrtcHttpServer *server = gst_wrtc_http_server_new ();
  GError *err = NULL;
  gchar *stun, **turn, *url;
  gboolean ok, relay;

  /* published before it starts: its callbacks may run at once */
  g_mutex_lock (&self->lock);
  self->server = g_object_ref (server);
  stun = g_strdup (self->stun_server);
  turn = g_strdupv (self->turn_servers);
  relay = self->ice_policy == GST_WRTC_ICE_TRANSPORT_POLICY_RELAY;
  g_mutex_unlock (&self->lock);
  gst_wrtc_http_server_add_endpoint (server, "/whip",
      GST_WRTC_HTTP_ENDPOINT_WHIP, GST_WRTC_HTTP_ENDPOINT_FLAG_NONE,
      &whip_callbacks, self, NULL);
  gst_wrtc_http_server_set_token (server, token);
  add_page (server, "/publish", "publish.html", "text/html; charset=utf-8");
  add_page (server, "/publish.js", "publish.js",
      "text/javascript; charset=utf-8");
  ok = gst_wrtc_http_server_set_page_config (server, "/config.json", "whip",
      stun, (const gchar * const *) turn, relay, &err);
  g_free (stun);
  g_strfreev (turn);
  if (!ok) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Bad stun-server or turn-servers: %s", err->message), (NULL));
  } else if (!(ok = gst_wrtc_http_server_start (server, address, port, NULL,
              NULL, &err))) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
        ("Could not start the WHIP server on %s port %u", address, port),
        ("%s", err->message));
  }
  if (!ok) {
    g_clear_error (&err);
    g_mutex_lock (&self->lock);
    g_clear_object (&self->server);
    g_mutex_unlock (&self->lock);
    g_object_unref (server);
    return FALSE;
  }
  url = gst_wrtc_http_server_get_url (server);
  g_object_unref (server);
  g_mutex_lock (&self->lock);
  g_free (self->url);
  self->url = g_strdup (url);
  g_mutex_unlock (&self->lock);
  g_object_notify (G_OBJECT (self), "url");
  g_print ("webrtcsrc: publish to %swhip (a browser: %spublish)\n", url, url);
  g_free (url);
  return TRUE;
}

static gboolean
start (GstWrtcWebrtcSrc * self)
{
  GError *err = NULL;
  gchar *whep_url, *address, *token;
  guint port;
  Session *s;

  g_mutex_lock (&self->lock);
  if (self->ice_policy == GST_WRTC_ICE_TRANSPORT_POLICY_RELAY
      && !self->turn_servers) {
    g_mutex_unlock (&self->lock);
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("ice-transport-policy=relay needs turn-servers"),
        ("without a TURN server there is no candidate to connect with"));
    return FALSE;
  }
  whep_url = g_strdup (self->whep_url);
  address = g_strdup (self->address);
  token = g_strdup (self->token);
  port = self->port;
  self->finished = FALSE;
  g_mutex_unlock (&self->lock);

  if (whep_url) {
    s = session_new (self, NULL);
    s->peer = new_peer (self, s, &err);
    if (!s->peer || !session_build (s, &err)) {
      GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN, ("%s", err->message),
          (NULL));
      g_clear_error (&err);
      session_destroy (self, s);
      session_unref (s);
      g_free (whep_url);
      g_free (address);
      g_free (token);
      return FALSE;
    }
    g_mutex_lock (&self->lock);
    self->session = s;
    self->sessions_total++;
    self->cancellable = g_cancellable_new ();
    self->whep_thread = g_thread_new ("wrtc-whep", whep_thread, self);
    g_mutex_unlock (&self->lock);
  } else if (!start_whip_server (self, address, port, token)) {
    g_free (whep_url);
    g_free (address);
    g_free (token);
    return FALSE;
  }
  g_free (whep_url);
  g_free (address);
  g_free (token);
  return TRUE;
}

static void
stop (GstWrtcWebrtcSrc * self)
{
  GThread *thread;
  GCancellable *cancellable;
  gchar *resource, *token;
  GPtrArray *ended, *teardowns;
  GstWrtcHttpServer *server;
  GList *pads;
  Session *s;
  GError *err = NULL;
  guint i;

  /* senders that left finish going first: nothing else destroys them */
  g_mutex_lock (&self->lock);
  teardowns = self->teardowns;
  self->teardowns = g_ptr_array_new ();
  g_mutex_unlock (&self->lock);
  for (i = 0; i < teardowns->len; i++)
    g_thread_join (g_ptr_array_index (teardowns, i));
  g_ptr_array_unref (teardowns);

  g_mutex_lock (&self->lock);
  thread = g_steal_pointer (&self->whep_thread);
  cancellable = g_steal_pointer (&self->cancellable);
  s = g_steal_pointer (&self->session);
  g_mutex_unlock (&self->lock);

  if (cancellable)
    g_cancellable_cancel (cancellable);
  if (s) {
    /* stopping is not the sender leaving: no signal, no error, no EOS */
    g_mutex_lock (&s->lock);
    s->ended = TRUE;
    g_mutex_unlock (&s->lock);
  }
  if (s && s->peer && thread) {
    /* unblocks a WHEP thread waiting for our offer */
    gst_wrtc_peer_close (s->peer);
  }
  if (thread)
    g_thread_join (thread);
  g_clear_object (&cancellable);

  /* RFC 9725 section 4.2: tell the WHEP server we are done */
  g_mutex_lock (&self->lock);
  resource = g_steal_pointer (&self->resource);
  token = g_strdup (self->token);
  g_mutex_unlock (&self->lock);
  if (resource && !gst_wrtc_http_client_delete (resource, token,
          DELETE_TIMEOUT_S, NULL, &err)) {
    GST_INFO_OBJECT (self, "%s", err->message);
    g_clear_error (&err);
  }
  g_free (resource);
  g_free (token);

  g_mutex_lock (&self->lock);
  server = g_steal_pointer (&self->server);
  g_mutex_unlock (&self->lock);
  if (server) {
    /* ends the publisher's session through on_end */
    gst_wrtc_http_server_stop (server);
    g_object_unref (server);
  }
  g_mutex_lock (&self->lock);
  if (s)
    g_ptr_array_add (self->ended, s);
  ended = self->ended;
  self->ended = g_ptr_array_new ();
  g_clear_pointer (&self->url, g_free);
  g_mutex_unlock (&self->lock);
  for (i = 0; i < ended->len; i++) {
    session_destroy (self, g_ptr_array_index (ended, i));
    session_unref (g_ptr_array_index (ended, i));
  }
  g_ptr_array_unref (ended);

  g_mutex_lock (&self->lock);
  pads = g_hash_table_get_values (self->pads);
  g_list_foreach (pads, (GFunc) gst_object_ref, NULL);
  g_hash_table_remove_all (self->pads);
  g_mutex_unlock (&self->lock);
  for (GList * l = pads; l; l = l->next) {
    gst_pad_set_active (l->data, FALSE);
    gst_element_remove_pad (GST_ELEMENT (self), l->data);
  }
  g_list_free_full (pads, gst_object_unref);

  if (!gst_wrtc_ice_context_wait_closes (2 * G_USEC_PER_SEC))
    GST_WARNING_OBJECT (self, "some ICE transports were still closing");
}

/* EOS sent to the element (gst_element_send_event(), as a pipeline does
 * with its sources): every pad ends, as if the sender had left. */
static gboolean
gst_wrtc_webrtc_src_send_event (GstElement * element, GstEvent * event)
{
  GstWrtcWebrtcSrc *self = GST_WRTC_WEBRTC_SRC (element);
  Session *s;

  if (GST_EVENT_TYPE (event) != GST_EVENT_EOS)
    return GST_ELEMENT_CLASS (parent_class)->send_event (element, event);
  gst_event_unref (event);

  g_mutex_lock (&self->lock);
  s = self->session ? session_ref (self->session) : NULL;
  g_mutex_unlock (&self->lock);
  if (!s)
    return FALSE;
  session_push_eos (s);
  session_unref (s);
  return TRUE;
}

static GstStateChangeReturn
gst_wrtc_webrtc_src_change_state (GstElement * element,
    GstStateChange transition)
{
  GstWrtcWebrtcSrc *self = GST_WRTC_WEBRTC_SRC (element);
  GstStateChangeReturn ret;

  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
    if (!start (self))
      return GST_STATE_CHANGE_FAILURE;
  }

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE) {
    if (transition == GST_STATE_CHANGE_READY_TO_PAUSED)
      stop (self);
    return ret;
  }

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
      /* a live source: no preroll */
      ret = GST_STATE_CHANGE_NO_PREROLL;
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      stop (self);
      break;
    default:
      break;
  }
  return ret;
}

/* ------------------------------------------------------------------------
 * GObject
 */
/* rtpbin's view of the sender's SSRC @ssrc (source-stats of session 0),
 * or NULL */
static GstStructure *
source_stats (GstElement * rtpbin, guint32 ssrc)
{
  GstStructure *stats = NULL, *found = NULL;
  GObject *session = NULL;
  const GValue *sources;
  guint i;

  g_signal_emit_by_name (rtpbin, "get-session", 0, &session);
  if (!session)
    return NULL;
  g_object_get (session, "stats", &stats, NULL);
  g_object_unref (session);
  sources = stats ? gst_structure_get_value (stats, "source-stats") : NULL;
  /* rtpsession hands out a GValueArray (deprecated, still its type) */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS;
  for (i = 0; sources && G_VALUE_HOLDS_BOXED (sources)
      && i < ((GValueArray *) g_value_get_boxed (sources))->n_values; i++) {
    GValueArray *arr = g_value_get_boxed (sources);
    const GstStructure *src = gst_value_get_structure (&arr->values[i]);
    guint v;
    if (gst_structure_get_uint (src, "ssrc", &v) && v == ssrc) {
      found = gst_structure_copy (src);
      break;
    }
  }
  G_GNUC_END_IGNORE_DEPRECATIONS;
  if (stats)
    gst_structure_free (stats);
  return found;
}

/* W3C RTCInboundRtpStreamStats names, from rtpbin's source stats */
static void
add_inbound_stats (GstStructure * out, const GstStructure * src,
    guint clock_rate)
{
  guint64 u64;
  gint lost;
  guint jitter, n;

  if (gst_structure_get_uint64 (src, "packets-received", &u64))
    gst_structure_set (out, "packetsReceived", G_TYPE_UINT64, u64, NULL);
  if (gst_structure_get_uint64 (src, "octets-received", &u64))
    gst_structure_set (out, "bytesReceived", G_TYPE_UINT64, u64, NULL);
  if (gst_structure_get_int (src, "packets-lost", &lost))
    gst_structure_set (out, "packetsLost", G_TYPE_INT, lost, NULL);
  if (gst_structure_get_uint (src, "jitter", &jitter) && clock_rate)
    gst_structure_set (out, "jitter", G_TYPE_DOUBLE,
        (gdouble) jitter / clock_rate, NULL);
  if (gst_structure_get_uint (src, "sent-nack-count", &n))
    gst_structure_set (out, "nackCount", G_TYPE_UINT, n, NULL);
  if (gst_structure_get_uint (src, "sent-pli-count", &n))
    gst_structure_set (out, "pliCount", G_TYPE_UINT, n, NULL);
  if (gst_structure_get_uint (src, "sent-fir-count", &n))
    gst_structure_set (out, "firCount", G_TYPE_UINT, n, NULL);
}

static GstStructure *
make_stats (GstWrtcWebrtcSrc * self)
{
  GstStructure *st;
  GValue tracks = G_VALUE_INIT;
  GPtrArray *inbound;
  GArray *ssrcs, *rates;
  GstElement *rtpbin = NULL;
  Session *s;
  guint i;

  g_mutex_lock (&self->lock);
  s = self->session ? session_ref (self->session) : NULL;
  st = gst_structure_new ("webrtcsrc-stats",
      "mode", G_TYPE_STRING, self->whep_url ? "whep" : "whip",
      "sessions-total", G_TYPE_UINT, self->sessions_total, NULL);
  g_mutex_unlock (&self->lock);

  g_value_init (&tracks, GST_TYPE_ARRAY);
  if (!s) {
    gst_structure_set (st, "state", G_TYPE_STRING, "waiting", NULL);
    gst_structure_take_value (st, "tracks", &tracks);
    return st;
  }
  gst_structure_set (st, "state", G_TYPE_STRING, s->peer ?
      gst_wrtc_peer_state_name (gst_wrtc_peer_get_state (s->peer)) : "new",
      NULL);
  /* W3C transport, candidate-pair, local- and remote-candidate */
  if (s->peer)
    gst_wrtc_peer_add_transport_stats (s->peer, st);
  inbound = g_ptr_array_new ();
  ssrcs = g_array_new (FALSE, FALSE, sizeof (guint32));
  rates = g_array_new (FALSE, FALSE, sizeof (guint));
  g_mutex_lock (&s->lock);
  gst_structure_set (st, "packets-received", G_TYPE_UINT64, s->packets,
      "bytes-received", G_TYPE_UINT64, s->bytes,
      "transport-cc-feedback-sent", G_TYPE_UINT64, s->twcc_feedback, NULL);
  if (s->rtpbin)
    rtpbin = gst_object_ref (s->rtpbin);
  for (i = 0; i < s->tracks->len; i++) {
    Track *t = &g_array_index (s->tracks, Track, i);
    guint32 ssrc = t->linked ? t->ssrc : 0;
    g_ptr_array_add (inbound, gst_structure_new ("inbound-rtp",
            "pad", G_TYPE_STRING, t->pad_name,
            "kind", G_TYPE_STRING,
            t->kind == GST_WRTC_MEDIA_VIDEO ? "video" : "audio",
            "codec", G_TYPE_STRING, t->encoding,
            "payload-type", G_TYPE_UINT, t->pt,
            "started", G_TYPE_BOOLEAN, t->linked, NULL));
    if (t->linked)
      gst_structure_set (g_ptr_array_index (inbound, i), "ssrc", G_TYPE_UINT,
          ssrc, NULL);
    g_array_append_val (ssrcs, ssrc);
    g_array_append_val (rates, t->clock_rate);
  }
  g_mutex_unlock (&s->lock);

  /* rtpbin is asked without our locks: its signal takes its own */
  for (i = 0; i < inbound->len; i++) {
    GstStructure *in = g_ptr_array_index (inbound, i);
    GstStructure *src = NULL;
    GValue v = G_VALUE_INIT;
    if (rtpbin && g_array_index (ssrcs, guint32, i))
      src = source_stats (rtpbin, g_array_index (ssrcs, guint32, i));
    if (src) {
      add_inbound_stats (in, src, g_array_index (rates, guint, i));
      gst_structure_free (src);
    }
    g_value_init (&v, GST_TYPE_STRUCTURE);
    g_value_take_boxed (&v, in);
    gst_value_array_append_and_take_value (&tracks, &v);
  }
  gst_clear_object (&rtpbin);
  g_ptr_array_unref (inbound);
  g_array_unref (ssrcs);
  g_array_unref (rates);
  session_unref (s);
  gst_structure_take_value (st, "tracks", &tracks);
  return st;
}

static void
gst_wrtc_webrtc_src_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstWrtcWebrtcSrc *self = GST_WRTC_WEBRTC_SRC (object);

  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_WHEP_URL:
      g_free (self->whep_url);
      self->whep_url = g_value_dup_string (value);
      if (self->whep_url && !*self->whep_url)
        g_clear_pointer (&self->whep_url, g_free);
      break;
    case PROP_ADDRESS:
      g_free (self->address);
      self->address = g_value_dup_string (value);
      if (!self->address)
        self->address = g_strdup (DEFAULT_ADDRESS);
      break;
    case PROP_PORT:
      self->port = g_value_get_uint (value);
      break;
    case PROP_STUN_SERVER:
      g_free (self->stun_server);
      self->stun_server = g_value_dup_string (value);
      break;
    case PROP_TURN_SERVERS:
      g_strfreev (self->turn_servers);
      self->turn_servers = gst_wrtc_list_split (g_value_get_string (value));
      break;
    case PROP_LOCAL_ADDRESSES:
      g_strfreev (self->local_addresses);
      self->local_addresses = gst_wrtc_list_split (g_value_get_string (value));
      break;
    case PROP_LATENCY:
      self->latency = g_value_get_uint (value);
      break;
    case PROP_TOKEN:
      g_free (self->token);
      self->token = g_value_dup_string (value);
      break;
    case PROP_DECODE:
      self->decode = g_value_get_boolean (value);
      break;
    case PROP_KEEP_WAITING:
      self->keep_waiting = g_value_get_boolean (value);
      break;
    case PROP_ICE_TRANSPORT_POLICY:
      self->ice_policy = g_value_get_enum (value);
      break;
    case PROP_VIDEO_CODECS:
      g_strfreev (self->video_codecs);
      self->video_codecs = gst_wrtc_list_split (g_value_get_string (value));
      break;
    case PROP_AUDIO_CODECS:
      g_strfreev (self->audio_codecs);
      self->audio_codecs = gst_wrtc_list_split (g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_mutex_unlock (&self->lock);
}

static void
gst_wrtc_webrtc_src_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstWrtcWebrtcSrc *self = GST_WRTC_WEBRTC_SRC (object);

  if (prop_id == PROP_STATS) {
    g_value_take_boxed (value, make_stats (self));
    return;
  }
  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_WHEP_URL:
      g_value_set_string (value, self->whep_url);
      break;
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_STUN_SERVER:
      g_value_set_string (value, self->stun_server);
      break;
    case PROP_TURN_SERVERS:
      g_value_take_string (value, gst_wrtc_list_join (self->turn_servers));
      break;
    case PROP_LOCAL_ADDRESSES:
      g_value_take_string (value, gst_wrtc_list_join (self->local_addresses));
      break;
    case PROP_LATENCY:
      g_value_set_uint (value, self->latency);
      break;
    case PROP_TOKEN:
      g_value_set_string (value, self->token);
      break;
    case PROP_DECODE:
      g_value_set_boolean (value, self->decode);
      break;
    case PROP_KEEP_WAITING:
      g_value_set_boolean (value, self->keep_waiting);
      break;
    case PROP_ICE_TRANSPORT_POLICY:
      g_value_set_enum (value, self->ice_policy);
      break;
    case PROP_VIDEO_CODECS:
      g_value_take_string (value, gst_wrtc_list_join (self->video_codecs));
      break;
    case PROP_AUDIO_CODECS:
      g_value_take_string (value, gst_wrtc_list_join (self->audio_codecs));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_mutex_unlock (&self->lock);
}

static void
gst_wrtc_webrtc_src_finalize (GObject * object)
{
  GstWrtcWebrtcSrc *self = GST_WRTC_WEBRTC_SRC (object);

  g_free (self->whep_url);
  g_free (self->address);
  g_free (self->url);
  g_free (self->stun_server);
  g_strfreev (self->turn_servers);
  g_strfreev (self->local_addresses);
  g_free (self->token);
  g_strfreev (self->video_codecs);
  g_strfreev (self->audio_codecs);
  g_free (self->resource);
  g_ptr_array_unref (self->ended);
  g_ptr_array_unref (self->teardowns);
  g_hash_table_unref (self->pads);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_wrtc_webrtc_src_class_init (GstWrtcWebrtcSrcClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
      | GST_PARAM_MUTABLE_READY;

  GST_DEBUG_CATEGORY_INIT (gst_wrtc_webrtc_src_debug, "webrtcsrc", 0,
      "webrtcsrc: receives WebRTC media (WHEP client, WHIP server)");

  gobject_class->set_property = gst_wrtc_webrtc_src_set_property;
  gobject_class->get_property = gst_wrtc_webrtc_src_get_property;
  gobject_class->finalize = gst_wrtc_webrtc_src_finalize;

  g_object_class_install_property (gobject_class, PROP_WHEP_URL,
      g_param_spec_string ("whep-url", "WHEP URL",
          "WHEP endpoint to pull from, e.g. http://127.0.0.1:8080/whep "
          "(NULL: be a WHIP server on address:port instead)", NULL, rw));
  g_object_class_install_property (gobject_class, PROP_ADDRESS,
      g_param_spec_string ("address", "Address",
          "IP address (or \"localhost\") the WHIP server listens on; "
          "0.0.0.0 or :: for every interface", DEFAULT_ADDRESS, rw));
  g_object_class_install_property (gobject_class, PROP_PORT,
      g_param_spec_uint ("port", "Port",
          "TCP port of the WHIP server (0: any free port, see the url "
          "property)", 0, 65535, DEFAULT_PORT, rw));
  g_object_class_install_property (gobject_class, PROP_URL,
      g_param_spec_string ("url", "URL",
          "Base URL of the WHIP server while it runs, e.g. "
          "http://127.0.0.1:8081/ (publish to URL/whip, or open "
          "URL/publish in a browser); NULL in WHEP mode", NULL,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_STUN_SERVER,
      g_param_spec_string ("stun-server", "STUN server",
          "STUN server for our server-reflexive candidates, "
          "as stun://host:port (NULL: none)", NULL, rw));
  g_object_class_install_property (gobject_class, PROP_TURN_SERVERS,
      g_param_spec_string ("turn-servers", "TURN servers",
          "Comma-separated TURN servers for relayed candidates, as "
          "turn(s)://user:password@host:port (NULL: none)", NULL, rw));
  g_object_class_install_property (gobject_class, PROP_LOCAL_ADDRESSES,
      g_param_spec_string ("local-addresses", "Local addresses",
          "Comma-separated IP addresses ICE gathers candidates on, e.g. "
          "127.0.0.1 (NULL: every interface)", NULL, rw));
  g_object_class_install_property (gobject_class, PROP_LATENCY,
      g_param_spec_uint ("latency", "Latency",
          "Jitterbuffer latency in milliseconds: how long packets wait for "
          "late or retransmitted ones (0: none wait, late ones are dropped)",
          0, 10000, DEFAULT_LATENCY, rw));
  g_object_class_install_property (gobject_class, PROP_TOKEN,
      g_param_spec_string ("token", "Token",
          "Bearer token: sent to the WHEP server, or required from WHIP "
          "publishers (NULL or empty: none)", NULL, rw));
  g_object_class_install_property (gobject_class, PROP_DECODE,
      g_param_spec_boolean ("decode", "Decode",
          "Output raw decoded media; FALSE: parsed encoded streams (VP8, "
          "VP9, H.264 avc, Opus) for recording without transcoding",
          DEFAULT_DECODE, rw));
  g_object_class_install_property (gobject_class, PROP_KEEP_WAITING,
      g_param_spec_boolean ("keep-waiting", "Keep waiting",
          "WHIP server: when a publisher leaves, keep the pads (no EOS) and "
          "wait for the next one, whose tracks continue on the pads of the "
          "same names; FALSE: EOS when the publisher leaves",
          DEFAULT_KEEP_WAITING, rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_ICE_TRANSPORT_POLICY,
      g_param_spec_enum ("ice-transport-policy", "ICE transport policy",
          "W3C iceTransportPolicy: all (every candidate) or relay (TURN "
          "only: needs turn-servers; the remote never learns our "
          "addresses; also handed to the browser pages)",
          GST_WRTC_TYPE_ICE_TRANSPORT_POLICY, GST_WRTC_ICE_TRANSPORT_POLICY_ALL,
          rw));
  g_object_class_install_property (gobject_class, PROP_VIDEO_CODECS,
      g_param_spec_string ("video-codecs", "Video codecs",
          "Comma-separated video codecs we accept, in preference order "
          "(VP8, H264, VP9)", DEFAULT_VIDEO_CODECS, rw));
  g_object_class_install_property (gobject_class, PROP_AUDIO_CODECS,
      g_param_spec_string ("audio-codecs", "Audio codecs",
          "Comma-separated audio codecs we accept, in preference order "
          "(OPUS)", DEFAULT_AUDIO_CODECS, rw));
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "A webrtcsrc-stats structure: mode (whep or whip), state of the "
          "current sender, packets-received, bytes-received, sessions-total, "
          "the W3C transport, candidate-pair and candidates, and per track "
          "(inbound-rtp) its pad, kind, codec and payload type",
          GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * GstWrtcWebrtcSrc::track-added:
   * @src: the webrtcsrc
   * @pad_name: the new source pad (video_0, audio_0, ...)
   * @codec: the codec the track carries (VP8, H264, VP9, OPUS)
   *
   * A remote track started and its pad was added (a streaming thread).
   */
  signals[SIGNAL_TRACK_ADDED] = g_signal_new ("track-added",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  /**
   * GstWrtcWebrtcSrc::sender-left:
   * @src: the webrtcsrc
   * @reason: why (DELETE, connection failed or closed, ...)
   *
   * The sender went away; the source pads get EOS next.
   */
  signals[SIGNAL_SENDER_LEFT] = g_signal_new ("sender-left",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_STRING);

  gst_element_class_add_static_pad_template (element_class, &video_template);
  gst_element_class_add_static_pad_template (element_class, &audio_template);
  gst_element_class_set_static_metadata (element_class, "WebRTC source",
      "Source/Network/WebRTC",
      "Receives audio and video over WebRTC: a WHEP client, or a WHIP "
      "server with a publishing page", "gst-plugins-webrtc developers");

  element_class->change_state = gst_wrtc_webrtc_src_change_state;
  element_class->send_event = gst_wrtc_webrtc_src_send_event;
}

static void
gst_wrtc_webrtc_src_init (GstWrtcWebrtcSrc * self)
{
  g_mutex_init (&self->lock);
  self->address = g_strdup (DEFAULT_ADDRESS);
  self->port = DEFAULT_PORT;
  self->latency = DEFAULT_LATENCY;
  self->decode = DEFAULT_DECODE;
  self->video_codecs = gst_wrtc_list_split (DEFAULT_VIDEO_CODECS);
  self->audio_codecs = gst_wrtc_list_split (DEFAULT_AUDIO_CODECS);
  self->ended = g_ptr_array_new ();
  self->teardowns = g_ptr_array_new ();
  self->keep_waiting = DEFAULT_KEEP_WAITING;
  self->pads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      gst_object_unref);
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SOURCE);
}
