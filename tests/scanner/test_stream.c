/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_stream - scanner/source.c and scanner/stream.c.
 *
 * Sources: bounds of reads and slices, nothing written on a refused read,
 * the bytes_read counter, descriptor ranges.  Streams: a model-based test
 * that drives a memory stream, a descriptor stream (file bigger than the
 * window, with and without a base offset) and pull streams with short
 * reads (1 byte, random sizes) through the same seeded random sequence of
 * reads, skips, lines and probes, and compares every answer with a plain
 * array model; plus long lines, lines at the end, and pull errors.
 */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common.h"
#include "pw_limits.h"
#include "source.h"
#include "stream.h"

/* Deterministic generator (xorshift64*), so failures reproduce. */
static uint64_t
rnd_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static size_t
rnd_below(uint64_t *s, size_t n)
{
	return n ? (size_t)(rnd_next(s) % n) : 0;
}

/* Test data: random bytes with newlines of varying density and some lines
 * longer than PW_LINE_MAX. */
static uint8_t *
make_data(size_t n, uint64_t seed)
{
	uint8_t *d = malloc(n ? n : 1);
	size_t i = 0;

	assert_non_null(d);
	while (i < n) {
		size_t run;

		switch (rnd_below(&seed, 64)) {
		case 0:		/* a very long line */
			run = PW_LINE_MAX + rnd_below(&seed, PW_LINE_MAX);
			break;
		case 1:		/* a line exactly at the cap */
			run = PW_LINE_MAX - 1;
			break;
		default:
			run = rnd_below(&seed, 200);
			break;
		}
		for (; run > 0 && i < n; run--, i++) {
			d[i] = (uint8_t)rnd_next(&seed);
			if (d[i] == '\n')
				d[i] = 'x';
		}
		if (i < n)
			d[i++] = '\n';
	}
	return d;
}

static size_t ops_checked, ops_inside;

static char tmpdir[] = "/tmp/pw-test-stream.XXXXXX";
static char tmpfile_path[4200];

