/* store.c - the SQLite store (data/schema.sql).
 *
 * All statements are prepared once at open and reused.  Each source is
 * one transaction: store_source_begin() opens it, store_source_end()
 * commits or rolls back.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store.h"
#include "util.h"

#define SCHEMA_VERSION "2"

static const char schema_sql[] =
#include "schema.inc"
	;

enum stmt_id {
	S_SRC_INSERT,
	S_SRC_UPDATE,
	S_SRC_BY_SHA,
	S_EX_INSERT,
	S_HDR_INSERT,
	S_TR_INSERT,
	S_NOTE_INSERT,
	S_RED_ADD,
	S_EX_ALL,
	S_HDR_OF,
	S_TR_OF,
	S_RULE_INSERT,
	S_FINDING_INSERT,
	S_META_SET,
	S_META_GET,
	S_META_ADD,
	S_HAS_SOURCES,
	S_SRC_PATH,
	S_SRC_ERR_ID,
	S_SRC_ERR_PATH,
	S_UNREADABLE,
	S_COUNT_UNREADABLE,
	S_FINDING_SEV,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
	[S_SRC_INSERT] = "INSERT INTO sources(path, ticket, format, status) VALUES (?1, ?2, ?3, 'pending')",
	[S_SRC_UPDATE] = "UPDATE sources SET format = ?2, status = ?3, error = ?4, sha256 = ?5, "
			 "size = ?6, exchanges = ?7 WHERE id = ?1",
	[S_SRC_BY_SHA] = "SELECT id FROM sources WHERE sha256 = ?1 AND status IN ('ok', 'partial', 'not-capture') LIMIT 1",
	[S_EX_INSERT] =
		"INSERT INTO exchanges(source_id, seq, started_at, name, method, url, scheme, host, port, "
		"path, query, http_version, status, status_text, status_source, error, exit_code, "
		"redirect_of, req_body, req_body_size, req_body_truncated, req_mime, resp_body, "
		"resp_body_size, resp_body_truncated, resp_mime, time_total, time_blocked, time_dns, "
		"time_connect, time_ssl, time_send, time_wait, time_receive, extra, kind, url_source, "
		"host_source) VALUES "
		"(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
		"?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38)",
	[S_HDR_INSERT] = "INSERT INTO headers(exchange_id, side, idx, name, value) VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_TR_INSERT] = "INSERT INTO transcript(exchange_id, idx, line) VALUES (?1, ?2, ?3)",
	[S_NOTE_INSERT] = "INSERT INTO notes(source_id, seq, kind, message) VALUES (?1, ?2, ?3, ?4)",
	[S_RED_ADD] = "INSERT INTO redactions(source_id, kind, count) VALUES (?1, ?2, ?3) "
		      "ON CONFLICT(source_id, kind) DO UPDATE SET count = count + excluded.count",
	[S_EX_ALL] =
		"SELECT id, source_id, seq, started_at, name, method, url, scheme, host, port, path, "
		"query, http_version, status, status_text, status_source, error, exit_code, "
		"redirect_of, req_body, req_body_size, req_body_truncated, req_mime, resp_body, "
		"resp_body_size, resp_body_truncated, resp_mime, time_total, time_blocked, time_dns, "
		"time_connect, time_ssl, time_send, time_wait, time_receive, extra, kind, url_source, "
		"host_source FROM exchanges ORDER BY source_id, seq",
	[S_HDR_OF] = "SELECT side, name, value FROM headers WHERE exchange_id = ?1 ORDER BY side, idx",
	[S_TR_OF] = "SELECT line FROM transcript WHERE exchange_id = ?1 ORDER BY idx",
	[S_RULE_INSERT] = "INSERT OR REPLACE INTO rules(id, title, severity, priority, vendor, path) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_FINDING_INSERT] = "INSERT INTO findings(exchange_id, rule_id, severity, title, evidence, advice, "
			     "inconclusive) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_META_SET] = "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
	[S_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[S_META_ADD] = "INSERT OR IGNORE INTO meta(key, value) VALUES (?1, ?2)",
	[S_HAS_SOURCES] = "SELECT EXISTS (SELECT 1 FROM sources)",
	[S_SRC_PATH] = "SELECT path FROM sources WHERE id = ?1",
	[S_SRC_ERR_ID] = "UPDATE sources SET error = ?1, status = CASE WHEN exchanges > 0 THEN 'partial' "
			 "ELSE 'error' END WHERE id = ?2",
	[S_SRC_ERR_PATH] = "UPDATE sources SET error = ?1, status = 'error' WHERE id = (SELECT MAX(id) FROM "
			   "sources WHERE path = ?2)",
	[S_UNREADABLE] = "SELECT path, status, error FROM sources WHERE status IN ('error', 'partial') "
			 "ORDER BY id",
	[S_COUNT_UNREADABLE] = "SELECT COUNT(*) FROM sources WHERE status IN ('error', 'partial') AND "
			       "(?1 IS NULL OR ticket = ?1)",
	[S_FINDING_SEV] = "SELECT f.severity FROM findings f JOIN exchanges e ON e.id = f.exchange_id "
			  "JOIN sources s ON s.id = e.source_id LEFT JOIN rules r ON r.id = f.rule_id "
			  "WHERE f.inconclusive = 0 AND COALESCE(r.priority, 50) > 5 AND "
			  "(?1 IS NULL OR s.ticket = ?1)",
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[S_COUNT];
	char err[512];
	char *path;
	struct store_wait wait;
	int locked;                /* gave up on the write lock (no_wait) */
	int told;                  /* on_wait was called */
	struct timespec wait_start;
	struct strlist deferred;   /* CREATE INDEX statements left for store_index() */
	int fk_deferred;           /* foreign keys unchecked until store_index() */
};

