/* cmd-common.c - options and steps shared by analyze, import, match, report. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd-common.h"
#include "pool.h"
#include "shard.h"
#include "util.h"
#include "walk.h"

/* Page cache, KiB, of the database a batch folder goes into (see run_steps). */
#define BATCH_CACHE_KIB 4096

/* The signal (SIGINT, SIGTERM) that stops the run, or 0. */
static volatile sig_atomic_t interrupted;

/* Parse the options of analyze/import/match/report. */
int parse_common(int argc, char **argv, struct common *c, void (*usage)(FILE *))
{
	enum { O_DB = 256, O_FAIL_ON, O_HINT, O_ENV, O_KEEP, O_FORCE, O_IDH, O_TICKET, O_PER_TICKET,
	       O_NO_WAIT, O_NAME, O_NO_DEFAULT_RULES, O_SHARD, O_KEY_FILE };
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
		{"no-wait", no_argument, NULL, O_NO_WAIT},
		{"name", required_argument, NULL, O_NAME},
		{"no-default-rules", no_argument, NULL, O_NO_DEFAULT_RULES},
		{"shard", required_argument, NULL, O_SHARD},
		{"key-file", required_argument, NULL, O_KEY_FILE},
		{"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *cmd = argv[0];
	int ch, want_version = 0;

	/* getopt names argv[0] in its messages: one prefix, "hartriage: ". */
	argv[0] = (char *)program_name;
	c->fail_on = -1;
	c->format = REPORT_MD;
	c->po.hint = FMT_UNKNOWN;
	c->jobs = 1;
	while ((ch = getopt_long(argc, argv, "o:f:r:j:qvVh", opts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			c->output = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "md") == 0 || strcmp(optarg, "markdown") == 0)
				c->format = REPORT_MD;
			else if (strcmp(optarg, "json") == 0)
				c->format = REPORT_JSON;
			else if (strcmp(optarg, "html") == 0 && report_html_available())
				c->format = REPORT_HTML;
			else if (strcmp(optarg, "html") == 0)
				return usage_error(cmd, "--format html needs libcmark-gfm; this hartriage was "
						   "built without it");
			else
				return usage_error(cmd, "invalid --format '%s' (md, json or html)", optarg);
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
		case O_NO_WAIT:
			c->no_wait = 1;
			break;
		case O_NO_DEFAULT_RULES:
			c->rules.no_default = 1;
			break;
		case O_SHARD: {
			char why[160];
			if (shard_parse(optarg, &c->shard, why, sizeof(why)) < 0)
				return usage_error(cmd, "invalid --shard '%s': %s", optarg, why);
			c->po.shard = &c->shard;
			break;
		}
		case O_KEY_FILE:
			c->key_file = optarg;
			break;
		case O_NAME:
			if (!optarg[0] || strchr(optarg, '/') || strcmp(optarg, ".") == 0 ||
			    strcmp(optarg, "..") == 0)
				return usage_error(cmd, "invalid --name '%s' (a file name, no '/')", optarg);
			c->po.stdin_name = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			want_version = 1;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			return usage_error(cmd, NULL);
		}
	}
	if (want_version) {
		/* After the loop, so --rules and --no-default-rules count. */
		print_version(stdout, &c->rules);
		return close_output(stdout, NULL) < 0 ? EXIT_INTERNAL : -1;
	}
	c->po.env_files = c->envs;
	return 0;
}

int check_inputs(const char *cmd, const struct common *c, char **paths, size_t npaths)
{
	size_t dashes = 0;
	for (size_t i = 0; i < npaths; i++)
		dashes += strcmp(paths[i], "-") == 0;
	if (dashes > 1)
		return usage_error(cmd, "standard input ('-') can be read only once");
	if (c->po.stdin_name && !dashes)
		return usage_error(cmd, "--name names standard input, but '-' is not among the inputs");
	return 0;
}

void common_release(struct common *c)
{
	rules_dirs_release(&c->rules);
	free(c->envs);
	free(c->idh);
}

