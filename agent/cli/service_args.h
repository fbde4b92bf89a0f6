/* SPDX-License-Identifier: Apache-2.0 */
/*
 * service_args.h - the command line the two long-running services share:
 * `watch` and `guard` both take [--config FILE] [--foreground].
 */
#ifndef PW_AGENT_CLI_SERVICE_ARGS_H
#define PW_AGENT_CLI_SERVICE_ARGS_H

#include <stdbool.h>
#include <stdio.h>

/*
 * Parses argv (argv[0] is the command name, used in messages).  Returns -1
 * when the service should run, with *ret_config (NULL: the default search)
 * and *ret_foreground set; otherwise the exit status to return at once
 * (0 after --help, EXIT_TROUBLE after bad usage, having printed usage).
 */
int cli_service_args(int argc, char **argv, void (*usage)(FILE *out),
		     const char **ret_config, bool *ret_foreground);

#endif
