/* fragment-unwrap.c - undo the encodings a pasted error went through.
 *
 * A failure quoted in a ticket has often been re-encoded on its way: a
 * JSON string inside another JSON error (escaped quotes, \n, \u003c),
 * a Python dict or bytes repr, a Node util.inspect dump, a Ruby string
 * literal, HTML entities, quoted-printable.  These helpers turn each back
 * into the bytes the server sent, with caps on size and depth.
 */
#include <config.h>

#include <ctype.h>
#include <string.h>

#include "fragment-int.h"
#include "util.h"

/* Append code point cp as UTF-8. */
static void add_utf8(struct sbuf *b, unsigned cp)
{
	if (cp < 0x80) {
		sbuf_addc(b, (int)cp);
	} else if (cp < 0x800) {
		sbuf_addc(b, (int)(0xc0 | cp >> 6));
		sbuf_addc(b, (int)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		sbuf_addc(b, (int)(0xe0 | cp >> 12));
		sbuf_addc(b, (int)(0x80 | ((cp >> 6) & 0x3f)));
		sbuf_addc(b, (int)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x110000) {
		sbuf_addc(b, (int)(0xf0 | cp >> 18));
		sbuf_addc(b, (int)(0x80 | ((cp >> 12) & 0x3f)));
		sbuf_addc(b, (int)(0x80 | ((cp >> 6) & 0x3f)));
		sbuf_addc(b, (int)(0x80 | (cp & 0x3f)));
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Read n hex digits at p; -1 when they are not all hex. */
static long hexn(const char *p, const char *e, int n)
{
	long v = 0;
	for (int i = 0; i < n; i++) {
		int h = p + i < e ? hexval((unsigned char)p[i]) : -1;
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

size_t unescape_string(const char *p, size_t n, int quote, struct sbuf *out, int *closed)
{
	const char *s = p, *e = p + n;
	*closed = 0;
	while (s < e) {
		int c = (unsigned char)*s;
		if (c == quote) {
			*closed = 1;
			return (size_t)(s - p) + 1;
		}
		if (c != '\\' || s + 1 >= e) {
			sbuf_addc(out, c);
			s++;
			continue;
		}
		s++;
		c = (unsigned char)*s++;
		switch (c) {
		case 'n': sbuf_addc(out, '\n'); break;
		case 'r': sbuf_addc(out, '\r'); break;
		case 't': sbuf_addc(out, '\t'); break;
		case 'b': sbuf_addc(out, '\b'); break;
		case 'f': sbuf_addc(out, '\f'); break;
		case '0': sbuf_addc(out, 0); break;
		case 'e': sbuf_addc(out, 0x1b); break;
		case 'x': {
			long v = hexn(s, e, 2);
			if (v >= 0) {
				sbuf_addc(out, (int)v);
				s += 2;
			} else {
				sbuf_adds(out, "\\x");
			}
			break;
		}
		case 'u': {
			long v = hexn(s, e, 4);
			if (v < 0) {
				sbuf_adds(out, "\\u");
				break;
			}
			s += 4;
			if (v >= 0xd800 && v < 0xdc00 && e - s >= 6 && s[0] == '\\' && s[1] == 'u') {
				long lo = hexn(s + 2, e, 4);
				if (lo >= 0xdc00 && lo < 0xe000) {
					v = 0x10000 + ((v - 0xd800) << 10) + (lo - 0xdc00);
					s += 6;
				}
			}
			if (v >= 0xd800 && v < 0xe000)
				v = 0xfffd;
			add_utf8(out, (unsigned)v);
			break;
		}
		case '\n': /* line continuation */
			break;
		default:
			sbuf_addc(out, c);
			break;
		}
	}
	return n;
}

/* Named entities worth knowing in error pages. */
static const struct {
	const char *name;
	unsigned cp;
} entities[] = {
	{ "lt", '<' }, { "gt", '>' }, { "amp", '&' }, { "quot", '"' }, { "apos", '\'' },
	{ "nbsp", 0xa0 }, { "rsquo", 0x2019 }, { "lsquo", 0x2018 }, { "rdquo", 0x201d },
	{ "ldquo", 0x201c }, { "hellip", 0x2026 }, { "mdash", 0x2014 }, { "ndash", 0x2013 },
	{ "copy", 0xa9 }, { NULL, 0 }
};

void entity_decode(const char *p, size_t n, struct sbuf *out)
{
	const char *s = p, *e = p + n;
	while (s < e) {
		if (*s == '&') {
			const char *semi = memchr(s, ';', (size_t)(e - s) < 12 ? (size_t)(e - s) : 12);
			if (semi) {
				const char *nm = s + 1;
				size_t nl = (size_t)(semi - nm);
				long cp = -1;
				if (nl >= 2 && nm[0] == '#') {
					long v = 0;
					int ok = 1;
					if (nm[1] == 'x' || nm[1] == 'X') {
						for (size_t i = 2; i < nl && ok; i++) {
							int h = hexval((unsigned char)nm[i]);
							ok = h >= 0;
							v = v * 16 + h;
						}
						ok = ok && nl > 2;
					} else {
						for (size_t i = 1; i < nl && ok; i++) {
							ok = isdigit((unsigned char)nm[i]);
							v = v * 10 + (nm[i] - '0');
						}
					}
					if (ok && v > 0 && v < 0x110000)
						cp = v;
				} else {
					for (int i = 0; entities[i].name; i++)
						if (strlen(entities[i].name) == nl && !memcmp(entities[i].name, nm, nl))
							cp = entities[i].cp;
				}
				if (cp >= 0) {
					add_utf8(out, (unsigned)cp);
					s = semi + 1;
					continue;
				}
			}
		}
		sbuf_addc(out, (unsigned char)*s++);
	}
}

int looks_qp(const char *p, size_t n)
{
	size_t soft = 0, eq3d = 0, pairs = 0;
	for (size_t i = 0; i + 2 < n; i++) {
		if (p[i] != '=')
			continue;
		if (p[i + 1] == '\n' || (p[i + 1] == '\r' && p[i + 2] == '\n'))
			soft++;
		else if (p[i + 1] == '3' && p[i + 2] == 'D')
			eq3d++;
		else if (i + 5 < n && hexval((unsigned char)p[i + 1]) >= 0 && hexval((unsigned char)p[i + 2]) >= 0 &&
			 p[i + 3] == '=' && hexval((unsigned char)p[i + 4]) >= 0 &&
			 hexval((unsigned char)p[i + 5]) >= 0 && !islower((unsigned char)p[i + 1]) &&
			 !islower((unsigned char)p[i + 4]))
			pairs++; /* =E2=80: an encoded UTF-8 sequence */
	}
	/* soft line breaks with an escape, or many escapes that only QP writes
	 * (key=value logs have "=20" but never "=3D" or "=C3=A9") */
	return (soft >= 2 && (eq3d || pairs)) || eq3d >= 3 || pairs >= 3;
}

void qp_decode_to(const char *p, size_t n, struct sbuf *out)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '=' && i + 1 < n && p[i + 1] == '\n') {
			i++;
		} else if (p[i] == '=' && i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n') {
			i += 2;
		} else if (p[i] == '=' && i + 2 < n && hexval((unsigned char)p[i + 1]) >= 0 &&
			   hexval((unsigned char)p[i + 2]) >= 0) {
			sbuf_addc(out, hexval((unsigned char)p[i + 1]) * 16 + hexval((unsigned char)p[i + 2]));
			i += 2;
		} else {
			sbuf_addc(out, (unsigned char)p[i]);
		}
	}
}

size_t bracket_end(const char *p, size_t n, int *complete)
{
	int depth = 0;
	char stack[256];
	*complete = 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)p[i];
		if (c == '"' || c == '\'') {
			/* A quote in a word ("it's") is not a string in any literal form. */
			if (c == '\'' && i > 0 && isalnum((unsigned char)p[i - 1]) &&
			    !(i == 1 && p[0] == 'b'))
				continue;
			i++;
			while (i < n && (unsigned char)p[i] != c && p[i] != '\n') {
				if (p[i] == '\\')
					i++;
				i++;
			}
			if (i >= n)
				return n;
			continue;
		}
		if (c == '{' || c == '[') {
			if (depth >= (int)sizeof stack)
				return n;
			stack[depth++] = (char)(c == '{' ? '}' : ']');
		} else if (c == '}' || c == ']') {
			if (depth == 0 || stack[depth - 1] != c)
				return i; /* mismatched: stop before it */
			if (--depth == 0) {
				*complete = 1;
				return i + 1;
			}
		}
	}
	return n;
}

/* The word at p of [A-Za-z0-9_$]; its length. */
static size_t ident_len(const char *p, const char *e)
{
	const char *s = p;
	while (s < e && (isalnum((unsigned char)*s) || *s == '_' || *s == '$'))
		s++;
	return (size_t)(s - p);
}

static const char *skip_blank(const char *s, const char *e)
{
	while (s < e && isspace((unsigned char)*s))
		s++;
	return s;
}

/* Emit the JSON string for a literal string of quote q starting after it. */
static const char *lit_string(const char *s, const char *e, int q, struct sbuf *out)
{
	struct sbuf raw = SBUF_INIT;
	int closed;
	size_t used = unescape_string(s, (size_t)(e - s), q, &raw, &closed);
	sbuf_addc(out, '"');
	for (size_t i = 0; i < raw.len; i++) {
		unsigned char c = (unsigned char)raw.data[i];
		if (c == '"' || c == '\\') {
			sbuf_addc(out, '\\');
			sbuf_addc(out, c);
		} else if (c < 0x20) {
			sbuf_addf(out, "\\u%04x", c);
		} else {
			sbuf_addc(out, c);
		}
	}
	sbuf_addc(out, '"');
	sbuf_release(&raw);
	return s + used;
}

char *literal_to_json(const char *p, size_t n)
{
	struct sbuf out = SBUF_INIT;
	const char *s = p, *e = p + n;
	int prev_str = 0; /* the last value written was a string (for 'a' + 'b') */

	while (s < e) {
		int c = (unsigned char)*s;
		if (isspace(c)) {
			s++;
			continue;
		}
		if (c == '"' || c == '\'' || c == '`') {
			if (prev_str == 2) {
				/* 'a' + 'b': join by dropping the closing quote */
				out.len--;
				struct sbuf tmp = SBUF_INIT;
				s = lit_string(s + 1, e, c, &tmp);
				sbuf_add(&out, tmp.data + 1, tmp.len - 1);
				sbuf_release(&tmp);
			} else {
				s = lit_string(s + 1, e, c, &out);
			}
			prev_str = 1;
			continue;
		}
		if (c == '+' && prev_str) {
			prev_str = 2;
			s++;
			continue;
		}
		prev_str = 0;
		if ((c == 'b' || c == 'u' || c == 'r') && s + 1 < e && (s[1] == '\'' || s[1] == '"')) {
			s++; /* Python b'..' / u'..' prefixes */
			continue;
		}
		if (c == '<') {
			/* <ref *1> */
			const char *gt = memchr(s, '>', (size_t)(e - s));
			s = gt ? gt + 1 : e;
			continue;
		}
		if (c == '[' && s + 1 < e && (isupper((unsigned char)s[1]) || s[1] == '\'')) {
			/* [Object], [Array], [Circular *1], [Function: f], [Getter] */
			const char *rb = memchr(s, ']', (size_t)(e - s));
			if (rb && rb - s < 80 && !memchr(s, ',', (size_t)(rb - s))) {
				sbuf_adds(&out, "null");
				s = rb + 1;
				continue;
			}
		}
		if (c == '.' && s + 2 < e && s[1] == '.' && s[2] == '.') {
			/* "... 12 more items": drop, and the comma before it */
			while (s < e && *s != ',' && *s != '}' && *s != ']' && *s != '\n')
				s++;
			while (out.len && (out.data[out.len - 1] == ',' || isspace((unsigned char)out.data[out.len - 1])))
				out.len--;
			continue;
		}
		if (isalpha(c) || c == '_' || c == '$') {
			size_t il = ident_len(s, e);
			const char *after = skip_blank(s + il, e);
			if (after < e && *after == ':' && (after + 1 >= e || after[1] != ':')) {
				sbuf_addc(&out, '"');
				sbuf_add(&out, s, il);
				sbuf_addc(&out, '"');
				s += il;
				continue;
			}
			if (after < e && (*after == '{' || *after == '[' || *after == '(')) {
				/* a constructor name before its dump: AxiosHeaders { */
				if (*after == '(') {
					/* Symbol(x) keeps x as a string; Map(2) and the like drop */
					const char *in = after + 1;
					const char *rp = memchr(in, ')', (size_t)(e - in));
					if (!rp || rp - in > 80) {
						s += il;
						continue;
					}
					if (il == 6 && !memcmp(s, "Symbol", 6)) {
						sbuf_addc(&out, '"');
						sbuf_add(&out, in, (size_t)(rp - in));
						sbuf_addc(&out, '"');
					}
					s = rp + 1;
					continue;
				}
				s = after;
				continue;
			}
			if ((il == 4 && !memcmp(s, "None", 4)) || (il == 9 && !memcmp(s, "undefined", 9)) ||
			    (il == 4 && !memcmp(s, "null", 4)) || (il == 3 && !memcmp(s, "NaN", 3)))
				sbuf_adds(&out, "null");
			else if ((il == 4 && !memcmp(s, "True", 4)) || (il == 4 && !memcmp(s, "true", 4)))
				sbuf_adds(&out, "true");
			else if ((il == 5 && !memcmp(s, "False", 5)) || (il == 5 && !memcmp(s, "false", 5)))
				sbuf_adds(&out, "false");
			else if (il && isdigit(c) == 0) {
				/* a bare word value: keep it as a string */
				sbuf_addc(&out, '"');
				sbuf_add(&out, s, il);
				sbuf_addc(&out, '"');
			}
			s += il ? il : 1;
			continue;
		}
		if (c == ',') {
			/* trailing commas before } or ] */
			const char *a = skip_blank(s + 1, e);
			s++;
			if (a < e && (*a == '}' || *a == ']'))
				continue;
			sbuf_addc(&out, c);
			continue;
		}
		if (c == '(' || c == ')') {
			/* Python tuples read as arrays */
			sbuf_addc(&out, c == '(' ? '[' : ']');
			s++;
			continue;
		}
		sbuf_addc(&out, c);
		s++;
	}
	return sbuf_detach(&out, NULL);
}
