/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_archive.c - unit tests of the libarchive-backed reader
 * (scanner/container/archive.c) on tar files built here: ustar and old V7
 * headers (no magic, only a valid checksum) whose member is a pickle, and
 * a tar cut inside a member, which is never clean.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "unit.h"

/* One tar header for a regular file; ustar adds the magic and version,
 * a V7 header has neither (its checksum is all that identifies it). */
static void
tar_header(uint8_t *h, const char *name, size_t size, bool ustar)
{
	unsigned sum = 0;
	int i;

	memset(h, 0, 512);
	snprintf((char *)h, 100, "%s", name);
	memcpy(h + 100, "0000644", 7);
	memcpy(h + 108, "0000000", 7);
	memcpy(h + 116, "0000000", 7);
	snprintf((char *)h + 124, 12, "%011zo", size);
	memcpy(h + 136, "00000000000", 11);
	h[156] = '0';
	if (ustar)
		memcpy(h + 257, "ustar\0" "00", 8);
	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
}

/* A one-member tar with its two zero end blocks; returns its length. */
static size_t
tar_one(uint8_t *buf, const char *name, const void *data, size_t len,
	bool ustar)
{
	memset(buf, 0, 4 * 512);
	tar_header(buf, name, len, ustar);
	memcpy(buf + 512, data, len);
	return 4 * 512;
}

static void
test_ustar_benign(void **state)
{
	uint8_t buf[4 * 512];
	size_t len = tar_one(buf, "model.pkl", unit_ok_pickle, UNIT_OK_LEN,
			     true);
	struct unit_scan r = unit_scan(buf, len, NULL);

	(void)state;
	assert_int_equal(r.verdict, PW_VERDICT_CLEAN);
	assert_string_equal(r.format, "tar");
}

static void
test_ustar_malicious(void **state)
{
	uint8_t buf[4 * 512];
	size_t len = tar_one(buf, "model.pkl", unit_mal_pickle, UNIT_MAL_LEN,
			     true);
	struct unit_scan r = unit_scan(buf, len, "model.pkl");

	(void)state;
	assert_int_equal(r.verdict, PW_VERDICT_MALICIOUS);
	assert_string_equal(r.format, "tar");
	assert_true(r.malicious_at_loc);
}

/* A V7 header: no "ustar" magic, tarfile and libarchive still read it. */
static void
test_v7_malicious(void **state)
{
	uint8_t buf[4 * 512];
	size_t len = tar_one(buf, "model.pkl", unit_mal_pickle, UNIT_MAL_LEN,
			     false);
	struct unit_scan r = unit_scan(buf, len, "model.pkl");

	(void)state;
	assert_int_equal(r.verdict, PW_VERDICT_MALICIOUS);
	assert_true(r.malicious_at_loc);
}

static void
test_v7_benign(void **state)
{
	uint8_t buf[4 * 512];
	size_t len = tar_one(buf, "model.pkl", unit_ok_pickle, UNIT_OK_LEN,
			     false);
	struct unit_scan r = unit_scan(buf, len, NULL);

	(void)state;
	assert_int_equal(r.verdict, PW_VERDICT_CLEAN);
	assert_string_equal(r.format, "tar");
}

/* A member that claims more bytes than the file holds. */
static void
test_tar_truncated_member(void **state)
{
	uint8_t buf[4 * 512];
	struct unit_scan r;

	(void)state;
	memset(buf, 0, sizeof(buf));
	tar_header(buf, "model.pkl", 5000, true);
	memcpy(buf + 512, unit_ok_pickle, UNIT_OK_LEN);
	r = unit_scan(buf, sizeof(buf), NULL);
	assert_int_not_equal(r.verdict, PW_VERDICT_CLEAN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ustar_benign),
		cmocka_unit_test(test_ustar_malicious),
		cmocka_unit_test(test_v7_benign),
		cmocka_unit_test(test_v7_malicious),
		cmocka_unit_test(test_tar_truncated_member),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
