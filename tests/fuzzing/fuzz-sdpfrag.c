/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: fuzz target for gst_wrtc_sdp_frag_parse(), the
 * parser of trickle ICE SDP fragments (the bodies of WHIP/WHEP PATCH
 * requests, RFC 8840 / RFC 9725 section 4.3.1), the one parser of the
 * signalling layer's raw network input.
 *
 * The input goes to the parser as it is (length given, no NUL needed).
 * Invariants: a fragment or an error, never both, the error in the
 * fragment domain; every candidate names an m-section that exists, with
 * that section's mid; writing a fragment back and parsing it again gives
 * the same fragment, and writing that one gives the same text.
 *
 * Needs only the JSEP layer (ext/webrtc/jsep: the fragment parser and
 * the candidate grammar it checks with): no libsoup, no DTLS.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "fuzz-check.h"

#include "gstwrtcsdpfrag.h"

static void
check_shape (const GstWrtcSdpFrag * frag)
{
  FUZZ_CHECK (frag->media != NULL && frag->candidates != NULL);
  FUZZ_CHECK (frag->media->len <= GST_WRTC_SDP_FRAG_MAX_MEDIA);
  FUZZ_CHECK (frag->candidates->len <= GST_WRTC_SDP_FRAG_MAX_CANDIDATES);
  for (guint i = 0; i < frag->candidates->len; i++) {
    const GstWrtcSdpFragCandidate *c = g_ptr_array_index (frag->candidates, i);

    FUZZ_CHECK (g_str_has_prefix (c->candidate, "candidate:"));
    FUZZ_CHECK (c->mline_index >= -1
        && c->mline_index < (gint) frag->media->len);
    if (c->mline_index < 0) {
      FUZZ_CHECK (c->mid == NULL);
    } else {
      const GstWrtcSdpFragMedia *m =
          g_ptr_array_index (frag->media, c->mline_index);
      FUZZ_CHECK (c->mid == m->mid);
    }
    /* in m-line order */
    if (i > 0) {
      const GstWrtcSdpFragCandidate *prev =
          g_ptr_array_index (frag->candidates, i - 1);
      FUZZ_CHECK (prev->mline_index <= c->mline_index);
    }
  }
}

static void
check_same (const GstWrtcSdpFrag * a, const GstWrtcSdpFrag * b)
{
  FUZZ_CHECK (g_strcmp0 (a->ice_ufrag, b->ice_ufrag) == 0);
  FUZZ_CHECK (g_strcmp0 (a->ice_pwd, b->ice_pwd) == 0);
  FUZZ_CHECK ((a->bundle == NULL) == (b->bundle == NULL));
  if (a->bundle)
    FUZZ_CHECK (g_strv_equal ((const gchar * const *) a->bundle,
            (const gchar * const *) b->bundle));
  FUZZ_CHECK (a->end_of_candidates == b->end_of_candidates);
  FUZZ_CHECK (a->media->len == b->media->len);
  for (guint i = 0; i < a->media->len; i++) {
    const GstWrtcSdpFragMedia *ma = g_ptr_array_index (a->media, i);
    const GstWrtcSdpFragMedia *mb = g_ptr_array_index (b->media, i);
    FUZZ_CHECK (strcmp (ma->mline, mb->mline) == 0);
    FUZZ_CHECK (g_strcmp0 (ma->mid, mb->mid) == 0);
  }
  FUZZ_CHECK (a->candidates->len == b->candidates->len);
  for (guint i = 0; i < a->candidates->len; i++) {
    const GstWrtcSdpFragCandidate *ca = g_ptr_array_index (a->candidates, i);
    const GstWrtcSdpFragCandidate *cb = g_ptr_array_index (b->candidates, i);
    FUZZ_CHECK (ca->mline_index == cb->mline_index);
    FUZZ_CHECK (strcmp (ca->candidate, cb->candidate) == 0);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  GError *err = NULL;
  GstWrtcSdpFrag *frag, *again;
  gchar *text, *text_again;

  /* one over the limit still exercises the size check */
  if (size > GST_WRTC_SDP_FRAG_MAX_LEN + 1)
    return 0;
  fuzz_check_init ();

  frag = gst_wrtc_sdp_frag_parse ((const gchar *) data, size, &err);
  FUZZ_CHECK ((frag == NULL) == (err != NULL));
  if (!frag) {
    FUZZ_CHECK (err->domain == GST_WRTC_SDP_FRAG_ERROR);
    FUZZ_CHECK (err->message != NULL && err->message[0] != '\0');
    g_error_free (err);
    return 0;
  }
  check_shape (frag);

  /* written back, it parses to the same fragment (but for the empty one,
   * and when CRLF for LF takes it over the limit) */
  text = gst_wrtc_sdp_frag_to_string (frag);
  if (text[0] == '\0') {
    /* nothing but ignored lines: no text form, and nothing in it */
    FUZZ_CHECK (frag->media->len == 0 && frag->candidates->len == 0
        && !frag->ice_ufrag && !frag->ice_pwd && !frag->bundle
        && !frag->end_of_candidates);
    g_free (text);
    gst_wrtc_sdp_frag_free (frag);
    return 0;
  }
  if (strlen (text) > GST_WRTC_SDP_FRAG_MAX_LEN) {
    g_free (text);
    gst_wrtc_sdp_frag_free (frag);
    return 0;
  }
  again = gst_wrtc_sdp_frag_parse (text, strlen (text), &err);
  if (!again)
    fprintf (stderr, "re-parse failed: %s\n%s", err->message, text);
  FUZZ_CHECK (again != NULL);
  check_shape (again);
  check_same (frag, again);
  text_again = gst_wrtc_sdp_frag_to_string (again);
  FUZZ_CHECK (strcmp (text, text_again) == 0);

  g_free (text_again);
  g_free (text);
  gst_wrtc_sdp_frag_free (again);
  gst_wrtc_sdp_frag_free (frag);
  return 0;
}
