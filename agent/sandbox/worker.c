/*
 * worker.c - the body of a scan worker: lock down, then scan descriptors
 * the agent sends until the socket closes.
 *
 * Order matters.  Everything that needs a file (iconv modules, the user
 * database, /dev/null) happens first; then resource limits, the empty
 * root and the unprivileged user (when root), no_new_privs, and last the
 * seccomp filter.  A syscall outside the filter kills the worker with
 * SIGSYS, which the agent reports as a crash finding.
 *
 * Test builds (PW_TEST_HOOKS, only tests/sandbox/ programs define it)
 * obey a file that begins with "PWTESTHOOK:" and misbehave on purpose.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <iconv.h>
#include <langinfo.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef PW_TEST_HOOKS
#include <linux/futex.h>
#include <sys/syscall.h>
#endif

#include "agent/sandbox/pool_internal.h"
#include "agent/sandbox/sandbox.h"
#include "agent/sandbox/warmup_7z.h"
#include "agent/sandbox/wire.h"

/* The worker's socket is always this descriptor; a received file is the
 * lowest free one above it. */
#define WORKER_SOCK 3
/* Descriptors a worker keeps for itself: 0-2, its socket, and slack for
 * a library that dups (none does today).  Its RLIMIT_NOFILE adds one
 * batch of files (sandbox_batch_max).  A batch that does not fit would
 * arrive truncated (MSG_CTRUNC) and be refused. */
#define WORKER_FDS_OWN 8

/* The worker's RLIMIT_NOFILE: room for a full batch, but never above the
 * hard limit it inherits (it could not raise it). */
static rlim_t
worker_nofile(void)
{
	struct rlimit rl;
	rlim_t want = WORKER_FDS_OWN + SANDBOX_WIRE_MAX_BATCH;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want)
		want = rl.rlim_max;
	return want;
}

unsigned
sandbox_batch_max(void)
{
	rlim_t n = worker_nofile();

	return n > WORKER_FDS_OWN + 1 ? (unsigned)(n - WORKER_FDS_OWN) : 1;
}

static void __attribute__((noreturn))
die(int code)
{
	_exit(code);
}

/* The parent's signal handling is not ours: default dispositions, nothing
 * blocked, so SIGXCPU and a deadline SIGKILL act at once. */
