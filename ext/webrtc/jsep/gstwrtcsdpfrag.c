/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: parsing trickle ICE SDP fragments (RFC 8840 section
 * 4.4 and section 9, RFC 9725 section 4.3.1); see the header. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcsdpfrag.h"
#include "gstwrtccandidate.h"
#include "gstwrtcjsepcommon.h"

#include <string.h>
#include <gst/gst.h>

GST_DEBUG_CATEGORY_STATIC (wrtc_sdpfrag_debug);
#define GST_CAT_DEFAULT wrtc_sdpfrag_debug

/* RFC 8839 section 5.4: ice-ufrag is 4 to 256 ice-chars, ice-pwd 22 to 256 */
#define UFRAG_MIN 4
#define PWD_MIN 22
#define ICE_CRED_MAX 256

G_DEFINE_QUARK (gst - wrtc - sdp - frag - error - quark,
    gst_wrtc_sdp_frag_error);

static void
debug_init (void)
{
  static gsize done = 0;
  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (wrtc_sdpfrag_debug, "wrtcsdpfrag", 0,
        "trickle ICE SDP fragments");
    g_once_init_leave (&done, 1);
  }
}

static void
media_free (GstWrtcSdpFragMedia * m)
{
  g_free (m->mline);
  g_free (m->mid);
  g_free (m);
}

static void
candidate_free (GstWrtcSdpFragCandidate * c)
{
  g_free (c->candidate);
  g_free (c);
}

void
gst_wrtc_sdp_frag_free (GstWrtcSdpFrag * frag)
{
  if (!frag)
    return;
  g_free (frag->ice_ufrag);
  g_free (frag->ice_pwd);
  g_strfreev (frag->bundle);
  /* candidates point into media */
  g_ptr_array_unref (frag->candidates);
  g_ptr_array_unref (frag->media);
  g_free (frag);
}

/* m=<media> <port> <proto> <fmt> ... (RFC 8866 section 5.14) */
static gboolean
mline_is_valid (const gchar * value)
{
  gchar **f = g_strsplit (value, " ", 0);
  gboolean ok;

  ok = g_strv_length (f) >= 4 && gst_wrtc_jsep_is_vchars (f[0])
      && gst_wrtc_jsep_is_vchars (f[2]);
  if (ok) {
    /* <port> or <port>/<number of ports> */
    gchar **p = g_strsplit (f[1], "/", 3);
    guint n = g_strv_length (p);
    guint64 v;

    ok = (n == 1 || n == 2) && gst_wrtc_jsep_parse_digits (p[0], 5, 65535, &v)
        && (n == 1 || gst_wrtc_jsep_parse_digits (p[1], 5, 65535, &v));
    g_strfreev (p);
  }
  for (guint i = 3; ok && f[i]; i++)
    ok = gst_wrtc_jsep_is_vchars (f[i]);
  g_strfreev (f);
  return ok;
}

typedef struct
{
  GstWrtcSdpFrag *frag;
  GstWrtcSdpFragMedia *cur;     /* m-section being read, or NULL */
  gboolean have_bundle;
} ParseState;

/* Sets an ICE credential once; a second, different value is an error. */
static gboolean
set_credential (gchar ** field, const gchar * value, gsize min)
{
  if (!gst_wrtc_ice_is_ice_chars (value, min, ICE_CRED_MAX))
    return FALSE;
  if (*field && strcmp (*field, value) != 0)
    return FALSE;
  if (!*field)
    *field = g_strdup (value);
  return TRUE;
}

