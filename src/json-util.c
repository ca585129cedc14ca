/* json-util.c - small jansson accessors shared by the JSON importers. */
#include <config.h>
#include <ctype.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-util.h"
#include "util.h"

const char *jstr_len(const json_t *obj, const char *key, size_t *len)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	if (!json_is_string(v))
		return NULL;
	if (len)
		*len = json_string_length(v);
	return json_string_value(v);
}

const char *jstr(const json_t *obj, const char *key)
{
	return jstr_len(obj, key, NULL);
}

/* Print a real as the shortest of 15 or 17 significant digits that reads
 * back as the same double. */
static void real_text(double d, char *tmp, size_t tmplen)
{
	snprintf(tmp, tmplen, "%.15g", d);
	if (strtod(tmp, NULL) != d)
		snprintf(tmp, tmplen, "%.17g", d);
}

const char *jscalar(const json_t *v, char *tmp, size_t tmplen, size_t *len)
{
	if (json_is_string(v)) {
		*len = json_string_length(v);
		return json_string_value(v);
	}
	if (json_is_integer(v))
		snprintf(tmp, tmplen, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		real_text(json_real_value(v), tmp, tmplen);
	else if (json_is_true(v))
		snprintf(tmp, tmplen, "true");
	else if (json_is_false(v))
		snprintf(tmp, tmplen, "false");
	else
		tmp[0] = '\0';
	*len = strlen(tmp);
	return tmp;
}

char *jtext(const json_t *v, int any_json)
{
	char tmp[64];
	size_t n;
	const char *s;

	if (json_is_string(v) || json_is_number(v) || json_is_boolean(v)) {
		s = jscalar(v, tmp, sizeof(tmp), &n);
		return xstrndup(s, n);
	}
	if (any_json && (json_is_object(v) || json_is_array(v))) {
		char *d = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		char *r = d ? xstrdup(d) : NULL;
		free(d);
		return r;
	}
	return NULL;
}

int jtrue(const json_t *obj, const char *key)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	if (json_is_true(v))
		return 1;
	return json_is_string(v) && strcmp(json_string_value(v), "true") == 0;
}

long long jint(const json_t *v, long long dflt)
{
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v))
		return (long long)json_real_value(v);
	if (json_is_string(v)) {
		long l;
		const char *s = json_string_value(v);
		size_t n = strlen(s);
		trim_span(&s, &n);
		if (n && parse_long(s, n, &l) == 0)
			return l;
	}
	return dflt;
}

int jnum(const json_t *v, double *out)
{
	const char *s;
	char *end;
	double d;

	if (json_is_number(v)) {
		*out = json_number_value(v);
		return 1;
	}
	if (!json_is_string(v))
		return 0;
	s = json_string_value(v);
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return 0;
	d = strtod(s, &end);
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end || end == s || d != d)
		return 0;
	*out = d;
	return 1;
}

int strip_jsonp(const char **p, size_t *n)
{
	const char *s = *p, *e = *p + *n, *open;
	if (s == e || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_' || *s == '$'))
		return 0;
	while (s < e && ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_' ||
			 *s == '$' || *s == '.' || (*s >= '0' && *s <= '9')))
		s++;
	while (s < e && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++;
	if (s == e || *s != '(')
		return 0;
	open = s + 1;
	while (e > open && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n' ||
			    e[-1] == ';'))
		e--;
	if (e > open && e[-1] == ')')
		e--;
	*p = open;
	*n = (size_t)(e - open);
	return 1;
}

