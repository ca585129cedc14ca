/* report-json.c - the report as JSON for machines (README "JSON output"). */
#include <config.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log-report.h"
#include "report-unmatched.h"
#include "report-seq.h"
#include "report-util.h"
#include "util.h"


/* jansson needs valid UTF-8; replace anything else. */
static json_t *safe_str(const char *raw, size_t rawn)
{
	char *tofree = NULL;
	const char *p = report_clean(raw, &tofree);
	size_t n = tofree ? strlen(p) : rawn;
	if (utf8_valid(p, n)) {
		json_t *j = json_stringn(p, n);
		free(tofree);
		return j;
	}
	{
		char *c = xstrndup(p, n);
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)c[i] >= 0x80)
				c[i] = '?';
		json_t *j = json_stringn(c, n);
		free(c);
		free(tofree);
		return j;
	}
}

static json_t *col_json_str(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? safe_str((const char *)t, strlen((const char *)t)) : json_null();
}

static json_t *col_json_int(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? json_null()
						       : json_integer(sqlite3_column_int64(s, i));
}

/* Add one request ID to a JSON object; header names are lowercased and
 * the first value of a name wins. */
static void add_id(void *ctx, const char *label, const char *value)
{
	json_t *ids = ctx;
	char *key = xstrdup(label);
	/* Header names are case-insensitive; body labels are kept as they are. */
	if (!strchr(key, ' '))
		ascii_lower(key);
	if (!json_object_get(ids, key))
		json_object_set_new(ids, key, safe_str(value, strlen(value)));
	free(key);
}

/* {header: value} of request IDs for one exchange. */
static json_t *request_ids(sqlite3_stmt *hdr, sqlite3_stmt *body, long long ex_id,
			   const struct report_opts *o)
{
	json_t *ids = json_object();
	report_each_id(hdr, body, o, ex_id, add_id, ids);
	return ids;
}

static json_t *opt_str(const char *v)
{
	return v ? safe_str(v, strlen(v)) : json_null();
}

/* The failed exchanges no rule names (report-unmatched.h), one object each. */
static json_t *unmatched_list(const struct unmatched *u, sqlite3_stmt *hdr, sqlite3_stmt *body,
			      const struct report_opts *o)
{
	json_t *list = json_array();
	for (size_t i = 0; i < u->n; i++) {
		const struct unmatched_ex *x = &u->v[i];
		json_t *j = json_object();
		json_object_set_new(j, "source", opt_str(x->source));
		json_object_set_new(j, "exchange", json_integer(x->seq));
		json_object_set_new(j, "started_at", opt_str(x->started_at));
		json_object_set_new(j, "method", opt_str(x->method));
		json_object_set_new(j, "url", opt_str(x->url));
		json_object_set_new(j, "host", opt_str(x->host));
		json_object_set_new(j, "status", x->status < 0 ? json_null() : json_integer(x->status));
		json_object_set_new(j, "status_text", opt_str(x->status_text));
		json_object_set_new(j, "error", opt_str(x->error));
		json_object_set_new(j, "message", opt_str(x->message));
		json_object_set_new(j, "type", opt_str(x->type));
		json_object_set_new(j, "code", opt_str(x->code));
		json_object_set_new(j, "request_ids", request_ids(hdr, body, x->id, o));
		json_array_append_new(list, j);
	}
	return list;
}

enum json_query {
	J_SOURCES,
	J_HDR,
	J_BODY,
	J_FINDINGS,
	J_NOTES,
	J_REDACTIONS,
	J_COUNT
};

static const char *const json_sql[J_COUNT] = {
	[J_SOURCES] = "SELECT s.path, s.format, s.exchanges, s.error, s.status, s.ticket, s.sha256, "
		"s.size FROM sources s WHERE" TICKET_FILTER "ORDER BY s.ticket, s.path, s.id",
	[J_HDR] = "SELECT name, value FROM headers WHERE exchange_id = ?1 AND side = 'response' "
		"ORDER BY idx",
	[J_BODY] = "SELECT resp_body FROM exchanges WHERE id = ?1",
	[J_FINDINGS] = "SELECT f.rule_id, f.severity, f.title, s.path, e.seq, e.method, e.url, e.status, "
		"f.evidence, f.inconclusive, f.advice, e.started_at, COALESCE(r.priority, 50), e.id, "
		"s.ticket, e.error, e.status_source, e.kind, e.url_source, e.host_source FROM findings f "
		"JOIN exchanges e ON e.id = f.exchange_id "
		"JOIN sources s ON s.id = e.source_id LEFT JOIN rules r ON r.id = f.rule_id WHERE" TICKET_FILTER
		"ORDER BY CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 "
		"WHEN 'low' THEN 3 ELSE 4 END, COALESCE(r.priority, 50) DESC, f.rule_id, s.ticket, s.path, e.seq",
	[J_NOTES] = "SELECT s.path, n.seq, n.kind, n.message FROM notes n JOIN sources s ON "
		"s.id = n.source_id WHERE" TICKET_FILTER "ORDER BY s.ticket, s.path, n.id",
	[J_REDACTIONS] = "SELECT r.kind, SUM(r.count) FROM redactions r JOIN sources s ON s.id = "
		"r.source_id WHERE" TICKET_FILTER "GROUP BY r.kind ORDER BY r.kind",
};

