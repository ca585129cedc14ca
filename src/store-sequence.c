/* sequence.c - events, recovered failures and demotions (sequence.h).
 *
 * Works on the store after matching, through SQL on the connection match
 * holds (the one exception, with the report writers, to "store.c owns the
 * SQL": the sequence pass is a query over findings, like a report, that
 * writes its answer back).  Recoveries, time twins and example checks
 * stay inside one scope (a ticket; loose files share one, see SCOPE());
 * request-ID links do not.
 *
 * Memory stays with the largest scope, not the store: a first query reads
 * the request-ID headers of the whole store in order and keeps only the
 * links it finds (two exchange ids each), and which scopes they join.
 * Then the scopes are read one batch at a time: a scope alone, or every
 * scope request IDs join to it (an event is then whole in its batch, so
 * its representative and its size are those one pass over everything
 * gives).
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-sequence.h"
#include "store.h"
#include "util.h"

/* Most exchanges looked at between a failure and its success, and most
 * candidates tried per failure: a capture of 100,000 identical polls must
 * not make this quadratic. */
#define SEQ_SCAN_CAP 4096
/* Failures of one request from which on it is intermittent, not recovered. */
#define SEQ_FLAKY 3

struct sx {
	long long id;
	long long source;
	const char *ticket;  /* the scope (see SCOPE()), the batch's string */
	long seq;
	double t;            /* ms since the epoch, NAN when unknown */
	char *method;
	char *url;
	char *host;
	char *path;
	int has_status;
	int status;
	char *error;
	int capture;         /* kind = 'capture' */
	int example;         /* a collection's saved example */
	char *rtype;         /* HAR _resourceType */
	char *pageref;
	int rank;            /* highest finding above context: 0 info .. 4 critical, -1 none */
	char *auth;          /* request Authorization (redacted form) */
	char *cookie;        /* request Cookie (redacted form) */
	char *key;           /* sequence_request_key() */
	long parent;         /* union-find */
	long long recovered_by;
	char *recovery;
	const char *demoted;
};

static const char *const volatile_params[] = {
	"_", "_t", "t", "ts", "timestamp", "time", "nonce", "cb", "cachebuster", "cache_buster",
	"cachebust", "rnd", "rand", "random", "_reqid", "reqid", "request_id", "requestid", "state",
	"code", "sig", "signature", "expires", "access_token", "id_token", "refresh_token", "token",
	"auth", "_dc", "v", "ver", "zx", NULL};

static int is_volatile(const char *name, size_t n)
{
	for (size_t i = 0; volatile_params[i]; i++)
		if (strlen(volatile_params[i]) == n && ascii_ncasecmp(name, volatile_params[i], n) == 0)
			return 1;
	if (n > 6 && ascii_ncasecmp(name, "x-amz-", 6) == 0)
		return 1;
	if (n > 4 && ascii_ncasecmp(name, "utm_", 4) == 0)
		return 1;
	return 0;
}

char *sequence_request_key(const char *method, const char *url)
{
	struct sbuf b = SBUF_INIT_CAP(16384);
	const char *p, *q, *hash;
	size_t i;
	int first = 1;
	if (!url)
		return NULL;
	for (p = method ? method : "?"; *p; p++)
		sbuf_addc(&b, *p >= 'a' && *p <= 'z' ? *p - 32 : *p);
	sbuf_addc(&b, ' ');
	hash = strchr(url, '#');
	q = strchr(url, '?');
	if (q && hash && hash < q)
		q = NULL;
	/* scheme and host lowercased */
	p = strstr(url, "://");
	i = 0;
	if (p) {
		const char *host_end = p + 3 + strcspn(p + 3, "/?#");
		for (const char *c = url; c < host_end; c++)
			sbuf_addc(&b, ascii_tolower((unsigned char)*c));
		i = (size_t)(host_end - url);
	}
	sbuf_add(&b, url + i, (size_t)((q ? q : hash ? hash : url + strlen(url)) - (url + i)));
	if (q) {
		const char *end = hash ? hash : q + strlen(q);
		const char *a = q + 1;
		while (a < end) {
			const char *amp = memchr(a, '&', (size_t)(end - a));
			const char *stop = amp ? amp : end;
			const char *eq = memchr(a, '=', (size_t)(stop - a));
			size_t nlen = (size_t)((eq ? eq : stop) - a);
			if (stop > a && !is_volatile(a, nlen)) {
				sbuf_addc(&b, first ? '?' : '&');
				sbuf_add(&b, a, (size_t)(stop - a));
				first = 0;
			}
			a = stop + 1;
		}
	}
	return sbuf_detach(&b, NULL);
}

