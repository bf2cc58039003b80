/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: a webrtcsrc session with one sender (see
 * gstwrtcsrc-private.h).
 *
 * The peer's packets go from the ICE thread into rtpbin (see
 * gstwrtcsrcrtpbin.c); per SSRC rtpbin's pad links to the track's
 * depayloader [! parser] [! decoder] chain, whose src is the target of
 * the track's ghost pad.  Its life cycle (new, live, ended) changes only
 * through session_set_state_locked().
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/video/video.h>

#include "gstwrtcsrc-private.h"

GST_DEBUG_CATEGORY_EXTERN (gst_wrtc_webrtc_src_debug);
#define GST_CAT_DEFAULT gst_wrtc_webrtc_src_debug

/* bounds the close of a session's peer (TURN allocations deleted) */
#define CLOSE_TIMEOUT_US (2 * G_USEC_PER_SEC)

static void
track_clear (Track * t)
{
  g_free (t->pad_name);
  g_free (t->encoding);
  gst_clear_object (&t->ghost);
  gst_clear_object (&t->depay_sink);
  gst_clear_object (&t->chain_src);
}

Session *
gst_wrtc_src_session_ref (Session * s)
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

void
gst_wrtc_src_session_unref (Session * s)
{
  g_atomic_rc_box_release_full (s, (GDestroyNotify) session_clear);
}

static void
session_closure_notify (gpointer data, GClosure * closure)
{
  gst_wrtc_src_session_unref (data);
}

/* The one setter of a session's state.  Session lock. */
static gboolean
session_set_state_locked (Session * s, GstWrtcSourceSessionState to)
{
  if (!gst_wrtc_fsm_transition (gst_wrtc_source_session_state_machine (),
          s->src, s->id ? s->id : "(whep)", s->state, to))
    return FALSE;
  s->state = to;
  return TRUE;
}

gboolean
gst_wrtc_src_session_set_state (Session * s, GstWrtcSourceSessionState to)
{
  gboolean ok;

  g_mutex_lock (&s->lock);
  ok = session_set_state_locked (s, to);
  g_mutex_unlock (&s->lock);
  return ok;
}

GstWrtcSourceSessionState
gst_wrtc_src_session_get_state (Session * s)
{
  GstWrtcSourceSessionState state;

  g_mutex_lock (&s->lock);
  state = s->state;
  g_mutex_unlock (&s->lock);
  return state;
}

/* With the session lock. */
Track *
gst_wrtc_src_session_track_for_pt (Session * s, guint pt, gboolean * rtx)
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

gboolean
gst_wrtc_src_session_had_media (Session * s)
{
  gboolean had_media = FALSE;
  guint i;

  g_mutex_lock (&s->lock);
  for (i = 0; i < s->tracks->len; i++)
    if (g_array_index (s->tracks, Track, i).ghost)
      had_media = TRUE;
  g_mutex_unlock (&s->lock);
  return had_media;
}

/* ------------------------------------------------------------------------
 * The end
 */
