/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quarantine_int.h - what the files of the quarantine store share; not
 * for use outside agent/store/quarantine*.c.
 *
 *   quarantine.c          opening the store, IDs, small helpers
 *   quarantine_record.c   the record: written with json_writer, read back
 *                         (untrusted) with json_reader; list and show
 *   quarantine_move.c     moving a file in (rename, or copy across
 *                         filesystems)
 *   quarantine_restore.c  restoring and purging entries
 *   quarantine_stage.c    where a file is staged when the store is on
 *                         another filesystem; the writer test; the store
 *                         directory checked again before each move
 *   quarantine_recover.c  finishing or undoing interrupted moves
 */
#ifndef PW_AGENT_QUARANTINE_INT_H
#define PW_AGENT_QUARANTINE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <pthread.h>
#include <time.h>

#include "agent/store/quarantine.h"
#include "agent/store/sha256.h"

#define DATA_NAME "data"
#define DATA_PART "data.part"
#define RECORD_NAME "record.json"
#define RECORD_PART "record.json.part"
#define NEW_PREFIX ".new-"
/* Inside a ".new-*" directory (see quarantine_move.c for the order):
 *   intent.json  what is about to be taken (written before anything
 *                moves; its presence is what makes the rest recoverable)
 *   orig         the original, renamed in (store on its filesystem)
 *   frozen       marker: data is a copy of a file still being written
 *   data.part    a copy in progress (discarded by recovery)
 * and, when the store is elsewhere, the original waits in
 * <stage dir>/<txn> on its own filesystem. */
#define INTENT_NAME "intent.json"
#define INTENT_PART "intent.json.part"
#define ORIG_NAME "orig"
#define FROZEN_MARK "frozen"
#define STAGE_DIR_NAME QUARANTINE_STAGE_DIR_NAME
/* Copy buffer: a few hundred KiB keeps syscalls few without hurting a
 * worker thread. */
#define COPY_CHUNK (256 * 1024)
/* Attempts at a fresh random name before giving up: with 32 random bits
 * a second collision means something is wrong. */
#define NAME_ATTEMPTS 8
#define RECORD_VERSION 1

struct quarantine_store {
	char *dir;
	int dfd;		/* -1 while the store is unusable (see
				   quarantine_stage.c); guarded by lock */
	dev_t dev;		/* identity of the directory dfd is */
	ino_t ino;
	pthread_mutex_t lock;
};

/* How a file got into the store (the record's "method"). */
enum quarantine_method {
	QUARANTINE_METHOD_RENAME,	/* same filesystem: renameat2 */
	QUARANTINE_METHOD_COPY,		/* across filesystems: verified copy */
	QUARANTINE_METHOD_FROZEN,	/* still being written: a copy of
					   what it held when taken */
};

/* The steps of a move, in order.  After each one the store holds a state
 * that recovery (quarantine_recover.c) finishes or undoes.  The numbers
 * are what PICKLEWARDEN_TEST_STOP_AT_STEP names in test builds. */
enum quarantine_step {
	QUARANTINE_STEP_INTENT = 1,	/* .new-<txn>/intent.json durable */
	QUARANTINE_STEP_STAGED = 2,	/* the original renamed out of its
					   directory (orig, or the stage) */
	QUARANTINE_STEP_CHECKED = 3,	/* it is the inode we judged */
	QUARANTINE_STEP_DATA = 4,	/* data complete and durable */
	QUARANTINE_STEP_RELEASED = 5,	/* the staged original removed
					   (copies only) */
	QUARANTINE_STEP_RECORDED = 6,	/* record.json durable */
	QUARANTINE_STEP_PUBLISHED = 7,	/* renamed to its ID */
};
#define QUARANTINE_STEP_LAST QUARANTINE_STEP_PUBLISHED

#ifdef PW_TEST_HOOKS
/* Test builds only (tests/faults): stops the process at a step. */
void quarantine_test_step(enum quarantine_step step);
#else
static inline void
quarantine_test_step(enum quarantine_step step)
{
	(void)step;
}
#endif

/* write(2) until all is written; 0 or -1 with errno. */
int quarantine_write_all(int fd, const void *buf, size_t len);
/* close(fd) when fd >= 0, keeping errno. */
void quarantine_close_keep_errno(int fd);
/* 2*bytes random hex digits and a NUL into out (bytes <= 16). */
int quarantine_random_hex(char *out, size_t bytes);
bool quarantine_same_file(const struct stat *a, const struct stat *b);
/* Removes an entry directory we made (only the names we create). */
int quarantine_remove_entry_dir(int dfd, const char *name);
/* The status for the current errno: NOMEM or IO. */
int quarantine_io_status(void);
/* Copies all of src (pread from 0) to out, hashing into h when not NULL;
 * 0 with *ret_size, or -1 with errno. */
int quarantine_copy_fd(int src, int out, struct sha256 *h,
		       uint64_t *ret_size);

/* One move (or one recovery of a move) in progress. */
struct quarantine_txn {
	int dfd;		/* the store */
	int efd;		/* its ".new-<txn>" directory (locked) */
	char newname[32];	/* ".new-<txn>" */
	const char *txn;	/* the <txn> part */
	char *stage_path;	/* the stage directory, NULL when the file
				   is staged in the entry */
	int sfd;		/* the stage directory when open */
	int odir;		/* where the staged original is: efd or sfd */
	const char *oname;	/* and its name there */
	int ofd;		/* the original, open (the judged inode) */
	const struct stat *scan; /* what the scan saw (writer test) */
	char want_sha[SHA256_HEX_LEN + 1]; /* digest the caller hashed, or
				   "" */
	bool frozen;		/* already known to be a frozen copy */
	char *intent;		/* intent.json text */
	size_t intent_len;
	time_t when;		/* quarantined at */
	bool released;		/* the original is no longer outside data */
	bool published;
	/* Recovery: the step already done (0 for a fresh move); with
	 * QUARANTINE_STEP_DATA, method says how data was made; with
	 * QUARANTINE_STEP_RECORDED, want_sha is the record's digest. */
	enum quarantine_step resume;
	enum quarantine_method method;
};

