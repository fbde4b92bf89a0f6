/*
 * guard.c - the guard's life cycle and event loop.  See guard.h and
 * guard_int.h.
 *
 * The loop answers at once what needs no scan: our own opens, non-regular
 * and empty files (an empty stream runs nothing in any loader), files
 * outside the guarded paths, and cached verdicts.  Everything else is
 * handed to the scan workers.  After answering an open outside the paths
 * it may tell the kernel to stop asking for that file or its directory
 * (guard_outside.c).  The loop itself never opens a file on a
 * marked filesystem (it would wait for its own answer) and never blocks
 * on a worker, so every event is answered whatever the workers do.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/cli/commands.h"
#include "agent/store/escape.h"
#include "agent/guard/guard.h"
#include "agent/guard/guard_int.h"
#include "agent/cli/policy_bridge.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define GUARD_DEFAULT_CONFIG SYSCONFDIR "/picklewarden/picklewarden-guard.ini"
/* Reads of the fanotify queue per loop turn: bounded so that a flood
 * cannot starve timeouts, signals and the watchdog. */
#define GUARD_READS_PER_TURN 64
/* STATUS= is refreshed this often. */
#define GUARD_STATUS_MS 5000
/* What every mark asks for: opens to decide, and closes after writing to
 * forget verdicts. */
#define GUARD_MASK (FAN_OPEN_PERM | FAN_CLOSE_WRITE)

uint64_t
guard_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void
guard_count(uint64_t *counter)
{
	__atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
}

