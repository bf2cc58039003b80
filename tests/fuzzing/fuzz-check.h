/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: what every fuzz target needs, GLib only (the DTLS
 * targets add fuzz-common.h on top). */
#ifndef __FUZZ_CHECK_H__
#define __FUZZ_CHECK_H__

#include <stdio.h>
#include <stdlib.h>
#include <glib.h>

/* A failed check is a finding: abort() so libFuzzer and the replay driver
 * (standalone.c) both keep the input. */
#define FUZZ_CHECK(cond) G_STMT_START {                                  \
  if (G_UNLIKELY (!(cond))) {                                            \
    fprintf (stderr, "%s:%d: fuzz check failed: %s\n", __FILE__,         \
        __LINE__, #cond);                                                \
    abort ();                                                            \
  }                                                                      \
} G_STMT_END

/* Once per process: GStreamer's debug log quiet (warnings about malformed
 * input are expected by the thousand), and a critical warning fatal: it
 * is a bug the fuzzer found. */
static inline void
fuzz_check_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    g_setenv ("GST_DEBUG", "*:0", FALSE);
    g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);
    g_once_init_leave (&done, 1);
  }
}

#endif
