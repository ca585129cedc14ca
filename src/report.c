/* report.c - the report stage's entry points: one report, a writer for
 * many (per ticket), the ticket list and the batch index (report.h). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util.h"

struct report_writer {
	struct store *st;
	struct report_opts o;
	struct report_md *md;
	struct report_json *json;
};

struct report_writer *report_writer_new(struct store *st, const struct report_opts *o, char *err,
					size_t errlen)
{
	struct report_writer *w = xcalloc(1, sizeof(*w));
	w->st = st;
	w->o = *o;
	if (o->format == REPORT_JSON)
		w->json = report_json_new(store_db(st), err, errlen);
	else
		w->md = report_md_new(store_db(st), err, errlen);
	if (!w->json && !w->md) {
		free(w);
		return NULL;
	}
	report_scoped_keep(store_db(st));
	return w;
}

int report_writer_write(struct report_writer *w, FILE *out, const char *ticket, char *err,
			size_t errlen)
{
	struct report_opts o = w->o;
	int rc;
	o.ticket = ticket;
	report_begin(store_db(w->st));
	if (w->json) {
		rc = report_json_write(w->json, out, &o, err, errlen);
	} else if (o.format == REPORT_HTML) {
		/* The Markdown report, rendered (report-html.c). */
		char *md = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&md, &len);
		rc = mem ? report_md_write(w->md, mem, &o, err, errlen) : -1;
		if (mem && fclose(mem) != 0)
			rc = -1;
		if (rc == 0)
			rc = report_html_render(md, len, out, err, errlen);
		else if (!mem)
			snprintf(err, errlen, "out of memory");
		free(md);
	} else {
		rc = report_md_write(w->md, out, &o, err, errlen);
	}
	report_end();
	return rc;
}

void report_writer_free(struct report_writer *w)
{
	if (!w)
		return;
	report_scoped_drop();
	report_md_free(w->md);
	report_json_free(w->json);
	free(w);
}

int report_write(struct store *st, FILE *out, const struct report_opts *o, char *err,
		 size_t errlen)
{
	struct report_writer *w = report_writer_new(st, o, err, errlen);
	int rc;
	if (!w)
		return -1;
	rc = report_writer_write(w, out, o->ticket, err, errlen);
	report_writer_free(w);
	return rc;
}

char **report_tickets(struct store *st, size_t *n, char *err, size_t errlen)
{
	sqlite3_stmt *s = report_prepare(store_db(st),
					 "SELECT DISTINCT COALESCE(ticket, '') FROM sources ORDER BY 1", err,
					 errlen);
	char **v = NULL;
	size_t alloc = 0;
	int rc;
	*n = 0;
	if (!s)
		return NULL;
	/* Not a strlist: that one is capped (transcript lines). */
	v = xgrow(v, &alloc, 1, sizeof(*v));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		v = xgrow(v, &alloc, *n + 2, sizeof(*v));
		v[(*n)++] = xstrdup((const char *)sqlite3_column_text(s, 0));
	}
	v[*n] = NULL;
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "database error: %s", sqlite3_errmsg(store_db(st)));
		report_tickets_free(v);
		v = NULL;
	}
	sqlite3_finalize(s);
	return v;
}

