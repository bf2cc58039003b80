/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: data channels over one SCTP association (RFC 8831,
 * DCEP RFC 8832).
 *
 * Locking: `lock` guards the table.  The association is never called with
 * it held: the association may dispatch inside the call and call our
 * handlers, which take it.  Our handlers run inside the association's
 * dispatch, one at a time; user callbacks are called after unlocking.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwrtcsctpchannels.h"

#include <string.h>
#include <gst/gst.h>

GST_DEBUG_CATEGORY_STATIC (wrtc_sctp_channels_debug);
#define GST_CAT_DEFAULT wrtc_sctp_channels_debug

typedef struct
{
  guint16 id;
  gchar *label, *protocol;
  gboolean ordered;
  gint max_retransmits, max_packet_lifetime;
  guint16 priority;
  gboolean negotiated;
  gboolean remote;
  GstWrtcSctpChannelState state;
  gboolean awaiting_ack;        /* our OPEN sent, no ACK yet */
  gboolean in_reset, out_reset; /* RFC 8831 section 6.7, both directions */
} Channel;

struct _GstWrtcSctpChannels
{
  GObject parent;

  /* immutable after new() */
  GstWrtcSctpAssociation *assoc;
  gboolean is_client;
  guint next_id_slot;           /* open(): where the next id is looked for */

  GMutex lock;
  /* all below: lock */
  GstWrtcSctpChannelsFuncs funcs;
  GWeakRef owner;
  gboolean has_owner;
  GHashTable *channels;         /* id -> Channel */
  gboolean assoc_connected;
};

G_DEFINE_TYPE_WITH_CODE (GstWrtcSctpChannels, gst_wrtc_sctp_channels,
    G_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (wrtc_sctp_channels_debug, "wrtcsctpchannels", 0,
        "WebRTC data channels (DCEP)"));

void
gst_wrtc_sctp_channel_options_init (GstWrtcSctpChannelOptions * opts)
{
  memset (opts, 0, sizeof (*opts));
  opts->ordered = TRUE;
  opts->max_retransmits = -1;
  opts->max_packet_lifetime = -1;
  /* W3C RTCDataChannelInit's default priority, "low" (RFC 8831 6.4) */
  opts->priority = GST_WRTC_SCTP_DEFAULT_PRIORITY;
  opts->id = -1;
}

void
gst_wrtc_sctp_channel_info_clear (GstWrtcSctpChannelInfo * info)
{
  g_free (info->label);
  g_free (info->protocol);
  memset (info, 0, sizeof (*info));
}

static void
channel_free (Channel * ch)
{
  g_free (ch->label);
  g_free (ch->protocol);
  g_free (ch);
}

/* ------------------------------------------------------------------------
 * Channel state machine
 *
 * The one place a channel's state changes: channel_set_state_locked(),
 * through the helper (gstwrtcfsm.h) and this table.  Legal edges:
 *   connecting -> open      ACK, or the peer's first message (it got our
 *                           OPEN), or a negotiated channel's association
 *                           came up
 *   connecting -> closing   close() or the peer's reset before it opened
 *   open       -> closing   close() or the peer's stream reset
 *   any        -> closed    both directions reset, or the association ended
 * closed is final: the entry leaves the table and the id is free.
 */
#define TO GST_WRTC_FSM_TO
static const gchar *const channel_state_names[] = {
  [GST_WRTC_SCTP_CHANNEL_STATE_CONNECTING] = "connecting",
  [GST_WRTC_SCTP_CHANNEL_STATE_OPEN] = "open",
  [GST_WRTC_SCTP_CHANNEL_STATE_CLOSING] = "closing",
  [GST_WRTC_SCTP_CHANNEL_STATE_CLOSED] = "closed",
};

static const guint32 channel_state_edges[] = {
  [GST_WRTC_SCTP_CHANNEL_STATE_CONNECTING] =
      TO (GST_WRTC_SCTP_CHANNEL_STATE_OPEN)
      | TO (GST_WRTC_SCTP_CHANNEL_STATE_CLOSING)
      | TO (GST_WRTC_SCTP_CHANNEL_STATE_CLOSED),
  [GST_WRTC_SCTP_CHANNEL_STATE_OPEN] = TO (GST_WRTC_SCTP_CHANNEL_STATE_CLOSING)
      | TO (GST_WRTC_SCTP_CHANNEL_STATE_CLOSED),
  [GST_WRTC_SCTP_CHANNEL_STATE_CLOSING] =
      TO (GST_WRTC_SCTP_CHANNEL_STATE_CLOSED),
  [GST_WRTC_SCTP_CHANNEL_STATE_CLOSED] = 0,
};

