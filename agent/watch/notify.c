/* SPDX-License-Identifier: Apache-2.0 */
/*
 * notify.c - see notify.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent/watch/notify.h"

/* A status line longer than this is truncated: systemctl shows one line. */
#define NOTIFY_STATUS_MAX 512

struct notify {
	int fd;				/* -1 when notification is disabled */
	struct sockaddr_un addr;
	socklen_t addr_len;
	uint64_t watchdog_ms;
};

/* Parses a decimal unsigned integer that fills the whole string. */
static bool
parse_u64(const char *s, uint64_t *ret)
{
	uint64_t v = 0;

	if (s == NULL || *s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v))
			return false;
	}
	*ret = v;
	return true;
}

/* WATCHDOG_USEC applies to us only if WATCHDOG_PID is unset or ours:
 * the variables leak into children otherwise. */
static uint64_t
watchdog_from_env(void)
{
	uint64_t usec, pid;
	const char *p = getenv("WATCHDOG_PID");

	if (p != NULL && (!parse_u64(p, &pid) || pid != (uint64_t)getpid()))
		return 0;
	if (!parse_u64(getenv("WATCHDOG_USEC"), &usec) || usec == 0)
		return 0;
	/* Ping at half the interval; at least every millisecond. */
	usec /= 2;
	return usec < 1000 ? 1 : usec / 1000;
}

int
notify_open(struct notify **ret)
{
	struct notify *n;
	const char *path = getenv("NOTIFY_SOCKET");
	size_t len;

	n = calloc(1, sizeof(*n));
	if (n == NULL)
		return -1;
	n->fd = -1;
	n->watchdog_ms = watchdog_from_env();
	if (path == NULL || *path == '\0') {
		*ret = n;
		return 0;
	}
	len = strlen(path);
	/* Only absolute paths and abstract ('@') names are valid; the name
	 * must fit sun_path (abstract names need no terminating NUL). */
	if ((path[0] != '/' && path[0] != '@') ||
	    len >= sizeof(n->addr.sun_path)) {
		free(n);
		errno = EINVAL;
		return -1;
	}
	n->addr.sun_family = AF_UNIX;
	memcpy(n->addr.sun_path, path, len);
	if (path[0] == '@')
		n->addr.sun_path[0] = '\0';
	n->addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
				  (path[0] == '@' ? 0 : 1));
	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (n->fd < 0) {
		int saved = errno;

		free(n);
		errno = saved;
		return -1;
	}
	*ret = n;
	return 0;
}

void
notify_close(struct notify *n)
{
	if (n == NULL)
		return;
	if (n->fd >= 0)
		close(n->fd);
	free(n);
}

int
notify_send(struct notify *n, const char *text)
{
	ssize_t sent;

	if (n == NULL || n->fd < 0)
		return 0;
	/* Non-blocking: a stuck service manager must not stop the agent;
	 * a lost ping is retried at the next tick. */
	do {
		sent = sendto(n->fd, text, strlen(text), MSG_NOSIGNAL,
			      (const struct sockaddr *)&n->addr, n->addr_len);
	} while (sent < 0 && errno == EINTR);
	return sent < 0 ? -1 : 0;
}

int
notify_status(struct notify *n, const char *text)
{
	char line[sizeof("STATUS=") + NOTIFY_STATUS_MAX];
	size_t i, off = sizeof("STATUS=") - 1;

	memcpy(line, "STATUS=", off);
	for (i = 0; text[i] != '\0' && i < NOTIFY_STATUS_MAX; i++)
		line[off + i] = (text[i] == '\n' || text[i] == '\r') ? ' '
								    : text[i];
	line[off + i] = '\0';
	return notify_send(n, line);
}

uint64_t
notify_watchdog_interval_ms(const struct notify *n)
{
	return n == NULL ? 0 : n->watchdog_ms;
}

bool
notify_enabled(const struct notify *n)
{
	return n != NULL && n->fd >= 0;
}