void report_tickets_free(char **v)
{
	if (!v)
		return;
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

char *report_ticket_file_name(const char *ticket)
{
	char *s = xstrdup(ticket && ticket[0] ? ticket : "unnamed");
	for (char *p = s; *p; p++)
		if (*p == '/' || *p == '\\' || (unsigned char)*p < 0x20)
			*p = '_';
	if (s[0] == '.')
		s[0] = '_';
	return s;
}

/* A table cell of index.md (ticket names, titles, reasons). */
static void index_cell(FILE *out, const char *s)
{
	report_md_text(out, s, (size_t)-1);
}


/* The batch picture of index.md: each finding with the tickets it appears
 * in (counted as each ticket's report counts it), most widespread first,
 * so a shared outage stands out.  Returns 0 or -1 (err filled). */
static int write_batch_picture(sqlite3 *db, FILE *idx, char *err, size_t errlen)
{
	sqlite3_stmt *s = report_prepare(
		db,
		"WITH g AS (SELECT rule_id, MIN(severity) AS severity, COUNT(DISTINCT ticket) AS tickets "
		"FROM temp.report_counted GROUP BY rule_id) "
		"SELECT g.rule_id, substr(COALESCE(r.title, ''), 1, 90), g.severity, g.tickets, "
		"(SELECT COUNT(*) FROM findings f WHERE f.rule_id = g.rule_id), "
		"(SELECT MIN(e.started_at) FROM findings f JOIN exchanges e ON e.id = f.exchange_id "
		"WHERE f.rule_id = g.rule_id), "
		"(SELECT MAX(e.started_at) FROM findings f JOIN exchanges e ON e.id = f.exchange_id "
		"WHERE f.rule_id = g.rule_id), COALESCE(r.vendor, ''), COUNT(*) OVER () "
		"FROM g LEFT JOIN rules r ON r.id = g.rule_id ORDER BY g.tickets DESC, CASE g.severity "
		"WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 "
		"END, g.rule_id LIMIT 30", /* rows; the rest is counted below */
		err, errlen);
	long total = 0, rows = 0;

	if (!s)
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *first = (const char *)sqlite3_column_text(s, 5);
		const char *last = (const char *)sqlite3_column_text(s, 6);
		if (!rows)
			fputs("\n## Findings across tickets\n\n"
			      "Each finding with the tickets it appears in, most widespread first.\n\n"
			      "| Finding | Severity | Tickets | Requests | First (UTC) | Last (UTC) | Vendor |\n"
			      "|---|---|---|---|---|---|---|\n",
			      idx);
		rows++;
		total = (long)sqlite3_column_int64(s, 8);
		fputs("| `", idx);
		index_cell(idx, (const char *)sqlite3_column_text(s, 0));
		fputs("` ", idx);
		index_cell(idx, (const char *)sqlite3_column_text(s, 1));
		fputs(" | ", idx);
		index_cell(idx, (const char *)sqlite3_column_text(s, 2));
		fprintf(idx, " | %lld | %lld | ", (long long)sqlite3_column_int64(s, 3),
			(long long)sqlite3_column_int64(s, 4));
		index_cell(idx, first ? first : "not in capture");
		fputs(" | ", idx);
		index_cell(idx, last ? last : "not in capture");
		fputs(" | ", idx);
		index_cell(idx, (const char *)sqlite3_column_text(s, 7));
		fputs(" |\n", idx);
	}
	sqlite3_finalize(s);
	if (!rows)
		fputs("\nNo failure signature matched in any ticket.\n", idx);
	else if (total > rows)
		fprintf(idx, "\n%ld more findings (see the ticket reports).\n", total - rows);
	return 0;
}

