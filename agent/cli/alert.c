/* SPDX-License-Identifier: Apache-2.0 */
/*
 * alert.c - see alert.h.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent/cli/alert.h"
#include "agent/store/escape.h"
#include "agent/store/log.h"

/* Room for one exported variable. */
#define ALERT_VAR_MAX 4200
/* Variables passed through from our own environment (the desktop needs
 * them; nothing else is inherited, so a hook sees a predictable world). */
static const char *const alert_keep[] = {
	"PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "XDG_RUNTIME_DIR",
	"DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY", NULL,
};

size_t
alert_split(const char *cmd, char *buf, size_t cap, char **argv, size_t max)
{
	size_t n = 0;
	char *p, *save = NULL;

	if (!cmd || strlen(cmd) + 1 > cap || max == 0)
		return 0;
	memcpy(buf, cmd, strlen(cmd) + 1);
	for (p = strtok_r(buf, " \t", &save); p;
	     p = strtok_r(NULL, " \t", &save)) {
		if (n + 1 >= max)
			return 0;
		argv[n++] = p;
	}
	argv[n] = NULL;
	return n;
}

struct envbuf {
	char *v[40];
	char s[40][ALERT_VAR_MAX];
	size_t n;
};

static void
env_add(struct envbuf *e, const char *key, const char *value, bool escape)
{
	char esc[ALERT_VAR_MAX - 64];

	if (e->n + 1 >= sizeof(e->v) / sizeof(e->v[0]))
		return;
	if (escape)
		/* File-derived: no newline or control byte reaches a hook
		 * that writes the value into a log or a shell variable. */
		escape_text_buf(value ? value : "", esc, sizeof(esc));
	else
		snprintf(esc, sizeof(esc), "%s", value ? value : "");
	snprintf(e->s[e->n], ALERT_VAR_MAX, "%s=%s", key, esc);
	e->v[e->n] = e->s[e->n];
	e->n++;
	e->v[e->n] = NULL;
}

static void
env_build(struct envbuf *e, const struct alert_event *ev)
{
	size_t i;
	const char *v;

	e->n = 0;
	e->v[0] = NULL;
	for (i = 0; alert_keep[i]; i++)
		if ((v = getenv(alert_keep[i])) != NULL)
			env_add(e, alert_keep[i], v, false);
	env_add(e, "PICKLEWARDEN_PATH", ev->path, true);
	env_add(e, "PICKLEWARDEN_ID", ev->id, true);
	env_add(e, "PICKLEWARDEN_VERDICT", ev->verdict, true);
	env_add(e, "PICKLEWARDEN_SHA256", ev->sha256, true);
	env_add(e, "PICKLEWARDEN_REPO", ev->repo, true);
	env_add(e, "PICKLEWARDEN_REVISION", ev->revision, true);
	env_add(e, "PICKLEWARDEN_FILE", ev->file, true);
	env_add(e, "PICKLEWARDEN_FINDING", ev->finding, true);
	env_add(e, "PICKLEWARDEN_SUMMARY", ev->summary, true);
	env_add(e, "PICKLEWARDEN_TOMBSTONE", ev->tombstone, true);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Spawns argv with envp (stdin from /dev/null) and waits up to
 * timeout_ms; returns the wait status, or -1 (errno) when it could not
 * start.  A child past its time is killed. */
static int
run_program(char *const argv[], char *const envp[], unsigned timeout_ms,
	    bool *ret_killed)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	pid_t pid;
	int rc, status = 0;
	uint64_t deadline = now_ms() + timeout_ms;

	*ret_killed = false;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawnattr_init(&attr);
	/* The agent blocks the signals it reads from a signalfd; a hook
	 * must start with none blocked and default dispositions. */
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&pid, argv[0], &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			return status;
		if (w < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= deadline && !*ret_killed) {
			kill(pid, SIGKILL);
			*ret_killed = true;
			deadline = UINT64_MAX;
		}
		usleep(10000);
	}
}

