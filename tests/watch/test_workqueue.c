/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_workqueue.c - the bounded queue: every job runs once, a full queue
 * refuses without blocking, completions are signalled, and stopping drops
 * what never started.
 */
#include "config.h"

#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/watch/workqueue.h"

struct ctx {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool gate_open;
	int ran, dropped;
	int seen[1000];
};

static struct ctx g;

static void
run(void *job, void *arg)
{
	struct ctx *c = arg;
	int id = *(int *)job;

	pthread_mutex_lock(&c->lock);
	while (!c->gate_open)
		pthread_cond_wait(&c->cond, &c->lock);
	c->ran++;
	c->seen[id]++;
	pthread_mutex_unlock(&c->lock);
	free(job);
}

static void
drop(void *job)
{
	g.dropped++;
	free(job);
}

static int *
job(int id)
{
	int *j = malloc(sizeof(*j));

	*j = id;
	return j;
}

static void
reset(bool open)
{
	pthread_mutex_init(&g.lock, NULL);
	pthread_cond_init(&g.cond, NULL);
	g.gate_open = open;
	g.ran = g.dropped = 0;
	memset(g.seen, 0, sizeof(g.seen));
}

static void
open_gate(void)
{
	pthread_mutex_lock(&g.lock);
	g.gate_open = true;
	pthread_cond_broadcast(&g.cond);
	pthread_mutex_unlock(&g.lock);
}

static void
wait_idle(struct workqueue *q)
{
	struct pollfd p;
	int i;

	for (i = 0; i < 1000 && workqueue_busy(q) > 0; i++) {
		p.fd = workqueue_fd(q);
		p.events = POLLIN;
		(void)poll(&p, 1, 10);
		workqueue_ack(q);
	}
	assert_int_equal(workqueue_busy(q), 0);
}

static void
test_all_jobs_run_once(void **state)
{
	struct workqueue *q;
	int i, *j;

	(void)state;
	reset(true);
	assert_int_equal(workqueue_new(16, 4, run, drop, &g, &q), 0);
	for (i = 0; i < 1000; i++) {
		j = job(i);
		/* The producer never blocks: it retries when full. */
		while (!workqueue_try_push(q, j))
			wait_idle(q);
	}
	wait_idle(q);
	assert_int_equal(g.ran, 1000);
	for (i = 0; i < 1000; i++)
		assert_int_equal(g.seen[i], 1);
	workqueue_free(q);
	assert_int_equal(g.dropped, 0);
}

static void
test_full_refuses_and_free_drops(void **state)
{
	struct workqueue *q;
	struct pollfd p;
	int i, *j;

	(void)state;
	reset(false);
	assert_int_equal(workqueue_new(4, 2, run, drop, &g, &q), 0);
	/* Two jobs block the two workers, four wait: the seventh is
	 * refused at once (the test would hang if it blocked). */
	for (i = 0; i < 6; i++) {
		j = job(i);
		while (!workqueue_try_push(q, j))
			;	/* until the workers took the first two */
		if (i < 2)
			while (workqueue_room(q) < 4)
				;
	}
	j = job(6);
	assert_false(workqueue_try_push(q, j));
	free(j);
	assert_int_equal(workqueue_room(q), 0);
	assert_int_equal(workqueue_busy(q), 6);
	/* Nothing finished yet: the completion fd is not readable. */
	p.fd = workqueue_fd(q);
	p.events = POLLIN;
	assert_int_equal(poll(&p, 1, 0), 0);

	open_gate();
	assert_int_equal(poll(&p, 1, 5000), 1);
	wait_idle(q);
	assert_int_equal(g.ran, 6);
	workqueue_free(q);

	/* Queued jobs that never started are dropped on free. */
	reset(false);
	assert_int_equal(workqueue_new(8, 1, run, drop, &g, &q), 0);
	for (i = 0; i < 5; i++)
		assert_true(workqueue_try_push(q, job(i)));
	while (workqueue_room(q) < 4)
		;	/* the worker holds one job at the gate */
	open_gate();
	workqueue_free(q);
	assert_int_equal(g.ran + g.dropped, 5);
}

static void
test_bad_arguments(void **state)
{
	struct workqueue *q = NULL;

	(void)state;
	assert_int_equal(workqueue_new(0, 1, run, drop, &g, &q), -1);
	assert_int_equal(workqueue_new(1, 0, run, drop, &g, &q), -1);
	assert_int_equal(workqueue_new(1, 65, run, drop, &g, &q), -1);
	assert_int_equal(workqueue_new((size_t)1 << 21, 1, run, drop, &g, &q),
			 -1);
	assert_null(q);
	workqueue_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_jobs_run_once),
		cmocka_unit_test(test_full_refuses_and_free_drops),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
