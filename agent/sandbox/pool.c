/*
 * pool.c - the agent's side of the scan workers: start them, lend them to
 * scanning threads, pass each a descriptor, read and validate the answer,
 * and replace a worker that died, overran its deadline, lied, or reached
 * its scan budget.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent/sandbox/sandbox.h"
#include "agent/sandbox/wire.h"

#define SANDBOX_MAX_WORKERS 64
/* How long a new worker may take to lock itself down (a warm-up scan;
 * ASan builds start slowly on a busy machine). */
#define SANDBOX_READY_MS 30000
/* How long a worker that closed its socket gets to finish dying before
 * it is killed (it may be writing a sanitizer report). */
#define SANDBOX_REAP_GRACE_MS 2000

struct worker {
	pid_t pid;		/* -1: none running */
	int sock;
	unsigned scans;
	bool busy;
	uint64_t deadline_ms;	/* of the scan it holds */
	uint64_t end_ms;	/* when that scan must be done (0: never) */
	uint64_t prefix_len;	/* of the scan it holds (0: whole file) */
	uint64_t begun_ms;	/* when it was forked, or its scan began */
	uint64_t busy_ms;	/* wall time it has been starting or
				   scanning: a bound on its CPU time */
};

struct sandbox_pool {
	pthread_mutex_t lock;
	pthread_cond_t idle;
	const struct pw_scanner *scanner;
	struct sandbox_opts opts;
	bool drop;		/* running as root: chroot and setuid */
	char root[64];		/* the empty root directory */
	uid_t uid;
	gid_t gid;
	unsigned n;
	struct worker *w;
	uint64_t scans, spawns;	/* under lock */
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * Forks a worker.  This may run on any thread of a threaded agent (a
 * respawn in the middle of `watch`): the child only calls what glibc keeps
 * usable after fork (malloc; iconv, setenv and tzset before its first
 * scan, which another thread could in theory hold locked at the fork; the
 * deadline then kills the stuck child and the next one starts clean).
 * PR_SET_PDEATHSIG follows the forking *thread*: `watch` threads live as
 * long as the agent, and `scan` forks from its only thread.
 */
static void reap(struct worker *w, bool kill_now, int *ret_status);
static const char *exit_reason(int code);

/* Waits for the worker's ready message; 0, or -1 with a reason. */
static int
wait_ready(struct worker *w, char *why, size_t cap)
{
	uint8_t got[SANDBOX_WIRE_READY_SIZE];
	size_t n = 0;
	uint64_t end = now_ms() + SANDBOX_READY_MS;
	int st = 0;

	while (n < sizeof(got)) {
		struct pollfd pfd = {w->sock, POLLIN, 0};
		uint64_t now = now_ms();
		ssize_t r;

		if (now >= end) {
			reap(w, true, NULL);
			snprintf(why, cap, "a scan worker did not start within "
				 "%d s", SANDBOX_READY_MS / 1000);
			errno = ETIMEDOUT;
			return -1;
		}
		if (poll(&pfd, 1, (int)(end - now)) <= 0)
			continue;
		r = recv(w->sock, got + n, sizeof(got) - n, MSG_DONTWAIT);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	if (n == sizeof(got) &&
	    memcmp(got, SANDBOX_WIRE_READY, sizeof(got)) == 0)
		return 0;
	reap(w, n > 0, &st);
	if (WIFEXITED(st))
		snprintf(why, cap, "a scan worker could not start: %s "
			 "(exit status %d)", exit_reason(WEXITSTATUS(st)),
			 WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(why, cap, "a scan worker was killed by signal %d "
			 "while starting", WTERMSIG(st));
	else
		snprintf(why, cap, "a scan worker sent a bad ready message");
	errno = ECHILD;
	return -1;
}

static int
spawn(struct sandbox_pool *pool, struct worker *w, char *why, size_t cap)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	w->begun_ms = now_ms();
	pid = fork();
	if (pid < 0) {
		int saved = errno;

		close(sv[0]);
		close(sv[1]);
		errno = saved;
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		sandbox_worker_main(sv[1], pool->scanner, &pool->opts,
				    pool->drop ? pool->root : NULL, pool->uid,
				    pool->gid);
	}
	close(sv[1]);
	w->pid = pid;
	w->sock = sv[0];
	w->scans = 0;
	pthread_mutex_lock(&pool->lock);
	pool->spawns++;
	pthread_mutex_unlock(&pool->lock);
	if (wait_ready(w, why, cap) != 0)
		return -1;
	/* Its warm-up counts against its CPU budget too. */
	w->busy_ms = now_ms() - w->begun_ms;
	return 0;
}

/*
 * Collects a worker that is gone or must go.  With kill_now it is killed
 * first; otherwise it gets a grace period to exit by itself (its socket
 * closed) and is killed after.  *ret_status is its wait status.
 */
static void
reap(struct worker *w, bool kill_now, int *ret_status)
{
	uint64_t until = now_ms() + SANDBOX_REAP_GRACE_MS;
	int st = 0;
	pid_t r;

	if (w->sock >= 0)
		close(w->sock);
	w->sock = -1;
	if (w->pid <= 0)
		goto out;
	if (kill_now)
		(void)kill(w->pid, SIGKILL);
	for (;;) {
		r = waitpid(w->pid, &st, kill_now ? 0 : WNOHANG);
		if (r == w->pid || (r < 0 && errno != EINTR))
			break;
		if (r == 0) {
			if (now_ms() >= until) {
				(void)kill(w->pid, SIGKILL);
				kill_now = true;
				continue;
			}
			usleep(1000);
		}
	}
out:
	w->pid = -1;
	if (ret_status)
		*ret_status = st;
}

/* Sends the request and the descriptor in one message. */
static int
send_request(int sock, int fd, uint64_t deadline_ms, uint64_t prefix_len)
{
	uint8_t req[SANDBOX_WIRE_REQUEST_SIZE];
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct iovec iov = {req, sizeof(req)};
	struct msghdr mh;
	struct cmsghdr *c;
	ssize_t n;

	sandbox_wire_request(req, 0, deadline_ms, prefix_len);
	memset(&cbuf, 0, sizeof(cbuf));
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = sizeof(cbuf.buf);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(req) ? 0 : -1;
}

enum recv_outcome { RECV_OK, RECV_EOF, RECV_TIMEOUT, RECV_ERROR, RECV_BAD };

/* What a read into the message buffer should start with: most results
 * fit, so one read usually takes the whole message. */
#define SANDBOX_FIRST_READ 16384

/*
 * Reads one result message before the absolute deadline end (0: none).
 * The worker sends exactly one message per request and then waits, so a
 * byte beyond it is a lie (a message queued for the next file) and the
 * exchange fails with RECV_BAD.  On RECV_OK *ret_msg (malloc'd) holds
 * *ret_len bytes; on RECV_BAD *ret_why says what was wrong.
 */
static enum recv_outcome
read_message(int sock, uint64_t end, uint8_t **ret_msg, size_t *ret_len,
	     const char **ret_why)
{
	uint8_t *buf = NULL, *nb;
	size_t cap = SANDBOX_FIRST_READ, got = 0, total = 0;
	uint32_t body;
	enum recv_outcome o = RECV_ERROR;

	buf = malloc(cap);
	if (buf == NULL)
		return RECV_ERROR;
	for (;;) {
		struct pollfd pfd = {sock, POLLIN, 0};
		int timeout = -1, r;
		ssize_t n;

		/* Read first: an answer already there counts even when its
		 * collector comes late (a pipelined scan waits for the
		 * answers before it in order).  Only waiting is timed. */
		n = recv(sock, buf + got, cap - got, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (end != 0) {
				uint64_t now = now_ms();

				if (now >= end) {
					o = RECV_TIMEOUT;
					goto fail;
				}
				timeout = end - now > 60000 ? 60000
							    : (int)(end - now);
			}
			r = poll(&pfd, 1, timeout);
			if (r < 0 && errno != EINTR)
				goto fail;
			continue;
		}
		if (n < 0) {
			o = errno == ECONNRESET ? RECV_EOF : RECV_ERROR;
			goto fail;
		}
		if (n == 0) {
			o = RECV_EOF;
			goto fail;
		}
		got += (size_t)n;
		if (total == 0 && got >= SANDBOX_WIRE_HEADER_SIZE) {
			if (sandbox_wire_parse_header(buf, got, &body,
						      ret_why) != 0) {
				o = RECV_BAD;
				goto fail;
			}
			total = SANDBOX_WIRE_HEADER_SIZE + (size_t)body;
			/* One more byte of room, so a lie past the end is
			 * seen by the read that takes the last byte. */
			if (total + 1 > cap) {
				nb = realloc(buf, total + 1);
				if (nb == NULL)
					goto fail;
				buf = nb;
				cap = total + 1;
			}
		}
		if (total != 0 && got > total) {
			*ret_why = "bytes after the message";
			o = RECV_BAD;
			goto fail;
		}
		if (total != 0 && got == total)
			break;
	}
	*ret_msg = buf;
	*ret_len = got;
	return RECV_OK;
fail:
	free(buf);
	return o;
}

/* What a worker's exit status means (worker.c). */
static const char *
exit_reason(int code)
{
	switch (code) {
	case 0: return "it exited";
	case SANDBOX_EXIT_PARENT_GONE: return "the agent was gone";
	case SANDBOX_EXIT_DESCRIPTORS: return "cannot set up its descriptors";
	case SANDBOX_EXIT_PRIVILEGES:
		return "cannot set its limits, empty root or user";
	case SANDBOX_EXIT_FILTER:
		return "cannot set no_new_privs or load its seccomp filter";
	case SANDBOX_EXIT_BAD_REQUEST: return "a malformed request";
	case SANDBOX_EXIT_NOMEM: return "out of memory";
	case SANDBOX_EXIT_SEND: return "cannot answer";
	default: return "an unknown failure";
	}
}

/* The failure result for a worker that is gone: what killed it. */
static int
dead_result(int wstatus, struct scan_result **ret)
{
	char why[160];

	if (WIFSIGNALED(wstatus)) {
		int sig = WTERMSIG(wstatus);
		const char *abbrev = sigabbrev_np(sig);

		snprintf(why, sizeof(why),
			 "the scan worker was killed by signal %d (SIG%s)%s",
			 sig, abbrev ? abbrev : "?",
			 sig == SIGSYS ? ": a forbidden system call" :
			 sig == SIGXCPU ? ": CPU time limit" : "");
	} else if (WIFEXITED(wstatus)) {
		snprintf(why, sizeof(why),
			 "the scan worker exited with status %d (%s)",
			 WEXITSTATUS(wstatus),
			 exit_reason(WEXITSTATUS(wstatus)));
	} else {
		snprintf(why, sizeof(why), "the scan worker died");
	}
	return scan_result_failure(SCAN_KIND_CRASH, why, ret);
}

/* Lends an idle worker (waiting for one if all are busy). */
static struct worker *
checkout(struct sandbox_pool *pool)
{
	unsigned i;

	pthread_mutex_lock(&pool->lock);
	for (;;) {
		for (i = 0; i < pool->n; i++)
			if (!pool->w[i].busy)
				break;
		if (i < pool->n)
			break;
		pthread_cond_wait(&pool->idle, &pool->lock);
	}
	pool->w[i].busy = true;
	pthread_mutex_unlock(&pool->lock);
	return &pool->w[i];
}

/*
 * True when the worker has used half its lifetime CPU budget (RLIMIT_CPU
 * counts from its fork and cannot be raised again by the worker).  Left
 * running, it would be killed by SIGXCPU in the middle of some later
 * file, which would then get the verdict error, and be quarantined,
 * for the CPU its predecessors used.  Retired at half, every file starts
 * with at least half the budget.  A worker whose clock cannot be read is
 * kept: the limit still holds, only the early retirement is lost.
 */
static bool
cpu_half_spent(const struct sandbox_pool *pool, const struct worker *w)
{
	struct timespec ts;
	clockid_t cid;

	/* A single-threaded worker's CPU time is at most the wall time it
	 * spent starting and scanning: below half the budget there, the
	 * clock (two system calls per scan) need not be read. */
	if (pool->opts.cpu_seconds == 0 ||
	    w->busy_ms * 2u < (uint64_t)pool->opts.cpu_seconds * 1000u ||
	    clock_getcpuclockid(w->pid, &cid) != 0 ||
	    clock_gettime(cid, &ts) != 0)
		return false;
	/* In nanoseconds: whole seconds would let an odd budget's worker
	 * run on past its half (2 s of 3). */
	return ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec) *
		   2u >= (uint64_t)pool->opts.cpu_seconds * 1000000000u;
}

static void
checkin(struct sandbox_pool *pool, struct worker *w, bool scanned)
{
	if (scanned && w->pid > 0) {
		w->scans++;
		w->busy_ms += now_ms() - w->begun_ms;
		if ((pool->opts.max_scans > 0 &&
		     w->scans >= pool->opts.max_scans) ||
		    cpu_half_spent(pool, w))
			reap(w, false, NULL);	/* EOF: it exits */
	}
	pthread_mutex_lock(&pool->lock);
	if (scanned)
		pool->scans++;
	w->busy = false;
	pthread_cond_signal(&pool->idle);
	pthread_mutex_unlock(&pool->lock);
}

int
sandbox_scan_begin(struct sandbox_pool *pool, int fd, uint64_t deadline_ms,
		   unsigned *ret_ticket)
{
	return sandbox_scan_begin_prefix(pool, fd, deadline_ms, 0, ret_ticket);
}

int
sandbox_scan_begin_prefix(struct sandbox_pool *pool, int fd,
			  uint64_t deadline_ms, uint64_t prefix_len,
			  unsigned *ret_ticket)
{
	struct worker *w;
	struct stat st;
	unsigned attempt;
	char why[160];

	/* The worker would refuse too, but a FIFO or device must never even
	 * be handed over. */
	if (fstat(fd, &st) != 0)
		return PW_ERR_IO;
	if (!S_ISREG(st.st_mode))
		return PW_ERR_NOT_REGULAR;
	w = checkout(pool);
	for (attempt = 0; attempt < 2; attempt++) {
		if (w->pid <= 0 && spawn(pool, w, why, sizeof(why)) != 0)
			break;
		w->deadline_ms = deadline_ms;
		w->begun_ms = now_ms();
		w->end_ms = deadline_ms ? w->begun_ms + deadline_ms : 0;
		w->prefix_len = prefix_len;
		if (send_request(w->sock, fd, deadline_ms, prefix_len) == 0) {
			*ret_ticket = (unsigned)(w - pool->w);
			return PW_OK;
		}
		/* The worker was gone before this scan (killed while idle):
		 * a new one gets the file. */
		reap(w, true, NULL);
	}
	checkin(pool, w, false);
	return PW_ERR_IO;
}

int
sandbox_scan_end(struct sandbox_pool *pool, unsigned ticket,
		 struct scan_result **ret_result)
{
	struct worker *w = &pool->w[ticket];
	uint8_t *msg = NULL;
	size_t len = 0;
	const char *why = NULL;
	enum recv_outcome o;
	char text[200];
	int status = PW_ERR_IO, wst;