void
gst_wrtc_src_session_push_eos (Session * s)
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
void
gst_wrtc_src_session_end_media (Session * s, const gchar * reason)
{
  GstWrtcWebrtcSrc *self = s->src;
  gboolean had_media, keep_waiting;

  if (!gst_wrtc_src_session_set_state (s, GST_WRTC_SOURCE_SESSION_ENDED))
    return;
  had_media = gst_wrtc_src_session_had_media (s);

  keep_waiting = s->id != NULL
      && gst_wrtc_bin_settings_get_boolean (&self->settings, PROP_KEEP_WAITING);
  g_mutex_lock (&self->lock);
  if (keep_waiting)
    gst_wrtc_webrtc_src_run_locked (self, "wrtc-src-teardown",
        (GFunc) gst_wrtc_src_session_teardown, s);
  else if (had_media)
    self->finished = TRUE;
  g_mutex_unlock (&self->lock);

  /* its channels' pads end and go */
  gst_wrtc_bin_data_remove_peer (self->data, GST_WRTC_SRC_SESSION_DATA_ID (s));
  GST_INFO_OBJECT (self, "sender left (%s)%s", reason,
      keep_waiting ? ", waiting for the next" : had_media ? ", EOS" : "");
  gst_wrtc_webrtc_src_emit_sender_left (self, reason);
  if (!keep_waiting && had_media)
    gst_wrtc_src_session_push_eos (s);
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

static void
end_http_session (Session * s)
{
  GstWrtcHttpServer *server = gst_wrtc_webrtc_src_get_server (s->src);

  if (server) {
    gst_wrtc_http_server_end_session (server, s->id);
    g_object_unref (server);
  }
}

static void
on_state_changed (GstWrtcPeer * peer, guint state, Session * s)
{
  GST_INFO_OBJECT (s->src, "sender %s: %s", s->id ? s->id : "(whep)",
      gst_wrtc_peer_state_name (state));
  /* a WHIP offer refused while being answered is no sender: on_answer
   * sends its 4xx (an end_session here would race it with a 503) */
  if (s->id && state >= GST_WRTC_PEER_STATE_FAILED
      && gst_wrtc_src_session_get_state (s) == GST_WRTC_SOURCE_SESSION_NEW)
    return;
  if (state == GST_WRTC_PEER_STATE_FAILED
      || state == GST_WRTC_PEER_STATE_CLOSED) {
    gst_wrtc_src_session_end_media (s, state == GST_WRTC_PEER_STATE_FAILED ?
        "the connection failed" : "the connection was closed");
    if (s->id)
      end_http_session (s);
  }
}

/* A session with its peer and rtpbin; on failure one to destroy all the
 * same (@error set). */
Session *
gst_wrtc_src_session_new (GstWrtcWebrtcSrc * self, const gchar * id,
    GError ** error)
{
  Session *s = g_atomic_rc_box_new0 (Session);

  s->src = self;
  s->id = g_strdup (id);
  s->elements = g_ptr_array_new ();
  g_mutex_init (&s->lock);
  g_mutex_init (&s->push_lock);
  s->state = GST_WRTC_SOURCE_SESSION_NEW;
  s->tracks = g_array_new (FALSE, TRUE, sizeof (Track));
  g_array_set_clear_func (s->tracks, (GDestroyNotify) track_clear);

  /* data channels: offered (WHEP), accepted (WHIP) */
  s->peer = gst_wrtc_bin_settings_new_peer (&self->settings, TRUE, TRUE, error);
  if (!s->peer)
    return s;
  gst_wrtc_peer_set_receive_func (s->peer, on_receive, s);
  g_signal_connect_data (s->peer, "state-changed",
      G_CALLBACK (on_state_changed), gst_wrtc_src_session_ref (s),
      session_closure_notify, 0);
  gst_wrtc_src_session_build_rtpbin (s, error);
  return s;
}

/* ------------------------------------------------------------------------
 * Negotiated: tracks, chains, pads
 */

/* Reads the negotiated m-sections we receive into the session's tracks
 * and names their pads (kind order, from 0). */
static gboolean
take_negotiation (Session * s, GError ** error)
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
    const GstWrtcCodecInfo *codec = gst_wrtc_codec_info_by_name (n->kind,
        n->codec.encoding);
    Track t = { 0, };
    if (n->rejected || (n->direction != GST_WRTC_DIRECTION_RECVONLY
            && n->direction != GST_WRTC_DIRECTION_SENDRECV) || !codec)
      continue;
    t.index = n->index;
    t.kind = n->kind;
    t.codec = codec;
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
  g_mutex_unlock (&s->lock);
  /* data channels alone are a session (RFC 8841): their data_%u pads */
  if (nv + na == 0 && neg->datachannel < 0) {
    g_set_error (error, GST_WRTC_JSEP_ERROR, GST_WRTC_JSEP_ERROR_NO_CODEC,
        "the session has no track we can receive");
    return FALSE;
  }
  return TRUE;
}

/* depayloader [! parser] [! decoder], or NULL with @error */
static GPtrArray *
make_chain (const GstWrtcCodecInfo * codec, gboolean decode, GError ** error)
{
  GPtrArray *chain = g_ptr_array_new_with_free_func (gst_object_unref);
  GstElement *dec = NULL;
  guint i;

  if (!gst_wrtc_make_element (chain, codec->depayloader, error))
    goto fail;
  if (decode) {
    if (codec->parse_to_decode
        && !gst_wrtc_make_element (chain, codec->parser, error))
      goto fail;
    for (i = 0; !dec && codec->decoders[i]; i++) {
      dec = gst_element_factory_make (codec->decoders[i], NULL);
      if (dec)
        g_ptr_array_add (chain, gst_object_ref_sink (dec));
    }
    if (!dec) {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
          "no %s decoder (%s) is installed", codec->name, codec->decoders[0]);
      goto fail;
    }
    if (GST_IS_VIDEO_DECODER (dec)) {
      /* survive loss; ask the sender for a keyframe (PLI through rtpbin)
       * when the decoder cannot go on */
      g_object_set (dec, "max-errors", -1, "automatic-request-sync-points",
          TRUE, NULL);
    }
  } else if (codec->parser && !gst_wrtc_make_element (chain, codec->parser,
          error)) {
    goto fail;
  }
  return chain;

