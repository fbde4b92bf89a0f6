/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PW_AGENT_QUARANTINE_PREFIX_H
#define PW_AGENT_QUARANTINE_PREFIX_H

#include <stddef.h>

#include "agent/store/quarantine.h"

/*
 * Finds the one entry whose ID is prefix or starts with it (entries with
 * an unreadable record are not considered).  On success writes the full
 * ID to ret_id (cap >= QUARANTINE_ID_MAX) and returns QUARANTINE_OK;
 * QUARANTINE_ERR_NOT_FOUND when none or several match (*ret_matches,
 * may be NULL, says how many), QUARANTINE_ERR_INVALID for a malformed
 * prefix.
 */
int quarantine_resolve_prefix(struct quarantine_store *store,
			      const char *prefix, char *ret_id, size_t cap,
			      size_t *ret_matches);

#endif
