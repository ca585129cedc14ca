/* import-har-scan.c - the HAR importer's streaming reader (import_har):
 * a small scanner that understands just enough JSON to cut one entry at a
 * time out of log.entries, lifting its large bodies, and hands each to
 * the converter of import-har.c; other shapes fall back to reading the
 * document whole.  See import-har.c for the whole story.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "cookie-array.h"
#include "caps.h"
#include "exchange.h"
#include "hstream.h"
#include "import.h"
#include "json-util.h"
#include "json-unescape.h"
#include "util.h"
#include "xbuild.h"
#include "import-har-int.h"

#define HAR_CHUNK ((size_t)64 << 10)
#define HAR_MAX_DEPTH 1024

/* ---------------------------------------------------------------------
 * Streaming path: the reader and the scanner.
 *
 * Positions are absolute byte offsets into the input; buf holds the bytes
 * from base on.  Until discard is set nothing is ever dropped, so the
 * fallback can reuse everything read.
 */
struct har_reader {
	struct hstream *s;
	unsigned char *buf;
	size_t len, alloc;
	size_t base;       /* offset of buf[0] */
	long line, col;    /* position of buf[0], 1-based */
	int eof;
	int error;
	int discard;       /* bytes before the keep mark may be dropped */
	struct har_lift lift;
	size_t cut_at;     /* where lifted bytes were last cut out of buf */
	unsigned long long cut_bytes; /* bytes cut there (for columns) */
};

enum scan_rc { SC_OK, SC_EOF, SC_SYNTAX, SC_DEPTH, SC_READERR };

/* Advance a line/column position over n bytes. */
static void advance_lc(const unsigned char *p, size_t n, long *line, long *col)
{
	const unsigned char *e = p + n, *nl, *last = NULL;
	while (p < e && (nl = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		(*line)++;
		last = nl;
		p = nl + 1;
	}
	if (last)
		*col = 1 + (long)(e - (last + 1));
	else
		*col += (long)n;
}

/* Line and column of an absolute position still in the buffer. */
static void rd_linecol(const struct har_reader *r, size_t pos, long *line, long *col)
{
	size_t n = pos - r->base;
	*line = r->line;
	*col = r->col;
	if (n > r->len)
		n = r->len;
	advance_lc(r->buf, n, line, col);
	/* a lifted string cut from this line still counts in the column */
	if (r->cut_bytes && pos > r->cut_at && r->cut_at >= r->base &&
	    !memchr(r->buf + (r->cut_at - r->base), '\n', pos - r->cut_at))
		*col += (long)r->cut_bytes;
}

/* Read more input, first dropping bytes before keep when allowed.
 * Returns 1 when bytes were added, 0 at end of input, -1 on a read error. */
static int rd_fill(struct har_reader *r, size_t keep)
{
	ssize_t got;

	if (r->eof)
		return r->error ? -1 : 0;
	if (r->discard && keep > r->base) {
		size_t k = keep - r->base;
		if (k > r->len)
			k = r->len;
		if (k >= HAR_CHUNK || k * 2 >= r->len) {
			advance_lc(r->buf, k, &r->line, &r->col);
			if (r->cut_bytes && r->cut_at < r->base + k) {
				if (!memchr(r->buf + (r->cut_at - r->base), '\n', r->base + k - r->cut_at))
					r->col += (long)r->cut_bytes;
				r->cut_bytes = 0;
			}
			memmove(r->buf, r->buf + k, r->len - k);
			r->len -= k;
			r->base += k;
		}
	}
	if (r->alloc - r->len < HAR_CHUNK) {
		/* Grow by doubling, but not past one capped entry plus two chunks:
		 * an oversized entry then never costs twice the cap. */
		size_t limit = HAR_ENTRY_CAP + 2 * HAR_CHUNK, want = r->len + HAR_CHUNK;
		if (want <= limit && r->alloc * 2 > limit) {
			r->buf = xrealloc(r->buf, limit);
			r->alloc = limit;
		} else {
			r->buf = xgrow(r->buf, &r->alloc, want, 1);
		}
	}
	got = hstream_read(r->s, r->buf + r->len, HAR_CHUNK);
	if (got < 0) {
		r->eof = r->error = 1;
		return -1;
	}
	if (got == 0) {
		r->eof = 1;
		return 0;
	}
	r->len += (size_t)got;
	return 1;
}

/* The byte at pos (reading as needed, keeping bytes from keep on), -1 at
 * end of input, -2 on a read error. */
static int rd_byte_keep(struct har_reader *r, size_t pos, size_t keep)
{
	while (pos - r->base >= r->len) {
		int f = rd_fill(r, keep);
		if (f <= 0)
			return f < 0 ? -2 : -1;
	}
	return r->buf[pos - r->base];
}

/* The byte at pos, as rd_byte_keep() keeping nothing before pos. */
static int rd_byte(struct har_reader *r, size_t pos)
{
	return rd_byte_keep(r, pos, pos);
}

/* Skip JSON whitespace from *pos keeping bytes from keep on; returns the
 * next byte as rd_byte(). */
static int rd_ws_keep(struct har_reader *r, size_t *pos, size_t keep)
{
	int c;
	for (;;) {
		c = rd_byte_keep(r, *pos, keep);
		if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
			return c;
		(*pos)++;
	}
}

/* Skip JSON whitespace from *pos; returns the next byte as rd_byte(). */
static int rd_ws(struct har_reader *r, size_t *pos)
{
	for (;;) {
		int c = rd_byte(r, *pos);
		if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
			return c;
		(*pos)++;
	}
}

/* Keys on the way to a lifted string. */
enum lift_key { LK_NONE, LK_REQUEST, LK_RESPONSE, LK_CONTENT, LK_POSTDATA, LK_TEXT, LK_HEADERS };

static enum lift_key lift_key_of(const unsigned char *p, size_t n)
{
	static const struct {
		const char *s;
		enum lift_key k;
	} t[] = {{"request", LK_REQUEST}, {"response", LK_RESPONSE}, {"content", LK_CONTENT},
		 {"postData", LK_POSTDATA}, {"text", LK_TEXT}, {"headers", LK_HEADERS}};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strlen(t[i].s) == n && memcmp(t[i].s, p, n) == 0)
			return t[i].k;
	return LK_NONE;
}