#undef TO

static const GstWrtcFsm channel_state_machine = {
  "sctp-channel", &wrtc_sctp_channels_debug,
  G_N_ELEMENTS (channel_state_names), channel_state_names,
  channel_state_edges
};

G_STATIC_ASSERT (G_N_ELEMENTS (channel_state_edges) ==
    G_N_ELEMENTS (channel_state_names));

const GstWrtcFsm *
gst_wrtc_sctp_channel_state_machine (void)
{
  return &channel_state_machine;
}

const gchar *
gst_wrtc_sctp_channel_state_name (GstWrtcSctpChannelState s)
{
  return gst_wrtc_fsm_state_name (&channel_state_machine, s);
}

/* TRUE when @ch may go to @new_state now: for callers that act on events
 * which may come after the channel moved on. */
static gboolean
channel_can_go (Channel * ch, GstWrtcSctpChannelState new_state)
{
  return gst_wrtc_fsm_is_legal (&channel_state_machine, ch->state, new_state);
}

/* Stores @new_state when the machine allows it; the caller checks first
 * when the edge may be illegal, so a refusal here is a bug. */
static gboolean
channel_set_state_locked (GstWrtcSctpChannels * self, Channel * ch,
    GstWrtcSctpChannelState new_state)
{
  gchar who[64];

  g_snprintf (who, sizeof (who), "%u '%s'", ch->id, ch->label);
  if (!gst_wrtc_fsm_transition (&channel_state_machine, self, who, ch->state,
          new_state))
    return FALSE;
  ch->state = new_state;
  return TRUE;
}

/* ------------------------------------------------------------------------
 * User callbacks, called without the lock
 */
typedef struct
{
  GstWrtcSctpChannelsFuncs funcs;
  GObject *owner;
  gboolean ok;
} Callbacks;

static void
callbacks_take_locked (GstWrtcSctpChannels * self, Callbacks * cb)
{
  cb->funcs = self->funcs;
  cb->owner = self->has_owner ? g_weak_ref_get (&self->owner) : NULL;
  cb->ok = !self->has_owner || cb->owner != NULL;
}

static void
callbacks_done (Callbacks * cb)
{
  if (cb->owner)
    g_object_unref (cb->owner);
}

static void
report_error (GstWrtcSctpChannels * self, guint16 id, GError * err)
{
  Callbacks cb;

  GST_WARNING_OBJECT (self, "stream %u: %s", id, err->message);
  g_mutex_lock (&self->lock);
  callbacks_take_locked (self, &cb);
  g_mutex_unlock (&self->lock);
  if (cb.ok && cb.funcs.error)
    cb.funcs.error (id, err, cb.owner);
  callbacks_done (&cb);
  g_error_free (err);
}

/* ------------------------------------------------------------------------
 * From the association (inside its dispatch)
 */
