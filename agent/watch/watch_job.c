/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watch_job.c - see watch_job.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "agent/cli/decide.h"
#include "agent/store/escape.h"
#include "agent/store/log.h"
#include "agent/cli/scanfile.h"
#include "agent/watch/watch_fdpath.h"
#include "agent/watch/watch_job.h"

struct watch_job {
	unsigned flags;
	char *link;		/* WATCH_JOB_LINK_TARGET: the symlink */
	uint64_t prefix_len;	/* WATCH_JOB_PREFIX: bytes to look at */
	char path[];
};

struct watch_job *
watch_job_new(const char *path, unsigned flags)
{
	struct watch_job *j;
	size_t len = strlen(path), size;

	if (__builtin_add_overflow(sizeof(*j), len, &size) ||
	    __builtin_add_overflow(size, 1, &size))
		return NULL;
	j = malloc(size);
	if (j == NULL)
		return NULL;
	j->flags = flags;
	j->link = NULL;
	j->prefix_len = 0;
	memcpy(j->path, path, len + 1);
	return j;
}

struct watch_job *
watch_job_new_prefix(const char *path, uint64_t prefix_len)
{
	struct watch_job *j = watch_job_new(path, WATCH_JOB_PREFIX);

	if (j != NULL)
		j->prefix_len = prefix_len;
	return j;
}

struct watch_job *
watch_job_new_link(const char *target, const char *link, unsigned flags)
{
	struct watch_job *j = watch_job_new(target, flags | WATCH_JOB_LINK_TARGET);

	if (j != NULL && (j->link = strdup(link)) == NULL) {
		free(j);
		j = NULL;
	}
	return j;
}

void
watch_job_drop(void *job)
{
	struct watch_job *j = job;

	if (j != NULL)
		free(j->link);
	free(j);
}

struct watch_config *
watch_shared_config(struct watch_shared *sh)
{
	struct watch_config *c;

	pthread_mutex_lock(&sh->lock);
	c = watch_config_ref(sh->cfg);
	pthread_mutex_unlock(&sh->lock);
	return c;
}

void
watch_shared_set_config(struct watch_shared *sh, struct watch_config *c)
{
	struct watch_config *old;

	pthread_mutex_lock(&sh->lock);
	old = sh->cfg;
	sh->cfg = c;
	pthread_mutex_unlock(&sh->lock);
	watch_config_unref(old);
}

/*
 * Opens the file's directory.  Paths come from symlink-free roots and
 * from directory listings, so no component should be a symlink; that is
 * enforced (a directory swapped for a symlink after it was listed is
 * refused), and paths longer than PATH_MAX are opened fd-relative (see
 * watch_fdpath.h).  A symlink's target (WATCH_JOB_LINK_TARGET) was
 * resolved by realpath and has no symlink either.
 */
static int
open_dir(const char *dir)
{
	return watch_open_dir(dir, O_PATH, 1);
}

/*
 * One scan per inode at a time: a job for an inode another worker is
 * scanning waits for it and then finds its verdict in the cache (60 hard
 * links of one slow file cost one scan, not 60).  Returns the slot held,
 * or -1 (all slots busy: the job just runs).
 */
static int
inflight_begin(struct watch_shared *sh, const struct stat *st)
{
	int i, slot = -1;
	bool waited;

	pthread_mutex_lock(&sh->lock);
	do {
		waited = false;
		for (i = 0; i < WATCH_MAX_RUNNING; i++) {
			if (sh->inflight[i].busy &&
			    sh->inflight[i].dev == (uint64_t)st->st_dev &&
			    sh->inflight[i].ino == (uint64_t)st->st_ino) {
				pthread_cond_wait(&sh->inflight_done,
						  &sh->lock);
				waited = true;
				break;
			}
		}
	} while (waited);
	for (i = 0; i < WATCH_MAX_RUNNING; i++) {
		if (!sh->inflight[i].busy) {
			sh->inflight[i].busy = true;
			sh->inflight[i].dev = (uint64_t)st->st_dev;
			sh->inflight[i].ino = (uint64_t)st->st_ino;
			slot = i;
			break;
		}
	}
	pthread_mutex_unlock(&sh->lock);
	return slot;
}

