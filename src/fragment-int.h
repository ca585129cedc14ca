/* fragment-int.h - helpers shared by the fragment reader's files. */
#ifndef HARTRIAGE_FRAGMENT_INT_H
#define HARTRIAGE_FRAGMENT_INT_H

#include <stddef.h>
#include <jansson.h>
#include "exchange.h"
#include "fragment.h"
#include "util.h"

/* Decode a string literal body at p (after its opening quote) with JSON,
 * Python and JavaScript escapes into out, up to the closing quote.  Sets
 * *closed when that quote was found; returns the bytes consumed (the
 * closing quote included). */
size_t unescape_string(const char *p, size_t n, int quote, struct sbuf *out, int *closed);
/* Decode HTML character references (named ones of error pages, numeric). */
void entity_decode(const char *p, size_t n, struct sbuf *out);
/* True when text reads as quoted-printable (soft breaks and =XX). */
int looks_qp(const char *p, size_t n);
void qp_decode_to(const char *p, size_t n, struct sbuf *out);
/* End of the bracketed value that opens at p[0] ('{' or '['): the offset
 * just after its closing bracket, with *complete set, or where it stops
 * (the end of the text, or before a mismatched bracket). Strings in both
 * quote styles are skipped. */
size_t bracket_end(const char *p, size_t n, int *complete);
/* Rewrite a Python repr or Node util.inspect literal as JSON text (keys
 * quoted, single quotes, None/True/False/undefined, [Object], <ref *1>,
 * constructor names, 'a' + 'b').  Returns malloc'd text; it may still not
 * parse. */
char *literal_to_json(const char *p, size_t n);

/* A structured piece found in text, unwrapped to its innermost error. */
struct frag_piece {
	size_t end;                 /* bytes of the input it spans */
	struct sbuf body;           /* the innermost error, as the server sent it */
	int truncated;              /* the piece was cut in the paste */
	int status;                 /* stated inside the piece, or STATUS_UNKNOWN */
	char *status_source;
	char *status_text;
	char *url, *method;         /* from a client's dump (axios config.url) */
	char *error;                /* a client's error message in the dump */
	struct hdr_list headers;    /* response headers in the dump */
	struct strlist layers;      /* the outer encodings, as transcript lines */
	int error_like;             /* reads as an error, not any JSON */
};
void frag_piece_release(struct frag_piece *pc);
/* Read the piece that starts at s[0] ('{', '[', '<', b'..', "{..", &lt;).
 * Returns 1 for an error piece, 2 for a structured piece that does not
 * read as an error by itself (an error only if the context gives a status
 * >= 400), 0 for none. */
int frag_piece_at(const char *s, size_t n, int depth, struct frag_piece *pc);
/* Move what the piece says into ex (body, status with source, url). */
void frag_piece_to_exchange(struct frag_piece *pc, struct exchange *ex, const char *what,
			    size_t line);
/* The error inside a decoded string (a nested piece or error page text).
 * Returns 1 and fills pc (end unused) when there is one. */
int frag_inner(const char *s, size_t n, int depth, struct frag_piece *pc);

/* Status stated in words in [s, s+n): "HTTP 429", "status 529", "Error:
 * 401", "returned error 403", "[400 Bad Request]", "503 Server Error",
 * "StatusCode: 500", "statusCode=407", "403 Forbidden".  Returns it and
 * the span of the words, or 0. */
int frag_status_in(const char *s, size_t n, size_t *ms, size_t *me);
/* Length of an http(s) URL at p, without trailing punctuation; 0 when none. */
size_t frag_url_len(const char *p);
/* True when the URL at p in s is an aside, not the request's: a reference
 * ("(see https://curl.haxx.se/libcurl/c/libcurl-errors.html) for URL") or
 * the page's origin (Safari: "Origin https://app is not allowed by ..."). */
int frag_url_aside(const char *s, const char *p);

/* Visible text of vendor error pages: the fingerprint of one line.
 * Returns a vendor number (> 0) and sets *pat to the pattern's number and
 * *status when the line states the status; 0 when none. */
int frag_page_line(const char *t, int *pat, int *status);
/* True when the lines (NUL-terminated strings) hold two fingerprints of
 * one vendor's page within a window; [*lo, *hi] is the block. */
int frag_page_lines(const char *const *lines, size_t n, size_t from, size_t *lo, size_t *hi);

/* A client's error line (Python requests/urllib3/httpx/aiohttp, Node,
 * axios, Java, Go, .NET, PHP Guzzle, browser console).  Fills ex (error,
 * status 0 when the words say no response arrived, a stated status, URL
 * and host with their sources) and *col (where the message starts). */
int frag_client_error(const char *t, struct exchange *ex, size_t *col, size_t line);
/* A logfmt record with a status, error or body key; fills ex. */
int frag_logfmt_line(const char *t, struct exchange *ex, size_t line, int whole_log);
/* A JSON log record (pino, bunyan, winston, access logs); fills ex. */
int frag_json_record(json_t *rec, struct exchange *ex, size_t line);
/* True when t is one logfmt record (three or more key=value pairs). */
int frag_is_logfmt(const char *t);

/* A .NET response dump (fragment-dotnet.c): lines [lo, hi]. */
struct frag_dump {
	size_t lo, hi, status_line;
	int status;
	char *status_text;
	char *quote;            /* the words that state the status */
	char *error;            /* the exception's message line, or NULL */
	struct hdr_list headers;
	struct sbuf body;       /* Azure's Content: section */
	struct strlist notes;   /* message lines, ErrorCode:, Additional Information */
};
/* Read the dump whose status line is line i.  Returns 1 and fills d (to be
 * released) or 0 (d empty). */
int frag_dump_read(frag_line_fn line, const void *ctx, size_t n, size_t i, struct frag_dump *d);
void frag_dump_release(struct frag_dump *d);

#endif
