/*
 * guard.h - `picklewarden guard`: blocks the open() of a malicious model
 * before the loader gets a descriptor, with fanotify permission events
 * (root only).
 *
 * Every FAN_OPEN_PERM event of a marked filesystem is answered: files
 * outside the [guard] paths and files already judged at once, the rest
 * after a scan through the event's own descriptor on a pool of scan
 * threads, within the configured timeout.  Malicious files are denied and
 * moved to the guard's quarantine store; clean and suspicious ones are
 * allowed and get an ignore mark, so that their later opens never reach
 * user space until the file is modified.  Outside the paths, files scanned
 * clean in the background and pinned root-only directories get ignore
 * marks too.
 */
#ifndef PW_AGENT_GUARD_H
#define PW_AGENT_GUARD_H

#include <stdbool.h>

struct guard_options {
	const char *config_path;	/* NULL: SYSCONFDIR/picklewarden/
					   picklewarden-guard.ini when it
					   exists, else built-in defaults */
	bool foreground;		/* also log to stderr */
};

/*
 * Runs the guard until SIGTERM or SIGINT.  A bad configuration is refused
 * before fanotify is touched.  Returns a process exit status: 0 after a
 * clean shutdown, EXIT_TROUBLE when it could not start.
 */
int guard_run(const struct guard_options *opts);

#endif
