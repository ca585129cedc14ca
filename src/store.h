/* store.h - the SQLite store: sources, exchanges, headers, transcript
 * lines, notes, rules and findings (data/schema.sql).
 *
 * The store owns its connection and prepared statements.  Importers never
 * see it: cmd-import feeds it through an import_sink.  Each source is one
 * transaction; a source that fails is rolled back and recorded alone,
 * with its error, so it leaves no partial rows.
 */
#ifndef HARTRIAGE_STORE_H
#define HARTRIAGE_STORE_H

#include <signal.h>
#include <sqlite3.h>
#include "exchange.h"
#include "import.h"

struct store;

/* Open (creating when missing) the database at path, or an in-memory one
 * when path is NULL.  Returns NULL with err filled on failure.  A writer
 * that finds another process holding the write lock waits for it. */
struct store *store_open(const char *path, char *err, size_t errlen);

/* How a writer waits when another process holds the database's write
 * lock (--db files are in WAL mode: readers never wait).  By default it
 * waits as long as it takes and calls on_wait once, after about a second
 * of waiting, so that a terminal can say so.  With no_wait it fails at
 * once and store_locked() says why.  When *interrupted becomes non-zero
 * (a signal) it stops waiting and fails. */
struct store_wait {
	int no_wait;
	void (*on_wait)(void *ctx, const char *path);
	void *ctx;
	volatile sig_atomic_t *interrupted;
};
struct store *store_open_wait(const char *path, const struct store_wait *w, char *err,
			      size_t errlen);
/* 1 when the store failed because another process held the write lock
 * and no_wait was set. */
int store_locked(const struct store *st);
void store_free(struct store *st);
/* The raw connection, for report queries only (report*.c): every write
 * and every other query goes through the functions below.  Owned by the
 * store. */
sqlite3 *store_db(struct store *st);
/* Last SQLite error text. */
const char *store_errmsg(struct store *st);
/* 1 when the store holds at least one source, 0 when none, -1 on error. */
int store_has_sources(struct store *st);

struct source_info {
	const char *path;     /* as given on the command line / archive!member */
	const char *ticket;   /* ticket name, or NULL */
	const char *format;   /* capture_format_name(), filled in at the end */
};

/* Begin a source: opens the transaction.  *id receives its rowid. */
int store_source_begin(struct store *st, const struct source_info *si, long long *id);
/* Finish: commit with status/message/format/sha256/size, or (commit == 0)
 * roll back every row of the source and record it alone with its error. */
int store_source_end(struct store *st, long long id, const struct source_info *si,
		     const struct import_result *res, const char *sha256,
		     unsigned long long size, int commit);
/* Record a source that could not even be opened (no transaction). */
int store_source_failed(struct store *st, const struct source_info *si, const char *error);
/* Rowid of a source already stored with this sha256, or 0. */
long long store_source_by_sha(struct store *st, const char *sha256);
/* A source whose data failed while it was being read after its import
 * ended: record msg as its error.  id > 0 names the committed source
 * (status becomes partial when it kept exchanges, else error); id == 0
 * names the last source stored with this path (status error). */
int store_source_set_error(struct store *st, long long id, const char *path, const char *msg);
/* The display path of source id, malloc'd, or NULL. */
char *store_source_path(struct store *st, long long id);

/* Sources that could not be (fully) read, in the order they were stored:
 * fn(ctx, path, status, error) for each ("error" or "partial"; error may
 * be NULL).  Returns 0 or -1. */
typedef void (*store_source_fn)(void *ctx, const char *path, const char *status,
				const char *error);
int store_each_unreadable(struct store *st, store_source_fn fn, void *ctx);
/* Number of unreadable (error or partial) sources of ticket (NULL: all),
 * or -1 on error. */
long store_count_unreadable(struct store *st, const char *ticket);
/* Row counts the command line checks before it reports: the sources or
 * exchanges of ticket (NULL: all), its sources that are not captures, the rules of the last match run (0:
 * the rules never ran).  Returns the count, or -1 on error. */
enum store_count_what { STORE_COUNT_SOURCES, STORE_COUNT_NOT_CAPTURE, STORE_COUNT_EXCHANGES,
			   STORE_COUNT_RULES, STORE_COUNT_FINDINGS };
long store_count(struct store *st, enum store_count_what what, const char *ticket);
/* Severities of the conclusive findings of ticket (NULL: all), except
 * context fingerprints (rule priority <= 5): fn(ctx, severity) for each
 * until it returns non-zero.  Returns 0 or -1. */
int store_each_finding_severity(struct store *st, const char *ticket,
				int (*fn)(void *ctx, const char *severity), void *ctx);

