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
		"Import the captures in PATH ('-' for standard input) into the database FILE\n"
		"(created when missing).  Sources already stored (same sha256) are skipped\n"
		"unless --force.  Tickets as 'analyze --help' says.\n\n"
		"      --db=FILE             the database (required)\n"
		"      --name=NAME           name standard input ('-') NAME\n"
		"      --format-hint=FORMAT  skip detection (see 'analyze --help')\n"
		"      --env=FILE            Postman environment or globals export (repeatable)\n"
		"      --keep-secrets        store raw credentials (the file is made mode 0600)\n"
		"      --force               re-import sources already in the database\n"
		"      --shard=K/N           only the tickets of shard K of N (K from 0 to N-1),\n"
		"                            by SHA-256 of the ticket name; see 'merge --help'\n"
		"      --key-file=FILE       derive the tickets' redaction keys from FILE's key, so\n"
		"                            the shards of one run agree on fingerprints\n"
		"  -j, --jobs=N              import the tickets of a batch folder on N processes\n"
		"      --no-wait             fail (exit 4) when another process is writing the\n"
		"                            database, instead of waiting for it\n"
		"  -q, --quiet               no progress line\n"
		"  -v, --verbose             say what each step did\n"
		"  -h, --help                display this help and exit\n\n"
		EXIT_STATUS_HELP,
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
	rc = check_inputs("import", &c, argv + optind, (size_t)(argc - optind));
	if (rc)
		goto out;
	rc = run_steps(&c, 1, 0, 0, argv + optind, (size_t)(argc - optind));
out:
	common_release(&c);
	return rc < 0 ? EXIT_DONE : rc;
}

