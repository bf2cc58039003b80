/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-dtlssrtpdec
 * @title: dtlssrtpdec
 * @see_also: dtlssrtpenc
 *
 * The receiving half of a DTLS-SRTP association (RFC 5764).  Datagrams on
 * `sink` are told apart by their first byte (RFC 7983): DTLS records drive
 * the handshake (their application data leaves on `data_src`), SRTP and
 * SRTCP are authenticated, checked against replay and decrypted onto
 * `rtp_src` and `rtcp_src`, and anything else is counted and dropped.
 *
 * The certificate is set here (#GstWrtcDtlsSrtpDec:pem; an ECDSA P-256
 * one is generated once per process when unset) and so is the check of the
 * peer's: with #GstWrtcDtlsSrtpDec:peer-fingerprint set, a peer whose
 * certificate has another fingerprint fails the handshake, the
 * association goes to `failed` and the element posts an error naming both
 * fingerprints.  #GstWrtcDtlsSrtpDec:fingerprint is what to put in an SDP
 * `a=fingerprint` line.
 *
 * Pads and properties are those of gst-plugins-bad's element of the same
 * name.  As with it, `rtp_src` carries no caps: give the receiver full RTP
 * caps with a capsfilter, or use rtpbin.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 \
 *   videotestsrc is-live=true ! vp8enc deadline=1 ! rtpvp8pay ! \
 *     dtlssrtpenc connection-id=tx is-client=true ! udpsink host=127.0.0.1 port=5006 \
 *   udpsrc port=5004 ! dtlssrtpdec connection-id=tx ! fakesink \
 *   udpsrc port=5006 ! dtlssrtpdec connection-id=rx name=d \
 *     d.rtp_src ! application/x-rtp,media=video,clock-rate=90000,encoding-name=VP8,payload=96 ! \
 *     rtpvp8depay ! vp8dec ! videoconvert ! autovideosink \
 *   dtlssrtpenc connection-id=rx ! udpsink host=127.0.0.1 port=5004
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcdtlssrtpdec.h"
#include "gstwrtcdtlssrtptransport.h"
#include "gstwrtcpadutil.h"
#include "gstwrtcmanualkey.h"

GST_DEBUG_CATEGORY_STATIC (gst_wrtc_dtls_srtp_dec_debug);
#define GST_CAT_DEFAULT gst_wrtc_dtls_srtp_dec_debug

#define DEFAULT_HANDSHAKE_TIMEOUT GST_WRTC_DTLS_DEFAULT_HANDSHAKE_TIMEOUT_MS

enum
{
  PROP_0,
  PROP_CONNECTION_ID,
  PROP_PEM,
  PROP_PEER_PEM,
  PROP_FINGERPRINT,
  PROP_PEER_FINGERPRINT,
  PROP_CONNECTION_STATE,
  PROP_HANDSHAKE_TIMEOUT,
  PROP_SRTP_PROFILES,
  PROP_STATS,
  PROP_KEY,                     /* and the other manual-key properties */
};

