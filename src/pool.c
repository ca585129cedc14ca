/* pool.c - a batch import on several processes (pool.h). */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
	for (size_t i = 1; i < *n; i++)
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
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

/* The worker: import its share of entries into db; never returns. */
static void worker(long k, long jobs, char **entries, size_t n, const char *dir, const char *db,
		   const char *errfile, const struct pipeline_opts *base, const unsigned char key[32],
		   const char *const *envs_abs)
{
	char werr[512];
	struct store *ws;
	struct pipeline_opts po = *base;
	struct pipeline_stats stats;
	const char **mine = xcalloc(n + 1, sizeof(*mine));
	size_t m = 0;
	int rc;

	for (size_t i = (size_t)k; i < n; i += (size_t)jobs)
		mine[m++] = entries[i];
	ws = store_open(db, werr, sizeof(werr));
	if (ws && store_defer_indexes(ws) < 0) {
		write_error(errfile, store_errmsg(ws));
		_exit(WORKER_FAILED);
	}
	if (!ws) {
		write_error(errfile, werr);
		_exit(WORKER_FAILED);
	}
	if (chdir(dir) != 0) {
		snprintf(werr, sizeof(werr), "cannot enter '%s': %s", dir, strerror(errno));
		write_error(errfile, werr);
		_exit(WORKER_FAILED);
	}
	po.batch = 0;
	po.progress = NULL;
	po.key = key;
	po.env_files = envs_abs;
	memset(&stats, 0, sizeof(stats));
	werr[0] = '\0';
	rc = m ? pipeline_import(ws, mine, m, &po, &stats, werr, sizeof(werr)) : 0;
	if (rc < 0)
		write_error(errfile, werr[0] ? werr : "import failed");
	store_free(ws);
	_exit(rc < 0 ? WORKER_FAILED : 0);
}

int pool_import(struct store *st, const char *dir, long jobs, const struct pipeline_opts *po,
		const unsigned char key[32], char *err, size_t errlen)
{
	size_t n = 0;
	char **entries = ticket_entries(dir, &n);
	char *tmpdir = NULL;
	pid_t *pids = NULL;
	int ret = -1;
	char **envs_abs = NULL;

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
	{
		const char *t = getenv("TMPDIR");
		char *pat = xasprintf("%s/hartriage-jobs.XXXXXX", t && t[0] ? t : "/tmp");
		tmpdir = mkdtemp(pat);
		if (!tmpdir) {
			free(pat);
			pat = xstrdup("/tmp/hartriage-jobs.XXXXXX");
			tmpdir = mkdtemp(pat);
			if (!tmpdir)
				free(pat);
		}
	}
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
	fflush(NULL);
	pids = xcalloc((size_t)jobs, sizeof(*pids));
	for (long k = 0; k < jobs; k++) {
		pids[k] = fork();
		if (pids[k] < 0) {
			snprintf(err, errlen, "cannot fork: %s", strerror(errno));
			break;
		}
		if (pids[k] == 0) {
			char *db = xasprintf("%s/w%ld.db", tmpdir, k);
			char *ef = xasprintf("%s/w%ld.err", tmpdir, k);
			worker(k, jobs, entries, n, dir, db, ef, po, key, (const char *const *)envs_abs);
		}
	}
	ret = 0;
	for (long k = 0; k < jobs; k++) {
		int wst = 0;
		if (pids[k] <= 0) {
			ret = -1;
			continue;
		}
		while (waitpid(pids[k], &wst, 0) < 0 && errno == EINTR)
			if (po->interrupted && *po->interrupted)
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
	if (po->interrupted && *po->interrupted) {
		snprintf(err, errlen, "interrupted");
		ret = -1;
	}
	/* Merge all workers at once: the rows get their ids in ticket order,
	 * as one process importing the folder gives them, whichever worker
	 * imported what. */
	if (ret == 0) {
		char **dbs = xcalloc((size_t)jobs + 1, sizeof(*dbs));
		for (long k = 0; k < jobs; k++)
			dbs[k] = xasprintf("%s/w%ld.db", tmpdir, k);
		if (store_merge_dbs(st, (const char *const *)dbs, (size_t)jobs,
				    STORE_MERGE_SOURCES_ONLY | (po->force ? STORE_MERGE_FORCE : 0), NULL, err,
				    errlen) < 0)
			ret = -1;
		for (long k = 0; k < jobs; k++)
			free(dbs[k]);
		free(dbs);
	}
out:
	if (tmpdir) {
		static const char *const sfx[] = {".db", ".db-wal", ".db-shm", ".db-journal", ".err"};
		for (long k = 0; k < jobs; k++)
			for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
				char *f = xasprintf("%s/w%ld%s", tmpdir, k, sfx[i]);
				unlink(f);
				free(f);
			}
		rmdir(tmpdir);
		free(tmpdir);
	}
	if (envs_abs) {
		for (size_t i = 0; envs_abs[i]; i++)
			free(envs_abs[i]);
		free(envs_abs);
	}
	for (size_t i = 0; i < n; i++)
		free(entries[i]);
	free(entries);
	free(pids);
	return ret;
}
