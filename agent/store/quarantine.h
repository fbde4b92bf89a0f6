/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quarantine.h - the quarantine store.
 *
 * A store is a directory (mode 0700).  Each entry is a subdirectory named
 * by its ID holding "data" (the file, mode 0000) and "record.json" (what it
 * was, where it was, why it was taken).  Entries are built in a ".new-*"
 * directory and renamed into place, so an ID that exists is complete.
 *
 * Stage, then store: a move first writes its intent, then takes the file
 * out of its directory with one renameat2(RENAME_NOREPLACE) - into the
 * entry when the store is on the file's mount, else into a private stage
 * directory on the file's own mount - checks that what it took is the
 * inode it judged (else puts it back), and only then copies, hashes and
 * records the staged file, which nobody else can reach.  Every step leaves
 * a state that quarantine_recover finishes or undoes (enum
 * quarantine_state); the README lists them.
 *
 * Thread safety: a store handle may be used from several threads at once
 * (every operation works on its own descriptors; IDs carry random bits).
 */
#ifndef PW_AGENT_QUARANTINE_H
#define PW_AGENT_QUARANTINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "agent/sandbox/scan_result.h"
#include "picklewarden.h"

/* "20261126T031729Z-0123456789ab-c0ffee12" plus NUL, with room to spare. */
#define QUARANTINE_ID_MAX 64
/* Findings copied into a record; the rest are counted. */
#define QUARANTINE_MAX_RECORD_FINDINGS 64
/* A record larger than this is refused as corrupt when read back. */
#define QUARANTINE_MAX_RECORD_SIZE (1024 * 1024)

/* The stage directory's name (see quarantine_stage.c): the watcher
 * skips a directory of this name that is ours and 0700. */
#define QUARANTINE_STAGE_DIR_NAME ".picklewarden-staging"

/* Results.  Append-only; errno is also set for QUARANTINE_ERR_IO. */
enum quarantine_status {
	QUARANTINE_OK = 0,
	QUARANTINE_ERR_NOMEM = 1,
	QUARANTINE_ERR_IO = 2,		/* a system call failed (errno) */
	QUARANTINE_ERR_CHANGED = 3,	/* the name no longer refers to the
					   scanned file, or its content
					   changed while we copied it */
	QUARANTINE_ERR_EXISTS = 4,	/* restore: the target exists */
	QUARANTINE_ERR_NOT_FOUND = 5,	/* no entry with this ID */
	QUARANTINE_ERR_CORRUPT = 6,	/* record unreadable, or the data's
					   SHA-256 does not match it */
	QUARANTINE_ERR_INVALID = 7,	/* a bad argument (malformed ID,
					   relative path, ...) */
	QUARANTINE_ERR_NOT_EMPTY = 8,	/* purge: unexpected files in entry */
	QUARANTINE_ERR_UNSAFE_PATH = 9,	/* restore: a directory of the target
					   is a symlink, or the original
					   directory was replaced */
	QUARANTINE_ERR_BUSY = 10,	/* a move is working on this entry */
	QUARANTINE_ERR_STORE_UNSAFE = 11, /* the store directory is a symlink,
					   not a directory, or not ours */
};

/* Where an entry stands.  Only COMPLETE entries have an ID of their own;
 * the others are ".new-*" directories, listed under the ID "new-<hex>"
 * and accepted by show, restore and purge under that ID.  Append-only. */
enum quarantine_state {
	QUARANTINE_STATE_COMPLETE = 0,	/* data and record, published */
	QUARANTINE_STATE_EMPTY = 1,	/* nothing taken yet (no intent, or
					   an intent and no file): undone */
	QUARANTINE_STATE_STAGED = 2,	/* the original is staged, not yet
					   stored: stored by recovery */
	QUARANTINE_STATE_STORED = 3,	/* data stored, record missing:
					   recorded by recovery */
	QUARANTINE_STATE_RECORDED = 4,	/* complete, not yet published */
	QUARANTINE_STATE_BUSY = 5,	/* a live move holds it */
	QUARANTINE_STATE_STUCK = 6,	/* recovery failed (store full,
					   stage unreachable, ...): kept,
					   retried at the next recovery */
};
const char *quarantine_state_name(enum quarantine_state state);

/* What one recovery pass did. */
struct quarantine_recovery {
	size_t completed;	/* interrupted moves finished */
	size_t undone;		/* moves that had taken nothing, removed */
	size_t busy;		/* held by a live move: left alone */
	size_t stuck;		/* could not be finished now */
};

/* A static text for a status; never NULL. */
const char *quarantine_strerror(int status);

struct quarantine_store;

/*
 * Opens (creating it and its parents, mode 0700) the store at dir, which
 * must be absolute (else QUARANTINE_ERR_INVALID).  A store directory that
 * exists but is a symlink or is not owned by us is refused
 * (QUARANTINE_ERR_STORE_UNSAFE); one group/others can access is
 * tightened to 0700.  *ret only on success; close with
 * quarantine_close (NULL is a no-op).
 */
int quarantine_open(const char *dir, struct quarantine_store **ret);
/*
 * For the watcher, which must keep guarding whatever happens to its store:
 * returns a handle even when the store cannot be opened now (its status
 * in *ret_status), and every move checks the directory again first: a
 * store that disappeared is recreated, one replaced by a symlink (or not
 * ours) is refused until fixed, never followed.  QUARANTINE_ERR_INVALID
 * for a relative dir, QUARANTINE_ERR_NOMEM; else QUARANTINE_OK.
 */
