/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_quarantine.c - the quarantine store and decide_apply, with
 * renameat2/write/fsync/getrandom wrapped (-Wl,--wrap) to simulate another
 * filesystem (EXDEV), a full disk (ENOSPC), an I/O error (EIO), a file
 * swapped under us mid-move, and ID collisions.
 *
 * The verdicts are fake results built with the scanner's internal
 * scan_result_new/scan_result_add, so these tests do not depend on the analyser.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/cli/decide.h"
#include "agent/store/quarantine.h"
#include "agent/store/json_reader.h"
#include "agent/cli/scanfile.h"
#include "agent/store/sha256.h"
#include "picklewarden.h"
#include "policy/policy.h"

/* ---- mocks ---------------------------------------------------------- */

int __real_renameat2(int, const char *, int, const char *, unsigned);
ssize_t __real_write(int, const void *, size_t);
int __real_fsync(int);
ssize_t __real_getrandom(void *, size_t, unsigned);

/* The next renameat2 onto this name fails with EXDEV (one filesystem
 * pretending to be two). */
static const char *exdev_target;
/* When set, called inside the EXDEV-failing renameat2 (a swap "between
 * scan and move"). */
static void (*on_exdev)(void);
/* Writes succeed until this many bytes have gone through (-1: off); the
 * write that crosses it is short, the next fails with write_errno. */
static long long write_budget = -1;
static int write_errno = ENOSPC;
/* The n-th fsync from now fails with EIO (0: off). */
static int fsync_fail_at;
/* Scripted getrandom outputs: each call takes the next byte value. */
static int random_script[8];
static size_t random_script_n, random_script_pos;

int
__wrap_renameat2(int olddirfd, const char *oldpath, int newdirfd,
		 const char *newpath, unsigned flags)
{
	if (exdev_target && strcmp(newpath, exdev_target) == 0) {
		/* One shot: a later rename onto the same name (the
		 * restore's copy linking into place) is real. */
		exdev_target = NULL;
		if (on_exdev) {
			void (*f)(void) = on_exdev;

			on_exdev = NULL;
			f();
		}
		errno = EXDEV;
		return -1;
	}
	return __real_renameat2(olddirfd, oldpath, newdirfd, newpath, flags);
}

ssize_t
__wrap_write(int fd, const void *buf, size_t len)
{
	if (write_budget >= 0) {
		if (write_budget == 0) {
			errno = write_errno;
			return -1;
		}
		if ((long long)len > write_budget)
			len = (size_t)write_budget;
		write_budget -= (long long)len;
	}
	return __real_write(fd, buf, len);
}

int
__wrap_fsync(int fd)
{
	if (fsync_fail_at > 0 && --fsync_fail_at == 0) {
		errno = EIO;
		return -1;
	}
	return __real_fsync(fd);
}

ssize_t
__wrap_getrandom(void *buf, size_t len, unsigned flags)
{
	if (random_script_pos < random_script_n) {
		memset(buf, random_script[random_script_pos++], len);
		return (ssize_t)len;
	}
	return __real_getrandom(buf, len, flags);
}

/* ---- fixtures ------------------------------------------------------- */

struct fx {
	char root[64];
	char src[128];		/* where the files live */
	char store_dir[128];
	int srcfd;
	struct quarantine_store *store;
	struct scan_result *res;
};

static void
mocks_off(void)
{
	exdev_target = NULL;
	on_exdev = NULL;
	write_budget = -1;
	write_errno = ENOSPC;
	fsync_fail_at = 0;
	random_script_n = random_script_pos = 0;
}

static struct scan_result *
fake_result(enum pw_severity sev, const char *global, const char *reason)
{
	struct scan_result *r = NULL;
	struct pw_finding f = {
		.severity = sev, .kind = PW_KIND_IMPORT, .global = global,
		.module = "posix", .name = "system", .opcode = "GLOBAL",
		.offset = 2, .location = "", .reason = reason,
	};

	r = scan_result_new();
	assert_non_null(r);
	assert_int_equal(scan_result_set_format(r, "pickle"), 0);
	if (global)
		assert_int_equal(scan_result_add(r, &f), 0);
	return r;
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	mocks_off();
	strcpy(fx->root, "/tmp/pw-quar-XXXXXX");
	assert_non_null(mkdtemp(fx->root));
	snprintf(fx->src, sizeof(fx->src), "%s/src", fx->root);
	snprintf(fx->store_dir, sizeof(fx->store_dir), "%s/data/q", fx->root);
	assert_int_equal(mkdir(fx->src, 0755), 0);
	fx->srcfd = open(fx->src, O_RDONLY | O_DIRECTORY);
	assert_true(fx->srcfd >= 0);
	assert_int_equal(quarantine_open(fx->store_dir, &fx->store),
			 QUARANTINE_OK);
	fx->res = fake_result(PW_SEV_MALICIOUS, "posix.system",
			      "runs a \"shell\"\ncommand \xff");
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;
	char cmd[256];

	mocks_off();
	quarantine_close(fx->store);
	scan_result_free(fx->res);
	close(fx->srcfd);
	/* Entries are mode 0000 (root ignores that); rm -rf copes. */
	snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'",
		 fx->root, fx->root);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

/* Writes len pseudo-random bytes (a fixed pattern) to src/name. */
static void
make_file(struct fx *fx, const char *name, size_t len, mode_t mode)
{
	unsigned char *buf = malloc(len ? len : 1);
	size_t i;
	int fd;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 2654435761u >> 13);
	fd = openat(fx->srcfd, name, O_WRONLY | O_CREAT | O_EXCL, mode);
	assert_true(fd >= 0);
	assert_int_equal(__real_write(fd, buf, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	free(buf);
}

static bool
file_has_pattern(int dirfd, const char *name, size_t len)
{
	unsigned char *buf = malloc(len + 1);
	size_t i, got = 0;
	ssize_t r;
	int fd;
	bool ok = true;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW);
	if (fd < 0) {
		free(buf);
		return false;
	}
	while ((r = read(fd, buf + got, len + 1 - got)) > 0)
		got += (size_t)r;
	close(fd);
	if (got != len)
		ok = false;
	for (i = 0; ok && i < len; i++)
		ok = buf[i] == (unsigned char)(i * 2654435761u >> 13);
	free(buf);
	return ok;
}

/* Scans the way the agent does: open, fstat; the subject borrows st. */
struct scanned {
	int fd;
	struct stat st;
	char path[256];
	struct quarantine_subject subj;
};

static void
scan_open(struct fx *fx, const char *name, struct scanned *s)
{
	assert_int_equal(scanfile_open(fx->srcfd, name, &s->fd, &s->st), 0);
	snprintf(s->path, sizeof(s->path), "%s/%s", fx->src, name);
	s->subj.fd = s->fd;
	s->subj.st = &s->st;
	s->subj.dirfd = fx->srcfd;
	s->subj.name = name;
	s->subj.path = s->path;
	s->subj.sha256 = NULL;
	s->subj.signature = NULL;
}

