/* pool.c - a batch import, and other work on a store, on several processes
 * (pool.h). */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pool.h"
#include "util.h"
#include "walk.h"

/* Exit status of a worker that failed (its message is in its .err file). */
#define WORKER_FAILED 4
/* Page cache of a worker's connection, KiB (SQLite's default size): an
 * import worker only appends, and a report worker reads one ticket's rows
 * at a time from a file the OS caches; the store's 16 MiB would only fill
 * as the batch grows. */
#define WORKER_CACHE_KIB 2000

/* qsort comparator: byte order of two entry names. */
static int cmp_entry(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted top-level entries of dir (hidden ones skipped): the tickets of a
 * batch run.  Returns a malloc'd NULL-terminated array, NULL on error. */
static char **ticket_entries(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	size_t alloc = 0;
	*n = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		v = xgrow(v, &alloc, *n + 2, sizeof(*v));
		v[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (!v)
		v = xcalloc(1, sizeof(*v));
	if (*n > 1)
		qsort(v, *n, sizeof(*v), cmp_entry);
	v[*n] = NULL;
	return v;
}

/* Write msg to the file path (a worker's error for the parent). */
static void write_error(const char *path, const char *msg)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write(fd, msg, strlen(msg)) < 0) {
		/* nothing more to do: the parent says "worker failed" */
	}
	close(fd);
}

/* Read a worker's error file into buf (empty when there is none). */
static void read_error(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = 0;
	buf[0] = '\0';
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
}

struct import_job {
	char **entries;
	size_t n;
	const char *dir, *tmpdir;
	const struct pipeline_opts *po;
	const unsigned char *key;
	const char *const *envs_abs;
};

/* Worker k: import its share of entries into its own database
 * tmpdir/wK.db.  Returns 0, or -1 with err filled. */
static int import_work(void *ctx, long k, long jobs, char *err, size_t errlen)
{
	const struct import_job *j = ctx;
	struct store *ws;
	struct pipeline_opts po = *j->po;
	struct pipeline_stats stats;
	const char **mine = xcalloc(j->n + 1, sizeof(*mine));
	char *db = xasprintf("%s/w%ld.db", j->tmpdir, k);
	size_t m = 0;
	int rc;

	for (size_t i = (size_t)k; i < j->n; i += (size_t)jobs)
		mine[m++] = j->entries[i];
	ws = store_open(db, err, errlen);
	if (!ws)
		return -1;
	if (store_set_cache(ws, WORKER_CACHE_KIB) < 0 || store_defer_indexes(ws) < 0) {
		snprintf(err, errlen, "%s", store_errmsg(ws));
		return -1;
	}
	if (chdir(j->dir) != 0) {
		snprintf(err, errlen, "cannot enter '%s': %s", j->dir, strerror(errno));
		return -1;
	}
	po.batch = 0;
	po.progress = NULL;
	po.key = j->key;
	po.env_files = j->envs_abs;
	memset(&stats, 0, sizeof(stats));
	err[0] = '\0';
	/* With match_rs, the worker matches each exchange as it stores it:
	 * the rules run in parallel, and the merge keeps the findings. */
	if (po.match_rs && pipeline_match_begin(ws, po.match_rs, err, errlen) < 0)
		return -1;
	rc = m ? pipeline_import(ws, mine, m, &po, &stats, err, errlen) : 0;
	if (rc < 0 && !err[0])
		snprintf(err, errlen, "import failed");
	store_free(ws);
	free(mine);
	free(db);
	return rc < 0 ? -1 : 0;
}

/* A new private folder under $TMPDIR (else /tmp), or NULL. */
static char *make_tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	char *pat = xasprintf("%s/hartriage-jobs.XXXXXX", t && t[0] ? t : "/tmp");
	char *dir = mkdtemp(pat);
	if (!dir) {
		free(pat);
		pat = xstrdup("/tmp/hartriage-jobs.XXXXXX");
		dir = mkdtemp(pat);
		if (!dir)
			free(pat);
	}
	return dir;
}

