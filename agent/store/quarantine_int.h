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
 */
#ifndef PW_AGENT_QUARANTINE_INT_H
#define PW_AGENT_QUARANTINE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "agent/store/quarantine.h"
#include "agent/store/sha256.h"

#define DATA_NAME "data"
#define DATA_PART "data.part"
#define RECORD_NAME "record.json"
#define RECORD_PART "record.json.part"
#define NEW_PREFIX ".new-"
/* Copy buffer: a few hundred KiB keeps syscalls few without hurting a
 * worker thread. */
#define COPY_CHUNK (256 * 1024)
/* Attempts at a fresh random name before giving up: with 32 random bits
 * a second collision means something is wrong. */
#define NAME_ATTEMPTS 8
#define RECORD_VERSION 1

struct quarantine_store {
	char *dir;
	int dfd;
};

/* How a file got into the store (the record's "method"). */
enum quarantine_method {
	QUARANTINE_METHOD_RENAME,	/* same filesystem: renameat2 */
	QUARANTINE_METHOD_COPY,		/* across filesystems: verified copy */
};

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

/* Builds the record of a move: 0 with *ret_buf (caller frees) and
 * *ret_len, or -1 (errno ENOMEM). */
int quarantine_record_build(const struct quarantine_subject *subj,
			    const char *sha, const struct pw_result *res,
			    enum quarantine_method method, time_t now,
			    char **ret_buf, size_t *ret_len);
/* Writes the record into an entry directory: part file, fsync, rename;
 * 0 or -1 with errno. */
int quarantine_record_write(int efd, const char *buf, size_t len);
/* Reads entry id into *e (cleared with quarantine_entry_clear). */
int quarantine_entry_read(struct quarantine_store *s, const char *id,
			  struct quarantine_entry *e);
void quarantine_entry_clear(struct quarantine_entry *e);

#endif
