/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_status.c - `picklewarden status`: asks the running agent of this
 * user, over its unix socket, what it is doing.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent/cli/commands.h"
#include "agent/store/escape.h"
#include "agent/watch/agent_lock.h"
#include "policy/policy.h"

static void
usage(FILE *out)
{
	fputs("Usage: picklewarden status [--config FILE]\n\n"
	      "Asks the running agent (picklewarden watch) of this user what\n"
	      "it watches, how many files it analysed and quarantined, its\n"
	      "queue depth and its last decisions.  The agent listens on\n"
	      "$XDG_RUNTIME_DIR/picklewarden.sock (owner only).\n\n"
	      "Exit status: 0 the agent answered, 2 no agent is running.\n",
	      out);
}

int
cmd_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct policy *p = NULL;
	struct policy_error err;
	const char *config = NULL;
	char path[4096], esc[1024], msg[2048];
	int c, rc = EXIT_TROUBLE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_TROUBLE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_TROUBLE;
	}
	memset(&err, 0, sizeof(err));
	/* Only needed for the state directory when $XDG_RUNTIME_DIR is
	 * unset. */
	if (policy_find_and_load(config, &p, &err) != 0) {
		fprintf(stderr, "picklewarden: configuration file %s\n",
			policy_error_format(&err, msg, sizeof(msg)));
		return EXIT_TROUBLE;
	}
	if (agent_runtime_path(p, "picklewarden.sock", path, sizeof(path)) !=
	    0) {
		fprintf(stderr, "picklewarden: no runtime directory\n");
		goto out;
	}
	fflush(stdout);
	if (agent_status_query(path, STDOUT_FILENO) != 0) {
		escape_text_buf(path, esc, sizeof(esc));
		fprintf(stderr, "picklewarden: no agent answers on %s: %s\n",
			esc, errno == ENOENT || errno == ECONNREFUSED
				 ? "no agent is running for this user"
				 : strerror(errno));
		goto out;
	}
	rc = 0;
out:
	policy_free(p);
	return rc;
}
