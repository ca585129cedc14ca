/* hstream.h - a byte stream with look-ahead, over a file, memory or an
 * archive member.  Importers read their input only through this, so the
 * same importer works on a plain file and on a member of a .zip.
 *
 * The stream also counts bytes and computes the sha256 of everything
 * read, for the sources table.
 */
#ifndef HARTRIAGE_HSTREAM_H
#define HARTRIAGE_HSTREAM_H

#include <stddef.h>
#include <sys/types.h>
#include "util.h"

/* Reads up to n bytes into buf; returns bytes read, 0 at end, -1 on error. */
typedef ssize_t (*hstream_read_fn)(void *ctx, void *buf, size_t n);

struct hstream {
	hstream_read_fn read;
	void *ctx;
	unsigned char *peek;   /* look-ahead bytes not yet consumed */
	size_t peek_len;
	size_t peek_off;
	size_t peek_alloc;
	unsigned long long consumed; /* bytes handed to the reader so far */
	int eof;
	int error;
	char errmsg[256];
	struct sha256 sha;
	int fd;                /* owned file descriptor, or -1 */
	const unsigned char *mem; /* memory source */
	size_t mem_len;
	size_t mem_off;
};

/* Open a file; returns 0 or -1 with errmsg set (strerror text). */
int hstream_open_file(struct hstream *s, const char *path);
/* Read from memory the caller keeps alive until hstream_close. */
void hstream_open_mem(struct hstream *s, const void *p, size_t n);
/* Read through a callback (used for archive members). */
void hstream_open_fn(struct hstream *s, hstream_read_fn fn, void *ctx);
void hstream_close(struct hstream *s);

/* Make at least n bytes available for look-ahead (fewer at end of input).
 * *p points at them until the next read; returns the count available,
 * or -1 on a read error. */
ssize_t hstream_peek(struct hstream *s, size_t n, const unsigned char **p);
/* Read up to n bytes; returns count, 0 at end, -1 on error. */
ssize_t hstream_read(struct hstream *s, void *buf, size_t n);
/* Read everything that is left into a malloc'd NUL-terminated buffer.
 * Returns 0, -1 on a read error, or -2 when more than cap bytes remain
 * (then *out holds the first cap bytes and the rest is drained so the
 * sha256 and size still describe the whole input). */
int hstream_slurp(struct hstream *s, size_t cap, char **out, size_t *len);
/* Read and discard the rest so that size and sha256 cover all of it. */
void hstream_drain(struct hstream *s);
/* Total bytes consumed so far. */
unsigned long long hstream_size(const struct hstream *s);
/* Hex sha256 of everything consumed; call after draining. */
void hstream_sha256(struct hstream *s, char out[65]);

#endif
