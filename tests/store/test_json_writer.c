/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_json_writer.c - the record writer (agent/store/json_writer.c) and
 * the agent's UTF-8 and hex helpers (agent/store/utf8.c, hex.c): exact
 * layout, misuse
 * refused, and a round trip through the strict reader for strings that
 * need escaping.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/store/hex.h"
#include "agent/store/json_reader.h"
#include "agent/store/json_writer.h"
#include "agent/store/utf8.h"

static void
test_layout(void **state)
{
	struct store_json_writer *w = store_json_writer_new();
	char *buf = NULL;
	size_t len = 0;

	(void)state;
	assert_non_null(w);
	store_json_object_begin(w);
	store_json_member_u64(w, "a", 1);
	store_json_member_str(w, "b", NULL);
	store_json_key(w, "empty");
	store_json_array_begin(w);
	store_json_array_end(w);
	store_json_key(w, "list");
	store_json_array_begin(w);
	store_json_object_begin(w);
	store_json_member_i64(w, "x", -2);
	store_json_member_str(w, "y", "z");
	store_json_object_end(w);
	store_json_object_begin(w);
	store_json_object_end(w);
	store_json_array_end(w);
	store_json_key(w, "hex");
	store_json_hex(w, "\x01\xff", 2);
	store_json_object_end(w);
	assert_int_equal(store_json_writer_finish(w, &buf, &len), 0);
	assert_string_equal(buf,
		"{\n"
		"  \"a\": 1,\n"
		"  \"b\": null,\n"
		"  \"empty\": [],\n"
		"  \"list\": [\n"
		"    {\"x\": -2, \"y\": \"z\"},\n"
		"    {}\n"
		"  ],\n"
		"  \"hex\": \"01ff\"\n"
		"}\n");
	assert_int_equal(len, strlen(buf));
	free(buf);
}

/* Each misuse makes finish fail with EINVAL and hand back nothing. */
static void
test_misuse(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 6; i++) {
		struct store_json_writer *w = store_json_writer_new();
		char *buf = NULL;
		size_t len = 0;
		int d;

		assert_non_null(w);
		switch (i) {
		case 0:		/* nothing written */
			break;
		case 1:		/* a value where a key is due */
			store_json_object_begin(w);
			store_json_u64(w, 1);
			store_json_object_end(w);
			break;
		case 2:		/* unbalanced */
			store_json_array_begin(w);
			break;
		case 3:		/* wrong closer */
			store_json_array_begin(w);
			store_json_object_end(w);
			break;
		case 4:		/* two top-level values */
			store_json_u64(w, 1);
			store_json_u64(w, 2);
			break;
		case 5:		/* too deep */
			for (d = 0; d <= STORE_JSON_WRITER_MAX_DEPTH; d++)
				store_json_array_begin(w);
			for (d = 0; d <= STORE_JSON_WRITER_MAX_DEPTH; d++)
				store_json_array_end(w);
			break;
		}
		errno = 0;
		assert_int_equal(store_json_writer_finish(w, &buf, &len), -1);
		assert_int_equal(errno, EINVAL);
		assert_null(buf);
	}
	store_json_writer_free(NULL);
}

/* Strings that need escaping come back from the strict reader as written:
 * whatever a hostile file puts in a path or a finding, the writer emits
 * nothing the reader refuses (bidi controls and tag characters become
 * \u escapes, tags as surrogate pairs). */
static void
test_round_trip(void **state)
{
	static const char *const strs[] = {
		"plain", "quote\" back\\slash", "nl\ntab\tbell\a",
		"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x8d", "del\x7f",
		"rlo\xe2\x80\xae tag\xf3\xa0\x80\x81 zwsp\xe2\x80\x8b",
		"\x01\x1f\r\b\f",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		struct store_json_writer *w = store_json_writer_new();
		struct store_json_value *v;
		char *buf = NULL;
		size_t len = 0;

		store_json_object_begin(w);
		store_json_member_str(w, "s", strs[i]);
		store_json_object_end(w);
		assert_int_equal(store_json_writer_finish(w, &buf, &len), 0);
		v = NULL;
		assert_int_equal(store_json_parse(buf, len, &v, NULL),
				 STORE_JSON_OK);
		assert_string_equal(store_json_get_str(v, "s"), strs[i]);
		store_json_free(v);
		free(buf);
	}
}

