/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: writes the generated part of the seed corpus.
 *
 *   ninja -C BUILDDIR tests/fuzzing/fuzz-gen-corpus
 *   BUILDDIR/tests/fuzzing/fuzz-gen-corpus tests/fuzzing/corpus
 *
 * A real handshake between two of our connections is captured (the
 * ClientHello, the server's flight, the client's second flight), and RTP
 * and RTCP packets are protected with the fixed fuzzing key for each
 * profile.  The text seeds of fuzz-fingerprint-pem are kept by hand.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "fuzz-common.h"
#include "gstwrtcdtlsconnection.h"
#include "gstwrtcsrtp.h"

static const gchar *outdir;

static void
write_seed (const gchar * target, const gchar * name, GByteArray * data)
{
  gchar *dir = g_build_filename (outdir, target, NULL);
  gchar *path = g_build_filename (dir, name, NULL);
  GError *err = NULL;

  g_mkdir_with_parents (dir, 0755);
  if (!g_file_set_contents (path, (const gchar *) data->data, data->len, &err))
    g_error ("%s", err->message);
  g_print ("%s: %u bytes\n", path, data->len);
  g_free (path);
  g_free (dir);
}

static void
append_len16 (GByteArray * a, const guint8 * d, gsize len)
{
  guint8 l[2] = { len >> 8, len & 0xff };

  g_byte_array_append (a, l, 2);
  g_byte_array_append (a, d, len);
}

/* ---- handshake capture ---- */

typedef struct
{
  GPtrArray *out;               /* GBytes sent, not yet delivered */
} Side;

static GQuark
side_quark (void)
{
  return g_quark_from_static_string ("gen-corpus-side");
}

static void
side_send (const guint8 * data, gsize len, GObject * owner)
{
  Side *s = g_object_get_qdata (owner, side_quark ());
  g_ptr_array_add (s->out, g_bytes_new (data, len));
}

static void
side_receive (const guint8 * data, gsize len, GObject * owner)
{
}

/* flights[i]: the datagrams of the i-th flight, in order (1: ClientHello,
 * 2: server flight, 3: client's Certificate..Finished, 4: server's
 * ChangeCipherSpec/Finished). */
static GPtrArray *
capture_handshake (void)
{
  GstWrtcDtlsCertificate *cert = gst_wrtc_dtls_certificate_get_default ();
  GstWrtcDtlsConnection *conn[2];
  GObject *owner[2];
  Side side[2];
  GPtrArray *flights = g_ptr_array_new ();
  guint i, turn = 0, rounds;

  for (i = 0; i < 2; i++) {
    side[i].out = g_ptr_array_new_with_free_func ((GDestroyNotify)
        g_bytes_unref);
    owner[i] = g_object_new (G_TYPE_OBJECT, NULL);
    g_object_set_qdata (owner[i], side_quark (), &side[i]);
    conn[i] = gst_wrtc_dtls_connection_new (cert, i == 0);
    gst_wrtc_dtls_connection_set_callbacks (conn[i], side_send, side_receive,
        owner[i]);
  }
  /* 0 is the client */
  gst_wrtc_dtls_connection_start (conn[1], NULL);
  gst_wrtc_dtls_connection_start (conn[0], NULL);

  for (rounds = 0; rounds < 8; rounds++) {
    GPtrArray *batch = side[turn].out;
    guint j;

    if (!batch->len)
      break;
    side[turn].out = g_ptr_array_new_with_free_func ((GDestroyNotify)
        g_bytes_unref);
    g_ptr_array_add (flights, batch);
    for (j = 0; j < batch->len; j++) {
      gsize len;
      const guint8 *d = g_bytes_get_data (batch->pdata[j], &len);
      gst_wrtc_dtls_connection_process (conn[!turn], d, len, NULL);
    }
    turn = !turn;
  }
  g_assert (gst_wrtc_dtls_connection_get_state (conn[0]) ==
      GST_WRTC_DTLS_CONNECTION_STATE_CONNECTED);
  g_assert (gst_wrtc_dtls_connection_get_state (conn[1]) ==
      GST_WRTC_DTLS_CONNECTION_STATE_CONNECTED);
  for (i = 0; i < 2; i++) {
    g_object_unref (conn[i]);
    g_object_unref (owner[i]);
    g_ptr_array_unref (side[i].out);
  }
  g_object_unref (cert);
  return flights;
}