static int hex4(const unsigned char *p, size_t n, unsigned *v)
{
	*v = 0;
	if (n < 4)
		return 0;
	for (int i = 0; i < 4; i++) {
		unsigned char c = p[i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
			     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;
		if (d == 16)
			return 0;
		*v = *v << 4 | d;
	}
	return 1;
}

char *json_text_repair(const char *text, size_t n, size_t *outlen, long *fixed)
{
	const unsigned char *p = (const unsigned char *)text;
	struct sbuf b = SBUF_INIT;
	size_t i = 0;
	int in_str = 0;

	*fixed = 0;
	while (i < n) {
		unsigned char c = p[i];
		size_t k;
		if (c >= 0x80) {
			k = utf8_seq_len(p + i, n - i);
			if (k) {
				sbuf_add(&b, (const char *)p + i, k);
				i += k;
			} else {
				sbuf_add(&b, "\xef\xbf\xbd", 3);
				(*fixed)++;
				i++;
			}
			continue;
		}
		if (!in_str) {
			if (c == '"')
				in_str = 1;
			sbuf_add(&b, (const char *)p + i, 1);
			i++;
			continue;
		}
		if (c == '"') {
			in_str = 0;
			sbuf_add(&b, "\"", 1);
			i++;
		} else if (c < 0x20) {
			char esc[8];
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			sbuf_adds(&b, esc);
			(*fixed)++;
			i++;
		} else if (c != '\\') {
			sbuf_add(&b, (const char *)p + i, 1);
			i++;
		} else if (i + 1 < n && strchr("\"\\/bfnrt", p[i + 1]) && p[i + 1]) {
			sbuf_add(&b, (const char *)p + i, 2);
			i += 2;
		} else if (i + 1 < n && p[i + 1] == 'u') {
			unsigned v, w;
			if (!hex4(p + i + 2, n - i - 2, &v)) {
				/* "\\u" and what hex digits there are */
				k = i + 2;
				while (k < n && k < i + 6 && isxdigit(p[k]))
					k++;
				sbuf_adds(&b, "\\ufffd");
				(*fixed)++;
				i = k;
			} else if (v >= 0xd800 && v <= 0xdbff && i + 11 < n && p[i + 6] == '\\' &&
				   p[i + 7] == 'u' && hex4(p + i + 8, n - i - 8, &w) && w >= 0xdc00 &&
				   w <= 0xdfff) {
				sbuf_add(&b, (const char *)p + i, 12);
				i += 12;
			} else if (v >= 0xd800 && v <= 0xdfff) {
				sbuf_adds(&b, "\\ufffd");
				(*fixed)++;
				i += 6;
			} else {
				sbuf_add(&b, (const char *)p + i, 6);
				i += 6;
			}
		} else {
			/* an unknown escape, or a backslash at the end */
			sbuf_adds(&b, "\\ufffd");
			(*fixed)++;
			i += i + 1 < n ? 2 : 1;
		}
	}
	{
		char *out = sbuf_detach(&b, outlen);
		if (!out) {
			out = xstrdup("");
			*outlen = 0;
		}
		return out;
	}
}

/* Append s (n bytes of valid UTF-8) as a JSON string, escaped as jansson
 * escapes it: '"', '\\' and the control characters, by name where JSON
 * has one, else as \u00XX (upper-case hex). */
static void json_quote(struct sbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i = 0, run;

	sbuf_addc(b, '"');
	while (i < n) {
		unsigned char c;

		for (run = i; run < n && (unsigned char)s[run] >= 0x20 && s[run] != '"' && s[run] != '\\';
		     run++)
			;
		sbuf_add(b, s + i, run - i);
		if (run == n)
			break;
		c = (unsigned char)s[run];
		switch (c) {
		case '"':  sbuf_adds(b, "\\\""); break;
		case '\\': sbuf_adds(b, "\\\\"); break;
		case '\b': sbuf_adds(b, "\\b"); break;
		case '\f': sbuf_adds(b, "\\f"); break;
		case '\n': sbuf_adds(b, "\\n"); break;
		case '\r': sbuf_adds(b, "\\r"); break;
		case '\t': sbuf_adds(b, "\\t"); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			sbuf_add(b, u, sizeof(u));
		}
		}
		i = run + 1;
	}
	sbuf_addc(b, '"');
}

char *json_dumps_strings(const json_t *obj)
{
	struct sbuf b = SBUF_INIT;
	const char *k;
	json_t *v;
	int first = 1;

	if (!json_is_object(obj))
		return NULL;
	sbuf_addc(&b, '{');
	json_object_foreach((json_t *)obj, k, v) {
		if (!json_is_string(v)) {
			sbuf_release(&b);
			return NULL;
		}
		if (!first)
			sbuf_add(&b, ", ", 2);
		first = 0;
		json_quote(&b, k, strlen(k));
		sbuf_add(&b, ": ", 2);
		json_quote(&b, json_string_value(v), json_string_length(v));
	}
	sbuf_addc(&b, '}');
	return sbuf_detach(&b, NULL);
}