static int
write_file(const uint8_t *d, size_t n)
{
	int fd;

	snprintf(tmpfile_path, sizeof(tmpfile_path), "%s/data", tmpdir);
	fd = open(tmpfile_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_true(write(fd, d, n) == (ssize_t)n);
	return fd;
}

/* ---------------------------------------------------------------- sources */

static void
test_source_mem(void **unused)
{
	uint8_t data[100], buf[16];
	uint64_t counter = 0;
	struct source src, sl, sl2;
	size_t got, i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	source_init_mem(&src, data, sizeof(data), &counter);
	assert_int_equal(source_read(&src, 0, buf, 16), PW_OK);
	assert_memory_equal(buf, data, 16);
	assert_int_equal(source_read(&src, 84, buf, 16), PW_OK);
	assert_memory_equal(buf, data + 84, 16);
	assert_int_equal(counter, 32);

	/* Refused reads change nothing: not the buffer, not the counter. */
	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(source_read(&src, 85, buf, 16), PW_ERR_INVALID);
	assert_int_equal(source_read(&src, 101, buf, 0), PW_ERR_INVALID);
	assert_int_equal(source_read(&src, UINT64_MAX, buf, 1),
			 PW_ERR_INVALID);
	for (i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xaa);
	assert_int_equal(counter, 32);
	assert_int_equal(source_read(&src, 100, buf, 0), PW_OK);

	/* Partial reads at the end. */
	assert_int_equal(source_read_some(&src, 95, buf, 16, &got), PW_OK);
	assert_int_equal(got, 5);
	assert_memory_equal(buf, data + 95, 5);
	assert_int_equal(source_read_some(&src, 100, buf, 16, &got), PW_OK);
	assert_int_equal(got, 0);
	assert_int_equal(source_read_some(&src, UINT64_MAX, buf, 16, &got),
			 PW_OK);
	assert_int_equal(got, 0);

	/* Slices: bounds, overflow, nesting. */
	assert_true(source_slice(&src, 10, 50, &sl));
	assert_int_equal(sl.size, 50);
	assert_int_equal(source_read(&sl, 0, buf, 4), PW_OK);
	assert_memory_equal(buf, data + 10, 4);
	assert_int_equal(source_read(&sl, 47, buf, 4), PW_ERR_INVALID);
	assert_true(source_slice(&sl, 40, 10, &sl2));
	assert_int_equal(source_read(&sl2, 6, buf, 4), PW_OK);
	assert_memory_equal(buf, data + 56, 4);
	assert_false(source_slice(&src, 101, 0, &sl));
	assert_false(source_slice(&src, 50, 51, &sl));
	assert_false(source_slice(&src, 1, UINT64_MAX, &sl));
	assert_false(source_slice(&src, UINT64_MAX, 2, &sl));
	assert_true(source_slice(&src, 100, 0, &sl));
	assert_int_equal(sl.size, 0);

	/* A NULL counter is allowed. */
	source_init_mem(&src, data, sizeof(data), NULL);
	assert_int_equal(source_read(&src, 0, buf, 16), PW_OK);
}

static void
test_source_fd(void **unused)
{
	const size_t n = 3 * PW_STREAM_WINDOW + 12345;
	uint8_t *d = make_data(n, 7), *buf = malloc(PW_STREAM_WINDOW);
	uint64_t counter = 0;
	struct source src, sl;
	size_t got;
	int fd = write_file(d, n);

	assert_non_null(buf);
	source_init_fd(&src, fd, n, &counter);
	assert_int_equal(source_read(&src, 1, buf, 1000), PW_OK);
	assert_memory_equal(buf, d + 1, 1000);
	assert_int_equal(source_read(&src, n - 1000, buf, 1000), PW_OK);
	assert_memory_equal(buf, d + n - 1000, 1000);
	assert_int_equal(source_read(&src, n - 999, buf, 1000),
			 PW_ERR_INVALID);
	assert_int_equal(counter, 2000);
	assert_true(source_slice(&src, 4096, n - 8192, &sl));
	assert_int_equal(source_read(&sl, 0, buf, 100), PW_OK);
	assert_memory_equal(buf, d + 4096, 100);
	assert_int_equal(source_read_some(&sl, n - 8192 - 10, buf, 100, &got),
			 PW_OK);
	assert_int_equal(got, 10);
	assert_memory_equal(buf, d + n - 4096 - 10, 10);

	/* The file shrinks under the reader: a short read, no overrun. */
	assert_int_equal(ftruncate(fd, 5000), 0);
	assert_int_equal(source_read_some(&src, 4000, buf, 2000, &got), PW_OK);
	assert_int_equal(got, 1000);
	assert_int_not_equal(source_read(&src, 4000, buf, 2000), PW_OK);
	close(fd);

	/* A descriptor that cannot be read is an I/O error. */
	source_init_fd(&src, -1, 100, NULL);
	assert_int_equal(source_read(&src, 0, buf, 10), PW_ERR_IO);
	free(buf);
	free(d);
}

/* ---------------------------------------------------------------- streams */

struct puller {
	const uint8_t *d;
	size_t n, off;
	int mode;		/* 0: 1 byte; 1: random sizes; 2: all */
	uint64_t seed;
	size_t fail_at;		/* return PW_ERR_IO once off reaches this */
	bool failed;
};

static int
pull_fn(void *arg, uint8_t *dst, size_t want, size_t *ret_got)
{
	struct puller *p = arg;
	size_t k;

	*ret_got = 0;
	if (p->off >= p->fail_at) {
		p->failed = true;
		return PW_ERR_IO;
	}
	k = p->n - p->off;
	if (k > want)
		k = want;
	if (p->mode == 0 && k > 1)
		k = 1;
	else if (p->mode == 1 && k > 0)
		k = 1 + rnd_below(&p->seed, k < 70000 ? k : 70000);
	if (p->off + k > p->fail_at)
		k = p->fail_at - p->off;
	memcpy(dst, p->d + p->off, k);
	p->off += k;
	*ret_got = k;
	return PW_OK;
}

/*
 * Drives st through a random sequence of operations and checks each
 * against the model (data d of n bytes).
 */
static void
drive(struct stream *st, const uint8_t *d, size_t n, uint64_t seed,
      size_t max_read, const char *what)
{
	size_t pos = 0, steps = 0, at_end = 0;

	while (steps++ < 3000 && at_end < 4) {
		size_t k, op = rnd_below(&seed, 10);
		const uint8_t *p = NULL;

		assert_int_equal(stream_offset(st), pos);
		ops_checked++;
		if (pos < n)
			ops_inside++;
		else
			at_end++;
		switch (op) {
		case 0: case 1: case 2: {	/* read */
			bool ok;

			k = rnd_below(&seed, 32) == 0 ?
				rnd_below(&seed, max_read + 1) :
				rnd_below(&seed, 64);
			ok = stream_read(st, k, &p);
			if (k <= n - pos) {
				if (!ok)
					fail_msg("%s: read %zu at %zu failed",
						 what, k, pos);
				if (k)
					assert_memory_equal(p, d + pos, k);
				pos += k;
			} else {
				if (ok)
					fail_msg("%s: short read %zu at %zu "
						 "succeeded", what, k, pos);
				pos = n;	/* consumed what was there */
			}
			break;
		}
		case 3: {			/* has */
			bool has;

			k = rnd_below(&seed, 2) ? rnd_below(&seed, 100) :
				rnd_below(&seed, 3 * PW_STREAM_WINDOW);
			has = stream_has(st, k);
			/* A pull stream cannot look further than its window:
			 * past it, "don't know" is false (vm.c's FRAME check
			 * allows for that).  It must never claim bytes that
			 * are not there. */
			if (st->pull != NULL && k > PW_STREAM_WINDOW)
				assert_false(has && k > n - pos);
			else if (has != (k <= n - pos))
				fail_msg("%s: has(%zu) at %zu of %zu says %d",
					 what, k, pos, n, has);
			break;
		}
		case 4: {			/* skip */
			uint64_t want = rnd_below(&seed, 32) == 0 ?
				rnd_below(&seed, n / 8 + 2 * PW_LINE_MAX) :
				rnd_below(&seed, 300);
			uint64_t exp = want < n - pos ? want : n - pos;

			assert_int_equal(stream_skip(st, want), exp);
			pos += exp;
			break;
		}
		case 5: case 6: case 7: {	/* readline */
			size_t len = 0, e;
			bool nl = true, ok;
			const uint8_t *q;

			ok = stream_readline(st, &p, &len, &nl);
			if (pos == n) {
				assert_false(ok);
				break;
			}
			assert_true(ok);
			q = memchr(d + pos, '\n', n - pos);
			e = q ? (size_t)(q - (d + pos)) + 1 : n - pos;
			if (len != e)
				fail_msg("%s: line at %zu: length %zu, want "
					 "%zu", what, pos, len, e);
			assert_int_equal(nl, q != NULL);
			if (e > PW_LINE_MAX)
				assert_null(p);
			else {
				assert_non_null(p);
				assert_memory_equal(p, d + pos, e);
			}
			pos += e;
			break;
		}
		case 8:				/* at_end */
			assert_int_equal(stream_at_end(st), pos == n);
			break;
		case 9:				/* read the very end */
			if (n - pos < 8 && n - pos <= max_read) {
				k = n - pos;
				assert_true(stream_read(st, k, &p));
				if (k)
					assert_memory_equal(p, d + pos, k);
				pos = n;
			}
			break;
		}
	}
	/* Drain: everything left reads back as in the model. */
	while (pos < n) {
		size_t k = n - pos < 1000 ? n - pos : 1000;
		const uint8_t *p;

		assert_true(stream_read(st, k, &p));
		assert_memory_equal(p, d + pos, k);
		pos += k;
	}
	assert_true(stream_at_end(st));
	assert_false(stream_has(st, 1));
	assert_int_equal(stream_skip(st, 10), 0);
	assert_int_equal(st->err, PW_OK);
}

static void
test_stream_model(void **unused)
{
	static const size_t sizes[] = {
		0, 1, 2, 100, PW_LINE_MAX, PW_STREAM_WINDOW,
		PW_STREAM_WINDOW + PW_LINE_MAX + 1,
		PW_STREAM_WINDOW + PW_LINE_MAX + 2,
		3 * PW_STREAM_WINDOW + 777,
	};
	size_t si;

	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		size_t n = sizes[si];
		uint64_t seed;

		for (seed = 1; seed <= 24; seed++) {
			uint8_t *d = make_data(n, seed * 1000 + si);
			struct source src, sl;
			struct stream st;
			struct puller pl;
			uint64_t counter = 0;
			int fd = write_file(d, n);
			char what[96];

			/* memory */
			source_init_mem(&src, d, n, NULL);
			assert_int_equal(stream_init_source(&st, &src), PW_OK);
			snprintf(what, sizeof(what), "mem n=%zu seed=%llu", n,
				 (unsigned long long)seed);
			drive(&st, d, n, seed, PW_STREAM_WINDOW, what);
			stream_fini(&st);

			/* descriptor */
			source_init_fd(&src, fd, n, &counter);
			assert_int_equal(stream_init_source(&st, &src), PW_OK);
			snprintf(what, sizeof(what), "fd n=%zu seed=%llu", n,
				 (unsigned long long)seed);
			drive(&st, d, n, seed, PW_STREAM_WINDOW, what);
			stream_fini(&st);
			assert_true(counter <= n);

			/* descriptor range with a base offset */
			if (n > 20) {
				source_init_fd(&src, fd, n, NULL);
				assert_true(source_slice(&src, 7, n - 20, &sl));
				assert_int_equal(stream_init_source(&st, &sl),
						 PW_OK);
				snprintf(what, sizeof(what), "fd-slice n=%zu "
					 "seed=%llu", n,
					 (unsigned long long)seed);
				drive(&st, d + 7, n - 20, seed + 99,
				      PW_STREAM_WINDOW, what);
				stream_fini(&st);
			}
			close(fd);

			/* pull: byte by byte, random sizes, all at once */
			for (pl.mode = 0; pl.mode < 3; pl.mode++) {
				if (pl.mode == 0 && n > PW_STREAM_WINDOW)
					continue;	/* slow, and covered */
				pl.d = d;
				pl.n = n;
				pl.off = 0;
				pl.seed = seed;
				pl.fail_at = SIZE_MAX;
				pl.failed = false;
				assert_int_equal(stream_init_pull(&st, pull_fn,
								  &pl), PW_OK);
				snprintf(what, sizeof(what), "pull%d n=%zu "
					 "seed=%llu", pl.mode, n,
					 (unsigned long long)seed);
				drive(&st, d, n, seed, PW_STREAM_WINDOW, what);
				stream_fini(&st);
			}
			free(d);
		}
	}
	fprintf(stderr, "stream model: %zu operations checked, %zu before "
		"the end of the data\n", ops_checked, ops_inside);
	assert_true(ops_inside > 50000);
}

