#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/signing/sig_limits.h"
#include "agent/signing/sig_verify.h"

const char *
sig_outcome_name(enum sig_outcome o)
{
	switch (o) {
	case SIG_VERIFIED: return "verified";
	case SIG_NOT_VERIFIED: return "not-verified";
	case SIG_CANNOT_CHECK: return "cannot-check";
	}
	return "unknown";
}

const char *
sig_reason_name(enum sig_reason r)
{
	static const char *const names[] = {
		"none", "no-signature", "unreadable", "malformed",
		"unsupported", "keyless", "no-trust", "untrusted-key",
		"bad-signature", "certificate-chain", "certificate-usage",
		"inconsistent-manifest", "mismatch", "bad-model-entry",
		"io-error", "out-of-memory",
	};

	return (size_t)r < sizeof(names) / sizeof(names[0]) ? names[r]
							   : "unknown";
}

const char *
sig_mode_name(enum sig_mode m)
{
	switch (m) {
	case SIG_MODE_KEY: return "key";
	case SIG_MODE_CERTIFICATE: return "certificate";
	case SIG_MODE_KEYLESS: return "keyless";
	}
	return "unknown";
}

static enum sig_outcome
set(struct sig_verify_result *res, enum sig_outcome o, enum sig_reason r)
{
	res->outcome = o;
	res->reason = r;
	return o;
}

/* Reads the signature file whole, refusing more than SIG_MAX_BUNDLE. */
static int
read_small(const char *path, char **ret, size_t *ret_len)
{
	/* O_NONBLOCK: a FIFO put in place of the file must not hang us
	 * (fstat refuses it right after). */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int saved;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0)
		goto fail;
	if (!S_ISREG(st.st_mode) || st.st_size > (off_t)SIG_MAX_BUNDLE) {
		errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		goto fail;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		goto fail;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;	/* shrank: parse what is there */
		got += (size_t)r;
	}
	buf[got] = '\0';
	close(fd);
	*ret = buf;
	*ret_len = got;
	return 0;
fail:
	saved = errno;
	free(buf);
	close(fd);
	errno = saved;
	return -1;
}

enum sig_outcome
sig_open_signature(const struct sig_trust *t, const char *sig_path,
		   struct sig_manifest **ret_manifest,
		   struct sig_verify_result *res)
{
	struct sig_bundle *b = NULL;
	struct sig_manifest *m = NULL;
	char *text = NULL;
	size_t len = 0;
	enum sig_parse_status ps;
	enum sig_check ck;
	enum sig_outcome o;

