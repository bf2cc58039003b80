/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the properties webrtcsink and webrtcsrc share, and
 * the one place they become a peer configuration and a running server.
 *
 * A bin installs the common properties with
 * gst_wrtc_bin_install_properties() (ids 1 .. GST_WRTC_BIN_PROP_LAST - 1)
 * and its own from GST_WRTC_BIN_PROP_LAST on, and forwards set_property
 * and get_property here: the settings keep the values of its own
 * properties too (read them with gst_wrtc_bin_settings_get_*()), so a
 * bin's property code is only what a change does beyond storing it.  A
 * property both bins have is added here once, with the GstWrtcBinInfo
 * fields where their wording differs.
 */
#ifndef __GST_WRTC_BIN_SETTINGS_H__
#define __GST_WRTC_BIN_SETTINGS_H__

#include <gst/gst.h>
#include "gstwrtcpeer.h"
#include "gstwrtchttpserver.h"
#include "gstwrtcsdpfrag.h"

G_BEGIN_DECLS typedef enum
{
  GST_WRTC_BIN_PROP_ADDRESS = 1,
  GST_WRTC_BIN_PROP_PORT,
  GST_WRTC_BIN_PROP_URL,
  GST_WRTC_BIN_PROP_STUN_SERVER,
  GST_WRTC_BIN_PROP_TURN_SERVERS,
  GST_WRTC_BIN_PROP_LOCAL_ADDRESSES,
  GST_WRTC_BIN_PROP_TOKEN,
  GST_WRTC_BIN_PROP_ICE_TRANSPORT_POLICY,
  GST_WRTC_BIN_PROP_VIDEO_CODECS,
  GST_WRTC_BIN_PROP_AUDIO_CODECS,
  GST_WRTC_BIN_PROP_LAST
} GstWrtcBinProp;

/* What differs between the bins' common properties. */
typedef struct
{
  const gchar *element;         /* "webrtcsink": cname, log lines */
  const gchar *server;          /* "HTTP server", "WHIP server" */
  guint port;
  const gchar *video_codecs, *audio_codecs;     /* defaults */
  gboolean codecs_default_when_unset;   /* NULL/"" restores the default */
  const gchar *address_blurb, *port_blurb, *url_blurb, *token_blurb;
  const gchar *video_codecs_blurb, *audio_codecs_blurb;
  GParamFlags token_flags;      /* beyond readwrite, mutable in ready */
} GstWrtcBinInfo;

typedef struct
{
  const GstWrtcBinInfo *info;
  GMutex lock;                  /* a leaf: nothing is called under it */
  gchar *address;
  guint port;
  gchar *url;
  gchar *stun_server;
  gchar **turn_servers;
  gchar **local_addresses;
  gchar *token;
  GstWrtcIceTransportPolicy ice_policy;
  gchar **video_codecs, **audio_codecs;
  /* the bin's own writable properties, by id - GST_WRTC_BIN_PROP_LAST */
  GArray *values;               /* GValue */
} GstWrtcBinSettings;

void gst_wrtc_bin_install_properties (GObjectClass * klass,
    const GstWrtcBinInfo * info);
/* @object: the bin, whose class installed its properties already (its
 * writable ones get their defaults here). */
void gst_wrtc_bin_settings_init (GstWrtcBinSettings * s,
    const GstWrtcBinInfo * info, GObject * object);
void gst_wrtc_bin_settings_clear (GstWrtcBinSettings * s);
/* Stores any writable property of the bin. */
void gst_wrtc_bin_settings_set_property (GstWrtcBinSettings * s,
    guint prop_id, const GValue * value);
/* FALSE for a property the settings do not keep (read-only ones of the
 * bin's own, like stats). */
gboolean gst_wrtc_bin_settings_get_property (GstWrtcBinSettings * s,
    guint prop_id, GValue * value);

/* The value of the bin's own property @prop_id (any thread). */
guint gst_wrtc_bin_settings_get_uint (GstWrtcBinSettings * s, guint prop_id);
gboolean gst_wrtc_bin_settings_get_boolean (GstWrtcBinSettings * s,
    guint prop_id);
/* A copy of a string property, NULL when unset or empty. */
gchar *gst_wrtc_bin_settings_dup_string (GstWrtcBinSettings * s, guint prop_id);

/* Copies of single settings (transfer full). */
gchar *gst_wrtc_bin_settings_dup_token (GstWrtcBinSettings * s);
gchar **gst_wrtc_bin_settings_dup_codecs (GstWrtcBinSettings * s,
    GstWrtcMediaKind kind);
void gst_wrtc_bin_settings_set_url (GstWrtcBinSettings * s, const gchar * url);

/* The settings make sense (ice-transport-policy=relay needs a TURN
 * server); GST_RESOURCE_ERROR_SETTINGS otherwise. */
gboolean gst_wrtc_bin_settings_check (GstWrtcBinSettings * s, GError ** error);

/* A peer connection with the ICE settings; @twcc and @datachannel as
 * GstWrtcPeerConfig (an answerer with @datachannel accepts an offered
 * data channel section, an offerer offers one). */
GstWrtcPeer *gst_wrtc_bin_settings_new_peer (GstWrtcBinSettings * s,
    gboolean twcc, gboolean datachannel, GError ** error);

/* Hands the candidates of a trickle fragment (RFC 8840, a PATCH) to
 * @peer (transfer full; NULL: the session is gone, a 422 naming @what)
 * and ends its candidates when the fragment says so; a candidate the peer
 * cannot use is logged on @object and skipped. */
gboolean gst_wrtc_bin_add_remote_candidates (GstWrtcPeer * peer,
    const GstWrtcSdpFrag * frag, GstObject * object, const gchar * what,
    GError ** error);

/* Serves the GResource file @prefix@file at @path. */
gboolean gst_wrtc_bin_add_page (GstWrtcHttpServer * server, GResource * res,
    const gchar * prefix, const gchar * path, const gchar * file,
    const gchar * content_type);

/* Starts @server on address:port (HTTPS with @cert and @key, both or
 * neither), with the ICE servers (and @navigation: the player sends
 * navigation events) as config.json for the pages and Link headers on 201
 * (RFC 9725 section 4.6), @endpoint being "whep" or "whip"; stores and
 * returns its URL (transfer full).  Errors:
 * GST_RESOURCE_ERROR_SETTINGS, GST_RESOURCE_ERROR_OPEN_READ, with a
 * message for the user. */
gchar *gst_wrtc_bin_start_server (GstWrtcBinSettings * s,
    GstWrtcHttpServer * server, const gchar * endpoint, const gchar * cert,
    const gchar * key, gboolean navigation, GError ** error);

/* Posts @error (a GST_RESOURCE_ERROR or GST_CORE_ERROR from this layer)
 * as an element error of @element: the bins' one way to report what the
 * bin layer returned. */
#define GST_WRTC_BIN_POST_ERROR(element, error, debug)                      \
  gst_element_message_full (GST_ELEMENT (element), GST_MESSAGE_ERROR,       \
      (error)->domain, (error)->code, g_strdup ((error)->message),          \
      (debug), __FILE__, GST_FUNCTION, __LINE__)

G_END_DECLS
#endif
