/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watch.c - the watcher's life cycle and event loop.  See watch.h.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/cli/commands.h"
#include "agent/store/escape.h"
#include "agent/store/log.h"
#include "agent/watch/agent_lock.h"
#include "agent/watch/watch_int.h"

/* Events handled before the loop looks at signals and the walker again:
 * bounded so a flood cannot starve a SIGTERM or the watchdog. */
#define WATCH_EVENT_BATCH 4096
/* Directory entries the walker handles per loop turn, for the same
 * reason. */
#define WATCH_WALK_BUDGET 2048
/* Without a systemd watchdog the loop still wakes this often during a
 * scan, to update STATUS= and extend the start-up timeout. */
#define WATCH_BUSY_TICK_MS 5000
/* The verdict cache is written at most this often while busy. */
#define WATCH_VCACHE_SAVE_MS 60000
/* Verdicts kept: 64 bytes each in a table at most half full, so at most
 * 2^19 slots = 32 MiB at the cap; a cache that fills up is emptied and
 * refills.  Entries of files that are gone are pruned at the end of every
 * full scan (start-up and rescans) and when the cache is saved then. */
#define WATCH_VCACHE_MAX ((size_t)1 << 18)
/*
 * libinotifytools keeps a record of every watch until the watch is removed
 * through it, which it cannot do once the kernel dropped the watch itself
 * (a deleted directory).  After this many such records the inotify
 * instance is rebuilt, which frees them all, and the roots are rescanned
 * (from the verdict cache: cheap).  About 150 bytes each.
 */
#ifndef WATCH_REBUILD_AFTER_LEAKS
#define WATCH_REBUILD_AFTER_LEAKS 20000u
#endif
/* The status text `picklewarden status` gets and SIGUSR1 logs. */
#define WATCH_STATUS_MAX 32768
/* EXTEND_TIMEOUT_USEC sent while the start-up scan runs. */
#define WATCH_EXTEND_USEC 30000000ULL

uint64_t
watch_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t
load_u64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void
send_status(struct watcher *w)
{
	char buf[512];

	snprintf(buf, sizeof(buf),
		 "%s: %zu directories watched, %zu of %zu roots missing; "
		 "analysed %" PRIu64 ", from cache %" PRIu64
		 ", quarantined %" PRIu64 ", failed %" PRIu64 ", queued %zu"
		 ", unwatched %zu",
		 w->phase == WATCH_PHASE_STARTUP ? "start-up scan"
		 : w->phase == WATCH_PHASE_RESCAN ? "rescanning"
						  : "watching",
		 watch_table_count(w->table), w->missing, w->nroots,
		 load_u64(&w->sh.analysed), load_u64(&w->sh.cached),
		 load_u64(&w->sh.quarantined), load_u64(&w->sh.failed),
		 workqueue_busy(w->wq), w->nunwatched);
	(void)notify_status(w->notify, buf);
}

/* The state directory and the cache file path in it. */
static int
vcache_path_init(struct watcher *w, const struct policy *p)
{
	char *dir, *slash;
	int n;

	if (p->state_dir == NULL)
		return -1;
	n = snprintf(w->vcache_path, sizeof(w->vcache_path), "%s/vcache",
		     p->state_dir);
	if (n < 0 || (size_t)n >= sizeof(w->vcache_path))
		return -1;
	/* mkdir -p, private: the cache says which files were judged
	 * clean. */
	dir = strdup(p->state_dir);
	if (dir == NULL)
		return -1;
	for (slash = dir + 1; (slash = strchr(slash, '/')) != NULL; slash++) {
		*slash = '\0';
		(void)mkdir(dir, 0700);
		*slash = '/';
	}
	(void)mkdir(dir, 0700);
	free(dir);
	return 0;
}