/* Bytes that are not UTF-8 (overlong forms, CESU-8 surrogates, cut
 * sequences) are written as \u00HH: the reader accepts the record and
 * reads U+00HH, which is why records also keep the path as hex. */
static void
test_round_trip_invalid_utf8(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"a\xff" "b", "a\xc3\xbf" "b"},
		{"\xc0\xaf", "\xc3\x80\xc2\xaf"},
		{"\xed\xa0\x80", "\xc3\xad\xc2\xa0\xc2\x80"},
		{"cut\xe2\x82", "cut\xc3\xa2\xc2\x82"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct store_json_writer *w = store_json_writer_new();
		struct store_json_value *v = NULL;
		char *buf = NULL;
		size_t len = 0;

		store_json_object_begin(w);
		store_json_member_str(w, "s", cases[i].in);
		store_json_object_end(w);
		assert_int_equal(store_json_writer_finish(w, &buf, &len), 0);
		assert_int_equal(store_json_parse(buf, len, &v, NULL),
				 STORE_JSON_OK);
		assert_string_equal(store_json_get_str(v, "s"), cases[i].out);
		store_json_free(v);
		free(buf);
	}
}

static void
test_utf8(void **state)
{
	static const unsigned cps[] = {0x1, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff,
				       0xe000, 0xffff, 0x10000, 0x10ffff};
	static const char *const bad[] = {
		"\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
		"\xf8", "\x80", "\xe2\x82",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
		char out[STORE_UTF8_MAX_LEN + 1] = {0};
		size_t n = store_utf8_encode(out, cps[i]);

		assert_true(n >= 1 && n <= STORE_UTF8_MAX_LEN);
		assert_int_equal(
			store_utf8_valid_len((const unsigned char *)out), n);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(
			store_utf8_valid_len((const unsigned char *)bad[i]), 0);
		assert_int_equal(store_utf8_valid_len_n(
			(const unsigned char *)bad[i], strlen(bad[i])), 0);
	}
	/* The bounded form stops at n, not at a NUL: a sequence the buffer
	 * cuts is invalid even when the bytes after it would complete it. */
	assert_int_equal(store_utf8_valid_len_n(
		(const unsigned char *)"\xe2\x82\xac", 3), 3);
	assert_int_equal(store_utf8_valid_len_n(
		(const unsigned char *)"\xe2\x82\xac", 2), 0);
	assert_int_equal(store_utf8_valid_len_n(
		(const unsigned char *)"\xf0\x9f\x90\x8d", 3), 0);
	assert_int_equal(store_utf8_valid_len_n((const unsigned char *)"a", 1),
			 1);
}

/* Digits only, both cases; what sscanf("%x") also takes is refused. */
static void
test_hex(void **state)
{
	static const char *const bad[] = {"+f", " f", "-1", "0x", "g0", "f",
					  "\xff0", "0\0"};
	unsigned char out[4];
	size_t i;

	(void)state;
	assert_true(store_hex_decode("00fFa9", 6, out));
	assert_memory_equal(out, "\x00\xff\xa9", 3);
	assert_true(store_hex_decode("", 0, out));
	assert_true(store_hex_decode("abZZ", 2, out));	/* only n digits */
	assert_int_equal(out[0], 0xab);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (store_hex_decode(bad[i], 2, out))
			fail_msg("accepted \"%s\"", bad[i]);
	assert_false(store_hex_decode("abc", 3, out));	/* odd */
	assert_int_equal(store_hex_digit('7'), 7);
	assert_int_equal(store_hex_digit('D'), 13);
	assert_int_equal(store_hex_digit(':'), -1);
	assert_int_equal(store_hex_digit('G'), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_round_trip_invalid_utf8),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_hex),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
