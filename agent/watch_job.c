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
#include <time.h>
#include <unistd.h>

#include "agent/decide.h"
#include "agent/escape.h"
#include "agent/log.h"
#include "agent/scanfile.h"
#include "agent/watch_job.h"

struct watch_job {
	unsigned flags;
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
	memcpy(j->path, path, len + 1);
	return j;
}

void
watch_job_drop(void *job)
{
	free(job);
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
 * from directory listings, so no component should be a symlink; with
 * openat2 that is enforced (a directory swapped for a symlink after it was
 * listed is refused).  Kernels before 5.6 lack openat2: fall back to open,
 * and the final O_NOFOLLOW of scanfile_open still protects the file.
 */
static int
open_dir(const char *dir)
{
	struct open_how how;
	int fd;

	memset(&how, 0, sizeof(how));
	how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
	how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, AT_FDCWD, dir, &how, sizeof(how));
	if (fd < 0 && (errno == ENOSYS || errno == EPERM))
		fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd;
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

static bool
cacheable(const struct decision *d)
{
	/* Only verdicts that leave the file where it is: a malicious file
	 * still in place (its move failed, or the policy only logs) must be
	 * decided again next time, and an error means "not decided". */
	return (d->verdict == PW_VERDICT_CLEAN ||
		d->verdict == PW_VERDICT_SUSPICIOUS) &&
	       d->outcome != DECIDE_QUARANTINED &&
	       d->outcome != DECIDE_QUARANTINE_FAILED;
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
	struct stat st;
	char *dir = NULL, esc[1024];
	const char *base, *slash;
	int dirfd = -1, fd = -1, rc, verdict, slot = -1;

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
	/* ENOENT: already renamed or deleted; ELOOP: a symlink (the HF
	 * snapshot links), left alone; EINVAL: not a regular file. */
	if (scanfile_open(dirfd, base, &fd, &st) != 0)
		goto out;
	if ((job->flags & WATCH_JOB_LINKED_ONLY) && st.st_nlink < 2)
		goto out;
	vcache_key_from_stat(&st, &key);
	if (vcache_lookup(sh->vcache, &key, &verdict)) {
		__atomic_add_fetch(&sh->cached, 1, __ATOMIC_RELAXED);
		goto out;
	}
	slot = running_begin(sh, job->path);
	rc = scan_client_scan(cfg->client, fd, &result);
	if (rc != PW_OK) {
		escape_text_buf(job->path, esc, sizeof(esc));
		log_error("scan failed path=\"%s\" error=\"%s\"", esc,
			  pw_strerror(rc));
		goto fail;
	}
	__atomic_add_fetch(&sh->analysed, 1, __ATOMIC_RELAXED);
	subj.path = job->path;
	subj.dirfd = dirfd;
	subj.name = base;
	subj.fd = fd;
	subj.st = &st;
	/* decide_apply logs the decision (and its failures) itself. */
	if (decide_apply(cfg->policy, cfg->store, &subj, result, &dec) != 0)
		goto fail;
	if (dec.outcome == DECIDE_QUARANTINED)
		__atomic_add_fetch(&sh->quarantined, 1, __ATOMIC_RELAXED);
	else if (dec.outcome == DECIDE_QUARANTINE_FAILED)
		__atomic_add_fetch(&sh->failed, 1, __ATOMIC_RELAXED);
	/* A file that killed its worker is remembered too, so it is not
	 * scanned (and its worker killed) again and again; it stays an
	 * error, decided once by the policy above. */
	if (cacheable(&dec) || (scan_result_worker_failed(result) &&
				dec.outcome != DECIDE_QUARANTINED))
		(void)vcache_insert(sh->vcache, &key, (int)dec.verdict);
	goto out;
fail:
	__atomic_add_fetch(&sh->failed, 1, __ATOMIC_RELAXED);
out:
	running_end(sh, slot);
	scan_result_free(result);
	if (fd >= 0)
		close(fd);
	if (dirfd >= 0)
		close(dirfd);
	free(dir);
	watch_config_unref(cfg);
	free(job);
}
