/* cmd-rules.c - "hartriage rules list|lint|test|explain". */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "caps.h"
#include "cli.h"
#include "hstream.h"
#include "import.h"
#include "redact.h"
#include "rule-int.h"
#include "util.h"
#include "walk.h"

#define EXIT_TEST_FAILED 1

/* Print the help of "rules". */
static void rules_usage(FILE *out)
{
	fprintf(out,
		"Usage: %s rules list [--format text|md] [DIR...]\n"
		"       %s rules lint [DIR...]\n"
		"       %s rules test [--benign DIR] [DIR...]\n"
		"       %s rules explain [--rules DIR] RULE CAPTURE[#N]\n"
		"List, check, test or explain failure signatures.\n\n"
		"  list     one line per rule: id, severity, status, 'frag' when it can\n"
		"           fire on a fragment (no host, no status), vendor, title\n"
		"           (--format md: a Markdown table)\n"
		"  lint     check every rule file; diagnostics on stderr as FILE:LINE:COL\n"
		"  test     run every rule's own tests and print TAP; with --benign DIR,\n"
		"           also fail when a rule of severity medium or above fires on\n"
		"           a capture in DIR\n"
		"  explain  import CAPTURE, take its exchange N (default 0) and show each\n"
		"           matcher's result, the condition and the evidence of RULE\n"
		"           (a rule id or a .yaml file)\n\n"
		"Without DIR, the directories analyze reads: $HARTRIAGE_RULES (colon-separated)\n"
		"or else the installed library, then $XDG_CONFIG_HOME/hartriage/rules when it\n"
		"exists; a rule id defined again replaces the earlier one.  'list' says on\n"
		"stderr which directories it read.  'explain --rules DIR' adds DIR to them.\n\n"
		"Exit status: 0 ok, 1 a rule test failed, 2 usage or rule errors,\n"
		"4 internal error.  See docs/rules.md for the rule format.\n",
		program_name, program_name, program_name, program_name);
}

/* Load the rules of dirs, collecting diagnostics: the DIR arguments alone
 * when given (the rules being checked), else the directories analyze reads
 * (cli.h).  Override notes go to notes (may be NULL).  Returns the number
 * of problems (unreadable dirs count). */
static int load_dirs(struct rule_set *rs, int argc, char **argv, struct strlist *diags,
		     struct strlist *notes, struct rules_dirs *used)
{
	struct rules_dirs d = { 0 };
	int i, bad;

	for (i = 0; i < argc; i++)
		rules_dirs_add(&d, argv[i]);
	d.no_default = argc > 0;
	bad = rules_load_into(rs, &d, diags, notes);
	if (used)
		*used = d;
	else
		rules_dirs_release(&d);
	return bad;
}

/* Print every loader diagnostic to stderr, one per line. */
static void print_diags(const struct strlist *diags)
{
	size_t i;

	for (i = 0; i < diags->n; i++)
		fprintf(stderr, "%s\n", diags->v[i]);
}

/* Markdown table cell text: pipes escaped, newlines flattened. */
static void md_cell(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', out);
		else
			fputc(*s, out);
	}
}

