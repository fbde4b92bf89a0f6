/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_landing.c - when the watcher looks at a file that is still being
 * written (agent/watch/landing.c): the doubling schedule, its cost bound,
 * and the bounded per-file table.  The looks themselves are prefix scans
 * in the library (tests/containers/test_zip_prefix.c) run by the workers
 * (tests/sandbox/test_sandbox.c); end to end in tests/watch/landing.sh.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/watch/landing.h"

static void
test_schedule_doubles(void **state)
{
	struct landing_state st;

	(void)state;
	landing_init(&st);
	assert_false(landing_due(&st, 0));
	assert_false(landing_due(&st, LANDING_FIRST - 1));
	assert_true(landing_due(&st, LANDING_FIRST));
	landing_looked(&st, LANDING_FIRST + 10);
	assert_false(landing_due(&st, 2 * LANDING_FIRST));
	assert_true(landing_due(&st, 2 * (LANDING_FIRST + 10)));
	/* Truncated and written anew: the schedule starts again. */
	landing_seen(&st, LANDING_FIRST + 20);	/* grown: nothing changes */
	assert_int_equal(st.looks, 1);
	assert_false(landing_due(&st, LANDING_FIRST + 20));
	landing_seen(&st, 100);
	assert_int_equal(st.looks, 0);
	assert_true(landing_due(&st, LANDING_FIRST));
	landing_looked(&st, LANDING_FIRST + 10);
	/* Past the cap the full scan at the end does it. */
	assert_false(landing_due(&st, LANDING_MAX_PREFIX + 1));
	/* Zeroed state is a fresh one. */
	memset(&st, 0, sizeof(st));
	assert_true(landing_due(&st, LANDING_FIRST));
	landing_final(&st);
	assert_false(landing_due(&st, 1u << 30));
}

/* A file growing to 200 MiB in writes of every size from 1 byte to
 * 1 MiB, looked at whenever due: the prefixes asked for add up to less
 * than twice the final size, whatever the write sizes. */
static void
test_cost_bounded(void **state)
{
	static const uint64_t writes[] = {1, 4096, 65536, 1u << 20, 777777};
	size_t w;

	(void)state;
	for (w = 0; w < sizeof(writes) / sizeof(writes[0]); w++) {
		struct landing_state st;
		uint64_t size = 0, final = 200u << 20, step = writes[w];

		if (step == 1)
			final = 4u << 20;	/* keep the loop short */
		landing_init(&st);
		while (size < final) {
			size += step;
			if (landing_due(&st, size))
				landing_looked(&st, size);
		}
		assert_true(st.looks >= 3);
		assert_true(st.asked < 2 * size);
	}
}

static void
test_table_forget_and_bound(void **state)
{
	struct landing_table *t = landing_table_new(4);
	struct landing_state *a, *b;
	char path[32];
	int i;

	(void)state;
	assert_non_null(t);
	a = landing_table_get(t, "/r/a.incomplete", 1);
	assert_non_null(a);
	landing_looked(a, LANDING_FIRST);
	/* The same path is the same state. */
	b = landing_table_get(t, "/r/a.incomplete", 2);
	assert_ptr_equal(a, b);
	assert_int_equal(b->looks, 1);
	/* Forgotten on close/rename/delete: a new writer starts afresh. */
	landing_table_forget(t, "/r/a.incomplete");
	assert_int_equal(landing_table_count(t), 0);
	b = landing_table_get(t, "/r/a.incomplete", 3);
	assert_int_equal(b->looks, 0);
	landing_table_forget(t, "/r/unknown");
	/* Bounded: the least recently touched file makes room. */
	for (i = 0; i < 10; i++) {
		snprintf(path, sizeof(path), "/r/f%d", i);
		assert_non_null(landing_table_get(t, path, 10 + (uint64_t)i));
		assert_true(landing_table_count(t) <= 4);
	}
	assert_int_equal(landing_table_count(t), 4);
	/* f9 (newest) is still there with its state. */
	a = landing_table_get(t, "/r/f9", 100);
	landing_looked(a, LANDING_FIRST);
	assert_int_equal(landing_table_get(t, "/r/f9", 101)->looks, 1);
	landing_table_free(t);
	landing_table_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schedule_doubles),
		cmocka_unit_test(test_cost_bounded),
		cmocka_unit_test(test_table_forget_and_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
