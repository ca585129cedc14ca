/* hstream.c - byte streams with look-ahead over files, memory and callbacks. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hstream.h"

static void hstream_init(struct hstream *s)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	sha256_init(&s->sha);
}

static ssize_t fd_read(void *ctx, void *buf, size_t n)
{
	struct hstream *s = ctx;
	ssize_t r;
	do
		r = read(s->fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		snprintf(s->errmsg, sizeof(s->errmsg), "%s", strerror(errno));
	return r;
}

static ssize_t mem_read(void *ctx, void *buf, size_t n)
{
	struct hstream *s = ctx;
	size_t left = s->mem_len - s->mem_off;
	if (n > left)
		n = left;
	memcpy(buf, s->mem + s->mem_off, n);
	s->mem_off += n;
	return (ssize_t)n;
}

int hstream_open_file(struct hstream *s, const char *path)
{
	hstream_init(s);
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0) {
		snprintf(s->errmsg, sizeof(s->errmsg), "%s", strerror(errno));
		s->error = 1;
		return -1;
	}
	s->read = fd_read;
	s->ctx = s;
	return 0;
}

void hstream_open_mem(struct hstream *s, const void *p, size_t n)
{
	hstream_init(s);
	s->mem = p;
	s->mem_len = n;
	s->read = mem_read;
	s->ctx = s;
}

void hstream_open_fn(struct hstream *s, hstream_read_fn fn, void *ctx)
{
	hstream_init(s);
	s->read = fn;
	s->ctx = ctx;
}

void hstream_close(struct hstream *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	free(s->peek);
	s->peek = NULL;
	s->peek_len = s->peek_off = s->peek_alloc = 0;
}

/* Read from the source into buf; updates eof/error. */
static ssize_t raw_read(struct hstream *s, void *buf, size_t n)
{
	ssize_t r;
	if (s->eof || s->error)
		return s->error ? -1 : 0;
	r = s->read(s->ctx, buf, n);
	if (r < 0) {
		s->error = 1;
		if (!s->errmsg[0])
			snprintf(s->errmsg, sizeof(s->errmsg), "read error");
		return -1;
	}
	if (r == 0)
		s->eof = 1;
	return r;
}

ssize_t hstream_peek(struct hstream *s, size_t n, const unsigned char **p)
{
	size_t have = s->peek_len - s->peek_off;
	if (have < n && !s->eof && !s->error) {
		if (s->peek_off) {
			memmove(s->peek, s->peek + s->peek_off, have);
			s->peek_len = have;
			s->peek_off = 0;
		}
		s->peek = xgrow(s->peek, &s->peek_alloc, n, 1);
		while (s->peek_len < n) {
			ssize_t r = raw_read(s, s->peek + s->peek_len, n - s->peek_len);
			if (r < 0)
				return -1;
			if (r == 0)
				break;
			s->peek_len += (size_t)r;
		}
		have = s->peek_len - s->peek_off;
	}
	*p = s->peek ? s->peek + s->peek_off : (const unsigned char *)"";
	return (ssize_t)(have < n ? have : n);
}

ssize_t hstream_read(struct hstream *s, void *buf, size_t n)
{
	size_t have = s->peek_len - s->peek_off;
	ssize_t r;
	if (n == 0)
		return 0;
	if (have) {
		if (n > have)
			n = have;
		memcpy(buf, s->peek + s->peek_off, n);
		s->peek_off += n;
		if (s->peek_off == s->peek_len)
			s->peek_off = s->peek_len = 0;
		r = (ssize_t)n;
	} else {
		r = raw_read(s, buf, n);
		if (r <= 0)
			return r;
	}
	sha256_update(&s->sha, buf, (size_t)r);
	s->consumed += (unsigned long long)r;
	return r;
}

int hstream_slurp(struct hstream *s, size_t cap, char **out, size_t *len)
{
	size_t alloc = 0, n = 0;
	char *buf = NULL;
	int over = 0;

	for (;;) {
		ssize_t r;
		size_t want;
		if (n >= cap) {
			over = 1;
			break;
		}
		buf = xgrow(buf, &alloc, n + 65536 + 1 < cap + 1 ? n + 65536 + 1 : cap + 1, 1);
		want = alloc - n - 1;
		if (want > cap - n)
			want = cap - n;
		r = hstream_read(s, buf + n, want);
		if (r < 0) {
			free(buf);
			*out = NULL;
			*len = 0;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (over) {
		unsigned char probe;
		if (hstream_read(s, &probe, 1) > 0)
			hstream_drain(s);
		else
			over = 0;
	}
	if (!buf)
		buf = xmalloc(1);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return over ? -2 : 0;
}

void hstream_drain(struct hstream *s)
{
	char tmp[65536];
	while (hstream_read(s, tmp, sizeof(tmp)) > 0)
		;
}

unsigned long long hstream_size(const struct hstream *s)
{
	return s->consumed;
}

void hstream_sha256(struct hstream *s, char out[65])
{
	struct sha256 copy = s->sha;
	unsigned char d[32];
	sha256_final(&copy, d);
	sha256_hex(d, out);
}
