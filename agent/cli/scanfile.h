/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scanfile.h - open a file for scanning the safe way: never through a
 * symlink, never blocking on a FIFO or device, only regular files.
 */
#ifndef PW_AGENT_SCANFILE_H
#define PW_AGENT_SCANFILE_H

#include <stddef.h>
#include <sys/stat.h>

#include "picklewarden.h"

/*
 * Opens name relative to dirfd (AT_FDCWD for a plain path) read-only with
 * O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC and checks that it is a regular file.
 * On success returns 0, *ret_fd is the open descriptor (caller closes)
 * and *ret_st its fstat.  On failure returns -1 with errno set (ELOOP for
 * a symlink, EINVAL for a non-regular file).
 */
int scanfile_open(int dirfd, const char *name, int *ret_fd,
		  struct stat *ret_st);

/* Opens and scans path; returns a pw_status (PW_ERR_IO with errno set when
 * the file could not be opened, PW_ERR_NOT_REGULAR for non-regular
 * files). */
int scanfile_scan_path(const struct pw_scanner *scanner, const char *path,
		       struct pw_result **ret_result);

#endif