/* One line, without its line end, trailing blanks removed. */
static gboolean
parse_line (ParseState * st, guint lineno, gchar * line, GError ** error)
{
  GstWrtcSdpFrag *frag = st->frag;
  GError *cand_error = NULL;
  gchar *name, *value;

  if (!g_ascii_islower (line[0]) || line[1] != '=')
    goto not_sdp;

  if (line[0] == 'm') {
    GstWrtcSdpFragMedia *m;

    if (!mline_is_valid (line + 2))
      goto bad_mline;
    if (frag->media->len >= GST_WRTC_SDP_FRAG_MAX_MEDIA)
      goto too_many_media;
    m = g_new0 (GstWrtcSdpFragMedia, 1);
    m->mline = g_strdup (line + 2);
    g_ptr_array_add (frag->media, m);
    st->cur = m;
    return TRUE;
  }
  if (line[0] != 'a')
    return TRUE;                /* c=, b=, ...: nothing for trickle ICE */

  name = line + 2;
  value = strchr (name, ':');
  if (value)
    *value++ = '\0';

  if (strcmp (name, "ice-ufrag") == 0) {
    if (!value || !set_credential (&frag->ice_ufrag, value, UFRAG_MIN))
      goto bad_ufrag;
  } else if (strcmp (name, "ice-pwd") == 0) {
    if (!value || !set_credential (&frag->ice_pwd, value, PWD_MIN))
      goto bad_pwd;
  } else if (strcmp (name, "group") == 0) {
    gchar **tokens;

    if (!value)
      goto bad_group;
    tokens = g_strsplit (value, " ", 0);
    if (!tokens[0] || !gst_wrtc_jsep_is_vchars (tokens[0])) {
      g_strfreev (tokens);
      goto bad_group;
    }
    if (strcmp (tokens[0], "BUNDLE") == 0 && !st->have_bundle) {
      GPtrArray *mids = g_ptr_array_new_with_free_func (g_free);

      for (guint i = 1; tokens[i]; i++) {
        if (!gst_wrtc_jsep_is_vchars (tokens[i])) {
          g_ptr_array_free (mids, TRUE);
          g_strfreev (tokens);
          goto bad_group;
        }
        g_ptr_array_add (mids, g_strdup (tokens[i]));
      }
      g_ptr_array_add (mids, NULL);
      frag->bundle = (gchar **) g_ptr_array_free (mids, FALSE);
      st->have_bundle = TRUE;
    }
    g_strfreev (tokens);
  } else if (strcmp (name, "mid") == 0) {
    if (!st->cur)
      goto mid_outside_media;
    if (!value || !gst_wrtc_jsep_is_vchars (value) || st->cur->mid)
      goto bad_mid;
    st->cur->mid = g_strdup (value);
  } else if (strcmp (name, "candidate") == 0) {
    GstWrtcSdpFragCandidate *c;
    GstWrtcIceCandidate *parsed;
    gchar *attribute;

    if (!value)
      goto bad_candidate;
    attribute = g_strconcat ("candidate:", value, NULL);
    /* RFC 8839 section 5.1; one of an unknown transport or type is kept
     * for the ICE agent to ignore */
    parsed = gst_wrtc_candidate_parse (attribute, &cand_error);
    if (!parsed && !g_error_matches (cand_error, GST_WRTC_JSEP_ERROR,
            GST_WRTC_JSEP_ERROR_UNSUPPORTED)) {
      g_free (attribute);
      goto bad_candidate;
    }
    gst_wrtc_ice_candidate_free (parsed);
    g_clear_error (&cand_error);
    if (frag->candidates->len >= GST_WRTC_SDP_FRAG_MAX_CANDIDATES) {
      g_free (attribute);
      goto too_many_candidates;
    }
    c = g_new0 (GstWrtcSdpFragCandidate, 1);
    c->mline_index = st->cur ? (gint) frag->media->len - 1 : -1;
    c->candidate = attribute;
    g_ptr_array_add (frag->candidates, c);
  } else if (strcmp (name, "end-of-candidates") == 0) {
    if (value)
      goto bad_end;
    frag->end_of_candidates = TRUE;
  }
  /* other attributes (ice-options, ...) are ignored */
  return TRUE;

  /* ERRORS */
not_sdp:
  g_set_error (error, GST_WRTC_SDP_FRAG_ERROR,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "line %u is not an SDP line", lineno);
  return FALSE;
bad_mline:
  g_set_error (error, GST_WRTC_SDP_FRAG_ERROR,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "line %u: malformed m= line", lineno);
  return FALSE;
too_many_media:
  g_set_error (error, GST_WRTC_SDP_FRAG_ERROR,
      GST_WRTC_SDP_FRAG_ERROR_TOO_LARGE, "line %u: more than %d m= lines",
      lineno, GST_WRTC_SDP_FRAG_MAX_MEDIA);
  return FALSE;
bad_ufrag:
  g_set_error (error, GST_WRTC_SDP_FRAG_ERROR,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "line %u: a=ice-ufrag must be %d to "
      "%d ice-chars, and the same in the whole fragment", lineno, UFRAG_MIN,
      ICE_CRED_MAX);
  return FALSE;
bad_pwd:
  g_set_error (error, GST_WRTC_SDP_FRAG_ERROR,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "line %u: a=ice-pwd must be %d to "
      "%d ice-chars, and the same in the whole fragment", lineno, PWD_MIN,
      ICE_CRED_MAX);
  return FALSE;
bad_group:
  g_set_error (error, GST_WRTC_SDP_FRAG_ERROR,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "line %u: malformed a=group", lineno);
  return FALSE;
mid_outside_media:
  g_set_error (error, GST_WRTC_SDP_FRAG_ERROR,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "line %u: a=mid before any m= line",
      lineno);
  return FALSE;
bad_mid:
  g_set_error (error, GST_WRTC_SDP_FRAG_ERROR,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED,
      "line %u: a=mid must be one token, once per m= line", lineno);
  return FALSE;
bad_candidate:
  g_set_error (error, GST_WRTC_SDP_FRAG_ERROR,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "line %u: %s", lineno,
      cand_error ? cand_error->message : "a=candidate without a value");
  g_clear_error (&cand_error);
  return FALSE;
too_many_candidates:
  g_set_error (error, GST_WRTC_SDP_FRAG_ERROR,
      GST_WRTC_SDP_FRAG_ERROR_TOO_LARGE, "line %u: more than %d candidates",
      lineno, GST_WRTC_SDP_FRAG_MAX_CANDIDATES);
  return FALSE;
bad_end:
  g_set_error (error, GST_WRTC_SDP_FRAG_ERROR,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED,
      "line %u: a=end-of-candidates takes no value", lineno);
  return FALSE;
}