struct sev_check {
	int fail_on;
	int hit;
};

static int check_severity(void *ctx, const char *severity)
{
	struct sev_check *c = ctx;
	c->hit = severity_from_name(severity) >= c->fail_on;
	return c->hit;
}

/* Exit status from what the database holds: 3 when some source could not
 * be read, else 1 when a finding is at or above fail_on. */
static int outcome(struct store *st, int fail_on, const char *ticket)
{
	struct sev_check c = {fail_on, 0};
	if (store_count_unreadable(st, ticket) > 0)
		return EXIT_INPUT;
	if (fail_on >= 0)
		store_each_finding_severity(st, ticket, check_severity, &c);
	return c.hit ? EXIT_FINDING : EXIT_DONE;
}

static void print_input_error(void *ctx, const char *path, const char *status, const char *err)
{
	(void)ctx;
	error_msg("%s: %s%s", path ? path : "?",
		  status && strcmp(status, "partial") == 0 ? "damaged, complete parts kept: " : "",
		  err ? err : "could not be read");
}

/* The progress line on a terminal, at most once a second: what is being
 * read (bytes of the current file from the first second), then matching,
 * then writing.  Each phase overwrites the line; "\033[K" clears its rest. */
struct progress_line {
	long last;
	long total;             /* matching: exchanges in the database */
};