	memset(res, 0, sizeof(*res));
	res->predicate = -1;
	if (read_small(sig_path, &text, &len) != 0) {
		snprintf(res->detail, sizeof(res->detail), "%s",
			 strerror(errno));
		if (errno == ENOENT)
			return set(res, SIG_NOT_VERIFIED,
				   SIG_REASON_NO_SIGNATURE);
		return set(res, SIG_CANNOT_CHECK, SIG_REASON_READ);
	}
	ps = sig_bundle_parse(text, len, &b, res->detail, sizeof(res->detail));
	free(text);
	if (ps != SIG_PARSE_OK) {
		o = ps == SIG_PARSE_MALFORMED ?
			set(res, SIG_NOT_VERIFIED, SIG_REASON_MALFORMED) :
		    ps == SIG_PARSE_UNSUPPORTED ?
			set(res, SIG_CANNOT_CHECK, SIG_REASON_UNSUPPORTED) :
			set(res, SIG_CANNOT_CHECK, SIG_REASON_NOMEM);
		goto out;
	}
	res->have_bundle = true;
	res->mode = b->mode;
	ck = sig_check_bundle(t, b, res->signer, sizeof(res->signer),
			      res->detail, sizeof(res->detail));
	switch (ck) {
	case SIG_CHECK_OK:
		break;
	case SIG_CHECK_UNTRUSTED_KEY:
		o = set(res, SIG_NOT_VERIFIED, SIG_REASON_UNTRUSTED_KEY);
		goto out;
	case SIG_CHECK_BAD_SIGNATURE:
		o = set(res, SIG_NOT_VERIFIED, SIG_REASON_BAD_SIGNATURE);
		goto out;
	case SIG_CHECK_CHAIN:
		o = set(res, SIG_NOT_VERIFIED, SIG_REASON_CERT_CHAIN);
		goto out;
	case SIG_CHECK_USAGE:
		o = set(res, SIG_NOT_VERIFIED, SIG_REASON_CERT_USAGE);
		goto out;
	case SIG_CHECK_MALFORMED:
		o = set(res, SIG_NOT_VERIFIED, SIG_REASON_MALFORMED);
		goto out;
	case SIG_CHECK_UNSUPPORTED:
		o = set(res, SIG_CANNOT_CHECK, SIG_REASON_UNSUPPORTED);
		goto out;
	case SIG_CHECK_NO_TRUST:
		o = set(res, SIG_CANNOT_CHECK, SIG_REASON_NO_TRUST);
		goto out;
	case SIG_CHECK_KEYLESS:
		o = set(res, SIG_CANNOT_CHECK, SIG_REASON_KEYLESS);
		goto out;
	case SIG_CHECK_NOMEM:
	default:
		o = set(res, SIG_CANNOT_CHECK, SIG_REASON_NOMEM);
		goto out;
	}
	/* Only an authenticated payload is parsed further. */
	ps = sig_statement_parse(b, &m, res->detail, sizeof(res->detail));
	switch (ps) {
	case SIG_PARSE_OK:
		break;
	case SIG_PARSE_MALFORMED:
		o = set(res, SIG_NOT_VERIFIED, SIG_REASON_MALFORMED);
		goto out;
	case SIG_PARSE_INCONSISTENT:
		o = set(res, SIG_NOT_VERIFIED, SIG_REASON_INCONSISTENT);
		goto out;
	case SIG_PARSE_UNSUPPORTED:
		o = set(res, SIG_CANNOT_CHECK, SIG_REASON_UNSUPPORTED);
		goto out;
	case SIG_PARSE_NOMEM:
	default:
		o = set(res, SIG_CANNOT_CHECK, SIG_REASON_NOMEM);
		goto out;
	}
	res->predicate = m->predicate;
	res->method = m->method;
	*ret_manifest = m;
	m = NULL;
	o = set(res, SIG_VERIFIED, SIG_REASON_NONE);
out:
	sig_manifest_free(m);
	sig_bundle_free(b);
	return o;
}

enum sig_outcome
sig_verify_model(const struct sig_trust *t, const char *model_path,
		 const char *sig_path, char *const *ignore, size_t n_ignore,
		 struct sig_verify_result *res)
{
	struct sig_manifest *m = NULL;
	enum sig_outcome o;
	enum sig_model_status ms;

	o = sig_open_signature(t, sig_path, &m, res);
	if (o != SIG_VERIFIED)
		return o;
	ms = sig_model_compare(model_path, sig_path, ignore, n_ignore, m,
			       &res->diff,
			       res->detail, sizeof(res->detail));
	sig_manifest_free(m);
	switch (ms) {
	case SIG_MODEL_OK:
		break;
	case SIG_MODEL_BAD_ENTRY:
		return set(res, SIG_NOT_VERIFIED, SIG_REASON_MODEL);
	case SIG_MODEL_IO:
	case SIG_MODEL_LIMIT:
		return set(res, SIG_CANNOT_CHECK, SIG_REASON_IO);
	case SIG_MODEL_NOMEM:
	default:
		return set(res, SIG_CANNOT_CHECK, SIG_REASON_NOMEM);
	}
	if (res->diff.n_extra || res->diff.n_missing || res->diff.n_mismatch) {
		snprintf(res->detail, sizeof(res->detail),
			 "%zu extra, %zu missing, %zu digest mismatches",
			 res->diff.n_extra, res->diff.n_missing,
			 res->diff.n_mismatch);
		return set(res, SIG_NOT_VERIFIED, SIG_REASON_MISMATCH);
	}
	return set(res, SIG_VERIFIED, SIG_REASON_NONE);
}
