/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_reader.h - a small JSON reader for our own quarantine records.
 *
 * Records are written by quarantine.c, but a store directory can be edited
 * by hand or damaged, so the reader treats them as untrusted: bounded
 * input, bounded nesting, every failure a clean NULL.
 */
#ifndef PW_AGENT_JSON_READER_H
#define PW_AGENT_JSON_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Nesting deeper than this is refused: our records use two levels. */
#define STORE_JSON_MAX_DEPTH 8

enum store_json_type {
	STORE_JSON_NULL, STORE_JSON_BOOL, STORE_JSON_NUMBER, STORE_JSON_STRING,
	STORE_JSON_ARRAY, STORE_JSON_OBJECT
};

struct store_json_value {
	enum store_json_type type;
	bool boolean;
	char *text;		/* STORE_JSON_STRING: decoded UTF-8 (NUL-free: a
				   \u0000 makes the parse fail);
				   STORE_JSON_NUMBER: the literal */
	struct store_json_value *items; /* array elements or object values */
	char **keys;		/* object keys, parallel to items */
	size_t n;
};

/* Parses len bytes.  Returns a new value (store_json_free) or NULL on a syntax
 * error, trailing garbage, too deep nesting, or no memory. */
struct store_json_value *store_json_parse(const char *text, size_t len);
void store_json_free(struct store_json_value *v);

/* The member key of an object, or NULL (also when v is not an object). */
const struct store_json_value *store_json_get(const struct store_json_value *v,
				  const char *key);
/* The string of a member, or NULL when missing or not a string. */
const char *store_json_get_str(const struct store_json_value *v,
			       const char *key);
/* Integer members; false when missing, not a number or out of range. */
bool store_json_get_i64(const struct store_json_value *v, const char *key,
		  int64_t *ret);
bool store_json_get_u64(const struct store_json_value *v, const char *key,
		  uint64_t *ret);

#endif
