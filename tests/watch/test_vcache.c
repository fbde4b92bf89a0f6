/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_vcache.c - the verdict cache: keys, tags, persistence, and files
 * cut at every byte.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/watch/vcache.h"

static char tmpdir[] = "/tmp/pw-vcache-XXXXXX";
static char path[256];

static struct vcache_key
key(uint64_t ino)
{
	struct vcache_key k;

	memset(&k, 0, sizeof(k));
	k.dev = 42;
	k.ino = ino;
	k.size = 1000 + ino;
	k.mtime_sec = 1700000000;
	k.mtime_nsec = 123;
	k.ctime_sec = 1700000001;
	k.ctime_nsec = 456;
	return k;
}

/* The verdict-only view most tests need. */
static int
ins(struct vcache *c, const struct vcache_key *k, int verdict)
{
	struct vcache_entry e = {.verdict = verdict, .digest = 7};

	return vcache_insert(c, k, &e);
}

static bool
look(struct vcache *c, const struct vcache_key *k, int *v)
{
	struct vcache_entry e;

	if (!vcache_lookup(c, k, &e))
		return false;
	*v = e.verdict;
	return true;
}

/* Inserted entries are verified; loaded ones are not until checked;
 * forgetting one keeps the others of its probe cluster reachable. */
static void
test_verified_forget_digest(void **state)
{
	struct vcache *c = NULL, *d = NULL;
	struct vcache_key k[40];
	struct vcache_entry e;
	char dir[] = "/tmp/pw-vcache-XXXXXX", path[64], file[64];
	uint64_t h1, h2;
	size_t i, loaded;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/vc", dir);
	assert_int_equal(vcache_new(9, 1000, &c), 0);
	for (i = 0; i < 40; i++) {
		memset(&k[i], 0, sizeof(k[i]));
		k[i].dev = 1;
		k[i].ino = i;
		assert_int_equal(ins(c, &k[i], 1), 0);
	}
	assert_true(vcache_lookup(c, &k[3], &e));
	assert_true(e.verified);
	assert_int_equal(e.digest, 7);
	vcache_forget(c, &k[3]);
	assert_false(vcache_lookup(c, &k[3], &e));
	for (i = 0; i < 40; i++)
		if (i != 3)
			assert_true(vcache_lookup(c, &k[i], &e));
	assert_int_equal(vcache_count(c), 39);
	assert_int_equal(vcache_save(c, path, false), 0);
	assert_int_equal(vcache_new(9, 1000, &d), 0);
	assert_int_equal(vcache_load(d, path, &loaded), 0);
	assert_int_equal(loaded, 39);
	assert_true(vcache_lookup(d, &k[5], &e));
	assert_false(e.verified);
	vcache_set_verified(d, &k[5]);
	assert_true(vcache_lookup(d, &k[5], &e));
	assert_true(e.verified);
	/* A full scan: what it did not look up is pruned. */
	vcache_mark_unused(c);
	assert_true(vcache_lookup(c, &k[7], &e));
	assert_true(vcache_lookup(c, &k[8], &e));
	assert_int_equal(vcache_prune_unused(c), 37);
	assert_int_equal(vcache_count(c), 2);
	assert_true(vcache_lookup(c, &k[7], &e));
	assert_true(vcache_lookup(c, &k[8], &e));
	assert_false(vcache_lookup(c, &k[9], &e));
	/* The digest follows the bytes, not the timestamps. */
	snprintf(file, sizeof(file), "%s/f", dir);
	fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abcdef", 6), 6);
	assert_int_equal(vcache_digest_fd(fd, 6, &h1), 0);
	assert_int_equal(pwrite(fd, "X", 1, 3), 1);
	assert_int_equal(vcache_digest_fd(fd, 6, &h2), 0);
	assert_true(h1 != h2);
	close(fd);
	unlink(file);
	unlink(path);
	rmdir(dir);
	vcache_free(c);
	vcache_free(d);
}

static void
test_insert_lookup(void **state)
{
	struct vcache *c;
	struct vcache_key k = key(1), other;
	int v = -1;

	(void)state;
	assert_int_equal(vcache_new(7, 100, &c), 0);
	assert_false(look(c, &k, &v));
	assert_int_equal(ins(c, &k, 1), 0);
	assert_true(look(c, &k, &v));
	assert_int_equal(v, 1);
	/* Any change of stamp is a different file. */
	other = k; other.size++;
	assert_false(look(c, &other, &v));
	other = k; other.mtime_nsec++;
	assert_false(look(c, &other, &v));
	other = k; other.ctime_nsec++;
	assert_false(look(c, &other, &v));
	other = k; other.ctime_sec++;
	assert_false(look(c, &other, &v));
	other = k; other.dev++;
	assert_false(look(c, &other, &v));
	/* Updating keeps one entry. */
	assert_int_equal(ins(c, &k, 0), 0);
	assert_true(look(c, &k, &v));
	assert_int_equal(v, 0);
	assert_int_equal(vcache_count(c), 1);
	assert_int_equal(ins(c, &k, 256), -1);
	vcache_free(c);
}

