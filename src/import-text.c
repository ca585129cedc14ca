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
 *
 * This file is the dispatcher: it splits the lines, knows captions,
 * header blocks, DevTools labels and tool error lines, and hands commands,
 * PowerShell and newman lines to their parts (import-text-int.h).
 */
#include <config.h>

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "caps.h"
#include "fragment.h"
#include "httpmsg.h"
#include "import-mail.h"
#include "import-text-int.h"

/* A CI log or terminal paste of curl without -s: the progress meter's
 * header lines and rows (CR-separated updates, the body glued after the
 * last one) go, so the body follows its command.  In place; returns the
 * new length. */
static size_t strip_progress_meter(char *buf, size_t len)
{
	struct sbuf out = SBUF_INIT;
	size_t r = 0, w = 0;
	if (!memmem(buf, len, "% Total", 7) && !memmem(buf, len, "--:--:--", 8))
		return len;
	while (r < len) {
		char *nl = memchr(buf + r, '\n', len - r);
		size_t n = nl ? (size_t)(nl - (buf + r)) : len - r;
		const char *p = buf + r;
		int meter = memmem(p, n, "% Total", 7) || memmem(p, n, "Dload", 5) || memmem(p, n, ":--", 3) ||
			    (memchr(p, '\r', n) && (const char *)memchr(p, '\r', n) < p + n - 1);
		if (meter && curl_clean_line(p, n, &out)) {
			r += n + (nl != NULL); /* only debris: the line goes */
			continue;
		}
		if (meter && out.len <= n) {
			memmove(buf + w, out.data, out.len);
			w += out.len;
		} else {
			memmove(buf + w, p, n);
			w += n;
		}
		if (nl)
			buf[w++] = '\n';
		r += n + (nl != NULL);
	}
	sbuf_release(&out);
	buf[w] = 0;
	return w;
}

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
		while (e > p && (e[-1] == '\r' || text_is_blank(e[-1])))
			*--e = 0;
		L->v = xgrow(L->v, &L->alloc, L->n + 1, sizeof *L->v);
		struct tline *tl = &L->v[L->n++];
		memset(tl, 0, sizeof *tl);
		tl->raw = p;
		char *t = p;
		while (text_is_blank(*t))
			t++;
		tl->indent = (int)(t - p);
		/* Quote and transcript prefixes: "> ", "< ", "> > ". */
		for (int k = 0; k < 4; k++) {
			if ((t[0] == '>' || t[0] == '<') && (t[1] == ' ' || t[1] == 0)) {
				t += t[1] ? 2 : 1;
				while (text_is_blank(*t))
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

/* Line i for the fragment reader's dump grammar (fragment.h). */
static const char *text_line(const void *ctx, size_t i)
{
	const struct lines *L = ctx;
	return L->v[i].used ? "" : L->v[i].t;
}

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
			v = text_skipws(v + 1);
		else if (*v == 0 && i + 1 < L->n && !L->v[i + 1].blank) {
			v = L->v[i + 1].t;
			next = i + 2;
		} else {
			continue;
		}
		if (!*v)
			return i;
		if (k == 0) {
			if (c->active && (c->ex->url || c->has_status || c->resp_evidence))
				tx_flush(c, i);
			tx_touch(c, i);
			exchange_set_url(c->ex, v);
			c->has_reqline = 1;
		} else if (k == 1) {
			if (c->active && c->ex->method && c->has_reqline && c->ex->url && c->ex->method && c->has_status)
				tx_flush(c, i);
			tx_touch(c, i);
			const char *e = v;
			while (isupper((unsigned char)*e))
				e++;
			exchange_setn(&c->ex->method, v, (size_t)(e - v));
		} else if (k == 2) {
			long code;
			if (parse_long(v, 3, &code) || code < 100 || code > 599 || isdigit((unsigned char)v[3]))
				return i;
			if (c->active && c->has_status)
				tx_flush(c, i);
			tx_touch(c, i);
			c->ex->status = (int)code;
			c->has_status = 1;
			const char *r = text_skipws(v + 3);
			const char *re = r;
			while (*re && *re != '(')
				re++;
			while (re > r && re[-1] == ' ')
				re--;
			if (re > r)
				exchange_setn(&c->ex->status_text, r, (size_t)(re - r));
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
		exchange_set(&c->ex->method, t);
		exchange_set_url(c->ex, L->v[i + 1].t);
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
			c->ex->status = (int)code;
			c->has_status = 1;
			L->v[i].used = L->v[i + 1].used = 1;
			size_t next = i + 2;
			if (v[3] == ' ')
				exchange_set(&c->ex->status_text, text_skipws(v + 3));
			else if (next < L->n && httpmsg_reason_at((int)code, L->v[next].t) == strlen(L->v[next].t) &&
				 *L->v[next].t) {
				exchange_set(&c->ex->status_text, L->v[next].t);
				L->v[next++].used = 1;
			}
			return next;
		}
	}
	if (!strncmp(t, "VersionHTTP/", 12) && c->active) {
		char *v = http_version_normalize(t + 7);
		exchange_set(&c->ex->http_version, v);
		free(v);
		L->v[i].used = 1;
		tx_touch(c, i);
		return i + 1;
	}
	return i;
}

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
		if (mail_header_name(n, nl))
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
		if (side == SIDE_REQ && c->ex->req_headers.n)
			tx_flush(c, i);
		else if (side == SIDE_RESP && (c->ex->resp_headers.n || c->resp_evidence))
			tx_flush(c, i);
	}
	tx_touch(c, i);
	c->hside = side;
}

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
					tx_set_status_from(c, i, (int)st, NULL, 0, "curl", msg);
					c->ex->exit_code = 22;
					return 1;
				}
			}
			if (c->active && (c->has_status || c->resp_evidence)) {
				/* Failure after a response: keep it as a transcript line. */
				tx_touch(c, i);
				strlist_adds(&c->ex->transcript, t);
				c->ex->exit_code = (int)code;
				c->L->v[i].used = 1;
				return 1;
			}
			if (c->active && c->has_error && c->ex->exit_code < 0 && i <= c->last + 3) {
				/* The "* ..." line said it first; curl's summary wins. */
				tx_touch(c, i);
				exchange_setn(&c->ex->error, msg, strlen(msg));
				c->L->v[i].used = 1;
			} else {
				tx_set_error(c, i, msg, strlen(msg));
			}
			c->ex->exit_code = (int)code;
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
		const char *msg = text_skipws(t + 2);
		for (size_t k = 0; fails[k]; k++)
			if (strstr(msg, fails[k])) {
				tx_set_error(c, i, msg, strlen(msg));
				return 1;
			}
	}
	/* HTTPie: "http: error: ConnectionError: ... while doing a GET request to URL: x" */
	if ((r = httpmsg_httpie_error(t, HTTPMSG_LENIENT)) != NULL) {
		const char *w = strstr(r, " while doing a ");
		size_t n = w ? (size_t)(w - r) : strlen(r);
		if (c->active && c->has_cmd && !c->has_status && !c->has_error)
			tx_touch(c, i);
		tx_set_error(c, i, r, n);
		if (w) {
			const char *m = w + strlen(" while doing a ");
			const char *me = m;
			while (isupper((unsigned char)*me))
				me++;
			if (httpmsg_is_method(m, (size_t)(me - m)))
				exchange_setn(&c->ex->method, m, (size_t)(me - m));
			const char *u = strstr(me, "URL: ");
			if (u) {
				u += 5;
				const char *ue = u;
				while (*ue && !text_is_blank(*ue))
					ue++;
				char *url = xstrndup(u, (size_t)(ue - u));
				exchange_set_url(c->ex, url);
				free(url);
			}
		}
		return 1;
	}
	if (text_ps_error(c, i))
		return 1;
	/* Postman's console: the request line, then "Error: <what the client
	 * said>" when no response came ("Error: tunneling socket could not be
	 * established, statusCode=407", "Error: getaddrinfo ENOTFOUND x") */
	if (!strncmp(t, "Error: ", 7) && t[7] && c->active && c->has_reqline && !c->has_status &&
	    !c->has_error && !c->resp_evidence && i <= c->last + 2) {
		const char *msg = text_skipws(t + 7);
		tx_set_error(c, i, msg, strlen(msg));
		strlist_adds(&c->ex->transcript, t);
		return 1;
	}
	return 0;
}