GstWrtcSdpFrag *
gst_wrtc_sdp_frag_parse (const gchar * data, gsize len, GError ** error)
{
  ParseState st = { NULL, };
  const gchar *p, *end, *next;
  guint lineno = 0, n_lines = 0;
  gchar *line = NULL;

  debug_init ();
  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len > GST_WRTC_SDP_FRAG_MAX_LEN)
    goto too_long;
  if (len == 0)
    goto empty_input;
  if (len > 0 && memchr (data, '\0', len))
    goto has_nul;
  if (!g_utf8_validate_len (data, len, NULL))
    goto not_utf8;

  st.frag = g_new0 (GstWrtcSdpFrag, 1);
  st.frag->media = g_ptr_array_new_with_free_func ((GDestroyNotify) media_free);
  st.frag->candidates =
      g_ptr_array_new_with_free_func ((GDestroyNotify) candidate_free);

  /* Lines end in CRLF; a lone LF is accepted too (RFC 8866 section 5). */
  for (p = data, end = data + len; p < end; p = next) {
    const gchar *nl = memchr (p, '\n', end - p);
    gsize n = nl ? (gsize) (nl - p) : (gsize) (end - p);
    gsize k;

    next = nl ? nl + 1 : end;
    lineno++;
    if (n > 0 && p[n - 1] == '\r')
      n--;
    /* without its line end, so writing it back with CRLF fits too */
    if (n > GST_WRTC_SDP_FRAG_MAX_LINE)
      goto line_too_long;
    line = g_strndup (p, n);
    while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
      line[--n] = '\0';
    for (k = 0; k < n; k++) {
      if ((guchar) line[k] < 0x20 && line[k] != '\t')
        goto control_char;
    }
    if (n > 0) {
      n_lines++;
      if (!parse_line (&st, lineno, line, error))
        goto fail;
    }
    g_clear_pointer (&line, g_free);
  }

  if (n_lines == 0)
    goto empty;
  for (guint i = 0; i < st.frag->candidates->len; i++) {
    GstWrtcSdpFragCandidate *c = g_ptr_array_index (st.frag->candidates, i);

    if (c->mline_index >= 0)
      c->mid = ((GstWrtcSdpFragMedia *) g_ptr_array_index (st.frag->media,
              c->mline_index))->mid;
  }

  GST_LOG ("fragment: %u candidates in %u m-sections%s",
      st.frag->candidates->len, st.frag->media->len,
      st.frag->end_of_candidates ? ", end of candidates" : "");
  return st.frag;

  /* ERRORS */
