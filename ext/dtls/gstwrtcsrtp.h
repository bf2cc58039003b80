/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: one direction of SRTP/SRTCP protection (libsrtp2).
 *
 * A context protects (outbound) or unprotects (inbound) RTP and RTCP for any
 * SSRC with one master key.  Thread safe: calls are serialised by the
 * context's own lock.  libsrtp2 types stay in the .c file.
 */
#ifndef __GST_WRTC_SRTP_H__
#define __GST_WRTC_SRTP_H__

#include <glib.h>

G_BEGIN_DECLS
/* DTLS-SRTP protection profile identifiers (RFC 5764 section 4.1.2,
 * RFC 7714 section 14.2), as they appear on the wire. */
    typedef enum
{
  GST_WRTC_SRTP_PROFILE_NONE = 0,
  GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80 = 0x0001,
  GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_32 = 0x0002,
  GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM = 0x0007,
} GstWrtcSrtpProfile;

#define GST_WRTC_SRTP_MAX_KEY_LEN 16
#define GST_WRTC_SRTP_MAX_SALT_LEN 14
/* bytes protect may add: SRTCP index (4) + the longest tag (16) */
#define GST_WRTC_SRTP_MAX_TRAILER 20

/* Keying material exported from DTLS (RFC 5764 section 4.2). */
typedef struct
{
  GstWrtcSrtpProfile profile;
  guint8 client_key[GST_WRTC_SRTP_MAX_KEY_LEN];
  guint8 server_key[GST_WRTC_SRTP_MAX_KEY_LEN];
  guint8 client_salt[GST_WRTC_SRTP_MAX_SALT_LEN];
  guint8 server_salt[GST_WRTC_SRTP_MAX_SALT_LEN];
} GstWrtcSrtpKeys;

typedef enum
{
  GST_WRTC_SRTP_OK,
  GST_WRTC_SRTP_NO_KEY,         /* no key set yet */
  GST_WRTC_SRTP_REPLAYED,       /* replayed or too old (RFC 3711 section 3.3.2) */
  GST_WRTC_SRTP_AUTH_FAILED,    /* tampered, or a wrong key */
  GST_WRTC_SRTP_MALFORMED,      /* too short, not RTP/RTCP, no room */
  GST_WRTC_SRTP_FAILED,         /* anything else libsrtp2 refuses */
} GstWrtcSrtpResult;

typedef struct
{
  guint64 packets;              /* protected or unprotected */
  guint64 bytes;
  guint64 no_key;
  guint64 replayed;
  guint64 auth_failed;
  guint64 malformed;
  guint64 failed;
} GstWrtcSrtpCounters;

typedef struct _GstWrtcSrtpContext GstWrtcSrtpContext;

const gchar *gst_wrtc_srtp_profile_name (GstWrtcSrtpProfile profile);
guint gst_wrtc_srtp_profile_key_len (GstWrtcSrtpProfile profile);
guint gst_wrtc_srtp_profile_salt_len (GstWrtcSrtpProfile profile);
const gchar *gst_wrtc_srtp_result_name (GstWrtcSrtpResult res);

GstWrtcSrtpContext *gst_wrtc_srtp_context_new (gboolean outbound);
void gst_wrtc_srtp_context_free (GstWrtcSrtpContext * ctx);

gboolean gst_wrtc_srtp_context_set_key (GstWrtcSrtpContext * ctx,
    GstWrtcSrtpProfile profile, const guint8 * key, const guint8 * salt,
    GError ** error);
/* Manual keying, as gst-plugins-bad's srtpenc/srtpdec: cipher "null",
 * "aes-128-icm", "aes-256-icm", "aes-128-gcm" or "aes-256-gcm"; auth "null",
 * "hmac-sha1-32" or "hmac-sha1-80" (NULL: aes-128-icm, hmac-sha1-80).
 * @key is the master key followed by the master salt. */
gboolean gst_wrtc_srtp_context_set_manual_key (GstWrtcSrtpContext * ctx,
    const gchar * rtp_cipher, const gchar * rtp_auth,
    const gchar * rtcp_cipher, const gchar * rtcp_auth,
    const guint8 * key, gsize key_len, GError ** error);
gboolean gst_wrtc_srtp_context_is_manual (GstWrtcSrtpContext * ctx);
void gst_wrtc_srtp_context_clear_key (GstWrtcSrtpContext * ctx);
gboolean gst_wrtc_srtp_context_has_key (GstWrtcSrtpContext * ctx);
GstWrtcSrtpProfile gst_wrtc_srtp_context_get_profile (GstWrtcSrtpContext * ctx);

/* In place.  @len is the packet length in and out; @max the buffer size,
 * which must leave GST_WRTC_SRTP_MAX_TRAILER bytes for protect. */
GstWrtcSrtpResult gst_wrtc_srtp_context_protect (GstWrtcSrtpContext * ctx,
    gboolean rtcp, guint8 * data, gsize * len, gsize max);
GstWrtcSrtpResult gst_wrtc_srtp_context_unprotect (GstWrtcSrtpContext * ctx,
    gboolean rtcp, guint8 * data, gsize * len);

/* Counts a packet dropped before it reached libsrtp2. */
void gst_wrtc_srtp_context_count (GstWrtcSrtpContext * ctx,
    GstWrtcSrtpResult res);
void gst_wrtc_srtp_context_get_counters (GstWrtcSrtpContext * ctx,
    GstWrtcSrtpCounters * counters);

G_END_DECLS
#endif
