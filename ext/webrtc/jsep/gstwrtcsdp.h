/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the parts of a remote session description that JSEP
 * (RFC 8829) acts on, parsed and checked once.
 *
 * A GstWrtcSessionDesc is a plain, immutable model built from SDP text by
 * gst_wrtc_session_desc_parse().  Attributes that may appear at session or
 * media level (ice-ufrag, ice-pwd, fingerprint, setup) are resolved onto
 * each m-section.  RTX (RFC 4588) entries are folded into the codec they
 * repair; unknown attributes are ignored (RFC 8866 section 5.13).
 */
#ifndef __GST_WRTC_SDP_H__
#define __GST_WRTC_SDP_H__

#include <glib.h>

G_BEGIN_DECLS
#define GST_WRTC_JSEP_ERROR (gst_wrtc_jsep_error_quark ())
    GQuark gst_wrtc_jsep_error_quark (void);

typedef enum
{
  GST_WRTC_JSEP_ERROR_MALFORMED,        /* not SDP, or a broken line */
  GST_WRTC_JSEP_ERROR_INVALID,  /* SDP, but not a WebRTC offer */
  GST_WRTC_JSEP_ERROR_NO_CODEC, /* nothing we can send or receive */
  /* well-formed, but of a kind we do not know and ignore (RFC 8839
   * section 5.1: candidates of an unknown transport or type) */
  GST_WRTC_JSEP_ERROR_UNSUPPORTED,
} GstWrtcJsepError;

typedef enum
{
  GST_WRTC_MEDIA_AUDIO,
  GST_WRTC_MEDIA_VIDEO,
  GST_WRTC_MEDIA_APPLICATION,
  GST_WRTC_MEDIA_OTHER,
} GstWrtcMediaKind;

/* RFC 8866 section 6.7 */
typedef enum
{
  GST_WRTC_DIRECTION_SENDRECV,
  GST_WRTC_DIRECTION_SENDONLY,
  GST_WRTC_DIRECTION_RECVONLY,
  GST_WRTC_DIRECTION_INACTIVE,
} GstWrtcDirection;

typedef enum
{
  GST_WRTC_RTCP_FB_NACK = 1 << 0,       /* a=rtcp-fb:PT nack */
  GST_WRTC_RTCP_FB_PLI = 1 << 1,        /* nack pli */
  GST_WRTC_RTCP_FB_FIR = 1 << 2,        /* ccm fir */
  GST_WRTC_RTCP_FB_TWCC = 1 << 3,       /* transport-cc */
  GST_WRTC_RTCP_FB_REMB = 1 << 4,       /* goog-remb */
} GstWrtcRtcpFb;

typedef struct
{
  guint pt;
  gchar *encoding;              /* upper case: VP8, H264, OPUS, ... */
  guint clock_rate;
  guint channels;               /* 0 when not given */
  gchar *fmtp;                  /* parameters after "a=fmtp:PT ", or NULL */
  GstWrtcRtcpFb rtcp_fb;
  gint rtx_pt;                  /* RFC 4588 apt= this codec, or -1 */
} GstWrtcCodec;

typedef struct
{
  guint id;
  gchar *uri;
} GstWrtcExtmap;

typedef struct
{
  guint index;                  /* m-line number, from 0 */
  GstWrtcMediaKind kind;
  gchar *media;                 /* "audio", "video", "application", ... */
  guint port;                   /* 0: rejected (RFC 8829 section 5.2.2) */
  gchar *proto;
  gchar *mid;
  GstWrtcDirection direction;
  gboolean rtcp_mux;
  gboolean rtcp_rsize;
  gboolean bundle_only;
  GPtrArray *codecs;            /* GstWrtcCodec, offer order, RTX folded */
  GArray *extmaps;              /* GstWrtcExtmap */
  gchar *ice_ufrag, *ice_pwd;
  gchar *fingerprint;           /* "sha-256 AB:..." as written */
  gchar *setup;                 /* actpass, active, passive */
  GPtrArray *candidates;        /* "candidate:..." attribute values */
  gboolean end_of_candidates;
  gchar *msid;
  /* RFC 8841: "m=application PORT UDP/DTLS/SCTP webrtc-datachannel" (or
   * TCP/DTLS/SCTP) is a data channel section (RFC 8829 section 5.1.1) */
  gboolean datachannel;
  /* "m=application PORT DTLS/SCTP 5000" with "a=sctpmap:5000
   * webrtc-datachannel N" (draft-ietf-mmusic-sctp-sdp-05 and older, what
   * browsers sent before 2018): parsed so answers can reject it with port
   * 0 (RFC 8829 section 5.3.1); never accepted */
  gboolean legacy_sctpmap;
  /* data channel (or legacy) sections: a=sctp-port (RFC 8841 section
   * 5.2; 5000 when absent), for legacy the m-line's format */
  guint sctp_port;
  /* a=max-message-size (RFC 8841 section 6): 65536 when absent, 0 means
   * any size */
  guint64 max_message_size;
  /* a=x-wrtc-max-sctp-packet (ours, no RFC): the largest SCTP packet, in
   * one DTLS record, this end takes; 0 when absent (any other stack) */
  guint max_sctp_packet;
} GstWrtcMediaDesc;

/* RFC 8841 section 5.2 and section 6 */
#define GST_WRTC_SCTP_DEFAULT_PORT 5000
#define GST_WRTC_SCTP_DEFAULT_MAX_MESSAGE_SIZE 65536
/* what our data channel sections say we take in a=x-wrtc-max-sctp-packet:
 * one DTLS record of up to 2^14 bytes (RFC 6347 section 4.1), less its
 * AEAD overhead (the SCTP stage's GST_WRTC_SCTP_MAX_MTU) */
#define GST_WRTC_SCTP_MAX_PACKET 16256

typedef struct
{
  gchar *sdp_type;              /* unused by the parser; callers' label */
  gchar **bundle;               /* mids of the first a=group:BUNDLE, or NULL */
  gboolean ice_lite;
  gboolean trickle;             /* a=ice-options:trickle */
  GPtrArray *media;             /* GstWrtcMediaDesc */
} GstWrtcSessionDesc;

/* Parses and checks a remote offer or answer.  Errors name the m-section
 * and what is wrong. */
GstWrtcSessionDesc *gst_wrtc_session_desc_parse (const gchar * text,
    GError ** error);
void gst_wrtc_session_desc_free (GstWrtcSessionDesc * desc);

const GstWrtcCodec *gst_wrtc_media_desc_find_codec (const GstWrtcMediaDesc * m,
    guint pt);
/* The extmap id for @uri, or 0. */
guint gst_wrtc_media_desc_find_extmap (const GstWrtcMediaDesc * m,
    const gchar * uri);

/* Value of @name in an fmtp string "a=1;b=2", or NULL (newly allocated). */
gchar *gst_wrtc_fmtp_get (const gchar * fmtp, const gchar * name);

const gchar *gst_wrtc_direction_to_string (GstWrtcDirection d);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstWrtcSessionDesc, gst_wrtc_session_desc_free);

G_END_DECLS
#endif
