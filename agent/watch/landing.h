/* SPDX-License-Identifier: Apache-2.0 */
/*
 * landing.h - scanning a file while it lands: when to look.
 *
 * A download takes seconds; the payload of a raw pickle, a legacy torch
 * checkpoint, a joblib file or a PyTorch zip (data.pkl is written first)
 * usually sits in its first kilobytes.  The watcher sees a file being
 * written through its IN_MODIFY events (HF "*.incomplete", torch.hub's
 * temporary file, any in-place writer); this module decides when its
 * prefix is worth a look: at LANDING_FIRST bytes, then each time the size
 * has doubled since the last look.  The look itself is a prefix scan in a
 * sandboxed worker (pw_scan_fd_prefix through the scan client): this
 * module never reads the file.  A final answer (pw_result_prefix_final)
 * makes the caller quarantine the partial file at once; anything else
 * waits for the next size, and the complete file is judged in full at its
 * close/rename as before.
 *
 * Cost: a pickle stream's look reads the prefix from offset 0, at sizes
 * s, 2s, 4s, ... below the final size: the looks together read less than
 * twice the final size.  A zip's look reads its local headers and its .pkl
 * members, not its tensor data.
 *
 * Per-file state lives in a bounded table keyed by path (the event loop's
 * only), forgotten when the file is closed, renamed or deleted; when the
 * table is full the least recently touched file is forgotten (its next
 * look starts again from LANDING_FIRST: more reads, never fewer checks).
 */
#ifndef PW_AGENT_LANDING_H
#define PW_AGENT_LANDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The first look, in bytes: below this a download is done before a look
 * would help, and most payloads fit. */
#define LANDING_FIRST ((uint64_t)64 * 1024)
/* A prefix larger than this is not looked at again (the full scan at the
 * end does it): bounds one look's time. */
#define LANDING_MAX_PREFIX ((uint64_t)256 * 1024 * 1024)
/* Files followed at once; a desktop has a handful of downloads running. */
#define LANDING_TABLE_MAX 256u

/* What one growing file has had so far.  Zero-initialise, or
 * landing_init. */
struct landing_state {
	uint64_t next;		/* look again at this size */
	uint64_t last;		/* size at the last look */
	uint64_t asked;		/* prefix bytes asked for by every look */
	unsigned looks;
	bool final;		/* a look was final: stop looking */
};

void landing_init(struct landing_state *st);

/* True when the file, now size bytes, should be looked at. */
bool landing_due(const struct landing_state *st, uint64_t size);

/* The file is now size bytes: smaller than at the last look means it was
 * truncated and is being written anew (O_TRUNC, a rewrite in place), so
 * the schedule starts again. */
void landing_seen(struct landing_state *st, uint64_t size);

/* Records a look at size bytes: the next one is due at twice that. */
void landing_looked(struct landing_state *st, uint64_t size);

/* Records that a look was final: no more looks for this file. */
void landing_final(struct landing_state *st);

struct landing_table;

/* A table of at most max files (0: LANDING_TABLE_MAX); NULL when out of
 * memory.  landing_table_free(NULL) is a no-op. */
struct landing_table *landing_table_new(size_t max);
void landing_table_free(struct landing_table *t);

/* The state of path, created (landing_init) when it has none; now_ms
 * orders eviction.  NULL only when out of memory. */
struct landing_state *landing_table_get(struct landing_table *t,
					const char *path, uint64_t now_ms);
/* Forgets path (closed, renamed, deleted); no-op when unknown. */
void landing_table_forget(struct landing_table *t, const char *path);
/* Files followed now. */
size_t landing_table_count(const struct landing_table *t);

#endif
