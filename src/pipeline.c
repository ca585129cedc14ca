/* pipeline.c - import paths into the store and match rules over it. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include "pipeline.h"
#include "redact.h"
#include "util.h"
#include "walk.h"
#include "xmeasure.h"

struct run {
	struct store *st;
	const struct pipeline_opts *o;
	struct pipeline_stats *stats;
	struct redactor *red;
	long long source_id;
	long emitted;
	int store_failed;
	int stopped;            /* interrupted: the open source is rolled back */
	char *err;
	size_t errlen;
	time_t started;
	int had_sources;        /* the store held sources before this run */
	long tickets_total;     /* batch mode: top-level entries of the folder */
	long tickets_done;
	char *ticket;           /* ticket of the last capture */
	int key_mode;           /* KEY_FIXED, KEY_PER_TICKET, KEY_CONTENT */
	unsigned char key[32];  /* the fixed key, or the base of the tickets' keys */
	char *last_path;        /* display path of the last capture imported */
	long long last_id;      /* its sources row */
	long repaired;          /* invalid UTF-8 bytes replaced in this source */
	long long match_ex_id;  /* with match_rs: the exchange being matched */
};

static void ticket_key(struct run *r, struct hstream *s);
static void sink_note(void *ctx, enum note_kind kind, long seq, const char *msg);

/* A finding of an exchange matched while importing. */
static int on_import_finding(void *ctx, const struct rule_finding *f)
{
	struct run *r = ctx;
	if (store_add_finding(r->st, r->match_ex_id, rule_id(f->rule), severity_name(rule_severity(f->rule)),
			      rule_title(f->rule), f->evidence_json, f->advice, f->inconclusive) < 0)
		return -1;
	r->stats->findings++;
	return 0;
}

/* Sink: redact, then store one exchange (and match it, with match_rs). */
static int sink_emit(void *ctx, struct exchange *ex)
{
	struct run *r = ctx;
	if (r->o->interrupted && *r->o->interrupted) {
		r->stopped = 1;
		return -1;
	}
	{
		long bad = exchange_repair_utf8(ex);
		if (bad) {
			char msg[96];
			snprintf(msg, sizeof(msg), "%ld invalid UTF-8 bytes replaced with U+FFFD", bad);
			sink_note(r, NOTE_SKIPPED, ex->seq, msg);
			r->repaired += bad;
		}
	}
	xmeasure_request(ex); /* sizes of what was sent, before redaction */
	if (!r->o->keep_secrets)
		redact_exchange(r->red, ex);
	if (store_add_exchange(r->st, r->source_id, ex, &r->match_ex_id) < 0 ||
	    (r->o->match_rs && rule_set_match(r->o->match_rs, ex, on_import_finding, r) != 0)) {
		r->store_failed = 1;
		return -1;
	}
	r->emitted++;
	return 0;
}

static void sink_note(void *ctx, enum note_kind kind, long seq, const char *msg)
{
	struct run *r = ctx;
	char *clean = r->o->keep_secrets ? xstrdup(msg) : redact_text(r->red, msg, strlen(msg));
	if (store_add_note(r->st, r->source_id, seq, note_kind_name(kind), clean) < 0)
		r->store_failed = 1;
	free(clean);
}

/* Tell the caller where the import stands. */
static void progress(struct run *r, int final)
{
	struct pipeline_progress p;
	if (!r->o->progress)
		return;
	p.tickets_done = r->tickets_done;
	p.tickets_total = r->tickets_total;
	p.sources = r->stats->sources;
	p.exchanges = r->stats->exchanges;
	p.bytes = r->stats->bytes;
	p.seconds = (long)(time(NULL) - r->started);
	p.final = final;
	p.current = NULL;
	p.current_bytes = 0;
	p.current_size = -1;
	p.matched = 0;
	r->o->progress(r->o->progress_ctx, &p);
}

/* The read function of a capture being imported, wrapped to tell progress
 * within it: a big HAR is not silent until it ends. */
struct counted {
	hstream_read_fn read;
	void *ctx;
	struct run *r;
	const struct walk_item *it;
	unsigned long long n;
	time_t last;
};