/* Which lifted string a value at depth 3 under keys k[1..3] is, or -1. */
static int lift_target(const unsigned char *k)
{
	if (k[3] != LK_TEXT)
		return -1;
	if (k[1] == LK_RESPONSE && k[2] == LK_CONTENT)
		return LIFT_RESP;
	if (k[1] == LK_REQUEST && k[2] == LK_POSTDATA)
		return LIFT_REQ;
	return -1;
}

/* Decode the lifted string idx (opening quote at open) as far as the
 * buffer goes and cut what was decoded from the buffer.  Returns JU_END
 * when the closing quote now follows the opening one, JU_MORE when more
 * input is needed, JU_INVALID when it is not a valid string (then nothing
 * more is cut). */
static enum junescape_state lift_stream(struct har_reader *r, int idx, size_t open)
{
	struct har_lift *l = &r->lift;
	size_t from = open + 1 - r->base, used;
	enum junescape_state st;

	if (!l->streamed[idx]) {
		l->streamed[idx] = 1;
		junescape_reset(&l->u[idx], LIFT_CAP, 0);
	}
	used = junescape_feed(&l->u[idx], r->buf + from, r->len - from, r->eof, &st);
	if (st == JU_INVALID)
		return st; /* left in the buffer: jansson reports it */
	memmove(r->buf + from, r->buf + from + used, r->len - from - used);
	r->len -= used;
	r->cut_at = open + 1;
	r->cut_bytes += used;
	return st;
}

/* Find the end of the JSON value starting at start (its first byte).  Only
 * strings, escapes and bracket nesting are checked; jansson validates the
 * rest.  Once the value is longer than cap, *oversize is set and its bytes
 * are dropped as the scan goes (when the reader may discard).  Sets *end
 * just past the value, or at the offending byte for SC_SYNTAX.  With
 * r->lift.on, the value is an entry: the strings to lift are found (and
 * long ones decoded and cut out) on the way. */
