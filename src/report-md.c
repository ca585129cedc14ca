/* report-md.c - the Markdown report for escalation (DESIGN "Report").
 *
 * Structure: summary line; findings by severity, one section per rule
 * with a count, first/last time and a few examples; informational
 * fingerprints as context; request IDs for escalation; the attachments
 * inventory; coverage notes; the redaction receipt.  Everything from a
 * capture goes through report_md_code() or report_md_text() so it cannot change the
 * document's structure.
 */
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

#define MAX_EXAMPLES 3
#define CONTEXT_PRIORITY 5
#define GENERIC_PRIORITY 30
#define TIMELINE_ROWS 200  /* the LIMIT of Q_TIMELINE */
#define MERMAID_EVENTS 30  /* more make an unreadable Mermaid strip: left out */


/* A character that may stand in a Mermaid timeline line: it cannot end
 * the line, a section or the fence. */
static int mm_safe(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '.' || ch == '/' || ch == '-' || ch == '_' || ch == ' ';
}

static const char *col(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? (const char *)t : NULL;
}

static void upper(FILE *out, const char *s)
{
	for (; s && *s; s++)
		fputc(*s >= 'a' && *s <= 'z' ? *s - 32 : *s, out);
}

struct group {
	char *rule;
	char *severity;
	char *title;
	char *advice;
	int priority;
	long count;
	long events;         /* count less the copies of one event */
	long inconclusive;
	char *first_at;
	char *last_at;
	long long examples[MAX_EXAMPLES];
	int nexamples;
	int generic_under;   /* index of the group it is listed under, or -1 */
};

struct ctx {
	FILE *out;
	const struct report_opts *o;
	sqlite3_stmt *ex_stmt;
	sqlite3_stmt *hdr_stmt;
	sqlite3_stmt *body_stmt;
	sqlite3_stmt *ev_stmt;   /* evidence of one rule on one exchange */
	int logs;                /* the scope holds server log records (log-report.c) */
};

/* The request line "METHOD URL" as a table cell; with path set, url is
 * the host and path follows it without the query. */
static void print_request(FILE *out, const char *method, const char *url, const char *path,
			  size_t max)
{
	struct sbuf rl = SBUF_INIT;
	if (path)
		sbuf_addf(&rl, "%s %s%s", method ? method : "?", url ? url : "", path);
	else
		sbuf_addf(&rl, "%s %s", method ? method : "?", url ? url : "(no URL)");
	report_md_code(out, rl.data, max, 1);
	sbuf_release(&rl);
}

/* Status as a reader should see it. */
static void print_status(FILE *out, sqlite3_stmt *s, int st_col, int text_col, int src_col,
			 int err_col, int in_table)
{
	if (sqlite3_column_type(s, st_col) == SQLITE_NULL) {
		fputs("unknown", out);
		if (col(s, src_col)) {
			fputs(" (", out);
			report_md_text(out, col(s, src_col), 120);
			fputs(")", out);
		}
	} else if (sqlite3_column_int(s, st_col) == 0) {
		fputs("no response", out);
		if (col(s, err_col)) {
			fputs(": ", out);
			report_md_code(out, col(s, err_col), 200, in_table);
		}
	} else {
		fprintf(out, "%d", sqlite3_column_int(s, st_col));
		if (col(s, text_col) && col(s, text_col)[0]) {
			fputc(' ', out);
			report_md_text(out, col(s, text_col), 60);
		}
		if (col(s, src_col)) {
			fputs(" (", out);
			report_md_text(out, col(s, src_col), 120);
			fputs(")", out);
		}
	}
}

struct idlist {
	FILE *out;
	int n;
};

/* Print one request ID: header names in code, body labels as text. */
static void print_id(void *ctx, const char *label, const char *value)
{
	struct idlist *l = ctx;
	fputs(l->n++ ? ", " : "", l->out);
	if (strchr(label, ' '))
		report_md_text(l->out, label, 60);
	else
		report_md_code(l->out, label, 60, 1);
	fputc(' ', l->out);
	report_md_code(l->out, value, 200, 1);
}

/* Print the request IDs of one exchange (headers and body); returns count. */
static int print_ids(struct ctx *c, long long ex_id)
{
	struct idlist l = {c->out, 0};
	int n = report_each_id(c->hdr_stmt, c->body_stmt, c->o, ex_id, print_id, &l);
	/* a server log record: the request ID its line gives */
	return n ? n : log_request_id_md(c->out, sqlite3_db_handle(c->hdr_stmt), ex_id);
}

