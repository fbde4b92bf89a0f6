/*
 * cmd_guard.c - `picklewarden guard [--config FILE] [--foreground]`.
 */
#include "config.h"

#include <stdio.h>

#include "agent/cli/commands.h"
#include "agent/cli/service_args.h"
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
	struct guard_options opts = {NULL, false};
	int rc = cli_service_args(argc, argv, usage, &opts.config_path,
				  &opts.foreground);

	return rc >= 0 ? rc : guard_run(&opts);
}