/* Remove tmpdir/wK{sfx} for every worker and name, then tmpdir. */
static void remove_tmpdir(char *tmpdir, long jobs)
{
	static const char *const sfx[] = {".db", ".db-wal", ".db-shm", ".db-journal", ".err"};
	if (!tmpdir)
		return;
	for (long k = 0; k < jobs; k++)
		for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
			char *f = xasprintf("%s/w%ld%s", tmpdir, k, sfx[i]);
			unlink(f);
			free(f);
		}
	rmdir(tmpdir);
	free(tmpdir);
}

typedef int pool_work_fn(void *ctx, long k, long jobs, char *err, size_t errlen);

/* Fork jobs workers; worker k runs work(ctx, k, jobs, ...) and exits, its
 * error message going to tmpdir/wK.err.  Waits for all of them (they are
 * sent SIGTERM once *interrupted is set).  Returns 0 when every worker
 * succeeded, else -1 with err holding the first failure. */
static int run_workers(long jobs, const char *tmpdir, pool_work_fn *work, void *ctx,
		       volatile sig_atomic_t *interrupted, char *err, size_t errlen)
{
	pid_t *pids = xcalloc((size_t)jobs, sizeof(*pids));
	int ret = 0;

	fflush(NULL);
	for (long k = 0; k < jobs; k++) {
		pids[k] = fork();
		if (pids[k] < 0) {
			snprintf(err, errlen, "cannot fork: %s", strerror(errno));
			break;
		}
		if (pids[k] == 0) {
			char werr[512];
			werr[0] = '\0';
			if (work(ctx, k, jobs, werr, sizeof(werr)) < 0) {
				char *ef = xasprintf("%s/w%ld.err", tmpdir, k);
				write_error(ef, werr[0] ? werr : "worker failed");
				_exit(WORKER_FAILED);
			}
			_exit(0);
		}
	}
	for (long k = 0; k < jobs; k++) {
		int wst = 0;
		if (pids[k] <= 0) {
			ret = -1;
			continue;
		}
		while (waitpid(pids[k], &wst, 0) < 0 && errno == EINTR)
			if (interrupted && *interrupted)
				for (long j = k; j < jobs; j++)
					if (pids[j] > 0)
						kill(pids[j], SIGTERM);
		if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0) {
			char *ef = xasprintf("%s/w%ld.err", tmpdir, k);
			char msg[400];
			read_error(ef, msg, sizeof(msg));
			free(ef);
			if (ret == 0) {
				if (msg[0])
					snprintf(err, errlen, "%s", msg);
				else if (WIFSIGNALED(wst))
					snprintf(err, errlen, "worker %ld killed by signal %d", k, WTERMSIG(wst));
				else
					snprintf(err, errlen, "worker %ld failed", k);
			}
			ret = -1;
		}
	}
	if (interrupted && *interrupted) {
		snprintf(err, errlen, "interrupted");
		ret = -1;
	}
	free(pids);
	return ret;
}