/* One example exchange of a finding group, as a small table. */
static void print_example(struct ctx *c, const struct group *g, long long ex_id)
{
	sqlite3_stmt *s = c->ex_stmt, *f = c->ev_stmt;
	FILE *out = c->out;
	sqlite3_bind_int64(s, 1, ex_id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return;
	}
	fputs("\n| Evidence | Value |\n|---|---|\n", out);
	fputs("| Request | ", out);
	print_request(out, col(s, 0), col(s, 1), NULL, 300);
	fputs(" |\n| Status | ", out);
	print_status(out, s, 2, 3, 4, 5, 1);
	fputs(" |\n| Source | ", out);
	report_md_code(out, col(s, 6), 200, 1);
	fprintf(out, " exchange %lld", (long long)sqlite3_column_int64(s, 7));
	if (col(s, 8)) {
		fputs(" at ", out);
		report_md_text(out, col(s, 8), 40);
		log_zone_note(out, col(s, 8));
	}
	fputs(" |\n", out);
	if ((col(s, 9) && strcmp(col(s, 9), "capture")) || col(s, 10) || col(s, 11)) {
		/* evidence without framing: say what was read and where the
		 * request's identity came from */
		fputs("| Read as | ", out);
		report_md_text(out, col(s, 9) ? col(s, 9) : "capture", 20);
		if (col(s, 10)) {
			fputs("; URL from ", out);
			report_md_code(out, col(s, 10), 120, 1);
		}
		fputs("; ", out);
		if (col(s, 11)) {
			fputs("host from ", out);
			report_md_code(out, col(s, 11), 120, 1);
		} else if (!col(s, 1) || !strstr(col(s, 1), "://")) {
			fputs("host unknown", out);
		} else {
			fputs("host from the capture", out);
		}
		fputs(" |\n", out);
	}
	sqlite3_reset(s);
	report_seq_md_rows(out, sqlite3_db_handle(s), ex_id);

	/* Matched evidence. */
	{
		sqlite3_bind_int64(f, 1, ex_id);
		sqlite3_bind_text(f, 2, g->rule, -1, SQLITE_STATIC);
		if (sqlite3_step(f) == SQLITE_ROW) {
			json_t *ev = col(f, 0) ? json_loads(col(f, 0), 0, NULL) : NULL;
			const char *k;
			json_t *v;
			if (sqlite3_column_int(f, 1))
				fputs("| Result | inconclusive: a regex match limit was hit |\n", out);
			json_object_foreach(ev, k, v)
			{
				if (!json_is_string(v))
					continue;
				fputs("| ", out);
				report_md_text(out, k, 60);
				fputs(" | ", out);
				report_md_code(out, json_string_value(v), 200, 1);
				fputs(" |\n", out);
			}
			json_decref(ev);
		}
		sqlite3_reset(f);
	}
	fputs("| Request IDs | ", out);
	if (!print_ids(c, ex_id))
		fputs("none in the capture", out);
	fputs(" |\n", out);
	/* the server's log line of the same request, or the capture of a log line */
	if (c->logs)
		log_join_md(out, sqlite3_db_handle(s), ex_id);
}

static void free_groups(struct group *g, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(g[i].rule);
		free(g[i].severity);
		free(g[i].title);
		free(g[i].advice);
		free(g[i].first_at);
		free(g[i].last_at);
	}
	free(g);
}

/* Print advice lines as they are (rule text, trusted; evidence inside is
 * already in code spans). */
static void print_advice(FILE *out, const char *advice)
{
	char *tofree = NULL;
	if (!advice)
		return;
	advice = report_clean(advice, &tofree);
	fputs(advice, out);
	if (advice[0] && advice[strlen(advice) - 1] != '\n')
		fputc('\n', out);
	free(tofree);
}

enum md_query {
	Q_EX,
	Q_HDR,
	Q_BODY,
	Q_EV,
	Q_COUNTS,
	Q_FAILING,
	Q_GROUPS,
	Q_EXAMPLES,
	Q_GENERIC,
	Q_SHARED,
	Q_CONTEXT,
	Q_ALONE,
	Q_ESCALATION,
	Q_TIMELINE,
	Q_ATTACHMENTS,
	Q_NOTES,
	Q_TRUNCATED,
	Q_REDACTIONS,
	Q_COUNT
};

