#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "agent/signing/sig_bundle.h"
#include "agent/signing/sig_encode.h"
#include "agent/signing/sig_limits.h"
#include "agent/store/json_reader.h"

/* A bundle sig_verify.c accepts by size is one the JSON reader reads. */
_Static_assert(SIG_MAX_BUNDLE <= STORE_JSON_MAX_INPUT,
	       "the JSON reader's input cap is below SIG_MAX_BUNDLE");

/* signing.py: _IN_TOTO_JSON_PAYLOAD_TYPE, _IN_TOTO_STATEMENT_TYPE,
 * _PREDICATE_TYPE, _PREDICATE_TYPE_COMPAT. */
#define IN_TOTO_PAYLOAD_TYPE "application/vnd.in-toto+json"
#define IN_TOTO_STATEMENT_TYPE "https://in-toto.io/Statement/v1"
#define PREDICATE_V1 "https://model_signing/signature/v1.0"
#define PREDICATE_COMPAT "https://model_signing/Digests/v0.1"

static enum sig_parse_status __attribute__((format(printf, 4, 5)))
say(char *why, size_t cap, enum sig_parse_status st, const char *fmt, ...)
{
	va_list ap;

	if (why && cap) {
		va_start(ap, fmt);
		vsnprintf(why, cap, fmt, ap);
		va_end(ap);
	}
	return st;
}

const char *
sig_hash_name(enum sig_hash h)
{
	return h == SIG_HASH_SHA256 ? "sha256" : "unknown";
}

size_t
sig_hash_len(enum sig_hash h)
{
	return h == SIG_HASH_SHA256 ? 32 : 0;
}

void
sig_bundle_free(struct sig_bundle *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->n_certs; i++)
		free(b->certs[i].p);
	free(b->certs);
	free(b->media_type);
	free(b->key_hint);
	free(b->payload_type);
	free(b->payload);
	free(b->sig);
	free(b);
}

/* A required base64 string member decoded into *ret. */
static int
get_b64(const struct store_json_value *obj, const char *key,
	unsigned char **ret, size_t *ret_len)
{
	const struct store_json_value *v = store_json_get(obj, key);

	if (!v || v->type != STORE_JSON_STRING)
		return -1;
	return sig_b64_decode(v->text, v->text_len, ret, ret_len);
}