static void
handle_open (GstWrtcSctpChannels * self, guint16 sid, GstWrtcDcepOpen * open)
{
  Channel *ch;
  Callbacks cb;
  GBytes *ack;
  GError *err = NULL;
  guint type = open->channel_type & ~GST_WRTC_DCEP_UNORDERED_BIT;

  g_mutex_lock (&self->lock);
  /* RFC 8832 section 6: the peer opens on ids of its own parity */
  if ((sid % 2 == 0) == self->is_client)
    goto wrong_parity;
  if (g_hash_table_contains (self->channels, GUINT_TO_POINTER (sid)))
    goto in_use;

  ch = g_new0 (Channel, 1);
  ch->id = sid;
  ch->label = g_strdup (open->label);
  ch->protocol = g_strdup (open->protocol);
  ch->ordered = !(open->channel_type & GST_WRTC_DCEP_UNORDERED_BIT);
  ch->max_retransmits = type ==
      GST_WRTC_DCEP_CHANNEL_PARTIAL_RELIABLE_REXMIT ?
      (gint) MIN (open->reliability, G_MAXINT) : -1;
  ch->max_packet_lifetime = type ==
      GST_WRTC_DCEP_CHANNEL_PARTIAL_RELIABLE_TIMED ?
      (gint) MIN (open->reliability, G_MAXINT) : -1;
  ch->priority = open->priority;
  ch->remote = TRUE;
  ch->state = GST_WRTC_SCTP_CHANNEL_STATE_CONNECTING;
  g_hash_table_insert (self->channels, GUINT_TO_POINTER (sid), ch);
  channel_set_state_locked (self, ch, GST_WRTC_SCTP_CHANNEL_STATE_OPEN);
  callbacks_take_locked (self, &cb);
  g_mutex_unlock (&self->lock);

  /* RFC 8831 section 6.4: the peer's priority weighs our side too */
  gst_wrtc_sctp_association_set_stream_priority (self->assoc, sid,
      open->priority);
  /* RFC 8832 section 6: answer on the same stream, ordered and reliable */
  ack = gst_wrtc_dcep_write_ack ();
  if (!gst_wrtc_sctp_association_send (self->assoc, sid,
          GST_WRTC_SCTP_PPID_DCEP, g_bytes_get_data (ack, NULL),
          g_bytes_get_size (ack), TRUE, GST_WRTC_SCTP_RELIABLE, 0, &err)) {
    GST_WARNING_OBJECT (self, "cannot send DATA_CHANNEL_ACK on %u: %s", sid,
        err->message);
    g_clear_error (&err);
  }
  g_bytes_unref (ack);
  if (cb.ok && cb.funcs.channel_open)
    cb.funcs.channel_open (sid, TRUE, cb.owner);
  callbacks_done (&cb);
  return;

  /* ERRORS */
wrong_parity:
  {
    g_mutex_unlock (&self->lock);
    report_error (self, sid, g_error_new (GST_WRTC_SCTP_ERROR,
            GST_WRTC_SCTP_ERROR_PROTOCOL, "DATA_CHANNEL_OPEN '%s' on stream "
            "%u, which is ours to open (we are the DTLS %s)", open->label,
            sid, self->is_client ? "client" : "server"));
    return;
  }
in_use:
  {
    g_mutex_unlock (&self->lock);
    report_error (self, sid, g_error_new (GST_WRTC_SCTP_ERROR,
            GST_WRTC_SCTP_ERROR_PROTOCOL, "DATA_CHANNEL_OPEN '%s' on stream "
            "%u, which already has a channel", open->label, sid));
    return;
  }
}

/* Our OPEN arrived: RFC 8832 section 6 (an ACK, or any message of the
 * peer on the channel, since it sent it after reading our OPEN). */
static void
mark_acked (GstWrtcSctpChannels * self, guint16 sid, gboolean explicit_ack)
{
  Channel *ch;
  Callbacks cb;
  gboolean opened = FALSE;

  g_mutex_lock (&self->lock);
  ch = g_hash_table_lookup (self->channels, GUINT_TO_POINTER (sid));
  if (!ch || (!ch->awaiting_ack && explicit_ack))
    goto unexpected;
  if (ch->awaiting_ack) {
    ch->awaiting_ack = FALSE;
    /* closing already when close() came before the ACK: stays closing */
    opened = channel_can_go (ch, GST_WRTC_SCTP_CHANNEL_STATE_OPEN)
        && channel_set_state_locked (self, ch,
        GST_WRTC_SCTP_CHANNEL_STATE_OPEN);
  }
  callbacks_take_locked (self, &cb);
  g_mutex_unlock (&self->lock);

  if (opened && cb.ok && cb.funcs.channel_open)
    cb.funcs.channel_open (sid, FALSE, cb.owner);
  callbacks_done (&cb);
  return;

  /* ERRORS */
unexpected:
  {
    g_mutex_unlock (&self->lock);
    report_error (self, sid, g_error_new (GST_WRTC_SCTP_ERROR,
            GST_WRTC_SCTP_ERROR_PROTOCOL, "DATA_CHANNEL_ACK on stream %u, "
            "where no DATA_CHANNEL_OPEN of ours waits for one", sid));
    return;
  }
}

