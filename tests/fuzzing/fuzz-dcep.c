/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: fuzz target for gst_wrtc_dcep_parse(), the parser
 * of the Data Channel Establishment Protocol (RFC 8832) messages a peer
 * sends on a data channel's stream with PPID 50.
 *
 * The input is one whole DCEP message.  Invariants: a message or an
 * error, never both, the error in the DCEP domain with a message; an OPEN
 * has a known channel type, label and protocol are UTF-8 without NUL and
 * their lengths add up to exactly the input; an ACK is one byte; written
 * back, a message parses to the same one (the reliability parameter of
 * reliable channels is written as 0, RFC 8832 section 5.1).
 *
 * Needs only gstwrtcdcep.c and GLib: no usrsctp.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "fuzz-check.h"

#include "gstwrtcdcep.h"

static void
check_open (const GstWrtcDcepOpen * open, gsize len)
{
  FUZZ_CHECK (gst_wrtc_dcep_channel_type_is_valid (open->channel_type));
  FUZZ_CHECK (open->label != NULL && open->protocol != NULL);
  FUZZ_CHECK (g_utf8_validate (open->label, -1, NULL));
  FUZZ_CHECK (g_utf8_validate (open->protocol, -1, NULL));
  FUZZ_CHECK (len == GST_WRTC_DCEP_OPEN_HEADER_LEN + strlen (open->label) +
      strlen (open->protocol));
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  GstWrtcDcepMessage msg, again;
  GError *err = NULL;
  GBytes *written;
  gboolean reliable;

  fuzz_check_init ();

  if (!gst_wrtc_dcep_parse (data, size, &msg, &err)) {
    FUZZ_CHECK (err != NULL);
    FUZZ_CHECK (err->domain == GST_WRTC_DCEP_ERROR);
    FUZZ_CHECK (err->message != NULL && err->message[0] != '\0');
    FUZZ_CHECK (msg.open.label == NULL && msg.open.protocol == NULL);
    g_error_free (err);
    return 0;
  }
  FUZZ_CHECK (err == NULL);

  if (msg.type == GST_WRTC_DCEP_MESSAGE_ACK) {
    FUZZ_CHECK (size == 1 && data[0] == GST_WRTC_DCEP_MESSAGE_ACK);
    written = gst_wrtc_dcep_write_ack ();
  } else {
    FUZZ_CHECK (msg.type == GST_WRTC_DCEP_MESSAGE_OPEN);
    check_open (&msg.open, size);
    written = gst_wrtc_dcep_write_open (&msg.open, &err);
    FUZZ_CHECK (written != NULL && err == NULL);
  }

  FUZZ_CHECK (g_bytes_get_size (written) == size);
  FUZZ_CHECK (gst_wrtc_dcep_parse (g_bytes_get_data (written, NULL), size,
          &again, &err));
  FUZZ_CHECK (again.type == msg.type);
  if (msg.type == GST_WRTC_DCEP_MESSAGE_OPEN) {
    reliable = (msg.open.channel_type & ~GST_WRTC_DCEP_UNORDERED_BIT) ==
        GST_WRTC_DCEP_CHANNEL_RELIABLE;
    FUZZ_CHECK (again.open.channel_type == msg.open.channel_type);
    FUZZ_CHECK (again.open.priority == msg.open.priority);
    FUZZ_CHECK (again.open.reliability == (reliable ? 0 :
            msg.open.reliability));
    FUZZ_CHECK (strcmp (again.open.label, msg.open.label) == 0);
    FUZZ_CHECK (strcmp (again.open.protocol, msg.open.protocol) == 0);
    /* the same bytes but for a reliable channel's ignored parameter */
    FUZZ_CHECK (memcmp (g_bytes_get_data (written, NULL), data, 4) == 0);
    FUZZ_CHECK (memcmp ((const guint8 *) g_bytes_get_data (written, NULL) + 8,
            data + 8, size - 8) == 0);
  }
  gst_wrtc_dcep_message_clear (&again);
  gst_wrtc_dcep_message_clear (&msg);
  g_bytes_unref (written);
  return 0;
}