fail:
  g_ptr_array_unref (chain);
  return NULL;
}

/* A track's pad ended downstream (GST_FLOW_EOS came back, as in "record
 * the first N frames"): as basesrc does, that pad gets EOS and stops; once
 * every pad of the session has, the session ends.  The pad's streaming
 * thread. */
static void
pad_downstream_eos (GstWrtcWebrtcSrc * self, GstPad * ghost)
{
  GPtrArray *names;
  gboolean all = TRUE;
  Session *s;
  gchar *name = gst_pad_get_name (ghost);
  guint i;

  g_mutex_lock (&self->lock);
  if (g_hash_table_contains (self->eos_pads, name)) {
    g_mutex_unlock (&self->lock);
    g_free (name);
    return;
  }
  g_hash_table_add (self->eos_pads, name);
  s = self->session ? gst_wrtc_src_session_ref (self->session) : NULL;
  g_mutex_unlock (&self->lock);

  GST_INFO_OBJECT (self, "%s: downstream is EOS", name);
  gst_pad_push_event (ghost, gst_event_new_eos ());
  if (!s)
    return;

  names = g_ptr_array_new_with_free_func (g_free);
  g_mutex_lock (&s->lock);
  for (i = 0; i < s->tracks->len; i++) {
    Track *t = &g_array_index (s->tracks, Track, i);
    if (t->ghost)
      g_ptr_array_add (names, g_strdup (t->pad_name));
  }
  g_mutex_unlock (&s->lock);
  g_mutex_lock (&self->lock);
  for (i = 0; i < names->len; i++)
    all = all && g_hash_table_contains (self->eos_pads,
        g_ptr_array_index (names, i));
  g_mutex_unlock (&self->lock);
  g_ptr_array_unref (names);
  if (all)
    gst_wrtc_webrtc_src_session_finished (self, s);
  gst_wrtc_src_session_unref (s);
}

/* the chain functions of our ghost pads' internal pads: what the pad
 * pushes, and what downstream returns */
static GstFlowReturn
ghost_flow (GstObject * ghost, GstFlowReturn ret)
{
  GstObject *element;

  if (ret != GST_FLOW_EOS)
    return ret;
  /* the pad may be leaving the element (stopping) */
  if ((element = gst_object_get_parent (ghost))) {
    pad_downstream_eos (GST_WRTC_WEBRTC_SRC (element), GST_PAD (ghost));
    gst_object_unref (element);
  }
  return ret;
}

static GstFlowReturn
ghost_chain (GstPad * internal, GstObject * parent, GstBuffer * buf)
{
  return ghost_flow (parent, gst_proxy_pad_chain_default (internal, parent,
          buf));
}

static GstFlowReturn
ghost_chain_list (GstPad * internal, GstObject * parent, GstBufferList * list)
{
  return ghost_flow (parent, gst_proxy_pad_chain_list_default (internal,
          parent, list));
}

static GstPad *
new_ghost (GstWrtcWebrtcSrc * self, const gchar * name, GstPad * target,
    gboolean video)
{
  GstElementClass *klass = GST_ELEMENT_GET_CLASS (self);
  GstPad *ghost, *internal;

  ghost = gst_ghost_pad_new_from_template (name, target,
      gst_element_class_get_pad_template (klass,
          video ? "video_%u" : "audio_%u"));
  internal = GST_PAD (gst_proxy_pad_get_internal (GST_PROXY_PAD (ghost)));
  gst_pad_set_chain_function (internal, ghost_chain);
  gst_pad_set_chain_list_function (internal, ghost_chain_list);
  gst_object_unref (internal);
  gst_pad_set_active (ghost, TRUE);
  return ghost;
}

/* Builds every track's chain and pad as soon as the session is negotiated,
 * so that the pads come all at once, in m-section order, followed by
 * no-more-pads (a muxer downstream sees every stream before data). */
