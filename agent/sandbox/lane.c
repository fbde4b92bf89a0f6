/*
 * lane.c - files to scan, on a borrowed worker (a lane): sent in batches
 * (one message, one wake-up of the worker, for up to
 * SANDBOX_WIRE_MAX_BATCH files), answered in order and validated as
 * hostile input.  A worker that dies or overruns is blamed for the file
 * its progress word says it was on; the files before it (done, their
 * answers held back) and after it go to its replacement.  The one-file
 * calls (sandbox_scan_fd and friends) are a lane of one.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/sandbox/pool_internal.h"
#include "agent/sandbox/sandbox.h"
#include "agent/sandbox/wire.h"

/* The i-th oldest job of w's queue. */
static struct job *
job_at(struct worker *w, unsigned i)
{
	return &w->q[(w->qhead + i) % SANDBOX_LANE_DEPTH];
}

/*
 * Which of w's sent jobs the worker is on, by its progress word: the
 * index in the queue, or -1 when it has begun none of them (it is between
 * files, or the word is nonsense).  Answers arrive per batch, so the
 * worker may be several files past the oldest unanswered one.
 */
static int
on_job(const struct worker *w, uint32_t *ret_ms)
{
	uint64_t word = w->progress ? __atomic_load_n(w->progress,
						       __ATOMIC_ACQUIRE)
				    : 0;
	uint32_t started = (uint32_t)(word >> 32);
	uint32_t rel = started - 1u - (uint32_t)w->scans;

	if (started == (uint32_t)w->scans || rel >= w->nsent)
		return -1;
	if (ret_ms)
		*ret_ms = (uint32_t)word;
	return (int)rel;
}

/*
 * When the file the worker is on must be done (0: never): its deadline
 * from when the worker says it began it.  That claim is clamped: never
 * before the agent last heard from the worker (the oldest answer, or the
 * send), and never later than the oldest file's deadline plus the time a
 * worker may hold an answer (SANDBOX_WIRE_HOLD_MS) and a second for
 * scheduling: a worker past the oldest file finished it and began the
 * next within that hold.  So a worker that keeps writing a fresh time, or
 * claims to be far down its batch (taken over, it could, sleeping in
 * futex between writes), gains at most that.  Before the worker begins
 * any file, the oldest's deadline from then.
 */
static uint64_t
file_end(struct worker *w)
{
	uint64_t now = now_ms(), start = w->head_ms, latest;
	uint32_t ms = 0, age;
	int i = on_job(w, &ms);
	const struct job *j = job_at(w, i < 0 ? 0 : (unsigned)i);

	if (j->deadline_ms == 0)
		return 0;
	if (i > 0) {
		age = (uint32_t)now - ms;
		if (age <= now - w->head_ms)
			start = now - age;
		latest = w->head_ms + job_at(w, 0)->deadline_ms +
			 SANDBOX_WIRE_HOLD_MS + 1000u;
		if (start > latest)
			start = latest;
	}
	return start + j->deadline_ms;
}

static int
send_batch(struct worker *w, unsigned from, unsigned count)
{
	uint8_t req[SANDBOX_WIRE_REQUEST_MAX];
	uint64_t prefix[SANDBOX_WIRE_MAX_BATCH];
	int fds[SANDBOX_WIRE_MAX_BATCH];
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * SANDBOX_WIRE_MAX_BATCH)];
	} cbuf;
	struct iovec iov;
	struct msghdr mh;
	struct cmsghdr *c;
	size_t len;
	ssize_t n;
	unsigned i;

	for (i = 0; i < count; i++) {
		prefix[i] = job_at(w, from + i)->prefix_len;
		fds[i] = job_at(w, from + i)->fd;
	}
	len = sandbox_wire_request(req, 0, job_at(w, from)->deadline_ms,
				   count, prefix);
	iov.iov_base = req;
	iov.iov_len = len;
	memset(&cbuf, 0, sizeof(cbuf));
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = CMSG_SPACE(sizeof(int) * count);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * count);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * count);
	do
		n = sendmsg(w->sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : -1;
}