static enum sig_parse_status
parse_material(const struct store_json_value *vm, struct sig_bundle *b,
	       char *why, size_t cap)
{
	static const char *const vm_keys[] = {
		"publicKey", "x509CertificateChain", "certificate",
		"tlogEntries", "timestampVerificationData", NULL};
	static const char *const pk_keys[] = {"hint", "rawBytes",
					      "keyDetails", NULL};
	const struct store_json_value *pk = store_json_get(vm, "publicKey");
	const struct store_json_value *chain =
		store_json_get(vm, "x509CertificateChain");
	const struct store_json_value *cert = store_json_get(vm, "certificate");
	const struct store_json_value *tlog = store_json_get(vm, "tlogEntries");
	const char *bad = "";
	size_t i;

	if (!vm || vm->type != STORE_JSON_OBJECT)
		return say(why, cap, SIG_PARSE_MALFORMED,
			   "no verificationMaterial object");
	if (!store_json_only_keys(vm, vm_keys, &bad))
		return say(why, cap, SIG_PARSE_MALFORMED,
			   "unknown verificationMaterial member");
	/* A protobuf oneof: exactly one kind of material. */
	if ((pk != NULL) + (chain != NULL) + (cert != NULL) != 1)
		return say(why, cap, SIG_PARSE_MALFORMED,
			   "verificationMaterial needs exactly one of "
			   "publicKey, x509CertificateChain, certificate");
	if (tlog) {
		if (tlog->type != STORE_JSON_ARRAY)
			return say(why, cap, SIG_PARSE_MALFORMED,
				   "tlogEntries is not an array");
		b->n_tlog = tlog->n;
	}
	if (pk) {
		const struct store_json_value *h;

		b->mode = SIG_MODE_KEY;
		if (pk->type != STORE_JSON_OBJECT ||
		    !store_json_only_keys(pk, pk_keys, &bad))
			return say(why, cap, SIG_PARSE_MALFORMED,
				   "bad publicKey member");
		/* sign_sigstore_pb.Signature.read drops rawBytes and
		 * keyDetails: only the hint is used. */
		h = store_json_get(pk, "hint");
		if (h && h->type != STORE_JSON_NULL &&
		    h->type != STORE_JSON_STRING)
			return say(why, cap, SIG_PARSE_MALFORMED,
				   "publicKey.hint is not a string");
		/* sign_ec_key.Verifier tests the hint for truth: an empty
		 * one is no hint. */
		if (h && h->type == STORE_JSON_STRING && h->text_len > 0) {
			b->key_hint = strdup(h->text);
			if (!b->key_hint)
				return SIG_PARSE_NOMEM;
		}
		return SIG_PARSE_OK;
	}
	if (cert) {
		/* Sigstore keyless: a Fulcio certificate, checked against
		 * Rekor and Fulcio roots we do not have offline. */
		b->mode = SIG_MODE_KEYLESS;
		return SIG_PARSE_OK;
	}
	b->mode = SIG_MODE_CERTIFICATE;
	{
		static const char *const ch_keys[] = {"certificates", NULL};
		static const char *const c_keys[] = {"rawBytes", NULL};
		const struct store_json_value *list =
			store_json_get(chain, "certificates");

		if (!store_json_only_keys(chain, ch_keys, &bad) || !list ||
		    list->type != STORE_JSON_ARRAY || list->n == 0)
			return say(why, cap, SIG_PARSE_MALFORMED,
				   "x509CertificateChain has no certificates");
		if (list->n > SIG_MAX_CHAIN)
			return say(why, cap, SIG_PARSE_MALFORMED,
				   "more than %u certificates in the chain",
				   SIG_MAX_CHAIN);
		b->certs = calloc(list->n, sizeof(*b->certs));
		if (!b->certs)
			return SIG_PARSE_NOMEM;
		for (i = 0; i < list->n; i++) {
			if (!store_json_only_keys(&list->items[i], c_keys,
						  &bad) ||
			    get_b64(&list->items[i], "rawBytes",
				    &b->certs[i].p, &b->certs[i].len) != 0 ||
			    b->certs[i].len == 0) {
				b->n_certs = i + 1;
				return errno == ENOMEM ? SIG_PARSE_NOMEM :
					say(why, cap, SIG_PARSE_MALFORMED,
					    "certificate %zu: bad rawBytes", i);
			}
			b->n_certs = i + 1;
		}
	}
	return SIG_PARSE_OK;
}

static enum sig_parse_status
parse_envelope(const struct store_json_value *env, struct sig_bundle *b,
	       char *why, size_t cap)
{
	static const char *const env_keys[] = {"payload", "payloadType",
					       "signatures", NULL};
	static const char *const s_keys[] = {"sig", "keyid", NULL};
	const struct store_json_value *sigs = store_json_get(env, "signatures");
	const struct store_json_value *kid;
	const char *pt = store_json_get_str(env, "payloadType"), *bad = "";
	size_t i;

	if (!env || env->type != STORE_JSON_OBJECT ||
	    !store_json_only_keys(env, env_keys, &bad))
		return say(why, cap, SIG_PARSE_MALFORMED,
			   "no dsseEnvelope object, or an unknown member");
	if (!pt)
		return say(why, cap, SIG_PARSE_MALFORMED, "no payloadType");
	b->payload_type = strdup(pt);
	if (!b->payload_type)
		return SIG_PARSE_NOMEM;
	if (get_b64(env, "payload", &b->payload, &b->payload_len) != 0)
		return errno == ENOMEM ? SIG_PARSE_NOMEM :
			say(why, cap, SIG_PARSE_MALFORMED, "bad payload");
	if (!sigs || sigs->type != STORE_JSON_ARRAY || sigs->n == 0)
		return say(why, cap, SIG_PARSE_MALFORMED, "no signatures");
	for (i = 0; i < sigs->n; i++) {
		if (!store_json_only_keys(&sigs->items[i], s_keys, &bad))
			return say(why, cap, SIG_PARSE_MALFORMED,
				   "bad signature entry");
		kid = store_json_get(&sigs->items[i], "keyid");
		if (kid && kid->type != STORE_JSON_STRING &&
		    kid->type != STORE_JSON_NULL)
			return say(why, cap, SIG_PARSE_MALFORMED,
				   "keyid is not a string");
	}
	/* The verifiers read envelope.signatures[0] only. */
	if (get_b64(&sigs->items[0], "sig", &b->sig, &b->sig_len) != 0 ||
	    b->sig_len == 0)
		return errno == ENOMEM ? SIG_PARSE_NOMEM :
			say(why, cap, SIG_PARSE_MALFORMED, "bad sig");
	return SIG_PARSE_OK;
}

