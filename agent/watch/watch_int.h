/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watch_int.h - the watcher's state, shared by watch.c (life cycle and
 * event loop), watch_events.c (what each event means) and watch_roots.c
 * (roots that come and go).  Internal: only these files include it, and
 * all of it belongs to the event loop thread except `sh`.
 */
#ifndef PW_AGENT_WATCH_INT_H
#define PW_AGENT_WATCH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "agent/watch/inotify_backend.h"
#include "agent/watch/landing.h"
#include "agent/watch/notify.h"
#include "agent/watch/watch.h"
#include "agent/watch/watch_job.h"
#include "agent/watch/watch_table.h"
#include "agent/watch/watch_walk.h"
#include "agent/watch/workqueue.h"

/* A snapshot link waiting for its blob's tombstone (watch_hfname.c). */
struct watch_hfname_wait {
	char *link;		/* NULL: free slot */
	uint64_t due_ms;
	unsigned tries;
};
/* Links waiting at once; beyond it, a link that wins the race keeps the
 * blob-only line (cosmetic, never a missed file). */
#define WATCH_HFNAME_MAX 64u

/* A configured root and what we know of it. */
struct watch_root {
	char *path;		/* as configured (absolute) */
	char *real;		/* realpath while present, else NULL */
	bool present;
	bool pushed;	/* roots_check queued a walk of it just now */
	bool via_symlink;	/* path is (or goes through) a symlink */
	bool remote;	/* network or FUSE filesystem: inotify sees only
			   this host's writes */
	uint64_t dev, ino;
	unsigned rescan_sec;	/* periodic full rescan, 0: none */
	uint64_t next_rescan_ms;
};

/* A file seen being created or written, to be judged when it has been
 * quiet for a moment or, if it never is, every WATCH_DEBOUNCE_MAX_MS
 * (watch_timers.c). */
struct watch_pending {
	char *path;
	uint64_t first_ms, due_ms;
	bool temporary;	/* an in-progress download name at its place */
	bool written;	/* MODIFY seen: NOCACHE */
};

/* What the walker is doing, for the log line at its end. */
enum watch_phase {
	WATCH_PHASE_NONE = 0,	/* only following events */
	WATCH_PHASE_STARTUP = 1,
	WATCH_PHASE_RESCAN = 2,	/* after an overflow or a reload */
};

struct watcher {
	struct watch_options opts;
	struct watch_shared sh;
	struct workqueue *wq;
	struct watch_table *table;
	struct watch_walk *walk;
	struct notify *notify;
	int ino_fd, sig_fd;

	struct watch_root *roots;
	size_t nroots, missing;
	bool roots_check_pending;

	/* The quarantine directory is never watched nor walked. */
	char *qdir_real;
	uint64_t qdir_dev, qdir_ino;
	bool qdir_known;

	enum watch_phase phase;
	bool phase_full;	/* the walk covers every root: prune the cache */
	bool startup_done;
	uint64_t phase_files;		/* files the walk submitted */
	uint64_t phase_analysed0, phase_cached0, phase_quarantined0;
	uint64_t phase_started_ms;

	/* Files being written, looked at while they land (landing.h). */
	struct landing_table *landing;
	/* watch_hfname.c */
	struct watch_hfname_wait hfname[WATCH_HFNAME_MAX];

	/* watch_timers.c */
	struct watch_pending *pending;
	size_t npending, cap_pending;
	char **unwatched;	/* directories inotify refused (ENOSPC) */
	size_t nunwatched, cap_unwatched, unwatched_logged;
	uint64_t unwatched_due_ms, unwatched_backoff_ms;
	bool unwatched_cap_logged;
	int mounts_fd;		/* /proc/self/mountinfo, POLLPRI on change */

	bool stop;
	bool watch_limit_logged;	/* ENOSPC reported once */
	uint64_t lib_leaks;		/* see watch_events.c, IN_IGNORED */
	char vcache_path[4096];
	uint64_t vcache_saved_ms;
	bool vcache_dirty;

