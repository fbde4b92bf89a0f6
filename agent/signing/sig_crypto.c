#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "agent/signing/sig_crypto.h"
#include "agent/signing/sig_encode.h"
#include "agent/signing/sig_limits.h"

/* sign_sigstore_pb.py _BUNDLE_MEDIA_TYPE */
#define BUNDLE_MEDIA_TYPE "application/vnd.dev.sigstore.bundle.v0.3+json"
#define PAYLOAD_TYPE "application/vnd.in-toto+json"

struct sig_key {
	EVP_PKEY *pkey;
	char hint[65];		/* hex SHA-256 of its PEM */
};

struct sig_trust {
	struct sig_key *keys;
	size_t n_keys;
	STACK_OF(X509) *roots;
	bool system_roots;
};

static void __attribute__((format(printf, 3, 4)))
say(char *why, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (!why || !cap)
		return;
	va_start(ap, fmt);
	vsnprintf(why, cap, fmt, ap);
	va_end(ap);
}

int
sig_trust_new(struct sig_trust **ret)
{
	struct sig_trust *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	t->roots = sk_X509_new_null();
	if (!t->roots) {
		free(t);
		errno = ENOMEM;
		return -1;
	}
	*ret = t;
	return 0;
}

void
sig_trust_free(struct sig_trust *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n_keys; i++)
		EVP_PKEY_free(t->keys[i].pkey);
	free(t->keys);
	sk_X509_pop_free(t->roots, X509_free);
	free(t);
}

size_t
sig_trust_key_count(const struct sig_trust *t)
{
	return t ? t->n_keys : 0;
}

size_t
sig_trust_root_count(const struct sig_trust *t)
{
	return t ? (size_t)sk_X509_num(t->roots) + (t->system_roots ? 1 : 0)
		 : 0;
}

int
sig_trust_use_system_roots(struct sig_trust *t)
{
	t->system_roots = true;
	return 0;
}

/* Reads a small file whole (a key or certificates). */
static BIO *
read_pem(const char *path, char *why, size_t cap)
{
	/* O_NONBLOCK: a FIFO put in place of the file must not hang us
	 * (fstat refuses it right after). */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	BIO *bio = NULL;

	if (fd < 0) {
		say(why, cap, "%s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > (off_t)SIG_MAX_PEM) {
		say(why, cap, "not a regular file of at most %u bytes",
		    SIG_MAX_PEM);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		goto out;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	bio = BIO_new(BIO_s_mem());
	if (bio && BIO_write(bio, buf, (int)got) != (int)got) {
		BIO_free(bio);
		bio = NULL;
	}
out:
	free(buf);
	close(fd);
	return bio;
}

/* sign_ec_key.py _check_supported_ec_key and get_ec_key_hash. */
static const EVP_MD *
ec_key_hash(EVP_PKEY *k)
{
	char group[64];

	if (EVP_PKEY_get_base_id(k) != EVP_PKEY_EC ||
	    EVP_PKEY_get_group_name(k, group, sizeof(group), NULL) != 1)
		return NULL;
	if (strcmp(group, "prime256v1") == 0)
		return EVP_sha256();
	if (strcmp(group, "secp384r1") == 0)
		return EVP_sha384();
	if (strcmp(group, "secp521r1") == 0)
		return EVP_sha512();
	return NULL;
}

/* sign_ec_key.py: the hint is sha256(PEM SubjectPublicKeyInfo) in hex;
 * OpenSSL writes the same PEM as pyca/cryptography. */
static int
key_hint(EVP_PKEY *k, char out[65])
{
	BIO *b = BIO_new(BIO_s_mem());
	unsigned char md[32];
	char *p;
	long n;
	int rc = -1;

	if (b && PEM_write_bio_PUBKEY(b, k) == 1 &&
	    (n = BIO_get_mem_data(b, &p)) > 0 &&
	    EVP_Digest(p, (size_t)n, md, NULL, EVP_sha256(), NULL) == 1) {
		sig_hex_encode(md, sizeof(md), out);
		rc = 0;
	}
	BIO_free(b);
	return rc;
}

int
sig_trust_add_key_file(struct sig_trust *t, const char *path, char *why,
		       size_t cap)
{
	BIO *bio = read_pem(path, why, cap);
	EVP_PKEY *k = NULL;
	struct sig_key *nk;
	int rc = -1;

	if (!bio)
		return -1;
	k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	if (!k) {
		say(why, cap, "no PEM public key");
		goto out;
	}
	if (!ec_key_hash(k)) {
		say(why, cap, "not an EC key on P-256, P-384 or P-521");
		goto out;
	}
	nk = reallocarray(t->keys, t->n_keys + 1, sizeof(*nk));
	if (!nk)
		goto out;
	t->keys = nk;
	if (key_hint(k, nk[t->n_keys].hint) != 0)
		goto out;
	nk[t->n_keys].pkey = k;
	k = NULL;
	t->n_keys++;
	rc = 0;
out:
	EVP_PKEY_free(k);
	BIO_free(bio);
	return rc;
}

int
sig_trust_add_roots_file(struct sig_trust *t, const char *path, char *why,
			 size_t cap)
{
	BIO *bio = read_pem(path, why, cap);
	X509 *x;
	int n = 0;

	if (!bio)
		return -1;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (!sk_X509_push(t->roots, x)) {
			X509_free(x);
			BIO_free(bio);
			return -1;
		}
		n++;
	}
	BIO_free(bio);
	if (n == 0) {
		say(why, cap, "no PEM certificate");
		return -1;
	}
	return 0;
}

int
sig_check_class(enum sig_check c)
{
	switch (c) {
	case SIG_CHECK_OK:
		return 0;
	case SIG_CHECK_UNTRUSTED_KEY:
	case SIG_CHECK_BAD_SIGNATURE:
	case SIG_CHECK_CHAIN:
	case SIG_CHECK_USAGE:
	case SIG_CHECK_MALFORMED:
		return 1;
	case SIG_CHECK_UNSUPPORTED:
	case SIG_CHECK_NO_TRUST:
	case SIG_CHECK_KEYLESS:
	case SIG_CHECK_NOMEM:
		return 2;
	}
	return 2;
}

/* One ECDSA check over the PAE (compat: the v0.2 encoding). */
static bool
ecdsa_ok(EVP_PKEY *k, const EVP_MD *md, const struct sig_bundle *b,
	 bool compat)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *m;
	size_t mlen = 0;
	bool ok = false;

	m = compat ? sig_pae_compat(PAYLOAD_TYPE, b->payload, b->payload_len,
				    &mlen)
		   : sig_pae(PAYLOAD_TYPE, b->payload, b->payload_len, &mlen);
	/* The reference signs PAE over _IN_TOTO_JSON_PAYLOAD_TYPE, whatever
	 * the envelope says; a different payloadType is refused later. */
	if (ctx && m && EVP_DigestVerifyInit(ctx, NULL, md, NULL, k) == 1 &&
	    EVP_DigestVerify(ctx, b->sig, b->sig_len, m, mlen) == 1)
		ok = true;
	EVP_MD_CTX_free(ctx);
	free(m);
	return ok;
}

