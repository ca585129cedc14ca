/* cmd-common.c - options and steps shared by analyze, import, match, report. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd-common.h"
#include "util.h"

/* Parse the options of analyze/import/match/report. */
int parse_common(int argc, char **argv, struct common *c, void (*usage)(FILE *))
{
	enum { O_DB = 256, O_FAIL_ON, O_HINT, O_ENV, O_KEEP, O_FORCE, O_IDH, O_TICKET, O_PER_TICKET };
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"format", required_argument, NULL, 'f'},
		{"db", required_argument, NULL, O_DB},
		{"rules", required_argument, NULL, 'r'},
		{"fail-on", required_argument, NULL, O_FAIL_ON},
		{"format-hint", required_argument, NULL, O_HINT},
		{"env", required_argument, NULL, O_ENV},
		{"request-id-header", required_argument, NULL, O_IDH},
		{"keep-secrets", no_argument, NULL, O_KEEP},
		{"force", no_argument, NULL, O_FORCE},
		{"ticket", required_argument, NULL, O_TICKET},
		{"per-ticket", required_argument, NULL, O_PER_TICKET},
		{"jobs", required_argument, NULL, 'j'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *cmd = argv[0];
	int ch;

	c->fail_on = -1;
	c->format = REPORT_MD;
	c->po.hint = FMT_UNKNOWN;
	c->jobs = 1;
	while ((ch = getopt_long(argc, argv, "o:f:r:j:qh", opts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			c->output = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "md") == 0 || strcmp(optarg, "markdown") == 0)
				c->format = REPORT_MD;
			else if (strcmp(optarg, "json") == 0)
				c->format = REPORT_JSON;
			else
				return usage_error(cmd, "invalid --format '%s' (md or json)", optarg);
			break;
		case O_DB:
			c->db = optarg;
			break;
		case 'r':
			rules_dirs_add(&c->rules, optarg);
			break;
		case O_FAIL_ON:
			c->fail_on = severity_from_name(optarg);
			if (c->fail_on < 0)
				return usage_error(cmd, "invalid --fail-on '%s' (info, low, medium, high, critical)",
						   optarg);
			break;
		case O_HINT:
			c->po.hint = capture_format_from_name(optarg);
			if (c->po.hint == FMT_UNKNOWN || c->po.hint == FMT_NOT_CAPTURE)
				return usage_error(cmd, "unknown --format-hint '%s'", optarg);
			break;
		case O_ENV:
			c->envs = xgrow(c->envs, &c->envs_alloc, c->nenvs + 2, sizeof(*c->envs));
			c->envs[c->nenvs++] = optarg;
			c->envs[c->nenvs] = NULL;
			break;
		case O_IDH:
			c->idh = xgrow(c->idh, &c->idh_alloc, c->nidh + 2, sizeof(*c->idh));
			c->idh[c->nidh++] = optarg;
			c->idh[c->nidh] = NULL;
			break;
		case O_KEEP:
			c->po.keep_secrets = 1;
			break;
		case O_FORCE:
			c->po.force = 1;
			break;
		case O_TICKET:
			c->ticket = optarg;
			break;
		case O_PER_TICKET:
			c->per_ticket = optarg;
			break;
		case 'j': {
			char *end;
			c->jobs = strtol(optarg, &end, 10);
			if (*end || c->jobs < 1 || c->jobs > 256)
				return usage_error(cmd, "invalid --jobs '%s' (1 to 256)", optarg);
			break;
		}
		case 'q':
			c->quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			return usage_error(cmd, NULL);
		}
	}
	c->po.env_files = c->envs;
	c->po.progress = !c->quiet && isatty(STDERR_FILENO);
	return 0;
}

void common_release(struct common *c)
{
	rules_dirs_release(&c->rules);
	free(c->envs);
	free(c->idh);
}

/* Exit status from what the database holds: 3 when some source could not
 * be read, else 1 when a finding is at or above fail_on. */