static void
vcache_persist(struct watcher *w, bool only_used)
{
	char esc[512];

	if (w->vcache_path[0] == '\0')
		return;
	if (vcache_save(w->sh.vcache, w->vcache_path, only_used) != 0) {
		escape_text_buf(w->vcache_path, esc, sizeof(esc));
		log_warning("cannot save the verdict cache path=\"%s\" "
			    "error=\"%s\"", esc, strerror(errno));
	}
	w->vcache_saved_ms = watch_now_ms();
	w->vcache_dirty = false;
}

/* The walk and the queue are both empty: a start-up scan or rescan is
 * complete. */
static void
phase_done(struct watcher *w)
{
	uint64_t analysed = load_u64(&w->sh.analysed) - w->phase_analysed0;
	uint64_t cached = load_u64(&w->sh.cached) - w->phase_cached0;
	uint64_t quarantined =
	    load_u64(&w->sh.quarantined) - w->phase_quarantined0;

	log_info("%s complete: dirs=%zu files=%" PRIu64 " analysed=%" PRIu64
		 " cached=%" PRIu64 " quarantined=%" PRIu64
		 " missing_roots=%zu ms=%" PRIu64,
		 w->phase == WATCH_PHASE_STARTUP ? "startup scan" : "rescan",
		 watch_table_count(w->table), w->phase_files, analysed, cached,
		 quarantined, w->missing, watch_now_ms() - w->phase_started_ms);
	/* After a walk of every root, entries not used are files that are
	 * gone: dropped from memory and from the saved cache. */
	if (w->phase_full)
		(void)vcache_prune_unused(w->sh.vcache);
	vcache_persist(w, w->phase_full);
	w->phase_full = false;
	if (w->phase == WATCH_PHASE_STARTUP && !w->startup_done) {
		w->startup_done = true;
		(void)notify_send(w->notify, "READY=1");
	}
	w->phase = WATCH_PHASE_NONE;
	send_status(w);
}

static void
reload(struct watcher *w)
{
	struct watch_config *next = NULL, *cur = w->sh.cfg;
	const struct policy *np;
	char why[1024];
	bool same_places, same_tag;

	(void)notify_send(w->notify, "RELOADING=1");
	if (watch_config_load(w->opts.config_path, &next, why, sizeof(why)) !=
	    0) {
		log_error("reload refused, keeping the running configuration: "
			  "%s", why);
		(void)notify_send(w->notify, "READY=1");
		return;
	}
	np = next->policy;
	same_places = watch_config_same_places(cur, next);
	same_tag = cur->tag == next->tag;
	if (np->workers != cur->policy->workers ||
	    np->queue_length != cur->policy->queue_length)
		log_warning("agent.workers and agent.queue_length take effect "
			    "at the next start");
	log_open("picklewarden", np->syslog_facility, w->opts.foreground);
	watch_config_report(next);
	if (log_set_file(np->log_file) != 0)
		log_warning("cannot open the [log] file: %s", strerror(errno));
	watch_shared_set_config(&w->sh, next);
	vcache_retag(w->sh.vcache, next->tag);
	if (!same_places) {
		int *wds = NULL;
		size_t i, n = 0;

		/* Start over: drop every watch, then walk the new roots. */
		watch_walk_clear(w->walk);
		if (watch_table_under(w->table, "", &wds, &n) == 0) {
			for (i = 0; i < n; i++) {
				(void)inotify_backend_unwatch(wds[i]);
				watch_table_remove(w->table, wds[i]);
			}
			free(wds);
		}
		if (watch_roots_set(w, np) != 0)
			log_error("reload: out of memory for roots");
	}
	/* rescan_interval may have changed. */
	watch_roots_recheck_fs(w);
	escape_text_buf(np->source, why, sizeof(why));
	log_info("configuration reloaded from %s%s", why,
		 same_places && same_tag ? "" : "; rescanning");
	if (!same_places || !same_tag)
		watch_full_rescan(w, WATCH_PHASE_RESCAN);
	(void)notify_send(w->notify, "READY=1");
}

