/*
 * cmd_verify.c - `picklewarden verify`: checks a model directory (or one
 * file) against its OpenSSF model-signing signature.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "agent/cli/commands.h"
#include "agent/store/escape.h"
#include "agent/signing/sig_verify.h"
#include "policy/policy.h"

#define MAX_TRUST_ARGS 64

static void
usage(FILE *out)
{
	fputs("usage: picklewarden verify [--key PEM]... "
	      "[--certificate-chain PEM]...\n"
	      "           [--signature FILE] [--ignore-path P]... [--json]\n"
	      "           [--config FILE | --no-config] PATH\n"
	      "Verifies an OpenSSF model-signing signature (Sigstore bundle "
	      "with a DSSE\nin-toto statement) over the model at PATH (a "
	      "directory or one file).\n"
	      "  --key PEM                trusted EC public key (repeatable)\n"
	      "  --certificate-chain PEM  trusted root certificates "
	      "(repeatable)\n"
	      "  --signature FILE         the signature (default: model.sig "
	      "in PATH,\n"
	      "                           or beside PATH when it is a file)\n"
	      "  --ignore-path PATH       leave PATH out of the comparison, "
	      "as the reference's\n"
	      "                           --ignore-paths (repeatable)\n"
	      "Without --key and --certificate-chain the [signing] keys and "
	      "certificate_roots\nof the configuration are used; with no "
	      "roots at all, certificates are checked\nagainst the system "
	      "CA store (as the reference tool does).\n"
	      "Exit status: 0 verified, 1 not verified, 2 could not check.\n",
	      out);
}

static void
print_list(const char *what, char **v, size_t n)
{
	char buf[4096];
	size_t i;

	for (i = 0; i < n; i++) {
		escape_text_buf(v[i], buf, sizeof(buf));
		printf("  %s: %s\n", what, buf);
	}
}

static void
json_list(const char *key, char **v, size_t n)
{
	size_t i;

	printf(",\n  \"%s\": [", key);
	for (i = 0; i < n; i++) {
		if (i)
			fputs(", ", stdout);
		escape_json_write(stdout, v[i]);
	}
	fputs("]", stdout);
}

static void
report(const char *path, const char *sig, const struct sig_verify_result *r,
       double secs, bool json)
{
	double gbs = secs > 0 ? (double)r->diff.bytes_hashed / secs / 1e9 : 0;
	char ep[4096], ed[2048], es[1024];

	if (json) {
		fputs("{\n  \"path\": ", stdout);
		escape_json_write(stdout, path);
		fputs(",\n  \"signature\": ", stdout);
		escape_json_write(stdout, sig);
		printf(",\n  \"outcome\": \"%s\",\n  \"reason\": \"%s\"",
		       sig_outcome_name(r->outcome),
		       sig_reason_name(r->reason));
		fputs(",\n  \"detail\": ", stdout);
		escape_json_write(stdout, r->detail);
		if (r->have_bundle)
			printf(",\n  \"mode\": \"%s\"", sig_mode_name(r->mode));
		if (r->signer[0]) {
			fputs(",\n  \"signer\": ", stdout);
			escape_json_write(stdout, r->signer);
		}
		if (r->predicate >= 0)
			printf(",\n  \"predicate\": \"%s\",\n  \"method\": "
			       "\"%s\"", r->predicate ? "v1.0" : "v0.1",
			       r->method == SIG_METHOD_FILES ? "files"
							     : "shards");
		json_list("extra", r->diff.extra, r->diff.n_extra);
		json_list("missing", r->diff.missing, r->diff.n_missing);
		json_list("mismatch", r->diff.mismatch, r->diff.n_mismatch);
		printf(",\n  \"files\": %llu,\n  \"bytes_hashed\": %llu,\n"
		       "  \"seconds\": %.6f,\n  \"gb_per_s\": %.3f\n"
		       "}\n", (unsigned long long)r->diff.files,
		       (unsigned long long)r->diff.bytes_hashed, secs, gbs);
		return;
	}
	escape_text_buf(path, ep, sizeof(ep));
	escape_text_buf(r->detail, ed, sizeof(ed));
	escape_text_buf(r->signer, es, sizeof(es));
	if (r->outcome == SIG_VERIFIED) {
		printf("%s: verified: signed by %s (%s, predicate %s, %s); "
		       "%llu files, %llu bytes hashed\n", ep, es,
		       sig_mode_name(r->mode), r->predicate ? "v1.0" : "v0.1",
		       r->method == SIG_METHOD_FILES ? "files" : "shards",
		       (unsigned long long)r->diff.files,
		       (unsigned long long)r->diff.bytes_hashed);
		return;
	}
	printf("%s: %s: %s%s%s\n", ep,
	       r->outcome == SIG_NOT_VERIFIED ? "NOT VERIFIED"
					      : "cannot check",
	       sig_reason_name(r->reason), ed[0] ? ": " : "", ed);
	if (r->signer[0])
		printf("  signed by: %s\n", es);
	print_list("extra (not signed)", r->diff.extra, r->diff.n_extra);
	print_list("missing", r->diff.missing, r->diff.n_missing);
	print_list("digest mismatch", r->diff.mismatch, r->diff.n_mismatch);
}

/* The default signature: PATH/model.sig, or model.sig beside a file. */
static char *
default_sig(const char *path)
{
	struct stat st;
	char *copy, *dir, *s = NULL;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (asprintf(&s, "%s/model.sig", path) < 0)
			return NULL;
		return s;
	}
	copy = strdup(path);
	if (!copy)
		return NULL;
	dir = dirname(copy);
	if (asprintf(&s, "%s/model.sig", dir) < 0)
		s = NULL;
	free(copy);
	return s;
}

