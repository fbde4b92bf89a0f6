/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vcache.h - the verdict cache: what the scanner said about a file the
 * last time, keyed by the file's identity and change stamps (device,
 * inode, size, mtime and ctime to the nanosecond), and holding a digest of
 * the file's content (vcache_digest_fd).
 *
 * Timestamps alone do not vouch for bytes: a write through a shared
 * mapping to pages already dirty changes no timestamp.  So an entry is
 * reused without reading the file only while it is "verified": inserted
 * or digest-checked in this run, and no write-open of the file seen since
 * (the watcher bypasses the cache for CLOSE_WRITE and MODIFY).  Entries
 * loaded from disk are not verified: their first use recomputes the
 * digest and a mismatch means a full scan.  This makes restarts cheap
 * (a few hundred KB read per large file) and rescans in one run free.
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

/* What the cache holds for one key. */
struct vcache_entry {
	int verdict;		/* 0..255 */
	uint64_t digest;	/* vcache_digest_fd */
	unsigned flags;		/* VCACHE_F_* */
	bool verified;		/* see above (lookup only) */
};
/* The file was judged malicious and cannot be moved (another user's file,
 * a sticky directory): reported once, not again while it is unchanged. */
#define VCACHE_F_UNMOVABLE 1u

/* Files up to this size are digested whole (every pickle a loader would
 * run from a small file); larger ones by their first and last
 * VCACHE_DIGEST_EDGE bytes (torch.save writes data.pkl first, and the zip
 * central directory is last). */
#define VCACHE_DIGEST_WHOLE ((uint64_t)1 << 20)
#define VCACHE_DIGEST_EDGE ((uint64_t)64 << 10)

/* FNV-1a 64 of the bytes above (not a security hash: it detects changes
 * by accident or by a writer who cannot see our digest, which is kept in
 * the private state directory).  Returns 0 or -1 (read error, errno). */
int vcache_digest_fd(int fd, uint64_t size, uint64_t *ret);

/* A new, empty cache holding at most max_entries (1 .. 1<<24) entries
 * for the given tag.  Writes *ret only on success; -1 with errno set. */
int vcache_new(uint64_t tag, size_t max_entries, struct vcache **ret);
void vcache_free(struct vcache *c);

/* True and *ret set when key is cached. */
bool vcache_lookup(struct vcache *c, const struct vcache_key *key,
		   struct vcache_entry *ret);

/* Marks key's entry verified (its digest was checked against the file). */
void vcache_set_verified(struct vcache *c, const struct vcache_key *key);

/* Before a full scan: every entry unused.  After it, vcache_prune_unused
 * drops the entries no file of the scan needed (files that are gone) and
 * returns how many. */
void vcache_mark_unused(struct vcache *c);
size_t vcache_prune_unused(struct vcache *c);

/* Drops key's entry, if any. */
void vcache_forget(struct vcache *c, const struct vcache_key *key);

/* Records a verdict (0..255) with its digest and flags, as verified.  When
 * the cache is full it is emptied first: a cache may forget, and
 * forgetting only costs a rescan.  Returns 0 or -1 (ENOMEM, EINVAL). */
int vcache_insert(struct vcache *c, const struct vcache_key *key,
		  const struct vcache_entry *e);

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
