/* cli.h - what the subcommands share: exit codes, messages, options. */
#ifndef HARTRIAGE_CLI_H
#define HARTRIAGE_CLI_H

#include <stdio.h>
#include "import.h"
#include "rule.h"
#include "store.h"

/* Exit statuses (README "Exit status"). */
#define EXIT_DONE 0       /* done, nothing at or above --fail-on */
#define EXIT_FINDING 1    /* a finding at or above --fail-on */
#define EXIT_USAGE 2      /* usage or rule errors */
#define EXIT_INPUT 3      /* some input could not be read; the rest was analyzed */
#define EXIT_INTERNAL 4   /* internal or I/O error */

extern const char *program_name;

/* "hartriage: msg" on stderr. */
void error_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warning_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "Try 'hartriage CMD --help'" and return EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Rule directories: those given with --rules, else $HARTRIAGE_RULES
 * (colon-separated), else the installed PKGDATADIR/rules. */
struct rules_dirs {
	const char **v;
	size_t n;
	size_t alloc;
};
void rules_dirs_add(struct rules_dirs *d, const char *dir);
void rules_dirs_default(struct rules_dirs *d);
void rules_dirs_release(struct rules_dirs *d);
/* Load every rule of dirs into a new set; diagnostics go to stderr.
 * Returns NULL (after printing why) when a directory cannot be read or a
 * rule is invalid. */
struct rule_set *load_rules(const struct rules_dirs *d);

/* Open the output file ("-" or NULL = stdout). */
FILE *open_output(const char *path);
int close_output(FILE *f, const char *path);

/* The subcommands (one file each). */
int cmd_analyze(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_match(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_rules(int argc, char **argv);

#endif