static const char *const md_sql[Q_COUNT] = {
	[Q_EX] = "SELECT e.method, e.url, e.status, e.status_text, e.status_source, e.error, "
		"s.path, e.seq, e.started_at, e.kind, e.url_source, e.host_source FROM exchanges e "
		"JOIN sources s ON s.id = e.source_id WHERE e.id = ?1",
	[Q_HDR] = "SELECT name, value FROM headers WHERE exchange_id = ?1 AND side = "
		"'response' ORDER BY idx",
	[Q_BODY] = "SELECT resp_body FROM exchanges WHERE id = ?1",
	[Q_EV] = "SELECT evidence, inconclusive FROM findings WHERE exchange_id = ?1 AND "
		"rule_id = ?2",
	[Q_COUNTS] = "SELECT COUNT(*), SUM(s.status = 'error' OR s.status = 'partial'), "
		"SUM(s.status = 'not-capture'), SUM(s.exchanges) FROM sources s WHERE" TICKET_FILTER,
	[Q_FAILING] = "SELECT COUNT(*) FROM exchanges e JOIN sources s ON s.id = e.source_id WHERE" TICKET_FILTER
		"AND (e.status = 0 OR e.status >= 400) AND NOT" SEQ_COPY("e.id") "AND NOT" SEQ_TUNNEL("e.id")
		"AND NOT" SEQ_EXAMPLE("e"),
	[Q_GROUPS] = "SELECT f.rule_id, " SEQ_MAX_SEVERITY ", f.title, COALESCE(r.priority, 50), COUNT(*), "
		"SUM(f.inconclusive), MIN(e.started_at), MAX(e.started_at), MIN(f.advice), "
		"COUNT(*) - SUM(" SEQ_COPY("e.id") ") "
		"FROM findings f JOIN exchanges e ON e.id = f.exchange_id JOIN sources s ON s.id = e.source_id "
		"LEFT JOIN rules r ON r.id = f.rule_id WHERE" TICKET_FILTER "AND NOT" SEQ_RECOVERED("e.id")
		"AND NOT" SEQ_TUNNEL("e.id") "GROUP BY f.rule_id ORDER BY MIN(" SEQ_RANK("f.severity") "), "
		"COALESCE(r.priority, 50) DESC, f.rule_id",
	[Q_EXAMPLES] = "SELECT f.exchange_id FROM findings f JOIN exchanges e ON e.id = f.exchange_id "
		"JOIN sources s ON s.id = e.source_id WHERE" TICKET_FILTER "AND f.rule_id = ?2 "
		"AND NOT" SEQ_COPY("e.id") "AND NOT" SEQ_RECOVERED("e.id") "AND NOT" SEQ_TUNNEL("e.id")
		"ORDER BY e.started_at, s.path, e.seq LIMIT " "3",
	[Q_GENERIC] = "SELECT COUNT(*) FROM findings f JOIN exchanges e ON e.id = f.exchange_id JOIN "
		"sources s ON s.id = e.source_id WHERE" TICKET_FILTER "AND f.rule_id = ?2 AND NOT EXISTS "
		"(SELECT 1 FROM findings f2 JOIN rules r2 ON r2.id = f2.rule_id WHERE f2.exchange_id = "
		"f.exchange_id AND r2.priority > ?3 AND r2.priority > 5)",
	[Q_SHARED] = "SELECT 1 FROM findings f1 JOIN exchanges e ON e.id = f1.exchange_id JOIN "
		"sources s ON s.id = e.source_id JOIN findings f2 ON f2.exchange_id = f1.exchange_id "
		"WHERE" TICKET_FILTER "AND f1.rule_id = ?2 AND f2.rule_id = ?3 LIMIT 1",
	[Q_CONTEXT] = "SELECT f2.rule_id, MIN(f2.title), MIN(f2.advice), COUNT(DISTINCT f2.advice) "
		"FROM findings f1 JOIN exchanges e ON e.id = f1.exchange_id JOIN sources s ON "
		"s.id = e.source_id JOIN findings f2 ON f2.exchange_id = f1.exchange_id JOIN rules r2 ON "
		"r2.id = f2.rule_id WHERE" TICKET_FILTER "AND f1.rule_id = ?2 AND r2.priority <= 5 "
		"GROUP BY f2.rule_id ORDER BY f2.rule_id",
	[Q_ALONE] = "SELECT COUNT(*) FROM findings f JOIN exchanges e ON e.id = f.exchange_id JOIN "
		"sources s ON s.id = e.source_id WHERE" TICKET_FILTER "AND f.rule_id = ?2 AND NOT "
		"EXISTS (SELECT 1 FROM findings f2 JOIN rules r2 ON r2.id = f2.rule_id WHERE "
		"f2.exchange_id = f.exchange_id AND r2.priority > 5)",
	[Q_ESCALATION] = "WITH lead AS (SELECT e.id AS ex, (SELECT f.rule_id FROM findings f JOIN rules r ON "
		"r.id = f.rule_id WHERE f.exchange_id = e.id AND r.priority > 5 ORDER BY CASE "
		"f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN "
		"'low' THEN 3 ELSE 4 END, r.priority DESC, f.rule_id LIMIT 1) AS rule FROM exchanges e "
		"JOIN sources s ON s.id = e.source_id WHERE" TICKET_FILTER "AND NOT" SEQ_COPY("e.id")
		"AND NOT" SEQ_RECOVERED("e.id") "AND NOT" SEQ_TUNNEL("e.id") "AND NOT" SEQ_EXAMPLE("e") ") "
		"SELECT e.id, e.started_at, e.method, e.url, e.status, e.status_text, e.status_source, "
		"e.error, lead.rule, COALESCE(r.vendor, 'Other') AS vendor FROM lead JOIN exchanges e ON "
		"e.id = lead.ex JOIN sources s ON s.id = e.source_id LEFT JOIN rules r ON r.id = lead.rule "
		"WHERE lead.rule IS NOT NULL ORDER BY vendor, e.started_at IS NULL, e.started_at, s.path, "
		"e.seq LIMIT 500",
	[Q_TIMELINE] = "SELECT e.started_at, e.method, e.host, e.path, e.status, (SELECT f.rule_id FROM "
		"findings f JOIN rules r ON r.id = f.rule_id WHERE f.exchange_id = e.id AND r.priority "
		"> 5 ORDER BY CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' "
		"THEN 2 WHEN 'low' THEN 3 ELSE 4 END, r.priority DESC, f.rule_id LIMIT 1), e.error, "
		"e.status_text, e.status_source FROM exchanges e JOIN sources s ON s.id = e.source_id "
		"WHERE" TICKET_FILTER "AND e.started_at IS NOT NULL AND (e.status = 0 OR e.status >= 400) "
		"AND NOT" SEQ_COPY("e.id") "AND NOT" SEQ_TUNNEL("e.id") "AND NOT" SEQ_EXAMPLE("e") "ORDER BY e.started_at, s.path, e.seq LIMIT 200",
	[Q_ATTACHMENTS] = "SELECT s.path, s.format, s.exchanges, s.status, s.error FROM sources s WHERE" TICKET_FILTER
		"ORDER BY s.ticket, s.path, s.id",
	[Q_NOTES] = "SELECT s.path, n.seq, n.kind, n.message FROM notes n JOIN sources s ON s.id = "
		"n.source_id WHERE" TICKET_FILTER "AND n.kind <> 'info' ORDER BY s.ticket, s.path, n.id LIMIT 500",
	[Q_TRUNCATED] = "SELECT COUNT(*) FROM exchanges e JOIN sources s ON s.id = e.source_id WHERE" TICKET_FILTER
		"AND (e.resp_body_truncated OR e.req_body_truncated)",
	[Q_REDACTIONS] = "SELECT r.kind, SUM(r.count) FROM redactions r JOIN sources s ON s.id = "
		"r.source_id WHERE" TICKET_FILTER "GROUP BY r.kind ORDER BY r.kind",
};

