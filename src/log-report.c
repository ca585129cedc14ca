/* log-report.c - what the Markdown report shows of server log records
 * (issue 18): the per-minute histogram of a finding's log records, and the
 * other side of an example (the server's log line beside the customer's
 * failed request, and back).
 *
 * A log record and a captured exchange of the same ticket are one event
 * when they carry the same request ID (x-request-id, cf-ray = RayID,
 * x-amzn-trace-id = the ALB's trace_id, x-vercel-id, x-nf-request-id,
 * Heroku's request_id), or when method, path and status agree and the
 * times, both in UTC, are at most JOIN_WINDOW_S apart.  A record whose time
 * has no zone joins by request ID only.  Everything is read from the
 * database at report time; nothing is written.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "log-int.h"
#include "log-report.h"
#include "util.h"

#define JOIN_WINDOW_S 5      /* seconds between a capture and its log record */
#define JOIN_SHOWN 3         /* other-side records shown per example */
#define HIST_ROWS 48         /* buckets shown at most */
#define HIST_MINUTES_CAP 100000 /* distinct minutes read */
#define HIST_BAR 40          /* characters of the longest bar */

/* Request-ID headers a capture carries and how their value holds a log's ID:
 * the whole value, the value up to ';' (x-amzn-trace-id "Root=..;Parent=..")
 * or '-' (cf-ray "RayID-COLO"), or after the last "::" (x-vercel-id). */
#define ID_HEADERS "('x-request-id', 'request-id', 'x-correlation-id', 'cf-ray', " \
	"'x-amzn-trace-id', 'x-vercel-id', 'x-nf-request-id', 'x-amz-cf-id')"
#define ID_MATCH(h, rid) "(" h " = " rid " OR substr(" h ", 1, length(" rid ") + 1) IN (" rid \
	" || ';', " rid " || '-') OR substr(" h ", -length(" rid ") - 2) = '::' || " rid ")"

static const char *const sql_hist =
	"SELECT substr(e.started_at, 1, 16), e.started_at LIKE '%Z', COUNT(*) FROM findings f "
	"JOIN exchanges e ON e.id = f.exchange_id JOIN sources s ON s.id = e.source_id WHERE"
	TICKET_FILTER "AND f.rule_id = ?2 AND e.kind = 'log' AND e.started_at IS NOT NULL "
	"GROUP BY 1, 2 ORDER BY 2 DESC, 1";

/* The rules that matched log records. */
static const char *const sql_rules_with_logs =
	"SELECT DISTINCT f.rule_id FROM findings f JOIN exchanges e ON e.id = f.exchange_id JOIN sources s "
	"ON s.id = e.source_id WHERE" TICKET_FILTER "AND e.kind = 'log' ORDER BY f.rule_id";

/* The log records of exchange ?1's ticket that join it. */
static const char *const sql_logs_of =
	"WITH c AS (SELECT e.id, e.method, e.path, e.status, e.started_at, s.ticket FROM exchanges e "
	"JOIN sources s ON s.id = e.source_id WHERE e.id = ?1 AND e.kind <> 'log') "
	"SELECT l.id, ls.path, l.extra, l.status, l.started_at, MIN(j.how) FROM c "
	"JOIN (SELECT l.id AS lid, 0 AS how FROM c JOIN headers h ON h.exchange_id = c.id "
	"  JOIN sources ls ON ls.ticket IS c.ticket JOIN exchanges l ON l.source_id = ls.id AND l.kind = 'log' "
	"  WHERE lower(h.name) IN " ID_HEADERS " AND "
	ID_MATCH("h.value", "json_extract(l.extra, '$.log.request_id')")
	" UNION ALL SELECT l.id, 1 FROM c JOIN sources ls ON ls.ticket IS c.ticket JOIN exchanges l ON "
	"  l.source_id = ls.id AND l.kind = 'log' AND l.method = c.method "
	"  AND l.path = c.path AND (l.status IS NULL OR l.status = c.status) WHERE c.started_at LIKE '%Z' AND l.started_at LIKE '%Z' "
	"  AND abs(julianday(l.started_at) - julianday(c.started_at)) * 86400.0 <= ?2) j "
	"JOIN exchanges l ON l.id = j.lid JOIN sources ls ON ls.id = l.source_id "
	"GROUP BY l.id ORDER BY MIN(j.how), l.started_at, l.id LIMIT ?3";

