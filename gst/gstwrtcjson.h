/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: writing JSON (RFC 8259) for what the plugin serves:
 * stats pages, the browser pages' configuration (W3C RTCConfiguration).
 *
 * A writer only, over a GString.  Strings are escaped for JSON
 * (gst_wrtc_json_append_string()).  The gst_wrtc_json_add_*() calls and
 * gst_wrtc_json_member() put the comma between values themselves: before
 * anything they write, a ',' unless @out is empty or ends in '{', '[' or
 * ':'.  So an object is:
 *
 *   gst_wrtc_json_begin_object (out);
 *   gst_wrtc_json_member (out, "urls");
 *   gst_wrtc_json_begin_array (out);
 *   gst_wrtc_json_add_string (out, "stun:example.net");
 *   gst_wrtc_json_end_array (out);
 *   gst_wrtc_json_end_object (out);        {"urls":["stun:example.net"]}
 */
#ifndef __GST_WRTC_JSON_H__
#define __GST_WRTC_JSON_H__

#include <gst/gst.h>

G_BEGIN_DECLS
/* Appends @str as a JSON string (quoted, escaped: '"', '\\', control
 * characters and DEL); NULL as null.  No separator: the primitive the
 * calls below use. */
void gst_wrtc_json_append_string (GString * out, const gchar * str);

void gst_wrtc_json_begin_object (GString * out);
void gst_wrtc_json_end_object (GString * out);
void gst_wrtc_json_begin_array (GString * out);
void gst_wrtc_json_end_array (GString * out);
/* "name": inside an object; the value follows. */
void gst_wrtc_json_member (GString * out, const gchar * name);

void gst_wrtc_json_add_string (GString * out, const gchar * value);
void gst_wrtc_json_add_boolean (GString * out, gboolean value);
/* @json is already JSON text (a number, an object another call made). */
void gst_wrtc_json_add_raw (GString * out, const gchar * json);
/* Strings (not UTF-8: null), booleans and numbers as such (non-finite
 * doubles as null), GstStructures as objects (below), GstValueArray and
 * GstValueList as arrays, anything else as its serialized string. */
void gst_wrtc_json_add_value (GString * out, const GValue * value);
/* An object whose "type" is the structure's name (unless it has a field
 * "type"), followed by its fields in order, each by add_value(). */
void gst_wrtc_json_add_structure (GString * out, const GstStructure * s);

/* add_structure() into a new string.  Transfer full. */
gchar *gst_wrtc_json_from_structure (const GstStructure * s);

G_END_DECLS
#endif
