/*
 * guard_job.c - one scan on a worker thread: scan through the event's
 * descriptor, answer every opener waiting for the file, then (malicious)
 * quarantine and log.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <unistd.h>

#include "agent/store/escape.h"
#include "agent/guard/guard_int.h"
#include "agent/store/sha256.h"

struct guard_job {
	int fd;			/* our own duplicate of the event's fd */
	struct guard_stamp st;	/* the stamps the table knows it by */
	char *path;
	uint64_t deadline_ms;
};

int
guard_job_start(struct guard *g, int fd, const struct guard_stamp *st,
		const char *path)
{
	struct guard_job *job = calloc(1, sizeof(*job));

	if (!job)
		return -1;
	job->st = *st;
	job->deadline_ms = guard_now_ms() + g->policy->guard_timeout_ms;
	job->path = strdup(path);
	job->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (!job->path || job->fd < 0 || !workqueue_try_push(g->wq, job)) {
		guard_job_drop(job);
		return -1;
	}
	return 0;
}

void
guard_job_drop(void *vjob)
{
	struct guard_job *job = vjob;

	if (!job)
		return;
	if (job->fd >= 0)
		close(job->fd);
	free(job->path);
	free(job);
}

int
guard_scan_fd(struct guard *g, int fd, uint64_t deadline_ms,
	      struct scan_result **ret_result)
{
	/* In the sandboxed scan workers ([agent] sandbox), like scan and
	 * watch: the event loop answers the openers at deadline_ms whatever
	 * happens, and the client kills a worker that overruns
	 * [agent] scan_deadline. */
	(void)deadline_ms;
	return scan_client_scan(g->client, fd, ret_result);
}

/*
 * True unless we know nobody has the file open for writing: a read lease
 * is refused (EAGAIN) exactly when a writer holds it open.  A file still
 * being written may get more bytes after the opener's open succeeded, so
 * its verdict is neither cached nor made an ignore mark.  (SIGIO, the
 * lease-break signal, is ignored by the guard; the lease lives for two
 * system calls.)
 */
static bool
being_written(int fd)
{
	if (fcntl(fd, F_SETLEASE, F_RDLCK) != 0)
		return true;
	(void)fcntl(fd, F_SETLEASE, F_UNLCK);
	return false;
}

static enum guard_answer
policy_answer(enum policy_answer a)
{
	return a == POLICY_ANSWER_ALLOW ? GUARD_ALLOW : GUARD_DENY;
}

/* Moves the file behind the scanned descriptor into the store, by its
 * directory and name: never by reopening it.  Returns 0 when moved, 1
 * when it is in the store already, -1 with why on failure. */
static int
quarantine_at(struct guard *g, struct guard_job *job, const char *path,
	      const struct stat *st, const struct scan_result *res,
	      char *ret_id, size_t cap, char *why, size_t why_cap)
{
	char *base = NULL, *d1 = NULL, *d2 = NULL;
	const char *qd = quarantine_dir(g->store);
	size_t n = strlen(qd);
	int dfd = -1, rc = -1, qs;

	/* Opened inside the store (renamed there by an earlier decision
	 * while this opener waited): already quarantined. */
	if (strncmp(path, qd, n) == 0 && path[n] == '/')
		return 1;
	d1 = strdup(path);
	d2 = strdup(path);
	if (!d1 || !d2) {
		snprintf(why, why_cap, "out of memory");
		goto out;
	}
	base = basename(d2);
	/* O_PATH: opening the directory generates no fanotify event. */
	dfd = open(dirname(d1), O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		snprintf(why, why_cap, "cannot open its directory: %s",
			 strerror(errno));
		goto out;
	}
	{
		struct quarantine_subject q = {
			.fd = job->fd, .st = st, .dirfd = dfd, .name = base,
			.path = path, .sha256 = NULL,
		};

		qs = quarantine_move(g->store, &q, res, ret_id, cap);
	}
	if (qs == QUARANTINE_OK)
		rc = 0;
	else if (qs == QUARANTINE_ERR_CHANGED)
		rc = -2;
	else if (qs == QUARANTINE_ERR_IO)
		snprintf(why, why_cap, "%s: %s", quarantine_strerror(qs),
			 strerror(errno));
	else
		snprintf(why, why_cap, "%s", quarantine_strerror(qs));
	if (rc == -2)
		snprintf(why, why_cap, "%s", quarantine_strerror(qs));
out:
	if (dfd >= 0)
		close(dfd);
	free(d1);
	free(d2);
	return rc;
}

/*
 * The file may have been renamed since its open (a writer's tmp name
 * renamed into place while a watcher opened it): each attempt moves it by
 * the name the kernel gives our descriptor now.  *ret_path is the name
 * used (for the log).
 */