static int outcome(struct store *st, int fail_on, const char *ticket)
{
	sqlite3_stmt *s = NULL;
	int bad = 0, hit = 0;
	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT COUNT(*) FROM sources WHERE status IN ('error', 'partial') AND "
			       "(?1 IS NULL OR ticket = ?1)",
			       -1, &s, NULL) == SQLITE_OK) {
		if (ticket)
			sqlite3_bind_text(s, 1, ticket, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			bad = sqlite3_column_int64(s, 0) > 0;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (fail_on >= 0 &&
	    sqlite3_prepare_v2(store_db(st),
			       "SELECT f.severity FROM findings f JOIN exchanges e ON e.id = f.exchange_id "
			       "JOIN sources s ON s.id = e.source_id LEFT JOIN rules r ON r.id = f.rule_id "
			       "WHERE f.inconclusive = 0 AND COALESCE(r.priority, 50) > 5 AND "
			       "(?1 IS NULL OR s.ticket = ?1)",
			       -1, &s, NULL) == SQLITE_OK) {
		if (ticket)
			sqlite3_bind_text(s, 1, ticket, -1, SQLITE_STATIC);
		while (!hit && sqlite3_step(s) == SQLITE_ROW)
			hit = severity_from_name((const char *)sqlite3_column_text(s, 0)) >= fail_on;
	}
	sqlite3_finalize(s);
	if (bad)
		return EXIT_INPUT;
	return hit ? EXIT_FINDING : EXIT_DONE;
}

/* Report the sources that could not be read on stderr, GNU style. */
static void print_input_errors(struct store *st)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT path, status, error FROM sources WHERE status IN ('error', 'partial') "
			       "ORDER BY id",
			       -1, &s, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(s, 0);
		const char *status = (const char *)sqlite3_column_text(s, 1);
		const char *err = (const char *)sqlite3_column_text(s, 2);
		error_msg("%s: %s%s", path ? path : "?",
			  status && strcmp(status, "partial") == 0 ? "damaged, complete parts kept: " : "",
			  err ? err : "could not be read");
	}
	sqlite3_finalize(s);
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
	for (size_t i = 1; i < *n; i++)
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	v[*n] = NULL;
	return v;
}

/* Batch import on several processes: worker k imports tickets k, k+N, ...
 * of dir into its own database; the parent merges them in ticket order,
 * so the result is the same as with one job.  Returns 0 or -1. */
