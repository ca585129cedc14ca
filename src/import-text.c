/* import-text.c - HTTP pasted into ticket prose.
 *
 * Tickets carry HTTP in many hand-made shapes: raw request/status lines
 * with header blocks, "Request Headers:" / "Response Headers:" captions
 * without a status line, Chrome DevTools' "General" section, Firefox
 * "Copy All", HTTPie output, PowerShell Invoke-WebRequest listings and
 * errors, curl commands and curl error lines, all among ordinary
 * sentences, sometimes inside an e-mail.  This importer splits the text
 * into lines, recognises those parts and groups them into exchanges; what
 * the capture does not say (status, URL) may be taken from the prose right
 * around it, and then says so in status_source.
 */
#include <config.h>

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "caps.h"
#include "cmdline.h"
#include "httpmsg.h"
#include "import.h"
#include "util.h"

#define PROSE_BACK 60          /* prose lines searched before a paste */
#define PROSE_AHEAD 20         /* ... and after it */
#define PLAIN_BODY_LINES 1000  /* lines of an unstructured body */
#define MIME_DEPTH 4

enum side { SIDE_NONE = 0, SIDE_REQ, SIDE_RESP };

struct tline {
	char *raw;       /* the whole line, NUL-terminated, no trailing blanks */
	char *t;         /* raw without indentation and quote prefixes */
	int indent;      /* leading blanks of raw */
	int blank;       /* empty, a fence or a <pre>/<code> wrapper */
	int used;        /* consumed by a capture part (not prose) */
};

struct lines {
	struct tline *v;
	size_t n;
	size_t alloc;
};

struct tctx {
	struct lines *L;
	struct import_sink *sink;
	long seq;
	int sink_failed;

	struct exchange ex;    /* exchange under construction */
	int active;
	size_t first, last;    /* its line span */
	size_t prev_end;       /* first line after the previous exchange */
	int has_reqline;       /* request line, command or Request URL */
	int has_cmd;
	int has_status;
	int has_error;
	int status_1xx;
	int resp_evidence;     /* body or headers of a response */

	enum side hside;       /* side of the header block being read */
	int hsection;          /* header block opened by a caption */
	int raw_block;         /* block opened by a request or status line */
	enum side body_side;   /* a body may follow on this side */
	size_t body_until;     /* ... up to this line */
	size_t scan_budget;    /* lines body scans may still visit (no quadratic time) */
};

/* True for a space or a tab. */
static int is_blank_char(int c)
{
	return c == ' ' || c == '\t';
}

/* Skip blanks; never fails. */
static const char *skipws(const char *s)
{
	while (is_blank_char(*s))
		s++;
	return s;
}

/* Bytes of s to keep so that at most max are kept and no UTF-8
 * sequence is split. */
static int utf8_prefix(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return (int)n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return (int)n;
}

/* Case-insensitive prefix test that returns the rest, or NULL. */
static const char *after_prefix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	if (ascii_ncasecmp(s, prefix, n) != 0)
		return NULL;
	return s + n;
}

/* ------------------------------------------------------------------ */
/* Lines                                                               */

/* Split buf (modified in place) into lines; never fails. */
static void lines_split(struct lines *L, char *buf, size_t len)
{
	size_t w = 0;

	/* ANSI escapes out, NUL bytes to spaces. */
	for (size_t r = 0; r < len; r++) {
		unsigned char c = (unsigned char)buf[r];
		if (c == 0x1b && r + 1 < len && buf[r + 1] == '[') {
			size_t k = r + 2;
			while (k < len && k - r < 32 && !((unsigned char)buf[k] >= 0x40 && (unsigned char)buf[k] <= 0x7e))
				k++;
			r = k;
			continue;
		}
		if (c == '\r' && r + 1 < len && buf[r + 1] != '\n' && buf[r + 1] != '\r')
			c = '\n'; /* old Mac line ends */
		buf[w++] = c == 0 ? ' ' : (char)c;
	}
	buf[w] = 0;

	char *p = buf, *end = buf + w;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *e = nl ? nl : end;
		char *next = nl ? nl + 1 : end;
		*e = 0;
		while (e > p && (e[-1] == '\r' || is_blank_char(e[-1])))
			*--e = 0;
		L->v = xgrow(L->v, &L->alloc, L->n + 1, sizeof *L->v);
		struct tline *tl = &L->v[L->n++];
		memset(tl, 0, sizeof *tl);
		tl->raw = p;
		char *t = p;
		while (is_blank_char(*t))
			t++;
		tl->indent = (int)(t - p);
		/* Quote and transcript prefixes: "> ", "< ", "> > ". */
		for (int k = 0; k < 4; k++) {
			if ((t[0] == '>' || t[0] == '<') && (t[1] == ' ' || t[1] == 0)) {
				t += t[1] ? 2 : 1;
				while (is_blank_char(*t))
					t++;
			} else if (t[0] == '>' && t[1] == '>' && t[2] == ' ') {
				t += 3;
			} else {
				break;
			}
		}
		tl->t = t;
		if (!*t || starts_with(t, "```") || starts_with(t, "~~~") ||
		    !ascii_casecmp(t, "<pre>") || !ascii_casecmp(t, "</pre>") ||
		    !ascii_casecmp(t, "<code>") || !ascii_casecmp(t, "</code>"))
			tl->blank = 1;
		p = next;
	}
}

/* ------------------------------------------------------------------ */
/* Line shapes                                                         */

/* Normalise a caption line: strip markdown and a final colon into out.
 * Returns out. */
static char *caption_norm(const char *t, char *out, size_t cap)
{
	size_t o = 0;
	const char *s = t;
	while (*s == '#' || *s == '*' || *s == '_' || *s == ' ' || *s == '>')
		s++;
	for (; *s && o + 1 < cap; s++) {
		if (*s == '*' || *s == '_' || *s == '`')
			continue;
		out[o++] = (char)ascii_tolower((unsigned char)*s);
	}
	while (o > 0 && (out[o - 1] == ':' || out[o - 1] == ' ' || out[o - 1] == '='))
		o--;
	out[o] = 0;
	/* "response headers (428 b)" */
	char *par = strstr(out, " (");
	if (par && strchr(par, ')') && strchr(par, ')')[1] == 0)
		*par = 0;
	return out;
}

enum caption {
	CAP_NONE, CAP_REQUEST, CAP_RESPONSE, CAP_REQ_HEADERS, CAP_RESP_HEADERS,
	CAP_GENERAL, CAP_REQ_BODY, CAP_RESP_BODY, CAP_HEADERS,
	CAP_LEAD_REQ_BODY, CAP_LEAD_RESP_BODY  /* a sentence ending "...the response:" */
};

/* Classify a caption line ("Response Headers:", "Body:"...). */
static enum caption caption_of(const char *t)
{
	char buf[168];
	if (strlen(t) > 160)
		return CAP_NONE;
	caption_norm(t, buf, sizeof buf);
	static const struct { const char *s; enum caption c; } tab[] = {
		{ "request", CAP_REQUEST }, { "the request", CAP_REQUEST },
		{ "raw request", CAP_REQUEST }, { "my request", CAP_REQUEST },
		{ "response", CAP_RESPONSE }, { "the response", CAP_RESPONSE },
		{ "raw response", CAP_RESPONSE },
		{ "request headers", CAP_REQ_HEADERS }, { "request header", CAP_REQ_HEADERS },
		{ "response headers", CAP_RESP_HEADERS }, { "response header", CAP_RESP_HEADERS },
		{ "general", CAP_GENERAL },
		{ "request body", CAP_REQ_BODY }, { "request payload", CAP_REQ_BODY },
		{ "payload", CAP_REQ_BODY },
		{ "body", CAP_RESP_BODY }, { "response body", CAP_RESP_BODY },
		{ "response payload", CAP_RESP_BODY }, { "output", CAP_RESP_BODY },
		{ "headers", CAP_HEADERS },
		{ NULL, CAP_NONE }
	};
	for (size_t i = 0; tab[i].s; i++)
		if (!strcmp(buf, tab[i].s))
			return tab[i].c;
	/* Short lead-ins: "And the response body I get:" */
	size_t n = strlen(t);
	if (n > 0 && t[n - 1] == ':' && !strchr(t, '{')) {
		if (strstr(buf, "request body") || strstr(buf, "payload"))
			return CAP_LEAD_REQ_BODY;
		if (strstr(buf, "body") || strstr(buf, "response"))
			return CAP_LEAD_RESP_BODY;
	}
	return CAP_NONE;
}

/* ------------------------------------------------------------------ */
/* Header names: which side a bare header block belongs to.            */

static const char *const req_names[] = {
	"host", "user-agent", "accept", "accept-encoding", "accept-language", "authorization",
	"cookie", "referer", "origin", "proxy-authorization", "if-none-match",
	"if-modified-since", "x-api-key", "api-key", "upgrade-insecure-requests", "dnt",
	"x-requested-with", "content-length", ":authority", ":method", ":path", ":scheme",
	"priority", "te", "expect", "range", "x-forwarded-for", NULL
};
static const char *const resp_names[] = {
	"server", "set-cookie", "vary", "location", "etag", "last-modified", "expires",
	"age", "via", "x-cache", "strict-transport-security", "www-authenticate",
	"retry-after", "content-security-policy", "x-frame-options", "x-content-type-options",
	"x-powered-by", "transfer-encoding", "content-encoding", "x-matched-path", "report-to",
	"nel", "alt-svc", ":status", "x-xss-protection", "referrer-policy", "accept-ranges",
	"cross-origin-opener-policy", "permissions-policy", "x-ratelimit-limit",
	"x-ratelimit-remaining", NULL
};
static const char *const neutral_names[] = {
	"content-type", "date", "connection", "cache-control", "pragma", "x-request-id",
	"keep-alive", "content-language", "x-correlation-id", "traceparent", NULL
};
static const char *const mail_names[] = {
	"from", "to", "cc", "bcc", "subject", "sent", "reply-to", "message-id",
	"received", "return-path", "mime-version", "dkim-signature", "x-mailer",
	"in-reply-to", "references", "importance", "thread-topic", "thread-index",
	"delivered-to", "authentication-results", "content-transfer-encoding",
	"x-original-to", "arc-seal", "arc-message-signature", "arc-authentication-results",
	"received-spf", "x-received", "x-google-smtp-source", "list-unsubscribe",
	"precedence", "x-priority", "organization", "user-agent-mail", NULL
};

/* True when the name [p, p+n) is in the list. */
static int name_in(const char *const *list, const char *p, size_t n)
{
	for (size_t i = 0; list[i]; i++)
		if (strlen(list[i]) == n && !ascii_ncasecmp(list[i], p, n))
			return 1;
	return 0;
}

/* Vote of one header name: +1 request, -1 response, 0 neutral/unknown. */
static int name_vote(const char *p, size_t n)
{
	if (name_in(resp_names, p, n))
		return -1;
	if (name_in(req_names, p, n) || !ascii_ncasecmp(p, "sec-", 4) ||
	    !ascii_ncasecmp(p, "accept-", 7) || !ascii_ncasecmp(p, "if-", 3))
		return 1;
	if (name_in(resp_names, p, n) || !ascii_ncasecmp(p, "x-vercel-", 9) ||
	    !ascii_ncasecmp(p, "cf-", 3) || !ascii_ncasecmp(p, "x-amz", 5) ||
	    !ascii_ncasecmp(p, "access-control-allow-", 21) ||
	    !ascii_ncasecmp(p, "access-control-expose", 21) ||
	    !ascii_ncasecmp(p, "x-ratelimit-", 12))
		return -1;
	return 0;
}

