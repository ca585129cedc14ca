/* fragment.c - find error fragments in text and emit them as exchanges.
 *
 * The text is split into lines; each line keeps its raw form and a form
 * without the decorations pastes add (quote markers "> ", table bars
 * "| ", log timestamps and levels).  A scan then looks, line by line, for
 * the start of a structured piece (a JSON object or array, a Python or
 * Node literal, a bytes repr, an escaped JSON string, an XML or HTML
 * document, a Ruby Net::HTTP wire trace), a client error line or a log
 * record, and last for the visible text of a vendor's error page.  Each
 * piece is unwrapped to its innermost error (fragment_inner) and emitted
 * with what its surroundings say: status, URL, host, method, time, each
 * with its source.  Pieces of one stack trace or log event merge into one
 * exchange so a failure is counted once.
 */
#include <config.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "cmdline.h"
#include "fragment.h"
#include "fragment-int.h"
#include "log-int.h"
#include "util.h"
#include "xbuild.h"

#define CTX_STATUS_LINES 3   /* lines above a piece searched for its status */
#define CTX_URL_LINES 8      /* ... for its URL, Host: line or curl command */
#define SRC_QUOTE 60         /* bytes of text quoted in a *_source */
#define MERGE_GAP 40         /* stack lines between pieces of one failure */

struct fline {
	char *raw;      /* the line, NUL-terminated, no CR */
	const char *t;  /* raw without decorations */
	char *ts;       /* ISO 8601 UTC time of a log prefix, or NULL */
	int used;
};

struct fscan {
	struct fline *v;
	size_t n, alloc;
	struct xbuild xb;     /* numbers, caps (FRAG_MAX_PER_SOURCE) and emits */
	int failed;           /* the sink refused one: stop */
	int capped;           /* FRAG_MAX_PER_SOURCE reached: stop, noted */
	int log_kind;         /* records of a log file */
	const struct frag_seen *seen;
	struct exchange pend; /* the piece waiting for a merge */
	int pending;
	size_t pend_hi;
	int pend_body, pend_err;
};

/* ------------------------------------------------------------------ */
/* Lines and their decorations */

/* Length of an ISO-like timestamp at s ("2024-01-02T03:04:05.123Z",
 * "2024-01-02 03:04:05,123"), 0 when none.  *utc is set when it has a zone
 * and out gets its UTC form. */
static size_t timestamp_at(const char *s, char *out, size_t cap, int *utc)
{
	const char *p = s;
	int y, mo, d, h, mi, se;
	*utc = 0;
	for (int i = 0; i < 10; i++)
		if (!(i == 4 || i == 7 ? p[i] == '-' : isdigit((unsigned char)p[i])))
			return 0;
	if (!(p[10] == 'T' || p[10] == ' '))
		return 0;
	for (int i = 11; i < 19; i++)
		if (!(i == 13 || i == 16 ? p[i] == ':' : isdigit((unsigned char)p[i])))
			return 0;
	y = atoi(p);
	mo = atoi(p + 5);
	d = atoi(p + 8);
	h = atoi(p + 11);
	mi = atoi(p + 14);
	se = atoi(p + 17);
	p += 19;
	char frac[8] = "";
	if (*p == '.' || *p == ',') {
		size_t k = 0;
		p++;
		while (isdigit((unsigned char)*p)) {
			if (k < 3)
				frac[k++] = *p;
			p++;
		}
		frac[k] = 0;
	}
	if (*p == 'Z') {
		*utc = 1;
		p++;
	} else if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2])) {
		int sign = *p == '-' ? -1 : 1;
		int oh = (p[1] - '0') * 10 + (p[2] - '0'), om = 0;
		p += 3;
		if (*p == ':')
			p++;
		if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1])) {
			om = (p[0] - '0') * 10 + (p[1] - '0');
			p += 2;
		}
		/* to UTC: subtract the offset */
		long mins = (long)h * 60 + mi - sign * (oh * 60 + om);
		static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
		while (mins < 0) {
			mins += 1440;
			if (--d < 1) {
				if (--mo < 1) {
					mo = 12;
					y--;
				}
				d = mdays[mo - 1] + (mo == 2 && y % 4 == 0 && (y % 100 || y % 400 == 0));
			}
		}
		while (mins >= 1440) {
			mins -= 1440;
			int md = mdays[mo - 1] + (mo == 2 && y % 4 == 0 && (y % 100 || y % 400 == 0));
			if (++d > md) {
				d = 1;
				if (++mo > 12) {
					mo = 1;
					y++;
				}
			}
		}
		h = (int)(mins / 60);
		mi = (int)(mins % 60);
		*utc = 1;
	}
	if (*utc)
		snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d%s%sZ", y, mo, d, h, mi, se,
			 frac[0] ? "." : "", frac);
	return (size_t)(p - s);
}

/* Length of docker compose's service prefix at s ("api-1     | ",
 * "worker_2  | "), 0 when none. */