static int
add_all(struct sig_trust *t, char **v, size_t n, bool keys)
{
	char why[256], ep[1024];
	size_t i;

	for (i = 0; i < n; i++) {
		int rc = keys ? sig_trust_add_key_file(t, v[i], why, sizeof(why))
			      : sig_trust_add_roots_file(t, v[i], why,
							 sizeof(why));

		if (rc != 0) {
			escape_text_buf(v[i], ep, sizeof(ep));
			fprintf(stderr, "picklewarden verify: %s: %s\n", ep,
				why);
			return -1;
		}
	}
	return 0;
}

int
cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"key", required_argument, NULL, 'k'},
		{"certificate-chain", required_argument, NULL, 'C'},
		{"signature", required_argument, NULL, 's'},
		{"ignore-path", required_argument, NULL, 'i'},
		{"json", no_argument, NULL, 'j'},
		{"config", required_argument, NULL, 'c'},
		{"no-config", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char *keys[MAX_TRUST_ARGS], *roots[MAX_TRUST_ARGS];
	char *ignore[MAX_TRUST_ARGS];
	size_t n_keys = 0, n_roots = 0, n_ignore = 0;
	const char *sig = NULL, *config = NULL;
	bool json = false, no_config = false;
	struct sig_trust *t = NULL;
	struct policy *policy = NULL;
	struct sig_verify_result res;
	struct timespec a, b;
	char *defsig = NULL, buf[1024];
	int c, status = EXIT_TROUBLE;
	double secs;

	memset(&res, 0, sizeof(res));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
		case 'C':
			if ((c == 'k' ? n_keys : n_roots) >= MAX_TRUST_ARGS) {
				fprintf(stderr, "picklewarden verify: more "
					"than %d --key or --certificate-chain\n",
					MAX_TRUST_ARGS);
				return EXIT_TROUBLE;
			}
			if (c == 'k')
				keys[n_keys++] = optarg;
			else
				roots[n_roots++] = optarg;
			break;
		case 'i':
			if (n_ignore >= MAX_TRUST_ARGS) {
				fprintf(stderr, "picklewarden verify: more "
					"than %d --ignore-path\n",
					MAX_TRUST_ARGS);
				return EXIT_TROUBLE;
			}
			ignore[n_ignore++] = optarg;
			break;
		case 's': sig = optarg; break;
		case 'j': json = true; break;
		case 'c': config = optarg; break;
		case 'n': no_config = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_TROUBLE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "picklewarden verify: expected one PATH\n");
		usage(stderr);
		return EXIT_TROUBLE;
	}
	if (sig_trust_new(&t) != 0) {
		fprintf(stderr, "picklewarden verify: out of memory\n");
		return EXIT_TROUBLE;
	}
	if (add_all(t, keys, n_keys, true) != 0 ||
	    add_all(t, roots, n_roots, false) != 0)
		goto out;
	if (n_keys == 0 && n_roots == 0 && !no_config) {
		struct policy_error perr;

		memset(&perr, 0, sizeof(perr));
		if (policy_find_and_load(config, &policy, &perr) != 0) {
			fprintf(stderr, "picklewarden: %s\n",
				policy_error_format(&perr, buf, sizeof(buf)));
			goto out;
		}
		if (add_all(t, policy->signing.keys, policy->signing.n_keys,
			    true) != 0 ||
		    add_all(t, policy->signing.certificate_roots,
			    policy->signing.n_roots, false) != 0)
			goto out;
	}
	/* sign_certificate.py Verifier: no chain means the system roots. */
	if (sig_trust_root_count(t) == 0)
		sig_trust_use_system_roots(t);
	if (!sig) {
		defsig = default_sig(argv[optind]);
		if (!defsig) {
			fprintf(stderr, "picklewarden verify: out of memory\n");
			goto out;
		}
		sig = defsig;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	status = (int)sig_verify_model(t, argv[optind], sig, ignore,
					 n_ignore, &res);
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) +
	       (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	report(argv[optind], sig, &res, secs, json);
	fflush(stdout);
out:
	sig_diff_clear(&res.diff);
	free(defsig);
	policy_free(policy);
	sig_trust_free(t);
	return status;
}
