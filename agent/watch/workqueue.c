/* SPDX-License-Identifier: Apache-2.0 */
/*
 * workqueue.c - see workqueue.h.  One mutex and two condition variables;
 * jobs live in a ring buffer allocated once, so pushing never allocates.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "agent/watch/workqueue.h"

/* More threads than this only add contention: scans are short. */
#define WORKQUEUE_MAX_WORKERS 64
/* A cap so a configuration typo cannot reserve gigabytes of ring. */
#define WORKQUEUE_MAX_CAPACITY ((size_t)1 << 20)

struct workqueue {
	pthread_mutex_t lock;
	pthread_cond_t nonempty;
	void **ring;
	size_t capacity, head, count;
	size_t running;
	bool stopping;
	int event_fd;
	workqueue_run_fn run;
	workqueue_drop_fn drop;
	void *arg;
	pthread_t *threads;
	unsigned nthreads;
};

static void *
worker_main(void *p)
{
	struct workqueue *q = p;
	uint64_t one = 1;
	void *job;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (q->count == 0 && !q->stopping)
			pthread_cond_wait(&q->nonempty, &q->lock);
		if (q->stopping)
			break;
		job = q->ring[q->head];
		q->head = (q->head + 1) % q->capacity;
		q->count--;
		q->running++;
		pthread_mutex_unlock(&q->lock);

		q->run(job, q->arg);

		pthread_mutex_lock(&q->lock);
		q->running--;
		/* Wake the producer: there is room again.  A full eventfd
		 * counter (EAGAIN) already means "readable". */
		(void)!write(q->event_fd, &one, sizeof(one));
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

int
workqueue_new(size_t capacity, unsigned workers, workqueue_run_fn run,
	      workqueue_drop_fn drop, void *arg, struct workqueue **ret)
{
	struct workqueue *q = NULL;
	int err = 0;
	unsigned i;

	if (capacity == 0 || capacity > WORKQUEUE_MAX_CAPACITY ||
	    workers == 0 || workers > WORKQUEUE_MAX_WORKERS || run == NULL) {
		errno = EINVAL;
		return -1;
	}
	q = calloc(1, sizeof(*q));
	if (q == NULL)
		return -1;
	q->event_fd = -1;
	q->capacity = capacity;
	q->run = run;
	q->drop = drop;
	q->arg = arg;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->nonempty, NULL);
	q->ring = calloc(capacity, sizeof(*q->ring));
	q->threads = calloc(workers, sizeof(*q->threads));
	if (q->ring == NULL || q->threads == NULL) {
		err = ENOMEM;
		goto out;
	}
	q->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->event_fd < 0) {
		err = errno;
		goto out;
	}
	for (i = 0; i < workers; i++) {
		err = pthread_create(&q->threads[i], NULL, worker_main, q);
		if (err != 0)
			goto out;
		q->nthreads++;
	}
	*ret = q;
	q = NULL;
out:
	workqueue_free(q);
	if (err != 0)
		errno = err;
	return err == 0 ? 0 : -1;
}

void
workqueue_free(struct workqueue *q)
{
	unsigned i;

	if (q == NULL)
		return;
	pthread_mutex_lock(&q->lock);
	q->stopping = true;
	pthread_cond_broadcast(&q->nonempty);
	pthread_mutex_unlock(&q->lock);
	for (i = 0; i < q->nthreads; i++)
		pthread_join(q->threads[i], NULL);
	/* Workers are gone: what is left was never started. */
	while (q->count > 0) {
		if (q->drop != NULL)
			q->drop(q->ring[q->head]);
		q->head = (q->head + 1) % q->capacity;
		q->count--;
	}
	if (q->event_fd >= 0)
		close(q->event_fd);
	pthread_cond_destroy(&q->nonempty);
	pthread_mutex_destroy(&q->lock);
	free(q->threads);
	free(q->ring);
	free(q);
}

bool
workqueue_try_push(struct workqueue *q, void *job)
{
	bool ok = false;

	pthread_mutex_lock(&q->lock);
	if (q->count < q->capacity && !q->stopping) {
		q->ring[(q->head + q->count) % q->capacity] = job;
		q->count++;
		pthread_cond_signal(&q->nonempty);
		ok = true;
	}
	pthread_mutex_unlock(&q->lock);
	return ok;
}

bool
workqueue_try_push_front(struct workqueue *q, void *job)
{
	bool ok = false;

	pthread_mutex_lock(&q->lock);
	if (q->count < q->capacity && !q->stopping) {
		q->head = (q->head + q->capacity - 1) % q->capacity;
		q->ring[q->head] = job;
		q->count++;
		pthread_cond_signal(&q->nonempty);
		ok = true;
	}
	pthread_mutex_unlock(&q->lock);
	return ok;
}

size_t
workqueue_busy(struct workqueue *q)
{
	size_t n;

	pthread_mutex_lock(&q->lock);
	n = q->count + q->running;
	pthread_mutex_unlock(&q->lock);
	return n;
}

size_t
workqueue_room(struct workqueue *q)
{
	size_t n;

	pthread_mutex_lock(&q->lock);
	n = q->capacity - q->count;
	pthread_mutex_unlock(&q->lock);
	return n;
}

int
workqueue_fd(const struct workqueue *q)
{
	return q->event_fd;
}

void
workqueue_ack(struct workqueue *q)
{
	uint64_t v;

	(void)!read(q->event_fd, &v, sizeof(v));
}
