/*
 * watch_timers.c - what the watcher does by time rather than by event:
 *
 *  - Debounced arrivals.  A file's CLOSE_WRITE is not the only sign it
 *    arrived: O_TMPFILE+linkat and a hard link whose source is unlinked at
 *    once give only CREATE, a writer may never close, and bytes may change
 *    in a file already judged (MODIFY, an O_TRUNC rewrite).  Such a file
 *    is judged once it has been quiet for WATCH_DEBOUNCE_QUIET_MS, and at
 *    least every WATCH_DEBOUNCE_MAX_MS while it keeps changing.  An
 *    in-progress download name at its downloader's place waits
 *    WATCH_TEMP_GRACE_MS of quiet instead (it is judged at its close and
 *    rename anyway).
 *  - Directories inotify refused (the per-user watch limit) are retried
 *    with back-off and, meanwhile, walked again at each retry: their files
 *    are polled through the verdict cache, which reads nothing unchanged.
 *  - Periodic rescans of roots with a rescan_interval, and of roots on a
 *    network or FUSE filesystem (whose remote writes inotify never sees).
 *  - The mount table: a filesystem mounted under a root raises no inotify
 *    event, so /proc/self/mountinfo is polled for POLLPRI.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/store/escape.h"
#include "agent/store/log.h"
#include "agent/watch/watch_int.h"
#include "agent/watch/watch_names.h"

#define WATCH_DEBOUNCE_QUIET_MS 500u
#define WATCH_DEBOUNCE_MAX_MS 3000u
#define WATCH_TEMP_GRACE_MS 30000u
/* Files waiting for their debounce; beyond it the directory is listed
 * again later instead (nothing is lost, it costs a walk). */
#define WATCH_PENDING_MAX 4096u
/* Directories remembered as unwatched; beyond it, a full rescan at each
 * retry covers them. */
#define WATCH_UNWATCHED_MAX 65536u
#define WATCH_RETRY_MIN_MS 2000u
#define WATCH_RETRY_MAX_MS 30000u

static struct watch_pending *
pending_find(struct watcher *w, const char *path)
{
	size_t i;

	for (i = 0; i < w->npending; i++)
		if (strcmp(w->pending[i].path, path) == 0)
			return &w->pending[i];
	return NULL;
}

static void
pending_remove_at(struct watcher *w, size_t i)
{
	free(w->pending[i].path);
	w->pending[i] = w->pending[--w->npending];
}

void
watch_pending_forget(struct watcher *w, const char *path)
{
	struct watch_pending *p = pending_find(w, path);

	/* Closed, renamed or deleted: its writing is over (a new writer
	 * starts from the first look again). */
	landing_table_forget(w->landing, path);
	if (p != NULL)
		pending_remove_at(w, (size_t)(p - w->pending));
}

void
watch_pending_touch(struct watcher *w, const char *path, bool modified,
		    bool temporary)
{
	struct watch_pending *p = pending_find(w, path), *grown;
	uint64_t now = watch_now_ms(), cap;

	if (p == NULL) {
		if (w->npending >= WATCH_PENDING_MAX) {
			/* Full: the next full rescan judges it; ask for one
			 * rather than lose it. */
			watch_full_rescan(w, WATCH_PHASE_RESCAN);
			return;
		}
		if (w->npending == w->cap_pending) {
			size_t n = w->cap_pending == 0 ? 16 : w->cap_pending * 2;

			grown = reallocarray(w->pending, n, sizeof(*grown));
			if (grown == NULL)
				return;
			w->pending = grown;
			w->cap_pending = n;
		}
		p = &w->pending[w->npending];
		memset(p, 0, sizeof(*p));
		p->path = strdup(path);
		if (p->path == NULL)
			return;
		w->npending++;
		p->first_ms = now;
	}
	p->temporary = temporary;
	p->written |= modified;
	if (temporary) {
		p->due_ms = now + WATCH_TEMP_GRACE_MS;
		return;
	}
	cap = p->first_ms + WATCH_DEBOUNCE_MAX_MS;
	p->due_ms = now + WATCH_DEBOUNCE_QUIET_MS < cap
			? now + WATCH_DEBOUNCE_QUIET_MS
			: cap;
}

/* Submits the pending files that are due; returns the next due time. */
static uint64_t
pending_run(struct watcher *w, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	size_t i = 0;

	while (i < w->npending) {
		struct watch_pending *p = &w->pending[i];

		if (p->due_ms > now) {
			if (p->due_ms < next)
				next = p->due_ms;
			i++;
			continue;
		}
		if (!watch_submit_front(w, p->path,
					p->written ? WATCH_JOB_NOCACHE |
							 WATCH_JOB_IN_PROGRESS
						   : 0)) {
			/* Queue full: try again shortly. */
			p->due_ms = now + 100;
			if (p->due_ms < next)
				next = p->due_ms;
			i++;
			continue;
		}
		pending_remove_at(w, i);
	}
	return next;
}

