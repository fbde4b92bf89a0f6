/*
 * pool_internal.h - what the two halves of the worker pool share: the
 * workers and their queues (pool.c starts, lends and ends workers;
 * lane.c sends them files and reads their answers).  Not for other
 * modules: they use sandbox.h.
 */
#ifndef PW_AGENT_SANDBOX_POOL_INTERNAL_H
#define PW_AGENT_SANDBOX_POOL_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "agent/sandbox/sandbox.h"

/* How long a new worker may take to lock itself down (a warm-up scan;
 * ASan builds start slowly on a busy machine). */
#define SANDBOX_READY_MS 30000
/* How long a worker that closed its socket gets to finish dying before
 * it is killed (it may be writing a sanitizer report). */
#define SANDBOX_REAP_GRACE_MS 2000

/* One file pushed on a lane; the descriptor stays the caller's. */
struct job {
	int fd;
	uint64_t deadline_ms;	/* 0: none */
	uint64_t prefix_len;	/* 0: whole file */
	/* Its answer when a worker died on it while files before it were
	 * still unanswered (they are scanned again first): never sent
	 * again. */
	struct scan_result *failed;
	int failed_status;
};

struct worker {
	pid_t pid;		/* -1: none running */
	int sock;
	unsigned scans;
	bool busy;		/* lent out (a lane) */
	/* Files pushed and not yet answered, oldest first (a ring): the
	 * first nsent were sent to the worker, the rest wait. */
	struct job q[SANDBOX_LANE_DEPTH];
	unsigned qhead, qlen, nsent;
	unsigned singles;	/* oldest jobs to send one at a time: those
				   held when a worker died past the oldest */
	uint64_t head_ms;	/* when the oldest sent file may have begun:
				   its deadline counts from there */
	uint64_t begun_ms;	/* when it was forked, or last got work */
	uint64_t busy_ms;	/* wall time it has been starting or
				   holding work: a bound on its CPU time */
	/* Bytes received and not yet taken as answers. */
	uint8_t *rbuf;
	size_t rpos, rlen, rcap;	/* unread: rbuf[rpos, rlen) */
	uint64_t cpu_ns;	/* CPU time of the last one reaped */
	bool starting;		/* its ready message is not read yet */
	/* The progress word it writes (wire.h), in a page shared with it
	 * alone; a new one for every worker. */
	uint64_t *progress;
};

/* A retired worker on its way out: collected later, so the agent never
 * waits for an exit it caused. */
struct dying {
	pid_t pid;
	uint64_t kill_ms;	/* killed if still there then */
};
#define SANDBOX_MAX_DYING 16
#define SANDBOX_PROGRESS_PAGE 4096

struct sandbox_pool {
	pthread_mutex_t lock;
	pthread_cond_t idle;
	const struct pw_scanner *scanner;
	struct sandbox_opts opts;
	bool drop;		/* running as root: chroot and setuid */
	char root[64];		/* the empty root directory */
	uid_t uid;
	gid_t gid;
	unsigned n;
	unsigned max_batch;	/* files per request (sandbox_batch_max) */
	struct worker *w;
	uint64_t scans, spawns;	/* under lock */
	struct dying dying[SANDBOX_MAX_DYING];	/* under lock */
	unsigned ndying;
};

static inline uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * Starts a worker in slot w.  With wait, returns once it has locked
 * itself down (its ready message), or -1 with a reason.  Without, it
 * returns at once and w->starting says the ready message is still to be
 * read before the first answer: files may be sent right away, since a
 * worker reads its socket only once locked down, and one that cannot lock
 * itself down exits without ever receiving them.
 */
int sandbox_spawn(struct sandbox_pool *pool, struct worker *w, bool wait,
		  char *why, size_t cap);
/* Collects a worker that is gone or must go (killed first with
 * kill_now); *ret_status is its wait status, w->cpu_ns its CPU time. */
void sandbox_reap(struct worker *w, bool kill_now, int *ret_status);
/* Ends a worker whose budget is spent without waiting for its exit. */
void sandbox_retire(struct sandbox_pool *pool, struct worker *w);
/* Lends an idle worker (waiting for one if all are busy). */
struct worker *sandbox_checkout(struct sandbox_pool *pool);
/* True when the worker has used half its lifetime CPU budget. */
bool sandbox_cpu_half_spent(const struct sandbox_pool *pool,
			    const struct worker *w);
/* The verdict-error result for a worker that died with wstatus. */
int sandbox_dead_result(int wstatus, struct scan_result **ret);

/* True when ns of CPU time is half a budget of cpu_seconds or more (0:
 * no budget).  Checked by the agent after a scan, by a worker before
 * one, and to believe a worker that says it retired.  In nanoseconds:
 * whole seconds would let an odd budget's worker run on past its half
 * (2 s of 3). */
static inline bool
sandbox_half_spent(unsigned cpu_seconds, uint64_t ns)
{
	return cpu_seconds > 0 &&
	       ns * 2u >= (uint64_t)cpu_seconds * 1000000000u;
}

/* worker.c: the most files one request may carry, given the descriptors
 * a worker may hold under the inherited hard limit. */
unsigned sandbox_batch_max(void);
/* worker.c: loads in the agent, before the first fork, what every
 * worker would otherwise load at start. */
void sandbox_warm_up_parent(const struct pw_scanner *scanner);
/* worker.c: the body of a worker process.  Never returns. */
void sandbox_worker_main(int sock, uint64_t *progress,
			 const struct pw_scanner *scanner,
			 const struct sandbox_opts *opts, const char *root,
			 uid_t uid, gid_t gid) __attribute__((noreturn));

#endif
