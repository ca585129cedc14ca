/* cmd-import.c - "hartriage import": import captures into a database. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd-common.h"

static void import_usage(FILE *out)
{
	fprintf(out,
		"Usage: %s import --db=FILE [OPTION]... PATH...\n"
		"Import the captures in PATH into the database FILE (created when missing).\n"
		"Sources already stored (same sha256) are skipped unless --force.\n\n"
		"      --db=FILE             the database (required)\n"
		"      --format-hint=FORMAT  skip detection (see 'analyze --help')\n"
		"      --env=FILE            Postman environment or globals export (repeatable)\n"
		"      --keep-secrets        store raw credentials (the file is made mode 0600)\n"
		"      --force               re-import sources already in the database\n"
		"      --no-wait             fail (exit 4) when another process is writing the\n"
		"                            database, instead of waiting for it\n"		"  -q, --quiet               no progress line\n"
		"  -h, --help                display this help and exit\n\n"
		"Exit status: 0 done, 2 usage error, 3 some input could not be read, 4 internal error.\n",
		program_name);
}

int cmd_import(int argc, char **argv)
{
	struct common c;
	int rc;
	memset(&c, 0, sizeof(c));
	rc = parse_common(argc, argv, &c, import_usage);
	if (rc)
		goto out;
	if (!c.db) {
		rc = usage_error("import", "--db=FILE is required");
		goto out;
	}
	if (optind >= argc) {
		rc = usage_error("import", "no input: give one or more files, folders or archives");
		goto out;
	}
	rc = run_steps(&c, 1, 0, 0, argv + optind, (size_t)(argc - optind));
out:
	common_release(&c);
	return rc < 0 ? EXIT_DONE : rc;
}

