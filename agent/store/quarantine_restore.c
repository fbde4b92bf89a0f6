/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quarantine_restore.c - taking entries out of the store: restoring a
 * file (verified against its record, replacing nothing) and purging.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "agent/store/quarantine_int.h"

/*
 * Splits path into its directory and last component and opens the
 * directory from / (or the cwd) down without following any symlink:
 * whoever can write in a cache must not be able to redirect a restore by
 * replacing a directory with a symlink.
 */
static int
open_parent(const char *path, int *ret_fd, char **ret_base)
{
	char *copy = NULL, *slash, *base;
	const char *dir;
	int fd, rc = QUARANTINE_ERR_INVALID;

	copy = strdup(path);
	if (!copy)
		return QUARANTINE_ERR_NOMEM;
	slash = strrchr(copy, '/');
	if (slash) {
		*slash = '\0';
		base = slash + 1;
		dir = copy[0] ? copy : "/";
	} else {
		base = copy;
		dir = ".";
	}
	if (!base[0] || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		goto out;
	fd = quarantine_open_dir_nofollow(dir, true);
	if (fd < 0) {
		rc = errno == ELOOP || errno == EXDEV ?
		     QUARANTINE_ERR_UNSAFE_PATH : quarantine_io_status();
		goto out;
	}
	*ret_base = strdup(base);
	if (!*ret_base) {
		close(fd);
		rc = QUARANTINE_ERR_NOMEM;
		goto out;
	}
	*ret_fd = fd;
	rc = QUARANTINE_OK;
out:
	free(copy);
	return rc;
}

/* Where a restore writes: the original path (whose directory must still
 * be the one the file was taken from), or --to: an existing directory
 * (the original name inside it) or a new file's path. */
static int
open_target(const struct quarantine_entry *e, const char *to_path,
	    int *ret_fd, char **ret_base)
{
	const char *slash;
	struct stat st;
	int fd, rc;

	if (to_path) {
		fd = quarantine_open_dir_nofollow(to_path, true);
		if (fd >= 0) {
			slash = strrchr(e->original_path, '/');
			*ret_base = strdup(slash ? slash + 1 :
					   e->original_path);
			if (!*ret_base) {
				close(fd);
				return QUARANTINE_ERR_NOMEM;
			}
			*ret_fd = fd;
			return QUARANTINE_OK;
		}
		/* Not a directory (a new file's path, or a symlink, which
		 * then counts as an existing target): its parent must be
		 * reachable without symlinks. */
		return open_parent(to_path, ret_fd, ret_base);
	}
	rc = open_parent(e->original_path, ret_fd, ret_base);
	if (rc != QUARANTINE_OK)
		return rc;
	if (e->have_parent &&
	    (fstat(*ret_fd, &st) != 0 || (uint64_t)st.st_dev != e->parent_dev ||
	     (uint64_t)st.st_ino != e->parent_ino)) {
		/* Same path, another directory: it was deleted and made
		 * again, maybe by someone else.  --to says where instead. */
		close(*ret_fd);
		free(*ret_base);
		*ret_base = NULL;
		return QUARANTINE_ERR_UNSAFE_PATH;
	}
	return QUARANTINE_OK;
}

/* Puts back the permission bits and times (and, for a copy made as root,
 * the owner: a rename keeps the inode's own).  Returns 0 or -1 (errno). */
static int
set_meta(int fd, const struct quarantine_entry *e, bool chown_too)
{
	struct timespec ts[2] = {e->atime, e->mtime};

	if (chown_too && geteuid() == 0 && fchown(fd, e->uid, e->gid) != 0)
		return -1;
	if (fchmod(fd, e->mode) != 0 || futimens(fd, ts) != 0)
		return -1;
	return 0;
}

/* Copies fd into a new temporary file in pfd and links it as base
 * without replacing anything. */
static int
copy_out(int src, const struct quarantine_entry *e, int pfd,
	 const char *base)
{
	char tmp[64], got[SHA256_HEX_LEN + 1];
	uint64_t size;
	int out = -1, rc = QUARANTINE_ERR_IO, i;
	bool made = false;

	for (i = 0; i < NAME_ATTEMPTS; i++) {
		char r[17];

		if (quarantine_random_hex(r, 8) != 0)
			goto io;
		snprintf(tmp, sizeof(tmp), ".picklewarden-restore-%s", r);
		out = openat(pfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
			     O_CLOEXEC, 0600);
		if (out >= 0 || errno != EEXIST)
			break;
	}
	if (out < 0)
		goto io;
	made = true;
	if (quarantine_copy_fd(src, out, NULL, &size) != 0)
		goto io;
	if (fsync(out) != 0 || sha256_fd(out, got, NULL) != 0)
		goto io;
	if (strcmp(got, e->sha256) != 0) {
		errno = EIO;
		goto io;
	}
	if (set_meta(out, e, true) != 0)
		goto io;
	if (renameat2(pfd, tmp, pfd, base, RENAME_NOREPLACE) != 0) {
		rc = errno == EEXIST ? QUARANTINE_ERR_EXISTS :
		     quarantine_io_status();
		goto out;
	}
	made = false;
	(void)fsync(pfd);
	rc = QUARANTINE_OK;
	goto out;
io:
	rc = quarantine_io_status();
out:
	quarantine_close_keep_errno(out);
	if (made)
		(void)unlinkat(pfd, tmp, 0);
	return rc;
}

/* An unfinished move ("new-<hex>") is finished first: restore and purge
 * then work on a complete entry.  *ret_id is the ID to use. */
static int
settle(struct quarantine_store *s, int dfd, const char *id, char *ret_id,
       size_t cap)
{
	char name[QUARANTINE_ID_MAX + 1];

	if (!quarantine_dir_name(id, name, sizeof(name)))
		return QUARANTINE_ERR_INVALID;
	if (name[0] != '.') {
		snprintf(ret_id, cap, "%s", id);
		return QUARANTINE_OK;
	}
	switch (quarantine_recover_one(s, dfd, name, ret_id, cap)) {
	case QUARANTINE_STATE_COMPLETE:
		return QUARANTINE_OK;
	case QUARANTINE_STATE_BUSY:
		return QUARANTINE_ERR_BUSY;
	case QUARANTINE_STATE_EMPTY:
		return QUARANTINE_ERR_NOT_FOUND;
	default:
		errno = EAGAIN;
		return QUARANTINE_ERR_IO;
	}
}

int
quarantine_restore(struct quarantine_store *s, const char *id_in,
		   const char *to_path)
{
	struct quarantine_entry e;
	char got[SHA256_HEX_LEN + 1], *base = NULL, id[QUARANTINE_ID_MAX];
	struct stat st;
	int dfd = -1, efd = -1, pfd = -1, fd = -1, rc;
	bool have_entry = false;

	if (!quarantine_id_valid(id_in))
		return QUARANTINE_ERR_INVALID;
	rc = quarantine_store_fd(s, &dfd);
	if (rc != QUARANTINE_OK)
		return rc;
	rc = settle(s, dfd, id_in, id, sizeof(id));
	if (rc != QUARANTINE_OK)
		goto out;
	rc = quarantine_entry_read(s, id, &e);
	if (rc != QUARANTINE_OK)
		goto out;
	have_entry = true;
	if (!e.data_present) {
		rc = QUARANTINE_ERR_CORRUPT;
		goto out;
	}
	rc = open_target(&e, to_path, &pfd, &base);
	if (rc != QUARANTINE_OK)
		goto out;
	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		rc = QUARANTINE_ERR_EXISTS;
		goto out;
	}
	efd = openat(dfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		     O_CLOEXEC);
	if (efd < 0) {
		rc = quarantine_io_status();
		goto out;
	}
	/* The data is mode 0000; we own it, so allow ourselves to read it
	 * (inside the 0700 store nobody else can reach it). */
	if (fstatat(efd, DATA_NAME, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    !S_ISREG(st.st_mode)) {
		rc = QUARANTINE_ERR_CORRUPT;
		goto out;
	}
	if (fchmodat(efd, DATA_NAME, 0400, 0) != 0) {
		rc = quarantine_io_status();
		goto out;
	}
	fd = openat(efd, DATA_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rc = quarantine_io_status();
		goto relock;
	}
	if (sha256_fd(fd, got, NULL) != 0) {
		rc = quarantine_io_status();
		goto relock;
	}
	if (strcmp(got, e.sha256) != 0) {
		rc = QUARANTINE_ERR_CORRUPT;
		goto relock;
	}
	/* Same filesystem: the very inode goes back.  Mode and times are
	 * set first so the file never appears with the store's 0400. */
	if (set_meta(fd, &e, false) != 0) {
		rc = quarantine_io_status();
		goto relock;
	}
	if (renameat2(efd, DATA_NAME, pfd, base, RENAME_NOREPLACE) == 0) {
		(void)fsync(pfd);
	} else if (errno == EXDEV || errno == EINVAL || errno == ENOSYS) {
		(void)fchmod(fd, 0400);
		rc = copy_out(fd, &e, pfd, base);
		if (rc != QUARANTINE_OK)
			goto relock;
	} else {
		rc = errno == EEXIST ? QUARANTINE_ERR_EXISTS :
		     quarantine_io_status();
		goto relock;
	}
	/* Restored: the entry has served its purpose. */
	close(fd);
	fd = -1;
	rc = quarantine_remove_entry_dir(dfd, id) == 0 ? QUARANTINE_OK :
	     QUARANTINE_ERR_IO;
	goto out;
relock:
	/* Back to 0000; if even that fails the 0700 store still keeps
	 * others out, and the caller already has the real error. */
	{
		int saved = errno;

		if (fchmodat(efd, DATA_NAME, 0, 0) != 0) {
			/* nothing better to do */
		}
		errno = saved;
	}
out:
	quarantine_close_keep_errno(fd);
	quarantine_close_keep_errno(efd);
	quarantine_close_keep_errno(pfd);
	quarantine_close_keep_errno(dfd);
	free(base);
	if (have_entry)
		quarantine_entry_clear(&e);
	return rc;
}

int
quarantine_purge(struct quarantine_store *s, const char *id_in)
{
	char id[QUARANTINE_ID_MAX], name[QUARANTINE_ID_MAX + 1];
	struct stat st;
	int dfd = -1, rc;

	if (!quarantine_dir_name(id_in, name, sizeof(name)))
		return QUARANTINE_ERR_INVALID;
	rc = quarantine_store_fd(s, &dfd);
	if (rc != QUARANTINE_OK)
		return rc;
	if (name[0] == '.') {
		/* Finish it, then purge the entry; one that cannot be
		 * finished now (stuck) is deleted as it stands. */
		rc = settle(s, dfd, id_in, id, sizeof(id));
		if (rc == QUARANTINE_OK)
			snprintf(name, sizeof(name), "%s", id);
		else if (rc != QUARANTINE_ERR_IO)
			goto out;
	}
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		rc = errno == ENOENT ? QUARANTINE_ERR_NOT_FOUND :
		     quarantine_io_status();
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		rc = QUARANTINE_ERR_NOT_FOUND;
		goto out;
	}
	rc = QUARANTINE_OK;
	if (quarantine_remove_entry_dir(dfd, name) != 0)
		rc = errno == ENOTEMPTY || errno == EEXIST ?
		     QUARANTINE_ERR_NOT_EMPTY : quarantine_io_status();
out:
	close(dfd);
	return rc;
}

int
quarantine_purge_older(struct quarantine_store *s, time_t cutoff,
		       size_t *ret_count)
{
	struct quarantine_entry *v = NULL;
	size_t n = 0, i, count = 0;
	int rc;

	rc = quarantine_list(s, &v, &n, NULL);
	if (rc != QUARANTINE_OK)
		return rc;
	for (i = 0; i < n; i++) {
		if (v[i].quarantined_at >= cutoff)
			continue;
		rc = quarantine_purge(s, v[i].id);
		if (rc != QUARANTINE_OK)
			break;
		count++;
	}
	quarantine_entries_free(v, n);
	if (ret_count)
		*ret_count = count;
	return rc;
}