static void
on_receive (guint16 sid, guint32 ppid, const guint8 * data, gsize len,
    GObject * owner)
{
  GstWrtcSctpChannels *self = GST_WRTC_SCTP_CHANNELS (owner);
  GstWrtcDcepMessage msg;
  GError *err = NULL;
  Channel *ch;
  Callbacks cb;
  gboolean is_string, awaiting;

  switch (ppid) {
    case GST_WRTC_SCTP_PPID_DCEP:
      if (!gst_wrtc_dcep_parse (data, len, &msg, &err)) {
        report_error (self, sid, err);
        return;
      }
      if (msg.type == GST_WRTC_DCEP_MESSAGE_OPEN)
        handle_open (self, sid, &msg.open);
      else
        mark_acked (self, sid, TRUE);
      gst_wrtc_dcep_message_clear (&msg);
      return;
    case GST_WRTC_SCTP_PPID_STRING:
    case GST_WRTC_SCTP_PPID_STRING_EMPTY:
      is_string = TRUE;
      break;
    case GST_WRTC_SCTP_PPID_BINARY:
    case GST_WRTC_SCTP_PPID_BINARY_EMPTY:
      is_string = FALSE;
      break;
    default:
      report_error (self, sid, g_error_new (GST_WRTC_SCTP_ERROR,
              GST_WRTC_SCTP_ERROR_PROTOCOL, "message with unknown PPID %u on "
              "stream %u dropped", ppid, sid));
      return;
  }
  /* RFC 8831 section 6.6: the empty PPIDs carry one byte to ignore */
  if (ppid == GST_WRTC_SCTP_PPID_STRING_EMPTY
      || ppid == GST_WRTC_SCTP_PPID_BINARY_EMPTY)
    len = 0;

  g_mutex_lock (&self->lock);
  ch = g_hash_table_lookup (self->channels, GUINT_TO_POINTER (sid));
  if (!ch || ch->state == GST_WRTC_SCTP_CHANNEL_STATE_CLOSED)
    goto no_channel;
  awaiting = ch->awaiting_ack;
  callbacks_take_locked (self, &cb);
  g_mutex_unlock (&self->lock);

  if (awaiting)
    mark_acked (self, sid, FALSE);
  if (cb.ok && cb.funcs.message)
    cb.funcs.message (sid, is_string, len ? data : NULL, len, cb.owner);
  callbacks_done (&cb);
  return;

  /* ERRORS */
no_channel:
  {
    g_mutex_unlock (&self->lock);
    report_error (self, sid, g_error_new (GST_WRTC_SCTP_ERROR,
            GST_WRTC_SCTP_ERROR_PROTOCOL, "message on stream %u, which has "
            "no channel, dropped", sid));
    return;
  }
}

/* Closes a channel that is in the table: the caller holds the lock and
 * calls channel_closed after unlocking. */
static gboolean
close_done_locked (GstWrtcSctpChannels * self, Channel * ch)
{
  if (!channel_set_state_locked (self, ch, GST_WRTC_SCTP_CHANNEL_STATE_CLOSED))
    return FALSE;
  g_hash_table_remove (self->channels, GUINT_TO_POINTER (ch->id));
  return TRUE;
}

/* RFC 8831 section 6.7 */
static void
on_stream_reset (guint16 sid, gboolean incoming, gboolean failed,
    GObject * owner)
{
  GstWrtcSctpChannels *self = GST_WRTC_SCTP_CHANNELS (owner);
  Channel *ch;
  Callbacks cb;
  gboolean answer = FALSE, closed = FALSE;

  g_mutex_lock (&self->lock);
  ch = g_hash_table_lookup (self->channels, GUINT_TO_POINTER (sid));
  if (!ch) {
    g_mutex_unlock (&self->lock);
    GST_DEBUG_OBJECT (self, "reset of stream %u, which has no channel", sid);
    return;
  }
  if (incoming) {
    ch->in_reset = TRUE;
    /* the peer closed: close our direction too */
    if (!ch->out_reset && ch->state != GST_WRTC_SCTP_CHANNEL_STATE_CLOSING)
      answer = TRUE;
    channel_set_state_locked (self, ch, GST_WRTC_SCTP_CHANNEL_STATE_CLOSING);
  } else {
    ch->out_reset = TRUE;
    if (failed) {
      /* denied, or never answered (the association's reset timeout): the
       * peer will not finish the close handshake either */
      GST_WARNING_OBJECT (self, "the peer refused or did not answer the "
          "reset of stream %u; considering the channel closed", sid);
      ch->in_reset = TRUE;
    }
  }
  if (ch->in_reset && ch->out_reset)
    closed = close_done_locked (self, ch);
  callbacks_take_locked (self, &cb);
  g_mutex_unlock (&self->lock);

  if (answer)
    gst_wrtc_sctp_association_reset_stream (self->assoc, sid, NULL);
  if (closed && cb.ok && cb.funcs.channel_closed)
    cb.funcs.channel_closed (sid, cb.owner);
  callbacks_done (&cb);
}