static GstStaticPadTemplate sink_template =
GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS_ANY);
static GstStaticPadTemplate rtp_src_template =
GST_STATIC_PAD_TEMPLATE ("rtp_src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("application/x-rtp"));
static GstStaticPadTemplate rtcp_src_template =
GST_STATIC_PAD_TEMPLATE ("rtcp_src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("application/x-rtcp"));
static GstStaticPadTemplate data_src_template =
GST_STATIC_PAD_TEMPLATE ("data_src", GST_PAD_SRC, GST_PAD_REQUEST,
    GST_STATIC_CAPS_ANY);

struct _GstWrtcDtlsSrtpDec
{
  GstElement parent;

  GstPad *sinkpad, *rtp_srcpad, *rtcp_srcpad;

  /* object lock */
  GstPad *data_srcpad;
  gchar *connection_id;
  GstWrtcDtlsCertificate *cert; /* NULL: the process default */
  gchar *peer_fingerprint;
  guint handshake_timeout;
  gchar *srtp_profiles;
  /* why pem, peer-fingerprint or srtp-profiles cannot be used, each on
   * its own: a good value of one does not excuse a bad other */
  gchar *pem_error, *peer_fingerprint_error, *srtp_profiles_error;
  GstWrtcDtlsSrtpTransport *transport;
  gulong state_handler;
  GstWrtcManualKey manual;      /* gst-plugins-bad's manual keying */
  gboolean manual_mode;         /* keyed manually since READY->PAUSED */
};

#define gst_wrtc_dtls_srtp_dec_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (GstWrtcDtlsSrtpDec, gst_wrtc_dtls_srtp_dec,
    GST_TYPE_ELEMENT,
    GST_DEBUG_CATEGORY_INIT (gst_wrtc_dtls_srtp_dec_debug, "dtlssrtpdec", 0,
        "DTLS-SRTP decoder"));
GST_ELEMENT_REGISTER_DEFINE (dtlssrtpdec, "dtlssrtpdec", GST_RANK_NONE,
    GST_WRTC_TYPE_DTLS_SRTP_DEC);

static GstWrtcDtlsSrtpTransport *
get_transport (GstWrtcDtlsSrtpDec * self)
{
  GstWrtcDtlsSrtpTransport *t;

  GST_OBJECT_LOCK (self);
  t = self->transport ? g_object_ref (self->transport) : NULL;
  GST_OBJECT_UNLOCK (self);
  return t;
}

static GstFlowReturn
push_on (GstWrtcDtlsSrtpDec * self, GstPad * pad, GstBuffer * buf)
{
  GstFlowReturn ret;

  gst_wrtc_pad_ensure_sticky (pad, GST_ELEMENT (self), NULL);
  ret = gst_pad_push (pad, buf);
  /* an output nobody listens to (rtcp_src, say) is not an error */
  return ret == GST_FLOW_NOT_LINKED ? GST_FLOW_OK : ret;
}

/* Application data out of DTLS: called from our own streaming thread,
 * inside gst_wrtc_dtls_srtp_transport_receive(). */
static void
transport_data_cb (GObject * owner, const guint8 * data, gsize len)
{
  GstWrtcDtlsSrtpDec *self = GST_WRTC_DTLS_SRTP_DEC (owner);
  GstPad *pad;

  GST_OBJECT_LOCK (self);
  pad = self->data_srcpad ? gst_object_ref (self->data_srcpad) : NULL;
  GST_OBJECT_UNLOCK (self);

  if (!pad) {
    GST_LOG_OBJECT (self, "no data_src pad, dropping %" G_GSIZE_FORMAT
        " bytes of application data", len);
    return;
  }
  push_on (self, pad, gst_buffer_new_memdup (data, len));
  gst_object_unref (pad);
}

static void
transport_state_cb (GstWrtcDtlsSrtpTransport * t,
    GstWrtcDtlsConnectionState state, GstWrtcDtlsSrtpDec * self)
{
  GError *err = NULL;
  GstStructure *s;

  s = gst_structure_new ("dtls-connection-state",
      "state", G_TYPE_STRING, gst_wrtc_dtls_connection_state_name (state),
      NULL);
  if (state == GST_WRTC_DTLS_CONNECTION_STATE_FAILED) {
    err = gst_wrtc_dtls_srtp_transport_get_error (t);
    gst_structure_set (s, "error", G_TYPE_STRING,
        err ? err->message : "unknown", NULL);
  }
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
  g_object_notify (G_OBJECT (self), "connection-state");
  if (state == GST_WRTC_DTLS_CONNECTION_STATE_CONNECTED)
    g_object_notify (G_OBJECT (self), "peer-pem");

  if (err) {
    if (g_error_matches (err, GST_WRTC_DTLS_ERROR,
            GST_WRTC_DTLS_ERROR_FINGERPRINT))
      GST_ELEMENT_ERROR (self, RESOURCE, NOT_AUTHORIZED,
          ("DTLS peer rejected: %s", err->message), (NULL));
    else
      GST_ELEMENT_ERROR (self, RESOURCE, FAILED,
          ("DTLS failed: %s", err->message), (NULL));
    g_error_free (err);
  }
}

static GstFlowReturn
gst_wrtc_dtls_srtp_dec_chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  GstWrtcDtlsSrtpDec *self = GST_WRTC_DTLS_SRTP_DEC (parent);
  GstWrtcDtlsSrtpTransport *t = get_transport (self);
  GstFlowReturn ret = GST_FLOW_OK;
  GstWrtcSrtpResult res;
  GstWrtcPacketKind kind;
  GstMapInfo map;
  gsize len;

  if (!t) {
    gst_buffer_unref (buf);
    return GST_FLOW_FLUSHING;
  }

  buf = gst_buffer_make_writable (buf);
  if (!gst_buffer_map (buf, &map, GST_MAP_READWRITE)) {
    gst_buffer_unref (buf);
    g_object_unref (t);
    return GST_FLOW_OK;
  }
  len = map.size;
  kind = gst_wrtc_dtls_srtp_transport_receive (t, map.data, &len, &res);
  gst_buffer_unmap (buf, &map);

  if ((kind == GST_WRTC_PACKET_RTP || kind == GST_WRTC_PACKET_RTCP)
      && res == GST_WRTC_SRTP_OK) {
    gst_buffer_set_size (buf, len);
    ret = push_on (self, kind == GST_WRTC_PACKET_RTP ? self->rtp_srcpad :
        self->rtcp_srcpad, buf);
  } else {
    if (kind == GST_WRTC_PACKET_RTP || kind == GST_WRTC_PACKET_RTCP)
      GST_LOG_OBJECT (self, "dropping SRTP%s packet: %s",
          kind == GST_WRTC_PACKET_RTCP ? "C" : "",
          gst_wrtc_srtp_result_name (res));
    gst_buffer_unref (buf);
  }
  g_object_unref (t);
  return ret;
}