static size_t compose_prefix(const char *s)
{
	size_t n = 0, d;
	while (isalnum((unsigned char)s[n]) || s[n] == '_' || s[n] == '-' || s[n] == '.')
		n++;
	if (n < 3 || n > 64)
		return 0;
	for (d = n; d > 0 && isdigit((unsigned char)s[d - 1]); d--)
		;
	if (d == n || d < 2 || (s[d - 1] != '-' && s[d - 1] != '_'))
		return 0;
	size_t k = n;
	while (s[k] == ' ')
		k++;
	return k > n && s[k] == '|' && s[k + 1] == ' ' ? k + 2 : 0;
}

/* Strip what pastes put before the content of a line. */
static const char *undecorate(char *raw, char **ts)
{
	const char *s = raw;
	char tbuf[40];
	int utc;
	*ts = NULL;
	for (int round = 0; round < 6; round++) {
		const char *before = s;
		while (*s == ' ' || *s == '\t')
			s++;
		if (s[0] == '>' && (s[1] == ' ' || !s[1]) && !(s[1] == ' ' && s[2] == '"'))
			s += s[1] ? 2 : 1;
		else if (s[0] == '|' && s[1] == ' ')
			s += 2;
		else if (!strncmp(s, "\xe2\x94\x82 ", 4)) /* box drawing bar */
			s += 4;
		else if (compose_prefix(s))
			s += compose_prefix(s);
		else if (!strncmp(s, "\xe2\x8e\xbf", 3)) /* ⎿ */
			s += 3;
		else if (s[0] == '`' && s[1] != '`')
			s++;
		else {
			const char *q = s + (*s == '[');
			size_t tl = timestamp_at(q, tbuf, sizeof tbuf, &utc);
			if (tl) {
				if (utc && !*ts)
					*ts = xstrdup(tbuf);
				q += tl;
				if (*q == ']')
					q++;
				while (*q == ' ')
					q++;
				/* a level word: INFO, ERROR, [error], error: */
				const char *w = q + (*q == '[');
				size_t wl = 0;
				while (isalpha((unsigned char)w[wl]))
					wl++;
				if (wl >= 4 && wl <= 7) {
					static const char *const lv[] = { "info", "error", "warn", "warning",
						"debug", "fatal", "trace", "notice", "critical", NULL };
					for (int i = 0; lv[i]; i++)
						if (strlen(lv[i]) == wl && !ascii_ncasecmp(w, lv[i], wl)) {
							q = w + wl;
							if (*q == ']')
								q++;
							if (*q == ':')
								q++;
							while (*q == ' ')
								q++;
							break;
						}
				}
				s = q;
			}
		}
		if (s == before)
			break;
	}
	return s;
}

static void lines_split(struct fscan *f, char *buf, size_t len)
{
	char *p = buf, *e = buf + len;
	while (p < e || (p == e && f->n == 0 && len)) {
		char *nl = memchr(p, '\n', (size_t)(e - p));
		char *le = nl ? nl : e;
		if (le > p && le[-1] == '\r')
			le[-1] = 0;
		*le = 0;
		f->v = xgrow(f->v, &f->alloc, f->n + 1, sizeof *f->v);
		struct fline *l = &f->v[f->n++];
		memset(l, 0, sizeof *l);
		l->raw = p;
		l->t = undecorate(p, &l->ts);
		if (!nl)
			break;
		p = nl + 1;
	}
}

static int blank(const char *t)
{
	while (*t == ' ' || *t == '\t')
		t++;
	return !*t || !strcmp(t, "```") || !strncmp(t, "```", 3);
}

/* Join t of lines [a, b] with newlines. */
static void join_lines(struct fscan *f, size_t a, size_t b, size_t col, struct sbuf *out)
{
	for (size_t i = a; i <= b && i < f->n; i++) {
		const char *t = i == a ? f->v[i].t + col : f->v[i].t;
		if (i > a)
			sbuf_addc(out, '\n');
		sbuf_adds(out, t);
		if (out->len > FRAG_BLOB_CAP)
			break;
	}
}

/* ------------------------------------------------------------------ */
/* Status, URL and time from the surroundings */

/* A quoted excerpt of s for a *_source field. */
static char *quote_src(const char *what, size_t line, const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	if (n > SRC_QUOTE)
		n = SRC_QUOTE;
	while (n && ((unsigned char)s[n - 1] & 0xc0) == 0x80)
		n--;
	if (n && (unsigned char)s[n - 1] >= 0xc0)
		n--;
	return xasprintf("%s %zu: \"%.*s\"", what, line + 1, (int)n, s);
}

/* The status stated in the prefix of line i (up to col) or in the lines
 * above it. */
static void ctx_status(struct fscan *f, size_t i, size_t col, struct exchange *ex)
{
	size_t ms, me;
	const char *what = f->log_kind ? "log line" : "line";
	for (size_t k = 0; k <= CTX_STATUS_LINES && k <= i; k++) {
		const char *t = f->v[i - k].t;
		size_t n = k == 0 ? col : strlen(t);
		int st;
		if (k > 0 && blank(t))
			continue;
		if (n > 4096)
			n = 4096;
		st = frag_status_in(t, n, &ms, &me);
		if (st) {
			ex->status = st;
			free(ex->status_source);
			ex->status_source = quote_src(what, i - k, t + ms, me - ms);
			return;
		}
	}
}

