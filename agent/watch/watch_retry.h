/*
 * watch_retry.h - files whose quarantine failed, or that could not be
 * scanned at all (no scan worker could be started), tried again with
 * back-off.
 *
 * A malicious file that could not be moved (store full, read-only,
 * missing or replaced by a symlink) must not stay usable until it happens
 * to change: it is kept on this list and scanned and decided again after
 * 0.5 s, 1 s, 2 s ... (at most WATCH_RETRY_MAX_DELAY_MS apart) until it is
 * quarantined, changes identity or disappears.  Each failed attempt is
 * logged at error level by decide_apply, and each scheduling here.
 */
#ifndef PW_AGENT_WATCH_RETRY_H
#define PW_AGENT_WATCH_RETRY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/* Entries kept; more failures than this are logged and not retried (the
 * next event or rescan still sees those files). */
#define WATCH_RETRY_MAX 4096
#define WATCH_RETRY_FIRST_DELAY_MS 500u
#define WATCH_RETRY_MAX_DELAY_MS 60000u

/* Why a file is on the list (what its log lines say). */
enum watch_retry_why {
	WATCH_RETRY_MOVE,	/* malicious, and its quarantine failed */
	WATCH_RETRY_SCAN,	/* the scan itself failed: no verdict yet */
	WATCH_RETRY_DECIDE,	/* a verdict, but no decision could be made */
};

struct watch_retry;
struct watch_shared;

/* Starts the retry thread; it runs jobs with watch_job_run(job, sh).
 * 0, or -1 with errno. */
int watch_retry_new(struct watch_shared *sh, struct watch_retry **ret);
/* Stops the thread (a job running finishes first) and frees; NULL ok. */
void watch_retry_free(struct watch_retry *r);
/* Puts the file (absolute path, identity from st) on the list; a file
 * already on it keeps its schedule.  r may be NULL (no retries). */
void watch_retry_add(struct watch_retry *r, const char *path,
		     const struct stat *st, enum watch_retry_why why);
/* A retry of the file reached an end (judged, and nothing left to try
 * again: clean, quarantined, moved by someone, a move that is refused):
 * it leaves the list after this attempt even if it is still there. */
void watch_retry_settle(struct watch_retry *r, const char *path,
			const struct stat *st);
/* True when the file (path and identity) is on the list: its retries
 * are scheduled here, so an event (its own put-back after a failed move
 * renames it in again) does not start another attempt at once. */
bool watch_retry_owns(struct watch_retry *r, const char *path,
		      const struct stat *st);
/* Entries on the list now. */
size_t watch_retry_count(struct watch_retry *r);

#endif