static int jobs_import(struct store *st, struct common *c, const char *dir,
		       const unsigned char key[32], char *err, size_t errlen)
{
	size_t n = 0;
	char **entries = ticket_entries(dir, &n);
	char tmpl[] = "/tmp/hartriage-jobs.XXXXXX";
	char *tmpdir = NULL;
	pid_t *pids = NULL;
	long jobs = c->jobs;
	int ret = -1;
	char **envs_abs = NULL;

	if (!entries) {
		snprintf(err, errlen, "cannot read '%s': %s", dir, strerror(errno));
		return -1;
	}
	if ((size_t)jobs > n)
		jobs = n ? (long)n : 1;
	{
		const char *t = getenv("TMPDIR");
		char *pat = xasprintf("%s/hartriage-jobs.XXXXXX", t && t[0] ? t : "/tmp");
		tmpdir = mkdtemp(pat);
		if (!tmpdir) {
			free(pat);
			tmpdir = mkdtemp(tmpl) ? xstrdup(tmpl) : NULL;
		}
	}
	if (!tmpdir) {
		snprintf(err, errlen, "cannot create a temporary folder: %s", strerror(errno));
		goto out;
	}
	/* Workers change into dir: make --env paths absolute first. */
	if (c->nenvs) {
		envs_abs = xcalloc(c->nenvs + 1, sizeof(*envs_abs));
		for (size_t i = 0; i < c->nenvs; i++) {
			char *rp = realpath(c->envs[i], NULL);
			envs_abs[i] = rp ? rp : xstrdup(c->envs[i]);
		}
	}
	fflush(NULL);
	pids = xcalloc((size_t)jobs, sizeof(*pids));
	for (long k = 0; k < jobs; k++) {
		pids[k] = fork();
		if (pids[k] < 0) {
			snprintf(err, errlen, "cannot fork: %s", strerror(errno));
			goto wait;
		}
		if (pids[k] == 0) {
			/* Worker. */
			char *db = xasprintf("%s/w%ld.db", tmpdir, k), werr[512];
			struct store *ws;
			struct pipeline_opts po = c->po;
			struct pipeline_stats stats;
			const char **mine = xcalloc(n + 1, sizeof(*mine));
			size_t m = 0;
			int rc;
			for (size_t i = (size_t)k; i < n; i += (size_t)jobs)
				mine[m++] = entries[i];
			ws = store_open(db, werr, sizeof(werr));
			if (!ws || chdir(dir) != 0)
				_exit(EXIT_INTERNAL);
			po.batch = 0;
			po.progress = 0;
			po.key = key;
			po.env_files = (const char *const *)envs_abs;
			memset(&stats, 0, sizeof(stats));
			rc = m ? pipeline_import(ws, mine, m, &po, &stats, werr, sizeof(werr)) : 0;
			if (rc < 0)
				fprintf(stderr, "%s: %s\n", program_name, werr);
			store_free(ws);
			_exit(rc < 0 ? EXIT_INTERNAL : 0);
		}
	}
wait:
	ret = 0;
	for (long k = 0; k < jobs; k++) {
		int wst;
		if (pids[k] <= 0) {
			ret = -1;
			continue;
		}
		while (waitpid(pids[k], &wst, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0) {
			snprintf(err, errlen, "worker %ld failed", k);
			ret = -1;
		}
	}
	/* Merge in worker order; reports sort by ticket and path, so the
	 * result does not depend on which worker imported what. */
	for (long k = 0; ret == 0 && k < jobs; k++) {
		char *db = xasprintf("%s/w%ld.db", tmpdir, k);
		if (pipeline_merge(st, db, c->po.force, err, errlen) < 0)
			ret = -1;
		free(db);
	}
out:
	if (tmpdir) {
		for (long k = 0; k < jobs; k++) {
			char *db = xasprintf("%s/w%ld.db", tmpdir, k);
			char *wal = xasprintf("%s-wal", db), *shm = xasprintf("%s-shm", db);
			unlink(db);
			unlink(wal);
			unlink(shm);
			free(db);
			free(wal);
			free(shm);
		}
		rmdir(tmpdir);
		if (tmpdir != tmpl)
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

/* A ticket name made safe as a file name. */
static char *ticket_file_name(const char *ticket)
{
	char *s = xstrdup(ticket && ticket[0] ? ticket : "unnamed");
	for (char *p = s; *p; p++)
		if (*p == '/' || *p == '\\' || (unsigned char)*p < 0x20)
			*p = '_';
	if (s[0] == '.')
		s[0] = '_';
	return s;
}

/* A table cell of index.md (ticket names, titles, reasons). */
static void index_cell(FILE *out, const char *s)
{
	report_md_text(out, s, (size_t)-1);
}

/* --per-ticket OUT: OUT/<ticket>.md (or .json) for each ticket, and
 * OUT/index.md, most severe ticket first.  Returns 0 or -1. */
static int write_per_ticket(struct store *st, struct common *c)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s = NULL;
	char err[512];
	int ret = -1;
	FILE *idx = NULL;
	char *path = NULL;

	if (mkdir(c->per_ticket, 0777) != 0 && errno != EEXIST) {
		error_msg("cannot create '%s': %s", c->per_ticket, strerror(errno));
		return -1;
	}
	if (sqlite3_prepare_v2(db, "SELECT DISTINCT COALESCE(ticket, '') FROM sources ORDER BY 1", -1, &s,
			       NULL) != SQLITE_OK)
		goto dberr;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *ticket = (const char *)sqlite3_column_text(s, 0);
		struct report_opts ro;
		char *fname = ticket_file_name(ticket);
		FILE *out;
		free(path);
		path = xasprintf("%s/%s.%s", c->per_ticket, fname, c->format == REPORT_JSON ? "json" : "md");
		free(fname);
		out = open_output(path);
		if (!out)
			goto out;
		memset(&ro, 0, sizeof(ro));
		ro.format = c->format;
		ro.ticket = ticket;
		ro.id_headers = c->idh;
		if (report_write(db, out, &ro, err, sizeof(err)) < 0) {
			error_msg("%s", err);
			close_output(out, path);
			goto out;
		}
		if (close_output(out, path) < 0)
			goto out;
	}
	sqlite3_finalize(s);
	s = NULL;

	free(path);
	path = xasprintf("%s/index.md", c->per_ticket);
	idx = open_output(path);
	if (!idx)
		goto out;
	fputs("# hartriage: tickets\n\n"
	      "| Ticket | Attachments | Unreadable | Exchanges | Leading finding | critical | high | medium | low |\n"
	      "|---|---|---|---|---|---|---|---|---|\n",
	      idx);
	if (sqlite3_prepare_v2(
		    db,
		    "WITH t AS (SELECT COALESCE(ticket, '') AS ticket, COUNT(*) AS att, "
		    "SUM(status IN ('error', 'partial')) AS bad, SUM(exchanges) AS ex FROM sources GROUP BY 1), "
		    "f AS (SELECT COALESCE(s.ticket, '') AS ticket, f.rule_id, f.severity, f.title, "
		    "COALESCE(r.priority, 50) AS prio FROM findings f JOIN exchanges e ON e.id = f.exchange_id "
		    "JOIN sources s ON s.id = e.source_id LEFT JOIN rules r ON r.id = f.rule_id "
		    "WHERE COALESCE(r.priority, 50) > 5), "
		    "c AS (SELECT ticket, SUM(severity = 'critical') AS cr, SUM(severity = 'high') AS hi, "
		    "SUM(severity = 'medium') AS me, SUM(severity = 'low') AS lo FROM f GROUP BY ticket) "
		    "SELECT t.ticket, t.att, t.bad, t.ex, "
		    "(SELECT f.title || ' (' || f.rule_id || ')' FROM f WHERE f.ticket = t.ticket ORDER BY "
		    "CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' "
		    "THEN 3 ELSE 4 END, f.prio DESC, f.rule_id LIMIT 1), "
		    "COALESCE(c.cr, 0), COALESCE(c.hi, 0), COALESCE(c.me, 0), COALESCE(c.lo, 0) "
		    "FROM t LEFT JOIN c ON c.ticket = t.ticket "
		    "ORDER BY COALESCE(c.cr, 0) DESC, COALESCE(c.hi, 0) DESC, COALESCE(c.me, 0) DESC, "
		    "COALESCE(c.lo, 0) DESC, t.bad DESC, t.ticket",
		    -1, &s, NULL) != SQLITE_OK)
		goto dberr;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *ticket = (const char *)sqlite3_column_text(s, 0);
		const char *lead = (const char *)sqlite3_column_text(s, 4);
		char *fname = ticket_file_name(ticket);
		fputs("| [", idx);
		index_cell(idx, ticket);
		fprintf(idx, "](%s.%s) | %lld | %lld | %lld | ", fname,
			c->format == REPORT_JSON ? "json" : "md", (long long)sqlite3_column_int64(s, 1),
			(long long)sqlite3_column_int64(s, 2), (long long)sqlite3_column_int64(s, 3));
		free(fname);
		index_cell(idx, lead ? lead : "none");
		fprintf(idx, " | %lld | %lld | %lld | %lld |\n", (long long)sqlite3_column_int64(s, 5),
			(long long)sqlite3_column_int64(s, 6), (long long)sqlite3_column_int64(s, 7),
			(long long)sqlite3_column_int64(s, 8));
	}
	sqlite3_finalize(s);
	s = NULL;
	{
		sqlite3_stmt *b = NULL;
		int any = 0;
		if (sqlite3_prepare_v2(db,
				       "SELECT COALESCE(ticket, ''), path, status, error FROM sources WHERE status "
				       "IN ('error', 'partial') ORDER BY ticket, path",
				       -1, &b, NULL) == SQLITE_OK) {
			while (sqlite3_step(b) == SQLITE_ROW) {
				if (!any)
					fputs("\n## Attachments that could not be read\n\n", idx);
				any = 1;
				fputs("- ", idx);
				index_cell(idx, (const char *)sqlite3_column_text(b, 0));
				fputs(": ", idx);
				index_cell(idx, (const char *)sqlite3_column_text(b, 1));
				fputs(strcmp((const char *)sqlite3_column_text(b, 2), "partial") == 0
					      ? " (damaged, complete parts kept): "
					      : ": ",
				      idx);
				index_cell(idx, (const char *)sqlite3_column_text(b, 3));
				fputc('\n', idx);
			}
		}
		sqlite3_finalize(b);
	}
	if (close_output(idx, path) < 0) {
		idx = NULL;
		goto out;
	}
	idx = NULL;
	ret = 0;
	goto out;
dberr:
	error_msg("database error: %s", sqlite3_errmsg(db));
out:
	if (idx)
		close_output(idx, path);
	sqlite3_finalize(s);
	free(path);
	return ret;
}

