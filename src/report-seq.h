/* report-seq.h - what the report writers show of the sequence table
 * (sequence.h): one event once with its sources, recovered failures,
 * saved examples and client-side blocks, per-request values of context
 * advice.  Every function reads through the writer's connection and
 * prints only through the report-util escaping helpers.
 */
#ifndef HARTRIAGE_REPORT_SEQ_H
#define HARTRIAGE_REPORT_SEQ_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>

#include "report-util.h"

/* SQL conditions on exchange id X (a query with the report's ticket as
 * ?1): a copy of an event whose shown copy is in the report's scope; a
 * failure that recovered; a CONNECT tunnel the proxy did not decrypt. */
#define SEQ_COPY(x)                                                                              \
	" EXISTS (SELECT 1 FROM sequence q JOIN exchanges qe ON qe.id = q.event_id JOIN sources "     \
	"qs ON qs.id = qe.source_id WHERE q.exchange_id = " x " AND q.event_id <> q.exchange_id AND " \
	"(?1 IS NULL OR qs.ticket = ?1)) "
#define SEQ_RECOVERED(x) \
	" EXISTS (SELECT 1 FROM sequence q WHERE q.exchange_id = " x " AND q.recovered_by IS NOT NULL) "
#define SEQ_TUNNEL(x) \
	" EXISTS (SELECT 1 FROM sequence q WHERE q.exchange_id = " x " AND q.demoted = 'tunnel') "

/* A collection's saved example (documentation, never a run), on the
 * exchanges table aliased e. */
#define SEQ_EXAMPLE(e) \
	" (CASE WHEN json_valid(" e ".extra) THEN json_extract(" e ".extra, '$.example') END) IS NOT NULL "

/* Severity rank for ORDER BY (critical 0 .. info 4) and the most severe
 * severity of a group of findings. */
#define SEQ_RANK(x) \
	" CASE " x " WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END "
#define SEQ_MAX_SEVERITY                                                                        \
	" CASE MIN(" SEQ_RANK("f.severity") ") WHEN 0 THEN 'critical' WHEN 1 THEN 'high' WHEN 2 THEN " \
	"'medium' WHEN 3 THEN 'low' ELSE 'info' END "

/* Inline code span for untrusted text (report-md.c). */
void report_md_code(FILE *out, const char *raw, size_t max, int in_table);

/* Failures of the report's scope that recovered (each event once). */
long report_seq_recovered(sqlite3 *db, const struct report_opts *o);
/* Exchanges of the report's scope that are copies of an event shown by
 * another exchange. */
long report_seq_copies(sqlite3 *db, const struct report_opts *o);
/* Saved examples in the report's scope with status 0 or >= 400. */
long report_seq_failed_examples(sqlite3 *db, const struct report_opts *o);
/* Markdown: extra rows of an evidence table for exchange ex_id (the other
 * sources of its event, saved example, client-side block). */
void report_seq_md_rows(FILE *out, sqlite3 *db, long long ex_id);
/* Markdown: the other sources of ex_id's event as "; `path` #seq ...",
 * for a table cell; prints nothing when the event has one copy.  Returns
 * the number of sources printed. */
int report_seq_md_sources(FILE *out, sqlite3 *db, long long ex_id);
/* Markdown: the "Recovered failures" section (nothing when none). */
void report_seq_md_recovered(FILE *out, sqlite3 *db, const struct report_opts *o);
/* Markdown: the per-request values of context rule ctx_rule on the
 * exchanges of lead_rule, as one table (when they differ). */
void report_seq_md_values(FILE *out, sqlite3 *db, const char *lead_rule, const char *ctx_rule,
			  const char *ticket);
/* JSON: the sequence facts of exchange ex_id (same_event, recovered_by,
 * what_changed, demoted), or NULL when there are none. */
json_t *report_seq_json(sqlite3 *db, long long ex_id);

#endif