enum sig_parse_status
sig_bundle_parse(const char *text, size_t len, struct sig_bundle **ret,
		 char *why, size_t cap)
{
	static const char *const top_keys[] = {
		"mediaType", "verificationMaterial", "dsseEnvelope",
		"messageSignature", NULL};
	struct store_json_value *root = NULL;
	struct sig_bundle *b = NULL;
	enum sig_parse_status st;
	enum store_json_status js;
	const char *mt, *bad = "";
	size_t off = 0;

	js = store_json_parse(text, len, &root, &off);
	if (js != STORE_JSON_OK) {
		st = js == STORE_JSON_ERR_NOMEM ? SIG_PARSE_NOMEM :
			say(why, cap, SIG_PARSE_MALFORMED, "%s at byte %zu",
			    store_json_strerror(js), off);
		goto out;
	}
	if (root->type != STORE_JSON_OBJECT ||
	    !store_json_only_keys(root, top_keys, &bad)) {
		st = say(why, cap, SIG_PARSE_MALFORMED,
			 "not a Sigstore bundle object");
		goto out;
	}
	mt = store_json_get_str(root, "mediaType");
	if (!mt) {
		st = say(why, cap, SIG_PARSE_MALFORMED, "no mediaType");
		goto out;
	}
	if (store_json_get(root, "messageSignature") ||
	    !store_json_get(root, "dsseEnvelope")) {
		st = say(why, cap, SIG_PARSE_UNSUPPORTED,
			 "not a DSSE bundle (a message signature is not a "
			 "model signature)");
		goto out;
	}
	b = calloc(1, sizeof(*b));
	if (!b || !(b->media_type = strdup(mt))) {
		st = SIG_PARSE_NOMEM;
		goto out;
	}
	st = parse_material(store_json_get(root, "verificationMaterial"), b,
			    why, cap);
	if (st != SIG_PARSE_OK)
		goto out;
	st = parse_envelope(store_json_get(root, "dsseEnvelope"), b, why, cap);
	if (st != SIG_PARSE_OK)
		goto out;
	*ret = b;
	b = NULL;
out:
	sig_bundle_free(b);
	store_json_free(root);
	return st;
}

/* ---- the statement ------------------------------------------------- */

void
sig_manifest_free(struct sig_manifest *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n; i++)
		free(m->items[i].path);
	for (i = 0; i < m->n_ignore; i++)
		free(m->ignore[i]);
	free(m->items);
	free(m->ignore);
	free(m->model_name);
	free(m);
}

char *
sig_path_normalise(const char *p)
{
	size_t n = strlen(p), o = 0, i = 0;
	char *out = malloc(n + 2);

	if (!out)
		return NULL;
	if (p[0] == '/') {
		/* Absolute: never a model member; keep it recognisable. */
		out[o++] = '/';
	}
	while (i < n) {
		size_t s, e;

		while (i < n && p[i] == '/')
			i++;
		s = i;
		while (i < n && p[i] != '/')
			i++;
		e = i;
		if (e == s || (e - s == 1 && p[s] == '.'))
			continue;
		if (o > 0 && out[o - 1] != '/')
			out[o++] = '/';
		memcpy(out + o, p + s, e - s);
		o += e - s;
	}
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	return out;
}

