/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: candidate attributes (RFC 8839 section 5.1), the one
 * parser and writer.
 *
 *   candidate-attribute = "candidate" ":" foundation SP component-id SP
 *                         transport SP priority SP connection-address SP
 *                         port SP cand-type [SP rel-addr] [SP rel-port]
 *                         *(SP cand-extension)
 *
 * The text lives in SDP (offers, answers, RFC 8840 fragments) and W3C
 * RTCIceCandidate.candidate; the ICE transport below takes and gives the
 * fields (GstWrtcIceCandidate, gstwrtcicecandidate.h).  The peer converts
 * with these two functions, the fragment parser checks with the first.
 *
 * Pure functions: the input is hostile network data.
 */
#ifndef __GST_WRTC_CANDIDATE_H__
#define __GST_WRTC_CANDIDATE_H__

#include "gstwrtcicecandidate.h"
#include "gstwrtcsdp.h"

G_BEGIN_DECLS
/* Longest attribute parsed, in bytes. */
#define GST_WRTC_CANDIDATE_MAX_LEN 4096
/* Parses one candidate attribute: "candidate:..." as W3C
 * RTCIceCandidate.candidate has it, or with a leading "a=" and a line end
 * as an SDP line; blanks around it are ignored.  Returns the fields, or
 * NULL with:
 *   GST_WRTC_JSEP_ERROR_MALFORMED  not the grammar above; the message
 *                                  names the field
 *   GST_WRTC_JSEP_ERROR_UNSUPPORTED well-formed, but of a transport or
 *                                  type we do not know, which RFC 8839
 *                                  section 5.1 says to ignore
 * The address may be an IP literal or a name (FQDN, RFC 8866 section 9;
 * mDNS names): what to do with a name is the ICE layer's choice. */
    GstWrtcIceCandidate * gst_wrtc_candidate_parse (const gchar * attribute,
    GError ** error);

/* The attribute value, "candidate:..." without "a=" or a line end, with
 * the transport in upper case ("UDP", "TCP", as libnice and browsers
 * write it), then raddr, rport, tcptype and the other extensions.
 * Parsing it gives @candidate back.  Transfer full. */
gchar *gst_wrtc_candidate_to_string (const GstWrtcIceCandidate * candidate);

/* TRUE for what W3C addIceCandidate() takes as the end of the remote
 * candidates: "" and "end-of-candidates" (RFC 8840 section 4.1), with or
 * without "a=" and a line end. */
gboolean gst_wrtc_candidate_is_end_of_candidates (const gchar * attribute);

G_END_DECLS
#endif