/* Postman's console lists the proxy a failed request went through
 * ("Proxy" then "host: ...", "port: 8080", "authenticate: false"): facts
 * about the route, not request headers.  Returns the next line. */
static size_t postman_proxy_block(struct tctx *c, size_t i)
{
	struct lines *L = c->L;
	size_t j = i + 1;
	if (strcmp(L->v[i].t, "Proxy") || !c->active || !c->has_reqline || i > c->last + 2)
		return i;
	for (; j < L->n && j < i + 20; j++) {
		const char *t = L->v[j].t;
		const char *colon = strchr(t, ':'), *sp = strchr(t, ' ');
		if (L->v[j].blank || !colon || colon == t || colon - t > 20 || (sp && sp < colon))
			break;
		if (c->ex->transcript.n < TRANSCRIPT_CAP) {
			char *line = xasprintf("proxy %s", t);
			strlist_adds(&c->ex->transcript, line);
			free(line);
		}
		L->v[j].used = 1;
	}
	if (j == i + 1)
		return i;
	L->v[i].used = 1;
	tx_touch(c, j - 1);
	return j;
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
				if (c->ex->transcript.n < TRANSCRIPT_CAP)
					strlist_adds(&c->ex->transcript, t);
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
		/* a .NET response dump: the fragment reader's (fragment-dotnet.c) */
		{
			size_t lo, end = frag_dump_span(text_line, L, L->n, i, &lo);
			if (end) {
				for (size_t k = lo; k < end; k++)
					L->v[k].owned = 1;
				c->hside = SIDE_NONE;
				c->body_side = SIDE_NONE;
				i = end;
				continue;
			}
		}
		/* A body right after a header block or a caption. */
		if (c->body_side != SIDE_NONE && i <= c->body_until && c->active) {
			enum side bs = c->body_side;
			int plain = 0;
			if (c->raw_block && bs == SIDE_RESP) {
				const struct hdr_list *rh = &c->ex->resp_headers;
				const char *cl = hdr_list_get(rh, "content-length");
				const char *ct = hdr_list_get(rh, "content-type");
				plain = (cl && strcmp(cl, "0") != 0) || (ct && (ascii_casestr(ct, strlen(ct), "text/") ||
								       ascii_casestr(ct, strlen(ct), "xml")));
				if (httpmsg_status_line(t, HTTPMSG_LENIENT, NULL) ||
				    httpmsg_request_line(t, HTTPMSG_LENIENT, NULL) ||
				    text_command_of(t, &rest) != CMD_NONE)
					plain = 0;
			}
			if (c->raw_block && bs == SIDE_REQ && hdr_list_get(&c->ex->req_headers, "content-length") &&
			    !httpmsg_status_line(t, HTTPMSG_LENIENT, NULL))
				plain = 1;
			c->body_side = SIDE_NONE;
			nx = tx_read_body(c, i, bs, plain);
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
		if ((nx = text_ps_listing(c, i)) != i) {
			c->hside = SIDE_NONE;
			i = nx;
			continue;
		}
		if (error_line(c, i)) {
			c->hside = SIDE_NONE;
			i++;
			continue;
		}
		if ((nx = postman_proxy_block(c, i)) != i) {
			c->hside = SIDE_NONE;
			i = nx;
			continue;
		}
		if (text_ps_error_tail(c, i)) {
			i++;
			continue;
		}
		if ((ck = text_command_of(t, &rest)) != CMD_NONE) {
			c->hside = SIDE_NONE;
			c->body_side = SIDE_NONE;
			i = text_read_command(c, i, ck, rest);
			continue;
		}
		if ((nx = text_newman_line(c, i)) != i) {
			c->hside = SIDE_NONE;
			c->body_side = SIDE_NONE;
			i = nx;
			continue;
		}
		if (httpmsg_request_line(t, HTTPMSG_LENIENT, &rq)) {
			if (c->active && (c->has_reqline && !c->has_cmd))
				tx_flush(c, i);
			else if (c->active && (c->has_status || c->resp_evidence || c->ex->resp_headers.n))
				tx_flush(c, i);
			else if (c->active && c->has_cmd && c->ex->method &&
				 strncmp(c->ex->method, rq.method, rq.method_len))
				tx_flush(c, i);
			tx_touch(c, i);
			exchange_setn(&c->ex->method, rq.method, rq.method_len);
			char *u = xstrndup(rq.target, rq.target_len);
			if (!(c->ex->host && u[0] == '/' && c->has_cmd) || !c->ex->url)
				exchange_set_url(c->ex, u);
			free(u);
			if (rq.version) {
				char *v = httpmsg_version(rq.version, rq.version_len);
				exchange_set(&c->ex->http_version, v);
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
			else if (c->active && (c->ex->resp_headers.n || c->resp_evidence) && !c->status_1xx)
				tx_flush(c, i);
			tx_touch(c, i);
			if (c->status_1xx) {
				/* The final response replaces "100 Continue". */
				hdr_list_release(&c->ex->resp_headers);
				memset(&c->ex->resp_headers, 0, sizeof c->ex->resp_headers);
			}
			c->ex->status = code;
			c->has_status = 1;
			c->status_1xx = code < 200 || (code == 200 && ascii_casestr(st.reason, st.reason_len,
									       "connection established"));
			if (st.reason_len)
				exchange_setn(&c->ex->status_text, st.reason, st.reason_len);
			else
				exchange_set(&c->ex->status_text, NULL);
			char *sver = httpmsg_version(st.version, st.version_len);
			exchange_set(&c->ex->http_version, sver);
			free(sver);
			free(c->ex->status_source);
			c->ex->status_source = NULL;
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
						  c->ex->req_headers.n || c->ex->resp_headers.n))
					tx_flush(c, i);
				c->hside = SIDE_NONE;
				c->body_side = SIDE_REQ;
				c->body_until = i + 3;
				c->raw_block = 0;
				tx_touch(c, i);
				break;
			case CAP_RESPONSE:
				if (c->active && (c->has_status || c->resp_evidence || c->ex->resp_headers.n))
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
				if (c->active && (c->has_status || c->resp_evidence || c->ex->url))
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
				if (c->active && (c->ex->resp_body.data || (c->has_status && !c->raw_block &&
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
				hdr_list_add(side == SIDE_REQ ? &c->ex->req_headers : &c->ex->resp_headers,
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
				hdr_list_add(c->hside == SIDE_REQ ? &c->ex->req_headers : &c->ex->resp_headers,
					     t, strlen(t), v, strlen(v));
				tl->used = L->v[i + 1].used = 1;
				i += 2;
				continue;
			}
		}
		/* Obsolete line folding inside a raw block. */
		if (c->hside != SIDE_NONE && c->raw_block && tl->indent > 0 && i > 0 && L->v[i - 1].used &&
		    tl->indent > L->v[i - 1].indent) {
			struct hdr_list *hl = c->hside == SIDE_REQ ? &c->ex->req_headers : &c->ex->resp_headers;
			if (httpmsg_fold(hl, t, NULL)) {
				tl->used = 1;
				i++;
				continue;
			}
		}
		/* A body without a caption right after a response part. */
		if (c->active && (*t == '{' || !ascii_ncasecmp(t, "<!doctype", 9) || !ascii_ncasecmp(t, "<html", 5))) {
			enum side bs = c->hside != SIDE_NONE ? c->hside :
				       (c->has_status || c->ex->resp_headers.n) ? SIDE_RESP :
				       c->has_reqline ? SIDE_REQ : SIDE_NONE;
			struct body *bd = bs == SIDE_REQ ? &c->ex->req_body : &c->ex->resp_body;
			if (bs != SIDE_NONE && !bd->data && i <= c->last + 3) {
				nx = tx_read_body(c, i, bs, 0);
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
			if (c->active && ff && c->ex->resp_headers.n && !strncmp(t, "{\"Response", 10))
				tx_flush(c, i);
			tx_touch(c, i);
			nx = tx_read_body(c, i, SIDE_RESP, 0);
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
	struct frag_seen seen;
	long seq = 0;
	int rc = 0, cut;
	size_t cap = opts && opts->slurp_cap ? opts->slurp_cap : SLURP_CAP;

	memset(res, 0, sizeof *res);
	memset(&seen, 0, sizeof seen);
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
	text = mail_decode(buf, len, &tlen);
	if (!text) {
		text = buf;
		tlen = len;
	} else {
		free(buf);
	}
	buf = NULL;
	tlen = strip_progress_meter(text, tlen);
	lines_split(&L, text, tlen);

	memset(&c, 0, sizeof c);
	c.L = &L;
	frag_seen_init(&seen, sink); /* remembers framed failures for the fragment reader */
	xb_init(&c.xb, &seen.sink, NULL);
	c.ex = &c.xb.ex;
	c.scan_budget = 4 * L.n + 100000;
	parse_lines(&c);
	/* Error fragments among the lines no framed exchange used (fragment.c). */
	seq = c.xb.next_seq;
	xb_release(&c.xb);
	if (!c.sink_failed) {
		struct sbuf rest = SBUF_INIT;
		for (size_t i = 0; i < L.n; i++) {
			if (!L.v[i].used)
				sbuf_adds(&rest, L.v[i].raw);
			sbuf_addc(&rest, '\n');
		}
		if (fragment_scan(rest.data ? rest.data : "", rest.len, FRAG_IN_REST, sink, &seq, &seen) < 0)
			c.sink_failed = 1;
		sbuf_release(&rest);
	}
	res->exchanges = seq;
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
	} else if (seq == 0) {
		import_fail(res, IMPORT_NOT_CAPTURE, "no HTTP request or response found");
	}
out:
	frag_seen_release(&seen);
	free(L.v);
	free(text);
	free(buf);
	return rc;
}
