/*
 * test_sandbox.c - scan workers for real: locked down (seccomp, no new
 * privileges, when root another user and an empty root), killed for
 * forbidden system calls, crashes, overruns and lies, replaced after
 * each, and after their scan budget.  Linked with the worker built with
 * PW_TEST_HOOKS: a file "PWTESTHOOK:<what>" makes it misbehave.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/sandbox/client.h"
#include "agent/sandbox/sandbox.h"

struct fx {
	char dir[64];
	struct pw_scanner *scanner;
	struct sandbox_pool *pool;
};

/* A fixture of its own: a directory, a scanner and a pool of n workers
 * with these budgets (NULL if any part could not be made). */
static struct fx *
new_fx(unsigned n, unsigned max_scans, unsigned cpu_seconds)
{
	struct sandbox_opts o = {.memory_bytes = 1024ull << 20,
				 .cpu_seconds = cpu_seconds,
				 .max_scans = max_scans};
	struct fx *fx = calloc(1, sizeof(*fx));
	char why[256];

	if (fx == NULL)
		return NULL;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/pw-sandbox-test.XXXXXX");
	if (mkdtemp(fx->dir) == NULL ||
	    pw_scanner_new(NULL, &fx->scanner) != PW_OK)
		return NULL;
	if (sandbox_pool_new(fx->scanner, &o, n, &fx->pool, why,
			     sizeof(why)) != 0) {
		fprintf(stderr, "sandbox_pool_new: %s\n", why);
		return NULL;
	}
	return fx;
}

static int
setup(void **state)
{
	struct fx *fx = new_fx(2, 0, 60);

	if (fx == NULL)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;
	char cmd[128];

	sandbox_pool_free(fx->pool);
	pw_scanner_free(fx->scanner);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

/* Writes data to a file in the fixture directory and opens it. */
static int
file_with(struct fx *fx, const char *name, const void *data, size_t len)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	return fd;
}

static struct scan_result *
scan_text(struct fx *fx, const char *text, uint64_t deadline_ms)
{
	struct scan_result *res = NULL;
	int fd = file_with(fx, "f", text, strlen(text));

	assert_int_equal(sandbox_scan_fd(fx->pool, fd, deadline_ms, &res),
			 PW_OK);
	close(fd);
	assert_non_null(res);
	return res;
}

static const char evil[] = "cos\nsystem\n(S'echo pwned'\ntR.";

/* A real scan through a worker gives the in-process answer. */
static void
same_as_in_process(void **state)
{
	struct fx *fx = *state;
	struct scan_result *a, *b = NULL;
	int fd;

	a = scan_text(fx, evil, 0);
	fd = file_with(fx, "g", evil, strlen(evil));
	assert_int_equal(sandbox_scan_in_process(fx->scanner, fd, &b), PW_OK);
	close(fd);
	assert_int_equal(scan_result_verdict(a), PW_VERDICT_MALICIOUS);
	assert_int_equal(scan_result_verdict(a), scan_result_verdict(b));
	assert_string_equal(scan_result_format(a), scan_result_format(b));
	assert_int_equal(scan_result_finding_count(a),
			 scan_result_finding_count(b));
	assert_false(scan_result_worker_failed(a));
	scan_result_free(a);
	scan_result_free(b);
}

/* A prefix scan in a worker (wire request version 3): only the first
 * bytes are read, the answer says so, and a payload in them is final,
 * the same as in process. */
static void
prefix_scan(void **state)
{
	struct fx *fx = *state;
	struct scan_result *a = NULL, *b = NULL;
	size_t len = strlen(evil) + 200000, i;
	char *buf = malloc(len);
	int fd;

	assert_non_null(buf);
	memcpy(buf, evil, strlen(evil));
	/* A second pickle that has not finished landing: a long list. */
	memcpy(buf + strlen(evil), "\x80\x02](", 4);
	for (i = strlen(evil) + 4; i + 1 < len; i += 2)
		memcpy(buf + i, "K\x01", 2);
	fd = file_with(fx, "landing", buf, len);
	assert_int_equal(sandbox_scan_prefix(fx->pool, fd, 0, 65536, &a),
			 PW_OK);
	assert_int_equal(sandbox_scan_in_process_prefix(fx->scanner, fd,
							65536, &b),
			 PW_OK);
	assert_int_equal(scan_result_bytes_total(a), 65536);
	assert_true(scan_result_prefix_final(a));
	assert_true(scan_result_prefix_final(b));
	assert_int_equal(scan_result_finding_count(a),
			 scan_result_finding_count(b));
	scan_result_free(a);
	scan_result_free(b);
	/* Cut inside the module name: nothing is final yet. */
	assert_int_equal(sandbox_scan_prefix(fx->pool, fd, 0, 5, &a), PW_OK);
	assert_false(scan_result_prefix_final(a));
	assert_false(scan_result_worker_failed(a));
	scan_result_free(a);
	close(fd);
	free(buf);
}

