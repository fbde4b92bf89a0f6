/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_stop.c - a scan can be stopped: the caller's abort flag and
 * deadline (absolute, or a per-scan timeout) end a scan between opcodes and
 * between container members, with an error verdict and a limit finding
 * naming why; unset, they change nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <zlib.h>

#include "picklewarden.h"

/* PROTO 2, EMPTY_LIST, then n x (NONE, APPEND), STOP: 2n+3 opcodes of
 * clean pickle, enough to take far longer than a millisecond. */
static uint8_t *
long_pickle(size_t n, size_t *ret_len)
{
	size_t len = 2 + 1 + 2 * n + 1, i;
	uint8_t *p = malloc(len);

	assert_non_null(p);
	p[0] = 0x80;
	p[1] = 2;
	p[2] = ']';
	for (i = 0; i < n; i++) {
		p[3 + 2 * i] = 'N';
		p[4 + 2 * i] = 'a';
	}
	p[len - 1] = '.';
	*ret_len = len;
	return p;
}

static struct pw_result *
scan_with(struct pw_options *o, const uint8_t *p, size_t len)
{
	struct pw_scanner *sc = NULL;
	struct pw_result *res = NULL;

	assert_int_equal(pw_scanner_new(o, &sc), PW_OK);
	assert_int_equal(pw_scan_buffer(sc, p, len, &res), PW_OK);
	pw_scanner_free(sc);
	return res;
}

/* True when a limit finding's reason contains `word`. */
static bool
has_limit(const struct pw_result *res, const char *word)
{
	size_t i;

	for (i = 0; i < pw_result_finding_count(res); i++) {
		const struct pw_finding *f = pw_result_finding(res, i);

		if (f->kind == PW_KIND_LIMIT && strstr(f->reason, word))
			return true;
	}
	return false;
}

static void
test_unset_changes_nothing(void **state)
{
	static volatile int flag;
	struct pw_options *o = NULL;
	struct pw_result *res;
	size_t len;
	uint8_t *p = long_pickle(100000, &len);

	(void)state;
	assert_int_equal(pw_options_new(&o), PW_OK);
	assert_int_equal(pw_options_set_abort_flag(o, &flag), PW_OK);
	assert_int_equal(pw_options_set_timeout_ms(o, 600000), PW_OK);
	res = scan_with(o, p, len);
	assert_int_equal(pw_result_verdict(res), PW_VERDICT_CLEAN);
	assert_int_equal(pw_result_opcodes(res), 2 * 100000 + 3);
	pw_result_free(res);
	pw_options_free(o);
	free(p);
}

static void
test_abort_flag(void **state)
{
	static volatile int flag = 1;
	struct pw_options *o = NULL;
	struct pw_result *res;
	size_t len;
	uint8_t *p = long_pickle(100000, &len);

	(void)state;
	assert_int_equal(pw_options_new(&o), PW_OK);
	assert_int_equal(pw_options_set_abort_flag(o, &flag), PW_OK);
	res = scan_with(o, p, len);
	assert_int_equal(pw_result_verdict(res), PW_VERDICT_ERROR);
	assert_true(has_limit(res, "abort"));
	assert_true(pw_result_opcodes(res) < 100000);
	pw_result_free(res);
	pw_options_free(o);
	free(p);
}

static void
test_deadline_past(void **state)
{
	struct pw_options *o = NULL;
	struct pw_result *res;
	struct timespec ts;
	size_t len;
	uint8_t *p = long_pickle(1000, &len);

	(void)state;
	assert_int_equal(pw_options_new(&o), PW_OK);
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	assert_int_equal(pw_options_set_deadline(o, &ts), PW_OK);
	res = scan_with(o, p, len);
	assert_int_equal(pw_result_verdict(res), PW_VERDICT_ERROR);
	assert_true(has_limit(res, "deadline"));
	pw_result_free(res);
	ts.tv_nsec = 1000000000L;
	assert_int_equal(pw_options_set_deadline(o, &ts), PW_ERR_INVALID);
	assert_int_equal(pw_options_set_deadline(o, NULL), PW_OK);
	res = scan_with(o, p, len);
	assert_int_equal(pw_result_verdict(res), PW_VERDICT_CLEAN);
	pw_result_free(res);
	pw_options_free(o);
	free(p);
}

