/* cmd-common.c - options and steps shared by analyze, import, match, report. */
#include <config.h>

#include <getopt.h>
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
	enum { O_DB = 256, O_FAIL_ON, O_HINT, O_ENV, O_KEEP, O_FORCE, O_IDH, O_TICKET };
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
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *cmd = argv[0];
	int ch;

	c->fail_on = -1;
	c->format = REPORT_MD;
	c->po.hint = FMT_UNKNOWN;
	while ((ch = getopt_long(argc, argv, "o:f:r:qh", opts, NULL)) != -1) {
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
		c->po.batch = npaths == 1 && stat(paths[0], &sb) == 0 && S_ISDIR(sb.st_mode);
		if (pipeline_import(st, (const char *const *)paths, npaths, &c->po, &stats, err,
				    sizeof(err)) < 0) {
			error_msg("%s", err[0] ? err : "import failed");
			goto out;
		}
		print_input_errors(st);
	}
	if (do_match && pipeline_match(st, rs, NULL, err, sizeof(err)) < 0) {
		error_msg("%s", err);
		goto out;
	}
	if (do_report) {
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

