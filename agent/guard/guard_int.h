/*
 * guard_int.h - what the guard's files share (internal to agent/guard/).
 *
 * Threads: the event loop (guard.c) reads fanotify events and answers the
 * fast ones itself; it never scans, never opens a file on a marked
 * filesystem and never waits for a worker.  Scan workers (guard_job.c)
 * scan through a duplicate of the event's descriptor, answer every opener
 * waiting for that file, then quarantine and log.  Both write responses
 * to the fanotify descriptor (a response is one write(2): atomic).  The
 * table of files being scanned and of verdicts (guard_table.c) is shared
 * under one mutex.
 */
#ifndef PW_AGENT_GUARD_INT_H
#define PW_AGENT_GUARD_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "agent/sandbox/client.h"
#include "agent/store/log.h"
#include "agent/watch/notify.h"
#include "agent/store/quarantine.h"
#include "agent/watch/workqueue.h"
#include "picklewarden.h"
#include "policy/policy.h"

/* Files whose verdict is remembered; beyond this the cache is emptied
 * (forgetting costs a rescan).  About 200 bytes each. */
#define GUARD_CACHE_MAX 65536
/* Scans waiting for a worker; beyond this an open is answered per
 * on_error at once rather than queued without bound. */
#define GUARD_QUEUE_MAX 4096
/* Openers waiting for one file; more are answered per on_error. */
#define GUARD_WAITERS_MAX 4096
/* A file that changes under every scan is rescanned this often, then
 * answered per on_error. */
#define GUARD_RESCANS_MAX 3
/* Bytes of an opener's command line kept for the log. */
#define GUARD_CMDLINE_MAX 160

/* Who opened a file, read from /proc at once (the process is blocked in
 * open(2) while we read, so the pid cannot be reused meanwhile). */
struct guard_opener {
	pid_t pid;
	long uid;			/* real uid, -1 unknown */
	char exe[256];			/* "" unknown */
	char cmdline[GUARD_CMDLINE_MAX];
};

/* Reads /proc/PID/{status,exe,cmdline}; never fails (unknown fields are
 * left empty or -1). */
void guard_opener_read(pid_t pid, struct guard_opener *ret);
/* The log module's view of it (borrows the strings). */
void guard_opener_log(const struct guard_opener *o, struct log_opener *ret);

/* One open(2) waiting for our answer. */
struct guard_waiter {
	int fd;				/* the event's descriptor */
	char *path;			/* the file as we saw it (owned) */
	struct guard_opener opener;
	struct guard_waiter *next;
};

enum guard_answer {
	GUARD_DENY = 0,
	GUARD_ALLOW = 1,
};

/* The stamps that say a file did not change since it was judged. */
struct guard_stamp {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};
void guard_stamp_from_stat(const struct stat *st, struct guard_stamp *ret);
bool guard_stamp_equal(const struct guard_stamp *a,
		       const struct guard_stamp *b);

struct guard;

/* ---- guard_table.c: files being scanned, and verdicts -------------- */

struct guard_table;

int guard_table_new(struct guard_table **ret);
/* Frees entries and any waiters left (their fds are closed unanswered:
 * call only after the fanotify descriptor is closed). */
void guard_table_free(struct guard_table *t);

/* What guard_table_open tells the event loop to do. */
enum guard_open_result {
	GUARD_OPEN_CACHED = 0,	/* *ret_answer from the cache: answer,
				   the waiter stays the caller's */
	GUARD_OPEN_JOINED = 1,	/* a scan of this file runs: the table
				   took the waiter */
	GUARD_OPEN_START = 2,	/* the table took the waiter; the caller
				   must start a scan (guard_job_start) */
	GUARD_OPEN_REFUSED = 3,	/* answer per *ret_answer at once, the
				   waiter stays the caller's (timed out,
				   shutting down, too many waiters) */
};

/*
 * An open of a guarded file whose stamps are st.  cached_verdict gets the
 * verdict behind a GUARD_OPEN_CACHED answer (for the log).  deadline_ms
 * (CLOCK_MONOTONIC) bounds a scan started now.  Returns
 * GUARD_OPEN_REFUSED with on_error when out of memory.
 */
enum guard_open_result guard_table_open(struct guard *g,
					const struct guard_stamp *st,
					struct guard_waiter *w,
					uint64_t deadline_ms,
					enum guard_answer *ret_answer,
					int *ret_verdict);

/* A writer closed the file: forget its verdict, and mark a running scan
 * stale. */
void guard_table_forget(struct guard_table *t, dev_t dev, ino_t ino);

/* True when the inode is being scanned or was denied: its opens are
 * decided by the table even under a name outside the guarded paths (it
 * may have been renamed, by our quarantine too, while being opened). */
bool guard_table_known_bad(struct guard_table *t, dev_t dev, ino_t ino);

/* True (and the flag cleared) when a writer closed the file since the
 * scan of st started: the caller rescans. */
bool guard_table_take_stale(struct guard_table *t,
			    const struct guard_stamp *st);

/*
 * A scan finished.  Takes the list of waiters still unanswered (the
 * caller answers them) and, when cache is true, remembers answer/verdict
 * for the stamps st.  Returns the waiters (NULL when none).
 */
struct guard_waiter *guard_table_finish(struct guard_table *t,
					const struct guard_stamp *st,
					bool cache, enum guard_answer answer,
					int verdict);

/*
 * Scans past their deadline: their waiters are taken (answered by the
 * caller per on_timeout) and later openers of the file get on_timeout at
 * once until the scan ends.  Returns the waiters; *ret_next_ms is the
 * next deadline, UINT64_MAX when none.
 */