int pool_import(struct store *st, const char *dir, long jobs, const struct pipeline_opts *po,
		const unsigned char key[32], char *err, size_t errlen)
{
	size_t n = 0;
	char **entries = ticket_entries(dir, &n);
	char *tmpdir = NULL;
	int ret = -1;
	char **envs_abs = NULL;
	struct import_job job;

	if (!entries) {
		snprintf(err, errlen, "cannot read '%s': %s", dir, strerror(errno));
		return -1;
	}
	if (po->shard) {
		/* --shard: the workers share only this shard's tickets. */
		size_t m = 0;
		for (size_t i = 0; i < n; i++) {
			char *ticket = walk_ticket_name(entries[i]);
			if (shard_holds(po->shard, ticket))
				entries[m++] = entries[i];
			else
				free(entries[i]);
			free(ticket);
		}
		entries[m] = NULL;
		n = m;
	}
	if ((size_t)jobs > n)
		jobs = n ? (long)n : 1;
	tmpdir = make_tmpdir();
	if (!tmpdir) {
		snprintf(err, errlen, "cannot create a temporary folder: %s", strerror(errno));
		goto out;
	}
	/* Workers change into dir: make --env paths absolute first. */
	if (po->env_files && po->env_files[0]) {
		size_t ne = 0;
		while (po->env_files[ne])
			ne++;
		envs_abs = xcalloc(ne + 1, sizeof(*envs_abs));
		for (size_t i = 0; i < ne; i++) {
			char *rp = realpath(po->env_files[i], NULL);
			envs_abs[i] = rp ? rp : xstrdup(po->env_files[i]);
		}
	}
	job.entries = entries;
	job.n = n;
	job.dir = dir;
	job.tmpdir = tmpdir;
	job.po = po;
	job.key = key;
	job.envs_abs = (const char *const *)envs_abs;
	ret = run_workers(jobs, tmpdir, import_work, &job, po->interrupted, err, errlen);
	/* Merge all workers at once: the rows get their ids in ticket order,
	 * as one process importing the folder gives them, whichever worker
	 * imported what. */
	if (ret == 0) {
		char **dbs = xcalloc((size_t)jobs + 1, sizeof(*dbs));
		struct store_merge_result res;
		memset(&res, 0, sizeof(res));
		for (long k = 0; k < jobs; k++)
			dbs[k] = xasprintf("%s/w%ld.db", tmpdir, k);
		/* Workers that matched bring their findings; the caller reads
		 * them as a sequence over the whole store. */
		if (store_merge_dbs(st, (const char *const *)dbs, (size_t)jobs,
				    (po->match_rs ? STORE_MERGE_NO_SEQUENCE : STORE_MERGE_SOURCES_ONLY) |
					    (po->force ? STORE_MERGE_FORCE : 0),
				    &res, err, errlen) < 0) {
			ret = -1;
		} else if (po->match_rs && res.findings != STORE_MERGE_FINDINGS_KEPT) {
			snprintf(err, errlen, "the workers' findings were not merged: %s",
				 res.why_no_findings[0] ? res.why_no_findings : "no rules");
			ret = -1;
		}
		store_merge_result_release(&res);
		for (long k = 0; k < jobs; k++)
			free(dbs[k]);
		free(dbs);
	}
out:
	remove_tmpdir(tmpdir, jobs);
	if (envs_abs) {
		for (size_t i = 0; envs_abs[i]; i++)
			free(envs_abs[i]);
		free(envs_abs);
	}
	for (size_t i = 0; i < n; i++)
		free(entries[i]);
	free(entries);
	return ret;
}

struct each_job {
	const char *db;
	int snapshot; /* db is a copy nobody writes: open it immutable */
	pool_each_fn *fn;
	void *ctx;
};

static int each_work(void *ctx, long k, long jobs, char *err, size_t errlen)
{
	struct each_job *j = ctx;
	struct store *ws = j->snapshot ? store_open_snapshot(j->db, err, errlen)
				       : store_open(j->db, err, errlen);
	int rc = -1;
	if (!ws)
		return -1;
	if (store_set_cache(ws, WORKER_CACHE_KIB) < 0)
		snprintf(err, errlen, "%s", store_errmsg(ws));
	else
		rc = j->fn(j->ctx, ws, k, jobs, err, errlen);
	store_free(ws);
	return rc;
}

int pool_each(struct store *st, const char *db, long jobs, pool_each_fn *fn, void *ctx,
	      volatile sig_atomic_t *interrupted, char *err, size_t errlen)
{
	char *tmpdir = make_tmpdir(), *snap = NULL;
	struct each_job job;
	int ret = -1;

	if (!tmpdir) {
		snprintf(err, errlen, "cannot create a temporary folder: %s", strerror(errno));
		return -1;
	}
	if (!db) {
		/* a private database: the workers read a copy of it */
		snap = xasprintf("%s/w0.db", tmpdir);
		if (store_snapshot(st, snap) < 0) {
			snprintf(err, errlen, "database error: %s", store_errmsg(st));
			goto out;
		}
		db = snap;
	}
	/* The workers start with a copy of this process: give back the
	 * parent's page cache first (it only waits for them) */
	store_release_memory(st);
#ifdef __GLIBC__
	malloc_trim(0);
#endif
	job.db = db;
	job.snapshot = snap != NULL;
	job.fn = fn;
	job.ctx = ctx;
	ret = run_workers(jobs, tmpdir, each_work, &job, interrupted, err, errlen);
out:
	free(snap);
	remove_tmpdir(tmpdir, jobs);
	return ret;
}
