/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_watch_table.c - the wd -> directory table.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/watch/watch_table.h"

static void
test_add_lookup_remove(void **state)
{
	struct watch_table *t;
	struct watch_dir *d;

	(void)state;
	assert_int_equal(watch_table_new(&t), 0);
	assert_non_null(watch_table_add(t, 1, 5, 100, "/r", WATCH_DIR_TREE));
	assert_non_null(watch_table_add(t, 2, 5, 101, "/r/a", WATCH_DIR_TREE));
	assert_int_equal(watch_table_count(t), 2);
	d = watch_table_by_wd(t, 2);
	assert_non_null(d);
	assert_string_equal(d->path, "/r/a");
	assert_ptr_equal(watch_table_by_inode(t, 5, 101), d);
	assert_null(watch_table_by_inode(t, 6, 101));
	/* Same wd again: the entry is updated, not duplicated. */
	d = watch_table_add(t, 2, 5, 102, "/r/b", WATCH_DIR_ANCESTOR);
	assert_non_null(d);
	assert_int_equal(watch_table_count(t), 2);
	assert_null(watch_table_by_inode(t, 5, 101));
	assert_ptr_equal(watch_table_by_inode(t, 5, 102), d);
	assert_int_equal(d->kind, WATCH_DIR_ANCESTOR);
	assert_int_equal(watch_table_set_path(t, d, "/r/c"), 0);
	assert_string_equal(watch_table_by_wd(t, 2)->path, "/r/c");
	watch_table_remove(t, 2);
	watch_table_remove(t, 2);
	watch_table_remove(t, 77);
	assert_null(watch_table_by_wd(t, 2));
	assert_null(watch_table_by_inode(t, 5, 102));
	assert_int_equal(watch_table_count(t), 1);
	watch_table_free(t);
	watch_table_free(NULL);
}

static void
test_under_and_kind(void **state)
{
	struct watch_table *t;
	int *wds;
	size_t n;

	(void)state;
	assert_int_equal(watch_table_new(&t), 0);
	watch_table_add(t, 1, 1, 1, "/a", WATCH_DIR_TREE);
	watch_table_add(t, 2, 1, 2, "/a/b", WATCH_DIR_TREE);
	watch_table_add(t, 3, 1, 3, "/a/b/c", WATCH_DIR_TREE);
	watch_table_add(t, 4, 1, 4, "/ab", WATCH_DIR_TREE);
	watch_table_add(t, 5, 1, 5, "/", WATCH_DIR_ANCESTOR);
	assert_int_equal(watch_table_under(t, "/a/b", &wds, &n), 0);
	assert_int_equal(n, 2);	/* /a/b and /a/b/c, never /ab */
	free(wds);
	assert_int_equal(watch_table_under(t, "/a", &wds, &n), 0);
	assert_int_equal(n, 3);
	free(wds);
	assert_int_equal(watch_table_under(t, "/zz", &wds, &n), 0);
	assert_int_equal(n, 0);
	assert_null(wds);
	/* "" is the prefix of every absolute path. */
	assert_int_equal(watch_table_under(t, "", &wds, &n), 0);
	assert_int_equal(n, 5);
	free(wds);
	assert_int_equal(watch_table_of_kind(t, WATCH_DIR_ANCESTOR, &wds, &n),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(wds[0], 5);
	free(wds);
	watch_table_free(t);
}

static void
test_many(void **state)
{
	struct watch_table *t;
	char path[64];
	int i;

	(void)state;
	assert_int_equal(watch_table_new(&t), 0);
	for (i = 1; i <= 20000; i++) {
		snprintf(path, sizeof(path), "/r/%d", i);
		assert_non_null(watch_table_add(t, i, 9, (uint64_t)i * 7, path,
						WATCH_DIR_TREE));
	}
	assert_int_equal(watch_table_count(t), 20000);
	for (i = 1; i <= 20000; i += 997) {
		snprintf(path, sizeof(path), "/r/%d", i);
		assert_string_equal(watch_table_by_wd(t, i)->path, path);
		assert_int_equal(watch_table_by_inode(t, 9, (uint64_t)i * 7)->wd,
				 i);
	}
	for (i = 1; i <= 20000; i += 2)
		watch_table_remove(t, i);
	assert_int_equal(watch_table_count(t), 10000);
	assert_null(watch_table_by_wd(t, 1));
	assert_non_null(watch_table_by_wd(t, 2));
	watch_table_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_lookup_remove),
		cmocka_unit_test(test_under_and_kind),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
