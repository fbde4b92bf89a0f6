/*
 * sig_decide.h - what a model signature says about one scanned file, and
 * how that changes the policy's action.  decide_apply (scan --quarantine
 * and the watcher) calls it; it does nothing unless [signing] is active.
 *
 * The signature of a file is found by walking up from its directory (at
 * most SIG_MAX_WALK_UP levels) to the first model.sig: the model
 * directory, e.g. a Hugging Face snapshot folder.  The file must be listed
 * there under its path relative to that directory, and that signature must
 * verify with a [signing] key or chain to a [signing] certificate root.
 *
 * Effects, in order:
 *   signed, digest matches:  trusted - a suspicious (or error) verdict is
 *                            not acted on; a malicious one still is, and
 *                            is logged "signed-but-malicious".
 *   signed, digest differs:  tampered - treated as malicious.
 *   no valid signature for a pickle-bearing file:
 *                            warn: at least logged; enforce: quarantined.
 * Late signatures: in an enforce root a pickle that lands before its
 * model.sig is quarantined at once (fail closed).  When a model.sig then
 * lands and verifies, sig_decide_released() restores from the store every
 * entry quarantined from that model directory whose verdict was clean or
 * suspicious and whose digest the new signature lists for its path.
 */
#ifndef PW_AGENT_SIG_DECIDE_H
#define PW_AGENT_SIG_DECIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "agent/store/quarantine.h"
#include "picklewarden.h"
#include "policy/policy.h"

/* Append-only. */
enum sig_state {
	SIG_STATE_NONE = 0,	/* [signing] inactive, or nothing to say */
	SIG_STATE_SIGNED = 1,	/* listed by a trusted signature, digest ok */
	SIG_STATE_TAMPERED = 2,	/* listed, and the digest differs */
	SIG_STATE_UNSIGNED = 3,	/* no trusted signature lists it */
};

struct sig_decision {
	enum sig_state state;
	enum policy_require level;	/* for the file's path */
	char sha256[65];		/* whole-file digest when computed, or
					   "" (saves decide_apply a pass) */
	char note[768];			/* for logs and records, e.g.
					   "signed by key sha256:..." or
					   "unsigned: no model.sig"; holds
					   file-derived text (escaped by the
					   log and record writers) */
};

/*
 * Looks up the signature of the file open as fd (path as the caller
 * names it: absolute, or relative to the working directory; st its fstat).  Always fills *ret (state NONE when [signing] is inactive);
 * never fails: a signature that cannot be read or checked makes the file
 * UNSIGNED with the reason in note.
 */
void sig_decide_file(const struct policy *policy, const char *path, int fd,
		     const struct stat *st, struct sig_decision *ret);

/*
 * The action to take for a scanned file given its signing decision.
 * *ret_trusted is set when the signature makes the file trusted (the
 * caller logs it as such and takes no action); *ret_note is what to log
 * ("signed-but-malicious: ...", "tampered: ...", ...) or NULL.
 */
enum policy_action sig_decide_action(const struct policy *policy,
				     const struct sig_decision *sd,
				     const struct scan_result *result,
				     enum policy_action action,
				     bool *ret_trusted, char *note,
				     size_t cap);

/* True when the scan found pickle data (opcodes ran, or a pickle
 * container format): what require_signature is about. */
bool sig_pickle_bearing(const struct scan_result *result);

/*
 * Called for a scanned file named model.sig: when [signing] is active and
 * the signature verifies, restores the entries quarantined from its
 * directory that it vouches for (see above) and logs each.  Returns the
 * number restored.
 */
size_t sig_decide_released(const struct policy *policy,
			   struct quarantine_store *store, const char *path);

#endif
