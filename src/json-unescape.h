/* json-unescape.h - decode the inside of a JSON string piece by piece.
 *
 * The HAR importer lifts large string values (response bodies, request
 * bodies) out of an entry while it scans, so that jansson never sees them
 * and a 200 MB body is never held whole (issue 13).  This decoder accepts
 * exactly what jansson accepts inside a string (with JSON_ALLOW_NUL):
 * escapes including surrogate pairs, valid UTF-8, no raw control bytes;
 * and gives the same bytes.
 */
#ifndef HARTRIAGE_JSON_UNESCAPE_H
#define HARTRIAGE_JSON_UNESCAPE_H

#include <stddef.h>
#include "util.h"

struct junescape {
	struct sbuf out;           /* decoded bytes kept, at most cap */
	size_t cap;
	unsigned long long total;  /* decoded bytes seen, kept or not */
};

enum junescape_state {
	JU_MORE,    /* every byte given was used except an unfinished tail */
	JU_END,     /* the closing quote was reached */
	JU_INVALID  /* not a valid JSON string */
};

void junescape_init(struct junescape *u, size_t cap);
void junescape_release(struct junescape *u);
/* Ready for the next string: keeps a buffer of moderate size, and makes
 * room for hint bytes (0: unknown) when that is moderate too. */
void junescape_reset(struct junescape *u, size_t cap, size_t hint);

/* Decode string content from p[0..n) (after the opening quote).  Returns
 * the count of bytes used: with JU_END, the offset of the closing quote;
 * with JU_MORE, everything but an escape or UTF-8 sequence cut by the end
 * of p (none when eof is set: then an unfinished tail is JU_INVALID). */
size_t junescape_feed(struct junescape *u, const unsigned char *p, size_t n, int eof,
		      enum junescape_state *st);

#endif