static ssize_t counted_read(void *ctx, void *buf, size_t n)
{
	struct counted *c = ctx;
	ssize_t got = c->read(c->ctx, buf, n);
	time_t now;

	if (got > 0)
		c->n += (unsigned long long)got;
	now = time(NULL);
	if (now != c->last) {
		struct pipeline_progress p;
		struct run *r = c->r;
		c->last = now;
		memset(&p, 0, sizeof(p));
		p.tickets_done = r->tickets_done;
		p.tickets_total = r->tickets_total;
		p.sources = r->stats->sources;
		p.exchanges = r->stats->exchanges + r->emitted;
		p.bytes = r->stats->bytes + c->n;
		p.seconds = (long)(now - r->started);
		p.current = c->it->path;
		p.current_bytes = c->n;
		p.current_size = c->it->size;
		r->o->progress(r->o->progress_ctx, &p);
	}
	return got;
}

static int is_env_name(const char *name)
{
	size_t n = strlen(name);
	return n > 5 && strcmp(name + n - 5, ".json") == 0 &&
	       (strstr(name, "environment") || strstr(name, "globals"));
}

/* Environment files for a source: --env files, plus Postman environment
 * or globals exports in the same folder on disk.  Returns a malloc'd,
 * NULL-terminated array of malloc'd paths. */
static char **env_files_for(const struct run *r, const struct walk_item *it)
{
	char **v = NULL;
	size_t n = 0, alloc = 0;
	if (r->o->env_files)
		for (size_t i = 0; r->o->env_files[i]; i++) {
			v = xgrow(v, &alloc, n + 2, sizeof(*v));
			v[n++] = xstrdup(r->o->env_files[i]);
		}
	if (it->depth == 0 && it->fs_path) {
		char *dir = xstrdup(it->fs_path), *slash = strrchr(dir, '/');
		DIR *d;
		struct dirent *de;
		if (slash)
			*slash = '\0';
		else
			strcpy(dir, ".");
		d = opendir(dir);
		while (d && (de = readdir(d)) != NULL) {
			char *full;
			if (de->d_name[0] == '.' || !is_env_name(de->d_name))
				continue;
			full = xasprintf("%s/%s", dir, de->d_name);
			if (strcmp(full, it->fs_path) == 0) {
				free(full);
				continue;
			}
			v = xgrow(v, &alloc, n + 2, sizeof(*v));
			v[n++] = full;
		}
		if (d)
			closedir(d);
		free(dir);
		/* Sorted, so the precedence of several files is stable. */
		for (size_t i = 1; i < n; i++)
			for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
				char *t = v[j];
				v[j] = v[j - 1];
				v[j - 1] = t;
			}
	}
	if (!v)
		return NULL;
	v[n] = NULL;
	return v;
}