/* True when the name is a known HTTP header at all. */
static int name_known(const char *p, size_t n)
{
	return name_vote(p, n) != 0 || name_in(neutral_names, p, n) ||
	       !ascii_ncasecmp(p, "content-", 8);
}

/* ------------------------------------------------------------------ */
/* Exchange assembly                                                   */

static void tx_flush(struct tctx *c, size_t boundary);

/* Start a new exchange at line i, flushing the current one. */
static void tx_begin(struct tctx *c, size_t i)
{
	if (c->active)
		tx_flush(c, i);
	exchange_init(&c->ex);
	c->ex.status = STATUS_UNKNOWN;
	c->active = 1;
	c->first = c->last = i;
	c->has_reqline = c->has_cmd = c->has_status = c->has_error = 0;
	c->status_1xx = c->resp_evidence = 0;
}

/* Make sure an exchange is open and covers line i. */
static void tx_touch(struct tctx *c, size_t i)
{
	if (!c->active)
		tx_begin(c, i);
	if (i > c->last)
		c->last = i;
	if (i < c->first)
		c->first = i;
}

/* Find an absolute URL in s; returns its length and start, or 0. */
static size_t find_url(const char *s, const char **start)
{
	const char *p = s;
	while ((p = strstr(p, "http")) != NULL) {
		const char *q = NULL;
		if (!strncmp(p, "http://", 7))
			q = p + 7;
		else if (!strncmp(p, "https://", 8))
			q = p + 8;
		if (q && (p == s || !isalnum((unsigned char)p[-1])) && httpmsg_is_tchar(*q)) {
			const char *e = q;
			while (*e && !isspace((unsigned char)*e) && !strchr("\"'<>`)]|", *e))
				e++;
			while (e > q && strchr(".,;:!?*", e[-1]))
				e--;
			if (e > q) {
				*start = p;
				return (size_t)(e - p);
			}
		}
		p += 4;
	}
	return 0;
}

/* Host of an absolute URL (lowercase, no port) into out; 0 when none. */
static int url_host(const char *u, size_t n, char *out, size_t cap)
{
	const char *p = memchr(u, ':', n);
	if (!p || (size_t)(p - u) + 3 > n || p[1] != '/' || p[2] != '/')
		return 0;
	p += 3;
	size_t o = 0;
	while ((size_t)(p - u) < n && *p != '/' && *p != ':' && *p != '?' && *p != '#' && o + 1 < cap)
		out[o++] = (char)ascii_tolower((unsigned char)*p++);
	out[o] = 0;
	return o > 0;
}

/* Look for "METHOD https://..." in prose; returns method length or 0. */
static size_t method_before(const char *line, const char *url)
{
	const char *e = url;
	while (e > line && is_blank_char(e[-1]))
		e--;
	const char *b = e;
	while (b > line && isupper((unsigned char)b[-1]))
		b--;
	if (b < e && httpmsg_is_method(b, (size_t)(e - b)) && (b == line || !isalnum((unsigned char)b[-1])))
		return (size_t)(e - b);
	return 0;
}

/* A prose line may be searched when it is not part of a capture. */
static int prose_line(const struct tline *tl)
{
	return !tl->used && !tl->blank;
}

/* Fill a missing URL from the prose around lines [lo, hi). */
static void url_from_prose(struct tctx *c, size_t lo, size_t hi)
{
	struct exchange *ex = &c->ex;
	const char *hosthdr = ex->host;
	const char *best = NULL, *bline = NULL;
	size_t blen = 0, bscore = 0;

	for (size_t i = lo; i < hi; i++) {
		struct tline *tl = &c->L->v[i];
		if (!prose_line(tl))
			continue;
		const char *s = tl->t, *u;
		size_t n;
		while ((n = find_url(s, &u)) != 0) {
			char h[256];
			size_t score = 1;
			if (method_before(tl->t, u))
				score += 2;
			if (url_host(u, n, h, sizeof h) && hosthdr && !strcmp(h, hosthdr))
				score += 4;
			else if (hosthdr)
				score = 0;
			/* Closer to the paste wins among equals: later before it. */
			if (score && (score > bscore || (score == bscore && i < c->first))) {
				best = u;
				blen = n;
				bscore = score;
				bline = tl->t;
			}
			s = u + n;
		}
	}
	if (!best)
		return;
	char *url = xstrndup(best, blen);
	if (ex->path && ex->path[0] == '/' && strcmp(ex->path, "/") != 0) {
		/* Prose gave the origin, the paste the path. */
		char h[256];
		if (url_host(url, blen, h, sizeof h)) {
			const char *slash = strchr(strstr(url, "//") + 2, '/');
			size_t olen = slash ? (size_t)(slash - url) : strlen(url);
			char *full = xasprintf("%.*s%s%s%s", (int)olen, url, ex->path,
					       ex->query ? "?" : "", ex->query ? ex->query : "");
			free(url);
			url = full;
		}
	}
	exchange_set_url(ex, url);
	if (!ex->method) {
		size_t ml = method_before(bline, best);
		if (ml) {
			const char *e = best;
			while (e > bline && is_blank_char(e[-1]))
				e--;
			exchange_setn(&ex->method, e - ml, ml);
		}
	}
	free(url);
}

static const char *const status_triggers[] = {
	"returns", "returned", "return", "returning", "got", "get", "gets", "getting",
	"receive", "received", "receiving", "status", "code", "error", "http", "responds",
	"responded", "respond", "response", "gives", "giving", "gave", "throws", "threw",
	"fails", "failed", "failing", "answers", "answered", NULL
};
static const char *const unit_words[] = {
	"ms", "s", "sec", "secs", "seconds", "minutes", "min", "bytes", "kb", "mb", "gb",
	"items", "times", "requests", "users", "rows", "lines", "characters", "chars",
	"tokens", "calls", "records", "px", "%", "days", "hours", NULL
};

/* Find a status stated in prose ("returns a 403"); returns the code and
 * the matched span [*ms, *me), or 0. */
