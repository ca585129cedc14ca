/* html-text.c - visible text of HTML pages (html-text.h).
 *
 * A small forgiving scanner, not a parser: error pages are short and
 * often malformed, and the goal is the text a person would copy from the
 * browser, so that one rule matches a page's source and its pasted text.
 */
#include <config.h>

#include <stdint.h>
#include <string.h>

#include "html-text.h"

/* Named references that error pages use; the rest stay as written. */
static const struct {
	const char *name;        /* without '&' and ';' */
	uint32_t cp;
} named[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' },
	{ "nbsp", ' ' }, { "copy", 0xA9 }, { "reg", 0xAE }, { "trade", 0x2122 },
	{ "hellip", 0x2026 }, { "mdash", 0x2014 }, { "ndash", 0x2013 }, { "bull", 0x2022 },
	{ "middot", 0xB7 }, { "laquo", 0xAB }, { "raquo", 0xBB }, { "lsquo", 0x2018 },
	{ "rsquo", 0x2019 }, { "ldquo", 0x201C }, { "rdquo", 0x201D }, { "times", 0xD7 },
	{ "euro", 0x20AC }, { "shy", 0xAD }, { "zwnj", 0x200C }, { "zwj", 0x200D },
	{ "ensp", ' ' }, { "emsp", ' ' }, { "thinsp", ' ' }, { "rarr", 0x2192 },
	{ "larr", 0x2190 }, { "deg", 0xB0 }, { "sect", 0xA7 }, { "para", 0xB6 },
};

/* Tags that do not break words: their text runs on with its neighbours. */
static const char *const inline_tags[] = {
	"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i",
	"kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time",
	"tt", "u", "var", NULL
};

/* Append code point cp as UTF-8 (U+FFFD for surrogates and out of range). */
static void put_utf8(struct sbuf *out, uint32_t cp)
{
	if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF || cp == 0)
		cp = 0xFFFD;
	if (cp < 0x80) {
		sbuf_addc(out, (int)cp);
	} else if (cp < 0x800) {
		sbuf_addc(out, (int)(0xC0 | cp >> 6));
		sbuf_addc(out, (int)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		sbuf_addc(out, (int)(0xE0 | cp >> 12));
		sbuf_addc(out, (int)(0x80 | ((cp >> 6) & 0x3F)));
		sbuf_addc(out, (int)(0x80 | (cp & 0x3F)));
	} else {
		sbuf_addc(out, (int)(0xF0 | cp >> 18));
		sbuf_addc(out, (int)(0x80 | ((cp >> 12) & 0x3F)));
		sbuf_addc(out, (int)(0x80 | ((cp >> 6) & 0x3F)));
		sbuf_addc(out, (int)(0x80 | (cp & 0x3F)));
	}
}

static int is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode one character reference; returns bytes consumed or 0. */
size_t html_decode_entity(const char *p, size_t n, struct sbuf *out)
{
	size_t i = 1, k, len;
	uint32_t cp = 0;
	int digits = 0, v;

	if (n < 3 || p[0] != '&')
		return 0;
	if (p[1] == '#') {
		int hex = i + 1 < n && (p[2] == 'x' || p[2] == 'X');
		i = hex ? 3 : 2;
		for (; i < n && digits < 8; i++, digits++) {
			v = hex ? hex_value((unsigned char)p[i]) : (p[i] >= '0' && p[i] <= '9' ? p[i] - '0' : -1);
			if (v < 0)
				break;
			cp = cp * (hex ? 16 : 10) + (uint32_t)v;
		}
		if (digits == 0)
			return 0;
		if (i < n && p[i] == ';')
			i++;
		put_utf8(out, cp);
		return i;
	}
	for (k = 0; k < sizeof(named) / sizeof(named[0]); k++) {
		len = strlen(named[k].name);
		if (1 + len < n && memcmp(p + 1, named[k].name, len) == 0 && p[1 + len] == ';') {
			put_utf8(out, named[k].cp);
			return len + 2;
		}
	}
	return 0;
}

/* Length of [p, p+n) up to the first case-insensitive "</name", or n. */
static size_t find_close(const char *p, size_t n, const char *name)
{
	size_t ln = strlen(name), i;

	for (i = 0; i + 2 + ln <= n; i++)
		if (p[i] == '<' && p[i + 1] == '/' && ascii_ncasecmp(p + i + 2, name, ln) == 0)
			return i;
	return n;
}

/* End of the tag that starts at p[0] == '<' (index after '>', or n);
 * quoted attribute values may hold '>'. */
static size_t tag_end(const char *p, size_t n)
{
	size_t i;
	char q = 0;

	for (i = 1; i < n; i++) {
		if (q) {
			if (p[i] == q)
				q = 0;
		} else if (p[i] == '"' || p[i] == '\'') {
			q = p[i];
		} else if (p[i] == '>') {
			return i + 1;
		}
	}
	return n;
}