static void
inflight_end(struct watch_shared *sh, int slot)
{
	if (slot < 0)
		return;
	pthread_mutex_lock(&sh->lock);
	sh->inflight[slot].busy = false;
	pthread_cond_broadcast(&sh->inflight_done);
	pthread_mutex_unlock(&sh->lock);
}

/*
 * True when the cache holds a verdict for exactly these bytes (see
 * vcache.h): a verified entry is trusted, an entry loaded from disk is
 * checked against the file's digest first.  *ret_digest is the digest
 * when it was computed (0 otherwise).
 */
static bool
cache_answers(struct watch_shared *sh, int fd, const struct vcache_key *key,
	      struct vcache_entry *ret_e)
{
	uint64_t digest;

	if (!vcache_lookup(sh->vcache, key, ret_e))
		return false;
	if (ret_e->verified)
		return true;
	if (vcache_digest_fd(fd, key->size, &digest) != 0 ||
	    digest != ret_e->digest)
		return false;
	vcache_set_verified(sh->vcache, key);
	return true;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Records a scan as running; returns its slot or -1 (all slots taken,
 * or no memory: the scan then just is not watched for being stuck). */
static int
running_begin(struct watch_shared *sh, const char *path)
{
	int i, slot = -1;

	pthread_mutex_lock(&sh->lock);
	for (i = 0; i < WATCH_MAX_RUNNING; i++) {
		if (sh->running[i].path == NULL) {
			sh->running[i].path = strdup(path);
			if (sh->running[i].path != NULL) {
				sh->running[i].started_ms = now_ms();
				sh->running[i].reported = false;
				slot = i;
			}
			break;
		}
	}
	pthread_mutex_unlock(&sh->lock);
	return slot;
}

static void
running_end(struct watch_shared *sh, int slot)
{
	char *path;

	if (slot < 0)
		return;
	pthread_mutex_lock(&sh->lock);
	path = sh->running[slot].path;
	sh->running[slot].path = NULL;
	pthread_mutex_unlock(&sh->lock);
	free(path);
}

void
watch_shared_report_stuck(struct watch_shared *sh, uint64_t now,
			  uint64_t limit_ms)
{
	struct watch_running *r;
	char esc[1024];
	uint64_t secs;
	int i;

	pthread_mutex_lock(&sh->lock);
	for (i = 0; i < WATCH_MAX_RUNNING; i++) {
		r = &sh->running[i];
		if (r->path == NULL || r->reported ||
		    now - r->started_ms < limit_ms)
			continue;
		r->reported = true;
		secs = (now - r->started_ms) / 1000u;
		escape_text_buf(r->path, esc, sizeof(esc));
		/* Logging under the lock: it is one line, and workers only
		 * take the lock twice per file. */
		log_warning("scan still running after %llus path=\"%s\"",
			    (unsigned long long)secs, esc);
	}
	pthread_mutex_unlock(&sh->lock);
}

/* A failed move that will fail again the same way: another user's file
 * in a sticky directory (EPERM), a directory we may not write (EACCES).
 * Store trouble (full, read-only, missing) is not this: it is retried. */
static bool
move_is_refused(const struct decision *d)
{
	return d->outcome == DECIDE_QUARANTINE_FAILED &&
	       (d->saved_errno == EPERM || d->saved_errno == EACCES);
}

static bool
cacheable(const struct decision *d)
{
	/* Verdicts that leave the file where it is, errors included (an
	 * attacker's slow file costs one scan, not one per link or per
	 * rescan; an error is logged, and acted on per policy, at that one
	 * scan).  A malicious file still in place because the policy only
	 * logs, or its move failed for a reason that may pass, is decided
	 * again next time; one whose move is refused is reported once. */
	if (move_is_refused(d))
		return true;
	if (d->outcome == DECIDE_QUARANTINED ||
	    d->outcome == DECIDE_QUARANTINE_FAILED)
		return false;
	return d->verdict != PW_VERDICT_MALICIOUS;
}

/*
 * A look at a file still being written (WATCH_JOB_PREFIX, landing.h): a
 * prefix scan in a worker.  Only a final answer - a malicious import or
 * call a loader reaches before the bytes end - is acted on: quarantined
 * at once through decide_apply like any malicious file (record, short log
 * line, hook, notification), so the downloader's rename fails.  Anything
 * else says nothing yet: no log, no cache; the complete file is judged at
 * its close or rename.  Returns the decision's outcome, or -1.
 */
static int
run_prefix(struct watch_shared *sh, struct watch_config *cfg,
	   const struct watch_job *job, int dirfd, const char *base, int fd,
	   const struct stat *st)
{
	struct scan_result *result = NULL;
	struct decide_subject subj;
	struct decision dec;
	struct policy p = *cfg->policy;
	char esc[1024];
	int rc, outcome = -1;

	rc = scan_client_scan_prefix(cfg->client, fd, job->prefix_len,
				     &result);
	if (rc != PW_OK)
		goto out;	/* the full scan at the end will say */
	escape_text_buf(job->path, esc, sizeof(esc));
	log_at(LOG_DEBUG, "landing look path=\"%s\" prefix=%llu "
	       "bytes_read=%llu final=%d", esc,
	       (unsigned long long)job->prefix_len,
	       (unsigned long long)scan_result_bytes_read(result),
	       scan_result_prefix_final(result) ? 1 : 0);
	if (!scan_result_prefix_final(result)) {
		outcome = DECIDE_NOTHING;
		goto out;
	}
	/* A prefix is an error or suspicious more often than not (its data
	 * ends early); only the malicious verdict is acted on now. */
	p.action[POLICY_VERDICT_ERROR] = POLICY_ACTION_NONE;
	p.action[POLICY_VERDICT_SUSPICIOUS] = POLICY_ACTION_NONE;
	subj.path = job->path;
	subj.dirfd = dirfd;
	subj.name = base;
	subj.fd = fd;
	subj.st = st;
	__atomic_add_fetch(&sh->analysed, 1, __ATOMIC_RELAXED);
	if (decide_apply(&p, cfg->store, &subj, result, &dec) != 0)
		goto out;
	outcome = (int)dec.outcome;
	if (dec.outcome == DECIDE_QUARANTINED) {
		__atomic_add_fetch(&sh->quarantined, 1, __ATOMIC_RELAXED);
		log_info("caught while landing path=\"%s\" after %llu bytes "
			 "(the writer's rename now fails)", esc,
			 (unsigned long long)job->prefix_len);
	}
out:
	scan_result_free(result);
	return outcome;
}

/* Puts the file on the retry list; true when it is on it.  A symlink
 * target outside the roots is never ours to retry (nor to move). */
static bool
retry_later(struct watch_shared *sh, const struct watch_job *job,
	    const struct stat *st, enum watch_retry_why why)
{
	if (job->flags & WATCH_JOB_NO_MOVE)
		return false;
	watch_retry_add(sh->retry, job->path, st, why);
	return true;
}

void
watch_job_run(void *p, void *arg)
{
	struct watch_job *job = p;
	struct watch_shared *sh = arg;
	struct watch_config *cfg = watch_shared_config(sh);
	struct scan_result *result = NULL;
	struct decide_subject subj;
	struct decision dec;
	struct vcache_key key;
	struct vcache_entry ce;
	struct policy link_policy;
	const struct policy *policy = cfg->policy;
	struct stat st;
	char *dir = NULL, esc[1024], esc2[1024];
	const char *base, *slash;
	uint64_t digest = 0;
	int dirfd = -1, fd = -1, rc, slot = -1, busy = -1, i;
	bool again = false;	/* put on the retry list (again) */

	slash = strrchr(job->path, '/');
	if (slash == NULL || slash[1] == '\0')
		goto out;
	base = slash + 1;
	dir = slash == job->path ? strdup("/")
				 : strndup(job->path, (size_t)(slash - job->path));
	if (dir == NULL)
		goto fail;
	dirfd = open_dir(dir);
	/* Gone, or no longer a directory: whatever was there was handled
	 * by the event that removed it. */
	if (dirfd < 0)
		goto out;
	/* ENOENT: already renamed or deleted; ELOOP: a symlink (judged
	 * through its target, see watch_events.c); EINVAL: not a regular
	 * file.  A file we may not read is judged by nobody: say so loudly;
	 * its next mode change (IN_ATTRIB) queues it again. */
	if (scanfile_open(dirfd, base, &fd, &st) != 0) {
		if (errno == EACCES || errno == EPERM) {
			escape_text_buf(job->path, esc, sizeof(esc));
			log_error("cannot open path=\"%s\" error=\"%s\": not "
				  "judged; retried when its mode changes", esc,
				  strerror(errno));
			__atomic_add_fetch(&sh->failed, 1, __ATOMIC_RELAXED);
		}
		goto out;
	}
	if (!(job->flags & WATCH_JOB_RETRY) &&
	    watch_retry_owns(sh->retry, job->path, &st))
		goto out;	/* its next attempt is scheduled */
	busy = inflight_begin(sh, &st);
	if (job->flags & WATCH_JOB_PREFIX) {
		slot = running_begin(sh, job->path);
		(void)run_prefix(sh, cfg, job, dirfd, base, fd, &st);
		goto out;
	}
	vcache_key_from_stat(&st, &key);
	/* NOCACHE: the file was open for writing since (CLOSE_WRITE,
	 * MODIFY): a shared mapping may have changed bytes without changing
	 * a timestamp. */
	if (!(job->flags & WATCH_JOB_NOCACHE) &&
	    cache_answers(sh, fd, &key, &ce)) {
		__atomic_add_fetch(&sh->cached, 1, __ATOMIC_RELAXED);
		goto out;
	}
	/* Digest before the scan: bytes changed in between make the next
	 * digest differ (a rescan), never a stale verdict. */
	(void)vcache_digest_fd(fd, (uint64_t)st.st_size, &digest);
	if (job->flags & (WATCH_JOB_NO_MOVE | WATCH_JOB_IN_PROGRESS)) {
		link_policy = *policy;
		/* The target of a symlink, outside every root: not ours to
		 * move.  Judge and log it (with the link), act on nothing. */
		for (i = 0; (job->flags & WATCH_JOB_NO_MOVE) &&
			    i < POLICY_VERDICT_COUNT;
		     i++)
			if (link_policy.action[i] == POLICY_ACTION_QUARANTINE)
				link_policy.action[i] = POLICY_ACTION_LOG;
		if (job->flags & WATCH_JOB_IN_PROGRESS) {
			link_policy.action[POLICY_VERDICT_ERROR] =
			    POLICY_ACTION_NONE;
			link_policy.action[POLICY_VERDICT_SUSPICIOUS] =
			    POLICY_ACTION_NONE;
		}
		policy = &link_policy;
	}
	slot = running_begin(sh, job->path);
	rc = scan_client_scan(cfg->client, fd, &result);
	if (rc != PW_OK) {
		/* The agent's failure, not a verdict (no worker could be
		 * started, no memory in the agent; what the file does to a
		 * scan is a verdict, see scan_result_unfinished): the file
		 * is unjudged, so it is tried again with back-off rather
		 * than left until it happens to change. */
		escape_text_buf(job->path, esc, sizeof(esc));
		log_error("scan failed path=\"%s\" error=\"%s\"", esc,
			  pw_strerror(rc));
		again = retry_later(sh, job, &st, WATCH_RETRY_SCAN);
		goto fail;
	}
	__atomic_add_fetch(&sh->analysed, 1, __ATOMIC_RELAXED);
	/* What each scan cost, for whoever measures (debug level).  By
	 * inode: a file's name stays in its decision lines only, which
	 * people and tests count. */
	log_at(LOG_DEBUG, "scanned inode=%llu:%llu verdict=%s bytes_read=%llu "
	       "size=%llu", (unsigned long long)st.st_dev,
	       (unsigned long long)st.st_ino,
	       pw_verdict_name(scan_result_verdict(result)),
	       (unsigned long long)scan_result_bytes_read(result),
	       (unsigned long long)st.st_size);
	subj.path = job->path;
	subj.dirfd = dirfd;
	subj.name = base;
	subj.fd = fd;
	subj.st = &st;
	/* decide_apply logs the decision (and its failures) itself.  One
	 * that could not be made is tried again like a failed scan. */
	if (decide_apply(policy, cfg->store, &subj, result, &dec) != 0) {
		again = retry_later(sh, job, &st, WATCH_RETRY_DECIDE);
		goto fail;
	}
	if (dec.outcome == DECIDE_QUARANTINED)
		__atomic_add_fetch(&sh->quarantined, 1, __ATOMIC_RELAXED);
	else if (dec.outcome == DECIDE_QUARANTINE_FAILED) {
		__atomic_add_fetch(&sh->failed, 1, __ATOMIC_RELAXED);
		/* Still in place (a file that changed gets its own event):
		 * tried again with back-off until the store takes it; a move
		 * the filesystem refuses (another user's file) is reported
		 * once instead. */
		if (dec.quarantine_status != QUARANTINE_ERR_CHANGED &&
		    !move_is_refused(&dec))
			again = retry_later(sh, job, &st, WATCH_RETRY_MOVE);
	}
	if (job->link != NULL && dec.verdict != PW_VERDICT_CLEAN) {
		escape_text_buf(job->link, esc, sizeof(esc));
		escape_text_buf(job->path, esc2, sizeof(esc2));
		log_error("symlink in a root points at a %s file link=\"%s\" "
			  "target=\"%s\" outcome=%s%s",
			  pw_verdict_name(dec.verdict), esc, esc2,
			  decide_outcome_name(dec.outcome),
			  (job->flags & WATCH_JOB_NO_MOVE)
			      ? " (target outside the roots: not ours to "
				"move, left in place; the guard blocks its "
				"open)"
			      : "");
	}
	if (move_is_refused(&dec)) {
		escape_text_buf(job->path, esc, sizeof(esc));
		log_error("left in place path=\"%s\" reason=\"%s\": it cannot "
			  "be moved; reported once while it is unchanged (the "
			  "guard blocks its open where one runs)",
			  esc, strerror(dec.saved_errno));
	}
	if (cacheable(&dec) && (!(job->flags & WATCH_JOB_IN_PROGRESS) ||
				dec.verdict == PW_VERDICT_CLEAN)) {
		ce.verdict = (int)dec.verdict;
		ce.digest = digest;
		ce.flags = move_is_refused(&dec) ? VCACHE_F_UNMOVABLE : 0;
		(void)vcache_insert(sh->vcache, &key, &ce);
	}
	goto out;
fail:
	__atomic_add_fetch(&sh->failed, 1, __ATOMIC_RELAXED);
out:
	/* A retry that reached an end leaves the list, even with the file
	 * still there (judged clean, or a move that is refused). */
	if ((job->flags & WATCH_JOB_RETRY) && !again && fd >= 0)
		watch_retry_settle(sh->retry, job->path, &st);
	inflight_end(sh, busy);
	running_end(sh, slot);
	scan_result_free(result);
	if (fd >= 0)
		close(fd);
	if (dirfd >= 0)
		close(dirfd);
	free(dir);
	watch_config_unref(cfg);
	watch_job_drop(job);
}