static int prose_status(const char *s, size_t *ms, size_t *me)
{
	size_t n = strlen(s);
	for (size_t i = 0; i + 3 <= n; i++) {
		if (!isdigit((unsigned char)s[i]) || !isdigit((unsigned char)s[i + 1]) ||
		    !isdigit((unsigned char)s[i + 2]))
			continue;
		if (i > 0 && (isalnum((unsigned char)s[i - 1]) || strchr(".-_/=:+#$", s[i - 1])))
			goto skip;
		if (isalnum((unsigned char)s[i + 3]) || (s[i + 3] == '.' && isdigit((unsigned char)s[i + 4])) ||
		    s[i + 3] == '%' || s[i + 3] == '/' || (s[i + 3] == ':' && isdigit((unsigned char)s[i + 4])))
			goto skip;
		int code = (s[i] - '0') * 100 + (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
		if (code < 100 || code > 599)
			goto skip;
		const char *after = skipws(s + i + 3);
		size_t rl = httpmsg_reason_at(code, after);
		if (rl && after > s + i + 3) {
			*ms = i;
			*me = (size_t)(after - s) + rl;
			return code;
		}
		/* Unit words after the number disqualify it. */
		size_t wl = 0;
		while (isalpha((unsigned char)after[wl]) || after[wl] == '%')
			wl++;
		if (wl)
			for (size_t k = 0; unit_words[k]; k++)
				if (strlen(unit_words[k]) == wl && !ascii_ncasecmp(after, unit_words[k], wl))
					goto skip;
		/* "should return 200", "expected 200": what ought to come back. */
		size_t lo = i > 40 ? i - 40 : 0;
		static const char *const wishes[] = {
			"should", "expected", "expect", "instead of", "supposed to", "used to",
			"want", "normally", "would", "ought", NULL
		};
		size_t wlo = i > 24 ? i - 24 : 0;
		for (size_t k = 0; wishes[k]; k++) {
			const char *w = ascii_casestr(s + wlo, i - wlo, wishes[k]);
			if (w)
				goto skip;
		}
		/* A trigger word shortly before. */
		for (size_t k = 0; status_triggers[k]; k++) {
			size_t tl = strlen(status_triggers[k]);
			for (size_t j = lo; j + tl <= i; j++) {
				if (ascii_ncasecmp(s + j, status_triggers[k], tl) != 0)
					continue;
				if (j > 0 && isalpha((unsigned char)s[j - 1]))
					continue;
				if (isalpha((unsigned char)s[j + tl]))
					continue;
				/* Only a few short words in between. */
				size_t gap = i - (j + tl);
				int okgap = gap <= 20;
				for (size_t q = j + tl; q < i && okgap; q++)
					if (!isalpha((unsigned char)s[q]) && !strchr(" :(\"'`", s[q]))
						okgap = 0;
				if (okgap) {
					*ms = j;
					*me = i + 3;
					return code;
				}
			}
		}
	skip:;
	}
	return 0;
}

/* Build `prose: "<fragment>"` from a line and a matched span. */
static char *prose_fragment(const char *s, size_t ms, size_t me)
{
	size_t b = 0;
	for (size_t k = ms; k > 0; k--) {
		char ch = s[k - 1];
		if ((strchr(".!?;,", ch) && (s[k] == ' ')) || ch == '\n') {
			b = k;
			break;
		}
	}
	while (s[b] == ' ')
		b++;
	if (me - b > FRAG_CAP) {
		b = me - FRAG_CAP;
		while (b < ms && s[b] != ' ')
			b++;
		while (s[b] == ' ')
			b++;
	}
	return xasprintf("prose: \"%.*s\"", (int)(me - b), s + b);
}

/* Take a missing status from prose around [lo, hi); closest before the
 * paste first, then inside it, then after it. */
static void status_from_prose(struct tctx *c, size_t lo, size_t hi)
{
	size_t ms, me;
	int code;
	struct lines *L = c->L;

	for (size_t i = c->first; i-- > lo;) {
		if (prose_line(&L->v[i]) && (code = prose_status(L->v[i].t, &ms, &me)) != 0)
			goto found_at_i;
		continue;
	found_at_i:
		c->ex.status = code;
		c->ex.status_source = prose_fragment(L->v[i].t, ms, me);
		return;
	}
	for (size_t i = c->first; i < hi; i++) {
		if (prose_line(&L->v[i]) && (code = prose_status(L->v[i].t, &ms, &me)) != 0) {
			c->ex.status = code;
			c->ex.status_source = prose_fragment(L->v[i].t, ms, me);
			return;
		}
	}
}

/* Complete method/URL from pseudo headers and Host. */
static void tx_complete_request(struct exchange *ex)
{
	const char *v;

	if (!ex->method && (v = hdr_list_get(&ex->req_headers, ":method")) != NULL)
		exchange_set(&ex->method, v);
	if (ex->status == STATUS_UNKNOWN && ((v = hdr_list_get(&ex->resp_headers, ":status")) != NULL ||
					     (v = hdr_list_get(&ex->resp_headers, "status")) != NULL)) {
		long st;
		size_t vl = strlen(v);
		if (vl > 3 && v[3] == ' ')
			vl = 3; /* "Status: 403 Forbidden" */
		if (!parse_long(v, vl, &st) && st >= 100 && st <= 599)
			ex->status = (int)st;
	}
	if (!ex->url && (v = hdr_list_get(&ex->req_headers, ":path")) != NULL)
		exchange_set_url(ex, v);
	if (ex->host)
		return;
	const char *h = hdr_list_get(&ex->req_headers, ":authority");
	if (!h)
		h = hdr_list_get(&ex->req_headers, "host");
	if (!h || !*h || strchr(h, ' ') || strchr(h, '/'))
		return;
	const char *scheme = hdr_list_get(&ex->req_headers, ":scheme");
	const char *colon = strrchr(h, ':');
	if (!scheme)
		scheme = colon && strcmp(colon, ":443") != 0 ? "http" : "https";
	const char *path = ex->url && ex->url[0] == '/' ? ex->url : "/";
	char *u = xasprintf("%s://%s%s", scheme, h, path);
	exchange_set_url(ex, u);
	free(u);
}

/* Emit the exchange under construction if it holds enough evidence. */
static void tx_flush(struct tctx *c, size_t boundary)
{
	struct exchange *ex = &c->ex;
	if (!c->active)
		return;
	c->active = 0;
	c->hside = SIDE_NONE;
	c->hsection = 0;
	c->body_side = SIDE_NONE;

	int resp = c->has_status || c->resp_evidence || ex->resp_headers.n > 0 || c->has_error;
	int worth = c->has_reqline || c->has_status || c->has_error ||
		    ex->resp_headers.n > 0 || ex->req_headers.n >= 2 || ex->resp_body.data;
	if (c->has_cmd && !resp && !c->has_reqline)
		worth = 0;
	size_t lo = c->first > PROSE_BACK ? c->first - PROSE_BACK : 0;
	if (lo < c->prev_end)
		lo = c->prev_end;
	size_t hi = boundary;
	if (hi > c->last + 1 + PROSE_AHEAD)
		hi = c->last + 1 + PROSE_AHEAD;
	if (hi > c->L->n)
		hi = c->L->n;

	tx_complete_request(ex);
	if (!ex->host)
		url_from_prose(c, lo, hi);
	if (ex->url && !ex->host)
		exchange_complete_url(ex);
	if (ex->status == STATUS_UNKNOWN && !c->has_error)
		status_from_prose(c, lo, hi);
	if (c->has_cmd && !c->has_reqline && !resp && ex->status_source)
		worth = 1;

	if (worth && !c->sink_failed) {
		ex->seq = c->seq;
		if (c->sink->emit(c->sink->ctx, ex) != 0) {
			c->sink_failed = 1;
		} else {
			if (c->sink->note && (ex->resp_body.truncated || ex->req_body.truncated))
				c->sink->note(c->sink->ctx, NOTE_TRUNCATED_BODY, c->seq,
					      "pasted body is cut short (unbalanced or ends in \"...\")");
			c->seq++;
		}
	}
	exchange_release(ex);
	if (worth)
		c->prev_end = c->last + 1;
}

/* ------------------------------------------------------------------ */
/* Bodies                                                              */

/* Join lines [a, b] (t texts) with newlines, the first from offset. */
static void join_lines(struct lines *L, size_t a, size_t b, const char *from,
		       const char *upto, struct sbuf *out)
{
	for (size_t i = a; i <= b && i < L->n; i++) {
		const char *s = i == a && from ? from : L->v[i].t;
		size_t n = strlen(s);
		if (i == b && upto && upto >= s && upto <= s + n)
			n = (size_t)(upto - s);
		if (i > a)
			sbuf_addc(out, '\n');
		if (out->len + n > BODY_CAP + 1)
			n = out->len > BODY_CAP ? 0 : BODY_CAP + 1 - out->len;
		sbuf_add(out, s, n);
		L->v[i].used = 1;
	}
}

/* Scan a balanced JSON value from line i; returns the last line and sets
 * *endp to the byte after it, or returns (size_t)-1 when unbalanced. */
static size_t json_extent(struct tctx *c, size_t i, const char *start, const char **endp)
{
	struct lines *L = c->L;
	int depth = 0, instr = 0, esc = 0;
	for (size_t j = i; j < L->n && j - i < BODY_LINES_CAP; j++) {
		if (c->scan_budget == 0 && j - i >= 1000)
			break;
		if (c->scan_budget)
			c->scan_budget--;
		const char *p = j == i ? start : L->v[j].t;
		for (; *p; p++) {
			if (instr) {
				if (esc)
					esc = 0;
				else if (*p == '\\')
					esc = 1;
				else if (*p == '"')
					instr = 0;
				continue;
			}
			if (*p == '"')
				instr = 1;
			else if (*p == '{' || *p == '[')
				depth++;
			else if (*p == '}' || *p == ']') {
				if (--depth == 0) {
					*endp = p + 1;
					return j;
				}
			}
		}
		if (depth > 512)
			break;
	}
	return (size_t)-1;
}

/* Store a body on one side of the exchange. */
static void set_body(struct exchange *ex, enum side side, struct sbuf *b, int truncated)
{
	struct body *bd = side == SIDE_REQ ? &ex->req_body : &ex->resp_body;
	size_t n = b->len;
	if (n > BODY_CAP)
		truncated = 1;
	body_release(bd);
	body_set(bd, sbuf_str(b), n);
	if (truncated)
		bd->truncated = 1;
	const char *ct = hdr_list_get(side == SIDE_REQ ? &ex->req_headers : &ex->resp_headers,
				      "content-type");
	if (ct)
		exchange_set(&bd->mime, ct);
}

/* Add the headers of a Firefox "Copy All" JSON block; 1 when it was one. */
static int firefox_headers(struct tctx *c, json_t *root)
{
	const char *key;
	json_t *val;
	int any = 0;

	if (!json_is_object(root))
		return 0;
	json_object_foreach(root, key, val) {
		struct hdr_list *hl = NULL;
		if (!ascii_ncasecmp(key, "Response Headers", 16))
			hl = &c->ex.resp_headers;
		else if (!ascii_ncasecmp(key, "Request Headers", 15))
			hl = &c->ex.req_headers;
		else
			continue;
		json_t *arr = json_object_get(val, "headers");
		size_t k;
		json_t *h;
		json_array_foreach(arr, k, h) {
			const char *n = json_string_value(json_object_get(h, "name"));
			const char *v = json_string_value(json_object_get(h, "value"));
			if (n && v)
				hdr_list_adds(hl, n, v);
		}
		if (hl == &c->ex.resp_headers)
			c->resp_evidence = 1;
		any = 1;
	}
	return any;
}

/* Try to read a body starting at line i on side; returns the next line
 * index, or i when no body starts there. */
static size_t read_body(struct tctx *c, size_t i, enum side side, int plain_ok)
{
	struct lines *L = c->L;
	const char *t = L->v[i].t;
	struct sbuf b = SBUF_INIT;
	size_t next = i;

	if (*t == '{' || *t == '[') {
		const char *end = NULL;
		size_t j = json_extent(c, i, t, &end);
		int truncated = 0;
		if (j == (size_t)-1) {
			/* Unbalanced: the paste was cut; keep the paragraph. */
			j = i;
			while (j + 1 < L->n && !L->v[j + 1].blank && j - i < PLAIN_BODY_LINES)
				j++;
			end = NULL;
			truncated = 1;
		}
		join_lines(L, i, j, t, end, &b);
		json_error_t err;
		json_t *root = NULL;
		if (!truncated && b.len < ((size_t)1 << 20))
			root = json_loadb(b.data, b.len, 0, &err);
		if (root && firefox_headers(c, root)) {
			json_decref(root);
			tx_touch(c, j);
			next = j + 1;
			goto out;
		}
		json_decref(root);
		tx_touch(c, j);
		set_body(&c->ex, side, &b, truncated);
		if (side == SIDE_RESP)
			c->resp_evidence = 1;
		next = j + 1;
		goto out;
	}
	if (!ascii_ncasecmp(t, "<!doctype", 9) || !ascii_ncasecmp(t, "<html", 5)) {
		size_t j = i;
		const char *end = NULL;
		for (; j < L->n && j - i < BODY_LINES_CAP; j++) {
			if (c->scan_budget == 0 && j - i >= 1000)
				break;
			if (c->scan_budget)
				c->scan_budget--;
			const char *s = j == i ? t : L->v[j].t;
			const char *e = ascii_casestr(s, strlen(s), "</html>");
			if (e) {
				end = e + 7;
				break;
			}
		}
		int truncated = 0;
		if (!end) {
			j = i;
			while (j + 1 < L->n && !L->v[j + 1].blank && j - i < PLAIN_BODY_LINES)
				j++;
			truncated = 1;
		}
		join_lines(L, i, j, t, end, &b);
		tx_touch(c, j);
		set_body(&c->ex, side, &b, truncated);
		if (side == SIDE_RESP)
			c->resp_evidence = 1;
		next = j + 1;
		goto out;
	}
	if (plain_ok) {
		size_t j = i;
		while (j + 1 < L->n && !L->v[j + 1].blank && j + 1 - i < PLAIN_BODY_LINES)
			j++;
		join_lines(L, i, j, NULL, NULL, &b);
		tx_touch(c, j);
		set_body(&c->ex, side, &b, 0);
		if (side == SIDE_RESP)
			c->resp_evidence = 1;
		next = j + 1;
	}
out:
	sbuf_release(&b);
	return next;
}

/* ------------------------------------------------------------------ */
/* Commands: curl, Invoke-WebRequest, HTTPie                           */

/* Skip a shell prompt ("$ ", "PS C:\x> ", "user@host:~$ ").  Returns
 * the command start. */
static const char *skip_prompt(const char *t)
{
	const char *s = t;
	if (*s == '(') {
		const char *e = strchr(s, ')');
		if (e && e - s < 40)
			s = skipws(e + 1);
	}
	if (!strncmp(s, "PS ", 3)) {
		const char *e = strchr(s, '>');
		if (e && e - s < 200)
			return skipws(e + 1);
	}
	if (isalpha((unsigned char)s[0]) && s[1] == ':' && s[2] == '\\') {
		const char *e = strchr(s, '>');
		if (e && e - s < 200)
			return skipws(e + 1);
	}
	if ((*s == '$' || *s == '#' || *s == '%' || *s == '>') && s[1] == ' ')
		return skipws(s + 2);
	/* user@host:~/dir$ */
	const char *p = s;
	while (*p && (isalnum((unsigned char)*p) || strchr("@.-_:~/[]", *p)))
		p++;
	if (p > s && (*p == '$' || *p == '#') && p[1] == ' ' && memchr(s, '@', (size_t)(p - s)))
		return skipws(p + 2);
	return s;
}

enum cmd_kind { CMD_NONE, CMD_CURL, CMD_IWR, CMD_HTTPIE };

/* Which command a line starts (after a prompt); *rest set to its start. */
static enum cmd_kind command_of(const char *t, const char **rest)
{
	const char *s = skip_prompt(t);
	const char *r;
	*rest = s;
	if ((r = after_prefix(s, "curl ")) || (r = after_prefix(s, "curl.exe ")))
		return strstr(r, "://") || strchr(r, '.') || strstr(r, "localhost") ? CMD_CURL : CMD_NONE;
	if ((r = after_prefix(s, "Invoke-WebRequest ")) || (r = after_prefix(s, "Invoke-RestMethod ")) ||
	    (r = after_prefix(s, "iwr ")) || (r = after_prefix(s, "irm ")))
		return strstr(r, "://") ? CMD_IWR : CMD_NONE;
	if ((r = after_prefix(s, "http ")) || (r = after_prefix(s, "https ")))
		if (!strncmp(s, "http", 4) && (strstr(r, "://") || strstr(r, "localhost") || r[0] == ':' ||
					       strstr(r, " :") || strchr(r, '.')))
			return CMD_HTTPIE;
	return CMD_NONE;
}

/* Fill request fields from a command's words. */
static void apply_command(struct exchange *ex, enum cmd_kind kind, int https_cmd,
			  const struct strlist *w)
{
	const char *url = NULL, *method = NULL;
	int data = 0, head = 0;

	for (size_t i = 1; i < w->n; i++) {
		const char *a = w->v[i];
		const char *nx = i + 1 < w->n ? w->v[i + 1] : NULL;
		if (kind == CMD_CURL) {
			break; /* parsed whole below */		} else if (kind == CMD_IWR) {
			if (!ascii_casecmp(a, "-Uri") && nx) {
				url = nx;
				i++;
			} else if (!ascii_casecmp(a, "-Method") && nx) {
				method = nx;
				i++;
			} else if (a[0] == '-' && nx && nx[0] != '-') {
				i++;
			} else if (!url && (strstr(a, "://"))) {
				url = a;
			}
		} else {
			if (a[0] == '-')
				continue;
			size_t al = strlen(a);
			int up = 1;
			for (size_t k = 0; k < al; k++)
				if (!isupper((unsigned char)a[k]))
					up = 0;
			if (!url && !method && up && httpmsg_is_method(a, al)) {
				method = a;
			} else if (!url) {
				url = a;
			} else if (strchr(a, ':') && !strstr(a, ":=") && !strchr(a, '=')) {
				struct httpmsg_header h;
				if (httpmsg_header_line(a, HTTPMSG_LENIENT, &h))
					hdr_list_add(&ex->req_headers, h.name, h.name_len, h.value, h.value_len);
			} else if (strchr(a, '=')) {
				data = 1;
			}
		}
	}
	if (kind == CMD_CURL) {
		struct curl_cmd cc;
		curl_cmd_parse(w, &cc);
		for (size_t i = 0; i < cc.headers.n; i++)
			hdr_list_adds(&ex->req_headers, cc.headers.v[i].name, cc.headers.v[i].value);
		if (cc.body && !ex->req_body.data)
			body_set(&ex->req_body, cc.body, strlen(cc.body));
		if (cc.url)
			exchange_set_url(ex, cc.url);
		exchange_set(&ex->method, cc.method);
		curl_cmd_release(&cc);
		return;
	}
	if (url) {
		char *u;
		if (strstr(url, "://"))
			u = xstrdup(url);
		else if (url[0] == ':')
			u = xasprintf("%s://localhost%s", https_cmd ? "https" : "http", url);
		else
			u = xasprintf("%s://%s", kind == CMD_HTTPIE && https_cmd ? "https" : "http", url);
		exchange_set_url(ex, u);
		free(u);
	}
	if (method) {
		char *m = xstrdup(method);
		for (char *q = m; *q; q++)
			*q = (char)toupper((unsigned char)*q);
		exchange_set(&ex->method, m);
		free(m);
	} else {
		exchange_set(&ex->method, head ? "HEAD" : data ? "POST" : "GET");
	}
}

/* Read a command (with continuation lines) at line i; returns the next
 * line. */
static size_t read_command(struct tctx *c, size_t i, enum cmd_kind kind, const char *start)
{
	struct lines *L = c->L;
	struct sbuf cmd = SBUF_INIT;
	struct strlist w = { NULL, 0, 0, 0 };
	size_t j = i;
	const char *s = start;

	for (;;) {
		size_t n = strlen(s);
		int cont = n > 0 && (s[n - 1] == '\\' || s[n - 1] == '`' || s[n - 1] == '^');
		sbuf_add(&cmd, s, cont ? n - 1 : n);
		sbuf_addc(&cmd, ' ');
		L->v[j].used = 1;
		if (!cont || j + 1 >= L->n || j - i >= CMD_LINES_CAP)
			break;
		s = L->v[++j].t;
	}
	tx_begin(c, i);
	tx_touch(c, j);
	shell_words(sbuf_str(&cmd), &w);
	apply_command(&c->ex, kind, !strncmp(skip_prompt(L->v[i].t), "https", 5), &w);
	c->has_cmd = 1;
	strlist_release(&w);
	sbuf_release(&cmd);
	return j + 1;
}

/* ------------------------------------------------------------------ */
/* Error lines: PowerShell, curl, HTTPie, .NET                         */

/* Record a transport error (no response) on the current exchange. */
static void set_error(struct tctx *c, size_t i, const char *msg, size_t n)
{
	if (!c->active || c->has_status || c->resp_evidence || c->has_error)
		tx_begin(c, i);
	tx_touch(c, i);
	exchange_setn(&c->ex.error, msg, n);
	c->ex.status = STATUS_NONE;
	c->has_error = 1;
	c->L->v[i].used = 1;
}

/* Set a status learnt from an error message. */
static void set_status_from(struct tctx *c, size_t i, int code, const char *text,
			    size_t tlen, const char *how, const char *msg)
{
	if (!c->active || c->has_status || c->has_error)
		tx_begin(c, i);
	tx_touch(c, i);
	c->ex.status = code;
	c->has_status = 1;
	if (text && tlen)
		exchange_setn(&c->ex.status_text, text, tlen);
	char *src = xasprintf("%s: \"%.*s\"", how, utf8_prefix(msg, FRAG_CAP), msg);
	free(c->ex.status_source);
	c->ex.status_source = src;
	strlist_adds(&c->ex.transcript, msg);
	c->L->v[i].used = 1;
}

/* Handle "(403) Forbidden" style messages; returns 1 when handled. */
static int ps_error_message(struct tctx *c, size_t i, const char *msg)
{
	const char *p = msg, *q;

	/* PowerShell 7 / .NET HttpRequestException. */
	if ((q = ascii_casestr(msg, strlen(msg), "does not indicate success: ")) != NULL) {
		q += strlen("does not indicate success: ");
		long code;
		if (isdigit((unsigned char)q[0]) && !parse_long(q, 3, &code) && code >= 100 && code <= 599) {
			const char *t = skipws(q + 3), *te = NULL;
			if (*t == '(' && (te = strchr(t, ')')) != NULL)
				t++;
			set_status_from(c, i, (int)code, t, te ? (size_t)(te - t) : 0, "powershell", msg);
			return 1;
		}
	}
	/* Windows PowerShell: "...: (403) Forbidden." in any language. */
	while ((p = strchr(p, '(')) != NULL) {
		if (isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
		    isdigit((unsigned char)p[3]) && p[4] == ')') {
			int code = (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
			if (code >= 100 && code <= 599) {
				const char *t = skipws(p + 5);
				size_t tl = strlen(t);
				while (tl > 0 && (t[tl - 1] == '.' || t[tl - 1] == ' '))
					tl--;
				set_status_from(c, i, code, t, tl, "powershell", msg);
				return 1;
			}
		}
		p++;
	}
	return 0;
}

/* True when a PowerShell error message is a transport failure (no
 * response) rather than the text of a server's answer. */
static int ps_transport_error(const char *msg)
{
	static const char *const phrases[] = {
		"Unable to connect", "could not be resolved", "timed out", "underlying connection",
		"No such host", "No connection could be made", "actively refused", "SSL", "TLS",
		"trust relationship", "Could not establish", "connection attempt failed",
		"An error occurred while sending", "Connection refused", "Name or service not known",
		"The request was canceled", "A task was canceled", "proxy", NULL
	};
	for (size_t k = 0; phrases[k]; k++)
		if (ascii_casestr(msg, strlen(msg), phrases[k]))
			return 1;
	return 0;
}

/* Handle an error line at i; returns 1 when the line was one. */
static int error_line(struct tctx *c, size_t i)
{
	const char *t = c->L->v[i].t;
	const char *r;

	/* curl: (6) Could not resolve host: x */
	{
		long code = 0;
		const char *msg;
		if (httpmsg_curl_error(t, HTTPMSG_LENIENT, &code, &msg)) {
			if (code == 22 && c->active && !c->has_status) {
				/* -f: "The requested URL returned error: 403" */
				const char *n = strstr(msg, "error: ");
				long st;
				if (n && !parse_long(n + 7, 3, &st) && st >= 100 && st <= 599) {
					set_status_from(c, i, (int)st, NULL, 0, "curl", msg);
					c->ex.exit_code = 22;
					return 1;
				}
			}
			if (c->active && (c->has_status || c->resp_evidence)) {
				/* Failure after a response: keep it as a transcript line. */
				tx_touch(c, i);
				strlist_adds(&c->ex.transcript, t);
				c->ex.exit_code = (int)code;
				c->L->v[i].used = 1;
				return 1;
			}
			if (c->active && c->has_error && c->ex.exit_code < 0 && i <= c->last + 3) {
				/* The "* ..." line said it first; curl's summary wins. */
				tx_touch(c, i);
				exchange_setn(&c->ex.error, msg, strlen(msg));
				c->L->v[i].used = 1;
			} else {
				set_error(c, i, msg, strlen(msg));
			}
			c->ex.exit_code = (int)code;
			return 1;
		}
	}
	/* curl -v info lines that end a transfer without a response. */
	if (t[0] == '*' && t[1] == ' ' && c->active && (c->has_cmd || c->has_reqline) &&
	    !c->has_status && !c->resp_evidence && !c->has_error) {
		static const char *const fails[] = {
			"Could not resolve host", "Couldn't resolve host", "Failed to connect to",
			"Operation timed out", "Connection timed out", "SSL certificate problem",
			"SSL: no alternative certificate", "OpenSSL SSL_connect", "Recv failure",
			"Empty reply from server", "Connection refused", NULL
		};
		const char *msg = skipws(t + 2);
		for (size_t k = 0; fails[k]; k++)
			if (strstr(msg, fails[k])) {
				set_error(c, i, msg, strlen(msg));
				return 1;
			}
	}
	/* HTTPie: "http: error: ConnectionError: ... while doing a GET request to URL: x" */
	if ((r = httpmsg_httpie_error(t, HTTPMSG_LENIENT)) != NULL) {
		const char *w = strstr(r, " while doing a ");
		size_t n = w ? (size_t)(w - r) : strlen(r);
		if (c->active && c->has_cmd && !c->has_status && !c->has_error)
			tx_touch(c, i);
		set_error(c, i, r, n);
		if (w) {
			const char *m = w + strlen(" while doing a ");
			const char *me = m;
			while (isupper((unsigned char)*me))
				me++;
			if (httpmsg_is_method(m, (size_t)(me - m)))
				exchange_setn(&c->ex.method, m, (size_t)(me - m));
			const char *u = strstr(me, "URL: ");
			if (u) {
				u += 5;
				const char *ue = u;
				while (*ue && !is_blank_char(*ue))
					ue++;
				char *url = xstrndup(u, (size_t)(ue - u));
				exchange_set_url(&c->ex, url);
				free(url);
			}
		}
		return 1;
	}
	/* PowerShell: "Invoke-WebRequest : message" (5.1) or "Invoke-WebRequest: message" (7). */
	static const char *const cmdlets[] = {
		"Invoke-WebRequest", "Invoke-RestMethod", "iwr", "irm", "curl", "wget", NULL
	};
	for (size_t k = 0; cmdlets[k]; k++) {
		if ((r = after_prefix(t, cmdlets[k])) == NULL)
			continue;
		r = skipws(r);
		if (*r != ':' || r[1] == '/' || (k >= 4 && r[1] != ' '))
			continue;
		const char *msg = skipws(r + 1);
		if (!*msg)
			return 0;
		int keep_req = c->active && c->has_cmd && !c->has_status && !c->has_error && !c->resp_evidence;
		if (!keep_req && c->active)
			tx_flush(c, i);
		if (ps_error_message(c, i, msg))
			return 1;
		if (*msg == '{' || *msg == '<' || *msg == '[') {
			/* PS 5.1 prints the server's body instead of a reason. */
			tx_touch(c, i);
			c->L->v[i].used = 1;
			size_t save = i;
			char *old = c->L->v[i].t;
			c->L->v[i].t = (char *)msg;
			size_t nx = read_body(c, i, SIDE_RESP, 1);
			c->L->v[save].t = old;
			(void)nx;
			strlist_adds(&c->ex.transcript, t);
			return 1;
		}
		if (ps_transport_error(msg)) {
			set_error(c, i, msg, strlen(msg));
			strlist_adds(&c->ex.transcript, t);
			return 1;
		}
		/* Otherwise PS 5.1 printed the server's text body ("404 - File or
		 * directory not found."). */
		tx_touch(c, i);
		c->L->v[i].used = 1;
		struct sbuf b = SBUF_INIT;
		sbuf_adds(&b, msg);
		set_body(&c->ex, SIDE_RESP, &b, 0);
		sbuf_release(&b);
		c->resp_evidence = 1;
		long code;
		if (isdigit((unsigned char)msg[0]) && !parse_long(msg, 3, &code) && code >= 100 &&
		    code <= 599 && (msg[3] == ' ' || msg[3] == 0)) {
			c->ex.status = (int)code;
			c->has_status = 1;
			free(c->ex.status_source);
			c->ex.status_source = xasprintf("powershell: \"%.*s\"", utf8_prefix(msg, FRAG_CAP), msg);
		}
		strlist_adds(&c->ex.transcript, t);
		return 1;
	}
	/* .NET / PS 7 message on its own line. */
	if (ascii_casestr(t, strlen(t), "status code does not indicate success: ") &&
	    ps_error_message(c, i, t))
		return 1;
	return 0;
}

/* PowerShell error tail: "At line:1 char:1", "+ Invoke-WebRequest ...",
 * "+ CategoryInfo ...".  Returns 1 when the line belongs to it. */
static int ps_error_tail(struct tctx *c, size_t i)
{
	const char *t = c->L->v[i].t;
	if (!c->active || !(c->has_error || c->ex.transcript.n > 0))
		return 0;
	if (i > c->last + 6)
		return 0;
	if (t[0] == '+' && (t[1] == ' ' || t[1] == '~' || t[1] == 0)) {
		const char *s = skipws(t + 1);
		const char *rest;
		enum cmd_kind k = command_of(s, &rest);
		if (k != CMD_NONE && !c->ex.url) {
			struct strlist w = { NULL, 0, 0, 0 };
			char *keep = c->ex.method ? xstrdup(c->ex.method) : NULL;
			shell_words(rest, &w);
			apply_command(&c->ex, k, 0, &w);
			if (keep && c->ex.status != STATUS_UNKNOWN)
				exchange_set(&c->ex.method, keep);
			free(keep);
			strlist_release(&w);
		}
		strlist_adds(&c->ex.transcript, t);
	} else if (strstr(t, "line:") || strstr(t, "char:") || strstr(t, "строка:") ||
		   strstr(t, "Zeile:") || strstr(t, "ligne:") || strstr(t, "linha:")) {
		if (strlen(t) > 80)
			return 0;
		strlist_adds(&c->ex.transcript, t);
	} else {
		return 0;
	}
	c->L->v[i].used = 1;
	tx_touch(c, i);
	return 1;
}

/* ------------------------------------------------------------------ */
/* PowerShell Invoke-WebRequest object listing                         */

/* Property name of a listing line at the given colon column, or NULL. */
static int ps_property(const char *raw, int col, const char **name, size_t *nlen, const char **val)
{
	const char *p = raw;
	while (is_blank_char(*p))
		p++;
	const char *ns = p;
	while (isalnum((unsigned char)*p))
		p++;
	if (p == ns)
		return 0;
	const char *q = skipws(p);
	if (*q != ':' || (col >= 0 && q - raw != col))
		return 0;
	*name = ns;
	*nlen = (size_t)(p - ns);
	*val = q[1] == ' ' ? q + 2 : q + 1;
	return (int)(q - raw);
}

/* Parse RawContent ("HTTP/1.1 200 OK", headers, blank, body). */
static void ps_raw_content(struct exchange *ex, const char *raw, int *got_body)
{
	const char *p = raw;
	int inhdr = 1, first = 1;
	struct sbuf body = SBUF_INIT;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char *line = xstrndup(p, n);
		if (first) {
			struct httpmsg_status st;
			int code = httpmsg_status_line(line, HTTPMSG_LENIENT, &st) ? st.code : 0;
			if (code) {
				char *ver = httpmsg_version(st.version, st.version_len);
				exchange_set(&ex->http_version, ver);
				free(ver);
				if (st.reason_len && !ex->status_text)
					exchange_setn(&ex->status_text, st.reason, st.reason_len);
				if (ex->status == STATUS_UNKNOWN)
					ex->status = code;
			}
			first = 0;
			if (code) {
				free(line);
				goto nextl;
			}
		}
		if (inhdr) {
			struct httpmsg_header h;
			if (!*line)
				inhdr = 0;
			else if (httpmsg_header_line(line, HTTPMSG_LENIENT, &h))
				hdr_list_add(&ex->resp_headers, h.name, h.name_len, h.value, h.value_len);
			else
				inhdr = 0;
		} else {
			if (body.len)
				sbuf_addc(&body, '\n');
			sbuf_add(&body, line, n);
		}
		free(line);
	nextl:
		if (!e)
			break;
		p = e + 1;
	}
	while (body.len && body.data[body.len - 1] == '\n')
		body.data[--body.len] = 0;
	if (body.len) {
		int truncated = body.len >= 3 && !strcmp(body.data + body.len - 3, "...");
		set_body(ex, SIDE_RESP, &body, truncated);
		*got_body = 1;
	}
	sbuf_release(&body);
}

/* Parse the "{[k, v], [k, v]}" Headers property. */
static void ps_headers_prop(struct hdr_list *hl, const char *v)
{
	const char *p = v;
	while ((p = strchr(p, '[')) != NULL) {
		const char *e = strstr(p, "], [");
		if (!e)
			e = strstr(p, "]}");
		if (!e)
			e = p + strlen(p);
		const char *comma = memchr(p, ',', (size_t)(e - p));
		if (comma) {
			const char *val = skipws(comma + 1);
			hdr_list_add(hl, p + 1, (size_t)(comma - p - 1), val, val < e ? (size_t)(e - val) : 0);
		}
		if (!*e)
			break;
		p = e + 1;
	}
}

/* Read a listing that starts at line i ("StatusCode : 200"); returns the
 * next line. */
static size_t read_ps_listing(struct tctx *c, size_t i)
{
	struct lines *L = c->L;
	const char *name, *val;
	size_t nlen;
	int col = ps_property(L->v[i].raw, -1, &name, &nlen, &val);
	struct sbuf raw = SBUF_INIT, content = SBUF_INIT, headers = SBUF_INIT;
	struct sbuf *cur = NULL;
	size_t j = i, lastj = i;
	long rawlen = -1;
	int code = 0;

	if (c->active && (c->has_status || c->resp_evidence || !c->has_cmd))
		tx_flush(c, i);
	tx_touch(c, i);
	for (; j < L->n; j++) {
		struct tline *tl = &L->v[j];
		if (!*tl->raw) {
			if (cur)
				sbuf_addc(cur, '\n');
			continue;
		}
		if (ps_property(tl->raw, col, &name, &nlen, &val)) {
			cur = NULL;
			if (nlen == 10 && !strncmp(name, "StatusCode", 10)) {
				long v;
				if (!parse_long(val, strlen(val), &v) && v >= 100 && v <= 599)
					code = (int)v;
			} else if (nlen == 17 && !strncmp(name, "StatusDescription", 17)) {
				exchange_set(&c->ex.status_text, val);
			} else if (nlen == 7 && !strncmp(name, "Content", 7)) {
				cur = &content;
			} else if (nlen == 10 && !strncmp(name, "RawContent", 10)) {
				cur = &raw;
			} else if (nlen == 7 && !strncmp(name, "Headers", 7)) {
				cur = &headers;
			} else if (nlen == 16 && !strncmp(name, "RawContentLength", 16)) {
				parse_long(val, strlen(val), &rawlen);
			}
			if (cur)
				sbuf_adds(cur, val);
		} else if (tl->indent > col) {
			if (cur) {
				sbuf_addc(cur, '\n');
				int strip = tl->indent < col + 2 ? tl->indent : col + 2;
				sbuf_adds(cur, tl->raw + strip);
			}
		} else {
			break;
		}
		tl->used = 1;
		lastj = j;
	}
	for (size_t k = i; k <= lastj; k++)
		L->v[k].used = 1;
	tx_touch(c, lastj);
	if (code) {
		c->ex.status = code;
		c->has_status = 1;
	}
	int got_body = 0;
	if (raw.len)
		ps_raw_content(&c->ex, raw.data, &got_body);
	if (headers.len && c->ex.resp_headers.n == 0)
		ps_headers_prop(&c->ex.resp_headers, headers.data);
	while (content.len && content.data[content.len - 1] == '\n')
		content.data[--content.len] = 0;
	if (!got_body && content.len) {
		int truncated = content.len >= 3 && !strcmp(content.data + content.len - 3, "...");
		set_body(&c->ex, SIDE_RESP, &content, truncated);
	}
	if (rawlen >= 0 && c->ex.resp_body.data && c->ex.resp_body.truncated)
		c->ex.resp_body.size = -1;
	c->resp_evidence = 1;
	sbuf_release(&raw);
	sbuf_release(&content);
	sbuf_release(&headers);
	return lastj + 1;
}

/* ------------------------------------------------------------------ */
/* Chrome DevTools "General" and Firefox summary labels                */

/* Handle "Request URL: x" etc. (same line or next line); returns the
 * next line, or i when the line is no such label. */
static size_t general_label(struct tctx *c, size_t i)
{
	struct lines *L = c->L;
	const char *t = L->v[i].t;
	static const char *const labels[] = {
		"Request URL", "Request Method", "Status Code", "Remote Address",
		"Referrer Policy", NULL
	};
	for (size_t k = 0; labels[k]; k++) {
		size_t ln = strlen(labels[k]);
		if (ascii_ncasecmp(t, labels[k], ln) != 0)
			continue;
		const char *v = t + ln;
		size_t next = i + 1;
		if (*v == ':')
			v = skipws(v + 1);
		else if (*v == 0 && i + 1 < L->n && !L->v[i + 1].blank) {
			v = L->v[i + 1].t;
			next = i + 2;
		} else {
			continue;
		}
		if (!*v)
			return i;
		if (k == 0) {
			if (c->active && (c->ex.url || c->has_status || c->resp_evidence))
				tx_flush(c, i);
			tx_touch(c, i);
			exchange_set_url(&c->ex, v);
			c->has_reqline = 1;
		} else if (k == 1) {
			if (c->active && c->ex.method && c->has_reqline && c->ex.url && c->ex.method && c->has_status)
				tx_flush(c, i);
			tx_touch(c, i);
			const char *e = v;
			while (isupper((unsigned char)*e))
				e++;
			exchange_setn(&c->ex.method, v, (size_t)(e - v));
		} else if (k == 2) {
			long code;
			if (parse_long(v, 3, &code) || code < 100 || code > 599 || isdigit((unsigned char)v[3]))
				return i;
			if (c->active && c->has_status)
				tx_flush(c, i);
			tx_touch(c, i);
			c->ex.status = (int)code;
			c->has_status = 1;
			const char *r = skipws(v + 3);
			const char *re = r;
			while (*re && *re != '(')
				re++;
			while (re > r && re[-1] == ' ')
				re--;
			if (re > r)
				exchange_setn(&c->ex.status_text, r, (size_t)(re - r));
		} else {
			if (!c->active)
				return i;
			tx_touch(c, next - 1);
		}
		for (size_t q = i; q < next; q++)
			L->v[q].used = 1;
		c->hside = SIDE_NONE;
		return next;
	}
	/* Firefox summary: "GET" / "https://x/y" on two lines. */
	size_t tl = strlen(t);
	if (tl <= 7 && httpmsg_is_method(t, tl) && i + 1 < L->n &&
	    (!ascii_ncasecmp(L->v[i + 1].t, "http://", 7) || !ascii_ncasecmp(L->v[i + 1].t, "https://", 8)) &&
	    !strchr(L->v[i + 1].t, ' ')) {
		if (c->active && (c->has_reqline || c->has_status || c->resp_evidence))
			tx_flush(c, i);
		tx_touch(c, i + 1);
		exchange_set(&c->ex.method, t);
		exchange_set_url(&c->ex, L->v[i + 1].t);
		c->has_reqline = 1;
		L->v[i].used = L->v[i + 1].used = 1;
		return i + 2;
	}
	/* Firefox summary: "Status" / "302", "VersionHTTP/3". */
	if (!strcmp(t, "Status") && i + 1 < L->n) {
		const char *v = L->v[i + 1].t;
		long code;
		if (strlen(v) >= 3 && !parse_long(v, 3, &code) && code >= 100 && code <= 599 &&
		    (!v[3] || v[3] == ' ')) {
			if (c->active && c->has_status)
				tx_flush(c, i);
			tx_touch(c, i + 1);
			c->ex.status = (int)code;
			c->has_status = 1;
			L->v[i].used = L->v[i + 1].used = 1;
			size_t next = i + 2;
			if (v[3] == ' ')
				exchange_set(&c->ex.status_text, skipws(v + 3));
			else if (next < L->n && httpmsg_reason_at((int)code, L->v[next].t) == strlen(L->v[next].t) &&
				 *L->v[next].t) {
				exchange_set(&c->ex.status_text, L->v[next].t);
				L->v[next++].used = 1;
			}
			return next;
		}
	}
	if (!strncmp(t, "VersionHTTP/", 12) && c->active) {
		char *v = http_version_normalize(t + 7);
		exchange_set(&c->ex.http_version, v);
		free(v);
		L->v[i].used = 1;
		tx_touch(c, i);
		return i + 1;
	}
	return i;
}

/* ------------------------------------------------------------------ */
/* Header blocks                                                       */

/* Decide the side of a bare header block starting at line i: counts
 * consecutive header lines.  Returns SIDE_NONE when it is no HTTP block. */
static enum side bare_block_side(struct lines *L, size_t i)
{
	int req = 0, resp = 0, known = 0, mail = 0, total = 0;
	for (size_t j = i; j < L->n && total < 200; j++) {
		struct httpmsg_header h;
		if (L->v[j].blank || !httpmsg_header_line(L->v[j].t, HTTPMSG_LENIENT, &h))
			break;
		const char *n = h.name;
		size_t nl = h.name_len;
		total++;
		int vote = name_vote(n, nl);
		if (vote > 0)
			req++;
		else if (vote < 0)
			resp++;
		if (name_known(n, nl))
			known++;
		if (name_in(mail_names, n, nl))
			mail++;
	}
	if (total < 2 || known == 0 || mail * 2 >= total)
		return SIDE_NONE;
	return req > resp ? SIDE_REQ : SIDE_RESP;
}

/* Open a header block on side at line i, flushing when the current
 * exchange already has that part. */
static void open_block(struct tctx *c, size_t i, enum side side)
{
	if (c->active) {
		/* DevTools lists response headers before request headers. */
		if (side == SIDE_REQ && c->ex.req_headers.n)
			tx_flush(c, i);
		else if (side == SIDE_RESP && (c->ex.resp_headers.n || c->resp_evidence))
			tx_flush(c, i);
	}
	tx_touch(c, i);
	c->hside = side;
}

/* ------------------------------------------------------------------ */
/* newman's CLI reporter: "GET https://x/y [200 OK, 250B, 32ms]"        */

/* Handle a newman request line at i; returns the next line, or i. */
static size_t newman_line(struct tctx *c, size_t i)
{
	struct lines *L = c->L;
	const char *t = L->v[i].t;
	const char *p = t;

	while (isupper((unsigned char)*p))
		p++;
	if (!httpmsg_is_method(t, (size_t)(p - t)) || *p != ' ')
		return i;
	const char *u = p + 1;
	if (ascii_ncasecmp(u, "http://", 7) && ascii_ncasecmp(u, "https://", 8))
		return i;
	const char *ue = u;
	while (*ue && *ue != ' ')
		ue++;
	size_t n = strlen(t);
	if (ue[0] != ' ' || ue[1] != '[' || t[n - 1] != ']')
		return i;
	const char *in = ue + 2;
	long code = 0;
	if (!strncmp(in, "errored]", 8)) {
		code = 0;
	} else if (isdigit((unsigned char)in[0]) && !parse_long(in, 3, &code) && code >= 100 &&
		   code <= 599 && (in[3] == ' ' || in[3] == ',')) {
	} else {
		return i;
	}
	tx_begin(c, i);
	exchange_setn(&c->ex.method, t, (size_t)(p - t));
	char *url = xstrndup(u, (size_t)(ue - u));
	exchange_set_url(&c->ex, url);
	free(url);
	c->has_reqline = 1;
	L->v[i].used = 1;
	/* The item name on the line before: "↳ hello" or "→ hello". */
	if (i > 0 && !L->v[i - 1].blank) {
		const char *nm = L->v[i - 1].t;
		if (!strncmp(nm, "\xe2\x86\xb3 ", 4) || !strncmp(nm, "\xe2\x86\x92 ", 4)) {
			exchange_set(&c->ex.name, nm + 4);
			L->v[i - 1].used = 1;
		}
	}
	size_t next = i + 1;
	if (code) {
		c->ex.status = (int)code;
		c->has_status = 1;
		const char *r = skipws(in + 3);
		const char *re = r;
		while (*re && *re != ',' && *re != ']')
			re++;
		if (re > r)
			exchange_setn(&c->ex.status_text, r, (size_t)(re - r));
	} else {
		c->ex.status = STATUS_NONE;
		c->has_error = 1;
		if (next < L->n && !L->v[next].blank && L->v[next].indent > L->v[i].indent) {
			exchange_set(&c->ex.error, L->v[next].t);
			L->v[next++].used = 1;
		} else {
			exchange_set(&c->ex.error, "errored");
		}
	}
	tx_touch(c, next - 1);
	return next;
}

/* ------------------------------------------------------------------ */
/* The main pass                                                       */

/* True for a curl -v info line ("* Trying ...") or data line
 * ("{ [5 bytes data]"). */
static int is_curl_info(const char *t)
{
	if (t[0] == '*' && t[1] == ' ' && t[2] != '*')
		return 1;
	if ((t[0] == '{' || t[0] == '}') && t[1] == ' ' && t[2] == '[' && isdigit((unsigned char)t[3]) &&
	    strstr(t, " bytes data]"))
		return 1;
	return 0;
}

/* Walk all lines and emit exchanges. */
static void parse_lines(struct tctx *c)
{
	struct lines *L = c->L;
	size_t i = 0;

	while (i < L->n && !c->sink_failed) {
		struct tline *tl = &L->v[i];
		const char *t = tl->t;
		struct httpmsg_header hh;
		struct httpmsg_request rq;
		struct httpmsg_status st;
		const char *rest;
		size_t nx;
		enum cmd_kind ck;
		enum caption cap;

		if (tl->blank) {
			if (c->hside != SIDE_NONE) {
				/* End of a header block: a body may follow. */
				c->body_side = c->hside;
				c->body_until = i + 4;
				c->hside = SIDE_NONE;
				c->hsection = 0;
			}
			i++;
			continue;
		}
		/* curl -v info and data lines next to a curl paste. */
		if (is_curl_info(t) && c->active && (c->has_cmd || c->has_reqline) && i <= c->last + 3) {
			if (!error_line(c, i)) {
				if (c->ex.transcript.n < TRANSCRIPT_CAP)
					strlist_adds(&c->ex.transcript, t);
				tl->used = 1;
				tx_touch(c, i);
			}
			i++;
			continue;
		}
		if (tl->used) {
			i++;
			continue;
		}
		/* A body right after a header block or a caption. */
		if (c->body_side != SIDE_NONE && i <= c->body_until && c->active) {
			enum side bs = c->body_side;
			int plain = 0;
			if (c->raw_block && bs == SIDE_RESP) {
				const struct hdr_list *rh = &c->ex.resp_headers;
				const char *cl = hdr_list_get(rh, "content-length");
				const char *ct = hdr_list_get(rh, "content-type");
				plain = (cl && strcmp(cl, "0") != 0) || (ct && (ascii_casestr(ct, strlen(ct), "text/") ||
								       ascii_casestr(ct, strlen(ct), "xml")));
				if (httpmsg_status_line(t, HTTPMSG_LENIENT, NULL) ||
				    httpmsg_request_line(t, HTTPMSG_LENIENT, NULL) ||
				    command_of(t, &rest) != CMD_NONE)
					plain = 0;
			}
			if (c->raw_block && bs == SIDE_REQ && hdr_list_get(&c->ex.req_headers, "content-length") &&
			    !httpmsg_status_line(t, HTTPMSG_LENIENT, NULL))
				plain = 1;
			c->body_side = SIDE_NONE;
			nx = read_body(c, i, bs, plain);
			if (nx != i) {
				c->raw_block = 0;
				i = nx;
				continue;
			}
		}
		if (c->body_side != SIDE_NONE && i > c->body_until)
			c->body_side = SIDE_NONE;

		if ((nx = general_label(c, i)) != i) {
			i = nx;
			continue;
		}
		/* PowerShell listing. */
		if (!strncmp(t, "StatusCode", 10)) {
			const char *pn, *pv;
			size_t pnl;
			long v;
			if (ps_property(tl->raw, -1, &pn, &pnl, &pv) && pnl == 10 &&
			    !parse_long(pv, strlen(pv), &v)) {
				i = read_ps_listing(c, i);
				c->hside = SIDE_NONE;
				continue;
			}
		}
		if (error_line(c, i)) {
			c->hside = SIDE_NONE;
			i++;
			continue;
		}
		if (ps_error_tail(c, i)) {
			i++;
			continue;
		}
		if ((ck = command_of(t, &rest)) != CMD_NONE) {
			c->hside = SIDE_NONE;
			c->body_side = SIDE_NONE;
			i = read_command(c, i, ck, rest);
			continue;
		}
		if ((nx = newman_line(c, i)) != i) {
			c->hside = SIDE_NONE;
			c->body_side = SIDE_NONE;
			i = nx;
			continue;
		}
		if (httpmsg_request_line(t, HTTPMSG_LENIENT, &rq)) {
			if (c->active && (c->has_reqline && !c->has_cmd))
				tx_flush(c, i);
			else if (c->active && (c->has_status || c->resp_evidence || c->ex.resp_headers.n))
				tx_flush(c, i);
			else if (c->active && c->has_cmd && c->ex.method &&
				 strncmp(c->ex.method, rq.method, rq.method_len))
				tx_flush(c, i);
			tx_touch(c, i);
			exchange_setn(&c->ex.method, rq.method, rq.method_len);
			char *u = xstrndup(rq.target, rq.target_len);
			if (!(c->ex.host && u[0] == '/' && c->has_cmd) || !c->ex.url)
				exchange_set_url(&c->ex, u);
			free(u);
			if (rq.version) {
				char *v = httpmsg_version(rq.version, rq.version_len);
				exchange_set(&c->ex.http_version, v);
				free(v);
			}
			c->has_reqline = 1;
			c->hside = SIDE_REQ;
			c->hsection = 1;
			c->raw_block = rq.version != NULL;
			c->body_side = SIDE_NONE;
			tl->used = 1;
			i++;
			continue;
		}
		if (httpmsg_status_line(t, HTTPMSG_LENIENT, &st)) {
			int code = st.code;
			if (c->active && c->has_status && !c->status_1xx)
				tx_flush(c, i);
			else if (c->active && (c->ex.resp_headers.n || c->resp_evidence) && !c->status_1xx)
				tx_flush(c, i);
			tx_touch(c, i);
			if (c->status_1xx) {
				/* The final response replaces "100 Continue". */
				hdr_list_release(&c->ex.resp_headers);
				memset(&c->ex.resp_headers, 0, sizeof c->ex.resp_headers);
			}
			c->ex.status = code;
			c->has_status = 1;
			c->status_1xx = code < 200 || (code == 200 && ascii_casestr(st.reason, st.reason_len,
									       "connection established"));
			if (st.reason_len)
				exchange_setn(&c->ex.status_text, st.reason, st.reason_len);
			else
				exchange_set(&c->ex.status_text, NULL);
			char *sver = httpmsg_version(st.version, st.version_len);
			exchange_set(&c->ex.http_version, sver);
			free(sver);
			free(c->ex.status_source);
			c->ex.status_source = NULL;
			c->hside = SIDE_RESP;
			c->hsection = 1;
			c->raw_block = 1;
			c->body_side = SIDE_NONE;
			tl->used = 1;
			i++;
			continue;
		}
		if ((cap = caption_of(t)) != CAP_NONE) {
			tl->used = 1;
			switch (cap) {
			case CAP_REQUEST:
				if (c->active && (c->has_reqline || c->has_status || c->resp_evidence ||
						  c->ex.req_headers.n || c->ex.resp_headers.n))
					tx_flush(c, i);
				c->hside = SIDE_NONE;
				c->body_side = SIDE_REQ;
				c->body_until = i + 3;
				c->raw_block = 0;
				tx_touch(c, i);
				break;
			case CAP_RESPONSE:
				if (c->active && (c->has_status || c->resp_evidence || c->ex.resp_headers.n))
					tx_flush(c, i);
				tx_touch(c, i);
				c->hside = SIDE_RESP;
				c->hsection = 1;
				c->body_side = SIDE_RESP;
				c->body_until = i + 3;
				c->raw_block = 0;
				break;
			case CAP_REQ_HEADERS:
				open_block(c, i, SIDE_REQ);
				c->hsection = 1;
				c->raw_block = 0;
				break;
			case CAP_RESP_HEADERS:
				open_block(c, i, SIDE_RESP);
				c->hsection = 1;
				c->raw_block = 0;
				break;
			case CAP_HEADERS:
				if (!c->active || !(c->has_reqline || c->has_status)) {
					tl->used = 0;
					break;
				}
				c->hside = c->has_status ? SIDE_RESP : SIDE_REQ;
				c->hsection = 1;
				break;
			case CAP_GENERAL:
				if (c->active && (c->has_status || c->resp_evidence || c->ex.url))
					tx_flush(c, i);
				c->hside = SIDE_NONE;
				break;
			case CAP_REQ_BODY:
			case CAP_LEAD_REQ_BODY:
				if (cap == CAP_LEAD_REQ_BODY)
					tl->used = 0;
				if (c->active) {
					c->body_side = SIDE_REQ;
					c->body_until = i + 3;
					c->hside = SIDE_NONE;
				}
				break;
			case CAP_RESP_BODY:
			case CAP_LEAD_RESP_BODY:
				/* A sentence stays prose: it may state the status. */
				if (cap == CAP_LEAD_RESP_BODY)
					tl->used = 0;
				if (c->active && (c->ex.resp_body.data || (c->has_status && !c->raw_block &&
									    i > c->last + 3)))
					tx_flush(c, i);
				tx_touch(c, i);
				c->body_side = SIDE_RESP;
				c->body_until = i + 3;
				c->hside = SIDE_NONE;
				break;
			case CAP_NONE:
				break;
			}
			i++;
			continue;
		}
		if (httpmsg_header_line(t, HTTPMSG_LENIENT, &hh)) {
			enum side side = c->hside;
			if (side == SIDE_NONE) {
				side = bare_block_side(L, i);
				if (side != SIDE_NONE) {
					open_block(c, i, side);
					c->hsection = 0;
					c->raw_block = 0;
				}
			}
			if (side != SIDE_NONE) {
				tx_touch(c, i);
				hdr_list_add(side == SIDE_REQ ? &c->ex.req_headers : &c->ex.resp_headers,
					     hh.name, hh.name_len, hh.value, hh.value_len);
				tl->used = 1;
				i++;
				continue;
			}
		}
		/* Chrome's newer copy: name and value on separate lines. */
		if (c->hside != SIDE_NONE && c->hsection && i + 1 < L->n && !L->v[i + 1].blank) {
			if (httpmsg_header_name_only(t) && caption_of(L->v[i + 1].t) == CAP_NONE) {
				const char *v = L->v[i + 1].t;
				tx_touch(c, i + 1);
				hdr_list_add(c->hside == SIDE_REQ ? &c->ex.req_headers : &c->ex.resp_headers,
					     t, strlen(t), v, strlen(v));
				tl->used = L->v[i + 1].used = 1;
				i += 2;
				continue;
			}
		}
		/* Obsolete line folding inside a raw block. */
		if (c->hside != SIDE_NONE && c->raw_block && tl->indent > 0 && i > 0 && L->v[i - 1].used &&
		    tl->indent > L->v[i - 1].indent) {
			struct hdr_list *hl = c->hside == SIDE_REQ ? &c->ex.req_headers : &c->ex.resp_headers;
			if (httpmsg_fold(hl, t, NULL)) {
				tl->used = 1;
				i++;
				continue;
			}
		}
		/* A body without a caption right after a response part. */
		if (c->active && (*t == '{' || !ascii_ncasecmp(t, "<!doctype", 9) || !ascii_ncasecmp(t, "<html", 5))) {
			enum side bs = c->hside != SIDE_NONE ? c->hside :
				       (c->has_status || c->ex.resp_headers.n) ? SIDE_RESP :
				       c->has_reqline ? SIDE_REQ : SIDE_NONE;
			struct body *bd = bs == SIDE_REQ ? &c->ex.req_body : &c->ex.resp_body;
			if (bs != SIDE_NONE && !bd->data && i <= c->last + 3) {
				nx = read_body(c, i, bs, 0);
				if (nx != i) {
					c->hside = SIDE_NONE;
					i = nx;
					continue;
				}
			}
		}
		/* A Firefox "Copy All" JSON block or a lone HTML error page. */
		if (!strncmp(t, "{\"Response Headers (", 19) || !strncmp(t, "{\"Request Headers (", 18) ||
		    ((!ascii_ncasecmp(t, "<!doctype html", 14) || !ascii_ncasecmp(t, "<html", 5)) && !c->active)) {
			int ff = *t == '{';
			if (c->active && ff && c->ex.resp_headers.n && !strncmp(t, "{\"Response", 10))
				tx_flush(c, i);
			tx_touch(c, i);
			nx = read_body(c, i, SIDE_RESP, 0);
			if (nx != i) {
				i = nx;
				continue;
			}
		}
		/* Prose: ends a header block. */
		if (c->hside != SIDE_NONE && !(c->hsection && strlen(t) < 3)) {
			c->hside = SIDE_NONE;
			c->hsection = 0;
		}
		i++;
	}
	if (c->active)
		tx_flush(c, L->n);
}

/* ------------------------------------------------------------------ */
/* E-mail                                                              */

/* Decode quoted-printable text; returns a malloc'd buffer. */
static char *qp_decode(const char *p, size_t n, size_t *outlen)
{
	char *o = xmalloc(n + 1);
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '=' && i + 1 < n && (p[i + 1] == '\n' || p[i + 1] == '\r')) {
			i++;
			if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
				i++;
			continue;
		}
		if (p[i] == '=' && i + 2 < n && isxdigit((unsigned char)p[i + 1]) &&
		    isxdigit((unsigned char)p[i + 2])) {
			char hex[3] = { p[i + 1], p[i + 2], 0 };
			o[w++] = (char)strtol(hex, NULL, 16);
			i += 2;
			continue;
		}
		o[w++] = p[i];
	}
	o[w] = 0;
	*outlen = w;
	return o;
}

