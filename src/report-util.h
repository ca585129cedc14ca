/* report-util.h - what the report writers (report-md.c, report-json.c,
 * report.c) share: request-ID discovery, the ticket filter, severity
 * ranks, redaction of --keep-secrets databases, Markdown escaping.  The
 * lowest module of the report stage: it calls none of the writers.
 */
#ifndef HARTRIAGE_REPORT_UTIL_H
#define HARTRIAGE_REPORT_UTIL_H

#include <sqlite3.h>
#include <stdio.h>

enum report_format { REPORT_MD, REPORT_JSON, REPORT_HTML };

struct report_opts {
	enum report_format format;
	const char *ticket;              /* only this ticket's sources, or NULL */
	const char *const *id_headers;   /* extra request-id headers, NULL-terminated */
	const char *title;               /* report heading, or NULL */
};

/* The writers (report-md.c, report-json.c): a writer prepares its
 * statements once (new), writes any number of reports with them (write:
 * 0, or -1 with err filled on a database error) and finalizes them (free). */
struct report_md;
struct report_md *report_md_new(sqlite3 *db, char *err, size_t errlen);
int report_md_write(struct report_md *w, FILE *out, const struct report_opts *o, char *err,
		    size_t errlen);
void report_md_free(struct report_md *w);
struct report_json;
struct report_json *report_json_new(sqlite3 *db, char *err, size_t errlen);
int report_json_write(struct report_json *w, FILE *out, const struct report_opts *o, char *err,
		      size_t errlen);
void report_json_free(struct report_json *w);

/* Write text from a capture into Markdown with every Markdown and HTML
 * metacharacter escaped and line breaks as spaces, at most max bytes
 * (then an ellipsis). */
void report_md_text(FILE *out, const char *s, size_t max);
/* Inline code span for untrusted text: no line breaks, control bytes
 * dropped, a fence longer than any backtick run inside, '|' escaped in
 * tables (in_table). */
void report_md_code(FILE *out, const char *raw, size_t max, int in_table);

/* The default request-id header names, NULL-terminated. */
extern const char *const report_default_id_headers[];
/* True when name is a request-id header (defaults or o->id_headers). */
int report_is_id_header(const struct report_opts *o, const char *name);
/* Request IDs found in a response body (Cloudflare Ray ID, Akamai
 * Reference #, Vercel "ID:" lines): calls fn(ctx, label, value) for each. */
void report_body_ids(const char *body, size_t len,
		     void (*fn)(void *ctx, const char *label, const char *value), void *ctx);
/* Call fn(ctx, label, value) for every request ID of exchange ex_id: the
 * response headers named as request IDs (label = header name as sent),
 * then the IDs found in the response body.  hdr must be "SELECT name,
 * value FROM headers WHERE exchange_id = ?1 AND side = 'response' ORDER BY
 * idx" and body "SELECT resp_body FROM exchanges WHERE id = ?1"; both are
 * reset afterwards.  Returns the number of IDs. */
int report_each_id(sqlite3_stmt *hdr, sqlite3_stmt *body, const struct report_opts *o,
		   long long ex_id, void (*fn)(void *ctx, const char *label, const char *value),
		   void *ctx);
/* Severity rank: critical 4 ... info 0, unknown -1. */
int report_severity_rank(const char *sev);
/* With a database imported with --keep-secrets, reports redact what they
 * print: report_begin() sets that up from the meta table, report_clean()
 * returns s or a redacted malloc'd copy (*tofree set; free it).  Every
 * value also goes through redact_output_check(), the writers' second line
 * of defence against the secrets seen during the run. */
void report_begin(sqlite3 *db);
void report_end(void);
const char *report_clean(const char *s, char **tofree);
/* Secrets report_clean() caught at output since report_begin(). */
long report_caught(void);
/* SQL condition limiting a query joined with "sources s" to the report's
 * ticket; bind it with report_bind_ticket() (parameter ?1). */
#define TICKET_FILTER " (?1 IS NULL OR s.ticket = ?1) "
void report_bind_ticket(sqlite3_stmt *s, const struct report_opts *o);
/* sqlite3_prepare_v2 of sql for the scope of o: when o names a ticket,
 * its TICKET_FILTERs become the indexable "s.ticket = ?1" (a per-ticket
 * report then reads only its ticket's rows, not every ticket's).  Bind
 * with report_bind_ticket as usual; give it back with report_release().
 * On the connection of report_scoped_keep() the statement is prepared once
 * and kept.  Returns SQLite's code. */
int report_prepare_scoped(sqlite3 *db, const char *sql, const struct report_opts *o,
			  sqlite3_stmt **out);
/* Done with a statement of report_prepare_scoped() (NULL is fine): a kept
 * one is reset for the next report, another one finalized. */
void report_release(sqlite3_stmt *s);
/* Keep the statements report_prepare_scoped() prepares on db until
 * report_scoped_drop() (a report writer's life); one db at a time. */
void report_scoped_keep(sqlite3 *db);
void report_scoped_drop(void);
/* sql with every TICKET_FILTER made "s.ticket = ?1", a form SQLite can
 * answer from the sources_ticket index: reports of one ticket in a large
 * database then read only that ticket's rows.  Returns a malloc'd copy. */