static enum scan_rc scan_value(struct har_reader *r, size_t start, size_t cap, size_t *end,
			       int *oversize)
{
	unsigned char stack[HAR_MAX_DEPTH];
	unsigned char keys[4] = {LK_NONE, LK_NONE, LK_NONE, LK_NONE};
	size_t depth = 0, pos = start, qpos = 0, sopen = 0;
	int in_str = 0, qfound = 0, qvalid = 0, c;
	/* a headers array of the entry: its elements past HEADER_COUNT_CAP are
	 * cut from the buffer as they come (from the comma before the first
	 * one cut), so a million headers cost neither buffer nor jansson */
	int hside = -1;
	size_t helems = 0, hcomma = 0, hcut = 0;
	int lifting = r->lift.on, expect_key = 0, is_key = 0, target = -1;

	*oversize = 0;
	c = rd_byte(r, pos);
	if (c == -2)
		return SC_READERR;
	if (c == -1)
		return SC_EOF;
	if (c != '"' && c != '{' && c != '[') {
		/* a scalar: ends at a delimiter */
		for (;;) {
			c = rd_byte_keep(r, pos, start);
			if (c == -2)
				return SC_READERR;
			if (c == -1)
				return SC_EOF;
			if (c == ',' || c == ']' || c == '}' || c == ' ' || c == '\n' || c == '\r' ||
			    c == '\t' || c == ':')
				break;
			pos++;
		}
		*end = pos;
		return pos > start ? SC_OK : SC_SYNTAX;
	}
	for (;;) {
		const unsigned char *b, *e, *p;
		if (in_str && target >= 0 && !*oversize &&
		    (r->lift.streamed[target] || pos - sopen > LIFT_STREAM)) {
			/* a long lifted string: decode and cut as it comes */
			enum junescape_state st = lift_stream(r, target, sopen);
			qvalid = 0;
			pos = sopen + 1;
			if (st == JU_INVALID) {
				/* scan on: jansson reports the entry, from the bad byte */
				target = -1;
				continue;
			}
			if (st == JU_END) {
				pos++;
				in_str = 0;
				r->lift.found[target] = 1;
				r->lift.open[target] = sopen;
				r->lift.close[target] = pos;
				target = -1;
				continue;
			}
			{
				int f = rd_fill(r, start);
				if (f < 0)
					return SC_READERR;
				if (f == 0 && lift_stream(r, target, sopen) != JU_END)
					return SC_EOF;
			}
			continue;
		}
		if (pos - r->base >= r->len) {
			int f;
			if (hcut && pos > hcut) {
				r->len = hcut - r->base;
				pos = hcut;
				qvalid = 0;
			}
			if (!*oversize && pos - start > cap)
				*oversize = 1;
			f = rd_fill(r, *oversize ? pos : start);
			if (f < 0)
				return SC_READERR;
			if (f == 0)
				return SC_EOF;
			continue;
		}
		b = r->buf;
		e = b + r->len;
		p = b + (pos - r->base);
		if (in_str) {
			const unsigned char *q, *bs;
			if (!qvalid || qpos < pos || (!qfound && qpos != r->base + r->len)) {
				q = memchr(p, '"', (size_t)(e - p));
				qfound = q != NULL;
				qpos = q ? r->base + (size_t)(q - b) : r->base + r->len;
				qvalid = 1;
			}
			bs = memchr(p, '\\', qpos - pos);
			if (bs) {
				pos = r->base + (size_t)(bs - b) + 2;
				continue;
			}
			pos = qpos;
			if (!qfound)
				continue;
			pos++;
			in_str = 0;
			if (depth == 0) {
				*end = pos;
				return SC_OK;
			}
			if (lifting && !*oversize) {
				if (is_key && depth <= 3)
					keys[depth] = (unsigned char)lift_key_of(
						r->buf + (sopen + 1 - r->base), pos - 2 - sopen);
				if (target >= 0) {
					r->lift.found[target] = 1;
					r->lift.open[target] = sopen;
					r->lift.close[target] = pos;
				}
			}
			target = -1;
			continue;
		}
		while (p < e) {
			unsigned char ch = *p++;
			if (ch == '"') {
				in_str = 1;
				if (lifting) {
					sopen = r->base + (size_t)(p - 1 - b);
					is_key = expect_key;
					expect_key = 0;
					target = !is_key && depth == 3 ? lift_target(keys) : -1;
				}
				break;
			} else if (ch == '{' || ch == '[') {
				if (depth >= HAR_MAX_DEPTH) {
					*end = r->base + (size_t)(p - 1 - b);
					return SC_DEPTH;
				}
				stack[depth++] = ch;
				expect_key = ch == '{';
				if (depth <= 3)
					keys[depth] = LK_NONE;
				if (lifting && depth == 3 && ch == '[' && keys[2] == LK_HEADERS &&
				    (keys[1] == LK_REQUEST || keys[1] == LK_RESPONSE)) {
					hside = keys[1] == LK_REQUEST ? LIFT_REQ : LIFT_RESP;
					helems = 0;
					hcut = 0;
					r->lift.hfound[hside] = 0;
					r->lift.hopen[hside] = r->base + (size_t)(p - 1 - b);
				} else if (hside >= 0 && depth == 4 && ++helems == HEADER_COUNT_CAP + 1 &&
					   hcomma) {
					hcut = hcomma;
				}
			} else if (ch == '}' || ch == ']') {
				if (!depth || stack[depth - 1] != (ch == '}' ? '{' : '[')) {
					*end = r->base + (size_t)(p - 1 - b);
					return SC_SYNTAX;
				}
				if (hside >= 0 && depth == 3) {
					if (hcut) {
						/* cut [hcut, this bracket) */
						size_t at = r->base + (size_t)(p - 1 - b), n = at - hcut;
						memmove(r->buf + (hcut - r->base), p - 1,
							(size_t)(e - (p - 1)));
						r->len -= n;
						b = r->buf;
						e = b + r->len;
						p = b + (hcut - r->base) + 1;
						r->lift.hdr_cut[hside] += helems - HEADER_COUNT_CAP;
						qvalid = 0;
					}
					if (!*oversize) {
						r->lift.hfound[hside] = 1;
						r->lift.hclose[hside] = r->base + (size_t)(p - b);
					}
					hside = -1;
					hcut = 0;
				}
				if (--depth == 0) {
					*end = r->base + (size_t)(p - b);
					return SC_OK;
				}
				expect_key = 0;
			} else if (ch == ',') {
				expect_key = depth && stack[depth - 1] == '{';
				if (hside >= 0 && depth == 3 && !hcut)
					hcomma = r->base + (size_t)(p - 1 - b);
			}
		}
		pos = r->base + (size_t)(p - b);
	}
}

/* Find the end of a value too deep for scan_value: strings and a bracket
 * count only, dropping bytes as it goes, so any depth costs no memory.
 * Sets *end just past the value; SC_SYNTAX when a closing bracket comes
 * first. */
static enum scan_rc skip_value(struct har_reader *r, size_t pos, size_t *end)
{
	unsigned long long depth = 0;
	int in_str = 0, esc = 0;

	for (;;) {
		const unsigned char *p, *e;
		if (pos - r->base >= r->len) {
			int f = rd_fill(r, pos);
			if (f < 0)
				return SC_READERR;
			if (f == 0)
				return SC_EOF;
			continue;
		}
		p = r->buf + (pos - r->base);
		e = r->buf + r->len;
		for (; p < e; p++) {
			unsigned char ch = *p;
			if (in_str) {
				if (esc)
					esc = 0;
				else if (ch == '\\')
					esc = 1;
				else if (ch == '"')
					in_str = 0;
			} else if (ch == '"') {
				in_str = 1;
			} else if (ch == '{' || ch == '[') {
				depth++;
			} else if (ch == '}' || ch == ']') {
				if (depth == 0) {
					*end = r->base + (size_t)(p - r->buf);
					return SC_SYNTAX;
				}
				if (--depth == 0) {
					*end = r->base + (size_t)(p + 1 - r->buf);
					return SC_OK;
				}
			}
		}
		pos = r->base + r->len;
	}
}

/* Bytes [start, end) of the buffer as a key equals k. */
static int key_is(const struct har_reader *r, size_t start, size_t end, const char *k)
{
	size_t n = strlen(k);
	return end - start == n + 2 && memcmp(r->buf + (start - r->base) + 1, k, n) == 0;
}

/* Parse bytes [start, end) of the buffer with jansson; NULL on a syntax
 * error (err filled). */
static json_t *rd_parse(const struct har_reader *r, size_t start, size_t end, json_error_t *err)
{
	return json_loadb((const char *)r->buf + (start - r->base), end - start,
			  JSON_DECODE_ANY | JSON_ALLOW_NUL, err);
}

