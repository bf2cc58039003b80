/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: fuzz targets for GstWrtcDtlsConnection (OpenSSL
 * behind our datagram BIO, the state machine, key export).
 *
 * Built twice:
 *
 * fuzz-dtls-connection (handshake)
 *   Input: one flags byte, then datagrams, each a 2-byte big-endian length
 *   and that many bytes (a short last one takes what is left).
 *     flags & 0x01   MTU 256 instead of 1200 (more, smaller fragments)
 *     flags & 0x02   a peer fingerprint is expected (that of another
 *                    certificate: a handshake that gets that far fails)
 *     flags & 0x04   only SRTP_AES128_CM_SHA1_32 offered/accepted
 *   A started server (default certificate) and a started client are each
 *   fed every datagram.  The corpus holds a real ClientHello and a real
 *   server flight, captured from our own connections (gen-corpus.c).
 *
 * fuzz-dtls-established (-DFUZZ_DTLS_ESTABLISHED)
 *   A client and a server complete a real handshake in process (their send
 *   callbacks queue datagrams for each other), then the input is a list of
 *   operations on the established association:
 *     op & 0x01        target: 0 server, 1 client
 *     (op >> 1) % 6    0 raw datagram (2-byte length, bytes) to the target
 *                      1 the peer sends the next chunk (1-byte length) as
 *                        application data; delivered to the target
 *                      2 the peer sends a fixed message; the record is
 *                        changed (position byte, xor byte) before delivery
 *                      3 a datagram of the handshake (index byte) is
 *                        delivered again to the target
 *                      4 the target closes (close_notify)
 *                      5 the target sends application data (1-byte length)
 *   Invariants: application data delivered to either side is always
 *   exactly what the other side sent (a changed record is dropped, never
 *   delivered altered); nothing crashes or leaks.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "fuzz-common.h"
#include "gstwrtcdtlsconnection.h"

static GstWrtcDtlsCertificate *
default_cert (void)
{
  static GstWrtcDtlsCertificate *cert = NULL;

  if (!cert)
    cert = gst_wrtc_dtls_certificate_get_default ();
  return cert;
}

/* A peer: the owner object the connection's callbacks get, with the
 * datagrams it sent and the application data it received. */
typedef struct
{
  GObject *owner;
  GstWrtcDtlsConnection *conn;
  GPtrArray *sent;              /* GBytes, not yet delivered */
  GPtrArray *received;          /* GBytes of application data */
} Peer;

static GQuark
peer_quark (void)
{
  return g_quark_from_static_string ("fuzz-peer");
}

static void
peer_send (const guint8 * data, gsize len, GObject * owner)
{
  Peer *p = g_object_get_qdata (owner, peer_quark ());

  FUZZ_CHECK (len > 0 && len <= 65535);
  g_ptr_array_add (p->sent, g_bytes_new (data, len));
}

static void
peer_receive (const guint8 * data, gsize len, GObject * owner)
{
  Peer *p = g_object_get_qdata (owner, peer_quark ());

  g_ptr_array_add (p->received, g_bytes_new (data, len));
}

static void
peer_init (Peer * p, gboolean is_client, guint8 flags)
{
  p->owner = g_object_new (G_TYPE_OBJECT, NULL);
  g_object_set_qdata (p->owner, peer_quark (), p);
  p->sent = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  p->received = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  p->conn = gst_wrtc_dtls_connection_new (default_cert (), is_client);
  gst_wrtc_dtls_connection_set_callbacks (p->conn, peer_send, peer_receive,
      p->owner);
  if (flags & 0x01)
    gst_wrtc_dtls_connection_set_mtu (p->conn, 256);
  if (flags & 0x02)
    FUZZ_CHECK (gst_wrtc_dtls_connection_set_peer_fingerprint (p->conn,
            "sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
            "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF", NULL));
  if (flags & 0x04)
    FUZZ_CHECK (gst_wrtc_dtls_connection_set_srtp_profiles (p->conn,
            "SRTP_AES128_CM_SHA1_32", NULL));
}

