/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quarantine.c - the quarantine store: opening it, entry IDs, and the
 * helpers its other files share (quarantine_int.h lists them).
 *
 * Every operation works relative to directory descriptors (the store's,
 * an entry's, the original file's directory), never follows a symlink at
 * a final component, and replaces nothing (RENAME_NOREPLACE, O_EXCL).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/store/quarantine_int.h"

const char *
quarantine_strerror(int status)
{
	switch (status) {
	case QUARANTINE_OK: return "success";
	case QUARANTINE_ERR_NOMEM: return "out of memory";
	case QUARANTINE_ERR_IO: return "input/output error";
	case QUARANTINE_ERR_CHANGED:
		return "the file changed or was replaced since it was scanned";
	case QUARANTINE_ERR_EXISTS: return "the target already exists";
	case QUARANTINE_ERR_NOT_FOUND: return "no such quarantine entry";
	case QUARANTINE_ERR_CORRUPT:
		return "the entry is corrupt (record unreadable or digest "
		       "mismatch)";
	case QUARANTINE_ERR_INVALID: return "invalid argument";
	case QUARANTINE_ERR_NOT_EMPTY:
		return "the entry holds unexpected files";
	}
	return "unknown quarantine status";
}

bool
quarantine_id_valid(const char *id)
{
	size_t i;

	if (!id || !id[0] || id[0] == '.' || id[0] == '-')
		return false;
	for (i = 0; id[i]; i++) {
		char c = id[i];

		if (i + 1 >= QUARANTINE_ID_MAX)
			return false;
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z') || c == '-'))
			return false;
	}
	return true;
}

const char *
quarantine_dir(const struct quarantine_store *store)
{
	return store->dir;
}

/* ---- small helpers ------------------------------------------------- */

int
quarantine_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

void
quarantine_close_keep_errno(int fd)
{
	int saved = errno;

	if (fd >= 0)
		close(fd);
	errno = saved;
}

int
quarantine_random_hex(char *out, size_t bytes)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char r[16];
	size_t i;

	if (bytes > sizeof(r) || getrandom(r, bytes, 0) != (ssize_t)bytes)
		return -1;
	for (i = 0; i < bytes; i++) {
		out[2 * i] = digits[r[i] >> 4];
		out[2 * i + 1] = digits[r[i] & 15];
	}
	out[2 * bytes] = '\0';
	return 0;
}

bool
quarantine_same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Removes an entry directory we made: only the names we create, so a
 * stray file makes rmdir fail instead of being deleted blindly. */
int
quarantine_remove_entry_dir(int dfd, const char *name)
{
	static const char *const names[] = {DATA_NAME, DATA_PART, RECORD_NAME,
					    RECORD_PART};
	size_t i;
	int efd;

	efd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		     O_CLOEXEC);
	if (efd < 0)
		return errno == ENOENT ? 0 : -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (unlinkat(efd, names[i], 0) != 0 && errno != ENOENT) {
			quarantine_close_keep_errno(efd);
			return -1;
		}
	(void)fsync(efd);
	close(efd);
	if (unlinkat(dfd, name, AT_REMOVEDIR) != 0)
		return -1;
	(void)fsync(dfd);
	return 0;
}

int
quarantine_io_status(void)
{
	return errno == ENOMEM ? QUARANTINE_ERR_NOMEM : QUARANTINE_ERR_IO;
}

/* ---- opening ------------------------------------------------------- */

/* mkdir -p with mode 0700 for what we create. */
static int
mkdir_parents(const char *dir)
{
	char path[PATH_MAX];
	size_t i, len = strlen(dir);

	if (len >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(path, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			return -1;
		path[i] = i < len ? '/' : '\0';
	}
	return 0;
}

int
quarantine_open(const char *dir, struct quarantine_store **ret)
{
	struct quarantine_store *s = NULL;
	struct stat st;
	int rc, fd = -1;

	if (!dir || dir[0] != '/' || !ret)
		return QUARANTINE_ERR_INVALID;
	if (mkdir_parents(dir) != 0)
		return quarantine_io_status();
	/* O_NOFOLLOW: a store that is a symlink could point anywhere. */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rc = errno == ELOOP || errno == ENOTDIR ?
		     QUARANTINE_ERR_INVALID : quarantine_io_status();
		goto fail;
	}
	if (fstat(fd, &st) != 0) {
		rc = quarantine_io_status();
		goto fail;
	}
	if (st.st_uid != geteuid()) {
		/* Someone else's directory could be read or swapped by
		 * them. */
		rc = QUARANTINE_ERR_INVALID;
		goto fail;
	}
	if ((st.st_mode & 077) != 0 && fchmod(fd, 0700) != 0) {
		rc = quarantine_io_status();
		goto fail;
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->dir = strdup(dir))) {
		rc = QUARANTINE_ERR_NOMEM;
		goto fail;
	}
	s->dfd = fd;
	*ret = s;
	return QUARANTINE_OK;
fail:
	quarantine_close_keep_errno(fd);
	if (s)
		free(s->dir);
	free(s);
	return rc;
}

void
quarantine_close(struct quarantine_store *s)
{
	if (!s)
		return;
	close(s->dfd);
	free(s->dir);
	free(s);
}
