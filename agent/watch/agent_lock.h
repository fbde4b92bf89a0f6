/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_lock.h - one agent per user, and where it can be reached.
 *
 * The agent holds an flock on <runtime>/picklewarden.lock (the file holds
 * its pid) for as long as it runs, and answers `picklewarden status` on the
 * unix socket <runtime>/picklewarden.sock (mode 0600, peers checked with
 * SO_PEERCRED).  <runtime> is $XDG_RUNTIME_DIR when set and absolute,
 * else the configured state directory.
 */
#ifndef PW_AGENT_AGENT_LOCK_H
#define PW_AGENT_AGENT_LOCK_H

#include <stddef.h>
#include <sys/types.h>

#include "policy/policy.h"

/* Writes <runtime>/<name> into buf; -1 when it does not fit. */
int agent_runtime_path(const struct policy *p, const char *name, char *buf,
		       size_t cap);

/*
 * Takes the per-user lock.  Returns the locked descriptor (keep it open
 * until exit), or -1: *ret_holder is the pid that holds it (0 when
 * unknown) and errno EWOULDBLOCK; other errno values when the lock file
 * cannot be opened.
 */
int agent_lock_take(const char *path, pid_t *ret_holder);

/* Opens the listening status socket at path (a stale one is replaced:
 * we hold the lock).  Returns the descriptor (non-blocking) or -1. */
int agent_status_listen(const char *path);

/* Accepts every pending connection on lfd and writes text to each peer
 * whose uid is ours; others are closed at once. */
void agent_status_serve(int lfd, const char *text, size_t len);

/* Client side: connects to path and copies the answer to out.  Returns 0,
 * or -1 with errno (ENOENT/ECONNREFUSED: no agent). */
int agent_status_query(const char *path, int out_fd);

#endif
