/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: webrtcsink's parts and what they share.
 *
 *   gstwrtcwebrtcsink.c   the element: properties, pads, states, server
 *   gstwrtcsinkencoders.c inputs: per pad the encoder (or payloader) per
 *                         codec, and the fan-out of their packets
 *   gstwrtcsinkviewers.c  viewers: WHEP sessions and the WHIP publisher,
 *                         each a peer connection, and their stats
 *
 * Threads: the application's (properties, pads, state changes), the
 * inputs' streaming threads (caps build the encoders; packets fan out to
 * the viewers' peers), the HTTP server's (offers, candidates, ends), the
 * ICE thread (the peers' signals), the publisher's client thread.  One
 * lock, the sink's, guards everything below; it is never held while
 * calling a peer, the server or GStreamer out of this element.
 */
#ifndef __GST_WRTC_SINK_PRIVATE_H__
#define __GST_WRTC_SINK_PRIVATE_H__

#include "gstwrtcwebrtcsink.h"
#include "gstwrtcpeer.h"
#include "gstwrtchttpserver.h"
#include "gstwrtccodecs.h"
#include "gstwrtcbinsettings.h"
#include "gstwrtcbinclient.h"
#include "gstwrtcbinstates.h"
#include "gstwrtcbinstats.h"
#include "gstwrtcbindata.h"

G_BEGIN_DECLS
/* webrtcsink's own properties (the common ones: gstwrtcbinsettings.h) */
    enum
{
  PROP_MAX_VIEWERS = GST_WRTC_BIN_PROP_LAST,
  PROP_STATS,
  PROP_TLS_CERTIFICATE,
  PROP_TLS_KEY,
  PROP_WHIP_URL,
  PROP_WHIP_TOKEN,
  PROP_ENABLE_NAVIGATION,
};

/* the WHIP publisher's id among the viewers */
#define GST_WRTC_SINK_PUBLISHER_ID "whip"
typedef struct _Input Input;

/* One codec of an input: its encoder (or, for encoded input, only its
 * payloader) and the stream all the viewers of that codec share. */
typedef struct
{
  Input *in;                    /* not a ref: branches die with their input */
  guint index;                  /* in in->branches */
  const GstWrtcCodecInfo *codec;
  GstWrtcCodecCap cap;          /* fmtp owned */
  GstWrtcRtpStream *stream;
  GstElement *valve;            /* raw input: open while viewers use it */
  GstPad *appsink_pad;          /* where force-key-unit goes upstream */
  guint users;                  /* viewers sent this codec (sink lock) */
} Branch;

/* One request pad: a queue, and once the first caps came, the encoder
 * chain per codec (raw input) or the payloader (encoded input).
 * Refcounted: viewers and keyframe requests may outlive the pad. */
struct _Input
{
  GstWrtcWebrtcSink *sink;      /* not a ref: inputs die with the sink */
  GstWrtcMediaKind kind;
  gchar *name;                  /* the pad name, also the track id */
  GstPad *ghost;
  GstElement *queue;            /* the first element, made with the pad */
  GPtrArray *elements;          /* owned by the bin (sink lock) */
  GPtrArray *branches;          /* Branch, preference order; empty until
                                 * caps came (sink lock) */
  gboolean encoded;             /* the input is encoded (sink lock) */
};

/* One viewer: a WHEP session (or the WHIP publisher) and its peer. */
typedef struct
{
  GstWrtcWebrtcSink *sink;      /* a ref */
  GstWrtcHttpServer *server;    /* a ref; NULL for the publisher */
  gchar *id;
  GstWrtcPeer *peer;
  GPtrArray *inputs;            /* Input, in track order */
  gint *codecs;                 /* per track: the branch sent, or -1 (sink
                                 * lock) */
  GstWrtcViewerState state;     /* sink lock; viewer_set_state_locked() */
} Viewer;

struct _GstWrtcWebrtcSink
{
  GstBin parent;

  GstWrtcBinSettings settings;  /* the properties, own lock */

  GMutex lock;                  /* everything below */
  GPtrArray *inputs;            /* Input */
  GPtrArray *pending;           /* offers waiting for the first caps of
                                 * every input */
  GHashTable *viewers;          /* id -> Viewer */
  guint video_count, audio_count;
  guint64 viewers_total;
  gboolean serving;             /* between READY and NULL */

  GstWrtcHttpServer *server;
  GstWrtcBinData *data;         /* data_%u pads, viewers' channels */

  /* publishing to a WHIP server */
  gboolean whip_tried;          /* once per NULL -> READY */
  GstWrtcClientSession *whip;
};

/* gstwrtcwebrtcsink.c */
gboolean gst_wrtc_webrtc_sink_wants_data (GstWrtcWebrtcSink * self);
void gst_wrtc_webrtc_sink_emit_viewer (GstWrtcWebrtcSink * self,
    gboolean added, const gchar * id);

/* gstwrtcsinkencoders.c */
Input *gst_wrtc_sink_input_new (GstWrtcWebrtcSink * self,
    GstWrtcMediaKind kind, gchar * name, GstPadTemplate * templ,
    GError ** error);
Input *gst_wrtc_sink_input_ref (Input * in);
void gst_wrtc_sink_input_unref (Input * in);
void gst_wrtc_sink_input_remove (Input * in);
gboolean gst_wrtc_sink_inputs_ready_locked (GstWrtcWebrtcSink * self);
void gst_wrtc_sink_branch_request_keyframe (Branch * b, gboolean force);
gboolean gst_wrtc_sink_branch_use_locked (Branch * b, gint delta);
void gst_wrtc_sink_add_input_stats_locked (GstWrtcWebrtcSink * self,
    GstStructure * s);

/* gstwrtcsinkviewers.c */
extern const GstWrtcHttpCallbacks gst_wrtc_sink_whep_callbacks;
GPtrArray *gst_wrtc_sink_pending_new (void);
void gst_wrtc_sink_inputs_changed (GstWrtcWebrtcSink * self);
void gst_wrtc_sink_stop_viewers (GstWrtcWebrtcSink * self);
void gst_wrtc_sink_add_viewer_stats (GstWrtcWebrtcSink * self,
    GstStructure * s, gboolean full_ids);

G_END_DECLS
#endif
