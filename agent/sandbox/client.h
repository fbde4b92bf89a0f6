/*
 * client.h - the one way the agent scans a file: in a sandboxed worker
 * (the default) or, with `sandbox = no` / --no-sandbox, in this process.
 * `scan` and `watch` both call scan_client_scan, so both paths give the
 * same struct scan_result.
 */
#ifndef PW_AGENT_SANDBOX_CLIENT_H
#define PW_AGENT_SANDBOX_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "agent/sandbox/sandbox.h"
#include "agent/sandbox/scan_result.h"
#include "picklewarden.h"
#include "policy/policy.h"

struct scan_client;

/*
 * Builds a client for scanner (which must outlive it) from the policy's
 * [agent] keys: with sandboxing on (policy->sandbox and not
 * in_process), nworkers workers are started now, before any file is
 * read.  Returns 0 and *ret, or -1 with a reason in why.
 */
int scan_client_new(const struct policy *policy,
		    const struct pw_scanner *scanner, unsigned nworkers,
		    bool in_process, struct scan_client **ret, char *why,
		    size_t cap);
void scan_client_free(struct scan_client *c);

/* Scans the open regular file fd; see sandbox_scan_fd for what it
 * returns.  Thread-safe. */
int scan_client_scan(struct scan_client *c, int fd,
		     struct scan_result **ret_result);

/* The worker pool, or NULL when scanning in process (for tests). */
struct sandbox_pool *scan_client_pool(struct scan_client *c);

#endif