/* Copy the database files paths[0..n-1] into st (store-merge.c: SQLite
 * ATTACH, one input at a time).  Each input must be a hartriage database
 * of this schema version, and inputs redacted with a --key-file must
 * share its key id (meta redact_key_id).  Sources whose sha256 st held
 * before the call are skipped unless STORE_MERGE_FORCE.  The merged rows
 * get new ids after st's, in ticket order (ticket name, then input, then
 * the input's own order), so the result does not depend on which input
 * held which ticket nor on the order of paths.  Unless
 * STORE_MERGE_SOURCES_ONLY, findings come along when every database that
 * brings sources (st included) ran the same rules, and the sequence pass
 * runs again over the whole store, as 'match' would; else every finding
 * is dropped (res->findings says which, why_no_findings why).  With
 * STORE_MERGE_SOURCES_ONLY (the --jobs workers' databases) findings are
 * neither copied nor touched.  With STORE_MERGE_NO_SEQUENCE, kept
 * findings are not read as a sequence: the caller runs the pass (the
 * --jobs parent, once its deferred indexes exist).  Each input is copied in its own
 * transaction.  res may be NULL.  Returns 0 or -1 (err filled). */
enum { STORE_MERGE_FORCE = 1, STORE_MERGE_SOURCES_ONLY = 2, STORE_MERGE_NO_SEQUENCE = 4 };
enum { STORE_MERGE_FINDINGS_NONE, STORE_MERGE_FINDINGS_KEPT, STORE_MERGE_FINDINGS_DROPPED };
struct store_merge_result {
	long *merged;           /* per input: sources copied */
	long *skipped;          /* per input: sources skipped (sha256 already held) */
	int findings;           /* STORE_MERGE_FINDINGS_* */
	int keep_secrets;       /* an input stored raw credentials (--keep-secrets) */
	char why_no_findings[512];
};
int store_merge_dbs(struct store *st, const char *const *paths, size_t n, int flags,
		    struct store_merge_result *res, char *err, size_t errlen);
void store_merge_result_release(struct store_merge_result *res);

/* Let st's page cache hold at most kib KiB (the store opens with 16 MiB).
 * Returns 0 or -1 (store_errmsg). */
int store_set_cache(struct store *st, long kib);

/* Free what st's page cache holds (it fills again as pages are read), for
 * a process about to wait or fork. */
void store_release_memory(struct store *st);

/* Write a copy of st's database to the new file path (SQLite's backup
 * API), for other processes to read.  Returns 0 or -1 (store_errmsg). */
int store_snapshot(struct store *st, const char *path);

/* Open a database no process writes to any more (a store_snapshot() copy)
 * read-only and immutable: no locks, no journal.  NULL with err filled on
 * failure. */
struct store *store_open_snapshot(const char *path, char *err, size_t errlen);

/* Store one exchange of the open source; *ex_id receives its rowid. */
int store_add_exchange(struct store *st, long long source_id,
		       const struct exchange *ex, long long *ex_id);
/* Store a coverage note (seq -1: about the whole source). */
int store_add_note(struct store *st, long long source_id, long seq,
		   const char *kind, const char *msg);
/* Add n to the redaction receipt for (source, kind). */
int store_add_redactions(struct store *st, long long source_id, const char *kind, long n);

/* Call fn for every stored exchange in (source, seq) order, fully loaded.
 * The exchange is released after fn returns.  fn returns 0 to go on. */
typedef int (*store_exchange_fn)(void *ctx, long long ex_id, long long source_id,
				 struct exchange *ex);
int store_foreach_exchange(struct store *st, store_exchange_fn fn, void *ctx);

/* Bulk loads into a new database (analyze's private one, a --jobs
 * worker's): store_defer_indexes() drops the secondary indexes while the
 * store holds no source, store_index() creates them again once the rows
 * are in (building an index at the end is cheaper than keeping it up to
 * date row by row).  Foreign keys are not checked in between.  Both
 * return 0 or -1. */
int store_defer_indexes(struct store *st);
int store_index(struct store *st);

/* Findings. */
int store_clear_findings(struct store *st);
int store_begin(struct store *st);
int store_commit(struct store *st);
int store_rollback(struct store *st);
int store_add_rule(struct store *st, const char *id, const char *title,
		   const char *severity, int priority, const char *vendor, const char *path);
/* evidence_json: a JSON object {name: value}; inconclusive: 1 when a
 * match limit was hit (the rule neither matched nor failed). */
int store_add_finding(struct store *st, long long ex_id, const char *rule_id,
		      const char *severity, const char *title, const char *evidence_json,
		      const char *advice, int inconclusive);

/* Meta key/value.  store_add_meta() keeps a value already there. */
int store_set_meta(struct store *st, const char *key, const char *value);
int store_add_meta(struct store *st, const char *key, const char *value);
char *store_get_meta(struct store *st, const char *key);

/* Rebuild the derived `sequence` table (events seen in several
 * attachments, recovered failures, demoted findings) from the stored
 * exchanges and findings, inside the caller's transaction
 * (store-sequence.c).  Returns 0, or -1 with err filled. */
int store_sequence_apply(struct store *st, char *err, size_t errlen);

/* The schema version this hartriage writes (meta schema_version). */
const char *store_schema_version(void);
/* The SQLite library's version string. */
const char *store_sqlite_version(void);

#endif
