/* report-util.c - helpers shared by the report writers (report-util.h). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"
#include "report-util.h"
#include "util.h"

static struct redactor *report_red;
static long report_caught_base;

const char *const report_default_id_headers[] = {
	"x-request-id", "request-id", "x-vercel-id", "cf-ray", "x-amzn-requestid",
	"x-amzn-request-id", "x-amz-apigw-id", "x-amz-cf-id", "x-amz-request-id", "x-amz-id-2",
	"x-ms-request-id", "x-azure-ref", "apim-request-id", "x-ms-correlation-request-id",
	"x-cloud-trace-context", "traceparent", "x-github-request-id", "x-nf-request-id",
	"x-kong-request-id", "x-correlation-id", "x-trace-id", "x-datadog-trace-id",
	"x-b3-traceid", "openai-request-id", "x-guploader-uploadid", "x-fastly-request-id",
	"x-served-by", "x-akamai-request-id", "x-envoy-request-id", NULL};

int report_is_id_header(const struct report_opts *o, const char *name)
{
	for (size_t i = 0; report_default_id_headers[i]; i++)
		if (ascii_casecmp(name, report_default_id_headers[i]) == 0)
			return 1;
	if (o && o->id_headers)
		for (size_t i = 0; o->id_headers[i]; i++)
			if (ascii_casecmp(name, o->id_headers[i]) == 0)
				return 1;
	return 0;
}

/* Copy the ID token that starts at p (letters, digits, and -_.:) */
static size_t id_token(const char *p, const char *end)
{
	size_t n = 0;
	while (p + n < end && n < 120) {
		char c = p[n];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == ':')
			n++;
		else
			break;
	}
	while (n && (p[n - 1] == '.' || p[n - 1] == ':'))
		n--;
	return n;
}

/* Skip markup and spaces between a label and its value. */
static const char *skip_markup(const char *p, const char *end)
{
	for (int guard = 0; p < end && guard < 64; guard++) {
		if (*p == ' ' || *p == '\t' || *p == ':' || *p == '\n' || *p == '\r') {
			p++;
		} else if (*p == '<') {
			const char *gt = memchr(p, '>', (size_t)(end - p));
			if (!gt || gt - p > 80)
				break;
			p = gt + 1;
		} else {
			break;
		}
	}
	return p;
}

void report_body_ids(const char *body, size_t len,
		     void (*fn)(void *ctx, const char *label, const char *value), void *ctx)
{
	static const struct {
		const char *needle;
		const char *label;
	} pats[] = {
		{"Ray ID", "Cloudflare Ray ID"},
		{"Reference #", "Akamai Reference"},
		{"\nID: ", "Vercel ID"},
		{"Request ID:", "CloudFront Request ID"},
		{"Netlify Internal ID", "Netlify Internal ID"},
	};
	const char *end;
	if (!body)
		return;
	end = body + len;
	if (len > (1u << 20))
		end = body + (1u << 20);
	for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		const char *p = body;
		int found = 0;
		while (found < 3 && p < end) {
			const char *hit = ascii_casestr(p, (size_t)(end - p), pats[i].needle);
			const char *v;
			size_t n;
			char tmp[128];
			if (!hit)
				break;
			v = skip_markup(hit + strlen(pats[i].needle), end);
			if (*pats[i].needle == 'R' && pats[i].needle[1] == 'e' && v < end && *v == '#')
				v++;
			n = id_token(v, end);
			if (n >= 6) {
				memcpy(tmp, v, n);
				tmp[n] = '\0';
				fn(ctx, pats[i].label, tmp);
				found++;
			}
			p = hit + strlen(pats[i].needle);
		}
	}
}

struct id_count {
	void (*fn)(void *ctx, const char *label, const char *value);
	void *ctx;
	int n;
};

static void count_id(void *ctx, const char *label, const char *value)
{
	struct id_count *c = ctx;
	c->n++;
	c->fn(c->ctx, label, value);
}

int report_each_id(sqlite3_stmt *hdr, sqlite3_stmt *body, const struct report_opts *o,
		   long long ex_id, void (*fn)(void *ctx, const char *label, const char *value),
		   void *ctx)
{
	struct id_count c = {fn, ctx, 0};
	sqlite3_bind_int64(hdr, 1, ex_id);
	while (sqlite3_step(hdr) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(hdr, 0);
		const char *value = (const char *)sqlite3_column_text(hdr, 1);
		if (name && value && report_is_id_header(o, name))
			count_id(&c, name, value);
	}
	sqlite3_reset(hdr);
	sqlite3_bind_int64(body, 1, ex_id);
	if (sqlite3_step(body) == SQLITE_ROW && sqlite3_column_type(body, 0) != SQLITE_NULL)
		report_body_ids(sqlite3_column_blob(body, 0), (size_t)sqlite3_column_bytes(body, 0),
				count_id, &c);
	sqlite3_reset(body);
	return c.n;
}

int report_severity_rank(const char *sev)
{
	static const char *const names[] = {"info", "low", "medium", "high", "critical"};
	for (int i = 0; i < 5; i++)
		if (sev && strcmp(sev, names[i]) == 0)
			return i;
	return -1;
}

