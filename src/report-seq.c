/* report-seq.c - the sequence in the reports (report-seq.h). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report-seq.h"
#include "util.h"

/* Rows of the per-request value table of a context rule. */
#define SEQ_VALUE_ROWS 20
/* Recovered failures listed. */
#define SEQ_RECOVERED_ROWS 200

static const char *col(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? (const char *)t : NULL;
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

/* The one number a COUNT query of the report's scope gives (0 on error). */
static long count_in_scope(sqlite3 *db, const struct report_opts *o, const char *sql)
{
	sqlite3_stmt *s = NULL;
	report_prepare_scoped(db, sql, o, &s);
	long n = 0;
	if (!s)
		return 0;
	report_bind_ticket(s, o);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(s, 0);
	report_release(s);
	return n;
}

long report_seq_recovered(sqlite3 *db, const struct report_opts *o)
{
	return count_in_scope(db, o, "SELECT COUNT(*) FROM sequence q JOIN exchanges e ON e.id = "
				     "q.exchange_id JOIN sources s ON s.id = e.source_id WHERE" TICKET_FILTER
				     "AND q.recovered_by IS NOT NULL AND NOT" SEQ_COPY("e.id"));
}

long report_seq_copies(sqlite3 *db, const struct report_opts *o)
{
	return count_in_scope(db, o, "SELECT COUNT(*) FROM sequence q JOIN exchanges e ON e.id = "
				     "q.exchange_id JOIN sources s ON s.id = e.source_id WHERE" TICKET_FILTER
				     "AND" SEQ_COPY("e.id"));
}

long report_seq_failed_examples(sqlite3 *db, const struct report_opts *o)
{
	return count_in_scope(db, o, "SELECT COUNT(*) FROM exchanges e JOIN sources s ON s.id = "
				     "e.source_id WHERE" TICKET_FILTER "AND (e.status = 0 OR e.status >= 400) "
				     "AND" SEQ_EXAMPLE("e"));
}

/* The other copies of ex_id's event. */
static const char copies_sql[] =
	"SELECT s.path, e.seq, e.started_at FROM sequence q JOIN sequence q2 ON q2.event_id = "
	"q.event_id AND q2.exchange_id <> q.exchange_id JOIN exchanges e ON e.id = q2.exchange_id JOIN "
	"sources s ON s.id = e.source_id WHERE q.exchange_id = ?1 ORDER BY s.path, e.seq LIMIT 20";

int report_seq_md_sources(FILE *out, sqlite3 *db, long long ex_id)
{
	sqlite3_stmt *s = prep(db, copies_sql);
	int n = 0;
	if (!s)
		return 0;
	sqlite3_bind_int64(s, 1, ex_id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		fputs(n++ ? "; " : "", out);
		report_md_code(out, col(s, 0), 200, 1);
		fprintf(out, " exchange %lld", (long long)sqlite3_column_int64(s, 1));
		if (col(s, 2)) {
			fputs(" at ", out);
			report_md_text(out, col(s, 2), 40);
		}
	}
	sqlite3_finalize(s);
	return n;
}

void report_seq_md_rows(FILE *out, sqlite3 *db, long long ex_id)
{
	sqlite3_stmt *s;
	long copies = 0;
	s = prep(db, "SELECT COUNT(*) FROM sequence q JOIN sequence q2 ON q2.event_id = q.event_id "
		     "WHERE q.exchange_id = ?1");
	if (s) {
		sqlite3_bind_int64(s, 1, ex_id);
		if (sqlite3_step(s) == SQLITE_ROW)
			copies = (long)sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	if (copies > 1) {
		fputs("| Also in | ", out);
		report_seq_md_sources(out, db, ex_id);
		fprintf(out, " (the same request, by request ID or by method, URL, status and time: one "
			     "event, %ld sources) |\n",
			copies);
	}
	s = prep(db, "SELECT q.demoted, CASE WHEN json_valid(e.extra) THEN json_extract(e.extra, "
		     "'$.example') END FROM sequence q JOIN exchanges e ON e.id = q.exchange_id WHERE "
		     "q.exchange_id = ?1");
	if (!s)
		return;
	sqlite3_bind_int64(s, 1, ex_id);
	if (sqlite3_step(s) == SQLITE_ROW && col(s, 0)) {
		if (!strcmp(col(s, 0), "example")) {
			fputs("| Saved example | ", out);
			report_md_code(out, col(s, 1), 200, 1);
			fputs(" is documentation saved in the collection, not a request that ran; no run or "
			      "ticket text shows this failure, so it counts as info |\n",
			      out);
		} else if (!strcmp(col(s, 0), "client-block")) {
			fputs("| Blocked by | the browser itself (an extension, a policy or tracking "
			      "protection), not the network or the server; not the page nor a same-site "
			      "API call, so it counts as low |\n",
			      out);
		}
	}
	sqlite3_finalize(s);
}

static const char recovered_sql[] =
	"SELECT e.started_at, e.method, e.url, e.status, e.error, (SELECT f.rule_id FROM findings f "
	"JOIN rules r ON r.id = f.rule_id WHERE f.exchange_id = e.id AND r.priority > 5 ORDER BY CASE "
	"r.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 "
	"ELSE 4 END, r.priority DESC, f.rule_id LIMIT 1), e2.status, e2.started_at, s2.path, e2.seq, "
	"q.recovery, e.id FROM sequence q JOIN exchanges e ON e.id = q.exchange_id JOIN sources s ON "
	"s.id = e.source_id JOIN exchanges e2 ON e2.id = q.recovered_by JOIN sources s2 ON s2.id = "
	"e2.source_id WHERE" TICKET_FILTER "AND NOT" SEQ_COPY("e.id")
	"ORDER BY e.started_at IS NULL, e.started_at, s.path, e.seq LIMIT " "200";

void report_seq_md_recovered(FILE *out, sqlite3 *db, const struct report_opts *o)
{
	sqlite3_stmt *s = NULL;
	report_prepare_scoped(db, recovered_sql, o, &s);
	int rows = 0;
	if (!s)
		return;
	report_bind_ticket(s, o);
	while (sqlite3_step(s) == SQLITE_ROW && rows < SEQ_RECOVERED_ROWS) {
		if (!rows++)
			fputs("\n## Recovered failures\n\nThese requests failed, then the same request "
			      "succeeded later in the capture: they are shown here and not counted at their "
			      "findings' severity.\n\n"
			      "| Time (UTC) | Request | Status | Finding | Then | What changed |\n"
			      "|---|---|---|---|---|---|\n",
			      out);
		fputs("| ", out);
		if (col(s, 0))
			report_md_text(out, col(s, 0), 40);
		else
			fputs("not in capture", out);
		fputs(" | ", out);
		{
			struct sbuf rl = SBUF_INIT;
			sbuf_addf(&rl, "%s %s", col(s, 1) ? col(s, 1) : "?", col(s, 2) ? col(s, 2) : "(no URL)");
			report_md_code(out, rl.data, 200, 1);
			sbuf_release(&rl);
		}
		fputs(" | ", out);
		if (sqlite3_column_type(s, 3) == SQLITE_NULL)
			fputs("unknown", out);
		else if (sqlite3_column_int(s, 3) == 0) {
			fputs("no response", out);
			if (col(s, 4)) {
				fputs(": ", out);
				report_md_code(out, col(s, 4), 200, 1);
			}
		} else
			fprintf(out, "%d", sqlite3_column_int(s, 3));
		fputs(" | ", out);
		if (col(s, 5))
			report_md_code(out, col(s, 5), 100, 1);
		else
			fputs("none", out);
		fprintf(out, " | %d", sqlite3_column_int(s, 6));
		if (col(s, 7)) {
			fputs(" at ", out);
			report_md_text(out, col(s, 7), 40);
		}
		fputs(" (", out);
		report_md_code(out, col(s, 8), 200, 1);
		fprintf(out, " exchange %lld) | ", (long long)sqlite3_column_int64(s, 9));
		report_md_text(out, col(s, 10), 600);
		fputs(" |\n", out);
	}
	report_release(s);
}

void report_seq_md_values(FILE *out, sqlite3 *db, const char *lead_rule, const char *ctx_rule,
			  const char *ticket)
{
	/* only the exchanges of the ticket being reported (?3, NULL: all) */
	sqlite3_stmt *s = prep(db, "SELECT f2.evidence, COUNT(*) FROM findings f1 JOIN findings f2 ON "
				   "f2.exchange_id = f1.exchange_id JOIN exchanges e ON e.id = f1.exchange_id "
				   "JOIN sources src ON src.id = e.source_id WHERE f1.rule_id = ?1 AND "
				   "f2.rule_id = ?2 AND (?3 IS NULL OR src.ticket = ?3) "
				   "GROUP BY f2.evidence ORDER BY MIN(f2.exchange_id)");
	json_t *rows = json_array(), *keys = json_array(), *first;
	long more = 0;
	const char *k;
	json_t *v;
	if (!s) {
		json_decref(rows);
		json_decref(keys);
		return;
	}
	sqlite3_bind_text(s, 1, lead_rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, ctx_rule, -1, SQLITE_STATIC);
	if (ticket)
		sqlite3_bind_text(s, 3, ticket, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		char *tf = NULL;
		json_t *ev = col(s, 0) ? json_loads(report_clean(col(s, 0), &tf), 0, NULL) : NULL;
		free(tf);
		if (!json_is_object(ev)) {
			json_decref(ev);
			continue;
		}
		if (json_array_size(rows) >= SEQ_VALUE_ROWS) {
			more++;
			json_decref(ev);
			continue;
		}
		json_object_set_new(ev, " n", json_integer(sqlite3_column_int64(s, 1)));
		json_array_append_new(rows, ev);
	}
	sqlite3_finalize(s);
	/* Columns: the evidence names whose value differs between requests
	 * (all of them when none does). */
	first = json_array_get(rows, 0);
	for (int pass = 0; pass < 2 && !json_array_size(keys); pass++)
		json_object_foreach(first, k, v)
		{
			int differs = 0;
			if (!json_is_string(v))
				continue;
			for (size_t i = 1; i < json_array_size(rows) && !differs; i++) {
				json_t *o = json_object_get(json_array_get(rows, i), k);
				differs = !json_is_string(o) || strcmp(json_string_value(o), json_string_value(v));
			}
			if (differs || pass == 1)
				json_array_append_new(keys, json_string(k));
		}
	if (json_array_size(rows) > 1 && json_array_size(keys)) {
		fputs("\nPer-request values (the advice above quotes the first):\n\n|", out);
		for (size_t i = 0; i < json_array_size(keys); i++) {
			fputc(' ', out);
			report_md_text(out, json_string_value(json_array_get(keys, i)), 60);
			fputs(" |", out);
		}
		fputs(" Exchanges |\n|", out);
		for (size_t i = 0; i <= json_array_size(keys); i++)
			fputs("---|", out);
		fputc('\n', out);
		for (size_t r = 0; r < json_array_size(rows); r++) {
			json_t *ev = json_array_get(rows, r);
			fputc('|', out);
			for (size_t i = 0; i < json_array_size(keys); i++) {
				json_t *val = json_object_get(ev, json_string_value(json_array_get(keys, i)));
				fputc(' ', out);
				if (json_is_string(val))
					report_md_code(out, json_string_value(val), 200, 1);
				fputs(" |", out);
			}
			fprintf(out, " %lld |\n", (long long)json_integer_value(json_object_get(ev, " n")));
		}
		if (more)
			fprintf(out, "\n… and %ld more distinct value set%s.\n", more, more == 1 ? "" : "s");
	}
	json_decref(rows);
	json_decref(keys);
}

json_t *report_seq_json(sqlite3 *db, long long ex_id)
{
	sqlite3_stmt *s = prep(db, "SELECT q.event_id, q.recovered_by, q.recovery, q.demoted, "
				   "q.request_key FROM sequence q WHERE q.exchange_id = ?1");
	json_t *o = NULL;
	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, ex_id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		sqlite3_stmt *c = prep(db, copies_sql);
		json_t *same = json_array();
		o = json_object();
		while (c && (sqlite3_bind_int64(c, 1, ex_id), sqlite3_step(c) == SQLITE_ROW)) {
			json_t *one = json_object();
			char *tf = NULL;
			json_object_set_new(one, "source", json_string(report_clean(col(c, 0), &tf)));
			free(tf);
			json_object_set_new(one, "exchange", json_integer(sqlite3_column_int64(c, 1)));
			json_array_append_new(same, one);
		}
		sqlite3_finalize(c);
		if (json_array_size(same))
			json_object_set_new(o, "same_event", same);
		else
			json_decref(same);
		if (sqlite3_column_type(s, 1) != SQLITE_NULL) {
			sqlite3_stmt *r = prep(db, "SELECT s.path, e.seq, e.status FROM exchanges e JOIN sources "
						   "s ON s.id = e.source_id WHERE e.id = ?1");
			if (r) {
				sqlite3_bind_int64(r, 1, sqlite3_column_int64(s, 1));
				if (sqlite3_step(r) == SQLITE_ROW) {
					json_t *by = json_object();
					char *tf = NULL;
					json_object_set_new(by, "source", json_string(report_clean(col(r, 0), &tf)));
					free(tf);
					json_object_set_new(by, "exchange", json_integer(sqlite3_column_int64(r, 1)));
					json_object_set_new(by, "status", json_integer(sqlite3_column_int64(r, 2)));
					json_object_set_new(o, "recovered_by", by);
				}
				sqlite3_finalize(r);
			}
			if (col(s, 2)) {
				char *tf = NULL;
				json_object_set_new(o, "what_changed", json_string(report_clean(col(s, 2), &tf)));
				free(tf);
			}
		}
		if (col(s, 3))
			json_object_set_new(o, "demoted", json_string(col(s, 3)));
	}
	sqlite3_finalize(s);
	return o;
}
