/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the signature code's encoders (agent/signing/sig_encode.c):
 * base64, path normalisation, and the two DSSE PAE forms against vectors
 * computed with the reference's Python expressions.  The strict JSON reader
 * that reads bundles is the agent's one, tested in
 * tests/store/test_json_reader.c.
 */
#include "config.h"

#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/signing/sig_bundle.h"
#include "agent/signing/sig_encode.h"

static void
base64(void **state)
{
	unsigned char *out;
	size_t n;

	(void)state;
	assert_int_equal(sig_b64_decode("aGk=", 4, &out, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "hi", 2);
	free(out);
	assert_int_equal(sig_b64_decode("aGk", 3, &out, &n), 0); /* no pad */
	free(out);
	assert_int_equal(sig_b64_decode("-_8=", 4, &out, &n), 0); /* URL */
	assert_int_equal(out[0], 0xfb);
	free(out);
	assert_int_equal(sig_b64_decode("a", 1, &out, &n), -1);
	assert_int_equal(sig_b64_decode("aGk==", 5, &out, &n), -1);
	assert_int_equal(sig_b64_decode("a=Gk", 4, &out, &n), -1);
	assert_int_equal(sig_b64_decode("aG k", 4, &out, &n), -1);
	assert_int_equal(sig_b64_decode("", 0, &out, &n), 0);
	assert_int_equal(n, 0);
	free(out);
}

/* Vectors: pae(b'{"a": 1}\n') and pae_compat() of two payloads from
 * sign_sigstore_pb.py, evaluated with Debian's Python 3.11. */
static void
check_pae(bool compat, const char *payload, size_t len, const char *want)
{
	unsigned char *p;
	size_t n;

	p = compat ? sig_pae_compat("application/vnd.in-toto+json",
				    (const unsigned char *)payload, len, &n)
		   : sig_pae("application/vnd.in-toto+json",
			     (const unsigned char *)payload, len, &n);
	assert_non_null(p);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(p, want, n);
	free(p);
}

static void
pae(void **state)
{
	(void)state;
	check_pae(false, "{\"a\": 1}\n", 9,
		  "DSSEv1 28 application/vnd.in-toto+json 9 {\"a\": 1}\n");
	check_pae(false, "", 0, "DSSEv1 28 application/vnd.in-toto+json 0 ");
	/* b"it's\t\x00\xff\\x": a ' and no " switches to double quotes. */
	check_pae(true, "it's\t\0\xff\\x", 9,
		  "DSSEV1 28 application/vnd.in-toto+json 9 "
		  "b\"it's\\t\\x00\\xff\\\\x\"");
	/* b'\'"\n\r\x7f': both quotes keep single quotes, ' escaped. */
	check_pae(true, "'\"\n\r\x7f", 5,
		  "DSSEV1 28 application/vnd.in-toto+json 5 "
		  "b'\\'\"\\n\\r\\x7f'");
}

static void
paths(void **state)
{
	static const char *const cases[][2] = {
		{"a/b", "a/b"}, {"./a//b/", "a/b"}, {"", "."}, {".", "."},
		{"a/./b/.", "a/b"}, {"../x", "../x"}, {"/etc/x", "/etc/x"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *n = sig_path_normalise(cases[i][0]);

		assert_non_null(n);
		assert_string_equal(n, cases[i][1]);
		free(n);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(base64),
		cmocka_unit_test(pae),
		cmocka_unit_test(paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
