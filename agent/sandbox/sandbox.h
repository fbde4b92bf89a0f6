/*
 * sandbox.h - scan files in locked-down worker processes.
 *
 * A pool holds long-lived workers forked from the agent once the scanner
 * is built and before any untrusted byte is read.  Each worker drops
 * what it does not need (no new privileges, resource limits, when root an
 * unprivileged user and an empty root directory, then a seccomp
 * allow-list without open, socket or execve) and then only ever scans
 * descriptors the agent passes it over its socketpair.  The agent opens
 * files itself; a worker never sees a path.  Its answer is parsed as
 * hostile input (wire.h).
 *
 * A pool is thread-safe: any number of threads may scan at once, each
 * borrowing one idle worker for the duration of a scan (or of a lane).
 */
#ifndef PW_AGENT_SANDBOX_H
#define PW_AGENT_SANDBOX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "agent/sandbox/scan_result.h"
#include "picklewarden.h"

/* The most workers a pool may have ([agent] workers). */
#define SANDBOX_MAX_WORKERS 64

struct sandbox_opts {
	uint64_t memory_bytes;	/* RLIMIT_AS of a worker; 0 = unlimited
				   (ignored in ASan builds, whose shadow
				   memory needs terabytes of address
				   space) */
	unsigned cpu_seconds;	/* RLIMIT_CPU over a worker's whole life;
				   0 = unlimited.  A worker that has used
				   half is retired after its scan */
	unsigned max_scans;	/* a worker is replaced after this many
				   scans; 0 = never */
	const char *user;	/* when the agent is root: the user workers
				   run as (NULL: "nobody") */
};

struct sandbox_pool;

/*
 * Creates a pool of nworkers (1..64) workers scanning with scanner (which
 * must outlive the pool: workers are forks that share its memory).  All
 * workers are started now.  Returns 0 and *ret_pool, or -1 with errno set
 * and a reason in why (nothing is left running).
 */
int sandbox_pool_new(const struct pw_scanner *scanner,
		     const struct sandbox_opts *opts, unsigned nworkers,
		     struct sandbox_pool **ret_pool, char *why, size_t cap);

/* Stops every worker (they exit at end of file on their socket; one
 * that does not within a moment is killed) and frees the pool.  No scan
 * may be running.  NULL is a no-op. */
void sandbox_pool_free(struct sandbox_pool *pool);

/*
 * Scans the open regular file fd in a worker.  deadline_ms (0 = none) is
 * how long the scan may take: a worker that overruns it is killed.
 * Returns PW_OK and a new *ret_result (scan_result_free) whenever a
 * verdict exists, including verdict error when the worker died (finding
 * kind SCAN_KIND_CRASH), overran the deadline (PW_KIND_LIMIT) or sent a
 * result that failed validation (SCAN_KIND_CRASH).  Otherwise returns
 * the status the library gave (PW_ERR_NOT_REGULAR, PW_ERR_IO, ...), or
 * PW_ERR_IO with errno set when no worker could be started.
 * The descriptor stays the caller's; its file offset is not moved.
 */
int sandbox_scan_fd(struct sandbox_pool *pool, int fd, uint64_t deadline_ms,
		    struct scan_result **ret_result);

/*
 * A prefix scan (the first prefix_len bytes of a file still being
 * written, pw_scan_fd_prefix) in a worker; prefix_len 0 is a full scan.
 * The answer is validated as any other, and a result about more bytes
 * than the prefix is a lie (the worker is killed, verdict error).  Returns
 * as sandbox_scan_fd.
 */
int sandbox_scan_prefix(struct sandbox_pool *pool, int fd,
			uint64_t deadline_ms, uint64_t prefix_len,
			struct scan_result **ret_result);

/*
 * Lanes: a worker borrowed for a stream of scans by one thread (`scan`
 * walking a tree).  Files pushed on a lane are sent to the worker in
 * batches, one message for up to SANDBOX_WIRE_MAX_BATCH of them, and
 * answered one by one in the order pushed; the worker scans a batch
 * without waking the agent or waiting for it.  Each file's deadline
 * counts from when the worker began it (its progress word, lane.c).  A
 * worker that dies or overruns is blamed for the file that word names,
 * one that lies for the oldest file without an answer; the other files
 * it held go to a new worker.
 *
 * open borrows an idle worker (waiting for one).  push queues fd (which
 * must stay open until its pop; st is its fstat when the caller has it,
 * or NULL) and returns PW_OK, or PW_ERR_IO /
 * PW_ERR_NOT_REGULAR for a descriptor that cannot be handed over, or
 * PW_ERR_NOMEM when SANDBOX_LANE_DEPTH files are already queued (pop
 * first).  flush sends what is queued (pop flushes too).  ready says
 * whether the oldest answer is in without waiting.  pop waits for the
 * oldest answer and returns as sandbox_scan_fd.  close returns the
 * worker; every pushed file must have been popped.
 */
#define SANDBOX_LANE_DEPTH 128
int sandbox_lane_open(struct sandbox_pool *pool, unsigned *ret_lane);
int sandbox_lane_push(struct sandbox_pool *pool, unsigned lane, int fd,
		      const struct stat *st, uint64_t deadline_ms,
		      uint64_t prefix_len);
unsigned sandbox_lane_queued(struct sandbox_pool *pool, unsigned lane);
void sandbox_lane_flush(struct sandbox_pool *pool, unsigned lane);
bool sandbox_lane_ready(struct sandbox_pool *pool, unsigned lane);
int sandbox_lane_pop(struct sandbox_pool *pool, unsigned lane,
		     struct scan_result **ret_result);
void sandbox_lane_close(struct sandbox_pool *pool, unsigned lane);

/* The number of workers of the pool. */
unsigned sandbox_pool_size(const struct sandbox_pool *pool);

/* The process id of the i-th worker slot, or -1 when it has none (for
 * tests and for status reports). */
pid_t sandbox_pool_worker_pid(struct sandbox_pool *pool, unsigned i);

/* Scans done by the pool, and workers started (including respawns). */
uint64_t sandbox_pool_scans(struct sandbox_pool *pool);
uint64_t sandbox_pool_spawns(struct sandbox_pool *pool);

/*
 * The same scan in this process, for --no-sandbox and tests: the result
 * has the same shape.  Returns what pw_scan_fd returns (PW_ERR_NOMEM too
 * when the copy fails).
 */
int sandbox_scan_in_process(const struct pw_scanner *scanner, int fd,
			    struct scan_result **ret_result);
int sandbox_scan_in_process_prefix(const struct pw_scanner *scanner, int fd,
				   uint64_t prefix_len,
				   struct scan_result **ret_result);


#endif
