/*
 * sig_bundle.h - the OpenSSF model-signing signature file: a Sigstore
 * bundle (v0.3 JSON) holding a DSSE envelope whose payload is an in-toto
 * statement listing the model's files (or shards) and their digests.
 *
 * Sources followed (sigstore/model-transparency): docs/model_signing_format.md,
 * src/model_signing/_signing/{signing,sign_sigstore_pb,sign_ec_key,
 * sign_certificate}.py, src/model_signing/manifest.py,
 * src/model_signing/_serialization/{file,file_shard}.py.
 *
 * Parsing only: nothing here checks a signature (sig_crypto.h does).
 */
#ifndef PW_AGENT_SIG_BUNDLE_H
#define PW_AGENT_SIG_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How the bundle says it was signed.  Append-only. */
enum sig_mode {
	SIG_MODE_KEY = 0,		/* verificationMaterial.publicKey */
	SIG_MODE_CERTIFICATE = 1,	/* ...x509CertificateChain */
	SIG_MODE_KEYLESS = 2,		/* ...certificate (Fulcio) or
					   tlogEntries: Sigstore keyless */
};

/* A DER certificate from the bundle. */
struct sig_der {
	unsigned char *p;
	size_t len;
};

struct sig_bundle {
	enum sig_mode mode;
	char *media_type;
	char *key_hint;		/* key mode: hex SHA-256 of the signer's PEM
				   public key, NULL when the bundle has none
				   (bundles before v1.0) */
	struct sig_der *certs;	/* certificate modes: [0] is the leaf */
	size_t n_certs;
	size_t n_tlog;		/* transparency log entries (not checked) */
	char *payload_type;
	unsigned char *payload;	/* decoded; a NUL follows */
	size_t payload_len;
	unsigned char *sig;	/* signatures[0].sig, decoded (the reference
				   checks the first signature only) */
	size_t sig_len;
};

/* What the statement lists.  Append-only. */
enum sig_method {
	SIG_METHOD_FILES = 0,
	SIG_METHOD_SHARDS = 1,
};

/* Digest algorithms a resource may name that we can recompute. */
enum sig_hash {
	SIG_HASH_SHA256 = 0,

};

struct sig_item {
	char *path;		/* normalised like PurePosixPath: no "",
				   "." components; "." for a single file */
	bool shard;
	uint64_t start, end;	/* shards: [start, end) */
	unsigned char digest[64];
	size_t digest_len;
};

struct sig_manifest {
	int predicate;		/* 1: .../signature/v1.0, 0: Digests/v0.1 */
	char *model_name;	/* subject name (informative) */
	enum sig_method method;
	enum sig_hash hash;
	uint64_t shard_size;	/* shards only */
	bool allow_symlinks;
	char **ignore;		/* ignore_paths, normalised; may be empty */
	size_t n_ignore;
	struct sig_item *items;	/* sorted by (path, start) for lookups */
	size_t n;
};

/* Why parsing failed.  Append-only. */
enum sig_parse_status {
	SIG_PARSE_OK = 0,
	SIG_PARSE_MALFORMED = 1,	/* not a bundle/statement we can read */
	SIG_PARSE_UNSUPPORTED = 2,	/* well-formed, but a hash, media type
					   or predicate we cannot check */
	SIG_PARSE_INCONSISTENT = 3,	/* subject digest != digest of the
					   resources (signing.py) */
	SIG_PARSE_NOMEM = 4,
};

/*
 * Parses a bundle.  On SIG_PARSE_OK *ret is a new bundle (sig_bundle_free);
 * otherwise why (cap bytes) says what was wrong.
 */
enum sig_parse_status sig_bundle_parse(const char *text, size_t len,
				       struct sig_bundle **ret, char *why,
				       size_t cap);
void sig_bundle_free(struct sig_bundle *b);

/*
 * Parses the (already authenticated) statement into a manifest, as
 * signing.py's Verifier.verify and dsse_payload_to_manifest do: payload
 * type, statement type, predicate type v1.0 or the v0.1 compat form, the
 * root digest over all resources.
 */
enum sig_parse_status sig_statement_parse(const struct sig_bundle *b,
					  struct sig_manifest **ret,
					  char *why, size_t cap);
void sig_manifest_free(struct sig_manifest *m);

/* Normalises a path as PurePosixPath does for relative paths: repeated
 * and trailing slashes and "." components go; ".." stays; "" becomes ".".
 * Returns a new string or NULL (ENOMEM). */
char *sig_path_normalise(const char *p);

/* The items of path (one for files, the shards in order for shards):
 * *ret_first and the count, 0 when absent. */
size_t sig_manifest_find(const struct sig_manifest *m, const char *path,
			 size_t *ret_first);

/* "sha256": the reference's digest name. */
const char *sig_hash_name(enum sig_hash h);
size_t sig_hash_len(enum sig_hash h);

#endif