/* The first URL in [s, s+n), with its method when one precedes it. */
static size_t find_url(const char *s, size_t n, const char **u, char *method, size_t mcap)
{
	for (size_t i = 0; i + 8 < n; i++) {
		if ((s[i] == 'h' || s[i] == 'H') && (i == 0 || !isalnum((unsigned char)s[i - 1]))) {
			size_t l = frag_url_len(s + i);
			if (l > 10 && frag_url_aside(s, s + i)) {
				i += l - 1;
				continue;
			}
			if (l > 10) {
				*u = s + i;
				method[0] = 0;
				static const char *const ms[] = { "GET", "POST", "PUT", "PATCH", "DELETE",
								  "HEAD", "OPTIONS", NULL };
				for (int k = 0; ms[k]; k++) {
					size_t ml = strlen(ms[k]);
					const char *b = s + i;
					while (b > s && (b[-1] == ' ' || b[-1] == '"' || b[-1] == '`' ||
							 b[-1] == '[' || b[-1] == '\''))
						b--;
					if ((size_t)(b - s) >= ml && !memcmp(b - ml, ms[k], ml) &&
					    (b - ml == s || !isalnum((unsigned char)b[-(long)ml - 1])))
						snprintf(method, mcap, "%s", ms[k]);
					/* Feign: "during [POST] to [https://...]" */
					else if ((size_t)(b - s) >= ml + 5 && !memcmp(b - 4, "] to", 4) &&
						 !memcmp(b - 4 - ml, ms[k], ml) && b[-5 - (long)ml] == '[')
						snprintf(method, mcap, "%s", ms[k]);
				}
				return l;
			}
		}
	}
	return 0;
}

/* A curl command in t (after a prompt), or NULL. */
static const char *curl_command(const char *t)
{
	const char *s = t;
	while (*s == ' ')
		s++;
	for (int k = 0; k < 3 && (*s == '$' || *s == '#' || *s == '%' || *s == '>'); k++) {
		s++;
		while (*s == ' ')
			s++;
	}
	if ((!strncmp(s, "curl ", 5) || !strncmp(s, "curl.exe ", 9)) && strstr(s, "://"))
		return s;
	return NULL;
}

static void set_url(struct exchange *ex, const char *u, size_t n, const char *method, char *src)
{
	char *url = xstrndup(u, n);
	exchange_set_url(ex, url);
	free(url);
	if (method && *method && !ex->method)
		ex->method = xstrdup(method);
	free(ex->url_source);
	ex->url_source = src;
	if (ex->host) {
		free(ex->host_source);
		ex->host_source = xstrdup(src);
	}
}

/* URL, method and host from the piece's own line, the lines above (the
 * nearest URL, curl command or Host: line) or the rest of its last line
 * ("... for url: X"). */
static void ctx_url(struct fscan *f, size_t lo, size_t col, size_t hi, size_t hi_col,
		    struct exchange *ex)
{
	const char *what = f->log_kind ? "log line" : "line";
	char method[12];
	const char *u;
	size_t ul;

	if (ex->url)
		return;
	/* the rest of the last line: "for url: https://..." */
	if (hi < f->n && hi_col <= strlen(f->v[hi].t)) {
		const char *t = f->v[hi].t + hi_col;
		if ((ul = find_url(t, strlen(t), &u, method, sizeof method)) != 0) {
			set_url(ex, u, ul, method, quote_src(what, hi, u, ul));
			return;
		}
	}
	for (size_t k = 0; k <= CTX_URL_LINES && k <= lo; k++) {
		const char *t = f->v[lo - k].t;
		size_t n = k == 0 ? col : strlen(t);
		const char *cmd;
		if (k > 0 && (cmd = curl_command(t)) != NULL) {
			struct curl_cmd cc;
			memset(&cc, 0, sizeof cc);
			curl_cmd_parse_line(cmd, &cc);
			if (cc.url && strstr(cc.url, "://")) {
				set_url(ex, cc.url, strlen(cc.url), cc.method,
					xasprintf("%s %zu: curl command", what, lo - k + 1));
				curl_cmd_release(&cc);
				return;
			}
			curl_cmd_release(&cc);
		}
		if ((ul = find_url(t, n, &u, method, sizeof method)) != 0) {
			set_url(ex, u, ul, method, quote_src(what, lo - k, u, ul));
			return;
		}
		if (k > 0 && !ascii_ncasecmp(t, "Host:", 5) && !ex->host) {
			const char *h = t + 5;
			while (*h == ' ')
				h++;
			size_t hl = strcspn(h, " \t:/");
			if (hl > 0 && hl < 256) {
				ex->host = xstrndup(h, hl);
				ascii_lower(ex->host);
				ex->host_source = xasprintf("%s %zu: Host: line", what, lo - k + 1);
			}
		}
	}
}

/* Time from the log prefix of the piece's line or the lines just above. */
static void ctx_time(struct fscan *f, size_t lo, struct exchange *ex)
{
	for (size_t k = 0; k <= 2 && k <= lo; k++)
		if (f->v[lo - k].ts) {
			if (!ex->started_at)
				ex->started_at = xstrdup(f->v[lo - k].ts);
			return;
		}
}