/* Length of an RFC 822 header section at p (through the blank line), or
 * 0 when p does not start with mail headers. */
static size_t mail_header_len(const char *p, size_t n, int need_mail)
{
	size_t i = 0;
	int hdrs = 0, mail = 0;
	while (i < n) {
		const char *e = memchr(p + i, '\n', n - i);
		size_t ll = e ? (size_t)(e - (p + i)) : n - i;
		size_t l2 = ll;
		if (l2 > 0 && p[i + l2 - 1] == '\r')
			l2--;
		if (l2 == 0)
			return hdrs >= (need_mail ? 2 : 1) && (!need_mail || mail >= 2) ? i + ll + 1 : 0;
		if (is_blank_char(p[i])) {
			if (!hdrs)
				return 0;
		} else {
			size_t k = 0;
			while (k < l2 && httpmsg_is_tchar(p[i + k]))
				k++;
			if (k == 0 || k >= l2 || p[i + k] != ':')
				return 0;
			hdrs++;
			if (name_in(mail_names, p + i, k) || !ascii_ncasecmp(p + i, "x-", 2) ||
			    !ascii_ncasecmp(p + i, "content-type", 12) || !ascii_ncasecmp(p + i, "date", 4))
				mail += name_in(mail_names, p + i, k);
		}
		if (!e)
			break;
		i += ll + 1;
	}
	return 0;
}