int quarantine_open_lazy(const char *dir, struct quarantine_store **ret,
			 int *ret_status);
/*
 * Finishes or undoes every interrupted move in the store (those no live
 * move holds).  Never deletes the only copy of a file.  Counts in *ret
 * (may be NULL).  QUARANTINE_OK, or the status of an unusable store.
 */
int quarantine_recover(struct quarantine_store *store,
		       struct quarantine_recovery *ret);
void quarantine_close(struct quarantine_store *store);
/* The store's directory as given to quarantine_open. */
const char *quarantine_dir(const struct quarantine_store *store);

/* The file to take: everything the caller learnt when it scanned it. */
struct quarantine_subject {
	int fd;			/* the descriptor that was scanned */
	const struct stat *st;	/* its fstat at scan time */
	int dirfd;		/* its directory (AT_FDCWD allowed) */
	const char *name;	/* its name in dirfd: one component, or a
				   path relative to dirfd whose last
				   component is never followed */
	const char *path;	/* the absolute path, for the record */
	const char *sha256;	/* hex digest of fd's content when already
				   known, or NULL to compute it */
	const char *signature;	/* the model-signature finding for the
				   record ("signature" member), or NULL */
};

/*
 * Moves the subject into the store.  On success returns QUARANTINE_OK and
 * writes the new entry's ID into ret_id (cap >= QUARANTINE_ID_MAX).  On any
 * failure the original is where it was, untouched, and no entry or
 * temporary file remains in the store.  result (may be NULL) gives the
 * verdict and findings for the record.
 */
int quarantine_move(struct quarantine_store *store,
		    const struct quarantine_subject *subj,
		    const struct scan_result *result, char *ret_id, size_t cap);

/* One finding as kept in a record. */
struct quarantine_finding {
	char *severity, *kind, *global, *opcode, *location, *reason;
	uint64_t offset;
};

/* An entry as read back from its record. */
struct quarantine_entry {
	char id[QUARANTINE_ID_MAX];
	char *original_path;	/* exact bytes (may be any bytes but NUL) */
	uint64_t size;
	mode_t mode;		/* permission bits of the original */
	uid_t uid;
	gid_t gid;
	struct timespec atime, mtime, ctime;
	char sha256[65];
	char *verdict;
	char *format;
	time_t quarantined_at;
	char *method;		/* "rename" or "copy" */
	char *version;		/* picklewarden version that wrote it */
	struct quarantine_finding *findings;
	size_t n_findings;
	uint64_t findings_total; /* findings the scan reported */
	bool data_present;	/* "data" exists in the entry */
	enum quarantine_state state;
	bool captured_while_writing; /* data is a frozen copy of a file
				   that was still being written */
	uint64_t captured_size;	/* bytes stored (== size unless frozen) */
	bool have_parent;	/* parent_dev/ino known (newer records) */
	uint64_t parent_dev, parent_ino; /* the original's directory */
};

void quarantine_entry_free(struct quarantine_entry *entry);
void quarantine_entries_free(struct quarantine_entry *entries, size_t n);

/*
 * Lists entries, oldest first: complete ones and, after a recovery pass,
 * the interrupted moves it could not finish (state != COMPLETE).  On success *ret is an array of n
 * entries (free with quarantine_entries_free), NULL when n is 0.  Entries
 * whose record cannot be read are skipped and counted in *ret_bad (may be
 * NULL).
 */
int quarantine_list(struct quarantine_store *store,
		    struct quarantine_entry **ret, size_t *ret_n,
		    size_t *ret_bad);

/* Reads one entry (free with quarantine_entry_free). */
int quarantine_show(struct quarantine_store *store, const char *id,
		    struct quarantine_entry **ret);

/* Copies the raw record.json of an entry to out (for `show --json`). */
int quarantine_write_record(struct quarantine_store *store, const char *id,
			    FILE *out);

/*
 * Restores an entry to to_path (absolute or relative to the cwd; an
 * existing directory means "into it, under the original name"), or to its
 * original path when to_path is NULL.  Every directory of the target is
 * opened from / (or the cwd) down without following a symlink, and the
 * original directory must still be the one the file was taken from
 * (QUARANTINE_ERR_UNSAFE_PATH otherwise).  Verifies the SHA-256 of the
 * data against the record first (QUARANTINE_ERR_CORRUPT), never replaces an
 * existing file (QUARANTINE_ERR_EXISTS), restores the permission bits and
 * the access and modification times (and the owner when running as root),
 * then removes the entry.  The restored file is byte for byte the
 * quarantined one.  An interrupted move is finished first.
 */
int quarantine_restore(struct quarantine_store *store, const char *id,
		       const char *to_path);

/* Deletes one entry for good. */
int quarantine_purge(struct quarantine_store *store, const char *id);

/* Deletes entries quarantined before cutoff; *ret_count (may be NULL) is
 * how many went.  Stops at the first failure. */
int quarantine_purge_older(struct quarantine_store *store, time_t cutoff,
			   size_t *ret_count);

/* True when id has the shape of an entry ID (no '/', no leading '.'). */
bool quarantine_id_valid(const char *id);

#endif
