/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_formats.c - small unit tests of the single-stream containers, each
 * on bytes built here: .npy (numeric arrays are data, object arrays are
 * pickles), safetensors (a checked header; nothing executes), and the
 * compressed wrappers (gzip, zlib: the payload is scanned like a file).
 * The zip, tar, legacy-torch, joblib and polyglot parsers have their own
 * unit tests (test_zip, test_archive, test_legacy, test_joblib,
 * test_polyglot); test_containers runs all of them on generated and real
 * files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "picklewarden.h"

/* os.system('true') at protocol 2. */
static const char mal_pickle[] =
	"\x80\x02" "cos\nsystem\n" "X\x04\x00\x00\x00true" "\x85R.";
#define MAL_LEN (sizeof(mal_pickle) - 1)

static enum pw_verdict
verdict_of(const void *buf, size_t len, const char **ret_format)
{
	struct pw_scanner *sc = NULL;
	struct pw_result *res = NULL;
	enum pw_verdict v;

	assert_int_equal(pw_scanner_new(NULL, &sc), PW_OK);
	assert_int_equal(pw_scan_buffer(sc, buf, len, &res), PW_OK);
	v = pw_result_verdict(res);
	if (ret_format != NULL) {
		static char fmt[32];

		snprintf(fmt, sizeof(fmt), "%s", pw_result_format(res));
		*ret_format = fmt;
	}
	pw_result_free(res);
	pw_scanner_free(sc);
	return v;
}

/* An .npy v1.0 file: magic, version, header padded to 128 bytes, data. */
static size_t
make_npy(uint8_t *out, const char *descr, const void *data, size_t dlen)
{
	char hdr[128];
	int n = snprintf(hdr, sizeof(hdr),
			 "{'descr': '%s', 'fortran_order': False, "
			 "'shape': (%s), }", descr,
			 strcmp(descr, "|O") == 0 ? "1," : "2,");
	size_t hlen = 128 - 10;

	assert_true(n > 0 && (size_t)n < hlen);
	memset(hdr + n, ' ', hlen - (size_t)n);
	hdr[hlen - 1] = '\n';
	memcpy(out, "\x93NUMPY\x01\x00", 8);
	out[8] = (uint8_t)hlen;
	out[9] = 0;
	memcpy(out + 10, hdr, hlen);
	memcpy(out + 128, data, dlen);
	return 128 + dlen;
}

static void
test_npy(void **state)
{
	uint8_t buf[256];
	const uint8_t nums[16] = {1, 0, 0, 0, 0, 0, 0, 0, 2};
	const char *fmt;
	size_t len;

	(void)state;
	len = make_npy(buf, "<i8", nums, sizeof(nums));
	assert_int_equal(verdict_of(buf, len, &fmt), PW_VERDICT_CLEAN);
	assert_string_equal(fmt, "numpy");
	/* An object array is a pickle after the header: scanned. */
	len = make_npy(buf, "|O", mal_pickle, MAL_LEN);
	assert_int_equal(verdict_of(buf, len, NULL), PW_VERDICT_MALICIOUS);
}

static void
test_safetensors(void **state)
{
	const char *json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],"
			   "\"data_offsets\":[0,4]}}";
	uint8_t buf[256];
	size_t jl = strlen(json);
	const char *fmt;

	(void)state;
	memset(buf, 0, sizeof(buf));
	buf[0] = (uint8_t)jl;
	memcpy(buf + 8, json, jl);
	assert_int_equal(verdict_of(buf, 8 + jl + 4, &fmt), PW_VERDICT_CLEAN);
	assert_string_equal(fmt, "safetensors");
	/* A claim is checked by parsing (issue 9): bytes past the tensors,
	 * or a header whose offsets do not tile the data, are no
	 * safetensors file - the label goes, the verdict stays clean. */
	assert_int_equal(verdict_of(buf, 8 + jl + 5, &fmt), PW_VERDICT_CLEAN);
	assert_string_equal(fmt, "unknown");
	buf[8 + jl - 4] = '8';	/* data_offsets [0,8] for 4 bytes of F32 */
	assert_int_equal(verdict_of(buf, 8 + jl + 8, &fmt), PW_VERDICT_CLEAN);
	assert_string_equal(fmt, "unknown");
}

static void
test_compressed(void **state)
{
	uint8_t z[256], g[256];
	uLongf zl = sizeof(z);
	z_stream s;
	const char *fmt;

	(void)state;
	/* zlib (joblib's raw zlib streams). */
	assert_int_equal(compress2(z, &zl, (const Bytef *)mal_pickle, MAL_LEN,
				   9), Z_OK);
	assert_int_equal(verdict_of(z, zl, NULL), PW_VERDICT_MALICIOUS);
	/* gzip of the same pickle. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(deflateInit2(&s, 9, Z_DEFLATED, 15 + 16, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	s.next_in = (Bytef *)(uintptr_t)mal_pickle;
	s.avail_in = MAL_LEN;
	s.next_out = g;
	s.avail_out = sizeof(g);
	assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
	assert_int_equal(verdict_of(g, s.total_out, &fmt),
			 PW_VERDICT_MALICIOUS);
	assert_string_equal(fmt, "gzip");
	/* Cut short: what was decoded is judged, the rest is not clean. */
	assert_int_not_equal(verdict_of(g, s.total_out / 2, NULL),
			     PW_VERDICT_CLEAN);
	deflateEnd(&s);
}

/* A ustar header for an empty-or-small regular file. */
static void
tar_header(uint8_t *h, const char *name, size_t size)
{
	unsigned sum = 0;
	int i;

	memset(h, 0, 512);
	snprintf((char *)h, 100, "%s", name);
	memcpy(h + 100, "0000644", 7);
	snprintf((char *)h + 124, 12, "%011zo", size);
	memcpy(h + 136, "00000000000", 11);
	h[156] = '0';
	memcpy(h + 257, "ustar\0" "00", 8);
	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
}

/* The loader's members first (issue 9): past max_members, the members
 * torch's legacy tar reader opens by name are still judged. */
static void
test_tar_loader_member_past_cap(void **state)
{
	static const char mal[] = "\x80\x02" "cposix\nsystem\n"
				  "X\x02\x00\x00\x00id\x85R.";
	size_t n = 20, len = (n + 2) * 512 + 1024, i;
	uint8_t *buf = calloc(1, len);
	struct pw_options *o = NULL;
	struct pw_scanner *sc = NULL;
	struct pw_result *res = NULL;
	char name[16];

	(void)state;
	assert_non_null(buf);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "x%zu", i);
		tar_header(buf + i * 512, name, 0);
	}
	tar_header(buf + n * 512, "pickle", sizeof(mal) - 1);
	memcpy(buf + (n + 1) * 512, mal, sizeof(mal) - 1);
	assert_int_equal(pw_options_new(&o), PW_OK);
	assert_int_equal(pw_options_set_limit(o, PW_LIMIT_MAX_MEMBERS, 5),
			 PW_OK);
	assert_int_equal(pw_scanner_new(o, &sc), PW_OK);
	assert_int_equal(pw_scan_buffer(sc, buf, len, &res), PW_OK);
	assert_int_equal(pw_result_verdict(res), PW_VERDICT_MALICIOUS);
	pw_result_free(res);
	pw_scanner_free(sc);
	pw_options_free(o);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_npy),
		cmocka_unit_test(test_safetensors),
		cmocka_unit_test(test_tar_loader_member_past_cap),
		cmocka_unit_test(test_compressed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
