/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include "gstwrtcbinstats.h"
#include "gstwrtcjson.h"

void
gst_wrtc_stats_take (GValue * array, GstStructure * s)
{
  GValue v = G_VALUE_INIT;

  g_value_init (&v, GST_TYPE_STRUCTURE);
  g_value_take_boxed (&v, s);
  gst_value_array_append_and_take_value (array, &v);
}

void
gst_wrtc_stats_add_sent_track (GValue * outbound, GValue * remote,
    GstWrtcPeer * peer, guint track, GstWrtcMediaKind kind, const gchar * name)
{
  const gchar *k = kind == GST_WRTC_MEDIA_VIDEO ? "video" : "audio";
  GstWrtcRtpSenderStats st;
  gchar *enc = NULL, *mime;
  guint32 ssrc;

  if (!gst_wrtc_peer_get_track_stats (peer, track, &st, &ssrc, &enc))
    return;
  /* as browsers write it: "video/VP8", "audio/opus" */
  mime = g_strdup_printf ("%s/%s", k, !enc ? "" :
      g_ascii_strcasecmp (enc, "opus") == 0 ? "opus" : enc);
  gst_wrtc_stats_take (outbound, gst_structure_new ("outbound-rtp",
          "ssrc", G_TYPE_UINT, ssrc,
          "kind", G_TYPE_STRING, k,
          "trackIdentifier", G_TYPE_STRING, name,
          "mimeType", G_TYPE_STRING, mime,
          "packetsSent", G_TYPE_UINT64, st.packets_sent,
          "bytesSent", G_TYPE_UINT64, st.octets_sent,
          "retransmittedPacketsSent", G_TYPE_UINT64, st.retransmitted,
          "nackCount", G_TYPE_UINT64, st.nacks,
          "pliCount", G_TYPE_UINT64, st.plis,
          "firCount", G_TYPE_UINT64, st.firs, NULL));
  gst_wrtc_stats_take (remote, gst_structure_new ("remote-inbound-rtp",
          "ssrc", G_TYPE_UINT, ssrc,
          "kind", G_TYPE_STRING, k,
          "packetsLost", G_TYPE_INT, st.cumulative_lost,
          "fractionLost", G_TYPE_DOUBLE, st.fraction_lost / 256.0, NULL));
  g_free (mime);
  g_free (enc);
}

GstStructure *
gst_wrtc_stats_peer_connection (const gchar * id, GstWrtcPeer * peer,
    GValue * outbound, GValue * remote)
{
  GstStructure *pc = gst_structure_new ("peer-connection",
      "id", G_TYPE_STRING, id,
      "state", G_TYPE_STRING,
      gst_wrtc_peer_state_name (gst_wrtc_peer_get_state (peer)), NULL);

  if (outbound)
    gst_structure_take_value (pc, "outbound-rtp", outbound);
  if (remote)
    gst_structure_take_value (pc, "remote-inbound-rtp", remote);
  gst_wrtc_peer_add_transport_stats (peer, pc);
  return pc;
}

/* rtpbin's view of the sender's SSRC @ssrc (source-stats of session 0),
 * or NULL */
static GstStructure *
source_stats (GstElement * rtpbin, guint32 ssrc)
{
  GstStructure *stats = NULL, *found = NULL;
  GObject *session = NULL;
  const GValue *sources;
  guint i;

  g_signal_emit_by_name (rtpbin, "get-session", 0, &session);
  if (!session)
    return NULL;
  g_object_get (session, "stats", &stats, NULL);
  g_object_unref (session);
  sources = stats ? gst_structure_get_value (stats, "source-stats") : NULL;
  /* rtpsession hands out a GValueArray (deprecated, still its type) */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS;
  for (i = 0; sources && G_VALUE_HOLDS_BOXED (sources)
      && i < ((GValueArray *) g_value_get_boxed (sources))->n_values; i++) {
    GValueArray *arr = g_value_get_boxed (sources);
    const GstStructure *src = gst_value_get_structure (&arr->values[i]);
    guint v;
    if (gst_structure_get_uint (src, "ssrc", &v) && v == ssrc) {
      found = gst_structure_copy (src);
      break;
    }
  }
  G_GNUC_END_IGNORE_DEPRECATIONS;
  if (stats)
    gst_structure_free (stats);
  return found;
}

void
gst_wrtc_stats_add_inbound (GstStructure * out, GstElement * rtpbin,
    guint32 ssrc, guint clock_rate)
{
  GstStructure *src = source_stats (rtpbin, ssrc);
  guint64 u64;
  gint lost;
  guint jitter, n;

  if (!src)
    return;
  if (gst_structure_get_uint64 (src, "packets-received", &u64))
    gst_structure_set (out, "packetsReceived", G_TYPE_UINT64, u64, NULL);
  if (gst_structure_get_uint64 (src, "octets-received", &u64))
    gst_structure_set (out, "bytesReceived", G_TYPE_UINT64, u64, NULL);
  if (gst_structure_get_int (src, "packets-lost", &lost))
    gst_structure_set (out, "packetsLost", G_TYPE_INT, lost, NULL);
  if (gst_structure_get_uint (src, "jitter", &jitter) && clock_rate)
    gst_structure_set (out, "jitter", G_TYPE_DOUBLE,
        (gdouble) jitter / clock_rate, NULL);
  if (gst_structure_get_uint (src, "sent-nack-count", &n))
    gst_structure_set (out, "nackCount", G_TYPE_UINT, n, NULL);
  if (gst_structure_get_uint (src, "sent-pli-count", &n))
    gst_structure_set (out, "pliCount", G_TYPE_UINT, n, NULL);
  if (gst_structure_get_uint (src, "sent-fir-count", &n))
    gst_structure_set (out, "firCount", G_TYPE_UINT, n, NULL);
  gst_structure_free (src);
}

typedef struct
{
  GstWrtcStatsFunc func;
  gpointer user_data;
} JsonPage;

static GBytes *
json_page (GstWrtcHttpServer * server, const gchar * path, gpointer data,
    GError ** error)
{
  JsonPage *page = data;
  GstStructure *s = page->func (page->user_data);
  gchar *json = gst_wrtc_json_from_structure (s);
  gchar *body = g_strconcat (json, "\n", NULL);

  gst_structure_free (s);
  g_free (json);
  return g_bytes_new_take (body, strlen (body));
}

void
gst_wrtc_stats_serve_json (GstWrtcHttpServer * server, const gchar * path,
    GstWrtcStatsFunc func, gpointer user_data)
{
  JsonPage *page = g_new0 (JsonPage, 1);

  page->func = func;
  page->user_data = user_data;
  gst_wrtc_http_server_set_page_func (server, path, "application/json",
      GST_WRTC_HTTP_PAGE_FLAG_TOKEN, json_page, page, g_free);
}