	o = read_message(w->sock, w->end_ms, &msg, &len, &why);
	if (o == RECV_OK) {
		if (sandbox_wire_parse(msg, len, &status, ret_result,
				       &why) != 0) {
			o = RECV_BAD;
		} else if (status == PW_OK && w->prefix_len != 0 &&
			   scan_result_bytes_total(*ret_result) >
				   w->prefix_len) {
			/* Asked for a prefix, answered about more: a worker
			 * that does not do what it is told. */
			scan_result_free(*ret_result);
			*ret_result = NULL;
			why = "a prefix result about more than the prefix";
			o = RECV_BAD;
		} else if (status != PW_OK && status != PW_ERR_NOMEM &&
			   status != PW_ERR_IO) {
			/* The library gives nothing else for a regular file
			 * (checked before it was handed over) and a valid
			 * request; any other status would make the file's
			 * scan the agent's failure, unjudged. */
			why = "a status no scan of a file gives";
			o = RECV_BAD;
		}
		free(msg);
	}
	switch (o) {
	case RECV_OK:
		/* The worker's library said it could not finish this file
		 * (out of memory under worker_memory, a read failure): that
		 * is a verdict about the file, not a failure of the agent. */
		if (status != PW_OK)
			status = scan_result_unfinished(status, ret_result);
		break;
	case RECV_TIMEOUT:
		reap(w, true, NULL);
		snprintf(text, sizeof(text),
			 "the scan did not finish within its deadline of "
			 "%llu ms; the scan worker was killed",
			 (unsigned long long)w->deadline_ms);
		status = scan_result_failure(PW_KIND_LIMIT, text, ret_result);
		break;
	case RECV_EOF:
	case RECV_ERROR:
		reap(w, false, &wst);
		status = dead_result(wst, ret_result);
		break;
	case RECV_BAD:
		/* A worker that sends something malformed has stopped being
		 * the program we wrote: kill it and trust nothing it said. */
		reap(w, true, NULL);
		snprintf(text, sizeof(text),
			 "the scan worker sent an invalid result (%s); it was "
			 "killed", why ? why : "?");
		status = scan_result_failure(SCAN_KIND_CRASH, text,
					     ret_result);
		break;
	}
	checkin(pool, w, true);
	return status;
}

int
sandbox_scan_fd(struct sandbox_pool *pool, int fd, uint64_t deadline_ms,
		struct scan_result **ret_result)
{
	unsigned ticket;
	int rc = sandbox_scan_begin(pool, fd, deadline_ms, &ticket);