static void
test_stream_lines(void **unused)
{
	static const char text[] = "GLOBAL\nos\nsystem";
	uint8_t *big;
	const uint8_t *p;
	struct source src;
	struct stream st;
	size_t len;
	bool nl;

	source_init_mem(&src, text, sizeof(text) - 1, NULL);
	assert_int_equal(stream_init_source(&st, &src), PW_OK);
	assert_true(stream_readline(&st, &p, &len, &nl));
	assert_int_equal(len, 7);
	assert_true(nl);
	assert_memory_equal(p, "GLOBAL\n", 7);
	assert_true(stream_readline(&st, &p, &len, &nl));
	assert_int_equal(len, 3);
	/* The last line has no newline: returned as is, flagged. */
	assert_true(stream_readline(&st, &p, &len, &nl));
	assert_int_equal(len, 6);
	assert_false(nl);
	assert_memory_equal(p, "system", 6);
	assert_false(stream_readline(&st, &p, &len, &nl));
	assert_null(p);
	assert_int_equal(len, 0);
	stream_fini(&st);

	/* One line far longer than the window: consumed whole, not kept. */
	big = malloc(3 * PW_STREAM_WINDOW + 2);
	assert_non_null(big);
	memset(big, 'a', 3 * PW_STREAM_WINDOW);
	big[3 * PW_STREAM_WINDOW] = '\n';
	big[3 * PW_STREAM_WINDOW + 1] = '.';
	{
		struct puller pl = {big, 3 * PW_STREAM_WINDOW + 2, 0, 1, 5,
				    SIZE_MAX, false};

		assert_int_equal(stream_init_pull(&st, pull_fn, &pl), PW_OK);
		assert_true(stream_readline(&st, &p, &len, &nl));
		assert_null(p);
		assert_true(nl);
		assert_int_equal(len, 3 * PW_STREAM_WINDOW + 1);
		assert_true(stream_read(&st, 1, &p));
		assert_int_equal(p[0], '.');
		assert_true(stream_at_end(&st));
		stream_fini(&st);
	}
	free(big);
}

