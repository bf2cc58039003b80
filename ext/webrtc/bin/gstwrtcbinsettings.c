/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gio/gio.h>
#include "gstwrtcbinsettings.h"
#include "gstwrtclist.h"

#define DEFAULT_ADDRESS "127.0.0.1"

void
gst_wrtc_bin_install_properties (GObjectClass * klass,
    const GstWrtcBinInfo * info)
{
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
      | GST_PARAM_MUTABLE_READY;

  g_object_class_install_property (klass, GST_WRTC_BIN_PROP_ADDRESS,
      g_param_spec_string ("address", "Address", info->address_blurb,
          DEFAULT_ADDRESS, rw));
  g_object_class_install_property (klass, GST_WRTC_BIN_PROP_PORT,
      g_param_spec_uint ("port", "Port", info->port_blurb, 0, 65535,
          info->port, rw));
  g_object_class_install_property (klass, GST_WRTC_BIN_PROP_URL,
      g_param_spec_string ("url", "URL", info->url_blurb, NULL,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (klass, GST_WRTC_BIN_PROP_STUN_SERVER,
      g_param_spec_string ("stun-server", "STUN server",
          "STUN server for our server-reflexive candidates, "
          "as stun://host:port (NULL: none)", NULL, rw));
  g_object_class_install_property (klass, GST_WRTC_BIN_PROP_TURN_SERVERS,
      g_param_spec_string ("turn-servers", "TURN servers",
          "Comma-separated TURN servers for relayed candidates, as "
          "turn(s)://user:password@host:port (NULL: none)", NULL, rw));
  g_object_class_install_property (klass, GST_WRTC_BIN_PROP_LOCAL_ADDRESSES,
      g_param_spec_string ("local-addresses", "Local addresses",
          "Comma-separated IP addresses ICE gathers candidates on, e.g. "
          "127.0.0.1 (NULL: every interface but loopback, or loopback when "
          "it is the only one up)", NULL, rw));
  g_object_class_install_property (klass, GST_WRTC_BIN_PROP_TOKEN,
      g_param_spec_string ("token", "Token", info->token_blurb, NULL,
          rw | info->token_flags));
  g_object_class_install_property (klass,
      GST_WRTC_BIN_PROP_ICE_TRANSPORT_POLICY,
      g_param_spec_enum ("ice-transport-policy", "ICE transport policy",
          "W3C iceTransportPolicy: all (every candidate) or relay (TURN "
          "only: needs turn-servers; the remote never learns our "
          "addresses; also handed to the browser pages)",
          GST_WRTC_TYPE_ICE_TRANSPORT_POLICY, GST_WRTC_ICE_TRANSPORT_POLICY_ALL,
          rw));
  g_object_class_install_property (klass, GST_WRTC_BIN_PROP_VIDEO_CODECS,
      g_param_spec_string ("video-codecs", "Video codecs",
          info->video_codecs_blurb, info->video_codecs, rw));
  g_object_class_install_property (klass, GST_WRTC_BIN_PROP_AUDIO_CODECS,
      g_param_spec_string ("audio-codecs", "Audio codecs",
          info->audio_codecs_blurb, info->audio_codecs, rw));
}

void
gst_wrtc_bin_settings_init (GstWrtcBinSettings * s,
    const GstWrtcBinInfo * info, GObject * object)
{
  GParamSpec **pspecs;
  guint i, n;

  memset (s, 0, sizeof (*s));
  s->info = info;
  g_mutex_init (&s->lock);
  s->address = g_strdup (DEFAULT_ADDRESS);
  s->port = info->port;
  s->video_codecs = gst_wrtc_list_split (info->video_codecs);
  s->audio_codecs = gst_wrtc_list_split (info->audio_codecs);

  /* the bin's own writable properties, at their defaults */
  s->values = g_array_new (FALSE, TRUE, sizeof (GValue));
  g_array_set_clear_func (s->values, (GDestroyNotify) g_value_unset);
  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (object), &n);
  for (i = 0; i < n; i++) {
    GParamSpec *ps = pspecs[i];
    GValue *v;
    if (ps->param_id < GST_WRTC_BIN_PROP_LAST
        || ps->owner_type != G_OBJECT_TYPE (object)
        || !(ps->flags & G_PARAM_WRITABLE))
      continue;
    if (s->values->len <= ps->param_id - GST_WRTC_BIN_PROP_LAST)
      g_array_set_size (s->values, ps->param_id - GST_WRTC_BIN_PROP_LAST + 1);
    v = &g_array_index (s->values, GValue, ps->param_id -
        GST_WRTC_BIN_PROP_LAST);
    g_value_init (v, ps->value_type);
    g_param_value_set_default (ps, v);
  }
  g_free (pspecs);
}

/* The stored value of the bin's own @prop_id, or NULL.  Settings lock. */
static GValue *
own_value_locked (GstWrtcBinSettings * s, guint prop_id)
{
  GValue *v;

  if (prop_id < GST_WRTC_BIN_PROP_LAST
      || prop_id - GST_WRTC_BIN_PROP_LAST >= s->values->len)
    return NULL;
  v = &g_array_index (s->values, GValue, prop_id - GST_WRTC_BIN_PROP_LAST);
  return G_IS_VALUE (v) ? v : NULL;
}

void
gst_wrtc_bin_settings_clear (GstWrtcBinSettings * s)
{
  g_free (s->address);
  g_free (s->url);
  g_free (s->stun_server);
  g_strfreev (s->turn_servers);
  g_strfreev (s->local_addresses);
  g_free (s->token);
  g_strfreev (s->video_codecs);
  g_strfreev (s->audio_codecs);
  g_array_unref (s->values);
  g_mutex_clear (&s->lock);
}

static void
set_codecs (GstWrtcBinSettings * s, gchar *** list, const gchar * value,
    const gchar * fallback)
{
  g_strfreev (*list);
  *list = gst_wrtc_list_split (value);
  if (!*list && s->info->codecs_default_when_unset)
    *list = gst_wrtc_list_split (fallback);
}

void
gst_wrtc_bin_settings_set_property (GstWrtcBinSettings * s, guint prop_id,
    const GValue * value)
{
  GValue *own;

  g_mutex_lock (&s->lock);
  if ((own = own_value_locked (s, prop_id))) {
    g_value_copy (value, g_value_reset (own));
    g_mutex_unlock (&s->lock);
    return;
  }
  switch ((GstWrtcBinProp) prop_id) {
    case GST_WRTC_BIN_PROP_ADDRESS:
      g_free (s->address);
      s->address = g_value_dup_string (value);
      if (!s->address)
        s->address = g_strdup (DEFAULT_ADDRESS);
      break;
    case GST_WRTC_BIN_PROP_PORT:
      s->port = g_value_get_uint (value);
      break;
    case GST_WRTC_BIN_PROP_STUN_SERVER:
      g_free (s->stun_server);
      s->stun_server = g_value_dup_string (value);
      break;
    case GST_WRTC_BIN_PROP_TURN_SERVERS:
      g_strfreev (s->turn_servers);
      s->turn_servers = gst_wrtc_list_split (g_value_get_string (value));
      break;
    case GST_WRTC_BIN_PROP_LOCAL_ADDRESSES:
      g_strfreev (s->local_addresses);
      s->local_addresses = gst_wrtc_list_split (g_value_get_string (value));
      break;
    case GST_WRTC_BIN_PROP_TOKEN:
      g_free (s->token);
      s->token = g_value_dup_string (value);
      break;
    case GST_WRTC_BIN_PROP_ICE_TRANSPORT_POLICY:
      s->ice_policy = g_value_get_enum (value);
      break;
    case GST_WRTC_BIN_PROP_VIDEO_CODECS:
      set_codecs (s, &s->video_codecs, g_value_get_string (value),
          s->info->video_codecs);
      break;
    case GST_WRTC_BIN_PROP_AUDIO_CODECS:
      set_codecs (s, &s->audio_codecs, g_value_get_string (value),
          s->info->audio_codecs);
      break;
    case GST_WRTC_BIN_PROP_URL:        /* read-only */
    case GST_WRTC_BIN_PROP_LAST:
      break;
  }
  g_mutex_unlock (&s->lock);
}

gboolean
gst_wrtc_bin_settings_get_property (GstWrtcBinSettings * s, guint prop_id,
    GValue * value)
{
  GValue *own;

  g_mutex_lock (&s->lock);
  if ((own = own_value_locked (s, prop_id))) {
    g_value_copy (own, value);
    g_mutex_unlock (&s->lock);
    return TRUE;
  }
  if (prop_id == 0 || prop_id >= GST_WRTC_BIN_PROP_LAST) {
    g_mutex_unlock (&s->lock);
    return FALSE;
  }
  switch ((GstWrtcBinProp) prop_id) {
    case GST_WRTC_BIN_PROP_ADDRESS:
      g_value_set_string (value, s->address);
      break;
    case GST_WRTC_BIN_PROP_PORT:
      g_value_set_uint (value, s->port);
      break;
    case GST_WRTC_BIN_PROP_URL:
      g_value_set_string (value, s->url);
      break;
    case GST_WRTC_BIN_PROP_STUN_SERVER:
      g_value_set_string (value, s->stun_server);
      break;
    case GST_WRTC_BIN_PROP_TURN_SERVERS:
      g_value_take_string (value, gst_wrtc_list_join (s->turn_servers));
      break;
    case GST_WRTC_BIN_PROP_LOCAL_ADDRESSES:
      g_value_take_string (value, gst_wrtc_list_join (s->local_addresses));
      break;
    case GST_WRTC_BIN_PROP_TOKEN:
      g_value_set_string (value, s->token);
      break;
    case GST_WRTC_BIN_PROP_ICE_TRANSPORT_POLICY:
      g_value_set_enum (value, s->ice_policy);
      break;
    case GST_WRTC_BIN_PROP_VIDEO_CODECS:
      g_value_take_string (value, gst_wrtc_list_join (s->video_codecs));
      break;
    case GST_WRTC_BIN_PROP_AUDIO_CODECS:
      g_value_take_string (value, gst_wrtc_list_join (s->audio_codecs));
      break;
    case GST_WRTC_BIN_PROP_LAST:
      break;
  }
  g_mutex_unlock (&s->lock);
  return TRUE;
}

guint
gst_wrtc_bin_settings_get_uint (GstWrtcBinSettings * s, guint prop_id)
{
  GValue *v;
  guint u;

  g_mutex_lock (&s->lock);
  v = own_value_locked (s, prop_id);
  u = v ? g_value_get_uint (v) : 0;
  g_mutex_unlock (&s->lock);
  return u;
}

gboolean
gst_wrtc_bin_settings_get_boolean (GstWrtcBinSettings * s, guint prop_id)
{
  GValue *v;
  gboolean b;

  g_mutex_lock (&s->lock);
  v = own_value_locked (s, prop_id);
  b = v ? g_value_get_boolean (v) : FALSE;
  g_mutex_unlock (&s->lock);
  return b;
}

gchar *
gst_wrtc_bin_settings_dup_string (GstWrtcBinSettings * s, guint prop_id)
{
  const gchar *str;
  GValue *v;
  gchar *copy;

  g_mutex_lock (&s->lock);
  v = own_value_locked (s, prop_id);
  str = v ? g_value_get_string (v) : NULL;
  copy = str && *str ? g_strdup (str) : NULL;
  g_mutex_unlock (&s->lock);
  return copy;
}

gchar *
gst_wrtc_bin_settings_dup_token (GstWrtcBinSettings * s)
{
  gchar *token;

  g_mutex_lock (&s->lock);
  token = s->token && *s->token ? g_strdup (s->token) : NULL;
  g_mutex_unlock (&s->lock);
  return token;
}

gchar **
gst_wrtc_bin_settings_dup_codecs (GstWrtcBinSettings * s, GstWrtcMediaKind kind)
{
  gchar **names;

  g_mutex_lock (&s->lock);
  names = g_strdupv (kind == GST_WRTC_MEDIA_VIDEO ? s->video_codecs :
      s->audio_codecs);
  g_mutex_unlock (&s->lock);
  return names;
}

void
gst_wrtc_bin_settings_set_url (GstWrtcBinSettings * s, const gchar * url)
{
  g_mutex_lock (&s->lock);
  g_free (s->url);
  s->url = g_strdup (url);
  g_mutex_unlock (&s->lock);
}

gboolean
gst_wrtc_bin_settings_check (GstWrtcBinSettings * s, GError ** error)
{
  gboolean ok;

  g_mutex_lock (&s->lock);
  ok = s->ice_policy != GST_WRTC_ICE_TRANSPORT_POLICY_RELAY
      || s->turn_servers != NULL;
  g_mutex_unlock (&s->lock);
  if (!ok)
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
        "ice-transport-policy=relay needs turn-servers: without a TURN "
        "server there is no candidate to connect with");
  return ok;
}

