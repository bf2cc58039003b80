/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: JSEP answers (RFC 8829 section 5.3) to a remote offer,
 * and what offers share with them: the codecs we can send and receive, the
 * tracks we send, and the negotiation result (GstWrtcAnswer, also what
 * reading the answer to our offer gives, gstwrtcoffer.h).
 *
 * Pure functions: given a parsed offer and what we can send and receive,
 * decide per m-section (track, codec, payload types, RTX, feedback, header
 * extensions, direction) and write the answer SDP.  Payload types always
 * come from the offer (RFC 8829 section 5.3.1): browsers differ.
 */
#ifndef __GST_WRTC_ANSWER_H__
#define __GST_WRTC_ANSWER_H__

#include "gstwrtcsdp.h"

G_BEGIN_DECLS
#define GST_WRTC_EXTMAP_MID "urn:ietf:params:rtp-hdrext:sdes:mid"
#define GST_WRTC_EXTMAP_TWCC \
  "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
/* A codec we can send (what an encoder produces) or receive. */
    typedef struct
{
  GstWrtcMediaKind kind;
  const gchar *encoding;        /* VP8, VP9, H264, AV1, OPUS */
  guint clock_rate;
  guint channels;               /* 0: unspecified (2 for OPUS per RFC 7587) */
  const gchar *fmtp;            /* e.g. "profile-level-id=42e01f;packetization-mode=1" */
} GstWrtcCodecCap;

/* A track we send. */
typedef struct
{
  GstWrtcMediaKind kind;
  const GstWrtcCodecCap *codecs;        /* preference order */
  guint n_codecs;
  const gchar *stream_id, *track_id;    /* a=msid */
  guint32 ssrc, rtx_ssrc;
  /* one SSRC (and RTX SSRC) per codec, parallel to @codecs, when each
   * codec is its own stream (one encoder per codec); NULL: @ssrc and
   * @rtx_ssrc whatever the codec */
  const guint32 *ssrcs, *rtx_ssrcs;
} GstWrtcLocalTrack;

typedef struct
{
  const gchar *ice_ufrag, *ice_pwd;
  const gchar *fingerprint;     /* "sha-256 AB:..." */
  guint64 session_id;
  guint session_version;
  const gchar *cname;
  const GstWrtcLocalTrack *tracks;      /* what we send */
  guint n_tracks;
  const GstWrtcCodecCap *recv_codecs;   /* what we accept; NULL: send only */
  guint n_recv_codecs;
  GstWrtcRtcpFb rtcp_fb;        /* feedback we implement */
  gboolean use_twcc_extmap;
  const gchar *const *candidates;       /* local candidates to include */
  gboolean end_of_candidates;
  /* data channels (RFC 8841, RFC 8829 section 5.3.1): TRUE accepts the
   * offer's first data channel section; FALSE rejects every one with port
   * 0, as any section we cannot use */
  gboolean datachannel;
  guint sctp_port;              /* ours, a=sctp-port; 0: 5000 */
  guint64 max_message_size;     /* ours, a=max-message-size; 0: any size */
} GstWrtcAnswerOptions;

typedef struct
{
  guint index;                  /* m-section number */
  gchar *mid;
  GstWrtcMediaKind kind;
  gboolean rejected;            /* port 0 in the answer */
  GstWrtcDirection direction;   /* as answered */
  gint track;                   /* into options.tracks, or -1 */
  GstWrtcCodec codec;           /* chosen: offer's pt, answer's fmtp, agreed fb */
  /* the chosen codec's index in the list it came from: the track's codecs
   * when @track >= 0, else the codecs we receive (options.recv_codecs, or
   * the offered media's codecs for an applied answer); -1 when rejected */
  gint codec_index;
  guint mid_ext_id, twcc_ext_id;        /* 0: not negotiated */
  gboolean rtcp_rsize;
  /* a data channel section (RFC 8841): no codec (pt 0, @codec_index -1,
   * @track -1), direction sendrecv when accepted.  The SCTP ports and
   * message size limits of both ends, set when accepted; a
   * max_message_size of 0 means any size (RFC 8841 section 6). */
  gboolean datachannel;
  guint local_sctp_port, remote_sctp_port;
  guint64 local_max_message_size, remote_max_message_size;
  guint remote_max_sctp_packet; /* a=x-wrtc-max-sctp-packet, 0: none */
} GstWrtcNegotiatedMedia;

typedef struct
{
  gchar *sdp;
  GPtrArray *media;             /* GstWrtcNegotiatedMedia, offer order */
  gboolean dtls_client;         /* we answered a=setup:active */
  /* the transport all bundled m-sections share (RFC 8843) */
  gchar *remote_ufrag, *remote_pwd, *remote_fingerprint;
  GPtrArray *remote_candidates;
  gboolean remote_end_of_candidates;
  /* index in @media of the accepted data channel section, or -1 */
  gint datachannel;
} GstWrtcAnswer;

GstWrtcAnswer *gst_wrtc_jsep_create_answer (const GstWrtcSessionDesc * offer,
    const GstWrtcAnswerOptions * options, GError ** error);
void gst_wrtc_answer_free (GstWrtcAnswer * answer);

/* TRUE when a remote codec can carry what @cap describes (name, clock rate,
 * channels, H.264 profile and packetization-mode, VP9 profile); when
 * @answer_fmtp is given, the fmtp to put in the answer. */
gboolean gst_wrtc_codec_matches (const GstWrtcCodec * remote,
    const GstWrtcCodecCap * cap, gchar ** answer_fmtp);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstWrtcAnswer, gst_wrtc_answer_free);

G_END_DECLS
#endif
