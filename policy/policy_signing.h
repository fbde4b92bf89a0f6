/*
 * policy_signing.h - the [signing] section: which keys and certificate
 * roots sign models we trust, and where a signature is required.
 *
 *   [signing]
 *   keys = /etc/picklewarden/keys/ml-team.pub, ~/keys/release.pub
 *   certificate_roots = /etc/picklewarden/ca.pem
 *   require_signature = warn, enforce:/srv/models, no:/srv/models/scratch
 *
 * keys and certificate_roots are comma-separated PEM files (~ and $VARS
 * expanded, like roots).  require_signature is a comma-separated list of
 * LEVEL or LEVEL:PATH items, LEVEL one of no, warn, enforce: a bare LEVEL
 * is the default for every path (no when absent); LEVEL:PATH applies to
 * PATH and everything below it, the longest matching PATH winning, so a
 * watched root and a sub-folder of it can differ.  PATH is everything
 * after the first colon (it may contain colons itself).
 *
 * Layering: policy/ only records the settings; agent/signing/ reads the
 * keys and applies them.
 */
#ifndef PW_POLICY_SIGNING_H
#define PW_POLICY_SIGNING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Append-only. */
enum policy_require {
	POLICY_REQUIRE_NO = 0,		/* signatures only add trust */
	POLICY_REQUIRE_WARN = 1,	/* an unsigned pickle is logged */
	POLICY_REQUIRE_ENFORCE = 2,	/* an unsigned pickle is quarantined */
};

struct policy_require_path {
	char *path;			/* absolute, no trailing '/' */
	enum policy_require level;
};

struct policy_signing {
	char **keys;			/* absolute paths of PEM public keys */
	size_t n_keys;
	char **certificate_roots;	/* absolute paths of PEM certificates */
	size_t n_roots;
	enum policy_require require_default;
	struct policy_require_path *require;
	size_t n_require;
};

/* The keys [signing] accepts, NULL-terminated. */
extern const char *const policy_signing_keys[];

/* Applies "key = value" of [signing] (replacing an earlier value).
 * Returns 0, or -1 with *why set (errno ENOMEM when out of memory). */
int policy_signing_apply(struct policy_signing *s, const char *key,
			 const char *value, const char **why);
void policy_signing_clear(struct policy_signing *s);
/* Writes the section (header included) as it loads back. */
void policy_signing_write(const struct policy_signing *s, FILE *out);

/* The level for path (absolute). */
enum policy_require policy_signing_required(const struct policy_signing *s,
					    const char *path);
/* True when [signing] asks for anything at all (keys, roots or a level
 * other than no): the agent skips all signature work otherwise. */
bool policy_signing_active(const struct policy_signing *s);
/* "no", "warn", "enforce". */
const char *policy_require_name(enum policy_require r);

#endif
