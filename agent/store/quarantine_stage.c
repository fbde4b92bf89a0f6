/*
 * quarantine_stage.c - the pieces of a move that are not the move itself:
 * the store directory checked again before each use, where a file waits
 * when the store is on another mount (its stage), opening directories
 * without following symlinks, the test for a file still being written,
 * and the verified copy into an entry.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "agent/store/quarantine_int.h"

/* ---- the store directory ------------------------------------------- */

/* mkdir -p with mode 0700 for what we create. */
int
quarantine_mkdir_parents(const char *dir)
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

/* Opens the store directory by path: created when missing, never a
 * symlink, ours, private.  fd, or -1 with *ret_status. */
int
quarantine_store_dir_open(const char *dir, struct stat *ret_st,
			  int *ret_status)
{
	int fd;

	if (quarantine_mkdir_parents(dir) != 0) {
		*ret_status = errno == ENOTDIR ? QUARANTINE_ERR_STORE_UNSAFE
					       : quarantine_io_status();
		return -1;
	}
	/* O_NOFOLLOW: a store that is a symlink could point anywhere. */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		*ret_status = errno == ELOOP || errno == ENOTDIR ?
			      QUARANTINE_ERR_STORE_UNSAFE :
			      quarantine_io_status();
		return -1;
	}
	if (fstat(fd, ret_st) != 0) {
		*ret_status = quarantine_io_status();
		goto fail;
	}
	if (ret_st->st_uid != geteuid()) {
		/* Someone else's directory could be read or swapped by
		 * them. */
		*ret_status = QUARANTINE_ERR_STORE_UNSAFE;
		goto fail;
	}
	if ((ret_st->st_mode & 077) != 0 && fchmod(fd, 0700) != 0) {
		*ret_status = quarantine_io_status();
		goto fail;
	}
	return fd;
fail:
	quarantine_close_keep_errno(fd);
	return -1;
}

static bool mount_of(int fd, uint64_t *ret);

/* True when the path still names the directory open at fd, on the same
 * mount (a mount on top of the store, read-only for instance, hides the
 * directory we hold). */
static bool
path_is_fd(const char *path, int fd, dev_t dev, ino_t ino)
{
	struct statx stx;
	uint64_t m;

	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW,
		  STATX_TYPE | STATX_INO | STATX_MNT_ID, &stx) != 0 ||
	    !S_ISDIR(stx.stx_mode) || stx.stx_ino != ino ||
	    makedev(stx.stx_dev_major, stx.stx_dev_minor) != dev)
		return false;
	if ((stx.stx_mask & STATX_MNT_ID) && mount_of(fd, &m) &&
	    m != stx.stx_mnt_id)
		return false;
	return true;
}

int
quarantine_store_fd(struct quarantine_store *s, int *ret_fd)
{
	struct stat st;
	int rc = QUARANTINE_OK, fd;

	pthread_mutex_lock(&s->lock);
	/* The path must still name the directory we hold: a store renamed
	 * away, deleted, replaced by a symlink or covered by a mount is
	 * noticed here, before a file is moved into it. */
	if (s->dfd >= 0 && !path_is_fd(s->dir, s->dfd, s->dev, s->ino)) {
		close(s->dfd);
		s->dfd = -1;
	}
	if (s->dfd < 0) {
		fd = quarantine_store_dir_open(s->dir, &st, &rc);
		if (fd >= 0) {
			s->dfd = fd;
			s->dev = st.st_dev;
			s->ino = st.st_ino;
		}
	}
	if (s->dfd >= 0) {
		fd = fcntl(s->dfd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			rc = quarantine_io_status();
		else
			*ret_fd = fd;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* ---- mounts and stage directories ----------------------------------- */

/* The mount a descriptor is on: statx's mount ID, or the device when the
 * kernel does not report it (two mounts of one filesystem then look
 * alike, and a rename between them fails with EXDEV, which the move
 * handles). */
static bool
mount_of(int fd, uint64_t *ret)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID,
		  &stx) != 0)
		return false;
	if (stx.stx_mask & STATX_MNT_ID)
		*ret = stx.stx_mnt_id;
	else
		*ret = ((uint64_t)stx.stx_dev_major << 32) | stx.stx_dev_minor;
	return true;
}

bool
quarantine_same_mount(int a, int b)
{
	uint64_t ma, mb;

	return mount_of(a, &ma) && mount_of(b, &mb) && ma == mb;
}

int
quarantine_open_dir_nofollow(const char *path, bool want_read)
{
	struct open_how how;
	char *copy, *p, *slash;
	int fd, next;

	memset(&how, 0, sizeof(how));
	how.flags = (want_read ? O_RDONLY : O_PATH) | O_DIRECTORY | O_CLOEXEC;
	how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
		return fd;
	/* No openat2 (before 5.6, or filtered): one component at a time,
	 * each with O_NOFOLLOW. */
	copy = strdup(path);
	if (!copy)
		return -1;
	fd = open(path[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY |
		  O_CLOEXEC);
	for (p = copy; fd >= 0 && *p; p = slash) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		slash = strchr(p, '/');
		if (slash)
			*slash++ = '\0';
		else
			slash = p + strlen(p);
		next = openat(fd, p, O_PATH | O_DIRECTORY | O_NOFOLLOW |
			      O_CLOEXEC);
		quarantine_close_keep_errno(fd);
		fd = next;
	}
	free(copy);
	if (fd >= 0 && want_read) {
		next = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		quarantine_close_keep_errno(fd);
		fd = next;
	}
	return fd;
}

/*
 * Walks the directories of path from / down and stops at the first one on
 * the file's mount that we own: the highest such directory, so the stage
 * sits above the caches (a home directory, a mount point), not in a
 * folder a loader lists.  Falls back to the file's own directory when no
 * directory qualifies or a component is a symlink.
 */
