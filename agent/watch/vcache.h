/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vcache.h - the verdict cache: what the scanner said about a file the
 * last time, keyed by the file's identity and change stamps (device,
 * inode, size, mtime and ctime to the nanosecond).  Any write to a file,
 * any rename into place by a writer and any chmod change the ctime, so
 * an unchanged key means unchanged bytes; this makes restarts and rescans
 * after an inotify overflow cheap.
 *
 * Entries also carry a tag naming the scanner version and configuration
 * that produced them: a different tag empties the cache.  The cache is
 * persisted under the state directory.  The file is trusted as much as the
 * user's own files are (an attacker who can write it can also edit the
 * configuration); a malformed file is ignored, never half-loaded.
 *
 * All functions are thread-safe.
 */
#ifndef PW_AGENT_VCACHE_H
#define PW_AGENT_VCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

struct vcache;

struct vcache_key {
	uint64_t dev, ino, size;
	int64_t mtime_sec, ctime_sec;
	uint32_t mtime_nsec, ctime_nsec;
};

void vcache_key_from_stat(const struct stat *st, struct vcache_key *ret_key);

/* A new, empty cache holding at most max_entries (1 .. 1<<24) entries
 * for the given tag.  Writes *ret only on success; -1 with errno set. */
int vcache_new(uint64_t tag, size_t max_entries, struct vcache **ret);
void vcache_free(struct vcache *c);

/* True and *ret_verdict set when key is cached. */
bool vcache_lookup(struct vcache *c, const struct vcache_key *key,
		   int *ret_verdict);

/* Records a verdict (0..255).  When the cache is full it is emptied first:
 * a cache may forget, and forgetting only costs a rescan.  Returns 0 or
 * -1 (ENOMEM). */
int vcache_insert(struct vcache *c, const struct vcache_key *key,
		  int verdict);

/* Forgets everything and adopts a new tag (after a configuration reload
 * that changes what a verdict means).  Same tag: nothing happens. */
void vcache_retag(struct vcache *c, uint64_t tag);

size_t vcache_count(struct vcache *c);

/*
 * Loads entries saved by vcache_save.  A missing file, a file written for
 * another tag, or a malformed file loads nothing and returns 0 (*ret_loaded
 * says how many entries were read).  Returns -1 with errno set only when
 * the file exists but cannot be read.
 */
int vcache_load(struct vcache *c, const char *path, size_t *ret_loaded);

/*
 * Writes the cache atomically (temporary file, fsync, rename, mode 0600).
 * With only_used, entries neither looked up nor inserted since they were
 * loaded are left out: after a full scan those are files that no longer
 * exist.  Returns 0 or -1 with errno set.
 */
int vcache_save(struct vcache *c, const char *path, bool only_used);

#endif