/* SIGUSR1: the status, to the log, one line per line of the text. */
static void
log_status(struct watcher *w)
{
	char *text = malloc(WATCH_STATUS_MAX), *line, *save = NULL;

	if (!text)
		return;
	watch_status_text(w, text, WATCH_STATUS_MAX);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		log_info("status: %s", line);
	free(text);
}

static void
serve_status(struct watcher *w)
{
	char *text = malloc(WATCH_STATUS_MAX);
	size_t n;

	if (!text)
		return;
	n = watch_status_text(w, text, WATCH_STATUS_MAX);
	agent_status_serve(w->status_fd, text, n);
	free(text);
}

/* One agent per user: the lock, then the status socket next to it.
 * Returns -1 (said on stderr) when another agent holds the lock. */
static int
take_lock(struct watcher *w, const struct policy *p)
{
	char path[4096], esc[1024];
	pid_t holder = 0;

	(void)vcache_path_init(w, p);	/* mkdir -p the state directory */
	if (agent_runtime_path(p, "picklewarden.lock", path, sizeof(path)) !=
	    0) {
		log_warning("no runtime directory: running without the "
			    "one-agent lock and the status socket");
		return 0;
	}
	escape_text_buf(path, esc, sizeof(esc));
	w->lock_fd = agent_lock_take(path, &holder);
	if (w->lock_fd < 0 && (errno == EWOULDBLOCK || errno == EAGAIN)) {
		fprintf(stderr, "picklewarden watch: another agent (pid %ld) "
			"already runs for this user (lock %s)\n",
			(long)holder, esc);
		return -1;
	}
	if (w->lock_fd < 0) {
		log_warning("cannot take the lock %s: %s; running without it",
			    esc, strerror(errno));
		return 0;
	}
	if (agent_runtime_path(p, "picklewarden.sock", w->status_path,
			       sizeof(w->status_path)) == 0) {
		w->status_fd = agent_status_listen(w->status_path);
		if (w->status_fd < 0) {
			escape_text_buf(w->status_path, esc, sizeof(esc));
			log_warning("no status socket %s: %s", esc,
				    strerror(errno));
			w->status_path[0] = '\0';
		}
	}
	return 0;
}

/* Reads every pending signal.  Only the loop acts on them: nothing runs
 * in a signal handler. */
static void
handle_signals(struct watcher *w)
{
	struct signalfd_siginfo si;

	while (read(w->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			w->stop = true;
		} else if (si.ssi_signo == SIGHUP) {
			reload(w);
		} else if (si.ssi_signo == SIGUSR1) {
			log_status(w);
		}
	}
}

/* Drains up to a batch of inotify events.  Returns true when more may be
 * waiting (the batch was used up). */
static bool
drain_events(struct watcher *w)
{
	struct inotify_backend_event ev;
	size_t i;
	int rc;

	for (i = 0; i < WATCH_EVENT_BATCH; i++) {
		rc = inotify_backend_next(&ev);
		if (rc == 0)
			return false;
		if (rc < 0) {
			log_error("reading inotify events: %s",
				  strerror(errno));
			return false;
		}
		watch_handle_event(w, &ev);
	}
	return true;
}

/* A fresh inotify instance: see WATCH_REBUILD_AFTER_LEAKS. */
static int
rebuild_backend(struct watcher *w)
{
	struct inotify_backend_event ev;
	int *wds = NULL, fd;
	size_t i, n = 0;
	uint64_t leaks = w->lib_leaks;

	/* Events still buffered name wds of the old instance, which the new
	 * one reuses: drop them.  The full rescan covers what they said. */
	while (inotify_backend_next(&ev) == 1)
		;
	inotify_backend_close();
	w->ino_fd = -1;
	watch_walk_clear(w->walk);
	if (watch_table_under(w->table, "", &wds, &n) == 0) {
		for (i = 0; i < n; i++)
			watch_table_remove(w->table, wds[i]);
		free(wds);
	}
	for (i = 0; i < w->nroots; i++) {
		free(w->roots[i].real);
		w->roots[i].real = NULL;
		w->roots[i].present = false;
	}
	w->lib_leaks = 0;
	if (inotify_backend_open(&fd) != 0) {
		log_error("cannot re-initialise inotify: %s", strerror(errno));
		return -1;
	}
	w->ino_fd = fd;
	log_info("inotify instance rebuilt after %llu removed directories; "
		 "rescanning", (unsigned long long)leaks);
	watch_full_rescan(w, WATCH_PHASE_RESCAN);
	return 0;
}

