/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: shared by the fuzz targets. */
#ifndef __FUZZ_COMMON_H__
#define __FUZZ_COMMON_H__

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <gst/gst.h>

#include "fuzz-check.h"
#include "gstwrtcdtlsconnection.h"

/* The fixed SRTP master keys and salts of the fuzz targets and their seed
 * corpus (see gen-corpus.c): never used outside tests. */
static const guint8 fuzz_srtp_key[16] = {
  0x46, 0x55, 0x5a, 0x5a, 0x2d, 0x4b, 0x45, 0x59,
  0x2d, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36
};

static const guint8 fuzz_srtp_salt[14] = {
  0x53, 0x41, 0x4c, 0x54, 0x2d, 0x46, 0x55, 0x5a, 0x5a, 0x2d, 0x30, 0x31,
  0x32, 0x33
};

static inline void
fuzz_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    /* warnings about malformed input are expected by the thousand */
    g_setenv ("GST_DEBUG", "*:0", FALSE);
    gst_init (NULL, NULL);
    /* Known bug, kept from hanging the fuzzers:
     * gst_wrtc_dtls_certificate_new_from_pem() reads the key with
     * PEM_read_bio_PrivateKey (bio, NULL, NULL, NULL); a NULL password
     * callback makes OpenSSL ask for a pass phrase on the controlling
     * terminal (or stdin) when the PEM holds an encrypted key, so such a
     * `pem` blocks forever ("Enter PEM pass phrase:").  Without a terminal
     * and with stdin at EOF it fails at once, as it should.
     * (corpus/fuzz-fingerprint-pem/pem-encrypted-key reproduces it in a
     * terminal.) */
    {
      int fd = open ("/dev/null", O_RDONLY);
      if (fd >= 0) {
        dup2 (fd, 0);
        close (fd);
      }
      /* a session leader giving up its terminal would hang up its group */
      if (getsid (0) != getpid ()
          && (fd = open ("/dev/tty", O_RDWR | O_NOCTTY)) >= 0) {
        ioctl (fd, TIOCNOTTY);
        close (fd);
      }
    }
    /* A critical warning is a bug the fuzzer found: make it abort. */
    g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);
    /* Known bug, worked around so the targets get past it:
     * gst_wrtc_dtls_connection_state_name() looks the enum class up with
     * g_type_class_peek(), which is NULL until something has referenced
     * the class (the elements' properties do; the pad-less layers alone
     * do not), so gst_wrtc_dtls_srtp_transport_get_stats() logs a
     * g_enum_get_value() critical and reports dtls-state "invalid". */
    g_type_class_ref (GST_WRTC_TYPE_DTLS_CONNECTION_STATE);
    /* Debian's libsrtp2 uses NSS, which loads its crypto modules when the
     * first NSS context opens and unloads them when the last one closes:
     * every srtp_create()/srtp_dealloc() would dlopen()/dlclose() a dozen
     * libraries (~3 ms).  One keyed context kept for the whole process
     * keeps them loaded. */
    {
      static GstWrtcSrtpContext *keep = NULL;
      keep = gst_wrtc_srtp_context_new (TRUE);
      gst_wrtc_srtp_context_set_key (keep,
          GST_WRTC_SRTP_PROFILE_AES128_CM_SHA1_80, fuzz_srtp_key,
          fuzz_srtp_salt, NULL);
    }
    g_once_init_leave (&done, 1);
  }
}

#endif
