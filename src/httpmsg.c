/* httpmsg.c - the one HTTP message-line grammar (see httpmsg.h). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "httpmsg.h"
#include "util.h"

int httpmsg_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

int httpmsg_is_hex(int c)
{
	return httpmsg_is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int httpmsg_hex_val(int c)
{
	if (httpmsg_is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c - 'A' + 10;
}

int httpmsg_is_tchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || httpmsg_is_digit(c) ||
	       (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static const char *const methods[] = {
	"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS",
	"CONNECT", "TRACE", "PROPFIND", NULL
};

int httpmsg_is_method(const char *p, size_t n)
{
	for (size_t i = 0; methods[i]; i++)
		if (strlen(methods[i]) == n && memcmp(methods[i], p, n) == 0)
			return 1;
	return 0;
}

/* A space or a tab. */
static int is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* Skip blanks; never fails. */
static const char *skip_blanks(const char *s, const char *end)
{
	while (s < end && is_blank(*s))
		s++;
	return s;
}

/* The end of the line s: before any trailing CR and LF. */
static const char *line_end(const char *s)
{
	const char *e = s + strlen(s);
	while (e > s && (e[-1] == '\r' || e[-1] == '\n'))
		e--;
	return e;
}

/* Drop trailing blanks of [s, e); returns the new end. */
static const char *trim_end(const char *s, const char *e)
{
	while (e > s && is_blank(e[-1]))
		e--;
	return e;
}

/* Case-sensitive (STRICT) or ASCII case-insensitive (LENIENT) prefix test
 * on [s, end); returns the rest or NULL. */
static const char *after(const char *s, const char *end, const char *prefix, enum httpmsg_mode mode)
{
	size_t n = strlen(prefix);
	if ((size_t)(end - s) < n)
		return NULL;
	if (mode == HTTPMSG_STRICT ? memcmp(s, prefix, n) != 0 : ascii_ncasecmp(s, prefix, n) != 0)
		return NULL;
	return s + n;
}

/* ---------------------------------------------------------------- status line */

int httpmsg_status_line(const char *s, enum httpmsg_mode mode, struct httpmsg_status *st)
{
	const char *end = line_end(s), *p, *c;
	int code;

	if ((p = after(s, end, "HTTP/", mode)) == NULL)
		return 0;
	if (mode == HTTPMSG_STRICT) {
		if (p >= end || !httpmsg_is_digit(*p))
			return 0;
		p++;
		if (p < end && *p == '.') {
			if (p + 1 >= end || !httpmsg_is_digit(p[1]))
				return 0;
			p += 2;
		}
		if (p >= end || *p != ' ')
			return 0;
		c = p + 1;
	} else {
		while (p < end && (httpmsg_is_digit(*p) || *p == '.'))
			p++;
		if (p == s + 5 || p >= end || *p != ' ')
			return 0;
		c = skip_blanks(p, end);
	}
	if (end - c < 3 || !httpmsg_is_digit(c[0]) || !httpmsg_is_digit(c[1]) ||
	    !httpmsg_is_digit(c[2]))
		return 0;
	if (c + 3 < end && !is_blank(c[3]))
		return 0;
	code = (c[0] - '0') * 100 + (c[1] - '0') * 10 + (c[2] - '0');
	if (code < 100 || (mode == HTTPMSG_LENIENT && code > 599))
		return 0;
	if (st) {
		const char *r = skip_blanks(c + 3, end);
		st->version = s;
		st->version_len = (size_t)(p - s);
		st->code = code;
		st->reason = r;
		st->reason_len = (size_t)(trim_end(r, end) - r);
	}
	return 1;
}

/* ---------------------------------------------------------------- request line */

/* "HTTP/" DIGIT [ "." DIGIT ] filling exactly [v, end). */
static int strict_version(const char *v, const char *end)
{
	if (end - v < 6 || memcmp(v, "HTTP/", 5) != 0 || !httpmsg_is_digit(v[5]))
		return 0;
	if (end - v == 6)
		return 1;
	return end - v == 8 && v[6] == '.' && httpmsg_is_digit(v[7]);
}