/* The captured exchanges of log record ?1's ticket that it joins. */
static const char *const sql_captures_of =
	"WITH l AS (SELECT e.id, e.method, e.path, e.status, e.started_at, s.ticket, "
	"json_extract(e.extra, '$.log.request_id') AS rid FROM exchanges e JOIN sources s ON "
	"s.id = e.source_id WHERE e.id = ?1 AND e.kind = 'log') "
	"SELECT c.id, cs.path, c.seq, c.method, c.url, c.status, c.error, MIN(j.how) FROM l "
	"JOIN (SELECT h.exchange_id AS cid, 0 AS how FROM l JOIN headers h ON lower(h.name) IN "
	ID_HEADERS " AND l.rid IS NOT NULL AND " ID_MATCH("h.value", "l.rid")
	" UNION ALL SELECT c.id, 1 FROM l JOIN exchanges c ON c.kind <> 'log' AND c.method = l.method "
	"  AND c.path = l.path AND (l.status IS NULL OR l.status = c.status) WHERE l.started_at LIKE '%Z' "
	"  AND c.started_at LIKE '%Z' AND abs(julianday(l.started_at) - julianday(c.started_at)) * "
	"  86400.0 <= ?2) j JOIN exchanges c ON c.id = j.cid AND c.kind <> 'log' "
	"JOIN sources cs ON cs.id = c.source_id AND cs.ticket IS l.ticket "
	"GROUP BY c.id ORDER BY MIN(j.how), c.started_at, c.id LIMIT ?3";

