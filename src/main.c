/* main.c - the hartriage command: global options and subcommand dispatch. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{"analyze", cmd_analyze, "import, match and report in one run"},
	{"import", cmd_import, "import captures into a database"},
	{"match", cmd_match, "run the rules over a database"},
	{"report", cmd_report, "write the report from a database"},
	{"rules", cmd_rules, "list, lint, test or explain rules"},
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [--help] [--version] COMMAND [ARGS]...\n"
		"Triage HTTP captures (HAR, curl, Postman, pasted text) from support tickets.\n\n"
		"Commands:\n",
		program_name);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\nRun '%s COMMAND --help' for the options of a command.\n\n"
		"Exit status: 0 done, 1 a finding at or above --fail-on, 2 usage or rule\n"
		"errors, 3 some input could not be read (the rest was analyzed), 4 internal\n"
		"or I/O error.\n\n"
		"Report bugs to: %s\n",
		program_name, PACKAGE_BUGREPORT);
}

static void version(void)
{
	printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
	printf("Copyright (C) 2026 the hartriage authors.\n"
	       "License MIT: <https://opensource.org/licenses/MIT>.\n"
	       "This is free software: you are free to change and redistribute it.\n"
	       "There is NO WARRANTY, to the extent permitted by law.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;

	opterr = 1;
	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return EXIT_DONE;
		case 'V':
			version();
			return EXIT_DONE;
		default:
			return usage_error(NULL, NULL);
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) == 0) {
			int sub_argc = argc - optind;
			char **sub_argv = argv + optind;
			optind = 0;
			return commands[i].fn(sub_argc, sub_argv);
		}
	}
	return usage_error(NULL, "'%s' is not a command", argv[optind]);
}