struct report_md {
	struct report_stmts q; /* prepared on first use, reset by report_stmt_done */
};

/* Section "Other failed requests": the failed exchanges no rule names, by
 * host and status (report-unmatched.c). */
static void print_unmatched(FILE *out, const struct unmatched *u)
{
	if (!u->total)
		return;
	fprintf(out, "\n## Other failed requests\n\n%ld failed exchange%s that no rule names, by host and "
		     "status:\n\n| Host | Status | Count | First (UTC) | Last (UTC) | Example | Error |\n"
		     "|---|---|---|---|---|---|---|\n",
		u->total, u->total == 1 ? "" : "s");
	for (size_t i = 0; i < u->ng; i++) {
		const struct unmatched_group *g = &u->g[i];
		fputs("| ", out);
		if (g->host)
			report_md_code(out, g->host, 100, 1);
		else
			fputs("not in capture", out);
		if (g->status < 0)
			fputs(" | unknown", out);
		else if (g->status == 0)
			fputs(" | no response", out);
		else {
			fprintf(out, " | %d", g->status);
			if (g->status_text && g->status_text[0]) {
				fputc(' ', out);
				report_md_text(out, g->status_text, 60);
			}
		}
		fprintf(out, " | %ld | ", g->count);
		report_md_text(out, g->first_at ? g->first_at : "not in capture", 40);
		fputs(" | ", out);
		report_md_text(out, g->last_at ? g->last_at : "not in capture", 40);
		fputs(" | ", out);
		print_request(out, g->example_method, g->example_url, NULL, 200);
		fputs(" | ", out);
		if (g->errors)
			report_md_code(out, g->errors, 400, 1);
		else
			fputs("not stated", out);
		fputs(" |\n", out);
	}
	if (u->groups_total > (long)u->ng)
		fprintf(out, "\n%ld more host and status groups are not listed.\n",
			u->groups_total - (long)u->ng);
}

static void count_id(void *ctx, const char *label, const char *value)
{
	(void)label;
	(void)value;
	(*(int *)ctx)++;
}

/* Escalation rows of the failed exchanges no rule names that carry a
 * request ID.  Returns the number of rows printed. */
static int print_unmatched_ids(struct ctx *c, const struct unmatched *u)
{
	int rows = 0, more = 0;
	for (size_t i = 0; i < u->n; i++) {
		const struct unmatched_ex *x = &u->v[i];
		int n = 0;
		report_each_id(c->hdr_stmt, c->body_stmt, c->o, x->id, count_id, &n);
		if (!n)
			continue;
		if (rows >= 100) {
			more++;
			continue;
		}
		if (!rows)
			fputs("\n### Other failed requests (no rule matched)\n\n"
			      "| Time (UTC) | Request | Status | Request IDs | Error |\n|---|---|---|---|---|\n",
			      c->out);
		rows++;
		fputs("| ", c->out);
		report_md_text(c->out, x->started_at ? x->started_at : "not in capture", 40);
		fputs(" | ", c->out);
		print_request(c->out, x->method, x->url, NULL, 200);
		if (x->status < 0)
			fputs(" | unknown", c->out);
		else if (x->status == 0)
			fputs(" | no response", c->out);
		else
			fprintf(c->out, " | %d", x->status);
		fputs(" | ", c->out);
		print_ids(c, x->id);
		fputs(" | ", c->out);
		char *sum = unmatched_summary(x);
		if (sum)
			report_md_code(c->out, sum, 200, 1);
		else
			fputs("not stated", c->out);
		free(sum);
		fputs(" |\n", c->out);
	}
	if (more)
		fprintf(c->out, "\n%d more with request IDs are in the JSON report (`unmatched`).\n", more);
	return rows;
}

struct report_md *report_md_new(sqlite3 *db, char *err, size_t errlen)
{
	struct report_md *w = xcalloc(1, sizeof(*w));
	(void)err;
	(void)errlen;
	report_stmts_init(&w->q, db, md_sql, Q_COUNT);
	return w;
}

void report_md_free(struct report_md *w)
{
	if (!w)
		return;
	report_stmts_release(&w->q);
	free(w);
}

