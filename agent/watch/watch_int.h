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
#include "agent/watch/notify.h"
#include "agent/watch/watch.h"
#include "agent/watch/watch_job.h"
#include "agent/watch/watch_table.h"
#include "agent/watch/watch_walk.h"
#include "agent/watch/workqueue.h"

/* A configured root and what we know of it. */
struct watch_root {
	char *path;		/* as configured (absolute) */
	char *real;		/* realpath while present, else NULL */
	bool present;
	bool pushed;	/* roots_check queued a walk of it just now */
	uint64_t dev, ino;
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
	bool startup_done;
	uint64_t phase_files;		/* files the walk submitted */
	uint64_t phase_analysed0, phase_cached0, phase_quarantined0;
	uint64_t phase_started_ms;

	bool stop;
	bool watch_limit_logged;	/* ENOSPC reported once */
	uint64_t lib_leaks;		/* see watch_events.c, IN_IGNORED */
	char vcache_path[4096];
	uint64_t vcache_saved_ms;
	bool vcache_dirty;
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
/* Submits a file to the workers; false when the queue is full. */
bool watch_submit(struct watcher *w, const char *path, unsigned flags);

/* watch_roots.c */
int watch_roots_set(struct watcher *w, const struct policy *policy);
void watch_roots_free(struct watcher *w);
/* Re-examines every root: walks those that appeared, watches the nearest
 * existing parent of those that are missing. */
void watch_roots_check(struct watcher *w);
/* Refreshes what we know of the quarantine directory. */
void watch_qdir_refresh(struct watcher *w, const struct policy *policy);
/* True for the quarantine directory (by inode, or by path). */
bool watch_is_qdir(const struct watcher *w, const char *path,
		   const struct stat *st);
/* The root whose real path is exactly path, or NULL. */
struct watch_root *watch_root_at(struct watcher *w, const char *path);

/* watch.c */
uint64_t watch_now_ms(void);

#endif