static int
setup(struct watcher *w)
{
	struct watch_config *cfg = NULL;
	sigset_t set;
	char why[1024], esc[512];
	size_t loaded = 0;
	int fd;

	w->ino_fd = w->sig_fd = w->mounts_fd = -1;
	w->lock_fd = w->status_fd = -1;
	if (watch_config_load(w->opts.config_path, &cfg, why, sizeof(why)) !=
	    0) {
		fprintf(stderr, "picklewarden watch: %s\n", why);
		return -2;	/* told apart by watch_run: EXIT_CONFIG */
	}
	log_open("picklewarden", cfg->policy->syslog_facility,
		 w->opts.foreground);
	watch_config_report(cfg);
	if (cfg->policy->log_file &&
	    log_set_file(cfg->policy->log_file) != 0) {
		escape_text_buf(cfg->policy->log_file, esc, sizeof(esc));
		log_warning("cannot open the log file %s: %s", esc,
			    strerror(errno));
	}
	if (cfg->policy->search_warning) {
		escape_text_buf(cfg->policy->search_warning, why, sizeof(why));
		log_warning("%s", why);
	}
	if (log_syslog_missing())
		log_warning("no /dev/log (no syslog here): logging to "
			    "stderr%s", cfg->policy->log_file
				? " and to the [log] file" : "");
	pthread_mutex_init(&w->sh.lock, NULL);
	pthread_cond_init(&w->sh.inflight_done, NULL);
	w->sh.cfg = cfg;
	if (take_lock(w, cfg->policy) != 0)
		return -1;

	/* Block the signals we handle before any thread exists, so that
	 * every thread inherits the mask and the signalfd gets them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	w->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (w->sig_fd < 0) {
		log_error("signalfd: %s", strerror(errno));
		return -1;
	}
	if (notify_open(&w->notify) != 0) {
		log_error("NOTIFY_SOCKET: %s", strerror(errno));
		return -1;
	}
	if (vcache_new(cfg->tag, WATCH_VCACHE_MAX, &w->sh.vcache) != 0)
		return -1;
	if (vcache_path_init(w, cfg->policy) == 0 &&
	    vcache_load(w->sh.vcache, w->vcache_path, &loaded) != 0) {
		escape_text_buf(w->vcache_path, esc, sizeof(esc));
		log_warning("cannot read the verdict cache path=\"%s\" "
			    "error=\"%s\"", esc, strerror(errno));
	}
	if (watch_table_new(&w->table) != 0 ||
	    watch_walk_new(&watch_walk_callbacks, w, &w->walk) != 0 ||
	    (w->landing = landing_table_new(0)) == NULL)
		return -1;
	if (inotify_backend_open(&fd) != 0) {
		log_error("cannot initialise inotify: %s", strerror(errno));
		return -1;
	}
	w->ino_fd = fd;
	if (workqueue_new(cfg->policy->queue_length, cfg->policy->workers,
			  watch_job_run, watch_job_drop, &w->sh, &w->wq) != 0) {
		log_error("cannot start %u workers: %s", cfg->policy->workers,
			  strerror(errno));
		return -1;
	}
	if (watch_retry_new(&w->sh, &w->sh.retry) != 0) {
		log_error("cannot start the retry thread: %s", strerror(errno));
		return -1;
	}
	if (watch_roots_set(w, cfg->policy) != 0)
		return -1;
	watch_mounts_open(w);
	escape_text_buf(cfg->policy->source, esc, sizeof(esc));
	{
		/* The start line says what is watched, by name. */
		char roots[2048] = "", one[600];
		size_t i, n = 0;

		for (i = 0; i < w->nroots && n + 1 < sizeof(roots); i++) {
			escape_text_buf(w->roots[i].path, one, sizeof(one));
			n += (size_t)snprintf(roots + n, sizeof(roots) - n,
					      "%s%s", i ? ", " : "", one);
			if (n >= sizeof(roots))
				n = sizeof(roots) - 1;
		}
		log_info("starting: watching %s; config=%s workers=%u "
			 "queue=%u cache_entries=%zu",
			 roots[0] ? roots : "nothing", esc,
			 cfg->policy->workers, cfg->policy->queue_length,
			 loaded);
	}
	watch_full_rescan(w, WATCH_PHASE_STARTUP);
	return 0;
}

