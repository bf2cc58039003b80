/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: SRTP/SRTCP with libsrtp2.
 *
 * Any SSRC (ssrc_any_inbound / ssrc_any_outbound): streams are created by
 * libsrtp2 when an SSRC first authenticates.  Replay protection uses a
 * 1024-packet window; the rollover counter is estimated per RFC 3711
 * section 3.3.1 by libsrtp2, so sequence numbers may wrap.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcsrtp.h"
#include "gstwrtcdtlscertificate.h"

#include <string.h>
#include <srtp2/srtp.h>
#include <srtp2/crypto_types.h>
#include <gst/gst.h>

GST_DEBUG_CATEGORY_STATIC (wrtc_srtp_debug);
#define GST_CAT_DEFAULT wrtc_srtp_debug

#define REPLAY_WINDOW 1024

struct _GstWrtcSrtpContext
{
  GMutex lock;
  gboolean outbound;            /* immutable */
  srtp_t session;               /* lock */
  GstWrtcSrtpProfile profile;   /* lock */
  gboolean manual;              /* lock: keyed by set_manual_key */
  GstWrtcSrtpCounters counters; /* lock */
};

static void
srtp_library_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    srtp_err_status_t err = srtp_init ();
    srtp_policy_t policy;
    guint8 key[SRTP_AES_ICM_128_KEY_LEN_WSALT] = { 0 };
    static srtp_t keepalive = NULL;

    GST_DEBUG_CATEGORY_INIT (wrtc_srtp_debug, "wrtcsrtp", 0, "SRTP (libsrtp2)");
    /* another library in the process may have initialised libsrtp2 already:
     * that is fine as long as sessions can be created */
    if (err != srtp_err_status_ok)
      GST_INFO ("srtp_init returned %d (already initialised?)", err);

    /* Debian's libsrtp2 does its crypto with NSS, which it initialises
     * when the first session is created and shuts down with the last: 3-4
     * ms each time.  One session that lives as long as the process keeps
     * every later srtp_create cheap (the DTLS handshake creates two). */
    memset (&policy, 0, sizeof (policy));
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80 (&policy.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80 (&policy.rtcp);
    policy.ssrc.type = ssrc_any_outbound;
    policy.key = key;
    err = srtp_create (&keepalive, &policy);
    if (err != srtp_err_status_ok)
      g_critical ("libsrtp2 cannot create a session (error %d): SRTP will "
          "not work", err);
    g_once_init_leave (&done, 1);
  }
}

const gchar *
gst_wrtc_srtp_profile_name (GstWrtcSrtpProfile profile)
{
  switch (profile) {
    case GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80:
      return "SRTP_AES128_CM_SHA1_80";
    case GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_32:
      return "SRTP_AES128_CM_SHA1_32";
    case GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM:
      return "SRTP_AEAD_AES_128_GCM";
    default:
      return "none";
  }
}

const gchar *
gst_wrtc_srtp_result_name (GstWrtcSrtpResult res)
{
  static const gchar *names[] = { "ok", "no key", "replayed",
    "authentication failed", "malformed", "failed"
  };
  return res < G_N_ELEMENTS (names) ? names[res] : "unknown";
}

/* RFC 5764 section 4.1.2 and RFC 7714 section 12 */
guint
gst_wrtc_srtp_profile_key_len (GstWrtcSrtpProfile profile)
{
  return profile == GST_WRTC_SRTP_PROFILE_NONE ? 0 : 16;
}

guint
gst_wrtc_srtp_profile_salt_len (GstWrtcSrtpProfile profile)
{
  switch (profile) {
    case GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80:
    case GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_32:
      return 14;
    case GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM:
      return 12;
    default:
      return 0;
  }
}

GstWrtcSrtpContext *
gst_wrtc_srtp_context_new (gboolean outbound)
{
  GstWrtcSrtpContext *ctx;

  srtp_library_init ();
  ctx = g_new0 (GstWrtcSrtpContext, 1);
  g_mutex_init (&ctx->lock);
  ctx->outbound = outbound;
  return ctx;
}

void
gst_wrtc_srtp_context_free (GstWrtcSrtpContext * ctx)
{
  if (!ctx)
    return;
  if (ctx->session)
    srtp_dealloc (ctx->session);
  g_mutex_clear (&ctx->lock);
  g_free (ctx);
}

