/* SPDX-License-Identifier: Apache-2.0 */
/*
 * landing.h - scanning a file while it lands: the prefix-scan policy.
 *
 * A download takes seconds; the payload of a raw pickle, a legacy torch
 * checkpoint, a joblib file or a PyTorch zip (data.pkl is written first)
 * usually sits in its first kilobytes.  Given a growing file, this module
 * decides when to look at its prefix again (each time the size has
 * doubled since the last look, from LANDING_FIRST bytes) and what the
 * prefix says.  A prefix whose executed part is already malicious (a
 * malicious import or call the loader reaches before the data ends) is
 * final: nothing written later can take back what a loader would run.
 * Anything else waits for the next size, and the complete file is judged
 * in full at its close/rename as before.
 *
 * Cost: raw streams are read from offset 0 to the current size at sizes
 * s, 2s, 4s, ...: every look reads at most the file so far, and the sum is
 * below twice the final size.  A zip prefix is not read whole: its local
 * headers are walked (30 bytes + name each, data skipped) and only the
 * bytes of stored .pkl members are read, up to LANDING_MAX_MEMBER each.
 *
 * The event path calls landing_due() on each IN_MODIFY of a file being
 * written (HF "*.incomplete", torch.hub's temporary file, an in-place
 * writer) and landing_check() when it says so; on LANDING_FINAL the caller
 * quarantines the partial file, so the downloader's own rename fails and
 * nothing is loaded.
 */
#ifndef PW_AGENT_LANDING_H
#define PW_AGENT_LANDING_H

#include <stdbool.h>
#include <stdint.h>

#include "picklewarden.h"

/* The first look, in bytes: below this a download is done before a
 * look would help, and most payloads fit. */
#define LANDING_FIRST ((uint64_t)64 * 1024)
/* A raw prefix larger than this is not looked at again (the full scan at
 * the end does it): keeps one look's memory bounded. */
#define LANDING_MAX_PREFIX ((uint64_t)256 * 1024 * 1024)
/* Bytes of one stored zip member read for a look. */
#define LANDING_MAX_MEMBER ((uint64_t)64 * 1024 * 1024)
/* Local headers walked in one zip prefix. */
#define LANDING_MAX_HEADERS 4096

/* What one growing file has had so far.  Zero-initialise, or
 * landing_init. */
struct landing_state {
	uint64_t next;		/* look again at this size */
	uint64_t bytes_read;	/* by every look so far */
	unsigned looks;
	bool final;		/* a look was final: stop looking */
};

enum landing_result {
	LANDING_WAIT = 0,	/* nothing final yet */
	LANDING_FINAL = 1,	/* malicious already: quarantine now */
	LANDING_ERROR = 2,	/* could not read (errno): wait */
};

void landing_init(struct landing_state *st);

/* True when the file, now size bytes, should be looked at. */
bool landing_due(const struct landing_state *st, uint64_t size);

/*
 * Looks at the first size bytes of fd (pread; the offset is not moved)
 * with scanner.  Updates st (next size, bytes read).  On LANDING_FINAL,
 * *ret_result (when ret_result is not NULL) is the result that decided it
 * (free with pw_result_free); otherwise it is set to NULL.
 */
enum landing_result landing_check(const struct pw_scanner *scanner, int fd,
				  uint64_t size, struct landing_state *st,
				  struct pw_result **ret_result);

/* True when a (prefix) result is final: malicious, with a malicious
 * import or call finding (not merely a truncation). */
bool landing_result_is_final(const struct pw_result *res);

#endif