/* an error of the association on one stream (an incoming message over
 * our max-message-size): the channel's error, the channel goes on */
static void
on_assoc_error (guint16 sid, const GError * error, GObject * owner)
{
  report_error (GST_WRTC_SCTP_CHANNELS (owner), sid, g_error_copy (error));
}

static void
on_buffered_amount_low (guint16 sid, GObject * owner)
{
  GstWrtcSctpChannels *self = GST_WRTC_SCTP_CHANNELS (owner);
  Callbacks cb;
  gboolean known;

  g_mutex_lock (&self->lock);
  known = g_hash_table_contains (self->channels, GUINT_TO_POINTER (sid));
  callbacks_take_locked (self, &cb);
  g_mutex_unlock (&self->lock);
  if (known && cb.ok && cb.funcs.buffered_amount_low)
    cb.funcs.buffered_amount_low (sid, cb.owner);
  callbacks_done (&cb);
}

static void
on_state_changed (GstWrtcSctpAssociationState state, GObject * owner)
{
  GstWrtcSctpChannels *self = GST_WRTC_SCTP_CHANNELS (owner);
  GArray *opened = g_array_new (FALSE, FALSE, sizeof (guint16));
  GArray *closed = g_array_new (FALSE, FALSE, sizeof (guint16));
  GHashTableIter iter;
  gpointer value;
  Callbacks cb;
  guint i;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->channels);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    Channel *ch = value;

    if (state == GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTED) {
      /* a negotiated channel closed before the association came up
       * stays closing */
      if (ch->negotiated
          && channel_can_go (ch, GST_WRTC_SCTP_CHANNEL_STATE_OPEN)
          && channel_set_state_locked (self, ch,
              GST_WRTC_SCTP_CHANNEL_STATE_OPEN))
        g_array_append_val (opened, ch->id);
    } else if (state == GST_WRTC_SCTP_ASSOCIATION_STATE_CLOSED
        || state == GST_WRTC_SCTP_ASSOCIATION_STATE_FAILED) {
      /* every channel ends with its association */
      if (channel_set_state_locked (self, ch,
              GST_WRTC_SCTP_CHANNEL_STATE_CLOSED)) {
        g_array_append_val (closed, ch->id);
        g_hash_table_iter_remove (&iter);
      }
    }
  }
  if (state == GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTED)
    self->assoc_connected = TRUE;
  else if (state != GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTING)
    self->assoc_connected = FALSE;
  callbacks_take_locked (self, &cb);
  g_mutex_unlock (&self->lock);

  for (i = 0; cb.ok && cb.funcs.channel_open && i < opened->len; i++)
    cb.funcs.channel_open (g_array_index (opened, guint16, i), FALSE, cb.owner);
  for (i = 0; cb.ok && cb.funcs.channel_closed && i < closed->len; i++)
    cb.funcs.channel_closed (g_array_index (closed, guint16, i), cb.owner);
  callbacks_done (&cb);
  g_array_unref (opened);
  g_array_unref (closed);
}

/* ------------------------------------------------------------------------
 * GObject
 */
static void
gst_wrtc_sctp_channels_finalize (GObject * object)
{
  GstWrtcSctpChannels *self = GST_WRTC_SCTP_CHANNELS (object);

  /* the association holds us weakly: nothing more reaches us */
  gst_wrtc_sctp_association_set_receive_funcs (self->assoc, NULL, NULL);
  g_object_unref (self->assoc);
  g_hash_table_unref (self->channels);
  g_weak_ref_clear (&self->owner);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (gst_wrtc_sctp_channels_parent_class)->finalize (object);
}

static void
gst_wrtc_sctp_channels_class_init (GstWrtcSctpChannelsClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_wrtc_sctp_channels_finalize;
}

static void
gst_wrtc_sctp_channels_init (GstWrtcSctpChannels * self)
{
  g_mutex_init (&self->lock);
  g_weak_ref_init (&self->owner, NULL);
  self->channels = g_hash_table_new_full (NULL, NULL, NULL,
      (GDestroyNotify) channel_free);
}