	if (rc != PW_OK)
		return rc;
	return sandbox_scan_end(pool, ticket, ret_result);
}

int
sandbox_scan_prefix(struct sandbox_pool *pool, int fd, uint64_t deadline_ms,
		    uint64_t prefix_len, struct scan_result **ret_result)
{
	unsigned ticket;
	int rc = sandbox_scan_begin_prefix(pool, fd, deadline_ms, prefix_len,
					   &ticket);

	if (rc != PW_OK)
		return rc;
	return sandbox_scan_end(pool, ticket, ret_result);
}

int
sandbox_scan_in_process(const struct pw_scanner *scanner, int fd,
			struct scan_result **ret_result)
{
	return sandbox_scan_in_process_prefix(scanner, fd, 0, ret_result);
}

int
sandbox_scan_in_process_prefix(const struct pw_scanner *scanner, int fd,
			       uint64_t prefix_len,
			       struct scan_result **ret_result)
{
	struct pw_result *res = NULL;
	int rc = prefix_len ? pw_scan_fd_prefix(scanner, fd, prefix_len, &res)
			    : pw_scan_fd(scanner, fd, &res);

	if (rc == PW_OK)
		rc = scan_result_from_pw(res, ret_result);
	else
		rc = scan_result_unfinished(rc, ret_result);
	pw_result_free(res);
	return rc;
}

int
sandbox_pool_new(const struct pw_scanner *scanner,
		 const struct sandbox_opts *opts, unsigned nworkers,
		 struct sandbox_pool **ret_pool, char *why, size_t cap)
{
	struct sandbox_pool *pool = NULL;
	unsigned i;
	int saved;