void
watch_unwatched_add(struct watcher *w, const char *path)
{
	size_t i;
	char **grown, *copy;

	for (i = 0; i < w->nunwatched; i++)
		if (strcmp(w->unwatched[i], path) == 0)
			return;
	if (w->nunwatched >= WATCH_UNWATCHED_MAX) {
		/* Not silent: past the cap, only full rescans (overflow,
		 * rescan_interval) look at such a directory again. */
		if (!w->unwatched_cap_logged)
			log_error("more than %u directories are not watched: "
				  "the others are only seen by full rescans "
				  "(set rescan_interval, or raise "
				  "fs.inotify.max_user_watches)",
				  WATCH_UNWATCHED_MAX);
		w->unwatched_cap_logged = true;
		return;
	}
	if (w->nunwatched == w->cap_unwatched) {
		size_t n = w->cap_unwatched == 0 ? 16 : w->cap_unwatched * 2;

		grown = reallocarray(w->unwatched, n, sizeof(*grown));
		if (grown == NULL)
			return;
		w->unwatched = grown;
		w->cap_unwatched = n;
	}
	copy = strdup(path);
	if (copy == NULL)
		return;
	w->unwatched[w->nunwatched++] = copy;
	if (w->unwatched_due_ms == 0) {
		w->unwatched_backoff_ms = WATCH_RETRY_MIN_MS;
		w->unwatched_due_ms = watch_now_ms() + WATCH_RETRY_MIN_MS;
	}
}

/* Retries every unwatched directory: the walk's on_dir watches it if
 * it can now (or puts it back on the list) and lists it either way. */
static uint64_t
unwatched_run(struct watcher *w, uint64_t now)
{
	size_t i, n = w->nunwatched;
	char **list = w->unwatched;

	if (w->unwatched_due_ms == 0)
		return UINT64_MAX;
	if (now < w->unwatched_due_ms)
		return w->unwatched_due_ms;
	if (n != w->unwatched_logged) {
		if (n > 0)
			log_error("%zu directories are not watched (inotify "
				  "watch limit, fs.inotify.max_user_watches): "
				  "retrying and polling them every %llus", n,
				  (unsigned long long)(w->unwatched_backoff_ms /
						       1000u));
		w->unwatched_logged = n;
	}
	if (n == 0) {
		if (w->watch_limit_logged)
			log_info("every directory is watched again");
		w->watch_limit_logged = false;
		w->unwatched_due_ms = 0;
		return UINT64_MAX;
	}
	w->unwatched = NULL;
	w->nunwatched = w->cap_unwatched = 0;
	for (i = 0; i < n; i++) {
		(void)watch_walk_push(w->walk, list[i], true);
		free(list[i]);
	}
	free(list);
	w->unwatched_backoff_ms *= 2;
	if (w->unwatched_backoff_ms > WATCH_RETRY_MAX_MS)
		w->unwatched_backoff_ms = WATCH_RETRY_MAX_MS;
	w->unwatched_due_ms = now + w->unwatched_backoff_ms;
	return w->unwatched_due_ms;
}

static uint64_t
rescans_run(struct watcher *w, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	char esc[512];
	size_t i;

	for (i = 0; i < w->nroots; i++) {
		struct watch_root *r = &w->roots[i];

		if (!r->present || r->rescan_sec == 0)
			continue;
		if (r->next_rescan_ms == 0)
			r->next_rescan_ms = now + (uint64_t)r->rescan_sec * 1000u;
		if (now >= r->next_rescan_ms) {
			escape_text_buf(r->real, esc, sizeof(esc));
			log_info("periodic rescan of root path=\"%s\"", esc);
			watch_rescan_root(w, r);
			r->next_rescan_ms = now + (uint64_t)r->rescan_sec * 1000u;
		}
		if (r->next_rescan_ms < next)
			next = r->next_rescan_ms;
	}
	return next;
}

uint64_t
watch_timers_run(struct watcher *w, uint64_t now)
{
	uint64_t next = pending_run(w, now), t;

	t = unwatched_run(w, now);
	if (t < next)
		next = t;
	t = rescans_run(w, now);
	if (t < next)
		next = t;
	t = watch_hf_names_run(w, now);
	if (t < next)
		next = t;
	return next;
}

