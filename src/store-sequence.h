/* store-sequence.h - read a ticket's exchanges as a sequence, after
 * matching: a part of the store (it owns the derived `sequence` table, as
 * store.c owns the others); the pipeline calls it through
 * store_sequence_apply() of store.h.
 *
 * sequence_apply() runs once the rules have written their findings (match
 * calls it in the same transaction) and fills the `sequence` table of
 * data/schema.sql:
 *
 * - events: exchanges of one ticket that are the same request seen in
 *   several attachments (same unique request-ID header value, or same
 *   method, URL and status within a second in different sources) share
 *   an event_id, the id of the copy the report shows;
 * - recovery: a failure (status 0 or >= 400, or a finding above info)
 *   followed later by a success (2xx or 304 without a finding) of the same
 *   request (method and URL without volatile query parameters) is
 *   recovered: recovered_by names the success, recovery says what changed
 *   in between (a token refresh, a completed login, a new credential, a
 *   plain retry), and its findings count as info;
 * - demotions: findings on a collection's saved example (never a run) are
 *   info unless a non-example exchange of the ticket has the same rule's
 *   finding; findings on a request the browser itself blocked
 *   (ERR_BLOCKED_BY_CLIENT and the like) are at most low unless the
 *   blocked URL is the page or a same-site XHR/fetch; a CONNECT tunnel the
 *   proxy did not decrypt (status -1/0, Charles) is no failure at all.
 *
 * The rules' own severity stays in the rules table; findings.severity
 * holds the severity the sequence left.  Only exchanges with something to
 * say get a row.
 */
#ifndef HARTRIAGE_STORE_SEQUENCE_H
#define HARTRIAGE_STORE_SEQUENCE_H

#include <sqlite3.h>
#include <stddef.h>

struct sequence_stats {
	long events;      /* events seen in more than one exchange */
	long recovered;   /* failures followed by a success of the same request */
	long examples;    /* saved-example exchanges whose findings were capped */
	long blocked;     /* client-side blocks capped at low */
	long tunnels;     /* undecrypted CONNECT tunnels */
};

/* Rebuild the sequence table from the stored exchanges and findings.
 * Runs inside the caller's transaction.  Returns 0, or -1 with err
 * filled. */
int sequence_apply(sqlite3 *db, struct sequence_stats *stats, char *err, size_t errlen);

/* The request key of one exchange: "METHOD URL" with the fragment and
 * the volatile query parameters (cache busters, nonces, timestamps,
 * tokens, signatures) removed and the host lowercased.  Malloc'd, or
 * NULL when url is NULL. */
char *sequence_request_key(const char *method, const char *url);

/* 1 when the error text is a block by the client itself (browser
 * extension, enterprise policy, tracking protection), else 0. */
int sequence_client_block(const char *error);

#endif
