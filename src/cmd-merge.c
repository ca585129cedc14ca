/* cmd-merge.c - "hartriage merge": merge the databases of a sharded run. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "store.h"
#include "util.h"

static void merge_usage(FILE *out)
{
	fprintf(out,
		"Usage: %s merge --db=FILE [OPTION]... SHARD.db...\n"
		"Merge the databases of a sharded run (import or analyze --shard K/N --db SHARD.db)\n"
		"into the database FILE (created when missing), so that 'report --db FILE\n"
		"--per-ticket OUT' writes what one run over the whole batch would have written.\n"
		"Tickets are stored in name order whatever shard held them.  Sources FILE held\n"
		"already (same sha256) are skipped unless --force.  Findings come along when every\n"
		"shard ran the same rules (the sequence pass runs again over the whole database);\n"
		"else none are kept and 'match' must run.  Every SHARD.db must be of this\n"
		"hartriage's schema version, and shards made with --key-file must share one key.\n\n"
		"      --db=FILE             the database to merge into (required)\n"
		"      --force               also copy sources FILE already holds\n"
		"  -q, --quiet               no summary line\n"
		"  -v, --verbose             say what each shard brought\n"
		"  -h, --help                display this help and exit\n\n"
		EXIT_STATUS_HELP,
		program_name);
}

/* SIGINT/SIGTERM: the statement running is interrupted (SQLite rolls
 * back the shard being copied), a new database is removed, then the
 * signal ends the process. */
static volatile sig_atomic_t interrupted;
static sqlite3 *merging;

static void on_signal(int sig)
{
	interrupted = sig;
	if (merging)
		sqlite3_interrupt(merging);
}

/* Remove path and the WAL files SQLite may have left beside it. */
static void remove_db(const char *path)
{
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		char *f = xasprintf("%s%s", path, sfx[i]);
		unlink(f);
		free(f);
	}
}

/* Usage checks of the inputs: each readable, none the target, none twice. */
static int check_shards(const char *db, char **paths, size_t n)
{
	struct stat tsb, *sb = xcalloc(n + 1, sizeof(*sb));
	int have_target = stat(db, &tsb) == 0, rc = 0;

	for (size_t i = 0; i < n && !rc; i++) {
		if (stat(paths[i], &sb[i]) != 0) {
			error_msg("cannot read database '%s': %s", paths[i], strerror(errno));
			rc = EXIT_INTERNAL;
			break;
		}
		if (have_target && sb[i].st_dev == tsb.st_dev && sb[i].st_ino == tsb.st_ino)
			rc = usage_error("merge", "'%s' is the database merged into (--db)", paths[i]);
		for (size_t j = 0; j < i && !rc; j++)
			if (sb[i].st_dev == sb[j].st_dev && sb[i].st_ino == sb[j].st_ino)
				rc = usage_error("merge", "'%s' is given twice (as '%s' too)", paths[i],
						 paths[j]);
	}
	free(sb);
	return rc;
}

int cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"force", no_argument, NULL, 'F'},
		{"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL;
	char *work = NULL;
	char err[1024];
	struct store *st = NULL;
	struct store_merge_result res;
	struct stat sb;
	int ch, force = 0, quiet = 0, rc = EXIT_INTERNAL, fresh;
	long merged = 0, skipped = 0;
	size_t n;

	memset(&res, 0, sizeof(res));
	argv[0] = (char *)program_name;
	while ((ch = getopt_long(argc, argv, "qvh", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			db = optarg;
			break;
		case 'F':
			force = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			merge_usage(stdout);
			return close_output(stdout, NULL) < 0 ? EXIT_INTERNAL : EXIT_DONE;
		default:
			return usage_error("merge", NULL);
		}
	}
	if (!db)
		return usage_error("merge", "--db=FILE is required");
	if (optind >= argc)
		return usage_error("merge", "no shard database: give one or more SHARD.db");
	n = (size_t)(argc - optind);
	rc = check_shards(db, argv + optind, n);
	if (rc)
		return rc;
	rc = EXIT_INTERNAL;
	/* A new database is written beside its name and renamed when complete:
	 * a merge that fails leaves nothing half made behind. */
	fresh = stat(db, &sb) != 0;
	if (fresh) {
		int fd;
		work = xasprintf("%s.merging-XXXXXX", db);
		fd = mkstemp(work);
		if (fd < 0) {
			error_msg("cannot create database '%s': %s", db, strerror(errno));
			free(work);
			return EXIT_INTERNAL;
		}
		/* mkstemp made it 0600: the mode a new database gets. */
		{
			mode_t um = umask(0);
			umask(um);
			fchmod(fd, 0666 & ~um);
		}
		close(fd);
	}
	st = store_open(fresh ? work : db, err, sizeof(err));
	if (!st) {
		error_msg("cannot open database '%s': %s", db, err);
		goto out;
	}
	{
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		merging = store_db(st);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	if (store_merge_dbs(st, (const char *const *)argv + optind, n, force ? STORE_MERGE_FORCE : 0,
			    &res, err, sizeof(err)) < 0 || interrupted) {
		merging = NULL;
		if (interrupted)
			error_msg("interrupted%s", fresh ? ": nothing was merged" : "");
		else
			error_msg("%s", err);
		if (!fresh)
			error_msg("the shards copied before are kept in '%s' (each shard is copied "
				  "whole or not at all); the same merge again skips them", db);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		merged += res.merged[i];
		skipped += res.skipped[i];
		if (verbose)
			fprintf(stderr, "%s: %s: %ld source%s merged, %ld already held\n", program_name,
				argv[optind + i], res.merged[i], res.merged[i] == 1 ? "" : "s",
				res.skipped[i]);
	}
	merging = NULL;
	store_free(st);
	st = NULL;
	if (fresh && rename(work, db) != 0) {
		error_msg("cannot create database '%s': %s", db, strerror(errno));
		goto out;
	}
	if (res.keep_secrets)
		chmod(db, 0600);
	if (!quiet)
		fprintf(stderr, "%s: merged %ld source%s of %zu database%s into '%s'\n", program_name,
			merged, merged == 1 ? "" : "s", n, n == 1 ? "" : "s", db);
	if (!quiet && skipped)
		fprintf(stderr, "%s: skipped %ld source%s '%s' held already (same sha256; --force "
			"copies them)\n", program_name, skipped, skipped == 1 ? "" : "s", db);
	if (res.findings == STORE_MERGE_FINDINGS_DROPPED)
		warning_msg("no findings kept: %s; run '%s match --db %s' before 'report'",
			    res.why_no_findings, program_name, db);
	else if (res.findings == STORE_MERGE_FINDINGS_NONE && !quiet)
		fprintf(stderr, "%s: the shards never ran the rules: run '%s match --db %s' before "
			"'report'\n", program_name, program_name, db);
	rc = EXIT_DONE;
out:
	merging = NULL;
	store_free(st);
	if (fresh && rc != EXIT_DONE)
		remove_db(work);
	free(work);
	store_merge_result_release(&res);
	if (interrupted) {
		signal(interrupted, SIG_DFL);
		raise(interrupted);
	}
	return rc;
}