static void
test_stream_pull_error(void **unused)
{
	const size_t n = 100000;
	uint8_t *d = make_data(n, 3);
	struct puller pl = {d, n, 0, 1, 9, 5000, false};
	struct stream st;
	const uint8_t *p;
	size_t got = 0;

	assert_int_equal(stream_init_pull(&st, pull_fn, &pl), PW_OK);
	/* Everything before the error reads back; then reads fail and the
	 * error sticks. */
	while (got < 5000) {
		assert_true(stream_read(&st, 1, &p));
		assert_int_equal(p[0], d[got]);
		got++;
	}
	assert_false(stream_read(&st, 1, &p));
	assert_true(pl.failed);
	assert_int_equal(st.err, PW_ERR_IO);
	assert_true(stream_at_end(&st));
	assert_false(stream_has(&st, 1));
	assert_int_equal(stream_skip(&st, 100), 0);
	assert_int_equal(stream_offset(&st), 5000);
	stream_fini(&st);

	/* An empty pull stream. */
	pl.n = 0;
	pl.off = 0;
	pl.fail_at = SIZE_MAX;
	assert_int_equal(stream_init_pull(&st, pull_fn, &pl), PW_OK);
	assert_true(stream_at_end(&st));
	assert_true(stream_read(&st, 0, &p));
	assert_false(stream_read(&st, 1, &p));
	assert_int_equal(st.err, PW_OK);
	stream_fini(&st);
	free(d);
}

