/* report.h - reports from the database alone (Markdown and JSON).
 *
 * Reports read only the store, so they can be regenerated without the
 * inputs.  Output is deterministic for the same database: every query has
 * a stable ORDER BY and no clock is read.  Everything that came from a
 * capture is escaped (Markdown) or encoded (JSON).
 *
 * report.c dispatches to the writers (report-md.c, report-json.c), which
 * share report-util.c; none of them calls back into report.c.
 */
#ifndef HARTRIAGE_REPORT_H
#define HARTRIAGE_REPORT_H

#include <stdio.h>
#include "report-util.h"
#include "store.h"

/* Write one report; returns 0, or -1 with err filled on a database error. */
int report_write(struct store *st, FILE *out, const struct report_opts *o, char *err,
		 size_t errlen);

/* A writer for many reports from one store (--per-ticket): the queries
 * are prepared once and reused for every ticket.  o is copied; its ticket
 * is replaced by the one given to report_writer_write(). */
struct report_writer;
struct report_writer *report_writer_new(struct store *st, const struct report_opts *o, char *err,
					size_t errlen);
/* The report of one ticket ("" = sources without a ticket). */
int report_writer_write(struct report_writer *w, FILE *out, const char *ticket, char *err,
			size_t errlen);
void report_writer_free(struct report_writer *w);

/* The tickets of the store, sorted ("" for sources without one): a
 * malloc'd NULL-terminated array of *n malloc'd names (free it with
 * report_tickets_free), or NULL with err filled. */
char **report_tickets(struct store *st, size_t *n, char *err, size_t errlen);
void report_tickets_free(char **v);
/* A ticket name made safe as a file name (malloc'd). */
char *report_ticket_file_name(const char *ticket);
/* index.md of a --per-ticket run: one row per ticket, most severe first,
 * linking <ticket>.md (or .json with format REPORT_JSON), then the
 * attachments that could not be read.  Returns 0 or -1 (err filled). */
int report_write_index(struct store *st, FILE *out, enum report_format format, char *err,
		       size_t errlen);

#endif
