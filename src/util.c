/* util.c - allocation, buffers, ASCII, base64, UTF-8 and SHA-256 helpers. */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "util.h"

static void oom(size_t n)
{
	fprintf(stderr, "hartriage: out of memory (%zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		oom(nmemb * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct sbuf b = SBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sbuf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (!b.data)
		return xstrdup("");
	return sbuf_detach(&b, NULL);
}

/* Grow an array to hold want elements; doubles to keep appends amortized. */
void *xgrow(void *p, size_t *alloc, size_t want, size_t sz)
{
	size_t n;
	if (want <= *alloc)
		return p;
	n = *alloc ? *alloc : 8;
	while (n < want) {
		if (n > SIZE_MAX / 2 / sz)
			oom(SIZE_MAX);
		n *= 2;
	}
	*alloc = n;
	return xrealloc(p, n * sz);
}

void sbuf_init(struct sbuf *b)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = 0;
	b->full = 0;
}

void sbuf_init_cap(struct sbuf *b, size_t cap)
{
	sbuf_init(b);
	b->cap = cap;
}

size_t sbuf_cap(const struct sbuf *b)
{
	return b->cap ? b->cap : SBUF_DEFAULT_CAP;
}

void sbuf_release(struct sbuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->full = 0;
}

void sbuf_reset(struct sbuf *b)
{
	b->len = 0;
	b->full = 0;
	if (b->data)
		b->data[0] = '\0';
}

int sbuf_add(struct sbuf *b, const void *p, size_t n)
{
	size_t cap = sbuf_cap(b);
	int rc = SBUF_OK;

	if (b->full)
		return SBUF_TOO_LARGE;
	if (n > cap - b->len) {
		n = cap - b->len;
		b->full = 1;
		rc = SBUF_TOO_LARGE;
	}
	b->data = xgrow(b->data, &b->alloc, b->len + n + 1, 1);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return rc;
}

int sbuf_adds(struct sbuf *b, const char *s)
{
	return sbuf_add(b, s, strlen(s));
}

int sbuf_vaddf(struct sbuf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	char tmp[256];
	char *big;
	int rc;

	va_copy(cp, ap);
	n = vsnprintf(tmp, sizeof(tmp), fmt, cp);
	va_end(cp);
	if (n < 0)
		return SBUF_OK;
	if ((size_t)n < sizeof(tmp))
		return sbuf_add(b, tmp, (size_t)n);
	if (b->full)
		return SBUF_TOO_LARGE;
	if ((size_t)n <= sbuf_cap(b) - b->len) {
		b->data = xgrow(b->data, &b->alloc, b->len + (size_t)n + 1, 1);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
		b->len += (size_t)n;
		return SBUF_OK;
	}
	big = xmalloc((size_t)n + 1);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	rc = sbuf_add(b, big, (size_t)n);
	free(big);
	return rc;
}

int sbuf_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;
	va_start(ap, fmt);
	rc = sbuf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

/* Hand the buffer to the caller ("you now own the storage"). */
char *sbuf_detach(struct sbuf *b, size_t *len)
{
	char *p = b->data ? b->data : xstrdup("");
	if (len)
		*len = b->len;
	sbuf_init_cap(b, b->cap);
	return p;
}

const char *sbuf_str(const struct sbuf *b)
{
	return b->data ? b->data : "";
}

int ascii_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = ascii_tolower((unsigned char)*a), cb = ascii_tolower((unsigned char)*b);
		if (ca != cb || !ca)
			return ca - cb;
	}
}

int ascii_ncasecmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		int ca = ascii_tolower((unsigned char)*a), cb = ascii_tolower((unsigned char)*b);
		if (ca != cb || !ca)
			return ca - cb;
	}
	return 0;
}

void ascii_lower(char *s)
{
	for (; *s; s++)
		*s = (char)ascii_tolower((unsigned char)*s);
}

/* The first byte of the needle is found with memchr, once for each case,
 * and each of the two positions is only searched again once passed, so a
 * body is read in a few wide passes instead of one call per byte. */