/* True when the tag named [t, t+len) is an inline tag. */
static int is_inline(const char *t, size_t len)
{
	size_t k;

	for (k = 0; inline_tags[k]; k++)
		if (strlen(inline_tags[k]) == len && ascii_ncasecmp(t, inline_tags[k], len) == 0)
			return 1;
	return 0;
}

/* Output state: a pending space is written only before the next text. */
struct textout {
	struct sbuf *out;
	size_t start;            /* out->len when we began */
	int space;
};

static void emit_space(struct textout *o)
{
	o->space = 1;
}

static void emit_run(struct textout *o, const char *s, size_t len)
{
	if (o->space && o->out->len > o->start)
		sbuf_addc(o->out, ' ');
	o->space = 0;
	sbuf_add(o->out, s, len);
}

static void emit_byte(struct textout *o, char c)
{
	emit_run(o, &c, 1);
}

/* In markup, '<' and '&' start a tag or an entity. */
static int plain_byte(char c, int markup)
{
	return !is_ws((unsigned char)c) && !(markup && (c == '<' || c == '&'));
}

/* The length of the run at p that is written as it is: plain bytes, and
 * single spaces between them (written the same as a collapsed blank). */
static size_t plain_run(const char *p, size_t n, int markup)
{
	size_t k = 0;
	while (k < n) {
		if (plain_byte(p[k], markup))
			k++;
		else if (p[k] == ' ' && k + 1 < n && plain_byte(p[k + 1], markup))
			k += 2;
		else
			break;
	}
	return k;
}

/* Append the visible text of an HTML page. */
void html_visible_text(const char *p, size_t n, struct sbuf *out)
{
	struct textout o = { out, out->len, 0 };
	struct sbuf ent = SBUF_INIT;
	size_t i = 0, e, k, tl;

	while (i < n) {
		unsigned char c = (unsigned char)p[i];
		if (c == '<' && i + 1 < n && p[i + 1] == '!') {
			/* Comment, doctype or CDATA marker: no text. */
			if (i + 3 < n && p[i + 2] == '-' && p[i + 3] == '-') {
				const char *end = NULL;
				for (k = i + 4; k + 2 < n; k++)
					if (p[k] == '-' && p[k + 1] == '-' && p[k + 2] == '>') {
						end = p + k + 3;
						break;
					}
				i = end ? (size_t)(end - p) : n;
			} else {
				i += tag_end(p + i, n - i);
			}
			emit_space(&o);
			continue;
		}
		if (c == '<' && i + 1 < n && (is_alpha((unsigned char)p[i + 1]) || p[i + 1] == '/' ||
					      p[i + 1] == '?')) {
			size_t ts = i + 1 + (p[i + 1] == '/');
			int closing = p[i + 1] == '/';
			for (tl = 0; ts + tl < n && (is_alpha((unsigned char)p[ts + tl]) ||
						     (p[ts + tl] >= '0' && p[ts + tl] <= '9'));
			     tl++)
				;
			e = i + tag_end(p + i, n - i);
			if (!closing && ((tl == 6 && ascii_ncasecmp(p + ts, "script", 6) == 0) ||
					 (tl == 5 && ascii_ncasecmp(p + ts, "style", 5) == 0) ||
					 (tl == 5 && ascii_ncasecmp(p + ts, "title", 5) == 0))) {
				char name[8];
				memcpy(name, p + ts, tl);
				name[tl] = '\0';
				e += find_close(p + e, n - e, name);
				e += tag_end(p + e, n - e);
			}
			if (!is_inline(p + ts, tl))
				emit_space(&o);
			i = e;
			continue;
		}
		if (c == '&') {
			sbuf_reset(&ent);
			k = html_decode_entity(p + i, n - i, &ent);
			if (k) {
				for (e = 0; e < ent.len; e++) {
					if (is_ws((unsigned char)ent.data[e]))
						emit_space(&o);
					else
						emit_byte(&o, ent.data[e]);
				}
				i += k;
				continue;
			}
		}
		if (is_ws(c)) {
			emit_space(&o);
			i++;
		} else {
			/* this byte, and the text after it up to a tag or entity */
			k = 1 + plain_run(p + i + 1, n - i - 1, 1);
			emit_run(&o, p + i, k);
			i += k;
		}
	}
	sbuf_release(&ent);
}

/* Append a plain-text body with whitespace runs collapsed and trimmed. */
void text_collapse_space(const char *p, size_t n, struct sbuf *out)
{
	struct textout o = { out, out->len, 0 };
	size_t i;

	for (i = 0; i < n;) {
		if (is_ws((unsigned char)p[i])) {
			emit_space(&o);
			i++;
		} else {
			size_t k = plain_run(p + i, n - i, 0);
			emit_run(&o, p + i, k);
			i += k;
		}
	}
}