/* Names in the store directory (entries and leftovers), "." excluded. */
static size_t
store_names(struct fx *fx)
{
	DIR *d = opendir(fx->store_dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static int
entry_fd(struct fx *fx, const char *id)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", fx->store_dir, id);
	return open(path, O_RDONLY | O_DIRECTORY);
}

/* ---- tests ---------------------------------------------------------- */

static void
check_entry(struct fx *fx, const char *id, const struct scanned *s,
	    size_t len, const char *method)
{
	struct quarantine_entry *e = NULL;
	struct stat st;
	char hex[65];
	int efd;

	assert_int_equal(quarantine_show(fx->store, id, &e), QUARANTINE_OK);
	assert_string_equal(e->id, id);
	assert_string_equal(e->original_path, s->path);
	assert_int_equal(e->size, len);
	assert_int_equal(e->mode, s->st.st_mode & 07777);
	assert_int_equal(e->uid, s->st.st_uid);
	assert_int_equal(e->gid, s->st.st_gid);
	assert_int_equal(e->mtime.tv_sec, s->st.st_mtim.tv_sec);
	assert_int_equal(e->mtime.tv_nsec, s->st.st_mtim.tv_nsec);
	assert_int_equal(e->atime.tv_nsec, s->st.st_atim.tv_nsec);
	assert_string_equal(e->verdict, "malicious");
	assert_string_equal(e->format, "pickle");
	assert_string_equal(e->method, method);
	assert_string_equal(e->version, pw_version());
	assert_true(e->data_present);
	assert_int_equal(e->findings_total, 1);
	assert_int_equal(e->n_findings, 1);
	assert_string_equal(e->findings[0].global, "posix.system");
	assert_string_equal(e->findings[0].opcode, "GLOBAL");
	assert_int_equal(e->findings[0].offset, 2);
	/* JSON keeps invalid UTF-8 as \u00HH: the text is readable, the
	 * newline comes back as a newline. */
	assert_non_null(strstr(e->findings[0].reason, "\"shell\"\ncommand"));
	assert_true(llabs((long long)(time(NULL) - e->quarantined_at)) < 60);
	/* The data: mode 0000, same bytes. */
	efd = entry_fd(fx, id);
	assert_true(efd >= 0);
	assert_int_equal(fstatat(efd, "data", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(st.st_mode & 07777, 0);
	assert_true(file_has_pattern(efd, "data", len));
	{
		int fd = openat(efd, "data", O_RDONLY);

		assert_int_equal(sha256_fd(fd, hex, NULL), 0);
		close(fd);
	}
	assert_string_equal(hex, e->sha256);
	close(efd);
	quarantine_entry_free(e);
}

static void
test_open_store(void **state)
{
	struct fx *fx = *state;
	struct quarantine_store *s = NULL;
	struct stat st;
	char path[256];

	assert_int_equal(stat(fx->store_dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	/* Relative paths and symlinks are refused. */
	assert_int_equal(quarantine_open("rel/q", &s), QUARANTINE_ERR_INVALID);
	snprintf(path, sizeof(path), "%s/link", fx->root);
	assert_int_equal(symlink(fx->store_dir, path), 0);
	assert_int_equal(quarantine_open(path, &s),
			 QUARANTINE_ERR_STORE_UNSAFE);
	assert_null(s);
	/* A store others can read is tightened. */
	snprintf(path, sizeof(path), "%s/loose", fx->root);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(quarantine_open(path, &s), QUARANTINE_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	quarantine_close(s);
	s = NULL;
	/* Someone else's directory is refused (we run as root in CI: give
	 * it away; as a normal user chown fails and the check is moot). */
	snprintf(path, sizeof(path), "%s/theirs", fx->root);
	assert_int_equal(mkdir(path, 0700), 0);
	if (chown(path, geteuid() + 1, getegid()) == 0) {
		assert_int_equal(quarantine_open(path, &s),
				 QUARANTINE_ERR_STORE_UNSAFE);
		assert_null(s);
	}
	quarantine_close(NULL);
}

static void
test_same_fs_move(void **state)
{
	struct fx *fx = *state;
	struct scanned s;
	char id[QUARANTINE_ID_MAX];
	struct stat st;

	make_file(fx, "model.bin", 100000, 0640);
	scan_open(fx, "model.bin", &s);
	assert_int_equal(quarantine_move(fx->store, &s.subj, fx->res, id,
					 sizeof(id)), QUARANTINE_OK);
	assert_true(quarantine_id_valid(id));
	assert_int_equal(fstatat(fx->srcfd, "model.bin", &st,
				 AT_SYMLINK_NOFOLLOW), -1);
	assert_int_equal(errno, ENOENT);
	check_entry(fx, id, &s, 100000, "rename");
	/* The same inode moved. */
	{
		int efd = entry_fd(fx, id);

		assert_int_equal(fstatat(efd, "data", &st, 0), 0);
		assert_int_equal(st.st_ino, s.st.st_ino);
		close(efd);
	}
	assert_int_equal(store_names(fx), 1);
	close(s.fd);
}

static void
test_cross_fs_copy(void **state)
{
	struct fx *fx = *state;
	struct scanned s;
	char id[QUARANTINE_ID_MAX];
	struct stat st;
	int efd;

	make_file(fx, "blob", 3 * 256 * 1024 + 17, 0604);
	scan_open(fx, "blob", &s);
	exdev_target = "orig";
	assert_int_equal(quarantine_move(fx->store, &s.subj, fx->res, id,
					 sizeof(id)), QUARANTINE_OK);
	exdev_target = NULL;
	assert_int_equal(fstatat(fx->srcfd, "blob", &st, AT_SYMLINK_NOFOLLOW),
			 -1);
	check_entry(fx, id, &s, 3 * 256 * 1024 + 17, "copy");
	efd = entry_fd(fx, id);
	assert_int_equal(fstatat(efd, "data", &st, 0), 0);
	assert_int_not_equal(st.st_ino, s.st.st_ino);
	/* no part files left behind */
	assert_int_equal(fstatat(efd, "data.part", &st, 0), -1);
	assert_int_equal(fstatat(efd, "record.json.part", &st, 0), -1);
	close(efd);
	close(s.fd);
}

/* The original intact (same inode, mode, bytes) and the store empty. */
static void
check_untouched(struct fx *fx, const struct scanned *s, const char *name,
		size_t len)
{
	struct stat st;

	assert_int_equal(fstatat(fx->srcfd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(st.st_ino, s->st.st_ino);
	assert_int_equal(st.st_mode, s->st.st_mode);
	assert_true(file_has_pattern(fx->srcfd, name, len));
	assert_int_equal(store_names(fx), 0);
}

static void
test_enospc_midway(void **state)
{
	struct fx *fx = *state;
	struct scanned s;
	char id[QUARANTINE_ID_MAX] = "unset";
	size_t len = 1024 * 1024;

	make_file(fx, "big.pt", len, 0644);
	scan_open(fx, "big.pt", &s);
	exdev_target = "orig";
	write_budget = 300000;		/* in the middle of the second chunk */
	errno = 0;
	assert_int_equal(quarantine_move(fx->store, &s.subj, fx->res, id,
					 sizeof(id)), QUARANTINE_ERR_IO);
	assert_int_equal(errno, ENOSPC);
	mocks_off();
	assert_string_equal(id, "unset");
	check_untouched(fx, &s, "big.pt", len);
	close(s.fd);
}

static void
test_eio_on_fsync(void **state)
{
	struct fx *fx = *state;
	struct scanned s;
	char id[QUARANTINE_ID_MAX];
	size_t len = 600000;

	make_file(fx, "m.ckpt", len, 0644);
	scan_open(fx, "m.ckpt", &s);
	exdev_target = "orig";
	fsync_fail_at = 1;		/* the copy's own fsync */
	assert_int_equal(quarantine_move(fx->store, &s.subj, fx->res, id,
					 sizeof(id)), QUARANTINE_ERR_IO);
	assert_int_equal(errno, EIO);
	mocks_off();
	check_untouched(fx, &s, "m.ckpt", len);

	/* EIO while writing instead of syncing. */
	exdev_target = "orig";
	write_budget = 100;
	write_errno = EIO;
	assert_int_equal(quarantine_move(fx->store, &s.subj, fx->res, id,
					 sizeof(id)), QUARANTINE_ERR_IO);
	assert_int_equal(errno, EIO);
	mocks_off();
	check_untouched(fx, &s, "m.ckpt", len);

	/* A failure publishing the record on the rename path puts the
	 * original back. */
	write_budget = 10;
	assert_int_equal(quarantine_move(fx->store, &s.subj, fx->res, id,
					 sizeof(id)), QUARANTINE_ERR_IO);
	mocks_off();
	check_untouched(fx, &s, "m.ckpt", len);
	close(s.fd);
}

static void
test_id_collision(void **state)
{
	struct fx *fx = *state;
	struct scanned s;
	char id[QUARANTINE_ID_MAX], sha[65], taken[2][QUARANTINE_ID_MAX];
	time_t now = time(NULL);
	struct stat st;
	int i;

	make_file(fx, "a.bin", 1000, 0644);
	scan_open(fx, "a.bin", &s);
	assert_int_equal(sha256_fd(s.fd, sha, NULL), 0);
	/* The IDs the first random draw would give, this second and the
	 * next: both taken. */
	for (i = 0; i < 2; i++) {
		struct tm tm;
		char when[20], path[256];
		time_t t = now + i;

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
		snprintf(taken[i], sizeof(taken[i]), "%s-%.12s-aaaaaaaa", when,
			 sha);
		snprintf(path, sizeof(path), "%s/%s", fx->store_dir, taken[i]);
		assert_int_equal(mkdir(path, 0700), 0);
	}
	random_script[0] = 0x11;	/* the .new- directory */
	random_script[1] = 0xaa;	/* first ID: taken */
	random_script[2] = 0xbb;	/* second ID */
	random_script_n = 3;
	assert_int_equal(quarantine_move(fx->store, &s.subj, fx->res, id,
					 sizeof(id)), QUARANTINE_OK);
	mocks_off();
	assert_non_null(strstr(id, "-bbbbbbbb"));
	for (i = 0; i < 2; i++)
		assert_string_not_equal(id, taken[i]);
	/* the existing entries were not touched */
	{
		char path[256];

		snprintf(path, sizeof(path), "%s/%s", fx->store_dir, taken[0]);
		assert_int_equal(stat(path, &st), 0);
		assert_true(S_ISDIR(st.st_mode));
	}
	check_entry(fx, id, &s, 1000, "rename");
	close(s.fd);
}

/* Two files with the same name (and content) quarantined in turn. */
static void
test_same_name_twice(void **state)
{
	struct fx *fx = *state;
	struct scanned s1, s2;
	char id1[QUARANTINE_ID_MAX], id2[QUARANTINE_ID_MAX];

	make_file(fx, "pytorch_model.bin", 500, 0644);
	scan_open(fx, "pytorch_model.bin", &s1);
	assert_int_equal(quarantine_move(fx->store, &s1.subj, fx->res, id1,
					 sizeof(id1)), QUARANTINE_OK);
	make_file(fx, "pytorch_model.bin", 500, 0644);
	scan_open(fx, "pytorch_model.bin", &s2);
	assert_int_equal(quarantine_move(fx->store, &s2.subj, fx->res, id2,
					 sizeof(id2)), QUARANTINE_OK);
	assert_string_not_equal(id1, id2);
	assert_int_equal(store_names(fx), 2);
	close(s1.fd);
	close(s2.fd);
}

static struct fx *swap_fx;

static void
swap_in_symlink(void)
{
	assert_int_equal(unlinkat(swap_fx->srcfd, "victim", 0), 0);
	assert_int_equal(symlinkat("/etc/passwd", swap_fx->srcfd, "victim"), 0);
}

static void
swap_in_other_file(void)
{
	int fd = openat(swap_fx->srcfd, "other", O_WRONLY | O_CREAT | O_EXCL,
			0644);

	assert_true(fd >= 0);
	assert_int_equal(__real_write(fd, "innocent", 8), 8);
	close(fd);
	assert_int_equal(renameat(swap_fx->srcfd, "other", swap_fx->srcfd,
				  "victim"), 0);
}

static void
check_swapped_refused(struct fx *fx, struct scanned *s, bool symlink_)
{
	char id[QUARANTINE_ID_MAX];
	struct stat st;

	assert_int_equal(quarantine_move(fx->store, &s->subj, fx->res, id,
					 sizeof(id)), QUARANTINE_ERR_CHANGED);
	mocks_off();
	/* What took the name is left alone, the store is empty. */
	assert_int_equal(fstatat(fx->srcfd, "victim", &st,
				 AT_SYMLINK_NOFOLLOW), 0);
	if (symlink_) {
		assert_true(S_ISLNK(st.st_mode));
	} else {
		assert_true(S_ISREG(st.st_mode));
		assert_int_equal(st.st_size, 8);
	}
	assert_int_not_equal(st.st_ino, s->st.st_ino);
	assert_int_equal(store_names(fx), 0);
	assert_int_equal(unlinkat(fx->srcfd, "victim", 0), 0);
}

static void
test_swapped_before_move(void **state)
{
	struct fx *fx = *state;
	struct scanned s;

	swap_fx = fx;
	/* symlink swapped in after the scan */
	make_file(fx, "victim", 64, 0644);
	scan_open(fx, "victim", &s);
	swap_in_symlink();
	check_swapped_refused(fx, &s, true);
	close(s.fd);
	/* another regular file renamed over it after the scan */
	make_file(fx, "victim", 64, 0644);
	scan_open(fx, "victim", &s);
	swap_in_other_file();
	check_swapped_refused(fx, &s, false);
	close(s.fd);
}

/* Swapped while we copy across filesystems: the copy is of what we
 * scanned, but the name is no longer it, so nothing is removed and the
 * entry is undone. */
static void
test_swapped_during_copy(void **state)
{
	struct fx *fx = *state;
	struct scanned s;

	swap_fx = fx;
	make_file(fx, "victim", 70000, 0644);
	scan_open(fx, "victim", &s);
	exdev_target = "orig";
	on_exdev = swap_in_other_file;
	check_swapped_refused(fx, &s, false);
	close(s.fd);
	make_file(fx, "victim", 70000, 0644);
	scan_open(fx, "victim", &s);
	exdev_target = "orig";
	on_exdev = swap_in_symlink;
	check_swapped_refused(fx, &s, true);
	close(s.fd);
}

/* Content changed after hashing: the copy does not match the digest the
 * caller judged.  The file is still taken (it was judged malicious; what
 * it holds now is unknown), as a snapshot whose record says so. */
static void
test_changed_content(void **state)
{
	struct fx *fx = *state;
	struct scanned s;
	struct quarantine_entry *e = NULL;
	char id[QUARANTINE_ID_MAX];
	int fd;

	make_file(fx, "w.bin", 4096, 0644);
	scan_open(fx, "w.bin", &s);
	s.subj.sha256 = "0000000000000000000000000000000000000000000000000000"
			"000000000000";
	exdev_target = "orig";
	assert_int_equal(quarantine_move(fx->store, &s.subj, fx->res, id,
					 sizeof(id)), QUARANTINE_OK);
	mocks_off();
	assert_int_equal(quarantine_show(fx->store, id, &e), QUARANTINE_OK);
	assert_true(e->captured_while_writing);
	assert_string_equal(e->method, "frozen-copy");
	assert_int_equal(e->captured_size, 4096);
	quarantine_entry_free(e);
	fd = s.fd;
	close(fd);
}

static void
move_one(struct fx *fx, const char *name, size_t len, mode_t mode,
	 char *id, struct scanned *s)
{
	struct timespec ts[2] = {{1000000000, 123456789},
				 {1100000000, 987654321}};

	make_file(fx, name, len, mode);
	assert_int_equal(utimensat(fx->srcfd, name, ts, 0), 0);
	scan_open(fx, name, s);
	assert_int_equal(quarantine_move(fx->store, &s->subj, fx->res, id,
					 QUARANTINE_ID_MAX), QUARANTINE_OK);
	close(s->fd);
}

static void
check_restored(int dirfd, const char *name, size_t len, mode_t mode)
{
	struct stat st;

	assert_int_equal(fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, mode);
	assert_int_equal(st.st_atim.tv_sec, 1000000000);
	assert_int_equal(st.st_atim.tv_nsec, 123456789);
	assert_int_equal(st.st_mtim.tv_sec, 1100000000);
	assert_int_equal(st.st_mtim.tv_nsec, 987654321);
	assert_true(file_has_pattern(dirfd, name, len));
}

static void
test_restore_round_trip(void **state)
{
	struct fx *fx = *state;
	struct scanned s;
	char id[QUARANTINE_ID_MAX];

	move_one(fx, "r.bin", 300001, 0751, id, &s);
	assert_int_equal(quarantine_restore(fx->store, id, NULL),
			 QUARANTINE_OK);
	check_restored(fx->srcfd, "r.bin", 300001, 0751);
	/* the entry is gone */
	assert_int_equal(store_names(fx), 0);
	assert_int_equal(quarantine_restore(fx->store, id, NULL),
			 QUARANTINE_ERR_NOT_FOUND);
}

static void
test_restore_cross_fs_and_to(void **state)
{
	struct fx *fx = *state;
	struct scanned s;
	char id[QUARANTINE_ID_MAX], to[256];
	int dfd;

	move_one(fx, "x.bin", 700000, 0600, id, &s);
	snprintf(to, sizeof(to), "%s/elsewhere", fx->root);
	assert_int_equal(mkdir(to, 0755), 0);
	dfd = open(to, O_RDONLY | O_DIRECTORY);
	strcat(to, "/y.bin");
	exdev_target = "y.bin";
	assert_int_equal(quarantine_restore(fx->store, id, to), QUARANTINE_OK);
	mocks_off();
	check_restored(dfd, "y.bin", 700000, 0600);
	assert_int_equal(store_names(fx), 0);
	/* no temporary file left in the target directory */
	{
		DIR *d = fdopendir(dup(dfd));
		struct dirent *de;
		size_t n = 0;

		while ((de = readdir(d)))
			n += de->d_name[0] != '.';
		closedir(d);
		assert_int_equal(n, 1);
	}
	close(dfd);
}

static void
test_restore_refuses_overwrite(void **state)
{
	struct fx *fx = *state;
	struct scanned s;
	char id[QUARANTINE_ID_MAX], to[256];
	struct quarantine_entry *e = NULL;

	move_one(fx, "o.bin", 5000, 0644, id, &s);
	/* something new took the name */
	make_file(fx, "o.bin", 10, 0600);
	assert_int_equal(quarantine_restore(fx->store, id, NULL),
			 QUARANTINE_ERR_EXISTS);
	assert_true(file_has_pattern(fx->srcfd, "o.bin", 10));
	/* a dangling symlink counts as existing, and is not followed */
	snprintf(to, sizeof(to), "%s/dangling", fx->src);
	assert_int_equal(symlinkat("nowhere", fx->srcfd, "dangling"), 0);
	assert_int_equal(quarantine_restore(fx->store, id, to),
			 QUARANTINE_ERR_EXISTS);
	assert_int_equal(faccessat(fx->srcfd, "nowhere", F_OK, 0), -1);
	/* the entry is intact, data still mode 0000 */
	assert_int_equal(quarantine_show(fx->store, id, &e), QUARANTINE_OK);
	assert_true(e->data_present);
	quarantine_entry_free(e);
	{
		struct stat st;
		int efd = entry_fd(fx, id);

		assert_int_equal(fstatat(efd, "data", &st, 0), 0);
		assert_int_equal(st.st_mode & 07777, 0);
		close(efd);
	}
	/* bad targets */
	assert_int_equal(quarantine_restore(fx->store, id, "/nonexistent/."),
			 QUARANTINE_ERR_INVALID);
	assert_int_equal(quarantine_restore(fx->store, "../etc", NULL),
			 QUARANTINE_ERR_INVALID);
}

static void
late_appears(void)
{
	int fd = openat(swap_fx->srcfd, "late", O_WRONLY | O_CREAT | O_EXCL,
			0644);

	assert_true(fd >= 0);
	close(fd);
}

static void
test_restore_race_refuses(void **state)
{
	struct fx *fx = *state;
	struct scanned s;
	char id[QUARANTINE_ID_MAX], to[256];
	struct stat st;

	move_one(fx, "l.bin", 5000, 0644, id, &s);
	snprintf(to, sizeof(to), "%s/late", fx->src);
	swap_fx = fx;
	exdev_target = "late";
	on_exdev = late_appears;
	assert_int_equal(quarantine_restore(fx->store, id, to),
			 QUARANTINE_ERR_EXISTS);
	mocks_off();
	assert_int_equal(fstatat(fx->srcfd, "late", &st, 0), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(store_names(fx), 1);
	/* no temporary file left next to it */
	{
		DIR *d = fdopendir(dup(fx->srcfd));
		struct dirent *de;

		while ((de = readdir(d)))
			assert_null(strstr(de->d_name, "restore"));
		closedir(d);
	}
}


/* An entry turned back into the unfinished move it was at some step. */
static void
unpublish(struct fx *fx, const char *id, const char *txn)
{
	char from[256], to[256];

	snprintf(from, sizeof(from), "%s/%s", fx->store_dir, id);
	snprintf(to, sizeof(to), "%s/.new-%s", fx->store_dir, txn);
	assert_int_equal(rename(from, to), 0);
}

static void
txn_path(struct fx *fx, const char *txn, const char *name, char *out)
{
	snprintf(out, 256, "%s/.new-%s/%s", fx->store_dir, txn, name);
}

/* Recovery from the states a kill leaves (the fault tests kill a real
 * move at every step; these build the states by hand). */
static void
test_recover_states(void **state)
{
	struct fx *fx = *state;
	struct quarantine_recovery r;
	struct quarantine_entry *v = NULL, *e = NULL;
	struct scanned s;
	char id[QUARANTINE_ID_MAX], p1[256], p2[256];
	size_t n = 0;

	/* recorded, not published */
	move_one(fx, "a.bin", 3000, 0644, id, &s);
	unpublish(fx, id, "aaaa");
	/* data stored, record missing */
	move_one(fx, "b.bin", 4000, 0644, id, &s);
	unpublish(fx, id, "bbbb");
	txn_path(fx, "bbbb", "record.json", p1);
	assert_int_equal(unlink(p1), 0);
	/* staged in the entry (orig), nothing stored */
	move_one(fx, "c.bin", 5000, 0644, id, &s);
	unpublish(fx, id, "cccc");
	txn_path(fx, "cccc", "record.json", p1);
	assert_int_equal(unlink(p1), 0);
	txn_path(fx, "cccc", "data", p1);
	txn_path(fx, "cccc", "orig", p2);
	assert_int_equal(rename(p1, p2), 0);
	/* an unfinished move is listed under new-<txn> with its state, and
	 * show accepts that ID */
	assert_int_equal(quarantine_show(fx->store, "new-cccc", &e),
			 QUARANTINE_OK);
	assert_int_equal(e->state, QUARANTINE_STATE_STAGED);
	assert_false(e->data_present);
	quarantine_entry_free(e);
	/* intent only: nothing was taken */
	move_one(fx, "d.bin", 600, 0644, id, &s);
	unpublish(fx, id, "dddd");
	txn_path(fx, "dddd", "record.json", p1);
	assert_int_equal(unlink(p1), 0);
	txn_path(fx, "dddd", "data", p1);
	assert_int_equal(unlink(p1), 0);
	/* staged, but not the judged inode (swapped in before the rename):
	 * put back where it came from */
	move_one(fx, "e.bin", 700, 0644, id, &s);
	unpublish(fx, id, "eeee");
	/* made while the judged inode still exists: another inode number */
	make_file(fx, "other", 70, 0644);
	txn_path(fx, "eeee", "record.json", p1);
	assert_int_equal(unlink(p1), 0);
	txn_path(fx, "eeee", "data", p1);
	assert_int_equal(unlink(p1), 0);
	snprintf(p1, sizeof(p1), "%s/other", fx->src);
	txn_path(fx, "eeee", "orig", p2);
	assert_int_equal(rename(p1, p2), 0);

	assert_int_equal(quarantine_recover(fx->store, &r), QUARANTINE_OK);
	assert_int_equal(r.completed, 3);
	assert_int_equal(r.undone, 2);
	assert_int_equal(r.stuck, 0);
	assert_int_equal(r.busy, 0);
	assert_int_equal(quarantine_list(fx->store, &v, &n, NULL),
			 QUARANTINE_OK);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		char hex[65];
		int efd, fd;

		assert_int_equal(v[i].state, QUARANTINE_STATE_COMPLETE);
		assert_true(v[i].data_present);
		assert_false(v[i].captured_while_writing);
		efd = entry_fd(fx, v[i].id);
		fd = openat(efd, "data", O_RDONLY);
		assert_true(fd >= 0);
		assert_int_equal(sha256_fd(fd, hex, NULL), 0);
		assert_string_equal(hex, v[i].sha256);
		assert_true(file_has_pattern(efd, "data", v[i].size));
		close(fd);
		close(efd);
	}
	quarantine_entries_free(v, n);
	/* the swapped-in file is back under the name it was taken from */
	assert_true(file_has_pattern(fx->srcfd, "e.bin", 70));
	assert_int_equal(store_names(fx), 3);
}

/* restore refuses a parent that became a symlink or another directory,
 * and --to DIR puts the file in DIR under its original name. */
static void
test_restore_unsafe_parent(void **state)
{
	struct fx *fx = *state;
	struct scanned s;
	char id[QUARANTINE_ID_MAX], p[256], q[256], r[256];

	struct timespec ts[2] = {{1000000000, 123456789},
				 {1100000000, 987654321}};
	int subfd;

	assert_int_equal(mkdirat(fx->srcfd, "sub", 0755), 0);
	make_file(fx, "sub/m.bin", 900, 0640);
	assert_int_equal(utimensat(fx->srcfd, "sub/m.bin", ts, 0), 0);
	subfd = openat(fx->srcfd, "sub", O_RDONLY | O_DIRECTORY);
	assert_true(subfd >= 0);
	assert_int_equal(scanfile_open(subfd, "m.bin", &s.fd, &s.st), 0);
	snprintf(s.path, sizeof(s.path), "%s/sub/m.bin", fx->src);
	s.subj.fd = s.fd;
	s.subj.st = &s.st;
	s.subj.dirfd = subfd;
	s.subj.name = "m.bin";
	s.subj.path = s.path;
	s.subj.sha256 = NULL;
	s.subj.signature = NULL;
	assert_int_equal(quarantine_move(fx->store, &s.subj, fx->res, id,
					 sizeof(id)), QUARANTINE_OK);
	close(s.fd);
	close(subfd);
	snprintf(p, sizeof(p), "%s/sub", fx->src);
	snprintf(q, sizeof(q), "%s/sub.real", fx->src);
	snprintf(r, sizeof(r), "%s/elsewhere", fx->root);
	assert_int_equal(mkdir(r, 0755), 0);
	assert_int_equal(rename(p, q), 0);
	assert_int_equal(symlink(r, p), 0);
	assert_int_equal(quarantine_restore(fx->store, id, NULL),
			 QUARANTINE_ERR_UNSAFE_PATH);
	snprintf(q, sizeof(q), "%s/m.bin", r);
	assert_int_equal(access(q, F_OK), -1);
	/* made again: another directory at the same path */
	assert_int_equal(unlink(p), 0);
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(quarantine_restore(fx->store, id, NULL),
			 QUARANTINE_ERR_UNSAFE_PATH);
	/* --to through a symlinked directory, then --to DIR */
	snprintf(q, sizeof(q), "%s/link", fx->root);
	assert_int_equal(symlink(r, q), 0);
	strcat(q, "/x.bin");
	assert_int_equal(quarantine_restore(fx->store, id, q),
			 QUARANTINE_ERR_UNSAFE_PATH);
	assert_int_equal(quarantine_restore(fx->store, id, r), QUARANTINE_OK);
	{
		int dfd = open(r, O_RDONLY | O_DIRECTORY);

		check_restored(dfd, "m.bin", 900, 0640);
		close(dfd);
	}
}

static void
test_store_replaced_by_symlink(void **state)
{
	struct fx *fx = *state;
	struct quarantine_store *st = NULL;
	struct scanned s;
	char id[QUARANTINE_ID_MAX], moved[256], target[256];
	int status = -1;

	assert_int_equal(quarantine_open_lazy(fx->store_dir, &st, &status),
			 QUARANTINE_OK);
	assert_int_equal(status, QUARANTINE_OK);
	snprintf(moved, sizeof(moved), "%s.moved", fx->store_dir);
	snprintf(target, sizeof(target), "%s/target", fx->root);
	assert_int_equal(mkdir(target, 0700), 0);
	assert_int_equal(rename(fx->store_dir, moved), 0);
	assert_int_equal(symlink(target, fx->store_dir), 0);
	make_file(fx, "x.bin", 100, 0644);
	scan_open(fx, "x.bin", &s);
	assert_int_equal(quarantine_move(st, &s.subj, fx->res, id, sizeof(id)),
			 QUARANTINE_ERR_STORE_UNSAFE);
	assert_true(file_has_pattern(fx->srcfd, "x.bin", 100));
	assert_int_equal(rmdir(target), 0);	/* nothing written there */
	/* fixed: a missing store is made again and used */
	assert_int_equal(unlink(fx->store_dir), 0);
	assert_int_equal(quarantine_move(st, &s.subj, fx->res, id, sizeof(id)),
			 QUARANTINE_OK);
	close(s.fd);
	quarantine_close(st);
}

static void
test_restore_detects_corruption(void **state)
{
	struct fx *fx = *state;
	struct scanned s;
	char id[QUARANTINE_ID_MAX];
	struct stat st;
	int efd, fd;

	move_one(fx, "c.bin", 5000, 0644, id, &s);
	efd = entry_fd(fx, id);
	assert_int_equal(fchmodat(efd, "data", 0600, 0), 0);
	fd = openat(efd, "data", O_WRONLY);
	assert_int_equal(pwrite(fd, "X", 1, 100), 1);
	close(fd);
	assert_int_equal(fchmodat(efd, "data", 0, 0), 0);
	assert_int_equal(quarantine_restore(fx->store, id, NULL),
			 QUARANTINE_ERR_CORRUPT);
	assert_int_equal(fstatat(fx->srcfd, "c.bin", &st, 0), -1);
	assert_int_equal(fstatat(efd, "data", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0);
	close(efd);
}

static void
test_hostile_name_round_trip(void **state)
{
	struct fx *fx = *state;
	static const char name[] = "evil\nname\x1b[31m\xff\xfe\"q\\";
	struct quarantine_entry *e = NULL;
	struct scanned s;
	char id[QUARANTINE_ID_MAX];

	move_one(fx, name, 123, 0644, id, &s);
	assert_int_equal(quarantine_show(fx->store, id, &e), QUARANTINE_OK);
	assert_string_equal(e->original_path, s.path);
	quarantine_entry_free(e);
	assert_int_equal(quarantine_restore(fx->store, id, NULL),
			 QUARANTINE_OK);
	check_restored(fx->srcfd, name, 123, 0644);
}

/* `scan --quarantine rel/x` from some directory: the record keeps the
 * absolute path, so restore works from anywhere. */
static void
test_relative_path(void **state)
{
	struct fx *fx = *state;
	struct quarantine_entry *e = NULL;
	struct scanned s;
	char id[QUARANTINE_ID_MAX], abs[256], cwd[4096];

	make_file(fx, "rel.bin", 33, 0644);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(fx->root), 0);
	assert_int_equal(scanfile_open(AT_FDCWD, "src/rel.bin", &s.fd, &s.st),
			 0);
	s.subj.fd = s.fd;
	s.subj.st = &s.st;
	s.subj.dirfd = AT_FDCWD;
	s.subj.name = "src/rel.bin";
	s.subj.path = "src/rel.bin";
	s.subj.sha256 = NULL;
	s.subj.signature = NULL;
	assert_int_equal(quarantine_move(fx->store, &s.subj, fx->res, id,
					 sizeof(id)), QUARANTINE_OK);
	close(s.fd);
	assert_int_equal(chdir("/"), 0);
	assert_int_equal(quarantine_show(fx->store, id, &e), QUARANTINE_OK);
	snprintf(abs, sizeof(abs), "%s/src/rel.bin", fx->root);
	assert_string_equal(e->original_path, abs);
	quarantine_entry_free(e);
	assert_int_equal(quarantine_restore(fx->store, id, NULL),
			 QUARANTINE_OK);
	assert_true(file_has_pattern(fx->srcfd, "rel.bin", 33));
	assert_int_equal(chdir(cwd), 0);
}

static void
test_list_and_purge(void **state)
{
	struct fx *fx = *state;
	struct quarantine_entry *v = NULL;
	struct scanned s;
	char id1[QUARANTINE_ID_MAX], id2[QUARANTINE_ID_MAX], path[256];
	size_t n = 9, bad = 9, count = 9;
	int fd;

	assert_int_equal(quarantine_list(fx->store, &v, &n, &bad),
			 QUARANTINE_OK);
	assert_int_equal(n, 0);
	assert_null(v);
	move_one(fx, "one", 10, 0644, id1, &s);
	move_one(fx, "two", 20, 0644, id2, &s);
	/* a damaged entry and a leftover .new- directory */
	snprintf(path, sizeof(path), "%s/20000101T000000Z-broken", fx->store_dir);
	assert_int_equal(mkdir(path, 0700), 0);
	strcat(path, "/record.json");
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_int_equal(__real_write(fd, "{\"size\": [", 10), 10);
	close(fd);
	snprintf(path, sizeof(path), "%s/.new-deadbeef", fx->store_dir);
	assert_int_equal(mkdir(path, 0700), 0);

	assert_int_equal(quarantine_list(fx->store, &v, &n, &bad),
			 QUARANTINE_OK);
	assert_int_equal(n, 2);
	assert_int_equal(bad, 1);
	assert_true(v[0].quarantined_at <= v[1].quarantined_at);
	assert_true((strcmp(v[0].id, id1) == 0 && strcmp(v[1].id, id2) == 0) ||
		    (v[0].quarantined_at == v[1].quarantined_at));
	quarantine_entries_free(v, n);

	assert_int_equal(quarantine_show(fx->store, "20000101T000000Z-broken",
					 &v), QUARANTINE_ERR_CORRUPT);
	assert_int_equal(quarantine_purge(fx->store, id1), QUARANTINE_OK);
	assert_int_equal(quarantine_purge(fx->store, id1),
			 QUARANTINE_ERR_NOT_FOUND);
	assert_int_equal(quarantine_purge(fx->store, "../src"),
			 QUARANTINE_ERR_INVALID);
	assert_int_equal(quarantine_purge(fx->store, ".new-deadbeef"),
			 QUARANTINE_ERR_INVALID);
	/* nothing older than a day ago */
	assert_int_equal(quarantine_purge_older(fx->store, time(NULL) - 86400,
						&count), QUARANTINE_OK);
	assert_int_equal(count, 0);
	assert_int_equal(quarantine_purge_older(fx->store, time(NULL) + 1,
						&count), QUARANTINE_OK);
	assert_int_equal(count, 1);
	assert_int_equal(quarantine_list(fx->store, &v, &n, NULL),
			 QUARANTINE_OK);
	assert_int_equal(n, 0);
	/* purge never deletes what it does not know: an extra file in an
	 * entry makes it refuse */
	move_one(fx, "three", 5, 0644, id1, &s);
	snprintf(path, sizeof(path), "%s/%s/extra", fx->store_dir, id1);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	close(fd);
	assert_int_equal(quarantine_purge(fx->store, id1),
			 QUARANTINE_ERR_NOT_EMPTY);
}

static void
test_id_valid(void **state)
{
	(void)state;
	assert_true(quarantine_id_valid("20261126T031729Z-0123456789ab-c0ffee12"));
	assert_false(quarantine_id_valid(""));
	assert_false(quarantine_id_valid(NULL));
	assert_false(quarantine_id_valid(".new-x"));
	assert_false(quarantine_id_valid("-rf"));
	assert_false(quarantine_id_valid("a/b"));
	assert_false(quarantine_id_valid("a b"));
	assert_false(quarantine_id_valid(
		"0123456789012345678901234567890123456789012345678901234567890123"));
	assert_string_equal(quarantine_strerror(QUARANTINE_ERR_EXISTS),
			    "the target already exists");
	assert_non_null(quarantine_strerror(12345));
}

/*
 * As an ordinary user: the data file is mode 0000, which root reads
 * anyway but a user cannot, so restore must lift and re-lock the mode
 * itself.  Root in CI drops to nobody in a child to test what users see.
 */
#define NOBODY 65534

static int
unprivileged_round_trip(const char *root)
{
	char src[256], store_dir[256], id[QUARANTINE_ID_MAX], path[400];
	struct quarantine_store *st = NULL;
	struct quarantine_subject subj;
	struct stat sb;
	int dfd, fd;

	snprintf(src, sizeof(src), "%s/usr", root);
	snprintf(store_dir, sizeof(store_dir), "%s/usr/q", root);
	if (quarantine_open(store_dir, &st) != QUARANTINE_OK)
		return 10;
	dfd = open(src, O_RDONLY | O_DIRECTORY);
	fd = openat(dfd, "f.bin", O_RDWR | O_CREAT | O_EXCL, 0640);
	if (dfd < 0 || fd < 0 || __real_write(fd, "0123456789", 10) != 10)
		return 11;
	close(fd);
	if (scanfile_open(dfd, "f.bin", &fd, &sb) != 0)
		return 12;
	snprintf(path, sizeof(path), "%s/f.bin", src);
	subj.fd = fd;
	subj.st = &sb;
	subj.dirfd = dfd;
	subj.name = "f.bin";
	subj.path = path;
	subj.sha256 = NULL;
	subj.signature = NULL;
	if (quarantine_move(st, &subj, NULL, id, sizeof(id)) != QUARANTINE_OK)
		return 13;
	close(fd);
	/* the user cannot open the quarantined data as it is */
	snprintf(path, sizeof(path), "%s/%s/data", store_dir, id);
	if (open(path, O_RDONLY) >= 0 || errno != EACCES)
		return 14;
	if (quarantine_restore(st, id, NULL) != QUARANTINE_OK)
		return 15;
	if (fstatat(dfd, "f.bin", &sb, 0) != 0 || (sb.st_mode & 07777) != 0640 ||
	    sb.st_size != 10)
		return 16;
	quarantine_close(st);
	close(dfd);
	return 0;
}

static void
test_unprivileged_user(void **state)
{
	struct fx *fx = *state;
	char dir[256], cmd[512];
	pid_t pid;
	int status;

	snprintf(dir, sizeof(dir), "%s/usr", fx->root);
	assert_int_equal(mkdir(dir, 0755), 0);
	if (geteuid() != 0) {
		assert_int_equal(unprivileged_round_trip(fx->root), 0);
		return;
	}
	snprintf(cmd, sizeof(cmd), "chown %d:%d '%s' && chmod 755 '%s'",
		 NOBODY, NOBODY, dir, fx->root);
	assert_int_equal(system(cmd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgroups(0, NULL) != 0 || setresgid(NOBODY, NOBODY,
							 NOBODY) != 0 ||
		    setresuid(NOBODY, NOBODY, NOBODY) != 0 || geteuid() == 0)
			_exit(99);
		_exit(unprivileged_round_trip(fx->root));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* A record truncated at every byte is refused cleanly, never half-read;
 * restore then refuses too and leaves the data alone. */
static void
test_record_truncated_everywhere(void **state)
{
	struct fx *fx = *state;
	struct quarantine_entry *e = NULL;
	struct scanned s;
	char id[QUARANTINE_ID_MAX];
	char *rec = NULL;
	size_t len = 0, i;
	FILE *f;
	int efd;

	move_one(fx, "t.bin", 77, 0644, id, &s);
	f = open_memstream(&rec, &len);
	assert_int_equal(quarantine_write_record(fx->store, id, f),
			 QUARANTINE_OK);
	fclose(f);
	assert_true(len > 100 && rec[len - 1] == '\n' && rec[len - 2] == '}');
	efd = entry_fd(fx, id);
	for (i = 0; i < len - 1; i++) {
		int fd = openat(efd, "record.json", O_WRONLY | O_TRUNC);

		assert_true(fd >= 0);
		assert_int_equal(__real_write(fd, rec, i), (ssize_t)i);
		close(fd);
		e = NULL;
		assert_int_equal(quarantine_show(fx->store, id, &e),
				 QUARANTINE_ERR_CORRUPT);
		assert_null(e);
	}
	assert_int_equal(quarantine_restore(fx->store, id, NULL),
			 QUARANTINE_ERR_CORRUPT);
	assert_true(faccessat(fx->srcfd, "t.bin", F_OK, 0) != 0);
	/* oversized */
	{
		int fd = openat(efd, "record.json", O_WRONLY | O_TRUNC);

		assert_int_equal(ftruncate(fd, QUARANTINE_MAX_RECORD_SIZE + 1),
				 0);
		close(fd);
		assert_int_equal(quarantine_show(fx->store, id, &e),
				 QUARANTINE_ERR_CORRUPT);
	}
	/* whole again: readable again */
	{
		int fd = openat(efd, "record.json", O_WRONLY | O_TRUNC);

		assert_int_equal(__real_write(fd, rec, len), (ssize_t)len);
		close(fd);
	}
	assert_int_equal(quarantine_show(fx->store, id, &e), QUARANTINE_OK);
	quarantine_entry_free(e);
	/* random flips of the record text: parsed or refused, no crash */
	{
		unsigned seed = 4242;
		char *m = malloc(len);

		for (i = 0; i < 20000; i++) {
			struct store_json_value *v = NULL;
			size_t k;

			memcpy(m, rec, len);
			for (k = 0; k < 1 + i % 3; k++)
				m[(size_t)rand_r(&seed) % len] =
					"\"\\{}[],:u0d8e-\x80"[rand_r(&seed) % 16];
			if (store_json_parse(m, len, &v, NULL) == STORE_JSON_OK)
				store_json_free(v);
			else
				assert_null(v);
		}
		free(m);
	}
	close(efd);
	free(rec);
}

/* Reads a whole file of an entry into a new NUL-terminated buffer. */
static char *
entry_text(int efd, const char *name)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int fd = openat(efd, name, O_RDONLY);
	char chunk[4096];
	ssize_t r;

	assert_non_null(f);
	assert_true(fd >= 0);
	while ((r = read(fd, chunk, sizeof(chunk))) > 0)
		fwrite(chunk, 1, (size_t)r, f);
	close(fd);
	fclose(f);
	return buf;
}

static void
entry_put(int efd, const char *name, const char *text)
{
	int fd = openat(efd, name, O_WRONLY | O_TRUNC);

	assert_true(fd >= 0);
	assert_int_equal(__real_write(fd, text, strlen(text)),
			 (ssize_t)strlen(text));
	close(fd);
}

/*
 * Records written before the strict reader stay readable: the layout of
 * the first writer (printf fragments; "method" patched in after
 * "record_version"; no captured_size; null for a finding without a global
 * or opcode; invalid UTF-8 of a path as \u00HH next to the exact hex) is
 * shown and restored.  No writer ever emitted a duplicate key, invalid
 * UTF-8, a lone surrogate or trailing bytes, so nothing old needs a
 * lenient path.
 */
static void
test_old_record_readable(void **state)
{
	struct fx *fx = *state;
	struct quarantine_entry *e = NULL;
	struct scanned s;
	char id[QUARANTINE_ID_MAX], sha[65], hex[2 * sizeof(s.path) + 1];
	char *rec = NULL;
	size_t i;
	int efd;

	move_one(fx, "old\xff.bin", 25, 0640, id, &s);
	assert_int_equal(quarantine_show(fx->store, id, &e), QUARANTINE_OK);
	memcpy(sha, e->sha256, sizeof(sha));
	quarantine_entry_free(e);
	e = NULL;
	for (i = 0; s.path[i]; i++)
		sprintf(hex + 2 * i, "%02x", (unsigned char)s.path[i]);
	hex[2 * i] = '\0';
	assert_true(asprintf(&rec,
		"{\n  \"record_version\": 1,\n  \"method\": \"rename\",\n"
		"  \"original_path\": \"%.*s\\u00ff.bin\",\n"
		"  \"original_path_hex\": \"%s\",\n  \"size\": 25,\n"
		"  \"mode\": \"0640\",\n  \"uid\": %u,\n  \"gid\": %u,\n"
		"  \"device\": %llu,\n  \"inode\": %llu,\n"
		"  \"atime_sec\": 1000000000,\n  \"atime_nsec\": 123456789,\n"
		"  \"mtime_sec\": 1100000000,\n  \"mtime_nsec\": 987654321,\n"
		"  \"ctime_sec\": 1796299725,\n  \"ctime_nsec\": 0,\n"
		"  \"sha256\": \"%s\",\n  \"verdict\": \"malicious\",\n"
		"  \"format\": \"pickle\",\n"
		"  \"quarantined_at\": \"2026-12-03T12:08:45Z\",\n"
		"  \"quarantined_at_unix\": 1796299725,\n"
		"  \"picklewarden_version\": \"0.1.0\",\n"
		"  \"findings_total\": 2,\n  \"findings\": [\n"
		"    {\"severity\": \"malicious\", \"kind\": \"import\", "
		"\"global\": \"os.system\", \"opcode\": \"GLOBAL\", "
		"\"offset\": 0, \"location\": \"\", \"reason\": "
		"\"command runner \\u00e9 \\\"x\\\" \\u202e\"},\n"
		"    {\"severity\": \"error\", \"kind\": \"limit\", "
		"\"global\": null, \"opcode\": null, \"offset\": 7, "
		"\"location\": \"a!b\", \"reason\": \"cut\\u0001\"}\n"
		"  ]\n}\n",
		(int)(strlen(s.path) - strlen("\xff.bin")), s.path, hex,
		(unsigned)s.st.st_uid, (unsigned)s.st.st_gid,
		(unsigned long long)s.st.st_dev,
		(unsigned long long)s.st.st_ino, sha) > 0);
	efd = entry_fd(fx, id);
	entry_put(efd, "record.json", rec);
	assert_int_equal(quarantine_show(fx->store, id, &e), QUARANTINE_OK);
	assert_string_equal(e->original_path, s.path);
	assert_string_equal(e->method, "rename");
	assert_int_equal(e->size, 25);
	assert_int_equal(e->captured_size, 25);	/* none: the size */
	assert_false(e->captured_while_writing);
	assert_int_equal(e->mode, 0640);
	assert_int_equal(e->findings_total, 2);
	assert_int_equal(e->n_findings, 2);
	assert_string_equal(e->findings[0].reason,
			    "command runner \xc3\xa9 \"x\" \xe2\x80\xae");
	assert_string_equal(e->findings[1].global, "");
	assert_string_equal(e->findings[1].opcode, "");
	assert_string_equal(e->findings[1].reason, "cut\x01");
	assert_int_equal(e->findings[1].offset, 7);
	quarantine_entry_free(e);
	assert_int_equal(quarantine_restore(fx->store, id, NULL),
			 QUARANTINE_OK);
	check_restored(fx->srcfd, "old\xff.bin", 25, 0640);
	close(efd);
	free(rec);
}

/*
 * What the strict reader refuses in a record makes the entry corrupt
 * (shown as such, never restored), where the old reader read it one way:
 * a second "sha256" or "original_path_hex", invalid UTF-8 or a lone
 * surrogate in finding text, bytes after the object, a path's hex that is
 * not only hex digits.  Trailing whitespace is fine.
 */
static void
test_record_strict(void **state)
{
	static const struct {
		const char *after, *insert;	/* after the first after, or
						   at the end when NULL */
		int want;
	} cases[] = {
		{"{", "\"sha256\": \"0000000000000000000000000000000000000000"
		      "000000000000000000000000\", ", QUARANTINE_ERR_CORRUPT},
		{"{", "\"original_path_hex\": \"2f746d70\", ",
		 QUARANTINE_ERR_CORRUPT},
		{"{", "\"x\": \"\\ud800\", ", QUARANTINE_ERR_CORRUPT},
		{"{", "\"x\": \"\xc0\xaf\", ", QUARANTINE_ERR_CORRUPT},
		{"{", "\"x\": 1e99999999999999999999999999999999999999999999999"
		      "999999999999999999, ", QUARANTINE_ERR_CORRUPT},
		{NULL, "{}", QUARANTINE_ERR_CORRUPT},
		{NULL, "x", QUARANTINE_ERR_CORRUPT},
		{NULL, " \n\t\r\n", QUARANTINE_OK},
		{"{", "\"x\": \"\\ud83d\\ude00\", ", QUARANTINE_OK},
	};
	struct fx *fx = *state;
	struct quarantine_entry *e = NULL;
	struct scanned s;
	char id[QUARANTINE_ID_MAX];
	char *rec, *mod;
	size_t i;
	int efd;

	move_one(fx, "strict.bin", 99, 0644, id, &s);
	efd = entry_fd(fx, id);
	rec = entry_text(efd, "record.json");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t cut = strlen(rec);

		if (cases[i].after) {
			const char *p = strstr(rec, cases[i].after);

			assert_non_null(p);
			cut = (size_t)(p - rec) + strlen(cases[i].after);
		}
		assert_true(asprintf(&mod, "%.*s%s%s", (int)cut, rec,
				     cases[i].insert, rec + cut) > 0);
		entry_put(efd, "record.json", mod);
		e = NULL;
		if (quarantine_show(fx->store, id, &e) != cases[i].want)
			fail_msg("case %zu: %s", i, mod);
		quarantine_entry_free(e);
		if (cases[i].want != QUARANTINE_OK)
			assert_int_equal(quarantine_restore(fx->store, id, NULL),
					 QUARANTINE_ERR_CORRUPT);
		free(mod);
	}
	/* The path's hex is digits only: what sscanf("%2x") also took (a
	 * sign, a space) is refused, so is a NUL byte. */
	for (i = 0; i < 4; i++) {
		static const char *const bad[] = {"+f", " f", "-1", "00"};
		char *p = strstr(rec, "\"original_path_hex\": \"2f");

		assert_non_null(p);
		mod = strdup(rec);
		assert_non_null(mod);
		memcpy(mod + (p - rec) + strlen("\"original_path_hex\": \""),
		       bad[i], 2);
		entry_put(efd, "record.json", mod);
		e = NULL;
		assert_int_equal(quarantine_show(fx->store, id, &e),
				 QUARANTINE_ERR_CORRUPT);
		free(mod);
	}
	entry_put(efd, "record.json", rec);
	assert_int_equal(quarantine_restore(fx->store, id, NULL),
			 QUARANTINE_OK);
	close(efd);
	free(rec);
}

/* Recovery refuses an intent that already has the members finishing it
 * appends: finishing it would write a record with duplicate keys.  It is
 * left for a human (stuck), its data untouched. */
static void
test_recover_refuses_finished_intent(void **state)
{
	struct fx *fx = *state;
	struct quarantine_recovery r;
	struct scanned s;
	char id[QUARANTINE_ID_MAX], p1[256];
	char *intent, *mod;
	int efd;

	move_one(fx, "i.bin", 300, 0644, id, &s);
	unpublish(fx, id, "ffff");
	txn_path(fx, "ffff", "record.json", p1);
	assert_int_equal(unlink(p1), 0);
	snprintf(p1, sizeof(p1), "%s/.new-ffff", fx->store_dir);
	efd = open(p1, O_RDONLY | O_DIRECTORY);
	assert_true(efd >= 0);
	intent = entry_text(efd, "intent.json");
	assert_null(strstr(intent, "\"method\""));
	assert_true(asprintf(&mod, "{\"method\": \"copy\", %s",
			     intent + 1) > 0);
	entry_put(efd, "intent.json", mod);
	assert_int_equal(quarantine_recover(fx->store, &r), QUARANTINE_OK);
	assert_int_equal(r.stuck, 1);
	assert_int_equal(r.completed, 0);
	assert_true(faccessat(efd, "record.json", F_OK, 0) != 0);
	assert_true(faccessat(efd, "data", F_OK, 0) == 0);
	/* The intent as we wrote it: recovery finishes the move. */
	entry_put(efd, "intent.json", intent);
	assert_int_equal(quarantine_recover(fx->store, &r), QUARANTINE_OK);
	assert_int_equal(r.completed, 1);
	assert_int_equal(r.stuck, 0);
	close(efd);
	free(intent);
	free(mod);
}

/* ---- decide_apply ------------------------------------------------- */

static struct policy *
test_policy(struct fx *fx, const char *extra)
{
	struct policy *p = NULL;
	struct policy_error err;
	char *text;

	assert_true(asprintf(&text, "[quarantine]\ndirectory = %s\n%s",
			     fx->store_dir, extra) > 0);
	assert_int_equal(policy_load_string(text, "t", &p, &err), 0);
	free(text);
	return p;
}

static void
decide_on(struct fx *fx, const struct policy *p, struct quarantine_store *st,
	  const char *name, struct scan_result *res, struct decision *d,
	  int expect_rc)
{
	struct scanned s;
	struct decide_subject subj;

	scan_open(fx, name, &s);
	subj.path = s.path;
	subj.dirfd = fx->srcfd;
	subj.name = name;
	subj.fd = s.fd;
	subj.st = &s.st;
	assert_int_equal(decide_apply(p, st, &subj, res, d), expect_rc);
	close(s.fd);
}

static void
test_decide(void **state)
{
	struct fx *fx = *state;
	struct policy *p = test_policy(fx, "");
	struct scan_result *clean = fake_result(PW_SEV_INFO, NULL, NULL);
	struct scan_result *susp = fake_result(PW_SEV_SUSPICIOUS, "my.Class",
					     "not in the allowlist");
	struct decision d;
	char sha[65];
	struct stat st;
	int fd;

	make_file(fx, "m", 100, 0644);
	decide_on(fx, p, fx->store, "m", clean, &d, 0);
	assert_int_equal(d.outcome, DECIDE_NOTHING);
	assert_string_equal(d.sha256, "");
	decide_on(fx, p, fx->store, "m", susp, &d, 0);
	assert_int_equal(d.outcome, DECIDE_LOGGED);
	assert_int_equal(d.verdict, PW_VERDICT_SUSPICIOUS);
	assert_int_equal(strlen(d.sha256), 64);
	assert_int_equal(fstatat(fx->srcfd, "m", &st, 0), 0);
	/* malicious: quarantined */
	decide_on(fx, p, fx->store, "m", fx->res, &d, 0);
	assert_int_equal(d.outcome, DECIDE_QUARANTINED);
	assert_int_equal(d.action, POLICY_ACTION_QUARANTINE);
	assert_true(quarantine_id_valid(d.quarantine_id));
	assert_int_equal(fstatat(fx->srcfd, "m", &st, 0), -1);
	/* trusted by digest: left alone */
	make_file(fx, "t", 100, 0644);
	fd = openat(fx->srcfd, "t", O_RDONLY);
	assert_int_equal(sha256_fd(fd, sha, NULL), 0);
	close(fd);
	policy_free(p);
	{
		char extra[128];

		snprintf(extra, sizeof(extra), "[trusted]\nmine = %s\n", sha);
		p = test_policy(fx, extra);
	}
	decide_on(fx, p, fx->store, "t", fx->res, &d, 0);
	assert_int_equal(d.outcome, DECIDE_TRUSTED);
	assert_string_equal(d.sha256, sha);
	assert_int_equal(fstatat(fx->srcfd, "t", &st, 0), 0);
	/* no store: the failure is reported, the file stays */
	make_file(fx, "u", 50, 0644);
	decide_on(fx, p, NULL, "u", fx->res, &d, 0);
	assert_int_equal(d.outcome, DECIDE_QUARANTINE_FAILED);
	assert_int_equal(d.quarantine_status, QUARANTINE_ERR_INVALID);
	assert_int_equal(fstatat(fx->srcfd, "u", &st, 0), 0);
	/* a failing move: the file stays, the errno is kept */
	exdev_target = "orig";
	write_budget = 0;
	decide_on(fx, p, fx->store, "u", fx->res, &d, 0);
	mocks_off();
	assert_int_equal(d.outcome, DECIDE_QUARANTINE_FAILED);
	assert_int_equal(d.quarantine_status, QUARANTINE_ERR_IO);
	assert_int_equal(d.saved_errno, ENOSPC);
	assert_true(file_has_pattern(fx->srcfd, "u", 50));
	/* bad arguments */
	assert_int_equal(decide_apply(NULL, NULL, NULL, NULL, &d), -1);
	assert_int_equal(errno, EINVAL);
	policy_free(p);
	scan_result_free(clean);
	scan_result_free(susp);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_open_store),
		T(test_same_fs_move),
		T(test_cross_fs_copy),
		T(test_enospc_midway),
		T(test_eio_on_fsync),
		T(test_id_collision),
		T(test_same_name_twice),
		T(test_swapped_before_move),
		T(test_swapped_during_copy),
		T(test_changed_content),
		T(test_restore_round_trip),
		T(test_restore_cross_fs_and_to),
		T(test_restore_refuses_overwrite),
		T(test_restore_race_refuses),
		T(test_restore_detects_corruption),
		T(test_recover_states),
		T(test_restore_unsafe_parent),
		T(test_store_replaced_by_symlink),
		T(test_hostile_name_round_trip),
		T(test_relative_path),
		T(test_list_and_purge),
		T(test_id_valid),
		T(test_unprivileged_user),
		T(test_record_truncated_everywhere),
		T(test_old_record_readable),
		T(test_record_strict),
		T(test_recover_refuses_finished_intent),
		T(test_decide),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