/* ------------------------------------------------------------------ */
/* Emission and merging */

#define SEEN_BODY 4096 /* bytes of a framed body remembered */

static void trim(const char **p, size_t *n)
{
	while (*n && isspace((unsigned char)**p)) {
		(*p)++;
		(*n)--;
	}
	while (*n && isspace((unsigned char)(*p)[*n - 1]))
		(*n)--;
}

/* Record what a framed exchange says, then pass it on. */
static int seen_emit(void *ctx, struct exchange *ex)
{
	struct frag_seen *s = ctx;
	if (ex->error)
		strlist_adds(&s->errors, ex->error);
	if (ex->resp_body.data && ex->resp_body.len)
		strlist_add(&s->bodies, ex->resp_body.data,
			    ex->resp_body.len < SEEN_BODY ? ex->resp_body.len : SEEN_BODY);
	return s->inner->emit(s->inner->ctx, ex);
}

static void seen_note(void *ctx, enum note_kind kind, long seq, const char *msg)
{
	struct frag_seen *s = ctx;
	if (s->inner->note)
		s->inner->note(s->inner->ctx, kind, seq, msg);
}

void frag_seen_init(struct frag_seen *s, struct import_sink *inner)
{
	memset(s, 0, sizeof *s);
	s->inner = inner;
	s->sink.emit = seen_emit;
	s->sink.note = seen_note;
	s->sink.ctx = s;
}

void frag_seen_release(struct frag_seen *s)
{
	strlist_release(&s->errors);
	strlist_release(&s->bodies);
}

/* True when a framed exchange already carried this failure. */
static int seen_before(const struct frag_seen *s, const struct exchange *ex)
{
	if (!s)
		return 0;
	if (ex->error) {
		const char *e = ex->error;
		size_t n = strlen(e);
		trim(&e, &n);
		for (size_t i = 0; i < s->errors.n; i++) {
			const char *k = s->errors.v[i];
			size_t kn = strlen(k);
			trim(&k, &kn);
			if (kn && ((kn == n && !memcmp(k, e, n)) || (n > 12 && strstr(k, e)) ||
				   (kn > 12 && memmem(e, n, k, kn))))
				return 1;
		}
	}
	if (ex->resp_body.data && ex->resp_body.len > 8) {
		const char *b = ex->resp_body.data;
		size_t n = ex->resp_body.len < SEEN_BODY ? ex->resp_body.len : SEEN_BODY;
		trim(&b, &n);
		for (size_t i = 0; i < s->bodies.n; i++) {
			const char *k = s->bodies.v[i];
			size_t kn = strlen(k);
			trim(&k, &kn);
			if (n && kn && (memmem(k, kn, b, n < 200 ? n : 200) || memmem(b, n, k, kn < 200 ? kn : 200)))
				return 1;
		}
	}
	return 0;
}

static void flush(struct fscan *f)
{
	if (!f->pending)
		return;
	f->pending = 0;
	if (f->failed || f->capped || seen_before(f->seen, &f->pend)) {
		exchange_release(&f->pend);
		return;
	}
	/* hand the merged piece to the builder: it numbers and emits it */
	struct exchange *ex = xb_begin(&f->xb);
	long seq = ex->seq;
	exchange_release(ex);
	*ex = f->pend;
	ex->seq = seq;
	exchange_init(&f->pend);
	if (xb_emit(&f->xb) < 0) {
		if (f->xb.capped) {
			f->capped = 1;
			xb_note(&f->xb, NOTE_SKIPPED, -1,
				"more than %d error fragments in this source; the rest were not read",
				FRAG_MAX_PER_SOURCE);
		} else {
			f->failed = 1;
		}
	}
}

/* Lines between a and b that belong to one stack trace or log event. */
static int stack_gap(struct fscan *f, size_t a, size_t b)
{
	if (b < a || b - a > MERGE_GAP)
		return 0;
	for (size_t i = a + 1; i < b; i++) {
		const char *r = f->v[i].raw, *t = f->v[i].t;
		if (blank(t) || r[0] == ' ' || r[0] == '\t' || !strncmp(t, "at ", 3) ||
		    !strncmp(t, "File \"", 6) || !strncmp(t, "Traceback", 9) ||
		    !strncmp(t, "During handling", 15) || !strncmp(t, "The above exception", 19) ||
		    !strncmp(t, "Caused by", 9) || !strncmp(t, "cause:", 6) || !strncmp(t, "^", 1) ||
		    !strncmp(t, "---", 3) || !strncmp(t, "...", 3) || !strncmp(t, "}", 1) ||
		    !strncmp(t, "Node.js", 7) || !strncmp(t, "[cause]", 7))
			continue;
		return 0;
	}
	return 1;
}

/* Take a piece: merge it into the pending one when both are parts of one
 * failure (an exception line and the body it quotes), else emit the
 * pending one and keep this. */