/* The steps shared by analyze, import, match and report. */
int run_steps(struct common *c, int do_import, int do_match, int do_report, char **paths,
	      size_t npaths)
{
	struct store *st = NULL;
	struct rule_set *rs = NULL;
	struct pipeline_stats stats;
	FILE *out = NULL;
	char err[512];
	int ret = EXIT_INTERNAL;

	memset(&stats, 0, sizeof(stats));
	if (do_match) {
		rules_dirs_default(&c->rules);
		rs = load_rules(&c->rules);
		if (!rs) {
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (!do_import && c->db && access(c->db, F_OK) != 0) {
		error_msg("cannot open database '%s': no such file", c->db);
		goto out;
	}
	st = store_open(c->db, err, sizeof(err));
	if (!st) {
		error_msg("cannot open database '%s': %s", c->db ? c->db : "(temporary)", err);
		goto out;
	}
	if (c->db && c->po.keep_secrets)
		chmod(c->db, 0600);
	if (c->po.keep_secrets)
		store_set_meta(st, "keep_secrets", "1");
	if (do_import) {
		struct stat sb;
		int rc;
		c->po.batch = npaths == 1 && stat(paths[0], &sb) == 0 && S_ISDIR(sb.st_mode);
		err[0] = '\0';
		if (c->po.batch && c->jobs > 1) {
			unsigned char key[32];
			pipeline_redaction_key(st, key);
			rc = jobs_import(st, c, paths[0], key, err, sizeof(err));
		} else {
			rc = pipeline_import(st, (const char *const *)paths, npaths, &c->po, &stats, err,
					     sizeof(err));
		}
		if (rc < 0) {
			error_msg("%s", err[0] ? err : "import failed");
			goto out;
		}
		print_input_errors(st);
	}
	if (do_match && pipeline_match(st, rs, NULL, err, sizeof(err)) < 0) {
		error_msg("%s", err);
		goto out;
	}
	if (do_report && c->per_ticket) {
		if (write_per_ticket(st, c) < 0)
			goto out;
	} else if (do_report) {
		struct report_opts ro;
		memset(&ro, 0, sizeof(ro));
		ro.format = c->format;
		ro.ticket = c->ticket;
		ro.id_headers = c->idh;
		out = open_output(c->output);
		if (!out)
			goto out;
		if (report_write(store_db(st), out, &ro, err, sizeof(err)) < 0) {
			error_msg("%s", err);
			close_output(out, c->output);
			goto out;
		}
		if (close_output(out, c->output) < 0)
			goto out;
	}
	ret = outcome(st, c->fail_on, c->ticket);
out:
	store_free(st);
	rule_set_free(rs);
	return ret;
}

