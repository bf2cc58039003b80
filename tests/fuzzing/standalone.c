/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-plugins-webrtc: a replay driver for the fuzz targets, for builds
 * without libFuzzer (gcc, the default).
 *
 *   fuzz-foo-replay [-n MUTATIONS] [-s SEED] PATH...
 *
 * Runs LLVMFuzzerTestOneInput() on every file given, and on every regular
 * file of every directory given (sorted by name), then on MUTATIONS inputs
 * made from them by a fixed-seed pseudo-random generator (bit flips, byte
 * changes, inserts, erases, duplicated ranges, splices with another file,
 * truncation), so every run replays the same inputs.  Each input sits in a
 * heap block of exactly its size, so an overread lands outside it (caught
 * by valgrind or an ASan build).  A crash or an abort() in the target is a
 * failure; the input that caused it is written to ./crash-replay-<n> and
 * its origin printed first.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

#define REPLAY_MAX_INPUT (64 * 1024)

typedef struct
{
  guint8 *data;
  gsize size;
  gchar *name;
} Input;

/* xorshift64*: deterministic, independent of the C library */
static guint64 rng_state;

static guint32
rng (void)
{
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (guint32) ((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

static guint32
rng_below (guint32 n)
{
  return n ? rng () % n : 0;
}

static void
add_file (GPtrArray * inputs, const gchar * path)
{
  gchar *contents = NULL;
  gsize len = 0;
  GError *err = NULL;
  Input *in;

  if (!g_file_get_contents (path, &contents, &len, &err)) {
    g_printerr ("replay: %s\n", err->message);
    g_error_free (err);
    exit (2);
  }
  in = g_new0 (Input, 1);
  in->data = (guint8 *) contents;
  in->size = MIN (len, REPLAY_MAX_INPUT);
  in->name = g_strdup (path);
  g_ptr_array_add (inputs, in);
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const gchar * const *) a, *(const gchar * const *) b);
}

static void
add_path (GPtrArray * inputs, const gchar * path)
{
  GDir *dir;
  const gchar *name;
  GPtrArray *names;
  guint i;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR)) {
    add_file (inputs, path);
    return;
  }
  dir = g_dir_open (path, 0, NULL);
  if (!dir) {
    g_printerr ("replay: cannot open %s\n", path);
    exit (2);
  }
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir))) {
    gchar *full = g_build_filename (path, name, NULL);
    if (g_file_test (full, G_FILE_TEST_IS_REGULAR))
      g_ptr_array_add (names, full);
    else
      g_free (full);
  }
  g_dir_close (dir);
  g_ptr_array_sort (names, compare_names);
  for (i = 0; i < names->len; i++)
    add_file (inputs, names->pdata[i]);
  g_ptr_array_unref (names);
}

/* One input in a heap block of exactly its size. */
static gsize crash_counter;
static const gchar *current_origin;
static GByteArray *current_input;

static void
run_one (const guint8 * data, gsize size, const gchar * origin)
{
  guint8 *copy = g_malloc (MAX (size, 1));

  memcpy (copy, data, size);
  current_origin = origin;
  g_byte_array_set_size (current_input, 0);
  g_byte_array_append (current_input, data, size);
  LLVMFuzzerTestOneInput (copy, size);
  g_free (copy);
}

/* Called on abort() (g_assert, g_error) and SIGSEGV: save the
 * reproducer. */
static void
on_fatal (int sig)
{
  gchar path[64];
  FILE *f;

  g_snprintf (path, sizeof (path), "crash-replay-%" G_GSIZE_FORMAT,
      crash_counter++);
  f = fopen (path, "wb");
  if (f) {
    fwrite (current_input->data, 1, current_input->len, f);
    fclose (f);
  }
  fprintf (stderr, "replay: signal %d on %s (%u bytes), input saved to %s\n",
      sig, current_origin ? current_origin : "?", current_input->len, path);
  signal (sig, SIG_DFL);
  raise (sig);
}