static enum sig_check
check_key(const struct sig_trust *t, const struct sig_bundle *b,
	  char *signer, size_t scap, char *why, size_t cap)
{
	size_t i, tried = 0;

	if (t->n_keys == 0) {
		say(why, cap, "signed with a key, and no trusted key given");
		return SIG_CHECK_NO_TRUST;
	}
	for (i = 0; i < t->n_keys; i++) {
		const struct sig_key *k = &t->keys[i];
		const EVP_MD *md = ec_key_hash(k->pkey);

		/* sign_ec_key.Verifier: a hint that is present must name
		 * the key (bundles older than v1.0 have none). */
		if (b->key_hint && strcmp(b->key_hint, k->hint) != 0)
			continue;
		tried++;
		if (ecdsa_ok(k->pkey, md, b, false) ||
		    ecdsa_ok(k->pkey, md, b, true)) {
			snprintf(signer, scap, "key sha256:%s", k->hint);
			return SIG_CHECK_OK;
		}
	}
	if (tried == 0) {
		say(why, cap, "signed by key sha256:%.64s, which is not a "
		    "trusted key", b->key_hint);
		return SIG_CHECK_UNTRUSTED_KEY;
	}
	if (b->key_hint) {
		say(why, cap, "the signature does not verify with key "
		    "sha256:%.64s", b->key_hint);
		return SIG_CHECK_BAD_SIGNATURE;
	}
	say(why, cap, "the signature (a bundle without key hint) verifies "
	    "with no trusted key");
	return SIG_CHECK_UNTRUSTED_KEY;
}