static bool
parse_u64_text(const char *s, size_t n, uint64_t *ret)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' ||
		    __builtin_mul_overflow(x, 10, &x) ||
		    __builtin_add_overflow(x, (uint64_t)(s[i] - '0'), &x))
			return false;
	}
	*ret = x;
	return true;
}

/* manifest.py _ShardSerialization.new_item: "path:start:end". */
static int
parse_shard_name(const char *name, struct sig_item *it)
{
	const char *c1 = strchr(name, ':'), *c2;
	char *path;

	if (!c1 || !(c2 = strchr(c1 + 1, ':')) || strchr(c2 + 1, ':'))
		return -1;
	if (!parse_u64_text(c1 + 1, (size_t)(c2 - c1 - 1), &it->start) ||
	    !parse_u64_text(c2 + 1, strlen(c2 + 1), &it->end))
		return -1;
	path = strndup(name, (size_t)(c1 - name));
	if (!path)
		return -1;
	it->path = sig_path_normalise(path);
	free(path);
	it->shard = true;
	return it->path ? 0 : -1;
}

static int
item_cmp(const void *a, const void *b)
{
	const struct sig_item *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (c)
		return c;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

size_t
sig_manifest_find(const struct sig_manifest *m, const char *path,
		  size_t *ret_first)
{
	size_t lo = 0, hi = m->n, k;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(m->items[mid].path, path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (k = lo; k < m->n && strcmp(m->items[k].path, path) == 0; k++)
		;
	*ret_first = lo;
	return k - lo;
}

/* A digest in hex into the item; false when not hex or too long. */
static bool
set_digest(struct sig_item *it, const char *hex)
{
	size_t n = strlen(hex);

	if (n == 0 || n % 2 || n / 2 > sizeof(it->digest))
		return false;
	it->digest_len = n / 2;
	return sig_hex_decode(hex, it->digest, n / 2);
}

static enum sig_parse_status
parse_v1(const struct store_json_value *st, struct sig_manifest *m, char *why,
	 size_t cap)
{
	const struct store_json_value *subj = store_json_get(st, "subject");
	const struct store_json_value *pred = store_json_get(st, "predicate");
	const struct store_json_value *ser =
		store_json_get(pred, "serialization");
	const struct store_json_value *res = store_json_get(pred, "resources");
	const struct store_json_value *v, *ign;
	const char *method, *hash, *root_hex;
	unsigned char root[32], got[32];
	char algo[64];
	EVP_MD_CTX *ctx = NULL;
	enum sig_parse_status rc = SIG_PARSE_MALFORMED;
	size_t i;

	m->predicate = 1;
	/* signing.py dsse_payload_to_manifest: one subject, the model name
	 * and a SHA-256 over the resources' digests. */
	if (!subj || subj->type != STORE_JSON_ARRAY || subj->n != 1)
		return say(why, cap, rc, "expected exactly one subject");
	root_hex = store_json_get_str(store_json_get(&subj->items[0], "digest"),
				      "sha256");
	if (!store_json_get_str(&subj->items[0], "name") || !root_hex ||
	    !sig_hex_decode(root_hex, root, sizeof(root)))
		return say(why, cap, rc, "subject without name or sha256");
	m->model_name = strdup(store_json_get_str(&subj->items[0], "name"));
	if (!m->model_name)
		return SIG_PARSE_NOMEM;
	if (!ser || ser->type != STORE_JSON_OBJECT)
		return say(why, cap, rc, "no predicate.serialization");
	method = store_json_get_str(ser, "method");
	hash = store_json_get_str(ser, "hash_type");
	v = store_json_get(ser, "allow_symlinks");
	if (!method || !hash || !v || v->type != STORE_JSON_BOOL)
		return say(why, cap, rc,
			   "serialization needs method, hash_type and "
			   "allow_symlinks");
	m->allow_symlinks = v->boolean;
	if (strcmp(method, "files") == 0) {
		m->method = SIG_METHOD_FILES;
	} else if (strcmp(method, "shards") == 0) {
		m->method = SIG_METHOD_SHARDS;
		if (!store_json_to_u64(store_json_get(ser, "shard_size"),
				       &m->shard_size) ||
		    m->shard_size == 0)
			return say(why, cap, rc, "bad shard_size");
	} else {
		return say(why, cap, SIG_PARSE_UNSUPPORTED,
			   "serialization method is not files or shards");
	}
	/* hashing.py builds sha256, blake2 and blake3 hashers; we recompute
	 * SHA-256 only. */
	if (strcmp(hash, "sha256") != 0)
		return say(why, cap, SIG_PARSE_UNSUPPORTED,
			   "hash_type other than sha256");
	m->hash = SIG_HASH_SHA256;
	/* io.py: a file's digest is named after its hasher, a shard's
	 * "<hash>-sharded-<shard_size>"; manifests compare the names too. */
	if (m->method == SIG_METHOD_FILES)
		snprintf(algo, sizeof(algo), "sha256");
	else
		snprintf(algo, sizeof(algo), "sha256-sharded-%llu",
			 (unsigned long long)m->shard_size);
	ign = store_json_get(ser, "ignore_paths");
	if (ign) {
		if (ign->type != STORE_JSON_ARRAY || ign->n > SIG_MAX_IGNORE)
			return say(why, cap, rc, "bad ignore_paths");
		m->ignore = calloc(ign->n + 1, sizeof(*m->ignore));
		if (!m->ignore)
			return SIG_PARSE_NOMEM;
		for (i = 0; i < ign->n; i++) {
			if (ign->items[i].type != STORE_JSON_STRING)
				return say(why, cap, rc, "bad ignore_paths");
			m->ignore[i] = sig_path_normalise(ign->items[i].text);
			if (!m->ignore[i])
				return SIG_PARSE_NOMEM;
			m->n_ignore = i + 1;
		}
	}
	if (!res || res->type != STORE_JSON_ARRAY || res->n > SIG_MAX_RESOURCES)
		return say(why, cap, rc, "no predicate.resources list");
	m->items = calloc(res->n + 1, sizeof(*m->items));
	ctx = EVP_MD_CTX_new();
	if (!m->items || !ctx ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		rc = SIG_PARSE_NOMEM;
		goto out;
	}
	for (i = 0; i < res->n; i++) {
		const struct store_json_value *r = &res->items[i];
		const char *name = store_json_get_str(r, "name");
		const char *alg = store_json_get_str(r, "algorithm");
		const char *dig = store_json_get_str(r, "digest");
		struct sig_item *it = &m->items[i];

		if (!name || !alg || !dig || !set_digest(it, dig)) {
			say(why, cap, rc, "resource %zu: bad name, algorithm "
			    "or digest", i);
			goto out;
		}
		/* The root digest covers the digests in listed order. */
		if (EVP_DigestUpdate(ctx, it->digest, it->digest_len) != 1) {
			rc = SIG_PARSE_NOMEM;
			goto out;
		}
		if (strcmp(alg, algo) != 0) {
			/* The reference would report this item as a
			 * mismatch; our comparison has no algorithm per
			 * item, so refuse the whole manifest. */
			rc = say(why, cap, SIG_PARSE_UNSUPPORTED,
				 "resource %zu: algorithm is not %s", i, algo);
			goto out;
		}
		if (m->method == SIG_METHOD_FILES) {
			it->path = sig_path_normalise(name);
			if (!it->path) {
				rc = SIG_PARSE_NOMEM;
				goto out;
			}
		} else if (parse_shard_name(name, it) != 0) {
			m->n = i + 1;
			say(why, cap, rc, "resource %zu: bad shard name", i);
			goto out;
		}
		m->n = i + 1;
	}
	if (EVP_DigestFinal_ex(ctx, got, NULL) != 1) {
		rc = SIG_PARSE_NOMEM;
		goto out;
	}
	if (memcmp(got, root, sizeof(root)) != 0) {
		rc = say(why, cap, SIG_PARSE_INCONSISTENT,
			 "manifest is inconsistent: the subject digest does "
			 "not match the resources");
		goto out;
	}
	rc = SIG_PARSE_OK;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* signing.py dsse_payload_to_manifest_compat: the v0.2 statement lists
 * every file as a subject with its SHA-256. */
static enum sig_parse_status
parse_compat(const struct store_json_value *st, struct sig_manifest *m,
	     char *why, size_t cap)
{
	const struct store_json_value *subj = store_json_get(st, "subject");
	size_t i;

	m->predicate = 0;
	m->method = SIG_METHOD_FILES;
	m->hash = SIG_HASH_SHA256;
	m->allow_symlinks = false;
	m->model_name = strdup("compat-undefined-not-present");
	if (!m->model_name)
		return SIG_PARSE_NOMEM;
	if (!subj || subj->type != STORE_JSON_ARRAY ||
	    subj->n > SIG_MAX_RESOURCES)
		return say(why, cap, SIG_PARSE_MALFORMED, "no subject list");
	m->items = calloc(subj->n + 1, sizeof(*m->items));
	if (!m->items)
		return SIG_PARSE_NOMEM;
	for (i = 0; i < subj->n; i++) {
		const char *name = store_json_get_str(&subj->items[i], "name");
		const char *dig = store_json_get_str(
			store_json_get(&subj->items[i], "digest"), "sha256");
		struct sig_item *it = &m->items[i];

		if (!name || !dig || !set_digest(it, dig))
			return say(why, cap, SIG_PARSE_MALFORMED,
				   "subject %zu: bad name or sha256", i);
		it->path = sig_path_normalise(name);
		if (!it->path)
			return SIG_PARSE_NOMEM;
		m->n = i + 1;
	}
	return SIG_PARSE_OK;
}

enum sig_parse_status
sig_statement_parse(const struct sig_bundle *b, struct sig_manifest **ret,
		    char *why, size_t cap)
{
	struct store_json_value *st = NULL;
	struct sig_manifest *m = NULL;
	enum sig_parse_status rc;
	enum store_json_status js;
	const char *type, *pt;
	size_t off = 0, i;

	if (strcmp(b->payload_type, IN_TOTO_PAYLOAD_TYPE) != 0)
		return say(why, cap, SIG_PARSE_MALFORMED,
			   "DSSE payload type is not %s", IN_TOTO_PAYLOAD_TYPE);
	js = store_json_parse((const char *)b->payload, b->payload_len, &st,
			      &off);
	if (js != STORE_JSON_OK)
		return js == STORE_JSON_ERR_NOMEM ? SIG_PARSE_NOMEM :
			say(why, cap, SIG_PARSE_MALFORMED,
			    "statement: %s at byte %zu",
			    store_json_strerror(js), off);
	type = store_json_get_str(st, "_type");
	pt = store_json_get_str(st, "predicateType");
	m = calloc(1, sizeof(*m));
	if (!m) {
		rc = SIG_PARSE_NOMEM;
		goto out;
	}
	if (!type || strcmp(type, IN_TOTO_STATEMENT_TYPE) != 0) {
		rc = say(why, cap, SIG_PARSE_MALFORMED,
			 "statement _type is not %s", IN_TOTO_STATEMENT_TYPE);
		goto out;
	}
	if (pt && strcmp(pt, PREDICATE_V1) == 0)
		rc = parse_v1(st, m, why, cap);
	else if (pt && strcmp(pt, PREDICATE_COMPAT) == 0)
		rc = parse_compat(st, m, why, cap);
	else
		rc = say(why, cap, SIG_PARSE_UNSUPPORTED,
			 "unknown predicateType");
	if (rc != SIG_PARSE_OK)
		goto out;
	qsort(m->items, m->n, sizeof(*m->items), item_cmp);
	/* The reference keeps a dict and silently lets a later duplicate
	 * win; two digests for one name is refused here. */
	for (i = 1; i < m->n; i++) {
		if (item_cmp(&m->items[i - 1], &m->items[i]) == 0) {
			rc = say(why, cap, SIG_PARSE_MALFORMED,
				 "a resource is listed twice");
			goto out;
		}
	}
	*ret = m;
	m = NULL;
out:
	sig_manifest_free(m);
	store_json_free(st);
	return rc;
}
