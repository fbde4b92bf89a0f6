/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watch_table.h - the directories the watcher has an inotify watch on:
 * wd -> {path, device, inode}, and (device, inode) -> wd.
 *
 * The table, not libinotifytools' name map, is what turns an event into a
 * path: the library's names go stale when directories move and are keyed
 * by the names we watched them under.  Looking a directory up by inode is
 * how a walk avoids watching the same directory twice.
 *
 * Used by the event loop thread only: no locking.
 */
#ifndef PW_AGENT_WATCH_TABLE_H
#define PW_AGENT_WATCH_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum watch_dir_kind {
	WATCH_DIR_TREE = 0,	/* inside a root: its files are scanned */
	WATCH_DIR_ANCESTOR = 1,	/* an existing parent of a root that does
				   not exist yet: only directory creation
				   in it matters, its files are not ours */
};

struct watch_dir {
	int wd;
	enum watch_dir_kind kind;
	bool dirty;		/* queued for a re-listing (queue was full) */
	uint64_t dev, ino;
	char *path;		/* absolute, no trailing '/' */
	struct watch_dir *next_wd, *next_ino; /* hash chains */
};

struct watch_table;

int watch_table_new(struct watch_table **ret);
void watch_table_free(struct watch_table *t);

/* Adds a directory, or updates the entry that has this wd (a wd names one
 * inode for its whole life).  Returns the entry, or NULL (ENOMEM). */
struct watch_dir *watch_table_add(struct watch_table *t, int wd, uint64_t dev,
				  uint64_t ino, const char *path,
				  enum watch_dir_kind kind);

/* Changes an entry's path; returns 0 or -1 (ENOMEM, entry unchanged). */
int watch_table_set_path(struct watch_table *t, struct watch_dir *d,
			 const char *path);

struct watch_dir *watch_table_by_wd(struct watch_table *t, int wd);
struct watch_dir *watch_table_by_inode(struct watch_table *t, uint64_t dev,
				       uint64_t ino);

/* Forgets an entry (does not touch the kernel watch).  Unknown wd: no-op. */
void watch_table_remove(struct watch_table *t, int wd);

size_t watch_table_count(const struct watch_table *t);

/*
 * The wds of path itself and every directory below it (path must have no
 * trailing '/').  On success *ret_wds is a new array (free it) of *ret_n
 * wds (NULL when 0).  Returns 0 or -1 (ENOMEM).
 */
int watch_table_under(struct watch_table *t, const char *path, int **ret_wds,
		      size_t *ret_n);

/* All wds of a given kind, as watch_table_under. */
int watch_table_of_kind(struct watch_table *t, enum watch_dir_kind kind,
			int **ret_wds, size_t *ret_n);

#endif