GstWrtcPeer *
gst_wrtc_bin_settings_new_peer (GstWrtcBinSettings * s, gboolean twcc,
    gboolean datachannel, GError ** error)
{
  GstWrtcPeerConfig cfg = { 0, };
  GstWrtcPeer *peer;

  g_mutex_lock (&s->lock);
  cfg.local_addresses = (const gchar * const *) s->local_addresses;
  cfg.stun_server = s->stun_server;
  cfg.turn_servers = (const gchar * const *) s->turn_servers;
  cfg.cname = s->info->element;
  cfg.twcc = twcc;
  cfg.datachannel = datachannel;
  cfg.relay_only = s->ice_policy == GST_WRTC_ICE_TRANSPORT_POLICY_RELAY;
  peer = gst_wrtc_peer_new (&cfg, error);
  g_mutex_unlock (&s->lock);
  return peer;
}

gboolean
gst_wrtc_bin_add_remote_candidates (GstWrtcPeer * peer,
    const GstWrtcSdpFrag * frag, GstObject * object, const gchar * what,
    GError ** error)
{
  guint i;

  if (!peer) {
    g_set_error (error, GST_WRTC_HTTP_ERROR, GST_WRTC_HTTP_ERROR_UNPROCESSABLE,
        "no such %s", what);
    return FALSE;
  }
  for (i = 0; frag->candidates && i < frag->candidates->len; i++) {
    GstWrtcSdpFragCandidate *c = g_ptr_array_index (frag->candidates, i);
    GError *err = NULL;
    if (!gst_wrtc_peer_add_remote_candidate (peer, c->candidate, &err)) {
      GST_CAT_DEBUG_OBJECT (GST_CAT_DEFAULT, object,
          "candidate %s ignored: %s", c->candidate, err->message);
      g_clear_error (&err);
    }
  }
  if (frag->end_of_candidates)
    gst_wrtc_peer_end_of_remote_candidates (peer);
  g_object_unref (peer);
  return TRUE;
}

