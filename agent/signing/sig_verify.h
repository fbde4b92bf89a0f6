/*
 * sig_verify.h - verifying a model against its signature file: read the
 * bundle, check its signature against the trust set, read the statement,
 * hash the model and compare.  Used by `picklewarden verify` and by the
 * agent's signing decision (sig_decide.h).
 */
#ifndef PW_AGENT_SIG_VERIFY_H
#define PW_AGENT_SIG_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "agent/signing/sig_bundle.h"
#include "agent/signing/sig_crypto.h"
#include "agent/signing/sig_model.h"

/* The outcome classes, which are also the exit statuses of verify. */
enum sig_outcome {
	SIG_VERIFIED = 0,
	SIG_NOT_VERIFIED = 1,
	SIG_CANNOT_CHECK = 2,
};

/* Append-only: why a model was not verified. */
enum sig_reason {
	SIG_REASON_NONE = 0,
	SIG_REASON_NO_SIGNATURE = 1,	/* the signature file is absent */
	SIG_REASON_READ = 2,		/* it cannot be read, or is too big */
	SIG_REASON_MALFORMED = 3,	/* bundle or statement malformed */
	SIG_REASON_UNSUPPORTED = 4,	/* a format part we cannot check */
	SIG_REASON_KEYLESS = 5,		/* Sigstore keyless bundle */
	SIG_REASON_NO_TRUST = 6,	/* no key / root given for its mode */
	SIG_REASON_UNTRUSTED_KEY = 7,
	SIG_REASON_BAD_SIGNATURE = 8,
	SIG_REASON_CERT_CHAIN = 9,
	SIG_REASON_CERT_USAGE = 10,
	SIG_REASON_INCONSISTENT = 11,	/* subject digest vs resources */
	SIG_REASON_MISMATCH = 12,	/* the model differs from the
					   manifest: see the diff */
	SIG_REASON_MODEL = 13,		/* a symlink or special file */
	SIG_REASON_IO = 14,		/* the model cannot be read */
	SIG_REASON_NOMEM = 15,
};

struct sig_verify_result {
	enum sig_outcome outcome;
	enum sig_reason reason;
	char detail[512];	/* may hold file-derived text: escape it */
	char signer[512];	/* who signed, when the signature checked;
				   file-derived: escape it */
	bool have_bundle;
	enum sig_mode mode;
	int predicate;		/* 1 v1.0, 0 v0.1 compat, -1 unknown */
	enum sig_method method;
	struct sig_diff diff;
};

/* "verified", "not-verified", "cannot-check" / a reason's name. */
const char *sig_outcome_name(enum sig_outcome o);
const char *sig_reason_name(enum sig_reason r);
const char *sig_mode_name(enum sig_mode m);

/*
 * Reads sig_path, checks its signature against t and returns the
 * authenticated manifest in *ret_manifest (sig_manifest_free).  Returns
 * SIG_VERIFIED with res->signer filled, or another outcome with
 * res->reason and res->detail.  res is cleared first.
 */
enum sig_outcome sig_open_signature(const struct sig_trust *t,
				    const char *sig_path,
				    struct sig_manifest **ret_manifest,
				    struct sig_verify_result *res);

/* sig_open_signature, then sig_model_compare on model_path (ignoring
 * the n_ignore paths of ignore too).  Free res->diff with sig_diff_clear. */
enum sig_outcome sig_verify_model(const struct sig_trust *t,
				  const char *model_path,
				  const char *sig_path,
				  char *const *ignore, size_t n_ignore,
				  struct sig_verify_result *res);

#endif
