/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_reader.h - the agent's one JSON reader: strict, bounded, typed.
 *
 * Two kinds of input go through it, and both are hostile:
 *   - quarantine records (record.json, intent.json): written by us, but a
 *     record names a path and finding text taken from a hostile file, and
 *     a store is read after crashes, from backups, after hand edits;
 *   - OpenSSF model-signing bundles and their in-toto statements
 *     (agent/signing/), whose meaning two readers must agree on.
 * So it refuses everything RFC 8259 leaves open, where another reader could
 * see something else: duplicate keys (Python keeps the last, others the
 * first), invalid UTF-8 (store/utf8.c: overlong forms, surrogates, above
 * U+10FFFF, cut sequences), \u escapes that are lone surrogates or
 * \u0000, raw control characters, numbers outside the RFC grammar
 * (leading zeros, "+1", "1.", ".5") or longer than a cap, a byte order
 * mark, and anything after the value.  Every cap is below, with its
 * reason.  A failed parse returns no value.
 *
 * store/ hosts it because every part of the agent may use store/ helpers
 * and store/ uses nothing but itself (agent/local.mk): signing/ includes
 * this header, never the other way round.
 */
#ifndef PW_AGENT_JSON_READER_H
#define PW_AGENT_JSON_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Input read at once.  A signature bundle of a 100,000-file model is
 * about 20 MB (agent/signing/sig_limits.h); records are at most
 * QUARANTINE_MAX_RECORD_SIZE.  64 MiB bounds memory above both. */
#define STORE_JSON_MAX_INPUT (64u * 1024 * 1024)
/* Nesting of arrays and objects: bundles use five levels, statements four,
 * records three.  32 leaves room and bounds the reader's recursion. */
#define STORE_JSON_MAX_DEPTH 32
/* Values in one document (each costs about 64 bytes while parsing). */
#define STORE_JSON_MAX_VALUES (4u * 1024 * 1024)
/* Members of one object: a record has about 35, a bundle object at most
 * six.  Bounds the duplicate-key check of each object. */
#define STORE_JSON_MAX_MEMBERS 256
/* Characters of one number literal: ours are 64-bit integers (20 digits);
 * a float needs at most about 25.  A longer literal is no number we read
 * and only costs memory. */
#define STORE_JSON_MAX_NUMBER 64

enum store_json_type {
	STORE_JSON_NULL = 0, STORE_JSON_BOOL = 1, STORE_JSON_NUMBER = 2,
	STORE_JSON_STRING = 3, STORE_JSON_ARRAY = 4, STORE_JSON_OBJECT = 5,
};

struct store_json_value {
	enum store_json_type type;
	bool boolean;
	char *text;		/* STRING: decoded, valid UTF-8, NUL-free;
				   NUMBER: the literal as written */
	size_t text_len;
	struct store_json_value *items;	/* array elements, member values */
	char **keys;		/* object keys (decoded), parallel to items */
	size_t n;
};

/* Why a parse failed (append-only: never renumbered). */
enum store_json_status {
	STORE_JSON_OK = 0,
	STORE_JSON_ERR_SYNTAX = 1,	/* not JSON, or trailing bytes */
	STORE_JSON_ERR_UTF8 = 2,	/* invalid UTF-8, lone surrogate, NUL */
	STORE_JSON_ERR_DUPLICATE = 3,	/* an object with a key twice */
	STORE_JSON_ERR_LIMIT = 4,	/* over one of the caps above */
	STORE_JSON_ERR_NOMEM = 5,
};

/*
 * Parses the len bytes at text (no NUL needed; nothing past len is read).
 * On success returns STORE_JSON_OK and *ret owns a new value
 * (store_json_free).  On failure returns the reason, leaves *ret untouched
 * and, when ret_offset is not NULL, writes the byte offset where the parse
 * stopped (for a duplicate key: the end of its object).
 */
enum store_json_status store_json_parse(const char *text, size_t len,
					struct store_json_value **ret,
					size_t *ret_offset);
/* Frees v and everything in it; NULL is a no-op. */
void store_json_free(struct store_json_value *v);
/* A static English message for status. */
const char *store_json_strerror(enum store_json_status status);

/* The member key of object v, NULL when absent or v is not an object (v
 * may be NULL, so lookups chain). */
const struct store_json_value *store_json_get(const struct store_json_value *v,
					      const char *key);
/* The member's string, NULL when absent or not a string. */
const char *store_json_get_str(const struct store_json_value *v,
			       const char *key);
/* The member's boolean; false (and *ret untouched) when absent or not a
 * boolean. */
bool store_json_get_bool(const struct store_json_value *v, const char *key,
			 bool *ret);
/* True when every member key of object v is in the NULL-terminated list
 * allowed; false (and *ret_bad the first other key, when not NULL)
 * otherwise, also when v is not an object. */
bool store_json_only_keys(const struct store_json_value *v,
			  const char *const *allowed, const char **ret_bad);

/* Integers: a number value written as an integer (no fraction, no
 * exponent) that fits; false (and *ret untouched) otherwise.  u64 takes no
 * sign; i64 takes a minus. */
bool store_json_to_u64(const struct store_json_value *v, uint64_t *ret);
bool store_json_to_i64(const struct store_json_value *v, int64_t *ret);
/* The same for member key of object v. */
bool store_json_get_u64(const struct store_json_value *v, const char *key,
			uint64_t *ret);
bool store_json_get_i64(const struct store_json_value *v, const char *key,
			int64_t *ret);

#endif