/* Reads "Key:\tvalue" from /proc/<pid>/status. */
static void
proc_field(pid_t pid, const char *key, char *out, size_t cap)
{
	char path[64], line[256];
	size_t n = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	assert_non_null(f);
	out[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, n) == 0 && line[n] == ':') {
			char *v = line + n + 1;

			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = '\0';
			snprintf(out, cap, "%s", v);
		}
	}
	fclose(f);
}

static void
locked_down(void **state)
{
	struct fx *fx = *state;
	char v[128];
	unsigned i;
	int tries;

	for (i = 0; i < 2; i++) {
		pid_t pid = sandbox_pool_worker_pid(fx->pool, i);

		assert_true(pid > 0);
		/* The worker loads its filter itself, after fork and before
		 * it reads its first request: give it a moment. */
		for (tries = 0; tries < 500; tries++) {
			char u[128];

			/* Its uid changes before the filter is loaded; a
			 * filter inherited from whatever runs the test could
			 * show "2" earlier. */
			proc_field(pid, "Uid", u, sizeof(u));
			proc_field(pid, "Seccomp", v, sizeof(v));
			if (strcmp(v, "2") == 0 &&
			    (geteuid() != 0 || strncmp(u, "0\t", 2) != 0))
				break;
			usleep(10000);
		}
		assert_string_equal(v, "2");
		proc_field(pid, "NoNewPrivs", v, sizeof(v));
		assert_string_equal(v, "1");
		if (geteuid() == 0) {
			struct passwd *pw = getpwnam("nobody");
			char uid[64], link[64], target[256];
			ssize_t n;

			assert_non_null(pw);
			proc_field(pid, "Uid", v, sizeof(v));
			snprintf(uid, sizeof(uid), "%u\t%u\t%u\t%u",
				 pw->pw_uid, pw->pw_uid, pw->pw_uid,
				 pw->pw_uid);
			assert_string_equal(v, uid);
			snprintf(link, sizeof(link), "/proc/%d/root", (int)pid);
			n = readlink(link, target, sizeof(target) - 1);
			assert_true(n > 0);
			target[n] = '\0';
			assert_non_null(strstr(target, "picklewarden-empty."));
		}
	}
}

/* The worker dies for what the hook makes it do; the result says so; the
 * next scan gets a fresh worker and a right answer. */
static void
killed_and_replaced(const char *hook, enum pw_finding_kind kind,
		    const char *reason_part, uint64_t deadline_ms)
{
	struct fx *fx = new_fx(1, 0, 60);
	struct scan_result *res;
	const struct pw_finding *f;
	char text[64];
	uint64_t spawns;

	assert_non_null(fx);
	spawns = sandbox_pool_spawns(fx->pool);
	snprintf(text, sizeof(text), "PWTESTHOOK:%s\n", hook);
	res = scan_text(fx, text, deadline_ms);
	assert_int_equal(scan_result_verdict(res), PW_VERDICT_ERROR);
	assert_true(scan_result_worker_failed(res));
	assert_int_equal(scan_result_finding_count(res), 1);
	f = scan_result_finding(res, 0);
	assert_int_equal(f->severity, PW_SEV_ERROR);
	assert_int_equal(f->kind, kind);
	if (strstr(f->reason, reason_part) == NULL)
		fail_msg("%s: reason \"%s\" lacks \"%s\"", hook, f->reason,
			 reason_part);
	scan_result_free(res);
	/* The pool goes on with a new worker. */
	res = scan_text(fx, evil, 0);
	assert_int_equal(scan_result_verdict(res), PW_VERDICT_MALICIOUS);
	scan_result_free(res);
	assert_int_equal(sandbox_pool_spawns(fx->pool), spawns + 1);
	teardown((void **)&fx);
}

