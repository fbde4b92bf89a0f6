#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "agent/sandbox/client.h"

/* The most scans in flight (one per worker: [agent] workers <= 64). */
#define SCAN_CLIENT_WINDOW 64

struct pending {
	unsigned ticket;
	scan_client_done_fn done;
	void *ctx;
};

struct scan_client {
	const struct pw_scanner *scanner;
	struct sandbox_pool *pool;	/* NULL: in process */
	uint64_t deadline_ms;
	/* Submitted scans, oldest at head (a ring). */
	struct pending ring[SCAN_CLIENT_WINDOW];
	unsigned head, count, window;
};

int
scan_client_new(const struct policy *policy,
		const struct pw_scanner *scanner, unsigned nworkers,
		bool in_process, struct scan_client **ret, char *why,
		size_t cap)
{
	struct scan_client *c = calloc(1, sizeof(*c));
	struct sandbox_opts o;

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
		c->window = sandbox_pool_size(c->pool);
		if (c->window > SCAN_CLIENT_WINDOW)
			c->window = SCAN_CLIENT_WINDOW;
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
	/* In process the deadline is not enforced.
	 * TODO(deadline): pass it once the library's options gain one. */
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
	int rc;

	c->head = (c->head + 1) % SCAN_CLIENT_WINDOW;
	c->count--;
	rc = sandbox_scan_end(c->pool, p.ticket, &res);
	p.done(p.ctx, rc, rc == PW_OK ? res : NULL);
}

void
scan_client_drain(struct scan_client *c)
{
	while (c->count > 0)
		finish_oldest(c);
}

void
scan_client_submit(struct scan_client *c, int fd, scan_client_done_fn done,
		   void *ctx)
{
	struct scan_result *res = NULL;
	unsigned ticket;
	int rc;

	if (c->pool == NULL) {
		rc = scan_client_scan(c, fd, &res);
		done(ctx, rc, rc == PW_OK ? res : NULL);
		return;
	}
	/* A free worker for this one, and room in the ring. */
	if (c->count >= c->window)
		finish_oldest(c);
	rc = sandbox_scan_begin(c->pool, fd, c->deadline_ms, &ticket);
	if (rc != PW_OK) {
		/* Answers stay in order: the earlier ones first. */
		scan_client_drain(c);
		done(ctx, rc, NULL);
		return;
	}
	c->ring[(c->head + c->count) % SCAN_CLIENT_WINDOW] =
		(struct pending){ticket, done, ctx};
	c->count++;
}

struct sandbox_pool *
scan_client_pool(struct scan_client *c)
{
	return c->pool;
}
