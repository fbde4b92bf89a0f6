/*
 * pool.c - the agent's side of the scan workers' lives: start them
 * (locked down before they see a file), lend them to scanning threads,
 * and end them: reaped when they die, retired when their budget is
 * spent, killed when they overrun or lie (lane.c decides which).
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
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent/sandbox/pool_internal.h"
#include "agent/sandbox/sandbox.h"
#include "agent/sandbox/wire.h"

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
			sandbox_reap(w, true, NULL);
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
	sandbox_reap(w, n > 0, &st);
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

static void collect_dying(struct sandbox_pool *pool, bool all);

/*
 * Forks a worker (pool_internal.h).  This may run on any thread of a
 * threaded agent (a respawn in the middle of `watch`): the child only
 * calls what glibc keeps usable after fork (malloc; iconv, setenv and
 * tzset before its first scan, which another thread could in theory hold
 * locked at the fork; the deadline then kills the stuck child and the
 * next one starts clean).  PR_SET_PDEATHSIG follows the forking *thread*:
 * `watch` threads live as long as the agent, and `scan` forks from its
 * only thread.
 */
int
sandbox_spawn(struct sandbox_pool *pool, struct worker *w, bool wait,
	      char *why, size_t cap)
{
	int sv[2];
	pid_t pid;

	/* The last worker's page goes: whatever it may still write there
	 * (retired, it is not waited for) is not read as this one's. */
	if (w->progress != NULL)
		munmap(w->progress, SANDBOX_PROGRESS_PAGE);
	w->progress = mmap(NULL, SANDBOX_PROGRESS_PAGE, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (w->progress == MAP_FAILED) {
		w->progress = NULL;
		return -1;
	}
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
		sandbox_worker_main(sv[1], w->progress, pool->scanner,
				    &pool->opts,
				    pool->drop ? pool->root : NULL, pool->uid,
				    pool->gid);
	}
	close(sv[1]);
	w->pid = pid;
	w->sock = sv[0];
	w->scans = 0;
	w->busy_ms = 0;
	w->starting = !wait;
	pthread_mutex_lock(&pool->lock);
	pool->spawns++;
	pthread_mutex_unlock(&pool->lock);
	collect_dying(pool, false);
	if (!wait)
		return 0;
	if (wait_ready(w, why, cap) != 0)
		return -1;
	/* Its warm-up counts against its CPU budget too. */
	w->busy_ms = now_ms() - w->begun_ms;
	return 0;
}

/* Waits up to ms for pid to exit: on its pidfd, which wakes at the
 * exit, or where there is none (an old kernel, a filter) 1 ms at a time. */
static void
wait_exit(pid_t pid, uint64_t ms)
{
	int pfd = (int)pidfd_open(pid, 0);

	if (pfd >= 0) {
		struct pollfd p = {pfd, POLLIN, 0};

		(void)poll(&p, 1, ms > 1000 ? 1000 : (int)ms);
		close(pfd);
	} else {
		usleep(1000);
	}
}

/*
 * Collects a worker that is gone or must go.  With kill_now it is killed
 * first; otherwise it gets a grace period to exit by itself (its socket
 * closed) and is killed after.  *ret_status is its wait status, and
 * w->cpu_ns the CPU time it used in its life.
 */
/* The slot forgets its process: socket closed (so the worker, if alive,
 * sees end of file and exits), unread bytes dropped. */
static void
forget_process(struct worker *w)
{
	if (w->sock >= 0)
		close(w->sock);
	w->sock = -1;
	w->rpos = w->rlen = 0;
	w->starting = false;
}

void
sandbox_reap(struct worker *w, bool kill_now, int *ret_status)
{
	uint64_t until = now_ms() + SANDBOX_REAP_GRACE_MS;
	struct rusage ru;
	int st = 0;
	pid_t r;

	forget_process(w);
	w->cpu_ns = 0;
	if (w->pid <= 0)
		goto out;
	if (kill_now)
		(void)kill(w->pid, SIGKILL);
	for (;;) {
		memset(&ru, 0, sizeof(ru));
		r = wait4(w->pid, &st, kill_now ? 0 : WNOHANG, &ru);
		if (r == w->pid) {
			w->cpu_ns = ((uint64_t)ru.ru_utime.tv_sec +
				     (uint64_t)ru.ru_stime.tv_sec) *
					    1000000000u +
				    ((uint64_t)ru.ru_utime.tv_usec +
				     (uint64_t)ru.ru_stime.tv_usec) *
					    1000u;
			break;
		}
		if (r < 0 && errno != EINTR)
			break;
		if (r == 0) {
			uint64_t now = now_ms();

			if (now >= until) {
				(void)kill(w->pid, SIGKILL);
				kill_now = true;
				continue;
			}
			wait_exit(w->pid, until - now);
		}
	}
out:
	w->pid = -1;
	if (ret_status)
		*ret_status = st;
}

