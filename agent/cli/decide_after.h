/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decide_after.h - what follows a decision, for people: one short line
 * per decision that names the Hugging Face repository, revision and file
 * (the key=value detail goes to LOG_DEBUG and the record), the tombstone
 * and one-copy-per-digest of a quarantined blob, the hook and desktop
 * notification, and the last decisions kept for `picklewarden status`.
 * Called by decide_apply only.
 */
#ifndef PW_AGENT_DECIDE_AFTER_H
#define PW_AGENT_DECIDE_AFTER_H

#include <stddef.h>

#include "agent/cli/decide.h"
#include "agent/store/hf.h"

/* Decisions kept for `status`. */
#define DECIDE_RECENT 8
/* Longest short line. */
#define DECIDE_SHORT_MAX 2048

/* The file in words: "pytorch_model.bin from models--org--name@abc1234"
 * for an HF cache (blob names resolved through the snapshots), else the
 * path.  Not escaped.  *ret_hf is filled (zeroed when not HF). */
void decide_describe(const char *path, struct hf_location *ret_hf,
		     char *what, size_t cap);

/* huggingface_hub renames a blob into place first and links it from the
 * snapshot just after: a blob quarantined at its rename may have no name
 * yet.  After the move (the file is already safe) this looks once more,
 * without waiting: a worker that slept here held back every file queued
 * behind it (rename -> quarantine went from ~5 ms to ~1 s) and left the
 * blob's name empty, without its tombstone, for that long. */
void decide_describe_late(const char *path, struct hf_location *hf,
			  char *what, size_t cap);

/* After a successful move: folds a duplicate into the older entry (d's
 * ID changes to it), leaves the tombstone of an HF blob (policy
 * tombstone), runs the hook and the notification. */
void decide_after_quarantine(const struct policy *policy,
			     struct quarantine_store *store,
			     const struct decide_subject *subj,
			     const struct scan_result *result,
			     const struct hf_location *hf, const char *what,
			     struct decision *d);

/* Logs the short line of a decision (and remembers it for status). */
void decide_log_short(const struct decision *d, const struct scan_result *res,
		      const char *what, const char *error);

/* Copies up to max recent short lines (newest last) into out (each
 * DECIDE_SHORT_MAX); returns how many. */
size_t decide_recent(char (*out)[DECIDE_SHORT_MAX], size_t max);

#endif
