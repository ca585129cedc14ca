/* log-report.h - server log records in the Markdown report (log-report.c):
 * a finding's per-minute histogram and the other side of an example. */
#ifndef HARTRIAGE_LOG_REPORT_H
#define HARTRIAGE_LOG_REPORT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include "report-util.h"

/* The per-minute histogram of the log records rule matched (UTC; records
 * without a zone in a histogram of their own), when there are 3 or more.
 * Returns 0, or -1 when the query could not be prepared. */
int log_histogram_md(FILE *out, sqlite3 *db, const struct report_opts *o, const char *rule);
/* The same histograms for the JSON report: {rule: [{"zone": "UTC" or
 * "unknown", "bucket_minutes", "records", "buckets": [{"start", "count"}]}]},
 * empty when no rule matched 3 or more log records. */
json_t *log_histograms_json(sqlite3 *db, const struct report_opts *o);
/* Table rows "| The server saw | ... |" for the log records of the ticket
 * that join captured exchange ex_id, or "| The customer saw | ... |" for
 * the captures a log record ex_id joins.  Returns the rows written. */
int log_join_md(FILE *out, sqlite3 *db, long long ex_id);

/* The request ID a server log record gives, as "`request_id` `value`"
 * (log-int.h); returns 1 when printed, 0 when ex_id is no log record or
 * gives none. */
int log_request_id_md(FILE *out, sqlite3 *db, long long ex_id);
/* True when the report's tickets hold a server log record. */
int log_any_records(sqlite3 *db, const struct report_opts *o);
/* The JSON form of "The server saw": the log records joining captured
 * exchange ex_id, [{"source", "line", "started_at", "status", "producer",
 * "message", "code", "flags", "upstream.status", "upstream.addr",
 * "request_id", "joined_by"}] (empty when none). */
json_t *log_join_json(sqlite3 *db, long long ex_id);
/* After a time of the report: " (log time, zone unknown)" when the time is
 * a log's own without a zone (log-int.h), nothing for a UTC time. */
void log_zone_note(FILE *out, const char *time);

#endif
