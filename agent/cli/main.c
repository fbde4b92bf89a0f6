/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - the picklewarden program: dispatches to a subcommand.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "agent/cli/commands.h"
#include "picklewarden.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{"scan", cmd_scan, "scan files and directories once"},
	{"watch", cmd_watch, "watch the model caches and act on what lands"},
	{"quarantine", cmd_quarantine, "list, show, restore or purge quarantined files"},
	{"verify", cmd_verify, "check a model against its OpenSSF model signature"},
	{"guard", cmd_guard, "block opens of malicious models (root, fanotify)"},
	{"check-config", cmd_check_config, "validate and print the effective configuration"},
	{"status", cmd_status, "ask the running agent what it is doing"},
};

static void
usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"Usage: picklewarden COMMAND [OPTIONS] [ARGS]\n"
		"       picklewarden --version | --help\n\n"
		"Statically analyses Python pickles and model files (PyTorch, NumPy,\n"
		"joblib, ...) without loading them, and guards model caches.\n\n"
		"Commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-13s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out, "\nRun 'picklewarden COMMAND --help' for a command's options.\n"
		     "Exit status: 0 nothing malicious, 1 something malicious,\n"
		     "2 an error prevented a verdict (or bad usage).\n");
}

static void
harden_process(void)
{
	struct rlimit no_core = {0, 0};

	/* A core dump of a scanner holds the bytes of hostile files; and no
	 * child we ever start may gain privileges. */
	(void)setrlimit(RLIMIT_CORE, &no_core);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

int
main(int argc, char **argv)
{
	size_t i;

	harden_process();
	/* libzip converts every member's DOS time with mktime(), and glibc's
	 * mktime re-stats /etc/localtime on each call while TZ is unset: a
	 * zip of 100,000 members cost 100,000 stats.  ":/etc/localtime" is
	 * what an unset TZ means, read once. */
	(void)setenv("TZ", ":/etc/localtime", 0);
	if (argc < 2) {
		usage(stderr);
		return EXIT_TROUBLE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("picklewarden %s\n", pw_version());
		return 0;
	}
	if (strcmp(argv[1], "help") == 0 && argc >= 3) {
		/* `help COMMAND` is `COMMAND --help`. */
		char *hargv[] = {argv[2], "--help", NULL};

		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (strcmp(argv[2], commands[i].name) == 0)
				return commands[i].run(2, hargv);
		fprintf(stderr, "picklewarden: unknown command '%s'\n\n",
			argv[2]);
		usage(stderr);
		return EXIT_TROUBLE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "picklewarden: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return EXIT_TROUBLE;
}
