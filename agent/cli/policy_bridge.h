/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_bridge.h - turns a policy (policy/, which knows nothing of the
 * scanner) into scanner options.
 */
#ifndef PW_AGENT_POLICY_BRIDGE_H
#define PW_AGENT_POLICY_BRIDGE_H

#include <stdbool.h>

#include "picklewarden.h"
#include "policy/policy.h"

/*
 * Builds pw_options from the policy's extra allowed/denied globals and
 * limits.  On success returns PW_OK and *ret is new options (caller frees
 * with pw_options_free).  Returns PW_ERR_NOMEM, PW_ERR_PATTERN for a pattern
 * the scanner refuses, PW_ERR_INVALID for a limit name the scanner does not
 * know.  *ret is written only on success.
 */
int policy_bridge_options(const struct policy *policy,
			  struct pw_options **ret);

/* The same, then pw_scanner_new: *ret is a new scanner (pw_scanner_free). */
int policy_bridge_scanner(const struct policy *policy,
			  struct pw_scanner **ret);

/* Maps a [limits] name to the scanner's enum; false when unknown. */
bool policy_bridge_limit(const char *name, enum pw_limit *ret);

#endif
