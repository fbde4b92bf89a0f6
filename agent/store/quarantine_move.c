/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quarantine_move.c - taking a scanned file into the store: stage, then
 * store.
 *
 *   1 INTENT    ".new-<txn>" made and locked (flock); intent.json written
 *               and synced: what is about to be taken, from where, and
 *               where it will wait.  Nothing has moved yet.
 *   2 STAGED    one renameat2(RENAME_NOREPLACE) takes the file out of its
 *               directory: to ".new-<txn>/orig" when the store is on the
 *               file's mount, else to "<stage dir>/<txn>" on the file's
 *               own mount (quarantine_stage_path).
 *   3 CHECKED   what was taken is the inode that was judged; if not, it is
 *               renamed back and the move fails (QUARANTINE_ERR_CHANGED).
 *   4 DATA      "data" complete and synced: orig renamed to data (same
 *               mount), or a verified copy (other mount, or a file still
 *               being written: then a frozen copy, marked "frozen").
 *   5 RELEASED  a staged original that was copied is removed.
 *   6 RECORDED  record.json (the intent plus method, digest, captured
 *               size) written and synced.
 *   7 PUBLISHED ".new-<txn>" renamed to the entry's ID.
 *
 * A failure before 5 puts the original back (the move fails, the caller
 * retries later); from 5 on the store holds the only copy, so the
 * ".new-" directory is left for recovery (quarantine_recover.c), which
 * runs the same steps from wherever they stopped.
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
make_new_dir(int dfd, char name[32], int *ret_fd)
{
	int i, fd;

	for (i = 0; i < NAME_ATTEMPTS; i++) {
		char r[17];

		if (quarantine_random_hex(r, 8) != 0)
			return -1;
		snprintf(name, 32, NEW_PREFIX "%s", r);
		if (mkdirat(dfd, name, 0700) == 0)
			break;
		if (errno != EEXIST)
			return -1;
	}
	if (i == NAME_ATTEMPTS) {
		errno = EEXIST;
		return -1;
	}
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (fd < 0) {
		int saved = errno;

		(void)unlinkat(dfd, name, AT_REMOVEDIR);
		errno = saved;
		return -1;
	}
	*ret_fd = fd;
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

/* Best effort: the stage directory goes when empty (a concurrent move
 * that opened it just before retries; see stage_take). */
void
quarantine_stage_tidy(const char *stage_path)
{
	const char *slash = strrchr(stage_path, '/');
	char *parent;
	int pfd;

	if (!slash)
		return;
	parent = strndup(stage_path, slash == stage_path ? 1 :
			 (size_t)(slash - stage_path));
	if (!parent)
		return;
	pfd = quarantine_open_dir_nofollow(parent, false);
	free(parent);
	if (pfd < 0)
		return;
	(void)unlinkat(pfd, slash + 1, AT_REMOVEDIR);
	close(pfd);
}

/*
 * Steps 4 to 7, shared with recovery: the original (the judged inode,
 * open at t->ofd) waits at t->odir/t->oname.  On failure before the
 * original is released, nothing of steps 4-5 remains (the caller may put
 * the original back); t->released says whether it went.
 */
int
quarantine_txn_finish(struct quarantine_txn *t, char *ret_id, size_t cap)
{
	enum quarantine_method method;
	char sha[SHA256_HEX_LEN + 1], id[QUARANTINE_ID_MAX];
	char *rec = NULL;
	size_t rec_len = 0;
	uint64_t size = 0;
	bool in_entry = t->odir == t->efd, frozen;
	int rc, i, fd;

	if (t->resume >= QUARANTINE_STEP_RECORDED) {
		/* Recovery: only the publishing is left. */
		memcpy(sha, t->want_sha, sizeof(sha));
		goto publish;
	}
	if (t->resume >= QUARANTINE_STEP_DATA) {
		/* Recovery: data is complete; hash what is there. */
		fd = openat(t->efd, DATA_NAME, O_RDONLY | O_NOFOLLOW |
			    O_CLOEXEC);
		if (fd < 0 && errno == EACCES &&
		    fchmodat(t->efd, DATA_NAME, 0400, 0) == 0) {
			/* Not root: the data is ours, mode 0000; open it
			 * for reading, then lock it again (if that fails,
			 * the 0700 store still keeps others out). */
			fd = openat(t->efd, DATA_NAME, O_RDONLY | O_NOFOLLOW |
				    O_CLOEXEC);
			if (fchmodat(t->efd, DATA_NAME, 0, 0) != 0) {
				/* see above */
			}
		}
		if (fd < 0 || sha256_fd(fd, sha, &size) != 0) {
			quarantine_close_keep_errno(fd);
			goto io;
		}
		close(fd);
		method = t->method;
		frozen = t->frozen;
		goto release;
	}
	frozen = t->frozen || quarantine_may_be_written(t->ofd, t->scan);
	if (in_entry && !frozen) {
		/* Same mount and nobody writing: the very inode is kept. */
		if (sha256_fd(t->ofd, sha, &size) != 0)
			goto io;
		/* Written to while we hashed it: freeze it instead. */
		if (quarantine_may_be_written(t->ofd, t->scan))
			frozen = true;
	}
	if (in_entry && !frozen) {
		if (t->want_sha[0] && strcmp(t->want_sha, sha) != 0)
			frozen = true;	/* not the bytes that were hashed */
	}
	if (in_entry && !frozen) {
		if (renameat(t->efd, ORIG_NAME, t->efd, DATA_NAME) != 0 ||
		    fsync(t->efd) != 0)
			goto io;
		t->oname = DATA_NAME;
		t->released = true;	/* the original *is* the data now */
		method = QUARANTINE_METHOD_RENAME;
	} else {
		if (frozen) {
			fd = openat(t->efd, FROZEN_MARK, O_WRONLY | O_CREAT |
				    O_NOFOLLOW | O_CLOEXEC, 0600);
			if (fd < 0)
				goto io;
			close(fd);
		}
		rc = quarantine_copy_into(t->ofd, t->efd, sha, &size);
		if (rc != QUARANTINE_OK)
			goto fail;
		if (!frozen && ((t->want_sha[0] &&
				 strcmp(t->want_sha, sha) != 0) ||
				quarantine_may_be_written(t->ofd, t->scan))) {
			/* Changed while we copied: what we hold is a
			 * snapshot; say so. */
			frozen = true;
			fd = openat(t->efd, FROZEN_MARK, O_WRONLY | O_CREAT |
				    O_NOFOLLOW | O_CLOEXEC, 0600);
			if (fd < 0)
				goto io;
			close(fd);
		}
		if (fsync(t->efd) != 0)
			goto io;
		method = frozen ? QUARANTINE_METHOD_FROZEN :
			 QUARANTINE_METHOD_COPY;
	}
	quarantine_test_step(QUARANTINE_STEP_DATA);
release:
	if (!t->released) {
		/* The copy is durable and verified: the staged original,
		 * which nobody else can reach, goes. */
		if (unlinkat(t->odir, t->oname, 0) != 0 && errno != ENOENT)
			goto io;
		t->released = true;
		(void)fsync(t->odir);
		if (t->stage_path && t->odir != t->efd)
			quarantine_stage_tidy(t->stage_path);
	}
	quarantine_test_step(QUARANTINE_STEP_RELEASED);
	if (quarantine_record_finish(t->intent, t->intent_len, method, sha,
				     size, frozen, &rec, &rec_len) != 0 ||
	    quarantine_record_write(t->efd, rec, rec_len) != 0 ||
	    fsync(t->efd) != 0)
		goto io;
	quarantine_test_step(QUARANTINE_STEP_RECORDED);
publish:
	/* Publish: rename the finished entry to its ID.  A collision gets
	 * a fresh random part. */
	for (i = 0; i < NAME_ATTEMPTS; i++) {
		if (quarantine_make_id(sha, t->when, id, sizeof(id)) != 0)
			goto io;
		if (renameat2(t->dfd, t->newname, t->dfd, id,
			      RENAME_NOREPLACE) == 0)
			break;
		if (errno != EEXIST)
			goto io;
	}
	if (i == NAME_ATTEMPTS) {
		errno = EEXIST;
		goto io;
	}
	t->published = true;
	if (fsync(t->dfd) != 0)
		goto io;
	quarantine_test_step(QUARANTINE_STEP_PUBLISHED);
	snprintf(ret_id, cap, "%s", id);
	free(rec);
	return QUARANTINE_OK;
io:
	rc = quarantine_io_status();
fail:
	{
		int saved = errno;

		if (!t->released && t->resume < QUARANTINE_STEP_DATA) {
			/* Nothing of this attempt stays. */
			(void)unlinkat(t->efd, DATA_PART, 0);
			(void)unlinkat(t->efd, DATA_NAME, 0);
			(void)unlinkat(t->efd, FROZEN_MARK, 0);
		}
		free(rec);
		errno = saved;
	}
	return rc;
}

/* Step 2 when the store is elsewhere: into the stage on the file's own
 * mount.  A stage another move just removed (empty) is made again. */
static int
stage_take(struct quarantine_txn *t, int dirfd, const char *name)
{
	int i, fd;

	for (i = 0; i < 3; i++) {
		fd = quarantine_stage_open(t->stage_path, true);
		if (fd < 0)
			return -1;
		if (renameat2(dirfd, name, fd, t->txn, RENAME_NOREPLACE) == 0) {
			t->sfd = fd;
			t->odir = fd;
			t->oname = t->txn;
			return 0;
		}
		quarantine_close_keep_errno(fd);
		if (errno != ENOENT)
			return -1;
		/* ENOENT: our name vanished, or the stage did. */
		if (faccessat(dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) != 0)
			return -1;
	}
	return -1;
}

int
quarantine_move(struct quarantine_store *s,
		const struct quarantine_subject *subj,
		const struct scan_result *res, char *ret_id, size_t cap)
{
	struct quarantine_txn t;
	struct quarantine_subject rec_subj;
	struct stat cur, parent;
	char *abs_path = NULL;
	bool taken = false, keep = false, have_parent;
	int rc, saved;

	if (!s || !subj || !subj->st || !subj->name || !subj->name[0] ||
	    !subj->path || subj->fd < 0 || !ret_id || cap < QUARANTINE_ID_MAX)
		return QUARANTINE_ERR_INVALID;
	memset(&t, 0, sizeof(t));
	t.dfd = t.efd = t.sfd = -1;
	t.odir = -1;
	t.ofd = subj->fd;
	t.scan = subj->st;
	t.when = time(NULL);
	rec_subj = *subj;
	if (subj->sha256) {
		if (strlen(subj->sha256) != SHA256_HEX_LEN)
			return QUARANTINE_ERR_INVALID;
		memcpy(t.want_sha, subj->sha256, sizeof(t.want_sha));
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
	/* The directory the file is taken from: restore checks it is
	 * still the same one. */
	have_parent = !strchr(subj->name, '/') &&
		      fstatat(subj->dirfd, ".", &parent, 0) == 0;
	rc = quarantine_store_fd(s, &t.dfd);
	if (rc != QUARANTINE_OK)
		goto out;
	{
		int probe = subj->dirfd;
		bool same;

		if (probe == AT_FDCWD)
			probe = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		same = probe >= 0 && quarantine_same_mount(probe, t.dfd);
		if (!same)
			t.stage_path = quarantine_stage_path(probe,
							     rec_subj.path);
		if (probe >= 0 && probe != subj->dirfd)
			close(probe);
		if (!same && !t.stage_path) {
			rc = quarantine_io_status();
			goto out;
		}
	}
	if (make_new_dir(t.dfd, t.newname, &t.efd) != 0) {
		t.newname[0] = '\0';
		rc = quarantine_io_status();
		goto out;
	}
	t.txn = t.newname + strlen(NEW_PREFIX);
	/* Ours until we close efd (or die): recovery leaves it alone. */
	(void)quarantine_txn_lock(t.efd, true);
	if (quarantine_intent_build(&rec_subj, have_parent ? &parent : NULL, res, t.when,
				    t.stage_path, t.txn, &t.intent,
				    &t.intent_len) != 0 ||
	    quarantine_file_write(t.efd, INTENT_NAME, INTENT_PART, t.intent,
				  t.intent_len) != 0 ||
	    fsync(t.efd) != 0 || fsync(t.dfd) != 0) {
		rc = quarantine_io_status();
		goto out;
	}
	quarantine_test_step(QUARANTINE_STEP_INTENT);

	/* Step 2: one rename takes the file out of its directory. */
	if (!t.stage_path) {
		if (renameat2(subj->dirfd, subj->name, t.efd, ORIG_NAME,
			      RENAME_NOREPLACE) == 0) {
			t.odir = t.efd;
			t.oname = ORIG_NAME;
		} else if (errno == EXDEV) {
			/* Two mounts the mount ID did not tell apart: stage
			 * after all, and say where in the intent first. */
			int probe = subj->dirfd == AT_FDCWD ?
				open(".", O_PATH | O_DIRECTORY | O_CLOEXEC) :
				subj->dirfd;

			t.stage_path = probe >= 0 ?
				quarantine_stage_path(probe, rec_subj.path) :
				NULL;
			if (probe >= 0 && probe != subj->dirfd)
				close(probe);
			free(t.intent);
			t.intent = NULL;
			if (!t.stage_path ||
			    quarantine_intent_build(&rec_subj, have_parent ? &parent : NULL, res,
						    t.when, t.stage_path, t.txn,
						    &t.intent,
						    &t.intent_len) != 0 ||
			    quarantine_file_write(t.efd, INTENT_NAME,
						  INTENT_PART, t.intent,
						  t.intent_len) != 0 ||
			    fsync(t.efd) != 0) {
				rc = quarantine_io_status();
				goto out;
			}
		} else {
			rc = errno == ENOENT ? QUARANTINE_ERR_CHANGED :
			     quarantine_io_status();
			goto out;
		}
	}
	if (t.stage_path && stage_take(&t, subj->dirfd, subj->name) != 0) {
		rc = errno == ENOENT ? QUARANTINE_ERR_CHANGED :
		     quarantine_io_status();
		goto out;
	}
	taken = true;
	quarantine_test_step(QUARANTINE_STEP_STAGED);
	/* Step 3: the name could have been swapped between our check and
	 * the rename: what we took must be what we scanned. */
	if (fstatat(t.odir, t.oname, &cur, AT_SYMLINK_NOFOLLOW) != 0) {
		rc = quarantine_io_status();
		goto out;
	}
	if (!S_ISREG(cur.st_mode) || !quarantine_same_file(&cur, subj->st)) {
		rc = QUARANTINE_ERR_CHANGED;
		goto out;
	}
	(void)fsync(t.odir);
	quarantine_test_step(QUARANTINE_STEP_CHECKED);
	rc = quarantine_txn_finish(&t, ret_id, cap);
	if (rc == QUARANTINE_OK && !t.stage_path)
		/* Not fatal: someone else's file in a directory we may
		 * write cannot be chmod'ed by us, and the 0700 store already
		 * keeps everyone else out. */
		(void)fchmod(subj->fd, 0);
	if (rc == QUARANTINE_OK && subj->dirfd != AT_FDCWD)
		(void)fsync(subj->dirfd);
out:
	saved = errno;
	if (rc != QUARANTINE_OK && t.efd >= 0) {
		/* Undo while the original is still ours to give back; once
		 * released, the entry is the only copy: recovery finishes
		 * it. */
		if (t.released || t.published) {
			keep = true;
		} else if (taken &&
			   renameat2(t.odir, t.oname, subj->dirfd, subj->name,
				     RENAME_NOREPLACE) != 0) {
			/* Something new took the name: putting the file
			 * back would replace it.  Keep it for recovery. */
			keep = true;
		}
		if (!keep) {
			(void)quarantine_remove_entry_dir(t.dfd, t.newname);
			if (t.stage_path)
				quarantine_stage_tidy(t.stage_path);
		}
	}
	quarantine_close_keep_errno(t.sfd);
	quarantine_close_keep_errno(t.efd);
	quarantine_close_keep_errno(t.dfd);
	free(t.intent);
	free(t.stage_path);
	free(abs_path);
	errno = saved;
	return rc;
}