	if (scanner == NULL || opts == NULL || nworkers == 0 ||
	    nworkers > SANDBOX_MAX_WORKERS) {
		snprintf(why, cap, "invalid sandbox arguments");
		errno = EINVAL;
		return -1;
	}
	pool = calloc(1, sizeof(*pool));
	if (pool == NULL)
		goto nomem;
	pool->w = calloc(nworkers, sizeof(*pool->w));
	if (pool->w == NULL)
		goto nomem;
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->idle, NULL);
	pool->scanner = scanner;
	pool->opts = *opts;
	pool->opts.user = NULL;	/* resolved below; not kept */
	pool->n = nworkers;
	for (i = 0; i < nworkers; i++) {
		pool->w[i].pid = -1;
		pool->w[i].sock = -1;
	}
	if (geteuid() == 0) {
		/* Resolved here: a worker cannot read /etc/passwd, and the
		 * user database must not be read after fork in a threaded
		 * process. */
		const char *user = opts->user ? opts->user : "nobody";
		struct passwd *pw = getpwnam(user);

		if (pw == NULL || pw->pw_uid == 0) {
			snprintf(why, cap, "sandbox user \"%s\" %s", user,
				 pw ? "is root" : "does not exist");
			errno = EINVAL;
			goto fail;
		}
		pool->uid = pw->pw_uid;
		pool->gid = pw->pw_gid;
		snprintf(pool->root, sizeof(pool->root),
			 "/tmp/picklewarden-empty.XXXXXX");
		if (mkdtemp(pool->root) == NULL ||
		    chmod(pool->root, 0555) != 0) {
			snprintf(why, cap, "cannot create the sandbox root: %s",
				 strerror(errno));
			pool->root[0] = '\0';
			goto fail;
		}
		pool->drop = true;
	}
	for (i = 0; i < nworkers; i++) {
		char reason[200];

		if (spawn(pool, &pool->w[i], reason, sizeof(reason)) != 0) {
			if (errno == ECHILD || errno == ETIMEDOUT)
				snprintf(why, cap, "%s", reason);
			else
				snprintf(why, cap, "cannot start a scan worker: "
					 "%s", strerror(errno));
			goto fail;
		}
	}
	*ret_pool = pool;
	return 0;
nomem:
	snprintf(why, cap, "out of memory");
	errno = ENOMEM;
fail:
	saved = errno;
	if (pool != NULL && pool->w != NULL) {
		sandbox_pool_free(pool);
	} else {
		free(pool);
	}
	errno = saved;
	return -1;
}

