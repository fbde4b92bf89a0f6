/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quarantine_json.h - a small JSON reader for our own quarantine records.
 *
 * Records are written by quarantine.c, but a store directory can be edited
 * by hand or damaged, so the reader treats them as untrusted: bounded
 * input, bounded nesting, every failure a clean NULL.
 */
#ifndef PW_AGENT_QUARANTINE_JSON_H
#define PW_AGENT_QUARANTINE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Nesting deeper than this is refused: our records use two levels. */
#define JSON_MAX_DEPTH 8

enum json_type {
	JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT
};

struct json_value {
	enum json_type type;
	bool boolean;
	char *text;		/* JSON_STRING: decoded UTF-8 (NUL-free: a
				   \u0000 makes the parse fail);
				   JSON_NUMBER: the literal */
	struct json_value *items; /* array elements or object values */
	char **keys;		/* object keys, parallel to items */
	size_t n;
};

/* Parses len bytes.  Returns a new value (json_free) or NULL on a syntax
 * error, trailing garbage, too deep nesting, or no memory. */
struct json_value *json_parse(const char *text, size_t len);
void json_free(struct json_value *v);

/* The member key of an object, or NULL (also when v is not an object). */
const struct json_value *json_get(const struct json_value *v,
				  const char *key);
/* The string of a member, or NULL when missing or not a string. */
const char *json_get_str(const struct json_value *v, const char *key);
/* Integer members; false when missing, not a number or out of range. */
bool json_get_i64(const struct json_value *v, const char *key,
		  int64_t *ret);
bool json_get_u64(const struct json_value *v, const char *key,
		  uint64_t *ret);

#endif