/* A timeout stops a long pickle in the middle, between opcodes. */
static void
test_timeout_mid_pickle(void **state)
{
	struct pw_options *o = NULL;
	struct pw_result *res;
	size_t len, n = 8u << 20;	/* 16 M opcodes: far over 1 ms */
	uint8_t *p = long_pickle(n, &len);

	(void)state;
	assert_int_equal(pw_options_new(&o), PW_OK);
	assert_int_equal(pw_options_set_timeout_ms(o, 1), PW_OK);
	res = scan_with(o, p, len);
	assert_int_equal(pw_result_verdict(res), PW_VERDICT_ERROR);
	assert_true(has_limit(res, "deadline"));
	assert_true(pw_result_opcodes(res) > 0);
	assert_true(pw_result_opcodes(res) < 2 * n);
	pw_result_free(res);
	pw_options_free(o);
	free(p);
}

static void
put_le(uint8_t *z, size_t *len, uint32_t v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		z[(*len)++] = (uint8_t)(v >> (8 * i));
}

/* A stored zip of `members` members m<i>.pkl holding `data`. */
static uint8_t *
make_zip(unsigned members, const uint8_t *data, size_t dlen, size_t *ret_len)
{
	size_t cap = members * (100 + dlen) + 100, len = 0, cd_start, cd_size;
	uint8_t *z = calloc(1, cap);
	size_t *offs = calloc(members, sizeof(*offs));
	unsigned i;

	assert_non_null(z);
	assert_non_null(offs);
#define U16(v) put_le(z, &len, (uint32_t)(v), 2)
#define U32(v) put_le(z, &len, (uint32_t)(v), 4)
	for (i = 0; i < members; i++) {
		char name[16];
		size_t nl = (size_t)snprintf(name, sizeof(name), "m%u.pkl", i);
		uint32_t crc = (uint32_t)crc32(0L, data, (uInt)dlen);

		offs[i] = len;
		U32(0x04034b50); U16(20); U16(0); U16(0); U16(0); U16(0);
		U32(crc); U32(dlen); U32(dlen); U16(nl); U16(0);
		memcpy(z + len, name, nl); len += nl;
		memcpy(z + len, data, dlen); len += dlen;
	}
	cd_start = len;
	for (i = 0; i < members; i++) {
		char name[16];
		size_t nl = (size_t)snprintf(name, sizeof(name), "m%u.pkl", i);

		U32(0x02014b50); U16(20); U16(20); U16(0); U16(0); U16(0);
		U16(0); U32(crc32(0L, data, (uInt)dlen)); U32(dlen); U32(dlen);
		U16(nl); U16(0); U16(0);
		U16(0); U16(0); U32(0); U32(offs[i]);
		memcpy(z + len, name, nl); len += nl;
	}
	cd_size = len - cd_start;
	U32(0x06054b50); U16(0); U16(0); U16(members); U16(members);
	U32(cd_size); U32(cd_start); U16(0);
#undef U16
#undef U32
	free(offs);
	*ret_len = len;
	return z;
}

/* Through a container: 16 members of 128 K opcodes each; with a 1 ms
 * timeout the scan stops inside a member or before entering the next one
 * (the opcode count is cumulative, so which one depends on the machine),
 * and the members after it are never scanned. */
static void
test_timeout_between_members(void **state)
{
	struct pw_options *o = NULL;
	struct pw_result *res;
	size_t plen, zlen;
	uint8_t *p = long_pickle(1u << 16, &plen);
	uint8_t *z = make_zip(16, p, plen, &zlen);

	(void)state;
	assert_int_equal(pw_options_new(&o), PW_OK);
	res = scan_with(o, z, zlen);
	assert_int_not_equal(pw_result_verdict(res), PW_VERDICT_ERROR);
	assert_true(pw_result_opcodes(res) >= 16u * (1u << 17));
	pw_result_free(res);
	assert_int_equal(pw_options_set_timeout_ms(o, 1), PW_OK);
	res = scan_with(o, z, zlen);
	assert_int_equal(pw_result_verdict(res), PW_VERDICT_ERROR);
	assert_true(has_limit(res, "deadline"));
	assert_true(pw_result_opcodes(res) < 16u * (1u << 17));
	pw_result_free(res);
	pw_options_free(o);
	free(z);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unset_changes_nothing),
		cmocka_unit_test(test_abort_flag),
		cmocka_unit_test(test_deadline_past),
		cmocka_unit_test(test_timeout_mid_pickle),
		cmocka_unit_test(test_timeout_between_members),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
