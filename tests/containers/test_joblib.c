/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_joblib.c - unit tests of joblib's inline numpy arrays
 * (scanner/container/joblib.c) on pickles built here: a NumpyArrayWrapper
 * whose BUILD is followed by the array's raw bytes, as joblib's
 * NumpyPickler writes them.  joblib.load skips the raw bytes by shape *
 * itemsize and what follows them is scanned again; pickle.load reads them
 * as opcodes, which counts when that reading reaches something malicious.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <lzma.h>
#include <zlib.h>

#include "unit.h"

struct buf {
	uint8_t p[1024];
	size_t len;
};

static void
put(struct buf *b, const void *s, size_t n)
{
	assert_true(b->len + n <= sizeof(b->p));
	memcpy(b->p + b->len, s, n);
	b->len += n;
}
#define PUTS(b, s) put(b, s, sizeof(s) - 1)

/* 16 raw float bytes that read as a call of an unknown global: joblib.load
 * skips them, so the file is clean; pickle.load's reading of them as
 * opcodes is done too (scanner/pickle/vm.c) but reported only when it
 * reaches something malicious, which noise like this does not. */
static const char raw_array[] = "cfoo\nbar\n)R.\0\0\0\0";
/* The same 16 bytes calling os.system(): what pickle.load (pandas, torch,
 * a hand-written loader given the .pkl) runs while joblib.load reads an
 * array. */
static const char evil_array[] = "cos\nsystem\n)R.\0\0";

/* Protocol 4, no frames: the wrapper of a (2,) array of type dtype,
 * its state dict, BUILD.  align adds numpy_array_alignment_bytes. */
static void
wrapper(struct buf *b, const char *dtype, bool align)
{
	uint8_t dl[2] = { 0x8c, (uint8_t)strlen(dtype) };

	PUTS(b, "\x80\x04" "\x8c\x13joblib.numpy_pickle"
		"\x8c\x11NumpyArrayWrapper" "\x93)\x81" "}(");
	PUTS(b, "\x8c\x08subclass" "\x8c\x05numpy\x8c\x07ndarray\x93");
	PUTS(b, "\x8c\x05shape" "K\x02\x85");
	PUTS(b, "\x8c\x05order" "\x8c\x01" "C");
	PUTS(b, "\x8c\x05" "dtype" "\x8c\x05numpy\x8c\x05" "dtype\x93");
	put(b, dl, 2);
	put(b, dtype, strlen(dtype));
	PUTS(b, "\x89\x88\x87R" "(K\x03\x8c\x01<NNN"
		"J\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb");
	if (align)
		PUTS(b, "\x8c\x1bnumpy_array_alignment_bytes" "K\x10");
	PUTS(b, "ub");
}

static void
test_joblib_raw_array_skipped(void **state)
{
	struct buf b = {0};
	struct unit_scan r;

	(void)state;
	wrapper(&b, "f8", false);
	PUTS(&b, raw_array);
	PUTS(&b, ".");
	r = unit_scan(b.p, b.len, NULL);
	assert_int_equal(r.verdict, PW_VERDICT_CLEAN);
	assert_string_equal(r.format, "joblib");
}

/* Array bytes that are a malicious program to pickle.load. */
static void
test_joblib_array_bytes_as_opcodes(void **state)
{
	struct buf b = {0};
	struct unit_scan r;

	(void)state;
	wrapper(&b, "f8", false);
	PUTS(&b, evil_array);
	PUTS(&b, ".");
	r = unit_scan(b.p, b.len, NULL);
	assert_int_equal(r.verdict, PW_VERDICT_MALICIOUS);
	assert_string_equal(r.format, "joblib");
}

/* joblib >= 1.2: a padding length byte and padding before the data. */
static void
test_joblib_aligned(void **state)
{
	struct buf b = {0};
	struct unit_scan r;

	(void)state;
	wrapper(&b, "f8", true);
	PUTS(&b, "\x03\xff\xff\xff");
	PUTS(&b, raw_array);
	PUTS(&b, ".");
	r = unit_scan(b.p, b.len, NULL);
	assert_int_equal(r.verdict, PW_VERDICT_CLEAN);
	assert_string_equal(r.format, "joblib");
}

