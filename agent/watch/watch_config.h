/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watch_config.h - one loaded configuration of the watcher: the policy,
 * the scanner built from it, the quarantine store it names, and the tag
 * that says which verdicts in the cache it can reuse.
 *
 * A SIGHUP builds a new one next to the old; only when that fully
 * succeeds does the watcher switch.  Worker threads take a reference for
 * the duration of one job, so the old configuration is freed by whoever
 * drops the last reference, never under a running scan.
 */
#ifndef PW_AGENT_WATCH_CONFIG_H
#define PW_AGENT_WATCH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/store/quarantine.h"
#include "agent/sandbox/client.h"
#include "picklewarden.h"
#include "policy/policy.h"

struct watch_config {
	struct policy *policy;
	struct pw_scanner *scanner;
	struct scan_client *client;	/* scans with the scanner, in the
					   workers of this configuration */
	struct quarantine_store *store;	/* NULL if the policy never
					   quarantines */
	int store_status;		/* the store when loaded (enum
					   quarantine_status) */
	int store_errno;
	struct quarantine_recovery recovery; /* interrupted moves recovered
					   when loaded */
	uint64_t tag;			/* see vcache.h */
	int refs;			/* atomic */
};

/*
 * Loads the configuration (explicit_path, or the usual search when NULL),
 * builds the scanner and opens the store.  On failure returns -1 and
 * writes a one-line reason to why (escaped, NUL-terminated).
 */
int watch_config_load(const char *explicit_path, struct watch_config **ret,
		      char *why, size_t cap);

/* Logs what loading found about the store (unusable; moves recovered):
 * called once the log is open. */
void watch_config_report(const struct watch_config *c);

struct watch_config *watch_config_ref(struct watch_config *c);
/* Drops a reference; the last one frees.  NULL is a no-op. */
void watch_config_unref(struct watch_config *c);

/* True when two configurations watch the same places: same roots,
 * exclusions and quarantine directory. */
bool watch_config_same_places(const struct watch_config *a,
			      const struct watch_config *b);

#endif
