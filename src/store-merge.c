/* store-merge.c - copy other hartriage databases into the store with
 * SQLite's ATTACH (store_merge_dbs in store.h): the --jobs
 * pool's worker databases and the shards of a sharded batch run.
 *
 * Two passes.  The first attaches each input in turn, checks it (schema
 * version, redaction key id, rules) and lists what it brings: its sources
 * (those whose sha256 the store does not hold yet), their exchanges,
 * notes and findings.  New ids are then given to all of them at once in
 * ticket order (ticket name, then input, then the input's own order), so
 * the merged rows have the order one run over the whole batch folder
 * would have given them, whatever machine imported which ticket and in
 * whatever order the inputs are named.  The second pass attaches each
 * input again and copies its rows under their new ids, one transaction
 * per input.  An input is attached alone: SQLite attaches at most ten
 * databases at a time.
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "util.h"

#define EX_COLS                                                                                   \
	"seq, started_at, name, method, url, scheme, host, port, path, query, http_version, "      \
	"status, status_text, status_source, error, exit_code, redirect_of, req_body, "            \
	"req_body_size, req_body_truncated, req_mime, resp_body, resp_body_size, "                 \
	"resp_body_truncated, resp_mime, time_total, time_blocked, time_dns, time_connect, "       \
	"time_ssl, time_send, time_wait, time_receive, extra, kind, url_source, host_source"

/* The rules of the last match run, as one comparable text (the rule's
 * file path left out: installations differ in where the rules live). */
#define RULES_SIG(db)                                                                             \
	"SELECT COUNT(*), COALESCE(group_concat(id || char(31) || title || char(31) || severity "  \
	"|| char(31) || priority || char(31) || COALESCE(vendor, ''), char(30)), '') FROM (SELECT " \
	"* FROM " db ".rules ORDER BY id)"

struct merge {
	sqlite3 *db;
	char *err;
	size_t errlen;
	const char *path;      /* the input being read, for messages */
};

static int sql_error(struct merge *m, const char *msg)
{
	if (m->path)
		snprintf(m->err, m->errlen, "'%s': %s", m->path, msg ? msg : sqlite3_errmsg(m->db));
	else
		snprintf(m->err, m->errlen, "database error: %s", msg ? msg : sqlite3_errmsg(m->db));
	return -1;
}

