/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_landing.c - the prefix-scan policy for files that are still being
 * written: when it looks, what is final, and what it costs.
 */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/watch/landing.h"

/* GLOBAL posix.system, a string, TUPLE1, REDUCE: the payload a loader runs
 * before anything that follows it. */
static const uint8_t evil[] = "\x80\x02" "cposix\nsystem\n"
			      "X\x05\x00\x00\x00hello\x85R";
/* A harmless dict entry, repeated to make a large benign stream. */
static const uint8_t chunk[] = "X\x01\x00\x00\x00" "a" "K\x01";

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
memfd(void)
{
	int fd = memfd_create("landing", MFD_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

static void
put(int fd, const void *p, size_t n)
{
	assert_int_equal(write(fd, p, n), (ssize_t)n);
}

/* Grows fd with benign bytes up to size. */
static void
grow_benign(int fd, uint64_t size)
{
	while ((uint64_t)lseek(fd, 0, SEEK_END) + sizeof(chunk) - 1 <= size)
		put(fd, chunk, sizeof(chunk) - 1);
}

static void
test_schedule_doubles(void **state)
{
	struct landing_state st;
	int fd = memfd();

	(void)state;
	landing_init(&st);
	assert_false(landing_due(&st, LANDING_FIRST - 1));
	assert_true(landing_due(&st, LANDING_FIRST));
	put(fd, "\x80\x02}q\x00(", 6);
	grow_benign(fd, LANDING_FIRST);
	assert_int_equal(landing_check(scanner, fd, LANDING_FIRST, &st, NULL),
			 LANDING_WAIT);
	assert_false(landing_due(&st, 2 * LANDING_FIRST - 1));
	assert_true(landing_due(&st, 2 * LANDING_FIRST));
	close(fd);
}

/* A benign stream growing to 2 MiB in 256 KiB writes: never final, and
 * the looks read less than twice the final size. */
static void
test_benign_cost_bounded(void **state)
{
	struct landing_state st;
	uint64_t size = 0, final = 2u << 20;
	int fd = memfd();

	(void)state;
	landing_init(&st);
	put(fd, "\x80\x02}q\x00(", 6);
	while (size < final) {
		grow_benign(fd, size + (256u << 10));
		size = (uint64_t)lseek(fd, 0, SEEK_END);
		if (landing_due(&st, size))
			assert_int_equal(landing_check(scanner, fd, size, &st,
						       NULL),
					 LANDING_WAIT);
	}
	assert_true(st.looks >= 3);
	assert_true(st.bytes_read <= 2 * size);
	close(fd);
}

/* The payload in the first bytes of a long stream: final at the first
 * look, long before the end. */
static void
test_raw_pickle_final(void **state)
{
	struct landing_state st;
	struct pw_result *res = NULL;
	int fd = memfd();

	(void)state;
	landing_init(&st);
	put(fd, evil, sizeof(evil) - 1);
	put(fd, "\x80\x02}q\x00(", 6);
	grow_benign(fd, LANDING_FIRST + 100);
	assert_int_equal(landing_check(scanner, fd, LANDING_FIRST + 100, &st,
				       &res),
			 LANDING_FINAL);
	assert_non_null(res);
	assert_true(landing_result_is_final(res));
	assert_false(landing_due(&st, 1u << 30));
	pw_result_free(res);
	close(fd);
}

/* A PyTorch-style zip (stored members, data.pkl first) cut in the middle
 * of the tensor data: the central directory is missing, the local header
 * walk still finds data.pkl. */
static void
test_zip_prefix_final(void **state)
{
	static const char name[] = "archive/data.pkl";
	uint8_t h[30];
	struct landing_state st;
	size_t plen = sizeof(evil) - 1 + 1, i;
	uint8_t *tensor;
	int fd = memfd();

	(void)state;
	memset(h, 0, sizeof(h));
	h[0] = 'P'; h[1] = 'K'; h[2] = 3; h[3] = 4;
	h[18] = (uint8_t)plen;		/* compressed size */
	h[22] = (uint8_t)plen;		/* uncompressed size */
	h[26] = (uint8_t)(sizeof(name) - 1);
	put(fd, h, sizeof(h));
	put(fd, name, sizeof(name) - 1);
	put(fd, evil, sizeof(evil) - 1);
	put(fd, ".", 1);
	/* A second member: 1 MiB of tensor bytes, of which only a part has
	 * landed. */
	memset(h + 18, 0, 8);
	h[18 + 2] = 0x10;		/* 1 MiB */
	h[22 + 2] = 0x10;
	h[26] = 14;
	put(fd, h, sizeof(h));
	put(fd, "archive/data/0", 14);
	tensor = calloc(1, 200000);
	assert_non_null(tensor);
	for (i = 0; i < 200000; i += 4096)
		tensor[i] = (uint8_t)i;
	put(fd, tensor, 200000);
	free(tensor);
	landing_init(&st);
	assert_int_equal(landing_check(scanner, fd,
				       (uint64_t)lseek(fd, 0, SEEK_END), &st,
				       NULL),
			 LANDING_FINAL);
	/* Headers and data.pkl only, not the tensor bytes. */
	assert_true(st.bytes_read < 200);
	close(fd);
}

/* A benign prefix cut at every byte is never final (a truncation alone
 * decides nothing), and the malicious one is final from the REDUCE on. */
static void
test_truncation_alone_not_final(void **state)
{
	uint8_t buf[64];
	size_t i, len = sizeof(evil) - 1;


	(void)state;
	/* {'a': 1, 'b': 2}, protocol 2 (separate literals: a hex escape
	 * would swallow the letters that follow it). */
	memcpy(buf, "\x80\x02}q\x00(X\x01\x00\x00\x00" "a" "K\x01"
		    "X\x01\x00\x00\x00" "b" "K\x02" "u.", 24);
	for (i = 1; i <= 24; i++) {
		struct pw_result *res = NULL;

		assert_int_equal(pw_scan_buffer(scanner, buf, i, &res), PW_OK);
		assert_false(landing_result_is_final(res));
		pw_result_free(res);
	}
	{
		struct pw_result *res = NULL;

		assert_int_equal(pw_scan_buffer(scanner, evil, len, &res),
				 PW_OK);
		assert_true(landing_result_is_final(res));
		pw_result_free(res);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schedule_doubles),
		cmocka_unit_test(test_benign_cost_bounded),
		cmocka_unit_test(test_raw_pickle_final),
		cmocka_unit_test(test_zip_prefix_final),
		cmocka_unit_test(test_truncation_alone_not_final),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