/* RECV_NOSTART: a worker started without waiting never became ready
 * (it could not lock itself down); no file's fault. */
enum recv_outcome {
	RECV_OK, RECV_EOF, RECV_TIMEOUT, RECV_ERROR, RECV_BAD, RECV_NOSTART
};

/* What the receive buffer starts with: most results fit, and one read
 * usually takes the answers to a whole batch of small files. */
#define SANDBOX_FIRST_READ 16384

/*
 * The receive buffer: w->rbuf[rpos, rlen) is received and not yet taken.
 * Answers are taken by moving rpos, not the bytes after them (a batch of
 * 64 small answers in one read would otherwise be moved 64 times).
 */
static uint8_t *
unread(const struct worker *w)
{
	return w->rbuf + w->rpos;
}

static size_t
unread_len(const struct worker *w)
{
	return w->rlen - w->rpos;
}

/* Room for total unread bytes (0: just room to read more); false when
 * out of memory. */
static bool
make_room(struct worker *w, size_t total)
{
	uint8_t *nb;

	if (w->rbuf == NULL) {
		w->rbuf = malloc(SANDBOX_FIRST_READ);
		if (w->rbuf == NULL)
			return false;
		w->rcap = SANDBOX_FIRST_READ;
		w->rpos = w->rlen = 0;
	}
	if (w->rpos > 0 && (w->rlen == w->rcap || total > w->rcap - w->rpos)) {
		memmove(w->rbuf, unread(w), unread_len(w));
		w->rlen -= w->rpos;
		w->rpos = 0;
	}
	if (total > w->rcap) {
		nb = realloc(w->rbuf, total);
		if (nb == NULL)
			return false;
		w->rbuf = nb;
		w->rcap = total;
	}
	return true;
}

/* Drops the first len unread bytes (an answer taken). */
static void
take_message(struct worker *w, size_t len)
{
	w->rpos += len;
	if (w->rpos < w->rlen)
		return;
	w->rpos = w->rlen = 0;
	/* A large answer grew the buffer; do not keep megabytes per idle
	 * worker. */
	if (w->rcap > 4 * SANDBOX_FIRST_READ) {
		free(w->rbuf);
		w->rbuf = NULL;
		w->rcap = 0;
	}
}

/* The size of the next answer, header included, in *ret_total: 0 while
 * its header is not all in.  -1 (with *why) when that header is not one
 * an honest worker sends. */
static int
answer_size(const struct worker *w, size_t *ret_total, const char **why)
{
	uint32_t body;

	*ret_total = 0;
	if (w->rbuf == NULL || unread_len(w) < SANDBOX_WIRE_HEADER_SIZE)
		return 0;
	if (sandbox_wire_parse_header(unread(w), unread_len(w), &body,
				      why) != 0)
		return -1;
	*ret_total = SANDBOX_WIRE_HEADER_SIZE + (size_t)body;
	return 0;
}

/* Reads what the worker has sent, without waiting; as recv. */
static ssize_t
read_more(struct worker *w)
{
	ssize_t n = recv(w->sock, w->rbuf + w->rlen, w->rcap - w->rlen,
			 MSG_DONTWAIT);

	if (n > 0)
		w->rlen += (size_t)n;
	return n;
}

/*
 * Takes the next answer from the worker, reading until it is whole or
 * the deadline of the file the worker is on passes (file_end).  Bytes
 * beyond it stay for the next answer.  On RECV_OK *ret_msg points into
 * w->rbuf (valid until the next call) with *ret_len bytes, which the
 * caller consumes with take_message; on RECV_BAD *ret_why says what was
 * wrong.
 */
