/*
 * sig_json.h - a strict, bounded JSON reader for signature bundles and the
 * in-toto statements inside them.
 *
 * Why not agent/quarantine_json.c: that reader is for our own records and
 * is lenient where a signature must not be (it keeps the last of two equal
 * keys and does not check UTF-8).  A bundle is hostile input whose meaning
 * two readers must agree on, so this one refuses everything RFC 8259 leaves
 * open: duplicate keys, invalid UTF-8 (also in \u escapes: lone
 * surrogates), \u0000, control characters, leading zeros, trailing garbage.
 * Everything is capped (sig_limits.h); a failed parse returns no value.
 */
#ifndef PW_AGENT_SIG_JSON_H
#define PW_AGENT_SIG_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sj_type {
	SJ_NULL = 0, SJ_BOOL = 1, SJ_NUMBER = 2, SJ_STRING = 3,
	SJ_ARRAY = 4, SJ_OBJECT = 5,
};

struct sj_value {
	enum sj_type type;
	bool boolean;
	char *text;		/* SJ_STRING: decoded UTF-8, NUL-free;
				   SJ_NUMBER: the literal as written */
	size_t text_len;
	struct sj_value *items;	/* array elements or object member values */
	char **keys;		/* object keys (decoded), parallel to items */
	size_t n;
};

/* Why a parse failed (append-only). */
enum sj_status {
	SJ_OK = 0,
	SJ_ERR_SYNTAX = 1,	/* not JSON, or trailing garbage */
	SJ_ERR_UTF8 = 2,	/* invalid UTF-8 or a lone surrogate */
	SJ_ERR_DUPLICATE = 3,	/* an object with the same key twice */
	SJ_ERR_LIMIT = 4,	/* too big, too deep, too many values */
	SJ_ERR_NOMEM = 5,
};

/*
 * Parses len bytes (a leading byte order mark is a syntax error).
 * On success returns SJ_OK and *ret owns a new value (sj_free); on failure
 * returns the reason, leaves *ret untouched and, when ret_offset is not
 * NULL, writes the byte offset where the parse stopped.
 */
enum sj_status sj_parse(const char *text, size_t len, struct sj_value **ret,
			size_t *ret_offset);
void sj_free(struct sj_value *v);
const char *sj_strerror(enum sj_status status);

/* The member key of an object, NULL when absent or v is not an object. */
const struct sj_value *sj_get(const struct sj_value *v, const char *key);
/* The member's string, NULL when absent or not a string. */
const char *sj_get_str(const struct sj_value *v, const char *key);
/* True when every member key of object v is in the NULL-terminated list
 * allowed; false (and *ret_bad the first other key) otherwise. */
bool sj_only_keys(const struct sj_value *v, const char *const *allowed,
		  const char **ret_bad);
/* A non-negative integer literal (digits only) that fits uint64_t. */
bool sj_to_u64(const struct sj_value *v, uint64_t *ret);

#endif