GstWrtcSctpChannels *
gst_wrtc_sctp_channels_new (GstWrtcSctpAssociation * assoc)
{
  static const GstWrtcSctpReceiveFuncs funcs = {
    .receive = on_receive,
    .stream_reset = on_stream_reset,
    .buffered_amount_low = on_buffered_amount_low,
    .state_changed = on_state_changed,
    .error = on_assoc_error,
  };
  GstWrtcSctpChannels *self;

  g_return_val_if_fail (GST_WRTC_IS_SCTP_ASSOCIATION (assoc), NULL);

  self = g_object_new (GST_WRTC_TYPE_SCTP_CHANNELS, NULL);
  self->assoc = g_object_ref (assoc);
  self->is_client = gst_wrtc_sctp_association_is_client (assoc);
  self->assoc_connected = gst_wrtc_sctp_association_get_state (assoc) ==
      GST_WRTC_SCTP_ASSOCIATION_STATE_CONNECTED;
  gst_wrtc_sctp_association_set_receive_funcs (assoc, &funcs, G_OBJECT (self));
  return self;
}

GstWrtcSctpAssociation *
gst_wrtc_sctp_channels_get_association (GstWrtcSctpChannels * chans)
{
  return chans->assoc;
}

void
gst_wrtc_sctp_channels_set_funcs (GstWrtcSctpChannels * chans,
    const GstWrtcSctpChannelsFuncs * funcs, GObject * owner)
{
  g_mutex_lock (&chans->lock);
  if (funcs)
    chans->funcs = *funcs;
  else
    memset (&chans->funcs, 0, sizeof (chans->funcs));
  g_weak_ref_set (&chans->owner, owner);
  chans->has_owner = owner != NULL;
  g_mutex_unlock (&chans->lock);
}

static GstWrtcSctpReliability
channel_reliability (const Channel * ch, guint32 * value)
{
  if (ch->max_retransmits >= 0) {
    *value = ch->max_retransmits;
    return GST_WRTC_SCTP_MAX_RETRANSMITS;
  }
  if (ch->max_packet_lifetime >= 0) {
    *value = ch->max_packet_lifetime;
    return GST_WRTC_SCTP_MAX_LIFETIME;
  }
  *value = 0;
  return GST_WRTC_SCTP_RELIABLE;
}