gboolean
gst_wrtc_srtp_context_set_key (GstWrtcSrtpContext * ctx,
    GstWrtcSrtpProfile profile, const guint8 * key, const guint8 * salt,
    GError ** error)
{
  srtp_policy_t policy;
  guint8 master[GST_WRTC_SRTP_MAX_KEY_LEN + GST_WRTC_SRTP_MAX_SALT_LEN];
  guint klen = gst_wrtc_srtp_profile_key_len (profile);
  guint slen = gst_wrtc_srtp_profile_salt_len (profile);
  srtp_t session = NULL;
  srtp_err_status_t err;

  memset (&policy, 0, sizeof (policy));
  switch (profile) {
    case GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80:
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80 (&policy.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80 (&policy.rtcp);
      break;
    case GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_32:
      /* RFC 5764 section 4.1.2: SRTCP keeps the 80-bit tag */
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32 (&policy.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80 (&policy.rtcp);
      break;
    case GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM:
      srtp_crypto_policy_set_aes_gcm_128_16_auth (&policy.rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth (&policy.rtcp);
      break;
    default:
      g_set_error (error, GST_WRTC_DTLS_ERROR, GST_WRTC_DTLS_ERROR_NO_SRTP,
          "unsupported SRTP profile 0x%04x", profile);
      return FALSE;
  }

  memcpy (master, key, klen);
  memcpy (master + klen, salt, slen);
  policy.key = master;
  policy.ssrc.type = ctx->outbound ? ssrc_any_outbound : ssrc_any_inbound;
  policy.window_size = REPLAY_WINDOW;
  /* a retransmission of the very same packet (NACK without RTX) is not a
   * key stream reuse: the plaintext is identical */
  policy.allow_repeat_tx = ctx->outbound;

  err = srtp_create (&session, &policy);
  memset (master, 0, sizeof (master));
  if (err != srtp_err_status_ok) {
    g_set_error (error, GST_WRTC_DTLS_ERROR, GST_WRTC_DTLS_ERROR_SRTP,
        "libsrtp2 refused the %s key (error %d)",
        gst_wrtc_srtp_profile_name (profile), err);
    return FALSE;
  }

  g_mutex_lock (&ctx->lock);
  if (ctx->session)
    srtp_dealloc (ctx->session);
  ctx->session = session;
  ctx->profile = profile;
  ctx->manual = FALSE;
  g_mutex_unlock (&ctx->lock);

  GST_DEBUG ("%s key set, profile %s", ctx->outbound ? "outbound" : "inbound",
      gst_wrtc_srtp_profile_name (profile));
  return TRUE;
}

static gboolean
crypto_policy_from_names (srtp_crypto_policy_t * p, const gchar * cipher,
    const gchar * auth, GError ** error)
{
  if (!cipher)
    cipher = "aes-128-icm";
  if (!auth)
    auth = "hmac-sha1-80";

  memset (p, 0, sizeof (*p));
  if (g_str_equal (cipher, "null")) {
    p->cipher_type = SRTP_NULL_CIPHER;
    p->cipher_key_len = SRTP_AES_ICM_128_KEY_LEN_WSALT;
  } else if (g_str_equal (cipher, "aes-128-icm")) {
    p->cipher_type = SRTP_AES_ICM_128;
    p->cipher_key_len = SRTP_AES_ICM_128_KEY_LEN_WSALT;
  } else if (g_str_equal (cipher, "aes-256-icm")) {
    p->cipher_type = SRTP_AES_ICM_256;
    p->cipher_key_len = SRTP_AES_ICM_256_KEY_LEN_WSALT;
  } else if (g_str_equal (cipher, "aes-128-gcm")) {
    srtp_crypto_policy_set_aes_gcm_128_16_auth (p);
    return TRUE;
  } else if (g_str_equal (cipher, "aes-256-gcm")) {
    srtp_crypto_policy_set_aes_gcm_256_16_auth (p);
    return TRUE;
  } else {
    g_set_error (error, GST_WRTC_DTLS_ERROR, GST_WRTC_DTLS_ERROR_SRTP,
        "unknown SRTP cipher '%s' (null, aes-128-icm, aes-256-icm, "
        "aes-128-gcm, aes-256-gcm)", cipher);
    return FALSE;
  }

  if (g_str_equal (auth, "null")) {
    p->auth_type = SRTP_NULL_AUTH;
  } else if (g_str_equal (auth, "hmac-sha1-32")) {
    p->auth_type = SRTP_HMAC_SHA1;
    p->auth_key_len = 20;
    p->auth_tag_len = 4;
  } else if (g_str_equal (auth, "hmac-sha1-80")) {
    p->auth_type = SRTP_HMAC_SHA1;
    p->auth_key_len = 20;
    p->auth_tag_len = 10;
  } else {
    g_set_error (error, GST_WRTC_DTLS_ERROR, GST_WRTC_DTLS_ERROR_SRTP,
        "unknown SRTP auth '%s' (null, hmac-sha1-32, hmac-sha1-80)", auth);
    return FALSE;
  }
  p->sec_serv = (p->cipher_type != SRTP_NULL_CIPHER ? sec_serv_conf : 0) |
      (p->auth_type != SRTP_NULL_AUTH ? sec_serv_auth : 0);
  return TRUE;
}

gboolean
gst_wrtc_srtp_context_set_manual_key (GstWrtcSrtpContext * ctx,
    const gchar * rtp_cipher, const gchar * rtp_auth,
    const gchar * rtcp_cipher, const gchar * rtcp_auth,
    const guint8 * key, gsize key_len, GError ** error)
{
  srtp_policy_t policy;
  srtp_t session = NULL;
  srtp_err_status_t err;
  gsize need;
  guint8 *master;

  memset (&policy, 0, sizeof (policy));
  if (!crypto_policy_from_names (&policy.rtp, rtp_cipher, rtp_auth, error)
      || !crypto_policy_from_names (&policy.rtcp, rtcp_cipher, rtcp_auth,
          error))
    return FALSE;
  need = MAX (policy.rtp.cipher_key_len, policy.rtcp.cipher_key_len);
  if (key_len < need) {
    g_set_error (error, GST_WRTC_DTLS_ERROR, GST_WRTC_DTLS_ERROR_SRTP,
        "the SRTP key has %" G_GSIZE_FORMAT " bytes, the cipher needs %"
        G_GSIZE_FORMAT " (master key and salt)", key_len, need);
    return FALSE;
  }

  srtp_library_init ();
  master = g_malloc0 (MAX (need, key_len));
  memcpy (master, key, key_len);
  policy.key = master;
  policy.ssrc.type = ctx->outbound ? ssrc_any_outbound : ssrc_any_inbound;
  policy.window_size = REPLAY_WINDOW;
  policy.allow_repeat_tx = ctx->outbound;
  err = srtp_create (&session, &policy);
  memset (master, 0, MAX (need, key_len));
  g_free (master);
  if (err != srtp_err_status_ok) {
    g_set_error (error, GST_WRTC_DTLS_ERROR, GST_WRTC_DTLS_ERROR_SRTP,
        "libsrtp2 refused the manual key (error %d)", err);
    return FALSE;
  }

  g_mutex_lock (&ctx->lock);
  if (ctx->session)
    srtp_dealloc (ctx->session);
  ctx->session = session;
  ctx->profile = GST_WRTC_SRTP_PROFILE_NONE;
  ctx->manual = TRUE;
  g_mutex_unlock (&ctx->lock);
  return TRUE;
}

gboolean
gst_wrtc_srtp_context_is_manual (GstWrtcSrtpContext * ctx)
{
  gboolean ret;

  g_mutex_lock (&ctx->lock);
  ret = ctx->manual && ctx->session;
  g_mutex_unlock (&ctx->lock);
  return ret;
}

void
gst_wrtc_srtp_context_clear_key (GstWrtcSrtpContext * ctx)
{
  g_mutex_lock (&ctx->lock);
  if (ctx->session)
    srtp_dealloc (ctx->session);
  ctx->session = NULL;
  ctx->profile = GST_WRTC_SRTP_PROFILE_NONE;
  ctx->manual = FALSE;
  g_mutex_unlock (&ctx->lock);
}

gboolean
gst_wrtc_srtp_context_has_key (GstWrtcSrtpContext * ctx)
{
  gboolean ret;

  g_mutex_lock (&ctx->lock);
  ret = ctx->session != NULL;
  g_mutex_unlock (&ctx->lock);
  return ret;
}

GstWrtcSrtpProfile
gst_wrtc_srtp_context_get_profile (GstWrtcSrtpContext * ctx)
{
  GstWrtcSrtpProfile ret;

  g_mutex_lock (&ctx->lock);
  ret = ctx->profile;
  g_mutex_unlock (&ctx->lock);
  return ret;
}

static GstWrtcSrtpResult
map_error (srtp_err_status_t err)
{
  switch (err) {
    case srtp_err_status_ok:
      return GST_WRTC_SRTP_OK;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
      return GST_WRTC_SRTP_REPLAYED;
    case srtp_err_status_auth_fail:
    case srtp_err_status_cipher_fail:
      return GST_WRTC_SRTP_AUTH_FAILED;
    case srtp_err_status_bad_param:
    case srtp_err_status_parse_err:
      return GST_WRTC_SRTP_MALFORMED;
    default:
      return GST_WRTC_SRTP_FAILED;
  }
}

static void
count_result (GstWrtcSrtpContext * ctx, GstWrtcSrtpResult res, gsize len)
{
  switch (res) {
    case GST_WRTC_SRTP_OK:
      ctx->counters.packets++;
      ctx->counters.bytes += len;
      break;
    case GST_WRTC_SRTP_NO_KEY:
      ctx->counters.no_key++;
      break;
    case GST_WRTC_SRTP_REPLAYED:
      ctx->counters.replayed++;
      break;
    case GST_WRTC_SRTP_AUTH_FAILED:
      ctx->counters.auth_failed++;
      break;
    case GST_WRTC_SRTP_MALFORMED:
      ctx->counters.malformed++;
      break;
    default:
      ctx->counters.failed++;
      break;
  }
}

/* The smallest packets libsrtp2 is given: an RTP fixed header (RFC 3550
 * section 5.1) or an RTCP header with the sender SSRC (section 6.4). */
#define MIN_RTP_LEN 12
#define MIN_RTCP_LEN 8

GstWrtcSrtpResult
gst_wrtc_srtp_context_protect (GstWrtcSrtpContext * ctx, gboolean rtcp,
    guint8 * data, gsize * len, gsize max)
{
  GstWrtcSrtpResult res;
  int l = (int) *len;

  g_mutex_lock (&ctx->lock);
  if (!ctx->session)
    res = GST_WRTC_SRTP_NO_KEY;
  else if (*len < (rtcp ? MIN_RTCP_LEN : MIN_RTP_LEN)
      || *len + GST_WRTC_SRTP_MAX_TRAILER > max || *len > G_MAXINT / 2
      || (data[0] >> 6) != 2)
    res = GST_WRTC_SRTP_MALFORMED;
  else if (rtcp)
    res = map_error (srtp_protect_rtcp (ctx->session, data, &l));
  else
    res = map_error (srtp_protect (ctx->session, data, &l));
  if (res == GST_WRTC_SRTP_OK)
    *len = l;
  count_result (ctx, res, *len);
  g_mutex_unlock (&ctx->lock);

  return res;
}

/* Names a packet that libsrtp2 rejected (its length was checked), so a
 * log tells which packets of which stream failed: SSRC and sequence
 * number of RTP (RFC 3550 section 5.1), packet type and sender SSRC of
 * RTCP (section 6.4).  These headers are not encrypted (RFC 3711 sections
 * 3.1 and 3.4). */
static void
log_rejected (GstWrtcSrtpResult res, gboolean rtcp, const guint8 * data,
    gsize len)
{
  if (rtcp)
    GST_DEBUG ("SRTCP rejected (%s): pt %u ssrc 0x%08x, %" G_GSIZE_FORMAT
        " bytes", gst_wrtc_srtp_result_name (res), data[1],
        GST_READ_UINT32_BE (data + 4), len);
  else
    GST_DEBUG ("SRTP rejected (%s): pt %u ssrc 0x%08x seq %u ts %u, %"
        G_GSIZE_FORMAT " bytes", gst_wrtc_srtp_result_name (res),
        data[1] & 0x7f, GST_READ_UINT32_BE (data + 8),
        GST_READ_UINT16_BE (data + 2), GST_READ_UINT32_BE (data + 4), len);
}

GstWrtcSrtpResult
gst_wrtc_srtp_context_unprotect (GstWrtcSrtpContext * ctx, gboolean rtcp,
    guint8 * data, gsize * len)
{
  GstWrtcSrtpResult res;
  int l = (int) *len;

  g_mutex_lock (&ctx->lock);
  if (!ctx->session)
    res = GST_WRTC_SRTP_NO_KEY;
  else if (*len < (rtcp ? MIN_RTCP_LEN : MIN_RTP_LEN) || *len > G_MAXINT / 2
      || (data[0] >> 6) != 2)
    res = GST_WRTC_SRTP_MALFORMED;
  else if (rtcp)
    res = map_error (srtp_unprotect_rtcp (ctx->session, data, &l));
  else
    res = map_error (srtp_unprotect (ctx->session, data, &l));
  if (res == GST_WRTC_SRTP_OK)
    *len = l;
  else if (res != GST_WRTC_SRTP_NO_KEY && res != GST_WRTC_SRTP_MALFORMED)
    log_rejected (res, rtcp, data, *len);
  count_result (ctx, res, *len);
  g_mutex_unlock (&ctx->lock);

  return res;
}

void
gst_wrtc_srtp_context_count (GstWrtcSrtpContext * ctx, GstWrtcSrtpResult res)
{
  g_mutex_lock (&ctx->lock);
  count_result (ctx, res, 0);
  g_mutex_unlock (&ctx->lock);
}

void
gst_wrtc_srtp_context_get_counters (GstWrtcSrtpContext * ctx,
    GstWrtcSrtpCounters * counters)
{
  g_mutex_lock (&ctx->lock);
  *counters = ctx->counters;
  g_mutex_unlock (&ctx->lock);
}
