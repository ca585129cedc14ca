/* cli.c - helpers shared by the subcommands. */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

const char *program_name = "hartriage";

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

void rules_dirs_add(struct rules_dirs *d, const char *dir)
{
	d->v = xgrow(d->v, &d->alloc, d->n + 1, sizeof(*d->v));
	d->v[d->n++] = xstrdup(dir);
}

void rules_dirs_default(struct rules_dirs *d)
{
	const char *env = getenv("HARTRIAGE_RULES");
	if (d->n)
		return;
	if (env && env[0]) {
		char *copy = xstrdup(env), *save = NULL, *tok;
		for (tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save))
			if (tok[0])
				rules_dirs_add(d, tok);
		free(copy);
	}
	if (!d->n)
		rules_dirs_add(d, PKGDATADIR "/rules");
}

void rules_dirs_release(struct rules_dirs *d)
{
	for (size_t i = 0; i < d->n; i++)
		free((char *)d->v[i]);
	free(d->v);
	memset(d, 0, sizeof(*d));
}

struct rule_set *load_rules(const struct rules_dirs *d)
{
	struct rule_set *rs = rule_set_new();
	struct strlist diags = {0};
	int bad = 0;
	for (size_t i = 0; i < d->n; i++) {
		int rc = rule_set_load_dir(rs, d->v[i], &diags);
		if (rc < 0) {
			error_msg("cannot read rules directory '%s'", d->v[i]);
			bad = 1;
		} else if (rc > 0) {
			bad = 1;
		}
	}
	for (size_t i = 0; i < diags.n; i++)
		fprintf(stderr, "%s\n", diags.v[i]);
	strlist_release(&diags);
	if (bad) {
		error_msg("invalid rules; run '%s rules lint' for details", program_name);
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
