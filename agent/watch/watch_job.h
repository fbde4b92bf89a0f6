/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watch_job.h - what a worker thread does with one file: open it without
 * following symlinks, ask the verdict cache, scan, and hand the result to
 * decide_apply (which quarantines and logs).
 */
#ifndef PW_AGENT_WATCH_JOB_H
#define PW_AGENT_WATCH_JOB_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "agent/watch/vcache.h"
#include "agent/watch/watch_retry.h"
#include "agent/watch/watch_config.h"

/* Scans running right now, so the loop can report one that is stuck
 * (policy agent.watchdog_sec).  One slot per worker thread at most. */
#define WATCH_MAX_RUNNING 64
struct watch_running {
	char *path;		/* NULL: free slot */
	uint64_t started_ms;	/* CLOCK_MONOTONIC */
	bool reported;
};

/* State the event loop shares with the workers. */
struct watch_shared {
	pthread_mutex_t lock;		/* guards cfg */
	struct watch_config *cfg;	/* current configuration */
	struct watch_running running[WATCH_MAX_RUNNING]; /* guarded by lock */
	struct vcache *vcache;
	struct watch_retry *retry;	/* failed quarantines (may be NULL) */
	/* Inodes being judged right now (guarded by lock); a job for one
	 * of them waits on inflight_done (see watch_job.c). */
	struct {
		uint64_t dev, ino;
		bool busy;
	} inflight[WATCH_MAX_RUNNING];
	pthread_cond_t inflight_done;
	/* Counters (atomic): files scanned, files answered by the cache,
	 * files quarantined, files whose scan or decision failed. */
	uint64_t analysed, cached, quarantined, failed;
};

/* Do not trust the verdict cache: the file was open for writing since
 * (CLOSE_WRITE, MODIFY), so a shared mapping may have changed its bytes
 * without changing a timestamp. */
#define WATCH_JOB_NOCACHE 2u
/* path is the target of a symlink found in a root (the job's link). */
#define WATCH_JOB_LINK_TARGET 4u
/* Judge and log only, never move: a symlink target outside the roots. */
#define WATCH_JOB_NO_MOVE 8u
/* Judged while still being written (a debounced MODIFY): only a malicious
 * verdict is acted on now; anything else is judged again at the close or
 * the next change, and not cached (a half-written checkpoint is an
 * `error` that would be logged every few seconds). */
#define WATCH_JOB_IN_PROGRESS 16u
/* A retry of a failed quarantine (watch_retry.c); other jobs leave files
 * on the retry list to it. */
#define WATCH_JOB_RETRY 32u
/* A look at the first bytes of a file still being written (landing.h):
 * a prefix scan; only a final answer is acted on (quarantine at once),
 * nothing else is logged or cached. */
#define WATCH_JOB_PREFIX 64u

struct watch_job;

/* A job for the file at path (absolute).  NULL when out of memory. */
struct watch_job *watch_job_new(const char *path, unsigned flags);
/* A WATCH_JOB_PREFIX job for the first prefix_len bytes of path. */
struct watch_job *watch_job_new_prefix(const char *path, uint64_t prefix_len);
/* A job for a symlink's resolved target (absolute, symlink-free); link is
 * the symlink's path, for the log. */
struct watch_job *watch_job_new_link(const char *target, const char *link,
				     unsigned flags);

/* workqueue_run_fn: arg is the struct watch_shared; frees job. */
void watch_job_run(void *job, void *arg);
/* workqueue_drop_fn. */
void watch_job_drop(void *job);

/* The current configuration with a reference taken (unref when done). */
struct watch_config *watch_shared_config(struct watch_shared *sh);
/* Installs a new current configuration; takes over the caller's
 * reference and drops the old one. */
void watch_shared_set_config(struct watch_shared *sh, struct watch_config *c);

/*
 * Logs, once per scan, every scan running for longer than limit_ms (the
 * scanner has limits on everything it decodes; a scan this slow is a bug
 * or a filesystem that hangs, and deserves a line).
 */
void watch_shared_report_stuck(struct watch_shared *sh, uint64_t now_ms,
			       uint64_t limit_ms);

#endif