	/* One agent per user, and `picklewarden status` (agent_lock.h). */
	int lock_fd, status_fd;
	char status_path[4096];
};

/* watch_events.c */
void watch_handle_event(struct watcher *w,
			const struct inotify_backend_event *ev);
extern const struct watch_walk_ops watch_walk_callbacks;
/* Removes the watches of path and every directory below it. */
void watch_unwatch_under(struct watcher *w, const char *path);
/* Starts a full walk of every present root (after an overflow, a
 * reload that changes what is watched, or at start-up). */
void watch_full_rescan(struct watcher *w, enum watch_phase phase);
/* Submits a file to the workers; false when the queue is full.  _front:
 * ahead of every waiting job (arrivals before a rescan backlog). */
bool watch_submit(struct watcher *w, const char *path, unsigned flags);
bool watch_submit_front(struct watcher *w, const char *path, unsigned flags);
/* Walks one root again (periodic rescan). */
void watch_rescan_root(struct watcher *w, struct watch_root *r);

/* watch_roots.c */
int watch_roots_set(struct watcher *w, const struct policy *policy);
void watch_roots_free(struct watcher *w);
/* Re-examines every root: walks those that appeared, watches the nearest
 * existing parent of those that are missing. */
void watch_roots_check(struct watcher *w);
/* Looks again at the filesystem of every present root (after a mount). */
void watch_roots_recheck_fs(struct watcher *w);
/* Refreshes what we know of the quarantine directory. */
void watch_qdir_refresh(struct watcher *w, const struct policy *policy);
/* True for the quarantine directory (by inode, or by path). */
bool watch_is_qdir(const struct watcher *w, const char *path,
		   const struct stat *st);
/* The root whose real path is exactly path, or NULL. */
struct watch_root *watch_root_at(struct watcher *w, const char *path);

/* watch.c */
uint64_t watch_now_ms(void);

/* watch_events.c: a file in directory d was written (IN_MODIFY): looks at
 * its prefix when landing_due says so (a job for the workers; never
 * blocks). */
void watch_landing_modified(struct watcher *w, const struct watch_dir *d,
			    const char *path, const char *name);

/* watch_hfname.c: a new symlink in an HF snapshot folder: if its blob is
 * our tombstone of a blob quarantined before the link existed, one short
 * line names the file (re-checked from the timers while the blob's
 * quarantine may still be under way). */
void watch_hf_link(struct watcher *w, const char *link);
uint64_t watch_hf_names_run(struct watcher *w, uint64_t now_ms);
void watch_hf_names_free(struct watcher *w);

/* watch_timers.c: everything the loop does by time rather than by event.
 * The path of a file was created or written (modified: MODIFY seen): it is
 * judged after a quiet moment, or within WATCH_DEBOUNCE_MAX_MS however
 * long it keeps changing. */
void watch_pending_touch(struct watcher *w, const char *path, bool modified,
			 bool temporary);
/* A file's CLOSE_WRITE, rename or removal: its pending entry goes. */
void watch_pending_forget(struct watcher *w, const char *path);
/* Remembers a directory inotify would not watch, for retries. */
void watch_unwatched_add(struct watcher *w, const char *path);
/* Runs what is due; returns the next due time (UINT64_MAX: none). */
uint64_t watch_timers_run(struct watcher *w, uint64_t now_ms);
/* Mount table changes: open at start, handle on POLLPRI. */
void watch_mounts_open(struct watcher *w);
void watch_mounts_changed(struct watcher *w);
void watch_timers_free(struct watcher *w);
/* A symlink found in a root (event or walk): judge its target. */
void watch_symlink(struct watcher *w, const char *path);
/* watch_status.c: the status as text (loop thread only); returns its
 * length. */
size_t watch_status_text(struct watcher *w, char *buf, size_t cap);

#endif
