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
#include <limits.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "agent/store/escape.h"
#include "agent/store/log.h"
#include "agent/watch/watch_fdpath.h"
#include "agent/watch/watch_int.h"
#include "agent/watch/watch_names.h"

/* No path length limit: paths are heap strings, and long ones are opened
 * fd-relative (watch_fdpath.h). */

static const struct policy *
policy_of(struct watcher *w)
{
	/* The loop thread is the only writer of sh.cfg: reading it without
	 * the lock here is safe. */
	return w->sh.cfg->policy;
}

/* The directory names above path's last component: parent and the one
 * before it ("" when there is none, or too long to be a name). */
static void
dir_names(const char *dirpath, char *parent, char *grand, size_t cap)
{
	const char *end = dirpath + strlen(dirpath), *p;
	size_t n;

	parent[0] = grand[0] = '\0';
	for (p = end; p > dirpath && p[-1] != '/'; p--)
		;
	n = (size_t)(end - p);
	if (n < cap) {
		memcpy(parent, p, n);
		parent[n] = '\0';
	}
	if (p <= dirpath + 1)
		return;
	end = p - 1;
	for (p = end; p > dirpath && p[-1] != '/'; p--)
		;
	n = (size_t)(end - p);
	if (n < cap) {
		memcpy(grand, p, n);
		grand[n] = '\0';
	}
}

/* A download in progress at its downloader's place (watch_names.h). */
static bool
is_temporary_at(const char *dirpath, const char *name)
{
	char parent[NAME_MAX + 1], grand[NAME_MAX + 1];

	dir_names(dirpath, parent, grand, sizeof(parent));
	return watch_name_is_temporary(name, parent, grand);
}

static bool
submit(struct watcher *w, const char *path, unsigned flags, bool front)
{
	struct watch_job *job = watch_job_new(path, flags);

	/* Out of memory counts as "full": the directory is listed again
	 * later, nothing is lost. */
	if (job == NULL)
		return false;
	if (!(front ? workqueue_try_push_front(w->wq, job)
		    : workqueue_try_push(w->wq, job))) {
		watch_job_drop(job);
		return false;
	}
	return true;
}

bool
watch_submit(struct watcher *w, const char *path, unsigned flags)
{
	return submit(w, path, flags, false);
}

bool
watch_submit_front(struct watcher *w, const char *path, unsigned flags)
{
	return submit(w, path, flags, true);
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

static void phase_begin(struct watcher *w, enum watch_phase phase);

void
watch_full_rescan(struct watcher *w, enum watch_phase phase)
{
	size_t i;

	/* A full walk covers whatever partial walk was pending. */
	watch_walk_clear(w->walk);
	/* Every file still there is looked up again: what is not, is gone. */
	vcache_mark_unused(w->sh.vcache);
	w->phase_full = true;
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
	phase_begin(w, phase);
}

void
watch_rescan_root(struct watcher *w, struct watch_root *r)
{
	if (watch_walk_push(w->walk, r->real, true) != 0) {
		watch_full_rescan(w, WATCH_PHASE_RESCAN);
		return;
	}
	phase_begin(w, WATCH_PHASE_RESCAN);
}

static void
phase_begin(struct watcher *w, enum watch_phase phase)
{
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
	char esc[512], *parent;
	const char *slash = strrchr(path, '/');
	int wd;
	bool skip = false;

	if (watch_is_qdir(w, path, st) ||
	    policy_is_excluded(policy_of(w), path))
		return false;
	/* .locks and xet only at their Hugging Face places. */
	if (slash != NULL && slash != path &&
	    (parent = strndup(path, (size_t)(slash - path))) != NULL) {
		char pn[NAME_MAX + 1], gn[NAME_MAX + 1];

		dir_names(parent, pn, gn, sizeof(pn));
		skip = watch_root_at(w, path) == NULL &&
		       watch_name_is_skipped_dir(slash + 1, pn,
						 watch_root_at(w, parent) != NULL);
		free(parent);
	}
	if (skip)
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
		if (errno == ENOSPC) {
			if (!w->watch_limit_logged)
				log_error("inotify watch limit reached "
					  "(fs.inotify.max_user_watches): "
					  "directories beyond it are scanned "
					  "now, then polled and retried");
			w->watch_limit_logged = true;
			watch_unwatched_add(w, path);
		} else {
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
	const char *slash = strrchr(path, '/');
	char *dir;
	bool temp = false;

	if (policy_is_excluded(policy_of(w), path))
		return true;
	/* An in-progress name at its place, found by a walk: it may be a
	 * download being written, or a file renamed there before the
	 * directory's watch existed.  Judged once it has been quiet for a
	 * moment (its writes and close re-arm that), never skipped. */
	if (slash != NULL && slash != path &&
	    (dir = strndup(path, (size_t)(slash - path))) != NULL) {
		temp = is_temporary_at(dir, slash + 1);
		free(dir);
	}
	if (temp) {
		watch_pending_touch(w, path, false, false);
		return true;
	}
	if (!watch_submit(w, path, 0))
		return false;
	w->phase_files++;
	return true;
}

/* Walker: a symlink. */
static void
on_symlink(void *arg, const char *path)
{
	watch_symlink(arg, path);
}

const struct watch_walk_ops watch_walk_callbacks = {on_dir, on_file,
						    on_symlink};

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
	/* on_dir decides on skipped and excluded directories.  Files may
	 * have landed before the watch exists: the walk watches
	 * the new directory first, then lists it. */
	if (watch_walk_push(w->walk, path, true) != 0)
		watch_full_rescan(w, WATCH_PHASE_RESCAN);
}

/*
 * Scan while it lands.  A file being written (any name: an HF
 * ".incomplete" blob, torch.hub's temporary file, an in-place writer) is
 * looked at when its size reaches LANDING_FIRST and each time it has
 * doubled since: a prefix scan of the bytes landed so far, in a worker
 * (WATCH_JOB_PREFIX).  A final answer quarantines the partial file at
 * once, so the downloader's own rename fails.  Here only an fstatat of
 * the name: no byte of the file is read by this thread.  A look that
 * cannot be queued is not counted, so the next write asks again.
 */
void
watch_landing_modified(struct watcher *w, const struct watch_dir *d,
		       const char *path, const char *name)
{
	struct landing_state *ls;
	struct watch_job *job;
	struct stat st;
	int dfd, rc;

	if (strlen(path) < PATH_MAX) {
		rc = fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW);
	} else {
		dfd = watch_open_dir(d->path, O_PATH, 1);
		rc = dfd < 0 ? -1 : fstatat(dfd, name, &st,
					    AT_SYMLINK_NOFOLLOW);
		if (dfd >= 0)
			close(dfd);
	}
	/* Below the first look no state is kept: a burst of small files
	 * costs one fstatat each, not a table entry. */
	if (rc != 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size < LANDING_FIRST)
		return;
	ls = landing_table_get(w->landing, path, watch_now_ms());
	if (ls == NULL)
		return;
	landing_seen(ls, (uint64_t)st.st_size);
	if (!landing_due(ls, (uint64_t)st.st_size))
		return;
	job = watch_job_new_prefix(path, (uint64_t)st.st_size);
	if (job == NULL)
		return;
	if (!workqueue_try_push_front(w->wq, job)) {
		watch_job_drop(job);
		return;
	}
	landing_looked(ls, (uint64_t)st.st_size);
}