gboolean
gst_wrtc_sctp_channels_open (GstWrtcSctpChannels * chans,
    const GstWrtcSctpChannelOptions * opts, guint16 * id, GError ** error)
{
  GstWrtcDcepOpen open;
  GstWrtcDcepChannelType type;
  guint32 reliability;
  GBytes *msg = NULL;
  Channel *ch;
  Callbacks cb;
  gint sid = opts->id;
  gboolean open_now = FALSE;

  if (!gst_wrtc_dcep_channel_type_from_options (opts->ordered,
          opts->max_retransmits, opts->max_packet_lifetime, &type,
          &reliability, error))
    return FALSE;
  if (opts->negotiated && sid < 0)
    goto negotiated_without_id;
  if (sid >= GST_WRTC_SCTP_MAX_STREAMS)
    goto bad_id;
  /* RFC 8832 section 6: ids of our DTLS role's parity */
  if (!opts->negotiated && sid >= 0 && (sid % 2 == 0) != chans->is_client)
    goto wrong_parity;

  if (!opts->negotiated) {
    open.channel_type = type;
    open.priority = opts->priority;
    open.reliability = reliability;
    open.label = (gchar *) opts->label;
    open.protocol = (gchar *) opts->protocol;
    msg = gst_wrtc_dcep_write_open (&open, error);
    if (!msg)
      return FALSE;
  }

  g_mutex_lock (&chans->lock);
  if (sid < 0) {
    /* the next free id of our parity after the last one we picked: an id
     * comes back only after all the others, never while the reset that
     * closed its last channel may still be settling in usrsctp (reused at
     * once, usrsctp 0.9.5 now and then refused every send on it for ever:
     * sctp/scale-channels) */
    guint i, n = GST_WRTC_SCTP_MAX_STREAMS / 2;
    gint first = chans->is_client ? 0 : 1;

    for (i = 0; i < n; i++) {
      sid = first + 2 * ((chans->next_id_slot + i) % n);
      if (!g_hash_table_contains (chans->channels, GUINT_TO_POINTER (sid)))
        break;
    }
    if (i == n)
      goto no_free_id;
    chans->next_id_slot = (chans->next_id_slot + i + 1) % n;
  } else if (g_hash_table_contains (chans->channels, GUINT_TO_POINTER (sid))) {
    goto in_use;
  }

  ch = g_new0 (Channel, 1);
  ch->id = sid;
  ch->label = g_strdup (opts->label ? opts->label : "");
  ch->protocol = g_strdup (opts->protocol ? opts->protocol : "");
  ch->ordered = opts->ordered;
  ch->max_retransmits = opts->max_retransmits;
  ch->max_packet_lifetime = opts->max_packet_lifetime;
  ch->priority = opts->priority;
  ch->negotiated = opts->negotiated;
  ch->state = GST_WRTC_SCTP_CHANNEL_STATE_CONNECTING;
  ch->awaiting_ack = !opts->negotiated;
  g_hash_table_insert (chans->channels, GUINT_TO_POINTER (sid), ch);
  GST_INFO_OBJECT (chans, "channel %d '%s' created (%s)", sid, ch->label,
      opts->negotiated ? "negotiated" : "DCEP");
  if (opts->negotiated && chans->assoc_connected)
    open_now = channel_set_state_locked (chans, ch,
        GST_WRTC_SCTP_CHANNEL_STATE_OPEN);
  callbacks_take_locked (chans, &cb);
  g_mutex_unlock (&chans->lock);

  /* RFC 8831 section 6.4: what the association's scheduler weighs */
  gst_wrtc_sctp_association_set_stream_priority (chans->assoc, sid,
      opts->priority);
  if (msg) {
    /* RFC 8832 section 6: DATA_CHANNEL_OPEN, reliable and ordered */
    if (!gst_wrtc_sctp_association_send (chans->assoc, sid,
            GST_WRTC_SCTP_PPID_DCEP, g_bytes_get_data (msg, NULL),
            g_bytes_get_size (msg), TRUE, GST_WRTC_SCTP_RELIABLE, 0, error)) {
      g_mutex_lock (&chans->lock);
      g_hash_table_remove (chans->channels, GUINT_TO_POINTER (sid));
      g_mutex_unlock (&chans->lock);
      g_bytes_unref (msg);
      callbacks_done (&cb);
      return FALSE;
    }
    g_bytes_unref (msg);
  }
  if (id)
    *id = sid;
  if (open_now && cb.ok && cb.funcs.channel_open)
    cb.funcs.channel_open (sid, FALSE, cb.owner);
  callbacks_done (&cb);
  return TRUE;

  /* ERRORS */
negotiated_without_id:
  {
    g_set_error (error, GST_WRTC_SCTP_ERROR, GST_WRTC_SCTP_ERROR_INVALID,
        "a negotiated data channel needs an id");
    return FALSE;
  }
bad_id:
  {
    g_set_error (error, GST_WRTC_SCTP_ERROR, GST_WRTC_SCTP_ERROR_INVALID,
        "data channel id %d is out of range (0-%d)", sid,
        GST_WRTC_SCTP_MAX_STREAMS - 1);
    return FALSE;
  }
wrong_parity:
  {
    g_set_error (error, GST_WRTC_SCTP_ERROR, GST_WRTC_SCTP_ERROR_INVALID,
        "data channel id %d is the peer's to open: as DTLS %s we open %s "
        "ids (RFC 8832 section 6)", sid, chans->is_client ? "client" :
        "server", chans->is_client ? "even" : "odd");
    return FALSE;
  }
no_free_id:
  {
    g_mutex_unlock (&chans->lock);
    g_bytes_unref (msg);
    g_set_error (error, GST_WRTC_SCTP_ERROR, GST_WRTC_SCTP_ERROR_STREAM,
        "no free stream id left for a data channel");
    return FALSE;
  }
in_use:
  {
    g_mutex_unlock (&chans->lock);
    if (msg)
      g_bytes_unref (msg);
    g_set_error (error, GST_WRTC_SCTP_ERROR, GST_WRTC_SCTP_ERROR_STREAM,
        "data channel id %d is in use", sid);
    return FALSE;
  }
}

