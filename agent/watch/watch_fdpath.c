/*
 * watch_fdpath.c - see watch_fdpath.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "agent/watch/watch_fdpath.h"

/* Component by component from "/": every component O_NOFOLLOW. */
static int
open_long(const char *path, int flags)
{
	const char *p = path, *e;
	char name[NAME_MAX + 1];
	int fd, next;

	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	while (fd >= 0) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		e = strchr(p, '/');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) > NAME_MAX) {
			close(fd);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(name, p, (size_t)(e - p));
		name[e - p] = '\0';
		p = e;
		next = openat(fd, name,
			      (*p == '\0' || strspn(p, "/") == strlen(p)
				   ? flags
				   : O_PATH) |
				  O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
		if (fd >= 0 && (*p == '\0' || strspn(p, "/") == strlen(p)))
			return fd;
	}
	/* path was "/" */
	if (fd >= 0 && flags != O_PATH) {
		next = openat(fd, ".", flags | O_DIRECTORY | O_CLOEXEC);
		close(fd);
		fd = next;
	}
	return fd;
}

int
watch_open_dir(const char *path, int flags, int nofollow_all)
{
	struct open_how how;
	int fd;

	if (path[0] != '/') {
		errno = EINVAL;
		return -1;
	}
	if (strlen(path) >= PATH_MAX)
		return open_long(path, flags);
	if (!nofollow_all)
		return open(path, flags | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)(flags | O_DIRECTORY | O_CLOEXEC);
	how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	/* Kernels before 5.6 lack openat2 (the final O_NOFOLLOW of
	 * scanfile_open still protects the file). */
	if (fd < 0 && (errno == ENOSYS || errno == EPERM))
		fd = open(path, flags | O_DIRECTORY | O_CLOEXEC);
	return fd;
}
