/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watch_walk.h - a directory walk that can stop in the middle and resume.
 *
 * The event loop must neither block nor drop work, and the work queue is
 * bounded: when a file cannot be queued the walk pauses on that file and
 * resumes when workers have made room, while the loop keeps reading
 * inotify events.  Directories are handed to the caller before they are
 * listed, so the caller can put a watch on them first: a file that lands
 * after the watch is seen as an event, one that landed before is seen by
 * the listing (some are seen twice, which costs a cache hit).
 *
 * Symlinks are never followed: directories are opened with O_NOFOLLOW and
 * entries that are symlinks are handed to on_symlink; devices, FIFOs and
 * sockets are skipped.  Which names matter is the caller's decision (it
 * knows the roots): on_dir may refuse a directory, on_file gets every
 * regular file.  Paths longer than PATH_MAX are opened fd-relative.
 */
#ifndef PW_AGENT_WATCH_WALK_H
#define PW_AGENT_WATCH_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

struct watch_walk_ops {
	/* A directory about to be listed, open at dirfd (borrowed).
	 * Return false to skip it and everything below it. */
	bool (*on_dir)(void *arg, int dirfd, const char *path,
		       const struct stat *st);
	/* A regular file (or one whose type the directory entry does not
	 * say).  Return false when it cannot be taken now: the walk pauses
	 * and offers the same file again on the next step. */
	bool (*on_file)(void *arg, const char *path);
	/* A symlink (never followed by the walk; the caller resolves it). */
	void (*on_symlink)(void *arg, const char *path);
};

enum watch_walk_state {
	WATCH_WALK_IDLE = 0,	/* nothing left to walk */
	WATCH_WALK_MORE = 1,	/* budget used up: call step again */
	WATCH_WALK_PAUSED = 2,	/* on_file refused: call step once there is
				   room */
};

struct watch_walk;

int watch_walk_new(const struct watch_walk_ops *ops, void *arg,
		   struct watch_walk **ret);
void watch_walk_free(struct watch_walk *w);

/* Adds a directory to walk; recursive walks its subdirectories too.
 * Returns 0 or -1 (ENOMEM). */
int watch_walk_push(struct watch_walk *w, const char *path, bool recursive);

/* Forgets every pending directory and the one in progress. */
void watch_walk_clear(struct watch_walk *w);

/* Walks at most budget directory entries. */
enum watch_walk_state watch_walk_step(struct watch_walk *w, size_t budget);

bool watch_walk_idle(const struct watch_walk *w);

#endif
