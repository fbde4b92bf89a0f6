/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_polyglot.c - unit tests of the polyglot finder
 * (scanner/container/polyglot.c): a file that does not start with PK\3\4
 * but ends with a zip.  torch.load unpickles the head, zip tools see the
 * archive; both parts are scanned and the file is never called clean.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "zip_build.h"

/* head followed by a stored zip of one archive/data.pkl member holding
 * body; the zip's offsets count from its own start, as a zip cat'ed onto
 * another file has them.  Returns the length; *ret_start the zip's. */
static size_t
polyglot(uint8_t *buf, size_t cap, const void *head, size_t hlen,
	 const void *body, size_t blen, size_t *ret_start)
{
	const struct zip_member m[] = {
		{ "archive/data.pkl", body, blen },
	};

	assert_true(hlen < cap);
	memcpy(buf, head, hlen);
	*ret_start = hlen;
	return hlen + zip_build(buf + hlen, cap - hlen, m, 1, 0);
}

/* Both parts benign: still two readers see two files - suspicious. */
static void
test_pickle_then_zip_benign(void **state)
{
	uint8_t buf[512];
	size_t start, len = polyglot(buf, sizeof(buf), unit_ok_pickle,
				     UNIT_OK_LEN, unit_ok_pickle, UNIT_OK_LEN,
				     &start);
	struct unit_scan r = unit_scan(buf, len, NULL);

	(void)state;
	assert_int_equal(r.verdict, PW_VERDICT_SUSPICIOUS);
	/* The zip alone is clean: the polyglot finding makes the verdict. */
	r = unit_scan(buf + start, len - start, NULL);
	assert_int_equal(r.verdict, PW_VERDICT_CLEAN);
}

/* The payload in the appended zip, which torch.load never opens but
 * zip-based loaders do: found, at its member inside the embedded zip
 * ("[zip@OFFSET]!archive/data.pkl"). */
static void
test_pickle_then_zip_malicious_member(void **state)
{
	uint8_t buf[512];
	char loc[64];
	size_t start, len = polyglot(buf, sizeof(buf), unit_ok_pickle,
				     UNIT_OK_LEN, unit_mal_pickle,
				     UNIT_MAL_LEN, &start);
	struct unit_scan r;

	(void)state;
	snprintf(loc, sizeof(loc), "[zip@%zu]!archive/data.pkl", start);
	r = unit_scan(buf, len, loc);
	assert_int_equal(r.verdict, PW_VERDICT_MALICIOUS);
	assert_true(r.malicious_at_loc);
}

/* The payload in the head, which torch.load unpickles. */
static void
test_malicious_pickle_then_zip(void **state)
{
	uint8_t buf[512];
	size_t start, len = polyglot(buf, sizeof(buf), unit_mal_pickle,
				     UNIT_MAL_LEN, unit_ok_pickle,
				     UNIT_OK_LEN, &start);
	struct unit_scan r = unit_scan(buf, len, NULL);

	(void)state;
	assert_int_equal(r.verdict, PW_VERDICT_MALICIOUS);
}

/* A zip at the end of a file that is no pickle at all. */
static void
test_zip_at_end_of_text(void **state)
{
	static const char text[] = "# just a text file\nnothing here\n";
	uint8_t buf[512];
	char loc[64];
	size_t start, len = polyglot(buf, sizeof(buf), text,
				     sizeof(text) - 1, unit_mal_pickle,
				     UNIT_MAL_LEN, &start);
	struct unit_scan r;

	(void)state;
	snprintf(loc, sizeof(loc), "[zip@%zu]!archive/data.pkl", start);
	r = unit_scan(buf, len, loc);
	assert_int_equal(r.verdict, PW_VERDICT_MALICIOUS);
	assert_true(r.malicious_at_loc);
	len = polyglot(buf, sizeof(buf), text, sizeof(text) - 1,
		       unit_ok_pickle, UNIT_OK_LEN, &start);
	r = unit_scan(buf, len, NULL);
	assert_int_equal(r.verdict, PW_VERDICT_SUSPICIOUS);
}

/* A comment that does not reach the end of the file is no EOCD: bytes
 * after the zip leave no zip to find, and no polyglot finding. */
static void
test_eocd_not_at_end(void **state)
{
	static const char text[] = "# just a text file\n";
	uint8_t buf[512];
	size_t start, len = polyglot(buf, sizeof(buf), text,
				     sizeof(text) - 1, unit_ok_pickle,
				     UNIT_OK_LEN, &start);
	struct unit_scan r;

	(void)state;
	memset(buf + len, 'x', 4);
	r = unit_scan(buf, len, NULL);
	assert_int_equal(r.verdict, PW_VERDICT_SUSPICIOUS);
	r = unit_scan(buf, len + 4, NULL);
	assert_int_not_equal(r.verdict, PW_VERDICT_SUSPICIOUS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pickle_then_zip_benign),
		cmocka_unit_test(test_pickle_then_zip_malicious_member),
		cmocka_unit_test(test_malicious_pickle_then_zip),
		cmocka_unit_test(test_zip_at_end_of_text),
		cmocka_unit_test(test_eocd_not_at_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
