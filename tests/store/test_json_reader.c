/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_json_reader.c - the agent's one strict JSON reader
 * (agent/store/json_reader.c), which reads quarantine records and signature
 * bundles: good documents, every corner of RFC 8259 it must refuse with its
 * reason (duplicate keys, lone surrogates, overlong and other invalid UTF-8,
 * deep nesting, huge numbers, trailing bytes), each cap at and past its
 * value, truncation at every byte, and the typed getters.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/store/json_reader.h"

static enum store_json_status
parse(const char *s, struct store_json_value **v)
{
	*v = NULL;
	return store_json_parse(s, strlen(s), v, NULL);
}

/* Parses s, which must be refused with want; *v stays untouched. */
static void
refuse(const char *s, size_t len, enum store_json_status want)
{
	struct store_json_value *v = (struct store_json_value *)&v;
	enum store_json_status st = store_json_parse(s, len, &v, NULL);

	if (st != want)
		fail_msg("%s: got \"%s\", want \"%s\"", s,
			 store_json_strerror(st), store_json_strerror(want));
	assert_ptr_equal(v, (struct store_json_value *)&v);
}

static void
test_good(void **state)
{
	struct store_json_value *v;
	const struct store_json_value *a;
	uint64_t u;
	bool b = false;

	(void)state;
	assert_int_equal(parse("{\"a\": [1, -2.5e+3, true, null, \"x\\u00e9"
			       "\\ud83d\\ude00\"], \"b\": {}, \"t\": false,"
			       " \"s\": \"a\\\"\\\\\\/\\b\\f\\n\\r\\t\"}", &v),
			 STORE_JSON_OK);
	assert_int_equal(v->type, STORE_JSON_OBJECT);
	assert_int_equal(v->n, 4);
	a = store_json_get(v, "a");
	assert_int_equal(a->type, STORE_JSON_ARRAY);
	assert_int_equal(a->n, 5);
	assert_int_equal(a->items[1].type, STORE_JSON_NUMBER);
	assert_string_equal(a->items[1].text, "-2.5e+3");
	assert_true(a->items[2].type == STORE_JSON_BOOL && a->items[2].boolean);
	assert_int_equal(a->items[3].type, STORE_JSON_NULL);
	assert_string_equal(a->items[4].text, "x\xc3\xa9\xf0\x9f\x98\x80");
	assert_int_equal(a->items[4].text_len, 7);
	assert_true(store_json_to_u64(&a->items[0], &u));
	assert_int_equal(u, 1);
	assert_false(store_json_to_u64(&a->items[1], &u));
	assert_string_equal(store_json_get_str(v, "s"), "a\"\\/\b\f\n\r\t");
	assert_true(store_json_get_bool(v, "t", &b));
	assert_false(b);
	assert_false(store_json_get_bool(v, "a", &b));
	assert_int_equal(store_json_get(v, "b")->type, STORE_JSON_OBJECT);
	assert_null(store_json_get(v, "c"));
	assert_null(store_json_get_str(v, "a"));
	assert_null(store_json_get(a, "a"));	/* not an object */
	assert_null(store_json_get(NULL, "a"));
	store_json_free(v);
	store_json_free(NULL);
	/* Any value at the top; the four whitespace bytes around it. */
	assert_int_equal(parse(" \t\r\n\"only\" \n", &v), STORE_JSON_OK);
	assert_string_equal(v->text, "only");
	store_json_free(v);
	assert_int_equal(parse("\"\xe2\x82\xac raw UTF-8 \xf4\x8f\xbf\xbf\"",
			       &v), STORE_JSON_OK);
	store_json_free(v);
	/* Length-bounded: only len bytes are read, no NUL is needed. */
	assert_int_equal(store_json_parse("[1]garbage", 3, &v, NULL),
			 STORE_JSON_OK);
	store_json_free(v);
	/* Keys that differ only by case or a trailing byte are distinct. */
	assert_int_equal(parse("{\"a\":1,\"A\":2,\"ab\":3,\"\":4}", &v),
			 STORE_JSON_OK);
	assert_int_equal(v->n, 4);
	store_json_free(v);
}