void report_bind_ticket(sqlite3_stmt *s, const struct report_opts *o)
{
	if (o->ticket)
		sqlite3_bind_text(s, 1, o->ticket, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 1);
}

char *report_sql_one_ticket(const char *sql)
{
	struct sbuf b = SBUF_INIT;
	const char *p = sql, *hit;
	while ((hit = strstr(p, TICKET_FILTER)) != NULL) {
		sbuf_add(&b, p, (size_t)(hit - p));
		sbuf_adds(&b, " s.ticket = ?1 ");
		p = hit + strlen(TICKET_FILTER);
	}
	sbuf_adds(&b, p);
	return sbuf_detach(&b, NULL);
}

/* The statements of report_prepare_scoped() kept while a report writer
 * lives (report_scoped_keep), so that a run over many tickets prepares
 * each once: preparing the sections' queries again for every ticket was
 * a quarter of a --per-ticket run. */
#define KEPT_CAP 48
static struct kept {
	char *sql;            /* as the caller gave it */
	int one;              /* its one-ticket form */
	int lent;             /* handed out, not yet given back */
	sqlite3_stmt *s;
} kept[KEPT_CAP];
static size_t nkept;
static sqlite3 *kept_db;

void report_scoped_keep(sqlite3 *db)
{
	report_scoped_drop();
	kept_db = db;
}

void report_scoped_drop(void)
{
	for (size_t i = 0; i < nkept; i++) {
		sqlite3_finalize(kept[i].s);
		free(kept[i].sql);
	}
	nkept = 0;
	kept_db = NULL;
}

int report_prepare_scoped(sqlite3 *db, const char *sql, const struct report_opts *o,
			  sqlite3_stmt **out)
{
	int one_form = o && o->ticket && strstr(sql, TICKET_FILTER);
	char *one;
	int rc;
	size_t i;

	*out = NULL;
	if (db == kept_db)
		for (i = 0; i < nkept; i++)
			if (!kept[i].lent && kept[i].one == one_form && strcmp(kept[i].sql, sql) == 0) {
				kept[i].lent = 1;
				*out = kept[i].s;
				return SQLITE_OK;
			}
	one = one_form ? report_sql_one_ticket(sql) : NULL;
	rc = sqlite3_prepare_v2(db, one ? one : sql, -1, out, NULL);
	free(one);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(*out);
		*out = NULL;
	} else if (db == kept_db && nkept < KEPT_CAP) {
		kept[nkept].sql = xstrdup(sql);
		kept[nkept].one = one_form;
		kept[nkept].lent = 1;
		kept[nkept++].s = *out;
	}
	return rc;
}

void report_release(sqlite3_stmt *s)
{
	for (size_t i = 0; s && i < nkept; i++)
		if (kept[i].s == s) {
			report_stmt_done(s);
			kept[i].lent = 0;
			return;
		}
	sqlite3_finalize(s);
}

sqlite3_stmt *report_prepare(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "database error: %s", sqlite3_errmsg(db));
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

void report_begin(sqlite3 *db)
{
	report_caught_base = redact_caught_at_output();
	sqlite3_stmt *s = NULL;
	int keep = 0;
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'keep_secrets'", -1, &s, NULL) ==
		    SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		keep = sqlite3_column_int(s, 0) == 1;
	sqlite3_finalize(s);
	report_end();
	if (keep) {
		/* Fingerprints need not match the database's: nothing was
		 * fingerprinted there.  A random key keeps them unguessable. */
		unsigned char key[32];
		FILE *f = fopen("/dev/urandom", "rb");
		memset(key, 0, sizeof(key));
		if (f) {
			if (fread(key, 1, sizeof(key), f) != sizeof(key))
				memset(key, 0, sizeof(key));
			fclose(f);
		}
		report_red = redactor_new(key, sizeof(key));
	}
}

void report_end(void)
{
	redactor_free(report_red);
	report_red = NULL;
}

const char *report_clean(const char *s, char **tofree)
{
	char *again;

	*tofree = NULL;
	if (!s)
		return s;
	if (report_red)
		s = *tofree = redact_text(report_red, s, strlen(s));
	/* second line of defence: secrets seen during the run */
	again = redact_output_check(s, strlen(s));
	if (again) {
		free(*tofree);
		s = *tofree = again;
	}
	return s;
}

long report_caught(void)
{
	return redact_caught_at_output() - report_caught_base;
}

/* Inline code span for untrusted text: no line breaks, control bytes
 * dropped, a fence longer than any backtick run inside, and '|' escaped
 * inside tables. */
