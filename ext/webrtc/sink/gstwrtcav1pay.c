/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: wrtcav1pay, AV1 temporal units into RTP packets. */
/**
 * SECTION:element-wrtcav1pay
 * @title: wrtcav1pay
 *
 * Payloads AV1 into RTP packets as the AOM "RTP Payload Format For AV1"
 * says: one temporal unit per input buffer (`alignment=tu`, as av1parse
 * gives it), OBUs aggregated into packets of at most
 * #GstRTPBasePayload:mtu bytes and fragmented across packets when larger
 * (Z/Y bits, section 4.4), sizes carried as OBU element length fields
 * instead of obu_size (section 4.5), temporal delimiters and tile lists
 * dropped (section 5), N=1 on the first packet of a key frame with a
 * sequence header, the marker bit on the last packet of each temporal
 * unit (section 4.2).  No dependency descriptor header extension.
 *
 * webrtcsink uses it for `video-codecs=AV1`.  The name keeps clear of
 * gst-plugins-rs' rtpav1pay.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! av1enc usage-profile=realtime \
 *     cpu-used=9 ! av1parse ! wrtcav1pay ! udpsink port=5000
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/rtp/gstrtpbuffer.h>

#include "gstwrtcav1pay.h"
#include "gstwrtcav1.h"

GST_DEBUG_CATEGORY_STATIC (gst_wrtc_av1_pay_debug);
#define GST_CAT_DEFAULT gst_wrtc_av1_pay_debug

struct _GstWrtcAv1Pay
{
  GstRTPBasePayload parent;
};

#define gst_wrtc_av1_pay_parent_class parent_class
G_DEFINE_TYPE (GstWrtcAv1Pay, gst_wrtc_av1_pay, GST_TYPE_RTP_BASE_PAYLOAD);
GST_ELEMENT_REGISTER_DEFINE (wrtcav1pay, "wrtcav1pay", GST_RANK_NONE,
    GST_WRTC_TYPE_AV1_PAY);

static GstStaticPadTemplate sink_template =
GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("video/x-av1, stream-format = (string) obu-stream, "
        "alignment = (string) tu"));

static GstStaticPadTemplate src_template =
GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("application/x-rtp, media = (string) video, "
        "payload = (int) [ 96, 127 ], clock-rate = (int) 90000, "
        "encoding-name = (string) AV1"));

static gboolean
gst_wrtc_av1_pay_set_caps (GstRTPBasePayload * pay, GstCaps * caps)
{
  /* section 7.2: no parameter is required; profile 0 is the default */
  gst_rtp_base_payload_set_options (pay, "video", TRUE, "AV1", 90000);
  return gst_rtp_base_payload_set_outcaps (pay, NULL);
}

static GstFlowReturn
gst_wrtc_av1_pay_handle_buffer (GstRTPBasePayload * pay, GstBuffer * buf)
{
  guint mtu = GST_RTP_BASE_PAYLOAD_MTU (pay);
  guint max = gst_rtp_buffer_calc_payload_len (mtu, 0, 0);
  GError *err = NULL;
  GPtrArray *payloads;
  GstBufferList *list;
  GstMapInfo map;
  guint i;

  if (!gst_buffer_map (buf, &map, GST_MAP_READ)) {
    gst_buffer_unref (buf);
    return GST_FLOW_ERROR;
  }
  payloads = gst_wrtc_av1_packetize (map.data, map.size, max, NULL, &err);
  gst_buffer_unmap (buf, &map);
  if (!payloads) {
    /* a broken unit is dropped; the next key frame repairs the stream */
    GST_ELEMENT_WARNING (pay, STREAM, FORMAT, ("Invalid AV1 temporal unit"),
        ("%s", err->message));
    g_clear_error (&err);
    gst_buffer_unref (buf);
    return GST_FLOW_OK;
  }

  list = gst_buffer_list_new_sized (payloads->len);
  for (i = 0; i < payloads->len; i++) {
    GBytes *bytes = g_ptr_array_index (payloads, i);
    gsize len;
    const guint8 *data = g_bytes_get_data (bytes, &len);
    GstBuffer *out = gst_rtp_base_payload_allocate_output_buffer (pay, len,
        0, 0);
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;

    gst_rtp_buffer_map (out, GST_MAP_WRITE, &rtp);
    memcpy (gst_rtp_buffer_get_payload (&rtp), data, len);
    /* section 4.2: the marker on the last packet of the temporal unit */
    gst_rtp_buffer_set_marker (&rtp, i + 1 == payloads->len);
    gst_rtp_buffer_unmap (&rtp);
    GST_BUFFER_PTS (out) = GST_BUFFER_PTS (buf);
    GST_BUFFER_DTS (out) = GST_BUFFER_DTS (buf);
    GST_BUFFER_DURATION (out) = GST_BUFFER_DURATION (buf);
    if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT))
      GST_BUFFER_FLAG_SET (out, GST_BUFFER_FLAG_DELTA_UNIT);
    gst_buffer_list_add (list, out);
  }
  g_ptr_array_unref (payloads);
  gst_buffer_unref (buf);

  if (gst_buffer_list_length (list) == 0) {
    gst_buffer_list_unref (list);
    return GST_FLOW_OK;
  }
  return gst_rtp_base_payload_push_list (pay, list);
}

static void
gst_wrtc_av1_pay_class_init (GstWrtcAv1PayClass * klass)
{
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstRTPBasePayloadClass *pay_class = GST_RTP_BASE_PAYLOAD_CLASS (klass);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "RTP AV1 payloader", "Codec/Payloader/Network/RTP",
      "Payloads AV1 temporal units into RTP packets (AOM RTP Payload "
      "Format For AV1)", "gst-plugins-webrtc");
  pay_class->set_caps = gst_wrtc_av1_pay_set_caps;
  pay_class->handle_buffer = gst_wrtc_av1_pay_handle_buffer;

  GST_DEBUG_CATEGORY_INIT (gst_wrtc_av1_pay_debug, "wrtcav1pay", 0,
      "AV1 RTP payloader");
}

static void
gst_wrtc_av1_pay_init (GstWrtcAv1Pay * self)
{
}
