/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_watch.c - `picklewarden watch [--config FILE] [--foreground]`.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "agent/cli/commands.h"
#include "agent/watch/watch.h"

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: picklewarden watch [--config FILE] [--foreground]\n\n"
		"Watches the configured model caches and scans every file that\n"
		"lands in them; malicious files are quarantined.  Runs until\n"
		"SIGTERM; SIGHUP reloads the configuration.\n\n"
		"  -c, --config FILE  configuration file (default: the usual search)\n"
		"  -f, --foreground   also log to stderr\n"
		"  -h, --help         this help\n");
}

int
cmd_watch(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"foreground", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct watch_options opts = {NULL, false};
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
		fprintf(stderr, "picklewarden watch: unexpected argument\n");
		usage(stderr);
		return EXIT_TROUBLE;
	}
	return watch_run(&opts);
}
