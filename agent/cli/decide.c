/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "agent/cli/decide.h"
#include "agent/cli/decide_after.h"
#include "agent/store/escape.h"
#include "agent/store/log.h"
#include "agent/store/sha256.h"
#include "agent/signing/sig_decide.h"

const char *
decide_outcome_name(enum decide_outcome outcome)
{
	switch (outcome) {
	case DECIDE_NOTHING: return "nothing";
	case DECIDE_LOGGED: return "logged";
	case DECIDE_QUARANTINED: return "quarantined";
	case DECIDE_TRUSTED: return "trusted";
	case DECIDE_QUARANTINE_FAILED: return "quarantine-failed";
	}
	return "unknown";
}

int
decide_apply(const struct policy *policy, struct quarantine_store *store,
	     const struct decide_subject *subj, const struct scan_result *result,
	     struct decision *ret)
{
	struct decision d;
	struct log_decision line;
	struct sig_decision sd;
	struct hf_location hf;
	char why[256], signote[1024], what[1024];
	bool sig_trusted;
	int verdict;

	if (!policy || !subj || !subj->path || !subj->st || subj->fd < 0 ||
	    !result || !ret) {
		errno = EINVAL;
		return -1;
	}
	memset(&d, 0, sizeof(d));
	memset(&line, 0, sizeof(line));
	verdict = (int)scan_result_verdict(result);
	if (verdict < 0 || verdict >= POLICY_VERDICT_COUNT) {
		errno = EINVAL;
		return -1;
	}
	d.verdict = (enum pw_verdict)verdict;
	d.action = policy_action_for(policy, (enum policy_verdict)verdict,
				     scan_result_executable(result));
	/* [signing]: a late model.sig may release files; a signature may
	 * trust, condemn (tampered) or require (unsigned) this one. */
	(void)sig_decide_released(policy, store, subj->path);
	sig_decide_file(policy, subj->path, subj->fd, subj->st, &sd);
	d.action = sig_decide_action(policy, &sd, result, d.action,
				     &sig_trusted, signote, sizeof(signote));
	line.signature = signote[0] ? signote : NULL;
	d.quarantine_status = QUARANTINE_OK;
	if (d.action == POLICY_ACTION_NONE) {
		/* Clean files are the common case: no digest, no log. */
		d.outcome = DECIDE_NOTHING;
		*ret = d;
		return 0;
	}
	line.path = subj->path;
	line.result = result;
	/* Named for people (repository, revision, file) before the move,
	 * while the blob's name is still in the cache. */
	decide_describe(subj->path, &hf, what, sizeof(what));
	/* The digest names the file in logs and is what [trusted] lists; it
	 * is taken from the descriptor that was scanned, not the path.  A
	 * file to quarantine when nothing is trusted is moved first and
	 * hashed by the store afterwards, so it leaves the cache at once. */
	if (d.action == POLICY_ACTION_QUARANTINE &&
	    policy->trusted_sha256.n == 0 && store != NULL && subj->name) {
		d.sha256[0] = '\0';
	} else if (sd.sha256[0]) {
		memcpy(d.sha256, sd.sha256, sizeof(d.sha256));
	} else if (sha256_fd(subj->fd, d.sha256, NULL) != 0) {
		int saved = errno;

		snprintf(why, sizeof(why), "cannot hash the file: %s",
			 strerror(saved));
		line.action = "none";
		line.error = why;
		log_decision(&line);
		errno = saved;
		return -1;
	}
	line.sha256 = d.sha256[0] ? d.sha256 : NULL;
	if ((d.sha256[0] && policy_is_trusted(policy, d.sha256)) ||
	    sig_trusted) {
		d.outcome = DECIDE_TRUSTED;
		line.action = "trusted";
	} else if (d.action == POLICY_ACTION_LOG) {
		d.outcome = DECIDE_LOGGED;
		line.action = "log";
	} else {
		struct quarantine_subject q = {
			.fd = subj->fd, .st = subj->st, .dirfd = subj->dirfd,
			.name = subj->name, .path = subj->path,
			.sha256 = d.sha256[0] ? d.sha256 : NULL,
			.signature = line.signature,
		};

		if (!store) {
			d.quarantine_status = QUARANTINE_ERR_INVALID;
			snprintf(why, sizeof(why), "no quarantine store");
		} else if (!subj->name) {
			d.quarantine_status = QUARANTINE_ERR_INVALID;
			snprintf(why, sizeof(why), "no file name to move");
		} else {
			d.quarantine_status = quarantine_move(
				store, &q, result, d.quarantine_id,
				sizeof(d.quarantine_id));
			d.saved_errno = errno;
			if (d.quarantine_status == QUARANTINE_ERR_IO)
				snprintf(why, sizeof(why), "%s: %s",
					 quarantine_strerror(
						 d.quarantine_status),
					 strerror(d.saved_errno));
			else
				snprintf(why, sizeof(why), "%s",
					 quarantine_strerror(
						 d.quarantine_status));
		}
		if (d.quarantine_status == QUARANTINE_OK && !d.sha256[0]) {
			/* The store hashed it after the move: log its digest. */
			struct quarantine_entry *e = NULL;

			if (quarantine_show(store, d.quarantine_id, &e) ==
			    QUARANTINE_OK && e != NULL) {
				memcpy(d.sha256, e->sha256, sizeof(d.sha256));
				line.sha256 = d.sha256;
			}
			quarantine_entry_free(e);
		}
		if (d.quarantine_status == QUARANTINE_OK) {
			d.outcome = DECIDE_QUARANTINED;
			decide_describe_late(subj->path, &hf, what,
					     sizeof(what));
			decide_after_quarantine(policy, store, subj, result,
						&hf, what, &d);
			line.action = "quarantine";
			line.quarantine_id = d.quarantine_id;
		} else {
			d.outcome = DECIDE_QUARANTINE_FAILED;
			d.quarantine_id[0] = '\0';
			line.action = "quarantine-failed";
			line.error = why;
		}
	}
	/* One readable line for people, then the key=value decision line at
	 * its own priority, as before: log collectors and the journal filters
	 * people wrote for it keep seeing every decision. */
	decide_log_short(&d, result, what, line.error);
	log_decision(&line);
	*ret = d;
	return 0;
}
