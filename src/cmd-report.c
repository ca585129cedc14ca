/* cmd-report.c - "hartriage report": write the report from a database. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd-common.h"

static void report_usage(FILE *out)
{
	fprintf(out,
		"Usage: %s report --db=FILE [OPTION]...\n"
		"Write the report from the database alone (after 'match').\n\n"
		"      --db=FILE             the database (required)\n"
		"  -o, --output=FILE         write to FILE (default: standard output)\n"
		"  -f, --format=md|json|html report format (default: md); html: one page with\n"
		"                            an embedded stylesheet, no scripts\n"
		"      --ticket=NAME         only this ticket\n"
		"      --per-ticket=OUT      write OUT/<ticket>.md (.json, .html) and OUT/index.md\n"
		"      --shard=K/N           with --per-ticket: only the tickets of shard K of N\n"
		"                            (K from 0), and index.md only for K = 0\n"
		"      --fail-on=SEVERITY    exit 1 when a finding is at or above SEVERITY\n"
		"      --request-id-header=NAME  also quote this header as a request ID\n"
		"  -v, --verbose             say what each step did\n"
		"  -h, --help                display this help and exit\n\n"
		EXIT_STATUS_HELP,
		program_name);
}

int cmd_report(int argc, char **argv)
{
	struct common c;
	int rc;
	memset(&c, 0, sizeof(c));
	rc = parse_common(argc, argv, &c, report_usage);
	if (rc)
		goto out;
	if (!c.db) {
		rc = usage_error("report", "--db=FILE is required");
		goto out;
	}
	if (optind < argc) {
		rc = usage_error("report", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (c.key_file) {
		rc = usage_error("report", "--key-file applies to analyze and import");
		goto out;
	}
	if (c.po.shard && !c.per_ticket) {
		rc = usage_error("report", "--shard needs --per-ticket");
		goto out;
	}
	rc = run_steps(&c, 0, 0, 1, NULL, 0);
out:
	common_release(&c);
	return rc < 0 ? EXIT_DONE : rc;
}
