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
		"Import the captures in PATH (files, folders, .zip/.tar/.gz archives), run the\n"
		"rules over every exchange and write the report.  When PATH is a single folder,\n"
		"each of its top-level folders, archives and files is one ticket.\n\n"
		"  -o, --output=FILE         write the report to FILE (default: standard output)\n"
		"  -f, --format=md|json      report format (default: md)\n"
		"      --db=FILE             keep the database in FILE (default: temporary)\n"
		"  -r, --rules=DIR           rules directory (repeatable; default $HARTRIAGE_RULES,\n"
		"                            else the installed rules)\n"
		"      --fail-on=SEVERITY    exit 1 when a finding is at or above SEVERITY\n"
		"                            (info, low, medium, high, critical)\n"
		"      --format-hint=FORMAT  skip detection: har, curl-i, curl-v, curl-trace, text,\n"
		"                            postman, newman, insomnia\n"
		"      --env=FILE            Postman environment or globals export (repeatable)\n"
		"      --request-id-header=NAME  also quote this header as a request ID\n"
		"      --keep-secrets        store raw credentials in the database (never in reports)\n"
		"      --force               re-import sources already in the database\n"
		"      --per-ticket=OUT      write OUT/<ticket>.md (or .json) and OUT/index.md\n"
		"  -j, --jobs=N              analyze the tickets of a folder on N processes\n"
		"      --no-wait             fail (exit 4) when another process is writing the\n"
		"                            database, instead of waiting for it\n"		"  -q, --quiet               no progress line\n"
		"  -h, --help                display this help and exit\n\n"
		"Exit status: 0 done, 1 a finding at or above --fail-on, 2 usage or rule errors,\n"
		"3 some input could not be read (the rest was analyzed), 4 internal or I/O error.\n",
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
	rc = run_steps(&c, 1, 1, 1, argv + optind, (size_t)(argc - optind));
out:
	common_release(&c);
	return rc < 0 ? EXIT_DONE : rc;
}