static void
peer_clear (Peer * p)
{
  GstWrtcSrtpKeys keys;
  GstWrtcDtlsConnectionState state;
  GError *err;
  gchar *s;

  /* every getter, in whatever state the input left the connection */
  state = gst_wrtc_dtls_connection_get_state (p->conn);
  err = gst_wrtc_dtls_connection_get_error (p->conn);
  FUZZ_CHECK ((state == GST_WRTC_DTLS_CONNECTION_STATE_FAILED) ==
      (err != NULL));
  g_clear_error (&err);
  if (gst_wrtc_dtls_connection_get_srtp_keys (p->conn, &keys))
    FUZZ_CHECK (gst_wrtc_srtp_profile_key_len (keys.profile) == 16);
  s = gst_wrtc_dtls_connection_get_peer_pem (p->conn);
  g_free (s);
  s = gst_wrtc_dtls_connection_get_peer_fingerprint (p->conn);
  g_free (s);

  gst_wrtc_dtls_connection_close (p->conn);
  state = gst_wrtc_dtls_connection_get_state (p->conn);
  FUZZ_CHECK (state == GST_WRTC_DTLS_CONNECTION_STATE_CLOSED
      || state == GST_WRTC_DTLS_CONNECTION_STATE_FAILED);
  g_object_unref (p->conn);
  g_object_unref (p->owner);
  g_ptr_array_unref (p->sent);
  g_ptr_array_unref (p->received);
}

static void
feed (Peer * p, const guint8 * data, gsize len)
{
  /* the connection gets its own copy, exactly sized */
  guint8 *copy = g_memdup2 (data, len);
  GError *err = NULL;
  gboolean ok;

  ok = gst_wrtc_dtls_connection_process (p->conn, copy, len, &err);
  FUZZ_CHECK (ok == (err == NULL));
  if (!ok)
    FUZZ_CHECK (gst_wrtc_dtls_connection_get_state (p->conn) ==
        GST_WRTC_DTLS_CONNECTION_STATE_FAILED);
  g_clear_error (&err);
  g_free (copy);
}

#ifndef FUZZ_DTLS_ESTABLISHED

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  Peer server, client;
  guint8 flags;
  gsize pos;

  if (size < 1 || size > 65536)
    return 0;
  fuzz_init ();

  flags = data[0];
  peer_init (&server, FALSE, flags);
  peer_init (&client, TRUE, flags);
  FUZZ_CHECK (gst_wrtc_dtls_connection_start (server.conn, NULL));
  FUZZ_CHECK (gst_wrtc_dtls_connection_start (client.conn, NULL));
  /* the client's ClientHello went out on start */
  FUZZ_CHECK (client.sent->len > 0);

  for (pos = 1; pos < size;) {
    gsize len = size - pos >= 2 ? (data[pos] << 8 | data[pos + 1]) : 0;

    pos += MIN (2, size - pos);
    len = MIN (len, size - pos);
    feed (&server, data + pos, len);
    feed (&client, data + pos, len);
    pos += len;
  }
  /* a server fed no ClientHello has sent nothing */
  FUZZ_CHECK (server.received->len == 0 && client.received->len == 0);

  peer_clear (&server);
  peer_clear (&client);
  return 0;
}

#else /* FUZZ_DTLS_ESTABLISHED */

/* Delivers what each side sent to the other until both are quiet;
 * @log, when set, keeps a copy of each datagram with its destination in
 * the first byte (0 server, 1 client). */
static void
pump (Peer * server, Peer * client, GPtrArray * log)
{
  guint rounds;

  for (rounds = 0; rounds < 64; rounds++) {
    Peer *from[2] = { client, server }, *to[2] = { server, client };
    gboolean any = FALSE;
    guint i, j;

    for (i = 0; i < 2; i++) {
      GPtrArray *batch = from[i]->sent;

      from[i]->sent =
          g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      for (j = 0; j < batch->len; j++) {
        gsize len;
        const guint8 *d = g_bytes_get_data (batch->pdata[j], &len);

        if (log) {
          GByteArray *e = g_byte_array_sized_new (len + 1);
          guint8 dest = i;      /* 0: to the server, 1: to the client */

          g_byte_array_append (e, &dest, 1);
          g_byte_array_append (e, d, len);
          g_ptr_array_add (log, e);
        }
        feed (to[i], d, len);
        any = TRUE;
      }
      g_ptr_array_unref (batch);
    }
    if (!any)
      return;
  }
}