int sequence_client_block(const char *error)
{
	static const char *const blocks[] = {
		"ERR_BLOCKED_BY_CLIENT", "ERR_BLOCKED_BY_ADMINISTRATOR", "NS_ERROR_TRACKING_URI",
		"NS_ERROR_CONTENT_BLOCKED", "NS_ERROR_CONTENT_BLOCKED_SHOW_ALT",
		"NS_ERROR_FINGERPRINTING_URI", "NS_ERROR_CRYPTOMINING_URI", "NS_ERROR_SOCIALTRACKING_URI",
		"NS_ERROR_BLOCKED_BY_POLICY", NULL};
	if (!error)
		return 0;
	for (size_t i = 0; blocks[i]; i++)
		if (ascii_casestr(error, strlen(error), blocks[i]))
			return 1;
	return 0;
}

static char *dup_col(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? xstrdup((const char *)t) : NULL;
}

static int streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static int nstreq(const char *a, const char *b)
{
	return (!a && !b) || streq(a, b);
}

static long uf_find(struct sx *v, long i)
{
	while (v[i].parent != i) {
		v[i].parent = v[v[i].parent].parent;
		i = v[i].parent;
	}
	return i;
}

/* The copy an event is shown by: one with a time, a framed capture, the
 * first stored. */
static int better_rep(const struct sx *a, const struct sx *b)
{
	if (isnan(a->t) != isnan(b->t))
		return !isnan(a->t);
	if (a->capture != b->capture)
		return a->capture;
	return a->id < b->id;
}

static void uf_union(struct sx *v, long a, long b)
{
	a = uf_find(v, a);
	b = uf_find(v, b);
	if (a == b)
		return;
	if (better_rep(&v[a], &v[b]))
		v[b].parent = a;
	else
		v[a].parent = b;
}

static int is_failure(const struct sx *x)
{
	return (x->has_status && (x->status == 0 || x->status >= 400)) || x->rank >= 1;
}

static int is_success(const struct sx *x)
{
	return x->has_status && ((x->status >= 200 && x->status < 300) || x->status == 304) &&
	       x->rank < 1;
}

/* b happened after a: same source by order, else by time. */
static int later(const struct sx *a, const struct sx *b)
{
	if (a->source == b->source)
		return b->seq > a->seq;
	if (!isnan(a->t) && !isnan(b->t))
		return b->t > a->t;
	return 0;
}

static struct sx *qs_base;

static int cmp_str(const char *a, const char *b)
{
	if (!a || !b)
		return a ? 1 : b ? -1 : 0;
	return strcmp(a, b);
}

/* Group by ticket and request key, then in order of time (unknown last),
 * source and seq. */
