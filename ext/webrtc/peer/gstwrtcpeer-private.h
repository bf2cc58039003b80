/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the peer's internals that its tests reach. */
#ifndef __GST_WRTC_PEER_PRIVATE_H__
#define __GST_WRTC_PEER_PRIVATE_H__

#include "gstwrtcpeer.h"

G_BEGIN_DECLS
/* For the table-driven state machine test: tries @to through the peer's
 * one state setter (the check against gst_wrtc_peer_state_machine(), the
 * store, state-changed).  TRUE when the state changed. */
    gboolean gst_wrtc_peer_try_state (GstWrtcPeer * peer, GstWrtcPeerState to);

G_END_DECLS
#endif