/* After the array the pickle goes on: a call there is found. */
static void
test_joblib_call_after_array(void **state)
{
	struct buf b = {0};
	struct unit_scan r;

	(void)state;
	wrapper(&b, "f8", false);
	PUTS(&b, raw_array);
	PUTS(&b, "0" "cos\nsystem\n" "X\x04\x00\x00\x00true" "\x85R.");
	r = unit_scan(b.p, b.len, NULL);
	assert_int_equal(r.verdict, PW_VERDICT_MALICIOUS);
}

/* An object array is one nested pickle, which is scanned. */
static void
test_joblib_object_array(void **state)
{
	struct buf b = {0};
	struct unit_scan r;

	(void)state;
	wrapper(&b, "O8", false);
	put(&b, unit_mal_pickle, UNIT_MAL_LEN);
	PUTS(&b, ".");
	r = unit_scan(b.p, b.len, NULL);
	assert_int_equal(r.verdict, PW_VERDICT_MALICIOUS);
}

/* A dtype we cannot size: the data cannot be located, so the rest is
 * not analysed and the file is not clean. */
static void
test_joblib_unknown_dtype(void **state)
{
	struct buf b = {0};
	struct unit_scan r;

	(void)state;
	wrapper(&b, "zz", false);
	PUTS(&b, raw_array);
	PUTS(&b, ".");
	r = unit_scan(b.p, b.len, NULL);
	assert_int_not_equal(r.verdict, PW_VERDICT_CLEAN);
}

/* gzip (windowBits 31) of len bytes at in into out; returns its size. */
static size_t
gzip_of(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	z_stream zs;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 31, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	deflateEnd(&zs);
	return cap - zs.avail_out;
}

/*
 * The same program through decompressors: pandas.read_pickle of a .pkl.gz
 * is pickle.load of the decompressed stream, so the reading of the array
 * bytes as opcodes needs the stream decoded a second time - here inside
 * an .xz as well, so the gzip decoder is started again over an xz decoder
 * started again.
 */
static void
test_joblib_array_bytes_through_decompressors(void **state)
{
	struct buf b = {0};
	uint8_t gz[2048], xz[4096];
	size_t gz_len, xz_len = 0;
	struct unit_scan r;

	(void)state;
	wrapper(&b, "f8", false);
	PUTS(&b, evil_array);
	PUTS(&b, ".");
	gz_len = gzip_of(b.p, b.len, gz, sizeof(gz));
	r = unit_scan(gz, gz_len, "[gzip]");
	assert_int_equal(r.verdict, PW_VERDICT_MALICIOUS);
	assert_true(r.malicious_at_loc);
	assert_int_equal(lzma_easy_buffer_encode(3, LZMA_CHECK_CRC64, NULL, gz,
						 gz_len, xz, &xz_len,
						 sizeof(xz)), LZMA_OK);
	r = unit_scan(xz, xz_len, "[xz]![gzip]");
	assert_int_equal(r.verdict, PW_VERDICT_MALICIOUS);
	assert_true(r.malicious_at_loc);

	/* the harmless array stays clean through both */
	b.len = 0;
	wrapper(&b, "f8", false);
	PUTS(&b, raw_array);
	PUTS(&b, ".");
	gz_len = gzip_of(b.p, b.len, gz, sizeof(gz));
	xz_len = 0;
	assert_int_equal(lzma_easy_buffer_encode(3, LZMA_CHECK_CRC64, NULL, gz,
						 gz_len, xz, &xz_len,
						 sizeof(xz)), LZMA_OK);
	r = unit_scan(xz, xz_len, NULL);
	assert_int_equal(r.verdict, PW_VERDICT_CLEAN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_joblib_raw_array_skipped),
		cmocka_unit_test(test_joblib_array_bytes_as_opcodes),
		cmocka_unit_test(test_joblib_aligned),
		cmocka_unit_test(test_joblib_call_after_array),
		cmocka_unit_test(test_joblib_object_array),
		cmocka_unit_test(test_joblib_unknown_dtype),
		cmocka_unit_test(test_joblib_array_bytes_through_decompressors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
