/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sniff.c - formats are decided from content, never from names:
 * each magic, pickles without a magic, and things that are not formats.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sniff.h"

static enum pw_format
sniff(const char *s, size_t len)
{
	return sniff_format((const uint8_t *)s, len, len);
}

static void
test_magics(void **state)
{
	(void)state;
	assert_int_equal(sniff("PK\003\004rest", 8), FMT_ZIP);
	assert_int_equal(sniff("\x93NUMPY\x01\x00", 8), FMT_NPY);
	assert_int_equal(sniff("\x1f\x8b\x08\x00", 4), FMT_GZIP);
	assert_int_equal(sniff("BZh91AY&SY", 10), FMT_BZIP2);
	assert_int_equal(sniff("\xfd" "7zXZ\0", 6), FMT_XZ);
	assert_int_equal(sniff("7z\xbc\xaf\x27\x1c", 6), FMT_7Z);
	assert_int_equal(sniff("\x28\xb5\x2f\xfd", 4), FMT_ZSTD);
	assert_int_equal(sniff("\x04\x22\x4d\x18", 4), FMT_LZ4);
}

static void
test_pickles_and_text(void **state)
{
	(void)state;
	/* Protocol 2+ pickles announce themselves. */
	assert_int_equal(sniff("\x80\x04\x95\x00", 4), FMT_PICKLE);
	assert_int_equal(sniff("\x80\x02]q\x00.", 6), FMT_PICKLE);
	/* Protocol 0: text opcodes, no magic. */
	assert_int_equal(sniff("(lp0\n.", 6), FMT_PICKLE);
	/* Empty input is nothing a loader runs. */
	assert_int_equal(sniff("", 0), FMT_UNKNOWN);
	/* Every format has a name. */
	assert_string_equal(format_name(FMT_PICKLE), "pickle");
	assert_string_equal(format_name(FMT_PYTORCH_ZIP), "pytorch-zip");
	assert_string_equal(format_name(FMT_UNKNOWN), "unknown");
}

/* Writes a tar checksum field as tarfile does ("%06o\0 "), over the
 * unsigned or the signed byte sum. */
static void
tar_seal(uint8_t *h, int sign)
{
	long sum = 256;
	int i;

	for (i = 0; i < 512; i++)
		if (i < 148 || i >= 156)
			sum += sign ? (long)(int8_t)h[i] : (long)h[i];
	memset(h + 148, 0, 8);
	snprintf((char *)h + 148, 8, "%06lo", sum);
	h[155] = ' ';
}

static void
test_tar_by_checksum(void **state)
{
	uint8_t h[512];

	(void)state;
	/* V7: a name, numeric fields, a valid checksum, no "ustar". */
	memset(h, 0, sizeof(h));
	memcpy(h, "pickle", 6);
	memcpy(h + 100, "0000644", 7);
	memcpy(h + 124, "00000000012", 11);
	tar_seal(h, 0);
	assert_true(sniff_tar_header(h, sizeof(h)));
	assert_int_equal(sniff_format(h, sizeof(h), 4096), FMT_TAR);
	/* One byte off: tarfile refuses it, so torch.load reads pickles. */
	h[3] ^= 1;
	assert_false(sniff_tar_header(h, sizeof(h)));
	/* The signed sum counts too (bytes over 0x7f in the name). */
	h[10] = 0xc3;
	tar_seal(h, 1);
	assert_true(sniff_tar_header(h, sizeof(h)));
	/* A numeric field that int(s, 8) refuses fails the header. */
	memcpy(h + 108, "9", 1);
	tar_seal(h, 0);
	assert_false(sniff_tar_header(h, sizeof(h)));
	/* An all-zero block is an empty archive: refused at offset 0. */
	memset(h, 0, sizeof(h));
	assert_false(sniff_tar_header(h, sizeof(h)));
	/* Fewer than 512 bytes are never a tar. */
	assert_false(sniff_tar_header(h, 511));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_magics),
		cmocka_unit_test(test_pickles_and_text),
		cmocka_unit_test(test_tar_by_checksum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