/* SQLite's busy handler: another connection holds the lock.  Returns 1
 * to try again after a short sleep, 0 to give up (SQLITE_BUSY). */
static int on_busy(void *ctx, int count)
{
	struct store *st = ctx;
	struct timespec now, nap;
	if (st->wait.interrupted && *st->wait.interrupted)
		return 0;
	if (st->wait.no_wait) {
		st->locked = 1;
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (count == 0)
		st->wait_start = now;
	else if (!st->told && st->wait.on_wait && now.tv_sec - st->wait_start.tv_sec >= 1) {
		st->told = 1;
		st->wait.on_wait(st->wait.ctx, st->path ? st->path : "(temporary)");
	}
	nap.tv_sec = 0;
	nap.tv_nsec = count < 20 ? 5000000L : 50000000L;
	nanosleep(&nap, NULL);
	return 1;
}

static int exec(struct store *st, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(st->err, sizeof(st->err), "%s", msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

struct store *store_open(const char *path, char *err, size_t errlen)
{
	return store_open_wait(path, NULL, err, errlen);
}

int store_locked(const struct store *st)
{
	return st->locked;
}

/* Returns NULL and fills err when the database cannot be opened or set up. */
struct store *store_open_wait(const char *path, const struct store_wait *w, char *err,
			      size_t errlen)
{
	struct store *st = xcalloc(1, sizeof(*st));
	char *ver = NULL, *persist = NULL;
	int rc;

	if (w)
		st->wait = *w;
	st->path = path ? xstrdup(path) : NULL;
	/* Before SQLite's first use (later calls are refused, harmlessly): no
	 * memory statistics, which cost a global mutex on every allocation. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);

	/* No path: a private temporary database.  SQLite keeps it in memory
	 * and spills to a deleted temp file only when it outgrows the cache,
	 * so huge captures do not need their size in RAM. */
	rc = sqlite3_open_v2(path ? path : "", &st->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s", st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_handler(st->db, on_busy, st);
	/* 16 MiB of page cache.  SQLite's sorter (ORDER BY in the reports)
	 * takes as much again, so the two set the peak of a large capture:
	 * 20,000 entries peaked at 72.5 MB with 32 MiB and 48.7 MB with
	 * 16 MiB, for the same CPU (the same instructions; 8% more preads of
	 * the spilled private database, from the OS cache).  That was while
	 * CREATE INDEX after a bulk load sorted with this cache too;
	 * store_index() now gives it 2 MB. */
	if (exec(st, "PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384;") < 0)
		goto fail_st;
	/* Switching a new database to WAL needs it alone: while a second
	 * process opens the same new file, SQLite answers SQLITE_BUSY at once
	 * (no busy handler).  WAL is persistent, so once one of them has set
	 * it the other's pragma only reads it: wait a little and try again. */
	for (int tries = 0; path; tries++) {
		if (exec(st, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;") == 0)
			break;
		if (sqlite3_errcode(st->db) != SQLITE_BUSY || tries >= 400 ||
		    (st->wait.interrupted && *st->wait.interrupted))
			goto fail_st;
		if (st->wait.no_wait) {
			st->locked = 1;
			goto fail_st;
		}
		{
			struct timespec nap = {0, 25000000L}; /* 400 x 25 ms: 10 s */
			nanosleep(&nap, NULL);
		}
	}
	if (!path && exec(st, "PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF;") < 0)
		goto fail_st;
	if (exec(st, schema_sql) < 0)
		goto fail_st;
	for (int i = 0; i < S_COUNT; i++) {
		if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &st->stmt[i], NULL) != SQLITE_OK) {
			snprintf(st->err, sizeof(st->err), "%s", sqlite3_errmsg(st->db));
			goto fail_st;
		}
	}
	/* Write only what is missing: opening a database another process
	 * is writing to must not need its write lock. */
	ver = store_get_meta(st, "schema_version");
	if (!ver) {
		if (store_add_meta(st, "schema_version", SCHEMA_VERSION) < 0)
			goto fail_st;
		ver = store_get_meta(st, "schema_version");
	}
	if (!ver || strcmp(ver, SCHEMA_VERSION) != 0) {
		snprintf(st->err, sizeof(st->err), "database schema version %s, this hartriage writes %s",
			 ver ? ver : "unknown", SCHEMA_VERSION);
		goto fail_st;
	}
	if (path && !(persist = store_get_meta(st, "persistent")) &&
	    store_add_meta(st, "persistent", "1") < 0)
		goto fail_st;
	free(persist);
	free(ver);
	return st;

fail_st:
	snprintf(err, errlen, "%s", store_errmsg(st));
fail:
	free(persist);
	free(ver);
	store_free(st);
	return NULL;
}

struct store *store_open_snapshot(const char *path, char *err, size_t errlen)
{
	struct store *st = xcalloc(1, sizeof(*st));
	struct sbuf uri = SBUF_INIT;
	int rc;
	/* a URI: '?', '#' and '%' in the path are escaped */
	sbuf_adds(&uri, "file:");
	for (const char *p = path; *p; p++)
		if (*p == '?' || *p == '#' || *p == '%')
			sbuf_addf(&uri, "%%%02X", (unsigned char)*p);
		else
			sbuf_addc(&uri, *p);
	sbuf_adds(&uri, "?immutable=1");
	rc = sqlite3_open_v2(sbuf_str(&uri), &st->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	sbuf_release(&uri);
	st->path = xstrdup(path);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s", st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		store_free(st);
		return NULL;
	}
	if (exec(st, "PRAGMA cache_size = -16384;") < 0)
		goto fail;
	for (int i = 0; i < S_COUNT; i++)
		if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &st->stmt[i],
				       NULL) != SQLITE_OK) {
			snprintf(st->err, sizeof(st->err), "%s", sqlite3_errmsg(st->db));
			goto fail;
		}
	return st;
fail:
	snprintf(err, errlen, "%s", store_errmsg(st));
	store_free(st);
	return NULL;
}

void store_free(struct store *st)
{
	if (!st)
		return;
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	/* Closing the last connection checkpoints the WAL into the database
	 * and removes it. */
	sqlite3_close(st->db);
	strlist_release(&st->deferred);
	free(st->path);
	free(st);
}

sqlite3 *store_db(struct store *st)
{
	return st->db;
}

const char *store_errmsg(struct store *st)
{
	if (st->locked)
		return "another process is writing to the database";
	return st->err[0] ? st->err : sqlite3_errmsg(st->db);
}

/* Run a prepared statement that returns no rows, then reset it. */
static int step_done(struct store *st, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		snprintf(st->err, sizeof(st->err), "%s", sqlite3_errmsg(st->db));
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return -1;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return 0;
}

static void bind_str(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static void bind_real(sqlite3_stmt *s, int i, double v)
{
	if (v < 0)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_double(s, i, v);
}

static void bind_body(sqlite3_stmt *s, int i, const struct body *b)
{
	if (!b->data)
		sqlite3_bind_null(s, i);
	else if (utf8_valid(b->data, b->len))
		sqlite3_bind_text(s, i, b->data, (int)b->len, SQLITE_STATIC);
	else
		sqlite3_bind_blob(s, i, b->data, (int)b->len, SQLITE_STATIC);
}

/* Transactions take the write lock at once (IMMEDIATE): a writer that has
 * to wait does so before it reads anything, never with a stale snapshot. */
int store_begin(struct store *st)
{
	return exec(st, "BEGIN IMMEDIATE");
}

int store_commit(struct store *st)
{
	return exec(st, "COMMIT");
}

int store_rollback(struct store *st)
{
	return exec(st, "ROLLBACK");
}

int store_source_begin(struct store *st, const struct source_info *si, long long *id)
{
	sqlite3_stmt *s = st->stmt[S_SRC_INSERT];
	if (exec(st, "BEGIN IMMEDIATE") < 0)
		return -1;
	bind_str(s, 1, si->path);
	bind_str(s, 2, si->ticket);
	bind_str(s, 3, si->format);
	if (step_done(st, s) < 0) {
		exec(st, "ROLLBACK");
		return -1;
	}
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

static const char *status_name(enum import_status s)
{
	switch (s) {
	case IMPORT_OK: return "ok";
	case IMPORT_PARTIAL: return "partial";
	case IMPORT_ERROR: return "error";
	case IMPORT_NOT_CAPTURE: return "not-capture";
	}
	return "error";
}

static int update_source(struct store *st, long long id, const char *format, const char *status,
			 const char *error, const char *sha256, unsigned long long size, long n)
{
	sqlite3_stmt *s = st->stmt[S_SRC_UPDATE];
	sqlite3_bind_int64(s, 1, id);
	bind_str(s, 2, format);
	bind_str(s, 3, status);
	bind_str(s, 4, error && error[0] ? error : NULL);
	bind_str(s, 5, sha256);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)size);
	sqlite3_bind_int64(s, 7, n);
	return step_done(st, s);
}

int store_source_end(struct store *st, long long id, const struct source_info *si,
		     const struct import_result *res, const char *sha256,
		     unsigned long long size, int commit)
{
	const char *fmt = capture_format_name(res->format);
	if (commit) {
		if (update_source(st, id, fmt, status_name(res->status), res->message, sha256, size,
				  res->exchanges) < 0) {
			exec(st, "ROLLBACK");
			return -1;
		}
		return exec(st, "COMMIT");
	}
	/* Roll back every row of the source, then record it alone. */
	if (exec(st, "ROLLBACK") < 0)
		return -1;
	if (exec(st, "BEGIN IMMEDIATE") < 0)
		return -1;
	{
		sqlite3_stmt *s = st->stmt[S_SRC_INSERT];
		long long nid;
		bind_str(s, 1, si->path);
		bind_str(s, 2, si->ticket);
		bind_str(s, 3, fmt);
		if (step_done(st, s) < 0)
			goto fail;
		nid = sqlite3_last_insert_rowid(st->db);
		if (update_source(st, nid, fmt, status_name(res->status), res->message, sha256, size,
				  0) < 0)
			goto fail;
	}
	return exec(st, "COMMIT");
fail:
	exec(st, "ROLLBACK");
	return -1;
}

int store_source_failed(struct store *st, const struct source_info *si, const char *error)
{
	struct import_result res;
	long long id;
	memset(&res, 0, sizeof(res));
	res.status = IMPORT_ERROR;
	res.format = FMT_UNKNOWN;
	snprintf(res.message, sizeof(res.message), "%s", error);
	if (store_source_begin(st, si, &id) < 0)
		return -1;
	return store_source_end(st, id, si, &res, NULL, 0, 1);
}

long long store_source_by_sha(struct store *st, const char *sha256)
{
	sqlite3_stmt *s = st->stmt[S_SRC_BY_SHA];
	long long id = 0;
	bind_str(s, 1, sha256);
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return id;
}

static int add_headers(struct store *st, long long ex_id, const char *side,
		       const struct hdr_list *l)
{
	sqlite3_stmt *s = st->stmt[S_HDR_INSERT];
	for (size_t i = 0; i < l->n; i++) {
		sqlite3_bind_int64(s, 1, ex_id);
		bind_str(s, 2, side);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)i);
		bind_str(s, 4, l->v[i].name);
		bind_str(s, 5, l->v[i].value);
		if (step_done(st, s) < 0)
			return -1;
	}
	return 0;
}

