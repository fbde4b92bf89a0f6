/* SPDX-License-Identifier: Apache-2.0 */
/*
 * service_args.c - [--config FILE] [--foreground] for `watch` and `guard`.
 */
#include "config.h"

#include <getopt.h>

#include "agent/cli/commands.h"
#include "agent/cli/service_args.h"

int
cli_service_args(int argc, char **argv, void (*usage)(FILE *out),
		 const char **ret_config, bool *ret_foreground)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"foreground", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	*ret_config = NULL;
	*ret_foreground = false;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:fh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			*ret_config = optarg;
			break;
		case 'f':
			*ret_foreground = true;
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
		fprintf(stderr, "picklewarden %s: unexpected argument\n",
			argv[0]);
		usage(stderr);
		return EXIT_TROUBLE;
	}
	return -1;
}