static void
hook_open(void **state)
{
	(void)state;
	killed_and_replaced("open", SCAN_KIND_CRASH, "(SIGSYS)", 0);
}

static void
hook_socket(void **state)
{
	(void)state;
	killed_and_replaced("socket", SCAN_KIND_CRASH, "(SIGSYS)", 0);
}

static void
hook_execve(void **state)
{
	(void)state;
	killed_and_replaced("execve", SCAN_KIND_CRASH, "(SIGSYS)", 0);
}

static void
hook_abort(void **state)
{
	(void)state;
	killed_and_replaced("abort", SCAN_KIND_CRASH, "(SIGABRT)", 0);
}

static void
hook_loop(void **state)
{
	(void)state;
	killed_and_replaced("loop", PW_KIND_LIMIT, "deadline of 300 ms", 300);
}

static void
hook_lies(void **state)
{
	(void)state;
	killed_and_replaced("lie-version", SCAN_KIND_CRASH,
			    "invalid result (unsupported version)", 0);
	killed_and_replaced("lie-long", SCAN_KIND_CRASH,
			    "invalid result (message too long)", 0);
	killed_and_replaced("lie-status", SCAN_KIND_CRASH,
			    "invalid result (a status no scan of a file "
			    "gives)", 0);
}

/* A hook file that does nothing is scanned normally: the others died for
 * what they did, not for being hook files. */
static void
hook_nothing(void **state)
{
	struct fx *fx = *state;
	struct scan_result *res = scan_text(fx, "PWTESTHOOK:nothing\n", 0);

	size_t i;

	/* (The text is a broken protocol-0 pickle: the library's verdict
	 * may be error, but no worker died for it.) */
	assert_false(scan_result_worker_failed(res));
	for (i = 0; i < scan_result_finding_count(res); i++)
		assert_int_not_equal(scan_result_finding(res, i)->kind,
				     SCAN_KIND_CRASH);
	scan_result_free(res);
}

/* After max_scans a worker is replaced by a new process. */
static void
budget(void **state)
{
	struct fx *fx = new_fx(1, 2, 60);
	struct scan_result *res;
	pid_t first;
	int i;

	(void)state;
	assert_non_null(fx);
	first = sandbox_pool_worker_pid(fx->pool, 0);
	for (i = 0; i < 5; i++) {
		res = scan_text(fx, evil, 0);
		assert_int_equal(scan_result_verdict(res),
				 PW_VERDICT_MALICIOUS);
		scan_result_free(res);
	}
	/* 5 scans at 2 per worker: 3 workers (the last is retired after its
	 * second scan, and the next starts on demand). */
	assert_int_equal(sandbox_pool_spawns(fx->pool), 3);
	assert_int_equal(sandbox_pool_scans(fx->pool), 5);
	assert_int_not_equal(sandbox_pool_worker_pid(fx->pool, 0), first);
	teardown((void **)&fx);
}

/* The CPU limit is over a worker's life: a worker that has used half of
 * it is retired after its scan, so a file never pays for the CPU of the
 * files before it (it would be killed by SIGXCPU, get the verdict error
 * and be quarantined).  With a 2 s budget, each 1.1 s file retires its
 * worker; without the retirement the second one is killed. */
static void
cpu_budget(void **state)
{
	struct fx *fx = new_fx(1, 0, 2);
	struct scan_result *res;
	uint64_t spawns;
	int i;

	(void)state;
	assert_non_null(fx);
	spawns = sandbox_pool_spawns(fx->pool);
	for (i = 0; i < 3; i++) {
		res = scan_text(fx, "PWTESTHOOK:burn1100\n", 0);
		assert_false(scan_result_worker_failed(res));
		scan_result_free(res);
	}
	/* One worker per file: the first was there, two more started. */
	assert_int_equal(sandbox_pool_spawns(fx->pool), spawns + 2);
	/* A worker far from half its budget is kept. */
	for (i = 0; i < 3; i++) {
		res = scan_text(fx, evil, 0);
		assert_int_equal(scan_result_verdict(res),
				 PW_VERDICT_MALICIOUS);
		scan_result_free(res);
	}
	assert_int_equal(sandbox_pool_spawns(fx->pool), spawns + 3);
	teardown((void **)&fx);
}