static void
reset_signals(void)
{
	sigset_t none;
	int s;

	for (s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			(void)signal(s, SIG_DFL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Only the socket and stdio survive: the agent's other descriptors (its
 * inotify fd, quarantine store, other workers' sockets) are not ours.
 * stdin and stdout become /dev/null so a received file never lands on
 * them and nothing a worker does reaches the agent's output. */
static int
keep_only_socket(int sock)
{
	int null;

	if (sock != WORKER_SOCK) {
		if (dup2(sock, WORKER_SOCK) < 0)
			return -1;
	}
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0)
		return -1;
	if (close_range(WORKER_SOCK + 1, ~0u, 0) != 0)
		return -1;
	return 0;
}

/* The character sets libarchive converts 7z and zip member names from:
 * glibc dlopen()s a gconv module for each the first time.  The handles
 * stay open (and reachable, in held[]) so the modules are never
 * unloaded; once per process. */
static iconv_t held[4];

static void
load_gconv(void)
{
	static const char *const from[] = {"UTF-16LE", "UTF-16BE", "UTF-8",
					   "CP437"};
	size_t i;

	for (i = 0; i < sizeof(from) / sizeof(from[0]); i++)
		if (held[i] == NULL || held[i] == (iconv_t)-1)
			held[i] = iconv_open(nl_langinfo(CODESET), from[i]);
}

void
sandbox_warm_up_parent(const struct pw_scanner *scanner)
{
	struct pw_result *res = NULL;

	/* Loaded once here, the modules are in every worker forked after:
	 * a worker's own warm-up then opens no file, and a new worker
	 * starts in a fraction of the time (one every worker_scans
	 * files).  The sample is our own constant, not untrusted input. */
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	(void)pthread_once(&once, load_gconv);
	if (pw_scan_buffer(scanner, warmup_7z, sizeof(warmup_7z), &res) ==
	    PW_OK)
		pw_result_free(res);
}

/* Loads what the scan path would otherwise load lazily through open():
 * the time zone, and the gconv modules (load_gconv; already there when
 * the agent loaded them before forking). */
static void
warm_up(const struct pw_scanner *scanner)
{
	struct pw_result *res = NULL;

	/* libzip turns DOS times into time_t with mktime().  With TZ unset
	 * glibc stats /etc/localtime on every call; with TZ set it loads the
	 * zone once.  Same zone, no file access after this. */
	if (getenv("TZ") == NULL)
		(void)setenv("TZ", ":/etc/localtime", 1);
	tzset();
	/* Inherited from the agent (sandbox_warm_up_parent): then these
	 * only find the modules loaded. */
	load_gconv();
	if (pw_scan_buffer(scanner, warmup_7z, sizeof(warmup_7z), &res) ==
	    PW_OK)
		pw_result_free(res);
}

static int
set_limit(int resource, rlim_t value)
{
	struct rlimit rl = {value, value};

	return setrlimit(resource, &rl);
}

static int
apply_limits(const struct sandbox_opts *opts)
{
	if (set_limit(RLIMIT_CORE, 0) != 0 ||
	    set_limit(RLIMIT_NOFILE, worker_nofile()) != 0)
		return -1;
	/* RLIMIT_CPU: SIGXCPU at the soft limit (fatal), SIGKILL a second
	 * later at the hard one. */
	if (opts->cpu_seconds > 0) {
		struct rlimit rl = {opts->cpu_seconds,
				    (rlim_t)opts->cpu_seconds + 1};

		if (setrlimit(RLIMIT_CPU, &rl) != 0)
			return -1;
	}
#ifndef __SANITIZE_ADDRESS__
	/* AddressSanitizer reserves terabytes of shadow address space; an
	 * address-space limit would kill every ASan worker at start. */
	if (opts->memory_bytes > 0 &&
	    set_limit(RLIMIT_AS, (rlim_t)opts->memory_bytes) != 0)
		return -1;
#endif
	return 0;
}

/* Empties every capability set of this process (capset may always
 * lower them), and the bounding set as far as it can. */
static int
drop_all_capabilities(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0,
	};
	struct __user_cap_data_struct data[2];
	int cap;

	memset(data, 0, sizeof(data));
	for (cap = 0; cap <= 63; cap++)
		(void)prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
	if (syscall(SYS_capset, &hdr, data) != 0)
		return -1;
	return 0;
}

/* As root: an empty root directory and an unprivileged user, in that
 * order (chroot needs root; the user change is last and for good). */
static int
drop_privileges(const char *root, uid_t uid, gid_t gid)
{
	if (root == NULL)
		return 0;
	if (chroot(root) != 0 || chdir("/") != 0)
		return -1;
	/* EPERM from setgroups: a user namespace whose setgroups is
	 * denied (`unshare -r`); its groups cannot be changed at all. */
	if (setgroups(0, NULL) != 0 && errno != EPERM)
		return -1;
	if (setresgid(gid, gid, gid) != 0 || setresuid(uid, uid, uid) != 0) {
		/* EINVAL: the user is not mapped in this user namespace (the
		 * agent is "root" of a container or of `unshare -r`).  Stay
		 * that namespace's root, but with no capability at all: the
		 * empty root and the seccomp filter that follows still hold. */
		if (errno != EINVAL)
			return -1;
		return drop_all_capabilities();
	}
	/* Paranoia: the change must be irreversible. */
	if (setuid(0) == 0)
		return -1;
	return 0;
}

#define ALLOW(call, ...)                                                     \
	(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(call),                \
			  __VA_ARGS__) == 0)

