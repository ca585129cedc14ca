/* fragment.h - error evidence without HTTP framing (DESIGN "Fragments").
 *
 * A ticket's text often holds a failure that no capture frames: a JSON
 * error body pasted alone, an XML or HTML error document, the visible text
 * of a vendor's error page, an SDK exception line, a log record.  The
 * fragment reader finds each such piece, unwraps it (JSON strings to any
 * depth, Python / Node / Ruby literal forms, line prefixes, HTML entities,
 * quoted-printable) and emits it as an exchange of kind fragment (or log,
 * for a log record) whose body is the unwrapped piece.  Everything else is
 * unknown unless the surroundings say it, and then the exchange records
 * where it came from (status_source, url_source, host_source).
 */
#ifndef HARTRIAGE_FRAGMENT_H
#define HARTRIAGE_FRAGMENT_H

#include <stddef.h>
#include "import.h"

/* Caps on what an input controls. */
#define FRAG_MAX_PER_SOURCE 2000       /* fragments emitted from one source */
#define FRAG_BLOB_CAP ((size_t)4 << 20) /* bytes of one blob examined */
#define FRAG_DEPTH_CAP 6               /* nested encodings unwrapped */

/* What the scanned text is. */
enum frag_input {
	FRAG_IN_TEXT = 0,  /* prose, pastes, logs: detect the shape */
	FRAG_IN_REST       /* the lines a framed importer did not use */
};

/* What a framed importer already emitted from a text (error texts and
 * response bodies), so the fragment reader does not count one failure
 * twice.  frag_seen_init() makes s->sink a sink that records each exchange
 * and passes it on to inner. */
struct frag_seen {
	struct strlist errors;
	struct strlist bodies;
	struct import_sink *inner;
	struct import_sink sink;
};
void frag_seen_init(struct frag_seen *s, struct import_sink *inner);
void frag_seen_release(struct frag_seen *s);

/* Scan text for error fragments and emit each through sink with seq
 * numbers from *seq (advanced), leaving out what seen (may be NULL) holds.
 * Lines are numbered from 1 as in text.  Returns the number of exchanges
 * emitted, or -1 when the sink failed. */
long fragment_scan(const char *text, size_t len, enum frag_input in,
		   struct import_sink *sink, long *seq, const struct frag_seen *seen);

/* Line i of a text split into NUL-terminated lines (decorations removed). */
typedef const char *(*frag_line_fn)(const void *ctx, size_t i);

/* A response dump that a .NET exception or logger printed
 * (HttpResponseMessage.ToString(), Azure's RequestFailedException) around
 * line i of n (fragment-dotnet.c).  The fragment reader owns such a block;
 * the text importer asks here and leaves its lines alone, so one failure is
 * not counted twice.  Returns one past the block's last line and sets *lo
 * to its first (which may lie above i), or 0 when no block is at i. */
size_t frag_dump_span(frag_line_fn line, const void *ctx, size_t n, size_t i, size_t *lo);

/* True when text is a JSON-lines or logfmt log (most non-empty lines are
 * records).  Such a file is a log, never a broken JSON document. */
int fragment_is_log(const char *text, size_t len);

/* Import a whole source that no framed importer recognised (text that is
 * not a capture, a JSON document that is not an export, a JSON-lines or
 * logfmt log).  Fills res: OK with its format when fragments were found,
 * NOT_CAPTURE when none.  Returns 0, or -1 when the sink failed. */
int import_fragments(const char *buf, size_t len, enum capture_format fmt,
		     struct import_sink *sink, struct import_result *res);

#endif
