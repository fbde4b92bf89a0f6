/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_zip_prefix.c - pw_scan_fd_prefix and pw_result_prefix_final: the
 * prefix of a file still being written (container/zip_prefix.c for zips,
 * the ordinary readings from offset 0 for pickle streams).  Files are
 * memfds cut at chosen lengths; zips are built in memory, stored and
 * deflated, without a central directory (not written yet).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "zip_build.h"

static struct pw_scanner *scanner;

static int
setup(void **state)
{
	(void)state;
	return pw_scanner_new(NULL, &scanner) == PW_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	pw_scanner_free(scanner);
	return 0;
}

static int
memfd_with(const void *p, size_t n)
{
	int fd = memfd_create("prefix", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	return fd;
}

/* One prefix scan: final?  *ret_read/_total when not NULL. */
static bool
final_at(int fd, uint64_t prefix, uint64_t *ret_read, uint64_t *ret_total)
{
	struct pw_result *res = NULL;
	bool final;

	assert_int_equal(pw_scan_fd_prefix(scanner, fd, prefix, &res), PW_OK);
	final = pw_result_prefix_final(res);
	if (ret_read)
		*ret_read = pw_result_bytes_read(res);
	if (ret_total)
		*ret_total = pw_result_bytes_total(res);
	pw_result_free(res);
	return final;
}

/* A local header for a member of csize bytes (method, flags). */
static size_t
local_header(uint8_t *out, const char *name, uint32_t csize, uint32_t usize,
	     unsigned method, unsigned flags)
{
	size_t nl = strlen(name);

	memset(out, 0, 30);
	unit_le32(out, 0x04034b50);
	unit_le16(out + 4, 20);
	unit_le16(out + 6, flags);
	unit_le16(out + 8, method);
	unit_le32(out + 18, csize);
	unit_le32(out + 22, usize);
	unit_le16(out + 26, (unsigned)nl);
	memcpy(out + 30, name, nl);
	return 30 + nl;
}

/* A harmless pickle of about len bytes: a list of small ints. */
static size_t
benign_stream(uint8_t *out, size_t len)
{
	size_t off = 0;

	memcpy(out, "\x80\x02]q\x00(", 6);
	off = 6;
	while (off + 2 + 2 <= len) {
		out[off++] = 'K';
		out[off++] = (uint8_t)(off & 0x7f);
	}
	out[off++] = 'e';
	out[off++] = '.';
	return off;
}

/* A raw pickle: os.system first, 1 MiB of data after it.  Final once the
 * import has landed; the bytes total is the prefix, never the file. */
static void
test_raw_stream(void **state)
{
	size_t cap = (1u << 20) + 64, n;
	uint8_t *buf = malloc(cap);
	uint64_t rd, total;
	int fd;

	(void)state;
	assert_non_null(buf);
	/* The payload pickle, then a benign one (a loader reads the first
	 * pickle; the rest is a second stream). */
	memcpy(buf, unit_mal_pickle, UNIT_MAL_LEN);
	n = UNIT_MAL_LEN + benign_stream(buf + UNIT_MAL_LEN,
					  cap - UNIT_MAL_LEN);
	fd = memfd_with(buf, n);
	assert_true(final_at(fd, 64u << 10, &rd, &total));
	assert_int_equal(total, 64u << 10);
	/* The stream once, plus the sniffed head read again. */
	assert_true(rd <= total + 1024);
	/* Cut right after "cos\nsystem\n": the import alone is final. */
	assert_true(final_at(fd, 2 + 11, NULL, NULL));
	/* Cut inside the module name: nothing has run yet. */
	assert_false(final_at(fd, 2 + 6, NULL, NULL));
	/* A prefix longer than the file is the file. */
	assert_true(final_at(fd, UINT64_MAX, NULL, &total));
	assert_int_equal(total, n);
	close(fd);
	free(buf);
}

/* A benign stream cut at every length up to 300 bytes, and at larger
 * steps: never final (a truncation alone decides nothing). */
static void
test_benign_cut_everywhere(void **state)
{
	uint8_t buf[4096];
	size_t n = benign_stream(buf, sizeof(buf)), i;
	int fd = memfd_with(buf, n);

	(void)state;
	for (i = 0; i <= 300; i++)
		assert_false(final_at(fd, i, NULL, NULL));
	for (; i <= n; i += 97)
		assert_false(final_at(fd, i, NULL, NULL));
	close(fd);
	/* The same for an ordinary stored zip, cut anywhere. */
	{
		static uint8_t z[8192];
		uint8_t pk[1024];
		struct zip_member m[2] = {
			{"archive/data.pkl", unit_ok_pickle, UNIT_OK_LEN},
			{"archive/data/0", pk, sizeof(pk)},
		};
		size_t zl;

		memset(pk, 0x5a, sizeof(pk));
		zl = zip_build(z, sizeof(z), m, 2, 0);
		fd = memfd_with(z, zl);
		for (i = 0; i <= zl; i++)
			assert_false(final_at(fd, i, NULL, NULL));
		close(fd);
	}
}

/* torch.save's layout: data.pkl first, then tensor storages; the file is
 * cut inside the storage, the central directory does not exist yet.  The
 * walk reads the headers and data.pkl, not the storage bytes. */
static void
test_zip_stored(void **state)
{
	size_t cap = 300000, off = 0, cut;
	uint8_t *buf = calloc(1, cap);
	uint64_t rd, total;
	int fd;

	(void)state;
	assert_non_null(buf);
	off += local_header(buf + off, "archive/data.pkl", UNIT_MAL_LEN,
			    UNIT_MAL_LEN, 0, 0);
	memcpy(buf + off, unit_mal_pickle, UNIT_MAL_LEN);
	off += UNIT_MAL_LEN;
	off += local_header(buf + off, "archive/data/0", 1u << 20, 1u << 20,
			    0, 0);
	cut = off + 200000;
	fd = memfd_with(buf, cut);
	assert_true(final_at(fd, cut, &rd, &total));
	assert_int_equal(total, cut);
	/* Headers and data.pkl, through the 64 KiB read-ahead block of the
	 * descriptor source at most: far below the prefix. */
	assert_true(rd <= 70000);
	/* Cut inside data.pkl, after its import: final. */
	assert_true(final_at(fd, 30 + 16 + 2 + 11, NULL, NULL));
	/* Cut inside the local header: nothing to say. */
	assert_false(final_at(fd, 20, NULL, NULL));
	close(fd);
	free(buf);
}

/* The same payload deflated, and with a data descriptor (sizes after the
 * data: the member runs to the end of what has landed). */
static void
test_zip_deflated_and_descriptor(void **state)
{
	uint8_t comp[256], buf[1024];
	z_stream zs;
	size_t off = 0, clen;
	int fd;

	(void)state;
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, -15, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (Bytef *)unit_mal_pickle;
	zs.avail_in = UNIT_MAL_LEN;
	zs.next_out = comp;
	zs.avail_out = sizeof(comp);
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	clen = sizeof(comp) - zs.avail_out;
	deflateEnd(&zs);

	off += local_header(buf + off, "model/data.pkl", (uint32_t)clen,
			    UNIT_MAL_LEN, 8, 0);
	memcpy(buf + off, comp, clen);
	off += clen;
	fd = memfd_with(buf, off);
	assert_true(final_at(fd, off, NULL, NULL));
	close(fd);

	/* Stored, bit 3 set, sizes zero: read to the end of the prefix. */
	off = local_header(buf, "model/data.pkl", 0, 0, 0, 8);
	memcpy(buf + off, unit_mal_pickle, UNIT_MAL_LEN);
	off += UNIT_MAL_LEN;
	fd = memfd_with(buf, off);
	assert_true(final_at(fd, off, NULL, NULL));
	close(fd);

	/* A .pkl-less member holding the payload is not what torch.load
	 * unpickles: the prefix walk leaves it to the full scan. */
	off = local_header(buf, "model/data/0", UNIT_MAL_LEN, UNIT_MAL_LEN, 0,
			   0);
	memcpy(buf + off, unit_mal_pickle, UNIT_MAL_LEN);
	off += UNIT_MAL_LEN;
	fd = memfd_with(buf, off);
	assert_false(final_at(fd, off, NULL, NULL));
	close(fd);
}

/* Bad arguments. */
static void
test_invalid(void **state)
{
	struct pw_result *res = NULL;
	int p[2];

	(void)state;
	assert_int_equal(pw_scan_fd_prefix(NULL, 0, 1, &res), PW_ERR_INVALID);
	assert_int_equal(pw_scan_fd_prefix(scanner, -1, 1, &res),
			 PW_ERR_INVALID);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(pw_scan_fd_prefix(scanner, p[0], 1, &res),
			 PW_ERR_NOT_REGULAR);
	close(p[0]);
	close(p[1]);
	assert_false(pw_result_prefix_final(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_stream),
		cmocka_unit_test(test_benign_cut_everywhere),
		cmocka_unit_test(test_zip_stored),
		cmocka_unit_test(test_zip_deflated_and_descriptor),
		cmocka_unit_test(test_invalid),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
