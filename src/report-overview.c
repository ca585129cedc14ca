/* report-overview.c - the report's first screen after the summary: what
 * failed, since when, how often, where (report-util.h).
 *
 * A status histogram, the failing hosts with counts, the slowest and the
 * largest requests, and failures over time as a compact text histogram.
 * Everything that came from a capture goes through report_md_text(). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report-util.h"
#include "util.h"

#define OVERVIEW_ROWS 5  /* hosts, slowest, largest */
#define HISTO_BUCKETS 12 /* bars of the failures-over-time histogram */
#define HISTO_WIDTH   40 /* characters of the longest bar */

/* Run sql (?1 = the ticket or NULL) and call row(ctx, s) per row. */
static int each_row(sqlite3 *db, const char *sql, const struct report_opts *o,
                    void (*row)(void *ctx, sqlite3_stmt *s), void *ctx, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int rc;
	if (report_prepare_scoped(db, sql, o, &s) != SQLITE_OK) {
		snprintf(err, errlen, "database error: %s", sqlite3_errmsg(db));
		return -1;
	}
	report_bind_ticket(s, o);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		row(ctx, s);
	report_release(s);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "database error: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

static const char *text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

struct rows {
	FILE *out;
	int n;
	long total;
	const char *title; /* printed before the first row, when set */
};

static void status_row(void *ctx, sqlite3_stmt *s)
{
	struct rows *r = ctx;
	if (!r->n++)
		fputs("| Status | Requests |\n|---|---|\n", r->out);
	fputs("| ", r->out);
	report_md_text(r->out, text(s, 0), 60);
	fprintf(r->out, " | %lld |\n", (long long)sqlite3_column_int64(s, 1));
}

static void host_row(void *ctx, sqlite3_stmt *s)
{
	struct rows *r = ctx;
	r->total = (long)sqlite3_column_int64(s, 3);
	if (r->n++ >= OVERVIEW_ROWS)
		return;
	if (r->n == 1)
		fputs("\n**Failing hosts**\n\n| Host | Failed | Of requests |\n|---|---|---|\n",
		      r->out);
	fputs("| ", r->out);
	report_md_text(r->out, text(s, 0) ? text(s, 0) : "unknown", 120);
	fprintf(r->out, " | %lld | %lld |\n", (long long)sqlite3_column_int64(s, 1),
	        (long long)sqlite3_column_int64(s, 2));
}

/* One request of the slowest or largest list. */
static void request_row(void *ctx, sqlite3_stmt *s)
{
	struct rows *r = ctx;
	if (!r->n++) {
		if (r->title)
			fputs(r->title, r->out);
		fputs("| Request | Status | Value |\n|---|---|---|\n", r->out);
	}
	fputs("| ", r->out);
	report_md_text(r->out, text(s, 0) ? text(s, 0) : "?", 12);
	fputc(' ', r->out);
	report_md_text(r->out, text(s, 1) ? text(s, 1) : "(no URL)", 100);
	fputs(" | ", r->out);
	if (sqlite3_column_type(s, 2) == SQLITE_NULL)
		fputs("unknown", r->out);
	else if (sqlite3_column_int64(s, 2) == 0)
		fputs("no response", r->out);
	else
		fprintf(r->out, "%lld", (long long)sqlite3_column_int64(s, 2));
	fputs(" | ", r->out);
	report_md_text(r->out, text(s, 3), 40);
	fputs(" |\n", r->out);
}

struct histo {
	long count[HISTO_BUCKETS];
	double from, to;
	int have;
	char first[32], last[32];
};

static void histo_row(void *ctx, sqlite3_stmt *s)
{
	struct histo *h = ctx;
	int b = sqlite3_column_int(s, 0);
	if (b >= 0 && b < HISTO_BUCKETS)
		h->count[b] += (long)sqlite3_column_int64(s, 1);
	h->have = 1;
}

static void histo_range(void *ctx, sqlite3_stmt *s)
{
	struct histo *h = ctx;
	if (sqlite3_column_type(s, 0) == SQLITE_NULL)
		return;
	h->from = sqlite3_column_double(s, 0);
	h->to = sqlite3_column_double(s, 1);
	snprintf(h->first, sizeof h->first, "%s", text(s, 2) ? text(s, 2) : "");
	snprintf(h->last, sizeof h->last, "%s", text(s, 3) ? text(s, 3) : "");
	h->have = 1;
}

#define FAILING " (e.status = 0 OR e.status >= 400) "
#define FROM_EX " FROM exchanges e JOIN sources s ON s.id = e.source_id WHERE" TICKET_FILTER

/* "Not in the captures: a, b and c." */
static void say_missing(FILE *out, const char *const *what, int n)
{
	if (!n)
		return;
	fputs("\nNot in the captures: ", out);
	for (int i = 0; i < n; i++)
		fprintf(out, "%s%s", i == 0 ? "" : i == n - 1 ? " and " : ", ", what[i]);
	fputs(".\n", out);
}

int report_overview_md(FILE *out, sqlite3 *db, const struct report_opts *o, char *err,
                       size_t errlen)
{
	struct rows r = {out, 0, 0, NULL};
	struct histo h;
	const char *missing[3];
	int nmissing = 0;

	fputs("\n## Overview\n\n", out);
	/* Status histogram: classes, with no response and unknown apart. */
	if (each_row(db,
	             "SELECT CASE WHEN e.status IS NULL THEN 'unknown' WHEN e.status = 0 THEN "
	             "'no response' ELSE (e.status / 100) || 'xx' END AS c, COUNT(*)" FROM_EX
	             "GROUP BY c ORDER BY CASE c WHEN 'no response' THEN 0 WHEN 'unknown' THEN 9 "
	             "ELSE 1 END, c",
	             o, status_row, &r, err, errlen) < 0)
		return -1;
	if (!r.n)
		fputs("No requests.\n", out);

	/* Failing hosts. */
	r.n = 0;
	if (each_row(db,
	             "SELECT e.host, SUM(" FAILING "), COUNT(*), COUNT(*) OVER ()" FROM_EX
	             "GROUP BY e.host HAVING SUM(" FAILING ") > 0 ORDER BY 2 DESC, e.host",
	             o, host_row, &r, err, errlen) < 0)
		return -1;
	if (r.n > OVERVIEW_ROWS)
		fprintf(out, "\n%d more failing host%s.\n", r.n - OVERVIEW_ROWS,
		        r.n - OVERVIEW_ROWS == 1 ? "" : "s");

	/* Slowest and largest; what the captures lack is said once at the end. */
	for (int k = 0; k < 2; k++) {
		static const struct {
			const char *title, *sql, *lack;
		} top[2] = {
		    {"\n**Slowest requests** (total time)\n\n",
		     "SELECT e.method, e.url, e.status, printf('%.0f ms', e.time_total)" FROM_EX
		     "AND e.time_total IS NOT NULL ORDER BY e.time_total DESC, s.path, e.seq LIMIT "
		     "5",
		     "timings"},
		    {"\n**Largest responses** (body bytes)\n\n",
		     "SELECT e.method, e.url, e.status, e.resp_body_size || ' B'" FROM_EX
		     "AND e.resp_body_size > 0 ORDER BY e.resp_body_size DESC, s.path, e.seq LIMIT "
		     "5",
		     "response bodies"},
		};
		r.n = 0;
		r.title = top[k].title;
		if (each_row(db, top[k].sql, o, request_row, &r, err, errlen) < 0)
			return -1;
		if (!r.n)
			missing[nmissing++] = top[k].lack;
	}

	/* Failures over time. */
	memset(&h, 0, sizeof h);
	if (each_row(db,
	             "SELECT MIN(julianday(e.started_at)), MAX(julianday(e.started_at)), "
	             "MIN(e.started_at), MAX(e.started_at)" FROM_EX "AND" FAILING
	             "AND julianday(e.started_at) IS NOT NULL",
	             o, histo_range, &h, err, errlen) < 0)
		return -1;
	if (!h.have) {
		missing[nmissing++] = "times of the failing requests";
		say_missing(out, missing, nmissing);
		return 0;
	}
	fputs("\n**Failures over time** (UTC)\n\n", out);
	if (h.to <= h.from) {
		fputs("The failing requests that carry a time are all at ", out);
		report_md_text(out, h.first, 32);
		fputs(".\n", out);
		say_missing(out, missing, nmissing);
		return 0;
	}
	{
		char *sql = xasprintf(
		    "SELECT MIN(%d, CAST((julianday(e.started_at) - %.10f) / %.10f * %d AS "
		    "INTEGER)) AS b, COUNT(*)" FROM_EX "AND" FAILING "AND "
		    "julianday(e.started_at) IS NOT NULL GROUP BY b",
		    HISTO_BUCKETS - 1, h.from, h.to - h.from, HISTO_BUCKETS);
		long max = 0;
		double span_s = (h.to - h.from) * 86400.0;
		int rc = each_row(db, sql, o, histo_row, &h, err, errlen);
		free(sql);
		if (rc < 0)
			return -1;
		for (int i = 0; i < HISTO_BUCKETS; i++)
			if (h.count[i] > max)
				max = h.count[i];
		fputs("```text\n", out);
		for (int i = 0; i < HISTO_BUCKETS; i++) {
			double at = (double)i * span_s / HISTO_BUCKETS;
			long n = h.count[i];
			int w = max ? (int)((n * HISTO_WIDTH + max - 1) / max) : 0;
			if (span_s < 120)
				fprintf(out, "+%6.2fs %6ld ", at, n);
			else
				fprintf(out, "+%02ld:%02ld:%02ld %6ld ", (long)(at / 3600),
				        (long)(at / 60) % 60, (long)at % 60, n);
			for (int k = 0; k < w; k++)
				fputc('#', out);
			fputc('\n', out);
		}
		fputs("```\n\nFrom ", out);
		report_md_text(out, h.first, 32);
		fputs(" to ", out);
		report_md_text(out, h.last, 32);
		fputs("; each line is 1/12 of that span, offsets from the first failure.\n", out);
	}
	say_missing(out, missing, nmissing);
	return 0;
}

long report_count_failing_timed(sqlite3 *db, const struct report_opts *o)
{
	static const char sql[] =
	    "SELECT COUNT(*)" FROM_EX "AND e.started_at IS NOT NULL AND" FAILING;
	sqlite3_stmt *s;
	long n = -1;

	if (report_prepare_scoped(db, sql, o, &s) != SQLITE_OK)
		return -1;
	report_bind_ticket(s, o);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(s, 0);
	report_release(s);
	return n;
}