static gsize
mutate (guint8 * buf, gsize size, gsize cap, GPtrArray * inputs)
{
  guint n = 1 + rng_below (6), i;

  for (i = 0; i < n; i++) {
    guint op = rng_below (10);
    gsize pos = rng_below (size + 1), len;

    switch (op) {
      case 0:                  /* flip a bit */
        if (size)
          buf[rng_below (size)] ^= 1 << rng_below (8);
        break;
      case 1:                  /* random byte */
        if (size)
          buf[rng_below (size)] = rng ();
        break;
      case 2:{                 /* interesting value */
        static const guint8 vals[] = { 0, 1, 0x7f, 0x80, 0xff, 0x14, 0x16,
          0x17, 0xfe, 0xfd, 0xc8, 0xc9, 0x80, 0x90
        };
        if (size)
          buf[rng_below (size)] = vals[rng_below (sizeof (vals))];
        break;
      }
      case 3:                  /* insert random bytes */
        len = MIN (1 + rng_below (8), cap - size);
        memmove (buf + pos + len, buf + pos, size - pos);
        for (guint j = 0; j < len; j++)
          buf[pos + j] = rng ();
        size += len;
        break;
      case 4:                  /* erase a range */
        if (pos < size) {
          len = 1 + rng_below (MIN (size - pos, 32));
          memmove (buf + pos, buf + pos + len, size - pos - len);
          size -= len;
        }
        break;
      case 5:                  /* duplicate a range */
        if (pos < size) {
          gsize from = rng_below (size);
          len = MIN (1 + rng_below (MIN (size - from, 64)), cap - size);
          memmove (buf + pos + len, buf + pos, size - pos);
          memmove (buf + pos, buf + from + (from >= pos ? len : 0), len);
          size += len;
        }
        break;
      case 6:                  /* truncate */
        size = pos;
        break;
      case 7:{                 /* splice another input in */
        Input *other = inputs->pdata[rng_below (inputs->len)];
        if (other->size) {
          gsize from = rng_below (other->size);
          len = MIN (1 + rng_below (other->size - from), cap - size);
          memmove (buf + pos + len, buf + pos, size - pos);
          memcpy (buf + pos, other->data + from, len);
          size += len;
        }
        break;
      }
      case 8:                  /* 16-bit big-endian field +- small */
        if (size >= 2) {
          gsize at = rng_below (size - 1);
          guint v = (buf[at] << 8 | buf[at + 1]) + rng_below (33) - 16;
          buf[at] = v >> 8;
          buf[at + 1] = v;
        }
        break;
      default:                 /* overwrite a range with random bytes */
        if (pos < size) {
          len = 1 + rng_below (MIN (size - pos, 16));
          for (guint j = 0; j < len; j++)
            buf[pos + j] = rng ();
        }
        break;
    }
  }
  return size;
}

int
main (int argc, char **argv)
{
  guint64 mutations = 1000, seed = 0x5eed5eedULL, i;
  GPtrArray *inputs = g_ptr_array_new ();
  guint8 *buf;
  gint64 start;
  gchar origin[256];
  int a;

  for (a = 1; a < argc; a++) {
    if (!strcmp (argv[a], "-n") && a + 1 < argc)
      mutations = g_ascii_strtoull (argv[++a], NULL, 10);
    else if (!strcmp (argv[a], "-s") && a + 1 < argc)
      seed = g_ascii_strtoull (argv[++a], NULL, 0);
    else
      add_path (inputs, argv[a]);
  }
  if (!inputs->len) {
    g_printerr ("usage: %s [-n MUTATIONS] [-s SEED] FILE-OR-DIR...\n", argv[0]);
    return 2;
  }

  current_input = g_byte_array_new ();
  signal (SIGSEGV, on_fatal);
  signal (SIGABRT, on_fatal);
  signal (SIGBUS, on_fatal);
  signal (SIGFPE, on_fatal);

  start = g_get_monotonic_time ();
  for (i = 0; i < inputs->len; i++) {
    Input *in = inputs->pdata[i];
    run_one (in->data, in->size, in->name);
  }

  rng_state = seed ? seed : 1;
  buf = g_malloc (REPLAY_MAX_INPUT);
  for (i = 0; i < mutations; i++) {
    Input *base = inputs->pdata[rng_below (inputs->len)];
    gsize size = MIN (base->size, REPLAY_MAX_INPUT);

    memcpy (buf, base->data, size);
    size = mutate (buf, size, REPLAY_MAX_INPUT, inputs);
    g_snprintf (origin, sizeof (origin), "mutation %" G_GUINT64_FORMAT
        " of %s (seed 0x%" G_GINT64_MODIFIER "x)", i, base->name, seed);
    run_one (buf, size, origin);
  }

  g_print ("replay: %u corpus inputs and %" G_GUINT64_FORMAT
      " mutations in %.1f s, no crash\n", inputs->len, mutations,
      (g_get_monotonic_time () - start) / 1e6);

  g_free (buf);
  for (i = 0; i < inputs->len; i++) {
    Input *in = inputs->pdata[i];
    g_free (in->data);
    g_free (in->name);
    g_free (in);
  }
  g_ptr_array_unref (inputs);
  g_byte_array_unref (current_input);
  return 0;
}