/* A file the worker's library could not finish for lack of memory gets
 * the verdict error with a limit finding (the fail-closed default then
 * applies), not a failed scan that leaves it unjudged; the worker lives
 * on. */
static void
hook_nomem(void **state)
{
	struct fx *fx = *state;
	struct scan_result *res;
	const struct pw_finding *f;
	uint64_t spawns = sandbox_pool_spawns(fx->pool);

	res = scan_text(fx, "PWTESTHOOK:nomem\n", 0);
	assert_int_equal(scan_result_verdict(res), PW_VERDICT_ERROR);
	assert_false(scan_result_worker_failed(res));
	assert_int_equal(scan_result_finding_count(res), 1);
	f = scan_result_finding(res, 0);
	assert_int_equal(f->kind, PW_KIND_LIMIT);
	assert_non_null(strstr(f->reason, "out of memory"));
	scan_result_free(res);
	res = scan_text(fx, evil, 0);
	assert_int_equal(scan_result_verdict(res), PW_VERDICT_MALICIOUS);
	scan_result_free(res);
	assert_int_equal(sandbox_pool_spawns(fx->pool), spawns);
}

/* Only regular files are handed over. */
static void
not_regular(void **state)
{
	struct fx *fx = *state;
	struct scan_result *res = NULL;
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/fifo", fx->dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(sandbox_scan_fd(fx->pool, fd, 0, &res),
			 PW_ERR_NOT_REGULAR);
	assert_null(res);
	close(fd);
}

/* True once pid is a zombie or gone (within 10 s). */
static bool
wait_dead(pid_t pid)
{
	char path[64], buf[256], *p;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (i = 0; i < 1000; i++) {
		FILE *f = fopen(path, "r");
		size_t n;

		if (!f)
			return true;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'))
			return true;
		usleep(10000);
	}
	return false;
}

/* A worker killed while idle is noticed at the next scan and replaced,
 * without failing that scan. */
static void
idle_death(void **state)
{
	struct fx *fx = *state;
	struct scan_result *res;
	pid_t pid = sandbox_pool_worker_pid(fx->pool, 0);
	pid_t pid1 = sandbox_pool_worker_pid(fx->pool, 1);

	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(kill(pid1, SIGKILL), 0);
	/* Idle means dead before the scan is handed over: wait until both
	 * are zombies (the pool reaps them), not a fixed 50 ms that a loaded
	 * machine outran.  A worker that dies holding a scan is a crash,
	 * which other tests cover. */
	assert_true(wait_dead(pid));
	assert_true(wait_dead(pid1));
	res = scan_text(fx, evil, 0);
	assert_int_equal(scan_result_verdict(res), PW_VERDICT_MALICIOUS);
	scan_result_free(res);
}

/* ---- lanes: batches of files on one worker ---- */

static const char benign[] = "I42\n.";

/*
 * Pushes n texts (at most SANDBOX_LANE_DEPTH) on one lane, one file each,
 * and pops every answer into out[], in order.
 */
static void
run_lane(struct fx *fx, const char *const *texts, unsigned n,
	 uint64_t deadline_ms, struct scan_result **out)
{
	int fds[SANDBOX_LANE_DEPTH];
	unsigned lane, i;
	char name[32];

	assert_true(n <= SANDBOX_LANE_DEPTH);
	assert_int_equal(sandbox_lane_open(fx->pool, &lane), PW_OK);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "l%u", i);
		fds[i] = file_with(fx, name, texts[i], strlen(texts[i]));
		assert_int_equal(sandbox_lane_push(fx->pool, lane, fds[i], NULL,
						   deadline_ms, 0),
				 PW_OK);
	}
	assert_int_equal(sandbox_lane_queued(fx->pool, lane), n);
	sandbox_lane_flush(fx->pool, lane);
	for (i = 0; i < n; i++) {
		out[i] = NULL;
		assert_int_equal(sandbox_lane_pop(fx->pool, lane, &out[i]),
				 PW_OK);
		assert_non_null(out[i]);
		close(fds[i]);
	}
	assert_int_equal(sandbox_lane_queued(fx->pool, lane), 0);
	sandbox_lane_close(fx->pool, lane);
}

