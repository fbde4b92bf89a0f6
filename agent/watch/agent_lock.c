/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_lock.c - see agent_lock.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent/watch/agent_lock.h"

/* A status answer is sent within this time or dropped: a peer that does
 * not read cannot stall the event loop. */
#define AGENT_STATUS_SEND_MS 200
/* The client waits this long for the agent. */
#define AGENT_STATUS_WAIT_MS 5000

int
agent_runtime_path(const struct policy *p, const char *name, char *buf,
		   size_t cap)
{
	const char *rt = getenv("XDG_RUNTIME_DIR");
	int n;

	if (!rt || rt[0] != '/')
		rt = p ? p->state_dir : NULL;
	if (!rt)
		return -1;
	n = snprintf(buf, cap, "%s/%s", rt, name);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int
agent_lock_take(const char *path, pid_t *ret_holder)
{
	char buf[32];
	ssize_t n;
	int fd, saved;

	*ret_holder = 0;
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		saved = errno;
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		if (n > 0) {
			buf[n] = '\0';
			*ret_holder = (pid_t)strtol(buf, NULL, 10);
		}
		close(fd);
		errno = saved;
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
		/* Locked all the same: the pid is only for the message. */
	}
	return fd;
}

int
agent_status_listen(const char *path)
{
	struct sockaddr_un sa;
	mode_t old;
	int fd, rc;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	(void)unlink(path);	/* stale, from an agent that died */
	/* Owner-only from its creation: no window with a wider mode. */
	old = umask(0077);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc != 0 || chmod(path, 0600) != 0 || listen(fd, 8) != 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

void
agent_status_serve(int lfd, const char *text, size_t len)
{
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	int c;

	while ((c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		size_t off = 0;

		if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0 &&
		    cred.uid == getuid()) {
			struct pollfd pfd = {.fd = c, .events = POLLOUT};

			while (off < len &&
			       poll(&pfd, 1, AGENT_STATUS_SEND_MS) == 1) {
				ssize_t w = send(c, text + off, len - off,
						 MSG_NOSIGNAL | MSG_DONTWAIT);

				if (w <= 0)
					break;
				off += (size_t)w;
			}
		}
		close(c);
		cl = sizeof(cred);
	}
}

int
agent_status_query(const char *path, int out_fd)
{
	struct sockaddr_un sa;
	char buf[4096];
	ssize_t n;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};

		if (poll(&pfd, 1, AGENT_STATUS_WAIT_MS) != 1) {
			close(fd);
			errno = ETIMEDOUT;
			return -1;
		}
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		if (write(out_fd, buf, (size_t)n) != n)
			break;
	}
	close(fd);
	return 0;
}
