#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "agent/sandbox/client.h"

struct scan_client {
	const struct pw_scanner *scanner;
	struct sandbox_pool *pool;	/* NULL: in process */
	uint64_t deadline_ms;
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
	}
	*ret = c;
	return 0;
}

void
scan_client_free(struct scan_client *c)
{
	if (c == NULL)
		return;
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

struct sandbox_pool *
scan_client_pool(struct scan_client *c)
{
	return c->pool;
}
