/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watch_events.c - what each inotify event means, and the walker's
 * callbacks.  Runs on the event loop thread; never scans, never blocks on
 * anything but a quick open/fstat of a directory.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>

#include "agent/store/escape.h"
#include "agent/store/log.h"
#include "agent/watch/watch_int.h"
#include "agent/watch/watch_names.h"

/* Event paths longer than this are dropped with a log line: PATH_MAX is
 * what the kernel resolves anyway. */
#define WATCH_PATH_MAX 4096

static const struct policy *
policy_of(struct watcher *w)
{
	/* The loop thread is the only writer of sh.cfg: reading it without
	 * the lock here is safe. */
	return w->sh.cfg->policy;
}

static const char *
last_component(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

bool
watch_submit(struct watcher *w, const char *path, unsigned flags)
{
	struct watch_job *job = watch_job_new(path, flags);

	/* Out of memory counts as "full": the directory is listed again
	 * later, nothing is lost. */
	if (job == NULL)
		return false;
	if (!workqueue_try_push(w->wq, job)) {
		watch_job_drop(job);
		return false;
	}
	return true;
}

void
watch_unwatch_under(struct watcher *w, const char *path)
{
	int *wds = NULL;
	size_t i, n = 0;

	if (watch_table_under(w->table, path, &wds, &n) != 0)
		return;
	for (i = 0; i < n; i++) {
		(void)inotify_backend_unwatch(wds[i]);
		watch_table_remove(w->table, wds[i]);
	}
	free(wds);
}

void
watch_full_rescan(struct watcher *w, enum watch_phase phase)
{
	size_t i;

	/* A full walk covers whatever partial walk was pending. */
	watch_walk_clear(w->walk);
	watch_qdir_refresh(w, policy_of(w));
	for (i = 0; i < w->nroots; i++)
		w->roots[i].pushed = false;
	/* Walks the roots that just appeared... */
	watch_roots_check(w);
	/* ...and here the others. */
	for (i = 0; i < w->nroots; i++) {
		if (w->roots[i].present && !w->roots[i].pushed)
			(void)watch_walk_push(w->walk, w->roots[i].real, true);
		w->roots[i].pushed = false;
	}
	if (w->phase == WATCH_PHASE_NONE || phase == WATCH_PHASE_STARTUP) {
		w->phase = phase;
		w->phase_files = 0;
		w->phase_analysed0 = __atomic_load_n(&w->sh.analysed,
						     __ATOMIC_RELAXED);
		w->phase_cached0 = __atomic_load_n(&w->sh.cached,
						   __ATOMIC_RELAXED);
		w->phase_quarantined0 = __atomic_load_n(&w->sh.quarantined,
							__ATOMIC_RELAXED);
		w->phase_started_ms = watch_now_ms();
	}
}

/* Walker: a directory is about to be listed.  Watch it first. */
static bool
on_dir(void *arg, int dirfd, const char *path, const struct stat *st)
{
	struct watcher *w = arg;
	struct watch_dir *d;
	char esc[512];
	int wd;

	if (watch_is_qdir(w, path, st) ||
	    policy_is_excluded(policy_of(w), path))
		return false;
	d = watch_table_by_inode(w->table, (uint64_t)st->st_dev,
				 (uint64_t)st->st_ino);
	if (d != NULL) {
		/* Known: it may have moved while we were not looking (an
		 * overflow), so take the path we reached it by. */
		(void)watch_table_set_path(w->table, d, path);
		d->kind = WATCH_DIR_TREE;
		d->dirty = false;
		return true;
	}
	if (inotify_backend_watch_dirfd(dirfd, &wd) != 0) {
		/* Still list it: its files are scanned now, only later
		 * arrivals would be missed.  ENOSPC is the user's
		 * fs.inotify.max_user_watches. */
		if (errno == ENOSPC && !w->watch_limit_logged) {
			w->watch_limit_logged = true;
			log_error("inotify watch limit reached "
				  "(fs.inotify.max_user_watches): directories "
				  "beyond it are scanned but not watched");
		} else if (errno != ENOSPC) {
			escape_text_buf(path, esc, sizeof(esc));
			log_warning("cannot watch path=\"%s\" error=\"%s\"",
				    esc, strerror(errno));
		}
		return true;
	}
	if (watch_table_add(w->table, wd, (uint64_t)st->st_dev,
			    (uint64_t)st->st_ino, path, WATCH_DIR_TREE) == NULL)
		(void)inotify_backend_unwatch(wd);
	return true;
}

/* Walker: a regular file. */
static bool
on_file(void *arg, const char *path)
{
	struct watcher *w = arg;

	if (policy_is_excluded(policy_of(w), path))
		return true;
	if (!watch_submit(w, path, 0))
		return false;
	w->phase_files++;
	return true;
}

const struct watch_walk_ops watch_walk_callbacks = {on_dir, on_file};

/* A file event in directory d could not be queued: list d again once
 * there is room (at most once at a time per directory). */
static void
defer_dir(struct watcher *w, struct watch_dir *d)
{
	if (d->dirty)
		return;
	if (watch_walk_push(w->walk, d->path, false) == 0)
		d->dirty = true;
	else
		watch_full_rescan(w, WATCH_PHASE_RESCAN);
}

static void
handle_dir_event(struct watcher *w, const struct inotify_backend_event *ev,
		 const char *path)
{
	if (ev->mask & IN_MOVED_FROM)
		watch_unwatch_under(w, path);
	if (!(ev->mask & (IN_CREATE | IN_MOVED_TO)))
		return;
	if (watch_name_is_skipped_dir(ev->name) ||
	    policy_is_excluded(policy_of(w), path))
		return;
	/* Files may have landed before the watch exists: the walk watches
	 * the new directory first, then lists it. */
	if (watch_walk_push(w->walk, path, true) != 0)
		watch_full_rescan(w, WATCH_PHASE_RESCAN);
}

void
watch_handle_event(struct watcher *w, const struct inotify_backend_event *ev)
{
	struct watch_dir *d;
	struct watch_root *root;
	char path[WATCH_PATH_MAX];
	struct stat st;
	unsigned flags;
	int n;

	/* The kernel dropped events: we no longer know what changed.  Test
	 * the mask, not the wd (which is -1). */
	if (ev->mask & IN_Q_OVERFLOW) {
		log_warning("inotify queue overflowed: rescanning every root");
		watch_full_rescan(w, WATCH_PHASE_RESCAN);
		return;
	}
	d = watch_table_by_wd(w->table, ev->wd);
	if (ev->mask & IN_IGNORED) {
		/* The kernel removed the watch (directory deleted or
		 * unmounted).  libinotifytools cannot free its record of a
		 * watch the kernel already dropped (its remove call fails):
		 * count it; watch.c rebuilds the instance when they add up. */
		if (d != NULL) {
			w->lib_leaks++;
			watch_table_remove(w->table, ev->wd);
		}
		return;
	}
	if (d == NULL)
		return;
	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
		root = watch_root_at(w, d->path);
		/* A root that moved away must stop being watched under its
		 * old name; the parent's MOVED_FROM covers other
		 * directories. */
		if (root != NULL) {
			if (ev->mask & IN_MOVE_SELF)
				watch_unwatch_under(w, d->path);
			w->roots_check_pending = true;
		}
		return;
	}
	if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO)) &&
	    (w->missing > 0 || d->kind == WATCH_DIR_ANCESTOR))
		w->roots_check_pending = true;
	/* An ancestor of a missing root: its files are not ours. */
	if (d->kind == WATCH_DIR_ANCESTOR || ev->name[0] == '\0')
		return;
	n = snprintf(path, sizeof(path), "%s/%s", d->path, ev->name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return;
	if (ev->mask & IN_ISDIR) {
		handle_dir_event(w, ev, path);
		return;
	}
	if (!(ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE)))
		return;
	if (watch_name_is_temporary(ev->name, last_component(d->path)) ||
	    policy_is_excluded(policy_of(w), path))
		return;
	flags = 0;
	if (!(ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO))) {
		/* CREATE alone: an ordinary new file is scanned at its
		 * CLOSE_WRITE; only a hard link (CREATE, then nothing) needs
		 * a scan now.  One lstat here saves a queued job per new
		 * file; the worker checks the link count again. */
		if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode) || st.st_nlink < 2)
			return;
		flags = WATCH_JOB_LINKED_ONLY;
	}
	if (!watch_submit(w, path, flags))
		defer_dir(w, d);
}
