/* cli.c - helpers shared by the subcommands. */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include <archive.h>
#include <jansson.h>
#include <nettle/version.h>
#include <pcre2.h>
#include "store.h"
#include <yaml.h>

#include "cli.h"
#include "report-util.h"
#include "rule-int.h"
#include "util.h"

const char *program_name = "hartriage";
int verbose;

void error_msg(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", program_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void warning_msg(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: warning: ", program_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	if (fmt) {
		fprintf(stderr, "%s: ", program_name);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	fprintf(stderr, "Try '%s%s%s --help' for more information.\n", program_name,
		cmd ? " " : "", cmd ? cmd : "");
	return EXIT_USAGE;
}

/* Append dir with its origin unless the same folder is there already. */
static void dirs_push(struct rules_dirs *d, const char *dir, enum rules_origin o)
{
	char *real = realpath(dir, NULL);
	for (size_t i = 0; i < d->n; i++) {
		char *other = realpath(d->v[i], NULL);
		int same = real && other ? strcmp(real, other) == 0 : strcmp(dir, d->v[i]) == 0;
		free(other);
		if (same) {
			free(real);
			return;
		}
	}
	free(real);
	d->v = xgrow(d->v, &d->alloc, d->n + 1, sizeof(*d->v));
	d->origin = xgrow(d->origin, &d->origin_alloc, d->n + 1, sizeof(*d->origin));
	d->origin[d->n] = o;
	d->v[d->n++] = xstrdup(dir);
}

void rules_dirs_add(struct rules_dirs *d, const char *dir)
{
	dirs_push(d, dir, RULES_OPTION);
	d->given = d->n;
}

char *rules_user_dir(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	/* The XDG base directory spec: a relative path is ignored. */
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/hartriage/rules", xdg);
	if (home && home[0])
		return xasprintf("%s/.config/hartriage/rules", home);
	return NULL;
}

const char *rules_origin_name(enum rules_origin o)
{
	switch (o) {
	case RULES_LIBRARY:
		return "library";
	case RULES_ENV:
		return "$HARTRIAGE_RULES";
	case RULES_USER:
		return "user";
	case RULES_OPTION:
		break;
	}
	return "--rules";
}

void rules_dirs_resolve(struct rules_dirs *d)
{
	struct rules_dirs all = {0};
	const char *env = getenv("HARTRIAGE_RULES");
	struct stat sb;
	char *user;

	if (d->resolved)
		return;
	d->resolved = 1;
	if (d->no_default)
		return;
	if (env && env[0]) {
		char *copy = xstrdup(env), *save = NULL, *tok;
		for (tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save))
			if (tok[0])
				dirs_push(&all, tok, RULES_ENV);
		free(copy);
	}
	if (!all.n)
		dirs_push(&all, PKGDATADIR "/rules", RULES_LIBRARY);
	user = rules_user_dir();
	if (user && stat(user, &sb) == 0 && S_ISDIR(sb.st_mode))
		dirs_push(&all, user, RULES_USER);
	free(user);
	for (size_t i = 0; i < d->n; i++)
		dirs_push(&all, d->v[i], d->origin[i]);
	all.given = d->given;
	all.resolved = 1;
	rules_dirs_release(d);
	*d = all;
}

void rules_dirs_release(struct rules_dirs *d)
{
	for (size_t i = 0; i < d->n; i++)
		free((char *)d->v[i]);
	free(d->v);
	free(d->origin);
	memset(d, 0, sizeof(*d));
}

int rules_load_into(struct rule_set *rs, struct rules_dirs *d, struct strlist *diags,
		    struct strlist *notes)
{
	int bad = 0;

	rules_dirs_resolve(d);
	for (size_t i = 0; i < d->n; i++) {
		/* Each directory on its own, so its ids are checked among
		 * themselves, then merged: a later directory wins. */
		struct rule_set *one;
		struct stat sb;
		int rc;
		if (stat(d->v[i], &sb) != 0) {
			char *msg = xasprintf("%s: cannot read rules directory '%s' (%s): %s",
					      program_name, d->v[i], rules_origin_name(d->origin[i]),
					      strerror(errno));
			strlist_adds(diags, msg);
			free(msg);
			bad++;
			continue;
		}
		one = rule_set_new();
		one->skip_tests = rs->skip_tests;
		rc = rule_set_load_dir(one, d->v[i], diags);
		if (rc != 0)
			bad += rc < 0 ? 1 : rc;
		for (size_t k = 0; k < one->n; k++)
			rule_set_put(rs, one->v[k], one->ovec_pairs, notes);
		one->n = 0;
		rule_set_free(one);
	}
	return bad;
}

