/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_zip.c - unit tests of the zip reader (scanner/container/zip.c and
 * zip_layout.c) on stored zips built byte by byte: a benign torch-style
 * member is clean and labelled pytorch-zip, a malicious one is found at its member path, and a
 * zip whose central directory is cut or lies is never called clean.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "zip_build.h"

static void
test_zip_benign(void **state)
{
	const struct zip_member m[] = {
		{ "archive/data.pkl", unit_ok_pickle, UNIT_OK_LEN },
		{ "archive/version", "3\n", 2 },
	};
	uint8_t buf[512];
	size_t len = zip_build(buf, sizeof(buf), m, 2, 0);
	struct unit_scan r = unit_scan(buf, len, NULL);

	(void)state;
	assert_int_equal(r.verdict, PW_VERDICT_CLEAN);
	assert_string_equal(r.format, "pytorch-zip");
}

static void
test_zip_malicious_member(void **state)
{
	const struct zip_member m[] = {
		{ "archive/version", "3\n", 2 },
		{ "archive/data.pkl", unit_mal_pickle, UNIT_MAL_LEN },
	};
	uint8_t buf[512];
	size_t len = zip_build(buf, sizeof(buf), m, 2, 0);
	struct unit_scan r = unit_scan(buf, len, "archive/data.pkl");

	(void)state;
	assert_int_equal(r.verdict, PW_VERDICT_MALICIOUS);
	assert_string_equal(r.format, "pytorch-zip");
	assert_true(r.malicious_at_loc);
}

/* The central directory cut in the middle: the EOCD is gone, the members
 * cannot be listed the way zipfile lists them - not clean. */
static void
test_zip_truncated_cd(void **state)
{
	const struct zip_member m[] = {
		{ "archive/data.pkl", unit_ok_pickle, UNIT_OK_LEN },
	};
	uint8_t buf[512];
	size_t len = zip_build(buf, sizeof(buf), m, 1, 0);
	struct unit_scan r;

	(void)state;
	/* Drop the EOCD and half of the one central entry. */
	r = unit_scan(buf, len - 22 - 30, NULL);
	assert_int_not_equal(r.verdict, PW_VERDICT_CLEAN);
}

/* An EOCD whose central directory offset points past the file. */
static void
test_zip_cd_offset_out_of_range(void **state)
{
	const struct zip_member m[] = {
		{ "archive/data.pkl", unit_ok_pickle, UNIT_OK_LEN },
	};
	uint8_t buf[512];
	size_t len = zip_build(buf, sizeof(buf), m, 1, 0);
	struct unit_scan r;

	(void)state;
	unit_le32(buf + len - 22 + 16, 0x7fffff00u);
	r = unit_scan(buf, len, NULL);
	assert_int_not_equal(r.verdict, PW_VERDICT_CLEAN);
}

/* A malicious pickle under a name torch.load never reads is still
 * scanned: the verdict does not depend on member names. */
static void
test_zip_any_member_name(void **state)
{
	const struct zip_member m[] = {
		{ "notes/readme.bin", unit_mal_pickle, UNIT_MAL_LEN },
	};
	uint8_t buf[512];
	size_t len = zip_build(buf, sizeof(buf), m, 1, 0);
	struct unit_scan r = unit_scan(buf, len, "notes/readme.bin");

	(void)state;
	assert_int_equal(r.verdict, PW_VERDICT_MALICIOUS);
	assert_true(r.malicious_at_loc);
	/* No archive/data.pkl: a plain zip, not a torch checkpoint. */
	assert_string_equal(r.format, "zip");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zip_benign),
		cmocka_unit_test(test_zip_malicious_member),
		cmocka_unit_test(test_zip_truncated_cd),
		cmocka_unit_test(test_zip_cd_offset_out_of_range),
		cmocka_unit_test(test_zip_any_member_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