static gboolean
gst_wrtc_dtls_srtp_dec_sink_event (GstPad * pad, GstObject * parent,
    GstEvent * event)
{
  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_CAPS:
      /* datagrams in, RTP out: the input caps say nothing about ours */
      gst_event_unref (event);
      return TRUE;
    default:
      /* stream-start, segment, EOS and flushes reach every output */
      return gst_pad_event_default (pad, parent, event);
  }
}

static GstPad *
gst_wrtc_dtls_srtp_dec_request_new_pad (GstElement * element,
    GstPadTemplate * templ, const gchar * name, const GstCaps * caps)
{
  GstWrtcDtlsSrtpDec *self = GST_WRTC_DTLS_SRTP_DEC (element);
  GstPad *pad;

  GST_OBJECT_LOCK (self);
  if (self->data_srcpad) {
    GST_OBJECT_UNLOCK (self);
    GST_WARNING_OBJECT (self, "there is only one data_src pad");
    return NULL;
  }
  GST_OBJECT_UNLOCK (self);

  pad = gst_pad_new_from_template (templ, "data_src");
  if (GST_STATE (element) > GST_STATE_READY)
    gst_pad_set_active (pad, TRUE);
  gst_element_add_pad (element, pad);
  GST_OBJECT_LOCK (self);
  self->data_srcpad = pad;
  GST_OBJECT_UNLOCK (self);
  return pad;
}

static void
gst_wrtc_dtls_srtp_dec_release_pad (GstElement * element, GstPad * pad)
{
  GstWrtcDtlsSrtpDec *self = GST_WRTC_DTLS_SRTP_DEC (element);

  GST_OBJECT_LOCK (self);
  if (self->data_srcpad == pad)
    self->data_srcpad = NULL;
  GST_OBJECT_UNLOCK (self);
  gst_pad_set_active (pad, FALSE);
  gst_element_remove_pad (element, pad);
}

static GstStateChangeReturn
gst_wrtc_dtls_srtp_dec_change_state (GstElement * element,
    GstStateChange transition)
{
  GstWrtcDtlsSrtpDec *self = GST_WRTC_DTLS_SRTP_DEC (element);
  GstWrtcDtlsSrtpTransport *t;
  GstStateChangeReturn ret;

  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:
      GST_OBJECT_LOCK (self);
      if (self->pem_error || self->peer_fingerprint_error
          || self->srtp_profiles_error) {
        gchar *msg = g_strdup (self->pem_error ? self->pem_error :
            self->peer_fingerprint_error ? self->peer_fingerprint_error :
            self->srtp_profiles_error);
        GST_OBJECT_UNLOCK (self);
        GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", msg), (NULL));
        g_free (msg);
        return GST_STATE_CHANGE_FAILURE;
      }
      t = gst_wrtc_dtls_srtp_transport_acquire (self->connection_id);
      gst_wrtc_dtls_srtp_transport_set_certificate (t, self->cert);
      gst_wrtc_dtls_srtp_transport_set_peer_fingerprint (t,
          self->peer_fingerprint, NULL);
      gst_wrtc_dtls_srtp_transport_set_handshake_timeout (t,
          self->handshake_timeout);
      gst_wrtc_dtls_srtp_transport_set_srtp_profiles (t, self->srtp_profiles,
          NULL);
      self->transport = t;
      GST_OBJECT_UNLOCK (self);
      self->state_handler = g_signal_connect (t, "state-changed",
          G_CALLBACK (transport_state_cb), self);
      break;
    case GST_STATE_CHANGE_READY_TO_PAUSED:{
      GError *err = NULL;

      if (!gst_wrtc_manual_key_start (GST_OBJECT (self), &self->manual,
              self->transport, FALSE, &self->manual_mode, &err)) {
        GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
            ("manual SRTP keying failed: %s", err->message), (NULL));
        g_clear_error (&err);
        return GST_STATE_CHANGE_FAILURE;
      }
      /* with a manual key, DTLS is disabled */
      if (!self->manual_mode)
        gst_wrtc_dtls_srtp_transport_attach_receiver (self->transport,
            G_OBJECT (self), transport_data_cb);
      break;
    }
    default:
      break;
  }

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;

  switch (transition) {
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      /* streaming has stopped: no receive() runs any more */
      if (self->manual_mode)
        gst_wrtc_dtls_srtp_transport_clear_manual_key (self->transport, FALSE);
      else
        gst_wrtc_dtls_srtp_transport_detach_receiver (self->transport);
      break;
    case GST_STATE_CHANGE_READY_TO_NULL:
      GST_OBJECT_LOCK (self);
      t = self->transport;
      self->transport = NULL;
      GST_OBJECT_UNLOCK (self);
      g_signal_handler_disconnect (t, self->state_handler);
      g_object_unref (t);
      break;
    default:
      break;
  }
  return ret;
}