/* notify-send's full path from $PATH, or false. */
static bool
find_in_path(const char *prog, char *out, size_t cap)
{
	const char *path = getenv("PATH");
	char dirs[4096], *d, *save = NULL;

	if (!path || strlen(path) >= sizeof(dirs))
		path = "/usr/local/bin:/usr/bin:/bin";
	snprintf(dirs, sizeof(dirs), "%s", path);
	for (d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		if (d[0] != '/')
			continue;	/* never a relative $PATH entry */
		if (snprintf(out, cap, "%s/%s", d, prog) < (int)cap &&
		    access(out, X_OK) == 0)
			return true;
	}
	return false;
}

/* A session bus: $DBUS_SESSION_BUS_ADDRESS, or the systemd-style socket
 * $XDG_RUNTIME_DIR/bus (then exported for the child). */
static bool
session_bus(char *addr, size_t cap)
{
	const char *a = getenv("DBUS_SESSION_BUS_ADDRESS");
	const char *rt = getenv("XDG_RUNTIME_DIR");
	char sock[4096];
	struct stat st;

	addr[0] = '\0';
	if (a && a[0])
		return true;
	if (!rt || rt[0] != '/' ||
	    snprintf(sock, sizeof(sock), "%s/bus", rt) >= (int)sizeof(sock))
		return false;
	if (stat(sock, &st) != 0 || !S_ISSOCK(st.st_mode))
		return false;
	snprintf(addr, cap, "unix:path=%s", sock);
	return true;
}

/* Notification servers read the body as markup: keep it plain. */
static void
plain(char *s)
{
	for (; *s; s++)
		if (*s == '<' || *s == '>' || *s == '&')
			*s = '_';
}

static void
desktop_notify(const struct alert_event *e, struct envbuf *env)
{
	char prog[4200], bus[4200], body[2048], esc[1500];
	char *argv[] = {prog, "--app-name=picklewarden", "--urgency=critical",
			"--icon=dialog-warning",
			"picklewarden quarantined a file", body, NULL};
	bool killed;
	int st;

	if (!session_bus(bus, sizeof(bus)) ||
	    !find_in_path("notify-send", prog, sizeof(prog)))
		return;
	if (bus[0])
		env_add(env, "DBUS_SESSION_BUS_ADDRESS", bus, false);
	escape_text_buf(e->summary ? e->summary : e->path, esc, sizeof(esc));
	snprintf(body, sizeof(body),
		 "%s\nTo undo: picklewarden quarantine restore %s", esc,
		 e->id ? e->id : "?");
	plain(body);
	st = run_program(argv, env->v, ALERT_NOTIFY_TIMEOUT_MS, &killed);
	if (st < 0 || killed || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		log_warning("desktop notification failed (notify-send%s)",
			    killed ? " timed out" : "");
}

void
alert_quarantined(const struct policy *policy, const struct alert_event *e)
{
	static struct envbuf env;	/* large: not on a worker's stack */
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	char split[4096], *argv[ALERT_MAX_ARGS + 1], esc[512];
	bool killed;
	int st;

	if (!policy || !e)
		return;
	if (!policy->on_quarantine && !policy->desktop_notify)
		return;
	/* One alert at a time: they are rare, and it keeps the buffer
	 * above private. */
	pthread_mutex_lock(&lock);
	env_build(&env, e);
	if (policy->on_quarantine) {
		if (alert_split(policy->on_quarantine, split, sizeof(split),
				argv, ALERT_MAX_ARGS + 1) == 0) {
			log_error("on_quarantine: too many arguments");
		} else {
			st = run_program(argv, env.v, ALERT_HOOK_TIMEOUT_MS,
					 &killed);
			escape_text_buf(argv[0], esc, sizeof(esc));
			if (st < 0)
				log_error("on_quarantine: cannot run %s: %s",
					  esc, strerror(errno));
			else if (killed)
				log_error("on_quarantine: %s killed after %d "
					  "s", esc,
					  ALERT_HOOK_TIMEOUT_MS / 1000);
			else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				log_warning("on_quarantine: %s exited with "
					    "status %d", esc,
					    WIFEXITED(st) ? WEXITSTATUS(st)
							  : 128 + WTERMSIG(st));
		}
	}
	if (policy->desktop_notify)
		desktop_notify(e, &env);
	pthread_mutex_unlock(&lock);
}