static void
teardown(struct watcher *w)
{
	if (w->notify != NULL)
		(void)notify_send(w->notify, "STOPPING=1");
	/* Running scans finish; queued files are dropped: the next start
	 * walks everything again, and the cache makes that cheap. */
	watch_retry_free(w->sh.retry);
	workqueue_free(w->wq);
	if (w->sh.vcache != NULL) {
		vcache_persist(w, w->startup_done);
		vcache_free(w->sh.vcache);
	}
	inotify_backend_close();
	watch_walk_free(w->walk);
	watch_table_free(w->table);
	landing_table_free(w->landing);
	watch_roots_free(w);
	watch_timers_free(w);
	free(w->qdir_real);
	if (w->sig_fd >= 0)
		close(w->sig_fd);
	notify_close(w->notify);
	if (w->status_fd >= 0) {
		close(w->status_fd);
		(void)unlink(w->status_path);
	}
	if (w->lock_fd >= 0)
		close(w->lock_fd);	/* the lock goes with it */
	if (w->sh.cfg != NULL) {
		watch_config_unref(w->sh.cfg);
		pthread_mutex_destroy(&w->sh.lock);
		pthread_cond_destroy(&w->sh.inflight_done);
	}
}

/* How long poll() may sleep.  0 when there is work in hand. */
static int
poll_timeout(struct watcher *w, bool more_events, bool walk_more,
	     uint64_t next_tick_ms)
{
	uint64_t now;

	if (more_events || walk_more || w->roots_check_pending)
		return 0;
	if (next_tick_ms == UINT64_MAX)
		return -1;
	now = watch_now_ms();
	if (next_tick_ms <= now)
		return 0;
	return next_tick_ms - now > INT32_MAX ? INT32_MAX
					       : (int)(next_tick_ms - now);
}