int report_write_index(struct store *st, FILE *idx, enum report_format format, char *err,
		       size_t errlen)
{
	sqlite3 *db = store_db(st);
	const char *ext = format == REPORT_JSON ? "json" : format == REPORT_HTML ? "html" : "md";
	sqlite3_stmt *s;

	/* The counted findings once, for both tables (a CTE joined per ticket
	 * row would be computed again for each). */
	if (sqlite3_exec(db, "DROP TABLE IF EXISTS temp.report_counted; CREATE TEMP TABLE "
			     "report_counted AS " REPORT_COUNTED_FINDINGS "; CREATE INDEX temp.report_counted_ticket "
			     "ON report_counted(ticket)", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "database error: %s", sqlite3_errmsg(db));
		return -1;
	}
	fputs("# hartriage: tickets\n", idx);
	if (write_batch_picture(db, idx, err, errlen) < 0) {
		sqlite3_exec(db, "DROP TABLE IF EXISTS temp.report_counted", NULL, NULL, NULL);
		return -1;
	}
	fputs("\n## Tickets\n\n"
	      "| Ticket | Attachments | Unreadable | Exchanges | Leading finding | critical | high | medium | low |\n"
	      "|---|---|---|---|---|---|---|---|---|\n",
	      idx);
	s = report_prepare(
		db,
		"WITH t AS (SELECT COALESCE(ticket, '') AS ticket, COUNT(*) AS att, "
		"SUM(status IN ('error', 'partial')) AS bad, SUM(exchanges) AS ex FROM sources GROUP BY 1), "
		/* Findings counted as in each ticket's report (report_counts). */
		"c AS (SELECT ticket, SUM(severity = 'critical') AS cr, SUM(severity = 'high') AS hi, "
		"SUM(severity = 'medium') AS me, SUM(severity = 'low') AS lo FROM temp.report_counted "
		"GROUP BY ticket) "
		"SELECT t.ticket, t.att, t.bad, t.ex, "
		/* The leading finding as the ticket's report leads with it. */
		"(SELECT f.rule_id FROM temp.report_counted f LEFT JOIN rules r ON r.id = f.rule_id "
		"WHERE f.ticket = t.ticket ORDER BY CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' "
		"THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END, COALESCE(r.priority, 50) DESC, "
		"f.rule_id LIMIT 1), "
		"COALESCE(c.cr, 0), COALESCE(c.hi, 0), COALESCE(c.me, 0), COALESCE(c.lo, 0) "
		"FROM t LEFT JOIN c ON c.ticket = t.ticket "
		"ORDER BY COALESCE(c.cr, 0) DESC, COALESCE(c.hi, 0) DESC, COALESCE(c.me, 0) DESC, "
		"COALESCE(c.lo, 0) DESC, t.bad DESC, t.ticket",
		err, errlen);
	if (!s) {
		sqlite3_exec(db, "DROP TABLE IF EXISTS temp.report_counted", NULL, NULL, NULL);
		return -1;
	}
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *ticket = (const char *)sqlite3_column_text(s, 0);
		const char *lead = (const char *)sqlite3_column_text(s, 4);
		char *fname = report_ticket_file_name(ticket);
		fputs("| [", idx);
		index_cell(idx, ticket);
		fprintf(idx, "](%s.%s) | %lld | %lld | %lld | ", fname, ext,
			(long long)sqlite3_column_int64(s, 1), (long long)sqlite3_column_int64(s, 2),
			(long long)sqlite3_column_int64(s, 3));
		free(fname);
		if (lead) {
			fputc('`', idx);
			index_cell(idx, lead);
			fputc('`', idx);
		} else {
			fputs("\xe2\x80\x94", idx); /* an em dash: no finding */
		}
		fprintf(idx, " | %lld | %lld | %lld | %lld |\n", (long long)sqlite3_column_int64(s, 5),
			(long long)sqlite3_column_int64(s, 6), (long long)sqlite3_column_int64(s, 7),
			(long long)sqlite3_column_int64(s, 8));
	}
	sqlite3_finalize(s);
	sqlite3_exec(db, "DROP TABLE IF EXISTS temp.report_counted", NULL, NULL, NULL);
	s = report_prepare(db,
			   "SELECT COALESCE(ticket, ''), path, status, error FROM sources WHERE status "
			   "IN ('error', 'partial') ORDER BY ticket, path",
			   err, errlen);
	if (s) {
		int any = 0;
		while (sqlite3_step(s) == SQLITE_ROW) {
			if (!any)
				fputs("\n## Attachments that could not be read\n\n", idx);
			any = 1;
			fputs("- ", idx);
			index_cell(idx, (const char *)sqlite3_column_text(s, 0));
			fputs(": ", idx);
			index_cell(idx, (const char *)sqlite3_column_text(s, 1));
			fputs(strcmp((const char *)sqlite3_column_text(s, 2), "partial") == 0
				      ? " (damaged, complete parts kept): "
				      : ": ",
			      idx);
			index_cell(idx, (const char *)sqlite3_column_text(s, 3));
			fputc('\n', idx);
		}
		sqlite3_finalize(s);
	}
	return 0;
}