static int request_strict(const char *s, const char *end, struct httpmsg_request *rq)
{
	const char *sp1 = memchr(s, ' ', (size_t)(end - s)), *t, *sp2, *te;
	size_t mlen;

	if (!sp1)
		return 0;
	mlen = (size_t)(sp1 - s);
	if (mlen < 3 || mlen > 20)
		return 0;
	for (const char *c = s; c < sp1; c++)
		if (!((*c >= 'A' && *c <= 'Z') || *c == '-' || *c == '_'))
			return 0;
	t = sp1;
	while (t < end && *t == ' ')
		t++;
	sp2 = end;
	while (sp2 > t && sp2[-1] != ' ')
		sp2--;
	if (sp2 <= t)
		return 0; /* no space after the target */
	if (!strict_version(sp2, end))
		return 0;
	te = sp2 - 1;
	while (te > t && te[-1] == ' ')
		te--;
	if (te == t || memchr(t, ' ', (size_t)(te - t)))
		return 0;
	if (rq) {
		rq->method = s;
		rq->method_len = mlen;
		rq->target = t;
		rq->target_len = (size_t)(te - t);
		rq->version = sp2;
		rq->version_len = (size_t)(end - sp2);
	}
	return 1;
}

static int request_lenient(const char *s, const char *end, struct httpmsg_request *rq)
{
	const char *p = s, *tg, *te, *rest, *v = NULL, *ve = NULL;

	end = trim_end(s, end);
	while (p < end && *p >= 'A' && *p <= 'Z')
		p++;
	if (!httpmsg_is_method(s, (size_t)(p - s)) || p >= end || *p != ' ')
		return 0;
	tg = skip_blanks(p, end);
	te = tg;
	while (te < end && !is_blank(*te))
		te++;
	if (te == tg)
		return 0;
	if (!after(tg, te, "http://", HTTPMSG_LENIENT) && !after(tg, te, "https://", HTTPMSG_LENIENT) &&
	    *tg != '/' && *tg != '*')
		return 0;
	rest = skip_blanks(te, end);
	if (rest < end) {
		if (!after(rest, end, "HTTP/", HTTPMSG_LENIENT))
			return 0;
		ve = rest + 5;
		while (ve < end && !is_blank(*ve))
			ve++;
		if (skip_blanks(ve, end) != end)
			return 0;
		v = rest;
	}
	if (rq) {
		rq->method = s;
		rq->method_len = (size_t)(p - s);
		rq->target = tg;
		rq->target_len = (size_t)(te - tg);
		rq->version = v;
		rq->version_len = v ? (size_t)(ve - v) : 0;
	}
	return 1;
}

int httpmsg_request_line(const char *s, enum httpmsg_mode mode, struct httpmsg_request *rq)
{
	const char *end = line_end(s);
	return mode == HTTPMSG_STRICT ? request_strict(s, end, rq) : request_lenient(s, end, rq);
}

/* ---------------------------------------------------------------- header lines */

/* Strip a list bullet and a pair of backticks (LENIENT decoration). */
static void undecorate(const char **sp, const char **endp)
{
	const char *s = *sp, *end = *endp;
	if (end - s >= 2 && (s[0] == '-' || s[0] == '+') && s[1] == ' ')
		s = skip_blanks(s + 2, end);
	else if (end - s >= 4 && !memcmp(s, "\xe2\x80\xa2 ", 4))
		s = skip_blanks(s + 4, end);
	if (end - s >= 2 && s[0] == '`' && end[-1] == '`') {
		s++;
		end--;
	}
	*sp = s;
	*endp = end;
}

int httpmsg_header_line(const char *s, enum httpmsg_mode mode, struct httpmsg_header *h)
{
	const char *end = line_end(s), *ns, *p, *v;

	if (mode == HTTPMSG_LENIENT)
		undecorate(&s, &end);
	p = s;
	if (mode == HTTPMSG_LENIENT && p < end && *p == ':')
		p++; /* HTTP/2 pseudo header */
	ns = p;
	while (p < end && httpmsg_is_tchar((unsigned char)*p))
		p++;
	if (p == ns || p >= end || *p != ':' || (size_t)(p - s) > HTTPMSG_NAME_MAX)
		return 0;
	v = p + 1;
	if (mode == HTTPMSG_LENIENT) {
		/* "12:30" and "https://x" are not headers. */
		int digits = 1;
		for (const char *q = ns; q < p; q++)
			if (!httpmsg_is_digit(*q))
				digits = 0;
		if (digits)
			return 0;
		if (v < end && !is_blank(*v))
			return 0;
		if (end - v >= 2 && v[0] == '/' && v[1] == '/')
			return 0;
	}
	v = skip_blanks(v, end);
	if (h) {
		h->name = s;
		h->name_len = (size_t)(p - s);
		h->value = v;
		h->value_len = (size_t)(trim_end(v, end) - v);
	}
	return 1;
}

