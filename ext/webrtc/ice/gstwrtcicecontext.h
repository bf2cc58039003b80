/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the one thread every ICE agent in the process runs on.
 *
 * Every NiceAgent is created on the GMainContext returned here, so its
 * timers (pacing, retransmissions, consent checks) and socket reads are
 * dispatched by one thread, whatever the number of transports: a hundred
 * viewers do not mean a hundred threads.  The thread starts on first use
 * and lives as long as the process.
 */
#ifndef __GST_WRTC_ICE_CONTEXT_H__
#define __GST_WRTC_ICE_CONTEXT_H__

#include <glib.h>

G_BEGIN_DECLS
/* The process-wide ICE context (transfer none), started on first call. */
    GMainContext * gst_wrtc_ice_context_get (void);

/* TRUE when called from the ICE thread. */
gboolean gst_wrtc_ice_context_is_ice_thread (void);

/* Queues @func to run once on the ICE thread, after everything queued
 * before it (first in, first out, also when called from the ICE thread).
 * @destroy frees @data afterwards. */
void gst_wrtc_ice_context_invoke (GSourceFunc func, gpointer data,
    GDestroyNotify destroy);

/* Runs @func on the ICE thread and waits for it to return; runs it at once
 * when called from the ICE thread.  The caller must not hold a lock that
 * code running on the ICE thread takes. */
void gst_wrtc_ice_context_invoke_sync (GSourceFunc func, gpointer data);

/* Closing a transport finishes on the ICE thread later (TURN allocations
 * are deleted first, RFC 8656 section 7).  These count such closes and
 * wait, at most @timeout_us, until none is pending: before stopping a TURN
 * server or leaving the process.  TRUE when none is. */
void gst_wrtc_ice_context_close_begun (void);
void gst_wrtc_ice_context_close_done (void);
gboolean gst_wrtc_ice_context_wait_closes (gint64 timeout_us);
/* How many closes are pending now; any thread, the ICE thread included
 * (where waiting for them cannot work: they finish there). */
guint gst_wrtc_ice_context_closes_pending (void);

G_END_DECLS
#endif
