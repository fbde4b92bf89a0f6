/*
 * test_guard.c - the guard's pure parts: the [guard] configuration section
 * (values, defaults, errors, round trip), which paths are guarded, the
 * static prefix that decides what to mark, and the table that turns twenty
 * opens of one file into one scan.  The fanotify side is tested end to end
 * by the scripts in tests/guard/.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/guard/guard_int.h"
#include "policy/policy.h"

static struct policy *
load(const char *text, struct policy_error *err)
{
	struct policy *p = NULL;

	if (policy_load_string(text, "t.ini", &p, err) != 0)
		return NULL;
	return p;
}

static void
test_defaults(void **state)
{
	struct policy_error err;
	struct policy *p = load("", &err);

	(void)state;
	assert_non_null(p);
	assert_int_equal(p->guard_paths.n, 4);
	assert_string_equal(p->guard_paths.v[0], "/home/*/.cache/huggingface");
	assert_int_equal(p->guard_timeout_ms, 30000);
	assert_int_equal(p->guard_on_timeout, POLICY_ANSWER_DENY);
	assert_int_equal(p->guard_on_error, POLICY_ANSWER_DENY);
	assert_string_equal(p->guard_quarantine_dir,
			    "/var/lib/picklewarden/quarantine");
	assert_int_equal(p->guard_workers, 2);
	policy_free(p);
}

static const char full[] =
	"[guard]\n"
	"paths = /srv/models, /home/*/.cache/huggingface\n"
	"timeout = 500ms\n"
	"on_timeout = allow\n"
	"on_error = deny\n"
	"quarantine = /var/q\n"
	"workers = 3\n";

static void
check_full(const struct policy *p)
{
	assert_int_equal(p->guard_paths.n, 2);
	assert_string_equal(p->guard_paths.v[0], "/srv/models");
	assert_string_equal(p->guard_paths.v[1], "/home/*/.cache/huggingface");
	assert_int_equal(p->guard_timeout_ms, 500);
	assert_int_equal(p->guard_on_timeout, POLICY_ANSWER_ALLOW);
	assert_int_equal(p->guard_on_error, POLICY_ANSWER_DENY);
	assert_string_equal(p->guard_quarantine_dir, "/var/q");
	assert_int_equal(p->guard_workers, 3);
}

static void
test_values_and_round_trip(void **state)
{
	struct policy_error err;
	struct policy *p = load(full, &err), *q;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_non_null(p);
	check_full(p);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(policy_write(p, f), 0);
	fclose(f);
	q = load(buf, &err);
	assert_non_null(q);
	check_full(q);
	policy_free(p);
	policy_free(q);
	free(buf);
	p = load("[guard]\ntimeout = 45\n", &err);
	assert_non_null(p);
	assert_int_equal(p->guard_timeout_ms, 45000);
	policy_free(p);
	p = load("[guard]\ntimeout = 2s\n", &err);
	assert_non_null(p);
	assert_int_equal(p->guard_timeout_ms, 2000);
	policy_free(p);
}

static void
test_errors(void **state)
{
	static const struct {
		const char *text, *key;
	} bad[] = {
		{"[guard]\ntimeout = 0\n", "guard.timeout"},
		{"[guard]\ntimeout = 3601s\n", "guard.timeout"},
		{"[guard]\ntimeout = 5m\n", "guard.timeout"},
		{"[guard]\ntimeout = ms\n", "guard.timeout"},
		{"[guard]\non_error = maybe\n", "guard.on_error"},
		{"[guard]\non_timeout = \n", "guard.on_timeout"},
		{"[guard]\nworkers = 0\n", "guard.workers"},
		{"[guard]\nworkers = 65\n", "guard.workers"},
		{"[guard]\npaths = srv/models\n", "guard.paths"},
		{"[guard]\npaths = /a,,/b\n", "guard.paths"},
		{"[guard]\nquarantine = q\n", "guard.quarantine"},
		{"[guard]\nscan = yes\n", "guard.scan"},
	};
	struct policy_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_null(load(bad[i].text, &err));
		assert_int_equal(err.line, 2);
		assert_string_equal(err.key, bad[i].key);
		assert_string_equal(err.file, "t.ini");
	}
}

static void
test_is_guarded(void **state)
{
	struct policy_error err;
	struct policy *p = load(full, &err);

	(void)state;
	assert_non_null(p);
	assert_true(policy_is_guarded(p, "/srv/models"));
	assert_true(policy_is_guarded(p, "/srv/models/a/b.pt"));
	assert_false(policy_is_guarded(p, "/srv/modelsx/b.pt"));
	assert_false(policy_is_guarded(p, "/srv/b.pt"));
	assert_true(policy_is_guarded(
		p, "/home/ann/.cache/huggingface/hub/blobs/0123"));
	/* "*" is one path component. */
	assert_false(policy_is_guarded(p, "/home/ann/x/.cache/huggingface/a"));
	assert_false(policy_is_guarded(p, "/home/ann/.cache/torch/a"));
	policy_free(p);
}