gboolean
gst_wrtc_sctp_channels_send (GstWrtcSctpChannels * chans, guint16 id,
    gboolean is_string, const guint8 * data, gsize len, GError ** error)
{
  static const guint8 empty_payload = 0;
  Channel *ch;
  GstWrtcSctpReliability rel;
  guint32 value, ppid;
  gboolean ordered;

  g_mutex_lock (&chans->lock);
  ch = g_hash_table_lookup (chans->channels, GUINT_TO_POINTER (id));
  if (!ch || (ch->state != GST_WRTC_SCTP_CHANNEL_STATE_OPEN
          && ch->state != GST_WRTC_SCTP_CHANNEL_STATE_CONNECTING))
    goto not_open;
  /* RFC 8832 section 6: ordered until the ACK, whatever the channel */
  ordered = ch->ordered || ch->awaiting_ack;
  rel = channel_reliability (ch, &value);
  g_mutex_unlock (&chans->lock);

  /* RFC 8831 section 6.6: SCTP has no empty messages; one byte with the
   * empty PPID stands for one */
  if (len == 0) {
    ppid = is_string ? GST_WRTC_SCTP_PPID_STRING_EMPTY :
        GST_WRTC_SCTP_PPID_BINARY_EMPTY;
    data = &empty_payload;
    len = 1;
  } else {
    ppid = is_string ? GST_WRTC_SCTP_PPID_STRING : GST_WRTC_SCTP_PPID_BINARY;
  }
  return gst_wrtc_sctp_association_send (chans->assoc, id, ppid, data, len,
      ordered, rel, value, error);

  /* ERRORS */
not_open:
  {
    g_set_error (error, GST_WRTC_SCTP_ERROR, GST_WRTC_SCTP_ERROR_STREAM,
        "data channel %u is %s", id, ch ?
        gst_wrtc_sctp_channel_state_name (ch->state) : "not open");
    g_mutex_unlock (&chans->lock);
    return FALSE;
  }
}

gboolean
gst_wrtc_sctp_channels_close (GstWrtcSctpChannels * chans, guint16 id,
    GError ** error)
{
  Channel *ch;
  gboolean reset;

  g_mutex_lock (&chans->lock);
  ch = g_hash_table_lookup (chans->channels, GUINT_TO_POINTER (id));
  if (!ch)
    goto no_channel;
  reset = !ch->out_reset && ch->state != GST_WRTC_SCTP_CHANNEL_STATE_CLOSING;
  channel_set_state_locked (chans, ch, GST_WRTC_SCTP_CHANNEL_STATE_CLOSING);
  g_mutex_unlock (&chans->lock);

  /* RFC 8831 section 6.7: after what was sent on it */
  if (reset)
    return gst_wrtc_sctp_association_reset_stream (chans->assoc, id, error);
  return TRUE;

  /* ERRORS */
no_channel:
  {
    g_mutex_unlock (&chans->lock);
    g_set_error (error, GST_WRTC_SCTP_ERROR, GST_WRTC_SCTP_ERROR_STREAM,
        "there is no data channel %u", id);
    return FALSE;
  }
}

GstWrtcSctpChannelState
gst_wrtc_sctp_channels_get_state (GstWrtcSctpChannels * chans, guint16 id)
{
  Channel *ch;
  GstWrtcSctpChannelState s;

  g_mutex_lock (&chans->lock);
  ch = g_hash_table_lookup (chans->channels, GUINT_TO_POINTER (id));
  s = ch ? ch->state : GST_WRTC_SCTP_CHANNEL_STATE_CLOSED;
  g_mutex_unlock (&chans->lock);
  return s;
}

gboolean
gst_wrtc_sctp_channels_get_info (GstWrtcSctpChannels * chans, guint16 id,
    GstWrtcSctpChannelInfo * info)
{
  Channel *ch;

  memset (info, 0, sizeof (*info));
  g_mutex_lock (&chans->lock);
  ch = g_hash_table_lookup (chans->channels, GUINT_TO_POINTER (id));
  if (ch) {
    info->label = g_strdup (ch->label);
    info->protocol = g_strdup (ch->protocol);
    info->ordered = ch->ordered;
    info->max_retransmits = ch->max_retransmits;
    info->max_packet_lifetime = ch->max_packet_lifetime;
    info->priority = ch->priority;
    info->negotiated = ch->negotiated;
    info->remote = ch->remote;
    info->state = ch->state;
  }
  g_mutex_unlock (&chans->lock);
  return ch != NULL;
}

guint64
gst_wrtc_sctp_channels_get_buffered_amount (GstWrtcSctpChannels * chans,
    guint16 id)
{
  return gst_wrtc_sctp_association_get_buffered_amount (chans->assoc, id);
}

void
gst_wrtc_sctp_channels_set_buffered_amount_low_threshold (GstWrtcSctpChannels
    * chans, guint16 id, guint64 threshold)
{
  gst_wrtc_sctp_association_set_buffered_amount_low_threshold (chans->assoc,
      id, threshold);
}
