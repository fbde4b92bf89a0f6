/*
 * sig_crypto.h - who may sign, and checking that they did: trusted EC
 * public keys and certificate roots, and the DSSE signature of a bundle
 * (OpenSSL libcrypto).
 *
 * Rules followed (sigstore/model-transparency, src/model_signing/_signing/):
 *   sign_ec_key.py: P-256, P-384, P-521 only, ECDSA with SHA-256/384/512 by
 *     curve; publicKey.hint is the hex SHA-256 of the PEM SubjectPublicKeyInfo
 *     and must name the key when present; a failed check is retried over
 *     pae_compat with the same hash.
 *   sign_certificate.py: the leaf is certificates[0], the rest untrusted
 *     intermediates; the chain is verified against the roots at the time
 *     of the leaf's notBefore; the leaf needs key usage digitalSignature
 *     or extended key usage codeSigning; the compat retry uses SHA-256.
 *   sign_sigstore_pb.py: key and certificate bundles must have media type
 *     application/vnd.dev.sigstore.bundle.v0.3+json.
 */
#ifndef PW_AGENT_SIG_CRYPTO_H
#define PW_AGENT_SIG_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include "agent/signing/sig_bundle.h"

struct sig_trust;

/* An empty trust set.  Returns 0 or -1 (ENOMEM). */
int sig_trust_new(struct sig_trust **ret);
void sig_trust_free(struct sig_trust *t);

/* Adds the PEM public key in path (an EC key on P-256/384/521).
 * Returns 0, or -1 with why filled. */
int sig_trust_add_key_file(struct sig_trust *t, const char *path, char *why,
			   size_t cap);
/* Adds every PEM certificate in path as a trusted root (anchor).
 * Returns 0, or -1 with why filled (no certificate in the file, ...). */
int sig_trust_add_roots_file(struct sig_trust *t, const char *path,
			     char *why, size_t cap);
/* Uses the system's CA certificates for the certificate mode, as the
 * reference does (certifi) when no chain is given.  Returns 0 or -1. */
int sig_trust_use_system_roots(struct sig_trust *t);
size_t sig_trust_key_count(const struct sig_trust *t);
size_t sig_trust_root_count(const struct sig_trust *t);

/* The outcome of a signature check.  Append-only. */
enum sig_check {
	SIG_CHECK_OK = 0,
	SIG_CHECK_UNTRUSTED_KEY = 1,	/* hint names no trusted key, or no
					   trusted key verifies */
	SIG_CHECK_BAD_SIGNATURE = 2,	/* the named key does not verify */
	SIG_CHECK_CHAIN = 3,		/* the certificate chain fails */
	SIG_CHECK_USAGE = 4,		/* the leaf may not sign */
	SIG_CHECK_UNSUPPORTED = 5,	/* media type, key type, curve */
	SIG_CHECK_NO_TRUST = 6,		/* no key / root to check against */
	SIG_CHECK_KEYLESS = 7,		/* Sigstore keyless: needs Rekor and
					   Fulcio, not checked offline */
	SIG_CHECK_MALFORMED = 8,	/* a certificate that does not parse */
	SIG_CHECK_NOMEM = 9,
};

/* Exit-status class: 0 verified, 1 not verified, 2 could not check. */
int sig_check_class(enum sig_check c);

/*
 * Checks the bundle's DSSE signature.  On SIG_CHECK_OK signer (scap
 * bytes) names who signed: "key sha256:<hint>" or "certificate
 * sha256:<fingerprint> subject=<DN>" (the DN comes from the file: escape
 * it before printing).  why (cap bytes) explains any other outcome.
 */
enum sig_check sig_check_bundle(const struct sig_trust *t,
				const struct sig_bundle *b, char *signer,
				size_t scap, char *why, size_t cap);

#endif
