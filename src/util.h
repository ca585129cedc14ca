/* util.h - allocation, growable buffers and small string helpers.
 *
 * The x* allocators never return NULL: on exhaustion they print a message
 * and abort, since nothing sensible can continue without memory.  Every
 * other function here reports failure through its return value.
 */
#ifndef HARTRIAGE_UTIL_H
#define HARTRIAGE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "caps.h"

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Grow *p (of *alloc elements of size sz) so it holds at least want. */
void *xgrow(void *p, size_t *alloc, size_t want, size_t sz);

/* A growable byte buffer with a cap, always NUL-terminated when data !=
 * NULL.  The caller owns data; sbuf_detach() hands it over and resets the
 * buffer.
 *
 * The cap is given at creation (SBUF_INIT_CAP, sbuf_init_cap; SBUF_INIT
 * and a zeroed struct mean SBUF_DEFAULT_CAP from caps.h).  An append that
 * would pass it keeps what fits, sets full and returns SBUF_TOO_LARGE;
 * every later append fails the same way until sbuf_reset() or
 * sbuf_release().  The caller decides what the loss means (a truncated
 * body, a note).  Release, reset and detach keep the cap. */
struct sbuf {
	char *data;
	size_t len;
	size_t alloc;
	size_t cap;  /* most bytes data may hold; 0 = SBUF_DEFAULT_CAP */
	int full;    /* an append was cut at the cap */
};
#define SBUF_INIT { NULL, 0, 0, 0, 0 }
#define SBUF_INIT_CAP(c) { NULL, 0, 0, (c), 0 }
#define SBUF_OK 0
#define SBUF_TOO_LARGE (-1)

void sbuf_init(struct sbuf *b);
void sbuf_init_cap(struct sbuf *b, size_t cap);
/* The cap in effect. */
size_t sbuf_cap(const struct sbuf *b);
void sbuf_release(struct sbuf *b);
void sbuf_reset(struct sbuf *b);
/* Appends return SBUF_OK, or SBUF_TOO_LARGE when the cap cut them. */
int sbuf_add(struct sbuf *b, const void *p, size_t n);
/* One byte: inline, as callers add text a byte at a time in loops. */
static inline int sbuf_addc(struct sbuf *b, int c)
{
	if (!b->full && b->len + 1 < b->alloc && b->len < (b->cap ? b->cap : SBUF_DEFAULT_CAP)) {
		b->data[b->len++] = (char)c;
		b->data[b->len] = '\0';
		return SBUF_OK;
	}
	{
		char ch = (char)c;
		return sbuf_add(b, &ch, 1);
	}
}
int sbuf_adds(struct sbuf *b, const char *s);
int sbuf_addf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sbuf_vaddf(struct sbuf *b, const char *fmt, va_list ap);
char *sbuf_detach(struct sbuf *b, size_t *len);
/* An empty string rather than NULL when nothing was added. */
const char *sbuf_str(const struct sbuf *b);

/* ASCII case-insensitive helpers (locale independent). */
int ascii_casecmp(const char *a, const char *b);
int ascii_ncasecmp(const char *a, const char *b, size_t n);
static inline int ascii_tolower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}
void ascii_lower(char *s);
/* Return a pointer to the first case-insensitive occurrence of needle. */
const char *ascii_casestr(const char *hay, size_t haylen, const char *needle);
int starts_with(const char *s, const char *prefix);
int starts_with_icase(const char *s, const char *prefix);

/* Trim ASCII whitespace in place from both ends of [*p, *p + *n). */
void trim_span(const char **p, size_t *n);
/* In the URL held by b, replace the first path segment ":name" (followed
 * by '/', '?' or the end) by value; returns 1 when it did. */
int url_fill_path_param(struct sbuf *b, const char *name, const char *value);

/* Decode base64 (standard or URL alphabet, whitespace ignored).  Returns a
 * malloc'd buffer (NUL-terminated) and its length, or NULL if invalid. */
char *base64_decode(const char *in, size_t inlen, size_t *outlen);
/* Encode bytes as base64; returns a malloc'd string. */
char *base64_encode(const unsigned char *in, size_t len);

/* Transcode UTF-16 (big_endian or little, without its BOM) to UTF-8.
 * Unpaired surrogates become U+FFFD.  Returns a malloc'd, NUL-terminated
 * string (never NULL) and its length in *outlen. */
char *utf16_to_utf8(const unsigned char *p, size_t n, int big_endian, size_t *outlen);

/* True when [p, p+n) is valid UTF-8. */
int utf8_valid(const char *p, size_t n);
/* Length of the well-formed UTF-8 sequence (RFC 3629) starting with the
 * non-ASCII byte p[0], or 0 when it is none. */
size_t utf8_seq_len(const unsigned char *p, size_t n);
/* A malloc'd NUL-terminated copy of [s, s+n) with each byte that starts no
 * well-formed UTF-8 sequence replaced by U+FFFD; *fixed gets the count and
 * *outlen (when not NULL) the length. */
char *utf8_repair(const char *s, size_t n, size_t *outlen, long *fixed);

/* SHA-256 of a stream of bytes, computed by nettle (which uses the CPU's
 * SHA extensions where it has them: about 5x the portable C code).  The
 * state is a plain struct, so a copy can be finished while the original
 * goes on (hstream_sha256).  nettle.h spells its own functions sha256_init,
 * sha256_update and sha256_digest through macros; hartriage keeps those
 * names for the functions below. */
#include <nettle/sha2.h>
#undef sha256_init
#undef sha256_update
#undef sha256_digest
struct sha256 {
	struct sha256_ctx ctx;
};
void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *p, size_t n);
void sha256_final(struct sha256 *s, unsigned char out[32]);
void sha256_hex(const unsigned char digest[32], char out[65]);
/* HMAC-SHA-256 of msg under key. */
void hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
		 unsigned char out[32]);

/* Parse a decimal long from [p, p+n); returns 0 on success. */
int parse_long(const char *p, size_t n, long *out);

/* FNV-1a (64 bit) of [p, p+n): the hash of the program's own tables. */
uint64_t fnv1a(const void *p, size_t n);

#endif