static void free_strv(char **v)
{
	if (!v)
		return;
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

/* Walk callback: one capture. */
static int on_item(void *ctx, const struct walk_item *it, struct hstream *s)
{
	struct run *r = ctx;
	struct import_opts io;
	struct import_result res;
	struct import_sink sink = {sink_emit, sink_note, r};
	struct source_info si = {it->path, it->ticket, NULL};
	char sha[65];
	char **envs = NULL;
	int commit;

	if (r->o->interrupted && *r->o->interrupted) {
		r->stopped = 1;
		snprintf(r->err, r->errlen, "interrupted");
		return -1;
	}
	r->stats->sources++;
	if (!r->ticket || strcmp(r->ticket, it->ticket ? it->ticket : "") != 0) {
		free(r->ticket);
		r->ticket = xstrdup(it->ticket ? it->ticket : "");
		r->tickets_done++;
		ticket_key(r, s);
	}
	memset(&io, 0, sizeof(io));
	io.hint = r->o->hint;
	envs = env_files_for(r, it);
	io.env_files = (const char *const *)envs;

	if (!r->o->force && it->depth == 0 && it->fs_path && r->had_sources) {
		/* Duplicate check on the file's hash before importing. */
		struct hstream pre;
		if (hstream_open_file(&pre, it->fs_path) == 0) {
			hstream_drain(&pre);
			hstream_sha256(&pre, sha);
			hstream_close(&pre);
			if (store_source_by_sha(r->st, sha)) {
				r->stats->duplicates++;
				free_strv(envs);
				return 0;
			}
		}
	}

	if (store_source_begin(r->st, &si, &r->source_id) < 0) {
		snprintf(r->err, r->errlen, "database error: %s", store_errmsg(r->st));
		free_strv(envs);
		return -1;
	}
	r->emitted = 0;
	r->repaired = 0;
	redactor_reset_counts(r->red);
	if (r->o->match_rs) {
		/* The 'source' field: the source's display path, as stored. */
		char *path = store_source_path(r->st, r->source_id);
		rule_set_set_source(r->o->match_rs, path);
		free(path);
	}
	if (r->o->progress) {
		struct counted c = {s->read, s->ctx, r, it, 0, time(NULL)};
		s->read = counted_read;
		s->ctx = &c;
		import_stream(s, it->path, &io, &sink, &res);
		s->read = c.read;
		s->ctx = c.ctx;
	} else {
		import_stream(s, it->path, &io, &sink, &res);
	}
	free_strv(envs);
	hstream_sha256(s, sha);
	r->stats->bytes += hstream_size(s);
	if (r->stopped || (r->o->interrupted && *r->o->interrupted)) {
		/* Nothing of a source cut short by a signal is kept. */
		r->stopped = 1;
		store_rollback(r->st);
		snprintf(r->err, r->errlen, "interrupted");
		return -1;
	}
	if (r->store_failed) {
		store_rollback(r->st);
		snprintf(r->err, r->errlen, "database error: %s", store_errmsg(r->st));
		return -1;
	}
	if (res.status == IMPORT_OK || res.status == IMPORT_PARTIAL)
		res.exchanges = r->emitted;
	if (res.status == IMPORT_OK && r->repaired)
		import_fail(&res, IMPORT_PARTIAL, "%ld invalid UTF-8 bytes replaced with U+FFFD",
			    r->repaired);
	commit = res.status != IMPORT_ERROR;
	if (commit) {
		for (int k = 0; k < REDACT_KIND_COUNT; k++)
			if (store_add_redactions(r->st, r->source_id, redact_kind_name(k),
						 redactor_count(r->red, k)) < 0) {
				snprintf(r->err, r->errlen, "database error: %s", store_errmsg(r->st));
				return -1;
			}
	}
	if (res.message[0] && !r->o->keep_secrets) {
		char *clean = redact_text(r->red, res.message, strlen(res.message));
		snprintf(res.message, sizeof(res.message), "%s", clean);
		free(clean);
	}
	if (store_source_end(r->st, r->source_id, &si, &res, sha, hstream_size(s), commit) < 0) {
		snprintf(r->err, r->errlen, "database error: %s", store_errmsg(r->st));
		return -1;
	}
	switch (res.status) {
	case IMPORT_OK:
		r->stats->imported++;
		r->stats->exchanges += res.exchanges;
		break;
	case IMPORT_PARTIAL:
		r->stats->imported++;
		r->stats->partial++;
		r->stats->exchanges += res.exchanges;
		break;
	case IMPORT_ERROR:
		r->stats->failed++;
		break;
	case IMPORT_NOT_CAPTURE:
		r->stats->not_capture++;
		break;
	}
	free(r->last_path);
	r->last_path = xstrdup(it->path);
	r->last_id = commit ? r->source_id : 0;
	progress(r, 0);
	return 0;
}

/* Walk error callback: a skipped input.  When the error is about the
 * capture just imported (its data failed while being read), the walker's
 * reason replaces the importer's "read error" on that source's row. */
static void on_walk_error(void *ctx, const char *path, const char *ticket, const char *msg)
{
	struct run *r = ctx;
	struct source_info si = {path, ticket, NULL};
	if (r->last_path && strcmp(r->last_path, path) == 0) {
		if (store_source_set_error(r->st, r->last_id, path, msg) < 0)
			r->store_failed = 1;
		free(r->last_path);
		r->last_path = NULL;
		return;
	}
	r->stats->sources++;
	r->stats->failed++;
	if (store_source_failed(r->st, &si, msg) < 0)
		r->store_failed = 1;
}

/* The redaction key: $HARTRIAGE_REDACT_KEY (used as is for every
 * ticket), else the database's own (kept in meta, random at creation) from
 * which each ticket's key is derived, else none: each ticket's key is then
 * derived from its content (redact_content_key), so the same inputs give
 * the same report on any machine and no key file is needed.  Returns the
 * pipeline_opts key_mode. */
static int redaction_key(struct store *st, int persistent_db, unsigned char key[32])
{
	const char *env = getenv("HARTRIAGE_REDACT_KEY");
	char *stored = NULL;
	char hex[65];
	int fd;

	if (env && env[0]) {
		redact_content_key("", 0, key);
		return KEY_FIXED;
	}
	memset(key, 0, 32);
	if (!persistent_db)
		return KEY_CONTENT;
	stored = store_get_meta(st, "redact_key");
	if (stored && strlen(stored) == 64) {
		for (int i = 0; i < 32; i++) {
			unsigned v;
			sscanf(stored + 2 * i, "%2x", &v);
			key[i] = (unsigned char)v;
		}
		free(stored);
		return KEY_PER_TICKET;
	}
	free(stored);
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, key, 32) != 32)
			memset(key, 0, 32);
		close(fd);
	}
	sha256_hex(key, hex);
	/* Another writer may have stored a key meanwhile: use the one the
	 * database keeps. */
	store_add_meta(st, "redact_key", hex);
	stored = store_get_meta(st, "redact_key");
	if (stored && strlen(stored) == 64 && strcmp(stored, hex) != 0)
		for (int i = 0; i < 32; i++) {
			unsigned v;
			sscanf(stored + 2 * i, "%2x", &v);
			key[i] = (unsigned char)v;
		}
	free(stored);
	return KEY_PER_TICKET;
}