static enum recv_outcome
next_message(struct worker *w, const uint8_t **ret_msg, size_t *ret_len,
	     const char **ret_why)
{
	size_t total = 0;
	uint64_t end;

	if (!make_room(w, 0))
		return RECV_ERROR;
	for (;;) {
		struct pollfd pfd = {w->sock, POLLIN, 0};
		int timeout = -1, r;
		ssize_t n;

		if (w->starting && unread_len(w) >= SANDBOX_WIRE_READY_SIZE) {
			if (memcmp(unread(w), SANDBOX_WIRE_READY,
				   SANDBOX_WIRE_READY_SIZE) != 0) {
				*ret_why = "a bad ready message";
				return RECV_NOSTART;
			}
			take_message(w, SANDBOX_WIRE_READY_SIZE);
			w->starting = false;
			w->head_ms = now_ms();
			/* Its warm-up counts against its CPU budget. */
			w->busy_ms += w->head_ms - w->begun_ms;
			w->begun_ms = w->head_ms;
		}
		if (!w->starting) {
			if (answer_size(w, &total, ret_why) != 0)
				return RECV_BAD;
			if (total != 0 && unread_len(w) >= total)
				break;
		}
		if (!make_room(w, total))
			return RECV_ERROR;
		/* Read first: an answer already there counts even when its
		 * collector comes late (answers are collected in order).
		 * Only waiting is timed. */
		n = read_more(w);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			/* A worker started without waiting: its ready
			 * message first, within the start-up allowance.
			 * Then the deadline of the file it is on, again at
			 * every wake-up: it moves on as files are done. */
			end = w->starting ? w->begun_ms + SANDBOX_READY_MS
					  : file_end(w);
			if (end != 0) {
				uint64_t now = now_ms();

				if (now >= end)
					return w->starting ? RECV_NOSTART
							   : RECV_TIMEOUT;
				timeout = end - now > 60000 ? 60000
							    : (int)(end - now);
			}
			r = poll(&pfd, 1, timeout);
			if (r < 0 && errno != EINTR)
				return RECV_ERROR;
			continue;
		}
		if (n < 0 && w->starting)
			return RECV_NOSTART;
		if (n < 0)
			return errno == ECONNRESET ? RECV_EOF : RECV_ERROR;
		if (n == 0)
			return w->starting ? RECV_NOSTART : RECV_EOF;
	}
	*ret_msg = unread(w);
	*ret_len = total;
	return RECV_OK;
}

/* Scans a worker may still be sent before it is replaced. */
static unsigned
scans_left(const struct sandbox_pool *pool, const struct worker *w)
{
	unsigned used = w->scans + w->nsent;

	if (pool->opts.max_scans == 0)
		return SANDBOX_LANE_DEPTH;
	return used >= pool->opts.max_scans ? 0 : pool->opts.max_scans - used;
}

/*
 * Sends w's waiting jobs, in batches of jobs with the same deadline,
 * starting a worker when there is none.  A worker found dead before it
 * held anything (killed while idle) is replaced and the batch sent
 * again; one that dies holding work is left for pop_job to blame.
 * Returns -1 when no worker could be started (pop_job then fails the
 * oldest job).
 */
static int
flush_jobs(struct sandbox_pool *pool, struct worker *w)
{
	unsigned retries = 0;
	char why[160];

	while (w->nsent < w->qlen) {
		unsigned n = 0, room;
		uint64_t deadline;

		if (w->pid > 0 && w->nsent == 0 && scans_left(pool, w) == 0)
			sandbox_retire(pool, w);	/* budget spent */
		if (w->pid <= 0 &&
		    sandbox_spawn(pool, w, false, why, sizeof(why)) != 0)
			return -1;
		room = scans_left(pool, w);
		/* After a death blamed past the oldest file: one file at a
		 * time until those files are answered, so the word of the
		 * next worker cannot reach past its only file. */
		if (w->singles > 0) {
			if (w->nsent > 0)
				return 0;
			if (room > 1)
				room = 1;
		}
		deadline = job_at(w, w->nsent)->deadline_ms;
		/* A job already settled (a worker died on it) is never
		 * sent again: the batch stops before it. */
		while (w->nsent + n < w->qlen && n < pool->max_batch &&
		       n < room &&
		       job_at(w, w->nsent + n)->deadline_ms == deadline &&
		       job_at(w, w->nsent + n)->failed == NULL)
			n++;
		if (n == 0)
			return 0;	/* sent up to its budget; more later */
		if (w->nsent == 0)
			w->begun_ms = w->head_ms = now_ms();
		if (send_batch(w, w->nsent, n) == 0) {
			w->nsent += n;
			continue;
		}
		if (w->nsent > 0)
			return 0;	/* died holding work: pop_job */
		/* Gone before it held anything: no file's fault. */
		sandbox_reap(w, true, NULL);
		if (++retries > 1)
			return -1;
	}
	return 0;
}