/* The one finding of a result a worker's death gave, with its reason. */
static void
assert_worker_failure(struct scan_result *res, enum pw_finding_kind kind,
		      const char *reason_part)
{
	const struct pw_finding *f;

	assert_int_equal(scan_result_verdict(res), PW_VERDICT_ERROR);
	assert_true(scan_result_worker_failed(res));
	assert_int_equal(scan_result_finding_count(res), 1);
	f = scan_result_finding(res, 0);
	assert_int_equal(f->kind, kind);
	if (strstr(f->reason, reason_part) == NULL)
		fail_msg("reason \"%s\" lacks \"%s\"", f->reason, reason_part);
}

/*
 * Checks a lane's answers, one letter of want per file, and frees them:
 * c clean, m malicious (neither blamed on a worker), o not blamed on a
 * worker (any verdict), x a worker's death of kind and reason_part, e
 * verdict error.
 */
static void
assert_lane(struct scan_result **res, const char *want,
	    enum pw_finding_kind kind, const char *reason_part)
{
	size_t i;

	for (i = 0; want[i] != '\0'; i++) {
		switch (want[i]) {
		case 'x':
			assert_worker_failure(res[i], kind, reason_part);
			break;
		case 'e':
			assert_int_equal(scan_result_verdict(res[i]),
					 PW_VERDICT_ERROR);
			break;
		default:
			assert_false(scan_result_worker_failed(res[i]));
			if (want[i] != 'o')
				assert_int_equal(scan_result_verdict(res[i]),
						 want[i] == 'm'
							 ? PW_VERDICT_MALICIOUS
							 : PW_VERDICT_CLEAN);
		}
		scan_result_free(res[i]);
	}
}

/* A full lane of files is answered in order, each with its own verdict,
 * by the one worker (no restart). */
static void
lane_in_order(void **state)
{
	struct fx *fx = new_fx(1, 0, 60);
	const char *texts[SANDBOX_LANE_DEPTH];
	struct scan_result *res[SANDBOX_LANE_DEPTH];
	char want[SANDBOX_LANE_DEPTH + 1] = "";
	uint64_t spawns;
	unsigned i;

	(void)state;
	assert_non_null(fx);
	spawns = sandbox_pool_spawns(fx->pool);
	for (i = 0; i < SANDBOX_LANE_DEPTH; i++) {
		texts[i] = i % 3 == 1 ? evil : benign;
		want[i] = i % 3 == 1 ? 'm' : 'c';
	}
	run_lane(fx, texts, SANDBOX_LANE_DEPTH, 0, res);
	assert_lane(res, want, 0, NULL);
	assert_int_equal(sandbox_pool_spawns(fx->pool), spawns);
	assert_int_equal(sandbox_pool_scans(fx->pool), SANDBOX_LANE_DEPTH);
	teardown((void **)&fx);
}

/*
 * A worker that dies in the middle of a batch is blamed for the file it
 * was on, not for the oldest file without an answer: the files before it
 * were scanned but their answers were still held back, so they are
 * scanned again by the next worker, and the files after it too.
 */
static void
lane_crash_blame(void **state)
{
	struct fx *fx = new_fx(1, 0, 60);
	const char *texts[10];
	struct scan_result *res[10];
	uint64_t spawns;
	unsigned i;

	(void)state;
	assert_non_null(fx);
	spawns = sandbox_pool_spawns(fx->pool);
	for (i = 0; i < 10; i++)
		texts[i] = i == 6 ? evil : benign;
	texts[5] = "PWTESTHOOK:abort\n";
	run_lane(fx, texts, 10, 0, res);
	assert_lane(res, "cccccxmccc", SCAN_KIND_CRASH, "(SIGABRT)");
	/* One death, one new worker. */
	assert_int_equal(sandbox_pool_spawns(fx->pool), spawns + 1);
	teardown((void **)&fx);
}