/* Absolute line and column of a jansson error in bytes parsed from start. */
static void err_position(const struct har_reader *r, size_t start, const json_error_t *err,
			 long *line, long *col)
{
	rd_linecol(r, start, line, col);
	if (err->line > 1)
		*col = err->column;
	else if (err->line == 1)
		*col += err->column - 1;
	if (err->line > 0)
		*line += err->line - 1;
}

/* Forget the lifted strings of the last entry (their buffers are kept for
 * the next one when of moderate size). */
static void lift_reset(struct har_lift *l)
{
	for (int i = 0; i < 2; i++) {
		junescape_reset(&l->u[i], LIFT_CAP, 0);
		l->found[i] = l->streamed[i] = l->have[i] = 0;
		hdr_list_release(&l->hdrs[i]);
		l->hfound[i] = l->hhave[i] = 0;
	}
}

static void lift_free(struct har_lift *l)
{
	for (int i = 0; i < 2; i++) {
		junescape_release(&l->u[i]);
		l->found[i] = l->streamed[i] = l->have[i] = 0;
		hdr_list_release(&l->hdrs[i]);
		l->hfound[i] = l->hhave[i] = 0;
	}
}

int har_lift_headers(struct har_lift *lift, int side, struct hdr_list *l, int *cred)
{
	struct hdr_list *h;

	if (!lift || !lift->hhave[side])
		return 0;
	h = &lift->hdrs[side];
	for (size_t i = 0; i < h->n; i++)
		if (ascii_casecmp(h->v[i].name, "cookie") == 0 ||
		    ascii_casecmp(h->v[i].name, "set-cookie") == 0 ||
		    ascii_casecmp(h->v[i].name, "authorization") == 0)
			*cred = 1;
	if (l->n == 0 && !l->v) {
		*l = *h; /* taken whole */
		memset(h, 0, sizeof(*h));
	} else {
		for (size_t i = 0; i < h->n; i++)
			hdr_list_add(l, h->v[i].name, strlen(h->v[i].name), h->v[i].value,
				     strlen(h->v[i].value));
		l->dropped += h->dropped;
		l->cut += h->cut;
		hdr_list_release(h);
	}
	lift->hhave[side] = 0;
	return 1;
}