static int cmp_key(const void *pa, const void *pb)
{
	const struct sx *a = &qs_base[*(const long *)pa], *b = &qs_base[*(const long *)pb];
	int c = cmp_str(a->ticket, b->ticket);
	if (!c)
		c = cmp_str(a->key, b->key);
	if (c)
		return c;
	if (isnan(a->t) != isnan(b->t))
		return isnan(a->t) ? 1 : -1;
	if (!isnan(a->t) && a->t != b->t)
		return a->t < b->t ? -1 : 1;
	if (a->source != b->source)
		return a->source < b->source ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Same event by time: ticket, method, URL, status, then time. */
static int cmp_twin(const void *pa, const void *pb)
{
	const struct sx *a = &qs_base[*(const long *)pa], *b = &qs_base[*(const long *)pb];
	int c = cmp_str(a->ticket, b->ticket);
	if (!c)
		c = cmp_str(a->method, b->method);
	if (!c)
		c = cmp_str(a->url, b->url);
	if (!c)
		c = a->status - b->status;
	if (c)
		return c;
	return a->t < b->t ? -1 : a->t > b->t;
}

static const char *path_marker(const char *path)
{
	if (!path)
		return NULL;
	if (strstr(path, "/cdn-cgi/access/authorized"))
		return "access";
	if (ascii_casestr(path, strlen(path), "token") || ascii_casestr(path, strlen(path), "refresh"))
		return "token";
	if (ascii_casestr(path, strlen(path), "login") || ascii_casestr(path, strlen(path), "signin") ||
	    ascii_casestr(path, strlen(path), "sign-in") || ascii_casestr(path, strlen(path), "callback") ||
	    ascii_casestr(path, strlen(path), "oauth") || ascii_casestr(path, strlen(path), "authorize") ||
	    ascii_casestr(path, strlen(path), "/sso") || ascii_casestr(path, strlen(path), "saml"))
		return "login";
	return NULL;
}

static void add_step(struct sbuf *b, const char *what, const struct sx *x)
{
	sbuf_addf(b, "%s%s (%s %s%s", b->len ? "; " : "", what, x->method ? x->method : "?",
		  x->host ? x->host : "", x->path ? x->path : "");
	if (x->has_status)
		sbuf_addf(b, ": %d", x->status);
	sbuf_adds(b, ")");
}

/* What changed between failure f (index fi) and success s (index si). */
static char *describe(struct sx *v, long n, long fi, long si)
{
	struct sx *f = &v[fi], *s = &v[si];
	struct sbuf b = SBUF_INIT_CAP(1024);
	int access = 0, token = 0, login = 0;
	if (f->source == s->source) {
		/* v is in (source, seq) order: what the client did in between */
		long lo = fi < si ? fi : si, hi = fi < si ? si : fi;
		for (long i = lo + 1; i < hi && i < n && i - lo < SEQ_SCAN_CAP; i++) {
			const char *m = path_marker(v[i].path);
			if (!m || (v[i].has_status && v[i].status >= 400))
				continue;
			if (!strcmp(m, "access") && !access++)
				add_step(&b, "completed the Cloudflare Access login", &v[i]);
			else if (!strcmp(m, "token") && !token++)
				add_step(&b, "refreshed the token", &v[i]);
			else if (!strcmp(m, "login") && !login++ && !access)
				add_step(&b, "went through a login", &v[i]);
		}
	}
	if (s->auth && !nstreq(f->auth, s->auth))
		sbuf_addf(&b, "%s%s", b.len ? "; " : "",
			  f->auth ? "sent a new Authorization credential" : "sent an Authorization credential");
	if (s->cookie && !nstreq(f->cookie, s->cookie))
		sbuf_addf(&b, "%s%s", b.len ? "; " : "",
			  f->cookie ? "sent different cookies" : "sent cookies");
	if (!b.len)
		sbuf_adds(&b, "retried: the same request succeeded");
	if (!isnan(f->t) && !isnan(s->t) && s->t > f->t)
		sbuf_addf(&b, "; %.1f s later", (s->t - f->t) / 1000.0);
	return sbuf_detach(&b, NULL);
}

/* The registrable part of a host, roughly: the last two labels, three
 * when the second-level label is short (co.uk, com.au). */
static const char *site_of(const char *host)
{
	const char *dots[3] = {NULL, NULL, NULL};
	int nd = 0;
	if (!host)
		return NULL;
	for (const char *p = host + strlen(host); p > host; p--)
		if (p[-1] == '.' && nd < 3)
			dots[nd++] = p - 1;
	if (nd < 2)
		return host;
	if (dots[0] - dots[1] - 1 <= 3 && nd >= 3)
		return dots[2] + 1;
	if (dots[0] - dots[1] - 1 <= 3)
		return host;
	return dots[1] + 1;
}

/* A client-side block that matters: the page itself, or a same-site
 * XHR/fetch of the page the request belongs to. */
static int block_matters(struct sx *v, long i)
{
	struct sx *x = &v[i];
	const struct sx *page = NULL;
	if (x->rtype && !strcmp(x->rtype, "document"))
		return 1;
	if (!x->rtype || (strcmp(x->rtype, "xhr") && strcmp(x->rtype, "fetch")))
		return 0;
	for (long j = i - 1; j >= 0 && i - j < SEQ_SCAN_CAP && v[j].source == x->source; j--)
		if (v[j].rtype && !strcmp(v[j].rtype, "document") && nstreq(v[j].pageref, x->pageref)) {
			page = &v[j];
			break;
		}
	if (!page)
		return 1; /* no page to compare with: keep it */
	return streq(site_of(page->host), site_of(x->host));
}

/* The scope a source is read in: its ticket, except that loose files (a
 * ticket that is one file given as itself or at the top of a folder, like
 * the seed ticket's HAR, curl output and text) share one scope: the
 * attachments of one report. */
#define SCOPE(s)                                                                                  \
	"(CASE WHEN " s ".ticket IS NULL THEN '' WHEN (SELECT COUNT(*) FROM sources t WHERE t.ticket = " \
	s ".ticket) = 1 AND substr(" s ".path, -length(" s ".ticket)) = " s ".ticket AND (length(" s     \
	".path) = length(" s ".ticket) OR substr(" s ".path, -length(" s ".ticket) - 1, 1) = '/') "       \
	"THEN '' ELSE 't:' || " s ".ticket END)"


/* The exchanges of one source, in seq order. */
static const char load_sql[] =
	"SELECT e.id, e.seq, (julianday(e.started_at) - 2440587.5) * 86400000.0, e.method, e.url, "
	"e.host, e.path, e.status, e.error, e.kind = 'capture', "
	"CASE WHEN json_valid(e.extra) THEN json_extract(e.extra, '$.example') END IS NOT NULL, "
	"CASE WHEN json_valid(e.extra) THEN json_extract(e.extra, '$._resourceType') END, "
	"CASE WHEN json_valid(e.extra) THEN json_extract(e.extra, '$.pageref') END, "
	/* the rules' own severity: the pass reads what the rules said, not
	 * what an earlier pass left */
	"(SELECT MAX(CASE r.severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 "
	"WHEN 'low' THEN 1 ELSE 0 END) FROM findings f JOIN rules r ON r.id = f.rule_id WHERE "
	"f.exchange_id = e.id AND r.priority > 5 AND f.inconclusive = 0), "
	"(SELECT h.value FROM headers h WHERE h.exchange_id = e.id AND h.side = 'request' AND "
	"h.name = 'authorization' COLLATE NOCASE ORDER BY h.idx LIMIT 1), "
	"(SELECT group_concat(h.value, '; ') FROM headers h WHERE h.exchange_id = e.id AND "
	"h.side = 'request' AND h.name = 'cookie' COLLATE NOCASE), "
	"e.method = 'CONNECT' "
	"FROM exchanges e WHERE e.source_id = ?1 ORDER BY e.seq";

/* The sources of a scope, in id order: the loose files' scope (''), and
 * a ticket's ("t:" and the ticket, bound without the "t:"); the tickets
 * in order. */
static const char loose_sql[] =
	"SELECT s.id FROM sources s WHERE " SCOPE("s") " = '' ORDER BY s.id";
static const char ticket_sql[] =
	"SELECT s.id FROM sources s WHERE s.ticket = ?1 AND " SCOPE("s") " <> '' ORDER BY s.id";
static const char tickets_sql[] =
	"SELECT DISTINCT ticket FROM sources WHERE ticket IS NOT NULL ORDER BY ticket";

/* Response headers whose value names one request and nothing else (trace
 * and correlation IDs span many requests; x-served-by names a cache), in
 * the order that puts the copies of one value side by side: name, value,
 * then where the exchange stands (source, seq). */
static const char ids_sql[] =
	"SELECT h.exchange_id, e.source_id, e.status, " SCOPE("s") ", lower(h.name), h.value "
	"FROM headers h JOIN exchanges e ON e.id = h.exchange_id "
	"JOIN sources s ON s.id = e.source_id WHERE h.side = 'response' AND "
	"lower(h.name) IN ('x-request-id', 'request-id', 'x-vercel-id', 'cf-ray', 'x-amzn-requestid', "
	"'x-amzn-request-id', 'x-amz-request-id', 'x-amz-cf-id', 'x-amz-apigw-id', 'x-ms-request-id', "
	"'apim-request-id', 'x-azure-ref', 'x-github-request-id', 'x-nf-request-id', 'x-kong-request-id', "
	"'openai-request-id', 'x-fastly-request-id', 'x-akamai-request-id', 'x-envoy-request-id') "
	"AND length(h.value) >= 8 ORDER BY 5, 6, e.source_id, e.seq";

static const char cap_sql[] =
	"UPDATE findings SET severity = ?2 WHERE exchange_id = ?1 AND "
	"CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 "
	"ELSE 0 END > CASE ?2 WHEN 'low' THEN 1 ELSE 0 END";

/* A saved example's finding stands when a run or the ticket's text (an
 * exchange that is no example) has the same rule's finding. */
static const char confirmed_sql[] =
	"SELECT 1 FROM findings f1 JOIN findings f2 ON f2.rule_id = f1.rule_id AND f2.exchange_id <> "
	"f1.exchange_id JOIN exchanges e2 ON e2.id = f2.exchange_id JOIN sources s2 ON s2.id = "
	"e2.source_id WHERE f1.exchange_id = ?1 AND " SCOPE("s2") " = ?2 AND "
	"(CASE WHEN json_valid(e2.extra) THEN json_extract(e2.extra, '$.example') END) IS NULL LIMIT 1";

static const char insert_sql[] =
	"INSERT INTO sequence (exchange_id, request_key, event_id, recovered_by, recovery, demoted) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

/* Two copies of one request ID: b is the exchange after a in ids_sql's
 * order, and the two are one event. */
struct link {
	long long a, b;
};

static int cmp_link(const void *pa, const void *pb)
{
	const struct link *a = pa, *b = pb;
	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return (a->b > b->b) - (a->b < b->b);
}

struct idmap {
	long long id;
	long idx;
};

static int cmp_idmap(const void *pa, const void *pb)
{
	const struct idmap *a = pa, *b = pb;
	return (a->id > b->id) - (a->id < b->id);
}

/* A source of the batch being read, and the scope it is read in. */
struct srcref {
	long long id;
	const char *scope;
};

static int cmp_srcref(const void *pa, const void *pb)
{
	const struct srcref *a = pa, *b = pb;
	return (a->id > b->id) - (a->id < b->id);
}

/* A scope and the union-find root of the scopes request IDs join it to. */
struct member {
	long root;
	long idx;
};

static int cmp_member(const void *pa, const void *pb)
{
	const struct member *a = pa, *b = pb;
	if (a->root != b->root)
		return a->root < b->root ? -1 : 1;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

static int cmp_strp(const void *pa, const void *pb)
{
	return strcmp(*(char *const *)pa, *(char *const *)pb);
}

/* One run of the pass.  Memory: the exchanges of one batch (a scope, or
 * the scopes request IDs join) at a time, and the request-ID links. */
struct seq_run {
	sqlite3 *db;
	sqlite3_stmt *load, *loose, *ticket, *cap, *conf, *ins;
	struct link *links;    /* sorted by a */
	size_t nlinks, alinks;
	char **pairs;          /* scope names two by two: a link between scopes */
	size_t npairs, apairs;
	char **scopes;         /* the scopes of those links, sorted, unique */
	long *sparent;         /* ... their union-find */
	struct member *members; /* ... by root */
	long *first;           /* a root's first index in members */
	unsigned char *done;   /* a root's batch was read */
	size_t nscopes;
	struct srcref *src;    /* the sources of the batch */
	size_t nsrc, asrc;
	struct sx *v;          /* its exchanges, in (source, seq) order */
	long n;
	size_t av;
	long *size;            /* exchanges per event, by representative */
	size_t asize;
	struct sequence_stats st;
	char *err;
	size_t errlen;
};

static int sql_fail(sqlite3 *db, char *err, size_t errlen)
{
	snprintf(err, errlen, "sequence: %s", sqlite3_errmsg(db));
	return -1;
}

static int run_fail(struct seq_run *r)
{
	return sql_fail(r->db, r->err, r->errlen);
}

/* Free the strings of v[0..n-1] (ticket points to the batch's scope). */
static void clear_sx(struct sx *v, long n)
{
	for (long i = 0; i < n; i++) {
		free(v[i].method);
		free(v[i].url);
		free(v[i].host);
		free(v[i].path);
		free(v[i].error);
		free(v[i].rtype);
		free(v[i].pageref);
		free(v[i].auth);
		free(v[i].cookie);
		free(v[i].key);
		free(v[i].recovery);
	}
}

static long scope_parent(struct seq_run *r, long i)
{
	while (r->sparent[i] != i) {
		r->sparent[i] = r->sparent[r->sparent[i]];
		i = r->sparent[i];
	}
	return i;
}

/* The index of scope name in r->scopes, or -1. */
static long scope_index(const struct seq_run *r, const char *name)
{
	char *const *hit;
	if (!r->nscopes)
		return -1;
	hit = bsearch(&name, r->scopes, r->nscopes, sizeof(*r->scopes), cmp_strp);
	return hit ? (long)(hit - r->scopes) : -1;
}

/* The scopes that request IDs join, as groups read together. */
static void group_scopes(struct seq_run *r)
{
	size_t n = 0;
	if (!r->npairs)
		return;
	r->scopes = xcalloc(r->npairs, sizeof(*r->scopes));
	memcpy(r->scopes, r->pairs, r->npairs * sizeof(*r->scopes));
	qsort(r->scopes, r->npairs, sizeof(*r->scopes), cmp_strp);
	for (size_t i = 0; i < r->npairs; i++)
		if (!n || strcmp(r->scopes[n - 1], r->scopes[i]))
			r->scopes[n++] = r->scopes[i];
	r->nscopes = n;
	r->sparent = xcalloc(n, sizeof(*r->sparent));
	for (size_t i = 0; i < n; i++)
		r->sparent[i] = (long)i;
	for (size_t i = 0; i + 1 < r->npairs; i += 2) {
		long a = scope_parent(r, scope_index(r, r->pairs[i]));
		long b = scope_parent(r, scope_index(r, r->pairs[i + 1]));
		if (a != b)
			r->sparent[b] = a;
	}
	r->members = xcalloc(n, sizeof(*r->members));
	for (size_t i = 0; i < n; i++) {
		r->members[i].root = scope_parent(r, (long)i);
		r->members[i].idx = (long)i;
	}
	qsort(r->members, n, sizeof(*r->members), cmp_member);
	r->first = xcalloc(n, sizeof(*r->first));
	for (size_t k = n; k-- > 0;)
		r->first[r->members[k].root] = (long)k;
	r->done = xcalloc(n, 1);
}

/* Same request-ID value: one event, whatever ticket holds the copies (a
 * request ID names one request; a folder of loose files is one ticket per
 * file, and the seed ticket's HAR, curl output and text are such files).
 * Reads the ID headers of the whole store once, in order, and keeps only
 * the links (and which scopes they join), not the rows. */
static int find_links(struct seq_run *r)
{
	sqlite3_stmt *s = NULL;
	long long pex = 0, psrc = 0;
	int phas = 0, pstatus = 0, have = 0, rc;
	char *pscope = NULL, *pname = NULL, *pvalue = NULL;

	if (sqlite3_prepare_v2(r->db, ids_sql, -1, &s, NULL) != SQLITE_OK)
		return run_fail(r);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		long long ex = sqlite3_column_int64(s, 0), src = sqlite3_column_int64(s, 1);
		int has = sqlite3_column_type(s, 2) != SQLITE_NULL;
		int status = sqlite3_column_int(s, 2);
		const char *scope = (const char *)sqlite3_column_text(s, 3);
		const char *name = (const char *)sqlite3_column_text(s, 4);
		const char *value = (const char *)sqlite3_column_text(s, 5);
		if (!scope || !name || !value)
			continue;
		/* a redirect hop or a retry keeps some IDs: never link two
		 * answers that disagree, nor two of one source */
		if (have && ex != pex && !strcmp(name, pname) && !strcmp(value, pvalue) &&
		    !(has && phas && status != pstatus) && src != psrc) {
			r->links = xgrow(r->links, &r->alinks, r->nlinks + 1, sizeof(*r->links));
			r->links[r->nlinks].a = pex;
			r->links[r->nlinks].b = ex;
			r->nlinks++;
			if (strcmp(scope, pscope)) {
				r->pairs = xgrow(r->pairs, &r->apairs, r->npairs + 2,
						 sizeof(*r->pairs));
				r->pairs[r->npairs++] = xstrdup(pscope);
				r->pairs[r->npairs++] = xstrdup(scope);
			}
		}
		free(pscope);
		free(pname);
		free(pvalue);
		pscope = xstrdup(scope);
		pname = xstrdup(name);
		pvalue = xstrdup(value);
		pex = ex;
		psrc = src;
		phas = has;
		pstatus = status;
		have = 1;
	}
	sqlite3_finalize(s);
	free(pscope);
	free(pname);
	free(pvalue);
	if (rc != SQLITE_DONE)
		return run_fail(r);
	if (r->nlinks > 1)
		qsort(r->links, r->nlinks, sizeof(*r->links), cmp_link);
	group_scopes(r);
	return 0;
}

/* Add the sources of one scope to the batch. */
static int add_sources(struct seq_run *r, const char *scope)
{
	sqlite3_stmt *s = scope[0] ? r->ticket : r->loose;
	int rc;
	if (scope[0])
		sqlite3_bind_text(s, 1, scope + 2, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r->src = xgrow(r->src, &r->asrc, r->nsrc + 1, sizeof(*r->src));
		r->src[r->nsrc].id = sqlite3_column_int64(s, 0);
		r->src[r->nsrc].scope = scope;
		r->nsrc++;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : run_fail(r);
}

/* Add the exchanges of one source to the batch, in seq order. */
static int load_source(struct seq_run *r, const struct srcref *src)
{
	sqlite3_stmt *s = r->load;
	int rc;
	sqlite3_bind_int64(s, 1, src->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct sx *x;
		r->v = xgrow(r->v, &r->av, (size_t)r->n + 1, sizeof(*r->v));
		x = &r->v[r->n];
		memset(x, 0, sizeof(*x));
		x->id = sqlite3_column_int64(s, 0);
		x->source = src->id;
		x->ticket = src->scope;
		x->seq = (long)sqlite3_column_int64(s, 1);
		x->t = sqlite3_column_type(s, 2) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 2);
		x->method = dup_col(s, 3);
		x->url = dup_col(s, 4);
		x->host = dup_col(s, 5);
		x->path = dup_col(s, 6);
		x->has_status = sqlite3_column_type(s, 7) != SQLITE_NULL;
		x->status = sqlite3_column_int(s, 7);
		x->error = dup_col(s, 8);
		x->capture = sqlite3_column_int(s, 9);
		x->example = sqlite3_column_int(s, 10);
		x->rtype = dup_col(s, 11);
		x->pageref = dup_col(s, 12);
		x->rank = sqlite3_column_type(s, 13) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 13);
		x->auth = dup_col(s, 14);
		x->cookie = dup_col(s, 15);
		x->key = sequence_request_key(x->method, x->url);
		x->parent = r->n;
		/* A CONNECT tunnel recorded without decryption (Charles: status
		 * -1, no headers) is the proxy's bookkeeping, not a request. */
		if (sqlite3_column_int(s, 16) && x->has_status && x->status <= 0 && !x->error)
			x->demoted = "tunnel";
		r->n++;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : run_fail(r);
}

/* The request-ID links of the batch: both copies of each are in it. */
static void link_ids(struct seq_run *r)
{
	struct idmap *map;
	if (!r->nlinks)
		return;
	map = xcalloc((size_t)r->n, sizeof(*map));
	for (long i = 0; i < r->n; i++) {
		map[i].id = r->v[i].id;
		map[i].idx = i;
	}
	if (r->n > 1)
		qsort(map, (size_t)r->n, sizeof(*map), cmp_idmap);
	for (long i = 0; i < r->n; i++) {
		/* the first link from this exchange */
		size_t lo = 0, hi = r->nlinks;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (r->links[mid].a < r->v[i].id)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < r->nlinks && r->links[lo].a == r->v[i].id; lo++) {
			struct idmap key = {r->links[lo].b, 0}, *hit;
			hit = bsearch(&key, map, (size_t)r->n, sizeof(*map), cmp_idmap);
			if (hit)
				uf_union(r->v, i, hit->idx);
		}
	}
	free(map);
}
/* Same method, URL and status within a second in different sources. */
static void link_twins(struct sx *v, long n)
{
	long *ix = xcalloc((size_t)n + 1, sizeof(*ix)), m = 0;
	for (long i = 0; i < n; i++)
		if (!isnan(v[i].t) && v[i].url && v[i].has_status)
			ix[m++] = i;
	qs_base = v;
	if (m > 1)
		qsort(ix, (size_t)m, sizeof(*ix), cmp_twin);
	for (long k = 0; k < m; k++) {
		struct sx *a = &v[ix[k]];
		/* the nearest copy from another source within the second */
		for (long j = k + 1; j < m && j - k < 64; j++) {
			struct sx *b = &v[ix[j]];
			if (strcmp(a->ticket, b->ticket) || !nstreq(a->method, b->method) ||
			    strcmp(a->url, b->url) || a->status != b->status || b->t - a->t > 1000.0)
				break;
			if (b->source != a->source) {
				uf_union(v, ix[k], ix[j]);
				break;
			}
		}
	}
	free(ix);
}

