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

/*
 * Scans only the first prefix_len bytes of fd, a file still being written
 * (pw_scan_fd_prefix; the watcher's scan-while-it-lands), in a worker like
 * any scan.  scan_result_prefix_final says whether the answer is final.
 * Thread-safe.
 */
int scan_client_scan_prefix(struct scan_client *c, int fd,
			    uint64_t prefix_len,
			    struct scan_result **ret_result);

/*
 * Pipelined scanning for a single-threaded caller (`scan`): the answer
 * for fd arrives later, through done(ctx, status, result) (done owns the
 * result; result is NULL unless status is PW_OK).  Files go to the
 * workers in batches (sandbox.h, lanes), so the workers scan while the
 * caller walks directories and prints, and a worker wakes once per batch,
 * not once per file.  From the first submit to the drain the client
 * borrows every worker.  done is called in submission order, from
 * scan_client_submit or scan_client_drain; fd must stay open until then.
 * In process, done is called before submit returns.  st is fd's fstat
 * when the caller has it (NULL: taken here).
 */
typedef void (*scan_client_done_fn)(void *ctx, int status,
				    struct scan_result *result);
void scan_client_submit(struct scan_client *c, int fd, const struct stat *st,
			scan_client_done_fn done, void *ctx);
/* Waits for every submitted scan and calls its done. */
void scan_client_drain(struct scan_client *c);

/* The worker pool, or NULL when scanning in process (for tests). */
struct sandbox_pool *scan_client_pool(struct scan_client *c);

#endif