int store_add_exchange(struct store *st, long long source_id, const struct exchange *ex,
		       long long *ex_id)
{
	sqlite3_stmt *s = st->stmt[S_EX_INSERT];
	long long id;

	sqlite3_bind_int64(s, 1, source_id);
	sqlite3_bind_int64(s, 2, ex->seq);
	bind_str(s, 3, ex->started_at);
	bind_str(s, 4, ex->name);
	bind_str(s, 5, ex->method);
	bind_str(s, 6, ex->url);
	bind_str(s, 7, ex->scheme);
	bind_str(s, 8, ex->host);
	if (ex->port >= 0)
		sqlite3_bind_int(s, 9, ex->port);
	bind_str(s, 10, ex->path);
	bind_str(s, 11, ex->query);
	bind_str(s, 12, ex->http_version);
	if (ex->status != STATUS_UNKNOWN)
		sqlite3_bind_int(s, 13, ex->status);
	bind_str(s, 14, ex->status_text);
	bind_str(s, 15, ex->status_source);
	bind_str(s, 16, ex->error);
	if (ex->exit_code >= 0)
		sqlite3_bind_int(s, 17, ex->exit_code);
	if (ex->redirect_of >= 0)
		sqlite3_bind_int64(s, 18, ex->redirect_of);
	bind_body(s, 19, &ex->req_body);
	if (ex->req_body.size >= 0)
		sqlite3_bind_int64(s, 20, ex->req_body.size);
	else if (ex->req_body.data)
		sqlite3_bind_int64(s, 20, (sqlite3_int64)ex->req_body.len);
	sqlite3_bind_int(s, 21, ex->req_body.truncated);
	bind_str(s, 22, ex->req_body.mime);
	bind_body(s, 23, &ex->resp_body);
	if (ex->resp_body.size >= 0)
		sqlite3_bind_int64(s, 24, ex->resp_body.size);
	else if (ex->resp_body.data)
		sqlite3_bind_int64(s, 24, (sqlite3_int64)ex->resp_body.len);
	sqlite3_bind_int(s, 25, ex->resp_body.truncated);
	bind_str(s, 26, ex->resp_body.mime);
	bind_real(s, 27, ex->timings.total);
	bind_real(s, 28, ex->timings.blocked);
	bind_real(s, 29, ex->timings.dns);
	bind_real(s, 30, ex->timings.connect);
	bind_real(s, 31, ex->timings.ssl);
	bind_real(s, 32, ex->timings.send);
	bind_real(s, 33, ex->timings.wait);
	bind_real(s, 34, ex->timings.receive);
	bind_str(s, 35, ex->extra);
	bind_str(s, 36, exchange_kind_name(ex->kind));
	bind_str(s, 37, ex->url_source);
	bind_str(s, 38, ex->host_source);
	if (step_done(st, s) < 0)
		return -1;
	id = sqlite3_last_insert_rowid(st->db);
	if (add_headers(st, id, "request", &ex->req_headers) < 0 ||
	    add_headers(st, id, "response", &ex->resp_headers) < 0)
		return -1;
	for (size_t i = 0; i < ex->transcript.n; i++) {
		sqlite3_stmt *t = st->stmt[S_TR_INSERT];
		sqlite3_bind_int64(t, 1, id);
		sqlite3_bind_int64(t, 2, (sqlite3_int64)i);
		bind_str(t, 3, ex->transcript.v[i]);
		if (step_done(st, t) < 0)
			return -1;
	}
	if (ex_id)
		*ex_id = id;
	return 0;
}