static int run(struct merge *m, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(m->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		sql_error(m, msg);
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Run a statement formatted by sqlite3_vmprintf (%Q, %w as SQLite has them). */
static int runf(struct merge *m, const char *fmt, ...)
{
	va_list ap;
	char *sql;
	int rc;
	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	if (!sql)
		return sql_error(m, "out of memory");
	rc = run(m, sql);
	sqlite3_free(sql);
	return rc;
}

/* The first row's columns 0 and 1 of sql: *n (may be NULL) and a
 * malloc'd text (may be NULL).  Returns 1 with a row, 0 without, -1 on
 * error. */
static int one_row(struct merge *m, const char *sql, long long *n, char **text)
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (text)
		*text = NULL;
	if (sqlite3_prepare_v2(m->db, sql, -1, &s, NULL) != SQLITE_OK)
		return sql_error(m, NULL);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (n)
			*n = sqlite3_column_int64(s, 0);
		if (text && sqlite3_column_text(s, 1))
			*text = xstrdup((const char *)sqlite3_column_text(s, 1));
		sqlite3_finalize(s);
		return 1;
	}
	if (rc != SQLITE_DONE) {
		sql_error(m, NULL);
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

/* End the open transaction: COMMIT, or ROLLBACK when that fails.
 * Returns 0 or -1. */
static int rollback(struct merge *m)
{
	if (!sqlite3_get_autocommit(m->db))
		sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static int commit(struct merge *m)
{
	return run(m, "COMMIT") < 0 ? rollback(m) : 0;
}

/* A meta value of the attached database w (or main), malloc'd or NULL. */
static int meta(struct merge *m, const char *schema, const char *key, char **value)
{
	char *sql = sqlite3_mprintf("SELECT 0, value FROM %s.meta WHERE key = %Q", schema, key);
	int rc = one_row(m, sql, NULL, value);
	sqlite3_free(sql);
	return rc < 0 ? -1 : 0;
}

static int attach(struct merge *m, const char *path)
{
	m->path = path;
	if (access(path, R_OK) != 0) {
		snprintf(m->err, m->errlen, "cannot read database '%s': %s", path, strerror(errno));
		return -1;
	}
	return runf(m, "ATTACH DATABASE %Q AS w", path);
}

static void detach(struct merge *m)
{
	sqlite3_exec(m->db, "DETACH DATABASE w", NULL, NULL, NULL);
	m->path = NULL;
}

/* What the rules of a database say about merging findings. */
struct rules_seen {
	int with, without;     /* databases with sources whose rules ran / never ran */
	char *sig;             /* the first rules signature */
	const char *sig_of;    /* ... and whose it is */
	const char *other;     /* first database whose rules differ */
	const char *no_rules;  /* first database whose rules never ran */
};

static int see_rules(struct merge *m, const char *schema, const char *who, struct rules_seen *r)
{
	long long n = 0;
	char *sig = NULL, *sql;
	int rc;
	sql = sqlite3_mprintf("SELECT COUNT(*), '' FROM %s.sources", schema);
	rc = one_row(m, sql, &n, NULL);
	sqlite3_free(sql);
	if (rc < 0)
		return -1;
	if (n == 0)
		return 0;
	rc = one_row(m, strcmp(schema, "main") == 0 ? RULES_SIG("main") : RULES_SIG("w"), &n, &sig);
	if (rc < 0)
		return -1;
	if (n == 0) {
		r->without++;
		if (!r->no_rules)
			r->no_rules = who;
	} else {
		r->with++;
		if (!r->sig) {
			r->sig = sig;
			r->sig_of = who;
			sig = NULL;
		} else if (strcmp(r->sig, sig) != 0 && !r->other) {
			r->other = who;
		}
	}
	free(sig);
	return 0;
}

/* Pass one for input i: check it and list what it brings. */
static int list_input(struct merge *m, long i, int flags, const char *target_key,
		      char **key_id, const char **key_of, int *keep_secrets, struct rules_seen *rs,
		      long *skipped)
{
	char *ver = NULL, *kid = NULL, *ks = NULL;
	long long n = 0;
	int rc = -1;

	if (meta(m, "w", "schema_version", &ver) < 0) {
		if (strstr(m->err, "no such table"))
			snprintf(m->err, m->errlen, "'%s' is not a hartriage database (no meta table)",
				 m->path);
		return -1;
	}
	if (!ver || strcmp(ver, store_schema_version()) != 0) {
		snprintf(m->err, m->errlen,
			 "'%s' has database schema version %s, this hartriage merges version %s only "
			 "(import its captures again with this hartriage)",
			 m->path, ver ? ver : "(none)", store_schema_version());
		goto out;
	}
	if (meta(m, "w", "redact_key_id", &kid) < 0 || meta(m, "w", "keep_secrets", &ks) < 0)
		goto out;
	if (kid && ((target_key && strcmp(kid, target_key) != 0) ||
		    (*key_id && strcmp(kid, *key_id) != 0))) {
		snprintf(m->err, m->errlen,
			 "'%s' was redacted with another --key-file (key id %s) than %s (key id %s): "
			 "the same secret would have two fingerprints; merge shards of one key",
			 m->path, kid, *key_id ? *key_of : "the database merged into",
			 *key_id ? *key_id : target_key);
		goto out;
	}
	if (kid && !*key_id) {
		*key_id = kid;
		*key_of = m->path;
		kid = NULL;
	}
	if (ks && strcmp(ks, "1") == 0)
		*keep_secrets = 1;
	if (!(flags & STORE_MERGE_SOURCES_ONLY) && see_rules(m, "w", m->path, rs) < 0)
		goto out;
	/* Which sources the store holds already: for the --jobs workers, as
	 * an import sees it (a source that failed before is read again); for
	 * a merge, any source of the same sha256, and a source that could not
	 * be hashed by its ticket, path, status and error, so that merging a
	 * shard twice changes nothing. */
	if (runf(m,
		 "INSERT INTO temp.m_src(shard, old, ticket) SELECT %ld, s.id, s.ticket FROM w.sources s"
		 " WHERE %s",
		 i,
		 flags & STORE_MERGE_FORCE ? "1"
		 : flags & STORE_MERGE_SOURCES_ONLY
			 ? "s.sha256 IS NULL OR s.sha256 NOT IN (SELECT sha256 FROM main.sources WHERE"
			   " sha256 IS NOT NULL AND status IN ('ok', 'partial', 'not-capture'))"
			 : "NOT EXISTS (SELECT 1 FROM main.sources t WHERE t.sha256 = s.sha256) AND (s.sha256"
			   " IS NOT NULL OR NOT EXISTS (SELECT 1 FROM main.sources t WHERE t.sha256 IS NULL AND"
			   " t.path = s.path AND t.ticket IS s.ticket AND t.status = s.status AND t.error IS"
			   " s.error))") < 0)
		goto out;
	if (one_row(m, "SELECT (SELECT COUNT(*) FROM w.sources), ''", &n, NULL) < 0)
		goto out;
	*skipped = (long)(n - sqlite3_changes(m->db));
	if (runf(m,
		 "INSERT INTO temp.m_ex(shard, old, old_src) SELECT %ld, e.id, e.source_id FROM w.exchanges e "
		 "JOIN temp.m_src s ON s.shard = %ld AND s.old = e.source_id;"
		 "INSERT INTO temp.m_note(shard, old, old_src) SELECT %ld, n.id, n.source_id FROM w.notes n "
		 "JOIN temp.m_src s ON s.shard = %ld AND s.old = n.source_id",
		 i, i, i, i) < 0)
		goto out;
	if (!(flags & STORE_MERGE_SOURCES_ONLY) &&
	    runf(m,
		 "INSERT INTO temp.m_find(shard, old, old_ex) SELECT %ld, f.id, f.exchange_id FROM "
		 "w.findings f JOIN temp.m_ex x ON x.shard = %ld AND x.old = f.exchange_id",
		 i, i) < 0)
		goto out;
	rc = 0;
out:
	free(ver);
	free(kid);
	free(ks);
	return rc;
}

/* New ids past those the store holds, in ticket order.  (Through a
 * ranked copy rather than UPDATE ... FROM, which needs SQLite 3.33.) */
static int number(struct merge *m)
{
	return run(m,
		   "CREATE TEMP TABLE r(shard INTEGER, old INTEGER, n INTEGER, up INTEGER,"
		   " PRIMARY KEY (shard, old));"
		   "INSERT INTO temp.r(shard, old, n) SELECT shard, old, ROW_NUMBER() OVER (ORDER BY"
		   " ticket, shard, old) + (SELECT COALESCE(MAX(id), 0) FROM main.sources) FROM temp.m_src;"
		   "UPDATE temp.m_src SET new = (SELECT n FROM temp.r WHERE r.shard = m_src.shard AND"
		   " r.old = m_src.old);"
		   "DELETE FROM temp.r;"
		   "INSERT INTO temp.r(shard, old, n, up) SELECT x.shard, x.old, ROW_NUMBER() OVER (ORDER BY"
		   " s.new, x.old) + (SELECT COALESCE(MAX(id), 0) FROM main.exchanges), s.new FROM"
		   " temp.m_ex x JOIN temp.m_src s ON s.shard = x.shard AND s.old = x.old_src;"
		   "UPDATE temp.m_ex SET (new, new_src) = (SELECT n, up FROM temp.r WHERE r.shard ="
		   " m_ex.shard AND r.old = m_ex.old);"
		   "DELETE FROM temp.r;"
		   "INSERT INTO temp.r(shard, old, n, up) SELECT x.shard, x.old, ROW_NUMBER() OVER (ORDER BY"
		   " s.new, x.old) + (SELECT COALESCE(MAX(id), 0) FROM main.notes), s.new FROM"
		   " temp.m_note x JOIN temp.m_src s ON s.shard = x.shard AND s.old = x.old_src;"
		   "UPDATE temp.m_note SET (new, new_src) = (SELECT n, up FROM temp.r WHERE r.shard ="
		   " m_note.shard AND r.old = m_note.old);"
		   "DELETE FROM temp.r;"
		   "INSERT INTO temp.r(shard, old, n, up) SELECT f.shard, f.old, ROW_NUMBER() OVER (ORDER BY"
		   " x.new, f.old) + (SELECT COALESCE(MAX(id), 0) FROM main.findings), x.new FROM"
		   " temp.m_find f JOIN temp.m_ex x ON x.shard = f.shard AND x.old = f.old_ex;"
		   "UPDATE temp.m_find SET (new, new_ex) = (SELECT n, up FROM temp.r WHERE r.shard ="
		   " m_find.shard AND r.old = m_find.old);"
		   "DROP TABLE temp.r;"
		   /* copy_input() reads each input's rows in the order of their
		    * new ids through these, instead of sorting whole rows (bodies
		    * included: a sorter as large as the page cache) */
		   "CREATE INDEX temp.m_src_new ON m_src(shard, new);"
		   "CREATE INDEX temp.m_ex_new ON m_ex(shard, new);"
		   "CREATE INDEX temp.m_note_new ON m_note(shard, new);"
		   "CREATE INDEX temp.m_find_new ON m_find(shard, new)");
}

/* Pass two for input i: copy its rows under their new ids. */
static int copy_input(struct merge *m, long i, int findings)
{
	if (runf(m,
		 "BEGIN IMMEDIATE;"
		 "INSERT INTO main.sources(id, path, ticket, sha256, size, format, status, error, exchanges)"
		 " SELECT s.new, w.path, w.ticket, w.sha256, w.size, w.format, w.status, w.error,"
		 " w.exchanges FROM w.sources w JOIN temp.m_src s ON s.shard = %ld AND s.old = w.id"
		 " ORDER BY s.new;"
		 "INSERT INTO main.exchanges(id, source_id, " EX_COLS ")"
		 " SELECT x.new, x.new_src, " EX_COLS " FROM w.exchanges JOIN temp.m_ex x ON x.shard = %ld"
		 " AND x.old = w.exchanges.id ORDER BY x.new;"
		 "INSERT INTO main.headers(exchange_id, side, idx, name, value) SELECT x.new, h.side, h.idx,"
		 " h.name, h.value FROM w.headers h JOIN temp.m_ex x ON x.shard = %ld AND x.old ="
		 " h.exchange_id;"
		 "INSERT INTO main.transcript(exchange_id, idx, line) SELECT x.new, t.idx, t.line FROM"
		 " w.transcript t JOIN temp.m_ex x ON x.shard = %ld AND x.old = t.exchange_id;"
		 "INSERT INTO main.notes(id, source_id, seq, kind, message) SELECT n.new, n.new_src, w.seq,"
		 " w.kind, w.message FROM w.notes w JOIN temp.m_note n ON n.shard = %ld AND n.old = w.id"
		 " ORDER BY n.new;"
		 "INSERT INTO main.redactions(source_id, kind, count) SELECT s.new, r.kind, r.count FROM"
		 " w.redactions r JOIN temp.m_src s ON s.shard = %ld AND s.old = r.source_id;",
		 i, i, i, i, i, i) < 0)
		goto fail;
	if (findings &&
	    runf(m,
		 "INSERT INTO main.rules(id, title, severity, priority, vendor, path) SELECT id, title,"
		 " severity, priority, vendor, path FROM w.rules WHERE NOT EXISTS (SELECT 1 FROM"
		 " main.rules);"
		 "INSERT INTO main.findings(id, exchange_id, rule_id, severity, title, evidence, advice,"
		 " inconclusive) SELECT f.new, f.new_ex, w.rule_id, w.severity, w.title, w.evidence,"
		 " w.advice, w.inconclusive FROM w.findings w JOIN temp.m_find f ON f.shard = %ld AND"
		 " f.old = w.id ORDER BY f.new;",
		 i) < 0)
		goto fail;
	return commit(m);
fail:
	return rollback(m);
}

/* The findings as one match run over the merged store gives them: the
 * rule's severity again (the sequence pass of each input capped some, and
 * events may now span inputs), then the sequence pass over everything. */
static int resequence(struct store *st, struct merge *m)
{
	if (run(m, "BEGIN IMMEDIATE;"
		   "UPDATE findings SET severity = (SELECT r.severity FROM rules r WHERE r.id ="
		   " findings.rule_id) WHERE rule_id IN (SELECT id FROM rules)") < 0)
		goto fail;
	if (store_sequence_apply(st, m->err, m->errlen) < 0)
		goto fail;
	return commit(m);
fail:
	return rollback(m);
}

int store_merge_dbs(struct store *st, const char *const *paths, size_t n, int flags,
		    struct store_merge_result *res, char *err, size_t errlen)
{
	struct merge m;
	struct rules_seen rs;
	char *target_key = NULL, *key_id = NULL, *journal = NULL;
	const char *key_of = NULL;
	long long had = 0;
	int keep_secrets = 0, findings, ret = -1;

	memset(&m, 0, sizeof(m));
	memset(&rs, 0, sizeof(rs));
	m.db = store_db(st);
	m.err = err;
	m.errlen = errlen;
	if (res) {
		memset(res, 0, sizeof(*res));
		res->merged = xcalloc(n + 1, sizeof(*res->merged));
		res->skipped = xcalloc(n + 1, sizeof(*res->skipped));
	}
	if (run(&m, "DROP TABLE IF EXISTS temp.m_src; DROP TABLE IF EXISTS temp.m_ex;"
		    "DROP TABLE IF EXISTS temp.m_note; DROP TABLE IF EXISTS temp.m_find;"
		    "DROP TABLE IF EXISTS temp.r;"
		    "CREATE TEMP TABLE m_src(shard INTEGER, old INTEGER, ticket TEXT, new INTEGER,"
		    " PRIMARY KEY (shard, old));"
		    "CREATE TEMP TABLE m_ex(shard INTEGER, old INTEGER, old_src INTEGER, new INTEGER,"
		    " new_src INTEGER, PRIMARY KEY (shard, old));"
		    "CREATE TEMP TABLE m_note(shard INTEGER, old INTEGER, old_src INTEGER, new INTEGER,"
		    " new_src INTEGER, PRIMARY KEY (shard, old));"
		    "CREATE TEMP TABLE m_find(shard INTEGER, old INTEGER, old_ex INTEGER, new INTEGER,"
		    " new_ex INTEGER, PRIMARY KEY (shard, old))") < 0)
		goto out;
	if (meta(&m, "main", "redact_key_id", &target_key) < 0 ||
	    one_row(&m, "SELECT COUNT(*), '' FROM main.sources", &had, NULL) < 0)
		goto out;
	if (!(flags & STORE_MERGE_SOURCES_ONLY) && see_rules(&m, "main", "the database merged into",
							      &rs) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		long skipped = 0;
		if (attach(&m, paths[i]) < 0)
			goto out;
		if (list_input(&m, (long)i, flags, target_key, &key_id, &key_of, &keep_secrets, &rs,
			       &skipped) < 0) {
			detach(&m);
			goto out;
		}
		detach(&m);
		if (res)
			res->skipped[i] = skipped;
	}
	if (number(&m) < 0)
		goto out;
	/* Findings come along when every database that brings sources ran
	 * the same rules; else none stay and match must run again. */
	if (flags & STORE_MERGE_SOURCES_ONLY)
		findings = 0;
	else if (rs.with && !rs.without && !rs.other)
		findings = 1;
	else
		findings = 0;
	/* A private database journals in memory (store.c), and copying an
	 * input rewrites the pages of those copied before it (the ids
	 * interleave): that journal would hold the whole store.  A journal
	 * file for the copies instead; SQLite keeps a temporary database's
	 * journal in memory up to 64 KiB, then spills it. */
	if (one_row(&m, "SELECT 0, journal_mode FROM pragma_journal_mode", NULL, &journal) < 0)
		goto out;
	if (journal && !strcmp(journal, "memory") &&
	    run(&m, "PRAGMA main.journal_mode = DELETE") < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (attach(&m, paths[i]) < 0 || copy_input(&m, (long)i, findings) < 0) {
			detach(&m);
			goto out;
		}
		detach(&m);
		if (res) {
			long long k = 0;
			char *sql = sqlite3_mprintf("SELECT COUNT(*), '' FROM temp.m_src WHERE shard = %ld",
						    (long)i);
			one_row(&m, sql, &k, NULL);
			sqlite3_free(sql);
			res->merged[i] = (long)k;
		}
	}
	if (findings) {
		if (!(flags & STORE_MERGE_NO_SEQUENCE) && resequence(st, &m) < 0)
			goto out;
	} else if (!(flags & STORE_MERGE_SOURCES_ONLY) && rs.with) {
		/* Some findings would be missing or come from other rules. */
		if (run(&m, "BEGIN IMMEDIATE; DELETE FROM sequence; DELETE FROM findings;"
			    "DELETE FROM rules; COMMIT") < 0)
			goto out;
		if (res && rs.without)
			snprintf(res->why_no_findings, sizeof(res->why_no_findings),
				 "%s never ran the rules", rs.no_rules);
		else if (res)
			snprintf(res->why_no_findings, sizeof(res->why_no_findings),
				 "%s ran other rules than %s", rs.other, rs.sig_of);
	}
	if (res)
		res->findings = findings ? STORE_MERGE_FINDINGS_KEPT
				: rs.with ? STORE_MERGE_FINDINGS_DROPPED : STORE_MERGE_FINDINGS_NONE;
	/* The store keeps the shards' key id when it had no ticket of its own. */
	if (key_id && !target_key && had == 0 && store_set_meta(st, "redact_key_id", key_id) < 0)
		goto db_fail;
	if (keep_secrets && store_set_meta(st, "keep_secrets", "1") < 0)
		goto db_fail;
	if (res)
		res->keep_secrets = keep_secrets;
	ret = 0;
	goto out;
db_fail:
	snprintf(err, errlen, "database error: %s", store_errmsg(st));
out:
	if (journal && !strcmp(journal, "memory"))
		sqlite3_exec(m.db, "PRAGMA main.journal_mode = MEMORY", NULL, NULL, NULL);
	sqlite3_exec(m.db, "DROP TABLE IF EXISTS temp.m_src; DROP TABLE IF EXISTS temp.m_ex;"
			   "DROP TABLE IF EXISTS temp.m_note; DROP TABLE IF EXISTS temp.m_find;"
			   "DROP TABLE IF EXISTS temp.r;",
		     NULL, NULL, NULL);
	free(target_key);
	free(key_id);
	free(journal);
	free(rs.sig);
	return ret;
}

void store_merge_result_release(struct store_merge_result *res)
{
	free(res->merged);
	free(res->skipped);
	res->merged = res->skipped = NULL;
}