char *
quarantine_stage_path(int dirfd, const char *path)
{
	uint64_t want, got;
	struct stat st;
	char *dir = NULL, *out = NULL;
	const char *slash;
	size_t i, len;
	int fd = -1, next;

	slash = strrchr(path, '/');
	if (path[0] != '/' || !slash || !mount_of(dirfd, &want)) {
		errno = EINVAL;
		return NULL;
	}
	len = (size_t)(slash - path);
	dir = strndup(path, len ? len : 1);
	if (!dir)
		return NULL;
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (i = 0; fd >= 0;) {
		if (mount_of(fd, &got) && got == want && fstat(fd, &st) == 0 &&
		    st.st_uid == geteuid())
			break;
		/* next component */
		while (dir[i] == '/')
			i++;
		if (!dir[i]) {
			close(fd);
			fd = -1;
			break;
		}
		{
			size_t j = i;
			char c;

			while (dir[j] && dir[j] != '/')
				j++;
			c = dir[j];
			dir[j] = '\0';
			next = openat(fd, dir + i, O_PATH | O_DIRECTORY |
				      O_NOFOLLOW | O_CLOEXEC);
			dir[j] = c;
			i = j;
		}
		close(fd);
		fd = next;
	}
	if (fd >= 0) {
		close(fd);
		dir[i] = '\0';	/* the prefix walked so far */
	}
	/* dir is now the chosen directory, or still the file's own. */
	if (asprintf(&out, "%s/%s", strcmp(dir, "/") == 0 || !dir[0] ? "" :
		     dir, STAGE_DIR_NAME) < 0)
		out = NULL;
	free(dir);
	return out;
}

int
quarantine_stage_open(const char *path, bool create)
{
	char *parent = NULL;
	const char *slash = strrchr(path, '/');
	struct stat st;
	int pfd = -1, fd = -1;

	if (!slash) {
		errno = EINVAL;
		return -1;
	}
	parent = strndup(path, slash == path ? 1 : (size_t)(slash - path));
	if (!parent)
		return -1;
	pfd = quarantine_open_dir_nofollow(parent, false);
	free(parent);
	if (pfd < 0)
		return -1;
	if (create && mkdirat(pfd, slash + 1, 0700) != 0 && errno != EEXIST)
		goto fail;
	fd = openat(pfd, slash + 1, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (fd < 0)
		goto fail;
	/* Ours and private, or someone could reach the staged file. */
	if (fstat(fd, &st) != 0)
		goto fail;
	if (st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		errno = EPERM;
		goto fail;
	}
	close(pfd);
	return fd;
fail:
	quarantine_close_keep_errno(fd);
	quarantine_close_keep_errno(pfd);
	return -1;
}

/* ---- files being written -------------------------------------------- */

bool
quarantine_may_be_written(int fd, const struct stat *scanned)
{
	struct stat now;

	if (fstat(fd, &now) != 0)
		return true;
	if (now.st_size != scanned->st_size ||
	    now.st_mtim.tv_sec != scanned->st_mtim.tv_sec ||
	    now.st_mtim.tv_nsec != scanned->st_mtim.tv_nsec)
		return true;
	/* A read lease is refused (EAGAIN) while anyone holds the file
	 * open for writing, a writable shared mapping included: the one
	 * test for "still being written" that does not read /proc of every
	 * process.  It needs the file to be ours or CAP_LEASE; without it
	 * the size and mtime above are all we have. */
	if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0) {
		(void)fcntl(fd, F_SETLEASE, F_UNLCK);
		return false;
	}
	return errno == EAGAIN;
}

/* ---- copies ---------------------------------------------------------- */

int
quarantine_copy_into(int src, int efd, char *ret_sha, uint64_t *ret_size)
{
	struct sha256 *h = NULL;
	char back[SHA256_HEX_LEN + 1];
	uint64_t off = 0, size = 0;
	int out = -1, rc = QUARANTINE_ERR_IO;

	h = sha256_new();
	if (!h) {
		rc = QUARANTINE_ERR_NOMEM;
		goto out;
	}
	/* A part file left by a crash is ours and incomplete. */
	(void)unlinkat(efd, DATA_PART, 0);
	out = openat(efd, DATA_PART, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
		     O_CLOEXEC, 0600);
	if (out < 0 || quarantine_copy_fd(src, out, h, &off) != 0)
		goto io;
	if (sha256_final(h, ret_sha) != 0)
		goto io;
	/* Durable before the original may go. */
	if (fsync(out) != 0)
		goto io;
	/* Read back what the filesystem holds: a copy we cannot read back
	 * intact must not replace the original. */
	if (sha256_fd(out, back, &size) != 0)
		goto io;
	if (size != off || strcmp(back, ret_sha) != 0) {
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
	if (renameat(efd, DATA_PART, efd, DATA_NAME) != 0 || fsync(efd) != 0)
		goto io;
	*ret_size = off;
	rc = QUARANTINE_OK;
	goto out;
io:
	rc = quarantine_io_status();
	(void)unlinkat(efd, DATA_PART, 0);
out:
	quarantine_close_keep_errno(out);
	sha256_free(h);
	return rc;
}

/* "<UTC time>-<12 hex of the digest>-<8 random hex>": sorts by time,
 * names the content, and two moves in one second still differ. */
int
quarantine_make_id(const char *sha, time_t now, char *out, size_t cap)
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

bool
quarantine_txn_lock(int efd, bool wait)
{
	int rc;

	do
		rc = flock(efd, LOCK_EX | (wait ? 0 : LOCK_NB));
	while (rc != 0 && errno == EINTR);
	return rc == 0;
}