static void take(struct fscan *f, struct exchange *ex, size_t lo, size_t hi)
{
	int has_body = ex->resp_body.data != NULL, has_err = ex->error != NULL;
	if (f->pending && stack_gap(f, f->pend_hi, lo) && !(f->pend_body && has_body) &&
	    (f->pend.status == STATUS_UNKNOWN || ex->status == STATUS_UNKNOWN ||
	     f->pend.status == ex->status || ex->status == STATUS_NONE || f->pend.status == STATUS_NONE) &&
	    !(f->pend_err && has_err && !has_body && !f->pend_body &&
	      f->pend.host && ex->host && strcmp(f->pend.host, ex->host))) {
		struct exchange *p = &f->pend;
		if (has_body && p->status == STATUS_NONE && ex->status == STATUS_UNKNOWN) {
			/* the properties of an error that had no response are not a body */
			char *line = xasprintf("error details: %.*s", (int)(ex->resp_body.len < 500 ? ex->resp_body.len : 500),
					       ex->resp_body.data);
			strlist_adds(&p->transcript, line);
			free(line);
			has_body = 0;
		} else if (has_body) {
			p->resp_body = ex->resp_body;
			memset(&ex->resp_body, 0, sizeof ex->resp_body);
			ex->resp_body.size = -1;
		}
		if (ex->status != STATUS_UNKNOWN &&
		    (p->status == STATUS_UNKNOWN || (p->status == STATUS_NONE && has_body))) {
			p->status = ex->status;
			free(p->status_source);
			p->status_source = ex->status_source;
			ex->status_source = NULL;
		}
		if (has_err) {
			/* the later line of a chain is the outer exception */
			if (p->error)
				strlist_adds(&p->transcript, p->error);
			free(p->error);
			p->error = ex->error;
			ex->error = NULL;
		}
		if (!p->url && ex->url) {
			exchange_set_url(p, ex->url);
			p->url_source = ex->url_source;
			ex->url_source = NULL;
			if (!p->method && ex->method)
				p->method = xstrdup(ex->method);
		}
		if (!p->host && ex->host) {
			p->host = xstrdup(ex->host);
			free(p->host_source);
			p->host_source = ex->host_source;
			ex->host_source = NULL;
		}
		if (!p->started_at && ex->started_at) {
			p->started_at = ex->started_at;
			ex->started_at = NULL;
		}
		for (size_t k = 0; k < ex->transcript.n; k++)
			strlist_adds(&p->transcript, ex->transcript.v[k]);
		for (size_t k = 0; k < ex->resp_headers.n; k++)
			hdr_list_adds(&p->resp_headers, ex->resp_headers.v[k].name, ex->resp_headers.v[k].value);
		f->pend_hi = hi;
		f->pend_body |= has_body;
		f->pend_err |= has_err;
		exchange_release(ex);
		return;
	}
	flush(f);
	f->pend = *ex;
	exchange_init(ex);
	f->pending = 1;
	f->pend_hi = hi;
	f->pend_body = has_body;
	f->pend_err = has_err;
}

/* Finish a piece found at lines [lo, hi]: context, then take it. */
static void finish(struct fscan *f, struct exchange *ex, size_t lo, size_t col, size_t hi,
		   size_t hi_col)
{
	for (size_t i = lo; i <= hi && i < f->n; i++)
		f->v[i].used = 1;
	ex->kind = f->log_kind ? EXCHANGE_LOG : EXCHANGE_FRAGMENT;
	if (ex->status == STATUS_UNKNOWN)
		ctx_status(f, lo, col, ex);
	ctx_url(f, lo, col, hi, hi_col, ex);
	ctx_time(f, lo, ex);
	take(f, ex, lo, hi);
}

/* ------------------------------------------------------------------ */
/* The scan */

/* Line index and column of byte offset off in the joined text of lines
 * from a (col c). */
static void offset_pos(struct fscan *f, size_t a, size_t c, size_t off, size_t *li, size_t *col)
{
	size_t i = a, start = c;
	for (;;) {
		size_t l = strlen(f->v[i].t + start);
		if (off <= l || i + 1 >= f->n) {
			*li = i;
			*col = start + (off <= l ? off : l);
			return;
		}
		off -= l + 1;
		i++;
		start = 0;
	}
}

/* Try a structured piece starting at line i, column col.  Returns 1 when
 * one was taken (its lines are used); else 0 with *skip_to set to the last
 * line the piece spans and *skip_col to its end there (so its inside is not
 * tried again). */
static int try_piece(struct fscan *f, size_t i, size_t col, size_t *skip_to, size_t *skip_col)
{
	struct sbuf joined = SBUF_INIT;
	struct frag_piece pc;
	size_t li, lcol, last = i + 200 < f->n ? i + 200 : f->n - 1;
	int got;

	*skip_to = i;
	*skip_col = col + 1;
	join_lines(f, i, last, col, &joined);
	got = frag_piece_at(joined.data, joined.len, 0, &pc);
	if (got && pc.end >= joined.len && last + 1 < f->n) {
		/* it runs past the first lines: read on */
		frag_piece_release(&pc);
		sbuf_reset(&joined);
		last = i + 20000 < f->n ? i + 20000 : f->n - 1;
		join_lines(f, i, last, col, &joined);
		got = frag_piece_at(joined.data, joined.len, 0, &pc);
	}
	if (!got) {
		sbuf_release(&joined);
		return 0;
	}
	offset_pos(f, i, col, pc.end, &li, &lcol);
	struct exchange ex;
	exchange_init(&ex);
	frag_piece_to_exchange(&pc, &ex, f->log_kind ? "log line" : "line", i);
	frag_piece_release(&pc);
	sbuf_release(&joined);
	if (got == 2) {
		/* any JSON or markup: evidence only when the context states an error status */
		ctx_status(f, i, col, &ex);
		if (ex.status < 400) {
			exchange_release(&ex);
			*skip_to = li;
			*skip_col = lcol;
			return 0;
		}
	}
	finish(f, &ex, i, col, li, lcol);
	return 1;
}

