/*
 * guard_opener.c - who is opening a guarded file: pid, real uid,
 * executable and the head of the command line, read from /proc while the
 * process is blocked in open(2).  Everything here is process-controlled
 * text: the log escapes it.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/guard/guard_int.h"

/* Reads at most cap - 1 bytes of a /proc file; returns the count. */
static size_t
read_proc(pid_t pid, const char *what, char *buf, size_t cap)
{
	char path[64];
	size_t n = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/%s", (long)pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return 0;
	while (n < cap - 1) {
		ssize_t r = read(fd, buf + n, cap - 1 - n);

		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	return n;
}

void
guard_opener_read(pid_t pid, struct guard_opener *ret)
{
	char path[64], status[2048];
	const char *uid;
	size_t n, i;
	ssize_t len;

	memset(ret, 0, sizeof(*ret));
	ret->pid = pid;
	ret->uid = -1;
	if (read_proc(pid, "status", status, sizeof(status)) > 0 &&
	    (uid = strstr(status, "\nUid:")) != NULL)
		ret->uid = strtol(uid + 5, NULL, 10);
	snprintf(path, sizeof(path), "/proc/%ld/exe", (long)pid);
	len = readlink(path, ret->exe, sizeof(ret->exe) - 1);
	ret->exe[len > 0 ? len : 0] = '\0';
	/* Arguments are NUL-separated: show them space-separated. */
	n = read_proc(pid, "cmdline", ret->cmdline, sizeof(ret->cmdline));
	for (i = 0; i < n; i++)
		if (ret->cmdline[i] == '\0')
			ret->cmdline[i] = ' ';
	while (n > 0 && ret->cmdline[n - 1] == ' ')
		ret->cmdline[--n] = '\0';
}

void
guard_opener_log(const struct guard_opener *o, struct log_opener *ret)
{
	ret->pid = (long)o->pid;
	ret->uid = o->uid;
	ret->exe = o->exe;
	ret->cmdline = o->cmdline;
}
