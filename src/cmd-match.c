/* cmd-match.c - "hartriage match": run the rules over a database. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd-common.h"

static void match_usage(FILE *out)
{
	fprintf(out,
		"Usage: %s match --db=FILE [OPTION]...\n"
		"Run the rules over every exchange of the database, replacing its findings.\n\n"
		"      --db=FILE             the database (required)\n"
		"  -r, --rules=DIR           also read the rules in DIR (repeatable)\n"
		"      --no-default-rules    read only the --rules directories\n"
		"      --fail-on=SEVERITY    exit 1 when a finding is at or above SEVERITY\n"
		"      --no-wait             fail (exit 4) when another process is writing the\n"
		"                            database, instead of waiting for it\n"
		"  -q, --quiet               no notes\n"
		"  -v, --verbose             say which rules were read and what each step did\n"
		"  -V, --version             show versions and the rules directories, and exit\n"
		"  -h, --help                display this help and exit\n\n"
		EXIT_STATUS_HELP,
		program_name);
}

int cmd_match(int argc, char **argv)
{
	struct common c;
	int rc;
	memset(&c, 0, sizeof(c));
	rc = parse_common(argc, argv, &c, match_usage);
	if (rc)
		goto out;
	if (!c.db) {
		rc = usage_error("match", "--db=FILE is required");
		goto out;
	}
	if (optind < argc) {
		rc = usage_error("match", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (c.po.shard || c.key_file) {
		/* match runs over what the database holds: no tickets to take */
		rc = usage_error("match", "%s applies to analyze and import", c.key_file ? "--key-file"
											: "--shard");
		goto out;
	}
	rc = run_steps(&c, 0, 1, 0, NULL, 0);
out:
	common_release(&c);
	return rc < 0 ? EXIT_DONE : rc;
}

