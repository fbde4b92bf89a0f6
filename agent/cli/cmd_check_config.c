/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_check_config.c - `picklewarden check-config [FILE]`: validates a
 * configuration and prints the effective one.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "agent/cli/commands.h"
#include "agent/cli/policy_bridge.h"
#include "policy/policy.h"

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: picklewarden check-config [--config FILE] [FILE]\n\n"
		"Validates the configuration and prints the effective one\n"
		"(defaults filled in, paths expanded).  Without FILE it checks\n"
		"what picklewarden would use: $XDG_CONFIG_HOME/picklewarden/"
		"picklewarden.ini,\nthen " SYSCONFDIR "/picklewarden/"
		"picklewarden.ini, else the built-in defaults.\n\n"
		"Exit status: 0 valid, 2 invalid (file:line: key: message on "
		"stderr).\n");
}

int
cmd_check_config(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	struct policy *p = NULL;
	struct pw_options *o = NULL;
	struct policy_error err;
	char msg[2048];
	int c, rc = EXIT_TROUBLE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_TROUBLE;
		}
	}
	if (optind < argc) {
		if (path || optind + 1 < argc) {
			usage(stderr);
			return EXIT_TROUBLE;
		}
		path = argv[optind];
	}
	memset(&err, 0, sizeof(err));
	if (policy_find_and_load(path, &p, &err) != 0) {
		fprintf(stderr, "%s\n",
			policy_error_format(&err, msg, sizeof(msg)));
		/* Every bad value, not only the first. */
		if (err.count > 1)
			fputs(err.later, stderr);
		goto out;
	}
	if (p->search_warning)
		fprintf(stderr, "picklewarden: warning: %s\n",
			p->search_warning);
	/* The scanner has the last word on patterns and limits. */
	c = policy_bridge_options(p, &o);
	if (c != PW_OK) {
		fprintf(stderr, "%s: globals/limits: %s\n", p->source,
			pw_strerror(c));
		goto out;
	}
	if (policy_write(p, stdout) != 0) {
		perror("picklewarden: stdout");
		goto out;
	}
	rc = 0;
out:
	pw_options_free(o);
	policy_free(p);
	return rc;
}
