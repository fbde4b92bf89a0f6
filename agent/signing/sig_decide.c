#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/store/escape.h"
#include "agent/store/log.h"
#include "agent/signing/sig_decide.h"
#include "agent/signing/sig_encode.h"
#include "agent/signing/sig_limits.h"
#include "agent/signing/sig_verify.h"

#define SIG_NAME "model.sig"

bool
sig_pickle_bearing(const struct scan_result *result)
{
	/* Formats that are pickles or always hold one, for scans that
	 * stopped (verdict error) before any opcode ran.  A .npy or .npz
	 * holds a pickle only for object arrays, and then opcodes ran. */
	static const char *const formats[] = {
		"pickle", "pytorch-zip", "torchscript", "legacy-torch",
		"joblib", NULL};
	const char *f;
	size_t i;

	if (!result)
		return false;
	if (scan_result_opcodes(result) > 0)
		return true;
	f = scan_result_format(result);
	for (i = 0; formats[i]; i++)
		if (strcmp(f, formats[i]) == 0)
			return true;
	return false;
}

/* The trust set of the policy.  Read per decision: the files are a few
 * hundred bytes, and a reloaded policy is picked up without a cache. */
static struct sig_trust *
load_trust(const struct policy *policy, char *why, size_t cap)
{
	const struct policy_signing *s = &policy->signing;
	struct sig_trust *t = NULL;
	char err[256];
	size_t i;

	if (sig_trust_new(&t) != 0) {
		snprintf(why, cap, "out of memory");
		return NULL;
	}
	for (i = 0; i < s->n_keys; i++) {
		if (sig_trust_add_key_file(t, s->keys[i], err,
					   sizeof(err)) != 0) {
			snprintf(why, cap, "key %s: %s", s->keys[i], err);
			sig_trust_free(t);
			return NULL;
		}
	}
	for (i = 0; i < s->n_roots; i++) {
		if (sig_trust_add_roots_file(t, s->certificate_roots[i], err,
					     sizeof(err)) != 0) {
			snprintf(why, cap, "certificate root %s: %s",
				 s->certificate_roots[i], err);
			sig_trust_free(t);
			return NULL;
		}
	}
	return t;
}

/* path made absolute the way the quarantine store does it (the working
 * directory prepended, nothing resolved), so require_signature paths and
 * the walk up see the same names the record will; NULL when out of
 * memory or the working directory is gone. */
static char *
absolute(const char *path)
{
	char *cwd, *out = NULL;

	if (path[0] == '/')
		return strdup(path);
	cwd = getcwd(NULL, 0);
	if (cwd && asprintf(&out, "%s/%s", cwd, path) < 0)
		out = NULL;
	free(cwd);
	return out;
}

/* The directory of the nearest model.sig above path, or NULL. */
static char *
find_model_dir(const char *path)
{
	char *dir = strdup(path), *slash, cand[PATH_MAX];
	unsigned up;
	struct stat st;

	if (!dir)
		return NULL;
	for (up = 0; up < SIG_MAX_WALK_UP; up++) {
		slash = strrchr(dir, '/');
		if (!slash)
			break;
		if (slash == dir) {
			/* The root directory: "/model.sig". */
			dir[1] = '\0';
			if (lstat("/" SIG_NAME, &st) == 0 && S_ISREG(st.st_mode))
				return dir;
			break;
		}
		*slash = '\0';
		if ((size_t)snprintf(cand, sizeof(cand), "%s/%s", dir,
				     SIG_NAME) >= sizeof(cand))
			break;
		if (lstat(cand, &st) == 0 && S_ISREG(st.st_mode))
			return dir;
	}
	free(dir);
	return NULL;
}