/* Set the redactor's key for the ticket of the capture s belongs to: the
 * same secret in two tickets gets unlinkable fingerprints. */
static void ticket_key(struct run *r, struct hstream *s)
{
	unsigned char key[32], tk[32];
	const unsigned char *p = NULL;
	ssize_t got;

	if (r->key_mode == KEY_FIXED)
		return;
	if (r->key_mode == KEY_CONTENT) {
		got = hstream_peek(s, (size_t)64 << 10, &p);
		redact_content_key(p, got > 0 ? (size_t)got : 0, key);
	} else {
		memcpy(key, r->key, 32);
	}
	hmac_sha256(key, 32, r->ticket, strlen(r->ticket), tk);
	redactor_set_key(r->red, tk, sizeof(tk));
}

int pipeline_import(struct store *st, const char *const *paths, size_t npaths,
		    const struct pipeline_opts *o, struct pipeline_stats *stats, char *err,
		    size_t errlen)
{
	struct run r;
	struct walk_opts wo;
	unsigned char key[32];
	int rc;

	memset(&r, 0, sizeof(r));
	r.st = st;
	r.o = o;
	r.stats = stats;
	r.err = err;
	r.errlen = errlen;
	r.started = time(NULL);
	/* Only a store that already holds sources needs the duplicate check,
	 * which reads each file once more to hash it. */
	r.had_sources = store_has_sources(st) != 0;
	if (o->key) {
		memcpy(key, o->key, sizeof(key));
		r.key_mode = o->key_mode;
	} else {
		r.key_mode = pipeline_redaction_key(st, key);
	}
	memcpy(r.key, key, sizeof(key));
	r.red = redactor_new(key, sizeof(key));
	memset(&wo, 0, sizeof(wo));
	walk_caps_default(&wo.caps);
	wo.fn = on_item;
	wo.err = on_walk_error;
	wo.ctx = &r;
	wo.stdin_name = o->stdin_name;
	wo.one_ticket = o->one_ticket;
	wo.shard = o->shard;
	wo.other_shards = &stats->other_shards;
	err[0] = '\0';
	if (o->batch && npaths == 1 && o->progress && !o->one_ticket) {
		DIR *d = opendir(paths[0]);
		struct dirent *de;
		while (d && (de = readdir(d)) != NULL)
			if (de->d_name[0] != '.')
				r.tickets_total++;
		if (d)
			closedir(d);
	}
	if (o->batch && npaths == 1)
		rc = walk_tickets(paths[0], &wo);
	else
		rc = walk_paths(paths, npaths, &wo);
	progress(&r, 1);
	if (o->match_rs)
		rule_set_set_source(o->match_rs, NULL);
	free(r.last_path);
	free(r.ticket);
	redactor_free(r.red);
	if (r.store_failed && !err[0])
		snprintf(err, errlen, "database error: %s", store_errmsg(st));
	if (rc < 0 || r.store_failed)
		return -1;
	return 0;
}

int pipeline_redaction_key(struct store *st, unsigned char key[32])
{
	char *persist = store_get_meta(st, "persistent");
	int mode = redaction_key(st, persist != NULL, key);
	free(persist);
	return mode;
}

struct match_run {
	void (*progress)(void *ctx, const struct pipeline_progress *p);
	void *progress_ctx;
	time_t started, last;
	long matched;
	struct store *st;
	struct rule_set *rs;
	long long source_id;    /* source whose path is set as the 'source' field */
	volatile sig_atomic_t *interrupted;
	int stopped;
	long findings;
	int failed;
	long long ex_id;
};

static int on_finding(void *ctx, const struct rule_finding *f)
{
	struct match_run *m = ctx;
	/* f->advice is rendered by the rule module (rule_render_advice). */
	if (store_add_finding(m->st, m->ex_id, rule_id(f->rule), severity_name(rule_severity(f->rule)),
			      rule_title(f->rule), f->evidence_json, f->advice, f->inconclusive) < 0)
		m->failed = 1;
	m->findings++;
	return m->failed ? -1 : 0;
}