void
sandbox_pool_free(struct sandbox_pool *pool)
{
	unsigned i;

	if (pool == NULL)
		return;
	/* Close every socket first, so all workers exit together. */
	for (i = 0; i < pool->n; i++) {
		if (pool->w[i].sock >= 0)
			close(pool->w[i].sock);
		pool->w[i].sock = -1;
	}
	for (i = 0; i < pool->n; i++)
		reap(&pool->w[i], false, NULL);
	if (pool->root[0] != '\0')
		(void)rmdir(pool->root);
	pthread_cond_destroy(&pool->idle);
	pthread_mutex_destroy(&pool->lock);
	free(pool->w);
	free(pool);
}

unsigned
sandbox_pool_size(const struct sandbox_pool *pool)
{
	return pool->n;
}

pid_t
sandbox_pool_worker_pid(struct sandbox_pool *pool, unsigned i)
{
	pid_t pid;

	if (i >= pool->n)
		return -1;
	pthread_mutex_lock(&pool->lock);
	pid = pool->w[i].pid;
	pthread_mutex_unlock(&pool->lock);
	return pid;
}

uint64_t
sandbox_pool_scans(struct sandbox_pool *pool)
{
	uint64_t n;

	pthread_mutex_lock(&pool->lock);
	n = pool->scans;
	pthread_mutex_unlock(&pool->lock);
	return n;
}

uint64_t
sandbox_pool_spawns(struct sandbox_pool *pool)
{
	uint64_t n;

	pthread_mutex_lock(&pool->lock);
	n = pool->spawns;
	pthread_mutex_unlock(&pool->lock);
	return n;
}
