/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <string.h>

#include "agent/cli/policy_bridge.h"

/* policy/ keeps verdict indexes by value so it need not include the
 * scanner header; hold it to that. */
_Static_assert(POLICY_VERDICT_CLEAN == (int)PW_VERDICT_CLEAN &&
	       POLICY_VERDICT_SUSPICIOUS == (int)PW_VERDICT_SUSPICIOUS &&
	       POLICY_VERDICT_ERROR == (int)PW_VERDICT_ERROR &&
	       POLICY_VERDICT_MALICIOUS == (int)PW_VERDICT_MALICIOUS,
	       "policy verdict indexes follow enum pw_verdict");

bool
policy_bridge_limit(const char *name, enum pw_limit *ret)
{
	int i;

	for (i = 0; i < PW_LIMIT_COUNT_; i++) {
		if (strcmp(pw_limit_name((enum pw_limit)i), name) == 0) {
			*ret = (enum pw_limit)i;
			return true;
		}
	}
	return false;
}

int
policy_bridge_options(const struct policy *policy, struct pw_options **ret)
{
	struct pw_options *opts = NULL;
	size_t i;
	int rc;

	rc = pw_options_new(&opts);
	if (rc != PW_OK)
		goto out;
	for (i = 0; i < policy->allow_globals.n; i++) {
		rc = pw_options_allow_global(opts, policy->allow_globals.v[i]);
		if (rc != PW_OK)
			goto out;
	}
	for (i = 0; i < policy->deny_globals.n; i++) {
		rc = pw_options_deny_global(opts, policy->deny_globals.v[i]);
		if (rc != PW_OK)
			goto out;
	}
	for (i = 0; i < policy->n_limits; i++) {
		enum pw_limit l;

		if (!policy_bridge_limit(policy->limits[i].name, &l)) {
			rc = PW_ERR_INVALID;
			goto out;
		}
		rc = pw_options_set_limit(opts, l, policy->limits[i].value);
		if (rc != PW_OK)
			goto out;
	}
	/* [agent] scan_deadline, in the library too: a scan that runs out of
	 * time stops by itself with a `limit` finding naming the deadline, a
	 * little before the agent would kill its worker (which stays the
	 * backstop for a scan stuck where the library does not look). */
	if (policy->scan_deadline > 0) {
		uint64_t ms = (uint64_t)policy->scan_deadline * 1000u;

		rc = pw_options_set_timeout_ms(opts, ms > 2000 ? ms - 500 : ms);
		if (rc != PW_OK)
			goto out;
	}
	*ret = opts;
	opts = NULL;
	rc = PW_OK;
out:
	pw_options_free(opts);
	return rc;
}

int
policy_bridge_scanner(const struct policy *policy, struct pw_scanner **ret)
{
	struct pw_options *opts = NULL;
	int rc;

	rc = policy_bridge_options(policy, &opts);
	if (rc == PW_OK)
		rc = pw_scanner_new(opts, ret);
	pw_options_free(opts);
	return rc;
}