/*
 * The allow-list: what pw_scan_fd and glibc's allocator need to scan a
 * descriptor, found with strace over every fixture (tests/sandbox/).
 * Everything else, open/openat, socket, execve included, kills the
 * process.  Memory can be mapped but never made executable.
 */
static int
load_filter(void)
{
	scmp_filter_ctx ctx;
	pid_t self = getpid();
	bool ok;

	/* SCMP_ACT_KILL_PROCESS needs the seccomp(2) system call (API level
	 * 3).  Where the agent's own filter denies it (systemd's
	 * SystemCallFilter=@system-service does), libseccomp loads through
	 * prctl() and offers only SCMP_ACT_KILL, which kills the calling
	 * thread: a worker has one, so the process dies all the same. */
	ctx = seccomp_init(seccomp_api_get() >= 3 ? SCMP_ACT_KILL_PROCESS
						  : SCMP_ACT_KILL);
	if (ctx == NULL)
		return -1;
	ok = ALLOW(read, 0) && ALLOW(pread64, 0) && ALLOW(lseek, 0) &&
	     ALLOW(fstat, 0) &&
	     /* glibc's fstat is newfstatat(fd, "", ..., AT_EMPTY_PATH): allow
	      * that form only, never a path lookup. */
	     ALLOW(newfstatat, 1,
		   SCMP_A3(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, AT_EMPTY_PATH)) &&
	     ALLOW(close, 0) &&
	     ALLOW(recvmsg, 1, SCMP_A0(SCMP_CMP_EQ, WORKER_SOCK, 0)) &&
	     ALLOW(sendmsg, 1, SCMP_A0(SCMP_CMP_EQ, WORKER_SOCK, 0)) &&
	     ALLOW(mmap, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) &&
	     ALLOW(mprotect, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) &&
	     ALLOW(munmap, 0) && ALLOW(mremap, 0) && ALLOW(brk, 0) &&
	     ALLOW(madvise, 0) &&
	     /* glibc locks (iconv, stdio) may wake a futex even with one
	      * thread. */
	     ALLOW(futex, 0) &&
	     ALLOW(clock_gettime, 0) && ALLOW(rt_sigreturn, 0) &&
	     /* abort() and raise(): signal mask, and a signal to itself. */
	     ALLOW(rt_sigprocmask, 0) && ALLOW(getpid, 0) && ALLOW(gettid, 0) &&
	     ALLOW(tgkill, 1, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)self, 0)) &&
	     ALLOW(exit, 0) && ALLOW(exit_group, 0);
#ifdef __SANITIZE_ADDRESS__
	/* ASan builds only: the sanitizer's allocator and its error report
	 * (to stderr) use these. */
	ok = ok && ALLOW(sched_yield, 0) && ALLOW(prctl, 0) &&
	     ALLOW(sigaltstack, 0) && ALLOW(rt_sigaction, 0) &&
	     ALLOW(write, 1, SCMP_A0(SCMP_CMP_EQ, 2, 0)) &&
	     ALLOW(getrlimit, 0) && ALLOW(prlimit64, 0);
#endif
	if (ok && seccomp_load(ctx) != 0)
		ok = false;
	seccomp_release(ctx);
	return ok ? 0 : -1;
}

/* One request: up to SANDBOX_WIRE_MAX_BATCH files to scan in order. */
struct batch {
	uint32_t count;
	uint64_t deadline;
	uint16_t flags;
	int fd[SANDBOX_WIRE_MAX_BATCH];
	uint64_t prefix[SANDBOX_WIRE_MAX_BATCH];
};

/* Receives one request: returns 1 with *b, 0 at end of file, -1 on a
 * malformed request. */