/* Removes the oldest job, answered. */
static void
drop_head(struct worker *w, uint64_t now)
{
	w->qhead = (w->qhead + 1) % SANDBOX_LANE_DEPTH;
	w->qlen--;
	w->nsent--;
	w->scans++;
	if (w->singles > 0)
		w->singles--;
	w->head_ms = now;
	if (w->nsent == 0)
		w->busy_ms += now - w->begun_ms;
}

/* The worker is gone: the jobs it held and did not answer go to the
 * next one (the caller has blamed the oldest, or not). */
static void
requeue(struct worker *w, uint64_t now)
{
	if (w->nsent > 0)
		w->busy_ms += now - w->begun_ms;
	w->nsent = 0;
}

/* Removes the oldest job, which was never sent (no worker, or its
 * answer was settled when a worker died on it). */
static void
drop_unsent_head(struct worker *w)
{
	w->qhead = (w->qhead + 1) % SANDBOX_LANE_DEPTH;
	w->qlen--;
	if (w->singles > 0)
		w->singles--;
}

/* Validates a whole answer to the oldest job; RECV_OK with *status and
 * *ret_result, or RECV_BAD with *why. */
static enum recv_outcome
check_answer(struct worker *w, const struct job *head, const uint8_t *msg,
	     size_t len, int *status, struct scan_result **ret_result,
	     const char **why)
{
	if (sandbox_wire_parse(msg, len, status, ret_result, why) != 0)
		return RECV_BAD;
	if (*status == PW_OK && head->prefix_len != 0 &&
	    scan_result_bytes_total(*ret_result) > head->prefix_len) {
		/* Asked for a prefix, answered about more: a worker that
		 * does not do what it is told. */
		*why = "a prefix result about more than the prefix";
	} else if (*status != PW_OK && *status != PW_ERR_NOMEM &&
		   *status != PW_ERR_IO) {
		/* The library gives nothing else for a regular file (checked
		 * before it was handed over) and a valid request; any other
		 * status would make the file's scan the agent's failure,
		 * unjudged. */
		*why = "a status no scan of a file gives";
	} else if (w->nsent == 1 && unread_len(w) > len) {
		/* Bytes for a file it was never sent: a lie queued ahead,
		 * whatever this answer says. */
		*why = "bytes after the message";
	} else {
		return RECV_OK;
	}
	scan_result_free(*ret_result);
	*ret_result = NULL;
	return RECV_BAD;
}

/*
 * Waits for and validates the answer to w's oldest job, and removes it.
 * Returns as sandbox_scan_fd.
 *
 * A worker that dies or overruns is blamed for the file it was on (its
 * progress word), which may be behind the oldest: the files before it
 * were done but their answers not sent, so they go to the next worker
 * with the rest, and the blamed one keeps its verdict error until its
 * turn.  A worker that sends a bad answer is blamed for the oldest file,
 * whose answer it was.
 */
static int
pop_job(struct sandbox_pool *pool, struct worker *w,
	struct scan_result **ret_result)
{
	struct job head = {-1, 0, 0, NULL, 0};
	const uint8_t *msg = NULL;
	size_t len = 0;
	const char *why = NULL;
	enum recv_outcome o = RECV_ERROR;
	char text[200];
	int status = PW_ERR_IO, wst = 0, on;
	unsigned nostart = 0;
	struct scan_result *fail = NULL;

