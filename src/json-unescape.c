/* json-unescape.c - decode the inside of a JSON string piece by piece
 * (see json-unescape.h). */
#include <config.h>

#include <string.h>

#include "json-unescape.h"

void junescape_init(struct junescape *u, size_t cap)
{
	sbuf_init(&u->out);
	u->cap = cap;
	u->total = 0;
}

void junescape_release(struct junescape *u)
{
	sbuf_release(&u->out);
	u->total = 0;
}

/* Buffers up to this size are kept for the next string. */
#define JU_KEEP ((size_t)1 << 20)

void junescape_reset(struct junescape *u, size_t cap, size_t hint)
{
	if (u->out.alloc > JU_KEEP)
		sbuf_release(&u->out);
	sbuf_reset(&u->out);
	u->cap = cap;
	u->total = 0;
	if (hint > cap)
		hint = cap;
	if (hint && hint < JU_KEEP)
		u->out.data = xgrow(u->out.data, &u->out.alloc, hint + 1, 1);
}

/* Keep p[0..n) while under the cap; count it always. */
static void put(struct junescape *u, const void *p, size_t n)
{
	if (u->out.len < u->cap)
		sbuf_add(&u->out, p, n < u->cap - u->out.len ? n : u->cap - u->out.len);
	u->total += n;
}

/* One byte (an escape such as \n): in place while under the cap. */
static inline void put1(struct junescape *u, char c)
{
	if (u->out.len < u->cap)
		sbuf_addc(&u->out, c);
	u->total++;
}

/* Bytes that end a run of plain printable ASCII: controls, '"', '\\' and
 * everything from 0x80 up (filled on first use). */
static unsigned char stop[256];

static void stop_init(void)
{
	for (int c = 0; c < 256; c++)
		stop[c] = c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
}

static int hex4(const unsigned char *p, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		unsigned c = p[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return 0;
		*v = *v << 4 | d;
	}
	return 1;
}

/* UTF-8 of code point cp into b; returns its length. */
static size_t utf8_put(unsigned cp, unsigned char *b)
{
	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	b[0] = (unsigned char)(0xf0 | cp >> 18);
	b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	b[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Length of the UTF-8 sequence a lead byte starts, 0 for an invalid lead. */
static size_t utf8_len(unsigned char c)
{
	return c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
}

size_t junescape_feed(struct junescape *u, const unsigned char *p, size_t n, int eof,
		      enum junescape_state *st)
{
	size_t i = 0, run;

	if (!stop['"'])
		stop_init();
	for (;;) {
		/* a run of plain printable ASCII */
		run = i;
		while (i < n && !stop[p[i]])
			i++;
		if (i > run)
			put(u, p + run, i - run);
		if (i == n) {
			*st = eof ? JU_INVALID : JU_MORE;
			return i;
		}
		if (p[i] == '"') {
			*st = JU_END;
			return i;
		}
		if (p[i] < 0x20) {
			*st = JU_INVALID;
			return i;
		}
		if (p[i] >= 0x80) {
			size_t k = utf8_len(p[i]);
			if (!k) {
				*st = JU_INVALID;
				return i;
			}
			if (n - i < k) {
				*st = eof ? JU_INVALID : JU_MORE;
				return i;
			}
			if (!utf8_valid((const char *)p + i, k)) {
				*st = JU_INVALID;
				return i;
			}
			put(u, p + i, k);
			i += k;
			continue;
		}
		/* an escape */
		if (n - i < 2) {
			*st = eof ? JU_INVALID : JU_MORE;
			return i;
		}
		switch (p[i + 1]) {
		case '"': put1(u, '"'); i += 2; continue;
		case '\\': put1(u, '\\'); i += 2; continue;
		case '/': put1(u, '/'); i += 2; continue;
		case 'b': put1(u, '\b'); i += 2; continue;
		case 'f': put1(u, '\f'); i += 2; continue;
		case 'n': put1(u, '\n'); i += 2; continue;
		case 'r': put1(u, '\r'); i += 2; continue;
		case 't': put1(u, '\t'); i += 2; continue;
		case 'u': break;
		default:
			*st = JU_INVALID;
			return i;
		}
		{
			unsigned cp, lo;
			unsigned char b[4];
			size_t used = 6;
			if (n - i < 6) {
				*st = eof ? JU_INVALID : JU_MORE;
				return i;
			}
			if (!hex4(p + i + 2, &cp)) {
				*st = JU_INVALID;
				return i;
			}
			if (cp >= 0xdc00 && cp <= 0xdfff) {
				*st = JU_INVALID;
				return i;
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				/* a high surrogate wants \uDC00-\uDFFF right after it */
				if (n - i < 12) {
					*st = eof ? JU_INVALID : JU_MORE;
					return i;
				}
				if (p[i + 6] != '\\' || p[i + 7] != 'u' || !hex4(p + i + 8, &lo) ||
				    lo < 0xdc00 || lo > 0xdfff) {
					*st = JU_INVALID;
					return i;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				used = 12;
			}
			put(u, b, utf8_put(cp, b));
			i += used;
		}
	}
}