int store_add_note(struct store *st, long long source_id, long seq, const char *kind,
		   const char *msg)
{
	sqlite3_stmt *s = st->stmt[S_NOTE_INSERT];
	sqlite3_bind_int64(s, 1, source_id);
	if (seq >= 0)
		sqlite3_bind_int64(s, 2, seq);
	bind_str(s, 3, kind);
	bind_str(s, 4, msg);
	return step_done(st, s);
}

int store_add_redactions(struct store *st, long long source_id, const char *kind, long n)
{
	sqlite3_stmt *s = st->stmt[S_RED_ADD];
	if (n <= 0)
		return 0;
	sqlite3_bind_int64(s, 1, source_id);
	bind_str(s, 2, kind);
	sqlite3_bind_int64(s, 3, n);
	return step_done(st, s);
}

static char *col_str(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? xstrdup((const char *)t) : NULL;
}

static double col_real(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? -1 : sqlite3_column_double(s, i);
}

static void col_body(sqlite3_stmt *s, int i, struct body *b)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return;
	{
		const void *p = sqlite3_column_blob(s, i);
		int n = sqlite3_column_bytes(s, i);
		body_set(b, p ? p : "", (size_t)n);
	}
}

/* Load headers and transcript of one exchange. */
static int load_children(struct store *st, long long id, struct exchange *ex)
{
	sqlite3_stmt *h = st->stmt[S_HDR_OF], *t = st->stmt[S_TR_OF];
	int rc;
	sqlite3_bind_int64(h, 1, id);
	while ((rc = sqlite3_step(h)) == SQLITE_ROW) {
		const char *side = (const char *)sqlite3_column_text(h, 0);
		struct hdr_list *l = side && side[1] == 'e' && side[2] == 's' ? &ex->resp_headers
									   : &ex->req_headers;
		hdr_list_adds(l, (const char *)sqlite3_column_text(h, 1),
			      (const char *)sqlite3_column_text(h, 2));
	}
	sqlite3_reset(h);
	if (rc != SQLITE_DONE)
		return -1;
	sqlite3_bind_int64(t, 1, id);
	while ((rc = sqlite3_step(t)) == SQLITE_ROW)
		strlist_adds(&ex->transcript, (const char *)sqlite3_column_text(t, 0));
	sqlite3_reset(t);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The exchange kind stored as text. */
static int col_kind(sqlite3_stmt *s, int i)
{
	const unsigned char *k = sqlite3_column_text(s, i);
	if (k && !strcmp((const char *)k, "fragment"))
		return EXCHANGE_FRAGMENT;
	if (k && !strcmp((const char *)k, "log"))
		return EXCHANGE_LOG;
	return EXCHANGE_CAPTURE;
}

int store_foreach_exchange(struct store *st, store_exchange_fn fn, void *ctx)
{
	sqlite3_stmt *s = NULL;
	int rc, ret = 0;

	/* A private statement: fn may use the store's other statements. */
	if (sqlite3_prepare_v2(st->db, stmt_sql[S_EX_ALL], -1, &s, NULL) != SQLITE_OK) {
		snprintf(st->err, sizeof(st->err), "%s", sqlite3_errmsg(st->db));
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct exchange ex;
		long long id = sqlite3_column_int64(s, 0), src = sqlite3_column_int64(s, 1);
		exchange_init(&ex);
		ex.seq = (long)sqlite3_column_int64(s, 2);
		ex.started_at = col_str(s, 3);
		ex.name = col_str(s, 4);
		ex.method = col_str(s, 5);
		ex.url = col_str(s, 6);
		ex.scheme = col_str(s, 7);
		ex.host = col_str(s, 8);
		ex.port = sqlite3_column_type(s, 9) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 9);
		ex.path = col_str(s, 10);
		ex.query = col_str(s, 11);
		ex.http_version = col_str(s, 12);
		ex.status = sqlite3_column_type(s, 13) == SQLITE_NULL ? STATUS_UNKNOWN
								       : sqlite3_column_int(s, 13);
		ex.status_text = col_str(s, 14);
		ex.status_source = col_str(s, 15);
		ex.error = col_str(s, 16);
		ex.exit_code = sqlite3_column_type(s, 17) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 17);
		ex.redirect_of = sqlite3_column_type(s, 18) == SQLITE_NULL ? -1 : (long)sqlite3_column_int64(s, 18);
		col_body(s, 19, &ex.req_body);
		ex.req_body.size = sqlite3_column_type(s, 20) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 20);
		ex.req_body.truncated = sqlite3_column_int(s, 21);
		ex.req_body.mime = col_str(s, 22);
		col_body(s, 23, &ex.resp_body);
		ex.resp_body.size = sqlite3_column_type(s, 24) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 24);
		ex.resp_body.truncated = sqlite3_column_int(s, 25);
		ex.resp_body.mime = col_str(s, 26);
		ex.timings.total = col_real(s, 27);
		ex.timings.blocked = col_real(s, 28);
		ex.timings.dns = col_real(s, 29);
		ex.timings.connect = col_real(s, 30);
		ex.timings.ssl = col_real(s, 31);
		ex.timings.send = col_real(s, 32);
		ex.timings.wait = col_real(s, 33);
		ex.timings.receive = col_real(s, 34);
		ex.extra = col_str(s, 35);
		ex.kind = col_kind(s, 36);
		ex.url_source = col_str(s, 37);
		ex.host_source = col_str(s, 38);
		if (load_children(st, id, &ex) < 0) {
			exchange_release(&ex);
			ret = -1;
			break;
		}
		ret = fn(ctx, id, src, &ex);
		exchange_release(&ex);
		if (ret)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		snprintf(st->err, sizeof(st->err), "%s", sqlite3_errmsg(st->db));
		ret = -1;
	}
	sqlite3_finalize(s);
	return ret;
}

