/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the life cycles of the bins' sessions, one state
 * machine each (gst/gstwrtcfsm.h), so the tests try every illegal edge.
 */
#ifndef __GST_WRTC_BIN_STATES_H__
#define __GST_WRTC_BIN_STATES_H__

#include "gstwrtcfsm.h"

G_BEGIN_DECLS
/* A webrtcsink viewer (a WHEP session, or the WHIP publisher):
 *   negotiating -> live      answered (WHEP: 201 sent; WHIP: answer set)
 *   negotiating -> closing   refused, or the element stops
 *   live        -> closing   DELETE, the peer failed or closed, stopping
 *   closing     -> closed    its peer closed
 * Only a live viewer's end is the session's end (the server ends the
 * WHEP session; for the publisher it is an element error); before, the
 * answer path reports it; from closing on, it is ours. */
    typedef enum
{
  GST_WRTC_VIEWER_NEGOTIATING,
  GST_WRTC_VIEWER_LIVE,
  GST_WRTC_VIEWER_CLOSING,
  GST_WRTC_VIEWER_CLOSED,
} GstWrtcViewerState;

const GstWrtcFsm *gst_wrtc_viewer_state_machine (void);

/* A webrtcsrc session with one sender (WHEP server, or WHIP publisher):
 *   new  -> live    negotiated: its tracks and pads are known (WHIP: 201)
 *   new  -> ended   refused, failed before media, or stopping
 *   live -> ended   the sender left, every pad got EOS, or stopping
 * ended is final: no media, no signal, no EOS after it. */
typedef enum
{
  GST_WRTC_SOURCE_SESSION_NEW,
  GST_WRTC_SOURCE_SESSION_LIVE,
  GST_WRTC_SOURCE_SESSION_ENDED,
} GstWrtcSourceSessionState;

const GstWrtcFsm *gst_wrtc_source_session_state_machine (void);

G_END_DECLS
#endif
