/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_memo.c - the memo: dense and sparse indexes, overwrites, counts
 * and references, as the unpickler's memo behaves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pickle/memo.h"
#include "pickle/pw_values.h"

static void
test_dense_and_sparse(void **state)
{
	struct pv_pool pool;
	struct memo m;
	struct pv *a, *b;
	uint64_t k;

	(void)state;
	pv_pool_init(&pool, false);
	memo_init(&m);
	a = pv_new_int(&pool, 1, false);
	b = pv_new_int(&pool, 2, false);
	assert_non_null(a);
	assert_non_null(b);
	for (k = 0; k < 100; k++)
		assert_int_equal(memo_put(&m, &pool, k, a), 0);
	assert_int_equal(m.count, 100);
	assert_ptr_equal(memo_get(&m, 99), a);
	assert_null(memo_get(&m, 100));
	/* A sparse index (LONG_BINPUT 2^32-1) costs a slot, not an array. */
	assert_int_equal(memo_put(&m, &pool, UINT32_MAX, b), 0);
	assert_ptr_equal(memo_get(&m, UINT32_MAX), b);
	assert_int_equal(m.count, 101);
	/* Overwriting keeps the count. */
	assert_int_equal(memo_put(&m, &pool, 5, b), 0);
	assert_ptr_equal(memo_get(&m, 5), b);
	assert_int_equal(memo_put(&m, &pool, UINT32_MAX, a), 0);
	assert_ptr_equal(memo_get(&m, UINT32_MAX), a);
	assert_int_equal(m.count, 101);
	pv_unref(&pool, a);
	pv_unref(&pool, b);
	memo_fini(&m, &pool);
	pv_pool_fini(&pool);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dense_and_sparse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