static void
test_static_prefix(void **state)
{
	static const char *const cases[][2] = {
		{"/home/*/.cache/huggingface", "/home"},
		{"/srv/models", "/srv/models"},
		{"/*/models", "/"},
		{"/data/run[0-9]/ckpt", "/data"},
		{"/data/a?b", "/data"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = guard_marks_static_prefix(cases[i][0]);

		assert_non_null(s);
		assert_string_equal(s, cases[i][1]);
		free(s);
	}
}

static struct guard_waiter *
waiter(void)
{
	struct guard_waiter *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	w->fd = -1;
	return w;
}

static size_t
count(const struct guard_waiter *w)
{
	size_t n = 0;

	for (; w; w = w->next)
		n++;
	return n;
}

static void
test_table(void **state)
{
	struct policy_error err;
	struct guard g;
	struct guard_stamp st, st2;
	struct guard_waiter *list;
	enum guard_answer a;
	uint64_t next;
	int v, i;

	(void)state;
	memset(&g, 0, sizeof(g));
	g.policy = load("[guard]\non_timeout = allow\n", &err);
	assert_non_null(g.policy);
	assert_int_equal(guard_table_new(&g.table), 0);
	memset(&st, 0, sizeof(st));
	st.dev = 7;
	st.ino = 42;
	st.size = 100;
	st.mtime.tv_sec = 1000;
	st.ctime.tv_sec = 1000;

	/* Twenty opens, one scan. */
	assert_int_equal(guard_table_open(&g, &st, waiter(), 100, &a, &v),
			 GUARD_OPEN_START);
	for (i = 1; i < 20; i++)
		assert_int_equal(guard_table_open(&g, &st, waiter(), 100, &a,
						  &v), GUARD_OPEN_JOINED);
	assert_true(guard_table_known_bad(g.table, 7, 42));
	assert_int_equal(guard_table_scanning(g.table), 1);
	list = guard_table_finish(g.table, &st, true, GUARD_ALLOW, 0);
	assert_int_equal(count(list), 20);
	guard_waiters_free(list);
	assert_false(guard_table_known_bad(g.table, 7, 42));

	/* Cached with the same stamps; a new ctime is new content. */
	list = waiter();
	assert_int_equal(guard_table_open(&g, &st, list, 100, &a, &v),
			 GUARD_OPEN_CACHED);
	assert_int_equal(a, GUARD_ALLOW);
	assert_int_equal(v, 0);
	guard_waiters_free(list);
	st2 = st;
	st2.ctime.tv_sec++;
	assert_int_equal(guard_table_open(&g, &st2, waiter(), 100, &a, &v),
			 GUARD_OPEN_START);
	/* A writer closing the file marks the running scan stale once. */
	guard_table_forget(g.table, 7, 42);
	assert_true(guard_table_take_stale(g.table, &st2));
	assert_false(guard_table_take_stale(g.table, &st2));
	guard_waiters_free(guard_table_finish(g.table, &st2, true, GUARD_DENY,
					      3));
	/* A denied file stays denied when only its ctime moves (renamed
	 * into the quarantine). */
	st2.ctime.tv_sec += 5;
	list = waiter();
	assert_int_equal(guard_table_open(&g, &st2, list, 100, &a, &v),
			 GUARD_OPEN_CACHED);
	assert_int_equal(a, GUARD_DENY);
	assert_int_equal(v, 3);
	guard_waiters_free(list);
	assert_true(guard_table_known_bad(g.table, 7, 42));
	/* FAN_CLOSE_WRITE forgets it. */
	guard_table_forget(g.table, 7, 42);
	assert_false(guard_table_known_bad(g.table, 7, 42));

	/* Timeouts: waiters are handed back, later openers refused per
	 * on_timeout, the late verdict is still cached. */
	st.ino = 43;
	assert_int_equal(guard_table_open(&g, &st, waiter(), 100, &a, &v),
			 GUARD_OPEN_START);
	list = guard_table_expire(g.table, 99, &next);
	assert_null(list);
	assert_int_equal(next, 100);
	list = guard_table_expire(g.table, 100, &next);
	assert_int_equal(count(list), 1);
	assert_int_equal(next, UINT64_MAX);
	guard_waiters_free(list);
	list = waiter();
	assert_int_equal(guard_table_open(&g, &st, list, 100, &a, &v),
			 GUARD_OPEN_REFUSED);
	assert_int_equal(a, GUARD_ALLOW);
	guard_waiters_free(list);
	assert_null(guard_table_finish(g.table, &st, true, GUARD_ALLOW, 0));
	assert_int_equal(guard_table_cached(g.table), 1);

	/* Shutdown: pending waiters handed back, new opens refused per
	 * on_error (deny). */
	st.ino = 44;
	assert_int_equal(guard_table_open(&g, &st, waiter(), 100, &a, &v),
			 GUARD_OPEN_START);
	list = guard_table_drain(g.table);
	assert_int_equal(count(list), 1);
	guard_waiters_free(list);
	list = waiter();
	assert_int_equal(guard_table_open(&g, &st, list, 100, &a, &v),
			 GUARD_OPEN_REFUSED);
	assert_int_equal(a, GUARD_DENY);
	guard_waiters_free(list);

	guard_table_free(g.table);
	policy_free((struct policy *)g.policy);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values_and_round_trip),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_is_guarded),
		cmocka_unit_test(test_static_prefix),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