/* A Ruby Net::HTTP debug trace: <- "GET / HTTP/1.1\r\nHost: x\r\n..." and
 * -> "HTTP/1.1 403 Forbidden\r\n" lines.  The strings are decoded and the
 * response read as HTTP.  Returns 1 when lines at i were one. */
static int wire_trace(struct fscan *f, size_t i)
{
	struct sbuf req = SBUF_INIT, resp = SBUF_INIT;
	size_t j, last = i;
	if (strncmp(f->v[i].t, "-> \"", 4) && strncmp(f->v[i].t, "<- \"", 4))
		return 0;
	for (j = i; j < f->n; j++) {
		const char *t = f->v[j].t;
		int closed;
		if (!strncmp(t, "-> \"", 4) || !strncmp(t, "<- \"", 4)) {
			unescape_string(t + 4, strlen(t + 4), '"', t[0] == '-' ? &resp : &req, &closed);
			last = j;
		} else if (!strncmp(t, "reading ", 8) || !strncmp(t, "read ", 5) || !strncmp(t, "Conn ", 5) ||
			   !strncmp(t, "opening connection", 18) || !strncmp(t, "starting SSL", 12) ||
			   !strncmp(t, "SSL established", 15) || !strncmp(t, "opened", 6) || blank(t)) {
			continue;
		} else {
			break;
		}
	}
	const char *r = resp.data;
	if (!r || strncmp(r, "HTTP/", 5)) {
		sbuf_release(&req);
		sbuf_release(&resp);
		return 0;
	}
	struct exchange ex;
	exchange_init(&ex);
	const char *sp = strchr(r, ' ');
	if (sp && isdigit((unsigned char)sp[1])) {
		ex.status = atoi(sp + 1);
		ex.status_source = xasprintf("line %zu: wire trace status line", i + 1);
		const char *eol = strstr(sp, "\r\n");
		if (sp[4] == ' ' && eol)
			ex.status_text = xstrndup(sp + 5, (size_t)(eol - sp - 5));
	}
	const char *h = strstr(r, "\r\n");
	while (h && strncmp(h, "\r\n\r\n", 4)) {
		const char *hs = h + 2, *he = strstr(hs, "\r\n");
		const char *c = memchr(hs, ':', he ? (size_t)(he - hs) : strlen(hs));
		if (!he || !c)
			break;
		const char *v = c + 1;
		while (*v == ' ')
			v++;
		hdr_list_add(&ex.resp_headers, hs, (size_t)(c - hs), v, (size_t)(he - v));
		h = he;
	}
	if (h && !strncmp(h, "\r\n\r\n", 4))
		body_set(&ex.resp_body, h + 4, strlen(h + 4));
	if (req.data) {
		/* request line and Host */
		const char *q = req.data, *s1 = strchr(q, ' ');
		const char *s2 = s1 ? strchr(s1 + 1, ' ') : NULL;
		const char *host = ascii_casestr(q, req.len, "\r\nHost: ");
		if (s1 && s2 && s1 - q < 10) {
			ex.method = xstrndup(q, (size_t)(s1 - q));
			if (host) {
				host += 8;
				size_t hl = strcspn(host, "\r:");
				char *u = xasprintf("https://%.*s%.*s", (int)hl, host, (int)(s2 - s1 - 1), s1 + 1);
				exchange_set_url(&ex, u);
				free(u);
				ex.url_source = xasprintf("line %zu: wire trace request line and Host (scheme assumed)", i + 1);
				ex.host_source = xasprintf("line %zu: wire trace Host header", i + 1);
			}
		}
	}
	sbuf_release(&req);
	sbuf_release(&resp);
	for (size_t k = i; k <= last; k++)
		f->v[k].used = 1;
	ex.kind = EXCHANGE_CAPTURE;
	ctx_time(f, i, &ex);
	flush(f);
	take(f, &ex, i, last);
	flush(f);
	return 1;
}

/* Line i for the dump grammar: what is used already reads as blank. */
static const char *dump_line(const void *ctx, size_t i)
{
	const struct fscan *f = ctx;
	return f->v[i].used ? "" : f->v[i].t;
}

/* A .NET response dump (fragment-dotnet.c) whose block starts at line i:
 * its status line is i or, for Azure's message, a few lines below.  The
 * block becomes one exchange; returns 1 when lines at i were one. */