	*ret_result = NULL;
	for (;;) {
		if (w->nsent == 0 && job_at(w, 0)->failed != NULL) {
			/* Settled when a worker died on it. */
			head = *job_at(w, 0);
			drop_unsent_head(w);
			*ret_result = head.failed;
			status = head.failed_status;
			goto counted;
		}
		if (w->nsent == 0 && (flush_jobs(pool, w) != 0 ||
				      w->nsent == 0)) {
			/* No worker could be started for the oldest file:
			 * the agent's failure, not a verdict (the caller
			 * retries). */
			drop_unsent_head(w);
			return PW_ERR_IO;
		}
		head = *job_at(w, 0);
		o = next_message(w, &msg, &len, &why);
		if (o == RECV_OK) {
			o = check_answer(w, &head, msg, len, &status,
					 ret_result, &why);
			if (o == RECV_OK) {
				take_message(w, len);
				/* The worker's library could not finish this
				 * file (out of memory under worker_memory, a
				 * read failure): a verdict about the file,
				 * not a failure of the agent. */
				if (status != PW_OK)
					status = scan_result_unfinished(
						status, ret_result);
				break;
			}
		}
		if (o == RECV_NOSTART) {
			/* It never locked itself down, so it never read a
			 * file: a new one gets them, once. */
			sandbox_reap(w, true, NULL);
			requeue(w, now_ms());
			if (++nostart > 1) {
				drop_unsent_head(w);
				return PW_ERR_IO;
			}
			continue;
		}
		/* Which file it was on, read before it is gone; a bad
		 * answer is the oldest file's. */
		on = o == RECV_BAD ? 0 : on_job(w, NULL);
		if (on < 0)
			on = 0;
		switch (o) {
		case RECV_TIMEOUT:
			sandbox_reap(w, true, NULL);
			snprintf(text, sizeof(text),
				 "the scan did not finish within its deadline "
				 "of %llu ms; the scan worker was killed",
				 (unsigned long long)job_at(w, (unsigned)on)
					 ->deadline_ms);
			status = scan_result_failure(PW_KIND_LIMIT, text,
						     &fail);
			break;
		case RECV_BAD:
			/* A worker that sends something malformed has
			 * stopped being the program we wrote: kill it and
			 * trust nothing it said. */
			sandbox_reap(w, true, NULL);
			snprintf(text, sizeof(text),
				 "the scan worker sent an invalid result (%s); "
				 "it was killed", why ? why : "?");
			status = scan_result_failure(SCAN_KIND_CRASH, text,
						     &fail);
			break;
		default:	/* RECV_EOF, RECV_ERROR: it died */
			sandbox_reap(w, false, &wst);
			/* Retired itself before a file (worker.c), and its
			 * CPU time says it had to: no file's doing, a new
			 * worker gets them.  Only after it delivered an
			 * answer, as a real retirement does (it never
			 * retires before its first file, and sends what it
			 * holds first): a worker that claims in its progress
			 * word to be past files it never answered, burns
			 * half its budget and "retires" would otherwise have
			 * its file handed on for ever, each new worker doing
			 * the same. */
			if (WIFEXITED(wst) &&
			    WEXITSTATUS(wst) == SANDBOX_EXIT_RETIRED &&
			    w->scans > 0 &&
			    sandbox_half_spent(pool->opts.cpu_seconds,
					       w->cpu_ns)) {
				requeue(w, now_ms());
				continue;
			}
			status = sandbox_dead_result(wst, &fail);
			break;
		}
		if (on == 0) {
			*ret_result = fail;
			break;
		}
		/* Died on a later file: that one keeps this verdict, the
		 * ones before it (done, their answers lost) and after it
		 * go to a new worker, one at a time.  A worker taken over
		 * could name any file it held; sent alone, the next can
		 * name only its own, so a file cannot have one worker
		 * after another blame the files around it. */
		job_at(w, (unsigned)on)->failed = fail;
		job_at(w, (unsigned)on)->failed_status = status;
		fail = NULL;
		w->singles = w->nsent;
		requeue(w, now_ms());
	}
	drop_head(w, now_ms());
	if (w->pid <= 0) {
		/* It died on the oldest file; the files behind it were not
		 * scanned and go to its replacement. */
		requeue(w, w->head_ms);
	} else if (w->nsent == 0 &&
		   ((pool->opts.max_scans > 0 &&
		     w->scans >= pool->opts.max_scans) ||
		    sandbox_cpu_half_spent(pool, w))) {
		sandbox_retire(pool, w);
	}
counted:
	pthread_mutex_lock(&pool->lock);
	pool->scans++;
	pthread_mutex_unlock(&pool->lock);
	return status;
}

