/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: fuzz target for gst_wrtc_candidate_parse(), the
 * parser of RFC 8839 section 5.1 candidate attributes (in offers, answers
 * and trickled fragments from browsers, SFUs and WHIP/WHEP clients).
 *
 * The input, up to its first NUL, is one attribute.  Invariants: fields or
 * an error, never both, the error JSEP's MALFORMED or UNSUPPORTED with a
 * message; the fields within the grammar's ranges; written back
 * (gst_wrtc_candidate_to_string()) they parse to the same fields, and
 * those write the same text.
 *
 * Needs only the JSEP layer and the ICE layer's plain types: no libnice.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "fuzz-check.h"

#include "gstwrtccandidate.h"

static void
check_fields (const GstWrtcIceCandidate * c)
{
  FUZZ_CHECK (gst_wrtc_ice_is_ice_chars (c->foundation, 1, 32));
  FUZZ_CHECK (c->component >= 1 && c->component <= 256);
  FUZZ_CHECK (c->protocol == GST_WRTC_ICE_PROTOCOL_UDP
      || c->protocol == GST_WRTC_ICE_PROTOCOL_TCP);
  FUZZ_CHECK (c->address != NULL && c->address[0] != '\0');
  FUZZ_CHECK (strchr (c->address, ' ') == NULL);
  FUZZ_CHECK (c->port <= 65535);
  FUZZ_CHECK (c->type <= GST_WRTC_ICE_CANDIDATE_TYPE_RELAY);
  FUZZ_CHECK (c->related_port >= -1 && c->related_port <= 65535);
  FUZZ_CHECK (c->tcp_type <= GST_WRTC_ICE_TCP_TYPE_SO);
  FUZZ_CHECK (!c->extensions || g_strv_length (c->extensions) % 2 == 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  GError *err = NULL;
  GstWrtcIceCandidate *c, *again;
  gchar *text, *written, *written_again;

  /* one over the limit still exercises the length check */
  if (size > GST_WRTC_CANDIDATE_MAX_LEN + 1)
    return 0;
  fuzz_check_init ();

  text = g_strndup ((const gchar *) data, size);
  (void) gst_wrtc_candidate_is_end_of_candidates (text);
  c = gst_wrtc_candidate_parse (text, &err);
  FUZZ_CHECK ((c == NULL) == (err != NULL));
  if (!c) {
    FUZZ_CHECK (g_error_matches (err, GST_WRTC_JSEP_ERROR,
            GST_WRTC_JSEP_ERROR_MALFORMED)
        || g_error_matches (err, GST_WRTC_JSEP_ERROR,
            GST_WRTC_JSEP_ERROR_UNSUPPORTED));
    FUZZ_CHECK (err->message != NULL && err->message[0] != '\0');
    g_error_free (err);
    g_free (text);
    return 0;
  }
  check_fields (c);

  written = gst_wrtc_candidate_to_string (c);
  again = gst_wrtc_candidate_parse (written, &err);
  if (!again)
    fprintf (stderr, "re-parse failed: %s\n", err->message);
  FUZZ_CHECK (again != NULL);
  FUZZ_CHECK (gst_wrtc_ice_candidate_equal (c, again));
  written_again = gst_wrtc_candidate_to_string (again);
  FUZZ_CHECK (strcmp (written, written_again) == 0);

  g_free (written_again);
  g_free (written);
  gst_wrtc_ice_candidate_free (again);
  gst_wrtc_ice_candidate_free (c);
  g_free (text);
  return 0;
}