int report_md_write(struct report_md *w, FILE *out, const struct report_opts *o, char *err,
		    size_t errlen)
{
	struct ctx c = {out, o, NULL, NULL, NULL, NULL, 0};
	sqlite3_stmt *s = NULL, *s2 = NULL;
	struct group *groups = NULL;
	size_t ngroups = 0, alloc = 0;
	long n_src = 0, n_bad = 0, n_notcap = 0, n_ex = 0, n_failing = 0, n_recovered = 0,
	     n_examples = 0, n_copies = 0;
	long sev_count[5] = {0};
	int any;
	struct unmatched um;
	sqlite3_stmt **qs = report_stmts_get(&w->q, o->ticket != NULL, err, errlen);

	if (!qs || unmatched_load(w->q.db, o, &um, err, errlen) < 0)
		return -1;
	c.ex_stmt = qs[Q_EX];
	c.hdr_stmt = qs[Q_HDR];
	c.body_stmt = qs[Q_BODY];
	c.ev_stmt = qs[Q_EV];
	c.logs = log_any_records(sqlite3_db_handle(qs[Q_EX]), o);

	/* Counts for the summary. */
	s = qs[Q_COUNTS];
	report_bind_ticket(s, o);
	if (sqlite3_step(s) == SQLITE_ROW) {
		n_src = (long)sqlite3_column_int64(s, 0);
		n_bad = (long)sqlite3_column_int64(s, 1);
		n_notcap = (long)sqlite3_column_int64(s, 2);
		n_ex = (long)sqlite3_column_int64(s, 3);
	}
	report_stmt_done(s);
	s = qs[Q_FAILING];
	report_bind_ticket(s, o);
	if (sqlite3_step(s) == SQLITE_ROW)
		n_failing = (long)sqlite3_column_int64(s, 0);
	report_stmt_done(s);
	n_recovered = report_seq_recovered(sqlite3_db_handle(s), o);
	n_examples = report_seq_failed_examples(sqlite3_db_handle(s), o);
	n_copies = report_seq_copies(sqlite3_db_handle(s), o);

	/* Finding groups, most severe and most specific first. */
	s = qs[Q_GROUPS];
	report_bind_ticket(s, o);
	s2 = qs[Q_EXAMPLES];
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct group *g;
		groups = xgrow(groups, &alloc, ngroups + 1, sizeof(*groups));
		g = &groups[ngroups++];
		memset(g, 0, sizeof(*g));
		g->rule = xstrdup(col(s, 0));
		g->severity = xstrdup(col(s, 1));
		g->title = xstrdup(col(s, 2));
		g->priority = sqlite3_column_int(s, 3);
		g->count = (long)sqlite3_column_int64(s, 4);
		g->inconclusive = (long)sqlite3_column_int64(s, 5);
		g->first_at = col(s, 6) ? xstrdup(col(s, 6)) : NULL;
		g->last_at = col(s, 7) ? xstrdup(col(s, 7)) : NULL;
		g->advice = col(s, 8) ? xstrdup(col(s, 8)) : NULL;
		g->events = (long)sqlite3_column_int64(s, 9);
		g->generic_under = -1;
		report_bind_ticket(s2, o);
		sqlite3_bind_text(s2, 2, g->rule, -1, SQLITE_STATIC);
		while (sqlite3_step(s2) == SQLITE_ROW && g->nexamples < MAX_EXAMPLES)
			g->examples[g->nexamples++] = sqlite3_column_int64(s2, 0);
		sqlite3_reset(s2);
	}
	report_stmt_done(s);
	report_stmt_done(s2);
	s = s2 = NULL;

	/* A generic group whose every exchange also carries a more specific
	 * finding is listed under the first group it shares an exchange with. */
	s = qs[Q_GENERIC];
	s2 = qs[Q_SHARED];
	for (size_t i = 0; i < ngroups; i++) {
		if (groups[i].priority <= CONTEXT_PRIORITY || groups[i].priority > GENERIC_PRIORITY)
			continue;
		report_bind_ticket(s, o);
		sqlite3_bind_text(s, 2, groups[i].rule, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 3, groups[i].priority);
		if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int64(s, 0) == 0) {
			for (size_t j = 0; j < ngroups; j++) {
				int shared = 0;
				if (j == i || groups[j].priority <= groups[i].priority ||
				    groups[j].priority <= CONTEXT_PRIORITY || groups[j].generic_under >= 0)
					continue;
				report_bind_ticket(s2, o);
				sqlite3_bind_text(s2, 2, groups[i].rule, -1, SQLITE_STATIC);
				sqlite3_bind_text(s2, 3, groups[j].rule, -1, SQLITE_STATIC);
				shared = sqlite3_step(s2) == SQLITE_ROW;
				sqlite3_reset(s2);
				if (shared) {
					groups[i].generic_under = (int)j;
					break;
				}
			}
		}
		sqlite3_reset(s);
	}
	report_stmt_done(s);
	report_stmt_done(s2);
	s = s2 = NULL;

	/* One count per finding section (generic findings listed under a more
	 * specific one are not counted again). */
	for (size_t i = 0; i < ngroups; i++)
		if (groups[i].priority > CONTEXT_PRIORITY && groups[i].generic_under < 0 &&
		    report_severity_rank(groups[i].severity) >= 0)
			sev_count[report_severity_rank(groups[i].severity)]++;

	/* Heading and summary. */
	fputs("# hartriage report", out);
	if (o->ticket) {
		fputs(": ", out);
		report_md_text(out, o->ticket, 200);
	}
	fputs("\n\n**Summary:** ", out);
	fprintf(out, "%ld attachment%s", n_src, n_src == 1 ? "" : "s");
	if (n_bad)
		fprintf(out, " (%ld could not be fully read)", n_bad);
	if (n_notcap)
		fprintf(out, ", %ld not a capture", n_notcap);
	fprintf(out, ", %ld exchange%s", n_ex, n_ex == 1 ? "" : "s");
	if (n_copies)
		fprintf(out, " (%ld %s of a request in another attachment)", n_copies,
			n_copies == 1 ? "is a copy" : "are copies");
	fprintf(out, ", %ld failed (status 0 or >= 400)", n_failing);
	if (um.total)
		fprintf(out, ", %ld failure%s no rule names (see Other failed requests)", um.total,
			um.total == 1 ? "" : "s");
	if (n_recovered)
		fprintf(out, "; %ld failure%s recovered later", n_recovered, n_recovered == 1 ? "" : "s");
	if (n_examples)
		fprintf(out, "; %ld saved example%s with a failure status (documentation, not a run)",
			n_examples, n_examples == 1 ? "" : "s");
	fputs(". ", out);
	{
		static const char *const names[] = {"critical", "high", "medium", "low", "info"};
		int first = 1;
		for (int i = 0; i < 5; i++)
			if (sev_count[4 - i]) {
				fprintf(out, "%s%ld %s", first ? "Findings: " : ", ", sev_count[4 - i], names[i]);
				first = 0;
			}
		if (first)
			fputs("No rule matched.", out);
		else
			fputs(".", out);
	}
	for (size_t i = 0; i < ngroups; i++)
		if (groups[i].priority > CONTEXT_PRIORITY && groups[i].generic_under < 0) {
			fputs(" Leading finding: **", out);
			report_md_text(out, groups[i].title, 200);
			fputs("** (", out);
			report_md_code(out, groups[i].rule, 100, 0);
			fputs(").", out);
			break;
		}
	fputs("\n", out);

	/* The first screen: what failed, where, since when (report-overview.c). */
	if (report_overview_md(out, w->q.db, o, err, errlen) < 0) {
		free_groups(groups, ngroups);
		return -1;
	}

	/* Findings. */
	fputs("\n## Findings\n", out);
	any = 0;
	for (size_t i = 0; i < ngroups; i++) {
		struct group *g = &groups[i];
		if (g->priority <= CONTEXT_PRIORITY || g->generic_under >= 0)
			continue;
		any = 1;
		fputs("\n### ", out);
		upper(out, g->severity);
		fputs(": ", out);
		report_md_text(out, g->title, 200);
		fputs("\n\n", out);
		report_md_code(out, g->rule, 100, 0);
		if (g->events < g->count)
			fprintf(out, " · seen on %ld request%s (%ld exchanges across the attachments)", g->events,
				g->events == 1 ? "" : "s", g->count);
		else
			fprintf(out, " · seen on %ld exchange%s", g->count, g->count == 1 ? "" : "s");
		if (g->first_at) {
			fputs(" · first ", out);
			report_md_text(out, g->first_at, 40);
			log_zone_note(out, g->first_at);
			if (g->last_at && strcmp(g->last_at, g->first_at) != 0) {
				fputs(", last ", out);
				report_md_text(out, g->last_at, 40);
				log_zone_note(out, g->last_at);
			}
		}
		if (g->inconclusive)
			fprintf(out, " · %ld inconclusive (match limit hit)", g->inconclusive);
		fputs("\n\n", out);
		print_advice(out, g->advice);
		fprintf(out, "\n**Evidence** (%d of %ld):\n", g->nexamples, g->events);
		for (int k = 0; k < g->nexamples; k++)
			print_example(&c, g, g->examples[k]);
		/* A repro for vendors: the first example as a sanitized curl. */
		for (int k = 0; k < g->nexamples; k++)
			if (report_repro_md(out, w->q.db, g->examples[k]) != 1)
				break;
		log_histogram_md(out, w->q.db, o, g->rule);
		/* Generic findings grouped under this one. */
		for (size_t j = 0; j < ngroups; j++)
			if (groups[j].generic_under == (int)i) {
				fputs("\nAlso matched (generic): ", out);
				report_md_code(out, groups[j].rule, 100, 0);
				fputs(" — ", out);
				report_md_text(out, groups[j].title, 200);
				fprintf(out, " (%ld exchange%s)\n", groups[j].count, groups[j].count == 1 ? "" : "s");
			}
		/* Context fingerprints on the same exchanges. */
		s = qs[Q_CONTEXT];
		report_bind_ticket(s, o);
		sqlite3_bind_text(s, 2, g->rule, -1, SQLITE_STATIC);
		while (sqlite3_step(s) == SQLITE_ROW) {
			fputs("\n**Context:** ", out);
			report_md_text(out, col(s, 1), 200);
			fputs(" (", out);
			report_md_code(out, col(s, 0), 100, 0);
			fputs(")\n\n", out);
			print_advice(out, col(s, 2));
			if (sqlite3_column_int(s, 3) > 1)
				report_seq_md_values(out, sqlite3_db_handle(s), g->rule, col(s, 0),
						     o->ticket);
		}
		report_stmt_done(s);
		s = NULL;
	}
	if (!any)
		fputs("\nNo failure signature matched.\n", out);
	report_seq_md_recovered(out, sqlite3_db_handle(qs[Q_EX]), o);

	/* Informational fingerprints not shown as context above. */
	any = 0;
	s = qs[Q_ALONE];
	for (size_t i = 0; i < ngroups; i++) {
		struct group *g = &groups[i];
		long alone = 0;
		if (g->priority > CONTEXT_PRIORITY)
			continue;
		/* Shown already as context under a finding on all its exchanges? */
		report_bind_ticket(s, o);
		sqlite3_bind_text(s, 2, g->rule, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			alone = (long)sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		if (!alone)
			continue;
		if (!any)
			fputs("\n## Context\n\nInformational fingerprints (not failures by themselves):\n\n", out);
		any = 1;
		fputs("- ", out);
		report_md_text(out, g->title, 200);
		fputs(" (", out);
		report_md_code(out, g->rule, 100, 0);
		fprintf(out, ", %ld exchange%s)\n", alone, alone == 1 ? "" : "s");
	}
	report_stmt_done(s);
	s = NULL;

	print_unmatched(out, &um);

	/* Escalation: one table per vendor of the leading finding. */
	fputs("\n## Escalation: request IDs\n", out);
	s = qs[Q_ESCALATION];
	report_bind_ticket(s, o);
	any = 0;
	{
		char *vendor = NULL;
		while (sqlite3_step(s) == SQLITE_ROW) {
			const char *v = col(s, 9);
			if (!vendor || strcmp(vendor, v) != 0) {
				free(vendor);
				vendor = xstrdup(v);
				fputs("\n### ", out);
				report_md_text(out, vendor, 80);
				fputs("\n\n| Time (UTC) | Request | Status | Request IDs | Finding | Also in |\n"
				      "|---|---|---|---|---|---|\n",
				      out);
			}
			any = 1;
			fputs("| ", out);
			if (col(s, 1)) {
				report_md_text(out, col(s, 1), 40);
				log_zone_note(out, col(s, 1));
			} else {
				fputs("not in capture", out);
			}
			fputs(" | ", out);
			print_request(out, col(s, 2), col(s, 3), NULL, 200);
			fputs(" | ", out);
			print_status(out, s, 4, 5, 6, 7, 1);
			fputs(" | ", out);
			if (!print_ids(&c, sqlite3_column_int64(s, 0)))
				fputs("none", out);
			fputs(" | ", out);
			report_md_code(out, col(s, 8), 100, 1);
			fputs(" | ", out);
			if (!report_seq_md_sources(out, sqlite3_db_handle(s), sqlite3_column_int64(s, 0)))
				fputs("none", out);
			fputs(" |\n", out);
		}
		free(vendor);
	}
	if (print_unmatched_ids(&c, &um))
		any = 1;
	if (!any && um.total)
		fprintf(out, "\nNo request ID on the %ld failed exchange%s that no rule names: quote the "
			     "URL and time of each (Other failed requests above).\n",
			um.total, um.total == 1 ? "" : "s");
	else if (!any)
		fputs("\nNo failing exchange to escalate.\n", out);
	report_stmt_done(s);
	s = NULL;

	/* Timeline of the failing requests: a table and a Mermaid block. */
	s = qs[Q_TIMELINE];
	report_bind_ticket(s, o);
	{
		struct sbuf mm = SBUF_INIT;
		int rows = 0;
		char day[11] = "";
		while (sqlite3_step(s) == SQLITE_ROW) {
			const char *at = col(s, 0);
			if (!rows)
				fputs("\n## Timeline of failing requests\n\n"
				      "| Time (UTC) | Request | Status | Finding |\n|---|---|---|---|\n",
				      out);
			rows++;
			fputs("| ", out);
			report_md_text(out, at, 40);
			log_zone_note(out, at);
			fputs(" | ", out);
			print_request(out, col(s, 1), col(s, 2), col(s, 3), 200);
			fputs(" | ", out);
			print_status(out, s, 4, 7, 8, 6, 1);
			fputs(" | ", out);
			if (col(s, 5))
				report_md_code(out, col(s, 5), 100, 1);
			else
				fputs("\xe2\x80\x94", out); /* no finding */
			fputs(" |\n", out);
			/* Mermaid: only characters that cannot end a line, a
			 * section or the fence. */
			if (rows <= MERMAID_EVENTS) {
				struct sbuf ev = SBUF_INIT;
				const char *t = strchr(at, 'T');
				if (strncmp(day, at, 10) != 0 && strlen(at) >= 10) {
					memcpy(day, at, 10);
					day[10] = '\0';
					sbuf_adds(&mm, "    section ");
					for (int k = 0; k < 10; k++)
						sbuf_addc(&mm, mm_safe(day[k]) ? day[k] : ' ');
					sbuf_addc(&mm, '\n');
				}
				/* Short cards: method, host, status, finding (no path). */
				sbuf_addf(&ev, "%s %s %s %s", col(s, 1) ? col(s, 1) : "?", col(s, 2) ? col(s, 2) : "",
					  sqlite3_column_int(s, 4) ? (const char *)col(s, 4) : "no response",
					  col(s, 5) ? col(s, 5) : "");
				sbuf_adds(&mm, "    ");
				for (const char *q = t ? t + 1 : at; *q && q - (t ? t + 1 : at) < 8; q++)
					sbuf_addc(&mm, *q == ':' ? '.' : mm_safe(*q) ? *q : ' ');
				sbuf_adds(&mm, " : ");
				{
					/* the event text is from the capture: clean it too */
					char *tf = NULL;
					const char *cl = report_clean(sbuf_str(&ev), &tf);
					if (tf) {
						sbuf_reset(&ev);
						sbuf_adds(&ev, cl);
						free(tf);
					}
				}
				for (size_t k = 0; k < ev.len && k < 120; k++) {
					char ch = ev.data[k];
					sbuf_addc(&mm, mm_safe(ch) ? ch : ' ');
				}
				sbuf_addc(&mm, '\n');
				sbuf_release(&ev);
			}
		}
		if (rows >= TIMELINE_ROWS) {
			long all = report_count_failing_timed(w->q.db, o);
			if (all > rows)
				fprintf(out, "\n%ld more failing request%s after these %d (the timeline stops at %d rows).\n",
					all - rows, all - rows == 1 ? "" : "s", rows, TIMELINE_ROWS);
		}
		/* Mermaid only while it stays readable. */
		if (rows && rows <= MERMAID_EVENTS) {
			fputs("\n```mermaid\ntimeline\n    title Failing requests (UTC)\n", out);
			fputs(sbuf_str(&mm), out);
			fputs("```\n", out);
		}
		sbuf_release(&mm);
	}
	report_stmt_done(s);
	s = NULL;

	/* Attachments inventory. */
	fputs("\n## Attachments\n\n| Attachment | Format | Exchanges | Status |\n|---|---|---|---|\n", out);
	s = qs[Q_ATTACHMENTS];
	report_bind_ticket(s, o);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *st = col(s, 3);
		fputs("| ", out);
		report_md_code(out, col(s, 0), 300, 1);
		fputs(" | ", out);
		report_md_text(out, col(s, 1) ? col(s, 1) : "unknown", 40);
		fprintf(out, " | %lld | ", (long long)sqlite3_column_int64(s, 2));
		if (st && strcmp(st, "ok") == 0)
			fputs("ok", out);
		else if (st && strcmp(st, "partial") == 0)
			fputs("**damaged, complete parts kept**: ", out);
		else if (st && strcmp(st, "not-capture") == 0)
			fputs("not a capture: ", out);
		else
			fputs("**could not be read**: ", out);
		if (col(s, 4) && (!st || strcmp(st, "ok") != 0))
			report_md_text(out, col(s, 4), 300);
		fputs(" |\n", out);
	}
	report_stmt_done(s);
	s = NULL;

	/* Coverage notes. */
	fputs("\n## Coverage notes\n\n", out);
	any = 0;
	s = qs[Q_NOTES];
	report_bind_ticket(s, o);
	while (sqlite3_step(s) == SQLITE_ROW) {
		any = 1;
		fputs("- ", out);
		report_md_code(out, col(s, 0), 300, 0);
		if (sqlite3_column_type(s, 1) != SQLITE_NULL)
			fprintf(out, " exchange %lld", (long long)sqlite3_column_int64(s, 1));
		fputs(": ", out);
		report_md_text(out, col(s, 2), 40);
		fputs(": ", out);
		report_md_text(out, col(s, 3), 400);
		fputs("\n", out);
	}
	report_stmt_done(s);
	s = NULL;
	for (size_t i = 0; i < ngroups; i++)
		if (groups[i].inconclusive) {
			any = 1;
			fputs("- inconclusive: ", out);
			report_md_code(out, groups[i].rule, 100, 0);
			fprintf(out, " hit a regex match limit on %ld exchange%s; the run went on, the result "
				     "is unknown for those exchanges\n",
				groups[i].inconclusive, groups[i].inconclusive == 1 ? "" : "s");
		}
	s = qs[Q_TRUNCATED];
	report_bind_ticket(s, o);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int64(s, 0) > 0) {
		any = 1;
		fprintf(out, "- %lld exchange(s) have a truncated body; rules saw only the kept part\n",
			(long long)sqlite3_column_int64(s, 0));
	}
	report_stmt_done(s);
	s = NULL;
	if (!any)
		fputs("Nothing was cut, skipped or left undecided.\n", out);

	/* Redaction receipt. */
	fputs("\n## Redaction receipt\n\n", out);
	s = qs[Q_REDACTIONS];
	report_bind_ticket(s, o);
	any = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (!any)
			fputs("Secrets were replaced by a type prefix and a keyed fingerprint before "
			      "anything was stored.\n\n| Kind | Count |\n|---|---|\n",
			      out);
		any = 1;
		fputs("| ", out);
		report_md_text(out, col(s, 0), 40);
		fprintf(out, " | %lld |\n", (long long)sqlite3_column_int64(s, 1));
	}
	if (report_caught() > 0) {
		fprintf(out, "%s| caught-at-output | %ld |\n",
			any ? "" : "Secrets seen during the run were caught again by the report writer.\n\n"
				   "| Kind | Count |\n|---|---|\n",
			report_caught());
		any = 1;
	}
	if (!any)
		fputs("No secrets were found in the captures.\n", out);
	report_stmt_done(s);
	free_groups(groups, ngroups);
	unmatched_release(&um);
	(void)err;
	(void)errlen;
	return 0;
}