static void
test_syntax(void **state)
{
	static const char *const cases[] = {
		"", " ", "{", "}", "[", "]", "{\"a\"}", "{\"a\":}", "{\"a\" 1}",
		"{\"a\":1,}", "[1,]", "[,1]", "{,}", "{1:2}", "{'a':1}",
		"\"abc", "\"\\", "\"\\x41\"", "\"\\u12\"", "\"\\u12\"\"",
		"\"\\uzzzz\"", "\"a\nb\"", "\"a\tb\"", "'a'",
		"tru", "nul", "True", "NaN", "Infinity", "-", "--1",
		"01", "-01", "1.", ".5", "+1", "1e", "1e+", "0x10", "1.e3",
		"\xef\xbb\xbf{}",		/* a byte order mark */
		"\v{}", "\f{}", "\xc2\xa0{}",	/* not JSON whitespace */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		refuse(cases[i], strlen(cases[i]), STORE_JSON_ERR_SYNTAX);
	/* An embedded NUL byte is a control character, also outside a
	 * string. */
	refuse("\"a\0b\"", 5, STORE_JSON_ERR_SYNTAX);
	refuse("{}\0", 3, STORE_JSON_ERR_SYNTAX);
	refuse(NULL, 1, STORE_JSON_ERR_SYNTAX);
}

/* Nothing after the value but whitespace. */
static void
test_trailing_bytes(void **state)
{
	static const char *const cases[] = {
		"{} x", "{}{}", "[1]]", "1 2", "\"a\" \"b\"", "true false",
		"null,", "{}\"", "0 0", "{\"a\":1}}", "[]\x80",
	};
	struct store_json_value *v;
	size_t i, off = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		refuse(cases[i], strlen(cases[i]), STORE_JSON_ERR_SYNTAX);
	/* The offset says where the garbage starts. */
	v = NULL;
	assert_int_equal(store_json_parse("{\"a\": 1}  x", 11, &v, &off),
			 STORE_JSON_ERR_SYNTAX);
	assert_null(v);
	assert_int_equal(off, 10);
	/* A number cut by the end of the buffer is a number. */
	assert_int_equal(store_json_parse("123", 2, &v, NULL), STORE_JSON_OK);
	assert_string_equal(v->text, "12");
	store_json_free(v);
}

static void
test_duplicate_keys(void **state)
{
	static const char *const cases[] = {
		"{\"a\":1,\"a\":2}",
		"{\"a\":1,\"a\":1}",			/* same value too */
		"{\"a\":1,\"b\":2,\"a\":{}}",
		"{\"\":1,\"\":2}",
		"{\"a\":{\"b\":1,\"b\":1}}",		/* nested */
		"[{\"a\":1},{\"b\":1,\"b\":2}]",	/* second of an array */
		"{\"\\u0061\":1,\"a\":2}",		/* equal once decoded */
		"{\"\\/\":1,\"/\":2}",
		"{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}",
		"{\"sha256\":\"x\",\"size\":1,\"sha256\":\"y\"}",
	};
	char *wide;
	size_t i, n = 0, off = 0;
	struct store_json_value *v;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		refuse(cases[i], strlen(cases[i]), STORE_JSON_ERR_DUPLICATE);
	/* The largest object allowed, its first key repeated last. */
	wide = malloc(16 * (STORE_JSON_MAX_MEMBERS + 2));
	assert_non_null(wide);
	wide[n++] = '{';
	for (i = 0; i < STORE_JSON_MAX_MEMBERS; i++)
		n += (size_t)sprintf(wide + n, "%s\"k%zu\":0", i ? "," : "",
				     i == STORE_JSON_MAX_MEMBERS - 1 ? 0 : i);
	wide[n++] = '}';
	v = NULL;
	assert_int_equal(store_json_parse(wide, n, &v, &off),
			 STORE_JSON_ERR_DUPLICATE);
	assert_null(v);
	assert_int_equal(off, n);	/* reported at the object's end */
	/* The same object with distinct keys is fine. */
	n = 0;
	wide[n++] = '{';
	for (i = 0; i < STORE_JSON_MAX_MEMBERS; i++)
		n += (size_t)sprintf(wide + n, "%s\"k%zu\":0", i ? "," : "", i);
	wide[n++] = '}';
	assert_int_equal(store_json_parse(wide, n, &v, NULL), STORE_JSON_OK);
	store_json_free(v);
	free(wide);
	/* Equal values under other keys, and equal keys in sibling
	 * objects, are not duplicates. */
	assert_int_equal(parse("[{\"a\":1},{\"a\":1}]", &v), STORE_JSON_OK);
	store_json_free(v);
}

static void
test_lone_surrogates(void **state)
{
	static const char *const cases[] = {
		"\"\\ud800\"",			/* high, end of string */
		"\"\\udbff x\"",		/* high, then a character */
		"\"\\udc00\"",			/* low alone */
		"\"\\udfff\\ud800\"",		/* a pair reversed */
		"\"\\ud800\\ud800\"",		/* high, high */
		"\"\\ud800\\u0041\"",		/* high, not a low */
		"\"\\ud800\\n\"",		/* high, another escape */
		"\"a\\ud83d\"",
		"{\"\\ud800\":1}",		/* in a key */
		"\"\\u0000\"", "\"a\\u0000b\"",	/* NUL: cuts C strings */
	};
	struct store_json_value *v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		refuse(cases[i], strlen(cases[i]), STORE_JSON_ERR_UTF8);
	/* A high surrogate cut by the end of the input. */
	refuse("\"\\ud800\\u", 9, STORE_JSON_ERR_SYNTAX);
	/* The pairs at both ends of the supplementary planes. */
	assert_int_equal(parse("[\"\\ud800\\udc00\", \"\\uDBFF\\uDFFF\"]", &v),
			 STORE_JSON_OK);
	assert_string_equal(v->items[0].text, "\xf0\x90\x80\x80");
	assert_string_equal(v->items[1].text, "\xf4\x8f\xbf\xbf");
	store_json_free(v);
	/* Escapes next to surrogates: U+D7FF and U+E000 are characters. */
	assert_int_equal(parse("\"\\ud7ff\\ue000\"", &v), STORE_JSON_OK);
	assert_string_equal(v->text, "\xed\x9f\xbf\xee\x80\x80");
	store_json_free(v);
}

static void
test_invalid_utf8(void **state)
{
	static const char *const cases[] = {
		"\"\xc0\xaf\"",			/* overlong '/' */
		"\"\xc1\xbf\"",			/* overlong DEL */
		"\"\xe0\x80\xaf\"",		/* overlong, 3 bytes */
		"\"\xe0\x9f\xbf\"",		/* overlong U+07FF */
		"\"\xf0\x80\x80\xaf\"",		/* overlong, 4 bytes */
		"\"\xf0\x8f\xbf\xbf\"",		/* overlong U+FFFF */
		"\"\xed\xa0\x80\"",		/* raw surrogate (CESU-8) */
		"\"\xed\xbf\xbf\"",
		"\"\xf4\x90\x80\x80\"",		/* above U+10FFFF */
		"\"\xf5\x80\x80\x80\"", "\"\xff\"", "\"\xfe\"",
		"\"\x80\"", "\"a\xbf\"",	/* lone continuation bytes */
		"\"\xe2\x82\"",			/* cut by the quote */
		"\"\xe2\x82x\"",		/* cut by a character */
		"{\"\xc0\xaf\":1}",		/* in a key */
		"[\"ok\", \"\xc0\xaf\"]",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		refuse(cases[i], strlen(cases[i]), STORE_JSON_ERR_UTF8);
	/* A sequence cut by the end of the input: unterminated. */
	refuse("\"\xe2\x82", 3, STORE_JSON_ERR_SYNTAX);
}

static void
test_deep_nesting(void **state)
{
	char deep[6 * STORE_JSON_MAX_DEPTH + 16];	/* {"a": per level */
	struct store_json_value *v;
	size_t i, n;

	(void)state;
	/* Exactly at the cap: arrays, and objects. */
	n = 0;
	for (i = 0; i < STORE_JSON_MAX_DEPTH; i++)
		deep[n++] = '[';
	for (i = 0; i < STORE_JSON_MAX_DEPTH; i++)
		deep[n++] = ']';
	assert_int_equal(store_json_parse(deep, n, &v, NULL), STORE_JSON_OK);
	store_json_free(v);
	/* One more level: refused as a limit, before the rest is read. */
	n = 0;
	for (i = 0; i < STORE_JSON_MAX_DEPTH + 1; i++)
		deep[n++] = '[';
	for (i = 0; i < STORE_JSON_MAX_DEPTH + 1; i++)
		deep[n++] = ']';
	refuse(deep, n, STORE_JSON_ERR_LIMIT);
	n = 0;
	for (i = 0; i < STORE_JSON_MAX_DEPTH + 1; i++) {
		memcpy(deep + n, "{\"a\":", 5);
		n += 5;
	}
	deep[n++] = '1';
	for (i = 0; i < STORE_JSON_MAX_DEPTH + 1; i++)
		deep[n++] = '}';
	refuse(deep, n, STORE_JSON_ERR_LIMIT);
	/* An unclosed deep prefix is a limit too, not a recursion. */
	memset(deep, '[', sizeof(deep));
	refuse(deep, sizeof(deep), STORE_JSON_ERR_LIMIT);
}

static void
test_huge_numbers(void **state)
{
	char lit[STORE_JSON_MAX_NUMBER + 2];
	struct store_json_value *v;
	uint64_t u = 7;
	int64_t s = 7;

	(void)state;
	/* The longest literal parses (as text); one more digit is a limit. */
	memset(lit, '9', sizeof(lit));
	assert_int_equal(store_json_parse(lit, STORE_JSON_MAX_NUMBER, &v, NULL),
			 STORE_JSON_OK);
	assert_false(store_json_to_u64(v, &u));
	assert_false(store_json_to_i64(v, &s));
	store_json_free(v);
	refuse(lit, STORE_JSON_MAX_NUMBER + 1, STORE_JSON_ERR_LIMIT);
	lit[0] = '-';
	refuse(lit, STORE_JSON_MAX_NUMBER + 1, STORE_JSON_ERR_LIMIT);
	/* Exact 64-bit bounds. */
	assert_int_equal(parse("[18446744073709551615, 18446744073709551616,"
			       " 9223372036854775807, 9223372036854775808,"
			       " -9223372036854775808, -9223372036854775809,"
			       " -0, 0, 1e999, 1.0, 1E2, -1]", &v),
			 STORE_JSON_OK);
	assert_true(store_json_to_u64(&v->items[0], &u));
	assert_true(u == UINT64_MAX);
	assert_false(store_json_to_i64(&v->items[0], &s));
	assert_false(store_json_to_u64(&v->items[1], &u));
	assert_true(store_json_to_i64(&v->items[2], &s));
	assert_true(s == INT64_MAX);
	assert_false(store_json_to_i64(&v->items[3], &s));
	assert_true(store_json_to_u64(&v->items[3], &u));
	assert_true(store_json_to_i64(&v->items[4], &s));
	assert_true(s == INT64_MIN);
	assert_false(store_json_to_i64(&v->items[5], &s));
	assert_true(store_json_to_i64(&v->items[6], &s));
	assert_int_equal(s, 0);
	assert_false(store_json_to_u64(&v->items[6], &u));	/* a sign */
	assert_true(store_json_to_u64(&v->items[7], &u));
	assert_int_equal(u, 0);
	/* Not integers as written: never rounded or truncated. */
	assert_false(store_json_to_u64(&v->items[8], &u));
	assert_false(store_json_to_i64(&v->items[9], &s));
	assert_false(store_json_to_u64(&v->items[10], &u));
	assert_true(store_json_to_i64(&v->items[11], &s));
	assert_int_equal(s, -1);
	assert_false(store_json_to_u64(&v->items[11], &u));
	/* Not numbers at all. */
	assert_false(store_json_to_u64(v, &u));
	assert_false(store_json_to_u64(NULL, &u));
	store_json_free(v);
	/* Members: absent, a string of digits, a number. */
	assert_int_equal(parse("{\"n\": 5, \"s\": \"5\"}", &v), STORE_JSON_OK);
	assert_true(store_json_get_u64(v, "n", &u));
	assert_int_equal(u, 5);
	assert_true(store_json_get_i64(v, "n", &s));
	assert_int_equal(s, 5);
	assert_false(store_json_get_u64(v, "s", &u));
	assert_false(store_json_get_i64(v, "x", &s));
	store_json_free(v);
}

static void
test_limits(void **state)
{
	char *wide;
	size_t i, n = 0;

	(void)state;
	/* One member over the cap. */
	wide = malloc(16 * (STORE_JSON_MAX_MEMBERS + 2));
	assert_non_null(wide);
	wide[n++] = '{';
	for (i = 0; i <= STORE_JSON_MAX_MEMBERS; i++)
		n += (size_t)sprintf(wide + n, "%s\"k%zu\":0", i ? "," : "", i);
	wide[n++] = '}';
	refuse(wide, n, STORE_JSON_ERR_LIMIT);
	free(wide);
	/* Input over the cap is refused before a byte is read. */
	refuse("{}", (size_t)STORE_JSON_MAX_INPUT + 1, STORE_JSON_ERR_LIMIT);
}

static void
test_only_keys(void **state)
{
	static const char *const allowed[] = {"a", "b", NULL};
	struct store_json_value *v;
	const char *bad = NULL;

	(void)state;
	assert_int_equal(parse("{\"a\": 1, \"b\": 2}", &v), STORE_JSON_OK);
	assert_true(store_json_only_keys(v, allowed, &bad));
	assert_null(bad);
	store_json_free(v);
	assert_int_equal(parse("{\"a\": 1, \"c\": 2}", &v), STORE_JSON_OK);
	assert_false(store_json_only_keys(v, allowed, &bad));
	assert_string_equal(bad, "c");
	store_json_free(v);
	assert_int_equal(parse("[]", &v), STORE_JSON_OK);
	assert_false(store_json_only_keys(v, allowed, NULL));
	store_json_free(v);
}

/* Every proper prefix of a document fails, and fails cleanly (ASan):
 * nothing is returned, nothing leaks. */
static void
test_truncated(void **state)
{
	const char *doc = "{\"mediaType\": \"x\", \"a\": [1, 2.5, \"\\u00e9\","
			  " {\"b\": null, \"c\": true}], \"d\": \"\xf0\x9f\x98"
			  "\x80\\ud83d\\ude00\", \"e\": -12e-3}";
	size_t n = strlen(doc), i;
	struct store_json_value *v;

	(void)state;
	for (i = 0; i < n; i++) {
		char *copy = malloc(i + 1);

		assert_non_null(copy);
		memcpy(copy, doc, i);
		v = NULL;
		assert_int_not_equal(store_json_parse(copy, i, &v, NULL),
				     STORE_JSON_OK);
		assert_null(v);
		free(copy);
	}
	assert_int_equal(store_json_parse(doc, n, &v, NULL), STORE_JSON_OK);
	store_json_free(v);
}

static void
test_strerror(void **state)
{
	(void)state;
	assert_string_equal(store_json_strerror(STORE_JSON_ERR_DUPLICATE),
			    "duplicate key in JSON object");
	assert_string_equal(store_json_strerror((enum store_json_status)99),
			    "unknown JSON error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_trailing_bytes),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_lone_surrogates),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_huge_numbers),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_only_keys),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