static gboolean
add_pads (Session * s, GError ** error)
{
  GstWrtcWebrtcSrc *self = s->src;
  GPtrArray *pads = g_ptr_array_new_with_free_func (gst_object_unref);
  gboolean decode;
  guint i, j;

  decode = gst_wrtc_bin_settings_get_boolean (&self->settings, PROP_DECODE);

  for (i = 0; i < s->tracks->len; i++) {
    Track *t = &g_array_index (s->tracks, Track, i);
    GPtrArray *chain = make_chain (t->codec, decode, error);
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
      ghost = new_ghost (self, t->pad_name, target,
          t->kind == GST_WRTC_MEDIA_VIDEO);
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
    gst_wrtc_webrtc_src_emit_track_added (self, t->pad_name, t->encoding);
  }
  if (pads->len)
    gst_element_no_more_pads (GST_ELEMENT (self));
  g_ptr_array_unref (pads);
  return TRUE;
}

/* The answer is known (WHIP: written; WHEP: set): tracks, chains and
 * pads.  The caller makes the session live once the sender knows too. */
gboolean
gst_wrtc_src_session_negotiated (Session * s, GError ** error)
{
  if (!take_negotiation (s, error) || !add_pads (s, error))
    return FALSE;
  /* before DTLS connects and the association starts */
  gst_wrtc_bin_data_add_peer (s->src->data, GST_WRTC_SRC_SESSION_DATA_ID (s),
      s->peer);
  return TRUE;
}

/* ------------------------------------------------------------------------
 * Destruction
 */

/* Stops the peer and takes the session's elements out of the bin (an
 * application thread, or a teardown thread). */
void
gst_wrtc_src_session_destroy (Session * s)
{
  GstWrtcWebrtcSrc *self = s->src;
  guint i;

  gst_wrtc_bin_data_remove_peer (self->data, GST_WRTC_SRC_SESSION_DATA_ID (s));
  if (s->peer) {
    gst_wrtc_peer_set_receive_func (s->peer, NULL, NULL);
    g_signal_handlers_disconnect_by_func (s->peer, on_state_changed, s);
    /* after it no receive callback runs with @s */
    if (!gst_wrtc_peer_close_and_wait (s->peer, CLOSE_TIMEOUT_US))
      GST_WARNING_OBJECT (self, "a sender's connection was still closing");
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
  /* stats (any thread) read rtpbin under the lock: not once it goes */
  g_mutex_lock (&s->lock);
  s->rtpbin = NULL;
  s->rtcp_out = NULL;
  g_mutex_unlock (&s->lock);
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
void
gst_wrtc_src_session_teardown (Session * s, gpointer unused)
{
  GstWrtcWebrtcSrc *self = s->src;

  gst_wrtc_src_session_destroy (s);
  g_mutex_lock (&self->lock);
  if (self->session == s) {
    self->session = NULL;
    gst_wrtc_src_session_unref (s);
  }
  g_mutex_unlock (&self->lock);
  GST_INFO_OBJECT (self, "ready for the next publisher");
}

/* ------------------------------------------------------------------------
 * Stats
 */
void
gst_wrtc_src_session_add_stats (Session * s, GstStructure * st)
{
  GValue tracks = G_VALUE_INIT;
  GPtrArray *inbound;
  GArray *ssrcs, *rates;
  GstElement *rtpbin = NULL;
  guint i;

  gst_structure_set (st, "state", G_TYPE_STRING, s->peer ?
      gst_wrtc_peer_state_name (gst_wrtc_peer_get_state (s->peer)) : "new",
      NULL);
  /* W3C transport, candidate-pair, local- and remote-candidate */
  if (s->peer)
    gst_wrtc_peer_add_transport_stats (s->peer, st);
  gst_wrtc_bin_data_add_stats (s->src->data, GST_WRTC_SRC_SESSION_DATA_ID (s),
      st);
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
  g_value_init (&tracks, GST_TYPE_ARRAY);
  for (i = 0; i < inbound->len; i++) {
    GstStructure *in = g_ptr_array_index (inbound, i);
    if (rtpbin && g_array_index (ssrcs, guint32, i))
      gst_wrtc_stats_add_inbound (in, rtpbin, g_array_index (ssrcs, guint32,
              i), g_array_index (rates, guint, i));
    gst_wrtc_stats_take (&tracks, in);
  }
  gst_clear_object (&rtpbin);
  g_ptr_array_unref (inbound);
  g_array_unref (ssrcs);
  g_array_unref (rates);
  gst_structure_take_value (st, "tracks", &tracks);
}
