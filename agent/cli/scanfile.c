/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "agent/cli/scanfile.h"

int
scanfile_open(int dirfd, const char *name, int *ret_fd, struct stat *ret_st)
{
	int fd, flags;

	fd = openat(dirfd, name,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	if (fstat(fd, ret_st) != 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	if (!S_ISREG(ret_st->st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	/* Regular files never block; clear O_NONBLOCK anyway so reads are
	 * plain. */
	flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		(void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	*ret_fd = fd;
	return 0;
}

int
scanfile_scan_path(const struct pw_scanner *scanner, const char *path,
		   struct pw_result **ret_result)
{
	struct stat st;
	int fd, rc;

	if (scanfile_open(AT_FDCWD, path, &fd, &st) != 0)
		return errno == EINVAL ? PW_ERR_NOT_REGULAR : PW_ERR_IO;
	rc = pw_scan_fd(scanner, fd, ret_result);
	close(fd);
	return rc;
}
