/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcmanualkey.h"

void
gst_wrtc_manual_key_install_properties (GObjectClass * klass, guint first_id)
{
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY;

  g_object_class_install_property (klass, first_id,
      g_param_spec_boxed ("key", "Key",
          "SRTP master key followed by the master salt (30 bytes for "
          "aes-128-icm), for manual keying; if this property is set, DTLS "
          "will be disabled", GST_TYPE_BUFFER, flags));
  g_object_class_install_property (klass, first_id + 1,
      g_param_spec_string ("srtp-cipher", "SRTP cipher",
          "SRTP cipher name, should be 'null' or 'aes-128-icm' (also "
          "'aes-256-icm', 'aes-128-gcm', 'aes-256-gcm'), if this property "
          "is set, DTLS will be disabled", NULL, flags));
  g_object_class_install_property (klass, first_id + 2,
      g_param_spec_string ("srtp-auth", "SRTP authentication",
          "SRTP auth name, should be 'null', 'hmac-sha1-32' or "
          "'hmac-sha1-80', if this property is set, DTLS will be disabled",
          NULL, flags));
  g_object_class_install_property (klass, first_id + 3,
      g_param_spec_string ("srtcp-cipher", "SRTCP cipher",
          "SRTCP cipher name, should be 'null' or 'aes-128-icm' (also "
          "'aes-256-icm', 'aes-128-gcm', 'aes-256-gcm'), if this property "
          "is set, DTLS will be disabled", NULL, flags));
  g_object_class_install_property (klass, first_id + 4,
      g_param_spec_string ("srtcp-auth", "SRTCP authentication",
          "SRTCP auth name, should be 'null', 'hmac-sha1-32' or "
          "'hmac-sha1-80', if this property is set, DTLS will be disabled",
          NULL, flags));
}

static gchar **
field (GstWrtcManualKey * mk, guint index)
{
  switch (index) {
    case 1:
      return &mk->srtp_cipher;
    case 2:
      return &mk->srtp_auth;
    case 3:
      return &mk->srtcp_cipher;
    default:
      return &mk->srtcp_auth;
  }
}

void
gst_wrtc_manual_key_set_property (GstWrtcManualKey * mk, guint index,
    const GValue * value)
{
  if (index == 0) {
    gst_buffer_replace (&mk->key, g_value_get_boxed (value));
  } else {
    gchar **f = field (mk, index);
    g_free (*f);
    *f = g_value_dup_string (value);
  }
}

void
gst_wrtc_manual_key_get_property (GstWrtcManualKey * mk, guint index,
    GValue * value)
{
  if (index == 0)
    g_value_set_boxed (value, mk->key);
  else
    g_value_set_string (value, *field (mk, index));
}

void
gst_wrtc_manual_key_clear (GstWrtcManualKey * mk)
{
  gst_buffer_replace (&mk->key, NULL);
  g_clear_pointer (&mk->srtp_cipher, g_free);
  g_clear_pointer (&mk->srtp_auth, g_free);
  g_clear_pointer (&mk->srtcp_cipher, g_free);
  g_clear_pointer (&mk->srtcp_auth, g_free);
}

gboolean
gst_wrtc_manual_key_is_set (const GstWrtcManualKey * mk)
{
  return mk->key || mk->srtp_cipher || mk->srtp_auth || mk->srtcp_cipher
      || mk->srtcp_auth;
}

gboolean
gst_wrtc_manual_key_apply (const GstWrtcManualKey * mk,
    GstWrtcDtlsSrtpTransport * t, gboolean outbound, GError ** error)
{
  GBytes *bytes = NULL;
  GstMapInfo map;
  gboolean ret;

  if (mk->key && gst_buffer_map (mk->key, &map, GST_MAP_READ)) {
    bytes = g_bytes_new (map.data, map.size);
    gst_buffer_unmap (mk->key, &map);
  }
  ret = gst_wrtc_dtls_srtp_transport_set_manual_key (t, outbound,
      mk->srtp_cipher, mk->srtp_auth, mk->srtcp_cipher, mk->srtcp_auth,
      bytes, error);
  if (bytes)
    g_bytes_unref (bytes);
  return ret;
}

gboolean
gst_wrtc_manual_key_start (GstObject * element, const GstWrtcManualKey * mk,
    GstWrtcDtlsSrtpTransport * t, gboolean outbound, gboolean * manual_mode,
    GError ** error)
{
  gboolean ok = TRUE;

  GST_OBJECT_LOCK (element);
  *manual_mode = gst_wrtc_manual_key_is_set (mk);
  if (*manual_mode)
    ok = gst_wrtc_manual_key_apply (mk, t, outbound, error);
  GST_OBJECT_UNLOCK (element);
  return ok;
}
