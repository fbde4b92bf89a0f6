#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "agent/sandbox/client.h"

/*
 * Pipelined scans (scan_client_submit) go to the workers in batches: a
 * batch of consecutive files to one worker, the next to the next, and
 * each worker holds at most two batches, so it starts the second while
 * the agent reads the answers to the first.  Files in flight hold open
 * descriptors: at most SCAN_CLIENT_WINDOW of them (a lane's depth),
 * whatever the number of workers.
 */
#define SCAN_CLIENT_WINDOW SANDBOX_LANE_DEPTH

struct pending {
	unsigned lane;
	scan_client_done_fn done;
	void *ctx;
};

struct scan_client {
	const struct pw_scanner *scanner;
	struct sandbox_pool *pool;	/* NULL: in process */
	uint64_t deadline_ms;
	/* Submitted scans, oldest at head (a ring). */
	struct pending ring[SCAN_CLIENT_WINDOW];
	unsigned head, count;
	/* Lanes, one per worker, borrowed from the first submit to the
	 * drain; the one being filled, and how many it got in a row. */
	unsigned lanes[SANDBOX_MAX_WORKERS], nlanes, cur, fill, batch, depth,
		window;
	bool open;
};

int
scan_client_new(const struct policy *policy,
		const struct pw_scanner *scanner, unsigned nworkers,
		bool in_process, struct scan_client **ret, char *why,
		size_t cap)
{
	struct scan_client *c = calloc(1, sizeof(*c));
	struct sandbox_opts o;
	struct rlimit rl;

	if (c == NULL) {
		snprintf(why, cap, "out of memory");
		return -1;
	}
	c->scanner = scanner;
	c->deadline_ms = (uint64_t)policy->scan_deadline * 1000u;
	if (policy->sandbox && !in_process) {
		o.memory_bytes = (uint64_t)policy->worker_memory << 20;
		o.cpu_seconds = policy->worker_cpu_seconds;
		o.max_scans = policy->worker_scans;
		o.user = policy->worker_user;
		if (sandbox_pool_new(scanner, &o, nworkers, &c->pool, why,
				     cap) != 0) {
			free(c);
			return -1;
		}
		c->nlanes = sandbox_pool_size(c->pool);
		/* Two batches per worker, within the window; and the
		 * window within a quarter of the descriptors this process
		 * may hold (each file in flight holds one, `scan
		 * --quarantine` two), so a low `ulimit -n` makes batches
		 * smaller, never a file unopened. */
		c->window = SCAN_CLIENT_WINDOW;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
		    rl.rlim_cur != RLIM_INFINITY &&
		    rl.rlim_cur / 4 < c->window)
			c->window = rl.rlim_cur / 4 > c->nlanes
					    ? (unsigned)(rl.rlim_cur / 4)
					    : c->nlanes;
		c->depth = c->window / c->nlanes;
		c->batch = c->depth / 2 ? c->depth / 2 : 1;
	}
	*ret = c;
	return 0;
}

void
scan_client_free(struct scan_client *c)
{
	if (c == NULL)
		return;
	scan_client_drain(c);
	sandbox_pool_free(c->pool);
	free(c);
}

int
scan_client_scan(struct scan_client *c, int fd,
		 struct scan_result **ret_result)
{
	if (c->pool != NULL)
		return sandbox_scan_fd(c->pool, fd, c->deadline_ms,
				       ret_result);
	/* In process the scanner's own timeout (scan_deadline, set in its
	 * options by policy_bridge.c) is the only deadline: nothing can kill
	 * a scan stuck where the library does not look. */
	return sandbox_scan_in_process(c->scanner, fd, ret_result);
}

int
scan_client_scan_prefix(struct scan_client *c, int fd, uint64_t prefix_len,
			struct scan_result **ret_result)
{
	if (c->pool != NULL)
		return sandbox_scan_prefix(c->pool, fd, c->deadline_ms,
					   prefix_len, ret_result);
	return sandbox_scan_in_process_prefix(c->scanner, fd, prefix_len,
					      ret_result);
}

/* Finishes the oldest submitted scan. */
static void
finish_oldest(struct scan_client *c)
{
	struct pending p = c->ring[c->head];
	struct scan_result *res = NULL;
	unsigned i;
	int rc;

	/* Before waiting, every worker gets what is queued for it, so none
	 * sits idle behind a batch not yet full. */
	if (!sandbox_lane_ready(c->pool, p.lane))
		for (i = 0; i < c->nlanes; i++)
			sandbox_lane_flush(c->pool, c->lanes[i]);
	c->head = (c->head + 1) % SCAN_CLIENT_WINDOW;
	c->count--;
	rc = sandbox_lane_pop(c->pool, p.lane, &res);
	p.done(p.ctx, rc, rc == PW_OK ? res : NULL);
}

void
scan_client_drain(struct scan_client *c)
{
	unsigned i;

	while (c->count > 0)
		finish_oldest(c);
	if (c->open) {
		/* Back to the pool, for scan_client_scan. */
		for (i = 0; i < c->nlanes; i++)
			sandbox_lane_close(c->pool, c->lanes[i]);
		c->open = false;
	}
}

void
scan_client_submit(struct scan_client *c, int fd, const struct stat *st,
		   scan_client_done_fn done, void *ctx)
{
	struct scan_result *res = NULL;
	unsigned i, lane;
	int rc;

	if (c->pool == NULL) {
		rc = scan_client_scan(c, fd, &res);
		done(ctx, rc, rc == PW_OK ? res : NULL);
		return;
	}
	if (!c->open) {
		for (i = 0; i < c->nlanes; i++)
			sandbox_lane_open(c->pool, &c->lanes[i]);
		c->open = true;
		c->cur = c->fill = 0;
	}
	if (c->fill >= c->batch) {
		c->cur = (c->cur + 1) % c->nlanes;
		c->fill = 0;
	}
	lane = c->lanes[c->cur];
	/* Room on this worker, and in the ring: older answers first. */
	while (c->count > 0 && (c->count >= c->window ||
				sandbox_lane_queued(c->pool, lane) >=
					c->depth))
		finish_oldest(c);
	rc = sandbox_lane_push(c->pool, lane, fd, st, c->deadline_ms, 0);
	if (rc != PW_OK) {
		/* Answers stay in order: the earlier ones first. */
		scan_client_drain(c);
		done(ctx, rc, NULL);
		return;
	}
	c->ring[(c->head + c->count) % SCAN_CLIENT_WINDOW] =
		(struct pending){lane, done, ctx};
	c->count++;
	if (++c->fill >= c->batch)
		sandbox_lane_flush(c->pool, lane);
}

struct sandbox_pool *
scan_client_pool(struct scan_client *c)
{
	return c->pool;
}