static uint64_t
load(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

static enum guard_answer
on_error(const struct guard *g)
{
	return g->policy->guard_on_error == POLICY_ANSWER_ALLOW ? GUARD_ALLOW
								: GUARD_DENY;
}

static enum guard_answer
on_timeout(const struct guard *g)
{
	return g->policy->guard_on_timeout == POLICY_ANSWER_ALLOW ?
		GUARD_ALLOW : GUARD_DENY;
}

void
guard_respond(struct guard *g, int fd, enum guard_answer answer)
{
	struct fanotify_response r = {
		.fd = fd,
		.response = answer == GUARD_ALLOW ? FAN_ALLOW : FAN_DENY,
	};

	while (write(g->fan_fd, &r, sizeof(r)) < 0) {
		if (errno == EINTR)
			continue;
		/* The kernel forgets an event only when it is answered or
		 * the group closes; nothing else can be done here. */
		log_error("guard: cannot answer an open: %s", strerror(errno));
		break;
	}
}

void
guard_respond_all(struct guard *g, struct guard_waiter *list,
		  enum guard_answer answer)
{
	for (; list; list = list->next)
		if (list->fd >= 0)
			guard_respond(g, list->fd, answer);
}

void
guard_log_all(struct guard *g, const struct guard_waiter *list,
	      const char *path, enum guard_answer answer,
	      const struct scan_result *result, const char *action,
	      const char *quarantine_id, const char *error)
{
	struct log_decision d = {
		.action = action, .result = result,
		.quarantine_id = quarantine_id, .error = error,
		.answer = answer == GUARD_ALLOW ? "allow" : "deny",
	};
	struct log_opener o;

	(void)g;
	if (!list) {
		d.path = path;
		log_decision(&d);
		return;
	}
	for (; list; list = list->next) {
		guard_opener_log(&list->opener, &o);
		d.path = list->path ? list->path : path;
		d.opener = &o;
		log_decision(&d);
	}
}

void
guard_answer_all(struct guard *g, struct guard_waiter *list,
		 enum guard_answer answer, bool log,
		 const struct scan_result *result, const char *action,
		 const char *error)
{
	guard_respond_all(g, list, answer);
	if (log && list)
		guard_log_all(g, list, NULL, answer, result, action, NULL,
			      error);
	guard_waiters_free(list);
}

/* The name the kernel gives our descriptor fd (NUL-terminated, "" when
 * unknown); returns its length.  Through the /proc/self/fd directory
 * opened at start: that spares the lookup of "/proc/self/fd" at every
 * open (about 1.5 us of the 4 a readlink costs here). */
static ssize_t
fd_name(const struct guard *g, int fd, char *buf, size_t cap)
{
	char name[32];
	ssize_t len;

	if (g->fd_dir >= 0) {
		snprintf(name, sizeof(name), "%d", fd);
		len = readlinkat(g->fd_dir, name, buf, cap - 1);
	} else {
		snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
		len = readlink(name, buf, cap - 1);
	}
	if (len < 0)
		len = 0;
	buf[len] = '\0';
	return len;
}

/* True when path, the name the kernel gives fd, does not lead to fd's
 * inode in our mount namespace: a name from another namespace (a
 * container).  A file renamed or unlinked meanwhile says nothing. */
static bool
foreign_name(const struct guard *g, int fd, const struct stat *st,
	     const char *path)
{
	char again[PATH_MAX];
	struct stat cur;

	if (st->st_nlink == 0 || path[0] != '/')
		return false;
	if (lstat(path, &cur) == 0 && cur.st_dev == st->st_dev &&
	    cur.st_ino == st->st_ino)
		return false;
	if (fstat(fd, &cur) != 0 || cur.st_nlink == 0)
		return false;
	return fd_name(g, fd, again, sizeof(again)) > 0 &&
	       strcmp(again, path) == 0;
}

/* A file was written on a filesystem with ignored directories: by a
 * writer in another mount namespace? */
static void
check_writer_view(struct guard *g, int fd, const struct stat *st)
{
	char path[PATH_MAX];

	if (!S_ISREG(st->st_mode))
		return;
	if (fd_name(g, fd, path, sizeof(path)) > 0 &&
	    foreign_name(g, fd, st, path))
		guard_outside_foreign(g, st->st_dev);
}

/* Answers one FAN_OPEN_PERM event; owns md->fd. */
static void
handle_open(struct guard *g, const struct fanotify_event_metadata *md)
{
	char path[PATH_MAX];
	struct guard_waiter *w = NULL;
	struct guard_stamp stamp;
	struct stat st, cur;
	enum guard_answer answer;
	enum guard_open_result r;
	ssize_t len;
	int fd = md->fd, verdict;

	guard_count(&g->n_events);
	/* Our own workers' opens (the quarantine store on a marked
	 * filesystem): the kernel does report them to us, and a worker
	 * waits for this answer. */
	if (md->pid == g->self) {
		guard_count(&g->n_own);
		goto allow;
	}
	if (fstat(fd, &st) != 0) {
		answer = on_error(g);
		goto answer;
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0)
		goto allow;
	len = fd_name(g, fd, path, sizeof(path));
	if (len > 0 && path[0] == '/' &&
	    !policy_paths_match(&g->patterns, path) &&
	    lstat(path, &cur) == 0 && cur.st_dev == st.st_dev &&
	    cur.st_ino == st.st_ino &&
	    !guard_table_known_bad(g->table, st.st_dev, st.st_ino)) {
		/* Outside the guarded paths, and the name is really this
		 * file in our namespace (a file reached through another
		 * mount namespace is treated as guarded: its name is the one
		 * in the opener's namespace, which may be a guarded path
		 * there while it looks outside here, so the lstat is what
		 * makes the filter safe, and it stays), and not a file
		 * being scanned or denied that was renamed away while its
		 * opener waited.  The opener goes first; then later opens of
		 * this file or its directory may be spared the round trip. */
		guard_count(&g->n_fast);
		guard_respond(g, fd, GUARD_ALLOW);
		guard_outside_learn(g, fd, &st, path);
		close(fd);
		return;
	}
	/* A guarded name that does not lead to this inode here comes from
	 * another mount namespace (a container): no outside directory of
	 * this filesystem may be ignored any more (guard_outside.c). */
	if (len > 0 && foreign_name(g, fd, &st, path))
		guard_outside_foreign(g, st.st_dev);
	guard_stamp_from_stat(&st, &stamp);
	w = calloc(1, sizeof(*w));
	if (w) {
		w->fd = -1;	/* fd stays ours until the waiter takes it */
		w->path = strdup(path);
	}
	if (!w || !w->path) {
		answer = on_error(g);
		goto answer;
	}
	w->fd = fd;
	guard_opener_read(md->pid, &w->opener);
	r = guard_table_open(g, &stamp, w, guard_now_ms() +
			     g->policy->guard_timeout_ms, &answer, &verdict);
	switch (r) {
	case GUARD_OPEN_JOINED:
		return;
	case GUARD_OPEN_START:
		if (guard_job_start(g, fd, &stamp, path) != 0) {
			struct guard_waiter *list = guard_table_finish(
				g->table, &stamp, false, on_error(g), -1);

			guard_count(&g->n_errors);
			guard_answer_all(g, list, on_error(g), true, NULL,
					 on_error(g) == GUARD_ALLOW ? "allow" :
					 "deny", "the scan queue is full");
		}
		return;
	case GUARD_OPEN_CACHED:
		guard_count(&g->n_cached);
		guard_respond(g, fd, answer);
		if (answer == GUARD_DENY) {
			char why[64];

			snprintf(why, sizeof(why), "cached verdict: %s",
				 verdict >= 0 ? pw_verdict_name(
					 (enum pw_verdict)verdict) : "none");
			guard_count(&g->n_denied);
			w->next = NULL;
			guard_log_all(g, w, NULL, answer, NULL, "deny", NULL,
				      why);
		}
		guard_waiters_free(w);
		return;
	case GUARD_OPEN_REFUSED:
		w->next = NULL;
		guard_answer_all(g, w, answer, true, NULL,
				 answer == GUARD_ALLOW ? "allow" : "deny",
				 "the file's scan overran or the guard is "
				 "stopping");
		return;
	}
	return;
allow:
	guard_count(&g->n_fast);
	answer = GUARD_ALLOW;
answer:
	guard_respond(g, fd, answer);
	close(fd);
	guard_waiters_free(w);	/* its fd is still -1 here */
}

/* The event buffer; a read returning less than READ_FULL bytes left the
 * queue empty (the kernel fills it while whole events fit; the largest
 * event of this group is one metadata struct). */
#define READ_BUF 65536
#define READ_FULL (READ_BUF - (ssize_t)sizeof(struct fanotify_event_metadata))

/* Reads and handles one buffer of events.  Returns the bytes read, 0
 * when the queue is empty, -1 on a read error. */
static ssize_t
read_events(struct guard *g)
{
	/* Aligned for the metadata structs the kernel writes into it. */
	static __thread char buf[READ_BUF]
		__attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	const struct fanotify_event_metadata *md;
	ssize_t n;

	n = read(g->fan_fd, buf, sizeof(buf));
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	for (md = (const void *)buf; FAN_EVENT_OK(md, n);
	     md = FAN_EVENT_NEXT(md, n)) {
		if (md->vers != FANOTIFY_METADATA_VERSION) {
			log_error("guard: fanotify metadata version %u, "
				  "expected %u", md->vers,
				  FANOTIFY_METADATA_VERSION);
			if (md->fd >= 0)
				close(md->fd);
			continue;
		}
		if (md->mask & FAN_Q_OVERFLOW) {
			/* Only non-permission events can be lost (the
			 * queue is unlimited); verdicts may be stale. */
			log_error("guard: fanotify queue overflow");
			continue;
		}
		if (md->fd < 0)
			continue;
		if (md->mask & FAN_OPEN_PERM) {
			handle_open(g, md);
			continue;
		}
		if (md->mask & FAN_CLOSE_WRITE) {
			struct stat st;

			if (fstat(md->fd, &st) == 0) {
				guard_table_forget(g->table, st.st_dev,
						   st.st_ino);
				if (guard_outside_has_dir_marks(g, st.st_dev))
					check_writer_view(g, md->fd, &st);
			}
		}
		close(md->fd);
	}
	return n;
}

static void
expire(struct guard *g, uint64_t *ret_next_ms)
{
	struct guard_waiter *list = guard_table_expire(g->table,
						       guard_now_ms(),
						       ret_next_ms);
	const struct guard_waiter *w;

	for (w = list; w; w = w->next)
		guard_count(&g->n_timeouts);
	if (list)
		guard_answer_all(g, list, on_timeout(g), true, NULL,
				 on_timeout(g) == GUARD_ALLOW ? "allow" :
				 "deny", "the scan did not finish in time");
}

/* The counters, for STATUS= and the SIGUSR1 log line. */
static void
status_text(struct guard *g, char *buf, size_t cap)
{
	snprintf(buf, cap,
		 "guarding %zu paths; opens %" PRIu64 " (fast %" PRIu64
		 ", cached %" PRIu64 "), scans %" PRIu64 ", denied %" PRIu64
		 ", quarantined %" PRIu64 ", timeouts %" PRIu64
		 ", errors %" PRIu64 ", scanning %zu; outside: ignored "
		 "directories %" PRIu64 ", scans %" PRIu64 ", ignored files %"
		 PRIu64, g->policy->guard_paths.n, load(&g->n_events),
		 load(&g->n_fast), load(&g->n_cached), load(&g->n_scans),
		 load(&g->n_denied), load(&g->n_quarantined),
		 load(&g->n_timeouts), load(&g->n_errors),
		 guard_table_scanning(g->table), load(&g->n_dir_marks),
		 load(&g->n_outside_scans), load(&g->n_content_marks));
}

static void
send_status(struct guard *g, struct notify *n)
{
	char buf[512];

	status_text(g, buf, sizeof(buf));
	(void)notify_status(n, buf);
}

/* Reads the mount table to its end: /proc/self/mountinfo polls as
 * changed (POLLPRI) until it has been read since the change. */
static void
mounts_consume(int fd)
{
	char buf[4096];

	if (lseek(fd, 0, SEEK_SET) != 0)
		return;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

/* A filesystem mounted below a guarded prefix after start (a home
 * directory, a volume) is marked too.  Marking a filesystem again is
 * harmless. */
static void
mounts_changed(struct guard *g, int mounts_fd)
{
	char why[1024];
	int n;

	mounts_consume(mounts_fd);
	guard_outside_mounts_changed(g);
	n = guard_marks_place(g->fan_fd, &g->patterns, GUARD_MASK, why,
			      sizeof(why));
	if (n < 0)
		log_error("guard: after a mount change: %s", why);
	else if (n > 0)
		log_info("guard: mount table changed: %d filesystems marked",
			 n);
}

/* The event loop; returns 0 when a SIGTERM or SIGINT arrives, -1 when
 * poll fails. */
static int
loop(struct guard *g, int sig_fd, struct notify *n)
{
	uint64_t wd_ms = notify_watchdog_interval_ms(n);
	uint64_t last_wd = guard_now_ms(), last_status = last_wd;
	int mounts_fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	int rc = -1;

	if (mounts_fd >= 0)
		mounts_consume(mounts_fd);
	for (;;) {
		struct pollfd pfd[3] = {
			{.fd = g->fan_fd, .events = POLLIN},
			{.fd = sig_fd, .events = POLLIN},
			{.fd = mounts_fd, .events = POLLPRI},
		};
		uint64_t next, now, wait_ms = GUARD_STATUS_MS;
		int i;

		expire(g, &next);
		now = guard_now_ms();
		if (next != UINT64_MAX)
			wait_ms = next > now ? next - now : 0;
		if (wd_ms && wait_ms > wd_ms)
			wait_ms = wd_ms;
		if (poll(pfd, 3, (int)(wait_ms > 60000 ? 60000 : wait_ms)) <
		    0 && errno != EINTR) {
			log_error("guard: poll: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sig_fd, &si, sizeof(si)) ==
			       (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGTERM ||
				    si.ssi_signo == SIGINT) {
					rc = 0;
					goto out;
				}
				if (si.ssi_signo == SIGUSR1) {
					char buf[512];

					status_text(g, buf, sizeof(buf));
					log_info("guard: status: %s", buf);
					continue;
				}
				log_info("guard: SIGHUP: restart the service to "
					 "reload the configuration");
			}
		}
		/* A read that did not fill the buffer emptied the queue:
		 * the next event wakes poll (this spares one read per event
		 * when opens come one at a time). */
		if (pfd[0].revents & POLLIN)
			for (i = 0; i < GUARD_READS_PER_TURN; i++)
				if (read_events(g) < READ_FULL)
					break;
		if (pfd[2].revents & (POLLPRI | POLLERR))
			mounts_changed(g, mounts_fd);
		now = guard_now_ms();
		if (wd_ms && now - last_wd >= wd_ms) {
			(void)notify_send(n, "WATCHDOG=1");
			last_wd = now;
		}
		if (now - last_status >= GUARD_STATUS_MS) {
			send_status(g, n);
			last_status = now;
		}
	}
out:
	if (mounts_fd >= 0)
		close(mounts_fd);
	return rc;
}

/* Loads the configuration; prints why it is refused. */
static struct policy *
load_config(const char *path)
{
	struct policy *p = NULL;
	struct policy_error err;
	char msg[2048];
	int rc;

	memset(&err, 0, sizeof(err));
	if (path)
		rc = policy_load_file(path, &p, &err);
	else {
		rc = policy_load_file(GUARD_DEFAULT_CONFIG, &p, &err);
		if (rc != 0 && errno == ENOENT)
			rc = policy_defaults(&p, &err);
	}
	if (rc != 0) {
		fprintf(stderr, "picklewarden guard: %s\n",
			policy_error_format(&err, msg, sizeof(msg)));
		return NULL;
	}
	if (p->guard_paths.n == 0) {
		fprintf(stderr, "picklewarden guard: %s: guard.paths: nothing "
			"to guard\n", p->source);
		policy_free(p);
		return NULL;
	}
	return p;
}

/* The patterns, plus each one again with its existing prefix resolved
 * when that prefix runs through a symlink (/home -> /data/home): the
 * names we read back from the kernel never contain symlinks. */
static int
build_patterns(struct guard *g)
{
	const struct policy_strv *in = &g->policy->guard_paths;
	size_t i;

	g->patterns.v = calloc(in->n * 2 + 1, sizeof(char *));
	if (!g->patterns.v)
		return -1;
	for (i = 0; i < in->n; i++) {
		char *prefix = guard_marks_static_prefix(in->v[i]);
		char real[PATH_MAX];
		size_t plen;

		if (!(g->patterns.v[g->patterns.n] = strdup(in->v[i]))) {
			free(prefix);
			return -1;
		}
		g->patterns.n++;
		if (!prefix)
			return -1;
		plen = strlen(prefix);
		if (realpath(prefix, real) && strcmp(real, prefix) != 0) {
			char *alt = NULL;

			if (asprintf(&alt, "%s%s", real, in->v[i] + plen) < 0) {
				free(prefix);
				return -1;
			}
			g->patterns.v[g->patterns.n++] = alt;
		}
		free(prefix);
	}
	return 0;
}

static void
patterns_free(struct policy_strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

/* Shutdown: no new events, then every pending open answered. */
static void
shutdown_guard(struct guard *g)
{
	struct guard_waiter *list;
	int i;

	guard_marks_flush(g->fan_fd);
	list = guard_table_drain(g->table);
	guard_answer_all(g, list, on_error(g), true, NULL,
			 on_error(g) == GUARD_ALLOW ? "allow" : "deny",
			 "the guard is stopping");
	/* Events queued before the marks went: answered by the same rules
	 * (the table now refuses to start scans). */
	for (i = 0; i < 1024; i++)
		if (read_events(g) <= 0)
			break;
}

int
guard_run(const struct guard_options *opts)
{
	struct guard g;
	struct notify *n = NULL;
	struct rlimit rl;
	sigset_t set;
	char why[1024];
	int sig_fd = -1, rc = EXIT_TROUBLE, marks;

	memset(&g, 0, sizeof(g));
	g.fan_fd = -1;
	g.fd_dir = -1;
	g.self = getpid();
	g.foreground = opts->foreground;
	/* A bad configuration is refused before anything is marked. */
	g.policy = load_config(opts->config_path);
	if (!g.policy)
		return EXIT_TROUBLE;
	log_open("picklewarden", g.policy->syslog_facility, opts->foreground);
	if (geteuid() != 0) {
		log_error("guard: needs root (CAP_SYS_ADMIN for fanotify "
			  "permission events)");
		goto out;
	}
	if (policy_bridge_scanner(g.policy, &g.scanner) != PW_OK) {
		log_error("guard: the configuration's globals or limits are "
			  "refused by the scanner");
		goto out;
	}
	{
		/* The scan workers are forked before any file is read; as
		 * root they drop to [agent] worker_user in an empty root. */
		char cwhy[256];

		if (scan_client_new(g.policy, g.scanner,
				    g.policy->guard_workers, !g.policy->sandbox,
				    &g.client, cwhy, sizeof(cwhy)) != 0) {
			log_error("guard: cannot start the scan workers: %s",
				  cwhy);
			goto out;
		}
	}
	{
		int qs = quarantine_open(g.policy->guard_quarantine_dir,
					 &g.store);

		if (qs != QUARANTINE_OK) {
			char esc[1024];

			escape_text_buf(g.policy->guard_quarantine_dir, esc,
					sizeof(esc));
			log_error("guard: quarantine %s: %s%s%s", esc,
				  quarantine_strerror(qs),
				  qs == QUARANTINE_ERR_IO ? ": " : "",
				  qs == QUARANTINE_ERR_IO ? strerror(errno) :
				  "");
			goto out;
		}
	}
	if (build_patterns(&g) != 0 || guard_table_new(&g.table) != 0) {
		log_error("guard: out of memory");
		goto out;
	}
	/* Every waiting opener holds one of our descriptors. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	/* Signals go to the signalfd; every thread inherits the mask.
	 * SIGIO is what a broken file lease would send (guard_job.c). */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);	/* logs the counters */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGIO, SIG_IGN);
	sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sig_fd < 0 || notify_open(&n) != 0) {
		log_error("guard: signalfd/notify: %s", strerror(errno));
		goto out;
	}
	/* Our own descriptors' names are read through it (O_PATH: a
	 * directory on procfs, never marked). */
	g.fd_dir = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* An unlimited queue: a full queue would let permission events
	 * through unanswered (the kernel allows what it cannot queue). */
	g.fan_fd = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC |
				 FAN_NONBLOCK | FAN_UNLIMITED_QUEUE |
				 FAN_UNLIMITED_MARKS,
				 O_RDONLY | O_LARGEFILE | O_CLOEXEC);
	if (g.fan_fd < 0) {
		log_error("guard: fanotify_init: %s", strerror(errno));
		goto out;
	}
	if (workqueue_new(GUARD_QUEUE_MAX, g.policy->guard_workers,
			  guard_job_run, guard_job_drop, &g, &g.wq) != 0) {
		log_error("guard: cannot start the scan workers: %s",
			  strerror(errno));
		goto out;
	}
	/* A new group has no ignore marks: outside directories and files
	 * are learnt again at each start (and a restart is how the
	 * configuration is reloaded). */
	if (guard_outside_new(&g) != 0) {
		log_error("guard: out of memory");
		goto out;
	}
	marks = guard_marks_place(g.fan_fd, &g.patterns, GUARD_MASK, why,
				  sizeof(why));
	if (marks < 0) {
		log_error("guard: %s", why);
		goto out;
	}
	log_info("guard: ready: %zu patterns, %d filesystems marked, %u "
		 "workers, timeout %u ms (on_timeout=%s, on_error=%s)",
		 g.policy->guard_paths.n, marks, g.policy->guard_workers,
		 g.policy->guard_timeout_ms,
		 policy_answer_name(g.policy->guard_on_timeout),
		 policy_answer_name(g.policy->guard_on_error));
	(void)notify_send(n, "READY=1");
	send_status(&g, n);
	rc = loop(&g, sig_fd, n) == 0 ? 0 : EXIT_TROUBLE;
	(void)notify_send(n, "STOPPING=1");
	shutdown_guard(&g);