/* JSON whitespace. */
static const unsigned char *json_ws(const unsigned char *p, const unsigned char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* A string with no escape and no control byte: its content in *s and *n, and
 * the position after its closing quote, or NULL. */
static const unsigned char *plain_str(const unsigned char *p, const unsigned char *e,
				      const unsigned char **s, size_t *n)
{
	const unsigned char *q;
	if (p >= e || *p != '"')
		return NULL;
	for (q = p + 1; q < e && *q != '"'; q++)
		if (*q == '\\' || *q < 0x20)
			return NULL;
	if (q >= e)
		return NULL;
	*s = p + 1;
	*n = (size_t)(q - p - 1);
	return q + 1;
}

/* Read the content of a headers array, [p, e) between its brackets, into
 * l when every element is {"name": "...", "value": "..."} with plain
 * strings (each key once, in any order); anything else (escapes, other
 * keys, other types, invalid UTF-8) is left to jansson: returns -1. */
static int lift_header_array(const unsigned char *p, const unsigned char *e, struct hdr_list *l)
{
	if (!utf8_valid((const char *)p, (size_t)(e - p)))
		return -1;
	p = json_ws(p, e);
	while (p < e) {
		const unsigned char *name = NULL, *value = NULL, *k, *v;
		size_t nlen = 0, vlen = 0, kn, vn;
		if (*p != '{')
			return -1;
		p = json_ws(p + 1, e);
		while (p < e && *p != '}') {
			if (!(p = plain_str(p, e, &k, &kn)))
				return -1;
			p = json_ws(p, e);
			if (p >= e || *p != ':')
				return -1;
			p = json_ws(p + 1, e);
			if (!(p = plain_str(p, e, &v, &vn)))
				return -1;
			if (kn == 4 && memcmp(k, "name", 4) == 0 && !name) {
				name = v;
				nlen = vn;
			} else if (kn == 5 && memcmp(k, "value", 5) == 0 && !value) {
				value = v;
				vlen = vn;
			} else {
				return -1;
			}
			p = json_ws(p, e);
			if (p < e && *p == ',') {
				p = json_ws(p + 1, e);
				if (p < e && *p == '}')
					return -1; /* a trailing comma */
			} else if (p >= e || *p != '}') {
				return -1;
			}
		}
		if (p >= e || !name || !value)
			return -1;
		if (nlen)
			hdr_list_add(l, (const char *)name, nlen, (const char *)value, vlen);
		p = json_ws(p + 1, e);
		if (p < e) {
			if (*p != ',')
				return -1;
			p = json_ws(p + 1, e);
			if (p >= e || *p != '{')
				return -1;
		}
	}
	return 0;
}

/* Pieces of an entry handed to jansson around the lifted strings. */
struct lift_pieces {
	const unsigned char *p[5];
	size_t n[5];
	size_t i, off, np;
};

static size_t lift_read(void *buf, size_t len, void *data)
{
	struct lift_pieces *lp = data;
	size_t got = 0;
	while (got < len && lp->i < lp->np) {
		size_t k = lp->n[lp->i] - lp->off;
		if (k > len - got)
			k = len - got;
		if (k)
			memcpy((char *)buf + got, lp->p[lp->i] + lp->off, k);
		got += k;
		lp->off += k;
		if (lp->off == lp->n[lp->i]) {
			lp->i++;
			lp->off = 0;
		}
	}
	return got;
}

/* Parse the entry [start, end) with jansson, leaving out the lifted
 * strings (decoded into r->lift.u).  Whatever goes wrong with the lifted
 * parse, the whole entry is parsed as before, so errors and their
 * positions stay those of jansson.  NULL with err filled on a syntax
 * error. */
static json_t *har_parse_entry(struct har_reader *r, size_t start, size_t end, json_error_t *err)
{
	struct har_lift *l = &r->lift;
	struct lift_pieces lp;
	size_t at = start, cuts[4][2];
	int ncut = 0;
	json_t *e;

	for (int i = 0; i < 2; i++) {
		enum junescape_state st;
		size_t n, used;
		if (!l->found[i])
			continue;
		if (l->streamed[i]) {
			l->have[i] = 1;
			continue;
		}
		n = l->close[i] - l->open[i] - 1; /* content and closing quote */
		junescape_reset(&l->u[i], LIFT_CAP, n);
		used = junescape_feed(&l->u[i], r->buf + (l->open[i] + 1 - r->base), n, 1, &st);
		if (st != JU_END || used != n - 1) {
			junescape_release(&l->u[i]);
			continue; /* jansson will say what is wrong */
		}
		l->have[i] = 1;
	}
	for (int i = 0; i < 2; i++) {
		if (l->have[i] && !l->streamed[i] && l->close[i] - l->open[i] > 2) {
			cuts[ncut][0] = l->open[i] + 1;
			cuts[ncut][1] = l->close[i] - 1;
			ncut++;
		}
	}
	for (int i = 0; i < 2; i++) {
		hdr_list_release(&l->hdrs[i]);
		l->hhave[i] = 0;
		if (!l->hfound[i] || l->hopen[i] < start || l->hclose[i] > end ||
		    l->hclose[i] - l->hopen[i] < 2 ||
		    lift_header_array(r->buf + (l->hopen[i] + 1 - r->base),
				      r->buf + (l->hclose[i] - 1 - r->base), &l->hdrs[i]) < 0) {
			hdr_list_release(&l->hdrs[i]);
			continue;
		}
		l->hhave[i] = 1;
		if (l->hclose[i] - l->hopen[i] > 2) {
			cuts[ncut][0] = l->hopen[i] + 1;
			cuts[ncut][1] = l->hclose[i] - 1;
			ncut++;
		}
	}
	/* in the order of the text; the four spans never overlap */
	for (int a = 1; a < ncut; a++)
		for (int k = a; k > 0 && cuts[k][0] < cuts[k - 1][0]; k--) {
			size_t t0 = cuts[k][0], t1 = cuts[k][1];
			cuts[k][0] = cuts[k - 1][0];
			cuts[k][1] = cuts[k - 1][1];
			cuts[k - 1][0] = t0;
			cuts[k - 1][1] = t1;
		}
	if (!ncut)
		return rd_parse(r, start, end, err);
	memset(&lp, 0, sizeof(lp));
	for (int k = 0; k < ncut; k++) {
		lp.p[k] = r->buf + (at - r->base);
		lp.n[k] = cuts[k][0] - at;
		at = cuts[k][1];
	}
	lp.p[ncut] = r->buf + (at - r->base);
	lp.n[ncut] = end - at;
	lp.np = (size_t)ncut + 1;
	e = json_load_callback(lift_read, &lp, JSON_DECODE_ANY | JSON_ALLOW_NUL, err);
	if (!e) {
		lift_reset(l);
		e = rd_parse(r, start, end, err);
	}
	return e;
}

/* An entry jansson refused: when invalid UTF-8, a broken \\u escape or a
 * raw control byte inside a string was the trouble, parse it again with
 * those replaced (U+FFFD), say so in a note and make the source partial.
 * NULL when the entry is still not JSON. */
static json_t *har_repair_entry(struct har_ctx *hc, struct har_reader *r, size_t start,
				size_t end)
{
	size_t len;
	long fixed;
	char *fix, msg[160];
	json_t *e;

	if (start < r->base || end > r->base + r->len || end <= start)
		return NULL;
	fix = json_text_repair((const char *)r->buf + (start - r->base), end - start, &len, &fixed);
	e = fixed ? json_loadb(fix, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL) : NULL;
	free(fix);
	if (!e)
		return NULL;
	lift_reset(&r->lift); /* the lifted strings were parsed again */
	snprintf(msg, sizeof(msg),
		 "entry %ld: %ld invalid UTF-8 sequences or escapes replaced with U+FFFD",
		 hc->entries + 1, fixed);
	hc->sink->note(hc->sink->ctx, NOTE_SKIPPED, -1, msg);
	hc->repaired += fixed;
	return e;
}

/* Record a damaged end of file: PARTIAL status with position and a note. */
static void har_damaged(struct har_ctx *hc, struct har_reader *r, size_t pos,
			enum note_kind kind, const char *what)
{
	long line, col;
	rd_linecol(r, pos, &line, &col);
	import_fail(hc->res, IMPORT_PARTIAL, "line %ld, column %ld: %s (%ld complete entries kept)",
		    line, col, what, hc->entries);
	hc->sink->note(hc->sink->ctx, kind, -1, hc->res->message);
}

/* Stop at an entry with a JSON syntax error that also broke the framing:
 * PARTIAL status with jansson's position and message, and a note. */
static void har_entry_invalid(struct har_ctx *hc, struct har_reader *r, size_t start,
			      const json_error_t *err)
{
	long line, col;

	err_position(r, start, err, &line, &col);
	import_fail(hc->res, IMPORT_PARTIAL,
		    "line %ld, column %ld: invalid JSON in entry %ld: %s; the rest of the file was "
		    "skipped (%ld complete entries kept)",
		    line, col, hc->entries + 1, err->text, hc->entries);
	hc->sink->note(hc->sink->ctx, NOTE_SKIPPED, -1, hc->res->message);
}

/* An entry the scanner could not delimit (end of input or a bracket
 * mismatch): when jansson finds a syntax error in [start, end) before the
 * end of input, report that error, since a stray quote or bracket also
 * looks like a file cut short to the scanner.  Returns 1 when reported. */
static int har_bad_entry(struct har_ctx *hc, struct har_reader *r, size_t start, size_t end)
{
	json_error_t err;
	json_t *e;

	if (start < r->base || end <= start || end > r->base + r->len)
		return 0;
	e = rd_parse(r, start, end, &err);
	if (e) {
		json_decref(e);
		return 0;
	}
	if (json_error_code(&err) == json_error_premature_end_of_input)
		return 0;
	har_entry_invalid(hc, r, start, &err);
	return 1;
}

/* Read the rest of the input after what the scanner kept and import the
 * whole document.  Returns 0, or -1 when the sink asked to stop. */
static int har_fallback(struct har_ctx *hc, struct har_reader *r)
{
	size_t cap = hc->opts && hc->opts->slurp_cap ? hc->opts->slurp_cap : SLURP_CAP;
	char *rest = NULL;
	size_t restlen = 0, n, off;
	const char *p;
	json_error_t err;
	json_t *root = NULL;
	int rc = 0, src;
	long line = 1, col = 1;

	free(hc->creator);
	hc->creator = NULL;
	if (r->len > cap) {
		import_fail(hc->res, IMPORT_ERROR, "larger than %zu bytes, not read", cap);
		goto out;
	}
	src = r->eof ? 0 : hstream_slurp(r->s, cap - r->len, &rest, &restlen);
	if (src == -1) {
		import_fail(hc->res, IMPORT_ERROR, "read error: %s", r->s->errmsg);
		goto out;
	}
	if (src == -2) {
		import_fail(hc->res, IMPORT_ERROR, "larger than %zu bytes, not read", cap);
		goto out;
	}
	if (restlen) {
		r->buf = xgrow(r->buf, &r->alloc, r->len + restlen, 1);
		memcpy(r->buf + r->len, rest, restlen);
		r->len += restlen;
	}
	free(rest);
	rest = NULL;
	p = (const char *)r->buf;
	n = r->len;
	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		p += 3;
		n -= 3;
	}
	while (n && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
		p++;
		n--;
	}
	strip_jsonp(&p, &n);
	off = (size_t)(p - (const char *)r->buf);
	advance_lc(r->buf, off, &line, &col);
	root = json_loadb(p, n, JSON_ALLOW_NUL, &err);
	if (!root && (json_error_code(&err) == json_error_invalid_utf8 ||
		      json_error_code(&err) == json_error_invalid_syntax)) {
		/* invalid UTF-8 or a broken escape: read it with U+FFFD instead */
		size_t flen;
		long fixed;
		char *fix = json_text_repair(p, n, &flen, &fixed);
		root = fixed ? json_loadb(fix, flen, JSON_ALLOW_NUL, NULL) : NULL;
		free(fix);
		if (root) {
			char msg[128];
			snprintf(msg, sizeof(msg), "%ld invalid UTF-8 sequences or escapes replaced "
				 "with U+FFFD", fixed);
			hc->sink->note(hc->sink->ctx, NOTE_SKIPPED, -1, msg);
			hc->repaired += fixed;
		}
	}
	if (!root) {
		if (err.line == 1)
			col += err.column - 1;
		else
			col = err.column;
		if (err.line > 0)
			line += err.line - 1;
		import_fail(hc->res, IMPORT_ERROR, "line %ld, column %ld: invalid JSON: %s", line, col,
			    err.text);
		goto out;
	}
	rc = har_root(hc, root);
out:
	json_decref(root);
	free(rest);
	return rc;
}