int store_clear_findings(struct store *st)
{
	return exec(st, "DELETE FROM findings; DELETE FROM rules;");
}

int store_add_rule(struct store *st, const char *id, const char *title, const char *severity,
		   int priority, const char *vendor, const char *path)
{
	sqlite3_stmt *s = st->stmt[S_RULE_INSERT];
	bind_str(s, 1, id);
	bind_str(s, 2, title);
	bind_str(s, 3, severity);
	sqlite3_bind_int(s, 4, priority);
	bind_str(s, 5, vendor);
	bind_str(s, 6, path);
	return step_done(st, s);
}

int store_add_finding(struct store *st, long long ex_id, const char *rule_id,
		      const char *severity, const char *title, const char *evidence_json,
		      const char *advice, int inconclusive)
{
	sqlite3_stmt *s = st->stmt[S_FINDING_INSERT];
	sqlite3_bind_int64(s, 1, ex_id);
	bind_str(s, 2, rule_id);
	bind_str(s, 3, severity);
	bind_str(s, 4, title);
	bind_str(s, 5, evidence_json);
	bind_str(s, 6, advice);
	sqlite3_bind_int(s, 7, inconclusive);
	return step_done(st, s);
}

int store_set_meta(struct store *st, const char *key, const char *value)
{
	sqlite3_stmt *s = st->stmt[S_META_SET];
	bind_str(s, 1, key);
	bind_str(s, 2, value);
	return step_done(st, s);
}

