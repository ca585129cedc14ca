/* cmd-analyze.c - "hartriage analyze": import, match and report in one run. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd-common.h"

static void analyze_usage(FILE *out)
{
	fprintf(out,
		"Usage: %s analyze [OPTION]... PATH...\n"
		"Import the captures in PATH (files, folders, .zip/.tar/.gz archives, '-' for\n"
		"standard input), run the rules over every exchange and write the report.\n\n"
		"What a ticket is: each PATH is one ticket, named after it.  A single folder\n"
		"given alone is a batch of tickets when it holds a sub-folder or an archive of\n"
		"files (.zip, .tar, .tar.gz, .tgz, .7z ...) at its top level: each top-level\n"
		"entry is then one ticket.  A folder of plain files (a ticket's attachments)\n"
		"is one ticket named after the folder.\n\n"
		"  -o, --output=FILE         write the report to FILE (default: standard output)\n"
		"  -f, --format=md|json|html report format (default: md); html: one page with\n"
		"                            an embedded stylesheet, no scripts\n"
		"      --name=NAME           name standard input ('-') NAME in the report\n"
		"      --db=FILE             keep the database in FILE (default: temporary)\n"
		"  -r, --rules=DIR           also read the rules in DIR (repeatable); a rule id\n"
		"                            defined again replaces the earlier one\n"
		"      --no-default-rules    read only the --rules directories, not the installed\n"
		"                            library ($HARTRIAGE_RULES) nor the user's rules\n"
		"                            ($XDG_CONFIG_HOME/hartriage/rules)\n"
		"      --fail-on=SEVERITY    exit 1 when a finding is at or above SEVERITY\n"
		"                            (info, low, medium, high, critical)\n"
		"      --format-hint=FORMAT  skip detection: har, curl-i, curl-v, curl-trace, text,\n"
		"                            postman, newman, insomnia\n"
		"      --env=FILE            Postman environment or globals export (repeatable)\n"
		"      --request-id-header=NAME  also quote this header as a request ID\n"
		"      --keep-secrets        store raw credentials in the database (never in reports)\n"
		"      --force               re-import sources already in the database\n"
		"      --per-ticket=OUT      write OUT/<ticket>.md (.json, .html) and OUT/index.md\n"
		"      --shard=K/N           only the tickets of shard K of N (K from 0 to N-1)\n"
		"      --key-file=FILE       redaction key shared by the shards of a run\n"
		"  -j, --jobs=N              analyze the tickets of a batch folder on N processes\n"
		"      --no-wait             fail (exit 4) when another process is writing the\n"
		"                            database, instead of waiting for it\n"
		"  -q, --quiet               no progress line, no notes\n"
		"  -v, --verbose             say which rules were read and what each step did\n"
		"  -V, --version             show versions and the rules directories, and exit\n"
		"  -h, --help                display this help and exit\n\n"
		EXIT_STATUS_HELP,
		program_name);
}

int cmd_analyze(int argc, char **argv)
{
	struct common c;
	int rc;
	memset(&c, 0, sizeof(c));
	rc = parse_common(argc, argv, &c, analyze_usage);
	if (rc)
		goto out;
	if (optind >= argc) {
		rc = usage_error("analyze", "no input: give one or more files, folders or archives");
		goto out;
	}
	rc = check_inputs("analyze", &c, argv + optind, (size_t)(argc - optind));
	if (rc)
		goto out;
	rc = run_steps(&c, 1, 1, 1, argv + optind, (size_t)(argc - optind));
out:
	common_release(&c);
	return rc < 0 ? EXIT_DONE : rc;
}