/* Compares the file with its items: 1 match, 0 differs, -1 error. */
static int
file_matches(const struct sig_manifest *m, size_t first, size_t count,
	     int fd, char sha_hex[65])
{
	unsigned char dg[32];
	struct stat st;
	uint64_t s, size, n = 0;

	if (m->method == SIG_METHOD_FILES) {
		if (sig_hash_fd(fd, 0, UINT64_MAX, dg, NULL) != 0)
			return -1;
		sig_hex_encode(dg, 32, sha_hex);
		return m->items[first].digest_len == 32 &&
		       memcmp(m->items[first].digest, dg, 32) == 0;
	}
	if (fstat(fd, &st) != 0)
		return -1;
	size = (uint64_t)st.st_size;
	/* Every shard of the file as it is now must be listed and match,
	 * and nothing else may be listed for it. */
	for (s = 0; s < size; s += m->shard_size, n++) {
		uint64_t e = size - s > m->shard_size ? s + m->shard_size
						       : size;
		const struct sig_item *it = NULL;
		size_t k;

		for (k = first; k < first + count; k++)
			if (m->items[k].start == s && m->items[k].end == e)
				it = &m->items[k];
		if (!it)
			return 0;
		if (sig_hash_fd(fd, s, e, dg, NULL) != 0)
			return -1;
		if (it->digest_len != 32 || memcmp(it->digest, dg, 32) != 0)
			return 0;
		if (e == size)
			break;
	}
	return size == 0 ? 0 : n + 1 == count;
}

void
sig_decide_file(const struct policy *policy, const char *given_path, int fd,
		const struct stat *st, struct sig_decision *ret)
{
	struct sig_verify_result res;
	struct sig_manifest *m = NULL;
	struct sig_trust *t = NULL;
	char *dir = NULL, *path = NULL, sigpath[PATH_MAX], why[300];
	const char *base, *rel;
	size_t first = 0, count;
	int match;

	(void)st;
	memset(ret, 0, sizeof(*ret));
	if (!policy || !given_path ||
	    !policy_signing_active(&policy->signing))
		return;
	path = absolute(given_path);
	if (!path) {
		ret->state = SIG_STATE_UNSIGNED;
		ret->level = policy_signing_required(&policy->signing,
						     given_path);
		snprintf(ret->note, sizeof(ret->note), "no absolute path");
		return;
	}
	ret->level = policy_signing_required(&policy->signing, path);
	base = strrchr(path, '/') + 1;
	if (strcmp(base, SIG_NAME) == 0)
		goto out;	/* the signature itself */
	ret->state = SIG_STATE_UNSIGNED;
	dir = find_model_dir(path);
	if (!dir) {
		snprintf(ret->note, sizeof(ret->note),
			 "no %s in the %u directories above", SIG_NAME,
			 SIG_MAX_WALK_UP);
		goto out;
	}
	snprintf(sigpath, sizeof(sigpath), "%s%s%s", dir,
		 strcmp(dir, "/") == 0 ? "" : "/", SIG_NAME);
	t = load_trust(policy, why, sizeof(why));
	if (!t) {
		snprintf(ret->note, sizeof(ret->note), "%.300s: %s", sigpath, why);
		goto out;
	}
	if (sig_open_signature(t, sigpath, &m, &res) != SIG_VERIFIED) {
		snprintf(ret->note, sizeof(ret->note), "%.300s: %s: %.300s", sigpath,
			 sig_reason_name(res.reason), res.detail);
		goto out;
	}
	rel = path + strlen(dir) + (strcmp(dir, "/") == 0 ? 0 : 1);
	count = sig_manifest_find(m, rel, &first);
	/* A single-file model is one resource "." named by the subject. */
	if (count == 0 && m->n == 1 && strcmp(m->items[0].path, ".") == 0 &&
	    m->model_name && strcmp(m->model_name, rel) == 0) {
		first = 0;
		count = 1;
	}
	if (count == 0 || sig_model_ignored(m, rel, SIG_NAME)) {
		snprintf(ret->note, sizeof(ret->note), "not listed in %.300s "
			 "(signed by %.300s)", sigpath, res.signer);
		goto out;
	}
	match = file_matches(m, first, count, fd, ret->sha256);
	if (match < 0) {
		snprintf(ret->note, sizeof(ret->note), "cannot hash: %s",
			 strerror(errno));
		goto out;
	}
	ret->state = match ? SIG_STATE_SIGNED : SIG_STATE_TAMPERED;
	snprintf(ret->note, sizeof(ret->note), "%s %.300s, signed by %.300s",
		 match ? "listed in" : "digest differs from", sigpath,
		 res.signer);
out:
	sig_manifest_free(m);
	sig_trust_free(t);
	free(dir);
	free(path);
}

