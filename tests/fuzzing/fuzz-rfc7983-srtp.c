/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: fuzz target for the inbound demultiplexer (RFC 7983)
 * and SRTP/SRTCP unprotect and protect (gstwrtcsrtp.h).
 *
 * Input: one selector byte, then the packet.
 *   selector % 3     SRTP profile: AES128_CM_SHA1_80, AES128_CM_SHA1_32,
 *                    AEAD_AES_128_GCM (all keyed with fuzz_srtp_key/salt)
 *   selector & 0x04  protect as RTCP, whatever the classifier says
 *
 * For every input:
 *   1. the packet is classified (RFC 7983); RTP and RTCP are unprotected
 *      in place by an inbound context with the fixed key (the corpus holds
 *      packets protected with it, so authentication passes and the
 *      decryption paths run); a successful unprotect never grows the
 *      packet;
 *   2. the packet goes through a DTLS-SRTP transport's receive() (demux,
 *      no keys yet; DTLS to a started server connection);
 *   3. the packet is protected by an outbound context in a buffer of
 *      exactly size + GST_WRTC_SRTP_MAX_TRAILER bytes (the size contract),
 *      and whatever protect accepts must unprotect back to the same bytes
 *      with a fresh inbound context.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "fuzz-common.h"
#include "gstwrtcrfc7983.h"
#include "gstwrtcsrtp.h"
#include "gstwrtcdtlssrtptransport.h"

static const GstWrtcSrtpProfile profiles[] = {
  GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80,
  GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_32,
  GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM,
};

static GstWrtcSrtpContext *
keyed_context (gboolean outbound, GstWrtcSrtpProfile profile)
{
  GstWrtcSrtpContext *ctx = gst_wrtc_srtp_context_new (outbound);
  GError *err = NULL;

  FUZZ_CHECK (gst_wrtc_srtp_context_set_key (ctx, profile, fuzz_srtp_key,
          fuzz_srtp_salt, &err));
  return ctx;
}

static void
transport_send (GObject * owner, const guint8 * data, gsize len)
{
}

static void
transport_data (GObject * owner, const guint8 * data, gsize len)
{
}

static void
unprotect_inbound (GstWrtcSrtpProfile profile, const guint8 * pkt, gsize len)
{
  GstWrtcPacketKind kind = gst_wrtc_rfc7983_classify (pkt, len);
  GstWrtcSrtpContext *rx;
  GstWrtcSrtpResult res;
  guint8 *buf;
  gsize n = len;

  if (kind != GST_WRTC_PACKET_RTP && kind != GST_WRTC_PACKET_RTCP)
    return;
  FUZZ_CHECK (len >= 2);
  FUZZ_CHECK (pkt[0] >= 128 && pkt[0] <= 191);

  rx = keyed_context (FALSE, profile);
  buf = g_memdup2 (pkt, len);
  res = gst_wrtc_srtp_context_unprotect (rx, kind == GST_WRTC_PACKET_RTCP,
      buf, &n);
  if (res == GST_WRTC_SRTP_OK)
    FUZZ_CHECK (n <= len);
  else
    FUZZ_CHECK (n == len);
  /* the same packet again is a replay, never accepted twice */
  if (res == GST_WRTC_SRTP_OK) {
    GstWrtcSrtpResult again;
    gsize m = len;

    memcpy (buf, pkt, len);
    again = gst_wrtc_srtp_context_unprotect (rx, kind == GST_WRTC_PACKET_RTCP,
        buf, &m);
    FUZZ_CHECK (again != GST_WRTC_SRTP_OK);
  }
  g_free (buf);
  gst_wrtc_srtp_context_free (rx);
}

static void
transport_receive (const guint8 * pkt, gsize len)
{
  GstWrtcDtlsSrtpTransport *t = gst_wrtc_dtls_srtp_transport_acquire (NULL);
  GObject *owner = g_object_new (G_TYPE_OBJECT, NULL);
  GstWrtcSrtpResult res;
  GstWrtcPacketKind kind;
  GstStructure *stats;
  guint8 *buf = g_memdup2 (pkt, len);
  gsize n = len;

  /* both halves attached: a server connection waits for a ClientHello */
  gst_wrtc_dtls_srtp_transport_attach_sender (t, owner, transport_send);
  gst_wrtc_dtls_srtp_transport_attach_receiver (t, owner, transport_data);

  kind = gst_wrtc_dtls_srtp_transport_receive (t, buf, &n, &res);
  FUZZ_CHECK (kind == gst_wrtc_rfc7983_classify (pkt, len));
  if (kind == GST_WRTC_PACKET_RTP || kind == GST_WRTC_PACKET_RTCP)
    FUZZ_CHECK (res == GST_WRTC_SRTP_NO_KEY);
  FUZZ_CHECK (n == len);

  stats = gst_wrtc_dtls_srtp_transport_get_stats (t);
  FUZZ_CHECK (stats != NULL);
  gst_structure_free (stats);

  gst_wrtc_dtls_srtp_transport_detach_sender (t);
  gst_wrtc_dtls_srtp_transport_detach_receiver (t);
  g_object_unref (t);
  g_object_unref (owner);
  g_free (buf);
}

static void
protect_round_trip (GstWrtcSrtpProfile profile, gboolean rtcp,
    const guint8 * pkt, gsize len)
{
  GstWrtcSrtpContext *tx = keyed_context (TRUE, profile);
  GstWrtcSrtpContext *rx = keyed_context (FALSE, profile);
  gsize max = len + GST_WRTC_SRTP_MAX_TRAILER;
  guint8 *buf = g_malloc (max);
  GstWrtcSrtpResult res;
  gsize n = len;

  memcpy (buf, pkt, len);
  res = gst_wrtc_srtp_context_protect (tx, rtcp, buf, &n, max);
  if (res == GST_WRTC_SRTP_OK) {
    FUZZ_CHECK (n >= len && n <= max);
    res = gst_wrtc_srtp_context_unprotect (rx, rtcp, buf, &n);
    FUZZ_CHECK (res == GST_WRTC_SRTP_OK);
    FUZZ_CHECK (n == len);
    FUZZ_CHECK (memcmp (buf, pkt, len) == 0);
  } else {
    FUZZ_CHECK (n == len);
  }
  /* one byte short of the contract is refused, never overflowed */
  if (len) {
    guint8 *tight = g_malloc (max - 1);
    gsize m = len;

    memcpy (tight, pkt, len);
    FUZZ_CHECK (gst_wrtc_srtp_context_protect (tx, rtcp, tight, &m,
            max - 1) != GST_WRTC_SRTP_OK);
    g_free (tight);
  }
  g_free (buf);
  gst_wrtc_srtp_context_free (tx);
  gst_wrtc_srtp_context_free (rx);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  GstWrtcSrtpProfile profile;
  gboolean rtcp;
  const guint8 *pkt;
  gsize len;

  if (size < 1 || size > 65536)
    return 0;
  fuzz_init ();

  profile = profiles[data[0] % G_N_ELEMENTS (profiles)];
  pkt = data + 1;
  len = size - 1;
  rtcp = (data[0] & 0x04)
      || gst_wrtc_rfc7983_classify (pkt, len) == GST_WRTC_PACKET_RTCP;

  unprotect_inbound (profile, pkt, len);
  transport_receive (pkt, len);
  protect_round_trip (profile, rtcp, pkt, len);
  return 0;
}