gboolean
gst_wrtc_bin_add_page (GstWrtcHttpServer * server, GResource * res,
    const gchar * prefix, const gchar * path, const gchar * file,
    const gchar * content_type)
{
  gchar *rpath = g_strconcat (prefix, file, NULL);
  GBytes *body = g_resource_lookup_data (res, rpath,
      G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

  g_free (rpath);
  if (!body)
    return FALSE;
  gst_wrtc_http_server_set_static (server, path, content_type, body);
  g_bytes_unref (body);
  return TRUE;
}

gchar *
gst_wrtc_bin_start_server (GstWrtcBinSettings * s, GstWrtcHttpServer * server,
    const gchar * endpoint, const gchar * cert, const gchar * key,
    gboolean navigation, GError ** error)
{
  GError *err = NULL;
  gchar *address, *stun, **turn, *url = NULL;
  gboolean relay;
  guint port;

  if ((cert == NULL) != (key == NULL)) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
        "HTTPS needs both tls-certificate and tls-key (only %s is set)",
        cert ? "tls-certificate" : "tls-key");
    return NULL;
  }
  if (!gst_wrtc_bin_settings_check (s, error))
    return NULL;
  g_mutex_lock (&s->lock);
  address = g_strdup (s->address);
  port = s->port;
  stun = g_strdup (s->stun_server);
  turn = g_strdupv (s->turn_servers);
  relay = s->ice_policy == GST_WRTC_ICE_TRANSPORT_POLICY_RELAY;
  g_mutex_unlock (&s->lock);

  /* the browser's too: Link headers on 201 (RFC 9725 section 4.6) and
   * config.json for the pages */
  if (!gst_wrtc_http_server_set_page_config (server, "/config.json",
          endpoint, stun, (const gchar * const *) turn, relay, navigation,
          &err)) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
        "Bad stun-server or turn-servers: %s", err->message);
  } else if (!gst_wrtc_http_server_start (server, address, port, cert, key,
          &err)) {
    /* the TLS message names the file and why */
    if (err->domain == G_FILE_ERROR || err->domain == G_TLS_ERROR)
      g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ,
          "Could not load the HTTPS certificate: %s", err->message);
    else
      g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ,
          "Could not start the %s on %s port %u: %s", s->info->server,
          address, port, err->message);
  } else {
    url = gst_wrtc_http_server_get_url (server);
    gst_wrtc_bin_settings_set_url (s, url);
  }
  g_clear_error (&err);
  g_free (address);
  g_free (stun);
  g_strfreev (turn);
  return url;
}