enum log_key { LK_OTHER, LK_CREATOR, LK_BROWSER };

/* Which log member the key at [start, end) names. */
static enum log_key log_key_kind(const struct har_reader *r, size_t start, size_t end)
{
	return key_is(r, start, end, "creator")	  ? LK_CREATOR
	       : key_is(r, start, end, "browser") ? LK_BROWSER
						  : LK_OTHER;
}

/* Capture a value [start, end) that the scanner passed in the log object:
 * creator and browser are kept for the producer note. */
static void har_keep_log_value(struct har_reader *r, enum log_key kind, size_t start,
			       size_t end, json_t **creator, json_t **browser)
{
	json_t **slot = kind == LK_CREATOR ? creator : kind == LK_BROWSER ? browser : NULL;
	json_error_t err;
	if (!slot || r->buf[start - r->base] != '{')
		return;
	json_decref(*slot);
	*slot = rd_parse(r, start, end, &err);
}

/* The key of the next member of an object at *pos ("key" then ':'), in
 * [*kstart, *kend), leaving *pos on the member's value and *c on its
 * first byte.  0 when no member key follows: *c holds the byte found (or
 * rd_ws()'s -1/-2), *sc how the key's scan ended. */
static int member_key(struct har_reader *r, size_t *pos, size_t *kstart, size_t *kend,
		      int *oversize, int *c, enum scan_rc *sc)
{
	if ((*c = rd_ws(r, pos)) != '"')
		return 0;
	*kstart = *pos;
	if ((*sc = scan_value(r, *kstart, HAR_ENTRY_CAP, kend, oversize)) != SC_OK)
		return 0;
	*pos = *kend;
	if ((*c = rd_ws(r, pos)) != ':')
		return 0;
	(*pos)++;
	*c = rd_ws(r, pos);
	return 1;
}

/* Past a member's value (ending at vend) and the ',' after it; 0 (with
 * the byte found in *c) when the object does not go on. */
