/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_watch_walk.c - the resumable walk on a real directory tree:
 * symlinks, special files, temporary names and skipped directories are
 * left out; a walk paused on every other file still offers each file once.
 */
#include "config.h"

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

#include "agent/watch/watch_walk.h"

static char root[] = "/tmp/pw-walk-XXXXXX";

struct seen {
	char *files[64];
	size_t nfiles, ndirs, nlinks;
	bool refuse_next;	/* alternate refusals */
	bool alternate;
	const char *skip_dir;	/* on_dir says no to this path */
};

static bool
on_dir(void *arg, int dirfd, const char *path, const struct stat *st)
{
	struct seen *s = arg;

	assert_true(dirfd >= 0);
	assert_true(S_ISDIR(st->st_mode));
	if (s->skip_dir != NULL && strcmp(path, s->skip_dir) == 0)
		return false;
	s->ndirs++;
	return true;
}

static bool
on_file(void *arg, const char *path)
{
	struct seen *s = arg;

	if (s->alternate) {
		s->refuse_next = !s->refuse_next;
		if (s->refuse_next)
			return false;
	}
	assert_true(s->nfiles < 64);
	s->files[s->nfiles++] = strdup(path);
	return true;
}

static void
on_symlink(void *arg, const char *path)
{
	struct seen *s = arg;

	(void)path;
	s->nlinks++;
}

static const struct watch_walk_ops ops = {on_dir, on_file, on_symlink};

static void
mk(const char *rel, const char *kind)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (strcmp(kind, "dir") == 0) {
		assert_int_equal(mkdir(p, 0700), 0);
	} else if (strcmp(kind, "file") == 0) {
		fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
		assert_true(fd >= 0);
		close(fd);
	} else if (strcmp(kind, "fifo") == 0) {
		assert_int_equal(mkfifo(p, 0600), 0);
	} else {
		assert_int_equal(symlink(kind, p), 0);
	}
}

static bool
has(const struct seen *s, const char *rel)
{
	char p[512];
	size_t i;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (i = 0; i < s->nfiles; i++)
		if (strcmp(s->files[i], p) == 0)
			return true;
	return false;
}

static void
clear(struct seen *s)
{
	size_t i;

	for (i = 0; i < s->nfiles; i++)
		free(s->files[i]);
	memset(s, 0, sizeof(*s));
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(root) == NULL)
		return -1;
	mk("blobs", "dir");
	mk("blobs/abc123", "file");
	mk("blobs/def456.0a1b2c3d.incomplete", "file");
	mk("snapshots", "dir");
	mk("snapshots/c0ffee", "dir");
	mk("snapshots/c0ffee/model.bin", "../../blobs/abc123");
	mk("snapshots/c0ffee/linkdir", "../../blobs");
	mk(".locks", "dir");
	mk(".locks/x.lock", "file");
	mk("xet", "dir");
	mk("xet/chunk", "file");
	mk("checkpoints", "dir");
	mk("checkpoints/tmpabc_1234", "file");
	mk("checkpoints/resnet.pth", "file");
	mk("checkpoints/resnet.pth.00ff.partial", "file");
	mk("fifo", "fifo");
	mk("a", "dir");
	mk("a/b", "dir");
	mk("a/b/c", "dir");
	mk("a/b/c/deep.pkl", "file");
	mk("a/top.pkl", "file");
	return 0;
}

static int
teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void
check_full(const struct seen *s)
{
	/* Every regular file: which names matter is the caller's decision
	 * (it knows the roots), not the walk's. */
	assert_int_equal(s->nfiles, 9);
	assert_true(has(s, "blobs/abc123"));
	assert_true(has(s, "blobs/def456.0a1b2c3d.incomplete"));
	assert_true(has(s, "checkpoints/resnet.pth"));
	assert_true(has(s, "checkpoints/tmpabc_1234"));
	assert_true(has(s, "xet/chunk"));
	assert_true(has(s, "a/b/c/deep.pkl"));
	assert_true(has(s, "a/top.pkl"));
	/* root, blobs, snapshots, snapshots/c0ffee, .locks, xet,
	 * checkpoints, a, a/b, a/b/c: never the symlinked directory, which
	 * is handed over as a symlink (with the file link). */
	assert_int_equal(s->ndirs, 10);
	assert_int_equal(s->nlinks, 2);
}

static void
test_full_walk(void **state)
{
	struct watch_walk *w;
	struct seen s;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(watch_walk_new(&ops, &s, &w), 0);
	assert_true(watch_walk_idle(w));
	assert_int_equal(watch_walk_push(w, root, true), 0);
	assert_false(watch_walk_idle(w));
	while (watch_walk_step(w, 3) != WATCH_WALK_IDLE)
		;
	assert_true(watch_walk_idle(w));
	check_full(&s);
	clear(&s);
	watch_walk_free(w);
}

static void
test_paused_walk(void **state)
{
	struct watch_walk *w;
	struct seen s;
	int steps = 0, paused = 0;
	enum watch_walk_state st;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.alternate = true;
	assert_int_equal(watch_walk_new(&ops, &s, &w), 0);
	assert_int_equal(watch_walk_push(w, root, true), 0);
	while ((st = watch_walk_step(w, 100)) != WATCH_WALK_IDLE) {
		if (st == WATCH_WALK_PAUSED)
			paused++;
		assert_true(++steps < 1000);
	}
	assert_int_equal(paused, 9);
	check_full(&s);
	clear(&s);
	watch_walk_free(w);
}

static void
test_non_recursive_and_skip(void **state)
{
	struct watch_walk *w;
	struct seen s;
	char a[512];

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(watch_walk_new(&ops, &s, &w), 0);
	snprintf(a, sizeof(a), "%s/a", root);
	assert_int_equal(watch_walk_push(w, a, false), 0);
	while (watch_walk_step(w, 100) != WATCH_WALK_IDLE)
		;
	assert_int_equal(s.nfiles, 1);
	assert_true(has(&s, "a/top.pkl"));
	clear(&s);

	/* on_dir refusing a directory prunes its subtree. */
	s.skip_dir = a;
	assert_int_equal(watch_walk_push(w, root, true), 0);
	while (watch_walk_step(w, 100) != WATCH_WALK_IDLE)
		;
	assert_int_equal(s.nfiles, 7);
	assert_false(has(&s, "a/top.pkl"));
	clear(&s);

	/* A symlink pushed as a directory is not entered; clear forgets. */
	snprintf(a, sizeof(a), "%s/snapshots/c0ffee/linkdir", root);
	assert_int_equal(watch_walk_push(w, a, true), 0);
	assert_int_equal(watch_walk_step(w, 100), WATCH_WALK_IDLE);
	assert_int_equal(s.nfiles + s.ndirs, 0);
	assert_int_equal(watch_walk_push(w, root, true), 0);
	watch_walk_clear(w);
	assert_true(watch_walk_idle(w));
	watch_walk_free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_walk),
		cmocka_unit_test(test_paused_walk),
		cmocka_unit_test(test_non_recursive_and_skip),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