static void
check_received (Peer * p, GPtrArray * expected)
{
  guint i;

  /* DTLS may drop, never alter; in order on this in-memory path */
  FUZZ_CHECK (p->received->len <= expected->len);
  for (i = 0; i < p->received->len; i++) {
    gsize len;
    const guint8 *got = g_bytes_get_data (p->received->pdata[i], &len);
    gboolean found = FALSE;
    guint j;

    for (j = 0; j < expected->len && !found; j++) {
      GBytes *e = expected->pdata[j];
      found = g_bytes_get_size (e) == len
          && memcmp (g_bytes_get_data (e, NULL), got, len) == 0;
    }
    FUZZ_CHECK (found);
  }
}

static const guint8 fixed_message[] = "fuzz-dtls-established application data";

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  Peer server, client;
  GPtrArray *handshake, *to_server, *to_client;
  gsize pos = 0;

  if (size > 65536)
    return 0;
  fuzz_init ();

  handshake = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_byte_array_unref);
  to_server = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  to_client = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  peer_init (&server, FALSE, 0);
  peer_init (&client, TRUE, 0);
  FUZZ_CHECK (gst_wrtc_dtls_connection_start (server.conn, NULL));
  FUZZ_CHECK (gst_wrtc_dtls_connection_start (client.conn, NULL));
  pump (&server, &client, handshake);
  FUZZ_CHECK (gst_wrtc_dtls_connection_get_state (server.conn) ==
      GST_WRTC_DTLS_CONNECTION_STATE_CONNECTED);
  FUZZ_CHECK (gst_wrtc_dtls_connection_get_state (client.conn) ==
      GST_WRTC_DTLS_CONNECTION_STATE_CONNECTED);

  while (pos < size) {
    guint8 op = data[pos++];
    Peer *target = (op & 1) ? &client : &server;
    Peer *other = (op & 1) ? &server : &client;
    GPtrArray *expected = (op & 1) ? to_client : to_server;
    gsize len;

    switch ((op >> 1) % 6) {
      case 0:
        len = pos + 1 < size ? (data[pos] << 8 | data[pos + 1]) : 0;
        pos += MIN (2, size - pos);
        len = MIN (len, size - pos);
        feed (target, data + pos, len);
        pos += len;
        break;
      case 1:
        len = pos < size ? data[pos++] : 0;
        len = MIN (len, size - pos);
        g_ptr_array_add (expected, g_bytes_new (data + pos, len));
        gst_wrtc_dtls_connection_send (other->conn, data + pos, len, NULL);
        pos += len;
        break;
      case 2:{
        guint8 at = pos < size ? data[pos++] : 0;
        guint8 x = pos < size ? data[pos++] : 1;
        GPtrArray *records = other->sent;
        guint i;

        other->sent =
            g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
        gst_wrtc_dtls_connection_send (other->conn, fixed_message,
            sizeof (fixed_message), NULL);
        for (i = 0; i < other->sent->len; i++) {
          gsize rlen;
          const guint8 *orig = g_bytes_get_data (other->sent->pdata[i], &rlen);
          guint8 *r = g_memdup2 (orig, rlen);

          r[at % rlen] = x ? r[at % rlen] ^ x : 0;
          /* a record left unchanged is the real message */
          if (r[at % rlen] == orig[at % rlen])
            g_ptr_array_add (expected, g_bytes_new_static (fixed_message,
                    sizeof (fixed_message)));
          feed (target, r, rlen);
          g_free (r);
        }
        g_ptr_array_unref (other->sent);
        other->sent = records;
        break;
      }
      case 3:
        if (handshake->len) {
          GByteArray *e = handshake->pdata[(pos < size ? data[pos++] : 0)
              % handshake->len];
          feed (e->data[0] ? &client : &server, e->data + 1, e->len - 1);
        }
        break;
      case 4:
        gst_wrtc_dtls_connection_close (target->conn);
        break;
      default:
        len = pos < size ? data[pos++] : 0;
        len = MIN (len, size - pos);
        g_ptr_array_add ((op & 1) ? to_server : to_client,
            g_bytes_new (data + pos, len));
        gst_wrtc_dtls_connection_send (target->conn, data + pos, len, NULL);
        pos += len;
        break;
    }
    pump (&server, &client, NULL);
  }
  pump (&server, &client, NULL);

  check_received (&server, to_server);
  check_received (&client, to_client);

  peer_clear (&server);
  peer_clear (&client);
  g_ptr_array_unref (handshake);
  g_ptr_array_unref (to_server);
  g_ptr_array_unref (to_client);
  return 0;
}

#endif /* FUZZ_DTLS_ESTABLISHED */