static int on_exchange(void *ctx, long long ex_id, long long source_id, struct exchange *ex)
{
	struct match_run *m = ctx;
	if (m->interrupted && *m->interrupted) {
		m->stopped = 1;
		return -1;
	}
	m->ex_id = ex_id;
	if (m->progress) {
		time_t now = time(NULL);
		m->matched++;
		if (now != m->last) {
			struct pipeline_progress p;
			memset(&p, 0, sizeof(p));
			p.matched = m->matched;
			p.seconds = (long)(now - m->started);
			p.current_size = -1;
			m->last = now;
			m->progress(m->progress_ctx, &p);
		}
	}
	if (source_id != m->source_id) {
		/* The 'source' field: the source's display path. */
		char *path = store_source_path(m->st, source_id);
		m->source_id = source_id;
		rule_set_set_source(m->rs, path);
		free(path);
	}
	return rule_set_match(m->rs, ex, on_finding, m);
}

int pipeline_match(struct store *st, struct rule_set *rs, volatile sig_atomic_t *interrupted,
		   long *nfindings, char *err, size_t errlen)
{
	return pipeline_match_progress(st, rs, interrupted, NULL, NULL, nfindings, err, errlen);
}

/* Store the rules of rs (inside a transaction). */
static int add_rules(struct store *st, struct rule_set *rs)
{
	for (size_t i = 0; i < rule_set_count(rs); i++) {
		const struct rule *ru = rule_set_get(rs, i);
		if (store_add_rule(st, rule_id(ru), rule_title(ru), severity_name(rule_severity(ru)),
				   rule_priority(ru), rule_vendor(ru), rule_path(ru)) < 0)
			return -1;
	}
	return 0;
}

int pipeline_match_begin(struct store *st, struct rule_set *rs, char *err, size_t errlen)
{
	if (store_begin(st) < 0)
		goto fail;
	if (store_clear_findings(st) < 0 || add_rules(st, rs) < 0) {
		store_rollback(st);
		goto fail;
	}
	if (store_commit(st) < 0)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "database error: %s", store_errmsg(st));
	return -1;
}

int pipeline_match_end(struct store *st, char *err, size_t errlen)
{
	if (store_begin(st) < 0) {
		snprintf(err, errlen, "database error: %s", store_errmsg(st));
		return -1;
	}
	if (store_sequence_apply(st, err, errlen) < 0) {
		store_rollback(st);
		return -1;
	}
	if (store_commit(st) < 0) {
		snprintf(err, errlen, "database error: %s", store_errmsg(st));
		return -1;
	}
	return 0;
}

int pipeline_match_progress(struct store *st, struct rule_set *rs,
			    volatile sig_atomic_t *interrupted,
			    void (*tell)(void *ctx, const struct pipeline_progress *p),
			    void *progress_ctx, long *nfindings, char *err, size_t errlen)
{
	struct match_run m;
	int rc;

	memset(&m, 0, sizeof(m));
	m.progress = tell;
	m.progress_ctx = progress_ctx;
	m.started = m.last = time(NULL);
	m.st = st;
	m.rs = rs;
	m.source_id = -1;
	m.interrupted = interrupted;
	if (store_begin(st) < 0 || store_clear_findings(st) < 0)
		goto fail;
	if (add_rules(st, rs) < 0)
		goto fail_tx;
	rc = store_foreach_exchange(st, on_exchange, &m);
	if (rc != 0 || m.failed)
		goto fail_tx;
	/* Read the findings as a sequence: events, recoveries, demotions. */
	if (store_sequence_apply(st, err, errlen) < 0) {
		store_rollback(st);
		rule_set_set_source(rs, NULL);
		return -1;
	}
	if (store_commit(st) < 0)
		goto fail;
	if (tell) {
		struct pipeline_progress p;
		memset(&p, 0, sizeof(p));
		p.matched = m.matched;
		p.seconds = (long)(time(NULL) - m.started);
		p.current_size = -1;
		p.final = 1;
		tell(progress_ctx, &p);
	}
	if (nfindings)
		*nfindings = m.findings;
	rule_set_set_source(rs, NULL);
	return 0;
fail_tx:
	if (m.stopped)
		snprintf(err, errlen, "interrupted");
	else
		snprintf(err, errlen, "database error: %s", store_errmsg(st));
	store_rollback(st);
	rule_set_set_source(rs, NULL);
	return -1;
fail:
	snprintf(err, errlen, "database error: %s", store_errmsg(st));
	return -1;
}