static int
receive(struct batch *b)
{
	uint8_t req[SANDBOX_WIRE_REQUEST_MAX];
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * SANDBOX_WIRE_MAX_BATCH)];
	} cbuf;
	struct iovec iov = {req, sizeof(req)};
	struct msghdr mh;
	struct cmsghdr *c;
	ssize_t n;
	size_t nfd = 0, i;
	int fds[SANDBOX_WIRE_MAX_BATCH];
	bool bad = false;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = sizeof(cbuf.buf);
	do
		n = recvmsg(WORKER_SOCK, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		size_t k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0)) {
			bad = true;
			continue;
		}
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int),
			       sizeof(int));
			if (nfd < SANDBOX_WIRE_MAX_BATCH)
				fds[nfd++] = fd;
			else
				close(fd);
		}
		if (nfd != k)
			bad = true;
	}
	/* The kernel hands over one request per receive (a message with
	 * descriptors is never joined to the next); its size, its count and
	 * its descriptors must agree. */
	if (n < 0 || bad || (mh.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) ||
	    sandbox_wire_parse_request(req, (size_t)n, &b->flags, &b->deadline,
				       &b->count, b->prefix) != 0 ||
	    b->count != nfd) {
		for (i = 0; i < nfd; i++)
			close(fds[i]);
		return -1;
	}
	memcpy(b->fd, fds, nfd * sizeof(int));
	return 1;
}

/*
 * True when this worker has used half its lifetime CPU budget: the next
 * file would start with less than half of it, and could be killed by
 * SIGXCPU for the CPU of the files before it.  The wall time since the
 * worker started bounds its CPU time (one thread), so below half of
 * the budget in wall time the CPU clock is not read.
 */
static bool
cpu_half_spent(const struct sandbox_opts *opts, uint64_t born_ms)
{
	struct timespec cpu;

	if (opts->cpu_seconds == 0 ||
	    (now_ms() - born_ms) * 2u < (uint64_t)opts->cpu_seconds * 1000u ||
	    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu) != 0)
		return false;
	return sandbox_half_spent(opts->cpu_seconds,
				  (uint64_t)cpu.tv_sec * 1000000000u +
					  (uint64_t)cpu.tv_nsec);
}