int
sandbox_lane_open(struct sandbox_pool *pool, unsigned *ret_lane)
{
	*ret_lane = (unsigned)(sandbox_checkout(pool) - pool->w);
	return PW_OK;
}

int
sandbox_lane_push(struct sandbox_pool *pool, unsigned lane, int fd,
		  const struct stat *st, uint64_t deadline_ms,
		  uint64_t prefix_len)
{
	struct worker *w = &pool->w[lane];
	struct stat own;

	/* The worker would refuse too, but a FIFO or device must never even
	 * be handed over. */
	if (st == NULL) {
		if (fstat(fd, &own) != 0)
			return PW_ERR_IO;
		st = &own;
	}
	if (!S_ISREG(st->st_mode))
		return PW_ERR_NOT_REGULAR;
	if (w->qlen >= SANDBOX_LANE_DEPTH)
		return PW_ERR_NOMEM;
	*job_at(w, w->qlen) =
		(struct job){fd, deadline_ms, prefix_len, NULL, 0};
	w->qlen++;
	return PW_OK;
}

unsigned
sandbox_lane_queued(struct sandbox_pool *pool, unsigned lane)
{
	return pool->w[lane].qlen;
}

void
sandbox_lane_flush(struct sandbox_pool *pool, unsigned lane)
{
	/* A failure is the oldest job's, reported by its pop. */
	(void)flush_jobs(pool, &pool->w[lane]);
}

/* True when w->rbuf holds the whole next answer, or something that is
 * not one (its pop says what). */
static bool
answer_buffered(const struct worker *w)
{
	const char *why;
	size_t total;

	if (answer_size(w, &total, &why) != 0)
		return true;
	return total != 0 && unread_len(w) >= total;
}

bool
sandbox_lane_ready(struct sandbox_pool *pool, unsigned lane)
{
	struct worker *w = &pool->w[lane];
	ssize_t n;

	if (w->nsent == 0 || w->sock < 0 || w->starting)
		return false;
	if (answer_buffered(w))
		return true;
	if (!make_room(w, 0))
		return true;	/* its pop fails the same way */
	n = read_more(w);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		return true;	/* gone: its pop says how */
	return answer_buffered(w);
}

int
sandbox_lane_pop(struct sandbox_pool *pool, unsigned lane,
		 struct scan_result **ret_result)
{
	return pop_job(pool, &pool->w[lane], ret_result);
}

void
sandbox_lane_close(struct sandbox_pool *pool, unsigned lane)
{
	struct worker *w = &pool->w[lane];

	pthread_mutex_lock(&pool->lock);
	w->busy = false;
	pthread_cond_signal(&pool->idle);
	pthread_mutex_unlock(&pool->lock);
}

/* One file on a lane of its own: what watch and the guard do. */
int
sandbox_scan_prefix(struct sandbox_pool *pool, int fd, uint64_t deadline_ms,
		    uint64_t prefix_len, struct scan_result **ret_result)
{
	unsigned lane;
	int rc;

	sandbox_lane_open(pool, &lane);
	rc = sandbox_lane_push(pool, lane, fd, NULL, deadline_ms, prefix_len);
	if (rc == PW_OK)
		rc = sandbox_lane_pop(pool, lane, ret_result);
	sandbox_lane_close(pool, lane);
	return rc;
}

int
sandbox_scan_fd(struct sandbox_pool *pool, int fd, uint64_t deadline_ms,
		struct scan_result **ret_result)
{
	return sandbox_scan_prefix(pool, fd, deadline_ms, 0, ret_result);
}