int store_add_meta(struct store *st, const char *key, const char *value)
{
	sqlite3_stmt *s = st->stmt[S_META_ADD];
	bind_str(s, 1, key);
	bind_str(s, 2, value);
	return step_done(st, s);
}

char *store_get_meta(struct store *st, const char *key)
{
	sqlite3_stmt *s = st->stmt[S_META_GET];
	char *v = NULL;
	bind_str(s, 1, key);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = col_str(s, 0);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return v;
}

/* Fill st->err from the connection and reset s; returns -1. */
static int stmt_fail(struct store *st, sqlite3_stmt *s)
{
	snprintf(st->err, sizeof(st->err), "%s", sqlite3_errmsg(st->db));
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return -1;
}

int store_has_sources(struct store *st)
{
	sqlite3_stmt *s = st->stmt[S_HAS_SOURCES];
	int rc = sqlite3_step(s), v;
	if (rc != SQLITE_ROW)
		return stmt_fail(st, s);
	v = sqlite3_column_int(s, 0) != 0;
	sqlite3_reset(s);
	return v;
}

int store_source_set_error(struct store *st, long long id, const char *path, const char *msg)
{
	sqlite3_stmt *s = st->stmt[id > 0 ? S_SRC_ERR_ID : S_SRC_ERR_PATH];
	bind_str(s, 1, msg);
	if (id > 0)
		sqlite3_bind_int64(s, 2, id);
	else
		bind_str(s, 2, path);
	return step_done(st, s);
}