static int dotnet_dump(struct fscan *f, size_t i)
{
	struct frag_dump d;
	const char *what = f->log_kind ? "log line" : "line";
	for (size_t j = i; j < f->n && j <= i + 4; j++) {
		if (j > i && (f->v[j].used || blank(f->v[j].t)))
			return 0;
		if (!frag_dump_read(dump_line, f, f->n, j, &d))
			continue;
		if (d.lo != i) {
			frag_dump_release(&d);
			return 0;
		}
		struct exchange ex;
		exchange_init(&ex);
		ex.status = d.status;
		ex.status_source = quote_src(what, d.status_line, d.quote, strlen(d.quote));
		ex.status_text = d.status_text;
		d.status_text = NULL;
		ex.error = d.error;
		d.error = NULL;
		ex.resp_headers = d.headers;
		memset(&d.headers, 0, sizeof d.headers);
		if (d.body.len)
			body_set(&ex.resp_body, d.body.data, d.body.len);
		for (size_t k = 0; k < d.notes.n; k++)
			strlist_adds(&ex.transcript, d.notes.v[k]);
		size_t hi = d.hi;
		frag_dump_release(&d);
		finish(f, &ex, i, 0, hi, strlen(f->v[hi].t));
		return 1;
	}
	return 0;
}

/* Candidate starts of a structured piece in t (cheap checks first, so a
 * line of minified code does not make every brace a candidate). */
static int piece_start(const char *t, size_t k)
{
	int c = (unsigned char)t[k];
	if (c == '{' || c == '[') {
		const char *n = t + k + 1;
		while (*n == ' ' || *n == '\t')
			n++;
		if (!*n)
			return 1; /* the value goes on below */
		if (c == '{')
			return *n == '"' || *n == '\'' || *n == '}' || isalpha((unsigned char)*n) || *n == '_';
		return *n == '{' || *n == '[' || *n == '"' || *n == '\'';
	}
	if (c == '<')
		return isalpha((unsigned char)t[k + 1]) || t[k + 1] == '!' || t[k + 1] == '?';
	if ((c == 'b' || c == 'u') && (t[k + 1] == '\'' || t[k + 1] == '"') &&
	    (k == 0 || !isalnum((unsigned char)t[k - 1])))
		return 1;
	if ((c == '"' || c == '\'') && (t[k + 1] == '{' || t[k + 1] == '<' || t[k + 1] == '['))
		return 1;
	if (c == '&' && !strncmp(t + k, "&lt;", 4))
		return 1;
	return 0;
}

/* The status a page's text states ("504: GATEWAY_TIMEOUT", "403 ERROR"). */
static void page_status(struct fscan *f, size_t lo, size_t hi, struct exchange *ex)
{
	for (size_t i = lo; i <= hi; i++) {
		int pat, st;
		if (frag_page_line(f->v[i].t, &pat, &st) && st) {
			ex->status = st;
			ex->status_source = quote_src("page line", i, f->v[i].t, strlen(f->v[i].t));
			return;
		}
	}
}

static void scan_lines(struct fscan *f)
{
	for (size_t i = 0; i < f->n && !f->failed && !f->capped; i++) {
		if (f->v[i].used)
			continue;
		const char *t = f->v[i].t;
		if (wire_trace(f, i) || dotnet_dump(f, i))
			continue;
		int took = 0;
		size_t skip_to = i, skip_col = 0;
		int tries = 0;
		size_t k;
		for (k = 0; t[k] && !took && k < 4096 && tries < 32; k++) {
			if (!piece_start(t, k))
				continue;
			tries++;
			took = try_piece(f, i, k, &skip_to, &skip_col);
			if (!took && skip_to > i)
				break;
			if (!took && skip_col > k + 1)
				k = skip_col - 1;
		}
		if (took) {
			/* a log line's message before the context it quotes
			 * ("ERROR: cURL error 60: ... {"exception": ...}") */
			size_t k0 = k - 1;
			struct exchange ex;
			exchange_init(&ex);
			size_t col = 0;
			char *pre = k0 > 0 ? xstrndup(t, k0) : NULL;
			if (pre && frag_client_error(pre, &ex, &col, i))
				finish(f, &ex, i, col, i, k0);
			else
				exchange_release(&ex);
			free(pre);
			continue;
		}
		if (skip_to > i) {
			/* a structured piece that is no error: not read again inside */
			i = skip_to;
			continue;
		}
		struct exchange ex;
		exchange_init(&ex);
		size_t col = 0;
		/* a server log line pasted among other text (log-parse.c) */
		if (log_text_line(NULL, t, i + 1, &ex)) {
			f->v[i].used = 1;
			flush(f);
			take(f, &ex, i, i);
			flush(f);
			continue;
		}
		if (frag_client_error(t, &ex, &col, i) || frag_logfmt_line(t, &ex, i, f->log_kind)) {
			finish(f, &ex, i, col, i, strlen(t));
			continue;
		}
		exchange_release(&ex);
	}
	flush(f);
	/* last: the visible text of error pages among what is left */
	const char **tl = xcalloc(f->n ? f->n : 1, sizeof *tl);
	for (size_t i = 0; i < f->n; i++)
		tl[i] = f->v[i].used ? "" : f->v[i].t;
	for (size_t i = 0; i < f->n && !f->failed && !f->capped; i++) {
		size_t lo, hi;
		if (f->v[i].used || !frag_page_lines(tl, f->n, i, &lo, &hi))
			continue;
		/* the page's other lines: the paragraph around its fingerprints */
		for (int k = 0; k < 10 && lo > 0 && !f->v[lo - 1].used && !blank(f->v[lo - 1].t); k++)
			lo--;
		for (int k = 0; k < 5 && hi + 1 < f->n && !f->v[hi + 1].used && !blank(f->v[hi + 1].t); k++)
			hi++;
		struct exchange ex;
		struct sbuf body = SBUF_INIT;
		exchange_init(&ex);
		join_lines(f, lo, hi, 0, &body);
		page_status(f, lo, hi, &ex);
		body_set(&ex.resp_body, body.data, body.len);
		sbuf_release(&body);
		finish(f, &ex, lo, 0, hi, strlen(f->v[hi].t));
		i = hi;
	}
	free(tl);
	flush(f);
}