/* Reads the mount table to its end: that re-arms POLLPRI. */
static void
mounts_drain(int fd)
{
	char buf[8192];

	if (lseek(fd, 0, SEEK_SET) < 0)
		return;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

void
watch_mounts_open(struct watcher *w)
{
	w->mounts_fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (w->mounts_fd < 0) {
		log_warning("cannot open /proc/self/mountinfo (%s): a "
			    "filesystem mounted under a root is seen only at "
			    "the next rescan", strerror(errno));
		return;
	}
	mounts_drain(w->mounts_fd);
}

void
watch_mounts_changed(struct watcher *w)
{
	mounts_drain(w->mounts_fd);
	log_warning("mount table changed: re-examining the roots and "
		    "rescanning");
	watch_roots_recheck_fs(w);
	watch_full_rescan(w, WATCH_PHASE_RESCAN);
}

void
watch_timers_free(struct watcher *w)
{
	size_t i;

	watch_hf_names_free(w);
	for (i = 0; i < w->npending; i++)
		free(w->pending[i].path);
	free(w->pending);
	w->pending = NULL;
	w->npending = w->cap_pending = 0;
	for (i = 0; i < w->nunwatched; i++)
		free(w->unwatched[i]);
	free(w->unwatched);
	w->unwatched = NULL;
	w->nunwatched = w->cap_unwatched = 0;
	if (w->mounts_fd >= 0)
		close(w->mounts_fd);
	w->mounts_fd = -1;
}

/* The root whose real path contains path (path itself or below it). */
static struct watch_root *
root_containing(struct watcher *w, const char *path)
{
	size_t i, n;

	for (i = 0; i < w->nroots; i++) {
		const char *r = w->roots[i].real;

		if (!w->roots[i].present || r == NULL)
			continue;
		n = strlen(r);
		if (strncmp(path, r, n) == 0 &&
		    (path[n] == '/' || path[n] == '\0' || n == 1))
			return &w->roots[i];
	}
	return NULL;
}

static bool
is_under(const char *path, const char *dir)
{
	size_t n = dir != NULL ? strlen(dir) : 0;

	return n > 0 && strncmp(path, dir, n) == 0 &&
	       (path[n] == '/' || path[n] == '\0');
}

/* The last, and the one before last, directory names of path's parent. */
static void
parent_names(const char *path, char *parent, char *grand, size_t cap)
{
	const char *end = strrchr(path, '/'), *p;
	size_t n;

	parent[0] = grand[0] = '\0';
	if (end == NULL || end == path)
		return;
	for (p = end - 1; p > path && *p != '/'; p--)
		;
	n = (size_t)(end - p - 1);
	if (n < cap) {
		memcpy(parent, p + 1, n);
		parent[n] = '\0';
	}
	if (p == path)
		return;
	end = p;
	for (p = end - 1; p > path && *p != '/'; p--)
		;
	n = (size_t)(end - p - 1);
	if (n < cap) {
		memcpy(grand, p + 1, n);
		grand[n] = '\0';
	}
}

void
watch_symlink(struct watcher *w, const char *path)
{
	char *target = realpath(path, NULL), esc[1024], esc2[1024];
	char parent[NAME_MAX + 1], grand[NAME_MAX + 1];
	const char *base;
	struct stat st;
	struct watch_job *job;
	unsigned flags = 0;

	/* Dangling, a loop, or a path too long to resolve: nothing a loader
	 * can open through it either (the last is logged). */
	if (target == NULL) {
		if (errno == ENAMETOOLONG) {
			escape_text_buf(path, esc, sizeof(esc));
			log_error("cannot resolve symlink path=\"%s\": %s", esc,
				  strerror(errno));
		}
		return;
	}
	if (stat(target, &st) != 0 || !S_ISREG(st.st_mode))
		goto out;
	if (watch_is_qdir(w, target, NULL) ||
	    (w->qdir_real != NULL && is_under(target, w->qdir_real))) {
		escape_text_buf(path, esc, sizeof(esc));
		escape_text_buf(target, esc2, sizeof(esc2));
		log_error("symlink into the quarantine store: malicious by "
			  "placement link=\"%s\" target=\"%s\" (left in place: "
			  "remove the link; the guard blocks its open)",
			  esc, esc2);
		goto out;
	}
	base = strrchr(target, '/') + 1;
	parent_names(target, parent, grand, sizeof(parent));
	if (root_containing(w, target) != NULL) {
		/* Inside a root the target is judged on its own path, unless
		 * its name or place is one we do not judge on sight. */
		if (!watch_name_is_temporary(base, parent, grand) &&
		    !policy_is_excluded(w->sh.cfg->policy, target))
			goto out;
	} else {
		flags = WATCH_JOB_NO_MOVE;
	}
	job = watch_job_new_link(target, path, flags);
	if (job != NULL && !workqueue_try_push_front(w->wq, job))
		watch_job_drop(job);
out:
	free(target);
}