char *store_source_path(struct store *st, long long id)
{
	sqlite3_stmt *s = st->stmt[S_SRC_PATH];
	char *v = NULL;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = col_str(s, 0);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return v;
}

int store_each_unreadable(struct store *st, store_source_fn fn, void *ctx)
{
	sqlite3_stmt *s = st->stmt[S_UNREADABLE];
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(ctx, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
		   (const char *)sqlite3_column_text(s, 2));
	if (rc != SQLITE_DONE)
		return stmt_fail(st, s);
	sqlite3_reset(s);
	return 0;
}

long store_count_unreadable(struct store *st, const char *ticket)
{
	sqlite3_stmt *s = st->stmt[S_COUNT_UNREADABLE];
	long n;
	bind_str(s, 1, ticket);
	if (sqlite3_step(s) != SQLITE_ROW)
		return stmt_fail(st, s);
	n = (long)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return n;
}

long store_count(struct store *st, enum store_count_what what, const char *ticket)
{
	static const char *const sql[] = {
		[STORE_COUNT_SOURCES] = "SELECT COUNT(*) FROM sources WHERE ?1 IS NULL OR ticket = ?1",
		[STORE_COUNT_NOT_CAPTURE] = "SELECT COUNT(*) FROM sources WHERE status = 'not-capture' "
					    "AND (?1 IS NULL OR ticket = ?1)",
		[STORE_COUNT_EXCHANGES] = "SELECT COUNT(*) FROM exchanges e JOIN sources s ON s.id = "
					  "e.source_id WHERE ?1 IS NULL OR s.ticket = ?1",
		[STORE_COUNT_RULES] = "SELECT COUNT(*) FROM rules WHERE ?1 IS NULL OR ?1 IS NOT NULL",
		[STORE_COUNT_FINDINGS] = "SELECT COUNT(*) FROM findings f JOIN exchanges e ON e.id = "
					 "f.exchange_id JOIN sources s ON s.id = e.source_id "
					 "WHERE ?1 IS NULL OR s.ticket = ?1",
	};
	sqlite3_stmt *s = NULL;
	long n = -1;

	if (sqlite3_prepare_v2(st->db, sql[what], -1, &s, NULL) != SQLITE_OK)
		goto out;
	bind_str(s, 1, ticket);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(s, 0);
out:
	sqlite3_finalize(s);
	return n;
}