/* "rules list": returns an exit status (2 when a rule is invalid). */
static int rules_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rule_set *rs = NULL;
	struct strlist diags = { 0 }, notes = { 0 };
	struct rules_dirs used = { 0 };
	const char *format = "text";
	int c, bad, ret;
	size_t i;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'h':
			rules_usage(stdout);
			return EXIT_DONE;
		default:
			return usage_error("rules", NULL);
		}
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "md") != 0)
		return usage_error("rules", "unknown list format '%s' (text or md)", format);
	rs = rule_set_new();
	bad = load_dirs(rs, argc - optind, argv + optind, &diags, &notes, &used);
	print_diags(&diags);
	if (strcmp(format, "md") == 0) {
		printf("| id | severity | status | vendor | title | fragments |\n|---|---|---|---|---|---|\n");
		for (i = 0; i < rule_set_count(rs); i++) {
			const struct rule *r = rule_set_get(rs, i);
			printf("| `%s` | %s | %s | ", r->id, severity_name(r->severity), r->status);
			md_cell(stdout, r->vendor);
			fputs(" | ", stdout);
			md_cell(stdout, r->title);
			printf(" | %s |\n", rule_fires_on_fragments(r) ? "yes" : "");
		}
	} else {
		for (i = 0; i < rule_set_count(rs); i++) {
			const struct rule *r = rule_set_get(rs, i);
			printf("%-50s %-8s %-12s %-4s %-16s %s\n", r->id, severity_name(r->severity),
			       r->status, rule_fires_on_fragments(r) ? "frag" : "-", r->vendor, r->title);
		}
	}
	/* Where they came from, so a missing house rule is explained; on
	 * stderr, so the list stays one rule a line. */
	fprintf(stderr, "%s: %zu rule%s read from:", program_name, rule_set_count(rs),
		rule_set_count(rs) == 1 ? "" : "s");
	for (i = 0; i < used.n; i++)
		fprintf(stderr, "%s %s (%s)", i ? "," : "", used.v[i], rules_origin_name(used.origin[i]));
	fputc('\n', stderr);
	for (i = 0; i < notes.n; i++)
		fprintf(stderr, "%s: note: %s\n", program_name, notes.v[i]);
	ret = bad ? EXIT_USAGE : EXIT_DONE;
	if (close_output(stdout, NULL) < 0)
		ret = EXIT_INTERNAL;
	rule_set_free(rs);
	strlist_release(&diags);
	strlist_release(&notes);
	rules_dirs_release(&used);
	return ret;
}

/* "rules lint": returns 0, or 2 when any diagnostic was printed. */
static int rules_lint(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rule_set *rs;
	struct strlist diags = { 0 };
	int c, bad;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'h') {
			rules_usage(stdout);
			return EXIT_DONE;
		}
		return usage_error("rules", NULL);
	}
	rs = rule_set_new();
	bad = load_dirs(rs, argc - optind, argv + optind, &diags, NULL, NULL);
	print_diags(&diags);
	if (!bad)
		printf("%zu rule%s, no problems\n", rule_set_count(rs), rule_set_count(rs) == 1 ? "" : "s");
	rule_set_free(rs);
	strlist_release(&diags);
	return bad ? EXIT_USAGE : EXIT_DONE;
}

/* TAP state for "rules test". */
struct tap {
	int n, failed;
};

