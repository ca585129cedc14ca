/* report-unmatched.h - failed exchanges that no rule names (issue
 * "Diagnosis coverage": every failure accounted for).
 *
 * A failed exchange is one with status 0 (no response) or >= 400, or a
 * fragment or log record with an error and no known status.  When no
 * finding of a failure rule (priority above 5; informational fingerprints
 * do not count) names it, the report still lists it: Markdown section
 * "Other failed requests" grouped by host and status, its request IDs in
 * the escalation table, and the JSON "unmatched" list.  This module reads
 * them from the store and pulls the error message, type and code out of
 * the response body; the writers print them.
 */
#ifndef HARTRIAGE_REPORT_UNMATCHED_H
#define HARTRIAGE_REPORT_UNMATCHED_H

#include <sqlite3.h>
#include <stddef.h>
#include "report-util.h"

#define UNMATCHED_KEEP 500   /* exchanges listed one by one (the rest only counted) */
#define UNMATCHED_GROUPS 100 /* host/status groups listed (the rest summed up) */
#define UNMATCHED_TEXT 300   /* bytes of a message, type or code kept */

/* One failed exchange no rule names.  Strings are malloc'd or NULL. */
struct unmatched_ex {
	long long id;          /* exchanges.id */
	char *source;          /* source path */
	long seq;              /* exchange index within the source */
	char *started_at, *method, *url, *host;
	int status;            /* -1 unknown, 0 no response, else HTTP status */
	char *status_text;
	char *error;           /* the client's or browser's error */
	char *message, *type, *code; /* from the response body, NULL when absent */
};

/* Failed exchanges of one host and status. */
struct unmatched_group {
	char *host;            /* NULL: the capture does not say */
	int status;            /* as in unmatched_ex */
	char *status_text;     /* of the first exchange */
	long count;
	char *first_at, *last_at; /* NULL when no exchange has a time */
	long long example;     /* exchanges.id of the first exchange */
	char *example_method, *example_url;
	char *errors;          /* up to three distinct error summaries, "; "-joined, or NULL */
};

struct unmatched {
	struct unmatched_ex *v;   /* the first UNMATCHED_KEEP, in group order */
	size_t n;
	struct unmatched_group *g;
	size_t ng;
	long total;               /* every unmatched failed exchange */
	long groups_total;        /* every host/status group */
};

/* Read the unmatched failed exchanges of the report's ticket (o->ticket,
 * NULL for all).  Returns 0, or -1 with err filled on a database error. */
int unmatched_load(sqlite3 *db, const struct report_opts *o, struct unmatched *u, char *err,
		   size_t errlen);
void unmatched_release(struct unmatched *u);

/* The error message, type and code a response body states, from the
 * common shapes: error.message / error.type / error.code, error as a
 * string with error_description (OAuth), errors[].message, message,
 * detail, title and type (RFC 7807 problem+json), XML <Code> and
 * <Message>.  Each out value is malloc'd or NULL.  Returns 1 when any was
 * found. */
int unmatched_body_error(const char *body, size_t len, char **message, char **type, char **code);

/* One line saying what went wrong on x: "message (type T, code C)", else
 * the client's error; malloc'd, or NULL when nothing is known. */
char *unmatched_summary(const struct unmatched_ex *x);

#endif
