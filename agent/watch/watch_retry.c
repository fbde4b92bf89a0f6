/*
 * watch_retry.c - see watch_retry.h.  One thread sleeps until the next
 * entry is due, then runs the ordinary job for it (open, scan, decide),
 * so a retry is judged exactly like the first attempt.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "agent/store/escape.h"
#include "agent/store/log.h"
#include "agent/watch/watch_job.h"
#include "agent/watch/watch_retry.h"

struct retry_entry {
	char *path;
	dev_t dev;
	ino_t ino;
	uint64_t due_ms;
	uint32_t delay_ms;
	unsigned attempts;
	enum watch_retry_why why;
	bool running;
	bool settled;		/* see watch_retry_settle */
};

struct watch_retry {
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* CLOCK_MONOTONIC */
	pthread_t thread;
	struct watch_shared *sh;
	struct retry_entry *v;
	size_t n;
	bool stop;
	bool full_logged;
};

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* What failed, as the log lines say it. */
static const char *
why_text(enum watch_retry_why why)
{
	switch (why) {
	case WATCH_RETRY_SCAN:
		return "scan failed";
	case WATCH_RETRY_DECIDE:
		return "decision failed";
	case WATCH_RETRY_MOVE:
		break;
	}
	return "quarantine failed";
}

static void
entry_drop(struct watch_retry *r, size_t i)
{
	free(r->v[i].path);
	r->v[i] = r->v[--r->n];
}

/* Runs one due entry with the lock released; then reschedules it while
 * the same file is still there, or drops it. */
static void
run_one(struct watch_retry *r, size_t i)
{
	struct watch_job *job;
	struct stat st;
	char *path = strdup(r->v[i].path);
	dev_t dev = r->v[i].dev;
	ino_t ino = r->v[i].ino;
	size_t k;

	r->v[i].running = true;
	pthread_mutex_unlock(&r->lock);
	job = path ? watch_job_new(path, WATCH_JOB_RETRY) : NULL;
	if (job)
		watch_job_run(job, r->sh);	/* frees job */
	pthread_mutex_lock(&r->lock);
	/* Find it again: the array may have moved. */
	for (k = 0; k < r->n; k++)
		if (r->v[k].dev == dev && r->v[k].ino == ino &&
		    path && strcmp(r->v[k].path, path) == 0)
			break;
	if (k < r->n) {
		struct retry_entry *e = &r->v[k];

		e->running = false;
		if (e->settled || lstat(e->path, &st) != 0 ||
		    !S_ISREG(st.st_mode) || st.st_dev != dev ||
		    st.st_ino != ino) {
			/* Judged, quarantined, deleted or replaced: a new
			 * file gets its own event. */
			entry_drop(r, k);
		} else {
			char esc[1024];

			e->attempts++;
			e->delay_ms = e->delay_ms * 2 > WATCH_RETRY_MAX_DELAY_MS
				      ? WATCH_RETRY_MAX_DELAY_MS
				      : e->delay_ms * 2;
			e->due_ms = mono_ms() + e->delay_ms;
			escape_text_buf(e->path, esc, sizeof(esc));
			log_error("%s again, still in place "
				  "path=\"%s\" attempts=%u next_retry_ms=%u",
				  why_text(e->why), esc, e->attempts, e->delay_ms);
		}
	}
	free(path);
}