int httpmsg_header_name_only(const char *s)
{
	const char *end = line_end(s), *p = s, *ns;
	if (p < end && *p == ':')
		p++;
	ns = p;
	while (p < end && httpmsg_is_tchar((unsigned char)*p))
		p++;
	return p == end && p > ns && (size_t)(end - s) <= HTTPMSG_NAME_MAX;
}

int httpmsg_is_continuation(const char *s)
{
	const char *end = line_end(s);
	return s < end && is_blank(*s) && skip_blanks(s, end) < end;
}

int httpmsg_fold(struct hdr_list *l, const char *s, size_t *vlen)
{
	const char *end = line_end(s), *v = skip_blanks(s, end);
	struct hdr *h;
	size_t have, n;

	if (!l->n)
		return 0;
	h = &l->v[l->n - 1];
	end = trim_end(v, end);
	n = (size_t)(end - v);
	have = vlen ? *vlen : strlen(h->value);
	if (have + 1 + n < HEADER_VALUE_CAP) {
		char *nv = xasprintf("%s %.*s", h->value, (int)n, v);
		free(h->value);
		h->value = nv;
		have += 1 + n;
	}
	if (vlen)
		*vlen = have;
	return 1;
}

char *httpmsg_version(const char *v, size_t n)
{
	char *raw, *norm;
	if (!v)
		return NULL;
	raw = xstrndup(v, n);
	norm = http_version_normalize(raw);
	free(raw);
	return norm;
}

/* ---------------------------------------------------------------- reason phrases */

static const struct {
	int code;
	const char *text;
} reasons[] = {
	{ 400, "Bad Request" }, { 401, "Unauthorized" }, { 402, "Payment Required" },
	{ 403, "Forbidden" }, { 404, "Not Found" }, { 405, "Method Not Allowed" },
	{ 406, "Not Acceptable" }, { 407, "Proxy Authentication Required" },
	{ 408, "Request Timeout" }, { 409, "Conflict" }, { 410, "Gone" },
	{ 411, "Length Required" }, { 412, "Precondition Failed" },
	{ 413, "Payload Too Large" }, { 413, "Request Entity Too Large" },
	{ 414, "URI Too Long" }, { 415, "Unsupported Media Type" },
	{ 418, "I'm a teapot" }, { 421, "Misdirected Request" },
	{ 422, "Unprocessable Entity" }, { 422, "Unprocessable Content" },
	{ 425, "Too Early" }, { 426, "Upgrade Required" }, { 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" }, { 451, "Unavailable For Legal Reasons" },
	{ 500, "Internal Server Error" }, { 501, "Not Implemented" }, { 502, "Bad Gateway" },
	{ 503, "Service Unavailable" }, { 504, "Gateway Timeout" }, { 504, "Gateway Time-out" },
	{ 505, "HTTP Version Not Supported" }, { 301, "Moved Permanently" }, { 302, "Found" },
	{ 303, "See Other" }, { 304, "Not Modified" }, { 307, "Temporary Redirect" },
	{ 308, "Permanent Redirect" }, { 200, "OK" }, { 201, "Created" }, { 202, "Accepted" },
	{ 204, "No Content" }, { 0, NULL }
};

size_t httpmsg_reason_at(int code, const char *s)
{
	for (size_t i = 0; reasons[i].text; i++) {
		size_t n = strlen(reasons[i].text);
		if (reasons[i].code == code && ascii_ncasecmp(s, reasons[i].text, n) == 0) {
			unsigned char c = (unsigned char)s[n];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || httpmsg_is_digit(c)))
				return n;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- tool error lines */

int httpmsg_curl_error(const char *s, enum httpmsg_mode mode, long *code, const char **msg)
{
	const char *end = s + strlen(s), *p = after(s, end, "curl: (", mode);
	long v = 0;
	int digits = 0;

	if (!p)
		return 0;
	while (httpmsg_is_digit(*p) && digits < 5) {
		v = v * 10 + (*p++ - '0');
		digits++;
	}
	if (!digits || *p != ')')
		return 0;
	*code = v;
	*msg = skip_blanks(p + 1, end);
	return 1;
}

const char *httpmsg_httpie_error(const char *s, enum httpmsg_mode mode)
{
	const char *end = s + strlen(s), *r;
	if ((r = after(s, end, "http: error: ", mode)) != NULL)
		return r;
	return after(s, end, "http: LogLevel.ERROR: ", mode);
}