static int
loop(struct watcher *w)
{
	struct pollfd pfd[5];
	enum watch_walk_state ws = WATCH_WALK_MORE;
	uint64_t wd_ms = notify_watchdog_interval_ms(w->notify);
	uint64_t next_tick = UINT64_MAX, now, tick, next_timer = UINT64_MAX;
	bool more_events = false;
	char extend[64];
	int timeout;

	/* A long first scan must not trip TimeoutStartSec: each tick buys
	 * more time until READY=1. */
	snprintf(extend, sizeof(extend), "EXTEND_TIMEOUT_USEC=%llu",
		 (unsigned long long)WATCH_EXTEND_USEC);

	while (!w->stop) {
		/* The only timer: the watchdog ping (and, while a scan
		 * runs, a status tick).  Idle without a watchdog: none. */
		tick = wd_ms;
		if (w->phase != WATCH_PHASE_NONE || workqueue_busy(w->wq) > 0)
			tick = tick == 0 || tick > WATCH_BUSY_TICK_MS
				   ? WATCH_BUSY_TICK_MS
				   : tick;
		else if (w->vcache_dirty)
			tick = tick == 0 || tick > WATCH_VCACHE_SAVE_MS
				   ? WATCH_VCACHE_SAVE_MS
				   : tick;
		if (next_tick == UINT64_MAX && tick > 0)
			next_tick = watch_now_ms() + tick;
		timeout = poll_timeout(w, more_events, ws == WATCH_WALK_MORE,
				       next_tick < next_timer ? next_tick
							      : next_timer);
		pfd[0] = (struct pollfd){.fd = w->ino_fd, .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = w->sig_fd, .events = POLLIN};
		pfd[2] = (struct pollfd){.fd = workqueue_fd(w->wq),
					 .events = POLLIN};
		/* A new mount says POLLPRI (fd -1 when unavailable). */
		pfd[3] = (struct pollfd){.fd = w->mounts_fd, .events = POLLPRI};
		pfd[4] = (struct pollfd){.fd = w->status_fd, .events = POLLIN};
		if (poll(pfd, 5, timeout) < 0 && errno != EINTR) {
			log_error("poll: %s", strerror(errno));
			return -1;
		}
		if (pfd[1].revents & POLLIN)
			handle_signals(w);
		if (w->stop)
			break;
		if (pfd[2].revents & POLLIN) {
			workqueue_ack(w->wq);
			w->vcache_dirty = true;
			/* STATUS= follows each decision, not the next tick. */
			send_status(w);
		}
		if (pfd[4].revents & POLLIN)
			serve_status(w);
		if ((pfd[0].revents & POLLIN) || more_events)
			more_events = drain_events(w);
		if (!more_events && w->lib_leaks >= WATCH_REBUILD_AFTER_LEAKS &&
		    rebuild_backend(w) != 0)
			return -1;
		if (pfd[3].revents & (POLLPRI | POLLERR))
			watch_mounts_changed(w);
		if (w->roots_check_pending)
			watch_roots_check(w);
		ws = watch_walk_step(w->walk, WATCH_WALK_BUDGET);
		/* After the walk: it may have left files pending. */
		next_timer = watch_timers_run(w, watch_now_ms());
		if (w->phase != WATCH_PHASE_NONE && ws == WATCH_WALK_IDLE &&
		    workqueue_busy(w->wq) == 0)
			phase_done(w);
		now = watch_now_ms();
		if (next_tick != UINT64_MAX && now >= next_tick) {
			next_tick = UINT64_MAX;
			if (wd_ms > 0)
				(void)notify_send(w->notify, "WATCHDOG=1");
			if (!w->startup_done)
				(void)notify_send(w->notify, extend);
			if (w->sh.cfg->policy->watchdog_sec > 0)
				watch_shared_report_stuck(
				    &w->sh, now,
				    (uint64_t)w->sh.cfg->policy->watchdog_sec *
					1000u);
			if (w->vcache_dirty && workqueue_busy(w->wq) == 0 &&
			    now - w->vcache_saved_ms >= WATCH_VCACHE_SAVE_MS)
				vcache_persist(w, false);
			send_status(w);
		}
	}
	return 0;
}

int
watch_run(const struct watch_options *opts)
{
	struct watcher w;
	int rc = EXIT_TROUBLE, set;

	memset(&w, 0, sizeof(w));
	w.opts = *opts;
	set = setup(&w);
	if (set == -2)
		rc = EXIT_CONFIG;
	if (set == 0) {
		if (loop(&w) == 0)
			rc = 0;
		log_info("stopping: analysed=%" PRIu64 " cached=%" PRIu64
			 " quarantined=%" PRIu64 " failed=%" PRIu64,
			 load_u64(&w.sh.analysed), load_u64(&w.sh.cached),
			 load_u64(&w.sh.quarantined), load_u64(&w.sh.failed));
	}
	teardown(&w);
	return rc;
}