/* Value of a (possibly folded) header in a header section; malloc'd. */
static char *mail_header_get(const char *p, size_t n, const char *name)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < n;) {
		const char *e = memchr(p + i, '\n', n - i);
		size_t ll = e ? (size_t)(e - (p + i)) : n - i;
		if (ll > nl && !ascii_ncasecmp(p + i, name, nl) && p[i + nl] == ':') {
			struct sbuf b = SBUF_INIT;
			sbuf_add(&b, p + i + nl + 1, ll - nl - 1);
			size_t j = i + ll + 1;
			while (j < n && is_blank_char(p[j])) {
				const char *e2 = memchr(p + j, '\n', n - j);
				size_t l2 = e2 ? (size_t)(e2 - (p + j)) : n - j;
				sbuf_add(&b, p + j, l2);
				j += l2 + 1;
			}
			const char *s = sbuf_str(&b);
			size_t sl = b.len;
			trim_span(&s, &sl);
			char *r = xstrndup(s, sl);
			sbuf_release(&b);
			return r;
		}
		if (!e)
			break;
		i += ll + 1;
	}
	return NULL;
}

/* Parameter of a header value ("boundary"); malloc'd or NULL. */
static char *header_param(const char *v, const char *param)
{
	const char *p = ascii_casestr(v, strlen(v), param);
	if (!p)
		return NULL;
	p += strlen(param);
	p = skipws(p);
	if (*p != '=')
		return NULL;
	p = skipws(p + 1);
	if (*p == '"') {
		const char *e = strchr(p + 1, '"');
		return e ? xstrndup(p + 1, (size_t)(e - p - 1)) : NULL;
	}
	const char *e = p;
	while (*e && *e != ';' && !isspace((unsigned char)*e))
		e++;
	return e > p ? xstrndup(p, (size_t)(e - p)) : NULL;
}