struct rule_set *load_rules(struct rules_dirs *d, int quiet)
{
	struct rule_set *rs = rule_set_new();
	struct strlist diags = {0}, notes = {0};
	int bad;

	rule_set_skip_tests(rs);
	bad = rules_load_into(rs, d, &diags, &notes);

	for (size_t i = 0; i < diags.n; i++)
		fprintf(stderr, "%s\n", diags.v[i]);
	for (size_t i = 0; i < notes.n && !quiet; i++)
		fprintf(stderr, "%s: note: %s\n", program_name, notes.v[i]);
	strlist_release(&diags);
	strlist_release(&notes);
	if (bad) {
		error_msg("invalid or unreadable rules; run '%s rules lint' for details", program_name);
		rule_set_free(rs);
		return NULL;
	}
	if (rule_set_count(rs) == 0) {
		if (!d->n)
			error_msg("no rules to run: --no-default-rules needs --rules DIR");
		else
			error_msg("no rules found in '%s'%s", d->v[0],
				  d->n > 1 ? " nor the other rules directories" : "");
		rule_set_free(rs);
		return NULL;
	}
	return rs;
}

FILE *open_output(const char *path)
{
	FILE *f;
	if (!path || strcmp(path, "-") == 0)
		return stdout;
	f = fopen(path, "w");
	if (!f)
		error_msg("cannot write '%s': %s", path, strerror(errno));
	return f;
}

int close_output(FILE *f, const char *path)
{
	int bad = ferror(f);
	if (f == stdout) {
		if (fflush(f) != 0 || bad) {
			error_msg("write error on standard output: %s", strerror(errno));
			return -1;
		}
		return 0;
	}
	if (fclose(f) != 0 || bad) {
		error_msg("write error on '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

void print_version(FILE *out, struct rules_dirs *d)
{
	char pcre[64] = "";
	struct rule_set *rs = rule_set_new();
	struct strlist diags = {0};
	int bad;

	pcre2_config(PCRE2_CONFIG_VERSION, pcre);
	fprintf(out, "%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
	fprintf(out, "Libraries: jansson %s, PCRE2 %s, SQLite %s, libyaml %s, %s, nettle %d.%d\n",
		jansson_version_str(), pcre, store_sqlite_version(), yaml_get_version_string(),
		archive_version_string(), nettle_version_major(), nettle_version_minor());
	fprintf(out, "HTML reports: %s%s\n", report_html_library() ? "libcmark-gfm " : "not built in",
		report_html_library() ? report_html_library() : " (no libcmark-gfm)");
	bad = rules_load_into(rs, d, &diags, NULL);
	fprintf(out, "Rules: %zu%s, read from:\n", rule_set_count(rs), bad ? " (some could not be read)" : "");
	for (size_t i = 0; i < d->n; i++) {
		struct stat sb;
		fprintf(out, "  %s (%s)%s\n", d->v[i], rules_origin_name(d->origin[i]),
			stat(d->v[i], &sb) == 0 ? "" : " - missing");
	}
	if (!d->no_default) {
		char *user = rules_user_dir();
		size_t i;
		for (i = 0; user && i < d->n && strcmp(d->v[i], user) != 0; i++)
			;
		if (user && i == d->n)
			fprintf(out, "  (user rules are read from %s when it exists)\n", user);
		free(user);
	}
	fprintf(out, "Copyright (C) 2026 the hartriage authors.\n"
		     "License MIT: <https://opensource.org/licenses/MIT>.\n"
		     "This is free software: you are free to change and redistribute it.\n"
		     "There is NO WARRANTY, to the extent permitted by law.\n");
	strlist_release(&diags);
	rule_set_free(rs);
}