static void *
retry_main(void *arg)
{
	struct watch_retry *r = arg;

	pthread_mutex_lock(&r->lock);
	while (!r->stop) {
		uint64_t now = mono_ms(), next = UINT64_MAX;
		size_t i;
		bool ran = false;

		for (i = 0; i < r->n && !r->stop; i++) {
			if (r->v[i].running)
				continue;
			if (r->v[i].due_ms <= now) {
				run_one(r, i);
				ran = true;
				break;	/* the array changed: look again */
			}
			if (r->v[i].due_ms < next)
				next = r->v[i].due_ms;
		}
		if (ran || r->stop)
			continue;
		if (next == UINT64_MAX) {
			pthread_cond_wait(&r->cond, &r->lock);
		} else {
			struct timespec ts;

			ts.tv_sec = (time_t)(next / 1000u);
			ts.tv_nsec = (long)(next % 1000u) * 1000000L;
			(void)pthread_cond_timedwait(&r->cond, &r->lock, &ts);
		}
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

int
watch_retry_new(struct watch_shared *sh, struct watch_retry **ret)
{
	struct watch_retry *r = calloc(1, sizeof(*r));
	pthread_condattr_t ca;
	int e;

	if (r == NULL)
		return -1;
	r->sh = sh;
	pthread_mutex_init(&r->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->cond, &ca);
	pthread_condattr_destroy(&ca);
	e = pthread_create(&r->thread, NULL, retry_main, r);
	if (e != 0) {
		pthread_cond_destroy(&r->cond);
		pthread_mutex_destroy(&r->lock);
		free(r);
		errno = e;
		return -1;
	}
	*ret = r;
	return 0;
}

void
watch_retry_free(struct watch_retry *r)
{
	size_t i;

	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = true;
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	for (i = 0; i < r->n; i++)
		free(r->v[i].path);
	free(r->v);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

void
watch_retry_add(struct watch_retry *r, const char *path, const struct stat *st,
		enum watch_retry_why why)
{
	struct retry_entry *nv;
	char esc[1024];
	size_t i;

	if (r == NULL)
		return;
	escape_text_buf(path, esc, sizeof(esc));
	pthread_mutex_lock(&r->lock);
	for (i = 0; i < r->n; i++)
		if (r->v[i].dev == st->st_dev && r->v[i].ino == st->st_ino &&
		    strcmp(r->v[i].path, path) == 0) {
			/* Already scheduled; this attempt failed too. */
			r->v[i].why = why;
			r->v[i].settled = false;
			goto out;
		}
	if (r->n >= WATCH_RETRY_MAX) {
		if (!r->full_logged)
			log_error("retry list full (%d files); "
				  "not retrying path=\"%s\" until it changes",
				  WATCH_RETRY_MAX, esc);
		r->full_logged = true;
		goto out;
	}
	nv = reallocarray(r->v, r->n + 1, sizeof(*nv));
	if (nv == NULL)
		goto out;
	r->v = nv;
	memset(&nv[r->n], 0, sizeof(nv[r->n]));
	nv[r->n].path = strdup(path);
	if (nv[r->n].path == NULL)
		goto out;
	nv[r->n].dev = st->st_dev;
	nv[r->n].ino = st->st_ino;
	nv[r->n].delay_ms = WATCH_RETRY_FIRST_DELAY_MS;
	nv[r->n].due_ms = mono_ms() + WATCH_RETRY_FIRST_DELAY_MS;
	nv[r->n].why = why;
	r->n++;
	log_error("%s, file left in place and retried "
		  "path=\"%s\" next_retry_ms=%u",
		  why_text(why), esc, WATCH_RETRY_FIRST_DELAY_MS);
	pthread_cond_signal(&r->cond);
out:
	pthread_mutex_unlock(&r->lock);
}

void
watch_retry_settle(struct watch_retry *r, const char *path,
		   const struct stat *st)
{
	size_t i;

	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	for (i = 0; i < r->n; i++)
		if (r->v[i].dev == st->st_dev && r->v[i].ino == st->st_ino &&
		    strcmp(r->v[i].path, path) == 0)
			r->v[i].settled = true;
	pthread_mutex_unlock(&r->lock);
}

bool
watch_retry_owns(struct watch_retry *r, const char *path,
		 const struct stat *st)
{
	bool found = false;
	size_t i;

	if (r == NULL)
		return false;
	pthread_mutex_lock(&r->lock);
	for (i = 0; i < r->n && !found; i++)
		found = r->v[i].dev == st->st_dev && r->v[i].ino == st->st_ino &&
			strcmp(r->v[i].path, path) == 0;
	pthread_mutex_unlock(&r->lock);
	return found;
}

size_t
watch_retry_count(struct watch_retry *r)
{
	size_t n;

	if (r == NULL)
		return 0;
	pthread_mutex_lock(&r->lock);
	n = r->n;
	pthread_mutex_unlock(&r->lock);
	return n;
}