/* Failures followed by a success of the same request.  A request that
 * failed SEQ_FLAKY times or more in the scope is intermittent, not
 * recovered: its failures keep their severity. */
static void find_recoveries(struct sx *v, long n)
{
	long *ix = xcalloc((size_t)n + 1, sizeof(*ix));
	long group = 0, failures = 0;
	for (long i = 0; i < n; i++)
		ix[i] = i;
	qs_base = v;
	if (n > 1)
		qsort(ix, (size_t)n, sizeof(*ix), cmp_key);
	for (long k = 0; k < n; k++) {
		struct sx *f = &v[ix[k]];
		if (k == 0 || k >= group) {
			/* a new request key: count its failures */
			failures = 0;
			for (group = k; group < n && !strcmp(v[ix[group]].ticket, f->ticket) &&
					nstreq(v[ix[group]].key, f->key);
			     group++)
				failures += is_failure(&v[ix[group]]) && !v[ix[group]].example;
		}
		/* saved examples are documentation: no order, no retry */
		if (!f->key || !is_failure(f) || f->demoted || f->example || failures >= SEQ_FLAKY)
			continue;
		for (long j = k + 1; j < n && j - k < SEQ_SCAN_CAP; j++) {
			struct sx *s = &v[ix[j]];
			if (strcmp(f->ticket, s->ticket) || !s->key || strcmp(f->key, s->key))
				break;
			if (!is_success(s) || s->example || !later(f, s) ||
			    uf_find(v, ix[k]) == uf_find(v, ix[j]))
				continue;
			f->recovered_by = s->id;
			f->recovery = describe(v, n, ix[k], ix[j]);
			f->demoted = "recovered";
			break;
		}
	}
	free(ix);
}