static int member_next(struct har_reader *r, size_t *pos, size_t vend, int *c)
{
	*pos = vend;
	if ((*c = rd_ws(r, pos)) != ',')
		return 0;
	(*pos)++;
	return 1;
}

/* Stream a HAR entry by entry (see import.h); returns 0, or -1 when the
 * sink asked to stop. */
int import_har(struct hstream *s, const struct import_opts *opts, struct import_sink *sink,
	       struct import_result *res)
{
	struct har_reader r;
	struct har_ctx hc;
	json_t *creator = NULL, *browser = NULL;
	size_t pos = 0, kstart, kend, vend;
	int c, rc = 0, jsonp = 0, oversize, noted = 0, saw_log = 0;
	enum scan_rc sc = SC_OK;
	enum log_key kind;

	memset(&r, 0, sizeof(r));
	r.s = s;
	r.line = r.col = 1;
	har_ctx_init(&hc, opts, sink, res);

	/* framing: BOM, whitespace, JSONP callback */
	if (rd_byte(&r, 0) == 0xef && rd_byte(&r, 1) == 0xbb && rd_byte(&r, 2) == 0xbf)
		pos = 3;
	c = rd_ws(&r, &pos);
	if (c == -1) {
		import_fail(res, IMPORT_ERROR, "empty file");
		goto out;
	}
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$') {
		size_t p2 = pos;
		while ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' ||
		       c == '.' || (c >= '0' && c <= '9'))
			c = rd_byte(&r, ++p2);
		c = rd_ws(&r, &p2);
		if (c == '(') {
			jsonp = 1;
			pos = p2 + 1;
			c = rd_ws(&r, &pos);
		} else {
			c = rd_byte(&r, pos);
		}
	}
	if (c == -2)
		goto readerr;
	if (c == '[')
		goto fallback;
	if (c != '{') {
		long line, col;
		rd_linecol(&r, pos, &line, &col);
		if (c < 0)
			import_fail(res, IMPORT_ERROR, "line %ld, column %ld: not JSON: no value", line,
				    col);
		else
			import_fail(res, IMPORT_ERROR,
				    "line %ld, column %ld: not JSON: found '%c' where '{' was expected",
				    line, col, c >= 0x20 && c < 0x7f ? c : '?');
		goto out;
	}

	/* top-level object: find "log" */
	pos++;
	for (;;) {
		if (!member_key(&r, &pos, &kstart, &kend, &oversize, &c, &sc))
			goto prefix_end;
		if (c == '{' && key_is(&r, kstart, kend, "log"))
			break;
		if ((sc = scan_value(&r, pos, HAR_ENTRY_CAP, &vend, &oversize)) != SC_OK ||
		    !member_next(&r, &pos, vend, &c))
			goto prefix_end;
	}

	/* log object: find "entries", keep creator and browser */
	saw_log = 1;
	pos++;
	for (;;) {
		if (!member_key(&r, &pos, &kstart, &kend, &oversize, &c, &sc))
			goto prefix_end;
		if (c == '[' && key_is(&r, kstart, kend, "entries"))
			break;
		kind = log_key_kind(&r, kstart, kend);
		if ((sc = scan_value(&r, pos, HAR_ENTRY_CAP, &vend, &oversize)) != SC_OK)
			goto prefix_end;
		har_keep_log_value(&r, kind, pos, vend, &creator, &browser);
		if (!member_next(&r, &pos, vend, &c))
			goto prefix_end;
	}

	/* committed: stream the entries, dropping what is done */
	r.discard = 1;
	if (creator) {
		har_creator(&hc, creator, browser);
		noted = 1;
	}
	pos++;
	c = rd_ws(&r, &pos);
	if (c == ']')
		goto entries_done;
	for (;;) {
		if (c == -2)
			goto readerr;
		if (c == -1) {
			har_damaged(&hc, &r, pos, NOTE_TRUNCATED_FILE,
				    hc.entries ? "file ends after an entry" : "file ends in the entries");
			goto out;
		}
		lift_reset(&r.lift);
		r.lift.hdr_cut[LIFT_RESP] = r.lift.hdr_cut[LIFT_REQ] = 0;
		r.lift.on = 1;
		sc = scan_value(&r, pos, HAR_ENTRY_CAP, &vend, &oversize);
		r.lift.on = 0;
		if (sc == SC_READERR)
			goto readerr;
		if (sc == SC_EOF) {
			char what[64];
			if (!oversize && har_bad_entry(&hc, &r, pos, r.base + r.len))
				goto out;
			snprintf(what, sizeof(what), "file ends inside entry %ld", hc.entries + 1);
			har_damaged(&hc, &r, r.base + r.len, NOTE_TRUNCATED_FILE, what);
			goto out;
		}
		if (sc == SC_DEPTH && pos >= r.base) {
			/* too deep: skip this entry only, the next is read */
			char msg[128];
			sc = skip_value(&r, pos, &vend);
			if (sc == SC_READERR)
				goto readerr;
			if (sc == SC_OK) {
				hc.entries++;
				hc.skipped++;
				snprintf(msg, sizeof(msg), "entry %ld skipped: nested deeper than %d levels",
					 hc.entries, HAR_MAX_DEPTH);
				sink->note(sink->ctx, NOTE_SKIPPED, -1, msg);
				goto next_entry;
			}
			if (sc == SC_EOF) {
				snprintf(msg, sizeof(msg), "file ends inside entry %ld (nested deeper than %d levels)",
					 hc.entries + 1, HAR_MAX_DEPTH);
				har_damaged(&hc, &r, r.base + r.len, NOTE_TRUNCATED_FILE, msg);
				goto out;
			}
		}
		if (sc != SC_OK) {
			char what[96];
			if (!oversize && sc != SC_DEPTH && har_bad_entry(&hc, &r, pos, vend + 1))
				goto out;
			snprintf(what, sizeof(what), "%s in entry %ld; the rest of the file was skipped",
				 sc == SC_DEPTH ? "nesting too deep" : "mismatched bracket",
				 hc.entries + 1);
			har_damaged(&hc, &r, vend, NOTE_SKIPPED, what);
			goto out;
		}
		if (oversize || vend - pos > HAR_ENTRY_CAP) {
			char msg[96];
			hc.entries++;
			hc.skipped++;
			snprintf(msg, sizeof(msg), "entry %ld is larger than %zu MiB; skipped",
				 hc.entries, HAR_ENTRY_CAP >> 20);
			sink->note(sink->ctx, NOTE_SKIPPED, -1, msg);
		} else {
			json_error_t err;
			json_t *e = har_parse_entry(&r, pos, vend, &err);
			if (!e)
				e = har_repair_entry(&hc, &r, pos, vend);
			if (!e) {
				/* Skip it, unless what follows shows that the scanner
				 * mis-delimited the entry (a stray quote or bracket). */
				size_t p2 = vend;
				long line, col;
				char msg[400];
				c = rd_ws_keep(&r, &p2, pos);
				if (c == -2)
					goto readerr;
				if (c != ',' && c != ']') {
					har_entry_invalid(&hc, &r, pos, &err);
					goto out;
				}
				err_position(&r, pos, &err, &line, &col);
				hc.entries++;
				hc.skipped++;
				snprintf(msg, sizeof(msg), "entry %ld skipped: line %ld, column %ld: %s",
					 hc.entries, line, col, err.text);
				sink->note(sink->ctx, NOTE_SKIPPED, -1, msg);
			} else {
				int erc;
				hc.lift = &r.lift;
				erc = har_entry(&hc, e);
				hc.lift = NULL;
				json_decref(e);
				if (erc < 0) {
					rc = -1;
					goto out;
				}
			}
		}
	next_entry:
		pos = vend;
		c = rd_ws(&r, &pos);
		if (c == ',') {
			pos++;
			c = rd_ws(&r, &pos);
			if (c == ']')
				break;
			continue;
		}
		if (c == ']')
			break;
		if (c == -1 || c == -2)
			continue;
		{
			char what[96];
			snprintf(what, sizeof(what), "expected ',' or ']' after entry %ld; the rest "
				 "of the file was skipped", hc.entries);
			har_damaged(&hc, &r, pos, NOTE_SKIPPED, what);
			goto out;
		}
	}