/* Turn the HTML of a mail body into text lines: tags out, block ends
 * to newlines, the common entities decoded.  Never fails. */
static void html_to_text(const char *p, size_t n, struct sbuf *out)
{
	static const char *const breaks[] = {
		"br", "/p", "p", "/div", "div", "/tr", "/li", "/h1", "/h2", "/h3", "/pre", "pre",
		"/blockquote", "/table", NULL
	};
	static const struct { const char *e; char c; } ents[] = {
		{ "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' }, { "&quot;", '"' },
		{ "&#39;", '\'' }, { "&apos;", '\'' }, { "&nbsp;", ' ' }, { NULL, 0 }
	};
	int in_pre = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '<') {
			const char *e = memchr(p + i, '>', n - i);
			if (!e)
				break;
			const char *tag = p + i + 1;
			if (!ascii_ncasecmp(tag, "pre", 3) && !isalnum((unsigned char)tag[3]))
				in_pre = 1;
			else if (!ascii_ncasecmp(tag, "/pre", 4))
				in_pre = 0;
			for (size_t k = 0; breaks[k]; k++) {
				size_t bl = strlen(breaks[k]);
				if (!ascii_ncasecmp(tag, breaks[k], bl) && !isalnum((unsigned char)tag[bl])) {
					sbuf_addc(out, '\n');
					break;
				}
			}
			/* Skip style and script contents entirely. */
			if (!ascii_ncasecmp(tag, "style", 5) || !ascii_ncasecmp(tag, "script", 6)) {
				const char *close = ascii_casestr(e, (size_t)(p + n - e), tag[1] == 't' ? "</style" : "</script");
				if (close)
					e = memchr(close, '>', (size_t)(p + n - close));
				if (!e)
					break;
			}
			i = (size_t)(e - p);
			continue;
		}
		if (p[i] == '&') {
			size_t k;
			for (k = 0; ents[k].e; k++) {
				size_t el = strlen(ents[k].e);
				if (i + el <= n && !ascii_ncasecmp(p + i, ents[k].e, el)) {
					sbuf_addc(out, ents[k].c);
					i += el - 1;
					break;
				}
			}
			if (ents[k].e)
				continue;
		}
		if ((p[i] == '\n' || p[i] == '\r') && !in_pre)
			sbuf_addc(out, ' ');
		else
			sbuf_addc(out, p[i]);
	}
}