static int
quarantine(struct guard *g, struct guard_job *job, const struct stat *st,
	   const struct scan_result *res, char *ret_id, size_t cap,
	   char *why, size_t why_cap, char *ret_path, size_t path_cap)
{
	char link[64];
	int attempt, rc = -1;

	if (!g->store) {
		snprintf(why, why_cap, "no quarantine store");
		return -1;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", job->fd);
	for (attempt = 0; attempt < 3; attempt++) {
		ssize_t len = readlink(link, ret_path, path_cap - 1);

		if (len <= 0 || ret_path[0] != '/') {
			snprintf(ret_path, path_cap, "%s", job->path);
		} else {
			ret_path[len] = '\0';
		}
		rc = quarantine_at(g, job, ret_path, st, res, ret_id, cap,
				   why, why_cap);
		if (rc != -2)
			return rc;
	}
	return -1;
}

void
guard_job_run(void *vjob, void *arg)
{
	struct guard *g = arg;
	struct guard_job *job = vjob;
	struct scan_result *res = NULL;
	struct guard_waiter *list;
	struct guard_stamp st0 = job->st;
	struct stat sb0;
	enum guard_answer answer = policy_answer(g->policy->guard_on_error);
	const char *action = NULL, *error = NULL;
	char why[512] = "", id[QUARANTINE_ID_MAX] = "", qpath[PATH_MAX] = "";
	bool cache = false, log = true, trusted = false;
	int verdict = -1, attempt, rc;
	uint64_t t0 = guard_now_ms();

	for (attempt = 0;; attempt++) {
		bool writing;
		struct stat sb1;
		struct guard_stamp st1;

		scan_result_free(res);
		res = NULL;
		writing = being_written(job->fd);
		if (fstat(job->fd, &sb0) != 0) {
			snprintf(why, sizeof(why), "fstat: %s",
				 strerror(errno));
			error = why;
			break;
		}
		guard_stamp_from_stat(&sb0, &st0);
		guard_count(&g->n_scans);
		rc = guard_scan_fd(g, job->fd, job->deadline_ms, &res);
		if (rc != PW_OK) {
			snprintf(why, sizeof(why), "scan failed: %s",
				 pw_strerror(rc));
			error = why;
			res = NULL;
			break;
		}
		verdict = (int)scan_result_verdict(res);
		if (guard_table_take_stale(g->table, &job->st) &&
		    attempt < GUARD_RESCANS_MAX)
			continue;
		if (verdict == PW_VERDICT_MALICIOUS ||
		    verdict == PW_VERDICT_ERROR) {
			char hex[65];

			/* A digest the admin trusts opens whatever we think
			 * of it. */
			if (g->policy->trusted_sha256.n > 0 &&
			    sha256_fd(job->fd, hex, NULL) == 0 &&
			    policy_is_trusted(g->policy, hex))
				trusted = true;
		}
		if (trusted) {
			answer = GUARD_ALLOW;
			action = "trusted";
		} else if (verdict == PW_VERDICT_MALICIOUS) {
			answer = GUARD_DENY;
			action = "deny";
		} else if (verdict == PW_VERDICT_ERROR) {
			answer = policy_answer(g->policy->guard_on_error);
			action = answer == GUARD_ALLOW ? "allow" : "deny";
		} else {
			answer = GUARD_ALLOW;
			action = "allow";
			log = verdict != PW_VERDICT_CLEAN;
		}
		cache = !writing;
		/* Only what the scanner cleared gets an ignore mark; files
		 * allowed per on_error or by a trusted digest are answered
		 * from the table (and stay visible to us). */
		if (answer != GUARD_ALLOW || writing || trusted ||
		    verdict > PW_VERDICT_SUSPICIOUS)
			break;
		/* Later opens should cost nothing: the kernel drops this
		 * ignore mark by itself when the file is modified.  A change
		 * between our fstat and the mark would escape that, so the
		 * stamps are compared again once the mark is in place. */
		if (fanotify_mark(g->fan_fd, FAN_MARK_ADD | FAN_MARK_IGNORED_MASK,
				  FAN_OPEN_PERM, job->fd, NULL) != 0)
			break;
		if (fstat(job->fd, &sb1) == 0) {
			guard_stamp_from_stat(&sb1, &st1);
			if (guard_stamp_equal(&st0, &st1))
				break;
		}
		(void)fanotify_mark(g->fan_fd,
				    FAN_MARK_REMOVE | FAN_MARK_IGNORED_MASK,
				    FAN_OPEN_PERM, job->fd, NULL);
		if (attempt >= GUARD_RESCANS_MAX) {
			answer = policy_answer(g->policy->guard_on_error);
			action = answer == GUARD_ALLOW ? "allow" : "deny";
			error = "the file kept changing while it was scanned";
			cache = false;
			break;
		}
	}
	if (error) {
		answer = policy_answer(g->policy->guard_on_error);
		action = answer == GUARD_ALLOW ? "allow" : "deny";
		cache = false;
		guard_count(&g->n_errors);
	}
	list = guard_table_finish(g->table, &st0, cache, answer, verdict);
	/* Deny first: the openers must not wait for the move. */
	guard_respond_all(g, list, answer);
	if (answer == GUARD_DENY)
		guard_count(&g->n_denied);
	if (!error && !trusted && verdict == PW_VERDICT_MALICIOUS) {
		rc = quarantine(g, job, &sb0, res, id, sizeof(id), why,
				sizeof(why), qpath, sizeof(qpath));
		if (rc == 0) {
			action = "quarantine";
			guard_count(&g->n_quarantined);
		} else if (rc > 0) {
			action = "deny";
		} else {
			action = "quarantine-failed";
			error = why;
		}
	}
	if (log)
		guard_log_all(g, list, qpath[0] ? qpath : job->path, answer,
			      res, action, id[0] ? id : NULL, error);
	{
		/* One line per scan, for the admin's sense of cost (and the
		 * tests that count scans). */
		const struct guard_waiter *w;
		char esc[1024];
		size_t n = 0;

		for (w = list; w; w = w->next)
			n++;
		escape_text_buf(job->path, esc, sizeof(esc));
		log_info("guard: scanned path=\"%s\" verdict=%s answer=%s "
			 "openers=%zu ms=%llu", esc, verdict >= 0 ?
			 pw_verdict_name((enum pw_verdict)verdict) : "none",
			 answer == GUARD_ALLOW ? "allow" : "deny", n,
			 (unsigned long long)(guard_now_ms() - t0));
	}
	guard_waiters_free(list);
	scan_result_free(res);
	guard_job_drop(job);
}