static X509 *
der_cert(const struct sig_der *d)
{
	const unsigned char *p = d->p;
	X509 *x;

	if (d->len > (size_t)INT32_MAX)
		return NULL;
	x = d2i_X509(NULL, &p, (long)d->len);
	/* Trailing bytes after the certificate are not DER. */
	if (x && p != d->p + d->len) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* The leaf's identity for logs: its SHA-256 fingerprint and subject. */
static void
describe_cert(X509 *x, char *out, size_t cap)
{
	unsigned char md[32];
	unsigned int n = 0;
	char fp[65] = "", dn[256] = "";

	if (X509_digest(x, EVP_sha256(), md, &n) == 1 && n == 32)
		sig_hex_encode(md, 32, fp);
	X509_NAME_oneline(X509_get_subject_name(x), dn, sizeof(dn));
	snprintf(out, cap, "certificate sha256:%s subject=%s", fp, dn);
}

static enum sig_check
check_certificate(const struct sig_trust *t, const struct sig_bundle *b,
		  char *signer, size_t scap, char *why, size_t cap)
{
	X509 *leaf = NULL;
	STACK_OF(X509) *chain = NULL;
	X509_STORE *store = NULL;
	X509_STORE_CTX *ctx = NULL;
	EVP_PKEY *pk;
	const EVP_MD *md;
	struct tm tm;
	time_t when;
	uint32_t flags;
	enum sig_check rc = SIG_CHECK_NOMEM;
	bool usage = false;
	size_t i;
	int n;

	if (sk_X509_num(t->roots) == 0 && !t->system_roots) {
		say(why, cap, "signed with a certificate, and no trusted "
		    "root given");
		return SIG_CHECK_NO_TRUST;
	}
	leaf = der_cert(&b->certs[0]);
	if (!leaf) {
		say(why, cap, "the signing certificate does not parse");
		rc = SIG_CHECK_MALFORMED;
		goto out;
	}
	chain = sk_X509_new_null();
	store = X509_STORE_new();
	ctx = X509_STORE_CTX_new();
	if (!chain || !store || !ctx)
		goto out;
	for (i = 1; i < b->n_certs; i++) {
		X509 *x = der_cert(&b->certs[i]);

		if (!x) {
			say(why, cap, "certificate %zu does not parse", i);
			rc = SIG_CHECK_MALFORMED;
			goto out;
		}
		if (!sk_X509_push(chain, x)) {
			X509_free(x);
			goto out;
		}
	}
	for (n = 0; n < sk_X509_num(t->roots); n++)
		if (X509_STORE_add_cert(store, sk_X509_value(t->roots, n)) != 1)
			goto out;
	if (t->system_roots && X509_STORE_set_default_paths(store) != 1)
		goto out;
	/* sign_certificate.py: the store's time is the leaf's notBefore
	 * (there is no trusted timestamp), so a leaf that expired after
	 * signing still verifies; a chain certificate that was not valid
	 * when the leaf was issued does not. */
	if (ASN1_TIME_to_tm(X509_get0_notBefore(leaf), &tm) != 1) {
		say(why, cap, "the signing certificate has a bad notBefore");
		rc = SIG_CHECK_MALFORMED;
		goto out;
	}
	when = timegm(&tm);
	if (X509_STORE_CTX_init(ctx, store, leaf, chain) != 1)
		goto out;
	X509_STORE_CTX_set_time(ctx, 0, when);
	if (X509_verify_cert(ctx) != 1) {
		int err = X509_STORE_CTX_get_error(ctx);

		say(why, cap, "certificate chain: %s (depth %d)",
		    X509_verify_cert_error_string(err),
		    X509_STORE_CTX_get_error_depth(ctx));
		rc = SIG_CHECK_CHAIN;
		goto out;
	}
	/* Key usage digitalSignature, else extended key usage codeSigning. */
	flags = X509_get_extension_flags(leaf);
	if ((flags & EXFLAG_KUSAGE) &&
	    (X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE))
		usage = true;
	if (!usage && (flags & EXFLAG_XKUSAGE) &&
	    (X509_get_extended_key_usage(leaf) & XKU_CODE_SIGN))
		usage = true;
	if (!usage) {
		say(why, cap, "signing certificate cannot be used for signing "
		    "(no digitalSignature key usage, no codeSigning extended "
		    "key usage)");
		rc = SIG_CHECK_USAGE;
		goto out;
	}
	pk = X509_get0_pubkey(leaf);
	md = pk ? ec_key_hash(pk) : NULL;
	if (!md) {
		say(why, cap, "the certificate's key is not EC P-256, P-384 "
		    "or P-521");
		rc = SIG_CHECK_UNSUPPORTED;
		goto out;
	}
	/* The v0.2 compat signature always used SHA-256. */
	if (!ecdsa_ok(pk, md, b, false) &&
	    !ecdsa_ok(pk, EVP_sha256(), b, true)) {
		say(why, cap, "the signature does not verify with the "
		    "signing certificate's key");
		rc = SIG_CHECK_BAD_SIGNATURE;
		goto out;
	}
	describe_cert(leaf, signer, scap);
	rc = SIG_CHECK_OK;
out:
	if (rc == SIG_CHECK_NOMEM)
		say(why, cap, "out of memory");
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	sk_X509_pop_free(chain, X509_free);
	X509_free(leaf);
	return rc;
}

enum sig_check
sig_check_bundle(const struct sig_trust *t, const struct sig_bundle *b,
		 char *signer, size_t scap, char *why, size_t cap)
{
	if (scap)
		signer[0] = '\0';
	if (b->mode == SIG_MODE_KEYLESS) {
		say(why, cap, "keyless: not verifiable offline (a Sigstore "
		    "certificate needs the Fulcio and Rekor trust roots)");
		return SIG_CHECK_KEYLESS;
	}
	if (strcmp(b->media_type, BUNDLE_MEDIA_TYPE) != 0) {
		say(why, cap, "bundle media type is not %s",
		    BUNDLE_MEDIA_TYPE);
		return SIG_CHECK_UNSUPPORTED;
	}
	if (b->mode == SIG_MODE_KEY)
		return check_key(t, b, signer, scap, why, cap);
	return check_certificate(t, b, signer, scap, why, cap);
}