static void
append_flight (GByteArray * a, GPtrArray * flight)
{
  guint i;

  for (i = 0; i < flight->len; i++) {
    gsize len;
    const guint8 *d = g_bytes_get_data (flight->pdata[i], &len);
    append_len16 (a, d, len);
  }
}

static void
dtls_seeds (GPtrArray * flights)
{
  GByteArray *a;
  gsize len;
  const guint8 *hello =
      g_bytes_get_data (((GPtrArray *) flights->pdata[0])->pdata[0], &len);
  guint8 flags;

  g_assert (flights->len >= 3);

  /* fuzz-dtls-connection: flags byte, then length-prefixed datagrams */
  for (flags = 0; flags < 2; flags++) {
    a = g_byte_array_new ();
    g_byte_array_append (a, &flags, 1);
    append_flight (a, flights->pdata[0]);
    write_seed ("fuzz-dtls-connection", flags ? "client-hello-mtu256" :
        "client-hello", a);
    g_byte_array_unref (a);
  }

  flags = 0;
  a = g_byte_array_new ();
  g_byte_array_append (a, &flags, 1);
  append_flight (a, flights->pdata[1]);
  write_seed ("fuzz-dtls-connection", "server-flight", a);
  g_byte_array_unref (a);

  a = g_byte_array_new ();
  g_byte_array_append (a, &flags, 1);
  append_flight (a, flights->pdata[0]);
  append_flight (a, flights->pdata[2]);
  write_seed ("fuzz-dtls-connection", "client-hello-then-client-flight", a);
  g_byte_array_unref (a);

  /* fuzz-dtls-established: operations (see fuzz-dtls-connection.c) */
  {
    static const guint8 app[] = {
      /* the client sends 5 bytes to the server, the server 3 back */
      0x02, 5, 'h', 'e', 'l', 'l', 'o', 0x03, 3, 'a', 'c', 'k',
      /* a client record to the server with byte 13 (sequence) changed,
       * then one with the last byte (tag) changed */
      0x04, 13, 0x01, 0x04, 0xff, 0x80,
      /* handshake datagrams 0 and 5 again, to the side that got them */
      0x06, 0, 0x06, 5,
      /* the server sends, then the client closes */
      0x0a, 2, 'o', 'k', 0x09
    };
    guint8 op[3];

    a = g_byte_array_new ();
    g_byte_array_append (a, app, sizeof (app));
    write_seed ("fuzz-dtls-established", "app-data-tamper-replay-close", a);
    g_byte_array_unref (a);

    /* a second ClientHello on the established association (epoch 0) */
    a = g_byte_array_new ();
    op[0] = 0x00;
    op[1] = len >> 8;
    op[2] = len & 0xff;
    g_byte_array_append (a, op, 3);
    g_byte_array_append (a, hello, len);
    write_seed ("fuzz-dtls-established", "client-hello-again", a);
    g_byte_array_unref (a);
  }

  /* fuzz-rfc7983-srtp: a DTLS datagram through the demultiplexer */
  a = g_byte_array_new ();
  flags = 0;
  g_byte_array_append (a, &flags, 1);
  g_byte_array_append (a, hello, len);
  write_seed ("fuzz-rfc7983-srtp", "dtls-client-hello", a);
  g_byte_array_unref (a);
}

/* ---- SRTP ---- */

