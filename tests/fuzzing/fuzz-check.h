/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: the check every fuzz target uses (GLib only, so
 * targets of the pad-less layers need nothing else). */
#ifndef __FUZZ_CHECK_H__
#define __FUZZ_CHECK_H__

#include <stdio.h>
#include <stdlib.h>
#include <glib.h>

/* A failed check is a finding: abort() so libFuzzer and the replay driver
 * both save the input. */
#define FUZZ_CHECK(cond) G_STMT_START {                                  \
  if (G_UNLIKELY (!(cond))) {                                            \
    fprintf (stderr, "%s:%d: fuzz check failed: %s\n", __FILE__,         \
        __LINE__, #cond);                                                \
    abort ();                                                            \
  }                                                                      \
} G_STMT_END

#endif
