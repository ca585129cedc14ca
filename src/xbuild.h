/* xbuild.h - the exchange builder every importer uses.
 *
 * An importer finds the pieces of an HTTP exchange in its source; the
 * builder puts them together.  It is the one place that
 *   - numbers exchanges (seq: 0, 1, 2 ... in the order the sink accepts
 *     them; a discarded exchange does not use up a number),
 *   - applies the caps on what an input controls (body bytes, header count
 *     and length, transcript lines, exchanges per source),
 *   - raises the truncation notes those caps cause, and
 *   - calls sink->emit.
 *
 * Usage:
 *
 *	struct xbuild b;
 *	xb_init(&b, sink, res);
 *	for (each exchange in the source) {
 *		struct exchange *ex = xb_begin(&b);
 *		xb_request_line(&b, "GET", url, "HTTP/1.1");
 *		xb_header(&b, XB_REQ, name, nlen, value, vlen);
 *		xb_body_add(&b, XB_RESP, chunk, n);     (as often as needed)
 *		xb_status(&b, 200, "OK");
 *		ex->... = ...;                          (any other field directly)
 *		if (xb_emit(&b) < 0)
 *			break;                          (sink refused, or the cap)
 *	}
 *	xb_release(&b);
 *
 * The builder owns the exchange under construction: the pointer xb_begin()
 * returns is valid until xb_emit(), xb_discard() or the next xb_begin().
 * Fields may be set directly through it; the xb_* setters add the caps.
 */
#ifndef HARTRIAGE_XBUILD_H
#define HARTRIAGE_XBUILD_H

#include <stddef.h>
#include "exchange.h"
#include "import.h"
#include "util.h"

enum xb_side { XB_REQ = 0, XB_RESP = 1 };

/* A note raised right after the exchange is emitted, with its seq. */
struct xb_note {
	enum note_kind kind;
	char *msg;
};

struct xbuild {
	struct import_sink *sink;
	struct import_result *res; /* res->exchanges counts accepted exchanges */
	long next_seq;             /* seq of the exchange under construction / next one */
	long emitted;              /* exchanges the sink accepted */
	long max;                  /* exchanges per source, 0 = no cap */
	int failed;                /* the sink refused one: nothing more is emitted */
	int capped;                /* max was reached: nothing more is emitted */
	int open;                  /* an exchange is under construction */
	struct exchange ex;
	struct sbuf body[2];       /* bytes of xb_body_add, per side (cap BODY_CAP) */
	int chunked[2];            /* xb_body_add was used on this side */
	int trunc_noted;           /* a truncation note about this exchange was raised */
	struct xb_note *after;     /* notes held until the exchange is emitted */
	size_t nafter, aafter;
};

/* Start with a sink and a result (res may be NULL).  A sink without a
 * note callback gets a no-op one, so nobody needs to check for NULL. */
void xb_init(struct xbuild *b, struct import_sink *sink, struct import_result *res);
/* Free what the builder holds (an open exchange is discarded). */
void xb_release(struct xbuild *b);

/* Open a new exchange (discarding one still open) and return it; its seq
 * is already set. */
struct exchange *xb_begin(struct xbuild *b);
/* The open exchange, or NULL. */
struct exchange *xb_cur(struct xbuild *b);
/* Drop the open exchange without emitting it (its seq is not used up). */
void xb_discard(struct xbuild *b);

/* Request line parts; any may be NULL (left unchanged).  The url is split
 * (exchange_set_url), the version normalized (http_version_normalize). */
void xb_request_line(struct xbuild *b, const char *method, const char *url,
		     const char *version);
/* Response status and reason phrase (text may be NULL). */
void xb_status(struct xbuild *b, int status, const char *text);
/* One header on one side; count and value length are capped
 * (HEADER_COUNT_CAP, HEADER_VALUE_CAP) and the loss noted at emit. */
void xb_header(struct xbuild *b, enum xb_side side, const char *name, size_t nlen,
	       const char *value, size_t vlen);
/* Append a chunk to a side's body.  Returns 0, or -1 when BODY_CAP cut
 * it (the body is marked truncated; the note is raised at emit). */
int xb_body_add(struct xbuild *b, enum xb_side side, const void *p, size_t n);
/* Set a side's body to a copy of p/n (cap as above; replaces chunks). */
int xb_body_set(struct xbuild *b, enum xb_side side, const char *p, size_t n);
/* One transcript line (TRANSCRIPT_CAP lines kept, the rest counted). */
void xb_transcript(struct xbuild *b, const char *s, size_t n);

/* Raise a note now (seq: an exchange's seq or -1). */
void xb_note(struct xbuild *b, enum note_kind kind, long seq, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Raise a note about the open exchange right after it is emitted (with its
 * seq); dropped when it is discarded or refused. */
void xb_note_after(struct xbuild *b, enum note_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Hand the open exchange to the sink and release it.  Bodies built from
 * chunks are set; after a successful emit the held notes are raised, then
 * a note for each truncated body not already explained by a truncation
 * note, and one for headers and transcript lines past their caps.
 * Returns 0, or -1 when the import must stop: the sink refused the
 * exchange (b->failed) or b->max exchanges were already emitted
 * (b->capped; this exchange is dropped, the caller notes it). */
int xb_emit(struct xbuild *b);

/* The no-op note callback xb_init installs. */
void import_note_none(void *ctx, enum note_kind kind, long seq, const char *msg);

#endif