static const char *col(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/* ---------------------------------------------------------------- */
/* Histogram */

struct minute {
	long long m; /* minutes since 1970 */
	long n;
};

static int minute_of(const char *t, long long *m)
{
	int y, mo, d, h, mi;
	if (!t || sscanf(t, "%4d-%2d-%2dT%2d:%2d", &y, &mo, &d, &h, &mi) != 5)
		return 0;
	*m = (log_days_of(y, mo, d) * 24 + h) * 60 + mi;
	return 1;
}

static void put_minute(FILE *out, long long m)
{
	int y, mo, d;
	log_date_of(m / 1440, &y, &mo, &d);
	fprintf(out, "%04d-%02d-%02dT%02d:%02d", y, mo, d, (int)(m % 1440 / 60), (int)(m % 60));
}

/* Buckets of a histogram: at most HIST_ROWS of w minutes from first * w. */
struct hist {
	int w;
	long long first, nb;
	long *b;
	long total, maxn;
};

/* Bucket the minutes v[0..n) (ascending); 0 when there are fewer than 3
 * records to show. */
static int bucket(const struct minute *v, size_t n, struct hist *h)
{
	static const int widths[] = { 1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 10080 };
	memset(h, 0, sizeof *h);
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		h->total += v[i].n;
	if (h->total < 3)
		return 0;
	long long lo = v[0].m, hi = v[n - 1].m;
	for (size_t k = 0; k < sizeof widths / sizeof *widths; k++) {
		h->w = widths[k];
		if ((hi / h->w - lo / h->w) + 1 <= HIST_ROWS)
			break;
	}
	h->first = lo / h->w;
	h->nb = hi / h->w - h->first + 1;
	if (h->nb > HIST_ROWS)
		h->nb = HIST_ROWS; /* wider than 48 weeks: the first weeks only */
	h->b = xcalloc((size_t)h->nb, sizeof *h->b);
	for (size_t i = 0; i < n; i++) {
		long long k = v[i].m / h->w - h->first;
		if (k >= 0 && k < h->nb)
			h->b[k] += v[i].n;
	}
	for (long long k = 0; k < h->nb; k++)
		if (h->b[k] > h->maxn)
			h->maxn = h->b[k];
	return 1;
}

static void histogram(FILE *out, const struct minute *v, size_t n, int zoned)
{
	struct hist h;
	if (!bucket(v, n, &h))
		return;
	fprintf(out, "\n**Per %d minute%s (%s)**, %ld log records:\n\n```\n", h.w, h.w == 1 ? "" : "s",
		zoned ? "UTC" : "the log's own time, zone unknown", h.total);
	for (long long k = 0; k < h.nb; k++) {
		put_minute(out, (h.first + k) * h.w);
		fputs("  ", out);
		int bar = h.maxn ? (int)((h.b[k] * HIST_BAR + h.maxn - 1) / h.maxn) : 0;
		for (int i = 0; i < bar; i++)
			fputc('#', out);
		fprintf(out, "%s%ld\n", bar ? " " : "", h.b[k]);
	}
	fputs("```\n", out);
	free(h.b);
}

/* The minutes of rule's log records: v[1] with a zone (UTC), v[0] without. */
static int minutes_of(sqlite3 *db, const struct report_opts *o, const char *rule, struct minute *v[2],
		      size_t n[2])
{
	sqlite3_stmt *s = NULL;
	size_t alloc[2] = { 0, 0 };
	v[0] = v[1] = NULL;
	n[0] = n[1] = 0;
	if (report_prepare_scoped(db, sql_hist, o, &s) != SQLITE_OK)
		return -1;
	report_bind_ticket(s, o);
	sqlite3_bind_text(s, 2, rule, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		int z = sqlite3_column_int(s, 1) ? 1 : 0;
		long long m;
		if (n[z] >= HIST_MINUTES_CAP || !minute_of(col(s, 0), &m))
			continue;
		v[z] = xgrow(v[z], &alloc[z], n[z] + 1, sizeof **v);
		v[z][n[z]].m = m;
		v[z][n[z]++].n = (long)sqlite3_column_int64(s, 2);
	}
	report_release(s);
	return 0;
}

int log_histogram_md(FILE *out, sqlite3 *db, const struct report_opts *o, const char *rule)
{
	struct minute *v[2];
	size_t n[2];
	if (minutes_of(db, o, rule, v, n) < 0)
		return -1;
	histogram(out, v[1], n[1], 1);
	histogram(out, v[0], n[0], 0);
	free(v[0]);
	free(v[1]);
	return 0;
}

json_t *log_histograms_json(sqlite3 *db, const struct report_opts *o)
{
	sqlite3_stmt *s = NULL;
	json_t *all = json_object();
	if (report_prepare_scoped(db, sql_rules_with_logs, o, &s) != SQLITE_OK)
		return all;
	report_bind_ticket(s, o);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *rule = col(s, 0);
		struct minute *v[2];
		size_t n[2];
		json_t *list = json_array();
		if (!rule || minutes_of(db, o, rule, v, n) < 0) {
			json_decref(list);
			continue;
		}
		for (int z = 1; z >= 0; z--) {
			struct hist h;
			if (!bucket(v[z], n[z], &h))
				continue;
			json_t *hj = json_object(), *b = json_array();
			json_object_set_new(hj, "zone", json_string(z ? "UTC" : "unknown"));
			json_object_set_new(hj, "bucket_minutes", json_integer(h.w));
			json_object_set_new(hj, "records", json_integer(h.total));
			for (long long k = 0; k < h.nb; k++) {
				char t[40];
				int y, mo, d;
				long long m = (h.first + k) * h.w;
				log_date_of(m / 1440, &y, &mo, &d);
				snprintf(t, sizeof t, "%04d-%02d-%02dT%02d:%02d%s", y, mo, d, (int)(m % 1440 / 60),
					 (int)(m % 60), z ? "Z" : "");
				json_t *e = json_object();
				json_object_set_new(e, "start", json_string(t));
				json_object_set_new(e, "count", json_integer(h.b[k]));
				json_array_append_new(b, e);
			}
			json_object_set_new(hj, "buckets", b);
			json_array_append_new(list, hj);
			free(h.b);
		}
		free(v[0]);
		free(v[1]);
		if (json_array_size(list))
			json_object_set_new(all, rule, list);
		else
			json_decref(list);
	}
	report_release(s);
	return all;
}