/* Each file's deadline runs from when the worker began it: a file that
 * hangs in the middle of a batch is killed at its own deadline and
 * blamed, and the files around it get their verdicts. */
static void
lane_deadline_blame(void **state)
{
	struct fx *fx = new_fx(1, 0, 60);
	const char *texts[7];
	struct scan_result *res[7];
	struct timespec t0, t1;
	unsigned i;

	(void)state;
	assert_non_null(fx);
	for (i = 0; i < 7; i++)
		texts[i] = i == 4 ? evil : benign;
	texts[3] = "PWTESTHOOK:loop\n";
	clock_gettime(CLOCK_MONOTONIC, &t0);
	run_lane(fx, texts, 7, 300, res);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_lane(res, "cccxmcc", PW_KIND_LIMIT, "deadline of 300 ms");
	/* Killed at about its deadline, not left to loop. */
	assert_true(t1.tv_sec - t0.tv_sec < 20);
	teardown((void **)&fx);
}

/* Ends a test whose lane would otherwise wait for ever. */
static void
stall_alarm(int sig)
{
	static const char msg[] = "a lane waited for a worker that was "
				  "never ended\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

/* A taken-over worker cannot put off its deadline for ever by writing a
 * fresh start time for its file: the agent never believes a start later
 * than the files before it could have taken. */
static void
lane_stall_clamped(void **state)
{
	struct fx *fx = new_fx(1, 0, 60);
	const char *texts[3] = {benign, "PWTESTHOOK:stall\n", benign};
	struct scan_result *res[3];
	struct timespec t0, t1;

	(void)state;
	assert_non_null(fx);
	/* Without the clamp the lane waits for ever: fail instead. */
	signal(SIGALRM, stall_alarm);
	alarm(60);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	run_lane(fx, texts, 3, 300, res);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	alarm(0);
	assert_lane(res, "cxc", PW_KIND_LIMIT, "deadline of 300 ms");
	/* At most two deadlines (the file before it, then its own). */
	assert_true(t1.tv_sec - t0.tv_sec < 20);
	teardown((void **)&fx);
}

/*
 * A taken-over worker that claims to be far down its batch and stalls
 * gains little: the agent kills it at the oldest file's deadline plus the
 * time a worker may hold an answer, not at as many deadlines as files it
 * claims to be past.  The file it names is blamed; the files before it go
 * to the next worker one at a time, so the next one taken over can name
 * only its own file, never the benign file ahead of it.
 */
static void
lane_frame_bounded(void **state)
{
	struct fx *fx = new_fx(1, 0, 60);
	const char *texts[60];
	struct scan_result *res[60];
	char want[61];
	struct timespec t0, t1;
	unsigned i;

	(void)state;
	assert_non_null(fx);
	for (i = 0; i < 60; i++)
		texts[i] = benign;
	texts[1] = "PWTESTHOOK:frame50\n";
	/* Its own file, and the one it named the first time. */
	memset(want, 'c', 60);
	want[60] = '\0';
	want[1] = want[51] = 'x';
	signal(SIGALRM, stall_alarm);
	alarm(120);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	run_lane(fx, texts, 60, 300, res);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	alarm(0);
	assert_lane(res, want, PW_KIND_LIMIT, "deadline of 300 ms");
	/* Two kills of about 1.4 s and 0.3 s, not 51 deadlines (15 s). */
	assert_true(t1.tv_sec - t0.tv_sec < 8);
	teardown((void **)&fx);
}

/* A worker that claims in its progress word to be past its file, burns
 * half its CPU budget and exits as if retiring has answered nothing: it
 * is not believed (a new worker would get the file, and do the same, for
 * ever), and the file it held gets the verdict error. */
static void
lane_retire_loop(void **state)
{
	struct fx *fx = new_fx(1, 0, 2);
	const char *texts[2] = {"PWTESTHOOK:burn-retire1100\n", benign};
	struct scan_result *res[2];

	(void)state;
	assert_non_null(fx);
	signal(SIGALRM, stall_alarm);
	alarm(60);
	run_lane(fx, texts, 2, 0, res);
	alarm(0);
	/* The second file, which it claimed to be on, is blamed for its
	 * death: a taken-over worker can lie about any file it holds
	 * (README). */
	assert_lane(res, "xe", SCAN_KIND_CRASH, "claimed half its CPU budget");
	teardown((void **)&fx);
}

/* worker_scans holds with batches: no worker is sent more files than its
 * budget, and the rest of the batch goes to the next. */
static void
lane_budget(void **state)
{
	struct fx *fx = new_fx(1, 3, 60);
	const char *texts[10];
	struct scan_result *res[10];
	uint64_t spawns;
	unsigned i;

	(void)state;
	assert_non_null(fx);
	spawns = sandbox_pool_spawns(fx->pool);
	for (i = 0; i < 10; i++)
		texts[i] = evil;
	run_lane(fx, texts, 10, 0, res);
	assert_lane(res, "mmmmmmmmmm", 0, NULL);
	/* 10 files at 3 per worker: 4 workers, the first already there. */
	assert_int_equal(sandbox_pool_spawns(fx->pool), spawns + 3);
	teardown((void **)&fx);
}

/*
 * A batch is not a way around the CPU budget: the worker retires itself
 * before a file it cannot give half its budget, and the agent hands that
 * file and the rest to a new worker.  With a 2 s budget and 0.7 s files,
 * the third file of one worker would start at 1.4 s and be killed by
 * SIGXCPU at 2 s.
 */
static void
lane_cpu_retire(void **state)
{
	struct fx *fx = new_fx(1, 0, 2);
	const char *texts[5];
	struct scan_result *res[5];
	uint64_t spawns;
	unsigned i;

	(void)state;
	assert_non_null(fx);
	spawns = sandbox_pool_spawns(fx->pool);
	for (i = 0; i < 4; i++)
		texts[i] = "PWTESTHOOK:burn700\n";
	texts[4] = evil;
	run_lane(fx, texts, 5, 0, res);
	assert_lane(res, "oooom", 0, NULL);
	/* Two files per worker: the first, and two more started. */
	assert_int_equal(sandbox_pool_spawns(fx->pool), spawns + 2);
	teardown((void **)&fx);
}

/* A worker that claims to retire while its CPU time says it need not is
 * lying (to have its file scanned by someone else): it is blamed, and the
 * file before it, whose answer it held back, is scanned again. */
static void
lane_fake_retire(void **state)
{
	struct fx *fx = new_fx(1, 0, 60);
	const char *texts[3] = {evil, "PWTESTHOOK:retire\n", benign};
	struct scan_result *res[3];

	(void)state;
	assert_non_null(fx);
	run_lane(fx, texts, 3, 0, res);
	assert_lane(res, "mxc", SCAN_KIND_CRASH, "claimed half its CPU budget");
	teardown((void **)&fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(same_as_in_process, setup,
						teardown),
		cmocka_unit_test_setup_teardown(prefix_scan, setup, teardown),
		cmocka_unit_test_setup_teardown(locked_down, setup, teardown),
		cmocka_unit_test(hook_open),
		cmocka_unit_test(hook_socket),
		cmocka_unit_test(hook_execve),
		cmocka_unit_test(hook_abort),
		cmocka_unit_test(hook_loop),
		cmocka_unit_test(hook_lies),
		cmocka_unit_test_setup_teardown(hook_nothing, setup, teardown),
		cmocka_unit_test(budget),
		cmocka_unit_test(cpu_budget),
		cmocka_unit_test_setup_teardown(hook_nomem, setup, teardown),
		cmocka_unit_test_setup_teardown(not_regular, setup, teardown),
		cmocka_unit_test_setup_teardown(idle_death, setup, teardown),
		cmocka_unit_test(lane_in_order),
		cmocka_unit_test(lane_crash_blame),
		cmocka_unit_test(lane_deadline_blame),
		cmocka_unit_test(lane_stall_clamped),
		cmocka_unit_test(lane_retire_loop),
		cmocka_unit_test(lane_frame_bounded),
		cmocka_unit_test(lane_budget),
		cmocka_unit_test(lane_cpu_retire),
		cmocka_unit_test(lane_fake_retire),
	};

	/* Workers a test kills must not take the test with them. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
