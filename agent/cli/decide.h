/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decide.h - the one place that turns a scan result into an action.
 *
 * Both `picklewarden scan --quarantine` and the watcher call decide_apply
 * after scanning a file: it checks the trusted digests, picks the policy's
 * action for the verdict, quarantines when asked, and logs the decision
 * exactly once (nothing is logged for a clean file whose action is none).
 */
#ifndef PW_AGENT_DECIDE_H
#define PW_AGENT_DECIDE_H

#include <sys/stat.h>

#include "agent/store/quarantine.h"
#include "agent/sandbox/scan_result.h"
#include "picklewarden.h"
#include "policy/policy.h"

/* The scanned file. */
struct decide_subject {
	const char *path;	/* absolute or as the user gave it: for
				   logs and the quarantine record */
	int dirfd;		/* its directory, or AT_FDCWD */
	const char *name;	/* its name in dirfd (see quarantine.h) */
	int fd;			/* the descriptor that was scanned */
	const struct stat *st;	/* its fstat at scan time */
};

/* What happened.  Append-only. */
enum decide_outcome {
	DECIDE_NOTHING = 0,		/* action none: not logged */
	DECIDE_LOGGED = 1,		/* logged only */
	DECIDE_QUARANTINED = 2,		/* moved to the store, and logged */
	DECIDE_TRUSTED = 3,		/* digest in [trusted]: logged only */
	DECIDE_QUARANTINE_FAILED = 4,	/* the move failed: file left in
					   place, failure logged */
};

struct decision {
	enum pw_verdict verdict;
	enum policy_action action;	/* what the policy asked for */
	enum decide_outcome outcome;	/* what was done */
	char sha256[65];		/* "" when not computed (clean files
					   with action none) */
	char quarantine_id[QUARANTINE_ID_MAX]; /* "" unless quarantined */
	int quarantine_status;		/* enum quarantine_status of the move
					   (QUARANTINE_OK when none) */
	int saved_errno;		/* errno of a failed move */
};

/*
 * Applies the policy to one scanned file.  store may be NULL when the
 * policy never quarantines; a quarantine action without a store is then a
 * failed quarantine (logged).  Returns 0 when a decision was made and
 * logged as needed (including DECIDE_QUARANTINE_FAILED: look at
 * ret->outcome); returns -1 with errno for bad arguments (EINVAL) or when
 * the SHA-256 of the descriptor could not be computed (EIO, ...): that is
 * logged too.  *ret is written whenever 0 is returned.
 */
int decide_apply(const struct policy *policy,
		 struct quarantine_store *store,
		 const struct decide_subject *subj,
		 const struct scan_result *result, struct decision *ret);

/* "nothing", "logged", "quarantined", "trusted", "quarantine-failed". */
const char *decide_outcome_name(enum decide_outcome outcome);

#endif