static void
srtp_seeds (void)
{
  static const GstWrtcSrtpProfile profiles[] = {
    GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80,
    GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_32,
    GST_WRTC_SRTP_PROFILE_AEAD_AES_128_GCM,
  };
  /* RTP: V=2, X=1, CC=1, M=1 PT=96, seq, ts, SSRC, a CSRC, a one-byte
   * header extension (RFC 8285), 16 bytes of payload */
  static const guint8 rtp[] = {
    0x91, 0xe0, 0x12, 0x34, 0x00, 0x01, 0x5f, 0x90, 0xde, 0xad, 0xbe, 0xef,
    0x01, 0x02, 0x03, 0x04,
    0xbe, 0xde, 0x00, 0x01, 0x10, 0xaa, 0x00, 0x00,
    'p', 'a', 'y', 'l', 'o', 'a', 'd', '-', 'v', 'p', '8', '-', 'f', 'r',
    'a', 'm'
  };
  /* RTCP: a sender report without report blocks, then an SDES CNAME */
  static const guint8 rtcp[] = {
    0x80, 0xc8, 0x00, 0x06, 0xde, 0xad, 0xbe, 0xef,
    0xe8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x01, 0x5f, 0x90, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x05, 0xdc,
    0x81, 0xca, 0x00, 0x03, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x04, 'f', 'u',
    'z', 'z', 0x00, 0x00
  };
  /* STUN Binding request header (RFC 8489) with no attributes */
  static const guint8 stun[] = {
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42,
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (profiles); i++) {
    GstWrtcSrtpContext *tx = gst_wrtc_srtp_context_new (TRUE);
    const gchar *pname = gst_wrtc_srtp_profile_name (profiles[i]);
    guint8 buf[256];
    guint8 sel = i;
    gsize n;
    gchar *name;
    GByteArray *a;

    g_assert (gst_wrtc_srtp_context_set_key (tx, profiles[i], fuzz_srtp_key,
            fuzz_srtp_salt, NULL));

    memcpy (buf, rtp, sizeof (rtp));
    n = sizeof (rtp);
    g_assert (gst_wrtc_srtp_context_protect (tx, FALSE, buf, &n,
            sizeof (buf)) == GST_WRTC_SRTP_OK);
    a = g_byte_array_new ();
    g_byte_array_append (a, &sel, 1);
    g_byte_array_append (a, buf, n);
    name = g_strdup_printf ("rtp-%s", pname);
    write_seed ("fuzz-rfc7983-srtp", name, a);
    g_free (name);
    g_byte_array_unref (a);

    memcpy (buf, rtcp, sizeof (rtcp));
    n = sizeof (rtcp);
    g_assert (gst_wrtc_srtp_context_protect (tx, TRUE, buf, &n,
            sizeof (buf)) == GST_WRTC_SRTP_OK);
    a = g_byte_array_new ();
    g_byte_array_append (a, &sel, 1);
    g_byte_array_append (a, buf, n);
    name = g_strdup_printf ("rtcp-%s", pname);
    write_seed ("fuzz-rfc7983-srtp", name, a);
    g_free (name);
    g_byte_array_unref (a);

    gst_wrtc_srtp_context_free (tx);
  }

  {
    GByteArray *a = g_byte_array_new ();
    guint8 sel = 0;

    g_byte_array_append (a, &sel, 1);
    g_byte_array_append (a, stun, sizeof (stun));
    write_seed ("fuzz-rfc7983-srtp", "stun-binding-request", a);
    g_byte_array_unref (a);

    /* plain RTP, to be protected (round trip) and refused (unprotect) */
    a = g_byte_array_new ();
    sel = 2;
    g_byte_array_append (a, &sel, 1);
    g_byte_array_append (a, rtp, sizeof (rtp));
    write_seed ("fuzz-rfc7983-srtp", "rtp-plain-gcm", a);
    g_byte_array_unref (a);

    a = g_byte_array_new ();
    sel = 0x04;
    g_byte_array_append (a, &sel, 1);
    g_byte_array_append (a, rtcp, sizeof (rtcp));
    write_seed ("fuzz-rfc7983-srtp", "rtcp-plain", a);
    g_byte_array_unref (a);
  }
}

int
main (int argc, char **argv)
{
  GPtrArray *flights;
  guint i;

  if (argc != 2) {
    g_printerr ("usage: %s CORPUS-DIR\n", argv[0]);
    return 2;
  }
  outdir = argv[1];
  fuzz_init ();

  flights = capture_handshake ();
  dtls_seeds (flights);
  for (i = 0; i < flights->len; i++)
    g_ptr_array_unref (flights->pdata[i]);
  g_ptr_array_unref (flights);

  srtp_seeds ();
  return 0;
}