char *report_sql_one_ticket(const char *sql);
/* Prepare sql or fill err; returns NULL on failure. */
sqlite3_stmt *report_prepare(sqlite3 *db, const char *sql, char *err, size_t errlen);

/* A report writer's statements: sql[0..n-1] as written (every ticket, or
 * ?1) and in their one-ticket form (report_sql_one_ticket), each set
 * prepared on first use and kept until report_stmts_release().  sql is
 * borrowed and must outlive the set. */
struct report_stmts {
	sqlite3 *db;
	const char *const *sql;
	int n;
	sqlite3_stmt **q[2];
};
void report_stmts_init(struct report_stmts *rs, sqlite3 *db, const char *const *sql, int n);
/* The n statements of the one-ticket or every-ticket form; NULL with err
 * filled when one cannot be prepared. */
sqlite3_stmt **report_stmts_get(struct report_stmts *rs, int one_ticket, char *err, size_t errlen);
void report_stmts_release(struct report_stmts *rs);
/* Make a statement ready for the next report (NULL is fine). */
void report_stmt_done(sqlite3_stmt *s);

/* report-repro.c: a "**Reproduce**" paragraph with a sanitized curl
 * command for exchange ex_id: secrets (already replaced in the database)
 * become named shell variables such as $OPENAI_API_KEY.  Returns 0 when
 * written, 1 when the exchange has no method or absolute URL to run
 * (nothing written), -1 on a database error. */
int report_repro_md(FILE *out, sqlite3 *db, long long ex_id);

/* report-overview.c: the "## Overview" section (status histogram,
 * failing hosts, slowest and largest requests, failures over time) of the
 * report of o->ticket.  Returns 0, or -1 with err filled. */
int report_overview_md(FILE *out, sqlite3 *db, const struct report_opts *o, char *err,
		       size_t errlen);

/* Failing requests (status 0 or >= 400) with a time, of o->ticket; -1
 * on error. */
long report_count_failing_timed(sqlite3 *db, const struct report_opts *o);

/* report-html.c: the Markdown report md (len bytes) as one HTML page on
 * out (libcmark-gfm, GFM tables, embedded stylesheet, no scripts or
 * external resources).  Returns 0, or -1 with err filled (also when built
 * without libcmark-gfm: report_html_available() says so). */
int report_html_render(const char *md, size_t len, FILE *out, char *err, size_t errlen);
int report_html_available(void);
/* The libcmark-gfm version, or NULL when built without it. */
const char *report_html_library(void);

/* The version of the JSON report's shape (data/report.schema.json):
 * raised when a field changes meaning or goes away. */
#define REPORT_JSON_SCHEMA_VERSION 1

/* The counts every report shares (docs/report.md "Counts").  By severity
 * rank (report_severity_rank):
 *   findings[rank]  failure signatures (rules) that fired, each counted
 *                   once however many requests it matched; context
 *                   fingerprints (priority <= 5) and generic rules
 *                   (priority <= 30) whose every request also carries a
 *                   more specific finding (listed under it) not counted;
 *   requests[rank]  requests whose leading finding (most severe, then
 *                   highest priority) has that severity: each request once.
 * ticket NULL: every ticket as one report (a rule that fired in two
 * tickets is one finding).  Returns 0, or -1 with err filled. */
int report_counts(sqlite3 *db, const char *ticket, long findings[5], long requests[5], char *err,
		  size_t errlen);
/* SQL of the counted findings: rows (ticket, rule_id, severity) of the
 * rules report_counts() counts, per group of sources; TK is the group of a
 * source s (its ticket: "COALESCE(s.ticket, '')", or "''" for the whole
 * database as one report) and WHERE a condition on s.  A generic rule
 * (priority <= 30) counts only when on some request no finding of higher
 * priority (> 5) fired: in one pass, with the highest priority on each
 * request (findings_exchange index), not a search per rule and ticket. */
#define REPORT_COUNTED_FINDINGS_BY(TK, WHERE) \
	"SELECT " TK " AS ticket, f.rule_id AS rule_id, MIN(f.severity) AS severity FROM findings f " \
	"JOIN exchanges e ON e.id = f.exchange_id JOIN sources s ON s.id = e.source_id LEFT JOIN " \
	"rules r ON r.id = f.rule_id WHERE COALESCE(r.priority, 50) > 5 AND (" WHERE ") GROUP BY 1, " \
	"2 HAVING MAX(COALESCE(r.priority, 50)) > 30 OR SUM(COALESCE((SELECT MAX(r2.priority) FROM " \
	"findings f2 JOIN rules r2 ON r2.id = f2.rule_id WHERE f2.exchange_id = f.exchange_id AND " \
	"r2.priority > 5), 0) <= COALESCE(r.priority, 50)) > 0"
/* Per ticket, as index.md counts. */
#define REPORT_COUNTED_FINDINGS REPORT_COUNTED_FINDINGS_BY("COALESCE(s.ticket, '')", "1")

#endif
