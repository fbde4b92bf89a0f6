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
	case QUARANTINE_ERR_UNSAFE_PATH:
		return "a directory of the target is a symlink or was replaced";
	case QUARANTINE_ERR_BUSY:
		return "a move in progress holds this entry";
	case QUARANTINE_ERR_STORE_UNSAFE:
		return "the store directory is a symlink, not a directory, or "
		       "not ours";
	}
	return "unknown quarantine status";
}

const char *
quarantine_state_name(enum quarantine_state state)
{
	switch (state) {
	case QUARANTINE_STATE_COMPLETE: return "complete";
	case QUARANTINE_STATE_EMPTY: return "empty";
	case QUARANTINE_STATE_STAGED: return "staged";
	case QUARANTINE_STATE_STORED: return "stored";
	case QUARANTINE_STATE_RECORDED: return "recorded";
	case QUARANTINE_STATE_BUSY: return "in-progress";
	case QUARANTINE_STATE_STUCK: return "stuck";
	}
	return "unknown";
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
					    RECORD_PART, INTENT_NAME,
					    INTENT_PART, ORIG_NAME,
					    FROZEN_MARK};
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

static int
store_new(const char *dir, struct quarantine_store **ret)
{
	struct quarantine_store *s = calloc(1, sizeof(*s));

	if (!s || !(s->dir = strdup(dir))) {
		free(s);
		return QUARANTINE_ERR_NOMEM;
	}
	s->dfd = -1;
	pthread_mutex_init(&s->lock, NULL);
	*ret = s;
	return QUARANTINE_OK;
}

int
quarantine_open(const char *dir, struct quarantine_store **ret)
{
	struct quarantine_store *s = NULL;
	struct stat st;
	int rc, fd;

	if (!dir || dir[0] != '/' || !ret)
		return QUARANTINE_ERR_INVALID;
	fd = quarantine_store_dir_open(dir, &st, &rc);
	if (fd < 0)
		return rc;
	rc = store_new(dir, &s);
	if (rc != QUARANTINE_OK) {
		close(fd);
		return rc;
	}
	s->dfd = fd;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	*ret = s;
	return QUARANTINE_OK;
}

int
quarantine_open_lazy(const char *dir, struct quarantine_store **ret,
		     int *ret_status)
{
	struct quarantine_store *s = NULL;
	int rc, fd = -1;

	if (!dir || dir[0] != '/' || !ret || !ret_status)
		return QUARANTINE_ERR_INVALID;
	rc = store_new(dir, &s);
	if (rc != QUARANTINE_OK)
		return rc;
	/* The first check now, so the caller can report a bad store at
	 * start-up; every move checks again. */
	*ret_status = quarantine_store_fd(s, &fd);
	if (fd >= 0)
		close(fd);
	*ret = s;
	return QUARANTINE_OK;
}

void
quarantine_close(struct quarantine_store *s)
{
	if (!s)
		return;
	if (s->dfd >= 0)
		close(s->dfd);
	pthread_mutex_destroy(&s->lock);
	free(s->dir);
	free(s);
}