/* Steps 4 to 7 (quarantine_move.c). */
int quarantine_txn_finish(struct quarantine_txn *t, char *ret_id,
			  size_t cap);
/* Removes an empty stage directory (best effort). */
void quarantine_stage_tidy(const char *stage_path);

/* Builds the intent of a move (the record without what is only known
 * once the file is taken: method, sha256, size, capture): 0 with *ret_buf
 * (caller frees, a JSON object) and *ret_len, or -1 (errno ENOMEM). */
int quarantine_intent_build(const struct quarantine_subject *subj,
			    const struct stat *parent,
			    const struct scan_result *res, time_t now,
			    const char *stage_dir, const char *txn,
			    char **ret_buf, size_t *ret_len);
/* The record: the intent with the capture members appended. */
int quarantine_record_finish(const char *intent, size_t intent_len,
			     enum quarantine_method method, const char *sha,
			     uint64_t size, bool frozen, char **ret_buf,
			     size_t *ret_len);
/* Writes name (via name.part, fsync, rename) into a directory; 0 or -1
 * with errno. */
int quarantine_file_write(int efd, const char *name, const char *part,
			  const char *buf, size_t len);
/* Writes the record into an entry directory: part file, fsync, rename;
 * 0 or -1 with errno. */
int quarantine_record_write(int efd, const char *buf, size_t len);
/* Reads a small file of an entry (bounded by QUARANTINE_MAX_RECORD_SIZE):
 * QUARANTINE_OK with *ret_buf (NUL-terminated, caller frees). */
int quarantine_read_small(int efd, const char *name, char **ret_buf,
			  size_t *ret_len);
/* The bytes a record's *_hex member spells (store_json_hex: two hex digits
 * a byte), as a new C string; NULL when hex is NULL, empty, of odd length,
 * has anything but hex digits, spells a NUL byte, or memory runs out. */
char *quarantine_unhex(const char *hex);

/* ---- quarantine_stage.c ---- */
/* mkdir -p, 0700 for what it creates; 0 or -1 with errno. */
int quarantine_mkdir_parents(const char *dir);
/* Opens the store directory by path (created when missing, never a
 * symlink, ours, made private); fd with *ret_st, or -1 with
 * *ret_status. */
int quarantine_store_dir_open(const char *dir, struct stat *ret_st,
			      int *ret_status);
/* A duplicate of the store's directory descriptor, checked again first:
 * a store that vanished is recreated, one that became a symlink or
 * someone else's is refused (QUARANTINE_ERR_INVALID) until it is fixed.
 * QUARANTINE_OK with *ret_fd (caller closes). */
int quarantine_store_fd(struct quarantine_store *s, int *ret_fd);
/* True when dirfd is on the same mount as fd. */
bool quarantine_same_mount(int a, int b);
/* The stage directory for a file in the directory dirfd whose absolute
 * path is path: ".picklewarden-staging" in the highest directory of path
 * on the same mount that we own (the file's own directory if none).
 * Returns the path (caller frees) or NULL with errno. */
char *quarantine_stage_path(int dirfd, const char *path);
/* Opens (creating it 0700 when create) a stage directory by path without
 * following any symlink; checks it is ours and private.  fd or -1. */
int quarantine_stage_open(const char *path, bool create);
/* Opens the directory at an absolute path from / down, every component
 * without following symlinks.  fd (O_PATH unless want_read) or -1 with
 * errno (ELOOP: a component is a symlink). */
int quarantine_open_dir_nofollow(const char *path, bool want_read);
/* True when the file open at fd may still be written: someone has it
 * open for writing (a lease test), or its size or mtime is no longer
 * what the scan saw. */
bool quarantine_may_be_written(int fd, const struct stat *scanned);
/* Copies src into name.part in efd (fsync'ed) and renames it to name;
 * digest and size of what was copied in ret_sha/ret_size. */
int quarantine_copy_into(int src, int efd, char *ret_sha,
			 uint64_t *ret_size);
/* Builds the entry ID. */
int quarantine_make_id(const char *sha, time_t now, char *out, size_t cap);
/* Locks a .new- directory for the move working on it (flock); false when
 * someone holds it. */
bool quarantine_txn_lock(int efd, bool wait);
/* The directory name of an ID: itself, or ".new-<hex>" for
 * "new-<hex>"; false for a malformed ID. */
bool quarantine_dir_name(const char *id, char *out, size_t cap);
/* Reads entry id into *e (cleared with quarantine_entry_clear). */
int quarantine_entry_read(struct quarantine_store *s, const char *id,
			  struct quarantine_entry *e);
void quarantine_entry_clear(struct quarantine_entry *e);
/* Finishes or undoes one interrupted move (".new-" name in the store
 * open at dfd); see quarantine_recover.c.  Returns its state after. */
enum quarantine_state quarantine_recover_one(struct quarantine_store *s,
					     int dfd, const char *name,
					     char *ret_id, size_t cap);

#endif
