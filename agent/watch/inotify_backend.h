/* SPDX-License-Identifier: Apache-2.0 */
/*
 * inotify_backend.h - the agent's only door to libinotifytools.
 *
 * libinotifytools keeps process-wide state, is not thread-safe and prints
 * to stderr, so it is wrapped here and used from the event loop thread
 * only.  The rest of the agent sees a descriptor to poll, directory
 * watches identified by their wd, and events it reads without blocking.
 *
 * What we work around (Debian 12, libinotifytools 3.22):
 *  - inotifytools_next_event(0) blocks forever and next_events(t, n>1)
 *    busy-spins, and the library does not expose its descriptor.  We find
 *    the descriptor once at start-up, poll() it ourselves with the other
 *    descriptors, and then drain with next_events(0, 1): a zero-second
 *    select() that returns at once, consuming the library's buffer first.
 *  - New subdirectories are not watched by the library: the caller watches
 *    and walks them.
 *  - Overflow is an event whose mask has IN_Q_OVERFLOW (its wd is -1).
 */
#ifndef PW_AGENT_INOTIFY_BACKEND_H
#define PW_AGENT_INOTIFY_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

struct inotify_backend_event {
	int wd;
	uint32_t mask;		/* IN_* bits */
	uint32_t cookie;	/* pairs MOVED_FROM with MOVED_TO */
	const char *name;	/* entry name in the watched directory, or "";
				   valid until the next call */
};

/* Initialises the library.  Returns 0 and *ret_fd (the inotify descriptor
 * to poll for POLLIN; owned by the backend), or -1 with errno set. */
int inotify_backend_open(int *ret_fd);

/* Releases every watch and the descriptor.  Safe to call when not open. */
void inotify_backend_close(void);

/*
 * Watches the directory open at dirfd (any descriptor of it, O_PATH is
 * enough) for the events the agent needs.  Watching the descriptor, not a
 * path, means the watch lands on exactly the directory the caller opened
 * and checked, even if a path component was swapped since.  Watching a
 * directory already watched returns its existing wd.  Returns 0 and
 * *ret_wd, or -1 with errno set (ENOSPC: max_user_watches reached).
 */
int inotify_backend_watch_dirfd(int dirfd, int *ret_wd);

/* Removes a watch the kernel still has.  Returns 0 or -1. */
int inotify_backend_unwatch(int wd);

/* Reads the next event without blocking.  Returns 1 and fills *ret_ev,
 * 0 when no event is ready, -1 on a read error (errno set). */
int inotify_backend_next(struct inotify_backend_event *ret_ev);

#endif
