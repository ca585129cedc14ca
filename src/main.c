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
	{"merge", cmd_merge, "merge the databases of a sharded run"},
	{"rules", cmd_rules, "list, lint, test or explain rules"},
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [--help] [--version] [-v] COMMAND [ARGS]...\n"
		"Triage HTTP captures (HAR, curl, Postman, pasted text) from support tickets.\n\n"
		"Commands:\n",
		program_name);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "  %-9s %s\n", "help", "show the help of the program or of COMMAND");
	fprintf(out,
		"\n  -v, --verbose  say which rules were read and what each step did\n"
		"  -h, --help     display this help and exit\n"
		"  -V, --version  show the version, library versions and rules directories\n"
		"\nRun '%s help COMMAND' or '%s COMMAND --help' for the options of a command.\n\n"
		EXIT_STATUS_HELP
		"\nReport bugs to: %s\n",
		program_name, program_name, PACKAGE_BUGREPORT);
}

/* The entry of name in the command table, or NULL. */
static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

/* "hartriage help [COMMAND]". */
static int help(int argc, char **argv)
{
	const struct command *cmd;
	char *sub[3];

	if (argc < 2) {
		usage(stdout);
		return EXIT_DONE;
	}
	if (argc > 2)
		return usage_error(NULL, "help takes at most one COMMAND");
	if (strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_DONE;
	}
	cmd = find_command(argv[1]);
	if (!cmd)
		return usage_error(NULL, "'%s' is not a command", argv[1]);
	sub[0] = argv[1];
	sub[1] = (char *)"--help";
	/* (cmd_rules reads its action from sub[1]: "--help" is one.) */
	sub[2] = NULL;
	optind = 0;
	return cmd->fn(2, sub);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{"verbose", no_argument, NULL, 'v'},
		{NULL, 0, NULL, 0},
	};
	const struct command *cmd;
	int c;

	opterr = 1;
	/* getopt names argv[0] in its messages: one prefix, "hartriage: ". */
	argv[0] = (char *)program_name;
	while ((c = getopt_long(argc, argv, "+hVv", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return EXIT_DONE;
		case 'V': {
			struct rules_dirs d = {0};
			print_version(stdout, &d);
			rules_dirs_release(&d);
			return close_output(stdout, NULL) < 0 ? EXIT_INTERNAL : EXIT_DONE;
		}
		case 'v':
			verbose++;
			break;
		default:
			return usage_error(NULL, NULL);
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[optind], "help") == 0)
		return help(argc - optind, argv + optind);
	cmd = find_command(argv[optind]);
	if (!cmd)
		return usage_error(NULL, "'%s' is not a command", argv[optind]);
	{
		int sub_argc = argc - optind;
		char **sub_argv = argv + optind;
		optind = 0;
		return cmd->fn(sub_argc, sub_argv);
	}
}