entries_done:
	pos++;

	/* the rest of log (creator may come after entries), then the top level */
	for (int level = 0; level < 2; level++) {
		for (;;) {
			c = rd_ws(&r, &pos);
			if (c == '}') {
				pos++;
				break;
			}
			if (c != ',')
				goto tail_bad;
			pos++;
			if ((c = rd_ws(&r, &pos)) != '"')
				goto tail_bad;
			kstart = pos;
			if ((sc = scan_value(&r, kstart, HAR_ENTRY_CAP, &kend, &oversize)) != SC_OK)
				goto tail_bad_sc;
			kind = log_key_kind(&r, kstart, kend);
			pos = kend;
			if ((c = rd_ws(&r, &pos)) != ':')
				goto tail_bad;
			pos++;
			c = rd_ws(&r, &pos);
			if ((sc = scan_value(&r, pos, HAR_ENTRY_CAP, &vend, &oversize)) != SC_OK)
				goto tail_bad_sc;
			if (level == 0 && !noted)
				har_keep_log_value(&r, kind, pos, vend, &creator, &browser);
			pos = vend;
		}
		if (level == 0 && !noted && creator) {
			har_creator(&hc, creator, browser);
			noted = 1;
		}
	}
	c = rd_ws(&r, &pos);
	if (jsonp && c == ')') {
		pos++;
		c = rd_ws(&r, &pos);
		if (c == ';') {
			pos++;
			c = rd_ws(&r, &pos);
		}
	}
	if (c == -1)
		goto out;
	goto tail_bad;
tail_bad_sc:
	if (sc == SC_EOF)
		c = -1;
	else if (sc == SC_READERR)
		c = -2;
tail_bad:
	if (c == -2)
		goto readerr;
	if (!noted && creator) {
		har_creator(&hc, creator, browser);
		noted = 1;
	}
	har_damaged(&hc, &r, c == -1 ? r.base + r.len : pos,
		    c == -1 ? NOTE_TRUNCATED_FILE : NOTE_SKIPPED,
		    c == -1 ? "file ends after the entries" : "unexpected text after the entries");
	goto out;

prefix_end:
	/* not the plain {"log":{..."entries":[ shape (or damaged before it) */
	if (c == -2 || sc == SC_READERR)
		goto readerr;
	if (saw_log && (c == -1 || sc == SC_EOF)) {
		long line, col;
		rd_linecol(&r, r.base + r.len, &line, &col);
		import_fail(res, IMPORT_PARTIAL,
			    "line %ld, column %ld: file ends before the first entry (0 complete "
			    "entries kept)", line, col);
		sink->note(sink->ctx, NOTE_TRUNCATED_FILE, -1, res->message);
		goto out;
	}
fallback:
	rc = har_fallback(&hc, &r);
	goto out;

readerr:
	if (hc.entries)
		import_fail(res, IMPORT_PARTIAL, "read error: %s (%ld complete entries kept)",
			    s->errmsg, hc.entries);
	else
		import_fail(res, IMPORT_ERROR, "read error: %s", s->errmsg);
out:
	hstream_drain(s);
	har_finish(&hc);
	json_decref(creator);
	json_decref(browser);
	lift_free(&r.lift);
	free(r.buf);
	return rc;
}