int store_each_finding_severity(struct store *st, const char *ticket,
				int (*fn)(void *ctx, const char *severity), void *ctx)
{
	sqlite3_stmt *s = st->stmt[S_FINDING_SEV];
	int rc;
	bind_str(s, 1, ticket);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn(ctx, (const char *)sqlite3_column_text(s, 0)))
			break;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return stmt_fail(st, s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return 0;
}

int store_set_cache(struct store *st, long kib)
{
	char sql[64];
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%ld", kib);
	return exec(st, sql);
}

void store_release_memory(struct store *st)
{
	/* a private database keeps changed pages in the cache until it
	 * spills: written out to its temporary file, they can go too */
	sqlite3_db_cacheflush(st->db);
	sqlite3_db_release_memory(st->db);
}

int store_snapshot(struct store *st, const char *path)
{
	/* The backup API copies pages as they are: unlike VACUUM INTO it
	 * rebuilds no index, so it needs neither a sorter nor CPU for that. */
	sqlite3 *to = NULL;
	sqlite3_backup *b;
	int rc = sqlite3_open_v2(path, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK) {
		b = sqlite3_backup_init(to, "main", st->db, "main");
		if (b) {
			sqlite3_backup_step(b, -1);
			sqlite3_backup_finish(b);
		}
		rc = sqlite3_errcode(to);
	}
	if (rc != SQLITE_OK)
		snprintf(st->err, sizeof(st->err), "%s",
			 to ? sqlite3_errmsg(to) : sqlite3_errstr(rc));
	sqlite3_close(to);
	return rc == SQLITE_OK ? 0 : -1;
}

int store_defer_indexes(struct store *st)
{
	sqlite3_stmt *s = NULL;
	struct strlist names = {0};
	int rc, ret = 0;

	if (store_has_sources(st) != 0 || st->deferred.n)
		return 0;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
			       "ORDER BY name",
			       -1, &s, NULL) != SQLITE_OK) {
		snprintf(st->err, sizeof(st->err), "%s", sqlite3_errmsg(st->db));
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		strlist_adds(&names, (const char *)sqlite3_column_text(s, 0));
		strlist_adds(&st->deferred, (const char *)sqlite3_column_text(s, 1));
	}
	sqlite3_finalize(s);
	for (size_t i = 0; ret == 0 && i < names.n; i++) {
		char *q = sqlite3_mprintf("DROP INDEX \"%w\"", names.v[i]);
		ret = exec(st, q);
		sqlite3_free(q);
	}
	strlist_release(&names);
	/* Nothing is deleted from a new database during the load, and every
	 * row refers to one written just before it: checking each reference
	 * (a B-tree search per header row) buys nothing there. */
	if (ret == 0 && (ret = exec(st, "PRAGMA foreign_keys = OFF")) == 0)
		st->fk_deferred = 1;
	return ret;
}

int store_index(struct store *st)
{
	sqlite3_stmt *s = NULL;
	char *was = NULL;
	int ret = 0;
	/* SQLite's sorter may take as much memory as the page cache is
	 * allowed: the indexes are built with SQLite's default cache (a
	 * sorter of 2 MB, spilling to temporary files past that), which
	 * also gives back what the load left in the cache */
	if (st->deferred.n &&
	    sqlite3_prepare_v2(st->db, "PRAGMA cache_size", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW) {
		was = sqlite3_mprintf("PRAGMA cache_size = %lld", sqlite3_column_int64(s, 0));
		ret = exec(st, "PRAGMA cache_size = -2000");
	}
	sqlite3_finalize(s);
	for (size_t i = 0; ret == 0 && i < st->deferred.n; i++)
		ret = exec(st, st->deferred.v[i]);
	if (was && exec(st, was) < 0)
		ret = -1;
	sqlite3_free(was);
	if (ret == 0)
		strlist_release(&st->deferred);
	if (ret == 0 && st->fk_deferred && (ret = exec(st, "PRAGMA foreign_keys = ON")) == 0)
		st->fk_deferred = 0;
	return ret;
}

const char *store_schema_version(void)
{
	return SCHEMA_VERSION;
}

const char *store_sqlite_version(void)
{
	return sqlite3_libversion();
}
