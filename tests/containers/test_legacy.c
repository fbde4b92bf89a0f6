/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_legacy.c - unit tests of torch.save's legacy (non-zip) format
 * (scanner/container/legacy.c) on files built here: the magic-number
 * pickle, the protocol version, sys_info, the data pickle declaring a
 * storage by persistent id, the storage keys, then the raw storage bytes,
 * which are skipped by their declared size and never read as opcodes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "unit.h"

/* 0x1950a86a20f9469cfc6c as LONG1 writes it. */
static const char magic_pickle[] =
	"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.";
static const char proto_1001[] = "\x80\x02M\xe9\x03.";
static const char proto_1000[] = "\x80\x02M\xe8\x03.";
static const char sys_info[] = "\x80\x02}.";
/* persistent id ('storage', torch.FloatStorage, '0', 'cpu', 2). */
static const char data_pickle[] =
	"\x80\x02(X\x07\x00\x00\x00storage" "ctorch\nFloatStorage\n"
	"X\x01\x00\x00\x00" "0" "X\x03\x00\x00\x00" "cpu" "K\x02tQ.";
static const char keys_pickle[] = "\x80\x02]X\x01\x00\x00\x00" "0" "a.";
/* numel 2, then 2 * 4 raw float bytes that read like a GLOBAL opcode:
 * only a scanner that unpickles raw storage would see it. */
static const char storage[] =
	"\x02\x00\x00\x00\x00\x00\x00\x00" "cos\nsys\n";

static size_t
put(uint8_t *buf, size_t off, const char *s, size_t n)
{
	memcpy(buf + off, s, n);
	return off + n;
}
#define PUT(buf, off, s) put(buf, off, s, sizeof(s) - 1)

/* The whole stack, with data as the fourth pickle and proto as the
 * second; returns the length. */
static size_t
legacy_file(uint8_t *buf, const char *proto, size_t plen, const char *data,
	    size_t dlen)
{
	size_t off = 0;

	off = PUT(buf, off, magic_pickle);
	off = put(buf, off, proto, plen);
	off = PUT(buf, off, sys_info);
	off = put(buf, off, data, dlen);
	off = PUT(buf, off, keys_pickle);
	off = PUT(buf, off, storage);
	return off;
}

static void
test_legacy_benign(void **state)
{
	uint8_t buf[512];
	size_t len = legacy_file(buf, proto_1001, sizeof(proto_1001) - 1,
				 data_pickle, sizeof(data_pickle) - 1);
	struct unit_scan r = unit_scan(buf, len, NULL);

	(void)state;
	assert_int_equal(r.verdict, PW_VERDICT_CLEAN);
	assert_string_equal(r.format, "legacy-torch");
}

static void
test_legacy_malicious_data(void **state)
{
	uint8_t buf[512];
	size_t len = legacy_file(buf, proto_1001, sizeof(proto_1001) - 1,
				 unit_mal_pickle, UNIT_MAL_LEN);
	struct unit_scan r = unit_scan(buf, len, NULL);

	(void)state;
	assert_int_equal(r.verdict, PW_VERDICT_MALICIOUS);
	assert_string_equal(r.format, "legacy-torch");
}

/* A pickle after the last storage: torch.load never reads it, another
 * reader of the stack might - it is scanned. */
static void
test_legacy_trailing_pickle(void **state)
{
	uint8_t buf[512];
	size_t len = legacy_file(buf, proto_1001, sizeof(proto_1001) - 1,
				 data_pickle, sizeof(data_pickle) - 1);
	struct unit_scan r;

	(void)state;
	len = put(buf, len, unit_mal_pickle, UNIT_MAL_LEN);
	r = unit_scan(buf, len, NULL);
	assert_int_equal(r.verdict, PW_VERDICT_MALICIOUS);
}

/* A protocol version torch.load rejects: the rest is still scanned as
 * pickles, so the malicious data pickle is found. */
static void
test_legacy_bad_protocol(void **state)
{
	uint8_t buf[512];
	size_t len = legacy_file(buf, proto_1000, sizeof(proto_1000) - 1,
				 unit_mal_pickle, UNIT_MAL_LEN);
	struct unit_scan r = unit_scan(buf, len, NULL);

	(void)state;
	assert_int_equal(r.verdict, PW_VERDICT_MALICIOUS);
}

/* The protocol-version pickle calling os.system instead of holding
 * 1001: torch.load runs it, so it is malicious. */
static void
test_legacy_protocol_does_more(void **state)
{
	uint8_t buf[512];
	size_t len = legacy_file(buf, unit_mal_pickle, UNIT_MAL_LEN,
				 data_pickle, sizeof(data_pickle) - 1);
	struct unit_scan r = unit_scan(buf, len, NULL);

	(void)state;
	assert_int_equal(r.verdict, PW_VERDICT_MALICIOUS);
	assert_string_equal(r.format, "legacy-torch");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_legacy_benign),
		cmocka_unit_test(test_legacy_malicious_data),
		cmocka_unit_test(test_legacy_trailing_pickle),
		cmocka_unit_test(test_legacy_bad_protocol),
		cmocka_unit_test(test_legacy_protocol_does_more),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