static void
test_grow_and_cap(void **state)
{
	struct vcache *c;
	struct vcache_key k;
	uint64_t i;
	int v;

	(void)state;
	assert_int_equal(vcache_new(7, 5000, &c), 0);
	for (i = 0; i < 5000; i++) {
		k = key(i);
		assert_int_equal(ins(c, &k, (int)(i % 2)), 0);
	}
	assert_int_equal(vcache_count(c), 5000);
	for (i = 0; i < 5000; i++) {
		k = key(i);
		assert_true(look(c, &k, &v));
		assert_int_equal(v, (int)(i % 2));
	}
	/* Full: the cache forgets rather than grows. */
	k = key(99999);
	assert_int_equal(ins(c, &k, 1), 0);
	assert_int_equal(vcache_count(c), 1);
	vcache_free(c);
	assert_int_equal(vcache_new(7, 0, &c), -1);
}

static void
test_retag(void **state)
{
	struct vcache *c;
	struct vcache_key k = key(3);
	int v;

	(void)state;
	assert_int_equal(vcache_new(7, 100, &c), 0);
	assert_int_equal(ins(c, &k, 1), 0);
	vcache_retag(c, 7);
	assert_true(look(c, &k, &v));
	vcache_retag(c, 8);
	assert_false(look(c, &k, &v));
	vcache_free(c);
}

static void
test_save_load(void **state)
{
	struct vcache *c, *d;
	struct vcache_key k1 = key(1), k2 = key(2);
	size_t loaded;
	struct stat st;
	int v;

	(void)state;
	assert_int_equal(vcache_new(7, 100, &c), 0);
	assert_int_equal(ins(c, &k1, 0), 0);
	assert_int_equal(ins(c, &k2, 1), 0);
	assert_int_equal(vcache_save(c, path, false), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	assert_int_equal(vcache_new(7, 100, &d), 0);
	assert_int_equal(vcache_load(d, path, &loaded), 0);
	assert_int_equal(loaded, 2);
	assert_true(look(d, &k2, &v));
	assert_int_equal(v, 1);
	/* Only k2 was used since loading: saving "used only" drops k1. */
	assert_int_equal(vcache_save(d, path, true), 0);
	vcache_free(d);
	assert_int_equal(vcache_new(7, 100, &d), 0);
	assert_int_equal(vcache_load(d, path, &loaded), 0);
	assert_int_equal(loaded, 1);
	assert_false(look(d, &k1, &v));
	vcache_free(d);

	/* Another tag (another scanner or configuration): nothing. */
	assert_int_equal(vcache_new(8, 100, &d), 0);
	assert_int_equal(vcache_load(d, path, &loaded), 0);
	assert_int_equal(loaded, 0);
	assert_int_equal(vcache_count(d), 0);
	vcache_free(d);

	/* No file: nothing, and no error. */
	assert_int_equal(vcache_new(7, 100, &d), 0);
	assert_int_equal(vcache_load(d, "/nonexistent/pw/vcache", &loaded), 0);
	assert_int_equal(loaded, 0);
	vcache_free(d);
	vcache_free(c);
}

/* A file cut at any byte loads either everything or nothing. */
static void
test_truncated(void **state)
{
	struct vcache *c, *d;
	struct vcache_key k;
	char cut[300], *buf;
	size_t loaded, len, i;
	FILE *f;
	uint64_t n;

	(void)state;
	assert_int_equal(vcache_new(7, 100, &c), 0);
	for (n = 0; n < 3; n++) {
		k = key(n);
		assert_int_equal(ins(c, &k, 1), 0);
	}
	assert_int_equal(vcache_save(c, path, false), 0);
	f = fopen(path, "rb");
	assert_non_null(f);
	buf = malloc(4096);
	len = fread(buf, 1, 4096, f);
	fclose(f);
	snprintf(cut, sizeof(cut), "%s.cut", path);
	for (i = 0; i < len; i++) {
		f = fopen(cut, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(buf, 1, i, f), i);
		fclose(f);
		assert_int_equal(vcache_new(7, 100, &d), 0);
		assert_int_equal(vcache_load(d, cut, &loaded), 0);
		assert_int_equal(loaded, 0);
		assert_int_equal(vcache_count(d), 0);
		vcache_free(d);
	}
	/* A corrupt count larger than the cap loads nothing either. */
	memset(buf + 16, 0xff, 8);
	f = fopen(cut, "wb");
	fwrite(buf, 1, len, f);
	fclose(f);
	assert_int_equal(vcache_new(7, 100, &d), 0);
	assert_int_equal(vcache_load(d, cut, &loaded), 0);
	assert_int_equal(loaded, 0);
	vcache_free(d);
	unlink(cut);
	free(buf);
	vcache_free(c);
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/vcache", tmpdir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(tmpdir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_lookup),
		cmocka_unit_test(test_verified_forget_digest),
		cmocka_unit_test(test_grow_and_cap),
		cmocka_unit_test(test_retag),
		cmocka_unit_test(test_save_load),
		cmocka_unit_test(test_truncated),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