/* Print one TAP test point and count failures. */
static void tap_point(struct tap *t, int okay, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void tap_point(struct tap *t, int okay, const char *fmt, ...)
{
	va_list ap;

	t->n++;
	if (!okay)
		t->failed++;
	printf("%sok %d - ", okay ? "" : "not ", t->n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Print text as TAP diagnostics, one "# " line each. */
static void tap_diag(const char *text)
{
	const char *p = text, *e;

	while (*p) {
		e = strchr(p, '\n');
		if (!e)
			e = p + strlen(p);
		printf("# %.*s\n", (int)(e - p), p);
		p = *e ? e + 1 : e;
	}
}

/* What one rule test saw. */
struct test_run {
	struct rule_set *rs;
	const struct rule *r;
	long exchanges, fired, inconclusive;
	struct sbuf trace;        /* explain output of the first exchanges */
};

/* Finding callback of a rule test: count fired / inconclusive. */
static int count_finding(void *ctx, const struct rule_finding *f)
{
	struct test_run *tr = ctx;

	if (f->inconclusive)
		tr->inconclusive++;
	else
		tr->fired++;
	return 0;
}

/* Sink of a rule test: trace the first exchanges and match the rule. */
static int test_emit(void *ctx, struct exchange *ex)
{
	struct test_run *tr = ctx;

	if (tr->exchanges < 3) {
		sbuf_addf(&tr->trace, "exchange %ld: %s %s -> %d\n", tr->exchanges,
			  ex->method ? ex->method : "?", ex->url ? ex->url : "?", ex->status);
		rule_explain(tr->rs, tr->r, ex, &tr->trace);
	}
	tr->exchanges++;
	return rule_match_one(tr->rs, tr->r, ex, count_finding, tr);
}

/* Coverage notes do not matter to rule tests. */
static void test_note(void *ctx, enum note_kind kind, long seq, const char *msg)
{
}

/* True when s, after blank lines, starts with a status line: plain
 * `curl -i` output (a response with no request, no curl -v lines). */
static int starts_with_status_line(const char *s)
{
	while (*s == '\n' || *s == '\r' || *s == ' ')
		s++;
	return strncmp(s, "HTTP/", 5) == 0;
}

/* Run test t of rule r; prints one TAP point. */
static void run_rule_test(struct tap *tap, struct rule_set *rs, const struct rule *r, size_t ti)
{
	const struct rule_test *t = &r->tests[ti];
	struct test_run tr;
	struct import_sink sink = { test_emit, test_note, NULL };
	struct import_opts io;
	struct import_result res;
	struct hstream hs;
	char *path = NULL;
	const char *why = NULL;
	int okay;

	memset(&tr, 0, sizeof(tr));
	memset(&io, 0, sizeof(io));
	memset(&res, 0, sizeof(res));
	sbuf_init(&tr.trace);
	tr.rs = rs;
	tr.r = r;
	sink.ctx = &tr;
	io.slurp_cap = (size_t)64 << 20;
	if (t->exchange) {
		hstream_open_mem(&hs, t->exchange, strlen(t->exchange));
		/* plain `curl -i` output is read as such: its body may hold
		 * indented lines (pretty-printed JSON) */
		io.hint = starts_with_status_line(t->exchange) ? FMT_CURL_I : FMT_CURL_V;
		import_curl(&hs, io.hint, &io, &sink, &res);
		hstream_close(&hs);
	} else {
		path = xasprintf("%s/%s", r->dir, t->file);
		if (hstream_open_file(&hs, path) < 0) {
			why = "cannot open the test file";
			sbuf_addf(&tr.trace, "%s: %s\n", path, hs.errmsg);
		} else {
			import_stream(&hs, path, &io, &sink, &res);
			hstream_close(&hs);
		}
	}
	if (!why && tr.exchanges == 0)
		why = "the test input yielded no exchange";
	if (!why && tr.inconclusive && !tr.fired)
		why = "inconclusive: a match limit was hit";
	if (!why && t->expect_match && !tr.fired)
		why = "expected a match, the rule did not fire";
	if (!why && !t->expect_match && tr.fired)
		why = "expected no match, the rule fired";
	okay = why == NULL;
	tap_point(tap, okay, "%s: %s #%zu", r->id, t->expect_match ? "match" : "no-match", ti + 1);
	if (!okay) {
		printf("# %s:%d:%d: %s\n", r->path, t->line, t->col, why);
		if (res.message[0])
			printf("# import: %s\n", res.message);
		tap_diag(sbuf_str(&tr.trace));
	}
	free(path);
	sbuf_release(&tr.trace);
}

/* State of the --benign walk. */
struct benign {
	struct tap *tap;
	struct rule_set *rs;
	struct sbuf hits;
	long nhits;
	long exchanges;
};

/* Record a medium-or-worse conclusive finding on a benign capture. */
static int benign_finding(void *ctx, const struct rule_finding *f)
{
	struct benign *b = ctx;

	if (f->inconclusive || rule_severity(f->rule) < SEV_MEDIUM)
		return 0;
	if (b->nhits++ < 20)
		sbuf_addf(&b->hits, "exchange %ld: %s (%s) fired: %s\n", b->exchanges,
			  rule_id(f->rule), severity_name(rule_severity(f->rule)), f->evidence_json);
	return 0;
}

/* Sink of --benign: run every rule over the exchange. */
static int benign_emit(void *ctx, struct exchange *ex)
{
	struct benign *b = ctx;
	int ret = rule_set_match(b->rs, ex, benign_finding, b);

	b->exchanges++;
	return ret;
}

/* One capture of the --benign walk: one TAP point. */
static int benign_item(void *ctx, const struct walk_item *item, struct hstream *s)
{
	struct benign *b = ctx;
	struct import_sink sink = { benign_emit, test_note, NULL };
	struct import_opts io;
	struct import_result res;

	memset(&io, 0, sizeof(io));
	memset(&res, 0, sizeof(res));
	io.slurp_cap = SLURP_CAP;
	sink.ctx = b;
	sbuf_reset(&b->hits);
	b->nhits = 0;
	b->exchanges = 0;
	rule_set_set_source(b->rs, item->path);
	import_stream(s, item->path, &io, &sink, &res);
	rule_set_set_source(b->rs, NULL);
	if (res.status == IMPORT_NOT_CAPTURE) {
		printf("ok %d - benign: %s # SKIP not a capture\n", ++b->tap->n, item->path);
		return 0;
	}
	tap_point(b->tap, b->nhits == 0, "benign: %s (%ld exchanges)", item->path, b->exchanges);
	if (b->nhits)
		tap_diag(sbuf_str(&b->hits));
	return 0;
}

/* An unreadable benign input is a failing TAP point. */
static void benign_err(void *ctx, const char *path, const char *ticket, const char *msg)
{
	struct benign *b = ctx;

	tap_point(b->tap, 0, "benign: %s: %s", path, msg);
}

/* "rules test": returns 0, 1 when a test failed, 2 on lint errors. */
static int rules_test(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "benign", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rule_set *rs = NULL;
	struct strlist diags = { 0 };
	struct strlist benign_dirs = { 0 };
	struct tap tap = { 0, 0 };
	int c, bad;
	size_t i, j;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			strlist_adds(&benign_dirs, optarg);
			break;
		case 'h':
			rules_usage(stdout);
			strlist_release(&benign_dirs);
			return EXIT_DONE;
		default:
			strlist_release(&benign_dirs);
			return usage_error("rules", NULL);
		}
	}
	rs = rule_set_new();
	bad = load_dirs(rs, argc - optind, argv + optind, &diags, NULL, NULL);
	for (i = 0; i < diags.n; i++)
		tap_point(&tap, 0, "lint: %s", diags.v[i]);
	if (bad && diags.n == 0)
		tap_point(&tap, 0, "lint: rules could not be loaded");
	for (i = 0; i < rule_set_count(rs); i++) {
		const struct rule *r = rule_set_get(rs, i);
		for (j = 0; j < r->ntests; j++)
			run_rule_test(&tap, rs, r, j);
	}
	for (i = 0; i < benign_dirs.n; i++) {
		struct benign b;
		struct walk_opts wo;
		const char *p = benign_dirs.v[i];

		memset(&b, 0, sizeof(b));
		memset(&wo, 0, sizeof(wo));
		b.tap = &tap;
		b.rs = rs;
		sbuf_init(&b.hits);
		walk_caps_default(&wo.caps);
		wo.fn = benign_item;
		wo.err = benign_err;
		wo.ctx = &b;
		walk_paths(&p, 1, &wo);
		sbuf_release(&b.hits);
	}
	printf("1..%d\n", tap.n);
	fflush(stdout);
	rule_set_free(rs);
	strlist_release(&diags);
	strlist_release(&benign_dirs);
	if (bad)
		return EXIT_USAGE;
	return tap.failed ? EXIT_TEST_FAILED : EXIT_DONE;
}

/* State of "rules explain". */
struct explain {
	struct rule_set *rs;
	const struct rule *r;
	long want, seen;
	int done;
	int fired;
	struct redactor *red;     /* explain shows what analyze would store */
};

/* Sink of explain: print the trace of exchange #want. */
static int explain_emit(void *ctx, struct exchange *ex)
{
	struct explain *e = ctx;
	struct sbuf out = SBUF_INIT;
	enum tri t;

	if (e->seen++ != e->want)
		return 0;
	redact_exchange(e->red, ex);
	sbuf_addf(&out, "exchange %ld: %s %s -> ", e->want, ex->method ? ex->method : "?",
		  ex->url ? ex->url : "?");
	if (ex->status == STATUS_UNKNOWN)
		sbuf_adds(&out, "status unknown");
	else
		sbuf_addf(&out, "%d", ex->status);
	if (ex->error)
		sbuf_addf(&out, " (%s)", ex->error);
	sbuf_addc(&out, '\n');
	t = rule_explain(e->rs, e->r, ex, &out);
	fputs(sbuf_str(&out), stdout);
	sbuf_release(&out);
	e->done = 1;
	e->fired = t != T_FALSE;
	return 0;
}

/* One capture of explain: import it until the exchange is found. */
static int explain_item(void *ctx, const struct walk_item *item, struct hstream *s)
{
	struct explain *e = ctx;
	struct import_sink sink = { explain_emit, test_note, NULL };
	struct import_opts io;
	struct import_result res;

	if (e->done)
		return 0;
	memset(&io, 0, sizeof(io));
	memset(&res, 0, sizeof(res));
	io.slurp_cap = SLURP_CAP;
	sink.ctx = e;
	rule_set_set_source(e->rs, item->path);
	import_stream(s, item->path, &io, &sink, &res);
	if (res.status == IMPORT_ERROR || res.status == IMPORT_NOT_CAPTURE)
		error_msg("%s: %s", item->path, res.message[0] ? res.message : "not a capture");
	return 0;
}

/* "rules explain": returns 0, or 2 when the rule or exchange is missing. */
static int rules_explain(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rule_set *rs = NULL;
	struct strlist diags = { 0 };
	struct strlist dirs = { 0 };
	struct explain e;
	struct walk_opts wo;
	struct stat st;
	char *capture = NULL, *hash;
	const char *rule_arg;
	int c, ret = EXIT_USAGE;
	size_t i;

	memset(&e, 0, sizeof(e));
	optind = 0;
	while ((c = getopt_long(argc, argv, "+r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			strlist_adds(&dirs, optarg);
			break;
		case 'h':
			rules_usage(stdout);
			ret = EXIT_DONE;
			goto out;
		default:
			ret = usage_error("rules", NULL);
			goto out;
		}
	}
	if (argc - optind != 2) {
		ret = usage_error("rules", "explain needs RULE and CAPTURE[#N]");
		goto out;
	}
	rule_arg = argv[optind];
	capture = xstrdup(argv[optind + 1]);
	hash = strrchr(capture, '#');
	if (hash && stat(capture, &st) != 0) {
		long n;
		if (parse_long(hash + 1, strlen(hash + 1), &n) != 0 || n < 0) {
			ret = usage_error("rules", "invalid exchange number in '%s'", capture);
			goto out;
		}
		*hash = '\0';
		e.want = n;
	}
	rs = rule_set_new();
	if (stat(rule_arg, &st) == 0 && S_ISREG(st.st_mode)) {
		rule_set_load_file(rs, rule_arg, &diags);
		e.r = rule_set_count(rs) ? rule_set_get(rs, 0) : NULL;
	} else {
		/* --rules adds to the directories analyze reads. */
		struct rules_dirs d = { 0 };
		for (i = 0; i < dirs.n; i++)
			rules_dirs_add(&d, dirs.v[i]);
		rules_load_into(rs, &d, &diags, NULL);
		rules_dirs_release(&d);
		for (i = 0; i < rule_set_count(rs); i++)
			if (strcmp(rule_id(rule_set_get(rs, i)), rule_arg) == 0)
				e.r = rule_set_get(rs, i);
	}
	print_diags(&diags);
	if (!e.r) {
		error_msg("no valid rule '%s'", rule_arg);
		goto out;
	}
	if (stat(capture, &st) != 0) {
		error_msg("cannot read '%s': %s", capture, strerror(errno));
		goto out;
	}
	e.rs = rs;
	{
		unsigned char key[32];
		redact_key_for_file(capture, key);
		e.red = redactor_new(key, sizeof(key));
	}
	memset(&wo, 0, sizeof(wo));
	walk_caps_default(&wo.caps);
	wo.fn = explain_item;
	wo.ctx = &e;
	{
		const char *p = capture;
		walk_paths(&p, 1, &wo);
	}
	if (!e.done) {
		error_msg("'%s' has no exchange #%ld (%ld found)", capture, e.want, e.seen);
		goto out;
	}
	ret = close_output(stdout, NULL) < 0 ? EXIT_INTERNAL : EXIT_DONE;
out:
	free(capture);
	redactor_free(e.red);
	rule_set_free(rs);
	strlist_release(&diags);
	strlist_release(&dirs);
	return ret;
}

/* Entry point: argv[0] is "rules", argv[1] the action. */
int cmd_rules(int argc, char **argv)
{
	const char *action;

	if (argc < 2) {
		rules_usage(stderr);
		return EXIT_USAGE;
	}
	action = argv[1];
	/* getopt names argv[0] in its messages: one prefix, "hartriage: ". */
	argv[1] = (char *)program_name;
	if (strcmp(action, "--help") == 0 || strcmp(action, "-h") == 0 || strcmp(action, "help") == 0) {
		rules_usage(stdout);
		return EXIT_DONE;
	}
	if (strcmp(action, "list") == 0)
		return rules_list(argc - 1, argv + 1);
	if (strcmp(action, "lint") == 0)
		return rules_lint(argc - 1, argv + 1);
	if (strcmp(action, "test") == 0)
		return rules_test(argc - 1, argv + 1);
	if (strcmp(action, "explain") == 0)
		return rules_explain(argc - 1, argv + 1);
	return usage_error("rules", "unknown rules action '%s'", action);
}
