/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: JSEP offers (RFC 8829 section 5.2.1), for the side
 * that starts: a WHEP or WHIP client; and reading the answer to them.
 *
 * Pure functions.  Payload types are ours to choose in an offer; the
 * answer is read into the same negotiation result an answerer makes
 * (GstWrtcAnswer, gstwrtcanswer.h).
 */
#ifndef __GST_WRTC_OFFER_H__
#define __GST_WRTC_OFFER_H__

#include "gstwrtcanswer.h"

G_BEGIN_DECLS typedef struct
{
  GstWrtcMediaKind kind;
  GstWrtcDirection direction;   /* recvonly (WHEP) or sendonly (WHIP) */
  const GstWrtcCodecCap *codecs;        /* preference order */
  guint n_codecs;
  const GstWrtcLocalTrack *track;       /* what we send, or NULL */
} GstWrtcOfferMedia;

typedef struct
{
  const gchar *ice_ufrag, *ice_pwd;
  const gchar *fingerprint;
  guint64 session_id;
  guint session_version;
  const gchar *cname;
  const GstWrtcOfferMedia *media;
  guint n_media;
  GstWrtcRtcpFb rtcp_fb;
  gboolean use_twcc_extmap;
  const gchar *const *candidates;
  gboolean end_of_candidates;
  /* TRUE adds a data channel section (RFC 8841, RFC 8829 section 5.2.1)
   * after the @media ones, in the same BUNDLE group, with mid @n_media;
   * with no @media, a data-only session */
  gboolean datachannel;
  guint sctp_port;              /* ours, a=sctp-port; 0: 5000 */
  guint64 max_message_size;     /* ours, a=max-message-size; 0: any size */
} GstWrtcOfferOptions;

/* Payload types are ours to choose in an offer: dynamic ones from 96 in
 * codec order, each codec followed by its RTX (when NACK is offered). */
gchar *gst_wrtc_jsep_create_offer (const GstWrtcOfferOptions * options);
/* Reads the answer to that offer into the same decisions an answerer makes
 * (the codec is the first one the answer lists, RFC 8829 section 5.3.1).
 * The data channel section, when offered, is the last entry of the
 * result's media (GstWrtcAnswer.datachannel when the answer accepted it). */
GstWrtcAnswer *gst_wrtc_jsep_apply_answer (const GstWrtcOfferOptions * options,
    const GstWrtcSessionDesc * answer, GError ** error);

G_END_DECLS
#endif