struct guard_waiter *guard_table_expire(struct guard_table *t,
					uint64_t now_ms,
					uint64_t *ret_next_ms);

/* Shutdown: every waiter of every scan (answered by the caller per
 * on_error); later openers are refused. */
struct guard_waiter *guard_table_drain(struct guard_table *t);

size_t guard_table_scanning(struct guard_table *t);
size_t guard_table_cached(struct guard_table *t);

/* ---- guard_job.c: one scan on a worker ----------------------------- */

/* Queues a scan of the file behind event descriptor fd (dup'ed; the
 * caller keeps fd).  Returns 0, or -1 when the scan could not be queued
 * (the caller then finishes the table entry per on_error). */
int guard_job_start(struct guard *g, int fd, const struct guard_stamp *st,
		    const char *path);
/* The workqueue's run and drop functions. */
void guard_job_run(void *job, void *arg);
void guard_job_drop(void *job);

/*
 * The scan itself: one call, so that the in-process scanner can be
 * swapped for a sandboxed worker process (agent/sandbox/) that is killed
 * at deadline_ms.  Returns a pw_status; *ret_result on PW_OK.
 */
int guard_scan_fd(struct guard *g, int fd, uint64_t deadline_ms,
		  struct scan_result **ret_result);

/* ---- guard_marks.c ------------------------------------------------- */

/*
 * Marks every filesystem a guarded pattern can reach with mask: the one
 * holding the pattern's longest glob-free prefix (or its nearest existing
 * parent) and every mount below that prefix (pseudo filesystems skipped).
 * FAN_MARK_FILESYSTEM first (it sees opens through any bind mount), else
 * FAN_MARK_MOUNT.  Returns the number of marks placed (>= 1), or -1 with
 * a message in why.
 */
int guard_marks_place(int fan_fd, const struct policy_strv *patterns,
		      uint64_t mask, char *why, size_t cap);
/* Removes every mark of the group (shutdown). */
void guard_marks_flush(int fan_fd);
/* The pattern's longest prefix without glob characters ("/home" for
 * "/home/ * /.cache"); a new string or NULL. */
/* mountinfo escapes ' ', '\t', '\n' and '\\' as \ooo: undone in place
 * (guard_marks.c; the outside marks read the mount table too). */
void guard_mountinfo_unescape(char *s);
char *guard_marks_static_prefix(const char *pattern);

/* ---- guard_outside.c: ignore marks outside the guarded paths ------- */

struct guard_outside;

/* Reads the mount table and starts the background scan thread (after
 * g->client and g->fan_fd exist).  Returns 0 or -1 (out of memory). */
int guard_outside_new(struct guard *g);
/* Waits for the background scan (before the fanotify fd closes). */
void guard_outside_stop(struct guard *g);
void guard_outside_free(struct guard *g);
/*
 * The open of a regular file outside the paths was allowed (answered
 * already; fd is the event's, still open, st its fstat, path its name):
 * mark its directory, or remember it and scan it in the background when
 * it comes back, so that later opens skip the round trip.  Event loop
 * only.
 */
void guard_outside_learn(struct guard *g, int fd, const struct stat *st,
			 const char *path);
/* dev is used through names of another mount namespace: no directory
 * marks on it (those placed are flushed).  Event loop only. */
void guard_outside_foreign(struct guard *g, dev_t dev);
/* True when directories of dev may carry our ignore marks. */
bool guard_outside_has_dir_marks(const struct guard *g, dev_t dev);
/* The mount table changed: re-read it; flushes inode marks when a
 * filesystem holding marked directories got a second view. */
void guard_outside_mounts_changed(struct guard *g);

/* ---- guard.c ------------------------------------------------------- */

struct guard {
	const struct policy *policy;
	struct pw_scanner *scanner;
	struct scan_client *client;	/* sandboxed scan workers */
	struct quarantine_store *store;	/* NULL: quarantine failed to open,
					   malicious files are only denied */
	struct workqueue *wq;
	struct guard_table *table;
	struct guard_outside *outside;	/* NULL: no outside ignore marks */
	struct policy_strv patterns;	/* [guard] paths, plus the same with
					   symlinked prefixes resolved */
	int fan_fd;
	int fd_dir;			/* /proc/self/fd (O_PATH), or -1 */
	pid_t self;
	bool foreground;

	/* Counters (atomic) for STATUS= and the tests. */
	uint64_t n_events, n_fast, n_cached, n_scans, n_denied,
		 n_quarantined, n_timeouts, n_errors, n_own,
		 n_dir_marks, n_outside_scans, n_content_marks;
};

/* Writes one response; closes nothing. */
void guard_respond(struct guard *g, int fd, enum guard_answer answer);
/* Writes the answer for every waiter of a list (closes nothing). */
void guard_respond_all(struct guard *g, struct guard_waiter *list,
		       enum guard_answer answer);
/*
 * One decision line per opener of the list, or one line naming path and
 * no opener when the list is empty (an answer given earlier, on timeout).
 * result, action, quarantine_id and error may be NULL.
 */
void guard_log_all(struct guard *g, const struct guard_waiter *list,
		   const char *path, enum guard_answer answer,
		   const struct scan_result *result, const char *action,
		   const char *quarantine_id, const char *error);
/* guard_respond_all, then guard_log_all when log, then
 * guard_waiters_free. */
void guard_answer_all(struct guard *g, struct guard_waiter *list,
		      enum guard_answer answer, bool log,
		      const struct scan_result *result, const char *action,
		      const char *error);
/* Frees a waiter list without answering (fds closed). */
void guard_waiters_free(struct guard_waiter *list);
uint64_t guard_now_ms(void);
void guard_count(uint64_t *counter);

#endif