static int
send_all(const uint8_t *p, size_t len)
{
	while (len > 0) {
		struct iovec iov = {(void *)p, len};
		struct msghdr mh;
		ssize_t n;

		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		n = sendmsg(WORKER_SOCK, &mh, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Answers held back until the batch is done (see wire.h). */
struct outbuf {
	uint8_t *p;
	size_t len, cap;
};
static struct outbuf out;
/* When the oldest answer in out was added (CLOCK_MONOTONIC ms). */
static uint64_t held_ms;
/* The progress word (wire.h), and the files this worker has begun. */
static uint64_t *progress_word;
static uint64_t begun;

static void
out_flush(struct outbuf *o)
{
	if (o->len > 0 && send_all(o->p, o->len) != 0)
		die(SANDBOX_EXIT_SEND);
	o->len = 0;
	/* One huge answer grew it: do not keep that memory. */
	if (o->cap > 4 * SANDBOX_WIRE_FLUSH) {
		free(o->p);
		o->p = NULL;
		o->cap = 0;
	}
}

static void
out_add(struct outbuf *o, const uint8_t *msg, size_t len)
{
	if (o->len + len > o->cap) {
		size_t cap = o->cap ? o->cap : SANDBOX_WIRE_FLUSH;
		uint8_t *np;

		while (cap < o->len + len)
			cap *= 2;
		np = realloc(o->p, cap);
		if (np == NULL)
			die(SANDBOX_EXIT_NOMEM);
		o->p = np;
		o->cap = cap;
	}
	if (o->len == 0)
		held_ms = now_ms();
	memcpy(o->p + o->len, msg, len);
	o->len += len;
	if (o->len >= SANDBOX_WIRE_FLUSH)
		out_flush(o);
}

/* Tells the agent: file number started (since this worker began), begun
 * now. */
static void
progress_mark(uint64_t started)
{
	__atomic_store_n(progress_word,
			 SANDBOX_PROGRESS_WORD(started, now_ms()),
			 __ATOMIC_RELEASE);
}

#ifdef PW_TEST_HOOKS
/* Spends ms of CPU time. */
static void
burn_cpu(long ms)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	do
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	while ((t.tv_sec - t0.tv_sec) * 1000L +
		       (t.tv_nsec - t0.tv_nsec) / 1000000L <
	       ms);
}

/* Test builds only: a file "PWTESTHOOK:<what>" makes the worker misbehave
 * the way a parser bug or an exploited worker would. */
static int
test_hook(int fd)
{
	char head[40];
	ssize_t n = pread(fd, head, sizeof(head) - 1, 0);
	static const uint8_t lie_version[] = {'P', 'W', 'S', 'R', 9, 0, 0, 0,
					      4, 0, 0, 0, 0, 0, 0, 0};
	static const uint8_t lie_long[] = {'P', 'W', 'S', 'R',
					   SANDBOX_WIRE_VERSION, 0, 0, 0,
					   0, 0, 0, 0x7f};

	if (n < 11 || memcmp(head, "PWTESTHOOK:", 11) != 0)
		return PW_OK;
	head[n] = '\0';
	/* (A death here leaves the answers to the files before it unsent,
	 * as a real crash would: the agent must blame this file and scan
	 * those again.) */
	/* "retire": claims its CPU budget is half spent when it is not (a
	 * lie to have the file handed to another worker). */
	if (strncmp(head + 11, "retire", 6) == 0)
		die(SANDBOX_EXIT_RETIRED);
	/* "burn-retire<ms>": the same lie made true, by a worker that
	 * claims to be on the next file: that much CPU, then "retired"
	 * before answering anything. */
	if (strncmp(head + 11, "burn-retire", 11) == 0) {
		progress_mark(begun + 1);
		burn_cpu(atol(head + 22));
		die(SANDBOX_EXIT_RETIRED);
	}
	/* "nomem": answer as the library does when the file needs more
	 * memory than the worker may have. */
	if (strncmp(head + 11, "nomem", 5) == 0)
		return PW_ERR_NOMEM;
	/* "lie-status": a status no scan of a regular file gives. */
	if (strncmp(head + 11, "lie-status", 10) == 0)
		return PW_ERR_PATTERN;
	if (strncmp(head + 11, "abort", 5) == 0)
		abort();
	if (strncmp(head + 11, "burn", 4) == 0) {
		/* "burn<ms>": that much CPU, then an ordinary scan. */
		burn_cpu(atol(head + 15));
		return PW_OK;
	}
	if (strncmp(head + 11, "loop", 4) == 0)
		for (;;)
			__asm__ volatile("" ::: "memory");
	/* "stall": a taken-over worker that sleeps (in futex, which the
	 * filter allows) and keeps saying it has just begun this file;
	 * "frame<n>": the same, saying it is on the file n places further
	 * down its batch (so that one is blamed). */
	if (strncmp(head + 11, "stall", 5) == 0 ||
	    strncmp(head + 11, "frame", 5) == 0) {
		static uint32_t never;
		struct timespec t = {0, 50 * 1000000L};
		uint64_t claim = begun + (uint64_t)atol(head + 16);

		for (;;) {
			progress_mark(claim);
			(void)syscall(SYS_futex, &never, FUTEX_WAIT_PRIVATE, 0,
				      &t, NULL, 0);
		}
	}
	if (strncmp(head + 11, "open", 4) == 0)
		(void)syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
	if (strncmp(head + 11, "socket", 6) == 0)
		(void)syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
	if (strncmp(head + 11, "execve", 6) == 0) {
		static char *const argv[] = {"/bin/true", NULL};

		(void)syscall(SYS_execve, "/bin/true", argv, NULL);
	}
	/* A lie comes after the answers before it: it is this file's. */
	if (strncmp(head + 11, "lie-", 4) == 0)
		out_flush(&out);
	if (strncmp(head + 11, "lie-version", 11) == 0) {
		(void)send_all(lie_version, sizeof(lie_version));
		close(fd);
		/* Wait for the agent to hang up on us. */
		for (;;)
			if (recv(WORKER_SOCK, head, 1, 0) <= 0)
				die(0);
	}
	if (strncmp(head + 11, "lie-long", 8) == 0) {
		(void)send_all(lie_long, sizeof(lie_long));
		for (;;)
			if (recv(WORKER_SOCK, head, 1, 0) <= 0)
				die(0);
	}
	/* "nothing": a survivor, to show the others were killed for what
	 * they did and not for being test files. */
	return PW_OK;
}
#endif

void
sandbox_worker_main(int sock, uint64_t *progress,
		    const struct pw_scanner *scanner,
		    const struct sandbox_opts *opts, const char *root,
		    uid_t uid, gid_t gid)
{
	struct pw_result *res;
	struct batch b;
	uint64_t born_ms = now_ms();
	uint8_t *msg;
	size_t len;
	uint32_t i;
	int rc;

	/* Dies with the agent; if the agent is already gone, stop now. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() == 1)
		die(SANDBOX_EXIT_PARENT_GONE);
	progress_word = progress;
	reset_signals();
#ifdef PW_TEST_HOOKS
	/* Test builds only: no worker starts while this file exists (the
	 * agent's own failure to get a worker, for tests of what it does
	 * with the file it could not scan). */
	{
		const char *f = getenv("PICKLEWARDEN_TEST_NO_WORKER_WHILE");

		if (f != NULL && access(f, F_OK) == 0)
			die(SANDBOX_EXIT_PRIVILEGES);
	}
#endif
	if (keep_only_socket(sock) != 0)
		die(SANDBOX_EXIT_DESCRIPTORS);
	warm_up(scanner);
	if (apply_limits(opts) != 0 || drop_privileges(root, uid, gid) != 0)
		die(SANDBOX_EXIT_PRIVILEGES);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || load_filter() != 0)
		die(SANDBOX_EXIT_FILTER);
	/* It reads no request before this: files the agent queued on the
	 * socket of a worker that could not lock itself down are never
	 * received. */
	if (send_all((const uint8_t *)SANDBOX_WIRE_READY,
		     SANDBOX_WIRE_READY_SIZE) != 0)
		die(SANDBOX_EXIT_SEND);
	for (;;) {
		out_flush(&out);
		rc = receive(&b);
		if (rc == 0)
			die(0);
		if (rc < 0)
			die(SANDBOX_EXIT_BAD_REQUEST);
		/* The library stops by itself at [agent] scan_deadline (the
		 * scanner's options, see policy_bridge.c); the agent kills a
		 * worker that still overruns the deadline of a file. */
		for (i = 0; i < b.count; i++) {
			/* Never the first file of a worker: a budget too
			 * small for even one would retire them all. */
			if (begun > 0 && cpu_half_spent(opts, born_ms)) {
				out_flush(&out);
				die(SANDBOX_EXIT_RETIRED);
			}
			/* Answers held too long go before the next file
			 * (wire.h: the agent counts on it). */
			if (out.len > 0 &&
			    now_ms() - held_ms >= SANDBOX_WIRE_HOLD_MS)
				out_flush(&out);
			progress_mark(++begun);
			res = NULL;
			rc = PW_OK;
#ifdef PW_TEST_HOOKS
			rc = test_hook(b.fd[i]);
#endif
			/* A prefix: the first bytes of a file still being
			 * written (the watcher's scan-while-it-lands), never
			 * past them. */
			if (rc == PW_OK)
				rc = b.prefix[i]
					     ? pw_scan_fd_prefix(scanner,
								 b.fd[i],
								 b.prefix[i],
								 &res)
					     : pw_scan_fd(scanner, b.fd[i],
							  &res);
			close(b.fd[i]);
			/* Sent with the rest of the batch: one message
			 * (and one wake-up of the agent) for many small
			 * files.  The progress word says which file this
			 * worker is on. */
			if (sandbox_wire_encode(rc, res, &msg, &len) != 0)
				die(SANDBOX_EXIT_NOMEM);
			pw_result_free(res);
			out_add(&out, msg, len);
			free(msg);
		}
	}
}