/*
 * Retires the worker of slot w (its budget is spent): its socket is
 * closed, so it exits, and it is collected later by collect_dying.  The
 * agent does not wait for that exit (a millisecond, every worker_scans
 * files).  With no room on the list it is collected now.
 */
void
sandbox_retire(struct sandbox_pool *pool, struct worker *w)
{
	bool queued = false;

	pthread_mutex_lock(&pool->lock);
	if (w->pid > 0 && pool->ndying < SANDBOX_MAX_DYING) {
		pool->dying[pool->ndying++] =
			(struct dying){w->pid,
				       now_ms() + SANDBOX_REAP_GRACE_MS};
		queued = true;
	}
	pthread_mutex_unlock(&pool->lock);
	if (!queued) {
		sandbox_reap(w, false, NULL);
		return;
	}
	forget_process(w);
	w->pid = -1;
}

/* Collects retired workers that have exited, and kills those past their
 * grace; with all, waits for every one. */
static void
collect_dying(struct sandbox_pool *pool, bool all)
{
	unsigned i = 0;

	pthread_mutex_lock(&pool->lock);
	while (i < pool->ndying) {
		struct dying *d = &pool->dying[i];
		pid_t r = waitpid(d->pid, NULL, WNOHANG);

		if (r == 0 && (all || now_ms() >= d->kill_ms)) {
			uint64_t now = now_ms();

			if (now < d->kill_ms) {
				wait_exit(d->pid, d->kill_ms - now);
				continue;
			}
			(void)kill(d->pid, SIGKILL);
			r = waitpid(d->pid, NULL, 0);
		}
		if (r == 0) {
			i++;
			continue;
		}
		*d = pool->dying[--pool->ndying];
	}
	pthread_mutex_unlock(&pool->lock);
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
	case SANDBOX_EXIT_RETIRED:
		return "it claimed half its CPU budget was spent";
	default: return "an unknown failure";
	}
}

/* The failure result for a worker that is gone: what killed it. */
int
sandbox_dead_result(int wstatus, struct scan_result **ret)
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
struct worker *
sandbox_checkout(struct sandbox_pool *pool)
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
 * kept: the limit still holds, and the worker retires itself before a
 * file it cannot give half the budget (worker.c).
 */
bool
sandbox_cpu_half_spent(const struct sandbox_pool *pool,
		       const struct worker *w)
{
	struct timespec ts;
	clockid_t cid;

	/* A single-threaded worker's CPU time is at most the wall time it
	 * spent starting and holding work: below half the budget there,
	 * the clock (two system calls) need not be read. */
	if (pool->opts.cpu_seconds == 0 ||
	    w->busy_ms * 2u < (uint64_t)pool->opts.cpu_seconds * 1000u ||
	    clock_getcpuclockid(w->pid, &cid) != 0 ||
	    clock_gettime(cid, &ts) != 0)
		return false;
	return sandbox_half_spent(pool->opts.cpu_seconds,
				  (uint64_t)ts.tv_sec * 1000000000u +
					  (uint64_t)ts.tv_nsec);
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
	pool->max_batch = sandbox_batch_max();
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
	sandbox_warm_up_parent(scanner);
	for (i = 0; i < nworkers; i++) {
		char reason[200];

		if (sandbox_spawn(pool, &pool->w[i], true, reason,
				  sizeof(reason)) != 0) {
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
	for (i = 0; i < pool->n; i++) {
		struct worker *w = &pool->w[i];

		sandbox_reap(w, false, NULL);
		free(w->rbuf);
		if (w->progress != NULL)
			munmap(w->progress, SANDBOX_PROGRESS_PAGE);
		/* (Every pushed job is popped before a pool is freed.) */
	}
	collect_dying(pool, true);
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
