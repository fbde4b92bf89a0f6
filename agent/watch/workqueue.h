/* SPDX-License-Identifier: Apache-2.0 */
/*
 * workqueue.h - a bounded FIFO of jobs run by a fixed set of worker
 * threads.
 *
 * The producer (the agent's event loop) must never block on a scan, so a
 * push never waits: when the queue is full it fails and the caller keeps
 * the work for later (the watcher remembers the directory and walks it
 * again once room frees up).  Completions are signalled on an eventfd the
 * producer polls together with its other descriptors.
 */
#ifndef PW_AGENT_WORKQUEUE_H
#define PW_AGENT_WORKQUEUE_H

#include <stdbool.h>
#include <stddef.h>

struct workqueue;

/* Runs one job on a worker thread; owns job and must free it. */
typedef void (*workqueue_run_fn)(void *job, void *arg);
/* Frees a job that was never run (queue destroyed with jobs left). */
typedef void (*workqueue_drop_fn)(void *job);

/*
 * Starts workers threads (1..64) serving a queue of at most capacity
 * (1..1<<20) waiting jobs.  arg is passed to every run call and must
 * outlive the queue.  Writes *ret only on success; returns 0 or -1 with
 * errno set (EINVAL, ENOMEM, or an error from eventfd/pthread_create).
 */
int workqueue_new(size_t capacity, unsigned workers, workqueue_run_fn run,
		  workqueue_drop_fn drop, void *arg, struct workqueue **ret);

/*
 * Stops the workers: jobs already running finish, jobs still waiting are
 * dropped (given to the drop function).  NULL is a no-op.
 */
void workqueue_free(struct workqueue *q);

/* Queues job without blocking.  Returns true when queued (the queue owns
 * job), false when the queue is full (the caller still owns it). */
bool workqueue_try_push(struct workqueue *q, void *job);

/* As workqueue_try_push, but the job runs before every job waiting: a
 * file that just arrived is judged before a rescan backlog. */
bool workqueue_try_push_front(struct workqueue *q, void *job);

/* Jobs waiting or running. */
size_t workqueue_busy(struct workqueue *q);

/* Free slots in the waiting queue. */
size_t workqueue_room(struct workqueue *q);

/* A descriptor that is readable after at least one job finished since the
 * last workqueue_ack (non-blocking eventfd; poll it for POLLIN). */
int workqueue_fd(const struct workqueue *q);
void workqueue_ack(struct workqueue *q);

#endif
