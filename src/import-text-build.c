/* import-text-build.c - the exchange under construction in the text
 * importer: begin, extend, flush; the bodies pasted after a header block;
 * and the prose right around a paste, which may state what the capture
 * does not (a URL, "returns a 403": then status_source says so).
 *
 * The lowest layer of the text importer (see import-text-int.h): it calls
 * no other part of it.
 */
#include <config.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "httpmsg.h"
#include "import-text-int.h"

/* Start a new exchange at line i, flushing the current one. */
void tx_begin(struct tctx *c, size_t i)
{
	if (c->active)
		tx_flush(c, i);
	c->ex = xb_begin(&c->xb);
	c->active = 1;
	c->first = c->last = i;
	c->has_reqline = c->has_cmd = c->has_status = c->has_error = 0;
	c->status_1xx = c->resp_evidence = 0;
}

/* Make sure an exchange is open and covers line i. */
void tx_touch(struct tctx *c, size_t i)
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
	while (e > line && text_is_blank(e[-1]))
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
	return !tl->used && !tl->blank && !tl->owned;
}

/* Fill a missing URL from the prose around lines [lo, hi). */
static void url_from_prose(struct tctx *c, size_t lo, size_t hi)
{
	struct exchange *ex = c->ex;
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
			while (e > bline && text_is_blank(e[-1]))
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
		const char *after = text_skipws(s + i + 3);
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
		c->ex->status = code;
		c->ex->status_source = prose_fragment(L->v[i].t, ms, me);
		return;
	}
	/* curl without -i printed only the body after its command: that body
	 * (and what follows it) is the fragment reader's, and a status inside
	 * it ("status": "401") is no prose about this command */
	int cmd_only = c->has_cmd && !c->has_reqline && !c->resp_evidence && !c->ex->resp_headers.n;
	for (size_t i = c->first; i < hi; i++) {
		const char *t = L->v[i].t;
		if (cmd_only && i > c->last && prose_line(&L->v[i]) && (*t == '{' || *t == '[' || *t == '<'))
			break;
		if (prose_line(&L->v[i]) && (code = prose_status(L->v[i].t, &ms, &me)) != 0) {
			c->ex->status = code;
			c->ex->status_source = prose_fragment(L->v[i].t, ms, me);
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
void tx_flush(struct tctx *c, size_t boundary)
{
	struct exchange *ex = c->ex;
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
		if (ex->resp_body.truncated || ex->req_body.truncated)
			xb_note_after(&c->xb, NOTE_TRUNCATED_BODY,
				      "pasted body is cut short (unbalanced or ends in \"...\")");
		if (xb_emit(&c->xb) != 0)
			c->sink_failed = 1;
	} else {
		xb_discard(&c->xb);
	}
	if (worth)
		c->prev_end = c->last + 1;
}

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
void tx_set_body(struct exchange *ex, enum side side, struct sbuf *b, int truncated)
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
			hl = &c->ex->resp_headers;
		else if (!ascii_ncasecmp(key, "Request Headers", 15))
			hl = &c->ex->req_headers;
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
		if (hl == &c->ex->resp_headers)
			c->resp_evidence = 1;
		any = 1;
	}
	return any;
}

/* Try to read a body starting at line i on side; returns the next line
 * index, or i when no body starts there. */
size_t tx_read_body(struct tctx *c, size_t i, enum side side, int plain_ok)
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
		tx_set_body(c->ex, side, &b, truncated);
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
		tx_set_body(c->ex, side, &b, truncated);
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
		tx_set_body(c->ex, side, &b, 0);
		if (side == SIDE_RESP)
			c->resp_evidence = 1;
		next = j + 1;
	}
out:
	sbuf_release(&b);
	return next;
}

/* Record a transport error (no response) on the current exchange. */
void tx_set_error(struct tctx *c, size_t i, const char *msg, size_t n)
{
	if (!c->active || c->has_status || c->resp_evidence || c->has_error)
		tx_begin(c, i);
	tx_touch(c, i);
	exchange_setn(&c->ex->error, msg, n);
	c->ex->status = STATUS_NONE;
	c->has_error = 1;
	c->L->v[i].used = 1;
}

/* Set a status learnt from an error message. */
void tx_set_status_from(struct tctx *c, size_t i, int code, const char *text,
			    size_t tlen, const char *how, const char *msg)
{
	if (!c->active || c->has_status || c->has_error)
		tx_begin(c, i);
	tx_touch(c, i);
	c->ex->status = code;
	c->has_status = 1;
	if (text && tlen)
		exchange_setn(&c->ex->status_text, text, tlen);
	char *src = xasprintf("%s: \"%.*s\"", how, text_utf8_prefix(msg, FRAG_CAP), msg);
	free(c->ex->status_source);
	c->ex->status_source = src;
	strlist_adds(&c->ex->transcript, msg);
	c->L->v[i].used = 1;
}
