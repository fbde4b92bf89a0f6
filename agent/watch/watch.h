/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watch.h - the watching agent: `picklewarden watch`.
 *
 * One event loop thread owns inotify (through inotify_backend), the
 * directory table and the walker; worker threads scan (watch_job).  The
 * loop sleeps in poll() on three descriptors (inotify, a signalfd for
 * SIGHUP/SIGINT/SIGTERM, the work queue's completion eventfd) with a
 * timeout of the watchdog interval, so an idle agent wakes only to ping.
 */
#ifndef PW_AGENT_WATCH_H
#define PW_AGENT_WATCH_H

#include <stdbool.h>

struct watch_options {
	const char *config_path;	/* NULL: the usual search */
	bool foreground;		/* also log to stderr */
};

/*
 * Runs the agent until SIGTERM or SIGINT.  Returns the process exit
 * status: 0 after a clean stop, 2 (EXIT_TROUBLE) when it could not start
 * (bad configuration, no inotify) or the event loop failed.
 */
int watch_run(const struct watch_options *opts);

#endif