/* Decode the text of an e-mail entity (headers hs/hl, body b/bl) into
 * out: the first text/plain part of a multipart, QP/base64 decoded. */
static void mail_entity(const char *hs, size_t hl, const char *b, size_t bl, struct sbuf *out, int depth)
{
	char *ct = mail_header_get(hs, hl, "content-type");
	char *cte = mail_header_get(hs, hl, "content-transfer-encoding");
	char *boundary = ct ? header_param(ct, "boundary") : NULL;

	if (boundary && depth < MIME_DEPTH && ct && !ascii_ncasecmp(ct, "multipart/", 10)) {
		char *delim = xasprintf("--%s", boundary);
		const char *p = b, *end = b + bl;
		const char *best = NULL, *bestend = NULL;
		int best_rank = 0;
		while (p < end) {
			const char *s = ascii_casestr(p, (size_t)(end - p), delim);
			if (!s || (end - s > (ptrdiff_t)strlen(delim) + 1 && s[strlen(delim)] == '-' &&
				   s[strlen(delim) + 1] == '-'))
				break; /* the closing delimiter */
			const char *ps = memchr(s, '\n', (size_t)(end - s));
			if (!ps)
				break;
			ps++;
			const char *ne = ascii_casestr(ps, (size_t)(end - ps), delim);
			const char *pe = ne ? ne : end;
			size_t phl = mail_header_len(ps, (size_t)(pe - ps), 0);
			char *pct = phl ? mail_header_get(ps, phl, "content-type") : NULL;
			int rank = !pct || !ascii_ncasecmp(pct, "text/plain", 10) ? 3 :
				   !ascii_ncasecmp(pct, "multipart/", 10) ? 2 :
				   !ascii_ncasecmp(pct, "text/", 5) ? 1 : 0;
			if (rank > best_rank) {
				best = ps;
				bestend = pe;
				best_rank = rank;
			}
			free(pct);
			p = pe;
			if (!ne)
				break;
		}
		free(delim);
		if (best) {
			size_t phl = mail_header_len(best, (size_t)(bestend - best), 0);
			mail_entity(best, phl, best + phl, (size_t)(bestend - best) - phl, out, depth + 1);
		} else {
			sbuf_add(out, b, bl);
		}
	} else {
		struct sbuf dec = SBUF_INIT;
		size_t dl;
		char *d = NULL;
		if (cte && !ascii_casecmp(cte, "quoted-printable"))
			d = qp_decode(b, bl, &dl);
		else if (cte && !ascii_casecmp(cte, "base64"))
			d = base64_decode(b, bl, &dl);
		if (d)
			sbuf_add(&dec, d, dl);
		else
			sbuf_add(&dec, b, bl);
		free(d);
		if (ct && !ascii_ncasecmp(ct, "text/html", 9))
			html_to_text(sbuf_str(&dec), dec.len, out);
		else
			sbuf_add(out, sbuf_str(&dec), dec.len);
		sbuf_release(&dec);
	}
	free(ct);
	free(cte);
	free(boundary);
}

