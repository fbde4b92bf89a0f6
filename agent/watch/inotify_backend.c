/* SPDX-License-Identifier: Apache-2.0 */
/*
 * inotify_backend.c - see inotify_backend.h.  This is the only file that
 * includes libinotifytools: never define its unprefixed globals
 * (verbosity, initialized, ...) anywhere in the agent.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <inotifytools/inotifytools.h>

#include "agent/watch/inotify_backend.h"

/*
 * What a directory watch asks for.  CLOSE_WRITE, MOVED_TO, CREATE,
 * MODIFY and ATTRIB are arrivals (watch_events.c says why each); DELETE,
 * MOVED_FROM and the *_SELF events keep the tables right.  IN_ONLYDIR refuses anything else; IN_EXCL_UNLINK drops events of
 * files already unlinked.
 */
#define BACKEND_MASK                                                          \
	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE |           \
	 IN_MODIFY | IN_ATTRIB | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF |  \
	 IN_ONLYDIR | IN_EXCL_UNLINK)

/* The library stores its descriptor in a static variable with no getter.
 * We remember which inotify descriptors existed before the library opened
 * its own, and take the one that is new.  At most this many are checked;
 * a process has a handful. */
#define BACKEND_MAX_SCAN_FDS 4096

static int backend_fd = -1;

static bool
is_inotify_fd(int fd)
{
	char link[64], target[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return strcmp(target, "anon_inode:inotify") == 0;
}

/* Collects the inotify descriptors open now into set (a bitmap). */
static int
inotify_fds(unsigned char set[BACKEND_MAX_SCAN_FDS / 8])
{
	DIR *d;
	struct dirent *e;
	long fd;
	char *end;

	memset(set, 0, BACKEND_MAX_SCAN_FDS / 8);
	d = opendir("/proc/self/fd");
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		errno = 0;
		fd = strtol(e->d_name, &end, 10);
		if (*end != '\0' || errno != 0 || fd < 0 ||
		    fd >= BACKEND_MAX_SCAN_FDS || fd == dirfd(d))
			continue;
		if (is_inotify_fd((int)fd))
			set[fd / 8] |= (unsigned char)(1u << (fd % 8));
	}
	closedir(d);
	return 0;
}

int
inotify_backend_open(int *ret_fd)
{
	unsigned char before[BACKEND_MAX_SCAN_FDS / 8];
	unsigned char after[BACKEND_MAX_SCAN_FDS / 8];
	int fd, found = -1;

	if (backend_fd >= 0) {
		*ret_fd = backend_fd;
		return 0;
	}
	if (inotify_fds(before) != 0)
		return -1;
	if (!inotifytools_initialize()) {
		errno = inotifytools_error() ? inotifytools_error() : EMFILE;
		return -1;
	}
	if (inotify_fds(after) != 0)
		goto fail;
	for (fd = 0; fd < BACKEND_MAX_SCAN_FDS; fd++) {
		if ((after[fd / 8] & (1u << (fd % 8))) &&
		    !(before[fd / 8] & (1u << (fd % 8)))) {
			/* Two new inotify descriptors would mean another
			 * thread opened one at the same time: refuse to
			 * guess. */
			if (found >= 0)
				goto fail;
			found = fd;
		}
	}
	if (found < 0)
		goto fail;
	/* The library opens it without O_CLOEXEC and blocking; we only read
	 * after poll() said so, but non-blocking makes a spurious wake-up
	 * harmless. */
	(void)fcntl(found, F_SETFD, FD_CLOEXEC);
	backend_fd = found;
	*ret_fd = found;
	return 0;
fail:
	inotifytools_cleanup();
	errno = ENOTSUP;
	return -1;
}

void
inotify_backend_close(void)
{
	if (backend_fd < 0)
		return;
	inotifytools_cleanup();
	backend_fd = -1;
}

int
inotify_backend_watch_dirfd(int dirfd, int *ret_wd)
{
	char path[64];
	int wd;

	/* The /proc magic link resolves to exactly the open directory;
	 * IN_DONT_FOLLOW must not be set, or the link itself is watched. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", dirfd);
	if (!inotifytools_watch_file(path, BACKEND_MASK)) {
		errno = inotifytools_error() ? inotifytools_error() : EINVAL;
		return -1;
	}
	/* The library does not return the wd, and its name-to-wd map is no
	 * help: every /proc/self/fd/N name is reused as descriptors are.
	 * Adding the same inode again with the same mask is a no-op for the
	 * kernel that returns the existing wd. */
	wd = inotify_add_watch(backend_fd, path, BACKEND_MASK);
	if (wd <= 0)
		return -1;
	*ret_wd = wd;
	return 0;
}

int
inotify_backend_unwatch(int wd)
{
	return inotifytools_remove_watch_by_wd(wd) ? 0 : -1;
}

int
inotify_backend_next(struct inotify_backend_event *ret_ev)
{
	struct inotify_event *ev;

	if (backend_fd < 0) {
		errno = EBADF;
		return -1;
	}
	/* A zero timeout is a select() that returns at once (the library
	 * turns 0 into "forever" only in next_event, not next_events). */
	ev = inotifytools_next_events(0, 1);
	if (ev == NULL) {
		if (inotifytools_error() != 0 &&
		    inotifytools_error() != EINTR && inotifytools_error() != EAGAIN) {
			errno = inotifytools_error();
			return -1;
		}
		return 0;
	}
	ret_ev->wd = ev->wd;
	ret_ev->mask = ev->mask;
	ret_ev->cookie = ev->cookie;
	ret_ev->name = ev->len > 0 ? ev->name : "";
	return 1;
}