const char *ascii_casestr(const char *hay, size_t haylen, const char *needle)
{
	size_t nl = strlen(needle);
	const char *p = hay, *end, *lo, *up, *hit;
	int cl, cu;
	if (nl == 0)
		return hay;
	if (haylen < nl)
		return NULL;
	cl = ascii_tolower((unsigned char)needle[0]);
	cu = (cl >= 'a' && cl <= 'z') ? cl - 'a' + 'A' : cl;
	end = hay + haylen - (nl - 1); /* a match starts before this */
	lo = up = NULL; /* not searched yet; end means none left */
	while (p < end) {
		if ((!lo || lo < p) && !(lo = memchr(p, cl, (size_t)(end - p))))
			lo = end;
		if (cu == cl)
			up = lo;
		else if ((!up || up < p) && !(up = memchr(p, cu, (size_t)(end - p))))
			up = end;
		hit = lo < up ? lo : up;
		if (hit == end)
			return NULL;
		if (ascii_ncasecmp(hit + 1, needle + 1, nl - 1) == 0)
			return hit;
		p = hit + 1;
	}
	return NULL;
}

int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int starts_with_icase(const char *s, const char *prefix)
{
	return ascii_ncasecmp(s, prefix, strlen(prefix)) == 0;
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

void trim_span(const char **p, size_t *n)
{
	while (*n && is_space((unsigned char)**p)) {
		(*p)++;
		(*n)--;
	}
	while (*n && is_space((unsigned char)(*p)[*n - 1]))
		(*n)--;
}

static int b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Returns NULL on a character outside both alphabets. */
char *base64_decode(const char *in, size_t inlen, size_t *outlen)
{
	char *out = xmalloc(inlen / 4 * 3 + 4);
	size_t o = 0, i;
	unsigned acc = 0;
	int bits = 0;

	for (i = 0; i < inlen; i++) {
		int c = (unsigned char)in[i], v;
		if (is_space(c))
			continue;
		if (c == '=')
			break;
		v = b64_value(c);
		if (v < 0) {
			free(out);
			return NULL;
		}
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	if (outlen)
		*outlen = o;
	return out;
}

char *base64_encode(const unsigned char *in, size_t len)
{
	static const char tbl[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = xmalloc((len + 2) / 3 * 4 + 1);
	size_t i, o = 0;
	for (i = 0; i + 2 < len; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
		out[o++] = tbl[v >> 18];
		out[o++] = tbl[(v >> 12) & 63];
		out[o++] = tbl[(v >> 6) & 63];
		out[o++] = tbl[v & 63];
	}
	if (i < len) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < len ? (unsigned)in[i + 1] << 8 : 0);
		out[o++] = tbl[v >> 18];
		out[o++] = tbl[(v >> 12) & 63];
		out[o++] = i + 1 < len ? tbl[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

int utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		unsigned c = *p;
		size_t need;
		unsigned min;
		unsigned cp;
		if (c < 0x80) {
			uint64_t w;
			p++;
			/* ASCII eight bytes at a time */
			while (end - p >= 8 && (memcpy(&w, p, 8), (w & 0x8080808080808080ull) == 0))
				p += 8;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			need = 1;
			min = 0x80;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			need = 2;
			min = 0x800;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			need = 3;
			min = 0x10000;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if ((size_t)(end - p) <= need)
			return 0;
		for (size_t i = 1; i <= need; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += need + 1;
	}
	return 1;
}

/* SHA-256 through nettle (see util.h). */
void sha256_init(struct sha256 *s)
{
	nettle_sha256_init(&s->ctx);
}

void sha256_update(struct sha256 *s, const void *data, size_t n)
{
	nettle_sha256_update(&s->ctx, n, data);
}

void sha256_final(struct sha256 *s, unsigned char out[32])
{
	nettle_sha256_digest(&s->ctx, SHA256_DIGEST_SIZE, out);
}

void sha256_hex(const unsigned char d[32], char out[65])
{
	static const char hx[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[i * 2] = hx[d[i] >> 4];
		out[i * 2 + 1] = hx[d[i] & 15];
	}
	out[64] = '\0';
}

void hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
		 unsigned char out[32])
{
	unsigned char k[64], ipad[64], opad[64], inner[32];
	struct sha256 s;
	memset(k, 0, sizeof(k));
	if (keylen > 64) {
		sha256_init(&s);
		sha256_update(&s, key, keylen);
		sha256_final(&s, k);
	} else if (keylen) {
		memcpy(k, key, keylen);
	}
	for (int i = 0; i < 64; i++) {
		ipad[i] = k[i] ^ 0x36;
		opad[i] = k[i] ^ 0x5c;
	}
	sha256_init(&s);
	sha256_update(&s, ipad, 64);
	sha256_update(&s, msg, msglen);
	sha256_final(&s, inner);
	sha256_init(&s);
	sha256_update(&s, opad, 64);
	sha256_update(&s, inner, 32);
	sha256_final(&s, out);
}

int parse_long(const char *p, size_t n, long *out)
{
	long v = 0;
	int neg = 0;
	size_t i = 0;
	trim_span(&p, &n);
	if (n && (p[0] == '-' || p[0] == '+')) {
		neg = p[0] == '-';
		i = 1;
	}
	if (i >= n)
		return -1;
	for (; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		if (v > (LONG_MAX - 9) / 10)
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = neg ? -v : v;
	return 0;
}

/* UTF-16 (no BOM) to UTF-8; see util.h. */
char *utf16_to_utf8(const unsigned char *p, size_t n, int be, size_t *outlen)
{
	struct sbuf b = SBUF_INIT;
	size_t i = 0;

	while (i + 1 < n) {
		unsigned long u = be ? (unsigned long)(p[i] << 8 | p[i + 1])
				     : (unsigned long)(p[i] | p[i + 1] << 8);
		i += 2;
		if (u >= 0xD800 && u <= 0xDBFF && i + 1 < n) {
			unsigned long lo = be ? (unsigned long)(p[i] << 8 | p[i + 1])
					      : (unsigned long)(p[i] | p[i + 1] << 8);
			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
				i += 2;
			} else {
				u = 0xFFFD;
			}
		} else if (u >= 0xD800 && u <= 0xDFFF) {
			u = 0xFFFD;
		}
		if (u < 0x80) {
			sbuf_addc(&b, (int)u);
		} else if (u < 0x800) {
			sbuf_addc(&b, (int)(0xC0 | u >> 6));
			sbuf_addc(&b, (int)(0x80 | (u & 0x3F)));
		} else if (u < 0x10000) {
			sbuf_addc(&b, (int)(0xE0 | u >> 12));
			sbuf_addc(&b, (int)(0x80 | (u >> 6 & 0x3F)));
			sbuf_addc(&b, (int)(0x80 | (u & 0x3F)));
		} else {
			sbuf_addc(&b, (int)(0xF0 | u >> 18));
			sbuf_addc(&b, (int)(0x80 | (u >> 12 & 0x3F)));
			sbuf_addc(&b, (int)(0x80 | (u >> 6 & 0x3F)));
			sbuf_addc(&b, (int)(0x80 | (u & 0x3F)));
		}
	}
	if (!b.data)
		sbuf_add(&b, "", 0);
	return sbuf_detach(&b, outlen);
}

/* Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlongs,
 * no surrogates, nothing past U+10FFFF), or 0. */
size_t utf8_seq_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

char *utf8_repair(const char *s, size_t n, size_t *outlen, long *fixed)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = xmalloc(n * 3 + 1), *o = out;
	size_t i = 0;

	*fixed = 0;
	while (i < n) {
		size_t k = p[i] < 0x80 ? 1 : utf8_seq_len(p + i, n - i);
		if (k) {
			memcpy(o, p + i, k);
			o += k;
			i += k;
		} else {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			(*fixed)++;
			i++;
		}
	}
	*o = '\0';
	if (outlen)
		*outlen = (size_t)(o - out);
	return out;
}

int url_fill_path_param(struct sbuf *b, const char *name, const char *value)
{
	char *pat;
	const char *at, *after;
	struct sbuf n = SBUF_INIT;
	if (!b->data || !name || !*name || !value)
		return 0;
	pat = xasprintf("/:%s", name);
	at = strstr(b->data, pat);
	after = at ? at + strlen(pat) : NULL;
	free(pat);
	if (!at || (*after && *after != '/' && *after != '?'))
		return 0;
	sbuf_add(&n, b->data, (size_t)(at - b->data) + 1);
	sbuf_adds(&n, value);
	sbuf_adds(&n, after);
	sbuf_release(b);
	*b = n;
	return 1;
}

uint64_t fnv1a(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}
