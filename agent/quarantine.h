/*
 * quarantine.h - the quarantine store.
 *
 * A store is a directory (mode 0700).  Each entry is a subdirectory named
 * by its ID holding "data" (the file, mode 0000) and "record.json" (what it
 * was, where it was, why it was taken).  Entries are built in a ".new-*"
 * directory and renamed into place, so an ID that exists is complete.
 *
 * Moves never follow symlinks and act only on the file's own directory (by
 * descriptor) and the store: renameat2(RENAME_NOREPLACE) when both are on
 * one filesystem, else a copy from the scanned descriptor that is synced
 * and verified before the original is unlinked.  Either way the original
 * is only taken if its name still refers to the device and inode that was
 * scanned.
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
};

/* A static text for a status; never NULL. */
const char *quarantine_strerror(int status);

struct quarantine_store;

/*
 * Opens (creating it and its parents, mode 0700) the store at dir, which
 * must be absolute.  A store directory that exists but is a symlink, is not
 * owned by us, or is accessible by group/others is refused
 * (QUARANTINE_ERR_INVALID).  *ret only on success; close with
 * quarantine_close (NULL is a no-op).
 */
int quarantine_open(const char *dir, struct quarantine_store **ret);
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
};

void quarantine_entry_free(struct quarantine_entry *entry);
void quarantine_entries_free(struct quarantine_entry *entries, size_t n);

/*
 * Lists complete entries, oldest first.  On success *ret is an array of n
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
 * Restores an entry to to_path (absolute or relative to the cwd), or to
 * its original path when to_path is NULL.  Verifies the SHA-256 of the
 * data against the record first (QUARANTINE_ERR_CORRUPT), never replaces an
 * existing file (QUARANTINE_ERR_EXISTS), never follows a symlink at the
 * final component, restores the permission bits and the access and
 * modification times (and the owner when running as root), then removes
 * the entry.  The restored file is byte for byte the quarantined one.
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