/* The checked peeks never move the position, never point past what is
 * there, and read_some hands out every byte exactly once, over memory,
 * over a file source with a small window and over a pull stream that
 * delivers one byte at a time. */
static void
check_peeks(struct stream *st, const uint8_t *d, size_t n)
{
	const uint8_t *p, *q;
	size_t len, got = 0;

	assert_true(stream_peek(st, 3, &p));
	assert_memory_equal(p, d, 3);
	assert_int_equal(stream_offset(st), 0);
	assert_true(stream_peek_upto(st, 512, &p, &len));
	assert_int_equal(len, 512);
	assert_memory_equal(p, d, 512);
	assert_int_equal(stream_offset(st), 0);
	while (got < n) {
		assert_true(stream_read_some(st, 1000, &q, &len));
		assert_true(len >= 1 && len <= 1000 && got + len <= n);
		assert_memory_equal(q, d + got, len);
		got += len;
		assert_int_equal(stream_offset(st), got);
		if (got + 2 <= n) {
			assert_true(stream_peek(st, 2, &p));
			assert_memory_equal(p, d + got, 2);
		}
	}
	/* At the end: nothing to peek or read, and nothing moves. */
	assert_false(stream_peek(st, 1, &p));
	assert_false(stream_peek_upto(st, 10, &p, &len));
	assert_false(stream_read_some(st, 10, &p, &len));
	assert_int_equal(stream_offset(st), n);
}

static void
test_stream_peek(void **unused)
{
	const size_t n = 3 * PW_STREAM_WINDOW + 123;
	uint8_t *d = make_data(n, 11);
	struct puller pl = {d, n, 0, 0, 5, SIZE_MAX, false};
	struct source src;
	struct stream st;
	const uint8_t *p;
	int fd;

	(void)unused;
	source_init_mem(&src, d, n, NULL);
	assert_int_equal(stream_init_source(&st, &src), PW_OK);
	check_peeks(&st, d, n);
	stream_fini(&st);

	fd = write_file(d, n);
	source_init_fd(&src, fd, n, NULL);
	assert_int_equal(stream_init_source(&st, &src), PW_OK);
	check_peeks(&st, d, n);
	stream_fini(&st);
	close(fd);

	assert_int_equal(stream_init_pull(&st, pull_fn, &pl), PW_OK);
	check_peeks(&st, d, n);
	stream_fini(&st);

	/* A peek longer than what is left fails and consumes nothing. */
	source_init_mem(&src, d, 2, NULL);
	assert_int_equal(stream_init_source(&st, &src), PW_OK);
	assert_false(stream_peek(&st, 3, &p));
	assert_int_equal(stream_offset(&st), 0);
	assert_true(stream_peek(&st, 2, &p));
	stream_fini(&st);
	free(d);
}

static int
setup(void **unused)
{
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **unused)
{
	unlink(tmpfile_path);
	rmdir(tmpdir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source_mem),
		cmocka_unit_test(test_source_fd),
		cmocka_unit_test(test_stream_lines),
		cmocka_unit_test(test_stream_pull_error),
		cmocka_unit_test(test_stream_model),
		cmocka_unit_test(test_stream_peek),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