static void
gst_wrtc_dtls_srtp_dec_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstWrtcDtlsSrtpDec *self = GST_WRTC_DTLS_SRTP_DEC (object);
  GError *err = NULL;

  GST_OBJECT_LOCK (self);
  if (prop_id >= PROP_KEY && prop_id < PROP_KEY + GST_WRTC_MANUAL_KEY_N_PROPS) {
    gst_wrtc_manual_key_set_property (&self->manual, prop_id - PROP_KEY, value);
    GST_OBJECT_UNLOCK (self);
    return;
  }
  switch (prop_id) {
    case PROP_CONNECTION_ID:
      if (self->transport) {
        GST_WARNING_OBJECT (self, "connection-id can only change in NULL");
        break;
      }
      g_free (self->connection_id);
      self->connection_id = g_value_dup_string (value);
      break;
    case PROP_PEM:{
      const gchar *pem = g_value_get_string (value);
      GstWrtcDtlsCertificate *cert = NULL;

      g_clear_pointer (&self->pem_error, g_free);
      if (pem && *pem) {
        cert = gst_wrtc_dtls_certificate_new_from_pem (pem, &err);
        if (!cert) {
          self->pem_error = g_strdup_printf ("invalid pem: %s", err->message);
          GST_WARNING_OBJECT (self, "%s", self->pem_error);
          g_clear_error (&err);
          break;
        }
      }
      g_clear_object (&self->cert);
      self->cert = cert;
      if (self->transport)
        gst_wrtc_dtls_srtp_transport_set_certificate (self->transport, cert);
      break;
    }
    case PROP_PEER_FINGERPRINT:{
      const gchar *fp = g_value_get_string (value);
      gchar *norm = NULL;

      g_clear_pointer (&self->peer_fingerprint_error, g_free);
      if (fp && *fp && !(norm = gst_wrtc_dtls_fingerprint_normalize (fp))) {
        self->peer_fingerprint_error =
            g_strdup_printf ("invalid peer-fingerprint '%s' "
            "(expected e.g. 'sha-256 AB:CD:...')", fp);
        GST_WARNING_OBJECT (self, "%s", self->peer_fingerprint_error);
        break;
      }
      g_free (self->peer_fingerprint);
      self->peer_fingerprint = norm;
      if (self->transport)
        gst_wrtc_dtls_srtp_transport_set_peer_fingerprint (self->transport,
            norm, NULL);
      break;
    }
    case PROP_SRTP_PROFILES:{
      GstWrtcDtlsConnection *probe =
          g_object_new (GST_WRTC_TYPE_DTLS_CONNECTION, NULL);
      const gchar *p = g_value_get_string (value);

      g_clear_pointer (&self->srtp_profiles_error, g_free);
      if (!gst_wrtc_dtls_connection_set_srtp_profiles (probe, p, &err)) {
        self->srtp_profiles_error =
            g_strdup_printf ("invalid srtp-profiles: %s", err->message);
        GST_WARNING_OBJECT (self, "%s", self->srtp_profiles_error);
        g_clear_error (&err);
      } else {
        g_free (self->srtp_profiles);
        self->srtp_profiles = p && *p ? g_strdup (p) : NULL;
        if (self->transport)
          gst_wrtc_dtls_srtp_transport_set_srtp_profiles (self->transport, p,
              NULL);
      }
      g_object_unref (probe);
      break;
    }
    case PROP_HANDSHAKE_TIMEOUT:
      self->handshake_timeout = g_value_get_uint (value);
      if (self->transport)
        gst_wrtc_dtls_srtp_transport_set_handshake_timeout (self->transport,
            self->handshake_timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static GstWrtcDtlsCertificate *
get_certificate (GstWrtcDtlsSrtpDec * self)
{
  GstWrtcDtlsCertificate *cert;

  GST_OBJECT_LOCK (self);
  cert = self->cert ? g_object_ref (self->cert) : NULL;
  GST_OBJECT_UNLOCK (self);
  return cert ? cert : gst_wrtc_dtls_certificate_get_default ();
}

static void
gst_wrtc_dtls_srtp_dec_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstWrtcDtlsSrtpDec *self = GST_WRTC_DTLS_SRTP_DEC (object);
  GstWrtcDtlsSrtpTransport *t;
  GstWrtcDtlsCertificate *cert;

  if (prop_id >= PROP_KEY && prop_id < PROP_KEY + GST_WRTC_MANUAL_KEY_N_PROPS) {
    GST_OBJECT_LOCK (self);
    gst_wrtc_manual_key_get_property (&self->manual, prop_id - PROP_KEY, value);
    GST_OBJECT_UNLOCK (self);
    return;
  }
  t = get_transport (self);
  switch (prop_id) {
    case PROP_CONNECTION_ID:
      GST_OBJECT_LOCK (self);
      g_value_set_string (value, self->connection_id);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_PEM:
      cert = get_certificate (self);
      g_value_set_string (value, gst_wrtc_dtls_certificate_get_pem (cert));
      g_object_unref (cert);
      break;
    case PROP_FINGERPRINT:
      cert = get_certificate (self);
      g_value_set_string (value,
          gst_wrtc_dtls_certificate_get_fingerprint (cert));
      g_object_unref (cert);
      break;
    case PROP_PEER_PEM:
      g_value_take_string (value, t ?
          gst_wrtc_dtls_srtp_transport_get_peer_pem (t) : NULL);
      break;
    case PROP_PEER_FINGERPRINT:
      GST_OBJECT_LOCK (self);
      g_value_set_string (value, self->peer_fingerprint);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_CONNECTION_STATE:
      g_value_set_enum (value, t ? gst_wrtc_dtls_srtp_transport_get_state (t)
          : GST_WRTC_DTLS_CONNECTION_STATE_NEW);
      break;
    case PROP_SRTP_PROFILES:
      GST_OBJECT_LOCK (self);
      g_value_set_string (value, self->srtp_profiles ? self->srtp_profiles :
          GST_WRTC_DTLS_DEFAULT_SRTP_PROFILES);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_HANDSHAKE_TIMEOUT:
      GST_OBJECT_LOCK (self);
      g_value_set_uint (value, self->handshake_timeout);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_STATS:
      if (t)
        g_value_take_boxed (value, gst_wrtc_dtls_srtp_transport_get_stats (t));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  if (t)
    g_object_unref (t);
}

static void
gst_wrtc_dtls_srtp_dec_finalize (GObject * object)
{
  GstWrtcDtlsSrtpDec *self = GST_WRTC_DTLS_SRTP_DEC (object);

  g_free (self->connection_id);
  g_free (self->peer_fingerprint);
  g_free (self->pem_error);
  g_free (self->peer_fingerprint_error);
  g_free (self->srtp_profiles_error);
  g_free (self->srtp_profiles);
  gst_wrtc_manual_key_clear (&self->manual);
  g_clear_object (&self->cert);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_wrtc_dtls_srtp_dec_class_init (GstWrtcDtlsSrtpDecClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  gobject_class->set_property = gst_wrtc_dtls_srtp_dec_set_property;
  gobject_class->get_property = gst_wrtc_dtls_srtp_dec_get_property;
  gobject_class->finalize = gst_wrtc_dtls_srtp_dec_finalize;

  g_object_class_install_property (gobject_class, PROP_CONNECTION_ID,
      g_param_spec_string ("connection-id", "Connection ID",
          "Names the DTLS association: the dtlssrtpenc that sends for this "
          "decoder must have the same connection-id",
          NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_PEM,
      g_param_spec_string ("pem", "PEM certificate",
          "Our X.509 certificate and its private key (RSA or EC) in PEM "
          "format; reading gives the certificate only.  When unset, an "
          "ECDSA P-256 certificate generated once per process",
          NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_PEER_PEM,
      g_param_spec_string ("peer-pem", "Peer PEM certificate",
          "The X.509 certificate the peer presented in the DTLS handshake, "
          "in PEM format", NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_FINGERPRINT,
      g_param_spec_string ("fingerprint", "Fingerprint",
          "SHA-256 fingerprint of our certificate as in an SDP a=fingerprint "
          "line ('sha-256 AB:CD:...')", NULL,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_PEER_FINGERPRINT,
      g_param_spec_string ("peer-fingerprint", "Peer fingerprint",
          "Expected fingerprint of the peer's certificate as in its SDP "
          "a=fingerprint line ('sha-256 AB:CD:...', also sha-1/384/512); "
          "when set, a peer with another certificate fails the handshake. "
          "When unset any certificate is accepted", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_CONNECTION_STATE,
      g_param_spec_enum ("connection-state", "Connection state",
          "State of the DTLS association: new, connecting, connected, "
          "closed or failed", GST_WRTC_TYPE_DTLS_CONNECTION_STATE,
          GST_WRTC_DTLS_CONNECTION_STATE_NEW,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_HANDSHAKE_TIMEOUT,
      g_param_spec_uint ("handshake-timeout", "Handshake timeout",
          "Milliseconds the DTLS handshake may take, retransmissions "
          "included, before the association fails", 100, G_MAXUINT,
          DEFAULT_HANDSHAKE_TIMEOUT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_SRTP_PROFILES,
      g_param_spec_string ("srtp-profiles", "SRTP profiles",
          "DTLS-SRTP protection profiles to offer (client) or accept "
          "(server), most preferred first, separated by ':' (RFC 5764 "
          "section 4.1.2 names: SRTP_AEAD_AES_128_GCM, "
          "SRTP_AES128_CM_SHA1_80, SRTP_AES128_CM_SHA1_32)",
          GST_WRTC_DTLS_DEFAULT_SRTP_PROFILES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "Counters of the association: packets and bytes protected and "
          "unprotected, packets dropped before the keys were set, replayed, "
          "failing authentication, malformed, and the demultiplexer's counts",
          GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  gst_wrtc_manual_key_install_properties (gobject_class, PROP_KEY);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &rtp_src_template);
  gst_element_class_add_static_pad_template (element_class, &rtcp_src_template);
  gst_element_class_add_static_pad_template (element_class, &data_src_template);

  element_class->change_state = gst_wrtc_dtls_srtp_dec_change_state;
  element_class->request_new_pad = gst_wrtc_dtls_srtp_dec_request_new_pad;
  element_class->release_pad = gst_wrtc_dtls_srtp_dec_release_pad;

  gst_element_class_set_static_metadata (element_class,
      "DTLS-SRTP Decoder", "Decoder/Network/DTLS/SRTP",
      "Runs the DTLS handshake (RFC 5764), decrypts SRTP/SRTCP and passes "
      "DTLS application data on, demultiplexing by RFC 7983",
      "gst-plugins-webrtc developers");
}

static void
gst_wrtc_dtls_srtp_dec_init (GstWrtcDtlsSrtpDec * self)
{
  self->handshake_timeout = DEFAULT_HANDSHAKE_TIMEOUT;

  self->sinkpad = gst_pad_new_from_static_template (&sink_template, "sink");
  gst_pad_set_chain_function (self->sinkpad, gst_wrtc_dtls_srtp_dec_chain);
  gst_pad_set_event_function (self->sinkpad, gst_wrtc_dtls_srtp_dec_sink_event);
  gst_element_add_pad (GST_ELEMENT (self), self->sinkpad);

  self->rtp_srcpad = gst_pad_new_from_static_template (&rtp_src_template,
      "rtp_src");
  gst_element_add_pad (GST_ELEMENT (self), self->rtp_srcpad);
  self->rtcp_srcpad = gst_pad_new_from_static_template (&rtcp_src_template,
      "rtcp_src");
  gst_element_add_pad (GST_ELEMENT (self), self->rtcp_srcpad);
}
