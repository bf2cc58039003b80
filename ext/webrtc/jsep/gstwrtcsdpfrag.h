/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: trickle ICE SDP fragments, the bodies of WHIP/WHEP
 * PATCH requests (media type application/trickle-ice-sdpfrag, RFC 8840
 * section 9 and section 4.4, as updated by RFC 9725 section 4.3.1).
 *
 * A fragment looks like:
 *
 *   a=ice-ufrag:EsAw
 *   a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1
 *   a=group:BUNDLE 0 1
 *   m=audio 9 UDP/TLS/RTP/SAVPF 111
 *   a=mid:0
 *   a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host
 *   a=end-of-candidates
 *
 * ice-ufrag and ice-pwd may sit at session or media level (RFC 9725 puts
 * them under the m= line); a fragment carries one pair.  Candidates belong
 * to the m-section they follow; a candidate before any m= line (sent by
 * some clients) has no mid and m-line index -1: it is for the BUNDLE
 * transport.  Each candidate is checked with the one candidate grammar
 * (gst_wrtc_candidate_parse(), gstwrtccandidate.h) and kept as written;
 * one of an unknown transport or type is kept too, for the ICE agent to
 * ignore (RFC 8839 section 5.1).  Unknown attributes and other SDP lines
 * are ignored (RFC 8866 section 5.13).
 *
 * Pure functions, no I/O: the input is hostile network data.  Input must
 * be UTF-8 without NUL bytes, at most GST_WRTC_SDP_FRAG_MAX_LEN bytes,
 * lines at most GST_WRTC_SDP_FRAG_MAX_LINE bytes, at most
 * GST_WRTC_SDP_FRAG_MAX_CANDIDATES candidates and
 * GST_WRTC_SDP_FRAG_MAX_MEDIA m= lines.
 */
#ifndef __GST_WRTC_SDP_FRAG_H__
#define __GST_WRTC_SDP_FRAG_H__

#include <glib.h>

G_BEGIN_DECLS
#define GST_WRTC_SDP_FRAG_MAX_LEN (64 * 1024)
#define GST_WRTC_SDP_FRAG_MAX_LINE 4096
#define GST_WRTC_SDP_FRAG_MAX_CANDIDATES 1024
#define GST_WRTC_SDP_FRAG_MAX_MEDIA 64
#define GST_WRTC_SDP_FRAG_ERROR (gst_wrtc_sdp_frag_error_quark ())
    GQuark gst_wrtc_sdp_frag_error_quark (void);

typedef enum
{
  GST_WRTC_SDP_FRAG_ERROR_MALFORMED,    /* not a fragment, or a bad line */
  GST_WRTC_SDP_FRAG_ERROR_TOO_LARGE,    /* over one of the limits above */
} GstWrtcSdpFragError;

typedef struct
{
  gchar *mline;                 /* what follows "m=", as written */
  gchar *mid;                   /* its a=mid, or NULL */
} GstWrtcSdpFragMedia;

typedef struct
{
  gint mline_index;             /* index into media, -1: before any m= */
  const gchar *mid;             /* that m-section's mid (owned by it), or
                                 * NULL */
  gchar *candidate;             /* "candidate:..." as written */
} GstWrtcSdpFragCandidate;

typedef struct
{
  gchar *ice_ufrag, *ice_pwd;   /* NULL when absent */
  gchar **bundle;               /* mids of a=group:BUNDLE, or NULL */
  GPtrArray *media;             /* GstWrtcSdpFragMedia, in order */
  GPtrArray *candidates;        /* GstWrtcSdpFragCandidate, in order */
  gboolean end_of_candidates;   /* a=end-of-candidates seen */
} GstWrtcSdpFrag;

/* Parses @len bytes of @data (no NUL terminator needed).  Returns a new
 * fragment, or NULL with @error (GST_WRTC_SDP_FRAG_ERROR) naming the line
 * and what is wrong. */
GstWrtcSdpFrag *gst_wrtc_sdp_frag_parse (const gchar * data, gsize len,
    GError ** error);

/* Writes @frag back as text with CRLF line ends; parsing the result gives
 * an equal fragment (when the text is within GST_WRTC_SDP_FRAG_MAX_LEN:
 * CRLF may make it longer than what was parsed).  A fragment of only
 * ignored lines writes as "". */
gchar *gst_wrtc_sdp_frag_to_string (const GstWrtcSdpFrag * frag);

void gst_wrtc_sdp_frag_free (GstWrtcSdpFrag * frag);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstWrtcSdpFrag, gst_wrtc_sdp_frag_free);

G_END_DECLS
#endif
