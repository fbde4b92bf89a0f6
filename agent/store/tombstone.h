/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tombstone.h - the small file left where a Hugging Face cache blob was
 * quarantined.
 *
 * Without it, huggingface_hub finds the blob missing and downloads it
 * again on every call (each copy quarantined again), and the user's load
 * fails with a bare FileNotFoundError.  With it the download is skipped and
 * the load fails at once: the file starts with '#', which is no pickle
 * opcode ("invalid load key, '#'"), no zip, tar, gzip, NumPy or
 * safetensors header; the rest is text that says what happened and how to
 * undo it.  Our own scanner judges it clean.
 */
#ifndef PW_AGENT_TOMBSTONE_H
#define PW_AGENT_TOMBSTONE_H

#include <stdbool.h>
#include <stddef.h>

/* The first line of every tombstone (and how one is recognised). */
#define TOMBSTONE_MAGIC "# picklewarden tombstone v1\n"
/* A tombstone is never larger than this (checked when recognising one). */
#define TOMBSTONE_MAX 4096

/* What a tombstone says.  Strings are borrowed and escaped when written. */
struct tombstone_info {
	const char *id;		/* the quarantine entry */
	const char *what;	/* "pytorch_model.bin from models--o--n@abc" */
	const char *verdict;	/* "malicious" */
	const char *why;	/* the worst finding, or NULL */
};

/* Formats the tombstone text into buf; returns its length, or 0 when it
 * does not fit (cap >= TOMBSTONE_MAX always fits). */
size_t tombstone_format(const struct tombstone_info *t, char *buf,
			size_t cap);

/*
 * Creates the tombstone as name in dirfd (O_EXCL, never through a symlink,
 * mode 0444).  Returns 0, or -1 with errno (EEXIST when something took the
 * name meanwhile: it is left alone).
 */
int tombstone_write(int dirfd, const char *name,
		    const struct tombstone_info *t);

/*
 * True when path is a regular file (not followed if a symlink) that is a
 * tombstone for entry id: at most TOMBSTONE_MAX bytes, starting with
 * TOMBSTONE_MAGIC and holding the line "# id: <id>".
 */
bool tombstone_is_ours(const char *path, const char *id);

/* Reads path into buf (cap > TOMBSTONE_MAX, NUL-terminated) when it is a
 * tombstone: a regular file of at most TOMBSTONE_MAX bytes, opened without
 * following a symlink or blocking on a FIFO, starting with TOMBSTONE_MAGIC
 * and holding no NUL.  1: a tombstone; 0: something else; -1: no such
 * file. */
int tombstone_read(const char *path, char *buf, size_t cap);

/* Removes path when tombstone_is_ours(path, id).  Returns 1 when removed,
 * 0 when there was no tombstone of ours, -1 on error (errno). */
int tombstone_remove(const char *path, const char *id);

#endif