void report_md_code(FILE *out, const char *raw, size_t max, int in_table)
{
	int ticks = 1, run = 0;
	size_t n = 0;
	const char *p;
	char *tofree = NULL;
	const char *s = report_clean(raw, &tofree);
	if (!s || !*s) {
		free(tofree);
		fputs("` `", out);
		return;
	}
	for (p = s; *p && (size_t)(p - s) < max; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run >= ticks)
			ticks = run + 1;
	}
	for (int i = 0; i < ticks; i++)
		fputc('`', out);
	/* A space pad only where the content starts or ends with a backtick. */
	if (s[0] == '`' || s[strlen(s) - 1] == '`')
		fputc(' ', out);
	for (p = s; *p; p++, n++) {
		unsigned char c = (unsigned char)*p;
		if (n >= max) {
			fputs("…", out);
			break;
		}
		if (c == '\n' || c == '\r' || c == '\t')
			fputc(' ', out);
		else if (c < 0x20 || c == 0x7f)
			continue;
		else if (c == '|' && in_table)
			fputs("\\|", out);
		else
			fputc(c, out);
	}
	if (s[0] == '`' || s[strlen(s) - 1] == '`')
		fputc(' ', out);
	for (int i = 0; i < ticks; i++)
		fputc('`', out);
	free(tofree);
}

/* Plain text from a capture: every Markdown/HTML metacharacter escaped. */
void report_md_text(FILE *out, const char *raw, size_t max)
{
	size_t n = 0;
	char *tofree = NULL;
	const char *s = report_clean(raw, &tofree);
	if (!s)
		return;
	for (const char *p = s; *p; p++, n++) {
		unsigned char c = (unsigned char)*p;
		if (n >= max) {
			fputs("…", out);
			break;
		}
		if (c == '\n' || c == '\r' || c == '\t')
			fputc(' ', out);
		else if (c < 0x20 || c == 0x7f)
			continue;
		else if (c == '<')
			fputs("&lt;", out);
		else if (c == '>')
			fputs("&gt;", out);
		else if (c == '&')
			fputs("&amp;", out);
		else if (strchr("\\`*_[]#!|~", c))
			fprintf(out, "\\%c", c);
		else
			fputc(c, out);
	}
	free(tofree);
}

void report_stmts_init(struct report_stmts *rs, sqlite3 *db, const char *const *sql, int n)
{
	rs->db = db;
	rs->sql = sql;
	rs->n = n;
	rs->q[0] = xcalloc((size_t)n, sizeof(*rs->q[0]));
	rs->q[1] = xcalloc((size_t)n, sizeof(*rs->q[1]));
}

sqlite3_stmt **report_stmts_get(struct report_stmts *rs, int one_ticket, char *err, size_t errlen)
{
	sqlite3_stmt **q = rs->q[one_ticket ? 1 : 0];
	for (int i = 0; i < rs->n; i++) {
		char *sql;
		if (q[i])
			continue;
		sql = one_ticket ? report_sql_one_ticket(rs->sql[i]) : xstrdup(rs->sql[i]);
		q[i] = report_prepare(rs->db, sql, err, errlen);
		free(sql);
		if (!q[i])
			return NULL;
	}
	return q;
}

void report_stmts_release(struct report_stmts *rs)
{
	for (int k = 0; k < 2; k++) {
		for (int i = 0; rs->q[k] && i < rs->n; i++)
			sqlite3_finalize(rs->q[k][i]);
		free(rs->q[k]);
		rs->q[k] = NULL;
	}
}

void report_stmt_done(sqlite3_stmt *s)
{
	if (s) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	}
}

int report_counts(sqlite3 *db, const char *ticket, long findings[5], long requests[5], char *err,
		  size_t errlen)
{
	/* Without a ticket the whole database is one report, as the
	 * Markdown report counts it. */
	static const char *const sql[3] = {
		"SELECT severity, COUNT(*) FROM (" REPORT_COUNTED_FINDINGS_BY("''", "1")
		") GROUP BY severity",
		"WITH lead AS (SELECT (SELECT f.severity FROM findings f JOIN rules r ON r.id = "
		"f.rule_id WHERE f.exchange_id = e.id AND r.priority > 5 ORDER BY CASE f.severity "
		"WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 "
		"ELSE 4 END, r.priority DESC, f.rule_id LIMIT 1) AS sev FROM exchanges e JOIN sources "
		"s ON s.id = e.source_id WHERE" TICKET_FILTER ") SELECT sev, COUNT(*) FROM lead WHERE "
		"sev IS NOT NULL GROUP BY sev",
		"SELECT severity, COUNT(*) FROM (" REPORT_COUNTED_FINDINGS_BY("''", "s.ticket = ?1")
		") GROUP BY severity",
	};
	long *out[2] = {findings, requests};

	for (int k = 0; k < 2; k++) {
		/* One ticket: forms the sources_ticket index answers. */
		char *one = k == 1 && ticket ? report_sql_one_ticket(sql[1]) : NULL;
		sqlite3_stmt *st = report_prepare(db, k == 0 && ticket ? sql[2] : one ? one : sql[k], err,
						  errlen);
		int rc;
		free(one);
		if (!st)
			return -1;
		memset(out[k], 0, 5 * sizeof(long));
		if (ticket)
			sqlite3_bind_text(st, 1, ticket, -1, SQLITE_STATIC);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			int rank = report_severity_rank((const char *)sqlite3_column_text(st, 0));
			if (rank >= 0)
				out[k][rank] += (long)sqlite3_column_int64(st, 1);
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			snprintf(err, errlen, "database error: %s", sqlite3_errmsg(db));
			return -1;
		}
	}
	return 0;
}