int log_request_id_md(FILE *out, sqlite3 *db, long long ex_id)
{
	sqlite3_stmt *s = NULL;
	int got = 0;
	if (sqlite3_prepare_v2(db, "SELECT json_extract(extra, '$.log.request_id') FROM exchanges "
				   "WHERE id = ?1 AND kind = 'log'", -1, &s, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(s, 1, ex_id);
	if (sqlite3_step(s) == SQLITE_ROW && col(s, 0)) {
		fputs("`request_id` `", out);
		report_md_text(out, col(s, 0), 200);
		fputs("` (the log line's)", out);
		got = 1;
	}
	sqlite3_finalize(s);
	return got;
}

void log_zone_note(FILE *out, const char *t)
{
	size_t n = t ? strlen(t) : 0;
	/* "2026-12-04T10:16:02.000": a date and time, and no zone after them */
	if (n >= 19 && t[10] == 'T' && t[n - 1] != 'Z' && !strchr(t + 19, '+') && !strchr(t + 19, '-'))
		fputs(" (log time, zone unknown)", out);
}

/* ---------------------------------------------------------------- */
/* The other side of an example */

/* What a log record says, in one line: message, code, flags, upstream. */
static void say_record(FILE *out, const char *extra, int status)
{
	json_t *root = extra ? json_loads(extra, 0, NULL) : NULL;
	json_t *lg = json_object_get(root, "log");
	const char *msg = json_string_value(json_object_get(lg, "message"));
	const char *code = json_string_value(json_object_get(lg, "code"));
	const char *flags = json_string_value(json_object_get(lg, "flags"));
	const char *ups = json_string_value(json_object_get(lg, "upstream.status"));
	const char *upa = json_string_value(json_object_get(lg, "upstream.addr"));
	const char *prod = json_string_value(json_object_get(lg, "producer"));
	json_t *line = json_object_get(lg, "line");
	int any = 0;
	report_md_text(out, prod ? prod : "log", 40);
	if (json_is_integer(line))
		fprintf(out, " line %lld", (long long)json_integer_value(line));
	fputs(": ", out);
	if (msg) {
		fputs("\"", out);
		report_md_text(out, msg, 200);
		fputs("\"", out);
		any = 1;
	}
	if (status > 0) {
		fprintf(out, "%sstatus %d", any ? " · " : "", status);
		any = 1;
	}
	if (code) {
		fputs(any ? " · code " : "code ", out);
		report_md_text(out, code, 80);
		any = 1;
	}
	if (flags) {
		fputs(any ? " · flags " : "flags ", out);
		report_md_text(out, flags, 40);
		any = 1;
	}
	if (ups || upa) {
		fputs(any ? " · upstream " : "upstream ", out);
		if (upa)
			report_md_text(out, upa, 120);
		if (ups) {
			fputs(upa ? " answered " : "answered ", out);
			report_md_text(out, ups, 40);
		}
	}
	json_decref(root);
}

int log_any_records(sqlite3 *db, const struct report_opts *o)
{
	sqlite3_stmt *s = NULL;
	int any = 0;
	if (report_prepare_scoped(db, "SELECT 1 FROM exchanges e JOIN sources s ON s.id = e.source_id WHERE"
				  TICKET_FILTER "AND e.kind = 'log' LIMIT 1", o, &s) != SQLITE_OK)
		return 0;
	report_bind_ticket(s, o);
	any = sqlite3_step(s) == SQLITE_ROW;
	report_release(s);
	return any;
}

json_t *log_join_json(sqlite3 *db, long long ex_id)
{
	sqlite3_stmt *s = NULL;
	json_t *list = json_array();
	static const char *const keys[] = { "producer", "message", "code", "flags", "upstream.status",
					    "upstream.addr", "request_id", NULL };
	if (sqlite3_prepare_v2(db, sql_logs_of, -1, &s, NULL) != SQLITE_OK)
		return list;
	sqlite3_bind_int64(s, 1, ex_id);
	sqlite3_bind_int(s, 2, JOIN_WINDOW_S);
	sqlite3_bind_int(s, 3, JOIN_SHOWN);
	while (sqlite3_step(s) == SQLITE_ROW) {
		json_t *o = json_object();
		json_t *root = col(s, 2) ? json_loads(col(s, 2), 0, NULL) : NULL;
		json_t *lg = json_object_get(root, "log");
		json_object_set_new(o, "source", json_string(col(s, 1) ? col(s, 1) : ""));
		if (json_object_get(lg, "line"))
			json_object_set(o, "line", json_object_get(lg, "line"));
		json_object_set_new(o, "started_at", col(s, 4) ? json_string(col(s, 4)) : json_null());
		json_object_set_new(o, "status", sqlite3_column_type(s, 3) == SQLITE_NULL ? json_null() :
						 json_integer(sqlite3_column_int(s, 3)));
		for (int i = 0; keys[i]; i++) {
			json_t *v = json_object_get(lg, keys[i]);
			if (json_is_string(v))
				json_object_set(o, keys[i], v);
		}
		json_object_set_new(o, "joined_by", json_string(sqlite3_column_int(s, 5) == 0 ? "request_id" :
										      "method, path, status and time"));
		json_decref(root);
		json_array_append_new(list, o);
	}
	sqlite3_finalize(s);
	return list;
}

int log_join_md(FILE *out, sqlite3 *db, long long ex_id)
{
	sqlite3_stmt *s = NULL;
	int shown = 0;
	if (sqlite3_prepare_v2(db, sql_logs_of, -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, ex_id);
	sqlite3_bind_int(s, 2, JOIN_WINDOW_S);
	sqlite3_bind_int(s, 3, JOIN_SHOWN);
	while (sqlite3_step(s) == SQLITE_ROW) {
		fputs("| The server saw | ", out);
		say_record(out, col(s, 2), sqlite3_column_type(s, 3) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 3));
		fputs(" (`", out);
		report_md_text(out, col(s, 1), 200);
		fputs("`", out);
		if (col(s, 4)) {
			fputs(" at ", out);
			report_md_text(out, col(s, 4), 40);
			log_zone_note(out, col(s, 4));
		}
		fputs(sqlite3_column_int(s, 5) == 0 ? "; same request ID)" : "; same request within "
			  "seconds)", out);
		fputs(" |\n", out);
		shown++;
	}
	sqlite3_finalize(s);
	if (shown || sqlite3_prepare_v2(db, sql_captures_of, -1, &s, NULL) != SQLITE_OK)
		return shown;
	sqlite3_bind_int64(s, 1, ex_id);
	sqlite3_bind_int(s, 2, JOIN_WINDOW_S);
	sqlite3_bind_int(s, 3, JOIN_SHOWN);
	while (sqlite3_step(s) == SQLITE_ROW) {
		fputs("| The customer saw | `", out);
		report_md_text(out, col(s, 3) ? col(s, 3) : "?", 20);
		fputs(" ", out);
		report_md_text(out, col(s, 4) ? col(s, 4) : "?", 200);
		fputs("` ", out);
		if (sqlite3_column_type(s, 5) == SQLITE_NULL)
			fputs("status unknown", out);
		else if (sqlite3_column_int(s, 5) == 0)
			fputs("no response", out);
		else
			fprintf(out, "%d", sqlite3_column_int(s, 5));
		if (col(s, 6)) {
			fputs(" (", out);
			report_md_text(out, col(s, 6), 120);
			fputs(")", out);
		}
		fputs(" in `", out);
		report_md_text(out, col(s, 1), 200);
		fprintf(out, "` exchange %lld%s |\n", (long long)sqlite3_column_int64(s, 2),
			sqlite3_column_int(s, 7) == 0 ? "; same request ID" : "; same request within seconds");
		shown++;
	}
	sqlite3_finalize(s);
	return shown;
}