/* ------------------------------------------------------------------ */
/* Entry points */

/* 1 JSON lines, 2 logfmt, 0 neither. */
static int log_shape(const char *text, size_t len)
{
	size_t nonblank = 0, jl = 0, lf = 0;
	const char *p = text, *e = text + len;
	while (p < e && nonblank < 200) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		const char *le = nl ? nl : e;
		const char *s = p;
		while (s < le && isspace((unsigned char)*s))
			s++;
		size_t n = (size_t)(le - s);
		while (n && isspace((unsigned char)s[n - 1]))
			n--;
		if (n) {
			nonblank++;
			if (s[0] == '{' && s[n - 1] == '}') {
				json_t *j = json_loadb(s, n, 0, NULL);
				jl += j != NULL;
				json_decref(j);
			} else if (n < 8192) {
				char *c = xstrndup(s, n);
				lf += frag_is_logfmt(c);
				free(c);
			}
		}
		p = nl ? nl + 1 : e;
	}
	if (jl >= 2 && jl * 2 >= nonblank)
		return 1;
	if (lf >= 2 && lf * 2 >= nonblank)
		return 2;
	return 0;
}

int fragment_is_log(const char *text, size_t len)
{
	return log_shape(text, len) != 0;
}

long fragment_scan(const char *text, size_t len, enum frag_input in, struct import_sink *sink, long *seq,
		   const struct frag_seen *seen)
{
	struct fscan f;
	long emitted;
	struct sbuf dec = SBUF_INIT;
	char *buf;
	int shape = in == FRAG_IN_TEXT ? log_shape(text, len) : 0;

	memset(&f, 0, sizeof f);
	xb_init(&f.xb, sink, NULL);
	f.xb.next_seq = *seq;
	f.xb.max = FRAG_MAX_PER_SOURCE;
	f.seen = seen;
	exchange_init(&f.pend);
	if (looks_qp(text, len < 65536 ? len : 65536)) {
		qp_decode_to(text, len, &dec);
		buf = sbuf_detach(&dec, &len);
	} else {
		buf = xstrndup(text, len);
	}
	lines_split(&f, buf, len);
	if (shape) {
		f.log_kind = 1;
		for (size_t i = 0; i < f.n && !f.failed && !f.capped; i++) {
			const char *t = f.v[i].t;
			struct exchange ex;
			exchange_init(&ex);
			int got = 0;
			if (shape == 1 && t[0] == '{') {
				json_t *rec = json_loads(t, 0, NULL);
				if (rec) {
					f.v[i].used = 1;
					got = frag_json_record(rec, &ex, i);
				}
				json_decref(rec);
			} else if (shape == 2 && frag_is_logfmt(t)) {
				f.v[i].used = 1;
				got = frag_logfmt_line(t, &ex, i, 1);
			}
			if (got) {
				ex.kind = EXCHANGE_LOG;
				if (!ex.started_at)
					ctx_time(&f, i, &ex);
				flush(&f);
				take(&f, &ex, i, i);
				flush(&f);
			} else {
				exchange_release(&ex);
			}
		}
	}
	scan_lines(&f);
	flush(&f);
	for (size_t i = 0; i < f.n; i++)
		free(f.v[i].ts);
	free(f.v);
	free(buf);
	*seq = f.xb.next_seq;
	emitted = f.xb.emitted;
	xb_release(&f.xb);
	return f.failed ? -1 : emitted;
}

int import_fragments(const char *buf, size_t len, enum capture_format fmt, struct import_sink *sink,
		     struct import_result *res)
{
	long seq = 0, n;
	int shape = log_shape(buf, len);
	n = fragment_scan(buf, len, FRAG_IN_TEXT, sink, &seq, NULL);
	res->format = shape ? FMT_LOG : fmt;
	if (n < 0) {
		import_fail(res, IMPORT_ERROR, "the store refused an exchange");
		return -1;
	}
	res->exchanges = n;
	res->status = IMPORT_OK;
	if (n == 0) {
		res->format = shape ? FMT_LOG : FMT_NOT_CAPTURE;
		import_fail(res, IMPORT_NOT_CAPTURE, shape ? "log without any HTTP request or error record"
			    : fmt == FMT_JSON ? "JSON document that is not a HAR, Postman, newman or Insomnia export, nor an error body"
					      : "text without any HTTP request or response");
	}
	return 0;
}