/* Write what the batch says: the findings capped, the sequence rows. */
static int write_batch(struct seq_run *r)
{
	struct sx *v = r->v;
	long n = r->n;
	r->size = xgrow(r->size, &r->asize, (size_t)n, sizeof(*r->size));
	memset(r->size, 0, (size_t)n * sizeof(*r->size));
	for (long i = 0; i < n; i++)
		r->size[uf_find(v, i)]++;
	for (long i = 0; i < n; i++) {
		struct sx *x = &v[i];
		long rep = uf_find(v, i);
		const char *cap_to = NULL;
		if (!x->demoted && x->example && x->rank >= 1) {
			int confirmed;
			sqlite3_bind_int64(r->conf, 1, x->id);
			sqlite3_bind_text(r->conf, 2, x->ticket, -1, SQLITE_STATIC);
			confirmed = sqlite3_step(r->conf) == SQLITE_ROW;
			sqlite3_reset(r->conf);
			if (!confirmed) {
				x->demoted = "example";
				r->st.examples++;
			}
		}
		if (!x->demoted && x->rank >= 2 && sequence_client_block(x->error) && !block_matters(v, i)) {
			x->demoted = "client-block";
			r->st.blocked++;
		}
		if (x->demoted && !strcmp(x->demoted, "recovered"))
			r->st.recovered++;
		if (x->demoted && !strcmp(x->demoted, "tunnel"))
			r->st.tunnels++;
		if (x->demoted)
			cap_to = !strcmp(x->demoted, "client-block") ? "low" : "info";
		if (cap_to) {
			sqlite3_bind_int64(r->cap, 1, x->id);
			sqlite3_bind_text(r->cap, 2, cap_to, -1, SQLITE_STATIC);
			if (sqlite3_step(r->cap) != SQLITE_DONE)
				return run_fail(r);
			sqlite3_reset(r->cap);
		}
		if (rep == i && r->size[rep] > 1)
			r->st.events++;
		if (r->size[rep] <= 1 && !x->demoted)
			continue;
		sqlite3_bind_int64(r->ins, 1, x->id);
		if (x->key)
			sqlite3_bind_text(r->ins, 2, x->key, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(r->ins, 2);
		sqlite3_bind_int64(r->ins, 3, v[rep].id);
		if (x->recovered_by)
			sqlite3_bind_int64(r->ins, 4, x->recovered_by);
		else
			sqlite3_bind_null(r->ins, 4);
		if (x->recovery)
			sqlite3_bind_text(r->ins, 5, x->recovery, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(r->ins, 5);
		if (x->demoted)
			sqlite3_bind_text(r->ins, 6, x->demoted, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(r->ins, 6);
		if (sqlite3_step(r->ins) != SQLITE_DONE)
			return run_fail(r);
		sqlite3_reset(r->ins);
		sqlite3_clear_bindings(r->ins);
	}
	return 0;
}

/* Read one batch: the scope, with the scopes request IDs join to it
 * (nothing when that group was read already). */
static int run_scope(struct seq_run *r, const char *scope)
{
	long g = scope_index(r, scope);
	int ret = 0;
	r->nsrc = 0;
	if (g < 0) {
		if (add_sources(r, scope) < 0)
			return -1;
	} else {
		long root = scope_parent(r, g);
		if (r->done[root])
			return 0;
		r->done[root] = 1;
		for (size_t k = (size_t)r->first[root];
		     k < r->nscopes && r->members[k].root == root; k++)
			if (add_sources(r, r->scopes[r->members[k].idx]) < 0)
				return -1;
		if (r->nsrc > 1)
			qsort(r->src, r->nsrc, sizeof(*r->src), cmp_srcref);
	}
	r->n = 0;
	for (size_t i = 0; ret == 0 && i < r->nsrc; i++)
		ret = load_source(r, &r->src[i]);
	if (ret == 0 && r->n > 0) {
		link_ids(r);
		link_twins(r->v, r->n);
		find_recoveries(r->v, r->n);
		ret = write_batch(r);
	}
	clear_sx(r->v, r->n);
	r->n = 0;
	return ret;
}

static void run_release(struct seq_run *r)
{
	sqlite3_finalize(r->load);
	sqlite3_finalize(r->loose);
	sqlite3_finalize(r->ticket);
	sqlite3_finalize(r->cap);
	sqlite3_finalize(r->conf);
	sqlite3_finalize(r->ins);
	for (size_t i = 0; i < r->npairs; i++)
		free(r->pairs[i]);
	free(r->pairs);
	free(r->scopes);
	free(r->sparent);
	free(r->members);
	free(r->first);
	free(r->done);
	free(r->links);
	free(r->src);
	free(r->v);
	free(r->size);
}

int sequence_apply(sqlite3 *db, struct sequence_stats *stats, char *err, size_t errlen)
{
	struct seq_run r;
	sqlite3_stmt *tickets = NULL;
	int rc, ret = -1;

	memset(&r, 0, sizeof(r));
	r.db = db;
	r.err = err;
	r.errlen = errlen;
	if (sqlite3_exec(db, "DELETE FROM sequence", NULL, NULL, NULL) != SQLITE_OK)
		return sql_fail(db, err, errlen);
	if (sqlite3_prepare_v2(db, load_sql, -1, &r.load, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, loose_sql, -1, &r.loose, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, ticket_sql, -1, &r.ticket, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, cap_sql, -1, &r.cap, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, confirmed_sql, -1, &r.conf, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, insert_sql, -1, &r.ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, tickets_sql, -1, &tickets, NULL) != SQLITE_OK) {
		run_fail(&r);
		goto out;
	}
	if (find_links(&r) < 0)
		goto out;
	/* One scope at a time: the loose files', then each ticket's. */
	if (run_scope(&r, "") < 0)
		goto out;
	while ((rc = sqlite3_step(tickets)) == SQLITE_ROW) {
		char *scope = xasprintf("t:%s", (const char *)sqlite3_column_text(tickets, 0));
		int failed = run_scope(&r, scope) < 0;
		free(scope);
		if (failed)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		run_fail(&r);
		goto out;
	}
	if (stats)
		*stats = r.st;
	ret = 0;
out:
	sqlite3_finalize(tickets);
	run_release(&r);
	return ret;
}

int store_sequence_apply(struct store *st, char *err, size_t errlen)
{
	return sequence_apply(store_db(st), NULL, err, errlen);
}