/* ------------------------------------------------------------------ */

/* Import HTTP pasted into prose.  Returns 0 (res says how well: OK,
 * PARTIAL when the input was larger than the read cap, NOT_CAPTURE when no
 * HTTP was found, ERROR on a read error) or -1 when the sink failed. */
int import_text(struct hstream *s, const struct import_opts *opts,
		struct import_sink *sink, struct import_result *res)
{
	char *buf = NULL, *text = NULL;
	size_t len = 0, tlen;
	struct lines L = { NULL, 0, 0 };
	struct tctx c;
	int rc = 0, cut;
	size_t cap = opts && opts->slurp_cap ? opts->slurp_cap : SLURP_CAP;

	memset(res, 0, sizeof *res);
	res->format = FMT_TEXT;
	res->status = IMPORT_OK;
	int sr = hstream_slurp(s, cap, &buf, &len);
	if (sr == -1) {
		import_fail(res, IMPORT_ERROR, "read error: %s", s->errmsg);
		goto out;
	}
	cut = sr == -2;
	if (!buf) {
		buf = xstrdup("");
		len = 0;
	}

	/* An e-mail: skip the mail headers (and an mbox "From " line),
	 * decode the body. */
	size_t skip = 0;
	if (!strncmp(buf, "From ", 5)) {
		const char *nl = memchr(buf, '\n', len);
		skip = nl ? (size_t)(nl - buf) + 1 : 0;
	}
	size_t mh = mail_header_len(buf + skip, len - skip, 1);
	if (mh) {
		struct sbuf d = SBUF_INIT;
		mail_entity(buf + skip, mh, buf + skip + mh, len - skip - mh, &d, 0);
		text = sbuf_detach(&d, &tlen);
		if (!text) {
			text = xstrdup("");
			tlen = 0;
		}
		free(buf);
		buf = NULL;
	} else {
		text = buf;
		tlen = len;
		buf = NULL;
	}
	lines_split(&L, text, tlen);

	memset(&c, 0, sizeof c);
	c.L = &L;
	c.sink = sink;
	c.scan_budget = 4 * L.n + 100000;
	parse_lines(&c);
	res->exchanges = c.seq;
	if (c.sink_failed) {
		import_fail(res, IMPORT_ERROR, "the store refused an exchange");
		rc = -1;
		goto out;
	}
	if (cut) {
		if (sink->note)
			sink->note(sink->ctx, NOTE_TRUNCATED_FILE, -1,
				   "text larger than the read cap; only its beginning was read");
		import_fail(res, IMPORT_PARTIAL, "input larger than %zu bytes; only its beginning was read", cap);
	} else if (c.seq == 0) {
		import_fail(res, IMPORT_NOT_CAPTURE, "no HTTP request or response found");
	}
out:
	free(L.v);
	free(text);
	free(buf);
	return rc;
}
