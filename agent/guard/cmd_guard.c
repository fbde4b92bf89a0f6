/*
 * cmd_guard.c - `picklewarden guard [--config FILE] [--foreground]`.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "agent/cli/commands.h"
#include "agent/guard/guard.h"

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: picklewarden guard [--config FILE] [--foreground]\n\n"
		"Guards the [guard] paths with fanotify permission events (needs\n"
		"root): every open() of a file there waits until the file was\n"
		"scanned; a malicious file is denied (EPERM) and quarantined.\n"
		"Runs until SIGTERM.\n\n"
		"  -c, --config FILE  configuration file (default: "
		SYSCONFDIR "/picklewarden/picklewarden-guard.ini\n"
		"                     when it exists, else the built-in defaults)\n"
		"  -f, --foreground   also log to stderr\n"
		"  -h, --help         this help\n");
}

int
cmd_guard(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"foreground", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct guard_options opts = {NULL, false};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:fh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			opts.config_path = optarg;
			break;
		case 'f':
			opts.foreground = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_TROUBLE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "picklewarden guard: unexpected argument\n");
		usage(stderr);
		return EXIT_TROUBLE;
	}
	return guard_run(&opts);
}
