/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quarantine_move.c - moving a scanned file into the store: renameat2 on
 * one filesystem, else a copy from the scanned descriptor that is synced
 * and verified before the original goes.  On any failure the original is
 * put back and nothing stays in the store.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/store/quarantine_int.h"

/* Makes ".new-<random>" in the store and opens it. */
static int
make_new_dir(struct quarantine_store *s, char name[32], int *ret_fd)
{
	int i, fd;

	for (i = 0; i < NAME_ATTEMPTS; i++) {
		char r[17];

		if (quarantine_random_hex(r, 8) != 0)
			return -1;
		snprintf(name, 32, NEW_PREFIX "%s", r);
		if (mkdirat(s->dfd, name, 0700) == 0)
			break;
		if (errno != EEXIST)
			return -1;
	}
	if (i == NAME_ATTEMPTS) {
		errno = EEXIST;
		return -1;
	}
	fd = openat(s->dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (fd < 0) {
		int saved = errno;

		(void)unlinkat(s->dfd, name, AT_REMOVEDIR);
		errno = saved;
		return -1;
	}
	*ret_fd = fd;
	return 0;
}

/* "<UTC time>-<12 hex of the digest>-<8 random hex>": sorts by time,
 * names the content, and two moves in one second still differ. */
static int
make_id(const char *sha, time_t now, char *out, size_t cap)
{
	char r[9];
	struct tm tm;
	char when[20];

	if (quarantine_random_hex(r, 4) != 0)
		return -1;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(out, cap, "%s-%.12s-%s", when, sha, r);
	return 0;
}

/* Copies all of src (read with pread from offset 0, so the descriptor's
 * offset is untouched) to out, feeding h when it is not NULL.  Returns 0
 * with *ret_size set, or -1 with errno (ENOMEM included). */
int
quarantine_copy_fd(int src, int out, struct sha256 *h, uint64_t *ret_size)
{
	unsigned char *buf = malloc(COPY_CHUNK);
	uint64_t off = 0;
	int rc = -1;

	if (!buf) {
		errno = ENOMEM;
		return -1;
	}
	for (;;) {
		ssize_t r = pread(src, buf, COPY_CHUNK, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		if ((h && sha256_update(h, buf, (size_t)r) != 0) ||
		    quarantine_write_all(out, buf, (size_t)r) != 0)
			goto out;
		off += (uint64_t)r;
	}
	*ret_size = off;
	rc = 0;
out:
	free(buf);
	return rc;
}

/*
 * Copies the scanned descriptor into DATA_PART of the entry, hashing what
 * it copies, syncs it, reads it back to verify, and renames it to DATA.
 * QUARANTINE_ERR_CHANGED when the bytes are not those of sha (the file was
 * written to since it was hashed).
 */
static int
copy_in(int src, int efd, const char *sha)
{
	struct sha256 *h = NULL;
	char got[SHA256_HEX_LEN + 1];
	uint64_t off = 0, size = 0;
	int out = -1, rc = QUARANTINE_ERR_IO;

	h = sha256_new();
	if (!h) {
		rc = QUARANTINE_ERR_NOMEM;
		goto out;
	}
	out = openat(efd, DATA_PART, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
		     O_CLOEXEC, 0600);
	if (out < 0 || quarantine_copy_fd(src, out, h, &off) != 0)
		goto io;
	if (sha256_final(h, got) != 0)
		goto io;
	if (strcmp(got, sha) != 0) {
		rc = QUARANTINE_ERR_CHANGED;
		goto out;
	}
	/* Durable before the original may go. */
	if (fsync(out) != 0)
		goto io;
	/* Read back what the filesystem holds: a copy we cannot read back
	 * intact must not replace the original. */
	if (sha256_fd(out, got, &size) != 0)
		goto io;
	if (size != off || strcmp(got, sha) != 0) {
		errno = EIO;
		goto io;
	}
	if (fchmod(out, 0) != 0)
		goto io;
	if (close(out) != 0) {
		out = -1;
		goto io;
	}
	out = -1;
	if (renameat(efd, DATA_PART, efd, DATA_NAME) != 0)
		goto io;
	rc = QUARANTINE_OK;
	goto out;
io:
	rc = quarantine_io_status();
out:
	quarantine_close_keep_errno(out);
	sha256_free(h);
	return rc;
}

int
quarantine_move(struct quarantine_store *s,
		const struct quarantine_subject *subj,
		const struct pw_result *res, char *ret_id, size_t cap)
{
	char newname[32] = "", id[QUARANTINE_ID_MAX], sha[SHA256_HEX_LEN + 1];
	char *rec = NULL, *abs_path = NULL;
	size_t rec_len = 0;
	struct quarantine_subject rec_subj;
	struct stat cur;
	/* What has been taken from the original's directory so far: an undo
	 * puts a renamed file back; a copy leaves the original in place. */
	enum { TAKEN_NOTHING, TAKEN_RENAMED, TAKEN_COPIED } taken =
		TAKEN_NOTHING;
	bool placed = false;
	time_t now = time(NULL);
	int efd = -1, rc, saved, i;

	if (!s || !subj || !subj->st || !subj->name || !subj->name[0] ||
	    !subj->path || subj->fd < 0 || !ret_id || cap < QUARANTINE_ID_MAX)
		return QUARANTINE_ERR_INVALID;
	rec_subj = *subj;
	/* Without a digest from the caller, the file is moved first and
	 * hashed afterwards from the same descriptor: a 100 MB model leaves
	 * the cache in milliseconds, not after a whole-file SHA-256. */
	sha[0] = '\0';
	if (subj->sha256) {
		if (strlen(subj->sha256) != SHA256_HEX_LEN)
			return QUARANTINE_ERR_INVALID;
		memcpy(sha, subj->sha256, sizeof(sha));
	}
	/* Only the file we scanned: the name must still be it. */
	if (fstatat(subj->dirfd, subj->name, &cur, AT_SYMLINK_NOFOLLOW) != 0) {
		rc = errno == ENOENT ? QUARANTINE_ERR_CHANGED :
		     quarantine_io_status();
		goto out;
	}
	if (!S_ISREG(cur.st_mode) || !quarantine_same_file(&cur, subj->st)) {
		rc = QUARANTINE_ERR_CHANGED;
		goto out;
	}
	if (subj->path[0] != '/') {
		/* A relative path means nothing once the cwd changes: the
		 * record keeps it absolute for restore. */
		char *cwd = getcwd(NULL, 0);

		if (!cwd || asprintf(&abs_path, "%s/%s", cwd, subj->path) < 0) {
			free(cwd);
			abs_path = NULL;
			rc = QUARANTINE_ERR_NOMEM;
			goto out;
		}
		free(cwd);
		rec_subj.path = abs_path;
	}
	if (make_new_dir(s, newname, &efd) != 0) {
		newname[0] = '\0';
		rc = quarantine_io_status();
		goto out;
	}

	if (renameat2(subj->dirfd, subj->name, efd, DATA_NAME,
		      RENAME_NOREPLACE) == 0) {
		taken = TAKEN_RENAMED;
		/* The name could have been swapped between our check and
		 * the rename: what we moved must be what we scanned. */
		if (fstatat(efd, DATA_NAME, &cur, AT_SYMLINK_NOFOLLOW) != 0) {
			rc = quarantine_io_status();
			goto out;
		}
		if (!S_ISREG(cur.st_mode) ||
		    !quarantine_same_file(&cur, subj->st)) {
			rc = QUARANTINE_ERR_CHANGED;
			goto out;
		}
	} else if (errno == EXDEV || errno == EINVAL || errno == ENOSYS) {
		/* Another filesystem (or one without RENAME_NOREPLACE):
		 * copy from the descriptor we scanned, checked against its
		 * digest. */
		if (!sha[0] && sha256_fd(subj->fd, sha, NULL) != 0) {
			rc = quarantine_io_status();
			goto out;
		}
		rc = copy_in(subj->fd, efd, sha);
		if (rc != QUARANTINE_OK)
			goto out;
		taken = TAKEN_COPIED;
	} else {
		rc = errno == ENOENT ? QUARANTINE_ERR_CHANGED :
		     quarantine_io_status();
		goto out;
	}
	if (!sha[0] && sha256_fd(subj->fd, sha, NULL) != 0) {
		rc = quarantine_io_status();
		goto out;
	}
	if (quarantine_record_build(&rec_subj, sha, res,
				    taken == TAKEN_COPIED ?
				    QUARANTINE_METHOD_COPY :
				    QUARANTINE_METHOD_RENAME,
				    now, &rec, &rec_len) != 0) {
		rc = QUARANTINE_ERR_NOMEM;
		goto out;
	}
	/* Make the record durable before the entry is published. */
	if (quarantine_record_write(efd, rec, rec_len) != 0 ||
	    fsync(efd) != 0) {
		rc = quarantine_io_status();
		goto out;
	}
	/* Publish: rename the finished entry to its ID.  A collision gets a
	 * fresh random part. */
	for (i = 0; i < NAME_ATTEMPTS; i++) {
		if (make_id(sha, now, id, sizeof(id)) != 0) {
			rc = quarantine_io_status();
			goto out;
		}
		if (renameat2(s->dfd, newname, s->dfd, id,
			      RENAME_NOREPLACE) == 0)
			break;
		if (errno != EEXIST) {
			rc = quarantine_io_status();
			goto out;
		}
	}
	if (i == NAME_ATTEMPTS) {
		errno = EEXIST;
		rc = QUARANTINE_ERR_IO;
		goto out;
	}
	placed = true;
	if (fsync(s->dfd) != 0) {
		rc = quarantine_io_status();
		goto out;
	}
	if (taken == TAKEN_COPIED) {
		/* The copy is safe in the store: remove the original, but
		 * only if the name still refers to the file we scanned.
		 * (An attacker who can swap names in that directory can
		 * delete them anyway; we never remove anything else.) */
		if (fstatat(subj->dirfd, subj->name, &cur,
			    AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(cur.st_mode) ||
		    !quarantine_same_file(&cur, subj->st)) {
			rc = QUARANTINE_ERR_CHANGED;
			goto out;
		}
		if (unlinkat(subj->dirfd, subj->name, 0) != 0) {
			rc = quarantine_io_status();
			goto out;
		}
	}
	if (taken == TAKEN_RENAMED)
		/* Not fatal: someone else's file in a directory we may write
		 * cannot be chmod'ed by us, and the 0700 store already keeps
		 * everyone else out.  Done last so an undo never has to put
		 * the mode back. */
		(void)fchmod(subj->fd, 0);
	if (subj->dirfd != AT_FDCWD)
		(void)fsync(subj->dirfd);
	snprintf(ret_id, cap, "%s", id);
	rc = QUARANTINE_OK;
out:
	saved = errno;
	if (rc != QUARANTINE_OK) {
		/* Undo: the original goes back where it was, and no entry
		 * or temporary file stays in the store.  efd follows the
		 * entry directory through its rename to the ID. */
		bool keep = false;

		if (taken == TAKEN_RENAMED &&
		    renameat2(efd, DATA_NAME, subj->dirfd,
				       subj->name, RENAME_NOREPLACE) != 0) {
			/* Something new took the name: putting the file
			 * back would replace it.  Keep the file in the
			 * store rather than lose it. */
			keep = true;
		}
		if (!keep && newname[0])
			(void)quarantine_remove_entry_dir(
				s->dfd, placed ? id : newname);
	}
	quarantine_close_keep_errno(efd);
	free(rec);
	free(abs_path);
	errno = saved;
	return rc;
}
