/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: webrtcsrc's parts and what they share.
 *
 *   gstwrtcwebrtcsrc.c   the element: properties, states, the WHEP client
 *                        session or the WHIP server, EOS
 *   gstwrtcsrcsession.c  a session with one sender: its peer, life cycle,
 *                        the chain and pad per track it sends, EOS
 *   gstwrtcsrcrtpbin.c   the session's rtpbin and its callbacks
 *
 * Threads: the application's (properties, states), the ICE thread (the
 * peer's packets into rtpbin, its state changes), rtpbin's (pads, RTCP
 * out), the decoders' (EOS from downstream), the WHEP client's thread
 * or the HTTP server's (offers, answers, ends), teardown threads
 * (keep-waiting).  The element's lock guards the element, a session's
 * lock the session; the element's is never taken under a session's.
 */
#ifndef __GST_WRTC_SRC_PRIVATE_H__
#define __GST_WRTC_SRC_PRIVATE_H__

#include "gstwrtcwebrtcsrc.h"
#include "gstwrtcpeer.h"
#include "gstwrtchttpserver.h"
#include "gstwrtccodecs.h"
#include "gstwrtcbinsettings.h"
#include "gstwrtcbinclient.h"
#include "gstwrtcbinstates.h"
#include "gstwrtcbinstats.h"
#include "gstwrtcbindata.h"

G_BEGIN_DECLS
/* webrtcsrc's own properties (the common ones: gstwrtcbinsettings.h) */
    enum
{
  PROP_WHEP_URL = GST_WRTC_BIN_PROP_LAST,
  PROP_LATENCY,
  PROP_DECODE,
  PROP_STATS,
  PROP_KEEP_WAITING,
};

/* One m-section we receive, as negotiated. */
typedef struct
{
  gint index;                   /* m-section number */
  GstWrtcMediaKind kind;
  gchar *pad_name;              /* video_0, audio_0, ... */
  const GstWrtcCodecInfo *codec;
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
 * Refcounted: the peer's callbacks and the client session hold refs. */
typedef struct
{
  GstWrtcWebrtcSrc *src;        /* not a ref: sessions die with the element */
  gchar *id;                    /* the WHIP session id, or NULL (WHEP) */
  GstWrtcPeer *peer;
  GstElement *rtpbin, *rtcp_out;
  /* where the ICE thread pushes what it received into rtpbin: pads of
   * ours, no element and no thread in between (RTP, RTCP) */
  GstPad *in[2];
  GMutex push_lock;             /* pushes and EOS on in[] */
  gboolean eos;                 /* EOS went into rtpbin */
  GPtrArray *elements;          /* everything we added to the bin */
  GMutex lock;                  /* what follows */
  GArray *tracks;               /* Track */
  GstWrtcSourceSessionState state;      /* session_set_state_locked() */
  guint64 packets, bytes;
  guint64 twcc_feedback;        /* transport-cc feedback packets sent */
  GstWrtcCodecCap *offer_codecs[2];     /* WHEP: what our offer lists */
} Session;

struct _GstWrtcWebrtcSrc
{
  GstBin parent;

  GstWrtcBinSettings settings;  /* the properties, own lock */

  GMutex lock;                  /* everything below */
  Session *session;             /* the current sender, or NULL */
  GPtrArray *ended;             /* sessions to destroy when stopping */
  guint sessions_total;
  gboolean finished;            /* EOS sent: no more sessions */
  GHashTable *pads;             /* name -> our ghost pad, across senders */
  GHashTable *eos_pads;         /* names of pads downstream ended */
  guint tasks;                  /* threads of gst_wrtc_webrtc_src_run_locked
                                 * still running */
  GCond tasks_done;
  GstWrtcClientSession *whep;   /* WHEP client */
  GstWrtcHttpServer *server;    /* WHIP server, while started */
  GstWrtcBinData *data;         /* data channels: data_%u src pads,
                                 * data_sink_%u sink pads */
};

/* the data channels' peer id of a session: the WHIP session id, or
 * "whep" */
#define GST_WRTC_SRC_SESSION_DATA_ID(s) ((s)->id ? (s)->id : "whep")

/* gstwrtcwebrtcsrc.c */
void gst_wrtc_webrtc_src_emit_track_added (GstWrtcWebrtcSrc * self,
    const gchar * pad_name, const gchar * codec);
void gst_wrtc_webrtc_src_emit_sender_left (GstWrtcWebrtcSrc * self,
    const gchar * reason);
GstWrtcHttpServer *gst_wrtc_webrtc_src_get_server (GstWrtcWebrtcSrc * self);
void gst_wrtc_webrtc_src_run_locked (GstWrtcWebrtcSrc * self,
    const gchar * name, GFunc func, Session * s);
void gst_wrtc_webrtc_src_session_finished (GstWrtcWebrtcSrc * self,
    Session * s);

/* gstwrtcsrcsession.c */
Session *gst_wrtc_src_session_new (GstWrtcWebrtcSrc * self, const gchar * id,
    GError ** error);
Session *gst_wrtc_src_session_ref (Session * s);
void gst_wrtc_src_session_unref (Session * s);
gboolean gst_wrtc_src_session_set_state (Session * s,
    GstWrtcSourceSessionState to);
GstWrtcSourceSessionState gst_wrtc_src_session_get_state (Session * s);
gboolean gst_wrtc_src_session_negotiated (Session * s, GError ** error);
gboolean gst_wrtc_src_session_had_media (Session * s);
void gst_wrtc_src_session_push_eos (Session * s);
void gst_wrtc_src_session_end_media (Session * s, const gchar * reason);
void gst_wrtc_src_session_destroy (Session * s);
void gst_wrtc_src_session_teardown (Session * s, gpointer unused);
Track *gst_wrtc_src_session_track_for_pt (Session * s, guint pt,
    gboolean * rtx);

/* gstwrtcsrcrtpbin.c */
gboolean gst_wrtc_src_session_build_rtpbin (Session * s, GError ** error);
void gst_wrtc_src_session_add_stats (Session * s, GstStructure * st);

G_END_DECLS
#endif