static const char *plural(long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void print_progress(void *ctx, const struct pipeline_progress *p)
{
	struct progress_line *l = ctx;
	if (!p->final && !p->current && p->seconds == l->last)
		return;
	l->last = p->seconds;
	fputc('\r', stderr);
	if (p->current) {
		fprintf(stderr, "hartriage: reading %s: %.1f MB", p->current, (double)p->current_bytes / 1e6);
		if (p->current_size > 0)
			fprintf(stderr, " of %.1f MB", (double)p->current_size / 1e6);
		fprintf(stderr, ", %ld %s so far, %lds", p->exchanges,
			plural(p->exchanges, "exchange", "exchanges"), p->seconds);
	} else if (p->tickets_total) {
		fprintf(stderr, "hartriage: ticket %ld/%ld, %ld %s, %.1f MB read, %lds",
			p->tickets_done, p->tickets_total, p->sources,
			plural(p->sources, "attachment", "attachments"), (double)p->bytes / 1e6, p->seconds);
	} else {
		fprintf(stderr, "hartriage: %ld %s, %.1f MB read, %ld %s, %lds", p->sources,
			plural(p->sources, "attachment", "attachments"), (double)p->bytes / 1e6,
			p->exchanges, plural(p->exchanges, "exchange", "exchanges"), p->seconds);
	}
	fputs("\033[K", stderr);
	if (p->final)
		fputc('\n', stderr);
	fflush(stderr);
}

static void print_match_progress(void *ctx, const struct pipeline_progress *p)
{
	struct progress_line *l = ctx;
	fprintf(stderr, "\rhartriage: matching: %ld of %ld %s, %lds\033[K%s", p->matched, l->total,
		plural(l->total, "exchange", "exchanges"), p->seconds, p->final ? "\n" : "");
	fflush(stderr);
}

/* The last phase on the progress line. */
static void print_writing(const struct common *c, const char *what)
{
	if (c->quiet || !isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\rhartriage: writing %s\033[K", what);
	fflush(stderr);
}

static void end_progress(const struct common *c)
{
	if (c->quiet || !isatty(STDERR_FILENO))
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
}

/* Write ticket's report to OUT/<ticket>.<format>.  Prints nothing: 0, or
 * -1 with err filled. */
static int write_ticket(struct report_writer *w, const struct common *c, const char *ticket,
			char *err, size_t errlen)
{
	char *fname = report_ticket_file_name(ticket);
	char *path = xasprintf("%s/%s.%s", c->per_ticket, fname,
			       c->format == REPORT_JSON ? "json" : c->format == REPORT_HTML ? "html" : "md");
	FILE *out = fopen(path, "w");
	int rc = -1;
	free(fname);
	if (!out) {
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
	} else if (report_writer_write(w, out, ticket, err, errlen) < 0) {
		fclose(out);
	} else if (ferror(out) | fclose(out)) {
		snprintf(err, errlen, "write error on '%s': %s", path, strerror(errno));
	} else {
		rc = 0;
	}
	free(path);
	return rc;
}

struct ticket_share {
	const struct common *c;
	const struct report_opts *ro;
	char **tickets;
	size_t n;
};

/* The reports of tickets k, k + jobs, ... (a pool_each() worker). */
static int write_share(void *ctx, struct store *ws, long k, long jobs, char *err, size_t errlen)
{
	const struct ticket_share *sh = ctx;
	struct report_writer *w = report_writer_new(ws, sh->ro, err, errlen);
	int rc = 0;
	if (!w)
		return -1;
	for (size_t i = (size_t)k; rc == 0 && i < sh->n && !interrupted; i += (size_t)jobs)
		rc = write_ticket(w, sh->c, sh->tickets[i], err, errlen);
	report_writer_free(w);
	return rc;
}

/* --per-ticket OUT: OUT/<ticket>.md (or .json) for each ticket, and
 * OUT/index.md, most severe ticket first.  With --jobs, the reports are
 * written on that many processes.  shard_of_all (report --shard K/N):
 * only the tickets of shard K, and index.md only for K == 0, so that N
 * report jobs over one merged database write each file once.  Returns 0
 * or -1. */
static int write_per_ticket(struct store *st, struct common *c, int shard_of_all)
{
	char **tickets = NULL;
	size_t ntickets = 0;
	struct report_writer *w = NULL;
	struct report_opts ro;
	char err[512];
	int ret = -1;
	FILE *out = NULL;
	char *path = NULL;

	if (mkdir(c->per_ticket, 0777) != 0 && errno != EEXIST) {
		error_msg("cannot create '%s': %s", c->per_ticket, strerror(errno));
		return -1;
	}
	memset(&ro, 0, sizeof(ro));
	ro.format = c->format;
	ro.id_headers = c->idh;
	if (!(tickets = report_tickets(st, &ntickets, err, sizeof(err)))) {
		error_msg("%s", err);
		goto out;
	}
	if (shard_of_all && c->po.shard) {
		/* --shard: another report job writes the other tickets */
		size_t m = 0;
		for (size_t i = 0; i < ntickets; i++) {
			if (shard_holds(c->po.shard, tickets[i]))
				tickets[m++] = tickets[i];
			else
				free(tickets[i]);
		}
		tickets[m] = NULL;
		ntickets = m;
	}
	if (c->jobs > 1 && ntickets > 1) {
		struct ticket_share sh = {c, &ro, tickets, ntickets};
		long jobs = (size_t)c->jobs > ntickets ? (long)ntickets : c->jobs;
		err[0] = '\0';
		if (pool_each(st, c->db, jobs, write_share, &sh, &interrupted, err, sizeof(err)) < 0) {
			if (!interrupted)
				error_msg("%s", err);
			goto out;
		}
	} else {
		if (!(w = report_writer_new(st, &ro, err, sizeof(err)))) {
			error_msg("%s", err);
			goto out;
		}
		for (size_t i = 0; i < ntickets; i++) {
			if (write_ticket(w, c, tickets[i], err, sizeof(err)) < 0) {
				error_msg("%s", err);
				goto out;
			}
			if (interrupted) {
				/* The report just written is complete; stop here. */
				goto out;
			}
		}
	}
	if (interrupted)
		goto out;
	if (shard_of_all && c->po.shard && c->shard.k != 0) {
		/* index.md lists every ticket: shard 0's job writes it. */
		ret = 0;
		goto out;
	}
	path = xasprintf("%s/index.md", c->per_ticket);
	out = open_output(path);
	if (!out)
		goto out;
	if (report_write_index(st, out, c->format, err, sizeof(err)) < 0) {
		error_msg("%s", err);
		close_output(out, path);
		goto out;
	}
	if (close_output(out, path) < 0)
		goto out;
	ret = 0;
out:
	report_writer_free(w);
	report_tickets_free(tickets);
	free(path);
	return ret;
}

/* SIGINT/SIGTERM: the run stops at the next exchange, the source being
 * imported is rolled back, partial outputs are removed, the database is
 * closed (which checkpoints its WAL), then the signal ends the process. */
static void on_signal(int sig)
{
	interrupted = sig;
}

static void catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: a wait for a worker returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* End the process by the signal that interrupted it. */
static void die_by_signal(void)
{
	int sig = interrupted;
	signal(sig, SIG_DFL);
	raise(sig);
	exit(EXIT_INTERNAL);
}

/* Another process holds the write lock: said once, on a terminal. */
static void print_wait(void *ctx, const char *path)
{
	(void)ctx;
	fprintf(stderr, "\r%s: waiting for another process writing to '%s' (--no-wait to fail instead)\n",
		program_name, path);
	fflush(stderr);
}

/* The message for a database failure. */
static void db_failure(struct store *st, const struct common *c, const char *err)
{
	if (st && store_locked(st))
		error_msg("database '%s' is being written by another process; stopped (--no-wait). "
			  "Sources imported before are kept: run again to import the rest",
			  c->db ? c->db : "(temporary)");
	else
		error_msg("%s", err && err[0] ? err : "database error");
}

/* Before any report is written: a run that has nothing to report says so
 * in one line and returns EXIT_NOTHING (no HTTP exchange in the inputs,
 * --ticket naming no ticket, rules that never ran over the database);
 * else 0. */
static int nothing_to_report(struct store *st, const struct common *c, int do_import,
			     int do_match, int do_report)
{
	const char *db = c->db ? c->db : "(temporary)";
	long sources, exchanges, notcap, unreadable;

	if (c->ticket && (do_report || do_match)) {
		sources = store_count(st, STORE_COUNT_SOURCES, c->ticket);
		if (sources < 0)
			goto db_error;
		if (sources == 0) {
			char err[256];
			size_t n = 0;
			char **t = report_tickets(st, &n, err, sizeof(err));
			char *list = xstrdup("");
			for (size_t i = 0; t && i < n && i < 5; i++) {
				char *more = xasprintf("%s%s'%s'", list, i ? ", " : "", t[i]);
				free(list);
				list = more;
			}
			error_msg("no ticket '%s' in database '%s' (its tickets: %s%s)", c->ticket, db,
				  list, n > 5 ? ", ..." : "");
			free(list);
			report_tickets_free(t);
			return EXIT_NOTHING;
		}
	}
	sources = store_count(st, STORE_COUNT_SOURCES, c->ticket);
	exchanges = store_count(st, STORE_COUNT_EXCHANGES, c->ticket);
	notcap = store_count(st, STORE_COUNT_NOT_CAPTURE, c->ticket);
	unreadable = store_count_unreadable(st, c->ticket);
	if (sources < 0 || exchanges < 0 || notcap < 0 || unreadable < 0)
		goto db_error;
	if (exchanges == 0) {
		/* import alone stored what it read (the sources say what they
		 * are): a warning; analysis and reports stop here. */
		void (*say)(const char *, ...) = do_import && !do_match && !do_report ? warning_msg
										     : error_msg;
		if (sources == 0 && c->po.shard)
			say("nothing to analyze: no ticket of the inputs falls in shard %lu/%lu",
			    c->shard.k, c->shard.n);
		else if (sources == 0)
			say("nothing to analyze: the inputs hold no file");
		else
			say("nothing to analyze: no HTTP request or response in %ld attachment%s "
			    "(%ld not a capture, %ld unreadable)",
			    sources, sources == 1 ? "" : "s", notcap, unreadable);
		/* an input that could not be read is the first thing to fix */
		if (say == warning_msg)
			return 0;
		return unreadable > 0 ? EXIT_INPUT : EXIT_NOTHING;
	}
	if (do_report && !do_match) {
		long rules = store_count(st, STORE_COUNT_RULES, NULL);
		if (rules < 0)
			goto db_error;
		if (rules == 0) {
			error_msg("the rules never ran over database '%s': run '%s match --db %s' first",
				  db, program_name, db);
			return EXIT_NOTHING;
		}
	}
	return 0;
db_error:
	db_failure(st, c, store_errmsg(st));
	return EXIT_INTERNAL;
}

/* --key-file: every ticket's redaction key comes from the file's key (as
 * from a database's own key).  A database keeps the key's id, never the
 * key: its tickets were all redacted with that key, or the same secret
 * would get two fingerprints within a ticket.  Returns 0 or -1. */
static int use_key_file(struct store *st, struct common *c, unsigned char key[32])
{
	char id[17], err[512];
	char *held;
	int ret = -1;

	struct stat sb;

	if (shard_key_file(c->key_file, key, id, err, sizeof(err)) < 0) {
		error_msg("%s", err);
		return -1;
	}
	if (!c->quiet && stat(c->key_file, &sb) == 0 && (sb.st_mode & 0077))
		warning_msg("key file '%s' can be read by other users: whoever reads it can test "
			    "guessed secrets against the fingerprints (chmod 600 it)", c->key_file);
	c->po.key = key;
	c->po.key_mode = KEY_PER_TICKET;
	if (!c->db)
		return 0;
	held = store_get_meta(st, "redact_key_id");
	if (held && strcmp(held, id) != 0) {
		error_msg("database '%s' holds tickets redacted with another key file (key id %s, "
			  "this one's is %s): give that key file, or use a new database",
			  c->db, held, id);
	} else if (!held && store_has_sources(st) > 0) {
		error_msg("database '%s' holds tickets redacted with its own key: a --key-file "
			  "can only start a new database", c->db);
	} else if (!held && store_set_meta(st, "redact_key_id", id) < 0) {
		db_failure(st, c, store_errmsg(st));
	} else {
		ret = 0;
	}
	free(held);
	return ret;
}

/* A database started with --key-file takes no ticket without it. */
static int refuse_own_key(struct store *st, const struct common *c)
{
	char *held = store_get_meta(st, "redact_key_id");
	if (!held)
		return 0;
	error_msg("database '%s' was started with --key-file (key id %s): give the same --key-file",
		  c->db, held);
	free(held);
	return -1;
}

/* The steps shared by analyze, import, match and report. */
int run_steps(struct common *c, int do_import, int do_match, int do_report, char **paths,
	      size_t npaths)
{
	struct store *st = NULL;
	struct rule_set *rs = NULL;
	struct pipeline_stats stats;
	struct store_wait sw;
	FILE *out = NULL;
	char err[512];
	unsigned char key_file_key[32];
	int ret = EXIT_INTERNAL, pooled = 0;

	memset(&stats, 0, sizeof(stats));
	catch_signals();
	if (do_match) {
		rs = load_rules(&c->rules, c->quiet);
		if (!rs) {
			ret = EXIT_USAGE;
			goto out;
		}
		if (verbose) {
			fprintf(stderr, "%s: %zu rules read from:", program_name, rule_set_count(rs));
			for (size_t i = 0; i < c->rules.n; i++)
				fprintf(stderr, "%s %s (%s)", i ? "," : "", c->rules.v[i],
					rules_origin_name(c->rules.origin[i]));
			fputc('\n', stderr);
		}
	}
	if (!do_import && c->db && access(c->db, F_OK) != 0) {
		error_msg("cannot open database '%s': no such file", c->db);
		goto out;
	}
	memset(&sw, 0, sizeof(sw));
	sw.no_wait = c->no_wait;
	sw.interrupted = &interrupted;
	if (!c->quiet && isatty(STDERR_FILENO))
		sw.on_wait = print_wait;
	st = store_open_wait(c->db, &sw, err, sizeof(err));
	if (!st) {
		if (interrupted)
			goto out;
		error_msg("cannot open database '%s': %s%s", c->db ? c->db : "(temporary)", err,
			  c->no_wait && strstr(err, "another process") ? " (--no-wait)" : "");
		goto out;
	}
	if (!c->db && store_defer_indexes(st) < 0) {
		db_failure(st, c, store_errmsg(st));
		goto out;
	}
	if (c->db && c->po.keep_secrets)
		chmod(c->db, 0600);
	if (c->po.keep_secrets && store_set_meta(st, "keep_secrets", "1") < 0) {
		db_failure(st, c, store_errmsg(st));
		goto out;
	}
	c->po.interrupted = &interrupted;
	if (do_import && c->key_file && use_key_file(st, c, key_file_key) < 0)
		goto out;
	if (do_import && !c->key_file && c->db && refuse_own_key(st, c) < 0)
		goto out;
	if (do_import) {
		struct stat sb;
		struct progress_line pl = {-1, 0};
		int rc;
		if (!c->quiet && isatty(STDERR_FILENO)) {
			c->po.progress = print_progress;
			c->po.progress_ctx = &pl;
		}
		for (size_t i = 0; i < npaths; i++)
			if (strcmp(paths[i], "-") == 0 && isatty(STDIN_FILENO) && !c->quiet)
				fprintf(stderr, "%s: reading standard input; paste, then press Ctrl-D\n",
					program_name);
		/* One folder: a batch of tickets, or one ticket (walk_is_batch). */
		c->po.batch = npaths == 1 && stat(paths[0], &sb) == 0 && S_ISDIR(sb.st_mode);
		c->po.one_ticket = c->po.batch && !walk_is_batch(paths[0]);
		/* A batch is stored, sequenced and reported a ticket at a
		 * time: 4 MiB of page cache hold a ticket, and the store's
		 * 16 MiB (for one large capture) would only fill as the batch
		 * grows (10,000 tickets, -j 2: parent peak RSS 32.9 to 20.9 MB,
		 * the same CPU). */
		if (c->po.batch && !c->po.one_ticket && store_set_cache(st, BATCH_CACHE_KIB) < 0) {
			db_failure(st, c, store_errmsg(st));
			goto out;
		}
		err[0] = '\0';
		/* analyze's own new database: each exchange is matched as it
		 * is stored (by the --jobs workers, in parallel), not read
		 * back afterwards */
		if (do_match && !c->db) {
			if (pipeline_match_begin(st, rs, err, sizeof(err)) < 0) {
				db_failure(st, c, err);
				goto out;
			}
			c->po.match_rs = rs;
		}
		if (c->po.batch && !c->po.one_ticket && c->jobs > 1) {
			unsigned char key[32];
			if (c->key_file)
				memcpy(key, key_file_key, sizeof(key));
			else
				c->po.key_mode = pipeline_redaction_key(st, key);
			rc = pool_import(st, paths[0], c->jobs, &c->po, key, err, sizeof(err));
			pooled = 1;
		} else {
			rc = pipeline_import(st, (const char *const *)paths, npaths, &c->po, &stats, err,
					     sizeof(err));
		}
		if (rc < 0) {
			if (!interrupted)
				db_failure(st, c, err[0] ? err : "import failed");
			goto out;
		}
		store_each_unreadable(st, print_input_error, NULL);
		if (verbose)
			fprintf(stderr, "%s: imported %ld exchange%s from %ld attachment%s%s "
				"(%ld not a capture, %ld unreadable, %ld already stored)\n",
				program_name, store_count(st, STORE_COUNT_EXCHANGES, NULL),
				store_count(st, STORE_COUNT_EXCHANGES, NULL) == 1 ? "" : "s",
				store_count(st, STORE_COUNT_SOURCES, NULL),
				store_count(st, STORE_COUNT_SOURCES, NULL) == 1 ? "" : "s",
				c->po.batch ? (c->po.one_ticket ? ", one ticket" : ", one ticket per entry")
					    : "",
				store_count(st, STORE_COUNT_NOT_CAPTURE, NULL),
				store_count_unreadable(st, NULL), stats.duplicates);
		if (verbose && c->po.shard && !(c->po.batch && !c->po.one_ticket && c->jobs > 1))
			fprintf(stderr, "%s: shard %lu/%lu: %ld ticket%s of the inputs left to the other "
				"shards\n", program_name, c->shard.k, c->shard.n, stats.other_shards,
				stats.other_shards == 1 ? "" : "s");
	}
	/* the indexes left out of the bulk load, before the sequence pass and
	 * the reports query by exchange and ticket */
	if (store_index(st) < 0) {
		db_failure(st, c, store_errmsg(st));
		goto out;
	}
	if (do_match && c->po.match_rs) {
		/* matched while read; what is left is reading the findings as
		 * a sequence */
		long total = store_count(st, STORE_COUNT_EXCHANGES, NULL);
		if (!c->quiet && isatty(STDERR_FILENO) && total > 0) {
			fprintf(stderr, "\rhartriage: matching %ld %s: the findings as a sequence\033[K",
				total, plural(total, "exchange", "exchanges"));
			fflush(stderr);
		}
		if (pipeline_match_end(st, err, sizeof(err)) < 0) {
			if (!interrupted)
				db_failure(st, c, err);
			goto out;
		}
		if (verbose) {
			long nf = pooled ? store_count(st, STORE_COUNT_FINDINGS, NULL) : stats.findings;
			fprintf(stderr, "%s: ran %zu rules: %ld finding%s\n", program_name,
				rule_set_count(rs), nf, nf == 1 ? "" : "s");
		}
	} else if (do_match) {
		long nfindings = 0;
		struct progress_line ml = {-1, store_count(st, STORE_COUNT_EXCHANGES, NULL)};
		int tty = !c->quiet && isatty(STDERR_FILENO);
		if (tty && ml.total > 0) {
			fprintf(stderr, "\rhartriage: matching %ld %s\033[K", ml.total,
				plural(ml.total, "exchange", "exchanges"));
			fflush(stderr);
		}
		if (pipeline_match_progress(st, rs, &interrupted, tty ? print_match_progress : NULL, &ml,
					    &nfindings, err, sizeof(err)) < 0) {
			if (!interrupted)
				db_failure(st, c, err);
			goto out;
		}
		if (verbose)
			fprintf(stderr, "%s: ran %zu rules: %ld finding%s\n", program_name,
				rule_set_count(rs), nfindings, nfindings == 1 ? "" : "s");
	}
	ret = nothing_to_report(st, c, do_import, do_match, do_report);
	if (ret)
		goto out;
	ret = EXIT_INTERNAL;
	if (do_report && c->per_ticket) {
		print_writing(c, "the ticket reports");
		/* report --shard: a share of a merged database's tickets;
		 * analyze --shard imported only its own */
		if (write_per_ticket(st, c, !do_import) < 0)
			goto out;
		end_progress(c);
	} else if (do_report) {
		struct report_opts ro;
		memset(&ro, 0, sizeof(ro));
		ro.format = c->format;
		ro.ticket = c->ticket;
		ro.id_headers = c->idh;
		out = open_output(c->output);
		if (!out)
			goto out;
		print_writing(c, "the report");
		if (out == stdout && isatty(STDOUT_FILENO))
			end_progress(c);
		if (report_write(st, out, &ro, err, sizeof(err)) < 0) {
			error_msg("%s", err);
			close_output(out, c->output);
			goto out;
		}
		end_progress(c);
		if (close_output(out, c->output) < 0 || interrupted) {
			/* A report cut short is not left behind. */
			if (interrupted && c->output && strcmp(c->output, "-") != 0)
				unlink(c->output);
			goto out;
		}
	}
	ret = outcome(st, c->fail_on, c->ticket);
out:
	memset(key_file_key, 0, sizeof(key_file_key));
	store_free(st);
	c->po.match_rs = NULL;
	rule_set_free(rs);
	if (interrupted) {
		error_msg("interrupted: the source being imported (or the matching) was rolled back; "
			  "what was stored before is kept");
		die_by_signal();
	}
	return ret;
}
