/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_watch.c - `picklewarden watch [--config FILE] [--foreground]`.
 */
#include "config.h"

#include <stdio.h>

#include "agent/cli/commands.h"
#include "agent/cli/service_args.h"
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
	struct watch_options opts = {NULL, false};
	int rc = cli_service_args(argc, argv, usage, &opts.config_path,
				  &opts.foreground);

	return rc >= 0 ? rc : watch_run(&opts);
}