void
watch_handle_event(struct watcher *w, const struct inotify_backend_event *ev)
{
	struct watch_dir *d;
	struct watch_root *root;
	char *path = NULL;
	struct stat st;
	bool temp;
	int dfd;

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
	/* Any new name where a root may appear: a directory, or a symlink
	 * standing in for one (a cache moved to a bigger disk). */
	if ((ev->mask & (IN_CREATE | IN_MOVED_TO)) &&
	    (d->kind == WATCH_DIR_ANCESTOR ||
	     (w->missing > 0 && (ev->mask & IN_ISDIR))))
		w->roots_check_pending = true;
	/* An ancestor of a missing root: its files are not ours. */
	if (d->kind == WATCH_DIR_ANCESTOR || ev->name[0] == '\0')
		return;
	if (asprintf(&path, "%s/%s", d->path, ev->name) < 0) {
		/* No memory for one path: list the directory again. */
		path = NULL;
		defer_dir(w, d);
		return;
	}
	if (ev->mask & IN_ISDIR) {
		handle_dir_event(w, ev, path);
		goto out;
	}
	if (ev->mask & (IN_DELETE | IN_MOVED_FROM)) {
		watch_pending_forget(w, path);
		goto out;
	}
	if (policy_is_excluded(policy_of(w), path))
		goto out;
	if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
		/* A symlink is judged through its target.  Long paths are
		 * looked at from their directory. */
		int rc;

		if (strlen(path) < PATH_MAX) {
			rc = fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW);
		} else {
			dfd = watch_open_dir(d->path, O_PATH, 1);
			rc = dfd < 0 ? -1
				     : fstatat(dfd, ev->name, &st,
					       AT_SYMLINK_NOFOLLOW);
			if (dfd >= 0)
				close(dfd);
		}
		if (rc != 0)
			goto out;
		if (S_ISLNK(st.st_mode)) {
			watch_hf_link(w, path);
			watch_symlink(w, path);
			goto out;
		}
		if (!S_ISREG(st.st_mode))
			goto out;
	}
	/* Every rename target is judged now, whatever its name; a closed
	 * writer too, without trusting the cache (a mapping may have changed
	 * bytes under unchanged timestamps). */
	if (ev->mask & (IN_MOVED_TO | IN_CLOSE_WRITE)) {
		watch_pending_forget(w, path);
		if (!watch_submit_front(w, path,
					(ev->mask & IN_CLOSE_WRITE)
					    ? WATCH_JOB_NOCACHE
					    : 0))
			defer_dir(w, d);
		goto out;
	}
	/* CREATE (whatever the link count: O_TMPFILE+linkat, a hard link
	 * whose source goes at once), MODIFY (a writer that never closes, an
	 * O_TRUNC rewrite of a file judged clean), ATTRIB (a mode or link
	 * change: a file we could not open may be readable now). */
	temp = is_temporary_at(d->path, ev->name);
	if (ev->mask & (IN_CREATE | IN_MODIFY | IN_ATTRIB))
		watch_pending_touch(w, path, (ev->mask & IN_MODIFY) != 0, temp);
	if (ev->mask & IN_MODIFY)
		watch_landing_modified(w, d, path, ev->name);
out:
	free(path);
}