static enum policy_action
at_least(enum policy_action a, enum policy_action b)
{
	return a > b ? a : b;
}

enum policy_action
sig_decide_action(const struct policy *policy, const struct sig_decision *sd,
		  const struct scan_result *result, enum policy_action action,
		  bool *ret_trusted, char *note, size_t cap)
{
	enum pw_verdict v = scan_result_verdict(result);

	*ret_trusted = false;
	note[0] = '\0';
	switch (sd->state) {
	case SIG_STATE_NONE:
		return action;
	case SIG_STATE_SIGNED:
		if (v == PW_VERDICT_MALICIOUS) {
			snprintf(note, cap, "signed-but-malicious: %s",
				 sd->note);
			return action;
		}
		snprintf(note, cap, "signed: %s", sd->note);
		*ret_trusted = action != POLICY_ACTION_NONE;
		return action;
	case SIG_STATE_TAMPERED:
		snprintf(note, cap, "tampered: %s", sd->note);
		return at_least(action,
				policy->action[POLICY_VERDICT_MALICIOUS]);
	case SIG_STATE_UNSIGNED:
		if (sd->level == POLICY_REQUIRE_NO ||
		    !sig_pickle_bearing(result)) {
			return action;
		}
		snprintf(note, cap, "unsigned (require_signature=%s): %s",
			 policy_require_name(sd->level), sd->note);
		return at_least(action, sd->level == POLICY_REQUIRE_ENFORCE ?
				POLICY_ACTION_QUARANTINE : POLICY_ACTION_LOG);
	}
	return action;
}

size_t
sig_decide_released(const struct policy *policy,
		    struct quarantine_store *store, const char *given_path)
{
	struct sig_verify_result res;
	struct sig_manifest *m = NULL;
	struct sig_trust *t = NULL;
	struct quarantine_entry *e = NULL;
	char why[300], *dir = NULL, *path = NULL, *slash, esc[1024];
	size_t n = 0, i, done = 0, dl;
	const char *gb;

	if (!policy || !store || !given_path ||
	    !policy_signing_active(&policy->signing))
		return 0;
	gb = strrchr(given_path, '/');
	if (strcmp(gb ? gb + 1 : given_path, SIG_NAME) != 0)
		return 0;
	path = absolute(given_path);
	if (!path)
		return 0;
	slash = strrchr(path, '/');
	if (slash == path)
		goto out;	/* /model.sig: no model directory name */
	dir = strndup(path, (size_t)(slash - path));
	t = load_trust(policy, why, sizeof(why));
	if (!dir || !t ||
	    sig_open_signature(t, path, &m, &res) != SIG_VERIFIED ||
	    m->method != SIG_METHOD_FILES)
		goto out;
	if (quarantine_list(store, &e, &n, NULL) != QUARANTINE_OK)
		goto out;
	dl = strlen(dir);
	for (i = 0; i < n; i++) {
		const char *op = e[i].original_path, *rel;
		unsigned char dg[32];
		size_t first, count;

		if (strncmp(op, dir, dl) != 0 || op[dl] != '/')
			continue;
		if (strcmp(e[i].verdict, "clean") != 0 &&
		    strcmp(e[i].verdict, "suspicious") != 0)
			continue;
		rel = op + dl + 1;
		count = sig_manifest_find(m, rel, &first);
		if (count != 1 || sig_model_ignored(m, rel, SIG_NAME) ||
		    !sig_hex_decode(e[i].sha256, dg, sizeof(dg)) ||
		    m->items[first].digest_len != 32 ||
		    memcmp(m->items[first].digest, dg, 32) != 0)
			continue;
		escape_text_buf(op, esc, sizeof(esc));
		if (quarantine_restore(store, e[i].id, NULL) == QUARANTINE_OK) {
			log_info("released path=\"%s\" id=%s: its signature "
				 "arrived (signed by a trusted signer)", esc,
				 e[i].id);
			done++;
		} else {
			log_warning("could not release path=\"%s\" id=%s "
				    "after its signature arrived", esc,
				    e[i].id);
		}
	}
out:
	quarantine_entries_free(e, n);
	sig_manifest_free(m);
	sig_trust_free(t);
	free(dir);
	free(path);
	return done;
}