struct report_json {
	struct report_stmts q; /* prepared on first use, reset by report_stmt_done */
};

struct report_json *report_json_new(sqlite3 *db, char *err, size_t errlen)
{
	struct report_json *w = xcalloc(1, sizeof(*w));
	(void)err;
	(void)errlen;
	report_stmts_init(&w->q, db, json_sql, J_COUNT);
	return w;
}

void report_json_free(struct report_json *w)
{
	if (!w)
		return;
	report_stmts_release(&w->q);
	free(w);
}

int report_json_write(struct report_json *w, FILE *out, const struct report_opts *o, char *err,
		      size_t errlen)
{
	json_t *root = json_object(), *sources = json_array(), *findings = json_array();
	json_t *notes = json_array(), *red = json_object(), *summary = json_object();
	sqlite3_stmt *s = NULL, *hdr = NULL, *body = NULL;
	long n_ex = 0, n_failed_src = 0, n_unmatched = 0;
	struct unmatched um;
	json_t *unmatched = NULL;
	long sev_count[5] = {0};
	int ret = -1;
	sqlite3_stmt **qs = report_stmts_get(&w->q, o->ticket != NULL, err, errlen);

	if (!qs)
		goto out;

	/* Sources. */
	s = qs[J_SOURCES];
	report_bind_ticket(s, o);
	while (sqlite3_step(s) == SQLITE_ROW) {
		json_t *src = json_object();
		const char *status = (const char *)sqlite3_column_text(s, 4);
		json_object_set_new(src, "path", col_json_str(s, 0));
		json_object_set_new(src, "format", col_json_str(s, 1));
		json_object_set_new(src, "exchanges", col_json_int(s, 2));
		json_object_set_new(src, "error", col_json_str(s, 3));
		json_object_set_new(src, "status", col_json_str(s, 4));
		json_object_set_new(src, "ticket", col_json_str(s, 5));
		json_object_set_new(src, "sha256", col_json_str(s, 6));
		json_object_set_new(src, "size", col_json_int(s, 7));
		json_array_append_new(sources, src);
		n_ex += (long)sqlite3_column_int64(s, 2);
		if (status && (strcmp(status, "error") == 0 || strcmp(status, "partial") == 0))
			n_failed_src++;
	}
	report_stmt_done(s);

	hdr = qs[J_HDR];
	body = qs[J_BODY];

	/* Findings, one per (rule, exchange). */
	int logs = log_any_records(w->q.db, o);
	s = qs[J_FINDINGS];
	report_bind_ticket(s, o);
	while (sqlite3_step(s) == SQLITE_ROW) {
		json_t *f = json_object(), *ev = NULL;
		const char *evtext = (const char *)sqlite3_column_text(s, 8);
		json_object_set_new(f, "rule", col_json_str(s, 0));
		json_object_set_new(f, "severity", col_json_str(s, 1));
		json_object_set_new(f, "title", col_json_str(s, 2));
		json_object_set_new(f, "priority", json_integer(sqlite3_column_int(s, 12)));
		json_object_set_new(f, "source", col_json_str(s, 3));
		json_object_set_new(f, "ticket", col_json_str(s, 14));
		json_object_set_new(f, "exchange", json_integer(sqlite3_column_int64(s, 4)));
		json_object_set_new(f, "started_at", col_json_str(s, 11));
		json_object_set_new(f, "method", col_json_str(s, 5));
		json_object_set_new(f, "url", col_json_str(s, 6));
		json_object_set_new(f, "status", col_json_int(s, 7));
		json_object_set_new(f, "status_source", col_json_str(s, 16));
		json_object_set_new(f, "error", col_json_str(s, 15));
		if (sqlite3_column_text(s, 17) && strcmp((const char *)sqlite3_column_text(s, 17), "capture")) {
			/* evidence read without framing: what it is and where its URL and host came from */
			json_object_set_new(f, "kind", col_json_str(s, 17));
			json_object_set_new(f, "url_source", col_json_str(s, 18));
			json_object_set_new(f, "host_source", col_json_str(s, 19));
		}
		json_object_set_new(f, "inconclusive", json_boolean(sqlite3_column_int(s, 9)));
		if (evtext) {
			char *tf = NULL;
			ev = json_loads(report_clean(evtext, &tf), 0, NULL);
			free(tf);
		}
		json_object_set_new(f, "evidence", ev ? ev : json_object());
		json_object_set_new(f, "request_ids", request_ids(hdr, body, sqlite3_column_int64(s, 13), o));
		json_object_set_new(f, "advice", col_json_str(s, 10));
		if (logs && (!sqlite3_column_text(s, 17) || strcmp((const char *)sqlite3_column_text(s, 17), "log"))) {
			/* the server's log records of the same request (log-report.c) */
			json_t *saw = log_join_json(w->q.db, sqlite3_column_int64(s, 13)), *e, *v;
			size_t i;
			const char *k;
			json_array_foreach(saw, i, e)
				json_object_foreach(e, k, v)
					if (json_is_string(v))
						json_object_set_new(e, k, safe_str(json_string_value(v), json_string_length(v)));
			if (json_array_size(saw))
				json_object_set_new(f, "server_saw", saw);
			else
				json_decref(saw);
		}
		{
			json_t *sq = report_seq_json(sqlite3_db_handle(s), sqlite3_column_int64(s, 13));
			if (sq)
				json_object_set_new(f, "sequence", sq);
		}
		json_array_append_new(findings, f);
	}
	report_stmt_done(s);

	/* Failed exchanges no rule names. */
	if (unmatched_load(w->q.db, o, &um, err, errlen) < 0)
		goto out;
	unmatched = unmatched_list(&um, hdr, body, o);
	n_unmatched = um.total;
	unmatched_release(&um);

	/* Coverage notes. */
	s = qs[J_NOTES];
	report_bind_ticket(s, o);
	while (sqlite3_step(s) == SQLITE_ROW) {
		json_t *n = json_object();
		json_object_set_new(n, "source", col_json_str(s, 0));
		json_object_set_new(n, "exchange", col_json_int(s, 1));
		json_object_set_new(n, "kind", col_json_str(s, 2));
		json_object_set_new(n, "message", col_json_str(s, 3));
		json_array_append_new(notes, n);
	}
	report_stmt_done(s);

	/* Redaction receipt. */
	s = qs[J_REDACTIONS];
	report_bind_ticket(s, o);
	while (sqlite3_step(s) == SQLITE_ROW)
		json_object_set_new(red, (const char *)sqlite3_column_text(s, 0),
				    json_integer(sqlite3_column_int64(s, 1)));
	report_stmt_done(s);
	s = NULL;
	if (report_caught() > 0)
		json_object_set_new(red, "caught-at-output", json_integer(report_caught()));

	json_object_set_new(summary, "sources", json_integer((json_int_t)json_array_size(sources)));
	json_object_set_new(summary, "unreadable_sources", json_integer(n_failed_src));
	json_object_set_new(summary, "exchanges", json_integer(n_ex));
	if (qs)
		json_object_set_new(summary, "recovered",
				    json_integer(report_seq_recovered(sqlite3_db_handle(qs[J_SOURCES]), o)));
	{
		/* One meaning for every count (report_counts, docs/report.md). */
		json_t *by = json_object(), *req = json_object();
		static const char *const names[] = {"critical", "high", "medium", "low", "info"};
		long nreq[5];
		if (report_counts(w->q.db, o->ticket, sev_count, nreq, err, errlen) < 0) {
			json_decref(by);
			json_decref(req);
			goto out;
		}
		for (int i = 0; i < 5; i++) {
			json_object_set_new(by, names[i], json_integer(sev_count[4 - i]));
			json_object_set_new(req, names[i], json_integer(nreq[4 - i]));
		}
		json_object_set_new(summary, "findings", by);
		json_object_set_new(summary, "requests", req);
	}
	json_object_set_new(summary, "unmatched", json_integer(n_unmatched));
	json_object_set_new(root, "schema_version", json_integer(REPORT_JSON_SCHEMA_VERSION));
	json_object_set_new(root, "tool", json_string(PACKAGE_NAME " " PACKAGE_VERSION));
	if (o->ticket)
		json_object_set_new(root, "ticket", json_string(o->ticket));
	json_object_set_new(root, "summary", summary);
	json_object_set_new(root, "sources", sources);
	json_object_set_new(root, "findings", findings);
	json_object_set_new(root, "unmatched", unmatched);
	json_object_set_new(root, "notes", notes);
	json_object_set_new(root, "redactions", red);
	{
		/* server log records: each rule's histogram per minute (log-report.c) */
		json_t *h = log_histograms_json(w->q.db, o);
		if (json_object_size(h))
			json_object_set_new(root, "log_histograms", h);
		else
			json_decref(h);
	}
	sources = findings = unmatched = notes = red = summary = NULL;
	if (json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0) {
		snprintf(err, errlen, "write error");
		goto out;
	}
	fputc('\n', out);
	ret = 0;
out:
	report_stmt_done(s);
	report_stmt_done(hdr);
	report_stmt_done(body);
	json_decref(sources);
	json_decref(findings);
	json_decref(unmatched);
	json_decref(notes);
	json_decref(red);
	json_decref(summary);
	json_decref(root);
	return ret;
}
