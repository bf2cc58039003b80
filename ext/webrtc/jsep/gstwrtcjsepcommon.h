/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: what the JSEP layer's readers and writers share
 * (candidate lines, trickle fragments, offers, answers).  Internal to
 * ext/webrtc/jsep. */
#ifndef __GST_WRTC_JSEP_COMMON_H__
#define __GST_WRTC_JSEP_COMMON_H__

#include "gstwrtcanswer.h"

G_BEGIN_DECLS
/* @s is 1 to @max_digits DIGITs (no sign, no blanks) worth at most
 * @max_value; *@out gets the value. */
    gboolean gst_wrtc_jsep_parse_digits (const gchar * s, guint max_digits,
    guint64 max_value, guint64 * out);

/* token (RFC 8866 section 9): 1*(alphanumeric / "!#$%&'*+-.^_`{|}~") */
gboolean gst_wrtc_jsep_is_token (const gchar * s);

/* 1*VCHAR (RFC 5234 appendix B.1): printable US-ASCII, no space */
gboolean gst_wrtc_jsep_is_vchars (const gchar * s);

/* Appends "a=rtcp-fb:PT <name>\r\n" for each feedback of @fb (RFC 4585
 * section 4.2, RFC 5104, draft-holmer-rmcat-transport-wide-cc, REMB). */
void gst_wrtc_jsep_append_rtcp_fb (GString * s, guint pt, GstWrtcRtcpFb fb);

/* "a=rtpmap:PT ENCODING/RATE[/CHANNELS]\r\n" (RFC 8866 section 6.6) */
void gst_wrtc_jsep_append_rtpmap (GString * s, guint pt,
    const gchar * encoding, guint clock_rate, guint channels);

/* "a=rtpmap:RTX rtx/RATE" and "a=fmtp:RTX apt=PT" (RFC 4588 section 8.6) */
void gst_wrtc_jsep_append_rtx (GString * s, guint rtx_pt, guint clock_rate,
    guint pt);

/* After the m= line: c=, a=rtcp when @rtp (RFC 8829 section 5.2.1: the
 * dummy address and port 9; a data channel section has no RTCP), the ICE
 * credentials and options (RFC 8839), the DTLS fingerprint and role (RFC
 * 8122, RFC 8842) and a=mid. */
void gst_wrtc_jsep_append_transport (GString * s, gboolean rtp,
    const gchar * ufrag, const gchar * pwd, const gchar * fingerprint,
    const gchar * setup, const gchar * mid);

/* A data channel section (RFC 8841 section 4.1, RFC 8829 section 5.2.1):
 * "m=application 9 @proto webrtc-datachannel", the transport, then
 * a=sctp-port (@sctp_port, 0: 5000) and a=max-message-size (0: any
 * size), then @candidates. */
void gst_wrtc_jsep_append_datachannel (GString * s, const gchar * proto,
    const gchar * ufrag, const gchar * pwd, const gchar * fingerprint,
    const gchar * setup, const gchar * mid, guint sctp_port,
    guint64 max_message_size, const gchar * const *candidates,
    gboolean end_of_candidates);

/* @n is the accepted data channel section @m: sendrecv, our SCTP port
 * (@sctp_port, 0: 5000) and max-message-size, and the remote's. */
void gst_wrtc_negotiated_set_datachannel (GstWrtcNegotiatedMedia * n,
    const GstWrtcMediaDesc * m, guint sctp_port, guint64 max_message_size);

/* A negotiation result with empty media and remote candidate arrays. */
GstWrtcAnswer *gst_wrtc_answer_new (void);
/* Adds @m's candidates and end-of-candidates to @a's remote ones. */
void gst_wrtc_answer_add_remote_candidates (GstWrtcAnswer * a,
    const GstWrtcMediaDesc * m);
/* The remote ICE credentials and fingerprint of the bundle, from its
 * tagged m-section (RFC 8843 section 7). */
void gst_wrtc_answer_set_remote_transport (GstWrtcAnswer * a,
    const GstWrtcMediaDesc * tagged);

/* "a=candidate:...\r\n" per entry of @candidates (attribute values), then
 * "a=end-of-candidates\r\n" when @end (RFC 8840 section 8.2). */
void gst_wrtc_jsep_append_candidates (GString * s,
    const gchar * const *candidates, gboolean end);

/* v=, o=, s=, t= (RFC 8866 section 5): "v=0", "o=- ID VERSION IN IP4
 * 0.0.0.0", "s=-", "t=0 0". */
void gst_wrtc_jsep_append_session_header (GString * s, guint64 session_id,
    guint session_version);

G_END_DECLS
#endif