too_long:
  g_set_error (error, GST_WRTC_SDP_FRAG_ERROR,
      GST_WRTC_SDP_FRAG_ERROR_TOO_LARGE, "the fragment is longer than %d "
      "bytes", GST_WRTC_SDP_FRAG_MAX_LEN);
  return NULL;
has_nul:
  g_set_error_literal (error, GST_WRTC_SDP_FRAG_ERROR,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "the fragment contains a NUL byte");
  return NULL;
empty_input:
  g_set_error_literal (error, GST_WRTC_SDP_FRAG_ERROR,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "the fragment is empty");
  return NULL;
not_utf8:
  g_set_error_literal (error, GST_WRTC_SDP_FRAG_ERROR,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "the fragment is not UTF-8 text");
  return NULL;
line_too_long:
  g_set_error (error, GST_WRTC_SDP_FRAG_ERROR,
      GST_WRTC_SDP_FRAG_ERROR_TOO_LARGE, "line %u is longer than %d bytes",
      lineno, GST_WRTC_SDP_FRAG_MAX_LINE);
  goto fail;
control_char:
  g_set_error (error, GST_WRTC_SDP_FRAG_ERROR,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "line %u holds a control character",
      lineno);
  goto fail;
empty:
  g_set_error_literal (error, GST_WRTC_SDP_FRAG_ERROR,
      GST_WRTC_SDP_FRAG_ERROR_MALFORMED, "the fragment is empty");
  goto fail;
fail:
  GST_DEBUG ("rejected fragment: %s", error && *error ? (*error)->message :
      "(no error location)");
  g_free (line);
  gst_wrtc_sdp_frag_free (st.frag);
  return NULL;
}

gchar *
gst_wrtc_sdp_frag_to_string (const GstWrtcSdpFrag * frag)
{
  GString *s = g_string_new (NULL);
  guint c = 0;

  g_return_val_if_fail (frag != NULL, NULL);

  if (frag->ice_ufrag)
    g_string_append_printf (s, "a=ice-ufrag:%s\r\n", frag->ice_ufrag);
  if (frag->ice_pwd)
    g_string_append_printf (s, "a=ice-pwd:%s\r\n", frag->ice_pwd);
  if (frag->bundle) {
    g_string_append (s, "a=group:BUNDLE");
    for (guint i = 0; frag->bundle[i]; i++)
      g_string_append_printf (s, " %s", frag->bundle[i]);
    g_string_append (s, "\r\n");
  }
  /* candidates are in m-line order: the parser only ever appends to the
   * last m-section */
  for (gint m = -1; m < (gint) frag->media->len; m++) {
    if (m >= 0) {
      const GstWrtcSdpFragMedia *media = g_ptr_array_index (frag->media, m);

      g_string_append_printf (s, "m=%s\r\n", media->mline);
      if (media->mid)
        g_string_append_printf (s, "a=mid:%s\r\n", media->mid);
    }
    for (; c < frag->candidates->len; c++) {
      const GstWrtcSdpFragCandidate *cand =
          g_ptr_array_index (frag->candidates, c);

      if (cand->mline_index != m)
        break;
      g_string_append_printf (s, "a=%s\r\n", cand->candidate);
    }
  }
  if (frag->end_of_candidates)
    g_string_append (s, "a=end-of-candidates\r\n");
  return g_string_free (s, FALSE);
}
