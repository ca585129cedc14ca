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
#define EXIT_NOTHING 5    /* nothing to analyze or report: no HTTP exchange in the
			     inputs, no such --ticket, or the rules never ran */

/* The exit statuses as --help and the man page state them. */
#define EXIT_STATUS_HELP \
	"Exit status:\n" \
	"  0  done, nothing at or above --fail-on\n" \
	"  1  a finding at or above --fail-on\n" \
	"  2  usage error, or invalid or unreadable rules\n" \
	"  3  some input could not be read (the rest was analyzed and reported;\n" \
	"     when nothing else was left to analyze, no report is written)\n" \
	"  4  internal, database or I/O error\n" \
	"  5  nothing to analyze or report: no input held an HTTP request or\n" \
	"     response, --ticket names no ticket, or the rules never ran over\n" \
	"     the database (no report is written; import alone only warns)\n"

extern const char *program_name;
/* -v/--verbose given (count). */
extern int verbose;

/* "hartriage: msg" on stderr. */
void error_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warning_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "Try 'hartriage CMD --help'" and return EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Rule directories, in the order they are read (rules_dirs_resolve):
 *   1. the library: $HARTRIAGE_RULES (colon-separated) when set, else the
 *      installed PKGDATADIR/rules;
 *   2. the user's: $XDG_CONFIG_HOME/hartriage/rules (default
 *      ~/.config/hartriage/rules) when that folder exists;
 *   3. each --rules DIR, in the order given.
 * --no-default-rules leaves out 1 and 2.  A directory named twice is read
 * once.  A rule whose id a later directory defines again is replaced by
 * the later one (a note says so); the same id twice in one directory is
 * an error. */
enum rules_origin { RULES_LIBRARY, RULES_ENV, RULES_USER, RULES_OPTION };
struct rules_dirs {
	const char **v;
	enum rules_origin *origin;
	size_t n;
	size_t alloc, origin_alloc;
	size_t given;          /* --rules dirs added with rules_dirs_add */
	int no_default;        /* --no-default-rules */
	int resolved;
};
/* Add a --rules DIR. */
void rules_dirs_add(struct rules_dirs *d, const char *dir);
/* Put the library and user directories before the --rules ones (unless
 * no_default); idempotent. */
void rules_dirs_resolve(struct rules_dirs *d);
/* What a directory is, for messages: "library", "$HARTRIAGE_RULES",
 * "user", "--rules". */
const char *rules_origin_name(enum rules_origin o);
/* The user's rules folder ($XDG_CONFIG_HOME/hartriage/rules), malloc'd, or
 * NULL when neither $XDG_CONFIG_HOME nor $HOME is set. */
char *rules_user_dir(void);
void rules_dirs_release(struct rules_dirs *d);
/* Load every rule of the resolved dirs into a new set; diagnostics and
 * override notes (unless quiet) go to stderr.  Returns NULL (after
 * printing why) when a directory cannot be read, a rule is invalid or no
 * rule was found. */
struct rule_set *load_rules(struct rules_dirs *d, int quiet);
/* Load the rules of the resolved dirs into rs with the override rule
 * above; each override is added to notes (may be NULL) as a line.
 * Returns the number of problems (an unreadable directory counts one). */
int rules_load_into(struct rule_set *rs, struct rules_dirs *d, struct strlist *diags,
		    struct strlist *notes);

/* --version: program, library versions, rule count and the rules
 * directories d resolves to. */
void print_version(FILE *out, struct rules_dirs *d);

/* Open the output file ("-" or NULL = stdout). */
FILE *open_output(const char *path);
int close_output(FILE *f, const char *path);

/* The subcommands (one file each). */
int cmd_analyze(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_match(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_rules(int argc, char **argv);

#endif
