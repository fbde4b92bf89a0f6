/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_numparse.c - the text numbers of protocol 0 as each CPython
 * unpickler reads them: where C's strtol (base 0, C strings) and Python's
 * int()/float() disagree, numparse must say so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pickle/numparse.h"

static struct num_verdict
parse(void (*fn)(const uint8_t *, size_t, struct num_verdict *),
      const char *s, size_t len)
{
	struct num_verdict v;

	memset(&v, 0, sizeof(v));
	fn((const uint8_t *)s, len, &v);
	return v;
}

static void
test_int(void **state)
{
	struct num_verdict v;

	(void)state;
	v = parse(numparse_int, "42", 2);
	assert_true(v.c_ok && v.py_ok);
	assert_int_equal(v.c_value, 42);
	assert_int_equal(v.py_value, 42);
	/* Both read base 0, with different rules: C falls back to Python's
	 * grammar when strtol stops early ("0o17"), but takes strtol's octal
	 * ("010" is 8) where int(s, 0) refuses a leading zero. */
	v = parse(numparse_int, "0x10", 4);
	assert_true(v.c_ok && v.py_ok);
	assert_int_equal(v.c_value, 16);
	v = parse(numparse_int, "0o17", 4);
	assert_true(v.c_ok && v.py_ok);
	assert_int_equal(v.py_value, 15);
	v = parse(numparse_int, "010", 3);
	assert_true(v.c_ok);
	assert_int_equal(v.c_value, 8);
	assert_false(v.py_ok);
	/* An embedded NUL: C stops at it, Python sees the whole line. */
	v = parse(numparse_int, "7\0" "9", 3);
	assert_true(v.c_ok != v.py_ok || v.c_value != v.py_value);
	/* Garbage is refused by both. */
	v = parse(numparse_int, "x", 1);
	assert_false(v.c_ok);
	assert_false(v.py_ok);
}

static void
test_long_float_index(void **state)
{
	struct num_verdict v;

	(void)state;
	v = parse(numparse_long, "123L", 4);
	assert_true(v.c_ok && v.py_ok);
	v = parse(numparse_float, "1.5", 3);
	assert_true(v.c_ok && v.py_ok);
	v = parse(numparse_float, "nope", 4);
	assert_false(v.c_ok || v.py_ok);
	v = parse(numparse_index, "5", 1);
	assert_true(v.c_ok && v.py_ok);
	assert_int_equal(v.c_value, 5);
	v = parse(numparse_index, "", 0);
	assert_false(v.c_ok && v.py_ok);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_long_float_index),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
