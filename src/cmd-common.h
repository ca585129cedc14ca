/* cmd-common.h - the steps shared by analyze, import, match and report. */
#ifndef HARTRIAGE_CMD_COMMON_H
#define HARTRIAGE_CMD_COMMON_H

#include <stdio.h>
#include "cli.h"
#include "pipeline.h"
#include "report.h"
#include "shard.h"

/* Options shared by analyze, import, match and report. */
struct common {
	const char *db;
	const char *output;
	enum report_format format;
	struct rules_dirs rules;
	int fail_on;           /* severity rank, -1 = never */
	struct pipeline_opts po;
	const char **envs;
	size_t nenvs, envs_alloc;
	const char **idh;
	size_t nidh, idh_alloc;
	const char *ticket;
	const char *per_ticket;  /* --per-ticket OUT folder, or NULL */
	long jobs;               /* --jobs N */
	int quiet;
	int no_wait;             /* --no-wait: fail when another process writes the database */
	struct shard shard;      /* --shard K/N (n == 0: none); po.shard points here */
	const char *key_file;    /* --key-file FILE, or NULL */
};

/* Parse the common options; usage prints the command's --help.  Returns
 * -1 after --help, 0 to go on, or an exit status on a usage error. */
int parse_common(int argc, char **argv, struct common *c, void (*usage)(FILE *));
void common_release(struct common *c);
/* Usage checks of the inputs of analyze and import: "-" at most once,
 * --name only with "-".  Returns 0 or EXIT_USAGE (after saying why). */
int check_inputs(const char *cmd, const struct common *c, char **paths, size_t npaths);
/* Open the store and run the asked steps; returns the exit status. */
int run_steps(struct common *c, int do_import, int do_match, int do_report, char **paths,
	      size_t npaths);

#endif