out:
	/* Workers finish their scans and may still answer: the fanotify
	 * descriptor closes only after them.  Closing it allows whatever
	 * the kernel still holds. */
	workqueue_free(g.wq);
	guard_outside_stop(&g);
	if (g.fan_fd >= 0) {
		struct guard_waiter *list = guard_table_drain(g.table);

		guard_answer_all(&g, list, on_error(&g), false, NULL, NULL,
				 NULL);
		close(g.fan_fd);
	}
	if (rc == 0)
		log_info("guard: stopped: opens %" PRIu64 " (own %" PRIu64
			 ", fast %" PRIu64 ", cached %" PRIu64 "), scans %"
			 PRIu64 ", denied %" PRIu64 ", quarantined %" PRIu64
			 ", timeouts %" PRIu64 ", errors %" PRIu64 "; outside: "
			 "ignored directories %" PRIu64 ", scans %" PRIu64
			 ", ignored files %" PRIu64,
			 load(&g.n_events), load(&g.n_own), load(&g.n_fast),
			 load(&g.n_cached), load(&g.n_scans), load(&g.n_denied),
			 load(&g.n_quarantined), load(&g.n_timeouts),
			 load(&g.n_errors), load(&g.n_dir_marks),
			 load(&g.n_outside_scans), load(&g.n_content_marks));
	guard_table_free(g.table);
	guard_outside_free(&g);
	patterns_free(&g.patterns);
	quarantine_close(g.store);
	scan_client_free(g.client);
	pw_scanner_free(g.scanner);
	notify_close(n);
	if (sig_fd >= 0)
		close(sig_fd);
	if (g.fd_dir >= 0)
		close(g.fd_dir);
	policy_free((struct policy *)g.policy);
	return rc;
}
